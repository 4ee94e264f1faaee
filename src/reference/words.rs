//! The words people write for what the registry format codes: a country
//! by its name or alpha-3 code, a legal basis or Art. 9 condition by its
//! usual wording, a retention period in words, a transfer mechanism.
//!
//! Pure functions from one text to a value, shared by the importers and by
//! the loader's did-you-mean hints.
//! Each one maps only what it recognises without doubt and answers `None`
//! (or lists the part it left) otherwise: a wrong code written into a
//! registry is worse than a cell the import report names for a human to
//! read. Negated wordings ("no consent", "consent withdrawn", "no adequacy
//! decision") and cells naming two different answers where one is expected
//! ("SCCs or DPF") are therefore left unmapped.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::model::{Derogation, LegalBasis, Mechanism, SpecialCategoryCondition, suggest_id};
use crate::reference;

/// Is the cell empty or one of the usual ways of saying "nothing here"
/// ("N/A", "None", "-", "nil", "not applicable", ...)? "NA" is not among
/// them: it is Namibia's code.
pub fn is_absent(cell: &str) -> bool {
    let t = cell.trim();
    if t.chars().all(|c| matches!(c, '-' | '–' | '—')) {
        return true;
    }
    // Every absent wording is short: a long cell is never one (and is not
    // lower-cased to find out; each cell of a sheet is asked).
    if t.len() > 40 {
        return false;
    }
    let lower = t.to_lowercase();
    let words = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = words.strip_suffix('.').unwrap_or(&words);
    matches!(
        words,
        "n/a" | "n.a" | "n. a" | "none" | "nil" | "null" | "not applicable"
    )
}

/// Split a list cell on commas, semicolons, new lines and "•" bullets;
/// trims each part, drops a leading "-"/"*" bullet and absent parts. A
/// comma or semicolon inside parentheses does not split: "Legitimate
/// interests (fraud, security)" stays one part.
pub fn split_list(cell: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for c in cell.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                current.push(c);
            }
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            // A new line ends a part whatever the parentheses: an unclosed
            // one must not swallow the rest of the cell.
            '\n' | '\r' | '•' => {
                depth = 0;
                parts.push(std::mem::take(&mut current));
            }
            ',' | ';' if depth == 0 => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| {
            let p = p.trim();
            let p = ["- ", "* ", "– ", "— ", "· "]
                .iter()
                .find_map(|b| p.strip_prefix(b))
                .unwrap_or(p);
            p.trim().to_string()
        })
        .filter(|p| !is_absent(p))
        .collect()
}

/// A country cell → ISO 3166-1 alpha-2. Accepts an alpha-2 or alpha-3 code
/// written in upper case ("US", "USA", "GBR"), dotted abbreviations ("U.S.",
/// "U.K."), and names in any case: the ISO short names in English, Dutch,
/// German and French, and the usual English variants ("United States",
/// "UK", "Great Britain", "South Korea", "Russia", "Czech Republic").
///
/// Codes in lower or title case are not read as codes, so that "No",
/// "and", "Can" never become Norway, Andorra or Canada ("usa", "uk", "us"
/// and "uae" are known as names). "EU", "EEA", "Europe" and ambiguous names
/// ("Korea", "Congo", "Virgin Islands") give `None`.
pub fn country(cell: &str) -> Option<&'static str> {
    let t = cell.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(code) = country_by_code(t) {
        return Some(code);
    }
    // "U.S.", "U.S.A.", "U.K.": upper-case letters with dots.
    if t.contains('.')
        && t.chars()
            .all(|c| c.is_ascii_uppercase() || c == '.' || c == ' ')
    {
        let letters: String = t.chars().filter(char::is_ascii_uppercase).collect();
        if let Some(code) = country_by_code(&letters) {
            return Some(code);
        }
    }
    if let Some(code) = country_by_name(t) {
        return Some(code);
    }
    // "United States (California)", "Germany (EU)", "USA (US)": the name
    // before a remark, unless the remark makes it another place: "Georgia (USA)",
    // "Georgia (US state)", "Samoa (American)", "Guinea (Bissau)".
    let (head, remark) = t.split_once('(')?;
    let (head, remark) = (head.trim(), remark.trim_end_matches(')').trim());
    let code = country_by_code(head).or_else(|| country_by_name(head))?;
    let names_a_place = remark.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        matches!(
            w.to_lowercase().as_str(),
            "state" | "states" | "province" | "county" | "territory"
        ) || country_by_code(w)
            .or_else(|| country_by_name(w))
            .is_some_and(|c| c != code)
    });
    let other = [format!("{remark} {head}"), format!("{head} {remark}")]
        .iter()
        .any(|n| country_by_name(n).is_some_and(|c| c != code));
    (!names_a_place && !other).then_some(code)
}

