//! What [`read`] returns on a small repository, pinned in full (steps,
//! items, lines, entity histories, sub-processor events, the work tree's
//! changes), so that a change made for speed cannot change a result.

use std::path::Path;
use std::process::Command;

use super::*;

fn git(dir: &Path, date: &str, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Dana Officer",
            "-c",
            "user.email=dpo@example.se",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .args(["-c", "init.templateDir="])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join("registry").join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn commit(dir: &Path, date: &str, subject: &str) {
    git(dir, date, &["add", "-A"]);
    git(dir, date, &["commit", "-q", "-m", subject]);
}

const PAYROLL: &str = "name = \"Payroll\"\nrole = \"controller\"\nprocessors = [\"aws\"]\n\
    [[retention]]\nperiod = \"P1Y\"\n";
const HOSTING: &str =
    "name = \"Hosting for clients\"\nrole = \"processor\"\nprocessors = [\"aws\"]\n";

/// Six commits: the record added, a change to two activities and a new
/// processor, a file broken then fixed, a README-only commit (no step),
/// a processor activity removed (its sub-processors let go); then an
/// uncommitted category.
fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(
        dir,
        "2026-01-01T12:00:00+00:00",
        &["init", "-q", "-b", "main"],
    );
    write(dir, "organisation.toml", "name = \"Example AB\"\n");
    write(dir, "activities/hr/payroll.toml", PAYROLL);
    write(dir, "activities/hosting.toml", HOSTING);
    // Git's order of tree entries puts `hr-onboarding.toml` before the
    // folder `hr/`; name order puts it after.
    write(
        dir,
        "activities/hr-onboarding.toml",
        "name = \"Onboarding\"\n",
    );
    write(
        dir,
        "processors/aws.toml",
        "name = \"AWS\"\nsub_processors = [\"equinix\"]\n",
    );
    write(dir, "processors/equinix.toml", "name = \"Equinix\"\n");
    write(
        dir,
        "categories.toml",
        "[data_subjects.employees]\nname = \"Employees\"\n",
    );
    write(dir, "README.md", "The record.\n");
    commit(dir, "2026-01-01T12:00:00+00:00", "Add the record");

    write(
        dir,
        "activities/hr/payroll.toml",
        &PAYROLL.replace("P1Y", "P2Y"),
    );
    write(
        dir,
        "activities/hosting.toml",
        &HOSTING.replace("[\"aws\"]", "[\"aws\", \"mailer\"]"),
    );
    write(dir, "processors/mailer.toml", "name = \"Mailer\"\n");
    write(
        dir,
        "activities/hr-onboarding.toml",
        "name = \"Onboarding\"\npurposes = [\"Welcome new staff\"]\n",
    );
    commit(dir, "2026-02-01T09:30:00+01:00", "Keep payroll two years");

    write(dir, "activities/hr/payroll.toml", "name = \"Payroll\n");
    commit(dir, "2026-03-01T12:00:00+00:00", "Break payroll");

    write(
        dir,
        "activities/hr/payroll.toml",
        &PAYROLL
            .replace("P1Y", "P3Y")
            .replace("Payroll", "Payroll and pensions"),
    );
    commit(dir, "2026-04-01T12:00:00+00:00", "Fix payroll");

    write(dir, "README.md", "The record, kept in git.\n");
    commit(dir, "2026-05-01T12:00:00+00:00", "Reword the README");

    std::fs::remove_file(dir.join("registry/activities/hosting.toml")).unwrap();
    commit(dir, "2026-06-01T23:30:00-02:00", "Stop hosting for clients");

    write(
        dir,
        "categories.toml",
        "[data_subjects.employees]\nname = \"Employees\"\n\
         [data_categories.salary]\nname = \"Salary\"\n",
    );
    tmp
}

fn item_line(i: &Item) -> String {
    let what = match &i.what {
        What::Added => "added".to_string(),
        What::Removed => "removed".to_string(),
        What::Unreadable => "unreadable".to_string(),
        What::Changed(lines) => {
            let lines: Vec<String> = lines
                .iter()
                .map(|l| match l {
                    Line::Reference { noun, id, added } => {
                        format!("{noun} {id} {}", if *added { "added" } else { "removed" })
                    }
                    Line::Field(f) => f.join(" | "),
                })
                .collect();
            format!("changed: {}", lines.join("; "))
        }
    };
    format!(
        "  {:?} {} ({}): {what}\n",
        i.entity.kind,
        i.entity.id,
        i.label.as_deref().unwrap_or("-")
    )
}

