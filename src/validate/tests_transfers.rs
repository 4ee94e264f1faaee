//! Cases for the transfer rules of contract 1.1 (Chapter V, SCC modules, safeguards, international organisations): each fires on a realistic registry, and a near
//! miss stays quiet. Read by `tests::every_rule_fires_and_passes`.

use super::tests::{CATEGORIES, Case, HOST, activity, case, codes, diagnostics_at, with_processor};
use crate::model::Date;

const VENDOR: &str =
    "name = \"Vendor Inc\"\nservice = \"Email\"\ncountry = \"US\"\ndpa_signed = 2025-01-01\n";
const TIA: &str = "\n[tia]\ncompleted = 2025-02-01\n";
/// Signed SCCs of Decision 2021/914, module 2.
const SCC2: &str =
    "name = \"SCCs with Vendor\"\nkind = \"scc\"\nscc_modules = [2]\nsigned = 2022-03-01\n";
const BCR: &str =
    "name = \"Vendor group BCRs\"\nkind = \"bcr\"\napproved_by = \"IMY, decision 2023-4\"\n";
const STAFF: &str = "\n[data_subjects.staff]\nname = \"Our staff\"\nemployees = true\n";

fn scc(modules: &str) -> String {
    SCC2.replace("[2]", modules)
}

fn transfer(to: &str, country: &str, mechanism: &str, extra: &str) -> String {
    let safeguard = match mechanism {
        "adequacy" | "derogation" => String::new(),
        _ => "safeguard = \"sg\"\n".to_string(),
    };
    format!(
        "to = \"{to}\"\ncountry = \"{country}\"\nmechanism = \"{mechanism}\"\n{safeguard}{extra}"
    )
}

/// The activity uses `vendor` (a US processor by default) instead of the
/// host, with transfer `t` under safeguard `sg`.
fn vendor_files(activity: &str, vendor: &str, t: &str, sg: &str) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("activities/accounts.toml", activity.to_string()),
        ("processors/vendor.toml", vendor.to_string()),
        ("transfers/vendor-us.toml", t.to_string()),
        ("processors/host.toml", String::new()),
    ];
    if !sg.is_empty() {
        v.push(("safeguards/sg.toml", sg.to_string()));
    }
    v
}

fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(p, t)| (*p, t.as_str())).collect()
}

