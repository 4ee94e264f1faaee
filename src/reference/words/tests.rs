use super::*;
use LegalBasis as B;
use SpecialCategoryCondition as C;

#[test]
fn absent_cells() {
    for cell in [
        "",
        "  ",
        "N/A",
        "n/a",
        "n/a.",
        "None",
        "NONE",
        "-",
        "–",
        "—",
        "--",
        "nil",
        "Not applicable",
        "not  applicable",
        "null",
        "n.a.",
    ] {
        assert!(is_absent(cell), "{cell:?} should be absent");
    }
    for cell in [
        "NA",
        "No",
        "0",
        "Nothing yet",
        "None of the above apply",
        "x",
    ] {
        assert!(!is_absent(cell), "{cell:?} should not be absent");
    }
}

#[test]
fn lists_split() {
    let cases: &[(&str, &[&str])] = &[
        ("Name, e-mail; phone", &["Name", "e-mail", "phone"]),
        ("Name\nAddress\r\nPhone", &["Name", "Address", "Phone"]),
        ("• Name • Address", &["Name", "Address"]),
        ("- Name\n- Address\n* Phone", &["Name", "Address", "Phone"]),
        ("Name, N/A, -, ", &["Name"]),
        ("N/A", &[]),
        ("", &[]),
        (
            "Legitimate interests (fraud prevention, security), consent",
            &[
                "Legitimate interests (fraud prevention, security)",
                "consent",
            ],
        ),
        ("Art. 6(1)(b), contract", &["Art. 6(1)(b)", "contract"]),
        // An unclosed parenthesis ends with its line.
        ("Email (work, home\nPhone", &["Email (work, home", "Phone"]),
        ("Name and address", &["Name and address"]),
        ("e-mail", &["e-mail"]),
    ];
    for (cell, want) in cases {
        assert_eq!(split_list(cell), *want, "{cell:?}");
    }
}

#[test]
fn countries_from_codes_and_names() {
    let cases: &[(&str, Option<&str>)] = &[
        ("US", Some("US")),
        ("USA", Some("US")),
        ("usa", Some("US")),
        ("U.S.", Some("US")),
        ("U.S.A.", Some("US")),
        ("United States", Some("US")),
        ("united states of america", Some("US")),
        ("GBR", Some("GB")),
        ("GB", Some("GB")),
        ("UK", Some("GB")),
        ("U.K.", Some("GB")),
        ("United Kingdom", Some("GB")),
        ("Great Britain", Some("GB")),
        ("CAN", Some("CA")),
        ("Canada", Some("CA")),
        ("South Korea", Some("KR")),
        ("Republic of Korea", Some("KR")),
        ("Korea, Republic of", Some("KR")),
        ("KOR", Some("KR")),
        ("North Korea", Some("KP")),
        ("Japan", Some("JP")),
        ("JPN", Some("JP")),
        ("Georgia", Some("GE")),
        ("India", Some("IN")),
        ("IND", Some("IN")),
        ("Germany", Some("DE")),
        ("DEU", Some("DE")),
        ("Deutschland", Some("DE")),
        ("Allemagne", Some("DE")),
        ("Duitsland", Some("DE")),
        ("  france ", Some("FR")),
        ("The Netherlands", Some("NL")),
        ("Côte d'Ivoire", Some("CI")),
        ("Cote d'Ivoire", Some("CI")),
        ("Türkiye", Some("TR")),
        ("Turkey", Some("TR")),
        ("Russia", Some("RU")),
        ("Czech Republic", Some("CZ")),
        ("Bosnia & Herzegovina", Some("BA")),
        ("St Kitts and Nevis", Some("KN")),
        ("The Democratic Republic of the Congo", Some("CD")),
        ("British Virgin Islands", Some("VG")),
        ("Åland Islands", Some("AX")),
        ("United States (California)", Some("US")),
        ("Germany (EU)", Some("DE")),
        ("Georgia (USA)", None),
        ("Georgia (US state)", None),
        ("Georgia (state)", None),
        ("Samoa (American)", None),
        ("Guinea (Bissau)", Some("GW")), // the whole cell is the name
        ("Sudan (South)", None),
        ("Korea (North)", None),
        ("Congo (Kinshasa)", Some("CD")),
        ("Ireland", Some("IE")),
        ("Northern Ireland", Some("GB")),
        ("Niger", Some("NE")),
        ("Nigeria", Some("NG")),
        ("Greece", Some("GR")),
        ("EL", Some("GR")),
        ("Switzerland", Some("CH")),
        ("Hong Kong, China", Some("HK")),
        ("United States of America (USA)", Some("US")),
        ("USA (DPF)", Some("US")),
        ("CHE", Some("CH")),
        // Not one country.
        ("EU", None),
        ("EEA", None),
        ("Europe", None),
        ("European Union", None),
        ("Worldwide", None),
        ("Korea", None),
        ("Congo", None),
        ("Virgin Islands", None),
        ("Kosovo", None), // not in ISO 3166-1
        // Words that are codes in another case.
        ("No", None),
        ("no", None),
        ("and", None),
        ("Can", None),
        ("it", None),
        ("In", None),
        ("per", None),
        ("e.g.", None),
        ("", None),
        ("XX", None),
        ("ZZZ", None),
        ("United", None),
        ("South Georgia", None),
        ("America", None),
    ];
    for (cell, want) in cases {
        assert_eq!(country(cell), *want, "{cell:?}");
    }
}

