//! One askama template struct per page kind, and the context they share.

use askama::Template;

use crate::diag::Diagnostic;
use crate::i18n::Tr;
use crate::link::{CountryInfo, Flow, OrganisationInfo, Register};
use crate::markdown::{self, Html, escape_into};
use crate::model::*;
use rustc_hash::FxHashMap;

pub const CATALOGUE_LINKS: usize = 50;

/// A copyable value, or a reference to one at any depth: templates pass
/// `x`, `&x` or `&&x` depending on how it was bound.
pub trait Value<T: Copy> {
    fn get(&self) -> T;
}

impl Value<Date> for Date {
    fn get(&self) -> Date {
        *self
    }
}

impl Value<i64> for i64 {
    fn get(&self) -> i64 {
        *self
    }
}

impl<T: Copy, V: Value<T> + ?Sized> Value<T> for &V {
    fn get(&self) -> T {
        (**self).get()
    }
}

/// What every page knows: the register, the language, and the way back to
/// the site's root (`""` at the top, `"../"` one folder down).
#[derive(Clone, Copy)]
pub struct Page<'a> {
    pub r: &'a Register<'a>,
    /// The run's warnings, open and acknowledged.
    pub warnings: &'a Warnings<'a>,
    pub tr: &'a Tr,
    pub root: &'static str,
    pub site_title: &'a str,
    pub version: &'static str,
    /// Header and footer, the same on every page of one folder depth:
    /// rendered once per build, not once per page.
    pub chrome: &'a Chrome,
    /// The entries in the order a reader looks for them: by name.
    pub sorted: &'a Sorted<'a>,
    /// The registry's history, when the build shows it (docs/history.md).
    pub history: Option<&'a crate::history::History>,
    /// What the build's pictures share; none with `ropa build --no-pictures`.
    pub pictures: Option<&'a super::pictures::flow::Pictures<'a>>,
}

/// The order a reader sees things in: the name without case or accents
/// ("Ärzte" among the A's), then the name as written and the id, so equal
/// names keep one order from build to build.
fn name_key(name: &str, id: &str) -> (String, String, String) {
    (fold(name), name.to_string(), id.to_string())
}

/// `name` lower-cased, with the accented Latin letters of the site's
/// languages read as their base letters, for sorting only.
fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            c => out.push(c),
        }
    }
    out
}

fn by_name<'a, T: ?Sized>(
    items: impl Iterator<Item = &'a T>,
    key: impl Fn(&T) -> (String, String, String),
) -> Vec<&'a T> {
    let mut v: Vec<&'a T> = items.collect();
    v.sort_by_cached_key(|x| key(x));
    v
}

/// Every list of the site sorted by the names a reader sees, made once per
/// build (the registry's maps are by id, and ids are not what a DPO reads).
#[derive(Default)]
pub struct Sorted<'a> {
    pub activities: Vec<&'a Activity>,
    pub processors: Vec<&'a Processor>,
    pub recipients: Vec<&'a Recipient>,
    pub safeguards: Vec<&'a Safeguard>,
    /// By party name, then country name.
    pub transfers: Vec<&'a Transfer>,
    pub data_subjects: Vec<&'a Category>,
    pub data_categories: Vec<&'a Category>,
    pub measures: Vec<&'a Measure>,
    /// By the country's name in the site's language.
    pub countries: Vec<(&'a str, &'a CountryInfo<'a>)>,
    /// Each activity's place in `activities`, for sorting back-links.
    activity_rank: FxHashMap<&'a str, usize>,
    transfer_rank: FxHashMap<&'a str, usize>,
}

