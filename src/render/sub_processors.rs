//! Sub-processor notices (Art. 28(2)): `sub-processors.html`, the
//! sub-processors engaged now with the date each was added, and
//! `sub-processors.atom`, an Atom feed (RFC 4287) of every addition and
//! removal. Both stand on their own, so they can be published apart from
//! the site (docs/publishing.md): the page inlines its stylesheet, links
//! nothing but the feed, and runs no script.
//!
//! Written only when the build reads history and the registry has
//! processor activities. Who is engaged now is the processor record's
//! list ([`Page::engaged_processors`]); when each was added or removed is
//! the history's ([`History::sub_processors`]); what covers a transfer is
//! the linked register's (its flows and their transfers). Nothing here
//! judges.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use askama::Template;

use super::pages::Page;
use super::{RenderError, STYLE_CSS, Shared, csp_hash_source};
use crate::diff::Kind;
use crate::history::{Commit, History};
use crate::link::Register;
use crate::model::{Date, EntryKind, Mechanism, Processor, Transfer};
use crate::output::Staging;

/// The page, at the top of the site.
pub const PAGE: &str = "sub-processors.html";
/// The feed, beside it (the page and the records link to it by this name).
pub const FEED: &str = "sub-processors.atom";
/// The feed holds the most recent changes only: a reader polls it, and
/// old news is on the page's history anyway.
const FEED_ENTRIES: usize = 200;
/// The page lists this many recent removals.
const PAGE_REMOVALS: usize = 10;

/// Are the notices written: the build reads history, and we process data
/// for others.
pub fn published(r: &Register, history: Option<&History>) -> bool {
    history.is_some() && r.processor_activities().next().is_some()
}

/// One sub-processor engaged now.
pub struct Current<'a> {
    pub processor: &'a Processor,
    /// The processors that engaged it, by name; empty when one of our
    /// processor activities names it itself.
    pub engaged_by: Vec<&'a Processor>,
    /// Each place it is located outside the EEA, with the transfers the
    /// register has for it there.
    pub exits: Vec<Exit<'a>>,
    /// The commit that added it, from history.
    pub added: Option<&'a Commit>,
}

/// A place outside the EEA where a sub-processor is, and the transfers
/// covering data going to it there.
pub struct Exit<'a> {
    pub country: &'a str,
    pub transfers: Vec<&'a Transfer>,
}

/// A sub-processor no longer engaged.
pub struct Removal<'a> {
    pub name: &'a str,
    pub date: Date,
}

#[derive(Template)]
#[template(path = "sub-processors.html", config = "themes/askama.toml")]
pub struct SubProcessorsPage<'a> {
    pub p: Page<'a>,
    /// The stylesheet inline, and the CSP source (its hash) that allows it.
    pub css: &'static str,
    pub css_source: String,
    pub lead: String,
    pub current: Vec<Current<'a>>,
    pub removed: Vec<Removal<'a>>,
    /// The history does not reach the first commit.
    pub truncated: bool,
}

impl SubProcessorsPage<'_> {
    /// Does the register record an adequacy transfer that the decision
    /// does not cover (the link stage's verdict)?
    pub fn uncovered_adequacy(&self, t: &Transfer) -> bool {
        t.mechanism.value == Mechanism::Adequacy && !self.p.covered(t)
    }

    /// `YYYY-MM-DD`, for `<time datetime>`.
    pub fn iso(&self, d: &Date) -> String {
        d.to_string()
    }
}

/// The sub-processors at the history's tip, by id, each with the step
/// that last added it: the events replayed oldest first.
fn history_set(h: &History) -> BTreeMap<&str, usize> {
    let mut set = BTreeMap::new();
    for e in h.sub_processors.iter().rev() {
        if e.added {
            set.insert(e.processor.as_str(), e.step);
        } else {
            set.remove(e.processor.as_str());
        }
    }
    set
}

