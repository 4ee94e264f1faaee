//! The rights available to individuals (ICO template column 16): which of
//! the data subject's rights in Chapter III apply follows from the legal
//! basis of the processing. This is the one place that judgement is made;
//! the site and the spreadsheets show what it returns. docs/rights.md
//! gives the table with its articles.

use crate::model::{Activity, LegalBasis, Role};

crate::model::string_enum!(
    /// A right of the data subject, by the article that gives it.
    Right, "right" {
    Information = "information",
    Access = "access",
    Rectification = "rectification",
    Erasure = "erasure",
    Restriction = "restriction",
    Portability = "portability",
    Object = "object",
    WithdrawConsent = "withdraw-consent",
    // Art. 22(3): human intervention, one's view, contest (22(2)(a), (c)).
    AutomatedDecisionSafeguards = "automated-decision-safeguards",
    // Art. 22(2)(b): the safeguards of the law that authorises it.
    AutomatedDecisionByLaw = "automated-decision-by-law",
    // Art. 22(1): no exception of Art. 22(2) applies.
    AutomatedDecisionNotSubject = "automated-decision-not-subject",
    Complaint = "complaint",
});

/// Which exception of Art. 22(2) a legal basis can rest an automated
/// decision on: (a) a contract, (b) a law that authorises it (a legal
/// obligation or a public task laid down by law), (c) explicit consent.
/// `None`: none (vital or legitimate interests), so Art. 22(1) applies.
/// The rule `automated-decision-basis` asks the same question.
pub fn art22_exception(basis: LegalBasis) -> Option<char> {
    match basis {
        LegalBasis::Contract => Some('a'),
        LegalBasis::LegalObligation | LegalBasis::PublicTask => Some('b'),
        LegalBasis::Consent => Some('c'),
        LegalBasis::VitalInterests | LegalBasis::LegitimateInterests => None,
    }
}

impl Right {
    /// Which legal bases give the right. `None`: every processing, whatever
    /// its basis.
    fn given_by(self) -> Option<&'static [LegalBasis]> {
        use LegalBasis::*;
        match self {
            // Art. 12-16, 18 and 77 apply to all processing.
            Right::Information
            | Right::Access
            | Right::Rectification
            | Right::Restriction
            | Right::Complaint => None,
            // Art. 17(3)(b): not where the processing is needed for a legal
            // obligation or a task in the public interest.
            Right::Erasure => Some(&[Consent, Contract, VitalInterests, LegitimateInterests]),
            // Art. 20(1)(a): consent (6(1)(a), 9(2)(a)) or contract (6(1)(b)).
            Right::Portability => Some(&[Consent, Contract]),
            // Art. 21(1): processing based on 6(1)(e) or (f).
            Right::Object => Some(&[PublicTask, LegitimateInterests]),
            // Art. 7(3).
            Right::WithdrawConsent => Some(&[Consent]),
            // Art. 22, when the activity makes automated decisions: which
            // rights depends on the exception of Art. 22(2) the basis gives.
            Right::AutomatedDecisionSafeguards => Some(&[Consent, Contract]),
            Right::AutomatedDecisionByLaw => Some(&[LegalObligation, PublicTask]),
            Right::AutomatedDecisionNotSubject => Some(&[VitalInterests, LegitimateInterests]),
        }
    }
}

/// One right that applies to an activity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RightAvailable {
    pub right: Right,
    /// The activity's legal bases that give the right, when only some of
    /// them do (erasure for the part on contract, not for the part on a
    /// legal obligation). Empty: the right applies to all of it.
    pub only_for: Vec<LegalBasis>,
}

/// The rights of an activity's data subjects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rights {
    /// Ours to answer, as the controller (or a joint controller).
    Controller(Vec<RightAvailable>),
    /// We process for a controller: the data subjects exercise their
    /// rights with it, and we assist it (Art. 28(3)(e)).
    Processor,
}

impl Rights {
    /// One line per right, in the language of `tr`: "Right to erasure
    /// (Art. 17): for the processing based on Contract (Art. 6(1)(b))".
    pub fn lines(&self, tr: &crate::i18n::Tr) -> Vec<String> {
        match self {
            Rights::Processor => vec![tr.t("right.processor").to_string()],
            Rights::Controller(list) => list
                .iter()
                .map(|r| {
                    let label = tr.label("right", r.right.as_str());
                    if r.only_for.is_empty() {
                        label.to_string()
                    } else {
                        let bases: Vec<&str> = r
                            .only_for
                            .iter()
                            .map(|b| tr.label("legal-basis", b.as_str()))
                            .collect();
                        format!("{label}: {} {}", tr.t("right.only-for"), bases.join(", "))
                    }
                })
                .collect(),
        }
    }
}

