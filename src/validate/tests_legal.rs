//! Cases for the legal rules of contract 1.1 (roles, Art. 8, 10, 22, 26, 27, 35, 37, retention): each fires on a realistic registry, and a near
//! miss stays quiet. Read by `tests::every_rule_fires_and_passes`.

use std::collections::BTreeMap;

use super::tests::{ACTIVITY, CATEGORIES, Case, HEALTH, MEASURES, ORG, activity, as_of, case};

/// A processor activity: the controller's choices are not ours to record.
const PROCESSOR: &str = "role = \"processor\"\ncontrollers = [\"Client BV\"]";
const DPIA_DONE: &str =
    "\n[dpia]\nrequired = true\ncompleted = 2026-01-10\nreference = \"DPIA-7\"\n";
const DPO: &str = "\n[dpo]\nname = \"Eva Lind\"\nemail = \"dpo@acme.example\"\n";
const CRIMINAL: &str =
    "\n[data_categories.convictions]\nname = \"Criminal record extracts\"\ncriminal = true\n";
const STAFF: &str = "\n[data_subjects.staff]\nname = \"Employees\"\nemployees = true\n";
const PATIENTS: &str = "\n[data_subjects.patients]\nname = \"Patients\"\nvulnerable = true\n";
const USAGE: &str = "\n[data_categories.usage]\nname = \"Usage data\"\n";
const ADM: &str = "automated_decision_making = true\nautomated_decision_note = \"A score decides; staff review every refusal on request.\"";
const JOINT: &str = "\n[[joint_controllers]]\nname = \"Partner SA\"\ncontact = \"dpo@partner.example\"\narrangement = \"Art. 26 agreement of 2025\"\n";
const PARTNER: &str = "name = \"Partner AB\"\nkind = \"controller\"\ncountry = \"SE\"\n";

fn pupils(min_age: i64) -> String {
    format!(
        "[data_subjects.pupils]\nname = \"Pupils\"\nmin_age = {min_age}\n\n[data_categories.contact]\nname = \"Contact details\"\n"
    )
}

/// The base activity with `legal_bases`, `data_subjects` and
/// `data_categories` replaced (`None` keeps the base's), and `extra` keys.
fn act(bases: Option<&str>, subjects: Option<&str>, cats: Option<&str>, extra: &str) -> String {
    let mut a = activity(extra);
    if let Some(b) = bases {
        a = a.replace(
            "legal_bases = [\"contract\"]",
            &format!("legal_bases = {b}"),
        );
    }
    if let Some(s) = subjects {
        a = a.replace(
            "data_subjects = [\"customers\"]",
            &format!("data_subjects = {s}"),
        );
    }
    if let Some(c) = cats {
        a = a.replace(
            "data_categories = [\"contact\"]",
            &format!("data_categories = {c}"),
        );
    }
    a
}

