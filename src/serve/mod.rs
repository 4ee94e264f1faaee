//! `ropa serve`: a live preview of the site while the registry is edited.
//!
//! Builds the site into a private folder, serves it over HTTP on
//! 127.0.0.1 (another address only with `--bind`), watches the registry
//! (`watch`) and rebuilds when a file the loader reads changes. Open pages
//! reload themselves: the server adds one script of its own (same origin,
//! so the site's Content Security Policy allows it) that polls
//! `/__ropa/version`. While the registry has
//! errors, the terminal shows the diagnostics and every page shows them in
//! a banner, above the last good build, so stale content is never silent.

mod http;
mod watch;

use std::net::{IpAddr, TcpListener};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::diag::{render_human, render_human_errors};
use crate::model::Date;
use crate::pipeline::{self, Built, SiteOptions};
use http::{Request, Response};

/// What the pages show about the latest build.
#[derive(Default)]
struct State {
    /// Bumped on every rebuild (good or not); pages reload when it changes.
    version: u64,
    /// The errors of the latest attempt, as text; empty when it built.
    errors: String,
    /// Whether a site has been built at all.
    built: bool,
}

/// Options of `ropa serve`.
pub struct ServeOptions {
    pub registry: PathBuf,
    pub bind: String,
    pub port: u16,
    pub as_of: Date,
    /// `--quiet`: the terminal shows the errors only, and the summary.
    pub quiet: bool,
    /// Written once the server listens (the URL), and after each rebuild.
    pub log: fn(&str),
}

/// Builds the site again; tells `relevant` what the load read.
fn rebuild(opts: &ServeOptions, site: &Path, state: &Mutex<State>, relevant: &mut watch::Relevant) {
    let options = SiteOptions {
        out: site,
        progress: false,
        // The preview shows the work tree as it is being edited; history
        // is for the published site (docs/history.md).
        history: false,
        pictures: true,
        exiting: false,
    };
    // The banner shows the errors only: the warnings are in the terminal.
    // Its summary line counts them all, as the terminal's does.
    let mut banner = String::new();
    let built = pipeline::Opened::open(&opts.registry, None).and_then(|opened| {
        pipeline::build(&opened, opts.as_of, false, &options, |checked| {
            let extra = checked
                .registry()
                .organisation
                .as_ref()
                .and_then(|o| o.site.as_ref())
                .and_then(|s| s.extra.as_ref());
            relevant.learn(checked.sources, extra.map(|e| e.value.as_str()));
            let errors = render_human_errors(&checked.diagnostics, checked.sources, false);
            let text = match opts.quiet {
                true => errors.clone(),
                false => render_human(&checked.diagnostics, checked.sources, false),
            };
            if !text.is_empty() {
                (opts.log)(&text);
            }
            if checked.has_errors() {
                banner = errors;
            }
        })
    });
    let (errors, built) = match built {
        Err(e) => (format!("error: {e}\n"), false),
        Ok(Built::Written { .. }) => (String::new(), true),
        Ok(Built::RegistryHasErrors { .. }) => (banner, false),
        Ok(Built::RenderFailed { error, .. }) => (format!("error: {error}\n"), false),
    };
    if errors.is_empty() {
        (opts.log)("rebuilt the site");
    } else {
        (opts.log)("the registry has errors: the pages show the last good build, with a banner");
    }
    if let Ok(mut s) = state.lock() {
        s.version += 1;
        s.errors = errors;
        s.built |= built;
    }
}

