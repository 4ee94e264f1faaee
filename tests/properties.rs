//! Property tests (proptest) for the parts of the registry format that have a
//! grammar: ids, ISO 8601 durations, dates (including `SOURCE_DATE_EPOCH`),
//! country codes, and the two hostile-input surfaces next to them: Markdown
//! rendering / link filtering and the unclosed-bracket finder of syntax errors.
//!
//! The library's public API is used where it is public; `suggest_id` and
//! `unclosed_before` are private, so they are exercised through the binary
//! (`ropa check --format json`), as is the handling of `SOURCE_DATE_EPOCH`.
//! Binary properties run few cases (each case is one process). The one
//! exception: `unclosed_before` at offsets the binary cannot produce, tested
//! on its source file compiled into this test (see the end of the file).
//!
//! Failing seeds are kept in `tests/proptest-regressions/properties.txt`.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Diag, RUN_TIMEOUT, Run, TempRegistry, parse_json, ropa_command, run_with_timeout};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, FileFailurePersistence};
use ropa::markdown::{allowed_url, render};
use ropa::model::is_valid_id;
use ropa::model::{Date, IsoDuration};
use ropa::reference::{country_hint, country_name, country_name_in, is_country};

/// Cases for properties of pure functions.
const CASES: u32 = 256;
/// Cases for properties that run the binary once per case.
const BINARY_CASES: u32 = 16;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // `tests/` has no lib.rs for `SourceParallel` to find: name the file.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/proptest-regressions/properties.txt"
        )))),
        // Shrinking a binary-run property can take many runs; keep it bounded.
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    }
}

// ====================================================================== ids

/// `^[a-z0-9]+(-[a-z0-9]+)*$`, written out by hand.
fn matches_id_regex(s: &str) -> bool {
    let b = s.as_bytes();
    let word = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && word(b[i]) {
            i += 1;
        }
        if i == start {
            return false; // empty segment: start, end, or after a `-`
        }
        if i == b.len() {
            return true;
        }
        if b[i] != b'-' {
            return false;
        }
        i += 1;
    }
}

/// Strings built from the id grammar itself (any length, also > 64).
fn grammar_id() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z0-9]{1,12}", 1..10).prop_map(|v| v.join("-"))
}

/// Strings close to ids: the id alphabet plus the characters people get wrong.
fn id_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{0,70}",
        "[a-zA-Z0-9 ._/\\-]{0,70}",
        "[a-z0-9\\-éÅß]{0,10}",
        any::<String>(),
    ]
}

/// One way to break a valid id.
#[derive(Clone, Debug)]
enum Break {
    Insert(char),
    DoubleHyphen,
    Leading,
    Trailing,
    TooLong,
}

fn a_break() -> impl Strategy<Value = Break> {
    prop_oneof![
        prop::sample::select(vec![
            'A', 'Z', 'Q', ' ', '.', '/', '_', '\t', 'é', '\\', ':'
        ])
        .prop_map(Break::Insert),
        "[A-Z]".prop_map(|s| Break::Insert(s.chars().next().unwrap())),
        Just(Break::DoubleHyphen),
        Just(Break::Leading),
        Just(Break::Trailing),
        Just(Break::TooLong),
    ]
}

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn grammar_ids_are_valid_up_to_64_bytes(id in grammar_id()) {
        prop_assert!(matches_id_regex(&id));
        prop_assert_eq!(is_valid_id(&id), id.len() <= 64, "{:?} (len {})", id, id.len());
    }

    #[test]
    fn is_valid_id_is_the_regex_plus_the_length_limit(s in id_like()) {
        prop_assert_eq!(
            is_valid_id(&s),
            matches_id_regex(&s) && s.len() <= 64,
            "{:?} (len {})", s, s.len()
        );
    }

    #[test]
    fn broken_ids_are_invalid(
        id in grammar_id().prop_filter("≤ 64", |s| s.len() <= 64),
        how in a_break(),
        at in any::<prop::sample::Index>(),
    ) {
        let pos = at.index(id.len() + 1);
        let broken = match how {
            Break::Insert(c) => {
                let mut s = id.clone();
                s.insert(pos, c);
                s
            }
            Break::DoubleHyphen => {
                // Between two characters when possible, else at an end
                // (where it is also a leading/trailing hyphen).
                let mut s = id.clone();
                s.insert_str(pos, "--");
                s
            }
            Break::Leading => format!("-{id}"),
            Break::Trailing => format!("{id}-"),
            Break::TooLong => {
                let mut s = id.clone();
                while s.len() <= 64 {
                    s.push_str("-a1");
                }
                s
            }
        };
        prop_assert!(!is_valid_id(&broken), "{:?} is accepted", broken);
    }
}

/// A TOML basic string holding `s` exactly.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `suggest_id` for ASCII input, written independently from the contract
/// ("lower case; every run of other characters becomes one hyphen; no
/// hyphen at either end; at most 64 bytes").
fn suggest_ascii(id: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    out.truncate(64);
    out.trim_end_matches('-').to_string()
}

/// `ropa check --format json` on `reg`, with the as-of date pinned.
fn check_json(reg: &TempRegistry) -> (Run, Vec<Diag>) {
    let mut c = ropa_command();
    c.args(["check", "--registry"]).arg(reg.path()).args([
        "--format",
        "json",
        "--as-of",
        common::AS_OF,
    ]);
    let run = run_with_timeout(c, RUN_TIMEOUT);
    assert!(
        !run.stderr.contains("panicked"),
        "ropa panicked:\n{}",
        run.stderr
    );
    let diags = parse_json(&run.stdout);
    (run, diags)
}

