//! Replays the fuzz targets' seeds and saved findings on every `cargo test`:
//! each file under `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/`
//! goes through `fuzz/harness.rs` exactly as the fuzzer would give it (see
//! docs/reliability.md).

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::Path;

/// The seeds (`fuzz/seeds/<target>/`) and the findings
/// (`fuzz/regressions/<target>/`) of a target.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut out = Vec::new();
    for kind in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(kind).join(target)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') {
                out.push((
                    format!("{kind}/{target}/{name}"),
                    std::fs::read(e.path()).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn replay(target: &str, run: fn(&[u8])) {
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "no saved inputs for {target}");
    for (name, bytes) in inputs {
        let result = std::panic::catch_unwind(|| run(&bytes));
        assert!(result.is_ok(), "fuzz/{name} fails");
    }
}

#[test]
fn load_file_findings_stay_fixed() {
    replay("load_file", harness::load_file);
}

#[test]
fn check_registry_findings_stay_fixed() {
    replay("check_registry", harness::check_registry);
}

#[test]
fn markdown_findings_stay_fixed() {
    replay("markdown", harness::markdown);
}

/// The harness itself: the example registry, joined into one input and
/// split again, gives back its files; and it checks without errors, so the
/// export half of `check_registry` runs too.
#[test]
fn check_registry_input_round_trips() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("registry");
    let files: Vec<_> = harness::files_of(&root)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".toml"))
        .collect();
    let joined = harness::join_files(&files);
    let split = harness::split_files(&joined);
    assert_eq!(split.len(), files.len());
    for ((p1, b1), (p2, b2)) in files.iter().zip(&split) {
        assert_eq!(p1, p2);
        let mut b1 = b1.clone();
        if !b1.ends_with(b"\n") {
            b1.push(b'\n');
        }
        assert_eq!(&b1, b2, "{p1}");
    }
    harness::check_registry(&joined);
}

/// The Markdown property is not vacuous: its attribute reader finds event
/// handlers in markup and ignores them inside quoted values.
#[test]
fn markdown_property_reads_attributes() {
    assert_eq!(
        harness::attribute_names("img src=x onerror=alert(1)>"),
        ["src", "x", "onerror", "alert(1)"]
    );
    assert_eq!(
        harness::attribute_names("a href=\"http://x\" title=\"a onerror=b\">x"),
        ["href", "title"]
    );
    // Real inputs that must stay inert.
    for input in [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "![x](data:text/html,hi)",
        "<img src=x onerror=alert(1)>",
        "[t](http://x \"a onerror=b\")",
    ] {
        harness::markdown(input.as_bytes());
    }
}
