//! History and `--at` on hostile git repositories, built here with git's
//! plumbing (`hash-object --literally`, `commit-tree`, `update-ref`,
//! `fast-import`): tree entries git itself would refuse, links and
//! submodules in the registry, a 100 MB blob, commits with impossible
//! dates, tens of thousands of commits, a shallow clone. Each run must end
//! with a clear result (exit 0, or one error line), within bounds: under a
//! 1 GiB address-space limit (`ulimit -v`), with a small peak of resident
//! memory, and writing nothing outside its temporary folder (the runs'
//! `TMPDIR` is a folder of the test's own, checked empty afterwards).

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::{
    ACTIVITY, CATEGORIES, GitRepo, MEASURES, ORGANISATION, Run, ropa_command, run_with_timeout,
};

/// 1 GiB, in the KiB `ulimit -v` counts.
const ADDRESS_SPACE_KIB: u64 = 1024 * 1024;
const AS_OF: &str = "2026-11-01";

/// A repository with the minimal valid registry committed on 2026-01-01,
/// and a private `TMPDIR` for the runs (`tmp/`, beside the work tree's
/// `registry/`).
fn repository() -> GitRepo {
    let r = GitRepo::new();
    r.write("organisation.toml", ORGANISATION);
    r.write("categories.toml", CATEGORIES);
    r.write("measures.toml", MEASURES);
    r.write("activities/customer-accounts.toml", ACTIVITY);
    r.commit("2026-01-01", "Add the record");
    prepare_runs(&r);
    r
}

/// The private `TMPDIR` of the runs, and the site, kept out of `git status`.
fn prepare_runs(r: &GitRepo) {
    std::fs::create_dir(tmp_of(r)).unwrap();
    std::fs::write(
        r.path().join(".gitignore"),
        "tmp/\nsite/\n.site*\noutside.toml\n",
    )
    .unwrap();
}

fn tmp_of(r: &GitRepo) -> PathBuf {
    r.path().join("tmp")
}

/// `ropa ARGS` in the work tree, under the address-space limit, with
/// `TMPDIR` the repository's private folder and timings on (their peak
/// RSS is asserted).
fn ropa_limited(r: &GitRepo, args: &[&str]) -> Run {
    let ropa = ropa_command();
    let mut sh = Command::new("sh");
    for (k, v) in ropa.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    // `exec`, so that the limit and the exit status are ropa's own.
    sh.current_dir(r.path())
        .env("TMPDIR", tmp_of(r))
        .env("ROPA_TIMINGS", "1")
        .arg("-c")
        .arg(format!(
            r#"ulimit -v {ADDRESS_SPACE_KIB} && exec "$0" "$@""#
        ))
        .arg(ropa.get_program())
        .args(args);
    run_with_timeout(sh, Duration::from_secs(120))
}

/// The peak resident memory the last timing line reports, in MiB.
fn peak_mib(run: &Run) -> u64 {
    let line = run
        .stderr
        .lines()
        .rfind(|l| l.contains("peak "))
        .unwrap_or_else(|| panic!("no timing line with a peak:\n{}", run.stderr));
    let after = &line[line.rfind("peak ").unwrap() + 5..];
    after
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}"))
}

