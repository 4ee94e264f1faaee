//! STAND-IN: minimal versions of the word mappings, with the signatures of
//! the real `words.rs` (branch import-words), so the importer compiles and
//! its tests run. Each knows only a few wordings; the real file replaces
//! this one whole.

use crate::model::{Derogation, LegalBasis, Mechanism, SpecialCategoryCondition};

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Stand-in: `N/A`, `None`, `-` and blank cells say nothing.
pub fn is_absent(s: &str) -> bool {
    matches!(norm(s).as_str(), "" | "n/a" | "na" | "none" | "-")
}

/// Stand-in: splits on commas, semicolons and new lines.
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|p| !is_absent(p))
        .map(str::to_string)
        .collect()
}

/// Stand-in: a few alpha-3 codes only.
pub fn country(s: &str) -> Option<&'static str> {
    match s.trim().to_uppercase().as_str() {
        "USA" => Some("US"),
        "GBR" | "UK" => Some("GB"),
        "CAN" => Some("CA"),
        "IND" => Some("IN"),
        _ => None,
    }
}

/// Stand-in: a few wordings of the Art. 6 bases; what is not understood
/// comes back as words.
pub fn legal_bases(s: &str) -> (Vec<LegalBasis>, Vec<String>) {
    let mut bases = Vec::new();
    let mut rest = Vec::new();
    for part in split_list(s) {
        let p = norm(&part);
        let b = if p.contains("consent") || p.contains("6(1)(a)") {
            Some(LegalBasis::Consent)
        } else if p.contains("contract") || p.contains("6(1)(b)") {
            Some(LegalBasis::Contract)
        } else if p.contains("legal obligation") || p.contains("6(1)(c)") {
            Some(LegalBasis::LegalObligation)
        } else if p.contains("legitimate interest") || p.contains("6(1)(f)") {
            Some(LegalBasis::LegitimateInterests)
        } else {
            None
        };
        match b {
            Some(b) if !bases.contains(&b) => bases.push(b),
            Some(_) => {}
            None => rest.push(part),
        }
    }
    (bases, rest)
}

/// Stand-in: explicit consent and employment only.
pub fn special_condition(s: &str) -> Option<SpecialCategoryCondition> {
    let p = norm(s);
    if p.contains("explicit consent") || p.contains("9(2)(a)") {
        Some(SpecialCategoryCondition::ExplicitConsent)
    } else if p.contains("employment") || p.contains("9(2)(b)") {
        Some(SpecialCategoryCondition::Employment)
    } else {
        None
    }
}

/// Stand-in: "N days|months|years [after|from X]".
pub fn retention(s: &str) -> Option<(String, Option<String>)> {
    let p = norm(s);
    let mut words = p.split_whitespace();
    let n: u32 = words.next()?.parse().ok()?;
    let unit = match words.next()?.trim_end_matches('s') {
        "day" => 'D',
        "week" => 'W',
        "month" => 'M',
        "year" => 'Y',
        _ => return None,
    };
    let rest: Vec<&str> = words.collect();
    let from = match rest.split_first() {
        Some((&("from" | "after"), tail)) if !tail.is_empty() => Some(tail.join(" ")),
        None => None,
        _ => return None,
    };
    Some((format!("P{n}{unit}"), from))
}

/// Stand-in: SCCs, BCR, adequacy, explicit consent.
pub fn mechanism(s: &str) -> Option<(Mechanism, Option<Derogation>)> {
    let p = norm(s);
    if p.contains("scc") || p.contains("standard contractual clauses") {
        Some((Mechanism::Scc, None))
    } else if p.contains("bcr") || p.contains("binding corporate rules") {
        Some((Mechanism::Bcr, None))
    } else if p.contains("adequacy") {
        Some((Mechanism::Adequacy, None))
    } else if p.contains("explicit consent") {
        Some((Mechanism::Derogation, Some(Derogation::ExplicitConsent)))
    } else {
        None
    }
}

/// Stand-in: lower-case letters and digits, runs of anything else one hyphen.
pub fn id_from_name(s: &str) -> String {
    let mut id = String::new();
    for c in s.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-');
    if id.is_empty() {
        "entry".to_string()
    } else {
        id.to_string()
    }
}
