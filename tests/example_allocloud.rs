//! The ALLOcloud example registry (`examples/allocloud/`, issue 5) holds the
//! facts of ALLOcloud's privacy policy. This test builds it with the real
//! binary and checks those facts in the built output: the JSON register
//! (`ropa.json`, see docs/json-register.md) and a few HTML pages. A change in
//! the compiler or in the data that loses or alters a fact fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use scraper::{Html, Selector};
use serde_json::Value;

mod example_site;
use example_site::{Site, ropa};

const AS_OF: &str = "2026-11-24";

fn registry() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/allocloud")
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text_of(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// `<dd>` text following the `<dt>` whose text is `term`.
fn dd_after(doc: &Html, term: &str) -> String {
    let dt = doc
        .select(&sel("dt"))
        .find(|e| e.text().collect::<String>().trim() == term)
        .unwrap_or_else(|| panic!("no <dt>{term}</dt>"));
    let dd = dt
        .next_siblings()
        .filter_map(scraper::ElementRef::wrap)
        .find(|e| e.value().name() == "dd")
        .unwrap_or_else(|| panic!("no <dd> after <dt>{term}</dt>"));
    dd.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn by_id<'a>(arr: &'a Value, id: &str) -> &'a Value {
    arr.as_array()
        .expect("array")
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("no entry with id {id}"))
}