proptest! {
    #![proptest_config(config(BINARY_CASES))]

    /// Through the binary (`suggest_id` is private): every `bad-id` diagnostic
    /// on a catalogue key suggests either nothing or a valid id, and for ASCII
    /// keys exactly the id the contract describes.
    #[test]
    fn bad_id_suggestions_are_valid_ids(
        ids in prop::collection::btree_set(id_like(), 1..12),
    ) {
        let reg = TempRegistry::minimal();
        let mut cats = String::from(common::CATEGORIES);
        // line (1-based) of each key's header → the key
        let mut at_line: BTreeMap<usize, String> = BTreeMap::new();
        for id in &ids {
            cats.push('\n');
            at_line.insert(cats.lines().count() + 1, id.clone());
            cats.push_str(&format!("[data_categories.{}]\nname = \"x\"\n", toml_string(id)));
        }
        reg.write("categories.toml", &cats);
        let (run, diags) = check_json(&reg);
        prop_assert!(matches!(run.code, Some(0 | 1)), "exit {:?}\n{}", run.code, run.stderr);
        prop_assert!(
            !diags.iter().any(|d| d.code == "syntax"),
            "the generated categories.toml is not TOML: {:#?}\n{}", diags, cats
        );
        let bad: Vec<&Diag> = diags
            .iter()
            .filter(|d| d.code == "bad-id" && d.file == "categories.toml")
            .collect();
        let invalid: BTreeSet<&String> = ids.iter().filter(|id| !is_valid_id(id)).collect();
        prop_assert_eq!(bad.len(), invalid.len(), "{:#?}", bad);
        for d in bad {
            let id = &at_line[&d.line.expect("a line")];
            prop_assert!(!is_valid_id(id), "bad-id on the valid id {:?}", id);
            let help = d.help.as_deref().unwrap_or("");
            let fix = help
                .strip_prefix("rename it to `")
                .and_then(|h| h.strip_suffix('`'));
            match fix {
                Some(fix) => {
                    prop_assert!(is_valid_id(fix), "{:?} → suggested {:?}", id, fix);
                    if id.is_ascii() {
                        prop_assert_eq!(fix, suggest_ascii(id), "suggestion for {:?}", id);
                    }
                }
                None => {
                    prop_assert!(help.contains("lower-case letters"), "{:#?}", d);
                    if id.is_ascii() {
                        prop_assert_eq!(suggest_ascii(id), "", "no suggestion for {:?}", id);
                    }
                }
            }
        }
    }
}

// ================================================================ durations

/// The counts of one duration; `None` = the designator is absent.
type Counts = [Option<u32>; 7];
const DESIGNATORS: [char; 7] = ['Y', 'M', 'W', 'D', 'H', 'M', 'S'];

fn canonical(c: &Counts) -> String {
    let mut s = String::from("P");
    for (i, n) in c.iter().enumerate() {
        if i == 4 && c[4..].iter().any(Option::is_some) {
            s.push('T');
        }
        if let Some(n) = n {
            s.push_str(&format!("{n}{}", DESIGNATORS[i]));
        }
    }
    s
}

fn fields(d: &IsoDuration) -> [u32; 7] {
    [
        d.years, d.months, d.weeks, d.days, d.hours, d.minutes, d.seconds,
    ]
}

/// A reference parser for `P[nY][nM][nW][nD][T[nH][nM][nS]]`: at least one
/// part, `T` only followed by at least one time part, numbers fit in u32.
fn reference_duration(s: &str) -> Option<[u32; 7]> {
    let mut rest = s.strip_prefix('P')?;
    let mut out = [0u32; 7];
    let mut any = false;
    let take =
        |rest: &mut &str, slot: usize, designator: char, out: &mut [u32; 7]| -> Option<bool> {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || !rest[digits..].starts_with(designator) {
                return Some(false);
            }
            out[slot] = rest[..digits].parse().ok()?;
            *rest = &rest[digits + 1..];
            Some(true)
        };
    for (slot, d) in [(0, 'Y'), (1, 'M'), (2, 'W'), (3, 'D')] {
        any |= take(&mut rest, slot, d, &mut out)?;
    }
    if let Some(time) = rest.strip_prefix('T') {
        rest = time;
        let mut any_time = false;
        for (slot, d) in [(4, 'H'), (5, 'M'), (6, 'S')] {
            any_time |= take(&mut rest, slot, d, &mut out)?;
        }
        if !any_time {
            return None;
        }
        any = true;
    }
    (any && rest.is_empty()).then_some(out)
}

fn counts() -> impl Strategy<Value = Counts> {
    let n = || prop::option::of(prop_oneof![0u32..1000, any::<u32>()]);
    [n(), n(), n(), n(), n(), n(), n()]
        .prop_filter("at least one part", |c| c.iter().any(Option::is_some))
}

