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

use rustc_hash::{FxHashMap, FxHashSet};

use crate::link::{Flow, Ground, Register};

use crate::markdown::Html;
use crate::model::{Activity, Mechanism, Processor, Recipient};

use super::super::pages::{Chrome, Page, Sorted, Warnings};
use super::svg;
use crate::i18n::Tr;

/// Parties drawn in one column; the rest are one "and N more" node.
const COLUMN: usize = 12;
/// Data subject categories drawn before "and N more".
const SUBJECTS: usize = 8;
/// Columns of sub-processors drawn; deeper ones are one "and N more" node.
const LEVELS: usize = 6;

const MARGIN: u32 = 8;
/// A box's width, as a number and in the text of its frame.
macro_rules! node_width {
    () => {
        208
    };
}
const NODE_W: u32 = node_width!();
/// Between two columns: the edges' curves, then a straight run into the
/// node on which the flow's label sits.
const GAP: u32 = 184;
const RUN: u32 = 136;
const ROW_GAP: u32 = 16;
/// Vertical distance between the labelled edges entering one node.
const PORT: u32 = 20;
/// Columns of text that fit a node's width at 13px, and a label's run.
const NAME_COLS: usize = 25;
const PLACE_COLS: usize = 30;
const LABEL_COLS: usize = 27;

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

/// Is the processor located somewhere besides its country? (As
/// [`Processor::places`] says, without making its list.)
fn elsewhere(x: &Processor) -> bool {
    x.locations
        .iter()
        .flat_map(|l| l.value.iter())
        .any(|l| l.value != x.country.value)
}

fn sub_ids(x: &Processor) -> impl Iterator<Item = &str> {
    x.sub_processors
        .iter()
        .flat_map(|l| l.value.iter())
        .map(|s| s.value.as_str())
}

/// What the flow diagrams of one build share, written once before the
/// pages: the text of each party's box (a processor's box is in the
/// diagram of every activity that uses it, and in chains), the words on
/// the edge of each flow, and each mechanism's words. A page of a build
/// without pictures has none.
pub struct Pictures<'a> {
    /// Every party's box text, in one string.
    texts: BoxTexts,
    activities: FxHashMap<&'a str, BoxText>,
    processors: FxHashMap<&'a str, BoxText>,
    /// Recipients and international organisations.
    recipients: FxHashMap<&'a str, BoxText>,
    subjects: FxHashMap<&'a str, BoxText>,
    /// The words on the edges of the flows to each party, by party.
    edges: FxHashMap<&'a str, Vec<EdgeText<'a>>>,
    mechanisms: MechanismWords,
    /// The key to the edges ([`Page::flow_legend`]).
    legend: Html,
}

/// By [`Mechanism`] (`m as usize`): the word on an edge's label, and the
/// name the transfer pages use.
struct MechanismWords {
    short: Vec<String>,
    long: Vec<String>,
}

impl MechanismWords {
    fn of(&self, m: Mechanism, long: bool) -> &str {
        let words = if long { &self.long } else { &self.short };
        &words[m as usize]
    }
}

/// The words on a flow's edge ([`Page::edge_text`]). Every flow to one
/// party and place has the same transfers and ground (the linker's
/// `Register::flow` takes both from the party and place alone; flows
/// differ only in the chain of processors that reaches the party), so the
/// same words.
struct EdgeText<'a> {
    country: Option<&'a str>,
    organisation: Option<&'a str>,
    classes: String,
    place: String,
    label: String,
    title: Option<String>,
}

/// The text of boxes, in one string: thousands of small pieces, which as
/// a string each took a tenth of the pictures' time in allocating and in
/// the fresh memory they filled.
#[derive(Default)]
struct BoxTexts {
    text: String,
    /// Byte ranges of `text`.
    pieces: Vec<std::ops::Range<usize>>,
}

/// A box in its [`BoxTexts`], all but the numbers that place it:
/// `pieces[first]` is its opening (after `<a href="{root}` for a box that
/// links) up to `<rect x="`, and each of the `lines` pieces after it what
/// follows a line's coordinates (`">`, the line, `</text>`, then the next
/// line's `<text x="` or the box's closing tags), escaped.
#[derive(Clone, Copy)]
struct BoxText {
    first: usize,
    lines: usize,
    link: bool,
}

impl BoxTexts {
    fn with_capacity(boxes: usize) -> Self {
        BoxTexts {
            text: String::with_capacity(boxes * 160),
            pieces: Vec::with_capacity(boxes * 3),
        }
    }

    fn piece(&self, i: usize) -> &str {
        &self.text[self.pieces[i].clone()]
    }

    /// Ends the piece begun at byte `start`.
    fn end_piece(&mut self, start: usize) {
        self.pieces.push(start..self.text.len());
    }

    /// Appends to the last piece.
    fn extend_last(&mut self, s: &str) {
        self.text.push_str(s);
        if let Some(last) = self.pieces.last_mut() {
            last.end = self.text.len();
        }
    }

    /// A line of the box begun at piece `first`: `line` is not escaped yet.
    fn line(&mut self, first: usize, line: &str) {
        if self.pieces.len() > first + 1 {
            self.extend_last("<text x=\"");
        }
        let start = self.text.len();
        self.text.push_str("\">");
        svg::escape_into(&mut self.text, line);
        self.text.push_str("</text>");
        self.end_piece(start);
    }
}

