//! The engine's judgements of what changed, on values (no repository):
//! how two sides of a step compare, and how the sub-processor set follows.

use super::*;

fn entity(kind: Kind, id: &str) -> Entity {
    Entity {
        kind,
        id: id.to_string(),
    }
}

fn activity(id: &str) -> Entity {
    entity(Kind::Entry(EntryKind::Activity), id)
}

fn processor(id: &str) -> Entity {
    entity(Kind::Entry(EntryKind::Processor), id)
}

fn side(read: &[(Entity, Value)], unreadable: &[Entity]) -> Side {
    Side {
        read: read.iter().cloned().collect(),
        unreadable: unreadable.iter().cloned().collect(),
        unknown: BTreeSet::new(),
    }
}

fn whats(c: &[Compared]) -> Vec<(String, What)> {
    c.iter()
        .map(|c| (c.item.entity.id.clone(), c.item.what.clone()))
        .collect()
}

#[test]
fn a_reference_list_change_is_words_and_other_fields_are_diff_lines() {
    let old = serde_json::json!({"name": "Payroll", "processors": ["sentry", "stripe"], "retention": [{"period": "P1Y"}]});
    let new = serde_json::json!({"name": "Payroll", "processors": ["stripe", "mollie"], "retention": [{"period": "P2Y"}]});
    let c = compare_sides(
        &side(&[(activity("payroll"), old)], &[]),
        &side(&[(activity("payroll"), new)], &[]),
    );
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].item.label.as_deref(), Some("Payroll"));
    let What::Changed(lines) = &c[0].item.what else {
        panic!("not a change: {:?}", c[0].item.what)
    };
    assert!(lines.contains(&Line::Reference {
        noun: "processor",
        id: "sentry".into(),
        added: false
    }));
    assert!(lines.contains(&Line::Reference {
        noun: "processor",
        id: "mollie".into(),
        added: true
    }));
    assert!(
        lines.contains(&Line::Field(vec![
            "retention[0].period: P1Y → P2Y".to_string()
        ])),
        "{lines:?}"
    );
}

#[test]
fn the_same_values_in_a_changed_file_are_no_change() {
    let v = serde_json::json!({"name": "Payroll"});
    let c = compare_sides(
        &side(&[(activity("payroll"), v.clone())], &[]),
        &side(&[(activity("payroll"), v)], &[]),
    );
    assert!(c.is_empty());
    // Written empty on one side, left out on the other: nothing recorded changed.
    let c = compare_sides(
        &side(
            &[(
                activity("payroll"),
                serde_json::json!({"name": "P", "systems": []}),
            )],
            &[],
        ),
        &side(
            &[(activity("payroll"), serde_json::json!({"name": "P"}))],
            &[],
        ),
    );
    assert!(c.is_empty(), "{:?}", whats(&c));
}

#[test]
fn added_removed_and_unreadable_sides() {
    let v = serde_json::json!({"name": "X"});
    let c = compare_sides(
        &side(
            &[
                (activity("gone"), v.clone()),
                (activity("broken"), v.clone()),
            ],
            &[activity("fixed")],
        ),
        &side(
            &[(activity("new"), v.clone()), (activity("fixed"), v)],
            &[activity("broken")],
        ),
    );
    assert_eq!(
        whats(&c),
        vec![
            ("broken".to_string(), What::Unreadable),
            ("fixed".to_string(), What::Unreadable),
            ("gone".to_string(), What::Removed),
            ("new".to_string(), What::Added),
        ]
    );
    // A file that is unreadable on its only side: added or removed still.
    let c = compare_sides(&side(&[], &[]), &side(&[], &[activity("a")]));
    assert_eq!(whats(&c), vec![("a".to_string(), What::Added)]);
    let c = compare_sides(&side(&[], &[activity("a")]), &side(&[], &[]));
    assert_eq!(whats(&c), vec![("a".to_string(), What::Removed)]);
}

fn apply(engaged: &mut Engaged, e: Entity, what: What, v: Option<Value>) {
    let facts = v.as_ref().and_then(|v| facts(&e, v));
    engaged.apply(
        &Item {
            entity: e,
            label: None,
            what,
        },
        facts,
    );
}