impl<'a> Sorted<'a> {
    pub fn new(r: &'a Register<'a>, tr: &Tr) -> Sorted<'a> {
        let reg = r.reg;
        let activities = by_name(reg.activities.values().map(|a| &**a), |a| {
            name_key(&a.name.value, &a.id)
        });
        let country_name = |cc: Option<&str>| {
            fold(
                cc.map(|c| crate::reference::country_name_in(c, tr.primary()).unwrap_or(c))
                    .unwrap_or(""),
            )
        };
        let mut transfers: Vec<&'a Transfer> = reg.transfers.values().map(|t| &**t).collect();
        transfers.sort_by_cached_key(|t| {
            let party = r.party_name(&t.to.value).unwrap_or(&t.to.value);
            (name_key(party, ""), country_name(t.country()), t.id.clone())
        });
        let mut countries: Vec<(&'a str, &'a CountryInfo<'a>)> =
            r.countries.iter().map(|(cc, info)| (*cc, info)).collect();
        countries.sort_by_cached_key(|(cc, _)| (country_name(Some(cc)), cc.to_string()));
        Sorted {
            activity_rank: activities
                .iter()
                .enumerate()
                .map(|(i, a)| (a.id.as_str(), i))
                .collect(),
            transfer_rank: transfers
                .iter()
                .enumerate()
                .map(|(i, t)| (t.id.as_str(), i))
                .collect(),
            activities,
            transfers,
            countries,
            processors: by_name(reg.processors.values().map(|x| &**x), |x| {
                name_key(&x.name.value, &x.id)
            }),
            recipients: by_name(reg.recipients.values().map(|x| &**x), |x| {
                name_key(&x.name.value, &x.id)
            }),
            safeguards: by_name(reg.safeguards.values().map(|x| &**x), |x| {
                name_key(&x.name.value, &x.id)
            }),
            data_subjects: by_name(reg.data_subjects.values(), |c| {
                name_key(&c.name.value, &c.id.value)
            }),
            data_categories: by_name(reg.data_categories.values(), |c| {
                name_key(&c.name.value, &c.id.value)
            }),
            measures: by_name(reg.measures.values(), |m| {
                name_key(&m.name.value, &m.id.value)
            }),
        }
    }

