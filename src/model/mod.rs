//! The typed registry: what `load` produces and every later stage reads.
//!
//! Every value keeps its span so rules can point at it. Required keys are
//! plain `Sp<T>`; an entry whose required keys did not decode is not in these
//! maps (its id is still known, so references to it do not cascade).

mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

pub use values::{Date, IsoDuration, Sp};

use crate::diag::FileId;

pub type List<T> = Sp<Vec<Sp<T>>>;
pub type Text = Option<Sp<String>>;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident, $what:literal { $( $variant:ident = $text:literal ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $( $variant, )* }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];
            /// What a value of this type is called in messages.
            pub const WHAT: &'static str = $what;

            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text, )* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $( $text => Some($name::$variant), )* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "description": concat!("A ", $what, " (the registry format's value)."),
                    "enum": [ $( $text, )* ]
                })
            }
        }
    };
}

string_enum!(
    /// Which Art. 30 record an activity belongs to.
    Role, "role" {
    Controller = "controller",
    JointController = "joint-controller",
    Processor = "processor",
});

string_enum!(Status, "status" {
    Active = "active",
    Planned = "planned",
    Retired = "retired",
});

string_enum!(
    /// Art. 6(1)(a)-(f).
    LegalBasis, "legal basis" {
    Consent = "consent",
    Contract = "contract",
    LegalObligation = "legal-obligation",
    VitalInterests = "vital-interests",
    PublicTask = "public-task",
    LegitimateInterests = "legitimate-interests",
});

string_enum!(
    /// Art. 9(2)(a)-(j).
    SpecialCategoryCondition, "special category condition" {
    ExplicitConsent = "explicit-consent",
    Employment = "employment",
    VitalInterests = "vital-interests",
    NotForProfit = "not-for-profit",
    MadePublic = "made-public",
    LegalClaims = "legal-claims",
    SubstantialPublicInterest = "substantial-public-interest",
    HealthCare = "health-care",
    PublicHealth = "public-health",
    ArchivingResearch = "archiving-research",
});

string_enum!(RecipientKind, "recipient kind" {
    Controller = "controller",
    PublicAuthority = "public-authority",
    GroupCompany = "group-company",
    Category = "category",
});

string_enum!(
    /// The legal ground of a transfer (Art. 45, 46, 49).
    Mechanism, "transfer mechanism" {
    Adequacy = "adequacy",
    Scc = "scc",
    Bcr = "bcr",
    CodeOfConduct = "code-of-conduct",
    Certification = "certification",
    AdHocClauses = "ad-hoc-clauses",
    PublicAuthorityInstrument = "public-authority-instrument",
    Derogation = "derogation",
});

string_enum!(SafeguardKind, "safeguard kind" {
    Scc = "scc",
    Bcr = "bcr",
    CodeOfConduct = "code-of-conduct",
    Certification = "certification",
    AdHocClauses = "ad-hoc-clauses",
    PublicAuthorityInstrument = "public-authority-instrument",
});

string_enum!(
    /// Art. 49(1)(a)-(g) and the second subparagraph.
    Derogation, "derogation" {
    ExplicitConsent = "explicit-consent",
    ContractWithSubject = "contract-with-subject",
    ContractInInterest = "contract-in-interest",
    PublicInterest = "public-interest",
    LegalClaims = "legal-claims",
    VitalInterests = "vital-interests",
    PublicRegister = "public-register",
    CompellingLegitimateInterests = "compelling-legitimate-interests",
});

string_enum!(MeasureKind, "measure kind" {
    Technical = "technical",
    Organisational = "organisational",
});

string_enum!(
    /// Commission decisions adopting standard contractual clauses.
    SccVersion, "SCC version" {
    V2021_914 = "2021/914",
    V2010_87 = "2010/87/EU",
    V2004_915 = "2004/915/EC",
    V2001_497 = "2001/497/EC",
});

string_enum!(
    /// A condition an adequacy decision puts on the recipient.
    AdequacyRequirement, "adequacy requirement" {
    DpfCertified = "dpf-certified",
});

