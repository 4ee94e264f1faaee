//! One decode function per file kind of the registry format.

use toml::de::DeTable;

use super::decode::{Cx, TableReader};
use crate::diag::Code;
use crate::model::*;

fn contact(
    cx: &mut Cx,
    t: &mut TableReader,
    key: &'static str,
    with_address: bool,
    with_phone: bool,
) -> Option<Contact> {
    let (mut r, span) = t.sub(cx, key)?;
    let c = Contact {
        span,
        name: r.opt(cx, "name"),
        address: if with_address {
            r.opt(cx, "address")
        } else {
            None
        },
        email: r.opt(cx, "email"),
        phone: if with_phone { r.opt(cx, "phone") } else { None },
    };
    r.finish(cx);
    Some(c)
}

/// `[[acknowledged]]`: warnings the team accepts, each with its reason. A
/// code that is not a warning's (an error's, or none) is refused here, so
/// an error can never be silenced.
fn acknowledged(cx: &mut Cx, t: &mut TableReader) -> Acknowledgements {
    let mut out = Vec::new();
    let Some(entries) = t.sub_array(cx, "acknowledged") else {
        return out;
    };
    for (mut r, span) in entries.value {
        let code = r.req_text(cx, "code");
        let reason = r.req_text(cx, "reason");
        let until = r.opt::<Date>(cx, "until");
        r.finish(cx);
        let code = code.filter(|c| acknowledgeable(cx, c));
        if let (Some(code), Some(reason)) = (code, reason) {
            out.push(Acknowledgement {
                span,
                code,
                reason,
                until,
            });
        }
    }
    out
}

/// Is `code` the code of a warning? Reports a `schema` error if not.
fn acknowledgeable(cx: &mut Cx, code: &Sp<String>) -> bool {
    let warnings = || {
        Code::ALL
            .iter()
            .filter(|c| c.acknowledgeable())
            .map(|c| c.as_str())
    };
    let found = Code::parse(code.value.trim());
    let (message, help) = match found {
        Some(c) if c.acknowledgeable() => return true,
        Some(c) if c.severity() == crate::diag::Severity::Error => (
            format!("`{}` is an error, and errors cannot be acknowledged", c.as_str()),
            "fix the error instead; only warnings can be accepted on the record".to_string(),
        ),
        Some(c) => (
            format!("`{}` is about acknowledgements themselves and cannot be acknowledged", c.as_str()),
            "remove this `[[acknowledged]]`, or the one it reports".to_string(),
        ),
        None => (
            format!("`{}` is not a rule code", code.value),
            match crate::diag::did_you_mean(&code.value, warnings()) {
                Some(m) => format!("did you mean `{m}`?"),
                None => "use the code of a warning as `ropa check` prints it, for example `dpa-missing` (docs/rules.md lists them)".to_string(),
            },
        ),
    };
    cx.push(
        cx.diag(Code::Schema, code.span.clone(), message)
            .label("not a warning's code")
            .help(help),
    );
    false
}

pub fn organisation(cx: &mut Cx, table: &DeTable) -> Option<Organisation> {
    let mut t = TableReader::file(table, "organisation.toml");
    let name = t.req_text(cx, "name");
    let trading_name = t.opt(cx, "trading_name");
    let registration = t.opt(cx, "registration");
    let address = t.opt(cx, "address");
    let email = t.opt(cx, "email");
    let phone = t.opt(cx, "phone");
    let website = t.opt(cx, "website");
    let country = t.req_country(cx, "country");
    let supervisory_authority = t.opt(cx, "supervisory_authority");
    let public_authority = t.opt(cx, "public_authority");
    let dpo = contact(cx, &mut t, "dpo", false, true);
    let representative = contact(cx, &mut t, "representative", true, false);
    let site = t.sub(cx, "site").map(|(mut r, _)| {
        let title = r.opt(cx, "title");
        let language = r.opt(cx, "language");
        let s = SiteSettings {
            title,
            language: site_language(cx, language),
            extra: r.opt(cx, "extra"),
            show_authors: r.opt(cx, "show_authors"),
        };
        r.finish(cx);
        s
    });
    let note = t.opt(cx, "note");
    let acknowledged = acknowledged(cx, &mut t);
    let anchor = t.anchor();
    t.finish(cx);
    Some(Organisation {
        file: cx.file,
        anchor,
        name: name?,
        trading_name,
        registration,
        address,
        email,
        phone,
        website,
        country: country?,
        supervisory_authority,
        public_authority,
        dpo,
        representative,
        site,
        note,
        acknowledged,
    })
}

