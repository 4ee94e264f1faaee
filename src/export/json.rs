//! The JSON register (Art. 30(4)): what a supervisory authority receives.
//!
//! One struct per object of the file, in the order its keys appear. Every
//! field of the registry format is present (`null` when the registry leaves
//! it out); references are resolved (an activity's processor comes with its
//! name, country and covering transfers); the lists of entries are sorted
//! by id, lists inside an entry keep the registry's order. The JSON
//! Schema in `docs/ropa.schema.json` is generated from these same types.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;

use crate::link::{Flow, Register};
use crate::model::*;
use crate::reference::country_name;

/// Version of the register's format. Semver: a new field is a minor version,
/// a renamed, removed or retyped field a major one.
pub const SCHEMA_VERSION: &str = "1.1.0";

/// A calendar date, `YYYY-MM-DD`. Written straight into the output
/// (`collect_str`): a register has tens of thousands of dates.
#[derive(Clone, Copy, Debug)]
pub struct IsoDate(Date);

impl Serialize for IsoDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl JsonSchema for IsoDate {
    fn schema_name() -> Cow<'static, str> {
        "IsoDate".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({ "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" })
    }
}

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Clone, Debug, Serialize)]
#[serde(transparent)]
pub struct CountryCode<'a>(&'a str);

impl<'a> CountryCode<'a> {
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}

impl JsonSchema for CountryCode<'_> {
    fn schema_name() -> Cow<'static, str> {
        "CountryCode".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2 code" })
    }
}

fn date(d: &Date) -> IsoDate {
    IsoDate(*d)
}

fn odate(d: &Option<Sp<Date>>) -> Option<IsoDate> {
    d.as_ref().map(|d| date(&d.value))
}

fn text(t: &Text) -> Option<&str> {
    t.as_ref().map(|s| s.value.as_str())
}

fn strings(l: &Option<List<String>>) -> Vec<&str> {
    l.iter()
        .flat_map(|l| l.value.iter())
        .map(|s| s.value.as_str())
        .collect()
}

fn cc(c: &str) -> CountryCode<'_> {
    CountryCode(c)
}

fn acknowledged(list: &Acknowledgements) -> Vec<AcknowledgedJson<'_>> {
    list.iter()
        .map(|a| AcknowledgedJson {
            code: a.code.value.as_str(),
            reason: a.reason.value.as_str(),
            until: odate(&a.until),
        })
        .collect()
}

/// The whole register.
#[derive(Serialize, JsonSchema)]
#[schemars(
    rename = "RegisterJson",
    title = "ropa JSON register",
    description = "A GDPR Article 30 record of processing activities, as exported by ropa."
)]
// `A` is how the activities of the two records are held: built
// (`Vec<ActivityJson<'a>>`, for the exports that read them) or built one at a
// time while they are written ([`write_json`]); the JSON is the same.
pub struct RegisterJson<'a, A = Vec<ActivityJson<'a>>> {
    /// The JSON Schema this file follows (`ropa.schema.json`, beside it on the site).
    #[serde(rename = "$schema")]
    pub schema: &'a str,
    /// Version of this file's format (semver; see docs/json-register.md).
    pub schema_version: &'a str,
    /// The program that wrote the file.
    pub generator: Generator<'a>,
    /// The date the record describes: reviews and adequacy decisions are judged at it.
    pub as_of: IsoDate,
    /// The EEA states and adequacy decisions used.
    pub adequacy: AdequacyJson<'a>,
    /// Who keeps the record (Art. 30(1)(a), 30(2)(a)).
    pub organisation: Option<OrganisationJson<'a>>,
    /// Art. 30(1): activities where the organisation is controller or joint controller.
    pub controller_record: RecordJson<'a, A>,
    /// Art. 30(2): activities the organisation carries out as a processor.
    pub processor_record: RecordJson<'a, A>,
    /// Processors and sub-processors, sorted by id.
    pub processors: Vec<ProcessorJson<'a>>,
    /// Recipients that are not our processors, sorted by id.
    pub recipients: Vec<RecipientJson<'a>>,
    /// The international organisations that recipients are (Art. 4(26)), by
    /// code: listed apart from countries, since they are outside the EEA
    /// wherever their seat is.
    pub international_organisations: Vec<InternationalOrganisationJson<'a>>,
    /// International transfers, sorted by id.
    pub transfers: Vec<TransferJson<'a>>,
    /// Transfer instruments (signed SCCs, approved BCRs...), sorted by id.
    pub safeguards: Vec<SafeguardJson<'a>>,
    /// Categories of data subjects, sorted by id.
    pub data_subjects: Vec<CategoryJson<'a>>,
    /// Categories of personal data, sorted by id.
    pub data_categories: Vec<CategoryJson<'a>>,
    /// Technical and organisational security measures (Art. 32), sorted by id.
    pub measures: Vec<MeasureJson<'a>>,
}

#[derive(Serialize, JsonSchema)]
pub struct Generator<'a> {
    /// The name as written in the registry.
    pub name: &'a str,
    /// The version of the program that wrote the file.
    pub version: &'a str,
}

#[derive(Serialize, JsonSchema)]
pub struct AdequacyJson<'a> {
    /// The date the list was last checked.
    pub as_of: IsoDate,
    /// `bundled` (the list shipped with ropa) or `adequacy.toml` (the registry's own).
    pub origin: &'a str,
    /// Where the list's facts come from.
    pub source: Option<&'a str>,
    /// EEA member states (no transfer mechanism needed).
    pub eea: Vec<CountryCode<'a>>,
    /// The Commission's adequacy decisions (Art. 45), by country.
    pub decisions: Vec<DecisionJson<'a>>,
    /// The Commission's adequacy decisions for international organisations
    /// (Art. 45(1)), by the organisation's code.
    pub international_organisations: Vec<OrganisationDecisionJson<'a>>,
}

