//! JSON-LD with the W3C Data Privacy Vocabulary (DPV 2.x) and its GDPR
//! extension (`eu-gdpr:`), read from the linked register.
//!
//! One `@context` of prefixes, then a `@graph`: the organisation (a
//! `dpv:DataController`), the record itself (`dpv:RecordsOfActivities`),
//! every activity as a `dpv:Process`, then processors, recipients, transfers
//! (each a `dpv:Process` of `dpv:CrossBorderTransfer` with its
//! `eu-gdpr:A45-3`/`A46-…`/`A49-…` legal basis and its transfer tool),
//! safeguards, data subjects, data categories and measures. Nodes and link
//! lists are sorted by id, so the same register gives the same bytes.
//!
//! Every IRI used here was checked against the DPV 2.x sources (the
//! vocabulary's CSV and Turtle files); docs/exports.md lists them and says
//! where a property is used beyond its definition's wording.

use std::io::Write;

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::{Map, Value, json};

use crate::link::Register;
use crate::model::{
    Activity, Category, Contact, Date, Derogation, IsoDuration, LegalBasis, List, Measure,
    MeasureKind, Mechanism, Organisation, Processor, Recipient, RecipientKind, Role, Safeguard,
    SafeguardKind, SpecialCategoryCondition, Status, Text, Transfer,
};
use crate::reference::country_name;

pub const DPV: &str = "https://w3id.org/dpv#";
pub const EU_GDPR: &str = "https://w3id.org/dpv/legal/eu/gdpr#";
pub const PD: &str = "https://w3id.org/dpv/pd#";
pub const LOC: &str = "https://w3id.org/dpv/loc#";
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
pub const DCT: &str = "http://purl.org/dc/terms/";

/// Where ropa's own nodes live: `urn:ropa:<kind>:<id>`.
pub const ID_PREFIX: &str = "urn:ropa:";

/// Writes the register as JSON-LD (pretty-printed, ending with a
/// newline). Streamed: each node of the graph is made just before it is
/// written, so the graph of a large registry is never in memory whole.
pub fn write_jsonld<W: Write>(r: &Register, w: W) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 20, w);
    // `From` keeps the kind of an I/O error (a closed pipe stays `BrokenPipe`).
    serde_json::to_writer_pretty(&mut w, &Document(r)).map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// The JSON-LD document: `@context`, then `@graph`.
struct Document<'r>(&'r Register<'r>);

impl Serialize for Document<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("@context", &context())?;
        m.serialize_entry("@graph", &Graph(self.0))?;
        m.end()
    }
}

/// The nodes of the graph, made one at a time while they are written.
struct Graph<'r>(&'r Register<'r>);

impl Serialize for Graph<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(nodes(self.0))
    }
}

/// Every node, in the document's order: the organisation, the record, then
/// activities, processors, recipients, transfers, safeguards, data
/// subjects, data categories and measures, each kind by id.
fn nodes<'r>(r: &'r Register<'r>) -> impl Iterator<Item = Value> + 'r {
    let reg = r.reg;
    let has_organisation = reg.organisation.is_some();
    let has_processor_record = r.processor_activities().next().is_some();
    reg.organisation
        .iter()
        .map(move |o| organisation(o, has_processor_record))
        .chain(std::iter::once_with(move || record(r)))
        .chain(
            reg.activities
                .values()
                .map(move |a| activity(r, a, has_organisation)),
        )
        .chain(reg.processors.values().map(move |p| processor(r, p)))
        .chain(reg.recipients.values().map(|x| recipient(x)))
        .chain(reg.transfers.values().map(move |t| transfer(r, t)))
        .chain(reg.safeguards.values().map(|s| safeguard(s)))
        .chain(reg.data_subjects.values().map(data_subject))
        .chain(reg.data_categories.values().map(data_category))
        .chain(reg.measures.values().map(move |m| measure(r, m)))
}

/// The `@context`: prefixes only, so every key in the graph is a compact
/// IRI a reader can expand by hand.
pub fn context() -> Value {
    json!({
        "dpv": DPV,
        "eu-gdpr": EU_GDPR,
        "pd": PD,
        "loc": LOC,
        "xsd": XSD,
        "rdfs": RDFS,
        "dct": DCT,
    })
}

/// `urn:ropa:<kind>:<id>`. Registry ids match `^[a-z0-9]+(-[a-z0-9]+)*$`;
/// anything else is percent-encoded so the result is always a valid IRI.
pub fn node_id(kind: &str, id: &str) -> String {
    let mut s = String::from(ID_PREFIX);
    s.push_str(kind);
    s.push(':');
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_' {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// The Art. 6(1) legal basis as an `eu-gdpr:` IRI.
pub fn legal_basis_iri(b: LegalBasis) -> &'static str {
    match b {
        LegalBasis::Consent => "eu-gdpr:A6-1-a",
        LegalBasis::Contract => "eu-gdpr:A6-1-b",
        LegalBasis::LegalObligation => "eu-gdpr:A6-1-c",
        LegalBasis::VitalInterests => "eu-gdpr:A6-1-d",
        LegalBasis::PublicTask => "eu-gdpr:A6-1-e",
        LegalBasis::LegitimateInterests => "eu-gdpr:A6-1-f",
    }
}

