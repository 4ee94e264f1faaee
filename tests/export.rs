//! The JSON register: schema kept in sync with the types, every export
//! valid against it (checked by the independent `jsonschema` validator),
//! the same bytes from `export` and `build`, deterministic, complete, and a
//! reviewed snapshot of the example's register.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::cannot_run_here;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ropa(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .expect("run ropa")
}

fn export(registry: &Path) -> String {
    let out = ropa(&[
        "export",
        "--format",
        "json",
        "--as-of",
        "2026-11-24",
        "--registry",
        registry.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `ropa export --out FILE` of `registry` as of 2026-11-24.
fn export_to(registry: &Path, file: &Path) -> std::process::Output {
    ropa(&[
        "export",
        "--as-of",
        "2026-11-24",
        "--registry",
        registry.to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ])
}

/// Files whose name marks them as an export's temporary file.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("ropa-tmp"))
        .map(|e| e.path())
        .collect()
}

/// Registries that export (no errors): the example and the valid fixtures.
fn exportable() -> Vec<PathBuf> {
    let mut v = vec![manifest().join("registry")];
    for f in ["valid-saas", "warnings-only", "site-hostile", "exports-1-1"] {
        v.push(manifest().join("tests/fixtures").join(f));
    }
    for extra in ["examples"] {
        let dir = manifest().join(extra);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                if e.path().join("organisation.toml").is_file() {
                    v.push(e.path());
                }
            }
        }
    }
    v
}

#[test]
fn committed_schema_is_the_generated_one() {
    let out = ropa(&["export", "--format", "json-schema"]);
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read_to_string(manifest().join("docs/ropa.schema.json")).unwrap();
    assert!(
        committed == String::from_utf8(out.stdout).unwrap(),
        "docs/ropa.schema.json is stale: run `cargo run -- export --format json-schema --out docs/ropa.schema.json` and review the diff"
    );
}

#[test]
fn every_export_is_valid_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(manifest().join("docs/ropa.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let validator = jsonschema::draft202012::new(&schema).expect("the schema itself is valid");
    for reg in exportable() {
        let json: serde_json::Value = serde_json::from_str(&export(&reg)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{}: {}",
            reg.display(),
            errors.join("\n")
        );
    }
    // The validator is not a rubber stamp: a broken register fails.
    let mut bad: serde_json::Value =
        serde_json::from_str(&export(&manifest().join("tests/fixtures/valid-saas"))).unwrap();
    bad["transfers"][0]["mechanism"] = "privacy-shield".into();
    bad["as_of"] = "24.11.2026".into();
    bad.as_object_mut().unwrap().remove("processor_record");
    assert!(validator.iter_errors(&bad).count() >= 3);
}

#[test]
fn export_and_build_give_the_same_bytes_and_are_deterministic() {
    let reg = manifest().join("tests/fixtures/valid-saas");
    let a = export(&reg);
    let b = export(&reg);
    assert_eq!(a, b);
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let out = ropa(&[
        "build",
        "--as-of",
        "2026-11-24",
        "--registry",
        reg.to_str().unwrap(),
        "--out",
        site.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The site's copy is the compact layout of the same register.
    let compact = ropa(&[
        "export",
        "--compact",
        "--as-of",
        "2026-11-24",
        "--registry",
        reg.to_str().unwrap(),
    ]);
    assert_eq!(compact.status.code(), Some(0));
    let compact = String::from_utf8(compact.stdout).unwrap();
    assert_eq!(
        std::fs::read_to_string(site.join("ropa.json")).unwrap(),
        compact
    );
    assert_eq!(compact.lines().count(), 1, "compact is one line");
    assert!(compact.len() < a.len() * 3 / 4, "compact is smaller");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&compact).unwrap(),
        serde_json::from_str::<serde_json::Value>(&a).unwrap(),
        "both layouts hold the same values"
    );
    // --compact is for JSON only.
    let refused = ropa(&[
        "export",
        "--format",
        "csv",
        "--compact",
        "--registry",
        reg.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("--compact applies to --format json only")
    );
    let schema = std::fs::read_to_string(manifest().join("docs/ropa.schema.json")).unwrap();
    assert_eq!(
        std::fs::read_to_string(site.join("ropa.schema.json")).unwrap(),
        schema
    );
    // --out writes the same bytes to a file, atomically (no temporary file left).
    let file = tmp.path().join("register.json");
    let out = export_to(&reg, &file);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), a);
    assert!(leftovers(tmp.path()).is_empty());
}

