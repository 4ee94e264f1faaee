//! `dangling-reference`: every field that takes ids names something that
//! exists. The fields are the entry types' declared references.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use super::{Ctx, list_ids};
use crate::diag::{Code, Diagnostic, Suggester};
use crate::model::is_valid_id;
use crate::model::{FileId, RefKind, Reference};

/// The ids each kind of reference may name, looked up once (a party's are
/// the processors' and recipients' together), and what the help of a
/// dangling reference says, worked out once per kind and id: a check with
/// tens of thousands of dangling references stays linear.
struct Known<'a> {
    ids: HashMap<RefKind, Cow<'a, BTreeSet<String>>>,
    /// "`a`, `b` and 12 more", per kind.
    listed: HashMap<RefKind, String>,
    /// The did-you-mean answer for a dangling id, per kind.
    suggested: HashMap<(RefKind, String), Option<String>>,
    suggester: Suggester,
}

impl<'a> Known<'a> {
    fn of(&mut self, cx: &Ctx<'a>, kind: RefKind) -> &BTreeSet<String> {
        self.ids
            .entry(kind)
            .or_insert_with(|| cx.reg.known.of(kind))
    }

    /// The closest existing id to `wrong`. An id that is not a valid id
    /// (too long, wrong characters) gets no search: it is no typo of one.
    fn suggestion(&mut self, cx: &Ctx<'a>, kind: RefKind, wrong: &str) -> Option<String> {
        if !is_valid_id(wrong) {
            return None;
        }
        if let Some(s) = self.suggested.get(&(kind, wrong.to_string())) {
            return s.clone();
        }
        self.of(cx, kind);
        let ids = &self.ids[&kind];
        let found = self
            .suggester
            .did_you_mean(wrong, ids.iter().map(String::as_str))
            .map(str::to_string);
        self.suggested
            .insert((kind, wrong.to_string()), found.clone());
        found
    }

    fn listed(&mut self, cx: &Ctx<'a>, kind: RefKind) -> &str {
        if !self.listed.contains_key(&kind) {
            let list = list_ids(self.of(cx, kind));
            self.listed.insert(kind, list);
        }
        &self.listed[&kind]
    }
}

fn check_refs<'a>(
    cx: &Ctx<'a>,
    known: &mut Known<'a>,
    out: &mut Vec<Diagnostic>,
    file: FileId,
    refs: Vec<Reference>,
) {
    for r in refs {
        let kind = r.field.kind;
        if cx.reg.known.unreadable(kind) {
            continue; // the catalogue's own error says why its ids are unknown
        }
        let item = r.id;
        if known.of(cx, kind).contains(&item.value) {
            continue;
        }
        let noun = kind.noun();
        let home = kind.home();
        let help = match known.suggestion(cx, kind, &item.value) {
            Some(m) => format!("did you mean `{m}`?"),
            None => {
                let create = if home.contains("<id>") {
                    format!("create {}", home.replace("<id>", &item.value))
                } else {
                    format!("add it to {home}")
                };
                format!(
                    "{create}, or use an existing {noun}: {}",
                    known.listed(cx, kind)
                )
            }
        };
        out.push(
            Diagnostic::at(
                Code::DanglingReference,
                cx.sources,
                file,
                item.span.clone(),
                format!(
                    "`{}` names {noun} `{}`, which does not exist",
                    r.field.key, item.value
                ),
            )
            .label(format!("no {noun} with this id"))
            .help(help),
        );
    }
}

pub fn check(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mut known = Known {
        ids: HashMap::new(),
        listed: HashMap::new(),
        suggested: HashMap::new(),
        suggester: Suggester::new(),
    };
    for a in cx.reg.activities.values() {
        check_refs(cx, &mut known, out, a.file, a.references());
    }
    for p in cx.reg.processors.values() {
        check_refs(cx, &mut known, out, p.file, p.references());
    }
    for t in cx.reg.transfers.values() {
        check_refs(cx, &mut known, out, t.file, t.references());
    }
}