/// The sub-processors engaged now: the processor record's list for each
/// processor activity ([`Page::engaged_processors`]), merged, by name.
fn current<'a>(p: &Page<'a>, h: &'a History) -> Vec<Current<'a>> {
    let r = p.r;
    // (party, country) → the transfers covering the flow there, from the
    // processor activities' flows.
    let mut covering: BTreeMap<(&'a str, &'a str), Vec<&'a Transfer>> = BTreeMap::new();
    let mut engaged: BTreeMap<&'a str, Current<'a>> = BTreeMap::new();
    // Named by one of our activities: engaged directly, whoever else
    // engages it too.
    let mut direct: BTreeSet<&'a str> = BTreeSet::new();
    let committed = history_set(h);
    // A retired activity engages no one now (its processors stay in the
    // processor record, marked retired, but not on this list).
    for a in r
        .processor_activities()
        .filter(|a| a.status() != crate::model::Status::Retired)
    {
        for f in r.flows_of_activity(a) {
            let (Some(country), None) = (f.country, f.international_organisation) else {
                continue;
            };
            let list = covering.entry((f.party, country)).or_default();
            for t in &f.transfers {
                if !list.iter().any(|x| x.id == t.id) {
                    list.push(t);
                }
            }
        }
        for e in p.engaged_processors(a) {
            let c = engaged.entry(&e.processor.id).or_insert_with(|| Current {
                processor: e.processor,
                engaged_by: Vec::new(),
                exits: Vec::new(),
                added: None,
            });
            match e.engaged_by {
                None => {
                    direct.insert(e.processor.id.as_str());
                }
                Some(by) if !c.engaged_by.iter().any(|x| x.id == by.id) => c.engaged_by.push(by),
                Some(_) => {}
            }
        }
    }
    let mut out: Vec<Current<'a>> = engaged.into_values().collect();
    for c in &mut out {
        let x = c.processor;
        c.engaged_by = if direct.contains(x.id.as_str()) {
            Vec::new()
        } else {
            p.processors_by_name(&c.engaged_by)
        };
        c.exits = x
            .places()
            .into_iter()
            .filter(|place| !r.inside_eea(&place.value))
            .map(|place| Exit {
                country: &place.value,
                transfers: covering
                    .get(&(x.id.as_str(), place.value.as_str()))
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect();
        // A date only for one the committed history engages now: one added
        // since the last commit, or whose earlier engagement ended, has none.
        c.added = committed
            .get(x.id.as_str())
            .and_then(|step| h.steps.get(*step))
            .map(|s| &s.commit);
    }
    let order: Vec<&Processor> =
        p.processors_by_name(&out.iter().map(|c| c.processor).collect::<Vec<_>>());
    let rank: BTreeMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, x)| (x.id.as_str(), i))
        .collect();
    out.sort_by_key(|c| rank.get(c.processor.id.as_str()).copied());
    out
}

/// The name of processor `id` as of history step `step`: the register's,
/// or, for one whose file is gone, the name its last version had.
fn name_of<'a>(r: &'a Register, h: &'a History, id: &'a str, step: usize) -> &'a str {
    if let Some(x) = r.index.processors.get(id) {
        return &x.name.value;
    }
    let kind = Kind::Entry(EntryKind::Processor);
    h.of(kind, id)
        .into_iter()
        .flat_map(|e| e.changes.iter().filter(|s| **s >= step))
        .find_map(|s| h.item(*s, kind, id)?.label.as_deref())
        .unwrap_or(id)
}