#[test]
fn registry_with_errors_exports_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("register.json");
    let reg = manifest().join("tests/fixtures/broken-schema");
    let out = ropa(&[
        "export",
        "--as-of",
        "2026-11-24",
        "--registry",
        reg.to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!file.exists());
    assert!(
        std::fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "no temporary file either"
    );
    let out = ropa(&["export", "--registry", "/no/such/registry"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Every field of every entry of the registry format is in the export.
#[test]
fn the_export_is_complete_and_resolved() {
    let reg = manifest().join("tests/fixtures/valid-saas");
    let json: serde_json::Value = serde_json::from_str(&export(&reg)).unwrap();
    let count = |dir: &str| walk(&reg.join(dir)).len();
    let activities = json["controller_record"]["activities"]
        .as_array()
        .unwrap()
        .len()
        + json["processor_record"]["activities"]
            .as_array()
            .unwrap()
            .len();
    assert_eq!(activities, count("activities"));
    assert_eq!(
        json["processors"].as_array().unwrap().len(),
        count("processors")
    );
    assert_eq!(
        json["recipients"].as_array().unwrap().len(),
        count("recipients")
    );
    assert_eq!(
        json["transfers"].as_array().unwrap().len(),
        count("transfers")
    );
    assert_eq!(
        json["safeguards"].as_array().unwrap().len(),
        count("safeguards")
    );
    assert_eq!(json["controller_record"]["article"], "30(1)");
    assert_eq!(json["processor_record"]["article"], "30(2)");

    // Each key written in an entry file appears, under the same name, in
    // that entry's object (the keys of the format are the keys of the export).
    let all_activities: Vec<&serde_json::Value> = json["controller_record"]["activities"]
        .as_array()
        .unwrap()
        .iter()
        .chain(json["processor_record"]["activities"].as_array().unwrap())
        .collect();
    for (dir, entries) in [
        ("activities", all_activities.clone()),
        (
            "processors",
            json["processors"].as_array().unwrap().iter().collect(),
        ),
        (
            "recipients",
            json["recipients"].as_array().unwrap().iter().collect(),
        ),
        (
            "transfers",
            json["transfers"].as_array().unwrap().iter().collect(),
        ),
        (
            "safeguards",
            json["safeguards"].as_array().unwrap().iter().collect(),
        ),
    ] {
        for file in walk(&reg.join(dir)) {
            let id = file.file_stem().unwrap().to_string_lossy().to_string();
            let toml: toml::Table =
                toml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let entry = entries
                .iter()
                .find(|e| e["id"] == id.as_str())
                .unwrap_or_else(|| panic!("{dir}/{id} missing"));
            for key in toml.keys() {
                assert!(
                    entry.get(key).is_some(),
                    "{dir}/{id}: key `{key}` is not in the export"
                );
            }
        }
    }
    // Ids are sorted.
    for list in [
        "processors",
        "recipients",
        "transfers",
        "safeguards",
        "data_subjects",
        "data_categories",
        "measures",
    ] {
        let ids: Vec<&str> = json[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "{list} not sorted by id");
    }
    // References are resolved: an activity's processors carry name, country
    // and the transfers that cover them.
    let with_processor = all_activities
        .iter()
        .find(|a| !a["processors"].as_array().unwrap().is_empty())
        .unwrap();
    let p = &with_processor["processors"][0];
    assert!(p["name"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(p["country"].as_str().is_some_and(|c| c.len() == 2));
    assert!(p["transfers"].is_array());
    let outside = all_activities
        .iter()
        .find(|a| !a["transfers_outside_eea"].as_array().unwrap().is_empty())
        .expect("valid-saas has transfers");
    let flow = &outside["transfers_outside_eea"][0];
    assert!(
        !flow["transfers"].as_array().unwrap().is_empty(),
        "a valid registry covers every flow: {flow}"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| e.path().to_path_buf())
        .collect();
    out.sort();
    out
}

/// The facts of contract 1.1 in the register: international organisations
/// apart from countries, the SCC modules each flow's roles allow, the law
/// relied on, acknowledged warnings, and the new keys of every entry.
#[test]
fn contract_1_1_facts_are_in_the_register() {
    use serde_json::{Value, json};
    let json: Value =
        serde_json::from_str(&export(&manifest().join("tests/fixtures/exports-1-1"))).unwrap();
    assert_eq!(json["schema_version"], "1.1.0");
    let by_id = |list: &Value, id: &str| -> Value {
        list.as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"))
            .clone()
    };
    let controller = &json["controller_record"]["activities"];
    let processor = &json["processor_record"]["activities"];

    // An international organisation: listed apart, with its own decision;
    // the transfer to it has no country (none given), is not inside the
    // EEA although the seat is, and is covered only by that decision.
    assert_eq!(
        json["international_organisations"],
        json!([{
            "code": "EPO",
            "recipients": [{"id": "epo", "name": "European Patent Organisation"}],
            "transfers": ["epo"],
            "decision": "Implementing Decision (EU) 2025/1382 (European Patent Organisation)"
        }])
    );
    let io_decisions = json["adequacy"]["international_organisations"]
        .as_array()
        .unwrap();
    assert!(
        io_decisions
            .iter()
            .any(|d| d["international_organisation"] == "EPO"
                && d["adopted"] == "2025-07-15"
                && d["in_force"] == true)
    );
    assert!(
        json["adequacy"]["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["country"] != "EPO"),
        "organisations are not countries"
    );
    let epo = by_id(&json["transfers"], "epo");
    assert_eq!(epo["country"], Value::Null);
    assert_eq!(epo["country_name"], Value::Null);
    assert_eq!(epo["international_organisation"], "EPO");
    assert_eq!(epo["inside_eea"], false);
    assert_eq!(epo["adequacy"]["covers_party"], true);
    let recipient = by_id(&json["recipients"], "epo");
    assert_eq!(recipient["kind"], "international-organisation");
    assert_eq!(recipient["international_organisation"], "EPO");
    assert_eq!(recipient["country"], "DE");
    assert_eq!(
        recipient["address"],
        "Bob-van-Benthem-Platz 1, 80469 Munich, Germany"
    );
    let patents = by_id(controller, "patent-filings");
    assert_eq!(
        patents["recipients"][0]["international_organisation"],
        "EPO"
    );
    let flow = patents["transfers_outside_eea"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["party"] == "epo")
        .expect("a flow to the EPO")
        .clone();
    assert_eq!(flow["international_organisation"], "EPO");
    assert_eq!(flow["transfers"][0]["scc_modules_allowed"], Value::Null);

    // SCC modules by role: a controller reaching a processor directly (2),
    // through a sub-processor and `via` (2 or 3), and a processor's own
    // activity reaching the same processor (3).
    let modules = |activity: &Value, party: &str| -> Value {
        activity["transfers_outside_eea"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["party"] == party)
            .unwrap_or_else(|| panic!("no flow to {party}"))["transfers"][0]["scc_modules_allowed"]
            .clone()
    };
    let studies = by_id(controller, "patient-studies");
    assert_eq!(modules(&studies, "analytics-us"), json!([2]));
    assert_eq!(modules(&studies, "support-us"), json!([2, 3]));
    let hosting = by_id(processor, "clinic-hosting");
    assert_eq!(modules(&hosting, "analytics-us"), json!([3]));
    assert_eq!(studies["large_scale"], true);
    assert_eq!(studies["parental_consent"], false);
    assert_eq!(studies["legal_provisions"], json!([]));

    // Art. 10 data and the law relied on.
    let checks = by_id(controller, "background-checks");
    assert_eq!(
        checks["legal_provisions"],
        json!(["Act (2013:1134) on criminal record checks of staff in schools, § 3"])
    );
    assert_eq!(checks["data_categories"][1]["criminal"], true);
    assert_eq!(checks["data_subjects"][0]["employees"], true);
    let patients = by_id(&json["data_subjects"], "patients");
    assert_eq!(patients["vulnerable"], true);
    assert_eq!(patients["min_age"], 16);

    // Acknowledged warnings, with reason and until, where they are written.
    assert_eq!(
        json["organisation"]["acknowledged"],
        json!([{
            "code": "dpo-likely-required",
            "reason": "The DPO assessment of 2026-02-01 found that the studies are not a core activity; reviewed yearly.",
            "until": "2027-02-01"
        }])
    );
    assert_eq!(json["organisation"]["public_authority"], false);
    let forensics = by_id(&json["transfers"], "forensics-us");
    assert_eq!(
        forensics["acknowledged"],
        json!([{
            "code": "derogation-used",
            "reason": "A single, non-repetitive transfer; IMY was informed on 2026-04-02.",
            "until": null
        }])
    );
    assert_eq!(forensics["authority_informed"], "2026-04-02");
    assert_eq!(forensics["international_organisation"], Value::Null);
    assert_eq!(
        by_id(&json["processors"], "analytics-us")["acknowledged"],
        json!([])
    );
    assert_eq!(by_id(&json["processors"], "analytics-us")["dpf_hr"], false);
    assert_eq!(
        by_id(&json["processors"], "cloud-eu")["address"],
        "1 Dock Road, Dublin 2, Ireland"
    );
}

#[test]
fn example_register_snapshot() {
    insta::assert_snapshot!("example-register", export(&manifest().join("registry")));
}

/// docs/json-register.md names every field of every object of the schema.
#[test]
fn every_schema_field_is_documented() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(manifest().join("docs/ropa.schema.json")).unwrap(),
    )
    .unwrap();
    let doc = std::fs::read_to_string(manifest().join("docs/json-register.md")).unwrap();
    let mut missing = Vec::new();
    let mut objects: Vec<(String, &serde_json::Value)> = vec![("RegisterJson".into(), &schema)];
    for (name, def) in schema["$defs"].as_object().unwrap() {
        objects.push((name.clone(), def));
    }
    for (name, obj) in objects {
        let Some(props) = obj["properties"].as_object() else {
            continue;
        };
        let section = doc
            .split(&format!("### `{name}`"))
            .nth(1)
            .map(|rest| rest.split("\n### ").next().unwrap_or(""));
        let Some(section) = section else {
            missing.push(format!("no section for `{name}`"));
            continue;
        };
        for key in props.keys() {
            if !section.contains(&format!("| `{key}` |")) {
                missing.push(format!("{name}.{key}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented in docs/json-register.md: {missing:?}"
    );
}

/// `--out` naming a symbolic link writes through it: the file it points to
/// gets the register (created if the link dangles) and the link stays. A
/// link into the registry folder is refused like a path there would be.
#[cfg(unix)]
#[test]
fn export_writes_through_a_symbolic_link() {
    use std::os::unix::fs::symlink;
    let reg = manifest().join("tests/fixtures/valid-saas");
    let expected = export(&reg);
    let tmp = tempfile::tempdir().unwrap();
    let real_dir = tmp.path().join("published");
    std::fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("register-2026.json");
    std::fs::write(&real, "old").unwrap();
    let link = tmp.path().join("current.json");
    symlink("published/register-2026.json", &link).unwrap();
    let dangling = tmp.path().join("next.json");
    symlink("published/register-2027.json", &dangling).unwrap();
    for (path, target) in [
        (&link, &real),
        (&dangling, &real_dir.join("register-2027.json")),
    ] {
        let out = export_to(&reg, path);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            std::fs::symlink_metadata(path)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(target).unwrap(), expected);
    }
    assert!(leftovers(&real_dir).is_empty());

    // A link that leads into the registry: refused, the registry untouched.
    let copy = tmp.path().join("registry");
    common::copy_dir(&reg, &copy);
    let org = std::fs::read_to_string(copy.join("organisation.toml")).unwrap();
    let sneaky = tmp.path().join("sneaky.json");
    symlink(copy.join("organisation.toml"), &sneaky).unwrap();
    let out = ropa(&[
        "export",
        "--registry",
        copy.to_str().unwrap(),
        "--out",
        sneaky.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside the registry folder"));
    assert_eq!(
        std::fs::read_to_string(copy.join("organisation.toml")).unwrap(),
        org
    );
}

/// `--out` onto an existing file keeps that file's permission bits (a
/// register kept private stays private, whatever the umask); a new file
/// gets the same mode as any file this user creates there.
#[cfg(unix)]
#[test]
fn export_keeps_the_mode_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let reg = manifest().join("tests/fixtures/valid-saas");
    let expected = export(&reg);
    let tmp = tempfile::tempdir().unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    for kept in [0o600, 0o640, 0o664] {
        let file = tmp.path().join(format!("ropa-{kept:o}.json"));
        std::fs::write(&file, "old").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(kept)).unwrap();
        let out = export_to(&reg, &file);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
        assert_eq!(mode(&file), kept, "{kept:o} was not kept");
    }
    let reference = tmp.path().join("made-by-the-test");
    std::fs::write(&reference, "").unwrap();
    let new = tmp.path().join("new.json");
    let out = export_to(&reg, &new);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(mode(&new), mode(&reference));
    assert!(leftovers(tmp.path()).is_empty());
}

/// The kernel's `protected_symlinks` rule, applied by ropa itself: `--out`
/// through a link owned by another user in a sticky, world-writable folder
/// (such as `/tmp`) is refused, and the file it leads to is left alone. A
/// link there owned by the folder's owner or by the user running ropa is
/// followed, as is another user's link in a folder that is not shared.
/// Needs root (to give a link to another user); skipped otherwise.
#[cfg(target_os = "linux")]
#[test]
fn a_link_planted_by_another_user_in_a_sticky_folder_is_not_followed() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, lchown, symlink};
    if std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(1)
        != 0
    {
        cannot_run_here("skipped: needs root to make a link owned by another user");
        return;
    }
    let reg = manifest().join("tests/fixtures/valid-saas");
    let expected = export(&reg);
    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let victim = tmp.path().join("victim.json");
    std::fs::write(&victim, "precious").unwrap();
    let planted = shared.join("ropa.json");
    symlink(&victim, &planted).unwrap();
    lchown(&planted, Some(65534), Some(65534)).unwrap();

    let out = export_to(&reg, &planted);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is a symbolic link owned by another user")
            && stderr.contains("protected_symlinks"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(leftovers(&shared).is_empty() && leftovers(tmp.path()).is_empty());
    // The same link as a folder on the way, and as `ropa build --out`.
    let via = shared.join("dir");
    symlink(tmp.path(), &via).unwrap();
    lchown(&via, Some(65534), Some(65534)).unwrap();
    let out = export_to(&reg, &via.join("victim.json"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let site = ropa(&[
        "build",
        "--registry",
        reg.to_str().unwrap(),
        "--out",
        via.join("site").to_str().unwrap(),
    ]);
    assert_eq!(site.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&site.stderr).contains("protected_symlinks"),
        "{}",
        String::from_utf8_lossy(&site.stderr)
    );
    assert!(!tmp.path().join("site").exists());

    // Owned by the folder's owner (root, as this test): followed.
    let own = shared.join("own.json");
    symlink(&victim, &own).unwrap();
    let out = export_to(&reg, &own);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), expected);
    // Another user's link in a folder that is not shared: followed.
    std::fs::write(&victim, "precious").unwrap();
    let private = tmp.path().join("private");
    std::fs::create_dir(&private).unwrap();
    let theirs = private.join("theirs.json");
    symlink(&victim, &theirs).unwrap();
    lchown(&theirs, Some(65534), Some(65534)).unwrap();
    let out = export_to(&reg, &theirs);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), expected);
}

/// The temporary files of an export that was killed (any process id, any
/// PID namespace) are removed by the next export to the same file; those
/// of an export still writing (its temporary file locked) are kept.
#[cfg(unix)]
#[test]
fn a_killed_exports_temporary_files_are_removed_by_the_next_export() {
    let reg = manifest().join("tests/fixtures/valid-saas");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("ropa.json");
    let stale = [
        ".ropa.json.ropa-tmp-12345",
        ".ropa.json.ropa-tmp-1-00000000deadbeef",
    ];
    for s in stale {
        std::fs::write(tmp.path().join(s), "half an export").unwrap();
    }
    let live_path = tmp.path().join(".ropa.json.ropa-tmp-2-0000000000000001");
    let live = std::fs::File::create(&live_path).unwrap();
    live.lock().unwrap();
    let other = tmp.path().join(".other.json.ropa-tmp-12345");
    std::fs::write(&other, "another file's").unwrap();

    let out = export_to(&reg, &file);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut left: Vec<String> = leftovers(tmp.path())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            ".other.json.ropa-tmp-12345",
            ".ropa.json.ropa-tmp-2-0000000000000001"
        ],
        "stale temporaries not removed, or a live one removed"
    );
    drop(live);
}

/// A write error on standard output is reported (exit 2 with a message),
/// but for a closed pipe (`ropa export | head`), which stays quiet.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_standard_output_is_reported() {
    use std::process::Stdio;
    let reg = manifest().join("tests/fixtures/valid-saas");
    for format in ["json", "json-schema", "csv"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_ropa"))
            .args([
                "export",
                "--format",
                format,
                "--registry",
                reg.to_str().unwrap(),
            ])
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{format}: {stderr}");
        assert!(
            stderr.contains(
                "error: cannot write the export to standard output: No space left on device"
            ),
            "{format}: {stderr}"
        );
    }
    // A closed pipe: exit 2, nothing said.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["export", "--registry", reg.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// A closed pipe stays quiet (exit 2, nothing said) also when the export
/// is larger than its write buffer, so that the error comes from deep in
/// the streamed writer: every format, a registry of 3,000 activities, read
/// 10 bytes and close the pipe.
#[cfg(unix)]
#[test]
fn a_pipe_closed_early_on_a_large_export_stays_quiet() {
    use std::io::Read;
    use std::process::Stdio;
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("reg");
    common::copy_dir(&manifest().join("tests/fixtures/valid-saas"), &reg);
    let many = reg.join("activities/many");
    std::fs::create_dir(&many).unwrap();
    // A controller's activity and a processor's (for `--record processor`).
    for name in ["marketing/newsletter", "service/hosting-customer-content"] {
        let text = std::fs::read_to_string(reg.join(format!("activities/{name}.toml"))).unwrap();
        let stem = name.rsplit('/').next().unwrap();
        for i in 0..3000 {
            std::fs::write(many.join(format!("{stem}-{i}.toml")), &text).unwrap();
        }
    }
    for (format, extra) in [
        ("json", &[][..]),
        ("json", &["--compact"][..]),
        ("csv", &["--record", "controller"][..]),
        ("csv", &["--record", "processor"][..]),
        ("dpv", &[][..]),
        ("xlsx", &[][..]),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ropa"))
            .args(["export", "--format", format, "--registry"])
            .arg(&reg)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut head = [0u8; 10];
        stdout.read_exact(&mut head).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{format} {extra:?}: {stderr}");
        assert!(
            !stderr.contains("error"),
            "{format} {extra:?}: a closed pipe is not an error: {stderr}"
        );
    }
}