/// The Art. 9(2) condition as an `eu-gdpr:` IRI.
pub fn special_condition_iri(c: SpecialCategoryCondition) -> &'static str {
    match c {
        SpecialCategoryCondition::ExplicitConsent => "eu-gdpr:A9-2-a",
        SpecialCategoryCondition::Employment => "eu-gdpr:A9-2-b",
        SpecialCategoryCondition::VitalInterests => "eu-gdpr:A9-2-c",
        SpecialCategoryCondition::NotForProfit => "eu-gdpr:A9-2-d",
        SpecialCategoryCondition::MadePublic => "eu-gdpr:A9-2-e",
        SpecialCategoryCondition::LegalClaims => "eu-gdpr:A9-2-f",
        SpecialCategoryCondition::SubstantialPublicInterest => "eu-gdpr:A9-2-g",
        SpecialCategoryCondition::HealthCare => "eu-gdpr:A9-2-h",
        SpecialCategoryCondition::PublicHealth => "eu-gdpr:A9-2-i",
        SpecialCategoryCondition::ArchivingResearch => "eu-gdpr:A9-2-j",
    }
}

/// The Art. 49 derogation as an `eu-gdpr:` IRI. DPV names the compelling
/// legitimate interests ground (the second subparagraph of Art. 49(1))
/// `A49-2`.
pub fn derogation_iri(d: Derogation) -> &'static str {
    match d {
        Derogation::ExplicitConsent => "eu-gdpr:A49-1-a",
        Derogation::ContractWithSubject => "eu-gdpr:A49-1-b",
        Derogation::ContractInInterest => "eu-gdpr:A49-1-c",
        Derogation::PublicInterest => "eu-gdpr:A49-1-d",
        Derogation::LegalClaims => "eu-gdpr:A49-1-e",
        Derogation::VitalInterests => "eu-gdpr:A49-1-f",
        Derogation::PublicRegister => "eu-gdpr:A49-1-g",
        Derogation::CompellingLegitimateInterests => "eu-gdpr:A49-2",
    }
}

/// The transfer's legal basis (a `dpv:DataTransferLegalBasis` of the GDPR
/// extension). A public-authority instrument is binding by itself (Art.
/// 46(2)(a)); an administrative arrangement needs the supervisory
/// authority's authorisation (Art. 46(3)(b)).
pub fn transfer_legal_basis_iri(
    mechanism: Mechanism,
    derogation: Option<Derogation>,
) -> Option<&'static str> {
    Some(match mechanism {
        Mechanism::Adequacy => "eu-gdpr:A45-3",
        Mechanism::Scc => "eu-gdpr:A46-2-c",
        Mechanism::Bcr => "eu-gdpr:A46-2-b",
        Mechanism::CodeOfConduct => "eu-gdpr:A46-2-e",
        Mechanism::Certification => "eu-gdpr:A46-2-f",
        Mechanism::AdHocClauses => "eu-gdpr:A46-3-a",
        Mechanism::PublicAuthorityInstrument => "eu-gdpr:A46-2-a",
        Mechanism::AdministrativeArrangement => "eu-gdpr:A46-3-b",
        Mechanism::Derogation => return derogation.map(derogation_iri),
    })
}

/// The `eu-gdpr:` transfer tool types of a safeguard document.
pub fn transfer_tool_types(kind: SafeguardKind) -> Vec<&'static str> {
    match kind {
        // Every SCC version ropa accepts is a Commission decision.
        SafeguardKind::Scc => vec![
            "eu-gdpr:StandardContractualClauses",
            "eu-gdpr:SCCByCommission",
        ],
        SafeguardKind::Bcr => vec!["eu-gdpr:BindingCorporateRules"],
        SafeguardKind::CodeOfConduct => vec!["eu-gdpr:CodesOfConductForDataTransfers"],
        SafeguardKind::Certification => vec!["eu-gdpr:CertificationMechanismsForDataTransfers"],
        SafeguardKind::AdHocClauses => vec!["eu-gdpr:AdHocContractualClauses"],
        // No narrower tool exists in the extension.
        SafeguardKind::PublicAuthorityInstrument | SafeguardKind::AdministrativeArrangement => {
            vec!["eu-gdpr:DataTransferTool"]
        }
    }
}

