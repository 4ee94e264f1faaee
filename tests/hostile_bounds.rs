//! Memory and time are bounded on hostile input (issue 19): the real
//! binary on pathological files, its peak memory measured by the kernel
//! (`wait4`'s resource usage of that one child), its time bounded.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Peak memory allowed for any of these runs.
const ONE_GB_KB: i64 = 1024 * 1024;

/// What a run of the binary gave, with its peak resident memory.
struct Measured {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    peak_kb: i64,
    elapsed: Duration,
}

impl Measured {
    #[track_caller]
    fn assert_bounded(&self, exit: i32) {
        assert_eq!(
            self.code,
            Some(exit),
            "exit status; stderr: {}",
            &self.stderr[..self.stderr.len().min(2000)]
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(
            self.peak_kb < ONE_GB_KB,
            "peak memory {} MB is over 1 GB",
            self.peak_kb / 1024
        );
    }
}

/// Runs `cmd` with its output in files, kills it after `timeout` (failing
/// the test), and reads its peak RSS from `wait4`.
#[track_caller]
fn measure(mut cmd: Command, timeout: Duration) -> Measured {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("stdout");
    let err_path = dir.path().join("stderr");
    let child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("spawn ropa");
    let pid = child.id() as libc::pid_t;
    let start = Instant::now();
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value of the plain C struct.
    #[allow(unsafe_code)]
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet reaped (std's `Child` is
        // never waited on); the pointers are to live locals.
        #[allow(unsafe_code)]
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(r >= 0, "wait4: {}", std::io::Error::last_os_error());
        if r == pid {
            break;
        }
        if start.elapsed() > timeout {
            // SAFETY: as above; the child is killed, then reaped.
            #[allow(unsafe_code)]
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, &mut usage);
            }
            panic!(
                "ropa did not finish within {timeout:?} (peak {} MB)",
                usage.ru_maxrss / 1024
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = start.elapsed();
    drop(child);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Measured {
        code,
        stdout: String::from_utf8_lossy(&std::fs::read(&out_path).unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err_path).unwrap()).into_owned(),
        // Linux reports it in kilobytes.
        peak_kb: usage.ru_maxrss,
        elapsed,
    }
}

fn check_json(registry: &Path) -> Command {
    let mut cmd = ropa_command();
    cmd.args(["check", "--format", "json", "--as-of", AS_OF, "--registry"])
        .arg(registry);
    cmd
}

const LOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// The files named `file-too-large` in the diagnostics, with their messages.
fn too_large(diags: &[Diag]) -> Vec<(String, String)> {
    with_code(diags, "file-too-large")
        .into_iter()
        .map(|d| (d.file.clone(), d.message.clone()))
        .collect()
}

/// One 15 MB file of `=`: 3.7 GB before (the parser's recovery kept one
/// error per `=`). Now refused for its tokens, with a message that says so.
#[test]
fn fifteen_mb_of_equals_signs() {
    let reg = TempRegistry::minimal();
    reg.write("activities/eq.toml", "=".repeat(15_000_000));
    let run = measure(check_json(reg.path()), LOAD_TIMEOUT);
    run.assert_bounded(1);
    let diags = parse_json(&run.stdout);
    let refused = too_large(&diags);
    assert_eq!(refused.len(), 1, "{diags:#?}");
    assert_eq!(refused[0].0, "activities/eq.toml");
    assert!(
        refused[0].1.contains("500000 TOML tokens"),
        "{}",
        refused[0].1
    );
}

/// Four of them: 7.85 GB with two threads before, growing with the cores.
/// Bounded on more threads than the machine has, too.
#[test]
fn four_files_of_equals_signs_on_many_threads() {
    let reg = TempRegistry::minimal();
    let eq = "=".repeat(15_000_000);
    for i in 0..4 {
        reg.write(&format!("activities/eq-{i}.toml"), &eq);
    }
    let mut cmd = check_json(reg.path());
    cmd.env("RAYON_NUM_THREADS", "16");
    let run = measure(cmd, LOAD_TIMEOUT);
    run.assert_bounded(1);
    assert_eq!(too_large(&parse_json(&run.stdout)).len(), 4);
}

/// Five million `{}`, bare (10 MB) and as a list's items (15 MB, valid
/// TOML): 1.5 GB before.
#[test]
fn five_million_inline_tables() {
    let reg = TempRegistry::minimal();
    reg.write("activities/bare.toml", "{}".repeat(5_000_000));
    reg.write(
        "activities/listed.toml",
        format!("a = [{}]\n", "{},".repeat(5_000_000)),
    );
    let run = measure(check_json(reg.path()), LOAD_TIMEOUT);
    run.assert_bounded(1);
    let refused = too_large(&parse_json(&run.stdout));
    let files: Vec<&str> = refused.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(files, ["activities/bare.toml", "activities/listed.toml"]);
}

/// Files just under the token limit, of the shapes that cost the parser the
/// most per token (nested inline tables with dotted keys, dotted keys),
/// eight of them on 16 threads: read (not refused), within 1 GB.
#[test]
fn files_just_under_the_token_limit() {
    let reg = TempRegistry::minimal();
    let nested = format!("a = [{}]\n", "{a.b.c={}},".repeat(45_000));
    let dotted: String = (0..62_000).map(|i| format!("k{i}.a.b=1\n")).collect();
    for i in 0..4 {
        reg.write(&format!("activities/nested-{i}.toml"), &nested);
        reg.write(&format!("activities/dotted-{i}.toml"), &dotted);
    }
    let mut cmd = check_json(reg.path());
    cmd.env("RAYON_NUM_THREADS", "16");
    let run = measure(cmd, LOAD_TIMEOUT);
    run.assert_bounded(1);
    let diags = parse_json(&run.stdout);
    // Parsed: each file's unknown keys are reported, not its size.
    for i in 0..4 {
        let file = format!("activities/nested-{i}.toml");
        assert!(
            diags
                .iter()
                .any(|d| d.file == file && d.message.contains("unknown key `a`")),
            "{file}"
        );
    }
    assert!(
        too_large(&diags)
            .iter()
            .all(|(f, m)| f.starts_with("activities/dotted-") && m.contains("more problems")),
        "{:?}",
        too_large(&diags)
    );
}

/// A file with 70,000 unknown keys gets 200 diagnostics and one that says
/// how many more there are, instead of 70,000 (2.7 GB and 18 s for a
/// million before).
#[test]
fn problems_per_file_are_capped() {
    let reg = TempRegistry::minimal();
    let mut text = String::from(ACTIVITY);
    text.insert_str(
        0,
        &(0..70_000)
            .map(|i| format!("k{i} = 1\n"))
            .collect::<String>(),
    );
    reg.write("activities/keys.toml", &text);
    let run = measure(check_json(reg.path()), LOAD_TIMEOUT);
    run.assert_bounded(1);
    let diags = parse_json(&run.stdout);
    let in_file: Vec<&Diag> = diags
        .iter()
        .filter(|d| d.file == "activities/keys.toml")
        .collect();
    assert_eq!(
        in_file.len(),
        201,
        "{:#?}",
        &in_file[..in_file.len().min(3)]
    );
    let summary = one(&diags, "file-too-large", "activities/keys.toml");
    assert_eq!(summary.severity, "error");
    assert!(
        summary
            .message
            .contains("69800 more problems that are not listed"),
        "{}",
        summary.message
    );
    // The ones listed are the first in the file.
    assert!(
        in_file
            .iter()
            .any(|d| d.message.contains("unknown key `k0`"))
    );
}

/// `processors/vendor-NNNNN.toml` for `n` processors, and activities that
/// name `refs` processors that do not exist, 100 per activity.
fn dangling_registry(processors: usize, refs: usize, id: impl Fn(usize) -> String) -> TempRegistry {
    let reg = TempRegistry::minimal();
    for i in 0..processors {
        reg.write(
            &format!("processors/vendor-{i:05}.toml"),
            "name = \"Vendor\"\nservice = \"Hosting\"\ncountry = \"SE\"\n",
        );
    }
    for a in 0..refs.div_ceil(100) {
        let names: Vec<String> = (a * 100..((a + 1) * 100).min(refs))
            .map(|i| format!("\"{}\"", id(i)))
            .collect();
        reg.write(
            &format!("activities/many-{a:05}.toml"),
            format!("processors = [{}]\n{ACTIVITY}", names.join(", ")),
        );
    }
    reg
}

/// 32,000 dangling references against 2,000 processors: 190 s before (every
/// one scored against every id). Now the search has one budget for the
/// run; the first references still get their suggestion. The bound holds
/// for the debug binary the tests run, with a wide margin.
#[test]
fn thirty_two_thousand_dangling_references() {
    let reg = dangling_registry(2_000, 32_000, |i| format!("vendr-{i:05}"));
    let run = measure(check_json(reg.path()), Duration::from_secs(60));
    run.assert_bounded(1);
    let diags = parse_json(&run.stdout);
    let dangling = with_code(&diags, "dangling-reference");
    assert_eq!(dangling.len(), 32_000);
    let suggested = dangling
        .iter()
        .filter(|d| {
            d.help
                .as_deref()
                .is_some_and(|h| h.starts_with("did you mean"))
        })
        .count();
    // 2,000,000 candidates scored / 2,000 per search.
    assert_eq!(suggested, 1_000);
    assert!(run.elapsed < Duration::from_secs(60));
}

/// One dangling id of 1 MB against 2,000 processors: 21 s before. It is no
/// valid id, so it gets no search.
#[test]
fn one_megabyte_dangling_id() {
    let reg = dangling_registry(2_000, 1, |_| "v".repeat(1_000_000));
    let run = measure(check_json(reg.path()), Duration::from_secs(20));
    run.assert_bounded(1);
    let diags = parse_json(&run.stdout);
    let dangling = with_code(&diags, "dangling-reference");
    assert_eq!(dangling.len(), 1);
    assert!(
        dangling[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("or use an existing processor")),
        "{:?}",
        dangling[0].help
    );
}

/// An unknown key of 1 MB costs one pass, not one per key it is compared with.
#[test]
fn one_megabyte_unknown_key() {
    let reg = TempRegistry::minimal();
    let key = "k".repeat(1_000_000);
    let keys: String = (0..15).map(|i| format!("{key}{i} = 1\n")).collect();
    reg.write("activities/long-keys.toml", format!("{keys}{ACTIVITY}"));
    let run = measure(check_json(reg.path()), Duration::from_secs(30));
    run.assert_bounded(1);
    let diags = parse_json(&run.stdout);
    assert_eq!(with_code(&diags, "schema").len(), 15);
}

/// `{"schema_version":…,"generator":…,"x":[[],[],…]}` of about `bytes`,
/// with the last item `last`.
fn empty_arrays(path: &Path, items: usize, last: &str) {
    let mut text = String::from(r#"{"schema_version":"1.0.0","generator":{"name":"ropa"},"x":["#);
    text.reserve(items * 3);
    for _ in 1..items {
        text.push_str("[],");
    }
    text.push_str(last);
    text.push_str("]}");
    std::fs::write(path, text).unwrap();
}

fn diff_of(old: &Path, new: &Path) -> Command {
    let mut cmd = ropa_command();
    cmd.arg("diff").arg(old).arg(new);
    cmd
}

/// A 40 MB register of empty arrays took 3.6 GB (250 MB: killed at 19.7 GB).
/// It is refused for its number of values before it is parsed. (A 250 MB
/// file is refused by the same count, at the same cost per byte: 40 MB
/// keeps the test light on CI.)
#[test]
fn diff_of_forty_mb_of_empty_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    empty_arrays(&old, 13_333_000, "[]");
    empty_arrays(&new, 13_333_000, "[1]");
    let run = measure(diff_of(&old, &new), Duration::from_secs(60));
    run.assert_bounded(2);
    assert!(
        run.stderr.contains("holds more than 3500000 JSON values"),
        "{}",
        run.stderr
    );
}

/// Just under the limit of values, two such registers are compared (one
/// change found) within 1 GB and in bounded time.
#[test]
fn diff_just_under_the_value_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    empty_arrays(&old, 3_499_990, "[]");
    empty_arrays(&new, 3_499_990, "[1]");
    let run = measure(diff_of(&old, &new), Duration::from_secs(120));
    run.assert_bounded(1);
    assert!(
        run.stdout.contains("x[3499989]:\n        + 1\n"),
        "{}",
        run.stdout
    );
}

