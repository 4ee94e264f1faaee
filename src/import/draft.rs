//! What an import has understood, before it is written: the entries of a
//! registry as drafts, with ids made from their names, and the TOML text
//! each becomes. Every layout ([`super::ico`], [`super::fides`]) fills one
//! [`Draft`]; only this module writes registry files.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::Files;
use super::toml_text::Doc;
use crate::model::{
    Derogation, LegalBasis, MeasureKind, Mechanism, RecipientKind, SafeguardKind, SccVersion,
    SpecialCategoryCondition,
};
use crate::model::{is_valid_id, suggest_id};
use crate::reference::words;

/// Everything an import understood, entry by entry.
#[derive(Default)]
pub(super) struct Draft {
    pub(super) activities: Vec<ActivityDraft>,
    pub(super) activity_ids: Ids,
    pub(super) subjects: Catalogue,
    pub(super) categories: Catalogue,
    pub(super) measures: Catalogue,
    pub(super) parties: Parties,
    pub(super) transfers: Vec<TransferEntry>,
    /// The transfers by what makes them one transfer, so each line finds
    /// its entry without reading all of them (10,000 rows have thousands).
    transfer_index: HashMap<TransferKey, usize>,
    /// The same transfers by id.
    transfer_ids_index: HashMap<String, usize>,
    pub(super) transfer_ids: Ids,
    pub(super) safeguards: Vec<SafeguardEntry>,
    pub(super) safeguard_ids: Ids,
}

impl Draft {
    /// The transfer whose id is `id`.
    pub(super) fn transfer_by_id(&self, id: &str) -> Option<&TransferEntry> {
        self.transfer_ids_index.get(id).map(|&i| &self.transfers[i])
    }

    /// The index of the transfer `key`, added (with an id made from its
    /// party and country, and `entry`'s via, measures and notes) when it
    /// is new.
    pub(super) fn transfer(
        &mut self,
        key: TransferKey,
        entry: impl FnOnce() -> (Option<String>, Vec<String>, Vec<String>),
    ) -> usize {
        if let Some(&i) = self.transfer_index.get(&key) {
            return i;
        }
        let id = self.transfer_ids.make(&format!(
            "{}-{}",
            key.to,
            key.country.as_deref().unwrap_or("abroad")
        ));
        let (via, measures, notes) = entry();
        self.transfer_index
            .insert(key.clone(), self.transfers.len());
        self.transfer_ids_index
            .insert(id.clone(), self.transfers.len());
        self.transfers.push(TransferEntry {
            id,
            key,
            via,
            measures,
            notes,
        });
        self.transfers.len() - 1
    }