/// The output without timing lines.
fn said(run: &Run) -> String {
    run.stderr
        .lines()
        .filter(|l| !l.starts_with("timing: "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `ropa build` with history: exit 0, memory small, the private
/// temporary folder left empty.
#[track_caller]
fn assert_builds(r: &GitRepo) -> Run {
    let run = ropa_limited(
        r,
        &[
            "build",
            "--registry",
            "registry",
            "--out",
            "site",
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(run.code, Some(0), "{}", said(&run));
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.contains("timing: history "),
        "history was not read:\n{}",
        run.stderr
    );
    assert!(peak_mib(&run) < 200, "{}", run.stderr);
    assert_tmp_empty(r);
    run
}

/// `ropa check --at REV`: the exit status and what it said.
#[track_caller]
fn check_at(r: &GitRepo, rev: &str) -> Run {
    let run = ropa_limited(
        r,
        &[
            "check",
            "--registry",
            "registry",
            "--at",
            rev,
            "--as-of",
            AS_OF,
        ],
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    if run.code != Some(2) {
        assert!(peak_mib(&run) < 200, "{}", run.stderr);
    }
    assert_tmp_empty(r);
    run
}

/// Nothing left in the private temporary folder, and nothing written
/// beside it (a `..` that escaped the copy would land in `tmp/`, or in the
/// work tree above it).
#[track_caller]
fn assert_tmp_empty(r: &GitRepo) {
    let names = |dir: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&tmp_of(r)), Vec::<String>::new(), "left in TMPDIR");
    let expected = [
        ".git",
        ".gitignore",
        ".site.ropa-lock",
        "outside.toml",
        "registry",
        "site",
        "tmp",
    ];
    let top = names(r.path());
    assert!(
        top.iter().all(|n| expected.contains(&n.as_str())),
        "written in the work tree: {top:?}"
    );
    let registry = names(&r.registry());
    assert!(
        registry.iter().all(|n| !n.contains("escaped")),
        "{registry:?}"
    );
}

/// A blob of `bytes`; its id.
fn blob(r: &GitRepo, bytes: &[u8]) -> String {
    r.git_with_input(&["hash-object", "-w", "--stdin"], bytes)
}

/// A tree of exactly these entries (mode, name, id), written as git
/// stores it but without git's checks on names (`--literally`).
fn raw_tree(r: &GitRepo, entries: &[(&str, &[u8], &str)]) -> String {
    let mut bytes = Vec::new();
    for (mode, name, id) in entries {
        bytes.extend_from_slice(mode.as_bytes());
        bytes.push(b' ');
        bytes.extend_from_slice(name);
        bytes.push(0);
        bytes.extend((0..20).map(|i| u8::from_str_radix(&id[2 * i..2 * i + 2], 16).unwrap()));
    }
    r.git_with_input(
        &["hash-object", "-t", "tree", "-w", "--literally", "--stdin"],
        &bytes,
    )
}

/// The entries of the tree `rev` (mode, name, id).
fn entries_of(r: &GitRepo, rev: &str) -> Vec<(String, Vec<u8>, String)> {
    r.git(&["ls-tree", rev])
        .lines()
        .map(|l| {
            let (meta, name) = l.split_once('\t').unwrap();
            let parts: Vec<&str> = meta.split(' ').collect();
            (
                parts[0].to_string(),
                name.as_bytes().to_vec(),
                parts[2].to_string(),
            )
        })
        .collect()
}

/// Commits HEAD's registry with `extra` entries set in its top folder
/// (or in `folder`), replacing entries of the same name, on top of HEAD,
/// without touching the work tree; the commit's id.
fn commit_with(
    r: &GitRepo,
    folder: Option<&str>,
    extra: &[(&str, &[u8], &str)],
    msg: &str,
) -> String {
    let set = |mut entries: Vec<(String, Vec<u8>, String)>| {
        entries.retain(|e| !extra.iter().any(|x| x.1 == e.1.as_slice()));
        entries.extend(
            extra
                .iter()
                .map(|(m, n, id)| (m.to_string(), n.to_vec(), id.to_string())),
        );
        entries
    };
    let registry = match folder {
        None => set(entries_of(r, "HEAD:registry")),
        Some(f) => {
            let id = tree_of(r, &set(entries_of(r, &format!("HEAD:registry/{f}"))));
            let mut registry = entries_of(r, "HEAD:registry");
            registry.retain(|e| e.1 != f.as_bytes());
            registry.push(("40000".into(), f.as_bytes().to_vec(), id));
            registry
        }
    };
    let reg = tree_of(r, &registry);
    let mut root = entries_of(r, "HEAD^{tree}");
    root.retain(|e| e.1 != b"registry");
    root.push(("40000".into(), b"registry".to_vec(), reg));
    let root = tree_of(r, &root);
    let head = r.git(&["rev-parse", "HEAD"]);
    let commit = r.git(&["commit-tree", &root, "-p", &head, "-m", msg]);
    r.git(&["update-ref", "refs/heads/main", &commit]);
    commit
}

/// A tree of owned entries, in git's order (a folder sorts as if its
/// name ended in `/`).
fn tree_of(r: &GitRepo, entries: &[(String, Vec<u8>, String)]) -> String {
    let mut sorted = entries.to_vec();
    let key = |e: &(String, Vec<u8>, String)| {
        let mut k = e.1.clone();
        if e.0 == "40000" || e.0 == "040000" {
            k.push(b'/');
        }
        k
    };
    sorted.sort_by_key(key);
    let borrowed: Vec<(&str, &[u8], &str)> = sorted
        .iter()
        .map(|(m, n, id)| (m.as_str(), n.as_slice(), id.as_str()))
        .collect();
    raw_tree(r, &borrowed)
}

/// An activity that does not check (so a run that read it would say so).
const BAD_ACTIVITY: &[u8] = b"name = 1\n";

#[test]
fn names_git_refuses_are_not_registry_files_and_nothing_escapes_the_copy() {
    let r = repository();
    let bad = blob(&r, BAD_ACTIVITY);
    let activities = raw_tree(&r, &[("100644", b"escaped.toml", &bad)]);
    let up = raw_tree(&r, &[("40000", b"activities", &activities)]);
    commit_with(
        &r,
        None,
        &[
            ("40000", b"..", &up),
            ("40000", b".", &up),
            ("100644", b"activities\\escaped.toml", &bad),
            ("100644", b"\xff\xfe.toml", &bad),
            ("100644", b"", &bad),
            ("100644", b"activities/escaped.toml", &bad),
            ("40000", b".git", &up),
        ],
        "Hostile names",
    );
    assert_builds(&r);
    let run = check_at(&r, "main");
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, said(&run));
    assert!(!run.stdout.contains("escaped"), "{}", run.stdout);
    assert!(!r.path().join("activities").exists());
    assert!(!r.path().join("tmp/activities").exists());
}

#[test]
fn links_and_submodules_in_the_registry_are_not_read() {
    let r = repository();
    let outside = r.path().join("outside.toml");
    std::fs::write(&outside, BAD_ACTIVITY).unwrap();
    let to_outside = blob(&r, outside.to_str().unwrap().as_bytes());
    let relative = blob(&r, b"../../outside.toml");
    let head = r.git(&["rev-parse", "HEAD"]);
    commit_with(
        &r,
        Some("activities"),
        &[
            ("120000", b"absolute.toml", &to_outside),
            ("120000", b"relative.toml", &relative),
            ("160000", b"module.toml", &head),
            (
                "160000",
                b"missing",
                "1234567890123456789012345678901234567890",
            ),
        ],
        "Links and submodules",
    );
    assert_builds(&r);
    let run = check_at(&r, "main");
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, said(&run));
}

#[test]
fn a_blob_of_100_mb_is_not_read_into_memory() {
    let r = repository();
    // Added, then changed: both sides of a change are over the limit.
    for name in ["Big", "Bigger"] {
        let mut big = format!("name = \"{name}\"\n").into_bytes();
        big.resize(100 << 20, b' ');
        let id = blob(&r, &big);
        drop(big);
        commit_with(
            &r,
            Some("activities"),
            &[("100644", b"big.toml", &id)],
            name,
        );
    }
    let built = assert_builds(&r);
    assert!(peak_mib(&built) < 100, "{}", built.stderr);
    let run = check_at(&r, "main");
    assert!(
        run.stdout.contains("big.toml") || run.stderr.contains("big.toml"),
        "{}\n{}",
        run.stdout,
        said(&run)
    );
    assert!(peak_mib(&run) < 100, "{}", run.stderr);
}

/// A commit written byte by byte on top of HEAD (same tree), with this
/// committer line; HEAD moves to it.
fn commit_raw(r: &GitRepo, committer: &str, parent: &str) -> String {
    let tree = r.git(&["rev-parse", "HEAD^{tree}"]);
    let text = format!(
        "tree {tree}\nparent {parent}\nauthor Dana Officer <dpo@example.se> 1767268800 +0000\n\
         {committer}\n\nA commit with an odd date\n"
    );
    let id = r.git_with_input(
        &[
            "hash-object",
            "-t",
            "commit",
            "-w",
            "--literally",
            "--stdin",
        ],
        text.as_bytes(),
    );
    r.git(&["update-ref", "refs/heads/main", &id]);
    id
}

#[test]
fn commits_with_impossible_dates_or_no_signature_give_a_clear_result() {
    for committer in [
        "committer Dana Officer <dpo@example.se> 99999999999999999999 +0000",
        "committer Dana Officer <dpo@example.se> 253402300800 +0000",
        "committer Dana Officer <dpo@example.se> -99999999999 +0000",
        "committer Dana Officer <dpo@example.se> 1767268800 +9999",
        "committer Dana Officer <dpo@example.se>",
        "committer nobody",
        "committer",
    ] {
        let r = repository();
        let head = r.git(&["rev-parse", "HEAD"]);
        // The odd commit in the middle of the line, and as the tip.
        let odd = commit_raw(&r, committer, &head);
        r.write("activities/later.toml", ACTIVITY);
        r.git(&["add", "-A"]);
        r.commit("2026-03-01", "Add a later activity");
        let build = |r: &GitRepo| {
            ropa_limited(
                r,
                &[
                    "build",
                    "--registry",
                    "registry",
                    "--out",
                    "site",
                    "--as-of",
                    AS_OF,
                ],
            )
        };
        // In the middle of the line, history stops at it.
        let run = build(&r);
        assert_eq!(run.code, Some(0), "{committer}: {}", said(&run));
        // As the tip: read, or refused in one line naming it.
        r.git(&["update-ref", "refs/heads/main", &odd]);
        let run = build(&r);
        if run.code != Some(0) {
            assert_eq!(run.code, Some(2), "{committer}: {}", said(&run));
            let line = said(&run);
            assert_eq!(line.lines().count(), 1, "{line}");
            assert!(line.contains(&odd[..10]), "{line}");
            assert!(line.contains("cannot place it in time"), "{line}");
        }
        assert_tmp_empty(&r);
    }
}

#[test]
fn fifty_thousand_commits_are_read_within_bounds() {
    let r = repository();
    let head = r.git(&["rev-parse", "HEAD"]);
    // Commits that change nothing in the registry, then one that does.
    let mut stream = String::new();
    let n = 50_001;
    for k in 0..n {
        let when = 1_767_268_800 + k;
        stream += &format!(
            "commit refs/heads/main\ncommitter Dana Officer <dpo@example.se> {when} +0000\n\
             data 4\nbusy\n"
        );
        if k == 0 {
            stream += &format!("from {head}\n");
        }
        if k == n - 1 {
            stream += "M 100644 inline registry/activities/last.toml\n";
            stream += &format!("data {}\n{ACTIVITY}\n", ACTIVITY.len());
        }
        stream += "\n";
    }
    r.git_with_input(&["fast-import", "--quiet"], stream.as_bytes());
    r.git(&["reset", "-q", "--hard", "main"]);
    let run = assert_builds(&r);
    eprintln!("50,001 commits: {:?}", run.elapsed);
}

#[test]
fn a_file_that_does_not_parse_at_one_commit_and_is_fixed_at_the_next() {
    let r = repository();
    r.write(
        "activities/customer-accounts.toml",
        "name = \"Customer accounts\n",
    );
    let broken = r.commit("2026-02-01", "Break");
    r.write("activities/customer-accounts.toml", ACTIVITY);
    r.commit("2026-03-01", "Fix");
    assert_builds(&r);
    let run = check_at(&r, &broken);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, said(&run));
    assert!(
        run.stdout.contains("customer-accounts.toml"),
        "{}",
        run.stdout
    );
    let run = check_at(&r, "main");
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, said(&run));
}