fn ids(arr: &Value) -> BTreeSet<String> {
    arr.as_array()
        .expect("array")
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A Markdown field with its line breaks and indentation folded to single
/// spaces, so that phrases can be searched across wrapped lines.
fn flat(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The activities of the policy and the legal bases recorded for each.
const ACTIVITIES: &[(&str, &[&str])] = &[
    ("customer-support", &["contract"]),
    ("data-subject-requests", &["legal-obligation"]),
    ("functional-cookies", &["legitimate-interests"]),
    (
        "legal-requirements",
        &["legal-obligation", "legitimate-interests"],
    ),
    ("marketing-communications", &["legitimate-interests"]),
    ("payments", &["contract"]),
    ("providing-the-service", &["contract"]),
    ("technical-issues", &["legitimate-interests"]),
    ("web-analytics", &["consent"]),
];

/// The warnings the example's README lists, with their counts.
const EXPECTED_WARNINGS: &[(&str, usize)] = &[
    ("dpa-missing", 2),
    ("derogation-used", 2),
    ("legal-provision-missing", 2),
    ("contact-details-missing", 1),
];

#[test]
fn controller_identity_and_contact() {
    let site = Site::build(&registry(), AS_OF);
    let org = &site.json["organisation"];
    assert_eq!(org["name"], "OpenS");
    assert_eq!(org["trading_name"], "ALLOcloud");
    assert_eq!(org["registration"], "BE0821.802.905");
    assert_eq!(org["website"], "http://www.allocloud.com");
    assert_eq!(org["country"], "BE");
    assert_eq!(org["site"]["language"], "en");
    // The policy gives only a contact form: no address, e-mail, phone, DPO,
    // representative or supervisory authority may be invented.
    for key in [
        "address",
        "email",
        "phone",
        "dpo",
        "representative",
        "supervisory_authority",
    ] {
        assert!(org[key].is_null(), "organisation.{key} must stay empty");
    }
    let note = flat(&org["note"]);
    assert!(note.contains("contact form"), "{note}");
    assert!(note.contains("www.allocloud.com/gdpr"), "{note}");

    let index = site.page("index.html");
    assert_eq!(text_of(&index, "h1"), ["OpenS"]);
    let html_lang = index
        .select(&sel("html"))
        .next()
        .unwrap()
        .value()
        .attr("lang");
    assert_eq!(html_lang, Some("en"));
}

#[test]
fn activities_and_legal_bases() {
    let site = Site::build(&registry(), AS_OF);
    let j = &site.json;
    assert_eq!(j["as_of"], AS_OF);
    assert_eq!(j["controller_record"]["article"], "30(1)");
    assert_eq!(
        j["processor_record"]["activities"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "the policy describes no processing on behalf of others"
    );
    let acts = &j["controller_record"]["activities"];
    assert_eq!(acts.as_array().unwrap().len(), ACTIVITIES.len());
    let expected_ids: BTreeSet<String> = ACTIVITIES.iter().map(|(id, _)| id.to_string()).collect();
    assert_eq!(ids(acts), expected_ids);

    for (id, bases) in ACTIVITIES {
        let a = by_id(acts, id);
        assert_eq!(a["role"], "controller", "{id}");
        assert_eq!(a["status"], "active", "{id}");
        assert_eq!(strs(&a["legal_bases"]), *bases, "legal bases of {id}");
        let li = &a["legitimate_interest"];
        assert_eq!(
            bases.contains(&"legitimate-interests"),
            li.is_string(),
            "legitimate_interest of {id}: {li}"
        );
        // Every legal basis is an assumption: each activity says so in its note.
        let note = flat(&a["note"]);
        assert!(
            note.contains("The policy states no legal basis")
                || note.contains("The policy states none"),
            "{id}: the note must say the legal basis is not in the policy"
        );
        // The only general measure the policy gives applies everywhere.
        assert!(
            ids(&a["measures"]).contains("commercially-acceptable-means"),
            "{id}"
        );
        // A merger or sale concerns "your Personal Data" in general.
        assert!(
            ids(&a["recipients"]).contains("business-transaction-parties"),
            "{id}"
        );
        assert!(!a["automated_decision_making"].as_bool().unwrap(), "{id}");
        assert_eq!(a["review"]["last_reviewed"], "2026-11-24", "{id}");
        assert_eq!(a["review"]["overdue"], false, "{id}");
    }

    // Purposes quoted from the policy's "Use of Data" and other sections.
    let purposes = |id: &str| strs(&by_id(acts, id)["purposes"]);
    assert!(purposes("providing-the-service").contains(&"Provide and maintain the Service".into()));
    assert!(
        purposes("providing-the-service")
            .contains(&"Notify users about changes to the Service".into())
    );
    assert_eq!(purposes("customer-support"), ["Provide customer support"]);
    assert!(
        purposes("technical-issues")
            .contains(&"Detect, prevent and address technical issues".into())
    );
    assert!(purposes("web-analytics").contains(&"Monitor the usage of the Service".into()));
    assert_eq!(purposes("legal-requirements").len(), 6);
    assert!(purposes("legal-requirements").contains(&"Comply with a legal obligation".into()));

    // The marketing interest is direct marketing to existing customers/enquirers.
    let li = by_id(acts, "marketing-communications")["legitimate_interest"]
        .as_str()
        .unwrap();
    assert!(
        li.contains("Direct marketing") && li.contains("opted out"),
        "{li}"
    );

    // The activity page shows the legal basis in words.
    let page = site.page("activities/web-analytics.html");
    assert_eq!(
        text_of(&page, "h1"),
        ["Web analytics with Google Analytics"]
    );
    let body = text_of(&page, "main").join(" ");
    assert!(
        body.contains("Art. 6(1)(a)"),
        "consent shown with its article"
    );
}

#[test]
fn data_subjects_and_categories() {
    let site = Site::build(&registry(), AS_OF);
    let j = &site.json;
    assert_eq!(
        ids(&j["data_subjects"]),
        set(&["customers", "enquirers", "users"])
    );
    assert_eq!(
        ids(&j["data_categories"]),
        set(&[
            "contact-details",
            "cookie-data",
            "identity",
            "postal-address",
            "purchase-history",
            "usage-data",
        ])
    );
    for c in j["data_categories"].as_array().unwrap() {
        assert_eq!(
            c["special"], false,
            "{}: no Art. 9 data in the policy",
            c["id"]
        );
        assert_eq!(
            c["criminal"], false,
            "{}: no Art. 10 data in the policy",
            c["id"]
        );
        assert!(
            !c["activities"].as_array().unwrap().is_empty(),
            "{} is used",
            c["id"]
        );
    }
    let usage = by_id(&j["data_categories"], "usage-data")["description"]
        .as_str()
        .unwrap();
    assert!(usage.contains("IP address") && usage.contains("browser type"));
    assert!(
        by_id(&j["data_categories"], "postal-address")["description"]
            .as_str()
            .unwrap()
            .contains("ZIP/Postal code")
    );

    // "We will not store or collect your payment card details."
    let acts = &j["controller_record"]["activities"];
    let payments = by_id(acts, "payments");
    assert!(
        !ids(&payments["data_categories"])
            .iter()
            .any(|c| c.contains("card") || c.contains("payment")),
        "payment card details are not ALLOcloud's data"
    );
    assert!(flat(&payments["note"]).contains("Payment card details are not in this record"));
    assert_eq!(ids(&payments["data_subjects"]), set(&["customers"]));
    assert_eq!(
        ids(&by_id(acts, "web-analytics")["data_categories"]),
        set(&["cookie-data", "usage-data"])
    );
}

#[test]
fn processors_and_recipients() {
    let site = Site::build(&registry(), AS_OF);
    let j = &site.json;
    let procs = &j["processors"];
    assert_eq!(ids(procs), set(&["google-analytics", "payment-processors"]));

    let ga = by_id(procs, "google-analytics");
    assert!(ga["name"].as_str().unwrap().starts_with("Google"));
    assert!(ga["service"].as_str().unwrap().contains("Google Analytics"));
    assert_eq!(ga["country"], "US");
    assert_eq!(strs(&ga["locations"]), ["US"]);
    assert_eq!(
        ga["dpf_certified"], false,
        "the policy does not claim DPF certification"
    );
    assert!(ga["dpa_signed"].is_null());
    assert_eq!(strs(&ga["activities"]), ["web-analytics"]);
    assert_eq!(ids(&ga["transfers"]), set(&["google-analytics-us"]));
    assert!(flat(&ga["note"]).contains("No DPF certification is claimed"));

    let pay = by_id(procs, "payment-processors");
    assert_eq!(
        pay["name"],
        "Third-party payment processors (not named in the policy)"
    );
    assert_eq!(pay["country"], "BE");
    assert!(pay["dpa_signed"].is_null());
    assert_eq!(strs(&pay["activities"]), ["payments"]);
    assert!(pay["transfers"].as_array().unwrap().is_empty());
    assert!(flat(&pay["note"]).contains("is a placeholder"));

    let recs = &j["recipients"];
    let kinds: BTreeMap<String, (String, Value)> = recs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                (
                    r["kind"].as_str().unwrap().to_string(),
                    r["country"].clone(),
                ),
            )
        })
        .collect();
    let expected: BTreeMap<String, (String, Value)> = [
        ("business-transaction-parties", ("category", Value::Null)),
        ("google-own-purposes", ("controller", Value::from("US"))),
        ("legal-disclosure-recipients", ("category", Value::Null)),
    ]
    .into_iter()
    .map(|(id, (k, c))| (id.to_string(), (k.to_string(), c)))
    .collect();
    assert_eq!(kinds, expected);
    assert_eq!(by_id(recs, "google-own-purposes")["dpf_certified"], false);
    assert_eq!(
        strs(&by_id(recs, "legal-disclosure-recipients")["activities"]),
        ["legal-requirements"]
    );
    assert_eq!(
        by_id(recs, "business-transaction-parties")["activities"]
            .as_array()
            .unwrap()
            .len(),
        ACTIVITIES.len()
    );

    // The web-analytics activity resolves both Google parties, each covered.
    let wa = by_id(&j["controller_record"]["activities"], "web-analytics");
    assert_eq!(ids(&wa["processors"]), set(&["google-analytics"]));
    let flows: BTreeMap<String, (String, BTreeSet<String>)> = wa["transfers_outside_eea"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["party"].as_str().unwrap().to_string(),
                (
                    f["country"].as_str().unwrap().to_string(),
                    ids(&f["transfers"]),
                ),
            )
        })
        .collect();
    assert_eq!(flows.len(), 2, "{flows:?}");
    assert_eq!(
        flows["google-analytics"],
        ("US".into(), set(&["google-analytics-us"]))
    );
    assert_eq!(
        flows["google-own-purposes"],
        ("US".into(), set(&["google-own-purposes-us"]))
    );
    // No other activity sends data outside the EEA.
    for a in j["controller_record"]["activities"].as_array().unwrap() {
        if a["id"] != "web-analytics" {
            assert!(
                a["transfers_outside_eea"].as_array().unwrap().is_empty(),
                "{}",
                a["id"]
            );
        }
    }

    // The processor pages.
    let page = site.page("processors/google-analytics.html");
    assert_eq!(
        text_of(&page, "h1"),
        ["Google (legal entity not named in the policy)"]
    );
    let page = site.page("processors/payment-processors.html");
    assert_eq!(
        text_of(&page, "h1"),
        ["Third-party payment processors (not named in the policy)"]
    );
}