/// Strings over the duration alphabet, where the interesting cases are.
fn duration_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "P?[0-9YMWDTHS]{0,12}",
        "P?([0-9]{1,3}[YMWDHS]|T){0,6}",
        "[Pp][0-9]{0,3}[.,-]?[0-9]{0,2}[YMWDTHS]{0,2}",
        "P[0-9]{9,12}[YMWD]",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn canonical_durations_round_trip(c in counts()) {
        let s = canonical(&c);
        let d = IsoDuration::parse(&s);
        prop_assert!(d.is_some(), "{} does not parse", s);
        let d = d.unwrap();
        prop_assert_eq!(&d.text, &s);
        prop_assert_eq!(fields(&d), c.map(|n| n.unwrap_or(0)), "{}", s);
    }

    #[test]
    fn duration_parse_is_total_and_matches_the_grammar(s in duration_like()) {
        let parsed = IsoDuration::parse(&s);
        if let Some(d) = &parsed {
            prop_assert!(s.starts_with('P'), "{:?} parsed", s);
            prop_assert_eq!(&d.text, &s);
        }
        prop_assert_eq!(parsed.as_ref().map(fields), reference_duration(&s), "{:?}", s);
    }
}

// ==================================================================== dates

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds.
const MIN_SECS: i64 = -62_135_596_800;
const MAX_SECS: i64 = 253_402_300_799;

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn month_len(y: i32, m: u8) -> u8 {
    [
        31,
        if is_leap(y) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][m as usize - 1]
}

/// The day after `d` by the calendar rules (month and year ends, leap years).
fn next_day(d: Date) -> Date {
    if d.day < month_len(d.year, d.month) {
        Date {
            day: d.day + 1,
            ..d
        }
    } else if d.month < 12 {
        Date {
            month: d.month + 1,
            day: 1,
            ..d
        }
    } else {
        Date {
            year: d.year + 1,
            month: 1,
            day: 1,
        }
    }
}

/// Days from 1970-01-01 to `d`, by counting (independent of the library's
/// civil-from-days algorithm).
fn days_since_epoch(d: Date) -> i64 {
    let y = i64::from(d.year) - 1;
    let before_year = 365 * y + y / 4 - y / 100 + y / 400;
    let before_month: i64 = (1..d.month).map(|m| i64::from(month_len(d.year, m))).sum();
    before_year + before_month + i64::from(d.day) - 1 - 719_162
}

fn any_date() -> impl Strategy<Value = Date> {
    (1i32..=9999, 1u8..=12, 1u8..=31).prop_map(|(y, m, d)| Date {
        year: y,
        month: m,
        day: d.min(month_len(y, m)),
    })
}

/// Dates in the last years of the range, where month arithmetic overflows.
fn late_date() -> impl Strategy<Value = Date> {
    (9990i32..=9999, 1u8..=12, 1u8..=31).prop_map(|(y, m, d)| Date {
        year: y,
        month: m,
        day: d.min(month_len(y, m)),
    })
}

/// A date and a number of months that keeps the result in year 9999 or before.
fn date_and_months_within_range() -> impl Strategy<Value = (Date, u32)> {
    prop_oneof![any_date(), late_date()].prop_flat_map(|d| {
        let room = (9999 * 12 + 11) - (d.year as u32 * 12 + u32::from(d.month) - 1);
        (Just(d), prop_oneof![0..=room.min(24), 0..=room])
    })
}

fn in_range_secs() -> impl Strategy<Value = i64> {
    prop_oneof![
        MIN_SECS..=MAX_SECS,
        // around the ends of the range and of the epoch
        MIN_SECS..MIN_SECS + 400 * 86_400,
        MAX_SECS - 400 * 86_400..=MAX_SECS,
        -86_400 * 800i64..86_400 * 800,
        // the last second of a day
        (MIN_SECS / 86_400..=MAX_SECS / 86_400).prop_map(|d| d * 86_400 + 86_399),
    ]
}

fn date_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "[0-9+ -]{10}",
        "[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}",
        "[0-9é-]{8,11}",
        any::<String>(),
    ]
}

