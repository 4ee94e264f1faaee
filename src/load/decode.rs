//! From a spanned TOML tree to typed values, collecting every problem.
//!
//! serde stops at the first error in a file; a compliance officer should see
//! all of them in one run. So each entry kind is read key by key through a
//! `TableReader` that records what was asked for: whatever is left over is
//! an unknown key (with a did-you-mean among the keys of that kind).

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Code, Diagnostic, SourceMap, did_you_mean};
use crate::model::FileId;
use crate::model::*;
use crate::reference;

/// At most this many diagnostics are kept for one file: a file of a
/// million unknown keys must not become a million diagnostics (memory, and
/// a report nobody reads). The rest are counted, and [`Cx::finish`] says how
/// many were left out.
pub const MAX_FILE_DIAGNOSTICS: usize = 200;

/// Per-file decoding context.
pub struct Cx<'a> {
    pub sources: &'a SourceMap,
    pub file: FileId,
    pub diags: Vec<Diagnostic>,
    /// Diagnostics past [`MAX_FILE_DIAGNOSTICS`]: how many, and whether one
    /// of them is an error.
    left_out: usize,
    left_out_error: bool,
}

impl<'a> Cx<'a> {
    pub fn new(sources: &'a SourceMap, file: FileId) -> Self {
        Cx {
            sources,
            file,
            diags: Vec::new(),
            left_out: 0,
            left_out_error: false,
        }
    }

    /// The file's diagnostics, with one more that says how many were left
    /// out when there were more than [`MAX_FILE_DIAGNOSTICS`].
    pub fn finish(mut self) -> Vec<Diagnostic> {
        if self.left_out > 0 {
            let file = self.sources.get(self.file);
            let mut d = Diagnostic::file(
                Code::FileTooLarge,
                file.path.clone(),
                format!(
                    "this file has {} more problems that are not listed: ropa lists at most {MAX_FILE_DIAGNOSTICS} per file",
                    self.left_out
                ),
            )
            .help("fix the problems listed and check again")
            .for_entry(file.entry.clone());
            if !self.left_out_error {
                d.severity = crate::diag::Severity::Warning;
            }
            self.diags.push(d);
        }
        self.diags
    }

    pub fn diag(&self, code: Code, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(code, self.sources, self.file, span, message)
    }

    /// True once [`MAX_FILE_DIAGNOSTICS`] are kept: what is pushed after
    /// is only counted, so a caller may skip working out its text.
    pub fn is_full(&self) -> bool {
        self.diags.len() >= MAX_FILE_DIAGNOSTICS
    }

    /// Counts a diagnostic that is not worked out (see [`Cx::is_full`]).
    pub fn leave_out(&mut self, error: bool) {
        self.left_out += 1;
        self.left_out_error |= error;
    }

    pub fn push(&mut self, d: Diagnostic) {
        if self.diags.len() < MAX_FILE_DIAGNOSTICS {
            self.diags.push(d);
        } else {
            self.leave_out(d.is_error());
        }
    }
}

type Value<'i> = Spanned<DeValue<'i>>;

fn found(v: &DeValue) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date/time",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// A value type that can be read from one TOML value.
pub trait Decode: Sized {
    /// "a string", "a date": used in "expected …, found …".
    const EXPECTED: &'static str;
    /// A sample value in TOML syntax, for "add `key = …`" help.
    const EXAMPLE: &'static str;
    fn decode(v: &Value, key: &str, cx: &mut Cx) -> Option<Self>;
}

fn type_error(v: &Value, key: &str, expected: &str, cx: &mut Cx) {
    let mut d = cx
        .diag(
            Code::Schema,
            v.span(),
            format!("`{key}` must be {expected}, found {}", found(v.get_ref())),
        )
        .label(format!("expected {expected}"));
    if matches!(v.get_ref(), DeValue::String(_)) && expected.starts_with("a list") {
        d = d.help(format!(
            "write it as a list, even with one item: `{key} = [\"…\"]`"
        ));
    }
    cx.push(d);
}

