//! Helpers shared by the integration tests: running the `ropa` binary,
//! reading its JSON diagnostics, the contract's rule-code table, and small
//! registries built in temporary folders.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every run pins the as-of date so that outputs do not depend on today.
pub const AS_OF: &str = "2026-11-24";

/// No single run of the binary may take longer than this; a hang is a bug.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// The "Rule codes" table of the contract (docs: /work/shared/spec/registry-format.md),
/// with the severity each code has without `--deny-warnings`.
pub const CONTRACT_CODES: &[(&str, &str)] = &[
    ("syntax", "error"),
    ("schema", "error"),
    ("bad-id", "error"),
    ("duplicate-id", "error"),
    ("unknown-country", "error"),
    ("dangling-reference", "error"),
    ("legal-basis-missing", "error"),
    ("legitimate-interest-missing", "error"),
    ("special-category-condition-missing", "error"),
    ("controllers-missing", "error"),
    ("joint-controllers-missing", "error"),
    ("adequacy-invalid", "error"),
    ("safeguard-missing", "error"),
    ("safeguard-kind-mismatch", "error"),
    ("derogation-missing", "error"),
    ("scc-repealed", "error"),
    ("scc-module-invalid", "error"),
    ("transfer-uncovered", "error"),
    ("retention-missing", "warning"),
    ("measures-missing", "warning"),
    ("dpa-missing", "warning"),
    ("tia-missing", "warning"),
    ("derogation-used", "warning"),
    ("transfer-inside-eea", "warning"),
    ("review-overdue", "warning"),
    ("dpia-incomplete", "warning"),
    ("unused", "warning"),
];

/// The codes version 1.1 of the contract adds.
pub const CONTRACT_1_1_CODES: &[(&str, &str)] = &[
    ("criminal-data-basis-missing", "error"),
    ("dpo-missing", "error"),
    ("compelling-interests-undocumented", "error"),
    ("scc-module-mismatch", "error"),
    ("scc-date-invalid", "error"),
    ("safeguard-expired", "error"),
    ("legal-provision-missing", "warning"),
    ("consent-employees", "warning"),
    ("child-consent-age", "warning"),
    ("automated-decision-note-missing", "warning"),
    ("automated-decision-basis", "warning"),
    ("automated-decision-special-category", "warning"),
    ("dpia-missing", "warning"),
    ("dpo-likely-required", "warning"),
    ("representative-missing", "warning"),
    ("contact-details-missing", "warning"),
    ("joint-arrangement-missing", "warning"),
    ("legitimate-interests-public-authority", "warning"),
    ("derogation-public-authority", "warning"),
    ("not-for-profit-disclosure", "warning"),
    ("safeguard-approval-missing", "warning"),
    ("adequacy-scope-employees", "warning"),
    ("retention-incomplete", "warning"),
    ("retention-category-not-processed", "warning"),
    ("acknowledgement-unused", "warning"),
    ("acknowledgement-expired", "warning"),
];

/// Codes added beyond the contract (file problems).
pub const EXTRA_CODES: &[(&str, &str)] = &[
    ("unreadable-file", "error"),
    ("file-too-large", "error"),
    ("link-outside-registry", "warning"),
];

/// The default severity of `code`, from the contract table or the extensions.
pub fn severity_of(code: &str) -> Option<&'static str> {
    CONTRACT_CODES
        .iter()
        .chain(CONTRACT_1_1_CODES)
        .chain(EXTRA_CODES)
        .find(|(c, _)| *c == code)
        .map(|(_, s)| *s)
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures_dir() -> PathBuf {
    manifest_dir().join("tests").join("fixtures")
}

pub fn fixture(name: &str) -> PathBuf {
    fixtures_dir().join(name)
}

