//! Deterministic generator of a git history for a registry, for benchmarks
//! of `ropa build` with history (bench/history.sh).
//!
//! ```text
//! cargo run --release --example gen_history -- REGISTRY_DIR [--commits N] \
//!     | git -C REPO fast-import --quiet
//! ```
//!
//! Writes a `git fast-import` stream to standard output: a first commit
//! that adds every file of REGISTRY_DIR under `registry/`, then N - 1
//! commits (default 1000 in all), one a day from 2024-01-01, each renaming
//! one activity; every 25th also removes an activity, and every 25th
//! (offset by 12) adds a copy of one under a new id. The branch is
//! `refs/heads/main`. Only the standard library is used.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn files(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(root, &p, out)?;
        } else {
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, fs::read(&p)?));
        }
    }
    Ok(())
}

fn data(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(format!("data {}\n", bytes.len()).as_bytes());
    out.extend_from_slice(bytes);
    out.push(b'\n');
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: gen_history REGISTRY_DIR [--commits N]");
        return ExitCode::from(2);
    };
    let commits: usize = match args.iter().position(|a| a == "--commits") {
        Some(i) => match args.get(i + 1).and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => {
                eprintln!("--commits takes a number");
                return ExitCode::from(2);
            }
        },
        None => 1000,
    };
    let root = PathBuf::from(dir);
    let mut all = Vec::new();
    if let Err(e) = files(&root, &root, &mut all) {
        eprintln!("cannot read {dir}: {e}");
        return ExitCode::from(2);
    }
    // The activities, by path, that later commits edit, remove and copy.
    let mut activities: Vec<(String, Vec<u8>)> = all
        .iter()
        .filter(|(p, _)| p.starts_with("activities/"))
        .cloned()
        .collect();
    let start: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z
    let mut out = Vec::new();
    for k in 0..commits {
        let when = start + 86_400 * k as i64;
        out.extend_from_slice(b"commit refs/heads/main\n");
        out.extend_from_slice(format!("mark :{}\n", k + 1).as_bytes());
        for who in ["author", "committer"] {
            out.extend_from_slice(
                format!("{who} Bench Writer <bench@example.com> {when} +0000\n").as_bytes(),
            );
        }
        if k == 0 {
            data(&mut out, b"Add the record of processing activities");
            for (rel, bytes) in &all {
                out.extend_from_slice(format!("M 100644 inline registry/{rel}\n").as_bytes());
                data(&mut out, bytes);
            }
            out.push(b'\n');
            continue;
        }
        let n = activities.len();
        let pick = (k * 7919) % n;
        let (rel, bytes) = activities[pick].clone();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let renamed: String = text
            .lines()
            .map(|l| match l.strip_prefix("name = \"") {
                Some(rest) => {
                    let base = rest.trim_end_matches('"');
                    let base = base.split(" (rev ").next().unwrap_or(base);
                    format!("name = \"{base} (rev {k})\"")
                }
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        data(&mut out, format!("Rename activity {rel}").as_bytes());
        out.extend_from_slice(format!("from :{k}\n").as_bytes());
        out.extend_from_slice(format!("M 100644 inline registry/{rel}\n").as_bytes());
        data(&mut out, renamed.as_bytes());
        activities[pick].1 = renamed.into_bytes();
        if k % 25 == 0 {
            let gone = (k * 104_729 + 1) % n;
            if gone != pick {
                let (rel, _) = activities.remove(gone);
                out.extend_from_slice(format!("D registry/{rel}\n").as_bytes());
            }
        }
        if k % 25 == 12 {
            let (rel, bytes) = activities[(k * 31) % activities.len()].clone();
            let copy = rel.replace(".toml", &format!("-copy-{k}.toml"));
            out.extend_from_slice(format!("M 100644 inline registry/{copy}\n").as_bytes());
            data(&mut out, &bytes);
            activities.push((copy, bytes));
        }
        out.push(b'\n');
    }
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(&out).and_then(|_| stdout.flush()).is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
