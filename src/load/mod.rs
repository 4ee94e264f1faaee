//! Load: registry folder → typed values with spans, plus the diagnostics of
//! reading and decoding (syntax, schema, ids, countries).
//!
//! Entry point: [`load`]. Files are found in a deterministic order, read and
//! decoded in parallel, then merged in path order.

mod decode;
mod kinds;
mod unclosed;

use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use toml::de::DeTable;
use walkdir::WalkDir;

use crate::diag::{Code, Diagnostic, SourceMap, did_you_mean};
use crate::model::*;
use crate::timing::timed;

/// Files larger than this are refused with `file-too-large`: no registry
/// entry is anywhere near it, and it keeps memory bounded on absurd input.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Files with more TOML tokens than this are refused with `file-too-large`:
/// parsing keeps a few hundred bytes per token. The largest real registry
/// files (a catalogue of a few thousand categories or measures) hold tens of
/// thousands.
pub const MAX_FILE_TOKENS: usize = 500_000;

/// A file that does not parse is parsed a second time, with error recovery,
/// to learn which ids it names; recovery keeps every error it finds, so it
/// is done only for files of at most this many tokens.
const MAX_RECOVER_TOKENS: usize = 100_000;

/// Tokens of all the files being parsed at one time, at most: with
/// [`MAX_FILE_TOKENS`] it keeps the parsers' memory to a few hundred MB on
/// any number of cores. A file waits until its tokens fit (a file alone
/// always fits).
const PARSE_BUDGET_TOKENS: usize = 2 * MAX_FILE_TOKENS;

static PARSE_BUDGET: Budget = Budget::new(PARSE_BUDGET_TOKENS);

/// A budget shared by threads: `take` waits until its amount fits, and the
/// guard gives it back.
struct Budget {
    limit: usize,
    used: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

struct Taken<'a> {
    budget: &'a Budget,
    amount: usize,
}

impl Budget {
    const fn new(limit: usize) -> Self {
        Budget {
            limit,
            used: std::sync::Mutex::new(0),
            freed: std::sync::Condvar::new(),
        }
    }

    fn take(&self, amount: usize) -> Taken<'_> {
        let amount = amount.min(self.limit);
        // A poisoned lock only means another thread panicked holding it;
        // the count itself is still right.
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used > 0 && *used + amount > self.limit {
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += amount;
        Taken {
            budget: self,
            amount,
        }
    }
}

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        let mut used = self.budget.used.lock().unwrap_or_else(|e| e.into_inner());
        *used -= self.amount;
        drop(used);
        self.budget.freed.notify_all();
    }
}

/// The number of TOML tokens in `text` (as the parser will see them), or
/// `None` when there are more than `limit`. Counted without keeping them.
fn token_count(text: &str, limit: usize) -> Option<usize> {
    // A token is at least one byte (plus the end): a short text needs no count.
    if text.len() < limit {
        return Some(text.len() + 1);
    }
    let mut n = 0;
    for _ in toml_parser::Source::new(text).lex() {
        n += 1;
        if n > limit {
            return None;
        }
    }
    Some(n)
}

/// The files at the registry's top level, and what each holds.
const ROOT_FILES: [(&str, FileKind); 4] = [
    ("organisation.toml", FileKind::Organisation),
    ("categories.toml", FileKind::Categories),
    ("measures.toml", FileKind::Measures),
    ("adequacy.toml", FileKind::Adequacy),
];

