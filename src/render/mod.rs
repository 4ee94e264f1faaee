//! Render: the checked, linked register → the static site.
//!
//! Entry point: [`build_site`]. Pages are rendered and written in parallel
//! (rayon), each straight to the staging folder so memory stays flat; the
//! staging folder replaces `--out` only when every page is written.
//! [`with_preview`] gives the same site a file at a time, in memory, for
//! `ropa serve` (`preview`).

mod history;
mod pages;
mod pictures;
mod preview;
mod record;
mod stream;
mod sub_processors;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use askama::Template;
use rayon::prelude::*;
use serde::Serialize;

use crate::diag::Diagnostic;
use crate::diag::{Code, SourceMap};
use crate::history::History;
use crate::i18n::Tr;
use crate::link::Register;
use crate::markdown::Html;
use crate::model::{Activity, EntryKind};
use crate::output::extra::{self, ExtraError, ExtraFile};
use crate::output::{MARKER, SiteError, Staging};
use crate::timing::timed;
use pages::*;
pub use preview::{Preview, with_preview};
use stream::{FmtToIo, WriteError};

/// The theme's stylesheet: `static/style.css` for every page, and inline in
/// `404.html`, which a web server sends for a missing path at any depth,
/// where no relative link reaches `static/`.
const STYLE_CSS: &str = include_str!("../../themes/default/static/style.css");

/// Theme files copied as they are, embedded in the binary.
const ASSETS: &[(&str, &[u8])] = &[
    ("static/style.css", STYLE_CSS.as_bytes()),
    (
        "static/search.js",
        include_bytes!("../../themes/default/static/search.js"),
    ),
];

#[derive(Debug)]
pub enum RenderError {
    /// Staging or swapping in the site failed, or `--out` is unsafe to
    /// replace ([`SiteError::Refused`], exit 2).
    Site(SiteError),
    Template(String, askama::Error),
    /// `[site] extra` cannot be copied (`ropa check` reports why; this is
    /// for a folder that changed since, exit 2).
    Extra(ExtraError),
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::Site(e) => e.fmt(f),
            RenderError::Template(page, e) => write!(f, "cannot render `{page}`: {e}"),
            RenderError::Extra(e) => write!(f, "[site] {e}"),
        }
    }
}

impl std::error::Error for RenderError {}

impl From<SiteError> for RenderError {
    fn from(e: SiteError) -> Self {
        RenderError::Site(e)
    }
}

/// Writes the staged file `rel` through `fill`, streamed (large files).
fn write_streamed<E: Into<WriteError>>(
    staging: &Staging,
    rel: &str,
    fill: impl FnOnce(&mut std::fs::File) -> Result<(), E>,
) -> Result<(), RenderError> {
    let mut f = staging.create(rel)?;
    fill(&mut f).map_err(|e| match e.into() {
        WriteError::Io(e) => SiteError::Io(staging.path(rel), e).into(),
        WriteError::Template(e) => RenderError::Template(rel.to_string(), e),
    })
}

