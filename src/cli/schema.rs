//! `ropa schema`: the JSON Schemas of the registry files, for editors.

use std::path::PathBuf;
use std::process::ExitCode;

use super::fail;

#[derive(clap::Args)]
pub struct Args {
    /// The folder to write them to (created if missing).
    #[arg(long, default_value = "schemas")]
    pub out: PathBuf,
}

pub fn run(Args { out }: Args) -> ExitCode {
    if let Err(e) = std::fs::create_dir_all(&out) {
        return fail(format!("cannot create `{}`: {e}", out.display()));
    }
    let schemas = ropa::schemas::all();
    for (name, text) in &schemas {
        let path = out.join(name);
        if let Err(e) = ropa::output::write_atomic(&path, text.as_bytes()) {
            return fail(format!("cannot write `{}`: {e}", path.display()));
        }
    }
    say!("wrote {} schemas into {}", schemas.len(), out.display());
    ExitCode::SUCCESS
}
