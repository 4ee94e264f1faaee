//! Diagnostics: what every stage reports, and the one place they become text.
//!
//! A diagnostic keeps byte spans into a registry file until it is rendered,
//! so the same value can be printed for people (`human`), tools (`json`) and
//! CI annotations (`github`).

mod code;
mod render;
mod source;

pub use code::Code;
pub use render::printable;
pub use render::{
    GithubPlace, github_annotation, render_github, render_human, render_human_errors, render_json,
    summary_line,
};
pub use source::{SourceFile, SourceMap};

use std::ops::Range;

use crate::model::{EntryRef, FileId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A place in a registry file, with the text shown under the caret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// The file the diagnostic is about, relative to the registry, `/`-separated.
    /// Always set, even when there is no position (a missing required file).
    pub path: String,
    /// The entry the diagnostic is about, when its file holds one.
    pub entry: Option<EntryRef>,
    /// Where it is; `None` only when no position exists.
    pub primary: Option<Label>,
    /// Related places, possibly in other files ("defined here").
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    /// Set when an `[[acknowledged]]` of the diagnostic's file accepts it
    /// (only ever on a warning): it is then left out of the report (and of
    /// `--deny-warnings`) and counted apart; `--format json` shows it with
    /// `--show-acknowledged`.
    pub acknowledged: Option<Acknowledged>,
}

/// Why a warning is accepted on the record, and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acknowledged {
    pub reason: String,
    pub until: Option<crate::model::Date>,
}

impl Diagnostic {
    /// A diagnostic at `span` in `file`, with the code's default severity.
    pub fn at(
        code: Code,
        sources: &SourceMap,
        file: FileId,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: code.severity(),
            code,
            message: message.into(),
            path: sources.get(file).path.clone(),
            entry: sources.get(file).entry.clone(),
            primary: Some(Label {
                file,
                span,
                message: String::new(),
            }),
            secondary: Vec::new(),
            help: None,
            acknowledged: None,
        }
    }

    /// A diagnostic about a whole file that has no position (e.g. it is missing).
    pub fn file(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: code.severity(),
            code,
            message: message.into(),
            path: path.into(),
            entry: None,
            primary: None,
            secondary: Vec::new(),
            help: None,
            acknowledged: None,
        }
    }

    /// Text shown under the caret.
    pub fn label(mut self, text: impl Into<String>) -> Self {
        if let Some(l) = self.primary.as_mut() {
            l.message = text.into();
        }
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    pub fn help_opt(mut self, text: Option<String>) -> Self {
        self.help = text;
        self
    }

    pub fn also(mut self, file: FileId, span: Range<usize>, text: impl Into<String>) -> Self {
        self.secondary.push(Label {
            file,
            span,
            message: text.into(),
        });
        self
    }

    /// The entry a diagnostic without a position is about.
    pub fn for_entry(mut self, entry: Option<EntryRef>) -> Self {
        self.entry = entry;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sort diagnostics by file, then position, then code, so output is stable
/// whatever order the (parallel) stages produced them in.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        let pa = a.primary.as_ref().map(|l| (l.span.start, l.span.end));
        let pb = b.primary.as_ref().map(|l| (l.span.start, l.span.end));
        (&a.path, pa, a.code.as_str(), &a.message).cmp(&(&b.path, pb, b.code.as_str(), &b.message))
    });
}

/// Counts of a run, after `--deny-warnings` is applied. A warning an
/// `[[acknowledged]]` accepts counts as acknowledged, not as a warning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub acknowledged: usize,
}

pub fn count(diags: &[Diagnostic]) -> Counts {
    let mut c = Counts::default();
    for d in diags {
        match d.severity {
            _ if d.acknowledged.is_some() => c.acknowledged += 1,
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
        }
    }
    c
}

