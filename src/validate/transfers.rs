//! Art. 44-49 rules on transfers and safeguards.

use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::link::Adequacy;
use crate::link::{Flow, Lapse, SccRoute};
use crate::model::{
    AdequacyRequirement, Date, Derogation, Mechanism, Safeguard, SafeguardKind, SccVersion, Sp,
    Transfer,
};
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
            Mechanism::Adequacy => adequacy(cx, t, country, organisation, verdict, out),
            Mechanism::Derogation => derogation(cx, t, out),
            _ => {
                let to = match organisation {
                    Some(code) => format!("the international organisation {code}"),
                    None => country_label(country),
                };
                safeguarded(cx, t, &to, verdict, out)
            }
        }
    }
    for s in cx.reg.safeguards.values() {
        safeguard(cx, s, out);
    }
}

/// `adequacy-invalid` and `adequacy-scope-employees`: reading the
/// verdicts of link (Art. 45).
fn adequacy(
    cx: &Ctx,
    t: &Transfer,
    country: &str,
    organisation: Option<&str>,
    verdict: Adequacy,
    out: &mut Vec<Diagnostic>,
) {
    let d = |code, span, msg: String| Diagnostic::at(code, cx.sources, t.file, span, msg);
    match verdict {
        Adequacy::Expired(_) | Adequacy::NotYetInForce(_) | Adequacy::NoDecision => {
            let whose = match organisation {
                Some(code) => format!("the international organisation {code}"),
                None => country_label(country),
            };
            let mut why = match verdict {
                Adequacy::Expired(dec) => format!(
                    "the adequacy decision for {whose} ({}) expired on {}",
                    dec.decision,
                    dec.expires.map(|e| e.to_string()).unwrap_or_default()
                ),
                Adequacy::NotYetInForce(dec) => format!(
                    "the adequacy decision for {whose} ({}) is not yet in force on {}",
                    dec.decision, cx.as_of
                ),
                _ => format!("there is no adequacy decision for {whose}"),
            };
            // A host country's decision is about that country's law; an
            // organisation under public international law is not subject
            // to it, so only a decision of its own covers it.
            let seat = t.country().or_else(|| {
                cx.link
                    .index
                    .recipients
                    .get(t.to.value.as_str())
                    .and_then(|r| r.country.as_ref())
                    .map(|c| c.value.as_str())
            });
            if organisation.is_some()
                && let Some(seat) = seat
                && let Some(host) = cx.link.country_decision(seat)
            {
                why.push_str(&format!(
                    "; the host country's decision ({}, {}) does not cover an international organisation",
                    host.decision,
                    country_label(seat)
                ));
            }
            out.push(
                d(Code::AdequacyInvalid, t.mechanism.span.clone(), why)
                    .label("adequacy claimed here")
                    .help(if organisation.is_some() {
                        "an international organisation is covered only by an adequacy decision of its own (Art. 45(1)); otherwise use an Art. 46 safeguard (for example an instrument with it, `mechanism = \"public-authority-instrument\"` if we are a public body) or an Art. 49 derogation"
                    } else {
                        "use an Art. 46 safeguard instead (e.g. `mechanism = \"scc\"` with a `safeguard`), or check the adequacy list (its date is in the site and the JSON register)"
                    }),
            );
        }
        Adequacy::RequirementUnmet {
            requirement,
            party_known: true,
            ..
        } => {
            let party = &t.to.value;
            let (why, help) = match requirement {
                AdequacyRequirement::DpfCertified => (
                    format!("only covers organisations certified under the EU-US Data Privacy Framework, and `{party}` is not `dpf_certified`"),
                    format!("if `{party}` is on the DPF list, set `dpf_certified = true` in its file; otherwise use `mechanism = \"scc\"` with a `safeguard`"),
                ),
                AdequacyRequirement::PrivateSector => (
                    format!("covers only private-sector organisations, and `{party}` is a public authority"),
                    "use an Art. 46 safeguard instead: between public bodies, `mechanism = \"public-authority-instrument\"` (Art. 46(2)(a)) or `\"administrative-arrangement\"` (Art. 46(3)(b)); otherwise SCCs; or correct the recipient's `kind` if it is not a public authority".to_string(),
                ),
            };
            let mut diag = d(
                Code::AdequacyInvalid,
                t.mechanism.span.clone(),
                format!("the adequacy decision for {} {why}", country_label(country)),
            )
            .label("adequacy claimed here")
            .help(help);
            // Where the party says what the requirement reads.
            let processor = cx.reg.processors.get(party);
            let recipient = cx.reg.recipients.get(party);
            let place = match requirement {
                // `dpf_certified = false` written out is the line to fix;
                // without it, the party's first line.
                AdequacyRequirement::DpfCertified => processor
                    .map(|p| {
                        (
                            p.file,
                            p.dpf_certified
                                .as_ref()
                                .map_or(p.anchor.clone(), |b| b.span.clone()),
                            "not DPF-certified",
                        )
                    })
                    .or_else(|| {
                        recipient.map(|r| {
                            (
                                r.file,
                                r.dpf_certified
                                    .as_ref()
                                    .map_or(r.anchor.clone(), |b| b.span.clone()),
                                "not DPF-certified",
                            )
                        })
                    }),
                AdequacyRequirement::PrivateSector => {
                    recipient.map(|r| (r.file, r.kind.span.clone(), "a public authority"))
                }
            };
            if let Some((file, span, text)) = place {
                diag = diag.also(file, span, text);
            }
            out.push(diag);
        }
        // A party that does not exist is a dangling reference of its own.
        Adequacy::RequirementUnmet {
            party_known: false, ..
        } => {}
        Adequacy::Covered(_) => {
            if let Some((a, subject)) = cx.link.hr_data_uncovered(t) {
                out.push(
                    d(
                        Code::AdequacyInvalid,
                        t.mechanism.span.clone(),
                        format!(
                            "`{}` is DPF-certified, but not for human-resources data, and activity `{}` sends it data on `{}` (employees): the EU-US decision covers HR data only where the certification includes it",
                            t.to.value, a.id, subject.id.value
                        ),
                    )
                    .label("adequacy claimed for HR data")
                    .also(a.file, a.anchor.clone(), "employee data reaches the transfer from here")
                    .help(format!(
                        "if `{}`'s DPF certification covers HR data, set `dpf_hr = true` in its file; otherwise add a transfer to it under `mechanism = \"scc\"` for the employee data",
                        t.to.value
                    )),
                );
            }
            if country == "CA"
                && organisation.is_none()
                && !cx.link.also_under_another_mechanism(t)
                && let Some((a, subject)) = cx.link.employee_data_reaching(t)
            {
                out.push(
                    d(
                        Code::AdequacyScopeEmployees,
                        t.mechanism.span.clone(),
                        format!(
                            "activity `{}` sends data on `{}` (employees) to Canada under adequacy: Decision 2002/2/EC covers data subject to PIPEDA, which covers employee data only at federally regulated employers",
                            a.id, subject.id.value
                        ),
                    )
                    .label("adequacy may not cover employee data")
                    .also(a.file, a.anchor.clone(), "employee data reaches the transfer from here")
                    .help(format!(
                        "check whether `{}` is a federally regulated employer (banks, telecoms, airlines…) for whom PIPEDA covers this data; if not, use SCCs for the employee data, or acknowledge this warning with the reason",
                        t.to.value
                    )),
                );
            }
        }
    }
}

