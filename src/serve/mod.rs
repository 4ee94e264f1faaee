//! `ropa serve`: a live preview of the site while the registry is edited.
//!
//! Checks the registry, then serves its site over HTTP on 127.0.0.1
//! (another address only with `--bind`), rendering each file when it is
//! asked for (`render::Preview`): after a save, the open page is rendered
//! again, not the whole site, and nothing is written to disk. It watches
//! the registry (`watch`) and checks it again when a file the loader reads
//! changes. Open pages reload themselves: the server adds one script of
//! its own (same origin, so the site's Content Security Policy allows it)
//! that polls `/__ropa/version`. While the registry has errors, the
//! terminal shows the diagnostics and every page shows them in a banner,
//! above the last good site, so stale content is never silent.

mod http;
mod watch;

use std::net::{IpAddr, TcpListener};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

use crate::diag::{render_human, render_human_errors};
use crate::load::{self, Loaded};
use crate::model::Date;
use crate::pipeline::{self, Previewed};
use crate::render::Preview;
use crate::timing::timed;
use http::{Request, Response};

/// What the pages show about the latest check.
#[derive(Default)]
struct State {
    /// Bumped on every check (good or not); pages reload when it changes.
    version: u64,
    /// The errors of the latest check, as text; empty when it passed.
    errors: String,
    /// Where the latest good site answers; none before the first.
    site: Option<mpsc::Sender<Ask>>,
}

/// A file of the site asked for, and where its answer goes.
struct Ask {
    /// Relative to the site, `/`-separated (`index.html`, `processors/`).
    rel: String,
    answer: mpsc::Sender<Answer>,
}

enum Answer {
    /// The file and its path (a folder's `index.html`).
    File(String, Vec<u8>),
    /// No such file: the site's 404 page.
    Missing(Vec<u8>),
    /// Rendering failed.
    Failed(String),
}

/// Options of `ropa serve`.
pub struct ServeOptions {
    pub registry: PathBuf,
    pub bind: String,
    pub port: u16,
    pub as_of: Date,
    /// `--quiet`: the terminal shows the errors only, and the summary.
    pub quiet: bool,
    /// Written once the server listens (the URL), and after each check.
    pub log: fn(&str),
}

/// Loads and checks the registry again and, when it has no errors, puts
/// its site in place of the last one; tells `relevant` what the load read.
/// Only the files whose text changed since the last load are decoded
/// again (`cache`). Returns once the outcome is published (the site is
/// answering, or the banner shows the errors).
fn rebuild(
    opts: &ServeOptions,
    state: &Arc<Mutex<State>>,
    relevant: &mut watch::Relevant,
    cache: &mut load::Cache,
) {
    let loaded = match timed("load", || load::load_cached(&opts.registry, cache)) {
        Ok(loaded) => loaded,
        Err(e) => return publish(opts.log, state, format!("error: {e}\n"), None),
    };
    let extra = loaded
        .registry
        .organisation
        .as_ref()
        .and_then(|o| o.site.as_ref())
        .and_then(|s| s.extra.as_ref());
    relevant.learn(&loaded.sources, extra.map(|e| e.value.as_str()));
    let (done, published) = mpsc::channel();
    let site = Site {
        registry: opts.registry.clone(),
        as_of: opts.as_of,
        quiet: opts.quiet,
        log: opts.log,
        state: state.clone(),
        done,
    };
    // The site borrows the registry it was made from: both live on the
    // thread that answers for them, until a newer site replaces it.
    let started = std::thread::Builder::new()
        .name("ropa-serve-site".into())
        .spawn(move || site.run(loaded));
    match started {
        Ok(_) => {
            if published.recv().is_err() {
                // The thread ended before it published: a bug, not the
                // registry's fault; say so rather than show nothing.
                publish(
                    opts.log,
                    state,
                    "error: the check of the registry stopped unexpectedly (a bug in ropa: please report it)\n".into(),
                    None,
                );
            }
        }
        Err(e) => publish(
            opts.log,
            state,
            format!("error: cannot start the site's thread: {e}\n"),
            None,
        ),
    }
}

/// One check of the registry and, when it passed, the site it gives.
struct Site {
    registry: PathBuf,
    as_of: Date,
    quiet: bool,
    log: fn(&str),
    state: Arc<Mutex<State>>,
    /// Told once the outcome is published.
    done: mpsc::Sender<()>,
}

