//! Art. 6, 8, 9, 10, 22, 26 and 30(2) rules on activities.
//!
//! The choices of Art. 6, 8, 9, 10 and 22 are the controller's: on a
//! `role = "processor"` activity the rules about them stay quiet (the
//! values given are still checked by `load`).

use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::model::{Activity, Category, LegalBasis, List, Role, Sp, SpecialCategoryCondition};

fn allowed<T: Copy + std::fmt::Display>(all: &[T]) -> String {
    all.iter()
        .map(|x| format!("`{x}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "`a`, `b`" for the ids of `items`.
fn names(items: &[&Sp<String>]) -> String {
    items
        .iter()
        .map(|c| format!("`{}`", c.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The activity's data categories (as written, with their spans) whose
/// entry in categories.toml satisfies `test`.
pub(super) fn categories_where<'a>(
    cx: &Ctx,
    a: &'a Activity,
    test: impl Fn(&Category) -> bool,
) -> Vec<&'a Sp<String>> {
    a.data_categories
        .value
        .iter()
        .filter(|c| cx.reg.data_categories.get(&c.value).is_some_and(&test))
        .collect()
}

/// The activity's data subjects whose entry satisfies `test`.
pub(super) fn subjects_where<'a, 'c>(
    cx: &'c Ctx,
    a: &'a Activity,
    test: impl Fn(&Category) -> bool,
) -> Vec<(&'a Sp<String>, &'c Category)> {
    a.data_subjects
        .value
        .iter()
        .filter_map(|s| {
            cx.reg
                .data_subjects
                .get(&s.value)
                .filter(|c| test(c))
                .map(|c| (s, c))
        })
        .collect()
}

fn basis(bases: Option<&List<LegalBasis>>, b: LegalBasis) -> Option<&Sp<LegalBasis>> {
    bases.and_then(|l| l.value.iter().find(|x| x.value == b))
}

pub fn check(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let public_authority = cx
        .reg
        .organisation
        .as_ref()
        .is_some_and(|o| o.public_authority());
    for a in cx.reg.activities.values() {
        let at_role = a.role.as_ref().map_or(a.anchor.clone(), |r| r.span.clone());
        let role = a.role();
        let controller = role != Role::Processor;
        let bases = a.legal_bases.as_ref().filter(|l| !l.value.is_empty());
        let condition = a.special_category_condition.as_ref();
        let d = |code, span, msg: String| Diagnostic::at(code, cx.sources, a.file, span, msg);
        if controller && !a.given.legal_bases {
            let span = a
                .legal_bases
                .as_ref()
                .map_or(at_role.clone(), |l| l.span.clone());
            out.push(
                d(
                    Code::LegalBasisMissing,
                    span,
                    format!("this {role} activity has no `legal_bases`"),
                )
                .label("Art. 6(1) needs a legal basis")
                .help(format!(
                    "add `legal_bases = [\"…\"]` with one or more of {}",
                    allowed(LegalBasis::ALL)
                )),
            );
        }
        let li = basis(bases, LegalBasis::LegitimateInterests);
        let stated = a
            .legitimate_interest
            .as_ref()
            .is_some_and(|s| !s.value.trim().is_empty());
        if let (true, Some(li), false) = (controller, li, stated) {
            out.push(
                d(Code::LegitimateInterestMissing, li.span.clone(), "`legitimate-interests` is a legal basis here, but the interest is not stated".into())
                    .label("which interest?")
                    .help("add `legitimate_interest = \"…\"` saying which interest the processing pursues (Art. 6(1)(f))"),
            );
        }
        // On a processor activity the basis is the controller's, who need
        // not be a public authority: the same reason as the role section
        // of contract 1.1 (docs/rules.md says so).
        if let (true, true, Some(li)) = (controller, public_authority, li) {
            out.push(
                d(Code::LegitimateInterestsPublicAuthority, li.span.clone(), "`legitimate-interests` is a legal basis here, but the organisation is a public authority (`public_authority = true`)".into())
                    .label("Art. 6(1) last subparagraph")
                    .help("Art. 6(1)(f) does not apply to processing by public authorities in the performance of their tasks: rely on `public-task` or `legal-obligation` (and name the law in `legal_provisions`); keep `legitimate-interests` only for processing outside those tasks"),
            );
        }
        let special = categories_where(cx, a, |c| c.special);
        let criminal = categories_where(cx, a, |c| c.criminal);
        if let (true, None, Some(first)) = (controller, condition, special.first()) {
            out.push(
                d(
                    Code::SpecialCategoryConditionMissing,
                    first.span.clone(),
                    format!("this activity processes special category data ({}) without an Art. 9(2) condition", names(&special)),
                )
                .label("special category data (Art. 9(1))")
                .help(format!("add `special_category_condition = \"…\"`, one of {}", allowed(SpecialCategoryCondition::ALL))),
            );
        }
        if let (true, false, Some(first)) = (controller, a.has_legal_provisions(), criminal.first())
        {
            out.push(
                d(
                    Code::CriminalDataBasisMissing,
                    first.span.clone(),
                    format!("this activity processes data on criminal convictions or offences ({}) and names no law that authorises it", names(&criminal)),
                )
                .label("criminal offence data (Art. 10)")
                .help("Art. 10 allows this only under the control of official authority or where Union or Member State law authorises it: add `legal_provisions = [\"…\"]` naming that law (the act and its section)"),
            );
        }
        if controller && !a.has_legal_provisions() {
            legal_provisions(cx, a, bases, out);
        }
        if controller {
            consent(cx, a, bases, out);
        }
        automated_decisions(cx, a, bases, &special, out);
        // The Art. 9(2) condition of a processor activity is the
        // controller's choice, as for special-category-condition-missing.
        if let (true, Some(c), Some(r)) = (controller, condition, a.recipients.as_ref())
            && c.value == SpecialCategoryCondition::NotForProfit
            && !r.value.is_empty()
        {
            out.push(
                d(Code::NotForProfitDisclosure, r.span.clone(), format!("this activity relies on Art. 9(2)(d) (a not-for-profit body's own members) and discloses the data to recipients ({})", names(&r.value.iter().collect::<Vec<_>>())))
                    .label("disclosed outside the body?")
                    .also(a.file, c.span.clone(), "Art. 9(2)(d)")
                    .help("Art. 9(2)(d) holds only while the data is not disclosed outside the body without the data subjects' consent: remove the recipients outside the body from `recipients`, or rely on another condition such as `explicit-consent`"),
            );
        }
        if role == Role::Processor && !a.given.controllers {
            out.push(
                d(Code::ControllersMissing, at_role.clone(), "this processor activity does not say on whose behalf it processes".into())
                    .label("role = processor")
                    .help("add `controllers = [\"…\"]` with the controllers we process for (Art. 30(2)(a))"),
            );
        }
        if role == Role::JointController
            && a.joint_controllers
                .as_ref()
                .is_none_or(|j| j.value.is_empty())
        {
            out.push(
                d(Code::JointControllersMissing, at_role.clone(), "this joint-controller activity does not name the other controllers".into())
                    .label("role = joint-controller")
                    .help("add a `[[joint_controllers]]` table with `name`, `contact` and `arrangement` for each (Art. 26)"),
            );
        }
    }
}

/// `legal-provision-missing`: one per basis or condition that rests on
/// Union or Member State law, when the activity names none.
fn legal_provisions(
    cx: &Ctx,
    a: &Activity,
    bases: Option<&List<LegalBasis>>,
    out: &mut Vec<Diagnostic>,
) {
    let help = "add `legal_provisions = [\"…\"]` naming the Union or Member State law relied on (the act and its section)";
    for b in bases.iter().flat_map(|l| l.value.iter()) {
        let what = match b.value {
            LegalBasis::LegalObligation => "the legal obligation",
            LegalBasis::PublicTask => "the task in the public interest or the official authority",
            _ => continue,
        };
        out.push(
            Diagnostic::at(
                Code::LegalProvisionMissing,
                cx.sources,
                a.file,
                b.span.clone(),
                format!("`{}` is a legal basis here, but `legal_provisions` does not name the law that lays down {what}", b.value),
            )
            .label("which law? (Art. 6(3))")
            .help(format!("Art. 6(3) requires the basis to be laid down by Union or Member State law: {help}")),
        );
    }
    if let Some(c) = &a.special_category_condition {
        // Art. 9(2)(b) also accepts a collective agreement under Member
        // State law; the others need Union or Member State law.
        let (point, source) = match c.value {
            SpecialCategoryCondition::Employment => (
                "9(2)(b)",
                "Union or Member State law, or a collective agreement under Member State law,",
            ),
            SpecialCategoryCondition::SubstantialPublicInterest => {
                ("9(2)(g)", "Union or Member State law")
            }
            SpecialCategoryCondition::PublicHealth => ("9(2)(i)", "Union or Member State law"),
            SpecialCategoryCondition::ArchivingResearch => ("9(2)(j)", "Union or Member State law"),
            _ => return,
        };
        let help = if c.value == SpecialCategoryCondition::Employment {
            "add `legal_provisions = [\"…\"]` naming the law (the act and its section) or the collective agreement relied on".to_string()
        } else {
            help.to_string()
        };
        out.push(
            Diagnostic::at(
                Code::LegalProvisionMissing,
                cx.sources,
                a.file,
                c.span.clone(),
                format!("the condition `{}` (Art. {point}) rests on {}, but `legal_provisions` does not name it", c.value, source.trim_end_matches(',')),
            )
            .label(format!("which law? (Art. {point})"))
            .help(format!("Art. {point} applies only as far as {source} provides for it: {help}")),
        );
    }
}

/// `consent-employees` and `child-consent-age`: consent from people who
/// may not be able to give it freely, or alone.
fn consent(cx: &Ctx, a: &Activity, bases: Option<&List<LegalBasis>>, out: &mut Vec<Diagnostic>) {
    let employees = subjects_where(cx, a, |c| c.employees);
    let consent = basis(bases, LegalBasis::Consent);
    let explicit = a
        .special_category_condition
        .as_ref()
        .filter(|c| c.value == SpecialCategoryCondition::ExplicitConsent);
    // One warning per activity, at the `consent` value when there is one
    // (the contract's "points at"), the condition shown beside it.
    let which = match (consent, explicit) {
        (Some(c), Some(_)) => Some((
            c.span.clone(),
            "`consent` is a legal basis and the condition is `explicit-consent`",
            "`contract` or `legal-obligation`, and the condition `employment` (Art. 9(2)(b), with `legal_provisions`)",
        )),
        (Some(c), None) => Some((
            c.span.clone(),
            "`consent` is a legal basis",
            "`contract` or `legal-obligation`",
        )),
        (None, Some(c)) => Some((
            c.span.clone(),
            "the condition is `explicit-consent`",
            "`employment` (Art. 9(2)(b), with `legal_provisions`)",
        )),
        (None, None) => None,
    };
    if let (false, Some((span, what, instead))) = (employees.is_empty(), which) {
        let staff = names(&employees.iter().map(|(s, _)| *s).collect::<Vec<_>>());
        let mut d = Diagnostic::at(
            Code::ConsentEmployees,
            cx.sources,
            a.file,
            span,
            format!("{what} here, and the data subjects include employees ({staff})"),
        )
        .label("consent of employees")
        .help(format!("employees can rarely consent freely, given their dependence on the employer (EDPB Guidelines 05/2020 §21): rely on another ground, such as {instead}, unless refusing has no consequence for them at all"));
        if let (Some(_), Some(c)) = (consent, explicit) {
            d = d.also(a.file, c.span.clone(), "explicit consent (Art. 9(2)(a))");
        }
        out.push(d);
    }
    let (Some(consent), Some(org)) = (consent, cx.reg.organisation.as_ref()) else {
        return;
    };
    if a.parental_consent() {
        return;
    }
    let country = org.country.value.as_str();
    let inside = cx.link.inside_eea(country);
    let age = crate::reference::art8_age(country, inside);
    let youngest = subjects_where(cx, a, |c| {
        c.min_age.as_ref().is_some_and(|m| m.value < i64::from(age))
    })
    .into_iter()
    .filter_map(|(s, c)| c.min_age.as_ref().map(|m| (s, m.value)))
    .min_by_key(|(_, m)| *m);
    let Some((subject, min)) = youngest else {
        return;
    };
    let whose = if inside {
        match crate::reference::country_name(country) {
            Some(name) => format!("in {name} ({country})"),
            None => format!("in {country}"),
        }
    } else {
        "for an organisation outside the EEA".to_string()
    };
    out.push(
        Diagnostic::at(
            Code::ChildConsentAge,
            cx.sources,
            a.file,
            consent.span.clone(),
            format!("`consent` is a legal basis here, and data subject `{}` includes children from age {min}, younger than {age}, the age from which a child can consent alone (Art. 8(1)) {whose}", subject.value),
        )
        .label("consent of a child")
        .help("if the activity offers an information society service directly to children, their consent counts only when given or authorised by the holder of parental responsibility: obtain it and add `parental_consent = true`"),
    );
}

/// Art. 22: automated decisions with legal or similarly significant effects.
fn automated_decisions(
    cx: &Ctx,
    a: &Activity,
    bases: Option<&List<LegalBasis>>,
    special: &[&Sp<String>],
    out: &mut Vec<Diagnostic>,
) {
    let Some(adm) = a.automated_decision_making.as_ref().filter(|b| b.value) else {
        return;
    };
    let d = |code, msg: String| Diagnostic::at(code, cx.sources, a.file, adm.span.clone(), msg);
    if a.automated_decision_note
        .as_ref()
        .is_none_or(|n| n.value.trim().is_empty())
    {
        out.push(
            d(Code::AutomatedDecisionNoteMissing, "this activity makes automated decisions but does not say how they work or how a person can contest them".into())
                .label("automated decisions (Art. 22)")
                .help("add `automated_decision_note = \"…\"` describing the logic involved and how a person can obtain human intervention, express their view and contest the decision (Art. 13(2)(f), 22(3))"),
        );
    }
    if a.role() == Role::Processor {
        return;
    }
    // With no legal basis at all, `legal-basis-missing` has said so.
    if let Some(bases) = bases
        && !bases
            .value
            .iter()
            .any(|b| crate::link::rights::art22_exception(b.value).is_some())
    {
        out.push(
            d(Code::AutomatedDecisionBasis, format!("this activity makes automated decisions, and none of its legal bases ({}) is one Art. 22(2) allows", allowed(&bases.value.iter().map(|b| b.value).collect::<Vec<_>>())))
                .label("automated decisions (Art. 22(2))")
                .help("Art. 22(2) allows them only when necessary for a contract with the person (`contract`), authorised by Union or Member State law (`legal-obligation` or `public-task`, with `legal_provisions`), or with their explicit consent (`consent`): add the one that applies to `legal_bases`, or have a person take the decision and set `automated_decision_making = false`"),
        );
    }
    let condition = a.special_category_condition.as_ref();
    let fits = condition.is_some_and(|c| {
        matches!(
            c.value,
            SpecialCategoryCondition::ExplicitConsent
                | SpecialCategoryCondition::SubstantialPublicInterest
        )
    });
    if !special.is_empty() && !fits {
        let which = match condition {
            Some(c) => format!("its condition `{}` is not one Art. 22(4) allows", c.value),
            None => "it has no Art. 9(2) condition".to_string(),
        };
        out.push(
            d(Code::AutomatedDecisionSpecialCategory, format!("this activity makes automated decisions on special category data ({}), and {which}", names(special)))
                .label("automated decisions (Art. 22(4))")
                .help("Art. 22(4) allows automated decisions on special category data only with explicit consent or for a substantial public interest, with suitable safeguards: set `special_category_condition` to `explicit-consent` or `substantial-public-interest`, or have a person take the decision"),
        );
    }
}
