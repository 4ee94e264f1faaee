//! Reading a JSON register for `ropa diff`: is it a ropa register of a
//! schema major version this ropa reads, and what does it hold, kind by kind.
//!
//! Works on `serde_json::Value`, not on the export's Rust types, so that a
//! register of another minor version (fields added or missing) still reads.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::DiffError;
use crate::export::json::SCHEMA_VERSION;
use crate::model::EntryKind;

/// What the diff compares, in the order the report lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The entries of one kind (the register's key is the kind's folder).
    Entry(EntryKind),
    DataSubjects,
    DataCategories,
    Measures,
    Organisation,
    Adequacy,
    /// Top-level fields this ropa does not know (a newer minor version), and
    /// the fields of `controller_record`/`processor_record` besides their activities.
    Other,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Entry(EntryKind::ALL[0]),
        Kind::Entry(EntryKind::ALL[1]),
        Kind::Entry(EntryKind::ALL[2]),
        Kind::Entry(EntryKind::ALL[3]),
        Kind::Entry(EntryKind::ALL[4]),
        Kind::DataSubjects,
        Kind::DataCategories,
        Kind::Measures,
        Kind::Organisation,
        Kind::Adequacy,
        Kind::Other,
    ];

    /// The key in the JSON report.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Entry(k) => k.folder(),
            Kind::DataSubjects => "data_subjects",
            Kind::DataCategories => "data_categories",
            Kind::Measures => "measures",
            Kind::Organisation => "organisation",
            Kind::Adequacy => "adequacy",
            Kind::Other => "other",
        }
    }

    /// The heading in the human report.
    pub fn title(self) -> &'static str {
        match self {
            Kind::DataSubjects => "data subjects",
            Kind::DataCategories => "data categories",
            Kind::Adequacy => "adequacy list",
            Kind::Other => "other fields",
            k => k.key(),
        }
    }

    /// The singular and plural of one entity of this kind.
    fn nouns(self) -> (&'static str, &'static str) {
        match self {
            Kind::Entry(k) => (k.noun(), k.folder()),
            Kind::DataSubjects => ("data subject", "data subjects"),
            Kind::DataCategories => ("data category", "data categories"),
            Kind::Measures => ("measure", "measures"),
            Kind::Organisation => ("organisation", "organisations"),
            Kind::Adequacy => ("adequacy list", "adequacy lists"),
            Kind::Other => ("other field", "other fields"),
        }
    }

    /// "1 activity", "2 activities", for the summary line; at most one
    /// organisation and adequacy list, so those without a count.
    pub fn count(self, n: usize) -> String {
        let (one, many) = self.nouns();
        match self {
            Kind::Organisation | Kind::Adequacy => one.to_string(),
            _ => format!("{n} {}", if n == 1 { one } else { many }),
        }
    }
}

/// Top-level fields that describe the file rather than the record: reported
/// in the report's header, never a difference in content.
pub const HEADER: [&str; 4] = ["$schema", "schema_version", "generator", "as_of"];

/// The arrays of entities keyed by `id` (their register key is
/// [`Kind::key`]); activities sit in the two records instead.
const LISTS: [Kind; 7] = [
    Kind::Entry(EntryKind::Processor),
    Kind::Entry(EntryKind::Recipient),
    Kind::Entry(EntryKind::Transfer),
    Kind::Entry(EntryKind::Safeguard),
    Kind::DataSubjects,
    Kind::DataCategories,
    Kind::Measures,
];

const RECORDS: [&str; 2] = ["controller_record", "processor_record"];

/// One entity of a register: where it is in the file's text, and what of it
/// the diff compares ([`project`]), written out as JSON. Two entities whose
/// written projections are the same have nothing to report; only the others
/// are parsed again and compared field by field. Memory is the two texts and
/// these projections, not a tree of each register (about a hundred bytes per
/// JSON value).
pub struct Entry<'a> {
    src: Src<'a>,
    /// The projection, written out.
    pub canon: String,
}

enum Src<'a> {
    Raw(&'a RawValue),
    /// What the records hold besides their activities (a few fields).
    Owned(Value),
}