/// Copies the folder `src` to `dst` (files and folders; links are skipped).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let ft = e.file_type().unwrap();
        let to = dst.join(e.file_name());
        if ft.is_dir() {
            copy_dir(&e.path(), &to);
        } else if ft.is_file() {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// What one run of the binary produced.
#[derive(Debug, Clone)]
pub struct Run {
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    /// Asserts the exit status, showing the output when it is not the expected one.
    #[track_caller]
    pub fn assert_exit(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(expected),
            "unexpected exit status\n--- stdout ---\n{}\n--- stderr ---\n{}",
            truncate(&self.stdout),
            truncate(&self.stderr)
        );
        self
    }

    /// The JSON diagnostics on stdout (the run must have used `--format json`).
    #[track_caller]
    pub fn diags(&self) -> Vec<Diag> {
        parse_json(&self.stdout)
    }
}

fn truncate(s: &str) -> String {
    if s.len() > 4000 {
        let mut end = 4000;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}… ({} bytes)", &s[..end], s.len())
    } else {
        s.to_string()
    }
}

/// A `Command` for the binary with a clean, reproducible environment:
/// no `SOURCE_DATE_EPOCH`, no colours, no backtraces in stderr.
pub fn ropa_command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ropa"));
    c.env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .env_remove("CLICOLOR_FORCE");
    c
}

/// Runs `cmd` to completion, killing it (and failing the test) after `timeout`.
#[track_caller]
pub fn run_with_timeout(mut cmd: Command, timeout: Duration) -> Run {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ropa");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    // Read the pipes on threads so a large output cannot block the child.
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for ropa") {
            break s;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ropa did not finish within {timeout:?} (hang?)");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let stdout = String::from_utf8(out_t.join().unwrap()).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap()).into_owned();
    Run {
        code: status.code(),
        stdout,
        stderr,
        elapsed,
    }
}

/// `ropa <args>` in `cwd`.
#[track_caller]
pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    let mut c = ropa_command();
    c.current_dir(cwd).args(args);
    run_with_timeout(c, RUN_TIMEOUT)
}

/// `ropa check --registry <registry> --as-of AS_OF --format <format> <extra>`.
#[track_caller]
pub fn check(registry: &Path, format: &str, extra: &[&str]) -> Run {
    let reg = registry.to_str().expect("UTF-8 path");
    let mut args = vec![
        "check",
        "--registry",
        reg,
        "--as-of",
        AS_OF,
        "--format",
        format,
    ];
    args.extend_from_slice(extra);
    run_in(&manifest_dir(), &args)
}

/// Checks a fixture from inside `tests/fixtures`, so that the paths in the
/// output (`--format github` prefixes the registry folder) are stable.
#[track_caller]
pub fn check_fixture(name: &str, format: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "check",
        "--registry",
        name,
        "--as-of",
        AS_OF,
        "--format",
        format,
    ];
    args.extend_from_slice(extra);
    run_in(&fixtures_dir(), &args)
}

/// One diagnostic of `--format json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    pub severity: String,
    pub code: String,
    pub message: String,
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub help: Option<String>,
}

impl Diag {
    /// `(file, line, column)` with a missing position sorting first.
    pub fn sort_key(&self) -> (String, usize, usize) {
        (
            self.file.clone(),
            self.line.unwrap_or(0),
            self.column.unwrap_or(0),
        )
    }
}

pub const JSON_KEYS: [&str; 7] = [
    "severity", "code", "message", "file", "line", "column", "help",
];

/// Parses `--format json` output and checks its shape against the contract:
/// one array, objects with exactly the seven keys, the right JSON types.
#[track_caller]
pub fn parse_json(stdout: &str) -> Vec<Diag> {
    let v: serde_json::Value = serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", truncate(stdout)));
    let arr = v
        .as_array()
        .unwrap_or_else(|| panic!("the JSON output is not an array:\n{}", truncate(stdout)));
    let expected_keys: BTreeSet<&str> = JSON_KEYS.into_iter().collect();
    arr.iter()
        .map(|o| {
            let obj = o
                .as_object()
                .unwrap_or_else(|| panic!("not an object: {o}"));
            let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
            assert_eq!(keys, expected_keys, "keys of {o}");
            let s = |k: &str| {
                obj[k]
                    .as_str()
                    .unwrap_or_else(|| panic!("`{k}` is not a string in {o}"))
                    .to_string()
            };
            let n = |k: &str| match &obj[k] {
                serde_json::Value::Null => None,
                x => Some(
                    x.as_u64()
                        .unwrap_or_else(|| panic!("`{k}` is not a number or null in {o}"))
                        as usize,
                ),
            };
            let help = match &obj["help"] {
                serde_json::Value::Null => None,
                x => Some(
                    x.as_str()
                        .unwrap_or_else(|| panic!("`help` is not a string or null in {o}"))
                        .to_string(),
                ),
            };
            Diag {
                severity: s("severity"),
                code: s("code"),
                message: s("message"),
                file: s("file"),
                line: n("line"),
                column: n("column"),
                help,
            }
        })
        .collect()
}

