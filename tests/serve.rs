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
    let src = fixture("valid-saas");
    for e in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let rel = e.path().strip_prefix(&src).unwrap();
        if e.file_type().is_dir() {
            std::fs::create_dir_all(reg.join(rel)).unwrap();
        } else {
            std::fs::copy(e.path(), reg.join(rel)).unwrap();
        }
    }
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
