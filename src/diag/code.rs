use super::Severity;

macro_rules! codes {
    ($( $variant:ident = $text:literal, $sev:ident, $desc:literal; )*) => {
        /// Stable rule codes. The text of a code never changes meaning: tools
        /// match on it (`--format json`, CI annotations).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $text, )* }
            }

            /// The code written as `text`, as `ropa check` prints it.
            pub fn parse(text: &str) -> Option<Code> {
                match text { $( $text => Some(Code::$variant), )* _ => None }
            }

            /// Default severity; `--deny-warnings` is applied later.
            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// Can an `[[acknowledged]]` silence it? Warnings can, except
            /// those about acknowledgements themselves.
            pub fn acknowledgeable(self) -> bool {
                self.severity() == Severity::Warning
                    && !matches!(self, Code::AcknowledgementUnused | Code::AcknowledgementExpired)
            }

            /// One line on what the rule checks (docs, `--explain` style help).
            pub fn description(self) -> &'static str {
                match self { $( Code::$variant => $desc, )* }
            }
        }
    };
}

codes! {
    Syntax = "syntax", Error, "the file is not valid TOML (or not UTF-8)";
    Schema = "schema", Error, "wrong type, missing required key, unknown key, bad date/duration/enum value";
    BadId = "bad-id", Error, "id or file name outside the id pattern, or a `*.toml` in an unknown folder";
    DuplicateId = "duplicate-id", Error, "two entries of one kind share an id";
    UnknownCountry = "unknown-country", Error, "not an ISO 3166-1 alpha-2 code";
    DanglingReference = "dangling-reference", Error, "an id that names nothing of the expected kind";
    LegalBasisMissing = "legal-basis-missing", Error, "controller or joint-controller activity without `legal_bases`";
    LegitimateInterestMissing = "legitimate-interest-missing", Error, "`legitimate-interests` without `legitimate_interest`";
    SpecialCategoryConditionMissing = "special-category-condition-missing", Error, "special category data without an Art. 9(2) condition";
    ControllersMissing = "controllers-missing", Error, "processor activity without `controllers`";
    JointControllersMissing = "joint-controllers-missing", Error, "joint-controller activity without `joint_controllers`";
    AdequacyInvalid = "adequacy-invalid", Error, "adequacy claimed where no decision covers the country or the recipient";
    SafeguardMissing = "safeguard-missing", Error, "the mechanism needs a safeguard and has none";
    SafeguardKindMismatch = "safeguard-kind-mismatch", Error, "the safeguard's `kind` is not the transfer's mechanism";
    DerogationMissing = "derogation-missing", Error, "`mechanism = \"derogation\"` without `derogation`";
    SccRepealed = "scc-repealed", Error, "a repealed SCC version";
    SccModuleInvalid = "scc-module-invalid", Error, "an SCC module outside 1-4, or none";
    TransferUncovered = "transfer-uncovered", Error, "an activity discloses data outside the EEA without a transfer that covers it";
    RetentionMissing = "retention-missing", Warning, "no `[[retention]]`";
    MeasuresMissing = "measures-missing", Warning, "no `measures`";
    DpaMissing = "dpa-missing", Warning, "processor without `dpa_signed`";
    TiaMissing = "tia-missing", Warning, "scc, bcr or ad-hoc-clauses transfer to a non-adequate country without `[tia]`";
    DerogationUsed = "derogation-used", Warning, "a transfer relies on an Art. 49 derogation";
    TransferInsideEea = "transfer-inside-eea", Warning, "a transfer entry whose country is in the EEA";
    ReviewOverdue = "review-overdue", Warning, "`next_review` (or 12 months after `last_reviewed`) is before the as-of date";
    DpiaIncomplete = "dpia-incomplete", Warning, "`dpia.required = true` without `dpia.completed`";
    Unused = "unused", Warning, "a processor, recipient, safeguard, measure or category that nothing uses";
    // Version 1.1 of the contract.
    CriminalDataBasisMissing = "criminal-data-basis-missing", Error, "criminal-offence data without `legal_provisions` (Art. 10)";
    DpoMissing = "dpo-missing", Error, "a public authority without a `[dpo]` (Art. 37(1)(a))";
    CompellingInterestsUndocumented = "compelling-interests-undocumented", Error, "a `compelling-legitimate-interests` transfer without `authority_informed` or `supplementary_measures` (Art. 49(1) second subparagraph)";
    SccModuleMismatch = "scc-module-mismatch", Error, "the SCC safeguard has none of the modules the parties' roles allow";
    SccDateInvalid = "scc-date-invalid", Error, "2021/914 SCCs signed before the decision's date, 2021-06-04";
    SafeguardExpired = "safeguard-expired", Error, "a transfer in use names a safeguard that has expired";
    LegalProvisionMissing = "legal-provision-missing", Warning, "a basis or condition that rests on Union or Member State law, without `legal_provisions` (Art. 6(3), 9(2))";
    ConsentEmployees = "consent-employees", Warning, "consent as the basis for processing employees' data (EDPB Guidelines 05/2020 §21)";
    ChildConsentAge = "child-consent-age", Warning, "consent from data subjects younger than the Art. 8 age, without `parental_consent`";
    AutomatedDecisionNoteMissing = "automated-decision-note-missing", Warning, "automated decisions without `automated_decision_note`";
    AutomatedDecisionBasis = "automated-decision-basis", Warning, "automated decisions without a basis Art. 22(2) allows";
    AutomatedDecisionSpecialCategory = "automated-decision-special-category", Warning, "automated decisions on special category data without an Art. 22(4) condition";
    DpiaMissing = "dpia-missing", Warning, "an activity that meets the DPIA criteria without a `[dpia]` (Art. 35; WP248)";
    DpoLikelyRequired = "dpo-likely-required", Warning, "large-scale special or criminal data and no `[dpo]` (Art. 37(1)(c))";
    RepresentativeMissing = "representative-missing", Warning, "an organisation outside the EEA without a `[representative]` (Art. 27)";
    ContactDetailsMissing = "contact-details-missing", Warning, "contact details Art. 30(1)(a) asks for are missing";
    JointArrangementMissing = "joint-arrangement-missing", Warning, "a joint controller without `arrangement` (Art. 26(1))";
    LegitimateInterestsPublicAuthority = "legitimate-interests-public-authority", Warning, "a public authority relying on legitimate interests (Art. 6(1) last subparagraph)";
    DerogationPublicAuthority = "derogation-public-authority", Warning, "a public authority relying on a derogation Art. 49(3) does not allow it";
    NotForProfitDisclosure = "not-for-profit-disclosure", Warning, "Art. 9(2)(d) data disclosed to recipients";
    SafeguardApprovalMissing = "safeguard-approval-missing", Warning, "a safeguard that needs an approval or authorisation without `approved_by`";
    AdequacyScopeEmployees = "adequacy-scope-employees", Warning, "employee data to Canada under adequacy, which PIPEDA covers only at federally regulated employers";
    RetentionIncomplete = "retention-incomplete", Warning, "a data category of the activity that no `[[retention]]` names";
    RetentionCategoryNotProcessed = "retention-category-not-processed", Warning, "a `[[retention]]` names a category the activity does not process";
    AcknowledgementUnused = "acknowledgement-unused", Warning, "an `[[acknowledged]]` that silences nothing";
    AcknowledgementExpired = "acknowledgement-expired", Warning, "an `[[acknowledged]]` whose `until` has passed";
    // Extensions to the contract (docs/rules.md): problems with the files themselves.
    UnreadableFile = "unreadable-file", Error, "a registry file or folder that cannot be read (permissions, broken link, link loop)";
    FileTooLarge = "file-too-large", Error, "a registry file over the size or token limit, or with more problems than are listed per file";
    LinkOutsideRegistry = "link-outside-registry", Warning, "a symbolic link that leads outside the registry folder; it is not followed";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut seen = BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {}", c.as_str());
            assert!(
                c.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
            );
            assert!(!c.description().is_empty());
        }
    }
}
