//! `ropa init [DIR]`: a new registry that checks with no error and no
//! warning: the three top-level files, commented, and one example activity,
//! each naming its editor schema. Written into a temporary folder beside
//! `DIR` and renamed into place, so a failure leaves nothing half-written.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::load::holds_registry;

/// The registry `ropa init` writes: (path in the registry, text).
const FILES: [(&str, &str); 4] = [
    ("organisation.toml", include_str!("init/organisation.toml")),
    ("categories.toml", include_str!("init/categories.toml")),
    ("measures.toml", include_str!("init/measures.toml")),
    (
        "activities/answering-enquiries.toml",
        include_str!("init/activities/answering-enquiries.toml"),
    ),
];

/// What `ropa init` wrote.
#[derive(Debug)]
pub struct Initialised {
    /// The new registry folder.
    pub registry: PathBuf,
    /// The `schemas/` folder written beside it, for the `#:schema` lines;
    /// `None` when one was already there.
    pub schemas: Option<PathBuf>,
}

/// Why `ropa init` wrote nothing (exit status 2).
#[derive(Debug)]
pub enum InitError {
    HoldsRegistry(PathBuf),
    NotEmpty(PathBuf),
    NotAFolder(PathBuf),
    /// The folder the command runs in: replacing it would leave the shell
    /// in a folder that no longer exists.
    CurrentFolder(PathBuf),
    /// A folder named `schemas`, where the editor schemas go.
    SchemasFolder(PathBuf),
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::HoldsRegistry(p) => write!(
                f,
                "`{}` already holds a registry; nothing was written (run `ropa check --registry {}`, or name a new folder: `ropa init NEW-FOLDER`)",
                p.display(),
                p.display()
            ),
            InitError::NotEmpty(p) => write!(
                f,
                "`{}` is not empty; nothing was written (`ropa init` writes a new folder: name one that does not exist, or an empty one)",
                p.display()
            ),
            InitError::NotAFolder(p) => write!(
                f,
                "`{}` is a file; nothing was written (name a new folder)",
                p.display()
            ),
            InitError::CurrentFolder(p) => write!(
                f,
                "`{}` is the folder you are in; nothing was written (run `ropa init` from the folder above, or `ropa init registry` here)",
                p.display()
            ),
            InitError::SchemasFolder(p) => write!(
                f,
                "`{}` is where the registry's editor schemas go (`schemas/` beside the registry); nothing was written (name the registry folder otherwise, e.g. `ropa init registry`)",
                p.display()
            ),
            InitError::Io(p, e) => write!(f, "cannot write `{}`: {e}", p.display()),
        }
    }
}

impl std::error::Error for InitError {}

/// `dir` may become the new registry: it does not exist, or it is an
/// empty folder (which the rename replaces).
fn check_target(dir: &Path) -> Result<(), InitError> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(InitError::Io(dir.to_path_buf(), e)),
        Ok(m) if !m.is_dir() => Err(InitError::NotAFolder(dir.to_path_buf())),
        Ok(_) if holds_registry(dir) => Err(InitError::HoldsRegistry(dir.to_path_buf())),
        Ok(_) if is_current_folder(dir) => Err(InitError::CurrentFolder(dir.to_path_buf())),
        Ok(_) => match std::fs::read_dir(dir).map(|mut entries| entries.next().is_none()) {
            Ok(true) => Ok(()),
            Ok(false) => Err(InitError::NotEmpty(dir.to_path_buf())),
            Err(e) => Err(InitError::Io(dir.to_path_buf(), e)),
        },
    }
}

fn is_current_folder(dir: &Path) -> bool {
    match (std::fs::canonicalize(dir), std::env::current_dir()) {
        (Ok(d), Ok(here)) => std::fs::canonicalize(here).is_ok_and(|h| h == d),
        _ => false,
    }
}

/// The folder `dir` is in (`.` for a bare name).
fn parent_of(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `files` into the new folder `target` atomically.
fn write_folder(target: &Path, files: &[(&str, &str)]) -> Result<(), InitError> {
    crate::output::write_new_folder(target, files)
        .map_err(|e| InitError::Io(target.to_path_buf(), e))
}

/// Writes a new registry into `dir`, and the editor schemas its files name
/// into `schemas/` beside it unless that folder exists. Refuses a folder
/// that holds a registry or anything else, writing nothing.
pub fn init_registry(dir: &Path) -> Result<Initialised, InitError> {
    check_target(dir)?;
    // The registry's editor schemas go to `schemas/` beside it: the
    // registry cannot be that folder.
    if dir.file_name().is_some_and(|n| n == "schemas") {
        return Err(InitError::SchemasFolder(dir.to_path_buf()));
    }
    // The `#:schema` lines say `../schemas/`: beside the registry, where
    // `ropa new` looks for them too (docs/editing.md).
    let schemas = parent_of(dir).join("schemas");
    let write_schemas = !schemas.exists();
    if write_schemas {
        let all = crate::schemas::all();
        let files: Vec<(&str, &str)> = all
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_str()))
            .collect();
        write_folder(&schemas, &files)?;
    }
    if let Err(e) = write_folder(dir, &FILES) {
        if write_schemas {
            // Only what this run wrote, and only when the registry is not there.
            let _ = std::fs::remove_dir_all(&schemas);
        }
        return Err(e);
    }
    Ok(Initialised {
        registry: dir.to_path_buf(),
        schemas: write_schemas.then_some(schemas),
    })
}
