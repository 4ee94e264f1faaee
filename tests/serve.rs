//! `ropa serve` end to end (issue 7): start it, fetch pages, change a file
//! and see the change, break the registry and see the banner; paths outside
//! the site are refused; it listens on 127.0.0.1.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(registry: &std::path::Path) -> Server {
    let mut c = ropa_command();
    c.args(["serve", "--port", "0", "--as-of", AS_OF, "--registry"])
        .arg(registry)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("serving http://") {
                let _ = tx.send(rest.split('/').next().unwrap_or("").to_string());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("ropa serve printed its address");
    Server { child, addr }
}

/// A raw GET (the path is sent exactly as given, `..` included).
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    (status, body)
}

fn wait_for_rebuild(addr: &str, before: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, v) = get(addr, "/__ropa/version");
        if v != before {
            return v;
        }
        assert!(Instant::now() < deadline, "no rebuild after the change");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_builds_watches_reloads_and_refuses_paths_outside() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    std::fs::write(tmp.path().join("secret.txt"), "TOP SECRET").unwrap();

    let server = start(&reg);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);

    let (status, body) = get(&server.addr, "/");
    assert_eq!(status, 200);
    assert!(body.contains("/__ropa/live.js"), "the page reloads itself");
    let (status, js) = get(&server.addr, "/__ropa/live.js");
    assert_eq!(status, 200);
    assert!(js.contains("location.reload"));
    let (status, page) = get(&server.addr, "/processors/crm.html");
    assert_eq!(status, 200);
    assert!(page.contains("Pipeline CRM Ltd"));

    for bad in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/processors/..%2f..%2fsecret.txt",
        "/..\\secret.txt",
    ] {
        let (status, body) = get(&server.addr, bad);
        assert_ne!(status, 200, "{bad}");
        assert!(
            !body.contains("TOP SECRET"),
            "{bad} served a file outside the site"
        );
    }

    // Change a file: the page shows the change.
    let (_, v0) = get(&server.addr, "/__ropa/version");
    let file = reg.join("processors/crm.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("Pipeline CRM Ltd", "Renamed CRM Ltd")).unwrap();
    let v1 = wait_for_rebuild(&server.addr, &v0);
    let (_, page) = get(&server.addr, "/processors/crm.html");
    assert!(page.contains("Renamed CRM Ltd"), "the change is not served");
    assert!(!page.contains("ropa-serve-errors"));

    // Break the registry: the last good pages, under a banner with the error.
    std::fs::write(&file, "name = \"Broken <b>\nservice = ").unwrap();
    wait_for_rebuild(&server.addr, &v1);
    let (status, page) = get(&server.addr, "/processors/crm.html");
    assert_eq!(status, 200);
    assert!(page.contains("ropa-serve-errors"), "no error banner");
    assert!(page.contains("The registry has errors"));
    assert!(
        page.contains("processors/crm.toml"),
        "the banner names the file"
    );
    assert!(
        page.contains("Renamed CRM Ltd"),
        "the last good build is still shown"
    );
    assert!(!page.contains("Broken <b>"), "the banner is escaped");
}

/// Sends `raw` as is and returns the whole answer (the server closes).
fn exchange(addr: &str, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(raw).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The HTTP the preview speaks: every answer has a length and closes the
/// connection (keep-alive hung Chromium, issue 7), HEAD has no body, other
/// methods and malformed requests are refused, and clients that connect
/// and stall do not hold up anyone else.
#[test]
fn serve_speaks_plain_http_and_stalled_clients_block_nobody() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let server = start(&reg);
    let addr = server.addr.as_str();

    // Keep-alive asked for, and still one answer then close: read_to_end
    // returns only because the server closed.
    let answer = exchange(
        addr,
        format!(
            "GET /processors/crm.html HTTP/1.1\r\nHost: {addr}\r\nConnection: keep-alive\r\n\r\n"
        )
        .as_bytes(),
    );
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\nConnection: close"), "{head}");
    assert!(head.contains("\r\nCache-Control: no-store"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .and_then(|v| v.trim().parse().ok())
        .expect("a Content-Length");
    assert_eq!(length, body.len());
    assert!(body.contains("Pipeline CRM Ltd"));

    let answer = exchange(
        addr,
        b"HEAD /processors/crm.html HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains(&format!("Content-Length: {length}\r\n")));
    assert!(answer.ends_with("\r\n\r\n"), "HEAD has no body");

    let answer = exchange(addr, b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 405 "), "{answer}");
    let answer = exchange(addr, b"BLAH\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");

    // Ten clients that connect and send nothing (as browsers' preconnects
    // do): the next request is answered at once all the same.
    let stalled: Vec<TcpStream> = (0..10).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let half: Vec<TcpStream> = (0..5)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
            s
        })
        .collect();
    let started = Instant::now();
    let (status, body) = get(addr, "/__ropa/version");
    assert_eq!(status, 200);
    assert!(body.trim().parse::<u64>().is_ok(), "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a stalled client held up a request for {:?}",
        started.elapsed()
    );
    drop((stalled, half));
}

/// The reload in a real browser (headless Chromium via playwright-core, as
/// tests/browser.rs): the open page follows a save by itself and shows the
/// banner while the registry is broken, without breaking the site's CSP.
/// Needs what `.ci/run` installs; fails, never skips, without it.
#[test]
fn open_page_reloads_in_a_real_browser() {
    let node_modules = manifest_dir().join("tests/browser/node_modules/playwright-core");
    assert!(
        node_modules.is_dir(),
        "run `bash .ci/run` (npm ci in tests/browser)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let server = start(&reg);
    let mut node = std::process::Command::new("node");
    node.current_dir(manifest_dir())
        .arg("tests/browser/reload.mjs")
        .arg(format!("http://{}/", server.addr))
        .arg(reg.join("processors/crm.toml"));
    let run = run_with_timeout(node, Duration::from_secs(240));
    assert_eq!(
        run.code,
        Some(0),
        "reload.mjs:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    let summary: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    // The first load, the reload after the save, the reload after the break.
    assert!(summary["navigations"].as_u64().unwrap() >= 3, "{summary}");
}
