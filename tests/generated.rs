//! The benchmark generator's registries are valid, at a size where the
//! coverage rule meets long sub-processor chains; removing a transfer that
//! covers a chain makes `transfer-uncovered` fire where it should.

#[path = "../examples/gen_registry.rs"]
#[allow(dead_code)]
mod gen_registry;

use std::process::Command;

fn ropa_check(dir: &std::path::Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args([
            "check",
            "--format",
            "json",
            "--as-of",
            "2026-11-01",
            "--registry",
        ])
        .arg(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn generated_registry_is_valid_and_coverage_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    let cfg = gen_registry::Config {
        out: reg.clone(),
        activities: 600,
        processors: 150,
        transfers: 300,
    };
    gen_registry::run(&cfg).unwrap();

    let (code, json) = ropa_check(&reg);
    assert_eq!(code, 0, "{json}");
    let diags: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(diags.is_empty(), "{diags:#?}");

    // Remove every transfer that covers a sub-processor reached through
    // `via`; each removal must surface as transfer-uncovered errors naming
    // that sub-processor and its country.
    let transfers: Vec<(std::path::PathBuf, toml::Value)> =
        walkdir::WalkDir::new(reg.join("transfers"))
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().to_path_buf(),
                    toml::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap(),
                )
            })
            .collect();
    let key = |v: &toml::Value| {
        (
            v["to"].as_str().unwrap().to_string(),
            v["country"].as_str().unwrap().to_string(),
        )
    };
    let mut removed: Vec<(String, String)> = Vec::new();
    for (_, v) in &transfers {
        if v.get("via").is_some() && !removed.contains(&key(v)) && removed.len() < 3 {
            removed.push(key(v));
        }
    }
    assert!(
        !removed.is_empty(),
        "the generator should produce transfers with `via`"
    );
    for (path, v) in &transfers {
        if removed.contains(&key(v)) {
            std::fs::remove_file(path).unwrap();
        }
    }
    let (code, json) = ropa_check(&reg);
    assert_eq!(code, 1, "{json}");
    let diags: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let uncovered: Vec<&serde_json::Value> = diags
        .iter()
        .filter(|d| d["code"] == "transfer-uncovered")
        .collect();
    for (to, country) in &removed {
        assert!(
            uncovered.iter().any(|d| {
                let m = d["message"].as_str().unwrap();
                m.contains(&format!("`{to}`"))
                    && m.contains(&format!("({country})"))
                    && m.contains("sub-processor")
            }),
            "no transfer-uncovered for {to} in {country}: {uncovered:#?}"
        );
    }
    // Nothing else but activities' `transfers` lists naming the removed files.
    for d in &diags {
        let ok = d["code"] == "transfer-uncovered"
            || (d["code"] == "dangling-reference"
                && d["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("`transfers` names transfer"));
        assert!(ok, "{d:#}");
    }
    // Errors point into activity files, at a processor reference.
    for d in &uncovered {
        assert!(
            d["file"].as_str().unwrap().starts_with("activities/"),
            "{d}"
        );
        assert!(d["line"].as_u64().is_some() && d["column"].as_u64().is_some());
    }
}

/// A record is rendered in chunks, in parallel, together with its
/// activities' pages (render::record): with more activities than a chunk,
/// every activity still has its page and exactly one record entry, in name
/// order, and the entry's flow diagram is the one on its page.
#[test]
fn records_in_chunks_keep_every_entry_in_order_with_its_page_diagram() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    let site = tmp.path().join("site");
    gen_registry::run(&gen_registry::Config {
        out: reg.clone(),
        activities: 600,
        processors: 150,
        transfers: 300,
    })
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["build", "--as-of", "2026-11-01", "--registry"])
        .arg(&reg)
        .arg("--out")
        .arg(&site)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 600 activity pages are counted among the pages built.
    let built: usize = stderr
        .lines()
        .find_map(|l| l.strip_prefix("built ")?.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no `built N pages` line: {stderr}"));
    let files = walkdir::WalkDir::new(&site)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count();
    assert_eq!(built, files, "{stderr}");

    let record = std::fs::read_to_string(site.join("records/controller.html")).unwrap();
    let diagram = |html: &str| -> String {
        let start = html
            .find("<div class=\"picture-frame\">")
            .expect("a diagram");
        let end = html[start..].find("</svg></div>").expect("its end") + start;
        html[start..end].to_string()
    };
    let mut entries = Vec::new();
    for section in record.split("<section class=\"record-entry\">").skip(1) {
        let href = section
            .split("<h2><a href=\"../activities/")
            .nth(1)
            .unwrap();
        let (file, rest) = href.split_once("\">").unwrap();
        let name = rest.split_once("</a>").unwrap().0.to_string();
        let page = std::fs::read_to_string(site.join("activities").join(file)).unwrap();
        assert_eq!(diagram(section), diagram(&page), "{file}");
        entries.push((name.to_lowercase(), name, file.to_string()));
    }
    assert_eq!(entries.len(), 600);
    let pages = std::fs::read_dir(site.join("activities")).unwrap().count();
    assert_eq!(pages, 600);
    let mut sorted = entries.clone();
    sorted.sort();
    assert_eq!(entries, sorted, "entries out of name order");
    let files: std::collections::BTreeSet<_> = entries.iter().map(|e| &e.2).collect();
    assert_eq!(files.len(), 600, "an activity twice");
}
