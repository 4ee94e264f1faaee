//! The pictures of issue 16 (docs/site.md, "Pictures"), checked against
//! their SVG contract on the four example registries built by the real
//! binary: every `<svg>` parsed on its own as XML (well-formed, a title and
//! a description first, nothing fetched or run, every link inside the
//! site); on each activity page a node per party with its country and an
//! edge per flow out of the EEA with its ground and mechanisms (the facts
//! taken from `ropa export --format json`, not from the pictures' code);
//! on the countries page a filled country or marker per receiving country,
//! linked to its page; on the dashboard the small map and the four charts.
//! Then: the same registry gives the same bytes, `--no-pictures` leaves
//! every other word of the pages, and an uncovered flow (only on a register
//! with errors, rendered through the library) is labelled "no transfer".

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use serde_json::Value;

/// The registries the pictures are checked on.
const REGISTRIES: [&str; 4] = [
    "registry",
    "examples/allocloud",
    "examples/allthingstalk",
    "examples/alutech",
];

/// What the map can draw: `path` and `marker` lines of the theme's asset.
const WORLD: &str = include_str!("../themes/default/map/world.tsv");

// ---------------------------------------------------------------- building

/// A folder of its own under Cargo's scratch space for integration tests.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("pictures")
        .join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
    dir
}

/// `ropa build` of `registry` (relative to the crate) into `out`.
#[track_caller]
fn build(registry: &str, out: &Path, extra: &[&str]) {
    // Relative to the crate, or absolute (a registry written by a test).
    let reg = manifest_dir().join(registry);
    let mut args = vec![
        "build",
        "--registry",
        reg.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--no-history",
    ];
    args.extend_from_slice(extra);
    run_in(&manifest_dir(), &args).assert_exit(0);
    assert!(
        out.join("index.html").is_file(),
        "{registry}: no index.html"
    );
}

/// `ropa export --format json` of `registry`.
#[track_caller]
fn export(registry: &str) -> Value {
    let reg = manifest_dir().join(registry);
    let run = run_in(
        &manifest_dir(),
        &[
            "export",
            "--registry",
            reg.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
    );
    run.assert_exit(0);
    serde_json::from_str(&run.stdout).expect("the export is JSON")
}

/// One example registry, built once per test process, with its export.
struct Site {
    name: &'static str,
    dir: PathBuf,
    json: Value,
    /// The code of each warning `ropa check` gives.
    warnings: Vec<String>,
}

fn sites() -> &'static [Site] {
    static SITES: OnceLock<Vec<Site>> = OnceLock::new();
    SITES.get_or_init(|| {
        // The examples, and a registry made for the map (see world_registry).
        let world = scratch("world-registry");
        world_registry(&world);
        let world = world.to_str().unwrap().to_string();
        let mut registries: Vec<(&'static str, String)> =
            REGISTRIES.iter().map(|r| (*r, r.to_string())).collect();
        registries.push(("world", world));
        registries
            .into_iter()
            .map(|(name, registry)| {
                let dir = scratch(&name.replace('/', "-"));
                build(&registry, &dir, &[]);
                let warnings = check(&manifest_dir().join(&registry), "json", &[])
                    .diags()
                    .into_iter()
                    .filter(|d| d.severity == "warning")
                    .map(|d| d.code)
                    .collect();
                Site {
                    name,
                    dir,
                    json: export(&registry),
                    warnings,
                }
            })
            .collect()
    })
}

/// Every file under `dir`, as a site path with `/`, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

fn html_files(dir: &Path) -> Vec<String> {
    files(dir)
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .collect()
}

fn read(site: &Path, rel: &str) -> String {
    std::fs::read_to_string(site.join(rel))
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", site.join(rel).display()))
}

// ------------------------------------------------------------ a little DOM

/// An SVG element as parsed, with its attributes unescaped.
#[derive(Debug)]
struct El {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Node>,
}

#[derive(Debug)]
enum Node {
    El(El),
    Text(String),
}

impl El {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).map(String::as_str)
    }

    fn classes(&self) -> BTreeSet<&str> {
        self.attr("class")
            .unwrap_or("")
            .split_whitespace()
            .collect()
    }

    fn has_class(&self, c: &str) -> bool {
        self.classes().contains(c)
    }

    fn elements(&self) -> impl Iterator<Item = &El> {
        self.children.iter().filter_map(|n| match n {
            Node::El(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Every element below this one, in document order, each with its
    /// ancestors (outermost first, this element included).
    fn walk(&self) -> Vec<(&El, Vec<&El>)> {
        fn go<'a>(e: &'a El, up: &mut Vec<&'a El>, out: &mut Vec<(&'a El, Vec<&'a El>)>) {
            up.push(e);
            for c in e.elements() {
                out.push((c, up.clone()));
                go(c, up, out);
            }
            up.pop();
        }
        let mut out = Vec::new();
        go(self, &mut Vec::new(), &mut out);
        out
    }

    fn descendants(&self) -> Vec<&El> {
        self.walk().into_iter().map(|(e, _)| e).collect()
    }

    /// The text inside, whitespace collapsed.
    fn text(&self) -> String {
        fn go(e: &El, out: &mut String) {
            for c in &e.children {
                match c {
                    Node::Text(t) => {
                        out.push_str(t);
                        out.push(' ');
                    }
                    Node::El(e) => go(e, out),
                }
            }
        }
        let mut s = String::new();
        go(self, &mut s);
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// A short description for failure messages.
    fn show(&self) -> String {
        let attrs: Vec<String> = self
            .attrs
            .iter()
            .filter(|(k, _)| k.as_str() != "d")
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect();
        format!("<{} {}>", self.name, attrs.join(" "))
    }
}

/// Parses one `<svg>…</svg>` on its own, as an XML parser would: one root,
/// every tag closed in order, attributes quoted and unique, only the five
/// predefined entities and character references.
fn parse_svg(text: &str) -> Result<El, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<El> = Vec::new();
    let mut root: Option<El> = None;
    let start = |e: &quick_xml::events::BytesStart| -> Result<El, String> {
        let name = e.name().as_ref().to_string();
        let mut attrs = BTreeMap::new();
        for a in e.attributes() {
            let a = a.map_err(|e| format!("attribute of <{name}>: {e}"))?;
            let key = a.key.as_ref().to_string();
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| format!("attribute {key} of <{name}>: {e}"))?
                .into_owned();
            attrs.insert(key, value);
        }
        Ok(El {
            name,
            attrs,
            children: Vec::new(),
        })
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.error_position()))?;
        let done = |el: El, stack: &mut Vec<El>, root: &mut Option<El>| -> Result<(), String> {
            match stack.last_mut() {
                Some(parent) => parent.children.push(Node::El(el)),
                None if root.is_none() => *root = Some(el),
                None => return Err(format!("a second root element <{}>", el.name)),
            }
            Ok(())
        };
        let text = |t: String, stack: &mut Vec<El>| -> Result<(), String> {
            match stack.last_mut() {
                Some(parent) => parent.children.push(Node::Text(t)),
                None if t.trim().is_empty() => {}
                None => return Err(format!("text outside the root: {t:?}")),
            }
            Ok(())
        };
        match event {
            Event::Start(e) => stack.push(start(&e)?),
            Event::Empty(e) => done(start(&e)?, &mut stack, &mut root)?,
            Event::End(_) => {
                let el = stack.pop().ok_or("an end tag without a start")?;
                done(el, &mut stack, &mut root)?;
            }
            Event::Text(t) => text(t.xml10_content().into_owned(), &mut stack)?,
            Event::CData(t) => text(t.xml10_content().into_owned(), &mut stack)?,
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| e.to_string())?
                        .ok_or("a bad character reference")?
                        .to_string()
                } else {
                    match &*r.xml10_content() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => return Err(format!("the entity &{other}; is not XML")),
                    }
                    .to_string()
                };
                text(resolved, &mut stack)?;
            }
            Event::Comment(_) => {}
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {
                return Err("a declaration, processing instruction or DOCTYPE".into());
            }
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("<{}> is never closed", open.name));
    }
    root.ok_or_else(|| "no element".into())
}