/// A case whose registries are built as owned strings.
fn owned(
    code: &'static str,
    fires: &[(&'static str, String)],
    passes: &[(&'static str, String)],
) -> Case {
    case(code, &refs(fires), &refs(passes))
}

fn scc_us(extra: &str) -> String {
    transfer("vendor", "US", "scc", &format!("{extra}{TIA}"))
}

/// An activity we carry out as a processor, naming `processor`.
fn processor_activity(processor: &str) -> String {
    with_processor(processor).replace(
        "legal_bases = [\"contract\"]\n",
        "role = \"processor\"\ncontrollers = [\"Client BV\"]\n",
    )
}

/// A recipient `partner` (kind `kind`) in `country`, named by the activity.
fn partner(
    kind: &str,
    country: &str,
    activity: &str,
    t: &str,
    sg: &str,
) -> Vec<(&'static str, String)> {
    let mut v = vec![
        (
            "activities/accounts.toml",
            activity.replace(
                "processors = [\"host\"]",
                "processors = [\"host\"]\nrecipients = [\"partner\"]",
            ),
        ),
        (
            "recipients/partner.toml",
            format!("name = \"Partner\"\nkind = \"{kind}\"\ncountry = \"{country}\"\n"),
        ),
        ("transfers/partner.toml", t.to_string()),
    ];
    if !sg.is_empty() {
        v.push(("safeguards/sg.toml", sg.to_string()));
    }
    v
}

/// The activity discloses data to international organisation `code`.
fn organisation(code: &str, seat: &str, t: &str) -> Vec<(&'static str, String)> {
    let seat_key = if seat.is_empty() {
        String::new()
    } else {
        format!("country = \"{seat}\"\n")
    };
    vec![
        ("activities/accounts.toml", ACCOUNTS_TO_IO.to_string()),
        (
            "recipients/io.toml",
            format!(
                "name = \"The organisation\"\nkind = \"international-organisation\"\ninternational_organisation = \"{code}\"\n{seat_key}"
            ),
        ),
        ("transfers/io.toml", t.to_string()),
    ]
}

const ACCOUNTS_TO_IO: &str = r#"name = "Accounts"
purposes = ["Run customer accounts"]
legal_bases = ["contract"]
data_subjects = ["customers"]
data_categories = ["contact"]
processors = ["host"]
recipients = ["io"]
measures = ["tls"]

[[retention]]
period = "P1Y"
from = "account closure"
"#;

fn with_staff(activity: &str) -> String {
    activity.replace(
        "data_subjects = [\"customers\"]",
        "data_subjects = [\"customers\", \"staff\"]",
    )
}

pub(super) fn cases() -> Vec<Case> {
    let vendor_activity = with_processor("vendor");
    let retired = activity("status = \"retired\"")
        .replace("processors = [\"host\"]", "processors = [\"vendor\"]");
    let staff = format!("{CATEGORIES}{STAFF}");
    let certified = format!("{VENDOR}dpf_certified = true\n");
    let adequacy_us = transfer("vendor", "US", "adequacy", "");
    // host (DE) keeps the data with its sub-processor vendor (US).
    let host_sub = format!("{HOST}sub_processors = [\"vendor\"]\n");
    let chain = |modules: &str| {
        vec![
            ("processors/host.toml", host_sub.clone()),
            ("processors/vendor.toml", VENDOR.to_string()),
            ("transfers/vendor-us.toml", scc_us("")),
            ("safeguards/sg.toml", scc(modules)),
        ]
    };
    // The activity names vendor directly, but the transfer is made by host.
    let via = |modules: &str| {
        vec![
            (
                "activities/accounts.toml",
                vendor_activity.replace("[\"vendor\"]", "[\"vendor\", \"host\"]"),
            ),
            ("processors/vendor.toml", VENDOR.to_string()),
            ("transfers/vendor-us.toml", scc_us("via = \"host\"\n")),
            ("safeguards/sg.toml", scc(modules)),
        ]
    };
    let both = |modules: &str| {
        let mut v = chain(modules);
        v.push((
            "activities/accounts.toml",
            with_processor("host").replace("[\"host\"]", "[\"host\", \"vendor\"]"),
        ));
        v
    };
    let unsigned_sub = |sg: &str| {
        let mut v = chain("[3]");
        v[1].1 = VENDOR.replace("dpa_signed = 2025-01-01\n", "");
        v[3].1 = sg.to_string();
        v
    };
    let in_scc = transfer("partner", "IN", "scc", TIA);
    vec![
        // tia-missing: every Art. 46 mechanism, and only a [tia] with `completed` or `reference` counts.
        owned(
            "tia-missing",
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &transfer("vendor", "US", "bcr", ""),
                BCR,
            ),
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &transfer(
                    "vendor",
                    "US",
                    "bcr",
                    "\n[tia]\nreference = \"TIA-2025-3\"\n",
                ),
                BCR,
            ),
        ),
        owned(
            "tia-missing",
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &transfer("vendor", "US", "scc", "\n[tia]\noutcome = \"Acceptable\"\n"),
                SCC2,
            ),
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &transfer(
                    "vendor",
                    "US",
                    "scc",
                    "\n[tia]\noutcome = \"Acceptable\"\ncompleted = 2025-02-01\n",
                ),
                SCC2,
            ),
        ),
        // dpa-missing: signed 2021/914 module 2 SCCs are the Art. 28 contract; unsigned ones are not.
        owned(
            "dpa-missing",
            &vendor_files(
                &vendor_activity,
                &VENDOR.replace("dpa_signed = 2025-01-01\n", ""),
                &scc_us(""),
                &SCC2.replace("signed = 2022-03-01\n", ""),
            ),
            &vendor_files(
                &vendor_activity,
                &VENDOR.replace("dpa_signed = 2025-01-01\n", ""),
                &scc_us(""),
                SCC2,
            ),
        ),
        owned(
            "dpa-missing",
            &[(
                "processors/host.toml",
                HOST.replace("dpa_signed = 2025-01-01\n", ""),
            )],
            &[(
                "processors/host.toml",
                HOST.replace(
                    "dpa_signed = 2025-01-01\n",
                    "dpa_reference = \"Online terms, accepted 2024\"\n",
                ),
            )],
        ),
        // scc-repealed: signed after the repeal it is an error at any date;
        // named only by a retired activity's transfer, it is history.
        owned(
            "scc-repealed",
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &scc_us(""),
                "name = \"Old SCCs\"\nkind = \"scc\"\nscc_version = \"2010/87/EU\"\nsigned = 2021-10-01\n",
            ),
            &vendor_files(
                &retired,
                VENDOR,
                &scc_us(""),
                "name = \"Old SCCs\"\nkind = \"scc\"\nscc_version = \"2010/87/EU\"\nsigned = 2021-10-01\n",
            ),
        ),
        // scc-module-invalid: only 2021/914 sets have modules.
        owned(
            "scc-module-invalid",
            &vendor_files(&vendor_activity, VENDOR, &scc_us(""), &scc("[0]")),
            &vendor_files(
                &retired,
                VENDOR,
                &scc_us(""),
                "name = \"Old SCCs\"\nkind = \"scc\"\nscc_version = \"2010/87/EU\"\nsigned = 2019-10-01\n",
            ),
        ),
        // scc-date-invalid
        owned(
            "scc-date-invalid",
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &scc_us(""),
                &SCC2.replace("2022-03-01", "2021-06-03"),
            ),
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &scc_us(""),
                &SCC2.replace("2022-03-01", "2021-06-04"),
            ),
        ),
        // safeguard-expired: only for a transfer a live activity reaches.
        owned(
            "safeguard-expired",
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &scc_us(""),
                &format!("{SCC2}expires = 2026-01-31\n"),
            ),
            &vendor_files(
                &retired,
                VENDOR,
                &scc_us(""),
                &format!("{SCC2}expires = 2026-01-31\n"),
            ),
        ),
        owned(
            "safeguard-expired",
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &scc_us(""),
                &format!("{SCC2}expires = 2026-11-23\n"),
            ),
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &scc_us(""),
                &format!("{SCC2}expires = 2026-11-24\n"),
            ),
        ),
        // safeguard-approval-missing
        owned(
            "safeguard-approval-missing",
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &transfer("vendor", "US", "bcr", TIA),
                &BCR.replace("approved_by = \"IMY, decision 2023-4\"\n", ""),
            ),
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &transfer("vendor", "US", "bcr", TIA),
                BCR,
            ),
        ),
        // scc-module-mismatch, the table row by row. Controller, processor named directly: 2.
        owned(
            "scc-module-mismatch",
            &vendor_files(&vendor_activity, VENDOR, &scc_us(""), &scc("[3]")),
            &vendor_files(&vendor_activity, VENDOR, &scc_us(""), SCC2),
        ),
        // Controller, through sub-processors: 2 or 3.
        owned("scc-module-mismatch", &chain("[1]"), &chain("[3]")),
        owned("scc-module-mismatch", &chain("[4]"), &chain("[2]")),
        // A sub-processor under signed module 3 SCCs has its contract.
        owned(
            "dpa-missing",
            &unsigned_sub(&scc("[3]").replace("signed = 2022-03-01\n", "")),
            &unsigned_sub(&scc("[3]")),
        ),
        // Named by the activity as well as reached through host: directly, 2.
        owned("scc-module-mismatch", &both("[3]"), &both("[2]")),
        // Controller, a transfer made `via` a processor: 2 or 3.
        owned("scc-module-mismatch", &via("[1]"), &via("[3]")),
        // Controller to a recipient: 1.
        owned(
            "scc-module-mismatch",
            &partner(
                "controller",
                "IN",
                super::tests::ACTIVITY,
                &in_scc,
                &scc("[2]"),
            ),
            &partner(
                "controller",
                "IN",
                super::tests::ACTIVITY,
                &in_scc,
                &scc("[1]"),
            ),
        ),
        // Processor to a (sub-)processor: 3.
        owned(
            "scc-module-mismatch",
            &vendor_files(&processor_activity("vendor"), VENDOR, &scc_us(""), SCC2),
            &vendor_files(
                &processor_activity("vendor"),
                VENDOR,
                &scc_us(""),
                &scc("[3]"),
            ),
        ),
        // Processor to a recipient: 4, or 1.
        owned(
            "scc-module-mismatch",
            &partner(
                "controller",
                "IN",
                &processor_activity("host"),
                &in_scc,
                &scc("[2, 3]"),
            ),
            &partner(
                "controller",
                "IN",
                &processor_activity("host"),
                &in_scc,
                &scc("[4]"),
            ),
        ),
        owned(
            "scc-module-mismatch",
            &partner(
                "controller",
                "IN",
                &processor_activity("host"),
                &in_scc,
                &scc("[3]"),
            ),
            &partner(
                "controller",
                "IN",
                &processor_activity("host"),
                &in_scc,
                &scc("[1]"),
            ),
        ),
        // adequacy-invalid: a public authority under a private-sector decision.
        owned(
            "adequacy-invalid",
            &partner(
                "public-authority",
                "JP",
                super::tests::ACTIVITY,
                &transfer("partner", "JP", "adequacy", ""),
                "",
            ),
            &partner(
                "controller",
                "JP",
                super::tests::ACTIVITY,
                &transfer("partner", "JP", "adequacy", ""),
                "",
            ),
        ),
        // adequacy-invalid: employee data to a DPF-certified party without HR coverage.
        owned(
            "adequacy-invalid",
            &[
                vendor_files(&with_staff(&vendor_activity), &certified, &adequacy_us, ""),
                vec![("categories.toml", staff.clone())],
            ]
            .concat(),
            &[
                vendor_files(
                    &with_staff(&vendor_activity),
                    &format!("{certified}dpf_hr = true\n"),
                    &adequacy_us,
                    "",
                ),
                vec![("categories.toml", staff.clone())],
            ]
            .concat(),
        ),
        // ... unless another transfer to it carries the data under SCCs.
        owned(
            "adequacy-invalid",
            &[
                vendor_files(&with_staff(&vendor_activity), &certified, &adequacy_us, ""),
                vec![("categories.toml", staff.clone())],
            ]
            .concat(),
            &[
                vendor_files(
                    &with_staff(&vendor_activity),
                    &certified,
                    &adequacy_us,
                    SCC2,
                ),
                vec![
                    ("categories.toml", staff.clone()),
                    ("transfers/vendor-us-hr.toml", scc_us("")),
                ],
            ]
            .concat(),
        ),
        // adequacy-invalid: the host country's decision does not cover an
        // international organisation; the EPO has a decision of its own.
        owned(
            "adequacy-invalid",
            &organisation("WHO", "CH", &transfer("io", "CH", "adequacy", "")),
            &organisation("EPO", "DE", &transfer("io", "DE", "adequacy", "")),
        ),
        // transfer-inside-eea: never for an international organisation, wherever its seat.
        owned(
            "transfer-inside-eea",
            &partner(
                "controller",
                "DE",
                super::tests::ACTIVITY,
                &transfer("partner", "DE", "adequacy", ""),
                "",
            ),
            &organisation("EPO", "DE", &transfer("io", "DE", "adequacy", "")),
        ),
        // adequacy-scope-employees: Canada's decision and employee data.
        owned(
            "adequacy-scope-employees",
            &[
                vendor_files(
                    &with_staff(&vendor_activity),
                    &VENDOR.replace("\"US\"", "\"CA\""),
                    &transfer("vendor", "CA", "adequacy", ""),
                    "",
                ),
                vec![("categories.toml", staff.clone())],
            ]
            .concat(),
            &vendor_files(
                &vendor_activity,
                &VENDOR.replace("\"US\"", "\"CA\""),
                &transfer("vendor", "CA", "adequacy", ""),
                "",
            ),
        ),
        owned(
            "adequacy-scope-employees",
            &[
                vendor_files(
                    &with_staff(&vendor_activity),
                    &VENDOR.replace("\"US\"", "\"CA\""),
                    &transfer("vendor", "CA", "adequacy", ""),
                    "",
                ),
                vec![("categories.toml", staff.clone())],
            ]
            .concat(),
            &[
                vendor_files(
                    &with_staff(&retired),
                    &VENDOR.replace("\"US\"", "\"CA\""),
                    &transfer("vendor", "CA", "adequacy", ""),
                    "",
                ),
                vec![("categories.toml", staff.clone())],
            ]
            .concat(),
        ),
        // The employee data may go under SCCs to the same party: then the
        // adequacy transfer need not carry it.
        owned(
            "adequacy-scope-employees",
            &[
                vendor_files(
                    &with_staff(&vendor_activity),
                    &VENDOR.replace("\"US\"", "\"CA\""),
                    &transfer("vendor", "CA", "adequacy", ""),
                    "",
                ),
                vec![("categories.toml", staff.clone())],
            ]
            .concat(),
            &[
                vendor_files(
                    &with_staff(&vendor_activity),
                    &VENDOR.replace("\"US\"", "\"CA\""),
                    &transfer("vendor", "CA", "adequacy", ""),
                    "",
                ),
                vec![
                    ("categories.toml", staff.clone()),
                    (
                        "transfers/vendor-ca-scc.toml",
                        transfer("vendor", "CA", "scc", "[tia]\ncompleted = 2025-02-01\n"),
                    ),
                    ("safeguards/sg.toml", SCC2.to_string()),
                ],
            ]
            .concat(),
        ),
        // Rules whose near miss still uses a derogation (which always
        // warns with `derogation-used`) are tested below, not here.
        owned(
            "compelling-interests-undocumented",
            &vendor_files(
                &vendor_activity,
                VENDOR,
                &derogation(
                    "compelling-legitimate-interests",
                    "authority_informed = 2025-05-02\n",
                ),
                "",
            ),
            &[],
        ),
        owned(
            "derogation-public-authority",
            &[
                vendor_files(
                    &vendor_activity,
                    VENDOR,
                    &derogation("contract-with-subject", ""),
                    "",
                ),
                vec![("organisation.toml", PUBLIC_ORG.to_string())],
            ]
            .concat(),
            &[],
        ),
    ]
}