/// An ISO 8601 duration as an `xsd:duration` lexical form: the same text,
/// except that weeks (which `xsd:duration` has no designator for) become
/// days.
pub fn xsd_duration(period: &str) -> String {
    if !period.contains('W') {
        return period.to_string();
    }
    let Some(d) = IsoDuration::parse(period) else {
        return period.to_string();
    };
    let mut s = String::from("P");
    // In u64: `P613566757W` is absurd but parses, and must not overflow.
    let days = u64::from(d.days) + 7 * u64::from(d.weeks);
    for (n, unit) in [
        (u64::from(d.years), 'Y'),
        (u64::from(d.months), 'M'),
        (days, 'D'),
    ] {
        if n > 0 {
            s.push_str(&format!("{n}{unit}"));
        }
    }
    if d.hours > 0 || d.minutes > 0 || d.seconds > 0 {
        s.push('T');
        for (n, unit) in [(d.hours, 'H'), (d.minutes, 'M'), (d.seconds, 'S')] {
            if n > 0 {
                s.push_str(&format!("{n}{unit}"));
            }
        }
    }
    if s == "P" {
        s.push_str("0D");
    }
    s
}

fn iri(s: &str) -> Value {
    json!({ "@id": s })
}

fn date(d: Date) -> Value {
    json!({ "@value": d.to_string(), "@type": "xsd:date" })
}

/// The text of an optional registry string.
fn text(t: &Text) -> Option<&str> {
    t.as_ref().map(|s| s.value.as_str())
}

/// The items of an optional registry list.
fn items<T>(l: &Option<List<T>>) -> impl Iterator<Item = &T> {
    l.iter().flat_map(|l| l.value.iter()).map(|x| &x.value)
}

/// The ids of an optional registry list.
fn ids(l: &Option<List<String>>) -> impl Iterator<Item = &str> {
    items(l).map(String::as_str)
}

/// Sorted, de-duplicated `{"@id": …}` references to `urn:ropa:<kind>:<id>`.
fn refs<'a>(kind: &str, ids: impl IntoIterator<Item = &'a str>) -> Vec<Value> {
    let mut ids: Vec<&str> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter().map(|id| iri(&node_id(kind, id))).collect()
}

/// A node under construction; keys keep the order they are set in.
struct Node(Map<String, Value>);

impl Node {
    fn new(id: Option<&str>, types: &[&str]) -> Node {
        let mut m = Map::new();
        if let Some(id) = id {
            m.insert("@id".into(), Value::String(id.into()));
        }
        match types {
            [] => {}
            [t] => {
                m.insert("@type".into(), Value::String((*t).into()));
            }
            ts => {
                m.insert(
                    "@type".into(),
                    Value::Array(ts.iter().map(|t| Value::String((*t).into())).collect()),
                );
            }
        }
        Node(m)
    }

    fn set(&mut self, key: &str, v: Value) -> &mut Self {
        self.0.insert(key.into(), v);
        self
    }

    /// Sets a text value unless it is absent or empty.
    fn text(&mut self, key: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            self.set(key, Value::String(v.into()));
        }
        self
    }

    /// Sets a list of values unless it is empty.
    fn list(&mut self, key: &str, v: Vec<Value>) -> &mut Self {
        if !v.is_empty() {
            self.set(key, Value::Array(v));
        }
        self
    }

    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

fn country(code: &str) -> Value {
    iri(&format!("loc:{code}"))
}

fn contact_node(types: &[&str], c: &Contact) -> Value {
    let mut n = Node::new(None, types);
    n.text("dpv:hasName", text(&c.name))
        .text("dpv:hasAddress", text(&c.address));
    let contacts: Vec<Value> = [text(&c.email), text(&c.phone)]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Value::String(s.into()))
        .collect();
    n.list("dpv:hasContact", contacts);
    n.done()
}

fn organisation(o: &Organisation, also_processor: bool) -> Value {
    let mut types = vec!["dpv:DataController", "dpv:Organisation"];
    if also_processor {
        types.push("dpv:DataProcessor");
    }
    let mut n = Node::new(Some(&format!("{ID_PREFIX}organisation")), &types);
    n.text("rdfs:label", Some(&o.name.value))
        .text("dpv:hasName", Some(&o.name.value))
        .text("dpv:hasAddress", text(&o.address));
    let contacts: Vec<Value> = [text(&o.email), text(&o.phone), text(&o.website)]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Value::String(s.into()))
        .collect();
    n.list("dpv:hasContact", contacts)
        .text("dpv:hasIdentifier", text(&o.registration))
        .set("dpv:hasCountry", country(&o.country.value));
    if let Some(dpo) = &o.dpo {
        n.set(
            "dpv:hasDataProtectionOfficer",
            contact_node(&["dpv:DataProtectionOfficer"], dpo),
        );
    }
    if let Some(rep) = &o.representative {
        n.set(
            "dpv:hasRepresentative",
            contact_node(&["dpv:Representative"], rep),
        );
    }
    if let Some(sa) = text(&o.supervisory_authority).filter(|s| !s.trim().is_empty()) {
        let mut a = Node::new(None, &["dpv:DataProtectionAuthority"]);
        a.text("dpv:hasName", Some(sa));
        n.set("dpv:hasAuthority", a.done());
    }
    n.set(
        "dpv:hasRecordOfActivity",
        iri(&format!("{ID_PREFIX}record")),
    );
    n.text("rdfs:comment", text(&o.note));
    n.done()
}