/// A list of countries: each part of the list mapped with [`country`], the
/// parts that named no country returned as written. "Korea, Republic of"
/// and the other ISO names with a comma are read whole, not split.
pub fn countries(cell: &str) -> (Vec<&'static str>, Vec<String>) {
    let parts = split_list(cell);
    let mut found = Vec::new();
    let mut unmapped = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let joined = parts
            .get(i + 1)
            .and_then(|next| country(&format!("{}, {next}", parts[i])));
        let (code, used) = match joined {
            Some(code) => (Some(code), 2),
            None => (country(&parts[i]), 1),
        };
        match code {
            Some(code) if !found.contains(&code) => found.push(code),
            Some(_) => {}
            None => unmapped.push(parts[i].clone()),
        }
        i += used;
    }
    // "Atlanta, Georgia, USA": next to the United States, Georgia is the
    // state, not the country.
    if found.contains(&"US")
        && let Some(at) = parts.iter().position(|p| name_key(p) == "georgia")
    {
        found.retain(|c| *c != "GE");
        unmapped.push(parts[at].clone());
    }
    (found, unmapped)
}

fn country_by_code(t: &str) -> Option<&'static str> {
    if !t.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    match t.len() {
        // Not ISO codes, but what people write for the United Kingdom and
        // (the EU's own abbreviation) Greece.
        2 if t == "UK" => Some("GB"),
        2 if t == "EL" => Some("GR"),
        2 => reference::country_code(t),
        3 => reference::alpha2_of_alpha3(t),
        _ => None,
    }
}

/// The key a name is looked up by: lower case, accents folded, words joined
/// by hyphens, "&" read as "and", a leading "the" and "St." spelt out.
fn name_key(name: &str) -> String {
    let key = suggest_id(&name.replace('&', " and "));
    let key = key.strip_prefix("the-").unwrap_or(&key);
    match key.strip_prefix("st-") {
        Some(rest) => format!("saint-{rest}"),
        None => key.to_string(),
    }
}

/// Names in use that are not the ISO short name (or its translations).
const COUNTRY_VARIANTS: &[(&str, &str)] = &[
    ("us", "US"),
    ("usa", "US"),
    ("united states of america", "US"),
    ("uk", "GB"),
    ("great britain", "GB"),
    ("britain", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("northern ireland", "GB"),
    ("united kingdom of great britain and northern ireland", "GB"),
    ("south korea", "KR"),
    ("republic of korea", "KR"),
    ("korea, republic of", "KR"),
    ("korea (south)", "KR"),
    ("korea south", "KR"),
    ("democratic people's republic of korea", "KP"),
    ("korea, democratic people's republic of", "KP"),
    ("dprk", "KP"),
    ("russia", "RU"),
    ("czech republic", "CZ"),
    ("turkey", "TR"),
    ("viet nam", "VN"),
    ("iran, islamic republic of", "IR"),
    ("islamic republic of iran", "IR"),
    ("syrian arab republic", "SY"),
    ("lao people's democratic republic", "LA"),
    ("lao pdr", "LA"),
    ("bolivia, plurinational state of", "BO"),
    ("venezuela, bolivarian republic of", "VE"),
    ("tanzania, united republic of", "TZ"),
    ("united republic of tanzania", "TZ"),
    ("moldova, republic of", "MD"),
    ("republic of moldova", "MD"),
    ("macedonia", "MK"),
    ("republic of north macedonia", "MK"),
    ("former yugoslav republic of macedonia", "MK"),
    ("ivory coast", "CI"),
    ("cote divoire", "CI"),
    ("swaziland", "SZ"),
    ("cape verde", "CV"),
    ("burma", "MM"),
    ("holy see", "VA"),
    ("vatican", "VA"),
    ("vatican city", "VA"),
    ("vatican city state", "VA"),
    ("taiwan, province of china", "TW"),
    ("hong kong sar", "HK"),
    ("hong kong, china", "HK"),
    ("macao, china", "MO"),
    ("macau", "MO"),
    ("macao sar", "MO"),
    ("brunei", "BN"),
    ("micronesia", "FM"),
    ("palestine", "PS"),
    ("republic of the congo", "CG"),
    ("congo-brazzaville", "CG"),
    ("drc", "CD"),
    ("dr congo", "CD"),
    ("democratic republic of congo", "CD"),
    ("congo-kinshasa", "CD"),
    ("holland", "NL"),
    ("east timor", "TL"),
    ("uae", "AE"),
    ("falkland islands", "FK"),
    ("republic of ireland", "IE"),
    ("eire", "IE"),
    ("slovak republic", "SK"),
    ("kyrgyz republic", "KG"),
    ("prc", "CN"),
    ("people's republic of china", "CN"),
    ("mainland china", "CN"),
    ("luxemburg", "LU"),
    ("kingdom of saudi arabia", "SA"),
    ("us virgin islands", "VI"),
    ("sint maarten", "SX"),
    ("caribbean netherlands", "BQ"),
    ("pitcairn islands", "PN"),
    ("cocos islands", "CC"),
    ("aland", "AX"),
    ("faeroe islands", "FO"),
];

/// Names that name more than one country in practice ("Congo" is written
/// for both Congos): never mapped, even where a list has them.
const AMBIGUOUS_NAMES: &[&str] = &["congo", "korea", "virgin islands", "saint martin"];

fn country_names() -> &'static HashMap<String, &'static str> {
    static MAP: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::new();
        for (code, name) in reference::all_country_names() {
            map.insert(name_key(name), code);
            // "Congo, The Democratic Republic of the" is also written
            // "The Democratic Republic of the Congo".
            if let Some((head, tail)) = name.split_once(", ") {
                map.insert(name_key(&format!("{tail} {head}")), code);
            }
        }
        for (name, code) in COUNTRY_VARIANTS {
            if let Some(code) = reference::country_code(code) {
                map.insert(name_key(name), code);
            }
        }
        for name in AMBIGUOUS_NAMES {
            map.remove(&name_key(name));
        }
        map
    })
}