impl Mechanism {
    /// The safeguard kind this mechanism rests on; `None` for adequacy and
    /// derogations, which need no safeguard document.
    pub fn safeguard_kind(self) -> Option<SafeguardKind> {
        match self {
            Mechanism::Adequacy | Mechanism::Derogation => None,
            Mechanism::Scc => Some(SafeguardKind::Scc),
            Mechanism::Bcr => Some(SafeguardKind::Bcr),
            Mechanism::CodeOfConduct => Some(SafeguardKind::CodeOfConduct),
            Mechanism::Certification => Some(SafeguardKind::Certification),
            Mechanism::AdHocClauses => Some(SafeguardKind::AdHocClauses),
            Mechanism::PublicAuthorityInstrument => Some(SafeguardKind::PublicAuthorityInstrument),
        }
    }
}

impl SccVersion {
    pub fn is_repealed(self) -> bool {
        self != SccVersion::V2021_914
    }
}

#[derive(Clone, Debug)]
pub struct Contact {
    pub span: Range<usize>,
    pub name: Text,
    pub address: Text,
    pub email: Text,
    pub phone: Text,
}

#[derive(Clone, Debug)]
pub struct SiteSettings {
    pub title: Text,
    pub language: Text,
}

#[derive(Clone, Debug)]
pub struct Organisation {
    pub file: FileId,
    pub name: Sp<String>,
    pub trading_name: Text,
    pub registration: Text,
    pub address: Text,
    pub email: Text,
    pub phone: Text,
    pub website: Text,
    pub country: Sp<String>,
    pub supervisory_authority: Text,
    pub dpo: Option<Contact>,
    pub representative: Option<Contact>,
    pub site: Option<SiteSettings>,
    pub note: Text,
}

/// A data subject category or a personal data category.
#[derive(Clone, Debug)]
pub struct Category {
    pub id: Sp<String>,
    pub file: FileId,
    pub name: Sp<String>,
    pub description: Text,
    pub note: Text,
    pub special: bool,
    pub criminal: bool,
}

#[derive(Clone, Debug)]
pub struct Measure {
    pub id: Sp<String>,
    pub file: FileId,
    pub name: Sp<String>,
    pub description: Text,
    pub kind: Option<Sp<MeasureKind>>,
    pub note: Text,
}

#[derive(Clone, Debug)]
pub struct Retention {
    pub span: Range<usize>,
    pub period: Option<Sp<IsoDuration>>,
    pub from: Text,
    pub data_categories: Option<List<String>>,
    pub note: Text,
}

#[derive(Clone, Debug)]
pub struct Dpia {
    pub span: Range<usize>,
    pub required: Option<Sp<bool>>,
    pub completed: Option<Sp<Date>>,
    pub reference: Text,
    pub note: Text,
}

#[derive(Clone, Debug)]
pub struct Review {
    pub span: Range<usize>,
    pub last_reviewed: Option<Sp<Date>>,
    pub next_review: Option<Sp<Date>>,
}

impl Review {
    /// `next_review`, or 12 months after `last_reviewed`.
    pub fn due(&self) -> Option<Sp<Date>> {
        if let Some(n) = &self.next_review {
            return Some(n.clone());
        }
        self.last_reviewed
            .as_ref()
            .map(|l| Sp::new(l.value.add_months(12), l.span.clone()))
    }
}

#[derive(Clone, Debug)]
pub struct JointController {
    pub span: Range<usize>,
    pub name: Sp<String>,
    pub contact: Text,
    pub arrangement: Text,
}

#[derive(Clone, Debug)]
pub struct Activity {
    pub id: String,
    pub file: FileId,
    /// Where diagnostics about the whole entry point (its first key).
    pub anchor: Range<usize>,
    pub name: Sp<String>,
    pub description: Text,
    pub role: Option<Sp<Role>>,
    pub status: Option<Sp<Status>>,
    pub owner: Text,
    pub purposes: List<String>,
    pub legal_bases: Option<List<LegalBasis>>,
    pub legitimate_interest: Text,
    pub special_category_condition: Option<Sp<SpecialCategoryCondition>>,
    pub data_subjects: List<String>,
    pub data_categories: List<String>,
    pub sources: Option<List<String>>,
    pub processors: Option<List<String>>,
    pub recipients: Option<List<String>>,
    pub transfers: Option<List<String>>,
    pub measures: Option<List<String>>,
    pub systems: Option<List<String>>,
    pub automated_decision_making: Option<Sp<bool>>,
    pub automated_decision_note: Text,
    pub retention: Vec<Retention>,
    pub dpia: Option<Dpia>,
    pub review: Option<Review>,
    pub controllers: Option<List<String>>,
    pub joint_controllers: Option<Sp<Vec<JointController>>>,
    pub note: Text,
    /// Which rule-bearing keys were written with at least one item, valid or
    /// not, so a misspelt value is one `schema` error, not also "missing".
    pub given: Given,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Given {
    pub legal_bases: bool,
    pub controllers: bool,
    pub joint_controllers: bool,
}

impl Activity {
    pub fn role(&self) -> Role {
        self.role.as_ref().map_or(Role::Controller, |r| r.value)
    }

