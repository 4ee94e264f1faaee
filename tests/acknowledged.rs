//! Acknowledged warnings (contract 1.1), end to end: the fixture
//! `tests/fixtures/acknowledged` has two warnings, both accepted on the
//! record with `[[acknowledged]]`. Variants are copies of it with one file
//! changed.

mod common;

use common::*;

const FIXTURE: &str = "acknowledged";
const HOSTING: &str = "processors/shop-hosting.toml";

/// A copy of the fixture, to change.
fn copy() -> TempRegistry {
    let r = TempRegistry::empty();
    copy_dir(&fixture(FIXTURE), r.path());
    r
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(fixture(FIXTURE).join(rel)).unwrap()
}

/// The `--format json --show-acknowledged` array, raw: acknowledged objects
/// have a key more than the seven `parse_json` checks.
fn json_values(run: &Run) -> Vec<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(&run.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn snapshots() {
    for format in ["human", "json", "github"] {
        let run = check_fixture(FIXTURE, format, &[]);
        run.assert_exit(0);
        assert_eq!(run.stderr, "", "--format {format} wrote to stderr");
        insta::assert_snapshot!(format!("{FIXTURE}-{format}"), run.stdout);
    }
    let run = check_fixture(FIXTURE, "json", &["--show-acknowledged"]);
    run.assert_exit(0);
    insta::assert_snapshot!(format!("{FIXTURE}-json-show-acknowledged"), run.stdout);
}

#[test]
fn acknowledged_warnings_are_silenced_and_counted() {
    let human = check_fixture(FIXTURE, "human", &[]);
    human.assert_exit(0);
    assert_eq!(human.stdout, "0 errors, 0 warnings, 2 acknowledged\n");
    let json = check_fixture(FIXTURE, "json", &[]);
    assert_eq!(json.diags(), vec![]);
    let github = check_fixture(FIXTURE, "github", &[]);
    assert_eq!(github.stdout, "");
}

#[test]
fn deny_warnings_passes_when_every_warning_is_acknowledged() {
    for format in ["human", "json", "github"] {
        check_fixture(FIXTURE, format, &["--deny-warnings"]).assert_exit(0);
    }
    let human = check_fixture(FIXTURE, "human", &["--deny-warnings"]);
    assert_eq!(human.stdout, "0 errors, 0 warnings, 2 acknowledged\n");
    // Shown, they are still warnings.
    let shown = check_fixture(FIXTURE, "json", &["--deny-warnings", "--show-acknowledged"]);
    shown.assert_exit(0);
    let items = json_values(&shown);
    assert_eq!(items.len(), 2);
    assert!(
        items.iter().all(|d| d["severity"] == "warning"),
        "{items:#?}"
    );
}

#[test]
fn deny_warnings_fails_on_a_warning_that_is_not_acknowledged() {
    let r = copy();
    // The activity's review is overdue: nothing accepts that.
    let activity = read("activities/web-shop.toml")
        .replace("last_reviewed = 2026-06-30", "last_reviewed = 2025-06-30");
    r.write("activities/web-shop.toml", activity);

    let plain = check(r.path(), "human", &[]);
    plain.assert_exit(0);
    assert!(
        plain
            .stdout
            .ends_with("0 errors, 1 warning, 2 acknowledged\n"),
        "{}",
        plain.stdout
    );
    assert!(
        plain.stdout.contains("warning[review-overdue]"),
        "{}",
        plain.stdout
    );

    let denied = check(r.path(), "human", &["--deny-warnings"]);
    denied.assert_exit(1);
    assert!(
        denied.stdout.contains("error[review-overdue]"),
        "{}",
        denied.stdout
    );
    assert!(!denied.stdout.contains("dpa-missing"), "{}", denied.stdout);
    assert!(
        denied
            .stdout
            .ends_with("1 error, 0 warnings, 2 acknowledged\n"),
        "{}",
        denied.stdout
    );
    let json = check(r.path(), "json", &["--deny-warnings"]);
    json.assert_exit(1);
    let diags = json.diags();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code, "review-overdue");
    assert_eq!(diags[0].severity, "error");
    let github = check(r.path(), "github", &["--deny-warnings"]);
    github.assert_exit(1);
    assert!(
        github.stdout.starts_with("::error ") && github.stdout.lines().count() == 1,
        "{}",
        github.stdout
    );
}