fn country_by_name(name: &str) -> Option<&'static str> {
    country_names().get(&name_key(name)).copied()
}

/// A country code from what ropa's own exports write first (the code, or
/// the bundled English name exactly, "Georgia" included), then from
/// [`country`]'s looser wordings.
pub fn country_code(text: &str) -> Option<String> {
    static EXACT: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    let t = text.trim();
    if t.len() == 2
        && let Some(code) = reference::country_code(&t.to_ascii_uppercase())
    {
        return Some(code.to_string());
    }
    let exact = EXACT.get_or_init(|| {
        reference::english_country_names()
            .map(|(code, name)| (name.to_lowercase(), code))
            .collect()
    });
    exact
        .get(&t.to_lowercase())
        .copied()
        .or_else(|| country(t))
        .map(str::to_string)
}

/// One word of a cell: a run of letters or of digits ("6(1)(b)" is "6",
/// "1", "b"; "30d" is "30", "d"), lower-cased, with its byte range.
#[derive(Debug)]
struct Token {
    text: String,
    start: usize,
    end: usize,
}

fn tokens(s: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut last: Option<bool> = None; // digit run or letter run
    for (i, c) in s.char_indices() {
        let class = if c.is_ascii_digit() {
            Some(true)
        } else if c.is_alphabetic() {
            Some(false)
        } else {
            None
        };
        match (class, out.last_mut()) {
            (Some(k), Some(tok)) if last == Some(k) && tok.end == i => {
                tok.text.extend(c.to_lowercase());
                tok.end = i + c.len_utf8();
            }
            (Some(_), _) => out.push(Token {
                text: c.to_lowercase().collect(),
                start: i,
                end: i + c.len_utf8(),
            }),
            (None, _) => {}
        }
        last = class;
    }
    out
}

/// Does `word` match `want`, a plural "s" allowed ("interests", "SCCs")?
fn word_is(word: &str, want: &str) -> bool {
    word == want || (want.len() > 2 && word.strip_suffix('s') == Some(want))
}

/// Token indices where `phrase` (space-separated words) starts.
fn phrase_at(toks: &[Token], phrase: &str) -> Vec<usize> {
    let words: Vec<&str> = phrase.split(' ').collect();
    (0..toks.len())
        .filter(|&i| {
            words.len() <= toks.len() - i
                && words
                    .iter()
                    .zip(&toks[i..])
                    .all(|(w, t)| word_is(&t.text, w))
        })
        .collect()
}

const NEGATIONS: &[&str] = &["no", "not", "without", "never", "non", "none"];

/// Is the match of `len` tokens at `at` negated: a negation up to two
/// words before it ("no consent", "not adequate") or a verdict right after
/// it ("consent withdrawn", "consent not required")? "not-for-profit" and
/// "non-profit" are names, not negations.
fn negated(toks: &[Token], at: usize, len: usize) -> bool {
    let is_negation = |i: usize| {
        toks.get(i).is_some_and(|t| {
            NEGATIONS.contains(&t.text.as_str())
                && !(toks.get(i + 1).is_some_and(|n| n.text == "profit")
                    || (toks.get(i + 1).is_some_and(|n| n.text == "for")
                        && toks.get(i + 2).is_some_and(|n| n.text == "profit")))
        })
    };
    // After the match only a verdict on it negates: "consent withdrawn",
    // "consent not required", not the "not" of "interests (not consent)".
    let mut after = at + len;
    while toks
        .get(after)
        .is_some_and(|t| matches!(t.text.as_str(), "is" | "was" | "has" | "been" | "be"))
        && after < at + len + 2
    {
        after += 1;
    }
    let verdict_after = toks.get(after).is_some_and(|t| match t.text.as_str() {
        "withdrawn" | "refused" | "declined" | "revoked" => true,
        "not" => toks.get(after + 1).is_some_and(|n| {
            matches!(
                n.text.as_str(),
                "required" | "needed" | "obtained" | "given" | "used" | "relied" | "applicable"
            )
        }),
        _ => false,
    });
    (at.saturating_sub(2)..at).any(is_negation) || verdict_after
}

