//! The record as a DPO reads it (issue 15, "The site says what the law
//! says"): the Art. 30(2) labels of a processor activity, the processors
//! named in the processor record, the controller record's cells, and
//! readable values (durations in words, warnings without backticks, lists
//! by name, links). Each test parses the HTML of the fixture `dpo-record`
//! (or a copy of it with one thing changed).

mod common;

use std::path::Path;

use common::*;
use scraper::{ElementRef, Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

/// Text of an element, whitespace collapsed.
fn text(el: ElementRef) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn texts(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector)).map(text).collect()
}

struct Site {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
}

impl Site {
    #[track_caller]
    fn doc(&self, rel: &str) -> Html {
        let p = self.root.join(rel);
        let t = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"));
        Html::parse_document(&t)
    }

    /// The visible text of `<main>` of every page.
    fn all_main_text(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for e in walkdir::WalkDir::new(&self.root) {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(&self.root).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            if !rel.ends_with(".html") {
                continue;
            }
            let doc = self.doc(&rel);
            let main: Vec<String> = texts(&doc, "main");
            out.push((rel, main.join(" ")));
        }
        out
    }
}

#[track_caller]
fn build(registry: &Path) -> Site {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("site");
    run_in(
        &manifest_dir(),
        &[
            "build",
            "--registry",
            registry.to_str().unwrap(),
            "--out",
            root.to_str().unwrap(),
            "--as-of",
            AS_OF,
        ],
    )
    .assert_exit(0);
    Site { _dir: dir, root }
}

/// The fixture copied, with `edit` applied to it, then built.
#[track_caller]
fn build_edited(edit: impl FnOnce(&Path)) -> Site {
    let reg = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture("dpo-record"), reg.path());
    edit(reg.path());
    let site = build(reg.path());
    drop(reg);
    site
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let t = std::fs::read_to_string(path).unwrap();
    assert!(t.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, t.replacen(from, to, 1)).unwrap();
}

/// `(label, reference)` of each `<dt>` of an activity page.
fn rows(doc: &Html) -> Vec<(String, Option<String>)> {
    let ref_sel = sel("span.ref");
    doc.select(&sel("dl.art30 > dt"))
        .map(|dt| {
            let r = dt.select(&ref_sel).next().map(text);
            let all = text(dt);
            let label = match &r {
                Some(r) => all.trim_end_matches(r.as_str()).trim().to_string(),
                None => all,
            };
            (label, r)
        })
        .collect()
}

/// The `<dd>` after the `<dt>` labelled `label`.
fn value<'a>(doc: &'a Html, label: &str) -> ElementRef<'a> {
    let dt = doc
        .select(&sel("dl.art30 > dt"))
        .find(|dt| text(*dt).starts_with(label))
        .unwrap_or_else(|| panic!("no <dt> {label}"));
    dt.next_siblings()
        .filter_map(ElementRef::wrap)
        .next()
        .filter(|e| e.value().name() == "dd")
        .unwrap_or_else(|| panic!("no <dd> after {label}"))
}

/// The cells of one activity's table in a record page: `(row header
/// without its reference, cell)`.
fn record_rows<'a>(doc: &'a Html, activity: &str) -> Vec<(String, Option<String>, ElementRef<'a>)> {
    let section = doc
        .select(&sel("section.record-entry"))
        .find(|s| s.select(&sel("h2")).any(|h| text(h) == activity))
        .unwrap_or_else(|| panic!("no record entry {activity}"));
    let ref_sel = sel("span.ref");
    section
        .select(&sel("tr"))
        .map(|tr| {
            let th = tr.select(&sel("th")).next().expect("row header");
            let r = th.select(&ref_sel).next().map(text);
            let all = text(th);
            let label = match &r {
                Some(r) => all.trim_end_matches(r.as_str()).trim().to_string(),
                None => all,
            };
            (label, r, tr.select(&sel("td")).next().expect("cell"))
        })
        .collect()
}