/// A register shaped as the export of the generated registry of 10,000
/// activities (`examples/gen_registry`): 74 MB and some 3 million JSON
/// values, just under the limit. `changed` activities get another name and one more purpose.
fn big_register(path: &Path, changed: &[usize]) {
    use std::fmt::Write;
    let refs = |out: &mut String, key: &str, prefix: &str, i: usize, n: usize| {
        write!(out, r#""{key}":["#).unwrap();
        for j in 0..n {
            let sep = if j == 0 { "" } else { "," };
            let k = (i * 7 + j * 13) % 500;
            write!(
                out,
                r#"{sep}{{"id":"{prefix}-{k:05}","name":"{prefix} number {k} of the register, with a longer name"}}"#
            )
            .unwrap();
        }
        out.push_str("],");
    };
    let mut s = String::with_capacity(100_000_000);
    s.push_str(r#"{"schema_version":"1.0.0","generator":{"name":"ropa"},"as_of":"2026-11-01","controller_record":{"article":"30(1)","activities":["#);
    for i in 0..10_000 {
        if i > 0 {
            s.push(',');
        }
        let extra = if changed.contains(&i) {
            " (renamed)"
        } else {
            ""
        };
        write!(
            s,
            r#"{{"id":"a-{i:05}","name":"Activity {i}{extra}","description":"What activity {i} does, described at the length of a real register's descriptions of their activities, a sentence or two.","role":"controller","status":"active","owner":"Team {t}","#,
            t = i % 17
        )
        .unwrap();
        s.push_str(r#""purposes":["Providing the service","Security","Statistics""#);
        if !extra.is_empty() {
            s.push_str(r#","A new purpose""#);
        }
        s.push_str("],");
        refs(&mut s, "data_subjects", "ds", i, 12);
        refs(&mut s, "data_categories", "dc", i, 24);
        refs(&mut s, "processors", "p", i, 12);
        refs(&mut s, "recipients", "r", i, 12);
        refs(&mut s, "transfers", "t", i, 12);
        refs(&mut s, "measures", "m", i, 18);
        write!(
            s,
            r#""transfers_outside_eea":true,"systems":["CRM","Mail","Backup"],"retention":{{"period":"P{y}Y","note":"Kept for {y} years"}},"review":{{"last":"2026-01-01","interval":"P1Y","due":"2027-01-01","overdue":false}},"note":null}}"#,
            y = 1 + i % 9
        )
        .unwrap();
    }
    s.push_str("]}}");
    std::fs::write(path, s).unwrap();
}

/// Two registers of 10,000 activities, three activities apart: the diff
/// took 2.9 GB, parsing each register whole (2.4 GB for the export of the
/// generated registry). It now keeps one written-out projection per entity and parses
/// again only the entities that differ.
#[test]
fn diff_of_two_registers_of_ten_thousand_activities() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    big_register(&old, &[]);
    big_register(&new, &[3, 4_000, 9_999]);
    let run = measure(diff_of(&old, &new), Duration::from_secs(120));
    run.assert_bounded(1);
    assert!(
        run.stdout
            .contains("name: Activity 4000 → Activity 4000 (renamed)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("3 activities changed"),
        "{}",
        run.stdout
    );
}
