//! Reading a spreadsheet into plain text cells: CSV with `csv`, XLSX and
//! ODS with `calamine`. Nothing here knows what a column means.
//!
//! Memory and time are bounded whatever the file declares: an XLSX sheet is
//! read cell by cell (calamine's dense range would span the first to the
//! last used cell), an ODS's content is measured before calamine lays it out
//! ([`ods`]), every cell kept is charged to one [`Budget`] per file, and a
//! zip package is refused when its parts unpack to more than ropa reads.

mod ods;

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{Data, DataRef, Reader, Xlsx};

use super::ImportError;

/// One sheet: its name and its rows of cells (as text, blank when empty),
/// row 0 being the sheet's first row whatever the file's used range.
#[derive(Debug, Default)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    /// The cell's text, blank outside the sheet.
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .map_or("", String::as_str)
    }

    /// `Sheet1!G14`, as a spreadsheet names the cell.
    pub fn address(&self, row: usize, col: usize) -> String {
        format!("{}!{}{}", self.name, column_name(col), row + 1)
    }
}

/// `A`, `Z`, `AA`...
pub fn column_name(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// Files larger than this are refused before they are read: a record of
/// 10,000 activities is a few MiB, and reading is in memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// At most this many cells are kept from one file, counting each row up to
/// the last one with a filled cell, and in each row the blank cells before
/// its last filled one (what the rows hold in memory). A record of 10,000
/// activities in 30 columns is 300,000.
pub const MAX_CELLS: usize = 4_000_000;

/// At most this much text is kept from one file: a shared string is stored
/// once in an XLSX but each cell that shows it gets its own copy.
pub const MAX_TEXT_BYTES: usize = 128 * 1024 * 1024;

/// The parts of a zip package (XLSX, ODS) may unpack to this much in all,
/// as its directory declares them (the zip reader holds each part to its
/// declared size): a zip bomb is refused before anything is unpacked.
const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;

/// A part that calamine reads whole into memory (an XLSX's shared strings,
/// styles, workbook and relationships) may unpack to this much.
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

/// An ODS's content.xml may unpack to this much: it is read twice, once
/// to measure it and once by calamine. A record of 10,000 activities
/// saved by LibreOffice Calc is 72 MiB (bench/import.sh).
const MAX_CONTENT_BYTES: u64 = 256 * 1024 * 1024;

/// The last row and column a sheet can have (XFD1048576), in XLSX and ODS.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: u32 = 16_384;

/// The sheets of `file`, by its extension.
pub fn read(file: &Path) -> Result<Vec<Sheet>, ImportError> {
    let len = std::fs::metadata(file)
        .map_err(|e| ImportError::file(file, e))?
        .len();
    if len > MAX_FILE_BYTES {
        return Err(ImportError::file(
            file,
            format!(
                "is {} MiB, larger than the {} MiB ropa imports; split the record into several files",
                len / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => read_csv(file),
        "xlsx" | "xlsm" => read_xlsx(file),
        "ods" => read_ods(file),
        // calamine reads these binary formats whole (a copy of a shared
        // string in every cell that shows it, the sheet's declared size
        // reserved up front) and indexes their records without checking
        // them, so a hostile file would exhaust memory or panic.
        "xls" => Err(ImportError::file(
            file,
            "is an Excel 97-2003 workbook (.xls), which ropa does not read: open it in the spreadsheet and save it as .xlsx (Excel Workbook)",
        )),
        "xlsb" => Err(ImportError::file(
            file,
            "is an Excel binary workbook (.xlsb), which ropa does not read: open it in the spreadsheet and save it as .xlsx (Excel Workbook)",
        )),
        _ => Err(ImportError::file(
            file,
            "is not a spreadsheet ropa reads: name a .xlsx, .ods or .csv file",
        )),
    }
}

fn read_csv(file: &Path) -> Result<Vec<Sheet>, ImportError> {
    let bytes = std::fs::read(file).map_err(|e| ImportError::file(file, e))?;
    // Excel writes a BOM before UTF-8 CSV.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if bytes.contains(&0) {
        return Err(ImportError::file(
            file,
            "is not a CSV file (it holds binary data)",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ImportError::file(
            file,
            format!(
                "is not UTF-8 text (byte {}); save it from the spreadsheet as \"CSV UTF-8\"",
                e.valid_up_to() + 1
            ),
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator(text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            ImportError::file(file, format!("cannot be read as CSV at row {}: {e}", i + 1))
        })?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(vec![Sheet { name, rows }])
}

/// The separator of a CSV file: `;` (what Excel writes where the decimal
/// mark is a comma), tab or `,`, whichever the first line (outside quotes)
/// has most of.
fn separator(text: &str) -> u8 {
    let (mut comma, mut semi, mut tab, mut quoted) = (0, 0, 0, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => comma += 1,
            ';' if !quoted => semi += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if semi > comma && semi >= tab {
        b';'
    } else if tab > comma {
        b'\t'
    } else {
        b','
    }
}

/// What one file's cells may still take: every cell kept and every byte of
/// its text is charged here, across all the sheets of the file.
#[derive(Debug)]
struct Budget {
    cells: usize,
    text: usize,
}

/// Which bound a file went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Over {
    Cells,
    Text,
}

impl Budget {
    fn new() -> Budget {
        Budget {
            cells: MAX_CELLS,
            text: MAX_TEXT_BYTES,
        }
    }

    fn spend(&mut self, cells: usize, text: usize) -> Result<(), Over> {
        self.cells = self.cells.checked_sub(cells).ok_or(Over::Cells)?;
        self.text = self.text.checked_sub(text).ok_or(Over::Text)?;
        Ok(())
    }
}

impl Over {
    fn error(self, file: &Path, sheet: &str) -> ImportError {
        let message = match self {
            Over::Cells => format!(
                "is larger than ropa imports: with sheet `{sheet}` it holds more than {} cells (counting the blank rows and cells before the last filled ones); delete the unused rows and columns, or split the record into several files",
                thousands(MAX_CELLS)
            ),
            Over::Text => format!(
                "is larger than ropa imports: with sheet `{sheet}` its cells hold more than {} MiB of text; split the record into several files",
                MAX_TEXT_BYTES / (1024 * 1024)
            ),
        };
        ImportError::file(file, message)
    }
}

/// `4,000,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Puts a filled cell into `rows`, growing them only as far as the cell:
/// a blank row stays an empty row, a row is as long as its last filled cell.
fn put(
    rows: &mut Vec<Vec<String>>,
    budget: &mut Budget,
    (r, c): (u32, u32),
    text: Cow<'_, str>,
) -> Result<(), Over> {
    let (r, c) = (r as usize, c as usize);
    if rows.len() <= r {
        budget.spend(r + 1 - rows.len(), 0)?;
        rows.resize_with(r + 1, Vec::new);
    }
    let row = &mut rows[r];
    if row.len() <= c {
        budget.spend(c + 1 - row.len(), 0)?;
        row.resize(c + 1, String::new());
    }
    // Charged before the text is copied: a shared string of megabytes
    // shown by thousands of cells is refused before its copies are made.
    budget.spend(0, text.len())?;
    row[c] = text.into_owned();
    Ok(())
}

/// A one-line error for a workbook that cannot be opened: an OLE compound
/// file with a workbook's extension is password-protected (or an .xls).
fn not_a_workbook(file: &Path, e: impl std::fmt::Display) -> ImportError {
    let mut magic = [0u8; 8];
    let ole = File::open(file)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if ole {
        ImportError::file(
            file,
            "is not a readable XLSX or ODS workbook: it is encrypted (password-protected) or an old .xls file; save it without a password as .xlsx",
        )
    } else {
        ImportError::file(
            file,
            format!("is not a readable XLSX or ODS workbook ({e})"),
        )
    }
}

/// Opens `file` as a zip package and refuses it when its parts, as its
/// directory declares them, unpack to more than ropa reads. `limit` gives
/// the bound of a part read whole (into memory or, for an ODS's content,
/// in a pass of its own).
fn open_package(
    file: &Path,
    limit: impl Fn(&str) -> Option<u64>,
) -> Result<zip::ZipArchive<BufReader<File>>, ImportError> {
    let f = File::open(file).map_err(|e| ImportError::file(file, e))?;
    let zip = zip::ZipArchive::new(BufReader::new(f)).map_err(|e| not_a_workbook(file, e))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_data(i).map_err(|e| not_a_workbook(file, e))?;
        let name = entry.name().map_err(|e| not_a_workbook(file, e))?;
        let size = entry.size();
        total = total.saturating_add(size);
        if let Some(max) = limit(&name)
            && size > max
        {
            return Err(ImportError::file(
                file,
                format!(
                    "is not a workbook ropa can read: its part `{name}` unpacks to {} MiB, more than the {} MiB ropa reads; save it again from the spreadsheet",
                    size / (1024 * 1024),
                    max / (1024 * 1024)
                ),
            ));
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(ImportError::file(
            file,
            format!(
                "is not a workbook ropa can read: it unpacks to {} MiB, more than the {} MiB ropa reads (a compressed file this small cannot hold that much data); save it again from the spreadsheet, or split the record into several files",
                total / (1024 * 1024),
                MAX_UNPACKED_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(zip)
}

/// The XLSX parts calamine reads whole into memory when it opens the
/// workbook (it finds them whatever their case).
fn xlsx_part_limit(name: &str) -> Option<u64> {
    let base = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    let whole = base.ends_with(".rels")
        || matches!(
            base.as_str(),
            "sharedstrings.xml" | "styles.xml" | "workbook.xml" | "theme1.xml"
        );
    whole.then_some(MAX_PART_BYTES)
}

/// At most this many styles (cell formats, fonts, fills, borders) in an
/// XLSX: calamine builds a style of about 150 bytes for each cell format
/// when it opens the workbook, and a format is a few bytes of XML. Excel
/// itself allows 64,000 cell formats.
const MAX_STYLES: u64 = 200_000;

/// Checks what calamine reads whole from an XLSX before it reads it: a
/// table of shared strings that declares more strings than ropa keeps
/// cells (calamine reserves room for them first), and styles past
/// [`MAX_STYLES`].
fn check_read_whole(
    file: &Path,
    zip: &mut zip::ZipArchive<BufReader<File>>,
) -> Result<(), ImportError> {
    let refuse = |what: String| {
        ImportError::file(
            file,
            format!("is not a workbook ropa can read: {what}; save it again from the spreadsheet"),
        )
    };
    each_element(zip, "sharedStrings.xml", |e| {
        if e.local_name().as_ref() != "sst" {
            return Ok(true);
        }
        let declared = e
            .attributes()
            .flatten()
            .find(|a| a.key.as_ref() == "uniqueCount")
            .and_then(|a| a.value.trim().parse::<u64>().ok());
        match declared {
            Some(n) if n > MAX_CELLS as u64 => Err(refuse(format!(
                "it declares {n} different texts, more than the {} cells ropa reads",
                thousands(MAX_CELLS)
            ))),
            _ => Ok(false),
        }
    })?;
    let mut styles: u64 = 0;
    each_element(zip, "styles.xml", |e| {
        if matches!(
            e.local_name().as_ref(),
            "xf" | "font" | "fill" | "border" | "numFmt" | "dxf"
        ) {
            styles += 1;
            if styles > MAX_STYLES {
                return Err(refuse(format!(
                    "it declares more than {} cell styles",
                    thousands(MAX_STYLES as usize)
                )));
            }
        }
        Ok(true)
    })
}

/// Streams each part of a package whose file name is `base` (whatever its
/// folder and case: calamine finds its parts through the package's
/// relationships), giving each element's start to `visit` until it returns
/// false. A part that is broken is calamine's to report.
fn each_element(
    zip: &mut zip::ZipArchive<BufReader<File>>,
    base: &str,
    mut visit: impl FnMut(&quick_xml::events::BytesStart<'_>) -> Result<bool, ImportError>,
) -> Result<(), ImportError> {
    let parts: Vec<usize> = (0..zip.len())
        .filter(|&i| {
            zip.name_for_index(i).and_then(Result::ok).is_some_and(|n| {
                n.rsplit('/')
                    .next()
                    .is_some_and(|b| b.eq_ignore_ascii_case(base))
            })
        })
        .collect();
    for index in parts {
        let Ok(part) = zip.by_index(index) else {
            continue;
        };
        let mut xml = quick_xml::Reader::from_reader(BufReader::new(part));
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                    if !visit(&e)? {
                        break;
                    }
                }
                Ok(quick_xml::events::Event::Eof) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }
    Ok(())
}

fn read_xlsx(file: &Path) -> Result<Vec<Sheet>, ImportError> {
    let mut zip = open_package(file, xlsx_part_limit)?;
    check_read_whole(file, &mut zip)?;
    drop(zip);
    let mut book: Xlsx<_> = calamine::open_workbook(file).map_err(|e| not_a_workbook(file, e))?;
    let mut budget = Budget::new();
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let mut rows = Vec::new();
        let mut cells = match book.worksheet_cells_reader(&name) {
            Ok(cells) => Some(cells),
            // A chart sheet has no cells.
            Err(calamine::XlsxError::NotAWorksheet(_)) => None,
            Err(e) => return Err(sheet_unreadable(file, &name, e)),
        };
        while let Some(reader) = cells.as_mut() {
            let Some(cell) = reader
                .next_cell()
                .map_err(|e| sheet_unreadable(file, &name, e))?
            else {
                break;
            };
            let (r, c) = cell.get_position();
            if r >= MAX_ROWS || c >= MAX_COLUMNS {
                return Err(ImportError::file(
                    file,
                    format!(
                        "sheet `{name}` has a cell beyond the last one a sheet can have (XFD1048576), at row {} column {}; the file is damaged: save it again from the spreadsheet",
                        u64::from(r) + 1,
                        u64::from(c) + 1
                    ),
                ));
            }
            let text = cell_text(cell.get_value());
            if !text.is_empty() {
                put(&mut rows, &mut budget, (r, c), text).map_err(|o| o.error(file, &name))?;
            }
        }
        drop(cells);
        // A merged cell (a business function over several rows) holds its
        // value in its top-left cell only: every cell of it gets the value.
        if let Ok(regions) = book.merge_cells_by_sheet_name(&name) {
            for m in regions {
                fill(&mut rows, &mut budget, m.start, m.end).map_err(|o| o.error(file, &name))?;
            }
        }
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}

fn sheet_unreadable(file: &Path, name: &str, e: impl std::fmt::Display) -> ImportError {
    ImportError::file(file, format!("sheet `{name}` cannot be read ({e})"))
}

fn read_ods(file: &Path) -> Result<Vec<Sheet>, ImportError> {
    let mut zip = open_package(file, |name| {
        (name == "content.xml").then_some(MAX_CONTENT_BYTES)
    })?;
    // calamine lays every sheet out whole when it opens the file: what it
    // would allocate is measured first, and the merged regions (which
    // calamine does not give) are collected on the way.
    let layout = ods::scan(&mut zip).map_err(|e| e.error(file))?;
    drop(zip);
    let mut book: calamine::Ods<_> =
        calamine::open_workbook(file).map_err(|e| not_a_workbook(file, e))?;
    let mut budget = Budget::new();
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| sheet_unreadable(file, &name, e))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        for (r, c, data) in range.used_cells() {
            let data = data_ref(data);
            let text = cell_text(&data);
            if text.is_empty() {
                continue;
            }
            // Within the sheet's bounds: calamine caps its rows and columns.
            let pos = (r0 + r as u32, c0 + c as u32);
            put(&mut rows, &mut budget, pos, text).map_err(|o| o.error(file, &name))?;
        }
        drop(range);
        for &(start, end) in layout.merged(&name) {
            fill(&mut rows, &mut budget, start, end).map_err(|o| o.error(file, &name))?;
        }
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}

/// At most this many cells of one merged region are filled: a record's
/// merged cells span a few rows of one column, and a region declared over
/// a whole sheet must not become billions of copies of its text.
const MAX_MERGED_CELLS: usize = 100_000;

/// Copies the top-left cell of a merged region into each of its cells,
/// within the sheet's own rows and columns (a region may be declared wider
/// than the data); every copy is charged to the file's budget.
fn fill(
    rows: &mut [Vec<String>],
    budget: &mut Budget,
    (r0, c0): (u32, u32),
    (r1, c1): (u32, u32),
) -> Result<(), Over> {
    let (r0, c0, r1, c1) = (r0 as usize, c0 as usize, r1 as usize, c1 as usize);
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if r1 < r0 || c1 < c0 || c0 >= width {
        return Ok(());
    }
    let c1 = c1.min(width - 1);
    let r1 = r1.min(rows.len().saturating_sub(1));
    if r1 < r0 || (r1 - r0 + 1).saturating_mul(c1 - c0 + 1) > MAX_MERGED_CELLS {
        return Ok(());
    }
    let Some(value) = rows.get(r0).and_then(|r| r.get(c0)).cloned() else {
        return Ok(());
    };
    if value.is_empty() {
        return Ok(());
    }
    for row in rows.iter_mut().take(r1 + 1).skip(r0) {
        if row.len() <= c1 {
            budget.spend(c1 + 1 - row.len(), 0)?;
            row.resize(c1 + 1, String::new());
        }
        for cell in &mut row[c0..=c1] {
            budget.spend(0, value.len())?;
            cell.clone_from(&value);
        }
    }
    Ok(())
}

/// An ODS cell as an XLSX one, so that one function says what a cell's
/// text is.
fn data_ref(d: &Data) -> DataRef<'_> {
    match d {
        Data::Empty => DataRef::Empty,
        Data::String(s) => DataRef::SharedString(s),
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(dt) => DataRef::DateTime(*dt),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
    }
}

/// A cell's text. A formula cell holds its last computed value; a date
/// stored as a number (with a date format) becomes an ISO date.
fn cell_text<'a>(d: &'a DataRef<'_>) -> Cow<'a, str> {
    match d {
        DataRef::Empty => Cow::Borrowed(""),
        DataRef::String(s) => Cow::Borrowed(s),
        DataRef::SharedString(s) => Cow::Borrowed(s),
        DataRef::Int(i) => Cow::Owned(i.to_string()),
        DataRef::Float(f) => Cow::Owned(if f.fract() == 0.0 && f.abs() < 1e15 {
            format!("{}", *f as i64)
        } else {
            f.to_string()
        }),
        DataRef::Bool(b) => Cow::Borrowed(if *b { "Yes" } else { "No" }),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            Cow::Owned(if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
            })
        }
        DataRef::DateTime(dt) => Cow::Owned(dt.as_f64().to_string()),
        DataRef::DateTimeIso(s) => Cow::Borrowed(s.strip_suffix("T00:00:00").unwrap_or(s)),
        DataRef::DurationIso(s) => Cow::Borrowed(s),
        // An error value (`#REF!`) says nothing about the record.
        DataRef::Error(_) => Cow::Borrowed(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_limit_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("record.csv");
        // Sparse: no disk is used for its length.
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_FILE_BYTES + 1)
            .unwrap();
        let Err(e) = read(&big) else {
            panic!("read a file over the limit");
        };
        assert!(e.to_string().contains("larger than the 256 MiB"), "{e}");
    }

    #[test]
    fn merged_regions_stay_within_the_sheet_and_a_bound() {
        let mut budget = Budget::new();
        let mut rows = vec![
            vec!["HR".to_string(), "a".to_string()],
            vec![String::new(), "b".to_string()],
            vec![String::new(), "c".to_string()],
        ];
        // Declared over the whole sheet's width and far below its last row.
        fill(&mut rows, &mut budget, (0, 0), (1_048_575, 16_383)).unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.len() == 2), "{rows:?}");
        assert_eq!(rows[2][0], "HR");
        // A region larger than the bound is left as it is.
        let mut wide = vec![vec![String::new(); 1_000]; 200];
        wide[0][0] = "x".into();
        fill(&mut wide, &mut budget, (0, 0), (199, 999)).unwrap();
        assert_eq!(wide[1][0], "");
        // A region whose end is before its start, or which starts below
        // the last row, is ignored.
        let mut grid = vec![vec!["a".to_string(), "b".to_string()]];
        fill(&mut grid, &mut budget, (0, 1), (0, 0)).unwrap();
        fill(&mut grid, &mut budget, (5, 0), (9, 1)).unwrap();
        assert_eq!(grid, [["a", "b"]]);
    }

    #[test]
    fn merged_copies_are_charged_to_the_budget() {
        // 100 regions of 10,000 cells each: a million copies of 100 bytes.
        let mut rows = vec![vec![String::new(); 100]; 10_000];
        let mut budget = Budget::new();
        let mut refused = None;
        for c in 0..100 {
            rows[0][c] = "x".repeat(100) + &c.to_string();
            if let Err(over) = fill(&mut rows, &mut budget, (0, c as u32), (9_999, c as u32)) {
                refused = Some(over);
                break;
            }
        }
        assert_eq!(
            refused, None,
            "a million cells of 100 bytes is within bounds"
        );
        let mut budget = Budget {
            cells: MAX_CELLS,
            text: 1_000_000,
        };
        assert_eq!(
            fill(&mut rows, &mut budget, (0, 0), (9_999, 0)),
            Err(Over::Text)
        );
    }

    #[test]
    fn rows_grow_only_as_far_as_their_last_filled_cell() {
        let mut rows = Vec::new();
        let mut budget = Budget::new();
        put(&mut rows, &mut budget, (3, 2), Cow::Borrowed("x")).unwrap();
        put(&mut rows, &mut budget, (1, 0), Cow::Borrowed("y")).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0], Vec::<String>::new());
        assert_eq!(rows[1], ["y"]);
        assert_eq!(rows[3], ["", "", "x"]);
        // Four rows and four cells.
        assert_eq!(budget.cells, MAX_CELLS - 8);
        assert_eq!(budget.text, MAX_TEXT_BYTES - 2);
    }

    #[test]
    fn a_cell_at_the_last_corner_is_read_within_bounds_but_not_a_sheet_of_them() {
        let mut rows = Vec::new();
        let mut budget = Budget::new();
        put(&mut rows, &mut budget, (0, 0), Cow::Borrowed("a")).unwrap();
        put(
            &mut rows,
            &mut budget,
            (1_048_575, 16_383),
            Cow::Borrowed("b"),
        )
        .unwrap();
        assert_eq!(rows.len(), 1_048_576);
        assert!(rows[1].is_empty() && rows[1_048_574].is_empty());
        assert_eq!(rows[1_048_575].len(), 16_384);
        // Each further row reaching the last column costs 16,384 cells.
        let mut over = None;
        for r in (0..1_048_575).rev() {
            if let Err(o) = put(&mut rows, &mut budget, (r, 16_383), Cow::Borrowed("c")) {
                over = Some((o, r));
                break;
            }
        }
        let (o, r) = over.unwrap();
        assert_eq!(o, Over::Cells);
        assert!(((1_048_575 - r) as usize) < MAX_CELLS / 16_384, "{r}");
    }

    #[test]
    fn a_long_shared_string_is_refused_before_it_is_copied_too_often() {
        let long = "x".repeat(10 << 20);
        let mut rows = Vec::new();
        let mut budget = Budget::new();
        let copies = (0..100_000u32)
            .take_while(|&r| put(&mut rows, &mut budget, (r, 0), Cow::Borrowed(&long)).is_ok())
            .count();
        assert_eq!(copies, MAX_TEXT_BYTES / long.len());
    }

    #[test]
    fn cell_texts() {
        use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};
        let text = |d: DataRef<'_>| cell_text(&d).into_owned();
        assert_eq!(text(DataRef::SharedString("HR")), "HR");
        assert_eq!(text(DataRef::Float(3.0)), "3");
        assert_eq!(text(DataRef::Float(2.5)), "2.5");
        assert_eq!(text(DataRef::Bool(true)), "Yes");
        assert_eq!(text(DataRef::Error(CellErrorType::Ref)), "");
        let date = ExcelDateTime::new(46_000.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(text(DataRef::DateTime(date)), "2025-12-09");
        assert_eq!(
            text(DataRef::DateTimeIso("2026-01-31T00:00:00".into())),
            "2026-01-31"
        );
        assert_eq!(text(data_ref(&Data::String("a".into()))), "a");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(4_000_000), "4,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
    }

    /// tests/fixtures/import/merged.ods is merged.fods saved by LibreOffice
    /// Calc 7.4 (`soffice --headless --convert-to ods`): blank rows and
    /// columns written as repeats, covered cells, regions over rows and
    /// columns.
    fn merged_ods() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/merged.ods")
    }

    #[test]
    fn ods_merged_regions_are_found_where_calamine_puts_their_values() {
        let file = merged_ods();
        let mut zip = open_package(&file, |_| None).unwrap();
        let layout = ods::scan(&mut zip).unwrap();
        let mut book: calamine::Ods<_> = calamine::open_workbook(&file).unwrap();
        let mut found = Vec::new();
        for sheet in ["Notes", "Record"] {
            let range = book.worksheet_range(sheet).unwrap();
            for &(start, end) in layout.merged(sheet) {
                let value = range
                    .get_value(start)
                    .map(|d| cell_text(&data_ref(d)).into_owned());
                found.push((sheet, start, end, value.unwrap_or_default()));
            }
        }
        assert_eq!(
            found,
            [
                ("Notes", (0, 0), (0, 2), "Record of processing".to_string()),
                ("Notes", (2, 2), (3, 3), "42".to_string()),
                ("Record", (3, 1), (4, 1), "HR".to_string()),
            ]
        );
    }

    #[test]
    fn ods_merged_cells_are_filled() {
        let sheets = read(&merged_ods()).unwrap();
        let notes = &sheets[0];
        assert_eq!(notes.name, "Notes");
        assert_eq!(notes.rows[0], ["Record of processing"; 3]);
        assert!(notes.rows[1].is_empty());
        assert_eq!(notes.rows[2], ["", "", "42", "42"]);
        assert_eq!(notes.rows[3], ["", "", "42", "42", "end"]);
        let record = &sheets[1];
        assert_eq!(record.cell(2, 1), "Business Function");
        assert_eq!(record.cell(3, 1), "HR");
        assert_eq!(record.cell(4, 1), "HR");
        assert_eq!(record.cell(4, 2), "Recruitment");
    }

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(29), "AD");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn separators() {
        assert_eq!(separator("a;b;c\n1,5;2;3"), b';');
        assert_eq!(separator("a,b,c\n1;2;3"), b',');
        assert_eq!(separator("\"a;b\",c\n"), b',');
        assert_eq!(separator("a\tb\n"), b'\t');
    }
}
