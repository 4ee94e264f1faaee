//! `ropa new`: a new entry with every key of its kind, ready to fill in; or
//! a new data subject, data category or measure at the end of its
//! catalogue file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use super::fail;
use ropa::model::EntryKind;
use ropa::scaffold::{CatalogueKind, new_catalogue_entry, new_entry};

#[derive(clap::Args)]
pub struct Args {
    /// What kind of entry.
    #[arg(value_parser = kinds())]
    pub kind: NewKind,
    /// Its id: the file name (or the table's key in a catalogue), lower-case letters, digits and hyphens.
    pub id: String,
    /// The registry folder.
    #[arg(long, default_value = "registry")]
    pub registry: PathBuf,
}

/// What `ropa new` writes: an entry file, or a table in a catalogue file.
#[derive(Clone, Copy)]
pub enum NewKind {
    Entry(EntryKind),
    Catalogue(CatalogueKind),
}

/// The kinds, by noun, from the model's one list and the catalogues'.
fn kinds() -> impl TypedValueParser<Value = NewKind> {
    let entries = EntryKind::ALL.map(|k| PossibleValue::new(k.noun()).help(k.describe()));
    let catalogues = CatalogueKind::ALL.map(|k| PossibleValue::new(k.noun()).help(k.describe()));
    PossibleValuesParser::new(entries.into_iter().chain(catalogues)).try_map(|noun| {
        EntryKind::from_noun(&noun)
            .map(NewKind::Entry)
            .or_else(|| CatalogueKind::from_noun(&noun).map(NewKind::Catalogue))
            .ok_or("not an entry kind")
    })
}

pub fn run(Args { kind, id, registry }: Args) -> ExitCode {
    match kind {
        NewKind::Entry(kind) => match new_entry(&registry, kind, &id) {
            Ok(path) => {
                say!(
                    "created {}: fill in the empty values at the top, uncomment what applies, then run `ropa check`",
                    path.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        NewKind::Catalogue(kind) => match new_catalogue_entry(&registry, kind, &id) {
            Ok(path) => {
                say!(
                    "added `{id}` at the end of {}: check its name, uncomment what applies, then run `ropa check`",
                    path.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
    }
}
