//! History: what the registry's git history says about each entry (when
//! it was created, when it last changed and how), what each commit changed,
//! what is changed since the last commit, and when each sub-processor was
//! engaged or let go (docs/history.md).
//!
//! Entry point: [`read`]. It reads the commits of the first-parent line
//! from a tip (HEAD, or the `--at` revision), and for each commit only the
//! registry files it changed (git trees with the same id are not opened).
//! A changed file is parsed as plain TOML on both sides and compared entry
//! by entry with the register diff's comparison ([`crate::diff`]), so a
//! change reads as `ropa diff` reports it. History never judges: it says
//! what the files recorded and when; the rules judge the record as it is.

pub mod git;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::Value;

use crate::diag::SourceMap;
use crate::diff::{self, Change, Kind};
use crate::load::{self, FileKind, MAX_FILE_BYTES};
use crate::model::{EntryKind, RefKind};
use crate::timing::timed;
pub use git::{Commit, GitError, Repo};

/// One thing of the record, as history tracks it: an entry, a data
/// subject, a data category, a measure, the organisation or the adequacy list.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entity {
    pub kind: Kind,
    pub id: String,
}

/// What one commit (or the work tree) did to one entity.
#[derive(Clone, Debug)]
pub struct Item {
    pub entity: Entity,
    /// Its name (for a transfer: party, country, mechanism), from the side
    /// that has it.
    pub label: Option<String>,
    pub what: What,
}

#[derive(Clone, Debug, PartialEq)]
pub enum What {
    Added,
    Removed,
    Changed(Vec<Line>),
    /// The file did not parse on one side, so what changed in it is not
    /// known (the loader reports why, on the version it reads).
    Unreadable,
}

/// One line of a change, for people.
#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    /// An id added to or removed from a reference (`processors`, `to`, …):
    /// "processor `sentry` removed".
    Reference {
        noun: &'static str,
        id: String,
        added: bool,
    },
    /// Any other field, as `ropa diff` shows it (`retention[0].period: P1Y → P2Y`).
    Field(Vec<String>),
}

/// A commit that changed the registry, and how.
#[derive(Debug)]
pub struct Step {
    pub commit: Commit,
    /// By entity.
    pub items: Vec<Item>,
}

/// What history says about one entity.
#[derive(Clone, Debug, Default)]
pub struct EntityHistory {
    /// The step that added it (the last one, if it was removed and added
    /// again); `None` when it was there before the history starts.
    pub created: Option<usize>,
    /// The steps that changed it (its creation included), newest first.
    pub changes: Vec<usize>,
}

/// A sub-processor engaged or let go (Art. 28(2)): a processor that one of
/// our processor activities uses, directly or through a chain of
/// `sub_processors`, appears in or leaves that set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubProcessorEvent {
    pub step: usize,
    pub processor: String,
    pub added: bool,
}

/// The registry's history, newest first.
#[derive(Debug)]
pub struct History {
    /// The commit the history is read from (HEAD, or the `--at` revision).
    pub tip: Commit,
    /// The commits that changed a registry file, newest first.
    pub steps: Vec<Step>,
    /// The history does not reach the first commit (a shallow clone, more
    /// than [`git::MAX_COMMITS`] commits, or a malformed commit or one whose
    /// date cannot be read): entries older than its start have no creation date.
    pub truncated: bool,
    /// The oldest commit read, when the history is cut: where it starts.
    pub start: Option<Commit>,
    /// What the work tree changed since the tip (empty with `--at`).
    pub uncommitted: Vec<Item>,
    /// Sub-processors engaged and let go, newest first.
    pub sub_processors: Vec<SubProcessorEvent>,
    entities: FxHashMap<Entity, EntityHistory>,
}

impl History {
    /// The history of one entity, if history knows it.
    pub fn of(&self, kind: Kind, id: &str) -> Option<&EntityHistory> {
        self.entities.get(&Entity {
            kind,
            id: id.to_string(),
        })
    }