/// `YYYY-MM-DD` with a real calendar day, years 1..=9999 (reference).
fn reference_date(s: &str) -> Option<(i32, u8, u8)> {
    let b = s.as_bytes();
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || ![0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
    {
        return None;
    }
    let y: i32 = s[0..4].parse().ok()?;
    let m: u8 = s[5..7].parse().ok()?;
    let d: u8 = s[8..10].parse().ok()?;
    ((1..=9999).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= month_len(y, m))
        .then_some((y, m, d))
}

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn unix_seconds_give_a_date_that_round_trips(s in in_range_secs()) {
        let d = Date::from_unix_seconds(s);
        prop_assert!(d.is_some(), "{} gives no date", s);
        let d = d.unwrap();
        prop_assert_eq!(Date::new(d.year, d.month, d.day), Some(d));
        let text = d.to_string();
        prop_assert_eq!(text.len(), 10);
        prop_assert_eq!(Date::parse(&text), Some(d), "{}", text);
        // the right day, by an independent count
        prop_assert_eq!(days_since_epoch(d), s.div_euclid(86_400), "{} → {}", s, d);
    }

    #[test]
    fn consecutive_days_differ_by_one_day(s in in_range_secs()) {
        let s = s.min(MAX_SECS - 86_400);
        let today = Date::from_unix_seconds(s).unwrap();
        let tomorrow = Date::from_unix_seconds(s + 86_400).unwrap();
        prop_assert_eq!(tomorrow, next_day(today), "{} → {}", s, today);
        prop_assert!(tomorrow > today);
        // every second of the same UTC day gives the same date
        let midnight = s - s.rem_euclid(86_400);
        prop_assert_eq!(Date::from_unix_seconds(midnight), Some(today));
        prop_assert_eq!(Date::from_unix_seconds(midnight + 86_399), Some(today));
    }

    #[test]
    fn unix_seconds_out_of_range_give_none(s in any::<i64>()) {
        prop_assert_eq!(Date::from_unix_seconds(s).is_some(), (MIN_SECS..=MAX_SECS).contains(&s), "{}", s);
    }

    #[test]
    fn feb_29_plus_twelve_months_is_feb_28(y in 1i32..=9998) {
        // the leap year at or after y (there is one within 8 years)
        let y = (y..).find(|&y| is_leap(y)).unwrap().min(9996);
        let d = Date::new(y, 2, 29).unwrap();
        prop_assert_eq!(d.add_months(12), Date::new(y + 1, 2, 28).unwrap());
        // 48 months later is Feb 29 again when that year is a leap year
        if y + 4 <= 9999 {
            let expected = if is_leap(y + 4) { 29 } else { 28 };
            prop_assert_eq!(d.add_months(48), Date::new(y + 4, 2, expected).unwrap());
        }
    }

    #[test]
    fn add_months_is_the_same_day_clamped((d, n) in date_and_months_within_range()) {
        let total = i64::from(d.year) * 12 + i64::from(d.month) - 1 + i64::from(n);
        let (y, m) = ((total / 12) as i32, (total % 12 + 1) as u8);
        let expected = Date::new(y, m, d.day.min(month_len(y, m))).unwrap();
        prop_assert_eq!(d.add_months(n), expected, "{} + {} months", d, n);
    }

    #[test]
    fn date_parse_is_total_and_matches_the_grammar(s in date_like()) {
        let parsed = Date::parse(&s);
        prop_assert_eq!(parsed.map(|d| (d.year, d.month, d.day)), reference_date(&s), "{:?}", s);
        if let Some(d) = parsed {
            prop_assert_eq!(d.to_string(), s);
        }
    }

    #[test]
    fn every_calendar_day_prints_and_parses_back(d in any_date()) {
        prop_assert_eq!(Date::parse(&d.to_string()), Some(d));
        let next = next_day(d);
        if next.year <= 9999 {
            prop_assert_eq!(Date::parse(&next.to_string()), Some(next));
        }
        // the day after the month's last is not a date
        let past = format!("{:04}-{:02}-{:02}", d.year, d.month, month_len(d.year, d.month) + 1);
        prop_assert_eq!(Date::parse(&past), None, "{}", past);
    }
}

proptest! {
    #![proptest_config(config(CASES))]

    // Regression (fixed): `Date::add_months` clamped the year to 9999 but keeps the month of
    // the unclamped result, so near the end of the range it goes backwards.
    // Minimal input: 9999-12-31 + 1 month. Expected a date not before
    // 9999-12-31 (saturating at 9999-12-31); actual 9999-01-31.
    // Also 9999-06-01 + 12 months = 9999-06-01, so a review last done on
    // 9999-06-01 is "due" the same day (src/model/mod.rs `Review::due`).
    #[test]
    fn add_months_never_goes_backwards(
        d in prop_oneof![any_date(), late_date()],
        n in prop_oneof![0u32..=24, 0u32..=120_000],
    ) {
        let later = d.add_months(n);
        prop_assert!(Date::new(later.year, later.month, later.day).is_some(), "{} + {} = {:?}", d, n, later);
        prop_assert!(later >= d, "{} + {} months = {}", d, n, later);
        if n > 0 {
            prop_assert!(later > d || d == Date::new(9999, 12, 31).unwrap(), "{} + {} months = {}", d, n, later);
        }
    }
}

// ---------------------------------------------- SOURCE_DATE_EPOCH (binary)

/// The minimal registry's activity was last reviewed on 2026-06-01, so its
/// review is due 12 months later.
const REVIEW_DUE: Date = Date {
    year: 2027,
    month: 6,
    day: 1,
};

fn check_with_epoch(reg: &TempRegistry, epoch: &std::ffi::OsStr) -> Run {
    let mut c = ropa_command();
    c.args(["check", "--registry"])
        .arg(reg.path())
        .args(["--format", "json"])
        .env("SOURCE_DATE_EPOCH", epoch);
    run_with_timeout(c, RUN_TIMEOUT)
}

/// Values of `SOURCE_DATE_EPOCH` that are not a number of seconds in range.
fn bad_epoch() -> impl Strategy<Value = String> {
    prop_oneof![
        // not a number
        "[a-zA-Z_.:/ -]{0,12}",
        "[0-9]{1,6}[.,eE_ x][0-9]{0,4}",
        "-?0x[0-9a-f]{1,8}",
        Just(String::new()),
        any::<String>().prop_filter("not an integer", |s| s.trim().parse::<i64>().is_err()),
        // a number, but outside the years 1..=9999
        (MAX_SECS + 1..=i64::MAX).prop_map(|n| n.to_string()),
        (i64::MIN..MIN_SECS).prop_map(|n| n.to_string()),
        // beyond i64
        "[1-9][0-9]{19,25}",
    ]
    .prop_filter("an environment value", |s| !s.contains('\0'))
    .prop_filter("not a valid epoch", |s| {
        s.trim()
            .parse::<i64>()
            .map_or(true, |n| !(MIN_SECS..=MAX_SECS).contains(&n))
    })
}

