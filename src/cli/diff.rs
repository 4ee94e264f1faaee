//! `ropa diff`: what changed between two JSON registers, or between the
//! registers of two revisions of the registry, or of a revision and the
//! work tree (docs/diff.md).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;

use super::fail;
use ropa::diag::Severity;
use ropa::export::json;
use ropa::pipeline::{self, Opened};

/// The largest JSON register `ropa diff` reads: the pretty register of
/// 10,000 activities is about 95 MB.
const MAX_REGISTER_BYTES: u64 = 256 << 20;

#[derive(clap::Args)]
pub struct Args {
    /// The older register: a JSON register (ropa.json), or a git revision
    /// of the registry (a commit, tag, branch, or a date YYYY-MM-DD).
    pub old: String,
    /// The newer register, a file or a revision as OLD; without it, the
    /// registry as it is in the work tree.
    pub new: Option<String>,
    /// The registry folder whose git repository the revisions are of.
    #[arg(long, default_value = "registry")]
    pub registry: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffOutput::Human)]
    pub format: DiffOutput,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DiffOutput {
    Human,
    Json,
}

/// One side of the comparison.
enum Side<'a> {
    /// A JSON register on disk.
    File(&'a Path),
    /// The register of the registry at a revision.
    Revision(&'a str),
    /// The register of the registry as it is.
    WorkTree,
}

impl<'a> Side<'a> {
    /// An argument that names an existing file (or a `.json` one, so a
    /// mistyped file name still says the file cannot be read) is a file;
    /// anything else a revision.
    fn of(arg: &'a str) -> Side<'a> {
        let path = Path::new(arg);
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if json || (path.exists() && !path.is_dir()) {
            Side::File(path)
        } else {
            Side::Revision(arg)
        }
    }

    /// The name the report gives this side, and the register's text.
    fn read(&self, registry: &Path) -> Result<(String, String), String> {
        match self {
            Side::File(p) => Ok((p.to_string_lossy().into_owned(), read(p)?)),
            Side::Revision(rev) => {
                let opened = Opened::open(registry, Some(rev)).map_err(|e| {
                    if Path::new(rev).is_dir() {
                        format!(
                            "`{rev}` is a folder: `ropa diff` compares JSON registers (files made by `ropa export`) or revisions of the registry (give the registry folder with --registry)"
                        )
                    } else {
                        e.to_string()
                    }
                })?;
                let name = match &opened.at {
                    Some(c) => format!("{rev} ({}, {})", c.short(), c.date),
                    None => rev.to_string(),
                };
                let text = register(&opened, &format!("the registry at {rev}"))?;
                Ok((name, text))
            }
            Side::WorkTree => {
                let opened = Opened::open(registry, None).map_err(|e| e.to_string())?;
                let text = register(&opened, "the registry in the work tree")?;
                Ok(("work tree".to_string(), text))
            }
        }
    }
}

/// The pretty JSON register of an opened registry, checked at its default
/// date (a revision's own date; today for the work tree). A registry with
/// errors is still compared, with a warning: what is written may be
/// missing what the errors are about.
fn register(opened: &Opened, what: &str) -> Result<String, String> {
    let as_of = opened.default_as_of()?;
    pipeline::with_checked(opened.folder(), as_of, false, |checked| {
        let errors = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        if errors > 0 {
            let s = if errors == 1 { "" } else { "s" };
            say!("warning: {what} has {errors} error{s}; its register may be incomplete");
        }
        json::to_json(&checked.register, json::Layout::Pretty)
    })
    .map_err(|e| e.to_string())
}

/// The text of the register at `p`, refused unread beyond
/// [`MAX_REGISTER_BYTES`].
fn read(p: &Path) -> Result<String, String> {
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
}

pub fn run(
    Args {
        old,
        new,
        registry,
        format,
    }: Args,
) -> ExitCode {
    let old_side = Side::of(&old);
    let new_side = new.as_deref().map_or(Side::WorkTree, Side::of);
    let ((old_name, old_text), (new_name, new_text)) = match old_side
        .read(&registry)
        .and_then(|a| Ok((a, new_side.read(&registry)?)))
    {
        Ok(sides) => sides,
        Err(e) => return fail(e),
    };
    let format = match format {
        DiffOutput::Human => ropa::diff::DiffFormat::Human,
        DiffOutput::Json => ropa::diff::DiffFormat::Json,
    };
    match ropa::diff::diff((&old_name, old_text), (&new_name, new_text), format) {
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