/// `categories.toml`: data subjects and data categories.
#[derive(Clone)]
pub struct CategoriesFile {
    pub subjects: Vec<Category>,
    pub categories: Vec<Category>,
    pub known_subjects: Vec<String>,
    pub known_categories: Vec<String>,
}

pub fn categories(cx: &mut Cx, table: &DeTable) -> CategoriesFile {
    let mut t = TableReader::file(table, "categories.toml");
    // Data categories carry `special` and `criminal`; data subjects
    // `employees`, `vulnerable` and `min_age`.
    let read = |cx: &mut Cx, t: &mut TableReader, key, what, subjects: bool| {
        let mut out = Vec::new();
        let mut known = Vec::new();
        for (id, mut r) in t.entries(cx, key, what) {
            known.push(id.value.clone());
            let name = r.req_text(cx, "name");
            let description = r.opt(cx, "description");
            let note = r.opt(cx, "note");
            let (special, criminal) = if subjects {
                (None, None)
            } else {
                (r.opt::<bool>(cx, "special"), r.opt::<bool>(cx, "criminal"))
            };
            let (employees, vulnerable, min_age) = if subjects {
                let employees = r.opt::<bool>(cx, "employees");
                let vulnerable = r.opt::<bool>(cx, "vulnerable");
                let min_age = r.opt::<i64>(cx, "min_age");
                (employees, vulnerable, age(cx, min_age))
            } else {
                (None, None, None)
            };
            r.finish(cx);
            if let Some(name) = name {
                out.push(Category {
                    id,
                    file: cx.file,
                    name,
                    description,
                    note,
                    special: special.is_some_and(|b| b.value),
                    criminal: criminal.is_some_and(|b| b.value),
                    employees: employees.is_some_and(|b| b.value),
                    vulnerable: vulnerable.is_some_and(|b| b.value),
                    min_age,
                });
            }
        }
        (out, known)
    };
    let (subjects, known_subjects) = read(cx, &mut t, "data_subjects", "data subject", true);
    let (categories, known_categories) =
        read(cx, &mut t, "data_categories", "data category", false);
    t.finish(cx);
    CategoriesFile {
        subjects,
        categories,
        known_subjects,
        known_categories,
    }
}

/// `min_age`: an age in years, 0 to 150.
fn age(cx: &mut Cx, v: Option<Sp<i64>>) -> Option<Sp<i64>> {
    let v = v?;
    if (0..=150).contains(&v.value) {
        return Some(v);
    }
    cx.push(
        cx.diag(
            Code::Schema,
            v.span.clone(),
            format!("`min_age` must be an age in years, not {}", v.value),
        )
        .label("not an age")
        .help(
            "write the youngest age among these people, in whole years, for example `min_age = 13`",
        ),
    );
    None
}

/// `measures.toml`.
pub fn measures(cx: &mut Cx, table: &DeTable) -> (Vec<Measure>, Vec<Sp<String>>) {
    let mut t = TableReader::file(table, "measures.toml");
    let mut out = Vec::new();
    let mut known = Vec::new();
    for (id, mut r) in t.entries(cx, "measures", "measure") {
        known.push(id.clone());
        let name = r.req_text(cx, "name");
        let description = r.opt(cx, "description");
        let kind = r.opt(cx, "kind");
        let note = r.opt(cx, "note");
        r.finish(cx);
        if let Some(name) = name {
            out.push(Measure {
                id,
                file: cx.file,
                name,
                description,
                kind,
                note,
            });
        }
    }
    t.finish(cx);
    (out, known)
}

