//! The registry's vocabulary, said once: the kinds of entry that live one
//! file per entry, the kinds of thing an id can name, and for each entry
//! type the fields that name other entries.
//!
//! Every stage that needs a kind (the loader's folders, `ropa new`, the
//! dangling and unused rules, the back-links, the diff) reads these.

use super::{Activity, List, Processor, Sp, Transfer};

/// The kinds of entry that live one file per entry, in their own folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    Activity,
    Processor,
    Recipient,
    Transfer,
    Safeguard,
}

impl EntryKind {
    /// In the contract's order.
    pub const ALL: [EntryKind; 5] = [
        EntryKind::Activity,
        EntryKind::Processor,
        EntryKind::Recipient,
        EntryKind::Transfer,
        EntryKind::Safeguard,
    ];

    /// The registry folder of this kind (and the site's folder of its pages).
    pub fn folder(self) -> &'static str {
        match self {
            EntryKind::Activity => "activities",
            EntryKind::Processor => "processors",
            EntryKind::Recipient => "recipients",
            EntryKind::Transfer => "transfers",
            EntryKind::Safeguard => "safeguards",
        }
    }

    /// What one entry of this kind is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            EntryKind::Activity => "activity",
            EntryKind::Processor => "processor",
            EntryKind::Recipient => "recipient",
            EntryKind::Transfer => "transfer",
            EntryKind::Safeguard => "safeguard",
        }
    }

    /// A line that says what the kind is, for `ropa new --help`.
    pub fn describe(self) -> &'static str {
        match self {
            EntryKind::Activity => "A processing activity (activities/)",
            EntryKind::Processor => "A processor (processors/)",
            EntryKind::Recipient => "A recipient that is not a processor (recipients/)",
            EntryKind::Transfer => "An international transfer (transfers/)",
            EntryKind::Safeguard => "A transfer instrument: SCCs, BCRs... (safeguards/)",
        }
    }

    pub fn from_folder(folder: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.folder() == folder)
    }

    pub fn from_noun(noun: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.noun() == noun)
    }

    /// The fields of this kind that name other entries (empty for kinds
    /// that name none).
    pub fn references(self) -> Vec<RefField> {
        fn fields<E>(table: &[RefDecl<E>]) -> Vec<RefField> {
            table.iter().map(|d| d.field).collect()
        }
        match self {
            EntryKind::Activity => fields(Activity::REFERENCES),
            EntryKind::Processor => fields(Processor::REFERENCES),
            EntryKind::Transfer => fields(Transfer::REFERENCES),
            EntryKind::Recipient | EntryKind::Safeguard => Vec::new(),
        }
    }
}

/// An entry of the registry: its kind and id (the file name).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryRef {
    pub kind: EntryKind,
    pub id: String,
}

/// What an id in a reference field names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefKind {
    DataSubject,
    DataCategory,
    Processor,
    Recipient,
    Transfer,
    Safeguard,
    Measure,
    /// A processor or a recipient (a transfer's `to`).
    Party,
}

impl RefKind {
    /// What the named thing is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            RefKind::DataSubject => "data subject",
            RefKind::DataCategory => "data category",
            RefKind::Processor => "processor",
            RefKind::Recipient => "recipient",
            RefKind::Transfer => "transfer",
            RefKind::Safeguard => "safeguard",
            RefKind::Measure => "measure",
            RefKind::Party => "processor or recipient",
        }
    }

    /// Where a new one would go: `<id>` stands for its id.
    pub fn home(self) -> &'static str {
        match self {
            RefKind::DataSubject => "categories.toml under [data_subjects]",
            RefKind::DataCategory => "categories.toml under [data_categories]",
            RefKind::Processor => "processors/<id>.toml",
            RefKind::Recipient => "recipients/<id>.toml",
            RefKind::Transfer => "transfers/<id>.toml",
            RefKind::Safeguard => "safeguards/<id>.toml",
            RefKind::Measure => "measures.toml",
            RefKind::Party => "processors/<id>.toml or recipients/<id>.toml",
        }
    }

    /// The kinds an id of this kind may name: a party is either.
    pub fn targets(self) -> &'static [RefKind] {
        match self {
            RefKind::Party => &[RefKind::Processor, RefKind::Recipient],
            RefKind::DataSubject => &[RefKind::DataSubject],
            RefKind::DataCategory => &[RefKind::DataCategory],
            RefKind::Processor => &[RefKind::Processor],
            RefKind::Recipient => &[RefKind::Recipient],
            RefKind::Transfer => &[RefKind::Transfer],
            RefKind::Safeguard => &[RefKind::Safeguard],
            RefKind::Measure => &[RefKind::Measure],
        }
    }
}

/// A field that names other entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefField {
    /// The key, as written in the file.
    pub key: &'static str,
    pub kind: RefKind,
    /// The array of tables the key sits in (`retention` for
    /// `[[retention]] data_categories`), or `None` at the top of the file.
    pub within: Option<&'static str>,
}

/// One id named by an entry, with where it is written.
#[derive(Clone, Copy, Debug)]
pub struct Reference<'a> {
    pub field: RefField,
    pub id: &'a Sp<String>,
}