#[derive(Serialize, JsonSchema)]
pub struct OrganisationDecisionJson<'a> {
    /// The international organisation's code, for example `EPO`.
    pub international_organisation: &'a str,
    /// The Commission decision (Art. 45).
    pub decision: &'a str,
    /// When the decision was adopted; before it, it is not in force.
    pub adopted: Option<IsoDate>,
    /// When it expires.
    pub expires: Option<IsoDate>,
    /// Limits of the decision.
    pub scope: Option<&'a str>,
    /// Markdown source: where a fact is uncertain or the source vague.
    pub note: Option<&'a str>,
    /// Whether the decision is in force at `as_of`.
    pub in_force: bool,
}

/// One international organisation that data goes to, and what covers it.
#[derive(Serialize, JsonSchema)]
pub struct InternationalOrganisationJson<'a> {
    /// Its code, as the recipients name it (`international_organisation`).
    pub code: &'a str,
    /// The recipients that are this organisation, by id.
    pub recipients: Vec<PartyRef<'a>>,
    /// Transfers to it, by id.
    pub transfers: Vec<&'a str>,
    /// Its own adequacy decision, if one is in force at `as_of` (a decision
    /// for the country of its seat does not cover it).
    pub decision: Option<&'a str>,
}

/// A warning the team has looked at and accepts (`[[acknowledged]]`).
#[derive(Serialize, JsonSchema)]
pub struct AcknowledgedJson<'a> {
    /// The code of the warning accepted, for example `dpa-missing`.
    pub code: &'a str,
    /// Why it is accepted.
    pub reason: &'a str,
    /// The warning comes back after this date; `null` for no end.
    pub until: Option<IsoDate>,
}

#[derive(Serialize, JsonSchema)]
pub struct DecisionJson<'a> {
    /// The country (ISO 3166-1 alpha-2).
    pub country: CountryCode<'a>,
    /// The country's English short name.
    pub country_name: Option<&'a str>,
    /// The Commission decision (Art. 45).
    pub decision: &'a str,
    /// When the decision was adopted; before it, it is not in force.
    pub adopted: Option<IsoDate>,
    /// When it expires.
    pub expires: Option<IsoDate>,
    /// Limits of the decision (e.g. commercial organisations only).
    pub scope: Option<&'a str>,
    /// A condition on the recipient, e.g. `dpf-certified`.
    pub requires: Option<AdequacyRequirement>,
    /// Markdown source: where a fact is uncertain or the source vague.
    pub note: Option<&'a str>,
    /// Whether the decision is in force at `as_of`.
    pub in_force: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct ContactJson<'a> {
    /// The name as written in the registry.
    pub name: Option<&'a str>,
    /// Postal address.
    pub address: Option<&'a str>,
    /// E-mail address.
    pub email: Option<&'a str>,
    /// Telephone number.
    pub phone: Option<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct SiteJson<'a> {
    /// The site's title.
    pub title: Option<&'a str>,
    /// The site's language (BCP 47 tag).
    pub language: Option<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct OrganisationJson<'a> {
    /// The name as written in the registry.
    pub name: &'a str,
    /// Name used in trade.
    pub trading_name: Option<&'a str>,
    /// Company registration number.
    pub registration: Option<&'a str>,
    /// Postal address.
    pub address: Option<&'a str>,
    /// E-mail address.
    pub email: Option<&'a str>,
    /// Telephone number.
    pub phone: Option<&'a str>,
    /// Website address.
    pub website: Option<&'a str>,
    /// Country of main establishment.
    pub country: CountryCode<'a>,
    /// The lead supervisory authority.
    pub supervisory_authority: Option<&'a str>,
    /// A public authority or body (Art. 6(1) last subparagraph, 37(1)(a), 49(3)); false when not given.
    pub public_authority: bool,
    /// Data protection officer.
    pub dpo: Option<ContactJson<'a>>,
    /// Art. 27 representative.
    pub representative: Option<ContactJson<'a>>,
    /// How the published site presents itself.
    pub site: Option<SiteJson<'a>>,
    /// Markdown source.
    pub note: Option<&'a str>,
    /// Warnings accepted in organisation.toml.
    pub acknowledged: Vec<AcknowledgedJson<'a>>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "RecordJson")]
pub struct RecordJson<'a, A = Vec<ActivityJson<'a>>> {
    /// `30(1)` or `30(2)`.
    pub article: &'a str,
    /// The activities of this record, sorted by id.
    pub activities: A,
}

/// A reference to a data subject or data category, resolved.
#[derive(Serialize, JsonSchema)]
pub struct CategoryRef<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
    /// Art. 9(1) special category.
    pub special: bool,
    /// Art. 10 criminal convictions and offences.
    pub criminal: bool,
    /// Data subjects only: our staff, or applicants for a job with us.
    pub employees: bool,
    /// Data subjects only: people in a weaker position (WP248 criterion 7).
    pub vulnerable: bool,
    /// Data subjects only: the youngest age among them, in years (Art. 8).
    pub min_age: Option<i64>,
}

#[derive(Serialize, JsonSchema)]
pub struct MeasureRef<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
    /// What kind of entry this is (values listed in the type).
    pub kind: Option<MeasureKind>,
}

/// A transfer, as named from elsewhere.
#[derive(Serialize, JsonSchema)]
pub struct TransferRef<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The processor or recipient the data goes to.
    pub to: &'a str,
    /// The country (ISO 3166-1 alpha-2); `null` for a transfer to an international organisation without a seat given.
    pub country: Option<CountryCode<'a>>,
    /// The transfer mechanism: adequacy (Art. 45), an Art. 46 safeguard, or an Art. 49 derogation.
    pub mechanism: Mechanism,
    /// The safeguard relied on, if the mechanism needs one.
    pub safeguard: Option<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct ProcessorRef<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
    /// The country (ISO 3166-1 alpha-2).
    pub country: CountryCode<'a>,
    /// Where the data is stored or accessed (`locations`, default the country).
    pub locations: Vec<CountryCode<'a>>,
    /// When the Art. 28 contract was signed.
    pub dpa_signed: Option<IsoDate>,
    /// Transfers to this processor.
    pub transfers: Vec<TransferRef<'a>>,
}