pub fn activity(cx: &mut Cx, table: &DeTable, id: &str) -> Option<Activity> {
    let mut t = TableReader::file(table, "this activity");
    let given = Given {
        legal_bases: t.has_items("legal_bases"),
        controllers: t.has_items("controllers"),
        joint_controllers: t.has_items("joint_controllers"),
    };
    let name = t.req_text(cx, "name");
    let description = t.opt(cx, "description");
    let role = t.opt(cx, "role");
    let status = t.opt(cx, "status");
    let owner = t.opt(cx, "owner");
    let purposes = t.req_list(cx, "purposes");
    // Required or not depends on `role`; the rule (legal-basis-missing) says so.
    let legal_bases = t.opt_list(cx, "legal_bases");
    let legitimate_interest = t.opt(cx, "legitimate_interest");
    let special_category_condition = t.opt(cx, "special_category_condition");
    let data_subjects = t.req_list(cx, "data_subjects");
    let data_categories = t.req_list(cx, "data_categories");
    let sources = t.opt_list(cx, "sources");
    let processors = t.opt_list(cx, "processors");
    let recipients = t.opt_list(cx, "recipients");
    let transfers = t.opt_list(cx, "transfers");
    let measures = t.opt_list(cx, "measures");
    let systems = t.opt_list(cx, "systems");
    let automated_decision_making = t.opt(cx, "automated_decision_making");
    let automated_decision_note = t.opt(cx, "automated_decision_note");
    let legal_provisions = t.opt_list(cx, "legal_provisions");
    let large_scale = t.opt(cx, "large_scale");
    let parental_consent = t.opt(cx, "parental_consent");
    let mut retention = Vec::new();
    if let Some(entries) = t.sub_array(cx, "retention") {
        for (mut r, span) in entries.value {
            retention.push(Retention {
                span,
                period: r.opt(cx, "period"),
                from: r.opt(cx, "from"),
                data_categories: r.opt_list(cx, "data_categories"),
                note: r.opt(cx, "note"),
            });
            r.finish(cx);
        }
    }
    let dpia = t.sub(cx, "dpia").map(|(mut r, span)| {
        let d = Dpia {
            span,
            required: r.opt(cx, "required"),
            completed: r.opt(cx, "completed"),
            reference: r.opt(cx, "reference"),
            note: r.opt(cx, "note"),
        };
        r.finish(cx);
        d
    });
    let review = t.sub(cx, "review").map(|(mut r, span)| {
        let d = Review {
            span,
            last_reviewed: r.opt(cx, "last_reviewed"),
            next_review: r.opt(cx, "next_review"),
        };
        r.finish(cx);
        d
    });
    let controllers = t.opt_list(cx, "controllers");
    let joint_controllers = t.sub_array(cx, "joint_controllers").map(|entries| {
        let span = entries.span.clone();
        let list = entries
            .value
            .into_iter()
            .filter_map(|(mut r, span)| {
                let name = r.req_text(cx, "name");
                let contact = r.opt(cx, "contact");
                let arrangement = r.opt(cx, "arrangement");
                r.finish(cx);
                Some(JointController {
                    span,
                    name: name?,
                    contact,
                    arrangement,
                })
            })
            .collect();
        Sp::new(list, span)
    });
    let note = t.opt(cx, "note");
    let acknowledged = acknowledged(cx, &mut t);
    let anchor = t.anchor();
    t.finish(cx);
    Some(Activity {
        id: id.to_string(),
        file: cx.file,
        anchor,
        name: name?,
        description,
        role,
        status,
        owner,
        purposes: purposes?,
        legal_bases,
        legitimate_interest,
        special_category_condition,
        data_subjects: data_subjects?,
        data_categories: data_categories?,
        sources,
        processors,
        recipients,
        transfers,
        measures,
        systems,
        automated_decision_making,
        automated_decision_note,
        legal_provisions,
        large_scale,
        parental_consent,
        retention,
        dpia,
        review,
        controllers,
        joint_controllers,
        note,
        acknowledged,
        given,
    })
}

/// `[site] language`: one the site is written in, or a `schema` error
/// naming them (the page's `lang` must say which language its words are in).
fn site_language(cx: &mut Cx, language: Option<Sp<String>>) -> Option<Sp<String>> {
    let l = language?;
    if crate::i18n::is_site_language(l.value.trim()) {
        return Some(l);
    }
    let names = crate::i18n::languages()
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    cx.push(
        cx.diag(
            Code::Schema,
            l.span.clone(),
            format!("the site is not written in `{}`", l.value),
        )
        .label("not a language of the site")
        .help(format!(
            "set `language` to one of {names}, optionally with a region (`nl-BE`), or leave it out for English; the registry's own text is shown as written"
        )),
    );
    None
}