pub(super) fn cases() -> Vec<Case> {
    const A: &str = "activities/accounts.toml";
    const C: &str = "categories.toml";
    const O: &str = "organisation.toml";
    let health = format!("{CATEGORIES}{HEALTH}");
    let criminal = format!("{CATEGORIES}{CRIMINAL}");
    let staff = format!("{CATEGORIES}{STAFF}");
    let staff_health = format!("{CATEGORIES}{STAFF}{HEALTH}");
    let patients = format!("{CATEGORIES}{PATIENTS}");
    let usage = format!("{CATEGORIES}{USAGE}");
    let no_retention = &ACTIVITY[..ACTIVITY.find("[[retention]]").unwrap_or(ACTIVITY.len())];
    let with_health = Some("[\"contact\", \"health\"]");
    let with_criminal = Some("[\"contact\", \"convictions\"]");
    let with_staff = Some("[\"customers\", \"staff\"]");
    let public = format!("{ORG}public_authority = true\n{DPO}");
    let large_health = act(
        None,
        None,
        with_health,
        "large_scale = true\nspecial_category_condition = \"explicit-consent\"",
    );
    vec![
        // Role exemptions: the controller's choices (Art. 6, 9, 30(1)(f)) stay quiet on a processor activity.
        case(
            "special-category-condition-missing",
            &[(A, &act(None, None, with_health, "")), (C, &health)],
            &[(A, &act(None, None, with_health, PROCESSOR)), (C, &health)],
        ),
        case(
            "legitimate-interest-missing",
            &[(A, &act(Some("[\"legitimate-interests\"]"), None, None, ""))],
            &[(
                A,
                &act(Some("[\"legitimate-interests\"]"), None, None, PROCESSOR),
            )],
        ),
        case(
            "retention-missing",
            &[(A, no_retention)],
            &[(A, &format!("{PROCESSOR}\n{no_retention}"))],
        ),
        // Art. 10.
        case(
            "criminal-data-basis-missing",
            &[(A, &act(None, None, with_criminal, "")), (C, &criminal)],
            &[
                (
                    A,
                    &act(
                        None,
                        None,
                        with_criminal,
                        "legal_provisions = [\"Background Checks Act, s. 4\"]",
                    ),
                ),
                (C, &criminal),
            ],
        ),
        case(
            "criminal-data-basis-missing",
            &[
                (
                    A,
                    &format!(
                        "{}{JOINT}",
                        act(None, None, with_criminal, "role = \"joint-controller\"")
                    ),
                ),
                (C, &criminal),
            ],
            &[
                (A, &act(None, None, with_criminal, PROCESSOR)),
                (C, &criminal),
            ],
        ),
        // Art. 6(3) and 9(2): bases and conditions that rest on the law.
        case(
            "legal-provision-missing",
            &[(A, &act(Some("[\"legal-obligation\"]"), None, None, ""))],
            &[(
                A,
                &act(
                    Some("[\"legal-obligation\"]"),
                    None,
                    None,
                    "legal_provisions = [\"Bookkeeping Act (1999:1078), ch. 7\"]",
                ),
            )],
        ),
        case(
            "legal-provision-missing",
            &[(A, &act(Some("[\"public-task\"]"), None, None, ""))],
            &[(A, &act(Some("[\"public-task\"]"), None, None, PROCESSOR))],
        ),
        case(
            "legal-provision-missing",
            &[
                (
                    A,
                    &act(
                        None,
                        None,
                        with_health,
                        "special_category_condition = \"employment\"",
                    ),
                ),
                (C, &health),
            ],
            // Art. 9(2)(h) is not in the list of the contract.
            &[
                (
                    A,
                    &act(
                        None,
                        None,
                        with_health,
                        "special_category_condition = \"health-care\"",
                    ),
                ),
                (C, &health),
            ],
        ),
        case(
            "legal-provision-missing",
            &[
                (
                    A,
                    &act(
                        None,
                        None,
                        with_health,
                        "special_category_condition = \"archiving-research\"",
                    ),
                ),
                (C, &health),
            ],
            &[
                (
                    A,
                    &act(
                        None,
                        None,
                        with_health,
                        "special_category_condition = \"archiving-research\"\nlegal_provisions = [\"Ethical Review Act (2003:460)\"]",
                    ),
                ),
                (C, &health),
            ],
        ),
        // EDPB Guidelines 05/2020 §21.
        case(
            "consent-employees",
            &[
                (A, &act(Some("[\"consent\"]"), with_staff, None, "")),
                (C, &staff),
            ],
            &[(A, &act(Some("[\"consent\"]"), None, None, ""))],
        ),
        case(
            "consent-employees",
            &[
                (
                    A,
                    &act(
                        None,
                        with_staff,
                        with_health,
                        "special_category_condition = \"explicit-consent\"",
                    ),
                ),
                (C, &staff_health),
            ],
            &[
                (
                    A,
                    &act(
                        Some("[\"consent\"]"),
                        with_staff,
                        with_health,
                        &format!("special_category_condition = \"explicit-consent\"\n{PROCESSOR}"),
                    ),
                ),
                (C, &staff_health),
            ],
        ),
        // Art. 8: 13 in Sweden.
        case(
            "child-consent-age",
            &[
                (
                    A,
                    &act(Some("[\"consent\"]"), Some("[\"pupils\"]"), None, ""),
                ),
                (C, &pupils(12)),
            ],
            &[
                (
                    A,
                    &act(Some("[\"consent\"]"), Some("[\"pupils\"]"), None, ""),
                ),
                (C, &pupils(13)),
            ],
        ),
        // 16 in Germany, unless the parents consent.
        case(
            "child-consent-age",
            &[
                (
                    A,
                    &act(Some("[\"consent\"]"), Some("[\"pupils\"]"), None, ""),
                ),
                (C, &pupils(15)),
                (O, &ORG.replace("\"SE\"", "\"DE\"")),
            ],
            &[
                (
                    A,
                    &act(
                        Some("[\"consent\"]"),
                        Some("[\"pupils\"]"),
                        None,
                        "parental_consent = true",
                    ),
                ),
                (C, &pupils(15)),
                (O, &ORG.replace("\"SE\"", "\"DE\"")),
            ],
        ),
        // Outside the EEA: 16.
        case(
            "child-consent-age",
            &[
                (
                    A,
                    &act(Some("[\"consent\"]"), Some("[\"pupils\"]"), None, ""),
                ),
                (C, &pupils(15)),
                (O, &ORG.replace("\"SE\"", "\"US\"")),
            ],
            &[
                (
                    A,
                    &act(Some("[\"consent\"]"), Some("[\"pupils\"]"), None, PROCESSOR),
                ),
                (C, &pupils(15)),
            ],
        ),
        // Art. 22.
        case(
            "automated-decision-note-missing",
            &[(
                A,
                &format!(
                    "{}{DPIA_DONE}",
                    act(None, None, None, "automated_decision_making = true")
                ),
            )],
            &[(A, &format!("{}{DPIA_DONE}", act(None, None, None, ADM)))],
        ),
        case(
            "automated-decision-note-missing",
            &[(
                A,
                &act(
                    None,
                    None,
                    None,
                    &format!("automated_decision_making = true\n{PROCESSOR}"),
                ),
            )],
            &[(
                A,
                &act(None, None, None, "automated_decision_making = false"),
            )],
        ),
        case(
            "automated-decision-basis",
            &[(
                A,
                &format!(
                    "{}{DPIA_DONE}",
                    act(
                        Some("[\"legitimate-interests\"]"),
                        None,
                        None,
                        &format!("legitimate_interest = \"Fraud prevention\"\n{ADM}")
                    )
                ),
            )],
            &[(
                A,
                &act(
                    Some("[\"legitimate-interests\"]"),
                    None,
                    None,
                    &format!("{ADM}\n{PROCESSOR}"),
                ),
            )],
        ),
        case(
            "automated-decision-special-category",
            &[
                (
                    A,
                    &format!(
                        "{}{DPIA_DONE}",
                        act(
                            None,
                            None,
                            with_health,
                            &format!("special_category_condition = \"health-care\"\n{ADM}")
                        )
                    ),
                ),
                (C, &health),
            ],
            &[
                (
                    A,
                    &format!(
                        "{}{DPIA_DONE}",
                        act(
                            None,
                            None,
                            with_health,
                            &format!("special_category_condition = \"explicit-consent\"\n{ADM}")
                        )
                    ),
                ),
                (C, &health),
            ],
        ),
        case(
            "automated-decision-special-category",
            &[
                (
                    A,
                    &format!(
                        "{}{DPIA_DONE}",
                        act(
                            None,
                            None,
                            with_health,
                            &format!("special_category_condition = \"health-care\"\n{ADM}")
                        )
                    ),
                ),
                (C, &health),
            ],
            &[
                (
                    A,
                    &act(None, None, with_health, &format!("{ADM}\n{PROCESSOR}")),
                ),
                (C, &health),
            ],
        ),
        // Art. 35, WP248.
        case(
            "dpia-missing",
            &[(A, &act(None, None, None, ADM))],
            &[(A, &format!("{}{DPIA_DONE}", act(None, None, None, ADM)))],
        ),
        case(
            "dpia-missing",
            &[
                (
                    A,
                    &act(
                        None,
                        Some("[\"customers\", \"patients\"]"),
                        None,
                        "large_scale = true",
                    ),
                ),
                (C, &patients),
            ],
            // One criterion alone (vulnerable data subjects) is not enough.
            &[
                (
                    A,
                    &act(None, Some("[\"customers\", \"patients\"]"), None, ""),
                ),
                (C, &patients),
            ],
        ),
        case(
            "dpia-missing",
            &[
                (
                    A,
                    &act(
                        None,
                        with_staff,
                        with_health,
                        "special_category_condition = \"employment\"\nlegal_provisions = [\"Working Environment Act\"]",
                    ),
                ),
                (C, &staff_health),
            ],
            &[
                (
                    A,
                    &act(
                        None,
                        with_staff,
                        with_health,
                        &format!("special_category_condition = \"employment\"\n{PROCESSOR}"),
                    ),
                ),
                (C, &staff_health),
            ],
        ),
        case(
            "dpia-missing",
            &[(
                A,
                &format!("{}\n[dpia]\nrequired = false\n", act(None, None, None, ADM)),
            )],
            &[(
                A,
                &format!(
                    "{}\n[dpia]\nrequired = false\nnote = \"Decisions only grant a discount; none refuses anything.\"\n",
                    act(None, None, None, ADM)
                ),
            )],
        ),
        case(
            "dpia-missing",
            &[(A, &act(None, None, None, ADM))],
            &[(
                A,
                &act(None, None, None, &format!("{ADM}\nstatus = \"retired\"")),
            )],
        ),
        // Art. 37.
        case(
            "dpo-missing",
            &[(O, &format!("{ORG}public_authority = true\n"))],
            &[(O, &public)],
        ),
        case(
            "dpo-likely-required",
            &[(A, &format!("{large_health}{DPIA_DONE}")), (C, &health)],
            &[
                (A, &format!("{large_health}{DPIA_DONE}")),
                (C, &health),
                (O, &format!("{ORG}{DPO}")),
            ],
        ),
        case(
            "dpo-likely-required",
            &[
                (
                    A,
                    &act(
                        None,
                        None,
                        with_criminal,
                        &format!("large_scale = true\n{PROCESSOR}"),
                    ),
                ),
                (C, &criminal),
            ],
            &[
                (
                    A,
                    &act(
                        None,
                        None,
                        with_health,
                        "large_scale = true\nspecial_category_condition = \"explicit-consent\"\nstatus = \"retired\"",
                    ),
                ),
                (C, &health),
            ],
        ),
        // Art. 27.
        case(
            "representative-missing",
            &[(O, &ORG.replace("\"SE\"", "\"US\""))],
            &[(
                O,
                &format!(
                    "{}\n[representative]\nname = \"Acme EU Rep BV\"\naddress = \"Keizersgracht 1, Amsterdam\"\nemail = \"rep@acme.example\"\n",
                    ORG.replace("\"SE\"", "\"US\"")
                ),
            )],
        ),
        case(
            "representative-missing",
            &[(O, &ORG.replace("\"SE\"", "\"CH\""))],
            &[(O, &public.replace("\"SE\"", "\"US\""))],
        ),
        // Art. 30(1)(a).
        case(
            "contact-details-missing",
            &[(
                O,
                "name = \"Acme AB\"\ncountry = \"SE\"\nwebsite = \"https://acme.example\"\n",
            )],
            &[(
                O,
                "name = \"Acme AB\"\ncountry = \"SE\"\naddress = \"Storgatan 1, Stockholm\"\n",
            )],
        ),
        case(
            "contact-details-missing",
            &[(O, &format!("{ORG}\n[dpo]\nname = \"Eva Lind\"\n"))],
            &[(
                O,
                &format!("{ORG}\n[dpo]\nname = \"Eva Lind\"\nphone = \"+46 8 123 456\"\n"),
            )],
        ),
        case(
            "contact-details-missing",
            &[(
                O,
                &format!(
                    "{}\n[representative]\nname = \"Acme EU Rep BV\"\nemail = \"rep@acme.example\"\n",
                    ORG.replace("\"SE\"", "\"US\"")
                ),
            )],
            &[],
        ),
        case(
            "contact-details-missing",
            &[(
                A,
                &format!(
                    "{}\n[[joint_controllers]]\nname = \"Partner SA\"\narrangement = \"Art. 26 agreement of 2025\"\n",
                    act(None, None, None, "role = \"joint-controller\"")
                ),
            )],
            &[(
                A,
                &format!(
                    "{}\n[[joint_controllers]]\nname = \"Partner SA\"\ncontact = \"dpo@partner.example\"\narrangement = \"Art. 26 agreement of 2025\"\n",
                    act(None, None, None, "role = \"joint-controller\"")
                ),
            )],
        ),
        // Art. 26(1).
        case(
            "joint-arrangement-missing",
            &[(
                A,
                &format!(
                    "{}\n[[joint_controllers]]\nname = \"Partner SA\"\ncontact = \"dpo@partner.example\"\n",
                    act(None, None, None, "role = \"joint-controller\"")
                ),
            )],
            &[(
                A,
                &format!(
                    "{}\n[[joint_controllers]]\nname = \"Partner SA\"\ncontact = \"dpo@partner.example\"\narrangement = \"Art. 26 agreement of 2025, filed in Contracts/2025/17\"\n",
                    act(None, None, None, "role = \"joint-controller\"")
                ),
            )],
        ),
        // Art. 6(1) last subparagraph.
        case(
            "legitimate-interests-public-authority",
            &[
                (
                    A,
                    &act(
                        Some("[\"legitimate-interests\"]"),
                        None,
                        None,
                        "legitimate_interest = \"Visitor statistics\"",
                    ),
                ),
                (O, &public),
            ],
            &[
                (
                    A,
                    &act(
                        Some("[\"public-task\"]"),
                        None,
                        None,
                        "legal_provisions = [\"Municipal Act, ch. 2\"]",
                    ),
                ),
                (O, &public),
            ],
        ),
        // On a processor activity the basis is the controller's, who need
        // not be a public authority.
        case(
            "legitimate-interests-public-authority",
            &[
                (
                    A,
                    &act(
                        Some("[\"legitimate-interests\"]"),
                        None,
                        None,
                        "legitimate_interest = \"Visitor statistics\"",
                    ),
                ),
                (O, &public),
            ],
            &[
                (
                    A,
                    &act(
                        Some("[\"legitimate-interests\"]"),
                        None,
                        None,
                        &format!(
                            "legitimate_interest = \"The client's visitor statistics\"\n{PROCESSOR}"
                        ),
                    ),
                ),
                (O, &public),
            ],
        ),
        // Art. 9(2)(d).
        case(
            "not-for-profit-disclosure",
            &[
                (
                    A,
                    &act(
                        None,
                        None,
                        with_health,
                        "special_category_condition = \"not-for-profit\"\nrecipients = [\"partner\"]",
                    ),
                ),
                (C, &health),
                ("recipients/partner.toml", PARTNER),
            ],
            &[
                (
                    A,
                    &act(
                        None,
                        None,
                        with_health,
                        "special_category_condition = \"not-for-profit\"",
                    ),
                ),
                (C, &health),
            ],
        ),
        // The condition of a processor activity is the controller's.
        case(
            "not-for-profit-disclosure",
            &[
                (
                    A,
                    &act(
                        None,
                        None,
                        with_health,
                        "special_category_condition = \"not-for-profit\"\nrecipients = [\"partner\"]",
                    ),
                ),
                (C, &health),
                ("recipients/partner.toml", PARTNER),
            ],
            &[
                (
                    A,
                    &act(
                        None,
                        None,
                        with_health,
                        &format!(
                            "special_category_condition = \"not-for-profit\"\nrecipients = [\"partner\"]\n{PROCESSOR}"
                        ),
                    ),
                ),
                (C, &health),
                ("recipients/partner.toml", PARTNER),
            ],
        ),
        // Art. 30(1)(f): a time limit for each category.
        case(
            "retention-incomplete",
            &[
                (
                    A,
                    &format!(
                        "{}data_categories = [\"contact\"]\n",
                        act(None, None, Some("[\"contact\", \"usage\"]"), "")
                    ),
                ),
                (C, &usage),
            ],
            &[
                (
                    A,
                    &format!(
                        "{}data_categories = [\"contact\"]\n\n[[retention]]\nperiod = \"P3M\"\nfrom = \"collection\"\n",
                        act(None, None, Some("[\"contact\", \"usage\"]"), "")
                    ),
                ),
                (C, &usage),
            ],
        ),
        case(
            "retention-incomplete",
            &[
                (
                    A,
                    &format!(
                        "{}data_categories = [\"contact\"]\n",
                        act(None, None, Some("[\"contact\", \"usage\"]"), PROCESSOR)
                    ),
                ),
                (C, &usage),
            ],
            &[
                (
                    A,
                    &format!(
                        "{}data_categories = [\"contact\", \"usage\"]\n",
                        act(None, None, Some("[\"contact\", \"usage\"]"), "")
                    ),
                ),
                (C, &usage),
            ],
        ),
        case(
            "retention-category-not-processed",
            &[
                (
                    A,
                    &format!(
                        "{}data_categories = [\"contact\", \"usage\"]\n",
                        act(None, None, None, "")
                    ),
                ),
                (C, &usage),
            ],
            &[
                (
                    A,
                    &format!(
                        "{}data_categories = [\"contact\", \"usage\"]\n",
                        act(None, None, Some("[\"contact\", \"usage\"]"), "")
                    ),
                ),
                (C, &usage),
            ],
        ),
        // A retired activity is not overdue for review.
        case(
            "review-overdue",
            &[(
                A,
                &format!("{ACTIVITY}\n[review]\nlast_reviewed = 2025-01-01\n"),
            )],
            &[(
                A,
                &format!(
                    "{}\n[review]\nlast_reviewed = 2025-01-01\n",
                    activity("status = \"retired\"")
                ),
            )],
        ),
    ]
}