/// The command could not read the registry at all (exit status 2).
#[derive(Debug)]
pub enum LoadError {
    NotFound(PathBuf),
    NotADirectory(PathBuf),
    /// A folder with files in it and nothing a registry holds (`--registry
    /// .` in a repository); `inside` is a subfolder that is a registry.
    NotARegistry {
        folder: PathBuf,
        inside: Option<PathBuf>,
    },
    Unreadable(PathBuf, std::io::Error),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotFound(p) => write!(f, "registry folder `{}` does not exist", p.display()),
            LoadError::NotADirectory(p) => write!(
                f,
                "`{}` is not a folder; --registry takes the registry folder",
                p.display()
            ),
            LoadError::NotARegistry { folder, inside } => {
                write!(
                    f,
                    "`{}` is not a registry folder: it has none of organisation.toml, categories.toml, measures.toml, {}",
                    folder.display(),
                    entry_folders()
                )?;
                match inside {
                    Some(r) => write!(f, "; did you mean --registry {}?", r.display()),
                    None => write!(
                        f,
                        "; give the registry folder with --registry DIR, or start a new one with `ropa init DIR`"
                    ),
                }
            }
            LoadError::Unreadable(p, e) => {
                write!(f, "cannot read registry folder `{}`: {e}", p.display())
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// What loading produced: the typed registry, the text of every file (for
/// diagnostics), and the problems found so far.
#[derive(Debug)]
pub struct Loaded {
    pub registry: Registry,
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

/// What a registry file holds: one of the top-level files, or an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Organisation,
    Categories,
    Measures,
    Adequacy,
    Entry(EntryKind),
}

impl FileKind {
    fn of_root_file(name: &str) -> Option<FileKind> {
        ROOT_FILES
            .into_iter()
            .find(|(file, _)| *file == name)
            .map(|(_, kind)| kind)
    }
}

/// "activities/, processors/, ...": the entry folders, for help lines.
fn entry_folders() -> String {
    EntryKind::ALL
        .map(|k| format!("{}/", k.folder()))
        .join(", ")
}

/// A registry file found by the walk.
struct Found {
    rel: String,
    path: PathBuf,
    kind: FileKind,
    id: String,
}

impl Found {
    /// The entry the file holds, if it is an entry's file.
    fn entry(&self) -> Option<EntryRef> {
        match self.kind {
            FileKind::Entry(kind) => Some(EntryRef {
                kind,
                id: self.id.clone(),
            }),
            _ => None,
        }
    }
}

/// The ids an entry names, read from the raw table with the entry kind's
/// declared reference fields: used when the entry did not decode, so what
/// it names is not reported as unused.
fn raw_uses(kind: FileKind, table: &DeTable) -> Vec<(RefKind, String)> {
    use toml::de::DeValue;
    fn strings(v: Option<&toml::Spanned<DeValue>>) -> Vec<String> {
        match v.map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => vec![s.to_string()],
            Some(DeValue::Array(a)) => a
                .iter()
                .filter_map(|x| x.get_ref().as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }
    let FileKind::Entry(kind) = kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for field in kind.references() {
        let ids = match field.within {
            None => strings(table.get(field.key)),
            Some(within) => match table.get(within).map(|v| v.get_ref()) {
                Some(DeValue::Array(entries)) => entries
                    .iter()
                    .filter_map(|e| match e.get_ref() {
                        DeValue::Table(t) => Some(strings(t.get(field.key))),
                        _ => None,
                    })
                    .flatten()
                    .collect(),
                _ => Vec::new(),
            },
        };
        out.extend(ids.into_iter().map(|id| (field.kind, id)));
    }
    out
}

/// What a file that does not parse names, read from its text: for each
/// reference key the entry kind declares, the quoted strings from `key =`
/// to the next line that starts another key or a table. The parser's
/// recovery loses every key after an unclosed `[`; this does not, and a
/// string too many only keeps an entry from being called unused.
fn text_uses(kind: FileKind, text: &str) -> Vec<(RefKind, String)> {
    let FileKind::Entry(kind) = kind else {
        return Vec::new();
    };
    let starts_key = |line: &str| {
        let line = line.trim_start();
        line.starts_with('[')
            || line.split_once('=').is_some_and(|(k, _)| {
                let k = k.trim();
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            })
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for field in kind.references() {
        for (i, line) in lines.iter().enumerate() {
            let Some((key, value)) = line.trim_start().split_once('=') else {
                continue;
            };
            if key.trim() != field.key {
                continue;
            }
            let mut value_text = value.to_string();
            for next in lines.iter().skip(i + 1).take_while(|l| !starts_key(l)) {
                value_text.push('\n');
                value_text.push_str(next);
            }
            out.extend(
                quoted_strings(&value_text)
                    .into_iter()
                    .map(|id| (field.kind, id)),
            );
        }
    }
    out
}

/// The contents of the `"…"` strings in `text` (no escapes: ids have none).
fn quoted_strings(text: &str) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty() && !s.contains('\n'))
        .map(str::to_string)
        .collect()
}

fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Walks the registry. Links are not followed: a link to a file inside the
/// registry is read as that file; anything leading outside is skipped with a
/// warning; linked folders are skipped (their target is walked where it is,
/// which also makes link loops harmless).
fn walk(root: &Path, canonical_root: &Path, diags: &mut Vec<Diagnostic>) -> Vec<Found> {
    let mut found = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(false)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let rel = e.path().map(|p| rel_path(root, p)).unwrap_or_default();
                diags.push(Diagnostic::file(
                    Code::UnreadableFile,
                    rel,
                    format!("cannot read this folder: {e}"),
                ));
                continue;
            }
        };
        let path = entry.path();
        let rel = rel_path(root, path);
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        let is_toml = path.extension().is_some_and(|e| e == "toml");
        if ft.is_symlink() {
            match std::fs::canonicalize(path) {
                // A broken or looping link only matters where a registry file could be.
                Err(e) if is_toml => {
                    diags.push(
                        Diagnostic::file(
                            Code::UnreadableFile,
                            rel,
                            format!("this link cannot be followed: {e}"),
                        )
                        .help("the link is broken or loops; replace it with the file itself"),
                    );
                    continue;
                }
                Err(_) => continue,
                Ok(target) if !target.starts_with(canonical_root) => {
                    if is_toml || target.is_dir() {
                        diags.push(
                            Diagnostic::file(
                                Code::LinkOutsideRegistry,
                                rel,
                                "this link leads outside the registry folder and was not followed",
                            )
                            .help(
                                "copy what it points to into the registry instead of linking to it",
                            ),
                        );
                    }
                    continue;
                }
                // A linked folder inside the registry is walked where it really is.
                Ok(target) if !target.is_file() || !is_toml => continue,
                Ok(_) => {}
            }
        } else if !is_toml {
            continue; // READMEs, schemas, editor files: not ours.
        } else if !ft.is_file() {
            // A named pipe or device called *.toml: reading it could block forever.
            diags.push(
                Diagnostic::file(
                    Code::UnreadableFile,
                    rel,
                    "this is not a regular file and was not read",
                )
                .help("registry entries are plain text files; remove it or replace it with a file"),
            );
            continue;
        }
        let (kind, stem) = match classify(&rel) {
            Ok(k) => k,
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        found.push(Found {
            rel,
            path: path.to_path_buf(),
            kind,
            id: stem,
        });
    }
    found.sort_by(|a, b| a.rel.cmp(&b.rel));
    found
}