/// Each `<svg …>…</svg>` of an HTML page, as written.
fn svg_texts(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<svg") {
        let from = &rest[at..];
        let end = from
            .find("</svg>")
            .unwrap_or_else(|| panic!("an <svg> without </svg>: {}", &from[..from.len().min(200)]));
        out.push(&from[..end + "</svg>".len()]);
        rest = &from[end + "</svg>".len()..];
    }
    out
}

/// Each SVG of a page, parsed (failing the test, with the page named, when
/// one does not parse).
#[track_caller]
fn svgs(site: &Path, page: &str) -> Vec<El> {
    svg_texts(&read(site, page))
        .into_iter()
        .map(|s| {
            parse_svg(s).unwrap_or_else(|e| {
                panic!(
                    "{page}: an <svg> is not well-formed XML: {e}\n{}",
                    &s[..s.len().min(600)]
                )
            })
        })
        .collect()
}

/// The pictures of `kind` (`flow`, `map`, `chart`) on a page.
fn pictures<'a>(svgs: &'a [El], kind: &str) -> Vec<&'a El> {
    svgs.iter()
        .filter(|s| s.has_class("picture") && s.has_class(kind))
        .collect()
}

/// Where a relative `href` on page `page` leads inside the site (fragment
/// dropped), or why it does not.
fn resolve(site: &Path, page: &str, href: &str) -> Result<String, String> {
    if href.starts_with('/') || href.starts_with("//") || href.contains(':') {
        return Err(format!("`{href}` is not relative"));
    }
    let path = href.split('#').next().unwrap_or("");
    if path.is_empty() {
        return Ok(page.to_string());
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts
                    .pop()
                    .ok_or_else(|| format!("`{href}` leaves the site"))?;
            }
            p => parts.push(p),
        }
    }
    let target = parts.join("/");
    if site.join(&target).is_file() {
        Ok(target)
    } else {
        Err(format!(
            "`{href}` leads to {target}, which the site has not"
        ))
    }
}

