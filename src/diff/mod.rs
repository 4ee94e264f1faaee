//! `ropa diff`: what changed between two JSON registers (docs/diff.md).
//!
//! Both files are read as plain JSON (`serde_json::Value`, one entity at a
//! time), checked to be
//! ropa registers of this ropa's schema major version, split by kind
//! (activities of both records, processors, recipients, transfers,
//! safeguards, data subjects, data categories, measures, the organisation,
//! the adequacy list, and any top-level field this ropa does not know), and
//! compared entity by entity, matched by id, field by field. Fields ropa
//! derives from other parts of the register (back-references, copies of a
//! referenced entity, judgements at `as_of`) are left out: each of their
//! changes follows from one reported where it is recorded.
//!
//! `$schema`, `schema_version`, `generator` and `as_of` describe the file, not
//! the record: their changes are listed in the report's header and do not by
//! themselves make the registers differ.

mod register;
mod report;
mod values;

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use register::{HEADER, load, project};
pub use register::{Kind, label};
pub use report::change_lines;
pub use values::{Change, diff_values};

/// Why a diff could not run (exit status 2).
#[derive(Debug)]
pub enum DiffError {
    /// The file is not JSON, or not a ropa register.
    NotARegister(String),
    /// A ropa register of a schema major version this ropa does not read.
    UnsupportedVersion(String),
    /// A ropa register whose content is not shaped as the schema says
    /// (an entity without an id, two with the same id, …).
    Malformed(String),
}

impl std::fmt::Display for DiffError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiffError::NotARegister(m)
            | DiffError::UnsupportedVersion(m)
            | DiffError::Malformed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DiffError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Human,
    Json,
}

/// What happened to one entity.
#[derive(Debug)]
enum Delta {
    /// Only in the new register (its value there).
    Added(Value),
    /// Only in the old register (its value there).
    Removed(Value),
    /// In both, with these differences.
    Changed(Vec<Change>),
}

#[derive(Debug)]
struct Item {
    id: String,
    label: Option<String>,
    delta: Delta,
}

/// The comparison of two registers.
struct Diff {
    old_file: String,
    new_file: String,
    old_meta: Map<String, Value>,
    new_meta: Map<String, Value>,
    /// Changes to `$schema`, `schema_version`, `generator`, `as_of`.
    header: Vec<Change>,
    /// Every kind, in report order, with its entities that differ, by id.
    kinds: Vec<(Kind, Vec<Item>)>,
}

impl Diff {
    /// Whether the content differs (the header does not count).
    fn differ(&self) -> bool {
        self.kinds.iter().any(|(_, items)| !items.is_empty())
    }
}

fn compare(
    old_file: &str,
    old: register::Loaded,
    new_file: &str,
    new: register::Loaded,
) -> Result<Diff, DiffError> {
    let mut header = Vec::new();
    for key in HEADER {
        match (old.root.get(key), new.root.get(key)) {
            (Some(a), Some(b)) => values::diff_values(key, a, b, &mut header),
            (None, None) => {}
            (a, b) => header.push(Change {
                path: key.to_string(),
                old: a.cloned(),
                new: b.cloned(),
            }),
        }
    }
    let meta = |root: &Map<String, Value>| -> Map<String, Value> {
        HEADER
            .iter()
            .filter_map(|k| Some((k.to_string(), root.get(*k)?.clone())))
            .collect()
    };
    let empty = Default::default();
    let mut kinds = Vec::new();
    for &kind in &Kind::ALL {
        let a = old.items.get(&kind).unwrap_or(&empty);
        let b = new.items.get(&kind).unwrap_or(&empty);
        let ids: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        let mut items = Vec::new();
        for id in ids {
            let (delta, shown) = match (a.get(id), b.get(id)) {
                // The same projection: nothing to report (and nothing parsed).
                (Some(x), Some(y)) if x.canon == y.canon => continue,
                (Some(x), Some(y)) => {
                    let (x, y) = (x.value(old_file)?, y.value(new_file)?);
                    let mut changes = Vec::new();
                    // Unknown top-level fields: paths start with the field.
                    let root = if kind == Kind::Other { id.as_str() } else { "" };
                    values::diff_values(root, &project(kind, &x), &project(kind, &y), &mut changes);
                    if changes.is_empty() {
                        continue;
                    }
                    (Delta::Changed(changes), y)
                }
                (Some(x), None) => {
                    let x = x.value(old_file)?;
                    (Delta::Removed(x.clone()), x)
                }
                (None, Some(y)) => {
                    let y = y.value(new_file)?;
                    (Delta::Added(y.clone()), y)
                }
                (None, None) => continue,
            };
            items.push(Item {
                id: id.clone(),
                label: label(kind, &shown),
                delta,
            });
        }
        kinds.push((kind, items));
    }
    Ok(Diff {
        old_file: old_file.to_string(),
        new_file: new_file.to_string(),
        old_meta: meta(&old.root),
        new_meta: meta(&new.root),
        header,
        kinds,
    })
}

/// Compares two registers (file names for messages, and their text).
/// Returns the report and whether they differ. Neither register is parsed
/// whole: memory is the two texts, one written-out projection per entity,
/// and the trees of the entities that differ.
pub fn diff(
    old: (&str, String),
    new: (&str, String),
    format: DiffFormat,
) -> Result<(String, bool), DiffError> {
    let a = load(old.0, &old.1)?;
    let b = load(new.0, &new.1)?;
    let d = compare(old.0, a, new.0, b)?;
    let text = match format {
        DiffFormat::Human => report::human(&d),
        DiffFormat::Json => report::json(&d),
    };
    Ok((text, d.differ()))
}