impl<'a> Entry<'a> {
    fn new(kind: Kind, src: Src<'a>, value: &Value) -> Entry<'a> {
        Entry {
            src,
            canon: canon(kind, value),
        }
    }

    /// The entity, parsed again.
    pub fn value(&self, file: &str) -> Result<Value, DiffError> {
        match &self.src {
            Src::Raw(raw) => parse(file, raw.get()),
            Src::Owned(v) => Ok(v.clone()),
        }
    }
}

/// An entity's projection, written out.
fn canon(kind: Kind, value: &Value) -> String {
    serde_json::to_string(&*project(kind, value)).unwrap_or_default()
}

/// A register, read and split by kind.
pub struct Loaded<'a> {
    /// The header fields.
    pub root: Map<String, Value>,
    /// For each kind, its entities by id.
    pub items: BTreeMap<Kind, BTreeMap<String, Entry<'a>>>,
}

/// The MAJOR of a semver version `MAJOR.MINOR.PATCH[-pre][+build]`.
fn semver_major(v: &str) -> Option<u64> {
    let core = v.split('+').next()?.split('-').next()?;
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    parts[0].parse().ok()
}

/// JSON values one register may hold, at most: the register of 10,000
/// activities holds about 2.9 million. The parsed tree takes about a hundred
/// bytes per value whatever the text, so a file of empty arrays (three bytes
/// per value) is refused before it is parsed, and the diff of two registers
/// stays within 1 GB.
pub const MAX_VALUES: usize = 3_500_000;

/// The number of JSON values in `text` (keys not counted), or `None` as soon
/// as there are more than `limit`. Exact for valid JSON; for anything else
/// an estimate (the parser then says what is wrong).
fn count_values(text: &str, limit: usize) -> Option<usize> {
    let b = text.as_bytes();
    let (mut i, mut n, mut in_scalar) = (0, 0usize, false);
    while i < b.len() {
        match b[i] {
            b'"' => {
                n += 1;
                in_scalar = false;
                i += 1;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
            }
            b'[' | b'{' => {
                n += 1;
                in_scalar = false;
            }
            // The string before it was a key.
            b':' => {
                n = n.saturating_sub(1);
                in_scalar = false;
            }
            b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t' => in_scalar = false,
            _ if !in_scalar => {
                n += 1;
                in_scalar = true;
            }
            _ => {}
        }
        if n > limit {
            return None;
        }
        i += 1;
    }
    Some(n)
}

