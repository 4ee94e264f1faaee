//! Art. 6, 9, 26 and 30(2) rules on activities.

use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::model::{LegalBasis, Role, SpecialCategoryCondition};

fn allowed<T: Copy + std::fmt::Display>(all: &[T]) -> String {
    all.iter()
        .map(|x| format!("`{x}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn check(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    for a in cx.reg.activities.values() {
        let at_role = a.role.as_ref().map_or(a.anchor.clone(), |r| r.span.clone());
        let role = a.role();
        let bases = a.legal_bases.as_ref().filter(|l| !l.value.is_empty());
        if matches!(role, Role::Controller | Role::JointController) && !a.given.legal_bases {
            let span = a
                .legal_bases
                .as_ref()
                .map_or(at_role.clone(), |l| l.span.clone());
            out.push(
                Diagnostic::at(
                    Code::LegalBasisMissing,
                    cx.sources,
                    a.file,
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
        if let Some(bases) = bases {
            let li = bases
                .value
                .iter()
                .find(|b| b.value == LegalBasis::LegitimateInterests);
            let stated = a
                .legitimate_interest
                .as_ref()
                .is_some_and(|s| !s.value.trim().is_empty());
            if let (Some(li), false) = (li, stated) {
                out.push(
                    Diagnostic::at(Code::LegitimateInterestMissing, cx.sources, a.file, li.span.clone(), "`legitimate-interests` is a legal basis here, but the interest is not stated")
                        .label("which interest?")
                        .help("add `legitimate_interest = \"…\"` saying which interest the processing pursues (Art. 6(1)(f))"),
                );
            }
        }
        if a.special_category_condition.is_none() {
            let special: Vec<_> = a
                .data_categories
                .value
                .iter()
                .filter(|c| {
                    cx.reg
                        .data_categories
                        .get(&c.value)
                        .is_some_and(|d| d.special)
                })
                .collect();
            if let Some(first) = special.first() {
                let names = special
                    .iter()
                    .map(|c| format!("`{}`", c.value))
                    .collect::<Vec<_>>()
                    .join(", ");
                out.push(
                    Diagnostic::at(
                        Code::SpecialCategoryConditionMissing,
                        cx.sources,
                        a.file,
                        first.span.clone(),
                        format!("this activity processes special category data ({names}) without an Art. 9(2) condition"),
                    )
                    .label("special category data (Art. 9(1))")
                    .help(format!("add `special_category_condition = \"…\"`, one of {}", allowed(SpecialCategoryCondition::ALL))),
                );
            }
        }
        if role == Role::Processor && !a.given.controllers {
            out.push(
                Diagnostic::at(Code::ControllersMissing, cx.sources, a.file, at_role.clone(), "this processor activity does not say on whose behalf it processes")
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
                Diagnostic::at(Code::JointControllersMissing, cx.sources, a.file, at_role.clone(), "this joint-controller activity does not name the other controllers")
                    .label("role = joint-controller")
                    .help("add a `[[joint_controllers]]` table with `name`, `contact` and `arrangement` for each (Art. 26)"),
            );
        }
    }
}
