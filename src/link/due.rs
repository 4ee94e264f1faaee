//! What falls due, and when: the one place the record's dates are turned
//! into deadlines. The rules (`review-overdue`, `dpia-incomplete`,
//! `safeguard-expired`, `acknowledgement-expired`) ask the facts here
//! ([`review`], [`dpia_outstanding`], [`past`]), and `ropa due` lists
//! them all with [`due`] (docs/due.md).

use std::ops::Range;

use super::Register;
use crate::diag::Code;
use crate::model::*;

/// Has `date` passed at `as_of`? A date is met on its day: a review due
/// today is not yet overdue, a decision that expires today still counts.
pub fn past(date: Date, as_of: Date) -> bool {
    date < as_of
}

/// When the review of `a` is due: `next_review`, or 12 months after
/// `last_reviewed`, with the span of the key it comes from. A retired
/// activity is no longer reviewed: `None`.
pub fn review(a: &Activity) -> Option<Sp<Date>> {
    if a.status() == Status::Retired {
        return None;
    }
    a.review.as_ref()?.due()
}

/// `dpia.required = true` without `dpia.completed`: the `required` key.
pub fn dpia_outstanding(a: &Activity) -> Option<&Sp<bool>> {
    let dpia = a.dpia.as_ref()?;
    match (&dpia.required, &dpia.completed) {
        (Some(req), None) if req.value => Some(req),
        _ => None,
    }
}

/// The `[[acknowledged]]` of `acks` in force at `as_of` that accepts the
/// warnings of `code`: the first one written (as `ropa check` decides).
pub fn accepting(acks: &[Acknowledgement], code: Code, as_of: Date) -> Option<&Acknowledgement> {
    acks.iter().find(|ack| {
        Code::parse(ack.code.value.trim()) == Some(code)
            && !ack.until.as_ref().is_some_and(|u| past(u.value, as_of))
    })
}

/// What falls due.
#[derive(Clone, Debug)]
pub enum What<'a> {
    /// The activity's review (`from_last_reviewed`: no `next_review`, so
    /// 12 months after `last_reviewed`).
    Review {
        activity: &'a Activity,
        from_last_reviewed: bool,
    },
    /// A DPIA the activity requires and has not completed. It has no date
    /// of its own: Art. 35(1) asks for it before the processing starts, so
    /// it is due at the as-of date, overdue once the activity is active.
    Dpia { activity: &'a Activity },
    /// A safeguard that a transfer in use rests on ends.
    SafeguardExpires { safeguard: &'a Safeguard },
    /// An adequacy decision that data of a live activity relies on ends
    /// (`country`: its country or international organisation code).
    AdequacyExpires {
        country: &'a str,
        decision: &'a AdequacyDecision,
    },
    /// An `[[acknowledged]]` runs out: its warning is reported again.
    AcknowledgementEnds {
        ack: &'a Acknowledgement,
        /// The entry whose file it is in (none: organisation.toml).
        entry: Option<EntryRef>,
    },
}

impl What<'_> {
    /// The kind, for sorting and the JSON output's `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            What::Review { .. } => "review",
            What::Dpia { .. } => "dpia",
            What::SafeguardExpires { .. } => "safeguard-expires",
            What::AdequacyExpires { .. } => "adequacy-expires",
            What::AcknowledgementEnds { .. } => "acknowledgement-ends",
        }
    }

    /// The entry it is about, if any (an adequacy decision is no entry).
    pub fn entry(&self) -> Option<EntryRef> {
        let e = |kind, id: &str| {
            Some(EntryRef {
                kind,
                id: id.to_string(),
            })
        };
        match self {
            What::Review { activity, .. } | What::Dpia { activity } => {
                e(EntryKind::Activity, &activity.id)
            }
            What::SafeguardExpires { safeguard } => e(EntryKind::Safeguard, &safeguard.id),
            What::AdequacyExpires { .. } => None,
            What::AcknowledgementEnds { entry, .. } => entry.clone(),
        }
    }

    /// What falls due, in a sentence without its date, for every format.
    pub fn describe(&self, overdue: bool) -> String {
        match self {
            What::Review {
                activity,
                from_last_reviewed,
            } => {
                let how = if *from_last_reviewed {
                    " (12 months after `last_reviewed`)"
                } else {
                    ""
                };
                format!("review of activity \"{}\"{how}", activity.name.value)
            }
            What::Dpia { activity } if activity.status() == Status::Planned => format!(
                "DPIA of planned activity \"{}\": required, not completed; carry it out before the processing starts (Art. 35(1))",
                activity.name.value
            ),
            What::Dpia { activity } => format!(
                "DPIA of activity \"{}\": required, not completed, and the processing has started (Art. 35(1))",
                activity.name.value
            ),
            What::SafeguardExpires { safeguard } => {
                let verb = if overdue { "expired" } else { "expires" };
                format!(
                    "safeguard \"{}\" {verb}; transfers in use rest on it",
                    safeguard.name.value
                )
            }
            What::AdequacyExpires { country, decision } => {
                let name = crate::reference::country_name(country).unwrap_or(country);
                let verb = if overdue { "expired" } else { "expires" };
                format!(
                    "adequacy decision for {name} ({}) {verb}; data goes there",
                    decision.decision
                )
            }
            What::AcknowledgementEnds { ack, .. } => {
                let verb = if overdue { "ran" } else { "runs" };
                format!(
                    "acknowledgement of `{}` {verb} out: the warning is reported again",
                    ack.code.value.trim()
                )
            }
        }
    }
}

