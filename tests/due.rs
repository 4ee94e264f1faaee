//! `ropa due` end to end (docs/due.md): the fixture `tests/fixtures/due`
//! has a date of each kind, owned by two owners: an overdue review (12
//! months after `last_reviewed`), a DPIA of a planned activity, an active
//! activity's DPIA accepted by an `[[acknowledged]]`, a safeguard that
//! expires, a review with `next_review`, two acknowledgements that run out,
//! and data going to the UK, whose adequacy decision expires on 2031-12-27.

mod common;

use common::*;

const FIXTURE: &str = "due";

/// `ropa due --registry due <args>`, run inside tests/fixtures so the paths
/// of `--format github` are stable.
fn due(args: &[&str]) -> Run {
    let mut all = vec!["due", "--registry", FIXTURE];
    all.extend_from_slice(args);
    run_in(&fixtures_dir(), &all)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn snapshots_and_exit_1_when_something_is_overdue() {
    for format in ["human", "json", "github", "markdown"] {
        let run = due(&["--as-of", AS_OF, "--format", format]);
        run.assert_exit(1);
        assert_eq!(run.stderr, "", "--format {format} wrote to stderr");
        insta::assert_snapshot!(format!("{FIXTURE}-{format}"), run.stdout);
    }
}

#[test]
fn each_kind_of_date_is_listed_when_it_falls_within_the_window() {
    let run = due(&["--as-of", AS_OF, "--format", "json", "--within", "P6Y"]);
    run.assert_exit(1);
    let v = json(&run);
    let items = v["items"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i["date"].as_str().unwrap(), i["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("2026-10-15", "review"),
            ("2026-11-24", "dpia"),
            ("2026-11-24", "dpia"),
            ("2027-01-10", "review"),
            ("2027-01-15", "acknowledgement-ends"),
            ("2027-01-20", "acknowledgement-ends"),
            ("2027-01-22", "safeguard-expires"),
            ("2027-06-01", "review"),
            ("2031-12-27", "adequacy-expires"),
        ]
    );
    // The UK's decision is no entry: owned by the activity whose data goes there.
    let uk = &items[8];
    assert_eq!(uk["owners"], serde_json::json!(["Customer service"]));
    assert!(uk["file"].is_null() && uk["entry"].is_null(), "{uk}");
    assert!(
        uk["what"].as_str().unwrap().contains("United Kingdom"),
        "{uk}"
    );
    // The processor's acknowledgement is owned by the activity that uses it.
    assert_eq!(items[4]["owners"], serde_json::json!(["HR"]));
    assert_eq!(items[4]["entry"]["id"], "newsletter");
    assert_eq!(v["overdue"], 1);
    // The default window is 60 days: the review of June 2027 is left out.
    let run = due(&["--as-of", AS_OF, "--format", "json"]);
    assert_eq!(json(&run)["items"].as_array().unwrap().len(), 7);
    assert_eq!(json(&run)["until"], "2027-01-23");
}

#[test]
fn exit_0_when_nothing_is_overdue() {
    // Before the review falls due; the active DPIA is accepted until 2027-01-20.
    let run = due(&["--as-of", "2025-06-01"]);
    run.assert_exit(0);
    assert!(run.stdout.contains("overdue (accepted)"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("accepted until 2027-01-20: The DPIA is being written"),
        "{}",
        run.stdout
    );
    // Once the acknowledgement has run out, the DPIA is overdue again.
    // (The safeguard has not expired yet: that would be an error too.)
    let run = due(&["--as-of", "2027-01-21", "--format", "json"]);
    run.assert_exit(1);
    let v = json(&run);
    let dpia = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "dpia" && i["entry"]["id"] == "support")
        .unwrap();
    assert_eq!(dpia["needs_action"], true, "{dpia}");
}

#[test]
fn nothing_due_is_said_once_and_markdown_is_empty() {
    let reg = manifest_dir().join("registry");
    let reg = reg.to_str().unwrap();
    let human = run_in(
        &manifest_dir(),
        &["due", "--registry", reg, "--as-of", AS_OF],
    );
    human.assert_exit(0);
    assert_eq!(
        human.stdout,
        "Nothing falls due by 2027-01-23 (as of 2026-11-24, within P60D).\n"
    );
    let md = run_in(
        &manifest_dir(),
        &[
            "due",
            "--registry",
            reg,
            "--as-of",
            AS_OF,
            "--format",
            "markdown",
        ],
    );
    md.assert_exit(0);
    assert_eq!(md.stdout, "");
}

#[test]
fn a_registry_whose_files_do_not_load_is_listed_as_far_as_it_loads_with_exit_2() {
    let r = TempRegistry::empty();
    copy_dir(&fixture(FIXTURE), r.path());
    // A rule's error leaves the list whole: it is listed as usual.
    r.remove("transfers/london-host-gb.toml");
    let run = run_in(
        r.path(),
        &["due", "--registry", ".", "--as-of", "2025-06-01"],
    );
    run.assert_exit(0);
    assert_eq!(run.stderr, "");
    // A file that does not load may hide a date: exit 2.
    r.write("activities/broken.toml", "name = \"Broken\"\n[review\n");
    let run = run_in(
        r.path(),
        &[
            "due",
            "--registry",
            ".",
            "--as-of",
            "2025-06-01",
            "--format",
            "markdown",
        ],
    );
    run.assert_exit(2);
    assert!(
        run.stderr
            .contains("error: the registry has 1 error in its files (run `ropa check`)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("this list may be incomplete"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("### HR (1)"), "{}", run.stdout);
}

#[test]
fn usage_errors_exit_2() {
    for within in ["60", "PT12H", "P-1D", "P99999999999D"] {
        let run = due(&["--as-of", AS_OF, "--within", within]);
        run.assert_exit(2);
        assert!(run.stderr.contains("--within"), "{within}: {}", run.stderr);
    }
    let run = due(&["--as-of", "2026-13-01"]);
    run.assert_exit(2);
    let missing = run_in(&fixtures_dir(), &["due", "--registry", "no-such-folder"]);
    missing.assert_exit(2);
    assert!(missing.stderr.starts_with("error: "), "{}", missing.stderr);
}
