//! `ropa due`: what falls due or is overdue, by owner and date (docs/due.md).
//! The dates come from `link::due`, as the rules' do; this file only
//! chooses the window and writes the list.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use serde::Serialize;

use super::{Common, color, fail, with_checked};
use ropa::diag::{Code, GithubPlace, SourceMap, github_annotation};
use ropa::link::due::{self, Due};
use ropa::model::{Date, IsoDuration};
use ropa::pipeline::Checked;

#[derive(clap::Args)]
pub struct Args {
    /// The registry folder.
    #[arg(long, default_value = "registry")]
    pub registry: PathBuf,
    /// The date things are judged at (YYYY-MM-DD); default:
    /// SOURCE_DATE_EPOCH if set, else today.
    #[arg(long, value_parser = super::parse_date)]
    pub as_of: Option<Date>,
    /// How far ahead to look, as an ISO 8601 duration in days, weeks,
    /// months or years (P60D, P8W, P3M, P1Y). Overdue items are always listed.
    #[arg(long, default_value = "P60D", value_parser = parse_window)]
    pub within: Window,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// For people, coloured on a terminal.
    Human,
    /// One JSON object (docs/due.md).
    Json,
    /// GitHub workflow annotations.
    Github,
    /// A Markdown list for an issue, one section per owner; nothing when
    /// nothing falls due.
    Markdown,
}

/// `--within`: the duration as written, and its parts in whole days.
#[derive(Clone)]
pub struct Window {
    text: String,
    months: u32,
    days: u32,
}

impl Window {
    /// The last day the window takes in.
    fn end(&self, as_of: Date) -> Date {
        as_of.add_months(self.months).add_days(self.days)
    }
}

fn parse_window(s: &str) -> Result<Window, String> {
    let bad = || {
        format!(
            "`{s}` is not a period of days, weeks, months or years; write an ISO 8601 duration such as P60D, P8W or P3M"
        )
    };
    let d = IsoDuration::parse(s).ok_or_else(bad)?;
    if d.hours != 0 || d.minutes != 0 || d.seconds != 0 || s.contains('T') {
        return Err(bad());
    }
    // Bounded so that no date arithmetic overflows; dates stop at 9999.
    let months = d
        .years
        .checked_mul(12)
        .and_then(|y| y.checked_add(d.months));
    let days = d.weeks.checked_mul(7).and_then(|w| w.checked_add(d.days));
    match (months, days) {
        (Some(months), Some(days)) if months <= 120_000 && days <= 4_000_000 => Ok(Window {
            text: s.to_string(),
            months,
            days,
        }),
        _ => Err(bad()),
    }
}

pub fn run(args: Args) -> ExitCode {
    let common = Common {
        registry: args.registry.clone(),
        as_of: args.as_of,
        deny_warnings: false,
        quiet: false,
        at: None,
    };
    with_checked(&common, |checked| report(checked, &args))
}

/// What one run lists.
struct Listing<'c, 'a> {
    as_of: Date,
    within: &'c str,
    until: Date,
    items: Vec<Due<'a>>,
    sources: &'c SourceMap,
    registry: String,
    load_errors: usize,
}

impl Listing<'_, '_> {
    fn overdue(&self) -> usize {
        self.items.iter().filter(|d| d.needs_action()).count()
    }
}

fn report(checked: &Checked, args: &Args) -> ExitCode {
    let as_of = checked.as_of();
    let until = args.within.end(as_of);
    let items: Vec<Due> = due::due(&checked.register)
        .into_iter()
        .filter(|d| d.overdue || d.date <= until)
        .collect();
    let listing = Listing {
        as_of,
        within: &args.within.text,
        until,
        items,
        sources: checked.sources,
        registry: args.registry.to_string_lossy().into_owned(),
        load_errors: checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == ropa::diag::Severity::Error && hides_dates(d.code))
            .count(),
    };
    let text = match args.format {
        Format::Human => human(&listing, color(std::io::stdout().is_terminal())),
        Format::Json => json(&listing),
        Format::Github => github(&listing),
        Format::Markdown => markdown(&listing),
    };
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    // What could be read is listed; what did not load may hide a date, so
    // the run cannot say "nothing is overdue": status 2.
    if listing.load_errors > 0 {
        return fail(format!(
            "the registry has {} in its files (run `ropa check`); what did not load is not listed",
            plural(listing.load_errors, "error")
        ));
    }
    if listing.overdue() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The errors that keep a file, an entry or a value from loading, so a
