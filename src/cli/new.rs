//! `ropa new`: a new entry with every key of its kind, ready to fill in.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use super::fail;
use ropa::scaffold::{EntryKind, new_entry};

#[derive(clap::Args)]
pub struct Args {
    /// What kind of entry.
    #[arg(value_enum)]
    pub kind: NewKind,
    /// Its id: the file name, lower-case letters, digits and hyphens.
    pub id: String,
    /// The registry folder.
    #[arg(long, default_value = "registry")]
    pub registry: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum NewKind {
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

pub fn run(Args { kind, id, registry }: Args) -> ExitCode {
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
