//! The ALUTECH example (`examples/alutech/`, issue 5): a real, Dutch privacy
//! policy modelled as a registry. The example is built with the real binary
//! and the facts of the policy are asserted in the built output: the JSON
//! register (`ropa.json`, parsed with serde_json) and a few HTML pages
//! (parsed with scraper). The Dutch UI labels are tested elsewhere (the
//! translation table's own test); here only the registry's own words and
//! the page language are checked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use scraper::Selector;
use serde_json::Value;

mod example_site;
use example_site::{Site, ropa, show};

const AS_OF: &str = "2026-11-24";

fn registry() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join("alutech")
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {v}"))
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("`{key}` is not an array in {v}"))
}

fn strs(v: &Value, key: &str) -> Vec<String> {
    arr(v, key)
        .iter()
        .map(|x| x.as_str().expect("string").to_string())
        .collect()
}

fn ids(v: &Value, key: &str) -> BTreeSet<String> {
    arr(v, key).iter().map(|x| s(x, "id").to_string()).collect()
}

/// Markdown source with emphasis dropped and whitespace collapsed.
fn words(md: &str) -> String {
    md.replace('*', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|x| x.to_string()).collect()
}

/// The controller-record activities by id.
fn activities(j: &Value) -> BTreeMap<String, Value> {
    arr(&j["controller_record"], "activities")
        .iter()
        .map(|a| (s(a, "id").to_string(), a.clone()))
        .collect()
}

/// The policy's purposes and the legal basis it gives for each.
const LEGAL_BASES: &[(&str, &[&str])] = &[
    ("accountbeheer", &["contract"]),
    ("werking-applicatie", &["contract"]),
    ("klantenondersteuning", &["contract"]),
    ("marketingcommunicatie", &["consent"]),
    ("analyse-en-onderzoek", &["consent"]),
    ("beveiliging-en-fraudepreventie", &["legitimate-interests"]),
    (
        "juridische-kwesties",
        &["legitimate-interests", "legal-obligation"],
    ),
    ("cookies", &["consent"]),
];

