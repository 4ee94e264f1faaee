//! Long builds show progress on a terminal and stay quiet in CI and pipes
//! (issue 7). The terminal is a pseudo-terminal from util-linux `script`.

#![cfg(target_os = "linux")]

#[path = "../examples/gen_registry.rs"]
#[allow(dead_code)]
mod gen_registry;

use std::process::Command;

fn build_command(reg: &std::path::Path, out: &std::path::Path) -> String {
    format!(
        "{} build --as-of 2026-11-01 --registry {} --out {}",
        env!("CARGO_BIN_EXE_ropa"),
        reg.display(),
        out.display()
    )
}

/// Runs `cmd` with a pseudo-terminal as its standard streams; returns what
/// the terminal showed.
fn on_a_terminal(cmd: &str, ci: bool) -> String {
    let mut c = Command::new("script");
    c.args(["-qec", cmd, "/dev/null"]);
    if ci {
        c.env("CI", "true");
    } else {
        c.env_remove("CI");
    }
    let out = c.output().expect("util-linux script runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn progress_on_a_terminal_only() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("registry");
    gen_registry::run(&gen_registry::Config {
        out: reg.clone(),
        activities: 1500,
        processors: 300,
        transfers: 700,
    })
    .unwrap();
    let out = tmp.path().join("site");
    let cmd = build_command(&reg, &out);

    let shown = on_a_terminal(&cmd, false);
    assert!(
        shown.contains("rendering pages: "),
        "no progress on a terminal:\n{shown}"
    );
    // The line counts up to the number of pages and is erased at the end.
    assert!(shown.contains("\x1b[2K"), "{shown:?}");
    let pages = std::fs::read_dir(out.join("activities")).unwrap().count();
    assert!(pages >= 1500);
    assert!(shown.contains("built "), "{shown}");

    let ci = on_a_terminal(&cmd, true);
    assert!(
        !ci.contains("rendering pages"),
        "progress shown in CI:\n{ci}"
    );

    let piped = Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(["build", "--as-of", "2026-11-01", "--registry"])
        .arg(&reg)
        .arg("--out")
        .arg(&out)
        .env_remove("CI")
        .output()
        .unwrap();
    assert!(piped.status.success());
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(
        !stderr.contains("rendering pages"),
        "progress in a pipe:\n{stderr}"
    );
    assert!(!stderr.contains('\r'), "{stderr:?}");
}
