//! The `ropa` command line: parse arguments, run a command, map the outcome
//! to the exit status of the contract (0 ok, 1 registry errors, 2 could not run).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use ropa::check::{Checked, check, default_as_of};
use ropa::diag::{render_github, render_human, render_json, summary_line};
use ropa::model::Date;
use ropa::render::{RenderError, build_site_with};
use ropa::resolve::Register;
use ropa::timing::timed;

// A build allocates and frees millions of small strings on every core;
// glibc's per-thread arenas spent a tenth of the build in malloc, free and
// the mprotect calls that grow their heaps. mimalloc's thread-local free
// lists avoid both.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's own C API (linked in by the `mimalloc` crate; the sys crate
// declares it only behind a feature, and without this option's constant).
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// The largest JSON register `ropa diff` reads: the pretty register of
/// 10,000 activities is about 95 MB.
const MAX_REGISTER_BYTES: u64 = 256 << 20;

/// `mi_option_purge_delay` in mimalloc.h: an ABI-stable enum value (the
/// enum keeps deprecated entries so that numbers never move).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Tells mimalloc never to hand freed memory back to the kernel while
/// `ropa` runs (not for `serve`). A run is short and its peak is what it needs anyway; given
/// back, the memory is faulted in and zeroed again by the next stage, and
/// on a virtual machine fresh pages are dear. Measured on the 10k/2k/5k
/// benchmark (docs/performance.md): about 8% less wall time, the same
/// peak memory.
fn keep_freed_memory() {
    // SAFETY: sets a plain integer option; mimalloc reads options at any
    // time and this one only decides whether free memory is purged.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

// Messages to standard error. A closed pipe (`ropa build 2>&1 | head`) must
// not turn into a panic, so write errors are ignored rather than unwrapped
// as `eprintln!` does.
macro_rules! say {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}
macro_rules! say_raw {
    ($($t:tt)*) => {{
        let _ = write!(std::io::stderr(), $($t)*);
    }};
}

#[derive(Parser)]
#[command(
    name = "ropa",
    version,
    about = "Compile a GDPR Record of Processing Activities kept as TOML"
)]
struct Cli {
    /// Without a command, `ropa` builds `registry/` into `site/`.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Clone)]
struct Common {
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
}

#[derive(Subcommand)]
enum Command {
    /// Check the registry and report every problem, like a compiler.
    Check {
        #[command(flatten)]
        common: Common,
        /// Output format of the diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Export the register (nothing is written if the registry has errors).
    Export {
        #[command(flatten)]
        common: Common,
        /// What to export.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// The file to write (atomically); default standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// For `--format csv`: which record's template.
        #[arg(long, value_enum, default_value_t = RecordKind::Controller)]
        record: RecordKind,
        /// For `--format json`: no indentation (the bytes of `site/ropa.json`).
        #[arg(long)]
        compact: bool,
    },
    /// Preview the site: build, serve on 127.0.0.1, rebuild and reload on every save.
    Serve {
        #[command(flatten)]
        common: Common,
        /// The port to listen on (0: any free port).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// The address to listen on. The default keeps the preview on this
        /// machine; `0.0.0.0` shares it with the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
    },
    /// Write the JSON Schemas of the registry files, for editors (docs/editing.md).
    Schema {
        /// The folder to write them to (created if missing).
        #[arg(long, default_value = "schemas")]
        out: PathBuf,
    },
    /// Write a new entry with every key of its kind, ready to fill in.
    New {
        /// What kind of entry.
        #[arg(value_enum)]
        kind: NewKind,
        /// Its id: the file name, lower-case letters, digits and hyphens.
        id: String,
        /// The registry folder.
        #[arg(long, default_value = "registry")]
        registry: PathBuf,
    },
    /// Show what changed between two JSON registers (exit 0 equal, 1 different, 2 unreadable).
    Diff {
        /// The older register (ropa.json).
        old: PathBuf,
        /// The newer register.
        new: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffOutput::Human)]
        format: DiffOutput,
    },
    /// Check the registry and build the static site (nothing is written if it has errors).
    Build {
        #[command(flatten)]
        common: Common,
        /// The folder the site is written to; it is replaced atomically.
        #[arg(long, default_value = "site")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// The JSON register (Art. 30(4)), documented by ropa.schema.json.
    Json,
    /// The JSON Schema of the JSON register.
    JsonSchema,
    /// One row per activity, in the UK ICO template's columns (see --record).
    Csv,
    /// The ICO controller and processor sheets as one spreadsheet.
    Xlsx,
    /// JSON-LD with the W3C Data Privacy Vocabulary (DPV) and its GDPR extension.
    Dpv,
}

#[derive(Clone, Copy, ValueEnum)]
enum NewKind {
    /// A processing activity (activities/).
    Activity,
    /// A processor (processors/).
    Processor,
    /// A recipient that is not a processor (recipients/).
    Recipient,
    /// An international transfer (transfers/).
    Transfer,
    /// A transfer instrument: SCCs, BCRs... (safeguards/).
    Safeguard,
}

#[derive(Clone, Copy, ValueEnum)]
enum RecordKind {
    /// Art. 30(1): the ICO controller template.
    Controller,
    /// Art. 30(2): the ICO processor template.
    Processor,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffOutput {
    Human,
    Json,
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
    say!("error: {msg}");
    ExitCode::from(2)
}

fn color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none()
}

fn run_check(common: &Common) -> Result<Checked, ExitCode> {
    let as_of = common.as_of.map_or_else(default_as_of, Ok).map_err(fail)?;
    check(&common.registry, as_of, common.deny_warnings).map_err(fail)
}

/// Is `out` inside the registry folder? An export must not overwrite the
/// record it was made from.
fn inside_registry(out: &std::path::Path, registry: &std::path::Path) -> bool {
    let abs = |p: &std::path::Path| std::fs::canonicalize(p).ok();
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    match (abs(parent), abs(registry)) {
        (Some(o), Some(r)) => o.starts_with(r),
        _ => false,
    }
}

/// Writes an export to `out` (atomically) or to standard output.
fn emit(out: Option<&std::path::Path>, bytes: &[u8]) -> ExitCode {
    emit_with(out, |w| w.write_all(bytes))
}

/// Writes what `write` gives to `out` (atomically, see `write_atomic_with`)
/// or to standard output: streamed, never held whole in memory. A closed
/// standard output exits 2 without a message.
fn emit_with(
    out: Option<&std::path::Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> ExitCode {
    match out {
        Some(path) => match ropa::export::write_atomic_with(path, |f| write(f)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format!("cannot write `{}`: {e}", path.display())),
        },
        None => {
            let mut stdout = std::io::stdout().lock();
            match write(&mut stdout).and_then(|_| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(2),
            }
        }
    }
}

/// `ropa --version`: the program's version and the date its bundled EEA and
/// adequacy list was last checked, which decides what it accepts.
fn version_text() -> String {
    format!(
        "{} (bundled adequacy list as of {})",
        env!("CARGO_PKG_VERSION"),
        ropa::reference::bundled_adequacy().as_of
    )
}

fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().version(version_text()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let command = cli.command.unwrap_or(Command::Build {
        common: Common {
            registry: "registry".into(),
            as_of: None,
            deny_warnings: false,
        },
        out: "site".into(),
    });
    // `ropa serve` runs for hours: it may give memory back between builds.
    if !matches!(command, Command::Serve { .. }) {
        keep_freed_memory();
    }
    match command {
        Command::Check { common, format } => {
            let checked = match run_check(&common) {
                Ok(c) => c,
                Err(code) => return code,
            };
            let text = match format {
                Format::Human => render_human(
                    &checked.diagnostics,
                    &checked.sources,
                    color(std::io::stdout().is_terminal()),
                ),
                Format::Json => render_json(&checked.diagnostics, &checked.sources),
                Format::Github => render_github(
                    &checked.diagnostics,
                    &checked.sources,
                    &common.registry.to_string_lossy(),
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
        Command::Serve { common, port, bind } => {
            let as_of = match common.as_of.map_or_else(default_as_of, Ok) {
                Ok(d) => d,
                Err(e) => return fail(e),
            };
            let opts = ropa::serve::ServeOptions {
                registry: common.registry,
                bind,
                port,
                as_of,
                log: |m| {
                    let mut err = std::io::stderr().lock();
                    let _ = writeln!(err, "{}", m.trim_end());
                    let _ = err.flush();
                },
            };
            match ropa::serve::serve(opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        Command::Schema { out } => {
            if let Err(e) = std::fs::create_dir_all(&out) {
                return fail(format!("cannot create `{}`: {e}", out.display()));
            }
            let schemas = ropa::schemas::all();
            for (name, text) in &schemas {
                let path = out.join(name);
                if let Err(e) = ropa::export::write_atomic(&path, text.as_bytes()) {
                    return fail(format!("cannot write `{}`: {e}", path.display()));
                }
            }
            say!("wrote {} schemas into {}", schemas.len(), out.display());
            ExitCode::SUCCESS
        }
        Command::New { kind, id, registry } => {
            use ropa::scaffold::{EntryKind, new_entry};
            let kind = match kind {
                NewKind::Activity => EntryKind::Activity,
                NewKind::Processor => EntryKind::Processor,
                NewKind::Recipient => EntryKind::Recipient,
                NewKind::Transfer => EntryKind::Transfer,
                NewKind::Safeguard => EntryKind::Safeguard,
            };
            match new_entry(&registry, kind, &id) {
                Ok(path) => {
                    say!(
                        "created {}: fill in the empty values at the top, uncomment what applies, then run `ropa check`",
                        path.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Diff { old, new, format } => {
            let read = |p: &PathBuf| -> Result<String, String> {
                use std::io::Read as _;
                let cannot = |e: std::io::Error| format!("cannot read `{}`: {e}", p.display());
                let file = std::fs::File::open(p).map_err(cannot)?;
                // `take`: a wrong path (a disk image, /dev/zero) must not
                // fill the memory before it can be refused.
                let mut text = String::new();
                file.take(MAX_REGISTER_BYTES + 1)
                    .read_to_string(&mut text)
                    .map_err(cannot)?;
                if text.len() as u64 > MAX_REGISTER_BYTES {
                    return Err(format!(
                        "`{}` is larger than {} MiB: `ropa diff` compares JSON registers made by `ropa export`, and none is that large; is it the right file?",
                        p.display(),
                        MAX_REGISTER_BYTES >> 20
                    ));
                }
                Ok(text)
            };
            let (old_text, new_text) = match (read(&old), read(&new)) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => return fail(e),
            };
            let format = match format {
                DiffOutput::Human => ropa::diff::DiffFormat::Human,
                DiffOutput::Json => ropa::diff::DiffFormat::Json,
            };
            let (old_name, new_name) = (old.to_string_lossy(), new.to_string_lossy());
            match ropa::diff::diff((&old_name, &old_text), (&new_name, &new_text), format) {
                Ok((report, differ)) => {
                    let mut stdout = std::io::stdout().lock();
                    if stdout
                        .write_all(report.as_bytes())
                        .and_then(|_| stdout.flush())
                        .is_err()
                    {
                        return ExitCode::from(2);
                    }
                    if differ {
                        ExitCode::from(1)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => fail(e),
            }
        }
        Command::Export {
            common,
            format,
            out,
            record,
            compact,
        } => {
            if compact && !matches!(format, ExportFormat::Json) {
                return fail("--compact applies to --format json only");
            }
            // The schema describes the format, not a registry: nothing to check.
            if let ExportFormat::JsonSchema = format {
                return emit(out.as_deref(), ropa::export::json::schema().as_bytes());
            }
            // A link is written through (see `write_atomic_with`), so the
            // file it points to is what must not be in the registry.
            let out = out.map(|p| ropa::export::follow_links(&p));
            if let Some(path) = &out
                && inside_registry(path, &common.registry)
            {
                return fail(format!(
                    "refusing to write `{}` inside the registry folder",
                    path.display()
                ));
            }
            let checked = match run_check(&common) {
                Ok(c) => c,
                Err(code) => return code,
            };
            if !checked.diagnostics.is_empty() {
                say_raw!(
                    "{}",
                    render_human(
                        &checked.diagnostics,
                        &checked.sources,
                        color(std::io::stderr().is_terminal())
                    )
                );
            }
            if checked.has_errors() {
                say!("error: the registry has errors; nothing was exported");
                return ExitCode::from(1);
            }
            let register = Register::new(&checked);
            let result = match format {
                ExportFormat::Json => {
                    let layout = if compact {
                        ropa::export::json::Layout::Compact
                    } else {
                        ropa::export::json::Layout::Pretty
                    };
                    // Streamed: the pretty register of a large registry is
                    // about 100 MB.
                    return emit_with(out.as_deref(), |w| {
                        ropa::export::json::write_json(&register, w, layout)
                    });
                }
                ExportFormat::JsonSchema => Ok(ropa::export::json::schema().into_bytes()),
                ExportFormat::Csv => {
                    let record = match record {
                        RecordKind::Controller => ropa::export::ico::Record::Controller,
                        RecordKind::Processor => ropa::export::ico::Record::Processor,
                    };
                    return emit_with(out.as_deref(), |w| {
                        ropa::export::ico::write_csv(&register, record, w)
                    });
                }
                ExportFormat::Xlsx => {
                    if out.is_none() && std::io::stdout().is_terminal() {
                        return fail(
                            "a spreadsheet is binary: give --out FILE.xlsx (or redirect standard output)",
                        );
                    }
                    ropa::export::xlsx::workbook(&register)
                }
                ExportFormat::Dpv => {
                    return emit_with(out.as_deref(), |w| {
                        ropa::export::dpv::write_jsonld(&register, w)
                    });
                }
            };
            match result {
                Ok(bytes) => emit(out.as_deref(), &bytes),
                Err(e) => fail(e),
            }
        }
        Command::Build { common, out } => {
            let checked = match timed("check", || run_check(&common)) {
                Ok(c) => c,
                Err(code) => return code,
            };
            // Diagnostics go to standard error: a build's output is the site.
            if !checked.diagnostics.is_empty() {
                let text = render_human(
                    &checked.diagnostics,
                    &checked.sources,
                    color(std::io::stderr().is_terminal()),
                );
                say_raw!("{text}");
            }
            if checked.has_errors() {
                say!(
                    "error: the registry has errors; `{}` was not changed",
                    out.display()
                );
                return ExitCode::from(1);
            }
            let register = timed("resolve", || Register::new(&checked));
            // A progress line on a terminal; none in CI logs or pipes.
            let progress = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
            match timed("render", || {
                build_site_with(&register, &out, &common.registry, progress)
            }) {
                Ok(report) => {
                    if checked.diagnostics.is_empty() {
                        say!("{}", summary_line(&checked.diagnostics));
                    }
                    say!("built {} pages into {}", report.pages, out.display());
                    // The process ends here: freeing a large registry value
                    // by value (tens of thousands of strings) is wasted work.
                    std::mem::forget(register);
                    std::mem::forget(checked);
                    ExitCode::SUCCESS
                }
                Err(e @ RenderError::OutRefused(..)) => fail(e),
                Err(e) => {
                    say!("error: {e}; `{}` was not changed", out.display());
                    ExitCode::from(2)
                }
            }
        }
    }
}