impl Decode for String {
    const EXPECTED: &'static str = "a string";
    const EXAMPLE: &'static str = "\"…\"";
    fn decode(v: &Value, key: &str, cx: &mut Cx) -> Option<Self> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                type_error(v, key, Self::EXPECTED, cx);
                None
            }
        }
    }
}

impl Decode for bool {
    const EXPECTED: &'static str = "true or false";
    const EXAMPLE: &'static str = "true";
    fn decode(v: &Value, key: &str, cx: &mut Cx) -> Option<Self> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            DeValue::String(s) if s == "true" || s == "false" => {
                cx.push(
                    cx.diag(
                        Code::Schema,
                        v.span(),
                        format!("`{key}` must be true or false, without quotes"),
                    )
                    .label("a string, not a boolean")
                    .help(format!("write `{key} = {s}`")),
                );
                None
            }
            _ => {
                type_error(v, key, Self::EXPECTED, cx);
                None
            }
        }
    }
}

impl Decode for i64 {
    const EXPECTED: &'static str = "a whole number";
    const EXAMPLE: &'static str = "1";
    fn decode(v: &Value, key: &str, cx: &mut Cx) -> Option<Self> {
        match v.get_ref() {
            DeValue::Integer(i) => {
                let digits = i.as_str().replace('_', "");
                let (neg, digits) = match digits.strip_prefix('-') {
                    Some(d) => (true, d.to_string()),
                    None => (false, digits.trim_start_matches('+').to_string()),
                };
                let digits = digits
                    .trim_start_matches("0x")
                    .trim_start_matches("0o")
                    .trim_start_matches("0b");
                // The sign goes to the parser with the digits: -2^63 has no
                // positive counterpart, so it cannot be parsed and negated.
                let signed = if neg {
                    format!("-{digits}")
                } else {
                    digits.to_string()
                };
                match i64::from_str_radix(&signed, i.radix()) {
                    Ok(n) => Some(n),
                    Err(_) => {
                        let (what, bound) = if neg {
                            ("too large a negative number", i64::MIN)
                        } else {
                            ("too large a number", i64::MAX)
                        };
                        cx.push(
                            cx.diag(Code::Schema, v.span(), format!("`{key}` is {what}"))
                                .help(format!("the furthest from zero it can be is {bound}")),
                        );
                        None
                    }
                }
            }
            _ => {
                type_error(v, key, Self::EXPECTED, cx);
                None
            }
        }
    }
}

impl Decode for Date {
    const EXPECTED: &'static str = "a date";
    const EXAMPLE: &'static str = "2026-03-01";
    fn decode(v: &Value, key: &str, cx: &mut Cx) -> Option<Self> {
        match v.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    Date::new(i32::from(d.year), d.month, d.day).or_else(|| {
                        cx.push(cx.diag(
                            Code::Schema,
                            v.span(),
                            format!("`{key}` is not a real date"),
                        ));
                        None
                    })
                }
                _ => {
                    cx.push(
                        cx.diag(
                            Code::Schema,
                            v.span(),
                            format!("`{key}` must be a date without a time"),
                        )
                        .label("a date and time")
                        .help(format!("keep only the day, e.g. `{key} = 2026-03-01`")),
                    );
                    None
                }
            },
            DeValue::String(s) => {
                let d = cx.diag(
                    Code::Schema,
                    v.span(),
                    format!("`{key}` must be a date, not a string"),
                );
                let d = match Date::parse(s.trim()) {
                    Some(date) => d
                        .label("a date in quotes")
                        .help(format!("remove the quotes: `{key} = {date}`")),
                    None => d.help(format!(
                        "write a date as YYYY-MM-DD without quotes, e.g. `{key} = 2026-03-01`"
                    )),
                };
                cx.push(d);
                None
            }
            _ => {
                type_error(v, key, Self::EXPECTED, cx);
                None
            }
        }
    }
}

