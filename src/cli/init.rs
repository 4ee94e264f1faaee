//! `ropa init [DIR]`: a new registry, ready to check and to edit.

use std::path::PathBuf;
use std::process::ExitCode;

use super::fail;
use ropa::scaffold::init_registry;

#[derive(clap::Args)]
pub struct Args {
    /// The new registry folder (refused if it holds a registry or anything else).
    #[arg(default_value = "registry")]
    pub dir: PathBuf,
}

pub fn run(Args { dir }: Args) -> ExitCode {
    match init_registry(&dir) {
        Ok(done) => {
            let shown = done.registry.display();
            say!(
                "created the registry {shown}: organisation.toml, categories.toml, measures.toml and one example activity"
            );
            if let Some(schemas) = &done.schemas {
                say!(
                    "wrote the editor schemas its files name into {} (docs/editing.md)",
                    schemas.display()
                );
            }
            say!(
                "replace the example values with your own, add entries with `ropa new`, then run `ropa check --registry {shown}`"
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
