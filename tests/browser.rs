//! The search box in a real browser: builds the example registry with the
//! real binary, then `tests/browser/search.mjs` opens the site in headless
//! Chromium (Debian's /usr/bin/chromium driven by playwright-core), types a
//! query and checks the result list and the filtered activities table, and
//! checks the page without JavaScript. Saves a screenshot of the filtered page
//! to `target/screenshots/search.png`.
//!
//! Beside it, `tests/browser/a11y.mjs` serves the site as a web server would
//! and checks one page of each kind with axe-core (WCAG 2.1 A and AA), at a
//! phone's 390 px, and from the keyboard (skip link, visible focus), and the
//! 404 page sent for a missing path three folders deep.
//!
//! And `tests/browser/pictures.mjs` checks the pictures (issue 16) at
//! 1280 px on an activity page, the countries page and the dashboard: each
//! drawn with a size, painted in its ground's colour, no console, script or
//! CSP error, no axe violation, the records' diagrams kept in print; it saves
//! `target/screenshots/{activity,countries,dashboard}.png`.
//!
//! Needs `chromium` (apt) and `tests/browser/node_modules` (npm ci); `.ci/run`
//! installs both. When they are missing these tests fail, they never skip.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const AS_OF: &str = "2026-11-24";
/// The whole browser run takes about 5 s here; a hang is a failure.
const NODE_TIMEOUT: Duration = Duration::from_secs(90);
/// axe-core on 17 pages, twice each: about 20 s of CPU, several times that
/// in wall time on a machine shared with compilers.
const A11Y_TIMEOUT: Duration = Duration::from_secs(300);
const INSTALL_HINT: &str = "run `bash .ci/run`, or install by hand:\n  \
     apt-get update && apt-get install -y --no-install-recommends chromium\n  \
     (cd tests/browser && npm ci)";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chromium_path() -> PathBuf {
    std::env::var_os("ROPA_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Fails (never skips) with an install hint when a tool the test needs is missing.
fn require_tools() {
    let chromium = chromium_path();
    assert!(
        chromium.is_file(),
        "the browser test needs Chromium at {} (set ROPA_CHROMIUM to use another); {INSTALL_HINT}",
        chromium.display()
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        matches!(&node, Ok(o) if o.status.success()),
        "the browser test needs Node.js (`node` on PATH): {node:?}; {INSTALL_HINT}"
    );
    for package in ["playwright-core", "axe-core"] {
        let json =
            manifest_dir().join(format!("tests/browser/node_modules/{package}/package.json"));
        assert!(
            json.is_file(),
            "the browser test needs {package} in tests/browser/node_modules ({} is missing); {INSTALL_HINT}",
            json.display()
        );
    }
}

/// Runs `cmd` to the end, or kills it after `limit`; returns (status, stdout, stderr).
fn run_with_timeout(
    mut cmd: Command,
    limit: Duration,
) -> (std::process::ExitStatus, String, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}; {INSTALL_HINT}"));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).ok();
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).ok();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the child") {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            let stderr = err_t.join().unwrap_or_default();
            panic!("{cmd:?} did not finish within {limit:?}; stderr:\n{stderr}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (status, out_t.join().unwrap(), err_t.join().unwrap())
}

fn build_example_site(out: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .arg("build")
        .arg("--registry")
        .arg(manifest_dir().join("registry"))
        .arg("--out")
        .arg(out)
        .arg("--as-of")
        .arg(AS_OF)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("running ropa build");
    assert!(
        output.status.success(),
        "ropa build failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        out.join("index.html").is_file(),
        "ropa build wrote no index.html"
    );
    assert!(
        out.join("search-index.js").is_file(),
        "ropa build wrote no search-index.js"
    );
}

/// How many `.toml` files are under `dir`, subfolders included.
fn count_toml(dir: &Path) -> u64 {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            n += count_toml(&path);
        } else if path.extension().is_some_and(|e| e == "toml") {
            n += 1;
        }
    }
    n
}

fn num(summary: &Value, key: &str) -> u64 {
    summary[key]
        .as_u64()
        .unwrap_or_else(|| panic!("summary has no number `{key}`: {summary:#}"))
}

fn strings(summary: &Value, key: &str) -> Vec<String> {
    summary[key]
        .as_array()
        .unwrap_or_else(|| panic!("summary has no list `{key}`: {summary:#}"))
        .iter()
        .map(|v| v.as_str().expect("a string").to_owned())
        .collect()
}

