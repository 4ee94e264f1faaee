//! The world map (issue #16) in the built site of each example registry:
//! `countries/index.html` (full size) and the dashboard (small) draw every
//! country of the register with the class its data's ground gives, the EEA
//! as home, linked to the country's page; the SVG is well-formed XML on
//! its own and refers to nothing outside the site.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;
use scraper::{Html, Selector};
use serde_json::Value;

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

/// The site of `registry`, built into a temporary folder.
struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Site {
    #[track_caller]
    fn build(registry: &Path, extra: &[&str]) -> Site {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("site");
        let mut args = vec![
            "build",
            "--registry",
            registry.to_str().expect("UTF-8 path"),
            "--out",
            root.to_str().expect("UTF-8 path"),
            "--as-of",
            AS_OF,
        ];
        args.extend_from_slice(extra);
        run_in(&manifest_dir(), &args).assert_exit(0);
        Site { _dir: dir, root }
    }

    fn text(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel))
            .unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.text("ropa.json")).expect("ropa.json is JSON")
    }

    /// The codes of the countries the site has a page for, upper case.
    fn country_pages(&self) -> BTreeSet<String> {
        std::fs::read_dir(self.root.join("countries"))
            .expect("countries/")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n != "index.html")
            .filter_map(|n| n.strip_suffix(".html").map(str::to_ascii_uppercase))
            .collect()
    }
}

fn registries() -> Vec<PathBuf> {
    let root = manifest_dir();
    vec![
        root.join("registry"),
        root.join("examples/allocloud"),
        root.join("examples/allthingstalk"),
        root.join("examples/alutech"),
    ]
}

/// What the data going to each country outside the EEA rests on, from the
/// JSON register: the weakest of its transfers' mechanisms (the example
/// registries are valid, so every flow out of the EEA has a transfer that
/// holds).
fn expected_grounds(json: &Value) -> BTreeMap<String, &'static str> {
    let rank = |g: &str| {
        ["adequacy", "safeguard", "derogation"]
            .iter()
            .position(|x| *x == g)
    };
    let mut out: BTreeMap<String, &'static str> = BTreeMap::new();
    for t in json["transfers"].as_array().expect("transfers") {
        if !t["international_organisation"].is_null() {
            continue;
        }
        let cc = t["country"].as_str().expect("a country").to_string();
        let g = match t["mechanism"].as_str().expect("a mechanism") {
            "adequacy" => "adequacy",
            "derogation" => "derogation",
            _ => "safeguard",
        };
        let e = out.entry(cc).or_insert(g);
        if rank(g) > rank(e) {
            *e = g;
        }
    }
    out
}

/// The one `<svg class="picture map…">` of `page`, as text.
fn map_svg<'p>(page: &'p str, class: &str) -> &'p str {
    let open = format!("<svg class=\"{class}\"");
    let start = page
        .find(&open)
        .unwrap_or_else(|| panic!("no {open} in the page"));
    assert_eq!(page.matches("<svg class=\"picture map").count(), 1);
    let end = start + page[start..].find("</svg>").expect("the svg ends") + "</svg>".len();
    &page[start..end]
}

/// Parses `svg` as XML on its own: it must be well-formed.
fn assert_well_formed(svg: &str) {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("the map is not well-formed XML: {e}"),
        }
    }
    assert_eq!(depth, 0, "unbalanced elements");
}