fn record(r: &Register) -> Value {
    let mut n = Node::new(
        Some(&format!("{ID_PREFIX}record")),
        &["dpv:RecordsOfActivities"],
    );
    n.text(
        "rdfs:label",
        Some("Record of processing activities (GDPR Art. 30)"),
    )
    .set("dct:date", date(r.as_of));
    if r.reg.organisation.is_some() {
        n.set(
            "dpv:hasDataController",
            iri(&format!("{ID_PREFIX}organisation")),
        );
    }
    n.list(
        "dpv:hasProcess",
        refs("activity", r.reg.activities.values().map(|a| a.id.as_str())),
    );
    n.text(
        "dct:creator",
        Some(&format!("ropa {}", env!("CARGO_PKG_VERSION"))),
    );
    n.done()
}

fn activity(r: &Register, a: &Activity, has_organisation: bool) -> Value {
    let id = node_id("activity", &a.id);
    let mut n = Node::new(Some(&id), &["dpv:Process"]);
    n.set("dpv:hasIdentifier", Value::String(a.id.clone()))
        .text("rdfs:label", Some(&a.name.value))
        .text("dct:description", text(&a.description))
        .set(
            "dpv:hasActivityStatus",
            iri(match a.status() {
                Status::Active => "dpv:ActivityOngoing",
                Status::Planned => "dpv:ActivityPlanned",
                Status::Retired => "dpv:ActivityHalted",
            }),
        );

    let purposes: Vec<Value> = a
        .purposes
        .value
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut pn = Node::new(Some(&format!("{id}:purpose:{}", i + 1)), &["dpv:Purpose"]);
            pn.text("rdfs:label", Some(&p.value));
            pn.done()
        })
        .collect();
    n.list("dpv:hasPurpose", purposes);

    let mut bases: Vec<&str> = items(&a.legal_bases).map(|b| legal_basis_iri(*b)).collect();
    if let Some(c) = &a.special_category_condition {
        bases.push(special_condition_iri(c.value));
    }
    bases.sort_unstable();
    bases.dedup();
    n.list("dpv:hasLegalBasis", bases.into_iter().map(iri).collect());
    // The Union or Member State law relied on (Art. 6(3), 9(2), 10): DPV
    // has no term for an Art. 10 basis, so the law itself is what is said.
    let laws: Vec<Value> = items(&a.legal_provisions)
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            let mut ln = Node::new(Some(&format!("{id}:law:{}", i + 1)), &["dpv:Law"]);
            ln.text("rdfs:label", Some(l));
            ln.done()
        })
        .collect();
    n.list("dpv:hasApplicableLaw", laws);
    if a.large_scale() {
        n.set("dpv:hasProcessingScale", iri("dpv:LargeScaleProcessing"));
    }
    if let Some(li) = text(&a.legitimate_interest).filter(|s| !s.trim().is_empty()) {
        let mut j = Node::new(
            Some(&format!("{id}:legitimate-interest")),
            &["dpv:Justification"],
        );
        j.text(
            "rdfs:label",
            Some("Legitimate interests (GDPR Art. 6(1)(f))"),
        )
        .text("dct:description", Some(li));
        n.set("dpv:hasJustification", j.done());
    }

    n.list(
        "dpv:hasPersonalData",
        refs(
            "data-category",
            a.data_categories.value.iter().map(|c| c.value.as_str()),
        ),
    )
    .list(
        "dpv:hasDataSubject",
        refs(
            "data-subject",
            a.data_subjects.value.iter().map(|c| c.value.as_str()),
        ),
    );

    // Who decides: the organisation for its own activities, the customers
    // named for processor activities.
    let organisation = iri(&format!("{ID_PREFIX}organisation"));
    let role = a.role();
    match role {
        Role::Processor => {
            let controllers: Vec<Value> = ids(&a.controllers)
                .filter(|c| !c.trim().is_empty())
                .map(|c| {
                    let mut cn = Node::new(None, &["dpv:DataController"]);
                    cn.text("dpv:hasName", Some(c));
                    cn.done()
                })
                .collect();
            n.list("dpv:hasDataController", controllers);
        }
        Role::Controller | Role::JointController => {
            if has_organisation {
                n.set("dpv:hasDataController", organisation.clone());
            }
        }
    }
    let joint: &[crate::model::JointController] =
        a.joint_controllers.as_ref().map_or(&[], |j| &j.value);
    if role == Role::JointController || !joint.is_empty() {
        let mut members: Vec<Value> = Vec::new();
        if has_organisation {
            members.push(organisation.clone());
        }
        for j in joint {
            let mut jn = Node::new(None, &["dpv:DataController"]);
            jn.text("dpv:hasName", Some(&j.name.value))
                .text("dpv:hasContact", text(&j.contact))
                .text("rdfs:comment", text(&j.arrangement));
            members.push(jn.done());
        }
        let mut jc = Node::new(
            Some(&format!("{id}:joint-controllers")),
            &["dpv:JointDataControllers"],
        );
        jc.list("dpv:hasDataController", members);
        n.set("dpv:hasJointDataControllers", jc.done());
    }

    // Processors and recipients that exist; every transfer the register
    // links to the activity (listed, or covering one of its flows).
    let mut processors = refs(
        "processor",
        ids(&a.processors).filter(|p| r.index.processors.contains_key(p)),
    );
    if role == Role::Processor && has_organisation {
        processors.insert(0, organisation);
    }
    let transfers: Vec<Value> = r
        .transfers_of(a)
        .into_iter()
        .map(|t| iri(&node_id("transfer", &t.id)))
        .collect();
    n.list("dpv:hasDataProcessor", processors)
        .list(
            "dpv:hasRecipient",
            refs(
                "recipient",
                ids(&a.recipients).filter(|x| r.index.recipients.contains_key(x)),
            ),
        )
        .list("dpv:hasProcess", transfers)
        .list(
            "dpv:hasTechnicalOrganisationalMeasure",
            refs("measure", ids(&a.measures)),
        );

    let storage: Vec<Value> = a
        .retention
        .iter()
        .enumerate()
        .map(|(i, ret)| {
            let mut s = Node::new(
                Some(&format!("{id}:retention:{}", i + 1)),
                &["dpv:StorageDuration"],
            );
            match &ret.period {
                Some(p) => s.set(
                    "dpv:hasDuration",
                    json!({ "@value": xsd_duration(&p.value.text), "@type": "xsd:duration" }),
                ),
                None => s.set("dpv:hasDuration", iri("dpv:IndeterminateDuration")),
            };
            s.list(
                "dpv:hasPersonalData",
                refs("data-category", ret.categories(a)),
            );
            let mut comments = Vec::new();
            if let Some(from) = text(&ret.from).filter(|s| !s.trim().is_empty()) {
                comments.push(Value::String(format!("Period starts at: {from}")));
            }
            if let Some(note) = text(&ret.note).filter(|s| !s.trim().is_empty()) {
                comments.push(Value::String(note.into()));
            }
            s.list("rdfs:comment", comments);
            s.done()
        })
        .collect();
    n.list("dpv:hasStorageCondition", storage);

    if let Some(d) = &a.dpia {
        let mut dn = Node::new(Some(&format!("{id}:dpia")), &["dpv:DPIA"]);
        if let Some(c) = &d.completed {
            dn.set("dct:date", date(c.value));
        }
        dn.text("dpv:hasIdentifier", text(&d.reference));
        let mut comments = Vec::new();
        match d.required.as_ref().map(|b| b.value) {
            Some(true) => comments.push(Value::String("Required (GDPR Art. 35).".into())),
            Some(false) => comments.push(Value::String("Not required.".into())),
            None => {}
        }
        if let Some(note) = text(&d.note).filter(|s| !s.trim().is_empty()) {
            comments.push(Value::String(note.into()));
        }
        dn.list("rdfs:comment", comments);
        n.set("dpv:hasImpactAssessment", dn.done());
    }
    if a.automated_decision_making
        .as_ref()
        .is_some_and(|b| b.value)
    {
        n.set("dpv:hasContext", iri("dpv:AutomatedDecisionMaking"));
    }
    let mut comments = Vec::new();
    if let Some(note) = text(&a.automated_decision_note).filter(|s| !s.trim().is_empty()) {
        comments.push(Value::String(note.into()));
    }
    if let Some(note) = text(&a.note).filter(|s| !s.trim().is_empty()) {
        comments.push(Value::String(note.into()));
    }
    n.list("rdfs:comment", comments);
    n.done()
}

