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

/// The lines of one change for people. A list of plain values shows the
/// items removed and added (`- sentry`), a text of several lines the lines
/// that changed; anything else is one line, `path: old → new`.
pub fn change_lines(c: &Change) -> Vec<String> {
    let one = |line: String| vec![line];
    match (&c.old, &c.new) {
        (Some(Value::Array(o)), Some(Value::Array(n)))
            if o.iter().chain(n).all(|v| !v.is_object() && !v.is_array()) =>
        {
            // Counted by their JSON text, hashed: a register's list can be
            // long, and an item may be there twice.
            let counts = |side: &[Value]| {
                let mut m: std::collections::HashMap<String, usize> =
                    std::collections::HashMap::new();
                for v in side {
                    *m.entry(v.to_string()).or_default() += 1;
                }
                m
            };
            // The items of `side` beyond as many as `other` has of each.
            let beyond = |side: &[Value], other: &[Value]| {
                let mut left = counts(other);
                side.iter()
                    .filter(|v| match left.get_mut(&v.to_string()) {
                        Some(n) if *n > 0 => {
                            *n -= 1;
                            false
                        }
                        _ => true,
                    })
                    .map(show)
                    .collect::<Vec<_>>()
            };
            let mut lines: Vec<String> = beyond(o, n)
                .into_iter()
                .map(|v| format!("  - {v}"))
                .chain(beyond(n, o).into_iter().map(|v| format!("  + {v}")))
                .collect();
            if lines.is_empty() {
                // The same items in another order.
                return one(format!(
                    "{}: order changed: {} → {}",
                    c.path,
                    show(c.old.as_ref().unwrap_or(&Value::Null)),
                    show(c.new.as_ref().unwrap_or(&Value::Null))
                ));
            }
            lines.insert(0, format!("{}:", c.path));
            lines
        }
        (Some(Value::String(o)), Some(Value::String(n)))
            if o.contains('\n') || n.contains('\n') =>
        {
            let changed = changed_lines(o, n);
            if changed.is_empty() {
                // Only line ends or a final line break differ: shown whole.
                return one(format!(
                    "{}: {} → {}",
                    c.path,
                    show(&Value::String(o.clone())),
                    show(&Value::String(n.clone()))
                ));
            }
            let mut lines = vec![format!("{}:", c.path)];
            for (sign, line) in changed {
                lines.push(format!("  {sign} {line}").trim_end().to_string());
            }
            lines
        }
        (Some(o), Some(n)) => one(format!("{}: {} → {}", c.path, show(o), show(n))),
        (None, Some(n)) => one(format!("+ {}: {}", c.path, show(n))),
        (Some(o), None) => one(format!("- {}: {}", c.path, show(o))),
        (None, None) => one(c.path.clone()),
    }
}

/// Beyond this many pairs of lines, the changed middle of two texts is
/// shown as removed and added whole: the longest common subsequence costs
/// their product in time and memory.
const MAX_LINE_PAIRS: usize = 250_000;

/// The lines removed (`-`) and added (`+`) from `old` to `new`, in order:
/// the common start and end are skipped, and the middle is matched by its
/// longest common subsequence of lines.
fn changed_lines<'t>(old: &'t str, new: &'t str) -> Vec<(char, &'t str)> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let start = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let end = a[start..]
        .iter()
        .rev()
        .zip(b[start..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[start..a.len() - end], &b[start..b.len() - end]);
    if a.len().saturating_mul(b.len()) > MAX_LINE_PAIRS {
        return a
            .iter()
            .map(|l| ('-', *l))
            .chain(b.iter().map(|l| ('+', *l)))
            .collect();
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // A removed line before the one that replaces it.
            out.push(('-', a[i]));
            i += 1;
        } else {
            out.push(('+', b[j]));
            j += 1;
        }
    }
    out
}

/// Writes the lines of a change at `indent`.
fn write_change(out: &mut String, indent: &str, c: &Change) {
    for line in change_lines(c) {
        let _ = writeln!(out, "{indent}{line}");
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
        write_change(&mut out, "  ", c);
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
                    write_change(&mut out, "      ", c);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lines(old: Value, new: Value) -> Vec<String> {
        change_lines(&Change {
            path: "p".into(),
            old: Some(old),
            new: Some(new),
        })
    }

    #[test]
    fn a_list_shows_the_items_removed_and_added() {
        assert_eq!(
            lines(json!(["aws", "sentry"]), json!(["aws", "postmark"])),
            ["p:", "  - sentry", "  + postmark"]
        );
        assert_eq!(lines(json!([3]), json!([2, 3])), ["p:", "  + 2"]);
        // An item there twice, then once: one removed.
        assert_eq!(lines(json!(["a", "a"]), json!(["a"])), ["p:", "  - a"]);
        assert_eq!(
            lines(json!(["a", "b"]), json!(["b", "a"])),
            [r#"p: order changed: ["a","b"] → ["b","a"]"#]
        );
    }

    #[test]
    fn a_text_of_several_lines_shows_the_lines_that_changed() {
        assert_eq!(
            lines(
                json!("Intro\nold middle\nsame\nend"),
                json!("Intro\nnew middle\nsame\nadded\nend")
            ),
            ["p:", "  - old middle", "  + new middle", "  + added"]
        );
        // Only the line ends differ: both shown whole, escaped.
        assert_eq!(
            lines(json!("a\nb"), json!("a\r\nb")),
            [r#"p: "a\nb" → "a\r\nb""#]
        );
        // One line each: as before.
        assert_eq!(lines(json!("a"), json!("b")), ["p: a → b"]);
    }

    #[test]
    fn a_huge_text_is_shown_whole_not_matched() {
        let old: String = (0..1000).map(|i| format!("o{i}\n")).collect();
        let new: String = (0..1000).map(|i| format!("n{i}\n")).collect();
        let c = changed_lines(&old, &new);
        assert_eq!(c.len(), 2000);
        assert!(c[..1000].iter().all(|(s, _)| *s == '-'));
    }
}
