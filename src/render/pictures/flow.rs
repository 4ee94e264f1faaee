//! The flow of each activity and the chain of each processor, drawn left
//! to right.
//!
//! An activity: its data subjects → the activity → the processors and
//! recipients it names → their sub-processors, column by column (breadth
//! first, each party once, as [`Page::engaged_processors`] lists them).
//! A processor: the activities that use it → the processor → its
//! sub-processors. Every edge into a party that data reaches outside the
//! EEA is a flow (one per place, from the register's [`Flow`]s) labelled
//! with the country and the mechanisms covering it; the rest are `inside`.
//! Columns, levels and the description are capped, so a registry of
//! thousands of sub-processors, or a cycle, draws a bounded picture.

use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::link::{Flow, Ground, Register};
use crate::markdown::Html;
use crate::model::{Activity, Processor, Recipient};

use super::super::pages::Page;
use super::svg;

/// Parties drawn in one column; the rest are one "and N more" node.
const COLUMN: usize = 12;
/// Data subject categories drawn before "and N more".
const SUBJECTS: usize = 8;
/// Columns of sub-processors drawn; deeper ones are one "and N more" node.
const LEVELS: usize = 6;
/// Flows named in the description before "and N more".
const DESC_FLOWS: usize = 10;

const MARGIN: u32 = 8;
const NODE_W: u32 = 208;
/// Between two columns: the edges' curves, then a straight run into the
/// node on which the flow's label sits.
const GAP: u32 = 184;
const RUN: u32 = 136;
const ROW_GAP: u32 = 16;
/// Vertical distance between the labelled edges entering one node.
const PORT: u32 = 20;
/// Columns of text that fit a node's width at 13px, and a label's run.
const NAME_COLS: usize = 27;
const PLACE_COLS: usize = 30;
const LABEL_COLS: usize = 27;

/// The diagrams of the activities, each drawn once per build: the
/// activity's page and its record entry show the same one (both pages
/// are one folder down, so the links are the same).
#[derive(Default)]
pub struct FlowCache<'a> {
    by_activity: FxHashMap<&'a str, OnceLock<Html>>,
}

impl<'a> FlowCache<'a> {
    pub fn new(r: &'a Register<'a>) -> FlowCache<'a> {
        FlowCache {
            by_activity: r
                .reg
                .activities
                .keys()
                .map(|id| (id.as_str(), OnceLock::new()))
                .collect(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Subject,
    Activity,
    Processor,
    Recipient,
    Organisation,
    More,
}

impl Kind {
    fn class(self) -> &'static str {
        match self {
            Kind::Subject => "node subject",
            Kind::Activity => "node activity",
            Kind::Processor => "node processor",
            Kind::Recipient => "node recipient",
            Kind::Organisation => "node organisation",
            Kind::More => "node more",
        }
    }
}

struct Node<'a> {
    kind: Kind,
    id: &'a str,
    name: &'a str,
    country: Option<&'a str>,
    organisation: Option<&'a str>,
    /// A processor's places besides its country.
    processor: Option<&'a Processor>,
    /// For a `more` node: how many are left out, and how many of those
    /// receive data outside the EEA.
    hidden: usize,
    hidden_outside: usize,
    col: u32,
    y: u32,
    h: u32,
    /// Labelled edges entering, and the next one's place among them.
    ports: u32,
    next_port: u32,
}

struct Edge<'a> {
    from: usize,
    to: usize,
    /// What the edge is when it carries no flow out of the EEA.
    class: &'static str,
    flow: Option<&'a Flow<'a>>,
}

/// The flows of one picture, by party, for lookups.
struct Flows<'a> {
    all: &'a [std::sync::Arc<Flow<'a>>],
    /// (party, index in `all`), sorted.
    by_party: Vec<(&'a str, usize)>,
}