/// Every name the binary writes (English, Dutch, German, French) reads
/// back as its code, but "Congo", which people write for both Congos.
#[test]
fn country_names_map_back() {
    for (code, name) in crate::reference::all_country_names() {
        let want = (name != "Congo").then_some(code);
        assert_eq!(country(name), want, "{name:?}");
        assert_eq!(
            country(crate::reference::alpha3_of(code).unwrap_or_default()),
            Some(code)
        );
        assert_eq!(country(code), Some(code));
    }
}

/// A variant never overrides a bundled name with another country, and
/// names a country that exists.
#[test]
fn country_variants_agree_with_the_bundled_names() {
    let bundled: std::collections::HashMap<String, &str> = crate::reference::all_country_names()
        .map(|(code, name)| (name_key(name), code))
        .collect();
    for (name, code) in COUNTRY_VARIANTS {
        assert!(crate::reference::is_country(code), "{name}: {code}");
        if let Some(other) = bundled.get(&name_key(name)) {
            assert_eq!(other, code, "{name}");
        }
        assert_eq!(country(name), Some(*code), "{name}");
    }
}

#[test]
fn country_lists() {
    assert_eq!(
        countries("USA, GBR; Canada\nIndia"),
        (vec!["US", "GB", "CA", "IN"], vec![])
    );
    assert_eq!(
        countries("Germany, Korea, Republic of, Moldova, Republic of"),
        (vec!["DE", "KR", "MD"], vec![])
    );
    assert_eq!(
        countries("US, EU, USA, Narnia"),
        (vec!["US"], vec!["EU".to_string(), "Narnia".to_string()])
    );
    assert_eq!(countries("N/A"), (vec![], vec![]));
    assert_eq!(
        countries("Atlanta, Georgia, USA"),
        (
            vec!["US"],
            vec!["Atlanta".to_string(), "Georgia".to_string()]
        )
    );
    assert_eq!(countries("Georgia, Armenia"), (vec!["GE", "AM"], vec![]));
}

