//! The `ropa` command line: parse arguments, run a command, map the outcome
//! to the exit status of the contract (0 ok, 1 registry errors, 2 could not run).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use ropa::check::{check, default_as_of};
use ropa::diag::{render_github, render_human, render_json};
use ropa::model::Date;

#[derive(Parser)]
#[command(
    name = "ropa",
    version,
    about = "Compile a GDPR Record of Processing Activities kept as TOML"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the registry and report every problem, like a compiler.
    Check {
        /// The registry folder.
        #[arg(long, default_value = "registry")]
        registry: PathBuf,
        /// The date reviews and decisions are judged at (YYYY-MM-DD);
        /// default: SOURCE_DATE_EPOCH if set, else today.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        /// Treat warnings as errors (exit status 1).
        #[arg(long)]
        deny_warnings: bool,
        /// Output format of the diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Github,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("`{s}` is not a date; write YYYY-MM-DD, e.g. 2026-03-01"))
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            registry,
            as_of,
            deny_warnings,
            format,
        } => {
            let as_of = match as_of.map_or_else(default_as_of, Ok) {
                Ok(d) => d,
                Err(e) => return fail(e),
            };
            let checked = match check(&registry, as_of, deny_warnings) {
                Ok(c) => c,
                Err(e) => return fail(e),
            };
            let text = match format {
                Format::Human => {
                    let color =
                        std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                    render_human(&checked.diagnostics, &checked.sources, color)
                }
                Format::Json => render_json(&checked.diagnostics, &checked.sources),
                Format::Github => render_github(
                    &checked.diagnostics,
                    &checked.sources,
                    &registry.to_string_lossy(),
                ),
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
    }
}
