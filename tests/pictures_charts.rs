//! The dashboard's charts (issue #16) on the four example registries: each
//! of the four figures of index.html against counts made here from other
//! outputs of the binary (`ropa export --format json`, `ropa check
//! --format json`, `ropa due --format json`), not from the code that draws.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use scraper::{ElementRef, Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

fn registries() -> Vec<PathBuf> {
    let root = manifest_dir();
    let mut v = vec![root.join("registry")];
    for name in ["allocloud", "allthingstalk", "alutech"] {
        v.push(root.join("examples").join(name));
    }
    v
}

#[track_caller]
fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stderr))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// One figure's bars, `(data-label, data-value)` in order, and its table's
/// numbers in order.
struct Figure {
    bars: Vec<(String, usize)>,
    rows: Vec<usize>,
    svg: Option<String>,
}

fn figure(doc: &Html, id: &str) -> Figure {
    let f = doc
        .select(&sel(&format!("figure.chart#{id}")))
        .next()
        .unwrap_or_else(|| panic!("no figure {id}"));
    let bars = f
        .select(&sel("svg.picture.chart rect.bar"))
        .map(|r| {
            let v = r.value();
            (
                v.attr("data-label").expect("data-label").to_string(),
                v.attr("data-value")
                    .and_then(|n| n.parse().ok())
                    .expect("a number in data-value"),
            )
        })
        .collect();
    let rows = f
        .select(&sel("table tbody tr td.num"))
        .map(|td: ElementRef| {
            td.text()
                .collect::<String>()
                .trim()
                .parse()
                .expect("a number")
        })
        .collect();
    let svg = f.select(&sel("svg")).next().map(|s| s.html());
    Figure { bars, rows, svg }
}

fn nonzero(bars: &[(String, usize)]) -> BTreeMap<String, usize> {
    bars.iter()
        .filter(|(_, n)| *n > 0)
        .map(|(l, n)| (l.clone(), *n))
        .collect()
}