/// Which kind of entry the file at `rel` (relative, `/`-separated) is,
/// and its id; or why it is not a registry file.
fn classify(rel: &str) -> Result<(FileKind, String), Box<Diagnostic>> {
    let parts: Vec<&str> = rel.split('/').collect();
    let name = parts[parts.len() - 1];
    let stem = name.strip_suffix(".toml").unwrap_or(name).to_string();
    let kind = if parts.len() == 1 {
        match FileKind::of_root_file(name) {
            Some(k) => k,
            None => {
                let names = ROOT_FILES.map(|(file, _)| file);
                let help = match did_you_mean(name, names) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => format!(
                        "the registry's top level holds only {}; entries go in {}",
                        names.join(", "),
                        entry_folders()
                    ),
                };
                return Err(Box::new(
                    Diagnostic::file(
                        Code::BadId,
                        rel.to_string(),
                        format!("`{name}` is not a registry file"),
                    )
                    .help(help),
                ));
            }
        }
    } else {
        match EntryKind::from_folder(parts[0]) {
            Some(k) => FileKind::Entry(k),
            None => {
                let help = match did_you_mean(parts[0], EntryKind::ALL.map(EntryKind::folder)) {
                    Some(m) => format!("did you mean the folder `{m}/`?"),
                    None => format!("entries go in {}", entry_folders()),
                };
                return Err(Box::new(
                    Diagnostic::file(
                        Code::BadId,
                        rel.to_string(),
                        format!(
                            "`{name}` is in `{}/`, which is not a registry folder",
                            parts[0]
                        ),
                    )
                    .help(help),
                ));
            }
        }
    };
    Ok((kind, stem))
}

/// How reading a file went; the text itself goes into the source map.
#[derive(Clone, PartialEq, Eq)]
enum Read {
    Text,
    /// Not UTF-8: the offset of the first bad byte (the text is the lossy version).
    NotUtf8(usize),
    TooLarge(u64),
    Failed(String),
}

fn read(path: &Path) -> (String, Read) {
    use std::io::Read as _;
    // One open, then fstat on the handle: no second path lookup.
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return (String::new(), Read::Failed(e.to_string())),
    };
    let len = match file.metadata() {
        Ok(m) if !m.is_file() => {
            return (
                String::new(),
                Read::Failed("it is not a regular file".into()),
            );
        }
        Ok(m) if m.len() > MAX_FILE_BYTES => return (String::new(), Read::TooLarge(m.len())),
        Ok(m) => m.len(),
        Err(e) => return (String::new(), Read::Failed(e.to_string())),
    };
    let mut bytes = Vec::with_capacity(len as usize + 1);
    // `take` keeps a file that grows while it is read within the limit.
    if let Err(e) = (&mut file).take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        return (String::new(), Read::Failed(e.to_string()));
    }
    text_of(bytes)
}

/// The text of a file from its bytes: refused above [`MAX_FILE_BYTES`],
/// BOM and CRLF removed, invalid UTF-8 located.
fn text_of(bytes: Vec<u8>) -> (String, Read) {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return (String::new(), Read::TooLarge(bytes.len() as u64));
    }
    // Files saved by Windows editors must just work: BOM and CRLF. Both are
    // handled on the bytes, so the offset of a bad byte below is an offset
    // in the very text that is shown.
    let body = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => normalize_newlines(rest),
        None if bytes.contains(&b'\r') => normalize_newlines(&bytes),
        None => bytes, // the usual case: the bytes as read, no copy
    };
    match String::from_utf8(body) {
        Ok(s) => (s, Read::Text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (
                String::from_utf8_lossy(e.as_bytes()).into_owned(),
                Read::NotUtf8(at),
            )
        }
    }
}

