//! The site in its languages (issue 5): `[site] language` picks the table of
//! the site's own words (labels, headings, legal bases, mechanisms, dates);
//! English is the fallback; the JSON register stays in English codes.
//!
//! One small registry is built with the real binary once per language, and
//! the pages are parsed with `scraper`.

use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{Html, Selector};

const AS_OF: &str = "2026-11-24";

// ---------------------------------------------------------------------------
// The registry
// ---------------------------------------------------------------------------

/// A small valid registry: one activity with two legal bases, a processor in
/// Ireland that stores data in India, the transfer to India under SCCs (so
/// there is a country page outside the EEA), measures and a review date.
/// Its own words are Dutch, so that no English site label can appear on a
/// page because the data happens to contain it.
fn write_registry(root: &Path, language: Option<&str>) {
    let site = match language {
        Some(l) => format!("[site]\ntitle = \"Voorbeeld\"\nlanguage = \"{l}\"\n"),
        None => "[site]\ntitle = \"Voorbeeld\"\n".to_string(),
    };
    let files: Vec<(&str, String)> = vec![
        (
            "organisation.toml",
            format!(
                r#"name = "Voorbeeld Software BV"
trading_name = "Voorbeeld"
registration = "KvK 12345678"
address = "Keizersgracht 1, 1015 AA Amsterdam"
email = "privacy@voorbeeld.example"
phone = "+31 20 123 4567"
website = "https://voorbeeld.example"
country = "NL"
supervisory_authority = "Autoriteit Persoonsgegevens"

[dpo]
name = "Jan Jansen"
email = "fg@voorbeeld.example"

{site}"#
            ),
        ),
        (
            "categories.toml",
            r#"[data_subjects.klanten]
name = "Klanten"

[data_categories.contactgegevens]
name = "Contactgegevens"

[data_categories.factuurgegevens]
name = "Factuurgegevens"
"#
            .into(),
        ),
        (
            "measures.toml",
            r#"[measures.versleuteling]
name = "Versleuteling"
kind = "technical"

[measures.opleiding]
name = "Opleiding van medewerkers"
kind = "organisational"
"#
            .into(),
        ),
        (
            "processors/crm.toml",
            r#"name = "CRM Ltd"
service = "Klantbeheer"
country = "IE"
locations = ["IE", "IN"]
dpa_signed = 2025-03-01
"#
            .into(),
        ),
        (
            "safeguards/scc-crm.toml",
            r#"name = "SCC met CRM Ltd"
kind = "scc"
scc_version = "2021/914"
scc_modules = [2, 3]
signed = 2025-03-01
parties = ["CRM Ltd", "CRM India Pvt Ltd"]
"#
            .into(),
        ),
        (
            "transfers/crm-in.toml",
            r#"to = "crm"
country = "IN"
mechanism = "scc"
safeguard = "scc-crm"
data_categories = ["contactgegevens"]
supplementary_measures = ["versleuteling"]

[tia]
completed = 2025-02-01
reference = "TIA-2025-01"
"#
            .into(),
        ),
        (
            "activities/klanten.toml",
            r#"name = "Klantenadministratie"
owner = "Verkoop"
purposes = ["Klantovereenkomsten uitvoeren", "Facturen versturen"]
legal_bases = ["contract", "legitimate-interests"]
legitimate_interest = "De klantrelatie onderhouden"
data_subjects = ["klanten"]
data_categories = ["contactgegevens", "factuurgegevens"]
processors = ["crm"]
transfers = ["crm-in"]
measures = ["versleuteling", "opleiding"]

[[retention]]
period = "P7Y"
from = "einde boekjaar"
data_categories = ["factuurgegevens", "contactgegevens"]

[review]
last_reviewed = 2026-03-01
"#
            .into(),
        ),
    ];
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
}

/// A site built into a temporary folder (removed when dropped).
struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Site {
    #[track_caller]
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel))
            .unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    #[track_caller]
    fn doc(&self, rel: &str) -> Html {
        Html::parse_document(&self.read(rel))
    }

    #[track_caller]
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("ropa.json")).expect("ropa.json parses")
    }
}

