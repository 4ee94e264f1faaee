//! Every rule code: one case that makes it fire, one valid near-miss that
//! does not. Each case starts from a small registry with no diagnostics and
//! replaces or adds files.

use std::collections::BTreeMap;

use crate::model::Date;
use crate::pipeline::check;

pub(super) const ORG: &str =
    "name = \"Acme AB\"\ncountry = \"SE\"\nemail = \"privacy@acme.example\"\n";
pub(super) const CATEGORIES: &str = r#"
[data_subjects.customers]
name = "Customers"

[data_categories.contact]
name = "Contact details"
"#;
pub(super) const HEALTH: &str =
    "\n[data_categories.health]\nname = \"Health data\"\nspecial = true\n";
pub(super) const MEASURES: &str = "[measures.tls]\nname = \"TLS\"\nkind = \"technical\"\n";
pub(super) const ACTIVITY: &str = r#"name = "Accounts"
purposes = ["Run customer accounts"]
legal_bases = ["contract"]
data_subjects = ["customers"]
data_categories = ["contact"]
processors = ["host"]
measures = ["tls"]

[[retention]]
period = "P1Y"
from = "account closure"
"#;
pub(super) const HOST: &str =
    "name = \"Host GmbH\"\nservice = \"Hosting\"\ncountry = \"DE\"\ndpa_signed = 2025-01-01\n";

pub(super) fn as_of() -> Date {
    Date::new(2026, 11, 24).unwrap()
}

/// Codes reported for the base registry with `files` replacing or adding
/// entries (an empty text removes the file). Acknowledged warnings are not
/// reported, so they are not in the list.
pub(super) fn codes(files: &[(&str, &str)]) -> Vec<String> {
    diagnostics_at(files, as_of())
        .into_iter()
        .filter(|d| d.acknowledged.is_none())
        .map(|d| d.code.as_str().to_string())
        .collect()
}

