//! `ropa export --format dpv`: JSON-LD with the W3C Data Privacy Vocabulary.
//!
//! The export is parsed by an independent JSON-LD processor (Python's
//! rdflib, in the virtualenv `.ci/run` creates at `.ci/venv`) into RDF
//! triples, and the tests assert triples: the Art. 6 and Art. 9 legal bases,
//! the transfer legal bases and tools of every mechanism, special category
//! data, storage durations as `xsd:duration`, and that no IRI outside the
//! confirmed DPV terms is used.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{AS_OF, TempRegistry, fixture, manifest_dir, ropa_command, run_with_timeout};

const DPV: &str = "https://w3id.org/dpv#";
const GDPR: &str = "https://w3id.org/dpv/legal/eu/gdpr#";
const PD: &str = "https://w3id.org/dpv/pd#";
const LOC: &str = "https://w3id.org/dpv/loc#";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const DCT: &str = "http://purl.org/dc/terms/";

/// Every `dpv:`, `eu-gdpr:` and `pd:` term the export may use: the ones
/// confirmed in the DPV 2.x sources (docs/exports.md lists where).
const CONFIRMED: &[&str] = &[
    // dpv: classes
    "dpv:ActivityHalted",
    "dpv:ActivityOngoing",
    "dpv:ActivityPlanned",
    "dpv:Authority",
    "dpv:AutomatedDecisionMaking",
    "dpv:CrossBorderTransfer",
    "dpv:DPIA",
    "dpv:DataController",
    "dpv:DataProcessingAgreement",
    "dpv:DataProcessor",
    "dpv:DataProtectionAuthority",
    "dpv:DataProtectionOfficer",
    "dpv:DataSubProcessor",
    "dpv:DataSubject",
    "dpv:DataTransferImpactAssessment",
    "dpv:IndeterminateDuration",
    "dpv:InternationalOrganisation",
    "dpv:JointDataControllers",
    "dpv:Justification",
    "dpv:LargeScaleProcessing",
    "dpv:Law",
    "dpv:Organisation",
    "dpv:OrganisationalMeasure",
    "dpv:PersonalData",
    "dpv:Process",
    "dpv:Purpose",
    "dpv:Recipient",
    "dpv:RecordsOfActivities",
    "dpv:Representative",
    "dpv:SpecialCategoryPersonalData",
    "dpv:StorageDuration",
    "dpv:TechnicalMeasure",
    "dpv:TechnicalOrganisationalMeasure",
    "dpv:VulnerableDataSubject",
    // dpv: properties
    "dpv:hasActivityStatus",
    "dpv:hasAddress",
    "dpv:hasApplicableLaw",
    "dpv:hasAuthority",
    "dpv:hasContact",
    "dpv:hasContext",
    "dpv:hasCountry",
    "dpv:hasDataController",
    "dpv:hasDataExporter",
    "dpv:hasDataImporter",
    "dpv:hasDataProcessor",
    "dpv:hasDataProtectionOfficer",
    "dpv:hasDataSubject",
    "dpv:hasDuration",
    "dpv:hasIdentifier",
    "dpv:hasImpactAssessment",
    "dpv:hasJointDataControllers",
    "dpv:hasJustification",
    "dpv:hasLegalBasis",
    "dpv:hasLegalMeasure",
    "dpv:hasLocation",
    "dpv:hasName",
    "dpv:hasPersonalData",
    "dpv:hasProcess",
    "dpv:hasProcessingScale",
    "dpv:hasProcessing",
    "dpv:hasPurpose",
    "dpv:hasRecipient",
    "dpv:hasRecordOfActivity",
    "dpv:hasRepresentative",
    "dpv:hasStorageCondition",
    "dpv:hasTechnicalOrganisationalMeasure",
    "dpv:hasThirdCountry",
    // eu-gdpr: Art. 6(1), Art. 9(2)
    "eu-gdpr:A6-1-a",
    "eu-gdpr:A6-1-b",
    "eu-gdpr:A6-1-c",
    "eu-gdpr:A6-1-d",
    "eu-gdpr:A6-1-e",
    "eu-gdpr:A6-1-f",
    "eu-gdpr:A9-2-a",
    "eu-gdpr:A9-2-b",
    "eu-gdpr:A9-2-c",
    "eu-gdpr:A9-2-d",
    "eu-gdpr:A9-2-e",
    "eu-gdpr:A9-2-f",
    "eu-gdpr:A9-2-g",
    "eu-gdpr:A9-2-h",
    "eu-gdpr:A9-2-i",
    "eu-gdpr:A9-2-j",
    // eu-gdpr: transfer legal bases
    "eu-gdpr:A45-3",
    "eu-gdpr:A46-2-a",
    "eu-gdpr:A46-2-b",
    "eu-gdpr:A46-2-c",
    "eu-gdpr:A46-2-d",
    "eu-gdpr:A46-2-e",
    "eu-gdpr:A46-2-f",
    "eu-gdpr:A46-3-a",
    "eu-gdpr:A46-3-b",
    "eu-gdpr:A49-1-a",
    "eu-gdpr:A49-1-b",
    "eu-gdpr:A49-1-c",
    "eu-gdpr:A49-1-d",
    "eu-gdpr:A49-1-e",
    "eu-gdpr:A49-1-f",
    "eu-gdpr:A49-1-g",
    "eu-gdpr:A49-2",
    // eu-gdpr: transfer tools
    "eu-gdpr:AdHocContractualClauses",
    "eu-gdpr:BindingCorporateRules",
    "eu-gdpr:CertificationMechanismsForDataTransfers",
    "eu-gdpr:CodesOfConductForDataTransfers",
    "eu-gdpr:DataTransferTool",
    "eu-gdpr:SCCByCommission",
    "eu-gdpr:StandardContractualClauses",
    "eu-gdpr:SupplementaryMeasure",
    // pd:
    "pd:Criminal",
];

