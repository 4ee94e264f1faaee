//! The site shows the facts of contract 1.1 (issue 14, "Everything
//! downstream shows the new facts"): international organisations listed
//! apart from countries, the new keys on their entry's page, acknowledged
//! warnings with their reason on the entry's page and counted apart on the
//! dashboard, every new label in the four languages.
//!
//! The registry is the valid-saas fixture with an international
//! organisation that has a decision of its own (EPO, seated in Germany), one
//! without (WHO, seated in adequate Switzerland), an activity disclosing to
//! both, one seated where nothing else goes (OPCW, the Netherlands: no
//! country page), and the new keys.

mod common;

use std::path::Path;

use common::*;
use ropa::diag::{Acknowledged, Code, Diagnostic, Severity};
use ropa::model::{Date, EntryKind, EntryRef};
use scraper::{Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// The text of each element `selector` matches, whitespace collapsed.
fn text(doc: &Html, selector: &str) -> Vec<String> {
    texts(doc, selector, "")
}

/// The same, with a space between text nodes (`<dt>Seat</dt><dd>...`).
fn texts(doc: &Html, selector: &str, between: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .map(|e| {
            e.text()
                .collect::<Vec<_>>()
                .join(between)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn main_text(doc: &Html) -> String {
    texts(doc, "main", " ").join(" ")
}

fn read(site: &Path, rel: &str) -> Html {
    let path = site.join(rel);
    let s = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Html::parse_document(&s)
}

/// valid-saas, with the facts of contract 1.1 added; `language` sets
/// `[site] language`.
fn registry(dir: &Path, language: Option<&str>) {
    copy_dir(&fixture("valid-saas"), dir);
    let write = |rel: &str, s: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, s).unwrap();
    };
    write(
        "recipients/epo.toml",
        r#"name = "European Patent Organisation"
kind = "international-organisation"
international_organisation = "EPO"
country = "DE"
address = "Bob-van-Benthem-Platz 1, 80469 München"
"#,
    );
    write(
        "recipients/who.toml",
        r#"name = "World Health Organization"
kind = "international-organisation"
international_organisation = "WHO"
country = "CH"
"#,
    );
    write(
        "recipients/opcw.toml",
        r#"name = "Organisation for the Prohibition of Chemical Weapons"
kind = "international-organisation"
international_organisation = "OPCW"
country = "NL"
"#,
    );
    write(
        "transfers/epo.toml",
        "to = \"epo\"\nmechanism = \"adequacy\"\n",
    );
    write(
        "transfers/who-ch.toml",
        r#"to = "who"
country = "CH"
mechanism = "derogation"
derogation = "public-interest"
"#,
    );
    write(
        "activities/patents.toml",
        r#"name = "Patent filings"
purposes = ["File patent applications naming our inventors"]
legal_bases = ["legal-obligation"]
legal_provisions = ["European Patent Convention, Art. 81 and Rule 19"]
large_scale = false
data_subjects = ["employees"]
data_categories = ["contact-details"]
recipients = ["epo", "who"]
measures = ["role-based-access"]

[[retention]]
period = "P20Y"
from = "filing"

[review]
last_reviewed = 2026-06-01
next_review = 2027-06-01
"#,
    );
    let cats = dir.join("categories.toml");
    let text = std::fs::read_to_string(&cats).unwrap();
    let text = text.replace(
        "[data_subjects.employees]\nname = \"Employees\"\n",
        "[data_subjects.employees]\nname = \"Employees\"\nemployees = true\nvulnerable = true\nmin_age = 16\n",
    );
    assert!(
        text.contains("min_age = 16"),
        "categories.toml changed shape"
    );
    std::fs::write(&cats, text).unwrap();
    // Employees count as vulnerable (WP248, criterion 7: the imbalance of
    // power); the US processor's DPF certification covers HR data.
    edit(
        dir,
        "organisation.toml",
        "country = \"SE\"\n",
        "country = \"SE\"\npublic_authority = false\n",
    );
    edit(
        dir,
        "processors/hosting/stratus-inc.toml",
        "dpf_certified = true\n",
        "dpf_certified = true\ndpf_hr = true\n",
    );
    if let Some(lang) = language {
        let org = dir.join("organisation.toml");
        let text = std::fs::read_to_string(&org).unwrap();
        assert!(
            text.contains("language = \"en\""),
            "organisation.toml changed shape"
        );
        let text = text.replace("language = \"en\"", &format!("language = \"{lang}\""));
        std::fs::write(&org, text).unwrap();
    }
}

/// Replaces `from` (which must be there) by `to` in the file `rel`.
fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let path = dir.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} changed shape");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Builds the registry in process, with `extra` diagnostics added to the
/// run's (the stage that sets `acknowledged` from `[[acknowledged]]` is
/// another's: these tests set it by hand). Returns the run's diagnostics.
fn build(dir: &Path, out: &Path, extra: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let loaded = ropa::load::load(dir).unwrap();
    let checked = ropa::pipeline::check(&loaded, Date::parse(AS_OF).unwrap(), false);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{} {}: {}", d.code.as_str(), d.path, d.message))
        .collect();
    assert!(errors.is_empty(), "the registry has errors: {errors:#?}");
    let mut diagnostics = checked.diagnostics.clone();
    diagnostics.extend(extra);
    ropa::render::build_site(&checked.register, &diagnostics, out, dir).unwrap();
    diagnostics
}

fn warning(code: Code, kind: EntryKind, id: &str, message: &str) -> Diagnostic {
    let mut d = Diagnostic::file(code, format!("{}/{id}.toml", kind.folder()), message);
    d.entry = Some(EntryRef {
        kind,
        id: id.to_string(),
    });
    d
}

fn acknowledged(mut d: Diagnostic, reason: &str, until: Option<&str>) -> Diagnostic {
    d.acknowledged = Some(Acknowledged {
        reason: reason.to_string(),
        until: until.map(|u| Date::parse(u).unwrap()),
    });
    d
}

struct Built {
    _tmp: tempfile::TempDir,
    site: std::path::PathBuf,
    diagnostics: Vec<Diagnostic>,
}

fn built(language: Option<&str>, extra: Vec<Diagnostic>) -> Built {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    registry(&reg, language);
    let site = tmp.path().join("site");
    let diagnostics = build(&reg, &site, extra);
    Built {
        _tmp: tmp,
        site,
        diagnostics,
    }
}

#[test]
fn international_organisations_are_listed_apart_from_countries() {
    let b = built(None, Vec::new());
    let doc = read(&b.site, "countries/index.html");
    // The countries table names no organisation and no seat of one.
    let countries = text(&doc, "main > .table-wrap table tbody td:first-child");
    assert!(
        !countries
            .iter()
            .any(|c| c.contains("EPO") || c.contains("WHO"))
    );
    assert!(
        !countries.iter().any(|c| c.contains("(NL)")),
        "the OPCW's seat is not a destination: {countries:?}"
    );
    // The organisations' own table: code, recipient, seat, own decision.
    let rows = text(&doc, "#international-organisations ~ .table-wrap tbody tr");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows[0].starts_with("EPO: European Patent Organisation"),
        "{rows:?}"
    );
    assert!(rows[0].contains("Germany (DE)"), "{rows:?}");
    assert!(
        rows[0].contains("Adequacy decision: Implementing Decision (EU) 2025/1382"),
        "{rows:?}"
    );
    assert!(
        rows[1].starts_with("OPCW: Organisation for the Prohibition"),
        "{rows:?}"
    );
    assert!(rows[1].contains("Netherlands (NL)"), "{rows:?}");
    assert!(
        rows[2].starts_with("WHO: World Health Organization"),
        "{rows:?}"
    );
    // Switzerland's decision does not cover the WHO seated there.
    assert!(rows[2].contains("Switzerland (CH)"), "{rows:?}");
    assert!(
        rows[2].contains("No adequacy decision of its own"),
        "{rows:?}"
    );
    assert!(!rows[2].contains("2000/518"), "{rows:?}");
    // A seat that has no country page is not linked.
    let seat_links: Vec<String> = doc
        .select(&sel("#international-organisations ~ .table-wrap a"))
        .filter_map(|a| a.value().attr("href").map(String::from))
        .collect();
    for href in &seat_links {
        assert!(
            b.site.join("countries").join(href).exists(),
            "dead link {href}"
        );
    }
    assert!(!b.site.join("countries/nl.html").exists());
    assert!(seat_links.iter().any(|h| h.ends_with("de.html")));
    assert!(!seat_links.iter().any(|h| h.contains("nl.html")));
    // The dashboard counts them apart from the countries.
    let index = read(&b.site, "index.html");
    let counts = text(&index, ".counts li");
    assert!(
        counts.contains(&"3 International organisations".to_string()),
        "{counts:?}"
    );
}