/// The diagnostics of the base registry with `files` replaced, each as
/// (code, message, the text its caret is on, the file).
fn diags(files: &[(&str, &str)]) -> Vec<(String, String, String, String)> {
    let mut all: BTreeMap<&str, &str> = BTreeMap::from([
        ("organisation.toml", ORG),
        ("categories.toml", CATEGORIES),
        ("measures.toml", MEASURES),
        ("activities/accounts.toml", ACTIVITY),
        ("processors/host.toml", super::tests::HOST),
    ]);
    all.extend(files.iter().copied());
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in all.into_iter().filter(|(_, t)| !t.is_empty()) {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let loaded = crate::load::load(dir.path()).unwrap();
    let checked = crate::pipeline::check(&loaded, as_of(), false);
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let at = d.primary.as_ref().map_or(String::new(), |p| {
                checked.sources.get(p.file).text[p.span.clone()].to_string()
            });
            (
                d.code.as_str().to_string(),
                d.message.clone(),
                at,
                d.path.clone(),
            )
        })
        .collect()
}

fn only<'a>(
    all: &'a [(String, String, String, String)],
    code: &str,
) -> Vec<&'a (String, String, String, String)> {
    all.iter().filter(|d| d.0 == code).collect()
}

#[test]
fn special_category_condition_points_at_the_first_special_id() {
    let cats = format!(
        "{CATEGORIES}{HEALTH}\n[data_categories.genetic]\nname = \"Genetic data\"\nspecial = true\n"
    );
    let all = diags(&[
        (
            "activities/accounts.toml",
            &act(
                None,
                None,
                Some("[\"contact\", \"health\", \"genetic\"]"),
                "",
            ),
        ),
        ("categories.toml", &cats),
    ]);
    let d = only(&all, "special-category-condition-missing");
    assert_eq!(d.len(), 1, "{all:?}");
    assert_eq!(d[0].2, "\"health\"");
    assert!(d[0].1.contains("`health`, `genetic`"), "{}", d[0].1);
}

