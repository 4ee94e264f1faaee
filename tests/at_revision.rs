//! The record as it stood: `ropa check|build|export --at REV` on a test
//! repository whose commits add, change and move entries (one dated inside
//! the transition period of the SCCs Decision 2021/914 repealed), and
//! `ropa diff REV1 REV2` / `ropa diff REV` against the file form of the
//! diff. The work tree is never touched; errors exit 2 with one line.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

const HELPDESK: &str = "\
name = \"Helpdesk Inc\"
service = \"Customer support desk\"
country = \"US\"
locations = [\"US\"]
dpa_signed = 2019-05-01
";

const TRANSFER: &str = "\
to = \"helpdesk\"
country = \"US\"
mechanism = \"scc\"
safeguard = \"scc-helpdesk\"
data_categories = [\"contact-details\"]

[tia]
completed = 2019-04-15
reference = \"TIA-2019-01\"
outcome = \"Transfer may proceed.\"
";

/// The SCCs of Decision 2010/87/EU, repealed by 2021/914 with effect from
/// 2021-09-27; signed before, they served until 2022-12-27.
const SCC_2010: &str = "\
name = \"SCC with Helpdesk Inc\"
kind = \"scc\"
scc_version = \"2010/87/EU\"
signed = 2019-05-01
parties = [\"Example AB\", \"Helpdesk Inc\"]
";

const SCC_2021: &str = "\
name = \"SCC with Helpdesk Inc\"
kind = \"scc\"
scc_version = \"2021/914\"
scc_modules = [2]
signed = 2022-11-15
parties = [\"Example AB\", \"Helpdesk Inc\"]
";

fn activity(name: &str, reviewed: &str) -> String {
    format!(
        "\
name = \"{name}\"
purposes = [\"Run customer accounts\"]
legal_bases = [\"contract\"]
data_subjects = [\"customers\"]
data_categories = [\"contact-details\"]
measures = [\"encryption\"]
processors = [\"helpdesk\"]

[[retention]]
period = \"P2Y\"
from = \"account closure\"

[review]
last_reviewed = {reviewed}
"
    )
}

fn newsletter(name: &str) -> String {
    format!(
        "\
name = \"{name}\"
purposes = [\"Send the newsletter\"]
legal_bases = [\"consent\"]
data_subjects = [\"customers\"]
data_categories = [\"contact-details\"]
measures = [\"encryption\"]

[[retention]]
period = \"P1Y\"
from = \"unsubscription\"

[review]
last_reviewed = 2026-10-01
"
    )
}

/// The test repository and its commits' hashes.
struct History {
    repo: GitRepo,
    /// 2022-01-10: a README only, no registry folder yet.
    start: String,
    /// 2022-06-01 (tag `v1`, branch `first`): the first record, its
    /// transfer under the 2010 SCCs, inside their transition period.
    first: String,
    /// 2023-03-01 (branch `second`): the 2021/914 SCCs signed, the activity renamed.
    second: String,
    /// 2026-11-01 (`main`, HEAD): a newsletter added.
    head: String,
}

impl History {
    fn make() -> History {
        let repo = GitRepo::new();
        std::fs::write(repo.path().join("README.md"), "Our record.\n").unwrap();
        let start = repo.commit("2022-01-10", "Start the repository");
        repo.write("organisation.toml", ORGANISATION);
        repo.write("categories.toml", CATEGORIES);
        repo.write("measures.toml", MEASURES);
        repo.write(
            "activities/customer-accounts.toml",
            activity("Customer accounts", "2022-05-01"),
        );
        repo.write("processors/helpdesk.toml", HELPDESK);
        repo.write("transfers/helpdesk-us.toml", TRANSFER);
        repo.write("safeguards/scc-helpdesk.toml", SCC_2010);
        let first = repo.commit("2022-06-01", "First record");
        repo.git(&["tag", "v1"]);
        repo.git(&["branch", "first"]);
        repo.write("safeguards/scc-helpdesk.toml", SCC_2021);
        repo.write(
            "activities/customer-accounts.toml",
            activity("Customer accounts and billing", "2023-02-01"),
        );
        let second = repo.commit("2023-03-01", "Sign the 2021 SCCs with the helpdesk");
        repo.git(&["branch", "second"]);
        repo.write(
            "activities/customer-accounts.toml",
            activity("Customer accounts and billing", "2026-10-01"),
        );
        repo.write("activities/newsletter.toml", newsletter("Newsletter"));
        let head = repo.commit("2026-11-01", "Add the newsletter");
        // Uncommitted: what `--at` must neither read nor touch.
        repo.write(
            "activities/newsletter.toml",
            newsletter("Monthly newsletter"),
        );
        History {
            repo,
            start,
            first,
            second,
            head,
        }
    }

    /// `ropa <args>` in the work tree, with a private temporary folder
    /// (`TMPDIR`), so a test can see that `--at` leaves nothing there.
    fn ropa(&self, args: &[&str]) -> Run {
        ropa_in(self.repo.path(), &self.tmp(), args)
    }

    fn tmp(&self) -> PathBuf {
        let tmp = self.repo.path().join(".git").join("test-tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        tmp
    }
}

fn ropa_in(cwd: &Path, tmp: &Path, args: &[&str]) -> Run {
    let mut c = ropa_command();
    c.current_dir(cwd).env("TMPDIR", tmp).args(args);
    run_with_timeout(c, RUN_TIMEOUT)
}

/// Every file of the work tree (outside `.git`) with its bytes, and what
/// `git status` says of it.
fn work_tree(repo: &GitRepo) -> (BTreeMap<PathBuf, Vec<u8>>, String) {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let path = e.path();
            if path == root.join(".git") {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(repo.path(), repo.path(), &mut files);
    (files, repo.git(&["status", "--porcelain"]))
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The activities' names in an exported register.
fn activity_names(register: &Value) -> Vec<String> {
    register["controller_record"]["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect()
}

fn safeguard_version(register: &Value) -> String {
    register["safeguards"][0]["scc_version"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn at_reads_the_record_as_it_was_by_hash_tag_branch_and_date_without_touching_the_work_tree() {
    let h = History::make();
    let before = work_tree(&h.repo);
    let short = &h.first[..10];
    let reading =
        format!("reading `registry` as it was at commit {short} (2022-06-01): First record\n");
    for rev in [
        h.first.as_str(),
        &h.first[..7],
        "v1",
        "first",
        "HEAD~2",
        "2022-06-01",
        "2022-12-31",
    ] {
        let run = h.ropa(&["check", "--at", rev, "--format", "json"]);
        run.assert_exit(0);
        assert_eq!(run.stderr, reading, "--at {rev}");
        let errors: Vec<_> = run
            .diags()
            .into_iter()
            .filter(|d| d.severity == "error")
            .collect();
        assert_eq!(errors, vec![], "--at {rev}");

        let run = h.ropa(&["export", "--at", rev, "--format", "json"]);
        run.assert_exit(0);
        let register = json(&run.stdout);
        assert_eq!(
            activity_names(&register),
            ["Customer accounts"],
            "--at {rev}"
        );
        assert_eq!(safeguard_version(&register), "2010/87/EU", "--at {rev}");
        assert_eq!(register["as_of"], "2022-06-01", "--at {rev}");
    }
    for rev in [
        "second",
        "HEAD~1",
        &h.second[..12],
        "2023-03-01",
        "2026-10-31",
    ] {
        let run = h.ropa(&["export", "--at", rev, "--format", "json"]);
        run.assert_exit(0);
        let register = json(&run.stdout);
        assert_eq!(
            activity_names(&register),
            ["Customer accounts and billing"],
            "--at {rev}"
        );
        assert_eq!(safeguard_version(&register), "2021/914", "--at {rev}");
        assert_eq!(register["as_of"], "2023-03-01", "--at {rev}");
    }
    // HEAD is the last commit, not the work tree's uncommitted change.
    let run = h.ropa(&["export", "--at", "HEAD", "--format", "json"]);
    run.assert_exit(0);
    let names = activity_names(&json(&run.stdout));
    assert_eq!(names, ["Customer accounts and billing", "Newsletter"]);
    let run = h.ropa(&[
        "export", "--at", &h.head, "--as-of", AS_OF, "--format", "json",
    ]);
    assert_eq!(activity_names(&json(&run.stdout)), names);
    // Without --at: the work tree.
    let run = h.ropa(&["export", "--as-of", AS_OF, "--format", "json"]);
    run.assert_exit(0);
    assert_eq!(run.stderr, "");
    let names = activity_names(&json(&run.stdout));
    assert_eq!(
        names,
        ["Customer accounts and billing", "Monthly newsletter"]
    );

    assert_eq!(work_tree(&h.repo), before, "--at changed the work tree");
    let left: Vec<_> = std::fs::read_dir(h.tmp()).unwrap().collect();
    assert!(left.is_empty(), "temporary copies left behind: {left:?}");
}

#[test]
fn at_judges_the_record_by_the_law_of_the_commits_day_unless_as_of_is_given() {
    let h = History::make();
    let repealed = |run: &Run| {
        run.diags()
            .into_iter()
            .filter(|d| d.code == "scc-repealed")
            .map(|d| (d.severity, d.file, d.message))
            .collect::<Vec<_>>()
    };
    // 2022-06-01: the 2010 SCCs, signed in 2019, still served.
    let run = h.ropa(&["check", "--at", "v1", "--format", "json"]);
    run.assert_exit(0);
    assert_eq!(repealed(&run), vec![]);
    // The same files judged today: an error.
    let run = h.ropa(&["check", "--at", "v1", "--as-of", AS_OF, "--format", "json"]);
    run.assert_exit(1);
    let expected = vec![(
        "error".to_string(),
        "safeguards/scc-helpdesk.toml".to_string(),
        "the SCCs of Decision 2010/87/EU are repealed: contracts concluded on them before 2021-09-27 counted as safeguards only until 2022-12-27 (Decision (EU) 2021/914, Art. 4)".to_string(),
    )];
    assert_eq!(repealed(&run), expected);
    // --as-of overrides the commit's date, on either side of the transition's end.
    let run = h.ropa(&[
        "check",
        "--at",
        "v1",
        "--as-of",
        "2022-12-27",
        "--format",
        "json",
    ]);
    run.assert_exit(0);
    assert_eq!(repealed(&run), vec![]);
    let run = h.ropa(&[
        "check",
        "--at",
        "v1",
        "--as-of",
        "2022-12-28",
        "--format",
        "json",
    ]);
    run.assert_exit(1);
    assert_eq!(repealed(&run), expected);
    let run = h.ropa(&[
        "export",
        "--at",
        "v1",
        "--as-of",
        "2022-12-27",
        "--format",
        "json",
    ]);
    run.assert_exit(0);
    assert_eq!(json(&run.stdout)["as_of"], "2022-12-27");
    // An export refuses the record judged today, as for the work tree.
    let run = h.ropa(&["export", "--at", "v1", "--as-of", AS_OF, "--format", "json"]);
    run.assert_exit(1);
    assert_eq!(run.stdout, "");
}

#[test]
fn the_commits_date_is_the_committers_own_day() {
    let repo = GitRepo::new();
    repo.write("organisation.toml", ORGANISATION);
    repo.write("categories.toml", CATEGORIES);
    repo.write("measures.toml", MEASURES);
    repo.write(
        "activities/customer-accounts.toml",
        activity("Customer accounts", "2022-05-01"),
    );
    repo.write("processors/helpdesk.toml", HELPDESK);
    repo.write("transfers/helpdesk-us.toml", TRANSFER);
    repo.write("safeguards/scc-helpdesk.toml", SCC_2010);
    // The last evening of the transition in New York is already
    // 2022-12-28 in UTC.
    repo.commit_at("2022-12-27T23:30:00-05:00", "Last day of the old SCCs");
    let tmp = tempfile::tempdir().unwrap();
    for rev in ["HEAD", "2022-12-27"] {
        let run = ropa_in(
            repo.path(),
            tmp.path(),
            &["check", "--at", rev, "--format", "json"],
        );
        run.assert_exit(0);
        assert!(run.stderr.contains("(2022-12-27)"), "{}", run.stderr);
        assert!(
            !codes(&run.diags()).contains("scc-repealed"),
            "{}",
            run.stdout
        );
    }
    let run = ropa_in(repo.path(), tmp.path(), &["check", "--at", "2022-12-26"]);
    run.assert_exit(2);
    assert_eq!(
        run.stderr,
        "error: no commit was made on or before 2022-12-26: the history starts on 2022-12-27\n"
    );
}

#[test]
fn build_at_writes_the_site_of_the_record_as_it_was() {
    let h = History::make();
    let before = work_tree(&h.repo);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = h.ropa(&["build", "--at", "v1", "--out", site.to_str().unwrap()]);
    run.assert_exit(0);
    let register = json(&std::fs::read_to_string(site.join("ropa.json")).unwrap());
    assert_eq!(activity_names(&register), ["Customer accounts"]);
    assert_eq!(register["as_of"], "2022-06-01");
    let mut pages = 0;
    let mut stack = vec![site.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "html") {
                pages += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    !text.contains("ewsletter") && !text.contains("and billing"),
                    "{} shows a later commit",
                    path.display()
                );
            }
        }
    }
    assert!(pages > 3, "{pages} pages");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("Customer accounts"));
    assert_eq!(
        work_tree(&h.repo),
        before,
        "build --at changed the work tree"
    );
}

#[test]
fn a_registry_folder_gone_from_the_work_tree_is_read_at_the_revision() {
    let h = History::make();
    h.repo.git(&["mv", "registry", "record"]);
    h.repo.commit("2026-11-20", "Move the registry to record/");
    let run = h.ropa(&["export", "--at", "v1", "--format", "json"]);
    run.assert_exit(0);
    assert_eq!(activity_names(&json(&run.stdout)), ["Customer accounts"]);
    // Named from a path that exists in part, with `..` in its missing part.
    let run = h.ropa(&[
        "check",
        "--registry",
        "gone/../registry",
        "--at",
        "second",
        "--format",
        "json",
    ]);
    run.assert_exit(0);
    let run = h.ropa(&["check", "--registry", "record", "--at", "v1"]);
    run.assert_exit(2);
    assert_eq!(
        run.stderr,
        format!(
            "error: the registry folder `record` is not in commit {} (2022-06-01): it was added after that commit, or had been moved or removed by then (--registry names the folder by its path in the commit)\n",
            &h.first[..10]
        )
    );
}

/// Each way `--at` cannot run: exit status 2, nothing on standard output,
/// one line on standard error.
#[test]
fn at_errors_are_one_clear_line_each() {
    let h = History::make();
    let outside = TempRegistry::minimal();
    let mut text = String::new();
    let cases: [(&str, &Path, &[&str]); 10] = [
        (
            "an unknown revision",
            h.repo.path(),
            &["check", "--at", "no-such-branch"],
        ),
        (
            "beyond the first commit",
            h.repo.path(),
            &["check", "--at", "HEAD~9"],
        ),
        (
            "a date before the first commit",
            h.repo.path(),
            &["check", "--at", "2021-12-31"],
        ),
        (
            "a commit without the registry folder",
            h.repo.path(),
            &["export", "--at", &h.start],
        ),
        (
            "a registry outside git",
            outside.path(),
            &["check", "--registry", ".", "--at", "HEAD"],
        ),
        ("serve", h.repo.path(), &["serve", "--at", "v1"]),
        (
            "diff: an unknown revision",
            h.repo.path(),
            &["diff", "no-such-branch", "v1"],
        ),
        ("diff: a folder", h.repo.path(), &["diff", "registry", "v1"]),
        (
            "diff: a missing file",
            h.repo.path(),
            &["diff", "old.json", "v1"],
        ),
        (
            "a file, not a commit",
            h.repo.path(),
            &["check", "--at", "HEAD:registry"],
        ),
    ];
    for (what, cwd, args) in cases {
        let run = ropa_in(cwd, &h.tmp(), args);
        run.assert_exit(2);
        assert_eq!(run.stdout, "", "{what}");
        assert_eq!(run.stderr.lines().count(), 1, "{what}: {}", run.stderr);
        assert!(run.stderr.starts_with("error: "), "{what}: {}", run.stderr);
        text.push_str(&format!(
            "# {what}\n$ ropa {}\n{}\n",
            args.join(" "),
            run.stderr
        ));
    }
    let text = text
        .replace(&h.start, "<start>")
        .replace(&h.start[..10], "<start>");
    insta::assert_snapshot!("at-errors", text);
}

// ------------------------------------------------------------ ropa diff

/// The names in the header of a diff report replaced by `OLD` and `NEW`.
fn without_names(report: &str, format: &str) -> String {
    match format {
        "json" => {
            let mut v = json(report);
            v["old"]["file"] = "OLD".into();
            v["new"]["file"] = "NEW".into();
            serde_json::to_string_pretty(&v).unwrap()
        }
        _ => {
            let mut lines: Vec<&str> = report.lines().collect();
            assert!(
                lines[0].starts_with("--- ") && lines[1].starts_with("+++ "),
                "{report}"
            );
            lines[0] = "--- OLD";
            lines[1] = "+++ NEW";
            lines.join("\n")
        }
    }
}

#[test]
fn diff_of_two_revisions_is_the_file_diff_of_their_registers() {
    let h = History::make();
    let before = work_tree(&h.repo);
    let exports = tempfile::tempdir().unwrap();
    let file = |rev: &str| {
        let path = exports.path().join(format!("{rev}.json"));
        let run = h.ropa(&[
            "export",
            "--at",
            rev,
            "--format",
            "json",
            "--out",
            path.to_str().unwrap(),
        ]);
        run.assert_exit(0);
        path.to_str().unwrap().to_string()
    };
    let (a, b, c) = (file("v1"), file("second"), file("main"));
    for format in ["human", "json"] {
        for (old, new, old_file, new_file) in [("v1", "second", &a, &b), ("second", "main", &b, &c)]
        {
            let by_rev = h.ropa(&["diff", old, new, "--format", format]);
            by_rev.assert_exit(1);
            assert_eq!(by_rev.stderr, "", "diff {old} {new}");
            let by_file = h.ropa(&["diff", old_file, new_file, "--format", format]);
            by_file.assert_exit(1);
            assert_eq!(
                without_names(&by_rev.stdout, format),
                without_names(&by_file.stdout, format),
                "diff {old} {new} --format {format}"
            );
        }
    }
    let human = h.ropa(&["diff", "v1", "second"]);
    let short = |c: &str| c[..10].to_string();
    assert!(
        human.stdout.starts_with(&format!(
            "--- v1 ({}, 2022-06-01)\n+++ second ({}, 2023-03-01)\n  as_of: 2022-06-01 → 2023-03-01\n",
            short(&h.first),
            short(&h.second)
        )),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("scc_version: 2010/87/EU → 2021/914"),
        "{}",
        human.stdout
    );
    let report = json(
        &h.ropa(&["diff", "2022-07-01", &h.second, "--format", "json"])
            .stdout,
    );
    assert_eq!(
        report["old"]["file"],
        format!("2022-07-01 ({}, 2022-06-01)", short(&h.first))
    );
    assert_eq!(
        report["new"]["file"],
        format!("{} ({}, 2023-03-01)", h.second, short(&h.second))
    );
    // The same revision twice, by two names: no differences.
    let same = h.ropa(&["diff", "v1", "first"]);
    same.assert_exit(0);
    assert!(
        same.stdout.ends_with("\nno differences\n"),
        "{}",
        same.stdout
    );
    // A file against a revision.
    let mixed = h.ropa(&["diff", &a, "v1"]);
    mixed.assert_exit(0);
    assert_eq!(work_tree(&h.repo), before, "diff changed the work tree");
    let left: Vec<_> = std::fs::read_dir(h.tmp()).unwrap().collect();
    assert!(left.is_empty(), "temporary copies left behind: {left:?}");
}

#[test]
fn diff_of_a_revision_compares_it_with_the_work_tree() {
    let h = History::make();
    let run = h.ropa(&["diff", "HEAD"]);
    run.assert_exit(1);
    assert_eq!(run.stderr, "");
    let head = format!("--- HEAD ({}, 2026-11-01)\n+++ work tree\n", &h.head[..10]);
    assert!(run.stdout.starts_with(&head), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "  ~ newsletter (Monthly newsletter)\n      name: Newsletter → Monthly newsletter\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with("\n1 activity changed\n"),
        "{}",
        run.stdout
    );

    // Committed, the work tree is HEAD again.
    h.repo.commit("2026-11-25", "Rename the newsletter");
    let run = h.ropa(&["diff", "HEAD"]);
    run.assert_exit(0);
    // (`no differences in content` unless the test runs on the commit's day.)
    let last = run.stdout.lines().last().unwrap_or_default();
    assert!(last.starts_with("no differences"), "{}", run.stdout);

    // A side with errors is still compared, with a warning: here the
    // register leaves out the processor that does not exist, so only the
    // name shows as changed.
    let broken = activity("Customer accounts", "2026-10-01")
        .replace("[\"helpdesk\"]", "[\"helpdesk\", \"payroll-bureau\"]");
    h.repo.write("activities/customer-accounts.toml", &broken);
    let run = h.ropa(&["diff", "HEAD"]);
    run.assert_exit(1);
    assert_eq!(
        run.stderr,
        "warning: the registry in the work tree has 1 error; its register may be incomplete\n"
    );
    assert!(
        run.stdout.ends_with("\n1 activity changed\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("payroll-bureau"), "{}", run.stdout);
    h.repo.commit("2026-11-26", "A processor not yet written");
    let run = h.ropa(&["diff", "HEAD~1", "HEAD", "--format", "json"]);
    run.assert_exit(1);
    assert_eq!(
        run.stderr,
        "warning: the registry at HEAD has 1 error; its register may be incomplete\n"
    );
    let report = json(&run.stdout);
    assert_eq!(report["differ"], true);
}