    pub fn status(&self) -> Status {
        self.status.as_ref().map_or(Status::Active, |s| s.value)
    }
}

#[derive(Clone, Debug)]
pub struct Processor {
    pub id: String,
    pub file: FileId,
    pub anchor: Range<usize>,
    pub name: Sp<String>,
    pub service: Sp<String>,
    pub country: Sp<String>,
    pub locations: Option<List<String>>,
    pub contact: Text,
    pub website: Text,
    pub description: Text,
    pub note: Text,
    pub dpa_signed: Option<Sp<Date>>,
    pub dpa_reference: Text,
    pub dpf_certified: Option<Sp<bool>>,
    pub certifications: Option<List<String>>,
    pub sub_processors: Option<List<String>>,
}

impl Processor {
    /// Where the data is stored or accessed: `locations`, default `[country]`.
    pub fn locations(&self) -> Vec<&Sp<String>> {
        match &self.locations {
            Some(l) if !l.value.is_empty() => l.value.iter().collect(),
            _ => vec![&self.country],
        }
    }

    /// Every place the processor is located for the coverage rule: its
    /// `country` (where it is established, and so subject to that country's
    /// law) and each of its `locations`, without repeats.
    pub fn places(&self) -> Vec<&Sp<String>> {
        let mut out = vec![&self.country];
        for l in self.locations.iter().flat_map(|l| l.value.iter()) {
            if !out.iter().any(|o| o.value == l.value) {
                out.push(l);
            }
        }
        out
    }

    pub fn dpf_certified(&self) -> bool {
        self.dpf_certified.as_ref().is_some_and(|b| b.value)
    }
}

#[derive(Clone, Debug)]
pub struct Recipient {
    pub id: String,
    pub file: FileId,
    pub anchor: Range<usize>,
    pub name: Sp<String>,
    pub kind: Sp<RecipientKind>,
    pub country: Text,
    pub dpf_certified: Option<Sp<bool>>,
    pub description: Text,
    pub note: Text,
}

impl Recipient {
    pub fn dpf_certified(&self) -> bool {
        self.dpf_certified.as_ref().is_some_and(|b| b.value)
    }
}

#[derive(Clone, Debug)]
pub struct Tia {
    pub span: Range<usize>,
    pub completed: Option<Sp<Date>>,
    pub reference: Text,
    pub outcome: Text,
}

#[derive(Clone, Debug)]
pub struct Transfer {
    pub id: String,
    pub file: FileId,
    pub anchor: Range<usize>,
    pub to: Sp<String>,
    pub country: Sp<String>,
    pub via: Text,
    pub mechanism: Sp<Mechanism>,
    pub safeguard: Text,
    pub derogation: Option<Sp<Derogation>>,
    pub data_categories: Option<List<String>>,
    pub supplementary_measures: Option<List<String>>,
    pub tia: Option<Tia>,
    pub description: Text,
    pub note: Text,
}

#[derive(Clone, Debug)]
pub struct Safeguard {
    pub id: String,
    pub file: FileId,
    pub anchor: Range<usize>,
    pub name: Sp<String>,
    pub kind: Sp<SafeguardKind>,
    pub scc_version: Option<Sp<SccVersion>>,
    pub scc_modules: Option<List<i64>>,
    pub signed: Option<Sp<Date>>,
    pub expires: Option<Sp<Date>>,
    pub parties: Option<List<String>>,
    pub document: Text,
    pub approved_by: Text,
    pub description: Text,
    pub note: Text,
}

impl Safeguard {
    /// `scc_version`, default `2021/914` for SCCs.
    pub fn scc_version(&self) -> Option<SccVersion> {
        match (&self.scc_version, self.kind.value) {
            (Some(v), _) => Some(v.value),
            (None, SafeguardKind::Scc) => Some(SccVersion::V2021_914),
            _ => None,
        }
    }
}

/// One Commission adequacy decision (Art. 45).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdequacyDecision {
    pub country: String,
    pub decision: String,
    pub adopted: Option<Date>,
    pub scope: Option<String>,
    pub requires: Option<AdequacyRequirement>,
    pub expires: Option<Date>,
    pub note: Option<String>,
}

