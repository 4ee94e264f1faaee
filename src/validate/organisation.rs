//! Who keeps the record and whom to contact: the organisation's DPO
//! (Art. 37), its representative (Art. 27), the contact details of
//! Art. 30(1)(a) and the joint controllers' arrangement (Art. 26(1)).

use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::model::{Activity, Status, Text};

/// Is the text given and not blank?
fn filled(t: &Text) -> bool {
    t.as_ref().is_some_and(|s| !s.value.trim().is_empty())
}

pub fn check(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    organisation(cx, out);
    for a in cx.reg.activities.values() {
        joint_controllers(cx, a, out);
    }
}

fn organisation(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    // Without organisation.toml there is nothing to check here: its
    // absence is a `schema` error of its own.
    let Some(o) = cx.reg.organisation.as_ref() else {
        return;
    };
    let d = |code, span, msg: String| Diagnostic::at(code, cx.sources, o.file, span, msg);
    if let (Some(pa), None) = (o.public_authority.as_ref().filter(|b| b.value), &o.dpo) {
        out.push(
            d(Code::DpoMissing, pa.span.clone(), "the organisation is a public authority and names no data protection officer".into())
                .label("public_authority = true")
                .help("Art. 37(1)(a) requires every public authority or body (except courts acting in their judicial capacity) to designate a DPO: add a `[dpo]` table with `name` and `email` or `phone`"),
        );
    }
    if o.dpo.is_none() {
        dpo_likely_required(cx, o.file, o.anchor.clone(), out);
    }
    let country = o.country.value.as_str();
    if o.representative.is_none() && !o.public_authority() && !cx.link.inside_eea(country) {
        let name = crate::reference::country_name(country).unwrap_or(country);
        out.push(
            d(Code::RepresentativeMissing, o.country.span.clone(), format!("the organisation is established outside the EEA ({name}) and names no representative in the Union"))
                .label("outside the EEA")
                .help("Art. 27 requires a representative in a Member State when you offer goods or services to people in the Union or monitor their behaviour there (Art. 3(2)), unless the processing is occasional, includes no large-scale processing of special category or criminal offence data, and is unlikely to result in a risk (Art. 27(2)(a)): add a `[representative]` table with `name`, `address` and `email`"),
        );
    }
    if !(filled(&o.address) || filled(&o.email) || filled(&o.phone)) {
        out.push(
            d(Code::ContactDetailsMissing, o.anchor.clone(), "organisation.toml gives no contact details".into())
                .label("no address, email or phone")
                .help("Art. 30(1)(a) asks for the contact details of the controller: add `address`, `email` or `phone`"),
        );
    }
    if let Some(dpo) = &o.dpo
        && !(filled(&dpo.email) || filled(&dpo.phone))
    {
        out.push(
            d(Code::ContactDetailsMissing, dpo.span.clone(), "`[dpo]` gives no way to reach the data protection officer".into())
                .label("no email or phone")
                .help("Art. 30(1)(a) asks for the contact details of the DPO: add `email` or `phone` to `[dpo]`"),
        );
    }
    if let Some(rep) = &o.representative {
        let lacking: Vec<&str> = [("address", &rep.address), ("email", &rep.email)]
            .into_iter()
            .filter(|(_, t)| !filled(t))
            .map(|(k, _)| k)
            .collect();
        if !lacking.is_empty() {
            let keys = lacking
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" and ");
            out.push(
                d(Code::ContactDetailsMissing, rep.span.clone(), format!("`[representative]` has no {keys}"))
                    .label(format!("no {}", lacking.join(" or ")))
                    .help(format!("Art. 30(1)(a) asks for the contact details of the representative: add {keys} to `[representative]`")),
            );
        }
    }
}

/// `dpo-likely-required`: one warning naming every non-retired activity,
/// of any role, with large-scale special or criminal data (Art. 37(1)(c)
/// applies to a processor as much as to a controller).
fn dpo_likely_required(
    cx: &Ctx,
    file: crate::model::FileId,
    anchor: std::ops::Range<usize>,
    out: &mut Vec<Diagnostic>,
) {
    let hits: Vec<&Activity> = cx
        .reg
        .activities
        .values()
        .map(|a| a.as_ref())
        .filter(|a| {
            a.status() != Status::Retired
                && a.large_scale()
                && !super::legal::categories_where(cx, a, |c| c.special || c.criminal).is_empty()
        })
        .collect();
    if hits.is_empty() {
        return;
    }
    let ids: Vec<&String> = hits.iter().map(|a| &a.id).collect();
    let which = match ids.as_slice() {
        [one] => format!("activity `{one}` processes"),
        _ => format!(
            "activities {} process",
            super::list_ids(ids.iter().copied())
        ),
    };
    let mut d = Diagnostic::at(
        Code::DpoLikelyRequired,
        cx.sources,
        file,
        anchor,
        format!("no data protection officer is designated, and {which} special category or criminal offence data on a large scale"),
    )
    .label("no [dpo]")
    .help("Art. 37(1)(c) requires a DPO when the core activities consist of such processing on a large scale: add a `[dpo]` table with `name` and `email` or `phone`; if these are not core activities, accept this warning with an `[[acknowledged]]` in organisation.toml saying why");
    for a in hits.iter().take(8) {
        if let Some(l) = &a.large_scale {
            d = d.also(a.file, l.span.clone(), format!("`{}`: large scale", a.id));
        }
    }
    out.push(d);
}

/// `contact-details-missing` and `joint-arrangement-missing` for each
/// `[[joint_controllers]]` entry, at its header.
fn joint_controllers(cx: &Ctx, a: &Activity, out: &mut Vec<Diagnostic>) {
    for j in a.joint_controllers.iter().flat_map(|l| l.value.iter()) {
        let d = |code, msg: String| Diagnostic::at(code, cx.sources, a.file, j.span.clone(), msg);
        if !filled(&j.contact) {
            out.push(
                d(Code::ContactDetailsMissing, format!("joint controller `{}` has no `contact`", j.name.value))
                    .label("no contact")
                    .help("Art. 30(1)(a) asks for the contact details of each joint controller: add `contact = \"…\"` (an e-mail address or phone number) to this entry"),
            );
        }
        if !filled(&j.arrangement) {
            out.push(
                d(Code::JointArrangementMissing, format!("joint controller `{}` has no `arrangement`", j.name.value))
                    .label("no arrangement")
                    .help("Art. 26(1) requires an arrangement between joint controllers that sets out who does what, in particular towards data subjects: add `arrangement = \"…\"` saying what it is and where it is filed"),
            );
        }
    }
}