fn processor(r: &Register, p: &Processor) -> Value {
    let mut types = vec!["dpv:DataProcessor"];
    if r.parents
        .get(p.id.as_str())
        .is_some_and(|ps| !ps.is_empty())
    {
        types.push("dpv:DataSubProcessor");
    }
    let id = node_id("processor", &p.id);
    let mut n = Node::new(Some(&id), &types);
    n.set("dpv:hasIdentifier", Value::String(p.id.clone()))
        .text("rdfs:label", Some(&p.name.value))
        .text("dpv:hasName", Some(&p.name.value))
        .text("dct:description", Some(&p.service.value))
        .set("dpv:hasCountry", country(&p.country.value));
    let mut locations: Vec<Value> = p.locations().iter().map(|l| country(&l.value)).collect();
    locations.sort_by_key(|v| v.to_string());
    locations.dedup();
    n.list("dpv:hasLocation", locations);
    n.text("dpv:hasContact", text(&p.contact))
        .text("dpv:hasAddress", text(&p.address));
    if p.dpa_signed.is_some() || p.dpa_reference.is_some() {
        let mut dpa = Node::new(Some(&format!("{id}:dpa")), &["dpv:DataProcessingAgreement"]);
        if let Some(d) = &p.dpa_signed {
            dpa.set("dct:date", date(d.value));
        }
        dpa.text("dpv:hasIdentifier", text(&p.dpa_reference));
        n.set("dpv:hasLegalMeasure", dpa.done());
    }
    n.list(
        "dpv:hasDataProcessor",
        refs("processor", ids(&p.sub_processors)),
    );
    n.text("rdfs:comment", text(&p.note));
    n.done()
}