#[test]
fn contact_details_point_at_the_table_or_the_first_key() {
    let org = "name = \"Acme Inc\"\ncountry = \"US\"\n\n[dpo]\nname = \"Eva Lind\"\n\n[representative]\nname = \"Rep BV\"\n";
    let all = diags(&[("organisation.toml", org)]);
    let d = only(&all, "contact-details-missing");
    let at: Vec<&str> = d.iter().map(|d| d.2.as_str()).collect();
    assert_eq!(at, ["name", "[dpo]", "[representative]"], "{d:?}");
    assert!(d[2].1.contains("`address` and `email`"), "{}", d[2].1);
    // The representative is named: Art. 27 is met, whatever its details.
    assert!(only(&all, "representative-missing").is_empty());
    let jc = format!(
        "{}\n[[joint_controllers]]\nname = \"Partner SA\"\ncontact = \"dpo@partner.example\"\narrangement = \"Art. 26 agreement\"\n\n[[joint_controllers]]\nname = \"Other SA\"\n",
        act(None, None, None, "role = \"joint-controller\"")
    );
    let all = diags(&[("activities/accounts.toml", &jc)]);
    for code in ["contact-details-missing", "joint-arrangement-missing"] {
        let d = only(&all, code);
        assert_eq!(d.len(), 1, "{all:?}");
        assert_eq!(d[0].2, "[[joint_controllers]]");
        assert!(d[0].1.contains("`Other SA`"), "{}", d[0].1);
    }
}

