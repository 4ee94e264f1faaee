//! `ropa import ico`: ropa's own CSV and XLSX exports come back as the same
//! record (the round trip of issue 17), a non-empty `--out` is refused, and
//! a bad file is refused with one line naming it, writing nothing.

mod common;

use std::path::{Path, PathBuf};

use common::{AS_OF, manifest_dir, run_in};
use serde_json::Value;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ropa-import-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn export(registry: &Path, format: &str, out: &Path) {
    run_in(
        &manifest_dir(),
        &[
            "export",
            "--registry",
            s(registry),
            "--as-of",
            AS_OF,
            "--format",
            format,
            "--out",
            s(out),
        ],
    )
    .assert_exit(0);
}

fn json(registry: &Path, dir: &Path) -> Value {
    let out = dir.join(format!(
        "{}.json",
        registry.file_name().unwrap().to_string_lossy()
    ));
    export(registry, "json", &out);
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or("").trim().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").trim().to_string()
}

/// What the ICO layout carries of one activity, in a form that does not
/// depend on ids or on the order of lists.
fn activity(a: &Value, reg: &Value) -> Value {
    let names = |key: &str| {
        let mut v: Vec<String> = a[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                let mut n = text(&x["name"]);
                if x["special"] == true {
                    n.push_str(" [Art. 9]");
                }
                if x["criminal"] == true {
                    n.push_str(" [Art. 10]");
                }
                n
            })
            .collect();
        v.sort();
        v
    };
    let find = |kind: &str, id: &Value| -> Value {
        reg[kind]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == *id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut processors: Vec<Value> = a["processors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let p = find("processors", &p["id"]);
            serde_json::json!([
                text(&p["name"]),
                p["country"],
                p["locations"],
                p["dpa_signed"]
            ])
        })
        .collect();
    processors.sort_by_key(|v| v.to_string());
    let mut recipients: Vec<Value> = a["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            serde_json::json!([
                text(&r["name"]),
                r["kind"],
                r["country"],
                r["international_organisation"]
            ])
        })
        .collect();
    recipients.sort_by_key(|v| v.to_string());
    let mut flows: Vec<Value> = a["transfers_outside_eea"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let covers: Vec<Value> = f["transfers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    let t = find("transfers", &t["id"]);
                    serde_json::json!([t["mechanism"], t["derogation"]])
                })
                .collect();
            serde_json::json!([
                text(&f["party_name"]),
                f["country"],
                f["international_organisation"],
                covers
            ])
        })
        .collect();
    flows.sort_by_key(|v| v.to_string());
    let retention: Vec<Value> = a["retention"]
        .as_array()
        .unwrap()
        .iter()
        // A note is Markdown: the cell has it as plain text, where a line
        // break inside a paragraph is a space, as Markdown reads it.
        .map(|r| {
            let note = ropa::markdown::plain(&text(&r["note"]))
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            serde_json::json!([r["period"], text(&r["from"]), note])
        })
        .collect();
    let mut measures: Vec<String> = a["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| text(&m["name"]))
        .collect();
    measures.sort();
    serde_json::json!({
        "id": a["id"],
        "name": text(&a["name"]),
        "role": a["role"],
        "purposes": strs(&a["purposes"]),
        "owner": a["owner"],
        "legal_bases": a["legal_bases"],
        "special_category_condition": a["special_category_condition"],
        "data_subjects": names("data_subjects"),
        "data_categories": names("data_categories"),
        "processors": processors,
        "recipients": recipients,
        "transfers": flows,
        "retention": retention,
        "measures": measures,
        // The ICO cell joins them with "; ", so a source that has a `;`
        // of its own cannot be told from two: compared as the cell has them.
        "sources": strs(&a["sources"]).join("; "),
        "systems": strs(&a["systems"]).join("; "),
    })
}

/// Every activity of both records, ordered by purposes.
fn record(reg: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = ["controller_record", "processor_record"]
        .iter()
        .flat_map(|r| reg[r]["activities"].as_array().cloned().unwrap_or_default())
        .map(|a| activity(&a, reg))
        .collect();
    out.sort_by_key(|a| a["purposes"].to_string());
    out
}

