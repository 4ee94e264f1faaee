//! The sequence every command that reads a registry runs: load → link →
//! validate, and for a site, render only when there are no errors.
//! `ropa check`, `export`, `build` and `serve` all come through here, so a
//! change to the stages is made once. What the outcome means to a person
//! (messages, exit statuses, the preview's banner) is left to each command.

use std::path::{Path, PathBuf};

use crate::diag::{self, Diagnostic, Severity, SourceMap};
use crate::history::{self, Commit, GitError, History, Repo};
use crate::link::Register;
use crate::load::{self, LoadError, Loaded};
use crate::model::{AdequacyList, Date, Registry};
use crate::render::{
    BuildReport, Preview, RenderError, RenderOptions, build_site_with, with_preview,
};
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

/// Where a command reads the registry: its folder, or with `--at REV` the
/// folder as it was at a commit, checked out into a private temporary
/// folder (so the same loader reads it, and the work tree is not touched).
pub struct Opened {
    /// The folder the loader reads.
    folder: PathBuf,
    /// The temporary copy of a revision, removed when this is dropped.
    _copy: Option<tempfile::TempDir>,
    /// The git repository the registry is in, if any.
    repo: Option<Repo>,
    /// The commit `--at` named.
    pub at: Option<Commit>,
}

/// The registry could not be read (exit status 2).
#[derive(Debug)]
pub enum OpenError {
    Load(LoadError),
    Git(GitError),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Load(e) => e.fmt(f),
            OpenError::Git(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for OpenError {}

impl From<LoadError> for OpenError {
    fn from(e: LoadError) -> Self {
        OpenError::Load(e)
    }
}

impl From<GitError> for OpenError {
    fn from(e: GitError) -> Self {
        OpenError::Git(e)
    }
}

impl Opened {
    /// The registry folder `registry` as it is, or (`at`) as it was at a
    /// revision of the git repository it is in.
    pub fn open(registry: &Path, at: Option<&str>) -> Result<Opened, OpenError> {
        let Some(rev) = at else {
            load::registry_folder(registry)?;
            return Ok(Opened {
                folder: registry.to_path_buf(),
                _copy: None,
                repo: Repo::discover(registry),
                at: None,
            });
        };
        // The folder may be gone from the work tree and still be in the
        // revision: only its place in the repository matters.
        let repo =
            Repo::discover(registry).ok_or_else(|| GitError::NotInRepository(registry.into()))?;
        let local = repo.local();
        let commit = local.resolve(rev)?;
        let tree = commit
            .registry_tree
            .ok_or_else(|| GitError::NotInRevision {
                folder: registry.into(),
                commit: commit.short(),
                date: commit.date,
            })?;
        let copy = tempfile::Builder::new()
            .prefix(".ropa-at-")
            .tempdir()
            .map_err(|e| GitError::Read(format!("cannot make a temporary folder: {e}")))?;
        local.check_out(tree, copy.path())?;
        drop(local);
        Ok(Opened {
            folder: copy.path().to_path_buf(),
            _copy: Some(copy),
            repo: Some(repo),
            at: Some(commit),
        })
    }

    /// The folder the loader reads.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The as-of date when `--as-of` is not given: with `--at`, the
    /// commit's date (the record is judged by the law of that day), else
    /// [`default_as_of`].
    pub fn default_as_of(&self) -> Result<Date, String> {
        match &self.at {
            Some(c) => Ok(c.date),
            None => default_as_of(),
        }
    }

    /// The registry's history up to `--at`'s commit or HEAD, and what the
    /// work tree (`sources`, as the loader read it) changed since; `None`
    /// outside a git work tree, before the first commit, or when the
    /// registry folder is not in that commit (not committed yet).
    pub fn history(&self, sources: &SourceMap) -> Result<Option<History>, GitError> {
        let Some(repo) = &self.repo else {
            return Ok(None);
        };
        let tip = match &self.at {
            Some(c) => c.clone(),
            None => match repo.local().head()? {
                Some(c) => c,
                None => return Ok(None),
            },
        };
        if tip.registry_tree.is_none() {
            return Ok(None);
        }
        let work_tree = self.at.is_none().then_some(sources);
        history::read(repo, tip, work_tree).map(Some)
    }
}

/// Where and how [`build`] writes the site.
pub struct SiteOptions<'a> {
    /// The folder the site replaces, atomically.
    pub out: &'a Path,
    /// A progress line on standard error while the pages render.
    pub progress: bool,
    /// Read the registry's history from git (docs/history.md); off with
    /// `--no-history`, and outside a git work tree.
    pub history: bool,
    /// Draw the pictures (flow diagrams, world map, charts); off with
    /// `--no-pictures`.
    pub pictures: bool,
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

/// Checks the registry, hands the result to `on_checked` (to show its
/// diagnostics before the pages render), then, only when it has no errors,
/// reads its history (with `site.history`) and renders the site into
/// `site.out`. `Err` when the registry, or its history, could not be read.
pub fn build(
    opened: &Opened,
    as_of: Date,
    deny_warnings: bool,
    site: &SiteOptions,
    on_checked: impl FnOnce(&Checked),
) -> Result<Built, OpenError> {
    let registry = opened.folder();
    let loaded = timed("load", || load::load(registry))?;
    let mut checked = check(&loaded, as_of, deny_warnings);
    check_on_disk(&mut checked, registry);
    on_checked(&checked);
    let built = if checked.has_errors() {
        Built::RegistryHasErrors {
            diagnostics: std::mem::take(&mut checked.diagnostics),
        }
    } else {
        let history = match site.history {
            true => timed("history", || opened.history(&loaded.sources))?,
            false => None,
        };
        let rendered = timed("render", || {
            build_site_with(
                &checked.register,
                &checked.diagnostics,
                site.out,
                registry,
                &RenderOptions {
                    history: history.as_ref(),
                    progress: site.progress,
                    pictures: site.pictures,
                },
            )
        });
        if site.exiting {
            std::mem::forget(history);
        }
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

/// What [`preview`] came to.
pub enum Previewed<R> {
    /// The site was made and `then` gave this.
    Shown(R),
    /// The registry has errors: no site was made.
    RegistryHasErrors,
    /// The site could not be made (its `[site] extra` files).
    RenderFailed(RenderError),
}

/// `ropa serve`'s sequence: checks `loaded`, the registry of the folder
/// `registry` (as [`build`] does), hands the result to `on_checked`, then,
/// only when it has no errors, makes its site in memory, without history
/// (the preview shows the work tree), and hands it to `then`, which
/// renders what it is asked for.
pub fn preview<R>(
    loaded: &Loaded,
    registry: &Path,
    as_of: Date,
    on_checked: impl FnOnce(&Checked),
    then: impl FnOnce(&Preview) -> R,
) -> Previewed<R> {
    let mut checked = check(loaded, as_of, false);
    check_on_disk(&mut checked, registry);
    on_checked(&checked);
    if checked.has_errors() {
        return Previewed::RegistryHasErrors;
    }
    match with_preview(&checked.register, &checked.diagnostics, registry, then) {
        Ok(shown) => Previewed::Shown(shown),
        Err(e) => Previewed::RenderFailed(e),
    }
}