impl Site {
    fn run(self, loaded: Loaded) {
        // The banner shows the errors only: the warnings are in the terminal.
        // Its summary line counts them all, as the terminal's does.
        let mut banner = String::new();
        let outcome = pipeline::preview(
            &loaded,
            &self.registry,
            self.as_of,
            |checked| {
                let errors = render_human_errors(&checked.diagnostics, checked.sources, false);
                let text = match self.quiet {
                    true => errors.clone(),
                    false => render_human(&checked.diagnostics, checked.sources, false),
                };
                if !text.is_empty() {
                    (self.log)(&text);
                }
                if checked.has_errors() {
                    banner = errors;
                }
            },
            |site| {
                let (asks, asked) = mpsc::channel();
                publish(self.log, &self.state, String::new(), Some(asks));
                let _ = self.done.send(());
                // Answers, in parallel, until a newer site takes its place
                // (and the last request holding this one's sender is done).
                rayon::in_place_scope(|scope| {
                    for ask in asked {
                        scope.spawn(move |_| {
                            let _ = ask.answer.send(answer(site, &ask.rel));
                        });
                    }
                });
            },
        );
        match outcome {
            Previewed::Shown(()) => {}
            Previewed::RegistryHasErrors => publish(self.log, &self.state, banner, None),
            Previewed::RenderFailed(e) => {
                publish(self.log, &self.state, format!("error: {e}\n"), None)
            }
        }
        let _ = self.done.send(());
    }
}

/// The file of `site` at `rel`, or a folder's `index.html`.
fn answer(site: &Preview, rel: &str) -> Answer {
    let folder = rel.is_empty() || rel.ends_with('/');
    let file = match folder {
        true => None,
        false => site.file(rel).map(|f| (rel.to_string(), f)),
    };
    let found = file.or_else(|| {
        let index = match folder {
            true => format!("{rel}index.html"),
            false => format!("{rel}/index.html"),
        };
        site.file(&index).map(|f| (index, f))
    });
    match found {
        Some((path, Ok(bytes))) => Answer::File(path, bytes),
        Some((_, Err(e))) => Answer::Failed(format!("error: {e}\n")),
        None => match site.not_found() {
            Ok(page) => Answer::Missing(page),
            Err(e) => Answer::Failed(format!("error: {e}\n")),
        },
    }
}

/// Publishes the outcome of a check: `errors` for the banner (none when
/// it passed) and, when it passed, where its site answers.
fn publish(log: fn(&str), state: &Mutex<State>, errors: String, site: Option<mpsc::Sender<Ask>>) {
    if errors.is_empty() {
        log("rebuilt the site");
    } else {
        log("the registry has errors: the pages show the last good build, with a banner");
    }
    if let Ok(mut s) = state.lock() {
        s.version += 1;
        s.errors = errors;
        if site.is_some() {
            // The last site's sender dropped: its thread ends once the
            // requests it is answering are done.
            s.site = site;
        }
    }
}

/// The path of the site's file (relative, `/`-separated) that the request
/// path `url` names, or `None` when the path could leave the site (`..`,
/// absolute parts, backslashes, NUL, encoded separators).
fn site_path(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let rel = decoded.trim_start_matches('/');
    let mut parts = Vec::new();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(part) => parts.push(part.to_str()?),
            Component::CurDir => {}
            // `..`, a root or a prefix: refused, not normalised away.
            _ => return None,
        }
    }
    let mut out = parts.join("/");
    if rel.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// `%XX` decoding; `None` for a malformed escape or text that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

