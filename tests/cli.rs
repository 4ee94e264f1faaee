//! End-to-end tests of `ropa check` on the fixture registries in
//! `tests/fixtures/`: output snapshots in the three formats, the rule codes
//! each fixture fires, positions, ordering, determinism and the command line.

mod common;

use std::collections::BTreeSet;

use common::*;

const FORMATS: [&str; 3] = ["human", "json", "github"];

/// Snapshots the three output formats of a fixture and asserts the exit status.
fn snapshot_fixture(name: &str, exit: i32) {
    for format in FORMATS {
        let run = check_fixture(name, format, &[]);
        run.assert_exit(exit);
        assert_eq!(run.stderr, "", "{name} --format {format} wrote to stderr");
        insta::assert_snapshot!(format!("{name}-{format}"), run.stdout);
    }
}

#[test]
fn valid_saas_snapshots() {
    snapshot_fixture("valid-saas", 0);
}

#[test]
fn broken_legal_snapshots() {
    snapshot_fixture("broken-legal", 1);
}

#[test]
fn broken_schema_snapshots() {
    snapshot_fixture("broken-schema", 1);
}

#[test]
fn warnings_only_snapshots() {
    snapshot_fixture("warnings-only", 0);
}

// ------------------------------------------------------------ rule coverage

#[test]
fn valid_saas_has_no_diagnostic_at_all() {
    let run = check_fixture("valid-saas", "json", &[]);
    run.assert_exit(0);
    assert_eq!(
        run.diags(),
        vec![],
        "the valid fixture must not fire any rule"
    );
    let human = check_fixture("valid-saas", "human", &[]);
    human.assert_exit(0);
    assert_eq!(human.stdout, "0 errors, 0 warnings\n");
    let github = check_fixture("valid-saas", "github", &[]);
    github.assert_exit(0);
    assert_eq!(github.stdout, "");
    // Even with --deny-warnings: there is nothing to deny.
    check_fixture("valid-saas", "json", &["--deny-warnings"]).assert_exit(0);
}

