//! `dangling-reference`: every field that takes ids names something that
//! exists. The fields are the entry types' declared references.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use super::{Ctx, list_ids};
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::model::{FileId, RefKind, Reference};

/// The ids each kind of reference may name, looked up once (a party's are
/// the processors' and recipients' together).
struct Known<'a> {
    ids: HashMap<RefKind, Cow<'a, BTreeSet<String>>>,
}

impl<'a> Known<'a> {
    fn of(&mut self, cx: &Ctx<'a>, kind: RefKind) -> &BTreeSet<String> {
        self.ids
            .entry(kind)
            .or_insert_with(|| cx.reg.known.of(kind))
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
        let ids = known.of(cx, kind);
        let item = r.id;
        if ids.contains(&item.value) {
            continue;
        }
        let noun = kind.noun();
        let home = kind.home();
        let help = match did_you_mean(&item.value, ids.iter().map(String::as_str)) {
            Some(m) => format!("did you mean `{m}`?"),
            None => {
                let create = if home.contains("<id>") {
                    format!("create {}", home.replace("<id>", &item.value))
                } else {
                    format!("add it to {home}")
                };
                format!("{create}, or use an existing {noun}: {}", list_ids(ids))
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
