//! Resolve: a checked registry → a linked, read-only register.
//!
//! Entry point: [`Register::new`]. Everything a renderer needs that is not
//! a plain field is computed here once: back-links (who uses this
//! processor, which transfers rely on this safeguard), the transfers that
//! cover each activity's data flows, the countries data goes to, and the
//! open warnings. Renderers only read it.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::check::Checked;
use crate::diag::{Diagnostic, Severity};
use crate::model::*;

/// Where data leaves the EEA for one party, and what covers it.
#[derive(Clone, Debug)]
pub struct Flow<'a> {
    /// The processor or recipient located there.
    pub party: &'a str,
    pub country: &'a str,
    /// The processors from the one the activity names to `party`.
    pub chain: Vec<&'a str>,
    /// Transfers whose `to` and `country` match.
    pub transfers: Vec<&'a Transfer>,
}

/// Everything about one country that data goes to or is located in.
#[derive(Clone, Debug, Default)]
pub struct CountryInfo<'a> {
    pub transfers: Vec<&'a Transfer>,
    pub processors: Vec<&'a Processor>,
    pub recipients: Vec<&'a Recipient>,
}

/// An open warning, with the entry it is about (kind folder and id).
#[derive(Clone, Debug)]
pub struct OpenWarning<'a> {
    pub diagnostic: &'a Diagnostic,
    pub entry: Option<(&'static str, String)>,
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
    pub checked: &'a Checked,
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
    pub countries: BTreeMap<&'a str, CountryInfo<'a>>,
    pub warnings: Vec<OpenWarning<'a>>,
}

/// Entries that name an id, by that id, in id order of the naming entry.
/// Only looked up, never listed, so a hash map.
pub type BackLinks<'a, T> = HashMap<&'a str, Vec<&'a T>>;

fn push<'a, T>(map: &mut HashMap<&'a str, Vec<T>>, key: &'a str, v: T) {
    map.entry(key).or_default().push(v);
}

/// The back-links from activities to what they name.
struct ActivityLinks<'a> {
    processor: BackLinks<'a, Activity>,
    recipient: BackLinks<'a, Activity>,
    measure: BackLinks<'a, Activity>,
    subject: BackLinks<'a, Activity>,
    category: BackLinks<'a, Activity>,
}

impl<'a> ActivityLinks<'a> {
    fn new(reg: &'a Registry) -> Self {
        let mut l = ActivityLinks {
            processor: HashMap::default(),
            recipient: HashMap::default(),
            measure: HashMap::default(),
            subject: HashMap::default(),
            category: HashMap::default(),
        };
        for a in reg.activities.values() {
            for p in ids(&a.processors) {
                push(&mut l.processor, p, a);
            }
            for x in ids(&a.recipients) {
                push(&mut l.recipient, x, a);
            }
            for m in ids(&a.measures) {
                push(&mut l.measure, m, a);
            }
            for s in a.data_subjects.value.iter() {
                push(&mut l.subject, &s.value, a);
            }
            for c in a.data_categories.value.iter() {
                push(&mut l.category, &c.value, a);
            }
        }
        l
    }
}

fn ids(list: &Option<List<String>>) -> impl Iterator<Item = &str> {
    list.iter()
        .flat_map(|l| l.value.iter())
        .map(|s| s.value.as_str())
}