/// The diagnostics of the base registry with `files`, checked at `as_of`.
pub(super) fn diagnostics_at(files: &[(&str, &str)], as_of: Date) -> Vec<crate::diag::Diagnostic> {
    let mut all: BTreeMap<&str, &str> = BTreeMap::from([
        ("organisation.toml", ORG),
        ("categories.toml", CATEGORIES),
        ("measures.toml", MEASURES),
        ("activities/accounts.toml", ACTIVITY),
        ("processors/host.toml", HOST),
    ]);
    for (path, text) in files {
        all.insert(path, text);
    }
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in all {
        if text.is_empty() {
            continue;
        }
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let loaded = crate::load::load(dir.path()).unwrap();
    check(&loaded, as_of, false).diagnostics
}

pub(super) fn activity(extra: &str) -> String {
    format!("{extra}\n{ACTIVITY}")
}

/// An activity using `processor`, plus that processor and more files.
pub(super) fn with_processor(processor: &str) -> String {
    ACTIVITY.replace(
        "processors = [\"host\"]",
        &format!("processors = [\"{processor}\"]"),
    )
}

const US_VENDOR: &str =
    "name = \"Vendor Inc\"\nservice = \"Email\"\ncountry = \"US\"\ndpa_signed = 2025-01-01\n";
const SCC: &str = "name = \"SCCs with Vendor\"\nkind = \"scc\"\nscc_modules = [2]\n";
const TIA: &str = "\n[tia]\ncompleted = 2025-02-01\n";

pub(super) struct Case {
    code: &'static str,
    fires: Vec<(&'static str, String)>,
    passes: Vec<(&'static str, String)>,
}

pub(super) fn case(
    code: &'static str,
    fires: &[(&'static str, &str)],
    passes: &[(&'static str, &str)],
) -> Case {
    let own = |v: &[(&'static str, &str)]| v.iter().map(|(p, t)| (*p, t.to_string())).collect();
    Case {
        code,
        fires: own(fires),
        passes: own(passes),
    }
}

/// The cases here and those of each family of contract 1.1.
fn all_cases() -> Vec<Case> {
    let mut all = cases();
    all.extend(super::tests_legal::cases());
    all.extend(super::tests_transfers::cases());
    all.extend(super::tests_acknowledged::cases());
    all
}

fn cases() -> Vec<Case> {
    let vendor_activity = with_processor("vendor");
    let scc_transfer = format!(
        "to = \"vendor\"\ncountry = \"US\"\nmechanism = \"scc\"\nsafeguard = \"scc-vendor\"\n{TIA}"
    );
    vec![
        case("syntax", &[("processors/host.toml", "name = \"Host\nservice = 1")], &[]),
        case("syntax", &[("processors/host.toml", "name = \"Host GmbH\"\x00\n")], &[]),
        case(
            "schema",
            &[("activities/accounts.toml", &ACTIVITY.replace("purposes", "purpose"))],
            &[("activities/accounts.toml", &activity("owner = \"Sales\""))],
        ),
        case("schema", &[("activities/accounts.toml", &activity("status = \"dormant\""))], &[("activities/accounts.toml", &activity("status = \"planned\""))]),
        case("schema", &[("processors/host.toml", &HOST.replace("2025-01-01", "\"2025-01-01\""))], &[]),
        case("schema", &[("activities/accounts.toml", &ACTIVITY.replace("\"P1Y\"", "\"1 year\""))], &[("activities/accounts.toml", &ACTIVITY.replace("\"P1Y\"", "\"P1Y6M\""))]),
        case("bad-id", &[("activities/Accounts 2.toml", ACTIVITY)], &[("activities/accounts-2.toml", ACTIVITY)]),
        case("bad-id", &[("activity/x.toml", ACTIVITY)], &[("activities/sales/x.toml", ACTIVITY)]),
        // `index` would collide with the site's list pages.
        case("bad-id", &[("activities/index.toml", ACTIVITY)], &[("activities/indexes.toml", ACTIVITY)]),
        case("duplicate-id", &[("activities/sales/accounts.toml", ACTIVITY)], &[("activities/sales/accounts-eu.toml", ACTIVITY)]),
        case("unknown-country", &[("processors/host.toml", &HOST.replace("\"DE\"", "\"UK\""))], &[]),
        case(
            "dangling-reference",
            &[("activities/accounts.toml", &ACTIVITY.replace("[\"tls\"]", "[\"tsl\"]"))],
            &[],
        ),
        case(
            "legal-basis-missing",
            &[("activities/accounts.toml", &ACTIVITY.replace("legal_bases = [\"contract\"]\n", ""))],
            &[(
                "activities/accounts.toml",
                &ACTIVITY.replace("legal_bases = [\"contract\"]\n", "role = \"processor\"\ncontrollers = [\"Client BV\"]\n"),
            )],
        ),
        case(
            "legitimate-interest-missing",
            &[("activities/accounts.toml", &ACTIVITY.replace("[\"contract\"]", "[\"legitimate-interests\"]"))],
            &[(
                "activities/accounts.toml",
                &ACTIVITY.replace("[\"contract\"]", "[\"legitimate-interests\"]\nlegitimate_interest = \"Fraud prevention\""),
            )],
        ),
        case(
            "special-category-condition-missing",
            &[
                ("activities/accounts.toml", &ACTIVITY.replace("[\"contact\"]", "[\"contact\", \"health\"]")),
                ("categories.toml", &format!("{CATEGORIES}{HEALTH}")),
            ],
            &[
                (
                    "activities/accounts.toml",
                    &ACTIVITY.replace("[\"contact\"]", "[\"contact\", \"health\"]\nspecial_category_condition = \"explicit-consent\""),
                ),
                ("categories.toml", &format!("{CATEGORIES}{HEALTH}")),
            ],
        ),
        case(
            "controllers-missing",
            &[("activities/accounts.toml", &activity("role = \"processor\""))],
            &[("activities/accounts.toml", &activity("role = \"processor\"\ncontrollers = [\"Client BV\"]"))],
        ),
        case(
            "joint-controllers-missing",
            &[("activities/accounts.toml", &activity("role = \"joint-controller\""))],
            &[(
                "activities/accounts.toml",
                &format!("{ACTIVITY}\n[[joint_controllers]]\nname = \"Partner SA\"\ncontact = \"dpo@partner.example\"\narrangement = \"Art. 26 agreement of 2025\"\n"),
            )],
        ),
        // A US processor without DPF certification cannot rely on the US decision.
        case(
            "adequacy-invalid",
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", US_VENDOR),
                ("transfers/vendor-us.toml", "to = \"vendor\"\ncountry = \"US\"\nmechanism = \"adequacy\"\n"),
                ("processors/host.toml", ""),
            ],
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", &format!("{US_VENDOR}dpf_certified = true\n")),
                ("transfers/vendor-us.toml", "to = \"vendor\"\ncountry = \"US\"\nmechanism = \"adequacy\"\n"),
                ("processors/host.toml", ""),
            ],
        ),
        // India has no adequacy decision; Japan has one.
        case(
            "adequacy-invalid",
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", &US_VENDOR.replace("\"US\"", "\"IN\"")),
                ("transfers/vendor-in.toml", "to = \"vendor\"\ncountry = \"IN\"\nmechanism = \"adequacy\"\n"),
                ("processors/host.toml", ""),
            ],
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", &US_VENDOR.replace("\"US\"", "\"JP\"")),
                ("transfers/vendor-jp.toml", "to = \"vendor\"\ncountry = \"JP\"\nmechanism = \"adequacy\"\n"),
                ("processors/host.toml", ""),
            ],
        ),
        case(
            "safeguard-missing",
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", US_VENDOR),
                ("transfers/vendor-us.toml", &format!("to = \"vendor\"\ncountry = \"US\"\nmechanism = \"scc\"\n{TIA}")),
                ("processors/host.toml", ""),
            ],
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", US_VENDOR),
                ("transfers/vendor-us.toml", &scc_transfer),
                ("safeguards/scc-vendor.toml", SCC),
                ("processors/host.toml", ""),
            ],
        ),
        case(
            "safeguard-kind-mismatch",
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", US_VENDOR),
                ("transfers/vendor-us.toml", &scc_transfer),
                ("safeguards/scc-vendor.toml", "name = \"Group BCRs\"\nkind = \"bcr\"\n"),
                ("processors/host.toml", ""),
            ],
            &[],
        ),
        case(
            "derogation-missing",
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", US_VENDOR),
                ("transfers/vendor-us.toml", "to = \"vendor\"\ncountry = \"US\"\nmechanism = \"derogation\"\n"),
                ("processors/host.toml", ""),
            ],
            &[],
        ),
        case(
            "derogation-used",
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", US_VENDOR),
                ("transfers/vendor-us.toml", "to = \"vendor\"\ncountry = \"US\"\nmechanism = \"derogation\"\nderogation = \"explicit-consent\"\n"),
                ("processors/host.toml", ""),
            ],
            &[],
        ),
        case(
            "scc-repealed",
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", US_VENDOR),
                ("transfers/vendor-us.toml", &scc_transfer),
                ("safeguards/scc-vendor.toml", &format!("{SCC}scc_version = \"2010/87/EU\"\n")),
                ("processors/host.toml", ""),
            ],
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", US_VENDOR),
                ("transfers/vendor-us.toml", &scc_transfer),
                ("safeguards/scc-vendor.toml", &format!("{SCC}scc_version = \"2021/914\"\n")),
                ("processors/host.toml", ""),
            ],
        ),
        case(
            "scc-module-invalid",
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", US_VENDOR),
                ("transfers/vendor-us.toml", &scc_transfer),
                ("safeguards/scc-vendor.toml", &SCC.replace("[2]", "[5]")),
                ("processors/host.toml", ""),
            ],
            &[],
        ),
        case(
            "scc-module-invalid",
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", US_VENDOR),
                ("transfers/vendor-us.toml", &scc_transfer),
                ("safeguards/scc-vendor.toml", &SCC.replace("scc_modules = [2]\n", "")),
                ("processors/host.toml", ""),
            ],
            &[],
        ),
        // The host keeps data in the US through a sub-processor.
        case(
            "transfer-uncovered",
            &[
                ("processors/host.toml", &format!("{HOST}sub_processors = [\"vendor\"]\n")),
                ("processors/vendor.toml", US_VENDOR),
            ],
            &[
                ("processors/host.toml", &format!("{HOST}sub_processors = [\"vendor\"]\n")),
                ("processors/vendor.toml", US_VENDOR),
                ("transfers/vendor-us.toml", &format!("via = \"host\"\n{scc_transfer}")),
                ("safeguards/scc-vendor.toml", SCC),
            ],
        ),
        // `locations` counts as well as `country`; a retired activity is exempt.
        case(
            "transfer-uncovered",
            &[("processors/host.toml", &format!("{HOST}locations = [\"DE\", \"IN\"]\n"))],
            &[
                ("processors/host.toml", &format!("{HOST}locations = [\"DE\", \"IN\"]\n")),
                ("activities/accounts.toml", &activity("status = \"retired\"")),
            ],
        ),
        case(
            "retention-missing",
            &[("activities/accounts.toml", &ACTIVITY[..ACTIVITY.find("[[retention]]").unwrap()])],
            &[],
        ),
        case("measures-missing", &[("activities/accounts.toml", &ACTIVITY.replace("measures = [\"tls\"]\n", "")), ("measures.toml", "")], &[]),
        case("dpa-missing", &[("processors/host.toml", &HOST.replace("dpa_signed = 2025-01-01\n", ""))], &[]),
        case(
            "tia-missing",
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", US_VENDOR),
                ("transfers/vendor-us.toml", &scc_transfer.replace(TIA, "")),
                ("safeguards/scc-vendor.toml", SCC),
                ("processors/host.toml", ""),
            ],
            // SCCs to a DPF-certified US company: the decision covers it, no TIA needed.
            &[
                ("activities/accounts.toml", &vendor_activity),
                ("processors/vendor.toml", &format!("{US_VENDOR}dpf_certified = true\n")),
                ("transfers/vendor-us.toml", &scc_transfer.replace(TIA, "")),
                ("safeguards/scc-vendor.toml", SCC),
                ("processors/host.toml", ""),
            ],
        ),
        case(
            "transfer-inside-eea",
            &[("transfers/host-de.toml", "to = \"host\"\ncountry = \"DE\"\nmechanism = \"adequacy\"\n")],
            &[],
        ),
        case(
            "review-overdue",
            &[("activities/accounts.toml", &format!("{ACTIVITY}\n[review]\nlast_reviewed = 2025-11-01\n"))],
            &[("activities/accounts.toml", &format!("{ACTIVITY}\n[review]\nlast_reviewed = 2025-12-01\n"))],
        ),
        case(
            "review-overdue",
            &[("activities/accounts.toml", &format!("{ACTIVITY}\n[review]\nlast_reviewed = 2026-06-01\nnext_review = 2026-11-23\n"))],
            &[("activities/accounts.toml", &format!("{ACTIVITY}\n[review]\nlast_reviewed = 2025-06-01\nnext_review = 2026-11-24\n"))],
        ),
        case(
            "dpia-incomplete",
            &[("activities/accounts.toml", &format!("{ACTIVITY}\n[dpia]\nrequired = true\n"))],
            &[("activities/accounts.toml", &format!("{ACTIVITY}\n[dpia]\nrequired = true\ncompleted = 2026-01-10\nreference = \"DPIA-7\"\n"))],
        ),
        case("unused", &[("processors/spare.toml", &HOST.replace("Host GmbH", "Spare"))], &[]),
        case("unused", &[("measures.toml", &format!("{MEASURES}[measures.badge]\nname = \"Badges\"\n"))], &[]),
    ]
}