/// The token indices where an article reference `art(para)(letter)` starts
/// ("6(1)(b)", "Art. 6.1.b", "6 (1) lit. b"), with its letter; one entry
/// per letter where more follow in parentheses ("6(1)(a) and (f)",
/// "6(1)(b)/(c)").
fn article_refs(toks: &[Token], cell: &str, art: &str, para: &str) -> Vec<(usize, char)> {
    let letter_of = |t: &Token| {
        let mut chars = t.text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_lowercase() => Some(c),
            _ => None,
        }
    };
    let in_parentheses = |t: &Token| {
        cell[..t.start].trim_end().ends_with('(') && cell[t.end..].trim_start().starts_with(')')
    };
    let mut out = Vec::new();
    for i in 0..toks.len() {
        if toks[i].text != art || toks.get(i + 1).is_none_or(|t| t.text != para) {
            continue;
        }
        let mut j = i + 2;
        if toks.get(j).is_some_and(|t| t.text == "lit") {
            j += 1;
        }
        let Some(c) = toks.get(j).and_then(letter_of) else {
            continue;
        };
        out.push((i, c));
        // Further letters count only in parentheses: the "a" of "6(1)(b)
        // and a contract" is a word.
        loop {
            j += 1;
            if toks
                .get(j)
                .is_some_and(|t| matches!(t.text.as_str(), "and" | "or"))
            {
                j += 1;
            }
            match toks.get(j) {
                Some(t) if in_parentheses(t) => match letter_of(t) {
                    Some(c) => out.push((i, c)),
                    None => break,
                },
                _ => break,
            }
        }
    }
    out
}

/// Every match of the table's phrases in `toks`, as (token index, value),
/// negated matches left out; the second value says whether any was negated.
fn matches<T: Copy>(toks: &[Token], table: &[(&str, T)]) -> (Vec<(usize, T)>, bool) {
    let mut found = Vec::new();
    let mut any_negated = false;
    for (phrase, value) in table {
        let len = phrase.split(' ').count();
        for at in phrase_at(toks, phrase) {
            if negated(toks, at, len) {
                any_negated = true;
            } else {
                found.push((at, *value));
            }
        }
    }
    (found, any_negated)
}

const BASIS_WORDS: &[(&str, LegalBasis)] = &[
    ("consent", LegalBasis::Consent),
    ("contract", LegalBasis::Contract),
    ("contractual necessity", LegalBasis::Contract),
    ("contractual obligation", LegalBasis::Contract),
    ("legal obligation", LegalBasis::LegalObligation),
    ("legal requirement", LegalBasis::LegalObligation),
    ("legal duty", LegalBasis::LegalObligation),
    ("statutory obligation", LegalBasis::LegalObligation),
    ("statutory requirement", LegalBasis::LegalObligation),
    ("statutory duty", LegalBasis::LegalObligation),
    ("regulatory obligation", LegalBasis::LegalObligation),
    ("regulatory requirement", LegalBasis::LegalObligation),
    ("required by law", LegalBasis::LegalObligation),
    ("vital interest", LegalBasis::VitalInterests),
    ("public task", LegalBasis::PublicTask),
    ("public interest", LegalBasis::PublicTask),
    ("official authority", LegalBasis::PublicTask),
    ("legitimate interest", LegalBasis::LegitimateInterests),
    (
        "legitimate business interest",
        LegalBasis::LegitimateInterests,
    ),
];

