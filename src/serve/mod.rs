//! `ropa serve`: a live preview of the site while the registry is edited.
//!
//! Builds the site into a private folder, serves it over HTTP on
//! 127.0.0.1 (another address only with `--bind`), watches the registry
//! and rebuilds on every change. Open pages reload themselves: the server
//! adds one script of its own (same origin, so the site's Content Security
//! Policy allows it) that polls `/__ropa/version`. While the registry has
//! errors, the terminal shows the diagnostics and every page shows them in
//! a banner, above the last good build, so stale content is never silent.

mod http;

use std::net::TcpListener;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::diag::{Severity, render_human};
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
    /// Written once the server listens (the URL), and after each rebuild.
    pub log: fn(&str),
}

/// A snapshot of the registry's files, to notice changes: every path with
/// its size and modification time.
fn fingerprint(root: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out: Vec<_> = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            Some((e.into_path(), m.len(), m.modified().ok()))
        })
        .collect();
    out.sort();
    out
}

fn rebuild(opts: &ServeOptions, site: &Path, state: &Mutex<State>) {
    let options = SiteOptions {
        out: site,
        progress: false,
        exiting: false,
    };
    // The banner shows the errors only: the warnings are in the terminal.
    let mut banner = String::new();
    let built = pipeline::build(&opts.registry, opts.as_of, false, &options, |checked| {
        let text = render_human(&checked.diagnostics, checked.sources, false);
        if !text.is_empty() {
            (opts.log)(&text);
        }
        if checked.has_errors() {
            let only_errors: Vec<_> = checked
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .cloned()
                .collect();
            banner = render_human(&only_errors, checked.sources, false);
        }
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

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
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
            escape(errors)
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

/// Removes the preview folders of earlier `ropa serve` runs that were
/// stopped (Ctrl-C gives them no chance to clean up): `ropa-serve-<pid>`
/// whose process is gone, and the build's staging folders beside it.
fn remove_stale_previews(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let rest = name
            .strip_prefix("ropa-serve-")
            .or_else(|| name.strip_prefix(".ropa-serve-"));
        let Some(pid) = rest.map(|r| r.split('.').next().unwrap_or("")) else {
            continue;
        };
        let alive = cfg!(target_os = "linux")
            && pid.bytes().all(|b| b.is_ascii_digit())
            && Path::new("/proc").join(pid).exists();
        // Only folders, never through a link.
        let is_dir = std::fs::symlink_metadata(e.path()).is_ok_and(|m| m.is_dir());
        if !alive && is_dir && !pid.is_empty() && cfg!(target_os = "linux") {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Runs the preview until the process is stopped. Returns only when the
/// server cannot start.
pub fn serve(opts: ServeOptions) -> Result<(), String> {
    if !opts.registry.is_dir() {
        return Err(format!(
            "registry folder `{}` does not exist",
            opts.registry.display()
        ));
    }
    let listener = TcpListener::bind((opts.bind.as_str(), opts.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.bind, opts.port))?;
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| format!("{}:{}", opts.bind, opts.port));
    // A private folder: the preview never touches a published site/.
    let tmp = std::env::temp_dir();
    remove_stale_previews(&tmp);
    let site = tmp.join(format!("ropa-serve-{}", std::process::id()));
    let state = Arc::new(Mutex::new(State::default()));
    rebuild(&opts, &site, &state);
    (opts.log)(&format!("serving http://{addr}/ (Ctrl-C to stop)"));

    let handler = {
        let (site, state) = (site.clone(), state.clone());
        Arc::new(move |request: &Request| handle(request, &site, &state))
    };
    std::thread::Builder::new()
        .name("ropa-serve-accept".into())
        .spawn(move || http::run(listener, handler))
        .map_err(|e| format!("cannot start the server thread: {e}"))?;
    let mut seen = fingerprint(&opts.registry);
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = fingerprint(&opts.registry);
        if now != seen {
            // Let an editor finish writing (save = truncate + write).
            std::thread::sleep(Duration::from_millis(100));
            seen = fingerprint(&opts.registry);
            rebuild(&opts, &site, &state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
