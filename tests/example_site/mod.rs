//! What the example-registry tests share: running the real binary, and an
//! example built into a temporary folder with its register and pages.

#![allow(dead_code)] // each test file uses a different part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::Html;
use serde_json::Value;

/// Runs `ropa` from the crate root, with `SOURCE_DATE_EPOCH` cleared so the
/// date comes from `--as-of` only.
pub fn ropa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run the ropa binary")
}

/// Status and both streams, for assertion messages.
pub fn show(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// An example registry built into a temporary folder (removed when dropped).
pub struct Site {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    /// The site's `ropa.json`, parsed.
    pub json: Value,
}

impl Site {
    pub fn build(registry: &Path, as_of: &str) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("site");
        let out = ropa(&[
            "build",
            "--registry",
            registry.to_str().unwrap(),
            "--out",
            root.to_str().unwrap(),
            "--as-of",
            as_of,
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "ropa build failed:\n{}",
            show(&out)
        );
        let text = std::fs::read_to_string(root.join("ropa.json")).expect("the site has ropa.json");
        let json = serde_json::from_str(&text).expect("ropa.json is JSON");
        Site {
            _dir: dir,
            root,
            json,
        }
    }

    pub fn json(&self) -> Value {
        self.json.clone()
    }

    pub fn page(&self, rel: &str) -> Html {
        let text = std::fs::read_to_string(self.root.join(rel))
            .unwrap_or_else(|e| panic!("cannot read page {rel}: {e}"));
        Html::parse_document(&text)
    }
}