#[test]
fn search_filters_results_and_table_in_chromium() {
    require_tools();

    let tmp = tempfile::tempdir().expect("temp dir");
    let site = tmp.path().join("site");
    build_example_site(&site);

    let shot = manifest_dir().join("target/screenshots/search.png");
    std::fs::create_dir_all(shot.parent().unwrap()).unwrap();
    std::fs::remove_file(&shot).ok();

    let mut cmd = Command::new("node");
    cmd.current_dir(manifest_dir())
        .arg("tests/browser/search.mjs")
        .arg(&site)
        .arg(&shot)
        .env("ROPA_CHROMIUM", chromium_path());
    let (status, stdout, stderr) = run_with_timeout(cmd, NODE_TIMEOUT);
    assert_ne!(
        status.code(),
        Some(3),
        "the browser or playwright-core is missing:\n{stderr}\n{INSTALL_HINT}"
    );
    assert!(
        status.success(),
        "search.mjs failed ({status}):\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );

    let summary: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("search.mjs printed no JSON summary ({e}):\n{stdout}\n{stderr}")
    });
    assert_eq!(summary["ok"], true, "{summary:#}");
    assert_eq!(
        summary["failures"].as_array().map(Vec::len),
        Some(0),
        "{summary:#}"
    );
    assert_eq!(summary["query"], "newsletter");

    // With JavaScript: the box shows, the table starts full.
    assert_eq!(summary["search_visible"], true, "{summary:#}");
    let total = num(&summary, "rows_total");
    let before = num(&summary, "rows_before");
    let activities = count_toml(&manifest_dir().join("registry/activities"));
    assert_eq!(
        total, activities,
        "one table row per activity file: {summary:#}"
    );
    assert_eq!(
        before, total,
        "every row shows before searching: {summary:#}"
    );

    // The result list: the newsletter activity, nothing that does not match.
    let results = strings(&summary, "results");
    assert!(
        results.iter().any(|r| r.contains("Sending newsletters")),
        "no result for the newsletter activity: {results:?}"
    );
    assert!(
        !results
            .iter()
            .any(|r| r.contains("Invoicing") || r.contains("Necessary cookies")),
        "a non-matching activity is listed: {results:?}"
    );
    assert_eq!(
        results.len(),
        strings(&summary, "expected_results").len(),
        "results differ from the matching index entries: {summary:#}"
    );

    // The table: fewer rows, each one matching, and all back once cleared.
    let after = num(&summary, "rows_after");
    assert!(
        after >= 1 && after < before,
        "rows before {before}, after {after}"
    );
    for row in strings(&summary, "rows_after_names") {
        assert!(
            row.to_lowercase().contains("newsletter"),
            "visible row does not match: {row}"
        );
    }
    assert_eq!(num(&summary, "rows_cleared"), before, "{summary:#}");
    assert_eq!(num(&summary, "results_cleared"), 0, "{summary:#}");
    assert_eq!(num(&summary, "rows_after_escape"), before, "{summary:#}");
    assert_eq!(
        summary["page_errors"].as_array().map(Vec::len),
        Some(0),
        "{summary:#}"
    );

    // Without JavaScript: the table still reads and the box stays hidden.
    assert_eq!(summary["nojs_search_visible"], false, "{summary:#}");
    assert_eq!(summary["nojs_input_visible"], false, "{summary:#}");
    assert_eq!(summary["nojs_table_visible"], true, "{summary:#}");
    assert_eq!(num(&summary, "nojs_rows"), total, "{summary:#}");

    // Print: the controller record prints without navigation, links show
    // their target, and the browser produces a PDF of it.
    assert_eq!(summary["print_header_visible"], false, "{summary:#}");
    assert!(
        summary["print_link_target"]
            .as_str()
            .is_some_and(|c| c.contains(".html")),
        "{summary:#}"
    );
    assert!(num(&summary, "print_pdf_bytes") > 1000, "{summary:#}");

    // The screenshot of the filtered page is a real PNG of some size.
    let png = std::fs::read(&shot).expect("search.mjs saved no screenshot");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "the screenshot is not a PNG"
    );
    assert!(
        png.len() > 10_000,
        "the screenshot is suspiciously small ({} bytes)",
        png.len()
    );
}