#[test]
fn show_acknowledged_gives_reason_and_until() {
    let run = check_fixture(FIXTURE, "json", &["--show-acknowledged"]);
    run.assert_exit(0);
    let items = json_values(&run);
    assert_eq!(items.len(), 2, "{items:#?}");
    let by_file = |f: &str| items.iter().find(|d| d["file"] == f).unwrap();
    let hosting = by_file(HOSTING);
    assert_eq!(hosting["code"], "dpa-missing");
    assert_eq!(hosting["severity"], "warning");
    assert_eq!(
        hosting["acknowledged"],
        serde_json::json!({
            "reason": "The DPA is the provider's online terms, accepted 2024; no signature date exists.",
            "until": "2027-06-30"
        })
    );
    let newsletter = by_file("processors/newsletter.toml");
    assert_eq!(newsletter["acknowledged"]["until"], serde_json::Value::Null);
    assert!(
        newsletter["acknowledged"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("The contract is being renegotiated")
    );
    // The flag changes only the JSON: the other formats are as without it.
    for format in ["human", "github"] {
        assert_eq!(
            check_fixture(FIXTURE, format, &["--show-acknowledged"]).stdout,
            check_fixture(FIXTURE, format, &[]).stdout
        );
    }
}

#[test]
fn unacknowledged_objects_keep_the_contract_shape_with_the_flag() {
    let r = copy();
    r.remove("processors/newsletter.toml");
    r.write(
        "activities/web-shop.toml",
        read("activities/web-shop.toml")
            .replace("[\"shop-hosting\", \"newsletter\"]", "[\"shop-hosting\"]")
            .replace("last_reviewed = 2026-06-30", "last_reviewed = 2025-06-30"),
    );
    let run = check(r.path(), "json", &["--show-acknowledged"]);
    run.assert_exit(0);
    let items = json_values(&run);
    assert_eq!(items.len(), 2, "{items:#?}");
    let overdue = items
        .iter()
        .find(|d| d["code"] == "review-overdue")
        .unwrap();
    assert!(overdue.get("acknowledged").is_none(), "{overdue}");
    let keys: Vec<&str> = overdue
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, JSON_KEYS, "the contract's keys, in its order");
}

#[test]
fn an_expired_acknowledgement_brings_the_warning_back() {
    let r = copy();
    r.write(
        HOSTING,
        read(HOSTING).replace("until = 2027-06-30", "until = 2026-06-30"),
    );
    let run = check(r.path(), "json", &[]);
    run.assert_exit(0);
    let diags = run.diags();
    assert_eq!(
        codes(&diags),
        ["acknowledgement-expired", "dpa-missing"]
            .map(String::from)
            .into(),
    );
    one(&diags, "dpa-missing", HOSTING);
    let expired = one(&diags, "acknowledgement-expired", HOSTING);
    assert_eq!(expired.severity, "warning");
    assert_points_at(r.path(), expired, "2026-06-30");
    assert!(
        expired.message.contains("2026-06-30"),
        "{}",
        expired.message
    );

    let human = check(r.path(), "human", &[]);
    assert!(
        human
            .stdout
            .ends_with("0 errors, 2 warnings, 1 acknowledged\n"),
        "{}",
        human.stdout
    );
    check(r.path(), "human", &["--deny-warnings"]).assert_exit(1);
}