proptest! {
    #![proptest_config(config(BINARY_CASES))]

    #[test]
    fn source_date_epoch_in_range_is_the_as_of_date(
        s in in_range_secs(),
        pad in prop::sample::select(vec!["", " ", "\n", " \t"]),
    ) {
        let reg = TempRegistry::minimal();
        let value = format!("{pad}{s}{pad}");
        let run = check_with_epoch(&reg, value.as_ref());
        prop_assert!(run.code != Some(2), "SOURCE_DATE_EPOCH={:?} exits 2: {}", value, run.stderr);
        prop_assert!(matches!(run.code, Some(0 | 1)), "exit {:?}: {}", run.code, run.stderr);
        // The as-of date the binary used shows in the review warning.
        let as_of = Date::from_unix_seconds(s).unwrap();
        let overdue: Vec<Diag> = run.diags().into_iter().filter(|d| d.code == "review-overdue").collect();
        if as_of > REVIEW_DUE {
            prop_assert_eq!(overdue.len(), 1, "{:#?}", overdue);
            let tail = format!("it is {as_of} now");
            prop_assert!(overdue[0].message.ends_with(&tail), "{} → {:#?}", s, overdue);
        } else {
            prop_assert!(overdue.is_empty(), "{} → {:#?}", s, overdue);
        }
    }

    #[test]
    fn source_date_epoch_malformed_or_out_of_range_exits_2(value in bad_epoch()) {
        let reg = TempRegistry::minimal();
        let run = check_with_epoch(&reg, value.as_ref());
        prop_assert_eq!(run.code, Some(2), "SOURCE_DATE_EPOCH={:?}\n{}", value, run.stderr);
        prop_assert!(run.stderr.contains("SOURCE_DATE_EPOCH"), "{}", run.stderr);
        prop_assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

// Regression (fixed): a `SOURCE_DATE_EPOCH` that is not UTF-8 was silently ignored:
// `default_as_of` (src/pipeline.rs) matches `std::env::var`, whose
// `Err(NotUnicode)` is treated like "not set", so today's date is used.
// Input: SOURCE_DATE_EPOCH=b"17\xff". Expected: exit 2, like every other
// malformed value (the reproducible-builds spec: a malformed value SHOULD
// fail the build). Actual: exit 0, as-of = today.
#[cfg(unix)]
#[test]
fn source_date_epoch_not_utf8_exits_2() {
    use std::os::unix::ffi::OsStrExt;
    let reg = TempRegistry::minimal();
    for bytes in [&b"17\xff"[..], b"\xff", b"1700000000\x80"] {
        let run = check_with_epoch(&reg, std::ffi::OsStr::from_bytes(bytes));
        assert_eq!(
            run.code,
            Some(2),
            "SOURCE_DATE_EPOCH={bytes:?}\n{}",
            run.stderr
        );
    }
}

// ================================================================ countries

/// Every string of two ASCII letters, upper and lower case.
fn two_letter_codes() -> Vec<String> {
    let letters: Vec<char> = ('A'..='Z').chain('a'..='z').collect();
    letters
        .iter()
        .flat_map(|a| letters.iter().map(move |b| format!("{a}{b}")))
        .collect()
}

fn valid_codes() -> Vec<String> {
    two_letter_codes()
        .into_iter()
        .filter(|c| is_country(c))
        .collect()
}

#[test]
fn the_country_list_is_iso_3166_sized() {
    let n = valid_codes().len();
    assert!(
        (240..=260).contains(&n),
        "{n} two-letter codes are accepted"
    );
    for not in ["UK", "EL", "EU", "XX", "AA", "ZZ"] {
        assert!(!is_country(not), "{not}");
    }
}

#[test]
fn every_valid_code_has_a_name_in_every_site_language() {
    for code in valid_codes() {
        assert!(
            country_name(&code).is_some_and(|n| !n.trim().is_empty()),
            "{code}"
        );
        for lang in ["en", "nl", "de", "fr"] {
            let name = country_name_in(&code, lang);
            assert!(
                name.is_some_and(|n| !n.trim().is_empty() && !n.contains('\t')),
                "{code} in {lang}: {name:?}"
            );
        }
    }
}

/// Codes people write: valid codes in any case, with spaces, and noise.
fn code_like() -> impl Strategy<Value = String> {
    let valid = valid_codes();
    prop_oneof![
        prop::sample::select(valid.clone()),
        prop::sample::select(valid.clone()).prop_map(|c| c.to_ascii_lowercase()),
        (prop::sample::select(valid), any::<bool>(), "[ \t]{0,2}").prop_map(|(c, first, pad)| {
            let mut s: Vec<char> = c.chars().collect();
            let i = usize::from(!first);
            s[i] = s[i].to_ascii_lowercase();
            format!("{pad}{}{pad}", s.into_iter().collect::<String>())
        }),
        "[A-Za-z]{1,4}",
        "[ A-Za-z.-]{0,6}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn accepted_codes_are_two_upper_case_letters(s in code_like()) {
        if is_country(&s) {
            prop_assert!(s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()), "{:?}", s);
            prop_assert!(country_name(&s).is_some());
            // a valid code needs no hint
            prop_assert_eq!(country_hint(&s), None, "{:?}", s);
        }
    }

    #[test]
    fn country_hint_is_total_and_fixes_the_case(s in code_like()) {
        let hint = country_hint(&s);
        let upper = s.trim().to_ascii_uppercase();
        if !is_country(&s) && is_country(&upper) {
            let hint = hint.unwrap_or_default();
            prop_assert!(hint.contains(&format!("`{upper}`")), "{:?} → {:?}", s, hint);
        }
    }

    #[test]
    fn country_names_exist_for_valid_codes_in_every_language(
        code in prop::sample::select(valid_codes()),
        lang in prop::sample::select(vec!["en", "nl", "de", "fr", "sv", "", "EN", "xx"]),
    ) {
        prop_assert!(country_name_in(&code, lang).is_some(), "{} in {:?}", code, lang);
    }

    #[test]
    fn country_names_are_none_for_invalid_codes(s in code_like(), lang in prop::sample::select(vec!["en", "nl", "de", "fr"])) {
        if !is_country(&s) {
            prop_assert_eq!(country_name_in(&s, lang), None, "{:?} in {}", s, lang);
        }
    }
}

// ================================================================= markdown

/// The tags the renderer may produce (CommonMark + GFM tables, strikethrough,
/// autolinks; headings start at h2; no images, no raw HTML).
const ALLOWED_TAGS: &[&str] = &[
    "p",
    "a",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
];

#[derive(Debug)]
struct Tag {
    name: String,
    closing: bool,
    attrs: Vec<(String, String)>,
}

/// The tags of `html`, with their attributes (values entity-decoded), read
/// the way a browser reads them. Comments are skipped; a `<` that does not
/// start a tag is text.
fn tags(html: &str) -> Result<Vec<Tag>, String> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off;
        if html[i..].starts_with("<!--") {
            let end = html[i..].find("-->").ok_or("unterminated comment")?;
            i += end + 3;
            continue;
        }
        let closing = b.get(i + 1) == Some(&b'/');
        let start = i + 1 + usize::from(closing);
        if !b.get(start).is_some_and(u8::is_ascii_alphabetic) {
            // `<` followed by anything else: a browser treats it as text
            // (`<!`, `<?` start bogus comments: reject them outright).
            if matches!(b.get(i + 1), Some(b'!' | b'?')) {
                return Err(format!("bogus comment at {i}"));
            }
            i += 1;
            continue;
        }
        let mut j = start;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'/' && b[j] != b'>' {
            j += 1;
        }
        let name = html[start..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() {
                return Err(format!("unterminated tag `{name}`"));
            }
            if b[j] == b'>' {
                j += 1;
                break;
            }
            let a = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !b"/>=".contains(&b[j]) {
                j += 1;
            }
            let attr = html[a..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if b.get(j) == Some(&b'=') {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                match b.get(j) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let end = html[j + 1..]
                            .find(q as char)
                            .ok_or("unterminated attribute")?;
                        value = html[j + 1..j + 1 + end].to_string();
                        j += end + 2;
                    }
                    _ => {
                        let v = j;
                        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                            j += 1;
                        }
                        value = html[v..j].to_string();
                    }
                }
            }
            attrs.push((attr, decode_entities(&value)));
        }
        out.push(Tag {
            name,
            closing,
            attrs,
        });
        i = j;
    }
    Ok(out)
}

