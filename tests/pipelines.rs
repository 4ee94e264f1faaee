//! The ready-to-copy CI pipelines and hooks in `pipelines/` and
//! `.pre-commit-hooks.yaml` (docs/publishing.md): they parse, and every
//! `ropa` command they run exists with the flags they give it and works on
//! the example registry.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const FILES: [&str; 4] = [
    "pipelines/github-actions.yml",
    "pipelines/gitlab-ci.yml",
    "pipelines/pre-commit",
    ".pre-commit-hooks.yaml",
];

/// The `ropa ...` commands of a pipeline file: every non-comment line that
/// runs `ropa check|build|export`, from `ropa` to the end of the command
/// (a redirection ends it).
fn commands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('#') {
            continue;
        }
        for sub in ["ropa check", "ropa build", "ropa export"] {
            if let Some(at) = t.find(sub) {
                let cmd = &t[at..];
                let cmd = cmd.split(['>', '|', ';']).next().unwrap_or(cmd).trim();
                out.push(cmd.to_string());
            }
        }
    }
    out
}

/// The arguments of `cmd` as the shell would pass them, with the
/// registry variables pointing at the example registry and the output
/// folder at `out`.
fn args(cmd: &str, registry: &Path, out: &Path) -> Vec<String> {
    let mut args: Vec<String> = cmd
        .split_whitespace()
        .skip(1)
        .map(|a| a.trim_matches('"').to_string())
        .collect();
    for i in 0..args.len() {
        let a = args[i].clone();
        if a.contains("ROPA_REGISTRY") || (i > 0 && args[i - 1] == "--registry") {
            args[i] = registry.to_string_lossy().into_owned();
        } else if i > 0 && args[i - 1] == "--out" {
            args[i] = out.to_string_lossy().into_owned();
        }
    }
    args
}

#[test]
fn pipeline_files_parse() {
    let python = manifest_dir().join(".ci/venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: .ci/run creates it (pip install pyyaml)",
        python.display()
    );
    for f in FILES
        .iter()
        .filter(|f| f.ends_with(".yml") || f.ends_with(".yaml"))
    {
        let out = Command::new(&python)
            .args(["-c", "import sys, yaml; yaml.safe_load(open(sys.argv[1]))"])
            .arg(manifest_dir().join(f))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{f} is not valid YAML: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let hook = manifest_dir().join("pipelines/pre-commit");
    let out = Command::new("sh").arg("-n").arg(&hook).output().unwrap();
    assert!(
        out.status.success(),
        "pipelines/pre-commit: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&hook).unwrap().permissions().mode();
        assert!(mode & 0o111 != 0, "pipelines/pre-commit is not executable");
    }
}

#[test]
fn every_ropa_command_in_the_pipelines_runs_on_the_example_registry() {
    // Run from the repository root with the registry relative, as CI does:
    // annotations must name repository paths.
    let registry = PathBuf::from("registry");
    let mut seen = Vec::new();
    for f in FILES {
        let text = std::fs::read_to_string(manifest_dir().join(f)).unwrap();
        let cmds = commands(&text);
        assert!(!cmds.is_empty(), "{f} runs no ropa command");
        for cmd in cmds {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("site");
            let args = args(&cmd, &registry, &out);
            let mut c = ropa_command();
            c.current_dir(manifest_dir())
                .args(&args)
                .env("SOURCE_DATE_EPOCH", "1764028800");
            let run = run_with_timeout(c, RUN_TIMEOUT);
            // The example registry has warnings only: every command passes.
            run.assert_exit(0);
            if args[0] == "build" {
                assert!(
                    out.join("index.html").is_file(),
                    "{f}: `{cmd}` built no site"
                );
            }
            if args.windows(2).any(|w| w == ["--format", "github"]) {
                assert!(
                    run.stdout
                        .lines()
                        .all(|l| l.starts_with("::warning ") || l.starts_with("::error ")),
                    "{f}: `{cmd}` is not GitHub annotations:\n{}",
                    run.stdout
                );
                assert!(run.stdout.contains("file=registry/"), "{}", run.stdout);
            }
            seen.push(format!("{f}: {}", args[0..].join(" ")));
        }
    }
    let has = |file: &str, what: &str| seen.iter().any(|s| s.starts_with(file) && s.contains(what));
    // What docs/publishing.md promises each pipeline does.
    assert!(
        has("pipelines/github-actions.yml", "check --registry"),
        "{seen:#?}"
    );
    assert!(
        has("pipelines/github-actions.yml", "--format github"),
        "{seen:#?}"
    );
    assert!(
        has("pipelines/github-actions.yml", "build --registry"),
        "{seen:#?}"
    );
    assert!(
        has("pipelines/gitlab-ci.yml", "check --registry"),
        "{seen:#?}"
    );
    assert!(
        has("pipelines/gitlab-ci.yml", "build --registry"),
        "{seen:#?}"
    );
    assert!(has("pipelines/pre-commit", "check --registry"), "{seen:#?}");
    assert!(
        has(".pre-commit-hooks.yaml", "check --registry"),
        "{seen:#?}"
    );
}

#[test]
fn the_command_reader_is_not_vacuous() {
    let cmds = commands(
        "  # ropa build --nope\n  - ropa check --registry \"$R\" --format json > x.json\n",
    );
    assert_eq!(cmds, ["ropa check --registry \"$R\" --format json"]);
    let a = args(&cmds[0], Path::new("/reg"), Path::new("/out"));
    assert_eq!(a, ["check", "--registry", "/reg", "--format", "json"]);
}
