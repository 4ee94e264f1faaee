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

use std::path::Path;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::{
    ASSETS, Job, RenderError, Shared, Warnings, extra_files, jobs, language_and_title,
    planned_files, record, render_job, search_index,
};
use crate::diag::Diagnostic;
use crate::link::Register;
use crate::model::Activity;
use crate::output::SiteError;
use crate::output::extra;

/// What a path of the site holds.
enum File<'a> {
    Page(Job<'a>),
    Activity(&'a Activity),
    Asset(&'static [u8]),
    Register,
    Schema,
    SearchIndex,
    /// An `[site] extra` file's bytes, read when the site was made.
    Extra(Vec<u8>),
}

/// The site of one register, ready to render any of its files.
pub struct Preview<'a> {
    s: &'a Shared<'a>,
    files: FxHashMap<String, File<'a>>,
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
    let planned = planned_files(r, &jobs);
    let extras = extra_files(r, registry, &planned)
        .map_err(|mut problems| RenderError::Extra(problems.swap_remove(0)))?;
    let (tr, title) = language_and_title(r);
    let shared = Shared::new(r, &warnings, &tr, &title, None, true)?;
    let mut files = FxHashMap::default();
    files.reserve(planned.len() + extras.len());
    for job in jobs {
        files.insert(job.path(), File::Page(job));
    }
    for a in r.reg.activities.values() {
        files.insert(record::activity_path(a), File::Activity(a));
    }
    for (path, bytes) in ASSETS {
        files.insert(path.to_string(), File::Asset(bytes));
    }
    files.insert("ropa.json".into(), File::Register);
    files.insert("ropa.schema.json".into(), File::Schema);
    files.insert("search-index.js".into(), File::SearchIndex);
    for f in extras {
        let mut bytes = Vec::new();
        extra::copy(&f, &mut bytes).map_err(|e| SiteError::Io(f.source.clone(), e))?;
        files.insert(f.rel, File::Extra(bytes));
    }
    Ok(then(&Preview {
        s: &shared,
        files,
        search_index: OnceLock::new(),
    }))
}

impl Preview<'_> {
    /// The file at `rel` (relative, `/`-separated, as a build writes it),
    /// rendered; `None` when the site has no such file.
    pub fn file(&self, rel: &str) -> Option<Result<Vec<u8>, RenderError>> {
        let file = self.files.get(rel)?;
        let s = self.s;
        Some(match file {
            File::Page(Job::Record(controller)) => {
                record::render(*controller, s).map(String::into_bytes)
            }
            File::Page(job) => {
                let mut out = String::new();
                render_job(job, s, &mut out)
                    .map(|()| out.into_bytes())
                    .map_err(|e| RenderError::Template(rel.to_string(), e))
            }
            File::Activity(a) => {
                let p = s.page("../");
                let mut out = String::new();
                record::activity_page(p, a, &p.activity_flow(a), &mut out)
                    .map(|()| out.into_bytes())
            }
            File::Asset(bytes) => Ok(bytes.to_vec()),
            File::Register => {
                let mut out = Vec::new();
                crate::export::json::write_json(s.r, &mut out, crate::export::json::Layout::Compact)
                    .map(|()| out)
                    .map_err(|e| SiteError::Io(rel.into(), e).into())
            }
            File::Schema => Ok(crate::export::json::schema().into_bytes()),
            File::SearchIndex => Ok(self
                .search_index
                .get_or_init(|| search_index(s.r, s.tr).into_bytes())
                .clone()),
            File::Extra(bytes) => Ok(bytes.clone()),
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