#[test]
fn a_shallow_clone_builds_and_reads_its_revisions() {
    let r = repository();
    r.write("activities/second.toml", ACTIVITY);
    r.commit("2026-02-01", "Second");
    r.write("activities/third.toml", ACTIVITY);
    r.commit("2026-03-01", "Third");
    let shallow = GitRepo {
        dir: tempfile::tempdir().unwrap(),
    };
    let url = format!("file://{}", r.path().display());
    shallow.git(&["clone", "-q", "--depth", "2", &url, "."]);
    assert_eq!(
        shallow.git(&["rev-parse", "--is-shallow-repository"]),
        "true"
    );
    prepare_runs(&shallow);
    assert_builds(&shallow);
    let run = check_at(&shallow, "main~1");
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, said(&run));
    // Before the clone's first commit: one line saying where it starts.
    let run = check_at(&shallow, "2026-01-15");
    assert_eq!(run.code, Some(2), "{}", said(&run));
    assert_eq!(said(&run).lines().count(), 1, "{}", said(&run));
    eprintln!("{}", said(&run));
}

/// Folders nested 10,000 deep (git's own tools write them): a clear
/// result, not a stack overflow.
#[test]
fn folders_nested_ten_thousand_deep() {
    let r = repository();
    let deep = "d/".repeat(10_000);
    let stream = format!(
        "commit refs/heads/main\ncommitter Dana Officer <dpo@example.se> 1769947200 +0000\n\
         data 5\ndeep\nfrom {}\nM 100644 inline registry/activities/{deep}x.toml\ndata {}\n{ACTIVITY}\n\n",
        r.git(&["rev-parse", "HEAD"]),
        ACTIVITY.len()
    );
    r.git_with_input(&["fast-import", "--quiet"], stream.as_bytes());
    let run = ropa_limited(
        &r,
        &[
            "build",
            "--registry",
            "registry",
            "--out",
            "site",
            "--as-of",
            AS_OF,
        ],
    );
    for run in [run, check_at(&r, "main")] {
        assert_eq!(run.code, Some(2), "{}", said(&run));
        let line = said(&run);
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(line.contains("nested more than 64 deep"), "{line}");
    }
    assert_tmp_empty(&r);
}