impl<'a> Pictures<'a> {
    /// The boxes and flows of `r`, in `tr`'s language (they do not depend
    /// on the page they are drawn on, nor on the sorted lists: this runs
    /// while those are sorted).
    pub fn new(r: &'a Register<'a>, tr: &Tr) -> Pictures<'a> {
        let (warnings, chrome, sorted) =
            (Warnings::default(), Chrome::default(), Sorted::default());
        let p = &Page {
            r,
            warnings: &warnings,
            tr,
            root: "",
            site_title: "",
            version: "",
            chrome: &chrome,
            sorted: &sorted,
            history: None,
            pictures: None,
        };
        let reg = r.reg;
        let mut texts = BoxTexts::with_capacity(
            reg.activities.len()
                + reg.processors.len()
                + reg.recipients.len()
                + reg.data_subjects.len(),
        );
        let mut scratch = String::new();
        let mut boxes = |nodes: &mut dyn Iterator<Item = Node<'a>>| {
            nodes
                .map(|n| (n.id, p.box_text(&n, &mut scratch, &mut texts)))
                .collect::<FxHashMap<_, _>>()
        };
        let activities = boxes(
            &mut reg
                .activities
                .values()
                .map(|a| node(Kind::Activity, &a.id, &a.name.value)),
        );
        let processors = boxes(&mut reg.processors.values().map(|x| processor_node(x)));
        let recipients = boxes(&mut reg.recipients.values().map(|x| recipient_node(x)));
        // A subject's name may be the page's words (a category the
        // registry does not name): its node lives only while boxed.
        let mut subjects = FxHashMap::default();
        for id in reg.data_subjects.keys() {
            let n = node(Kind::Subject, id, p.subject_name(id));
            subjects.insert(id.as_str(), p.box_text(&n, &mut scratch, &mut texts));
        }
        // `Mechanism::ALL` lists the variants in declaration order, so the
        // i-th word is that of the variant whose `as usize` is i.
        let words = |group: &str| -> Vec<String> {
            Mechanism::ALL
                .iter()
                .map(|m| p.label(group, m.as_str()).to_string())
                .collect()
        };
        let mechanisms = MechanismWords {
            short: words("flow.mechanism"),
            long: words("mechanism"),
        };
        let mut edges: FxHashMap<&'a str, Vec<EdgeText<'a>>> = FxHashMap::default();
        for f in r.flows.values().chain(r.processor_flows.values()).flatten() {
            let known = edges.entry(f.party).or_default();
            if !known.iter().any(|e| e.is_for(f)) {
                known.push(p.edge_text(&mechanisms, &mut scratch, f));
            }
        }
        Pictures {
            texts,
            activities,
            processors,
            recipients,
            subjects,
            edges,
            mechanisms,
            legend: p.legend(),
        }
    }

    fn box_of(&self, kind: Kind, id: &str) -> Option<BoxText> {
        let boxes = match kind {
            Kind::Activity => &self.activities,
            Kind::Processor => &self.processors,
            Kind::Recipient | Kind::Organisation => &self.recipients,
            Kind::Subject => &self.subjects,
            Kind::More => return None,
        };
        boxes.get(id).copied()
    }

    fn edge_of(&self, f: &Flow) -> Option<&EdgeText<'a>> {
        self.edges.get(f.party)?.iter().find(|e| e.is_for(f))
    }
}

impl EdgeText<'_> {
    fn is_for(&self, f: &Flow) -> bool {
        self.country == f.country && self.organisation == f.international_organisation
    }
}

impl<'a> Page<'a> {
    /// The activity's flow diagram (empty without pictures), drawn once
    /// for its page and its record entry (`record.rs`).
    pub fn activity_flow(&self, a: &'a Activity) -> Html {
        match self.pictures {
            Some(pics) => self.draw_activity(pics, a),
            None => Html::default(),
        }
    }