#[test]
fn transfers_and_their_mechanism() {
    let site = Site::build(&registry(), AS_OF);
    let j = &site.json;
    let transfers = &j["transfers"];
    assert_eq!(
        ids(transfers),
        set(&["google-analytics-us", "google-own-purposes-us"])
    );
    for (id, to, kind) in [
        ("google-analytics-us", "google-analytics", "processor"),
        ("google-own-purposes-us", "google-own-purposes", "recipient"),
    ] {
        let t = by_id(transfers, id);
        assert_eq!(t["to"]["id"], to, "{id}");
        assert_eq!(t["to"]["kind"], kind, "{id}");
        assert_eq!(t["country"], "US", "{id}");
        assert!(t["via"].is_null(), "{id}");
        // The policy's only transfer ground: "Your consent to this Privacy
        // Policy [...] represents your agreement to that transfer."
        assert_eq!(t["mechanism"], "derogation", "{id}");
        assert_eq!(t["derogation"], "explicit-consent", "{id}");
        assert!(t["safeguard"].is_null(), "{id}: no SCCs are claimed");
        assert!(t["tia"].is_null(), "{id}");
        assert_eq!(
            t["adequacy"]["covers_party"], false,
            "{id}: not DPF-certified"
        );
        assert_eq!(t["inside_eea"], false, "{id}");
        let cats: BTreeSet<String> = strs(&t["data_categories"]).into_iter().collect();
        assert_eq!(cats, set(&["cookie-data", "usage-data"]), "{id}");
        assert_eq!(strs(&t["activities"]), ["web-analytics"], "{id}");
        assert!(
            flat(&t["description"]).contains("represents your agreement to that transfer"),
            "{id}: the policy's words are quoted"
        );
        assert!(flat(&t["note"]).contains("gap in the policy"), "{id}");
    }
    assert!(
        j["safeguards"].as_array().unwrap().is_empty(),
        "the policy names no transfer safeguard"
    );

    let page = site.page("transfers/google-analytics-us.html");
    assert_eq!(
        text_of(&page, "h1"),
        ["Google (legal entity not named in the policy) → United States (US)"]
    );
    assert!(dd_after(&page, "Mechanism").contains("Art. 49"));
    assert!(dd_after(&page, "Derogation").contains("49(1)(a)"));
}