#[test]
fn a_transfer_to_an_organisation_names_the_organisation_not_a_country() {
    let b = built(None, Vec::new());
    let doc = read(&b.site, "transfers/epo.html");
    assert_eq!(text(&doc, "h1"), ["European Patent Organisation (EPO)"]);
    let facts = main_text(&doc);
    assert!(facts.contains("International organisation EPO"), "{facts}");
    assert!(
        !facts.contains("Seat"),
        "the transfer gives no seat: {facts}"
    );
    // Neither a country nor a link to a country page.
    assert!(!facts.contains("Country"), "{facts}");
    for a in doc.select(&sel("main a")) {
        let href = a.value().attr("href").unwrap_or_default();
        assert!(!href.contains("countries/"), "link to {href}");
    }
    // A transfer that gives the seat shows it as the seat, not as where
    // the data goes, with the organisation's own (missing) decision.
    let who = read(&b.site, "transfers/who-ch.html");
    assert_eq!(text(&who, "h1"), ["World Health Organization (WHO)"]);
    let facts = main_text(&who);
    assert!(facts.contains("Seat Switzerland (CH)"), "{facts}");
    assert!(
        facts.contains("Adequacy decision No adequacy decision of its own"),
        "{facts}"
    );
    let register = read(&b.site, "transfers/index.html");
    let row = text(&register, "tbody tr")
        .into_iter()
        .find(|r| r.starts_with("European Patent Organisation"))
        .unwrap();
    assert!(row.contains("International organisation (EPO)"), "{row}");
    // The activity's flows say where the data goes the same way.
    let activity = read(&b.site, "activities/patents.html");
    let flows = text(&activity, "table tbody tr");
    assert!(
        flows
            .iter()
            .any(|r| r.contains("European Patent Organisation")
                && r.contains("International organisation (EPO)")
                && !r.contains("Germany")),
        "{flows:?}"
    );
    assert!(
        flows.iter().any(|r| r.contains("World Health Organization")
            && r.contains("International organisation (WHO)")
            && !r.contains("Switzerland")),
        "{flows:?}"
    );
    let record = main_text(&read(&b.site, "records/controller.html"));
    assert!(record.contains("European Patent Organisation, International organisation (EPO)"));
    // The recipient page gives code, seat and the organisation's own decision.
    let who = main_text(&read(&b.site, "recipients/who.html"));
    assert!(
        who.contains("Code of the international organisation WHO"),
        "{who}"
    );
    assert!(who.contains("No adequacy decision of its own"), "{who}");
    let epo = main_text(&read(&b.site, "recipients/epo.html"));
    assert!(epo.contains("Bob-van-Benthem-Platz 1"), "{epo}");
}