fn import(file: &Path, out: &Path) -> common::Run {
    run_in(
        &manifest_dir(),
        &["import", "ico", s(file), "--out", s(out)],
    )
}

/// The CSV has no contact block: the organisation is given as the
/// original has it (what a person would do after the import).
fn add_organisation(from: &Path, to: &Path) {
    std::fs::copy(from.join("organisation.toml"), to.join("organisation.toml")).unwrap();
}

fn round_trip(example: &str, format: &str) {
    let original = manifest_dir().join(example);
    let dir = tmp(&format!("{}-{format}", example.replace('/', "-")));
    let file = dir.join(format!("record.{format}"));
    export(&original, format, &file);
    let imported = dir.join("imported");
    let run = import(&file, &imported);
    run.assert_exit(0);
    assert!(run.stdout.contains("imported "), "{}", run.stdout);
    if format == "csv" {
        add_organisation(&original, &imported);
    }
    let want = record(&json(&original, &dir));
    let got = record(&json(&imported, &dir));
    assert_eq!(
        got.len(),
        want.len(),
        "activities: {}",
        serde_json::to_string_pretty(&got).unwrap()
    );
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(
            g,
            w,
            "{example} {format}: imported\n{}\noriginal\n{}",
            serde_json::to_string_pretty(g).unwrap(),
            serde_json::to_string_pretty(w).unwrap()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn allocloud_csv_round_trip() {
    round_trip("examples/allocloud", "csv");
}

#[test]
fn allocloud_xlsx_round_trip() {
    round_trip("examples/allocloud", "xlsx");
}

#[test]
fn a_non_empty_out_is_refused() {
    let dir = tmp("non-empty");
    let file = dir.join("record.csv");
    export(&manifest_dir().join("examples/allocloud"), "csv", &file);
    let out = dir.join("registry");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let run = import(&file, &out);
    run.assert_exit(2);
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "mine"
    );
    // An empty folder is fine: it becomes the registry.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    import(&file, &empty).assert_exit(0);
    assert!(empty.join("activities").is_dir());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Nothing but the input file is left in its folder: no registry, no
/// temporary folder.
#[track_caller]
fn refused(name: &str, bytes: &[u8], says: &str) {
    let dir = tmp(&format!("bad-{name}"));
    let file = dir.join(name);
    std::fs::write(&file, bytes).unwrap();
    let run = import(&file, &dir.join("registry"));
    run.assert_exit(2);
    let line = run.stderr.trim();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.starts_with("error: "), "{line}");
    assert!(line.contains(name), "{line}");
    assert!(line.contains(says), "{line}");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from(name)], "{line}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_that_is_not_a_spreadsheet_is_refused() {
    refused(
        "record.xlsx",
        b"this is not a zip file",
        "not a readable XLSX or ODS",
    );
    refused(
        "record.ods",
        &[0x50, 0x4b, 0x03, 0x04, 0, 0, 0],
        "not a readable XLSX or ODS",
    );
    refused("record.csv", b"\x00\x01\x02binary", "not a CSV file");
    refused("record.pdf", b"%PDF-1.4", "not a spreadsheet");
    // A password-protected workbook is an OLE compound file.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(4096, 0);
    refused("encrypted.xlsx", &ole, "encrypted (password-protected)");
}

#[test]
fn a_sheet_without_the_header_is_refused() {
    refused(
        "record.csv",
        b"Name,Address\nAcme,1 Road\nPayroll,Staff\n",
        "no header row of the ICO controller record",
    );
    refused("empty.csv", b"", "has no cells");
    refused("blank.csv", b";;\n;;\n", "has no cells");
}

