//! The site a file at a time, in memory: what `ropa serve` answers with.
//!
//! A build renders every page; a person previewing looks at a few. After a
//! save, the preview checks the registry and then renders only the files
//! that are asked for, from the same templates and the same shared parts
//! as [`super::build_site`], so a file is byte for byte what a build with
//! `--no-history` writes (tests/serve.rs compares them). The `[site]
//! extra` files are read when the site is made, as a build copies them:
//! until a newer check passes, the site shows them as they were, and
//! nothing is read from the registry folder while it answers.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::{
    Job, RenderError, Shared, SiteFile, Warnings, extra_files, jobs, language_and_title, record,
    render_job, search_index, site_files,
};
use crate::diag::Diagnostic;
use crate::link::Register;
use crate::output::SiteError;
use crate::output::extra;

/// The site of one register, ready to render any of its files.
pub struct Preview<'a> {
    s: &'a Shared<'a>,
    files: FxHashMap<String, SiteFile<'a>>,
    /// The `[site] extra` files' bytes, read when the site was made.
    extras: FxHashMap<String, Vec<u8>>,
    /// The search index, made once: every page loads it.
    search_index: OnceLock<Vec<u8>>,
}

/// Makes the [`Preview`] of `r` (with the warnings among `diagnostics` on
/// its dashboard, the `[site] extra` files of the folder `registry`) and
/// hands it to `then`. `Err` when the extra files cannot be published or
/// read.
pub fn with_preview<R>(
    r: &Register,
    diagnostics: &[Diagnostic],
    registry: &Path,
    then: impl FnOnce(&Preview) -> R,
) -> Result<R, RenderError> {
    let warnings = Warnings::new(diagnostics);
    // No history: the preview shows the work tree (docs/history.md).
    let jobs = jobs(r, false);
    let files: FxHashMap<String, SiteFile> = site_files(r, &jobs).into_iter().collect();
    let planned: BTreeSet<String> = files.keys().cloned().collect();
    let mut extras = FxHashMap::default();
    let found = extra_files(r, registry, &planned)
        .map_err(|mut problems| RenderError::Extra(problems.swap_remove(0)))?;
    for f in found {
        let mut bytes = Vec::new();
        extra::copy(&f, &mut bytes).map_err(|e| SiteError::Io(f.source.clone(), e))?;
        extras.insert(f.rel, bytes);
    }
    let (tr, title) = language_and_title(r);
    let shared = Shared::new(r, &warnings, &tr, &title, None, true)?;
    Ok(then(&Preview {
        s: &shared,
        files,
        extras,
        search_index: OnceLock::new(),
    }))
}

impl Preview<'_> {
    /// The file at `rel` (relative, `/`-separated, as a build writes it),
    /// rendered; `None` when the site has no such file.
    pub fn file(&self, rel: &str) -> Option<Result<Vec<u8>, RenderError>> {
        if let Some(bytes) = self.extras.get(rel) {
            return Some(Ok(bytes.clone()));
        }
        let file = self.files.get(rel)?;
        let s = self.s;
        Some(match file {
            SiteFile::Page(Job::Record(controller)) => {
                record::render(*controller, s).map(String::into_bytes)
            }
            SiteFile::Page(job) => {
                let mut out = String::new();
                render_job(job, s, &mut out)
                    .map(|()| out.into_bytes())
                    .map_err(|e| RenderError::Template(rel.to_string(), e))
            }
            SiteFile::Activity(a) => {
                let p = s.page("../");
                let mut out = String::new();
                record::activity_page(p, a, &p.activity_flow(a), &mut out)
                    .map(|()| out.into_bytes())
            }
            SiteFile::Asset(bytes) => Ok(bytes.to_vec()),
            SiteFile::Register => {
                let mut out = Vec::new();
                crate::export::json::write_json(s.r, &mut out, crate::export::json::Layout::Compact)
                    .map(|()| out)
                    .map_err(|e| SiteError::Io(rel.into(), e).into())
            }
            SiteFile::Schema => Ok(crate::export::json::schema().into_bytes()),
            SiteFile::SearchIndex => Ok(self
                .search_index
                .get_or_init(|| search_index(s.r, s.tr).into_bytes())
                .clone()),
        })
    }

    /// The site's page for a path it does not have (`404.html`).
    pub fn not_found(&self) -> Result<Vec<u8>, RenderError> {
        match self.file("404.html") {
            Some(page) => page,
            None => Ok(Vec::new()),
        }
    }
}
