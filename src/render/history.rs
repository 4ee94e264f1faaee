//! What the site shows of the registry's history (docs/history.md): the
//! History section of each entry's page and the Changes page. Everything
//! comes from [`History`] and the commits' own dates, never the clock, so
//! the same commit gives the same pages.
//!
//! Sentences are the language's templates (`history.*`, `changes.*`) with
//! their `{placeholders}` filled by HTML made here: the template's own text
//! is escaped, names and ids are escaped where they are put in.

use crate::diff::Kind;
use crate::history::{Commit, History, Item, Line, Step, What};
use crate::markdown::{Html, escape_into, escaped};
use crate::model::{Date, EntryKind};

use super::pages::Page;

/// `changes.html`: every commit that changed the registry, newest first.
#[derive(askama::Template)]
#[template(path = "changes.html", config = "themes/askama.toml")]
pub struct ChangesPage<'a> {
    pub p: Page<'a>,
}

/// Entities of one kind listed per commit on the Changes page, at most: the
/// first commit of a large registry adds tens of thousands; the rest are
/// counted.
pub const ITEMS_PER_KIND: usize = 50;

/// Commits listed in an entry's recent changes, at most.
pub const RECENT_CHANGES: usize = 10;

/// An entry's history, as its page shows it.
pub struct EntryHistory<'a> {
    /// The commit that created it.
    pub created: Option<&'a Commit>,
    /// No creation commit, and the history is cut: "before DATE, where
    /// the history starts".
    pub created_before: Option<Html>,
    pub last_changed: Option<&'a Commit>,
    /// The commits that changed it, newest first, with what each did.
    pub recent: Vec<Change<'a>>,
    /// What the work tree changed in it since the last commit.
    pub uncommitted: Option<Vec<Html>>,
    /// It is in the work tree only.
    pub not_committed: bool,
}

impl EntryHistory<'_> {
    /// Whether there is a creation or a last change to show.
    pub fn has_dates(&self) -> bool {
        self.created.is_some() || self.created_before.is_some() || self.last_changed.is_some()
    }
}

/// One commit's change to one entry.
pub struct Change<'a> {
    pub commit: &'a Commit,
    pub lines: Vec<Html>,
}

/// `template` with each `{name}` of `parts` replaced by its HTML; the
/// template's own text escaped. An unknown `{…}` stays as written.
fn fill(template: &str, parts: &[(&str, &str)]) -> Html {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    'outer: while let Some(open) = rest.find('{') {
        escape_into(&mut out, &rest[..open]);
        let after = &rest[open..];
        for (name, html) in parts {
            if let Some(tail) = after
                .strip_prefix('{')
                .and_then(|t| t.strip_prefix(*name))
                .and_then(|t| t.strip_prefix('}'))
            {
                out.push_str(html);
                rest = tail;
                continue 'outer;
            }
        }
        out.push('{');
        rest = &after[1..];
    }
    escape_into(&mut out, rest);
    Html(out)
}

/// `<a href="url">inner</a>`, or `inner` without a page to link to.
fn linked(url: Option<String>, inner: String) -> String {
    match url {
        Some(u) => format!("<a href=\"{}\">{inner}</a>", escaped(&u)),
        None => inner,
    }
}

/// The part of the translation keys that names a kind.
fn kind_key(kind: Kind) -> &'static str {
    match kind {
        Kind::Entry(EntryKind::Activity) => "activity",
        Kind::Entry(EntryKind::Processor) => "processor",
        Kind::Entry(EntryKind::Recipient) => "recipient",
        Kind::Entry(EntryKind::Transfer) => "transfer",
        Kind::Entry(EntryKind::Safeguard) => "safeguard",
        Kind::DataSubjects => "data-subject",
        Kind::DataCategories => "data-category",
        Kind::Measures => "measure",
        Kind::Organisation => "organisation",
        Kind::Adequacy | Kind::Other => "adequacy",
    }
}

/// The part of the translation keys that names what a reference refers
/// to, from history's noun ([`crate::model::RefKind::noun`], "party").
fn noun_key(noun: &str) -> &'static str {
    match noun {
        "data subject" => "data-subject",
        "data category" => "data-category",
        "processor" => "processor",
        "recipient" => "recipient",
        "transfer" => "transfer",
        "safeguard" => "safeguard",
        "measure" => "measure",
        _ => "party",
    }
}