#[test]
fn new_keys_are_shown_where_the_entry_is() {
    let b = built(None, Vec::new());
    let activity = main_text(&read(&b.site, "activities/patents.html"));
    assert!(
        activity.contains("Union or Member State law relied on Art. 6(3), 9(2), 10 European Patent Convention, Art. 81 and Rule 19"),
        "{activity}"
    );
    assert!(
        activity.contains("Processing on a large scale Art. 35(3)(b) No"),
        "{activity}"
    );
    let categories = main_text(&read(&b.site, "categories.html"));
    assert!(
        categories.contains(
            "Employees employees staff or job applicants vulnerable persons youngest age: 16 years"
        ),
        "{categories}"
    );
    let record = main_text(&read(&b.site, "records/controller.html"));
    assert!(record.contains("Union or Member State law relied on: European Patent Convention"));
    let index = main_text(&read(&b.site, "index.html"));
    assert!(
        index.contains("Public authority or body Art. 37(1)(a) No"),
        "{index}"
    );
    let stratus = main_text(&read(&b.site, "processors/stratus-inc.html"));
    assert!(
        stratus.contains("DPF certification covers HR data Yes"),
        "{stratus}"
    );
    // Keys not given are not shown.
    let crm = main_text(&read(&b.site, "processors/crm.html"));
    assert!(!crm.contains("HR data"), "{crm}");
    assert!(!activity.contains("parental responsibility"), "{activity}");
}

#[test]
fn acknowledged_warnings_show_on_their_entry_with_the_reason() {
    let reason =
        "The DPA is the provider's online terms <accepted 2024>; no signature date exists.";
    let b = built(
        None,
        vec![
            acknowledged(
                warning(
                    Code::DpaMissing,
                    EntryKind::Processor,
                    "crm",
                    "no signed Art. 28 contract is recorded for processor `crm`",
                ),
                reason,
                Some("2027-06-30"),
            ),
            warning(
                Code::ReviewOverdue,
                EntryKind::Activity,
                "patents",
                "the review of this activity is overdue",
            ),
        ],
    );
    let doc = read(&b.site, "processors/crm.html");
    let section = text(&doc, "section.acknowledged");
    assert_eq!(section.len(), 1, "one section of acknowledged warnings");
    assert!(
        section[0].starts_with("Acknowledged warnings 1"),
        "{section:?}"
    );
    assert!(section[0].contains("dpa-missing"), "{section:?}");
    // The reason is shown as text, escaped.
    assert!(
        section[0].contains(&format!("Reason: {reason}")),
        "{section:?}"
    );
    assert!(
        section[0].contains("accepted until 30 June 2027"),
        "{section:?}"
    );
    assert!(
        doc.select(&sel("accepted")).next().is_none(),
        "the reason became markup"
    );
    // An open warning is not shown as acknowledged anywhere.
    let activity = read(&b.site, "activities/patents.html");
    assert!(text(&activity, "section.acknowledged").is_empty());
    // Pages of entries without acknowledged warnings have no such section.
    assert!(
        text(
            &read(&b.site, "processors/payroll-bureau.html"),
            "section.acknowledged"
        )
        .is_empty()
    );
}