/// A home-made sheet: semicolons, a BOM, columns in another order and
/// case, words instead of codes; every value interpreted is quoted in a
/// note and every cell left out is reported with its address.
#[test]
fn a_semicolon_csv_with_words() {
    let dir = tmp("words");
    let file = dir.join("ropa.csv");
    let csv = "\u{feff}PURPOSE OF PROCESSING;business function;Categories of individuals;Categories of personal data;Lawful basis;Retention schedule;Rights available to individuals;Colour\n\
        Payroll;HR;Employees;Name, \"Bank\" details;Art. 6(1)(b) - performance of contract;7 years from the end of employment;All;blue\n\
        Payroll;HR;Contractors;Tax # number;N/A;;;\n\
        ;;;;;;;\n";
    std::fs::write(&file, csv).unwrap();
    let out = dir.join("registry");
    let run = import(&file, &out);
    run.assert_exit(0);
    assert!(run.stdout.contains("imported 2 rows"), "{}", run.stdout);
    assert!(run.stdout.contains("  1 activity\n"), "{}", run.stdout);
    assert!(run.stdout.contains("ropa.csv!G2: 'All'"), "{}", run.stdout);
    assert!(run.stdout.contains("ropa.csv!H2: 'blue'"), "{}", run.stdout);
    let activity = std::fs::read_to_string(out.join("activities/payroll.toml")).unwrap();
    let a: toml::Table = toml::from_str(&activity).unwrap();
    assert_eq!(a["owner"].as_str(), Some("HR"));
    assert_eq!(
        a["legal_bases"].as_array().unwrap()[0].as_str(),
        Some("contract")
    );
    assert_eq!(a["data_subjects"].as_array().unwrap().len(), 2);
    let note = a["note"].as_str().unwrap();
    assert!(
        note.contains("Spreadsheet: 'Art. 6(1)(b) - performance of contract' (ropa.csv!E2)"),
        "{note}"
    );
    let retention = &a["retention"].as_array().unwrap()[0];
    assert_eq!(retention["period"].as_str(), Some("P7Y"));
    assert_eq!(retention["from"].as_str(), Some("the end of employment"));
    let cats: toml::Table =
        toml::from_str(&std::fs::read_to_string(out.join("categories.toml")).unwrap()).unwrap();
    let names: Vec<&str> = cats["data_categories"]
        .as_table()
        .unwrap()
        .values()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"\"Bank\" details"), "{names:?}");
    assert!(names.contains(&"Tax # number"), "{names:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn registry_round_trip() {
    round_trip("registry", "xlsx");
    round_trip("registry", "csv");
}

#[test]
fn allthingstalk_round_trip() {
    round_trip("examples/allthingstalk", "xlsx");
    round_trip("examples/allthingstalk", "csv");
}

#[test]
fn alutech_round_trip() {
    round_trip("examples/alutech", "xlsx");
    round_trip("examples/alutech", "csv");
}