/// date may be missing from the list. The rules' errors (an uncovered
/// transfer, an expired safeguard) leave every date readable: they are
/// `ropa check`'s to report, and an expired safeguard is listed as overdue.
fn hides_dates(code: Code) -> bool {
    matches!(
        code,
        Code::Syntax
            | Code::Schema
            | Code::BadId
            | Code::DuplicateId
            | Code::UnreadableFile
            | Code::FileTooLarge
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The file the date is written in, relative to the registry, and its line.
fn place(d: &Due, sources: &SourceMap) -> Option<(String, usize, usize)> {
    d.at.as_ref().map(|(file, span)| {
        let f = sources.get(*file);
        let (line, col) = f.line_col(span.start);
        (f.path.clone(), line, col)
    })
}

/// The item's state in words: overdue (accepted or not), now (a DPIA to
/// carry out before the processing starts), today, or in how many days.
fn state(d: &Due, as_of: Date) -> String {
    match (d.overdue, d.accepted, &d.what) {
        (true, Some(_), _) => "overdue (accepted)".into(),
        (true, None, _) => "overdue".into(),
        (false, _, due::What::Dpia { .. }) => "now".into(),
        _ => match d.date.days_after(as_of) {
            0 => "today".into(),
            1 => "tomorrow".into(),
            n => format!("in {n} days"),
        },
    }
}

/// "accepted until 2027-01-20: <reason>", for an accepted item.
fn accepted_line(d: &Due) -> Option<String> {
    d.accepted.map(|a| match &a.until {
        Some(u) => format!("accepted until {}: {}", u.value, a.reason.value),
        None => format!("accepted: {}", a.reason.value),
    })
}

/// The heading of a group: its owner, or where there is none.
fn owner_heading(owner: &Option<String>) -> &str {
    owner.as_deref().unwrap_or("No owner")
}

fn summary(l: &Listing) -> String {
    let overdue = l.overdue();
    let accepted = l
        .items
        .iter()
        .filter(|d| d.overdue && d.accepted.is_some())
        .count();
    let due = l.items.len() - overdue - accepted;
    let mut parts = Vec::new();
    if overdue > 0 {
        parts.push(format!("{overdue} overdue"));
    }
    if accepted > 0 {
        parts.push(format!("{accepted} overdue and accepted"));
    }
    if due > 0 {
        parts.push(format!("{due} due"));
    }
    format!(
        "{} by {} (as of {}, within {})",
        parts.join(", "),
        l.until,
        l.as_of,
        l.within
    )
}

fn human(l: &Listing, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    if l.items.is_empty() {
        out.push_str(&format!(
            "Nothing falls due by {} (as of {}, within {}).\n",
            l.until, l.as_of, l.within
        ));
    }
    for (owner, items) in due::by_owner(&l.items) {
        out.push_str(&paint("1", owner_heading(&owner)));
        out.push('\n');
        for d in items {
            let state = state(d, l.as_of);
            let painted = match (d.overdue, d.accepted.is_some()) {
                (true, false) => paint("1;31", &format!("{state:<18}")),
                (true, true) => paint("2", &format!("{state:<18}")),
                _ => paint("33", &format!("{state:<18}")),
            };
            out.push_str(&format!(
                "  {}  {painted} {}\n",
                d.date,
                ropa::diag::printable(&d.what.describe(d.overdue))
            ));
            if let Some(line) = accepted_line(d) {
                out.push_str(&format!(
                    "  {:10}  {:18} {}\n",
                    "",
                    "",
                    ropa::diag::printable(&line)
                ));
            }
            if let Some((path, line, _)) = place(d, l.sources) {
                out.push_str(&format!(
                    "  {:10}  {:18} {}:{line}\n",
                    "",
                    "",
                    ropa::diag::printable(&path)
                ));
            }
        }
        out.push('\n');
    }
    if !l.items.is_empty() {
        out.push_str(&summary(l));
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
struct JsonListing<'a> {
    as_of: String,
    within: &'a str,
    until: String,
    overdue: usize,
    load_errors: usize,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    date: String,
    kind: &'static str,
    overdue: bool,
    /// Overdue and not accepted: counts for the exit status.
    needs_action: bool,
    what: String,
    entry: Option<JsonEntry>,
    file: Option<String>,
    line: Option<usize>,
    owners: &'a [&'a str],
    accepted: Option<JsonAccepted<'a>>,
}

#[derive(Serialize)]
struct JsonEntry {
    kind: &'static str,
    id: String,
}

#[derive(Serialize)]
struct JsonAccepted<'a> {
    reason: &'a str,
    until: Option<String>,
}

fn json(l: &Listing) -> String {
    let items = l
        .items
        .iter()
        .map(|d| {
            let at = place(d, l.sources);
            JsonItem {
                date: d.date.to_string(),
                kind: d.what.kind(),
                overdue: d.overdue,
                needs_action: d.needs_action(),
                what: d.what.describe(d.overdue),
                entry: d.what.entry().map(|e| JsonEntry {
                    kind: e.kind.noun(),
                    id: e.id,
                }),
                file: at.as_ref().map(|a| a.0.clone()),
                line: at.as_ref().map(|a| a.1),
                owners: &d.owners,
                accepted: d.accepted.map(|a| JsonAccepted {
                    reason: &a.reason.value,
                    until: a.until.as_ref().map(|u| u.value.to_string()),
                }),
            }
        })
        .collect();
    let listing = JsonListing {
        as_of: l.as_of.to_string(),
        within: l.within,
        until: l.until.to_string(),
        overdue: l.overdue(),
        load_errors: l.load_errors,
        items,
    };
    let mut s = serde_json::to_string_pretty(&listing).unwrap_or_default();
    s.push('\n');
    s
}

fn github(l: &Listing) -> String {
    l.items
        .iter()
        .map(|d| {
            let level = if d.needs_action() { "error" } else { "warning" };
            let title = format!("{} {}", d.what.kind(), state(d, l.as_of));
            let mut message = format!("{}: {}", d.date, d.what.describe(d.overdue));
            if let Some(a) = accepted_line(d) {
                message.push_str(&format!("; {a}"));
            }
            let at = place(d, l.sources);
            github_annotation(
                level,
                at.as_ref().map(|(path, line, col)| GithubPlace {
                    registry: &l.registry,
                    path,
                    position: Some((*line, *col)),
                }),
                &title,
                &message,
            )
        })
        .collect()
}

/// Text from the record, safe in a Markdown list: no HTML and no links
/// of its own. (`_` and `*` are left: escapes would show inside the
/// `key` code spans of the sentences.)
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in ropa::diag::printable(s).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn markdown(l: &Listing) -> String {
    if l.items.is_empty() {
        return String::new();
    }
    let mut out = format!("{}.\n", summary(l));
    if l.load_errors > 0 {
        out.push_str("\nThe registry has errors: this list may be incomplete. Run `ropa check`.\n");
    }
    for (owner, items) in due::by_owner(&l.items) {
        out.push_str(&format!(
            "\n### {} ({})\n\n",
            md(owner_heading(&owner)),
            items.len()
        ));
        for d in items {
            let state = if d.needs_action() {
                format!("**{}**", state(d, l.as_of))
            } else {
                state(d, l.as_of)
            };
            let file = place(d, l.sources)
                .map(|(path, line, _)| format!(" · {}:{line}", md(&path)))
                .unwrap_or_default();
            let accepted = accepted_line(d)
                .map(|a| format!(" ({})", md(&a)))
                .unwrap_or_default();
            out.push_str(&format!(
                "- {} · {state} · {}{accepted}{file}\n",
                d.date,
                md(&d.what.describe(d.overdue))
            ));
        }
    }
    out
}
