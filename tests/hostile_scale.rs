//! Hostile input at scale (issue 6): a registry of 100,000 files and one
//! nested 1,500 folders deep. Neither may crash, hang or lose an entry.

mod common;

use std::time::Duration;

use common::*;

/// 100,000 files: 99,990 activities plus a few hundred files that are not
/// ours (every one of them is walked). The check must finish, find every
/// activity, and say nothing but the one expected warning kind.
#[test]
fn hundred_thousand_files() {
    let reg = TempRegistry::minimal();
    let activities = 99_990;
    // Spread over 100 folders, as a large organisation would.
    for i in 0..activities {
        reg.write(
            &format!("activities/dept-{:03}/a-{i:06}.toml", i % 100),
            ACTIVITY,
        );
    }
    for i in 0..6 {
        reg.write(&format!("activities/dept-{i:03}/NOTES-{i}.md"), "not ours");
    }
    let files = walkdir::WalkDir::new(reg.path())
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .count();
    assert_eq!(files, 100_000);

    let mut cmd = ropa_command();
    cmd.args([
        "export",
        "--compact",
        "--as-of",
        AS_OF,
        "--registry",
        reg.path().to_str().unwrap(),
    ]);
    let run = run_with_timeout(cmd, Duration::from_secs(300));
    run.assert_exit(0);
    let register: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let listed = register["controller_record"]["activities"]
        .as_array()
        .unwrap()
        .len();
    // The minimal registry's own activity, and every generated one.
    assert_eq!(listed, activities + 1);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// An activity 1,500 folders down (a path of about 3,000 bytes) is found,
/// checked and gets its page; the walk neither recurses nor runs out of
/// file handles.
#[test]
fn deep_folder_nesting() {
    let reg = TempRegistry::minimal();
    let depth = 1_500;
    let rel = format!("activities/{}deep-activity.toml", "d/".repeat(depth));
    reg.write(&rel, ACTIVITY);
    // A sibling that is wrong, at the same depth, must be reported with its
    // full path.
    let bad = format!("activities/{}bad name.toml", "d/".repeat(depth));
    reg.write(&bad, ACTIVITY);

    let run = check(reg.path(), "json", &[]);
    run.assert_exit(1);
    let diags = run.diags();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code, "bad-id");
    assert_eq!(diags[0].file, bad);

    reg.remove(&bad);
    let site = tempfile::tempdir().unwrap();
    let out = site.path().join("site");
    let mut cmd = ropa_command();
    cmd.args([
        "build",
        "--as-of",
        AS_OF,
        "--registry",
        reg.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let run = run_with_timeout(cmd, RUN_TIMEOUT);
    run.assert_exit(0);
    // The id is the file name, wherever the file is.
    assert!(out.join("activities/deep-activity.html").is_file());
    let page = std::fs::read_to_string(out.join("activities/deep-activity.html")).unwrap();
    assert!(page.contains("Customer accounts"));
}
