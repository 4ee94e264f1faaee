//! `check`: link and validate a loaded registry, the first half of every
//! command: load → link → validate.

use crate::diag::{self, Diagnostic, Severity, SourceMap};
use crate::link::Register;
use crate::load::{self, Loaded};
use crate::model::{AdequacyList, Date, Registry};
use crate::timing::timed;
use crate::validate;

/// A checked registry: the linked register, the files, and every
/// diagnostic, sorted by file and position. It borrows the [`Loaded`]
/// registry it was made from.
#[derive(Debug)]
pub struct Checked<'a> {
    pub register: Register<'a>,
    pub sources: &'a SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Checked<'a> {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    pub fn registry(&self) -> &'a Registry {
        self.register.reg
    }

    pub fn adequacy(&self) -> &'a AdequacyList {
        self.register.adequacy
    }

    pub fn as_of(&self) -> Date {
        self.register.as_of
    }
}

/// Links and validates a loaded registry (from disk with [`load::load`],
/// or from memory with [`load::load_files`]), judged at `as_of` with the
/// registry's own adequacy list or the bundled one. With
/// `deny_warnings`, warnings become errors. The load diagnostics move
/// into the result.
pub fn check<'a>(loaded: &'a mut Loaded, as_of: Date, deny_warnings: bool) -> Checked<'a> {
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    let loaded: &'a Loaded = loaded;
    let adequacy = loaded
        .registry
        .adequacy
        .as_ref()
        .unwrap_or_else(|| load::bundled_adequacy());
    let register = timed("link", || Register::new(&loaded.registry, adequacy, as_of));
    diagnostics.extend(timed("validate", || {
        validate::validate(&register, &loaded.sources)
    }));
    if deny_warnings {
        for d in &mut diagnostics {
            d.severity = Severity::Error;
        }
    }
    diag::sort(&mut diagnostics);
    Checked {
        register,
        sources: &loaded.sources,
        diagnostics,
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
