//! `check`: load and validate a registry, the first half of every command.

use std::path::Path;

use crate::diag::{self, Diagnostic, Severity, SourceMap};
use crate::load::{self, LoadError};
use crate::model::{AdequacyList, Date, Registry};
use crate::reference;
use crate::timing::timed;
use crate::validate;

/// A checked registry: the typed values, the files, and every diagnostic,
/// sorted by file and position.
#[derive(Debug)]
pub struct Checked {
    pub registry: Registry,
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    pub adequacy: AdequacyList,
    pub as_of: Date,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Loads and validates `root`. With `deny_warnings`, warnings become errors.
pub fn check(root: &Path, as_of: Date, deny_warnings: bool) -> Result<Checked, LoadError> {
    let loaded = timed("load", || load::load(root))?;
    Ok(check_loaded(loaded, as_of, deny_warnings))
}

/// Validates a loaded registry (from disk, or from memory with
/// [`load::load_files`]).
pub fn check_loaded(loaded: load::Loaded, as_of: Date, deny_warnings: bool) -> Checked {
    let adequacy = loaded
        .registry
        .adequacy
        .clone()
        .unwrap_or_else(|| reference::bundled_adequacy().clone());
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(timed("validate", || {
        validate::validate(&loaded.registry, &loaded.sources, &adequacy, as_of)
    }));
    if deny_warnings {
        for d in &mut diagnostics {
            d.severity = Severity::Error;
        }
    }
    diag::sort(&mut diagnostics);
    Checked {
        registry: loaded.registry,
        sources: loaded.sources,
        diagnostics,
        adequacy,
        as_of,
    }
}

/// The as-of date when `--as-of` is not given: `SOURCE_DATE_EPOCH` if set
/// (reproducible builds), else today (UTC).
pub fn default_as_of() -> Result<Date, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Err(std::env::VarError::NotUnicode(v)) => Err(format!(
            "SOURCE_DATE_EPOCH must be a number of seconds, not `{}`",
            v.to_string_lossy()
        )),
        Ok(v) => {
            let secs: i64 = v
                .trim()
                .parse()
                .map_err(|_| format!("SOURCE_DATE_EPOCH must be a number of seconds, not `{v}`"))?;
            Date::from_unix_seconds(secs)
                .ok_or_else(|| format!("SOURCE_DATE_EPOCH `{v}` is out of range"))
        }
        Err(_) => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            Date::from_unix_seconds(secs)
                .ok_or_else(|| "the system clock is out of range".to_string())
        }
    }
}
