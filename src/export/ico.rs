//! CSV in the column layout of the UK ICO's documentation templates, and the
//! column logic the XLSX export shares ([`super::xlsx`]).
//!
//! One row per activity of the chosen record, in the register's order (by
//! id). Each column is a header and a function from the activity to its
//! cell, so a header can never drift from its content. A cell is empty
//! where the registry says nothing: the export fills what the register
//! knows and never invents. docs/exports.md lists every column and what
//! fills it.

use std::collections::HashMap;

use serde::Serialize;

use super::json::{
    ActivityJson, ContactJson, FlowJson, FlowTransferRef, MeasureJson, ProcessorJson, ProcessorRef,
    RegisterJson, SafeguardJson, TransferJson,
};
use crate::i18n::Tr;
use crate::model::Mechanism;
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

    fn activities<'r>(self, register: &'r RegisterJson<'r>) -> &'r [ActivityJson<'r>] {
        match self {
            Record::Controller => &register.controller_record.activities,
            Record::Processor => &register.processor_record.activities,
        }
    }
}

/// One column of a template: its header, its width in the XLSX sheet
/// (Excel character units), and how an activity fills it.
pub struct Column {
    pub header: &'static str,
    pub width: f64,
    cell: fn(&Ctx<'_>, &ActivityJson) -> String,
}

/// Markdown source and free text keep their text; only surrounding blank
/// space (the newline a TOML multi-line string ends with) is trimmed.
fn clean(s: &str) -> String {
    s.trim().to_string()
}

/// A value serialised as a JSON string (the register's date and country
/// code newtypes), as plain text.
fn plain<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
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

/// Lookups by id, built once per export.
struct Ctx<'r> {
    tr: Tr,
    processors: HashMap<&'r str, &'r ProcessorJson<'r>>,
    transfers: HashMap<&'r str, &'r TransferJson<'r>>,
    safeguards: HashMap<&'r str, &'r SafeguardJson<'r>>,
    measures: HashMap<&'r str, &'r MeasureJson<'r>>,
    categories: HashMap<&'r str, &'r str>,
}

impl<'r> Ctx<'r> {
    fn new(r: &'r RegisterJson) -> Ctx<'r> {
        Ctx {
            tr: Tr::new(Some("en")),
            processors: r.processors.iter().map(|p| (p.id, p)).collect(),
            transfers: r.transfers.iter().map(|t| (t.id, t)).collect(),
            safeguards: r.safeguards.iter().map(|s| (s.id, s)).collect(),
            measures: r.measures.iter().map(|m| (m.id, m)).collect(),
            categories: r.data_categories.iter().map(|c| (c.id, c.name)).collect(),
        }
    }

    fn processor_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.processors.get(id).map_or(id, |p| p.name)
    }

    fn measure_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.measures.get(id).map_or(id, |m| m.name)
    }

    fn category_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.categories.get(id).copied().unwrap_or(id)
    }

    /// "India (Pipeline CRM Ltd)", or with the processor chain the data
    /// takes to get there: "Japan (Stratus Cloud K.K., via A → B)".
    fn flow_place(&self, f: &FlowJson) -> String {
        let via: Vec<&str> = match f.chain.split_last() {
            Some((_, before)) => before.iter().map(|id| self.processor_name(id)).collect(),
            None => Vec::new(),
        };
        if via.is_empty() {
            format!("{} ({})", country(&plain(&f.country)), f.party_name)
        } else {
            format!(
                "{} ({}, via {})",
                country(&plain(&f.country)),
                f.party_name,
                via.join(" → ")
            )
        }
    }

    /// What covers one transfer: mechanism, safeguard document or
    /// derogation, supplementary measures, transfer impact assessment.
    fn transfer_cover(&self, t: &FlowTransferRef) -> String {
        let mut out = self.tr.label("mechanism", t.mechanism.as_str()).to_string();
        let full = self.transfers.get(t.id);
        let mut details = Vec::new();
        if t.mechanism == Mechanism::Adequacy
            && let Some(d) = full.and_then(|x| x.adequacy.decision)
        {
            details.push(format!("decision {d}"));
        }
        if let Some(s) = t.safeguard.and_then(|id| self.safeguards.get(id)) {
            details.push(safeguard_text(s));
        }
        if let Some(d) = full.and_then(|x| x.derogation) {
            details.push(self.tr.label("derogation", d.as_str()).to_string());
        }
        if !details.is_empty() {
            out.push_str(": ");
            out.push_str(&details.join(", "));
        }
        if let Some(full) = full {
            if !full.supplementary_measures.is_empty() {
                let names: Vec<&str> = full
                    .supplementary_measures
                    .iter()
                    .map(|m| self.measure_name(m))
                    .collect();
                out.push_str("; supplementary measures: ");
                out.push_str(&names.join(", "));
            }
            if let Some(tia) = &full.tia {
                let mut parts = vec!["transfer impact assessment".to_string()];
                if let Some(r) = &tia.reference {
                    parts.push(clean(r));
                }
                if let Some(c) = &tia.completed {
                    parts.push(format!("completed {}", plain(c)));
                }
                out.push_str("; ");
                out.push_str(&parts.join(" "));
                if let Some(o) = &tia.outcome {
                    out.push_str(": ");
                    out.push_str(&clean(o));
                }
            }
        }
        out
    }
}

