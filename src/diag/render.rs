//! The only module that turns diagnostics into text.

use std::borrow::Cow;

use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity,
};
use codespan_reporting::term::{self, Config, termcolor::Buffer};
use serde::Serialize;

use super::{Diagnostic, Label, Severity, SourceMap, count};

/// The files as they may be quoted on a terminal: if any holds a control
/// character (other than newline and tab) in its text or its name, a copy
/// where each in the text becomes a visible character of the same UTF-8
/// length, so every span still fits, and the name is `printable`.
fn displayable(sources: &SourceMap) -> Option<SourceMap> {
    let bad = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !(0..sources.len()).any(|i| {
        let f = sources.get(i);
        f.text.chars().any(bad) || has_control(&f.path)
    }) {
        return None;
    }
    let mut copy = SourceMap::default();
    for i in 0..sources.len() {
        let f = sources.get(i);
        let text = f
            .text
            .chars()
            .map(|c| {
                if !bad(c) {
                    c
                } else if c.len_utf8() == 1 {
                    '?'
                } else {
                    '¿'
                }
            })
            .collect();
        copy.add(printable(&f.path).into_owned(), text);
    }
    Some(copy)
}

/// Control characters from the registry (in a key, a value, a file name)
/// must not reach a terminal or a CI log as they are: an escape sequence
/// could recolour or rewrite the output. They are shown as `\u{1b}`.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !has_control(s) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n')
}

/// The diagnostics with every text that may come from the registry (message,
/// path, labels, help) made `printable`. A copy only when one needs it.
fn displayable_diagnostics(diags: &[Diagnostic]) -> Cow<'_, [Diagnostic]> {
    let needs_it = |d: &Diagnostic| {
        has_control(&d.message)
            || has_control(&d.path)
            || d.help.as_deref().is_some_and(has_control)
            || d.primary
                .iter()
                .chain(&d.secondary)
                .any(|l| has_control(&l.message))
    };
    if !diags.iter().any(needs_it) {
        return Cow::Borrowed(diags);
    }
    let text = |s: &str| printable(s).into_owned();
    let label = |l: &Label| Label {
        file: l.file,
        span: l.span.clone(),
        message: text(&l.message),
    };
    Cow::Owned(
        diags
            .iter()
            .map(|d| Diagnostic {
                severity: d.severity,
                code: d.code,
                message: text(&d.message),
                path: text(&d.path),
                entry: d.entry.clone(),
                primary: d.primary.as_ref().map(label),
                secondary: d.secondary.iter().map(label).collect(),
                help: d.help.as_deref().map(text),
                acknowledged: d.acknowledged.clone(),
            })
            .collect(),
    )
}

/// `d` and the files must have been through `displayable_diagnostics` and
/// `displayable`.
fn codespan(d: &Diagnostic) -> CsDiagnostic<usize> {
    let severity = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
    };
    let mut labels = Vec::new();
    if let Some(p) = &d.primary {
        labels.push(CsLabel::primary(p.file, p.span.clone()).with_message(&p.message));
    }
    for s in &d.secondary {
        labels.push(CsLabel::secondary(s.file, s.span.clone()).with_message(&s.message));
    }
    let notes = d.help.iter().map(|h| format!("help: {h}")).collect();
    CsDiagnostic::new(severity)
        .with_code(d.code.as_str())
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// rustc-style text: header, `--> file:line:col`, the quoted line with a
/// caret under the value, help; then a summary line. Acknowledged
/// warnings are not shown, only counted in the summary.
///
/// Every branch below reads only the sanitised copies made first, so no
/// control character from the registry reaches the terminal, whichever way
/// a diagnostic is shown.
pub fn render_human(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    render_human_shown(diags, sources, color, false)
}

/// As [`render_human`], the errors only (`--quiet`, the preview's banner);
/// the summary line still counts every diagnostic, as the full text does.
pub fn render_human_errors(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    render_human_shown(diags, sources, color, true)
}