fn recipient(x: &Recipient) -> Value {
    let types: &[&str] = match x.kind.value {
        RecipientKind::Controller => &["dpv:Recipient", "dpv:DataController"],
        RecipientKind::PublicAuthority => &["dpv:Recipient", "dpv:Authority"],
        RecipientKind::GroupCompany => &["dpv:Recipient", "dpv:Organisation"],
        RecipientKind::Category => &["dpv:Recipient"],
        RecipientKind::InternationalOrganisation => {
            &["dpv:Recipient", "dpv:InternationalOrganisation"]
        }
    };
    let mut n = Node::new(Some(&node_id("recipient", &x.id)), types);
    n.set("dpv:hasIdentifier", Value::String(x.id.clone()))
        .text("rdfs:label", Some(&x.name.value))
        .text("dpv:hasName", Some(&x.name.value))
        .text("dct:description", text(&x.description))
        .text("dpv:hasAddress", text(&x.address));
    if let Some(c) = text(&x.country) {
        n.set("dpv:hasCountry", country(c));
    }
    let mut comments = Vec::new();
    if let Some(code) = x.international_organisation() {
        comments.push(Value::String(format!("International organisation: {code}")));
    }
    if let Some(note) = text(&x.note).filter(|s| !s.trim().is_empty()) {
        comments.push(Value::String(note.into()));
    }
    n.list("rdfs:comment", comments);
    n.done()
}

/// What the adequacy list says of the transfer's country: whether it is
/// in the EEA, and the decision in force at the as-of date. The one place
/// this export asks.
fn adequacy_of<'r>(r: &Register<'r>, t: &Transfer) -> (bool, Option<&'r str>) {
    (
        r.transfer_inside_eea(t),
        r.adequacy_of(t)
            .decision_in_force()
            .map(|d| d.decision.as_str()),
    )
}

fn transfer(r: &Register, t: &Transfer) -> Value {
    let id = node_id("transfer", &t.id);
    let mut n = Node::new(Some(&id), &["dpv:Process"]);
    let to = t.to.value.as_str();
    // An international organisation is named by its code; its seat, when
    // given, is only where it sits (never a third country of its own).
    let organisation = r.organisation_of(t);
    let place = match (organisation, t.country()) {
        (Some(code), _) => code,
        (None, Some(c)) => country_name(c).unwrap_or(c),
        (None, None) => "",
    };
    let to_name = r.party_name(to).unwrap_or(to);
    n.set("dpv:hasIdentifier", Value::String(t.id.clone()))
        .text(
            "rdfs:label",
            Some(&format!("Transfer to {to_name} ({place})")),
        )
        .text("dct:description", text(&t.description))
        .set("dpv:hasProcessing", iri("dpv:CrossBorderTransfer"));

    let exporter = match text(&t.via) {
        Some(v) => Some(iri(&node_id("processor", v))),
        None => r
            .reg
            .organisation
            .as_ref()
            .map(|_| iri(&format!("{ID_PREFIX}organisation"))),
    };
    if let Some(e) = exporter {
        n.set("dpv:hasDataExporter", e);
    }
    let party_kind = if r.is_processor(to) {
        "processor"
    } else {
        "recipient"
    };
    let party = iri(&node_id(party_kind, to));
    let (inside_eea, decision) = adequacy_of(r, t);
    n.set("dpv:hasDataImporter", party.clone())
        .set("dpv:hasRecipient", party);
    if let Some(c) = t.country() {
        n.set("dpv:hasCountry", country(c));
        if !inside_eea && organisation.is_none() {
            n.set("dpv:hasThirdCountry", country(c));
        }
    }

    // Only a safeguard that exists is named.
    let safeguard = text(&t.safeguard).and_then(|s| r.index.safeguards.get(s));
    let derogation = t.derogation.as_ref().map(|d| d.value);
    if let Some(basis) = transfer_legal_basis_iri(t.mechanism.value, derogation) {
        n.set("dpv:hasLegalBasis", iri(basis));
    }

    let mut measures = Vec::new();
    if let Some(s) = safeguard {
        measures.push(iri(&node_id("safeguard", &s.id)));
    }
    measures.extend(refs("measure", ids(&t.supplementary_measures)));
    n.list("dpv:hasTechnicalOrganisationalMeasure", measures)
        .list(
            "dpv:hasPersonalData",
            refs("data-category", ids(&t.data_categories)),
        );

    if let Some(tia) = &t.tia {
        let mut a = Node::new(
            Some(&format!("{id}:tia")),
            &["dpv:DataTransferImpactAssessment"],
        );
        if let Some(c) = &tia.completed {
            a.set("dct:date", date(c.value));
        }
        a.text("dpv:hasIdentifier", text(&tia.reference))
            .text("dct:description", text(&tia.outcome));
        n.set("dpv:hasImpactAssessment", a.done());
    }

    let mut comments = Vec::new();
    if let Some(d) = decision {
        comments.push(Value::String(format!("Adequacy decision in force: {d}")));
    }
    if let Some(code) = organisation {
        comments.push(Value::String(format!(
            "To the international organisation {code}"
        )));
    }
    if let Some(d) = &t.authority_informed {
        comments.push(Value::String(format!(
            "Supervisory authority informed: {}",
            d.value
        )));
    }
    if let Some(note) = text(&t.note).filter(|s| !s.trim().is_empty()) {
        comments.push(Value::String(note.into()));
    }
    n.list("rdfs:comment", comments);
    n.done()
}

