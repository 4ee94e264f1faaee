//! `ropa diff`: what changed between two JSON registers.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;

use super::fail;

/// The largest JSON register `ropa diff` reads: the pretty register of
/// 10,000 activities is about 95 MB.
const MAX_REGISTER_BYTES: u64 = 256 << 20;

#[derive(clap::Args)]
pub struct Args {
    /// The older register (ropa.json).
    pub old: PathBuf,
    /// The newer register.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffOutput::Human)]
    pub format: DiffOutput,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DiffOutput {
    Human,
    Json,
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

pub fn run(Args { old, new, format }: Args) -> ExitCode {
    let (old_text, new_text) = match (read(&old), read(&new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    let format = match format {
        DiffOutput::Human => ropa::diff::DiffFormat::Human,
        DiffOutput::Json => ropa::diff::DiffFormat::Json,
    };
    let (old_name, new_name) = (old.to_string_lossy(), new.to_string_lossy());
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