impl<'a> Flows<'a> {
    fn new(all: &'a [std::sync::Arc<Flow<'a>>]) -> Self {
        let mut by_party: Vec<(&'a str, usize)> =
            all.iter().enumerate().map(|(i, f)| (f.party, i)).collect();
        by_party.sort_unstable();
        Flows { all, by_party }
    }

    fn of(&self, party: &str) -> impl Iterator<Item = &'a Flow<'a>> + '_ {
        let start = self.by_party.partition_point(|(p, _)| *p < party);
        let len = self.by_party[start..]
            .iter()
            .take_while(|(p, _)| *p == party)
            .count();
        let all = self.all;
        self.by_party[start..start + len]
            .iter()
            .map(move |(_, i)| &*all[*i])
    }

    fn reach(&self, party: &str) -> bool {
        self.of(party).next().is_some()
    }

    /// Distinct parties the flows reach.
    fn parties(&self) -> usize {
        let mut n = 0;
        for (i, (p, _)) in self.by_party.iter().enumerate() {
            if i == 0 || self.by_party[i - 1].0 != *p {
                n += 1;
            }
        }
        n
    }
}

struct Diagram<'a> {
    nodes: Vec<Node<'a>>,
    edges: Vec<Edge<'a>>,
    /// Drawn parties by id: where edges go.
    at: FxHashMap<&'a str, usize>,
    columns: u32,
}

impl<'a> Diagram<'a> {
    fn new() -> Self {
        Diagram {
            nodes: Vec::new(),
            edges: Vec::new(),
            at: FxHashMap::default(),
            columns: 0,
        }
    }

    fn push(&mut self, mut n: Node<'a>) -> usize {
        n.col = self.columns.saturating_sub(1);
        let i = self.nodes.len();
        if n.kind != Kind::More {
            self.at.entry(n.id).or_insert(i);
        }
        self.nodes.push(n);
        i
    }

    fn more(&mut self, hidden: usize, hidden_outside: usize) {
        if hidden > 0 {
            let mut n = node(Kind::More, "", "");
            n.hidden = hidden;
            n.hidden_outside = hidden_outside;
            self.push(n);
        }
    }

    /// Edges from `from` into `to`: one per flow out of the EEA to it,
    /// or one of `class`.
    fn connect(&mut self, from: usize, to: usize, flows: &Flows<'a>, r: &Register) {
        let (id, kind, country) = (
            self.nodes[to].id,
            self.nodes[to].kind,
            self.nodes[to].country,
        );
        let mut any = false;
        for f in flows.of(id) {
            self.edges.push(Edge {
                from,
                to,
                class: "",
                flow: Some(f),
            });
            any = true;
        }
        if !any {
            let class = match (kind, country) {
                (Kind::Subject | Kind::Activity, _) => "edge collect",
                (_, Some(cc)) if r.inside_eea(cc) => "edge inside",
                // A recipient that is a category spread over many
                // countries: no flow of its own, and not known to be home.
                _ => "edge unplaced",
            };
            self.edges.push(Edge {
                from,
                to,
                class,
                flow: None,
            });
        }
    }
}

fn node<'a>(kind: Kind, id: &'a str, name: &'a str) -> Node<'a> {
    Node {
        kind,
        id,
        name,
        country: None,
        organisation: None,
        processor: None,
        hidden: 0,
        hidden_outside: 0,
        col: 0,
        y: 0,
        h: 0,
        ports: 0,
        next_port: 0,
    }
}

fn processor_node(x: &Processor) -> Node<'_> {
    let mut n = node(Kind::Processor, &x.id, &x.name.value);
    n.country = Some(&x.country.value);
    n.processor = Some(x);
    n
}

fn recipient_node(x: &Recipient) -> Node<'_> {
    let organisation = x.international_organisation();
    let mut n = node(
        if organisation.is_some() {
            Kind::Organisation
        } else {
            Kind::Recipient
        },
        &x.id,
        &x.name.value,
    );
    n.organisation = organisation;
    if organisation.is_none() {
        n.country = x.country.as_ref().map(|c| c.value.as_str());
    }
    n
}

/// A party the picture may draw.
#[derive(Clone, Copy)]
enum Party<'a> {
    Processor(&'a Processor),
    Recipient(&'a Recipient),
}

impl<'a> Party<'a> {
    fn id(self) -> &'a str {
        match self {
            Party::Processor(x) => &x.id,
            Party::Recipient(x) => &x.id,
        }
    }

    fn node(self) -> Node<'a> {
        match self {
            Party::Processor(x) => processor_node(x),
            Party::Recipient(x) => recipient_node(x),
        }
    }
}