/// An object's members in the order of the text, with their values unparsed.
/// A key may occur twice; as in `serde_json::Value`, the last value counts.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(kv) = m.next_entry::<String, &'de RawValue>()? {
                    out.push(kv);
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'a> Members<'a> {
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

/// Reads a JSON document as `serde_json::Value` would, building nothing:
/// the same errors (syntax, numbers out of range, nesting too deep), at
/// the same places.
struct Check;

impl<'de> Deserialize<'de> for Check {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Check;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Check, E> {
                Ok(Check)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Check, E> {
                Ok(Check)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Check, E> {
                Ok(Check)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Check, E> {
                Ok(Check)
            }
            fn visit_str<E>(self, _: &str) -> Result<Check, E> {
                Ok(Check)
            }
            fn visit_unit<E>(self) -> Result<Check, E> {
                Ok(Check)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<Check, A::Error> {
                while s.next_element::<Check>()?.is_some() {}
                Ok(Check)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Check, A::Error> {
                while m.next_entry::<Check, Check>()?.is_some() {}
                Ok(Check)
            }
        }
        d.deserialize_any(V)
    }
}

fn not_json(file: &str, e: serde_json::Error) -> DiffError {
    DiffError::NotARegister(format!(
        "`{file}` is not JSON ({e}); a ropa register is the output of `ropa export --format json`"
    ))
}

/// Parses a part of a text that [`Check`] read without error.
fn parse<'a, T: Deserialize<'a>>(file: &str, text: &'a str) -> Result<T, DiffError> {
    serde_json::from_str(text).map_err(|e| not_json(file, e))
}

/// The JSON type of an unparsed value, by its first character.
fn raw_type(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

fn is_null(raw: &RawValue) -> bool {
    raw.get() == "null"
}

/// Parses `text` (the contents of `file`) and checks it is a ropa register
/// this ropa reads. The entities borrow from `text`.
pub fn load<'a>(file: &str, text: &'a str) -> Result<Loaded<'a>, DiffError> {
    if count_values(text, MAX_VALUES).is_none() {
        return Err(DiffError::NotARegister(format!(
            "`{file}` holds more than {MAX_VALUES} JSON values; `ropa diff` reads registers of up to that many (the register of 10,000 activities holds about 3 million): is it the right file?"
        )));
    }
    serde_json::from_str::<Check>(text).map_err(|e| not_json(file, e))?;
    let top: &RawValue = parse(file, text)?;
    if raw_type(top) != "an object" {
        return Err(DiffError::NotARegister(format!(
            "`{file}` is not a ropa register (the JSON is {}, not an object)",
            raw_type(top)
        )));
    }
    let root: Members<'a> = parse(file, top.get())?;
    let version = match root.get("schema_version") {
        None => {
            return Err(DiffError::NotARegister(format!(
                "`{file}` is not a ropa register (no schema_version)"
            )));
        }
        Some(v) if is_null(v) => {
            return Err(DiffError::NotARegister(format!(
                "`{file}` is not a ropa register (no schema_version)"
            )));
        }
        Some(v) if raw_type(v) == "a string" => parse::<String>(file, v.get())?,
        Some(v) => {
            return Err(DiffError::NotARegister(format!(
                "`{file}` is not a ropa register (schema_version is {}, not a string)",
                raw_type(v)
            )));
        }
    };
    let generator: Option<Value> = match root.get("generator") {
        Some(g) => Some(parse(file, g.get())?),
        None => None,
    };
    match generator.as_ref().and_then(|g| g.get("name")) {
        Some(Value::String(name)) if name == "ropa" => {}
        Some(Value::String(name)) => {
            return Err(DiffError::NotARegister(format!(
                "`{file}` is not a ropa register (generator.name is `{name}`, not `ropa`)"
            )));
        }
        _ => {
            return Err(DiffError::NotARegister(format!(
                "`{file}` is not a ropa register (no generator.name)"
            )));
        }
    }
    let ours = semver_major(SCHEMA_VERSION).unwrap_or(1);
    match semver_major(&version) {
        None => {
            return Err(DiffError::UnsupportedVersion(format!(
                "`{file}` has schema_version `{version}`, which is not a semver version (MAJOR.MINOR.PATCH)"
            )));
        }
        Some(major) if major != ours => {
            return Err(DiffError::UnsupportedVersion(format!(
                "`{file}` has schema_version {version}; this ropa reads {ours}.x"
            )));
        }
        Some(_) => {}
    }

    let malformed = |what: String| {
        DiffError::Malformed(format!("`{file}` is not a valid ropa register: {what}"))
    };
    let mut items: BTreeMap<Kind, BTreeMap<String, Entry<'a>>> =
        Kind::ALL.iter().map(|k| (*k, BTreeMap::new())).collect();

    // Entities keyed by id: activities (from both records) and the lists.
    // Each is parsed on its own, its projection written out, and its tree
    // dropped: at most one entity's tree at a time.
    let mut add_list =
        |kind: Kind, path: &str, list: Option<&'a RawValue>| -> Result<(), DiffError> {
            let list: Vec<&'a RawValue> = match list {
                None => return Ok(()),
                Some(l) if is_null(l) => return Ok(()),
                Some(l) if raw_type(l) == "an array" => parse(file, l.get())?,
                Some(v) => {
                    return Err(malformed(format!(
                        "`{path}` is {}, not an array",
                        raw_type(v)
                    )));
                }
            };
            let map = items.entry(kind).or_default();
            for (i, raw) in list.into_iter().enumerate() {
                let e: Value = parse(file, raw.get())?;
                let Some(id) = e
                    .get("id")
                    .and_then(Value::as_str)
                    .filter(|_| e.is_object())
                else {
                    return Err(malformed(format!(
                        "{path}[{i}] is not an object with a string `id`"
                    )));
                };
                let id = id.to_string();
                if map.contains_key(&id) {
                    return Err(malformed(format!(
                        "two {} have the id `{id}`",
                        kind.nouns().1
                    )));
                }
                map.insert(id, Entry::new(kind, Src::Raw(raw), &e));
            }
            Ok(())
        };
    // What the records hold besides their activities.
    let mut rests: Vec<(&str, Map<String, Value>)> = Vec::new();
    for record in RECORDS {
        match root.get(record) {
            None => {}
            Some(r) if is_null(r) => {}
            Some(r) if raw_type(r) == "an object" => {
                let members: Members<'a> = parse(file, r.get())?;
                add_list(
                    Kind::Entry(EntryKind::Activity),
                    &format!("{record}.activities"),
                    members.get("activities"),
                )?;
                let mut rest = Map::new();
                for (k, v) in members.0 {
                    if k != "activities" {
                        rest.insert(k, parse(file, v.get())?);
                    }
                }
                rests.push((record, rest));
            }
            Some(v) => {
                return Err(malformed(format!(
                    "`{record}` is {}, not an object",
                    raw_type(v)
                )));
            }
        }
    }
    for kind in LISTS {
        add_list(kind, kind.key(), root.get(kind.key()))?;
    }

    // The two single objects.
    for (key, kind) in [
        ("organisation", Kind::Organisation),
        ("adequacy", Kind::Adequacy),
    ] {
        match root.get(key) {
            None => {}
            Some(v) if is_null(v) => {}
            Some(raw) if raw_type(raw) == "an object" => {
                let v: Value = parse(file, raw.get())?;
                items
                    .entry(kind)
                    .or_default()
                    .insert(key.to_string(), Entry::new(kind, Src::Raw(raw), &v));
            }
            Some(v) => {
                return Err(malformed(format!(
                    "`{key}` is {}, not an object",
                    raw_type(v)
                )));
            }
        }
    }

    // Everything else: unknown top-level fields, and what the records hold
    // besides their activities (their `article`).
    // `international_organisations` is derived from the recipients, the
    // transfers and the adequacy list: a change there is reported with
    // them, not a second time as an other field.
    let taken = |key: &str| {
        LISTS.iter().any(|k| k.key() == key)
            || matches!(
                key,
                "organisation" | "adequacy" | "international_organisations"
            )
    };
    let other = items.entry(Kind::Other).or_default();
    let mut header = Map::new();
    for (key, raw) in root.0 {
        if HEADER.contains(&key.as_str()) {
            header.insert(key, parse(file, raw.get())?);
        } else if !RECORDS.contains(&key.as_str()) && !taken(&key) {
            let v: Value = parse(file, raw.get())?;
            let entry = Entry::new(Kind::Other, Src::Raw(raw), &v);
            other.insert(key, entry);
        }
    }
    for (record, rest) in rests {
        if !rest.is_empty() {
            let v = Value::Object(rest);
            let canon = canon(Kind::Other, &v);
            other.insert(
                record.to_string(),
                Entry {
                    src: Src::Owned(v),
                    canon,
                },
            );
        }
    }
    Ok(Loaded {
        root: header,
        items,
    })
}

/// Fields ropa computes from other parts of the register (back-references,
/// copies of a referenced entity's fields, judgements at `as_of`): every
/// change to them follows from a change reported where it is recorded, or
/// from `as_of`. Not compared.
fn derived(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Entry(EntryKind::Activity) => &["transfers_outside_eea"],
        Kind::Entry(EntryKind::Processor) => &[
            "sub_processor_of",
            "activities",
            "transfers",
            "onward_transfers",
        ],
        Kind::Entry(EntryKind::Recipient) => &["activities", "transfers"],
        Kind::Entry(EntryKind::Transfer) => {
            &["country_name", "adequacy", "inside_eea", "activities"]
        }
        Kind::Entry(EntryKind::Safeguard) => &["transfers"],
        Kind::DataSubjects | Kind::DataCategories => &["activities"],
        Kind::Measures => &["activities", "transfers"],
        Kind::Organisation | Kind::Adequacy | Kind::Other => &[],
    }
}

