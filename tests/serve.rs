//! `ropa serve` end to end (issue 7): start it, fetch pages, change a file
//! and see the change, break the registry and see the banner; paths outside
//! the site are refused; it listens on 127.0.0.1. Issue 19: it answers only
//! to its own host names and slow clients hold up no one. Issue 20: it
//! renders what is asked for, from memory, the same bytes a build writes,
//! and writes nothing.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// `ropa serve` on any free port of 127.0.0.1; `tmp` as its `TMPDIR`.
fn serve_command(registry: &Path, tmp: Option<&Path>) -> Command {
    let mut c = ropa_command();
    c.args(["serve", "--port", "0", "--as-of", AS_OF, "--registry"])
        .arg(registry);
    if let Some(tmp) = tmp {
        c.env("TMPDIR", tmp);
    }
    c
}

/// Spawns `c` and waits until it says where it listens.
fn spawn(mut c: Command) -> Server {
    c.stdout(Stdio::null()).stderr(Stdio::piped());
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

fn start(registry: &Path) -> Server {
    spawn(serve_command(registry, None))
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
        format!("HEAD /processors/crm.html HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains(&format!("Content-Length: {length}\r\n")));
    assert!(answer.ends_with("\r\n\r\n"), "HEAD has no body");

    let answer = exchange(
        addr,
        format!("POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\n\r\n").as_bytes(),
    );
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

/// The status of an answer (0 when there is none).
fn status_of(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// Issue 19: a page of another site whose name resolves to 127.0.0.1 (DNS
/// rebinding) sends its own name in `Host`: 421, and nothing of the record.
#[test]
fn serve_answers_only_to_its_own_host_names() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let server = start(&reg);
    let addr = server.addr.as_str();
    let port = addr.rsplit(':').next().unwrap();
    let ask = |host: Option<&str>, path: &str, version: &str| {
        let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
        exchange(
            addr,
            format!("GET {path} {version}\r\n{host}Connection: close\r\n\r\n").as_bytes(),
        )
    };
    let (_, record) = get(addr, "/ropa.json");
    assert!(record.contains("Pipeline CRM Ltd"), "{record}");
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        let answer = ask(Some(&host), "/ropa.json", "HTTP/1.1");
        assert_eq!(status_of(&answer), 200, "{host}: {answer}");
    }
    // HTTP/1.0 need not name a host.
    assert_eq!(status_of(&ask(None, "/", "HTTP/1.0")), 200);
    for host in [
        Some(format!("evil.example:{port}")),
        Some(format!("localhost.evil.example:{port}")),
        Some("evil.example".to_string()),
        Some(format!("localhost:{}", port.parse::<u16>().unwrap() ^ 1)),
        None,
    ] {
        for path in ["/ropa.json", "/", "/__ropa/version"] {
            let answer = ask(host.as_deref(), path, "HTTP/1.1");
            assert!(
                answer.starts_with("HTTP/1.1 421 Misdirected Request\r\n"),
                "{host:?} {path}: {answer}"
            );
            assert!(
                !answer.contains("Pipeline CRM"),
                "{host:?} {path}: {answer}"
            );
        }
    }
}

fn signal(child: &Child, sig: i32) {
    let pid = i32::try_from(child.id()).unwrap();
    #[allow(unsafe_code)]
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    let sent = unsafe { libc::kill(pid, sig) };
    assert_eq!(sent, 0, "kill {pid}");
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "ropa serve did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The files of `dir`, relative and `/`-separated, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    out.sort();
    out
}

/// Issue 20: the preview renders each file when asked, from memory: it
/// writes nothing (TMPDIR stays empty while it serves, a page has been
/// edited and it stops), and it stops with 128 + the signal on Ctrl-C
/// (SIGINT) and SIGTERM. Each run has its own TMPDIR, so other tests'
/// servers do not count.
#[test]
fn preview_writes_nothing_and_stops_on_sigint_and_sigterm() {
    let reg_dir = tempfile::tempdir().unwrap();
    let reg = reg_dir.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    for (sig, name) in [(libc::SIGINT, "SIGINT"), (libc::SIGTERM, "SIGTERM")] {
        let tmp = tempfile::tempdir().unwrap();
        let mut server = spawn(serve_command(&reg, Some(tmp.path())));
        let (status, page) = get(&server.addr, "/processors/crm.html");
        assert_eq!(status, 200);
        assert!(page.contains("Pipeline CRM"));
        let v0 = version(&server.addr);
        let file = reg.join("processors/crm.toml");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(
            &file,
            text.replacen("Pipeline CRM", "Pipeline CRM (edited)", 1),
        )
        .unwrap();
        wait_for_rebuild(&server.addr, &v0.to_string());
        let (_, page) = get(&server.addr, "/processors/crm.html");
        assert!(
            page.contains("Pipeline CRM (edited)"),
            "the page shows the edit"
        );
        std::fs::write(&file, &text).unwrap();
        assert_eq!(
            files_under(tmp.path()),
            Vec::<String>::new(),
            "written while serving"
        );

        signal(&server.child, sig);
        let status = wait_exit(&mut server.child, Duration::from_secs(15));
        assert_eq!(status.code(), Some(128 + sig), "after {name}: {status:?}");
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        assert!(left.is_empty(), "after {name}, left behind: {left:?}");
    }
}

/// The preview's own script and stylesheet, which it adds to every page.
const INJECTED: &str = "<link rel=\"stylesheet\" href=\"/__ropa/live.css\"><script src=\"/__ropa/live.js\" defer></script>";

/// Issue 20: the preview renders each file on its own, but every file it
/// serves is byte for byte the one `ropa build --no-history` writes (but
/// for its script in the pages): the example registry with its pictures,
/// and valid-saas with a `[site] extra` folder. A folder's URL serves its
/// index.html; a path the site lacks, its 404 page with status 404.
#[test]
fn every_file_served_is_the_one_a_build_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let saas = registry_with_extra(tmp.path(), "public");
    std::fs::create_dir_all(saas.join("public/docs")).unwrap();
    std::fs::write(saas.join("public/CNAME"), "ropa.nordlys.example\n").unwrap();
    std::fs::write(saas.join("public/docs/notice.txt"), "A notice.\n").unwrap();
    for registry in [manifest_dir().join("registry"), saas] {
        let out = tmp.path().join("site");
        let built = ropa_command()
            .args([
                "build",
                "--no-history",
                "--as-of",
                AS_OF,
                "--quiet",
                "--registry",
            ])
            .arg(&registry)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            built.status.success(),
            "{}",
            String::from_utf8_lossy(&built.stderr)
        );
        let server = start(&registry);
        let files: Vec<String> = files_under(&out)
            .into_iter()
            .filter(|f| f != ".ropa-site")
            .collect();
        assert!(files.len() > 20, "{files:?}");
        assert!(files.iter().any(|f| f.starts_with("activities/")));
        for rel in &files {
            let (status, body) = get(&server.addr, &format!("/{rel}"));
            assert_eq!(status, 200, "{}: /{rel}", registry.display());
            let written =
                String::from_utf8_lossy(&std::fs::read(out.join(rel)).unwrap()).into_owned();
            let served = match rel.ends_with(".html") {
                true => {
                    assert_eq!(body.matches(INJECTED).count(), 1, "/{rel}");
                    body.replacen(INJECTED, "", 1)
                }
                false => body,
            };
            assert!(
                served == written,
                "{}: /{rel} differs from the build's",
                registry.display()
            );
        }
        let index = |rel: &str| std::fs::read_to_string(out.join(rel)).unwrap();
        for (url, rel) in [
            ("/", "index.html"),
            ("/processors/", "processors/index.html"),
            ("/processors", "processors/index.html"),
        ] {
            let (status, body) = get(&server.addr, url);
            assert_eq!(
                (status, body.replacen(INJECTED, "", 1)),
                (200, index(rel)),
                "{url}"
            );
        }
        for missing in [
            "/nothing.html",
            "/activities/nothing.html",
            "/../organisation.toml",
            "/organisation.toml",
        ] {
            let (status, body) = get(&server.addr, missing);
            assert_eq!(
                (status, body.replacen(INJECTED, "", 1)),
                (404, index("404.html")),
                "{missing}"
            );
        }
        drop(server);
        std::fs::remove_dir_all(&out).unwrap();
    }
}