/// The `href` of the link around `el` (an ancestor `<a>`) or inside it.
fn link_of<'a>(el: &'a El, ancestors: &[&'a El]) -> Option<&'a str> {
    ancestors
        .iter()
        .rev()
        .find(|a| a.name == "a")
        .and_then(|a| href(a))
        .or_else(|| {
            el.descendants()
                .into_iter()
                .find(|d| d.name == "a")
                .and_then(href)
        })
}

fn href(a: &El) -> Option<&str> {
    a.attrs
        .iter()
        .find(|(k, _)| k.as_str() == "href" || k.ends_with(":href"))
        .map(|(_, v)| v.as_str())
}

// ------------------------------------------------------------- the facts

/// What a mechanism gives (strongest first), as link::Ground has it; in a
/// registry without errors every adequacy transfer is covered by a decision.
fn ground_of(mechanism: &str) -> u8 {
    match mechanism {
        "adequacy" => 0,
        "derogation" => 2,
        _ => 1,
    }
}

const GROUNDS: [&str; 4] = ["adequacy", "safeguard", "derogation", "uncovered"];

/// A flow's ground: the strongest of its transfers'; none is uncovered.
fn flow_ground(flow: &Value) -> &'static str {
    let g = list(&flow["transfers"])
        .iter()
        .map(|t| ground_of(t["mechanism"].as_str().unwrap()))
        .min()
        .unwrap_or(3);
    GROUNDS[g as usize]
}

fn list(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn activities(json: &Value) -> Vec<&Value> {
    list(&json["controller_record"]["activities"])
        .iter()
        .chain(list(&json["processor_record"]["activities"]))
        .collect()
}

fn s(v: &Value) -> Option<&str> {
    v.as_str()
}

/// Countries that non-retired activities send data to (not through an
/// international organisation), each with the WEAKEST ground of those flows.
fn receiving_countries(json: &Value) -> BTreeMap<String, &'static str> {
    let mut out: BTreeMap<String, usize> = BTreeMap::new();
    for a in activities(json) {
        if a["status"] == "retired" {
            continue;
        }
        for f in list(&a["transfers_outside_eea"]) {
            if !f["international_organisation"].is_null() {
                continue;
            }
            let Some(cc) = s(&f["country"]) else { continue };
            let g = GROUNDS.iter().position(|g| *g == flow_ground(f)).unwrap();
            let e = out.entry(cc.to_string()).or_insert(0);
            *e = (*e).max(g);
        }
    }
    out.into_iter().map(|(cc, g)| (cc, GROUNDS[g])).collect()
}

// ------------------------------------------------------------------ tests

#[test]
fn every_svg_parses_alone_names_itself_and_links_only_inside_the_site() {
    let mut pictures_seen = 0;
    for site in sites() {
        for page in html_files(&site.dir) {
            let html = read(&site.dir, &page);
            let texts = svg_texts(&html);
            assert_eq!(
                html.matches("<svg").count(),
                texts.len(),
                "{}/{page}: an <svg> inside another",
                site.name
            );
            for (text, svg) in texts.iter().zip(svgs(&site.dir, &page)) {
                let at = format!("{}/{page}: {}", site.name, svg.show());
                if svg.has_class("picture") {
                    pictures_seen += 1;
                }
                assert_eq!(svg.name, "svg", "{at}");
                let lower = text.to_ascii_lowercase();
                for bad in [
                    "http",
                    "javascript:",
                    "style=",
                    "<style",
                    "<script",
                    "xmlns",
                    "<foreignobject",
                    "<image",
                ] {
                    assert!(!lower.contains(bad), "{at} contains `{bad}`");
                }
                for a in ["viewBox", "width", "height"] {
                    assert!(svg.attr(a).is_some(), "{at} has no {a}");
                }
                let first: Vec<&El> = svg.elements().take(2).collect();
                assert!(
                    first.len() == 2 && first[0].name == "title" && first[1].name == "desc",
                    "{at}: the first children are not <title> then <desc>: {:?}",
                    first.iter().map(|e| &e.name).collect::<Vec<_>>()
                );
                for e in &first {
                    assert!(!e.text().is_empty(), "{at}: an empty <{}>", e.name);
                }
                for e in svg.descendants() {
                    for (k, v) in &e.attrs {
                        assert!(
                            !k.starts_with("on"),
                            "{at}: an event handler {k} on {}",
                            e.show()
                        );
                        if (k == "href" || k.ends_with(":href"))
                            && let Err(why) = resolve(&site.dir, &page, v)
                        {
                            panic!("{at}: a link in {}: {why}", e.show());
                        }
                    }
                }
            }
        }
    }
    assert!(pictures_seen > 0, "no picture on any page");
}