impl AdequacyDecision {
    pub fn in_force(&self, as_of: Date) -> bool {
        self.adopted.is_none_or(|a| a <= as_of) && self.expires.is_none_or(|e| as_of <= e)
    }
}

/// The list of EEA states and adequacy decisions a run uses: the bundled one,
/// or `registry/adequacy.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdequacyList {
    pub as_of: Date,
    /// Where the list comes from: `bundled` or `adequacy.toml`.
    pub origin: String,
    pub source: Option<String>,
    pub eea: BTreeSet<String>,
    pub decisions: BTreeMap<String, AdequacyDecision>,
}

impl AdequacyList {
    pub fn in_eea(&self, country: &str) -> bool {
        self.eea.contains(country)
    }

    /// The decision covering `country` at `as_of`, if any is in force.
    pub fn decision_in_force(&self, country: &str, as_of: Date) -> Option<&AdequacyDecision> {
        self.decisions.get(country).filter(|d| d.in_force(as_of))
    }
}

/// A place outside the EEA that data reaches through a processor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exit<'a> {
    /// The processor located there.
    pub party: &'a str,
    pub country: &'a str,
    /// Processors from the one first named to `party` (inclusive).
    pub chain: Vec<&'a str>,
}

impl Registry {
    /// Every place outside the EEA reachable from processor `start` through
    /// `sub_processors`, transitively: breadth first, so each chain is a
    /// shortest one, and cycles end. Sub-processors that do not exist are
    /// skipped (they are `dangling-reference` errors of their own).
    pub fn exits_from<'a>(&'a self, start: &str, in_eea: impl Fn(&str) -> bool) -> Vec<Exit<'a>> {
        let mut out = Vec::new();
        let Some((start, _)) = self.processors.get_key_value(start) else {
            return out;
        };
        let mut seen = std::collections::HashSet::from([start.as_str()]);
        let mut queue = std::collections::VecDeque::from([vec![start.as_str()]]);
        while let Some(chain) = queue.pop_front() {
            let Some(p) = chain.last().and_then(|id| self.processors.get(*id)) else {
                continue;
            };
            for place in p.places() {
                if !in_eea(&place.value) {
                    out.push(Exit {
                        party: &p.id,
                        country: &place.value,
                        chain: chain.clone(),
                    });
                }
            }
            for sub in p.sub_processors.iter().flat_map(|s| s.value.iter()) {
                if let Some((id, _)) = self.processors.get_key_value(&sub.value)
                    && seen.insert(id.as_str())
                {
                    let mut next = chain.clone();
                    next.push(id.as_str());
                    queue.push_back(next);
                }
            }
        }
        out
    }
}

/// Ids of entries that exist, even where the entry itself did not decode
/// (so a broken file does not also make every reference to it dangle).
#[derive(Clone, Debug, Default)]
pub struct KnownIds {
    pub activities: BTreeSet<String>,
    pub processors: BTreeSet<String>,
    pub recipients: BTreeSet<String>,
    pub transfers: BTreeSet<String>,
    pub safeguards: BTreeSet<String>,
    pub measures: BTreeSet<String>,
    pub data_subjects: BTreeSet<String>,
    pub data_categories: BTreeSet<String>,
    /// `categories.toml` is missing or does not parse: its ids are unknown,
    /// so references to them are not checked (the file's own error says why).
    pub categories_unreadable: bool,
    /// The same for `measures.toml`.
    pub measures_unreadable: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Registry {
    pub organisation: Option<Organisation>,
    pub data_subjects: BTreeMap<String, Category>,
    pub data_categories: BTreeMap<String, Category>,
    pub measures: BTreeMap<String, Measure>,
    pub activities: BTreeMap<String, Activity>,
    pub processors: BTreeMap<String, Processor>,
    pub recipients: BTreeMap<String, Recipient>,
    pub transfers: BTreeMap<String, Transfer>,
    pub safeguards: BTreeMap<String, Safeguard>,
    /// The registry's own `adequacy.toml`, when it has one.
    pub adequacy: Option<AdequacyList>,
    pub known: KnownIds,
    /// Ids named by entries that did not decode, as (kind, id) with kind one
    /// of `subject`, `category`, `processor`, `recipient`, `measure`,
    /// `safeguard`: they still count as used.
    pub uses_by_broken_entries: Vec<(&'static str, String)>,
}