/// The fields the JSON register writes as references to other entities (an
/// object with an `id`, or an array of them): compared by id only, as
/// sets; the entity's own fields are compared in its own kind. This is the
/// register's shape, not the registry's references (a transfer's
/// `data_categories` are plain ids there, compared in order).
fn references(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Entry(EntryKind::Activity) => &[
            "data_subjects",
            "data_categories",
            "processors",
            "recipients",
            "transfers",
            "measures",
        ],
        Kind::Entry(EntryKind::Processor) => &["sub_processors"],
        Kind::Entry(EntryKind::Transfer) => &["to", "via", "safeguard"],
        _ => &[],
    }
}

fn to_id(v: &Value) -> Value {
    match v.get("id") {
        Some(id @ Value::String(_)) if v.is_object() => id.clone(),
        _ => v.clone(),
    }
}

/// What of an entity the diff compares: the entity without its derived
/// fields, with references reduced to ids.
/// Borrowed, not copied, when there is nothing to leave out.
pub fn project(kind: Kind, v: &Value) -> std::borrow::Cow<'_, Value> {
    use std::borrow::Cow;
    if derived(kind).is_empty()
        && references(kind).is_empty()
        && !matches!(kind, Kind::Entry(EntryKind::Activity) | Kind::Adequacy)
    {
        return Cow::Borrowed(v);
    }
    Cow::Owned(project_owned(kind, v))
}