#[test]
fn dpo_likely_required_names_the_activities_at_the_organisation() {
    let a = act(
        None,
        None,
        Some("[\"contact\", \"health\"]"),
        "large_scale = true\nspecial_category_condition = \"explicit-consent\"",
    );
    let all = diags(&[
        ("activities/accounts.toml", &format!("{a}{DPIA_DONE}")),
        ("activities/clinic.toml", &format!("{a}{DPIA_DONE}")),
        ("categories.toml", &format!("{CATEGORIES}{HEALTH}")),
    ]);
    let d = only(&all, "dpo-likely-required");
    assert_eq!(d.len(), 1, "one warning naming every activity: {all:?}");
    assert_eq!(d[0].3, "organisation.toml");
    assert_eq!(d[0].2, "name");
    assert!(d[0].1.contains("`accounts`, `clinic`"), "{}", d[0].1);
    assert!(d[0].1.contains("large scale"), "{}", d[0].1);
}

#[test]
fn dpia_missing_points_at_required_false_or_the_first_key() {
    let adm = act(None, None, None, ADM);
    let all = diags(&[("activities/accounts.toml", &adm)]);
    let d = only(&all, "dpia-missing");
    assert_eq!(d.len(), 1, "{all:?}");
    assert_eq!(d[0].2, "automated_decision_making");
    assert!(d[0].1.contains("automated decisions"), "{}", d[0].1);
    let all = diags(&[(
        "activities/accounts.toml",
        &format!("{adm}\n[dpia]\nrequired = false\n"),
    )]);
    let d = only(&all, "dpia-missing");
    assert_eq!(d.len(), 1, "{all:?}");
    assert_eq!(d[0].2, "false");
}