/// "SCC between A and B (2021/914, module 3), signed 2024-09-01, approved
/// by X, document".
fn safeguard_text(s: &SafeguardJson) -> String {
    let mut out = clean(s.name);
    let mut paren = Vec::new();
    if let Some(v) = s.scc_version {
        paren.push(v.as_str().to_string());
    }
    if !s.scc_modules.is_empty() {
        let m: Vec<String> = s.scc_modules.iter().map(i64::to_string).collect();
        let word = if m.len() == 1 { "module" } else { "modules" };
        paren.push(format!("{word} {}", m.join(", ")));
    }
    if !paren.is_empty() {
        out.push_str(&format!(" ({})", paren.join(", ")));
    }
    if let Some(d) = &s.signed {
        out.push_str(&format!(", signed {}", plain(d)));
    }
    if let Some(a) = &s.approved_by {
        out.push_str(&format!(", approved by {}", clean(a)));
    }
    if let Some(d) = &s.document {
        out.push_str(&format!(", {}", clean(d)));
    }
    out
}

// ---- cells ---------------------------------------------------------------
//
// Simple lists of names are joined with "; "; entries that carry their own
// punctuation (a recipient with its country, a retention rule, a transfer)
// go one per line.

fn empty(_: &Ctx<'_>, _: &ActivityJson) -> String {
    String::new()
}

fn business_function(_: &Ctx<'_>, a: &ActivityJson) -> String {
    a.owner.map(clean).unwrap_or_default()
}

fn purposes(_: &Ctx<'_>, a: &ActivityJson) -> String {
    a.purposes.join("; ")
}

