//! Value types of the registry format: dates, ISO 8601 durations, spans.

use std::fmt;
use std::ops::Range;

/// A value with the byte range it came from in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sp<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Range<usize>) -> Self {
        Sp { value, span }
    }
}

impl<T> std::ops::Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// A calendar date (TOML local date). Ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// `YYYY-MM-DD`, nothing else.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: Range<usize>| -> Option<u32> {
            let part = s.get(r)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        Date::new(
            digits(0..4)? as i32,
            digits(5..7)? as u8,
            digits(8..10)? as u8,
        )
    }

    /// The UTC date of a Unix timestamp (seconds), as used by `SOURCE_DATE_EPOCH`.
    pub fn from_unix_seconds(secs: i64) -> Option<Date> {
        let days = secs.div_euclid(86_400);
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::new(i32::try_from(y).ok()?, m as u8, d as u8)
    }

    /// The same day `months` later, clamped to the month's last day
    /// (2026-01-31 + 1 month = 2026-02-28).
    pub fn add_months(self, months: u32) -> Date {
        // Past the last representable month the result saturates at the
        // last day (clamping only the year kept the month and went backwards).
        let total = self.year as i64 * 12 + (self.month as i64 - 1) + months as i64;
        if total > 9999 * 12 + 11 {
            return Date {
                year: 9999,
                month: 12,
                day: 31,
            };
        }
        let year = (total / 12) as i32;
        let month = (total % 12 + 1) as u8;
        let day = self.day.min(days_in_month(year, month));
        Date { year, month, day }
    }
}

impl Date {
    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    fn day_number(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day `days` later, saturating at 9999-12-31.
    pub fn add_days(self, days: u32) -> Date {
        Date::from_unix_seconds((self.day_number() + i64::from(days)) * 86_400).unwrap_or(Date {
            year: 9999,
            month: 12,
            day: 31,
        })
    }

    /// How many days `self` is after `earlier` (negative when before).
    pub fn days_after(self, earlier: Date) -> i64 {
        self.day_number() - earlier.day_number()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// An ISO 8601 duration such as `P30D`, `P6M`, `P2Y`, `P1Y6M`, `PT12H`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IsoDuration {
    pub text: String,
    pub years: u32,
    pub months: u32,
    pub weeks: u32,
    pub days: u32,
    pub hours: u32,
    pub minutes: u32,
    pub seconds: u32,
}

impl IsoDuration {
    /// Parses `P[nY][nM][nW][nD][T[nH][nM][nS]]` with at least one part.
    /// Fractions and negative durations are not accepted: a retention
    /// period is a whole number of units.
    pub fn parse(s: &str) -> Option<IsoDuration> {
        let rest = s.strip_prefix('P')?;
        let mut d = IsoDuration {
            text: s.to_string(),
            ..Default::default()
        };
        let mut in_time = false;
        let mut num = String::new();
        let mut parts = 0;
        let mut last_rank = 0u8; // designators must come in order
        let mut time_parts = 0;
        for c in rest.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            if c == 'T' {
                if in_time || !num.is_empty() {
                    return None;
                }
                in_time = true;
                continue;
            }
            if num.is_empty() {
                return None;
            }
            let n: u32 = num.parse().ok()?;
            num.clear();
            let (slot, rank) = match (in_time, c) {
                (false, 'Y') => (&mut d.years, 1),
                (false, 'M') => (&mut d.months, 2),
                (false, 'W') => (&mut d.weeks, 3),
                (false, 'D') => (&mut d.days, 4),
                (true, 'H') => (&mut d.hours, 5),
                (true, 'M') => (&mut d.minutes, 6),
                (true, 'S') => (&mut d.seconds, 7),
                _ => return None,
            };
            if rank <= last_rank {
                return None;
            }
            last_rank = rank;
            *slot = n;
            parts += 1;
            if in_time {
                time_parts += 1;
            }
        }
        if !num.is_empty() || parts == 0 || (in_time && time_parts == 0) {
            return None;
        }
        Some(d)
    }
}

// JSON Schema of the registry files (`ropa schema`, docs/editing.md): a
// spanned value is its value; a date is a TOML local date, which TOML
// editors (taplo) check as a string in `format: date`; a duration is a
// string of the ISO 8601 form accepted above.
impl<T: schemars::JsonSchema> schemars::JsonSchema for Sp<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "A date, written as a TOML date without quotes: 2026-06-01."
        })
    }
}

impl schemars::JsonSchema for IsoDuration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "IsoDuration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^P(?!$)([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?$",
            "description": "An ISO 8601 duration: P30D (30 days), P6M (6 months), P2Y (2 years), P1Y6M."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_validate() {
        assert_eq!(Date::parse("2026-03-01"), Date::new(2026, 3, 1));
        assert!(Date::parse("2026-02-29").is_none());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2026-3-1").is_none());
        assert!(Date::parse("2026-13-01").is_none());
        assert!(Date::parse("+026-03-01").is_none());
    }

    #[test]
    fn days_are_added_and_counted_across_months_and_leap_years() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(d("2026-12-01").add_days(60), d("2027-01-30"));
        assert_eq!(d("2024-02-28").add_days(1), d("2024-02-29"));
        assert_eq!(d("1969-12-31").add_days(1), d("1970-01-01"));
        assert_eq!(d("9999-12-30").add_days(5), d("9999-12-31"));
        assert_eq!(d("2027-01-30").days_after(d("2026-12-01")), 60);
        assert_eq!(d("2026-12-01").days_after(d("2027-01-30")), -60);
    }

    #[test]
    fn unix_seconds_to_date() {
        assert_eq!(Date::from_unix_seconds(0), Date::new(1970, 1, 1));
        assert_eq!(
            Date::from_unix_seconds(1_700_000_000),
            Date::new(2023, 11, 14)
        );
        assert_eq!(Date::from_unix_seconds(951_782_400), Date::new(2000, 2, 29));
        assert_eq!(Date::from_unix_seconds(-86_400), Date::new(1969, 12, 31));
    }

    #[test]
    fn add_months_clamps() {
        let d = Date::new(2026, 1, 31).unwrap();
        assert_eq!(d.add_months(1), Date::new(2026, 2, 28).unwrap());
        assert_eq!(d.add_months(12), Date::new(2027, 1, 31).unwrap());
        assert_eq!(
            Date::new(2024, 2, 29).unwrap().add_months(12),
            Date::new(2025, 2, 28).unwrap()
        );
    }

    #[test]
    fn durations() {
        let d = IsoDuration::parse("P1Y6M").unwrap();
        assert_eq!((d.years, d.months), (1, 6));
        assert_eq!(IsoDuration::parse("P30D").unwrap().days, 30);
        assert_eq!(IsoDuration::parse("PT12H").unwrap().hours, 12);
        for bad in [
            "", "P", "PT", "2Y", "P2", "P2Y2Y", "P1M1Y", "P-1D", "P1.5Y", "p2y", "P1DT",
        ] {
            assert!(IsoDuration::parse(bad).is_none(), "{bad}");
        }
    }
}
