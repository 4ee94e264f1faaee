//! `ropa import ico` on hostile spreadsheets, built here byte by byte: each
//! is read within bounds or refused with one line naming the file (and
//! the sheet), and nothing is written. The imports run under a 1 GiB
//! address-space limit (`ulimit -v`): a file that made ropa allocate
//! gigabytes would end in an allocation failure, not in the error asserted.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Run, manifest_dir, ropa_command, run_with_timeout};

/// 1 GiB, in the KiB `ulimit -v` counts.
const ADDRESS_SPACE_KIB: u64 = 1024 * 1024;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ropa-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `ropa import ico FILE --out OUT` under the address-space limit.
fn import_limited(file: &Path, out: &Path) -> Run {
    let ropa = ropa_command();
    let mut sh = std::process::Command::new("sh");
    for (k, v) in ropa.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    // `exec`, so that the limit and the exit status are ropa's own.
    sh.current_dir(manifest_dir())
        .arg("-c")
        .arg(format!(
            r#"ulimit -v {ADDRESS_SPACE_KIB} && exec "$0" import ico "$1" --out "$2""#
        ))
        .arg(ropa.get_program())
        .arg(file)
        .arg(out);
    run_with_timeout(sh, Duration::from_secs(120))
}

/// Refused with exit 2 and one line naming the file and saying `says`;
/// nothing but the file is left in its folder.
#[track_caller]
fn assert_refused(file: &Path, says: &str) {
    let dir = file.parent().unwrap();
    let run = import_limited(file, &dir.join("registry"));
    let line = run.stderr.trim();
    assert_eq!(run.code, Some(2), "{line}");
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.starts_with("error: "), "{line}");
    assert!(
        line.contains(file.file_name().unwrap().to_str().unwrap()),
        "{line}"
    );
    assert!(line.contains(says), "{line}");
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![file.file_name().unwrap().to_owned()], "{line}");
}

