//! Warnings that keep the record complete and current: retention, measures,
//! DPAs, reviews, DPIAs and entries nothing uses.

use std::collections::HashSet;

use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::model::{Processor, RefKind};

pub fn check(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let reg = cx.reg;
    for a in reg.activities.values() {
        let d =
            |code, span, msg: &str| Diagnostic::at(code, cx.sources, a.file, span, msg.to_string());
        if a.retention.is_empty() {
            out.push(
                d(Code::RetentionMissing, a.anchor.clone(), "this activity does not say how long the data is kept")
                    .label("no [[retention]]")
                    .help("add a `[[retention]]` table with `period` (e.g. \"P2Y\") and `from` (the event the period starts at); Art. 30(1)(f)"),
            );
        }
        if a.measures.as_ref().is_none_or(|m| m.value.is_empty()) {
            out.push(
                d(
                    Code::MeasuresMissing,
                    a.anchor.clone(),
                    "this activity names no security measures",
                )
                .label("no measures")
                .help("add `measures = [\"…\"]` with ids from measures.toml; Art. 30(1)(g)"),
            );
        }
        if let Some(review) = &a.review
            && let Some(due) = review.due()
            && due.value < cx.as_of
        {
            let how = if review.next_review.is_some() {
                ""
            } else {
                " (12 months after `last_reviewed`)"
            };
            out.push(
                        Diagnostic::at(
                            Code::ReviewOverdue,
                            cx.sources,
                            a.file,
                            due.span.clone(),
                            format!("the review of this activity was due on {}{how}; it is {} now", due.value, cx.as_of),
                        )
                        .label("review overdue")
                        .help("review the activity with its owner, then update `[review] last_reviewed` (and `next_review`)"),
                    );
        }
        if let Some(dpia) = &a.dpia
            && let (Some(req), None) = (&dpia.required, &dpia.completed)
            && req.value
        {
            out.push(
                        d(Code::DpiaIncomplete, req.span.clone(), "a DPIA is required for this activity and has not been completed")
                            .label("required, not completed")
                            .help("when the DPIA is done, add `completed = <date>` and its `reference` to `[dpia]` (Art. 35)"),
                    );
        }
    }
    for p in reg.processors.values() {
        dpa_missing(cx, p, out);
    }
    unused(cx, out);
}

/// `dpa-missing`: no Art. 28 contract is recorded for processor `p`. A
/// signed 2021/914 SCC of module 2 or 3 under which data goes to it is
/// one: Decision 2021/914 made those clauses meet Art. 28(3) and (4) too.
fn dpa_missing(cx: &Ctx, p: &Processor, out: &mut Vec<Diagnostic>) {
    if p.dpa_signed.is_some() || p.dpa_reference.is_some() {
        return;
    }
    let under_scc = cx.link.transfers_to.get(p.id.as_str()).is_some_and(|ts| {
        ts.iter().any(|t| {
            t.safeguard
                .as_ref()
                .and_then(|s| cx.link.index.safeguards.get(s.value.as_str()))
                .is_some_and(|sg| sg.is_processor_scc())
        })
    });
    if under_scc {
        return;
    }
    let parents: Vec<&String> = cx
        .link
        .parents
        .get(p.id.as_str())
        .into_iter()
        .flatten()
        .map(|parent| &parent.id)
        .collect();
    let diag = if parents.is_empty() {
        Diagnostic::at(
            Code::DpaMissing,
            cx.sources,
            p.file,
            p.anchor.clone(),
            format!("no Art. 28(3) contract is recorded for processor `{}`", p.id),
        )
        .label("no dpa_signed or dpa_reference")
        .help("add `dpa_signed = <date>` and `dpa_reference` (where the signed data processing agreement is filed); signed SCCs of Decision (EU) 2021/914 with module 2 or 3 also count, named by a transfer to this processor")
    } else {
        Diagnostic::at(
            Code::DpaMissing,
            cx.sources,
            p.file,
            p.anchor.clone(),
            format!(
                "no contract is recorded for sub-processor `{}`: {} must bind it by a contract with the same obligations as ours (Art. 28(4)), and we must have authorised it (Art. 28(2)){}",
                p.id,
                super::list_ids(parents.iter().copied()),
                if cx.link.activities_by_processor.contains_key(p.id.as_str()) {
                    "; activities also name it directly, which needs our own Art. 28(3) contract with it"
                } else {
                    ""
                }
            ),
        )
        .label("sub-processor without a recorded contract")
        .help("record the processor's contract with this sub-processor in `dpa_signed` (its date) and `dpa_reference` (where it is filed, or where our written authorisation is); signed SCCs of Decision (EU) 2021/914 with module 3 also count, named by a transfer to it")
    };
    out.push(diag);
}