#[test]
fn sub_processors_follow_processor_activities_and_their_chains() {
    let mut e = Engaged::default();
    // A controller activity's processors are not sub-processors.
    apply(
        &mut e,
        activity("hr"),
        What::Added,
        Some(serde_json::json!({"processors": ["payroll-co"]})),
    );
    assert_eq!(e.settle(), vec![]);
    apply(
        &mut e,
        activity("service"),
        What::Added,
        Some(serde_json::json!({"role": "processor", "processors": ["cloud"]})),
    );
    assert_eq!(e.settle(), vec![("cloud".to_string(), true)]);
    // A chained sub-processor joins through its processor's file.
    apply(
        &mut e,
        processor("cloud"),
        What::Changed(vec![]),
        Some(serde_json::json!({"sub_processors": ["dc-ops"]})),
    );
    assert_eq!(e.settle(), vec![("dc-ops".to_string(), true)]);
    // Nothing changed since: no events.
    assert_eq!(e.settle(), vec![]);
    // The activity becomes a controller activity: both leave.
    apply(
        &mut e,
        activity("service"),
        What::Changed(vec![]),
        Some(serde_json::json!({"processors": ["cloud"]})),
    );
    assert_eq!(
        e.settle(),
        vec![("cloud".to_string(), false), ("dc-ops".to_string(), false)]
    );
    // A processor activity removed takes its processors with it; an
    // unreadable version changes nothing.
    apply(
        &mut e,
        activity("service"),
        What::Changed(vec![]),
        Some(serde_json::json!({"role": "processor", "processors": ["cloud"]})),
    );
    assert_eq!(e.settle().len(), 2);
    apply(&mut e, activity("service"), What::Unreadable, None);
    assert_eq!(e.settle(), vec![]);
    apply(&mut e, activity("service"), What::Removed, None);
    assert_eq!(
        e.settle(),
        vec![("cloud".to_string(), false), ("dc-ops".to_string(), false)]
    );
}

#[test]
fn a_chain_that_loops_ends() {
    let mut e = Engaged::default();
    apply(
        &mut e,
        processor("a"),
        What::Added,
        Some(serde_json::json!({"sub_processors": ["b"]})),
    );
    apply(
        &mut e,
        processor("b"),
        What::Added,
        Some(serde_json::json!({"sub_processors": ["a"]})),
    );
    apply(
        &mut e,
        activity("s"),
        What::Added,
        Some(serde_json::json!({"role": "processor", "processors": ["a"]})),
    );
    assert_eq!(
        e.settle(),
        vec![("a".to_string(), true), ("b".to_string(), true)]
    );
}

#[test]
fn categories_and_measures_are_entities_by_key() {
    let text = "[data_subjects.staff]\nname = \"Staff\"\n[data_categories.pay]\nname = \"Pay\"\n";
    let got = entities(FileKind::Categories, "categories", text).unwrap();
    let keys: Vec<(Kind, &str)> = got.keys().map(|e| (e.kind, e.id.as_str())).collect();
    assert_eq!(
        keys,
        vec![(Kind::DataSubjects, "staff"), (Kind::DataCategories, "pay")]
    );
    let got = entities(
        FileKind::Measures,
        "measures",
        "[measures.tls]\nname = \"TLS\"\n",
    )
    .unwrap();
    assert!(got.contains_key(&entity(Kind::Measures, "tls")));
    assert!(entities(FileKind::Measures, "measures", "[measures").is_none());
    // Dates are compared as the text TOML writes.
    let got = entities(
        FileKind::Entry(EntryKind::Activity),
        "a",
        "[review]\nlast_reviewed = 2026-03-01\n",
    )
    .unwrap();
    assert_eq!(
        got[&activity("a")]["review"]["last_reviewed"],
        Value::String("2026-03-01".into())
    );
}

#[test]
fn a_catalogue_that_does_not_parse_changes_none_of_its_entries() {
    let text = "[measures.tls]\nname = \"TLS\"\n";
    let mut old = Side::default();
    old.add(FileVersion::of(
        FileKind::Measures,
        "measures",
        Some(text.into()),
    ));
    let mut broken = Side::default();
    broken.add(FileVersion::of(
        FileKind::Measures,
        "measures",
        Some("[measures".into()),
    ));
    assert!(compare_sides(&old, &broken).is_empty());
    assert!(compare_sides(&broken, &old).is_empty());
    // An entry file that does not parse is still its entry, unreadable.
    let mut entry = Side::default();
    entry.add(FileVersion::of(
        FileKind::Entry(EntryKind::Activity),
        "payroll",
        Some("name = [".into()),
    ));
    assert_eq!(
        whats(&compare_sides(&Side::default(), &entry)),
        vec![("payroll".to_string(), What::Added)]
    );
}

#[test]
fn a_huge_value_is_shown_shortened() {
    let old = serde_json::json!({"name": "P", "note": "a".repeat(1 << 20)});
    let new = serde_json::json!({"name": "P", "note": "b".repeat(1 << 20)});
    let many_old = serde_json::json!({"name": "P", "description": (0..500).map(|i| format!("line {i}\n")).collect::<String>()});
    let many_new = serde_json::json!({"name": "P", "description": (0..500).map(|i| format!("other {i}\n")).collect::<String>()});
    for (x, y) in [(old, new), (many_old, many_new)] {
        let c = compare_sides(
            &side(&[(activity("p"), x)], &[]),
            &side(&[(activity("p"), y)], &[]),
        );
        let What::Changed(lines) = &c[0].item.what else {
            panic!("not a change")
        };
        let Line::Field(shown) = &lines[0] else {
            panic!("not a field")
        };
        assert!(shown.len() <= MAX_LINES_SHOWN + 1, "{}", shown.len());
        assert!(
            shown
                .iter()
                .all(|l| l.chars().count() <= MAX_LINE_CHARS + 1),
            "a line of {} characters",
            shown.iter().map(|l| l.chars().count()).max().unwrap_or(0)
        );
    }
}