/// Art. 6(1) bases named in a cell, from "6(1)(b)" references and the usual
/// wordings ("Consent", "Performance of a contract", "Legal obligation",
/// "Legitimate interests", "Public task"), in the order they appear,
/// without duplicates; and the parts of the list that named none.
///
/// "Contractor" and "contractual clauses" are not the contract basis;
/// "substantial public interest" is an Art. 9 condition, not a basis; a
/// negated basis ("consent withdrawn", "no consent") is not a basis, and a
/// part naming only negated bases is returned as unmapped for a human.
pub fn legal_bases(cell: &str) -> (Vec<LegalBasis>, Vec<String>) {
    let mut bases = Vec::new();
    let mut unmapped = Vec::new();
    for part in split_list(cell) {
        let toks = tokens(&part);
        let (mut found, _) = matches(&toks, BASIS_WORDS);
        found.retain(|&(at, basis)| {
            basis != LegalBasis::PublicTask || at == 0 || toks[at - 1].text != "substantial"
        });
        for (at, letter) in article_refs(&toks, &part, "6", "1") {
            let basis = match letter {
                'a' => LegalBasis::Consent,
                'b' => LegalBasis::Contract,
                'c' => LegalBasis::LegalObligation,
                'd' => LegalBasis::VitalInterests,
                'e' => LegalBasis::PublicTask,
                'f' => LegalBasis::LegitimateInterests,
                _ => continue,
            };
            found.push((at, basis));
        }
        if found.is_empty() {
            unmapped.push(part);
            continue;
        }
        found.sort_by_key(|&(at, _)| at);
        for (_, basis) in found {
            if !bases.contains(&basis) {
                bases.push(basis);
            }
        }
    }
    (bases, unmapped)
}

const CONDITION_WORDS: &[(&str, SpecialCategoryCondition)] = {
    use SpecialCategoryCondition as C;
    &[
        ("explicit consent", C::ExplicitConsent),
        ("employment", C::Employment),
        ("social security", C::Employment),
        ("social protection", C::Employment),
        ("vital interest", C::VitalInterests),
        ("not for profit", C::NotForProfit),
        ("non profit", C::NotForProfit),
        ("nonprofit", C::NotForProfit),
        ("made public", C::MadePublic),
        ("manifestly public", C::MadePublic),
        ("legal claim", C::LegalClaims),
        ("judicial", C::LegalClaims),
        ("substantial public interest", C::SubstantialPublicInterest),
        ("health care", C::HealthCare),
        ("healthcare", C::HealthCare),
        ("social care", C::HealthCare),
        ("medical diagnosis", C::HealthCare),
        ("occupational medicine", C::HealthCare),
        ("preventive medicine", C::HealthCare),
        ("occupational health", C::HealthCare),
        ("public health", C::PublicHealth),
        ("archiving", C::ArchivingResearch),
        ("research", C::ArchivingResearch),
        ("statistic", C::ArchivingResearch),
        ("statistical", C::ArchivingResearch),
    ]
};

/// The Art. 9(2) condition a cell names: a "9(2)(h)" reference or the usual
/// wording ("Explicit consent", "Employment, social security and social
/// protection", "Health or social care", "Substantial public interest").
/// `None` when it names none, or two different ones. Plain "consent" is
/// not read as explicit consent: Art. 9(2)(a) asks for more, and the
/// record should say so itself.
pub fn special_condition(cell: &str) -> Option<SpecialCategoryCondition> {
    use SpecialCategoryCondition as C;
    let toks = tokens(cell);
    let (mut found, _) = matches(&toks, CONDITION_WORDS);
    for (at, letter) in article_refs(&toks, cell, "9", "2") {
        let condition = match letter {
            'a' => C::ExplicitConsent,
            'b' => C::Employment,
            'c' => C::VitalInterests,
            'd' => C::NotForProfit,
            'e' => C::MadePublic,
            'f' => C::LegalClaims,
            'g' => C::SubstantialPublicInterest,
            'h' => C::HealthCare,
            'i' => C::PublicHealth,
            'j' => C::ArchivingResearch,
            _ => continue,
        };
        found.push((at, condition));
    }
    one_value(found.into_iter().map(|(_, c)| c))
}

/// The only value of `values`, if they are all the same.
fn one_value<T: PartialEq>(values: impl IntoIterator<Item = T>) -> Option<T> {
    let mut values = values.into_iter();
    let first = values.next()?;
    values.all(|v| v == first).then_some(first)
}

type Transfer = (Mechanism, Option<Derogation>);

