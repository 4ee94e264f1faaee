//! Deterministic generator of a large, *valid* `ropa` registry, for benchmarks.
//!
//! ```text
//! cargo run --release --example gen_registry -- OUT_DIR \
//!     [--activities N] [--processors N] [--transfers N]
//! ```
//!
//! Defaults: 10000 activities, 2000 processors, 5000 transfers. The output is
//! byte-for-byte identical on every run with the same arguments (fixed-seed
//! xorshift PRNG, no clock, no hash-map iteration order).
//!
//! The registry follows `registry-format.md` (contract version 1) and is meant
//! to produce zero errors with `ropa check --as-of 2026-11-01`:
//!
//! * every activity that uses a processor located outside the EEA (by
//!   `country` or `locations`, directly or through `sub_processors`,
//!   transitively) is covered by a transfer to that processor and country
//!   (rule 7). The generator computes the set of reachable (processor, non-EEA
//!   country) pairs, writes one transfer per pair, and fills up to the
//!   requested number of transfers with further valid transfers to the same
//!   pairs;
//! * `adequacy` is only used for JP, GB, CH, BR and for US processors with
//!   `dpf_certified = true`; everything else goes by `scc` (or `bcr`) with a
//!   safeguard of the right kind, a `[tia]` and supplementary measures;
//! * every processor, safeguard, measure and category is used somewhere (as
//!   long as the counts leave room for it), every processor has `dpa_signed`,
//!   every activity has `[[retention]]`, `measures` and a review that is not
//!   overdue on 2026-11-01.
//!
//! Only the standard library is used, so this file also compiles on its own:
//! `rustc --edition 2021 -O examples/gen_registry.rs -o /tmp/gen_registry`.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// ---------------------------------------------------------------------------
// Reference data
// ---------------------------------------------------------------------------

const EEA: &[&str] = &["DE", "FR", "NL", "IE", "SE"];
const NON_EEA: &[&str] = &["US", "IN", "JP", "GB", "CH", "BR"];
/// Countries with an adequacy decision without conditions (US needs DPF).
const ADEQUATE: &[&str] = &["JP", "GB", "CH", "BR"];

fn is_eea(c: &str) -> bool {
    EEA.contains(&c)
}

fn adequacy_covers(country: &str, dpf_certified: bool) -> bool {
    ADEQUATE.contains(&country) || (country == "US" && dpf_certified)
}

const DATA_SUBJECTS: &[(&str, &str)] = &[
    ("customers", "Customers"),
    ("prospects", "Prospective customers"),
    ("employees", "Employees"),
    ("job-applicants", "Job applicants"),
    ("contractors", "Freelancers and contractors"),
    ("supplier-contacts", "Contact persons at suppliers"),
    ("website-visitors", "Website visitors"),
    ("newsletter-subscribers", "Newsletter subscribers"),
    ("app-users", "Mobile app users"),
    ("students", "Course participants"),
    ("shareholders", "Shareholders"),
    ("event-attendees", "Event attendees"),
    ("support-requesters", "People contacting support"),
    ("business-partners", "Contact persons at business partners"),
    ("former-employees", "Former employees"),
    ("interns", "Interns and working students"),
    ("site-visitors", "Visitors to our premises"),
    ("trial-users", "Trial account users"),
    ("family-members", "Family members of employees"),
    ("journalists", "Press contacts"),
];

/// (id, name, special)
const DATA_CATEGORIES: &[(&str, &str, bool)] = &[
    ("contact-details", "Contact details", false),
    ("identification-data", "Identification data", false),
    ("account-credentials", "Account credentials", false),
    ("billing-address", "Billing address", false),
    ("bank-details", "Bank details", false),
    ("payment-card-data", "Payment card data", false),
    ("purchase-history", "Purchase history", false),
    ("usage-data", "Product usage data", false),
    ("device-identifiers", "Device identifiers", false),
    ("ip-addresses", "IP addresses", false),
    ("cookie-identifiers", "Cookie identifiers", false),
    ("location-data", "Location data", false),
    ("communication-content", "Content of communications", false),
    ("support-tickets", "Support tickets", false),
    ("call-recordings", "Call recordings", false),
    ("cv-data", "CV and application documents", false),
    ("employment-history", "Employment history", false),
    ("salary-data", "Salary data", false),
    ("tax-identifiers", "Tax identifiers", false),
    ("social-security-number", "Social security number", false),
    ("performance-reviews", "Performance reviews", false),
    ("training-records", "Training records", false),
    ("attendance-records", "Attendance records", false),
    ("photos", "Photographs", false),
    ("cctv-footage", "CCTV footage", false),
    ("vehicle-data", "Vehicle data", false),
    ("travel-data", "Travel data", false),
    ("marketing-preferences", "Marketing preferences", false),
    ("survey-responses", "Survey responses", false),
    ("social-media-profiles", "Social media profiles", false),
    ("contract-data", "Contract data", false),
    ("order-data", "Order data", false),
    ("shipping-address", "Shipping address", false),
    ("date-of-birth", "Date of birth", false),
    ("gender", "Gender", false),
    ("language-preferences", "Language preferences", false),
    ("family-details", "Family details", false),
    ("emergency-contacts", "Emergency contacts", false),
    ("education-records", "Education records", false),
    ("login-history", "Login history", false),
    ("access-logs", "Access logs", false),
    ("consent-records", "Consent records", false),
    ("complaint-records", "Complaint records", false),
    ("credit-scores", "Credit scores", false),
    ("insurance-data", "Insurance data", false),
    ("health-data", "Health data", true),
    ("biometric-data", "Biometric data", true),
    ("genetic-data", "Genetic data", true),
    ("religious-beliefs", "Religious beliefs", true),
    ("trade-union-membership", "Trade union membership", true),
];