#[test]
fn the_dashboard_counts_acknowledged_apart_from_open_warnings() {
    let b = built(
        None,
        vec![
            acknowledged(
                warning(
                    Code::DpaMissing,
                    EntryKind::Processor,
                    "crm",
                    "no DPA for `crm`",
                ),
                "Online terms accepted 2024.",
                None,
            ),
            acknowledged(
                warning(
                    Code::DerogationUsed,
                    EntryKind::Transfer,
                    "who-ch",
                    "derogation",
                ),
                "Occasional, on the WHO's request.",
                None,
            ),
            warning(
                Code::ReviewOverdue,
                EntryKind::Activity,
                "patents",
                "overdue",
            ),
        ],
    );
    let open = b
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning && d.acknowledged.is_none())
        .count();
    assert!(open >= 1);
    let doc = read(&b.site, "index.html");
    let headings = text(&doc, ".panel h3");
    assert!(
        headings.contains(&format!("Open warnings {open}")),
        "{headings:?}"
    );
    assert!(
        headings.contains(&"Acknowledged warnings 2".to_string()),
        "{headings:?}"
    );
    let open_list = text(&doc, ".panel:nth-child(2) .warnings li");
    assert_eq!(open_list.len(), open);
    assert!(!open_list.iter().any(|l| l.contains("Online terms")));
    let acknowledged_list = text(&doc, ".panel:nth-child(3) .warnings li");
    assert_eq!(acknowledged_list.len(), 2, "{acknowledged_list:?}");
    assert!(
        acknowledged_list[0].contains("crm")
            && acknowledged_list[0].contains("Reason: Online terms accepted 2024.")
    );
    // Without acknowledged warnings there is no such panel (the site of a
    // version-1 registry is unchanged).
    let plain = built(None, Vec::new());
    let doc = read(&plain.site, "index.html");
    assert!(
        !text(&doc, ".panel h3")
            .iter()
            .any(|h| h.starts_with("Acknowledged"))
    );
}

#[test]
fn new_words_are_translated() {
    for (lang, organisations, io) in [
        (
            "nl",
            "Internationale organisaties",
            "Internationale organisatie (EPO)",
        ),
        (
            "de",
            "Internationale Organisationen",
            "Internationale Organisation (EPO)",
        ),
        (
            "fr",
            "Organisations internationales",
            "Organisation internationale (EPO)",
        ),
    ] {
        let b = built(
            Some(lang),
            vec![acknowledged(
                warning(Code::DpaMissing, EntryKind::Processor, "crm", "no DPA"),
                "Online terms.",
                None,
            )],
        );
        let countries = read(&b.site, "countries/index.html");
        assert_eq!(
            text(&countries, "#international-organisations"),
            [organisations]
        );
        let register = text(&read(&b.site, "transfers/index.html"), "tbody").join(" ");
        assert!(register.contains(io), "{lang}: {register}");
        let crm = text(
            &read(&b.site, "processors/crm.html"),
            "section.acknowledged h2",
        );
        assert!(!crm[0].starts_with("Acknowledged"), "{lang}: {crm:?}");
    }
}

/// Every value of the enums that 1.1 extends has a label of its own in
/// every language (a missing one would show the registry's value).
#[test]
fn every_value_has_a_label_in_every_language() {
    use ropa::model::{Derogation, Mechanism, RecipientKind, SafeguardKind};
    let groups: Vec<(&str, Vec<&str>)> = vec![
        (
            "recipient-kind",
            RecipientKind::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            "mechanism",
            Mechanism::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            "safeguard-kind",
            SafeguardKind::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            "derogation",
            Derogation::ALL.iter().map(|v| v.as_str()).collect(),
        ),
    ];
    for lang in ropa::i18n::languages() {
        let keys: std::collections::HashSet<String> = ropa::i18n::keys(lang).into_iter().collect();
        for (group, values) in &groups {
            for v in values {
                assert!(
                    keys.contains(&format!("{group}.{v}")),
                    "{lang}: {group}.{v}"
                );
            }
        }
    }
}