#[test]
fn legal_bases_from_wordings() {
    let cases: &[(&str, &[LegalBasis], &[&str])] = &[
        ("Consent", &[B::Consent], &[]),
        ("consent", &[B::Consent], &[]),
        ("Article 6(1)(b) contract", &[B::Contract], &[]),
        (
            "Art. 6(1)(b) - performance of contract",
            &[B::Contract],
            &[],
        ),
        ("Art. 6(1)(b), contract", &[B::Contract], &[]),
        ("6(1)(c)", &[B::LegalObligation], &[]),
        ("Art 6.1.f", &[B::LegitimateInterests], &[]),
        ("Art. 6 (1) lit. e", &[B::PublicTask], &[]),
        ("UK GDPR Article 6(1)(a)", &[B::Consent], &[]),
        ("Legal obligation", &[B::LegalObligation], &[]),
        ("Legal obligations", &[B::LegalObligation], &[]),
        (
            "Compliance with a legal obligation",
            &[B::LegalObligation],
            &[],
        ),
        ("Required by law", &[B::LegalObligation], &[]),
        ("Legitimate interests", &[B::LegitimateInterests], &[]),
        ("Legitimate interest", &[B::LegitimateInterests], &[]),
        ("public task", &[B::PublicTask], &[]),
        ("Public interest", &[B::PublicTask], &[]),
        ("Exercise of official authority", &[B::PublicTask], &[]),
        ("vital interests", &[B::VitalInterests], &[]),
        ("performance of a contract", &[B::Contract], &[]),
        (
            "Necessary for the performance of a contract with the data subject or to take steps prior to entering into a contract",
            &[B::Contract],
            &[],
        ),
        ("Employment contract", &[B::Contract], &[]),
        ("Contractual necessity", &[B::Contract], &[]),
        (
            "Consent; legitimate interests",
            &[B::Consent, B::LegitimateInterests],
            &[],
        ),
        (
            "Legitimate interests and consent",
            &[B::LegitimateInterests, B::Consent],
            &[],
        ),
        (
            "Contract, legal obligation, contract",
            &[B::Contract, B::LegalObligation],
            &[],
        ),
        (
            "Legitimate interests (fraud prevention, security)",
            &[B::LegitimateInterests],
            &[],
        ),
        (
            "Legitimate interests (not consent)",
            &[B::LegitimateInterests],
            &[],
        ),
        ("Consent, see LIA", &[B::Consent], &["see LIA"]),
        (
            "Art. 6(1)(a) and (f)",
            &[B::Consent, B::LegitimateInterests],
            &[],
        ),
        ("Art 6(1)(b)/(c)", &[B::Contract, B::LegalObligation], &[]),
        ("6(1)(b) and a contract", &[B::Contract], &[]),
        (
            "Legitimate interests where consent is not required",
            &[B::LegitimateInterests],
            &[],
        ),
        // Near misses.
        ("Contractor", &[], &["Contractor"]),
        ("Contractors, suppliers", &[], &["Contractors", "suppliers"]),
        (
            "Standard contractual clauses",
            &[],
            &["Standard contractual clauses"],
        ),
        (
            "Substantial public interest",
            &[],
            &["Substantial public interest"],
        ),
        // A withdrawn or absent consent is no basis: left for a human.
        ("Consent withdrawn", &[], &["Consent withdrawn"]),
        ("No consent", &[], &["No consent"]),
        ("Consent not required", &[], &["Consent not required"]),
        ("Article 6", &[], &["Article 6"]),
        ("Art. 9(2)(a)", &[], &["Art. 9(2)(a)"]),
        ("Art. 16(1)(a)", &[], &["Art. 16(1)(a)"]),
        ("Legal", &[], &["Legal"]),
        ("Interests", &[], &["Interests"]),
        ("N/A", &[], &[]),
    ];
    for (cell, bases, unmapped) in cases {
        let (got, left) = legal_bases(cell);
        assert_eq!(got, *bases, "{cell:?}");
        assert_eq!(left, *unmapped, "{cell:?}");
    }
}

#[test]
fn special_conditions_from_wordings() {
    let cases: &[(&str, Option<SpecialCategoryCondition>)] = &[
        ("Explicit consent", Some(C::ExplicitConsent)),
        ("Art. 9(2)(a) explicit consent", Some(C::ExplicitConsent)),
        ("Art. 9(2)(b) employment", Some(C::Employment)),
        (
            "Employment, social security and social protection",
            Some(C::Employment),
        ),
        ("9(2)(h)", Some(C::HealthCare)),
        ("Health or social care", Some(C::HealthCare)),
        (
            "Health or social care (with a basis in law)",
            Some(C::HealthCare),
        ),
        ("Occupational health", Some(C::HealthCare)),
        ("Public health", Some(C::PublicHealth)),
        ("9.2.i public health", Some(C::PublicHealth)),
        ("Vital interests", Some(C::VitalInterests)),
        ("Not-for-profit bodies", Some(C::NotForProfit)),
        ("Non-profit body", Some(C::NotForProfit)),
        ("Made public by the data subject", Some(C::MadePublic)),
        ("Manifestly made public", Some(C::MadePublic)),
        ("Legal claims or judicial acts", Some(C::LegalClaims)),
        (
            "Reasons of substantial public interest (with a basis in law)",
            Some(C::SubstantialPublicInterest),
        ),
        (
            "Archiving, research and statistics (with a basis in law)",
            Some(C::ArchivingResearch),
        ),
        ("Scientific research", Some(C::ArchivingResearch)),
        ("Art. 9(2)(j)", Some(C::ArchivingResearch)),
        ("Art. 9(2)(b) and (h)", None),
        // Near misses.
        ("Consent", None),
        ("Explicit consent not obtained", None),
        ("No explicit consent", None),
        ("Explicit consent; employment", None),
        ("Health data", None),
        ("Art. 9", None),
        ("6(1)(a)", None),
        ("N/A", None),
        ("", None),
    ];
    for (cell, want) in cases {
        assert_eq!(special_condition(cell), *want, "{cell:?}");
    }
}