/// Checks the map of `page` (at `prefix` from the site's root: "" or
/// "../") against the register; returns the classes drawn, by country.
fn check_map(
    site: &Site,
    rel: &str,
    class: &str,
    prefix: &str,
) -> BTreeMap<String, BTreeSet<String>> {
    let page = site.text(rel);
    let svg = map_svg(&page, class);
    assert_well_formed(svg);
    assert!(!svg.contains("http"), "{rel}: an address in the map");
    assert!(!svg.contains("style"), "{rel}: a style in the map");
    assert!(
        svg.find("<title>") < svg.find("<desc>") && svg.find("<desc>") < svg.find("<path"),
        "{rel}: title and desc first"
    );

    let json = site.json();
    let eea: BTreeSet<String> = json["adequacy"]["eea"]
        .as_array()
        .expect("the EEA list")
        .iter()
        .map(|c| c.as_str().expect("a code").to_string())
        .collect();
    let grounds = expected_grounds(&json);
    let pages = site.country_pages();

    let doc = Html::parse_document(&page);
    let mut drawn: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut linked: BTreeSet<String> = BTreeSet::new();
    for shape in doc.select(&sel("svg.map path[data-cc], svg.map circle[data-cc]")) {
        let cc = shape.value().attr("data-cc").expect("data-cc").to_string();
        let classes: BTreeSet<String> = shape.value().classes().map(str::to_string).collect();
        let want = if eea.contains(&cc) {
            Some("home".to_string())
        } else {
            grounds.get(&cc).map(|g| format!("ground-{g}"))
        };
        let kinds: Vec<&String> = classes
            .iter()
            .filter(|c| *c == "home" || c.starts_with("ground-"))
            .collect();
        assert_eq!(
            kinds.first().map(|s| s.as_str()),
            want.as_deref(),
            "{rel}: {cc} has classes {classes:?}"
        );
        assert!(kinds.len() <= 1, "{rel}: {cc} has classes {classes:?}");
        if shape.value().name() == "circle" {
            assert!(
                want.is_some(),
                "{rel}: a circle for {cc}, which nothing reaches"
            );
        }
        // A link around the shape exactly when the site has the page.
        let link = shape
            .ancestors()
            .filter_map(scraper::ElementRef::wrap)
            .find(|e| e.value().name() == "a")
            .and_then(|a| a.value().attr("href"));
        if pages.contains(&cc) {
            let href = format!("{prefix}countries/{}.html", cc.to_ascii_lowercase());
            assert_eq!(link, Some(href.as_str()), "{rel}: {cc}'s link");
            linked.insert(cc.clone());
        } else {
            assert_eq!(link, None, "{rel}: {cc} has no page but a link");
        }
        drawn
            .entry(cc)
            .or_default()
            .extend(kinds.into_iter().cloned());
    }
    // Every receiving country and every country page is on the map.
    for cc in grounds.keys() {
        assert!(
            drawn.contains_key(cc),
            "{rel}: {cc} receives data but is not drawn"
        );
    }
    assert_eq!(
        linked, pages,
        "{rel}: every country page is linked from the map"
    );
    assert!(drawn.len() > 150, "{rel}: the whole world is drawn");

    // The legend says in words what each colour means: home, and each
    // ground present.
    let legend: Vec<String> = doc
        .select(&sel("ul.legend .swatch"))
        .flat_map(|s| s.value().classes().map(str::to_string).collect::<Vec<_>>())
        .filter(|c| c != "swatch")
        .collect();
    let mut want: Vec<String> = vec!["home".into()];
    for g in ["adequacy", "safeguard", "derogation"] {
        if grounds.values().any(|x| *x == g) {
            want.push(format!("ground-{g}"));
        }
    }
    assert_eq!(legend, want, "{rel}: the legend");
    for li in doc.select(&sel("ul.legend li")) {
        assert!(
            li.text().collect::<String>().trim().len() > 5,
            "{rel}: a legend item without words"
        );
    }
    drawn
}

#[test]
fn every_example_registry_draws_its_countries_on_both_maps() {
    for registry in registries() {
        let site = Site::build(&registry, &[]);
        let full = check_map(&site, "countries/index.html", "picture map", "../");
        let small = check_map(&site, "index.html", "picture map small", "");
        assert_eq!(full, small, "{}: the two maps agree", registry.display());
        // The countries table stays, the text alternative of the map.
        let countries = Html::parse_document(&site.text("countries/index.html"));
        assert!(countries.select(&sel("table.list")).next().is_some());
        // The dashboard's map leads to the countries page.
        let index = Html::parse_document(&site.text("index.html"));
        assert!(
            index
                .select(&sel(".world-map.small a[href=\"countries/index.html\"]"))
                .next()
                .is_some(),
            "{}: the dashboard links the map to the countries",
            registry.display()
        );
    }
}

#[test]
fn the_examples_show_home_and_their_grounds() {
    // What the example registries hold, so that the test above is not
    // vacuous: Luxembourg and the US (SCCs) in registry/, the US under a
    // derogation in allocloud.
    let site = Site::build(&manifest_dir().join("registry"), &[]);
    let drawn = check_map(&site, "countries/index.html", "picture map", "../");
    assert!(drawn["US"].contains("ground-safeguard"));
    // The safeguard's dots: its blue is close to the adequacy's green in
    // lightness, so it differs by more than colour.
    let page = site.text("countries/index.html");
    assert!(page.contains("<pattern id=\"map-safeguard\" class=\"hatch ground-safeguard\""));
    assert!(page.contains("<circle class=\"hatch-dot\""));
    assert!(page.contains("data-cc=\"US\" fill=\"url(#map-safeguard)\""));
    assert!(drawn["LU"].contains("home"));
    assert!(drawn["SE"].contains("home"));
    let site = Site::build(&manifest_dir().join("examples/allocloud"), &[]);
    let page = site.text("countries/index.html");
    let drawn = check_map(&site, "countries/index.html", "picture map", "../");
    assert!(drawn["US"].contains("ground-derogation"));
    // The derogation's hatch: the pattern is defined and used.
    assert!(page.contains("<pattern id=\"map-derogation\""));
    assert!(page.contains("data-cc=\"US\" fill=\"url(#map-derogation)\""));
}

#[test]
fn no_map_without_pictures() {
    let site = Site::build(
        &manifest_dir().join("examples/allthingstalk"),
        &["--no-pictures"],
    );
    for rel in ["index.html", "countries/index.html"] {
        let page = site.text(rel);
        assert!(!page.contains("picture map"), "{rel}");
        assert!(!page.contains("class=\"legend\""), "{rel}");
    }
}