fn normalize_newlines(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// What one file decoded to. Short-lived (one per file, merged at once,
/// or kept once per file by a [`Cache`]), so the size difference between
/// variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Decoded {
    Organisation(Option<Organisation>),
    Categories(kinds::CategoriesFile),
    Measures(Vec<Measure>, Vec<Sp<String>>),
    Adequacy(Option<AdequacyList>),
    Activity(Option<Box<Activity>>),
    Processor(Option<Box<Processor>>),
    Recipient(Option<Box<Recipient>>),
    Transfer(Option<Box<Transfer>>),
    Safeguard(Option<Box<Safeguard>>),
    /// Unreadable or not TOML: only its id is known.
    Nothing,
}

/// What one file gave: its entry, its diagnostics, and (when the entry did
/// not decode) the ids it names, read from the raw table.
type FileOutcome = (Decoded, Vec<Diagnostic>, Vec<(RefKind, String)>);

fn decode_file(sources: &SourceMap, file: FileId, f: &Found, read: &Read) -> FileOutcome {
    let mut cx = decode::Cx::new(sources, file);
    let text = &sources.get(file).text;
    // The file name first: it is wrong whatever the content.
    if let FileKind::Entry(kind) = f.kind {
        if f.id == "index" {
            // Each kind's folder of the site has its own index.html (the
            // transfer register at transfers/index.html is a fixed URL).
            cx.push(
                cx.diag(
                    Code::BadId,
                    0..0,
                    format!(
                        "the id `index` is reserved: the site's {}/index.html lists all of them",
                        kind.folder()
                    ),
                )
                .help(format!(
                    "rename the file, e.g. to `main-{}.toml`",
                    kind.noun()
                )),
            );
        } else {
            decode::check_id(&mut cx, &f.id, 0..0, &format!("{} file", kind.noun()));
        }
    }
    match read {
        Read::Text => {}
        Read::NotUtf8(at) => {
            cx.push(
                cx.diag(Code::Syntax, *at..*at + '\u{FFFD}'.len_utf8(), "this file is not UTF-8 text")
                    .label("invalid byte here")
                    .help("save the file as UTF-8 in your editor (most editors offer it under \"Save with encoding\")"),
            );
            return (Decoded::Nothing, cx.finish(), Vec::new());
        }
        Read::TooLarge(n) => {
            cx.push(Diagnostic::file(
                Code::FileTooLarge,
                f.rel.clone(),
                format!("this file is {n} bytes; registry files are limited to {MAX_FILE_BYTES} bytes"),
            ).help("split the content or move large documents out of the registry and link to them").for_entry(f.entry()));
            return (Decoded::Nothing, cx.finish(), Vec::new());
        }
        Read::Failed(e) => {
            cx.push(
                Diagnostic::file(
                    Code::UnreadableFile,
                    f.rel.clone(),
                    format!("cannot read this file: {e}"),
                )
                .for_entry(f.entry()),
            );
            return (Decoded::Nothing, cx.finish(), Vec::new());
        }
    }
    // Parsing takes memory in proportion to the file's tokens (the parser
    // keeps every token and event, then the tree): a file of 16 MiB of `=`
    // or `{}` would take gigabytes. So the tokens are counted first (without
    // keeping them), a file with too many is refused, and the files being
    // parsed at one time share one budget, whatever the number of cores.
    let Some(tokens) = token_count(text, MAX_FILE_TOKENS) else {
        cx.push(
            Diagnostic::file(
                Code::FileTooLarge,
                f.rel.clone(),
                format!("this file holds more than {MAX_FILE_TOKENS} TOML tokens (keys, values, brackets, commas, line ends); ropa reads at most that many in one file"),
            )
            .help("split the content over several files; no registry entry comes near this limit")
            .for_entry(f.entry()),
        );
        return (Decoded::Nothing, cx.finish(), Vec::new());
    };
    let _parsing = PARSE_BUDGET.take(tokens);
    let table = match DeTable::parse(text) {
        Ok(t) => t.into_inner(),
        Err(e) => {
            // Only the first syntax error: after it the parser's guesses cascade
            // into errors on lines that are fine.
            let at = e.span().map_or(0, |s| s.start);
            let mut lines = e.message().trim().lines();
            let first = lines.next().unwrap_or("invalid TOML").to_string();
            let rest: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
            let d = match unclosed::unclosed_before(text, at) {
                Some(open) => {
                    let (line, _) = sources.get(file).line_col(at);
                    let bracket = &text[open..open + 1];
                    let close = if bracket == "[" { "]" } else { "}" };
                    cx.diag(Code::Syntax, open..open + 1, format!("invalid TOML: this `{bracket}` is never closed"))
                    .label(format!("no matching `{close}`"))
                    .help(format!("add `{close}` at the end of the value; reading failed on line {line} ({first})"))
                }
                None => {
                    let span = e.span().unwrap_or(0..0);
                    let d = cx
                        .diag(Code::Syntax, span, format!("invalid TOML: {first}"))
                        .label(first.clone());
                    if rest.is_empty() {
                        d
                    } else {
                        d.help(rest.join("; "))
                    }
                }
            };
            cx.push(d);
            // The partial table the parser recovered still tells what the
            // entry names, so those are not reported as unused. Recovery
            // keeps every error (one per stray token), so it is tried only
            // on files of a size an entry really has.
            let mut uses = if tokens <= MAX_RECOVER_TOKENS {
                raw_uses(f.kind, &DeTable::parse_recoverable(text).0.into_inner())
            } else {
                Vec::new()
            };
            uses.extend(text_uses(f.kind, text));
            return (Decoded::Nothing, cx.finish(), uses);
        }
    };
    let out = match f.kind {
        FileKind::Organisation => Decoded::Organisation(kinds::organisation(&mut cx, &table)),
        FileKind::Categories => Decoded::Categories(kinds::categories(&mut cx, &table)),
        FileKind::Measures => {
            let (m, k) = kinds::measures(&mut cx, &table);
            Decoded::Measures(m, k)
        }
        FileKind::Adequacy => Decoded::Adequacy(kinds::adequacy(
            &mut cx,
            &table,
            "adequacy.toml",
            Some(&bundled_adequacy().eea),
        )),
        FileKind::Entry(EntryKind::Activity) => {
            Decoded::Activity(kinds::activity(&mut cx, &table, &f.id).map(Box::new))
        }
        FileKind::Entry(EntryKind::Processor) => {
            Decoded::Processor(kinds::processor(&mut cx, &table, &f.id).map(Box::new))
        }
        FileKind::Entry(EntryKind::Recipient) => {
            Decoded::Recipient(kinds::recipient(&mut cx, &table, &f.id).map(Box::new))
        }
        FileKind::Entry(EntryKind::Transfer) => {
            Decoded::Transfer(kinds::transfer(&mut cx, &table, &f.id).map(Box::new))
        }
        FileKind::Entry(EntryKind::Safeguard) => {
            Decoded::Safeguard(kinds::safeguard(&mut cx, &table, &f.id).map(Box::new))
        }
    };
    let failed = matches!(
        out,
        Decoded::Activity(None) | Decoded::Processor(None) | Decoded::Transfer(None)
    );
    let uses = if failed {
        raw_uses(f.kind, &table)
    } else {
        Vec::new()
    };
    (out, cx.finish(), uses)
}

