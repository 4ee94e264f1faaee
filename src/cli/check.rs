//! `ropa check`: the diagnostics on standard output, like a compiler.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::ValueEnum;

use super::{Common, color, human_text, with_checked};
use ropa::diag::{Severity, render_github, render_json};
use ropa::pipeline::Checked;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,
    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// With `--format json`: include the warnings an `[[acknowledged]]`
    /// accepts, each with its reason and until.
    #[arg(long)]
    pub show_acknowledged: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
}

pub fn run(
    Args {
        common,
        format,
        show_acknowledged,
    }: Args,
) -> ExitCode {
    with_checked(&common, |checked| {
        report(checked, &common, format, show_acknowledged)
    })
}

fn report(checked: &Checked, common: &Common, format: Format, show_acknowledged: bool) -> ExitCode {
    // `--quiet` in the machine formats: the errors only (no summary there).
    let errors: Vec<_>;
    let shown = if common.quiet {
        errors = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect();
        &errors
    } else {
        &checked.diagnostics
    };
    let text = match format {
        Format::Human => human_text(common, checked, color(std::io::stdout().is_terminal())),
        Format::Json => render_json(shown, checked.sources, show_acknowledged),
        Format::Github => render_github(shown, checked.sources, &common.registry.to_string_lossy()),
    };
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    if checked.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