const MECHANISM_WORDS: &[(&str, Transfer)] = &[
    ("scc", (Mechanism::Scc, None)),
    ("standard contractual clause", (Mechanism::Scc, None)),
    ("standard data protection clause", (Mechanism::Scc, None)),
    ("model clause", (Mechanism::Scc, None)),
    ("model contractual clause", (Mechanism::Scc, None)),
    ("bcr", (Mechanism::Bcr, None)),
    ("binding corporate rule", (Mechanism::Bcr, None)),
    ("adequacy", (Mechanism::Adequacy, None)),
    ("adequate country", (Mechanism::Adequacy, None)),
    ("adequate third country", (Mechanism::Adequacy, None)),
    ("adequate jurisdiction", (Mechanism::Adequacy, None)),
    ("adequate level of protection", (Mechanism::Adequacy, None)),
    ("dpf", (Mechanism::Adequacy, None)),
    ("data privacy framework", (Mechanism::Adequacy, None)),
    ("code of conduct", (Mechanism::CodeOfConduct, None)),
    ("certification", (Mechanism::Certification, None)),
    ("ad hoc", (Mechanism::AdHocClauses, None)),
    (
        "administrative arrangement",
        (Mechanism::AdministrativeArrangement, None),
    ),
    (
        "legally binding and enforceable instrument",
        (Mechanism::PublicAuthorityInstrument, None),
    ),
    (
        "public authority instrument",
        (Mechanism::PublicAuthorityInstrument, None),
    ),
    (
        "explicit consent",
        (Mechanism::Derogation, Some(Derogation::ExplicitConsent)),
    ),
    (
        "contract with the data subject",
        (Mechanism::Derogation, Some(Derogation::ContractWithSubject)),
    ),
    (
        "contract with data subject",
        (Mechanism::Derogation, Some(Derogation::ContractWithSubject)),
    ),
    (
        "contract with subject",
        (Mechanism::Derogation, Some(Derogation::ContractWithSubject)),
    ),
    (
        "in the interest of the data subject",
        (Mechanism::Derogation, Some(Derogation::ContractInInterest)),
    ),
    (
        "in the data subject s interest",
        (Mechanism::Derogation, Some(Derogation::ContractInInterest)),
    ),
    (
        "contract in interest",
        (Mechanism::Derogation, Some(Derogation::ContractInInterest)),
    ),
    (
        "public interest",
        (Mechanism::Derogation, Some(Derogation::PublicInterest)),
    ),
    (
        "legal claim",
        (Mechanism::Derogation, Some(Derogation::LegalClaims)),
    ),
    (
        "vital interest",
        (Mechanism::Derogation, Some(Derogation::VitalInterests)),
    ),
    (
        "public register",
        (Mechanism::Derogation, Some(Derogation::PublicRegister)),
    ),
    (
        "compelling legitimate interest",
        (
            Mechanism::Derogation,
            Some(Derogation::CompellingLegitimateInterests),
        ),
    ),
];

/// Words that make "certification" a security certificate (ISO 27001,
/// SOC 2), not an Art. 42 certification mechanism.
const NOT_ART42: &[&str] = &["iso", "soc", "pci", "27001", "hipaa", "cyber"];

/// The transfer mechanism a safeguard cell names, with the Art. 49
/// derogation where it is one: "SCCs", "Standard contractual clauses",
/// "EU SCCs 2021", "BCR", "Adequacy decision", "EU-US DPF" (adequacy),
/// "Explicit consent" (derogation), "Art. 46(2)(c)", "49(1)(a)".
///
/// `None` when it names none or two different ones ("SCCs or DPF"), when
/// negated ("no adequacy decision"), for the Privacy Shield (invalidated
/// in Schrems II, C-311/18: no adequacy to rest on), for the UK IDTA (not
/// an EU instrument), and for "certification" next to ISO/SOC words.
pub fn mechanism(cell: &str) -> Option<(Mechanism, Option<Derogation>)> {
    let toks = tokens(cell);
    if !phrase_at(&toks, "privacy shield").is_empty() {
        return None;
    }
    let (mut found, negated) = matches(&toks, MECHANISM_WORDS);
    if negated {
        return None;
    }
    let security_certificate = toks.iter().any(|t| NOT_ART42.contains(&t.text.as_str()));
    found.retain(|(_, (m, _))| *m != Mechanism::Certification || !security_certificate);
    // "Explicit consent ... (contract with the data subject)" and the like
    // are several answers; "public interest" inside "compelling legitimate
    // interest" cannot occur, so no overlap needs resolving here.
    let article =
        |i: usize| i > 0 && matches!(toks[i - 1].text.as_str(), "art" | "article" | "articles");
    for (i, t) in toks.iter().enumerate() {
        match t.text.as_str() {
            "45" if article(i) => found.push((i, (Mechanism::Adequacy, None))),
            "47" if article(i) => found.push((i, (Mechanism::Bcr, None))),
            _ => {}
        }
    }
    for (at, letter) in article_refs(&toks, cell, "46", "2") {
        let m = match letter {
            'a' => Mechanism::PublicAuthorityInstrument,
            'b' => Mechanism::Bcr,
            'c' => Mechanism::Scc,
            'e' => Mechanism::CodeOfConduct,
            'f' => Mechanism::Certification,
            // (d): clauses adopted by a supervisory authority, not the
            // Commission's SCCs the registry's `scc` means.
            _ => continue,
        };
        found.push((at, (m, None)));
    }
    for (at, letter) in article_refs(&toks, cell, "46", "3") {
        let m = match letter {
            'a' => Mechanism::AdHocClauses,
            'b' => Mechanism::AdministrativeArrangement,
            _ => continue,
        };
        found.push((at, (m, None)));
    }
    for (at, letter) in article_refs(&toks, cell, "49", "1") {
        let d = match letter {
            'a' => Derogation::ExplicitConsent,
            'b' => Derogation::ContractWithSubject,
            'c' => Derogation::ContractInInterest,
            'd' => Derogation::PublicInterest,
            'e' => Derogation::LegalClaims,
            'f' => Derogation::VitalInterests,
            'g' => Derogation::PublicRegister,
            _ => continue,
        };
        found.push((at, (Mechanism::Derogation, Some(d))));
    }
    one_value(found.into_iter().map(|(_, m)| m))
}

