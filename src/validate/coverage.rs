//! Rule 7, `transfer-uncovered`: data that leaves the EEA through an
//! activity's processors (and their sub-processors, transitively) or
//! recipients needs a transfer entry for that party and country. The flows
//! and the transfers covering them are the linked register's.

use std::collections::HashSet;

use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::model::Status;
use crate::reference::country_name;

/// "processor `a`" or "sub-processor `c` in India (IN) through processor
/// `a` → sub-processor `b`": the party the data reaches, then the way it
/// goes there, without naming the party twice. `chain` ends at the party.
fn describe(chain: &[&str], place: &str) -> String {
    let Some((party, way)) = chain.split_last() else {
        return place.to_string();
    };
    if way.is_empty() {
        return format!("processor `{party}` in {place}");
    }
    let mut s = format!(
        "sub-processor `{party}` in {place} through processor `{}`",
        way[0]
    );
    for sub in &way[1..] {
        s.push_str(&format!(" → sub-processor `{sub}`"));
    }
    s
}

pub fn check(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    for a in cx.reg.activities.values() {
        if a.status() == Status::Retired {
            continue;
        }
        // A processor and a recipient may share an id: one report per
        // (party, country) all the same.
        let mut reported: HashSet<(&str, &str)> = HashSet::new();
        for f in cx.link.flows_of_activity(a) {
            if !f.transfers.is_empty() || !reported.insert((f.party, f.country.unwrap_or_default()))
            {
                continue;
            }
            let Some(first) = f.chain.first() else {
                // A recipient's own country: the diagnostic points at the
                // activity's first mention of the recipient.
                // The link made this flow from these very facts: a miss
                // here is a bug in one of the two, not in the registry.
                let (Some(r), Some(rec)) = (
                    a.recipients
                        .iter()
                        .flat_map(|l| l.value.iter())
                        .find(|r| r.value == f.party),
                    cx.link.index.recipients.get(f.party),
                ) else {
                    debug_assert!(false, "a recipient flow the activity does not name");
                    continue;
                };
                if let Some(code) = f.international_organisation {
                    let seat = f
                        .country
                        .map(|c| format!(", `country = \"{c}\"` (its seat)"))
                        .unwrap_or_default();
                    out.push(
                        Diagnostic::at(
                            Code::TransferUncovered,
                            cx.sources,
                            a.file,
                            r.span.clone(),
                            format!("data is disclosed to the international organisation `{}` ({code}), and no transfer covers it", rec.id),
                        )
                        .label("an international organisation is outside the EEA, wherever its seat")
                        .also(rec.file, rec.kind.span.clone(), "an international organisation")
                        .help(format!(
                            "add transfers/{}.toml with `to = \"{}\"`{seat} and the mechanism that makes it lawful (Art. 44-49)",
                            rec.id, rec.id
                        )),
                    );
                    continue;
                }
                let (Some(c), Some(country)) = (&rec.country, f.country) else {
                    debug_assert!(false, "a recipient flow without a country");
                    continue;
                };
                let cname = country_name(country).unwrap_or(country);
                out.push(
                    Diagnostic::at(
                        Code::TransferUncovered,
                        cx.sources,
                        a.file,
                        r.span.clone(),
                        format!("data is disclosed to recipient `{}` in {cname} ({country}), and no transfer covers it", rec.id),
                    )
                    .label(format!("leads to {country} outside the EEA"))
                    .also(rec.file, c.span.clone(), "located here")
                    .help(format!(
                        "add transfers/{}-{}.toml with `to = \"{}\"`, `country = \"{country}\"` and the mechanism that makes it lawful (Art. 44-49)",
                        rec.id,
                        country.to_ascii_lowercase(),
                        rec.id,
                    )),
                );
                continue;
            };
            // The activity's first mention of the processor the chain starts at.
            let Some(p) = a
                .processors
                .iter()
                .flat_map(|l| l.value.iter())
                .find(|p| p.value == *first)
            else {
                debug_assert!(false, "a flow from a processor the activity does not name");
                continue;
            };
            let Some(country) = f.country else {
                debug_assert!(false, "a processor flow without a country");
                continue;
            };
            let cname = country_name(country).unwrap_or(country);
            let via = if f.chain.len() > 1 {
                format!(", `via = \"{}\"`", f.chain[f.chain.len() - 2])
            } else {
                String::new()
            };
            out.push(
                Diagnostic::at(
                    Code::TransferUncovered,
                    cx.sources,
                    a.file,
                    p.span.clone(),
                    format!(
                        "data goes to {}, and no transfer covers it",
                        describe(&f.chain, &format!("{cname} ({country})"))
                    ),
                )
                .label(format!("leads to {} outside the EEA", country))
                .help(format!(
                    "add transfers/{}-{}.toml with `to = \"{}\"`, `country = \"{}\"`{via} and the mechanism that makes it lawful (Art. 44-49)",
                    f.party,
                    country.to_ascii_lowercase(),
                    f.party,
                    country
                )),
            );
        }
    }
}
