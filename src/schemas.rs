//! JSON Schemas of the registry files, one per kind, for editors (taplo /
//! Even Better TOML complete keys and flag mistakes as people type; see
//! docs/editing.md). Generated from the model types the loader fills, so a
//! key added to the model appears in the schema; `schemas/` holds the
//! committed copies (kept equal by a test) and `ropa schema --out DIR`
//! writes them anywhere.

use std::collections::BTreeMap;

use schemars::{JsonSchema, generate::SchemaSettings};

use crate::model::*;

/// `categories.toml`: `[data_subjects.<id>]` and `[data_categories.<id>]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct CategoriesFile {
    /// Categories of data subjects (Art. 30(1)(c)), by id.
    #[schemars(default)]
    data_subjects: BTreeMap<String, Category>,
    /// Categories of personal data (Art. 30(1)(c)), by id.
    #[schemars(default)]
    data_categories: BTreeMap<String, Category>,
}

/// `measures.toml`: `[measures.<id>]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct MeasuresFile {
    /// Technical and organisational security measures (Art. 32), by id.
    #[schemars(default)]
    measures: BTreeMap<String, Measure>,
}

/// `adequacy.toml`: the EEA and the adequacy decisions in force.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct AdequacyFile {
    /// The date the list was last checked.
    as_of: Date,
    /// Where the list's facts come from.
    source: Option<String>,
    /// EEA member states (ISO 3166-1 alpha-2).
    eea: Option<Vec<String>>,
    /// Adequacy decisions (Art. 45), by country code.
    #[schemars(default)]
    countries: BTreeMap<String, AdequacyDecision>,
    /// Adequacy decisions for international organisations (Art. 45(1)), by the organisation's code, for example EPO. A decision for the country of its seat does not cover it.
    #[schemars(default)]
    international_organisations: BTreeMap<String, OrganisationDecision>,
}

/// One Commission adequacy decision for an international organisation
/// (`[international_organisations.<code>]`): as a country's, without
/// `requires`, which the loader refuses there.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct OrganisationDecision {
    /// The Commission decision, for example "(EU) 2025/1382".
    decision: String,
    /// Date the decision was adopted; before it, the decision is not in force.
    adopted: Option<Date>,
    /// Limits of the decision.
    scope: Option<String>,
    /// Date after which the decision no longer counts.
    expires: Option<Date>,
    /// Where a fact is uncertain or the source vague (Markdown allowed).
    note: Option<String>,
}

/// TOML has no null: an optional key is left out, never `null`. schemars
/// allows `null` for every `Option`; this takes it out again
/// (`["string", "null"]` → `"string"`, `anyOf: [X, {type: null}]` → `X`).
fn without_null(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(any)) = map.get_mut("anyOf") {
                any.retain(|s| s.get("type").is_none_or(|t| t != "null"));
                if any.len() == 1 {
                    let only = any.remove(0);
                    map.remove("anyOf");
                    if let Value::Object(inner) = only {
                        for (k, x) in inner {
                            map.entry(k).or_insert(x);
                        }
                    }
                }
            }
            for x in map.values_mut() {
                without_null(x);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(without_null),
        _ => {}
    }
}

fn one<T: JsonSchema>(title: &str) -> String {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let mut schema = generator.into_root_schema_for::<T>();
    schema.insert("title".into(), title.into());
    let mut value = schema.to_value();
    without_null(&mut value);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema of an entry file of `kind` (`<noun>.schema.json`, the name
/// `ropa new` writes into its `#:schema` line).
fn entry(kind: EntryKind) -> (String, String) {
    let title = format!("ropa: {}/<id>.toml", kind.folder());
    let text = match kind {
        EntryKind::Activity => one::<Activity>(&title),
        EntryKind::Processor => one::<Processor>(&title),
        EntryKind::Recipient => one::<Recipient>(&title),
        EntryKind::Transfer => one::<Transfer>(&title),
        EntryKind::Safeguard => one::<Safeguard>(&title),
    };
    (format!("{}.schema.json", kind.noun()), text)
}

/// Every schema: (file name, JSON text), in a fixed order: the top-level
/// files, each entry kind, the adequacy list.
pub fn all() -> Vec<(String, String)> {
    let mut out = vec![
        (
            "organisation.schema.json".to_string(),
            one::<Organisation>("ropa: organisation.toml"),
        ),
        (
            "categories.schema.json".to_string(),
            one::<CategoriesFile>("ropa: categories.toml"),
        ),
        (
            "measures.schema.json".to_string(),
            one::<MeasuresFile>("ropa: measures.toml"),
        ),
    ];
    out.extend(EntryKind::ALL.map(entry));
    out.push((
        "adequacy.schema.json".to_string(),
        one::<AdequacyFile>("ropa: adequacy.toml"),
    ));
    out
}