#[test]
fn base_registry_is_clean() {
    assert_eq!(codes(&[]), Vec::<String>::new());
}

#[test]
fn every_rule_fires_and_passes() {
    let mut failures = Vec::new();
    for (i, c) in all_cases().iter().enumerate() {
        let fired: Vec<(&str, &str)> = c.fires.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let got = codes(&fired);
        if !got.iter().any(|g| g == c.code) {
            failures.push(format!("case {i}: `{}` did not fire; got {got:?}", c.code));
        }
        if !c.passes.is_empty() {
            let passed: Vec<(&str, &str)> =
                c.passes.iter().map(|(p, t)| (*p, t.as_str())).collect();
            let got = codes(&passed);
            if !got.is_empty() {
                failures.push(format!(
                    "case {i}: valid near-miss for `{}` reported {got:?}",
                    c.code
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_contract_code_has_a_case() {
    let covered: Vec<&str> = all_cases().iter().map(|c| c.code).collect();
    for code in crate::diag::Code::ALL {
        let ext = matches!(
            code.as_str(),
            "unreadable-file" | "file-too-large" | "link-outside-registry"
        );
        assert!(
            ext || covered.contains(&code.as_str()),
            "no case for `{}`",
            code.as_str()
        );
    }
}

#[test]
fn an_uncovered_processor_is_named_once() {
    let d = diagnostics_at(
        &[
            ("activities/accounts.toml", with_processor("vendor")),
            ("processors/vendor.toml", US_VENDOR.to_string()),
        ]
        .iter()
        .map(|(p, t)| (*p, t.as_str()))
        .collect::<Vec<_>>(),
        as_of(),
    );
    let d: Vec<_> = d
        .iter()
        .filter(|d| d.code.as_str() == "transfer-uncovered")
        .collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        d[0].message,
        "data goes to processor `vendor` in United States (US), and no transfer covers it"
    );
}

/// An unclosed `[` makes the parser's recovery lose every key after it;
/// what the file names is still not `unused` (docs/rules.md, follow-on
/// errors).
#[test]
fn a_file_that_does_not_parse_keeps_what_it_names_used() {
    for broken in [
        ACTIVITY.replace("purposes = [", "purposes = [["),
        ACTIVITY.replace(
            "legal_bases = [\"contract\"]",
            "legal_bases = [\"contract\"",
        ),
        ACTIVITY.replace("name = \"Accounts\"", "name = [\"Accounts\""),
        ACTIVITY.replace("processors = [\"host\"]", "processors = [\n  \"host\",\n"),
    ] {
        let found = codes(&[("activities/accounts.toml", &broken)]);
        assert!(found.contains(&"syntax".to_string()), "{found:?}");
        assert!(
            !found.contains(&"unused".to_string()),
            "{broken}\n{found:?}"
        );
    }
}

#[test]
fn coverage_names_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("organisation.toml", ORG.to_string()),
        ("categories.toml", CATEGORIES.to_string()),
        ("measures.toml", MEASURES.to_string()),
        ("activities/accounts.toml", ACTIVITY.to_string()),
        ("processors/host.toml", format!("{HOST}sub_processors = [\"cdn\"]\n")),
        ("processors/cdn.toml", "name = \"CDN\"\nservice = \"CDN\"\ncountry = \"NL\"\ndpa_signed = 2025-01-01\nsub_processors = [\"support\", \"host\"]\n".into()),
        ("processors/support.toml", US_VENDOR.replace("\"US\"", "\"IN\"")),
    ];
    for (p, t) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, t).unwrap();
    }
    let loaded = crate::load::load(dir.path()).unwrap();
    let checked = check(&loaded, as_of(), false);
    let d: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "transfer-uncovered")
        .collect();
    assert_eq!(d.len(), 1, "{:?}", checked.diagnostics);
    assert_eq!(d[0].path, "activities/accounts.toml");
    assert!(d[0].message.contains("`support`"), "{}", d[0].message);
    // The party first, then the way to it, without naming it twice.
    assert!(
        d[0].message.starts_with(
            "data goes to sub-processor `support` in India (IN) through processor `host` → sub-processor `cdn`, "
        ),
        "{}",
        d[0].message
    );
    assert!(d[0].message.contains("(IN)"));
    // The caret is on the activity's reference to `host`.
    let p = d[0].primary.as_ref().unwrap();
    assert_eq!(
        &checked.sources.get(p.file).text[p.span.clone()],
        "\"host\""
    );
}

