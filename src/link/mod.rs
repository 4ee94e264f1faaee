//! Link: a loaded registry → a linked, read-only register.
//!
//! Entry point: [`Register::new`], right after loading and before the
//! rules. Everything that is not a plain field is computed here once:
//! the index by id, back-links (who uses this processor, which transfers
//! rely on this safeguard), each activity's flows out of the EEA with the
//! transfers that cover them, the countries data goes to, and the
//! adequacy verdict of every transfer and flow. Ids that name nothing are
//! tolerated (skipped): the rules report them. The rules, the site and
//! every export read this; none of them judges adequacy again.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::model::*;

pub mod due;
pub mod rights;

/// What the adequacy list says of personal data going to one party in one
/// country at the as-of date (Art. 45). This is the one place it is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adequacy<'a> {
    /// A decision in force covers the party.
    Covered(&'a AdequacyDecision),
    /// A decision is in force, but it covers only parties that meet
    /// `requirement` (the US decision: DPF-certified organisations), and
    /// this one does not; `party_known` is false when no processor or
    /// recipient has the party's id.
    RequirementUnmet {
        decision: &'a AdequacyDecision,
        requirement: AdequacyRequirement,
        party_known: bool,
    },
    /// The country's decision expired before the as-of date.
    Expired(&'a AdequacyDecision),
    /// The country's decision was adopted after the as-of date.
    NotYetInForce(&'a AdequacyDecision),
    /// The country (or the international organisation) has no adequacy
    /// decision.
    NoDecision,
}

impl<'a> Adequacy<'a> {
    /// Does a decision cover this party's data?
    pub fn covers(self) -> bool {
        matches!(self, Adequacy::Covered(_))
    }

    /// The country's decision, if one is in force (whether or not it
    /// covers this party).
    pub fn decision_in_force(self) -> Option<&'a AdequacyDecision> {
        match self {
            Adequacy::Covered(d) | Adequacy::RequirementUnmet { decision: d, .. } => Some(d),
            _ => None,
        }
    }
}

/// How an activity's data reaches a party under SCCs: a row of the table
/// of contract 1.1, which decides the modules of Decision (EU) 2021/914.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SccRoute {
    /// We are controller, and the activity names the processor.
    ControllerToProcessor,
    /// We are controller, and the processor is reached through
    /// sub-processors, or the transfer is made `via` one.
    ControllerThroughProcessors,
    /// We are controller, and the party is a recipient.
    ControllerToController,
    /// We act as processor, and the party is a (sub-)processor.
    ProcessorToProcessor,
    /// We act as processor, and the party is a recipient.
    ProcessorToRecipient,
}

impl SccRoute {
    /// The modules the route allows. Through sub-processors, module 3
    /// between the processors is usual, and a controller may sign module
    /// 2 with the importer directly; a processor sends to a controller
    /// under 4, or under 1 to a third party on the controller's
    /// instruction.
    pub fn modules(self) -> &'static [i64] {
        match self {
            SccRoute::ControllerToProcessor => &[2],
            SccRoute::ControllerThroughProcessors => &[2, 3],
            SccRoute::ControllerToController => &[1],
            SccRoute::ProcessorToProcessor => &[3],
            SccRoute::ProcessorToRecipient => &[4, 1],
        }
    }
}

/// Where data leaves the EEA for one party, and what covers it.
#[derive(Clone, Debug)]
pub struct Flow<'a> {
    /// The processor or recipient located there.
    pub party: &'a str,
    /// Where the party is. `None` only for an international organisation
    /// whose seat is not given.
    pub country: Option<&'a str>,
    /// The party is an international organisation with this code: never
    /// an EEA party, wherever its seat (Art. 4(26), 44).
    pub international_organisation: Option<&'a str>,
    /// The processors from the one the activity names to `party`.
    pub chain: Vec<&'a str>,
    /// Transfers whose `to` and `country` match (for an international
    /// organisation, every transfer to it).
    pub transfers: Vec<&'a Transfer>,
    /// Whether an adequacy decision covers this party there.
    pub adequacy: Adequacy<'a>,
    /// The strongest ground among `transfers` that holds at the as-of
    /// date ([`Register::ground_of`]).
    pub ground: Ground,
}

/// Why a safeguard no longer serves as one at the as-of date: the rules
/// `safeguard-expired` and `scc-repealed` say so, and the flows under it
/// lose it as a ground ([`lapses`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lapse {
    /// Its `expires` date has passed.
    Expired(Date),
    /// SCCs of a repealed decision signed on or after 2021-09-27, when the
    /// decision was already repealed (Decision (EU) 2021/914, Art. 4).
    SignedAfterRepeal(Date),
    /// SCCs of a repealed decision, after the transition that ended on
    /// 2022-12-27.
    Repealed,
}

/// Each reason why safeguard `sg` no longer serves as one at `as_of`
/// (none: it holds). The one judgement of it: the rules word each reason,
/// and [`Register::ground_of`] drops a lapsed safeguard as a ground.
pub fn lapses(sg: &Safeguard, as_of: Date) -> impl Iterator<Item = Lapse> {
    let expired = sg
        .expires
        .as_ref()
        .filter(|exp| due::past(exp.value, as_of))
        .map(|exp| Lapse::Expired(exp.value));
    let repealed = sg
        .scc_version
        .as_ref()
        .is_some_and(|v| v.value.is_repealed());
    let repealed_on = Date::new(2021, 9, 27);
    let transition_end = Date::new(2022, 12, 27);
    let repeal = match sg.signed.as_ref() {
        _ if !repealed => None,
        Some(sd) if repealed_on.is_some_and(|r| sd.value >= r) => {
            Some(Lapse::SignedAfterRepeal(sd.value))
        }
        _ if transition_end.is_some_and(|g| as_of > g) => Some(Lapse::Repealed),
        _ => None, // still in the transition
    };
    [expired, repeal].into_iter().flatten()
}

/// What a flow out of the EEA rests on, strongest first: an adequacy
/// decision (Art. 45), an appropriate safeguard (Art. 46-47), a
/// derogation (Art. 49), or nothing recorded (rule 7's
/// `transfer-uncovered`, an error a build refuses; a preview shows it).
/// The pictures colour flows and countries by it (docs/site.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ground {
    Adequacy,
    Safeguard,
    Derogation,
    Uncovered,
}

impl Ground {
    pub const ALL: [Ground; 4] = [
        Ground::Adequacy,
        Ground::Safeguard,
        Ground::Derogation,
        Ground::Uncovered,
    ];

    /// The ground a transfer's mechanism gives, when it holds.
    pub fn of(mechanism: Mechanism) -> Ground {
        match mechanism {
            Mechanism::Adequacy => Ground::Adequacy,
            Mechanism::Derogation => Ground::Derogation,
            _ => Ground::Safeguard,
        }
    }

    /// The word in class names and translation keys (`ground.safeguard`).
    pub fn as_str(self) -> &'static str {
        match self {
            Ground::Adequacy => "adequacy",
            Ground::Safeguard => "safeguard",
            Ground::Derogation => "derogation",
            Ground::Uncovered => "uncovered",
        }
    }
}