    /// The registry's files.
    pub(super) fn files(
        &self,
        org: Option<&OrganisationDraft>,
        written: &mut BTreeMap<&'static str, usize>,
    ) -> Files {
        let mut files = Files::new();
        written.insert("data subject", self.subjects.entries.len());
        written.insert("data category", self.categories.entries.len());
        written.insert("measure", self.measures.entries.len());
        let mut count = |files: &mut Files, kind: &'static str, path: String, doc: Doc| {
            files.insert(path, doc.text);
            *written.entry(kind).or_default() += 1;
        };
        if let Some(org) = org {
            count(
                &mut files,
                "organisation",
                "organisation.toml".into(),
                organisation_doc(org),
            );
        }
        for a in &self.activities {
            count(
                &mut files,
                "activity",
                format!("activities/{}.toml", a.id),
                activity_doc(a),
            );
        }
        let mut cats = Doc::default();
        cats.comment("Data subjects and data categories, as the imported record names them.");
        for s in &self.subjects.entries {
            cats.table(&format!("data_subjects.{}", s.id));
            cats.str("name", &s.name);
            cats.notes(&s.notes);
        }
        for c in &self.categories.entries {
            cats.table(&format!("data_categories.{}", c.id));
            cats.str("name", &c.name);
            if c.special {
                cats.bool("special", true);
            }
            if c.criminal {
                cats.bool("criminal", true);
            }
            cats.notes(&c.notes);
        }
        if !self.subjects.entries.is_empty() || !self.categories.entries.is_empty() {
            files.insert("categories.toml".into(), cats.text);
        }
        if !self.measures.entries.is_empty() {
            let mut doc = Doc::default();
            doc.comment("Security measures, as the imported record names them.");
            for m in &self.measures.entries {
                doc.table(&format!("measures.{}", m.id));
                doc.str("name", &m.name);
                doc.opt("kind", m.kind.map(MeasureKind::as_str));
                doc.opt("description", m.description.as_deref());
                doc.notes(&m.notes);
            }
            files.insert("measures.toml".into(), doc.text);
        }
        // The activities naming each processor, found once (a scan per
        // processor would be processors × activities).
        let mut serving: HashMap<&str, Vec<&str>> = HashMap::new();
        for a in &self.activities {
            for id in &a.processors {
                serving
                    .entry(id.as_str())
                    .or_default()
                    .push(a.name.as_str());
            }
        }
        for p in &self.parties.entries {
            let mut doc = Doc::default();
            doc.str("name", &p.name);
            if p.processor {
                // The ICO layout has no column for what the processor
                // does: the activities that name it say what it serves.
                match &p.service {
                    Some(s) => doc.str("service", s),
                    None => {
                        let serves = serving.get(p.id.as_str()).map_or(&[][..], Vec::as_slice);
                        doc.str("service", &format!("Processing for: {}", serves.join("; ")));
                    }
                }
                doc.str("country", p.country.as_deref().unwrap_or(""));
                if p.locations.len() > 1
                    || p.locations
                        .first()
                        .is_some_and(|l| Some(l) != p.country.as_ref())
                {
                    doc.list("locations", &p.locations);
                }
                doc.opt("contact", p.contact.as_deref());
                if let Some(d) = &p.dpa_signed {
                    doc.raw("dpa_signed", d);
                }
                doc.opt("dpa_reference", p.dpa_reference.as_deref());
                // A layout that names the service says so in the party's notes.
                let mut notes = Vec::new();
                if p.service.is_none() {
                    notes.push("`service` is made from the activities that name this processor: the spreadsheet has no column for it. Describe the service.".to_string());
                }
                notes.extend(p.notes.iter().cloned());
                doc.notes(&notes);
                count(
                    &mut files,
                    "processor",
                    format!("processors/{}.toml", p.id),
                    doc,
                );
            } else {
                doc.str("kind", p.kind.unwrap_or(RecipientKind::Category).as_str());
                doc.opt(
                    "international_organisation",
                    p.international_organisation.as_deref(),
                );
                doc.opt("country", p.country.as_deref());
                doc.notes(&p.notes);
                count(
                    &mut files,
                    "recipient",
                    format!("recipients/{}.toml", p.id),
                    doc,
                );
            }
        }
        for t in &self.transfers {
            let mut doc = Doc::default();
            doc.str("to", &t.key.to);
            doc.opt("country", t.key.country.as_deref());
            doc.opt("via", t.via.as_deref());
            doc.str("mechanism", t.key.mechanism.as_str());
            doc.opt("safeguard", t.key.safeguard.as_deref());
            doc.opt("derogation", t.key.derogation.map(Derogation::as_str));
            doc.some_list("supplementary_measures", &t.measures);
            doc.notes(&t.notes);
            count(
                &mut files,
                "transfer",
                format!("transfers/{}.toml", t.id),
                doc,
            );
        }
        for s in &self.safeguards {
            let mut doc = Doc::default();
            doc.str("name", &s.name);
            doc.str("kind", s.kind.as_str());
            doc.opt("scc_version", s.scc_version.map(SccVersion::as_str));
            if !s.modules.is_empty() {
                let m: Vec<String> = s.modules.iter().map(i64::to_string).collect();
                doc.raw("scc_modules", &format!("[{}]", m.join(", ")));
            }
            if let Some(d) = &s.signed {
                doc.raw("signed", d);
            }
            doc.notes(&s.notes);
            count(
                &mut files,
                "safeguard",
                format!("safeguards/{}.toml", s.id),
                doc,
            );
        }
        files
    }
}