fn sub_ids(x: &Processor) -> impl Iterator<Item = &str> {
    x.sub_processors
        .iter()
        .flat_map(|l| l.value.iter())
        .map(|s| s.value.as_str())
}

impl<'a> Page<'a> {
    /// The activity's flow diagram (empty without pictures).
    pub fn activity_flow(&self, a: &'a Activity) -> Html {
        if !self.pictures {
            return Html::default();
        }
        match self.flow_cache.filter(|_| self.root == "../") {
            Some(cache) => match cache.by_activity.get(a.id.as_str()) {
                Some(cell) => Html(cell.get_or_init(|| self.draw_activity(a)).0.clone()),
                None => self.draw_activity(a),
            },
            None => self.draw_activity(a),
        }
    }

    /// The processor's chain diagram (empty without pictures).
    pub fn processor_chain(&self, x: &'a Processor) -> Html {
        if !self.pictures {
            return Html::default();
        }
        let r = self.r;
        let all = r.processor_flows.get(x.id.as_str()).map_or(&[][..], |v| v);
        let flows = Flows::new(all);
        let mut d = Diagram::new();
        let used = self.activities_using(&r.activities_by_processor, &x.id);
        if !used.is_empty() {
            d.columns += 1;
            for a in used.iter().take(COLUMN) {
                d.push(node(Kind::Activity, &a.id, &a.name.value));
            }
            d.more(used.len().saturating_sub(COLUMN), 0);
        }
        d.columns += 1;
        let me = d.push(processor_node(x));
        for i in 0..me {
            if d.nodes[i].kind == Kind::Activity {
                d.connect(i, me, &flows, r);
            }
        }
        let mut seen: FxHashSet<&'a str> = FxHashSet::default();
        seen.insert(&x.id);
        let subs = self.sub_levels(&mut d, vec![x], &mut seen, &flows);

        let mut title = String::new();
        fill(
            &mut title,
            self.t("flow.chain-title"),
            &[("{name}", &x.name.value)],
        );
        let mut desc = String::new();
        fill(
            &mut desc,
            self.t("flow.chain-desc"),
            &[
                ("{activities}", &used.len().to_string()),
                ("{parties}", &subs.to_string()),
                ("{outside}", &flows.parties().to_string()),
            ],
        );
        self.describe_flows(&mut desc, all);
        Html(self.write(&mut d, "picture flow chain", &title, &desc))
    }

    fn draw_activity(&self, a: &'a Activity) -> Html {
        let r = self.r;
        let all = r.flows_of_activity(a);
        let flows = Flows::new(all);
        let mut d = Diagram::new();

        // Data subjects.
        let subjects = &a.data_subjects.value;
        if !subjects.is_empty() {
            d.columns += 1;
            let shown = if subjects.len() > SUBJECTS {
                SUBJECTS - 1
            } else {
                subjects.len()
            };
            for s in subjects.iter().take(shown) {
                d.push(node(Kind::Subject, &s.value, self.subject_name(&s.value)));
            }
            d.more(subjects.len() - shown, 0);
        }
        d.columns += 1;
        let me = d.push(node(Kind::Activity, &a.id, &a.name.value));
        for i in 0..me {
            if d.nodes[i].kind == Kind::Subject {
                d.connect(i, me, &flows, r);
            }
        }

        // The parties the activity names, processors first, each once.
        let mut seen: FxHashSet<&'a str> = FxHashSet::default();
        let mut named: Vec<Party<'a>> = Vec::new();
        let mut first: Vec<&'a Processor> = Vec::new();
        for id in a.processors.iter().flat_map(|l| l.value.iter()) {
            if let Some(x) = r.index.processors.get(id.value.as_str()).copied()
                && seen.insert(&x.id)
            {
                named.push(Party::Processor(x));
                first.push(x);
            }
        }
        for id in a.recipients.iter().flat_map(|l| l.value.iter()) {
            if let Some(x) = r.index.recipients.get(id.value.as_str()).copied()
                && seen.insert(&x.id)
            {
                named.push(Party::Recipient(x));
            }
        }
        if !named.is_empty() {
            d.columns += 1;
            for party in named.iter().take(COLUMN) {
                let i = d.push(party.node());
                d.connect(me, i, &flows, r);
            }
            let hidden = &named[named.len().min(COLUMN)..];
            let outside = hidden.iter().filter(|x| flows.reach(x.id())).count();
            d.more(hidden.len(), outside);
        }
        let subs = self.sub_levels(&mut d, first, &mut seen, &flows);

        let mut title = String::new();
        fill(
            &mut title,
            self.t("flow.title"),
            &[("{name}", &a.name.value)],
        );
        let mut desc = String::new();
        fill(
            &mut desc,
            self.t("flow.desc"),
            &[
                ("{subjects}", &subjects.len().to_string()),
                ("{parties}", &(named.len() + subs).to_string()),
                ("{outside}", &flows.parties().to_string()),
            ],
        );
        self.describe_flows(&mut desc, all);
        Html(self.write(&mut d, "picture flow", &title, &desc))
    }