    /// What step `step` did to one entity.
    pub fn item(&self, step: usize, kind: Kind, id: &str) -> Option<&Item> {
        let items = &self.steps.get(step)?.items;
        items
            .binary_search_by(|i| (i.entity.kind, i.entity.id.as_str()).cmp(&(kind, id)))
            .ok()
            .map(|i| &items[i])
    }

    /// What the work tree changed in one entity since the tip.
    pub fn uncommitted(&self, kind: Kind, id: &str) -> Option<&Item> {
        self.uncommitted
            .binary_search_by(|i| (i.entity.kind, i.entity.id.as_str()).cmp(&(kind, id)))
            .ok()
            .map(|i| &self.uncommitted[i])
    }
}

/// Reads the history of the registry in `repo` up to `tip`. With
/// `work_tree` (the files the loader read from the work tree), it also
/// says what is changed since `tip`.
pub fn read(repo: &Repo, tip: Commit, work_tree: Option<&SourceMap>) -> Result<History, GitError> {
    let local = repo.local();
    let mut line = timed("history: commits", || local.first_parent_line(tip.clone()))?;
    line.reverse();
    // The oldest commit read has a parent: the line was cut (a shallow
    // clone, or the commit limit), so that commit is where history starts,
    // not a change.
    let truncated = line.first().is_some_and(|c| c.parent.is_some());
    let pairs: Vec<(Option<&Commit>, &Commit)> = line
        .iter()
        .enumerate()
        .filter(|(i, _)| !(truncated && *i == 0))
        .map(|(i, c)| (i.checked_sub(1).map(|p| &line[p]), c))
        .filter(|(p, c)| p.and_then(|p| p.registry_tree) != c.registry_tree)
        .collect();
    let compared: Vec<Result<Vec<Compared>, GitError>> = timed("history: compare", || {
        pairs
            .par_iter()
            .map_init(
                || repo.local(),
                |local, (parent, commit)| {
                    let changed = local.changed_files(
                        parent.and_then(|p| p.registry_tree),
                        commit.registry_tree,
                    )?;
                    compare_files(repo, local, changed)
                },
            )
            .collect()
    });
    let uncommitted = match work_tree {
        Some(sources) => timed("history: uncommitted", || {
            uncommitted(&local, &tip, sources)
        })?,
        None => Vec::new(),
    };
    let mut steps = Vec::new();
    let mut entities: FxHashMap<Entity, EntityHistory> = FxHashMap::default();
    let mut engaged = Engaged::default();
    // A cut history starts at its oldest commit: the sub-processors engaged
    // there were engaged before it, not by the first step that touches
    // their activity, and one let go later is a removal.
    if truncated && let Some(base) = line.first() {
        let all = local.changed_files(None, base.registry_tree)?;
        for c in compare_files(repo, &local, all)? {
            engaged.apply(&c.item, c.facts);
        }
        engaged.settle();
    }
    let mut events = Vec::new();
    // Oldest first: each step's effects follow the ones before it.
    for ((_, commit), found) in pairs.iter().zip(compared) {
        let found = found?;
        if found.is_empty() {
            continue; // only files the loader does not read (a README)
        }
        let step = steps.len();
        let mut items = Vec::with_capacity(found.len());
        for c in found {
            let h = entities.entry(c.item.entity.clone()).or_default();
            h.changes.push(step);
            if c.item.what == What::Added {
                h.created = Some(step);
            }
            engaged.apply(&c.item, c.facts);
            items.push(c.item);
        }
        items.sort_by(|a, b| a.entity.cmp(&b.entity));
        for (processor, added) in engaged.settle() {
            events.push(SubProcessorEvent {
                step,
                processor,
                added,
            });
        }
        steps.push(Step {
            commit: (*commit).clone(),
            items,
        });
    }
    // Newest first, as people read a history.
    let last = steps.len().saturating_sub(1);
    steps.reverse();
    for h in entities.values_mut() {
        h.created = h.created.map(|s| last - s);
        for s in &mut h.changes {
            *s = last - *s;
        }
        h.changes.reverse();
    }
    events.reverse();
    for e in &mut events {
        e.step = last - e.step;
    }
    Ok(History {
        tip,
        steps,
        truncated,
        start: if truncated {
            line.first().cloned()
        } else {
            None
        },
        uncommitted,
        sub_processors: events,
        entities,
    })
}

