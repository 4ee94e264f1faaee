//! `ropa import`: a record kept in a spreadsheet or in fides manifests
//! becomes a new registry folder; then the checks run on it and a report
//! says what was read, written, and left behind (with each cell's address,
//! or each YAML field's file and path).

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};

use super::{color, fail};
use ropa::diag::render_human;
use ropa::import::{ImportError, Record, Report, import_fides, import_ico};
use ropa::pipeline::{default_as_of, with_checked};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub layout: Layout,
}

#[derive(Subcommand)]
pub enum Layout {
    /// A spreadsheet in the UK ICO template's layout (or ropa's own CSV/XLSX export).
    Ico {
        /// The spreadsheet: .xlsx, .ods or .csv.
        file: PathBuf,
        /// Which record the sheet holds.
        #[arg(long, value_enum, default_value_t = RecordKind::Controller)]
        record: RecordKind,
        /// The new registry folder (refused if it exists and is not empty).
        #[arg(long, default_value = "registry")]
        out: PathBuf,
    },
    /// fideslang YAML manifests (fides organization, system and dataset resources).
    Fides {
        /// The manifests: .yml/.yaml files, or folders of them.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// The new registry folder (refused if it exists and is not empty).
        #[arg(long, default_value = "registry")]
        out: PathBuf,
    },
}

/// How the report names what it read.
struct Words {
    /// "row", "rows".
    read: (&'static str, &'static str),
    /// "cell", "cells".
    place: (&'static str, &'static str),
    /// Where a note's quote comes from.
    source: &'static str,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RecordKind {
    /// Art. 30(1): the ICO controller template.
    Controller,
    /// Art. 30(2): the ICO processor template.
    Processor,
}

pub fn run(Args { layout }: Args) -> ExitCode {
    let (imported, out, words): (Result<Report, ImportError>, PathBuf, Words) = match layout {
        Layout::Ico { file, record, out } => {
            let record = match record {
                RecordKind::Controller => Record::Controller,
                RecordKind::Processor => Record::Processor,
            };
            let words = Words {
                read: ("row", "rows"),
                place: ("cell", "cells"),
                source: "cell",
            };
            (import_ico(&file, record, &out), out, words)
        }
        Layout::Fides { inputs, out } => {
            let words = Words {
                read: ("privacy declaration", "privacy declarations"),
                place: ("field", "fields"),
                source: "fides field",
            };
            (import_fides(&inputs, &out), out, words)
        }
    };
    let report = match imported {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let as_of = match default_as_of() {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    // The import has succeeded: what the checks say is for the DPO to
    // work through, not a failure of the command.
    let diagnostics = with_checked(&out, as_of, false, |checked| {
        render_human(
            &checked.diagnostics,
            checked.sources,
            color(std::io::stdout().is_terminal()),
        )
    });
    let mut text = match diagnostics {
        Ok(t) => t,
        Err(e) => format!("the imported registry could not be checked: {e}\n"),
    };
    text.push_str(&report_text(&report, &out, &words));
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    ExitCode::SUCCESS
}

fn report_text(report: &Report, out: &std::path::Path, words: &Words) -> String {
    let mut s = String::new();
    let rows = if report.rows == 1 {
        words.read.0
    } else {
        words.read.1
    };
    let _ = writeln!(
        s,
        "\nimported {} {rows} into {}",
        report.rows,
        out.display()
    );
    for (kind, n) in report.written.iter().filter(|(_, n)| **n > 0) {
        let kind = match (*n, *kind) {
            (1, k) => k.to_string(),
            (_, "activity") => "activities".to_string(),
            (_, "data category") => "data categories".to_string(),
            (_, k) => format!("{k}s"),
        };
        let _ = writeln!(s, "  {n} {kind}");
    }
    if report.unmapped.is_empty() {
        let _ = writeln!(s, "every {} was mapped", words.place.0);
    } else {
        let n = report.unmapped.len();
        let place = if n == 1 { words.place.0 } else { words.place.1 };
        let _ = writeln!(s, "{n} {place} not mapped:");
        for u in &report.unmapped {
            if u.text.is_empty() {
                let _ = writeln!(s, "  {}: {}", u.address, u.why);
            } else {
                let _ = writeln!(
                    s,
                    "  {}: '{}': {}",
                    u.address,
                    u.text.replace('\n', " / "),
                    u.why
                );
            }
        }
    }
    let _ = writeln!(
        s,
        "each interpreted value quotes the {} in the entry's `note`; run `ropa check --registry {}` after editing",
        words.source,
        out.display()
    );
    s
}