#[derive(Serialize, JsonSchema)]
pub struct RecipientRef<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
    /// What kind of entry this is (values listed in the type).
    pub kind: RecipientKind,
    /// For kind `international-organisation`: its code.
    pub international_organisation: Option<&'a str>,
    /// The country (ISO 3166-1 alpha-2); for an international organisation, its seat.
    pub country: Option<CountryCode<'a>>,
    /// Transfers to this recipient.
    pub transfers: Vec<TransferRef<'a>>,
}

/// A transfer covering a flow: the flow already says to whom and where.
#[derive(Serialize, JsonSchema)]
pub struct FlowTransferRef<'a> {
    /// The transfer's id (its entry is in `transfers`).
    pub id: &'a str,
    /// The transfer mechanism: adequacy (Art. 45), an Art. 46 safeguard, or an Art. 49 derogation.
    pub mechanism: Mechanism,
    /// The safeguard relied on, if the mechanism needs one.
    pub safeguard: Option<&'a str>,
    /// For an `scc` transfer (Decision (EU) 2021/914): the SCC modules the roles of this activity and party allow; the safeguard's `scc_modules` must hold one of them. `null` for other mechanisms and for the repealed SCC sets, which had no modules.
    pub scc_modules_allowed: Option<Vec<i64>>,
}

/// Where the activity's data leaves the EEA, and what covers it.
#[derive(Serialize, JsonSchema)]
pub struct FlowJson<'a> {
    /// The processor or recipient located outside the EEA.
    pub party: &'a str,
    /// Its name.
    pub party_name: &'a str,
    /// The country (ISO 3166-1 alpha-2); for an international organisation, its seat, or `null`.
    pub country: Option<CountryCode<'a>>,
    /// The party is this international organisation (outside the EEA wherever its seat).
    pub international_organisation: Option<&'a str>,
    /// Processors from the one the activity names to `party` (empty for a recipient).
    pub chain: Vec<&'a str>,
    /// Transfers to `party` and `country` (for an international organisation, every transfer to it).
    pub transfers: Vec<FlowTransferRef<'a>>,
}

#[derive(Serialize, JsonSchema)]
pub struct RetentionJson<'a> {
    /// ISO 8601 duration, e.g. `P2Y`; `null` when no period can be given.
    pub period: Option<&'a str>,
    /// The event the period starts at.
    pub from: Option<&'a str>,
    /// The categories it applies to (the activity's, when the registry gives none).
    pub data_categories: Vec<&'a str>,
    /// Markdown source: where a fact is uncertain or the source vague.
    pub note: Option<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct DpiaJson<'a> {
    /// Whether a DPIA is required (Art. 35).
    pub required: Option<bool>,
    /// When it was completed.
    pub completed: Option<IsoDate>,
    /// Where the document is filed.
    pub reference: Option<&'a str>,
    /// Markdown source: where a fact is uncertain or the source vague.
    pub note: Option<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct ReviewJson {
    /// When it was last reviewed.
    pub last_reviewed: Option<IsoDate>,
    /// As written in the registry.
    pub next_review: Option<IsoDate>,
    /// `next_review`, or 12 months after `last_reviewed`.
    pub due: Option<IsoDate>,
    /// Whether `due` is before `as_of`.
    pub overdue: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct JointControllerJson<'a> {
    /// The name as written in the registry.
    pub name: &'a str,
    /// Contact details.
    pub contact: Option<&'a str>,
    /// The Art. 26 arrangement between the joint controllers.
    pub arrangement: Option<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct ActivityJson<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
    /// Markdown source.
    pub description: Option<&'a str>,
    pub role: Role,
    pub status: Status,
    /// The department or person responsible.
    pub owner: Option<&'a str>,
    /// Art. 30(1)(b); for a processor, the categories of processing (30(2)(b)).
    pub purposes: Vec<&'a str>,
    /// Art. 6(1).
    pub legal_bases: Vec<LegalBasis>,
    /// The interest pursued, when a legal basis is legitimate interests (Art. 6(1)(f)).
    pub legitimate_interest: Option<&'a str>,
    /// Art. 9(2).
    pub special_category_condition: Option<SpecialCategoryCondition>,
    /// The Union or Member State law relied on (Art. 6(3); 9(2)(b), (g), (i), (j); 10).
    pub legal_provisions: Vec<&'a str>,
    /// Consent is given or authorised by the holder of parental responsibility (Art. 8(1)); false when not given.
    pub parental_consent: bool,
    /// Art. 30(1)(c).
    pub data_subjects: Vec<CategoryRef<'a>>,
    /// Art. 30(1)(c).
    pub data_categories: Vec<CategoryRef<'a>>,
    /// Where the data comes from.
    pub sources: Vec<&'a str>,
    /// Art. 30(1)(d): processors the data is disclosed to.
    pub processors: Vec<ProcessorRef<'a>>,
    /// Art. 30(1)(d): other recipients.
    pub recipients: Vec<RecipientRef<'a>>,
    /// Transfers the activity lists itself.
    pub transfers: Vec<TransferRef<'a>>,
    /// Art. 30(1)(e), 30(2)(c): every place outside the EEA the data reaches
    /// (through processors, their sub-processors, and recipients).
    pub transfers_outside_eea: Vec<FlowJson<'a>>,
    /// Art. 30(1)(g), 30(2)(d).
    pub measures: Vec<MeasureRef<'a>>,
    /// Applications that hold the data.
    pub systems: Vec<&'a str>,
    /// Art. 22.
    pub automated_decision_making: bool,
    /// What the automated decisions are (Art. 22).
    pub automated_decision_note: Option<&'a str>,
    /// Processing on a large scale (Art. 35(3)(b), 37(1)(b)-(c)); false when not given.
    pub large_scale: bool,
    /// Art. 30(1)(f).
    pub retention: Vec<RetentionJson<'a>>,
    /// Data protection impact assessment (Art. 35).
    pub dpia: Option<DpiaJson<'a>>,
    /// When the activity was last reviewed and is next due.
    pub review: Option<ReviewJson>,
    /// Art. 30(2)(a): on whose behalf (processor activities).
    pub controllers: Vec<&'a str>,
    /// Art. 26.
    pub joint_controllers: Vec<JointControllerJson<'a>>,
    /// Markdown source.
    pub note: Option<&'a str>,
    /// Warnings accepted in the activity's file.
    pub acknowledged: Vec<AcknowledgedJson<'a>>,
}