/// Everything about one country that data goes to or is located in.
#[derive(Clone, Debug, Default)]
pub struct CountryInfo<'a> {
    pub transfers: Vec<&'a Transfer>,
    pub processors: Vec<&'a Processor>,
    pub recipients: Vec<&'a Recipient>,
    /// The country is in the EEA.
    pub inside_eea: bool,
    /// The country's adequacy decision, if one is in force at the as-of
    /// date (whether it covers a given party is in each transfer's verdict).
    pub decision: Option<&'a AdequacyDecision>,
    /// The weakest [`Flow::ground`] of the data that non-retired
    /// activities send to a party here; `None` when none does (an EEA
    /// country, or one only retired activities reached).
    pub ground: Option<Ground>,
}

/// Everything about one international organisation that data goes to.
#[derive(Clone, Debug, Default)]
pub struct OrganisationInfo<'a> {
    /// The recipients that are this organisation.
    pub recipients: Vec<&'a Recipient>,
    pub transfers: Vec<&'a Transfer>,
    /// The organisation's own adequacy decision, if one is in force.
    pub decision: Option<&'a AdequacyDecision>,
    /// The weakest [`Flow::ground`] of the data non-retired activities
    /// disclose to it; `None` when none does.
    pub ground: Option<Ground>,
}

/// The registry's entries by id, hashed: pages and the JSON register look
/// up names by id hundreds of thousands of times, and a `BTreeMap` lookup
/// is a dozen string compares.
#[derive(Debug, Default)]
pub struct Index<'a> {
    pub processors: HashMap<&'a str, &'a Processor>,
    pub recipients: HashMap<&'a str, &'a Recipient>,
    pub transfers: HashMap<&'a str, &'a Transfer>,
    pub safeguards: HashMap<&'a str, &'a Safeguard>,
    pub measures: HashMap<&'a str, &'a Measure>,
    pub data_subjects: HashMap<&'a str, &'a Category>,
    pub data_categories: HashMap<&'a str, &'a Category>,
}

/// The registry keeps its larger entries boxed (see `Registry`), the
/// small ones inline: both index to plain references.
fn index<T, B: std::borrow::Borrow<T>>(map: &BTreeMap<String, B>) -> HashMap<&str, &T> {
    map.iter().map(|(k, v)| (k.as_str(), v.borrow())).collect()
}

impl<'a> Index<'a> {
    fn new(reg: &'a Registry) -> Index<'a> {
        Index {
            processors: index(&reg.processors),
            recipients: index(&reg.recipients),
            transfers: index(&reg.transfers),
            safeguards: index(&reg.safeguards),
            measures: index(&reg.measures),
            data_subjects: index(&reg.data_subjects),
            data_categories: index(&reg.data_categories),
        }
    }
}

#[derive(Debug)]
pub struct Register<'a> {
    pub reg: &'a Registry,
    /// The same entries by id, for lookups.
    pub index: Index<'a>,
    pub adequacy: &'a AdequacyList,
    pub as_of: Date,
    /// Back-links: the activities that name each processor, recipient,
    /// transfer, measure, data subject and data category (ids sorted).
    pub activities_by_processor: BackLinks<'a, Activity>,
    pub activities_by_recipient: BackLinks<'a, Activity>,
    pub activities_by_measure: BackLinks<'a, Activity>,
    pub activities_by_subject: BackLinks<'a, Activity>,
    pub activities_by_category: BackLinks<'a, Activity>,
    /// Activities whose data reaches a transfer (listed, or covering a flow).
    pub activities_by_transfer: BackLinks<'a, Activity>,
    /// Transfers by `to`, by `via` and by `safeguard`; transfers naming a measure.
    pub transfers_to: BackLinks<'a, Transfer>,
    pub transfers_via: BackLinks<'a, Transfer>,
    pub transfers_by_safeguard: BackLinks<'a, Transfer>,
    pub transfers_by_measure: BackLinks<'a, Transfer>,
    /// Processors that list a processor among their `sub_processors`.
    pub parents: BackLinks<'a, Processor>,
    /// Per activity id: its flows out of the EEA and what covers them
    /// (shared: many activities reach the same processors).
    pub flows: HashMap<&'a str, Vec<Arc<Flow<'a>>>>,
    /// Per processor id: the flows out of the EEA through it and its
    /// sub-processors (those an activity naming it has).
    pub processor_flows: HashMap<&'a str, Vec<Arc<Flow<'a>>>>,
    /// Per transfer id: the activities' flows it covers, in id order of the
    /// activity (retired ones too), each once. Kept so that the rules on a
    /// transfer do not look through every flow of every activity reaching
    /// it, which grows faster than the registry.
    flows_by_transfer: HashMap<&'a str, Vec<(&'a Activity, Arc<Flow<'a>>)>>,
    /// Per transfer id: does an adequacy decision cover it?
    pub transfer_adequacy: HashMap<&'a str, Adequacy<'a>>,
    /// Countries, without the international organisations (which are
    /// listed apart, in `international_organisations`, seat or not).
    pub countries: BTreeMap<&'a str, CountryInfo<'a>>,
    /// International organisations that recipients are, by code.
    pub international_organisations: BTreeMap<&'a str, OrganisationInfo<'a>>,
    /// Per activity id: the rights its data subjects have (Art. 7(3),
    /// 12-22, 77), from its role, legal bases and automated decisions.
    pub rights: HashMap<&'a str, rights::Rights>,
}

/// Entries that name an id, by that id, in id order of the naming entry.
/// Only looked up, never listed, so a hash map.
pub type BackLinks<'a, T> = HashMap<&'a str, Vec<&'a T>>;

fn push<'a, T>(map: &mut HashMap<&'a str, Vec<T>>, key: &'a str, v: T) {
    map.entry(key).or_default().push(v);
}

/// The back-links from activities to what they name, read from the
/// activity's declared references (those at the top of the file; a
/// retention entry's categories are the activity's own).
#[derive(Default)]
struct ActivityLinks<'a> {
    processor: BackLinks<'a, Activity>,
    recipient: BackLinks<'a, Activity>,
    measure: BackLinks<'a, Activity>,
    subject: BackLinks<'a, Activity>,
    category: BackLinks<'a, Activity>,
    /// Transfers the activity lists (the transfers covering its flows are
    /// added to `activities_by_transfer` with the flows).
    transfer: BackLinks<'a, Activity>,
}

impl<'a> ActivityLinks<'a> {
    fn new(reg: &'a Registry) -> Self {
        let mut l = ActivityLinks::default();
        for a in reg.activities.values() {
            for r in a.references() {
                if r.field.within.is_some() {
                    continue;
                }
                let map = match r.field.kind {
                    RefKind::Processor => &mut l.processor,
                    RefKind::Recipient => &mut l.recipient,
                    RefKind::Measure => &mut l.measure,
                    RefKind::DataSubject => &mut l.subject,
                    RefKind::DataCategory => &mut l.category,
                    RefKind::Transfer => &mut l.transfer,
                    RefKind::Safeguard | RefKind::Party => continue,
                };
                push(map, &r.id.value, &**a);
            }
        }
        l
    }
}

