//! The sequence every command that reads a registry runs: load → link →
//! validate, and for a site, render only when there are no errors.
//! `ropa check`, `export`, `build` and `serve` all come through here, so a
//! change to the stages is made once. What the outcome means to a person
//! (messages, exit statuses, the preview's banner) is left to each command.

use std::path::Path;

use crate::diag::{self, Diagnostic, Severity, SourceMap};
use crate::link::Register;
use crate::load::{self, LoadError, Loaded};
use crate::model::{AdequacyList, Date, Registry};
use crate::render::{BuildReport, RenderError, build_site_with};
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
/// registry's own adequacy list or the bundled one. Warnings an
/// `[[acknowledged]]` accepts are marked (`Diagnostic::acknowledged`); with
/// `deny_warnings`, every other warning becomes an error. The load diagnostics are
/// copied into the result with the rules' (few, on any registry worth
/// building).
pub fn check(loaded: &Loaded, as_of: Date, deny_warnings: bool) -> Checked<'_> {
    let mut diagnostics = loaded.diagnostics.clone();
    let adequacy = loaded
        .registry
        .adequacy
        .as_ref()
        .unwrap_or_else(|| load::bundled_adequacy());
    let register = timed("link", || Register::new(&loaded.registry, adequacy, as_of));
    diagnostics.extend(timed("validate", || {
        validate::validate(&register, &loaded.sources)
    }));
    // After every rule (and the loader's warnings), before `--deny-warnings`:
    // a warning accepted on the record stays a warning.
    validate::acknowledge(&loaded.registry, &loaded.sources, as_of, &mut diagnostics);
    if deny_warnings {
        for d in &mut diagnostics {
            if d.acknowledged.is_none() {
                d.severity = Severity::Error;
            }
        }
    }
    diag::sort(&mut diagnostics);
    Checked {
        register,
        sources: &loaded.sources,
        diagnostics,
    }
}

/// The rules that read the registry folder beyond its TOML files (so not
/// in [`check`], which also serves registries held in memory): the
/// `[site] extra` folder. Its problems are errors.
fn check_on_disk(checked: &mut Checked, registry: &Path) {
    let found = crate::render::extra_diagnostics(&checked.register, registry, checked.sources);
    if !found.is_empty() {
        checked.diagnostics.extend(found);
        diag::sort(&mut checked.diagnostics);
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

/// Loads the registry folder `registry`, checks it at `as_of` (see
/// [`check`]) and hands the checked registry to `then`. `Err` when the
/// folder could not be read at all.
pub fn with_checked<R>(
    registry: &Path,
    as_of: Date,
    deny_warnings: bool,
    then: impl FnOnce(&Checked) -> R,
) -> Result<R, LoadError> {
    let loaded = timed("load", || load::load(registry))?;
    let mut checked = check(&loaded, as_of, deny_warnings);
    check_on_disk(&mut checked, registry);
    Ok(then(&checked))
}

/// Where and how [`build`] writes the site.
pub struct SiteOptions<'a> {
    /// The folder the site replaces, atomically.
    pub out: &'a Path,
    /// A progress line on standard error while the pages render.
    pub progress: bool,
    /// The process ends right after the build: the registry is left to the
    /// system rather than freed value by value (tens of thousands of them
    /// for a large registry: wasted work). Never for `ropa serve`.
    pub exiting: bool,
}

/// What a build came to, with the run's diagnostics.
#[derive(Debug)]
pub enum Built {
    /// The site was written and swapped in.
    Written {
        diagnostics: Vec<Diagnostic>,
        report: BuildReport,
    },
    /// The registry has errors: nothing was rendered, `out` is as it was.
    RegistryHasErrors { diagnostics: Vec<Diagnostic> },
    /// Rendering or writing the site failed (or `out` is unsafe to
    /// replace): `out` is as it was.
    RenderFailed {
        diagnostics: Vec<Diagnostic>,
        error: RenderError,
    },
}

/// Checks `registry`, hands the result to `on_checked` (to show its
/// diagnostics before the pages render), then, only when it has no errors,
/// renders the site into `site.out`. `Err` when the registry could not be
/// read at all.
pub fn build(
    registry: &Path,
    as_of: Date,
    deny_warnings: bool,
    site: &SiteOptions,
    on_checked: impl FnOnce(&Checked),
) -> Result<Built, LoadError> {
    let loaded = timed("load", || load::load(registry))?;
    let mut checked = check(&loaded, as_of, deny_warnings);
    check_on_disk(&mut checked, registry);
    on_checked(&checked);
    let built = if checked.has_errors() {
        Built::RegistryHasErrors {
            diagnostics: std::mem::take(&mut checked.diagnostics),
        }
    } else {
        let rendered = timed("render", || {
            build_site_with(
                &checked.register,
                &checked.diagnostics,
                site.out,
                registry,
                site.progress,
            )
        });
        let diagnostics = std::mem::take(&mut checked.diagnostics);
        match rendered {
            Ok(report) => Built::Written {
                diagnostics,
                report,
            },
            Err(error) => Built::RenderFailed { diagnostics, error },
        }
    };
    if site.exiting {
        std::mem::forget(checked);
        std::mem::forget(loaded);
    }
    Ok(built)
}