#[derive(Serialize, JsonSchema)]
pub struct PartyRef<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
}

#[derive(Serialize, JsonSchema)]
pub struct ProcessorJson<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
    /// What the processor does for us.
    pub service: &'a str,
    /// Where the processor is established.
    pub country: CountryCode<'a>,
    /// Where the data is stored or accessed (`locations`, default the country).
    pub locations: Vec<CountryCode<'a>>,
    /// Contact details.
    pub contact: Option<&'a str>,
    /// Postal address (Art. 28(1)-(2)).
    pub address: Option<&'a str>,
    /// Website address.
    pub website: Option<&'a str>,
    /// Markdown source.
    pub description: Option<&'a str>,
    /// Markdown source: where a fact is uncertain or the source vague.
    pub note: Option<&'a str>,
    /// Warnings accepted in the processor's file.
    pub acknowledged: Vec<AcknowledgedJson<'a>>,
    /// Art. 28 contract.
    pub dpa_signed: Option<IsoDate>,
    /// Where the Art. 28 contract is filed.
    pub dpa_reference: Option<&'a str>,
    /// Listed under the EU-US Data Privacy Framework.
    pub dpf_certified: bool,
    /// The DPF certification also covers human-resources data.
    pub dpf_hr: bool,
    /// Certifications held (ISO 27001, SOC 2...).
    pub certifications: Vec<&'a str>,
    /// Processors this processor engages (Art. 28(2)).
    pub sub_processors: Vec<PartyRef<'a>>,
    /// Processors that list this one among their sub-processors.
    pub sub_processor_of: Vec<PartyRef<'a>>,
    /// Activities that name this processor.
    pub activities: Vec<&'a str>,
    /// Transfers to this processor.
    pub transfers: Vec<TransferRef<'a>>,
    /// Onward transfers this processor makes (`via`).
    pub onward_transfers: Vec<TransferRef<'a>>,
}

#[derive(Serialize, JsonSchema)]
pub struct RecipientJson<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
    /// What kind of entry this is (values listed in the type).
    pub kind: RecipientKind,
    /// For kind `international-organisation`: its code (`EPO`, `WIPO`, `WHO`).
    pub international_organisation: Option<&'a str>,
    /// The country (ISO 3166-1 alpha-2); for an international organisation, its seat.
    pub country: Option<CountryCode<'a>>,
    /// Postal address (Art. 28(1)-(2)).
    pub address: Option<&'a str>,
    /// Listed under the EU-US Data Privacy Framework.
    pub dpf_certified: bool,
    /// The DPF certification also covers human-resources data.
    pub dpf_hr: bool,
    /// Markdown source.
    pub description: Option<&'a str>,
    /// Markdown source: where a fact is uncertain or the source vague.
    pub note: Option<&'a str>,
    /// Warnings accepted in the recipient's file.
    pub acknowledged: Vec<AcknowledgedJson<'a>>,
    /// Ids of the activities that name it.
    pub activities: Vec<&'a str>,
    /// Transfers to this recipient.
    pub transfers: Vec<TransferRef<'a>>,
}

#[derive(Serialize, JsonSchema)]
pub struct TransferPartyJson<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
    /// `processor` or `recipient`.
    pub kind: &'a str,
}

#[derive(Serialize, JsonSchema)]
pub struct TiaJson<'a> {
    /// When it was completed.
    pub completed: Option<IsoDate>,
    /// Where the document is filed.
    pub reference: Option<&'a str>,
    /// The conclusion reached.
    pub outcome: Option<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct TransferAdequacyJson<'a> {
    /// The decision in force at `as_of` for the country, or for the international organisation (only its own decision counts), if any.
    pub decision: Option<&'a str>,
    /// Whether that decision covers this party (e.g. DPF certification for the US).
    pub covers_party: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct SafeguardRef<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
    /// What kind of entry this is (values listed in the type).
    pub kind: SafeguardKind,
}

