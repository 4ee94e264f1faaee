//! `ropa new <kind> <id>`: a new registry entry from a template that lists
//! every key of its kind, the required ones first (empty, so `ropa check`
//! points at each one still to fill in) and the optional ones commented out
//! with an example; for the catalogue kinds, a new table at the end of
//! their file (`catalogue`). `ropa init`: a new registry (`init`).

mod catalogue;
mod init;

pub use catalogue::{CatalogueKind, new_catalogue_entry};
pub use init::{InitError, Initialised, init_registry};

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::model::EntryKind;
use crate::model::{is_valid_id, suggest_id};

/// The template of `kind`: every key of the kind, commented.
fn template(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Activity => include_str!("activity.toml"),
        EntryKind::Processor => include_str!("processor.toml"),
        EntryKind::Recipient => include_str!("recipient.toml"),
        EntryKind::Transfer => include_str!("transfer.toml"),
        EntryKind::Safeguard => include_str!("safeguard.toml"),
    }
}

/// Why `ropa new` wrote nothing (exit status 2).
#[derive(Debug)]
pub enum ScaffoldError {
    BadId(String),
    NoRegistry(PathBuf),
    Exists(PathBuf),
    /// The catalogue file already has `[<table>.<id>]`.
    CatalogueHas {
        path: PathBuf,
        table: &'static str,
        id: String,
    },
    /// The catalogue file does not parse: which entries it has is unknown.
    Unparsable {
        path: PathBuf,
        why: String,
    },
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for ScaffoldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScaffoldError::BadId(id) => {
                write!(
                    f,
                    "`{id}` cannot be an id: ids are lower-case letters, digits and single hyphens, at most 64 characters (the id is the file name and the page's address)"
                )?;
                let fix = suggest_id(id);
                if !fix.is_empty() && fix != *id && is_valid_id(&fix) {
                    write!(f, "; try `{fix}`")?;
                }
                Ok(())
            }
            ScaffoldError::NoRegistry(p) => write!(
                f,
                "`{}` is not a registry folder; give the registry with --registry DIR",
                p.display()
            ),
            ScaffoldError::Exists(p) => write!(
                f,
                "`{}` already exists; nothing was written (choose another id, or edit that file)",
                p.display()
            ),
            ScaffoldError::CatalogueHas { path, table, id } => write!(
                f,
                "`{}` already has `[{table}.{id}]`; nothing was written (choose another id, or edit that entry)",
                path.display()
            ),
            ScaffoldError::Unparsable { path, why } => write!(
                f,
                "`{}` cannot be added to: {why}; nothing was written (`ropa check` shows what to fix)",
                path.display()
            ),
            ScaffoldError::Io(p, e) => write!(f, "cannot write `{}`: {e}", p.display()),
        }
    }
}

impl std::error::Error for ScaffoldError {}

/// The `#:schema` line of a new file `depth` folders below the registry
/// folder, naming `<schema>.schema.json` in the `schemas/` folder beside the
/// registry (`ropa schema --out schemas`, docs/editing.md), so editors
/// check it; nothing when that schema is not there.
fn schema_directive(registry: &Path, schema: &str, depth: usize) -> String {
    let rel = format!("schemas/{schema}.schema.json");
    match registry.join("..").join(&rel).is_file() {
        true => format!("#:schema {}{rel}\n", "../".repeat(depth + 1)),
        false => String::new(),
    }
}

/// An entry of `kind` named `id` already in the registry, in any subfolder
/// of the kind's folder (ids are unique across subfolders).
fn existing(folder: &Path, id: &str) -> Option<PathBuf> {
    let name = format!("{id}.toml");
    walkdir::WalkDir::new(folder)
        .follow_links(false)
        .into_iter()
        .flatten()
        .find(|e| e.file_name().to_str() == Some(name.as_str()))
        .map(|e| e.into_path())
}

/// Writes `<registry>/<folder>/<id>.toml` from the kind's template and
/// returns its path. Refuses a bad id, a missing registry and an existing
/// entry; never overwrites a file.
pub fn new_entry(registry: &Path, kind: EntryKind, id: &str) -> Result<PathBuf, ScaffoldError> {
    if !is_valid_id(id) || id == "index" {
        return Err(ScaffoldError::BadId(id.to_string()));
    }
    if !registry.is_dir() {
        return Err(ScaffoldError::NoRegistry(registry.to_path_buf()));
    }
    let folder = registry.join(kind.folder());
    if let Some(found) = existing(&folder, id) {
        return Err(ScaffoldError::Exists(found));
    }
    std::fs::create_dir_all(&folder).map_err(|e| ScaffoldError::Io(folder.clone(), e))?;
    let path = folder.join(format!("{id}.toml"));
    // create_new: a file that appeared meanwhile is never overwritten.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => ScaffoldError::Exists(path.clone()),
            _ => ScaffoldError::Io(path.clone(), e),
        })?;
    let directive = schema_directive(registry, kind.noun(), 1);
    file.write_all(directive.as_bytes())
        .and_then(|_| file.write_all(template(kind).as_bytes()))
        .map_err(|e| ScaffoldError::Io(path.clone(), e))?;
    Ok(path)
}
