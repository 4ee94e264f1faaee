//! Reference data bundled in the binary: ISO 3166-1 country codes, the EEA
//! and the Commission's adequacy decisions. Plain data: the bundled
//! adequacy list is decoded by `load` (`load::bundled_adequacy`), like a
//! registry's own.

// Fx hashing: country codes are looked up on every page (hundreds of
// thousands of times a build), and the keys are our own bundled data.
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

pub mod words;

/// The bundled adequacy list, as TOML (format of `registry/adequacy.toml`).
pub const BUNDLED_ADEQUACY: &str = include_str!("adequacy.toml");

/// ISO 3166-1 alpha-2 code and English short name, one per line, tab-separated.
const COUNTRIES_TSV: &str = include_str!("countries.tsv");

fn countries() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        COUNTRIES_TSV
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .collect()
    })
}

/// Is `code` an ISO 3166-1 alpha-2 code (upper case)?
pub fn is_country(code: &str) -> bool {
    countries().contains_key(code)
}

/// The code itself, as the bundled list holds it, when `code` is an ISO
/// 3166-1 alpha-2 code (upper case): a `&'static str` callers can keep.
pub fn country_code(code: &str) -> Option<&'static str> {
    countries().get_key_value(code).map(|(k, _)| *k)
}

/// English short name of a country code.
pub fn country_name(code: &str) -> Option<&'static str> {
    countries().get(code).copied()
}

/// Every bundled country with its English short name, in no order.
pub fn english_country_names() -> impl Iterator<Item = (&'static str, &'static str)> {
    countries().iter().map(|(code, name)| (*code, *name))
}

/// Country names in the site's other languages (from the ISO 3166 translations
/// that pycountry ships), one `CODE<TAB>name` per line.
const COUNTRY_NAMES: &[(&str, &str)] = &[
    ("nl", include_str!("countries.nl.tsv")),
    ("de", include_str!("countries.de.tsv")),
    ("fr", include_str!("countries.fr.tsv")),
];

/// The name of a country in `lang` (a primary language subtag), falling
/// back to English.
pub fn country_name_in(code: &str, lang: &str) -> Option<&'static str> {
    type Names = HashMap<&'static str, HashMap<&'static str, &'static str>>;
    static MAP: OnceLock<Names> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        COUNTRY_NAMES
            .iter()
            .map(|(l, tsv)| {
                (
                    *l,
                    tsv.lines()
                        .filter_map(|line| line.split_once('\t'))
                        .collect(),
                )
            })
            .collect()
    });
    map.get(lang)
        .and_then(|m| m.get(code).copied())
        .or_else(|| country_name(code))
}

/// ISO 3166-1 alpha-2 and alpha-3 codes, one pair per line, tab-separated.
const ALPHA3_TSV: &str = include_str!("countries-alpha3.tsv");

fn alpha3_pairs() -> impl Iterator<Item = (&'static str, &'static str)> {
    ALPHA3_TSV.lines().filter_map(|l| l.split_once('\t'))
}

/// The alpha-2 code of an ISO 3166-1 alpha-3 code (upper case): `GBR` → `GB`.
pub fn alpha2_of_alpha3(alpha3: &str) -> Option<&'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| alpha3_pairs().map(|(a2, a3)| (a3, a2)).collect())
        .get(alpha3)
        .copied()
}

/// The alpha-3 code of an ISO 3166-1 alpha-2 code (upper case): `GB` → `GBR`.
pub fn alpha3_of(alpha2: &str) -> Option<&'static str> {
    alpha3_pairs()
        .find(|(a2, _)| *a2 == alpha2)
        .map(|(_, a3)| a3)
}

/// Every country name the binary knows, in English and in the site's other
/// languages, with its alpha-2 code: what an importer matches names against.
pub fn all_country_names() -> impl Iterator<Item = (&'static str, &'static str)> {
    std::iter::once(COUNTRIES_TSV)
        .chain(COUNTRY_NAMES.iter().map(|(_, tsv)| *tsv))
        .flat_map(|tsv| tsv.lines().filter_map(|l| l.split_once('\t')))
}

