//! `ropa import`: a record kept in a spreadsheet or in fides manifests
//! turned into a registry.
//!
//! One way through: [`read`] turns the file into sheets of text cells with
//! their addresses, [`ico`] maps the rows to registry files (TOML text) and
//! says what it could not map; [`fides`] reads and maps fideslang YAML the
//! same way; [`write_registry`] writes them into a new folder atomically.
//! The checks are left to `ropa check`'s pipeline.

mod draft;
pub mod fides;
pub mod ico;
pub mod read;
mod toml_text;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use crate::export::ico::Record;
use crate::timing::timed;

/// Why an import could not be done: one line naming the file and, where
/// it applies, the sheet and cell. Nothing was written.
#[derive(Debug)]
pub struct ImportError {
    pub file: PathBuf,
    pub message: String,
}

impl ImportError {
    pub fn file(file: &Path, message: impl fmt::Display) -> ImportError {
        ImportError {
            file: file.to_path_buf(),
            message: message.to_string(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.file.display(), self.message)
    }
}

/// A cell that held something the import did not carry into the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// `Sheet1!G14`.
    pub address: String,
    pub text: String,
    pub why: String,
}

/// What an import read and wrote.
#[derive(Debug, Default)]
pub struct Report {
    /// Data rows read below the header (ICO layout), or privacy
    /// declarations read (fides).
    pub rows: usize,
    /// Entries written, by kind ("activity", "data subject", ...).
    pub written: BTreeMap<&'static str, usize>,
    pub unmapped: Vec<Unmapped>,
}

/// The registry's files: path relative to the registry folder, TOML text.
pub type Files = BTreeMap<String, String>;

/// Imports `file` (one record of an ICO-layout spreadsheet) into the new
/// registry folder `out`. `out` must not exist or be an empty folder.
pub fn import_ico(file: &Path, record: Record, out: &Path) -> Result<Report, ImportError> {
    refuse_non_empty(out)?;
    let sheets = timed("import: read", || read::read(file))?;
    let (files, report) = timed("import: map", || ico::map(file, &sheets, record))?;
    write_new(out, &files)?;
    Ok(report)
}

/// Imports the fideslang resources of `inputs` (YAML files, or folders
/// of them) into the new registry folder `out`, which must not exist or
/// be an empty folder. `Report::rows` counts the privacy declarations.
pub fn import_fides(inputs: &[PathBuf], out: &Path) -> Result<Report, ImportError> {
    refuse_non_empty(out)?;
    let sources = timed("import: read", || fides::read(inputs))?;
    let (files, report) = timed("import: map", || fides::map(&sources));
    write_new(out, &files)?;
    Ok(report)
}

/// Writes the imported files as the new registry folder `out`, whole or
/// not at all.
fn write_new(out: &Path, files: &Files) -> Result<(), ImportError> {
    timed("import: write", || write_registry(out, files)).map_err(|e| {
        ImportError::file(
            out,
            format!("could not be written ({e}); nothing was written"),
        )
    })
}

/// Nothing is ever overwritten: `out` must be new or empty.
fn refuse_non_empty(out: &Path) -> Result<(), ImportError> {
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                Err(ImportError::file(
                    out,
                    "already exists and is not empty; name a new folder with --out",
                ))
            } else {
                Ok(())
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory && out.is_file() => Err(
            ImportError::file(out, "is a file; name a new folder with --out"),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Err(ImportError::file(
            out,
            "cannot be created: a folder above it is a file",
        )),
        Err(e) => Err(ImportError::file(out, e)),
    }
}

/// Writes the registry's files into the new folder `out` atomically.
pub fn write_registry(out: &Path, files: &Files) -> std::io::Result<()> {
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    crate::output::write_new_folder(out, &files)
}