/// One thing that falls due.
#[derive(Clone, Debug)]
pub struct Due<'a> {
    /// The day it falls due.
    pub date: Date,
    pub what: What<'a>,
    /// Where the date is written (none for a decision of the adequacy list).
    pub at: Option<(FileId, Range<usize>)>,
    /// The owners of the activities it concerns, sorted, each once: the
    /// activity's own `owner`; for another entry, the owners of the live
    /// activities that use it; none for organisation.toml.
    pub owners: Vec<&'a str>,
    /// The date has passed at the as-of date.
    pub overdue: bool,
    /// An `[[acknowledged]]` in force accepts the warning this item gives
    /// in `ropa check`: listed, but not counted as overdue.
    pub accepted: Option<&'a Acknowledgement>,
}

impl Due<'_> {
    /// Overdue and not accepted: what makes `ropa due` exit 1.
    pub fn needs_action(&self) -> bool {
        self.overdue && self.accepted.is_none()
    }
}

fn owner_of(a: &Activity) -> Option<&str> {
    a.owner
        .as_ref()
        .map(|o| o.value.trim())
        .filter(|o| !o.is_empty())
}

/// The owners of `activities`, live ones only, sorted and each once.
fn owners<'a>(activities: impl IntoIterator<Item = &'a Activity>) -> Vec<&'a str> {
    let mut v: Vec<&str> = activities
        .into_iter()
        .filter(|a| a.status() != Status::Retired)
        .filter_map(owner_of)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Everything of the register that falls due, whatever the date (the
/// caller keeps what falls within its window), sorted by date, then
/// kind, then entry.
pub fn due<'a>(r: &Register<'a>) -> Vec<Due<'a>> {
    let mut out = falling_due(r);
    // Equal dates: by kind, then the entry (or country), then the place
    // in the file (two acknowledgements of one file). The key owns
    // strings: made once per item, not twice per comparison.
    out.sort_by_cached_key(|d| {
        let key = |d: &Due<'a>| {
            let about = match &d.what {
                What::AdequacyExpires { country, .. } => (None, country.to_string()),
                _ => {
                    let e = d.what.entry();
                    (
                        e.as_ref().map(|e| e.kind),
                        e.map(|e| e.id).unwrap_or_default(),
                    )
                }
            };
            (
                d.date,
                d.what.kind(),
                about,
                d.at.as_ref().map(|(f, s)| (*f, s.start)),
            )
        };
        key(d)
    });
    out
}