/// Whether `dir` holds something of a registry: one of its top-level files
/// or an entry folder.
pub fn holds_registry(dir: &Path) -> bool {
    ROOT_FILES.iter().any(|(file, _)| dir.join(file).is_file())
        || EntryKind::ALL.iter().any(|k| dir.join(k.folder()).is_dir())
}

/// A folder that is not a registry while it has files of its own: what
/// `--registry` names by mistake (a repository, the site). An empty folder
/// (hidden files aside) is a registry still to be written: the loader
/// reports the files it lacks.
fn not_a_registry(root: &Path) -> Option<LoadError> {
    if holds_registry(root) {
        return None;
    }
    let mut visible: Vec<PathBuf> = std::fs::read_dir(root)
        .ok()?
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    if visible.is_empty() {
        return None;
    }
    visible.sort();
    let inside = visible
        .into_iter()
        .find(|p| p.is_dir() && p.join("organisation.toml").is_file());
    Some(LoadError::NotARegistry {
        folder: root.to_path_buf(),
        inside,
    })
}

/// Whether `root` can be read as a registry: a readable folder that is
/// not plainly something else. `load` starts with it; `ropa serve` asks
/// before it starts.
pub fn registry_folder(root: &Path) -> Result<(), LoadError> {
    let meta = match std::fs::metadata(root) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LoadError::NotFound(root.to_path_buf()));
        }
        Err(e) => return Err(LoadError::Unreadable(root.to_path_buf(), e)),
    };
    if !meta.is_dir() {
        return Err(LoadError::NotADirectory(root.to_path_buf()));
    }
    if let Err(e) = std::fs::read_dir(root) {
        return Err(LoadError::Unreadable(root.to_path_buf(), e));
    }
    match not_a_registry(root) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Loads the registry in `root`. `Err` only when the folder itself cannot
/// be read or is plainly not a registry; every problem inside it is a
/// diagnostic.
pub fn load(root: &Path) -> Result<Loaded, LoadError> {
    let (found, reads, diagnostics) = walk_and_read(root)?;
    Ok(assemble(found, reads, diagnostics, None))
}

/// The registry files of `root`, what reading each gave, and the walk's
/// diagnostics.
type Files = (Vec<Found>, Vec<(String, Read)>, Vec<Diagnostic>);

