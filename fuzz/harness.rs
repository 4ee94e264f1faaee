//! What each fuzz target does with its input, shared by the cargo-fuzz
//! targets (`fuzz/fuzz_targets/*.rs`) and by `tests/fuzz_regressions.rs`,
//! which replays every saved finding on each `cargo test`.
//!
//! Each function must never panic, hang or allocate without bound, whatever
//! the bytes; the assertions below are the properties beyond "no crash".

#![allow(dead_code)]

use std::path::Path;

use ropa::diag::{render_github, render_human, render_json};
use ropa::load::load_files;
use ropa::model::Date;
use ropa::pipeline::check;

/// Where the first byte of a `load_file` input puts the rest.
pub const FILE_PLACES: [&str; 9] = [
    "organisation.toml",
    "categories.toml",
    "measures.toml",
    "adequacy.toml",
    "activities/fuzz.toml",
    "processors/fuzz.toml",
    "recipients/fuzz.toml",
    "transfers/fuzz.toml",
    "safeguards/fuzz.toml",
];

fn as_of() -> Date {
    Date::parse("2026-11-24").expect("a valid date")
}

/// Checks a registry and renders its diagnostics in every format; when it
/// has no errors, makes every export of its linked register in memory.
fn check_and_export(files: Vec<(String, Vec<u8>)>) {
    let loaded = load_files(files);
    let checked = check(&loaded, as_of(), false);
    let _ = render_human(&checked.diagnostics, checked.sources, false);
    let _ = render_human(&checked.diagnostics, checked.sources, true);
    let json = render_json(&checked.diagnostics, checked.sources, true);
    assert!(
        serde_json::from_str::<serde_json::Value>(&json).is_ok(),
        "diagnostics JSON does not parse"
    );
    let _ = render_github(&checked.diagnostics, checked.sources, "registry");
    if checked.has_errors() {
        return;
    }
    let register = &checked.register;
    let text = ropa::export::json::to_json(register, ropa::export::json::Layout::Compact);
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_ok(),
        "the JSON register does not parse"
    );
    let _ = ropa::export::ico::write_csv(
        register,
        ropa::export::ico::Record::Controller,
        std::io::sink(),
    );
    let _ = ropa::export::ico::write_csv(
        register,
        ropa::export::ico::Record::Processor,
        std::io::sink(),
    );
    let _ = ropa::export::dpv::write_jsonld(register, std::io::sink());
}

/// One file of one kind from arbitrary bytes: the first byte picks the kind.
pub fn load_file(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let place = FILE_PLACES[first as usize % FILE_PLACES.len()];
    check_and_export(vec![(place.to_string(), rest.to_vec())]);
}

/// Splits a `check_registry` input into files: sections that start with a
/// line `%%% <path>`; text before the first such line is ignored.
pub fn split_files(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut current: Option<(String, Vec<u8>)> = None;
    for line in data.split_inclusive(|&b| b == b'\n') {
        if let Some(path) = line.strip_prefix(b"%%% ") {
            if let Some(f) = current.take() {
                files.push(f);
            }
            let path = String::from_utf8_lossy(path).trim().to_string();
            current = Some((path, Vec::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.extend_from_slice(line);
        }
    }
    files.extend(current);
    files
}

/// A whole registry assembled from arbitrary files (see [`split_files`]).
pub fn check_registry(data: &[u8]) {
    check_and_export(split_files(data));
}

/// Markdown of arbitrary text: never raw HTML, scripts or unsafe links.
pub fn markdown(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let html = ropa::markdown::render(&text).0;
    let lower = html.to_ascii_lowercase();
    for bad in [
        "<script",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "<style",
        "<svg",
        "<form",
        "href=\"javascript:",
        "href=\"vbscript:",
        "href=\"data:",
    ] {
        assert!(!lower.contains(bad), "{bad:?} in rendered Markdown: {html}");
    }
    // No event-handler attribute: read each tag's attribute names, outside
    // quoted values (a link title may well contain " onerror=").
    for tag in lower.split('<').skip(1) {
        for name in attribute_names(tag) {
            assert!(
                !name.starts_with("on") && name != "src" && name != "style",
                "attribute {name:?} in <{tag}>: {html}"
            );
        }
    }
}

/// The attribute names of one tag's text (what follows `<`).
pub fn attribute_names(tag: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut quote: Option<char> = None;
    let mut word = String::new();
    let mut first = true; // the tag name itself
    for c in tag.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '>' => break,
            None if c == '=' || c.is_whitespace() || c == '/' => {
                if !word.is_empty() && !first {
                    names.push(std::mem::take(&mut word));
                }
                word.clear();
                first = false;
            }
            None => word.push(c),
        }
    }
    if !word.is_empty() && !first {
        names.push(word);
    }
    names
}

/// Files of a registry folder as `(path, bytes)`, for seeds and tests.
pub fn files_of(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if let (Ok(rel), Ok(bytes)) = (path.strip_prefix(root), std::fs::read(&path)) {
                out.push((rel.to_string_lossy().replace('\\', "/"), bytes));
            }
        }
    }
    out.sort();
    out
}

/// The `check_registry` input that holds `files`.
pub fn join_files(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (path, bytes) in files {
        out.extend_from_slice(format!("%%% {path}\n").as_bytes());
        out.extend_from_slice(bytes);
        if !bytes.ends_with(b"\n") {
            out.push(b'\n');
        }
    }
    out
}
