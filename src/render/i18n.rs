//! The site's own words, by language. English is complete and the fallback.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::model::Date;

/// Embedded translation tables: (language code, TOML of `key = "text"`).
const TABLES: &[(&str, &str)] = &[("en", include_str!("../../themes/default/i18n/en.toml"))];

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
        let lang = language
            .map(|l| l.trim().to_ascii_lowercase())
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

    pub fn t<'s>(&'s self, key: &'s str) -> &'s str {
        self.words.get(key).map_or(key, |s| s.as_str())
    }

    /// The label of an enum value: `label("legal-basis", "contract")`.
    pub fn label<'s>(&'s self, group: &str, value: &'s str) -> &'s str {
        let mut key = String::with_capacity(group.len() + value.len() + 1);
        key.push_str(group);
        key.push('.');
        key.push_str(value);
        self.words.get(&key).map_or(value, |s| s.as_str())
    }

    /// A date in words, as the language writes it (`1 March 2026`).
    pub fn date(&self, d: &Date) -> String {
        let month = self.t(MONTH_KEYS[(d.month as usize).saturating_sub(1).min(11)]);
        self.t("date.format")
            .replace("{day}", &d.day.to_string())
            .replace("{month}", month)
            .replace("{year}", &d.year.to_string())
    }
}

const MONTH_KEYS: [&str; 12] = [
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
