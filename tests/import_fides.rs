//! `ropa import fides`: the fixture's fideslang manifests (an organization,
//! three systems, one a processor's and one run by a US business, datasets)
//! become a registry whose JSON export says what the manifests said; what
//! could not be mapped is listed with its file and YAML path; bad input is
//! refused with one line, writing nothing.

mod common;

use std::path::{Path, PathBuf};

use common::{AS_OF, codes, manifest_dir, parse_json, run_in};
use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/import/fides";

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ropa-import-fides-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn import(inputs: &[&str], out: &Path) -> common::Run {
    let mut args = vec!["import", "fides"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--out", s(out)]);
    run_in(&manifest_dir(), &args)
}

/// What fides cannot say, added as a DPO would after the import.
fn complete(out: &Path) {
    for (file, line) in [
        (
            "activities/fraud-checks.toml",
            "legitimate_interest = \"Preventing payment fraud\"\nlegal_provisions = [\"Uitvoeringswet AVG, art. 33\"]",
        ),
        (
            "activities/appointment-booking.toml",
            "controllers = [\"Partner clinics\"]",
        ),
    ] {
        let path = out.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let (first, rest) = text.split_once('\n').unwrap();
        std::fs::write(&path, format!("{first}\n{line}\n{rest}")).unwrap();
    }
}

fn export_json(registry: &Path, dir: &Path) -> Value {
    let file = dir.join("register.json");
    run_in(
        &manifest_dir(),
        &[
            "export",
            "--registry",
            s(registry),
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--out",
            s(&file),
        ],
    )
    .assert_exit(0);
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

fn names(v: &Value) -> Vec<String> {
    let mut n: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let mut n = x["name"].as_str().unwrap().to_string();
            if x["special"] == true {
                n.push_str(" [Art. 9]");
            }
            if x["criminal"] == true {
                n.push_str(" [Art. 10]");
            }
            n
        })
        .collect();
    n.sort();
    n
}

fn find<'a>(reg: &'a Value, record: &str, name: &str) -> &'a Value {
    reg[record]["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no activity {name}"))
}

