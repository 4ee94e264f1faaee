//! Field-by-field comparison of two JSON values.
//!
//! Objects are compared key by key, in the order of the old value's keys and
//! then the new value's extra keys; arrays of objects that carry a unique `id`
//! (or, failing that, a unique `country`) are compared element by element,
//! matched by that key; other arrays of objects index by index; arrays of
//! plain values (strings, numbers, …) as a whole.

use serde_json::{Map, Value};

/// One difference: at `path`, `old` became `new`. `None` means "not there"
/// (a field or an array element that was added or removed), as opposed to
/// `Some(Value::Null)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub path: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// The keys arrays of objects are matched by, in order of preference.
const ARRAY_KEYS: &[&str] = &["id", "country"];

/// Appends the differences between `old` and `new` (found at `path`) to `out`.
pub fn diff_values(path: &str, old: &Value, new: &Value, out: &mut Vec<Change>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => diff_objects(path, a, b, out),
        (Value::Array(a), Value::Array(b)) => diff_arrays(path, a, b, out),
        _ => out.push(Change {
            path: path.to_string(),
            old: Some(old.clone()),
            new: Some(new.clone()),
        }),
    }
}

/// A field that is absent on one side and "empty" (`null`, `[]`, `{}`) on
/// the other records nothing on either side: not a difference. (A register of
/// an older minor version lacks the optional fields added since.)
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn diff_objects(path: &str, a: &Map<String, Value>, b: &Map<String, Value>, out: &mut Vec<Change>) {
    for (k, va) in a {
        let p = field(path, k);
        match b.get(k) {
            Some(vb) => diff_values(&p, va, vb, out),
            None if is_empty(va) => {}
            None => out.push(Change {
                path: p,
                old: Some(va.clone()),
                new: None,
            }),
        }
    }
    for (k, vb) in b {
        if !a.contains_key(k) && !is_empty(vb) {
            out.push(Change {
                path: field(path, k),
                old: None,
                new: Some(vb.clone()),
            });
        }
    }
}

fn field(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The key every element of `a` and of `b` is an object with a unique string
/// value for, if any.
fn array_key(a: &[Value], b: &[Value]) -> Option<&'static str> {
    ARRAY_KEYS.iter().copied().find(|key| {
        [a, b].iter().all(|side| {
            let mut seen = std::collections::BTreeSet::new();
            side.iter().all(|e| match e.get(key) {
                Some(Value::String(s)) if e.is_object() => seen.insert(s.as_str()),
                _ => false,
            })
        })
    })
}

fn is_plain(v: &Value) -> bool {
    !matches!(v, Value::Object(_) | Value::Array(_))
}

fn diff_arrays(path: &str, a: &[Value], b: &[Value], out: &mut Vec<Change>) {
    if a.iter().chain(b).all(is_plain) {
        out.push(Change {
            path: path.to_string(),
            old: Some(Value::Array(a.to_vec())),
            new: Some(Value::Array(b.to_vec())),
        });
        return;
    }
    if let Some(key) = array_key(a, b) {
        let index = |side: &[Value]| {
            side.iter()
                .filter_map(|e| Some((e.get(key)?.as_str()?.to_string(), e.clone())))
                .collect::<std::collections::BTreeMap<String, Value>>()
        };
        let (ia, ib) = (index(a), index(b));
        let mut keys: Vec<&String> = ia.keys().chain(ib.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let p = format!("{path}[{k}]");
            match (ia.get(k), ib.get(k)) {
                (Some(x), Some(y)) => diff_values(&p, x, y, out),
                (x, y) => out.push(Change {
                    path: p,
                    old: x.cloned(),
                    new: y.cloned(),
                }),
            }
        }
        return;
    }
    for i in 0..a.len().max(b.len()) {
        let p = format!("{path}[{i}]");
        match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => diff_values(&p, x, y, out),
            (x, y) => out.push(Change {
                path: p,
                old: x.cloned(),
                new: y.cloned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(a: Value, b: Value) -> Vec<(String, Option<Value>, Option<Value>)> {
        let mut out = Vec::new();
        diff_values("", &a, &b, &mut out);
        out.into_iter().map(|c| (c.path, c.old, c.new)).collect()
    }

    #[test]
    fn nested_fields_and_indexed_arrays() {
        let c = changes(
            json!({"retention": [{"period": "P2Y", "from": "x"}], "dpia": {"required": true}}),
            json!({"retention": [{"period": "P3Y", "from": "x"}, {"period": "P1Y"}], "dpia": {"required": false}}),
        );
        assert_eq!(
            c,
            vec![
                (
                    "retention[0].period".into(),
                    Some(json!("P2Y")),
                    Some(json!("P3Y"))
                ),
                ("retention[1]".into(), None, Some(json!({"period": "P1Y"}))),
                (
                    "dpia.required".into(),
                    Some(json!(true)),
                    Some(json!(false))
                ),
            ]
        );
    }

    #[test]
    fn plain_arrays_as_a_whole_and_keyed_arrays_by_id() {
        let c = changes(
            json!({"legal_bases": ["contract", "consent"], "decisions": [{"country": "GB", "expires": null}, {"country": "JP"}]}),
            json!({"legal_bases": ["contract"], "decisions": [{"country": "GB", "expires": "2031-12-27"}, {"country": "KR"}]}),
        );
        assert_eq!(
            c,
            vec![
                (
                    "legal_bases".into(),
                    Some(json!(["contract", "consent"])),
                    Some(json!(["contract"]))
                ),
                (
                    "decisions[GB].expires".into(),
                    Some(json!(null)),
                    Some(json!("2031-12-27"))
                ),
                ("decisions[JP]".into(), Some(json!({"country": "JP"})), None),
                ("decisions[KR]".into(), None, Some(json!({"country": "KR"}))),
            ]
        );
    }

    #[test]
    fn absent_and_empty_are_the_same() {
        assert!(
            changes(
                json!({"a": 1, "b": null, "c": []}),
                json!({"a": 1, "d": {}})
            )
            .is_empty()
        );
        assert_eq!(
            changes(json!({"a": 1}), json!({"a": 1, "b": false})),
            vec![("b".into(), None, Some(json!(false)))]
        );
    }
}