#[test]
fn an_acknowledgement_that_silences_nothing_warns() {
    let r = copy();
    r.write(
        HOSTING,
        read(HOSTING).replace(
            "country = \"SE\"\n",
            "country = \"SE\"\ndpa_signed = 2025-03-01\n",
        ),
    );
    let run = check(r.path(), "json", &[]);
    run.assert_exit(0);
    let diags = run.diags();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let unused = one(&diags, "acknowledgement-unused", HOSTING);
    assert_points_at(r.path(), unused, "\"dpa-missing\"");
    assert!(
        unused.help.as_deref().unwrap().contains("remove"),
        "{unused:?}"
    );
    check(r.path(), "json", &["--deny-warnings"]).assert_exit(1);
}

#[test]
fn an_acknowledgement_of_anything_but_a_warning_is_refused() {
    let written = "code = \"dpa-missing\"\n";
    for (replacement, token, says) in [
        (
            "code = \"transfer-uncovered\"\n",
            "\"transfer-uncovered\"",
            "errors cannot be acknowledged",
        ),
        (
            "code = \"dpa-mising\"\n",
            "\"dpa-mising\"",
            "did you mean `dpa-missing`?",
        ),
        ("", "[[acknowledged]]", "code"),
    ] {
        let r = copy();
        r.write(HOSTING, read(HOSTING).replace(written, replacement));
        let run = check(r.path(), "json", &[]);
        run.assert_exit(1);
        let diags = run.diags();
        let schema = one(&diags, "schema", HOSTING);
        assert_eq!(schema.severity, "error");
        assert_points_at(r.path(), schema, token);
        let text = format!(
            "{} {}",
            schema.message,
            schema.help.as_deref().unwrap_or("")
        );
        assert!(text.contains(says), "{says} in {schema:#?}");
        // Refused, it accepts nothing: the warning is reported.
        one(&diags, "dpa-missing", HOSTING);
    }
}

#[test]
fn an_acknowledgement_without_a_reason_is_refused() {
    for reason in ["", "reason = \"  \"\n"] {
        let r = copy();
        let text = read(HOSTING);
        let start = text.find("reason = ").unwrap();
        let end = start + text[start..].find('\n').unwrap() + 1;
        r.write(
            HOSTING,
            format!("{}{reason}{}", &text[..start], &text[end..]),
        );
        let run = check(r.path(), "json", &[]);
        run.assert_exit(1);
        let diags = run.diags();
        let schema = one(&diags, "schema", HOSTING);
        assert!(schema.message.contains("reason"), "{schema:#?}");
        one(&diags, "dpa-missing", HOSTING);
    }
}

#[test]
fn build_and_export_leave_acknowledged_warnings_out() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let registry = fixture(FIXTURE);
    let reg = registry.to_str().unwrap();
    let run = run_in(
        &manifest_dir(),
        &[
            "build",
            "--registry",
            reg,
            "--as-of",
            AS_OF,
            "--out",
            site.to_str().unwrap(),
            "--deny-warnings",
        ],
    );
    run.assert_exit(0);
    assert!(!run.stderr.contains("dpa-missing"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("0 errors, 0 warnings, 2 acknowledged\n"),
        "{}",
        run.stderr
    );

    // The dashboard counts them apart from the open warnings, with their
    // reasons.
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let (open, accepted) = index
        .split_once("Acknowledged warnings")
        .expect("an acknowledged panel");
    assert!(!open.contains("dpa-missing"), "{index}");
    assert!(open.contains("No open warnings."), "{index}");
    assert!(accepted.contains("dpa-missing"), "{index}");
    assert!(
        accepted.contains("The contract is being renegotiated"),
        "{index}"
    );

    let file = out.path().join("ropa.json");
    let run = run_in(
        &manifest_dir(),
        &[
            "export",
            "--registry",
            reg,
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--out",
            file.to_str().unwrap(),
            "--deny-warnings",
        ],
    );
    run.assert_exit(0);
    assert!(!run.stderr.contains("dpa-missing"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("0 errors, 0 warnings, 2 acknowledged\n"),
        "{}",
        run.stderr
    );
}
