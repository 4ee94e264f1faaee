//! The benchmark generator's registries are valid, at a size where the
//! coverage rule meets long sub-processor chains; removing a transfer that
//! covers a chain makes `transfer-uncovered` fire where it should.

#[path = "../examples/gen_registry.rs"]
#[allow(dead_code)]
mod gen_registry;

use std::process::Command;

fn ropa_check(dir: &std::path::Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["check", "--format", "json", "--as-of", "2026-11-01", "--registry"])
        .arg(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn generated_registry_is_valid_and_coverage_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    let cfg = gen_registry::Config { out: reg.clone(), activities: 600, processors: 150, transfers: 300 };
    gen_registry::run(&cfg).unwrap();

    let (code, json) = ropa_check(&reg);
    assert_eq!(code, 0, "{json}");
    let diags: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(diags.is_empty(), "{diags:#?}");

    // Remove every transfer that covers a sub-processor reached through
    // `via`; each removal must surface as transfer-uncovered errors naming
    // that sub-processor and its country.
    let mut removed = Vec::new();
    for entry in walkdir::WalkDir::new(reg.join("transfers")) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let value: toml::Value = toml::from_str(&text).unwrap();
        if value.get("via").is_some() && removed.len() < 3 {
            let to = value["to"].as_str().unwrap().to_string();
            let country = value["country"].as_str().unwrap().to_string();
            // Only if no other transfer covers the same party and country.
            std::fs::remove_file(entry.path()).unwrap();
            removed.push((to, country));
        }
    }
    assert!(!removed.is_empty(), "the generator should produce transfers with `via`");
    let (code, json) = ropa_check(&reg);
    let diags: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let uncovered: Vec<&serde_json::Value> = diags.iter().filter(|d| d["code"] == "transfer-uncovered").collect();
    let mut checked = 0;
    for (to, country) in &removed {
        let still_covered = walkdir::WalkDir::new(reg.join("transfers")).into_iter().filter_map(Result::ok).any(|e| {
            e.file_type().is_file() && {
                let v: toml::Value = toml::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap();
                v["to"].as_str() == Some(to) && v["country"].as_str() == Some(country)
            }
        });
        if still_covered {
            continue;
        }
        checked += 1;
        assert_eq!(code, 1);
        assert!(
            uncovered.iter().any(|d| {
                let m = d["message"].as_str().unwrap();
                m.contains(&format!("`{to}`")) && m.contains(&format!("({country})")) && m.contains("sub-processor")
            }),
            "no transfer-uncovered for {to} in {country}: {uncovered:#?}"
        );
    }
    assert!(checked > 0, "every removed transfer was covered twice; pick others");
    // Errors point into activity files, at a processor reference.
    for d in &uncovered {
        assert!(d["file"].as_str().unwrap().starts_with("activities/"), "{d}");
        assert!(d["line"].as_u64().is_some() && d["column"].as_u64().is_some());
    }
}