const LIVE_JS: &str = r#"// ropa serve: reload the page when the site is rebuilt.
(function () {
  var seen = null;
  function poll() {
    fetch("/__ropa/version", { cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (v) {
        if (seen === null) { seen = v; } else if (v !== seen) { location.reload(); return; }
        setTimeout(poll, 100);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
"#;

const LIVE_CSS: &str = ".ropa-serve-errors{background:#fff0f0;color:#5a0000;border-bottom:3px solid #c00;padding:1rem;margin:0;font:14px/1.4 monospace;white-space:pre-wrap;overflow:auto;max-height:50vh}\n.ropa-serve-errors strong{font-family:sans-serif}\n";

/// An HTML page of the site with the preview's script, stylesheet and,
/// while the registry has errors, the banner.
fn inject(html: &str, errors: &str) -> String {
    let head = "<link rel=\"stylesheet\" href=\"/__ropa/live.css\"><script src=\"/__ropa/live.js\" defer></script>";
    let mut out = match html.find("</head>") {
        Some(i) => format!("{}{head}{}", &html[..i], &html[i..]),
        None => format!("{head}{html}"),
    };
    if !errors.is_empty() {
        let banner = format!(
            "<pre class=\"ropa-serve-errors\" role=\"alert\"><strong>The registry has errors; this is the last good build.</strong>\n{}</pre>",
            crate::markdown::escaped(errors)
        );
        match out.find("<body>") {
            Some(i) => out.insert_str(i + "<body>".len(), &banner),
            None => out.insert_str(0, &banner),
        }
    }
    out
}

fn error_page(errors: &str) -> String {
    let page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ropa serve: errors</title></head><body>\
        <h1>The registry has errors</h1><p>Nothing has been built yet. Fix these and save:</p></body></html>";
    inject(page, errors)
}

fn content_type(path: &str) -> &'static str {
    match Path::new(path).extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// The answer to one request: the preview's own files, the site's files
/// (HTML with the preview's script and, while the registry has errors, the
/// banner), or a refusal.
fn handle(request: &Request, state: &Mutex<State>) -> Response {
    let (version, errors, site) = match state.lock() {
        Ok(s) => (s.version, s.errors.clone(), s.site.clone()),
        Err(_) => (0, String::new(), None),
    };
    if request.method != "GET" && request.method != "HEAD" {
        return Response::new(405, "text/plain", "only GET\n");
    }
    let url = request.target.as_str();
    match url.split('?').next().unwrap_or("") {
        "/__ropa/version" => return Response::new(200, "text/plain", version.to_string()),
        "/__ropa/live.js" => {
            return Response::new(200, "text/javascript; charset=utf-8", LIVE_JS);
        }
        "/__ropa/live.css" => return Response::new(200, "text/css; charset=utf-8", LIVE_CSS),
        _ => {}
    }
    let Some(site) = site else {
        return Response::new(503, "text/html; charset=utf-8", error_page(&errors));
    };
    let html = |status, bytes: Vec<u8>| {
        let page = String::from_utf8_lossy(&bytes).into_owned();
        Response::new(status, "text/html; charset=utf-8", inject(&page, &errors))
    };
    let rel = site_path(url);
    let (answer, answered) = mpsc::channel();
    // A path that could leave the site is answered with the site's 404 page.
    let asked = site.send(Ask {
        rel: rel.clone().unwrap_or_else(|| "404.html".into()),
        answer,
    });
    let answer = asked.ok().and_then(|()| answered.recv().ok());
    match (rel, answer) {
        (Some(_), Some(Answer::File(path, bytes))) => match content_type(&path) {
            ctype if ctype.starts_with("text/html") => html(200, bytes),
            ctype => Response::new(200, ctype, bytes),
        },
        (None, Some(Answer::File(_, page))) | (_, Some(Answer::Missing(page))) => html(404, page),
        (_, Some(Answer::Failed(e))) => Response::new(500, "text/plain; charset=utf-8", e),
        // No answer: its rendering ended without one (a bug in ropa).
        (_, None) => Response::new(
            500,
            "text/plain; charset=utf-8",
            "error: the page could not be rendered (a bug in ropa: please report it)\n",
        ),
    }
}

/// The signal that stopped the preview, once one has (Ctrl-C, SIGTERM).
/// The handler only sets a flag, read by the main loop; a second signal
/// while the first is being handled ends the process at once.
struct Signals {
    #[cfg(unix)]
    caught: Arc<std::sync::atomic::AtomicUsize>,
}

impl Signals {
    fn register() -> Result<Signals, String> {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGINT, SIGTERM};
            use std::sync::atomic::{AtomicBool, AtomicUsize};
            let caught = Arc::new(AtomicUsize::new(0));
            let twice = Arc::new(AtomicBool::new(false));
            for sig in [SIGINT, SIGTERM] {
                let code = 128 + sig;
                signal_hook::flag::register_conditional_shutdown(sig, code, twice.clone())
                    .and_then(|_| signal_hook::flag::register(sig, twice.clone()))
                    .and_then(|_| {
                        signal_hook::flag::register_usize(sig, caught.clone(), code as usize)
                    })
                    .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
            }
            Ok(Signals { caught })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The exit status for the signal caught (128 + its number), if any.
    fn caught(&self) -> Option<u8> {
        #[cfg(unix)]
        {
            let code = self.caught.load(std::sync::atomic::Ordering::Relaxed);
            u8::try_from(code).ok().filter(|&c| c != 0)
        }
        #[cfg(not(unix))]
        None
    }
}

/// The names a request may give in `Host` (issue 19). A page of another
/// site whose name its owner makes resolve to 127.0.0.1 (DNS rebinding)
/// is same-origin with the preview as far as the browser knows; but its
/// requests carry its own name in `Host`, and get 421.
struct Hosts {
    port: u16,
    /// `localhost`, `127.0.0.1`, `[::1]`, the bound address and `--bind` as
    /// given, lower case.
    names: Vec<String>,
    /// Bound to every address (`--bind 0.0.0.0`): the machine's addresses
    /// are not listed, so any IP address is accepted. An address, unlike a
    /// name, cannot be made to point elsewhere: a page at
    /// `http://192.168.1.5:8000/` is the preview itself.
    any_ip: bool,
}

impl Hosts {
    fn new(bind: &str, local: std::net::SocketAddr) -> Hosts {
        let literal = |ip: IpAddr| match ip {
            IpAddr::V6(v6) => format!("[{v6}]"),
            IpAddr::V4(v4) => v4.to_string(),
        };
        let bind = bind.to_ascii_lowercase();
        let bind = match bind.parse::<IpAddr>() {
            Ok(ip) => literal(ip),
            Err(_) => bind,
        };
        Hosts {
            port: local.port(),
            names: vec![
                "localhost".into(),
                "127.0.0.1".into(),
                "[::1]".into(),
                literal(local.ip()),
                bind,
            ],
            any_ip: local.ip().is_unspecified(),
        }
    }

    /// Whether `host` (a `Host` header) names the preview: one of the names
    /// with the port. Without a port only when the port is 80, which
    /// browsers leave out.
    fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let split = if host.starts_with('[') {
            host.find(']').map(|i| i + 1)
        } else {
            Some(host.rfind(':').unwrap_or(host.len()))
        };
        let Some(at) = split else {
            return false;
        };
        let (name, port) = host.split_at(at);
        let port_ok = match port.strip_prefix(':') {
            Some(p) => {
                !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse() == Ok(self.port)
            }
            None => port.is_empty() && self.port == 80,
        };
        let is_ip = || {
            name.parse::<std::net::Ipv4Addr>().is_ok()
                || name
                    .strip_prefix('[')
                    .and_then(|n| n.strip_suffix(']'))
                    .is_some_and(|n| n.parse::<std::net::Ipv6Addr>().is_ok())
        };
        port_ok && (self.names.iter().any(|n| n == name) || (self.any_ip && is_ip()))
    }

    /// `None` when `request` may be answered, else the 421 to send.
    fn check(&self, request: &Request) -> Option<Response> {
        match &request.host {
            Some(host) if self.allows(host) => None,
            // HTTP/1.0 need not send Host (browsers always do).
            None if !request.http11 => None,
            _ => Some(Response::new(
                421,
                "text/plain; charset=utf-8",
                format!(
                    "this preview answers only to http://localhost:{port}/ and http://127.0.0.1:{port}/ (or the address it is bound to); the request named another host\n",
                    port = self.port
                ),
            )),
        }
    }
}

/// How [`serve`] ended, when it did not fail.
pub enum Stopped {
    /// By a signal: exit with this status (128 + the signal's number).
    Signal(u8),
}

/// Runs the preview until the process is stopped. Returns when the server
/// cannot start, or after Ctrl-C or SIGTERM.
pub fn serve(opts: ServeOptions) -> Result<Stopped, String> {
    crate::load::registry_folder(&opts.registry).map_err(|e| e.to_string())?;
    let listener = TcpListener::bind((opts.bind.as_str(), opts.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.bind, opts.port))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.bind, opts.port))?;
    let hosts = Hosts::new(&opts.bind, local);
    let signals = Signals::register()?;
    let state = Arc::new(Mutex::new(State::default()));
    // Before the first check, so that no change after it is missed.
    let mut watch = watch::Watch::start(&opts.registry, opts.log);
    let mut cache = load::Cache::default();
    rebuild(&opts, &state, watch.relevant(), &mut cache);
    (opts.log)(&format!("serving http://{local}/ (Ctrl-C to stop)"));

    let handler = {
        let state = state.clone();
        Arc::new(move |request: &Request| {
            hosts
                .check(request)
                .unwrap_or_else(|| handle(request, &state))
        })
    };
    std::thread::Builder::new()
        .name("ropa-serve-accept".into())
        .spawn(move || http::run(listener, handler, http::Limits::DEFAULT))
        .map_err(|e| format!("cannot start the server thread: {e}"))?;
    loop {
        match watch.next_change(|| signals.caught()) {
            watch::Next::Changed => rebuild(&opts, &state, watch.relevant(), &mut cache),
            watch::Next::Stop(code) => return Ok(Stopped::Signal(code)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        for (url, rel) in [
            ("/", ""),
            ("/activities/a.html?x=1", "activities/a.html"),
            ("/activities/%61.html", "activities/a.html"),
            ("/processors/", "processors/"),
            ("/processors", "processors"),
            ("/./index.html#top", "index.html"),
            // Never outside the site, which is no folder: a file it lacks.
            ("//etc/passwd", "etc/passwd"),
        ] {
            assert_eq!(site_path(url).as_deref(), Some(rel), "{url}");
        }
        for bad in [
            "/../secret.txt",
            "/activities/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/..%5csecret.txt",
            "/%00",
            "/%zz",
            "/%ff.html",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn banner_text_is_escaped() {
        let page = inject(
            "<html><head></head><body><p>x</p></body></html>",
            "<script>x</script>",
        );
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(!page.contains("<script>x"));
        assert!(page.contains("/__ropa/live.js"));
    }

    #[test]
    fn only_the_previews_own_names_are_answered() {
        let local: std::net::SocketAddr = "127.0.0.1:8000".parse().unwrap();
        let hosts = Hosts::new("127.0.0.1", local);
        for good in [
            "localhost:8000",
            "LocalHost:8000",
            "127.0.0.1:8000",
            "[::1]:8000",
        ] {
            assert!(hosts.allows(good), "{good}");
        }
        for bad in [
            "evil.example:8000",
            "localhost.evil.example:8000",
            "localhost",
            "127.0.0.1",
            "localhost:80",
            "localhost:8001",
            "localhost:+8000",
            "localhost:",
            "[::1]",
            "[::1]8000",
            "::1:8000",
            "10.0.0.5:8000",
            "",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
        // Port 80: browsers send no port.
        let hosts = Hosts::new("localhost", "127.0.0.1:80".parse().unwrap());
        assert!(hosts.allows("localhost") && hosts.allows("localhost:80"));
        assert!(!hosts.allows("evil.example"));
        // Bound to every address: any address, but still no other name.
        let hosts = Hosts::new("0.0.0.0", "0.0.0.0:8000".parse().unwrap());
        for good in ["10.0.0.5:8000", "[fe80::1]:8000", "localhost:8000"] {
            assert!(hosts.allows(good), "{good}");
        }
        assert!(!hosts.allows("evil.example:8000") && !hosts.allows("10.0.0.5:8001"));
        // A name given to --bind is the user's.
        let hosts = Hosts::new("MyBox.local", "192.168.1.5:8000".parse().unwrap());
        assert!(hosts.allows("mybox.local:8000") && hosts.allows("192.168.1.5:8000"));
        assert!(!hosts.allows("10.0.0.5:8000"));

        let request = |host: Option<&str>, http11| Request {
            method: "GET".into(),
            target: "/".into(),
            host: host.map(Into::into),
            http11,
        };
        let hosts = Hosts::new("127.0.0.1", local);
        assert!(
            hosts
                .check(&request(Some("127.0.0.1:8000"), true))
                .is_none()
        );
        assert!(hosts.check(&request(None, false)).is_none());
        for refused in [
            request(None, true),
            request(Some("evil.example:8000"), false),
        ] {
            assert_eq!(hosts.check(&refused).map(|r| r.status), Some(421));
        }
    }
}
