//! The AllThingsTalk example registry (`examples/allthingstalk/`, issue 5)
//! holds the facts of the AllThingsTalk Cloud IoT Platform privacy policy.
//! This test builds it with the real binary and checks those facts in the
//! built site: the JSON register (`ropa.json`) and a few HTML pages. A change
//! in the compiler or in the data that loses a fact fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

mod example_site;
use example_site::{Site, ropa, show};

const AS_OF: &str = "2026-11-24";

fn registry() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/allthingstalk")
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

fn text(e: ElementRef) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| {
            x.as_str()
                .unwrap_or_else(|| panic!("not a string: {x}"))
                .to_string()
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn ids(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x["id"].as_str().expect("id").to_string())
        .collect()
}

/// The controller record's activities, by id.
fn activities(reg: &Value) -> BTreeMap<String, Value> {
    reg["controller_record"]["activities"]
        .as_array()
        .expect("controller_record.activities")
        .iter()
        .map(|a| (a["id"].as_str().unwrap().to_string(), a.clone()))
        .collect()
}

/// `examples/allthingstalk/README.md`'s line "Expected warning codes: ...".
fn readme_warning_codes() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(registry().join("README.md")).expect("README.md");
    let line = readme
        .lines()
        .find(|l| l.starts_with("Expected warning codes:"))
        .expect("the README has a line `Expected warning codes: ...`");
    let rest = line["Expected warning codes:".len()..].trim();
    if rest.trim_end_matches('.') == "none" {
        return BTreeSet::new();
    }
    rest.split('`')
        .skip(1)
        .step_by(2)
        .map(|s| s.to_string())
        .collect()
}

// ---------------------------------------------------------------------------
// The checker
// ---------------------------------------------------------------------------