    /// `activities` in the order of the activities' names.
    pub fn activities_by_name(&self, activities: &[&'a Activity]) -> Vec<&'a Activity> {
        let mut v = activities.to_vec();
        // One rank lookup per entry, not two per comparison: the lists of
        // a category or a processor run to thousands.
        v.sort_by_cached_key(|a| self.activity_rank.get(a.id.as_str()).copied());
        v
    }

    /// `transfers` in the order of the transfer register.
    pub fn transfers_by_name(&self, transfers: &[&'a Transfer]) -> Vec<&'a Transfer> {
        let mut v = transfers.to_vec();
        v.sort_by_cached_key(|t| self.transfer_rank.get(t.id.as_str()).copied());
        v
    }
}

/// Is `s` an e-mail address that a `mailto:` link may carry? Letters,
/// digits and `._%+-` before one `@`, a dotted host after it: no `:`, no
/// space, nothing a browser could read as another scheme.
pub fn is_email(s: &str) -> bool {
    let Some((local, host)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// The address a website link goes to: an `http(s)://` address as it is,
/// a bare host name (`example.com/privacy`) under `https://`; anything
/// else (`javascript:`, text with spaces) is no link.
pub fn web_target(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Some(s.to_string());
    }
    let host = s.split('/').next().unwrap_or("");
    let hostlike = host.contains('.')
        && !host.starts_with('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    (hostlike && !s.contains(':') && !s.contains('@')).then(|| format!("https://{s}"))
}

/// Plain text with the e-mail addresses and web addresses in it made
/// links: `"Privacy team, privacy@example.com"` keeps its words and links
/// the address. Everything else is escaped.
pub fn linked_text(text: &str) -> Html {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        escape_into(&mut out, &rest[..start]);
        rest = &rest[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        // Punctuation after an address belongs to the sentence.
        let opened = word.trim_start_matches(['(', '<', '[']);
        let before = &word[..word.len() - opened.len()];
        let core = opened.trim_end_matches([',', ';', '.', ')', ':', '>', ']', '!', '?']);
        let after = &opened[core.len()..];
        let lower = core.to_ascii_lowercase();
        let target = if is_email(core) {
            Some(format!("mailto:{core}"))
        } else if lower.starts_with("https://") || lower.starts_with("http://") {
            web_target(core)
        } else {
            None
        };
        match target {
            Some(href) if !core.is_empty() => {
                escape_into(&mut out, before);
                out.push_str("<a class=\"address\" href=\"");
                escape_into(&mut out, &href);
                out.push_str("\">");
                escape_into(&mut out, core);
                out.push_str("</a>");
                escape_into(&mut out, after);
            }
            _ => escape_into(&mut out, word),
        }
        rest = &rest[end..];
    }
    Html(out)
}

/// A diagnostic's message as HTML: its `code` spans (ids, keys, values
/// between backticks) as `<code>`, the rest escaped. A backtick without
/// its pair stays as it is.
pub fn message_html(message: &str) -> Html {
    let mut out = String::with_capacity(message.len() + 16);
    let mut rest = message;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        escape_into(&mut out, &rest[..open]);
        out.push_str("<code>");
        escape_into(&mut out, &rest[open + 1..open + 1 + len]);
        out.push_str("</code>");
        rest = &rest[open + 1 + len + 1..];
    }
    escape_into(&mut out, rest);
    Html(out)
}

/// One processor that works on an activity's data: one the activity names,
/// or a sub-processor reached through it (`engaged_by` the processor that
/// engaged it).
pub struct Engaged<'a> {
    pub processor: &'a Processor,
    pub engaged_by: Option<&'a Processor>,
}

/// The run's warnings as the site shows them: the open ones on the
/// dashboard, the acknowledged ones apart, there and on their entry's page
/// (organisation.toml's on the front page), each with its reason.
#[derive(Default)]
pub struct Warnings<'a> {
    pub open: Vec<&'a Diagnostic>,
    pub acknowledged: Vec<&'a Diagnostic>,
    /// By entry kind, then id (an id alone may name entries of two kinds).
    by_entry: rustc_hash::FxHashMap<EntryKind, rustc_hash::FxHashMap<&'a str, Vec<&'a Diagnostic>>>,
    organisation: Vec<&'a Diagnostic>,
}

impl<'a> Warnings<'a> {
    /// The warnings among `diagnostics`, in their order.
    pub fn new(diagnostics: &'a [Diagnostic]) -> Warnings<'a> {
        let mut w = Warnings::default();
        for d in diagnostics
            .iter()
            .filter(|d| d.severity == crate::diag::Severity::Warning)
        {
            if d.acknowledged.is_none() {
                w.open.push(d);
                continue;
            }
            w.acknowledged.push(d);
            match &d.entry {
                Some(e) => w
                    .by_entry
                    .entry(e.kind)
                    .or_default()
                    .entry(e.id.as_str())
                    .or_default()
                    .push(d),
                None if d.path == "organisation.toml" => w.organisation.push(d),
                None => {}
            }
        }
        w
    }
}

#[derive(Default)]
pub struct Chrome {
    pub header: Html,
    pub footer: Html,
}

// Links and names that pages print many times each are written straight
// into the page (askama escapes them on the way) instead of being made
// as strings first: a build prints about a million of them.

/// `<root><folder>/<id>.html`
pub struct PageUrl<'u> {
    root: &'static str,
    folder: &'u str,
    id: &'u str,
}

impl std::fmt::Display for PageUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.root)?;
        f.write_str(self.folder)?;
        f.write_str("/")?;
        f.write_str(self.id)?;
        f.write_str(".html")
    }
}

/// `<root>countries/<cc in lower case>.html`
pub struct CountryUrl<'c> {
    root: &'static str,
    cc: &'c str,
}

impl std::fmt::Display for CountryUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        f.write_str(self.root)?;
        f.write_str("countries/")?;
        for c in self.cc.chars() {
            f.write_char(c.to_ascii_lowercase())?;
        }
        f.write_str(".html")
    }
}

/// "European Patent Organisation (EPO)": the recipient's name and the
/// organisation's code, or the code alone when the name is the code.
pub struct OrganisationName<'a> {
    name: &'a str,
    code: &'a str,
}