/// Everything `read` found, as text.
fn dump(h: &History) -> String {
    let mut out = format!(
        "tip {} {}, truncated {}\n",
        h.tip.date, h.tip.subject, h.truncated
    );
    for (n, s) in h.steps.iter().enumerate() {
        out += &format!(
            "step {n}: {} {} by {} ({}s)\n",
            s.commit.date, s.commit.subject, s.commit.author, s.commit.seconds
        );
        for i in &s.items {
            out += &item_line(i);
        }
    }
    out += "uncommitted:\n";
    for i in &h.uncommitted {
        out += &item_line(i);
    }
    for e in &h.sub_processors {
        out += &format!(
            "sub-processor {} {} at step {}\n",
            e.processor,
            if e.added { "added" } else { "removed" },
            e.step
        );
    }
    let mut entities: Vec<_> = h.entities.iter().collect();
    entities.sort_by(|a, b| a.0.cmp(b.0));
    for (e, eh) in entities {
        out += &format!(
            "{:?} {}: created {:?}, changes {:?}\n",
            e.kind, e.id, eh.created, eh.changes
        );
    }
    out
}

#[test]
fn history_of_a_small_repository_is_pinned() {
    let tmp = repository();
    let registry = tmp.path().join("registry");
    let repo = Repo::discover(&registry).expect("a repository");
    let tip = repo.local().head().unwrap().expect("a commit");
    let loaded = load::load(&registry).unwrap();
    let h = read(&repo, tip, Some(&loaded.sources)).unwrap();
    let expected = r#"tip 2026-06-01 Stop hosting for clients, truncated false
step 0: 2026-06-01 Stop hosting for clients by Dana Officer (1780363800s)
  Entry(Activity) hosting (Hosting for clients): removed
step 1: 2026-04-01 Fix payroll by Dana Officer (1775044800s)
  Entry(Activity) payroll (Payroll and pensions): unreadable
step 2: 2026-03-01 Break payroll by Dana Officer (1772366400s)
  Entry(Activity) payroll (Payroll): unreadable
step 3: 2026-02-01 Keep payroll two years by Dana Officer (1769934600s)
  Entry(Activity) hosting (Hosting for clients): changed: processor mailer added
  Entry(Activity) hr-onboarding (Onboarding): changed: + purposes: ["Welcome new staff"]
  Entry(Activity) payroll (Payroll): changed: retention[0].period: P1Y → P2Y
  Entry(Processor) mailer (Mailer): added
step 4: 2026-01-01 Add the record by Dana Officer (1767268800s)
  Entry(Activity) hosting (Hosting for clients): added
  Entry(Activity) hr-onboarding (Onboarding): added
  Entry(Activity) payroll (Payroll): added
  Entry(Processor) aws (AWS): added
  Entry(Processor) equinix (Equinix): added
  DataSubjects employees (Employees): added
  Organisation organisation (Example AB): added
uncommitted:
  DataCategories salary (Salary): added
sub-processor mailer removed at step 0
sub-processor equinix removed at step 0
sub-processor aws removed at step 0
sub-processor mailer added at step 3
sub-processor equinix added at step 4
sub-processor aws added at step 4
Entry(Activity) hosting: created Some(4), changes [0, 3, 4]
Entry(Activity) hr-onboarding: created Some(4), changes [3, 4]
Entry(Activity) payroll: created Some(4), changes [1, 2, 3, 4]
Entry(Processor) aws: created Some(4), changes [4]
Entry(Processor) equinix: created Some(4), changes [4]
Entry(Processor) mailer: created Some(3), changes [3]
DataSubjects employees: created Some(4), changes [4]
Organisation organisation: created Some(4), changes [4]
"#;
    assert_eq!(dump(&h), expected);
}

#[test]
fn a_shallow_clone_is_truncated_at_its_first_commit() {
    let tmp = repository();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", tmp.path().display());
    git(
        clone.path(),
        "2026-07-01T12:00:00+00:00",
        &["clone", "-q", "--depth", "2", &url, "."],
    );
    let repo = Repo::discover(&clone.path().join("registry")).expect("a repository");
    let tip = repo.local().head().unwrap().expect("a commit");
    let h = read(&repo, tip, None).unwrap();
    assert!(h.truncated);
    // The clone's first commit is where its history starts, not a change.
    let subjects: Vec<&str> = h.steps.iter().map(|s| s.commit.subject.as_str()).collect();
    assert_eq!(subjects, ["Stop hosting for clients"]);
    let hosting = h.of(Kind::Entry(EntryKind::Activity), "hosting").unwrap();
    assert_eq!((hosting.created, hosting.changes.clone()), (None, vec![0]));
}
