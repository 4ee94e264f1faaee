//! The site's own words, by language. English is complete and the fallback.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::model::{Date, IsoDuration};

/// Embedded translation tables: (language code, TOML of `key = "text"`).
const TABLES: &[(&str, &str)] = &[
    ("en", include_str!("../../themes/default/i18n/en.toml")),
    ("nl", include_str!("../../themes/default/i18n/nl.toml")),
    ("de", include_str!("../../themes/default/i18n/de.toml")),
    ("fr", include_str!("../../themes/default/i18n/fr.toml")),
];

fn parse(text: &str) -> HashMap<String, String> {
    toml::from_str::<HashMap<String, String>>(text).unwrap_or_default()
}

fn tables() -> &'static HashMap<&'static str, HashMap<String, String>> {
    static T: OnceLock<HashMap<&'static str, HashMap<String, String>>> = OnceLock::new();
    T.get_or_init(|| {
        TABLES
            .iter()
            .map(|(lang, text)| (*lang, parse(text)))
            .collect()
    })
}

/// Translator for one language, falling back to English, then to the key.
/// The two tables are merged once, so a lookup is one hash probe.
#[derive(Clone, Debug)]
pub struct Tr {
    pub lang: String,
    words: rustc_hash::FxHashMap<String, String>,
}

impl Tr {
    /// `language` from `[site] language`; unknown languages read English
    /// but keep their code for `<html lang>`.
    pub fn new(language: Option<&str>) -> Tr {
        // `nl_NL` is how locales are often written; an HTML `lang` takes
        // the BCP 47 form, `nl-nl`.
        let lang = language
            .map(|l| l.trim().to_ascii_lowercase().replace('_', "-"))
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "en".into());
        let primary = lang.split(['-', '_']).next().unwrap_or("en");
        let t = tables();
        let mut words: rustc_hash::FxHashMap<String, String> = t
            .get("en")
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        if let Some(own) = t.get(primary) {
            words.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        Tr { lang, words }
    }

    /// The primary language subtag: `nl` for `nl-BE`.
    pub fn primary(&self) -> &str {
        self.lang.split(['-', '_']).next().unwrap_or("en")
    }

    pub fn t<'s>(&'s self, key: &'s str) -> &'s str {
        self.words.get(key).map_or(key, |s| s.as_str())
    }

    /// The label of an enum value: `label("legal-basis", "contract")`.
    pub fn label<'s>(&'s self, group: &str, value: &'s str) -> &'s str {
        // The key is put together on the stack: labels are looked up tens
        // of thousands of times a build.
        let mut buf = [0u8; 96];
        let n = group.len() + 1 + value.len();
        let found = if n <= buf.len() {
            buf[..group.len()].copy_from_slice(group.as_bytes());
            buf[group.len()] = b'.';
            buf[group.len() + 1..n].copy_from_slice(value.as_bytes());
            std::str::from_utf8(&buf[..n])
                .ok()
                .and_then(|key| self.words.get(key))
        } else {
            self.words.get(&format!("{group}.{value}"))
        };
        found.map_or(value, |s| s.as_str())
    }

    /// A date in words, as the language writes it (`1 March 2026`).
    pub fn date(&self, d: &Date) -> String {
        self.date_text(d).to_string()
    }

    /// The same, written where it is displayed, without a string of its own.
    pub fn date_text(&self, d: &Date) -> DateText<'_> {
        DateText {
            format: self.t("date.format"),
            month: self.t(MONTH_KEYS[(d.month as usize).saturating_sub(1).min(11)]),
            day: d.day,
            year: d.year,
        }
    }
}

impl Tr {
    /// A retention period in words, as the language writes it: `P30D` →
    /// "30 days", `P1Y6M` → "1 year and 6 months" ("1 jaar en 6 maanden").
    /// Parts that are zero are left out; a period of only zeros reads
    /// "0 days". The registry and the JSON register keep the ISO form.
    pub fn duration(&self, d: &IsoDuration) -> String {
        let parts = [
            (d.years, "duration.year"),
            (d.months, "duration.month"),
            (d.weeks, "duration.week"),
            (d.days, "duration.day"),
            (d.hours, "duration.hour"),
            (d.minutes, "duration.minute"),
            (d.seconds, "duration.second"),
        ];
        let mut words: Vec<String> = parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, key)| self.count(*n, key))
            .collect();
        if words.is_empty() {
            words.push(self.count(0, "duration.day"));
        }
        match words.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} {} {last}", rest.join(", "), self.t("duration.and")),
            None => String::new(),
        }
    }

    /// "1 day", "30 days": the `.one` or `.other` form of `key` with `{n}`
    /// filled in. French counts 0 as one ("0 jour"), the others as many.
    fn count(&self, n: u32, key: &str) -> String {
        let one = n == 1 || (n == 0 && self.primary() == "fr");
        let form = if one { "one" } else { "other" };
        self.t(&format!("{key}.{form}"))
            .replace("{n}", &n.to_string())
    }
}