/// One entity's change, and what its new version says about
/// sub-processors.
struct Compared {
    item: Item,
    facts: Option<Facts>,
}

/// What decides the sub-processor set: for an activity, whether we are its
/// processor and the processors it uses; for a processor, its
/// sub-processors.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Facts {
    Activity {
        processor_role: bool,
        uses: Vec<String>,
    },
    Processor {
        sub_processors: Vec<String>,
    },
}

/// Files read on the thread that found them, at most; more (the first
/// commit adds every file) are shared out among the threads.
const SERIAL_FILES: usize = 64;

/// One side (before or after) of the files a step changed: the entities
/// read from them, and the entities whose file does not parse.
#[derive(Default)]
struct Side {
    read: BTreeMap<Entity, Value>,
    unreadable: BTreeSet<Entity>,
    /// The kinds of a catalogue that does not parse: none of their
    /// entities is known on this side.
    unknown: BTreeSet<Kind>,
}

/// One version of one file, read: its entities, or (when it does not
/// parse) the entity it is, if it is an entry's file.
enum FileVersion {
    Read(BTreeMap<Entity, Value>),
    Unreadable(Option<Entity>),
    /// A catalogue that does not parse: the kinds it holds.
    UnreadableCatalogue(&'static [(&'static str, Kind)]),
}

impl FileVersion {
    /// The version whose text is `text` (`None`: too large, or not UTF-8).
    fn of(kind: FileKind, id: &str, text: Option<String>) -> FileVersion {
        match text.and_then(|t| entities(kind, id, &t)) {
            Some(m) => FileVersion::Read(m),
            None => match catalogue(kind) {
                Some(keys) => FileVersion::UnreadableCatalogue(keys),
                None => FileVersion::Unreadable(file_entity(kind, id)),
            },
        }
    }
}

impl Side {
    fn add(&mut self, v: FileVersion) {
        match v {
            FileVersion::Read(m) => self.read.extend(m),
            FileVersion::Unreadable(e) => self.unreadable.extend(e),
            FileVersion::UnreadableCatalogue(keys) => {
                self.unknown.extend(keys.iter().map(|(_, k)| *k));
            }
        }
    }
}

/// Reads the changed files on both sides and compares their entities. The
/// sides are compared whole, not file by file, so an entry whose file moved
/// to another folder (same id) is unchanged, not removed and added.
fn compare_files(
    repo: &Repo,
    local: &git::Local,
    changed: Vec<git::FileChange>,
) -> Result<Vec<Compared>, GitError> {
    let changed: Vec<(git::FileChange, FileKind, String)> = changed
        .into_iter()
        .filter_map(|c| {
            let (kind, id) = load::file_kind(&c.path)?;
            Some((c, kind, id))
        })
        .collect();
    type Both = (Option<FileVersion>, Option<FileVersion>);
    let one = |local: &git::Local,
               (change, kind, id): &(git::FileChange, FileKind, String)|
     -> Result<Both, GitError> {
        let read = |blob: gix::ObjectId| -> Result<FileVersion, GitError> {
            let text = match local.blob(blob, MAX_FILE_BYTES)? {
                git::Blob::Bytes(b) => load::file_text(b),
                git::Blob::TooLarge(_) | git::Blob::Missing => None,
            };
            Ok(FileVersion::of(*kind, id, text))
        };
        Ok((
            change.old.map(read).transpose()?,
            change.new.map(read).transpose()?,
        ))
    };
    let found: Vec<Result<Both, GitError>> = if changed.len() <= SERIAL_FILES {
        changed.iter().map(|c| one(local, c)).collect()
    } else {
        changed
            .par_iter()
            .map_init(|| repo.local(), |local, c| one(local, c))
            .collect()
    };
    let (mut old, mut new) = (Side::default(), Side::default());
    for f in found {
        let (a, b) = f?;
        a.into_iter().for_each(|v| old.add(v));
        b.into_iter().for_each(|v| new.add(v));
    }
    Ok(compare_sides(&old, &new))
}

