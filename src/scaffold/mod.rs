//! `ropa new <kind> <id>`: a new registry entry from a template that lists
//! every key of its kind, the required ones first (empty, so `ropa check`
//! points at each one still to fill in) and the optional ones commented out
//! with an example.

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
            ScaffoldError::Io(p, e) => write!(f, "cannot write `{}`: {e}", p.display()),
        }
    }
}

impl std::error::Error for ScaffoldError {}

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
    // With the schemas beside the registry (`ropa schema --out schemas`),
    // the new file names its schema so editors check it (docs/editing.md).
    let schema = format!("schemas/{}.schema.json", kind.noun());
    let directive = match registry.join("..").join(&schema).is_file() {
        true => format!("#:schema ../../{schema}\n"),
        false => String::new(),
    };
    file.write_all(directive.as_bytes())
        .and_then(|_| file.write_all(template(kind).as_bytes()))
        .map_err(|e| ScaffoldError::Io(path.clone(), e))?;
    Ok(path)
}
