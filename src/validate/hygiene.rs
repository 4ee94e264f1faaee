//! Warnings that keep the record complete and current: retention, measures,
//! DPAs, reviews, DPIAs and entries nothing uses.

use rustc_hash::FxHashSet;

use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::link::due;
use crate::model::{Activity, Processor, RefKind, Role, Status};

pub fn check(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let reg = cx.reg;
    for a in reg.activities.values() {
        let d =
            |code, span, msg: &str| Diagnostic::at(code, cx.sources, a.file, span, msg.to_string());
        // Art. 30(2) does not ask a processor for time limits: they are the controller's.
        if a.retention.is_empty() && a.role() != Role::Processor {
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
        // When a review falls due is `due::review`'s to say (`ropa due` lists it too).
        if let Some(review) = &a.review
            && let Some(due) = due::review(a)
            && due::past(due.value, cx.as_of)
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
        if let Some(req) = due::dpia_outstanding(a) {
            out.push(
                        d(Code::DpiaIncomplete, req.span.clone(), "a DPIA is required for this activity and has not been completed")
                            .label("required, not completed")
                            .help("when the DPIA is done, add `completed = <date>` and its `reference` to `[dpia]` (Art. 35)"),
                    );
        }
    }
    for a in reg.activities.values() {
        dpia_missing(cx, a, out);
        retention_categories(cx, a, out);
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
                // Only live activities: a retired one no longer needs a contract.
                if cx
                    .link
                    .activities_by_processor
                    .get(p.id.as_str())
                    .is_some_and(|v| v.iter().any(|a| a.status() != Status::Retired))
                {
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

/// `dpia-missing`: the criteria of Art. 35(3) and WP248 rev.01, as the
/// record shows them, met by an activity without a `[dpia]` (or whose
/// `[dpia]` says none is required without saying why).
fn dpia_missing(cx: &Ctx, a: &Activity, out: &mut Vec<Diagnostic>) {
    if a.role() == Role::Processor || a.status() == Status::Retired {
        return;
    }
    let unexplained_no = a.dpia.as_ref().and_then(|d| {
        let no = d.required.as_ref().filter(|r| !r.value)?;
        d.note
            .as_ref()
            .is_none_or(|n| n.value.trim().is_empty())
            .then_some(no)
    });
    if a.dpia.is_some() && unexplained_no.is_none() {
        return;
    }
    let sensitive = !super::legal::categories_where(cx, a, |c| c.special || c.criminal).is_empty();
    let weak: Vec<&String> = super::legal::subjects_where(cx, a, |c| {
        c.vulnerable || c.employees || c.min_age.as_ref().is_some_and(|m| m.value < 18)
    })
    .into_iter()
    .map(|(s, _)| &s.value)
    .collect();
    let large = a.large_scale();
    let adm = a.automated_decision_making();
    let met: Vec<String> = [
        sensitive.then(|| "special category or criminal offence data".to_string()),
        (!weak.is_empty()).then(|| {
            format!(
                "vulnerable people, employees or children among the data subjects ({})",
                super::list_ids(weak.iter().copied())
            )
        }),
        large.then(|| "processing on a large scale".to_string()),
        adm.then(|| "automated decisions".to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !(adm || (large && sensitive) || met.len() >= 2) {
        return;
    }
    let criteria = met.join("; ");
    let d = match unexplained_no {
        Some(no) => Diagnostic::at(
            Code::DpiaMissing,
            cx.sources,
            a.file,
            no.span.clone(),
            format!("`[dpia]` says no DPIA is required, without saying why, but this activity meets the criteria for one: {criteria}"),
        )
        .label("why not?")
        .help("add `note = \"…\"` to `[dpia]` saying why the processing is not likely to result in a high risk, or carry out the DPIA and set `required = true` (Art. 35(1), 35(3); WP248)"),
        None => Diagnostic::at(
            Code::DpiaMissing,
            cx.sources,
            a.file,
            a.anchor.clone(),
            format!("this activity meets the criteria for a data protection impact assessment and records none: {criteria}"),
        )
        .label("no [dpia]")
        .help("carry out a DPIA and record it in a `[dpia]` table (`required = true`, then `completed` and `reference`); if you assessed that none is needed, write `[dpia]` with `required = false` and a `note` saying why (Art. 35(1), 35(3); WP248)"),
    };
    out.push(d);
}

/// `retention-incomplete` and `retention-category-not-processed`: the
/// periods of `[[retention]]` and the categories the activity processes
/// must match up (Art. 30(1)(f): time limits for "the different
/// categories"). Ids that name no category are `dangling-reference`
/// errors already and are left out here.
fn retention_categories(cx: &Ctx, a: &Activity, out: &mut Vec<Diagnostic>) {
    let known = &cx.reg.known;
    let exists =
        |id: &str| known.unreadable(RefKind::DataCategory) || known.data_categories.contains(id);
    let processed = |id: &str| a.data_categories.value.iter().any(|c| c.value == id);
    let named: Vec<_> = a
        .retention
        .iter()
        .filter_map(|r| r.data_categories.as_ref().filter(|l| !l.value.is_empty()))
        .collect();
    for id in named.iter().flat_map(|l| l.value.iter()) {
        if exists(&id.value) && !processed(&id.value) {
            out.push(
                Diagnostic::at(
                    Code::RetentionCategoryNotProcessed,
                    cx.sources,
                    a.file,
                    id.span.clone(),
                    format!("this `[[retention]]` gives a period for `{}`, which the activity does not list in `data_categories`", id.value),
                )
                .label("not processed by this activity")
                .help(format!("if the activity processes `{}`, add it to its `data_categories`; if not, remove it from this `[[retention]]`", id.value)),
            );
        }
    }
    // Only when every period names its categories: one that names none
    // applies to all of them.
    if a.retention.is_empty() || named.len() < a.retention.len() {
        return;
    }
    let covered = |id: &str| named.iter().any(|l| l.value.iter().any(|c| c.value == id));
    let missing: Vec<_> = a
        .data_categories
        .value
        .iter()
        .filter(|c| exists(&c.value) && !covered(&c.value))
        .collect();
    if let Some(first) = missing.first() {
        out.push(
            Diagnostic::at(
                Code::RetentionIncomplete,
                cx.sources,
                a.file,
                first.span.clone(),
                format!("no `[[retention]]` gives a period for {}, which this activity processes", super::list_ids(missing.iter().map(|c| &c.value))),
            )
            .label("no retention period")
            .help("add each of these to the `data_categories` of a `[[retention]]`, or add a `[[retention]]` with its own `period`, `from` and `data_categories` (Art. 30(1)(f): a time limit for each category of data)"),
        );
    }
}

/// `unused`: an entry that no reference names. The references are the
/// entry types' declared ones, and those read from files that did not
/// decode.
fn unused<'a>(cx: &Ctx<'a>, out: &mut Vec<Diagnostic>) {
    let reg = cx.reg;
    // Fx, not SipHash: hundreds of thousands of references at scale.
    let mut used: FxHashSet<(RefKind, &str)> = FxHashSet::default();
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
