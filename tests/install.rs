//! `cargo install --path .` gives a working `ropa` (issue 7, README). The
//! install reuses this build's compiled crates (`--debug`, the same
//! target folder), so it takes seconds, not a release build's minutes.

mod common;

use std::process::Command;

use common::*;

#[test]
fn cargo_install_path_gives_a_working_ropa() {
    let root = tempfile::tempdir().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(manifest_dir())
        .args([
            "install",
            "--path",
            ".",
            "--debug",
            "--locked",
            "--offline",
            "--root",
        ])
        .arg(root.path())
        .arg("--target-dir")
        .arg(manifest_dir().join("target"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo install failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ropa = root
        .path()
        .join("bin")
        .join(format!("ropa{}", std::env::consts::EXE_SUFFIX));
    assert!(ropa.is_file(), "{} was not installed", ropa.display());

    let version = Command::new(&ropa).arg("--version").output().unwrap();
    assert!(version.status.success());
    let text = String::from_utf8_lossy(&version.stdout);
    assert!(
        text.starts_with(&format!(
            "ropa {} (bundled adequacy list as of ",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );

    // The installed binary is the whole tool: it checks the example registry.
    let check = Command::new(&ropa)
        .current_dir(manifest_dir())
        .args(["check", "--registry", "registry", "--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}