pub fn processor(cx: &mut Cx, table: &DeTable, id: &str) -> Option<Processor> {
    let mut t = TableReader::file(table, "this processor");
    let name = t.req_text(cx, "name");
    let service = t.req_text(cx, "service");
    let country = t.req_country(cx, "country");
    let locations = t.opt_countries(cx, "locations");
    let contact = t.opt(cx, "contact");
    let address = t.opt(cx, "address");
    let website = t.opt(cx, "website");
    let description = t.opt(cx, "description");
    let note = t.opt(cx, "note");
    let dpa_signed = t.opt(cx, "dpa_signed");
    let dpa_reference = t.opt(cx, "dpa_reference");
    let dpf_certified = t.opt(cx, "dpf_certified");
    let dpf_hr = t.opt(cx, "dpf_hr");
    let certifications = t.opt_list(cx, "certifications");
    let sub_processors = t.opt_list(cx, "sub_processors");
    let acknowledged = acknowledged(cx, &mut t);
    let anchor = t.anchor();
    t.finish(cx);
    Some(Processor {
        id: id.to_string(),
        file: cx.file,
        anchor,
        name: name?,
        service: service?,
        country: country?,
        locations,
        contact,
        address,
        website,
        description,
        note,
        dpa_signed,
        dpa_reference,
        dpf_certified,
        dpf_hr,
        certifications,
        sub_processors,
        acknowledged,
    })
}

pub fn recipient(cx: &mut Cx, table: &DeTable, id: &str) -> Option<Recipient> {
    let mut t = TableReader::file(table, "this recipient");
    let name = t.req_text(cx, "name");
    let kind: Option<Sp<RecipientKind>> = t.req(cx, "kind");
    let international_organisation = international_organisation(cx, &mut t, kind.as_ref());
    let country = t.opt_country(cx, "country");
    let address = t.opt(cx, "address");
    let dpf_certified = t.opt(cx, "dpf_certified");
    let dpf_hr = t.opt(cx, "dpf_hr");
    let description = t.opt(cx, "description");
    let note = t.opt(cx, "note");
    let acknowledged = acknowledged(cx, &mut t);
    let anchor = t.anchor();
    t.finish(cx);
    Some(Recipient {
        id: id.to_string(),
        file: cx.file,
        anchor,
        name: name?,
        kind: kind?,
        international_organisation,
        country,
        address,
        dpf_certified,
        dpf_hr,
        description,
        note,
        acknowledged,
    })
}

/// `international_organisation`: required for a recipient of that kind,
/// and only for it; a code such as `EPO` (capitals, digits, hyphens).
fn international_organisation(
    cx: &mut Cx,
    t: &mut TableReader,
    kind: Option<&Sp<RecipientKind>>,
) -> Option<Sp<String>> {
    let is_io = kind.is_some_and(|k| k.value == RecipientKind::InternationalOrganisation);
    let code = if is_io {
        t.req_text(cx, "international_organisation")
    } else {
        t.opt::<String>(cx, "international_organisation")
    }?;
    if !is_io {
        if kind.is_some() {
            cx.push(
                cx.diag(
                    Code::Schema,
                    code.span.clone(),
                    "`international_organisation` only applies to a recipient of kind `international-organisation`",
                )
                .help("remove it, or set `kind = \"international-organisation\"`"),
            );
        }
        return None;
    }
    if !super::decode::is_organisation_code(&code.value) {
        cx.push(
            cx.diag(
                Code::Schema,
                code.span.clone(),
                format!("`{}` is not an international organisation's code", code.value),
            )
            .label("capitals, digits and hyphens")
            .help("write the organisation's code in capitals, as the adequacy list names it: `EPO`, `WIPO`, `WHO`"),
        );
        return None;
    }
    Some(code)
}

pub fn transfer(cx: &mut Cx, table: &DeTable, id: &str) -> Option<Transfer> {
    let mut t = TableReader::file(table, "this transfer");
    let to = t.req_text(cx, "to");
    // Required unless `to` is an international organisation, which only
    // the rules can tell (it is in another file).
    let country = t.opt_country(cx, "country");
    let via = t.opt(cx, "via");
    let mechanism = t.req(cx, "mechanism");
    let safeguard = t.opt(cx, "safeguard");
    let derogation = t.opt(cx, "derogation");
    let data_categories = t.opt_list(cx, "data_categories");
    let supplementary_measures = t.opt_list(cx, "supplementary_measures");
    let authority_informed = t.opt(cx, "authority_informed");
    let tia = t.sub(cx, "tia").map(|(mut r, span)| {
        let x = Tia {
            span,
            completed: r.opt(cx, "completed"),
            reference: r.opt(cx, "reference"),
            outcome: r.opt(cx, "outcome"),
        };
        r.finish(cx);
        x
    });
    let description = t.opt(cx, "description");
    let note = t.opt(cx, "note");
    let acknowledged = acknowledged(cx, &mut t);
    let anchor = t.anchor();
    t.finish(cx);
    Some(Transfer {
        id: id.to_string(),
        file: cx.file,
        anchor,
        to: to?,
        country,
        via,
        mechanism: mechanism?,
        safeguard,
        derogation,
        data_categories,
        supplementary_measures,
        authority_informed,
        tia,
        description,
        note,
        acknowledged,
    })
}

