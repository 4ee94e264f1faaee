//! Editor schemas (issue 7, docs/editing.md): `schemas/` is what `ropa
//! schema` generates; every file of the example registries names its
//! schema in a `#:schema` directive and validates against it with an
//! independent JSON Schema validator (the `jsonschema` crate); and the
//! schemas reject what the loader rejects.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const REGISTRIES: [&str; 4] = [
    "registry",
    "examples/allthingstalk",
    "examples/alutech",
    "examples/allocloud",
];

/// The schema of the registry file at `rel` (relative to its registry).
fn kind_of(rel: &str) -> Option<&'static str> {
    let parts: Vec<&str> = rel.split('/').collect();
    if parts.len() == 1 {
        return match rel {
            "organisation.toml" => Some("organisation"),
            "categories.toml" => Some("categories"),
            "measures.toml" => Some("measures"),
            "adequacy.toml" => Some("adequacy"),
            _ => None,
        };
    }
    match parts[0] {
        "activities" => Some("activity"),
        "processors" => Some("processor"),
        "recipients" => Some("recipient"),
        "transfers" => Some("transfer"),
        "safeguards" => Some("safeguard"),
        _ => None,
    }
}

/// TOML as the JSON an editor validates: dates become strings.
fn to_json(v: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => J::from(f),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(to_json).collect()),
        toml::Value::Table(t) => J::Object(t.into_iter().map(|(k, v)| (k, to_json(v))).collect()),
    }
}