/// A date in words: the language's `date.format` with `{day}`, `{month}`
/// and `{year}` filled in.
pub struct DateText<'t> {
    format: &'t str,
    month: &'t str,
    day: u8,
    year: i32,
}

impl std::fmt::Display for DateText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.format;
        while let Some(open) = rest.find('{') {
            f.write_str(&rest[..open])?;
            let after = &rest[open..];
            if let Some(tail) = after.strip_prefix("{day}") {
                write!(f, "{}", self.day)?;
                rest = tail;
            } else if let Some(tail) = after.strip_prefix("{month}") {
                f.write_str(self.month)?;
                rest = tail;
            } else if let Some(tail) = after.strip_prefix("{year}") {
                write!(f, "{}", self.year)?;
                rest = tail;
            } else {
                f.write_str("{")?;
                rest = &after[1..];
            }
        }
        f.write_str(rest)
    }
}

/// The keys of the months' names, January first.
pub const MONTH_KEYS: [&str; 12] = [
    "month.1", "month.2", "month.3", "month.4", "month.5", "month.6", "month.7", "month.8",
    "month.9", "month.10", "month.11", "month.12",
];

/// Every key of a language's table (for tests that check completeness).
pub fn keys(lang: &str) -> Vec<String> {
    let mut k: Vec<String> = tables()
        .get(lang)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

pub fn languages() -> Vec<&'static str> {
    TABLES.iter().map(|(l, _)| *l).collect()
}