/// The `[site] extra` files are the site's as its check found them, as a
/// build copies them: while the registry has errors the last good site
/// keeps its extra files too, however they change meanwhile (a file
/// replaced, even by a link out of the registry); the next good check
/// shows the new ones.
#[test]
fn extra_files_are_those_of_the_last_good_check() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = registry_with_extra(tmp.path(), "public");
    std::fs::create_dir_all(reg.join("public")).unwrap();
    std::fs::write(reg.join("public/notice.txt"), "first\n").unwrap();
    std::fs::write(tmp.path().join("secret.txt"), "secret\n").unwrap();
    let server = start(&reg);
    assert_eq!(
        get(&server.addr, "/notice.txt"),
        (200, "first\n".to_string())
    );
    let crm = reg.join("processors/crm.toml");
    let text = std::fs::read_to_string(&crm).unwrap();
    let v0 = version(&server.addr);
    std::fs::write(&crm, "name = [").unwrap();
    std::fs::remove_file(reg.join("public/notice.txt")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), reg.join("public/notice.txt"))
        .unwrap();
    let v1 = wait_for_rebuild(&server.addr, &v0.to_string());
    let (status, page) = get(&server.addr, "/");
    assert_eq!(status, 200);
    assert!(
        page.contains("ropa-serve-errors"),
        "the banner shows the error"
    );
    assert_eq!(
        get(&server.addr, "/notice.txt"),
        (200, "first\n".to_string())
    );
    std::fs::remove_file(reg.join("public/notice.txt")).unwrap();
    std::fs::write(reg.join("public/notice.txt"), "second\n").unwrap();
    std::fs::write(&crm, &text).unwrap();
    let mut v = v1;
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&server.addr, "/notice.txt").1 != "second\n" {
        assert!(
            Instant::now() < deadline,
            "the fixed registry's extra file is not served"
        );
        v = wait_for_rebuild(&server.addr, &v);
    }
    let (_, page) = get(&server.addr, "/");
    assert!(!page.contains("ropa-serve-errors"));
}

