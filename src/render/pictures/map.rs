//! The world map: where data goes, from `themes/default/map/world.tsv`.
//!
//! Each country is filled by what the data going there rests on
//! ([`CountryInfo::ground`](crate::link::CountryInfo), the weakest ground
//! of its flows), the EEA as home; countries too small to see get a
//! circle. The countries table of the same page is the text alternative;
//! beside the map, a legend in words and the international organisations.

use std::fmt::Write;
use std::sync::OnceLock;

use crate::link::Ground;
use crate::markdown::{Html, escape_into as html_escape_into};

use super::super::pages::Page;
use super::svg;

/// The bundled geometry (Equal Earth projection, Natural Earth 1:110m).
const WORLD_TSV: &str = include_str!("../../../themes/default/map/world.tsv");

/// The geometry's user space: `viewBox="0 0 1000 487"`.
const WIDTH: u32 = 1000;
const HEIGHT: u32 = 487;

/// At most this many country names in the map's `<desc>`; the table below
/// the map names them all.
const DESC_NAMES: usize = 30;

/// One country's outline: `cc` is `None` for the two unnamed lands (`--`).
struct Shape {
    cc: Option<&'static str>,
    d: &'static str,
}

/// Where a country too small to see at world scale gets a circle.
struct Marker {
    cc: &'static str,
    x: i32,
    y: i32,
}

/// The world, as the bundled file has it: borrowed from the binary.
struct World {
    sphere: &'static str,
    shapes: Vec<Shape>,
    markers: Vec<Marker>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| parse(WORLD_TSV))
}

/// Two capital letters, or `--` for land with no code.
fn is_code(s: &str) -> bool {
    s == "--" || (s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()))
}

/// Path data of commands and numbers only: nothing that could end the
/// attribute it goes into.
fn is_path_data(d: &str) -> bool {
    !d.is_empty()
        && d.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b',' | b'-' | b' '))
}

fn coordinate(s: &str, max: u32) -> Option<i32> {
    let v: f64 = s.parse().ok()?;
    // Rounded: the pictures are laid out on an integer grid.
    (v.is_finite() && (0.0..=f64::from(max)).contains(&v)).then(|| v.round() as i32)
}

/// Reads `world.tsv`. A malformed line would be a bug in the bundled file
/// (the unit test below reads it whole); it is skipped, never a panic.
fn parse(text: &'static str) -> World {
    let mut world = World {
        sphere: "",
        shapes: Vec::with_capacity(180),
        markers: Vec::with_capacity(80),
    };
    for line in text.lines() {
        let mut fields = line.split('\t');
        match (fields.next(), fields.next(), fields.next(), fields.next()) {
            (Some("# sphere"), Some(d), None, None) if is_path_data(d) => world.sphere = d,
            (Some("path"), Some(cc), Some(d), None) if is_code(cc) && is_path_data(d) => {
                world.shapes.push(Shape {
                    cc: (cc != "--").then_some(cc),
                    d,
                })
            }
            (Some("marker"), Some(cc), Some(x), Some(y))
                if cc != "--" && is_code(cc) && fields.next().is_none() =>
            {
                if let (Some(x), Some(y)) = (coordinate(x, WIDTH), coordinate(y, HEIGHT)) {
                    world.markers.push(Marker { cc, x, y });
                }
            }
            _ => {}
        }
    }
    world
}

/// How the map shows one country.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// In the EEA: no transfer is needed.
    Home,
    /// Receives data resting on this ground.
    Ground(Ground),
    /// Receives nothing.
    Plain,
}

impl Fill {
    fn class(self) -> &'static str {
        match self {
            Fill::Home => " home",
            Fill::Ground(Ground::Adequacy) => " ground-adequacy",
            Fill::Ground(Ground::Safeguard) => " ground-safeguard",
            Fill::Ground(Ground::Derogation) => " ground-derogation",
            Fill::Ground(Ground::Uncovered) => " ground-uncovered",
            Fill::Plain => "",
        }
    }
}

