//! The search box in a real browser: builds the example registry with the
//! real binary, then `tests/browser/search.mjs` opens the site in headless
//! Chromium (Debian's /usr/bin/chromium driven by playwright-core), types a
//! query and checks the result list and the filtered activities table, and
//! checks the page without JavaScript. Saves a screenshot of the filtered page
//! to `target/screenshots/search.png`.
//!
//! Needs `chromium` (apt) and `tests/browser/node_modules` (npm ci); `.ci/run`
//! installs both. When they are missing this test fails, it never skips.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const AS_OF: &str = "2026-11-24";
/// The whole browser run takes about 5 s here; a hang is a failure.
const NODE_TIMEOUT: Duration = Duration::from_secs(90);
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
    let pw = manifest_dir().join("tests/browser/node_modules/playwright-core/package.json");
    assert!(
        pw.is_file(),
        "the browser test needs playwright-core in tests/browser/node_modules ({} is missing); {INSTALL_HINT}",
        pw.display()
    );
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
