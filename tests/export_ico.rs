//! The CSV and XLSX exports in the UK ICO template layout: headers, one row
//! per activity, cell contents taken from the fixtures' TOML, quoting of
//! commas, quotes and line breaks, the processor record, the workbook's
//! sheets, frozen panes and column widths, deterministic bytes, and nothing
//! written for a registry with errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AS_OF: &str = "2026-11-24";

/// The export's controller columns: which activity, the ICO controller
/// template's row 9 (columns A to AD, unchanged in order), the notes.
const CONTROLLER: [&str; 32] = [
    "Processing activity",
    "Business function",
    "Purpose of processing",
    "Name and contact details of joint controller (if applicable)",
    "Categories of individuals",
    "Categories of personal data",
    "Categories of recipients",
    "Link to contract with processor",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)",
    "Retention schedule (if possible)",
    "General description of technical and organisational security measures (if possible)",
    "Article 6 lawful basis for processing personal data",
    "Article 9 condition for processing special category data",
    "Legitimate interests for the processing (if applicable)",
    "Link to record of legitimate interests assessment (if applicable)",
    "Rights available to individuals",
    "Existence of automated decision-making, including profiling (if applicable)",
    "The source of the personal data (if applicable)",
    "Link to record of consent",
    "Location of personal data",
    "Data Protection Impact Assessment required?",
    "Data Protection Impact Assessment progress",
    "Link to Data Protection Impact Assessment",
    "Has a personal data breach occurred?",
    "Link to record of personal data breach",
    "Data Protection Act 2018 Schedule 1 Condition for processing",
    "GDPR Article 6 lawful basis for processing",
    "Link to retention and erasure policy document",
    "Is personal data retained and erased in accordance with the policy document?",
    "Reasons for not adhering to policy document (if applicable)",
    "Notes",
];

/// The processor record's columns (docs/exports.md says why these).
const PROCESSOR: [&str; 9] = [
    "Processing activity",
    "Name and contact details of controller",
    "Name and contact details of controller's representative (if applicable)",
    "Categories of processing",
    "Name and contact details of sub-processors (if applicable)",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)",
    "General description of technical and organisational security measures (if possible)",
    "Notes",
];

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    manifest().join("tests/fixtures").join(name)
}

fn ropa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .expect("run ropa")
}

#[track_caller]
fn ok(out: Output) -> Vec<u8> {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn export(registry: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec![
        "export",
        "--as-of",
        AS_OF,
        "--registry",
        registry.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(ropa(&args))
}

/// The CSV of a record, parsed with the `csv` crate: (header, rows).
fn csv_of(registry: &Path, record: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = export(registry, &["--format", "csv", "--record", record]);
    parse_csv(&bytes)
}

fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header = r
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect::<Vec<_>>();
    for row in &rows {
        assert_eq!(row.len(), header.len(), "ragged row {row:?}");
    }
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column `{name}`"))
}

/// The activities of a registry, by id (file stem), as TOML.
fn activities(registry: &Path) -> BTreeMap<String, toml::Table> {
    walkdir::WalkDir::new(registry.join("activities"))
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| {
            let id = e.path().file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(e.path()).unwrap();
            (id, text.parse::<toml::Table>().unwrap())
        })
        .collect()
}

fn is_processor(a: &toml::Table) -> bool {
    a.get("role").and_then(|r| r.as_str()) == Some("processor")
}

fn strings(a: &toml::Table, key: &str) -> Vec<String> {
    a.get(key)
        .and_then(|v| v.as_array())
        .map(|l| l.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// One row per activity of the record, in id order: checked through the
/// purposes (and owner) each row carries, read from the fixture's TOML.
fn assert_rows_follow_toml(registry: &Path, record: &str) {
    let (header, rows) = csv_of(registry, record);
    let want: Vec<(String, toml::Table)> = activities(registry)
        .into_iter()
        .filter(|(_, a)| is_processor(a) == (record == "processor"))
        .collect();
    assert_eq!(
        rows.len(),
        want.len(),
        "{}: one row per {record} activity",
        registry.display()
    );
    let purpose_col = if record == "processor" {
        col(&header, "Categories of processing")
    } else {
        col(&header, "Purpose of processing")
    };
    for (row, (id, a)) in rows.iter().zip(&want) {
        assert_eq!(
            row[purpose_col],
            strings(a, "purposes").join("; "),
            "purposes of `{id}`"
        );
        if record == "controller" {
            let owner = a.get("owner").and_then(|o| o.as_str()).unwrap_or("");
            assert_eq!(
                row[col(&header, "Business function")],
                owner,
                "owner of `{id}`"
            );
        }
    }
}

/// The row of the activity whose purposes are `purposes` (joined by "; ").
fn row_with<'a>(header: &[String], rows: &'a [Vec<String>], purposes: &str) -> &'a [String] {
    let c = col(header, "Purpose of processing");
    rows.iter()
        .find(|r| r[c] == purposes)
        .unwrap_or_else(|| panic!("no row with purposes `{purposes}`"))
}