#[test]
fn each_activity_draws_its_parties_with_their_countries_and_each_flow_with_its_ground() {
    let mut flows_checked = 0;
    for site in sites() {
        for a in activities(&site.json) {
            let id = a["id"].as_str().unwrap();
            let page = format!("activities/{id}.html");
            let all = svgs(&site.dir, &page);
            let flow = pictures(&all, "flow");
            let at = format!("{}/{page}", site.name);
            assert_eq!(flow.len(), 1, "{at}: not one flow picture");
            let svg = flow[0];
            assert!(!svg.has_class("chain"), "{at}: a chain, not the flow");
            let walk = svg.walk();
            let nodes: Vec<(&El, &Vec<&El>)> = walk
                .iter()
                .filter(|(e, _)| e.name == "g" && e.has_class("node"))
                .map(|(e, up)| (*e, up))
                .collect();
            let node = |kinds: &[&str], party: &str| -> Option<(&El, &Vec<&El>)> {
                nodes.iter().copied().find(|(n, _)| {
                    n.attr("data-id") == Some(party) && kinds.iter().any(|k| n.has_class(k))
                })
            };
            let me: Vec<_> = nodes
                .iter()
                .filter(|(n, _)| n.has_class("activity"))
                .collect();
            assert_eq!(me.len(), 1, "{at}: not one activity node");
            assert_eq!(me[0].0.attr("data-id"), Some(id), "{at}");
            assert!(
                nodes
                    .iter()
                    .any(|(n, _)| n.has_class("subjects") || n.has_class("subject")),
                "{at}: no node for the data subjects"
            );
            for (n, _) in &nodes {
                assert!(!n.text().is_empty(), "{at}: {} shows no name", n.show());
            }

            for p in list(&a["processors"]) {
                let pid = p["id"].as_str().unwrap();
                let (n, up) = node(&["processor"], pid)
                    .unwrap_or_else(|| panic!("{at}: no processor node for `{pid}`"));
                assert_eq!(
                    n.attr("data-country"),
                    s(&p["country"]),
                    "{at}: {}",
                    n.show()
                );
                let link =
                    link_of(n, up).unwrap_or_else(|| panic!("{at}: {} has no link", n.show()));
                assert_eq!(
                    resolve(&site.dir, &page, link),
                    Ok(format!("processors/{pid}.html")),
                    "{at}: {}",
                    n.show()
                );
            }
            for x in list(&a["recipients"]) {
                let xid = x["id"].as_str().unwrap();
                let (n, up) = node(&["recipient", "organisation"], xid)
                    .unwrap_or_else(|| panic!("{at}: no recipient node for `{xid}`"));
                match s(&x["international_organisation"]) {
                    Some(code) => assert_eq!(
                        n.attr("data-organisation"),
                        Some(code),
                        "{at}: {}",
                        n.show()
                    ),
                    None => assert_eq!(
                        n.attr("data-country"),
                        s(&x["country"]),
                        "{at}: {}",
                        n.show()
                    ),
                }
                let link =
                    link_of(n, up).unwrap_or_else(|| panic!("{at}: {} has no link", n.show()));
                assert_eq!(
                    resolve(&site.dir, &page, link),
                    Ok(format!("recipients/{xid}.html")),
                    "{at}: {}",
                    n.show()
                );
            }

            let edges: Vec<&El> = walk
                .iter()
                .map(|(e, _)| *e)
                .filter(|e| e.name == "g" && e.has_class("edge"))
                .collect();
            for e in &edges {
                assert!(
                    e.attr("data-from").is_some() && e.attr("data-to").is_some(),
                    "{at}: an edge without its ends: {}",
                    e.show()
                );
                let grounds: Vec<&str> = e
                    .classes()
                    .into_iter()
                    .filter(|c| c.starts_with("ground-"))
                    .collect();
                if e.has_class("flow") {
                    assert_eq!(grounds.len(), 1, "{at}: {}", e.show());
                    assert!(!e.has_class("inside"), "{at}: {}", e.show());
                    assert!(!e.text().is_empty(), "{at}: {} has no label", e.show());
                } else {
                    assert!(grounds.is_empty(), "{at}: {}", e.show());
                }
            }
            for f in list(&a["transfers_outside_eea"]) {
                let party = f["party"].as_str().unwrap();
                let (key, place) = match s(&f["international_organisation"]) {
                    Some(code) => ("data-organisation", Some(code)),
                    None => ("data-country", s(&f["country"])),
                };
                let ground = format!("ground-{}", flow_ground(f));
                let mechanisms: BTreeSet<String> = list(&f["transfers"])
                    .iter()
                    .map(|t| format!("mechanism-{}", t["mechanism"].as_str().unwrap()))
                    .collect();
                let found = edges.iter().find(|e| {
                    e.has_class("flow") && e.attr("data-to") == Some(party) && e.attr(key) == place
                });
                let e = found.unwrap_or_else(|| {
                    panic!(
                        "{at}: no `flow` edge into `{party}` with {key}={place:?}; edges:\n{}",
                        edges
                            .iter()
                            .map(|e| e.show())
                            .collect::<Vec<_>>()
                            .join("\n")
                    )
                });
                assert!(
                    e.has_class(&ground),
                    "{at}: {} should be {ground}",
                    e.show()
                );
                for m in &mechanisms {
                    assert!(e.has_class(m), "{at}: {} has not {m}", e.show());
                }
                let drawn: BTreeSet<&str> = e
                    .classes()
                    .into_iter()
                    .filter(|c| c.starts_with("mechanism-"))
                    .collect();
                assert_eq!(
                    drawn.len(),
                    mechanisms.len(),
                    "{at}: {} names a mechanism no transfer has: {mechanisms:?}",
                    e.show()
                );
                assert!(
                    party_node_exists(&nodes, party),
                    "{at}: the flow into `{party}` ends at no node"
                );
                flows_checked += 1;
            }
        }
    }
    assert!(flows_checked > 0, "no flow out of the EEA in the examples");
}

fn party_node_exists(nodes: &[(&El, &Vec<&El>)], party: &str) -> bool {
    nodes.iter().any(|(n, _)| n.attr("data-id") == Some(party))
}