/// The processor record (Art. 30(2)): the "Processor" sheet of ropa's
/// XLSX. Its template has no columns for data subjects and categories,
/// which the registry requires: the checks say so, the import succeeds.
#[test]
fn the_processor_record() {
    let dir = tmp("processor");
    let file = dir.join("record.xlsx");
    export(
        &manifest_dir().join("tests/fixtures/valid-saas"),
        "xlsx",
        &file,
    );
    let out = dir.join("registry");
    let run = run_in(
        &manifest_dir(),
        &[
            "import",
            "ico",
            s(&file),
            "--record",
            "processor",
            "--out",
            s(&out),
        ],
    );
    run.assert_exit(0);
    assert!(run.stdout.contains("imported 1 row into"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("`data_subjects` needs at least one item"),
        "{}",
        run.stdout
    );
    let text = std::fs::read_to_string(
        // The id comes back from the export's first column.
        out.join("activities/hosting-customer-content.toml"),
    )
    .unwrap();
    let a: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(a["role"].as_str(), Some("processor"));
    assert_eq!(
        a["controllers"].as_array().unwrap()[0].as_str(),
        Some("Our business customers, each under the Nordlys Data Processing Addendum")
    );
    assert_eq!(
        a["processors"].as_array().unwrap()[0].as_str(),
        Some("stratus-cloud-ireland-ltd")
    );
    assert_eq!(a["measures"].as_array().unwrap().len(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An ODS file in the ICO template's layout: the contact block above the
/// header row, a date cell, a number cell, and a header with its own case.
#[test]
fn an_ods_in_the_ico_template_layout() {
    use std::io::Write;
    fn cell(t: &str) -> String {
        format!(
            r#"<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>"#
        )
    }
    fn row(cells: &[String]) -> String {
        format!("<table:table-row>{}</table:table-row>", cells.concat())
    }
    let empty = "<table:table-cell/>".to_string();
    let date = r#"<table:table-cell office:value-type="date" office:date-value="2024-03-01"><text:p>01/03/2024</text:p></table:table-cell>"#.to_string();
    let rows = [
        row(&[empty.clone(), cell("Name"), cell("Address"), cell("Email"), cell("Telephone")]),
        row(&[cell("Controller"), cell("Acme &amp; Co Ltd"), cell("1 High Street, London"), cell("dp@acme.example"), cell("020 7946 0000")]),
        row(&[cell("Data Protection Officer"), cell("Jo Bloggs"), empty.clone(), cell("dpo@acme.example"), empty.clone()]),
        row(&[cell("Representative"), empty.clone(), empty.clone(), empty.clone(), empty.clone()]),
        row(&[]),
        row(&[
            cell("Business Function"),
            cell("Purpose of processing"),
            cell("Categories of individuals"),
            cell("Categories of personal data"),
            cell("Article 6 lawful basis for processing personal data"),
            cell("Data Protection Impact Assessment progress"),
            cell("Retention schedule (if possible)"),
        ]),
        row(&[
            cell("HR"),
            cell("Payroll"),
            cell("Staff"),
            cell("Bank details; Salary"),
            cell("Contract"),
            date,
            r#"<table:table-cell office:value-type="float" office:value="6"><text:p>6</text:p></table:table-cell>"#.to_string(),
        ]),
    ];
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Record">{}</table:table></office:spreadsheet></office:body></office:document-content>"#,
        rows.concat()
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let dir = tmp("ods");
    let file = dir.join("record.ods");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&file).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
    let out = dir.join("registry");
    let run = import(&file, &out);
    run.assert_exit(0);
    assert!(run.stdout.contains("imported 1 row"), "{}", run.stdout);
    // "6" alone is not a retention period: kept as words, for a person.
    let a: toml::Table =
        toml::from_str(&std::fs::read_to_string(out.join("activities/payroll.toml")).unwrap())
            .unwrap();
    assert_eq!(a["owner"].as_str(), Some("HR"));
    assert_eq!(
        a["legal_bases"].as_array().unwrap()[0].as_str(),
        Some("contract")
    );
    assert_eq!(a["data_categories"].as_array().unwrap().len(), 2);
    assert_eq!(
        a["dpia"]["completed"].as_datetime().map(|d| d.to_string()),
        Some("2024-03-01".into())
    );
    let retention = &a["retention"].as_array().unwrap()[0];
    assert!(retention.get("period").is_none());
    assert!(
        retention["note"]
            .as_str()
            .unwrap()
            .contains("'6' (Record!G7)")
    );
    let org: toml::Table =
        toml::from_str(&std::fs::read_to_string(out.join("organisation.toml")).unwrap()).unwrap();
    assert_eq!(org["name"].as_str(), Some("Acme & Co Ltd"));
    assert_eq!(org["email"].as_str(), Some("dp@acme.example"));
    assert_eq!(org["phone"].as_str(), Some("020 7946 0000"));
    assert_eq!(org["dpo"]["name"].as_str(), Some("Jo Bloggs"));
    assert!(org.get("representative").is_none());
    // No cell says where the organisation is established: left for a person.
    assert_eq!(org["country"].as_str(), Some(""));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Names with quotes, commas, `#` and line breaks come back as they were
/// (the export-quoting fixture) from ropa's XLSX, which says it is ropa's:
/// its lists are split on "; " only. (A CSV carries no such mark: a cell
/// with one name that has a comma is read as two names.)
#[test]
fn hostile_names_round_trip() {
    round_trip("tests/fixtures/export-quoting", "xlsx");
}

/// An XLSX as a spreadsheet program writes it: a business function merged
/// over two rows, a formula cell (its last computed value is read), a
/// date stored as a number with a date format, shared and inline strings.
#[test]
fn an_xlsx_with_merged_formula_and_date_cells() {
    use std::io::Write;
    let inline = |r: &str, t: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{t}</t></is></c>"#);
    let header = [
        "Business function",
        "Purpose of processing",
        "Categories of individuals",
        "Categories of personal data",
        "Article 6 lawful basis for processing personal data",
        "Data Protection Impact Assessment progress",
    ];
    let cols = ["A", "B", "C", "D", "E", "F"];
    let row1: String = header
        .iter()
        .zip(cols)
        .map(|(h, c)| inline(&format!("{c}1"), h))
        .collect();
    let row2 = [
        inline("A2", "Human resources"),
        inline("B2", "Payroll"),
        // =C3 in the file, computed as "Staff".
        r#"<c r="C2" t="str"><f>C3</f><v>Staff</v></c>"#.to_string(),
        r#"<c r="D2" t="s"><v>0</v></c>"#.to_string(),
        inline("E2", "Contract"),
        // 45352 is 2024-03-01 in Excel's 1900 date system.
        r#"<c r="F2" s="1"><v>45352</v></c>"#.to_string(),
    ]
    .concat();
    let row3 = [
        inline("B3", "Recruitment"),
        inline("C3", "Staff"),
        inline("D3", "CVs"),
        inline("E3", "Legitimate interests"),
    ]
    .concat();
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">{row1}</row><row r="2">{row2}</row><row r="3">{row3}</row></sheetData><mergeCells count="1"><mergeCell ref="A2:A3"/></mergeCells></worksheet>"#
    );
    let parts: [(&str, String); 7] = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#.into()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="ROPA" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#.into()),
        ("xl/styles.xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#.into()),
        ("xl/sharedStrings.xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>Bank details</t></si></sst>"#.into()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let dir = tmp("xlsx-cells");
    let file = dir.join("record.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&file).unwrap());
    for (name, text) in &parts {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    let out = dir.join("registry");
    let run = import(&file, &out);
    run.assert_exit(0);
    assert!(run.stdout.contains("imported 2 rows"), "{}", run.stdout);
    let read = |id: &str| -> toml::Table {
        toml::from_str(&std::fs::read_to_string(out.join(format!("activities/{id}.toml"))).unwrap())
            .unwrap()
    };
    let payroll = read("payroll");
    assert_eq!(payroll["owner"].as_str(), Some("Human resources"));
    assert_eq!(
        payroll["data_subjects"].as_array().unwrap()[0].as_str(),
        Some("staff")
    );
    assert_eq!(
        payroll["data_categories"].as_array().unwrap()[0].as_str(),
        Some("bank-details")
    );
    assert_eq!(
        payroll["dpia"]["completed"]
            .as_datetime()
            .map(|d| d.to_string()),
        Some("2024-03-01".into())
    );
    // The merged cell gives the second row its business function too.
    let recruitment = read("recruitment");
    assert_eq!(recruitment["owner"].as_str(), Some("Human resources"));
    assert_eq!(
        recruitment["legal_bases"].as_array().unwrap()[0].as_str(),
        Some("legitimate-interests")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// When the registry cannot be made, the error names the folder and
/// nothing is left behind (no registry, no temporary folder).
#[test]
fn a_registry_that_cannot_be_written() {
    let dir = tmp("unwritable");
    let file = dir.join("record.csv");
    export(&manifest_dir().join("examples/allocloud"), "csv", &file);
    let blocker = dir.join("plain-file");
    std::fs::write(&blocker, "").unwrap();
    let out = blocker.join("registry");
    let run = import(&file, &out);
    run.assert_exit(2);
    assert!(
        run.stderr.contains("a folder above it is a file"),
        "{}",
        run.stderr
    );
    let mut left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["plain-file", "record.csv"]);
    let _ = std::fs::remove_dir_all(&dir);
}