#[test]
fn controller_csv_has_the_ico_header_and_one_row_per_activity() {
    for registry in [fixture("valid-saas"), manifest().join("registry")] {
        let (header, _) = csv_of(&registry, "controller");
        assert_eq!(header, CONTROLLER, "{}", registry.display());
        assert_rows_follow_toml(&registry, "controller");
        // The default record is the controller's.
        assert_eq!(
            export(&registry, &["--format", "csv"]),
            export(&registry, &["--format", "csv", "--record", "controller"])
        );
    }
}

#[test]
fn controller_csv_cells_hold_the_registry_values() {
    let dir = fixture("valid-saas");
    let (h, rows) = csv_of(&dir, "controller");
    let acts = activities(&dir);
    let cell = |row: &[String], name: &str| row[col(&h, name)].clone();

    // Occupational health: Art. 6 and Art. 9, special data, the DPIA.
    let oh = row_with(
        &h,
        &rows,
        "Administer sick leave; Work-environment rehabilitation",
    );
    assert_eq!(
        cell(oh, "Article 6 lawful basis for processing personal data"),
        "Legal obligation (Art. 6(1)(c))\nLegal provisions: Sick Pay Act (1991:1047); Work Environment Act (1977:1160), ch. 3"
    );
    assert_eq!(
        cell(
            oh,
            "Article 9 condition for processing special category data"
        ),
        "Employment and social security law (Art. 9(2)(b))"
    );
    assert_eq!(
        cell(oh, "Categories of personal data"),
        "Health data (special category, Art. 9)"
    );
    assert_eq!(cell(oh, "Categories of individuals"), "Employees");
    assert_eq!(
        cell(oh, "Data Protection Impact Assessment required?"),
        "Yes"
    );
    assert_eq!(
        cell(oh, "Link to Data Protection Impact Assessment"),
        "DPIA-2025-02"
    );
    assert!(
        cell(oh, "Data Protection Impact Assessment progress").contains("Completed 2025-10-01")
    );
    // The DPA 2018 block's Art. 6 column: filled for special category data.
    assert_eq!(
        cell(oh, "GDPR Article 6 lawful basis for processing"),
        "Legal obligation (Art. 6(1)(c))\nLegal provisions: Sick Pay Act (1991:1047); Work Environment Act (1977:1160), ch. 3"
    );
    let period = acts["occupational-health"]["retention"][0]["period"]
        .as_str()
        .unwrap();
    assert_eq!(period, "P2Y");
    assert_eq!(
        cell(oh, "Retention schedule (if possible)"),
        format!("{period} from end of the sick-leave period")
    );

    // Customer relationship: third countries, BCR and adequacy, two retention rules.
    let crm = row_with(
        &h,
        &rows,
        "Manage contracts, invoices and renewals with customers",
    );
    assert_eq!(
        cell(crm, CONTROLLER[8]),
        "India (Pipeline CRM Ltd)\nSwitzerland (Nordlys Schweiz AG)"
    );
    let safeguards = cell(crm, CONTROLLER[9]);
    assert!(
        safeguards.contains("India (Pipeline CRM Ltd): Binding corporate rules (Art. 46(2)(b), 47): Pipeline CRM group Binding Corporate Rules for processors"),
        "{safeguards}"
    );
    assert!(safeguards.contains("TIA-2023-03"), "{safeguards}");
    assert!(
        safeguards.contains("Switzerland (Nordlys Schweiz AG): Adequacy decision (Art. 45)"),
        "{safeguards}"
    );
    assert_eq!(
        cell(crm, "Retention schedule (if possible)"),
        "P7Y from end of the financial year (Billing data). Bokföringslagen (Swedish Accounting Act), ch. 7 § 2.\nP2Y from end of the customer contract (Contact details)"
    );
    assert_eq!(
        cell(crm, "Link to contract with processor"),
        "Pipeline CRM Ltd: DPA signed 2023-11-20"
    );
    let recipients = cell(crm, "Categories of recipients");
    for line in [
        "Pipeline CRM Ltd (processor, Ireland; data in Ireland, India)",
        "Nordlys Schweiz AG (group company, Switzerland)",
        "Revisionsbyrån Öst AB (another controller, Sweden)",
        "Public authorities, when required by law (public authority)",
    ] {
        assert!(
            recipients.lines().any(|l| l == line),
            "{line} in {recipients}"
        );
    }
    assert_eq!(
        cell(crm, "Article 6 lawful basis for processing personal data"),
        "Contract (Art. 6(1)(b)); Legal obligation (Art. 6(1)(c))\nLegal provisions: Bookkeeping Act (1999:1078), ch. 7"
    );
    // Not special category data: the DPA 2018 block stays empty.
    assert_eq!(cell(crm, "GDPR Article 6 lawful basis for processing"), "");

    // Providing the service: onward transfers through the sub-processor
    // chain, the DPA reference, sources and systems.
    let svc = row_with(
        &h,
        &rows,
        "Create and run user accounts; Keep the platform secure and available",
    );
    assert_eq!(
        cell(svc, CONTROLLER[8]),
        "United States (Stratus Cloud Inc., via Stratus Cloud Ireland Ltd)\n\
         Japan (Stratus Cloud K.K., via Stratus Cloud Ireland Ltd → Stratus Cloud Inc.)\n\
         United Kingdom (Postbox Mail Ltd)"
    );
    assert!(cell(svc, CONTROLLER[9]).contains("(EU) 2023/1795"));
    assert_eq!(
        cell(svc, "Link to contract with processor"),
        "Stratus Cloud Ireland Ltd: DPA signed 2025-02-14, Contracts/2025/stratus-dpa.pdf\nPostbox Mail Ltd: DPA signed 2025-06-30"
    );
    assert_eq!(
        cell(svc, "The source of the personal data (if applicable)"),
        strings(&acts["providing-the-service"], "sources").join("; ")
    );
    assert!(cell(svc, "Location of personal data").starts_with("Nordlys web app; Nordlys API\n"));
    assert_eq!(
        cell(svc, "Retention schedule (if possible)"),
        "P1Y from account closure (Contact details, Account credentials)\nP90D from log entry (Usage and access logs)"
    );

    // Customer support: legitimate interests, TOMs with their descriptions.
    let sup = row_with(
        &h,
        &rows,
        "Answer support requests; Improve the help centre",
    );
    assert_eq!(
        cell(
            sup,
            "Legitimate interests for the processing (if applicable)"
        ),
        acts["customer-support"]["legitimate_interest"]
            .as_str()
            .unwrap()
    );
    assert_eq!(
        cell(sup, CONTROLLER[11]),
        "Role-based access control (technical)\nAnnual data protection training (organisational)\nPseudonymisation of exported data (technical)"
    );
    assert!(cell(sup, CONTROLLER[9]).contains(
        "India (Callwise Support GmbH, via Ticketa SAS): Standard contractual clauses (Art. 46(2)(c)): SCC between Ticketa SAS and Callwise Support GmbH (2021/914, module 3)"
    ));

    // Joint controller.
    let web = row_with(
        &h,
        &rows,
        "Run joint webinars with our implementation partners",
    );
    assert_eq!(
        cell(web, CONTROLLER[3]),
        "Projektpartner Consulting GmbH, datenschutz@projektpartner.example. Arrangement: Joint-controller arrangement of 2025-04-01, Art. 26; Nordlys is the contact point."
    );

    // A period-less retention rule says so; nothing is invented.
    let news = row_with(&h, &rows, "Send product news to subscribers");
    assert_eq!(
        cell(news, "Retention schedule (if possible)"),
        "No period given (from: until the subscriber unsubscribes). No fixed period: consent is withdrawn by unsubscribing."
    );
    assert_eq!(cell(news, CONTROLLER[17]), "No");

    // The first column names the activity; the last holds its text, its
    // Markdown as plain text.
    assert_eq!(
        cell(oh, "Processing activity"),
        "Sick leave and occupational health (occupational-health)"
    );
    // The DPIA's note is the DPIA's, in its own column.
    assert_eq!(cell(oh, "Notes"), "");
    let svc = row_with(
        &h,
        &rows,
        "Create and run user accounts; Keep the platform secure and available",
    );
    assert_eq!(
        cell(svc, "Notes"),
        "User accounts and day-to-day operation of the Nordlys platform.\nSystem | Purpose\nWeb app | project management\nAPI | integrations"
    );
    // The rights follow from the legal bases (docs/rights.md): on a legal
    // obligation, no erasure, portability or objection.
    assert_eq!(
        cell(oh, "Rights available to individuals"),
        "Right to be informed (Art. 13, 14)\nRight of access (Art. 15)\nRight to rectification (Art. 16)\nRight to restriction of processing (Art. 18)\nRight to lodge a complaint with a supervisory authority (Art. 77)"
    );
    assert!(
        cell(crm, "Rights available to individuals").contains("Right to erasure (Art. 17)"),
        "{}",
        cell(crm, "Rights available to individuals")
    );
    // Columns the registry has no field for stay empty in every row.
    for name in [
        "Link to record of legitimate interests assessment (if applicable)",
        "Link to record of consent",
        "Has a personal data breach occurred?",
        "Link to record of personal data breach",
        "Link to retention and erasure policy document",
        "Is personal data retained and erased in accordance with the policy document?",
        "Reasons for not adhering to policy document (if applicable)",
    ] {
        assert!(rows.iter().all(|r| r[col(&h, name)].is_empty()), "{name}");
    }
    // No owner, no business function; no joint controllers, empty cell.
    assert_eq!(cell(crm, "Business function"), "");
    assert_eq!(cell(crm, CONTROLLER[3]), "");
}