#[test]
fn retention_periods() {
    let s = |p: &str, from: Option<&str>| Some((p.to_string(), from.map(str::to_string)));
    type Kept = (String, Option<String>);
    let cases: &[(&str, Option<Kept>)] = &[
        ("30 days", s("P30D", None)),
        ("30 Days.", s("P30D", None)),
        (
            "7 years after the end of the contract",
            s("P7Y", Some("the end of the contract")),
        ),
        (
            "7 years after the end of the contract (tax law), then deleted",
            s("P7Y", Some("the end of the contract")),
        ),
        ("6 months from collection", s("P6M", Some("collection"))),
        ("P2Y", s("P2Y", None)),
        ("P1Y6M", s("P1Y6M", None)),
        ("P6M from collection", s("P6M", Some("collection"))),
        ("two years", s("P2Y", None)),
        ("Two Years", s("P2Y", None)),
        ("1 year and 6 months", s("P1Y6M", None)),
        ("6 months and 1 year", s("P1Y6M", None)),
        ("24 months", s("P24M", None)),
        ("twenty-four months", s("P24M", None)),
        ("one (1) year", s("P1Y", None)),
        ("2 weeks", s("P2W", None)),
        ("48 hours", s("PT48H", None)),
        ("7yrs", s("P7Y", None)),
        ("30 calendar days", s("P30D", None)),
        ("Retained for 6 years", s("P6Y", None)),
        ("Up to 30 days", s("P30D", None)),
        ("Deleted after a year", s("P1Y", None)),
        (
            "6 years following termination of employment",
            s("P6Y", Some("termination of employment")),
        ),
        (
            "Within 30 days of account closure",
            s("P30D", Some("account closure")),
        ),
        (
            "End of contract + 7 years",
            s("P7Y", Some("End of contract")),
        ),
        (
            "Duration of employment plus 6 years",
            s("P6Y", Some("Duration of employment")),
        ),
        ("30 days, after which it is deleted", s("P30D", None)),
        ("6 months then anonymised", s("P6M", None)),
        // As `ropa export` writes them.
        (
            "P7Y from the end of the contract",
            s("P7Y", Some("the end of the contract")),
        ),
        (
            "P6M from collection (CV, cover letter). Reviewed yearly",
            s("P6M", Some("collection")),
        ),
        (
            "P6M from collection. Reviewed yearly",
            s("P6M", Some("collection")),
        ),
        ("No period given (from: end of contract)", None),
        ("No period given", None),
        ("a 10-year period", s("P10Y", None)),
        ("Since 2019, 5 years", s("P5Y", None)),
        ("5 / 7 years", None),
        // No one period.
        ("Until the end of the contract", None),
        ("Indefinitely", None),
        ("Permanent", None),
        ("1.5 years", None),
        ("5-7 years", None),
        ("between 5 and 7 years", None),
        ("3 months for CVs, 6 years for payroll", None),
        ("30 working days", None),
        ("Reviewed every 2 years", None),
        ("Reviewed once a year", None),
        ("half a year", None),
        ("P2Y or P3Y", None),
        ("N/A", None),
        ("", None),
        ("2024", None),
    ];
    for (cell, want) in cases {
        assert_eq!(retention(cell), *want, "{cell:?}");
    }
    // Every period given is one the registry accepts.
    for (cell, want) in cases {
        if let Some((period, _)) = want {
            assert!(
                crate::model::IsoDuration::parse(period).is_some(),
                "{cell:?}"
            );
        }
    }
}