const PUBLIC_ORG: &str = "name = \"Stad Exempel\"\ncountry = \"SE\"\npublic_authority = true\n\n[dpo]\nname = \"DPO\"\nemail = \"dpo@stad.example\"\n";

fn derogation(which: &str, extra: &str) -> String {
    transfer(
        "vendor",
        "US",
        "derogation",
        &format!("derogation = \"{which}\"\n{extra}"),
    )
}

fn codes_of(files: &[(&'static str, String)]) -> Vec<String> {
    codes(&refs(files))
}

#[test]
fn compelling_interests_need_the_authority_and_the_safeguards() {
    let vendor_activity = with_processor("vendor");
    let run = |extra: &str| {
        codes_of(
            &[
                vendor_files(
                    &vendor_activity,
                    VENDOR,
                    &derogation("compelling-legitimate-interests", extra),
                    "",
                ),
                vec![(
                    "measures.toml",
                    format!(
                        "{}[measures.pseudo]\nname = \"Pseudonymisation\"\nkind = \"technical\"\n",
                        super::tests::MEASURES
                    ),
                )],
            ]
            .concat(),
        )
    };
    let code = "compelling-interests-undocumented".to_string();
    assert!(run("").contains(&code));
    assert!(run("supplementary_measures = [\"pseudo\"]\n").contains(&code));
    assert!(run("authority_informed = 2025-05-02\nsupplementary_measures = []\n").contains(&code));
    let documented =
        run("authority_informed = 2025-05-02\nsupplementary_measures = [\"pseudo\"]\n");
    assert_eq!(documented, vec!["derogation-used"], "{documented:?}");
}

#[test]
fn public_authorities_may_not_use_the_private_derogations() {
    let vendor_activity = with_processor("vendor");
    let run = |org: &str, which: &str| {
        codes_of(
            &[
                vendor_files(&vendor_activity, VENDOR, &derogation(which, ""), ""),
                vec![("organisation.toml", org.to_string())],
            ]
            .concat(),
        )
    };
    let code = "derogation-public-authority".to_string();
    for which in [
        "explicit-consent",
        "contract-with-subject",
        "contract-in-interest",
    ] {
        assert!(run(PUBLIC_ORG, which).contains(&code), "{which}");
    }
    // Art. 49(3) leaves the others to public authorities.
    for which in ["public-interest", "legal-claims", "vital-interests"] {
        assert!(!run(PUBLIC_ORG, which).contains(&code), "{which}");
    }
    // A private company may use them all.
    assert!(!run(super::tests::ORG, "explicit-consent").contains(&code));
}

#[test]
fn derogation_used_does_not_overstate_the_law() {
    let vendor_activity = with_processor("vendor");
    let at = |which: &str| {
        let files = vendor_files(&vendor_activity, VENDOR, &derogation(which, ""), "");
        let d = diagnostics_at(&refs(&files), super::tests::as_of());
        let d = d
            .into_iter()
            .find(|d| d.code.as_str() == "derogation-used")
            .expect("fires");
        format!("{} {}", d.message, d.help.unwrap_or_default())
    };
    let consent = at("explicit-consent");
    assert!(!consent.contains("occasional"), "{consent}");
    assert!(
        consent.contains("restrictively") && consent.contains("2/2018"),
        "{consent}"
    );
    assert!(at("contract-with-subject").contains("recital 111"));
}

/// The transition of Decision 2021/914 Art. 4: old SCCs signed before
/// 2021-09-27 served until 2022-12-27.
#[test]
fn repealed_sccs_stay_valid_until_the_end_of_the_transition() {
    let old = |signed: &str| {
        format!("name = \"Old SCCs\"\nkind = \"scc\"\nscc_version = \"2010/87/EU\"\n{signed}")
    };
    let run = |sg: &str, as_of: Date| -> Vec<String> {
        let files = vendor_files(&with_processor("vendor"), VENDOR, &scc_us(""), sg);
        diagnostics_at(&refs(&files), as_of)
            .iter()
            .map(|d| d.code.as_str().to_string())
            .collect()
    };
    let during = Date::new(2022, 12, 27).unwrap();
    let after = Date::new(2022, 12, 28).unwrap();
    assert!(run(&old("signed = 2020-05-01\n"), during).is_empty());
    assert!(run(&old(""), during).is_empty());
    assert_eq!(
        run(&old("signed = 2020-05-01\n"), after),
        vec!["scc-repealed"]
    );
    assert_eq!(
        run(&old("signed = 2021-09-27\n"), during),
        vec!["scc-repealed"]
    );
    // Signed on the day of the repeal: not "after" it.
    let files = vendor_files(
        &with_processor("vendor"),
        VENDOR,
        &scc_us(""),
        &old("signed = 2021-09-27\n"),
    );
    let m = &diagnostics_at(&refs(&files), during)[0].message;
    assert!(!m.contains("after the decision"), "{m}");
    assert!(m.contains("already repealed"), "{m}");
    // It points at `scc_version`.
    let files = vendor_files(&with_processor("vendor"), VENDOR, &scc_us(""), &old(""));
    let loaded_text = old("");
    let d = diagnostics_at(&refs(&files), after);
    let p = d[0].primary.as_ref().unwrap();
    assert_eq!(&loaded_text[p.span.clone()], "\"2010/87/EU\"");
}

#[test]
fn module_mismatch_names_the_activity_the_modules_and_why() {
    let files = [
        (
            "processors/host.toml",
            format!("{HOST}sub_processors = [\"vendor\"]\n"),
        ),
        ("processors/vendor.toml", VENDOR.to_string()),
        ("transfers/vendor-us.toml", scc_us("")),
        ("safeguards/sg.toml", scc("[1]")),
    ];
    let d = diagnostics_at(&refs(&files), super::tests::as_of());
    assert_eq!(d.len(), 1, "{d:?}");
    let m = &d[0].message;
    assert_eq!(d[0].path, "transfers/vendor-us.toml");
    assert!(m.contains("activity `accounts`"), "{m}");
    assert!(m.contains("modules 2 or 3"), "{m}");
    assert!(m.contains("`host` → `vendor`"), "{m}");
    let p = d[0].primary.as_ref().unwrap();
    assert_eq!(&files[2].1[p.span.clone()], "\"sg\"");
}

#[test]
fn a_sub_processor_without_contract_names_art_28_4_and_28_2() {
    let files = [
        (
            "processors/host.toml",
            format!("{HOST}sub_processors = [\"backup\"]\n"),
        ),
        (
            "processors/backup.toml",
            "name = \"Backup GmbH\"\nservice = \"Backups\"\ncountry = \"DE\"\n".to_string(),
        ),
    ];
    let d = diagnostics_at(&refs(&files), super::tests::as_of());
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code.as_str(), "dpa-missing");
    assert!(
        d[0].message.contains("28(4)")
            && d[0].message.contains("28(2)")
            && d[0].message.contains("`host`"),
        "{}",
        d[0].message
    );
    // A processor the activity names itself: Art. 28(3).
    let d = diagnostics_at(
        &[(
            "processors/host.toml",
            &HOST.replace("dpa_signed = 2025-01-01\n", ""),
        )],
        super::tests::as_of(),
    );
    assert!(
        d[0].message.contains("28(3)") && !d[0].message.contains("28(4)"),
        "{}",
        d[0].message
    );
}

#[test]
fn an_international_organisation_is_not_covered_by_its_host_country() {
    let files = organisation("WHO", "CH", &transfer("io", "CH", "adequacy", ""));
    let d = diagnostics_at(&refs(&files), super::tests::as_of());
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].message.contains("the host country's decision"),
        "{}",
        d[0].message
    );
    assert!(
        d[0].message
            .contains("does not cover an international organisation")
    );
    // Without a seat, the rule still judges the organisation alone.
    let files = organisation("WHO", "", "to = \"io\"\nmechanism = \"adequacy\"\n");
    let c = codes_of(&files);
    assert_eq!(c, vec!["adequacy-invalid"], "{c:?}");
}

