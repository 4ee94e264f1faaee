//! Kill safety: `ropa build` killed with SIGKILL at any point never damages
//! the published site, and the next successful build leaves no temporary
//! folder behind (docs/reliability.md, "Kill safety").
//!
//! A large generated registry is built once into OUT. Then, for kill points
//! spread over a build (fractions of a measured full build, right after the
//! staging folder appears, right after the swap), a build of a *changed*
//! registry into the same OUT is started and killed. After every kill OUT
//! must be, byte for byte, either the site it held before (the kill landed
//! before the swap) or the complete new site (it landed after), never
//! anything else. A watcher checks that OUT exists as a site the whole time.
//! Finally one build runs to completion: OUT is the new site and nothing but
//! OUT is left in its parent folder.

#![cfg(unix)]

#[path = "../examples/gen_registry.rs"]
#[allow(dead_code)]
mod gen_registry;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const AS_OF: &str = "2026-11-01";
/// Large enough that a debug build takes a few seconds on the project's
/// 2-core machine (about 3 s: load and check 0.7 s, render and write 2 s),
/// small enough that the whole test stays well under a minute.
const ACTIVITIES: usize = 2000;
const PROCESSORS: usize = 400;
const TRANSFERS: usize = 1000;

// ---------------------------------------------------------------------------
// Snapshots of a folder tree
// ---------------------------------------------------------------------------

#[derive(PartialEq, Eq)]
enum Entry {
    Dir,
    File(Vec<u8>),
    Link(PathBuf),
}

/// Every entry under `root` (not `root` itself), by relative path, with the
/// full bytes of every file.
type Snapshot = BTreeMap<PathBuf, Entry>;

fn snapshot(root: &Path) -> Snapshot {
    let mut s = Snapshot::new();
    for e in walkdir::WalkDir::new(root).min_depth(1).follow_links(false) {
        let e = e.unwrap_or_else(|e| panic!("walking {}: {e}", root.display()));
        let rel = e.path().strip_prefix(root).unwrap().to_path_buf();
        let t = e.file_type();
        let entry = if t.is_dir() {
            Entry::Dir
        } else if t.is_symlink() {
            Entry::Link(fs::read_link(e.path()).unwrap())
        } else {
            Entry::File(fs::read(e.path()).unwrap())
        };
        s.insert(rel, entry);
    }
    s
}

fn file_bytes(s: &Snapshot) -> usize {
    s.values()
        .map(|e| match e {
            Entry::File(b) => b.len(),
            _ => 0,
        })
        .sum()
}

/// How `got` differs from `want`: the number of differing paths and a few
/// of them, for failure messages.
fn differences(got: &Snapshot, want: &Snapshot) -> (usize, Vec<String>) {
    let mut n = 0;
    let mut some = Vec::new();
    let mut note = |what: &str, p: &Path| {
        n += 1;
        if some.len() < 8 {
            some.push(format!("{what} {}", p.display()));
        }
    };
    for (p, e) in want {
        match got.get(p) {
            None => note("missing", p),
            Some(g) if g != e => note("differs", p),
            Some(_) => {}
        }
    }
    for p in got.keys() {
        if !want.contains_key(p) {
            note("extra", p);
        }
    }
    (n, some)
}

// ---------------------------------------------------------------------------
// Running ropa
// ---------------------------------------------------------------------------

fn ropa_build(registry: &Path, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ropa"));
    c.args(["build", "--as-of", AS_OF, "--registry"])
        .arg(registry)
        .arg("--out")
        .arg(out)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("ROPA_TIMINGS");
    c
}

fn build_ok(registry: &Path, out: &Path) -> Duration {
    let t = Instant::now();
    let o = ropa_build(registry, out).output().unwrap();
    let took = t.elapsed();
    assert!(
        o.status.success(),
        "ropa build --out {} failed ({}):\n{}{}",
        out.display(),
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    took
}

/// Everything in OUT's parent folder other than OUT itself and its lock
/// file (`.<name>.ropa-lock`, which stays): temporary
/// (`.<name>.ropa-tmp-<pid>`) and old (`.<name>.ropa-old-<pid>`) folders.
fn leftovers(out: &Path) -> Vec<String> {
    let name = out.file_name().unwrap();
    let lock = format!(".{}.ropa-lock", name.to_string_lossy());
    let mut v: Vec<String> = fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != name && *n != *lock)
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn staging_of(out: &Path, pid: u32) -> PathBuf {
    let name = out.file_name().unwrap().to_string_lossy();
    out.with_file_name(format!(".{name}.ropa-tmp-{pid}"))
}

/// Is OUT a site (its front page and its marker are there)? Checked twice
/// before saying no, so that a lookup racing the atomic exchange (a path
/// resolved to the old folder just as its files are being removed) is not
/// taken for a missing site.
fn out_is_site(out: &Path) -> bool {
    let ok = || out.join("index.html").is_file() && out.join(".ropa-site").is_file();
    ok() || ok()
}

/// Polls, every millisecond while a build runs, that OUT is a site; returns
/// what it saw missing (empty when OUT was a site at every poll) and the
/// number of polls.
struct Watcher {
    stop: Arc<AtomicBool>,
    handle: thread::JoinHandle<(Vec<String>, usize)>,
}

impl Watcher {
    fn start(out: &Path) -> Watcher {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let out = out.to_path_buf();
        let handle = thread::spawn(move || {
            let t = Instant::now();
            let mut missing = Vec::new();
            let mut polls = 0;
            while !s.load(Ordering::Relaxed) {
                polls += 1;
                if !out_is_site(&out) && missing.len() < 5 {
                    missing.push(format!(
                        "OUT was not a site {} ms into the build",
                        t.elapsed().as_millis()
                    ));
                }
                thread::sleep(Duration::from_millis(1));
            }
            (missing, polls)
        });
        Watcher { stop, handle }
    }

    fn finish(self) -> (Vec<String>, usize) {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap()
    }
}

// ---------------------------------------------------------------------------
// The kills
// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum When {
    /// After this fraction of a measured full build.
    Fraction(f64),
    /// As soon as this build's staging folder exists.
    StagingAppears,
    /// As soon as OUT is a different folder (the exchange happened), while
    /// the old site is being removed from the staging path.
    AfterSwap,
}