/// A retention period in words → ISO 8601 duration and start event:
/// "30 days" → `P30D`; "7 years after the end of the contract" → `P7Y`
/// from "the end of the contract"; "End of contract + 6 years" → `P6Y`
/// from "End of contract"; "1 year and 6 months" → `P1Y6M`; "two years";
/// "P2Y". `None` when no period is found, or when the period is not one
/// whole period: several ("3 months for CVs, 6 years for payroll"), a
/// range ("5-7 years"), a fraction ("1.5 years"), working days, or a
/// cycle ("reviewed every 2 years").
pub fn retention(cell: &str) -> Option<(String, Option<String>)> {
    // An ISO duration as written: "P2Y", "P6M from collection".
    let mut iso = cell.split_whitespace().enumerate().filter_map(|(n, w)| {
        let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        crate::model::IsoDuration::parse(w).map(|_| (n, w))
    });
    if let Some((n, word)) = iso.next() {
        if iso.next().is_some() {
            return None;
        }
        let rest: Vec<&str> = cell.split_whitespace().skip(n + 1).collect();
        return Some((word.to_string(), start_after(&rest.join(" "))));
    }

    let toks = tokens(cell);
    let mut runs: Vec<(usize, usize, Period)> = Vec::new(); // token range
    let mut i = 0;
    while i < toks.len() {
        match period_run(&toks, i, cell).ok()? {
            Some((end, period)) => {
                let prev = |k: usize| i.checked_sub(k).map(|j| toks[j].text.as_str());
                let is_number = |w: Option<&str>| w.is_some_and(|w| amount_word(w).is_some());
                // "5-7 years", "between 5 and 7 years", "every 2 years",
                // "half a year", "once a year": not one period.
                // Two numbers joined by a dash, slash or space ("5-7", "5 / 7")
                // make a range; "Since 2019, 5 years" does not.
                let joined = i > 0
                    && cell[toks[i - 1].end..toks[i].start]
                        .trim()
                        .chars()
                        .all(|c| matches!(c, '-' | '–' | '—' | '/'));
                if (joined && is_number(prev(1)))
                    || (matches!(prev(1), Some("to" | "or" | "and")) && is_number(prev(2)))
                    || matches!(
                        prev(1),
                        Some("every" | "each" | "per" | "once" | "twice" | "half" | "quarter")
                    )
                {
                    return None;
                }
                runs.push((i, end, period));
                i = end;
            }
            None => i += 1,
        }
    }
    let [(first, end, period)] = runs.as_slice() else {
        return None;
    };
    let from = start_after(&cell[toks[end - 1].end..]).or_else(|| {
        // "End of contract + 7 years": the event is written before.
        let before = cell[..toks[*first].start].trim_end();
        let before = before
            .strip_suffix('+')
            .or_else(|| strip_suffix_ci(before, "plus"))?;
        let before = before.trim().trim_end_matches([',', ':', '-', '–']).trim();
        (!before.is_empty()).then(|| before.to_string())
    });
    Some((period.iso(), from))
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let (head, tail) = (s.get(..cut)?, s.get(cut..)?);
    (tail.eq_ignore_ascii_case(suffix) && (head.is_empty() || head.ends_with(' '))).then_some(head)
}

/// The start event in the words after a period: "after the end of the
/// contract", "from collection", "following termination, then deleted"
/// → "the end of the contract", "collection", "termination".
fn start_after(rest: &str) -> Option<String> {
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ':'));
    let lower = rest.to_lowercase();
    let cut = ["after ", "from ", "following ", "since ", "of "]
        .iter()
        .find(|c| lower.starts_with(*c))
        .map(|c| c.len())?;
    let event = rest.get(cut..)?;
    // The event ends where a remark or a new sentence begins.
    let event = event.split(". ").next().unwrap_or(event);
    let event = event
        .split(['(', ';', ',', '\n'])
        .next()
        .unwrap_or(event)
        .trim()
        .trim_end_matches('.')
        .trim();
    let first = event.split_whitespace().next()?.to_lowercase();
    // "30 days, after which it is deleted": no event named.
    if matches!(first.as_str(), "which" | "that" | "this" | "these" | "then") {
        return None;
    }
    Some(event.to_string())
}