/// Closest candidate to `wrong`, for "did you mean" help. Case differences
/// and small typos both count.
///
/// A candidate is scored only when its length (in characters) is within a
/// factor of 11 of `wrong`'s: beyond that no candidate can reach the 0.8
/// threshold (Jaro is then at most (1 + 1/11 + 1)/3 < 0.7, and the Winkler
/// prefix bonus applies only above 0.7), so skipping it changes no answer
/// and a 1 MB string costs one pass, not one per candidate.
pub fn did_you_mean<'a, I>(wrong: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = wrong.to_ascii_lowercase();
    let len = lower.chars().count();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        // Cheap on bytes first (a character is 1 to 4 bytes), then exact.
        if c.len() > 44 * len.max(1) || 11 * c.len() < len {
            continue;
        }
        let c_len = c.chars().count();
        if c_len > 11 * len || len > 11 * c_len {
            continue;
        }
        let score = if c.eq_ignore_ascii_case(wrong) {
            1.0
        } else {
            strsim::jaro_winkler(&lower, &c.to_ascii_lowercase())
        };
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Did-you-mean over many searches with one bound on the work: each search
/// costs its number of candidates, and a search that no longer fits in what
/// is left is not made (the help then lists what exists instead). A check
/// with tens of thousands of dangling references against tens of thousands
/// of ids stays linear; a registry with a few typos never comes near it.
#[derive(Debug)]
pub struct Suggester {
    left: usize,
}

impl Suggester {
    /// Candidates scored in one run, at most: about a second of work.
    pub const BUDGET: usize = 2_000_000;

    pub fn new() -> Self {
        Suggester { left: Self::BUDGET }
    }

    pub fn did_you_mean<'a, I>(&mut self, wrong: &str, candidates: I) -> Option<&'a str>
    where
        I: IntoIterator<Item = &'a str>,
        I::IntoIter: ExactSizeIterator,
    {
        let candidates = candidates.into_iter();
        let cost = candidates.len();
        if cost > self.left {
            return None;
        }
        self.left -= cost;
        did_you_mean(wrong, candidates)
    }
}

impl Default for Suggester {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_close_names() {
        let keys = ["purposes", "legal_bases", "data_subjects"];
        assert_eq!(did_you_mean("purpose", keys), Some("purposes"));
        assert_eq!(did_you_mean("legal_basis", keys), Some("legal_bases"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }

    /// The length filter skips only candidates that could not reach the
    /// threshold: whatever the lengths, the answer is the one of scoring
    /// every candidate.
    #[test]
    fn length_filter_changes_no_answer() {
        fn unfiltered<'a>(wrong: &str, candidates: &[&'a str]) -> Option<&'a str> {
            let lower = wrong.to_ascii_lowercase();
            let mut best: Option<(f64, &str)> = None;
            for &c in candidates {
                let score = if c.eq_ignore_ascii_case(wrong) {
                    1.0
                } else {
                    strsim::jaro_winkler(&lower, &c.to_ascii_lowercase())
                };
                if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, c));
                }
            }
            best.map(|(_, c)| c)
        }
        let words: Vec<String> = (1..=40)
            .flat_map(|n| {
                [
                    "p".repeat(n),
                    format!("purp{}", "o".repeat(n)),
                    format!("{}x", "purposes".repeat(n.div_ceil(4))),
                    format!("é{}", "a".repeat(n)),
                ]
            })
            .collect();
        let candidates: Vec<&str> = words.iter().map(String::as_str).collect();
        for wrong in &words {
            for cut in [1, 2, 5, candidates.len()] {
                let some = &candidates[..cut.min(candidates.len())];
                assert_eq!(
                    did_you_mean(wrong, some.iter().copied()),
                    unfiltered(wrong, some),
                    "{wrong}"
                );
            }
        }
    }

    #[test]
    fn suggester_stops_when_its_budget_is_spent() {
        let ids: Vec<String> = (0..1000).map(|i| format!("processor-{i:04}")).collect();
        let mut s = Suggester::new();
        let mut found = 0;
        for i in 0..(Suggester::BUDGET / ids.len() + 10) {
            if s.did_you_mean(
                &format!("processor-{i:04}x"),
                ids.iter().map(String::as_str),
            )
            .is_some()
            {
                found += 1;
            }
        }
        assert_eq!(found, Suggester::BUDGET / ids.len());
    }
}