/// Finds the registry files of `root` and reads them.
fn walk_and_read(root: &Path) -> Result<Files, LoadError> {
    registry_folder(root)?;
    let canonical_root =
        std::fs::canonicalize(root).map_err(|e| LoadError::Unreadable(root.to_path_buf(), e))?;

    let mut diagnostics = Vec::new();
    let found = timed("load: walk", || {
        walk(root, &canonical_root, &mut diagnostics)
    });

    let reads: Vec<(String, Read)> = timed("load: read", || {
        found.par_iter().map(|f| read(&f.path)).collect()
    });
    Ok((found, reads, diagnostics))
}

/// What a load read and decoded, file by file, so that the next load of
/// the same folder decodes only the files whose text changed (`ropa
/// serve`, after a save). Every file is still found and read: what is
/// compared is the text, not a time stamp.
#[derive(Default)]
pub struct Cache {
    /// In the order the walk found them.
    files: Vec<Cached>,
}

struct Cached {
    rel: String,
    text: String,
    read: Read,
    outcome: FileOutcome,
}

/// [`load`], with the files decoded by the last load through `cache`
/// taken from it when their text is the same; the result is what [`load`]
/// gives. When the folder's files are not the same files in the same
/// order (one added, removed or renamed), every file is decoded again:
/// the diagnostics name the files by their place in the list.
pub fn load_cached(root: &Path, cache: &mut Cache) -> Result<Loaded, LoadError> {
    let (found, reads, diagnostics) = walk_and_read(root)?;
    let same_files = cache.files.len() == found.len()
        && cache.files.iter().zip(&found).all(|(c, f)| c.rel == f.rel);
    if !same_files {
        cache.files.clear();
    }
    Ok(assemble(found, reads, diagnostics, Some(cache)))
}

/// Loads a registry held in memory: `(path, bytes)` pairs, paths relative
/// to the registry folder and `/`-separated, as `load` would find them on
/// disk (hidden and non-`.toml` files are skipped the same way). The fuzz
/// targets and tests use it; the result is what `load` gives for the same
/// files on disk.
pub fn load_files(files: Vec<(String, Vec<u8>)>) -> Loaded {
    let mut files = files;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    let mut diagnostics = Vec::new();
    let mut found = Vec::new();
    let mut reads = Vec::new();
    for (rel, bytes) in files {
        if !is_registry_path(&rel) {
            continue;
        }
        match classify(&rel) {
            Ok((kind, id)) => {
                found.push(Found {
                    path: PathBuf::from(&rel),
                    rel,
                    kind,
                    id,
                });
                reads.push(text_of(bytes));
            }
            Err(d) => diagnostics.push(*d),
        }
    }
    assemble(found, reads, diagnostics, None)
}

/// Whether the loader reads the file at `rel` (relative, `/`-separated):
/// a `.toml` file, not hidden, not in a hidden folder.
pub(crate) fn is_registry_path(rel: &str) -> bool {
    rel.ends_with(".toml") && !rel.split('/').any(|part| part.starts_with('.'))
}

/// What the registry file at `rel` holds and the id it gives (its name
/// without `.toml`), as the loader reads it; `None` for a file the loader
/// skips or refuses. History (which files a commit changed) asks the same
/// question the loader does.
pub fn file_kind(rel: &str) -> Option<(FileKind, String)> {
    if !is_registry_path(rel) {
        return None;
    }
    classify(rel).ok()
}

/// The text of a file's bytes as the loader reads it (BOM and CRLF
/// removed); `None` when it is too large or not UTF-8.
pub fn file_text(bytes: Vec<u8>) -> Option<String> {
    match text_of(bytes) {
        (text, Read::Text) => Some(text),
        _ => None,
    }
}

/// A registry file's text parsed as a plain TOML table, within the
/// loader's limits on tokens (and sharing its parse budget); `None` when
/// it does not parse or is over them. History compares files this way.
pub fn parse_table(text: &str) -> Option<toml::Table> {
    let tokens = token_count(text, MAX_FILE_TOKENS)?;
    let _parsing = PARSE_BUDGET.take(tokens);
    text.parse::<toml::Table>().ok()
}

