//! `ropa build --out` under pressure (issue 19, "Output"): builds of one
//! `--out` in separate PID namespaces, one of them killed; first builds
//! racing into a folder that does not exist yet; an old site with read-only
//! folders; `--out` that is a mount point. See docs/reliability.md,
//! "Concurrent builds and the old site".

#![cfg(target_os = "linux")]

#[path = "../examples/gen_registry.rs"]
#[allow(dead_code)]
mod gen_registry;

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::*;

fn ropa_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ropa"))
}

/// Every file under `dir` with its bytes (folders as `path/`), links not
/// followed.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).min_depth(1).follow_links(false) {
        let e = e.unwrap_or_else(|e| panic!("walking {}: {e}", dir.display()));
        let rel = e
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if e.file_type().is_dir() {
            out.insert(format!("{rel}/"), Vec::new());
        } else if e.file_type().is_symlink() {
            out.insert(format!("{rel}@"), Vec::new());
        } else {
            out.insert(rel, fs::read(e.path()).unwrap());
        }
    }
    out
}

/// How two trees differ: a count and a few paths.
fn differences(got: &BTreeMap<String, Vec<u8>>, want: &BTreeMap<String, Vec<u8>>) -> String {
    let mut diffs = Vec::new();
    for (k, v) in want {
        match got.get(k) {
            None => diffs.push(format!("missing {k}")),
            Some(g) if g != v => diffs.push(format!("differs {k}")),
            _ => {}
        }
    }
    for k in got.keys() {
        if !want.contains_key(k) {
            diffs.push(format!("extra {k}"));
        }
    }
    let n = diffs.len();
    diffs.truncate(8);
    format!("{n} paths differ, e.g. {diffs:?}")
}

/// The entries beside `out` other than `out` and its lock file.
fn leftovers(out: &Path) -> Vec<String> {
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    let lock = format!(".{name}.ropa-lock");
    let mut v: Vec<String> = fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| *n != name && *n != lock)
        .collect();
    v.sort();
    v
}

fn build_args(registry: &Path, out: &Path) -> Vec<String> {
    vec![
        "build".into(),
        "--as-of".into(),
        "2026-11-01".into(),
        "--registry".into(),
        registry.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ]
}

/// Can this machine run a process in a PID namespace of its own?
fn pid_namespaces() -> bool {
    Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `ropa build` as process 1 of a PID namespace of its own, with its own
/// `/proc` (as in a container): it sees no other build's process.
fn build_in_namespace(registry: &Path, out: &Path) -> Child {
    Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "--kill-child"])
        .arg(ropa_bin())
        .args(build_args(registry, out))
        .env_remove("SOURCE_DATE_EPOCH")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run unshare")
}

/// The host's process id of `unshare`'s child (the build), once it exists.
fn child_of(parent: u32) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        for e in fs::read_dir("/proc").ok()?.flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let Ok(stat) = fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            // `pid (comm) state ppid ...`: comm may hold spaces; ppid is the
            // second field after the last `)`.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if ppid == Some(parent) {
                return Some(pid);
            }
        }
        thread::sleep(Duration::from_millis(2));
    }
    None
}

/// SIGKILLs the build run by `unshare` (not `unshare` itself), then waits
/// for `unshare`, which ends once its child is gone.
fn kill_build(child: &mut Child) {
    if let Some(pid) = child_of(child.id()) {
        let _ = Command::new("sh")
            .args(["-c", "kill -KILL \"$1\"", "sh", &pid.to_string()])
            .status();
    }
    let _ = child.wait();
}

fn wait_ok(child: Child, what: &str) -> Result<(), String> {
    let o = child.wait_with_output().unwrap();
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        ))
    }
}

/// Staging folders (`.site.ropa-tmp-*`) beside `out`, by inode.
fn stagings(out: &Path) -> BTreeSet<u64> {
    fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".site.ropa-tmp-")
        })
        .filter_map(|e| e.metadata().ok().map(|m| m.ino()))
        .collect()
}