/// `unused`: an entry that no reference names. The references are the
/// entry types' declared ones, and those read from files that did not
/// decode.
fn unused<'a>(cx: &Ctx<'a>, out: &mut Vec<Diagnostic>) {
    let reg = cx.reg;
    let mut used: HashSet<(RefKind, &str)> = HashSet::new();
    let mut mark = |kind: RefKind, id: &'a str| {
        for k in kind.targets() {
            used.insert((*k, id));
        }
    };
    let all = reg
        .activities
        .values()
        .flat_map(|a| a.references())
        .chain(reg.processors.values().flat_map(|p| p.references()))
        .chain(reg.transfers.values().flat_map(|t| t.references()));
    for r in all {
        mark(r.field.kind, &r.id.value);
    }
    for (kind, id) in &reg.uses_by_broken_entries {
        mark(*kind, id);
    }
    let mut warn = |file, span, what: &str, id: &str, help: String| {
        out.push(
            Diagnostic::at(
                Code::Unused,
                cx.sources,
                file,
                span,
                format!("{what} `{id}` is not used by anything in the registry"),
            )
            .label("unused")
            .help(help),
        );
    };
    for p in reg
        .processors
        .values()
        .filter(|p| !used.contains(&(RefKind::Processor, p.id.as_str())))
    {
        warn(
            p.file,
            p.anchor.clone(),
            "processor",
            &p.id,
            format!(
                "list it in an activity's `processors`, or delete processors/…/{}.toml if we no longer use it",
                p.id
            ),
        );
    }
    for r in reg
        .recipients
        .values()
        .filter(|r| !used.contains(&(RefKind::Recipient, r.id.as_str())))
    {
        warn(
            r.file,
            r.anchor.clone(),
            "recipient",
            &r.id,
            format!(
                "list it in an activity's `recipients`, or delete recipients/…/{}.toml",
                r.id
            ),
        );
    }
    for s in reg
        .safeguards
        .values()
        .filter(|s| !used.contains(&(RefKind::Safeguard, s.id.as_str())))
    {
        warn(s.file, s.anchor.clone(), "safeguard", &s.id, "name it as the `safeguard` of a transfer, or delete the file if it is no longer in force".into());
    }
    for m in reg
        .measures
        .values()
        .filter(|m| !used.contains(&(RefKind::Measure, m.id.value.as_str())))
    {
        warn(m.file, m.id.span.clone(), "measure", &m.id.value, "list it in an activity's `measures` or a transfer's `supplementary_measures`, or remove it".into());
    }
    for c in reg
        .data_subjects
        .values()
        .filter(|c| !used.contains(&(RefKind::DataSubject, c.id.value.as_str())))
    {
        warn(
            c.file,
            c.id.span.clone(),
            "data subject category",
            &c.id.value,
            "list it in an activity's `data_subjects`, or remove it".into(),
        );
    }
    for c in reg
        .data_categories
        .values()
        .filter(|c| !used.contains(&(RefKind::DataCategory, c.id.value.as_str())))
    {
        warn(
            c.file,
            c.id.span.clone(),
            "data category",
            &c.id.value,
            "list it in an activity's `data_categories`, or remove it".into(),
        );
    }
}
