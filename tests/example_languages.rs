//! The four example registries' sites: ALUTECH's in Dutch throughout (a
//! sample of labels on several page kinds), the other three in English.

use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{Html, Selector};

fn build(example: &str) -> (tempfile::TempDir, PathBuf) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let registry = if example == "registry" {
        root.join("registry")
    } else {
        root.join("examples").join(example)
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let run = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["build", "--as-of", "2026-11-24", "--registry"])
        .arg(&registry)
        .arg("--out")
        .arg(&out)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{example}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    (tmp, out)
}

fn page_text(site: &Path, rel: &str) -> (String, String) {
    let html = Html::parse_document(&std::fs::read_to_string(site.join(rel)).unwrap());
    let lang = html
        .select(&Selector::parse("html").unwrap())
        .next()
        .unwrap()
        .value()
        .attr("lang")
        .unwrap_or("")
        .to_string();
    let text = html.root_element().text().collect::<Vec<_>>().join(" ");
    (lang, text)
}

fn first_activity(site: &Path) -> String {
    let mut pages: Vec<String> = std::fs::read_dir(site.join("activities"))
        .unwrap()
        .flatten()
        .map(|e| format!("activities/{}", e.file_name().to_string_lossy()))
        .collect();
    pages.sort();
    pages.into_iter().find(|p| p.ends_with(".html")).unwrap()
}

#[test]
fn alutech_site_is_dutch_throughout() {
    let (_tmp, site) = build("alutech");
    let activity = "activities/accountbeheer.html";
    let samples: &[(&str, &[&str])] = &[
        (
            "index.html",
            &[
                "Verwerkingsactiviteiten",
                "Verwerkers",
                "Ontvangers",
                "Doorgiften",
                "Register verwerkingsverantwoordelijke",
                "24 november 2026",
            ],
        ),
        (
            activity,
            &[
                "Doeleinden",
                "Rechtsgrondslag",
                "Categorieën van betrokkenen",
                "Categorieën van persoonsgegevens",
                "Bewaartermijn",
                "Beveiligingsmaatregelen",
                "art. 30, lid 1, onder b",
                "Uitvoering van een overeenkomst (art. 6, lid 1, onder b)",
            ],
        ),
        ("transfers/index.html", &["Register van doorgiften"]),
        (
            "records/controller.html",
            &["Register van verwerkingsactiviteiten (verwerkingsverantwoordelijke)"],
        ),
    ];
    let mut missing = Vec::new();
    for (page, words) in samples {
        let (lang, text) = page_text(&site, page);
        assert_eq!(lang, "nl", "{page}");
        for w in *words {
            if !text.contains(w) {
                missing.push(format!("{page}: {w}"));
            }
        }
        // None of the English labels of the same places.
        for english in [
            "Purposes",
            "Legal basis",
            "Categories of data subjects",
            "Retention",
            "Security measures",
            "Transfer register",
            "Controller record",
            "November 2026",
        ] {
            if text.contains(english) {
                missing.push(format!("{page}: English label `{english}` remains"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn the_other_three_sites_stay_english() {
    for example in ["registry", "allthingstalk", "allocloud"] {
        let (_tmp, site) = build(example);
        let activity = first_activity(&site);
        for (page, words) in [
            (
                "index.html",
                &["Activities", "Processors", "24 November 2026"][..],
            ),
            (
                activity.as_str(),
                &["Purposes", "Legal basis", "Retention"][..],
            ),
        ] {
            let (lang, text) = page_text(&site, page);
            assert_eq!(lang, "en", "{example} {page}");
            for w in words {
                assert!(text.contains(w), "{example} {page}: `{w}` missing");
            }
        }
    }
}
