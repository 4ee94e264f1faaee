//! `ropa export`: the JSON register, its schema, the ICO CSV and XLSX, DPV.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;

use super::{Common, color, fail, human_text, with_checked};
use ropa::export::{dpv, ico, json, xlsx};
use ropa::output::{check_links, ensure_outside_registry, follow_links, write_atomic_with};
use ropa::pipeline::Checked;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,
    /// What to export.
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// The file to write (atomically); default standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// For `--format csv`: which record's template (default controller).
    #[arg(long, value_enum)]
    pub record: Option<RecordKind>,
    /// For `--format json`: no indentation (the bytes of `site/ropa.json`).
    #[arg(long)]
    pub compact: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
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
pub enum RecordKind {
    /// Art. 30(1): the ICO controller template.
    Controller,
    /// Art. 30(2): the ICO processor template.
    Processor,
}

pub fn run(
    Args {
        common,
        format,
        out,
        record,
        compact,
    }: Args,
) -> ExitCode {
    if let Some(refused) = ignored_flag(&common, format, record.is_some(), compact) {
        return fail(refused);
    }
    let record = record.unwrap_or(RecordKind::Controller);
    // A link is written through (see `write_atomic_with`), unless another
    // user planted it in a shared folder such as /tmp: refused before
    // anything is read or written. Messages name the file it points to.
    let out = match out.map(|p| check_links(&p).and_then(|()| follow_links(&p))) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(refused)) => return fail(refused),
    };
    if let Some(path) = &out
        && let Err(refused) = ensure_outside_registry(path, &common.registry)
    {
        return fail(refused);
    }
    // The schema describes the format, not a registry: nothing to check.
    if let ExportFormat::JsonSchema = format {
        return emit(out.as_deref(), json::schema().as_bytes());
    }
    with_checked(&common, |checked| {
        export(checked, &common, format, out.as_deref(), record, compact)
    })
}

/// A flag given that `format` would ignore: refused rather than dropped
/// in silence, so nobody believes it did something.
fn ignored_flag(
    common: &Common,
    format: ExportFormat,
    record: bool,
    compact: bool,
) -> Option<String> {
    if compact && !matches!(format, ExportFormat::Json) {
        return Some("--compact applies to --format json only".into());
    }
    if record && !matches!(format, ExportFormat::Csv) {
        return Some(
            "--record applies to --format csv only (the xlsx spreadsheet has a sheet for each record; json and dpv hold both records)"
                .into(),
        );
    }
    if let ExportFormat::JsonSchema = format {
        // `--registry` still counts: `--out` may not be inside it.
        let flags = [
            (common.as_of.is_some(), "--as-of"),
            (common.deny_warnings, "--deny-warnings"),
            (common.quiet, "--quiet"),
        ];
        if let Some((_, flag)) = flags.iter().find(|(given, _)| *given) {
            return Some(format!(
                "{flag} does not apply to --format json-schema: the schema describes the format of the register, so no registry is read"
            ));
        }
    }
    None
}

/// Exports the checked registry, if it has no errors.
fn export(
    checked: &Checked,
    common: &Common,
    format: ExportFormat,
    out: Option<&Path>,
    record: RecordKind,
    compact: bool,
) -> ExitCode {
    if !checked.diagnostics.is_empty() {
        say_raw!(
            "{}",
            human_text(common, checked, color(std::io::stderr().is_terminal()))
        );
    }
    if checked.has_errors() {
        say!("error: the registry has errors; nothing was exported");
        return ExitCode::from(1);
    }
    let register = &checked.register;
    let result = match format {
        ExportFormat::Json => {
            let layout = if compact {
                json::Layout::Compact
            } else {
                json::Layout::Pretty
            };
            // Streamed: the pretty register of a large registry is
            // about 100 MB.
            return emit_with(out, |w| json::write_json(register, w, layout));
        }
        ExportFormat::JsonSchema => Ok(json::schema().into_bytes()),
        ExportFormat::Csv => {
            let record = match record {
                RecordKind::Controller => ico::Record::Controller,
                RecordKind::Processor => ico::Record::Processor,
            };
            return emit_with(out, |w| ico::write_csv(register, record, w));
        }
        ExportFormat::Xlsx => {
            if out.is_none() && std::io::stdout().is_terminal() {
                return fail(
                    "a spreadsheet is binary: give --out FILE.xlsx (or redirect standard output)",
                );
            }
            xlsx::workbook(register)
        }
        ExportFormat::Dpv => return emit_with(out, |w| dpv::write_jsonld(register, w)),
    };
    match result {
        Ok(bytes) => emit(out, &bytes),
        Err(e) => fail(e),
    }
}

/// Writes an export to `out` (atomically) or to standard output.
fn emit(out: Option<&Path>, bytes: &[u8]) -> ExitCode {
    emit_with(out, |w| w.write_all(bytes))
}

/// Whether `e` is, or wraps, a closed pipe: a writer that wraps the I/O
/// error it met (`io::Error::other(e)`) must not turn `ropa export | head`
/// into an error message.
fn is_broken_pipe(e: &std::io::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        match c.downcast_ref::<std::io::Error>() {
            Some(io) if io.kind() == std::io::ErrorKind::BrokenPipe => return true,
            // `io::Error::source` skips the error it wraps: look at it.
            Some(io) => {
                cause = io
                    .get_ref()
                    .map(|inner| inner as _)
                    .or_else(|| std::error::Error::source(io))
            }
            None => cause = c.source(),
        }
    }
    false
}

/// Writes what `write` gives to `out` (atomically, see `write_atomic_with`)
/// or to standard output: streamed, never held whole in memory. A closed
/// standard output (`ropa export | head`) exits 2 without a message; any
/// other write error there (a full disk) exits 2 with one.
fn emit_with(
    out: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> ExitCode {
    match out {
        Some(path) => match write_atomic_with(path, |f| write(f)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format!("cannot write `{}`: {e}", path.display())),
        },
        None => {
            let mut stdout = std::io::stdout().lock();
            match write(&mut stdout).and_then(|_| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if is_broken_pipe(&e) => ExitCode::from(2),
                Err(e) => fail(format!("cannot write the export to standard output: {e}")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_broken_pipe;
    use std::io::{Error, ErrorKind};

    #[test]
    fn a_wrapped_broken_pipe_is_still_a_broken_pipe() {
        assert!(is_broken_pipe(&Error::from(ErrorKind::BrokenPipe)));
        let wrapped = Error::other(Error::from(ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(&wrapped));
        assert!(is_broken_pipe(&Error::other(wrapped)));
        assert!(!is_broken_pipe(&Error::from(ErrorKind::StorageFull)));
        assert!(!is_broken_pipe(&Error::other("a full disk")));
    }
}
