//! Rule 7, `transfer-uncovered`: data that leaves the EEA through an
//! activity's processors (and their sub-processors, transitively) or
//! recipients needs a transfer entry for that party and country.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::model::{Exit, Status};
use crate::reference::country_name;

fn describe(chain: &[&str]) -> String {
    let mut s = format!("processor `{}`", chain[0]);
    for sub in &chain[1..] {
        s.push_str(&format!(" → sub-processor `{sub}`"));
    }
    s
}

pub fn check(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let covered: HashSet<(&str, &str)> = cx
        .reg
        .transfers
        .values()
        .map(|t| (t.to.value.as_str(), t.country.value.as_str()))
        .collect();
    let mut cache: HashMap<&str, Vec<Exit>> = HashMap::new();
    for a in cx.reg.activities.values() {
        if a.status() == Status::Retired {
            continue;
        }
        let mut reported: BTreeSet<(String, String)> = BTreeSet::new();
        for p in a.processors.iter().flat_map(|l| l.value.iter()) {
            if !cx.reg.processors.contains_key(&p.value) {
                continue; // dangling: reported by refs
            }
            let exits = cache
                .entry(p.value.as_str())
                .or_insert_with(|| cx.reg.exits_from(&p.value, |c| cx.adequacy.in_eea(c)));
            for e in exits.iter() {
                if covered.contains(&(e.party, e.country))
                    || !reported.insert((e.party.to_string(), e.country.to_string()))
                {
                    continue;
                }
                let cname = country_name(e.country).unwrap_or(e.country);
                let via = if e.chain.len() > 1 {
                    format!(", `via = \"{}\"`", e.chain[e.chain.len() - 2])
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
                            "data goes to `{}` in {cname} ({}) through {}, and no transfer covers it",
                            e.party,
                            e.country,
                            describe(&e.chain)
                        ),
                    )
                    .label(format!("leads to {} outside the EEA", e.country))
                    .help(format!(
                        "add transfers/{}-{}.toml with `to = \"{}\"`, `country = \"{}\"`{via} and the mechanism that makes it lawful (Art. 44-49)",
                        e.party,
                        e.country.to_ascii_lowercase(),
                        e.party,
                        e.country
                    )),
                );
            }
        }
        for r in a.recipients.iter().flat_map(|l| l.value.iter()) {
            let Some(rec) = cx.reg.recipients.get(&r.value) else {
                continue;
            };
            let Some(c) = &rec.country else { continue };
            if cx.adequacy.in_eea(&c.value)
                || covered.contains(&(rec.id.as_str(), c.value.as_str()))
                || !reported.insert((rec.id.clone(), c.value.clone()))
            {
                continue;
            }
            let cname = country_name(&c.value).unwrap_or(&c.value);
            out.push(
                Diagnostic::at(
                    Code::TransferUncovered,
                    cx.sources,
                    a.file,
                    r.span.clone(),
                    format!("data is disclosed to recipient `{}` in {cname} ({}), and no transfer covers it", rec.id, c.value),
                )
                .label(format!("leads to {} outside the EEA", c.value))
                .also(rec.file, c.span.clone(), "located here")
                .help(format!(
                    "add transfers/{}-{}.toml with `to = \"{}\"`, `country = \"{}\"` and the mechanism that makes it lawful (Art. 44-49)",
                    rec.id,
                    c.value.to_ascii_lowercase(),
                    rec.id,
                    c.value
                )),
            );
        }
    }
}