#[test]
fn child_consent_age_names_the_country_and_the_age() {
    let a = act(Some("[\"consent\"]"), Some("[\"pupils\"]"), None, "");
    let all = diags(&[
        ("activities/accounts.toml", &a),
        ("categories.toml", &pupils(14)),
        ("organisation.toml", &ORG.replace("\"SE\"", "\"FR\"")),
    ]);
    let d = only(&all, "child-consent-age");
    assert_eq!(d.len(), 1, "{all:?}");
    assert_eq!(d[0].2, "\"consent\"");
    assert!(
        d[0].1.contains("from age 14, younger than 15") && d[0].1.contains("(FR)"),
        "{}",
        d[0].1
    );
    // 14 is old enough in Austria.
    let all = diags(&[
        ("activities/accounts.toml", &a),
        ("categories.toml", &pupils(14)),
        ("organisation.toml", &ORG.replace("\"SE\"", "\"AT\"")),
    ]);
    assert!(only(&all, "child-consent-age").is_empty(), "{all:?}");
    let all = diags(&[
        ("activities/accounts.toml", &a),
        ("categories.toml", &pupils(15)),
        ("organisation.toml", &ORG.replace("\"SE\"", "\"GB\"")),
    ]);
    let d = only(&all, "child-consent-age");
    assert!(
        d[0].1.contains("younger than 16") && d[0].1.contains("outside the EEA"),
        "{}",
        d[0].1
    );
}