#[test]
fn registry_adequacy_list_replaces_the_bundled_one() {
    let vendor_in = US_VENDOR.replace("\"US\"", "\"IN\"");
    let base = [
        ("activities/accounts.toml", with_processor("vendor")),
        ("processors/vendor.toml", vendor_in),
        (
            "transfers/vendor-in.toml",
            "to = \"vendor\"\ncountry = \"IN\"\nmechanism = \"adequacy\"\n".to_string(),
        ),
        ("processors/host.toml", String::new()),
    ];
    let with = |adequacy: &str| {
        let mut files: Vec<(&str, &str)> = base.iter().map(|(p, t)| (*p, t.as_str())).collect();
        files.push(("adequacy.toml", adequacy));
        codes(&files)
    };
    // Bundled: India has no decision.
    assert_eq!(with(""), vec!["adequacy-invalid"]);
    // A registry list that has one (e.g. a future decision) is used instead.
    assert!(with("as_of = 2027-01-01\n[countries.IN]\ndecision = \"(EU) 2027/1\"\n").is_empty());
    // A decision adopted after the as-of date is not yet in force.
    let jp = with(
        "as_of = 2027-01-01\n[countries.IN]\ndecision = \"(EU) 2027/1\"\nadopted = 2027-06-01\n",
    );
    assert_eq!(jp, vec!["adequacy-invalid"]);
    // Mistakes in the list itself are diagnostics, not panics.
    let bad = with("as_of = \"2027-01-01\"\n[countries.XX]\ndecision = 1\n");
    assert!(
        bad.contains(&"schema".to_string()) && bad.contains(&"unknown-country".to_string()),
        "{bad:?}"
    );
}

