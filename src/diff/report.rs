//! The two report formats of `ropa diff` (documented in docs/diff.md).

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::register::Kind;
use super::values::Change;
use super::{Delta, Diff, Item};

/// `+`, `-` or `~`.
fn marker(d: &Delta) -> char {
    match d {
        Delta::Added(_) => '+',
        Delta::Removed(_) => '-',
        Delta::Changed(_) => '~',
    }
}

/// A value for the human report: a string as it is (unless quoting keeps it
/// on one line or shows it is empty), anything else as compact JSON.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) if !s.is_empty() && s.trim() == s && !s.chars().any(char::is_control) => {
            s.clone()
        }
        _ => serde_json::to_string(v).unwrap_or_default(),
    }
}

fn change_line(c: &Change) -> String {
    match (&c.old, &c.new) {
        (Some(o), Some(n)) => format!("{}: {} → {}", c.path, show(o), show(n)),
        (None, Some(n)) => format!("+ {}: {}", c.path, show(n)),
        (Some(o), None) => format!("- {}: {}", c.path, show(o)),
        (None, None) => c.path.clone(),
    }
}

/// "2 activities changed, 1 transfer added", or "no differences".
pub fn summary(diff: &Diff) -> String {
    let mut parts = Vec::new();
    for (kind, items) in &diff.kinds {
        for (word, pick) in [
            (
                "added",
                (|d: &Delta| matches!(d, Delta::Added(_))) as fn(&Delta) -> bool,
            ),
            ("removed", |d| matches!(d, Delta::Removed(_))),
            ("changed", |d| matches!(d, Delta::Changed(_))),
        ] {
            let n = items.iter().filter(|i| pick(&i.delta)).count();
            if n > 0 {
                parts.push(format!("{} {word}", kind.count(n)));
            }
        }
    }
    if !parts.is_empty() {
        parts.join(", ")
    } else if diff.header.is_empty() {
        "no differences".into()
    } else {
        "no differences in content".into()
    }
}

pub fn human(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "--- {}", diff.old_file);
    let _ = writeln!(out, "+++ {}", diff.new_file);
    for c in &diff.header {
        let _ = writeln!(out, "  {}", change_line(c));
    }
    for (kind, items) in &diff.kinds {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}", kind.title());
        for item in items {
            let label = item
                .label
                .as_deref()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            let _ = writeln!(out, "  {} {}{label}", marker(&item.delta), item.id);
            if let Delta::Changed(changes) = &item.delta {
                for c in changes {
                    let _ = writeln!(out, "      {}", change_line(c));
                }
            }
        }
    }
    let _ = writeln!(out, "\n{}", summary(diff));
    // Names, ids, keys and file names come from the registers: a control
    // character in one (an escape sequence that retitles or clears the
    // terminal) is shown as `\u{1b}`, as `ropa check` shows it.
    match crate::diag::printable(&out) {
        std::borrow::Cow::Borrowed(_) => out,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

fn change_json(c: &Change) -> Value {
    let mut m = Map::new();
    m.insert("path".into(), Value::String(c.path.clone()));
    if let Some(o) = &c.old {
        m.insert("old".into(), o.clone());
    }
    if let Some(n) = &c.new {
        m.insert("new".into(), n.clone());
    }
    Value::Object(m)
}

fn item_json(item: &Item) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), Value::String(item.id.clone()));
    m.insert(
        "label".into(),
        item.label.clone().map_or(Value::Null, Value::String),
    );
    match &item.delta {
        Delta::Added(v) | Delta::Removed(v) => {
            m.insert("value".into(), v.clone());
        }
        Delta::Changed(changes) => {
            m.insert("changes".into(), changes.iter().map(change_json).collect());
        }
    }
    Value::Object(m)
}

pub fn json(diff: &Diff) -> String {
    let side = |file: &str, meta: &Map<String, Value>| {
        json!({
            "file": file,
            "schema_version": meta.get("schema_version").cloned().unwrap_or(Value::Null),
            "generator": meta.get("generator").cloned().unwrap_or(Value::Null),
            "as_of": meta.get("as_of").cloned().unwrap_or(Value::Null),
        })
    };
    let mut changes = Map::new();
    for (kind, items) in &diff.kinds {
        let pick = |f: fn(&Delta) -> bool| -> Value {
            items
                .iter()
                .filter(|i| f(&i.delta))
                .map(item_json)
                .collect()
        };
        changes.insert(
            kind.key().into(),
            json!({
                "added": pick(|d| matches!(d, Delta::Added(_))),
                "removed": pick(|d| matches!(d, Delta::Removed(_))),
                "changed": pick(|d| matches!(d, Delta::Changed(_))),
            }),
        );
    }
    debug_assert_eq!(changes.len(), Kind::ALL.len());
    let report = json!({
        "old": side(&diff.old_file, &diff.old_meta),
        "new": side(&diff.new_file, &diff.new_meta),
        "differ": diff.differ(),
        "header": diff.header.iter().map(change_json).collect::<Vec<_>>(),
        "changes": changes,
        "summary": summary(diff),
    });
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
    s.push('\n');
    s
}
