//! Acknowledged warnings (contract 1.1): an `[[acknowledged]]` of a file
//! accepts the warnings of its code reported in that file. It runs after
//! every rule, over all the diagnostics of a run, and before
//! `--deny-warnings`, which leaves the accepted warnings alone.
//!
//! Entry point: [`acknowledge`].

use std::collections::HashMap;

use crate::diag::{Acknowledged, Code, Diagnostic, Severity, SourceMap};
use crate::link::due::past;
use crate::model::{Acknowledgement, Date, FileId, Registry};

/// One `[[acknowledged]]`, with the file it is in and what became of it.
struct Entry<'a> {
    file: FileId,
    code: Code,
    ack: &'a Acknowledgement,
    expired: bool,
    /// It accepted at least one warning.
    used: bool,
    /// Another `[[acknowledged]]` of its file, earlier and in force, has
    /// the same code: that one accepts the warnings, this one is spare.
    duplicate: bool,
    /// Its file reports a warning of its code (accepted or not).
    warning_reported: bool,
}

/// Marks each warning that an `[[acknowledged]]` of its file accepts (sets
/// `d.acknowledged`), then adds `acknowledgement-expired` for each whose
/// `until` is before `as_of` (it accepts nothing) and
/// `acknowledgement-unused` for each in force that accepted nothing. Errors
/// are never accepted (the loader refuses their codes; this checks again).
pub fn acknowledge(
    reg: &Registry,
    sources: &SourceMap,
    as_of: Date,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Every file that can hold `[[acknowledged]]`, with its list.
    let files = reg
        .organisation
        .iter()
        .map(|o| (o.file, &o.acknowledged))
        .chain(reg.activities.values().map(|a| (a.file, &a.acknowledged)))
        .chain(reg.processors.values().map(|p| (p.file, &p.acknowledged)))
        .chain(reg.recipients.values().map(|r| (r.file, &r.acknowledged)))
        .chain(reg.transfers.values().map(|t| (t.file, &t.acknowledged)))
        .chain(reg.safeguards.values().map(|s| (s.file, &s.acknowledged)));
    let mut entries = Vec::new();
    for (file, acks) in files {
        for ack in acks {
            // The loader keeps only the codes of warnings that can be
            // acknowledged, so this finds one; anything else is skipped.
            let Some(code) = Code::parse(ack.code.value.trim()).filter(|c| c.acknowledgeable())
            else {
                continue;
            };
            entries.push(Entry {
                file,
                code,
                ack,
                expired: ack.until.as_ref().is_some_and(|u| past(u.value, as_of)),
                used: false,
                duplicate: false,
                warning_reported: false,
            });
        }
    }
    if entries.is_empty() {
        return;
    }

    // The one in force that accepts each (file, code): the first written.
    let mut in_force: HashMap<(FileId, Code), usize> = HashMap::new();
    let mut any: HashMap<(FileId, Code), Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter_mut().enumerate() {
        any.entry((e.file, e.code)).or_default().push(i);
        if e.expired {
            continue;
        }
        match in_force.get(&(e.file, e.code)) {
            Some(_) => e.duplicate = true,
            None => {
                in_force.insert((e.file, e.code), i);
            }
        }
    }
    // A diagnostic without a position still names its file.
    let by_path: HashMap<&str, FileId> = entries
        .iter()
        .map(|e| (sources.get(e.file).path.as_str(), e.file))
        .collect();

    for d in diagnostics.iter_mut() {
        if d.severity != Severity::Warning || !d.code.acknowledgeable() {
            continue;
        }
        let file = match &d.primary {
            Some(p) => p.file,
            None => match by_path.get(d.path.as_str()) {
                Some(&f) => f,
                None => continue,
            },
        };
        for &i in any.get(&(file, d.code)).into_iter().flatten() {
            entries[i].warning_reported = true;
        }
        if let Some(&i) = in_force.get(&(file, d.code)) {
            let e = &mut entries[i];
            e.used = true;
            d.acknowledged = Some(Acknowledged {
                reason: e.ack.reason.value.clone(),
                until: e.ack.until.as_ref().map(|u| u.value),
            });
        }
    }

    for e in &entries {
        let code = e.code.as_str();
        match &e.ack.until {
            Some(until) if e.expired => {
                let help = if e.warning_reported {
                    format!(
                        "the `{code}` warning of this file is reported again: fix it and remove this \
                         `[[acknowledged]]`, or, if you still accept it, set a later `until` \
                         and check that the reason still holds"
                    )
                } else {
                    format!("this file no longer reports `{code}`: remove this `[[acknowledged]]`")
                };
                diagnostics.push(
                    Diagnostic::at(
                        Code::AcknowledgementExpired,
                        sources,
                        e.file,
                        until.span.clone(),
                        format!(
                            "the acknowledgement of `{code}` ran until {}; it is {as_of} now, so it accepts nothing",
                            until.value
                        ),
                    )
                    .label("expired")
                    .help(help),
                );
            }
            _ if e.used => {}
            _ => {
                let (message, help) = if e.duplicate && e.warning_reported {
                    (
                        format!(
                            "`{code}` is acknowledged twice in this file; the first `[[acknowledged]]` accepts its warnings"
                        ),
                        "remove this one, or merge its reason into the first".to_string(),
                    )
                } else {
                    (
                        format!("`{code}` is acknowledged here, but this file reports no such warning"),
                        "remove this `[[acknowledged]]`: the warning it accepted was fixed, or is reported in another file (acknowledge it there)"
                            .to_string(),
                    )
                };
                diagnostics.push(
                    Diagnostic::at(
                        Code::AcknowledgementUnused,
                        sources,
                        e.file,
                        e.ack.code.span.clone(),
                        message,
                    )
                    .label("accepts nothing")
                    .help(help),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::{Code, Diagnostic, Severity};
    use crate::load::load_files;
    use crate::pipeline::check;
    use crate::validate::tests::{ACTIVITY, CATEGORIES, HOST, MEASURES, ORG, as_of};

    const REASON: &str = "The DPA is the provider's online terms, accepted 2024.";

    /// Every diagnostic of the base registry with `files` replacing or
    /// adding entries, accepted ones included.
    fn run(files: &[(&str, &str)], deny_warnings: bool) -> Vec<Diagnostic> {
        let mut all = vec![
            ("organisation.toml", ORG.to_string()),
            ("categories.toml", CATEGORIES.to_string()),
            ("measures.toml", MEASURES.to_string()),
            ("activities/accounts.toml", ACTIVITY.to_string()),
            ("processors/host.toml", HOST.to_string()),
        ];
        for (path, text) in files {
            all.retain(|(p, _)| p != path);
            all.push((path, text.to_string()));
        }
        let loaded = load_files(
            all.into_iter()
                .map(|(p, t)| (p.to_string(), t.into_bytes()))
                .collect(),
        );
        check(&loaded, as_of(), deny_warnings).diagnostics
    }

    fn unsigned(extra: &str) -> String {
        format!("{}{extra}", HOST.replace("dpa_signed = 2025-01-01\n", ""))
    }

    fn ack(code: &str, until: &str) -> String {
        format!("\n[[acknowledged]]\ncode = \"{code}\"\nreason = \"{REASON}\"\n{until}")
    }

    fn line_col(d: &Diagnostic, text: &str) -> (usize, usize) {
        let p = d.primary.as_ref().unwrap();
        let before = &text[..p.span.start];
        let line = before.matches('\n').count() + 1;
        let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        (line, col)
    }

    #[test]
    fn an_accepted_warning_carries_its_reason_and_until() {
        let host = unsigned(&ack("dpa-missing", "until = 2027-06-30\n"));
        let d = run(&[("processors/host.toml", &host)], false);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].code, Code::DpaMissing);
        assert_eq!(d[0].severity, Severity::Warning);
        let a = d[0].acknowledged.as_ref().expect("accepted");
        assert_eq!(a.reason, REASON);
        assert_eq!(
            a.until.map(|u| u.to_string()).as_deref(),
            Some("2027-06-30")
        );
    }

    #[test]
    fn it_accepts_the_warnings_of_its_own_file_only() {
        let other = unsigned("").replace("Host GmbH", "Backup GmbH");
        let activity = ACTIVITY.replace("[\"host\"]", "[\"host\", \"backup\"]");
        let d = run(
            &[
                ("processors/host.toml", &unsigned(&ack("dpa-missing", ""))),
                ("processors/backup.toml", &other),
                ("activities/accounts.toml", &activity),
            ],
            false,
        );
        let dpa: Vec<_> = d.iter().filter(|d| d.code == Code::DpaMissing).collect();
        assert_eq!(dpa.len(), 2, "{d:#?}");
        for d in dpa {
            assert_eq!(
                d.acknowledged.is_some(),
                d.path == "processors/host.toml",
                "{d:#?}"
            );
        }
    }

    #[test]
    fn deny_warnings_spares_only_the_accepted_ones() {
        let d = run(
            &[
                ("processors/host.toml", &unsigned(&ack("dpa-missing", ""))),
                (
                    "activities/accounts.toml",
                    &ACTIVITY.replace("measures = [\"tls\"]\n", ""),
                ),
            ],
            true,
        );
        let of = |c: Code| d.iter().find(|d| d.code == c).unwrap();
        assert_eq!(of(Code::DpaMissing).severity, Severity::Warning);
        assert!(of(Code::DpaMissing).acknowledged.is_some());
        assert_eq!(of(Code::MeasuresMissing).severity, Severity::Error);
        assert!(of(Code::MeasuresMissing).acknowledged.is_none());
        // The unused measure is a warning too, denied like the others.
        assert!(
            d.iter()
                .all(|d| d.acknowledged.is_some() || d.severity == Severity::Error),
            "{d:#?}"
        );
    }

    #[test]
    fn an_expired_one_accepts_nothing_and_says_so_at_until() {
        let host = unsigned(&ack("dpa-missing", "until = 2026-06-30\n"));
        let d = run(&[("processors/host.toml", &host)], false);
        let codes: Vec<_> = d.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [Code::DpaMissing, Code::AcknowledgementExpired],
            "{d:#?}"
        );
        assert!(d.iter().all(|d| d.acknowledged.is_none()));
        let expired = &d[1];
        let until_line = host.lines().position(|l| l.starts_with("until")).unwrap() + 1;
        assert_eq!(line_col(expired, &host), (until_line, 9));
        assert!(
            expired.message.contains("2026-06-30"),
            "{}",
            expired.message
        );
        assert!(
            expired.help.as_deref().unwrap().contains("reported again"),
            "{expired:#?}"
        );

        // With --deny-warnings both are errors.
        let d = run(&[("processors/host.toml", &host)], true);
        assert!(d.iter().all(|d| d.severity == Severity::Error), "{d:#?}");
    }

    #[test]
    fn an_expired_one_whose_warning_is_gone_says_remove_it() {
        let host = format!("{HOST}{}", ack("dpa-missing", "until = 2026-06-30\n"));
        let d = run(&[("processors/host.toml", &host)], false);
        let codes: Vec<_> = d.iter().map(|d| d.code).collect();
        // Expired, not also unused.
        assert_eq!(codes, [Code::AcknowledgementExpired], "{d:#?}");
        assert!(d[0].help.as_deref().unwrap().contains("no longer reports"));
    }

    #[test]
    fn an_unused_one_is_reported_at_its_code() {
        let host = format!("{HOST}{}", ack("dpa-missing", ""));
        let d = run(&[("processors/host.toml", &host)], false);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].code, Code::AcknowledgementUnused);
        assert_eq!(d[0].path, "processors/host.toml");
        let code_line = host.lines().position(|l| l.starts_with("code")).unwrap() + 1;
        assert_eq!(line_col(&d[0], &host), (code_line, 8));
        assert!(d[0].message.contains("`dpa-missing`"), "{}", d[0].message);
    }

    #[test]
    fn the_second_of_two_for_one_code_is_spare() {
        let twice = format!("{}{}", ack("dpa-missing", ""), ack("dpa-missing", ""));
        let host = unsigned(&twice);
        let d = run(&[("processors/host.toml", &host)], false);
        let codes: Vec<_> = d.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [Code::DpaMissing, Code::AcknowledgementUnused],
            "{d:#?}"
        );
        assert!(d[0].acknowledged.is_some());
        assert!(d[1].message.contains("twice"), "{}", d[1].message);
        // Reported at the second one's code.
        let second = host.rfind("code = ").unwrap() + "code = ".len();
        assert_eq!(d[1].primary.as_ref().unwrap().span.start, second);
    }

    #[test]
    fn one_in_organisation_toml_does_not_reach_measures_toml() {
        // A measure nothing uses is reported in measures.toml, which cannot
        // hold `[[acknowledged]]`; one in organisation.toml does not reach it.
        let measures =
            format!("{MEASURES}[measures.badge]\nname = \"Badges\"\nkind = \"organisational\"\n");
        let org = format!("{ORG}{}", ack("unused", ""));
        let d = run(
            &[("measures.toml", &measures), ("organisation.toml", &org)],
            false,
        );
        let codes: Vec<_> = d
            .iter()
            .map(|d| (d.code, d.acknowledged.is_some()))
            .collect();
        assert_eq!(
            codes,
            [(Code::Unused, false), (Code::AcknowledgementUnused, false)],
            "{d:#?}"
        );
    }

    #[test]
    fn errors_are_never_accepted() {
        // The loader refuses the code; the error it reports stays an error.
        let host = unsigned(&ack("dangling-reference", ""));
        let activity = ACTIVITY.replace("[\"tls\"]", "[\"tsl\"]");
        let d = run(
            &[
                ("processors/host.toml", &host),
                ("activities/accounts.toml", &activity),
            ],
            false,
        );
        assert!(d.iter().all(|d| d.acknowledged.is_none()), "{d:#?}");
        let schema = d.iter().find(|d| d.code == Code::Schema).unwrap();
        assert!(schema.message.contains("errors cannot be acknowledged"));
        assert!(d.iter().any(|d| d.code == Code::DanglingReference));
    }
}