/// The grounds drawn with a pattern as well as a colour, so that they
/// differ from the others without colour too: the adequacy's solid green
/// and the safeguard's blue are 1.08:1 apart in lightness, so the
/// safeguard carries dots (WCAG 1.4.1).
fn hatched(g: Ground) -> bool {
    matches!(
        g,
        Ground::Safeguard | Ground::Derogation | Ground::Uncovered
    )
}

impl<'a> Page<'a> {
    /// The world map with its legend; `small` for the dashboard (empty
    /// without pictures).
    pub fn world_map(&self, small: bool) -> Html {
        if self.pictures.is_none() {
            return Html::default();
        }
        let world = world();
        let mut out = String::with_capacity(WORLD_TSV.len() + 8 * 1024);
        out.push_str(if small {
            "<div class=\"world-map small\">"
        } else {
            "<div class=\"world-map\">"
        });
        if small {
            out.push_str("<h3>");
            html_escape_into(&mut out, self.t("map.heading"));
            out.push_str("</h3>");
        }
        out.push_str("<div class=\"picture-frame\">");
        self.map_svg(world, small, &mut out);
        out.push_str("</div><div class=\"map-key\">");
        self.map_key(small, &mut out);
        out.push_str("</div></div>");
        Html(out)
    }

    fn fill_of(&self, cc: &str) -> Fill {
        if self.r.inside_eea(cc) {
            Fill::Home
        } else {
            match self.r.countries.get(cc).and_then(|c| c.ground) {
                Some(g) => Fill::Ground(g),
                None => Fill::Plain,
            }
        }
    }