fn cell<'a>(rows: &[(String, Option<String>, ElementRef<'a>)], label: &str) -> ElementRef<'a> {
    rows.iter()
        .find(|(l, _, _)| l == label)
        .map(|(_, _, c)| *c)
        .unwrap_or_else(|| {
            panic!(
                "no row {label}: {:?}",
                rows.iter().map(|r| &r.0).collect::<Vec<_>>()
            )
        })
}

fn hrefs(el: ElementRef) -> Vec<String> {
    el.select(&sel("a[href]"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect()
}

#[test]
fn processor_activity_is_labelled_as_an_art_30_2_record() {
    let site = build(&fixture("dpo-record"));
    let doc = site.doc("activities/platform-hosting.html");
    let rows = rows(&doc);
    let refs: Vec<&str> = rows.iter().filter_map(|(_, r)| r.as_deref()).collect();
    for want in [
        "Art. 30(2)(a)",
        "Art. 30(2)(b)",
        "Art. 30(2)(c)",
        "Art. 30(2)(d)",
    ] {
        assert!(refs.contains(&want), "{want} missing: {rows:?}");
    }
    assert!(
        !refs.iter().any(|r| r.contains("30(1)")),
        "an Art. 30(2) record cites Art. 30(1): {rows:?}"
    );
    let label_of = |r: &str| {
        rows.iter()
            .filter(|(_, x)| x.as_deref() == Some(r))
            .map(|(l, _)| l.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(label_of("Art. 30(2)(b)"), ["Categories of processing"]);
    assert_eq!(label_of("Art. 30(2)(c)"), ["Transfers outside the EEA"]);
    assert_eq!(label_of("Art. 30(2)(d)"), ["Security measures"]);
    assert_eq!(
        label_of("Art. 30(2)(a)"),
        ["Controllers on whose behalf we process", "Sub-processors"]
    );
    // Retention is shown, but is no Art. 30(2) item: no reference.
    let retention = rows
        .iter()
        .find(|(l, _)| l == "Retention")
        .expect("retention row");
    assert_eq!(retention.1, None, "{rows:?}");
    assert!(text(value(&doc, "Retention")).contains("30 days"));
    // Both controllers, with their addresses as links.
    let controllers = value(&doc, "Controllers on whose behalf we process");
    assert_eq!(
        hrefs(controllers),
        ["mailto:privacy@acme.example", "mailto:dpo@bolt.example"]
    );
    assert_eq!(
        hrefs(value(&doc, "Sub-processors")),
        ["../processors/cloudhost.html", "../processors/mailer.html"]
    );
    // A controller activity keeps its Art. 30(1) labels.
    let doc = site.doc("activities/newsletter.html");
    let refs: Vec<String> = self::rows(&doc)
        .into_iter()
        .filter_map(|(_, r)| r)
        .collect();
    for want in [
        "Art. 30(1)(b)",
        "Art. 30(1)(d)",
        "Art. 30(1)(e)",
        "Art. 30(1)(f)",
        "Art. 30(1)(g)",
    ] {
        assert!(refs.iter().any(|r| r == want), "{want}: {refs:?}");
    }
}

#[test]
fn processor_record_names_each_controllers_sub_processors_with_contact_details() {
    let site = build(&fixture("dpo-record"));
    let doc = site.doc("records/processor.html");
    let rows = record_rows(&doc, "Hosting customer dashboards");
    let refs: Vec<(&str, Option<&str>)> = rows
        .iter()
        .map(|(l, r, _)| (l.as_str(), r.as_deref()))
        .collect();
    assert_eq!(
        refs,
        [
            (
                "Controllers on whose behalf we process",
                Some("Art. 30(2)(a)")
            ),
            ("Sub-processors", Some("Art. 30(2)(a)")),
            ("Categories of processing", Some("Art. 30(2)(b)")),
            ("Transfers outside the EEA", Some("Art. 30(2)(c)")),
            ("Security measures", Some("Art. 30(2)(d)")),
        ]
    );
    let controllers = cell(&rows, "Controllers on whose behalf we process");
    assert!(text(controllers).contains("Acme Retail BV"));
    assert!(text(controllers).contains("Bolt Logistics GmbH"));

    let subs = cell(&rows, "Sub-processors");
    let items: Vec<String> = subs.select(&sel("li")).map(text).collect();
    assert_eq!(items.len(), 3, "{items:?}");
    // The processors the activity names, each followed by those it engaged.
    assert!(
        items[0].starts_with("Nimbus Hosting GmbH, Germany (DE)"),
        "{items:?}"
    );
    assert!(items[0].contains("privacy@nimbus.example"), "{items:?}");
    assert!(items[0].contains("Torstraße 1, 10119 Berlin"), "{items:?}");
    assert!(
        items[1].starts_with("Nimbus Inc., United States (US)"),
        "{items:?}"
    );
    assert!(
        items[1].contains("Nimbus Privacy Office, dpo@nimbus-inc.example"),
        "{items:?}"
    );
    assert!(
        items[1].contains("Sub-processor of Nimbus Hosting GmbH"),
        "{items:?}"
    );
    assert!(
        items[2].starts_with("Postbird Ltd, Ireland (IE)"),
        "{items:?}"
    );
    assert!(!items[2].contains("Sub-processor of"), "{items:?}");
    let links = hrefs(subs);
    for want in [
        "../processors/cloudhost.html",
        "mailto:privacy@nimbus.example",
        "https://nimbus.example",
        "../processors/nimbus-us.html",
        "mailto:dpo@nimbus-inc.example",
        "../processors/mailer.html",
        "mailto:privacy@postbird.example",
        "https://postbird.example",
    ] {
        assert!(links.iter().any(|l| l == want), "{want}: {links:?}");
    }
    assert_eq!(
        text(cell(&rows, "Transfers outside the EEA")),
        "Nimbus Inc., United States (US): Standard contractual clauses (Art. 46(2)(c))"
    );
}

#[test]
fn controller_record_cells_have_no_stray_separator_say_none_and_keep_retention_whole() {
    let site = build(&fixture("dpo-record"));
    let doc = site.doc("records/controller.html");

    // Recipients and no processors: the one name, nothing before it.
    let rows = record_rows(&doc, "Newsletter");
    assert_eq!(text(cell(&rows, "Recipients")), "Google LLC");
    assert_eq!(
        text(cell(&rows, "Transfers outside the EEA")),
        "Google LLC, United States (US): Adequacy decision (Art. 45)"
    );
    let retention = cell(&rows, "Retention");
    let entries: Vec<String> = retention.select(&sel("li")).map(text).collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
    for (entry, parts) in entries.iter().zip([
        [
            "1 year and 6 months from the last opening of a newsletter",
            "Categories of personal data: Analytics events",
            "Opening statistics older than that tell us nothing.",
        ],
        [
            "30 days from unsubscribing",
            "Categories of personal data: Contact details",
            "Kept so that a late campaign does not reach someone who left.",
        ],
    ]) {
        for part in parts {
            assert!(entry.contains(part), "{part:?} missing from {entry:?}");
        }
    }
    // Processors and recipients together, each once, one separator each.
    let rows = record_rows(&doc, "Payroll");
    assert_eq!(
        text(cell(&rows, "Recipients")),
        "Postbird Ltd; Belastingdienst"
    );

    // An empty item says so.
    let rows = record_rows(&doc, "Joint usability research");
    assert_eq!(text(cell(&rows, "Recipients")), "None");
    assert_eq!(text(cell(&rows, "Transfers outside the EEA")), "None");
    assert!(text(cell(&rows, "Joint controllers")).contains("Utrecht University"));
    for (label, _, c) in &rows {
        assert!(!text(*c).is_empty(), "{label}: blank cell");
    }
    // Every row cites its item.
    for (label, r, _) in record_rows(&doc, "Newsletter") {
        assert!(r.is_some(), "{label} without its article");
    }
}

#[test]
fn empty_items_say_none_in_the_sites_language() {
    let site = build_edited(|reg| {
        replace_in(
            &reg.join("organisation.toml"),
            "language = \"en\"",
            "language = \"de\"",
        );
    });
    let doc = site.doc("records/controller.html");
    let rows = record_rows(&doc, "Joint usability research");
    assert_eq!(text(cell(&rows, "Empfänger")), "Keine");
    let rows = record_rows(&doc, "Newsletter");
    let retention = text(cell(&rows, "Speicherdauer"));
    assert!(retention.contains("1 Jahr und 6 Monate"), "{retention}");
    assert!(retention.contains("30 Tage"), "{retention}");
}

#[test]
fn durations_read_as_words_in_every_language_and_never_as_iso() {
    for (lang, words) in [
        ("en", ["30 days", "1 year and 6 months", "2 years"]),
        ("nl", ["30 dagen", "1 jaar en 6 maanden", "2 jaar"]),
        ("de", ["30 Tage", "1 Jahr und 6 Monate", "2 Jahre"]),
        ("fr", ["30 jours", "1 an et 6 mois", "2 ans"]),
    ] {
        let site = build_edited(|reg| {
            replace_in(
                &reg.join("organisation.toml"),
                "language = \"en\"",
                &format!("language = \"{lang}\""),
            );
        });
        let record = texts(&site.doc("records/controller.html"), "main").join(" ");
        for w in words {
            assert!(record.contains(w), "{lang}: {w} missing from the record");
        }
        let page = texts(&site.doc("activities/newsletter.html"), "main").join(" ");
        assert!(page.contains(words[1]), "{lang}: {page}");
        for (rel, main) in site.all_main_text() {
            for iso in ["P30D", "P1Y6M", "P2Y", "P7Y"] {
                assert!(!main.contains(iso), "{lang} {rel}: {iso} shown");
            }
        }
        // The JSON register keeps ISO 8601.
        let json = std::fs::read_to_string(site.root.join("ropa.json")).unwrap();
        assert!(
            json.contains("\"P1Y6M\""),
            "{lang}: ropa.json lost the ISO period"
        );
    }
}

#[test]
fn dashboard_warnings_show_code_spans_not_backticks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    run_in(
        &manifest_dir(),
        &[
            "build",
            "--registry",
            fixture("warnings-only").to_str().unwrap(),
            "--out",
            root.to_str().unwrap(),
            "--as-of",
            AS_OF,
        ],
    )
    .assert_exit(0);
    let html = std::fs::read_to_string(root.join("index.html")).unwrap();
    let doc = Html::parse_document(&html);
    let items: Vec<ElementRef> = doc.select(&sel("ul.warnings li")).collect();
    assert!(!items.is_empty());
    for li in &items {
        assert!(!text(*li).contains('`'), "raw backtick: {}", text(*li));
    }
    let codes: Vec<String> = doc.select(&sel("ul.warnings li code")).map(text).collect();
    assert!(codes.iter().any(|c| c == "shop-hosting"), "{codes:?}");
}

#[test]
fn lists_are_sorted_by_the_names_a_reader_sees() {
    let site = build(&fixture("dpo-record"));
    let doc = site.doc("categories.html");
    let names = |s: &str| -> Vec<String> {
        doc.select(&sel(s))
            .map(|dt| dt.text().next().unwrap_or("").trim().to_string())
            .collect()
    };
    assert_eq!(
        names("dt[id^='subject-']"),
        ["Employees", "Users with an account", "Website visitors"]
    );
    assert_eq!(
        names("dt[id^='category-']"),
        [
            "Analytics events",
            "Contact details",
            "Customer content",
            "Payment data"
        ]
    );
    let measures = site.doc("measures.html");
    let m: Vec<String> = measures
        .select(&sel("dt"))
        .map(|dt| dt.text().next().unwrap_or("").trim().to_string())
        .collect();
    assert_eq!(
        m,
        [
            "Daily backups",
            "Encryption in transit",
            "Role-based access"
        ]
    );
    let processors = texts(&site.doc("processors/index.html"), "tbody td:first-child");
    assert_eq!(
        processors,
        ["Nimbus Hosting GmbH", "Nimbus Inc.", "Postbird Ltd"]
    );
    let recipients = texts(&site.doc("recipients/index.html"), "tbody td:first-child");
    assert_eq!(recipients, ["Belastingdienst", "Google LLC"]);
    let activities = texts(
        &site.doc("index.html"),
        "table[data-filterable] tbody td:first-child",
    );
    assert_eq!(
        activities,
        [
            "Hosting customer dashboards",
            "Joint usability research",
            "Newsletter",
            "Payroll"
        ]
    );
    let record = texts(
        &site.doc("records/controller.html"),
        "section.record-entry h2",
    );
    assert_eq!(
        record,
        ["Joint usability research", "Newsletter", "Payroll"]
    );
    // Countries by their names, not by their codes.
    let countries = texts(&site.doc("countries/index.html"), "tbody td:first-child");
    let mut sorted = countries.clone();
    sorted.sort_by_key(|c| c.to_lowercase());
    assert_eq!(countries, sorted);
    // Back-links by name: the activities using "Contact details".
    let used = doc
        .select(&sel("dt#category-contact + dd p.used a"))
        .map(text)
        .collect::<Vec<_>>();
    assert_eq!(
        used,
        ["Hosting customer dashboards", "Newsletter", "Payroll"]
    );
}

#[test]
fn recipients_row_has_one_label_and_sub_headings_only_to_tell_kinds_apart() {
    let site = build(&fixture("dpo-record"));
    // Recipients only: no "Recipients" sub-heading under "Recipients".
    let doc = site.doc("activities/newsletter.html");
    let dd = value(&doc, "Recipients");
    assert_eq!(dd.select(&sel("p.sub")).count(), 0, "{}", dd.html());
    assert_eq!(hrefs(dd), ["../recipients/ad-network.html"]);
    // Both kinds: "Processors", then "Other recipients".
    let doc = site.doc("activities/payroll.html");
    let subs: Vec<String> = value(&doc, "Recipients")
        .select(&sel("p.sub"))
        .map(text)
        .collect();
    assert_eq!(subs, ["Processors", "Other recipients"]);
    // Neither: "None".
    let doc = site.doc("activities/joint-research.html");
    assert_eq!(text(value(&doc, "Recipients")), "None");
}

#[test]
fn a_decisions_scope_is_not_in_doubled_parentheses() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    run_in(
        &manifest_dir(),
        &[
            "build",
            "--registry",
            fixture("valid-saas").to_str().unwrap(),
            "--out",
            root.to_str().unwrap(),
            "--as-of",
            AS_OF,
        ],
    )
    .assert_exit(0);
    let html = std::fs::read_to_string(root.join("countries/gb.html")).unwrap();
    let doc = Html::parse_document(&html);
    let status = texts(&doc, "dl.facts dd").remove(0);
    assert!(
        status.contains("; scope: Transfers under the GDPR (the law-enforcement decision (EU) 2021/1773 is separate)"),
        "{status}"
    );
    assert!(!status.contains("))"), "{status}");
}

#[test]
fn a_transfers_adequacy_cell_says_what_the_decision_does() {
    let site = build(&fixture("dpo-record"));
    let doc = site.doc("countries/us.html");
    let rows: Vec<Vec<String>> = doc
        .select(&sel("tbody tr"))
        .map(|tr| tr.select(&sel("td")).map(text).collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec![
                "Google LLC",
                "Adequacy decision (Art. 45)",
                "Covers this transfer"
            ],
            vec![
                "Nimbus Inc.",
                "Standard contractual clauses (Art. 46(2)(c))",
                "In force, but does not cover this party"
            ],
        ]
    );
    for (rel, main) in site.all_main_text() {
        assert!(!main.contains("Not covered"), "{rel}");
    }
    // On the transfer's page, the decision that does not cover the party is
    // no warning when the transfer relies on SCCs.
    let doc = site.doc("transfers/nimbus-us.html");
    let tags: Vec<(String, String)> = doc
        .select(&sel("dl.facts dd .tag"))
        .map(|t| (text(t), t.value().attr("class").unwrap().to_string()))
        .collect();
    assert_eq!(
        tags,
        [("does not cover this party".to_string(), "tag".to_string())]
    );
}

#[test]
fn websites_and_e_mail_are_links_and_never_javascript() {
    let site = build(&fixture("dpo-record"));
    let index = site.doc("index.html");
    let facts = index.select(&sel("dl.facts")).next().unwrap();
    let links = hrefs(facts);
    assert!(
        links.iter().any(|l| l == "mailto:privacy@kestrel.example"),
        "{links:?}"
    );
    assert!(
        links.iter().any(|l| l == "https://kestrel.example"),
        "{links:?}"
    );
    assert!(
        links.iter().any(|l| l == "mailto:dpo@kestrel.example"),
        "{links:?}"
    );
    let mailer = site.doc("processors/mailer.html");
    let links = hrefs(mailer.select(&sel("dl.facts")).next().unwrap());
    assert_eq!(
        links
            .iter()
            .filter(|l| *l == "https://postbird.example")
            .count(),
        1,
        "{links:?}"
    );
    assert_eq!(
        links
            .iter()
            .filter(|l| *l == "mailto:privacy@postbird.example")
            .count(),
        1,
        "{links:?}"
    );

    let site = build_edited(|reg| {
        replace_in(
            &reg.join("processors/cloudhost.toml"),
            "website = \"https://nimbus.example\"",
            "website = \"javascript:alert(1)\"",
        );
        replace_in(
            &reg.join("processors/cloudhost.toml"),
            "contact = \"privacy@nimbus.example\"",
            "contact = \"javascript:alert(2)//@x.example\"",
        );
    });
    for rel in ["processors/cloudhost.html", "records/processor.html"] {
        let doc = site.doc(rel);
        for a in doc.select(&sel("a[href]")) {
            let href = a.value().attr("href").unwrap().to_ascii_lowercase();
            assert!(!href.contains("javascript"), "{rel}: {href}");
        }
        let main = texts(&doc, "main").join(" ");
        assert!(main.contains("javascript:alert(1)"), "{rel}: shown as text");
    }
}

/// The rights available to individuals follow from the legal basis
/// (docs/rights.md): on each activity page and in both records.
#[test]
fn the_rights_follow_from_the_legal_basis_on_pages_and_records() {
    let site = build(&fixture("dpo-record"));
    let li = |el: ElementRef| el.select(&sel("li")).map(text).collect::<Vec<_>>();

    let newsletter = li(value(
        &site.doc("activities/newsletter.html"),
        "Rights available to individuals",
    ));
    assert!(
        newsletter.contains(&"Right to withdraw consent at any time (Art. 7(3))".to_string()),
        "{newsletter:?}"
    );
    assert!(
        !newsletter.iter().any(|r| r.starts_with("Right to object")),
        "{newsletter:?}"
    );

    // A contract and a legal obligation: erasure only for the contract part.
    let payroll = li(value(
        &site.doc("activities/payroll.html"),
        "Rights available to individuals",
    ));
    assert!(
        payroll.contains(
            &"Right to erasure (Art. 17): for the processing based on Contract (Art. 6(1)(b))"
                .to_string()
        ),
        "{payroll:?}"
    );
    let doc = site.doc("records/controller.html");
    let rows = record_rows(&doc, "Payroll");
    let cell_rights = li(cell(&rows, "Rights available to individuals"));
    assert_eq!(cell_rights, payroll);

    // A processor activity: the controller answers, we assist. The
    // processor record keeps to the items of Art. 30(2).
    assert_eq!(
        li(value(
            &site.doc("activities/platform-hosting.html"),
            "Rights available to individuals"
        )),
        ["Exercised with the controller, which we assist (Art. 28(3)(e))"]
    );

    // In the site's language.
    let site = build_edited(|reg| {
        replace_in(
            &reg.join("organisation.toml"),
            "language = \"en\"",
            "language = \"nl\"",
        );
    });
    let nl = li(value(
        &site.doc("activities/newsletter.html"),
        "Rechten van betrokkenen",
    ));
    assert!(
        nl.contains(&"Recht van inzage (art. 15)".to_string()),
        "{nl:?}"
    );
}