impl std::fmt::Display for OrganisationName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.name == self.code {
            f.write_str(self.code)
        } else {
            write!(f, "{} ({})", self.name, self.code)
        }
    }
}

/// Where a transfer goes, in words: see [`Page::transfer_heading`].
pub enum TransferHeading<'a> {
    Country {
        party: &'a str,
        country: Option<CountryName<'a>>,
    },
    Organisation(OrganisationName<'a>),
}

impl std::fmt::Display for TransferHeading<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransferHeading::Country {
                party,
                country: Some(c),
            } => write!(f, "{party} → {c}"),
            TransferHeading::Country {
                party,
                country: None,
            } => f.write_str(party),
            TransferHeading::Organisation(o) => o.fmt(f),
        }
    }
}

/// "United States (US)", or the code alone when it names no country.
pub struct CountryName<'c> {
    name: Option<&'static str>,
    cc: &'c str,
}

impl CountryName<'_> {
    /// "Name (CC)", or the code alone; piece by piece, so that writing
    /// into a `String` takes no formatting machinery (the pictures name
    /// a country per party).
    pub fn write_to(&self, w: &mut impl std::fmt::Write) -> std::fmt::Result {
        match self.name {
            Some(n) => {
                w.write_str(n)?;
                w.write_str(" (")?;
                w.write_str(self.cc)?;
                w.write_str(")")
            }
            None => w.write_str(self.cc),
        }
    }
}

impl std::fmt::Display for CountryName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.write_to(f)
    }
}

impl<'a> Page<'a> {
    pub fn t(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }

    pub fn label(&self, group: &str, value: &'a str) -> &'a str {
        self.tr.label(group, value)
    }

    pub fn md(&self, text: &str) -> Html {
        markdown::render(text)
    }

    /// A retention period in words in the site's language ("30 days").
    pub fn duration(&self, d: &IsoDuration) -> String {
        self.tr.duration(d)
    }

    /// A diagnostic's message, its `code` spans as `<code>`.
    pub fn message(&self, m: &str) -> Html {
        message_html(m)
    }

    /// Free text (a contact, a controller) with its addresses as links.
    pub fn linked(&self, text: &str) -> Html {
        linked_text(text)
    }

    /// A website as a link when it is an http(s) address or a host name.
    pub fn website(&self, w: &str) -> Html {
        let mut out = String::new();
        match web_target(w.trim()) {
            Some(href) => {
                out.push_str("<a class=\"address\" href=\"");
                escape_into(&mut out, &href);
                out.push_str("\">");
                escape_into(&mut out, w);
                out.push_str("</a>");
            }
            None => escape_into(&mut out, w),
        }
        Html(out)
    }

    /// An e-mail address as a `mailto:` link when it is one.
    pub fn email(&self, e: &str) -> Html {
        let mut out = String::new();
        if is_email(e.trim()) {
            out.push_str("<a class=\"address\" href=\"mailto:");
            escape_into(&mut out, e.trim());
            out.push_str("\">");
            escape_into(&mut out, e);
            out.push_str("</a>");
        } else {
            escape_into(&mut out, e);
        }
        Html(out)
    }

    /// The processors that work on `a`'s data: those it names, in its
    /// order, each followed by the sub-processors reached through it
    /// (breadth first, each once; cycles end). For the processor record,
    /// where Art. 30(2)(a) asks for every processor's name and contact.
    pub fn engaged_processors(&self, a: &Activity) -> Vec<Engaged<'a>> {
        let index = &self.r.index.processors;
        let mut out: Vec<Engaged<'a>> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for id in a.processors.iter().flat_map(|l| l.value.iter()) {
            let Some(first) = index.get(id.value.as_str()).copied() else {
                continue;
            };
            if !seen.insert(first.id.as_str()) {
                continue;
            }
            let mut queue = std::collections::VecDeque::from([Engaged {
                processor: first,
                engaged_by: None,
            }]);
            while let Some(e) = queue.pop_front() {
                for sub in e
                    .processor
                    .sub_processors
                    .iter()
                    .flat_map(|l| l.value.iter())
                {
                    if let Some(s) = index.get(sub.value.as_str()).copied()
                        && seen.insert(s.id.as_str())
                    {
                        queue.push_back(Engaged {
                            processor: s,
                            engaged_by: Some(e.processor),
                        });
                    }
                }
                out.push(e);
            }
        }
        out
    }

    /// Does `a` name at least one processor?
    pub fn names_processors(&self, a: &Activity) -> bool {
        a.processors.as_ref().is_some_and(|l| !l.value.is_empty())
    }

    /// Does `a` name at least one recipient that is not a processor?
    pub fn names_recipients(&self, a: &Activity) -> bool {
        a.recipients.as_ref().is_some_and(|l| !l.value.is_empty())
    }

    /// Does `a` name at least one security measure?
    pub fn names_measures(&self, a: &Activity) -> bool {
        a.measures.as_ref().is_some_and(|l| !l.value.is_empty())
    }

    /// The names of everyone `a` discloses data to: its processors, then
    /// its other recipients (Art. 30(1)(d) counts both).
    pub fn recipient_names(&self, a: &'a Activity) -> Vec<&'a str> {
        let processors = a.processors.iter().flat_map(|l| l.value.iter());
        let recipients = a.recipients.iter().flat_map(|l| l.value.iter());
        processors
            .map(|x| self.processor_name(x.value.as_str()))
            .chain(recipients.map(|x| self.recipient_name(x.value.as_str())))
            .collect()
    }

    pub fn date(&self, d: impl Value<Date>) -> crate::i18n::DateText<'a> {
        self.tr.date_text(&d.get())
    }

    /// The translation key of an SCC module number.
    pub fn module_key(&self, m: impl Value<i64>) -> &'static str {
        match m.get() {
            1 => "1",
            2 => "2",
            3 => "3",
            4 => "4",
            _ => "other",
        }
    }

    /// "United States (US)", in the site's language.
    pub fn country<'c>(&self, cc: &'c str) -> CountryName<'c> {
        CountryName {
            name: crate::reference::country_name_in(cc, self.tr.primary()),
            cc,
        }
    }

    pub fn country_url<'c>(&self, cc: &'c str) -> CountryUrl<'c> {
        CountryUrl {
            root: self.root,
            cc,
        }
    }

    pub fn url<'u>(&self, folder: &'u str, id: &'u str) -> PageUrl<'u> {
        PageUrl {
            root: self.root,
            folder,
            id,
        }
    }

    /// Link to a processor or recipient, whichever `id` is.
    pub fn party_url<'u>(&self, id: &'u str) -> PageUrl<'u> {
        let folder = if self.r.is_processor(id) {
            "processors"
        } else {
            "recipients"
        };
        self.url(folder, id)
    }

    pub fn party_name(&self, id: &'a str) -> &'a str {
        self.r.party_name(id).unwrap_or(id)
    }

    pub fn processor_name(&self, id: &'a str) -> &'a str {
        self.r
            .index
            .processors
            .get(id)
            .map_or(id, |p| p.name.value.as_str())
    }

    pub fn recipient_name(&self, id: &'a str) -> &'a str {
        self.r
            .index
            .recipients
            .get(id)
            .map_or(id, |p| p.name.value.as_str())
    }

    pub fn safeguard_name(&self, id: &'a str) -> &'a str {
        self.r
            .index
            .safeguards
            .get(id)
            .map_or(id, |p| p.name.value.as_str())
    }

    pub fn measure_name(&self, id: &'a str) -> &'a str {
        self.r
            .index
            .measures
            .get(id)
            .map_or(id, |m| m.name.value.as_str())
    }

    pub fn subject_name(&self, id: &'a str) -> &'a str {
        self.r
            .index
            .data_subjects
            .get(id)
            .map_or(id, |c| c.name.value.as_str())
    }

    pub fn category_name(&self, id: &'a str) -> &'a str {
        self.r
            .index
            .data_categories
            .get(id)
            .map_or(id, |c| c.name.value.as_str())
    }

    pub fn is_special(&self, id: &str) -> bool {
        self.r
            .index
            .data_categories
            .get(id)
            .is_some_and(|c| c.special || c.criminal)
    }

    /// "Adequacy decision (Art. 45)" or the like, for a transfer.
    pub fn mechanism(&self, t: &'a Transfer) -> &'a str {
        self.tr.label("mechanism", t.mechanism.value.as_str())
    }

    pub fn in_eea(&self, cc: &str) -> bool {
        self.r.inside_eea(cc)
    }

    /// The decision in force for a country of the register (every country
    /// a page names is one: see `link::Register::countries`).
    pub fn decision(&self, cc: &str) -> Option<&'a AdequacyDecision> {
        self.r.countries.get(cc).and_then(|c| c.decision)
    }

    /// "Customer Cloud → United States (US)" for a transfer to a country,
    /// "European Patent Organisation (EPO)" for one to an international
    /// organisation, whose seat is not where the data goes.
    pub fn transfer_heading(&self, t: &'a Transfer) -> TransferHeading<'a> {
        let party = self.party_name(&t.to.value);
        match self.r.organisation_of(t) {
            Some(code) => TransferHeading::Organisation(OrganisationName { name: party, code }),
            None => TransferHeading::Country {
                party,
                country: t.country().map(|cc| self.country(cc)),
            },
        }
    }

    /// [`Page::transfer_heading`] with the country's code alone, for the
    /// page's `<title>`.
    pub fn transfer_title(&self, t: &'a Transfer) -> TransferHeading<'a> {
        match self.transfer_heading(t) {
            TransferHeading::Country { party, country } => TransferHeading::Country {
                party,
                country: country.map(|c| CountryName {
                    name: None,
                    cc: c.cc,
                }),
            },
            o => o,
        }
    }

    /// The international organisation transfer `t` goes to, if any.
    pub fn organisation_of(&self, t: &Transfer) -> Option<&'a str> {
        self.r.organisation_of(t)
    }

    /// Does the site have a page for country `cc`? The seat of an
    /// international organisation may be a country nothing else names.
    pub fn has_country_page(&self, cc: &str) -> bool {
        self.r.countries.contains_key(cc)
    }

    /// The international organisations data goes to, by code.
    pub fn organisations(&self) -> &'a std::collections::BTreeMap<&'a str, OrganisationInfo<'a>> {
        &self.r.international_organisations
    }

    /// An organisation's seats: the distinct countries its recipients give.
    pub fn seats(&self, info: &OrganisationInfo<'a>) -> Vec<&'a str> {
        let mut seats: Vec<&'a str> = info
            .recipients
            .iter()
            .filter_map(|r| r.country.as_ref().map(|c| c.value.as_str()))
            .collect();
        seats.sort_unstable();
        seats.dedup();
        seats
    }

    /// The decision in force of its own for organisation `code`.
    pub fn organisation_decision(&self, code: &str) -> Option<&'a AdequacyDecision> {
        self.r
            .international_organisations
            .get(code)
            .and_then(|o| o.decision)
    }

    /// Does the decision cover only private-sector organisations?
    pub fn private_sector_only(&self, d: &AdequacyDecision) -> bool {
        d.requires == Some(AdequacyRequirement::PrivateSector)
    }

    /// The acknowledged warnings of one entry's file.
    pub fn acknowledged_of(&self, kind: EntryKind, id: &str) -> &'a [&'a Diagnostic] {
        self.warnings
            .by_entry
            .get(&kind)
            .and_then(|m| m.get(id))
            .map_or(&[], |v| v.as_slice())
    }

    /// The acknowledged warnings of organisation.toml.
    pub fn acknowledged_of_organisation(&self) -> &'a [&'a Diagnostic] {
        &self.warnings.organisation
    }

    /// The decision in force for the country of transfer `t`.
    pub fn transfer_decision(&self, t: &Transfer) -> Option<&'a AdequacyDecision> {
        self.r.adequacy_of(t).decision_in_force()
    }

    /// Does an adequacy decision cover transfer `t`?
    pub fn covered(&self, t: &Transfer) -> bool {
        self.r.adequacy_of(t).covers()
    }

    /// The activities that use entry `id`, by name.
    pub fn activities_using(
        &self,
        map: &'a crate::link::BackLinks<'a, Activity>,
        id: &str,
    ) -> Vec<&'a Activity> {
        map.get(id)
            .map_or_else(Vec::new, |v| self.sorted.activities_by_name(v))
    }

    /// At most `CATALOGUE_LINKS` of `all`: catalogue pages (categories,
    /// measures) name the activities that use an entry, but a list of
    /// thousands of links helps nobody; every activity page links back.
    pub fn first<'s, T>(&self, all: &'s [T]) -> &'s [T] {
        &all[..all.len().min(CATALOGUE_LINKS)]
    }

    pub fn more(&self, all: &[&Activity]) -> usize {
        all.len().saturating_sub(CATALOGUE_LINKS)
    }

    /// The transfers that name entry `id`, in the register's order.
    pub fn transfers_in(
        &self,
        map: &'a crate::link::BackLinks<'a, Transfer>,
        id: &str,
    ) -> Vec<&'a Transfer> {
        map.get(id)
            .map_or_else(Vec::new, |v| self.sorted.transfers_by_name(v))
    }

    /// Processors, by name.
    pub fn processors_by_name(&self, v: &[&'a Processor]) -> Vec<&'a Processor> {
        let mut v = v.to_vec();
        v.sort_by_cached_key(|x| name_key(&x.name.value, &x.id));
        v
    }

    /// Recipients, by name.
    pub fn recipients_by_name(&self, v: &[&'a Recipient]) -> Vec<&'a Recipient> {
        let mut v = v.to_vec();
        v.sort_by_cached_key(|x| name_key(&x.name.value, &x.id));
        v
    }

    pub fn flows(&self, a: &Activity) -> &'a [std::sync::Arc<Flow<'a>>] {
        self.r.flows_of_activity(a)
    }

    /// The rights of the activity's data subjects, as link judged them
    /// (docs/rights.md), one line each in the site's language.
    pub fn rights(&self, a: &Activity) -> Vec<String> {
        self.r.rights_of(a).lines(self.tr)
    }

    /// The page of the entry a warning is about, if it has one.
    pub fn warning_url<'w>(&self, w: &'w Diagnostic) -> Option<PageUrl<'w>> {
        w.entry.as_ref().map(|e| self.url(e.kind.folder(), &e.id))
    }

    pub fn warning_label<'w>(&self, w: &'w Diagnostic) -> &'w str {
        match &w.entry {
            Some(e) => &e.id,
            None => &w.path,
        }
    }

    pub fn status(&self, a: &'a Activity) -> &'a str {
        self.tr.label("status", a.status().as_str())
    }

    pub fn role(&self, a: &'a Activity) -> &'a str {
        self.tr.label("role", a.role().as_str())
    }

    pub fn review_due(&self, a: &Activity) -> Option<Date> {
        a.review.as_ref().and_then(|r| r.due()).map(|d| d.value)
    }

    pub fn is_overdue(&self, d: impl Value<Date>) -> bool {
        d.get() < self.r.as_of
    }

    pub fn organisation(&self) -> Option<&'a Organisation> {
        self.r.reg.organisation.as_ref()
    }
}