/// Whether the site can be written in `code` (`[site] language`): a
/// language with a table, in any case, optionally with a region (`nl-BE`,
/// `nl_NL`, `es-419`). The page's `lang` must name the language its words
/// are in, so a language without a table is not accepted.
pub fn is_site_language(code: &str) -> bool {
    let mut parts = code.split(['-', '_']);
    let primary = parts.next().unwrap_or("").to_ascii_lowercase();
    let region = parts.next();
    let region_ok = region.is_none_or(|r| {
        (r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()))
            || (r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit()))
    });
    TABLES.iter().any(|(l, _)| *l == primary) && region_ok && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_languages_are_those_with_a_table_and_a_region() {
        for ok in ["en", "nl", "DE", "fr", "nl-BE", "nl_NL", "en-GB", "en-419"] {
            assert!(is_site_language(ok), "{ok}");
        }
        for bad in [
            "",
            "sv",
            "it",
            "xx",
            "en-",
            "en-GBR",
            "en-GB-x",
            "en\" onload",
            "n\u{1b}l",
            "nl-B3",
        ] {
            assert!(!is_site_language(bad), "{bad:?}");
        }
    }

    #[test]
    fn english_table_parses_and_formats_dates() {
        assert!(keys("en").len() > 50);
        let tr = Tr::new(None);
        assert_eq!(tr.date(&Date::new(2026, 3, 1).unwrap()), "1 March 2026");
        assert_eq!(
            tr.label("legal-basis", "contract"),
            "Contract (Art. 6(1)(b))"
        );
        assert_eq!(tr.t("no.such.key"), "no.such.key");
    }

    /// Every key a template uses exists in the English table.
    #[test]
    fn templates_use_only_known_keys() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates");
        let en: std::collections::HashSet<String> = keys("en").into_iter().collect();
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                if !en.contains(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from en.toml:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn languages_are_english_dutch_german_french() {
        assert_eq!(languages(), vec!["en", "nl", "de", "fr"]);
    }

    /// Each shipped table parses and has exactly the keys of en.toml: none
    /// missing (no English would leak through), none extra (no typo'd key).
    #[test]
    fn every_language_has_exactly_the_english_keys() {
        let en: std::collections::BTreeSet<String> = keys("en").into_iter().collect();
        for (lang, text) in TABLES {
            let parsed = toml::from_str::<HashMap<String, String>>(text)
                .unwrap_or_else(|e| panic!("{lang}.toml does not parse: {e}"));
            let own: std::collections::BTreeSet<String> = parsed.keys().cloned().collect();
            let missing: Vec<_> = en.difference(&own).collect();
            let extra: Vec<_> = own.difference(&en).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang}.toml: missing {missing:?}, extra {extra:?}"
            );
            for (k, v) in &parsed {
                assert!(!v.trim().is_empty(), "{lang}.toml: {k} is empty");
            }
            let format = &parsed["date.format"];
            for part in ["{day}", "{month}", "{year}"] {
                assert!(
                    format.contains(part),
                    "{lang}.toml: date.format lacks {part}"
                );
            }
        }
    }

    /// The translated tables really are translated: the words that differ
    /// in every language (legal bases, mechanisms, headings) are not English.
    #[test]
    fn translations_differ_from_english() {
        let en = Tr::new(Some("en"));
        for lang in ["nl", "de", "fr"] {
            let tr = Tr::new(Some(lang));
            for key in [
                "nav.activities",
                "nav.processors",
                "nav.transfers",
                "activity.purposes",
                "activity.legal-bases",
                "legal-basis.contract",
                "legal-basis.legitimate-interests",
                "mechanism.scc",
                "mechanism.bcr",
                "mechanism.adequacy",
                "role.controller",
                "role.processor",
                "index.title",
                "month.3",
            ] {
                assert_ne!(tr.t(key), en.t(key), "{lang}: {key} is still English");
            }
        }
    }

    #[test]
    fn dutch_labels_and_dates() {
        let tr = Tr::new(Some("nl"));
        assert_eq!(tr.lang, "nl");
        assert_eq!(tr.date(&Date::new(2026, 3, 1).unwrap()), "1 maart 2026");
        assert_eq!(
            tr.date(&Date::new(2026, 11, 24).unwrap()),
            "24 november 2026"
        );
        assert_eq!(
            tr.label("legal-basis", "contract"),
            "Uitvoering van een overeenkomst (art. 6, lid 1, onder b)"
        );
        assert_eq!(
            tr.label("legal-basis-short", "legitimate-interests"),
            "Gerechtvaardigd belang"
        );
        assert_eq!(
            tr.label("mechanism", "scc"),
            "Standaardcontractbepalingen (art. 46, lid 2, onder c)"
        );
        assert_eq!(
            tr.label("role", "controller"),
            "Verwerkingsverantwoordelijke"
        );
        assert_eq!(tr.label("role", "processor"), "Verwerker");
        assert_eq!(tr.t("activity.legal-bases"), "Rechtsgrondslag");
        assert_eq!(tr.t("org.dpo"), "Functionaris voor gegevensbescherming");
        assert_eq!(tr.t("index.title"), "Register van verwerkingsactiviteiten");
        // An unknown enum value still reads as the raw value, an unknown key as the key.
        assert_eq!(tr.label("legal-basis", "no-such-basis"), "no-such-basis");
        assert_eq!(tr.t("no.such.key"), "no.such.key");
    }

    #[test]
    fn german_and_french_dates_and_labels() {
        let de = Tr::new(Some("de"));
        assert_eq!(de.date(&Date::new(2026, 3, 1).unwrap()), "1. März 2026");
        assert_eq!(
            de.label("legal-basis", "contract"),
            "Vertragserfüllung (Art. 6 Abs. 1 lit. b)"
        );
        assert_eq!(
            de.label("mechanism", "scc"),
            "Standardvertragsklauseln (Art. 46 Abs. 2 lit. c)"
        );
        assert_eq!(de.label("role", "processor"), "Auftragsverarbeiter");

        let fr = Tr::new(Some("fr"));
        assert_eq!(fr.date(&Date::new(2026, 3, 1).unwrap()), "1 mars 2026");
        assert_eq!(fr.date(&Date::new(2026, 8, 15).unwrap()), "15 août 2026");
        assert_eq!(
            fr.label("legal-basis", "contract"),
            "Exécution d'un contrat (art. 6, paragraphe 1, point b))"
        );
        assert_eq!(
            fr.label("mechanism", "scc"),
            "Clauses contractuelles types (art. 46, paragraphe 2, point c))"
        );
        assert_eq!(fr.label("role", "controller"), "Responsable du traitement");
    }

    /// A region or a different case picks the language's table, and the
    /// code is kept as written (lower-cased) for `<html lang>`.
    #[test]
    fn regional_and_uppercase_codes_fall_back_to_the_language() {
        for code in ["nl-BE", "NL", "nl_NL", " nl "] {
            let tr = Tr::new(Some(code));
            assert_eq!(tr.t("activity.purposes"), "Doeleinden", "{code}");
            assert_eq!(
                tr.date(&Date::new(2026, 3, 1).unwrap()),
                "1 maart 2026",
                "{code}"
            );
        }
        assert_eq!(Tr::new(Some("nl-BE")).lang, "nl-be");
        // A valid `lang` for HTML: BCP 47 separates with hyphens.
        assert_eq!(Tr::new(Some("nl_NL")).lang, "nl-nl");
        assert_eq!(Tr::new(Some("DE-at")).t("activity.purposes"), "Zwecke");
        assert_eq!(Tr::new(Some("fr-CA")).t("activity.purposes"), "Finalités");
    }

    /// A language without a table reads English but keeps its code.
    #[test]
    fn unknown_language_falls_back_to_english() {
        for code in ["sv", "sv-SE", "xx"] {
            let tr = Tr::new(Some(code));
            assert_eq!(tr.t("activity.purposes"), "Purposes", "{code}");
            assert_eq!(
                tr.label("legal-basis", "contract"),
                "Contract (Art. 6(1)(b))"
            );
            assert_eq!(tr.date(&Date::new(2026, 3, 1).unwrap()), "1 March 2026");
        }
        assert_eq!(Tr::new(Some("sv")).lang, "sv");
        assert_eq!(Tr::new(Some("")).lang, "en");
        assert_eq!(Tr::new(None).t("activity.purposes"), "Purposes");
    }

    #[test]
    fn date_text_fills_each_placeholder_and_keeps_other_braces() {
        let d = DateText {
            format: "{year}-{month}-{day} {x} {",
            month: "March",
            day: 1,
            year: 2026,
        };
        assert_eq!(d.to_string(), "2026-March-1 {x} {");
        let d = DateText {
            format: "{day}{day}",
            month: "",
            day: 31,
            year: 0,
        };
        assert_eq!(d.to_string(), "3131");
    }

    #[test]
    fn labels_with_long_or_unknown_values_fall_back_to_the_value() {
        let tr = Tr::new(Some("en"));
        assert_eq!(
            tr.label("legal-basis", "contract"),
            "Contract (Art. 6(1)(b))"
        );
        let long = "x".repeat(200);
        assert_eq!(tr.label("legal-basis", &long), long);
        assert_eq!(
            tr.label("legal-basis", "nothing-like-this"),
            "nothing-like-this"
        );
        assert_eq!(tr.label("legal-basis", "é"), "é");
    }

    /// Retention periods read as words in each language, never as ISO 8601.
    #[test]
    fn durations_in_words_in_every_language() {
        let cases: &[(&str, [&str; 4])] = &[
            ("P30D", ["30 days", "30 dagen", "30 Tage", "30 jours"]),
            ("P1D", ["1 day", "1 dag", "1 Tag", "1 jour"]),
            ("P2Y", ["2 years", "2 jaar", "2 Jahre", "2 ans"]),
            ("P1Y", ["1 year", "1 jaar", "1 Jahr", "1 an"]),
            ("P6M", ["6 months", "6 maanden", "6 Monate", "6 mois"]),
            ("P1M", ["1 month", "1 maand", "1 Monat", "1 mois"]),
            (
                "P1Y6M",
                [
                    "1 year and 6 months",
                    "1 jaar en 6 maanden",
                    "1 Jahr und 6 Monate",
                    "1 an et 6 mois",
                ],
            ),
            ("PT12H", ["12 hours", "12 uur", "12 Stunden", "12 heures"]),
            ("PT1H", ["1 hour", "1 uur", "1 Stunde", "1 heure"]),
            ("P1W", ["1 week", "1 week", "1 Woche", "1 semaine"]),
            ("P2W", ["2 weeks", "2 weken", "2 Wochen", "2 semaines"]),
            (
                "P1Y2M3DT4H",
                [
                    "1 year, 2 months, 3 days and 4 hours",
                    "1 jaar, 2 maanden, 3 dagen en 4 uur",
                    "1 Jahr, 2 Monate, 3 Tage und 4 Stunden",
                    "1 an, 2 mois, 3 jours et 4 heures",
                ],
            ),
            (
                "PT1M30S",
                [
                    "1 minute and 30 seconds",
                    "1 minuut en 30 seconden",
                    "1 Minute und 30 Sekunden",
                    "1 minute et 30 secondes",
                ],
            ),
            ("P0D", ["0 days", "0 dagen", "0 Tage", "0 jour"]),
            ("P0Y30D", ["30 days", "30 dagen", "30 Tage", "30 jours"]),
        ];
        for (iso, want) in cases {
            let d = IsoDuration::parse(iso).unwrap();
            for (lang, w) in ["en", "nl", "de", "fr"].iter().zip(want) {
                assert_eq!(Tr::new(Some(lang)).duration(&d), *w, "{iso} in {lang}");
            }
        }
        // A language without a table reads English.
        let d = IsoDuration::parse("P30D").unwrap();
        assert_eq!(Tr::new(Some("sv")).duration(&d), "30 days");
    }
}