/// One page of the site: where it goes and what it shows.
#[derive(Clone, Copy)]
enum Job<'a> {
    Index,
    NotFound,
    Categories,
    Measures,
    Processor(&'a crate::model::Processor),
    Processors,
    Recipient(&'a crate::model::Recipient),
    Recipients,
    Safeguard(&'a crate::model::Safeguard),
    Safeguards,
    Transfer(&'a crate::model::Transfer),
    Transfers,
    Country(&'a str),
    Countries,
    /// The controller's (`true`) or the processor's record, with the pages
    /// of its activities (every activity is in one of them).
    Record(bool),
    /// The Changes page, when the build shows history.
    Changes,
}

impl Job<'_> {
    fn path(&self) -> String {
        match self {
            Job::Index => "index.html".into(),
            Job::NotFound => "404.html".into(),
            Job::Categories => "categories.html".into(),
            Job::Measures => "measures.html".into(),
            Job::Processor(x) => format!("processors/{}.html", x.id),
            Job::Processors => "processors/index.html".into(),
            Job::Recipient(x) => format!("recipients/{}.html", x.id),
            Job::Recipients => "recipients/index.html".into(),
            Job::Safeguard(x) => format!("safeguards/{}.html", x.id),
            Job::Safeguards => "safeguards/index.html".into(),
            Job::Transfer(x) => format!("transfers/{}.html", x.id),
            Job::Transfers => "transfers/index.html".into(),
            Job::Country(cc) => format!("countries/{}.html", cc.to_ascii_lowercase()),
            Job::Countries => "countries/index.html".into(),
            Job::Record(controller) => record::path(*controller).into(),
            Job::Changes => "changes.html".into(),
        }
    }
}

impl Job<'_> {
    /// Pages whose size grows with the whole registry.
    fn is_large(&self) -> bool {
        matches!(
            self,
            Job::Index | Job::Categories | Job::Measures | Job::Transfers | Job::Changes
        )
    }
}

/// The pages of the site of `r`; the Changes page only `with_history`.
fn jobs<'a>(r: &'a Register<'a>, with_history: bool) -> Vec<Job<'a>> {
    let reg = r.reg;
    let mut jobs = vec![
        Job::Index,
        Job::NotFound,
        Job::Categories,
        Job::Measures,
        Job::Processors,
        Job::Recipients,
        Job::Safeguards,
        Job::Transfers,
        Job::Countries,
        Job::Record(true),
        Job::Record(false),
    ];
    jobs.extend(reg.processors.values().map(|e| Job::Processor(e)));
    jobs.extend(reg.recipients.values().map(|e| Job::Recipient(e)));
    jobs.extend(reg.safeguards.values().map(|e| Job::Safeguard(e)));
    jobs.extend(reg.transfers.values().map(|e| Job::Transfer(e)));
    jobs.extend(r.countries.keys().map(|cc| Job::Country(cc)));
    if with_history {
        jobs.push(Job::Changes);
    }
    jobs
}

/// Renders the shared header and footer for pages at `root`.
fn chrome<'a>(
    r: &'a Register<'a>,
    warnings: &'a Warnings<'a>,
    tr: &'a Tr,
    history: Option<&'a History>,
    site_title: &'a str,
    root: &'static str,
) -> Result<Chrome, askama::Error> {
    let empty = Chrome::default();
    let unsorted = Sorted::default();
    let page = || Page {
        r,
        warnings,
        tr,
        root,
        site_title,
        version: env!("CARGO_PKG_VERSION"),
        chrome: &empty,
        sorted: &unsorted,
        history,
        pictures: None,
    };
    Ok(Chrome {
        header: Html(ChromeHeader { p: page() }.render()?),
        footer: Html(ChromeFooter { p: page() }.render()?),
    })
}

/// The site's language (its translations) and its title: `[site] title`,
/// else the organisation's name.
fn language_and_title(r: &Register) -> (Tr, String) {
    let org = r.reg.organisation.as_ref();
    let site = org.and_then(|o| o.site.as_ref());
    let tr = Tr::new(
        site.and_then(|s| s.language.as_ref())
            .map(|l| l.value.as_str()),
    );
    let default_title =
        org.map_or_else(|| tr.t("index.title").to_string(), |o| o.name.value.clone());
    let title = site
        .and_then(|s| s.title.as_ref())
        .map_or(default_title, |t| t.value.clone());
    (tr, title)
}

/// What every page of a build shares.
struct Shared<'a> {
    r: &'a Register<'a>,
    warnings: &'a Warnings<'a>,
    tr: &'a Tr,
    /// The registry's history, when the build reads it.
    history: Option<&'a History>,
    /// What the pictures share, made once (none with `--no-pictures`).
    pictures: Option<pictures::flow::Pictures<'a>>,
    site_title: &'a str,
    top: Chrome,
    nested: Chrome,
    sorted: Sorted<'a>,
}

impl<'a> Shared<'a> {
    /// What the pages of `r` share: the names sorted, the chrome, and the
    /// pictures' texts (with `pictures`).
    fn new(
        r: &'a Register<'a>,
        warnings: &'a Warnings<'a>,
        tr: &'a Tr,
        site_title: &'a str,
        history: Option<&'a History>,
        pictures: bool,
    ) -> Result<Shared<'a>, RenderError> {
        let chrome_error = |e| RenderError::Template("chrome-header.html".into(), e);
        // Both before any page, neither needing the other.
        let (sorted, pictures) = rayon::join(
            || timed("render: sort by name", || Sorted::new(r, tr)),
            || {
                pictures.then(|| {
                    timed("render: picture texts", || {
                        pictures::flow::Pictures::new(r, tr)
                    })
                })
            },
        );
        Ok(Shared {
            r,
            warnings,
            tr,
            history,
            site_title,
            top: chrome(r, warnings, tr, history, site_title, "").map_err(chrome_error)?,
            nested: chrome(r, warnings, tr, history, site_title, "../").map_err(chrome_error)?,
            sorted,
            pictures,
        })
    }

    /// The context of a page at `root` (`""` or `"../"`).
    fn page(&'a self, root: &'static str) -> Page<'a> {
        Page {
            r: self.r,
            warnings: self.warnings,
            tr: self.tr,
            root,
            site_title: self.site_title,
            version: env!("CARGO_PKG_VERSION"),
            chrome: if root.is_empty() {
                &self.top
            } else {
                &self.nested
            },
            sorted: &self.sorted,
            history: self.history,
            pictures: self.pictures.as_ref(),
        }
    }
}