#[test]
fn a_code_of_conduct_is_approved_by_an_authority_not_the_board() {
    let files = vendor_files(
        &with_processor("vendor"),
        VENDOR,
        &transfer("vendor", "US", "code-of-conduct", TIA),
        "name = \"Cloud code\"\nkind = \"code-of-conduct\"\n",
    );
    let d = diagnostics_at(&refs(&files), super::tests::as_of());
    let m = &d
        .iter()
        .find(|d| d.code.as_str() == "safeguard-approval-missing")
        .expect("fires")
        .message;
    // The Board gives an opinion (Art. 40(7)); it approves no code.
    assert!(!m.contains("Board"), "{m}");
    assert!(m.contains("Art. 40(5)") && m.contains("40(9)"), "{m}");
}

#[test]
fn module_mismatch_names_each_other_activity_with_the_modules_it_needs() {
    // `accounts` (controller) names the vendor directly: module 2; `billing`
    // (processor) too: module 3. Module 1 fits neither.
    let mut files = vendor_files(&with_processor("vendor"), VENDOR, &scc_us(""), &scc("[1]"));
    files.push(("activities/billing.toml", processor_activity("vendor")));
    let d = diagnostics_at(&refs(&files), super::tests::as_of());
    let m = &d
        .iter()
        .find(|d| d.code.as_str() == "scc-module-mismatch")
        .expect("fires")
        .message;
    assert!(m.contains("activity `accounts` needs module 2"), "{m}");
    assert!(
        m.contains("activity `billing` does not fit either (it needs module 3)"),
        "{m}"
    );
}

