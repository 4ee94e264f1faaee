//! `ropa build` (and `ropa` alone): check the registry, build the site.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use super::{Common, color, fail, human_text, open};
use ropa::diag::summary_line;
use ropa::output::{SiteError, ensure_outside_registry};
use ropa::pipeline::{self, Built, OpenError, SiteOptions};
use ropa::render::RenderError;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,
    /// The folder the site is written to; it is replaced atomically.
    #[arg(long, default_value = "site")]
    pub out: PathBuf,
    /// Leave the git history out of the site (docs/history.md).
    #[arg(long)]
    pub no_history: bool,
    /// Leave the pictures out: flow diagrams, the world map and the
    /// dashboard's charts (docs/site.md#pictures). The tables stay.
    #[arg(long)]
    pub no_pictures: bool,
}

pub fn run(
    Args {
        common,
        out,
        no_history,
        no_pictures,
    }: Args,
) -> ExitCode {
    // A folder that is not a registry is said first: `--registry .` would
    // otherwise be told that `site` is inside it.
    if common.at.is_none()
        && let Err(e) = ropa::load::registry_folder(&common.registry)
    {
        return fail(e);
    }
    // Refused before the registry is read, as an export's is.
    if let Err(refused) = ensure_outside_registry(&out, &common.registry) {
        return fail(refused);
    }
    let (opened, as_of) = match open(&common) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let site = SiteOptions {
        out: &out,
        // A progress line on a terminal; none in CI logs or pipes.
        progress: std::io::stderr().is_terminal() && std::env::var_os("CI").is_none(),
        history: !no_history,
        pictures: !no_pictures,
        exiting: true,
    };
    let built = pipeline::build(&opened, as_of, common.deny_warnings, &site, |checked| {
        // Diagnostics go to standard error: a build's output is the site.
        if !checked.diagnostics.is_empty() {
            let text = human_text(&common, checked, color(std::io::stderr().is_terminal()));
            say_raw!("{text}");
        }
    });
    match built {
        // The history could not be read: the record itself may be fine.
        Err(e @ OpenError::Git(_)) if common.at.is_none() => {
            let text = e.to_string();
            match text.contains("--no-history") {
                true => fail(text),
                false => fail(format!(
                    "{text}; `ropa build --no-history` builds the site without the history"
                )),
            }
        }
        Err(e) => fail(e),
        Ok(Built::RegistryHasErrors { .. }) => {
            say!(
                "error: the registry has errors; `{}` was not changed",
                out.display()
            );
            ExitCode::from(1)
        }
        Ok(Built::Written {
            diagnostics,
            report,
        }) => {
            if diagnostics.is_empty() {
                say!("{}", summary_line(&diagnostics));
            }
            if !common.quiet {
                for w in &report.warnings {
                    say!("warning: {w}");
                }
            }
            say!("built {} pages into {}", report.pages, out.display());
            ExitCode::SUCCESS
        }
        Ok(Built::RenderFailed {
            error: error @ RenderError::Site(SiteError::Refused(..)),
            ..
        }) => fail(error),
        Ok(Built::RenderFailed { error, .. }) => {
            say!("error: {error}; `{}` was not changed", out.display());
            ExitCode::from(2)
        }
    }
}