/// The file under `site` that the request path `url` names, or `None` when
/// the path could leave the site (`..`, absolute parts, backslashes, NUL,
/// encoded separators) or does not exist.
fn resolve_path(site: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let rel = decoded.trim_start_matches('/');
    let mut target = site.to_path_buf();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(part) => target.push(part),
            Component::CurDir => {}
            // `..`, a root or a prefix: refused, not normalised away.
            _ => return None,
        }
    }
    if target.is_dir() {
        target.push("index.html");
    }
    // The site has no links, but check anyway: what is served stays inside.
    let real = std::fs::canonicalize(&target).ok()?;
    let root = std::fs::canonicalize(site).ok()?;
    (real.starts_with(&root) && real.is_file()).then_some(real)
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
        setTimeout(poll, 500);
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

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
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
fn handle(request: &Request, site: &Path, state: &Mutex<State>) -> Response {
    let (version, errors, built) = match state.lock() {
        Ok(s) => (s.version, s.errors.clone(), s.built),
        Err(_) => (0, String::new(), false),
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
    if !built {
        return Response::new(503, "text/html; charset=utf-8", error_page(&errors));
    }
    let Some(file) = resolve_path(site, url) else {
        let notfound = std::fs::read_to_string(site.join("404.html")).unwrap_or_default();
        return Response::new(404, "text/html; charset=utf-8", inject(&notfound, &errors));
    };
    let Ok(bytes) = std::fs::read(&file) else {
        return Response::new(404, "text/plain", "not found\n");
    };
    let ctype = content_type(&file);
    if ctype.starts_with("text/html") {
        let html = String::from_utf8_lossy(&bytes);
        Response::new(200, ctype, inject(&html, &errors))
    } else {
        Response::new(200, ctype, bytes)
    }
}

/// The start of the preview folders' names; the rest is random.
const PREFIX: &str = "ropa-serve-";

/// The private folder the preview builds into (issue 19): a random name in
/// the temporary folder, mode `0700` (no one else reads the record), made
/// by one `mkdir` that fails on anything already there, a link included, so
/// nothing is ever built, swapped or removed through a link. While this
/// process lives it holds an exclusive `flock` on the folder, which the
/// kernel releases when the process dies, however it dies: a later
/// `ropa serve` removes a folder whose lock it can take. Removed when
/// dropped: at the end of [`serve`], after Ctrl-C and SIGTERM too.
struct Preview {
    dir: tempfile::TempDir,
    #[cfg(unix)]
    _lock: Option<std::os::fd::OwnedFd>,
}

impl Preview {
    fn new(tmp: &Path) -> std::io::Result<Preview> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(PREFIX);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = builder.tempdir_in(tmp)?;
        Ok(Preview {
            #[cfg(unix)]
            _lock: lock(dir.path()),
            dir,
        })
    }
}