/// Compares the two sides of a step, entity by entity.
fn compare_sides(old: &Side, new: &Side) -> Vec<Compared> {
    let all: BTreeSet<&Entity> = old
        .read
        .keys()
        .chain(new.read.keys())
        .chain(&old.unreadable)
        .chain(&new.unreadable)
        .collect();
    let mut out = Vec::new();
    for entity in all {
        // A catalogue unreadable on either side: nothing of its entities
        // is known to have changed (not all removed, then all added).
        if old.unknown.contains(&entity.kind) || new.unknown.contains(&entity.kind) {
            continue;
        }
        let (a, b) = (old.read.get(entity), new.read.get(entity));
        let (a_unreadable, b_unreadable) = (
            old.unreadable.contains(entity),
            new.unreadable.contains(entity),
        );
        // A side that does not parse says nothing of what changed; the
        // sub-processor facts stay as they were until a readable version.
        let what = match (a, b) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => {
                let lines = lines(entity.kind, x, y);
                if lines.is_empty() {
                    continue; // an empty value written or left out: nothing recorded changed
                }
                What::Changed(lines)
            }
            (Some(_), None) if b_unreadable => What::Unreadable,
            (Some(_), None) => What::Removed,
            (None, Some(_)) if a_unreadable => What::Unreadable,
            (None, Some(_)) => What::Added,
            (None, None) => match (a_unreadable, b_unreadable) {
                (true, true) => What::Unreadable,
                (false, true) => What::Added,
                (true, false) => What::Removed,
                (false, false) => continue,
            },
        };
        let facts = match what {
            What::Removed => None,
            _ => b.and_then(|v| facts(entity, v)),
        };
        out.push(Compared {
            item: Item {
                entity: entity.clone(),
                label: b
                    .or(a)
                    .and_then(|v| diff::label(entity.kind, v))
                    .map(shorten),
                what,
            },
            facts,
        });
    }
    out
}

/// The lines of a change: a reference's ids added and removed, as words;
/// every other field as `ropa diff` shows it.
fn lines(kind: Kind, old: &Value, new: &Value) -> Vec<Line> {
    let mut changes: Vec<Change> = Vec::new();
    diff::diff_values("", old, new, &mut changes);
    let mut out = Vec::new();
    for c in &changes {
        if let Some(noun) = reference_noun(kind, &c.path) {
            let (was, is) = (ids(c.old.as_ref()), ids(c.new.as_ref()));
            let removed: Vec<&String> = was.iter().filter(|id| !is.contains(id)).collect();
            let added: Vec<&String> = is.iter().filter(|id| !was.contains(id)).collect();
            if !(removed.is_empty() && added.is_empty()) {
                for (list, added) in [(removed, false), (added, true)] {
                    out.extend(list.into_iter().map(|id| Line::Reference {
                        noun,
                        id: shorten(id.clone()),
                        added,
                    }));
                }
                continue;
            }
        }
        let mut shown = diff::change_lines(c);
        let more = shown.len().saturating_sub(MAX_LINES_SHOWN);
        shown.truncate(MAX_LINES_SHOWN);
        let mut shown: Vec<String> = shown.into_iter().map(shorten).collect();
        if more > 0 {
            shown.push(format!("  … {more} more lines"));
        }
        out.push(Line::Field(shown));
    }
    out
}

/// Characters of one line of a change kept, at most: a page lists every
/// change of every commit, and a value can be megabytes of text.
const MAX_LINE_CHARS: usize = 300;

/// Lines of one field's change kept, at most (a text of many lines).
const MAX_LINES_SHOWN: usize = 20;

/// `s` cut to [`MAX_LINE_CHARS`] characters, with `…` when cut.
fn shorten(s: String) -> String {
    match s.char_indices().nth(MAX_LINE_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s,
    }
}