#[test]
fn expired_adequacy_decision_is_not_in_force() {
    let vendor_gb = US_VENDOR.replace("\"US\"", "\"GB\"");
    let files = [
        ("activities/accounts.toml", with_processor("vendor")),
        ("processors/vendor.toml", vendor_gb),
        (
            "transfers/vendor-gb.toml",
            "to = \"vendor\"\ncountry = \"GB\"\nmechanism = \"adequacy\"\n".to_string(),
        ),
        ("processors/host.toml", String::new()),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    assert!(codes(&files).is_empty());
    let dir = tempfile::tempdir().unwrap();
    let mut all: BTreeMap<&str, &str> = BTreeMap::from([
        ("organisation.toml", ORG),
        ("categories.toml", CATEGORIES),
        ("measures.toml", MEASURES),
    ]);
    all.extend(
        files
            .iter()
            .filter(|(_, t)| !t.is_empty())
            .map(|(p, t)| (*p, *t)),
    );
    for (p, t) in all {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, t).unwrap();
    }
    let loaded = crate::load::load(dir.path()).unwrap();
    let later = check(&loaded, Date::new(2032, 1, 1).unwrap(), false);
    let d = later
        .diagnostics
        .iter()
        .find(|d| d.code.as_str() == "adequacy-invalid")
        .expect("expired");
    assert!(d.message.contains("expired on 2031-12-27"), "{}", d.message);
}