/// (id, name, technical?)  Technical measures come first.
const MEASURES: &[(&str, &str, bool)] = &[
    ("encryption-at-rest", "Encryption at rest", true),
    ("encryption-in-transit", "Encryption in transit", true),
    ("pseudonymisation", "Pseudonymisation", true),
    ("multi-factor-auth", "Multi-factor authentication", true),
    ("role-based-access", "Role-based access control", true),
    ("access-logging", "Access logging", true),
    ("backups", "Encrypted backups", true),
    ("disaster-recovery", "Disaster recovery", true),
    ("vulnerability-scanning", "Vulnerability scanning", true),
    ("penetration-testing", "Penetration testing", true),
    ("endpoint-protection", "Endpoint protection", true),
    ("network-segmentation", "Network segmentation", true),
    ("key-management", "Key management", true),
    ("automated-deletion", "Automated deletion", true),
    ("intrusion-detection", "Intrusion detection", true),
    ("secure-development", "Secure development lifecycle", true),
    ("data-loss-prevention", "Data loss prevention", true),
    ("customer-managed-keys", "Customer-managed keys", true),
    ("staff-training", "Staff training", false),
    (
        "confidentiality-agreements",
        "Confidentiality agreements",
        false,
    ),
    ("need-to-know", "Need-to-know policy", false),
    ("incident-response-plan", "Incident response plan", false),
    ("vendor-assessment", "Vendor assessment", false),
    ("clean-desk-policy", "Clean desk policy", false),
    (
        "privacy-by-design-review",
        "Privacy by design review",
        false,
    ),
    ("access-review", "Quarterly access review", false),
    ("retention-policy", "Retention policy", false),
    ("physical-access-control", "Physical access control", false),
    ("background-checks", "Background checks", false),
    ("audit-programme", "Internal audit programme", false),
];

const PURPOSES: &[&str] = &[
    "Payroll and salary payments",
    "Recruiting new staff",
    "Managing employment contracts",
    "Time and attendance tracking",
    "Providing the Service",
    "Billing and invoicing",
    "Customer support",
    "Sending the newsletter",
    "Direct marketing",
    "Product analytics",
    "Fraud prevention",
    "IT security monitoring",
    "Backup and recovery",
    "Accounting and tax compliance",
    "Handling data subject requests",
    "Organising events",
    "Training and education",
    "Supplier management",
    "Contract management",
    "Website operation",
    "Quality assurance of calls",
    "Travel management",
    "Fleet management",
    "Access control to premises",
    "Occupational health",
    "Customer satisfaction surveys",
    "Debt collection",
    "Shareholder communication",
    "Press relations",
    "Research and product development",
];

const LEGAL_BASES: &[&str] = &[
    "consent",
    "contract",
    "legal-obligation",
    "vital-interests",
    "public-task",
    "legitimate-interests",
];

const LEGITIMATE_INTERESTS: &[&str] = &[
    "Keeping our systems and customer data secure",
    "Improving our products based on aggregated usage",
    "Informing existing customers about similar products",
    "Preventing and detecting fraud",
    "Efficient internal administration",
];

const DEPARTMENTS: &[(&str, &str)] = &[
    ("hr", "Human Resources"),
    ("finance", "Finance"),
    ("sales", "Sales"),
    ("marketing", "Marketing"),
    ("support", "Customer Support"),
    ("it/operations", "IT Operations"),
    ("it/security", "IT Security"),
    ("legal", "Legal"),
    ("research", "Research and Development"),
    ("procurement", "Procurement"),
    ("facilities", "Facilities"),
];

const SYSTEMS: &[&str] = &[
    "SAP SuccessFactors",
    "Salesforce",
    "HubSpot",
    "Zendesk",
    "Jira",
    "Confluence",
    "Microsoft 365",
    "Google Workspace",
    "Workday",
    "DATEV",
    "Personio",
    "Snowflake",
    "PostgreSQL (internal)",
];

const SOURCES: &[&str] = &[
    "The data subject",
    "Public registers",
    "Our website forms",
    "Business partners",
    "Recruiting agencies",
    "Credit agencies",
];

const RETENTION_FROM: &[&str] = &[
    "end of contract",
    "end of employment",
    "collection",
    "last contact",
    "end of the financial year",
    "withdrawal of consent",
];

const PERIODS: &[&str] = &["P30D", "P90D", "P6M", "P1Y", "P2Y", "P3Y", "P6Y", "P10Y"];

const SERVICES: &[&str] = &[
    "Cloud hosting",
    "E-mail delivery",
    "Payroll services",
    "Customer relationship management",
    "Helpdesk software",
    "Payment processing",
    "Web analytics",
    "Video conferencing",
    "Document storage",
    "Applicant tracking",
    "Translation services",
    "Call centre",
    "Printing and mailing",
    "Log management",
    "Content delivery network",
    "Backup storage",
    "Identity management",
    "Survey tool",
    "Event registration",
    "Accounting software",
];

