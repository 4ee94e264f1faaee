//! Integration tests of the static site (`ropa build`, issue 3): every page
//! kind, content against the fixture's TOML, cross links and back-links,
//! page hygiene (no external resources, CSP, landmarks, tables, headings),
//! escaping of hostile input, atomic output, determinism and the defaults.
//!
//! The HTML is always parsed with `scraper`; no safety check greps the text.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use common::*;
use scraper::{CaseSensitivity, ElementRef, Html, Selector};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

/// `ropa build --registry <registry> --out <out> --as-of AS_OF <extra>`.
#[track_caller]
fn build(registry: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "build",
        "--registry",
        registry.to_str().expect("UTF-8 path"),
        "--out",
        out.to_str().expect("UTF-8 path"),
        "--as-of",
        AS_OF,
    ];
    args.extend_from_slice(extra);
    run_in(&manifest_dir(), &args)
}

/// A site built into a temporary folder (removed when dropped).
struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Site {
    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    #[track_caller]
    fn doc(&self, rel: &str) -> Html {
        let p = self.path(rel);
        let text =
            std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read page {rel}: {e}"));
        Html::parse_document(&text)
    }

    /// Every `*.html` page of the site, `/`-separated relative paths, sorted.
    fn pages(&self) -> Vec<String> {
        tree(&self.root)
            .into_keys()
            .filter(|k| k.ends_with(".html"))
            .collect()
    }
}

/// Builds `registry` (exit 0 expected) into a fresh temporary folder.
#[track_caller]
fn build_site(registry: &Path) -> Site {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("site");
    build(registry, &root, &[]).assert_exit(0);
    Site { _dir: dir, root }
}

#[track_caller]
fn build_fixture(name: &str) -> Site {
    build_site(&fixture(name))
}

/// Every file under `dir` (dot files included), by `/`-separated relative
/// path, with its bytes. Folders appear as `path/` with no bytes, so an
/// extra empty folder also makes two trees differ; symbolic links appear as
/// `path@` with their target and are not followed.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("read_dir {}: {e}", dir.display()))
            .map(|e| e.unwrap())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let rel = p
                .strip_prefix(base)
                .unwrap()
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let ft = e.file_type().unwrap();
            if ft.is_symlink() {
                let to = std::fs::read_link(&p).unwrap();
                out.insert(format!("{rel}@"), to.to_string_lossy().as_bytes().to_vec());
            } else if ft.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(base, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts that two trees are identical, naming the first differences.
#[track_caller]
fn assert_same_tree(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, what: &str) {
    let ka: BTreeSet<&String> = a.keys().collect();
    let kb: BTreeSet<&String> = b.keys().collect();
    let only_a: Vec<_> = ka.difference(&kb).collect();
    let only_b: Vec<_> = kb.difference(&ka).collect();
    let differ: Vec<_> = ka.intersection(&kb).filter(|k| a[**k] != b[**k]).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty() && differ.is_empty(),
        "{what}: the trees differ\nonly before/first: {only_a:?}\nonly after/second: {only_b:?}\ndifferent bytes: {differ:?}"
    );
}

/// Names of the entries beside `out` that look like ropa's temporary or
/// old-site folders: `.<name>.ropa-*`, but for the lock file
/// `.<name>.ropa-lock`, which stays.
fn leftovers(out: &Path) -> Vec<String> {
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    let prefix = format!(".{name}.ropa-");
    let lock = format!(".{name}.ropa-lock");
    let Ok(rd) = std::fs::read_dir(out.parent().unwrap()) else {
        return Vec::new();
    };
    rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix) && *n != lock)
        .collect()
}

/// Whitespace-normalised text of an element.
fn text(el: ElementRef) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whitespace-normalised text of the page's `<main>`.
fn main_text(doc: &Html) -> String {
    let m = doc
        .select(&sel("main"))
        .next()
        .expect("the page has a <main>");
    text(m)
}

/// The TOML files of one kind folder (recursively): `(id, table)`, sorted by id.
fn toml_entries(registry: &Path, kind: &str) -> Vec<(String, toml::Table)> {
    fn walk(dir: &Path, out: &mut Vec<(String, toml::Table)>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "toml") {
                let text = std::fs::read_to_string(&p).unwrap();
                let t: toml::Table =
                    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                out.push((p.file_stem().unwrap().to_string_lossy().into_owned(), t));
            }
        }
    }
    let mut out = Vec::new();
    walk(&registry.join(kind), &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn toml_file(registry: &Path, rel: &str) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(registry.join(rel)).unwrap()).unwrap()
}

fn s<'a>(t: &'a toml::Table, key: &str) -> &'a str {
    t.get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("`{key}` is not a string in {t:?}"))
}

fn opt_s<'a>(t: &'a toml::Table, key: &str) -> Option<&'a str> {
    t.get(key).and_then(|v| v.as_str())
}