    /// Adds the sub-processors of `frontier` (processors already in the
    /// picture's last column or hidden beside it), level by level, each
    /// once; returns how many there are in all.
    fn sub_levels(
        &self,
        d: &mut Diagram<'a>,
        mut frontier: Vec<&'a Processor>,
        seen: &mut FxHashSet<&'a str>,
        flows: &Flows<'a>,
    ) -> usize {
        let index = &self.r.index.processors;
        let mut total = 0;
        let mut level = 0;
        let mut hidden = 0;
        let mut hidden_outside = 0;
        while !frontier.is_empty() {
            let mut next: Vec<&'a Processor> = Vec::new();
            for x in &frontier {
                for id in sub_ids(x) {
                    if let Some(s) = index.get(id).copied()
                        && seen.insert(&s.id)
                    {
                        next.push(s);
                    }
                }
            }
            total += next.len();
            if level >= LEVELS {
                // Too deep to draw: counted into one last node.
                hidden += next.len();
                hidden_outside += next.iter().filter(|s| flows.reach(&s.id)).count();
            } else if !next.is_empty() {
                d.columns += 1;
                for s in next.iter().take(COLUMN) {
                    d.push(processor_node(s));
                }
                let rest = &next[next.len().min(COLUMN)..];
                let outside = rest.iter().filter(|s| flows.reach(&s.id)).count();
                d.more(rest.len(), outside);
            }
            level += 1;
            frontier = next;
        }
        if hidden > 0 {
            d.columns += 1;
            d.more(hidden, hidden_outside);
        }
        // Each drawn processor to its drawn sub-processors one column on
        // (a sub-processor reached earlier is already drawn with its edge).
        let mut links: Vec<(usize, usize)> = Vec::new();
        for (i, n) in d.nodes.iter().enumerate() {
            let Some(x) = n.processor else { continue };
            for id in sub_ids(x) {
                if let Some(&j) = d.at.get(id)
                    && d.nodes[j].col == n.col + 1
                    && d.nodes[j].kind == Kind::Processor
                    && !links.contains(&(i, j))
                {
                    links.push((i, j));
                }
            }
        }
        for (i, j) in links {
            d.connect(i, j, flows, self.r);
        }
        total
    }