/// A fix for a code that is not ISO 3166-1 alpha-2 but that people write.
pub fn country_hint(code: &str) -> Option<String> {
    if is_country(code) {
        return None;
    }
    let upper = code.trim().to_ascii_uppercase();
    let fixed = match upper.as_str() {
        "UK" => Some(("GB", "the ISO 3166-1 code of the United Kingdom is `GB`")),
        "EL" => Some((
            "GR",
            "the ISO 3166-1 code of Greece is `GR` (`EL` is the EU's own abbreviation)",
        )),
        "USA" => Some(("US", "use the two-letter code `US`")),
        "EU" | "EEA" => {
            return Some(
                "a transfer or location needs one country; `EU` is not a country code".into(),
            );
        }
        _ => None,
    };
    if let Some((_, why)) = fixed {
        return Some(why.to_string());
    }
    if upper != code && is_country(&upper) {
        return Some(format!("country codes are upper case: write `{upper}`"));
    }
    // A name or an alpha-3 code: "Germany", "Czech Republic", "DEU".
    if let Some(fix) = words::country(code) {
        let name = country_name(fix).unwrap_or(fix);
        return Some(format!(
            "did you mean `{fix}` ({name})? Countries are written as their two-letter ISO 3166-1 alpha-2 code"
        ));
    }
    if code.len() == 3 {
        return Some("use the two-letter ISO 3166-1 alpha-2 code (e.g. `SE`, `US`, `IN`)".into());
    }
    None
}

/// The age below which a child's consent to an information society service
/// needs the holder of parental responsibility (Art. 8(1)), for an
/// organisation established in `country`. Art. 8(1) lets each Member State
/// lower the age of 16 to no less than 13; the EEA states that did are
/// listed here. An organisation outside the EEA has no Member State law of
/// its own to lower it: the GDPR's 16.
pub fn art8_age(country: &str, inside_eea: bool) -> u8 {
    if !inside_eea {
        return 16;
    }
    match country {
        "BE" | "DK" | "EE" | "FI" | "IS" | "LV" | "MT" | "NO" | "PT" | "SE" => 13,
        "AT" | "BG" | "CY" | "ES" | "IT" | "LT" => 14,
        "CZ" | "FR" | "GR" | "SI" => 15,
        _ => 16,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes() {
        assert!(is_country("SE"));
        assert!(is_country("GB"));
        assert!(!is_country("UK"));
        assert!(!is_country("se"));
        assert_eq!(country_name("IN"), Some("India"));
        assert!(country_hint("UK").unwrap().contains("`GB`"));
        assert!(country_hint("us").unwrap().contains("`US`"));
        assert_eq!(country_name_in("US", "nl"), Some("Verenigde Staten"));
        assert_eq!(country_name_in("DE", "fr"), Some("Allemagne"));
        assert_eq!(country_name_in("IN", "sv"), Some("India"));
    }

    #[test]
    fn every_country_has_one_alpha3() {
        let mut seen_a2 = std::collections::HashSet::new();
        let mut seen_a3 = std::collections::HashSet::new();
        for (a2, a3) in alpha3_pairs() {
            assert!(is_country(a2), "{a2} is not in countries.tsv");
            assert!(seen_a2.insert(a2), "{a2} has two alpha-3 codes");
            assert!(seen_a3.insert(a3), "{a3} is given twice");
            assert!(
                a3.len() == 3 && a3.bytes().all(|b| b.is_ascii_uppercase()),
                "{a3}"
            );
        }
        for code in countries().keys() {
            assert!(seen_a2.contains(code), "{code} has no alpha-3 code");
        }
        assert_eq!(seen_a3.len(), 249);
        assert_eq!(alpha2_of_alpha3("GBR"), Some("GB"));
        assert_eq!(alpha2_of_alpha3("CAN"), Some("CA"));
        assert_eq!(alpha2_of_alpha3("USA"), Some("US"));
        assert_eq!(alpha2_of_alpha3("DEU"), Some("DE"));
        assert_eq!(alpha2_of_alpha3("usa"), None);
        assert_eq!(alpha3_of("KR"), Some("KOR"));
        assert!(all_country_names().any(|(c, n)| c == "DE" && n == "Allemagne"));
    }

    #[test]
    fn art8_ages() {
        for c in ["BE", "DK", "SE", "NO", "IS", "PT"] {
            assert_eq!(art8_age(c, true), 13, "{c}");
        }
        for c in ["AT", "ES", "IT", "LT"] {
            assert_eq!(art8_age(c, true), 14, "{c}");
        }
        for c in ["CZ", "FR", "GR", "SI"] {
            assert_eq!(art8_age(c, true), 15, "{c}");
        }
        for c in ["DE", "IE", "NL", "LI", "PL"] {
            assert_eq!(art8_age(c, true), 16, "{c}");
        }
        // Outside the EEA: 16, wherever the organisation is.
        for c in ["US", "GB", "CH"] {
            assert_eq!(art8_age(c, false), 16, "{c}");
        }
    }
}
