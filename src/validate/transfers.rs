//! Art. 44-49 rules on transfers and safeguards.

use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::link::Adequacy;
use crate::model::{AdequacyRequirement, Mechanism, SafeguardKind};
use crate::reference::country_name;

fn country_label(cc: &str) -> String {
    match country_name(cc) {
        Some(n) => format!("{n} ({cc})"),
        None => cc.to_string(),
    }
}

pub fn check(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    for t in cx.reg.transfers.values() {
        let d = |code, span, msg: String| Diagnostic::at(code, cx.sources, t.file, span, msg);
        let mech = t.mechanism.value;
        if let Some(der) = &t.derogation
            && mech != Mechanism::Derogation
        {
            out.push(
                    d(Code::Schema, der.span.clone(), format!("`derogation` only applies when `mechanism = \"derogation\"`, not `{mech}`"))
                        .help("remove `derogation`, or set `mechanism = \"derogation\"` if the transfer really rests on Art. 49"),
                );
        }
        if cx.link.transfer_inside_eea(t)
            && let Some(c) = &t.country
        {
            out.push(
                d(Code::TransferInsideEea, c.span.clone(), format!("{} is in the EEA: this is not an international transfer", country_label(&c.value)))
                    .label("inside the EEA")
                    .help("data flows inside the EEA need no transfer entry; delete this file, or correct `country` if the data goes elsewhere"),
            );
            continue; // rule 8: no other transfer rule applies
        }
        let organisation = cx.link.organisation_of(t);
        let country = match (&t.country, organisation) {
            (Some(c), _) => c.value.as_str(),
            (None, Some(code)) => code,
            (None, None) => {
                // Only the rules know whether `to` is an international
                // organisation, so this `schema` error is theirs.
                out.push(
                    d(Code::Schema, t.anchor.clone(), "this transfer has no `country`".into())
                        .label("missing `country`")
                        .help("add `country = \"…\"`, the two-letter code of the country the data goes to; it may be left out only for a transfer to an international organisation"),
                );
                continue;
            }
        };
        let verdict = cx.link.adequacy_of(t);
        match mech {
            Mechanism::Adequacy => match verdict {
                Adequacy::Expired(_) | Adequacy::NotYetInForce(_) | Adequacy::NoDecision => {
                    let why = match verdict {
                        Adequacy::Expired(dec) => format!(
                            "the adequacy decision for {} ({}) expired on {}",
                            country_label(country),
                            dec.decision,
                            dec.expires.map(|e| e.to_string()).unwrap_or_default()
                        ),
                        Adequacy::NotYetInForce(dec) => format!("the adequacy decision for {} ({}) is not yet in force on {}", country_label(country), dec.decision, cx.as_of),
                        _ => format!("there is no adequacy decision for {}", country_label(country)),
                    };
                    out.push(
                        d(Code::AdequacyInvalid, t.mechanism.span.clone(), why)
                            .label("adequacy claimed here")
                            .help("use an Art. 46 safeguard instead (e.g. `mechanism = \"scc\"` with a `safeguard`), or check the adequacy list (its date is in the site and the JSON register)"),
                    );
                }
                Adequacy::RequirementUnmet { requirement: AdequacyRequirement::DpfCertified, party_known: true, .. } => {
                    let mut diag = d(
                        Code::AdequacyInvalid,
                        t.mechanism.span.clone(),
                        format!(
                            "the adequacy decision for {} only covers organisations certified under the EU-US Data Privacy Framework, and `{}` is not `dpf_certified`",
                            country_label(country),
                            t.to.value
                        ),
                    )
                    .label("adequacy claimed here")
                    .help(format!(
                        "if `{}` is on the DPF list, set `dpf_certified = true` in its file; otherwise use `mechanism = \"scc\"` with a `safeguard`",
                        t.to.value
                    ));
                    if let Some(p) = cx.reg.processors.get(&t.to.value) {
                        diag = diag.also(p.file, p.anchor.clone(), "not DPF-certified");
                    } else if let Some(r) = cx.reg.recipients.get(&t.to.value) {
                        diag = diag.also(r.file, r.anchor.clone(), "not DPF-certified");
                    }
                    out.push(diag);
                }
                Adequacy::RequirementUnmet { requirement: AdequacyRequirement::PrivateSector, party_known: true, .. } => {
                    let mut diag = d(
                        Code::AdequacyInvalid,
                        t.mechanism.span.clone(),
                        format!(
                            "the adequacy decision for {} covers only private-sector organisations, and `{}` is a public authority",
                            country_label(country),
                            t.to.value
                        ),
                    )
                    .label("adequacy claimed here")
                    .help("use an Art. 46 safeguard instead (for public bodies, `mechanism = \"public-authority-instrument\"` or `\"administrative-arrangement\"`), or check the recipient's `kind`");
                    if let Some(r) = cx.reg.recipients.get(&t.to.value) {
                        diag = diag.also(r.file, r.kind.span.clone(), "a public authority");
                    }
                    out.push(diag);
                }
                // A party that does not exist is a dangling reference of its own.
                Adequacy::RequirementUnmet { party_known: false, .. } | Adequacy::Covered(_) => {}
            },
            Mechanism::Derogation => match &t.derogation {
                None => out.push(
                    d(Code::DerogationMissing, t.mechanism.span.clone(), "a transfer by derogation must say which Art. 49 derogation".into())
                        .label("which derogation?")
                        .help(format!(
                            "add `derogation = \"…\"`, one of {}",
                            crate::model::Derogation::ALL.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ")
                        )),
                ),
                Some(der) => out.push(
                    d(Code::DerogationUsed, der.span.clone(), format!("this transfer relies on the Art. 49 derogation `{}`", der.value))
                        .label("derogation")
                        .help("Art. 49 derogations are for occasional, non-repetitive transfers; for a regular flow use adequacy or an Art. 46 safeguard"),
                ),
            },
            _ => {
                let needed = mech.safeguard_kind().unwrap_or(SafeguardKind::Scc);
                match &t.safeguard {
                    None => out.push(
                        d(Code::SafeguardMissing, t.mechanism.span.clone(), format!("a transfer by `{mech}` needs the `safeguard` it rests on"))
                            .label("no safeguard")
                            .help(format!("add `safeguard = \"…\"` naming a file in safeguards/ whose `kind = \"{needed}\"`")),
                    ),
                    Some(s) => {
                        if let Some(sg) = cx.reg.safeguards.get(&s.value)
                            && sg.kind.value != needed {
                                out.push(
                                    d(
                                        Code::SafeguardKindMismatch,
                                        s.span.clone(),
                                        format!("the transfer is by `{mech}`, but safeguard `{}` is of kind `{}`", s.value, sg.kind.value),
                                    )
                                    .label(format!("not a `{needed}` safeguard"))
                                    .also(sg.file, sg.kind.span.clone(), "kind declared here")
                                    .help(format!("name a safeguard of kind `{needed}`, or set `mechanism = \"{}\"`", sg.kind.value)),
                                );
                            }
                    }
                }
                let needs_tia = matches!(mech, Mechanism::Scc | Mechanism::Bcr | Mechanism::AdHocClauses);
                if needs_tia && !verdict.covers() && t.tia.is_none() {
                    out.push(
                        d(Code::TiaMissing, t.mechanism.span.clone(), format!("no transfer impact assessment for this `{mech}` transfer to {}", country_label(country)))
                            .label("no [tia]")
                            .help("add a `[tia]` table with `completed` (date), `reference` and `outcome` (EDPB Recommendations 01/2020)"),
                    );
                }
            }
        }
    }

    for s in cx.reg.safeguards.values() {
        let d = |code, span, msg: String| Diagnostic::at(code, cx.sources, s.file, span, msg);
        if s.kind.value != SafeguardKind::Scc {
            for (key, span) in [
                (
                    "scc_version",
                    s.scc_version.as_ref().map(|v| v.span.clone()),
                ),
                (
                    "scc_modules",
                    s.scc_modules.as_ref().map(|m| m.span.clone()),
                ),
            ] {
                if let Some(span) = span {
                    out.push(
                        d(Code::Schema, span, format!("`{key}` only applies to safeguards of kind `scc`, and this one is `{}`", s.kind.value))
                            .help(format!("remove `{key}`, or set `kind = \"scc\"`")),
                    );
                }
            }
            continue;
        }
        if let Some(v) = &s.scc_version
            && v.value.is_repealed()
        {
            out.push(
                    d(Code::SccRepealed, v.span.clone(), format!("the SCCs of Decision {} are repealed", v.value))
                        .label("repealed")
                        .help("the old clauses stopped being valid on 2022-12-27; sign the SCCs of Decision (EU) 2021/914 and set `scc_version = \"2021/914\"`"),
                );
        }
        match &s.scc_modules {
            Some(m) if !m.value.is_empty() => {
                for module in &m.value {
                    if !(1..=4).contains(&module.value) {
                        out.push(
                            d(Code::SccModuleInvalid, module.span.clone(), format!("SCC module {} does not exist", module.value))
                                .label("not a module")
                                .help("the 2021/914 SCCs have modules 1 (controller to controller), 2 (controller to processor), 3 (processor to processor) and 4 (processor to controller)"),
                        );
                    }
                }
            }
            other => out.push(
                d(Code::SccModuleInvalid, other.as_ref().map_or(s.kind.span.clone(), |m| m.span.clone()), "these SCCs do not say which module applies".into())
                    .label("no module")
                    .help("add `scc_modules = [2]` (1 controller to controller, 2 controller to processor, 3 processor to processor, 4 processor to controller)"),
            ),
        }
    }
}