/// Issue 19: a local user who pre-creates links at the names earlier
/// versions used (`ropa-serve-<pid>` and its staging folder) gets nothing:
/// the site is not written through them and their page is not served. The
/// pid is known before `ropa serve` starts: the shell that waits for the
/// links to be made becomes `ropa serve` (exec keeps the pid).
#[test]
fn links_at_the_old_predictable_names_are_never_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let tmpdir = tmp.path().join("tmp");
    let attacker = tmp.path().join("attacker");
    let attacker_staging = tmp.path().join("attacker-staging");
    std::fs::create_dir_all(&tmpdir).unwrap();
    std::fs::create_dir_all(&attacker).unwrap();
    std::fs::create_dir_all(&attacker_staging).unwrap();
    std::fs::write(attacker.join(".ropa-site"), "").unwrap();
    std::fs::write(attacker.join("index.html"), "ATTACKER PAGE").unwrap();

    let ropa = serve_command(&reg, Some(&tmpdir));
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg("read go && exec \"$0\" \"$@\"")
        .arg(ropa.get_program())
        .args(ropa.get_args())
        .envs(ropa.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .stdin(Stdio::piped());
    c.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let pid = child.id();
    std::os::unix::fs::symlink(&attacker, tmpdir.join(format!("ropa-serve-{pid}"))).unwrap();
    std::os::unix::fs::symlink(
        &attacker_staging,
        tmpdir.join(format!(".ropa-serve-{pid}.ropa-tmp-{pid}")),
    )
    .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"go\n").unwrap();
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
    let server = Server { child, addr };

    let (status, page) = get(&server.addr, "/");
    assert_eq!(status, 200);
    assert!(!page.contains("ATTACKER"), "the attacker's page is served");
    let (status, _) = get(&server.addr, "/processors/crm.html");
    assert_eq!(status, 200);
    let listing = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(listing(&attacker), [".ropa-site", "index.html"]);
    assert_eq!(
        std::fs::read_to_string(attacker.join("index.html")).unwrap(),
        "ATTACKER PAGE"
    );
    assert!(
        listing(&attacker_staging).is_empty(),
        "{:?}",
        listing(&attacker_staging)
    );
    for link in [
        format!("ropa-serve-{pid}"),
        format!(".ropa-serve-{pid}.ropa-tmp-{pid}"),
    ] {
        let meta = std::fs::symlink_metadata(tmpdir.join(&link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} was replaced");
    }
    drop(server);
}