impl<'a> Register<'a> {
    pub fn new(checked: &'a Checked) -> Register<'a> {
        let reg = &checked.registry;
        let adequacy = &checked.adequacy;
        let mut r = Register {
            checked,
            reg,
            index: Index::new(reg),
            adequacy,
            as_of: checked.as_of,
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
            countries: BTreeMap::new(),
            warnings: Vec::new(),
        };
        for t in reg.transfers.values() {
            push(&mut r.transfers_to, &t.to.value, t);
            if let Some(v) = &t.via {
                push(&mut r.transfers_via, &v.value, t);
            }
            if let Some(s) = &t.safeguard {
                push(&mut r.transfers_by_safeguard, &s.value, t);
            }
            for m in ids(&t.supplementary_measures) {
                push(&mut r.transfers_by_measure, m, t);
            }
            r.countries
                .entry(&t.country.value)
                .or_default()
                .transfers
                .push(t);
        }
        for p in reg.processors.values() {
            for s in ids(&p.sub_processors) {
                push(&mut r.parents, s, p);
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
            if let Some(c) = &rec.country {
                r.countries
                    .entry(&c.value)
                    .or_default()
                    .recipients
                    .push(rec);
            }
        }
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
        // In id order, as the activities are.
        for (a, flows) in flows {
            // Duplicates (a transfer reached twice) are removed below, once.
            for t in ids(&a.transfers) {
                push(&mut r.activities_by_transfer, t, a);
            }
            for f in &flows {
                for t in &f.transfers {
                    push(&mut r.activities_by_transfer, &t.id, a);
                }
            }
            r.flows.insert(&a.id, flows);
        }
        for list in r.activities_by_transfer.values_mut() {
            // Activities are visited in id order, so equal ones are adjacent.
            list.dedup_by_key(|a| a.id.as_str());
        }
        r.warnings = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(|d| OpenWarning {
                diagnostic: d,
                entry: entry_of(&d.path),
            })
            .collect();
        r
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
                if seen_pairs.insert((f.party.as_ptr() as usize, f.country.as_ptr() as usize)) {
                    out.push(f.clone());
                }
            }
        }
        for id in ids(&a.recipients) {
            let Some(rec) = self.index.recipients.get(id) else {
                continue;
            };
            let Some(c) = &rec.country else { continue };
            if self.adequacy.in_eea(&c.value)
                || !seen_pairs.insert((rec.id.as_ptr() as usize, c.value.as_ptr() as usize))
            {
                continue;
            }
            out.push(Arc::new(Flow {
                party: &rec.id,
                country: &c.value,
                chain: Vec::new(),
                transfers: self.covering(&rec.id, &c.value),
            }));
        }
        out
    }

    /// The flows of processor `start` (see `Registry::exits_from`), each
    /// with the transfers covering it.
    fn flows_from(&self, start: &'a str) -> Vec<Arc<Flow<'a>>> {
        self.reg
            .exits_from(start, |c| self.adequacy.in_eea(c))
            .into_iter()
            .map(|e| {
                Arc::new(Flow {
                    party: e.party,
                    country: e.country,
                    transfers: self.covering(e.party, e.country),
                    chain: e.chain,
                })
            })
            .collect()
    }

    fn covering(&self, party: &str, country: &str) -> Vec<&'a Transfer> {
        self.transfers_to.get(party).map_or_else(Vec::new, |ts| {
            ts.iter()
                .copied()
                .filter(|t| t.country.value == country)
                .collect()
        })
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

    /// Is `country` covered by an adequacy decision for `party` at the as-of date?
    pub fn adequate_for(&self, country: &str, party: &str) -> bool {
        match self.adequacy.decision_in_force(country, self.as_of) {
            None => false,
            Some(d) => match d.requires {
                None => true,
                Some(AdequacyRequirement::DpfCertified) => self
                    .index
                    .processors
                    .get(party)
                    .map(|p| p.dpf_certified())
                    .or_else(|| self.index.recipients.get(party).map(|r| r.dpf_certified()))
                    .unwrap_or(false),
            },
        }
    }

    /// The transfers the activity's data goes through: those it lists
    /// (that exist) and those covering its flows, by id, each once. The
    /// reverse of `activities_by_transfer`, read from the same two sources.
    pub fn transfers_of(&self, a: &'a Activity) -> Vec<&'a Transfer> {
        let listed = ids(&a.transfers).filter_map(|id| self.index.transfers.get(id).copied());
        let covering = self
            .flows
            .get(a.id.as_str())
            .into_iter()
            .flatten()
            .flat_map(|f| f.transfers.iter().copied());
        let mut out: Vec<&'a Transfer> = listed.chain(covering).collect();
        out.sort_unstable_by(|x, y| x.id.cmp(&y.id));
        out.dedup_by(|x, y| x.id == y.id);
        out
    }

    /// The data categories a retention period applies to: those it names,
    /// or, when it names none, all of the activity's.
    pub fn retention_categories(&self, a: &'a Activity, r: &'a Retention) -> Vec<&'a str> {
        match &r.data_categories {
            Some(l) if !l.value.is_empty() => l.value.iter().map(|c| c.value.as_str()).collect(),
            _ => a
                .data_categories
                .value
                .iter()
                .map(|c| c.value.as_str())
                .collect(),
        }
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

/// The entry a diagnostic's file belongs to: `activities/hr/pay.toml` →
/// (`activities`, `pay`).
pub fn entry_of(path: &str) -> Option<(&'static str, String)> {
    let (dir, rest) = path.split_once('/')?;
    let kind = crate::load::KIND_DIRS.iter().find(|d| **d == dir)?;
    let stem = rest.rsplit('/').next()?.strip_suffix(".toml")?;
    Some((kind, stem.to_string()))
}
