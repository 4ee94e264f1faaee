//! `ropa new <kind> <id>` (issue 7): writes a template with every key of its
//! kind, the required ones first and empty; refuses bad ids, existing
//! entries, unknown kinds and a missing registry, writing nothing.

mod common;

use common::*;

const KINDS: [(&str, &str, &[&str]); 5] = [
    (
        "activity",
        "activities",
        &[
            "name",
            "purposes",
            "legal_bases",
            "data_subjects",
            "data_categories",
        ],
    ),
    ("processor", "processors", &["name", "service", "country"]),
    ("recipient", "recipients", &["name", "kind"]),
    ("transfer", "transfers", &["to", "country", "mechanism"]),
    ("safeguard", "safeguards", &["name", "kind"]),
];

fn new(reg: &TempRegistry, args: &[&str]) -> Run {
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--registry", reg.path().to_str().unwrap()]);
    run_in(&manifest_dir(), &all)
}

/// Uncomments the example lines (`# key = value`, `# [table]`) of a template.
fn uncomment_examples(text: &str) -> String {
    text.lines()
        .map(|l| {
            let rest = l.strip_prefix("# ").unwrap_or(l);
            let is_example = l.starts_with("# ")
                && (rest.starts_with('[')
                    || rest.split_once(" = ").is_some_and(|(k, _)| {
                        !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    }));
            if is_example {
                rest.to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn each_kind_gets_a_template_whose_empty_required_keys_are_reported() {
    for (kind, folder, required) in KINDS {
        let reg = TempRegistry::minimal();
        let id = format!("new-{kind}");
        let run = new(&reg, &[kind, &id]);
        run.assert_exit(0);
        let rel = format!("{folder}/{id}.toml");
        assert!(run.stderr.contains(&rel), "{}", run.stderr);
        let text = std::fs::read_to_string(reg.join(&rel)).unwrap();
        // The required keys come first, uncommented and empty, in this order.
        let active: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains(" = "))
            .map(|l| l.split(" = ").next().unwrap())
            .collect();
        assert_eq!(active, required, "{kind}");
        // ropa check points at each of them. (An activity's legal bases are
        // checked once the entry decodes, i.e. after the others are filled.)
        let diags = reg.json(1);
        for key in required.iter().filter(|k| **k != "legal_bases") {
            let line = text
                .lines()
                .position(|l| l.starts_with(&format!("{key} = ")))
                .unwrap()
                + 1;
            assert!(
                diags
                    .iter()
                    .any(|d| d.file == rel && d.line == Some(line) && d.severity == "error"),
                "{kind}: nothing reported at `{key}` (line {line}): {diags:#?}"
            );
        }
        assert!(
            diags.iter().all(|d| d.code != "syntax"),
            "{kind}: the template does not parse: {diags:#?}"
        );
    }
}

#[test]
fn every_commented_key_is_a_key_of_its_kind() {
    for (kind, folder, _) in KINDS {
        let reg = TempRegistry::minimal();
        let id = format!("full-{kind}");
        new(&reg, &[kind, &id]).assert_exit(0);
        let rel = format!("{folder}/{id}.toml");
        let text = std::fs::read_to_string(reg.join(&rel)).unwrap();
        let full = uncomment_examples(&text);
        assert!(
            full.lines().filter(|l| l.starts_with('#')).count()
                < text.lines().filter(|l| l.starts_with('#')).count()
        );
        reg.write(&rel, &full);
        let diags = reg.json(1);
        let mine: Vec<_> = diags.iter().filter(|d| d.file == rel).collect();
        // Unknown or misspelt keys would be `schema` errors naming the key;
        // bad example values would be schema or unknown-country errors.
        for d in &mine {
            assert!(
                !d.message.contains("unknown key")
                    && d.code != "syntax"
                    && d.code != "unknown-country",
                "{kind}: {d:#?}\n{full}"
            );
        }
    }
}

#[test]
fn refusals_write_nothing() {
    let reg = TempRegistry::minimal();
    // An existing entry in a subfolder: ids are unique per kind.
    reg.write("processors/eu/cloud-host.toml", "name = \"x\"\n");
    let before = walkdir::WalkDir::new(reg.path()).into_iter().count();

    let run = new(&reg, &["activity", "Pay_Roll"]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("`Pay_Roll` cannot be an id"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("try `pay-roll`"), "{}", run.stderr);

    let run = new(&reg, &["activity", "index"]);
    run.assert_exit(2);

    // The minimal registry has activities/customer-accounts.toml.
    let run = new(&reg, &["activity", "customer-accounts"]);
    run.assert_exit(2);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    // Also when the existing entry is in a subfolder.
    let run = new(&reg, &["processor", "cloud-host"]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("processors/eu/cloud-host.toml"),
        "{}",
        run.stderr
    );

    let run = new(&reg, &["thing", "x"]);
    run.assert_exit(2);
    assert!(
        run.stderr
            .contains("possible values: activity, processor, recipient, transfer, safeguard, data-subject, data-category, measure"),
        "{}",
        run.stderr
    );

    let after = walkdir::WalkDir::new(reg.path()).into_iter().count();
    assert_eq!(after, before, "a refused `ropa new` wrote something");

    let run = run_in(
        &manifest_dir(),
        &["new", "activity", "x", "--registry", "/no/such/registry"],
    );
    run.assert_exit(2);
    assert!(
        run.stderr.contains("is not a registry folder"),
        "{}",
        run.stderr
    );
}

/// With the schemas beside the registry, a new file names its schema on
/// its first line (docs/editing.md); without them, it does not.
#[test]
fn new_file_names_its_schema_when_the_schemas_are_there() {
    let root = tempfile::tempdir().unwrap();
    let reg = root.path().join("registry");
    std::fs::create_dir_all(&reg).unwrap();
    let run = run_in(
        &manifest_dir(),
        &[
            "new",
            "processor",
            "first",
            "--registry",
            reg.to_str().unwrap(),
        ],
    );
    run.assert_exit(0);
    let text = std::fs::read_to_string(reg.join("processors/first.toml")).unwrap();
    assert!(!text.starts_with("#:schema"), "{text}");

    let schemas = root.path().join("schemas");
    run_in(
        &manifest_dir(),
        &["schema", "--out", schemas.to_str().unwrap()],
    )
    .assert_exit(0);
    let run = run_in(
        &manifest_dir(),
        &[
            "new",
            "processor",
            "second",
            "--registry",
            reg.to_str().unwrap(),
        ],
    );
    run.assert_exit(0);
    let path = reg.join("processors/second.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let first = text.lines().next().unwrap();
    assert_eq!(first, "#:schema ../../schemas/processor.schema.json");
    let target = path
        .parent()
        .unwrap()
        .join(first.trim_start_matches("#:schema "));
    assert!(target.is_file(), "{}", target.display());
}

/// The catalogue kinds: (kind, file, table).
const CATALOGUES: [(&str, &str, &str); 3] = [
    ("data-subject", "categories.toml", "data_subjects"),
    ("data-category", "categories.toml", "data_categories"),
    ("measure", "measures.toml", "measures"),
];

/// `ropa new data-category health-data` appends a table to the file: the
/// text before it is unchanged (comments, order, layout), the new entry
/// checks (it is only unused), and its commented keys are keys of its kind.
#[test]
fn a_catalogue_entry_is_appended_keeping_the_file_as_it_was() {
    for (kind, file, table) in CATALOGUES {
        let reg = TempRegistry::minimal();
        // Comments, an order that is not sorted, CRLF-free but no final newline.
        let before = match file {
            "categories.toml" => format!(
                "# Our categories.\n\n[data_subjects.zeta]\nname = \"Zeta\" # last by id, first here\n\n{CATEGORIES}\n# The end.\n[data_categories.alpha]\nname = \"Alpha\""
            ),
            _ => {
                format!("# Our measures.\n[measures.zz]\nname = \"Zz\"\n\n{MEASURES}# tail comment")
            }
        };
        reg.write(file, &before);
        let id = "health-data";
        let run = new(&reg, &[kind, id]);
        run.assert_exit(0);
        assert!(run.stderr.contains(file), "{}", run.stderr);
        let after = std::fs::read_to_string(reg.join(file)).unwrap();
        assert!(
            after.starts_with(&format!("{before}\n\n[{table}.{id}]\n")),
            "{kind}:\n{after}"
        );
        assert!(after.contains("name = \"Health data\""), "{after}");
        let diags = reg.json(0);
        let mine: Vec<_> = diags.iter().filter(|d| d.file == file).collect();
        assert!(mine.iter().all(|d| d.code == "unused"), "{kind}: {mine:#?}");
        assert!(mine.iter().any(|d| d.message.contains(id)), "{mine:#?}");

        // The same id again: refused, the file unchanged.
        let run = new(&reg, &[kind, id]);
        run.assert_exit(2);
        assert!(
            run.stderr
                .contains(&format!("already has `[{table}.{id}]`")),
            "{}",
            run.stderr
        );
        assert_eq!(std::fs::read_to_string(reg.join(file)).unwrap(), after);

        // Every commented key is a key of its kind.
        let full = uncomment_examples(&after);
        reg.write(file, &full);
        let diags = reg.json(0);
        assert!(
            diags.iter().all(|d| d.file != file || d.code == "unused"),
            "{kind}: {diags:#?}\n{full}"
        );
    }
}

#[test]
fn a_catalogue_file_that_is_missing_is_created() {
    for (kind, file, table) in CATALOGUES {
        let root = tempfile::tempdir().unwrap();
        let reg = root.path().join("registry");
        std::fs::create_dir_all(&reg).unwrap();
        let run = run_in(
            &manifest_dir(),
            &["new", kind, "first", "--registry", reg.to_str().unwrap()],
        );
        run.assert_exit(0);
        let text = std::fs::read_to_string(reg.join(file)).unwrap();
        assert!(text.starts_with(&format!("[{table}.first]\n")), "{text}");
        // With the schemas beside the registry, the new file names its schema.
        std::fs::remove_file(reg.join(file)).unwrap();
        let schemas = root.path().join("schemas");
        run_in(
            &manifest_dir(),
            &["schema", "--out", schemas.to_str().unwrap()],
        )
        .assert_exit(0);
        run_in(
            &manifest_dir(),
            &["new", kind, "first", "--registry", reg.to_str().unwrap()],
        )
        .assert_exit(0);
        let text = std::fs::read_to_string(reg.join(file)).unwrap();
        let schema = file.replace(".toml", ".schema.json");
        assert!(
            text.starts_with(&format!(
                "#:schema ../schemas/{schema}\n\n[{table}.first]\n"
            )),
            "{text}"
        );
    }
}

#[test]
fn a_catalogue_entry_is_refused_where_it_cannot_be_appended() {
    let reg = TempRegistry::minimal();
    // A file that does not parse: its entries cannot be told.
    reg.write("measures.toml", "[measures.a\nname = \"A\"\n");
    let run = new(&reg, &["measure", "b"]);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("measures.toml` cannot be added to"),
        "{}",
        run.stderr
    );
    // An inline table, which TOML closes.
    let inline = "measures = { a = { name = \"A\" } }\n";
    reg.write("measures.toml", inline);
    let run = new(&reg, &["measure", "b"]);
    run.assert_exit(2);
    assert!(run.stderr.contains("inline table"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(reg.join("measures.toml")).unwrap(),
        inline
    );
    let run = new(&reg, &["data-category", "Health Data"]);
    run.assert_exit(2);
    assert!(run.stderr.contains("try `health-data`"), "{}", run.stderr);
}