    /// The grounds some country receives data on, strongest first.
    fn grounds_present(&self) -> Vec<Ground> {
        let mut v: Vec<Ground> = self.r.countries.values().filter_map(|c| c.ground).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The id of the hatch pattern for ground `g`: one per picture on a
    /// page (the dashboard's map and the countries page's never meet).
    fn pattern_id(small: bool, g: Ground) -> String {
        format!("map{}-{}", if small { "-small" } else { "" }, g.as_str())
    }

    fn map_svg(&self, world: &World, small: bool, out: &mut String) {
        let desc = self.map_desc();
        let links = world
            .shapes
            .iter()
            .filter_map(|s| s.cc)
            .chain(world.markers.iter().map(|m| m.cc))
            .any(|cc| self.has_country_page(cc));
        svg::open(
            out,
            if small {
                "picture map small"
            } else {
                "picture map"
            },
            WIDTH,
            HEIGHT,
            self.t("map.title"),
            &desc,
            !links,
        );
        let grounds = self.grounds_present();
        if grounds.iter().any(|g| hatched(*g)) {
            // Lines (dots for a safeguard) across the colour, in user
            // units: the small map is drawn at about a third of its size,
            // so its lines are wider.
            let (size, line) = if small { ("14", "5") } else { ("6", "2") };
            out.push_str("<defs>");
            for g in grounds.iter().copied().filter(|g| hatched(*g)) {
                out.push_str("<pattern id=\"");
                out.push_str(&Self::pattern_id(small, g));
                out.push_str("\" class=\"hatch ground-");
                out.push_str(g.as_str());
                if g == Ground::Safeguard {
                    let (centre, radius) = if small { ("7", "3") } else { ("3", "1.2") };
                    let _ = write!(
                        out,
                        "\" patternUnits=\"userSpaceOnUse\" width=\"{size}\" height=\"{size}\"><rect class=\"hatch-ground\" width=\"{size}\" height=\"{size}\"/><circle class=\"hatch-dot\" cx=\"{centre}\" cy=\"{centre}\" r=\"{radius}\"/></pattern>"
                    );
                    continue;
                }
                let _ = write!(
                    out,
                    "\" patternUnits=\"userSpaceOnUse\" width=\"{size}\" height=\"{size}\" patternTransform=\"rotate(45)\"><rect class=\"hatch-ground\" width=\"{size}\" height=\"{size}\"/><path class=\"hatch-line\" stroke-width=\"{line}\" d=\"M0,0V{size}"
                );
                if g == Ground::Uncovered {
                    // Crossed lines: differs from the derogation's too.
                    let _ = write!(out, "M0,0H{size}");
                }
                out.push_str("\"/></pattern>");
            }
            out.push_str("</defs>");
        }
        out.push_str("<path class=\"sphere\" d=\"");
        out.push_str(world.sphere);
        out.push_str("\"/>");
        for shape in &world.shapes {
            match shape.cc {
                Some(cc) => self.country_shape(cc, small, out, |out, extra| {
                    out.push_str("<path class=\"country");
                    out.push_str(extra.class);
                    out.push_str("\" data-cc=\"");
                    out.push_str(cc);
                    out.push('"');
                    out.push_str(extra.fill);
                    out.push_str(" d=\"");
                    out.push_str(shape.d);
                    out.push_str("\"/>");
                }),
                None => {
                    out.push_str("<path class=\"country\" d=\"");
                    out.push_str(shape.d);
                    out.push_str("\"/>");
                }
            }
        }
        // Circles on top of the land, only where there is something to see.
        let r = if small { 7 } else { 4 };
        for m in &world.markers {
            if self.fill_of(m.cc) == Fill::Plain {
                continue;
            }
            self.country_shape(m.cc, small, out, |out, extra| {
                out.push_str("<circle class=\"marker");
                out.push_str(extra.class);
                out.push_str("\" data-cc=\"");
                out.push_str(m.cc);
                out.push('"');
                out.push_str(extra.fill);
                let _ = write!(out, " cx=\"{}\" cy=\"{}\" r=\"{r}\"/>", m.x, m.y);
            });
        }
        svg::close(out);
    }

    /// Draws one country's shape with `draw`, inside a link to its page
    /// with its name and ground in a `<title>` when the site has one.
    fn country_shape(
        &self,
        cc: &str,
        small: bool,
        out: &mut String,
        draw: impl FnOnce(&mut String, &Attributes),
    ) {
        let fill = self.fill_of(cc);
        let pattern = match fill {
            Fill::Ground(g) if hatched(g) => {
                format!(" fill=\"url(#{})\"", Self::pattern_id(small, g))
            }
            _ => String::new(),
        };
        let extra = Attributes {
            class: fill.class(),
            fill: &pattern,
        };
        if !self.has_country_page(cc) {
            draw(out, &extra);
            return;
        }
        let _ = write!(out, "<a href=\"{}\"><title>", self.country_url(cc));
        let mut name = self.country(cc).to_string();
        match fill {
            Fill::Home => {
                name.push_str(": ");
                name.push_str(self.t("ground.home"));
            }
            Fill::Ground(g) => {
                name.push_str(": ");
                name.push_str(self.label("ground", g.as_str()));
            }
            Fill::Plain => {}
        }
        svg::escape_into(out, &name);
        out.push_str("</title>");
        draw(out, &extra);
        out.push_str("</a>");
    }

    /// The receiving countries by ground in words, at most [`DESC_NAMES`].
    fn map_desc(&self) -> String {
        let mut desc = String::new();
        let mut named = 0;
        let mut left = 0;
        for g in self.grounds_present() {
            let mut first = true;
            for (cc, _) in self
                .sorted
                .countries
                .iter()
                .filter(|(_, c)| c.ground == Some(g))
            {
                if named == DESC_NAMES {
                    left += 1;
                    continue;
                }
                if first {
                    if !desc.is_empty() {
                        desc.push_str(". ");
                    }
                    desc.push_str(self.label("ground", g.as_str()));
                    desc.push_str(": ");
                    first = false;
                } else {
                    desc.push_str(", ");
                }
                let _ = write!(desc, "{}", self.country(cc));
                named += 1;
            }
        }
        if desc.is_empty() {
            return self.t("map.desc-none").to_string();
        }
        if left > 0 {
            desc.push_str(", ");
            svg::fill(
                &mut desc,
                self.t("pictures.more"),
                &[("{n}", &left.to_string())],
            );
        }
        desc.push('.');
        desc
    }

    /// The legend in words, and the international organisations data goes to.
    fn map_key(&self, small: bool, out: &mut String) {
        out.push_str("<ul class=\"legend\">");
        let item = |out: &mut String, class: &str, key: &str| {
            out.push_str("<li><span class=\"swatch ");
            out.push_str(class);
            out.push_str("\" aria-hidden=\"true\"></span> ");
            html_escape_into(out, self.t(key));
            out.push_str("</li>");
        };
        item(out, "home", "ground.home");
        for g in self.grounds_present() {
            item(
                out,
                &format!("ground-{}", g.as_str()),
                &format!("ground.{}", g.as_str()),
            );
        }
        out.push_str("</ul><p class=\"map-note\">");
        html_escape_into(out, self.t("map.note"));
        out.push_str("</p>");
        let organisations: Vec<_> = self
            .organisations()
            .iter()
            .filter_map(|(code, info)| info.ground.map(|g| (*code, info, g)))
            .collect();
        if !organisations.is_empty() {
            out.push_str("<p class=\"map-organisations\">");
            html_escape_into(out, self.t("map.organisations"));
            out.push_str("</p><ul class=\"organisations\">");
            for (code, info, g) in organisations {
                out.push_str("<li>");
                for (i, x) in self.recipients_by_name(&info.recipients).iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str("<a href=\"");
                    html_escape_into(out, &self.url("recipients", &x.id).to_string());
                    out.push_str("\">");
                    html_escape_into(out, &x.name.value);
                    out.push_str("</a>");
                }
                out.push_str(" (<code>");
                html_escape_into(out, code);
                out.push_str("</code>): <span class=\"swatch ground-");
                out.push_str(g.as_str());
                out.push_str("\" aria-hidden=\"true\"></span> ");
                html_escape_into(out, self.label("ground", g.as_str()));
                out.push_str("</li>");
            }
            out.push_str("</ul>");
        }
        if small {
            let _ = write!(
                out,
                "<p class=\"map-more\"><a href=\"{}countries/index.html\">",
                self.root
            );
            html_escape_into(out, self.t("map.all-countries"));
            out.push_str("</a></p>");
        }
    }
}