/// A period's parts, in the designators' order.
#[derive(Default)]
struct Period {
    years: u32,
    months: u32,
    weeks: u32,
    days: u32,
    hours: u32,
}

impl Period {
    fn iso(&self) -> String {
        let mut s = String::from("P");
        for (n, d) in [
            (self.years, 'Y'),
            (self.months, 'M'),
            (self.weeks, 'W'),
            (self.days, 'D'),
        ] {
            if n > 0 {
                s.push_str(&format!("{n}{d}"));
            }
        }
        if self.hours > 0 {
            s.push_str(&format!("T{}H", self.hours));
        }
        if s == "P" {
            // "0 days" (deleted at once): a zero period is still one.
            s.push_str("0D");
        }
        s
    }
}

fn amount_word(w: &str) -> Option<u32> {
    if w.bytes().all(|b| b.is_ascii_digit()) {
        return w.parse().ok();
    }
    const WORDS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    if let Some(n) = WORDS.iter().position(|x| *x == w) {
        return u32::try_from(n).ok();
    }
    TENS.iter()
        .position(|x| *x == w)
        .and_then(|n| u32::try_from(n * 10 + 20).ok())
}

#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Year,
    Month,
    Week,
    Day,
    Hour,
}

fn unit_word(w: &str) -> Option<Unit> {
    Some(match w {
        "year" | "years" | "yr" | "yrs" | "y" => Unit::Year,
        "month" | "months" | "mo" | "mos" | "mth" | "mths" => Unit::Month,
        "week" | "weeks" | "wk" | "wks" => Unit::Week,
        "day" | "days" | "d" => Unit::Day,
        "hour" | "hours" | "hr" | "hrs" => Unit::Hour,
        _ => return None,
    })
}

/// One amount and unit at token `i`: "30 days", "twenty-four months",
/// "one (1) year", "a year", "30 calendar days". Returns the next token
/// index. `Err` for a fraction ("1.5 years"), which spoils the whole cell.
fn amount_unit(toks: &[Token], i: usize, cell: &str) -> Result<Option<(usize, Unit, u32)>, ()> {
    let Some(tok) = toks.get(i) else {
        return Ok(None);
    };
    let mut j = i + 1;
    let n = if matches!(tok.text.as_str(), "a" | "an") {
        1
    } else if let Some(n) = amount_word(&tok.text) {
        if tok.text.bytes().all(|b| b.is_ascii_digit()) {
            let before = cell[..tok.start].chars().rev().take(2).collect::<Vec<_>>();
            let after = cell[tok.end..].chars().take(2).collect::<Vec<_>>();
            let fraction =
                |cs: &[char]| cs.len() == 2 && matches!(cs[0], '.' | ',') && cs[1].is_ascii_digit();
            if fraction(&before) || fraction(&after) {
                return Err(());
            }
        }
        let mut n = n;
        // "twenty-four"
        if n >= 20
            && let Some(units) = toks.get(j).and_then(|t| amount_word(&t.text))
            && !toks[j].text.bytes().all(|b| b.is_ascii_digit())
            && (1..10).contains(&units)
        {
            n += units;
            j += 1;
        }
        // "one (1) year"
        if !tok.text.bytes().all(|b| b.is_ascii_digit())
            && toks.get(j).is_some_and(|t| t.text == n.to_string())
        {
            j += 1;
        }
        n
    } else {
        return Ok(None);
    };
    if toks
        .get(j)
        .is_some_and(|t| matches!(t.text.as_str(), "calendar" | "full"))
    {
        j += 1;
    }
    Ok(toks
        .get(j)
        .and_then(|t| unit_word(&t.text))
        .map(|u| (j + 1, u, n)))
}

/// A run of amounts and units from token `i` ("1 year and 6 months"), with
/// the index after it. `Err`: the cell holds no one period (a fraction, a
/// unit given twice).
fn period_run(toks: &[Token], i: usize, cell: &str) -> Result<Option<(usize, Period)>, ()> {
    let mut period = Period::default();
    let mut seen: Vec<Unit> = Vec::new();
    let mut j = i;
    loop {
        let at = if seen.is_empty() || toks.get(j).is_none_or(|t| t.text != "and") {
            j
        } else {
            j + 1
        };
        let Some((next, unit, n)) = amount_unit(toks, at, cell)? else {
            break;
        };
        if seen.contains(&unit) {
            // "1 year and 1 year": not a period anyone means.
            return Err(());
        }
        seen.push(unit);
        match unit {
            Unit::Year => period.years = n,
            Unit::Month => period.months = n,
            Unit::Week => period.weeks = n,
            Unit::Day => period.days = n,
            Unit::Hour => period.hours = n,
        }
        j = next;
    }
    Ok((!seen.is_empty()).then_some((j, period)))
}

#[cfg(test)]
mod tests;
