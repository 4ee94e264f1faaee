//! `ropa new data-subject|data-category|measure <id>`: a new entry at the
//! end of its catalogue file (categories.toml, measures.toml). The file is
//! people's work, with their comments and their order: the entry is
//! appended as text, never through a TOML serializer that would rewrite it.

use std::path::{Path, PathBuf};

use super::{ScaffoldError, schema_directive};
use crate::model::is_valid_id;

/// An entry kind kept as a table of a one-file catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogueKind {
    DataSubject,
    DataCategory,
    Measure,
}

impl CatalogueKind {
    pub const ALL: [CatalogueKind; 3] = [
        CatalogueKind::DataSubject,
        CatalogueKind::DataCategory,
        CatalogueKind::Measure,
    ];

    /// The word on the command line: `ropa new data-category health-data`.
    pub fn noun(self) -> &'static str {
        match self {
            CatalogueKind::DataSubject => "data-subject",
            CatalogueKind::DataCategory => "data-category",
            CatalogueKind::Measure => "measure",
        }
    }

    pub fn from_noun(noun: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.noun() == noun)
    }

    /// One line for `ropa new --help`.
    pub fn describe(self) -> &'static str {
        match self {
            CatalogueKind::DataSubject => "A category of data subjects (categories.toml)",
            CatalogueKind::DataCategory => "A category of personal data (categories.toml)",
            CatalogueKind::Measure => "A security measure (measures.toml)",
        }
    }

    /// The catalogue file, relative to the registry folder.
    pub fn file(self) -> &'static str {
        match self {
            CatalogueKind::DataSubject | CatalogueKind::DataCategory => "categories.toml",
            CatalogueKind::Measure => "measures.toml",
        }
    }

    /// The table the entries sit under: `[data_subjects.<id>]`.
    fn table(self) -> &'static str {
        match self {
            CatalogueKind::DataSubject => "data_subjects",
            CatalogueKind::DataCategory => "data_categories",
            CatalogueKind::Measure => "measures",
        }
    }

    /// The schema of the catalogue file (see `crate::schemas`).
    fn schema(self) -> &'static str {
        match self {
            CatalogueKind::DataSubject | CatalogueKind::DataCategory => "categories",
            CatalogueKind::Measure => "measures",
        }
    }

    /// The template of one entry: `{id}` and `{name}` stand for its id and
    /// its name.
    fn template(self) -> &'static str {
        match self {
            CatalogueKind::DataSubject => include_str!("data-subject.toml"),
            CatalogueKind::DataCategory => include_str!("data-category.toml"),
            CatalogueKind::Measure => include_str!("measure.toml"),
        }
    }
}

/// A name a person can keep or reword, made from the id: `health-data`
/// becomes "Health data". It is a real value, so the new entry checks.
fn name_from_id(id: &str) -> String {
    let words = id.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The text of the file with the entry appended: the old text unchanged,
/// then the template, with the file's own line ends.
fn appended(old: &str, kind: CatalogueKind, id: &str) -> String {
    let crlf = old.contains("\r\n");
    let entry = kind
        .template()
        .replace("{id}", id)
        .replace("{name}", &name_from_id(id));
    let mut text = old.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(if crlf { "\r\n" } else { "\n" });
    }
    if text.trim().is_empty() {
        // A new (or blank) file: no blank line before the first table.
        text.push_str(entry.trim_start_matches('\n'));
    } else {
        text.push_str(&entry);
    }
    if crlf {
        // The template has `\n` only; the file keeps one kind of line end.
        text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    text
}

/// Whether `text` (a catalogue file) has `[<table>.<id>]`.
fn has_entry(doc: &toml::Table, kind: CatalogueKind, id: &str) -> bool {
    doc.get(kind.table())
        .and_then(|t| t.as_table())
        .is_some_and(|t| t.contains_key(id))
}

/// Appends a new entry of `kind` named `id` to its catalogue file (created
/// if absent, written atomically) and returns the file's path. Refuses a
/// bad id, a missing registry, an id already there and a file that does not
/// parse (whose entries cannot be told), writing nothing.
pub fn new_catalogue_entry(
    registry: &Path,
    kind: CatalogueKind,
    id: &str,
) -> Result<PathBuf, ScaffoldError> {
    if !is_valid_id(id) {
        return Err(ScaffoldError::BadId(id.to_string()));
    }
    if !registry.is_dir() {
        return Err(ScaffoldError::NoRegistry(registry.to_path_buf()));
    }
    let path = registry.join(kind.file());
    let old = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| ScaffoldError::Unparsable {
            path: path.clone(),
            why: "it is not UTF-8 text".into(),
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            schema_directive(registry, kind.schema(), 0)
        }
        Err(e) => return Err(ScaffoldError::Io(path, e)),
    };
    // The loader accepts a byte-order mark; so does this check.
    let parse = |text: &str| text.trim_start_matches('\u{feff}').parse::<toml::Table>();
    let doc = parse(&old).map_err(|e| ScaffoldError::Unparsable {
        path: path.clone(),
        why: e.message().to_string(),
    })?;
    if has_entry(&doc, kind, id) {
        return Err(ScaffoldError::CatalogueHas {
            path,
            table: kind.table(),
            id: id.to_string(),
        });
    }
    let new = appended(&old, kind, id);
    // Appending a table header cannot go wrong in a file that parses,
    // except where `[data_subjects]` was written as an inline table,
    // which TOML closes: then the file is left as it was.
    match parse(&new) {
        Ok(doc) if has_entry(&doc, kind, id) => {}
        _ => {
            return Err(ScaffoldError::Unparsable {
                path,
                why: format!(
                    "`{}` is written in a way a new `[{}.{id}]` cannot be added to (an inline table); add the entry by hand",
                    kind.table(),
                    kind.table()
                ),
            });
        }
    }
    crate::output::write_atomic(&path, new.as_bytes())
        .map_err(|e| ScaffoldError::Io(path.clone(), e))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_ids() {
        assert_eq!(name_from_id("health-data"), "Health data");
        assert_eq!(name_from_id("x"), "X");
    }

    #[test]
    fn appending_keeps_the_text_and_its_line_ends() {
        let old = "# mine\r\n[measures.a]\r\nname = \"A\"";
        let new = appended(old, CatalogueKind::Measure, "b-c");
        assert!(
            new.starts_with("# mine\r\n[measures.a]\r\nname = \"A\"\r\n\r\n[measures.b-c]\r\n")
        );
        assert!(!new.replace("\r\n", "").contains('\n'));
        assert!(new.contains("name = \"B c\""));
        let fresh = appended("", CatalogueKind::DataSubject, "staff");
        assert!(fresh.starts_with("[data_subjects.staff]\n"), "{fresh}");
    }
}
