//! The dashboard's bar charts: transfers by mechanism, activities by legal
//! basis, open warnings by code, and what falls due in the next 12 months.
//!
//! Each chart is a `<figure class="chart" id="chart-…">`: a heading, a
//! horizontal bar chart (`role="img"`: it links nowhere) whose every bar
//! carries its label and its number as text, and the same numbers in a
//! table. The numbers are counted here from the register and the run's
//! warnings; the dates come from [`crate::link::due`], as `ropa due`'s do.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::i18n::MONTH_KEYS;
use crate::link::Ground;
use crate::link::due::{self, Due};
use crate::markdown::Html;
use crate::model::{Date, LegalBasis, Role, Status};

use super::super::pages::Page;
use super::svg;

/// The open-warnings chart draws at most this many codes, the rest summed
/// in one "other codes" bar (the table lists every code).
const MAX_CODES: usize = 12;
/// Month bars of the due chart. Its window is `ropa due --within P12M`'s,
/// the as-of date to the same day 12 months on, both included: 13
/// calendar months, the first and last in part (an annual review due on
/// the as-of day next year is within it).
const MONTHS: u32 = 13;

// The grid, in CSS pixels. Short labels (months) go beside their bars;
// longer ones on a line of their own above the bar, so they need little
// shortening. The number follows the bar.
const WIDTH: u32 = 440;
const PAD: u32 = 8;
/// Labels longer than this many columns are shortened (full text in the
/// table and in the row's `<title>`).
const LABEL_COLUMNS: usize = 58;
/// Labels of at most this many columns go beside the bars.
const BESIDE_COLUMNS: usize = 18;
/// Where a label beside its bar ends, right-aligned against the bar.
const BESIDE_LABEL_END: u32 = 136;
const BAR_HEIGHT: u32 = 14;
/// Room left after the longest bar for its number.
const NUMBER_ROOM: u32 = 56;

/// Where a row's parts go, from the row's top.
struct Layout {
    row: u32,
    label_x: u32,
    label_baseline: u32,
    /// The label is right-aligned at `label_x` (beside the bar).
    beside: bool,
    bar_x: u32,
    bar_top: u32,
    value_baseline: u32,
}

impl Layout {
    fn of(bars: &[Bar]) -> Layout {
        if bars
            .iter()
            .all(|b| svg::columns(&b.label) <= BESIDE_COLUMNS)
        {
            Layout {
                row: 22,
                label_x: BESIDE_LABEL_END,
                label_baseline: 15,
                beside: true,
                bar_x: BESIDE_LABEL_END + 8,
                bar_top: 4,
                value_baseline: 15,
            }
        } else {
            Layout {
                row: 38,
                label_x: PAD,
                label_baseline: 14,
                beside: false,
                bar_x: PAD,
                bar_top: 19,
                value_baseline: 31,
            }
        }
    }

    /// The longest bar (the largest value).
    fn bar_max(&self) -> u32 {
        WIDTH - self.bar_x - NUMBER_ROOM
    }
}

/// One bar: its words, its `data-label`, its classes after `bar`.
struct Bar<'s> {
    label: Cow<'s, str>,
    key: String,
    class: String,
    value: usize,
}

/// One chart as the figure draws it.
struct Chart<'s> {
    id: &'static str,
    heading: &'s str,
    /// The table's column heads: what a bar is, what it counts.
    what: &'s str,
    count: &'s str,
    bars: Vec<Bar<'s>>,
    /// The table's rows: the bars', unless the chart sums some of them.
    rows: Option<Vec<(Cow<'s, str>, usize)>>,
    /// Said after the numbers, in the `desc` and under the table.
    notes: Vec<String>,
    /// Said instead of a chart when there is nothing to count.
    empty: Option<&'s str>,
}