impl Decode for IsoDuration {
    const EXPECTED: &'static str = "an ISO 8601 duration";
    const EXAMPLE: &'static str = "\"P2Y\"";
    fn decode(v: &Value, key: &str, cx: &mut Cx) -> Option<Self> {
        let s = String::decode(v, key, cx)?;
        IsoDuration::parse(&s).or_else(|| {
            let mut d = cx
                .diag(Code::Schema, v.span(), format!("`{s}` is not an ISO 8601 duration"))
                .label("not a duration");
            d = match IsoDuration::parse(&s.trim().to_ascii_uppercase()) {
                Some(ok) => d.help(format!("write it in upper case: `{key} = \"{}\"`", ok.text)),
                None => d.help("write a duration like \"P30D\" (30 days), \"P6M\" (6 months), \"P2Y\" (2 years) or \"P1Y6M\""),
            };
            cx.push(d);
            None
        })
    }
}

/// An ISO 3166-1 alpha-2 code, checked against the bundled list.
pub struct CountryCode(pub String);

impl Decode for CountryCode {
    const EXPECTED: &'static str = "a country code";
    const EXAMPLE: &'static str = "\"SE\"";
    fn decode(v: &Value, key: &str, cx: &mut Cx) -> Option<Self> {
        let s = String::decode(v, key, cx)?;
        if reference::is_country(&s) {
            return Some(CountryCode(s));
        }
        if s.trim().is_empty() {
            // A key left blank (e.g. by `ropa new`): say so, not "`` is unknown".
            cx.push(
                cx.diag(Code::Schema, v.span(), format!("`{key}` is empty"))
                    .label("empty")
                    .help("write the two-letter ISO 3166-1 alpha-2 code between the quotes, in upper case (e.g. `SE`, `US`, `IN`, `GB`)"),
            );
            return None;
        }
        let d = cx
            .diag(Code::UnknownCountry, v.span(), format!("`{s}` is not an ISO 3166-1 alpha-2 country code"))
            .label("unknown country")
            .help(reference::country_hint(&s).unwrap_or_else(|| {
                "use the two-letter ISO 3166-1 alpha-2 code in upper case (e.g. `SE`, `US`, `IN`, `GB`)".into()
            }));
        cx.push(d);
        None
    }
}

macro_rules! decode_enum {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            const EXPECTED: &'static str = concat!("a ", stringify!($t));
            const EXAMPLE: &'static str = "\"…\"";
            fn decode(v: &Value, key: &str, cx: &mut Cx) -> Option<Self> {
                let s = String::decode(v, key, cx)?;
                if let Some(x) = <$t>::parse(&s) {
                    return Some(x);
                }
                let allowed: Vec<&str> = <$t>::ALL.iter().map(|x| x.as_str()).collect();
                let list = allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
                if s.trim().is_empty() {
                    cx.push(
                        cx.diag(Code::Schema, v.span(), format!("`{key}` is empty"))
                            .label("empty")
                            .help(format!("write one of {list} between the quotes")),
                    );
                    return None;
                }
                let help = match (words_hint(<$t>::WHAT, &s), did_you_mean(&s, allowed.iter().copied())) {
                    (Some(h), _) => format!("{h} The allowed values are {list}"),
                    (None, Some(m)) => format!("did you mean `{m}`? The allowed values are {list}"),
                    (None, None) => format!("the allowed values are {list}"),
                };
                cx.push(
                    cx.diag(Code::Schema, v.span(), format!("`{s}` is not a valid {} for `{key}`", <$t>::WHAT))
                        .label(format!("unknown {}", <$t>::WHAT))
                        .help(help),
                );
                None
            }
        }
    )*};
}

/// The code a person's words name, for the values people write in words
/// ("performance of a contract", "legitimate interest", "SCCs"): the same
/// mappings the import uses (reference::words), which map only what is
/// beyond doubt.
fn words_hint(what: &str, text: &str) -> Option<String> {
    use crate::reference::words;
    let code = if what == LegalBasis::WHAT {
        match words::legal_bases(text) {
            (bases, rest) if bases.len() == 1 && rest.is_empty() => Some(bases[0].as_str()),
            (bases, rest) if bases.len() > 1 && rest.is_empty() => {
                let items: Vec<String> = bases.iter().map(|b| format!("\"{b}\"")).collect();
                return Some(format!(
                    "this names {} legal bases: write each as an item of its own, `[{}]`.",
                    bases.len(),
                    items.join(", ")
                ));
            }
            _ => None,
        }
    } else if what == SpecialCategoryCondition::WHAT {
        words::special_condition(text).map(SpecialCategoryCondition::as_str)
    } else if what == Mechanism::WHAT {
        words::mechanism(text).map(|(m, _)| m.as_str())
    } else if what == Derogation::WHAT {
        words::mechanism(text)
            .and_then(|(_, d)| d)
            .map(Derogation::as_str)
    } else {
        None
    };
    code.map(|c| format!("did you mean `{c}`?"))
}

