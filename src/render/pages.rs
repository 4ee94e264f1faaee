//! One askama template struct per page kind, and the context they share.

use askama::Template;

use crate::diag::Diagnostic;
use crate::i18n::Tr;
use crate::link::{Flow, OrganisationInfo, Register};
use crate::markdown::{self, Html};
use crate::model::*;

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

impl std::fmt::Display for CountryName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name {
            Some(n) => write!(f, "{n} ({})", self.cc),
            None => f.write_str(self.cc),
        }
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

    pub fn activities_using(
        &self,
        map: &'a crate::link::BackLinks<'a, Activity>,
        id: &str,
    ) -> &'a [&'a Activity] {
        map.get(id).map_or(&[], |v| v.as_slice())
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

    pub fn transfers_in(
        &self,
        map: &'a crate::link::BackLinks<'a, Transfer>,
        id: &str,
    ) -> &'a [&'a Transfer] {
        map.get(id).map_or(&[], |v| v.as_slice())
    }

    pub fn flows(&self, a: &Activity) -> &'a [std::sync::Arc<Flow<'a>>] {
        self.r.flows_of_activity(a)
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
page!(ActivityPage, "activity.html" { a: &'a Activity });
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
page!(RecordPage, "record.html" { controller: bool, activities: Vec<&'a Activity> });
// The stylesheet inline, and the CSP source (its hash) that allows it.
page!(NotFoundPage, "404.html" { css: &'static str, css_source: String });