#[test]
fn check_has_no_errors_and_exactly_the_warnings_the_readme_lists() {
    let out = ropa(&[
        "check",
        "--registry",
        registry().to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "check failed:\n{}", show(&out));
    let diags: Value = serde_json::from_slice(&out.stdout).expect("JSON diagnostics");
    let diags = diags.as_array().expect("an array of diagnostics");
    let errors: Vec<&Value> = diags.iter().filter(|d| d["severity"] == "error").collect();
    assert!(errors.is_empty(), "errors: {errors:#?}");
    let codes: BTreeSet<String> = diags
        .iter()
        .filter(|d| d["severity"] == "warning")
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    let expected = readme_warning_codes();
    assert_eq!(
        codes, expected,
        "warning codes differ from the README: {diags:#?}"
    );

    // The README says the record has no warnings at all: with
    // --deny-warnings it must still pass.
    assert!(expected.is_empty());
    assert!(diags.is_empty(), "{diags:#?}");
    let strict = ropa(&[
        "check",
        "--registry",
        registry().to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--deny-warnings",
    ]);
    assert_eq!(strict.status.code(), Some(0), "{}", show(&strict));
}

// ---------------------------------------------------------------------------
// The JSON register
// ---------------------------------------------------------------------------

#[test]
fn register_states_the_controller_and_its_missing_contact() {
    let site = Site::build(&registry(), AS_OF);
    let reg = site.json();
    assert_eq!(reg["as_of"], AS_OF);

    let org = &reg["organisation"];
    assert_eq!(org["name"], "AllThingsTalk NV");
    assert_eq!(org["trading_name"], "AllThingsTalk");
    // Assumed (not in the policy), and the note says so.
    assert_eq!(org["country"], "BE");
    // The policy gives no contact details: its e-mail address is blank.
    for key in [
        "registration",
        "address",
        "email",
        "phone",
        "website",
        "supervisory_authority",
        "dpo",
        "representative",
    ] {
        assert!(
            org[key].is_null(),
            "organisation.{key} should be absent: {}",
            org[key]
        );
    }
    let note = org["note"].as_str().expect("organisation note");
    assert!(note.contains("send an e-mail to ."), "{note}");
    assert!(note.contains("`BE`") && note.contains("assumed"), "{note}");
    assert_eq!(org["site"]["language"], "en");
    assert_eq!(
        org["site"]["title"],
        "AllThingsTalk: Record of Processing Activities"
    );
}

#[test]
fn register_has_the_three_activities_with_their_legal_bases() {
    let site = Site::build(&registry(), AS_OF);
    let reg = site.json();
    assert_eq!(reg["controller_record"]["article"], "30(1)");
    assert_eq!(
        reg["processor_record"]["activities"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "the policy describes no processing on behalf of customers"
    );

    let acts = activities(&reg);
    assert_eq!(
        acts.keys().cloned().collect::<BTreeSet<_>>(),
        set(&[
            "commercial-communications",
            "legal-obligations",
            "managing-the-service"
        ])
    );

    let expected: [(&str, &str, &[&str], &[&str]); 3] = [
        (
            "managing-the-service",
            "Managing the Service",
            &["contract"],
            &[
                "Managing the Service",
                "Enabling the use of the Cloud Instance",
            ],
        ),
        (
            "commercial-communications",
            "Commercial communications",
            &["consent", "legitimate-interests"],
            &["Commercial communications from AllThingsTalk or affiliates of AllThingsTalk"],
        ),
        (
            "legal-obligations",
            "Blocked retention and compelled disclosure",
            &["legal-obligation"],
            &[
                "Keep personal data blocked after its purpose has ended, to heed possible legal or administrative requirements until they expire",
                "Disclose personal data when required by a legal obligation, a judicial injunction or a demand issued by an administrative authority",
            ],
        ),
    ];
    for (id, name, bases, purposes) in expected {
        let a = &acts[id];
        assert_eq!(a["name"], name, "{id}");
        assert_eq!(a["role"], "controller", "{id}");
        assert_eq!(a["status"], "active", "{id}");
        assert_eq!(
            strs(&a["legal_bases"]).into_iter().collect::<BTreeSet<_>>(),
            set(bases),
            "legal bases of {id}"
        );
        assert_eq!(strs(&a["purposes"]), purposes, "purposes of {id}");
        assert_eq!(ids(&a["data_subjects"]), set(&["users"]), "{id}");
        assert_eq!(
            strs(&a["sources"]),
            ["Directly from the Users registering for the use of the Cloud Instance"],
            "{id}"
        );
        assert!(a["special_category_condition"].is_null(), "{id}");
        assert_eq!(a["automated_decision_making"], false, "{id}");
    }

    // Only the activity relying on legitimate interests states the interest,
    // and it says that the policy does not name it.
    let li = acts["commercial-communications"]["legitimate_interest"]
        .as_str()
        .expect("legitimate_interest");
    assert!(li.contains("without saying what the interest is"), "{li}");
    assert!(acts["managing-the-service"]["legitimate_interest"].is_null());
    assert!(acts["legal-obligations"]["legitimate_interest"].is_null());

    // Every legal ground the policy lists is used somewhere.
    let all: BTreeSet<String> = acts
        .values()
        .flat_map(|a| strs(&a["legal_bases"]))
        .collect();
    assert_eq!(
        all,
        set(&[
            "consent",
            "contract",
            "legal-obligation",
            "legitimate-interests"
        ])
    );
}

#[test]
fn register_has_the_policys_data_categories_and_no_special_data() {
    let site = Site::build(&registry(), AS_OF);
    let reg = site.json();

    assert_eq!(ids(&reg["data_subjects"]), set(&["users"]));
    let cats: BTreeMap<String, &Value> = reg["data_categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c))
        .collect();
    let names: BTreeMap<&str, &str> = cats
        .iter()
        .map(|(id, c)| (id.as_str(), c["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        BTreeMap::from([
            ("cookie-data", "Information on cookies"),
            ("economic-data", "Economic data on the services provided"),
            ("identification-data", "Identification data"),
            ("personal-characteristics", "Personal characteristics"),
        ])
    );
    // "Specially protected data are not processed."
    for (id, c) in &cats {
        assert_eq!(c["special"], false, "{id}");
        assert_eq!(c["criminal"], false, "{id}");
    }

    let acts = activities(&reg);
    let all_four = set(&[
        "cookie-data",
        "economic-data",
        "identification-data",
        "personal-characteristics",
    ]);
    assert_eq!(
        ids(&acts["managing-the-service"]["data_categories"]),
        all_four
    );
    assert_eq!(ids(&acts["legal-obligations"]["data_categories"]), all_four);
    assert_eq!(
        ids(&acts["commercial-communications"]["data_categories"]),
        set(&["identification-data", "personal-characteristics"])
    );
}

#[test]
fn register_has_the_recipients_and_no_processor_or_transfer() {
    let site = Site::build(&registry(), AS_OF);
    let reg = site.json();

    // The policy names no processor, and no transfer outside the EEA.
    assert_eq!(reg["processors"].as_array().unwrap().len(), 0);
    assert_eq!(reg["transfers"].as_array().unwrap().len(), 0);
    assert_eq!(reg["safeguards"].as_array().unwrap().len(), 0);

    // Group entities, entrusted partners, service providers, authorities.
    let recipients: BTreeMap<String, &Value> = reg["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r))
        .collect();
    let kinds: BTreeMap<&str, &str> = recipients
        .iter()
        .map(|(id, r)| (id.as_str(), r["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        BTreeMap::from([
            ("authorities", "public-authority"),
            ("entrusted-partners", "category"),
            ("group-entities", "group-company"),
            ("service-providers", "category"),
        ])
    );
    for (id, r) in &recipients {
        assert!(
            r["country"].is_null(),
            "the policy gives no country for {id}"
        );
        assert_eq!(r["transfers"].as_array().unwrap().len(), 0, "{id}");
        assert!(
            r["note"].as_str().is_some_and(|n| !n.is_empty()),
            "{id} has a note"
        );
    }
    assert_eq!(
        recipients["group-entities"]["name"],
        "AllThingsTalk's internal entities and affiliates"
    );
    assert_eq!(
        recipients["authorities"]["name"],
        "Judicial and administrative authorities (compelled disclosure)"
    );
    // Service providers act "in the name and on behalf of AllThingsTalk".
    assert!(
        recipients["service-providers"]["description"]
            .as_str()
            .unwrap()
            .contains("in the name and on behalf of AllThingsTalk")
    );
    assert_eq!(
        strs(&recipients["authorities"]["activities"])
            .into_iter()
            .collect::<BTreeSet<_>>(),
        set(&[
            "commercial-communications",
            "legal-obligations",
            "managing-the-service"
        ])
    );

    let acts = activities(&reg);
    let four = set(&[
        "authorities",
        "entrusted-partners",
        "group-entities",
        "service-providers",
    ]);
    assert_eq!(ids(&acts["managing-the-service"]["recipients"]), four);
    assert_eq!(ids(&acts["commercial-communications"]["recipients"]), four);
    assert_eq!(
        ids(&acts["legal-obligations"]["recipients"]),
        set(&["authorities"])
    );
    for (id, a) in &acts {
        assert_eq!(a["processors"].as_array().unwrap().len(), 0, "{id}");
        assert_eq!(a["transfers"].as_array().unwrap().len(), 0, "{id}");
        assert_eq!(
            a["transfers_outside_eea"].as_array().unwrap().len(),
            0,
            "{id}: no data leaves the EEA"
        );
    }
}

#[test]
fn register_has_retention_without_periods_as_the_policy_gives_none() {
    let site = Site::build(&registry(), AS_OF);
    let reg = site.json();
    let acts = activities(&reg);
    let expected_from = [
        ("managing-the-service", "collection of the data"),
        ("commercial-communications", "collection of the data"),
        (
            "legal-obligations",
            "end of the purpose the data was collected for",
        ),
    ];
    for (id, from) in expected_from {
        let ret = acts[id]["retention"].as_array().expect("retention");
        assert_eq!(ret.len(), 1, "{id}: {ret:#?}");
        let r = &ret[0];
        // The policy states no period anywhere.
        assert!(r["period"].is_null(), "{id}: {r}");
        assert_eq!(r["from"], from, "{id}");
        // Without `data_categories`, the entry covers all of the activity's.
        assert_eq!(
            strs(&r["data_categories"])
                .into_iter()
                .collect::<BTreeSet<_>>(),
            ids(&acts[id]["data_categories"]),
            "{id}"
        );
        assert!(
            r["note"].as_str().is_some_and(|n| n.contains("no period")),
            "{id}: {r}"
        );
    }
    assert!(
        acts["legal-obligations"]["retention"][0]["note"]
            .as_str()
            .unwrap()
            .contains("in a blocked manner")
    );
}

#[test]
fn register_has_the_security_measures_the_policy_describes() {
    let site = Site::build(&registry(), AS_OF);
    let reg = site.json();
    let measures: BTreeMap<String, &Value> = reg["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_str().unwrap().to_string(), m))
        .collect();
    let kinds: BTreeMap<&str, Option<&str>> = measures
        .iter()
        .map(|(id, m)| (id.as_str(), m["kind"].as_str()))
        .collect();
    assert_eq!(
        kinds,
        BTreeMap::from([
            ("blocked-storage", None),
            ("breach-notification", Some("organisational")),
            ("organisational-measures", Some("organisational")),
            ("processor-agreements", Some("organisational")),
            ("technical-measures", Some("technical")),
        ])
    );
    assert!(
        measures["breach-notification"]["name"]
            .as_str()
            .unwrap()
            .contains("72 hours")
    );

    let acts = activities(&reg);
    let common = [
        "blocked-storage",
        "breach-notification",
        "organisational-measures",
        "technical-measures",
    ];
    let mut with_agreements = set(&common);
    with_agreements.insert("processor-agreements".into());
    assert_eq!(
        ids(&acts["managing-the-service"]["measures"]),
        with_agreements
    );
    assert_eq!(
        ids(&acts["commercial-communications"]["measures"]),
        with_agreements
    );
    assert_eq!(ids(&acts["legal-obligations"]["measures"]), set(&common));
}

// ---------------------------------------------------------------------------
// The HTML pages
// ---------------------------------------------------------------------------

/// The `<dd>` after the `<dt>` whose reference is `art` (e.g. "Art. 6(1)").
fn art30_value<'a>(doc: &'a Html, art: &str) -> ElementRef<'a> {
    let dt_sel = sel("dl.art30 > dt");
    let ref_sel = sel("span.ref");
    let dt = doc
        .select(&dt_sel)
        .find(|dt| dt.select(&ref_sel).any(|r| text(r) == art))
        .unwrap_or_else(|| panic!("no <dt> for {art}"));
    dt.next_siblings()
        .filter_map(ElementRef::wrap)
        .next()
        .filter(|e| e.value().name() == "dd")
        .unwrap_or_else(|| panic!("no <dd> after the <dt> for {art}"))
}

fn list_items(e: ElementRef) -> Vec<String> {
    e.select(&sel("li")).map(text).collect()
}

#[test]
fn site_pages_show_the_policys_facts() {
    let site = Site::build(&registry(), AS_OF);
    let h1 = sel("h1");

    let index = site.page("index.html");
    let html = index.select(&sel("html")).next().unwrap();
    assert_eq!(html.value().attr("lang"), Some("en"));
    let h1s: Vec<String> = index.select(&h1).map(text).collect();
    assert_eq!(h1s, ["AllThingsTalk NV"]);

    // One page per activity, none other.
    let mut pages: Vec<String> = std::fs::read_dir(site.root.join("activities"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".html") && n != "index.html")
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "commercial-communications.html",
            "legal-obligations.html",
            "managing-the-service.html"
        ]
    );

    let page = site.page("activities/managing-the-service.html");
    let h1s: Vec<String> = page.select(&h1).map(text).collect();
    assert_eq!(h1s, ["Managing the Service"]);
    let bases = list_items(art30_value(&page, "Art. 6(1)"));
    assert_eq!(bases.len(), 1, "{bases:?}");
    assert!(bases[0].contains("Art. 6(1)(b)"), "{bases:?}");
    let purposes = list_items(art30_value(&page, "Art. 30(1)(b)"));
    assert_eq!(
        purposes,
        [
            "Managing the Service",
            "Enabling the use of the Cloud Instance"
        ]
    );
    // Retention: one entry, no period (no <code> with a duration).
    let retention = art30_value(&page, "Art. 30(1)(f)");
    assert_eq!(retention.select(&sel("li")).count(), 1);
    assert_eq!(retention.select(&sel("code")).count(), 0);
    // No transfer table: no data leaves the EEA.
    assert_eq!(
        art30_value(&page, "Art. 30(1)(e)")
            .select(&sel("table"))
            .count(),
        0
    );

    let page = site.page("activities/commercial-communications.html");
    let h1s: Vec<String> = page.select(&h1).map(text).collect();
    assert_eq!(h1s, ["Commercial communications"]);
    let bases = list_items(art30_value(&page, "Art. 6(1)"));
    assert_eq!(bases.len(), 2, "{bases:?}");
    assert!(
        bases.iter().any(|b| b.contains("Art. 6(1)(a)")),
        "{bases:?}"
    );
    assert!(
        bases.iter().any(|b| b.contains("Art. 6(1)(f)")),
        "{bases:?}"
    );
    let recipients = art30_value(&page, "Art. 30(1)(d)");
    let links: BTreeSet<String> = recipients
        .select(&sel("a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(
        links,
        set(&[
            "../recipients/authorities.html",
            "../recipients/entrusted-partners.html",
            "../recipients/group-entities.html",
            "../recipients/service-providers.html",
        ])
    );

    let page = site.page("activities/legal-obligations.html");
    let h1s: Vec<String> = page.select(&h1).map(text).collect();
    assert_eq!(h1s, ["Blocked retention and compelled disclosure"]);
    let bases = list_items(art30_value(&page, "Art. 6(1)"));
    assert_eq!(bases.len(), 1, "{bases:?}");
    assert!(bases[0].contains("Art. 6(1)(c)"), "{bases:?}");

    let page = site.page("recipients/authorities.html");
    let h1s: Vec<String> = page.select(&h1).map(text).collect();
    assert_eq!(
        h1s,
        ["Judicial and administrative authorities (compelled disclosure)"]
    );
}