decode_enum!(
    Role,
    Status,
    LegalBasis,
    SpecialCategoryCondition,
    RecipientKind,
    Mechanism,
    SafeguardKind,
    Derogation,
    MeasureKind,
    SccVersion,
    AdequacyRequirement
);

/// Reads a list; items that do not decode are reported and left out.
fn decode_list<T: Decode>(v: &Value, key: &str, cx: &mut Cx) -> Option<List<T>> {
    match v.get_ref() {
        DeValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                if let Some(x) = T::decode(item, key, cx) {
                    out.push(Sp::new(x, item.span()));
                }
            }
            Some(Sp::new(out, v.span()))
        }
        _ => {
            type_error(
                v,
                key,
                &format!(
                    "a list of {}s",
                    T::EXPECTED
                        .trim_start_matches("a ")
                        .trim_start_matches("an ")
                ),
                cx,
            );
            None
        }
    }
}

/// A sub-table and the span of its value.
pub type SubTable<'t, 'i> = (TableReader<'t, 'i>, Range<usize>);

/// Reads one TOML table key by key; see the module comment.
pub struct TableReader<'t, 'i> {
    table: &'t DeTable<'i>,
    /// What the table is, for messages: "activity", "`[dpia]` table".
    what: String,
    /// Where "missing key" is reported.
    anchor: Range<usize>,
    asked: Vec<&'static str>,
    missing: Vec<(&'static str, &'static str)>,
}

impl<'t, 'i> TableReader<'t, 'i> {
    pub fn new(table: &'t DeTable<'i>, what: impl Into<String>, anchor: Range<usize>) -> Self {
        TableReader {
            table,
            what: what.into(),
            anchor,
            asked: Vec::new(),
            missing: Vec::new(),
        }
    }

    /// A reader for a whole file: missing keys are reported at its first key.
    pub fn file(table: &'t DeTable<'i>, what: impl Into<String>) -> Self {
        let anchor = table
            .keys()
            .map(|k| k.span())
            .min_by_key(|s| s.start)
            .unwrap_or(0..0);
        Self::new(table, what, anchor)
    }

    pub fn anchor(&self) -> Range<usize> {
        self.anchor.clone()
    }

    fn get(&mut self, key: &'static str) -> Option<&'t Value<'i>> {
        self.asked.push(key);
        self.table.get(key)
    }

    /// Is `key` written with a value other than an empty list?
    pub fn has_items(&self, key: &str) -> bool {
        match self.table.get(key).map(|v| v.get_ref()) {
            None => false,
            Some(DeValue::Array(a)) => !a.is_empty(),
            Some(_) => true,
        }
    }

    /// The span of a key that is present, e.g. to point at `role`.
    pub fn key_span(&self, key: &str) -> Option<Range<usize>> {
        self.table.get_key_value(key).map(|(k, _)| k.span())
    }

    pub fn opt<T: Decode>(&mut self, cx: &mut Cx, key: &'static str) -> Option<Sp<T>> {
        let v = self.get(key)?;
        T::decode(v, key, cx).map(|x| Sp::new(x, v.span()))
    }

    pub fn req<T: Decode>(&mut self, cx: &mut Cx, key: &'static str) -> Option<Sp<T>> {
        if self.table.get(key).is_none() {
            self.asked.push(key);
            self.missing.push((key, T::EXAMPLE));
            return None;
        }
        self.opt(cx, key)
    }

    /// A required string that must not be blank.
    pub fn req_text(&mut self, cx: &mut Cx, key: &'static str) -> Option<Sp<String>> {
        let s = self.req::<String>(cx, key)?;
        if s.value.trim().is_empty() {
            cx.push(
                cx.diag(Code::Schema, s.span.clone(), format!("`{key}` is empty"))
                    .label("empty")
                    .help(format!("write the `{key}` value between the quotes")),
            );
            return None;
        }
        Some(s)
    }