#[test]
fn a_sub_processor_named_only_by_a_retired_activity_is_not_named_directly() {
    let retired = with_processor("backup").replace(
        "name = \"Accounts\"",
        "name = \"Old\"\nstatus = \"retired\"",
    );
    let files = [
        (
            "processors/host.toml",
            format!("{HOST}sub_processors = [\"backup\"]\n"),
        ),
        (
            "processors/backup.toml",
            "name = \"Backup GmbH\"\nservice = \"Backups\"\ncountry = \"DE\"\n".to_string(),
        ),
        ("activities/old.toml", retired),
    ];
    let d = diagnostics_at(&refs(&files), super::tests::as_of());
    let m = &d
        .iter()
        .find(|d| d.code.as_str() == "dpa-missing")
        .expect("fires")
        .message;
    assert!(m.contains("28(4)"), "{m}");
    assert!(!m.contains("name it directly"), "{m}");
}

/// `dpf_certified = false` written out is where the fix goes: the second
/// label points at it; without the key, at the party's first line.
#[test]
fn an_uncertified_party_is_shown_at_its_dpf_line() {
    let vendor_activity = with_processor("vendor");
    for (vendor, expect) in [
        (format!("{VENDOR}dpf_certified = false\n"), "false"),
        (VENDOR.to_string(), "name"),
    ] {
        let files = vendor_files(
            &vendor_activity,
            &vendor,
            &transfer("vendor", "US", "adequacy", ""),
            "",
        );
        let d = super::tests::diagnostics_at(&refs(&files), super::tests::as_of());
        let invalid: Vec<_> = d
            .iter()
            .filter(|d| d.code.as_str() == "adequacy-invalid")
            .collect();
        assert_eq!(invalid.len(), 1, "{d:?}");
        let also = &invalid[0].secondary[0];
        let text = &vendor[also.span.clone()];
        assert!(text.starts_with(expect), "{text:?}");
    }
}
