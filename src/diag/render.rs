//! The only module that turns diagnostics into text.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity};
use codespan_reporting::term::{self, termcolor::Buffer, Config};
use serde::Serialize;

use super::{count, Diagnostic, Severity, SourceMap};

fn codespan(d: &Diagnostic) -> CsDiagnostic<usize> {
    let severity = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
    };
    let mut labels = Vec::new();
    if let Some(p) = &d.primary {
        labels.push(CsLabel::primary(p.file, p.span.clone()).with_message(p.message.clone()));
    }
    for s in &d.secondary {
        labels.push(CsLabel::secondary(s.file, s.span.clone()).with_message(s.message.clone()));
    }
    let notes = d.help.iter().map(|h| format!("help: {h}")).collect();
    CsDiagnostic::new(severity)
        .with_code(d.code.as_str())
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

/// rustc-style text: header, `--> file:line:col`, the quoted line with a
/// caret under the value, help; then a summary line.
pub fn render_human(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let config = Config { chars: codespan_reporting::term::Chars::ascii(), ..Config::default() };
    let mut out = Vec::<u8>::new();
    for d in diags {
        let mut buf = if color { Buffer::ansi() } else { Buffer::no_color() };
        let rendered = if d.primary.is_some() {
            term::emit_to_write_style(&mut buf, &config, sources, &codespan(d)).is_ok()
        } else {
            false
        };
        if rendered {
            out.extend_from_slice(buf.as_slice());
        } else {
            // No position (a required file is missing): same shape, no snippet.
            out.extend_from_slice(
                format!("{}[{}]: {}\n  --> {}\n", d.severity.as_str(), d.code.as_str(), d.message, d.path).as_bytes(),
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

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// `2 errors, 3 warnings`
pub fn summary_line(diags: &[Diagnostic]) -> String {
    let c = count(diags);
    format!("{}, {}", plural(c.errors, "error"), plural(c.warnings, "warning"))
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
}

fn position(d: &Diagnostic, sources: &SourceMap) -> Option<(usize, usize)> {
    d.primary.as_ref().map(|p| sources.get(p.file).line_col(p.span.start))
}

/// `--format json`: one array, one object a diagnostic (the contract's shape).
pub fn render_json(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let items: Vec<JsonDiagnostic> = diags
        .iter()
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
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `--format github`: workflow commands, so diagnostics show as annotations
/// on the changed lines. `prefix` is the registry folder as given on the
/// command line, so paths are relative to the repository root.
pub fn render_github(diags: &[Diagnostic], sources: &SourceMap, prefix: &str) -> String {
    let mut out = String::new();
    for d in diags {
        let file = if prefix.is_empty() || prefix == "." {
            d.path.clone()
        } else {
            format!("{}/{}", prefix.trim_end_matches('/'), d.path)
        };
        let mut props = format!("file={}", escape_property(&file));
        if let Some((line, col)) = position(d, sources) {
            props.push_str(&format!(",line={line},col={col}"));
        }
        props.push_str(&format!(",title={}", escape_property(d.code.as_str())));
        let mut msg = d.message.clone();
        if let Some(h) = &d.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        out.push_str(&format!("::{} {}::{}\n", d.severity.as_str(), props, escape_data(&msg)));
    }
    out
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
    fn summary_uses_singular_and_plural() {
        let d = Diagnostic::file(Code::Schema, "a", "m");
        let w = Diagnostic::file(Code::Unused, "a", "m");
        assert_eq!(summary_line(&[d.clone(), w.clone(), w]), "1 error, 2 warnings");
        assert_eq!(summary_line(&[]), "0 errors, 0 warnings");
    }
}
