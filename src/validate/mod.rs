//! Validate: the rules of the registry format over a loaded registry.
//!
//! Entry point: [`validate`]. Rules never stop early and never panic; each
//! returns its diagnostics, and the caller sorts them.

mod acknowledge;
mod coverage;
mod hygiene;
mod legal;
mod organisation;
mod refs;
mod transfers;

pub use acknowledge::acknowledge;

use crate::diag::{Diagnostic, SourceMap};
use crate::link::Register;
use crate::model::{Date, Registry};

/// What every rule reads: the linked register (its verdicts, flows and
/// back-links) and the files, for positions.
pub struct Ctx<'a> {
    pub link: &'a Register<'a>,
    pub reg: &'a Registry,
    pub sources: &'a SourceMap,
    pub as_of: Date,
}

/// Runs every rule over the linked register.
pub fn validate(link: &Register, sources: &SourceMap) -> Vec<Diagnostic> {
    let cx = Ctx {
        link,
        reg: link.reg,
        sources,
        as_of: link.as_of,
    };
    // The rule families are independent: they run in parallel, each into
    // its own list, joined in a fixed order (and sorted by the caller).
    type Family = fn(&Ctx, &mut Vec<Diagnostic>);
    let run = |f: Family| {
        let mut v = Vec::new();
        f(&cx, &mut v);
        v
    };
    let ((refs, legal_transfers), (coverage, hygiene)) = rayon::join(
        || {
            rayon::join(
                || run(refs::check),
                || {
                    let mut v = run(legal::check);
                    v.extend(run(transfers::check));
                    v
                },
            )
        },
        || {
            rayon::join(
                || run(coverage::check),
                || {
                    let mut v = run(hygiene::check);
                    v.extend(run(organisation::check));
                    v
                },
            )
        },
    );
    let mut out = refs;
    out.extend(legal_transfers);
    out.extend(coverage);
    out.extend(hygiene);
    out
}

/// "`a`, `b` and 3 more", for help lines that list ids.
pub(crate) fn list_ids<'a>(ids: impl IntoIterator<Item = &'a String>) -> String {
    let ids: Vec<&String> = ids.into_iter().collect();
    let shown: Vec<String> = ids.iter().take(8).map(|i| format!("`{i}`")).collect();
    match ids.len() {
        0 => "none yet".into(),
        n if n > 8 => format!("{} and {} more", shown.join(", "), n - 8),
        _ => shown.join(", "),
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_acknowledged;
#[cfg(test)]
mod tests_legal;
#[cfg(test)]
mod tests_transfers;