/// Writes the registry with `[site] language = language` (or none) and runs
/// `ropa build --as-of AS_OF`; the build must succeed.
#[track_caller]
fn build(language: Option<&str>) -> Site {
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = dir.path().join("registry");
    let root = dir.path().join("site");
    write_registry(&registry, language);
    let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .args(["build", "--registry"])
        .arg(&registry)
        .arg("--out")
        .arg(&root)
        .args(["--as-of", AS_OF])
        .output()
        .expect("run ropa");
    assert!(
        out.status.success(),
        "ropa build failed ({:?}) for language {language:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Site { _dir: dir, root }
}

// ---------------------------------------------------------------------------
// Reading pages
// ---------------------------------------------------------------------------

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of every element matching `selector`, whitespace collapsed.
fn texts(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .map(|e| squash(&e.text().collect::<String>()))
        .collect()
}

/// All the text of a page, whitespace collapsed (title included).
fn page_text(doc: &Html) -> String {
    squash(&doc.root_element().text().collect::<String>())
}

fn html_lang(doc: &Html) -> String {
    doc.select(&sel("html"))
        .next()
        .and_then(|h| h.value().attr("lang"))
        .expect("<html lang>")
        .to_string()
}

// ---------------------------------------------------------------------------
// The sample of labels
// ---------------------------------------------------------------------------

/// One label on one page: the element(s) it appears in and its text in
/// each language. An element matching `selector` must contain the text.
struct Sample {
    page: &'static str,
    selector: &'static str,
    en: &'static str,
    nl: &'static str,
    de: &'static str,
    fr: &'static str,
}

impl Sample {
    fn expected(&self, lang: &str) -> &'static str {
        match lang {
            "en" => self.en,
            "nl" => self.nl,
            "de" => self.de,
            "fr" => self.fr,
            _ => panic!("no sample text for {lang}"),
        }
    }
}

const SCC_EN: &str = "Standard contractual clauses (Art. 46(2)(c))";
const SCC_NL: &str = "Standaardcontractbepalingen (art. 46, lid 2, onder c)";
const SCC_DE: &str = "Standardvertragsklauseln (Art. 46 Abs. 2 lit. c)";
const SCC_FR: &str = "Clauses contractuelles types (art. 46, paragraphe 2, point c))";