/// A workbook of one sheet `Record` with `sheet` as its worksheet's cells
/// and `more` parts (shared strings, styles), deflated as a spreadsheet
/// writes it.
fn xlsx(file: &Path, sheet: &str, more: &[(&str, &str)]) {
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Record" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::fs::File::create(file).unwrap());
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for (name, text) in parts {
        zip.start_file(name, deflated).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", deflated)
        .unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#).unwrap();
    zip.write_all(sheet.as_bytes()).unwrap();
    zip.write_all(b"</sheetData></worksheet>").unwrap();
    for (name, text) in more {
        zip.start_file(*name, deflated).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

fn inline(cell: &str, text: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The ICO controller record's header and one activity, in row 1 and 2.
fn ico_rows() -> String {
    let header = [
        "Business Function",
        "Purpose of processing",
        "Categories of individuals",
        "Categories of personal data",
        "Article 6 lawful basis for processing personal data",
    ];
    let row = ["HR", "Payroll", "Staff", "Bank details", "Contract"];
    let cells = |r: usize, texts: &[&str]| -> String {
        texts
            .iter()
            .enumerate()
            .map(|(c, t)| inline(&format!("{}{r}", (b'A' + c as u8) as char), t))
            .collect()
    };
    format!(
        r#"<row r="1">{}</row><row r="2">{}</row>"#,
        cells(1, &header),
        cells(2, &row)
    )
}

/// Cells at A1 and XFD1048576 once made calamine lay out the whole sheet
/// (17 billion cells): read cell by cell, the record is imported within
/// the limit.
#[test]
fn an_xlsx_with_a_cell_in_the_last_corner_is_read_within_bounds() {
    let dir = tmp("corner");
    let file = dir.join("record.xlsx");
    let sheet = format!(
        r#"{}<row r="1048576">{}</row>"#,
        ico_rows(),
        inline("XFD1048576", "far away")
    );
    xlsx(&file, &sheet, &[]);
    let out = dir.join("registry");
    let run = import_limited(&file, &out);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // The far cell's row is read too, and the cell is reported by its
    // address: it has no column header.
    assert!(run.stdout.contains("imported 2 rows"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("Record!XFD1048576: 'far away': the column has no header"),
        "{}",
        run.stdout
    );
    assert!(out.join("activities/payroll.toml").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same corner cell in a row past the last one a sheet can have.
#[test]
fn an_xlsx_with_a_cell_past_the_last_row_is_refused() {
    let dir = tmp("past");
    let file = dir.join("record.xlsx");
    let sheet = format!(r#"<row r="1048577">{}</row>"#, inline("A1048577", "x"));
    xlsx(&file, &sheet, &[]);
    assert_refused(
        &file,
        "sheet `Record` has a cell beyond the last one a sheet can have (XFD1048576), at row 1048577 column 1",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A shared string is stored once but copied into each cell that shows it:
/// 10 MB shown by 100,000 cells would be a terabyte of text.
#[test]
fn a_long_shared_string_in_many_cells_is_refused() {
    let dir = tmp("shared");
    let file = dir.join("record.xlsx");
    let shared = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="100000" uniqueCount="1"><si><t>{}</t></si></sst>"#,
        "x".repeat(10_000_000)
    );
    let sheet: String = (1..=100_000)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#))
        .collect();
    xlsx(&file, &sheet, &[("xl/sharedStrings.xml", &shared)]);
    assert_refused(
        &file,
        "is larger than ropa imports: with sheet `Record` its cells hold more than 128 MiB of text",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A shared-strings table that declares more strings than any record has
/// (calamine reserves room for them before reading one).
#[test]
fn a_shared_string_count_past_the_bound_is_refused() {
    let dir = tmp("count");
    let file = dir.join("record.xlsx");
    let shared = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1000000000000"><si><t>x</t></si></sst>"#;
    xlsx(&file, &ico_rows(), &[("xl/sharedStrings.xml", shared)]);
    assert_refused(&file, "it declares 1000000000000 different texts");
    let _ = std::fs::remove_dir_all(&dir);
}

/// calamine builds a style for each cell format when it opens the
/// workbook: a few bytes of XML each, about 150 bytes in memory.
#[test]
fn styles_past_the_bound_are_refused() {
    let dir = tmp("styles");
    let file = dir.join("record.xlsx");
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>{}</cellXfs></styleSheet>"#,
        "<xf/>".repeat(200_001)
    );
    xlsx(&file, &ico_rows(), &[("xl/styles.xml", &styles)]);
    assert_refused(&file, "it declares more than 200,000 cell styles");
    let _ = std::fs::remove_dir_all(&dir);
}

/// An ODS package with `content` as its content.xml.
fn ods(file: &Path, content: &[u8]) {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(file).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = stored.compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content).unwrap();
    zip.finish().unwrap();
}

fn ods_content(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Record">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    )
}

/// One filled cell repeated over every column of every row: calamine
/// would lay out 17 billion copies of it.
#[test]
fn an_ods_cell_repeated_over_the_whole_sheet_is_refused() {
    let dir = tmp("ods-repeat");
    let file = dir.join("record.ods");
    let content = ods_content(
        r#"<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>HR</text:p></table:table-cell></table:table-row>"#,
    );
    ods(&file, content.as_bytes());
    assert_refused(
        &file,
        "is larger than ropa imports: with sheet `Record` its cells hold more than 128 MiB of text",
    );
    // A number has no text: the cells are past the bound.
    let content = content.replace(
        r#"office:value-type="string"><text:p>HR</text:p></table:table-cell>"#,
        r#"office:value-type="float" office:value="1"/>"#,
    );
    ods(&file, content.as_bytes());
    assert_refused(
        &file,
        "is larger than ropa imports: with sheet `Record` it holds more than 4,000,000 cells",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Offsets in a zip's headers (APPNOTE 4.3.7 and 4.3.12).
const LOCAL_HEADER: &[u8] = b"PK\x03\x04";
const CENTRAL_HEADER: &[u8] = b"PK\x01\x02";

/// Sets the uncompressed size that the headers of `part` declare.
fn declare_size(file: &Path, part: &str, size: u32) {
    let mut bytes = std::fs::read(file).unwrap();
    let mut patched = 0;
    for at in 0..bytes.len().saturating_sub(46) {
        let (name_at, size_at) = if bytes[at..].starts_with(LOCAL_HEADER) {
            (at + 30, at + 22)
        } else if bytes[at..].starts_with(CENTRAL_HEADER) {
            (at + 46, at + 24)
        } else {
            continue;
        };
        let len_at = if bytes[at..].starts_with(LOCAL_HEADER) {
            at + 26
        } else {
            at + 28
        };
        let len = u16::from_le_bytes([bytes[len_at], bytes[len_at + 1]]) as usize;
        if bytes.get(name_at..name_at + len) == Some(part.as_bytes()) {
            bytes[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "the local and central headers of {part}");
    std::fs::write(file, bytes).unwrap();
}

/// A zip bomb: content.xml declares that it unpacks to 4 GiB. And one that
/// lies, declaring a few bytes but unpacking to megabytes: the zip reader
/// stops at the declared size.
#[test]
fn an_ods_whose_content_unpacks_past_the_bound_is_refused() {
    let dir = tmp("ods-bomb");
    let file = dir.join("record.ods");
    let padding = " ".repeat(8 << 20);
    let content = ods_content(&format!(
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>HR</text:p></table:table-cell></table:table-row><!--{padding}-->"#
    ));
    ods(&file, content.as_bytes());
    declare_size(&file, "content.xml", u32::MAX);
    assert_refused(
        &file,
        "is not a workbook ropa can read: its part `content.xml` unpacks to 4095 MiB, more than the 256 MiB ropa reads",
    );
    ods(&file, content.as_bytes());
    declare_size(&file, "content.xml", 1000);
    assert_refused(
        &file,
        "is not a readable XLSX or ODS workbook (content.xml:",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// calamine reads old and binary Excel workbooks whole and trusts their
/// records: they are refused with the way out.
#[test]
fn xls_and_xlsb_are_refused_with_a_hint() {
    let dir = tmp("xls");
    for name in ["record.xls", "record.xlsb"] {
        let file = dir.join(name);
        std::fs::write(&file, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").unwrap();
        assert_refused(
            &file,
            "which ropa does not read: open it in the spreadsheet and save it as .xlsx",
        );
        std::fs::remove_file(&file).unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A merged cell in an ODS (a business function over two rows) belongs to
/// each row, as in an XLSX; the file is what LibreOffice Calc writes
/// (tests/fixtures/import/merged.ods).
#[test]
fn an_ods_merged_cell_belongs_to_each_row() {
    let dir = tmp("ods-merged");
    let file = dir.join("record.ods");
    std::fs::copy(
        manifest_dir().join("tests/fixtures/import/merged.ods"),
        &file,
    )
    .unwrap();
    let out = dir.join("registry");
    let run = import_limited(&file, &out);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("imported 2 rows"), "{}", run.stdout);
    for activity in ["payroll", "recruitment"] {
        let a: toml::Table = toml::from_str(
            &std::fs::read_to_string(out.join(format!("activities/{activity}.toml"))).unwrap(),
        )
        .unwrap();
        assert_eq!(a["owner"].as_str(), Some("HR"), "{activity}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
