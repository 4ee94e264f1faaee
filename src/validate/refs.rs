//! `dangling-reference`: every field that takes ids names something that exists.

use std::collections::BTreeSet;

use super::{Ctx, list_ids};
use crate::diag::{Code, Diagnostic, FileId, did_you_mean};
use crate::model::List;

struct Target<'a> {
    known: &'a BTreeSet<String>,
    /// The file that defines these ids could not be read.
    unreadable: bool,
    /// "processor", "data category"
    noun: &'static str,
    /// Where a new one would go: "processors/<id>.toml", "categories.toml".
    home: &'static str,
}

fn check_list(
    cx: &Ctx,
    out: &mut Vec<Diagnostic>,
    file: FileId,
    field: &str,
    list: Option<&List<String>>,
    t: &Target,
) {
    let Some(list) = list else { return };
    if t.unreadable {
        return; // the catalogue's own error says why its ids are unknown
    }
    for item in &list.value {
        if t.known.contains(&item.value) {
            continue;
        }
        let help = match did_you_mean(&item.value, t.known.iter().map(String::as_str)) {
            Some(m) => format!("did you mean `{m}`?"),
            None => {
                let create = if t.home.contains("<id>") {
                    format!("create {}", t.home.replace("<id>", &item.value))
                } else {
                    format!("add it to {}", t.home)
                };
                format!(
                    "{create}, or use an existing {}: {}",
                    t.noun,
                    list_ids(t.known)
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
                    "`{field}` names {} `{}`, which does not exist",
                    t.noun, item.value
                ),
            )
            .label(format!("no {} with this id", t.noun))
            .help(help),
        );
    }
}

pub fn check(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let k = &cx.reg.known;
    let processors = Target {
        known: &k.processors,
        noun: "processor",
        home: "processors/<id>.toml",
        unreadable: false,
    };
    let recipients = Target {
        known: &k.recipients,
        noun: "recipient",
        home: "recipients/<id>.toml",
        unreadable: false,
    };
    let transfers = Target {
        known: &k.transfers,
        noun: "transfer",
        home: "transfers/<id>.toml",
        unreadable: false,
    };
    let safeguards = Target {
        known: &k.safeguards,
        noun: "safeguard",
        home: "safeguards/<id>.toml",
        unreadable: false,
    };
    let measures = Target {
        known: &k.measures,
        noun: "measure",
        home: "measures.toml",
        unreadable: k.measures_unreadable,
    };
    let subjects = Target {
        known: &k.data_subjects,
        noun: "data subject",
        home: "categories.toml under [data_subjects]",
        unreadable: k.categories_unreadable,
    };
    let categories = Target {
        known: &k.data_categories,
        noun: "data category",
        home: "categories.toml under [data_categories]",
        unreadable: k.categories_unreadable,
    };
    let parties: BTreeSet<String> = k.processors.union(&k.recipients).cloned().collect();
    let party = Target {
        known: &parties,
        noun: "processor or recipient",
        home: "processors/<id>.toml or recipients/<id>.toml",
        unreadable: false,
    };

    for a in cx.reg.activities.values() {
        check_list(
            cx,
            out,
            a.file,
            "data_subjects",
            Some(&a.data_subjects),
            &subjects,
        );
        check_list(
            cx,
            out,
            a.file,
            "data_categories",
            Some(&a.data_categories),
            &categories,
        );
        check_list(
            cx,
            out,
            a.file,
            "processors",
            a.processors.as_ref(),
            &processors,
        );
        check_list(
            cx,
            out,
            a.file,
            "recipients",
            a.recipients.as_ref(),
            &recipients,
        );
        check_list(
            cx,
            out,
            a.file,
            "transfers",
            a.transfers.as_ref(),
            &transfers,
        );
        check_list(cx, out, a.file, "measures", a.measures.as_ref(), &measures);
        for r in &a.retention {
            check_list(
                cx,
                out,
                a.file,
                "data_categories",
                r.data_categories.as_ref(),
                &categories,
            );
        }
    }
    for p in cx.reg.processors.values() {
        check_list(
            cx,
            out,
            p.file,
            "sub_processors",
            p.sub_processors.as_ref(),
            &processors,
        );
    }
    for t in cx.reg.transfers.values() {
        let one =
            |s: &crate::model::Sp<String>| crate::model::Sp::new(vec![s.clone()], s.span.clone());
        check_list(cx, out, t.file, "to", Some(&one(&t.to)), &party);
        if let Some(via) = &t.via {
            check_list(cx, out, t.file, "via", Some(&one(via)), &processors);
        }
        if let Some(s) = &t.safeguard {
            check_list(cx, out, t.file, "safeguard", Some(&one(s)), &safeguards);
        }
        check_list(
            cx,
            out,
            t.file,
            "data_categories",
            t.data_categories.as_ref(),
            &categories,
        );
        check_list(
            cx,
            out,
            t.file,
            "supplementary_measures",
            t.supplementary_measures.as_ref(),
            &measures,
        );
    }
}