const SAMPLES: &[Sample] = &[
    // --- index.html: navigation, organisation, dashboard, footer ---
    Sample {
        page: "index.html",
        selector: "nav a[href$='index.html#activities']",
        en: "Activities",
        nl: "Verwerkingsactiviteiten",
        de: "Verarbeitungstätigkeiten",
        fr: "Activités de traitement",
    },
    Sample {
        page: "index.html",
        selector: "nav a[href$='processors/index.html']",
        en: "Processors",
        nl: "Verwerkers",
        de: "Auftragsverarbeiter",
        fr: "Sous-traitants",
    },
    Sample {
        page: "index.html",
        selector: "nav a[href$='transfers/index.html']",
        en: "Transfers",
        nl: "Doorgiften",
        de: "Übermittlungen",
        fr: "Transferts",
    },
    Sample {
        page: "index.html",
        selector: "nav a[href$='records/controller.html']",
        en: "Controller record",
        nl: "Register verwerkingsverantwoordelijke",
        de: "Verzeichnis des Verantwortlichen",
        fr: "Registre du responsable du traitement",
    },
    Sample {
        page: "index.html",
        selector: "p.lead",
        en: "Record of processing activities under Article 30 GDPR.",
        nl: "Register van verwerkingsactiviteiten op grond van artikel 30 AVG.",
        de: "Verzeichnis von Verarbeitungstätigkeiten nach Artikel 30 DSGVO.",
        fr: "Registre des activités de traitement au titre de l'article 30 du RGPD.",
    },
    Sample {
        page: "index.html",
        selector: "#dash-heading",
        en: "Overview",
        nl: "Overzicht",
        de: "Übersicht",
        fr: "Vue d'ensemble",
    },
    Sample {
        page: "index.html",
        selector: "dl.facts dt",
        en: "Data protection officer",
        nl: "Functionaris voor gegevensbescherming",
        de: "Datenschutzbeauftragter",
        fr: "Délégué à la protection des données",
    },
    Sample {
        page: "index.html",
        selector: "dl.facts dt",
        en: "Main establishment",
        nl: "Hoofdvestiging",
        de: "Hauptniederlassung",
        fr: "Établissement principal",
    },
    Sample {
        page: "index.html",
        selector: ".panel td",
        en: SCC_EN,
        nl: SCC_NL,
        de: SCC_DE,
        fr: SCC_FR,
    },
    Sample {
        page: "index.html",
        selector: "table.list td",
        en: "Controller",
        nl: "Verwerkingsverantwoordelijke",
        de: "Verantwortlicher",
        fr: "Responsable du traitement",
    },
    Sample {
        page: "index.html",
        selector: "table.list td",
        en: "Contract, Legitimate interests",
        nl: "Overeenkomst, Gerechtvaardigd belang",
        de: "Vertrag, Berechtigtes Interesse",
        fr: "Contrat, Intérêt légitime",
    },
    Sample {
        page: "index.html",
        selector: "footer",
        en: "Record as of 24 November 2026",
        nl: "Stand van het register per 24 november 2026",
        de: "Stand des Verzeichnisses: 24. November 2026",
        fr: "Registre à jour au 24 novembre 2026",
    },
    // --- an activity page ---
    Sample {
        page: "activities/klanten.html",
        selector: "p.kind",
        en: "Processing activity",
        nl: "Verwerkingsactiviteit",
        de: "Verarbeitungstätigkeit",
        fr: "Activité de traitement",
    },
    Sample {
        page: "activities/klanten.html",
        selector: "dl.art30 dt",
        en: "Purposes",
        nl: "Doeleinden",
        de: "Zwecke",
        fr: "Finalités",
    },
    Sample {
        page: "activities/klanten.html",
        selector: "dl.art30 dt",
        en: "Legal basis",
        nl: "Rechtsgrondslag",
        de: "Rechtsgrundlage",
        fr: "Base juridique",
    },
    Sample {
        page: "activities/klanten.html",
        selector: "dl.art30 dd li",
        en: "Contract (Art. 6(1)(b))",
        nl: "Uitvoering van een overeenkomst (art. 6, lid 1, onder b)",
        de: "Vertragserfüllung (Art. 6 Abs. 1 lit. b)",
        fr: "Exécution d'un contrat (art. 6, paragraphe 1, point b))",
    },
    Sample {
        page: "activities/klanten.html",
        selector: "dl.art30 dd li",
        en: "Legitimate interests (Art. 6(1)(f))",
        nl: "Gerechtvaardigd belang (art. 6, lid 1, onder f)",
        de: "Berechtigtes Interesse (Art. 6 Abs. 1 lit. f)",
        fr: "Intérêt légitime (art. 6, paragraphe 1, point f))",
    },
    Sample {
        page: "activities/klanten.html",
        selector: "dl.art30 dt",
        en: "Categories of personal data",
        nl: "Categorieën van persoonsgegevens",
        de: "Kategorien personenbezogener Daten",
        fr: "Catégories de données à caractère personnel",
    },
    Sample {
        page: "activities/klanten.html",
        selector: "dl.art30 dt",
        en: "Transfers outside the EEA",
        nl: "Doorgiften buiten de EER",
        de: "Übermittlungen außerhalb des EWR",
        fr: "Transferts hors de l'EEE",
    },
    Sample {
        page: "activities/klanten.html",
        selector: "dl.art30 td",
        en: SCC_EN,
        nl: SCC_NL,
        de: SCC_DE,
        fr: SCC_FR,
    },
    Sample {
        page: "activities/klanten.html",
        selector: "dl.art30 dt",
        en: "Retention",
        nl: "Bewaartermijn",
        de: "Speicherdauer",
        fr: "Durée de conservation",
    },
    Sample {
        page: "activities/klanten.html",
        selector: "dl.art30 dd",
        en: "Last reviewed 1 March 2026",
        nl: "Laatst herzien op 1 maart 2026",
        de: "Zuletzt überprüft am 1. März 2026",
        fr: "Dernier réexamen le 1 mars 2026",
    },
    // --- the transfer register ---
    Sample {
        page: "transfers/index.html",
        selector: "h1",
        en: "Transfer register",
        nl: "Register van doorgiften",
        de: "Verzeichnis der Übermittlungen",
        fr: "Registre des transferts",
    },
    Sample {
        page: "transfers/index.html",
        selector: "th",
        en: "Mechanism",
        nl: "Doorgiftemechanisme",
        de: "Übermittlungsinstrument",
        fr: "Instrument de transfert",
    },
    Sample {
        page: "transfers/index.html",
        selector: "th",
        en: "Transfer impact assessment",
        nl: "Beoordeling van de gevolgen van de doorgifte (TIA)",
        de: "Transfer-Folgenabschätzung (TIA)",
        fr: "Analyse d'impact des transferts (AITD)",
    },
    Sample {
        page: "transfers/index.html",
        selector: "td",
        en: SCC_EN,
        nl: SCC_NL,
        de: SCC_DE,
        fr: SCC_FR,
    },
    // --- a country page outside the EEA ---
    Sample {
        page: "countries/in.html",
        selector: "dl.facts dd",
        en: "No adequacy decision",
        nl: "Geen adequaatheidsbesluit",
        de: "Kein Angemessenheitsbeschluss",
        fr: "Pas de décision d'adéquation",
    },
    Sample {
        page: "countries/in.html",
        selector: "td",
        en: "No adequacy decision",
        nl: "Geen adequaatheidsbesluit",
        de: "Kein Angemessenheitsbeschluss",
        fr: "Pas de décision d'adéquation",
    },
    Sample {
        page: "countries/in.html",
        selector: "h2",
        en: "Processors and recipients located here",
        nl: "Hier gevestigde verwerkers en ontvangers",
        de: "Hier ansässige Auftragsverarbeiter und Empfänger",
        fr: "Sous-traitants et destinataires établis dans ce pays",
    },
    Sample {
        page: "countries/in.html",
        selector: "section li",
        en: "(Processor)",
        nl: "(Verwerker)",
        de: "(Auftragsverarbeiter)",
        fr: "(Sous-traitant)",
    },
];