#[derive(Serialize, JsonSchema)]
pub struct TransferJson<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The processor or recipient the data goes to.
    pub to: TransferPartyJson<'a>,
    /// The country (ISO 3166-1 alpha-2); for a transfer to an international organisation, its seat if given, else `null`.
    pub country: Option<CountryCode<'a>>,
    /// The country's English short name.
    pub country_name: Option<&'a str>,
    /// The international organisation the data goes to (the recipient's code), if any.
    pub international_organisation: Option<&'a str>,
    /// The processor making this onward transfer.
    pub via: Option<PartyRef<'a>>,
    /// Art. 45, 46 or 49.
    pub mechanism: Mechanism,
    /// The safeguard relied on, if the mechanism needs one.
    pub safeguard: Option<SafeguardRef<'a>>,
    /// Art. 49(1) ground.
    pub derogation: Option<Derogation>,
    /// When the supervisory authority was informed of a `compelling-legitimate-interests` transfer (Art. 49(1) second subparagraph).
    pub authority_informed: Option<IsoDate>,
    /// Ids of the categories of personal data transferred, in the registry's order.
    pub data_categories: Vec<&'a str>,
    /// Ids of the supplementary measures (EDPB Recommendations 01/2020).
    pub supplementary_measures: Vec<&'a str>,
    /// Transfer impact assessment.
    pub tia: Option<TiaJson<'a>>,
    /// The adequacy decision for the country, and whether it covers this party.
    pub adequacy: TransferAdequacyJson<'a>,
    /// Whether the country is in the EEA (then this is no international transfer); always false for an international organisation.
    pub inside_eea: bool,
    /// Markdown source.
    pub description: Option<&'a str>,
    /// Markdown source: where a fact is uncertain or the source vague.
    pub note: Option<&'a str>,
    /// Warnings accepted in the transfer's file.
    pub acknowledged: Vec<AcknowledgedJson<'a>>,
    /// Activities whose data goes through this transfer.
    pub activities: Vec<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct SafeguardJson<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
    /// What kind of entry this is (values listed in the type).
    pub kind: SafeguardKind,
    /// For SCCs: the Commission decision (default `2021/914`).
    pub scc_version: Option<SccVersion>,
    /// SCC modules: 1 controller to controller, 2 controller to processor, 3 processor to processor, 4 processor to controller.
    pub scc_modules: Vec<i64>,
    /// When it was signed.
    pub signed: Option<IsoDate>,
    /// When it expires.
    pub expires: Option<IsoDate>,
    /// The parties that signed it.
    pub parties: Vec<&'a str>,
    /// Where the signed text is filed.
    pub document: Option<&'a str>,
    /// The authority that approved or authorised it (BCR, ad hoc clauses, administrative arrangement, code, certification).
    pub approved_by: Option<&'a str>,
    /// Markdown source.
    pub description: Option<&'a str>,
    /// Markdown source: where a fact is uncertain or the source vague.
    pub note: Option<&'a str>,
    /// Warnings accepted in the safeguard's file.
    pub acknowledged: Vec<AcknowledgedJson<'a>>,
    /// Transfers that rely on it.
    pub transfers: Vec<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct CategoryJson<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
    /// Markdown source.
    pub description: Option<&'a str>,
    /// Markdown source: where a fact is uncertain or the source vague.
    pub note: Option<&'a str>,
    /// Art. 9(1) (data categories only; always false for data subjects).
    pub special: bool,
    /// Art. 10 (data categories only).
    pub criminal: bool,
    /// Data subjects only: our staff, or applicants for a job with us.
    pub employees: bool,
    /// Data subjects only: people in a weaker position (WP248 criterion 7).
    pub vulnerable: bool,
    /// Data subjects only: the youngest age among them, in years (Art. 8).
    pub min_age: Option<i64>,
    /// Activities that name it.
    pub activities: Vec<&'a str>,
}

#[derive(Serialize, JsonSchema)]
pub struct MeasureJson<'a> {
    /// The id: the entry's file name (or catalogue key) in the registry.
    pub id: &'a str,
    /// The name as written in the registry.
    pub name: &'a str,
    /// Markdown source.
    pub description: Option<&'a str>,
    /// What kind of entry this is (values listed in the type).
    pub kind: Option<MeasureKind>,
    /// Markdown source: where a fact is uncertain or the source vague.
    pub note: Option<&'a str>,
    /// Ids of the activities that name it.
    pub activities: Vec<&'a str>,
    /// Transfers that name it as a supplementary measure.
    pub transfers: Vec<&'a str>,
}

struct Builder<'a> {
    r: &'a Register<'a>,
}

impl<'a> Builder<'a> {
    fn transfer_ref(&self, t: &'a Transfer) -> TransferRef<'a> {
        TransferRef {
            id: t.id.as_str(),
            to: t.to.value.as_str(),
            country: t.country().map(cc),
            mechanism: t.mechanism.value,
            safeguard: text(&t.safeguard),
        }
    }

    fn transfers_of(
        &self,
        map: &crate::link::BackLinks<'a, Transfer>,
        id: &str,
    ) -> Vec<TransferRef<'a>> {
        map.get(id).map_or_else(Vec::new, |ts| {
            ts.iter().map(|t| self.transfer_ref(t)).collect()
        })
    }