/// The character references a browser decodes in an attribute value, for
/// the characters that matter to a scheme (`&#106;`, `&#x3A;`, `&colon;`,
/// `&Tab;`, …); unknown named ones are kept as they are.
fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let body = &rest[1..e];
            let c = if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = body.strip_prefix('#') {
                dec.parse().ok().and_then(char::from_u32)
            } else {
                match body {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "colon" => Some(':'),
                    "Tab" => Some('\t'),
                    "NewLine" => Some('\n'),
                    _ => None,
                }
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The scheme of a URL as a browser sees it: leading C0 controls and spaces
/// are dropped, tabs and newlines anywhere are removed; `None` for a
/// relative URL.
fn browser_scheme(url: &str) -> Option<String> {
    let u: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let colon = u.find(':')?;
    let scheme = &u[..colon];
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then(|| scheme.to_ascii_lowercase())
}

/// The oracle itself: it must see what a browser sees, or the markdown
/// properties would pass vacuously.
#[test]
fn the_html_oracle_reads_tags_like_a_browser() {
    let t = tags(
        "<p><a href=\"https://x\" title=\"ti&quot;tle onclick=x\">t</a><!-- raw HTML omitted --> &lt;b&gt;</p>\
         <td align=left><img src=x onerror = 'alert(1)'/><a href=&#106;avascript&colon;x>",
    )
    .unwrap();
    let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["p", "a", "a", "p", "td", "img", "a"]);
    assert!(t[2].closing && !t[1].closing);
    assert_eq!(
        t[1].attrs,
        [
            ("href".into(), "https://x".into()),
            ("title".into(), "ti\"tle onclick=x".into())
        ]
    );
    assert_eq!(t[4].attrs, [("align".to_string(), "left".to_string())]);
    assert_eq!(
        t[5].attrs[1],
        ("onerror".to_string(), "alert(1)".to_string())
    );
    assert_eq!(t[6].attrs[0].1, "javascript:x");
    for (url, scheme) in [
        ("https://x", Some("https")),
        (" \u{1}JaVa\tScript:x", Some("javascript")),
        ("mailto:a@b", Some("mailto")),
        ("../a.html", None),
        ("#top", None),
        ("a/b:c", None),
        ("1x:y", None),
    ] {
        assert_eq!(browser_scheme(url).as_deref(), scheme, "{url:?}");
    }
}