/// The pages the sample covers.
const PAGES: &[&str] = &[
    "index.html",
    "activities/klanten.html",
    "transfers/index.html",
    "countries/in.html",
];

/// Every sample label appears in `lang` on its page; for a translated
/// language, no English label of the sample is left on any sampled page.
#[track_caller]
fn assert_labels(site: &Site, lang: &str) {
    let mut missing = Vec::new();
    for s in SAMPLES {
        let doc = site.doc(s.page);
        let want = s.expected(lang);
        let found = texts(&doc, s.selector);
        if !found.iter().any(|t| t.contains(want)) {
            missing.push(format!(
                "{}: no `{}` contains {want:?}; found {found:?}",
                s.page, s.selector
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "{lang}: labels not found:\n{}",
        missing.join("\n")
    );
    let per_page = |page: &str| SAMPLES.iter().filter(|s| s.page == page).count();
    for page in PAGES {
        assert!(per_page(page) >= 4, "sample too thin on {page}");
    }
    if lang == "en" {
        return;
    }
    let mut left = Vec::new();
    for page in PAGES {
        let text = page_text(&site.doc(page));
        for s in SAMPLES {
            assert_ne!(
                s.en,
                s.expected(lang),
                "sample label identical in en and {lang}"
            );
            if text.contains(s.en) {
                left.push(format!("{page}: {:?}", s.en));
            }
        }
    }
    assert!(
        left.is_empty(),
        "{lang}: English labels left on the pages:\n{}",
        left.join("\n")
    );
}

#[track_caller]
fn assert_html_lang(site: &Site, want: &str) {
    for page in PAGES {
        assert_eq!(html_lang(&site.doc(page)), want, "<html lang> of {page}");
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn sample_is_large_enough() {
    assert!(SAMPLES.len() >= 10);
    for page in PAGES {
        assert!(
            SAMPLES.iter().any(|s| s.page == *page),
            "{page} not sampled"
        );
    }
}

#[test]
fn dutch_site_shows_dutch_labels_throughout() {
    let site = build(Some("nl"));
    assert_html_lang(&site, "nl");
    assert_labels(&site, "nl");

    // Other pages too: a safeguard's kind and module, a processor's agreement.
    let safeguard = site.doc("safeguards/scc-crm.html");
    let facts = texts(&safeguard, "dl.facts dd");
    assert!(
        facts.iter().any(|t| t == "Standaardcontractbepalingen"),
        "{facts:?}"
    );
    assert!(
        facts
            .iter()
            .any(|t| t.contains("Module 3: van verwerker aan verwerker")),
        "{facts:?}"
    );
    assert!(facts.iter().any(|t| t == "1 maart 2025"), "{facts:?}");
    let processor = site.doc("processors/crm.html");
    let dts = texts(&processor, "dl.facts dt");
    assert!(
        dts.iter().any(|t| t.starts_with("Verwerkersovereenkomst")),
        "{dts:?}"
    );
    let record = site.doc("records/controller.html");
    assert!(
        texts(&record, "h1")
            .iter()
            .any(|t| t == "Register van verwerkingsactiviteiten (verwerkingsverantwoordelijke)")
    );

    // The search index names kinds in Dutch as well.
    let index = site.read("search-index.js");
    assert!(index.contains("\"k\":\"Verwerkingsactiviteit\""), "{index}");
    assert!(!index.contains("Processing activity"), "{index}");
}

#[test]
fn german_site_shows_german_labels() {
    let site = build(Some("de"));
    assert_html_lang(&site, "de");
    assert_labels(&site, "de");
}

#[test]
fn french_site_shows_french_labels() {
    let site = build(Some("fr"));
    assert_html_lang(&site, "fr");
    assert_labels(&site, "fr");
}

#[test]
fn site_without_language_is_english() {
    let site = build(None);
    assert_html_lang(&site, "en");
    assert_labels(&site, "en");
}

/// A regional code reads its language's table and keeps its code for
/// `<html lang>`; a language without a table is refused, naming the ones
/// the site is written in (a page's `lang` must be the language of its words).
#[test]
fn regional_and_unknown_languages() {
    let be = build(Some("nl-BE"));
    assert_html_lang(&be, "nl-be");
    assert_labels(&be, "nl");

    for code in ["sv", "en onload", "nl-BE-x"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let registry = dir.path().join("registry");
        write_registry(&registry, Some(code));
        let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
            .env("NO_COLOR", "1")
            .args(["check", "--format", "json", "--registry"])
            .arg(&registry)
            .args(["--as-of", AS_OF])
            .output()
            .expect("run ropa");
        assert_eq!(out.status.code(), Some(1), "{code}");
        let diags: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let d = diags
            .as_array()
            .expect("an array")
            .iter()
            .find(|d| d["code"] == "schema" && d["file"] == "organisation.toml")
            .unwrap_or_else(|| panic!("no schema error for {code:?}: {diags}"));
        assert!(
            d["message"]
                .as_str()
                .unwrap_or("")
                .contains("is not written in"),
            "{d}"
        );
        let help = d["help"].as_str().unwrap_or("");
        for lang in ["`en`", "`nl`", "`de`", "`fr`"] {
            assert!(help.contains(lang), "{help}");
        }
    }
}

/// `ropa.json` is the same register whatever the site's language: English
/// keys and the registry format's codes; only `site.language` differs.
#[test]
fn json_register_keeps_english_keys_and_codes() {
    let mut registers = Vec::new();
    for lang in [None, Some("nl"), Some("de"), Some("fr")] {
        let site = build(lang);
        let raw = site.read("ropa.json");
        let mut json = site.json();

        assert_eq!(
            json["organisation"]["site"]["language"],
            lang.map_or(serde_json::Value::Null, |l| l.into()),
            "{lang:?}"
        );
        let activity = &json["controller_record"]["activities"][0];
        assert_eq!(activity["id"], "klanten");
        assert_eq!(activity["role"], "controller", "{lang:?}");
        assert_eq!(activity["status"], "active", "{lang:?}");
        let bases = activity["legal_bases"].as_array().expect("legal_bases");
        assert!(bases.contains(&"contract".into()), "{lang:?}: {bases:?}");
        assert!(
            bases.contains(&"legitimate-interests".into()),
            "{lang:?}: {bases:?}"
        );
        let transfer = &json["transfers"][0];
        assert_eq!(transfer["mechanism"], "scc", "{lang:?}");
        assert_eq!(transfer["safeguard"]["kind"], "scc", "{lang:?}");
        assert_eq!(transfer["country"], "IN", "{lang:?}");
        assert_eq!(json["safeguards"][0]["kind"], "scc", "{lang:?}");

        let keys: Vec<&str> = json
            .as_object()
            .expect("object")
            .keys()
            .map(|k| k.as_str())
            .collect();
        for key in [
            "schema_version",
            "organisation",
            "controller_record",
            "processor_record",
            "processors",
            "transfers",
            "safeguards",
            "data_categories",
            "measures",
        ] {
            assert!(
                keys.contains(&key),
                "{lang:?}: key {key} missing from {keys:?}"
            );
        }
        for word in [
            "Verwerkingsverantwoordelijke",
            "Standaardcontractbepalingen",
            "Uitvoering van een overeenkomst",
            "Verantwortlicher",
            "Standardvertragsklauseln",
            "Responsable du traitement",
            "Clauses contractuelles types",
            "Contract (Art. 6(1)(b))",
        ] {
            assert!(
                !raw.contains(word),
                "{lang:?}: ropa.json contains the label {word:?}"
            );
        }

        json["organisation"]["site"]
            .as_object_mut()
            .expect("site")
            .remove("language");
        registers.push((lang, json));
    }
    let (_, english) = &registers[0];
    for (lang, json) in &registers[1..] {
        assert!(
            json == english,
            "ropa.json for {lang:?} differs from the English build beyond site.language"
        );
    }
}