/// Every `.html` file under `dir`, as a site path with `/`, sorted.
fn html_pages(site: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_pages(site, &path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            let rel = path.strip_prefix(site).unwrap();
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    out.sort();
}

#[test]
fn every_page_kind_passes_axe_at_phone_width_and_from_the_keyboard() {
    require_tools();

    let tmp = tempfile::tempdir().expect("temp dir");
    let site = tmp.path().join("site");
    build_example_site(&site);

    let mut cmd = Command::new("node");
    cmd.current_dir(manifest_dir())
        .arg("tests/browser/a11y.mjs")
        .arg(&site)
        .env("ROPA_CHROMIUM", chromium_path());
    let (status, stdout, stderr) = run_with_timeout(cmd, A11Y_TIMEOUT);
    assert_ne!(
        status.code(),
        Some(3),
        "the browser, playwright-core or axe-core is missing:\n{stderr}\n{INSTALL_HINT}"
    );
    let summary: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("a11y.mjs printed no JSON summary ({status}, {e}):\n{stdout}\n{stderr}")
    });
    // Each failure names the page, and for axe the rule, impact, elements
    // and help; for width the elements that stick out.
    let failures = strings(&summary, "failures");
    assert!(
        failures.is_empty() && status.success(),
        "a11y.mjs ({status}), {} failures:\n{}\nstderr:\n{stderr}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(summary["ok"], true, "{summary:#}");
    assert_eq!(
        summary["tags"],
        serde_json::json!(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    );

    // One page of each kind was checked: every page at the top, the records,
    // and in every folder its list (where it has one) and one entry page.
    let checked: Vec<&str> = summary["pages"]
        .as_array()
        .expect("a list of pages")
        .iter()
        .map(|p| p["page"].as_str().expect("a page path"))
        .collect();
    let mut written = Vec::new();
    html_pages(&site, &site, &mut written);
    let folder = |p: &str| p.rsplit_once('/').map_or("", |(f, _)| f).to_owned();
    for page in &written {
        let covered =
            if !page.contains('/') || page.starts_with("records/") || page.ends_with("/index.html")
            {
                checked.contains(&page.as_str())
            } else {
                let f = folder(page);
                checked
                    .iter()
                    .any(|c| folder(c) == f && !c.ends_with("/index.html"))
            };
        assert!(
            covered,
            "no page of the kind of {page} was checked: {checked:?}"
        );
    }
    for kind in [
        "index.html",
        "404.html",
        "categories.html",
        "measures.html",
        "records/controller.html",
        "records/processor.html",
        "processors/index.html",
        "recipients/index.html",
        "transfers/index.html",
        "safeguards/index.html",
        "countries/index.html",
    ] {
        assert!(
            checked.contains(&kind),
            "{kind} was not checked: {checked:?}"
        );
    }
    for entries in [
        "activities",
        "processors",
        "recipients",
        "safeguards",
        "transfers",
        "countries",
    ] {
        assert!(
            checked
                .iter()
                .any(|c| folder(c) == entries && !c.ends_with("/index.html")),
            "no page in {entries}/ was checked: {checked:?}"
        );
    }

    // Each page: no violation on either viewport, no sideways scrolling at
    // 390 px, the skip link first and moving focus into <main>.
    for page in summary["pages"].as_array().unwrap() {
        let name = &page["page"];
        assert_eq!(
            page["violations"],
            serde_json::json!([]),
            "{name}: {page:#}"
        );
        assert_eq!(
            page["phone_violations"],
            serde_json::json!([]),
            "{name}: {page:#}"
        );
        assert!(num(page, "scroll_width") <= 390, "{name}: {page:#}");
        assert_eq!(page["first_focus"]["href"], "#main", "{name}: {page:#}");
        assert_eq!(page["after_skip"]["tag"], "main", "{name}: {page:#}");
        assert!(
            page["first_focus"]["outline_width"].as_f64().unwrap_or(0.0) >= 2.0,
            "{name}: {page:#}"
        );
    }

    // The 404 page a server sends for /no/such/folder/page.html: styled,
    // nothing that depends on its depth, and no violations either.
    let nf = &summary["not_found"];
    assert_eq!(nf["status"], 404, "{nf:#}");
    assert_ne!(
        nf["main_max_width"], "none",
        "the 404 page is unstyled: {nf:#}"
    );
    assert_eq!(nf["depth_links"], serde_json::json!([]), "{nf:#}");
    assert_eq!(nf["violations"], serde_json::json!([]), "{nf:#}");
}

#[test]
fn pictures_render_in_chromium_without_errors_and_pass_axe() {
    require_tools();

    let tmp = tempfile::tempdir().expect("temp dir");
    let site = tmp.path().join("site");
    build_example_site(&site);

    let shots = manifest_dir().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let names = ["activity", "countries", "dashboard"];
    for n in names {
        std::fs::remove_file(shots.join(format!("{n}.png"))).ok();
    }

    let mut cmd = Command::new("node");
    cmd.current_dir(manifest_dir())
        .arg("tests/browser/pictures.mjs")
        .arg(&site)
        .arg(&shots)
        .env("ROPA_CHROMIUM", chromium_path());
    let (status, stdout, stderr) = run_with_timeout(cmd, A11Y_TIMEOUT);
    assert_ne!(
        status.code(),
        Some(3),
        "the browser, playwright-core or axe-core is missing:\n{stderr}\n{INSTALL_HINT}"
    );
    let summary: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("pictures.mjs printed no JSON summary ({status}, {e}):\n{stdout}\n{stderr}")
    });
    let failures = strings(&summary, "failures");
    assert!(
        failures.is_empty() && status.success(),
        "pictures.mjs ({status}), {} failures:\n{}\nstderr:\n{stderr}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(summary["ok"], true, "{summary:#}");
    assert_eq!(
        summary["tags"],
        serde_json::json!(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    );

    // The three pages, each with its pictures drawn and nothing wrong.
    let pages = summary["pages"].as_array().expect("a list of pages");
    let checked: Vec<&str> = pages.iter().filter_map(|p| p["page"].as_str()).collect();
    assert_eq!(
        checked,
        [
            format!("activities/{}.html", summary["activity"].as_str().unwrap()).as_str(),
            "countries/index.html",
            "index.html"
        ],
        "{summary:#}"
    );
    for page in pages {
        let name = &page["page"];
        let pictures = page["pictures"].as_array().expect("pictures");
        assert!(!pictures.is_empty(), "{name}: no picture: {page:#}");
        for p in pictures {
            assert!(num(p, "width") > 0 && num(p, "height") > 0, "{name}: {p:#}");
            assert_eq!(p["shown"], true, "{name}: {p:#}");
        }
        assert_eq!(page["errors"], serde_json::json!([]), "{name}: {page:#}");
        assert_eq!(
            page["csp_violations"],
            serde_json::json!([]),
            "{name}: {page:#}"
        );
        assert_eq!(
            page["violations"],
            serde_json::json!([]),
            "{name}: {page:#}"
        );
    }
    let kinds = |page: &Value| -> String {
        page["pictures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["cls"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    // Something coloured by its ground was looked at: the activity's flows
    // out of the EEA and the map's receiving countries.
    for page in &pages[..2] {
        let paints = page["paints"].as_array().expect("paints");
        assert!(
            !paints.is_empty(),
            "{}: nothing painted by its ground",
            page["page"]
        );
        for p in paints {
            assert_eq!(p["ok"], true, "{}: {p:#}", page["page"]);
        }
    }
    assert!(kinds(&pages[0]).contains("flow"), "{summary:#}");
    assert!(kinds(&pages[1]).contains("map"), "{summary:#}");
    assert!(kinds(&pages[2]).contains("map small"), "{summary:#}");
    assert!(kinds(&pages[2]).contains("chart"), "{summary:#}");

    // Printed, the controller record keeps its diagrams.
    let print = &summary["print"];
    assert_eq!(print["media_print"], true, "{print:#}");
    assert!(
        !print["pictures"].as_array().expect("pictures").is_empty(),
        "{print:#}"
    );
    assert_eq!(print["errors"], serde_json::json!([]), "{print:#}");

    for n in names {
        let png = std::fs::read(shots.join(format!("{n}.png")))
            .unwrap_or_else(|e| panic!("pictures.mjs saved no {n}.png: {e}"));
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{n}.png is not a PNG"
        );
        assert!(
            png.len() > 10_000,
            "{n}.png is suspiciously small ({} bytes)",
            png.len()
        );
    }
}