impl<'a> Page<'a> {
    /// Whether the build shows history (the Changes page is in the menu).
    pub fn has_history(&self) -> bool {
        self.history.is_some()
    }

    /// Whether commit authors' names may be shown (`[site] show_authors`).
    fn show_authors(&self) -> bool {
        self.organisation()
            .and_then(|o| o.site.as_ref())
            .and_then(|s| s.show_authors.as_ref())
            .is_some_and(|b| b.value)
    }

    /// "by Dana Officer", only with `[site] show_authors = true`.
    pub fn author(&self, c: &Commit) -> Option<Html> {
        (self.show_authors() && !c.author.is_empty())
            .then(|| fill(self.t("history.by"), &[("author", &escaped(&c.author))]))
    }

    /// The commit's place on the Changes page.
    pub fn changes_url(&self, c: &Commit) -> String {
        format!("{}changes.html#c-{}", self.root, c.short())
    }

    /// The page (or the place on a catalogue page) of an entity that is in
    /// the registry now.
    fn entity_url(&self, kind: Kind, id: &str) -> Option<String> {
        let reg = self.r.reg;
        let root = self.root;
        let page = |exists: bool, folder: &str| exists.then(|| format!("{root}{folder}/{id}.html"));
        match kind {
            Kind::Entry(k) => {
                let exists = match k {
                    EntryKind::Activity => reg.activities.contains_key(id),
                    EntryKind::Processor => reg.processors.contains_key(id),
                    EntryKind::Recipient => reg.recipients.contains_key(id),
                    EntryKind::Transfer => reg.transfers.contains_key(id),
                    EntryKind::Safeguard => reg.safeguards.contains_key(id),
                };
                page(exists, k.folder())
            }
            Kind::DataSubjects => reg
                .data_subjects
                .contains_key(id)
                .then(|| format!("{root}categories.html#subject-{id}")),
            Kind::DataCategories => reg
                .data_categories
                .contains_key(id)
                .then(|| format!("{root}categories.html#category-{id}")),
            Kind::Measures => reg
                .measures
                .contains_key(id)
                .then(|| format!("{root}measures.html#measure-{id}")),
            Kind::Organisation => reg
                .organisation
                .is_some()
                .then(|| format!("{root}index.html")),
            Kind::Adequacy | Kind::Other => None,
        }
    }

    /// The page of what a reference names, when it is in the registry.
    fn reference_url(&self, noun: &str, id: &str) -> Option<String> {
        let kind = match noun_key(noun) {
            "data-subject" => Kind::DataSubjects,
            "data-category" => Kind::DataCategories,
            "processor" => Kind::Entry(EntryKind::Processor),
            "recipient" => Kind::Entry(EntryKind::Recipient),
            "transfer" => Kind::Entry(EntryKind::Transfer),
            "safeguard" => Kind::Entry(EntryKind::Safeguard),
            "measure" => Kind::Measures,
            _ if self.r.is_processor(id) => Kind::Entry(EntryKind::Processor),
            _ => Kind::Entry(EntryKind::Recipient),
        };
        self.entity_url(kind, id)
    }

    /// "processor `sentry` removed", the id linked to its page.
    fn reference_line(&self, noun: &str, id: &str, added: bool) -> Html {
        let key = format!(
            "history.ref.{}.{}",
            noun_key(noun),
            if added { "added" } else { "removed" }
        );
        let code = linked(
            self.reference_url(noun, id),
            format!("<code>{}</code>", escaped(id)),
        );
        fill(self.t(&key), &[("id", &code)])
    }

    /// A field's change as the diff shows it: its lines, in `<code>`.
    fn field_line(lines: &[String]) -> String {
        format!("<code class=\"diff\">{}</code>", escaped(&lines.join("\n")))
    }

    /// The lines of one change, for the entry's own page.
    fn entry_lines(&self, what: &What) -> Vec<Html> {
        match what {
            What::Added => vec![Html(escaped(self.t("history.added")))],
            What::Removed => vec![Html(escaped(self.t("history.removed")))],
            What::Unreadable => vec![Html(escaped(self.t("history.unreadable")))],
            What::Changed(lines) => lines
                .iter()
                .map(|l| match l {
                    Line::Reference { noun, id, added } => self.reference_line(noun, id, *added),
                    Line::Field(lines) => Html(Self::field_line(lines)),
                })
                .collect(),
        }
    }

