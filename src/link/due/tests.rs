use super::*;
use crate::load::{Loaded, load_files};

const ADEQUACY: &str = r#"
as_of = 2026-11-01
eea = ["SE", "DE"]

[countries.GB]
decision = "(EU) 2021/1772"
adopted = 2021-06-28
expires = 2031-12-27

[countries.CH]
decision = "2000/518/EC"
adopted = 2000-07-26
expires = 2030-01-01
"#;

fn activity(owner: &str, extra: &str) -> Vec<u8> {
    format!(
        "name = \"N\"\nowner = \"{owner}\"\npurposes = [\"p\"]\nlegal_bases = [\"contract\"]\ndata_subjects = [\"s\"]\ndata_categories = [\"c\"]\n{extra}"
    )
    .into_bytes()
}

fn load(files: &[(&str, Vec<u8>)]) -> Loaded {
    let mut all = vec![("adequacy.toml".to_string(), ADEQUACY.as_bytes().to_vec())];
    all.extend(files.iter().map(|(p, b)| (p.to_string(), b.clone())));
    load_files(all)
}

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// (date, kind, overdue) of every item at `as_of`.
fn items(l: &Loaded, as_of: &str) -> Vec<(String, &'static str, bool)> {
    let adequacy = l.registry.adequacy.as_ref().unwrap();
    let r = Register::new(&l.registry, adequacy, date(as_of));
    due(&r)
        .iter()
        .map(|d| (d.date.to_string(), d.what.kind(), d.overdue))
        .collect()
}

fn one(date: &str, kind: &'static str, overdue: bool) -> Vec<(String, &'static str, bool)> {
    vec![(date.to_string(), kind, overdue)]
}

#[test]
fn a_review_falls_due_at_next_review() {
    let l = load(&[(
        "activities/a.toml",
        activity(
            "HR",
            "[review]\nlast_reviewed = 2026-01-10\nnext_review = 2026-06-30\n",
        ),
    )]);
    assert_eq!(items(&l, "2026-06-30"), one("2026-06-30", "review", false));
    assert_eq!(items(&l, "2026-07-01"), one("2026-06-30", "review", true));
}

#[test]
fn without_next_review_a_review_falls_due_12_months_after_the_last() {
    let l = load(&[(
        "activities/a.toml",
        activity("HR", "[review]\nlast_reviewed = 2024-02-29\n"),
    )]);
    // 2025 has no 29 February: the month's last day.
    assert_eq!(items(&l, "2025-01-01"), one("2025-02-28", "review", false));
    let adequacy = l.registry.adequacy.as_ref().unwrap();
    let r = Register::new(&l.registry, adequacy, date("2025-01-01"));
    assert!(matches!(
        due(&r)[0].what,
        What::Review {
            from_last_reviewed: true,
            ..
        }
    ));
}

#[test]
fn a_retired_activity_has_no_review_or_dpia_due() {
    let l = load(&[(
        "activities/a.toml",
        activity(
            "HR",
            "status = \"retired\"\n[review]\nlast_reviewed = 2020-01-01\n[dpia]\nrequired = true\n",
        ),
    )]);
    assert_eq!(items(&l, "2026-12-01"), []);
}

#[test]
fn an_outstanding_dpia_is_overdue_once_the_processing_runs() {
    let active = load(&[(
        "activities/a.toml",
        activity("HR", "[dpia]\nrequired = true\n"),
    )]);
    assert_eq!(
        items(&active, "2026-12-01"),
        one("2026-12-01", "dpia", true)
    );
    let planned = load(&[(
        "activities/a.toml",
        activity("HR", "status = \"planned\"\n[dpia]\nrequired = true\n"),
    )]);
    assert_eq!(
        items(&planned, "2026-12-01"),
        one("2026-12-01", "dpia", false)
    );
    let done = load(&[(
        "activities/a.toml",
        activity("HR", "[dpia]\nrequired = true\ncompleted = 2026-01-01\n"),
    )]);
    assert_eq!(items(&done, "2026-12-01"), []);
}

const SAFEGUARD: &str = "name = \"SCC\"\nkind = \"scc\"\nscc_modules = [2]\nsigned = 2025-01-01\nexpires = 2027-01-15\n";

fn transfer_files(users: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let mut v = vec![
        (
            "processors/host.toml".to_string(),
            b"name = \"H\"\nservice = \"s\"\ncountry = \"US\"\ndpa_signed = 2025-01-01\n".to_vec(),
        ),
        (
            "transfers/host-us.toml".to_string(),
            b"to = \"host\"\ncountry = \"US\"\nmechanism = \"scc\"\nsafeguard = \"scc-host\"\n"
                .to_vec(),
        ),
        (
            "safeguards/scc-host.toml".to_string(),
            SAFEGUARD.as_bytes().to_vec(),
        ),
    ];
    for (id, owner) in users {
        v.push((
            format!("activities/{id}.toml"),
            activity(owner, "processors = [\"host\"]\n"),
        ));
    }
    v
}

fn load_owned(files: Vec<(String, Vec<u8>)>) -> Loaded {
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(p, b)| (p.as_str(), b.clone())).collect();
    load(&refs)
}