fn render_job<'a, W: fmt::Write>(
    job: &Job<'a>,
    s: &'a Shared<'a>,
    buf: &mut W,
) -> Result<(), askama::Error> {
    let r = s.r;
    let p = s.page(if job.path().contains('/') { "../" } else { "" });
    match job {
        Job::Index => IndexPage { p }.render_into(buf),
        Job::NotFound => NotFoundPage {
            p,
            css: STYLE_CSS,
            css_source: csp_hash_source(STYLE_CSS),
        }
        .render_into(buf),
        Job::Categories => CategoriesPage { p }.render_into(buf),
        Job::Measures => MeasuresPage { p }.render_into(buf),
        Job::Processor(x) => ProcessorPage { p, x }.render_into(buf),
        Job::Processors => ProcessorsPage { p }.render_into(buf),
        Job::Recipient(x) => RecipientPage { p, x }.render_into(buf),
        Job::Recipients => RecipientsPage { p }.render_into(buf),
        Job::Safeguard(x) => SafeguardPage { p, x }.render_into(buf),
        Job::Safeguards => SafeguardsPage { p }.render_into(buf),
        Job::Transfer(x) => TransferPage { p, x }.render_into(buf),
        Job::Transfers => TransfersPage { p }.render_into(buf),
        Job::Countries => CountriesPage { p }.render_into(buf),
        Job::Country(cc) => {
            let info = &r.countries[cc];
            CountryPage { p, cc, info }.render_into(buf)
        }
        // Never asked: `build` writes a record through record::write,
        // which writes its activities' pages too.
        Job::Record(_) => Err(askama::Error::Fmt),
        Job::Changes => history::ChangesPage { p }.render_into(buf),
    }
}

/// `'sha256-<base64>'`: the Content-Security-Policy source that allows
/// exactly the inline `<style>` whose text is `text`, and nothing else.
fn csp_hash_source(text: &str) -> String {
    use sha2::Digest;
    format!("'sha256-{}'", base64(&sha2::Sha256::digest(text)))
}

/// Standard base64 with padding (RFC 4648 §4), as CSP hashes are written.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}

#[derive(Serialize)]
struct SearchEntry<'a> {
    /// kind, translated
    k: &'a str,
    /// name
    n: &'a str,
    /// url relative to the site root
    u: String,
    /// more text to match: id, purposes, service, country
    t: String,
}

/// The search index, as a script that sets `window.ropaSearchIndex` to a
/// JSON array: a script loads from `file://` where `fetch` cannot.
fn search_index(r: &Register, tr: &Tr) -> String {
    let mut entries = Vec::new();
    for a in r.reg.activities.values() {
        let purposes: Vec<&str> = a.purposes.value.iter().map(|p| p.value.as_str()).collect();
        entries.push(SearchEntry {
            k: tr.t("kind.activity"),
            n: &a.name.value,
            u: format!("activities/{}.html", a.id),
            t: format!("{} {}", a.id, purposes.join(" ")),
        });
    }
    for x in r.reg.processors.values() {
        entries.push(SearchEntry {
            k: tr.t("kind.processor"),
            n: &x.name.value,
            u: format!("processors/{}.html", x.id),
            t: format!("{} {} {}", x.id, x.service.value, x.country.value),
        });
    }
    for x in r.reg.recipients.values() {
        let country = x.country.as_ref().map_or("", |c| c.value.as_str());
        entries.push(SearchEntry {
            k: tr.t("kind.recipient"),
            n: &x.name.value,
            u: format!("recipients/{}.html", x.id),
            t: format!("{} {country}", x.id),
        });
    }
    for x in r.reg.transfers.values() {
        let name = r.party_name(&x.to.value).unwrap_or(&x.to.value);
        // An international organisation is found by its code too.
        let organisation = r
            .organisation_of(x)
            .map_or_else(String::new, |code| format!(" {code}"));
        entries.push(SearchEntry {
            k: tr.t("kind.transfer"),
            n: name,
            u: format!("transfers/{}.html", x.id),
            t: format!(
                "{}{organisation} {} {} {}",
                x.id,
                x.country().unwrap_or_default(),
                x.country()
                    .and_then(|c| crate::reference::country_name_in(c, tr.primary()))
                    .unwrap_or(""),
                x.mechanism.value
            ),
        });
    }
    // `</` cannot end the script early: JSON escapes it here.
    let json = serde_json::to_string(&entries)
        .unwrap_or_else(|_| "[]".into())
        .replace("</", "<\\/");
    format!("window.ropaSearchIndex = {json};\n")
}