fn safeguard(s: &Safeguard) -> Value {
    let mut n = Node::new(
        Some(&node_id("safeguard", &s.id)),
        &transfer_tool_types(s.kind.value),
    );
    n.set("dpv:hasIdentifier", Value::String(s.id.clone()))
        .text("rdfs:label", Some(&s.name.value))
        .text("dct:description", text(&s.description));
    if let Some(d) = &s.signed {
        n.set("dct:date", date(d.value));
    }
    let mut comments = Vec::new();
    if let Some(v) = s.scc_version() {
        comments.push(Value::String(format!("Commission decision {v}")));
    }
    let modules: Vec<String> = items(&s.scc_modules).map(i64::to_string).collect();
    if !modules.is_empty() {
        comments.push(Value::String(format!(
            "SCC modules: {}",
            modules.join(", ")
        )));
    }
    if let Some(a) = text(&s.approved_by).filter(|a| !a.trim().is_empty()) {
        comments.push(Value::String(format!("Approved by: {a}")));
    }
    if let Some(note) = text(&s.note).filter(|s| !s.trim().is_empty()) {
        comments.push(Value::String(note.into()));
    }
    n.list("rdfs:comment", comments);
    n.done()
}

fn data_subject(c: &Category) -> Value {
    let mut types = vec!["dpv:DataSubject"];
    if c.vulnerable {
        types.push("dpv:VulnerableDataSubject");
    }
    let mut n = Node::new(Some(&node_id("data-subject", &c.id.value)), &types);
    n.set("dpv:hasIdentifier", Value::String(c.id.value.clone()))
        .text("rdfs:label", Some(&c.name.value))
        .text("dct:description", text(&c.description))
        .text("rdfs:comment", text(&c.note));
    n.done()
}

fn data_category(c: &Category) -> Value {
    let mut types = vec!["dpv:PersonalData"];
    if c.special {
        types.push("dpv:SpecialCategoryPersonalData");
    }
    if c.criminal {
        types.push("pd:Criminal");
    }
    let mut n = Node::new(Some(&node_id("data-category", &c.id.value)), &types);
    n.set("dpv:hasIdentifier", Value::String(c.id.value.clone()))
        .text("rdfs:label", Some(&c.name.value))
        .text("dct:description", text(&c.description))
        .text("rdfs:comment", text(&c.note));
    n.done()
}

fn measure(r: &Register, m: &Measure) -> Value {
    let mut types = vec![match m.kind.as_ref().map(|k| k.value) {
        Some(MeasureKind::Technical) => "dpv:TechnicalMeasure",
        Some(MeasureKind::Organisational) => "dpv:OrganisationalMeasure",
        None => "dpv:TechnicalOrganisationalMeasure",
    }];
    if r.transfers_by_measure
        .get(m.id.value.as_str())
        .is_some_and(|ts| !ts.is_empty())
    {
        types.push("eu-gdpr:SupplementaryMeasure");
    }
    let mut n = Node::new(Some(&node_id("measure", &m.id.value)), &types);
    n.set("dpv:hasIdentifier", Value::String(m.id.value.clone()))
        .text("rdfs:label", Some(&m.name.value))
        .text("dct:description", text(&m.description))
        .text("rdfs:comment", text(&m.note));
    n.done()
}

#[cfg(test)]
mod tests {