/// The rights that follow from the activity's role, legal bases and
/// automated decisions, in the order of the articles.
pub fn rights(a: &Activity) -> Rights {
    if a.role() == Role::Processor {
        return Rights::Processor;
    }
    let bases: Vec<LegalBasis> = a
        .legal_bases
        .iter()
        .flat_map(|l| l.value.iter().map(|b| b.value))
        .collect();
    let mut out = Vec::new();
    for &right in Right::ALL {
        let article_22 = matches!(
            right,
            Right::AutomatedDecisionSafeguards
                | Right::AutomatedDecisionByLaw
                | Right::AutomatedDecisionNotSubject
        );
        if article_22 && !a.automated_decision_making() {
            continue;
        }
        match right.given_by() {
            None => out.push(RightAvailable {
                right,
                only_for: Vec::new(),
            }),
            // Processing on no legal basis is unlawful: erasure applies
            // (Art. 17(1)(d)). (`legal-basis-missing` reports the gap.)
            Some(_) if bases.is_empty() && right == Right::Erasure => out.push(RightAvailable {
                right,
                only_for: Vec::new(),
            }),
            Some(giving) => {
                let mut only_for: Vec<LegalBasis> = bases
                    .iter()
                    .copied()
                    .filter(|b| giving.contains(b))
                    .collect();
                only_for.sort();
                only_for.dedup();
                if only_for.is_empty() {
                    continue;
                }
                if bases.iter().all(|b| giving.contains(b)) {
                    only_for.clear();
                }
                out.push(RightAvailable { right, only_for });
            }
        }
    }
    Rights::Controller(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use LegalBasis::*;

    fn rights_with(extra: &str) -> Rights {
        let text = format!(
            "name = \"A\"\npurposes = [\"p\"]\ndata_subjects = []\ndata_categories = []\n{extra}\n"
        );
        let loaded = crate::load::load_files(vec![("activities/a.toml".into(), text.into_bytes())]);
        let a = loaded
            .registry
            .activities
            .values()
            .next()
            .expect("the activity");
        rights(a)
    }

    fn listed(r: &Rights) -> Vec<(Right, Vec<LegalBasis>)> {
        match r {
            Rights::Controller(v) => v.iter().map(|x| (x.right, x.only_for.clone())).collect(),
            Rights::Processor => panic!("a processor activity"),
        }
    }

    const ALWAYS: [Right; 5] = [
        Right::Information,
        Right::Access,
        Right::Rectification,
        Right::Restriction,
        Right::Complaint,
    ];

    fn names(r: &Rights) -> Vec<Right> {
        listed(r).into_iter().map(|(x, _)| x).collect()
    }

    #[test]
    fn each_basis_gives_its_rights() {
        let table: [(&str, &[Right]); 6] = [
            (
                "consent",
                &[Right::Erasure, Right::Portability, Right::WithdrawConsent],
            ),
            ("contract", &[Right::Erasure, Right::Portability]),
            ("legal-obligation", &[]),
            ("vital-interests", &[Right::Erasure]),
            ("public-task", &[Right::Object]),
            ("legitimate-interests", &[Right::Erasure, Right::Object]),
        ];
        for (basis, extra) in table {
            let got = names(&rights_with(&format!("legal_bases = [\"{basis}\"]")));
            let mut want: Vec<Right> = ALWAYS.iter().chain(extra).copied().collect();
            want.sort();
            assert_eq!(got, want, "{basis}");
        }
    }

    #[test]
    fn a_right_some_bases_give_names_them() {
        let got = listed(&rights_with(
            "legal_bases = [\"legal-obligation\", \"contract\"]",
        ));
        assert!(got.contains(&(Right::Erasure, vec![Contract])), "{got:?}");
        assert!(
            got.contains(&(Right::Portability, vec![Contract])),
            "{got:?}"
        );
        assert!(got.contains(&(Right::Access, vec![])), "{got:?}");
        assert!(!got.iter().any(|(r, _)| *r == Right::Object), "{got:?}");
        // Both bases give it: it applies to all of the processing.
        let both = listed(&rights_with("legal_bases = [\"consent\", \"contract\"]"));
        assert!(both.contains(&(Right::Portability, vec![])), "{both:?}");
        assert!(
            both.contains(&(Right::WithdrawConsent, vec![Consent])),
            "{both:?}"
        );
    }

    #[test]
    fn automated_decisions_add_the_rights_of_their_article_22_exception() {
        let automated = |bases: &str| {
            listed(&rights_with(&format!(
                "legal_bases = [{bases}]\nautomated_decision_making = true"
            )))
            .into_iter()
            .filter(|(r, _)| r.as_str().starts_with("automated-decision"))
            .collect::<Vec<_>>()
        };
        // A contract or consent (Art. 22(2)(a), (c)): the Art. 22(3) rights.
        assert_eq!(
            automated("\"contract\""),
            [(Right::AutomatedDecisionSafeguards, vec![])]
        );
        // A law that authorises it (22(2)(b)): that law's safeguards.
        assert_eq!(
            automated("\"public-task\""),
            [(Right::AutomatedDecisionByLaw, vec![])]
        );
        // No exception: the right not to be subject to it (22(1)).
        assert_eq!(
            automated("\"legitimate-interests\""),
            [(Right::AutomatedDecisionNotSubject, vec![])]
        );
        // Two bases, two kinds, each for its part.
        assert_eq!(
            automated("\"contract\", \"legitimate-interests\""),
            [
                (Right::AutomatedDecisionSafeguards, vec![Contract]),
                (
                    Right::AutomatedDecisionNotSubject,
                    vec![LegitimateInterests]
                )
            ]
        );
        let r = rights_with("legal_bases = [\"contract\"]\nautomated_decision_making = false");
        assert!(
            !names(&r)
                .iter()
                .any(|r| r.as_str().starts_with("automated-decision"))
        );
    }

    #[test]
    fn lines_in_words() {
        let r = rights_with("legal_bases = [\"legal-obligation\", \"contract\"]");
        let en = r.lines(&crate::i18n::Tr::new(Some("en")));
        assert!(
            en.contains(
                &"Right to erasure (Art. 17): for the processing based on Contract (Art. 6(1)(b))"
                    .to_string()
            ),
            "{en:?}"
        );
        assert_eq!(en[0], "Right to be informed (Art. 13, 14)");
        let nl = r.lines(&crate::i18n::Tr::new(Some("nl")));
        assert_eq!(nl[1], "Recht van inzage (art. 15)");
    }

    #[test]
    fn a_processor_activity_leaves_them_to_the_controller() {
        let r = rights_with("role = \"processor\"\ncontrollers = [\"Customer\"]");
        assert_eq!(r, Rights::Processor);
    }
}