#[test]
fn the_fixture_becomes_a_registry() {
    let dir = tmp("fixture");
    let out = dir.join("registry");
    let run = import(&[FIXTURE], &out);
    run.assert_exit(0);
    let report = run.stdout.replace(s(&out), "<out>");
    insta::assert_snapshot!("import-fides-report", report);

    // No schema error: every key written is one the format has.
    let check = common::check(&out, "json", &[]);
    let diags = parse_json(&check.stdout);
    let found = codes(&diags);
    assert!(!found.contains("schema"), "{}", check.stdout);
    assert!(!found.contains("dangling-reference"), "{}", check.stdout);
    // What fides does not say is left to the checks.
    for code in [
        "legitimate-interest-missing",
        "controllers-missing",
        "criminal-data-basis-missing",
    ] {
        assert!(found.contains(code), "{code}: {}", check.stdout);
    }

    complete(&out);
    let reg = export_json(&out, &dir);
    let org = &reg["organisation"];
    assert_eq!(org["name"], "Northwind Retail B.V.");
    assert_eq!(org["country"], "NL");
    assert_eq!(org["dpo"]["email"], "dpo@northwind.example");
    assert_eq!(org["representative"]["name"], "Northwind UK Ltd");

    let order = find(&reg, "controller_record", "Order fulfilment");
    assert_eq!(order["purposes"][0], "Essential for Payment Processing");
    assert_eq!(order["legal_bases"][0], "contract");
    assert_eq!(order["owner"], "E-commerce");
    assert_eq!(
        names(&order["data_categories"]),
        [
            "Credit Card Information",
            "User Contact Address",
            "User Contact Email"
        ]
    );
    assert_eq!(names(&order["data_subjects"]), ["Customer"]);
    // Its egress goes to the mailer's system, run by a US business.
    assert_eq!(order["processors"][0]["name"], "Mailer Cloud Inc.");
    assert_eq!(order["retention"][0]["period"], "P7Y");
    assert_eq!(order["retention"][0]["from"], "the order");

    let fraud = find(&reg, "controller_record", "Fraud checks");
    assert_eq!(fraud["legal_bases"][0], "legitimate-interests");
    assert_eq!(
        names(&fraud["data_categories"]),
        ["Criminal History [Art. 10]", "IP Address", "Loyalty points"]
    );
    assert_eq!(
        names(&fraud["data_subjects"]),
        ["Customer", "Potential Customer"]
    );

    // A declaration without a name is named by its data use and system;
    // with no retention of its own, it has its dataset's.
    let news = find(
        &reg,
        "controller_record",
        "Marketing Email Communications in Webshop",
    );
    assert_eq!(news["legal_bases"][0], "consent");
    let mut recipients: Vec<&str> = news["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    recipients.sort();
    assert_eq!(
        recipients,
        ["Advertising partners", "Market research agencies"]
    );
    assert_eq!(news["retention"][0]["period"], "P6Y");

    let mail = find(&reg, "controller_record", "Sending e-mail");
    let mut flows: Vec<(String, String)> = mail["transfers_outside_eea"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let t = &f["transfers"][0]["id"];
            let t = reg["transfers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == *t)
                .unwrap();
            (
                f["country"].as_str().unwrap().to_string(),
                t["mechanism"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    flows.sort();
    assert_eq!(
        flows,
        [
            ("GB".to_string(), "scc".to_string()),
            ("US".to_string(), "scc".to_string())
        ]
    );
    let processor = reg["processors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Mailer Cloud Inc.")
        .unwrap();
    assert_eq!(processor["country"], "US");
    let safeguard = &reg["safeguards"].as_array().unwrap()[0];
    assert_eq!(safeguard["kind"], "scc");
    assert_eq!(safeguard["scc_modules"][0], 2);

    let booking = find(&reg, "processor_record", "Appointment booking");
    assert_eq!(
        names(&booking["data_categories"]),
        [
            "Health and Medical Data [Art. 9]",
            "User Contact Phone Number"
        ]
    );
    assert_eq!(booking["special_category_condition"], "health-care");
    assert_eq!(booking["dpia"]["required"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn files_may_be_named_one_by_one() {
    let dir = tmp("files");
    let out = dir.join("registry");
    let run = import(
        &[
            &format!("{FIXTURE}/organization.yml"),
            &format!("{FIXTURE}/systems.yml"),
        ],
        &out,
    );
    run.assert_exit(0);
    // Without the datasets file, the references to it are reported.
    assert!(
        run.stdout
            .contains("'customer_db': no dataset with this `fides_key` in the files read"),
        "{}",
        run.stdout
    );
    assert!(out.join("organisation.toml").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

/// One line naming the file, exit 2, and nothing but the input left.
#[track_caller]
fn refused(name: &str, yaml: &str, says: &str) {
    let dir = tmp(&format!("bad-{name}"));
    let file = dir.join(name);
    std::fs::write(&file, yaml).unwrap();
    let run = import(&[s(&file)], &dir.join("registry"));
    run.assert_exit(2);
    let line = run.stderr.trim();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.starts_with("error: "), "{line}");
    assert!(line.contains(name), "{line}");
    assert!(line.contains(says), "{line}");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from(name)], "{line}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn yaml_that_is_not_fideslang_is_refused() {
    refused(
        "compose.yml",
        "services:\n  web:\n    image: nginx\n",
        "not a fides manifest",
    );
    refused("empty.yml", "\n", "is empty");
    // Only a taxonomy: fideslang, but nothing for the record.
    refused(
        "taxonomy.yml",
        "data_use:\n  - fides_key: x\n    name: X\n",
        "no fides organization, system or dataset",
    );
}

#[test]
fn a_syntax_error_names_its_line_and_column() {
    refused(
        "broken.yml",
        "system:\n  - fides_key: app\n    name: \"unterminated\n",
        "at line 3, column",
    );
}

#[test]
fn an_alias_bomb_is_refused_quickly() {
    let mut y = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..9u8 {
        let (p, c) = ((b'a' + i - 1) as char, (b'a' + i) as char);
        let refs = vec![format!("*{p}"); 10].join(", ");
        y.push_str(&format!("{c}: &{c} [{refs}]\n"));
    }
    y.push_str("system: [*i]\n");
    // Fully expanded this is 10^9 strings; the replay limit stops it.
    refused("laughs.yml", &y, "alias replay limit exceeded");
}

#[test]
fn a_missing_file_is_refused() {
    let dir = tmp("missing");
    let run = import(&[s(&dir.join("nowhere.yml"))], &dir.join("registry"));
    run.assert_exit(2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    assert!(!dir.join("registry").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_non_empty_out_is_refused() {
    let dir = tmp("non-empty");
    let out = dir.join("registry");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let run = import(&[FIXTURE], &out);
    run.assert_exit(2);
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_over_the_limit_is_refused_before_it_is_read() {
    let dir = tmp("large");
    let file = dir.join("huge.yml");
    // Sparse: the size is checked before a byte is read.
    std::fs::File::create(&file)
        .unwrap()
        .set_len(33 * 1024 * 1024)
        .unwrap();
    let run = import(&[s(&file)], &dir.join("registry"));
    run.assert_exit(2);
    assert!(
        run.stderr.contains("larger than the 32 MiB"),
        "{}",
        run.stderr
    );
    assert!(!dir.join("registry").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A folder's links that lead out of it are not followed: the file
/// outside (not fideslang) would otherwise refuse the import.
#[cfg(unix)]
#[test]
fn links_out_of_a_folder_are_not_followed() {
    let dir = tmp("links");
    let manifests = dir.join("manifests");
    common::copy_dir(&manifest_dir().join(FIXTURE), &manifests);
    let outside = dir.join("compose.yml");
    std::fs::write(&outside, "services: {}\n").unwrap();
    std::os::unix::fs::symlink(&outside, manifests.join("zz-outside.yml")).unwrap();
    let run = import(&[s(&manifests)], &dir.join("registry"));
    run.assert_exit(0);
    assert!(
        run.stdout.contains("imported 5 privacy declarations"),
        "{}",
        run.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}