const NAME_PREFIX: &[&str] = &[
    "Nordlicht",
    "Alpen",
    "Blue",
    "Cedar",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Polar",
    "Quartz",
    "Rhine",
    "Sakura",
    "Tundra",
    "Umbra",
    "Vega",
    "Willow",
    "Zephyr",
];

const NAME_SUFFIX: &[&str] = &[
    "Cloud",
    "Data",
    "Systems",
    "Software",
    "Networks",
    "Analytics",
    "Services",
    "Labs",
    "Solutions",
    "Digital",
];

const CERTIFICATIONS: &[&str] = &["ISO 27001", "SOC 2 Type II", "ISO 27701", "C5", "TISAX"];

fn legal_form(country: &str) -> &'static str {
    match country {
        "DE" => "GmbH",
        "FR" => "SAS",
        "NL" => "B.V.",
        "IE" => "Ltd",
        "SE" => "AB",
        "US" => "Inc.",
        "IN" => "Pvt. Ltd.",
        "JP" => "K.K.",
        "GB" => "Ltd",
        "CH" => "AG",
        "BR" => "Ltda.",
        _ => "Ltd",
    }
}

// ---------------------------------------------------------------------------
// PRNG (xorshift64*)
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // Mix the seed so that small seeds still give well-spread sequences.
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        for _ in 0..4 {
            r.next_u64();
        }
        r
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        (self.next_u64() >> 11) % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Between `lo` and `hi` (inclusive) distinct values from `0..n`.
    fn some(&mut self, n: usize, lo: usize, hi: usize) -> Vec<usize> {
        let k = self.range(lo, hi);
        self.distinct(n, k)
    }

    /// Up to `k` distinct values from `0..n`, in draw order.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let k = k.min(n);
        let mut out = Vec::with_capacity(k);
        while out.len() < k {
            let v = self.below(n);
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// TOML helpers
// ---------------------------------------------------------------------------

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML multi-line basic string (for Markdown descriptions).
fn ml(s: &str) -> String {
    let mut out = String::from("\"\"\"\n");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push_str("\"\"\"");
    out
}

fn arr<S: AsRef<str>>(items: &[S]) -> String {
    let parts: Vec<String> = items.iter().map(|s| q(s.as_ref())).collect();
    format!("[{}]", parts.join(", "))
}

// ---------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------

struct Processor {
    id: String,
    group: usize,
    name: String,
    service: &'static str,
    country: &'static str,
    /// Empty means "not written" (defaults to `[country]`).
    locations: Vec<&'static str>,
    dpf_certified: bool,
    dpa_signed: String,
    sub_processors: Vec<usize>,
    certifications: Vec<&'static str>,
    website: Option<String>,
    description: Option<String>,
}

impl Processor {
    /// Non-EEA countries where this processor is located (`country` and
    /// `locations`), without duplicates, country first.
    fn non_eea(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for c in std::iter::once(self.country).chain(self.locations.iter().copied()) {
            if !is_eea(c) && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

struct Activity {
    id: String,
    dir: &'static str,
    dept_name: &'static str,
    name: String,
    description: String,
    status: Option<&'static str>,
    purposes: Vec<&'static str>,
    legal_bases: Vec<&'static str>,
    legitimate_interest: Option<&'static str>,
    data_subjects: Vec<usize>,
    data_categories: Vec<usize>,
    special: bool,
    sources: Vec<&'static str>,
    processors: Vec<usize>,
    measures: Vec<usize>,
    systems: Vec<&'static str>,
    retention: Vec<(&'static str, &'static str, Vec<usize>)>,
    dpia: bool,
    last_reviewed: String,
    transfers: Vec<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum Mechanism {
    Adequacy,
    Scc,
    Bcr,
}

struct Transfer {
    to: usize,
    country: &'static str,
    via: Option<usize>,
    mechanism: Mechanism,
    safeguard: Option<String>,
    supplementary: Vec<usize>,
    data_categories: Vec<usize>,
    description: String,
}

pub struct Config {
    pub out: PathBuf,
    pub activities: usize,
    pub processors: usize,
    pub transfers: usize,
}

const SCC_SAFEGUARDS: usize = 5;
const BCR_ID: &str = "bcr-group";

fn scc_id(i: usize) -> String {
    format!("scc-{:02}", i + 1)
}

fn width(n: usize) -> usize {
    n.to_string().len().max(5)
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

const USAGE: &str = "usage: gen_registry OUT_DIR [--activities N] [--processors N] [--transfers N]";

fn parse_args() -> Result<Option<Config>, String> {
    let mut out = None;
    let mut cfg = Config {
        out: PathBuf::new(),
        activities: 10_000,
        processors: 2_000,
        transfers: 5_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--activities" | "--processors" | "--transfers" => {
                let value = match inline {
                    Some(v) => v,
                    None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
                };
                let n: usize = value
                    .parse()
                    .map_err(|_| format!("{flag}: `{value}` is not a non-negative integer"))?;
                match flag.as_str() {
                    "--activities" => cfg.activities = n,
                    "--processors" => cfg.processors = n,
                    _ => cfg.transfers = n,
                }
            }
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option `{s}`")),
            _ => {
                if out.is_some() {
                    return Err(format!("unexpected argument `{arg}`"));
                }
                out = Some(PathBuf::from(arg));
            }
        }
    }
    cfg.out = out.ok_or_else(|| "missing OUT_DIR".to_string())?;
    Ok(Some(cfg))
}

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

fn gen_processors(n: usize, pair_budget: usize) -> Vec<Processor> {
    let mut rng = Rng::new(0x5052_4F43); // "PROC"
    let mut used_pairs = 0usize;
    let mut procs = Vec::with_capacity(n);
    let w = width(n);
    for i in 0..n {
        let roll = rng.below(100);
        let mut dpf = false;
        let (mut country, mut locations): (&'static str, Vec<&'static str>) = if roll < 45 {
            // EEA only.
            let c = *rng.pick(EEA);
            let locs = if rng.chance(50) {
                Vec::new()
            } else {
                let mut l = vec![c];
                let k = rng.range(1, 2);
                for j in rng.distinct(EEA.len(), k) {
                    if !l.contains(&EEA[j]) {
                        l.push(EEA[j]);
                    }
                }
                l
            };
            (c, locs)
        } else if roll < 65 {
            // US company.
            dpf = rng.chance(60);
            let locs = match rng.below(10) {
                0..=3 => Vec::new(),
                4..=6 => vec!["US", "IE"],
                7 | 8 => vec!["US", "DE", "IN"],
                // EU data residency: still located in the US by `country`.
                _ => vec!["IE", "DE"],
            };
            ("US", locs)
        } else {
            // Anything: an EEA or non-EEA company with mixed locations.
            let c = if rng.chance(50) {
                *rng.pick(EEA)
            } else {
                NON_EEA[1 + rng.below(NON_EEA.len() - 1)]
            };
            let mut l = vec![c];
            let all: Vec<&'static str> = EEA.iter().chain(NON_EEA.iter()).copied().collect();
            let k = rng.range(1, 3);
            for j in rng.distinct(all.len(), k) {
                if !l.contains(&all[j]) {
                    l.push(all[j]);
                }
            }
            (c, l)
        };
        let mut p = Processor {
            id: format!("p-{:0w$}", i + 1),
            group: i / 100 + 1,
            name: String::new(),
            service: SERVICES[rng.below(SERVICES.len())],
            country,
            locations: locations.clone(),
            dpf_certified: dpf,
            dpa_signed: format!("20{:02}-{:02}-15", 21 + rng.below(5), 1 + rng.below(12)),
            sub_processors: Vec::new(),
            certifications: Vec::new(),
            website: None,
            description: None,
        };
        let pairs = p.non_eea().len();
        if used_pairs + pairs > pair_budget {
            // Not enough transfers left to cover this one: keep it in the EEA.
            country = *rng.pick(EEA);
            locations = Vec::new();
            p.country = country;
            p.locations = locations;
            p.dpf_certified = false;
        } else {
            used_pairs += pairs;
        }
        p.name = format!(
            "{} {} {}",
            rng.pick(NAME_PREFIX),
            rng.pick(NAME_SUFFIX),
            legal_form(p.country)
        );
        if i % 7 == 0 {
            p.dpa_signed = "2025-01-15".to_string();
        }
        if rng.chance(40) {
            p.certifications = rng
                .some(CERTIFICATIONS.len(), 1, 3)
                .into_iter()
                .map(|j| CERTIFICATIONS[j])
                .collect();
        }
        if rng.chance(50) {
            p.website = Some(format!("https://{}.example", p.id));
        }
        if rng.chance(20) {
            p.description = Some(format!(
                "Provides *{}* for several departments. Contract owner: **Procurement**.",
                p.service.to_lowercase()
            ));
        }
        procs.push(p);
    }

    // Sub-processors: only to processors with a higher number (acyclic).
    let mut subs: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for i in 0..n {
        // A deliberate chain of four: i -> i+1 -> i+2 -> i+3.
        if i % 50 == 0 && i + 3 < n {
            subs[i].insert(i + 1);
            subs[i + 1].insert(i + 2);
            subs[i + 2].insert(i + 3);
        }
        if i + 1 < n && rng.chance(25) {
            let hi = (i + 40).min(n - 1);
            let span = hi - i;
            for j in rng.some(span, 1, 3) {
                subs[i].insert(i + 1 + j);
            }
        }
    }
    for (p, s) in procs.iter_mut().zip(subs) {
        p.sub_processors = s.into_iter().collect();
    }
    procs
}

fn gen_activities(n: usize, nproc: usize) -> Vec<Activity> {
    let mut rng = Rng::new(0x4143_5449); // "ACTI"
    let w = width(n);
    let ns = DATA_SUBJECTS.len();
    let nc = DATA_CATEGORIES.len();
    let nm = MEASURES.len();
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let (dir, dept_name) = DEPARTMENTS[k % DEPARTMENTS.len()];
        let mut purposes: Vec<&'static str> = Vec::new();
        for j in rng.some(PURPOSES.len(), 1, 3) {
            purposes.push(PURPOSES[j]);
        }

        let mut legal_bases: Vec<&'static str> = Vec::new();
        for j in rng.some(LEGAL_BASES.len(), 1, 2) {
            legal_bases.push(LEGAL_BASES[j]);
        }
        let legitimate_interest = if legal_bases.contains(&"legitimate-interests") {
            Some(*rng.pick(LEGITIMATE_INTERESTS))
        } else {
            None
        };

        // Round-robin first pick so that every category is used.
        let mut data_subjects = vec![k % ns];
        for j in rng.some(ns, 0, 2) {
            if !data_subjects.contains(&j) {
                data_subjects.push(j);
            }
        }
        let mut data_categories = vec![k % nc];
        for j in rng.some(nc, 1, 5) {
            // Special categories only via the round-robin pick, so ~10% have them.
            if !data_categories.contains(&j) && !DATA_CATEGORIES[j].2 {
                data_categories.push(j);
            }
        }
        let special = data_categories.iter().any(|&c| DATA_CATEGORIES[c].2);

        let mut processors = Vec::new();
        if nproc > 0 {
            processors.push(k % nproc);
            for j in rng.some(nproc, 0, 3) {
                if !processors.contains(&j) {
                    processors.push(j);
                }
            }
        }

        let mut measures = vec![k % nm];
        for j in rng.some(nm, 1, 4) {
            if !measures.contains(&j) {
                measures.push(j);
            }
        }

        let systems: Vec<&'static str> = rng
            .some(SYSTEMS.len(), 0, 2)
            .into_iter()
            .map(|j| SYSTEMS[j])
            .collect();
        let sources: Vec<&'static str> = if rng.chance(50) {
            rng.some(SOURCES.len(), 1, 2)
                .into_iter()
                .map(|j| SOURCES[j])
                .collect()
        } else {
            Vec::new()
        };

        let mut retention = vec![("P2Y", "end of contract", Vec::new())];
        if data_categories.len() > 1 && rng.chance(30) {
            retention.push((
                *rng.pick(PERIODS),
                *rng.pick(RETENTION_FROM),
                vec![data_categories[1]],
            ));
        }

        let status = match rng.below(20) {
            0 => Some("planned"),
            1..=3 => Some("active"),
            _ => None,
        };
        let dpia = special || rng.chance(5);
        let last_reviewed = if k % 3 == 0 {
            "2026-06-01".to_string()
        } else {
            format!("2026-{:02}-{:02}", 1 + rng.below(10), 1 + rng.below(28))
        };

        let purpose = purposes[0];
        let subject = DATA_SUBJECTS[data_subjects[0]].1.to_lowercase();
        let mut description = format!(
            "{dept_name} processes data about **{subject}** for *{}*.\n\n\
             The data is handled as described in the `{}` runbook; questions go to the \
             [privacy team](mailto:privacy@example.com).",
            purpose.to_lowercase(),
            dir.replace('/', "-")
        );
        if k % 50 == 0 {
            description.push_str(
                "\n\n| System | Hosting | Owner |\n|---|---|---|\n| CRM | EU | Sales |\n| Data warehouse | EU | IT |\n",
            );
        }

        out.push(Activity {
            id: format!("a-{:0w$}", k + 1),
            dir,
            dept_name,
            name: format!("{purpose} ({dept_name}) {}", k + 1),
            description,
            status,
            purposes,
            legal_bases,
            legitimate_interest,
            data_subjects,
            data_categories,
            special,
            sources,
            processors,
            measures,
            systems,
            retention,
            dpia,
            last_reviewed,
            transfers: Vec::new(),
        });
    }
    out
}

struct TransferPlan {
    transfers: Vec<Transfer>,
    coverage_pairs: usize,
    reachable: usize,
}

/// (processor index, country) → position in the transfer plan.
type PairIndex = HashMap<(usize, &'static str), usize>;

fn plan_transfers(
    procs: &[Processor],
    acts: &[Activity],
    requested: usize,
) -> Result<(TransferPlan, PairIndex), String> {
    let n = procs.len();
    // Reachable processors: used by an activity, or a sub-processor of one,
    // transitively. Sub-processor edges always point to higher numbers, so a
    // single ascending pass computes the closure.
    let mut reach = vec![false; n];
    for a in acts {
        for &p in &a.processors {
            reach[p] = true;
        }
    }
    let mut parent: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        if reach[i] {
            for &s in &procs[i].sub_processors {
                debug_assert!(s > i);
                reach[s] = true;
                if parent[s].is_none() {
                    parent[s] = Some(i);
                }
            }
        }
    }

    let mut pairs: Vec<(usize, &'static str)> = Vec::new();
    for (i, p) in procs.iter().enumerate() {
        if reach[i] {
            for c in p.non_eea() {
                pairs.push((i, c));
            }
        }
    }
    if pairs.len() > requested {
        return Err(format!(
            "{} (processor, non-EEA country) pairs need coverage but only {} transfers were requested",
            pairs.len(),
            requested
        ));
    }

    let mut rng = Rng::new(0x5452_414E); // "TRAN"
    let technical: Vec<usize> = (0..MEASURES.len()).filter(|&m| MEASURES[m].2).collect();
    let plain_categories: Vec<usize> = (0..DATA_CATEGORIES.len())
        .filter(|&c| !DATA_CATEGORIES[c].2)
        .collect();
    let mut non_adequate_count = 0usize;
    let mut scc_count = 0usize;
    let mut transfers = Vec::with_capacity(requested);
    let mut cover: HashMap<(usize, &'static str), usize> = HashMap::new();

    let mut make =
        |to: usize, country: &'static str, prefer_scc: bool, rng: &mut Rng| -> Transfer {
            let p = &procs[to];
            let mechanism = if adequacy_covers(country, p.dpf_certified) {
                if prefer_scc {
                    Mechanism::Scc
                } else {
                    Mechanism::Adequacy
                }
            } else {
                // Every tenth transfer to a non-adequate country (the first one
                // included) relies on the group's BCR, the rest on SCCs.
                non_adequate_count += 1;
                if non_adequate_count % 10 == 1 {
                    Mechanism::Bcr
                } else {
                    Mechanism::Scc
                }
            };
            let safeguard = match mechanism {
                Mechanism::Adequacy => None,
                Mechanism::Bcr => Some(BCR_ID.to_string()),
                Mechanism::Scc => {
                    scc_count += 1;
                    Some(scc_id((scc_count - 1) % SCC_SAFEGUARDS))
                }
            };
            let supplementary = if mechanism == Mechanism::Adequacy {
                Vec::new()
            } else {
                rng.some(technical.len(), 1, 3)
                    .into_iter()
                    .map(|j| technical[j])
                    .collect()
            };
            let data_categories = if rng.chance(30) {
                rng.some(plain_categories.len(), 1, 2)
                    .into_iter()
                    .map(|j| plain_categories[j])
                    .collect()
            } else {
                Vec::new()
            };
            let via = if rng.chance(60) { parent[to] } else { None };
            let description = match mechanism {
                Mechanism::Adequacy => format!(
                    "{} ({}) receives data in **{}** under an adequacy decision.",
                    p.name, p.service, country
                ),
                _ => format!(
                    "{} ({}) accesses data from **{}**; see the transfer impact assessment.",
                    p.name, p.service, country
                ),
            };
            Transfer {
                to,
                country,
                via,
                mechanism,
                safeguard,
                supplementary,
                data_categories,
                description,
            }
        };

    for &(to, country) in &pairs {
        cover.insert((to, country), transfers.len());
        let t = make(to, country, false, &mut rng);
        transfers.push(t);
    }
    let coverage_pairs = transfers.len();
    // Fill up to the requested count with further valid transfers to the same
    // pairs (e.g. a second instrument for another data flow). Adequate pairs
    // get an SCC-based duplicate, which is valid too.
    let mut f = 0usize;
    while transfers.len() < requested {
        let (to, country) = if pairs.is_empty() {
            if procs.is_empty() {
                return Err("transfers requested but there are no processors".to_string());
            }
            (f % procs.len(), "US")
        } else {
            pairs[(f * 7919) % pairs.len()]
        };
        let t = make(to, country, f.is_multiple_of(2), &mut rng);
        transfers.push(t);
        f += 1;
    }
    let reachable = reach.iter().filter(|&&r| r).count();
    Ok((
        TransferPlan {
            transfers,
            coverage_pairs,
            reachable,
        },
        cover,
    ))
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

fn write_file(root: &Path, rel: &str, content: &str) -> Result<(), String> {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::write(&path, content).map_err(|e| format!("{}: {e}", path.display()))
}

fn render_organisation() -> String {
    let mut s = String::new();
    s.push_str("# Generated by examples/gen_registry.rs\n");
    s.push_str("name = \"Benchmark Example GmbH\"\n");
    s.push_str("trading_name = \"BenchCo\"\n");
    s.push_str("registration = \"HRB 123456, Amtsgericht München\"\n");
    s.push_str("address = \"Beispielstraße 1, 80331 München\"\n");
    s.push_str("email = \"privacy@example.com\"\n");
    s.push_str("website = \"https://www.example.com\"\n");
    s.push_str("country = \"DE\"\n");
    s.push_str("supervisory_authority = \"Bayerisches Landesamt für Datenschutzaufsicht\"\n\n");
    s.push_str("[dpo]\nname = \"Erika Mustermann\"\nemail = \"dpo@example.com\"\n\n");
    s.push_str("[site]\ntitle = \"Record of Processing Activities\"\nlanguage = \"en\"\n");
    s
}

fn render_categories() -> String {
    let mut s = String::from("# Generated by examples/gen_registry.rs\n");
    for (id, name) in DATA_SUBJECTS {
        let _ = writeln!(s, "\n[data_subjects.{id}]\nname = {}", q(name));
        let _ = writeln!(
            s,
            "description = {}",
            q(&format!("{name} of Benchmark Example GmbH."))
        );
    }
    for (id, name, special) in DATA_CATEGORIES {
        let _ = writeln!(s, "\n[data_categories.{id}]\nname = {}", q(name));
        if *special {
            s.push_str("description = \"Art. 9(1) **special category** data.\"\nspecial = true\n");
        }
    }
    s
}

fn render_measures() -> String {
    let mut s = String::from("# Generated by examples/gen_registry.rs\n");
    for (id, name, technical) in MEASURES {
        let _ = writeln!(s, "\n[measures.{id}]\nname = {}", q(name));
        let _ = writeln!(
            s,
            "description = {}",
            q(&format!("{name}, applied company-wide."))
        );
        let kind = if *technical {
            "technical"
        } else {
            "organisational"
        };
        let _ = writeln!(s, "kind = \"{kind}\"");
    }
    s
}

fn render_safeguards(root: &Path) -> Result<usize, String> {
    for i in 0..SCC_SAFEGUARDS {
        let id = scc_id(i);
        let s = format!(
            "name = \"Standard contractual clauses, vendor batch {}\"\n\
             kind = \"scc\"\n\
             scc_version = \"2021/914\"\n\
             scc_modules = [2]\n\
             signed = 2025-0{}-10\n\
             parties = [\"Benchmark Example GmbH\", \"Vendors of batch {}\"]\n\
             document = \"contracts/scc/{id}.pdf\"\n\
             description = \"Module 2 (controller to processor) clauses.\"\n",
            i + 1,
            i + 1,
            i + 1
        );
        write_file(root, &format!("safeguards/{id}.toml"), &s)?;
    }
    let s = "name = \"Binding corporate rules of the Example group\"\n\
             kind = \"bcr\"\n\
             approved_by = \"Bayerisches Landesamt für Datenschutzaufsicht\"\n\
             signed = 2024-03-01\n\
             document = \"contracts/bcr/approval.pdf\"\n";
    write_file(root, &format!("safeguards/{BCR_ID}.toml"), s)?;
    Ok(SCC_SAFEGUARDS + 1)
}

fn render_processor(p: &Processor, procs: &[Processor]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "name = {}", q(&p.name));
    let _ = writeln!(s, "service = {}", q(p.service));
    let _ = writeln!(s, "country = \"{}\"", p.country);
    if !p.locations.is_empty() {
        let _ = writeln!(s, "locations = {}", arr(&p.locations));
    }
    if let Some(w) = &p.website {
        let _ = writeln!(s, "website = {}", q(w));
    }
    if let Some(d) = &p.description {
        let _ = writeln!(s, "description = {}", q(d));
    }
    let _ = writeln!(s, "dpa_signed = {}", p.dpa_signed);
    let _ = writeln!(
        s,
        "dpa_reference = {}",
        q(&format!("contracts/dpa/{}.pdf", p.id))
    );
    if p.dpf_certified {
        s.push_str("dpf_certified = true\n");
    }
    if !p.certifications.is_empty() {
        let _ = writeln!(s, "certifications = {}", arr(&p.certifications));
    }
    if !p.sub_processors.is_empty() {
        let ids: Vec<&str> = p
            .sub_processors
            .iter()
            .map(|&j| procs[j].id.as_str())
            .collect();
        let _ = writeln!(s, "sub_processors = {}", arr(&ids));
    }
    s
}

fn render_transfer(t: &Transfer, procs: &[Processor]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "to = {}", q(&procs[t.to].id));
    let _ = writeln!(s, "country = \"{}\"", t.country);
    if let Some(v) = t.via {
        let _ = writeln!(s, "via = {}", q(&procs[v].id));
    }
    let mech = match t.mechanism {
        Mechanism::Adequacy => "adequacy",
        Mechanism::Scc => "scc",
        Mechanism::Bcr => "bcr",
    };
    let _ = writeln!(s, "mechanism = \"{mech}\"");
    if let Some(sg) = &t.safeguard {
        let _ = writeln!(s, "safeguard = {}", q(sg));
    }
    if !t.data_categories.is_empty() {
        let ids: Vec<&str> = t
            .data_categories
            .iter()
            .map(|&c| DATA_CATEGORIES[c].0)
            .collect();
        let _ = writeln!(s, "data_categories = {}", arr(&ids));
    }
    if !t.supplementary.is_empty() {
        let ids: Vec<&str> = t.supplementary.iter().map(|&m| MEASURES[m].0).collect();
        let _ = writeln!(s, "supplementary_measures = {}", arr(&ids));
    }
    let _ = writeln!(s, "description = {}", q(&t.description));
    if t.mechanism != Mechanism::Adequacy {
        s.push_str("\n[tia]\ncompleted = 2025-02-01\n");
        s.push_str("reference = \"TIA register, Legal\"\n");
    }
    s
}

fn render_activity(a: &Activity, procs: &[Processor], transfer_ids: &[String]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "name = {}", q(&a.name));
    let _ = writeln!(s, "description = {}", ml(&a.description));
    if let Some(st) = a.status {
        let _ = writeln!(s, "status = \"{st}\"");
    }
    let _ = writeln!(s, "owner = {}", q(a.dept_name));
    let _ = writeln!(s, "purposes = {}", arr(&a.purposes));
    let _ = writeln!(s, "legal_bases = {}", arr(&a.legal_bases));
    // Those bases rest on a law the record names (Art. 6(3)); no random draw,
    // so the rest of the registry is the same as before.
    if a.legal_bases
        .iter()
        .any(|b| matches!(*b, "legal-obligation" | "public-task"))
    {
        s.push_str("legal_provisions = [\"Accounting Act, ch. 4\"]\n");
    }
    if let Some(li) = a.legitimate_interest {
        let _ = writeln!(s, "legitimate_interest = {}", q(li));
    }
    if a.special {
        s.push_str("special_category_condition = \"explicit-consent\"\n");
    }
    let ds: Vec<&str> = a
        .data_subjects
        .iter()
        .map(|&i| DATA_SUBJECTS[i].0)
        .collect();
    let _ = writeln!(s, "data_subjects = {}", arr(&ds));
    let dc: Vec<&str> = a
        .data_categories
        .iter()
        .map(|&i| DATA_CATEGORIES[i].0)
        .collect();
    let _ = writeln!(s, "data_categories = {}", arr(&dc));
    if !a.sources.is_empty() {
        let _ = writeln!(s, "sources = {}", arr(&a.sources));
    }
    if !a.processors.is_empty() {
        let ps: Vec<&str> = a.processors.iter().map(|&i| procs[i].id.as_str()).collect();
        let _ = writeln!(s, "processors = {}", arr(&ps));
    }
    if !a.transfers.is_empty() {
        let ts: Vec<&str> = a
            .transfers
            .iter()
            .map(|&i| transfer_ids[i].as_str())
            .collect();
        let _ = writeln!(s, "transfers = {}", arr(&ts));
    }
    let ms: Vec<&str> = a.measures.iter().map(|&i| MEASURES[i].0).collect();
    let _ = writeln!(s, "measures = {}", arr(&ms));
    if !a.systems.is_empty() {
        let _ = writeln!(s, "systems = {}", arr(&a.systems));
    }
    for (period, from, cats) in &a.retention {
        let _ = write!(
            s,
            "\n[[retention]]\nperiod = \"{period}\"\nfrom = {}\n",
            q(from)
        );
        if !cats.is_empty() {
            let ids: Vec<&str> = cats.iter().map(|&i| DATA_CATEGORIES[i].0).collect();
            let _ = writeln!(s, "data_categories = {}", arr(&ids));
            s.push_str("note = \"Separate period for this category.\"\n");
        }
    }
    if a.dpia {
        let _ = write!(
            s,
            "\n[dpia]\nrequired = true\ncompleted = 2025-09-30\nreference = {}\n",
            q(&format!("DPIA-{}", a.id))
        );
    }
    let _ = write!(s, "\n[review]\nlast_reviewed = {}\n", a.last_reviewed);
    s
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

pub fn run(cfg: &Config) -> Result<(), String> {
    let root = &cfg.out;
    let procs = gen_processors(cfg.processors, cfg.transfers * 7 / 10);
    let mut acts = gen_activities(cfg.activities, cfg.processors);
    let (plan, cover) = plan_transfers(&procs, &acts, cfg.transfers)?;

    let tw = width(cfg.transfers);
    let transfer_ids: Vec<String> = (0..plan.transfers.len())
        .map(|i| format!("t-{:0tw$}", i + 1))
        .collect();

    // Some activities also list the transfers that cover their processors
    // (coverage does not depend on it, but the field should be exercised).
    for (k, a) in acts.iter_mut().enumerate() {
        if k % 4 != 0 {
            continue;
        }
        let mut ts = BTreeSet::new();
        for &p in &a.processors {
            for c in procs[p].non_eea() {
                if let Some(&t) = cover.get(&(p, c)) {
                    ts.insert(t);
                }
            }
        }
        a.transfers = ts.into_iter().collect();
    }

    fs::create_dir_all(root).map_err(|e| format!("{}: {e}", root.display()))?;
    write_file(root, "organisation.toml", &render_organisation())?;
    write_file(root, "categories.toml", &render_categories())?;
    write_file(root, "measures.toml", &render_measures())?;
    let nsafeguards = render_safeguards(root)?;

    let gw = (cfg.processors / 100 + 1).to_string().len().max(2);
    for p in &procs {
        let rel = format!("processors/group-{:0gw$}/{}.toml", p.group, p.id);
        write_file(root, &rel, &render_processor(p, &procs))?;
    }
    for (t, id) in plan.transfers.iter().zip(&transfer_ids) {
        write_file(
            root,
            &format!("transfers/{id}.toml"),
            &render_transfer(t, &procs),
        )?;
    }
    for a in &acts {
        let rel = format!("activities/{}/{}.toml", a.dir, a.id);
        write_file(root, &rel, &render_activity(a, &procs, &transfer_ids))?;
    }

    let non_eea_procs = procs.iter().filter(|p| !p.non_eea().is_empty()).count();
    let with_subs = procs
        .iter()
        .filter(|p| !p.sub_processors.is_empty())
        .count();
    let count = |m: Mechanism| plan.transfers.iter().filter(|t| t.mechanism == m).count();
    eprintln!("wrote registry to {}", root.display());
    eprintln!("  activities:   {}", acts.len());
    eprintln!(
        "  processors:   {} ({} located outside the EEA, {} with sub_processors, {} reachable from activities)",
        procs.len(),
        non_eea_procs,
        with_subs,
        plan.reachable
    );
    eprintln!(
        "  transfers:    {} ({} cover reachable (processor, non-EEA country) pairs, {} extra; adequacy {}, scc {}, bcr {})",
        plan.transfers.len(),
        plan.coverage_pairs,
        plan.transfers.len() - plan.coverage_pairs,
        count(Mechanism::Adequacy),
        count(Mechanism::Scc),
        count(Mechanism::Bcr)
    );
    eprintln!("  safeguards:   {nsafeguards}");
    eprintln!(
        "  categories:   {} data subjects, {} data categories; measures: {}",
        DATA_SUBJECTS.len(),
        DATA_CATEGORIES.len(),
        MEASURES.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    let cfg = match parse_args() {
        Ok(Some(cfg)) => cfg,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("gen_registry: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if cfg.out.exists() {
        let empty = cfg.out.is_dir()
            && fs::read_dir(&cfg.out)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
        if !empty {
            eprintln!(
                "gen_registry: {} exists and is not an empty directory; refusing to write into it",
                cfg.out.display()
            );
            return ExitCode::from(2);
        }
    }
    match run(&cfg) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_registry: {e}");
            ExitCode::from(2)
        }
    }
}
