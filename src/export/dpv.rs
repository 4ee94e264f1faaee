//! JSON-LD with the W3C Data Privacy Vocabulary (DPV 2.x) and its GDPR
//! extension (`eu-gdpr:`), built from the resolved JSON register.
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

use serde_json::{Map, Value, json};

use super::json::{
    ActivityJson, CategoryJson, MeasureJson, OrganisationJson, ProcessorJson, RecipientJson,
    RegisterJson, SafeguardJson, TransferJson,
};
use crate::model::{
    Derogation, IsoDuration, LegalBasis, MeasureKind, Mechanism, RecipientKind, Role,
    SafeguardKind, SpecialCategoryCondition, Status,
};

pub const DPV: &str = "https://w3id.org/dpv#";
pub const EU_GDPR: &str = "https://w3id.org/dpv/legal/eu/gdpr#";
pub const PD: &str = "https://w3id.org/dpv/pd#";
pub const LOC: &str = "https://w3id.org/dpv/loc#";
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
pub const DCT: &str = "http://purl.org/dc/terms/";

/// Where ropa's own nodes live: `urn:ropa:<kind>:<id>`.
pub const ID_PREFIX: &str = "urn:ropa:";

/// The register as JSON-LD (pretty-printed, ending with a newline).
pub fn jsonld(register: &RegisterJson) -> Result<String, String> {
    let doc = document(register);
    let mut s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    s.push('\n');
    Ok(s)
}