pub fn safeguard(cx: &mut Cx, table: &DeTable, id: &str) -> Option<Safeguard> {
    let mut t = TableReader::file(table, "this safeguard");
    let name = t.req_text(cx, "name");
    let kind = t.req(cx, "kind");
    let scc_version = t.opt(cx, "scc_version");
    let scc_modules = t.opt_list(cx, "scc_modules");
    let signed = t.opt(cx, "signed");
    let expires = t.opt(cx, "expires");
    let parties = t.opt_list(cx, "parties");
    let document = t.opt(cx, "document");
    let approved_by = t.opt(cx, "approved_by");
    let description = t.opt(cx, "description");
    let note = t.opt(cx, "note");
    let acknowledged = acknowledged(cx, &mut t);
    let anchor = t.anchor();
    t.finish(cx);
    Some(Safeguard {
        id: id.to_string(),
        file: cx.file,
        anchor,
        name: name?,
        kind: kind?,
        scc_version,
        scc_modules,
        signed,
        expires,
        parties,
        document,
        approved_by,
        description,
        note,
        acknowledged,
    })
}

/// `adequacy.toml`: the registry's own list, or the bundled one. A list
/// without `eea` takes `default_eea` (the bundled EEA); the bundled list
/// has none to take, so there `eea` is required.
pub fn adequacy(
    cx: &mut Cx,
    table: &DeTable,
    origin: &str,
    default_eea: Option<&std::collections::BTreeSet<String>>,
) -> Option<AdequacyList> {
    let mut t = TableReader::file(table, "adequacy.toml");
    let as_of = t.req::<Date>(cx, "as_of");
    let source = t.opt::<String>(cx, "source");
    let eea = t.opt_countries(cx, "eea");
    let decision = |cx: &mut Cx, code: Sp<String>, mut r: TableReader, with_requires: bool| {
        let decision = r.req_text(cx, "decision");
        let adopted = r.opt::<Date>(cx, "adopted");
        let scope = r.opt::<String>(cx, "scope");
        let requires = if with_requires {
            r.opt::<AdequacyRequirement>(cx, "requires")
        } else {
            None
        };
        let expires = r.opt::<Date>(cx, "expires");
        let note = r.opt::<String>(cx, "note");
        r.finish(cx);
        Some(AdequacyDecision {
            country: code.value,
            decision: decision?.value,
            adopted: adopted.map(|d| d.value),
            scope: scope.map(|d| d.value),
            requires: requires.map(|d| d.value),
            expires: expires.map(|d| d.value),
            note: note.map(|d| d.value),
        })
    };
    let mut decisions = std::collections::BTreeMap::new();
    for (code, r) in t.entries_raw(cx, "countries") {
        if let Some(d) = decision(cx, code, r, true) {
            decisions.insert(d.country.clone(), d);
        }
    }
    let mut international_organisations = std::collections::BTreeMap::new();
    for (code, r) in t.entries_coded(
        cx,
        "international_organisations",
        "international organisation",
    ) {
        if let Some(d) = decision(cx, code, r, false) {
            international_organisations.insert(d.country.clone(), d);
        }
    }
    t.finish(cx);
    let eea = match (eea, default_eea) {
        (Some(list), _) => list.value.into_iter().map(|c| c.value).collect(),
        (None, Some(default)) => default.clone(),
        (None, None) => {
            cx.push(
                cx.diag(Code::Schema, 0..0, "this adequacy list has no `eea`")
                    .help("add `eea = [...]` with the two-letter codes of the EEA states"),
            );
            return None;
        }
    };
    Some(AdequacyList {
        as_of: as_of?.value,
        origin: origin.to_string(),
        source: source.map(|s| s.value),
        eea,
        decisions,
        international_organisations,
    })
}