/// Writes the page and the feed into the staging folder.
pub(super) fn write(staging: &Staging, s: &Shared, h: &History) -> Result<(), RenderError> {
    let r = s.r;
    // A page at the site's root, with the history this page is made of.
    let p = Page {
        history: Some(h),
        ..s.page("")
    };
    let organisation = r
        .reg
        .organisation
        .as_ref()
        .map_or(s.site_title, |o| o.name.value.as_str());
    let current = current(&p, h);
    let engaged: BTreeSet<&str> = current.iter().map(|c| c.processor.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    let removed: Vec<Removal> = h
        .sub_processors
        .iter()
        .filter(|e| !e.added && !engaged.contains(e.processor.as_str()))
        .filter(|e| seen.insert(e.processor.as_str()))
        .filter_map(|e| {
            Some(Removal {
                name: name_of(r, h, &e.processor, e.step),
                date: h.steps.get(e.step)?.commit.date,
            })
        })
        .take(PAGE_REMOVALS)
        .collect();
    let feed = feed(&p, h, organisation);
    let page = SubProcessorsPage {
        lead: s
            .tr
            .t("sub-processors.lead")
            .replace("{organisation}", organisation),
        p,
        css: STYLE_CSS,
        css_source: csp_hash_source(STYLE_CSS),
        current,
        removed,
        truncated: h.truncated,
    };
    let html = page
        .render()
        .map_err(|e| RenderError::Template(PAGE.into(), e))?;
    staging.write(PAGE, html.as_bytes())?;
    staging.write(FEED, feed.as_bytes())?;
    Ok(())
}

/// The Atom feed: one entry per sub-processor added or removed, newest
/// first, at most [`FEED_ENTRIES`]. Made of the history and the register
/// alone, so one commit gives the same bytes.
fn feed(p: &Page, h: &History, organisation: &str) -> String {
    let (r, tr) = (p.r, p.tr);
    let mut out = String::with_capacity(4096);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"",
    );
    if is_language_tag(&tr.lang) {
        let _ = write!(out, " xml:lang=\"{}\"", tr.lang);
    }
    out.push_str(">\n");
    let _ = writeln!(
        out,
        "<id>urn:ropa:sub-processors:{}</id>",
        Urn(organisation)
    );
    element(
        &mut out,
        "title",
        &tr.t("sub-processors.feed-title")
            .replace("{organisation}", organisation),
    );
    let mut subtitle = tr.t("sub-processors.feed-subtitle").to_string();
    if h.sub_processors.len() > FEED_ENTRIES {
        subtitle.push(' ');
        subtitle.push_str(
            &tr.t("sub-processors.feed-capped")
                .replace("{count}", &FEED_ENTRIES.to_string()),
        );
    }
    element(&mut out, "subtitle", &subtitle);
    let newest = h
        .sub_processors
        .first()
        .and_then(|e| h.steps.get(e.step))
        .map_or(h.tip.seconds, |s| s.commit.seconds);
    let _ = writeln!(out, "<updated>{}</updated>", Rfc3339(newest));
    out.push_str("<author>");
    element(&mut out, "name", organisation);
    out.push_str("</author>\n");
    // Relative: the feed is published beside the page (docs/publishing.md),
    // and a reader resolves it against the feed's own address (RFC 4287 §2).
    let _ = writeln!(
        out,
        "<link rel=\"alternate\" type=\"text/html\" href=\"{PAGE}\"/>"
    );
    let _ = writeln!(
        out,
        "<generator version=\"{}\">ropa</generator>",
        env!("CARGO_PKG_VERSION")
    );
    for e in h.sub_processors.iter().take(FEED_ENTRIES) {
        let Some(step) = h.steps.get(e.step) else {
            continue;
        };
        let commit = &step.commit;
        let name = name_of(r, h, &e.processor, e.step);
        let x = r.index.processors.get(e.processor.as_str());
        let country = x.map(|x| {
            crate::reference::country_name_in(&x.country.value, tr.primary())
                .unwrap_or(&x.country.value)
        });
        let (title_key, text_key, what) = if e.added {
            (
                "sub-processors.feed-added",
                "sub-processors.feed-added-text",
                "added",
            )
        } else {
            (
                "sub-processors.feed-removed",
                "sub-processors.feed-removed-text",
                "removed",
            )
        };
        let mut title = tr.t(title_key).replace("{name}", name);
        if let Some(c) = country {
            let _ = write!(title, " ({c})");
        }
        let date = p.date(commit.date).to_string();
        let mut text = tr
            .t(text_key)
            .replace("{name}", name)
            .replace("{date}", &date);
        if let Some(x) = x {
            let _ = write!(
                text,
                " {}: {}.",
                tr.t("sub-processors.service"),
                x.service.value.trim_end_matches('.')
            );
            let places: Vec<String> = x
                .places()
                .iter()
                .map(|c| p.country(&c.value).to_string())
                .collect();
            let _ = write!(
                text,
                " {}: {}.",
                tr.t("sub-processors.location"),
                places.join(", ")
            );
        }
        out.push_str("<entry>\n");
        let _ = writeln!(
            out,
            "<id>urn:ropa:sub-processor:{}:{}:{what}</id>",
            commit.id,
            Urn(&e.processor)
        );
        element(&mut out, "title", &title);
        let _ = writeln!(out, "<updated>{}</updated>", Rfc3339(commit.seconds));
        let _ = writeln!(
            out,
            "<link rel=\"alternate\" type=\"text/html\" href=\"{PAGE}\"/>"
        );
        out.push_str("<content type=\"text\">");
        xml_text(&mut out, &text);
        out.push_str("</content>\n</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// `<name>text</name>` and a line end, the text escaped.
fn element(out: &mut String, name: &str, text: &str) {
    let _ = write!(out, "<{name}>");
    xml_text(out, text);
    let _ = writeln!(out, "</{name}>");
}

/// `s` as XML character data: the specials escaped, and the characters
/// XML 1.0 cannot carry at all (most control characters, U+FFFE, U+FFFF)
/// left out, so a stray one in a name cannot break the feed.
fn xml_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// Is `s` a language tag as RFC 4287's schema accepts it
/// (`[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*`)?
fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    let ok = |p: &str, alpha: bool| {
        (1..=8).contains(&p.len())
            && p.chars().all(|c| {
                if alpha {
                    c.is_ascii_alphabetic()
                } else {
                    c.is_ascii_alphanumeric()
                }
            })
    };
    ok(first, true) && parts.all(|p| ok(p, false))
}

/// Text as a part of a URN: letters, digits and `-._~` as they are, every
/// other byte percent-encoded (RFC 3986 §2.1), so the id is a valid URI
/// whatever the text.
struct Urn<'s>(&'s str);

impl std::fmt::Display for Urn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in self.0.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                f.write_char(char::from(b))?;
            } else {
                write!(f, "%{b:02X}")?;
            }
        }
        Ok(())
    }
}