/// Writes one byte to each of `streams` every `every` until `stop`.
fn trickle(
    mut streams: Vec<TcpStream>,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            for s in &mut streams {
                let _ = s.write_all(b"a");
            }
            let until = Instant::now() + every;
            while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    })
}

/// Asks for `/__ropa/version` and checks it is answered, and soon.
fn answered_soon(addr: &str) {
    let started = Instant::now();
    let (status, body) = get(addr, "/__ropa/version");
    let took = started.elapsed();
    assert_eq!(status, 200, "no answer (after {took:?})");
    assert!(body.trim().parse::<u64>().is_ok(), "{body}");
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
}

/// Issue 19: 64 clients (as many as there are slots) that trickle their
/// request heads one byte a second hold up no one: a request that comes
/// after them is answered within seconds.
#[test]
fn trickling_clients_do_not_hold_every_slot() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let server = start(&reg);
    let addr = server.addr.as_str();
    let slow: Vec<TcpStream> = (0..64)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nX-Slow: ").unwrap();
            s
        })
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let trickler = trickle(slow, Duration::from_secs(1), stop.clone());
    std::thread::sleep(Duration::from_millis(500));
    for _ in 0..3 {
        answered_soon(addr);
    }
    stop.store(true, Ordering::Relaxed);
    trickler.join().unwrap();
}