    pub fn opt_list<T: Decode>(&mut self, cx: &mut Cx, key: &'static str) -> Option<List<T>> {
        let v = self.get(key)?;
        decode_list(v, key, cx)
    }

    /// A required list with at least one item.
    pub fn req_list<T: Decode>(&mut self, cx: &mut Cx, key: &'static str) -> Option<List<T>> {
        if self.table.get(key).is_none() {
            self.asked.push(key);
            self.missing.push((key, "[\"…\"]"));
            return None;
        }
        let list = self.opt_list::<T>(cx, key)?;
        if list.value.is_empty() {
            cx.push(
                cx.diag(
                    Code::Schema,
                    list.span.clone(),
                    format!("`{key}` needs at least one item"),
                )
                .label("empty list"),
            );
        }
        Some(list)
    }

    pub fn req_country(&mut self, cx: &mut Cx, key: &'static str) -> Option<Sp<String>> {
        self.req::<CountryCode>(cx, key)
            .map(|c| Sp::new(c.value.0, c.span))
    }

    pub fn opt_country(&mut self, cx: &mut Cx, key: &'static str) -> Option<Sp<String>> {
        self.opt::<CountryCode>(cx, key)
            .map(|c| Sp::new(c.value.0, c.span))
    }

    pub fn opt_countries(&mut self, cx: &mut Cx, key: &'static str) -> Option<List<String>> {
        self.opt_list::<CountryCode>(cx, key).map(|l| {
            Sp::new(
                l.value
                    .into_iter()
                    .map(|c| Sp::new(c.value.0, c.span))
                    .collect(),
                l.span,
            )
        })
    }