#[test]
fn no_organisation_file_does_not_crash_or_guess() {
    let a = act(
        Some("[\"consent\"]"),
        Some("[\"pupils\"]"),
        Some("[\"contact\", \"health\"]"),
        "large_scale = true\nspecial_category_condition = \"explicit-consent\"",
    );
    let all = diags(&[
        ("activities/accounts.toml", &format!("{a}{DPIA_DONE}")),
        ("categories.toml", &format!("{}{HEALTH}", pupils(10))),
        ("organisation.toml", ""),
    ]);
    let codes: Vec<&str> = all.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(
        codes,
        ["schema"],
        "only the missing organisation.toml: {all:?}"
    );
}

#[test]
fn processor_activity_keeps_its_values_checked() {
    let a = act(Some("[\"legitimate-interest\"]"), None, None, PROCESSOR);
    let all = diags(&[("activities/accounts.toml", &a)]);
    let codes: Vec<&str> = all.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(codes, ["schema"], "{all:?}");
}

#[test]
fn consent_employees_is_one_warning_at_consent_when_both_are_given() {
    let a = act(
        Some("[\"consent\"]"),
        Some("[\"staff\"]"),
        Some("[\"contact\", \"health\"]"),
        "special_category_condition = \"explicit-consent\"",
    );
    let cats = format!("{CATEGORIES}{STAFF}{HEALTH}");
    let all = diags(&[("activities/accounts.toml", &a), ("categories.toml", &cats)]);
    let d = only(&all, "consent-employees");
    assert_eq!(d.len(), 1, "one rule, one warning: {all:?}");
    assert_eq!(d[0].2, "\"consent\"");
    assert!(d[0].1.contains("`explicit-consent`"), "{}", d[0].1);
}