/// Summary of a finished build.
#[derive(Debug)]
pub struct BuildReport {
    pub out: PathBuf,
    pub pages: usize,
    /// Things the user should hear about, one `warning: ` line each (files
    /// of the old site ropa did not write, an old site not fully removed).
    pub warnings: Vec<String>,
}

/// Renders the whole site of `r` into `out`, atomically; the dashboard
/// lists the warnings among `diagnostics`. `registry` is only used to
/// refuse an `--out` that is, or contains, the registry.
pub fn build_site(
    r: &Register,
    diagnostics: &[Diagnostic],
    out: &Path,
    registry: &Path,
) -> Result<BuildReport, RenderError> {
    build_site_with(r, diagnostics, out, registry, &RenderOptions::default())
}

/// How [`build_site_with`] renders, beyond the register itself.
pub struct RenderOptions<'a> {
    /// The registry's history (docs/history.md), when it is known.
    pub history: Option<&'a History>,
    /// A progress line on standard error (the caller decides: a terminal).
    pub progress: bool,
    /// Draw the pictures: flow diagrams, the world map, the dashboard's
    /// charts (off with `ropa build --no-pictures`).
    pub pictures: bool,
}

impl Default for RenderOptions<'_> {
    fn default() -> Self {
        RenderOptions {
            history: None,
            progress: false,
            pictures: true,
        }
    }
}

/// Shows `rendering pages: done/total` on standard error while a build
/// lasts longer than a moment, redrawn in place, and erases it at the end.
/// Only for a terminal (the caller decides): CI logs stay clean.
struct Progress<'a> {
    done: &'a AtomicUsize,
    total: usize,
    stop: &'a AtomicBool,
}