impl<'a> Register<'a> {
    /// Links `reg`, judged with `adequacy` (the registry's own list or the
    /// bundled one) at `as_of`.
    pub fn new(reg: &'a Registry, adequacy: &'a AdequacyList, as_of: Date) -> Register<'a> {
        let mut r = Register {
            reg,
            index: Index::new(reg),
            adequacy,
            as_of,
            activities_by_processor: HashMap::default(),
            activities_by_recipient: HashMap::default(),
            activities_by_measure: HashMap::default(),
            activities_by_subject: HashMap::default(),
            activities_by_category: HashMap::default(),
            activities_by_transfer: HashMap::default(),
            transfers_to: HashMap::default(),
            transfers_via: HashMap::default(),
            transfers_by_safeguard: HashMap::default(),
            transfers_by_measure: HashMap::default(),
            parents: HashMap::default(),
            flows: HashMap::default(),
            processor_flows: HashMap::default(),
            flows_by_transfer: HashMap::default(),
            transfer_adequacy: HashMap::default(),
            countries: BTreeMap::new(),
            international_organisations: BTreeMap::new(),
            rights: reg
                .activities
                .values()
                .map(|a| (a.id.as_str(), rights::rights(a)))
                .collect(),
        };
        for t in reg.transfers.values() {
            for x in t.references() {
                // By field: each back-link is about one declared field.
                let map = match x.field.key {
                    "to" => &mut r.transfers_to,
                    "via" => &mut r.transfers_via,
                    "safeguard" => &mut r.transfers_by_safeguard,
                    "supplementary_measures" => &mut r.transfers_by_measure,
                    _ => continue,
                };
                push(map, &x.id.value, &**t);
            }
        }
        // A transfer goes to an international organisation or to a country.
        for t in reg.transfers.values() {
            let to = r.index.recipients.get(t.to.value.as_str());
            if let Some(code) = to.and_then(|rec| rec.international_organisation()) {
                r.international_organisations
                    .entry(code)
                    .or_default()
                    .transfers
                    .push(t);
            } else if let Some(c) = &t.country {
                r.countries.entry(&c.value).or_default().transfers.push(t);
            }
        }
        for p in reg.processors.values() {
            for s in p.references() {
                if s.field.key == "sub_processors" {
                    push(&mut r.parents, &s.id.value, &**p);
                }
            }
            for place in p.places() {
                r.countries
                    .entry(&place.value)
                    .or_default()
                    .processors
                    .push(p);
            }
        }
        if let Some(o) = &reg.organisation {
            r.countries.entry(&o.country.value).or_default();
        }
        for rec in reg.recipients.values() {
            if let Some(code) = rec.international_organisation() {
                r.international_organisations
                    .entry(code)
                    .or_default()
                    .recipients
                    .push(rec);
            } else if let Some(c) = &rec.country {
                r.countries
                    .entry(&c.value)
                    .or_default()
                    .recipients
                    .push(rec);
            }
        }
        for (cc, info) in &mut r.countries {
            info.inside_eea = adequacy.in_eea(cc);
            info.decision = adequacy.decisions.get(*cc).filter(|d| d.in_force(as_of));
        }
        for (code, info) in &mut r.international_organisations {
            info.decision = adequacy
                .international_organisations
                .get(*code)
                .filter(|d| d.in_force(as_of));
        }
        r.transfer_adequacy = reg
            .transfers
            .values()
            .map(|t| (t.id.as_str(), r.judge(&t.to.value, t.country())))
            .collect();
        // Each processor's flows are computed once, in parallel, and shared
        // (`Arc`) by the activities that reach it; the activities' flows
        // are then put together in parallel while the back-links are made.
        let by_processor: HashMap<&'a str, Vec<Arc<Flow<'a>>>> = reg
            .processors
            .par_iter()
            .map(|(id, _)| (id.as_str(), r.flows_from(id)))
            .collect();
        let (flows, links) = rayon::join(
            || {
                reg.activities
                    .par_iter()
                    .map(|(_, a)| (a, r.flows_of(a, &by_processor)))
                    .collect::<Vec<_>>()
            },
            || ActivityLinks::new(reg),
        );
        r.activities_by_processor = links.processor;
        r.activities_by_recipient = links.recipient;
        r.activities_by_measure = links.measure;
        r.activities_by_subject = links.subject;
        r.activities_by_category = links.category;
        r.activities_by_transfer = links.transfer;
        // In id order, as the activities are.
        for (a, flows) in flows {
            for f in &flows {
                for (i, t) in f.transfers.iter().enumerate() {
                    push(&mut r.activities_by_transfer, &t.id, &**a);
                    if !f.transfers[..i].iter().any(|u| std::ptr::eq(*u, *t)) {
                        push(&mut r.flows_by_transfer, &t.id, (&**a, f.clone()));
                    }
                }
            }
            r.flows.insert(&a.id, flows);
        }
        for list in r.activities_by_transfer.values_mut() {
            // Activities are visited in id order, so equal ones are
            // adjacent once sorted by id (listed and covering links were
            // added in two passes).
            list.sort_by(|x, y| x.id.cmp(&y.id));
            list.dedup_by_key(|a| a.id.as_str());
        }
        r.processor_flows = by_processor;
        r.grounds();
        r
    }

    /// Each country's and international organisation's weakest ground
    /// (see [`CountryInfo::ground`]).
    fn grounds(&mut self) {
        let mut countries: HashMap<&'a str, Ground> = HashMap::default();
        let mut organisations: HashMap<&'a str, Ground> = HashMap::default();
        for a in self.reg.activities.values() {
            if a.status() == Status::Retired {
                continue;
            }
            for f in self.flows.get(a.id.as_str()).into_iter().flatten() {
                let (map, key) = match (f.international_organisation, f.country) {
                    (Some(code), _) => (&mut organisations, code),
                    (None, Some(cc)) => (&mut countries, cc),
                    (None, None) => continue,
                };
                let g = map.entry(key).or_insert(Ground::Adequacy);
                *g = (*g).max(f.ground);
            }
        }
        for (cc, g) in countries {
            if let Some(info) = self.countries.get_mut(cc) {
                info.ground = Some(g);
            }
        }
        for (code, g) in organisations {
            if let Some(info) = self.international_organisations.get_mut(code) {
                info.ground = Some(g);
            }
        }
    }

    /// Does an adequacy decision cover data going to `party` in `country`
    /// at the as-of date? The judgement of Art. 45, made here only. An
    /// international organisation is covered only by a decision of its
    /// own, never by its host country's.
    fn judge(&self, party: &str, country: Option<&str>) -> Adequacy<'a> {
        let adequacy: &'a AdequacyList = self.adequacy;
        let recipient = self.index.recipients.get(party);
        let decision = match recipient.and_then(|r| r.international_organisation()) {
            Some(code) => adequacy.international_organisations.get(code),
            None => country.and_then(|c| adequacy.decisions.get(c)),
        };
        let Some(decision) = decision else {
            return Adequacy::NoDecision;
        };
        if !self.in_force(decision) {
            return if decision.expires.is_some_and(|e| due::past(e, self.as_of)) {
                Adequacy::Expired(decision)
            } else {
                Adequacy::NotYetInForce(decision)
            };
        }
        match decision.requires {
            None => Adequacy::Covered(decision),
            Some(requirement @ AdequacyRequirement::PrivateSector) => {
                match recipient.map(|r| r.kind.value) {
                    Some(RecipientKind::PublicAuthority) => Adequacy::RequirementUnmet {
                        decision,
                        requirement,
                        party_known: true,
                    },
                    _ => Adequacy::Covered(decision),
                }
            }
            Some(requirement @ AdequacyRequirement::DpfCertified) => {
                let certified = self
                    .index
                    .processors
                    .get(party)
                    .map(|p| p.dpf_certified())
                    .or_else(|| self.index.recipients.get(party).map(|r| r.dpf_certified()));
                match certified {
                    Some(true) => Adequacy::Covered(decision),
                    other => Adequacy::RequirementUnmet {
                        decision,
                        requirement,
                        party_known: other.is_some(),
                    },
                }
            }
        }
    }

    /// The activity's flows out of the EEA: through each processor it
    /// names (and their sub-processors) and each recipient with a country.
    /// `by_processor` holds each processor's flows, computed once.
    fn flows_of(
        &self,
        a: &'a Activity,
        by_processor: &HashMap<&'a str, Vec<Arc<Flow<'a>>>>,
    ) -> Vec<Arc<Flow<'a>>> {
        let mut out: Vec<Arc<Flow<'a>>> = Vec::new();
        // (party, country) by address: both point into the registry.
        let mut seen_pairs: HashSet<(usize, usize)> = HashSet::default();
        for start in ids(&a.processors) {
            let Some(flows) = by_processor.get(start) else {
                continue;
            };
            for f in flows {
                let country = f.country.map_or(0, |c| c.as_ptr() as usize);
                if seen_pairs.insert((f.party.as_ptr() as usize, country)) {
                    out.push(f.clone());
                }
            }
        }
        for id in ids(&a.recipients) {
            let Some(rec) = self.index.recipients.get(id) else {
                continue;
            };
            let country = rec.country.as_ref().map(|c| c.value.as_str());
            let organisation = rec.international_organisation();
            // An international organisation is outside the EEA wherever
            // its seat is; any other recipient without a country is a
            // category spread over many, and makes no flow of its own.
            let leaves = match (organisation, country) {
                (Some(_), _) => true,
                (None, Some(c)) => !self.adequacy.in_eea(c),
                (None, None) => false,
            };
            let key = (
                rec.id.as_ptr() as usize,
                country.map_or(0, |c| c.as_ptr() as usize),
            );
            if !leaves || !seen_pairs.insert(key) {
                continue;
            }
            out.push(Arc::new(self.flow(
                &rec.id,
                country,
                organisation,
                Vec::new(),
            )));
        }
        out
    }

    /// The flows of processor `start` (see `Registry::exits_from`), each
    /// with the transfers covering it.
    fn flows_from(&self, start: &'a str) -> Vec<Arc<Flow<'a>>> {
        self.reg
            .exits_from(start, |c| self.adequacy.in_eea(c))
            .into_iter()
            .map(|e| Arc::new(self.flow(e.party, Some(e.country), None, e.chain)))
            .collect()
    }

    /// The flow of data to `party` in `country`, with the transfers that
    /// cover it and what they rest on.
    fn flow(
        &self,
        party: &'a str,
        country: Option<&'a str>,
        international_organisation: Option<&'a str>,
        chain: Vec<&'a str>,
    ) -> Flow<'a> {
        let transfers = self.covering(party, country);
        let adequacy = self.judge(party, country);
        let ground = self.ground_of(&transfers, adequacy.covers());
        Flow {
            party,
            country,
            international_organisation,
            chain,
            transfers,
            adequacy,
            ground,
        }
    }

    /// The strongest ground among `transfers` that holds at the as-of
    /// date: adequacy only where a decision covers the party (else
    /// `adequacy-invalid` says why); an Art. 46 mechanism unless its
    /// safeguard has lapsed (`safeguard-expired`, `scc-repealed`); none is
    /// [`Ground::Uncovered`], as rule 7 judges.
    fn ground_of(&self, transfers: &[&Transfer], adequacy_covers: bool) -> Ground {
        transfers
            .iter()
            .filter_map(|t| match t.mechanism.value {
                Mechanism::Adequacy => adequacy_covers.then_some(Ground::Adequacy),
                Mechanism::Derogation => Some(Ground::Derogation),
                // A safeguard not named or not found is a gap in the
                // record (`safeguard-missing`, `broken-reference`), not in
                // the law: the mechanism still counts.
                _ => match t
                    .safeguard
                    .as_ref()
                    .and_then(|s| self.index.safeguards.get(s.value.as_str()))
                {
                    Some(sg) if lapses(sg, self.as_of).next().is_some() => None,
                    _ => Some(Ground::Safeguard),
                },
            })
            .min()
            .unwrap_or(Ground::Uncovered)
    }

    /// The transfers covering data going to `party` in `country`: those
    /// to the party and country, or, for an international organisation,
    /// every transfer to it (its seat is not where the data goes).
    fn covering(&self, party: &str, country: Option<&str>) -> Vec<&'a Transfer> {
        let organisation = self
            .index
            .recipients
            .get(party)
            .is_some_and(|r| r.international_organisation().is_some());
        self.transfers_to.get(party).map_or_else(Vec::new, |ts| {
            ts.iter()
                .copied()
                .filter(|t| organisation || t.country() == country)
                .collect()
        })
    }

    /// Is `country` in the EEA (so data going there is not a transfer)?
    pub fn inside_eea(&self, country: &str) -> bool {
        self.adequacy.in_eea(country)
    }

    /// The international organisation transfer `t` goes to, if it goes to
    /// one (a recipient of that kind).
    pub fn organisation_of(&self, t: &Transfer) -> Option<&'a str> {
        self.index
            .recipients
            .get(t.to.value.as_str())
            .and_then(|r| r.international_organisation())
    }

    /// Is transfer `t` to a party inside the EEA, so not an international
    /// transfer at all (rule 8)? Never for an international organisation.
    pub fn transfer_inside_eea(&self, t: &Transfer) -> bool {
        self.organisation_of(t).is_none() && t.country().is_some_and(|c| self.inside_eea(c))
    }

    /// The adequacy decision for `country` in force at the as-of date, if
    /// any: for a country's own parties (not an international
    /// organisation seated there).
    pub fn country_decision(&self, country: &str) -> Option<&'a AdequacyDecision> {
        let adequacy: &'a AdequacyList = self.adequacy;
        adequacy.decisions.get(country).filter(|d| self.in_force(d))
    }

    /// Is adequacy decision `d` in force at the as-of date?
    pub fn in_force(&self, d: &AdequacyDecision) -> bool {
        d.in_force(self.as_of)
    }

    /// The adequacy verdict of transfer `t` (see [`Adequacy`]).
    pub fn adequacy_of(&self, t: &Transfer) -> Adequacy<'a> {
        self.transfer_adequacy
            .get(t.id.as_str())
            .copied()
            .unwrap_or_else(|| self.judge(&t.to.value, t.country()))
    }

    /// The transfers the activity's data goes through: those it lists
    /// (that exist) and those covering its flows, by id, each once. The
    /// reverse of `activities_by_transfer`, read from the same two sources.
    pub fn transfers_of(&self, a: &'a Activity) -> Vec<&'a Transfer> {
        let listed = ids(&a.transfers).filter_map(|id| self.index.transfers.get(id).copied());
        let covering = self
            .flows_of_activity(a)
            .iter()
            .flat_map(|f| f.transfers.iter().copied());
        let mut out: Vec<&'a Transfer> = listed.chain(covering).collect();
        out.sort_unstable_by(|x, y| x.id.cmp(&y.id));
        out.dedup_by(|x, y| x.id == y.id);
        out
    }

    /// The SCC modules (Decision (EU) 2021/914) that the parties' roles
    /// allow for activity `a`'s data reaching flow `f` under transfer `t`:
    /// the table of contract 1.1 (see [`SccRoute::modules`]).
    pub fn scc_modules_allowed(&self, a: &Activity, f: &Flow, t: &Transfer) -> &'static [i64] {
        self.scc_route(a, f, t).modules()
    }

    /// Which row of the SCC table activity `a`'s data reaching flow `f`
    /// under transfer `t` falls in: the activity's role, whether the party
    /// is a processor, and whether it is reached directly.
    pub fn scc_route(&self, a: &Activity, f: &Flow, t: &Transfer) -> SccRoute {
        let to_processor = self.is_processor(f.party);
        // Named by the activity, the party is reached directly even when a
        // chain of sub-processors also leads to it (the flow keeps one chain).
        let named = f.chain.len() <= 1 || ids(&a.processors).any(|p| p == f.party);
        let direct = named && t.via.is_none();
        match (a.role(), to_processor, direct) {
            (Role::Processor, true, _) => SccRoute::ProcessorToProcessor,
            (Role::Processor, false, _) => SccRoute::ProcessorToRecipient,
            (_, true, true) => SccRoute::ControllerToProcessor,
            (_, true, false) => SccRoute::ControllerThroughProcessors,
            (_, false, _) => SccRoute::ControllerToController,
        }
    }

    /// The non-retired activities whose data reaches transfer `t` (through
    /// the flows of rule 7, or because they list it): those for which the
    /// transfer is in use.
    pub fn activities_reaching<'s>(
        &'s self,
        t: &Transfer,
    ) -> impl Iterator<Item = &'a Activity> + 's {
        self.activities_by_transfer
            .get(t.id.as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(|a| a.status() != Status::Retired)
    }

    /// Is transfer `t` in use: does a non-retired activity reach it?
    pub fn transfer_in_use(&self, t: &Transfer) -> bool {
        self.activities_reaching(t).next().is_some()
    }

    /// Is safeguard `id` in use: does a transfer that is in use name it?
    /// A safeguard named only by transfers no live activity reaches is
    /// history, and the rules on its validity leave it alone.
    pub fn safeguard_in_use(&self, id: &str) -> bool {
        self.transfers_by_safeguard
            .get(id)
            .is_some_and(|ts| ts.iter().any(|t| self.transfer_in_use(t)))
    }

    /// Each non-retired activity's flow that transfer `t` covers (rule 7):
    /// the activity, and how its data gets to the party.
    pub fn flows_under<'s>(
        &'s self,
        t: &'s Transfer,
    ) -> impl Iterator<Item = (&'a Activity, &'s Flow<'a>)> + 's {
        self.flows_by_transfer
            .get(t.id.as_str())
            .into_iter()
            .flatten()
            .filter(|(a, _)| a.status() != Status::Retired)
            .map(|(a, f)| (*a, &**f))
    }

    /// The first non-retired activity (by id) reaching transfer `t` with a
    /// data subject that is `employees`, and that data subject.
    pub fn employee_data_reaching(&self, t: &Transfer) -> Option<(&'a Activity, &'a Category)> {
        self.activities_reaching(t).find_map(|a| {
            a.data_subjects
                .value
                .iter()
                .filter_map(|s| self.index.data_subjects.get(s.value.as_str()).copied())
                .find(|s| s.employees)
                .map(|s| (a, s))
        })
    }

    /// Employee data going under adequacy to a party whose DPF
    /// certification does not cover human-resources data: the decision
    /// covers the party (Art. 45), but not that data, and no transfer to
    /// the same party and country under another mechanism carries it.
    /// Returns the activity and the data subject that bring it.
    pub fn hr_data_uncovered(&self, t: &Transfer) -> Option<(&'a Activity, &'a Category)> {
        if t.mechanism.value != Mechanism::Adequacy {
            return None;
        }
        let Adequacy::Covered(decision) = self.adequacy_of(t) else {
            return None;
        };
        if decision.requires != Some(AdequacyRequirement::DpfCertified) {
            return None;
        }
        let party = t.to.value.as_str();
        let hr = self
            .index
            .processors
            .get(party)
            .map(|p| p.dpf_hr())
            .or_else(|| self.index.recipients.get(party).map(|r| r.dpf_hr()))
            .unwrap_or(false);
        if hr || self.also_under_another_mechanism(t) {
            return None;
        }
        self.employee_data_reaching(t)
    }

    /// Does another transfer to `t`'s party and country rest on a
    /// mechanism other than adequacy? Then data adequacy may not cover
    /// (employee data, for one) can go under that one.
    pub fn also_under_another_mechanism(&self, t: &Transfer) -> bool {
        self.transfers_to
            .get(t.to.value.as_str())
            .is_some_and(|ts| {
                ts.iter()
                    .any(|x| x.mechanism.value != Mechanism::Adequacy && x.country() == t.country())
            })
    }

    /// The rights of activity `a`'s data subjects.
    pub fn rights_of(&self, a: &Activity) -> &rights::Rights {
        static NONE: rights::Rights = rights::Rights::Controller(Vec::new());
        self.rights.get(a.id.as_str()).unwrap_or(&NONE)
    }

    /// The flows of activity `a` out of the EEA.
    pub fn flows_of_activity(&self, a: &Activity) -> &[Arc<Flow<'a>>] {
        self.flows.get(a.id.as_str()).map_or(&[], |v| v.as_slice())
    }

    pub fn is_processor(&self, id: &str) -> bool {
        self.index.processors.contains_key(id)
    }

    /// The display name of the processor or recipient `id`.
    pub fn party_name(&self, id: &str) -> Option<&'a str> {
        if let Some(p) = self.index.processors.get(id) {
            return Some(&p.name.value);
        }
        self.index.recipients.get(id).map(|r| r.name.value.as_str())
    }

    /// Transfers counted by mechanism, in the contract's order of mechanisms.
    pub fn transfers_by_mechanism(&self) -> Vec<(Mechanism, usize)> {
        Mechanism::ALL
            .iter()
            .map(|m| {
                (
                    *m,
                    self.reg
                        .transfers
                        .values()
                        .filter(|t| t.mechanism.value == *m)
                        .count(),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    pub fn controller_activities(&self) -> impl Iterator<Item = &'a Activity> {
        self.reg
            .activities
            .values()
            .map(|a| &**a)
            .filter(|a| a.role() != Role::Processor)
    }

    pub fn processor_activities(&self) -> impl Iterator<Item = &'a Activity> {
        self.reg
            .activities
            .values()
            .map(|a| &**a)
            .filter(|a| a.role() == Role::Processor)
    }
}

fn ids(list: &Option<List<String>>) -> impl Iterator<Item = &str> {
    list.iter()
        .flat_map(|l| l.value.iter())
        .map(|s| s.value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_files;

    const ADEQUACY: &str = r#"
as_of = 2026-11-01
eea = ["SE", "DE"]

[countries.US]
decision = "(EU) 2023/1795"
adopted = 2023-07-10
requires = "dpf-certified"

[countries.GB]
decision = "(EU) 2021/1772"
adopted = 2021-06-28
expires = 2025-06-27

[countries.BR]
decision = "(EU) 2026/1"
adopted = 2026-01-26

[countries.JP]
decision = "(EU) 2019/419"
adopted = 2019-01-23
"#;

    fn processor(name: &str, country: &str, extra: &str) -> Vec<u8> {
        format!("name = \"{name}\"\nservice = \"s\"\ncountry = \"{country}\"\n{extra}").into_bytes()
    }

    fn transfer(to: &str, country: &str) -> Vec<u8> {
        format!("to = \"{to}\"\ncountry = \"{country}\"\nmechanism = \"adequacy\"\n").into_bytes()
    }

    fn loaded() -> crate::load::Loaded {
        let files = vec![
            ("adequacy.toml", ADEQUACY.as_bytes().to_vec()),
            ("processors/certified.toml", processor("C", "US", "dpf_certified = true\n")),
            ("processors/plain.toml", processor("P", "US", "sub_processors = [\"tokyo\"]\n")),
            ("processors/tokyo.toml", processor("T", "JP", "")),
            ("processors/london.toml", processor("L", "GB", "")),
            ("processors/home.toml", processor("H", "SE", "sub_processors = [\"plain\", \"gone\"]\n")),
            ("transfers/certified-us.toml", transfer("certified", "US")),
            ("transfers/plain-us.toml", transfer("plain", "US")),
            ("transfers/nobody-us.toml", transfer("nobody", "US")),
            ("transfers/london-gb.toml", transfer("london", "GB")),
            ("transfers/tokyo-jp.toml", transfer("tokyo", "JP")),
            ("transfers/x-br.toml", transfer("tokyo", "BR")),
            ("transfers/x-in.toml", transfer("tokyo", "IN")),
            (
                "activities/a.toml",
                b"name = \"A\"\npurposes = [\"p\"]\nlegal_bases = [\"contract\"]\ndata_subjects = [\"s\"]\ndata_categories = [\"c\"]\nprocessors = [\"home\", \"missing\"]\n"
                    .to_vec(),
            ),
        ];
        load_files(files.into_iter().map(|(p, b)| (p.to_string(), b)).collect())
    }

    fn verdict<'a>(r: &Register<'a>, transfer: &str) -> Adequacy<'a> {
        r.adequacy_of(&r.reg.transfers[transfer])
    }

    #[test]
    fn a_flow_rests_on_its_strongest_ground_and_a_country_on_its_weakest() {
        let loaded = loaded();
        let adequacy = loaded.registry.adequacy.as_ref().expect("its own list");
        let r = Register::new(
            &loaded.registry,
            adequacy,
            Date::new(2026, 11, 1).expect("a date"),
        );
        let ground = |party: &str| {
            r.flows["a"]
                .iter()
                .find(|f| f.party == party)
                .map(|f| f.ground)
        };
        // Japan's decision covers the sub-processor: adequacy.
        assert_eq!(ground("tokyo"), Some(Ground::Adequacy));
        // "adequacy" for a party the US decision does not cover is no ground.
        assert_eq!(ground("plain"), Some(Ground::Uncovered));
        assert_eq!(r.countries["JP"].ground, Some(Ground::Adequacy));
        assert_eq!(r.countries["US"].ground, Some(Ground::Uncovered));
        // Home: data stays in the EEA.
        assert_eq!(r.countries["SE"].ground, None);
        assert_eq!(r.processor_flows["home"].len(), 2);

        // SCCs beside a derogation: the flow rests on the SCCs; a country
        // with one flow on each rests on the weaker.
        let mut files: Vec<(String, Vec<u8>)> = vec![
            ("adequacy.toml".into(), ADEQUACY.as_bytes().to_vec()),
            ("processors/x.toml".into(), processor("X", "IN", "")),
            ("processors/y.toml".into(), processor("Y", "IN", "")),
        ];
        let t = |to: &str, m: &str| {
            format!("to = \"{to}\"\ncountry = \"IN\"\nmechanism = \"{m}\"\n").into_bytes()
        };
        files.push(("transfers/x-scc.toml".into(), t("x", "scc")));
        files.push(("transfers/x-d.toml".into(), t("x", "derogation")));
        files.push(("transfers/y-d.toml".into(), t("y", "derogation")));
        files.push((
            "activities/a.toml".into(),
            b"name = \"A\"\npurposes = [\"p\"]\nlegal_bases = [\"contract\"]\ndata_subjects = [\"s\"]\ndata_categories = [\"c\"]\nprocessors = [\"x\"]\n".to_vec(),
        ));
        files.push((
            "activities/b.toml".into(),
            b"name = \"B\"\nstatus = \"retired\"\npurposes = [\"p\"]\nlegal_bases = [\"contract\"]\ndata_subjects = [\"s\"]\ndata_categories = [\"c\"]\nprocessors = [\"y\"]\n".to_vec(),
        ));
        let loaded = load_files(files);
        let adequacy = loaded.registry.adequacy.as_ref().expect("its own list");
        let r = Register::new(
            &loaded.registry,
            adequacy,
            Date::new(2026, 11, 1).expect("a date"),
        );
        assert_eq!(r.flows["a"][0].ground, Ground::Safeguard);
        assert_eq!(r.flows["b"][0].ground, Ground::Derogation);
        // The retired activity's derogation sends nothing any more.
        assert_eq!(r.countries["IN"].ground, Some(Ground::Safeguard));
        assert_eq!(Ground::of(Mechanism::Bcr), Ground::Safeguard);
        assert!(Ground::Adequacy < Ground::Safeguard && Ground::Derogation < Ground::Uncovered);
    }

    /// A lapsed safeguard is no ground: an expired one, and SCCs of a
    /// repealed decision after the transition (or signed after the
    /// repeal); in the transition they still are.
    #[test]
    fn lapsed_safeguards_are_no_ground() {
        let flow_ground = |safeguard: &str, second: Option<&str>, as_of: Date| {
            let mut files: Vec<(String, Vec<u8>)> = vec![
                ("adequacy.toml".into(), ADEQUACY.as_bytes().to_vec()),
                ("processors/x.toml".into(), processor("X", "IN", "")),
                ("safeguards/sg.toml".into(), safeguard.as_bytes().to_vec()),
                (
                    "transfers/x-scc.toml".into(),
                    b"to = \"x\"\ncountry = \"IN\"\nmechanism = \"scc\"\nsafeguard = \"sg\"\n".to_vec(),
                ),
                (
                    "activities/a.toml".into(),
                    b"name = \"A\"\npurposes = [\"p\"]\nlegal_bases = [\"contract\"]\ndata_subjects = [\"s\"]\ndata_categories = [\"c\"]\nprocessors = [\"x\"]\n".to_vec(),
                ),
            ];
            if let Some(m) = second {
                files.push((
                    "transfers/x-2.toml".into(),
                    format!("to = \"x\"\ncountry = \"IN\"\nmechanism = \"{m}\"\n").into_bytes(),
                ));
            }
            let loaded = load_files(files);
            let adequacy = loaded.registry.adequacy.as_ref().expect("its own list");
            let r = Register::new(&loaded.registry, adequacy, as_of);
            (r.flows["a"][0].ground, r.countries["IN"].ground)
        };
        let day = |y, m, d| Date::new(y, m, d).expect("a date");
        let now = day(2026, 11, 1);
        let scc = "name = \"S\"\nkind = \"scc\"\nsigned = 2024-01-10\nscc_modules = [2]\n";
        assert_eq!(
            flow_ground(scc, None, now),
            (Ground::Safeguard, Some(Ground::Safeguard))
        );
        let expired = format!("{scc}expires = 2026-06-30\n");
        assert_eq!(
            flow_ground(&expired, None, now),
            (Ground::Uncovered, Some(Ground::Uncovered))
        );
        // Another transfer still gives the flow its ground.
        assert_eq!(
            flow_ground(&expired, Some("derogation"), now).0,
            Ground::Derogation
        );
        let old =
            "name = \"S\"\nkind = \"scc\"\nscc_version = \"2010/87/EU\"\nsigned = 2019-03-01\n";
        assert_eq!(flow_ground(old, None, day(2022, 6, 1)).0, Ground::Safeguard);
        assert_eq!(flow_ground(old, None, now).0, Ground::Uncovered);
        let late =
            "name = \"S\"\nkind = \"scc\"\nscc_version = \"2010/87/EU\"\nsigned = 2021-10-01\n";
        assert_eq!(
            flow_ground(late, None, day(2022, 6, 1)).0,
            Ground::Uncovered
        );
    }

    #[test]
    fn adequacy_is_judged_per_party_and_date() {
        let loaded = loaded();
        let adequacy = loaded.registry.adequacy.as_ref().expect("its own list");
        let as_of = Date::new(2026, 11, 1).expect("a date");
        let r = Register::new(&loaded.registry, adequacy, as_of);
        assert!(matches!(verdict(&r, "certified-us"), Adequacy::Covered(_)));
        assert!(matches!(
            verdict(&r, "plain-us"),
            Adequacy::RequirementUnmet {
                party_known: true,
                requirement: AdequacyRequirement::DpfCertified,
                ..
            }
        ));
        // Nobody has that id: not covered, and not blamed on a party.
        assert!(matches!(
            verdict(&r, "nobody-us"),
            Adequacy::RequirementUnmet {
                party_known: false,
                ..
            }
        ));
        assert!(matches!(verdict(&r, "london-gb"), Adequacy::Expired(_)));
        assert!(matches!(verdict(&r, "tokyo-jp"), Adequacy::Covered(_)));
        assert!(matches!(verdict(&r, "x-br"), Adequacy::Covered(_)));
        assert!(matches!(verdict(&r, "x-in"), Adequacy::NoDecision));
        // The decision in force is the country's, whoever the party.
        assert!(verdict(&r, "plain-us").decision_in_force().is_some());
        assert!(verdict(&r, "london-gb").decision_in_force().is_none());
        assert!(!verdict(&r, "plain-us").covers());

        // Judged at another date, the same registry gets other verdicts.
        let before = Register::new(
            &loaded.registry,
            adequacy,
            Date::new(2025, 1, 1).expect("a date"),
        );
        assert!(matches!(
            verdict(&before, "london-gb"),
            Adequacy::Covered(_)
        ));
        assert!(matches!(
            verdict(&before, "x-br"),
            Adequacy::NotYetInForce(_)
        ));
    }

    #[test]
    fn flows_follow_sub_processors_and_skip_dangling_ids() {
        let loaded = loaded();
        let adequacy = loaded.registry.adequacy.as_ref().expect("its own list");
        let r = Register::new(
            &loaded.registry,
            adequacy,
            Date::new(2026, 11, 1).expect("a date"),
        );
        let a = &r.reg.activities["a"];
        let flows: Vec<(&str, Option<&str>, Vec<&str>, usize)> = r
            .flows_of_activity(a)
            .iter()
            .map(|f| (f.party, f.country, f.chain.clone(), f.transfers.len()))
            .collect();
        // home (SE) → plain (US) → tokyo (JP); `missing` and `gone` name nothing.
        assert_eq!(
            flows,
            vec![
                ("plain", Some("US"), vec!["home", "plain"], 1),
                ("tokyo", Some("JP"), vec!["home", "plain", "tokyo"], 1),
            ]
        );
        assert!(matches!(
            r.flows_of_activity(a)[0].adequacy,
            Adequacy::RequirementUnmet { .. }
        ));
        assert!(r.flows_of_activity(a)[1].adequacy.covers());
        // Back-links read the declared references.
        assert_eq!(r.parents["plain"].len(), 1);
        assert_eq!(r.activities_by_processor["home"].len(), 1);
        assert_eq!(r.transfers_to["tokyo"].len(), 3);
        let linked: Vec<&str> = r.activities_by_transfer["tokyo-jp"]
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(linked, ["a"]);
        assert!(r.countries["US"].decision.is_some());
        assert!(r.countries["SE"].inside_eea);
    }

    const IO_ADEQUACY: &str = r#"
as_of = 2026-11-01
eea = ["SE", "DE"]

[countries.CH]
decision = "2000/518/EC"
adopted = 2000-07-26

[countries.US]
decision = "(EU) 2023/1795"
adopted = 2023-07-10
requires = "dpf-certified"

[international_organisations.EPO]
decision = "(EU) 2025/1382"
adopted = 2025-07-15
"#;

    fn recipient_io(code: &str, seat: &str) -> Vec<u8> {
        format!("name = \"{code}\"\nkind = \"international-organisation\"\ninternational_organisation = \"{code}\"\n{seat}").into_bytes()
    }

    fn activity(extra: &str) -> String {
        format!(
            "name = \"A\"\npurposes = [\"p\"]\nlegal_bases = [\"contract\"]\ndata_subjects = [\"s\"]\ndata_categories = [\"c\"]\n{extra}"
        )
    }

    fn loaded_io() -> crate::load::Loaded {
        let files = vec![
            ("adequacy.toml", IO_ADEQUACY.as_bytes().to_vec()),
            ("categories.toml", b"[data_subjects.s]\nname = \"S\"\n[data_subjects.staff]\nname = \"Staff\"\nemployees = true\n[data_categories.c]\nname = \"C\"\n".to_vec()),
            ("recipients/epo.toml", recipient_io("EPO", "country = \"DE\"\n")),
            ("recipients/who.toml", recipient_io("WHO", "country = \"CH\"\n")),
            ("recipients/un.toml", recipient_io("UN", "")),
            ("transfers/epo.toml", b"to = \"epo\"\ncountry = \"DE\"\nmechanism = \"adequacy\"\n".to_vec()),
            ("transfers/who.toml", b"to = \"who\"\ncountry = \"US\"\nmechanism = \"adequacy\"\n".to_vec()),
            ("transfers/un.toml", b"to = \"un\"\nmechanism = \"adequacy\"\n".to_vec()),
            ("processors/hub.toml", processor("Hub", "DE", "sub_processors = [\"cloud\"]\n")),
            ("processors/cloud.toml", processor("Cloud", "US", "dpf_certified = true\n")),
            ("transfers/cloud-us.toml", transfer("cloud", "US")),
            ("transfers/cloud-us-via.toml", format!("via = \"hub\"\n{}", String::from_utf8_lossy(&transfer("cloud", "US"))).into_bytes()),
            ("activities/a.toml", activity("recipients = [\"epo\", \"who\", \"un\"]\nprocessors = [\"cloud\", \"hub\"]\n").into_bytes()),
            (
                "activities/old.toml",
                activity("status = \"retired\"\nprocessors = [\"cloud\"]\n")
                    .replace("[\"s\"]", "[\"staff\"]")
                    .into_bytes(),
            ),
            ("activities/both.toml", activity("processors = [\"hub\", \"cloud\"]\n").into_bytes()),
            ("activities/through.toml", activity("processors = [\"hub\"]\n").into_bytes()),
            ("activities/work.toml", activity("role = \"processor\"\ncontrollers = [\"Client\"]\nprocessors = [\"hub\"]\n").into_bytes()),
        ];
        load_files(files.into_iter().map(|(p, b)| (p.to_string(), b)).collect())
    }

    #[test]
    fn international_organisations_leave_the_eea_wherever_their_seat() {
        let loaded = loaded_io();
        let adequacy = loaded.registry.adequacy.as_ref().expect("its own list");
        let r = Register::new(
            &loaded.registry,
            adequacy,
            Date::new(2026, 11, 1).expect("a date"),
        );
        let a = &r.reg.activities["a"];
        let io: Vec<(&str, Option<&str>, Option<&str>, usize)> = r
            .flows_of_activity(a)
            .iter()
            .filter(|f| f.international_organisation.is_some())
            .map(|f| {
                (
                    f.party,
                    f.country,
                    f.international_organisation,
                    f.transfers.len(),
                )
            })
            .collect();
        // Seated in the EEA (DE) or nowhere, each is a flow; a transfer
        // to it covers it whatever its `country`.
        assert_eq!(
            io,
            vec![
                ("epo", Some("DE"), Some("EPO"), 1),
                ("who", Some("CH"), Some("WHO"), 1),
                ("un", None, Some("UN"), 1),
            ]
        );
        let t = |id: &str| &*r.reg.transfers[id];
        assert!(!r.transfer_inside_eea(t("epo")));
        assert_eq!(r.organisation_of(t("epo")), Some("EPO"));
        // Only a decision of its own covers an organisation: not the
        // host country's (CH), nor that of `country` (US).
        assert!(
            matches!(r.adequacy_of(t("epo")), Adequacy::Covered(d) if d.decision == "(EU) 2025/1382")
        );
        assert!(matches!(r.adequacy_of(t("who")), Adequacy::NoDecision));
        assert!(matches!(r.adequacy_of(t("un")), Adequacy::NoDecision));
        assert!(r.country_decision("CH").is_some());
        assert!(r.international_organisations["EPO"].decision.is_some());
        assert!(r.international_organisations["WHO"].decision.is_none());
        assert_eq!(r.international_organisations["UN"].transfers.len(), 1);
        // Organisations are not listed as countries, seat or not.
        assert!(!r.countries.contains_key("CH"));
        // Before the EPO decision, the EPO is not covered either.
        let before = Register::new(
            &loaded.registry,
            adequacy,
            Date::new(2025, 7, 1).expect("a date"),
        );
        assert!(matches!(
            before.adequacy_of(t("epo")),
            Adequacy::NotYetInForce(_)
        ));
    }

    #[test]
    fn scc_routes_follow_the_roles_and_the_chain() {
        let loaded = loaded_io();
        let adequacy = loaded.registry.adequacy.as_ref().expect("its own list");
        let r = Register::new(
            &loaded.registry,
            adequacy,
            Date::new(2026, 11, 1).expect("a date"),
        );
        let routes = |activity: &str, transfer: &str| -> Vec<SccRoute> {
            let a = &*r.reg.activities[activity];
            let t = &*r.reg.transfers[transfer];
            r.flows_of_activity(a)
                .iter()
                .filter(|f| f.transfers.iter().any(|x| std::ptr::eq(*x, t)))
                .map(|f| r.scc_route(a, f, t))
                .collect()
        };
        // `a` names cloud directly (chain [cloud]); the `via` transfer
        // makes the same flow an onward one.
        assert_eq!(routes("a", "cloud-us"), [SccRoute::ControllerToProcessor]);
        assert_eq!(
            routes("a", "cloud-us-via"),
            [SccRoute::ControllerThroughProcessors]
        );
        assert_eq!(routes("a", "epo"), [SccRoute::ControllerToController]);
        assert_eq!(routes("work", "cloud-us"), [SccRoute::ProcessorToProcessor]);
        // `both` names hub first (its flow's chain is hub → cloud), and
        // cloud too: cloud is reached directly all the same.
        assert_eq!(
            routes("both", "cloud-us"),
            [SccRoute::ControllerToProcessor]
        );
        assert_eq!(
            routes("through", "cloud-us"),
            [SccRoute::ControllerThroughProcessors]
        );
        assert_eq!(SccRoute::ControllerThroughProcessors.modules(), [2, 3]);
        assert_eq!(SccRoute::ProcessorToRecipient.modules(), [4, 1]);
        let a = &*r.reg.activities["a"];
        let t = &*r.reg.transfers["cloud-us"];
        let f = r
            .flows_of_activity(a)
            .iter()
            .find(|f| f.party == "cloud")
            .expect("a flow");
        assert_eq!(r.scc_modules_allowed(a, f, t), [2]);
        // flows_under: the live activities' flows the transfer covers.
        let under: Vec<&str> = r.flows_under(t).map(|(a, _)| a.id.as_str()).collect();
        assert_eq!(under, ["a", "both", "through", "work"]);
    }

    #[test]
    fn use_and_employee_data_count_only_live_activities() {
        let loaded = loaded_io();
        let adequacy = loaded.registry.adequacy.as_ref().expect("its own list");
        let r = Register::new(
            &loaded.registry,
            adequacy,
            Date::new(2026, 11, 1).expect("a date"),
        );
        let t = &*r.reg.transfers["cloud-us"];
        // `old` (retired) reaches it too, and brings the staff's data.
        assert_eq!(r.activities_by_transfer["cloud-us"].len(), 5);
        let live: Vec<&str> = r.activities_reaching(t).map(|a| a.id.as_str()).collect();
        assert_eq!(live, ["a", "both", "through", "work"]);
        assert!(r.transfer_in_use(t));
        assert!(r.employee_data_reaching(t).is_none());
        assert!(r.hr_data_uncovered(t).is_none());
        assert!(!r.safeguard_in_use("nothing-names-it"));

        // Once `old` is live, its staff data reaches a party whose DPF
        // certification does not cover HR data.
        let mut reg = loaded.registry.clone();
        let mut old = (*reg.activities["old"]).clone();
        old.status = None;
        reg.activities.insert("old".into(), Box::new(old));
        let r = Register::new(&reg, adequacy, Date::new(2026, 11, 1).expect("a date"));
        let t = &*r.reg.transfers["cloud-us"];
        let (a, s) = r
            .hr_data_uncovered(t)
            .expect("employee data, no HR coverage");
        assert_eq!((a.id.as_str(), s.id.value.as_str()), ("old", "staff"));
    }
}