/// What a country's shape carries besides its geometry.
struct Attributes<'s> {
    /// ` home`, ` ground-G` or nothing, after `country`/`marker`.
    class: &'static str,
    /// ` fill="url(#…)"` for a hatched ground, else empty.
    fill: &'s str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Tr;
    use crate::link::Register;
    use crate::load::{bundled_adequacy, load_files};
    use crate::model::Date;
    use crate::render::pages::{Chrome, Sorted, Warnings};
    use crate::render::pictures::flow::Pictures;
    use quick_xml::Reader;
    use quick_xml::events::Event;
    use std::collections::BTreeMap;

    #[test]
    fn the_bundled_world_parses_whole() {
        let w = world();
        assert!(w.sphere.starts_with('M') && w.sphere.len() > 100);
        assert_eq!(w.shapes.len(), 177);
        assert_eq!(w.shapes.iter().filter(|s| s.cc.is_none()).count(), 2);
        assert_eq!(w.markers.len(), 75);
        // Every line is a comment, the sphere, a path or a marker: none skipped.
        let lines = WORLD_TSV.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(lines, w.shapes.len() + w.markers.len());
    }

    #[test]
    fn a_malformed_line_is_skipped() {
        let w = parse(
            "path\tus\tM0,0Z\npath\tUS\tM0,0\"/>Z\nmarker\tSG\t1e9\t3\nmarker\tSG\tx\t3\npath\tFR\tM1,1Z\nmarker\tMT\t536.6\t113.4\n",
        );
        assert_eq!(w.sphere, "");
        assert_eq!(w.shapes.len(), 1);
        assert_eq!(w.shapes[0].cc, Some("FR"));
        assert_eq!(w.markers.len(), 1);
        assert_eq!((w.markers[0].x, w.markers[0].y), (537, 113));
    }

    fn processor(name: &str, country: &str) -> Vec<u8> {
        format!("name = \"{name}\"\nservice = \"s\"\ncountry = \"{country}\"\n").into_bytes()
    }

    fn transfer(to: &str, country: &str, mechanism: &str) -> Vec<u8> {
        format!("to = \"{to}\"\ncountry = \"{country}\"\nmechanism = \"{mechanism}\"\n")
            .into_bytes()
    }

    /// US under SCCs, Singapore under a derogation, Jersey adequate, India
    /// with no transfer (an error a build refuses; the library renders it),
    /// Malta and Germany at home, the EPO under SCCs.
    fn loaded() -> crate::load::Loaded {
        let files = vec![
            ("processors/cloud.toml", processor("Cloud", "US")),
            ("processors/sing.toml", processor("Sing <Pte>", "SG")),
            ("processors/jersey.toml", processor("Jersey", "JE")),
            ("processors/india.toml", processor("India", "IN")),
            ("processors/malta.toml", processor("Malta", "MT")),
            ("processors/berlin.toml", processor("Berlin", "DE")),
            (
                "recipients/epo.toml",
                b"name = \"European Patent Organisation\"\nkind = \"international-organisation\"\ninternational_organisation = \"EPO\"\ncountry = \"DE\"\n".to_vec(),
            ),
            ("transfers/cloud-us.toml", transfer("cloud", "US", "scc")),
            ("transfers/sing-sg.toml", transfer("sing", "SG", "derogation")),
            ("transfers/jersey-je.toml", transfer("jersey", "JE", "adequacy")),
            ("transfers/epo.toml", b"to = \"epo\"\nmechanism = \"scc\"\n".to_vec()),
            (
                "activities/a.toml",
                b"name = \"A\"\npurposes = [\"p\"]\nlegal_bases = [\"contract\"]\ndata_subjects = [\"s\"]\ndata_categories = [\"c\"]\nprocessors = [\"cloud\", \"sing\", \"jersey\", \"india\", \"malta\", \"berlin\"]\nrecipients = [\"epo\"]\n"
                    .to_vec(),
            ),
        ];
        load_files(files.into_iter().map(|(p, b)| (p.to_string(), b)).collect())
    }

    /// The map of `r` in English at the site's root (`small` for the dashboard).
    fn draw(r: &Register, small: bool) -> String {
        let tr = Tr::new(Some("en"));
        let warnings = Warnings::new(&[]);
        let chrome = Chrome::default();
        let sorted = Sorted::new(r, &tr);
        let p = Page {
            r,
            warnings: &warnings,
            tr: &tr,
            root: "",
            site_title: "t",
            version: "0",
            chrome: &chrome,
            sorted: &sorted,
            history: None,
            pictures: None,
        };
        let pics = Pictures::new(p.r, p.tr);
        let p = Page {
            pictures: Some(&pics),
            ..p
        };
        p.world_map(small).0
    }

    /// One drawn shape: its class, and the link around it with its title.
    #[derive(Debug, Default)]
    struct Drawn {
        class: String,
        href: Option<String>,
        title: Option<String>,
    }

    /// The `<svg>` of `html` parsed as XML on its own: every shape with a
    /// `data-cc`, by code (paths and markers apart), and the svg's class.
    fn shapes(html: &str) -> (String, BTreeMap<(String, String), Drawn>) {
        let start = html.find("<svg").expect("an svg");
        let end = html.find("</svg>").expect("its end") + "</svg>".len();
        let mut reader = Reader::from_str(&html[start..end]);
        let mut out = BTreeMap::new();
        let mut class = String::new();
        let mut href: Option<String> = None;
        let mut title: Option<String> = None;
        let mut in_title = false;
        let attr = |e: &quick_xml::events::BytesStart, name: &str| {
            e.attributes()
                .map(|a| a.expect("well-formed attribute"))
                .find(|a| a.key.as_ref() == name)
                .map(|a| a.value.into_owned())
        };
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) if e.name().as_ref() == "svg" => {
                    class = attr(&e, "class").unwrap_or_default();
                    assert!(attr(&e, "style").is_none() && attr(&e, "xmlns").is_none());
                }
                Event::Start(e) if e.name().as_ref() == "a" => {
                    href = attr(&e, "href");
                    title = None;
                }
                Event::End(e) if e.name().as_ref() == "a" => href = None,
                Event::Start(e) if e.name().as_ref() == "title" => in_title = href.is_some(),
                Event::End(e) if e.name().as_ref() == "title" => in_title = false,
                Event::Text(t) if in_title => {
                    title.get_or_insert_with(String::new).push_str(&t);
                }
                Event::GeneralRef(r) if in_title => {
                    // The escaped specials: `&lt;` and the like.
                    let t = title.get_or_insert_with(String::new);
                    t.push('&');
                    t.push_str(&r);
                    t.push(';');
                }
                Event::Empty(e) => {
                    assert!(attr(&e, "style").is_none());
                    if let Some(cc) = attr(&e, "data-cc") {
                        let element = e.name().as_ref().to_string();
                        let drawn = Drawn {
                            class: attr(&e, "class").unwrap_or_default(),
                            href: href.clone(),
                            title: title.clone(),
                        };
                        assert!(
                            out.insert((element, cc.clone()), drawn).is_none(),
                            "{cc} drawn twice"
                        );
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        (class, out)
    }

    fn register(loaded: &crate::load::Loaded) -> Register<'_> {
        Register::new(
            &loaded.registry,
            bundled_adequacy(),
            Date::new(2026, 11, 24).expect("a date"),
        )
    }

    #[test]
    fn each_country_is_filled_by_its_ground_and_linked_to_its_page() {
        let loaded = loaded();
        let r = register(&loaded);
        let html = draw(&r, false);
        let (class, shapes) = shapes(&html);
        assert_eq!(class, "picture map");
        let path = |cc: &str| &shapes[&("path".to_string(), cc.to_string())];
        let marker = |cc: &str| shapes.get(&("circle".to_string(), cc.to_string()));

        assert_eq!(path("US").class, "country ground-safeguard");
        assert_eq!(path("US").href.as_deref(), Some("countries/us.html"));
        assert_eq!(
            path("US").title.as_deref(),
            Some("United States (US): Appropriate safeguard (Art. 46–47)")
        );
        assert_eq!(path("IN").class, "country ground-uncovered");
        assert_eq!(path("IN").href.as_deref(), Some("countries/in.html"));
        // Home: every EEA country, linked only where the site has a page.
        assert_eq!(path("DE").class, "country home");
        assert_eq!(path("DE").href.as_deref(), Some("countries/de.html"));
        assert_eq!(path("FR").class, "country home");
        assert_eq!(path("FR").href, None);
        // A country nothing goes to: plain land, no link.
        assert_eq!(path("BR").class, "country");
        assert_eq!(path("BR").href, None);

        // Small countries: a circle when home or receiving, linked alike.
        let sg = marker("SG").expect("a marker for Singapore");
        assert_eq!(sg.class, "marker ground-derogation");
        assert_eq!(sg.href.as_deref(), Some("countries/sg.html"));
        let je = marker("JE").expect("a marker for Jersey");
        assert_eq!(je.class, "marker ground-adequacy");
        assert_eq!(je.href.as_deref(), Some("countries/je.html"));
        let mt = marker("MT").expect("a marker for Malta");
        assert_eq!(mt.class, "marker home");
        assert_eq!(mt.href.as_deref(), Some("countries/mt.html"));
        assert_eq!(marker("LU").expect("Luxembourg: home").class, "marker home");
        assert!(marker("HK").is_none(), "nothing goes to Hong Kong");

        // The hatched grounds reference their pattern, defined once.
        assert!(html.contains("<pattern id=\"map-derogation\""));
        assert!(html.contains("<pattern id=\"map-uncovered\""));
        assert_eq!(html.matches("fill=\"url(#map-derogation)\"").count(), 1);
        // No address outside the site, nothing but relative links.
        assert!(!html.contains("http"));
        // The legend: words for home and each ground present only.
        let legend = &html[html.find("<ul class=\"legend\">").expect("a legend")..];
        let legend = &legend[..legend.find("</ul>").expect("its end")];
        for words in [
            "Inside the EEA: no transfer mechanism needed",
            "Adequacy decision in force (Art. 45)",
            "Appropriate safeguard (Art. 46–47)",
            "Derogation (Art. 49)",
            "swatch ground-uncovered",
        ] {
            assert!(legend.contains(words), "{words} not in {legend}");
        }
        // The organisation list beside the map, linked to its recipient.
        assert!(html.contains(
            "<ul class=\"organisations\"><li><a href=\"recipients/epo.html\">European Patent Organisation</a> (<code>EPO</code>): <span class=\"swatch ground-safeguard\" aria-hidden=\"true\"></span> Appropriate safeguard (Art. 46–47)</li></ul>"
        ));
        // The description names the receiving countries by ground.
        assert!(html.contains("<desc>Adequacy decision in force (Art. 45): Jersey (JE). Appropriate safeguard (Art. 46–47): United States (US). Derogation (Art. 49): Singapore (SG)."), "{}", &html[..html.find("</desc>").unwrap_or(0)]);
        // The same register draws the same bytes.
        assert_eq!(html, draw(&r, false));
    }

    #[test]
    fn the_small_map_has_its_own_patterns_and_links_to_the_countries() {
        let loaded = loaded();
        let r = register(&loaded);
        let html = draw(&r, true);
        let (class, shapes) = shapes(&html);
        assert_eq!(class, "picture map small");
        assert_eq!(
            shapes[&("path".into(), "US".into())].class,
            "country ground-safeguard"
        );
        assert!(html.contains("<pattern id=\"map-small-derogation\""));
        assert!(!html.contains("id=\"map-derogation\""));
        assert!(html.contains("<a href=\"countries/index.html\">"));
        assert!(!html.contains("http"));
    }

    #[test]
    fn a_register_sending_nothing_abroad_draws_home_only() {
        let files = vec![(
            "processors/berlin.toml".to_string(),
            processor("Berlin", "DE"),
        )];
        let loaded = load_files(files);
        let r = register(&loaded);
        let html = draw(&r, false);
        let (_, shapes) = shapes(&html);
        assert!(
            shapes
                .values()
                .all(|d| d.class.ends_with("home") || !d.class.contains("ground"))
        );
        assert!(html.contains("<desc>No data goes to a country outside the EEA.</desc>"));
        assert!(!html.contains("<defs>") && !html.contains("organisations"));
        assert!(!html.contains("ground-"));
    }

    #[test]
    fn the_description_names_at_most_thirty_countries() {
        let codes = [
            "AE", "AF", "AL", "AM", "AO", "AR", "AU", "AZ", "BA", "BD", "BF", "CA", "CL", "CN",
            "CO", "EG", "ET", "GH", "ID", "IN", "KE", "MA", "MX", "MY", "NG", "PE", "PH", "PK",
            "RU", "SA", "TH", "TR", "UA", "US", "VN",
        ];
        let mut files = Vec::new();
        let mut ids = Vec::new();
        for cc in codes {
            let id = cc.to_ascii_lowercase();
            files.push((format!("processors/{id}.toml"), processor(cc, cc)));
            files.push((format!("transfers/{id}.toml"), transfer(&id, cc, "scc")));
            ids.push(format!("\"{id}\""));
        }
        files.push((
            "activities/a.toml".to_string(),
            format!(
                "name = \"A\"\npurposes = [\"p\"]\nlegal_bases = [\"contract\"]\ndata_subjects = [\"s\"]\ndata_categories = [\"c\"]\nprocessors = [{}]\n",
                ids.join(", ")
            )
            .into_bytes(),
        ));
        let loaded = load_files(files);
        let r = register(&loaded);
        let html = draw(&r, false);
        let desc =
            &html[html.find("<desc>").expect("a desc")..html.find("</desc>").expect("its end")];
        assert_eq!(desc.matches(" (").count(), DESC_NAMES + 1, "{desc}");
        assert!(desc.ends_with(", and 5 more."), "{desc}");
        let (_, shapes) = shapes(&html);
        let receiving = shapes
            .values()
            .filter(|d| d.class == "country ground-safeguard");
        assert_eq!(receiving.count(), codes.len());
    }

    #[test]
    fn no_map_without_pictures() {
        let loaded = loaded();
        let r = register(&loaded);
        let tr = Tr::new(Some("en"));
        let warnings = Warnings::new(&[]);
        let chrome = Chrome::default();
        let sorted = Sorted::default();
        let p = Page {
            r: &r,
            warnings: &warnings,
            tr: &tr,
            root: "",
            site_title: "t",
            version: "0",
            chrome: &chrome,
            sorted: &sorted,
            history: None,
            pictures: None,
        };
        assert_eq!(p.world_map(false).0, "");
    }
}
