//! CSV in the column layout of the UK ICO's documentation templates, and the
//! column logic the XLSX export shares ([`super::xlsx`]).
//!
//! One row per activity of the chosen record, in the register's order (by
//! id), read from the linked register. Each column is a header and a function from the activity to its
//! cell, so a header can never drift from its content. A cell is empty
//! where the registry says nothing: the export fills what the register
//! knows and never invents. docs/exports.md lists every column and what
//! fills it.

use crate::export::json::SCHEMA_VERSION;
use crate::i18n::Tr;
use crate::link::{Flow, Register};
use crate::model::{
    Activity, LegalBasis, Mechanism, Processor, Recipient, Safeguard, Text, Transfer,
};
use crate::reference::country_name;

/// Which Art. 30 record: the ICO's controller or processor template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    Controller,
    Processor,
}

impl Record {
    /// The columns of the record's template, in order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Record::Controller => CONTROLLER,
            Record::Processor => PROCESSOR,
        }
    }

    /// The name of the record's sheet in the XLSX workbook.
    pub fn sheet_name(self) -> &'static str {
        match self {
            Record::Controller => "Controller",
            Record::Processor => "Processor",
        }
    }

    /// How many activities the record lists: its rows below the header.
    pub fn row_count(self, r: &Register) -> usize {
        self.activities(r).count()
    }

    /// The record's activities, by id.
    fn activities<'r>(self, r: &'r Register<'r>) -> Box<dyn Iterator<Item = &'r Activity> + 'r> {
        match self {
            Record::Controller => Box::new(r.controller_activities()),
            Record::Processor => Box::new(r.processor_activities()),
        }
    }
}

/// One column of a template: its header, its width in the XLSX sheet
/// (Excel character units), and how an activity fills it.
pub struct Column {
    pub header: &'static str,
    pub width: f64,
    cell: fn(&Ctx<'_>, &Activity) -> String,
}

/// Markdown source and free text keep their text; only surrounding blank
/// space (the newline a TOML multi-line string ends with) is trimmed.
fn clean(s: &str) -> String {
    s.trim().to_string()
}

/// The text of an optional registry string.
fn text(t: &Text) -> Option<&str> {
    t.as_ref().map(|s| s.value.as_str())
}

/// The items of an optional registry list.
fn items<T>(l: &Option<crate::model::List<T>>) -> impl Iterator<Item = &T> {
    l.iter().flat_map(|l| l.value.iter()).map(|x| &x.value)
}

/// A country's English name, or its code when the bundled list lacks it.
fn country(code: &str) -> String {
    country_name(code).unwrap_or(code).to_string()
}

/// "Yes" / "No".
fn yes_no(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

/// Lower-cases the first letter of a label used inside a sentence.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A data subject or data category as an activity names it: its name
/// (the id when the entry is missing), and the Art. 9 and 10 marks.
struct CategoryName<'r> {
    name: &'r str,
    special: bool,
    criminal: bool,
}

/// The linked register and the labels, for the cells.
struct Ctx<'r> {
    tr: Tr,
    r: &'r Register<'r>,
}