pub fn codes(diags: &[Diag]) -> BTreeSet<String> {
    diags.iter().map(|d| d.code.clone()).collect()
}

pub fn with_code<'a>(diags: &'a [Diag], code: &str) -> Vec<&'a Diag> {
    diags.iter().filter(|d| d.code == code).collect()
}

/// The single diagnostic with `code` in `file`; fails if there is not exactly one.
#[track_caller]
pub fn one<'a>(diags: &'a [Diag], code: &str, file: &str) -> &'a Diag {
    let found: Vec<&Diag> = diags
        .iter()
        .filter(|d| d.code == code && d.file == file)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one `{code}` in {file}, found {found:#?}\nall: {diags:#?}"
    );
    found[0]
}

/// The text of `file` from (1-based) `line` and `column` (in characters) to
/// the end of that line.
#[track_caller]
pub fn text_at(file: &Path, line: usize, column: usize) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let l = text
        .split('\n')
        .nth(line - 1)
        .unwrap_or_else(|| panic!("{} has no line {line}", file.display()));
    let l = l.strip_suffix('\r').unwrap_or(l);
    l.chars().skip(column - 1).collect()
}

/// Asserts that diagnostic `d` (in a registry at `root`) points at `token`.
#[track_caller]
pub fn assert_points_at(root: &Path, d: &Diag, token: &str) {
    let (line, col) = (d.line.expect("a line"), d.column.expect("a column"));
    let at = text_at(&root.join(&d.file), line, col);
    assert!(
        at.starts_with(token),
        "{}:{line}:{col} should point at `{token}`, but the text there is `{at}`\n{d:#?}",
        d.file
    );
}

/// A registry in a temporary folder. `minimal()` is a complete registry
/// that checks without any diagnostic; tests add or replace files.
pub struct TempRegistry {
    pub dir: tempfile::TempDir,
}

pub const ORGANISATION: &str =
    "name = \"Example AB\"\ncountry = \"SE\"\nemail = \"privacy@example.se\"\n";

pub const CATEGORIES: &str = "\
[data_subjects.customers]
name = \"Customers\"

[data_categories.contact-details]
name = \"Contact details\"
";

pub const MEASURES: &str = "\
[measures.encryption]
name = \"Encryption\"
kind = \"technical\"
";