/// Decodes the files read and assembles the registry. With a `cache` of
/// the same files (see [`load_cached`]), a file whose text it holds is not
/// decoded again; the cache is left holding this load's files.
fn assemble(
    found: Vec<Found>,
    reads: Vec<(String, Read)>,
    mut diagnostics: Vec<Diagnostic>,
    cache: Option<&mut Cache>,
) -> Loaded {
    let mut sources = SourceMap::default();
    let mut status = Vec::with_capacity(reads.len());
    for (f, (text, r)) in found.iter().zip(reads) {
        sources.add_entry(f.rel.clone(), text, f.entry());
        status.push(r);
    }
    let decode = |i: usize, f: &Found, r: &Read| decode_file(&sources, i, f, r);
    let decoded: Vec<FileOutcome> = match cache {
        None => timed("load: decode", || {
            found
                .par_iter()
                .zip(status.par_iter())
                .enumerate()
                .map(|(i, (f, r))| decode(i, f, r))
                .collect()
        }),
        Some(cache) => timed("load: decode what changed", || {
            let kept = std::mem::take(&mut cache.files);
            // A file decoded again, or its outcome kept when its text is
            // the one the last load decoded.
            let file = |i: usize, f: &Found, r: &Read, old: Option<Cached>| {
                let text = &sources.get(i).text;
                match old.filter(|c| c.read == *r && c.text == *text) {
                    Some(c) => c,
                    None => Cached {
                        rel: f.rel.clone(),
                        text: text.clone(),
                        read: r.clone(),
                        outcome: decode(i, f, r),
                    },
                }
            };
            let files = found.par_iter().zip(status.par_iter()).enumerate();
            cache.files = match kept.len() == found.len() {
                true => files
                    .zip(kept.into_par_iter())
                    .map(|((i, (f, r)), old)| file(i, f, r, Some(old)))
                    .collect(),
                false => files.map(|(i, (f, r))| file(i, f, r, None)).collect(),
            };
            cache.files.par_iter().map(|c| c.outcome.clone()).collect()
        }),
    };

    let mut reg = Registry::default();
    // Borrowed keys, hashed: this runs once per file, on one core.
    let mut first_file: rustc_hash::FxHashMap<(EntryKind, &str), FileId> =
        rustc_hash::FxHashMap::default();
    let (mut have_org, mut have_categories) = (false, false);
    timed("load: assemble", || {
        for (i, (f, (dec, diags, uses))) in found.iter().zip(decoded).enumerate() {
            diagnostics.extend(diags);
            reg.uses_by_broken_entries.extend(uses);
            if let FileKind::Entry(kind) = f.kind {
                if let Some(&first) = first_file.get(&(kind, f.id.as_str())) {
                    let noun = kind.noun();
                    diagnostics.push(
                        Diagnostic::at(Code::DuplicateId, &sources, i, 0..0, format!("duplicate {noun} id `{}`", f.id))
                            .label(format!("a second {noun} named `{}`", f.id))
                            .also(first, 0..0, "first defined here")
                            .help(format!(
                                "the id is the file name, so it must be unique in {}/ and all its subfolders; rename one of `{}` and `{}`",
                                kind.folder(),
                                sources.get(first).path,
                                f.rel
                            )),
                    );
                    continue;
                }
                first_file.insert((kind, f.id.as_str()), i);
                reg.known.of_entry(kind).insert(f.id.clone());
            }
            match dec {
                Decoded::Organisation(o) => {
                    have_org = true;
                    reg.organisation = o;
                }
                Decoded::Categories(c) => {
                    have_categories = true;
                    reg.known.data_subjects.extend(c.known_subjects);
                    reg.known.data_categories.extend(c.known_categories);
                    for x in c.subjects {
                        reg.data_subjects.insert(x.id.value.clone(), x);
                    }
                    for x in c.categories {
                        reg.data_categories.insert(x.id.value.clone(), x);
                    }
                }
                Decoded::Measures(measures, known) => {
                    reg.known
                        .measures
                        .extend(known.into_iter().map(|k| k.value));
                    for m in measures {
                        reg.measures.insert(m.id.value.clone(), m);
                    }
                }
                Decoded::Adequacy(a) => reg.adequacy = a,
                Decoded::Activity(a) => {
                    if let Some(a) = a {
                        reg.activities.insert(f.id.clone(), a);
                    }
                }
                Decoded::Processor(p) => {
                    if let Some(p) = p {
                        reg.processors.insert(f.id.clone(), p);
                    }
                }
                Decoded::Recipient(r) => {
                    if let Some(r) = r {
                        reg.recipients.insert(f.id.clone(), r);
                    }
                }
                Decoded::Transfer(t) => {
                    if let Some(t) = t {
                        reg.transfers.insert(f.id.clone(), t);
                    }
                }
                Decoded::Safeguard(s) => {
                    if let Some(s) = s {
                        reg.safeguards.insert(f.id.clone(), s);
                    }
                }
                Decoded::Nothing => match f.kind {
                    FileKind::Entry(_) => {}
                    FileKind::Organisation => have_org = true,
                    FileKind::Categories => {
                        have_categories = true;
                        reg.known.categories_unreadable = true;
                    }
                    FileKind::Measures => reg.known.measures_unreadable = true,
                    FileKind::Adequacy => {}
                },
            }
        }
    });
    if !have_org {
        diagnostics.push(
            Diagnostic::file(Code::Schema, "organisation.toml", "the registry has no `organisation.toml`")
                .help("create organisation.toml with at least `name` and `country` (who keeps this record, Art. 30(1)(a))"),
        );
    }
    if !have_categories {
        reg.known.categories_unreadable = true;
        diagnostics.push(
            Diagnostic::file(Code::Schema, "categories.toml", "the registry has no `categories.toml`")
                .help("create categories.toml with the `[data_subjects.<id>]` and `[data_categories.<id>]` the activities name"),
        );
    }
    Loaded {
        registry: reg,
        sources,
        diagnostics,
    }
}