#[test]
fn each_record_draws_the_flow_of_each_of_its_activities() {
    for site in sites() {
        for (page, record) in [
            ("records/controller.html", "controller_record"),
            ("records/processor.html", "processor_record"),
        ] {
            let at = format!("{}/{page}", site.name);
            let all = svgs(&site.dir, page);
            let mut drawn = BTreeSet::new();
            for svg in pictures(&all, "flow") {
                let ids: Vec<&str> = svg
                    .descendants()
                    .into_iter()
                    .filter(|n| n.name == "g" && n.has_class("node") && n.has_class("activity"))
                    .filter_map(|n| n.attr("data-id"))
                    .collect();
                assert_eq!(
                    ids.len(),
                    1,
                    "{at}: a flow without one activity: {}",
                    svg.show()
                );
                assert!(drawn.insert(ids[0]), "{at}: `{}` drawn twice", ids[0]);
            }
            let of_record: BTreeSet<&str> = list(&site.json[record]["activities"])
                .iter()
                .filter_map(|a| s(&a["id"]))
                .collect();
            let live: BTreeSet<&str> = list(&site.json[record]["activities"])
                .iter()
                .filter(|a| a["status"] != "retired")
                .filter_map(|a| s(&a["id"]))
                .collect();
            assert!(
                drawn.is_subset(&of_record),
                "{at}: {drawn:?} not all of {of_record:?}"
            );
            assert!(
                live.is_subset(&drawn),
                "{at}: {live:?} not all drawn: {drawn:?}"
            );
        }
    }
}

#[test]
fn each_processor_page_draws_its_chain() {
    for site in sites() {
        for p in list(&site.json["processors"]) {
            let id = p["id"].as_str().unwrap();
            let page = format!("processors/{id}.html");
            let all = svgs(&site.dir, &page);
            let chain: Vec<&El> = pictures(&all, "flow")
                .into_iter()
                .filter(|s| s.has_class("chain"))
                .collect();
            let at = format!("{}/{page}", site.name);
            assert_eq!(chain.len(), 1, "{at}: not one `picture flow chain`");
            let me = chain[0]
                .descendants()
                .into_iter()
                .find(|n| {
                    n.has_class("node") && n.has_class("processor") && n.attr("data-id") == Some(id)
                })
                .unwrap_or_else(|| panic!("{at}: no node for the processor itself"));
            assert_eq!(me.attr("data-country"), s(&p["country"]), "{at}");
        }
    }
}

/// The countries the map can draw (`path` or `marker` in the asset), and
/// the small ones (`marker`).
fn world() -> (BTreeSet<&'static str>, BTreeSet<&'static str>) {
    let mut drawable = BTreeSet::new();
    let mut markers = BTreeSet::new();
    for line in WORLD.lines() {
        let mut cols = line.split('\t');
        match (cols.next(), cols.next()) {
            (Some("path"), Some(cc)) => {
                drawable.insert(cc);
            }
            (Some("marker"), Some(cc)) => {
                drawable.insert(cc);
                markers.insert(cc);
            }
            _ => {}
        }
    }
    (drawable, markers)
}

/// Checks the map of countries/index.html and the dashboard's small one
/// against the register `json`; returns how many receiving countries were
/// found drawn.
#[track_caller]
fn check_maps(name: &str, dir: &Path, json: &Value) -> usize {
    let (drawable, markers) = world();
    let mut receiving_seen = 0;
    let expected = receiving_countries(json);
    let eea: BTreeSet<&str> = list(&json["adequacy"]["eea"])
        .iter()
        .filter_map(s)
        .collect();
    for (page, small) in [("countries/index.html", false), ("index.html", true)] {
        let at = format!("{name}/{page}");
        let all = svgs(dir, page);
        let maps = pictures(&all, "map");
        assert_eq!(maps.len(), 1, "{at}: not one map");
        let map = maps[0];
        assert_eq!(map.has_class("small"), small, "{at}: {}", map.show());
        // Every country and marker drawn, with its class and link.
        let mut filled: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (e, up) in map.walk() {
            let is_country = e.name == "path" && e.has_class("country");
            let is_marker = e.name == "circle" && e.has_class("marker");
            if !is_country && !is_marker {
                continue;
            }
            // Two shapes of the asset have no code (`--`): drawn plain.
            let Some(cc) = e.attr("data-cc") else {
                assert!(
                    is_country
                        && !e
                            .classes()
                            .iter()
                            .any(|c| *c == "home" || c.starts_with("ground-"))
                        && link_of(e, &up).is_none(),
                    "{at}: {} has no data-cc",
                    e.show()
                );
                continue;
            };
            let grounds: Vec<&str> = e
                .classes()
                .into_iter()
                .filter_map(|c| c.strip_prefix("ground-"))
                .collect();
            assert!(grounds.len() <= 1, "{at}: {}", e.show());
            if let Some(g) = grounds.first() {
                filled
                    .entry(cc.to_string())
                    .or_default()
                    .insert(g.to_string());
                let link = link_of(e, &up)
                    .unwrap_or_else(|| panic!("{at}: receiving {} is not a link", e.show()));
                assert_eq!(
                    resolve(dir, page, link),
                    Ok(format!("countries/{}.html", cc.to_lowercase())),
                    "{at}: {}",
                    e.show()
                );
            }
            if eea.contains(cc) {
                assert!(e.has_class("home"), "{at}: EEA {} is not home", e.show());
                assert!(grounds.is_empty(), "{at}: EEA {} has a ground", e.show());
            } else {
                assert!(!e.has_class("home"), "{at}: {} is not in the EEA", e.show());
            }
            if is_marker {
                assert!(
                    e.has_class("home") || !grounds.is_empty(),
                    "{at}: a marker for a country neither home nor receiving: {}",
                    e.show()
                );
            }
        }
        for (cc, ground) in &expected {
            assert!(
                drawable.contains(cc.as_str()),
                "{at}: {cc} receives data but the map has no shape or marker for it"
            );
            assert_eq!(
                filled.get(cc),
                Some(&BTreeSet::from([ground.to_string()])),
                "{at}: {cc} receives data resting at weakest on `{ground}`"
            );
            receiving_seen += 1;
        }
        for cc in filled.keys() {
            assert!(
                expected.contains_key(cc),
                "{at}: {cc} is coloured but no live activity sends data there"
            );
        }
        // Small countries that receive data stand out with a marker.
        for cc in expected.keys().filter(|cc| markers.contains(cc.as_str())) {
            assert!(
                map.descendants().iter().any(|e| e.name == "circle"
                    && e.has_class("marker")
                    && e.attr("data-cc") == Some(cc)),
                "{at}: no marker for {cc}"
            );
        }
    }
    let countries = read(dir, "countries/index.html");
    assert!(
        countries.contains("<ul class=\"legend"),
        "{name}/countries/index.html: no legend"
    );
    receiving_seen
}