fn fixture_codes(name: &str) -> BTreeSet<String> {
    let run = check_fixture(name, "json", &[]);
    run.assert_exit(1);
    codes(&run.diags())
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn broken_legal_fires_exactly_the_legal_rules() {
    assert_eq!(
        fixture_codes("broken-legal"),
        set(&[
            "adequacy-invalid",
            "derogation-missing",
            "derogation-used",
            "safeguard-kind-mismatch",
            "safeguard-missing",
            "scc-module-invalid",
            "scc-repealed",
            "tia-missing",
            "transfer-inside-eea",
            "transfer-uncovered",
        ])
    );
}

#[test]
fn broken_schema_fires_exactly_the_schema_and_hygiene_rules() {
    assert_eq!(
        fixture_codes("broken-schema"),
        set(&[
            "bad-id",
            "controllers-missing",
            "dangling-reference",
            "dpa-missing",
            "dpia-incomplete",
            "duplicate-id",
            "joint-controllers-missing",
            "legal-basis-missing",
            "legitimate-interest-missing",
            "measures-missing",
            "retention-missing",
            "review-overdue",
            "schema",
            "special-category-condition-missing",
            "syntax",
            "unknown-country",
            "unused",
        ])
    );
}

#[test]
fn the_broken_fixtures_together_fire_every_contract_code() {
    let mut fired = fixture_codes("broken-legal");
    fired.extend(fixture_codes("broken-schema"));
    let contract: BTreeSet<String> = CONTRACT_CODES.iter().map(|(c, _)| c.to_string()).collect();
    let missing: Vec<_> = contract.difference(&fired).collect();
    assert!(
        missing.is_empty(),
        "contract codes that no fixture fires: {missing:?}"
    );
    // And nothing outside the contract and its documented extensions.
    for c in &fired {
        assert!(severity_of(c).is_some(), "unknown code `{c}`");
    }
}

// ------------------------------------------------------------ broken-legal details

#[test]
fn broken_legal_reports_each_transfer_problem_where_it_is() {
    let root = fixture("broken-legal");
    let d = check_fixture("broken-legal", "json", &[]).diags();

    let ad = one(&d, "adequacy-invalid", "transfers/dev-agency-in.toml");
    assert_points_at(&root, ad, "\"adequacy\"");
    assert!(ad.message.contains("India (IN)"), "{}", ad.message);

    let us = one(&d, "adequacy-invalid", "transfers/analytics-us.toml");
    assert_points_at(&root, us, "\"adequacy\"");
    assert!(
        us.message.contains("Data Privacy Framework") && us.message.contains("`analytics-us`"),
        "{}",
        us.message
    );

    // GB has an adequacy decision in force on the as-of date: nothing to say.
    assert!(
        d.iter().all(|x| x.file != "transfers/mailer-gb.toml"),
        "{d:#?}"
    );

    let mm = one(&d, "safeguard-kind-mismatch", "transfers/payments-us.toml");
    assert_points_at(&root, mm, "\"bcr-brightloop-group\"");
    assert!(mm.message.contains("`bcr`"), "{}", mm.message);

    assert_points_at(
        &root,
        one(&d, "safeguard-missing", "transfers/cdn-provider-us.toml"),
        "\"scc\"",
    );
    assert_points_at(
        &root,
        one(&d, "derogation-missing", "transfers/travel-agency-th.toml"),
        "\"derogation\"",
    );
    assert_points_at(
        &root,
        one(
            &d,
            "derogation-used",
            "transfers/us-litigation-counsel.toml",
        ),
        "\"legal-claims\"",
    );
    assert_points_at(
        &root,
        one(&d, "scc-repealed", "safeguards/scc-helpline-2019.toml"),
        "\"2010/87/EU\"",
    );
    assert_points_at(
        &root,
        one(&d, "scc-module-invalid", "safeguards/scc-vault-asia.toml"),
        "5]",
    );
    let none = one(&d, "scc-module-invalid", "safeguards/scc-kanga.toml");
    assert!(none.message.contains("module"), "{}", none.message);
    assert_points_at(
        &root,
        one(&d, "tia-missing", "transfers/chat-widget-us.toml"),
        "\"scc\"",
    );

    // Rule 8: a transfer inside the EEA gets only `transfer-inside-eea`, even
    // though its scc has neither safeguard nor [tia].
    let eea: Vec<_> = d
        .iter()
        .filter(|x| x.file == "transfers/print-shop-de.toml")
        .collect();
    assert_eq!(eea.len(), 1, "{eea:#?}");
    assert_eq!(eea[0].code, "transfer-inside-eea");
    assert_points_at(&root, eea[0], "\"DE\"");
}

#[test]
fn broken_legal_coverage_names_party_country_and_chain() {
    let root = fixture("broken-legal");
    let d = check_fixture("broken-legal", "json", &[]).diags();
    let uncovered = with_code(&d, "transfer-uncovered");
    assert_eq!(uncovered.len(), 3, "{uncovered:#?}");

    // Through two levels of sub-processors, reported at the activity's reference.
    let chain = one(
        &d,
        "transfer-uncovered",
        "activities/product/running-the-app.toml",
    );
    assert_points_at(&root, chain, "\"platform-host\"");
    for part in ["`night-shift-ops`", "(IN)", "`platform-host`", "`db-ops`"] {
        assert!(
            chain.message.contains(part),
            "{part} not in: {}",
            chain.message
        );
    }
    // The party the data reaches first, then the way there, in order.
    let (party, p, s1) = (
        chain.message.find("`night-shift-ops`").unwrap(),
        chain.message.find("`platform-host`").unwrap(),
        chain.message.find("`db-ops`").unwrap(),
    );
    assert!(
        party < p && p < s1,
        "the chain is not in order: {}",
        chain.message
    );
    assert_eq!(chain.message.matches("`night-shift-ops`").count(), 1);
    assert!(
        chain
            .help
            .as_deref()
            .unwrap_or("")
            .contains("via = \"db-ops\""),
        "{chain:#?}"
    );

    // `locations = ["IE", "US"]`: the US location needs a transfer.
    let loc = one(
        &d,
        "transfer-uncovered",
        "activities/product/customer-support.toml",
    );
    assert_points_at(&root, loc, "\"email-suite\"");
    assert!(loc.message.contains("(US)"), "{}", loc.message);

    // A recipient in Brazil: Brazil has an adequacy decision, but the
    // coverage rule still wants a transfer entry naming it.
    let br = one(&d, "transfer-uncovered", "activities/sales/sales.toml");
    assert_points_at(&root, br, "\"reseller-br\"");
    assert!(br.message.contains("(BR)"), "{}", br.message);

    // A retired activity is exempt from coverage, even with a US processor
    // and no transfer.
    assert!(
        d.iter()
            .all(|x| x.file != "activities/archive/old-crm.toml"),
        "{d:#?}"
    );
    assert!(
        d.iter().all(|x| !x.message.contains("legacy-crm")),
        "{d:#?}"
    );
}

// ------------------------------------------------------------ broken-schema details

#[test]
fn broken_schema_points_at_each_mistake() {
    let root = fixture("broken-schema");
    let d = check_fixture("broken-schema", "json", &[]).diags();
    let find = |code: &str, file: &str, needle: &str| -> &Diag {
        d.iter()
            .find(|x| x.code == code && x.file == file && x.message.contains(needle))
            .unwrap_or_else(|| panic!("no `{code}` in {file} mentioning `{needle}`:\n{d:#?}"))
    };

    let typo = find(
        "schema",
        "activities/teaching/course-delivery.toml",
        "unknown key `purpose`",
    );
    assert_points_at(&root, typo, "purpose =");
    assert_eq!(typo.help.as_deref(), Some("did you mean `purposes`?"));
    let missing = find(
        "schema",
        "activities/teaching/course-delivery.toml",
        "`purposes`",
    );
    assert!(missing.message.contains("missing"), "{missing:#?}");

    let ty = find(
        "schema",
        "activities/support/student-support.toml",
        "data_subjects",
    );
    assert_points_at(&root, ty, "\"students\"");
    assert!(ty.message.contains("list"), "{ty:#?}");

    let name = find(
        "schema",
        "activities/teaching/exam-proctoring.toml",
        "`name`",
    );
    assert!(name.message.contains("missing"), "{name:#?}");

    let en = find(
        "schema",
        "activities/support/marketing-emails.toml",
        "legitimate-interest",
    );
    assert_points_at(&root, en, "\"legitimate-interest\"");
    assert!(
        en.help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean `legitimate-interests`?"),
        "{en:#?}"
    );

    let date = find(
        "schema",
        "activities/hr/staff-appraisals.toml",
        "last_reviewed",
    );
    assert_points_at(&root, date, "\"2026-05-01\"");
    assert!(
        date.help
            .as_deref()
            .unwrap_or("")
            .contains("last_reviewed = 2026-05-01"),
        "{date:#?}"
    );

    let dur = find(
        "schema",
        "activities/archive/alumni-records.toml",
        "2 years",
    );
    assert_points_at(&root, dur, "\"2 years\"");

    let uk = one(&d, "unknown-country", "processors/uk-tutoring.toml");
    assert_points_at(&root, uk, "\"UK\"");
    assert!(uk.help.as_deref().unwrap_or("").contains("`GB`"), "{uk:#?}");

    let bad = one(&d, "bad-id", "activities/HR Payroll.toml");
    assert!(bad.message.contains("HR Payroll"), "{bad:#?}");
    assert!(
        bad.help.as_deref().unwrap_or("").contains("hr-payroll"),
        "{bad:#?}"
    );

    let dup = one(
        &d,
        "duplicate-id",
        "activities/teaching/lesson-planning.toml",
    );
    assert!(dup.message.contains("lesson-planning"), "{dup:#?}");
    assert!(
        dup.help
            .as_deref()
            .unwrap_or("")
            .contains("activities/archive/lesson-planning.toml"),
        "{dup:#?}"
    );

    let folder = one(&d, "bad-id", "activity/webinars.toml");
    assert!(
        folder.help.as_deref().unwrap_or("").contains("activities/"),
        "{folder:#?}"
    );

    let dangling = one(
        &d,
        "dangling-reference",
        "activities/teaching/video-lessons.toml",
    );
    assert_points_at(&root, dangling, "\"video-platfrom\"");
    assert_eq!(
        dangling.help.as_deref(),
        Some("did you mean `video-platform`?")
    );

    assert_points_at(
        &root,
        one(
            &d,
            "legitimate-interest-missing",
            "activities/support/fraud-prevention.toml",
        ),
        "\"legitimate-interests\"",
    );
    assert_points_at(
        &root,
        one(
            &d,
            "special-category-condition-missing",
            "activities/support/exam-accommodations.toml",
        ),
        "\"health-data\"",
    );
    assert_points_at(
        &root,
        one(
            &d,
            "legal-basis-missing",
            "activities/support/parent-newsletter.toml",
        ),
        "name",
    );
    assert_points_at(
        &root,
        one(
            &d,
            "controllers-missing",
            "activities/teaching/school-hosting.toml",
        ),
        "\"processor\"",
    );
    assert_points_at(
        &root,
        one(
            &d,
            "joint-controllers-missing",
            "activities/teaching/research-partnership.toml",
        ),
        "\"joint-controller\"",
    );

    let syntax = one(&d, "syntax", "activities/teaching/library-loans.toml");
    assert_points_at(&root, syntax, "contract]");

    let overdue = one(&d, "review-overdue", "activities/hr/timesheets.toml");
    assert_points_at(&root, overdue, "2026-03-31");
    assert!(
        overdue.message.contains("2026-03-31") && overdue.message.contains(AS_OF),
        "{overdue:#?}"
    );

    assert_points_at(
        &root,
        one(
            &d,
            "dpia-incomplete",
            "activities/teaching/learning-analytics.toml",
        ),
        "true",
    );
    one(&d, "dpa-missing", "processors/print-supplier.toml");
    one(&d, "retention-missing", "activities/hr/canteen-orders.toml");
    one(&d, "measures-missing", "activities/hr/canteen-orders.toml");

    for (file, id) in [
        ("processors/old-lms.toml", "old-lms"),
        ("recipients/former-partner.toml", "former-partner"),
        ("safeguards/scc-old-vendor.toml", "scc-old-vendor"),
    ] {
        assert!(one(&d, "unused", file).message.contains(&format!("`{id}`")));
    }
    let unused_catalogue: Vec<_> = with_code(&d, "unused")
        .into_iter()
        .filter(|x| x.file != "processors/video-platform.toml")
        .collect();
    for (file, token) in [
        ("measures.toml", "legacy-firewall"),
        ("categories.toml", "applicants"),
        ("categories.toml", "old-marketing-segments"),
    ] {
        let u = unused_catalogue
            .iter()
            .find(|x| x.file == file && x.message.contains(&format!("`{token}`")))
            .unwrap_or_else(|| panic!("no `unused` for {token}"));
        assert_points_at(&root, u, token);
    }

    // A processor whose file does not decode (country "UK") is neither
    // reported as unused nor as missing its DPA: the error says it all.
    assert!(
        d.iter()
            .filter(|x| x.file == "processors/uk-tutoring.toml")
            .all(|x| x.code == "unknown-country"),
        "{d:#?}"
    );
}

// ------------------------------------------------------------ JSON shape and positions

#[test]
fn json_follows_the_contract_shape() {
    for name in [
        "valid-saas",
        "broken-legal",
        "broken-schema",
        "warnings-only",
    ] {
        let root = fixture(name);
        let run = check_fixture(name, "json", &[]);
        let diags = run.diags(); // checks array, object, exactly the seven keys, types
        for d in &diags {
            assert_eq!(
                Some(d.severity.as_str()),
                severity_of(&d.code),
                "severity of {d:#?}"
            );
            assert!(!d.message.is_empty() && !d.message.contains('\n'), "{d:#?}");
            assert!(
                !d.file.is_empty() && !d.file.contains('\\') && !d.file.starts_with('/'),
                "file must be relative and /-separated: {d:#?}"
            );
            assert!(
                !d.file.contains("fixtures"),
                "file must be relative to the registry: {d:#?}"
            );
            assert_eq!(
                d.line.is_some(),
                d.column.is_some(),
                "line and column go together: {d:#?}"
            );
            if let (Some(line), Some(col)) = (d.line, d.column) {
                assert!(line >= 1 && col >= 1, "positions are 1-based: {d:#?}");
                let text = std::fs::read_to_string(root.join(&d.file)).unwrap();
                let lines: Vec<&str> = text.split('\n').collect();
                assert!(
                    line <= lines.len(),
                    "line {line} past the end of {}: {d:#?}",
                    d.file
                );
                assert!(
                    col <= lines[line - 1].chars().count() + 1,
                    "column past the end of the line: {d:#?}"
                );
            } else {
                assert!(
                    matches!(
                        d.code.as_str(),
                        "bad-id"
                            | "schema"
                            | "unreadable-file"
                            | "file-too-large"
                            | "link-outside-registry"
                    ),
                    "{d:#?}"
                );
            }
            if let Some(h) = &d.help {
                assert!(!h.is_empty(), "{d:#?}");
            }
        }
    }
}

#[test]
fn diagnostics_are_sorted_by_file_then_line() {
    for name in ["broken-legal", "broken-schema", "warnings-only"] {
        let diags = check_fixture(name, "json", &[]).diags();
        assert!(diags.len() > 1);
        for w in diags.windows(2) {
            assert!(
                w[0].sort_key() <= w[1].sort_key(),
                "{name}: out of order:\n{:#?}\n{:#?}",
                w[0],
                w[1]
            );
        }
    }
}

/// The three formats report the same diagnostics in the same order.
#[test]
fn formats_agree() {
    for name in ["broken-legal", "broken-schema", "warnings-only"] {
        let diags = check_fixture(name, "json", &[]).diags();
        let github = check_fixture(name, "github", &[]).stdout;
        let lines: Vec<&str> = github.lines().collect();
        assert_eq!(
            lines.len(),
            diags.len(),
            "{name}: one workflow command per diagnostic:\n{github}"
        );
        for (l, d) in lines.iter().zip(&diags) {
            let mut expected = format!(
                "::{} file={}/{}",
                d.severity,
                name,
                d.file.replace(',', "%2C").replace(':', "%3A")
            );
            if let (Some(line), Some(col)) = (d.line, d.column) {
                expected.push_str(&format!(",line={line},col={col}"));
            }
            assert!(
                l.starts_with(&expected),
                "{name}: `{l}` should start with `{expected}`"
            );
            assert!(
                l.contains(&format!("::{}", d.message.replace('%', "%25"))),
                "{name}: `{l}` lacks the message of {d:#?}"
            );
        }

        let human = check_fixture(name, "human", &[]).stdout;
        let heads: Vec<String> = human
            .lines()
            .filter(|l| l.starts_with("error[") || l.starts_with("warning["))
            .map(str::to_string)
            .collect();
        let expected: Vec<String> = diags
            .iter()
            .map(|d| format!("{}[{}]: {}", d.severity, d.code, d.message))
            .collect();
        assert_eq!(heads, expected, "{name}: human headers differ from JSON");
        let errors = diags.iter().filter(|d| d.severity == "error").count();
        let warnings = diags.len() - errors;
        let plural = |n: usize, w: &str| {
            if n == 1 {
                format!("1 {w}")
            } else {
                format!("{n} {w}s")
            }
        };
        assert_eq!(
            human.lines().last(),
            Some(
                format!(
                    "{}, {}",
                    plural(errors, "error"),
                    plural(warnings, "warning")
                )
                .as_str()
            )
        );
        for d in &diags {
            if let (Some(line), Some(col)) = (d.line, d.column) {
                let arrow = format!("--> {}:{line}:{col}", d.file);
                assert!(
                    human.contains(&arrow),
                    "{name}: human output lacks `{arrow}`"
                );
            }
        }
    }
}

#[test]
fn output_is_identical_across_runs() {
    for name in ["broken-legal", "broken-schema", "valid-saas"] {
        for format in FORMATS {
            let a = check_fixture(name, format, &[]);
            let b = check_fixture(name, format, &[]);
            assert_eq!(a.code, b.code);
            assert_eq!(
                a.stdout, b.stdout,
                "{name} --format {format} differs between runs"
            );
        }
    }
}

// ------------------------------------------------------------ warnings, --deny-warnings

#[test]
fn deny_warnings_fails_a_registry_with_only_warnings() {
    let plain = check_fixture("warnings-only", "json", &[]);
    plain.assert_exit(0);
    let diags = plain.diags();
    assert_eq!(codes(&diags), set(&["dpa-missing", "review-overdue"]));
    assert!(diags.iter().all(|d| d.severity == "warning"));

    let denied = check_fixture("warnings-only", "json", &["--deny-warnings"]);
    denied.assert_exit(1);
    let diags = denied.diags();
    assert_eq!(
        codes(&diags),
        set(&["dpa-missing", "review-overdue"]),
        "the same diagnostics, with a new severity"
    );
    assert!(diags.iter().all(|d| d.severity == "error"), "{diags:#?}");

    for format in ["human", "github"] {
        check_fixture("warnings-only", format, &["--deny-warnings"]).assert_exit(1);
        check_fixture("warnings-only", format, &[]).assert_exit(0);
    }
    let human = check_fixture("warnings-only", "human", &["--deny-warnings"]).stdout;
    assert!(human.ends_with("2 errors, 0 warnings\n"), "{human}");
}

#[test]
fn the_example_registry_has_no_errors() {
    let run = check(&manifest_dir().join("registry"), "json", &[]);
    run.assert_exit(0);
    let errors: Vec<_> = run
        .diags()
        .into_iter()
        .filter(|d| d.severity == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

// ------------------------------------------------------------ the as-of date

const WARNINGS_ONLY_DUE: &str = "2026-06-30";
/// 2026-06-01T12:00:00Z, before the review of `warnings-only` is due.
const EPOCH_BEFORE_DUE: &str = "1780315200";
/// 2026-07-15T12:00:00Z, after it.
const EPOCH_AFTER_DUE: &str = "1784116800";

fn check_with_epoch(epoch: &str, extra: &[&str]) -> Run {
    let mut c = ropa_command();
    c.current_dir(fixtures_dir())
        .args(["check", "--registry", "warnings-only", "--format", "json"])
        .args(extra)
        .env("SOURCE_DATE_EPOCH", epoch);
    run_with_timeout(c, RUN_TIMEOUT)
}

#[test]
fn source_date_epoch_sets_the_as_of_date() {
    let before = check_with_epoch(EPOCH_BEFORE_DUE, &[]);
    before.assert_exit(0);
    assert!(
        with_code(&before.diags(), "review-overdue").is_empty(),
        "{:#?}",
        before.diags()
    );

    let after = check_with_epoch(EPOCH_AFTER_DUE, &[]);
    after.assert_exit(0);
    let d = after.diags();
    let overdue = one(&d, "review-overdue", "activities/web-shop.toml");
    assert!(overdue.message.contains(WARNINGS_ONLY_DUE), "{overdue:#?}");
    assert!(
        overdue.message.contains("2026-07-15"),
        "the as-of date comes from SOURCE_DATE_EPOCH: {overdue:#?}"
    );

    // The due date itself is not overdue: "before the as-of date".
    let on_due = check_with_epoch("1782820800", &[]); // 2026-06-30T12:00:00Z
    assert!(with_code(&on_due.diags(), "review-overdue").is_empty());
}

#[test]
fn as_of_wins_over_source_date_epoch() {
    let run = check_with_epoch(EPOCH_AFTER_DUE, &["--as-of", "2026-06-01"]);
    run.assert_exit(0);
    assert!(
        with_code(&run.diags(), "review-overdue").is_empty(),
        "{:#?}",
        run.diags()
    );
}

#[test]
fn invalid_source_date_epoch_is_a_usage_error() {
    for bad in ["yesterday", "1.5e9", ""] {
        let run = check_with_epoch(bad, &[]);
        run.assert_exit(2);
        assert_eq!(run.stdout, "", "nothing on stdout for {bad:?}");
        assert_eq!(
            run.stderr.trim_end().lines().count(),
            1,
            "one-line message for {bad:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("SOURCE_DATE_EPOCH"), "{}", run.stderr);
    }
}

#[test]
fn a_later_as_of_date_lets_decisions_and_reviews_lapse() {
    // The UK adequacy decision is bundled with `expires = 2031-12-27`.
    let run = run_in(
        &fixtures_dir(),
        &[
            "check",
            "--registry",
            "valid-saas",
            "--as-of",
            "2032-01-01",
            "--format",
            "json",
        ],
    );
    run.assert_exit(1);
    let d = run.diags();
    let gb = one(&d, "adequacy-invalid", "transfers/mail-relay-gb.toml");
    assert!(gb.message.contains("2031-12-27"), "{gb:#?}");
    assert!(!with_code(&d, "review-overdue").is_empty());
}

// ------------------------------------------------------------ command line errors

fn assert_usage_error(run: &Run, mentions: &str) {
    run.assert_exit(2);
    assert_eq!(run.stdout, "", "nothing on stdout");
    assert!(
        run.stderr.contains(mentions),
        "stderr should mention `{mentions}`: {}",
        run.stderr
    );
}

#[test]
fn missing_registry_folder_is_exit_2_with_one_line() {
    let run = run_in(
        &fixtures_dir(),
        &["check", "--registry", "no-such-registry", "--as-of", AS_OF],
    );
    assert_usage_error(&run, "no-such-registry");
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
}

#[test]
fn registry_that_is_a_file_is_exit_2() {
    let run = run_in(
        &fixtures_dir(),
        &[
            "check",
            "--registry",
            "valid-saas/organisation.toml",
            "--as-of",
            AS_OF,
        ],
    );
    assert_usage_error(&run, "organisation.toml");
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
}

#[test]
fn bad_as_of_is_exit_2() {
    for bad in ["2026-13-01", "2026-02-30", "24.11.2026", "tomorrow"] {
        let run = run_in(
            &fixtures_dir(),
            &["check", "--registry", "valid-saas", "--as-of", bad],
        );
        assert_usage_error(&run, bad);
    }
}

#[test]
fn unknown_format_is_exit_2() {
    let run = run_in(
        &fixtures_dir(),
        &[
            "check",
            "--registry",
            "valid-saas",
            "--as-of",
            AS_OF,
            "--format",
            "xml",
        ],
    );
    assert_usage_error(&run, "xml");
}

#[test]
fn registry_defaults_to_the_registry_folder() {
    // Run from the crate root, where `registry/` is the example registry.
    let default = run_in(
        &manifest_dir(),
        &["check", "--as-of", AS_OF, "--format", "json"],
    );
    let explicit = run_in(
        &manifest_dir(),
        &[
            "check",
            "--registry",
            "registry",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
    );
    default.assert_exit(0);
    assert_eq!(default.stdout, explicit.stdout);
}

/// `ropa --version` names the version and the as-of date of the bundled
/// adequacy list (the date is read from the list itself, not copied here).
#[test]
fn version_names_the_bundled_adequacy_date() {
    let list = std::fs::read_to_string(manifest_dir().join("src/reference/adequacy.toml")).unwrap();
    let as_of = list
        .lines()
        .find_map(|l| l.strip_prefix("as_of = "))
        .expect("adequacy.toml has an as_of line")
        .trim()
        .trim_matches('"');
    for flag in ["--version", "-V"] {
        let run = run_in(&manifest_dir(), &[flag]);
        run.assert_exit(0);
        assert_eq!(
            run.stdout.trim(),
            format!(
                "ropa {} (bundled adequacy list as of {as_of})",
                env!("CARGO_PKG_VERSION")
            )
        );
    }
}

// ------------------------------------------------------------ contract 1.1

#[test]
fn contract_1_1_snapshots() {
    snapshot_fixture("contract-1-1", 1);
    snapshot_fixture("contract-1-1-abroad", 0);
}

#[test]
fn the_contract_1_1_fixtures_fire_every_new_code() {
    let mut fired = fixture_codes("contract-1-1");
    let abroad = check_fixture("contract-1-1-abroad", "json", &[]);
    abroad.assert_exit(0);
    let abroad = codes(&abroad.diags());
    assert_eq!(
        abroad,
        set(&["representative-missing"]),
        "the company abroad"
    );
    fired.extend(abroad);
    let new: BTreeSet<String> = CONTRACT_1_1_CODES
        .iter()
        .map(|(c, _)| c.to_string())
        .collect();
    let missing: Vec<_> = new.difference(&fired).collect();
    assert!(
        missing.is_empty(),
        "codes of 1.1 that no fixture fires: {missing:?}"
    );
    for c in &fired {
        assert!(severity_of(c).is_some(), "unknown code `{c}`");
    }
}

#[test]
fn contract_1_1_acknowledged_warning_is_counted_not_printed() {
    let human = check_fixture("contract-1-1", "human", &[]);
    assert!(
        human.stdout.trim_end().ends_with(", 1 acknowledged"),
        "{}",
        human.stdout
    );
    assert!(
        !human.stdout.contains("warning[review-overdue]"),
        "{}",
        human.stdout
    );
    let shown = check_fixture("contract-1-1", "json", &["--show-acknowledged"]);
    shown.assert_exit(1);
    let all: serde_json::Value = serde_json::from_str(&shown.stdout).expect("JSON");
    let accepted: Vec<&serde_json::Value> = all
        .as_array()
        .expect("an array")
        .iter()
        .filter(|d| d.get("acknowledged").is_some())
        .collect();
    assert_eq!(accepted.len(), 1, "{accepted:#?}");
    assert_eq!(accepted[0]["code"], "review-overdue");
    assert_eq!(accepted[0]["severity"], "warning");
    assert_eq!(
        accepted[0]["acknowledged"]["reason"],
        "The yearly review with HR is scheduled for January 2027."
    );
    assert_eq!(accepted[0]["acknowledged"]["until"], "2027-01-31");
}

// ------------------------------------------------------------------ --quiet

/// A copy of the warnings-only fixture with one error added.
fn errors_and_warnings() -> TempRegistry {
    let reg = TempRegistry::empty();
    copy_dir(&fixture("warnings-only"), reg.path());
    reg.write("processors/broken.toml", "name = \"Broken\"\n");
    reg
}

/// `--quiet` on check, build, export and serve: the errors, and the summary
/// line counting the warnings too; no warning is printed.
#[test]
fn quiet_prints_the_errors_and_the_summary_only() {
    let reg = errors_and_warnings();
    let loud = check(reg.path(), "human", &[]);
    loud.assert_exit(1);
    let summary = loud.stdout.lines().last().unwrap().to_string();
    assert!(summary.contains("warnings"), "{summary}");
    assert!(loud.stdout.contains("warning["), "{}", loud.stdout);

    let quiet = check(reg.path(), "human", &["--quiet"]);
    quiet.assert_exit(1);
    assert!(!quiet.stdout.contains("warning["), "{}", quiet.stdout);
    assert!(quiet.stdout.contains("error[schema]"), "{}", quiet.stdout);
    assert_eq!(quiet.stdout.lines().last(), Some(summary.as_str()));
    // Only what the full text says about errors, in the same words.
    assert!(
        quiet
            .stdout
            .lines()
            .all(|l| loud.stdout.lines().any(|m| m == l))
    );

    // The machine formats: the errors only.
    let json = check(reg.path(), "json", &["-q"]);
    json.assert_exit(1);
    let diags = json.diags();
    assert!(!diags.is_empty() && diags.iter().all(|d| d.severity == "error"));
    let github = check(reg.path(), "github", &["-q"]);
    assert!(github.stdout.contains("::error") && !github.stdout.contains("::warning"));

    // build and export: the same text on standard error.
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let r = reg.path().to_str().unwrap();
    for args in [
        vec![
            "build",
            "--registry",
            r,
            "--as-of",
            AS_OF,
            "--out",
            site.to_str().unwrap(),
        ],
        vec!["export", "--registry", r, "--as-of", AS_OF],
    ] {
        let loud = run_in(&manifest_dir(), &args);
        loud.assert_exit(1);
        assert!(loud.stderr.contains("warning["), "{}", loud.stderr);
        let mut quiet_args = args.clone();
        quiet_args.push("--quiet");
        let quiet = run_in(&manifest_dir(), &quiet_args);
        quiet.assert_exit(1);
        assert!(!quiet.stderr.contains("warning["), "{}", quiet.stderr);
        assert!(quiet.stderr.contains("error[schema]"), "{}", quiet.stderr);
        assert!(quiet.stderr.contains(&summary), "{}", quiet.stderr);
    }

    // A registry with warnings only: the summary alone.
    let quiet = check(&fixture("warnings-only"), "human", &["--quiet"]);
    quiet.assert_exit(0);
    assert_eq!(quiet.stdout, "0 errors, 2 warnings\n");
}

// ------------------------------------------------- flags a format ignores

/// Every flag of `ropa export` that the chosen format would ignore is
/// refused (exit 2) before anything is read or written, naming the flag.
#[test]
fn export_refuses_flags_its_format_ignores() {
    let valid = fixture("valid-saas");
    let reg = valid.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--format", "csv", "--compact"],
            "--compact applies to --format json only",
        ),
        (
            &["--format", "dpv", "--compact"],
            "--compact applies to --format json only",
        ),
        (
            &["--format", "xlsx", "--compact"],
            "--compact applies to --format json only",
        ),
        (
            &["--format", "json", "--record", "processor"],
            "--record applies to --format csv only",
        ),
        (
            &["--record", "controller"],
            "--record applies to --format csv only",
        ),
        (
            &["--format", "xlsx", "--record", "processor"],
            "--record applies to --format csv only",
        ),
        (
            &["--format", "dpv", "--record", "processor"],
            "--record applies to --format csv only",
        ),
        (
            &["--format", "json-schema", "--record", "processor"],
            "--record applies to --format csv only",
        ),
        (
            &["--format", "json-schema", "--as-of", AS_OF],
            "--as-of does not apply to --format json-schema",
        ),
        (
            &["--format", "json-schema", "--deny-warnings"],
            "--deny-warnings does not apply to --format json-schema",
        ),
        (
            &["--format", "json-schema", "--quiet"],
            "--quiet does not apply to --format json-schema",
        ),
    ];
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("export");
    for (flags, message) in cases {
        let mut args = vec!["export", "--out", file.to_str().unwrap()];
        if !flags.contains(&"json-schema") {
            args.extend(["--registry", reg]);
        }
        args.extend_from_slice(flags);
        let run = run_in(&manifest_dir(), &args);
        run.assert_exit(2);
        assert!(run.stderr.contains(message), "{flags:?}: {}", run.stderr);
        assert!(!file.exists(), "{flags:?} wrote the export");
    }
    // The flags where they apply are accepted.
    for flags in [
        &["--format", "csv", "--record", "processor"][..],
        &["--format", "json", "--compact"],
        &["--format", "json-schema"],
        // `--registry` keeps `--out` out of the registry, also here.
        &["--format", "json-schema", "--registry", reg],
    ] {
        let mut args = vec!["export", "--out", file.to_str().unwrap()];
        if !flags.contains(&"json-schema") {
            args.extend(["--registry", reg, "--as-of", AS_OF]);
        }
        args.extend_from_slice(flags);
        run_in(&manifest_dir(), &args).assert_exit(0);
    }
}