    fn activity_ids(&self, map: &crate::link::BackLinks<'a, Activity>, id: &str) -> Vec<&'a str> {
        map.get(id)
            .map_or_else(Vec::new, |v| v.iter().map(|a| a.id.as_str()).collect())
    }

    fn category_ref(&self, id: &'a str, subjects: bool) -> CategoryRef<'a> {
        let map = if subjects {
            &self.r.index.data_subjects
        } else {
            &self.r.index.data_categories
        };
        match map.get(id) {
            Some(c) => CategoryRef {
                id,
                name: c.name.value.as_str(),
                special: c.special,
                criminal: c.criminal,
                employees: c.employees,
                vulnerable: c.vulnerable,
                min_age: c.min_age.as_ref().map(|m| m.value),
            },
            None => CategoryRef {
                id,
                name: id,
                special: false,
                criminal: false,
                employees: false,
                vulnerable: false,
                min_age: None,
            },
        }
    }

    fn locations(p: &'a Processor) -> Vec<CountryCode<'a>> {
        p.locations().iter().map(|l| cc(&l.value)).collect()
    }

    fn activity(&self, a: &'a Activity) -> ActivityJson<'a> {
        let processors = a
            .processors
            .iter()
            .flat_map(|l| l.value.iter())
            .filter_map(|id| self.r.index.processors.get(id.value.as_str()))
            .map(|p| ProcessorRef {
                id: p.id.as_str(),
                name: p.name.value.as_str(),
                country: cc(&p.country.value),
                locations: Self::locations(p),
                dpa_signed: odate(&p.dpa_signed),
                transfers: self.transfers_of(&self.r.transfers_to, &p.id),
            })
            .collect();
        let recipients = a
            .recipients
            .iter()
            .flat_map(|l| l.value.iter())
            .filter_map(|id| self.r.index.recipients.get(id.value.as_str()))
            .map(|x| RecipientRef {
                id: x.id.as_str(),
                name: x.name.value.as_str(),
                kind: x.kind.value,
                international_organisation: x.international_organisation(),
                country: x.country.as_ref().map(|c| cc(&c.value)),
                transfers: self.transfers_of(&self.r.transfers_to, &x.id),
            })
            .collect();
        let flows = self
            .r
            .flows
            .get(a.id.as_str())
            .map(|fs| {
                fs.iter()
                    .map(|f| FlowJson {
                        party: f.party,
                        party_name: self.r.party_name(f.party).unwrap_or(f.party),
                        country: f.country.map(cc),
                        international_organisation: f.international_organisation,
                        chain: f.chain.clone(),
                        transfers: f
                            .transfers
                            .iter()
                            .map(|t| FlowTransferRef {
                                id: t.id.as_str(),
                                mechanism: t.mechanism.value,
                                safeguard: text(&t.safeguard),
                                scc_modules_allowed: self.scc_modules_allowed(a, f, t),
                            })
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        ActivityJson {
            id: a.id.as_str(),
            name: a.name.value.as_str(),
            description: text(&a.description),
            role: a.role(),
            status: a.status(),
            owner: text(&a.owner),
            purposes: a.purposes.value.iter().map(|p| p.value.as_str()).collect(),
            legal_bases: a
                .legal_bases
                .iter()
                .flat_map(|l| l.value.iter())
                .map(|b| b.value)
                .collect(),
            legitimate_interest: text(&a.legitimate_interest),
            special_category_condition: a.special_category_condition.as_ref().map(|c| c.value),
            legal_provisions: strings(&a.legal_provisions),
            parental_consent: a.parental_consent(),
            data_subjects: a
                .data_subjects
                .value
                .iter()
                .map(|s| self.category_ref(&s.value, true))
                .collect(),
            data_categories: a
                .data_categories
                .value
                .iter()
                .map(|c| self.category_ref(&c.value, false))
                .collect(),
            sources: strings(&a.sources),
            processors,
            recipients,
            transfers: a
                .transfers
                .iter()
                .flat_map(|l| l.value.iter())
                .filter_map(|id| self.r.index.transfers.get(id.value.as_str()))
                .map(|t| self.transfer_ref(t))
                .collect(),
            transfers_outside_eea: flows,
            measures: a
                .measures
                .iter()
                .flat_map(|l| l.value.iter())
                .map(|m| match self.r.index.measures.get(m.value.as_str()) {
                    Some(x) => MeasureRef {
                        id: m.value.as_str(),
                        name: x.name.value.as_str(),
                        kind: x.kind.as_ref().map(|k| k.value),
                    },
                    None => MeasureRef {
                        id: m.value.as_str(),
                        name: m.value.as_str(),
                        kind: None,
                    },
                })
                .collect(),
            systems: strings(&a.systems),
            automated_decision_making: a
                .automated_decision_making
                .as_ref()
                .is_some_and(|b| b.value),
            automated_decision_note: text(&a.automated_decision_note),
            large_scale: a.large_scale(),
            retention: a
                .retention
                .iter()
                .map(|r| RetentionJson {
                    period: r.period.as_ref().map(|p| p.value.text.as_str()),
                    from: text(&r.from),
                    data_categories: r.categories(a),
                    note: text(&r.note),
                })
                .collect(),
            dpia: a.dpia.as_ref().map(|d| DpiaJson {
                required: d.required.as_ref().map(|b| b.value),
                completed: odate(&d.completed),
                reference: text(&d.reference),
                note: text(&d.note),
            }),
            review: a.review.as_ref().map(|rv| {
                let due = rv.due().map(|d| d.value);
                ReviewJson {
                    last_reviewed: odate(&rv.last_reviewed),
                    next_review: odate(&rv.next_review),
                    due: due.as_ref().map(date),
                    overdue: due.is_some_and(|d| d < self.r.as_of),
                }
            }),
            controllers: strings(&a.controllers),
            joint_controllers: a
                .joint_controllers
                .iter()
                .flat_map(|j| j.value.iter())
                .map(|j| JointControllerJson {
                    name: j.name.value.as_str(),
                    contact: text(&j.contact),
                    arrangement: text(&j.arrangement),
                })
                .collect(),
            note: text(&a.note),
            acknowledged: acknowledged(&a.acknowledged),
        }
    }

    /// The SCC modules the roles allow for activity `a`'s data reaching
    /// flow `f` under transfer `t`, when `t` rests on 2021/914 SCCs (a
    /// named safeguard of a repealed set has no modules).
    fn scc_modules_allowed(&self, a: &Activity, f: &Flow, t: &Transfer) -> Option<Vec<i64>> {
        if t.mechanism.value != Mechanism::Scc {
            return None;
        }
        let repealed = text(&t.safeguard)
            .and_then(|s| self.r.index.safeguards.get(s))
            .and_then(|s| s.scc_version())
            .is_some_and(SccVersion::is_repealed);
        (!repealed).then(|| self.r.scc_modules_allowed(a, f, t).to_vec())
    }

    fn party(&self, id: &'a str) -> PartyRef<'a> {
        PartyRef {
            id,
            name: self.r.party_name(id).unwrap_or(id),
        }
    }

    /// The register with its two records' activities made by `records`
    /// (called with `true` for the controller record).
    fn build<A>(&self, records: impl Fn(bool) -> A) -> RegisterJson<'a, A> {
        let r = self.r;
        let reg = r.reg;
        let adequacy = r.adequacy;
        let contact = |c: &'a Contact| ContactJson {
            name: text(&c.name),
            address: text(&c.address),
            email: text(&c.email),
            phone: text(&c.phone),
        };
        let organisation = reg.organisation.as_ref().map(|o| OrganisationJson {
            name: o.name.value.as_str(),
            trading_name: text(&o.trading_name),
            registration: text(&o.registration),
            address: text(&o.address),
            email: text(&o.email),
            phone: text(&o.phone),
            website: text(&o.website),
            country: cc(&o.country.value),
            supervisory_authority: text(&o.supervisory_authority),
            public_authority: o.public_authority(),
            dpo: o.dpo.as_ref().map(contact),
            representative: o.representative.as_ref().map(contact),
            site: o.site.as_ref().map(|s| SiteJson {
                title: text(&s.title),
                language: text(&s.language),
            }),
            note: text(&o.note),
            acknowledged: acknowledged(&o.acknowledged),
        });
        let category = |c: &'a Category, map: &crate::link::BackLinks<'a, Activity>| CategoryJson {
            id: c.id.value.as_str(),
            name: c.name.value.as_str(),
            description: text(&c.description),
            note: text(&c.note),
            special: c.special,
            criminal: c.criminal,
            employees: c.employees,
            vulnerable: c.vulnerable,
            min_age: c.min_age.as_ref().map(|m| m.value),
            activities: self.activity_ids(map, &c.id.value),
        };
        RegisterJson {
            schema: "ropa.schema.json",
            schema_version: SCHEMA_VERSION,
            generator: Generator {
                name: "ropa",
                version: env!("CARGO_PKG_VERSION"),
            },
            as_of: date(&r.as_of),
            adequacy: AdequacyJson {
                as_of: date(&adequacy.as_of),
                origin: &adequacy.origin,
                source: adequacy.source.as_deref(),
                eea: adequacy.eea.iter().map(|c| cc(c)).collect(),
                decisions: adequacy
                    .decisions
                    .values()
                    .map(|d| DecisionJson {
                        country: cc(&d.country),
                        country_name: country_name(&d.country),
                        decision: &d.decision,
                        adopted: d.adopted.as_ref().map(date),
                        expires: d.expires.as_ref().map(date),
                        scope: d.scope.as_deref(),
                        requires: d.requires,
                        note: d.note.as_deref(),
                        in_force: r.in_force(d),
                    })
                    .collect(),
                international_organisations: adequacy
                    .international_organisations
                    .values()
                    .map(|d| OrganisationDecisionJson {
                        international_organisation: &d.country,
                        decision: &d.decision,
                        adopted: d.adopted.as_ref().map(date),
                        expires: d.expires.as_ref().map(date),
                        scope: d.scope.as_deref(),
                        note: d.note.as_deref(),
                        in_force: r.in_force(d),
                    })
                    .collect(),
            },
            organisation,
            controller_record: RecordJson {
                article: "30(1)",
                activities: records(true),
            },
            processor_record: RecordJson {
                article: "30(2)",
                activities: records(false),
            },
            processors: reg
                .processors
                .values()
                .map(|p| ProcessorJson {
                    id: p.id.as_str(),
                    name: p.name.value.as_str(),
                    service: p.service.value.as_str(),
                    country: cc(&p.country.value),
                    locations: Self::locations(p),
                    contact: text(&p.contact),
                    address: text(&p.address),
                    website: text(&p.website),
                    description: text(&p.description),
                    note: text(&p.note),
                    acknowledged: acknowledged(&p.acknowledged),
                    dpa_signed: odate(&p.dpa_signed),
                    dpa_reference: text(&p.dpa_reference),
                    dpf_certified: p.dpf_certified(),
                    dpf_hr: p.dpf_hr(),
                    certifications: strings(&p.certifications),
                    sub_processors: p
                        .sub_processors
                        .iter()
                        .flat_map(|l| l.value.iter())
                        .map(|s| self.party(&s.value))
                        .collect(),
                    sub_processor_of: r.parents.get(p.id.as_str()).map_or_else(Vec::new, |ps| {
                        ps.iter().map(|x| self.party(&x.id)).collect()
                    }),
                    activities: self.activity_ids(&r.activities_by_processor, &p.id),
                    transfers: self.transfers_of(&r.transfers_to, &p.id),
                    onward_transfers: self.transfers_of(&r.transfers_via, &p.id),
                })
                .collect(),
            recipients: reg
                .recipients
                .values()
                .map(|x| RecipientJson {
                    id: x.id.as_str(),
                    name: x.name.value.as_str(),
                    kind: x.kind.value,
                    international_organisation: x.international_organisation(),
                    country: x.country.as_ref().map(|c| cc(&c.value)),
                    address: text(&x.address),
                    dpf_certified: x.dpf_certified(),
                    dpf_hr: x.dpf_hr(),
                    description: text(&x.description),
                    note: text(&x.note),
                    acknowledged: acknowledged(&x.acknowledged),
                    activities: self.activity_ids(&r.activities_by_recipient, &x.id),
                    transfers: self.transfers_of(&r.transfers_to, &x.id),
                })
                .collect(),
            international_organisations: r
                .international_organisations
                .iter()
                .map(|(code, info)| InternationalOrganisationJson {
                    code,
                    recipients: info.recipients.iter().map(|x| self.party(&x.id)).collect(),
                    transfers: info.transfers.iter().map(|t| t.id.as_str()).collect(),
                    decision: info.decision.map(|d| d.decision.as_str()),
                })
                .collect(),
            transfers: reg
                .transfers
                .values()
                .map(|t| TransferJson {
                    id: t.id.as_str(),
                    to: TransferPartyJson {
                        id: t.to.value.as_str(),
                        name: r.party_name(&t.to.value).unwrap_or(&t.to.value),
                        kind: if r.is_processor(&t.to.value) {
                            "processor"
                        } else {
                            "recipient"
                        },
                    },
                    country: t.country().map(cc),
                    country_name: t.country().and_then(country_name),
                    international_organisation: r.organisation_of(t),
                    via: t.via.as_ref().map(|v| self.party(&v.value)),
                    mechanism: t.mechanism.value,
                    safeguard: t
                        .safeguard
                        .as_ref()
                        .and_then(|s| reg.safeguards.get(&s.value))
                        .map(|s| SafeguardRef {
                            id: s.id.as_str(),
                            name: s.name.value.as_str(),
                            kind: s.kind.value,
                        }),
                    derogation: t.derogation.as_ref().map(|d| d.value),
                    authority_informed: odate(&t.authority_informed),
                    data_categories: strings(&t.data_categories),
                    supplementary_measures: strings(&t.supplementary_measures),
                    tia: t.tia.as_ref().map(|x| TiaJson {
                        completed: odate(&x.completed),
                        reference: text(&x.reference),
                        outcome: text(&x.outcome),
                    }),
                    adequacy: TransferAdequacyJson {
                        decision: r
                            .adequacy_of(t)
                            .decision_in_force()
                            .map(|d| d.decision.as_str()),
                        covers_party: r.adequacy_of(t).covers(),
                    },
                    inside_eea: r.transfer_inside_eea(t),
                    description: text(&t.description),
                    note: text(&t.note),
                    acknowledged: acknowledged(&t.acknowledged),
                    activities: self.activity_ids(&r.activities_by_transfer, &t.id),
                })
                .collect(),
            safeguards: reg
                .safeguards
                .values()
                .map(|s| SafeguardJson {
                    id: s.id.as_str(),
                    name: s.name.value.as_str(),
                    kind: s.kind.value,
                    scc_version: s.scc_version(),
                    scc_modules: s
                        .scc_modules
                        .iter()
                        .flat_map(|l| l.value.iter())
                        .map(|m| m.value)
                        .collect(),
                    signed: odate(&s.signed),
                    expires: odate(&s.expires),
                    parties: strings(&s.parties),
                    document: text(&s.document),
                    approved_by: text(&s.approved_by),
                    description: text(&s.description),
                    note: text(&s.note),
                    acknowledged: acknowledged(&s.acknowledged),
                    transfers: r
                        .transfers_by_safeguard
                        .get(s.id.as_str())
                        .map_or_else(Vec::new, |ts| ts.iter().map(|t| t.id.as_str()).collect()),
                })
                .collect(),
            data_subjects: reg
                .data_subjects
                .values()
                .map(|c| category(c, &r.activities_by_subject))
                .collect(),
            data_categories: reg
                .data_categories
                .values()
                .map(|c| category(c, &r.activities_by_category))
                .collect(),
            measures: reg
                .measures
                .values()
                .map(|m| MeasureJson {
                    id: m.id.value.as_str(),
                    name: m.name.value.as_str(),
                    description: text(&m.description),
                    kind: m.kind.as_ref().map(|k| k.value),
                    note: text(&m.note),
                    activities: self.activity_ids(&r.activities_by_measure, &m.id.value),
                    transfers: r
                        .transfers_by_measure
                        .get(m.id.value.as_str())
                        .map_or_else(Vec::new, |ts| ts.iter().map(|t| t.id.as_str()).collect()),
                })
                .collect(),
        }
    }
}

/// The register of `r` as a value, built whole (the other exports read the
/// linked register itself; this is for comparing with [`write_json`]).
pub fn register<'a>(r: &'a Register<'a>) -> RegisterJson<'a> {
    let b = Builder { r };
    b.build(|controller| {
        if controller {
            r.controller_activities().map(|a| b.activity(a)).collect()
        } else {
            r.processor_activities().map(|a| b.activity(a)).collect()
        }
    })
}

/// A record's activities, each built just before it is serialised and
/// dropped after: the register of 10,000 activities is never in memory
/// whole (it was 100 MB of strings, and allocating them cost more than
/// writing them).
struct StreamedActivities<'b, 'a> {
    builder: &'b Builder<'a>,
    controller: bool,
}

impl Serialize for StreamedActivities<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let b = self.builder;
        if self.controller {
            s.collect_seq(b.r.controller_activities().map(|a| b.activity(a)))
        } else {
            s.collect_seq(b.r.processor_activities().map(|a| b.activity(a)))
        }
    }
}

/// How the JSON is laid out; the values are the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Indented by two spaces, one key per line: for people and for diffs
    /// (`ropa export --format json`).
    Pretty,
    /// No whitespace: half the size (`site/ropa.json`, `ropa export
    /// --format json --compact`).
    Compact,
}

/// Writes the register as JSON ending with a newline. It is streamed: a
/// register of 10,000 activities is about 50 MB compact, 95 MB pretty.
pub fn write_json<W: std::io::Write>(r: &Register, w: W, layout: Layout) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, w);
    let b = Builder { r };
    let streamed = b.build(|controller| StreamedActivities {
        builder: &b,
        controller,
    });
    match layout {
        Layout::Pretty => serde_json::to_writer_pretty(&mut w, &streamed),
        Layout::Compact => serde_json::to_writer(&mut w, &streamed),
    }
    // `From` keeps the kind of an I/O error (a closed pipe stays
    // `BrokenPipe`); `io::Error::other` would hide it.
    .map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// The register as a string (see [`write_json`]).
pub fn to_json(r: &Register, layout: Layout) -> String {
    let mut bytes = Vec::new();
    // Writing into memory cannot fail, and serde_json writes UTF-8.
    let _ = write_json(r, &mut bytes, layout);
    String::from_utf8(bytes).unwrap_or_default()
}

/// The JSON Schema (draft 2020-12) of the register.
pub fn schema() -> String {
    let schema = schemars::schema_for!(RegisterJson);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `write_json` builds each activity while writing it; the exports read
    /// the built [`register`]. Both must be the same JSON, in both layouts.
    #[test]
    fn streamed_register_is_the_built_register() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for registry in ["registry", "examples/alutech", "tests/fixtures/valid-saas"] {
            let as_of = Date::parse("2026-11-24").expect("a date");
            let loaded = crate::load::load(&root.join(registry)).expect("loads");
            let checked = crate::pipeline::check(&loaded, as_of, false);
            let r = &checked.register;
            let built = register(r);
            assert!(!built.controller_record.activities.is_empty(), "{registry}");
            let mut pretty = serde_json::to_string_pretty(&built).expect("serialises");
            pretty.push('\n');
            assert_eq!(to_json(r, Layout::Pretty), pretty, "{registry}");
            let mut compact = serde_json::to_string(&built).expect("serialises");
            compact.push('\n');
            assert_eq!(to_json(r, Layout::Compact), compact, "{registry}");
        }
    }
}