/// The noun of what the top-level key `path` of an entry refers to
/// (`processors` of an activity: "processor"), from the entry kind's one
/// declaration of its references.
fn reference_noun(kind: Kind, path: &str) -> Option<&'static str> {
    let Kind::Entry(k) = kind else {
        return None;
    };
    k.references()
        .into_iter()
        .find(|f| f.within.is_none() && f.key == path)
        .map(|f| match f.kind {
            RefKind::Party => "party",
            other => other.noun(),
        })
}

/// The ids a reference holds: one string, or an array of them.
fn ids(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// The entity a file is, when it is one entity (not a catalogue).
fn file_entity(kind: FileKind, id: &str) -> Option<Entity> {
    let (kind, id) = match kind {
        FileKind::Entry(k) => (Kind::Entry(k), id),
        FileKind::Organisation => (Kind::Organisation, "organisation"),
        FileKind::Adequacy => (Kind::Adequacy, "adequacy"),
        FileKind::Categories | FileKind::Measures => return None,
    };
    Some(Entity {
        kind,
        id: id.to_string(),
    })
}

/// The entities of one file's text, each as a JSON value (as the diff
/// compares them); `None` when it does not parse.
fn entities(kind: FileKind, id: &str, text: &str) -> Option<BTreeMap<Entity, Value>> {
    let table = load::parse_table(text)?;
    let value = json_of(toml::Value::Table(table));
    let mut out = BTreeMap::new();
    if let Some(entity) = file_entity(kind, id) {
        out.insert(entity, value);
        return Some(out);
    }
    let Some(keys) = catalogue(kind) else {
        return Some(out);
    };
    let Value::Object(mut top) = value else {
        return Some(out);
    };
    for (key, kind) in keys {
        if let Some(Value::Object(items)) = top.remove(*key) {
            for (id, v) in items {
                out.insert(Entity { kind: *kind, id }, v);
            }
        }
    }
    Some(out)
}

/// The tables of a catalogue file and the kind of entity each holds.
fn catalogue(kind: FileKind) -> Option<&'static [(&'static str, Kind)]> {
    match kind {
        FileKind::Categories => Some(&[
            ("data_subjects", Kind::DataSubjects),
            ("data_categories", Kind::DataCategories),
        ]),
        FileKind::Measures => Some(&[("measures", Kind::Measures)]),
        _ => None,
    }
}

/// A TOML value as JSON: dates and times as their text.
fn json_of(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map_or_else(|| Value::String(f.to_string()), Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(json_of).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, json_of(v))).collect())
        }
    }
}

/// What an entity's version says about sub-processors.
fn facts(entity: &Entity, v: &Value) -> Option<Facts> {
    let strings = |key: &str| ids(v.get(key));
    match entity.kind {
        // A retired activity engages no one (as on the sub-processor page).
        Kind::Entry(EntryKind::Activity) => Some(Facts::Activity {
            processor_role: v.get("role").and_then(Value::as_str) == Some("processor")
                && v.get("status").and_then(Value::as_str) != Some("retired"),
            uses: strings("processors"),
        }),
        Kind::Entry(EntryKind::Processor) => Some(Facts::Processor {
            sub_processors: strings("sub_processors"),
        }),
        _ => None,
    }
}

/// The sub-processor set as the steps go: the processors our processor
/// activities use, and their sub-processors, transitively.
#[derive(Default)]
struct Engaged {
    /// Our processor activities, by id, with the processors each uses.
    activities: FxHashMap<String, Vec<String>>,
    /// Each processor's sub-processors.
    chains: FxHashMap<String, Vec<String>>,
    /// Whether a fact changed since the set was last worked out.
    dirty: bool,
    set: BTreeSet<String>,
}