/// What [`due`] lists, in no order: for a caller that only counts (the
/// dashboard's chart), which need not pay for sorting tens of thousands.
pub fn falling_due<'a>(r: &Register<'a>) -> Vec<Due<'a>> {
    let reg = r.reg;
    let as_of = r.as_of;
    // About one item per activity (its review), fewer copies as it grows.
    let mut out: Vec<Due<'a>> = Vec::with_capacity(reg.activities.len());
    let users = |ids: Option<&Vec<&'a Activity>>| owners(ids.into_iter().flatten().copied());
    // The live activities that use a safeguard, through the transfers in
    // use that name it.
    let safeguard_users = |id: &str| {
        owners(
            r.transfers_by_safeguard
                .get(id)
                .into_iter()
                .flatten()
                .flat_map(|t| r.activities_reaching(t)),
        )
    };

    for a in reg.activities.values() {
        let owner: Vec<&'a str> = owner_of(a).into_iter().collect();
        if let Some(date) = review(a) {
            out.push(Due {
                date: date.value,
                what: What::Review {
                    activity: a,
                    from_last_reviewed: a.review.as_ref().is_some_and(|r| r.next_review.is_none()),
                },
                at: Some((a.file, date.span.clone())),
                owners: owner.clone(),
                overdue: past(date.value, as_of),
                accepted: accepting(&a.acknowledged, Code::ReviewOverdue, as_of),
            });
        }
        if a.status() != Status::Retired
            && let Some(req) = dpia_outstanding(a)
        {
            let active = a.status() == Status::Active;
            out.push(Due {
                date: as_of,
                what: What::Dpia { activity: a },
                at: Some((a.file, req.span.clone())),
                owners: owner.clone(),
                overdue: active,
                accepted: accepting(&a.acknowledged, Code::DpiaIncomplete, as_of),
            });
        }
    }

    for sg in reg.safeguards.values() {
        if let Some(exp) = &sg.expires
            && r.safeguard_in_use(&sg.id)
        {
            out.push(Due {
                date: exp.value,
                what: What::SafeguardExpires { safeguard: sg },
                at: Some((sg.file, exp.span.clone())),
                owners: safeguard_users(&sg.id),
                overdue: past(exp.value, as_of),
                accepted: None,
            });
        }
    }

    // Decisions with an end date that a live activity's data relies on:
    // its flows out of the EEA to that country or organisation.
    let decisions = r
        .adequacy
        .decisions
        .iter()
        .map(|(c, d)| (c, d, false))
        .chain(
            r.adequacy
                .international_organisations
                .iter()
                .map(|(c, d)| (c, d, true)),
        );
    for (code, decision, organisation) in decisions {
        let Some(expires) = decision.expires else {
            continue;
        };
        let relying = reg.activities.values().filter(|a| {
            a.status() != Status::Retired
                && r.flows_of_activity(a).iter().any(|f| {
                    if organisation {
                        f.international_organisation == Some(code.as_str())
                    } else {
                        f.international_organisation.is_none() && f.country == Some(code.as_str())
                    }
                })
        });
        let mut relying = relying.peekable();
        if relying.peek().is_none() {
            continue;
        }
        out.push(Due {
            date: expires,
            what: What::AdequacyExpires {
                country: code,
                decision,
            },
            at: None,
            owners: owners(relying.map(|a| &**a)),
            overdue: past(expires, as_of),
            accepted: None,
        });
    }

    // Acknowledgements with an end date, in every file that can hold them
    // (owners are looked up only for files that have one).
    let dated = |acks: &[Acknowledgement]| acks.iter().any(|a| a.until.is_some());
    let entry = |kind, id: &str| {
        Some(EntryRef {
            kind,
            id: id.to_string(),
        })
    };
    let files = reg
        .organisation
        .iter()
        .map(|o| (o.file, &o.acknowledged, None, Vec::new()))
        .chain(reg.activities.values().map(|a| {
            let owner = match dated(&a.acknowledged) {
                true => owner_of(a).into_iter().collect(),
                false => Vec::new(),
            };
            (
                a.file,
                &a.acknowledged,
                entry(EntryKind::Activity, &a.id),
                owner,
            )
        }))
        .chain(reg.processors.values().map(|p| {
            let owners = if dated(&p.acknowledged) {
                users(r.activities_by_processor.get(p.id.as_str()))
            } else {
                Vec::new()
            };
            (
                p.file,
                &p.acknowledged,
                entry(EntryKind::Processor, &p.id),
                owners,
            )
        }))
        .chain(reg.recipients.values().map(|x| {
            let owners = if dated(&x.acknowledged) {
                users(r.activities_by_recipient.get(x.id.as_str()))
            } else {
                Vec::new()
            };
            (
                x.file,
                &x.acknowledged,
                entry(EntryKind::Recipient, &x.id),
                owners,
            )
        }))
        .chain(reg.transfers.values().map(|t| {
            let owners = if dated(&t.acknowledged) {
                owners(r.activities_reaching(t))
            } else {
                Vec::new()
            };
            (
                t.file,
                &t.acknowledged,
                entry(EntryKind::Transfer, &t.id),
                owners,
            )
        }))
        .chain(reg.safeguards.values().map(|s| {
            let owners = if dated(&s.acknowledged) {
                safeguard_users(&s.id)
            } else {
                Vec::new()
            };
            (
                s.file,
                &s.acknowledged,
                entry(EntryKind::Safeguard, &s.id),
                owners,
            )
        }));
    for (file, acks, entry, owners) in files {
        for ack in acks {
            if let Some(until) = &ack.until {
                out.push(Due {
                    date: until.value,
                    what: What::AcknowledgementEnds {
                        ack,
                        entry: entry.clone(),
                    },
                    at: Some((file, until.span.clone())),
                    owners: owners.clone(),
                    overdue: past(until.value, as_of),
                    accepted: None,
                });
            }
        }
    }

    out
}

/// The items grouped by who owns them, each group in date order: groups of
/// one owner by name, then those shared by several owners ("A and B"),
/// then those with no owner (`None`).
pub fn by_owner<'d, 'a>(items: &'d [Due<'a>]) -> Vec<(Option<String>, Vec<&'d Due<'a>>)> {
    let mut groups: std::collections::BTreeMap<(u8, String), Vec<&'d Due<'a>>> =
        std::collections::BTreeMap::new();
    for d in items {
        let key = match d.owners.as_slice() {
            [] => (2, String::new()),
            [one] => (0, one.to_string()),
            many => (1, many.join(" and ")),
        };
        groups.entry(key).or_default().push(d);
    }
    groups
        .into_iter()
        .map(|((rank, name), v)| ((rank < 2).then_some(name), v))
        .collect()
}

#[cfg(test)]
mod tests;