/// The warning codes `examples/alutech/README.md` lists as expected, read
/// from the table under "## Expected diagnostics" (rows ``| `code` | ...``).
fn readme_warning_codes() -> BTreeSet<String> {
    let text = std::fs::read_to_string(registry().join("README.md")).expect("README.md");
    let section = text
        .split("## Expected diagnostics")
        .nth(1)
        .expect("README has an 'Expected diagnostics' section");
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter_map(|l| l.trim().strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn check_has_no_errors_and_exactly_the_readme_warnings() {
    let reg = registry();
    let out = ropa(&[
        "check",
        "--registry",
        reg.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "ropa check failed:\n{}",
        show(&out)
    );
    let diags: Vec<Value> = serde_json::from_slice(&out.stdout).expect("diagnostics JSON");
    let errors: Vec<&Value> = diags.iter().filter(|d| d["severity"] == "error").collect();
    assert!(errors.is_empty(), "errors: {errors:#?}");
    let warnings: BTreeSet<String> = diags
        .iter()
        .filter(|d| d["severity"] == "warning")
        .map(|d| s(d, "code").to_string())
        .collect();
    let expected = readme_warning_codes();
    assert_eq!(
        warnings, expected,
        "warning codes differ from examples/alutech/README.md: {diags:#?}"
    );
    // The README states that none is expected; keep the two in step.
    assert!(expected.is_empty(), "README lists warnings: {expected:?}");

    // The plain human run exits 0 too, and says so.
    let human = ropa(&[
        "check",
        "--registry",
        reg.to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(human.status.code(), Some(0), "{}", show(&human));
}

#[test]
fn controller_identity_and_contact() {
    let site = Site::build(&registry(), AS_OF);
    let j = site.json();
    let org = &j["organisation"];
    assert_eq!(s(org, "name"), "ALUTECH System s.r.o.");
    assert_eq!(s(org, "trading_name"), "ALUTECH");
    assert_eq!(s(org, "email"), "smart_support@alutech-mc.com");
    assert_eq!(s(org, "phone"), "+420 374 634 001");
    assert_eq!(s(org, "country"), "CZ");
    let address = s(org, "address");
    assert!(address.contains("Úherce 165"), "{address}");
    assert!(address.contains("330 23"), "{address}");
    // Not in the policy, so not in the record.
    for absent in [
        "registration",
        "website",
        "supervisory_authority",
        "dpo",
        "representative",
    ] {
        assert!(
            org[absent].is_null(),
            "`{absent}` should be absent: {}",
            org[absent]
        );
    }
    // The registry is Dutch, and says so.
    assert_eq!(s(&org["site"], "language"), "nl");
    assert!(s(&org["site"], "title").contains("register van verwerkingsactiviteiten"));
    assert!(
        org["note"]
            .as_str()
            .unwrap()
            .contains("passende overeenkomsten")
    );
}

#[test]
fn one_activity_per_purpose_with_the_policys_legal_basis() {
    let site = Site::build(&registry(), AS_OF);
    let j = site.json();
    let acts = activities(&j);
    assert_eq!(acts.len(), 8, "activities: {:?}", acts.keys());
    assert!(arr(&j["processor_record"], "activities").is_empty());
    assert_eq!(s(&j["controller_record"], "article"), "30(1)");

    let expected: BTreeSet<String> = LEGAL_BASES.iter().map(|(id, _)| id.to_string()).collect();
    assert_eq!(acts.keys().cloned().collect::<BTreeSet<_>>(), expected);

    for (id, bases) in LEGAL_BASES {
        let a = &acts[*id];
        assert_eq!(s(a, "role"), "controller", "{id}");
        assert_eq!(s(a, "status"), "active", "{id}");
        let got = strs(a, "legal_bases");
        let want: Vec<String> = bases.iter().map(|b| b.to_string()).collect();
        assert_eq!(
            got.iter().collect::<BTreeSet<_>>(),
            want.iter().collect::<BTreeSet<_>>(),
            "legal bases of {id}"
        );
        assert!(!arr(a, "purposes").is_empty(), "{id} has purposes");
        assert_eq!(ids(a, "data_subjects"), set(&["gebruikers"]), "{id}");
        assert!(!arr(a, "data_categories").is_empty(), "{id}");
        assert!(!arr(a, "measures").is_empty(), "{id} has measures");
        // Legitimate interests come with the interest pursued; nothing else does.
        let li = bases.contains(&"legitimate-interests");
        assert_eq!(a["legitimate_interest"].is_string(), li, "{id}");
        // No Art. 9 data, no automated decisions in the policy.
        assert!(a["special_category_condition"].is_null(), "{id}");
        assert_eq!(a["automated_decision_making"], false, "{id}");
    }

    // Names and purposes are in Dutch, as the policy.
    assert_eq!(
        s(&acts["accountbeheer"], "name"),
        "Registratie en beheer van het gebruikersaccount"
    );
    assert_eq!(
        s(&acts["beveiliging-en-fraudepreventie"], "name"),
        "Beveiliging, detectie en preventie van fraude"
    );
    assert!(
        strs(&acts["marketingcommunicatie"], "purposes")
            .iter()
            .any(|p| p.to_lowercase().contains("nieuwsbrieven"))
    );
}

#[test]
fn recipients_are_the_policys_categories_and_no_processor_is_invented() {
    let site = Site::build(&registry(), AS_OF);
    let j = site.json();

    // The policy names no processor, no transfer and no safeguard.
    assert!(arr(&j, "processors").is_empty(), "{}", j["processors"]);
    assert!(arr(&j, "transfers").is_empty(), "{}", j["transfers"]);
    assert!(arr(&j, "safeguards").is_empty(), "{}", j["safeguards"]);

    let recipients: BTreeMap<String, Value> = arr(&j, "recipients")
        .iter()
        .map(|r| (s(r, "id").to_string(), r.clone()))
        .collect();
    let kinds: BTreeMap<&str, &str> = recipients
        .iter()
        .map(|(id, r)| (id.as_str(), s(r, "kind")))
        .collect();
    assert_eq!(
        kinds,
        BTreeMap::from([
            ("dienstverleners", "category"),
            ("externe-adviseurs", "category"),
            ("onderzoekspartners", "category"),
            ("opvolgers", "category"),
            ("overheidsinstanties", "public-authority"),
            ("partners-apparaten-en-netwerken", "category"),
            ("wetshandhavingsinstanties", "public-authority"),
        ])
    );
    // No country is given for any of them.
    for (id, r) in &recipients {
        assert!(r["country"].is_null(), "{id} has no country in the policy");
        assert!(arr(r, "transfers").is_empty(), "{id}");
    }

    let used_by = |id: &str| -> BTreeSet<String> {
        strs(&recipients[id], "activities").into_iter().collect()
    };
    let all: BTreeSet<String> = LEGAL_BASES.iter().map(|(id, _)| id.to_string()).collect();
    // The sharing section applies to personal data in general.
    assert_eq!(used_by("dienstverleners"), all);
    assert_eq!(used_by("overheidsinstanties"), all);
    assert_eq!(used_by("opvolgers"), all);
    // The purposes name these.
    assert_eq!(
        used_by("wetshandhavingsinstanties"),
        set(&["beveiliging-en-fraudepreventie", "juridische-kwesties"])
    );
    assert_eq!(
        used_by("externe-adviseurs"),
        set(&["beveiliging-en-fraudepreventie"])
    );
    assert_eq!(
        used_by("onderzoekspartners"),
        set(&["analyse-en-onderzoek"])
    );
    assert_eq!(
        used_by("partners-apparaten-en-netwerken"),
        set(&["werking-applicatie"])
    );

    // No transfer is recorded, so no activity lists one or reaches outside the EEA.
    for (id, a) in activities(&j) {
        assert!(arr(&a, "processors").is_empty(), "{id}");
        assert!(arr(&a, "transfers").is_empty(), "{id}");
        assert!(arr(&a, "transfers_outside_eea").is_empty(), "{id}");
    }
    // The only transfer safeguard the policy names is recorded as a measure.
    let measures = ids(&j, "measures");
    assert!(measures.contains("doorgifte-met-passende-bescherming"));
}

#[test]
fn two_year_maximum_for_data_the_user_provides() {
    let site = Site::build(&registry(), AS_OF);
    let j = site.json();
    let acts = activities(&j);
    let provided = set(&[
        "contactgegevens",
        "inloggegevens",
        "profielgegevens",
        "feedbackberichten",
    ]);

    for (id, a) in &acts {
        let retention = arr(a, "retention");
        assert!(!retention.is_empty(), "{id} has a retention entry");
        for r in retention {
            let cats: BTreeSet<String> = strs(r, "data_categories").into_iter().collect();
            match r["period"].as_str() {
                // The policy's only period: two years, for data the user provides.
                Some(p) => {
                    assert_eq!(p, "P2Y", "{id}: no other period is in the policy");
                    assert!(cats.is_subset(&provided), "{id}: P2Y on {cats:?}");
                    assert!(
                        words(r["note"].as_str().unwrap()).contains("twee jaar"),
                        "{id}"
                    );
                }
                // Automatically collected data: no period, and a note says so.
                None => {
                    assert!(cats.is_disjoint(&provided), "{id}: {cats:?}");
                    assert!(
                        words(r["note"].as_str().unwrap()).contains("geen termijn"),
                        "{id}"
                    );
                }
            }
        }
    }
    let with_p2y: BTreeSet<String> = acts
        .iter()
        .filter(|(_, a)| arr(a, "retention").iter().any(|r| r["period"] == "P2Y"))
        .map(|(id, _)| id.clone())
        .collect();
    let mut all_but_cookies: BTreeSet<String> =
        LEGAL_BASES.iter().map(|(id, _)| id.to_string()).collect();
    all_but_cookies.remove("cookies");
    assert_eq!(with_p2y, all_but_cookies);

    // Account data: all of it two years.
    let account = &arr(&acts["accountbeheer"], "retention")[0];
    assert_eq!(account["period"], "P2Y");
    assert_eq!(
        strs(account, "data_categories")
            .into_iter()
            .collect::<BTreeSet<_>>(),
        set(&["contactgegevens", "inloggegevens", "profielgegevens"])
    );
}

#[test]
fn categories_and_measures_follow_the_policy() {
    let site = Site::build(&registry(), AS_OF);
    let j = site.json();

    assert_eq!(ids(&j, "data_subjects"), set(&["gebruikers"]));
    let cats = arr(&j, "data_categories");
    assert_eq!(
        cats.iter()
            .map(|c| s(c, "id").to_string())
            .collect::<BTreeSet<_>>(),
        set(&[
            "apparaatgegevens",
            "basisinformatie-slimme-apparaten",
            "contactgegevens",
            "cookiegegevens",
            "feedbackberichten",
            "gebruiksgegevens",
            "gegevens-van-slimme-apparaten",
            "inloggegevens",
            "locatiegegevens",
            "profielgegevens",
            "systeemloggegevens",
        ])
    );
    for c in cats {
        assert_eq!(c["special"], false, "{}", s(c, "id"));
        assert_eq!(c["criminal"], false, "{}", s(c, "id"));
        assert!(!arr(c, "activities").is_empty(), "{} is used", s(c, "id"));
    }
    let cameras = cats
        .iter()
        .find(|c| c["id"] == "gegevens-van-slimme-apparaten")
        .unwrap();
    assert!(s(cameras, "description").contains("camera"));

    let measures: BTreeMap<String, String> = arr(&j, "measures")
        .iter()
        .map(|m| (s(m, "id").to_string(), s(m, "kind").to_string()))
        .collect();
    assert_eq!(measures.len(), 8, "{measures:?}");
    // The "Veiligheid" section: applied to every activity.
    for m in [
        "beveiligde-opslag",
        "bedrijfssystemen-en-procedures",
        "toegangsbeperking-servers-en-apparaten",
        "toegang-alleen-indien-nodig",
    ] {
        let entry = arr(&j, "measures").iter().find(|x| x["id"] == m).unwrap();
        assert_eq!(strs(entry, "activities").len(), 8, "{m} on every activity");
    }
    assert_eq!(measures["toegang-alleen-indien-nodig"], "organisational");
    assert_eq!(measures["bedrijfssystemen-en-procedures"], "organisational");
    assert_eq!(
        measures["toegangsbeperking-servers-en-apparaten"],
        "technical"
    );
}

#[test]
fn json_register_keeps_english_keys_and_codes() {
    let site = Site::build(&registry(), AS_OF);
    let j = site.json();
    let text = std::fs::read_to_string(site.root.join("ropa.json")).unwrap();

    for key in [
        "schema_version",
        "organisation",
        "controller_record",
        "processor_record",
        "recipients",
        "data_categories",
        "measures",
    ] {
        assert!(j.get(key).is_some(), "top-level key `{key}`");
    }
    let act = &activities(&j)["juridische-kwesties"];
    for key in [
        "legal_bases",
        "legitimate_interest",
        "purposes",
        "retention",
        "recipients",
    ] {
        assert!(act.get(key).is_some(), "activity key `{key}`");
    }

    const LEGAL: &[&str] = &[
        "consent",
        "contract",
        "legal-obligation",
        "vital-interests",
        "public-task",
        "legitimate-interests",
    ];
    for (id, a) in activities(&j) {
        for b in strs(&a, "legal_bases") {
            assert!(LEGAL.contains(&b.as_str()), "{id}: legal basis code `{b}`");
        }
        assert!(["controller", "joint-controller", "processor"].contains(&s(&a, "role")));
        assert!(["active", "planned", "retired"].contains(&s(&a, "status")));
        for r in arr(&a, "recipients") {
            assert!(
                [
                    "controller",
                    "public-authority",
                    "group-company",
                    "category"
                ]
                .contains(&s(r, "kind"))
            );
        }
    }
    for m in arr(&j, "measures") {
        assert!(["technical", "organisational"].contains(&s(m, "kind")));
    }
    // The register writes these codes literally, not Dutch words for them.
    assert!(text.contains("\"legitimate-interests\""));
    assert!(text.contains("\"legal-obligation\""));
    assert!(text.contains("\"public-authority\""));
    for dutch in [
        "\"toestemming\"",
        "\"overeenkomst\"",
        "\"gerechtvaardigd belang\"",
    ] {
        assert!(!text.contains(dutch), "JSON register contains {dutch}");
    }
}

#[test]
fn html_pages_are_dutch_and_show_the_activities() {
    let site = Site::build(&registry(), AS_OF);
    let j = site.json();
    let html = sel("html");
    let h1 = sel("h1");

    for page in [
        "index.html",
        "activities/accountbeheer.html",
        "recipients/overheidsinstanties.html",
    ] {
        let doc = site.page(page);
        let lang = doc
            .select(&html)
            .next()
            .and_then(|e| e.value().attr("lang"))
            .map(str::to_string);
        assert_eq!(lang.as_deref(), Some("nl"), "<html lang> of {page}");
    }

    // Each activity page's one h1 is the activity's Dutch name.
    for (id, a) in activities(&j) {
        let doc = site.page(&format!("activities/{id}.html"));
        let heads: Vec<String> = doc
            .select(&h1)
            .map(|e| e.text().collect::<String>().trim().to_string())
            .collect();
        assert_eq!(
            heads,
            vec![s(&a, "name").to_string()],
            "h1 of activities/{id}.html"
        );
    }

    // A fact from the policy in the page text: the two-year period and the
    // support address.
    let doc = site.page("activities/accountbeheer.html");
    let main: String = doc.select(&sel("main")).flat_map(|m| m.text()).collect();
    assert!(main.contains("P2Y") || main.contains("2 jaar") || main.contains("twee jaar"));
    assert!(main.contains("Gebruikers van de ALUTECH Smart-app"));
    let recipient = site.page("recipients/wetshandhavingsinstanties.html");
    let heads: Vec<String> = recipient
        .select(&h1)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect();
    assert_eq!(heads, vec!["Wetshandhavingsinstanties".to_string()]);
}