#[test]
fn employment_condition_accepts_a_collective_agreement() {
    let a = act(
        None,
        Some("[\"staff\"]"),
        Some("[\"contact\", \"health\"]"),
        "special_category_condition = \"employment\"",
    );
    let cats = format!("{CATEGORIES}{STAFF}{HEALTH}");
    let all = diags(&[("activities/accounts.toml", &a), ("categories.toml", &cats)]);
    let d = only(&all, "legal-provision-missing");
    assert_eq!(d.len(), 1, "{all:?}");
    assert_eq!(d[0].2, "\"employment\"");
    // Art. 9(2)(b): "authorised by Union or Member State law or a
    // collective agreement pursuant to Member State law".
    assert!(d[0].1.contains("collective agreement"), "{}", d[0].1);
}

#[test]
fn representative_missing_help_gives_the_whole_art_27_2_a_exception() {
    let org = ORG.replace("\"SE\"", "\"US\"");
    let d = super::tests::diagnostics_at(&[("organisation.toml", &org)], as_of());
    let help = d
        .iter()
        .find(|d| d.code.as_str() == "representative-missing")
        .and_then(|d| d.help.clone())
        .expect("fires, with help");
    // Occasional alone is not enough: no large-scale special or criminal
    // data, and unlikely to result in a risk.
    assert!(help.contains("Art. 27(2)(a)"), "{help}");
    assert!(help.contains("special category or criminal"), "{help}");
}
