//! `ropa init [DIR]` (issue 15): a new registry that checks with no error
//! and no warning, whose files name editor schemas that exist; it refuses
//! a folder that holds a registry (or anything else), writing nothing.

mod common;

use common::*;

/// Every file under `dir`, relative, sorted.
fn files(dir: &std::path::Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn init_then_check_has_no_error_and_no_warning() {
    let root = tempfile::tempdir().unwrap();
    // The default folder, as `ropa check` and `ropa build` read it.
    let run = run_in(root.path(), &["init"]);
    run.assert_exit(0);
    assert!(run.stderr.contains("registry"), "{}", run.stderr);
    let reg = root.path().join("registry");
    assert_eq!(
        files(&reg),
        [
            "activities/answering-enquiries.toml",
            "categories.toml",
            "measures.toml",
            "organisation.toml"
        ]
    );
    let run = check(&reg, "json", &[]);
    run.assert_exit(0);
    assert!(run.diags().is_empty(), "{}", run.stdout);
    let run = run_in(root.path(), &["check", "--as-of", AS_OF, "--deny-warnings"]);
    run.assert_exit(0);
    assert_eq!(run.stdout.trim(), "0 errors, 0 warnings");
    // Nothing is left behind: no temporary folder beside the registry.
    let beside: Vec<String> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut beside = beside;
    beside.sort();
    assert_eq!(beside, ["registry", "schemas"]);
}

#[test]
fn every_file_names_a_schema_that_is_there() {
    let root = tempfile::tempdir().unwrap();
    let reg = root.path().join("rec");
    run_in(root.path(), &["init", "rec"]).assert_exit(0);
    for rel in files(&reg) {
        let path = reg.join(&rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap();
        let target = first
            .strip_prefix("#:schema ")
            .unwrap_or_else(|| panic!("{rel}: no #:schema line: {first}"));
        let schema = path.parent().unwrap().join(target);
        assert!(schema.is_file(), "{rel}: {}", schema.display());
    }
    // The schemas are those `ropa schema` writes.
    let schemas = root.path().join("schemas");
    let mine = tempfile::tempdir().unwrap();
    run_in(
        &manifest_dir(),
        &["schema", "--out", mine.path().to_str().unwrap()],
    )
    .assert_exit(0);
    assert_eq!(files(&schemas), files(mine.path()));
}

#[test]
fn init_refuses_a_registry_and_a_folder_in_use_writing_nothing() {
    let reg = TempRegistry::minimal();
    let before = files(reg.path());
    let run = run_in(&manifest_dir(), &["init", reg.path().to_str().unwrap()]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains(&format!(
            "`{}` already holds a registry",
            reg.path().display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(files(reg.path()), before);

    // Only an entry folder: still a registry.
    let partial = tempfile::tempdir().unwrap();
    std::fs::create_dir(partial.path().join("activities")).unwrap();
    let run = run_in(&manifest_dir(), &["init", partial.path().to_str().unwrap()]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("already holds a registry"),
        "{}",
        run.stderr
    );

    // A folder with other files is refused too; an empty one is filled.
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("notes")).unwrap();
    std::fs::write(root.path().join("notes/todo.txt"), "x").unwrap();
    let run = run_in(root.path(), &["init", "notes"]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("`notes` is not empty"),
        "{}",
        run.stderr
    );
    assert_eq!(files(&root.path().join("notes")), ["todo.txt"]);
    assert!(!root.path().join("schemas").exists());

    std::fs::create_dir(root.path().join("empty")).unwrap();
    // The folder the command runs in is never replaced under the shell.
    let run = run_in(&root.path().join("empty"), &["init", "."]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("is the folder you are in"),
        "{}",
        run.stderr
    );
    run_in(root.path(), &["init", "empty"]).assert_exit(0);
    check(&root.path().join("empty"), "json", &[]).assert_exit(0);
}

#[test]
fn init_keeps_schemas_already_beside_the_registry() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("schemas")).unwrap();
    std::fs::write(root.path().join("schemas/mine.json"), "{}").unwrap();
    let run = run_in(root.path(), &["init"]);
    run.assert_exit(0);
    assert!(
        !run.stderr.contains("wrote the editor schemas"),
        "{}",
        run.stderr
    );
    assert_eq!(files(&root.path().join("schemas")), ["mine.json"]);
}

/// A folder named `schemas` is where the editor schemas go beside the
/// registry: refused, nothing written.
#[test]
fn init_refuses_the_schemas_folder() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("schemas");
    let run = run_in(&manifest_dir(), &["init", target.to_str().unwrap()]);
    run.assert_exit(2);
    assert!(
        run.stderr
            .contains("is where the registry's editor schemas go"),
        "{}",
        run.stderr
    );
    assert!(!target.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