#[test]
fn the_dashboards_charts_agree_with_the_registrys_counts() {
    // What falls due on the examples, in all (some must, or the due chart is untested).
    let mut seen_due = 0;
    for registry in registries() {
        let name = registry.display().to_string();
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("site");
        run_in(
            &manifest_dir(),
            &[
                "build",
                "--registry",
                path(&registry),
                "--out",
                path(&out),
                "--as-of",
                AS_OF,
            ],
        )
        .assert_exit(0);
        let page = std::fs::read_to_string(out.join("index.html")).expect("index.html");
        let doc = Html::parse_document(&page);
        let export = json(
            run_in(
                &manifest_dir(),
                &[
                    "export",
                    "--registry",
                    path(&registry),
                    "--format",
                    "json",
                    "--as-of",
                    AS_OF,
                ],
            )
            .assert_exit(0),
        );

        // Transfers by mechanism: every transfer file.
        let mut mechanisms: BTreeMap<String, usize> = BTreeMap::new();
        for t in export["transfers"].as_array().expect("transfers") {
            *mechanisms
                .entry(t["mechanism"].as_str().expect("mechanism").to_string())
                .or_default() += 1;
        }
        let f = figure(&doc, "chart-mechanisms");
        assert_eq!(nonzero(&f.bars), mechanisms, "{name}: mechanisms");
        assert_eq!(
            f.bars.len(),
            mechanisms.len(),
            "{name}: only mechanisms in use"
        );

        // Activities by legal basis: the controller record's live ones,
        // each basis once per activity.
        let mut bases: BTreeMap<String, usize> = BTreeMap::new();
        for a in export["controller_record"]["activities"]
            .as_array()
            .expect("activities")
        {
            if a["status"] == "retired" {
                continue;
            }
            let mut listed: Vec<&str> = a["legal_bases"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b.as_str())
                .collect();
            listed.sort_unstable();
            listed.dedup();
            for b in listed {
                *bases.entry(b.to_string()).or_default() += 1;
            }
        }
        let f = figure(&doc, "chart-legal-bases");
        assert_eq!(nonzero(&f.bars), bases, "{name}: legal bases");
        assert_eq!(f.bars.len(), 6, "{name}: Art. 6(1)'s six, zeros too");

        // Open warnings by code (`ropa check` leaves accepted ones out).
        let mut codes: BTreeMap<String, usize> = BTreeMap::new();
        for d in check(&registry, "json", &[]).diags() {
            if d.severity == "warning" {
                *codes.entry(d.code).or_default() += 1;
            }
        }
        let f = figure(&doc, "chart-warnings");
        if codes.is_empty() {
            assert!(f.svg.is_none(), "{name}: no chart of no warnings");
        } else {
            assert!(f.bars.len() <= 13, "{name}: capped");
            if codes.len() <= 12 {
                assert_eq!(nonzero(&f.bars), codes, "{name}: warnings");
            } else {
                let total: usize = codes.values().sum();
                assert_eq!(f.bars.iter().map(|b| b.1).sum::<usize>(), total);
                assert_eq!(
                    f.rows.len(),
                    codes.len(),
                    "{name}: the table has every code"
                );
            }
        }

        // What falls due: overdue apart, then by month, as `ropa due --within P12M`.
        let due = json(&run_in(
            &manifest_dir(),
            &[
                "due",
                "--registry",
                path(&registry),
                "--format",
                "json",
                "--within",
                "P12M",
                "--as-of",
                AS_OF,
            ],
        ));
        let first = month(AS_OF);
        let mut expected: BTreeMap<String, usize> = BTreeMap::new();
        for item in due["items"].as_array().expect("items") {
            let date = item["date"].as_str().expect("date");
            let key = if item["overdue"] == true {
                "overdue".to_string()
            } else {
                // The window is `--within P12M`'s: 13 calendar months.
                assert!((first..=first + 12).contains(&month(date)));
                date[..7].to_string()
            };
            *expected.entry(key).or_default() += 1;
        }
        let f = figure(&doc, "chart-due");
        assert_eq!(f.bars.len(), 14, "{name}: overdue and 13 months");
        assert_eq!(f.bars[0].0, "overdue");
        assert_eq!(f.bars[1].0, &AS_OF[..7]);
        assert_eq!(nonzero(&f.bars), expected, "{name}: due");
        let next_year: i32 = AS_OF[..4].parse::<i32>().expect("a year") + 1;
        assert_eq!(
            f.bars[13].0,
            format!("{next_year}{}", &AS_OF[4..7]),
            "{name}: to the same day next year"
        );
        seen_due += expected.values().sum::<usize>();

        for id in [
            "chart-mechanisms",
            "chart-legal-bases",
            "chart-warnings",
            "chart-due",
        ] {
            let f = figure(&doc, id);
            if let Some(svg) = &f.svg {
                assert!(!svg.contains("http"), "{name} {id}: no address in the SVG");
                assert!(!svg.contains("style="), "{name} {id}: no inline style");
                // The table holds the same numbers (the capped warnings
                // chart's table has every code).
                if !(id == "chart-warnings" && codes.len() > 12) {
                    let drawn: Vec<usize> = f.bars.iter().map(|b| b.1).collect();
                    assert_eq!(f.rows, drawn, "{name} {id}: table");
                }
            }
        }
    }
    assert!(seen_due > 0);
}

#[test]
fn no_pictures_no_charts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("site");
    run_in(
        &manifest_dir(),
        &[
            "build",
            "--registry",
            "registry",
            "--out",
            path(&out),
            "--as-of",
            AS_OF,
            "--no-pictures",
        ],
    )
    .assert_exit(0);
    let page = std::fs::read_to_string(out.join("index.html")).expect("index.html");
    let doc = Html::parse_document(&page);
    assert_eq!(doc.select(&sel("figure.chart")).count(), 0);
    // The table of transfers by mechanism stays.
    assert!(doc.select(&sel(".panels table")).next().is_some());
}

/// Months since year 0 of `YYYY-MM…`.
fn month(date: &str) -> i64 {
    let y: i64 = date[..4].parse().expect("a year");
    let m: i64 = date[5..7].parse().expect("a month");
    y * 12 + m - 1
}