    /// The History section of an entry's page; `None` when the build
    /// shows no history.
    pub fn entry_history(&self, kind: EntryKind, id: &str) -> Option<EntryHistory<'a>> {
        let h: &'a History = self.history?;
        let kind = Kind::Entry(kind);
        let steps = &h.steps;
        let of = h.of(kind, id);
        let uncommitted = h.uncommitted(kind, id);
        // Added in the work tree (new, or back after a removal): what
        // history says of an earlier entry of that id is not its creation.
        let not_committed = uncommitted.is_some_and(|i| i.what == What::Added);
        let created = of
            .and_then(|e| e.created)
            .and_then(|s| steps.get(s))
            .filter(|_| !not_committed);
        let created_before = match created {
            None if h.truncated && !not_committed => self.history_start().map(|d| {
                fill(
                    self.t("history.created-before"),
                    &[("date", &escaped(&self.tr.date(&d)))],
                )
            }),
            _ => None,
        };
        let changes = of.map_or(&[][..], |e| e.changes.as_slice());
        let recent: Vec<Change<'a>> = changes
            .iter()
            .take(RECENT_CHANGES)
            .filter_map(|&s| {
                let step = steps.get(s)?;
                let item = h.item(s, kind, id)?;
                Some(Change {
                    commit: &step.commit,
                    lines: self.entry_lines(&item.what),
                })
            })
            .collect();
        let shown = EntryHistory {
            created: created.map(|s| &s.commit),
            created_before,
            last_changed: changes
                .first()
                .and_then(|&s| steps.get(s))
                .map(|s| &s.commit),
            recent,
            not_committed,
            uncommitted: uncommitted.map(|i| self.entry_lines(&i.what)),
        };
        let nothing = !shown.has_dates() && shown.recent.is_empty() && shown.uncommitted.is_none();
        (!nothing).then_some(shown)
    }

    /// The commits that changed the registry, newest first.
    pub fn history_steps(&self) -> &'a [Step] {
        self.history.map_or(&[], |h| h.steps.as_slice())
    }

    /// The work tree's changes since the last commit, as Changes page rows.
    pub fn uncommitted_rows(&self) -> Vec<Html> {
        self.history
            .map_or_else(Vec::new, |h| self.item_rows(&h.uncommitted))
    }

    /// Where a cut history starts: the date of its oldest commit.
    pub fn history_start(&self) -> Option<Date> {
        self.history?.start.as_ref().map(|c| c.date)
    }

    /// "The history starts on DATE: …", for a cut history.
    pub fn history_starts(&self) -> Option<Html> {
        let d = self.history_start()?;
        Some(fill(
            self.t("changes.starts"),
            &[("date", &escaped(&self.tr.date(&d)))],
        ))
    }

    /// One commit's changes as rows of the Changes page.
    pub fn step_rows(&self, step: &Step) -> Vec<Html> {
        self.item_rows(&step.items)
    }

    /// Rows for `items` (sorted by kind, then id): each entity in words,
    /// at most [`ITEMS_PER_KIND`] of one kind, the rest counted.
    fn item_rows(&self, items: &[Item]) -> Vec<Html> {
        let mut rows = Vec::new();
        for group in items.chunk_by(|a, b| a.entity.kind == b.entity.kind) {
            for item in group.iter().take(ITEMS_PER_KIND) {
                self.rows_of(item, &mut rows);
            }
            if group.len() > ITEMS_PER_KIND {
                let n = (group.len() - ITEMS_PER_KIND).to_string();
                let total = group.len().to_string();
                let more = fill(self.t("changes.more"), &[("n", &n), ("total", &total)]);
                rows.push(Html(format!("<span class=\"muted\">{more}</span>")));
            }
        }
        rows
    }

    /// The name an item is shown by: its name at that commit (a transfer,
    /// which has none, by where it goes now), else its id.
    fn item_name(&self, item: &Item) -> String {
        let id = item.entity.id.as_str();
        let name = match item.entity.kind {
            Kind::Entry(EntryKind::Transfer) => self
                .r
                .index
                .transfers
                .get(id)
                .map(|t| self.transfer_heading(t).to_string()),
            Kind::Adequacy | Kind::Other => None,
            _ => item.label.clone(),
        };
        match (name, item.entity.kind) {
            (Some(n), _) => format!("<em>{}</em>", escaped(&n)),
            (None, Kind::Adequacy | Kind::Other) => "<code>adequacy.toml</code>".into(),
            (None, _) => format!("<code>{}</code>", escaped(id)),
        }
    }

    /// The rows of one item: "activity *Payroll* (`payroll`) added", or
    /// one row per line of a change.
    fn rows_of(&self, item: &Item, rows: &mut Vec<Html>) {
        let (kind, id) = (item.entity.kind, item.entity.id.as_str());
        let url = self.entity_url(kind, id);
        let name = self.item_name(item);
        // An entry's name is followed by its id; an id alone, the
        // organisation's name and adequacy.toml are not.
        let bare = matches!(kind, Kind::Organisation | Kind::Adequacy | Kind::Other)
            || !name.starts_with("<em>");
        let what = linked(
            url.clone(),
            if bare {
                name.clone()
            } else {
                format!("{name} (<code>{}</code>)", escaped(id))
            },
        );
        let key = |what: &str| format!("history.item.{}.{what}", kind_key(kind));
        match &item.what {
            What::Added => rows.push(fill(self.t(&key("added")), &[("what", &what)])),
            What::Removed => rows.push(fill(self.t(&key("removed")), &[("what", &what)])),
            What::Unreadable => {
                rows.push(fill(self.t("history.item.unreadable"), &[("what", &what)]));
            }
            What::Changed(lines) => {
                let name = linked(url, name);
                for l in lines {
                    rows.push(match l {
                        Line::Reference {
                            noun,
                            id: target,
                            added,
                        } => {
                            let line = self.reference_line(noun, target, *added);
                            let template = if *added {
                                "history.added-to"
                            } else {
                                "history.removed-from"
                            };
                            fill(self.t(template), &[("line", &line.0), ("name", &name)])
                        }
                        Line::Field(lines) => fill(
                            self.t("history.field-of"),
                            &[("name", &name), ("line", &Self::field_line(lines))],
                        ),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_escaped_and_their_parts_put_in_as_they_are() {
        assert_eq!(
            fill(
                "{line} <from> {name}",
                &[("line", "<code>a</code>"), ("name", "<em>B</em>")]
            )
            .0,
            "<code>a</code> &lt;from&gt; <em>B</em>"
        );
        // An unknown placeholder, or a brace alone, stays as written.
        assert_eq!(fill("{x} and { y", &[("n", "1")]).0, "{x} and { y");
        assert_eq!(fill("{n}{n}", &[("n", "1")]).0, "11");
    }

    #[test]
    fn every_reference_noun_has_its_own_words() {
        use crate::model::RefKind;
        for k in [
            RefKind::DataSubject,
            RefKind::DataCategory,
            RefKind::Processor,
            RefKind::Recipient,
            RefKind::Transfer,
            RefKind::Safeguard,
            RefKind::Measure,
        ] {
            assert_ne!(noun_key(k.noun()), "party", "{}", k.noun());
        }
    }

    /// Every key the history's words are looked up by is in every language.
    #[test]
    fn every_history_key_is_translated() {
        let kinds = [
            "activity",
            "processor",
            "recipient",
            "transfer",
            "safeguard",
            "data-subject",
            "data-category",
            "measure",
            "organisation",
            "adequacy",
        ];
        let nouns = [
            "data-subject",
            "data-category",
            "processor",
            "recipient",
            "transfer",
            "safeguard",
            "measure",
            "party",
        ];
        let mut keys: Vec<String> = [
            "nav.changes",
            "changes.lead",
            "changes.starts",
            "changes.none",
            "changes.more",
            "history.title",
            "history.created",
            "history.created-before",
            "history.last-changed",
            "history.recent",
            "history.uncommitted",
            "history.not-committed",
            "history.by",
            "history.added",
            "history.removed",
            "history.unreadable",
            "history.field-of",
            "history.added-to",
            "history.removed-from",
            "history.item.unreadable",
        ]
        .map(String::from)
        .to_vec();
        for k in kinds {
            keys.push(format!("history.item.{k}.added"));
            keys.push(format!("history.item.{k}.removed"));
        }
        for n in nouns {
            keys.push(format!("history.ref.{n}.added"));
            keys.push(format!("history.ref.{n}.removed"));
        }
        for lang in crate::i18n::languages() {
            let have = crate::i18n::keys(lang);
            for k in &keys {
                assert!(have.contains(k), "{lang}: {k}");
            }
        }
    }
}