    /// Each activity's `dpv:hasProcess` names exactly the transfers the
    /// register links to it (`activities_by_transfer`): what the export
    /// once found by scanning every transfer for every activity, and now
    /// reads from the activity's own links.
    #[test]
    fn activities_list_the_transfers_the_register_links_to_them() {
        use std::collections::{BTreeMap, BTreeSet};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut covered_only = 0;
        let registries = ["registry", "examples/alutech", "examples/allocloud"];
        // Each as written, and with the activities' own `transfers` lists
        // taken away, so that only the flows link transfers to them.
        for (registry, unlisted) in registries.iter().flat_map(|r| [(r, false), (r, true)]) {
            let as_of = Date::parse("2026-11-24").expect("a date");
            let mut loaded = crate::load::load(&root.join(registry)).expect("loads");
            if unlisted {
                for a in loaded.registry.activities.values_mut() {
                    a.transfers = None;
                }
            }
            let checked = crate::pipeline::check(&loaded, as_of, false);
            let r = &checked.register;
            let mut out = Vec::new();
            write_jsonld(r, &mut out).expect("writes");
            let doc: Value = serde_json::from_slice(&out).expect("JSON");
            let prefix = node_id("activity", "");
            let mut listed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for node in doc["@graph"].as_array().expect("a graph") {
                let Some(id) = node["@id"].as_str().and_then(|i| i.strip_prefix(&prefix)) else {
                    continue;
                };
                let transfers = node["dpv:hasProcess"]
                    .as_array()
                    .map_or_else(Vec::new, |ts| {
                        ts.iter()
                            .filter_map(|t| t["@id"].as_str())
                            .map(|t| t.trim_start_matches("urn:ropa:transfer:").to_string())
                            .collect()
                    });
                listed.insert(id.to_string(), transfers.into_iter().collect());
            }
            assert_eq!(listed.len(), r.reg.activities.len(), "{registry}");
            for a in r.reg.activities.values() {
                let expected: BTreeSet<String> = r
                    .reg
                    .transfers
                    .keys()
                    .filter(|t| {
                        r.activities_by_transfer
                            .get(t.as_str())
                            .is_some_and(|acts| acts.iter().any(|x| x.id == a.id))
                    })
                    .cloned()
                    .collect();
                assert_eq!(listed[&a.id], expected, "{registry}: activity {}", a.id);
                let named: BTreeSet<&str> = ids(&a.transfers).collect();
                covered_only += expected
                    .iter()
                    .filter(|t| !named.contains(t.as_str()))
                    .count();
            }
        }
        // Some transfers are reached only through a flow.
        assert!(covered_only > 0);
    }

    #[test]
    fn huge_durations_do_not_overflow() {
        assert_eq!(xsd_duration("P613566757W"), "P4294967299D");
        assert_eq!(xsd_duration("P1WT4294967295H1M"), "P7DT4294967295H1M");
    }
    use super::*;

    #[test]
    fn durations_become_xsd() {
        assert_eq!(xsd_duration("P7Y"), "P7Y");
        assert_eq!(xsd_duration("P1Y6M"), "P1Y6M");
        assert_eq!(xsd_duration("P2W"), "P14D");
        assert_eq!(xsd_duration("P1W3D"), "P10D");
        assert_eq!(xsd_duration("P1Y2WT12H"), "P1Y14DT12H");
    }

    #[test]
    fn ids_are_iris() {
        assert_eq!(node_id("activity", "payroll"), "urn:ropa:activity:payroll");
        assert_eq!(node_id("x", "a b/c"), "urn:ropa:x:a%20b%2Fc");
    }

    /// Every Art. 9(2) condition and every Art. 49 derogation has its own
    /// `eu-gdpr:` term (DPV has one for each; Art. 10 has none).
    #[test]
    fn every_condition_and_derogation_has_its_own_term() {
        let conditions: std::collections::BTreeSet<&str> = SpecialCategoryCondition::ALL
            .iter()
            .map(|c| special_condition_iri(*c))
            .collect();
        assert_eq!(conditions.len(), SpecialCategoryCondition::ALL.len());
        assert!(conditions.iter().all(|i| i.starts_with("eu-gdpr:A9-2-")));
        let derogations: std::collections::BTreeSet<&str> =
            Derogation::ALL.iter().map(|d| derogation_iri(*d)).collect();
        assert_eq!(derogations.len(), Derogation::ALL.len());
        assert!(derogations.iter().all(|i| i.starts_with("eu-gdpr:A49-")));
        for d in Derogation::ALL {
            assert_eq!(
                transfer_legal_basis_iri(Mechanism::Derogation, Some(*d)),
                Some(derogation_iri(*d))
            );
        }
    }

    #[test]
    fn transfer_bases() {
        assert_eq!(
            transfer_legal_basis_iri(Mechanism::Scc, None),
            Some("eu-gdpr:A46-2-c")
        );
        assert_eq!(
            transfer_legal_basis_iri(Mechanism::Adequacy, None),
            Some("eu-gdpr:A45-3")
        );
        assert_eq!(
            transfer_legal_basis_iri(Mechanism::Derogation, Some(Derogation::PublicRegister)),
            Some("eu-gdpr:A49-1-g")
        );
        assert_eq!(
            transfer_legal_basis_iri(Mechanism::PublicAuthorityInstrument, None),
            Some("eu-gdpr:A46-2-a")
        );
        assert_eq!(
            transfer_legal_basis_iri(Mechanism::AdministrativeArrangement, None),
            Some("eu-gdpr:A46-3-b")
        );
        assert_eq!(transfer_legal_basis_iri(Mechanism::Derogation, None), None);
    }
}
