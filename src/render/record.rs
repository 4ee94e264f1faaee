//! The two records (Art. 30(1) and 30(2)) and the pages of their
//! activities, rendered together.
//!
//! Every activity is in exactly one record, and its flow diagram is shown
//! both on its page and in its record entry. Rendering the two together
//! draws each diagram once and holds it only while both are written; a
//! record is one page, so its entries are rendered in parallel, a chunk at
//! a time, and written in order (the next chunk renders while one is
//! written: two are held).

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use askama::Template;
use rayon::prelude::*;

use super::pages::{ActivityPage, Page, RecordEntry, RecordPage};
use super::stream::FmtToIo;
use super::{RenderError, Shared, sub_processors, write_streamed};
use crate::markdown::Html;
use crate::model::Activity;
use crate::output::Staging;

/// Entries rendered together: enough to keep both cores busy, few enough
/// to hold (a few kilobytes each with its diagram).
const CHUNK: usize = 256;
/// Room for an entry besides its diagram (2.7 KB on average in the
/// generated registry; a longer one grows its string).
const ENTRY: usize = 4096;

/// Where an activity's page is written.
pub(super) fn activity_path(a: &Activity) -> String {
    format!("activities/{}.html", a.id)
}

/// Where the record is written.
pub(super) fn path(controller: bool) -> &'static str {
    match controller {
        true => "records/controller.html",
        false => "records/processor.html",
    }
}

/// Writes the controller's (or the processor's) record and the pages of
/// its activities; `done` counts each page written.
pub(super) fn write(
    controller: bool,
    s: &Shared,
    staging: &Staging,
    done: &AtomicUsize,
) -> Result<(), RenderError> {
    let activities = activities(controller, s);
    let entries = Entries::new(controller, s, &activities, Some((staging, done)));
    let written = write_streamed(staging, path(controller), |f| {
        let mut w = FmtToIo::new(std::io::BufWriter::with_capacity(256 * 1024, f));
        let result = entries.page().render_into(&mut w);
        w.finish(result)
    });
    entries.outcome(written).map(|()| {
        done.fetch_add(1, Ordering::Relaxed);
    })
}

/// The controller's (or the processor's) record alone, in memory (the
/// preview's: its activities' pages are rendered when asked for).
pub(super) fn render(controller: bool, s: &Shared) -> Result<String, RenderError> {
    let activities = activities(controller, s);
    let entries = Entries::new(controller, s, &activities, None);
    let mut out = String::new();
    let rendered = entries
        .page()
        .render_into(&mut out)
        .map_err(|e| RenderError::Template(path(controller).into(), e));
    entries.outcome(rendered).map(|()| out)
}

/// The page of activity `a` (its flow diagram drawn for it), into `buf`.
pub(super) fn activity_page(
    p: Page,
    a: &Activity,
    flow: &Html,
    buf: &mut String,
) -> Result<(), RenderError> {
    ActivityPage { p, a, flow }
        .render_into(buf)
        .map_err(|e| RenderError::Template(activity_path(a), e))
}

/// The activities of the record, in the order it lists them.
fn activities<'a>(controller: bool, s: &Shared<'a>) -> Vec<&'a Activity> {
    let r = s.r;
    let activities: Vec<_> = if controller {
        r.controller_activities().collect()
    } else {
        r.processor_activities().collect()
    };
    s.sorted.activities_by_name(&activities)
}

/// A record's entries, as its template writes them; rendering them writes
/// the activities' pages too, when it is given where.
pub struct Entries<'a> {
    p: Page<'a>,
    controller: bool,
    activities: &'a [&'a Activity],
    /// Where the activities' pages are written, and the count of pages
    /// written; none for the record alone.
    pages: Option<(&'a Staging, &'a AtomicUsize)>,
    /// What stopped the rendering, beyond the `fmt::Error` a `Display`
    /// can return.
    failed: Mutex<Option<RenderError>>,
}

impl<'a> Entries<'a> {
    fn new(
        controller: bool,
        s: &'a Shared<'a>,
        activities: &'a [&'a Activity],
        pages: Option<(&'a Staging, &'a AtomicUsize)>,
    ) -> Self {
        Entries {
            p: s.page("../"),
            controller,
            activities,
            pages,
            failed: Mutex::new(None),
        }
    }

    /// The record's page, with these entries.
    fn page(&'a self) -> RecordPage<'a> {
        let p = self.p;
        RecordPage {
            p,
            controller: self.controller,
            entries: self,
            empty: self.activities.is_empty(),
            sub_processors: !self.controller && sub_processors::published(p.r, p.history),
        }
    }

    /// What rendering the record came to: an activity page that failed
    /// made the record's template fail, and its own error is the one to
    /// report.
    fn outcome<T>(self, rendered: Result<T, RenderError>) -> Result<T, RenderError> {
        match self.failed.into_inner() {
            Ok(Some(e)) => Err(e),
            _ => rendered,
        }
    }

    /// The activity's page, written (when the record writes them), and
    /// its record entry, returned.
    fn render(&self, a: &Activity, buf: &mut String) -> Result<String, RenderError> {
        let p = self.p;
        let flow = p.activity_flow(a);
        if let Some((staging, done)) = self.pages {
            buf.clear();
            activity_page(p, a, &flow, buf)?;
            staging.write(&activity_path(a), buf.as_bytes())?;
            done.fetch_add(1, Ordering::Relaxed);
        }
        // Sized at once: the entry is not grown (and copied) as it is written.
        let mut entry = String::with_capacity(flow.0.len() + ENTRY);
        RecordEntry {
            p,
            controller: self.controller,
            a,
            flow: &flow,
        }
        .render_into(&mut entry)
        .map_err(|e| RenderError::Template(path(self.controller).into(), e))?;
        Ok(entry)
    }

    /// The entries of `chunk`, rendered in parallel, in order.
    fn render_chunk(&self, chunk: &[&Activity]) -> Result<Vec<String>, RenderError> {
        chunk
            .par_iter()
            .map_init(
                || String::with_capacity(64 * 1024),
                |buf, a| self.render(a, buf),
            )
            .collect()
    }

    /// A chunk's entries, or the error that stops the record (kept for
    /// [`write`] to report: a `Display` returns only `fmt::Error`).
    fn rendered(
        &self,
        rendered: Result<Vec<String>, RenderError>,
    ) -> Result<Vec<String>, fmt::Error> {
        rendered.map_err(|e| {
            if let Ok(mut failed) = self.failed.lock() {
                failed.get_or_insert(e);
            }
            fmt::Error
        })
    }
}

impl fmt::Display for Entries<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Each chunk is written while the next one renders: the writing
        // (megabytes, one thread) would otherwise leave the other core
        // idle once the rest of the site is done. `in_place_scope` keeps
        // the writing on this thread (the formatter cannot be sent).
        let mut chunks = self.activities.chunks(CHUNK);
        let mut ready = match chunks.next().map(|c| self.render_chunk(c)) {
            Some(rendered) => self.rendered(rendered)?,
            None => return Ok(()),
        };
        loop {
            let next = chunks.next();
            let mut rendered = None;
            let written = rayon::in_place_scope(|s| {
                if let Some(chunk) = next {
                    s.spawn(|_| rendered = Some(self.render_chunk(chunk)));
                }
                ready.iter().try_for_each(|entry| {
                    f.write_str("\n")?;
                    f.write_str(entry)?;
                    f.write_str("\n")
                })
            });
            written?;
            match rendered {
                Some(rendered) => ready = self.rendered(rendered)?,
                None => return Ok(()),
            }
        }
    }
}

impl askama::filters::HtmlSafe for Entries<'_> {}
