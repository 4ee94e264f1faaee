//! `ropa diff`: two registers exported by the real binary from the
//! `valid-saas` fixture and from a modified copy, compared in both report
//! formats; equal registers; header-only changes; and input that is not a
//! register this ropa reads (exit status 2).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

const AS_OF: &str = "2026-11-24";

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid-saas")
}

fn ropa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .expect("run ropa")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `ropa export --format json` of `registry` at `as_of` into `out`.
fn export(registry: &Path, as_of: &str, out: &Path) {
    let o = ropa(&[
        "export",
        "--format",
        "json",
        "--as-of",
        as_of,
        "--registry",
        s(registry),
        "--out",
        s(out),
    ]);
    assert_eq!(o.status.code(), Some(0), "export failed: {}", stderr(&o));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Replaces exactly one occurrence of `from` in `file`.
fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "`{from}` in {}",
        file.display()
    );
    std::fs::write(file, text.replace(from, to)).unwrap();
}

/// The fixture's register (`old.json`) and that of a copy with four edits
/// (`new.json`):
/// - customer-relationship: legal bases `contract, legal-obligation` → `contract`;
/// - a new transfer file `crm-in-scc` (to crm, India, under the SCC);
/// - payroll no longer uses payroll-bureau, whose file is removed;
/// - the SCC scc-ticketa-callwise: modules `[3]` → `[2, 3]`.
struct Pair {
    dir: tempfile::TempDir,
}

impl Pair {
    fn make() -> Pair {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("registry");
        copy_dir(&fixture(), &copy);
        edit(
            &copy.join("activities/sales/customer-relationship.toml"),
            r#"legal_bases = ["contract", "legal-obligation"]"#,
            r#"legal_bases = ["contract"]"#,
        );
        std::fs::write(
            copy.join("transfers/crm-in-scc.toml"),
            "to = \"crm\"\ncountry = \"IN\"\nmechanism = \"scc\"\nsafeguard = \"scc-ticketa-callwise\"\n\
             data_categories = [\"contact-details\"]\n\n[tia]\ncompleted = 2026-10-01\n\
             reference = \"TIA-2026-02\"\noutcome = \"Acceptable with encryption.\"\n",
        )
        .unwrap();
        edit(
            &copy.join("activities/hr/payroll.toml"),
            "processors = [\"payroll-bureau\"]\n",
            "",
        );
        std::fs::remove_file(copy.join("processors/payroll-bureau.toml")).unwrap();
        edit(
            &copy.join("safeguards/scc-ticketa-callwise.toml"),
            "scc_modules = [3]",
            "scc_modules = [2, 3]",
        );
        export(&fixture(), AS_OF, &dir.path().join("old.json"));
        export(&copy, AS_OF, &dir.path().join("new.json"));
        Pair { dir }
    }

    fn old_json(&self) -> PathBuf {
        self.dir.path().join("old.json")
    }