/// Issue 19: with every slot taken by clients that stall, a client that
/// keeps sending (and never reads) froze the accept loop while it was
/// refused; the request after it is answered all the same.
#[test]
fn a_client_that_keeps_sending_blocks_no_one() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let server = start(&reg);
    let addr = server.addr.as_str();
    let stalled: Vec<TcpStream> = (0..64).map(|_| TcpStream::connect(addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let pest = TcpStream::connect(addr).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let pester = trickle(vec![pest], Duration::from_millis(200), stop.clone());
    std::thread::sleep(Duration::from_millis(500));
    answered_soon(addr);
    answered_soon(addr);
    stop.store(true, Ordering::Relaxed);
    pester.join().unwrap();
    drop(stalled);
}

/// A connection to `addr` whose receive buffer is only 4 KiB, so that a
/// large answer it never reads stalls at once.
fn connect_small_window(addr: &str) -> TcpStream {
    use rustix::net::{AddressFamily, SocketType, connect, socket, sockopt};
    let addr: std::net::SocketAddr = addr.parse().unwrap();
    let fd = socket(AddressFamily::INET, SocketType::STREAM, None).unwrap();
    sockopt::set_socket_recv_buffer_size(&fd, 4096).unwrap();
    connect(&fd, &addr).unwrap();
    TcpStream::from(fd)
}

/// Issue 19: 64 clients (as many as there are slots) that ask for a large
/// file and never read it held every slot while their answers were being
/// written, and every other request got 503 for up to 20 s. The writer
/// that has stalled longest is now closed to make room: a request that
/// comes after them is answered within seconds.
#[test]
fn clients_that_never_read_their_answer_do_not_hold_every_slot() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let crm = reg.join("processors/crm.toml");
    let text = std::fs::read_to_string(&crm).unwrap();
    let big = format!("description = \"{}\"", "word ".repeat(1_200_000));
    let text = text
        .lines()
        .map(|l| {
            if l.starts_with("description = ") {
                big.as_str()
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&crm, text).unwrap();
    let server = start(&reg);
    let addr = server.addr.as_str();
    let (status, record) = get(addr, "/ropa.json");
    assert_eq!(status, 200);
    assert!(record.len() > 5_000_000, "{}", record.len());

    let readers: Vec<TcpStream> = (0..64)
        .map(|_| {
            let mut s = connect_small_window(addr);
            write!(s, "GET /ropa.json HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    // Answered within seconds (a 503 meanwhile is retried), not after the
    // 20 s the stalled answers may take.
    let started = Instant::now();
    loop {
        let (status, body) = get(addr, "/__ropa/version");
        let took = started.elapsed();
        if status == 200 {
            assert!(body.trim().parse::<u64>().is_ok(), "{body}");
            break;
        }
        assert_eq!(status, 503, "after {took:?}");
        assert!(
            took < Duration::from_secs(8),
            "still refused after {took:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    for _ in 0..3 {
        answered_soon(addr);
    }
    drop(readers);
}

/// Issue 19: the whole request head must arrive within 10 seconds, however
/// steadily it trickles (a timeout per read let one byte every few seconds
/// keep a connection for hours).
#[test]
fn a_request_head_must_arrive_within_a_deadline() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let server = start(&reg);
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nX-Slow: ").unwrap();
    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let trickler = trickle(
        vec![s.try_clone().unwrap()],
        Duration::from_millis(500),
        stop.clone(),
    );
    s.set_read_timeout(Some(Duration::from_secs(25))).unwrap();
    let mut buf = [0u8; 256];
    let closed = match s.read(&mut buf) {
        Ok(n) => n == 0,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    };
    let took = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    trickler.join().unwrap();
    assert!(closed, "still open after {took:?}");
    assert!(took < Duration::from_secs(20), "closed after {took:?}");
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

/// Issue 15: while the registry has errors, the banner's summary line
/// counts the warnings as the terminal's does (it shows the errors only);
/// with `--quiet` the terminal too shows the errors and the summary only.
#[test]
fn banner_counts_warnings_as_the_terminal_does() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("warnings-only"), &reg);
    let server = start(&reg);
    let (_, v0) = get(&server.addr, "/__ropa/version");
    std::fs::write(reg.join("processors/broken.toml"), "name = \"Broken\"\n").unwrap();
    wait_for_rebuild(&server.addr, &v0);
    let (_, page) = get(&server.addr, "/index.html");
    assert!(page.contains("ropa-serve-errors"), "no error banner");
    let terminal = check(&reg, "human", &[]);
    let summary = terminal.stdout.lines().last().unwrap();
    assert!(
        summary.starts_with("1 error, ") && !summary.contains(" 0 warnings"),
        "{summary}"
    );
    assert!(page.contains(summary), "the banner should say `{summary}`");
    assert!(
        !page.contains("warning["),
        "the banner shows the errors only"
    );
    drop(server);

    // --quiet: what the terminal shows before the preview starts.
    let mut c = serve_command(&reg, None);
    c.arg("--quiet")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        let serving = line.starts_with("serving http://");
        lines.push(line);
        if serving {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = lines.join("\n");
    assert!(text.contains("error[schema]"), "{text}");
    assert!(text.contains(summary), "{text}");
    assert!(!text.contains("warning["), "{text}");
}

/// The version the preview serves now, as a number.
fn version(addr: &str) -> u64 {
    get(addr, "/__ropa/version").1.trim().parse().unwrap()
}

/// Replaces `from` by `to` in `file`.
fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{}", file.display());
    std::fs::write(file, text.replace(from, to)).unwrap();
}

/// Issue 20: the preview notices changes through the system; an edit to
/// an activity is one rebuild.
#[test]
fn editing_an_activity_rebuilds() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let server = start(&reg);
    let (_, v0) = get(&server.addr, "/__ropa/version");
    edit(
        &reg.join("activities/marketing/newsletter.toml"),
        "name = \"Newsletter\"",
        "name = \"Monthly letter\"",
    );
    wait_for_rebuild(&server.addr, &v0);
    let (status, page) = get(&server.addr, "/activities/newsletter.html");
    assert_eq!(status, 200);
    assert!(page.contains("Monthly letter"), "the change is not served");
}

/// Issue 20: only files the loader reads rebuild. A README, `.git/`, an
/// editor's swap and backup files do not; an activity edit after them is
/// the one rebuild (had they rebuilt, however late, the count would say).
#[test]
fn files_the_loader_does_not_read_do_not_rebuild() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    std::fs::create_dir_all(reg.join(".git")).unwrap();
    let server = start(&reg);
    let v0 = version(&server.addr);
    std::fs::write(reg.join("README.md"), "# Our record\n").unwrap();
    std::fs::write(reg.join(".git/index"), "DIRC").unwrap();
    std::fs::create_dir_all(reg.join(".git/objects/ab")).unwrap();
    std::fs::write(reg.join(".git/objects/ab/cdef.toml"), "x").unwrap();
    let marketing = reg.join("activities/marketing");
    std::fs::write(marketing.join(".newsletter.toml.swp"), "swap").unwrap();
    std::fs::write(marketing.join("newsletter.toml~"), "backup").unwrap();
    std::fs::remove_file(marketing.join("newsletter.toml~")).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(version(&server.addr), v0, "a file the loader skips rebuilt");

    edit(
        &marketing.join("newsletter.toml"),
        "name = \"Newsletter\"",
        "name = \"Monthly letter\"",
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, page) = get(&server.addr, "/activities/newsletter.html");
        if page.contains("Monthly letter") {
            break;
        }
        assert!(Instant::now() < deadline, "no rebuild after the edit");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        version(&server.addr),
        v0 + 1,
        "only the activity's edit should have rebuilt"
    );
}

/// Issue 20: a deleted activity is a change: its page is gone (or, were it
/// referenced, the banner names what is missing).
#[test]
fn deleting_an_activity_rebuilds() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let server = start(&reg);
    let (status, _) = get(&server.addr, "/activities/newsletter.html");
    assert_eq!(status, 200);
    let (_, v0) = get(&server.addr, "/__ropa/version");
    std::fs::remove_file(reg.join("activities/marketing/newsletter.toml")).unwrap();
    wait_for_rebuild(&server.addr, &v0);
    let (status, page) = get(&server.addr, "/activities/newsletter.html");
    assert!(
        status == 404 || page.contains("ropa-serve-errors"),
        "the deleted activity is still served without a banner ({status})"
    );

    // A processor an activity relies on: the banner says it is missing.
    let (_, v1) = get(&server.addr, "/__ropa/version");
    std::fs::remove_file(reg.join("processors/crm.toml")).unwrap();
    wait_for_rebuild(&server.addr, &v1);
    let (_, page) = get(&server.addr, "/index.html");
    assert!(page.contains("ropa-serve-errors"), "no error banner");
    assert!(
        page.contains("crm"),
        "the banner names the missing processor"
    );
}

/// Issue 20: renaming an activity, its folder, or moving a folder of
/// activities out of the registry is a change.
#[test]
fn renaming_an_activity_or_its_folder_rebuilds() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let server = start(&reg);
    let addr = server.addr.as_str();

    let (_, v0) = get(addr, "/__ropa/version");
    let hr = reg.join("activities/hr");
    std::fs::rename(
        hr.join("recruitment-2024.toml"),
        hr.join("recruitment.toml"),
    )
    .unwrap();
    let v1 = wait_for_rebuild(addr, &v0);
    assert_eq!(get(addr, "/activities/recruitment.html").0, 200);
    assert_eq!(get(addr, "/activities/recruitment-2024.html").0, 404);

    std::fs::rename(&hr, reg.join("activities/people")).unwrap();
    let v2 = wait_for_rebuild(addr, &v1);
    assert_eq!(get(addr, "/activities/recruitment.html").0, 200);

    // Out of the registry: only the folder's own name is seen to go.
    std::fs::rename(
        reg.join("activities/marketing"),
        tmp.path().join("marketing"),
    )
    .unwrap();
    wait_for_rebuild(addr, &v2);
    assert_eq!(get(addr, "/activities/newsletter.html").0, 404);
}