fn joint_controllers(_: &Ctx<'_>, a: &ActivityJson) -> String {
    a.joint_controllers
        .iter()
        .map(|j| {
            let mut s = clean(j.name);
            if let Some(c) = &j.contact {
                s.push_str(", ");
                s.push_str(&clean(c));
            }
            if let Some(x) = &j.arrangement {
                s.push_str(". Arrangement: ");
                s.push_str(&clean(x));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn individuals(_: &Ctx<'_>, a: &ActivityJson) -> String {
    a.data_subjects
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join("; ")
}

fn personal_data(_: &Ctx<'_>, a: &ActivityJson) -> String {
    a.data_categories
        .iter()
        .map(|c| {
            let mut marks = Vec::new();
            if c.special {
                marks.push("special category, Art. 9");
            }
            if c.criminal {
                marks.push("criminal convictions and offences, Art. 10");
            }
            if marks.is_empty() {
                c.name.to_string()
            } else {
                format!("{} ({})", c.name, marks.join("; "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "Pipeline CRM Ltd (processor, Ireland; data in Ireland, India)".
fn processor_place(p: &ProcessorRef) -> String {
    let home = plain(&p.country);
    let locations: Vec<String> = p.locations.iter().map(plain).collect();
    let mut s = country(&home);
    if locations.len() != 1 || locations[0] != home {
        let names: Vec<String> = locations.iter().map(|c| country(c)).collect();
        s.push_str(&format!("; data in {}", names.join(", ")));
    }
    s
}

fn recipients(c: &Ctx<'_>, a: &ActivityJson) -> String {
    let mut lines: Vec<String> = a
        .processors
        .iter()
        .map(|p| format!("{} (processor, {})", p.name, processor_place(p)))
        .collect();
    for r in &a.recipients {
        let kind = lower_first(c.tr.label("recipient-kind", r.kind.as_str()));
        lines.push(match &r.country {
            Some(cc) => format!("{} ({kind}, {})", r.name, country(&plain(cc))),
            None => format!("{} ({kind})", r.name),
        });
    }
    lines.join("\n")
}

fn processor_contracts(c: &Ctx<'_>, a: &ActivityJson) -> String {
    a.processors
        .iter()
        .filter_map(|p| {
            let full = c.processors.get(p.id);
            let mut parts = Vec::new();
            if let Some(d) = &p.dpa_signed {
                parts.push(format!("DPA signed {}", plain(d)));
            }
            if let Some(r) = full.and_then(|f| f.dpa_reference) {
                parts.push(clean(r));
            }
            (!parts.is_empty()).then(|| format!("{}: {}", p.name, parts.join(", ")))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn third_countries(c: &Ctx<'_>, a: &ActivityJson) -> String {
    a.transfers_outside_eea
        .iter()
        .map(|f| c.flow_place(f))
        .collect::<Vec<_>>()
        .join("\n")
}

fn transfer_safeguards(c: &Ctx<'_>, a: &ActivityJson) -> String {
    let mut lines = Vec::new();
    for f in &a.transfers_outside_eea {
        for t in &f.transfers {
            lines.push(format!("{}: {}", c.flow_place(f), c.transfer_cover(t)));
        }
    }
    lines.join("\n")
}

fn retention(c: &Ctx<'_>, a: &ActivityJson) -> String {
    let all: Vec<&str> = a.data_categories.iter().map(|x| x.id).collect();
    a.retention
        .iter()
        .map(|r| {
            let mut s = match (&r.period, &r.from) {
                (Some(p), Some(from)) => format!("{p} from {}", clean(from)),
                (Some(p), None) => p.to_string(),
                (None, Some(from)) => format!("No period given (from: {})", clean(from)),
                (None, None) => "No period given".to_string(),
            };
            let cats: Vec<&str> = r.data_categories.to_vec();
            if cats != all {
                let names: Vec<&str> = cats.iter().map(|id| c.category_name(id)).collect();
                s.push_str(&format!(" ({})", names.join(", ")));
            }
            if let Some(n) = &r.note {
                s.push_str(". ");
                s.push_str(&clean(n));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn measures(c: &Ctx<'_>, a: &ActivityJson) -> String {
    a.measures
        .iter()
        .map(|m| {
            let mut s = m.name.to_string();
            if let Some(k) = m.kind {
                s.push_str(&format!(
                    " ({})",
                    lower_first(c.tr.label("measure-kind", k.as_str()))
                ));
            }
            if let Some(d) = c.measures.get(m.id).and_then(|x| x.description) {
                s.push_str(": ");
                s.push_str(&clean(d));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn lawful_basis(c: &Ctx<'_>, a: &ActivityJson) -> String {
    a.legal_bases
        .iter()
        .map(|b| c.tr.label("legal-basis", b.as_str()))
        .collect::<Vec<_>>()
        .join("; ")
}

fn special_condition(c: &Ctx<'_>, a: &ActivityJson) -> String {
    a.special_category_condition
        .map(|x| c.tr.label("special-condition", x.as_str()).to_string())
        .unwrap_or_default()
}

fn legitimate_interest(_: &Ctx<'_>, a: &ActivityJson) -> String {
    a.legitimate_interest.map(clean).unwrap_or_default()
}

fn automated_decisions(_: &Ctx<'_>, a: &ActivityJson) -> String {
    let mut s = yes_no(a.automated_decision_making).to_string();
    if let Some(n) = &a.automated_decision_note {
        s.push_str(": ");
        s.push_str(&clean(n));
    }
    s
}

fn sources(_: &Ctx<'_>, a: &ActivityJson) -> String {
    a.sources.join("; ")
}

/// The systems the activity names, then where each processor stores or
/// accesses the data.
fn location(c: &Ctx<'_>, a: &ActivityJson) -> String {
    let mut lines = Vec::new();
    if !a.systems.is_empty() {
        lines.push(a.systems.join("; "));
    }
    for p in &a.processors {
        let names: Vec<String> = p.locations.iter().map(|l| country(&plain(l))).collect();
        lines.push(format!("{}: {}", c.processor_name(p.id), names.join(", ")));
    }
    lines.join("\n")
}

fn dpia_required(_: &Ctx<'_>, a: &ActivityJson) -> String {
    a.dpia
        .as_ref()
        .and_then(|d| d.required)
        .map(|b| yes_no(b).to_string())
        .unwrap_or_default()
}

fn dpia_progress(_: &Ctx<'_>, a: &ActivityJson) -> String {
    let Some(d) = &a.dpia else {
        return String::new();
    };
    let mut parts = Vec::new();
    match (&d.completed, d.required) {
        (Some(c), _) => parts.push(format!("Completed {}", plain(c))),
        (None, Some(true)) => parts.push("Not completed".to_string()),
        _ => {}
    }
    if let Some(n) = &d.note {
        parts.push(clean(n));
    }
    parts.join(". ")
}

fn dpia_link(_: &Ctx<'_>, a: &ActivityJson) -> String {
    a.dpia
        .as_ref()
        .and_then(|d| d.reference)
        .map(clean)
        .unwrap_or_default()
}

/// The DPA 2018 Schedule 1 block concerns special category and criminal
/// offence data: its Art. 6 column is filled only for such activities.
fn schedule1_lawful_basis(c: &Ctx<'_>, a: &ActivityJson) -> String {
    if a.data_categories.iter().any(|d| d.special || d.criminal) {
        lawful_basis(c, a)
    } else {
        String::new()
    }
}

fn controllers(_: &Ctx<'_>, a: &ActivityJson) -> String {
    a.controllers
        .iter()
        .map(|s| clean(s))
        .collect::<Vec<_>>()
        .join("\n")
}

fn sub_processors(c: &Ctx<'_>, a: &ActivityJson) -> String {
    a.processors
        .iter()
        .map(|p| {
            let mut s = format!("{} ({})", p.name, processor_place(p));
            if let Some(contact) = c.processors.get(p.id).and_then(|f| f.contact) {
                s.push_str(", ");
                s.push_str(&clean(contact));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const fn col(
    header: &'static str,
    width: f64,
    cell: fn(&Ctx<'_>, &ActivityJson) -> String,
) -> Column {
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

/// The ICO controller template, row 9, columns A to AD, in order.
static CONTROLLER: &[Column] = &[
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
    col("Rights available to individuals", 20.0, empty),
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
        empty,
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
];

/// The processor record (Art. 30(2)), derived from the ICO's processor
/// guidance: controller details, categories of processing per controller,
/// transfers with safeguards, TOMs. The processor's own name, DPO and
/// representative are the contact block (the XLSX "Organisation" sheet),
/// as in the controller template.
static PROCESSOR: &[Column] = &[
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
];

/// The header row of a record's template.
pub fn headers(record: Record) -> Vec<&'static str> {
    record.columns().iter().map(|c| c.header).collect()
}

/// One row of cells per activity of the record, in the register's order.
pub fn rows(register: &RegisterJson, record: Record) -> Vec<Vec<String>> {
    let ctx = Ctx::new(register);
    record
        .activities(register)
        .iter()
        .map(|a| record.columns().iter().map(|c| (c.cell)(&ctx, a)).collect())
        .collect()
}

/// The contact block of the ICO template's rows 1-6 (Art. 30(1)(a),
/// 30(2)(a)): a header row, then the organisation, its DPO and its
/// representative, each with name, address, email and telephone.
pub fn contact_block(register: &RegisterJson) -> Vec<[String; 5]> {
    let role = match (
        register.controller_record.activities.is_empty(),
        register.processor_record.activities.is_empty(),
    ) {
        (false, false) => "Controller and processor",
        (true, false) => "Processor",
        _ => "Controller",
    };
    let opt = |s: &Option<&str>| s.as_deref().map(clean).unwrap_or_default();
    let contact = |label: &str, c: Option<&ContactJson>| -> [String; 5] {
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
    let org = register.organisation.as_ref();
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
                clean(o.name),
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
pub fn organisation_details(register: &RegisterJson) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(o) = &register.organisation {
        let mut push = |label: &'static str, v: &Option<&str>| {
            if let Some(v) = v {
                out.push((label, clean(v)));
            }
        };
        push("Trading name", &o.trading_name);
        push("Registration", &o.registration);
        push("Website", &o.website);
        out.push(("Country of main establishment", country(&plain(&o.country))));
        if let Some(s) = &o.supervisory_authority {
            out.push(("Supervisory authority", clean(s)));
        }
    }
    out.push(("Record as of", plain(&register.as_of)));
    out.push((
        "Generated by",
        format!(
            "{} {} (JSON register schema {})",
            register.generator.name, register.generator.version, register.schema_version
        ),
    ));
    out
}

/// The CSV of one record: the header row (row 1), then one row per
/// activity. RFC 4180: CRLF between records, fields quoted where they hold
/// a comma, a double quote or a line break.
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

pub fn csv(register: &RegisterJson, record: Record) -> Result<Vec<u8>, String> {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let err = |e: ::csv::Error| format!("cannot write the CSV: {e}");
    w.write_record(headers(record)).map_err(err)?;
    for row in rows(register, record) {
        w.write_record(row.iter().map(|cell| neutralise_formula(cell).into_owned()))
            .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| format!("cannot write the CSV: {}", e.error()))
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
        assert_eq!(neutralise_formula("Payroll"), "Payroll");
        assert_eq!(neutralise_formula(""), "");
    }
}
