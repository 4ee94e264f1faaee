//! `load::load_files` (a registry held in memory, used by the fuzz targets)
//! gives what `load` gives for the same files on disk.

use std::path::Path;

// The fuzz targets' harness reads a registry folder into (path, bytes) pairs.
#[path = "../fuzz/harness.rs"]
mod harness;
use harness::files_of;

use ropa::diag::render_json;
use ropa::load::{load, load_files};
use ropa::model::Date;
use ropa::pipeline::check;

#[test]
fn in_memory_registry_checks_like_the_same_files_on_disk() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let as_of = Date::parse("2026-11-24").unwrap();
    for reg in [
        "registry",
        "examples/alutech",
        "tests/fixtures/broken-schema",
        "tests/fixtures/broken-legal",
        "tests/fixtures/warnings-only",
    ] {
        let root = manifest.join(reg);
        let on_disk = load(&root).unwrap();
        let disk = check(&on_disk, as_of, false);
        let in_memory = load_files(files_of(&root));
        let memory = check(&in_memory, as_of, false);
        assert_eq!(
            render_json(&memory.diagnostics, memory.sources, true),
            render_json(&disk.diagnostics, disk.sources, true),
            "{reg}: diagnostics differ"
        );
        if !disk.has_errors() {
            assert_eq!(
                ropa::export::json::to_json(&memory.register, ropa::export::json::Layout::Compact),
                ropa::export::json::to_json(&disk.register, ropa::export::json::Layout::Compact),
                "{reg}: registers differ"
            );
        }
    }
}

#[test]
fn in_memory_paths_are_classified_like_paths_on_disk() {
    let as_of = Date::parse("2026-11-24").unwrap();
    let files = vec![
        ("README.md".to_string(), b"not ours".to_vec()),
        (".git/config.toml".to_string(), b"hidden".to_vec()),
        ("activites/x.toml".to_string(), b"name = 'x'".to_vec()),
        ("../outside.toml".to_string(), b"".to_vec()),
        ("other/x.toml".to_string(), b"".to_vec()),
        ("organisation.toml".to_string(), b"\xff\xfe".to_vec()),
    ];
    let loaded = load_files(files);
    let checked = check(&loaded, as_of, false);
    let json = render_json(&checked.diagnostics, checked.sources, false);
    // A misspelt folder gets the did-you-mean help, as on disk.
    assert!(
        json.contains("did you mean the folder `activities/`?"),
        "{json}"
    );
    assert!(json.contains("`x.toml` is in `other/`"), "{json}");
    // `..` is a hidden name, skipped like `.git`: nothing leaves the registry.
    assert!(!json.contains("outside"), "{json}");
    assert!(json.contains("not UTF-8"), "{json}");
    assert!(!json.contains("README"), "{json}");
    assert!(!json.contains(".git"), "{json}");
}