impl<'r> Ctx<'r> {
    fn new(r: &'r Register<'r>) -> Ctx<'r> {
        Ctx {
            tr: Tr::new(Some("en")),
            r,
        }
    }

    fn processor_name<'a>(&self, id: &'a str) -> &'a str
    where
        'r: 'a,
    {
        self.r
            .index
            .processors
            .get(id)
            .map_or(id, |p| &p.name.value)
    }

    fn measure_name<'a>(&self, id: &'a str) -> &'a str
    where
        'r: 'a,
    {
        self.r.index.measures.get(id).map_or(id, |m| &m.name.value)
    }

    fn category<'a>(&self, id: &'a str, subjects: bool) -> CategoryName<'a>
    where
        'r: 'a,
    {
        let index = if subjects {
            &self.r.index.data_subjects
        } else {
            &self.r.index.data_categories
        };
        match index.get(id) {
            Some(c) => CategoryName {
                name: &c.name.value,
                special: c.special,
                criminal: c.criminal,
            },
            None => CategoryName {
                name: id,
                special: false,
                criminal: false,
            },
        }
    }

    /// The processors the activity names that exist, in its order.
    fn processors<'a>(&self, a: &'a Activity) -> impl Iterator<Item = &'r Processor> + 'a
    where
        'r: 'a,
    {
        let index = &self.r.index.processors;
        items(&a.processors).filter_map(move |id| index.get(id.as_str()).copied())
    }

    /// The recipients the activity names that exist, in its order.
    fn recipients<'a>(&self, a: &'a Activity) -> impl Iterator<Item = &'r Recipient> + 'a
    where
        'r: 'a,
    {
        let index = &self.r.index.recipients;
        items(&a.recipients).filter_map(move |id| index.get(id.as_str()).copied())
    }

    /// The adequacy decision in force for the transfer's country: the one
    /// place this export asks for it.
    fn adequacy_decision(&self, t: &Transfer) -> Option<&'r str> {
        self.r
            .adequacy_of(t)
            .decision_in_force()
            .map(|d| d.decision.as_str())
    }

    /// "India (Pipeline CRM Ltd)", or with the processor chain the data
    /// takes to get there: "Japan (Stratus Cloud K.K., via A → B)".
    fn flow_place(&self, f: &Flow) -> String {
        let via: Vec<&str> = match f.chain.split_last() {
            Some((_, before)) => before.iter().map(|id| self.processor_name(id)).collect(),
            None => Vec::new(),
        };
        let party_name = self.r.party_name(f.party).unwrap_or(f.party);
        let place = match (f.international_organisation, f.country) {
            (Some(code), _) => code.to_string(),
            (None, Some(c)) => country(c),
            (None, None) => String::new(),
        };
        if via.is_empty() {
            format!("{place} ({party_name})")
        } else {
            format!("{place} ({party_name}, via {})", via.join(" → "))
        }
    }

    /// What covers one transfer: mechanism, safeguard document or
    /// derogation, supplementary measures, transfer impact assessment.
    fn transfer_cover(&self, t: &Transfer) -> String {
        let mechanism = t.mechanism.value;
        let mut out = self.tr.label("mechanism", mechanism.as_str()).to_string();
        let mut details = Vec::new();
        if mechanism == Mechanism::Adequacy
            && let Some(d) = self.adequacy_decision(t)
        {
            details.push(format!("decision {d}"));
        }
        if let Some(s) = text(&t.safeguard).and_then(|id| self.r.index.safeguards.get(id)) {
            details.push(safeguard_text(s));
        }
        if let Some(d) = &t.derogation {
            details.push(self.tr.label("derogation", d.value.as_str()).to_string());
        }
        if let Some(d) = &t.authority_informed {
            details.push(format!("supervisory authority informed {}", d.value));
        }
        if !details.is_empty() {
            out.push_str(": ");
            out.push_str(&details.join(", "));
        }
        let measures: Vec<&str> = items(&t.supplementary_measures)
            .map(|m| self.measure_name(m))
            .collect();
        if !measures.is_empty() {
            out.push_str("; supplementary measures: ");
            out.push_str(&measures.join(", "));
        }
        if let Some(tia) = &t.tia {
            let mut parts = vec!["transfer impact assessment".to_string()];
            if let Some(r) = text(&tia.reference) {
                parts.push(clean(r));
            }
            if let Some(c) = &tia.completed {
                parts.push(format!("completed {}", c.value));
            }
            out.push_str("; ");
            out.push_str(&parts.join(" "));
            if let Some(o) = text(&tia.outcome) {
                out.push_str(": ");
                out.push_str(&clean(o));
            }
        }
        out
    }
}

/// "SCC between A and B (2021/914, module 3), signed 2024-09-01, approved
/// by X, document".
fn safeguard_text(s: &Safeguard) -> String {
    let mut out = clean(&s.name.value);
    let mut paren = Vec::new();
    if let Some(v) = s.scc_version() {
        paren.push(v.as_str().to_string());
    }
    let modules: Vec<String> = items(&s.scc_modules).map(i64::to_string).collect();
    if !modules.is_empty() {
        let word = if modules.len() == 1 {
            "module"
        } else {
            "modules"
        };
        paren.push(format!("{word} {}", modules.join(", ")));
    }
    if !paren.is_empty() {
        out.push_str(&format!(" ({})", paren.join(", ")));
    }
    if let Some(d) = &s.signed {
        out.push_str(&format!(", signed {}", d.value));
    }
    if let Some(a) = text(&s.approved_by) {
        out.push_str(&format!(", approved by {}", clean(a)));
    }
    if let Some(d) = text(&s.document) {
        out.push_str(&format!(", {}", clean(d)));
    }
    out
}