/// Trees are shared by id: a few kilobytes of repository can name the same
/// subtree twice at each level, 2^22 paths in all. The walk stops at its
/// limit with a clear error instead of filling the memory.
#[test]
fn a_tree_that_doubles_at_every_level_is_refused_not_walked() {
    let r = repository();
    let leaf = blob(&r, b"x\n");
    let mut tree = raw_tree(&r, &[("100644", b"a.txt", &leaf)]);
    for _ in 0..22 {
        tree = raw_tree(&r, &[("40000", b"a", &tree), ("40000", b"b", &tree)]);
    }
    commit_with(&r, None, &[("40000", b"notes", &tree)], "Notes");
    let run = ropa_limited(
        &r,
        &[
            "build",
            "--registry",
            "registry",
            "--out",
            "site",
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(run.code, Some(2), "{}", said(&run));
    assert!(
        said(&run).contains("more than 2000000 files"),
        "{}",
        said(&run)
    );
    assert!(said(&run).contains("--no-history"), "{}", said(&run));
    assert!(!r.path().join("site").exists());
    let run = check_at(&r, "main");
    assert_eq!(run.code, Some(2), "{}", said(&run));
    assert!(
        said(&run).contains("more than 2000000 files"),
        "{}",
        said(&run)
    );
    assert_tmp_empty(&r);
    // Without history the build does not look at git at all.
    let run = ropa_limited(
        &r,
        &[
            "build",
            "--registry",
            "registry",
            "--out",
            "site",
            "--as-of",
            AS_OF,
            "--no-history",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", said(&run));
}