#[test]
fn example_registry_controller_csv() {
    let dir = manifest().join("registry");
    let (h, rows) = csv_of(&dir, "controller");
    let svc = row_with(
        &h,
        &rows,
        "Create and verify user accounts so that users can access and use the Service",
    );
    assert_eq!(
        svc[col(&h, CONTROLLER[8])],
        "United States (Amazon Web Services EMEA SARL)"
    );
    assert!(
        svc[col(&h, CONTROLLER[9])].starts_with(
            "United States (Amazon Web Services EMEA SARL): Standard contractual clauses (Art. 46(2)(c))"
        ),
        "{}",
        svc[col(&h, CONTROLLER[9])]
    );
    assert_eq!(
        svc[col(&h, "Article 6 lawful basis for processing personal data")],
        "Contract (Art. 6(1)(b))"
    );
    // The example keeps no processor record: a header and no rows.
    let (ph, prows) = csv_of(&dir, "processor");
    assert_eq!(ph, PROCESSOR);
    assert!(prows.is_empty());
}

#[test]
fn processor_csv_lists_processor_activities_with_their_controllers() {
    let dir = fixture("valid-saas");
    let (h, rows) = csv_of(&dir, "processor");
    assert_eq!(h, PROCESSOR);
    assert_rows_follow_toml(&dir, "processor");
    assert_eq!(rows.len(), 1);
    let acts = activities(&dir);
    let toml = &acts["hosting-customer-content"];
    let row = &rows[0];
    assert_eq!(
        row[col(&h, "Name and contact details of controller")],
        strings(toml, "controllers").join("\n")
    );
    assert_eq!(
        row[col(&h, "Name and contact details of controller")],
        "Our business customers, each under the Nordlys Data Processing Addendum"
    );
    assert_eq!(
        row[col(&h, "Categories of processing")],
        "Host customer content on the customer's instructions"
    );
    assert_eq!(
        row[col(
            &h,
            "Name and contact details of sub-processors (if applicable)"
        )],
        "Stratus Cloud Ireland Ltd (Ireland)"
    );
    assert_eq!(
        row[col(&h, PROCESSOR[5])],
        "United States (Stratus Cloud Inc., via Stratus Cloud Ireland Ltd)\nJapan (Stratus Cloud K.K., via Stratus Cloud Ireland Ltd → Stratus Cloud Inc.)"
    );
    assert!(
        row[col(&h, PROCESSOR[6])].contains("Adequacy decision (Art. 45): decision (EU) 2019/419")
    );
    assert!(row[col(&h, PROCESSOR[7])].starts_with("Encryption at rest (technical)"));
    // The controller's record does not include it.
    let (ch, crow) = csv_of(&dir, "controller");
    let c = col(&ch, "Purpose of processing");
    assert!(crow.iter().all(|r| !r[c].contains("Host customer content")));
}