/// Other vocabularies' terms the export may use.
const OTHER_TERMS: &[&str] = &[
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://purl.org/dc/terms/description",
    "http://purl.org/dc/terms/date",
    "http://purl.org/dc/terms/creator",
];

fn expand(compact: &str) -> String {
    let (prefix, local) = compact.split_once(':').expect("compact IRI");
    let ns = match prefix {
        "dpv" => DPV,
        "eu-gdpr" => GDPR,
        "pd" => PD,
        "loc" => LOC,
        "xsd" => XSD,
        "rdfs" => RDFS,
        "dct" => DCT,
        "rdf" => "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        _ => panic!("unknown prefix in {compact}"),
    };
    format!("{ns}{local}")
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Term {
    Iri(String),
    Blank(String),
    Literal {
        value: String,
        datatype: Option<String>,
    },
}

impl Term {
    fn from_json(v: &serde_json::Value) -> Term {
        if let Some(i) = v.get("iri").and_then(|x| x.as_str()) {
            Term::Iri(i.into())
        } else if let Some(b) = v.get("bnode").and_then(|x| x.as_str()) {
            Term::Blank(b.into())
        } else {
            Term::Literal {
                value: v["literal"].as_str().expect("literal").into(),
                datatype: v["datatype"].as_str().map(str::to_string),
            }
        }
    }

    fn iri(&self) -> Option<&str> {
        match self {
            Term::Iri(i) => Some(i),
            _ => None,
        }
    }

    fn literal(&self) -> Option<&str> {
        match self {
            Term::Literal { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// `urn:ropa:<kind>:<id>` or a compact IRI, as a term.
fn node(s: &str) -> Term {
    if s.starts_with("urn:") {
        Term::Iri(s.into())
    } else {
        Term::Iri(expand(s))
    }
}

struct Graph {
    triples: Vec<(Term, String, Term)>,
}

impl Graph {
    /// The objects of `subject predicate ?`.
    fn objects(&self, subject: &Term, predicate: &str) -> Vec<&Term> {
        let p = expand(predicate);
        self.triples
            .iter()
            .filter(|(s, pp, _)| s == subject && *pp == p)
            .map(|(_, _, o)| o)
            .collect()
    }

    fn has(&self, subject: &str, predicate: &str, object: &str) -> bool {
        self.objects(&node(subject), predicate)
            .contains(&&node(object))
    }

    #[track_caller]
    fn assert(&self, subject: &str, predicate: &str, object: &str) {
        assert!(
            self.has(subject, predicate, object),
            "missing triple: <{subject}> {predicate} {object}\n{subject} has:\n{}",
            self.describe(&node(subject))
        );
    }

    fn is_a(&self, subject: &Term, class: &str) -> bool {
        let t = Term::Iri(expand(class));
        self.triples
            .iter()
            .any(|(s, p, o)| s == subject && p == RDF_TYPE && *o == t)
    }

    /// The one object of `subject predicate ?` that is of type `class`.
    #[track_caller]
    fn object_of_type(&self, subject: &str, predicate: &str, class: &str) -> Term {
        let found: Vec<&Term> = self
            .objects(&node(subject), predicate)
            .into_iter()
            .filter(|o| self.is_a(o, class))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one {predicate} of type {class} on {subject}:\n{}",
            self.describe(&node(subject))
        );
        found[0].clone()
    }

    fn subjects_of_type(&self, class: &str) -> BTreeSet<String> {
        let t = Term::Iri(expand(class));
        self.triples
            .iter()
            .filter(|(_, p, o)| p == RDF_TYPE && *o == t)
            .filter_map(|(s, _, _)| s.iri().map(str::to_string))
            .collect()
    }

    fn describe(&self, subject: &Term) -> String {
        self.triples
            .iter()
            .filter(|(s, _, _)| s == subject)
            .map(|(_, p, o)| format!("  {p} {o:?}\n"))
            .collect()
    }

    /// Every IRI is a confirmed DPV term, a country of `loc:`, one of ropa's
    /// own `urn:ropa:` nodes or a term of rdf, rdfs or dcterms: a typo in a
    /// term or an undefined prefix shows up here.
    #[track_caller]
    fn assert_terms_confirmed(&self) {
        let confirmed: BTreeSet<String> = CONFIRMED.iter().map(|c| expand(c)).collect();
        let mut bad = BTreeSet::new();
        for (s, p, o) in &self.triples {
            for iri in [s.iri(), Some(p.as_str()), o.iri()].into_iter().flatten() {
                let ok = if iri.starts_with(DPV) || iri.starts_with(GDPR) || iri.starts_with(PD) {
                    confirmed.contains(iri)
                } else if let Some(code) = iri.strip_prefix(LOC) {
                    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
                } else {
                    iri.starts_with("urn:ropa:") || OTHER_TERMS.contains(&iri)
                };
                if !ok {
                    bad.insert(iri.to_string());
                }
            }
            if let Term::Literal {
                datatype: Some(dt), ..
            } = o
            {
                let ok = dt == &format!("{XSD}date") || dt == &format!("{XSD}duration");
                if !ok {
                    bad.insert(dt.clone());
                }
            }
        }
        assert!(bad.is_empty(), "IRIs outside the confirmed terms: {bad:#?}");
    }
}

fn venv_python() -> PathBuf {
    let p = manifest_dir().join(".ci/venv/bin/python");
    assert!(
        p.is_file(),
        "{} is missing: the DPV export test parses the JSON-LD with rdflib in a virtualenv \
         that .ci/run creates. Create it with:\n  python3 -m venv .ci/venv && \
         .ci/venv/bin/pip install --no-cache-dir rdflib==7.6.0",
        p.display()
    );
    p
}

/// Parses `file` with rdflib into triples.
#[track_caller]
fn parse(file: &Path) -> Graph {
    let out = Command::new(venv_python())
        .arg(manifest_dir().join("tests/export_dpv.py"))
        .arg(file)
        .output()
        .expect("run tests/export_dpv.py");
    assert!(
        out.status.success(),
        "rdflib could not parse {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("JSON from export_dpv.py");
    let triples: Vec<(Term, String, Term)> = v["triples"]
        .as_array()
        .expect("triples")
        .iter()
        .map(|t| {
            (
                Term::from_json(&t[0]),
                t[1]["iri"].as_str().expect("predicate IRI").to_string(),
                Term::from_json(&t[2]),
            )
        })
        .collect();
    assert!(
        !triples.is_empty(),
        "{} parsed to no triples",
        file.display()
    );
    Graph { triples }
}

fn export_args<'a>(registry: &'a str, format: &'a str) -> Vec<&'a str> {
    vec![
        "export",
        "--format",
        format,
        "--as-of",
        AS_OF,
        "--registry",
        registry,
    ]
}

/// `ropa export --format dpv` of `registry` to standard output.
#[track_caller]
fn export_stdout(registry: &Path, format: &str) -> String {
    let reg = registry.to_str().unwrap();
    let mut c = ropa_command();
    c.current_dir(manifest_dir()).args(export_args(reg, format));
    let run = run_with_timeout(c, common::RUN_TIMEOUT);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    run.stdout
}

/// `ropa export --format dpv --out FILE`; returns the parsed graph, the
/// file's text and the temporary folder holding it.
#[track_caller]
fn export_file(registry: &Path) -> (Graph, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ropa.jsonld");
    let reg = registry.to_str().unwrap();
    let mut args = export_args(reg, "dpv");
    args.extend(["--out", out.to_str().unwrap()]);
    let mut c = ropa_command();
    c.current_dir(manifest_dir()).args(&args);
    let run = run_with_timeout(c, common::RUN_TIMEOUT);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = std::fs::read_to_string(&out).expect("the export was written");
    (parse(&out), text, dir)
}

fn exportable() -> Vec<PathBuf> {
    let mut v = vec![manifest_dir().join("registry")];
    for f in ["valid-saas", "warnings-only", "site-hostile", "exports-1-1"] {
        v.push(fixture(f));
    }
    v
}

#[test]
fn the_context_declares_the_dpv_namespaces() {
    let text = export_stdout(&fixture("valid-saas"), "dpv");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("the export is JSON");
    let ctx = &doc["@context"];
    assert_eq!(ctx["dpv"], DPV);
    assert_eq!(ctx["eu-gdpr"], GDPR);
    assert_eq!(ctx["pd"], PD);
    assert_eq!(ctx["loc"], LOC);
    assert_eq!(ctx["xsd"], XSD);
    assert!(doc["@graph"].as_array().is_some_and(|g| !g.is_empty()));
}

#[test]
fn valid_saas_legal_bases_data_and_storage() {
    let (g, _, _dir) = export_file(&fixture("valid-saas"));
    g.assert_terms_confirmed();

    // The organisation is the controller of its own activities.
    let org = "urn:ropa:organisation";
    g.assert(org, "rdf:type", "dpv:DataController");
    g.assert(org, "dpv:hasCountry", "loc:SE");
    g.assert("urn:ropa:record", "rdf:type", "dpv:RecordsOfActivities");

    // Art. 6(1) legal bases as eu-gdpr IRIs.
    let service = "urn:ropa:activity:providing-the-service";
    g.assert(service, "rdf:type", "dpv:Process");
    g.assert(service, "dpv:hasDataController", org);
    g.assert(service, "dpv:hasLegalBasis", "eu-gdpr:A6-1-b");
    let crm = "urn:ropa:activity:customer-relationship";
    g.assert(crm, "dpv:hasLegalBasis", "eu-gdpr:A6-1-b");
    g.assert(crm, "dpv:hasLegalBasis", "eu-gdpr:A6-1-c");
    g.assert(
        "urn:ropa:activity:newsletter",
        "dpv:hasLegalBasis",
        "eu-gdpr:A6-1-a",
    );
    g.assert(
        "urn:ropa:activity:customer-support",
        "dpv:hasLegalBasis",
        "eu-gdpr:A6-1-f",
    );
    // Art. 9(2)(b) next to Art. 6(1)(c) for the health data.
    let health = "urn:ropa:activity:occupational-health";
    g.assert(health, "dpv:hasLegalBasis", "eu-gdpr:A6-1-c");
    g.assert(health, "dpv:hasLegalBasis", "eu-gdpr:A9-2-b");
    assert!(
        g.objects(&node(health), "dpv:hasImpactAssessment")
            .iter()
            .all(|d| g.is_a(d, "dpv:DPIA"))
    );

    // Purposes: a dpv:Purpose node labelled with the purpose's text.
    let purpose = g.object_of_type(crm, "dpv:hasPurpose", "dpv:Purpose");
    let labels: Vec<&str> = g
        .objects(&purpose, "rdfs:label")
        .into_iter()
        .filter_map(Term::literal)
        .collect();
    assert_eq!(
        labels,
        ["Manage contracts, invoices and renewals with customers"]
    );

    // Personal data, special categories, data subjects.
    g.assert(
        health,
        "dpv:hasPersonalData",
        "urn:ropa:data-category:health-data",
    );
    g.assert(
        "urn:ropa:data-category:health-data",
        "rdf:type",
        "dpv:SpecialCategoryPersonalData",
    );
    g.assert(
        "urn:ropa:data-category:contact-details",
        "rdf:type",
        "dpv:PersonalData",
    );
    assert!(!g.has(
        "urn:ropa:data-category:contact-details",
        "rdf:type",
        "dpv:SpecialCategoryPersonalData"
    ));
    assert_eq!(
        g.subjects_of_type("dpv:SpecialCategoryPersonalData"),
        BTreeSet::from(["urn:ropa:data-category:health-data".to_string()])
    );
    g.assert(
        health,
        "dpv:hasDataSubject",
        "urn:ropa:data-subject:employees",
    );
    g.assert(
        "urn:ropa:data-subject:employees",
        "rdf:type",
        "dpv:DataSubject",
    );

    // Storage durations as xsd:duration literals on dpv:StorageDuration nodes.
    let durations = |activity: &str| -> BTreeSet<String> {
        g.objects(&node(activity), "dpv:hasStorageCondition")
            .into_iter()
            .filter(|c| g.is_a(c, "dpv:StorageDuration"))
            .flat_map(|c| g.objects(c, "dpv:hasDuration"))
            .filter_map(|d| match d {
                Term::Literal {
                    value,
                    datatype: Some(dt),
                } if *dt == format!("{XSD}duration") => Some(value.clone()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(durations(crm), BTreeSet::from(["P7Y".into(), "P2Y".into()]));
    assert_eq!(
        durations(service),
        BTreeSet::from(["P1Y".into(), "P90D".into()])
    );

    // Processors, recipients and their countries.
    g.assert(crm, "dpv:hasDataProcessor", "urn:ropa:processor:crm");
    g.assert("urn:ropa:processor:crm", "rdf:type", "dpv:DataProcessor");
    g.assert(
        crm,
        "dpv:hasRecipient",
        "urn:ropa:recipient:external-auditor",
    );
    g.assert(
        "urn:ropa:recipient:external-auditor",
        "rdf:type",
        "dpv:Recipient",
    );
    g.assert(
        "urn:ropa:recipient:external-auditor",
        "dpv:hasCountry",
        "loc:SE",
    );
    g.assert(
        "urn:ropa:recipient:nordlys-schweiz",
        "dpv:hasCountry",
        "loc:CH",
    );

    // Measures by kind.
    g.assert("urn:ropa:measure:mfa", "rdf:type", "dpv:TechnicalMeasure");
    g.assert(
        "urn:ropa:measure:staff-training",
        "rdf:type",
        "dpv:OrganisationalMeasure",
    );
    g.assert(
        health,
        "dpv:hasTechnicalOrganisationalMeasure",
        "urn:ropa:measure:staff-training",
    );

    // The processor activity names its controllers; the organisation is the processor.
    let hosting = "urn:ropa:activity:hosting-customer-content";
    g.assert(hosting, "dpv:hasDataProcessor", org);
    let controllers = g.objects(&node(hosting), "dpv:hasDataController");
    assert!(!controllers.is_empty() && controllers.iter().all(|c| g.is_a(c, "dpv:DataController")));
    assert!(!g.has(hosting, "dpv:hasDataController", org));

    // The joint-controller activity names the group and its members.
    let jc = g.object_of_type(
        "urn:ropa:activity:partner-webinars",
        "dpv:hasJointDataControllers",
        "dpv:JointDataControllers",
    );
    assert!(g.objects(&jc, "dpv:hasDataController").len() >= 2);
}

#[test]
fn valid_saas_transfers_have_their_legal_basis_and_tool() {
    let (g, _, _dir) = export_file(&fixture("valid-saas"));

    // SCC: Art. 46(2)(c), the SCCs as the transfer tool, supplementary
    // measures, the TIA, the third country.
    let t = "urn:ropa:transfer:support-centre-in";
    g.assert(t, "rdf:type", "dpv:Process");
    g.assert(t, "dpv:hasProcessing", "dpv:CrossBorderTransfer");
    g.assert(t, "dpv:hasLegalBasis", "eu-gdpr:A46-2-c");
    let scc = "urn:ropa:safeguard:scc-ticketa-callwise";
    g.assert(t, "dpv:hasTechnicalOrganisationalMeasure", scc);
    g.assert(scc, "rdf:type", "eu-gdpr:StandardContractualClauses");
    g.assert(scc, "rdf:type", "eu-gdpr:SCCByCommission");
    g.assert(
        t,
        "dpv:hasTechnicalOrganisationalMeasure",
        "urn:ropa:measure:pseudonymisation",
    );
    g.assert(
        "urn:ropa:measure:pseudonymisation",
        "rdf:type",
        "eu-gdpr:SupplementaryMeasure",
    );
    g.assert(t, "dpv:hasCountry", "loc:IN");
    g.assert(t, "dpv:hasThirdCountry", "loc:IN");
    g.assert(
        t,
        "dpv:hasDataImporter",
        "urn:ropa:processor:support-centre",
    );
    g.assert(t, "dpv:hasDataExporter", "urn:ropa:processor:helpdesk");
    let tia = g.object_of_type(
        t,
        "dpv:hasImpactAssessment",
        "dpv:DataTransferImpactAssessment",
    );
    let refs: Vec<&str> = g
        .objects(&tia, "dpv:hasIdentifier")
        .into_iter()
        .filter_map(Term::literal)
        .collect();
    assert_eq!(refs, ["TIA-2024-07"]);

    // Adequacy: Art. 45(3), no transfer tool.
    let gb = "urn:ropa:transfer:mail-relay-gb";
    g.assert(gb, "dpv:hasLegalBasis", "eu-gdpr:A45-3");
    g.assert(gb, "dpv:hasCountry", "loc:GB");
    assert!(
        g.objects(&node(gb), "dpv:hasTechnicalOrganisationalMeasure")
            .is_empty()
    );
    g.assert(
        "urn:ropa:transfer:stratus-inc-us",
        "dpv:hasLegalBasis",
        "eu-gdpr:A45-3",
    );

    // BCR: Art. 46(2)(b), Binding Corporate Rules.
    let bcr = "urn:ropa:transfer:crm-in";
    g.assert(bcr, "dpv:hasLegalBasis", "eu-gdpr:A46-2-b");
    g.assert(
        bcr,
        "dpv:hasTechnicalOrganisationalMeasure",
        "urn:ropa:safeguard:bcr-pipeline",
    );
    g.assert(
        "urn:ropa:safeguard:bcr-pipeline",
        "rdf:type",
        "eu-gdpr:BindingCorporateRules",
    );

    // Activities point to the transfers their data goes through.
    g.assert(
        "urn:ropa:activity:customer-relationship",
        "dpv:hasProcess",
        "urn:ropa:transfer:crm-in",
    );

    // Every transfer has exactly one legal basis.
    for tr in g
        .subjects_of_type("dpv:Process")
        .into_iter()
        .filter(|s| s.starts_with("urn:ropa:transfer:"))
    {
        assert_eq!(g.objects(&node(&tr), "dpv:hasLegalBasis").len(), 1, "{tr}");
    }
}

#[test]
fn every_mechanism_maps_to_its_transfer_legal_basis() {
    let r = TempRegistry::empty();
    r.write(
        "organisation.toml",
        "name = \"Example AB\"\ncountry = \"SE\"\n",
    );
    r.write(
        "categories.toml",
        "[data_subjects.customers]\nname = \"Customers\"\n\n\
         [data_categories.contact-details]\nname = \"Contact details\"\n\n\
         [data_categories.health]\nname = \"Health data\"\nspecial = true\n\n\
         [data_categories.convictions]\nname = \"Criminal records\"\ncriminal = true\n",
    );
    r.write(
        "measures.toml",
        "[measures.encryption]\nname = \"Encryption\"\nkind = \"technical\"\n\n\
         [measures.training]\nname = \"Training\"\nkind = \"organisational\"\n\n\
         [measures.policy]\nname = \"Policy\"\n",
    );
    // (recipient id, kind, country, mechanism, safeguard kind or derogation, approved_by)
    let flows: &[(&str, &str, &str, &str, &str, bool)] = &[
        (
            "lawyers-us",
            "controller",
            "US",
            "derogation",
            "legal-claims",
            false,
        ),
        (
            "broker-ng",
            "controller",
            "NG",
            "derogation",
            "compelling-legitimate-interests",
            false,
        ),
        (
            "ministry-br",
            "public-authority",
            "BR",
            "administrative-arrangement",
            "",
            true,
        ),
        (
            "agency-th",
            "public-authority",
            "TH",
            "public-authority-instrument",
            "",
            false,
        ),
        (
            "partner-in",
            "group-company",
            "IN",
            "ad-hoc-clauses",
            "",
            true,
        ),
        ("club-au", "controller", "AU", "code-of-conduct", "", false),
        ("cert-mx", "controller", "MX", "certification", "", true),
    ];
    for (id, kind, country, mechanism, derogation, approved) in flows {
        r.write(
            &format!("recipients/{id}.toml"),
            format!("name = \"Recipient {id}\"\nkind = \"{kind}\"\ncountry = \"{country}\"\n"),
        );
        let mut t =
            format!("to = \"{id}\"\ncountry = \"{country}\"\nmechanism = \"{mechanism}\"\n");
        if *mechanism == "derogation" {
            t.push_str(&format!("derogation = \"{derogation}\"\n"));
            if *derogation == "compelling-legitimate-interests" {
                // Documented as Art. 49(1) second subparagraph and 49(6) ask.
                t.push_str(
                    "authority_informed = 2026-01-05\nsupplementary_measures = [\"encryption\"]\n",
                );
            }
        } else {
            t.push_str(&format!(
                "safeguard = \"sg-{id}\"\nsupplementary_measures = [\"encryption\"]\n"
            ));
            let mut s = format!("name = \"Safeguard {id}\"\nkind = \"{mechanism}\"\n");
            if *approved {
                s.push_str("approved_by = \"IMY\"\n");
            }
            r.write(&format!("safeguards/sg-{id}.toml"), s);
        }
        if *mechanism == "ad-hoc-clauses" {
            t.push_str(
                "\n[tia]\ncompleted = 2026-01-05\nreference = \"TIA-1\"\noutcome = \"Fine.\"\n",
            );
        }
        r.write(&format!("transfers/{id}.toml"), t);
    }
    let recipients: Vec<String> = flows.iter().map(|f| format!("\"{}\"", f.0)).collect();
    r.write(
        "activities/claims.toml",
        format!(
            "name = \"Claims\"\nstatus = \"retired\"\n\
             purposes = [\"Handle claims\", \"Defend legal claims\"]\n\
             legal_bases = [\"legitimate-interests\", \"legal-obligation\", \"vital-interests\", \"public-task\"]\n\
             legitimate_interest = \"Defending our legal position\"\n\
             legal_provisions = [\"Code of Judicial Procedure, ch. 36\"]\n\
             special_category_condition = \"explicit-consent\"\n\
             data_subjects = [\"customers\"]\n\
             data_categories = [\"contact-details\", \"health\", \"convictions\"]\n\
             recipients = [{}]\n\
             measures = [\"encryption\", \"training\", \"policy\"]\n\
             automated_decision_making = true\n\n\
             [[retention]]\nperiod = \"P2W\"\ndata_categories = [\"health\"]\n\n\
             [[retention]]\nfrom = \"end of the claim\"\n",
            recipients.join(", ")
        ),
    );
    r.write(
        "activities/hosting.toml",
        "name = \"Hosting for customers\"\nrole = \"processor\"\n\
         purposes = [\"Host customer data\"]\ncontrollers = [\"Customer One AB\"]\n\
         data_subjects = [\"customers\"]\ndata_categories = [\"contact-details\"]\n\
         measures = [\"encryption\"]\n\n[[retention]]\nperiod = \"P1Y6M\"\n",
    );
    r.write(
        "activities/events.toml",
        "name = \"Joint events\"\nrole = \"joint-controller\"\nstatus = \"planned\"\n\
         purposes = [\"Run events\"]\nlegal_bases = [\"consent\"]\n\
         data_subjects = [\"customers\"]\ndata_categories = [\"contact-details\"]\n\
         measures = [\"encryption\"]\n\n[[joint_controllers]]\nname = \"Partner Events GmbH\"\n\n\
         [[retention]]\nperiod = \"PT12H\"\n",
    );

    let (g, _, _dir) = export_file(r.path());
    g.assert_terms_confirmed();

    let basis = |id: &str, iri: &str| {
        g.assert(&format!("urn:ropa:transfer:{id}"), "dpv:hasLegalBasis", iri)
    };
    basis("lawyers-us", "eu-gdpr:A49-1-e");
    basis("broker-ng", "eu-gdpr:A49-2");
    basis("ministry-br", "eu-gdpr:A46-3-b");
    basis("agency-th", "eu-gdpr:A46-2-a");
    basis("partner-in", "eu-gdpr:A46-3-a");
    basis("club-au", "eu-gdpr:A46-2-e");
    basis("cert-mx", "eu-gdpr:A46-2-f");
    let tool = |id: &str, class: &str| {
        g.assert(
            &format!("urn:ropa:transfer:{id}"),
            "dpv:hasTechnicalOrganisationalMeasure",
            &format!("urn:ropa:safeguard:sg-{id}"),
        );
        g.assert(&format!("urn:ropa:safeguard:sg-{id}"), "rdf:type", class);
    };
    tool("partner-in", "eu-gdpr:AdHocContractualClauses");
    tool("club-au", "eu-gdpr:CodesOfConductForDataTransfers");
    tool("cert-mx", "eu-gdpr:CertificationMechanismsForDataTransfers");
    tool("ministry-br", "eu-gdpr:DataTransferTool");
    assert!(
        g.objects(
            &node("urn:ropa:transfer:lawyers-us"),
            "dpv:hasTechnicalOrganisationalMeasure"
        )
        .is_empty()
    );
    g.assert(
        "urn:ropa:transfer:lawyers-us",
        "dpv:hasThirdCountry",
        "loc:US",
    );
    g.assert(
        "urn:ropa:measure:encryption",
        "rdf:type",
        "eu-gdpr:SupplementaryMeasure",
    );
    g.assert(
        "urn:ropa:measure:policy",
        "rdf:type",
        "dpv:TechnicalOrganisationalMeasure",
    );
    g.assert(
        "urn:ropa:activity:claims",
        "dpv:hasProcess",
        "urn:ropa:transfer:lawyers-us",
    );

    // Art. 6 and Art. 9 on the activity; the legitimate interest as a justification.
    let claims = "urn:ropa:activity:claims";
    for iri in [
        "eu-gdpr:A6-1-c",
        "eu-gdpr:A6-1-d",
        "eu-gdpr:A6-1-e",
        "eu-gdpr:A6-1-f",
        "eu-gdpr:A9-2-a",
    ] {
        g.assert(claims, "dpv:hasLegalBasis", iri);
    }
    g.assert(
        "urn:ropa:activity:events",
        "dpv:hasLegalBasis",
        "eu-gdpr:A6-1-a",
    );
    g.object_of_type(claims, "dpv:hasJustification", "dpv:Justification");
    g.assert(claims, "dpv:hasActivityStatus", "dpv:ActivityHalted");
    g.assert(
        "urn:ropa:activity:events",
        "dpv:hasActivityStatus",
        "dpv:ActivityPlanned",
    );
    g.assert(claims, "dpv:hasContext", "dpv:AutomatedDecisionMaking");
    g.assert(
        "urn:ropa:data-category:health",
        "rdf:type",
        "dpv:SpecialCategoryPersonalData",
    );
    g.assert(
        "urn:ropa:data-category:convictions",
        "rdf:type",
        "pd:Criminal",
    );

    // Weeks become days (xsd:duration has no weeks); no period: indeterminate.
    let duration = |activity: &str, n: usize| -> Vec<Term> {
        g.objects(
            &node(&format!("urn:ropa:activity:{activity}:retention:{n}")),
            "dpv:hasDuration",
        )
        .into_iter()
        .cloned()
        .collect()
    };
    let xsd_duration = |v: &str| Term::Literal {
        value: v.into(),
        datatype: Some(format!("{XSD}duration")),
    };
    assert_eq!(duration("claims", 1), [xsd_duration("P14D")]);
    assert_eq!(duration("claims", 2), [node("dpv:IndeterminateDuration")]);
    assert_eq!(duration("hosting", 1), [xsd_duration("P1Y6M")]);
    assert_eq!(duration("events", 1), [xsd_duration("PT12H")]);
    g.assert(
        "urn:ropa:activity:claims:retention:1",
        "dpv:hasPersonalData",
        "urn:ropa:data-category:health",
    );

    // The processor activity's controller by name.
    let c = g.object_of_type(
        "urn:ropa:activity:hosting",
        "dpv:hasDataController",
        "dpv:DataController",
    );
    let names: Vec<&str> = g
        .objects(&c, "dpv:hasName")
        .into_iter()
        .filter_map(Term::literal)
        .collect();
    assert_eq!(names, ["Customer One AB"]);
    let jc = g.object_of_type(
        "urn:ropa:activity:events",
        "dpv:hasJointDataControllers",
        "dpv:JointDataControllers",
    );
    let members = g.objects(&jc, "dpv:hasDataController");
    assert!(members.contains(&&node("urn:ropa:organisation")));
    assert_eq!(members.len(), 2);
}

/// Contract 1.1 in DPV: the law relied on (`dpv:hasApplicableLaw`, DPV
/// having no Art. 10 basis), large scale, vulnerable data subjects, an
/// international organisation as recipient (its seat a country, never a
/// third country), addresses, the Art. 49(1) second-subparagraph basis.
#[test]
fn contract_1_1_terms() {
    let (g, _, _dir) = export_file(&fixture("exports-1-1"));
    g.assert_terms_confirmed();
    let checks = "urn:ropa:activity:background-checks";
    let law = g.object_of_type(checks, "dpv:hasApplicableLaw", "dpv:Law");
    assert_eq!(
        g.objects(&law, "rdfs:label")
            .iter()
            .filter_map(|t| t.literal())
            .collect::<Vec<_>>(),
        ["Act (2013:1134) on criminal record checks of staff in schools, § 3"]
    );
    g.assert(checks, "dpv:hasLegalBasis", "eu-gdpr:A6-1-c");
    g.assert(
        "urn:ropa:data-category:criminal-records",
        "rdf:type",
        "pd:Criminal",
    );
    let studies = "urn:ropa:activity:patient-studies";
    g.assert(
        studies,
        "dpv:hasProcessingScale",
        "dpv:LargeScaleProcessing",
    );
    assert!(g.objects(&node(studies), "dpv:hasApplicableLaw").is_empty());
    assert!(
        g.objects(&node(checks), "dpv:hasProcessingScale")
            .is_empty(),
        "not large scale"
    );
    g.assert(
        "urn:ropa:data-subject:patients",
        "rdf:type",
        "dpv:VulnerableDataSubject",
    );
    assert!(!g.is_a(
        &node("urn:ropa:data-subject:staff"),
        "dpv:VulnerableDataSubject"
    ));

    let epo = "urn:ropa:recipient:epo";
    g.assert(epo, "rdf:type", "dpv:InternationalOrganisation");
    g.assert(epo, "rdf:type", "dpv:Recipient");
    g.assert(epo, "dpv:hasCountry", "loc:DE");
    let transfer = "urn:ropa:transfer:epo";
    g.assert(transfer, "dpv:hasRecipient", epo);
    g.assert(transfer, "dpv:hasLegalBasis", "eu-gdpr:A45-3");
    assert!(g.objects(&node(transfer), "dpv:hasCountry").is_empty());
    assert!(g.objects(&node(transfer), "dpv:hasThirdCountry").is_empty());

    let forensics = "urn:ropa:transfer:forensics-us";
    g.assert(forensics, "dpv:hasLegalBasis", "eu-gdpr:A49-2");
    g.assert(forensics, "dpv:hasThirdCountry", "loc:US");
    assert!(
        g.objects(&node(forensics), "rdfs:comment")
            .iter()
            .any(|c| c.literal() == Some("Supervisory authority informed: 2026-04-02"))
    );
    assert!(
        g.objects(&node("urn:ropa:processor:cloud-eu"), "dpv:hasAddress")
            .iter()
            .any(|a| a.literal() == Some("1 Dock Road, Dublin 2, Ireland"))
    );
}

#[test]
fn the_example_registry_exports_valid_dpv() {
    let registry = manifest_dir().join("registry");
    let (g, _, _dir) = export_file(&registry);
    g.assert_terms_confirmed();

    // One dpv:Process per activity of the JSON register, each with a
    // purpose and a legal basis (all of the example's are controller ones).
    let register: serde_json::Value =
        serde_json::from_str(&export_stdout(&registry, "json")).unwrap();
    let activities: BTreeSet<String> = register["controller_record"]["activities"]
        .as_array()
        .unwrap()
        .iter()
        .chain(
            register["processor_record"]["activities"]
                .as_array()
                .unwrap(),
        )
        .map(|a| format!("urn:ropa:activity:{}", a["id"].as_str().unwrap()))
        .collect();
    assert!(!activities.is_empty());
    let processes: BTreeSet<String> = g
        .subjects_of_type("dpv:Process")
        .into_iter()
        .filter(|s| s.starts_with("urn:ropa:activity:"))
        .collect();
    assert_eq!(processes, activities);
    for a in &activities {
        assert!(
            g.objects(&node(a), "dpv:hasPurpose")
                .iter()
                .all(|p| g.is_a(p, "dpv:Purpose"))
                && !g.objects(&node(a), "dpv:hasPurpose").is_empty(),
            "{a} has no dpv:Purpose"
        );
        let bases = g.objects(&node(a), "dpv:hasLegalBasis");
        assert!(
            !bases.is_empty()
                && bases
                    .iter()
                    .all(|b| b.iri().is_some_and(|i| i.starts_with(GDPR))),
            "{a}: {bases:?}"
        );
    }

    // The example's transfers are SCCs to the US.
    let transfers = register["transfers"].as_array().unwrap();
    assert!(!transfers.is_empty());
    for t in transfers {
        let id = format!("urn:ropa:transfer:{}", t["id"].as_str().unwrap());
        assert_eq!(t["mechanism"], "scc");
        g.assert(&id, "dpv:hasLegalBasis", "eu-gdpr:A46-2-c");
        g.assert(&id, "dpv:hasThirdCountry", "loc:US");
        g.object_of_type(
            &id,
            "dpv:hasTechnicalOrganisationalMeasure",
            "eu-gdpr:StandardContractualClauses",
        );
    }
}

#[test]
fn exports_are_deterministic_and_out_matches_stdout() {
    for registry in exportable() {
        let first = export_stdout(&registry, "dpv");
        let second = export_stdout(&registry, "dpv");
        assert_eq!(first, second, "{}: two runs differ", registry.display());
        let (g, file, _dir) = export_file(&registry);
        assert_eq!(
            file,
            first,
            "{}: --out differs from stdout",
            registry.display()
        );
        assert!(first.ends_with("}\n"));
        g.assert_terms_confirmed();
    }
}

#[test]
fn a_registry_with_errors_exports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ropa.jsonld");
    let reg = fixture("broken-legal");
    let mut args = export_args(reg.to_str().unwrap(), "dpv");
    args.extend(["--out", out.to_str().unwrap()]);
    let mut c = ropa_command();
    c.current_dir(manifest_dir()).args(&args);
    let run = run_with_timeout(c, common::RUN_TIMEOUT);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        !out.exists(),
        "a file was written for a registry with errors"
    );
    assert!(run.stdout.is_empty());
}