impl When {
    fn label(self) -> String {
        match self {
            When::Fraction(f) => format!("{:>3.0}% of a build", f * 100.0),
            When::StagingAppears => "staging appears".into(),
            When::AfterSwap => "swap seen".into(),
        }
    }
}

/// Polls `cond` every 200 µs until it holds or the child exits.
fn poll_until(child: &mut Child, cond: impl Fn() -> bool) {
    while !cond() {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        thread::sleep(Duration::from_micros(200));
    }
}

#[derive(PartialEq, Eq, Clone, Copy, Debug)]
enum Landed {
    /// OUT is still the site it was before the build.
    BeforeSwap,
    /// OUT is the complete new site.
    AfterSwap,
}

struct Kill {
    when: When,
    at: Duration,
    /// `Err(exit status)` when the build finished before the signal came.
    killed: Result<(), i32>,
    landed: Landed,
    /// This build's staging folder was there after the kill.
    staging_left: bool,
    leftovers_before: usize,
    leftovers_after: Vec<String>,
}

#[test]
fn sigkill_at_any_point_leaves_the_published_site_intact() {
    let t_test = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    gen_registry::run(&gen_registry::Config {
        out: reg.clone(),
        activities: ACTIVITIES,
        processors: PROCESSORS,
        transfers: TRANSFERS,
    })
    .unwrap();
    let t_gen = t_test.elapsed();

    // OUT sits alone in its own folder, so anything else there is a leftover.
    fs::create_dir(tmp.path().join("pub")).unwrap();
    let out = tmp.path().join("pub").join("site");

    // Two versions of the registry, differing in one activity's name.
    let act = walkdir::WalkDir::new(reg.join("activities"))
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .find(|e| e.file_type().is_file())
        .unwrap()
        .into_path();
    let text_a = fs::read_to_string(&act).unwrap();
    assert!(text_a.starts_with("name = \""), "{}", act.display());
    let text_b = text_a.replacen("name = \"", "name = \"Renamed: ", 1);

    // Site A into OUT: a first build, then a timed one that replaces it (a
    // full build as the kills will see it: write, swap, remove the old site).
    build_ok(&reg, &out);
    let full = build_ok(&reg, &out);
    let site_a = snapshot(&out);
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));

    // Site B, built separately, the reference for "the complete new site".
    fs::write(&act, &text_b).unwrap();
    let reference = tmp.path().join("ref").join("site");
    build_ok(&reg, &reference);
    let site_b = snapshot(&reference);
    fs::remove_dir_all(reference.parent().unwrap()).unwrap();
    let (n_diff, _) = differences(&site_b, &site_a);
    assert!(n_diff > 0, "renaming an activity must change the site");

    eprintln!(
        "registry: {ACTIVITIES} activities, {PROCESSORS} processors, {TRANSFERS} transfers (generated in {} ms)\n\
         site: {} entries, {:.1} MB; the rename changes {n_diff} files\n\
         full build replacing OUT: {} ms",
        t_gen.as_millis(),
        site_a.len(),
        file_bytes(&site_a) as f64 / 1e6,
        full.as_millis(),
    );

    // sites[cur] is what OUT holds; each build makes the other one, so every
    // kill (also after one that landed past the swap) interrupts a change.
    let sites = [(&text_a, &site_a, "A"), (&text_b, &site_b, "B")];
    let mut cur = 0;

    let points = [
        When::Fraction(0.05),
        When::StagingAppears,
        When::Fraction(0.20),
        When::Fraction(0.40),
        When::Fraction(0.60),
        When::Fraction(0.80),
        When::Fraction(0.95),
        When::AfterSwap,
    ];
    let mut kills = Vec::new();
    for when in points {
        let target = 1 - cur;
        fs::write(&act, sites[target].0).unwrap();
        let leftovers_before = leftovers(&out).len();
        let ino_before = fs::metadata(&out).unwrap().ino();

        let watcher = Watcher::start(&out);
        let start = Instant::now();
        let mut child = ropa_build(&reg, &out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let staging = staging_of(&out, child.id());
        match when {
            When::Fraction(f) => thread::sleep(full.mul_f64(f)),
            When::StagingAppears => poll_until(&mut child, || staging.exists()),
            When::AfterSwap => poll_until(&mut child, || {
                fs::metadata(&out).map(|m| m.ino()).ok() != Some(ino_before)
            }),
        }
        let at = start.elapsed();
        // SIGKILL; a no-op if the build has already finished.
        let _ = child.kill();
        let status = child.wait().unwrap();
        let (missing, _) = watcher.finish();

        let killed = match status.signal() {
            Some(libc::SIGKILL) => Ok(()),
            _ => Err(status.code().unwrap_or(-1)),
        };
        assert!(
            missing.is_empty(),
            "kill at {}: while the build ran, {missing:?}",
            when.label()
        );
        assert!(
            out_is_site(&out),
            "kill at {} ({} ms): OUT is no longer a site (index.html or .ropa-site missing)",
            when.label(),
            at.as_millis()
        );

        let got = snapshot(&out);
        let landed = if &got == sites[cur].1 {
            Landed::BeforeSwap
        } else if &got == sites[target].1 {
            cur = target;
            Landed::AfterSwap
        } else {
            let (na, ea) = differences(&got, sites[cur].1);
            let (nb, eb) = differences(&got, sites[target].1);
            panic!(
                "kill at {} ({} ms): OUT is neither the previous site nor the new one\n\
                 against the previous site: {na} paths differ, e.g. {ea:#?}\n\
                 against the new site: {nb} paths differ, e.g. {eb:#?}",
                when.label(),
                at.as_millis()
            );
        };
        drop(got);

        let staging_left = staging.exists();
        let leftovers_after = leftovers(&out);
        let own = staging.file_name().unwrap().to_string_lossy().into_owned();
        match killed {
            Ok(()) => {
                // Staging is made after the leftovers of earlier builds are
                // removed: if this build's staging folder exists, they are gone.
                if staging_left {
                    let others: Vec<_> = leftovers_after.iter().filter(|n| **n != own).collect();
                    assert!(
                        others.is_empty(),
                        "kill at {}: this build got as far as staging, yet earlier builds' leftovers remain: {others:?}",
                        when.label()
                    );
                }
            }
            Err(code) => {
                assert_eq!(code, 0, "the build at {} failed on its own", when.label());
                assert_eq!(
                    landed,
                    Landed::AfterSwap,
                    "a finished build swapped its site in"
                );
                assert!(
                    leftovers_after.is_empty(),
                    "a finished build leaves nothing beside OUT: {leftovers_after:?}"
                );
            }
        }
        kills.push(Kill {
            when,
            at,
            killed,
            landed,
            staging_left,
            leftovers_before,
            leftovers_after,
        });
    }

    eprintln!("kill point          at ms  outcome   OUT after           leftovers before -> after");
    for k in &kills {
        eprintln!(
            "{:<18} {:>6}  {:<8}  {:<18}  {} -> {:?}",
            k.when.label(),
            k.at.as_millis(),
            match k.killed {
                Ok(()) => "SIGKILL".to_string(),
                Err(c) => format!("exit {c}"),
            },
            match (k.landed, k.staging_left) {
                (Landed::BeforeSwap, false) => "previous (no stg)",
                (Landed::BeforeSwap, true) => "previous (staging)",
                (Landed::AfterSwap, _) => "new (after swap)",
            },
            k.leftovers_before,
            k.leftovers_after,
        );
    }
    // The polled points guarantee both kinds of landing, whatever the speed
    // of the machine: one mid-write, one past the swap.
    assert!(
        kills
            .iter()
            .any(|k| k.landed == Landed::BeforeSwap && k.staging_left && k.killed.is_ok()),
        "no kill landed while the new site was being written"
    );
    assert!(
        kills.iter().any(|k| k.landed == Landed::AfterSwap),
        "no kill landed after the swap"
    );

    // One build to completion: the other site, and nothing left beside OUT.
    let target = 1 - cur;
    fs::write(&act, sites[target].0).unwrap();
    let before = leftovers(&out);
    let watcher = Watcher::start(&out);
    let took = build_ok(&reg, &out);
    let (missing, polls) = watcher.finish();
    assert!(missing.is_empty(), "during the final build: {missing:?}");
    let got = snapshot(&out);
    if &got != sites[target].1 {
        let (n, e) = differences(&got, sites[target].1);
        panic!("after the final build OUT is not the new site: {n} paths differ, e.g. {e:#?}");
    }
    let after = leftovers(&out);
    assert!(
        after.is_empty(),
        "the final build left temporary folders beside OUT: {after:?}"
    );
    eprintln!(
        "final build ({} ms, site {}): leftovers before {before:?}, after none; OUT a site at all {polls} polls\n\
         whole test: {:.1} s",
        took.as_millis(),
        sites[target].2,
        t_test.elapsed().as_secs_f64()
    );
}
