//! `ropa new`: a new entry with every key of its kind, ready to fill in.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use super::fail;
use ropa::model::EntryKind;
use ropa::scaffold::new_entry;

#[derive(clap::Args)]
pub struct Args {
    /// What kind of entry.
    #[arg(value_parser = kinds())]
    pub kind: EntryKind,
    /// Its id: the file name, lower-case letters, digits and hyphens.
    pub id: String,
    /// The registry folder.
    #[arg(long, default_value = "registry")]
    pub registry: PathBuf,
}

/// The entry kinds, by noun, from the model's one list.
fn kinds() -> impl TypedValueParser<Value = EntryKind> {
    PossibleValuesParser::new(
        EntryKind::ALL.map(|k| PossibleValue::new(k.noun()).help(k.describe())),
    )
    .try_map(|noun| EntryKind::from_noun(&noun).ok_or("not an entry kind"))
}

pub fn run(Args { kind, id, registry }: Args) -> ExitCode {
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