impl Engaged {
    fn apply(&mut self, item: &Item, facts: Option<Facts>) {
        let id = &item.entity.id;
        match (item.entity.kind, &item.what, facts) {
            (Kind::Entry(EntryKind::Activity), What::Removed, _) => {
                self.dirty |= self.activities.remove(id).is_some();
            }
            (Kind::Entry(EntryKind::Processor), What::Removed, _) => {
                self.dirty |= self.chains.remove(id).is_some();
            }
            (
                _,
                _,
                Some(Facts::Activity {
                    processor_role,
                    uses,
                }),
            ) => {
                let before = if processor_role {
                    self.activities.insert(id.clone(), uses.clone())
                } else {
                    self.activities.remove(id)
                };
                self.dirty |= before.as_ref() != processor_role.then_some(&uses);
            }
            (_, _, Some(Facts::Processor { sub_processors })) => {
                let before = self.chains.insert(id.clone(), sub_processors.clone());
                self.dirty |= before.as_ref() != Some(&sub_processors);
            }
            _ => {}
        }
    }

    /// The processors that joined (`true`) or left (`false`) the set since
    /// it was last worked out, by id.
    fn settle(&mut self) -> Vec<(String, bool)> {
        if !std::mem::take(&mut self.dirty) {
            return Vec::new();
        }
        let mut now = BTreeSet::new();
        let mut todo: Vec<&String> = self.activities.values().flatten().collect();
        while let Some(p) = todo.pop() {
            if now.insert(p.clone())
                && let Some(next) = self.chains.get(p)
            {
                todo.extend(next);
            }
        }
        let mut out: Vec<(String, bool)> = self
            .set
            .difference(&now)
            .map(|p| (p.clone(), false))
            .chain(now.difference(&self.set).map(|p| (p.clone(), true)))
            .collect();
        out.sort();
        self.set = now;
        out
    }
}

/// What the work tree changed since `tip`: the registry files the loader
/// read, against the tip's. A file whose bytes are the committed blob's
/// is the same (one hash, no read); another is compared as the loader
/// reads it (so a CRLF checkout is not a change).
fn uncommitted(
    local: &git::Local,
    tip: &Commit,
    sources: &SourceMap,
) -> Result<Vec<Item>, GitError> {
    let committed: BTreeMap<String, gix::ObjectId> = match tip.registry_tree {
        Some(tree) => local
            .file_ids(tree)?
            .into_iter()
            .filter_map(|(path, id)| {
                let (kind, file_id) = load::file_kind(&path)?;
                Some((path, (kind, file_id, id)))
            })
            .map(|(path, (_, _, id))| (path, id))
            .collect(),
        None => BTreeMap::new(),
    };
    let committed_text = |id: gix::ObjectId| -> Result<Option<String>, GitError> {
        Ok(match local.blob(id, MAX_FILE_BYTES)? {
            git::Blob::Bytes(b) => load::file_text(b),
            git::Blob::TooLarge(_) | git::Blob::Missing => None,
        })
    };
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let (mut old, mut new) = (Side::default(), Side::default());
    for file in (0..sources.len()).map(|i| sources.get(i)) {
        let Some((kind, id)) = load::file_kind(&file.path) else {
            continue;
        };
        seen.insert(&file.path);
        match committed.get(&file.path) {
            Some(&blob) if local.blob_id(file.text.as_bytes()) == Some(blob) => continue,
            Some(&blob) => {
                let text = committed_text(blob)?;
                if text.as_deref() == Some(file.text.as_str()) {
                    continue;
                }
                old.add(FileVersion::of(kind, &id, text));
            }
            None => {}
        }
        new.add(FileVersion::of(kind, &id, Some(file.text.clone())));
    }
    for (path, blob) in &committed {
        if seen.contains(path.as_str()) {
            continue;
        }
        let Some((kind, id)) = load::file_kind(path) else {
            continue;
        };
        old.add(FileVersion::of(kind, &id, committed_text(*blob)?));
    }
    let mut out: Vec<Item> = compare_sides(&old, &new)
        .into_iter()
        .map(|c| c.item)
        .collect();
    out.sort_by(|a, b| a.entity.cmp(&b.entity));
    Ok(out)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_engine;