/// An exclusive lock on folder `dir` (not through a link), or `None` when
/// another process holds it or the folder cannot be opened.
#[cfg(unix)]
fn lock(dir: &Path) -> Option<std::os::fd::OwnedFd> {
    use rustix::fs::{FlockOperation, Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = rustix::fs::open(dir, flags, Mode::empty()).ok()?;
    rustix::fs::flock(&fd, FlockOperation::NonBlockingLockExclusive).ok()?;
    Some(fd)
}

/// Removes the preview folders of earlier `ropa serve` runs that were
/// killed: real folders (never through a link) named `ropa-serve-…` (or
/// `.ropa-serve-…`, the staging folders of earlier versions), owned by the
/// owner of `ours`, at least a minute old (a folder is locked the moment
/// after it is made), whose lock no running serve holds; earlier versions
/// named them by pid and held no lock, so a live pid keeps its folder.
fn remove_stale_previews(tmp: &Path, ours: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(me) = std::fs::symlink_metadata(ours) else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(tmp) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(rest) = name
                .strip_prefix(PREFIX)
                .or_else(|| name.strip_prefix(".ropa-serve-"))
            else {
                continue;
            };
            let path = e.path();
            let Ok(m) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let old = m
                .modified()
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > Duration::from_secs(60));
            if path == ours || !m.is_dir() || m.uid() != me.uid() || !old {
                continue;
            }
            let pid = rest.split('.').next().unwrap_or("");
            if !pid.is_empty()
                && pid.bytes().all(|b| b.is_ascii_digit())
                && Path::new("/proc").join(pid).exists()
            {
                continue;
            }
            if let Some(_held) = lock(&path) {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (tmp, ours);
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
/// cannot start, or after Ctrl-C or SIGTERM, once the preview folder is
/// removed.
pub fn serve(opts: ServeOptions) -> Result<Stopped, String> {
    crate::load::registry_folder(&opts.registry).map_err(|e| e.to_string())?;
    let listener = TcpListener::bind((opts.bind.as_str(), opts.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.bind, opts.port))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.bind, opts.port))?;
    let hosts = Hosts::new(&opts.bind, local);
    // Before the folder exists, so that it is removed however soon the
    // preview is stopped.
    let signals = Signals::register()?;
    // A private folder: the preview never touches a published site/.
    let tmp = std::env::temp_dir();
    let preview = Preview::new(&tmp)
        .map_err(|e| format!("cannot make the preview's folder in {}: {e}", tmp.display()))?;
    remove_stale_previews(&tmp, preview.dir.path());
    let site = preview.dir.path().join("site");
    let state = Arc::new(Mutex::new(State::default()));
    // Before the first build, so that no change after it is missed.
    let mut watch = watch::Watch::start(&opts.registry, opts.log);
    rebuild(&opts, &site, &state, watch.relevant());
    (opts.log)(&format!("serving http://{local}/ (Ctrl-C to stop)"));

    let handler = {
        let (site, state) = (site.clone(), state.clone());
        Arc::new(move |request: &Request| {
            hosts
                .check(request)
                .unwrap_or_else(|| handle(request, &site, &state))
        })
    };
    std::thread::Builder::new()
        .name("ropa-serve-accept".into())
        .spawn(move || http::run(listener, handler, http::Limits::DEFAULT))
        .map_err(|e| format!("cannot start the server thread: {e}"))?;
    loop {
        match watch.next_change(|| signals.caught()) {
            watch::Next::Changed => rebuild(&opts, &site, &state, watch.relevant()),
            watch::Next::Stop(code) => {
                drop(preview);
                return Ok(Stopped::Signal(code));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        let dir = std::env::temp_dir().join(format!("ropa-serve-test-{}", std::process::id()));
        let site = dir.join("site");
        std::fs::create_dir_all(site.join("activities")).unwrap();
        std::fs::write(site.join("index.html"), "i").unwrap();
        std::fs::write(site.join("activities/a.html"), "a").unwrap();
        std::fs::write(dir.join("secret.txt"), "s").unwrap();
        assert!(resolve_path(&site, "/").is_some());
        assert!(resolve_path(&site, "/activities/a.html?x=1").is_some());
        assert!(resolve_path(&site, "/activities/%61.html").is_some());
        for bad in [
            "/../secret.txt",
            "/activities/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/..%5csecret.txt",
            "/%00",
            "/%zz",
            "//etc/passwd",
            "/nothing.html",
        ] {
            assert_eq!(resolve_path(&site, bad), None, "{bad}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
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

    #[cfg(unix)]
    #[test]
    fn only_folders_of_killed_previews_are_removed() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let ours = Preview::new(tmp.path()).unwrap();
        let mode = std::fs::metadata(ours.dir.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o7777, 0o700);
        let live = Preview::new(tmp.path()).unwrap();
        let make = |name: &str| {
            let dir = tmp.path().join(name);
            std::fs::create_dir_all(dir.join("site")).unwrap();
            dir
        };
        let dead = make("ropa-serve-Ab3xYz");
        let legacy_dead = make("ropa-serve-999999999");
        let legacy_alive = make(&format!("ropa-serve-{}", std::process::id()));
        let young = make("ropa-serve-young");
        let other = make("not-ropa");
        let target = make("target");
        std::os::unix::fs::symlink(&target, tmp.path().join("ropa-serve-link")).unwrap();
        let two_minutes_ago = SystemTime::now() - Duration::from_secs(120);
        for dir in [
            &dead,
            &legacy_dead,
            &legacy_alive,
            &other,
            &target,
            live.dir.path(),
        ] {
            let f = std::fs::File::open(dir).unwrap();
            f.set_modified(two_minutes_ago).unwrap();
        }
        remove_stale_previews(tmp.path(), ours.dir.path());
        assert!(!dead.exists() && !legacy_dead.exists());
        for kept in [
            &legacy_alive,
            &young,
            &other,
            live.dir.path(),
            ours.dir.path(),
        ] {
            assert!(kept.is_dir(), "{kept:?} was removed");
        }
        assert!(target.join("site").is_dir(), "a link was followed");
        let path = ours.dir.path().to_path_buf();
        drop(ours);
        assert!(!path.exists(), "dropped, the folder is removed");
    }
}