#[test]
fn commas_quotes_and_line_breaks_round_trip() {
    let dir = fixture("export-quoting");
    let bytes = export(&dir, &["--format", "csv"]);
    let text = String::from_utf8(bytes.clone()).unwrap();
    // RFC 4180: CRLF after each record, the header is row 1, quotes doubled.
    assert!(text.starts_with("Processing activity,Business function,Purpose of processing,"));
    assert!(text.ends_with("\r\n"));
    assert!(
        text.contains("\"Deliver orders, \"\"fast\"\"\nand reliably; Answer questions\""),
        "{text}"
    );
    let (h, rows) = parse_csv(&bytes);
    assert_eq!(h, CONTROLLER);
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let a = &activities(&dir)["quoted"];
    let purposes = strings(a, "purposes");
    assert_eq!(purposes[0], "Deliver orders, \"fast\"\nand reliably");
    assert_eq!(row[col(&h, "Purpose of processing")], purposes.join("; "));
    assert_eq!(row[col(&h, "Business function")], "Sales, \"EU\" desk");
    assert_eq!(
        row[col(&h, "The source of the personal data (if applicable)")],
        "The customer, \"directly\""
    );
    assert_eq!(
        row[col(&h, "Categories of individuals")],
        "Customers, \"regular\" ones"
    );
    assert_eq!(
        row[col(&h, "Link to contract with processor")],
        "Mailer, \"Inc\": DPA signed 2026-01-15, DPA \"v2\", signed copy"
    );
    assert_eq!(
        row[col(&h, "Retention schedule (if possible)")],
        // The note is Markdown: its line break inside a paragraph is a space.
        "P3Y from the last order. Limitation period, \"3 years\", then deleted."
    );
    assert_eq!(
        row[col(
            &h,
            "Article 9 condition for processing special category data"
        )],
        "Explicit consent (Art. 9(2)(a))"
    );
    assert_eq!(
        row[col(&h, "Categories of personal data")],
        "Contact details; Health data (special category, Art. 9)"
    );
}

