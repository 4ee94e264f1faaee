//! How long after a save does the open page of `ropa serve` show it?
//!
//!     cargo run --release --example preview_latency -- [--saves N] [--gap-ms MS] \
//!         LABEL=ROPA:REGISTRY [LABEL=ROPA:REGISTRY ...]
//!
//! Starts `ROPA serve --registry REGISTRY --port 0 --as-of 2026-11-01
//! --quiet` for each pair (give each its own copy of the registry), waits
//! for the first build, then saves the first activity file (in sorted
//! order) N times (default 20) with a new `name`, each server in turn, so
//! that the machine's drift falls on all of them alike. After each save it
//! behaves as the page's own script does: it asks `/__ropa/version` at the
//! interval the served `live.js` polls at, and when the version changes it
//! fetches the activity's page, as the reload does. It prints, per save,
//! when the server first served the new page (`ready`, asked every 10
//! ms by a second client) and when the simulated browser had it (`seen`),
//! then the median, the 95th percentile (nearest rank) and the largest of
//! each. The file is restored at the end. See bench/preview.sh.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long one save may take to show before the run gives up.
const GIVE_UP: Duration = Duration::from_secs(60);

struct Server {
    label: String,
    child: Child,
    port: u16,
    file: PathBuf,
    page: String,
    original: String,
    ready: Vec<f64>,
    seen: Vec<f64>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.file, &self.original);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GET `path` from 127.0.0.1:`port`: the status and the body.
fn get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((status, body))
}

fn first_activity(registry: &Path) -> Option<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&registry.join("activities"), &mut files);
    files.sort();
    files.into_iter().next()
}

fn start(label: &str, ropa: &str, registry: &Path) -> Result<Server, String> {
    let file = first_activity(registry)
        .ok_or_else(|| format!("{}: no activity file", registry.display()))?;
    let id = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .ok_or("no file name")?;
    let original = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    let mut child = Command::new(ropa)
        .args(["serve", "--port", "0", "--as-of", "2026-11-01", "--quiet"])
        .arg("--registry")
        .arg(registry)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{ropa}: {e}"))?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("serving http://127.0.0.1:").nth(1) {
                let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let _ = tx.send(port.parse::<u16>().ok());
            }
        }
    });
    let mut server = Server {
        label: label.to_string(),
        child,
        port: 0,
        file,
        page: format!("/activities/{id}.html"),
        original,
        ready: Vec::new(),
        seen: Vec::new(),
    };
    server.port = rx
        .recv_timeout(GIVE_UP)
        .ok()
        .flatten()
        .ok_or_else(|| format!("{label}: the server did not say where it listens"))?;
    Ok(server)
}

/// The interval the served page script polls `/__ropa/version` at.
fn poll_interval(port: u16) -> Result<Duration, String> {
    let (_, js) = get(port, "/__ropa/live.js").map_err(|e| e.to_string())?;
    js.split("setTimeout(poll, ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|ms| ms.trim().parse().ok())
        .map(Duration::from_millis)
        .ok_or_else(|| "live.js has no `setTimeout(poll, N)`".to_string())
}

/// One save: writes the file with `name` changed, then waits as the page
/// and the server would. `(ready, seen)` in milliseconds.
fn save(s: &Server, n: usize, interval: Duration) -> Result<(f64, f64), String> {
    let mark = format!("edit {n} of the preview benchmark");
    let text: String = s
        .original
        .lines()
        .map(|l| match l.starts_with("name = ") {
            true => format!("name = \"{mark}\"\n"),
            false => format!("{l}\n"),
        })
        .collect();
    let (_, mut before) = get(s.port, "/__ropa/version").map_err(|e| e.to_string())?;
    // The browser's phase against the save is anyone's: it last polled at
    // some point within the interval before.
    let port = s.port;
    let page = s.page.clone();
    let wanted = mark.clone();
    let t0 = Instant::now();
    std::fs::write(&s.file, text).map_err(|e| e.to_string())?;
    let ready = std::thread::spawn(move || -> Option<f64> {
        while t0.elapsed() < GIVE_UP {
            if let Ok((200, body)) = get(port, &page)
                && body.contains(&wanted)
            {
                return Some(t0.elapsed().as_secs_f64() * 1000.0);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    });
    let phase = Duration::from_millis((n as u64 * 7919) % (interval.as_millis().max(1) as u64));
    std::thread::sleep(phase);
    let seen = loop {
        if t0.elapsed() > GIVE_UP {
            return Err(format!("{}: save {n} not seen in {GIVE_UP:?}", s.label));
        }
        let (_, v) = get(s.port, "/__ropa/version").map_err(|e| e.to_string())?;
        if v != before {
            let (status, body) = get(s.port, &s.page).map_err(|e| e.to_string())?;
            if status == 200 && body.contains(&mark) {
                break t0.elapsed().as_secs_f64() * 1000.0;
            }
            // A build of a half-written file (errors, the last good site
            // under a banner): the reloaded page polls on.
            before = v;
        }
        std::thread::sleep(interval);
    };
    let ready = ready
        .join()
        .ok()
        .flatten()
        .ok_or_else(|| format!("{}: save {n} never served", s.label))?;
    Ok((ready, seen))
}

fn summary(v: &[f64]) -> String {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return "-".into();
    }
    let median = if v.len() % 2 == 1 {
        v[v.len() / 2]
    } else {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    };
    // Nearest rank: the smallest value at or above 95% of the saves.
    let rank = (0.95 * v.len() as f64).ceil() as usize;
    let p95 = v[rank.clamp(1, v.len()) - 1];
    format!(
        "median {median:7.1} ms  p95 {p95:7.1} ms  max {:7.1} ms",
        v[v.len() - 1]
    )
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (mut saves, mut gap) = (20usize, 1500u64);
    let mut specs = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--saves" => {
                saves = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--saves N")?
            }
            "--gap-ms" => {
                gap = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--gap-ms MS")?
            }
            _ => specs.push(a),
        }
    }
    if specs.is_empty() {
        return Err(
            "usage: preview_latency [--saves N] [--gap-ms MS] LABEL=ROPA:REGISTRY...".into(),
        );
    }
    let mut servers = Vec::new();
    for spec in &specs {
        let (label, rest) = spec.split_once('=').ok_or("LABEL=ROPA:REGISTRY")?;
        let (ropa, registry) = rest.split_once(':').ok_or("LABEL=ROPA:REGISTRY")?;
        servers.push(start(label, ropa, Path::new(registry))?);
    }
    // The first build of each, done when its page is served.
    for s in &servers {
        let t0 = Instant::now();
        while !matches!(get(s.port, &s.page), Ok((200, _))) {
            if t0.elapsed() > GIVE_UP {
                return Err(format!("{}: the first build did not finish", s.label));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let interval = poll_interval(servers[0].port)?;
    println!(
        "{} saves each of {}, {} ms apart; the page polls every {} ms",
        saves,
        servers[0].page,
        gap,
        interval.as_millis()
    );
    for n in 1..=saves {
        for s in servers.iter_mut() {
            std::thread::sleep(Duration::from_millis(gap));
            let (ready, seen) = save(s, n, interval)?;
            println!(
                "save {n:2} {:<12} ready {ready:7.1} ms  seen {seen:7.1} ms",
                s.label
            );
            s.ready.push(ready);
            s.seen.push(seen);
        }
    }
    println!();
    for s in &servers {
        println!("{:<12} ready: {}", s.label, summary(&s.ready));
        println!("{:<12} seen:  {}", s.label, summary(&s.seen));
    }
    Ok(())
}