/// Two builds of one `--out`, each in a PID namespace of its own (two CI
/// containers sharing a workspace): both are process 1 and neither can see
/// the other. The second starts while the first writes its staging folder;
/// then one of them is killed: the first while it writes (the second must
/// then build the site), or the second once the first is done (the first
/// must have published its site). Whichever survives exits 0 and the
/// published site is complete, byte for byte the site of a build alone.
#[test]
fn builds_in_separate_pid_namespaces_never_corrupt_each_other() {
    if !pid_namespaces() {
        cannot_run_here(
            "skipped: `unshare --pid --fork --mount-proc` is not available or not permitted here",
        );
        return;
    }
    let t0 = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    gen_registry::run(&gen_registry::Config {
        out: reg.clone(),
        activities: 1200,
        processors: 250,
        transfers: 600,
    })
    .unwrap();
    let reference = tmp.path().join("ref/site");
    let o = Command::new(ropa_bin())
        .args(build_args(&reg, &reference))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let want = tree(&reference);

    fs::create_dir(tmp.path().join("pub")).unwrap();
    let out = tmp.path().join("pub/site");
    let mut failures = Vec::new();
    const TRIALS: usize = 6;
    for trial in 0..TRIALS {
        let kill_first = trial % 2 == 0;
        let before = stagings(&out);
        let mut first = build_in_namespace(&reg, &out);
        // Until the first build's own staging folder appears.
        let deadline = Instant::now() + Duration::from_secs(60);
        while stagings(&out).difference(&before).next().is_none()
            && first.try_wait().unwrap().is_none()
            && Instant::now() < deadline
        {
            thread::sleep(Duration::from_micros(500));
        }
        let mut second = build_in_namespace(&reg, &out);
        let outcome = if kill_first {
            // The second build is loading or waiting; the first is writing.
            thread::sleep(Duration::from_millis(300));
            kill_build(&mut first);
            wait_ok(second, "the second build")
        } else {
            let survivor = wait_ok(first, "the first build");
            // The second build loads, waits or writes: killed.
            thread::sleep(Duration::from_millis(100 * trial as u64));
            kill_build(&mut second);
            survivor
        };
        let got = if out.is_dir() {
            tree(&out)
        } else {
            BTreeMap::new()
        };
        let outcome = outcome.and_then(|()| {
            if got == want {
                Ok(())
            } else {
                Err(format!(
                    "the published site is not complete: {}",
                    differences(&got, &want)
                ))
            }
        });
        if let Err(e) = outcome {
            failures.push(format!(
                "trial {trial} ({} killed): {e}",
                if kill_first { "first" } else { "second" }
            ));
        }
    }
    // A last build alone: the site, and nothing but its lock file beside it.
    let o = Command::new(ropa_bin())
        .args(build_args(&reg, &out))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        failures.is_empty(),
        "{} of {TRIALS} trials failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(tree(&out), want);
    assert_eq!(leftovers(&out), Vec::<String>::new());
    eprintln!(
        "{TRIALS} trials in separate PID namespaces: {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}

/// Builds started together into a folder that does not exist yet all
/// succeed, and leave one complete site (before the lock, one of them
/// could fail with "Directory not empty"). Two of each trial's three
/// builds run in PID namespaces of their own where that is possible (both
/// are process 1 there, so both once picked the same staging folder).
#[test]
fn concurrent_first_builds_into_a_missing_folder_all_succeed() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = fixture("valid-saas");
    let reference = tmp.path().join("ref/site");
    let o = Command::new(ropa_bin())
        .args(build_args(&reg, &reference))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let want = tree(&reference);
    let namespaces = pid_namespaces();
    if !namespaces {
        cannot_run_here("no PID namespaces here: the three builds of each trial run side by side");
    }
    let mut failures = Vec::new();
    const TRIALS: usize = 20;
    for trial in 0..TRIALS {
        let out = tmp.path().join(format!("trial-{trial}/site"));
        let runs: Vec<Child> = (0..3)
            .map(|i| {
                if namespaces && i < 2 {
                    return build_in_namespace(&reg, &out);
                }
                Command::new(ropa_bin())
                    .args(build_args(&reg, &out))
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (i, c) in runs.into_iter().enumerate() {
            if let Err(e) = wait_ok(c, &format!("build {i}")) {
                failures.push(format!("trial {trial}: {e}"));
            }
        }
        let got = tree(&out);
        if got != want {
            failures.push(format!("trial {trial}: {}", differences(&got, &want)));
        }
        if !leftovers(&out).is_empty() {
            failures.push(format!("trial {trial}: left {:?}", leftovers(&out)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures in {TRIALS} trials:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Makes `p` and everything under it read-only (`chmod -R a-w`).
fn make_read_only(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for e in walkdir::WalkDir::new(p).contents_first(true) {
        let e = e.unwrap();
        let mode = e.metadata().unwrap().permissions().mode();
        fs::set_permissions(e.path(), fs::Permissions::from_mode(mode & !0o222)).unwrap();
    }
}

/// An old site whose folders are read-only (`chmod -R a-w site`) is still
/// replaced, and removed completely: nothing is left beside `--out`. Run
/// as an unprivileged user (root may remove anything): as `nobody` when
/// the test runs as root.
#[test]
fn an_old_site_with_read_only_folders_is_removed_completely() {
    use std::os::unix::process::CommandExt;
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    copy_dir(&fixture("valid-saas"), &reg);
    fs::create_dir(tmp.path().join("pub")).unwrap();
    let out = tmp.path().join("pub/site");
    let root = euid() == 0;
    const NOBODY: u32 = 65534;
    // `nobody` may not reach the build's binary (a checkout under /root):
    // a copy of it goes into the test's folder.
    let bin = if root {
        let copy = tmp.path().join("ropa");
        fs::copy(ropa_bin(), &copy).unwrap();
        copy
    } else {
        ropa_bin()
    };
    let run = |what: &str| {
        let mut c = Command::new(&bin);
        c.args(build_args(&reg, &out)).env("NO_COLOR", "1");
        if root {
            c.uid(NOBODY).gid(NOBODY);
        }
        let r = run_with_timeout(c, RUN_TIMEOUT);
        assert_eq!(r.code, Some(0), "{what}: {}", r.stderr);
        r
    };
    if root {
        for e in walkdir::WalkDir::new(tmp.path()) {
            std::os::unix::fs::lchown(e.unwrap().path(), Some(NOBODY), Some(NOBODY)).unwrap();
        }
    }
    run("the first build");
    fs::create_dir(out.join("locked")).unwrap();
    fs::write(out.join("locked/keep.txt"), "x").unwrap();
    if root {
        for p in [out.join("locked"), out.join("locked/keep.txt")] {
            std::os::unix::fs::lchown(&p, Some(NOBODY), Some(NOBODY)).unwrap();
        }
    }
    make_read_only(&out);
    let r = run("the build replacing the read-only site");
    assert_eq!(
        leftovers(&out),
        Vec::<String>::new(),
        "the old site was not removed\n{}",
        r.stderr
    );
    assert!(!r.stderr.contains("could not be removed"), "{}", r.stderr);
    assert!(out.join("index.html").is_file());
    assert!(!out.join("locked").exists());
    // Its one foreign folder was named.
    assert!(r.stderr.contains("`locked/` (1 file)"), "{}", r.stderr);
}

/// The effective user id (the owner of `/proc/self`).
fn euid() -> u32 {
    fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(1)
}

/// `--out` that is a mount point (a tmpfs, or a folder bind-mounted on
/// itself) is refused with a message saying so, before anything is
/// written: nothing in it, nothing beside it.
#[test]
fn a_mount_point_as_out_is_refused_before_anything_is_written() {
    let can_mount = Command::new("unshare")
        .args(["--mount", "sh", "-c", "mount -t tmpfs ropa-test /mnt"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !can_mount {
        cannot_run_here(
            "skipped: `unshare --mount` with `mount -t tmpfs` is not permitted here (the detection has a unit test in src/output/site.rs)",
        );
        return;
    }
    let reg = fixture("valid-saas");
    for how in [
        "mount -t tmpfs ropa-test \"$1\"",
        "mount --bind \"$1\" \"$1\"",
    ] {
        for with_site in [false, true] {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("site");
            fs::create_dir(&out).unwrap();
            // Inside the mount: an old site, or nothing.
            let fill = if with_site {
                "printf x > \"$1/.ropa-site\"; printf old > \"$1/index.html\";"
            } else {
                ""
            };
            let script = format!(
                "{how} || exit 99; {fill} \"$2\" build --as-of 2026-11-01 --registry \"$3\" --out \"$1\"; code=$?; \
                 echo \"--- in the mount:\" >&2; ls -A \"$1\" >&2; exit $code"
            );
            let o = Command::new("unshare")
                .args(["--mount", "sh", "-c", &script, "sh"])
                .arg(&out)
                .arg(ropa_bin())
                .arg(&reg)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{how}: {stderr}");
            assert!(stderr.contains("is a mount point"), "{how}: {stderr}");
            let listed = stderr.split("--- in the mount:\n").nth(1).unwrap_or("");
            let expected = if with_site {
                ".ropa-site\nindex.html\n"
            } else {
                ""
            };
            assert_eq!(listed, expected, "{how}: the mount's content changed");
            let beside: Vec<String> = fs::read_dir(tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert_eq!(beside, ["site"], "{how}: written beside the mount point");
        }
    }
}

/// A mount inside the old site (a tmpfs at `site/mnt`) is not entered: its
/// file is kept, the old site is removed around it, what cannot be removed
/// (the mount point) is named in a warning, and the next build, once the
/// mount is gone, removes the rest.
#[test]
fn a_mount_inside_the_old_site_is_not_entered_and_retried_later() {
    let can_mount = Command::new("unshare")
        .args(["--mount", "sh", "-c", "mount -t tmpfs ropa-test /mnt"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !can_mount {
        cannot_run_here("skipped: `unshare --mount` with `mount -t tmpfs` is not permitted here");
        return;
    }
    let reg = fixture("valid-saas");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    // $1 the site, $2 ropa, $3 the registry; the first build's old site
    // stays beside `site` (a `.site.ropa-tmp-*` folder) around the mount.
    let script = "site=\"$1\" ropa=\"$2\" reg=\"$3\"; \
         b() { \"$ropa\" build --as-of 2026-11-01 --registry \"$reg\" --out \"$site\"; }; \
         b 2>/dev/null || exit 97; mkdir \"$1/mnt\"; mount -t tmpfs ropa-test \"$1/mnt\" || exit 99; \
         printf kept > \"$1/mnt/file\"; b || exit 98; \
         echo '--- kept:' >&2; cat \"$1\"/../.site.ropa-tmp-*/mnt/file >&2; echo >&2; \
         echo '--- left:' >&2; ls -A \"$1\"/../.site.ropa-tmp-* >&2; \
         umount \"$1\"/../.site.ropa-tmp-*/mnt || exit 96; echo '--- again:' >&2; b";
    let o = Command::new("unshare")
        .args(["--mount", "sh", "-c", script, "sh"])
        .arg(&out)
        .arg(ropa_bin())
        .arg(&reg)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let (second, rest) = stderr.split_once("--- kept:\n").unwrap();
    assert!(
        second.contains("the previous site could not be removed completely from")
            && second.contains("the next build of this site tries again"),
        "{stderr}"
    );
    let (kept, rest) = rest.split_once("\n--- left:\n").unwrap();
    assert_eq!(kept, "kept", "the mount was entered: {stderr}");
    let (left, again) = rest.split_once("--- again:\n").unwrap();
    assert_eq!(left, "mnt\n", "only the mount point stays: {stderr}");
    assert!(!again.contains("warning:"), "{stderr}");
    let beside: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("ropa-tmp"))
        .collect();
    assert_eq!(
        beside,
        Vec::<String>::new(),
        "not removed by the next build"
    );
    assert!(out.join("index.html").is_file());
}