/// Ids made from names, unique within their namespace.
#[derive(Default)]
pub(super) struct Ids {
    pub(super) used: HashSet<String>,
    /// The next suffix to try for each base: many names giving one base
    /// (the same purpose in 10,000 rows) must not retry `-2`, `-3`, … each.
    next: HashMap<String, usize>,
}

impl Ids {
    /// `id` itself when the sheet gives a valid one not yet taken (ropa's
    /// own export writes each activity's id); else one made from `name`.
    pub(super) fn keep_or_make(&mut self, id: Option<&str>, name: &str) -> String {
        match id {
            Some(id) if is_valid_id(id) && self.used.insert(id.to_string()) => id.to_string(),
            _ => self.make(name),
        }
    }

    pub(super) fn make(&mut self, name: &str) -> String {
        let base = shorten(&id_from_name(name));
        if self.used.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(2);
        loop {
            let id = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(id.clone()) {
                return id;
            }
        }
    }
}

/// An id of the registry format (`^[a-z0-9]+(-[a-z0-9]+)*$`, at most 64
/// characters) made from a name: "Marketing & Sales" → `marketing-sales`,
/// "Données clients" → `donnees-clients`. Never empty: a name with no
/// Latin letter or digit gives `entry`.
pub fn id_from_name(name: &str) -> String {
    let id = suggest_id(name);
    if is_valid_id(&id) {
        id
    } else {
        "entry".to_string()
    }
}

/// An id within the registry's 64 characters (a few left for a `-2`
/// suffix), cut at a hyphen where there is one.
pub(super) fn shorten(id: &str) -> String {
    const MAX: usize = 60;
    if id.len() <= MAX {
        return id.to_string();
    }
    let cut = &id[..MAX];
    cut.rsplit_once('-')
        .map_or(cut, |(head, _)| head)
        .trim_end_matches('-')
        .to_string()
}

/// A catalogue entry (data subject, data category, measure): a name the
/// sheet wrote, and what it said about it.
#[derive(Default)]
pub(super) struct Named {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) special: bool,
    pub(super) criminal: bool,
    pub(super) kind: Option<MeasureKind>,
    pub(super) description: Option<String>,
    pub(super) notes: Vec<String>,
}

#[derive(Default)]
pub(super) struct Catalogue {
    pub(super) ids: Ids,
    pub(super) by_name: HashMap<String, usize>,
    pub(super) entries: Vec<Named>,
}