/// Decodes an adequacy list from text. A list without `eea` takes
/// `default_eea`; with none, `eea` is required.
fn parse_adequacy(
    text: &str,
    origin: &str,
    default_eea: Option<&std::collections::BTreeSet<String>>,
) -> Result<AdequacyList, Vec<String>> {
    let mut sources = SourceMap::default();
    let file = sources.add("adequacy.toml".into(), text.to_string());
    let mut cx = decode::Cx::new(&sources, file);
    let table = match DeTable::parse(text) {
        Ok(t) => t.into_inner(),
        Err(e) => return Err(vec![e.to_string()]),
    };
    let list = kinds::adequacy(&mut cx, &table, origin, default_eea);
    match list {
        Some(l) if cx.diags.is_empty() => Ok(l),
        _ => Err(cx.diags.iter().map(|d| d.message.clone()).collect()),
    }
}

/// The adequacy list bundled with ropa (`reference::BUNDLED_ADEQUACY`),
/// decoded once. It must give its own EEA, so decoding it never needs
/// itself. It is data of this repository, checked by a test, so a failure
/// here is a bug in ropa, not in the user's input.
pub fn bundled_adequacy() -> &'static AdequacyList {
    static LIST: std::sync::OnceLock<AdequacyList> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        parse_adequacy(crate::reference::BUNDLED_ADEQUACY, "bundled", None)
            .unwrap_or_else(|errs| panic!("the bundled adequacy.toml is invalid: {errs:?}"))
    })
}

#[cfg(test)]
mod tests {
    use super::{Cache, bundled_adequacy, load, load_cached};
    use crate::model::Date;
    use crate::reference::is_country;

    #[test]
    fn bundled_list_is_valid_and_complete() {
        let list = bundled_adequacy();
        assert_eq!(list.eea.len(), 30, "EU-27 + IS, LI, NO");
        for c in &list.eea {
            assert!(is_country(c), "{c}");
        }
        for (cc, d) in &list.decisions {
            assert!(is_country(cc), "{cc}");
            assert!(!list.eea.contains(cc));
            assert!(!d.decision.is_empty());
        }
        let as_of = Date::new(2026, 11, 1).unwrap();
        assert!(list.decisions["JP"].in_force(as_of));
        assert!(!list.decisions.contains_key("IN"));
        // the UK decision lapses after 2031-12-27
        assert!(!list.decisions["GB"].in_force(Date::new(2032, 1, 1).unwrap()));
        assert!(list.decisions["GB"].in_force(Date::new(2031, 12, 27).unwrap()));
        // the US decision only covers DPF-certified organisations
        assert!(list.decisions["US"].requires.is_some());
    }

    /// A load through a cache gives what a plain load gives, whatever
    /// changed since the last: a file edited, broken, fixed, added,
    /// removed.
    #[test]
    fn a_cached_load_is_a_load() {
        let dir = tempfile::tempdir().unwrap();
        let reg = dir.path().join("registry");
        let fixture =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid-saas");
        for e in walkdir::WalkDir::new(&fixture).into_iter().flatten() {
            let to = reg.join(e.path().strip_prefix(&fixture).unwrap());
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(e.path(), &to).unwrap();
            }
        }
        let crm = reg.join("processors/crm.toml");
        let text = std::fs::read_to_string(&crm).unwrap();
        let mut cache = Cache::default();
        let same = |cache: &mut Cache, what: &str| {
            let cached = format!("{:?}", load_cached(&reg, cache).unwrap());
            assert_eq!(cached, format!("{:?}", load(&reg).unwrap()), "after {what}");
            cached
        };
        let first = same(&mut cache, "no load yet");
        assert_eq!(same(&mut cache, "nothing"), first);
        std::fs::write(&crm, text.replacen("name = \"", "name = \"Edited ", 1)).unwrap();
        assert!(same(&mut cache, "an edit").contains("Edited "));
        std::fs::write(&crm, "name = [").unwrap();
        assert!(same(&mut cache, "a syntax error").contains("Syntax"));
        std::fs::write(&crm, &text).unwrap();
        assert_eq!(same(&mut cache, "the fix"), first);
        std::fs::write(reg.join("processors/aaa-new.toml"), &text).unwrap();
        same(&mut cache, "a file added before the others");
        std::fs::remove_file(reg.join("processors/aaa-new.toml")).unwrap();
        assert_eq!(same(&mut cache, "its removal"), first);
    }
}
