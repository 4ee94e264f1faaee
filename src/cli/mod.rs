//! The command line's shared parts: the arguments (`Cli`, `Command`, the
//! flags every registry command takes), and how a command reports: messages
//! on standard error, `error: ...` with exit status 2 when it cannot run.
//! Each subcommand is one file with its arguments and its `run`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use ropa::diag::{render_human, render_human_errors};
use ropa::model::Date;
use ropa::pipeline::{Checked, Opened};

// Messages to standard error. A closed pipe (`ropa build 2>&1 | head`) must
// not turn into a panic, so write errors are ignored rather than unwrapped
// as `eprintln!` does.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}
macro_rules! say_raw {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($t)*);
    }};
}

pub mod build;
pub mod check;
pub mod diff;
pub mod due;
pub mod export;
pub mod import;
pub mod init;
pub mod new;
pub mod schema;
pub mod serve;

#[derive(Parser)]
#[command(
    name = "ropa",
    version,
    about = "Compile a GDPR Record of Processing Activities kept as TOML"
)]
pub struct Cli {
    /// Without a command, `ropa` builds `registry/` into `site/`.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Clone)]
pub struct Common {
    /// The registry folder.
    #[arg(long, default_value = "registry")]
    pub registry: PathBuf,
    /// The date reviews and decisions are judged at (YYYY-MM-DD);
    /// default: SOURCE_DATE_EPOCH if set, else today.
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Report every warning not acknowledged as an error (exit status 1).
    #[arg(long)]
    pub deny_warnings: bool,
    /// Print the errors only, and the summary line (which still counts the warnings).
    #[arg(long, short)]
    pub quiet: bool,
    /// Read the registry as it was at a git revision (a commit, tag or
    /// branch), or at a date (YYYY-MM-DD: the last commit on or before it);
    /// the work tree is not touched. --as-of then defaults to the commit's date.
    #[arg(long, value_name = "REV")]
    pub at: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Check the registry and report every problem, like a compiler.
    Check(check::Args),
    /// Export the register (nothing is written if the registry has errors).
    Export(export::Args),
    /// Preview the site: build, serve on 127.0.0.1, rebuild and reload on every save.
    Serve(serve::Args),
    /// Write the JSON Schemas of the registry files, for editors (docs/editing.md).
    Schema(schema::Args),
    /// Start a new registry folder that checks with no error, ready to edit.
    Init(init::Args),
    /// Write a new entry with every key of its kind, or add one to categories.toml or measures.toml.
    New(new::Args),
    /// Turn a record kept in a spreadsheet into a new registry folder.
    Import(import::Args),
    /// List what falls due or is overdue: reviews, DPIAs, safeguards, adequacy decisions, acknowledgements (exit 1 when overdue).
    Due(due::Args),
    /// Show what changed between two JSON registers, two revisions of the registry, or a revision and the work tree (exit 0 equal, 1 different, 2 cannot run).
    Diff(diff::Args),
    /// Check the registry and build the static site (nothing is written if it has errors).
    Build(build::Args),
}

/// The command the arguments name; without one, `ropa build` with its
/// defaults. Exits (status 2, or 0 for `--help`) when they do not parse.
pub fn parse() -> Command {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().version(version_text()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    cli.command.unwrap_or(Command::Build(build::Args {
        common: Common {
            registry: "registry".into(),
            as_of: None,
            deny_warnings: false,
            quiet: false,
            at: None,
        },
        out: "site".into(),
        no_history: false,
        no_pictures: false,
    }))
}

/// `ropa --version`: the program's version and the date its bundled EEA and
/// adequacy list was last checked, which decides what it accepts.
fn version_text() -> String {
    format!(
        "{} (bundled adequacy list as of {})",
        env!("CARGO_PKG_VERSION"),
        ropa::load::bundled_adequacy().as_of
    )
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("`{s}` is not a date; write YYYY-MM-DD, e.g. 2026-03-01"))
}

/// Reports that the command cannot run: exit status 2.
pub fn fail(msg: impl std::fmt::Display) -> ExitCode {
    say!("error: {msg}");
    ExitCode::from(2)
}

/// The diagnostics as text for a person: all of them, or with `--quiet`
/// the errors only; the summary line counts them all either way.
pub fn human_text(common: &Common, checked: &Checked, color: bool) -> String {
    if common.quiet {
        render_human_errors(&checked.diagnostics, checked.sources, color)
    } else {
        render_human(&checked.diagnostics, checked.sources, color)
    }
}

/// Whether to colour what goes to a stream (`NO_COLOR` turns it off).
pub fn color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none()
}

/// The registry `common` names, as it is or (`--at`) as it was; with the
/// date it is judged at: `--as-of`, else the opened registry's default.
pub fn open(common: &Common) -> Result<(Opened, Date), ExitCode> {
    let opened = Opened::open(&common.registry, common.at.as_deref()).map_err(fail)?;
    if let Some(c) = &opened.at {
        say!(
            "reading `{}` as it was at commit {} ({}): {}",
            common.registry.display(),
            c.short(),
            c.date,
            // A commit subject is anyone's text: no terminal escapes.
            ropa::diag::printable(&c.subject)
        );
    }
    let as_of = match common.as_of {
        Some(d) => d,
        None => opened.default_as_of().map_err(fail)?,
    };
    Ok((opened, as_of))
}

/// Checks the registry `common` names, through the pipeline every command
/// shares, and runs `then` on the result.
pub fn with_checked(common: &Common, then: impl FnOnce(&Checked) -> ExitCode) -> ExitCode {
    let (opened, as_of) = match open(common) {
        Ok(x) => x,
        Err(code) => return code,
    };
    ropa::pipeline::with_checked(opened.folder(), as_of, common.deny_warnings, then)
        .unwrap_or_else(fail)
}