    fn new_json(&self) -> PathBuf {
        self.dir.path().join("new.json")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

#[test]
fn the_human_report_names_exactly_the_changes() {
    let p = Pair::make();
    let o = ropa(&["diff", s(&p.old_json()), s(&p.new_json())]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let expected = format!(
        "--- {old}\n\
         +++ {new}\n\
         \n\
         activities\n\
         \x20 ~ customer-relationship (Customer relationship management)\n\
         \x20     legal_bases:\n\
         \x20       - legal-obligation\n\
         \x20 ~ payroll (Payroll)\n\
         \x20     processors:\n\
         \x20       - payroll-bureau\n\
         \n\
         processors\n\
         \x20 - payroll-bureau (Lönebyrån Norr AB)\n\
         \n\
         transfers\n\
         \x20 + crm-in-scc (to crm, IN, scc)\n\
         \n\
         safeguards\n\
         \x20 ~ scc-ticketa-callwise (SCC between Ticketa SAS and Callwise Support GmbH)\n\
         \x20     scc_modules:\n\
         \x20       + 2\n\
         \n\
         2 activities changed, 1 processor removed, 1 transfer added, 1 safeguard changed\n",
        old = p.old_json().display(),
        new = p.new_json().display(),
    );
    assert_eq!(stdout(&o), expected);
}

/// The ids under `changes.<kind>.<what>`.
fn ids(report: &Value, kind: &str, what: &str) -> Vec<String> {
    report["changes"][kind][what]
        .as_array()
        .unwrap_or_else(|| panic!("changes.{kind}.{what} is not an array"))
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_json_report_lists_the_changes_by_kind() {
    let p = Pair::make();
    let o = ropa(&[
        "diff",
        "--format",
        "json",
        s(&p.old_json()),
        s(&p.new_json()),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).expect("the JSON report parses");

    assert_eq!(r["differ"], true);
    assert_eq!(r["header"], json!([]));
    assert_eq!(r["old"]["file"], s(&p.old_json()));
    assert_eq!(r["new"]["file"], s(&p.new_json()));
    assert_eq!(r["old"]["as_of"], AS_OF);
    assert_eq!(r["new"]["schema_version"], "1.1.0");
    assert_eq!(
        r["summary"],
        "2 activities changed, 1 processor removed, 1 transfer added, 1 safeguard changed"
    );

    // Every kind is present, and only these entries are set.
    let kinds = [
        "activities",
        "processors",
        "recipients",
        "transfers",
        "safeguards",
        "data_subjects",
        "data_categories",
        "measures",
        "organisation",
        "adequacy",
        "other",
    ];
    let keys: Vec<&str> = r["changes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, kinds);
    for kind in kinds {
        for what in ["added", "removed", "changed"] {
            let expected: &[&str] = match (kind, what) {
                ("activities", "changed") => &["customer-relationship", "payroll"],
                ("processors", "removed") => &["payroll-bureau"],
                ("transfers", "added") => &["crm-in-scc"],
                ("safeguards", "changed") => &["scc-ticketa-callwise"],
                _ => &[],
            };
            assert_eq!(ids(&r, kind, what), expected, "changes.{kind}.{what}");
        }
    }

    let activities = &r["changes"]["activities"]["changed"];
    assert_eq!(activities[0]["label"], "Customer relationship management");
    assert_eq!(
        activities[0]["changes"],
        json!([{"path": "legal_bases", "old": ["contract", "legal-obligation"], "new": ["contract"]}])
    );
    assert_eq!(
        activities[1]["changes"],
        json!([{"path": "processors", "old": ["payroll-bureau"], "new": []}])
    );

    // Added and removed entities come with their whole value.
    let removed = &r["changes"]["processors"]["removed"][0];
    assert_eq!(removed["label"], "Lönebyrån Norr AB");
    assert_eq!(removed["value"]["name"], "Lönebyrån Norr AB");
    assert_eq!(removed["value"]["country"], "SE");
    let added = &r["changes"]["transfers"]["added"][0];
    assert_eq!(added["label"], "to crm, IN, scc");
    assert_eq!(added["value"]["to"]["id"], "crm");
    assert_eq!(added["value"]["country"], "IN");
    assert_eq!(added["value"]["mechanism"], "scc");
    assert_eq!(added["value"]["safeguard"]["id"], "scc-ticketa-callwise");
    assert_eq!(added["value"]["tia"]["reference"], "TIA-2026-02");

    assert_eq!(
        r["changes"]["safeguards"]["changed"][0]["changes"],
        json!([{"path": "scc_modules", "old": [3], "new": [2, 3]}])
    );
}

#[test]
fn the_same_register_twice_has_no_differences() {
    let p = Pair::make();
    let o = ropa(&["diff", s(&p.old_json()), s(&p.old_json())]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text.lines().last(), Some("no differences"), "{text}");
    assert!(!text.contains("\n  ~ ") && !text.contains("\n  + ") && !text.contains("\n  - "));

    let o = ropa(&[
        "diff",
        "--format",
        "json",
        s(&p.new_json()),
        s(&p.new_json()),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["differ"], false);
    assert_eq!(r["summary"], "no differences");
    for (kind, v) in r["changes"].as_object().unwrap() {
        assert_eq!(
            v,
            &json!({"added": [], "removed": [], "changed": []}),
            "{kind}"
        );
    }
}

#[test]
fn a_later_as_of_alone_is_reported_but_is_no_difference() {
    let p = Pair::make();
    let later = p.path("later.json");
    export(&fixture(), "2027-06-30", &later);
    let o = ropa(&["diff", s(&p.old_json()), s(&later)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "--- {}\n+++ {}\n  as_of: 2026-11-24 → 2027-06-30\n\nno differences in content\n",
            p.old_json().display(),
            later.display()
        )
    );
    let o = ropa(&["diff", "--format", "json", s(&p.old_json()), s(&later)]);
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["differ"], false);
    assert_eq!(
        r["header"],
        json!([{"path": "as_of", "old": "2026-11-24", "new": "2027-06-30"}])
    );
}

fn rewrite(from: &Path, to: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(from).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(to, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

#[test]
fn the_derived_list_of_international_organisations_is_no_difference_of_its_own() {
    let p = Pair::make();
    let touched = p.path("touched.json");
    // Derived from the recipients, transfers and adequacy list: a change
    // shows there, never twice.
    rewrite(&p.old_json(), &touched, |v| {
        v["international_organisations"] =
            json!([{"code": "EPO", "recipients": [], "transfers": [], "decision": null}]);
    });
    let o = ropa(&["diff", s(&p.old_json()), s(&touched)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn another_minor_version_still_diffs() {
    let p = Pair::make();
    let newer = p.path("newer.json");
    // A 1.x register from a later ropa: new fields, with nothing in most.
    rewrite(&p.old_json(), &newer, |v| {
        v["schema_version"] = json!("1.4.0");
        v["generator"]["version"] = json!("0.9.0");
        for a in v["controller_record"]["activities"].as_array_mut().unwrap() {
            a["profiling"] = Value::Null;
        }
        v["systems"] = json!([{"id": "erp", "name": "ERP"}]);
    });
    let o = ropa(&["diff", s(&p.old_json()), s(&newer)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("\n  schema_version: 1.1.0 → 1.4.0\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  generator.version: 0.1.0 → 0.9.0\n"),
        "{text}"
    );
    assert!(text.contains("\nother fields\n  + systems\n"), "{text}");
    assert!(
        !text.contains("profiling"),
        "an empty new field is no change: {text}"
    );
    assert!(text.ends_with("\n1 other field added\n"), "{text}");
}

#[test]
fn an_activity_moving_between_records_is_a_change_of_role() {
    let p = Pair::make();
    let moved = p.path("moved.json");
    rewrite(&p.old_json(), &moved, |v| {
        let list = v["controller_record"]["activities"].as_array_mut().unwrap();
        let i = list.iter().position(|a| a["id"] == "newsletter").unwrap();
        let mut a = list.remove(i);
        a["role"] = json!("processor");
        a["controllers"] = json!(["Partner AB"]);
        v["processor_record"]["activities"]
            .as_array_mut()
            .unwrap()
            .push(a);
    });
    let o = ropa(&["diff", "--format", "json", s(&p.old_json()), s(&moved)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(ids(&r, "activities", "changed"), ["newsletter"]);
    assert_eq!(ids(&r, "activities", "added"), Vec::<String>::new());
    assert_eq!(ids(&r, "activities", "removed"), Vec::<String>::new());
    assert_eq!(
        r["changes"]["activities"]["changed"][0]["changes"],
        json!([
            {"path": "role", "old": "controller", "new": "processor"},
            {"path": "controllers", "old": [], "new": ["Partner AB"]},
        ])
    );
    assert_eq!(r["summary"], "1 activity changed");
}

/// Runs `ropa diff old new` and checks it exits 2, printing nothing on
/// standard output and `error: <message>` on standard error.
fn fails(old: &Path, new: &Path, message: &str) {
    for format in ["human", "json"] {
        let o = ropa(&["diff", "--format", format, s(old), s(new)]);
        assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
        assert_eq!(stdout(&o), "");
        assert_eq!(stderr(&o), format!("error: {message}\n"));
    }
}

#[test]
fn input_that_is_not_a_register_exits_2_with_a_clear_message() {
    let p = Pair::make();

    let text = p.path("notes.txt");
    std::fs::write(&text, "name = \"not JSON\"\n").unwrap();
    let o = ropa(&["diff", s(&p.old_json()), s(&text)]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!("error: `{}` is not JSON (", text.display())),
        "{err}"
    );
    assert!(err.contains("ropa export --format json"), "{err}");

    let other = p.path("package.json");
    std::fs::write(&other, r#"{"name": "left-pad", "version": "1.3.0"}"#).unwrap();
    fails(
        &other,
        &p.new_json(),
        &format!(
            "`{}` is not a ropa register (no schema_version)",
            other.display()
        ),
    );

    let array = p.path("array.json");
    std::fs::write(&array, "[]").unwrap();
    fails(
        &p.old_json(),
        &array,
        &format!(
            "`{}` is not a ropa register (the JSON is an array, not an object)",
            array.display()
        ),
    );

    let foreign = p.path("foreign.json");
    rewrite(&p.old_json(), &foreign, |v| {
        v["generator"]["name"] = json!("ropa-clone")
    });
    fails(
        &p.old_json(),
        &foreign,
        &format!(
            "`{}` is not a ropa register (generator.name is `ropa-clone`, not `ropa`)",
            foreign.display()
        ),
    );

    let v2 = p.path("v2.json");
    rewrite(&p.new_json(), &v2, |v| v["schema_version"] = json!("2.0.0"));
    fails(
        &p.old_json(),
        &v2,
        &format!(
            "`{}` has schema_version 2.0.0; this ropa reads 1.x",
            v2.display()
        ),
    );
    fails(
        &v2,
        &p.old_json(),
        &format!(
            "`{}` has schema_version 2.0.0; this ropa reads 1.x",
            v2.display()
        ),
    );

    let bad = p.path("bad-version.json");
    rewrite(&p.old_json(), &bad, |v| v["schema_version"] = json!("one"));
    fails(
        &bad,
        &p.new_json(),
        &format!(
            "`{}` has schema_version `one`, which is not a semver version (MAJOR.MINOR.PATCH)",
            bad.display()
        ),
    );

    let dup = p.path("dup.json");
    rewrite(&p.old_json(), &dup, |v| {
        let first = v["processors"][0].clone();
        v["processors"].as_array_mut().unwrap().push(first);
    });
    fails(
        &p.old_json(),
        &dup,
        &format!(
            "`{}` is not a valid ropa register: two processors have the id `cloud-eu`",
            dup.display()
        ),
    );
}

#[test]
fn a_missing_file_exits_2() {
    let p = Pair::make();
    let missing = p.path("missing.json");
    let o = ropa(&["diff", s(&p.old_json()), s(&missing)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!("error: cannot read `{}`", missing.display())),
        "{err}"
    );
}

#[test]
fn a_file_too_large_to_be_a_register_is_refused_before_it_is_read_whole() {
    let p = Pair::make();
    // Sparse: 300 MiB on paper, nothing on disk.
    let huge = p.path("disk-image.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(300 << 20)
        .unwrap();
    for args in [
        ["diff", s(&huge), s(&p.old_json())],
        ["diff", s(&p.old_json()), s(&huge)],
    ] {
        let o = ropa(&args);
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(stdout(&o), "");
        let err = stderr(&o);
        assert!(
            err.contains(&format!("`{}` is larger than 256 MiB", huge.display())),
            "{err}"
        );
        assert!(err.contains("is it the right file?"), "{err}");
    }
}

/// An entry name with an escape sequence (set the terminal's title, clear
/// the screen) in both registers: the human report shows it escaped, as
/// `ropa check` does, and no ESC or BEL byte reaches the terminal.
#[test]
fn control_characters_in_names_never_reach_the_terminal() {
    let p = Pair::make();
    let evil = "\u{1b}]0;title\u{7}\u{1b}[2J";
    let (old, new) = (p.path("evil-old.json"), p.path("evil-new.json"));
    for (path, purpose) in [(&old, "before"), (&new, "after")] {
        rewrite(&p.old_json(), path, |v| {
            let a = &mut v["controller_record"]["activities"][0];
            a["name"] = json!(format!("Payroll {evil}"));
            a["id"] = json!(format!("payroll{evil}"));
            a["purposes"] = json!([format!("{purpose}{evil}")]);
        });
    }
    let o = ropa(&["diff", s(&old), s(&new)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        !o.stdout.iter().any(|b| *b == 0x1b || *b == 0x07),
        "{}",
        stdout(&o)
    );
    let text = stdout(&o);
    assert!(
        text.contains("payroll\\u{1b}]0;title\\u{7}\\u{1b}[2J (Payroll \\u{1b}]0;title"),
        "{text}"
    );
}