/// A valid activity with every key the warnings look for.
pub const ACTIVITY: &str = "\
name = \"Customer accounts\"
purposes = [\"Run customer accounts\"]
legal_bases = [\"contract\"]
data_subjects = [\"customers\"]
data_categories = [\"contact-details\"]
measures = [\"encryption\"]

[[retention]]
period = \"P2Y\"
from = \"account closure\"

[review]
last_reviewed = 2026-06-01
";

impl TempRegistry {
    pub fn empty() -> Self {
        TempRegistry {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn minimal() -> Self {
        let r = Self::empty();
        r.write("organisation.toml", ORGANISATION);
        r.write("categories.toml", CATEGORIES);
        r.write("measures.toml", MEASURES);
        r.write("activities/customer-accounts.toml", ACTIVITY);
        r
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.join(rel)).unwrap();
    }

    #[track_caller]
    pub fn check(&self, format: &str) -> Run {
        check(self.path(), format, &[])
    }

    /// `check --format json`, asserting the exit status; returns the diagnostics.
    #[track_caller]
    pub fn json(&self, exit: i32) -> Vec<Diag> {
        let run = self.check("json");
        run.assert_exit(exit);
        run.diags()
    }
}

/// A test (or part of one) that needs root or `unshare` cannot run here:
/// a notice, or, when `ROPA_REQUIRE_PRIVILEGED_TESTS=1` (set by
/// `.ci/run`), a failure, so a CI machine that cannot run it fails loudly
/// instead of passing untested.
pub fn cannot_run_here(notice: &str) {
    if std::env::var_os("ROPA_REQUIRE_PRIVILEGED_TESTS").is_some_and(|v| v == "1") {
        panic!("{notice}; ROPA_REQUIRE_PRIVILEGED_TESTS=1 requires it to run");
    }
    eprintln!("NOTICE: {notice}");
}

/// A git repository in a temporary folder, for the history tests: the
/// registry is its `registry/` folder (a [`TempRegistry`]-like writer), and
/// commits get the dates the test gives. git runs with no user or system
/// configuration, so the machine's settings (signing, hooks, templates)
/// cannot change what is committed.
pub struct GitRepo {
    pub dir: tempfile::TempDir,
}

impl GitRepo {
    /// An empty repository on branch `main`.
    pub fn new() -> Self {
        let r = GitRepo {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The registry folder, `registry/` in the work tree.
    pub fn registry(&self) -> PathBuf {
        self.dir.path().join("registry")
    }

    /// Writes a file of the registry (path relative to it).
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.registry().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// Removes a file of the registry.
    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.registry().join(rel)).unwrap();
    }

    /// Runs git in the work tree with a clean environment; panics on failure.
    /// Returns its standard output, trimmed.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_at(args, "2026-01-01T12:00:00+00:00")
    }

    /// Runs git with `input` on its standard input (`git mktree`,
    /// `git hash-object --stdin`, `git fast-import`); as [`GitRepo::git`].
    pub fn git_with_input(&self, args: &[&str], input: &[u8]) -> String {
        self.git_full(args, "2026-01-01T12:00:00+00:00", input)
    }

    fn git_at(&self, args: &[&str], date: &str) -> String {
        self.git_full(args, date, &[])
    }

    fn git_full(&self, args: &[&str], date: &str, input: &[u8]) -> String {
        let mut child = Command::new("git")
            .args([
                "-c",
                "user.name=Dana Officer",
                "-c",
                "user.email=dpo@example.se",
            ])
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args(["-c", "core.hooksPath=/dev/null", "-c", "init.templateDir="])
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("HOME", self.path())
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("git runs");
        // On a thread, so a large input cannot block on git's full output pipe.
        let mut stdin = child.stdin.take().expect("stdin");
        let input = input.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output().expect("git runs");
        writer.join().expect("writer").expect("git reads its input");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Commits everything in the work tree (additions and removals) at
    /// `date` (YYYY-MM-DD, noon UTC) with `message`; returns the commit's hash.
    pub fn commit(&self, date: &str, message: &str) -> String {
        self.commit_at(&format!("{date}T12:00:00+00:00"), message)
    }

    /// [`GitRepo::commit`] at the time `when`, with its zone
    /// (`2022-12-27T23:30:00-05:00`).
    pub fn commit_at(&self, when: &str, message: &str) -> String {
        self.git_at(&["add", "-A"], when);
        self.git_at(&["commit", "-q", "--allow-empty", "-m", message], when);
        self.git(&["rev-parse", "HEAD"])
    }
}

/// A copy of valid-saas whose `[site]` table gets `extra = <value>`.
pub fn registry_with_extra(dir: &Path, value: &str) -> PathBuf {
    let reg = dir.join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    let org = std::fs::read_to_string(reg.join("organisation.toml")).unwrap();
    assert!(org.contains("[site]\n"), "valid-saas has a [site] table");
    let org = org.replacen("[site]\n", &format!("[site]\nextra = \"{value}\"\n"), 1);
    std::fs::write(reg.join("organisation.toml"), org).unwrap();
    reg
}