#[test]
fn csv_is_deterministic_and_out_writes_the_same_bytes() {
    let dir = fixture("valid-saas");
    for record in ["controller", "processor"] {
        let a = export(&dir, &["--format", "csv", "--record", record]);
        let b = export(&dir, &["--format", "csv", "--record", record]);
        assert_eq!(a, b);
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("ropa.csv");
        let written = export(
            &dir,
            &[
                "--format",
                "csv",
                "--record",
                record,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(written.is_empty());
        assert_eq!(std::fs::read(&out).unwrap(), a);
    }
}

// ---- XLSX ----------------------------------------------------------------

/// Reads a workbook with Python's zipfile and ElementTree (independent of
/// the export's own code): every sheet's cell text by row, its raw XML, and the
/// core properties.
const READ_XLSX: &str = r#"
import json, re, sys, zipfile
import xml.etree.ElementTree as ET
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
z = zipfile.ZipFile(sys.argv[1])
shared = []
if "xl/sharedStrings.xml" in z.namelist():
    for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
        shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
def col_index(ref):
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1
styles = ET.fromstring(z.read("xl/styles.xml"))
bold_fonts = [f.find("m:b", NS) is not None for f in styles.find("m:fonts", NS)]
bold, wrap = [], []
for i, xf in enumerate(styles.find("m:cellXfs", NS)):
    if bold_fonts[int(xf.get("fontId", "0"))]:
        bold.append(i)
    al = xf.find("m:alignment", NS)
    if al is not None and al.get("wrapText") == "1":
        wrap.append(i)
sheets = []
for s in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", NS):
    path = "xl/" + rels[s.get(R)]
    xml = z.read(path).decode("utf-8")
    rows = []
    for row in ET.fromstring(xml).find("m:sheetData", NS):
        cells, cell_styles = [], []
        for c in row:
            i = col_index(c.get("r"))
            v = c.find("m:v", NS)
            if c.get("t") == "s":
                text = shared[int(v.text)]
            elif c.get("t") == "inlineStr":
                text = "".join(t.text or "" for t in c.iter("{%s}t" % NS["m"]))
            else:
                text = v.text if v is not None else ""
            cells += [""] * (i + 1 - len(cells))
            cells[i] = text
            cell_styles.append(int(c.get("s", "0")))
        rows.append({"r": int(row.get("r")), "cells": cells, "styles": cell_styles})
    sheets.append({"name": s.get("name"), "path": path, "xml": xml, "rows": rows})
print(json.dumps({"sheets": sheets, "bold": bold, "wrap": wrap,
                  "core": z.read("docProps/core.xml").decode("utf-8")}))
"#;

struct Sheet {
    name: String,
    path: String,
    xml: String,
    /// Cell texts by row number (1-based), padded to the last cell.
    rows: BTreeMap<u32, Vec<String>>,
    /// Whether every cell of the row is bold, and whether every one wraps.
    bold: BTreeMap<u32, bool>,
    wrap: BTreeMap<u32, bool>,
}

impl Sheet {
    fn row(&self, r: u32) -> Vec<String> {
        self.rows.get(&r).cloned().unwrap_or_default()
    }
}

fn read_xlsx(path: &Path) -> (Vec<Sheet>, String) {
    let out = Command::new("python3")
        .arg("-c")
        .arg(READ_XLSX)
        .arg(path)
        .output()
        .expect("python3 is needed to read the workbook independently of the export");
    assert!(
        out.status.success(),
        "python3 could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let set = |key: &str| -> Vec<u64> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap())
            .collect()
    };
    let (bold, wrap) = (set("bold"), set("wrap"));
    let all_in = |r: &serde_json::Value, set: &[u64]| {
        let styles = r["styles"].as_array().unwrap();
        !styles.is_empty() && styles.iter().all(|s| set.contains(&s.as_u64().unwrap()))
    };
    let by_row = |s: &serde_json::Value, set: &[u64]| -> BTreeMap<u32, bool> {
        s["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["r"].as_u64().unwrap() as u32, all_in(r, set)))
            .collect()
    };
    let sheets = v["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Sheet {
            name: s["name"].as_str().unwrap().into(),
            path: s["path"].as_str().unwrap().into(),
            xml: s["xml"].as_str().unwrap().into(),
            rows: s["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let cells = r["cells"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| c.as_str().unwrap().to_string())
                        .collect();
                    (r["r"].as_u64().unwrap() as u32, cells)
                })
                .collect(),
            bold: by_row(s, &bold),
            wrap: by_row(s, &wrap),
        })
        .collect();
    (sheets, v["core"].as_str().unwrap().to_string())
}

fn xlsx(registry: &Path, out: &Path) -> Vec<u8> {
    let stdout = export(
        registry,
        &["--format", "xlsx", "--out", out.to_str().unwrap()],
    );
    assert!(stdout.is_empty());
    std::fs::read(out).unwrap()
}

#[track_caller]
fn assert_record_sheet(sheet: &Sheet, name: &str, header: &[&str], csv: &[Vec<String>]) {
    assert_eq!(sheet.name, name);
    assert_eq!(sheet.row(1), header, "{name}: header row");
    // Frozen panes: the header row and the first column.
    assert!(
        sheet.xml.contains(r#"<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>"#),
        "{name}: frozen panes"
    );
    // A width for every column.
    let widths: Vec<f64> = sheet
        .xml
        .split("<col ")
        .skip(1)
        .map(|c| {
            let w = c.split("width=\"").nth(1).unwrap();
            w[..w.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    assert!(
        !widths.is_empty() && widths.iter().all(|w| *w >= 10.0),
        "{name}: {widths:?}"
    );
    let last_max = sheet
        .xml
        .rsplit("<col ")
        .next()
        .and_then(|c| c.split("max=\"").nth(1))
        .map(|m| m[..m.find('"').unwrap()].parse::<usize>().unwrap())
        .unwrap();
    assert_eq!(
        last_max,
        header.len(),
        "{name}: widths up to the last column"
    );
    // The same rows as the CSV, cell for cell (empty cells padded).
    let body: Vec<Vec<String>> = (2..2 + csv.len() as u32)
        .map(|r| {
            let mut cells = sheet.row(r);
            cells.resize(header.len(), String::new());
            cells
        })
        .collect();
    assert_eq!(body, csv, "{name}: rows equal the CSV's");
    assert!(sheet.rows.keys().all(|r| *r <= 1 + csv.len() as u32));
}

#[test]
fn xlsx_has_the_two_record_sheets_and_the_contact_block() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixture("valid-saas");
    let path = tmp.path().join("ropa.xlsx");
    let bytes = xlsx(&dir, &path);
    assert_eq!(&bytes[..2], b"PK", "an XLSX file is a ZIP archive");
    let (sheets, core) = read_xlsx(&path);
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Controller", "Processor", "Organisation"]);
    assert_eq!(sheets[0].path, "xl/worksheets/sheet1.xml");

    let (_, controller) = csv_of(&dir, "controller");
    let (_, processor) = csv_of(&dir, "processor");
    assert_record_sheet(&sheets[0], "Controller", &CONTROLLER, &controller);
    assert_record_sheet(&sheets[1], "Processor", &PROCESSOR, &processor);
    assert_eq!(controller.len(), 8);
    assert_eq!(processor.len(), 1);

    // A bold header row; every cell wraps its text; the body is not bold.
    for sheet in &sheets[..2] {
        assert_eq!(
            sheet.bold.get(&1),
            Some(&true),
            "{}: bold header",
            sheet.name
        );
        assert!(
            sheet.wrap.values().all(|w| *w),
            "{}: text wrapping",
            sheet.name
        );
        assert!(
            sheet.bold.range(2..).all(|(_, b)| !b),
            "{}: body not bold",
            sheet.name
        );
    }

    // Organisation: the ICO contact block, then the record's facts.
    let org = &sheets[2];
    assert_eq!(org.row(1), ["", "Name", "Address", "Email", "Telephone"]);
    assert_eq!(
        org.row(2),
        [
            "Controller and processor",
            "Nordlys Software AB",
            "Sveavägen 44, 111 34 Stockholm, Sweden",
            "privacy@nordlys.example",
            "+46 8 123 456 00"
        ]
    );
    assert_eq!(
        org.row(3),
        [
            "Data Protection Officer",
            "Karin Lindqvist",
            "",
            "dpo@nordlys.example",
            "+46 8 123 456 99"
        ]
    );
    assert_eq!(org.row(4)[0], "Representative");
    assert!(
        org.row(4)[1..].iter().all(String::is_empty),
        "no representative in the registry"
    );
    let facts: BTreeMap<String, String> = org
        .rows
        .range(6..)
        .map(|(_, r)| (r[0].clone(), r[1].clone()))
        .collect();
    assert_eq!(facts["Record as of"], AS_OF);
    assert_eq!(
        facts["Supervisory authority"],
        "Integritetsskyddsmyndigheten (IMY)"
    );
    assert_eq!(facts["Registration"], "Org.nr 559000-1234");
    assert!(org.xml.contains("state=\"frozen\""));

    // The creation date is the as-of date, not the wall clock.
    assert!(
        core.contains(
            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-11-24T00:00:00Z</dcterms:created>"
        ),
        "{core}"
    );
}

#[test]
fn xlsx_of_the_example_registry_and_line_breaks_in_cells() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, dir) in [
        ("example", manifest().join("registry")),
        ("quoting", fixture("export-quoting")),
    ] {
        let path = tmp.path().join(format!("{name}.xlsx"));
        xlsx(&dir, &path);
        let (sheets, _) = read_xlsx(&path);
        let (_, controller) = csv_of(&dir, "controller");
        let (_, processor) = csv_of(&dir, "processor");
        assert_record_sheet(&sheets[0], "Controller", &CONTROLLER, &controller);
        assert_record_sheet(&sheets[1], "Processor", &PROCESSOR, &processor);
        if name == "quoting" {
            assert_eq!(
                sheets[0].row(2)[2],
                "Deliver orders, \"fast\"\nand reliably; Answer questions"
            );
            assert_eq!(sheets[2].row(2)[1], "Quoting \"Test\", Ltd");
            assert_eq!(sheets[2].row(2)[2], "1 Comma Street,\nSecond line");
            assert_eq!(sheets[2].row(2)[0], "Controller");
        } else {
            assert_eq!(sheets[2].row(2)[1], "IOT Communications International AB");
            // No DPO in the example: the row is there, empty.
            assert_eq!(
                sheets[2].row(3),
                ["Data Protection Officer", "", "", "", ""]
            );
        }
    }
}

/// Contract 1.1: the law relied on goes to the Art. 6 column (for a legal
/// obligation or public task, Art. 6(3)) and to the DPA 2018 Schedule 1
/// column (for special-category and criminal-offence data, Art. 9(2), 10);
/// international organisations and the Art. 49(1) second-subparagraph
/// notice to the authority appear where the template asks for them; the
/// XLSX holds the same cells.
#[test]
fn contract_1_1_columns() {
    const SCHEDULE_1: &str = "Data Protection Act 2018 Schedule 1 Condition for processing";
    const PROVISION: &str = "Act (2013:1134) on criminal record checks of staff in schools, § 3";
    let dir = fixture("exports-1-1");
    let (h, rows) = csv_of(&dir, "controller");
    let checks = row_with(
        &h,
        &rows,
        "Check the criminal record of staff who work with children",
    );
    assert!(
        checks[col(&h, CONTROLLER[5])]
            .contains("Criminal record extracts (criminal convictions and offences, Art. 10)"),
        "{checks:?}"
    );
    let art6 = &checks[col(&h, CONTROLLER[12])];
    assert!(
        art6.ends_with(&format!("\nLegal provisions: {PROVISION}")),
        "{art6}"
    );
    assert_eq!(checks[col(&h, SCHEDULE_1)], PROVISION);
    // The Schedule 1 block's Art. 6 column repeats the Art. 6 column.
    assert_eq!(&checks[col(&h, CONTROLLER[27])], art6);

    // Consent with special-category data and no law named: nothing invented.
    let studies = row_with(
        &h,
        &rows,
        "Analyse outcomes of treatment in clinical studies",
    );
    assert_eq!(studies[col(&h, SCHEDULE_1)], "");
    assert!(!studies[col(&h, CONTROLLER[12])].contains("Legal provisions"));

    // An international organisation: by its code, not as a country.
    let patents = row_with(&h, &rows, "File patent applications naming our inventors");
    let recipients = &patents[col(&h, CONTROLLER[6])];
    assert!(
        recipients
            .lines()
            .any(|l| l.starts_with("European Patent Organisation (") && l.contains(" EPO, ")),
        "{recipients}"
    );
    let places: Vec<&str> = patents[col(&h, CONTROLLER[8])].lines().collect();
    assert!(
        places.contains(&"EPO (European Patent Organisation)"),
        "{places:?}"
    );
    let safeguards = &patents[col(&h, CONTROLLER[9])];
    assert!(
        safeguards
            .lines()
            .any(|l| l.starts_with("EPO (European Patent Organisation): ")
                && l.contains("decision Implementing Decision (EU) 2025/1382")),
        "{safeguards}"
    );
    assert!(
        safeguards
            .lines()
            .any(|l| l.contains("supervisory authority informed 2026-04-02")),
        "{safeguards}"
    );
    // No sensitive data: the Schedule 1 block stays empty.
    assert_eq!(patents[col(&h, SCHEDULE_1)], "");

    // The XLSX has the same cells as the CSV.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("ropa.xlsx");
    xlsx(&dir, &path);
    let (sheets, _) = read_xlsx(&path);
    let (_, processor) = csv_of(&dir, "processor");
    assert_record_sheet(&sheets[0], "Controller", &CONTROLLER, &rows);
    assert_record_sheet(&sheets[1], "Processor", &PROCESSOR, &processor);
}

#[test]
fn xlsx_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixture("valid-saas");
    let a = xlsx(&dir, &tmp.path().join("a.xlsx"));
    let b = xlsx(&dir, &tmp.path().join("b.xlsx"));
    assert!(a == b, "two builds of the same register differ");
    // Standard output (not a terminal here) gets the same bytes.
    let piped = export(&dir, &["--format", "xlsx"]);
    assert!(piped == a, "stdout and --out differ");
}

#[test]
fn a_registry_with_errors_exports_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let broken = fixture("broken-legal");
    for (format, file) in [("csv", "ropa.csv"), ("xlsx", "ropa.xlsx")] {
        let out = tmp.path().join(file);
        let run = ropa(&[
            "export",
            "--format",
            format,
            "--as-of",
            AS_OF,
            "--registry",
            broken.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.status.code(), Some(1), "{format}");
        assert!(run.stdout.is_empty(), "{format}: nothing on stdout");
        assert!(
            String::from_utf8_lossy(&run.stderr).contains("nothing was exported"),
            "{format}"
        );
    }
    assert!(
        std::fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "no file, not even a temporary one"
    );
}

/// A cell that starts like a formula (`=`, `+`, `-`, `@`) is prefixed with
/// `'` in the CSV, so a spreadsheet opening it shows text; the XLSX keeps
/// the text as it is, in a text cell, never a formula.
#[test]
fn cells_that_look_like_formulas_stay_text() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("registry");
    for entry in walkdir::WalkDir::new(fixture("export-quoting")) {
        let entry = entry.unwrap();
        let to = dir.join(
            entry
                .path()
                .strip_prefix(fixture("export-quoting"))
                .unwrap(),
        );
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    let activity = dir.join("activities/quoted.toml");
    let text = std::fs::read_to_string(&activity).unwrap();
    let hostile = [
        ("owner", r#"=HYPERLINK("http://evil.example","x")"#),
        ("purposes", "+cmd|' /C calc'!A0"),
        ("sources", "-2+3"),
    ];
    let mut text = text
        .lines()
        .filter(|l| {
            !hostile
                .iter()
                .any(|(k, _)| l.starts_with(&format!("{k} =")))
        })
        .collect::<Vec<_>>()
        .join("\n");
    text = format!(
        "owner = {:?}\npurposes = [{:?}]\nsources = [{:?}, \"@SUM(A1)\"]\n{text}\n",
        hostile[0].1, hostile[1].1, hostile[2].1
    );
    std::fs::write(&activity, text).unwrap();

    let (h, rows) = parse_csv(&export(&dir, &["--format", "csv"]));
    let row = &rows[0];
    assert_eq!(
        row[col(&h, "Business function")],
        format!("'{}", hostile[0].1)
    );
    assert_eq!(
        row[col(&h, "Purpose of processing")],
        format!("'{}", hostile[1].1)
    );
    assert_eq!(
        row[col(&h, "The source of the personal data (if applicable)")],
        format!("'{}; @SUM(A1)", hostile[2].1)
    );

    let path = tmp.path().join("ropa.xlsx");
    xlsx(&dir, &path);
    let (sheets, _) = read_xlsx(&path);
    let controller = sheets.iter().find(|s| s.name == "Controller").unwrap();
    assert!(
        !controller.xml.contains("<f>") && !controller.xml.contains("<f "),
        "a formula cell"
    );
    let cells = controller.row(2);
    for (_, value) in &hostile {
        assert!(
            cells.iter().any(|c| c.starts_with(value)),
            "{value} is not kept as text: {cells:?}"
        );
    }
}