/// Seconds since 1970 as an RFC 3339 date-time in UTC
/// (`2026-03-01T12:00:00Z`), as Atom's dates are written.
struct Rfc3339(i64);

impl std::fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A commit's time is within the range of dates (git.rs refuses others).
        let date = Date::from_unix_seconds(self.0).unwrap_or(Date {
            year: 1970,
            month: 1,
            day: 1,
        });
        let t = self.0.rem_euclid(86_400);
        write!(
            f,
            "{date}T{:02}:{:02}:{:02}Z",
            t / 3600,
            t / 60 % 60,
            t % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atom_dates_are_utc_rfc_3339() {
        assert_eq!(Rfc3339(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Rfc3339(1_767_268_800).to_string(), "2026-01-01T12:00:00Z");
        assert_eq!(Rfc3339(-1).to_string(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn urn_parts_are_percent_encoded() {
        assert_eq!(Urn("cloud-host").to_string(), "cloud-host");
        assert_eq!(Urn("Acme & Co").to_string(), "Acme%20%26%20Co");
        assert_eq!(Urn("Ärzte").to_string(), "%C3%84rzte");
    }

    #[test]
    fn xml_text_escapes_and_drops_what_xml_cannot_carry() {
        let mut out = String::new();
        xml_text(&mut out, "a<b>&\"'\u{1}\u{FFFF}\tz");
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;&apos;\tz");
    }

    #[test]
    fn language_tags() {
        for ok in ["en", "nl-be", "de-CH-1996"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "en_GB", "toolonglanguage", "en-", "1en"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