impl Catalogue {
    /// The entry named `name` (the same wording is the same entry).
    pub(super) fn entry(&mut self, name: &str) -> &mut Named {
        let key = name.trim().to_lowercase();
        let i = match self.by_name.get(&key) {
            Some(&i) => i,
            None => {
                let id = self.ids.make(name);
                self.entries.push(Named {
                    id,
                    name: name.trim().to_string(),
                    ..Named::default()
                });
                self.by_name.insert(key, self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        &mut self.entries[i]
    }
}

#[derive(Default)]
pub(super) struct Party {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) processor: bool,
    /// What a processor does for us, where the layout says it.
    pub(super) service: Option<String>,
    pub(super) kind: Option<RecipientKind>,
    pub(super) international_organisation: Option<String>,
    pub(super) country: Option<String>,
    pub(super) locations: Vec<String>,
    pub(super) contact: Option<String>,
    pub(super) dpa_signed: Option<String>,
    pub(super) dpa_reference: Option<String>,
    pub(super) notes: Vec<String>,
}

#[derive(Default)]
pub(super) struct Parties {
    pub(super) ids: Ids,
    pub(super) by_name: HashMap<String, usize>,
    pub(super) entries: Vec<Party>,
}

impl Parties {
    pub(super) fn entry(&mut self, name: &str, processor: bool) -> &mut Party {
        let key = (name.trim().to_lowercase(), processor);
        let k = format!("{}\u{0}{}", key.0, key.1);
        let i = match self.by_name.get(&k) {
            Some(&i) => i,
            None => {
                let id = self.ids.make(name);
                self.entries.push(Party {
                    id,
                    name: name.trim().to_string(),
                    processor,
                    ..Party::default()
                });
                self.by_name.insert(k, self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        &mut self.entries[i]
    }

    pub(super) fn find(&self, name: &str) -> Option<&Party> {
        let n = name.trim().to_lowercase();
        [true, false]
            .iter()
            .find_map(|p| self.by_name.get(&format!("{n}\u{0}{p}")))
            .map(|&i| &self.entries[i])
    }
}

#[derive(PartialEq, Eq, Hash, Clone)]
pub(super) struct TransferKey {
    pub(super) to: String,
    pub(super) country: Option<String>,
    pub(super) mechanism: Mechanism,
    pub(super) derogation: Option<Derogation>,
    pub(super) safeguard: Option<String>,
}

pub(super) struct TransferEntry {
    pub(super) id: String,
    pub(super) key: TransferKey,
    pub(super) via: Option<String>,
    pub(super) measures: Vec<String>,
    pub(super) notes: Vec<String>,
}

pub(super) struct SafeguardEntry {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) kind: SafeguardKind,
    pub(super) scc_version: Option<SccVersion>,
    pub(super) modules: Vec<i64>,
    pub(super) signed: Option<String>,
    pub(super) notes: Vec<String>,
}

#[derive(Default)]
pub(super) struct RetentionRule {
    pub(super) period: Option<String>,
    pub(super) from: Option<String>,
    pub(super) categories: Vec<String>,
    pub(super) note: Option<String>,
}

#[derive(Default)]
pub(super) struct ActivityDraft {
    /// "Country (party)" of each transfer line read for the activity, as
    /// the third-countries column names the places it covers.
    pub(super) places_with_transfer: HashSet<String>,
    pub(super) id: String,
    pub(super) name: String,
    pub(super) processor_record: bool,
    pub(super) owner: Option<String>,
    pub(super) description: Option<String>,
    pub(super) purposes: Vec<String>,
    pub(super) legal_bases: Vec<LegalBasis>,
    pub(super) legal_provisions: Vec<String>,
    pub(super) special_condition: Option<SpecialCategoryCondition>,
    pub(super) legitimate_interest: Option<String>,
    pub(super) subjects: Vec<String>,
    pub(super) categories: Vec<String>,
    pub(super) sources: Vec<String>,
    pub(super) processors: Vec<String>,
    pub(super) recipients: Vec<String>,
    pub(super) transfers: Vec<String>,
    pub(super) measures: Vec<String>,
    pub(super) systems: Vec<String>,
    pub(super) controllers: Vec<String>,
    pub(super) automated: Option<bool>,
    pub(super) automated_note: Option<String>,
    pub(super) retention: Vec<RetentionRule>,
    pub(super) dpia_required: Option<bool>,
    pub(super) dpia_completed: Option<String>,
    pub(super) dpia_note: Option<String>,
    pub(super) dpia_reference: Option<String>,
    pub(super) joint: Vec<(String, Option<String>, Option<String>)>,
    pub(super) notes: Vec<String>,
}

pub(super) fn push_unique(list: &mut Vec<String>, v: String) {
    if !list.contains(&v) {
        list.push(v);
    }
}

#[derive(Default)]
pub(super) struct Contact {
    pub(super) name: Option<String>,
    pub(super) address: Option<String>,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
}

impl Contact {
    pub(super) fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.address.is_none()
            && self.email.is_none()
            && self.phone.is_none()
    }
}

#[derive(Default)]
pub(super) struct OrganisationDraft {
    pub(super) own: Contact,
    pub(super) dpo: Contact,
    pub(super) representative: Contact,
    pub(super) details: BTreeMap<&'static str, String>,
    pub(super) notes: Vec<String>,
}

/// The `[dpo]` or `[representative]` table: only the keys the format has
/// for it (a DPO has no `address`, a representative no `phone`).
fn contact_table(doc: &mut Doc, key: &str, c: &Contact, keys: &[&str]) {
    if c.is_empty() {
        return;
    }
    doc.table(key);
    for (k, v) in [
        ("name", &c.name),
        ("address", &c.address),
        ("email", &c.email),
        ("phone", &c.phone),
    ] {
        if keys.contains(&k) {
            doc.opt(k, v.as_deref());
        }
    }
}

/// What the spreadsheet gave for the DPO or the representative that
/// their table has no key for: kept in the organisation's note.
fn contact_left_out(who: &str, c: &Contact, keys: &[&str], notes: &mut Vec<String>) {
    for (k, v) in [
        ("address", &c.address),
        ("email", &c.email),
        ("phone", &c.phone),
    ] {
        if let Some(v) = v
            && !keys.contains(&k)
        {
            notes.push(format!("The spreadsheet gives the {who}'s {k}: {v}"));
        }
    }
}

const DPO_KEYS: &[&str] = &["name", "email", "phone"];
const REPRESENTATIVE_KEYS: &[&str] = &["name", "address", "email"];

/// The country an address ends with ("…, Bristol BS1 4QA, United
/// Kingdom"), for an organisation whose sheet has no country cell.
fn country_of_address(address: &str) -> Option<String> {
    let last = address.rsplit([',', '\n']).next()?.trim();
    words::country(last).map(str::to_string)
}

fn organisation_doc(o: &OrganisationDraft) -> Doc {
    let mut doc = Doc::default();
    doc.str("name", o.own.name.as_deref().unwrap_or(""));
    doc.opt(
        "trading_name",
        o.details.get("trading_name").map(String::as_str),
    );
    doc.opt(
        "registration",
        o.details.get("registration").map(String::as_str),
    );
    doc.opt("address", o.own.address.as_deref());
    doc.opt("email", o.own.email.as_deref());
    doc.opt("phone", o.own.phone.as_deref());
    doc.opt("website", o.details.get("website").map(String::as_str));
    let mut notes = o.notes.clone();
    let from_address = o.own.address.as_deref().and_then(country_of_address);
    match o
        .details
        .get("country")
        .and_then(|c| words::country_code(c))
    {
        Some(c) => doc.str("country", &c),
        None => match from_address {
            Some(c) => {
                doc.str("country", &c);
                notes.push(format!(
                    "`country` is read from the end of the address ({}): check that it is the country of the main establishment.",
                    o.own.address.as_deref().unwrap_or("")
                ));
            }
            // No cell says where the organisation is established: for a
            // person to fill in (ropa check reports it).
            None => doc.str("country", ""),
        },
    }
    doc.opt(
        "supervisory_authority",
        o.details.get("supervisory_authority").map(String::as_str),
    );
    contact_left_out("DPO", &o.dpo, DPO_KEYS, &mut notes);
    contact_left_out(
        "representative",
        &o.representative,
        REPRESENTATIVE_KEYS,
        &mut notes,
    );
    doc.notes(&notes);
    contact_table(&mut doc, "dpo", &o.dpo, DPO_KEYS);
    contact_table(
        &mut doc,
        "representative",
        &o.representative,
        REPRESENTATIVE_KEYS,
    );
    doc
}

fn activity_doc(a: &ActivityDraft) -> Doc {
    let mut doc = Doc::default();
    doc.str("name", &a.name);
    if a.processor_record {
        doc.str("role", "processor");
    }
    doc.opt("description", a.description.as_deref());
    doc.opt("owner", a.owner.as_deref());
    doc.list("purposes", &a.purposes);
    if !a.processor_record || !a.legal_bases.is_empty() {
        let b: Vec<String> = a
            .legal_bases
            .iter()
            .map(|b| b.as_str().to_string())
            .collect();
        doc.list("legal_bases", &b);
    }
    doc.some_list("legal_provisions", &a.legal_provisions);
    doc.opt(
        "special_category_condition",
        a.special_condition.map(SpecialCategoryCondition::as_str),
    );
    doc.opt("legitimate_interest", a.legitimate_interest.as_deref());
    doc.list("data_subjects", &a.subjects);
    doc.list("data_categories", &a.categories);
    doc.some_list("sources", &a.sources);
    doc.some_list("processors", &a.processors);
    doc.some_list("recipients", &a.recipients);
    doc.some_list("transfers", &a.transfers);
    doc.some_list("measures", &a.measures);
    doc.some_list("systems", &a.systems);
    doc.some_list("controllers", &a.controllers);
    if let Some(b) = a.automated {
        doc.bool("automated_decision_making", b);
    }
    doc.opt("automated_decision_note", a.automated_note.as_deref());
    doc.notes(&a.notes);
    for j in &a.joint {
        doc.array_table("joint_controllers");
        doc.str("name", &j.0);
        doc.opt("contact", j.1.as_deref());
        doc.opt("arrangement", j.2.as_deref());
    }
    for r in &a.retention {
        doc.array_table("retention");
        doc.opt("period", r.period.as_deref());
        doc.opt("from", r.from.as_deref());
        doc.some_list("data_categories", &r.categories);
        doc.opt("note", r.note.as_deref());
    }
    if a.dpia_required.is_some()
        || a.dpia_completed.is_some()
        || a.dpia_reference.is_some()
        || a.dpia_note.is_some()
    {
        doc.table("dpia");
        if let Some(b) = a.dpia_required {
            doc.bool("required", b);
        }
        if let Some(d) = &a.dpia_completed {
            doc.raw("completed", d);
        }
        doc.opt("reference", a.dpia_reference.as_deref());
        doc.opt("note", a.dpia_note.as_deref());
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_names() {
        let cases: &[(&str, &str)] = &[
            ("Marketing & Sales", "marketing-sales"),
            ("Données clients", "donnees-clients"),
            ("Löner", "loner"),
            ("  HR -- payroll  ", "hr-payroll"),
            ("Straße", "strasse"),
            ("E-mail address", "e-mail-address"),
            ("", "entry"),
            ("—", "entry"),
            ("Ελλάδα", "entry"),
            ("42", "42"),
        ];
        for (name, want) in cases {
            assert_eq!(id_from_name(name), *want, "{name:?}");
            assert!(is_valid_id(&id_from_name(name)), "{name:?}");
        }
        let long = "a very long name ".repeat(10);
        let id = id_from_name(&long);
        assert!(is_valid_id(&id) && id.len() <= 64, "{id}");
    }

    #[test]
    fn ids_are_unique_and_short() {
        let mut ids = Ids::default();
        for want in ["payroll", "payroll-2", "payroll-3"] {
            assert_eq!(ids.make("Payroll"), want);
        }
        let long = "x".repeat(80);
        let first = ids.make(&long);
        let second = ids.make(&long);
        assert!(is_valid_id(&first) && first.len() <= 60, "{first}");
        assert!(is_valid_id(&second) && second.ends_with("-2"), "{second}");
    }

    proptest::proptest! {
        #[test]
        fn any_name_gives_a_valid_id(name in "\\PC{0,40}") {
            proptest::prop_assert!(is_valid_id(&id_from_name(&name)));
        }
    }
}