fn render_human_shown(
    diags: &[Diagnostic],
    sources: &SourceMap,
    color: bool,
    errors_only: bool,
) -> String {
    let config = Config {
        chars: codespan_reporting::term::Chars::ascii(),
        ..Config::default()
    };
    let display = displayable(sources);
    let sources = display.as_ref().unwrap_or(sources);
    let shown = displayable_diagnostics(diags);
    let mut out = Vec::<u8>::new();
    let shown_here = |d: &&Diagnostic| {
        d.acknowledged.is_none() && (!errors_only || d.severity == Severity::Error)
    };
    for d in shown.iter().filter(shown_here) {
        let mut buf = if color {
            Buffer::ansi()
        } else {
            Buffer::no_color()
        };
        let rendered = if d.primary.is_some() && !has_long_line(d, sources) {
            term::emit_to_write_style(&mut buf, &config, sources, &codespan(d)).is_ok()
        } else {
            false
        };
        if rendered {
            out.extend_from_slice(buf.as_slice());
        } else if let Some(p) = &d.primary {
            out.extend_from_slice(render_clipped(d, p, sources).as_bytes());
        } else {
            // No position (a required file is missing): same shape, no snippet.
            out.extend_from_slice(
                format!(
                    "{}[{}]: {}\n  --> {}\n",
                    d.severity.as_str(),
                    d.code.as_str(),
                    d.message,
                    d.path
                )
                .as_bytes(),
            );
            if let Some(h) = &d.help {
                out.extend_from_slice(format!("   = help: {h}\n").as_bytes());
            }
            out.push(b'\n');
        }
    }
    let mut text = String::from_utf8_lossy(&out).into_owned();
    text.push_str(&summary_line(diags));
    text.push('\n');
    text
}

/// Lines longer than this are quoted as a window around the caret, so a
/// 5 MB one-line description does not flood the terminal.
const MAX_QUOTED_CHARS: usize = 160;

fn line_bounds(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    (start, end)
}

fn has_long_line(d: &Diagnostic, sources: &SourceMap) -> bool {
    d.primary.iter().chain(&d.secondary).any(|l| {
        let text = &sources.get(l.file).text;
        let (s, e) = line_bounds(text, l.span.start);
        text.get(s..e)
            .is_some_and(|line| line.chars().count() > MAX_QUOTED_CHARS)
    })
}

fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The same shape as the codespan output, with the quoted line cut to a
/// window around the span. Line and column are those of the real file.
fn render_clipped(d: &Diagnostic, p: &Label, sources: &SourceMap) -> String {
    let f = sources.get(p.file);
    let text = &f.text;
    let (line, col) = f.line_col(p.span.start);
    let (ls, le) = line_bounds(text, p.span.start);
    let ws = floor_char(text, p.span.start.saturating_sub(40).max(ls));
    let we = floor_char(text, (ws + MAX_QUOTED_CHARS).min(le));
    let lead = if ws > ls { "…" } else { "" };
    let tail = if we < le { "…" } else { "" };
    // A tab becomes one space, so the caret (counted in characters) still
    // sits under its character whatever the terminal's tab width.
    let window = text[ws..we].replace('\t', " ");
    let caret_at = lead.chars().count()
        + text[ws..floor_char(text, p.span.start.max(ws))]
            .chars()
            .count();
    let span_end = floor_char(text, p.span.end.min(we).max(p.span.start));
    let width = text[floor_char(text, p.span.start)..span_end]
        .chars()
        .count()
        .max(1);
    let gutter = " ".repeat(line.to_string().len());
    let mut s = format!(
        "{}[{}]: {}\n",
        d.severity.as_str(),
        d.code.as_str(),
        d.message
    );
    s.push_str(&format!(
        "{gutter} --> {}:{line}:{col}\n{gutter} |\n{line} | {lead}{window}{tail}\n",
        f.path
    ));
    s.push_str(&format!(
        "{gutter} | {}{} {}\n",
        " ".repeat(caret_at),
        "^".repeat(width),
        p.message
    ));
    for l in &d.secondary {
        let sf = sources.get(l.file);
        let (sl, sc) = sf.line_col(l.span.start);
        s.push_str(&format!(
            "{gutter} = note: {}:{sl}:{sc}: {}\n",
            sf.path, l.message
        ));
    }
    if let Some(h) = &d.help {
        s.push_str(&format!("{gutter} = help: {h}\n"));
    }
    s.push('\n');
    s
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `2 errors, 3 warnings`, and `, 1 acknowledged` when warnings were
/// accepted on the record (not counted as warnings).
pub fn summary_line(diags: &[Diagnostic]) -> String {
    let c = count(diags);
    let mut line = format!(
        "{}, {}",
        plural(c.errors, "error"),
        plural(c.warnings, "warning")
    );
    if c.acknowledged > 0 {
        line.push_str(&format!(", {} acknowledged", c.acknowledged));
    }
    line
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    help: Option<&'a str>,
    /// Only with `--show-acknowledged`, and only on acknowledged warnings:
    /// other objects keep the contract's shape exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    acknowledged: Option<JsonAcknowledged<'a>>,
}

#[derive(Serialize)]
struct JsonAcknowledged<'a> {
    reason: &'a str,
    /// `YYYY-MM-DD`, or `null` when the acknowledgement has no end.
    until: Option<String>,
}

fn position(d: &Diagnostic, sources: &SourceMap) -> Option<(usize, usize)> {
    d.primary
        .as_ref()
        .map(|p| sources.get(p.file).line_col(p.span.start))
}