fn strs(t: &toml::Table, key: &str) -> Vec<String> {
    t.get(key)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().expect("a string").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// `name` of every entry of `[<section>.<id>]` in a catalogue file.
fn catalogue_names(registry: &Path, file: &str, section: &str) -> HashMap<String, String> {
    let t = toml_file(registry, file);
    t.get(section)
        .and_then(|v| v.as_table())
        .map(|tab| {
            tab.iter()
                .map(|(id, v)| {
                    let v = v.as_table().unwrap();
                    (id.clone(), s(v, "name").to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A link of a page, resolved against the site root.
#[derive(Debug, Clone)]
struct Link {
    /// The attribute's value as written.
    raw: String,
    /// The target file, site-relative and `/`-separated; `None` when the
    /// link leaves the site root (`../` too many).
    target: Option<String>,
    fragment: Option<String>,
    text: String,
}

/// Is `url` relative (no scheme, not `//host`)?
fn is_relative(url: &str) -> bool {
    let u = url.trim();
    let before = u.split(['/', '?', '#']).next().unwrap_or("");
    !u.starts_with("//") && !before.contains(':')
}

/// Resolves a relative URL found on page `page` (site-relative path).
fn resolve(page: &str, url: &str) -> (Option<String>, Option<String>) {
    let url = url.trim();
    let (rest, fragment) = match url.split_once('#') {
        Some((a, f)) => (a, Some(f.to_string())),
        None => (url, None),
    };
    let rest = rest.split('?').next().unwrap_or("");
    if rest.is_empty() {
        return (Some(page.to_string()), fragment);
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop(); // the page's own file name
    if rest.starts_with('/') {
        parts.clear();
    }
    for seg in rest.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return (None, fragment);
                }
            }
            x => parts.push(x),
        }
    }
    let mut target = parts.join("/");
    if rest.ends_with('/') {
        target.push_str("/index.html");
    }
    (Some(target), fragment)
}

/// Every relative `href`/`src` of a page.
fn relative_links(doc: &Html, page: &str) -> Vec<Link> {
    let mut out = Vec::new();
    for el in doc.select(&sel("[href], [src]")) {
        for attr in ["href", "src"] {
            if let Some(v) = el.value().attr(attr)
                && is_relative(v)
            {
                let (target, fragment) = resolve(page, v);
                out.push(Link {
                    raw: v.to_string(),
                    target,
                    fragment,
                    text: text(el),
                });
            }
        }
    }
    out
}

/// The site-relative targets (without fragment) of a page's relative links.
fn targets(doc: &Html, page: &str) -> BTreeSet<String> {
    relative_links(doc, page)
        .into_iter()
        .filter_map(|l| l.target)
        .collect()
}

/// The link targets in the elements that follow the heading whose text
/// starts with `heading`, up to the next heading of the same or a higher
/// level (the heading's "section").
fn targets_under_heading(doc: &Html, page: &str, heading: &str) -> Option<BTreeSet<String>> {
    let hsel = sel("h1, h2, h3, h4, h5, h6");
    let h = doc.select(&hsel).find(|h| text(*h).starts_with(heading))?;
    let level = h.value().name()[1..].parse::<u8>().unwrap();
    let mut out = BTreeSet::new();
    let asel = sel("a[href]");
    for sib in h.next_siblings() {
        let Some(el) = ElementRef::wrap(sib) else {
            continue;
        };
        let name = el.value().name();
        if name.len() == 2
            && name.starts_with('h')
            && name[1..].parse::<u8>().is_ok_and(|l| l <= level)
        {
            break;
        }
        let mut anchors: Vec<ElementRef> = el.select(&asel).collect();
        if name == "a" {
            anchors.push(el);
        }
        for a in anchors {
            let href = a.value().attr("href").unwrap();
            if is_relative(href)
                && let (Some(t), _) = resolve(page, href)
            {
                out.insert(t);
            }
        }
    }
    Some(out)
}

/// Country codes any transfer, processor or recipient of a registry names.
fn named_countries(registry: &Path) -> BTreeSet<String> {
    let mut cc = BTreeSet::new();
    for (_, t) in toml_entries(registry, "transfers") {
        cc.insert(s(&t, "country").to_string());
    }
    for (_, t) in toml_entries(registry, "processors") {
        cc.insert(s(&t, "country").to_string());
        cc.extend(strs(&t, "locations"));
    }
    for (_, t) in toml_entries(registry, "recipients") {
        if let Some(c) = opt_s(&t, "country") {
            cc.insert(c.to_string());
        }
    }
    cc
}

/// The name of the processor or recipient `id` of a registry.
fn party_name(registry: &Path, id: &str) -> String {
    for kind in ["processors", "recipients"] {
        if let Some((_, t)) = toml_entries(registry, kind)
            .into_iter()
            .find(|(i, _)| i == id)
        {
            return s(&t, "name").to_string();
        }
    }
    panic!("no party `{id}`")
}

fn party_page(registry: &Path, id: &str) -> String {
    if toml_entries(registry, "processors")
        .iter()
        .any(|(i, _)| i == id)
    {
        format!("processors/{id}.html")
    } else {
        format!("recipients/{id}.html")
    }
}

/// The article a legal basis refers to, as the site's labels cite it.
fn legal_basis_ref(id: &str) -> &'static str {
    match id {
        "consent" => "6(1)(a)",
        "contract" => "6(1)(b)",
        "legal-obligation" => "6(1)(c)",
        "vital-interests" => "6(1)(d)",
        "public-task" => "6(1)(e)",
        "legitimate-interests" => "6(1)(f)",
        x => panic!("unknown legal basis {x}"),
    }
}

/// The article a transfer mechanism refers to.
fn mechanism_ref(id: &str) -> &'static str {
    match id {
        "adequacy" => "Art. 45",
        "scc" => "46(2)(c)",
        "bcr" => "46(2)(b)",
        "code-of-conduct" => "46(2)(e)",
        "certification" => "46(2)(f)",
        "ad-hoc-clauses" => "46(3)(a)",
        "public-authority-instrument" => "46(2)(a)",
        "derogation" => "Art. 49",
        x => panic!("unknown mechanism {x}"),
    }
}

/// A date as the site may show it: `1 November 2026` or `2026-11-01`.
fn date_forms(d: &toml::value::Datetime) -> [String; 2] {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let date = d.date.expect("a date");
    [
        format!(
            "{} {} {}",
            date.day,
            MONTHS[date.month as usize - 1],
            date.year
        ),
        format!("{:04}-{:02}-{:02}", date.year, date.month, date.day),
    ]
}

fn contains_date(hay: &str, d: &toml::value::Datetime) -> bool {
    date_forms(d).iter().any(|f| hay.contains(f.as_str()))
}

// ---------------------------------------------------------------------------
// 1. Every page kind exists
// ---------------------------------------------------------------------------

#[test]
fn every_page_kind_exists_for_valid_saas() {
    let reg = fixture("valid-saas");
    let site = build_fixture("valid-saas");
    let mut expected: Vec<String> = [
        "index.html",
        "404.html",
        "categories.html",
        "measures.html",
        "records/controller.html",
        "records/processor.html",
        "transfers/index.html",
        "countries/index.html",
        "processors/index.html",
        "recipients/index.html",
        "safeguards/index.html",
        "static/style.css",
        "static/search.js",
        "search-index.js",
    ]
    .map(String::from)
    .to_vec();
    for (kind, folder) in [
        ("activities", "activities"),
        ("processors", "processors"),
        ("recipients", "recipients"),
        ("safeguards", "safeguards"),
        ("transfers", "transfers"),
    ] {
        let entries = toml_entries(&reg, kind);
        assert!(!entries.is_empty(), "valid-saas has no {kind}");
        for (id, _) in entries {
            expected.push(format!("{folder}/{id}.html"));
        }
    }
    let countries = named_countries(&reg);
    for cc in ["US", "JP", "IN", "CH", "GB"] {
        assert!(countries.contains(cc), "valid-saas should name {cc}");
    }
    for cc in &countries {
        expected.push(format!("countries/{}.html", cc.to_ascii_lowercase()));
    }
    let missing: Vec<_> = expected
        .iter()
        .filter(|p| !site.path(p).is_file())
        .collect();
    assert!(missing.is_empty(), "missing pages: {missing:?}");
    for p in &expected {
        assert!(
            std::fs::metadata(site.path(p)).unwrap().len() > 0,
            "{p} is empty"
        );
    }
    // No upper-case country pages: the layout is lower-case alpha-2.
    for cc in &countries {
        let upper = site.path(&format!("countries/{cc}.html"));
        assert!(
            !upper.exists() || cc.to_ascii_lowercase() == *cc,
            "upper-case country page {}",
            upper.display()
        );
    }
    // The JSON register and its schema are part of the site (tests/export.rs
    // checks that ropa.json is the very output of `ropa export`).
    for f in ["ropa.json", "ropa.schema.json"] {
        assert!(site.path(f).is_file(), "{f} missing from the site");
    }
    // Every page is an HTML document with a title.
    for p in site.pages() {
        let doc = site.doc(&p);
        let title = doc.select(&sel("head > title")).next();
        assert!(
            title.is_some_and(|t| !text(t).is_empty()),
            "{p} has no <title>"
        );
    }
}

// ---------------------------------------------------------------------------
// 2. Content
// ---------------------------------------------------------------------------

#[test]
fn activity_pages_show_what_the_toml_says() {
    let reg = fixture("valid-saas");
    let site = build_fixture("valid-saas");
    let subjects = catalogue_names(&reg, "categories.toml", "data_subjects");
    let categories = catalogue_names(&reg, "categories.toml", "data_categories");
    let measures = catalogue_names(&reg, "measures.toml", "measures");
    let processors: HashMap<String, String> = toml_entries(&reg, "processors")
        .into_iter()
        .map(|(id, t)| (id, s(&t, "name").to_string()))
        .collect();
    let recipients: HashMap<String, String> = toml_entries(&reg, "recipients")
        .into_iter()
        .map(|(id, t)| (id, s(&t, "name").to_string()))
        .collect();

    let activities = toml_entries(&reg, "activities");
    assert!(activities.len() >= 5);
    for (id, a) in &activities {
        let page = format!("activities/{id}.html");
        let doc = site.doc(&page);
        let h1: Vec<String> = doc.select(&sel("h1")).map(text).collect();
        assert_eq!(h1, vec![norm(s(a, "name"))], "{page}: h1");
        let body = main_text(&doc);
        let items: BTreeSet<String> = doc.select(&sel("main li")).map(text).collect();

        for p in strs(a, "purposes") {
            assert!(
                items.contains(&norm(&p)),
                "{page}: purpose {p:?} not listed; items: {items:?}"
            );
        }
        for b in strs(a, "legal_bases") {
            let art = legal_basis_ref(&b);
            assert!(
                items.iter().any(|i| i.contains(art)),
                "{page}: legal basis {b} (Art. {art}) not listed; items: {items:?}"
            );
        }
        if let Some(li) = opt_s(a, "legitimate_interest") {
            assert!(
                body.contains(&norm(li)),
                "{page}: legitimate interest missing"
            );
        }
        for v in strs(a, "sources").iter().chain(&strs(a, "systems")) {
            assert!(items.contains(&norm(v)), "{page}: {v:?} not listed");
        }

        let links = relative_links(&doc, &page);
        let has_link = |target: &str, fragment: Option<&str>, name: &str| {
            links.iter().any(|l| {
                l.target.as_deref() == Some(target)
                    && l.fragment.as_deref() == fragment
                    && l.text == norm(name)
            })
        };
        for sid in strs(a, "data_subjects") {
            let frag = format!("subject-{sid}");
            assert!(
                has_link("categories.html", Some(&frag), &subjects[&sid]),
                "{page}: no link to data subject {sid} ({:?})",
                subjects[&sid]
            );
        }
        for cid in strs(a, "data_categories") {
            let frag = format!("category-{cid}");
            assert!(
                has_link("categories.html", Some(&frag), &categories[&cid]),
                "{page}: no link to data category {cid} ({:?})",
                categories[&cid]
            );
        }
        for mid in strs(a, "measures") {
            let frag = format!("measure-{mid}");
            assert!(
                has_link("measures.html", Some(&frag), &measures[&mid]),
                "{page}: no link to measure {mid}"
            );
        }
        for pid in strs(a, "processors") {
            assert!(
                has_link(&format!("processors/{pid}.html"), None, &processors[&pid]),
                "{page}: no link to processor {pid}"
            );
        }
        for rid in strs(a, "recipients") {
            assert!(
                has_link(&format!("recipients/{rid}.html"), None, &recipients[&rid]),
                "{page}: no link to recipient {rid}"
            );
        }
        let tgts = targets(&doc, &page);
        for tid in strs(a, "transfers") {
            assert!(
                tgts.contains(&format!("transfers/{tid}.html")),
                "{page}: no link to transfer {tid}"
            );
        }

        let retention = a
            .get("retention")
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default();
        assert!(
            !retention.is_empty(),
            "valid-saas activity {id} has retention"
        );
        for r in retention {
            let r = r.as_table().unwrap();
            if let Some(p) = opt_s(r, "period") {
                // The site writes the period in words, never as ISO 8601.
                let words = match p {
                    "P30D" => "30 days",
                    "P90D" => "90 days",
                    "P6M" => "6 months",
                    "P1Y" => "1 year",
                    "P2Y" => "2 years",
                    "P7Y" => "7 years",
                    other => panic!("{page}: add {other} to this test's periods"),
                };
                assert!(
                    body.contains(words),
                    "{page}: retention period {words} missing"
                );
                assert!(
                    !body.contains(p),
                    "{page}: retention period {p} shown as ISO 8601"
                );
            }
            if let Some(f) = opt_s(r, "from") {
                assert!(
                    body.contains(&norm(f)),
                    "{page}: retention start {f:?} missing"
                );
            }
            if let Some(n) = opt_s(r, "note") {
                assert!(
                    body.contains(&norm(n)),
                    "{page}: retention note {n:?} missing"
                );
            }
        }
        if let Some(o) = opt_s(a, "owner") {
            assert!(body.contains(&norm(o)), "{page}: owner missing");
        }
        for c in strs(a, "controllers") {
            assert!(body.contains(&norm(&c)), "{page}: controller {c:?} missing");
        }
        if let Some(js) = a.get("joint_controllers").and_then(|v| v.as_array()) {
            for j in js {
                let name = s(j.as_table().unwrap(), "name");
                assert!(
                    body.contains(name),
                    "{page}: joint controller {name:?} missing"
                );
            }
        }
    }

    // Markdown is rendered: bold and a GFM table in providing-the-service.
    let doc = site.doc("activities/providing-the-service.html");
    assert!(
        doc.select(&sel("main strong"))
            .any(|e| text(e) == "Nordlys"),
        "the description's **Nordlys** is not rendered as <strong>"
    );
    let md_table = doc
        .select(&sel("main table"))
        .find(|t| text(*t).contains("Web app"))
        .expect("the description's GFM table is rendered as a <table>");
    let ths: Vec<String> = md_table.select(&sel("th")).map(text).collect();
    assert_eq!(ths, ["System", "Purpose"]);
}

#[test]
fn transfer_register_has_one_row_per_transfer() {
    let reg = fixture("valid-saas");
    let site = build_fixture("valid-saas");
    let page = "transfers/index.html";
    let doc = site.doc(page);
    let transfers = toml_entries(&reg, "transfers");
    let categories = catalogue_names(&reg, "categories.toml", "data_categories");
    let rows: Vec<ElementRef> = doc.select(&sel("main table tbody tr")).collect();
    assert_eq!(
        rows.len(),
        transfers.len(),
        "the register should have one row per transfer"
    );
    for (id, t) in &transfers {
        let own = format!("transfers/{id}.html");
        let matching: Vec<&ElementRef> = rows
            .iter()
            .filter(|r| {
                r.select(&sel("a[href]")).any(|a| {
                    resolve(page, a.value().attr("href").unwrap()).0.as_deref()
                        == Some(own.as_str())
                })
            })
            .collect();
        assert_eq!(matching.len(), 1, "exactly one row should link to {own}");
        let row = *matching[0];
        let row_text = text(row);
        let row_targets: BTreeSet<String> = row
            .select(&sel("a[href]"))
            .filter_map(|a| resolve(page, a.value().attr("href").unwrap()).0)
            .collect();
        let to = s(t, "to");
        let party = party_name(&reg, to);
        assert!(
            row_text.contains(&party),
            "{id}: party {party:?} missing in {row_text:?}"
        );
        let cc = s(t, "country");
        assert!(
            row_targets.contains(&format!("countries/{}.html", cc.to_ascii_lowercase())),
            "{id}: no link to the country page of {cc}"
        );
        assert!(
            row_text.contains(&format!("({cc})")),
            "{id}: country code {cc} not shown"
        );
        let mech = s(t, "mechanism");
        assert!(
            row_text.contains(mechanism_ref(mech)),
            "{id}: mechanism {mech} ({}) missing in {row_text:?}",
            mechanism_ref(mech)
        );
        if let Some(via) = opt_s(t, "via") {
            assert!(
                row_targets.contains(&format!("processors/{via}.html")),
                "{id}: no link to `via` processor {via}"
            );
        }
        if let Some(sg) = opt_s(t, "safeguard") {
            assert!(
                row_targets.contains(&format!("safeguards/{sg}.html")),
                "{id}: no link to safeguard {sg}"
            );
        }
        if let Some(done) = t
            .get("tia")
            .and_then(|v| v.as_table())
            .and_then(|tia| tia.get("completed"))
            .and_then(|v| v.as_datetime())
        {
            assert!(
                contains_date(&row_text, done),
                "{id}: TIA date missing in {row_text:?}"
            );
        }
        for c in strs(t, "data_categories") {
            assert!(
                row_text.contains(&categories[&c]),
                "{id}: category {c} missing"
            );
        }
    }
}

#[test]
fn transfer_pages_link_party_country_safeguard_and_via() {
    let reg = fixture("valid-saas");
    let site = build_fixture("valid-saas");
    for (id, t) in toml_entries(&reg, "transfers") {
        let page = format!("transfers/{id}.html");
        let doc = site.doc(&page);
        let tg = targets(&doc, &page);
        let body = main_text(&doc);
        let to = s(&t, "to");
        assert!(
            tg.contains(&party_page(&reg, to)),
            "{page}: no link to party {to}"
        );
        let cc = s(&t, "country").to_ascii_lowercase();
        assert!(
            tg.contains(&format!("countries/{cc}.html")),
            "{page}: no country link"
        );
        if let Some(sg) = opt_s(&t, "safeguard") {
            assert!(
                tg.contains(&format!("safeguards/{sg}.html")),
                "{page}: no safeguard link"
            );
        }
        if let Some(via) = opt_s(&t, "via") {
            assert!(
                tg.contains(&format!("processors/{via}.html")),
                "{page}: no via link"
            );
        }
        assert!(
            body.contains(mechanism_ref(s(&t, "mechanism"))),
            "{page}: mechanism"
        );
        if let Some(tia) = t.get("tia").and_then(|v| v.as_table()) {
            for k in ["reference", "outcome"] {
                if let Some(v) = opt_s(tia, k) {
                    assert!(body.contains(v), "{page}: TIA {k} {v:?} missing");
                }
            }
        }
    }
}

#[test]
fn country_pages_state_adequacy_and_the_list_date() {
    // valid-saas uses the bundled list (as of 2026-11-01).
    let site = build_fixture("valid-saas");
    for (cc, covered) in [("us", true), ("jp", true), ("ch", true), ("in", false)] {
        let page = format!("countries/{cc}.html");
        let body = main_text(&site.doc(&page));
        assert_eq!(
            !body.contains("No adequacy decision"),
            covered,
            "{page}: says covered = {} but should be {covered}: {body}",
            !body.contains("No adequacy decision")
        );
        if covered {
            assert!(body.contains("Adequacy decision"), "{page}: {body}");
        }
        assert!(
            body.contains("1 November 2026") || body.contains("2026-11-01"),
            "{page}: the bundled list's as-of date (2026-11-01) is not stated: {body}"
        );
    }
    let jp = main_text(&site.doc("countries/jp.html"));
    assert!(
        jp.contains("2019/419"),
        "the JP decision number is not shown: {jp}"
    );
    // The transfers to the country are listed there.
    let doc = site.doc("countries/in.html");
    let tg = targets(&doc, "countries/in.html");
    for t in ["transfers/crm-in.html", "transfers/support-centre-in.html"] {
        assert!(tg.contains(t), "countries/in.html does not list {t}");
    }

    // site-hostile replaces the list with its own (as of 2025-03-14, no JP).
    let reg = fixture("site-hostile");
    let adequacy = toml_file(&reg, "adequacy.toml");
    let as_of = adequacy["as_of"].as_datetime().unwrap();
    let site = build_fixture("site-hostile");
    for (cc, covered) in [("ch", true), ("us", true), ("in", false)] {
        let page = format!("countries/{cc}.html");
        let body = main_text(&site.doc(&page));
        assert_eq!(
            !body.contains("No adequacy decision"),
            covered,
            "{page}: {body}"
        );
        assert!(
            contains_date(&body, as_of),
            "{page}: the registry's adequacy list date {as_of} is not stated: {body}"
        );
        assert!(
            !body.contains("1 November 2026"),
            "{page}: states the bundled list's date instead of the registry's"
        );
    }
    let ch = main_text(&site.doc("countries/ch.html"));
    let decision = s(adequacy["countries"]["CH"].as_table().unwrap(), "decision");
    assert!(
        ch.contains(decision),
        "the registry's CH decision is not shown as text: {ch}"
    );
}

// ---------------------------------------------------------------------------
// 3. Cross links and back-links
// ---------------------------------------------------------------------------

/// Every relative link of every page resolves to a file of the site, and
/// every fragment to an element id of its target page.
fn assert_links_resolve(site: &Site) {
    let pages = site.pages();
    assert!(!pages.is_empty());
    let files: BTreeSet<String> = tree(&site.root)
        .into_keys()
        .filter(|k| !k.ends_with('/'))
        .collect();
    let mut ids: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut problems = Vec::new();
    let mut checked = 0;
    let docs: Vec<(String, Html)> = pages.iter().map(|p| (p.clone(), site.doc(p))).collect();
    for (p, doc) in &docs {
        ids.insert(
            p.clone(),
            doc.select(&sel("[id]"))
                .map(|e| e.value().attr("id").unwrap().to_string())
                .collect(),
        );
    }
    for (p, doc) in &docs {
        for l in relative_links(doc, p) {
            checked += 1;
            if l.raw.trim_start().starts_with('/') {
                problems.push(format!(
                    "{p}: root-absolute link {:?} (breaks file:// and sub-paths)",
                    l.raw
                ));
                continue;
            }
            let Some(t) = &l.target else {
                problems.push(format!("{p}: {:?} leaves the site", l.raw));
                continue;
            };
            if !files.contains(t) {
                problems.push(format!("{p}: {:?} → {t} does not exist", l.raw));
                continue;
            }
            if let Some(f) = &l.fragment
                && !f.is_empty()
            {
                match ids.get(t) {
                    Some(set) if set.contains(f) => {}
                    Some(_) => {
                        problems.push(format!("{p}: {:?}: no element id={f:?} in {t}", l.raw))
                    }
                    None => problems.push(format!("{p}: {:?}: fragment on a non-page {t}", l.raw)),
                }
            }
        }
    }
    assert!(checked > pages.len(), "suspiciously few links ({checked})");
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_relative_link_resolves_in_valid_saas() {
    assert_links_resolve(&build_fixture("valid-saas"));
}

#[test]
fn every_relative_link_resolves_in_the_example_registry() {
    assert_links_resolve(&build_site(&manifest_dir().join("registry")));
}

#[test]
fn every_relative_link_resolves_in_site_hostile() {
    assert_links_resolve(&build_fixture("site-hostile"));
}

#[test]
fn search_index_urls_resolve() {
    for site in [build_fixture("valid-saas"), build_fixture("site-hostile")] {
        let entries = search_index(&site);
        let entries = entries.as_array().expect("the index is an array");
        assert!(!entries.is_empty());
        for e in entries {
            let u = e["u"].as_str().expect("every entry has a url `u`");
            assert!(is_relative(u) && !u.starts_with('/'), "index url {u:?}");
            let (t, _) = resolve("index.html", u);
            let t = t.unwrap_or_else(|| panic!("{u} leaves the site"));
            assert!(
                site.path(&t).is_file(),
                "search index entry {u:?} points to nothing"
            );
        }
    }
}

#[test]
fn back_links_on_processor_recipient_safeguard_pages() {
    let reg = fixture("valid-saas");
    let site = build_fixture("valid-saas");
    let activities = toml_entries(&reg, "activities");
    let transfers = toml_entries(&reg, "transfers");

    // A processor page lists the activities that name it.
    let mut checked = 0;
    for (pid, p) in toml_entries(&reg, "processors") {
        let page = format!("processors/{pid}.html");
        let doc = site.doc(&page);
        let tg = targets(&doc, &page);
        for (aid, a) in &activities {
            if strs(a, "processors").contains(&pid) {
                checked += 1;
                assert!(
                    tg.contains(&format!("activities/{aid}.html")),
                    "{page} does not link back to activity {aid}, which names it"
                );
            }
        }
        // Transfers to the processor are listed too.
        for (tid, t) in &transfers {
            if s(t, "to") == pid {
                assert!(
                    tg.contains(&format!("transfers/{tid}.html")),
                    "{page}: transfer {tid}"
                );
            }
        }
        // It links to its own sub-processors.
        for sub in strs(&p, "sub_processors") {
            assert!(
                tg.contains(&format!("processors/{sub}.html")),
                "{page}: sub-processor {sub}"
            );
        }
    }
    assert!(checked >= 5, "too few processor back-links checked");

    // A sub-processor page says whose sub-processor it is.
    let mut subs = 0;
    for (pid, p) in toml_entries(&reg, "processors") {
        for sub in strs(&p, "sub_processors") {
            subs += 1;
            let page = format!("processors/{sub}.html");
            let doc = site.doc(&page);
            let under = targets_under_heading(&doc, &page, "Sub-processor of")
                .unwrap_or_else(|| panic!("{page} has no \"Sub-processor of\" heading"));
            assert!(
                under.contains(&format!("processors/{pid}.html")),
                "{page}: \"Sub-processor of\" does not link to {pid}: {under:?}"
            );
        }
    }
    assert!(subs >= 3);

    // A recipient page lists the activities that disclose data to it.
    let mut checked = 0;
    for (rid, _) in toml_entries(&reg, "recipients") {
        let page = format!("recipients/{rid}.html");
        let tg = targets(&site.doc(&page), &page);
        for (aid, a) in &activities {
            if strs(a, "recipients").contains(&rid) {
                checked += 1;
                assert!(
                    tg.contains(&format!("activities/{aid}.html")),
                    "{page} does not link back to activity {aid}"
                );
            }
        }
    }
    assert!(checked >= 3);

    // A safeguard page lists the transfers that rely on it.
    let mut checked = 0;
    for (sid, _) in toml_entries(&reg, "safeguards") {
        let page = format!("safeguards/{sid}.html");
        let tg = targets(&site.doc(&page), &page);
        for (tid, t) in &transfers {
            if opt_s(t, "safeguard") == Some(sid.as_str()) {
                checked += 1;
                assert!(
                    tg.contains(&format!("transfers/{tid}.html")),
                    "{page} does not link back to transfer {tid}, which relies on it"
                );
            }
        }
    }
    assert!(checked >= 2);

    // The index lists every activity.
    let tg = targets(&site.doc("index.html"), "index.html");
    for (aid, _) in &activities {
        assert!(
            tg.contains(&format!("activities/{aid}.html")),
            "index.html: activity {aid}"
        );
    }
    // The records list the activities of their role.
    for (aid, a) in &activities {
        let role = opt_s(a, "role").unwrap_or("controller");
        let record = if role == "processor" {
            "records/processor.html"
        } else {
            "records/controller.html"
        };
        let body = main_text(&site.doc(record));
        assert!(
            body.contains(&norm(s(a, "name"))),
            "{record}: activity {aid} missing"
        );
    }
}

// ---------------------------------------------------------------------------
// 4. Page hygiene: no external resources, CSP, lang, landmarks, tables, headings
// ---------------------------------------------------------------------------

fn is_external(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("http:") || u.starts_with("https:") || u.starts_with("//") || !is_relative(&u)
}

/// Problems of one page with resources, scripts, CSP, lang and landmarks.
fn hygiene_problems(page: &str, doc: &Html, lang: &str) -> Vec<String> {
    let mut p = Vec::new();
    for el in doc.select(&sel("script")) {
        match el.value().attr("src") {
            Some(src) if is_external(src) => p.push(format!("{page}: external script {src}")),
            Some(_) => {}
            None => p.push(format!("{page}: inline <script> without src")),
        }
        let content: String = el.text().collect();
        if !content.trim().is_empty() {
            p.push(format!("{page}: <script> with content {content:?}"));
        }
    }
    for el in doc.select(&sel("link[href]")) {
        let href = el.value().attr("href").unwrap();
        if is_external(href) {
            p.push(format!("{page}: <link> to {href}"));
        }
    }
    for el in doc.select(&sel(
        "img[src], iframe[src], source[src], video[src], audio[src], embed[src], object[data]",
    )) {
        let v = el.value().attr("src").or(el.value().attr("data")).unwrap();
        if is_external(v) {
            p.push(format!("{page}: <{}> loads {v}", el.value().name()));
        }
    }
    let csp: Vec<String> = doc
        .select(&sel("head meta[http-equiv]"))
        .filter(|m| {
            m.value()
                .attr("http-equiv")
                .is_some_and(|v| v.eq_ignore_ascii_case("Content-Security-Policy"))
        })
        .map(|m| m.value().attr("content").unwrap_or("").to_string())
        .collect();
    if csp.len() != 1 {
        p.push(format!("{page}: {} CSP meta tags", csp.len()));
    } else if !csp[0]
        .split(';')
        .any(|d| d.split_whitespace().collect::<Vec<_>>() == ["default-src", "'self'"])
    {
        p.push(format!(
            "{page}: CSP without `default-src 'self'`: {}",
            csp[0]
        ));
    }
    let html_lang = doc.root_element().value().attr("lang");
    if html_lang != Some(lang) {
        p.push(format!(
            "{page}: <html lang={html_lang:?}>, expected {lang:?}"
        ));
    }
    for landmark in ["header", "nav", "main", "footer"] {
        // 404.html has no navigation: its links could not know its depth;
        // sub-processors.html is published on its own.
        if landmark == "nav" && STANDALONE.contains(&page) {
            continue;
        }
        if doc.select(&sel(landmark)).next().is_none() {
            p.push(format!("{page}: no <{landmark}>"));
        }
    }
    if doc.select(&sel("main")).count() != 1 {
        p.push(format!("{page}: not exactly one <main>"));
    }
    p
}

fn assert_hygiene(site: &Site, lang: &str) {
    let mut problems = Vec::new();
    let pages = site.pages();
    for page in &pages {
        problems.extend(hygiene_problems(page, &site.doc(page), lang));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The stylesheet loads nothing from elsewhere either.
    let css = std::fs::read_to_string(site.path("static/style.css")).unwrap();
    for bad in ["@import", "http:", "https:", "url(//"] {
        assert!(!css.contains(bad), "style.css contains {bad:?}");
    }
}

#[test]
fn pages_are_self_contained_with_csp_lang_and_landmarks() {
    assert_hygiene(&build_fixture("valid-saas"), "en");
    assert_hygiene(&build_site(&manifest_dir().join("registry")), "en");
    // site-hostile sets `[site] language = "en-GB"`.
    assert_hygiene(&build_fixture("site-hostile"), "en-gb");
}

#[test]
fn lang_comes_from_site_language() {
    let reg = TempRegistry::minimal();
    reg.write(
        "organisation.toml",
        format!("{ORGANISATION}\n[site]\ntitle = \"Registro\"\nlanguage = \"de-AT\"\n"),
    );
    let site = build_site(reg.path());
    for page in site.pages() {
        let doc = site.doc(&page);
        assert_eq!(
            doc.root_element().value().attr("lang"),
            Some("de-at"),
            "{page}"
        );
    }
    // Without [site], English.
    let site = build_site(TempRegistry::minimal().path());
    let doc = site.doc("index.html");
    assert_eq!(doc.root_element().value().attr("lang"), Some("en"));
}

#[test]
fn every_table_has_header_cells() {
    for site in [
        build_fixture("valid-saas"),
        build_site(&manifest_dir().join("registry")),
        build_fixture("site-hostile"),
    ] {
        let mut tables = 0;
        let mut problems = Vec::new();
        for page in site.pages() {
            let doc = site.doc(&page);
            for (i, t) in doc.select(&sel("table")).enumerate() {
                tables += 1;
                if t.select(&sel("th")).next().is_none() {
                    problems.push(format!("{page}: table #{i} has no <th>"));
                }
            }
        }
        assert!(tables > 3, "too few tables ({tables})");
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

/// Heading problems of one page: not exactly one h1, or a level skipped.
fn heading_problems(page: &str, doc: &Html) -> Vec<String> {
    let mut p = Vec::new();
    let levels: Vec<(u8, String)> = doc
        .select(&sel("h1, h2, h3, h4, h5, h6"))
        .map(|h| (h.value().name()[1..].parse().unwrap(), text(h)))
        .collect();
    let h1 = levels.iter().filter(|(l, _)| *l == 1).count();
    if h1 != 1 {
        p.push(format!("{page}: {h1} <h1> elements"));
    }
    let mut prev = 0u8;
    for (l, t) in &levels {
        if *l > prev + 1 {
            p.push(format!(
                "{page}: <h{l}> {t:?} follows <h{prev}> (skips a level)"
            ));
        }
        prev = *l;
    }
    p
}

#[test]
fn one_h1_per_page() {
    for site in [
        build_fixture("valid-saas"),
        build_site(&manifest_dir().join("registry")),
        build_fixture("site-hostile"),
    ] {
        let problems: Vec<String> = site
            .pages()
            .iter()
            .flat_map(|page| heading_problems(page, &site.doc(page)))
            .filter(|p| p.contains("<h1> elements"))
            .collect();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

// Regression: activity pages used `<h3 class="sub">` labels for processors
// and recipients directly after the <h1>, so the outline went h1 → h3.
#[test]
fn heading_levels_never_skip() {
    let mut problems = Vec::new();
    for site in [
        build_fixture("valid-saas"),
        build_site(&manifest_dir().join("registry")),
        build_fixture("site-hostile"),
    ] {
        for page in site.pages() {
            problems.extend(heading_problems(&page, &site.doc(&page)));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// Regression: Markdown headings kept their own level, so a description
// with `# Background` gave the page a second <h1> and skipped levels.
#[test]
fn markdown_headings_keep_one_h1_and_the_order() {
    let reg = TempRegistry::minimal();
    reg.write(
        "activities/customer-accounts.toml",
        format!("description = \"# Background\\n\\nText\\n\\n###### Detail\"\n{ACTIVITY}"),
    );
    let site = build_site(reg.path());
    let page = "activities/customer-accounts.html";
    let doc = site.doc(page);
    let body = main_text(&doc);
    assert!(
        body.contains("Background") && body.contains("Detail"),
        "{body}"
    );
    let problems = heading_problems(page, &doc);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// 5. Hostile input
// ---------------------------------------------------------------------------

/// Elements that must never come from the registry's text.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "svg", "img", "iframe", "object", "embed", "frame", "frameset", "base", "style", "math",
    "applet", "form",
];

/// Attributes that carry URLs.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "srcset",
    "xlink:href",
    "background",
];

/// A URL as a browser sees its scheme: ASCII tab and newlines removed,
/// leading C0 controls and spaces trimmed, lower-cased.
fn scheme_view(v: &str) -> String {
    v.chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim_start_matches(|c: char| c <= ' ')
        .trim()
        .to_ascii_lowercase()
}

/// The pages that stand on their own, with the stylesheet inline and no
/// script: 404.html (sent at any depth) and sub-processors.html (published
/// apart from the site, docs/publishing.md).
const STANDALONE: [&str; 2] = ["404.html", "sub-processors.html"];

/// `stylesheet`: static/style.css, the one text a [`STANDALONE`] page may
/// hold in a `<style>` (it links nothing relative and loads no script).
fn safety_problems(page: &str, doc: &Html, root: &str, stylesheet: &str) -> Vec<String> {
    let mut p = Vec::new();
    let scripts: Vec<String> = doc
        .select(&sel("script"))
        .map(|s| s.value().attr("src").unwrap_or("<inline>").to_string())
        .collect();
    let allowed = if STANDALONE.contains(&page) {
        vec![]
    } else {
        vec![
            format!("{root}search-index.js"),
            format!("{root}static/search.js"),
        ]
    };
    if scripts.len() != allowed.len() || !scripts.iter().all(|s| allowed.contains(s)) {
        p.push(format!(
            "{page}: scripts {scripts:?}, expected exactly {allowed:?}"
        ));
    }
    for el in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        let name = el.value().name();
        let own_stylesheet = STANDALONE.contains(&page)
            && name == "style"
            && el
                .parent()
                .and_then(ElementRef::wrap)
                .is_some_and(|h| h.value().name() == "head")
            && el.text().collect::<String>() == stylesheet;
        // A picture (issue 16): ropa's own `<svg class="picture …">`, in
        // its frame; what it holds is checked like the rest of the page.
        let picture = name == "svg"
            && el
                .value()
                .has_class("picture", CaseSensitivity::CaseSensitive)
            && el.parent().and_then(ElementRef::wrap).is_some_and(|f| {
                let v = f.value();
                (v.name() == "div" && v.has_class("picture-frame", CaseSensitivity::CaseSensitive))
                    || (v.name() == "figure"
                        && v.has_class("chart", CaseSensitivity::CaseSensitive))
            });
        if FORBIDDEN_ELEMENTS.contains(&name) && !own_stylesheet && !picture {
            p.push(format!("{page}: <{name}> element: {}", el.html()));
        }
        if name == "meta"
            && el
                .value()
                .attr("http-equiv")
                .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
        {
            p.push(format!("{page}: <meta http-equiv=refresh>"));
        }
        for (attr, value) in el.value().attrs() {
            let a = attr.to_ascii_lowercase();
            if a.starts_with("on") {
                p.push(format!("{page}: <{name} {attr}={value:?}>"));
            }
            if URL_ATTRIBUTES.contains(&a.as_str()) {
                let v = scheme_view(value);
                for scheme in ["javascript:", "data:", "vbscript:"] {
                    if v.starts_with(scheme) {
                        p.push(format!(
                            "{page}: <{name} {attr}={value:?}> is a {scheme} URL"
                        ));
                    }
                }
            }
        }
    }
    p
}

/// `search-index.js` → its JSON value.
fn search_index(site: &Site) -> serde_json::Value {
    let js = std::fs::read_to_string(site.path("search-index.js")).unwrap();
    let body = js
        .trim()
        .strip_prefix("window.ropaSearchIndex = ")
        .expect("search-index.js starts with `window.ropaSearchIndex = `")
        .strip_suffix(';')
        .expect("search-index.js ends with `;`");
    serde_json::from_str(body).expect("the search index is JSON")
}

fn json_strings(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::String(s) => {
            out.insert(s.clone());
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| json_strings(x, out)),
        _ => {}
    }
}

#[test]
fn hostile_fixture_builds_and_nothing_becomes_markup() {
    let reg = fixture("site-hostile");
    // The fixture must stay a valid registry: no errors from `check`.
    let diags = check(&reg, "json", &[]).assert_exit(0).diags();
    assert!(
        diags.iter().all(|d| d.severity == "warning"),
        "site-hostile has errors: {diags:#?}"
    );
    let site = build_fixture("site-hostile");
    let pages = site.pages();
    assert!(pages.len() >= 20, "too few pages: {pages:?}");
    let stylesheet = std::fs::read_to_string(site.path("static/style.css")).unwrap();
    let mut problems = Vec::new();
    for page in &pages {
        let depth = page.matches('/').count();
        let root = "../".repeat(depth);
        problems.extend(safety_problems(page, &site.doc(page), &root, &stylesheet));
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn hostile_text_stays_visible_as_text() {
    let reg = fixture("site-hostile");
    let site = build_fixture("site-hostile");
    let h1 = |page: &str| -> String {
        let doc = site.doc(page);
        let all: Vec<String> = doc.select(&sel("h1")).map(text).collect();
        assert_eq!(all.len(), 1, "{page}: h1s {all:?}");
        all[0].clone()
    };
    for kind in ["activities", "processors", "recipients", "safeguards"] {
        for (id, t) in toml_entries(&reg, kind) {
            let name = s(&t, "name");
            assert_eq!(h1(&format!("{kind}/{id}.html")), norm(name), "{kind}/{id}");
        }
    }
    // The activity's name has every payload, an entity and U+202E.
    let a = toml_file(&reg, "activities/hostile-activity.toml");
    let name = s(&a, "name");
    for needle in [
        "<script>alert(1)</script>",
        "&amp;",
        "&lt;b&gt;",
        "\"quotes\"",
        "\u{202E}",
    ] {
        assert!(name.contains(needle), "fixture name lacks {needle:?}");
        assert!(h1("activities/hostile-activity.html").contains(needle));
    }
    let doc = site.doc("activities/hostile-activity.html");
    let body = main_text(&doc);
    for p in strs(&a, "purposes") {
        assert!(body.contains(&norm(&p)), "purpose {p:?} not shown as text");
    }
    for k in ["owner", "legitimate_interest"] {
        assert!(body.contains(&norm(s(&a, k))), "{k} not shown as text");
    }
    // Markdown: entities decode to text, link texts of dropped links stay,
    // safe links stay links, raw HTML does not become text or markup.
    assert!(
        body.contains("Entities: & <script>alert(1)</script> and bidi \u{202E}txt.exe"),
        "the Markdown entities line is not shown as text: {body}"
    );
    let links: Vec<(String, String)> = doc
        .select(&sel("main a[href]"))
        .map(|a| (a.value().attr("href").unwrap().to_string(), text(a)))
        .collect();
    assert!(
        links.contains(&("https://example.org/safe".into(), "ok".into())),
        "the safe https link was dropped: {links:?}"
    );
    assert!(
        links.contains(&("mailto:dpo@example.org".into(), "mail".into())),
        "the mailto link was dropped: {links:?}"
    );
    // Categories, measures and the organisation.
    let cats = main_text(&site.doc("categories.html"));
    for (_, n) in catalogue_names(&reg, "categories.toml", "data_subjects")
        .into_iter()
        .chain(catalogue_names(&reg, "categories.toml", "data_categories"))
    {
        assert!(cats.contains(&norm(&n)), "categories.html: {n:?} not shown");
    }
    let measures = main_text(&site.doc("measures.html"));
    for (_, n) in catalogue_names(&reg, "measures.toml", "measures") {
        assert!(
            measures.contains(&norm(&n)),
            "measures.html: {n:?} not shown"
        );
    }
    let org = toml_file(&reg, "organisation.toml");
    let index = site.doc("index.html");
    let index_text = main_text(&index);
    assert!(
        index_text.contains(s(&org, "name")),
        "organisation name not shown"
    );
    let title = s(org["site"].as_table().unwrap(), "title");
    let head_title = text(index.select(&sel("head > title")).next().unwrap());
    assert!(
        head_title.contains(title),
        "<title> {head_title:?} lacks {title:?}"
    );
    // The processor's sub-processor (with U+202E) is named as text.
    let sub = toml_file(&reg, "processors/evil-sub.toml");
    let cloud = main_text(&site.doc("processors/evil-cloud.html"));
    assert!(
        cloud.contains(&norm(s(&sub, "name"))),
        "sub-processor name not shown"
    );
}

#[test]
fn hostile_search_index_is_data_only() {
    let reg = fixture("site-hostile");
    let site = build_fixture("site-hostile");
    let js = std::fs::read_to_string(site.path("search-index.js")).unwrap();
    assert!(
        !js.to_ascii_lowercase().contains("</script"),
        "search-index.js contains `</script`"
    );
    assert!(
        !js.to_ascii_lowercase().contains("<!--"),
        "search-index.js contains `<!--`"
    );
    let v = search_index(&site);
    assert!(v.is_array(), "the index is a JSON array");
    let mut strings = BTreeSet::new();
    json_strings(&v, &mut strings);
    let mut names = Vec::new();
    for kind in ["activities", "processors", "recipients"] {
        for (_, t) in toml_entries(&reg, kind) {
            names.push(s(&t, "name").to_string());
        }
    }
    for n in &names {
        assert!(strings.contains(n), "the search index lacks the name {n:?}");
    }
}

// ---------------------------------------------------------------------------
// 6. Atomic output
// ---------------------------------------------------------------------------

#[test]
fn failing_build_leaves_the_old_site_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&fixture("valid-saas"), &out, &[]).assert_exit(0);
    let before = tree(&out);
    assert!(before.contains_key("index.html") && before.contains_key(".ropa-site"));

    let run = build(&fixture("broken-schema"), &out, &[]);
    run.assert_exit(1);
    assert_same_tree(&before, &tree(&out), "after a build with errors");
    assert_eq!(
        leftovers(&out),
        Vec::<String>::new(),
        "temporary folders left beside OUT"
    );

    // --deny-warnings on a registry with warnings only: same.
    build(&fixture("warnings-only"), &out, &["--deny-warnings"]).assert_exit(1);
    assert_same_tree(&before, &tree(&out), "after --deny-warnings failed");
    assert_eq!(leftovers(&out), Vec::<String>::new());
}

#[test]
fn out_is_refused_when_it_is_the_registry_or_contains_it() {
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("work");
    let reg = parent.join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let before = tree(dir.path());

    // OUT is the registry folder.
    let run = build(&reg, &reg, &[]);
    run.assert_exit(2);
    assert_same_tree(&before, &tree(dir.path()), "--out = the registry");

    // OUT is the registry folder, written differently.
    let odd = parent.join("registry/../registry/.");
    build(&reg, &odd, &[]).assert_exit(2);
    assert_same_tree(&before, &tree(dir.path()), "--out = registry/../registry/.");

    // OUT is a parent of the registry.
    build(&reg, &parent, &[]).assert_exit(2);
    assert_same_tree(&before, &tree(dir.path()), "--out = the registry's parent");
    build(&reg, dir.path(), &[]).assert_exit(2);
    assert_same_tree(
        &before,
        &tree(dir.path()),
        "--out = the registry's grandparent",
    );

    // Relative spellings, from inside the registry's parent.
    let run = run_in(
        &parent,
        &[
            "build",
            "--registry",
            "registry",
            "--out",
            ".",
            "--as-of",
            AS_OF,
        ],
    );
    run.assert_exit(2);
    assert_same_tree(
        &before,
        &tree(dir.path()),
        "--out . from the registry's parent",
    );
    let run = run_in(
        &reg,
        &["build", "--registry", ".", "--out", "..", "--as-of", AS_OF],
    );
    run.assert_exit(2);
    assert_same_tree(
        &before,
        &tree(dir.path()),
        "--out .. from inside the registry",
    );

    // Symbolic links to the registry or to its parent.
    std::os::unix::fs::symlink(&reg, dir.path().join("to-registry")).unwrap();
    std::os::unix::fs::symlink(&parent, dir.path().join("to-parent")).unwrap();
    let before = tree(dir.path());
    build(&reg, &dir.path().join("to-registry"), &[]).assert_exit(2);
    assert_same_tree(&before, &tree(dir.path()), "--out = a link to the registry");
    build(&reg, &dir.path().join("to-parent"), &[]).assert_exit(2);
    assert_same_tree(
        &before,
        &tree(dir.path()),
        "--out = a link to the registry's parent",
    );
    build(&dir.path().join("to-registry"), &parent, &[]).assert_exit(2);
    assert_same_tree(
        &before,
        &tree(dir.path()),
        "--registry via a link, --out its real parent",
    );
}

/// An `--out` inside the registry folder is refused by `build` as by
/// `export`: the same message, exit 2, before anything is written (also
/// through a link, and for a folder that does not exist yet).
#[test]
fn out_inside_the_registry_is_refused_by_build_and_export_alike() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let reg_arg = reg.to_str().unwrap();
    let refusal = |out: &Path| {
        format!(
            "error: refusing to write `{}` inside the registry folder\n",
            out.display()
        )
    };
    let mut outs = vec![reg.join("site"), reg.join("new/deeper/site")];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(reg.join("site"), dir.path().join("to-site")).unwrap();
        outs.push(dir.path().join("to-site"));
    }
    let before = tree(dir.path());
    for out in &outs {
        let run = build(&reg, out, &[]);
        run.assert_exit(2);
        // Through a link, the refusal names where the site would have gone.
        let landing = std::fs::read_link(out).unwrap_or_else(|_| out.clone());
        assert_eq!(
            run.stderr,
            refusal(&landing),
            "build --out {}",
            out.display()
        );
        assert_eq!(run.stdout, "");
        assert_same_tree(
            &before,
            &tree(dir.path()),
            &format!("build --out {}", out.display()),
        );
    }

    let json = reg.join("x.json");
    let run = run_in(
        &manifest_dir(),
        &[
            "export",
            "--registry",
            reg_arg,
            "--as-of",
            AS_OF,
            "--out",
            json.to_str().unwrap(),
        ],
    );
    run.assert_exit(2);
    assert_eq!(run.stderr, refusal(&json));
    assert_same_tree(
        &before,
        &tree(dir.path()),
        "export --out inside the registry",
    );
    // The schema needs no registry, but is not written into one either.
    let run = run_in(
        &manifest_dir(),
        &[
            "export",
            "--format",
            "json-schema",
            "--registry",
            reg_arg,
            "--out",
            json.to_str().unwrap(),
        ],
    );
    run.assert_exit(2);
    assert_eq!(run.stderr, refusal(&json));
    assert_same_tree(
        &before,
        &tree(dir.path()),
        "export --format json-schema --out inside the registry",
    );

    // Relative spellings, from the registry's parent: the path as given.
    let run = run_in(
        dir.path(),
        &["build", "--registry", "registry", "--out", "registry/site"],
    );
    run.assert_exit(2);
    assert_eq!(run.stderr, refusal(Path::new("registry/site")));
    assert_same_tree(&before, &tree(dir.path()), "build --out registry/site");

    // Beside the registry, the same build is accepted.
    build(&reg, &dir.path().join("site"), &[]).assert_exit(0);
}

#[test]
fn out_root_is_refused() {
    let reg = fixture("valid-saas");
    for out in ["/", "//", "/tmp/..", "/."] {
        let run = build(&reg, Path::new(out), &[]);
        run.assert_exit(2);
        assert!(
            !Path::new("/.ropa-site").exists(),
            "--out {out} wrote a site marker into /"
        );
        assert!(
            !Path::new("/index.html").exists(),
            "--out {out} wrote into /"
        );
    }
}

#[test]
fn out_that_is_not_a_site_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let reg = fixture("valid-saas");

    // An existing non-empty folder without `.ropa-site`.
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(docs.join("sub")).unwrap();
    std::fs::write(docs.join("thesis.txt"), "years of work").unwrap();
    std::fs::write(docs.join("sub/notes.md"), "# notes").unwrap();
    std::fs::write(docs.join("index.html"), "<p>my own page</p>").unwrap();
    let before = tree(dir.path());
    build(&reg, &docs, &[]).assert_exit(2);
    assert_same_tree(
        &before,
        &tree(dir.path()),
        "--out = a folder ropa did not write",
    );
    assert_eq!(leftovers(&docs), Vec::<String>::new());

    // A `.ropa-site` that is a folder is not the marker file.
    std::fs::create_dir(docs.join(".ropa-site")).unwrap();
    let before = tree(dir.path());
    build(&reg, &docs, &[]).assert_exit(2);
    assert_same_tree(&before, &tree(dir.path()), "--out with a .ropa-site folder");

    // An existing file.
    let file = dir.path().join("site");
    std::fs::write(&file, "not a folder").unwrap();
    let before = tree(dir.path());
    build(&reg, &file, &[]).assert_exit(2);
    assert_same_tree(&before, &tree(dir.path()), "--out = a file");
    assert_eq!(leftovers(&file), Vec::<String>::new());

    // A path below a file cannot be created.
    let below = file.join("site");
    let run = build(&reg, &below, &[]);
    run.assert_exit(2);
    assert!(!run.stderr.trim().is_empty(), "exit 2 without a message");
    assert_same_tree(&before, &tree(dir.path()), "--out below a file");

    // The command cannot run (no registry, bad --as-of): exit 2, nothing written.
    let out = dir.path().join("never");
    let missing = dir.path().join("no-such-registry");
    build(&missing, &out, &[]).assert_exit(2);
    let bad_date = run_in(
        &manifest_dir(),
        &[
            "build",
            "--registry",
            reg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            "2026-13-45",
        ],
    );
    bad_date.assert_exit(2);
    assert!(!out.exists());
    assert_same_tree(&before, &tree(dir.path()), "runs that could not start");

    // An empty folder is fine.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    build(&reg, &empty, &[]).assert_exit(0);
    assert!(empty.join("index.html").is_file());
}

#[test]
fn successful_rebuild_replaces_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let out = dir.path().join("site");
    build(&reg, &out, &[]).assert_exit(0);
    assert!(out.join("activities/newsletter.html").is_file());
    // Something not written by ropa inside the old site goes with it.
    std::fs::write(out.join("stray.txt"), "x").unwrap();

    std::fs::rename(
        reg.join("activities/marketing/newsletter.toml"),
        reg.join("activities/marketing/product-news.toml"),
    )
    .unwrap();
    build(&reg, &out, &[]).assert_exit(0);
    assert!(
        !out.join("activities/newsletter.html").exists(),
        "the old activity page survived the rebuild"
    );
    assert!(out.join("activities/product-news.html").is_file());
    assert!(
        !out.join("stray.txt").exists(),
        "the old site was not replaced"
    );
    assert!(out.join(".ropa-site").is_file());
    assert_eq!(
        leftovers(&out),
        Vec::<String>::new(),
        "temporary folders left"
    );
    let index = Html::parse_document(&std::fs::read_to_string(out.join("index.html")).unwrap());
    let tg = targets(&index, "index.html");
    assert!(tg.contains("activities/product-news.html"));
    assert!(!tg.contains("activities/newsletter.html"));
}

/// Staging and old-site folders left by killed builds are removed by the
/// next build, whatever process id their name carries (a build in another
/// PID namespace may have any): the build holds `--out`'s lock, so no other
/// build of it is running.
#[test]
fn stale_temporary_folders_are_removed_by_the_next_build() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&fixture("valid-saas"), &out, &[]).assert_exit(0);
    let stale = [
        ".site.ropa-tmp-12345".to_string(),
        ".site.ropa-old-23456".to_string(),
        // The id of a live process (this test's): still a leftover.
        format!(".site.ropa-tmp-{}", std::process::id()),
        ".site.ropa-tmp-1".to_string(),
    ];
    for name in &stale {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.join("activities")).unwrap();
        std::fs::write(p.join("activities/x.html"), "half-written").unwrap();
    }
    // Not ours: must stay.
    let other = dir.path().join(".other.ropa-tmp-1");
    std::fs::create_dir(&other).unwrap();
    build(&fixture("valid-saas"), &out, &[]).assert_exit(0);
    assert_eq!(
        leftovers(&out),
        Vec::<String>::new(),
        "stale folders were not removed"
    );
    assert!(other.is_dir(), "a folder of another --out was removed");
    assert!(out.join("index.html").is_file());
    assert!(dir.path().join(".site.ropa-lock").is_file());

    // Also when OUT does not exist yet.
    let fresh = dir.path().join("fresh");
    std::fs::create_dir(dir.path().join(".fresh.ropa-tmp-12345")).unwrap();
    build(&fixture("valid-saas"), &fresh, &[]).assert_exit(0);
    assert_eq!(leftovers(&fresh), Vec::<String>::new());
}

/// Files in an old site that ropa did not write (a web host's `CNAME`, a
/// `.git` folder) are removed with it, but not silently: the build warns
/// and names them (at most ten, then a count). Pages of an earlier build
/// that this one no longer writes are not named.
#[test]
fn files_ropa_did_not_write_are_named_when_the_old_site_goes() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let out = dir.path().join("site");
    build(&reg, &out, &[]).assert_exit(0);
    let quiet = build(&reg, &out, &[]);
    quiet.assert_exit(0);
    assert!(!quiet.stderr.contains("warning:"), "{}", quiet.stderr);

    std::fs::write(out.join("CNAME"), "ropa.example.org\n").unwrap();
    std::fs::create_dir_all(out.join(".git/refs")).unwrap();
    std::fs::write(out.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(out.join(".git/refs/main"), "0000\n").unwrap();
    std::fs::write(out.join("activities/notes.txt"), "mine").unwrap();
    // An activity removed from the registry: its old page is ropa's.
    std::fs::remove_file(reg.join("activities/marketing/newsletter.toml")).unwrap();
    let run = build(&reg, &out, &[]);
    run.assert_exit(0);
    assert!(
        run.stderr.contains(
            "warning: the old site in `"
        ) && run.stderr.contains(
            "held 4 files ropa did not write, removed with it: `.git/` (2 files), `CNAME`, `activities/notes.txt`"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("[site] extra"), "{}", run.stderr);
    assert!(!run.stderr.contains("newsletter.html"), "{}", run.stderr);
    assert!(!out.join("CNAME").exists());

    // A long list is cut at ten names.
    for i in 0..25 {
        std::fs::write(out.join(format!("stray-{i:02}.txt")), "x").unwrap();
    }
    let run = build(&reg, &out, &[]);
    run.assert_exit(0);
    assert!(
        run.stderr.contains("held 25 files") && run.stderr.contains("`stray-09.txt` and 15 more;"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("stray-10"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------
// 7. Determinism
// ---------------------------------------------------------------------------

#[test]
fn two_builds_give_identical_trees() {
    let dir = tempfile::tempdir().unwrap();
    for (i, reg) in [
        fixture("valid-saas"),
        fixture("site-hostile"),
        manifest_dir().join("registry"),
    ]
    .iter()
    .enumerate()
    {
        let a = dir.path().join(format!("a{i}/site"));
        let b = dir.path().join(format!("b{i}/elsewhere"));
        build(reg, &a, &[]).assert_exit(0);
        build(reg, &b, &[]).assert_exit(0);
        assert_same_tree(
            &tree(&a),
            &tree(&b),
            &format!("two builds of {}", reg.display()),
        );
    }
}

#[test]
fn source_date_epoch_gives_identical_trees() {
    let dir = tempfile::tempdir().unwrap();
    let reg = fixture("valid-saas");
    // 2026-11-24T12:00:00Z, the same day as AS_OF.
    let epoch = "1795521600";
    let with_epoch = |out: &Path| {
        let mut c = ropa_command();
        c.current_dir(manifest_dir())
            .env("SOURCE_DATE_EPOCH", epoch)
            .args([
                "build",
                "--registry",
                reg.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ]);
        run_with_timeout(c, RUN_TIMEOUT)
    };
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    with_epoch(&a).assert_exit(0);
    with_epoch(&b).assert_exit(0);
    assert_same_tree(&tree(&a), &tree(&b), "two builds with SOURCE_DATE_EPOCH");
    // SOURCE_DATE_EPOCH is the as-of date: same site as --as-of that day.
    let c = dir.path().join("c");
    build(&reg, &c, &[]).assert_exit(0);
    assert_same_tree(
        &tree(&a),
        &tree(&c),
        "SOURCE_DATE_EPOCH vs --as-of the same day",
    );
}

// ---------------------------------------------------------------------------
// 8-10. The example registry, --deny-warnings, the default command
// ---------------------------------------------------------------------------

#[test]
fn example_registry_builds() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let run = build(&manifest_dir().join("registry"), &out, &[]);
    run.assert_exit(0);
    assert!(out.join("index.html").is_file());
    let reg = manifest_dir().join("registry");
    for (id, _) in toml_entries(&reg, "activities") {
        assert!(
            out.join(format!("activities/{id}.html")).is_file(),
            "activity {id}"
        );
    }
}

#[test]
fn deny_warnings_on_warnings_only_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    // Without the flag it builds (warnings only)...
    let ok = dir.path().join("ok");
    build(&fixture("warnings-only"), &ok, &[]).assert_exit(0);
    assert!(ok.join("index.html").is_file());
    // ...with it, exit 1 and no site.
    build(&fixture("warnings-only"), &out, &["--deny-warnings"]).assert_exit(1);
    assert!(!out.exists(), "a site was written despite --deny-warnings");
    assert_eq!(leftovers(&out), Vec::<String>::new());
}

#[test]
fn no_arguments_builds_registry_into_site() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &manifest_dir().join("registry"),
        &dir.path().join("registry"),
    );
    let run = run_in(dir.path(), &[]);
    run.assert_exit(0);
    let site = dir.path().join("site");
    assert!(
        site.join("index.html").is_file(),
        "no site/index.html: {run:?}"
    );
    assert!(site.join(".ropa-site").is_file());
    assert!(site.join("static/style.css").is_file());
    assert_eq!(leftovers(&site), Vec::<String>::new());
    // Run again: the default command replaces its own site.
    run_in(dir.path(), &[]).assert_exit(0);
    assert!(site.join("index.html").is_file());
}

// Keep the path helper honest (it is used by every link check).
#[test]
fn resolve_helper() {
    assert_eq!(
        resolve("activities/a.html", "../categories.html#x"),
        (Some("categories.html".into()), Some("x".into()))
    );
    assert_eq!(
        resolve("index.html", "#main"),
        (Some("index.html".into()), Some("main".into()))
    );
    assert_eq!(
        resolve("a/b/c.html", "../../d.html"),
        (Some("d.html".into()), None)
    );
    assert_eq!(resolve("a.html", "../x.html").0, None);
    assert!(
        is_relative("x.html")
            && !is_relative("https://x")
            && !is_relative("//x")
            && !is_relative("mailto:a")
    );
}

// The checkers must be able to fail: feed them a page with every payload.
#[test]
fn safety_checker_catches_payloads() {
    let bad = Html::parse_document(
        r#"<!DOCTYPE html><html lang="en"><head><script src="search-index.js"></script><script src="static/search.js"></script><script>alert(1)</script></head>
        <body><a href=" JaVa&#x09;Script:alert(1)">x</a><a href="data:text/html,x">y</a><p onclick="x">z</p><svg></svg><img src=x><iframe></iframe><object></object><embed></body></html>"#,
    );
    let p = safety_problems("bad.html", &bad, "", "");
    for needle in [
        "scripts",
        "javascript",
        "data:text",
        "onclick",
        "<svg>",
        "<img>",
        "<iframe>",
        "<object>",
        "<embed>",
    ] {
        assert!(
            p.iter().any(|x| x
                .to_ascii_lowercase()
                .contains(&needle.to_ascii_lowercase())),
            "the checker misses {needle}: {p:#?}"
        );
    }
    let h = heading_problems(
        "h.html",
        &Html::parse_document("<h1>a</h1><h3>b</h3><h1>c</h1>"),
    );
    assert_eq!(h.len(), 2, "{h:?}");
    let ext = hygiene_problems(
        "e.html",
        &Html::parse_document(
            r#"<html><head><link rel=stylesheet href="//cdn.example/x.css"><script src="https://cdn.example/x.js"></script></head></html>"#,
        ),
        "en",
    );
    for needle in [
        "<link>",
        "external script",
        "CSP",
        "lang",
        "<header>",
        "<nav>",
        "<main>",
        "<footer>",
    ] {
        assert!(
            ext.iter().any(|x| x.contains(needle)),
            "hygiene misses {needle}: {ext:#?}"
        );
    }
}

// ---------------------------------------------------------------------------
// 11. `[site] extra`: files shipped with every build
// ---------------------------------------------------------------------------

/// The line (1-based) of `extra = ` in the registry's organisation.toml.
fn extra_line(reg: &Path) -> usize {
    std::fs::read_to_string(reg.join("organisation.toml"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with("extra = "))
        .unwrap()
        + 1
}

/// The files of `[site] extra` are copied into the site byte for byte, in
/// their folders, with every build; a rebuild does not count them as files
/// ropa did not write.
#[test]
fn site_extra_files_are_shipped_with_every_build() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry_with_extra(dir.path(), "public");
    std::fs::create_dir_all(reg.join("public/.well-known")).unwrap();
    std::fs::create_dir_all(reg.join("public/static")).unwrap();
    let files: [(&str, &[u8]); 4] = [
        ("CNAME", b"ropa.example.org\n"),
        (
            ".well-known/security.txt",
            b"Contact: mailto:dpo@example.org\n",
        ),
        ("static/logo.png", b"\x89PNG\r\n\x1a\n\x00\xff"),
        ("robots.txt", b"User-agent: *\nDisallow:\n"),
    ];
    for (rel, bytes) in files {
        std::fs::write(reg.join("public").join(rel), bytes).unwrap();
    }
    check(&reg, "json", &[]).assert_exit(0);
    let out = dir.path().join("site");
    build(&reg, &out, &[]).assert_exit(0);
    for (rel, bytes) in files {
        assert_eq!(std::fs::read(out.join(rel)).unwrap(), bytes, "{rel}");
    }
    assert!(out.join("static/style.css").is_file());
    let again = build(&reg, &out, &[]);
    again.assert_exit(0);
    assert!(!again.stderr.contains("warning:"), "{}", again.stderr);
    // A file removed from the folder goes from the next site, without a
    // warning: ropa wrote it (a whole folder of them too); a file made by
    // hand in the site still warns.
    std::fs::remove_file(reg.join("public/robots.txt")).unwrap();
    std::fs::remove_dir_all(reg.join("public/.well-known")).unwrap();
    std::fs::write(out.join("by-hand.txt"), "made by hand").unwrap();
    let dropped = build(&reg, &out, &[]);
    dropped.assert_exit(0);
    assert!(!out.join("robots.txt").exists());
    assert!(!out.join(".well-known").exists());
    assert!(
        dropped
            .stderr
            .contains("held 1 file ropa did not write, removed with it: `by-hand.txt`;"),
        "{}",
        dropped.stderr
    );
    // Removed by hand from the folder, then made by hand in the site: warns.
    std::fs::write(out.join("robots.txt"), "by hand").unwrap();
    let by_hand = build(&reg, &out, &[]);
    assert!(
        by_hand
            .stderr
            .contains("held 1 file ropa did not write, removed with it: `robots.txt`;"),
        "{}",
        by_hand.stderr
    );
}

/// Each way `[site] extra` can be wrong is a `schema` error at the key's
/// value, from `ropa check`; a build then writes nothing.
#[test]
fn site_extra_problems_are_schema_errors_at_the_key() {
    let cases: &[(&str, &str)] = &[
        ("nowhere", "names a folder that does not exist"),
        (
            "../outside",
            "must name a folder inside the registry folder",
        ),
        ("/etc", "must name a folder inside the registry folder"),
        (".", "cannot be the registry folder itself"),
        ("organisation.toml", "names something that is not a folder"),
        (
            "public",
            "its file `index.html` would overwrite the site's `index.html`",
        ),
        (
            "public2",
            "its file `activities` would clash with the site's `activities/`",
        ),
        (
            "public3",
            "its file `ropa.json/x` would clash with the site's `ropa.json`",
        ),
    ];
    for (value, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("outside")).unwrap();
        let reg = registry_with_extra(dir.path(), value);
        std::fs::create_dir_all(reg.join("public")).unwrap();
        std::fs::write(reg.join("public/index.html"), "mine").unwrap();
        std::fs::create_dir_all(reg.join("public2")).unwrap();
        std::fs::write(reg.join("public2/activities"), "a file").unwrap();
        std::fs::create_dir_all(reg.join("public3/ropa.json")).unwrap();
        std::fs::write(reg.join("public3/ropa.json/x"), "x").unwrap();
        let run = check(&reg, "json", &[]);
        run.assert_exit(1);
        let diags = run.diags();
        let d = diags
            .iter()
            .find(|d| d.message.contains(message))
            .unwrap_or_else(|| panic!("{value}: no `{message}` in {diags:#?}"));
        assert_eq!(d.code, "schema", "{value}");
        assert_eq!(d.severity, "error", "{value}");
        assert_eq!(d.file, "organisation.toml", "{value}");
        assert_eq!(d.line, Some(extra_line(&reg)), "{value}");
        assert_eq!(d.column, Some(9), "{value}: at the value");
        let out = dir.path().join("site");
        build(&reg, &out, &[]).assert_exit(1);
        assert!(!out.exists(), "{value}: a site was written");
    }
}

/// A link in the extra folder that leads outside the registry is an error
/// (its target is never copied); one to a file inside is copied as that
/// file.
#[cfg(unix)]
#[test]
fn site_extra_links_must_stay_inside_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry_with_extra(dir.path(), "public");
    std::fs::create_dir_all(reg.join("public")).unwrap();
    std::fs::write(dir.path().join("secret.txt"), "not for the web").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), reg.join("public/leak.txt")).unwrap();
    std::fs::write(reg.join("notes.md"), "inside").unwrap();
    std::os::unix::fs::symlink("../notes.md", reg.join("public/notes.md")).unwrap();
    let run = check(&reg, "json", &[]);
    run.assert_exit(1);
    let diags = run.diags();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code, "schema");
    assert!(
        diags[0]
            .message
            .contains("`leak.txt` is a symbolic link leading outside the registry folder"),
        "{diags:#?}"
    );
    std::fs::remove_file(reg.join("public/leak.txt")).unwrap();
    let out = dir.path().join("site");
    build(&reg, &out, &[]).assert_exit(0);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.md")).unwrap(),
        "inside"
    );
    assert!(
        !std::fs::symlink_metadata(out.join("notes.md"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}