#[test]
fn retention_as_the_policy_states_it() {
    let site = Site::build(&registry(), AS_OF);
    let acts = &site.json["controller_record"]["activities"];
    for a in acts.as_array().unwrap() {
        let id = a["id"].as_str().unwrap();
        let ret = a["retention"].as_array().unwrap();
        assert!(!ret.is_empty(), "{id} has a retention entry");
        for r in ret {
            // The policy states no period anywhere ("only for as long as is
            // necessary"); a period here would be an invented fact.
            assert!(r["period"].is_null(), "{id}: no period in the policy");
            assert!(
                flat(&r["note"]).contains("gives no"),
                "{id}: the note says the policy gives no period"
            );
        }
    }
    // Usage Data: "generally retained for a shorter period of time".
    let wa = by_id(acts, "web-analytics")["retention"]
        .as_array()
        .unwrap();
    assert_eq!(wa.len(), 2);
    assert_eq!(strs(&wa[0]["data_categories"]), ["usage-data"]);
    assert!(flat(&wa[0]["note"]).contains("shorter period of time"));
    assert_eq!(strs(&wa[1]["data_categories"]), ["cookie-data"]);
    let general = flat(&by_id(acts, "providing-the-service")["retention"][0]["note"]);
    assert!(
        general.contains("only for as long as is necessary"),
        "{general}"
    );
}

#[test]
fn security_measures() {
    let site = Site::build(&registry(), AS_OF);
    let m = &site.json["measures"];
    assert_eq!(
        ids(m),
        set(&[
            "commercially-acceptable-means",
            "identity-verification",
            "security-cookies",
            "service-provider-obligations",
            "transfer-controls",
        ])
    );
    let general = by_id(m, "commercially-acceptable-means");
    assert!(
        general["kind"].is_null(),
        "the policy does not say what kind"
    );
    assert_eq!(
        general["activities"].as_array().unwrap().len(),
        ACTIVITIES.len()
    );
    assert_eq!(by_id(m, "security-cookies")["kind"], "technical");
    assert_eq!(
        by_id(m, "service-provider-obligations")["kind"],
        "organisational"
    );
    assert_eq!(
        strs(&by_id(m, "identity-verification")["activities"]),
        ["data-subject-requests"]
    );
}

/// The `| `code` | count | ...` rows of the README's "Expected diagnostics" table.
fn readme_warnings() -> BTreeMap<String, usize> {
    let readme = std::fs::read_to_string(registry().join("README.md")).unwrap();
    let section = readme
        .split("## Expected diagnostics")
        .nth(1)
        .expect("README has an Expected diagnostics section");
    section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let code = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let count = cells.get(2)?.parse().ok()?;
            Some((code.to_string(), count))
        })
        .collect()
}

#[test]
fn check_passes_with_exactly_the_warnings_in_the_readme() {
    let out = ropa(&[
        "check",
        "--registry",
        registry().to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let diags: Value = serde_json::from_slice(&out.stdout).expect("JSON diagnostics");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for d in diags.as_array().unwrap() {
        assert_eq!(d["severity"], "warning", "unexpected error: {d}");
        *counts
            .entry(d["code"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = EXPECTED_WARNINGS
        .iter()
        .map(|(c, n)| (c.to_string(), *n))
        .collect();
    assert_eq!(counts, expected, "warnings of ropa check");
    assert_eq!(
        readme_warnings(),
        expected,
        "the README's Expected diagnostics table"
    );

    // The warnings point at the files the README names.
    let files: BTreeSet<String> = diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        files,
        set(&[
            "activities/legal/data-subject-requests.toml",
            "activities/legal/legal-requirements.toml",
            "organisation.toml",
            "processors/google-analytics.toml",
            "processors/payment-processors.toml",
            "transfers/google-analytics-us.toml",
            "transfers/google-own-purposes-us.toml",
        ])
    );
}