#[test]
fn mechanisms_from_wordings() {
    use Derogation as D;
    use Mechanism as M;
    let cases: &[(&str, Option<Transfer>)] = &[
        ("SCCs", Some((M::Scc, None))),
        ("SCC", Some((M::Scc, None))),
        ("Standard contractual clauses", Some((M::Scc, None))),
        ("EU SCCs 2021", Some((M::Scc, None))),
        ("SCCs (Module 2) with TIA", Some((M::Scc, None))),
        ("Model clauses", Some((M::Scc, None))),
        ("Art. 46(2)(c)", Some((M::Scc, None))),
        ("BCR", Some((M::Bcr, None))),
        ("BCRs", Some((M::Bcr, None))),
        ("Binding corporate rules", Some((M::Bcr, None))),
        ("Article 47", Some((M::Bcr, None))),
        ("Adequacy", Some((M::Adequacy, None))),
        ("Adequacy decision", Some((M::Adequacy, None))),
        ("Adequacy decision (DPF)", Some((M::Adequacy, None))),
        ("DPF", Some((M::Adequacy, None))),
        ("EU-US Data Privacy Framework", Some((M::Adequacy, None))),
        ("Art. 45", Some((M::Adequacy, None))),
        ("Adequate country", Some((M::Adequacy, None))),
        ("Code of conduct", Some((M::CodeOfConduct, None))),
        ("Certification", Some((M::Certification, None))),
        ("Ad hoc clauses", Some((M::AdHocClauses, None))),
        ("Ad-hoc contractual clauses", Some((M::AdHocClauses, None))),
        (
            "Administrative arrangement",
            Some((M::AdministrativeArrangement, None)),
        ),
        ("Art. 46(3)(b)", Some((M::AdministrativeArrangement, None))),
        (
            "Legally binding and enforceable instrument",
            Some((M::PublicAuthorityInstrument, None)),
        ),
        (
            "Explicit consent",
            Some((M::Derogation, Some(D::ExplicitConsent))),
        ),
        (
            "Art. 49(1)(a) explicit consent",
            Some((M::Derogation, Some(D::ExplicitConsent))),
        ),
        (
            "49(1)(b)",
            Some((M::Derogation, Some(D::ContractWithSubject))),
        ),
        ("Legal claims", Some((M::Derogation, Some(D::LegalClaims)))),
        (
            "Compelling legitimate interests",
            Some((M::Derogation, Some(D::CompellingLegitimateInterests))),
        ),
        // Near misses.
        ("SCCs or DPF", None),
        ("BCR / SCCs", None),
        ("No adequacy decision", None),
        ("Not adequate", None),
        ("Adequate safeguards", None),
        ("Privacy Shield", None),
        ("EU-US Privacy Shield adequacy", None),
        ("ISO 27001 certification", None),
        ("IDTA", None),
        ("Consent", None),
        ("Derogation", None),
        ("Art. 46(2)(d)", None),
        ("Contractual clauses", None),
        ("N/A", None),
        ("", None),
    ];
    for (cell, want) in cases {
        assert_eq!(mechanism(cell), *want, "{cell:?}");
    }
}

/// What `ropa export` writes (the English labels) and the registry's own
/// values map back to the same code: the round trip of an export.
#[test]
fn labels_and_codes_map_back() {
    let tr = crate::i18n::Tr::new(Some("en"));
    for &b in LegalBasis::ALL {
        for text in [tr.label("legal-basis", b.as_str()), b.as_str()] {
            assert_eq!(legal_bases(text), (vec![b], vec![]), "{text:?}");
        }
    }
    for &c in SpecialCategoryCondition::ALL {
        for text in [tr.label("special-condition", c.as_str()), c.as_str()] {
            assert_eq!(special_condition(text), Some(c), "{text:?}");
        }
    }
    for &m in Mechanism::ALL {
        if m == Mechanism::Derogation {
            continue;
        }
        for text in [tr.label("mechanism", m.as_str()), m.as_str()] {
            assert_eq!(mechanism(text), Some((m, None)), "{text:?}");
        }
    }
    let derogation = tr.label("mechanism", "derogation");
    for &d in Derogation::ALL {
        let label = tr.label("derogation", d.as_str());
        for text in [
            label.to_string(),
            d.as_str().to_string(),
            format!("{derogation}: {label}"),
        ] {
            assert_eq!(
                mechanism(&text),
                Some((Mechanism::Derogation, Some(d))),
                "{text:?}"
            );
        }
    }
    // A derogation that does not say which is not mapped.
    assert_eq!(mechanism(derogation), None);
}

proptest::proptest! {
    /// Whatever a cell holds, the words never panic and what they give is
    /// what the registry accepts.
    #[test]
    fn any_cell_is_safe(cell in "\\PC{0,40}") {
        is_absent(&cell);
        split_list(&cell);
        countries(&cell);
        legal_bases(&cell);
        special_condition(&cell);
        mechanism(&cell);
        if let Some(code) = country(&cell) {
            proptest::prop_assert!(crate::reference::is_country(code));
        }
        if let Some((period, _)) = retention(&cell) {
            proptest::prop_assert!(crate::model::IsoDuration::parse(&period).is_some(), "{}", period);
        }
    }

    #[test]
    fn wordy_cells_are_safe(cell in "[0-9a-zA-Z().,;/+\\- ]{0,40}") {
        countries(&cell);
        legal_bases(&cell);
        special_condition(&cell);
        mechanism(&cell);
        if let Some((period, _)) = retention(&cell) {
            proptest::prop_assert!(crate::model::IsoDuration::parse(&period).is_some(), "{}", period);
        }
    }
}