impl<'a> Page<'a> {
    /// The dashboard's charts, each with its table (empty without pictures).
    pub fn dashboard_charts(&self) -> Html {
        if self.pictures.is_none() {
            return Html::default();
        }
        let due = due::falling_due(self.r);
        let mut out = String::with_capacity(16 * 1024);
        out.push_str("<div class=\"charts\">");
        for chart in [
            self.mechanisms_chart(),
            self.legal_bases_chart(),
            self.warnings_chart(),
            self.due_chart(&due),
        ] {
            figure(&mut out, &chart, self.t("chart.numbers"));
        }
        out.push_str("</div>");
        Html(out)
    }

    fn mechanisms_chart(&self) -> Chart<'a> {
        let bars: Vec<Bar<'a>> = self
            .r
            .transfers_by_mechanism()
            .into_iter()
            .map(|(m, n)| Bar {
                label: Cow::Borrowed(self.label("mechanism", m.as_str())),
                key: m.as_str().to_string(),
                class: format!("mechanism-{} ground-{}", m.as_str(), Ground::of(m).as_str()),
                value: n,
            })
            .collect();
        Chart {
            id: "chart-mechanisms",
            heading: self.t("index.by-mechanism"),
            what: self.t("transfer.mechanism"),
            count: self.t("nav.transfers"),
            empty: bars.is_empty().then(|| self.t("index.no-transfers")),
            bars,
            rows: None,
            notes: Vec::new(),
        }
    }

    /// The live activities of the controller record (controller and joint
    /// controller) under each legal basis they list: Art. 6(1)'s six, in
    /// its order, zeros too. A processor names no legal basis of its own.
    fn legal_bases_chart(&self) -> Chart<'a> {
        let mut counts = [0usize; LegalBasis::ALL.len()];
        let mut live = 0usize;
        let mut without = 0usize;
        for a in self.r.controller_activities() {
            if a.status() == Status::Retired {
                continue;
            }
            live += 1;
            let mut listed = [false; LegalBasis::ALL.len()];
            for b in a.legal_bases.iter().flat_map(|l| l.value.iter()) {
                if let Some(i) = LegalBasis::ALL.iter().position(|x| *x == b.value) {
                    listed[i] = true;
                }
            }
            if !listed.contains(&true) {
                without += 1;
            }
            for (n, on) in counts.iter_mut().zip(listed) {
                *n += usize::from(on);
            }
        }
        let processing = self
            .r
            .reg
            .activities
            .values()
            .filter(|a| a.role() == Role::Processor && a.status() != Status::Retired)
            .count();
        let mut notes = vec![self.t("chart.legal-bases.several").to_string()];
        if without > 0 {
            notes.push(svg::filled(
                self.t("chart.legal-bases.without"),
                &[("{n}", &without.to_string())],
            ));
        }
        if processing > 0 {
            notes.push(svg::filled(
                self.t("chart.legal-bases.processor"),
                &[("{n}", &processing.to_string())],
            ));
        }
        let bars = LegalBasis::ALL
            .iter()
            .zip(counts)
            .map(|(b, n)| Bar {
                label: Cow::Borrowed(self.label("legal-basis", b.as_str())),
                key: b.as_str().to_string(),
                class: format!("basis-{}", b.as_str()),
                value: n,
            })
            .collect();
        Chart {
            id: "chart-legal-bases",
            heading: self.t("chart.legal-bases.title"),
            what: self.t("activity.legal-bases"),
            count: self.t("nav.activities"),
            bars,
            rows: None,
            empty: (live == 0).then(|| self.t("chart.legal-bases.none")),
            notes,
        }
    }

    /// The open warnings by code, most first (equal counts by code): at
    /// most [`MAX_CODES`] bars and one for the rest; the table has them all.
    fn warnings_chart(&self) -> Chart<'a> {
        let mut by_code: BTreeMap<&'static str, usize> = BTreeMap::new();
        for w in &self.warnings.open {
            *by_code.entry(w.code.as_str()).or_default() += 1;
        }
        let mut codes: Vec<(&'static str, usize)> = by_code.into_iter().collect();
        codes.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
        let bar = |code: &'static str, n| Bar {
            label: Cow::Borrowed(code),
            key: code.to_string(),
            class: format!("code-{code}"),
            value: n,
        };
        let mut bars: Vec<Bar<'a>> = codes
            .iter()
            .take(MAX_CODES)
            .map(|(c, n)| bar(c, *n))
            .collect();
        let rest = codes.get(MAX_CODES..).unwrap_or_default();
        if !rest.is_empty() {
            bars.push(Bar {
                label: Cow::Owned(svg::filled(
                    self.t("chart.warnings.other"),
                    &[("{n}", &rest.len().to_string())],
                )),
                key: "other".to_string(),
                class: "other".to_string(),
                value: rest.iter().map(|(_, n)| n).sum(),
            });
        }
        Chart {
            id: "chart-warnings",
            heading: self.t("chart.warnings.title"),
            what: self.t("chart.warnings.code"),
            count: self.t("index.open-warnings"),
            empty: codes.is_empty().then(|| self.t("index.no-warnings")),
            rows: (!rest.is_empty())
                .then(|| codes.iter().map(|(c, n)| (Cow::Borrowed(*c), *n)).collect()),
            bars,
            notes: Vec::new(),
        }
    }

    /// What falls due, by month: one bar for what is overdue whatever its
    /// date, then the months of the next 12 months ([`MONTHS`]), zeros
    /// too. A DPIA
    /// required and not done is due at the as-of date ([`due::What::Dpia`]).
    fn due_chart(&self, items: &[Due<'_>]) -> Chart<'a> {
        let as_of = self.r.as_of;
        let first = month_number(as_of);
        let end = as_of.add_months(12);
        let mut months = [0usize; MONTHS as usize];
        let (mut overdue, mut accepted, mut later) = (0usize, 0usize, 0usize);
        for d in items {
            if d.overdue {
                overdue += 1;
                accepted += usize::from(d.accepted.is_some());
                continue;
            }
            // Not overdue: on or after the as-of date, so never before its month.
            match usize::try_from(month_number(d.date) - first) {
                Ok(i) if d.date <= end && i < months.len() => months[i] += 1,
                _ => later += 1,
            }
        }
        let mut bars = vec![Bar {
            label: Cow::Borrowed(self.t("chart.due.overdue")),
            key: "overdue".to_string(),
            class: "overdue".to_string(),
            value: overdue,
        }];
        for (i, n) in months.into_iter().enumerate() {
            let (year, month) = from_month_number(first + i as i64);
            let key = format!("{year:04}-{month:02}");
            let name = svg::filled(
                self.t("chart.due.month"),
                &[
                    ("{month}", self.t(MONTH_KEYS[usize::from(month - 1)])),
                    ("{year}", &year.to_string()),
                ],
            );
            bars.push(Bar {
                label: Cow::Owned(name),
                class: format!("month-{key}"),
                key,
                value: n,
            });
        }
        let mut notes = vec![svg::filled(
            self.t("chart.due.window"),
            &[
                ("{from}", &self.tr.date(&as_of)),
                ("{to}", &self.tr.date(&end)),
            ],
        )];
        if accepted > 0 {
            notes.push(svg::filled(
                self.t("chart.due.accepted"),
                &[("{n}", &accepted.to_string())],
            ));
        }
        if items
            .iter()
            .any(|d| matches!(d.what, due::What::Dpia { .. }))
        {
            notes.push(self.t("chart.due.dpia").to_string());
        }
        if later > 0 {
            notes.push(svg::filled(
                self.t("chart.due.later"),
                &[("{n}", &later.to_string())],
            ));
        }
        Chart {
            id: "chart-due",
            heading: self.t("chart.due.title"),
            what: self.t("chart.due.when"),
            count: self.t("chart.due.items"),
            bars,
            rows: None,
            notes,
            empty: None,
        }
    }
}

/// Months since year 0: consecutive months differ by one.
fn month_number(d: Date) -> i64 {
    i64::from(d.year) * 12 + i64::from(d.month) - 1
}

fn from_month_number(n: i64) -> (i64, u8) {
    (n.div_euclid(12), (n.rem_euclid(12) + 1) as u8)
}

/// A bar's length: `value` of `max` on `longest` pixels, in integers so
/// the same numbers draw the same; a value above zero is never invisible.
fn length(value: usize, max: usize, longest: u32) -> u32 {
    if value == 0 || max == 0 {
        return 0;
    }
    let scaled = (value as u128 * u128::from(longest)) / max as u128;
    u32::try_from(scaled).unwrap_or(longest).clamp(2, longest)
}

fn push_usize(out: &mut String, n: usize) {
    use std::fmt::Write;
    let _ = write!(out, "{n}");
}

/// "Heading: label 3; label 0." and the notes: the `desc`, the numbers
/// in words.
fn description(c: &Chart) -> String {
    let mut s = String::new();
    s.push_str(c.heading);
    s.push_str(": ");
    for (i, b) in c.bars.iter().enumerate() {
        if i > 0 {
            s.push_str("; ");
        }
        s.push_str(&b.label);
        s.push(' ');
        push_usize(&mut s, b.value);
    }
    s.push('.');
    for n in &c.notes {
        s.push(' ');
        s.push_str(n);
    }
    s
}

/// `numbers`: the words that open the table ("The numbers").
fn figure(out: &mut String, c: &Chart, numbers: &str) {
    out.push_str("<figure class=\"chart\" id=\"");
    out.push_str(c.id);
    out.push_str("\"><figcaption><h3>");
    svg::escape_into(out, c.heading);
    out.push_str("</h3></figcaption>");
    if let Some(empty) = c.empty {
        out.push_str("<p class=\"muted\">");
        svg::escape_into(out, empty);
        out.push_str("</p></figure>");
        return;
    }
    let at = Layout::of(&c.bars);
    let rows = c.bars.len() as u32;
    let height = rows * at.row + PAD;
    svg::open(
        out,
        "picture chart",
        WIDTH,
        height,
        c.heading,
        &description(c),
        true,
    );
    let max = c.bars.iter().map(|b| b.value).max().unwrap_or(0);
    for (i, b) in c.bars.iter().enumerate() {
        let top = i as u32 * at.row;
        let shown = svg::shorten(&b.label, LABEL_COLUMNS);
        out.push_str("<g class=\"row\">");
        if shown != b.label {
            out.push_str("<title>");
            svg::escape_into(out, &b.label);
            out.push_str("</title>");
        }
        out.push_str("<text class=\"label\" x=\"");
        svg::push_u32(out, at.label_x);
        out.push_str("\" y=\"");
        svg::push_u32(out, top + at.label_baseline);
        out.push_str(if at.beside {
            "\" text-anchor=\"end\">"
        } else {
            "\">"
        });
        svg::escape_into(out, &shown);
        out.push_str("</text><rect class=\"bar ");
        svg::escape_into(out, &b.class);
        out.push_str("\" x=\"");
        svg::push_u32(out, at.bar_x);
        out.push_str("\" y=\"");
        svg::push_u32(out, top + at.bar_top);
        let w = length(b.value, max, at.bar_max());
        out.push_str("\" width=\"");
        svg::push_u32(out, w);
        out.push_str("\" height=\"");
        svg::push_u32(out, BAR_HEIGHT);
        out.push_str("\" data-label=\"");
        svg::escape_into(out, &b.key);
        out.push_str("\" data-value=\"");
        push_usize(out, b.value);
        out.push_str("\"/><text class=\"value\" x=\"");
        svg::push_u32(out, at.bar_x + w + 6);
        out.push_str("\" y=\"");
        svg::push_u32(out, top + at.value_baseline);
        out.push_str("\">");
        push_usize(out, b.value);
        out.push_str("</text></g>");
    }
    svg::close(out);
    // The same numbers for screen readers, copy-paste and print.
    out.push_str("<details><summary>");
    svg::escape_into(out, numbers);
    out.push_str("</summary><table><thead><tr><th scope=\"col\">");
    svg::escape_into(out, c.what);
    out.push_str("</th><th scope=\"col\" class=\"num\">");
    svg::escape_into(out, c.count);
    out.push_str("</th></tr></thead><tbody>");
    let bar_rows = || c.bars.iter().map(|b| (b.label.clone(), b.value)).collect();
    for (label, n) in c.rows.clone().unwrap_or_else(bar_rows) {
        out.push_str("<tr><td>");
        svg::escape_into(out, &label);
        out.push_str("</td><td class=\"num\">");
        push_usize(out, n);
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table>");
    for n in &c.notes {
        out.push_str("<p class=\"muted\">");
        svg::escape_into(out, n);
        out.push_str("</p>");
    }
    out.push_str("</details></figure>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Diagnostic, Severity};
    use crate::i18n::Tr;
    use crate::load::{Loaded, load_files};
    use crate::pipeline::{Checked, check};
    use crate::render::pages::{Chrome, Sorted, Warnings};
    use crate::render::pictures::flow::Pictures;
    use quick_xml::events::Event;

    /// An element of the charts' markup, parsed as XML.
    #[derive(Debug, Default)]
    struct El {
        name: String,
        attrs: Vec<(String, String)>,
        children: Vec<El>,
        text: String,
    }

    impl El {
        fn attr(&self, key: &str) -> Option<&str> {
            self.attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        }

        fn all(&self, name: &str) -> Vec<&El> {
            let mut out = Vec::new();
            let mut stack = vec![self];
            while let Some(e) = stack.pop() {
                if e.name == name {
                    out.push(e);
                }
                stack.extend(e.children.iter().rev());
            }
            out
        }

        fn text(&self) -> String {
            let mut s = self.text.clone();
            for c in &self.children {
                s.push_str(&c.text());
            }
            s
        }

        fn figure(&self, id: &str) -> &El {
            self.all("figure")
                .into_iter()
                .find(|f| f.attr("id") == Some(id))
                .unwrap_or_else(|| panic!("no figure {id}"))
        }

        /// The bars: (data-label, data-value, width, class).
        fn bars(&self) -> Vec<(String, usize, u32, String)> {
            self.all("rect")
                .into_iter()
                .map(|r| {
                    (
                        r.attr("data-label").expect("data-label").to_string(),
                        r.attr("data-value")
                            .and_then(|v| v.parse().ok())
                            .expect("data-value"),
                        r.attr("width").and_then(|v| v.parse().ok()).expect("width"),
                        r.attr("class").expect("class").to_string(),
                    )
                })
                .collect()
        }

        /// The table's rows: (first cell, number).
        fn rows(&self) -> Vec<(String, usize)> {
            self.all("tbody")
                .into_iter()
                .flat_map(|b| b.all("tr"))
                .map(|tr| {
                    let cells = tr.all("td");
                    (cells[0].text(), cells[1].text().parse().expect("a number"))
                })
                .collect()
        }
    }

    fn parse(xml: &str) -> El {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut stack = vec![El::default()];
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => stack.push(element(&e)),
                Event::Empty(e) => {
                    let el = element(&e);
                    stack.last_mut().expect("open").children.push(el);
                }
                Event::End(_) => {
                    let el = stack.pop().expect("open");
                    stack.last_mut().expect("a parent").children.push(el);
                }
                Event::Text(t) => stack.last_mut().expect("open").text.push_str(t.as_ref()),
                Event::GeneralRef(r) => {
                    let c = match r.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "#39" => "'",
                        other => panic!("unexpected entity {other}"),
                    };
                    stack.last_mut().expect("open").text.push_str(c);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(stack.len(), 1, "every element closed");
        stack.pop().expect("the root")
    }

    fn element(e: &quick_xml::events::BytesStart<'_>) -> El {
        El {
            name: e.name().as_ref().to_string(),
            attrs: e
                .attributes()
                .map(|a| {
                    let a = a.expect("an attribute");
                    (a.key.as_ref().to_string(), a.value.into_owned())
                })
                .collect(),
            ..El::default()
        }
    }

    fn files() -> Vec<(String, Vec<u8>)> {
        let activity = |name: &str, extra: &str| {
            format!(
                "name = \"{name}\"\npurposes = [\"p\"]\ndata_subjects = [\"customers\"]\ndata_categories = [\"contact-details\"]\n{extra}"
            )
        };
        [
            (
                "organisation.toml",
                "name = \"Example AB\"\ncountry = \"SE\"\nemail = \"privacy@example.se\"\n".to_string(),
            ),
            (
                "categories.toml",
                "[data_subjects.customers]\nname = \"Customers\"\n\n[data_categories.contact-details]\nname = \"Contact details\"\n".to_string(),
            ),
            (
                "processors/cloud.toml",
                "name = \"Cloud\"\nservice = \"s\"\ncountry = \"US\"\n".to_string(),
            ),
            (
                "processors/tokyo.toml",
                "name = \"Tokyo <&> Co\"\nservice = \"s\"\ncountry = \"JP\"\n".to_string(),
            ),
            (
                "transfers/cloud-us.toml",
                "to = \"cloud\"\ncountry = \"US\"\nmechanism = \"scc\"\n".to_string(),
            ),
            (
                "transfers/cloud-us-2.toml",
                "to = \"cloud\"\ncountry = \"US\"\nmechanism = \"scc\"\n".to_string(),
            ),
            (
                "transfers/tokyo-jp.toml",
                "to = \"tokyo\"\ncountry = \"JP\"\nmechanism = \"adequacy\"\n".to_string(),
            ),
            (
                "activities/a.toml",
                activity(
                    "A",
                    "legal_bases = [\"contract\", \"consent\", \"contract\"]\nprocessors = [\"cloud\", \"tokyo\"]\n[review]\nnext_review = 2026-12-10\n",
                ),
            ),
            (
                "activities/b.toml",
                activity(
                    "B",
                    "legal_bases = [\"legitimate-interests\"]\nlegitimate_interest = \"i\"\n[review]\nnext_review = 2026-10-01\n[[acknowledged]]\ncode = \"review-overdue\"\nreason = \"r\"\nuntil = 2027-06-15\n",
                ),
            ),
            (
                "activities/c.toml",
                activity(
                    "C",
                    "status = \"planned\"\nlegal_bases = [\"consent\"]\n[dpia]\nrequired = true\n",
                ),
            ),
            (
                "activities/d.toml",
                activity("D", "legal_bases = [\"legal-obligation\"]\n[dpia]\nrequired = true\n"),
            ),
            (
                "activities/e.toml",
                activity(
                    "E",
                    "status = \"retired\"\nlegal_bases = [\"consent\"]\n[review]\nnext_review = 2026-01-01\n",
                ),
            ),
            (
                "activities/f.toml",
                activity("F", "role = \"processor\"\ncontrollers = [\"Acme\"]\n"),
            ),
            (
                "activities/g.toml",
                activity(
                    "G",
                    "legal_bases = [\"public-task\"]\n[review]\nnext_review = 2028-03-01\n",
                ),
            ),
        ]
        .into_iter()
        .map(|(p, s)| (p.to_string(), s.into_bytes()))
        .collect()
    }

    const AS_OF: Date = Date {
        year: 2026,
        month: 11,
        day: 24,
    };

    fn checked(loaded: &Loaded) -> Checked<'_> {
        check(loaded, AS_OF, false)
    }

    /// The charts of `c` in `lang`, and their markup parsed.
    fn charts(c: &Checked, warnings: &Warnings, lang: &str) -> (String, El) {
        let tr = Tr::new(Some(lang));
        let chrome = Chrome::default();
        let sorted = Sorted::default();
        let p = Page {
            r: &c.register,
            warnings,
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
        let html = p.dashboard_charts().0;
        let parsed = parse(&html);
        (html, parsed)
    }

    fn values(bars: &[(String, usize, u32, String)]) -> Vec<(&str, usize)> {
        bars.iter().map(|(l, v, _, _)| (l.as_str(), *v)).collect()
    }

    #[test]
    fn the_bars_and_tables_count_the_register() {
        let loaded = load_files(files());
        let c = checked(&loaded);
        let warnings = Warnings::new(&c.diagnostics);
        let (html, doc) = charts(&c, &warnings, "en");

        let mech = doc.figure("chart-mechanisms");
        let bars = mech.bars();
        assert_eq!(values(&bars), [("adequacy", 1), ("scc", 2)]);
        assert_eq!(bars[0].3, "bar mechanism-adequacy ground-adequacy");
        assert_eq!(bars[1].3, "bar mechanism-scc ground-safeguard");
        // The largest value has the longest bar; half of it, half the length.
        assert_eq!(bars[1].2, 2 * bars[0].2);
        assert_eq!(
            mech.rows(),
            [
                ("Adequacy decision (Art. 45)".to_string(), 1),
                (
                    "Standard contractual clauses (Art. 46(2)(c))".to_string(),
                    2
                )
            ]
        );

        // Live controller activities; a basis listed twice counts once;
        // the retired one and the processor's are not counted.
        let bases = doc.figure("chart-legal-bases");
        assert_eq!(
            values(&bases.bars()),
            [
                ("consent", 2),
                ("contract", 1),
                ("legal-obligation", 1),
                ("vital-interests", 0),
                ("public-task", 1),
                ("legitimate-interests", 1)
            ]
        );
        assert_eq!(bases.bars()[3].2, 0, "a zero is drawn as zero");
        let numbers: Vec<usize> = bases.rows().iter().map(|r| r.1).collect();
        assert_eq!(numbers, [2, 1, 1, 0, 1, 1]);
        let desc = bases.all("desc")[0].text();
        assert!(desc.contains("Processor record: 1."), "{desc}");

        // Open warnings by code, most first, then by code.
        let mut expected: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &c.diagnostics {
            if d.severity == Severity::Warning && d.acknowledged.is_none() {
                *expected.entry(d.code.as_str()).or_default() += 1;
            }
        }
        assert!(!expected.is_empty());
        assert!(!expected.contains_key("review-overdue"), "accepted on B");
        let w = doc.figure("chart-warnings");
        let wbars = w.bars();
        let drawn = values(&wbars);
        assert_eq!(
            drawn.iter().copied().collect::<BTreeMap<_, _>>(),
            expected.clone()
        );
        assert!(
            drawn
                .windows(2)
                .all(|p| p[0].1 > p[1].1 || (p[0].1 == p[1].1 && p[0].0 < p[1].0))
        );
        assert_eq!(
            w.rows()
                .iter()
                .map(|(l, n)| (l.as_str(), *n))
                .collect::<Vec<_>>(),
            drawn
        );
        assert!(w.bars().iter().all(|b| b.3 == format!("bar code-{}", b.0)));

        // Overdue: B's review (accepted) and D's DPIA (active); C's DPIA
        // (planned) is due at the as-of date; A's review in December; B's
        // acceptance ends in June; G's review is later than the window.
        let due = doc.figure("chart-due");
        let bars = due.bars();
        assert_eq!(bars.len(), 14);
        assert_eq!(bars[0].0, "overdue");
        assert_eq!(bars[0].3, "bar overdue");
        let got: Vec<(&str, usize)> = values(&bars).into_iter().filter(|b| b.1 > 0).collect();
        assert_eq!(
            got,
            [
                ("overdue", 2),
                ("2026-11", 1),
                ("2026-12", 1),
                ("2027-06", 1)
            ]
        );
        assert_eq!(bars[1].3, "bar month-2026-11");
        assert_eq!(bars[13].0, "2027-11");
        let rows = due.rows();
        assert_eq!(rows[0], ("Overdue".to_string(), 2));
        assert_eq!(rows[1], ("November 2026".to_string(), 1));
        assert_eq!(rows[2].1, 1);
        let desc = due.all("desc")[0].text();
        assert!(desc.contains("accepted on the record: 1."), "{desc}");
        assert!(desc.contains("Falling due later: 1."), "{desc}");
        assert!(desc.contains("Art. 35(1)"), "{desc}");

        for svg in doc.all("svg") {
            assert_eq!(svg.attr("role"), Some("img"));
            assert_eq!(svg.attr("class"), Some("picture chart"));
            assert_eq!(svg.children[0].name, "title");
            assert_eq!(svg.children[1].name, "desc");
        }
        assert_eq!(doc.all("svg").len(), 4);
        assert_eq!(doc.all("table").len(), 4);
        assert!(!html.contains("http"));
        assert!(!html.contains("style"));
        assert!(!html.contains("xmlns"));
        // The same register draws the same.
        assert_eq!(charts(&c, &warnings, "en").0, html);
    }

    #[test]
    fn months_are_named_in_the_sites_language() {
        let loaded = load_files(files());
        let c = checked(&loaded);
        let warnings = Warnings::new(&c.diagnostics);
        let (_, doc) = charts(&c, &warnings, "nl");
        let rows = doc.figure("chart-due").rows();
        assert_eq!(rows[0].0, "Termijn verstreken");
        assert_eq!(rows[2].0, "december 2026");
        let (_, doc) = charts(&c, &warnings, "de");
        assert_eq!(doc.figure("chart-due").rows()[3].0, "Januar 2027");
    }

    #[test]
    fn many_codes_are_capped_with_the_rest_in_one_bar() {
        let loaded = load_files(files());
        let c = checked(&loaded);
        let made: Vec<Diagnostic> = Code::ALL
            .iter()
            .filter(|code| code.severity() == Severity::Warning)
            .take(MAX_CODES + 3)
            .enumerate()
            .flat_map(|(i, code)| {
                // Counts 15, 14, ... so the order is known.
                (0..(MAX_CODES + 3 - i)).map(|_| Diagnostic {
                    severity: Severity::Warning,
                    code: *code,
                    message: "m".into(),
                    path: "activities/a.toml".into(),
                    entry: None,
                    primary: None,
                    secondary: Vec::new(),
                    help: None,
                    acknowledged: None,
                })
            })
            .collect();
        let warnings = Warnings::new(&made);
        let (_, doc) = charts(&c, &warnings, "en");
        let w = doc.figure("chart-warnings");
        let bars = w.bars();
        assert_eq!(bars.len(), MAX_CODES + 1);
        let last = bars.last().expect("the rest");
        assert_eq!((last.0.as_str(), last.1), ("other", 3 + 2 + 1));
        assert_eq!(bars[0].1, MAX_CODES + 3);
        // The table has every code, and the same total.
        let rows = w.rows();
        assert_eq!(rows.len(), MAX_CODES + 3);
        assert_eq!(
            rows.iter().map(|r| r.1).sum::<usize>(),
            bars.iter().map(|b| b.1).sum::<usize>()
        );
        assert!(w.text().contains("Other codes (3)"));
    }

    #[test]
    fn nothing_to_count_is_said_in_words() {
        let loaded = load_files(
            files()
                .into_iter()
                .filter(|(p, _)| !p.starts_with("transfers/"))
                .collect(),
        );
        let c = checked(&loaded);
        let none = Warnings::default();
        let (_, doc) = charts(&c, &none, "en");
        let w = doc.figure("chart-warnings");
        assert!(w.all("svg").is_empty());
        assert!(w.text().contains("No open warnings."));
        let m = doc.figure("chart-mechanisms");
        assert!(m.all("svg").is_empty());
        assert!(
            m.text()
                .contains("No international transfers are recorded.")
        );
    }

    #[test]
    fn without_pictures_nothing_is_drawn() {
        let loaded = load_files(files());
        let c = checked(&loaded);
        let warnings = Warnings::new(&c.diagnostics);
        let tr = Tr::new(None);
        let chrome = Chrome::default();
        let sorted = Sorted::default();
        let p = Page {
            r: &c.register,
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
        assert!(p.dashboard_charts().0.is_empty());
    }

    #[test]
    fn bars_scale_in_integers() {
        assert_eq!(length(0, 5, 300), 0);
        assert_eq!(length(5, 5, 300), 300);
        assert_eq!(length(1, 3, 300), 100);
        // Tiny but not invisible; never longer than the longest.
        assert_eq!(length(1, 1_000_000, 300), 2);
        assert_eq!(length(usize::MAX, usize::MAX, 300), 300);
    }
}