fn project_owned(kind: Kind, v: &Value) -> Value {
    let mut v = v.clone();
    let Some(o) = v.as_object_mut() else {
        return v;
    };
    let drop = derived(kind);
    o.retain(|k, _| !drop.contains(&k.as_str()));
    for key in references(kind) {
        if let Some(r) = o.get_mut(*key) {
            *r = match &*r {
                Value::Array(list) => {
                    let mut ids: Vec<Value> = list.iter().map(to_id).collect();
                    if ids.iter().all(Value::is_string) {
                        ids.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                    }
                    Value::Array(ids)
                }
                other => to_id(other),
            };
        }
    }
    match kind {
        // `due` is computed from the two dates, `overdue` from `as_of`.
        Kind::Entry(EntryKind::Activity) => {
            if let Some(Value::Object(review)) = o.get_mut("review") {
                review.retain(|k, _| k != "due" && k != "overdue");
            }
        }
        // `in_force` is judged at `as_of`; `country_name` follows the code.
        Kind::Adequacy => {
            if let Some(Value::Array(decisions)) = o.get_mut("decisions") {
                for d in decisions.iter_mut().filter_map(Value::as_object_mut) {
                    d.retain(|k, _| k != "in_force" && k != "country_name");
                }
            }
        }
        _ => {}
    }
    v
}

/// A short description of an entity for the human report (its name, or for
/// a transfer its party, country and mechanism).
pub fn label(kind: Kind, v: &Value) -> Option<String> {
    let s = |key: &str| v.get(key).and_then(Value::as_str);
    match kind {
        Kind::Entry(EntryKind::Transfer) => {
            let to = v
                .get("to")
                .and_then(|t| t.get("id").or(Some(t)))
                .and_then(Value::as_str)
                .map(|t| format!("to {t}"));
            let parts: Vec<String> = [
                to,
                s("country").map(str::to_string),
                s("mechanism").map(str::to_string),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        Kind::Adequacy => match (s("origin"), s("as_of")) {
            (Some(o), Some(d)) => Some(format!("{o}, as of {d}")),
            (Some(o), None) => Some(o.to_string()),
            (None, Some(d)) => Some(format!("as of {d}")),
            (None, None) => None,
        },
        Kind::Other => None,
        _ => s("name").map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_counted_as_the_parser_sees_them() {
        for (text, n) in [
            ("{}", 1),
            ("[[], [], {}]", 4),
            (r#"{"a": 1, "b": [true, null, -2.5e3], "c": "x,\"[{"}"#, 7),
            (r#"["a:b", "c"]"#, 3),
        ] {
            assert_eq!(count_values(text, 100), Some(n), "{text}");
        }
        assert_eq!(count_values("[[],[],[]]", 3), None);
    }

    #[test]
    fn semver() {
        assert_eq!(semver_major("1.0.0"), Some(1));
        assert_eq!(semver_major("2.10.3-rc.1+build.5"), Some(2));
        assert_eq!(semver_major("1.0"), None);
        assert_eq!(semver_major("v1.0.0"), None);
        assert_eq!(semver_major(""), None);
    }
}