    /// The processor's chain diagram (empty without pictures); `used`:
    /// the activities that use it, by name (as its page lists them).
    pub fn processor_chain(&self, x: &'a Processor, used: &[&'a Activity]) -> Html {
        let Some(pics) = self.pictures else {
            return Html::default();
        };
        let r = self.r;
        let all = r.processor_flows.get(x.id.as_str()).map_or(&[][..], |v| v);
        let flows = Flows::new(all);
        let mut d = Diagram::new();
        if !used.is_empty() {
            d.columns += 1;
            for a in used.iter().take(COLUMN) {
                d.push(node(Kind::Activity, &a.id, &a.name.value));
            }
            d.more(used.len().saturating_sub(COLUMN), 0);
        }
        d.columns += 1;
        let me = d.push(processor_node(x));
        // Every activity's data goes to the processor's own places: each
        // edge is drawn as the flow it is (grey would read "inside the EEA").
        for i in 0..me {
            if d.nodes[i].kind == Kind::Activity {
                d.connect(i, me, &flows, r);
            }
        }
        let mut seen: FxHashSet<&'a str> = FxHashSet::default();
        seen.insert(&x.id);
        let subs = self.sub_levels(&mut d, vec![x], &mut seen, &flows);

        let mut title = String::new();
        svg::fill(
            &mut title,
            self.t("flow.chain-title"),
            &[("{name}", &x.name.value)],
        );
        let mut desc = String::new();
        svg::fill(
            &mut desc,
            self.t("flow.chain-desc"),
            &[
                ("{activities}", &used.len().to_string()),
                ("{parties}", &subs.to_string()),
                ("{outside}", &flows.parties().to_string()),
            ],
        );
        Html(self.write(pics, &mut d, "picture flow chain", &title, &desc))
    }

    fn draw_activity(&self, pics: &Pictures, a: &'a Activity) -> Html {
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
        // The sub-processors of the parties drawn: those of a party in
        // "and N more" would hang from no box.
        first.truncate(COLUMN);
        let subs = self.sub_levels(&mut d, first, &mut seen, &flows);

        let mut title = String::new();
        svg::fill(
            &mut title,
            self.t("flow.title"),
            &[("{name}", &a.name.value)],
        );
        let mut desc = String::new();
        svg::fill(
            &mut desc,
            self.t("flow.desc"),
            &[
                ("{subjects}", &subjects.len().to_string()),
                ("{parties}", &(named.len() + subs).to_string()),
                ("{outside}", &flows.parties().to_string()),
            ],
        );
        Html(self.write(pics, &mut d, "picture flow", &title, &desc))
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

    /// Where a flow goes, in words: the country, or the organisation.
    fn place_of(&self, out: &mut String, f: &Flow) {
        match (f.international_organisation, f.country) {
            (Some(code), _) => svg::fill(out, self.t("flow.organisation"), &[("{code}", code)]),
            (None, Some(cc)) => {
                let _ = self.country(cc).write_to(out);
            }
            (None, None) => {}
        }
    }

    /// The mechanisms of the flow's transfers, in words (`long`: as the
    /// transfer pages name them), or why nothing covers it.
    fn mechanisms(&self, words: &MechanismWords, out: &mut String, f: &Flow, long: bool) {
        let ground = f.ground;
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
            out.push_str(words.of(m, long));
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
    fn write(
        &self,
        pics: &Pictures,
        d: &mut Diagram<'a>,
        class: &str,
        title: &str,
        desc: &str,
    ) -> String {
        // Heights: a node grows to give each labelled edge entering it a
        // line of its own.
        for e in &d.edges {
            if e.flow.is_some() {
                d.nodes[e.to].ports += 1;
            }
        }
        // Each box's text: the build's, or written here (an "and N more",
        // or an id no entry has, on a preview with errors).
        let mut scratch = String::new();
        let mut own = BoxTexts::default();
        let boxes: Vec<(BoxText, bool)> = d
            .nodes
            .iter()
            .map(|n| match pics.box_of(n.kind, n.id) {
                Some(b) => (b, false),
                None => (self.box_text(n, &mut scratch, &mut own), true),
            })
            .collect();
        for (n, (b, _)) in d.nodes.iter_mut().zip(&boxes) {
            let base = match (n.kind, b.lines) {
                (Kind::Subject | Kind::More, 1) => 36,
                (_, 3..) => 64,
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

        let mut out = String::with_capacity(256 + 320 * d.nodes.len() + 280 * d.edges.len());
        out.push_str("<div class=\"picture-frame\">");
        svg::open(&mut out, class, width, height, title, desc, false);
        for k in 0..d.edges.len() {
            self.write_edge(pics, &mut out, &mut scratch, d, k);
        }
        for (n, (b, mine)) in d.nodes.iter().zip(boxes) {
            let texts = if mine { &own } else { &pics.texts };
            let x = MARGIN + n.col * (NODE_W + GAP);
            write_box(&mut out, self.root, texts, b, x, n.y, n.h);
        }
        svg::close(&mut out);
        out.push_str("</div>");
        out
    }

    /// The key to the flow diagrams' edges, in words: once per page (a
    /// record holds hundreds of diagrams). Empty without pictures.
    pub fn flow_legend(&self) -> &'a Html {
        static NONE: Html = Html(String::new());
        self.pictures.map_or(&NONE, |pics| &pics.legend)
    }

    /// The legend's text, the same on every page of the build.
    fn legend(&self) -> Html {
        let mut out = String::with_capacity(512);
        out.push_str("<ul class=\"legend flow-legend\">");
        for g in Ground::ALL {
            out.push_str("<li class=\"ground-");
            out.push_str(g.as_str());
            out.push_str("\"><span class=\"swatch\"></span>");
            escape(&mut out, self.label("ground", g.as_str()));
            out.push_str("</li>");
        }
        out.push_str("<li class=\"inside\"><span class=\"swatch\"></span>");
        escape(&mut out, self.t("ground.home"));
        out.push_str("</li><li class=\"unplaced\"><span class=\"swatch\"></span>");
        escape(&mut out, self.t("flow.unplaced"));
        out.push_str("</li></ul>");
        Html(out)
    }

    fn write_edge(
        &self,
        pics: &Pictures,
        out: &mut String,
        scratch: &mut String,
        d: &mut Diagram<'a>,
        k: usize,
    ) {
        let (from, to, flow) = (d.edges[k].from, d.edges[k].to, d.edges[k].flow);
        let port = {
            let t = &mut d.nodes[to];
            // Labelled edges each have a port; any other enters the middle.
            let y = if t.ports == 0 || flow.is_none() {
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
        // A flow's words, from the build's pictures (written once for all
        // the flows to one party and place), or written here.
        let own;
        let words = match flow {
            Some(f) => Some(match pics.edge_of(f) {
                Some(w) => w,
                None => {
                    own = self.edge_text(&pics.mechanisms, scratch, f);
                    &own
                }
            }),
            None => None,
        };
        out.push_str("<g class=\"");
        match words {
            Some(w) => out.push_str(&w.classes),
            None => out.push_str(d.edges[k].class),
        }
        out.push_str("\" data-from=\"");
        escape(out, s.id);
        out.push_str("\" data-to=\"");
        escape(out, t.id);
        if let Some(w) = words {
            out.push_str(&w.place);
        }
        out.push_str("\">");
        if let Some(rest) = words.and_then(|w| w.title.as_deref()) {
            out.push_str("<title>");
            escape(out, t.name);
            out.push_str(rest);
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
        // The arrowhead, in the same path (no marker, whose id would
        // repeat on a page of many pictures), relative to the edge's end:
        // the same in every edge.
        out.push_str("m-7-4l7 4-7 4\"/>");
        if let Some(w) = words {
            out.push_str("<text x=\"");
            svg::push_u32(out, x2 - 8);
            out.push_str("\" y=\"");
            svg::push_u32(out, port - 5);
            out.push_str("\" text-anchor=\"end\">");
            out.push_str(&w.label);
            out.push_str("</text>");
        }
        out.push_str("</g>");
    }

    /// A flow's words on its edge: its classes, its place as data, its
    /// label (the country and the mechanisms, shortened) and, where the
    /// label is shortened, the rest of its title after the party's name
    /// (the mechanisms in full; the page's table of transfers has them
    /// too). All escaped.
    fn edge_text<'f>(
        &self,
        words: &MechanismWords,
        scratch: &mut String,
        f: &Flow<'f>,
    ) -> EdgeText<'f> {
        let mut classes = String::with_capacity(64);
        classes.push_str("edge flow ground-");
        classes.push_str(f.ground.as_str());
        for (i, tr) in f.transfers.iter().enumerate() {
            let m = tr.mechanism.value;
            if !f.transfers[..i].iter().any(|u| u.mechanism.value == m) {
                classes.push_str(" mechanism-");
                classes.push_str(m.as_str());
            }
        }
        let mut place = String::new();
        match (f.international_organisation, f.country) {
            (Some(code), _) => {
                place.push_str("\" data-organisation=\"");
                escape(&mut place, code);
            }
            (None, Some(cc)) => {
                place.push_str("\" data-country=\"");
                escape(&mut place, cc);
            }
            (None, None) => {}
        }
        scratch.clear();
        scratch.push_str(f.international_organisation.or(f.country).unwrap_or(""));
        scratch.push_str(" · ");
        self.mechanisms(words, scratch, f, false);
        let shown = svg::shorten(scratch, LABEL_COLS);
        let title = (shown.len() != scratch.len()).then(|| {
            let mut rest = String::new();
            rest.push_str(" → ");
            self.place_of(&mut rest, f);
            rest.push_str(": ");
            self.mechanisms(words, &mut rest, f, true);
            svg::escaped(&rest)
        });
        EdgeText {
            country: f.country,
            organisation: f.international_organisation,
            label: svg::escaped(&shown),
            classes,
            place,
            title,
        }
    }

    /// A box's text without its place, into `texts`: a party's link,
    /// classes and data, its full name where the box shortens it, and its
    /// lines (the name, then its places), the same in every picture it is
    /// in; or an "and N more", which links nowhere and says how many.
    fn box_text(&self, n: &Node, scratch: &mut String, texts: &mut BoxTexts) -> BoxText {
        let first = texts.pieces.len();
        let start = texts.text.len();
        let head = &mut texts.text;
        let link = n.kind != Kind::More;
        match n.kind {
            Kind::Subject => {
                head.push_str("categories.html#subject-");
                escape(head, n.id);
            }
            Kind::Activity => page_path(head, "activities", n.id),
            Kind::Processor => page_path(head, "processors", n.id),
            Kind::Recipient | Kind::Organisation => page_path(head, "recipients", n.id),
            Kind::More => {}
        }
        if link {
            head.push_str("\">");
        }
        head.push_str("<g class=\"");
        head.push_str(n.kind.class());
        if link {
            head.push_str("\" data-id=\"");
            escape(head, n.id);
        }
        if let Some(cc) = n.country {
            head.push_str("\" data-country=\"");
            escape(head, cc);
        }
        if let Some(code) = n.organisation {
            head.push_str("\" data-organisation=\"");
            escape(head, code);
        }
        head.push_str("\">");
        let line = scratch;
        line.clear();
        if n.kind == Kind::More {
            svg::fill(
                line,
                self.t("pictures.more"),
                &[("{n}", &n.hidden.to_string())],
            );
        } else {
            line.push_str(n.name);
        }
        let short = svg::shorten(line, NAME_COLS);
        // The whole name, where the box shows less of it.
        if short.len() != line.len() && link {
            head.push_str("<title>");
            escape(head, line);
            head.push_str("</title>");
        }
        head.push_str("<rect x=\"");
        texts.end_piece(start);
        texts.line(first, &short);
        line.clear();
        match n.kind {
            Kind::Activity => line.push_str(self.t("kind.activity")),
            Kind::Organisation => {
                svg::fill(
                    line,
                    self.t("flow.organisation"),
                    &[("{code}", n.organisation.unwrap_or(""))],
                );
            }
            Kind::More => {
                if n.hidden_outside > 0 {
                    svg::fill(
                        line,
                        self.t("flow.more-outside"),
                        &[("{n}", &n.hidden_outside.to_string())],
                    );
                }
            }
            _ => {
                if let Some(cc) = n.country {
                    let _ = self.country(cc).write_to(line);
                }
            }
        }
        if !line.is_empty() {
            texts.line(first, &svg::shorten(line, PLACE_COLS));
        }
        if let Some(x) = n.processor.filter(|x| elsewhere(x)) {
            line.clear();
            line.push_str(self.t("flow.also"));
            for (i, p) in x.places().iter().skip(1).enumerate() {
                line.push_str(if i == 0 { " " } else { ", " });
                line.push_str(&p.value);
            }
            texts.line(first, &svg::shorten(line, PLACE_COLS));
        }
        texts.extend_last(if link { "</g></a>" } else { "</g>" });
        BoxText {
            first,
            lines: texts.pieces.len() - first - 1,
            link,
        }
    }
}

/// Writes box `b` of `texts` at `x`, `y`, `h` high: its frame, then its
/// lines, the name first, its places after (the theme tells them apart by
/// position: no class on each).
fn write_box(out: &mut String, root: &str, texts: &BoxTexts, b: BoxText, x: u32, y: u32, h: u32) {
    if b.link {
        out.push_str("<a href=\"");
        out.push_str(root);
    }
    out.push_str(texts.piece(b.first));
    svg::push_u32(out, x);
    out.push_str("\" y=\"");
    svg::push_u32(out, y);
    out.push_str(concat!("\" width=\"", node_width!(), "\" height=\""));
    svg::push_u32(out, h);
    out.push_str("\" rx=\"6\"/><text x=\"");
    for k in 0..b.lines {
        svg::push_u32(out, x + 10);
        out.push_str("\" y=\"");
        svg::push_u32(out, y + 22 + 16 * k as u32);
        out.push_str(texts.piece(b.first + 1 + k));
    }
}

/// `<folder>/<id>.html`, escaped.
fn page_path(out: &mut String, folder: &str, id: &str) {
    out.push_str(folder);
    out.push('/');
    escape(out, id);
    out.push_str(".html");
}

fn escape(out: &mut String, s: &str) {
    svg::escape_into(out, s);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Tr;
    use crate::load::load_files;
    use crate::model::Date;
    use crate::render::pages::{Chrome, Sorted, Warnings};
    use quick_xml::events::Event;

    const ADEQUACY: &str = r#"
as_of = 2026-11-01
eea = ["SE", "DE"]

[countries.JP]
decision = "(EU) 2019/419"
adopted = 2019-01-23
"#;

    /// One element of a parsed picture: its name, attributes, parent, text.
    struct El {
        name: String,
        attrs: Vec<(String, String)>,
        parent: Option<usize>,
        text: String,
    }

    impl El {
        fn attr(&self, key: &str) -> Option<&str> {
            self.attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        }

        fn has_class(&self, class: &str) -> bool {
            self.attr("class")
                .is_some_and(|c| c.split(' ').any(|x| x == class))
        }
    }

    /// The `<svg>` of `html`, parsed as XML on its own (panics when it is
    /// not well-formed), every element in document order.
    fn parse(html: &str) -> Vec<El> {
        let start = html.find("<svg").expect("an svg");
        let end = html.find("</svg>").expect("its end") + "</svg>".len();
        let mut reader = quick_xml::Reader::from_str(&html[start..end]);
        let mut els: Vec<El> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        loop {
            let event = reader.read_event().expect("well-formed XML");
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let name = e.name().as_ref().to_string();
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.expect("an attribute");
                            (
                                a.key.as_ref().to_string(),
                                a.normalized_value(quick_xml::XmlVersion::default())
                                    .expect("escaped")
                                    .into_owned(),
                            )
                        })
                        .collect();
                    els.push(El {
                        name,
                        attrs,
                        parent: open.last().copied(),
                        text: String::new(),
                    });
                    if matches!(event, Event::Start(_)) {
                        open.push(els.len() - 1);
                    }
                }
                Event::End(_) => {
                    open.pop();
                }
                Event::Text(t) => {
                    let s: &str = &t;
                    if let Some(&i) = open.last() {
                        els[i].text.push_str(s);
                    }
                }
                Event::GeneralRef(r) => {
                    let c = match &*r {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "#39" => "'",
                        other => panic!("unexpected entity {other:?}"),
                    };
                    if let Some(&i) = open.last() {
                        els[i].text.push_str(c);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        els
    }

    fn file(path: &str, text: &str) -> (String, Vec<u8>) {
        (path.to_string(), text.as_bytes().to_vec())
    }

    fn processor(name: &str, country: &str, extra: &str) -> String {
        format!("name = \"{name}\"\nservice = \"s\"\ncountry = \"{country}\"\n{extra}")
    }

    fn transfer(to: &str, country: &str, mechanism: &str) -> String {
        format!("to = \"{to}\"\ncountry = \"{country}\"\nmechanism = \"{mechanism}\"\n")
    }

    fn activity(subjects: &str, processors: &str, recipients: &str) -> String {
        format!(
            "name = \"A\"\npurposes = [\"p\"]\nlegal_bases = [\"contract\"]\ndata_subjects = [{subjects}]\ndata_categories = [\"c\"]\nprocessors = [{processors}]\nrecipients = [{recipients}]\n"
        )
    }

    /// Renders with a page of the registry of `files`, one folder down.
    fn with_page<T>(files: Vec<(String, Vec<u8>)>, f: impl FnOnce(&Page) -> T) -> T {
        let loaded = load_files(files);
        let adequacy = loaded.registry.adequacy.as_ref().expect("its own list");
        let as_of = Date::new(2026, 11, 1).expect("a date");
        let r = Register::new(&loaded.registry, adequacy, as_of);
        let tr = Tr::new(None);
        let warnings = Warnings::default();
        let chrome = Chrome::default();
        let sorted = Sorted::new(&r, &tr);
        let p = Page {
            r: &r,
            warnings: &warnings,
            tr: &tr,
            root: "../",
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
        f(&p)
    }

    fn sample() -> Vec<(String, Vec<u8>)> {
        vec![
            file("adequacy.toml", ADEQUACY),
            file(
                "processors/home.toml",
                &processor(
                    "Home <&\\\" Co",
                    "SE",
                    "sub_processors = [\"plain\", \"tokyo\"]\n",
                ),
            ),
            file("processors/plain.toml", &processor("Plain", "US", "")),
            file("processors/tokyo.toml", &processor("Tokyo", "JP", "")),
            file(
                "processors/multi.toml",
                &processor(
                    "A very long processor name that cannot fit one node",
                    "DE",
                    "locations = [\"US\", \"IN\"]\n",
                ),
            ),
            file(
                "transfers/tokyo-jp.toml",
                &transfer("tokyo", "JP", "adequacy"),
            ),
            file("transfers/multi-us.toml", &transfer("multi", "US", "scc")),
            file(
                "transfers/multi-us-bcr.toml",
                &transfer("multi", "US", "bcr"),
            ),
            file(
                "transfers/multi-in.toml",
                &transfer("multi", "IN", "derogation"),
            ),
            file(
                "recipients/epo.toml",
                "name = \"European Patent Organisation\"\nkind = \"international-organisation\"\ninternational_organisation = \"EPO\"\ncountry = \"DE\"\n",
            ),
            file(
                "recipients/buyers.toml",
                "name = \"Buyers\"\nkind = \"category\"\n",
            ),
            file(
                "activities/a.toml",
                &activity(
                    "\"s\", \"t\"",
                    "\"home\", \"multi\", \"missing\"",
                    "\"epo\", \"buyers\"",
                ),
            ),
        ]
    }

    fn nodes(els: &[El]) -> Vec<&El> {
        els.iter()
            .filter(|e| e.name == "g" && e.has_class("node"))
            .collect()
    }

    fn edges(els: &[El]) -> Vec<&El> {
        els.iter()
            .filter(|e| e.name == "g" && e.has_class("edge"))
            .collect()
    }

    /// The text of the first `name` element inside element `i`.
    fn child(els: &[El], parent: &El, name: &str) -> Option<String> {
        let i = els.iter().position(|e| std::ptr::eq(e, parent))?;
        els.iter()
            .find(|e| e.parent == Some(i) && e.name == name)
            .map(|e| e.text.clone())
    }

    #[test]
    fn an_activity_draws_each_party_and_each_flow_by_its_ground() {
        with_page(sample(), |p| {
            let a = &*p.r.reg.activities["a"];
            let html = p.activity_flow(a).0;
            assert!(html.starts_with("<div class=\"picture-frame\"><svg class=\"picture flow\""));
            assert!(!html.contains("http") && !html.contains("xmlns") && !html.contains("style"));
            let els = parse(&html);
            assert_eq!(els[0].name, "svg");
            assert_eq!(
                (els[1].name.as_str(), els[2].name.as_str()),
                ("title", "desc")
            );
            assert!(
                els[2].text.contains("Parties outside the EEA: 4"),
                "{}",
                els[2].text
            );

            let ns = nodes(&els);
            let node = |id: &str| {
                *ns.iter()
                    .find(|n| n.attr("data-id") == Some(id))
                    .unwrap_or_else(|| panic!("node {id}"))
            };
            assert!(node("s").has_class("subject") && node("t").has_class("subject"));
            assert!(node("a").has_class("activity"));
            for (id, cc) in [
                ("home", "SE"),
                ("plain", "US"),
                ("tokyo", "JP"),
                ("multi", "DE"),
            ] {
                assert!(node(id).has_class("processor"), "{id}");
                assert_eq!(node(id).attr("data-country"), Some(cc), "{id}");
            }
            assert!(node("epo").has_class("organisation"));
            assert_eq!(node("epo").attr("data-organisation"), Some("EPO"));
            assert_eq!(node("epo").attr("data-country"), None);
            assert!(node("buyers").has_class("recipient"));
            assert_eq!(node("buyers").attr("data-country"), None);
            assert_eq!(ns.len(), 9, "a dangling id draws nothing");
            // Nodes link to their pages, one folder down.
            for (id, href) in [
                ("s", "../categories.html#subject-s"),
                ("a", "../activities/a.html"),
                ("home", "../processors/home.html"),
                ("epo", "../recipients/epo.html"),
            ] {
                let i = els
                    .iter()
                    .position(|e| std::ptr::eq(e, node(id)))
                    .expect("a node");
                let parent = els[i].parent.map(|j| &els[j]).expect("a link");
                assert_eq!(
                    (parent.name.as_str(), parent.attr("href")),
                    ("a", Some(href))
                );
            }
            // The long name is shortened, whole in its title; the name
            // with XML's specials comes back as written.
            let long = "A very long processor name that cannot fit one node";
            assert_eq!(child(&els, node("multi"), "title").as_deref(), Some(long));
            let shown = els
                .iter()
                .find(|e| e.name == "text" && e.text.starts_with("A very"))
                .expect("its name");
            assert!(shown.text.ends_with('…') && svg::columns(&shown.text) <= NAME_COLS);
            // A name that fits needs no title; XML's specials come back.
            assert_eq!(child(&els, node("home"), "title"), None);
            assert!(
                els.iter()
                    .any(|e| e.name == "text" && e.text == "Home <&\" Co")
            );

            let es = edges(&els);
            let edge = |from: &str, to: &str| -> Vec<&El> {
                es.iter()
                    .filter(|e| e.attr("data-from") == Some(from) && e.attr("data-to") == Some(to))
                    .copied()
                    .collect()
            };
            assert_eq!(edge("s", "a").len(), 1);
            let home = edge("a", "home");
            assert!(home.len() == 1 && home[0].has_class("inside"));
            // The uncovered flow stands out, and says so in words.
            let plain = edge("home", "plain");
            assert_eq!(plain.len(), 1);
            assert!(plain[0].has_class("flow") && plain[0].has_class("ground-uncovered"));
            assert_eq!(plain[0].attr("data-country"), Some("US"));
            assert_eq!(
                child(&els, plain[0], "text").as_deref(),
                Some("US · no transfer recorded")
            );
            let tokyo = edge("home", "tokyo");
            assert!(
                tokyo[0].has_class("ground-adequacy") && tokyo[0].has_class("mechanism-adequacy")
            );
            // Two places outside the EEA: two flows, each with its label.
            let multi = edge("a", "multi");
            assert_eq!(multi.len(), 2);
            let us = multi
                .iter()
                .find(|e| e.attr("data-country") == Some("US"))
                .expect("US");
            assert!(
                us.has_class("ground-safeguard")
                    && us.has_class("mechanism-scc")
                    && us.has_class("mechanism-bcr")
            );
            assert_eq!(child(&els, us, "text").as_deref(), Some("US · SCCs, BCRs"));
            let india = multi
                .iter()
                .find(|e| e.attr("data-country") == Some("IN"))
                .expect("IN");
            assert!(
                india.has_class("ground-derogation") && india.has_class("mechanism-derogation")
            );
            let epo = edge("a", "epo");
            assert_eq!(epo[0].attr("data-organisation"), Some("EPO"));
            assert!(epo[0].has_class("ground-uncovered"));
            assert!(edge("a", "buyers")[0].has_class("unplaced"));
            // At least one flow edge per flow of the activity.
            for f in p.r.flows_of_activity(a) {
                let code = f.international_organisation.or(f.country);
                assert!(
                    es.iter().any(|e| e.has_class("flow")
                        && e.attr("data-to") == Some(f.party)
                        && (e.attr("data-country").or(e.attr("data-organisation"))) == code),
                    "{} {code:?}",
                    f.party
                );
            }
            // The legend names the four grounds in words.
            let legend = &p.flow_legend().0;
            for g in Ground::ALL {
                assert!(legend.contains(&format!("<li class=\"ground-{}\">", g.as_str())));
            }
            assert!(legend.contains("Derogation (Art. 49)</li>"));
            // The same register draws the same bytes.
            assert_eq!(p.activity_flow(a).0, html);
        });
    }

    #[test]
    fn a_party_in_and_n_more_brings_no_sub_processor_hanging_from_no_box() {
        let mut files = sample()
            .into_iter()
            .filter(|(p, _)| !p.starts_with("activities/") && !p.starts_with("processors/"))
            .collect::<Vec<_>>();
        let ids: Vec<String> = (0..COLUMN + 1).map(|i| format!("p{i:02}")).collect();
        for id in &ids {
            // The last one, in "and 1 more", engages a sub-processor.
            let extra = if *id == ids[COLUMN] {
                "sub_processors = [\"deep\"]\n"
            } else {
                ""
            };
            files.push(file(
                &format!("processors/{id}.toml"),
                &processor(id, "SE", extra),
            ));
        }
        files.push(file("processors/deep.toml", &processor("Deep", "SE", "")));
        let list: Vec<String> = ids.iter().map(|i| format!("\"{i}\"")).collect();
        files.push(file(
            "activities/a.toml",
            &activity("\"s\"", &list.join(", "), ""),
        ));
        with_page(files, |p| {
            let html = p.activity_flow(&p.r.reg.activities["a"]).0;
            let els = parse(&html);
            let drawn: Vec<_> = nodes(&els)
                .iter()
                .filter_map(|n| n.attr("data-id"))
                .collect();
            assert!(drawn.contains(&"p00") && !drawn.contains(&ids[COLUMN].as_str()));
            assert!(!drawn.contains(&"deep"), "{drawn:?}");
            assert!(nodes(&els).iter().any(|n| n.has_class("more")));
            // Every edge leaves and enters a box that is drawn.
            for e in edges(&els) {
                for end in [e.attr("data-from"), e.attr("data-to")]
                    .into_iter()
                    .flatten()
                {
                    assert!(drawn.contains(&end), "{end} is not drawn");
                }
            }
        });
    }

    #[test]
    fn mechanism_words_are_found_by_the_variant() {
        // `MechanismWords::of` indexes by `m as usize`.
        for (i, m) in Mechanism::ALL.iter().enumerate() {
            assert_eq!(*m as usize, i, "{m:?}");
        }
        with_page(sample(), |p| {
            let pics = p.pictures.expect("pictures");
            assert_eq!(
                pics.mechanisms.of(Mechanism::Scc, false),
                p.label("flow.mechanism", "scc")
            );
            assert_eq!(
                pics.mechanisms.of(Mechanism::Derogation, true),
                p.label("mechanism", "derogation")
            );
        });
    }

    #[test]
    fn the_boxes_and_edges_written_once_are_those_drawn_each_time() {
        with_page(sample(), |p| {
            let a = &*p.r.reg.activities["a"];
            let x = &*p.r.reg.processors["home"];
            let used = [a];
            let cached = (p.activity_flow(a).0, p.processor_chain(x, &used).0);
            // The same pictures with no box and no edge's words made
            // beforehand: each is written where it is drawn.
            let mut none = Pictures::new(p.r, p.tr);
            for boxes in [
                &mut none.activities,
                &mut none.processors,
                &mut none.recipients,
                &mut none.subjects,
            ] {
                boxes.clear();
            }
            none.edges.clear();
            let p = Page {
                pictures: Some(&none),
                ..*p
            };
            assert_eq!(cached.0, p.activity_flow(a).0);
            assert_eq!(cached.1, p.processor_chain(x, &used).0);
            assert!(cached.0.contains("processors/home.html"));
        });
    }

    #[test]
    fn a_processor_chain_shows_its_activities_and_sub_processors() {
        with_page(sample(), |p| {
            let x = &*p.r.reg.processors["home"];
            let used = p.activities_using(&p.r.activities_by_processor, &x.id);
            let html = p.processor_chain(x, &used).0;
            assert!(html.contains("<svg class=\"picture flow chain\""));
            let els = parse(&html);
            let ns = nodes(&els);
            let ids: Vec<_> = ns.iter().filter_map(|n| n.attr("data-id")).collect();
            assert_eq!(ids, ["a", "home", "plain", "tokyo"]);
            let es = edges(&els);
            assert!(es.iter().any(|e| e.attr("data-from") == Some("a")
                && e.attr("data-to") == Some("home")
                && e.has_class("inside")));
            let to_plain = es
                .iter()
                .find(|e| e.attr("data-to") == Some("plain"))
                .expect("an edge to plain");
            assert!(
                to_plain.has_class("ground-uncovered")
                    && to_plain.attr("data-country") == Some("US")
            );
        });
    }

    #[test]
    fn a_hostile_registry_draws_a_bounded_picture() {
        let mut files = vec![file("adequacy.toml", ADEQUACY)];
        // A processor with 2,000 sub-processors, and a chain 300 deep
        // that ends in a cycle back to its start.
        let subs: Vec<String> = (0..2000).map(|i| format!("\"w{i}\"")).collect();
        files.push(file(
            "processors/hub.toml",
            &processor(
                "Hub",
                "US",
                &format!("sub_processors = [{}, \"c0\"]\n", subs.join(", ")),
            ),
        ));
        for i in 0..2000 {
            files.push(file(
                &format!("processors/w{i}.toml"),
                &processor("W", "IN", ""),
            ));
        }
        for i in 0..300 {
            let next = if i == 299 {
                "c0".to_string()
            } else {
                format!("c{}", i + 1)
            };
            files.push(file(
                &format!("processors/c{i}.toml"),
                &processor(
                    "C",
                    "SE",
                    &format!("sub_processors = [\"{next}\", \"hub\"]\n"),
                ),
            ));
        }
        let many: Vec<String> = (0..40).map(|i| format!("\"s{i}\"")).collect();
        files.push(file(
            "activities/a.toml",
            &activity(&many.join(", "), "\"hub\"", ""),
        ));
        with_page(files, |p| {
            let a = &*p.r.reg.activities["a"];
            let html = p.activity_flow(a).0;
            assert!(html.len() < 200_000, "{} bytes", html.len());
            let els = parse(&html);
            let ns = nodes(&els);
            let more: Vec<_> = ns.iter().filter(|n| n.has_class("more")).collect();
            // Subjects (7 + more), the hub's column (12 + more), the
            // chain's levels, and one node for what is deeper.
            assert!(
                ns.len() <= SUBJECTS + 2 + (LEVELS + 1) * (COLUMN + 1),
                "{}",
                ns.len()
            );
            assert_eq!(
                ns.iter().filter(|n| n.has_class("subject")).count(),
                SUBJECTS - 1
            );
            assert!(
                html.contains("and 33 more"),
                "subjects left out are counted"
            );
            assert!(
                html.contains("and 1989 more"),
                "sub-processors left out are counted"
            );
            assert!(html.contains("1988 of them outside the EEA"));
            assert!(more.len() >= 3);
            let svg = &els[0];
            let width: u32 = svg
                .attr("width")
                .and_then(|w| w.parse().ok())
                .expect("a width");
            assert!(width <= 2 * MARGIN + (LEVELS as u32 + 4) * (NODE_W + GAP));
            // The description counts; it names no party.
            assert!(els[2].text.len() < 300, "{}", els[2].text);
            let x = &*p.r.reg.processors["c0"];
            let used = p.activities_using(&p.r.activities_by_processor, &x.id);
            let chain = p.processor_chain(x, &used).0;
            assert!(chain.len() < 200_000);
            assert!(parse(&chain).len() > 10);
        });
    }

    #[test]
    fn every_language_names_what_the_pictures_say() {
        for lang in ["en", "nl", "de", "fr"] {
            let tr = Tr::new(Some(lang));
            let english = Tr::new(None);
            let keys = Ground::ALL
                .iter()
                .map(|g| format!("ground.{}", g.as_str()))
                .chain(
                    ["adequacy", "scc", "bcr", "derogation", "ad-hoc-clauses"]
                        .map(|m| format!("flow.mechanism.{m}")),
                );
            for key in keys {
                assert_ne!(tr.t(&key), key, "{lang}");
                if lang != "en" && !key.ends_with("bcr") && !key.ends_with("certification") {
                    assert_ne!(tr.t(&key), english.t(&key), "{lang} {key} is translated");
                }
            }
        }
    }
}