#[test]
fn the_world_map_fills_each_receiving_country_by_its_weakest_ground_and_links_it() {
    let seen: usize = sites()
        .iter()
        .map(|site| check_maps(site.name, &site.dir, &site.json))
        .sum();
    assert!(seen > 0, "no receiving country in the examples");
}

/// valid-saas (flows to GB, CH, US and JP on adequacy, to IN on BCRs and
/// SCCs) with: a derogation to a US recipient beside the DPF-certified US
/// processor (the US then rests at weakest on the derogation), one to
/// Singapore (a marker), one to an international organisation seated in
/// Switzerland (listed beside the map; Switzerland stays adequate), and a
/// retired activity's to Brazil (no colour: nothing live goes there).
fn world_registry(dir: &Path) {
    copy_dir(&fixture("valid-saas"), dir);
    let write = |rel: &str, text: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    for (id, name, cc) in [
        ("us-survey", "Survey Panel Inc.", "US"),
        ("sg-reseller", "Lion City Reseller Pte. Ltd.", "SG"),
        ("br-partner", "Parceiro Brasil Ltda.", "BR"),
    ] {
        write(
            &format!("recipients/{id}.toml"),
            &format!("name = \"{name}\"\nkind = \"controller\"\ncountry = \"{cc}\"\n"),
        );
        write(
            &format!("transfers/{id}-{}.toml", cc.to_lowercase()),
            &format!(
                "to = \"{id}\"\ncountry = \"{cc}\"\nmechanism = \"derogation\"\nderogation = \"contract-with-subject\"\n"
            ),
        );
    }
    write(
        "recipients/who.toml",
        "name = \"World Health Organization\"\nkind = \"international-organisation\"\ninternational_organisation = \"WHO\"\ncountry = \"CH\"\n",
    );
    write(
        "transfers/who.toml",
        "to = \"who\"\nmechanism = \"derogation\"\nderogation = \"public-interest\"\n",
    );
    let activity = |status: &str, recipients: &str| {
        format!(
            r#"name = "Partner sales {status}"
status = "{status}"
purposes = ["Sell through partners abroad"]
legal_bases = ["contract"]
data_subjects = ["customer-contacts"]
data_categories = ["contact-details"]
recipients = [{recipients}]
measures = ["role-based-access"]

[[retention]]
period = "P2Y"
from = "end of the contract"

[review]
last_reviewed = 2026-06-01
"#
        )
    };
    write(
        "activities/sales/partner-sales.toml",
        &activity("active", r#""us-survey", "sg-reseller", "who""#),
    );
    write(
        "activities/sales/partner-sales-2023.toml",
        &activity("retired", r#""br-partner""#),
    );
}

#[test]
fn the_map_takes_each_country_s_weakest_ground_marks_small_ones_and_lists_organisations() {
    let site = sites().iter().find(|s| s.name == "world").unwrap();
    // `ropa build` refused nothing: the registry has no error.
    // The facts this registry is made for, as the test reads them (the
    // map itself is checked against them in the test above).
    let expected = receiving_countries(&site.json);
    for (cc, g) in [
        ("US", "derogation"),
        ("SG", "derogation"),
        ("JP", "adequacy"),
        ("GB", "adequacy"),
        ("CH", "adequacy"),
        ("IN", "safeguard"),
    ] {
        assert_eq!(expected.get(cc).copied(), Some(g), "{cc}: {expected:?}");
    }
    assert!(!expected.contains_key("BR"), "{expected:?}");
    assert_eq!(
        check_maps("world", &site.dir, &site.json),
        2 * expected.len()
    );

    // The organisation is named and linked beside the map, not in it.
    let page = read(&site.dir, "countries/index.html");
    let words = words_outside_pictures(&page);
    assert!(
        words.contains("World Health Organization"),
        "countries/index.html does not name the organisation"
    );
    let mut outside = page.clone();
    for svg in svg_texts(&page) {
        outside = outside.replace(svg, "");
    }
    assert!(
        outside.contains("recipients/who.html"),
        "countries/index.html does not link the organisation beside the map"
    );
}

#[test]
fn the_dashboard_has_the_four_charts_with_their_numbers_in_a_table() {
    for site in sites() {
        let html = scraper::Html::parse_document(&read(&site.dir, "index.html"));
        for id in [
            "chart-mechanisms",
            "chart-legal-bases",
            "chart-warnings",
            "chart-due",
        ] {
            let at = format!("{}/index.html#{id}", site.name);
            let sel = scraper::Selector::parse(&format!("figure.chart#{id}")).unwrap();
            let figure = html
                .select(&sel)
                .next()
                .unwrap_or_else(|| panic!("{at}: no <figure class=\"chart\" id=\"{id}\">"));
            let inner = figure.html();
            let svg_text = svg_texts(&inner);
            assert!(svg_text.len() <= 1, "{at}: more than one <svg>");
            // Nothing to count: a sentence says so instead of a chart
            // (the comparisons below then expect nothing either).
            let svg = match svg_text.first() {
                Some(t) => parse_svg(t).unwrap_or_else(|e| panic!("{at}: {e}")),
                None => {
                    let words: String = figure.text().collect();
                    assert!(!words.trim().is_empty(), "{at}: an empty figure");
                    parse_svg("<svg/>").unwrap()
                }
            };
            if !svg_text.is_empty() {
                assert!(
                    svg.has_class("picture") && svg.has_class("chart"),
                    "{at}: {}",
                    svg.show()
                );
                assert_eq!(svg.attr("role"), Some("img"), "{at}");
            }
            let cells: Vec<String> = figure
                .select(&scraper::Selector::parse("table td, table th").unwrap())
                .map(|c| c.text().collect::<String>().trim().to_string())
                .collect();
            let mut bars = BTreeMap::new();
            for bar in svg
                .descendants()
                .into_iter()
                .filter(|e| e.name == "rect" && e.has_class("bar"))
            {
                let label = bar
                    .attr("data-label")
                    .unwrap_or_else(|| panic!("{at}: {} has no data-label", bar.show()));
                let value: u64 = bar
                    .attr("data-value")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{at}: {} has no number", bar.show()));
                // The one bar summing the codes beyond the chart's
                // share has no row of its own: the table lists each code.
                assert!(
                    label == "other" || cells.iter().any(|c| c == &value.to_string()),
                    "{at}: the table has not the number {value} of {}: {cells:?}",
                    bar.show()
                );
                assert!(
                    bars.insert(label.to_string(), value).is_none(),
                    "{at}: two bars for `{label}`"
                );
            }
            if id == "chart-mechanisms" {
                let mut expected: BTreeMap<String, u64> = BTreeMap::new();
                for t in list(&site.json["transfers"]) {
                    *expected
                        .entry(t["mechanism"].as_str().unwrap().to_string())
                        .or_default() += 1;
                }
                assert_eq!(bars, expected, "{at}: transfers by mechanism");
            }
            if id == "chart-legal-bases" {
                // The controller record's live activities, each once under
                // each of its bases (the processor record's basis is the
                // controller's: not counted).
                let mut expected: BTreeMap<String, u64> = BTreeMap::new();
                for a in list(&site.json["controller_record"]["activities"]) {
                    if a["status"] == "retired" {
                        continue;
                    }
                    let bases: BTreeSet<&str> =
                        list(&a["legal_bases"]).iter().filter_map(s).collect();
                    for b in bases {
                        *expected.entry(b.to_string()).or_default() += 1;
                    }
                }
                // Every basis may be drawn, those no activity uses at 0.
                let drawn: BTreeMap<String, u64> = bars
                    .iter()
                    .filter(|(_, n)| **n > 0)
                    .map(|(b, n)| (b.clone(), *n))
                    .collect();
                assert_eq!(drawn, expected, "{at}: activities by legal basis");
            }
            if id == "chart-warnings" {
                // Each bar a code `ropa check` warns of (at most that many).
                let mut open: BTreeMap<String, u64> = BTreeMap::new();
                for d in &site.warnings {
                    *open.entry(d.clone()).or_default() += 1;
                }
                for (code, n) in &bars {
                    if code == "other" {
                        continue;
                    }
                    let got = open.get(code).copied().unwrap_or(0);
                    assert!(
                        *n > 0 && *n <= got,
                        "{at}: {n} open `{code}` warnings drawn, `ropa check` gives {got}"
                    );
                }
                assert!(
                    bars.is_empty() == open.is_empty(),
                    "{at}: bars {bars:?} for the warnings {open:?}"
                );
            }
        }
    }
}

#[test]
fn the_same_registry_gives_the_same_bytes() {
    for name in ["registry", "examples/allocloud"] {
        let one = scratch(&format!("same-1-{}", name.replace('/', "-")));
        let two = scratch(&format!("same-2-{}", name.replace('/', "-")));
        build(name, &one, &[]);
        build(name, &two, &[]);
        let list = files(&one);
        assert_eq!(list, files(&two), "{name}: not the same files");
        for f in &list {
            assert!(
                std::fs::read(one.join(f)).unwrap() == std::fs::read(two.join(f)).unwrap(),
                "{name}: {f} differs between two builds"
            );
        }
        for d in [one, two] {
            std::fs::remove_dir_all(d).ok();
        }
    }
}

/// The words of a page's `<main>` outside the pictures (the SVGs, their
/// frames, the chart figures, the map's legend), whitespace collapsed.
fn words_outside_pictures(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let main = doc
        .select(&scraper::Selector::parse("main").unwrap())
        .next()
        .map(|m| *m)
        .unwrap_or_else(|| doc.tree.root());
    let mut out = String::new();
    for n in main.descendants() {
        // Inside an SVG, a picture's frame or section (`picture-frame`,
        // `flow-picture`, `world-map` with its `map-key`), a chart's
        // figure or a legend: what goes with the picture.
        let in_picture = n.ancestors().any(|a| {
            a.value().as_element().is_some_and(|e| {
                e.name() == "svg"
                    || e.classes()
                        .any(|c| c.contains("picture") || c.contains("map") || c == "legend")
                    || (e.name() == "figure" && e.classes().any(|c| c == "chart"))
            })
        });
        if let Some(t) = n.value().as_text()
            && !in_picture
        {
            out.push_str(t);
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn no_pictures_draws_nothing_and_keeps_every_other_word() {
    let with = &sites()[0];
    let without = scratch("no-pictures");
    build(with.name, &without, &["--no-pictures"]);
    let pages = html_files(&without);
    assert_eq!(pages, html_files(&with.dir), "not the same pages");
    let mut pictures_dropped = 0;
    for page in &pages {
        let plain = read(&without, page);
        for bad in [
            "<svg class=\"picture",
            "class=\"picture-frame",
            "<figure class=\"chart",
        ] {
            assert!(
                !plain.contains(bad),
                "{page} has `{bad}` with --no-pictures"
            );
        }
        let drawn = read(&with.dir, page);
        pictures_dropped += drawn.matches("<svg class=\"picture").count();
        let (a, b) = (
            words_outside_pictures(&drawn),
            words_outside_pictures(&plain),
        );
        if a != b {
            let at = a
                .char_indices()
                .zip(b.chars())
                .find(|((_, x), y)| x != y)
                .map_or(a.len().min(b.len()), |((i, _), _)| i);
            let from = a[..at].char_indices().rev().nth(80).map_or(0, |(i, _)| i);
            panic!(
                "{page}: the words outside the pictures differ from --no-pictures at:\n  with:    …{}\n  without: …{}",
                &a[from..(at + 120).min(a.len())],
                b.get(from..(at + 120).min(b.len())).unwrap_or("")
            );
        }
    }
    assert!(pictures_dropped > 0, "the build with pictures drew none");
    std::fs::remove_dir_all(without).ok();
}

#[test]
fn an_uncovered_flow_is_labelled_no_transfer() {
    // broken-legal has a chain of sub-processors ending in India with no
    // transfer (tests/cli.rs); `ropa build` refuses it, the library renders it.
    let dir = fixture("broken-legal");
    let loaded = ropa::load::load(&dir).unwrap();
    let checked = ropa::pipeline::check(&loaded, ropa::model::Date::parse(AS_OF).unwrap(), false);
    assert!(
        checked
            .diagnostics
            .iter()
            .any(|d| d.code.as_str() == "transfer-uncovered"),
        "broken-legal has no uncovered transfer any more"
    );
    let out = scratch("uncovered");
    ropa::render::build_site(&checked.register, &checked.diagnostics, &out, &dir).unwrap();
    let page = "activities/running-the-app.html";
    let all = svgs(&out, page);
    let flow = pictures(&all, "flow");
    assert_eq!(flow.len(), 1, "{page}: not one flow picture");
    let edges: Vec<&El> = flow[0]
        .descendants()
        .into_iter()
        .filter(|e| e.has_class("edge") && e.attr("data-to") == Some("night-shift-ops"))
        .collect();
    assert!(!edges.is_empty(), "{page}: no edge into night-shift-ops");
    for e in &edges {
        assert!(
            e.has_class("flow") && e.has_class("ground-uncovered"),
            "{page}: {}",
            e.show()
        );
        assert_eq!(e.attr("data-country"), Some("IN"), "{page}: {}", e.show());
        assert!(
            !e.classes().iter().any(|c| c.starts_with("mechanism-")),
            "{page}: an uncovered flow with a mechanism: {}",
            e.show()
        );
        assert!(
            e.text().to_lowercase().contains("no transfer"),
            "{page}: {} is not labelled `no transfer`: {:?}",
            e.show(),
            e.text()
        );
    }
    // The map then shows India at its weakest: uncovered, linked to its page.
    let all = svgs(&out, "countries/index.html");
    let map = pictures(&all, "map");
    assert_eq!(map.len(), 1, "countries/index.html: not one map");
    let india: Vec<&El> = map[0]
        .descendants()
        .into_iter()
        .filter(|e| e.attr("data-cc") == Some("IN"))
        .collect();
    assert!(!india.is_empty(), "the map does not draw India");
    for e in india {
        assert!(
            e.has_class("ground-uncovered"),
            "countries/index.html: {}",
            e.show()
        );
    }
    std::fs::remove_dir_all(out).ok();
}