/// Art. 49 derogations: which one, how it is documented, who may use it.
fn derogation(cx: &Ctx, t: &Transfer, out: &mut Vec<Diagnostic>) {
    let d = |code, span, msg: String| Diagnostic::at(code, cx.sources, t.file, span, msg);
    let Some(der) = &t.derogation else {
        out.push(
            d(
                Code::DerogationMissing,
                t.mechanism.span.clone(),
                "a transfer by derogation must say which Art. 49 derogation".into(),
            )
            .label("which derogation?")
            .help(format!(
                "add `derogation = \"…\"`, one of {}",
                Derogation::ALL
                    .iter()
                    .map(|x| format!("`{x}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
        return;
    };
    // Recital 111 calls only some derogations occasional; the EDPB asks
    // that all be read restrictively. Say no more than that.
    let why = match der.value {
        Derogation::ContractWithSubject
        | Derogation::ContractInInterest
        | Derogation::LegalClaims => "; recital 111 expects transfers under it to be occasional",
        Derogation::CompellingLegitimateInterests => {
            "; it is for transfers that are not repetitive and concern a limited number of data subjects (Art. 49(1) second subparagraph)"
        }
        _ => "",
    };
    out.push(
        d(Code::DerogationUsed, der.span.clone(), format!("this transfer relies on the Art. 49 derogation `{}`{why}", der.value))
            .label("derogation")
            .help("derogations are exceptions, to be read restrictively (EDPB Guidelines 2/2018); for a regular or large-scale flow prefer adequacy or an Art. 46 safeguard, and record why the derogation applies in `description`"),
    );
    if der.value == Derogation::CompellingLegitimateInterests {
        let informed = t.authority_informed.is_some();
        let measures = t
            .supplementary_measures
            .as_ref()
            .is_some_and(|m| !m.value.is_empty());
        if !informed || !measures {
            let missing = match (informed, measures) {
                (false, false) => {
                    "`authority_informed` (when the supervisory authority was informed) and `supplementary_measures` (the safeguards provided)"
                }
                (false, true) => {
                    "`authority_informed` (when the supervisory authority was informed)"
                }
                _ => "`supplementary_measures` (the safeguards provided)",
            };
            out.push(
                d(
                    Code::CompellingInterestsUndocumented,
                    der.span.clone(),
                    format!("a transfer on compelling legitimate interests must be documented, and this one lacks {missing}"),
                )
                .label("undocumented")
                .help("Art. 49(1) second subparagraph: inform the supervisory authority and provide suitable safeguards; Art. 49(6) and 30(1)(e): record the assessment and the safeguards. Add `authority_informed = <date>` and `supplementary_measures = [\"…\"]`"),
            );
        }
    }
    let public_authority = cx
        .reg
        .organisation
        .as_ref()
        .is_some_and(|o| o.public_authority());
    let barred = matches!(
        der.value,
        Derogation::ExplicitConsent
            | Derogation::ContractWithSubject
            | Derogation::ContractInInterest
            | Derogation::CompellingLegitimateInterests
    );
    if public_authority && barred {
        out.push(
            d(
                Code::DerogationPublicAuthority,
                der.span.clone(),
                format!("we are a public authority, and Art. 49(3) rules out the derogation `{}` for activities carried out in the exercise of public powers", der.value),
            )
            .label("not for public powers")
            .help("if the transfer is part of our public powers, use an Art. 46 safeguard (`public-authority-instrument`, `administrative-arrangement`) or another derogation such as `public-interest`; if it is not, acknowledge this warning and say why"),
        );
    }
}

/// The Art. 46 mechanisms: the safeguard they rest on, its validity for
/// this transfer, and the transfer impact assessment.
fn safeguarded(cx: &Ctx, t: &Transfer, to: &str, verdict: Adequacy, out: &mut Vec<Diagnostic>) {
    let d = |code, span, msg: String| Diagnostic::at(code, cx.sources, t.file, span, msg);
    let mech = t.mechanism.value;
    let needed = mech.safeguard_kind().unwrap_or(SafeguardKind::Scc);
    match &t.safeguard {
        None => out.push(
            d(
                Code::SafeguardMissing,
                t.mechanism.span.clone(),
                format!("a transfer by `{mech}` needs the `safeguard` it rests on"),
            )
            .label("no safeguard")
            .help(format!(
                "add `safeguard = \"…\"` naming a file in safeguards/ whose `kind = \"{needed}\"`"
            )),
        ),
        Some(s) => {
            if let Some(sg) = cx.link.index.safeguards.get(s.value.as_str()) {
                if sg.kind.value != needed {
                    out.push(
                        d(
                            Code::SafeguardKindMismatch,
                            s.span.clone(),
                            format!(
                                "the transfer is by `{mech}`, but safeguard `{}` is of kind `{}`",
                                s.value, sg.kind.value
                            ),
                        )
                        .label(format!("not a `{needed}` safeguard"))
                        .also(sg.file, sg.kind.span.clone(), "kind declared here")
                        .help(format!(
                            "name a safeguard of kind `{needed}`, or set `mechanism = \"{}\"`",
                            sg.kind.value
                        )),
                    );
                }
                let expired =
                    crate::link::lapses(sg, cx.as_of).any(|l| matches!(l, Lapse::Expired(_)));
                if let Some(exp) = sg.expires.as_ref().filter(|_| expired)
                    && cx.link.transfer_in_use(t)
                {
                    out.push(
                        d(Code::SafeguardExpired, s.span.clone(), format!("safeguard `{}` expired on {}, and data still goes under this transfer", s.value, exp.value))
                            .label("expired")
                            .also(sg.file, exp.span.clone(), "expires here")
                            .help("renew or replace the instrument and update `expires` (or name the new safeguard); if the data no longer goes there, retire the activities that reach this transfer"),
                    );
                }
                if mech == Mechanism::Scc && sg.kind.value == SafeguardKind::Scc {
                    module_mismatch(cx, t, s, sg, out);
                }
            }
        }
    }
    let tia_done = t
        .tia
        .as_ref()
        .is_some_and(|x| x.completed.is_some() || x.reference.is_some());
    if !verdict.covers() && !tia_done {
        let mut diag = d(Code::TiaMissing, t.mechanism.span.clone(), format!("no transfer impact assessment is recorded for this `{mech}` transfer to {to}"))
            .help("add to `[tia]` the date it was `completed` or its `reference`, and its `outcome` (EDPB Recommendations 01/2020)");
        diag = match &t.tia {
            Some(tia) => diag.label("no completed assessment").also(
                t.file,
                tia.span.clone(),
                "[tia] has neither `completed` nor `reference`",
            ),
            None => diag.label("no [tia]"),
        };
        out.push(diag);
    }
}

/// Why a route allows the modules it does, in a DPO's words.
fn route_reason(route: SccRoute, f: &Flow, t: &Transfer) -> String {
    let party = f.party;
    match route {
        SccRoute::ControllerToProcessor => format!(
            "we are the controller and the activity names our processor `{party}` directly (module 2, controller to processor)"
        ),
        SccRoute::ControllerThroughProcessors => {
            let how = match &t.via {
                Some(v) => format!("the transfer is made via `{}`", v.value),
                None => format!(
                    "the data reaches `{party}` through sub-processors ({})",
                    f.chain
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
            };
            format!(
                "we are the controller and {how} (module 3 between the processors, or module 2 if we signed with `{party}` directly)"
            )
        }
        SccRoute::ControllerToController => format!(
            "we are the controller and `{party}` is a recipient, not our processor (module 1, controller to controller)"
        ),
        SccRoute::ProcessorToProcessor => format!(
            "the activity is one we carry out as a processor and `{party}` is a (sub-)processor (module 3, processor to processor)"
        ),
        SccRoute::ProcessorToRecipient => format!(
            "the activity is one we carry out as a processor and `{party}` is a recipient (module 4 if it is the controller, module 1 if it is a third party receiving on the controller's instruction)"
        ),
    }
}

fn modules_text(m: &[i64]) -> String {
    let v: Vec<String> = m.iter().map(|x| x.to_string()).collect();
    match v.as_slice() {
        [one] => format!("module {one}"),
        [rest @ .., last] => format!("modules {} or {last}", rest.join(", ")),
        [] => "no module".into(),
    }
}

/// `scc-module-mismatch`: the safeguard's modules against the ones the
/// roles allow, for each live activity whose data the transfer carries.
/// One diagnostic per transfer, naming the first activity that does not fit.
fn module_mismatch(
    cx: &Ctx,
    t: &Transfer,
    s: &Sp<String>,
    sg: &Safeguard,
    out: &mut Vec<Diagnostic>,
) {
    if sg.scc_version() != Some(SccVersion::V2021_914) {
        return;
    }
    let Some(modules) = sg.scc_modules.as_ref().filter(|m| !m.value.is_empty()) else {
        return; // `scc-module-invalid`
    };
    // Modules that do not exist are `scc-module-invalid`'s; with none
    // that exists, there is nothing to compare.
    if !modules.value.iter().any(|m| (1..=4).contains(&m.value)) {
        return;
    }
    let has = |m: i64| modules.value.iter().any(|x| x.value == m);
    let mut misfits = cx.link.flows_under(t).filter_map(|(a, f)| {
        let route = cx.link.scc_route(a, f, t);
        (!route.modules().iter().any(|m| has(*m))).then_some((a, f, route))
    });
    let Some((a, f, route)) = misfits.next() else {
        return;
    };
    // Activities are in id order: equal ids are adjacent. Each other
    // activity that does not fit is named with the modules it needs,
    // which may not be this one's (another row of the table).
    let mut more: Vec<(&String, SccRoute)> = misfits
        .map(|(x, _, r)| (&x.id, r))
        .filter(|(id, _)| **id != a.id)
        .collect();
    more.dedup_by(|x, y| x.0 == y.0);
    let also = match more.as_slice() {
        [] => String::new(),
        [(id, r)] => format!(
            "; activity `{id}` does not fit either (it needs {})",
            modules_text(r.modules())
        ),
        _ => format!(
            "; nor do activities {}",
            more.iter()
                .map(|(id, r)| format!("`{id}` (it needs {})", modules_text(r.modules())))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let signed: Vec<String> = modules.value.iter().map(|m| m.value.to_string()).collect();
    let signed = match signed.len() {
        1 => format!("module {}", signed.join("")),
        _ => format!("modules {}", signed.join(", ")),
    };
    let allowed = modules_text(route.modules());
    out.push(
        Diagnostic::at(
            Code::SccModuleMismatch,
            cx.sources,
            t.file,
            s.span.clone(),
            format!(
                "safeguard `{}` has SCC {signed}, but activity `{}` needs {allowed}: {}{also}",
                s.value,
                a.id,
                route_reason(route, f, t)
            ),
        )
        .label("wrong SCC module for these roles")
        .also(sg.file, modules.span.clone(), "modules signed")
        .help(format!("sign the SCCs with {allowed} and add it to `scc_modules`, or correct the activity's `role`, or the party, if they are wrong")),
    );
}

/// The rules on a safeguard document of its own.
fn safeguard(cx: &Ctx, s: &Safeguard, out: &mut Vec<Diagnostic>) {
    let d = |code, span, msg: String| Diagnostic::at(code, cx.sources, s.file, span, msg);
    let Some(version) = s
        .scc_version()
        .filter(|_| s.kind.value == SafeguardKind::Scc)
    else {
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
        let (needs_approval, by) = match s.kind.value {
            SafeguardKind::Bcr => (
                true,
                "binding corporate rules are approved by the competent supervisory authority (Art. 47(1))",
            ),
            SafeguardKind::AdHocClauses => (
                true,
                "ad hoc contractual clauses need the supervisory authority's authorisation (Art. 46(3)(a))",
            ),
            SafeguardKind::AdministrativeArrangement => (
                true,
                "provisions in administrative arrangements need the supervisory authority's authorisation (Art. 46(3)(b))",
            ),
            SafeguardKind::CodeOfConduct => (
                true,
                "a code of conduct is approved by the competent supervisory authority (Art. 40(5)), and serves for transfers only once the Commission has given it general validity in the Union (Art. 40(3), 40(9), 46(2)(e))",
            ),
            SafeguardKind::Certification => (
                true,
                "a certification is issued by an accredited certification body or a supervisory authority (Art. 42(5), 46(2)(f))",
            ),
            _ => (false, ""),
        };
        if needs_approval && s.approved_by.is_none() {
            out.push(
                d(Code::SafeguardApprovalMissing, s.kind.span.clone(), format!("this `{}` safeguard does not say who approved it: {by}", s.kind.value))
                    .label("no approved_by")
                    .help("add `approved_by = \"…\"`, the authority or body and, if there is one, the decision's reference"),
            );
        }
        return;
    };
    if version.is_repealed() {
        if let Some(v) = &s.scc_version
            && cx.link.safeguard_in_use(&s.id)
        {
            let msg = crate::link::lapses(s, cx.as_of).find_map(|l| match l {
                Lapse::SignedAfterRepeal(signed) => Some(format!(
                    "these SCCs of Decision {} were signed on {signed}, when that decision was already repealed (with effect from 2021-09-27, Decision (EU) 2021/914, Art. 4)",
                    v.value
                )),
                Lapse::Repealed => Some(format!(
                    "the SCCs of Decision {} are repealed: contracts concluded on them before 2021-09-27 counted as safeguards only until 2022-12-27 (Decision (EU) 2021/914, Art. 4)",
                    v.value
                )),
                Lapse::Expired(_) => None,
            });
            if let Some(msg) = msg {
                out.push(
                    d(Code::SccRepealed, v.span.clone(), msg)
                        .label("repealed")
                        .help("sign the SCCs of Decision (EU) 2021/914 and set `scc_version = \"2021/914\"`, `signed` and `scc_modules`"),
                );
            }
        }
        return; // the repealed sets had no modules
    }
    if let Some(sd) = &s.signed
        && Date::new(2021, 6, 4).is_some_and(|adopted| sd.value < adopted)
    {
        out.push(
            d(Code::SccDateInvalid, sd.span.clone(), format!("these SCCs of Decision (EU) 2021/914 are dated {}, before the decision itself (2021-06-04)", sd.value))
                .label("before 2021-06-04")
                .help("correct `signed`; if these are older clauses, set `scc_version` to the decision they were signed under"),
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