#[test]
fn a_safeguard_falls_due_when_it_expires_and_only_while_in_use() {
    let used = load_owned(transfer_files(&[("a", "IT"), ("b", "HR"), ("c", "IT")]));
    assert_eq!(
        items(&used, "2027-01-15"),
        one("2027-01-15", "safeguard-expires", false)
    );
    assert_eq!(
        items(&used, "2027-01-16"),
        one("2027-01-15", "safeguard-expires", true)
    );
    // Owned by the owners of the activities that reach it, each once.
    let adequacy = used.registry.adequacy.as_ref().unwrap();
    let r = Register::new(&used.registry, adequacy, date("2026-12-01"));
    assert_eq!(due(&r)[0].owners, ["HR", "IT"]);
    let unused = load_owned(transfer_files(&[]));
    assert_eq!(items(&unused, "2027-01-16"), []);
}

#[test]
fn an_adequacy_decision_falls_due_only_where_data_goes() {
    let london = (
        "processors/london.toml",
        b"name = \"L\"\nservice = \"s\"\ncountry = \"GB\"\ndpa_signed = 2025-01-01\n".to_vec(),
    );
    let l = load(&[
        london.clone(),
        (
            "activities/a.toml",
            activity("HR", "processors = [\"london\"]\n"),
        ),
    ]);
    // The UK's, not Switzerland's: no data goes to CH.
    assert_eq!(
        items(&l, "2026-12-01"),
        one("2031-12-27", "adequacy-expires", false)
    );
    assert_eq!(
        items(&l, "2031-12-28"),
        one("2031-12-27", "adequacy-expires", true)
    );
    let unused = load(&[london, ("activities/a.toml", activity("HR", ""))]);
    assert_eq!(items(&unused, "2026-12-01"), []);
}

#[test]
fn an_acknowledgement_falls_due_at_until_and_accepts_its_warning_until_then() {
    let l = load(&[(
        "activities/a.toml",
        activity(
            "HR",
            "[review]\nnext_review = 2026-03-01\n\n[[acknowledged]]\ncode = \"review-overdue\"\nreason = \"r\"\nuntil = 2027-01-31\n",
        ),
    )]);
    let adequacy = l.registry.adequacy.as_ref().unwrap();
    let r = Register::new(&l.registry, adequacy, date("2026-12-01"));
    let d = due(&r);
    let kinds: Vec<_> = d
        .iter()
        .map(|d| (d.date.to_string(), d.what.kind()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("2026-03-01".to_string(), "review"),
            ("2027-01-31".to_string(), "acknowledgement-ends")
        ]
    );
    assert!(d[0].overdue && d[0].accepted.is_some() && !d[0].needs_action());
    assert!(!d[1].overdue);
    // After `until`, the review needs action again, and so does the
    // acknowledgement.
    let r = Register::new(&l.registry, adequacy, date("2027-02-01"));
    let d = due(&r);
    assert!(d[0].needs_action() && d[1].needs_action(), "{d:#?}");
}

#[test]
fn items_are_sorted_by_date_then_kind_then_entry() {
    let l = load(&[
        (
            "activities/b.toml",
            activity("HR", "[review]\nnext_review = 2026-05-01\n"),
        ),
        (
            "activities/a.toml",
            activity(
                "HR",
                "[review]\nnext_review = 2026-05-01\n[dpia]\nrequired = true\n",
            ),
        ),
        (
            "activities/c.toml",
            activity("HR", "[review]\nnext_review = 2026-04-01\n"),
        ),
    ]);
    let adequacy = l.registry.adequacy.as_ref().unwrap();
    let r = Register::new(&l.registry, adequacy, date("2026-04-15"));
    let got: Vec<_> = due(&r)
        .iter()
        .map(|d| {
            format!(
                "{} {} {}",
                d.date,
                d.what.kind(),
                d.what.entry().unwrap().id
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "2026-04-01 review c",
            "2026-04-15 dpia a",
            "2026-05-01 review a",
            "2026-05-01 review b"
        ]
    );
}

#[test]
fn groups_are_single_owners_then_shared_then_none() {
    let mut files = transfer_files(&[("a", "IT"), ("b", "HR")]);
    files.push((
        "activities/z.toml".into(),
        activity("HR", "[review]\nnext_review = 2026-05-01\n"),
    ));
    files.push((
        "activities/y.toml".into(),
        activity("", "[review]\nnext_review = 2026-02-01\n"),
    ));
    files.push((
        "activities/x.toml".into(),
        activity("Finance", "[review]\nnext_review = 2026-06-01\n"),
    ));
    let l = load_owned(files);
    let adequacy = l.registry.adequacy.as_ref().unwrap();
    let r = Register::new(&l.registry, adequacy, date("2026-04-15"));
    let items = due(&r);
    let groups: Vec<(Option<String>, Vec<&'static str>)> = by_owner(&items)
        .into_iter()
        .map(|(o, v)| (o, v.iter().map(|d| d.what.kind()).collect()))
        .collect();
    assert_eq!(
        groups,
        [
            (Some("Finance".into()), vec!["review"]),
            (Some("HR".into()), vec!["review"]),
            (Some("HR and IT".into()), vec!["safeguard-expires"]),
            (None, vec!["review"]),
        ]
    );
}