/// `--format json`: one array, one object a diagnostic (the contract's
/// shape). Acknowledged warnings are left out, unless `show_acknowledged`:
/// then they are in, each with its `acknowledged` reason and until.
pub fn render_json(diags: &[Diagnostic], sources: &SourceMap, show_acknowledged: bool) -> String {
    let items: Vec<JsonDiagnostic> = diags
        .iter()
        .filter(|d| show_acknowledged || d.acknowledged.is_none())
        .map(|d| {
            let pos = position(d, sources);
            JsonDiagnostic {
                severity: d.severity.as_str(),
                code: d.code.as_str(),
                message: &d.message,
                file: &d.path,
                line: pos.map(|p| p.0),
                column: pos.map(|p| p.1),
                help: d.help.as_deref(),
                acknowledged: d.acknowledged.as_ref().map(|a| JsonAcknowledged {
                    reason: &a.reason,
                    until: a.until.map(|u| u.to_string()),
                }),
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `--format github`: workflow commands, so diagnostics show as annotations
/// on the changed lines. `prefix` is the registry folder as given on the
/// command line, so paths are relative to the repository root. Acknowledged
/// warnings are not annotated.
pub fn render_github(diags: &[Diagnostic], sources: &SourceMap, prefix: &str) -> String {
    let mut out = String::new();
    for d in diags.iter().filter(|d| d.acknowledged.is_none()) {
        let mut msg = d.message.clone();
        if let Some(h) = &d.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        out.push_str(&github_annotation(
            d.severity.as_str(),
            Some(GithubPlace {
                registry: prefix,
                path: &d.path,
                position: position(d, sources),
            }),
            d.code.as_str(),
            &msg,
        ));
    }
    out
}

/// Where a GitHub annotation points.
#[derive(Clone, Copy, Debug)]
pub struct GithubPlace<'a> {
    /// The registry folder as given on the command line, so that paths
    /// are relative to the repository root.
    pub registry: &'a str,
    /// The file's path in the registry.
    pub path: &'a str,
    /// Line and column, if known.
    pub position: Option<(usize, usize)>,
}

/// One GitHub workflow command line (`::warning file=…,line=…::message`),
/// escaped: `level` is error, warning or notice.
pub fn github_annotation(
    level: &str,
    at: Option<GithubPlace>,
    title: &str,
    message: &str,
) -> String {
    let mut props = Vec::new();
    if let Some(GithubPlace {
        registry: prefix,
        path,
        position,
    }) = at
    {
        let prefix = prefix.trim_start_matches("./").trim_end_matches('/');
        let file = if prefix.is_empty() || prefix == "." {
            path.to_string()
        } else {
            format!("{prefix}/{path}")
        };
        props.push(format!("file={}", escape_property(&printable(&file))));
        if let Some((line, col)) = position {
            props.push(format!("line={line},col={col}"));
        }
    }
    props.push(format!("title={}", escape_property(&printable(title))));
    format!(
        "::{level} {}::{}\n",
        props.join(","),
        escape_data(&printable(message))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    #[test]
    fn github_escapes_newlines_and_commas() {
        let mut sources = SourceMap::default();
        let f = sources.add("a,b.toml".into(), "x = 1\n".into());
        let d = Diagnostic::at(Code::Schema, &sources, f, 4..5, "bad\nvalue").help("fix 100%");
        let out = render_github(&[d], &sources, "registry");
        assert_eq!(
            out,
            "::error file=registry/a%2Cb.toml,line=1,col=5,title=schema::bad%0Avalue%0Ahelp: fix 100%25\n"
        );
    }

    #[test]
    fn long_lines_are_clipped_around_the_caret() {
        let mut sources = SourceMap::default();
        let text = format!(
            "description = \"{}\"\nkind = 3\nx = \"{}é\" # {}\n",
            "a".repeat(5000),
            "b".repeat(300),
            "c".repeat(300)
        );
        let f = sources.add("r.toml".into(), text.clone());
        let at = text.find('é').unwrap();
        let d = Diagnostic::at(Code::Schema, &sources, f, at..at + 2, "bad").label("here");
        let out = render_human(&[d], &sources, false);
        assert!(out.contains("--> r.toml:3:306"), "{out}");
        let quoted = out.lines().find(|l| l.starts_with("3 | ")).unwrap();
        assert!(quoted.chars().count() < MAX_QUOTED_CHARS + 10, "{quoted}");
        let caret = out.lines().find(|l| l.contains('^')).unwrap();
        // The caret sits under the é.
        let col = caret.chars().position(|c| c == '^').unwrap();
        assert_eq!(quoted.chars().nth(col), Some('é'), "{quoted}\n{caret}");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let mut sources = SourceMap::default();
        let f = sources.add("a.toml".into(), "x = 1\n".into());
        let f2 = sources.add("b.toml".into(), "\"\u{1b}[2J\u{9b}x\" = 1\n".into());
        let d = Diagnostic::at(
            Code::Schema,
            &sources,
            f,
            0..1,
            "unknown key `\u{1b}[31mRED\u{7}`",
        )
        .help("did you mean `\u{1b}]0;t`?");
        let quoted = render_human(
            &[Diagnostic::at(Code::Schema, &sources, f2, 1..6, "bad")],
            &sources,
            false,
        );
        assert!(
            !quoted.contains('\u{1b}') && !quoted.contains('\u{9b}'),
            "{quoted:?}"
        );
        assert!(quoted.contains("\"?[2J¿x\""), "{quoted}");
        for out in [
            render_human(std::slice::from_ref(&d), &sources, false),
            render_github(&[d], &sources, "r"),
        ] {
            assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
            assert!(out.contains("\\u{1b}"), "{out}");
        }
    }

    /// No C0 or C1 control character but newline: no ESC (0x1b), no CSI
    /// (U+009B), no BEL, no carriage return.
    #[track_caller]
    fn assert_no_controls(out: &str) {
        let bad: Vec<char> = out
            .chars()
            .filter(|&c| c.is_control() && c != '\n')
            .collect();
        assert!(bad.is_empty(), "control characters {bad:?} in {out:?}");
    }

    #[test]
    fn diagnostics_without_a_position_are_sanitised() {
        let sources = SourceMap::default();
        let d = Diagnostic::file(
            Code::BadId,
            "activities/evil\u{1b}[31mRED.toml",
            "`evil\u{1b}[31mRED\u{9b}2J` is not a valid id\r",
        )
        .help("rename it\u{7}");
        let out = render_human(&[d], &sources, false);
        assert_no_controls(&out);
        assert!(
            out.contains("  --> activities/evil\\u{1b}[31mRED.toml\n"),
            "{out}"
        );
        assert!(
            out.contains("`evil\\u{1b}[31mRED\\u{9b}2J` is not a valid id\\u{d}"),
            "{out}"
        );
        assert!(out.contains("= help: rename it\\u{7}"), "{out}");
    }

    #[test]
    fn long_lines_are_sanitised() {
        let mut sources = SourceMap::default();
        // The key as written (a TOML escape, plain ASCII) and, further on, a
        // raw ESC, a tab and a CSI in the line itself.
        let text = format!(
            "\"k\\u001b[2J{}\" = 1 # \u{1b}[31m\t\u{9b}{}\n",
            "a".repeat(200),
            "b".repeat(200)
        );
        let f = sources.add("activities/e\u{1b}]0;t\u{7}.toml".into(), text.clone());
        let other = sources.add("b.toml".into(), "x = 1\n".into());
        let d = Diagnostic::at(
            Code::Schema,
            &sources,
            f,
            0..1,
            "unknown key `k\u{1b}[2Jaaa`",
        )
        .label("not \u{1b}[5mhere")
        .also(other, 0..1, "defined \u{9b}here")
        .help("did you mean `\u{1b}]0;t`?");
        let out = render_human(std::slice::from_ref(&d), &sources, false);
        assert!(out.contains("aaa…\n"), "the clipped branch: {out}");
        assert_no_controls(&out);
        for shown in [
            "unknown key `k\\u{1b}[2Jaaa`",
            "--> activities/e\\u{1b}]0;t\\u{7}.toml:1:1",
            "^ not \\u{1b}[5mhere",
            "= note: b.toml:1:1: defined \\u{9b}here",
            "= help: did you mean `\\u{1b}]0;t`?",
        ] {
            assert!(out.contains(shown), "{shown} in {out}");
        }

        // The same line, with the caret in the raw part, quotes it visibly.
        let at = text.find('\t').unwrap_or(0);
        let d = Diagnostic::at(Code::Syntax, &sources, f, at..at + 1, "bad");
        let out = render_human(&[d], &sources, false);
        assert_no_controls(&out);
        assert!(out.contains(" # ?[31m ¿bbb"), "{out}");
    }

    #[test]
    fn the_codespan_branch_escapes_file_names() {
        // Only the name is hostile: the files' text is clean.
        let mut sources = SourceMap::default();
        let f = sources.add("activities/evil\u{1b}[31mRED.toml".into(), "x = 1\n".into());
        let d = Diagnostic::at(Code::Schema, &sources, f, 0..1, "bad").label("here");
        let out = render_human(&[d], &sources, false);
        assert!(
            out.contains("  |\n1 | x = 1\n"),
            "the codespan branch: {out}"
        );
        assert_no_controls(&out);
        assert!(
            out.contains("--> activities/evil\\u{1b}[31mRED.toml:1:1"),
            "{out}"
        );
    }

    #[test]
    fn github_commands_cannot_be_injected() {
        let mut sources = SourceMap::default();
        let f = sources.add("a:b,c\r\n::warning::x.toml".into(), "x = 1\n".into());
        let d = Diagnostic::at(
            Code::Schema,
            &sources,
            f,
            0..1,
            "bad\r\n::error file=x::pwned \u{1b}[2J 50%",
        )
        .help("::endgroup::\n::add-mask::x");
        let out = render_github(&[d], &sources, "reg:1");
        assert_no_controls(&out);
        assert_eq!(out.lines().count(), 1, "{out}");
        assert_eq!(
            out,
            "::error file=reg%3A1/a%3Ab%2Cc\\u{d}%0A%3A%3Awarning%3A%3Ax.toml,line=1,col=1,title=schema\
             ::bad\\u{d}%0A::error file=x::pwned \\u{1b}[2J 50%25%0Ahelp: ::endgroup::%0A::add-mask::x\n"
        );
    }

    #[test]
    fn json_escapes_control_characters() {
        let d = Diagnostic::file(Code::BadId, "e\u{1b}[31m.toml", "bad \u{1b}[2J\u{7}");
        let out = render_json(&[d], &SourceMap::default(), false);
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
        assert!(out.contains(r#""file": "e\u001b[31m.toml""#), "{out}");
        assert!(out.contains(r#""message": "bad \u001b[2J\u0007""#), "{out}");
    }

    #[test]
    fn summary_uses_singular_and_plural() {
        let d = Diagnostic::file(Code::Schema, "a", "m");
        let w = Diagnostic::file(Code::Unused, "a", "m");
        assert_eq!(
            summary_line(&[d.clone(), w.clone(), w]),
            "1 error, 2 warnings"
        );
        assert_eq!(summary_line(&[]), "0 errors, 0 warnings");
    }

    fn accepted(mut d: Diagnostic, until: Option<crate::model::Date>) -> Diagnostic {
        d.acknowledged = Some(crate::diag::Acknowledged {
            reason: "Accepted by the DPO".into(),
            until,
        });
        d
    }

    #[test]
    fn acknowledged_warnings_are_counted_apart_and_not_shown() {
        let mut sources = SourceMap::default();
        let f = sources.add("processors/p.toml".into(), "name = \"P\"\n".into());
        let w = Diagnostic::at(Code::DpaMissing, &sources, f, 0..4, "no DPA");
        let open = Diagnostic::at(Code::Unused, &sources, f, 0..4, "nothing uses it");
        let diags = [accepted(w.clone(), None), accepted(w, None), open];
        assert_eq!(summary_line(&diags), "0 errors, 1 warning, 2 acknowledged");
        let human = render_human(&diags, &sources, false);
        assert!(!human.contains("dpa-missing"), "{human}");
        assert!(human.contains("warning[unused]"), "{human}");
        assert!(
            human.ends_with("0 errors, 1 warning, 2 acknowledged\n"),
            "{human}"
        );
        let github = render_github(&diags, &sources, "r");
        assert_eq!(github.lines().count(), 1, "{github}");
        assert!(!github.contains("dpa-missing"), "{github}");
    }

    #[test]
    fn json_shows_acknowledged_warnings_only_when_asked() {
        let mut sources = SourceMap::default();
        let f = sources.add("processors/p.toml".into(), "name = \"P\"\n".into());
        let w = Diagnostic::at(Code::DpaMissing, &sources, f, 0..4, "no DPA");
        let open = Diagnostic::at(Code::Unused, &sources, f, 0..4, "nothing uses it");
        let until = crate::model::Date::new(2027, 6, 30);
        let diags = [accepted(w.clone(), until), accepted(w, None), open.clone()];
        assert_eq!(
            render_json(&diags, &sources, false),
            render_json(&[open], &sources, false)
        );
        let shown: serde_json::Value =
            serde_json::from_str(&render_json(&diags, &sources, true)).unwrap();
        assert_eq!(
            shown[0]["acknowledged"],
            serde_json::json!({"reason": "Accepted by the DPO", "until": "2027-06-30"})
        );
        assert_eq!(shown[1]["acknowledged"]["until"], serde_json::Value::Null);
        assert!(shown[2].get("acknowledged").is_none(), "{shown}");
    }
}