macro_rules! page {
    ($name:ident, $path:literal { $($field:ident : $ty:ty),* $(,)? }) => {
        #[derive(Template)]
        #[template(path = $path, config = "themes/askama.toml")]
        pub struct $name<'a> {
            pub p: Page<'a>,
            $(pub $field: $ty,)*
        }
    };
}

page!(ChromeHeader, "chrome-header.html" {});
page!(ChromeFooter, "chrome-footer.html" {});
page!(IndexPage, "index.html" {});
page!(ActivityPage, "activity.html" { a: &'a Activity, flow: &'a Html });
page!(ProcessorPage, "processor.html" { x: &'a Processor });
page!(RecipientPage, "recipient.html" { x: &'a Recipient });
page!(SafeguardPage, "safeguard.html" { x: &'a Safeguard });
page!(TransferPage, "transfer.html" { x: &'a Transfer });
page!(ProcessorsPage, "processors.html" {});
page!(RecipientsPage, "recipients.html" {});
page!(SafeguardsPage, "safeguards.html" {});
page!(TransfersPage, "transfers.html" {});
page!(CountriesPage, "countries.html" {});
page!(CountryPage, "country.html" { cc: &'a str, info: &'a crate::link::CountryInfo<'a> });
page!(CategoriesPage, "categories.html" {});
page!(MeasuresPage, "measures.html" {});
// `sub_processors`: the build writes the sub-processor notices, which the
// processor record links to.
// `entries`: the record's entries, which write their activities' pages
// (render::record); `empty`: the record has none.
page!(RecordPage, "record.html" { controller: bool, entries: &'a super::record::Entries<'a>, empty: bool, sub_processors: bool });
// `flow`: the activity's flow diagram, drawn once for its page and entry.
page!(RecordEntry, "record-entry.html" { controller: bool, a: &'a Activity, flow: &'a Html });
// The stylesheet inline, and the CSP source (its hash) that allows it.
page!(NotFoundPage, "404.html" { css: &'static str, css_source: String });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_of_a_message_become_code_and_the_rest_is_escaped() {
        assert_eq!(
            message_html("processor `shop-hosting` has no <dpa>").0,
            "processor <code>shop-hosting</code> has no &lt;dpa&gt;"
        );
        assert_eq!(
            message_html("`a` and `<b>`").0,
            "<code>a</code> and <code>&lt;b&gt;</code>"
        );
        // A backtick without its pair stays as it is.
        assert_eq!(message_html("one ` left").0, "one ` left");
        assert_eq!(message_html("`x` then `").0, "<code>x</code> then `");
    }

    #[test]
    fn addresses_in_text_become_links_and_nothing_else_does() {
        assert_eq!(
            linked_text("Privacy team, privacy@example.com.").0,
            "Privacy team, <a class=\"address\" href=\"mailto:privacy@example.com\">privacy@example.com</a>."
        );
        assert_eq!(
            linked_text("see (https://example.com/dpa)").0,
            "see (<a class=\"address\" href=\"https://example.com/dpa\">https://example.com/dpa</a>)"
        );
        for plain in [
            "javascript:alert(1)",
            "javascript:alert(1)//@x.example",
            "mailto:x@y.example",
            "a@b",
            "<b>@x.example",
            "data:text/html,x",
        ] {
            assert!(!linked_text(plain).0.contains("<a "), "{plain}");
        }
        assert_eq!(linked_text("a <b> & c").0, "a &lt;b&gt; &amp; c");
        assert_eq!(
            linked_text("Jane <jane@x.example>").0,
            "Jane &lt;<a class=\"address\" href=\"mailto:jane@x.example\">jane@x.example</a>&gt;"
        );
    }

    #[test]
    fn names_sort_without_case_or_accents() {
        let mut names = vec!["Zeta", "Émile", "ärzte", "Emile", "apple", "Öl"];
        names.sort_by_key(|n| name_key(n, ""));
        assert_eq!(names, ["apple", "ärzte", "Emile", "Émile", "Öl", "Zeta"]);
    }

    #[test]
    fn websites_link_only_to_http_and_https() {
        assert_eq!(
            web_target("https://example.com").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(
            web_target("HTTP://example.com").as_deref(),
            Some("HTTP://example.com")
        );
        assert_eq!(
            web_target("example.com/privacy").as_deref(),
            Some("https://example.com/privacy")
        );
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "ftp://example.com",
            "example",
            "see example.com",
            "//example.com",
            "a@example.com",
        ] {
            assert_eq!(web_target(bad), None, "{bad}");
        }
    }

    #[test]
    fn e_mail_addresses() {
        for ok in ["a@b.example", "first.last+tag@sub.example.org"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a@b",
            "@b.example",
            "a@.example",
            "a b@c.example",
            "javascript:x@y.example",
            "a@b.example\"",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