// ---- cells ---------------------------------------------------------------
//
// Simple lists of names are joined with "; "; entries that carry their own
// punctuation (a recipient with its country, a retention rule, a transfer)
// go one per line.

fn empty(_: &Ctx<'_>, _: &Activity) -> String {
    String::new()
}

/// "Payroll (payroll)": the activity's name, then its id, so that rows can
/// be told apart and found in the registry.
fn activity_name(_: &Ctx<'_>, a: &Activity) -> String {
    format!("{} ({})", a.name.value.trim(), a.id)
}

/// The activity's description and note (Markdown) as plain text, the
/// description first.
fn activity_notes(_: &Ctx<'_>, a: &Activity) -> String {
    [text(&a.description), text(&a.note)]
        .into_iter()
        .flatten()
        .map(crate::markdown::plain)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn business_function(_: &Ctx<'_>, a: &Activity) -> String {
    text(&a.owner).map(clean).unwrap_or_default()
}

fn purposes(_: &Ctx<'_>, a: &Activity) -> String {
    a.purposes
        .value
        .iter()
        .map(|p| p.value.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

fn joint_controllers(_: &Ctx<'_>, a: &Activity) -> String {
    a.joint_controllers
        .iter()
        .flat_map(|j| j.value.iter())
        .map(|j| {
            let mut s = clean(&j.name.value);
            if let Some(c) = text(&j.contact) {
                s.push_str(", ");
                s.push_str(&clean(c));
            }
            if let Some(x) = text(&j.arrangement) {
                s.push_str(". Arrangement: ");
                s.push_str(&clean(x));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn individuals(c: &Ctx<'_>, a: &Activity) -> String {
    a.data_subjects
        .value
        .iter()
        .map(|s| c.category(&s.value, true).name)
        .collect::<Vec<_>>()
        .join("; ")
}

fn personal_data(c: &Ctx<'_>, a: &Activity) -> String {
    a.data_categories
        .value
        .iter()
        .map(|d| {
            let d = c.category(&d.value, false);
            let mut marks = Vec::new();
            if d.special {
                marks.push("special category, Art. 9");
            }
            if d.criminal {
                marks.push("criminal convictions and offences, Art. 10");
            }
            if marks.is_empty() {
                d.name.to_string()
            } else {
                format!("{} ({})", d.name, marks.join("; "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "Ireland; data in Ireland, India": where the processor is established,
/// and where it holds the data when that is anywhere else.
fn processor_place(p: &Processor) -> String {
    let home = p.country.value.as_str();
    let locations = p.locations();
    let mut s = country(home);
    if locations.len() != 1 || locations[0].value != home {
        let names: Vec<String> = locations.iter().map(|l| country(&l.value)).collect();
        s.push_str(&format!("; data in {}", names.join(", ")));
    }
    s
}

fn recipients(c: &Ctx<'_>, a: &Activity) -> String {
    let mut lines: Vec<String> = c
        .processors(a)
        .map(|p| format!("{} (processor, {})", p.name.value, processor_place(p)))
        .collect();
    for r in c.recipients(a) {
        let mut kind = lower_first(c.tr.label("recipient-kind", r.kind.value.as_str()));
        if let Some(code) = r.international_organisation() {
            kind.push_str(&format!(" {code}"));
        }
        lines.push(match text(&r.country) {
            Some(cc) => format!("{} ({kind}, {})", r.name.value, country(cc)),
            None => format!("{} ({kind})", r.name.value),
        });
    }
    lines.join("\n")
}

fn processor_contracts(c: &Ctx<'_>, a: &Activity) -> String {
    c.processors(a)
        .filter_map(|p| {
            let mut parts = Vec::new();
            if let Some(d) = &p.dpa_signed {
                parts.push(format!("DPA signed {}", d.value));
            }
            if let Some(r) = text(&p.dpa_reference) {
                parts.push(clean(r));
            }
            (!parts.is_empty()).then(|| format!("{}: {}", p.name.value, parts.join(", ")))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The activity's flows out of the EEA, as the register links them.
fn flows<'r>(c: &Ctx<'r>, a: &Activity) -> &'r [std::sync::Arc<Flow<'r>>] {
    c.r.flows.get(a.id.as_str()).map_or(&[], Vec::as_slice)
}

fn third_countries(c: &Ctx<'_>, a: &Activity) -> String {
    flows(c, a)
        .iter()
        .map(|f| c.flow_place(f))
        .collect::<Vec<_>>()
        .join("\n")
}

fn transfer_safeguards(c: &Ctx<'_>, a: &Activity) -> String {
    let mut lines = Vec::new();
    for f in flows(c, a) {
        for t in &f.transfers {
            lines.push(format!("{}: {}", c.flow_place(f), c.transfer_cover(t)));
        }
    }
    lines.join("\n")
}

fn retention(c: &Ctx<'_>, a: &Activity) -> String {
    let all: Vec<&str> = a
        .data_categories
        .value
        .iter()
        .map(|x| x.value.as_str())
        .collect();
    a.retention
        .iter()
        .map(|r| {
            let period = r.period.as_ref().map(|p| p.value.text.as_str());
            let mut s = match (period, text(&r.from)) {
                (Some(p), Some(from)) => format!("{p} from {}", clean(from)),
                (Some(p), None) => p.to_string(),
                (None, Some(from)) => format!("No period given (from: {})", clean(from)),
                (None, None) => "No period given".to_string(),
            };
            let cats = r.categories(a);
            if cats != all {
                let names: Vec<&str> = cats.iter().map(|id| c.category(id, false).name).collect();
                s.push_str(&format!(" ({})", names.join(", ")));
            }
            if let Some(n) = text(&r.note) {
                s.push_str(". ");
                s.push_str(&crate::markdown::plain(n));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn measures(c: &Ctx<'_>, a: &Activity) -> String {
    items(&a.measures)
        .map(|id| {
            let m = c.r.index.measures.get(id.as_str());
            let mut s = c.measure_name(id).to_string();
            if let Some(k) = m.and_then(|m| m.kind.as_ref()) {
                s.push_str(&format!(
                    " ({})",
                    lower_first(c.tr.label("measure-kind", k.value.as_str()))
                ));
            }
            if let Some(d) = m.and_then(|m| text(&m.description)) {
                s.push_str(": ");
                s.push_str(&crate::markdown::plain(d));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The Art. 6 labels; for a legal obligation or a public task, which must
/// be laid down by law (Art. 6(3)), then the law relied on.
fn lawful_basis(c: &Ctx<'_>, a: &Activity) -> String {
    let mut s = items(&a.legal_bases)
        .map(|b| c.tr.label("legal-basis", b.as_str()))
        .collect::<Vec<_>>()
        .join("; ");
    let by_law = items(&a.legal_bases)
        .any(|b| matches!(b, LegalBasis::LegalObligation | LegalBasis::PublicTask));
    let provisions = legal_provisions(a);
    if by_law && !provisions.is_empty() {
        s.push_str(&format!("\nLegal provisions: {provisions}"));
    }
    s
}

/// `legal_provisions`, joined with "; ".
fn legal_provisions(a: &Activity) -> String {
    items(&a.legal_provisions)
        .map(|p| clean(p))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Does the activity name a special category (Art. 9) or criminal-offence
/// (Art. 10) data category?
fn sensitive(c: &Ctx<'_>, a: &Activity) -> bool {
    a.data_categories.value.iter().any(|d| {
        let d = c.category(&d.value, false);
        d.special || d.criminal
    })
}

/// The DPA 2018 Schedule 1 conditions are the UK's law for special
/// category data (Art. 9(2)(b), (g)-(j)) and criminal-offence data
/// (Art. 10): the column holds the law the activity relies on, for such
/// activities only.
fn schedule1_condition(c: &Ctx<'_>, a: &Activity) -> String {
    if sensitive(c, a) {
        legal_provisions(a)
    } else {
        String::new()
    }
}

fn special_condition(c: &Ctx<'_>, a: &Activity) -> String {
    a.special_category_condition
        .as_ref()
        .map(|x| {
            c.tr.label("special-condition", x.value.as_str())
                .to_string()
        })
        .unwrap_or_default()
}

fn legitimate_interest(_: &Ctx<'_>, a: &Activity) -> String {
    text(&a.legitimate_interest).map(clean).unwrap_or_default()
}

fn automated_decisions(_: &Ctx<'_>, a: &Activity) -> String {
    let made = a
        .automated_decision_making
        .as_ref()
        .is_some_and(|b| b.value);
    let mut s = yes_no(made).to_string();
    if let Some(n) = text(&a.automated_decision_note) {
        s.push_str(": ");
        s.push_str(&clean(n));
    }
    s
}

/// The rights that follow from the legal bases (link::rights), one per line.
fn rights(c: &Ctx<'_>, a: &Activity) -> String {
    c.r.rights_of(a).lines(&c.tr).join("\n")
}

fn sources(_: &Ctx<'_>, a: &Activity) -> String {
    items(&a.sources)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The systems the activity names, then where each processor stores or
/// accesses the data.
fn location(c: &Ctx<'_>, a: &Activity) -> String {
    let mut lines = Vec::new();
    let systems: Vec<&str> = items(&a.systems).map(String::as_str).collect();
    if !systems.is_empty() {
        lines.push(systems.join("; "));
    }
    for p in c.processors(a) {
        let names: Vec<String> = p.locations().iter().map(|l| country(&l.value)).collect();
        lines.push(format!("{}: {}", p.name.value, names.join(", ")));
    }
    lines.join("\n")
}

fn dpia_required(_: &Ctx<'_>, a: &Activity) -> String {
    a.dpia
        .as_ref()
        .and_then(|d| d.required.as_ref())
        .map(|b| yes_no(b.value).to_string())
        .unwrap_or_default()
}

fn dpia_progress(_: &Ctx<'_>, a: &Activity) -> String {
    let Some(d) = &a.dpia else {
        return String::new();
    };
    let mut parts = Vec::new();
    match (&d.completed, d.required.as_ref().map(|b| b.value)) {
        (Some(c), _) => parts.push(format!("Completed {}", c.value)),
        (None, Some(true)) => parts.push("Not completed".to_string()),
        _ => {}
    }
    if let Some(n) = text(&d.note) {
        parts.push(crate::markdown::plain(n));
    }
    parts.join(". ")
}

fn dpia_link(_: &Ctx<'_>, a: &Activity) -> String {
    a.dpia
        .as_ref()
        .and_then(|d| text(&d.reference))
        .map(clean)
        .unwrap_or_default()
}

/// The DPA 2018 Schedule 1 block concerns special category and criminal
/// offence data: its Art. 6 column is filled only for such activities.
fn schedule1_lawful_basis(c: &Ctx<'_>, a: &Activity) -> String {
    if sensitive(c, a) {
        lawful_basis(c, a)
    } else {
        String::new()
    }
}

fn controllers(_: &Ctx<'_>, a: &Activity) -> String {
    items(&a.controllers)
        .map(|s| clean(s))
        .collect::<Vec<_>>()
        .join("\n")
}

fn sub_processors(c: &Ctx<'_>, a: &Activity) -> String {
    c.processors(a)
        .map(|p| {
            let mut s = format!("{} ({})", p.name.value, processor_place(p));
            if let Some(contact) = text(&p.contact) {
                s.push_str(", ");
                s.push_str(&clean(contact));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const fn col(header: &'static str, width: f64, cell: fn(&Ctx<'_>, &Activity) -> String) -> Column {
    Column {
        header,
        width,
        cell,
    }
}

const THIRD_COUNTRIES: &str = "Names of third countries or international organisations that personal data are transferred to (if applicable)";
const SAFEGUARDS: &str = "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)";
const TOMS: &str =
    "General description of technical and organisational security measures (if possible)";

/// The first column of both records: which activity the row is.
const ACTIVITY: &str = "Processing activity";
/// The last column of both records: what the activity's text says.
const NOTES: &str = "Notes";

/// "Processing activity", then the ICO controller template's row 9,
/// columns A to AD, in order, then "Notes".
static CONTROLLER: &[Column] = &[
    col(ACTIVITY, 35.0, activity_name),
    col("Business function", 20.0, business_function),
    col("Purpose of processing", 40.0, purposes),
    col(
        "Name and contact details of joint controller (if applicable)",
        30.0,
        joint_controllers,
    ),
    col("Categories of individuals", 25.0, individuals),
    col("Categories of personal data", 30.0, personal_data),
    col("Categories of recipients", 40.0, recipients),
    col("Link to contract with processor", 35.0, processor_contracts),
    col(THIRD_COUNTRIES, 35.0, third_countries),
    col(SAFEGUARDS, 60.0, transfer_safeguards),
    col("Retention schedule (if possible)", 40.0, retention),
    col(TOMS, 50.0, measures),
    col(
        "Article 6 lawful basis for processing personal data",
        30.0,
        lawful_basis,
    ),
    col(
        "Article 9 condition for processing special category data",
        30.0,
        special_condition,
    ),
    col(
        "Legitimate interests for the processing (if applicable)",
        35.0,
        legitimate_interest,
    ),
    col(
        "Link to record of legitimate interests assessment (if applicable)",
        20.0,
        empty,
    ),
    col("Rights available to individuals", 40.0, rights),
    col(
        "Existence of automated decision-making, including profiling (if applicable)",
        20.0,
        automated_decisions,
    ),
    col(
        "The source of the personal data (if applicable)",
        30.0,
        sources,
    ),
    col("Link to record of consent", 20.0, empty),
    col("Location of personal data", 35.0, location),
    col(
        "Data Protection Impact Assessment required?",
        15.0,
        dpia_required,
    ),
    col(
        "Data Protection Impact Assessment progress",
        30.0,
        dpia_progress,
    ),
    col("Link to Data Protection Impact Assessment", 20.0, dpia_link),
    col("Has a personal data breach occurred?", 15.0, empty),
    col("Link to record of personal data breach", 20.0, empty),
    col(
        "Data Protection Act 2018 Schedule 1 Condition for processing",
        20.0,
        schedule1_condition,
    ),
    col(
        "GDPR Article 6 lawful basis for processing",
        30.0,
        schedule1_lawful_basis,
    ),
    col("Link to retention and erasure policy document", 20.0, empty),
    col(
        "Is personal data retained and erased in accordance with the policy document?",
        20.0,
        empty,
    ),
    col(
        "Reasons for not adhering to policy document (if applicable)",
        20.0,
        empty,
    ),
    col(NOTES, 60.0, activity_notes),
];

/// The processor record (Art. 30(2)), derived from the ICO's processor
/// guidance: controller details, categories of processing per controller,
/// transfers with safeguards, TOMs. The processor's own name, DPO and
/// representative are the contact block (the XLSX "Organisation" sheet),
/// as in the controller template.
static PROCESSOR: &[Column] = &[
    col(ACTIVITY, 35.0, activity_name),
    col("Name and contact details of controller", 40.0, controllers),
    col(
        "Name and contact details of controller's representative (if applicable)",
        25.0,
        empty,
    ),
    col("Categories of processing", 40.0, purposes),
    col(
        "Name and contact details of sub-processors (if applicable)",
        40.0,
        sub_processors,
    ),
    col(THIRD_COUNTRIES, 35.0, third_countries),
    col(SAFEGUARDS, 60.0, transfer_safeguards),
    col(TOMS, 50.0, measures),
    col(NOTES, 60.0, activity_notes),
];

/// The header row of a record's template.
pub fn headers(record: Record) -> Vec<&'static str> {
    record.columns().iter().map(|c| c.header).collect()
}

/// One row of cells per activity of the record, in the register's order.
pub fn rows<'r>(r: &'r Register<'r>, record: Record) -> impl Iterator<Item = Vec<String>> + 'r {
    let ctx = Ctx::new(r);
    record
        .activities(r)
        .map(move |a| record.columns().iter().map(|c| (c.cell)(&ctx, a)).collect())
}

/// The contact block of the ICO template's rows 1-6 (Art. 30(1)(a),
/// 30(2)(a)): a header row, then the organisation, its DPO and its
/// representative, each with name, address, email and telephone.
pub fn contact_block(r: &Register) -> Vec<[String; 5]> {
    let role = match (
        r.controller_activities().next().is_none(),
        r.processor_activities().next().is_none(),
    ) {
        (false, false) => "Controller and processor",
        (true, false) => "Processor",
        _ => "Controller",
    };
    let opt = |s: &Text| text(s).map(clean).unwrap_or_default();
    let contact = |label: &str, c: Option<&crate::model::Contact>| -> [String; 5] {
        match c {
            Some(c) => [
                label.to_string(),
                opt(&c.name),
                opt(&c.address),
                opt(&c.email),
                opt(&c.phone),
            ],
            None => [
                label.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
        }
    };
    let org = r.reg.organisation.as_ref();
    vec![
        [
            String::new(),
            "Name".into(),
            "Address".into(),
            "Email".into(),
            "Telephone".into(),
        ],
        match org {
            Some(o) => [
                role.to_string(),
                clean(&o.name.value),
                opt(&o.address),
                opt(&o.email),
                opt(&o.phone),
            ],
            None => [
                role.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
        },
        contact("Data Protection Officer", org.and_then(|o| o.dpo.as_ref())),
        contact(
            "Representative",
            org.and_then(|o| o.representative.as_ref()),
        ),
    ]
}

/// Further facts about the organisation and the record, as label/value
/// pairs (for the XLSX "Organisation" sheet, below the contact block).
/// Pairs the registry leaves empty are left out.
pub fn organisation_details(r: &Register) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(o) = &r.reg.organisation {
        let mut push = |label: &'static str, v: &Text| {
            if let Some(v) = text(v) {
                out.push((label, clean(v)));
            }
        };
        push("Trading name", &o.trading_name);
        push("Registration", &o.registration);
        push("Website", &o.website);
        out.push(("Country of main establishment", country(&o.country.value)));
        if let Some(s) = text(&o.supervisory_authority) {
            out.push(("Supervisory authority", clean(s)));
        }
    }
    out.push(("Record as of", r.as_of.to_string()));
    out.push((
        "Generated by",
        format!(
            "ropa {} (JSON register schema {SCHEMA_VERSION})",
            env!("CARGO_PKG_VERSION")
        ),
    ));
    out
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
/// carriage return first) gets a leading `'`, the OWASP advice against CSV
/// injection: registry text must never execute in a DPO's spreadsheet.
/// (The XLSX export writes cells as text and needs no such prefix.)
pub fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Writes the CSV of one record: the header row (row 1), then one row per
/// activity, each made just before it is written. RFC 4180: CRLF between
/// records, fields quoted where they hold a comma, a double quote or a
/// line break.
pub fn write_csv<W: std::io::Write>(r: &Register, record: Record, w: W) -> std::io::Result<()> {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .buffer_capacity(1 << 20)
        .from_writer(w);
    w.write_record(headers(record)).map_err(csv_io)?;
    for row in rows(r, record) {
        w.write_record(row.iter().map(|cell| neutralise_formula(cell).into_owned()))
            .map_err(csv_io)?;
    }
    w.flush()
}

/// The I/O error inside a CSV error, its kind kept (a closed pipe stays
/// `BrokenPipe`, which `ropa export | head` must keep quiet about).
fn csv_io(e: ::csv::Error) -> std::io::Error {
    if !e.is_io_error() {
        return std::io::Error::other(e);
    }
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod formula_tests {
    use super::neutralise_formula;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(
            neutralise_formula("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(neutralise_formula("@SUM(1)"), "'@SUM(1)");
        assert_eq!(neutralise_formula("-2+3"), "'-2+3");
        assert_eq!(neutralise_formula("+1"), "'+1");
        // A leading tab or carriage return also makes some programs read on.
        assert_eq!(neutralise_formula("\t=1"), "'\t=1");
        assert_eq!(neutralise_formula("\r=1"), "'\r=1");
        assert_eq!(neutralise_formula("a=1"), "a=1");
        assert_eq!(neutralise_formula("Payroll"), "Payroll");
        assert_eq!(neutralise_formula(""), "");
    }
}