/// The declaration of one reference field of entry type `E`: the field and
/// how to read its ids from a decoded entry.
pub struct RefDecl<E> {
    pub field: RefField,
    pub ids: for<'e> fn(&'e E, &mut dyn FnMut(&'e Sp<String>)),
}

const fn top(key: &'static str, kind: RefKind) -> RefField {
    RefField {
        key,
        kind,
        within: None,
    }
}

fn each<'e>(list: &'e Option<List<String>>, f: &mut dyn FnMut(&'e Sp<String>)) {
    for id in list.iter().flat_map(|l| l.value.iter()) {
        f(id);
    }
}

impl Activity {
    pub const REFERENCES: &'static [RefDecl<Activity>] = &[
        RefDecl {
            field: top("data_subjects", RefKind::DataSubject),
            ids: |a, f| a.data_subjects.value.iter().for_each(f),
        },
        RefDecl {
            field: top("data_categories", RefKind::DataCategory),
            ids: |a, f| a.data_categories.value.iter().for_each(f),
        },
        RefDecl {
            field: top("processors", RefKind::Processor),
            ids: |a, f| each(&a.processors, f),
        },
        RefDecl {
            field: top("recipients", RefKind::Recipient),
            ids: |a, f| each(&a.recipients, f),
        },
        RefDecl {
            field: top("transfers", RefKind::Transfer),
            ids: |a, f| each(&a.transfers, f),
        },
        RefDecl {
            field: top("measures", RefKind::Measure),
            ids: |a, f| each(&a.measures, f),
        },
        RefDecl {
            field: RefField {
                key: "data_categories",
                kind: RefKind::DataCategory,
                within: Some("retention"),
            },
            ids: |a, f| {
                for r in &a.retention {
                    each(&r.data_categories, f);
                }
            },
        },
    ];
}

impl Processor {
    pub const REFERENCES: &'static [RefDecl<Processor>] = &[RefDecl {
        field: top("sub_processors", RefKind::Processor),
        ids: |p, f| each(&p.sub_processors, f),
    }];
}

impl Transfer {
    pub const REFERENCES: &'static [RefDecl<Transfer>] = &[
        RefDecl {
            field: top("to", RefKind::Party),
            ids: |t, f| f(&t.to),
        },
        RefDecl {
            field: top("via", RefKind::Processor),
            ids: |t, f| {
                if let Some(v) = &t.via {
                    f(v)
                }
            },
        },
        RefDecl {
            field: top("safeguard", RefKind::Safeguard),
            ids: |t, f| {
                if let Some(s) = &t.safeguard {
                    f(s)
                }
            },
        },
        RefDecl {
            field: top("data_categories", RefKind::DataCategory),
            ids: |t, f| each(&t.data_categories, f),
        },
        RefDecl {
            field: top("supplementary_measures", RefKind::Measure),
            ids: |t, f| each(&t.supplementary_measures, f),
        },
    ];
}

/// Every reference of `entry`, in the declaration's order.
pub fn references<'e, E>(table: &'static [RefDecl<E>], entry: &'e E) -> Vec<Reference<'e>> {
    let mut out = Vec::new();
    for d in table {
        (d.ids)(entry, &mut |id| out.push(Reference { field: d.field, id }));
    }
    out
}

impl Activity {
    pub fn references(&self) -> Vec<Reference<'_>> {
        references(Activity::REFERENCES, self)
    }
}

impl Processor {
    pub fn references(&self) -> Vec<Reference<'_>> {
        references(Processor::REFERENCES, self)
    }
}

impl Transfer {
    pub fn references(&self) -> Vec<Reference<'_>> {
        references(Transfer::REFERENCES, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every declared reference key is a key of its entry's file format,
    /// so the declaration cannot drift from the model.
    #[test]
    fn declared_references_are_keys_of_the_entry() {
        fn keys<T: schemars::JsonSchema>() -> serde_json::Value {
            serde_json::to_value(schemars::schema_for!(T)).expect("a schema")
        }
        let retention = keys::<super::super::Retention>();
        for (kind, schema) in [
            (EntryKind::Activity, keys::<Activity>()),
            (EntryKind::Processor, keys::<Processor>()),
            (EntryKind::Transfer, keys::<Transfer>()),
        ] {
            assert!(!kind.references().is_empty(), "{kind:?}");
            for field in kind.references() {
                let props = match field.within {
                    None => &schema["properties"],
                    Some(within) => {
                        assert!(schema["properties"].get(within).is_some(), "{within}");
                        &retention["properties"]
                    }
                };
                assert!(
                    props.get(field.key).is_some(),
                    "{kind:?} declares `{}`, which is not one of its keys",
                    field.key
                );
            }
        }
    }

    #[test]
    fn kinds_round_trip_through_their_folder_and_noun() {
        for k in EntryKind::ALL {
            assert_eq!(EntryKind::from_folder(k.folder()), Some(k));
            assert_eq!(EntryKind::from_noun(k.noun()), Some(k));
        }
        assert_eq!(EntryKind::from_folder("activites"), None);
        assert_eq!(
            RefKind::Party.targets(),
            [RefKind::Processor, RefKind::Recipient]
        );
    }
}