/// The JSON-LD document as a value.
pub fn document(r: &RegisterJson) -> Value {
    let mut graph = Vec::new();
    let has_processor_record = !r.processor_record.activities.is_empty();
    if let Some(o) = &r.organisation {
        graph.push(organisation(o, has_processor_record));
    }
    graph.push(record(r));
    let transfers_by_activity = |activity: &str| -> Vec<Value> {
        let mut ids: Vec<&str> = r
            .transfers
            .iter()
            .filter(|t| t.activities.contains(&activity))
            .map(|t| t.id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .map(|t| iri(&node_id("transfer", t)))
            .collect()
    };
    let mut activities: Vec<&ActivityJson> = r
        .controller_record
        .activities
        .iter()
        .chain(&r.processor_record.activities)
        .collect();
    activities.sort_by(|a, b| a.id.cmp(b.id));
    for a in activities {
        graph.push(activity(
            a,
            r.organisation.is_some(),
            transfers_by_activity(a.id),
        ));
    }
    for p in sorted(&r.processors, |p| p.id) {
        graph.push(processor(p));
    }
    for x in sorted(&r.recipients, |x| x.id) {
        graph.push(recipient(x));
    }
    for t in sorted(&r.transfers, |t| t.id) {
        graph.push(transfer(t, r));
    }
    for s in sorted(&r.safeguards, |s| s.id) {
        graph.push(safeguard(s));
    }
    for c in sorted(&r.data_subjects, |c| c.id) {
        graph.push(data_subject(c));
    }
    for c in sorted(&r.data_categories, |c| c.id) {
        graph.push(data_category(c));
    }
    for m in sorted(&r.measures, |m| m.id) {
        graph.push(measure(m));
    }
    json!({
        "@context": context(),
        "@graph": graph,
    })
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
/// extension). `safeguard_authorised` tells, for a public-authority
/// instrument, whether a supervisory authority approved it (Art. 46(3)(b))
/// rather than it being binding by itself (Art. 46(2)(a)).
pub fn transfer_legal_basis_iri(
    mechanism: Mechanism,
    derogation: Option<Derogation>,
    safeguard_authorised: bool,
) -> Option<&'static str> {
    Some(match mechanism {
        Mechanism::Adequacy => "eu-gdpr:A45-3",
        Mechanism::Scc => "eu-gdpr:A46-2-c",
        Mechanism::Bcr => "eu-gdpr:A46-2-b",
        Mechanism::CodeOfConduct => "eu-gdpr:A46-2-e",
        Mechanism::Certification => "eu-gdpr:A46-2-f",
        Mechanism::AdHocClauses => "eu-gdpr:A46-3-a",
        Mechanism::PublicAuthorityInstrument if safeguard_authorised => "eu-gdpr:A46-3-b",
        Mechanism::PublicAuthorityInstrument => "eu-gdpr:A46-2-a",
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
        SafeguardKind::PublicAuthorityInstrument => vec!["eu-gdpr:DataTransferTool"],
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

fn sorted<T>(items: &[T], key: impl Fn(&T) -> &str) -> Vec<&T> {
    let mut v: Vec<&T> = items.iter().collect();
    v.sort_by(|a, b| key(a).cmp(key(b)));
    v
}

fn iri(s: &str) -> Value {
    json!({ "@id": s })
}

fn date(d: &impl serde::Serialize) -> Value {
    json!({ "@value": d, "@type": "xsd:date" })
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

fn country(c: &impl serde::Serialize) -> Value {
    let code = serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    iri(&format!("loc:{code}"))
}

fn contact_node(types: &[&str], c: &super::json::ContactJson) -> Value {
    let mut n = Node::new(None, types);
    n.text("dpv:hasName", c.name)
        .text("dpv:hasAddress", c.address);
    let contacts: Vec<Value> = [c.email, c.phone]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Value::String(s.into()))
        .collect();
    n.list("dpv:hasContact", contacts);
    n.done()
}

fn organisation(o: &OrganisationJson, also_processor: bool) -> Value {
    let mut types = vec!["dpv:DataController", "dpv:Organisation"];
    if also_processor {
        types.push("dpv:DataProcessor");
    }
    let mut n = Node::new(Some(&format!("{ID_PREFIX}organisation")), &types);
    n.text("rdfs:label", Some(o.name))
        .text("dpv:hasName", Some(o.name))
        .text("dpv:hasAddress", o.address);
    let contacts: Vec<Value> = [o.email, o.phone, o.website]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Value::String(s.into()))
        .collect();
    n.list("dpv:hasContact", contacts)
        .text("dpv:hasIdentifier", o.registration)
        .set("dpv:hasCountry", country(&o.country));
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
    if let Some(sa) = o.supervisory_authority.filter(|s| !s.trim().is_empty()) {
        let mut a = Node::new(None, &["dpv:DataProtectionAuthority"]);
        a.text("dpv:hasName", Some(sa));
        n.set("dpv:hasAuthority", a.done());
    }
    n.set(
        "dpv:hasRecordOfActivity",
        iri(&format!("{ID_PREFIX}record")),
    );
    n.text("rdfs:comment", o.note);
    n.done()
}

fn record(r: &RegisterJson) -> Value {
    let mut n = Node::new(
        Some(&format!("{ID_PREFIX}record")),
        &["dpv:RecordsOfActivities"],
    );
    n.text(
        "rdfs:label",
        Some("Record of processing activities (GDPR Art. 30)"),
    )
    .set("dct:date", date(&r.as_of));
    if r.organisation.is_some() {
        n.set(
            "dpv:hasDataController",
            iri(&format!("{ID_PREFIX}organisation")),
        );
    }
    n.list(
        "dpv:hasProcess",
        refs(
            "activity",
            r.controller_record
                .activities
                .iter()
                .chain(&r.processor_record.activities)
                .map(|a| a.id),
        ),
    );
    n.text(
        "dct:creator",
        Some(&format!("{} {}", r.generator.name, r.generator.version)),
    );
    n.done()
}

fn activity(a: &ActivityJson, has_organisation: bool, transfers: Vec<Value>) -> Value {
    let id = node_id("activity", a.id);
    let mut n = Node::new(Some(&id), &["dpv:Process"]);
    n.set("dpv:hasIdentifier", Value::String(a.id.to_string()))
        .text("rdfs:label", Some(a.name))
        .text("dct:description", a.description)
        .set(
            "dpv:hasActivityStatus",
            iri(match a.status {
                Status::Active => "dpv:ActivityOngoing",
                Status::Planned => "dpv:ActivityPlanned",
                Status::Retired => "dpv:ActivityHalted",
            }),
        );

    let purposes: Vec<Value> = a
        .purposes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut pn = Node::new(Some(&format!("{id}:purpose:{}", i + 1)), &["dpv:Purpose"]);
            pn.text("rdfs:label", Some(p));
            pn.done()
        })
        .collect();
    n.list("dpv:hasPurpose", purposes);

    let mut bases: Vec<&str> = a.legal_bases.iter().map(|b| legal_basis_iri(*b)).collect();
    if let Some(c) = a.special_category_condition {
        bases.push(special_condition_iri(c));
    }
    bases.sort_unstable();
    bases.dedup();
    n.list("dpv:hasLegalBasis", bases.into_iter().map(iri).collect());
    if let Some(li) = a.legitimate_interest.filter(|s| !s.trim().is_empty()) {
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
        refs("data-category", a.data_categories.iter().map(|c| c.id)),
    )
    .list(
        "dpv:hasDataSubject",
        refs("data-subject", a.data_subjects.iter().map(|c| c.id)),
    );

    // Who decides: the organisation for its own activities, the customers
    // named for processor activities.
    let organisation = iri(&format!("{ID_PREFIX}organisation"));
    match a.role {
        Role::Processor => {
            let controllers: Vec<Value> = a
                .controllers
                .iter()
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
    if a.role == Role::JointController || !a.joint_controllers.is_empty() {
        let mut members: Vec<Value> = Vec::new();
        if has_organisation {
            members.push(organisation.clone());
        }
        for j in &a.joint_controllers {
            let mut jn = Node::new(None, &["dpv:DataController"]);
            jn.text("dpv:hasName", Some(j.name))
                .text("dpv:hasContact", j.contact)
                .text("rdfs:comment", j.arrangement);
            members.push(jn.done());
        }
        let mut jc = Node::new(
            Some(&format!("{id}:joint-controllers")),
            &["dpv:JointDataControllers"],
        );
        jc.list("dpv:hasDataController", members);
        n.set("dpv:hasJointDataControllers", jc.done());
    }

    let mut processors = refs("processor", a.processors.iter().map(|p| p.id));
    if a.role == Role::Processor && has_organisation {
        processors.insert(0, organisation);
    }
    n.list("dpv:hasDataProcessor", processors)
        .list(
            "dpv:hasRecipient",
            refs("recipient", a.recipients.iter().map(|x| x.id)),
        )
        .list("dpv:hasProcess", transfers)
        .list(
            "dpv:hasTechnicalOrganisationalMeasure",
            refs("measure", a.measures.iter().map(|m| m.id)),
        );

    let storage: Vec<Value> = a
        .retention
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut s = Node::new(
                Some(&format!("{id}:retention:{}", i + 1)),
                &["dpv:StorageDuration"],
            );
            match &r.period {
                Some(p) => s.set(
                    "dpv:hasDuration",
                    json!({ "@value": xsd_duration(p), "@type": "xsd:duration" }),
                ),
                None => s.set("dpv:hasDuration", iri("dpv:IndeterminateDuration")),
            };
            s.list(
                "dpv:hasPersonalData",
                refs("data-category", r.data_categories.iter().copied()),
            );
            let mut comments = Vec::new();
            if let Some(from) = r.from.filter(|s| !s.trim().is_empty()) {
                comments.push(Value::String(format!("Period starts at: {from}")));
            }
            if let Some(note) = r.note.filter(|s| !s.trim().is_empty()) {
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
            dn.set("dct:date", date(c));
        }
        dn.text("dpv:hasIdentifier", d.reference);
        let mut comments = Vec::new();
        match d.required {
            Some(true) => comments.push(Value::String("Required (GDPR Art. 35).".into())),
            Some(false) => comments.push(Value::String("Not required.".into())),
            None => {}
        }
        if let Some(note) = d.note.filter(|s| !s.trim().is_empty()) {
            comments.push(Value::String(note.into()));
        }
        dn.list("rdfs:comment", comments);
        n.set("dpv:hasImpactAssessment", dn.done());
    }
    if a.automated_decision_making {
        n.set("dpv:hasContext", iri("dpv:AutomatedDecisionMaking"));
    }
    let mut comments = Vec::new();
    if let Some(note) = a.automated_decision_note.filter(|s| !s.trim().is_empty()) {
        comments.push(Value::String(note.into()));
    }
    if let Some(note) = a.note.filter(|s| !s.trim().is_empty()) {
        comments.push(Value::String(note.into()));
    }
    n.list("rdfs:comment", comments);
    n.done()
}

fn processor(p: &ProcessorJson) -> Value {
    let mut types = vec!["dpv:DataProcessor"];
    if !p.sub_processor_of.is_empty() {
        types.push("dpv:DataSubProcessor");
    }
    let mut n = Node::new(Some(&node_id("processor", p.id)), &types);
    n.set("dpv:hasIdentifier", Value::String(p.id.to_string()))
        .text("rdfs:label", Some(p.name))
        .text("dpv:hasName", Some(p.name))
        .text("dct:description", Some(p.service))
        .set("dpv:hasCountry", country(&p.country));
    let mut locations: Vec<Value> = p.locations.iter().map(country).collect();
    locations.sort_by_key(|v| v.to_string());
    locations.dedup();
    n.list("dpv:hasLocation", locations);
    n.text("dpv:hasContact", p.contact);
    if p.dpa_signed.is_some() || p.dpa_reference.is_some() {
        let mut dpa = Node::new(
            Some(&format!("{}:dpa", node_id("processor", p.id))),
            &["dpv:DataProcessingAgreement"],
        );
        if let Some(d) = &p.dpa_signed {
            dpa.set("dct:date", date(d));
        }
        dpa.text("dpv:hasIdentifier", p.dpa_reference);
        n.set("dpv:hasLegalMeasure", dpa.done());
    }
    n.list(
        "dpv:hasDataProcessor",
        refs("processor", p.sub_processors.iter().map(|s| s.id)),
    );
    n.text("rdfs:comment", p.note);
    n.done()
}

fn recipient(x: &RecipientJson) -> Value {
    let types: &[&str] = match x.kind {
        RecipientKind::Controller => &["dpv:Recipient", "dpv:DataController"],
        RecipientKind::PublicAuthority => &["dpv:Recipient", "dpv:Authority"],
        RecipientKind::GroupCompany => &["dpv:Recipient", "dpv:Organisation"],
        RecipientKind::Category => &["dpv:Recipient"],
    };
    let mut n = Node::new(Some(&node_id("recipient", x.id)), types);
    n.set("dpv:hasIdentifier", Value::String(x.id.to_string()))
        .text("rdfs:label", Some(x.name))
        .text("dpv:hasName", Some(x.name))
        .text("dct:description", x.description);
    if let Some(c) = &x.country {
        n.set("dpv:hasCountry", country(c));
    }
    n.text("rdfs:comment", x.note);
    n.done()
}

fn transfer(t: &TransferJson, r: &RegisterJson) -> Value {
    let id = node_id("transfer", t.id);
    let mut n = Node::new(Some(&id), &["dpv:Process"]);
    let country_label = t.country_name.unwrap_or(t.country.as_str());
    n.set("dpv:hasIdentifier", Value::String(t.id.to_string()))
        .text(
            "rdfs:label",
            Some(&format!("Transfer to {} ({country_label})", t.to.name)),
        )
        .text("dct:description", t.description)
        .set("dpv:hasProcessing", iri("dpv:CrossBorderTransfer"));

    let exporter = match &t.via {
        Some(v) => Some(iri(&node_id("processor", v.id))),
        None => r
            .organisation
            .as_ref()
            .map(|_| iri(&format!("{ID_PREFIX}organisation"))),
    };
    if let Some(e) = exporter {
        n.set("dpv:hasDataExporter", e);
    }
    let party_kind = if t.to.kind == "processor" {
        "processor"
    } else {
        "recipient"
    };
    let party = iri(&node_id(party_kind, t.to.id));
    n.set("dpv:hasDataImporter", party.clone())
        .set("dpv:hasRecipient", party)
        .set("dpv:hasCountry", country(&t.country));
    if !t.inside_eea {
        n.set("dpv:hasThirdCountry", country(&t.country));
    }

    let authorised = t
        .safeguard
        .as_ref()
        .and_then(|s| r.safeguards.iter().find(|x| x.id == s.id))
        .is_some_and(|s| s.approved_by.is_some_and(|a| !a.trim().is_empty()));
    if let Some(basis) = transfer_legal_basis_iri(t.mechanism, t.derogation, authorised) {
        n.set("dpv:hasLegalBasis", iri(basis));
    }

    let mut measures = Vec::new();
    if let Some(s) = &t.safeguard {
        measures.push(iri(&node_id("safeguard", s.id)));
    }
    measures.extend(refs("measure", t.supplementary_measures.iter().copied()));
    n.list("dpv:hasTechnicalOrganisationalMeasure", measures)
        .list(
            "dpv:hasPersonalData",
            refs("data-category", t.data_categories.iter().copied()),
        );

    if let Some(tia) = &t.tia {
        let mut a = Node::new(
            Some(&format!("{id}:tia")),
            &["dpv:DataTransferImpactAssessment"],
        );
        if let Some(c) = &tia.completed {
            a.set("dct:date", date(c));
        }
        a.text("dpv:hasIdentifier", tia.reference)
            .text("dct:description", tia.outcome);
        n.set("dpv:hasImpactAssessment", a.done());
    }

    let mut comments = Vec::new();
    if let Some(d) = &t.adequacy.decision {
        comments.push(Value::String(format!("Adequacy decision in force: {d}")));
    }
    if let Some(note) = t.note.filter(|s| !s.trim().is_empty()) {
        comments.push(Value::String(note.into()));
    }
    n.list("rdfs:comment", comments);
    n.done()
}

fn safeguard(s: &SafeguardJson) -> Value {
    let mut n = Node::new(
        Some(&node_id("safeguard", s.id)),
        &transfer_tool_types(s.kind),
    );
    n.set("dpv:hasIdentifier", Value::String(s.id.to_string()))
        .text("rdfs:label", Some(s.name))
        .text("dct:description", s.description);
    if let Some(d) = &s.signed {
        n.set("dct:date", date(d));
    }
    let mut comments = Vec::new();
    if let Some(v) = &s.scc_version {
        comments.push(Value::String(format!("Commission decision {v}")));
    }
    if !s.scc_modules.is_empty() {
        let modules: Vec<String> = s.scc_modules.iter().map(i64::to_string).collect();
        comments.push(Value::String(format!(
            "SCC modules: {}",
            modules.join(", ")
        )));
    }
    if let Some(a) = s.approved_by.filter(|a| !a.trim().is_empty()) {
        comments.push(Value::String(format!("Approved by: {a}")));
    }
    if let Some(note) = s.note.filter(|s| !s.trim().is_empty()) {
        comments.push(Value::String(note.into()));
    }
    n.list("rdfs:comment", comments);
    n.done()
}

fn data_subject(c: &CategoryJson) -> Value {
    let mut n = Node::new(Some(&node_id("data-subject", c.id)), &["dpv:DataSubject"]);
    n.set("dpv:hasIdentifier", Value::String(c.id.to_string()))
        .text("rdfs:label", Some(c.name))
        .text("dct:description", c.description)
        .text("rdfs:comment", c.note);
    n.done()
}

fn data_category(c: &CategoryJson) -> Value {
    let mut types = vec!["dpv:PersonalData"];
    if c.special {
        types.push("dpv:SpecialCategoryPersonalData");
    }
    if c.criminal {
        types.push("pd:Criminal");
    }
    let mut n = Node::new(Some(&node_id("data-category", c.id)), &types);
    n.set("dpv:hasIdentifier", Value::String(c.id.to_string()))
        .text("rdfs:label", Some(c.name))
        .text("dct:description", c.description)
        .text("rdfs:comment", c.note);
    n.done()
}

fn measure(m: &MeasureJson) -> Value {
    let mut types = vec![match m.kind {
        Some(MeasureKind::Technical) => "dpv:TechnicalMeasure",
        Some(MeasureKind::Organisational) => "dpv:OrganisationalMeasure",
        None => "dpv:TechnicalOrganisationalMeasure",
    }];
    if !m.transfers.is_empty() {
        types.push("eu-gdpr:SupplementaryMeasure");
    }
    let mut n = Node::new(Some(&node_id("measure", m.id)), &types);
    n.set("dpv:hasIdentifier", Value::String(m.id.to_string()))
        .text("rdfs:label", Some(m.name))
        .text("dct:description", m.description)
        .text("rdfs:comment", m.note);
    n.done()
}

#[cfg(test)]
mod tests {

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

    #[test]
    fn transfer_bases() {
        assert_eq!(
            transfer_legal_basis_iri(Mechanism::Scc, None, false),
            Some("eu-gdpr:A46-2-c")
        );
        assert_eq!(
            transfer_legal_basis_iri(Mechanism::Adequacy, None, false),
            Some("eu-gdpr:A45-3")
        );
        assert_eq!(
            transfer_legal_basis_iri(
                Mechanism::Derogation,
                Some(Derogation::PublicRegister),
                false
            ),
            Some("eu-gdpr:A49-1-g")
        );
        assert_eq!(
            transfer_legal_basis_iri(Mechanism::PublicAuthorityInstrument, None, true),
            Some("eu-gdpr:A46-3-b")
        );
        assert_eq!(
            transfer_legal_basis_iri(Mechanism::Derogation, None, false),
            None
        );
    }
}