    /// A sub-table such as `[dpia]` or `[dpo]`.
    pub fn sub(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
    ) -> Option<(TableReader<'t, 'i>, Range<usize>)> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Table(t) => {
                let anchor = self.key_span(key).unwrap_or(v.span());
                Some((
                    TableReader::new(t, format!("`[{key}]` table"), anchor),
                    v.span(),
                ))
            }
            _ => {
                type_error(v, key, "a table", cx);
                None
            }
        }
    }

    /// An array of tables such as `[[retention]]`.
    pub fn sub_array(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
    ) -> Option<Sp<Vec<SubTable<'t, 'i>>>> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::Table(t) => {
                            let span = item.span();
                            out.push((
                                TableReader::new(t, format!("`[[{key}]]` entry"), span.clone()),
                                span,
                            ));
                        }
                        _ => type_error(item, key, "a table", cx),
                    }
                }
                Some(Sp::new(out, v.span()))
            }
            DeValue::Table(t) => {
                // `[retention]` where `[[retention]]` was meant: accept it as one entry.
                let span = v.span();
                Some(Sp::new(
                    vec![(
                        TableReader::new(t, format!("`[{key}]` table"), span.clone()),
                        span.clone(),
                    )],
                    span,
                ))
            }
            _ => {
                type_error(v, key, "a list of tables", cx);
                None
            }
        }
    }

    /// Entries of a catalogue table such as `[data_categories.<id>]`.
    pub fn entries(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        what: &str,
    ) -> Vec<(Sp<String>, TableReader<'t, 'i>)> {
        self.entries_checked(cx, key, what, |cx, id, span, what| {
            check_id(cx, id, span, what);
        })
    }

    /// Entries keyed by country code, as in `[countries.US]`.
    pub fn entries_raw(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
    ) -> Vec<(Sp<String>, TableReader<'t, 'i>)> {
        let mut out = self.entries_checked(cx, key, "country", |cx, code, span, _| {
            if !reference::is_country(code) {
                let help = reference::country_hint(code)
                    .unwrap_or_else(|| "use an ISO 3166-1 alpha-2 code such as `CH`".into());
                cx.push(
                    cx.diag(
                        Code::UnknownCountry,
                        span,
                        format!("`{code}` is not an ISO 3166-1 alpha-2 country code"),
                    )
                    .help(help),
                );
            }
        });
        out.retain(|(code, _)| reference::is_country(&code.value));
        out
    }

    /// Entries keyed by an international organisation's code, as in
    /// `[international_organisations.EPO]`.
    pub fn entries_coded(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        what: &str,
    ) -> Vec<(Sp<String>, TableReader<'t, 'i>)> {
        let mut out = self.entries_checked(cx, key, what, |cx, code, span, what| {
            if !is_organisation_code(code) {
                cx.push(
                    cx.diag(
                        Code::Schema,
                        span,
                        format!("`{code}` is not a {what}'s code"),
                    )
                    .label("capitals, digits and hyphens")
                    .help("write the organisation's code in capitals: `EPO`, `WIPO`, `WHO`"),
                );
            }
        });
        out.retain(|(code, _)| is_organisation_code(&code.value));
        out
    }

    fn entries_checked(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        what: &str,
        check: impl Fn(&mut Cx, &str, Range<usize>, &str),
    ) -> Vec<(Sp<String>, TableReader<'t, 'i>)> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        let DeValue::Table(t) = v.get_ref() else {
            type_error(v, key, "a table", cx);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, val) in t.iter() {
            let id = Sp::new(k.get_ref().to_string(), k.span());
            check(cx, &id.value, id.span.clone(), what);
            match val.get_ref() {
                DeValue::Table(inner) => out.push((
                    id.clone(),
                    TableReader::new(inner, format!("{what} `{}`", id.value), k.span()),
                )),
                _ => type_error(val, &format!("{key}.{}", id.value), "a table", cx),
            }
        }
        out
    }

    /// Reports unknown and missing keys. Call after reading every key.
    pub fn finish(self, cx: &mut Cx) {
        let mut unknown: Vec<_> = self
            .table
            .iter()
            .filter(|(k, _)| !self.asked.contains(&k.get_ref().as_ref()))
            .map(|(k, _)| (k.get_ref().to_string(), k.span()))
            .collect();
        unknown.sort_by_key(|(_, s)| s.start);
        for (key, span) in unknown {
            if cx.is_full() {
                cx.leave_out(Code::Schema.severity() == crate::diag::Severity::Error);
                continue;
            }
            let help = match did_you_mean(&key, self.asked.iter().copied()) {
                Some(m) => format!("did you mean `{m}`?"),
                None => format!(
                    "the keys of {} are: {}",
                    self.what,
                    self.asked
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            cx.push(
                cx.diag(
                    Code::Schema,
                    span,
                    format!("unknown key `{key}` in {}", self.what),
                )
                .label("unknown key")
                .help(help),
            );
        }
        if !self.missing.is_empty() {
            let names: Vec<String> = self.missing.iter().map(|(k, _)| format!("`{k}`")).collect();
            let example: Vec<String> = self
                .missing
                .iter()
                .map(|(k, ex)| format!("{k} = {ex}"))
                .collect();
            let (s, them) = if names.len() == 1 {
                ("", "it")
            } else {
                ("s", "them")
            };
            cx.push(
                cx.diag(
                    Code::Schema,
                    self.anchor.clone(),
                    format!(
                        "{} is missing required key{s} {}",
                        self.what,
                        names.join(", ")
                    ),
                )
                .label(format!("missing {}", names.join(", ")))
                .help(format!("add {them}: {}", example.join("; "))),
            );
        }
    }
}

/// The id pattern of the contract: `^[a-z0-9]+(-[a-z0-9]+)*$`, at most 64 characters.
/// An international organisation's code: `EPO`, `WIPO`, `UN-ECE`.
pub fn is_organisation_code(code: &str) -> bool {
    code.len() <= 32
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

pub fn check_id(cx: &mut Cx, id: &str, span: Range<usize>, what: &str) -> bool {
    if is_valid_id(id) {
        return true;
    }
    let why = if id.len() > 64 {
        "is longer than 64 characters"
    } else {
        "may only contain lower-case letters, digits and single hyphens"
    };
    let fix = suggest_id(id);
    let d = cx
        .diag(Code::BadId, span, format!("the id of {what} `{id}` {why}"))
        .label("bad id");
    let d = if fix.is_empty() {
        d.help("use lower-case letters, digits and hyphens, e.g. `customer-support`")
    } else {
        d.help(format!("rename it to `{fix}`"))
    };
    cx.push(d);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_pattern() {
        for ok in ["a", "hr-payroll", "aws2", "a-b-c", &"x".repeat(64)] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "A",
            "a.b",
            "a b",
            "a_b",
            "é",
            &"x".repeat(65),
        ] {
            assert!(!is_valid_id(bad), "{bad}");
        }
        assert_eq!(suggest_id("HR Payroll.v2"), "hr-payroll-v2");
        assert_eq!(suggest_id("Löner Ärenden"), "loner-arenden");
    }

    /// Decodes `n = <text>` as a whole number: the value, and the messages.
    fn whole(text: &str) -> (Option<i64>, Vec<String>) {
        let mut sources = SourceMap::default();
        let doc = format!("n = {text}\n");
        let file = sources.add("t.toml".into(), doc.clone());
        let mut cx = Cx::new(&sources, file);
        let table = DeTable::parse(&doc).expect("valid TOML").into_inner();
        let n = i64::decode(table.get("n").expect("key n"), "n", &mut cx);
        (n, cx.diags.iter().map(|d| d.message.clone()).collect())
    }

    #[test]
    fn whole_numbers_reach_both_ends_of_i64() {
        assert_eq!(whole("-9223372036854775808"), (Some(i64::MIN), vec![]));
        assert_eq!(whole("9223372036854775807"), (Some(i64::MAX), vec![]));
        assert_eq!(whole("0x10"), (Some(16), vec![]));
        assert_eq!(whole("1_000"), (Some(1000), vec![]));
        assert_eq!(whole("+7"), (Some(7), vec![]));
    }

    #[test]
    fn whole_numbers_beyond_i64_say_which_end() {
        assert_eq!(
            whole("-9223372036854775809"),
            (None, vec!["`n` is too large a negative number".to_string()])
        );
        assert_eq!(
            whole("9223372036854775808"),
            (None, vec!["`n` is too large a number".to_string()])
        );
    }
}

/// Did-you-mean where a person writes words instead of a code (issue 15).
#[cfg(test)]
mod words_hints {
    fn help_for(file: &str, text: &str) -> Vec<String> {
        let loaded = crate::load::load_files(vec![(file.into(), text.as_bytes().to_vec())]);
        loaded
            .diagnostics
            .iter()
            .filter_map(|d| d.help.clone())
            .collect()
    }

    fn activity(legal_bases: &str) -> String {
        format!(
            "name = \"A\"\npurposes = [\"p\"]\nlegal_bases = [{legal_bases}]\ndata_subjects = []\ndata_categories = []\n"
        )
    }

    #[test]
    fn a_legal_basis_in_words() {
        for (written, code) in [
            ("\"performance of a contract\"", "contract"),
            ("\"legitimate interest\"", "legitimate-interests"),
            ("\"Article 6(1)(c) legal obligation\"", "legal-obligation"),
        ] {
            let help = help_for("activities/a.toml", &activity(written));
            assert!(
                help.iter()
                    .any(|h| h.starts_with(&format!("did you mean `{code}`?"))),
                "{written}: {help:?}"
            );
        }
        // Words naming two bases: two items.
        let help = help_for("activities/a.toml", &activity("\"contract and consent\""));
        assert!(
            help.iter().any(|h| h.starts_with(
                "this names 2 legal bases: write each as an item of its own, `[\"contract\", \"consent\"]`."
            )),
            "{help:?}"
        );
    }

    #[test]
    fn a_country_by_its_name_or_alpha_3_code() {
        for (written, code) in [("Czech Republic", "CZ"), ("Germany", "DE"), ("DEU", "DE")] {
            let org = format!("name = \"Acme\"\ncountry = \"{written}\"\n");
            let help = help_for("organisation.toml", &org);
            assert!(
                help.iter()
                    .any(|h| h.starts_with(&format!("did you mean `{code}`"))),
                "{written}: {help:?}"
            );
        }
    }
}
