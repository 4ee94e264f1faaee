//! The sequence every command that reads a registry runs: check it, and
//! for a site, link and render it only when it has no errors. `ropa check`,
//! `export`, `build` and `serve` all come through here, so a change to the
//! stages is made once. What the outcome means to a person (messages, exit
//! statuses, the preview's banner) is left to each command.

use std::path::Path;

use crate::check::Checked;
use crate::load::LoadError;
use crate::model::Date;
use crate::render::{BuildReport, RenderError, build_site_with};
use crate::resolve::Register;
use crate::timing::timed;

/// Loads and checks the registry folder `registry`, judged at `as_of`.
/// With `deny_warnings`, warnings become errors.
pub fn check(registry: &Path, as_of: Date, deny_warnings: bool) -> Result<Checked, LoadError> {
    crate::check::check(registry, as_of, deny_warnings)
}

/// Where and how [`build`] writes the site.
pub struct SiteOptions<'a> {
    /// The folder the site replaces, atomically.
    pub out: &'a Path,
    /// A progress line on standard error while the pages render.
    pub progress: bool,
    /// The process ends right after the build: the linked register is left
    /// to the system rather than freed value by value (tens of thousands of
    /// them for a large registry: wasted work). Never for `ropa serve`.
    pub exiting: bool,
}

/// What a build came to. Each outcome carries the checked registry, whose
/// diagnostics the caller may still need.
#[derive(Debug)]
pub enum Built {
    /// The site was written and swapped in.
    Written {
        checked: Checked,
        report: BuildReport,
    },
    /// The registry has errors: nothing was rendered, `out` is as it was.
    RegistryHasErrors(Checked),
    /// Rendering or writing the site failed (or `out` is unsafe to
    /// replace): `out` is as it was.
    RenderFailed {
        checked: Checked,
        error: RenderError,
    },
}

/// Checks `registry`, hands the result to `on_checked` (to show its
/// diagnostics before the pages render), then, only when it has no errors,
/// links the register and renders the site into `site.out`. `Err` when the
/// registry could not be read at all.
pub fn build(
    registry: &Path,
    as_of: Date,
    deny_warnings: bool,
    site: &SiteOptions,
    on_checked: impl FnOnce(&Checked),
) -> Result<Built, LoadError> {
    let checked = timed("check", || check(registry, as_of, deny_warnings))?;
    on_checked(&checked);
    if checked.has_errors() {
        return Ok(Built::RegistryHasErrors(checked));
    }
    let register = timed("resolve", || Register::new(&checked));
    let rendered = timed("render", || {
        build_site_with(&register, site.out, registry, site.progress)
    });
    if site.exiting {
        std::mem::forget(register);
    } else {
        drop(register);
    }
    Ok(match rendered {
        Ok(report) => Built::Written { checked, report },
        Err(error) => Built::RenderFailed { checked, error },
    })
}