impl Progress<'_> {
    fn run(&self) {
        use std::io::Write;
        let start = std::time::Instant::now();
        let mut shown = false;
        while !self.stop.load(Ordering::Relaxed) {
            std::thread::sleep(std::time::Duration::from_millis(50));
            if start.elapsed() < std::time::Duration::from_millis(300) {
                continue;
            }
            let done = self.done.load(Ordering::Relaxed).min(self.total);
            let _ = write!(
                std::io::stderr(),
                "\rrendering pages: {done}/{}",
                self.total
            );
            shown = true;
        }
        if shown {
            // Erase the line so the summary that follows starts clean.
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

/// [`build_site`], rendered as `options` say.
pub fn build_site_with(
    r: &Register,
    diagnostics: &[Diagnostic],
    out: &Path,
    registry: &Path,
    options: &RenderOptions,
) -> Result<BuildReport, RenderError> {
    let history = options.history;
    // The dashboard lists the open warnings, each linking to its entry,
    // and the acknowledged ones apart; entry pages show their own
    // acknowledged warnings with the reason.
    let warnings = Warnings::new(diagnostics);
    let done = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let jobs = jobs(r, history.is_some());
    std::thread::scope(|scope| {
        if options.progress {
            let p = Progress {
                done: &done,
                total: jobs.len() + r.reg.activities.len(),
                stop: &stop,
            };
            scope.spawn(move || p.run());
        }
        let result = build(r, &warnings, options, &jobs, out, registry, &done);
        stop.store(true, Ordering::Relaxed);
        result
    })
}

/// Copies the `[site] extra` files into the staging folder.
fn copy_extras(staging: &Staging, files: &[ExtraFile]) -> Result<(), RenderError> {
    let folders: BTreeSet<&str> = files
        .iter()
        .filter_map(|f| f.rel.rsplit_once('/').map(|(d, _)| d))
        .collect();
    for d in folders {
        staging.make_dir(d)?;
    }
    for f in files {
        let mut to = staging.create(&f.rel)?;
        extra::copy(f, &mut to).map_err(|e| SiteError::Io(f.source.clone(), e))?;
    }
    Ok(())
}

/// What a file of the site holds (the `[site] extra` files aside).
#[derive(Clone, Copy)]
enum SiteFile<'a> {
    Page(Job<'a>),
    Activity(&'a Activity),
    Asset(&'static [u8]),
    Register,
    Schema,
    SearchIndex,
}

/// Every file of the site (but the marker, which the staging adds, and
/// the `[site] extra` files): the pages of `jobs` and of the activities
/// of `r`, the register, its schema, the search index and the theme's
/// assets, with where each goes.
fn site_files<'a>(r: &'a Register<'a>, jobs: &[Job<'a>]) -> Vec<(String, SiteFile<'a>)> {
    let mut files: Vec<(String, SiteFile)> = jobs
        .iter()
        .map(|j| (j.path(), SiteFile::Page(*j)))
        .collect();
    files.extend(
        r.reg
            .activities
            .values()
            .map(|a| (record::activity_path(a), SiteFile::Activity(a))),
    );
    files.extend(
        ASSETS
            .iter()
            .map(|(p, bytes)| (p.to_string(), SiteFile::Asset(bytes))),
    );
    files.extend([
        ("ropa.json".to_string(), SiteFile::Register),
        ("ropa.schema.json".to_string(), SiteFile::Schema),
        ("search-index.js".to_string(), SiteFile::SearchIndex),
    ]);
    files
}

/// Every file a build writes but the marker and the extra files: the
/// paths of [`site_files`].
fn planned_files(r: &Register, jobs: &[Job]) -> BTreeSet<String> {
    site_files(r, jobs).into_iter().map(|(p, _)| p).collect()
}

/// The `[site] extra` files of `r` (none without the key), or why they
/// cannot be copied into a site whose own files are `planned`: the
/// problems of [`extra::scan`], and files that would replace a file ropa
/// writes or clash with a folder it makes.
fn extra_files(
    r: &Register,
    registry: &Path,
    planned: &BTreeSet<String>,
) -> Result<Vec<ExtraFile>, Vec<ExtraError>> {
    let Some(value) = r
        .reg
        .organisation
        .as_ref()
        .and_then(|o| o.site.as_ref())
        .and_then(|s| s.extra.as_ref())
    else {
        return Ok(Vec::new());
    };
    let (files, mut problems) = extra::scan(registry, &value.value);
    let folders: BTreeSet<&str> = planned
        .iter()
        .flat_map(|p| p.match_indices('/').map(move |(i, _)| &p[..i]))
        .collect();
    for f in &files {
        if problems.len() >= 20 {
            break;
        }
        let rel = f.rel.as_str();
        let clash = if planned.contains(rel) || rel == MARKER {
            Some(rel.to_string())
        } else if folders.contains(rel) {
            Some(format!("{rel}/"))
        } else {
            rel.match_indices('/')
                .map(|(i, _)| &rel[..i])
                .find(|a| planned.contains(*a))
                .map(String::from)
        };
        if let Some(own) = clash {
            problems.push(ExtraError::Overwrites(rel.to_string(), own));
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

/// What `ropa check` says about `[site] extra` (it reads the file system,
/// so the pipeline asks for it where it knows the registry folder): each
/// problem a `schema` error at the key's value.
pub fn extra_diagnostics(r: &Register, registry: &Path, sources: &SourceMap) -> Vec<Diagnostic> {
    let Some(org) = r.reg.organisation.as_ref() else {
        return Vec::new();
    };
    let Some(value) = org.site.as_ref().and_then(|s| s.extra.as_ref()) else {
        return Vec::new();
    };
    // The Changes page is left out: a build outside git has none, and
    // inside git the build refuses an extra file of that name.
    let planned = planned_files(r, &jobs(r, false));
    match extra_files(r, registry, &planned) {
        Ok(_) => Vec::new(),
        Err(problems) => problems
            .iter()
            .map(|e| {
                let help = match e {
                    ExtraError::Overwrites(..) => {
                        "rename or remove that file: the site's own files cannot be replaced"
                    }
                    ExtraError::Missing | ExtraError::NotAFolder => {
                        "create the folder (its path is relative to the registry folder), or remove `extra`"
                    }
                    _ => "`extra` names a folder inside the registry folder whose files are copied into the site as they are (docs/site.md)",
                };
                Diagnostic::at(
                    Code::Schema,
                    sources,
                    org.file,
                    value.span.clone(),
                    e.to_string(),
                )
                .help(help)
            })
            .collect(),
    }
}

fn build(
    r: &Register,
    warnings: &Warnings,
    options: &RenderOptions,
    jobs: &[Job],
    out: &Path,
    registry: &Path,
    done: &AtomicUsize,
) -> Result<BuildReport, RenderError> {
    let history = options.history;
    // What the swap publishes must be exactly what was planned: every
    // page, the register, the assets, the `[site] extra` files.
    let mut planned = planned_files(r, jobs);
    let notices = sub_processors::published(r, history);
    if notices {
        planned.extend([sub_processors::PAGE, sub_processors::FEED].map(String::from));
    }
    let extras = extra_files(r, registry, &planned)
        .map_err(|mut problems| RenderError::Extra(problems.swap_remove(0)))?;
    planned.extend(extras.iter().map(|f| f.rel.clone()));
    let mut staging = Staging::new(out, registry)?;
    let (tr, title) = language_and_title(r);
    let shared = Shared::new(r, warnings, &tr, &title, history, options.pictures)?;
    staging.make_dirs(EntryKind::ALL.map(EntryKind::folder).into_iter().chain([
        "countries",
        "records",
        "static",
    ]))?;
    // The search index and the JSON register are made while the pages render.
    let (pages, index) = rayon::join(
        || {
            // One buffer per worker thread, reused for every page it renders.
            timed("render: pages", || {
                jobs.par_iter().try_for_each_init(
                    || String::with_capacity(64 * 1024),
                    |buf, job| {
                        if let Job::Record(controller) = job {
                            return record::write(*controller, &shared, &staging, done);
                        }
                        done.fetch_add(1, Ordering::Relaxed);
                        if job.is_large() {
                            // Megabytes: streamed, not grown in memory.
                            return write_streamed(&staging, &job.path(), |f| {
                                let mut w =
                                    FmtToIo::new(std::io::BufWriter::with_capacity(256 * 1024, f));
                                let result = render_job(job, &shared, &mut w);
                                w.finish(result)
                            });
                        }
                        buf.clear();
                        render_job(job, &shared, buf)
                            .map_err(|e| RenderError::Template(job.path(), e))?;
                        Ok(staging.write(&job.path(), buf.as_bytes())?)
                    },
                )
            })
        },
        || {
            let json = timed("render: ropa.json", || {
                write_streamed(&staging, "ropa.json", |f| {
                    crate::export::json::write_json(r, f, crate::export::json::Layout::Compact)
                })
            });
            (timed("render: search index", || search_index(r, &tr)), json)
        },
    );
    let (index, register_json) = index;
    pages?;
    register_json?;
    for (path, bytes) in ASSETS {
        staging.write(path, bytes)?;
    }
    staging.write("search-index.js", index.as_bytes())?;
    staging.write("ropa.schema.json", crate::export::json::schema().as_bytes())?;
    if let Some(h) = history.filter(|_| notices) {
        timed("render: sub-processors", || {
            sub_processors::write(&staging, &shared, h)
        })?;
    }
    timed("render: extra", || copy_extras(&staging, &extras))?;
    let pages = jobs.len() + r.reg.activities.len();
    let committed = timed("render: swap", || staging.commit(&planned))?;
    Ok(BuildReport {
        out: committed.out,
        pages,
        warnings: committed.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (text, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(text.as_bytes()), coded, "{text:?}");
        }
    }

    /// The source Chromium itself names when it blocks the inline style
    /// `width:700px` under `style-src 'self'`.
    #[test]
    fn csp_hash_source_is_the_one_browsers_compute() {
        assert_eq!(
            csp_hash_source("width:700px"),
            "'sha256-l1MXT3Lj+kzdyYz5VDg4IS4ZiSkYYPCwkhE4RTU/0TU='"
        );
    }

    /// 404.html puts the stylesheet inside `<style>`: a `</` in it would
    /// end the element early (and change what the hash must cover).
    #[test]
    fn stylesheet_can_be_inlined() {
        assert!(!STYLE_CSS.contains("</"), "style.css contains `</`");
    }
}