    /// "Name → United States (US): Standard contractual clauses …." for
    /// each flow, at most [`DESC_FLOWS`].
    fn describe_flows(&self, desc: &mut String, flows: &[std::sync::Arc<Flow<'a>>]) {
        for f in flows.iter().take(DESC_FLOWS) {
            desc.push(' ');
            desc.push_str(self.party_name(f.party));
            desc.push_str(" → ");
            self.place_of(desc, f);
            desc.push_str(": ");
            self.mechanisms(desc, f, true);
            desc.push('.');
        }
        if flows.len() > DESC_FLOWS {
            desc.push(' ');
            fill(
                desc,
                self.t("flow.desc-more"),
                &[("{n}", &(flows.len() - DESC_FLOWS).to_string())],
            );
        }
    }

    /// Where a flow goes, in words: the country, or the organisation.
    fn place_of(&self, out: &mut String, f: &Flow) {
        match (f.international_organisation, f.country) {
            (Some(code), _) => fill(out, self.t("flow.organisation"), &[("{code}", code)]),
            (None, Some(cc)) => push_country(out, self, cc),
            (None, None) => {}
        }
    }

    /// The mechanisms of the flow's transfers, in words (`long`: as the
    /// transfer pages name them), or why nothing covers it.
    fn mechanisms(&self, out: &mut String, f: &Flow, long: bool) {
        let ground = f.ground();
        let mut first = true;
        for (i, t) in f.transfers.iter().enumerate() {
            let m = t.mechanism.value;
            if f.transfers[..i].iter().any(|u| u.mechanism.value == m) {
                continue;
            }
            if !first {
                out.push_str(", ");
            }
            first = false;
            if long {
                out.push_str(self.label("mechanism", m.as_str()));
            } else {
                out.push_str(self.label("flow.mechanism", m.as_str()));
            }
        }
        if ground == Ground::Uncovered {
            if first {
                out.push_str(self.t("flow.no-transfer"));
            } else {
                out.push_str(" – ");
                out.push_str(self.t("flow.not-covered"));
            }
        }
    }

    /// Lays `d` out and writes it, with its legend, in its frame.
    fn write(&self, d: &mut Diagram<'a>, class: &str, title: &str, desc: &str) -> String {
        // Heights: a node grows to give each labelled edge entering it a
        // line of its own.
        for e in &d.edges {
            if e.flow.is_some() {
                d.nodes[e.to].ports += 1;
            }
        }
        for n in &mut d.nodes {
            let base = match n.kind {
                Kind::Subject => 36,
                Kind::More if n.hidden_outside == 0 => 36,
                Kind::Processor if n.processor.is_some_and(|x| x.places().len() > 1) => 64,
                _ => 48,
            };
            n.h = base.max(n.ports * PORT + 8);
        }
        let mut heights = vec![0u32; d.columns as usize];
        for n in &mut d.nodes {
            let h = &mut heights[n.col as usize];
            n.y = *h;
            *h += n.h + ROW_GAP;
        }
        let tallest = heights.iter().copied().max().unwrap_or(0);
        for n in &mut d.nodes {
            // Each column centred on the tallest.
            n.y += MARGIN + (tallest - heights[n.col as usize]) / 2;
        }
        let width = 2 * MARGIN + d.columns * NODE_W + d.columns.saturating_sub(1) * GAP;
        let height = 2 * MARGIN + tallest.saturating_sub(ROW_GAP);

        let mut out = String::with_capacity(1024 + 640 * d.nodes.len() + 480 * d.edges.len());
        let mut scratch = String::new();
        out.push_str("<div class=\"picture-frame\">");
        svg::open(&mut out, class, width, height, title, desc, false);
        for k in 0..d.edges.len() {
            self.write_edge(&mut out, &mut scratch, d, k);
        }
        for n in &d.nodes {
            self.write_node(&mut out, &mut scratch, n);
        }
        svg::close(&mut out);
        out.push_str("<ul class=\"legend flow-legend\">");
        for g in Ground::ALL {
            out.push_str("<li class=\"ground-");
            out.push_str(g.as_str());
            out.push_str("\"><span class=\"swatch\"></span>");
            escape(&mut out, self.label("flow.ground", g.as_str()));
            out.push_str("</li>");
        }
        out.push_str("<li class=\"inside\"><span class=\"swatch\"></span>");
        escape(&mut out, self.t("flow.ground.inside"));
        out.push_str("</li></ul></div>");
        out
    }

    fn write_edge(&self, out: &mut String, scratch: &mut String, d: &mut Diagram<'a>, k: usize) {
        let (from, to, flow) = (d.edges[k].from, d.edges[k].to, d.edges[k].flow);
        let port = {
            let t = &mut d.nodes[to];
            let y = if t.ports == 0 {
                t.y + t.h / 2
            } else {
                // Spread around the middle, PORT apart.
                t.y + t.h / 2 + t.next_port * PORT - (t.ports - 1) * PORT / 2
            };
            if flow.is_some() {
                t.next_port += 1;
            }
            y
        };
        let s = &d.nodes[from];
        let t = &d.nodes[to];
        let x1 = MARGIN + s.col * (NODE_W + GAP) + NODE_W;
        let y1 = s.y + s.h / 2;
        let x2 = MARGIN + t.col * (NODE_W + GAP);
        let xk = x2 - RUN;
        let cx = (x1 + xk) / 2;
        out.push_str("<g class=\"");
        match flow {
            Some(f) => {
                out.push_str("edge flow ground-");
                out.push_str(f.ground().as_str());
                for (i, tr) in f.transfers.iter().enumerate() {
                    let m = tr.mechanism.value;
                    if !f.transfers[..i].iter().any(|u| u.mechanism.value == m) {
                        out.push_str(" mechanism-");
                        out.push_str(m.as_str());
                    }
                }
            }
            None => out.push_str(d.edges[k].class),
        }
        out.push_str("\" data-from=\"");
        escape(out, s.id);
        out.push_str("\" data-to=\"");
        escape(out, t.id);
        if let Some(f) = flow {
            match (f.international_organisation, f.country) {
                (Some(code), _) => {
                    out.push_str("\" data-organisation=\"");
                    escape(out, code);
                }
                (None, Some(cc)) => {
                    out.push_str("\" data-country=\"");
                    escape(out, cc);
                }
                (None, None) => {}
            }
        }
        out.push_str("\">");
        if let Some(f) = flow {
            // The whole of it: the label may be shortened.
            scratch.clear();
            scratch.push_str(t.name);
            scratch.push_str(" → ");
            self.place_of(scratch, f);
            scratch.push_str(": ");
            self.mechanisms(scratch, f, true);
            out.push_str("<title>");
            escape(out, scratch);
            out.push_str("</title>");
        }
        out.push_str("<path d=\"M");
        svg::push_u32(out, x1);
        out.push(' ');
        svg::push_u32(out, y1);
        out.push('C');
        svg::push_u32(out, cx);
        out.push(' ');
        svg::push_u32(out, y1);
        out.push(' ');
        svg::push_u32(out, cx);
        out.push(' ');
        svg::push_u32(out, port);
        out.push(' ');
        svg::push_u32(out, xk);
        out.push(' ');
        svg::push_u32(out, port);
        out.push('H');
        svg::push_u32(out, x2);
        // The arrowhead, in the same path: no marker, whose id would
        // repeat on a page of many pictures.
        out.push('M');
        svg::push_u32(out, x2 - 7);
        out.push(' ');
        svg::push_u32(out, port - 4);
        out.push('L');
        svg::push_u32(out, x2);
        out.push(' ');
        svg::push_u32(out, port);
        out.push('L');
        svg::push_u32(out, x2 - 7);
        out.push(' ');
        svg::push_u32(out, port + 4);
        out.push_str("\"/>");
        if let Some(f) = flow {
            scratch.clear();
            scratch.push_str(f.international_organisation.or(f.country).unwrap_or(""));
            scratch.push_str(" · ");
            self.mechanisms(scratch, f, false);
            out.push_str("<text x=\"");
            svg::push_u32(out, x2 - 8);
            out.push_str("\" y=\"");
            svg::push_u32(out, port - 5);
            out.push_str("\" text-anchor=\"end\">");
            escape(out, &svg::shorten(scratch, LABEL_COLS));
            out.push_str("</text>");
        }
        out.push_str("</g>");
    }

    fn write_node(&self, out: &mut String, scratch: &mut String, n: &Node<'a>) {
        let x = MARGIN + n.col * (NODE_W + GAP);
        let link = match n.kind {
            Kind::Subject => {
                out.push_str("<a href=\"");
                out.push_str(self.root);
                out.push_str("categories.html#subject-");
                escape(out, n.id);
                out.push_str("\">");
                true
            }
            Kind::Activity => self.href(out, "activities", n.id),
            Kind::Processor => self.href(out, "processors", n.id),
            Kind::Recipient | Kind::Organisation => self.href(out, "recipients", n.id),
            Kind::More => false,
        };
        out.push_str("<g class=\"");
        out.push_str(n.kind.class());
        if n.kind != Kind::More {
            out.push_str("\" data-id=\"");
            escape(out, n.id);
        }
        if let Some(cc) = n.country {
            out.push_str("\" data-country=\"");
            escape(out, cc);
        }
        if let Some(code) = n.organisation {
            out.push_str("\" data-organisation=\"");
            escape(out, code);
        }
        out.push_str("\">");
        let name = match n.kind {
            Kind::More => {
                scratch.clear();
                fill(
                    scratch,
                    self.t("flow.more"),
                    &[("{n}", &n.hidden.to_string())],
                );
                scratch.as_str()
            }
            _ => n.name,
        };
        let short = svg::shorten(name, NAME_COLS);
        if n.kind != Kind::More {
            out.push_str("<title>");
            escape(out, name);
            out.push_str("</title>");
        }
        out.push_str("<rect x=\"");
        svg::push_u32(out, x);
        out.push_str("\" y=\"");
        svg::push_u32(out, n.y);
        out.push_str("\" width=\"");
        svg::push_u32(out, NODE_W);
        out.push_str("\" height=\"");
        svg::push_u32(out, n.h);
        out.push_str("\" rx=\"6\"/>");
        let line = |out: &mut String, class: &str, k: u32, text: &str| {
            out.push_str("<text class=\"");
            out.push_str(class);
            out.push_str("\" x=\"");
            svg::push_u32(out, x + 10);
            out.push_str("\" y=\"");
            svg::push_u32(out, n.y + 22 + 16 * k);
            out.push_str("\">");
            escape(out, &svg::shorten(text, PLACE_COLS));
            out.push_str("</text>");
        };
        line(out, "name", 0, &short);
        let mut place = String::new();
        match n.kind {
            Kind::Activity => place.push_str(self.t("kind.activity")),
            Kind::Organisation => {
                fill(
                    &mut place,
                    self.t("flow.organisation"),
                    &[("{code}", n.organisation.unwrap_or(""))],
                );
            }
            Kind::More if n.hidden_outside > 0 => fill(
                &mut place,
                self.t("flow.more-outside"),
                &[("{n}", &n.hidden_outside.to_string())],
            ),
            _ => {
                if let Some(cc) = n.country {
                    push_country(&mut place, self, cc);
                }
            }
        }
        if !place.is_empty() {
            line(out, "place", 1, &place);
        }
        if let Some(x) = n.processor {
            let places = x.places();
            if places.len() > 1 {
                place.clear();
                place.push_str(self.t("flow.also"));
                for (i, p) in places.iter().skip(1).enumerate() {
                    place.push_str(if i == 0 { " " } else { ", " });
                    place.push_str(&p.value);
                }
                line(out, "place", 2, &place);
            }
        }
        out.push_str("</g>");
        if link {
            out.push_str("</a>");
        }
    }

    /// Opens a link to `<root><folder>/<id>.html`.
    fn href(&self, out: &mut String, folder: &str, id: &str) -> bool {
        out.push_str("<a href=\"");
        out.push_str(self.root);
        out.push_str(folder);
        out.push('/');
        escape(out, id);
        out.push_str(".html\">");
        true
    }
}

fn escape(out: &mut String, s: &str) {
    svg::escape_into(out, s);
}

/// "United States (US)", or the code alone when it names no country.
fn push_country(out: &mut String, p: &Page, cc: &str) {
    match crate::reference::country_name_in(cc, p.tr.primary()) {
        Some(name) => {
            out.push_str(name);
            out.push_str(" (");
            out.push_str(cc);
            out.push(')');
        }
        None => out.push_str(cc),
    }
}

/// `template` with each `{name}` of `args` replaced by its value (plain
/// text: the caller escapes the result).
fn fill(out: &mut String, template: &str, args: &[(&str, &str)]) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        match args.iter().find(|(k, _)| tail.starts_with(k)) {
            Some((k, v)) => {
                out.push_str(v);
                rest = &tail[k.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
}
