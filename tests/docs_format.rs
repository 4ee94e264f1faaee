//! docs/format.md is the reference people write a registry from (issue
//! 15): every key the loader reads (the committed JSON Schemas, generated
//! from the model) is documented in the section of its file, and every
//! required key is marked so in its row.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

/// The keys of `schema` at every depth: (key, required).
fn keys(schema: &Value, defs: &Value, out: &mut BTreeSet<(String, bool)>, seen: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap().to_string();
        if !seen.contains(&name) {
            seen.push(name.clone());
            keys(&defs[&name], defs, out, seen);
            seen.pop();
        }
        return;
    }
    for k in ["anyOf", "oneOf", "allOf"] {
        for s in schema[k].as_array().into_iter().flatten() {
            keys(s, defs, out, seen);
        }
    }
    for k in ["items", "additionalProperties"] {
        if schema[k].is_object() {
            keys(&schema[k], defs, out, seen);
        }
    }
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (key, sub) in schema["properties"].as_object().into_iter().flatten() {
        out.insert((key.clone(), required.contains(&key.as_str())));
        keys(sub, defs, out, seen);
    }
}

/// The text of the `## ` section whose heading starts with `heading`.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(&format!("\n## {heading}"))
        .unwrap_or_else(|| panic!("docs/format.md has no section `## {heading}`"));
    let rest = &doc[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

#[test]
fn every_key_of_every_file_is_documented() {
    let doc = std::fs::read_to_string(manifest_dir().join("docs/format.md")).unwrap();
    let files = [
        ("organisation", "organisation.toml"),
        ("categories", "categories.toml"),
        ("measures", "measures.toml"),
        ("activity", "activities/"),
        ("processor", "processors/"),
        ("recipient", "recipients/"),
        ("transfer", "transfers/"),
        ("safeguard", "safeguards/"),
        ("adequacy", "adequacy.toml"),
    ];
    let acknowledged = section(&doc, "[[acknowledged]]");
    let mut missing = Vec::new();
    for (schema, heading) in files {
        let path = manifest_dir().join(format!("schemas/{schema}.schema.json"));
        let value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut all = BTreeSet::new();
        keys(&value, &value["$defs"], &mut all, &mut Vec::new());
        assert!(all.len() > 3, "{schema}: {all:?}");
        let text = section(&doc, heading);
        let text = format!("{text}{acknowledged}");
        for (key, required) in all {
            // `key`, `[key]`, `[[key]]` or `[key.<id>]`.
            let named = ["`", "`[", "`[["].iter().any(|open| {
                ["`", "]`", "]]`", "."]
                    .iter()
                    .any(|close| text.contains(&format!("{open}{key}{close}")))
            });
            if !named {
                missing.push(format!("{heading}: `{key}` is not documented"));
            } else if required {
                let row = text.lines().find(|l| {
                    l.starts_with(&format!("| `{key}` |"))
                        || l.starts_with(&format!("| `[[{key}]]` |"))
                });
                if !row.is_some_and(|r| r.contains("**yes**")) {
                    missing.push(format!(
                        "{heading}: `{key}` is required but its row does not say **yes**"
                    ));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The README and docs/ link only inside the repository.
#[test]
fn docs_do_not_point_outside_the_repository() {
    let mut files = vec![manifest_dir().join("README.md")];
    for e in std::fs::read_dir(manifest_dir().join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            files.push(p);
        }
    }
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for bad in ["../shared", "/work/"] {
            assert!(!text.contains(bad), "{} mentions `{bad}`", f.display());
        }
    }
}