fn validator(kind: &str) -> jsonschema::Validator {
    let path = manifest_dir().join(format!("schemas/{kind}.schema.json"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn errors(v: &jsonschema::Validator, json: &serde_json::Value) -> Vec<String> {
    v.iter_errors(json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn toml_files(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<_> = walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, e.path().to_path_buf())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn committed_schemas_are_the_generated_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let run = run_in(
        &manifest_dir(),
        &["schema", "--out", tmp.path().to_str().unwrap()],
    );
    run.assert_exit(0);
    let mut names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 9, "{names:?}");
    for name in names {
        let generated = std::fs::read_to_string(tmp.path().join(&name)).unwrap();
        let committed = std::fs::read_to_string(manifest_dir().join("schemas").join(&name))
            .unwrap_or_else(|_| panic!("schemas/{name} is missing: run `cargo run -- schema`"));
        assert_eq!(
            committed, generated,
            "schemas/{name} is stale: run `cargo run -- schema` and review the diff"
        );
    }
}

#[test]
fn every_example_file_names_its_schema_and_validates() {
    let mut checked = 0;
    for reg in REGISTRIES {
        let root = manifest_dir().join(reg);
        for (rel, path) in toml_files(&root) {
            let kind = kind_of(&rel).unwrap_or_else(|| panic!("{reg}/{rel}: not a registry file"));
            let text = std::fs::read_to_string(&path).unwrap();
            // The directive: first line, a relative path to this kind's schema.
            let first = text.lines().next().unwrap_or("");
            let target = first
                .strip_prefix("#:schema ")
                .unwrap_or_else(|| panic!("{reg}/{rel} does not start with a #:schema directive"));
            assert!(
                target.ends_with(&format!("schemas/{kind}.schema.json")),
                "{reg}/{rel}: {target}"
            );
            let resolved = path.parent().unwrap().join(target);
            assert_eq!(
                std::fs::canonicalize(&resolved).unwrap(),
                std::fs::canonicalize(manifest_dir().join(format!("schemas/{kind}.schema.json")))
                    .unwrap(),
                "{reg}/{rel}: the directive does not lead to schemas/"
            );
            let value: toml::Value = toml::from_str(&text).unwrap();
            let errs = errors(&validator(kind), &to_json(value));
            assert!(
                errs.is_empty(),
                "{reg}/{rel} fails {kind}.schema.json:\n{}",
                errs.join("\n")
            );
            checked += 1;
        }
    }
    assert!(checked >= 72, "only {checked} files checked");
}

/// The schemas are not rubber stamps: what the loader refuses, they refuse.
#[test]
fn schemas_reject_what_the_loader_rejects() {
    let cases: &[(&str, &str)] = &[
        (
            "activity",
            "name = \"x\"\ndata_subjects = []\ndata_categories = []\n",
        ), // no purposes
        (
            "activity",
            "name = \"x\"\npurposes = [\"p\"]\ndata_subjects = []\ndata_categories = []\nlegal_basis = [\"contract\"]\n",
        ), // misspelt key
        (
            "activity",
            "name = \"x\"\npurposes = [\"p\"]\ndata_subjects = []\ndata_categories = []\nlegal_bases = [\"contracts\"]\n",
        ), // bad value
        (
            "activity",
            "name = \"x\"\npurposes = [\"p\"]\ndata_subjects = []\ndata_categories = []\n[[retention]]\nperiod = \"2 years\"\n",
        ), // not ISO 8601
        (
            "processor",
            "name = \"x\"\nservice = \"s\"\ncountry = \"usa\"\n",
        ), // not alpha-2
        (
            "transfer",
            "to = \"x\"\ncountry = \"US\"\nmechanism = \"privacy-shield\"\n",
        ),
        (
            "safeguard",
            "name = \"x\"\nkind = \"scc\"\nsigned = \"yesterday\"\n",
        ),
        (
            "categories",
            "[data_subject.customers]\nname = \"Customers\"\n",
        ),
        ("organisation", "name = \"x\"\n"), // no country
    ];
    for (kind, text) in cases {
        let value: toml::Value = toml::from_str(text).unwrap();
        assert!(
            !errors(&validator(kind), &to_json(value)).is_empty(),
            "{kind}.schema.json accepts:\n{text}"
        );
    }
    // And the smallest valid entry passes.
    let ok: toml::Value = toml::from_str(
        "name = \"x\"\npurposes = [\"p\"]\ndata_subjects = [\"a\"]\ndata_categories = [\"b\"]\n[review]\nlast_reviewed = 2026-06-01\n",
    )
    .unwrap();
    assert_eq!(
        errors(&validator("activity"), &to_json(ok)),
        Vec::<String>::new()
    );
}

/// The `ropa new` templates (every key, uncommented) and the schemas name
/// the same keys: neither lists a key the other does not know.
#[test]
fn schemas_and_templates_name_the_same_keys() {
    for kind in [
        "activity",
        "processor",
        "recipient",
        "transfer",
        "safeguard",
    ] {
        let template =
            std::fs::read_to_string(manifest_dir().join(format!("src/scaffold/{kind}.toml")))
                .unwrap();
        let mut keys: Vec<String> = Vec::new();
        for line in template.lines() {
            let l = line.strip_prefix("# ").unwrap_or(line);
            if let Some((k, _)) = l.split_once(" = ")
                && !k.is_empty()
                && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && !line.starts_with("# [")
            {
                keys.push(k.to_string());
            }
        }
        let schema: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(manifest_dir().join(format!("schemas/{kind}.schema.json")))
                .unwrap(),
        )
        .unwrap();
        // Keys of the entry and of its tables, as the template lists them flat.
        let mut names: Vec<String> = Vec::new();
        fn collect(s: &serde_json::Value, root: &serde_json::Value, out: &mut Vec<String>) {
            let resolve = |v: &serde_json::Value| -> serde_json::Value {
                match v.get("$ref").and_then(|r| r.as_str()) {
                    Some(r) => root["$defs"][r.trim_start_matches("#/$defs/")].clone(),
                    None => v.clone(),
                }
            };
            if let Some(props) = s.get("properties").and_then(|p| p.as_object()) {
                for (k, v) in props {
                    out.push(k.clone());
                    let v = resolve(v);
                    let inner = if v.get("items").is_some() {
                        resolve(&v["items"])
                    } else {
                        v
                    };
                    if inner.get("properties").is_some() {
                        collect(&inner, root, out);
                    }
                }
            }
        }
        collect(&schema, &schema, &mut names);
        keys.sort();
        keys.dedup();
        names.sort();
        names.dedup();
        // Table names appear in the schema and as `[table]` lines in the template.
        let tables = [
            "retention",
            "dpia",
            "review",
            "joint_controllers",
            "tia",
            "acknowledged",
        ];
        names.retain(|n| !tables.contains(&n.as_str()));
        assert_eq!(keys, names, "{kind}: template keys vs schema keys");
    }
}

/// The keys of contract 1.1 are in the editor schemas: accepted where the
/// loader accepts them, refused where it refuses them.
#[test]
fn schemas_know_the_keys_of_contract_1_1() {
    let accepted: &[(&str, &str)] = &[
        (
            "organisation",
            "name = \"x\"\ncountry = \"SE\"\npublic_authority = true\n[[acknowledged]]\ncode = \"dpo-likely-required\"\nreason = \"Assessed in 2026.\"\nuntil = 2027-01-01\n",
        ),
        (
            "categories",
            "[data_subjects.staff]\nname = \"Staff\"\nemployees = true\nvulnerable = false\nmin_age = 16\n",
        ),
        (
            "activity",
            "name = \"x\"\npurposes = [\"p\"]\ndata_subjects = [\"a\"]\ndata_categories = [\"b\"]\nlegal_provisions = [\"Act 1, § 2\"]\nlarge_scale = true\nparental_consent = true\n[[acknowledged]]\ncode = \"review-overdue\"\nreason = \"r\"\n",
        ),
        (
            "processor",
            "name = \"x\"\nservice = \"s\"\ncountry = \"US\"\naddress = \"1 Main St\"\ndpf_hr = true\n",
        ),
        (
            "recipient",
            "name = \"EPO\"\nkind = \"international-organisation\"\ninternational_organisation = \"EPO\"\naddress = \"Munich\"\n",
        ),
        (
            "transfer",
            "to = \"x\"\nmechanism = \"derogation\"\nderogation = \"compelling-legitimate-interests\"\nauthority_informed = 2026-02-01\n",
        ),
        (
            "transfer",
            "to = \"x\"\ncountry = \"US\"\nmechanism = \"administrative-arrangement\"\nsafeguard = \"s\"\n",
        ),
        (
            "safeguard",
            "name = \"x\"\nkind = \"administrative-arrangement\"\napproved_by = \"IMY\"\n",
        ),
        (
            "adequacy",
            "as_of = 2026-11-01\n[countries.JP]\ndecision = \"(EU) 2019/419\"\nrequires = \"private-sector\"\n[international_organisations.EPO]\ndecision = \"(EU) 2025/1382\"\nadopted = 2025-07-15\n",
        ),
    ];
    for (kind, text) in accepted {
        let value: toml::Value = toml::from_str(text).unwrap();
        assert_eq!(
            errors(&validator(kind), &to_json(value)),
            Vec::<String>::new(),
            "{kind}:\n{text}"
        );
    }
    let refused: &[(&str, &str)] = &[
        (
            "activity",
            "name = \"x\"\npurposes = [\"p\"]\ndata_subjects = []\ndata_categories = []\n[[acknowledged]]\ncode = \"review-overdue\"\n",
        ), // no reason
        (
            "categories",
            "[data_subjects.kids]\nname = \"Kids\"\nmin_age = -1\n",
        ),
        (
            "adequacy",
            "as_of = 2026-11-01\n[international_organisations.EPO]\ndecision = \"d\"\nrequires = \"private-sector\"\n",
        ), // `requires` is for countries
    ];
    for (kind, text) in refused {
        let value: toml::Value = toml::from_str(text).unwrap();
        assert!(
            !errors(&validator(kind), &to_json(value)).is_empty(),
            "{kind}.schema.json accepts:\n{text}"
        );
    }
}