/// Markdown and HTML pieces that attack the renderer, mixed with noise.
fn hostile_markdown() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//x.example/a.js></SCRIPT>",
        "<scr<script>ipt>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<iframe src=javascript:alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<div onclick=\"x\">",
        "<style>*{}</style>",
        "<!-- c -->",
        "<![CDATA[x]]>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x](java\tscript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](&#x6A;avascript&#x3A;alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox)",
        "[x](//evil.example)",
        "[x](https://example.org \"t\" onclick=\"x\")",
        "[x](https://example.org ' onmouseover=x ')",
        "[x](https://ok.example/\"onmouseover=\"x)",
        "[x][r]",
        "[r]: javascript:alert(1)\n",
        "[r]: https://example.org \"title\" \n",
        "![i](javascript:alert(1))",
        "![i](https://x.example/i.png \"t\")",
        "<javascript:alert(1)>",
        "<https://example.org>",
        "<mailto:a@b.example>",
        "www.example.org",
        "https://example.org/?a=<b>&c=\"d\"",
        "x@example.org",
        "`<script>`",
        "```html\n<script>alert(1)</script>\n```\n",
        "```\" onclick=x\n```\n",
        "# h1\n",
        "###### h6\n",
        "| a | b |\n|:--|--:|\n| <b onclick=x> | [y](javascript:1) |\n",
        "&lt;script&gt;",
        "&#60;script&#62;",
        "\\<script>",
        "~~del~~",
        "**b** _e_",
        "\n",
        "\n\n",
        " ",
        "> ",
        "- ",
        "1. ",
        "    ",
        "\"",
        "'",
        "<",
        ">",
        "&",
        "=",
        "on",
        "[",
        "](",
        ")",
        "\u{202e}",
        "\0",
    ]);
    let piece = prop_oneof![
        3 => pieces.prop_map(str::to_string),
        1 => "[ -~]{0,16}",
        1 => any::<String>(),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn rendered_markdown_is_inert(text in hostile_markdown()) {
        let html = render(&text).0;
        let lower = html.to_ascii_lowercase();
        prop_assert!(!lower.contains("<script"), "{:?}\n→ {}", text, html);
        prop_assert!(!lower.contains("href=\"javascript:"), "{:?}\n→ {}", text, html);
        let tags = tags(&html);
        prop_assert!(tags.is_ok(), "{:?}\n→ {}\n{:?}", text, html, tags);
        let mut previous_heading = 1u8;
        for tag in tags.unwrap() {
            prop_assert!(
                ALLOWED_TAGS.contains(&tag.name.as_str()),
                "tag <{}> from {:?}\n→ {}", tag.name, text, html
            );
            for (attr, value) in &tag.attrs {
                prop_assert!(
                    !attr.starts_with("on") && !matches!(attr.as_str(), "src" | "srcdoc" | "style" | "formaction"),
                    "attribute {}={:?} on <{}> from {:?}\n→ {}", attr, value, tag.name, text, html
                );
                if attr == "href" {
                    let scheme = browser_scheme(value);
                    prop_assert!(
                        scheme.as_deref().is_none_or(|s| matches!(s, "http" | "https" | "mailto")),
                        "href={:?} from {:?}\n→ {}", value, text, html
                    );
                    prop_assert!(!value.starts_with("//"), "href={:?} from {:?}", value, text);
                }
            }
            // Headings: none is an h1 and none skips a level.
            if !tag.closing && let Some(level) = tag.name.strip_prefix('h').and_then(|l| l.parse::<u8>().ok()) {
                prop_assert!(level >= 2 && level <= previous_heading + 1, "{:?}\n→ {}", text, html);
                previous_heading = level;
            }
        }
    }

    #[test]
    fn any_link_target_renders_to_a_safe_href(url in prop_oneof![
        "[ \t]{0,2}[a-zA-Z][a-zA-Z0-9+.-]{0,8}:[ -~]{0,12}",
        "[ -~]{0,20}",
        any::<String>(),
    ]) {
        for text in [format!("[x](<{url}>)"), format!("[x]({url})"), format!("[x][r]\n\n[r]: <{url}>\n"), format!("<{url}>")] {
            let html = render(&text).0;
            for tag in tags(&html).unwrap_or_default() {
                for (attr, value) in &tag.attrs {
                    if attr == "href" {
                        let scheme = browser_scheme(value);
                        prop_assert!(
                            scheme.as_deref().is_none_or(|s| matches!(s, "http" | "https" | "mailto")),
                            "href={:?} from {:?}\n→ {}", value, text, html
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn urls_with_another_scheme_are_refused(
        pad in "[ \t\n\r]{0,3}",
        scheme in "[a-zA-Z][a-zA-Z0-9+.-]{0,10}",
        rest in prop_oneof!["[ -~]{0,16}", any::<String>()],
    ) {
        prop_assume!(!matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https" | "mailto"));
        let url = format!("{pad}{scheme}:{rest}");
        prop_assert!(!allowed_url(&url), "{:?} is allowed", url);
    }

    #[test]
    fn allowed_url_follows_its_rule(s in prop_oneof![
        "[ \t]{0,2}[a-zA-Z:/?#. -]{0,16}",
        "[ -~]{0,20}",
        any::<String>(),
    ]) {
        let t = s.trim_start();
        let before = t.split(['/', '?', '#']).next().unwrap_or("");
        if let Some(colon) = before.find(':') {
            let scheme = t[..colon].to_ascii_lowercase();
            if !matches!(scheme.as_str(), "http" | "https" | "mailto") {
                prop_assert!(!allowed_url(&s), "{:?} is allowed", s);
            }
        }
        if allowed_url(&s) {
            let scheme = browser_scheme(&s);
            prop_assert!(
                scheme.as_deref().is_none_or(|x| matches!(x, "http" | "https" | "mailto")),
                "{:?} is allowed but a browser reads the scheme {:?}", s, scheme
            );
        }
    }
}

// ========================================================== unclosed_before

/// TOML-ish text: the brackets, quotes, comments and escapes the bracket
/// finder walks over, plus multi-byte characters right next to them.
fn toml_like() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "[",
        "]",
        "{",
        "}",
        "[[",
        "]]",
        "\"",
        "'",
        "\"\"\"",
        "'''",
        "\\",
        "\\\"",
        "#",
        "\n",
        "\r\n",
        " ",
        "\t",
        "=",
        ",",
        "x",
        "a = ",
        "[t]\n",
        "[[r]]\n",
        "list = [",
        "t = {",
        "1",
        "\"s\"",
        "é",
        "€",
        "😀",
        "\u{feff}",
        "ß[",
        "é\"",
        "\\é",
        "\"\\😀",
        "? ",
        "= =",
        "\u{0}",
        "\u{7f}",
        // a list or inline table left open, then a later line the parser trips on
        "purposes = [\"a\",\n",
        "legal_bases = [\n",
        "dpia = {",
        "x = [[1,\n",
        "\"é\", ",
        "\nnext = bare\n",
        "\nnext = 1\n",
        "\n[section]\n",
        "\ny = ?\n",
        "€ = 1\n",
    ]);
    let noise = || {
        prop::collection::vec(
            prop_oneof![4 => pieces.clone().prop_map(str::to_string), 1 => any::<String>()],
            0..20,
        )
        .prop_map(|v| v.concat())
    };
    // A value opened on one line and a later line that does not fit in it.
    let open = prop::sample::select(vec![
        "[",
        "{",
        "[\"é\",",
        "[[",
        "{ a = [",
        "[ # é ]\n",
        "[\"\"\"\n]\"\"\",",
    ]);
    let trip = prop::sample::select(vec!["next = bare", "€ = ?", "x = [1", "[t]", "}", "]]"]);
    prop_oneof![
        noise(),
        (noise(), open, noise(), trip, noise())
            .prop_map(|(a, open, b, trip, c)| format!("{a}\nk = {open}{b}\n{trip}\n{c}")),
    ]
}

proptest! {
    #![proptest_config(config(BINARY_CASES))]

    /// Through the binary (`unclosed_before` is private): arbitrary text in a
    /// registry file never crashes the check, and when the syntax error is
    /// blamed on a bracket, the position shown is that bracket.
    #[test]
    fn syntax_errors_never_crash_and_point_at_a_bracket(
        texts in prop::collection::vec(toml_like(), 1..16),
    ) {
        let reg = TempRegistry::minimal();
        for (i, t) in texts.iter().enumerate() {
            reg.write(&format!("activities/fuzz-{i}.toml"), format!("name = \"x\"\n{t}"));
        }
        let (run, diags) = check_json(&reg);
        prop_assert!(matches!(run.code, Some(0 | 1)), "exit {:?}\n{}", run.code, run.stderr);
        for d in diags.iter().filter(|d| d.code == "syntax" && d.message.contains("is never closed")) {
            let bracket = if d.message.contains("`[`") { "[" } else { "{" };
            let (line, col) = (d.line.expect("a line"), d.column.expect("a column"));
            let at = common::text_at(&reg.join(&d.file), line, col);
            prop_assert!(at.starts_with(bracket), "{:#?} points at {:?}", d, at);
        }
    }
}

// The function itself, for offsets the binary cannot produce. It is private
// and self-contained (no `crate::` paths), so the test compiles its source
// file as a module of its own; src/ is not changed. (Its two unit tests
// compile along with it and run here too.)
#[path = "../src/load/unclosed.rs"]
mod unclosed;

proptest! {
    #![proptest_config(config(CASES))]

    /// At a character boundary (what its caller passes: the start of a TOML
    /// error span) it never panics, and a bracket it returns is a `[`/`{`
    /// before the offset, on an earlier line.
    #[test]
    fn unclosed_before_at_char_boundaries(text in toml_like(), at in any::<prop::sample::Index>()) {
        let bounds: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        let at = bounds[at.index(bounds.len())];
        if let Some(open) = unclosed::unclosed_before(&text, at) {
            prop_assert!(open < at, "{:?} at {} → {}", text, at, open);
            prop_assert!(matches!(text.as_bytes()[open], b'[' | b'{'), "{:?} at {} → {}", text, at, open);
            prop_assert!(text[open..at].contains('\n'), "{:?} at {} → {} is on the same line", text, at, open);
        }
        // offsets past the end are the end
        prop_assert_eq!(
            unclosed::unclosed_before(&text, text.len() + 1 + at),
            unclosed::unclosed_before(&text, text.len())
        );
    }

    // Regression (fixed): `unclosed_before` panicked when `error_at` is not a char boundary:
    // after the scan it slices `text[..end]` (src/load/unclosed.rs, the
    // `error_line` computation) with `end = error_at.min(len)` unchecked.
    // Minimal input: unclosed_before("{é", 2) (2 is inside `é`, bytes 1..3).
    // Expected: no panic (e.g. round `end` down to a char boundary, or
    // count newlines on bytes). Actual: "byte index 2 is not a char
    // boundary". Not reached through `ropa check` in these tests: its only
    // caller passes the start of a TOML error span, which has always been a
    // char boundary (see `syntax_errors_never_crash_and_point_at_a_bracket`).
    #[test]
    fn unclosed_before_never_panics_at_any_offset(text in toml_like(), at in 0usize..512) {
        let _ = unclosed::unclosed_before(&text, at);
    }
}
