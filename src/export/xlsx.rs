//! The two ICO sheets as a real spreadsheet: "Controller" (Art. 30(1)) and
//! "Processor" (Art. 30(2)) with the columns and cells of the CSV export
//! ([`super::ico`]), then "Organisation" with the contact block of the ICO
//! template's rows 1-6.
//!
//! Deterministic: the document's creation date is the register's as-of
//! date, not the wall clock, so the same register gives the same bytes.
//!
//! Written here, not through a spreadsheet library: the cells are made a
//! row at a time into each sheet's XML, and only the distinct cell texts
//! are held until `xl/sharedStrings.xml`, the last large part, is written.
//! The parts, their order and the zip's settings are those rust_xlsxwriter
//! 0.102 wrote (the crate this replaced), so a register gives the same
//! bytes as before.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::io::{self, Write};

use rustc_hash::FxHashMap;
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::ico::{self, Record};
use crate::link::Register;

/// Excel's limit on the length of a cell, in UTF-16 code units.
const CELL_LIMIT: usize = 32_767;
const TRUNCATED: &str =
    "… [truncated: Excel cells hold at most 32,767 characters; see the JSON register]";

/// Excel's limit on the rows of a sheet.
const ROW_LIMIT: usize = 1_048_576;

/// `text`, cut to fit in one Excel cell with a note saying so.
fn fit(text: &str) -> Cow<'_, str> {
    // A character takes no more UTF-16 units than UTF-8 bytes: most cells
    // are known to fit without counting.
    if text.len() <= CELL_LIMIT || text.encode_utf16().count() <= CELL_LIMIT {
        return text.into();
    }
    let budget = CELL_LIMIT - TRUNCATED.encode_utf16().count();
    let mut used = 0;
    let mut out = String::new();
    for c in text.chars() {
        used += c.len_utf16();
        if used > budget {
            break;
        }
        out.push(c);
    }
    out.push_str(TRUNCATED);
    out.into()
}

/// Why a workbook could not be written.
#[derive(Debug)]
enum Error {
    /// A record has more activities than a sheet has rows.
    TooManyRows,
    /// The as-of date is outside Excel's dates (1900 to 9999).
    Date(String),
    Zip(zip::result::ZipError),
}

impl fmt::Display for Error {
    // The wording of rust_xlsxwriter's errors, which these replace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TooManyRows => {
                f.write_str("Row or column exceeds Excel's allowed limits (1,048,576 x 16,384).")
            }
            Error::Date(why) => write!(f, "Parameter error: 'Date range error: '{why}''."),
            Error::Zip(e) => write!(f, "{e}"),
        }
    }
}

impl From<zip::result::ZipError> for Error {
    fn from(e: zip::result::ZipError) -> Self {
        Error::Zip(e)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Zip(e.into())
    }
}

/// The three cell formats.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Bold on blue with a line below: the header rows.
    Header,
    /// Wrapped, aligned to the top.
    Cell,
    /// Bold: the labels of the "Organisation" sheet.
    Label,
}

impl Style {
    fn xf(self) -> &'static str {
        match self {
            Style::Header => {
                r#"<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>"#
            }
            Style::Cell => {
                r#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>"#
            }
            Style::Label => {
                r#"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>"#
            }
        }
    }
}

/// The formats in the order of the cell formats of `xl/styles.xml`: the
/// order in which the cells first use them (as rust_xlsxwriter numbered
/// them). The record sheets' data rows use `Cell` before the
/// "Organisation" sheet uses `Label`; without any such row, `Label` comes
/// first (row 2 of "Organisation" is a label, then cells).
struct Styles([Style; 3]);

impl Styles {
    fn new(has_record_rows: bool) -> Self {
        if has_record_rows {
            Styles([Style::Header, Style::Cell, Style::Label])
        } else {
            Styles([Style::Header, Style::Label, Style::Cell])
        }
    }

    /// The `s` attribute of a cell: 0 is the default format.
    fn index(&self, style: Style) -> u32 {
        let at = self.0.iter().position(|s| *s == style).unwrap_or(0);
        at as u32 + 1
    }

    fn xml(&self) -> String {
        let mut out = String::from(STYLES_HEAD);
        for s in self.0 {
            out.push_str(s.xf());
        }
        out.push_str(STYLES_TAIL);
        out
    }
}

/// The distinct texts of the string cells, numbered in the order of first
/// use (Excel's shared strings), and how many string cells there are.
#[derive(Default)]
struct SharedStrings {
    index: FxHashMap<Box<str>, u32>,
    count: u32,
}

impl SharedStrings {
    /// The number of `text`, kept if it is new.
    fn add(&mut self, text: Cow<'_, str>) -> u32 {
        self.count += 1;
        if let Some(&i) = self.index.get(text.as_ref()) {
            return i;
        }
        let i = self.index.len() as u32;
        self.index.insert(text.into_owned().into_boxed_str(), i);
        i
    }

    /// `xl/sharedStrings.xml`. Each text is let go once it is written, so
    /// the texts and their XML are not both held whole.
    fn into_xml(self) -> io::Result<Vec<u8>> {
        let blank = ['\t', '\n', ' '];
        let si = |out: &mut dyn Write, text: &str| -> io::Result<()> {
            if text.starts_with(blank) || text.ends_with(blank) {
                out.write_all(br#"<si><t xml:space="preserve">"#)?;
            } else {
                out.write_all(b"<si><t>")?;
            }
            write_text(out, text, true)?;
            out.write_all(b"</t></si>")
        };
        let head = format!(
            "{DECLARATION}<sst xmlns=\"{MAIN_NS}\" count=\"{}\" uniqueCount=\"{}\">",
            self.count,
            self.index.len()
        );
        // The exact size first: a buffer grown by doubling would, for the
        // generated registry's 41 MB, briefly take three times that.
        let mut size = Counter(head.len() + "</sst>".len());
        for text in self.index.keys() {
            si(&mut size, text)?;
        }
        let mut texts: Vec<Option<Box<str>>> = vec![None; self.index.len()];
        for (text, i) in self.index {
            texts[i as usize] = Some(text);
        }
        let mut out = Vec::with_capacity(size.0);
        out.extend_from_slice(head.as_bytes());
        for text in texts.iter_mut() {
            if let Some(text) = text.take() {
                si(&mut out, &text)?;
            }
        }
        out.extend_from_slice(b"</sst>");
        Ok(out)
    }
}

/// Counts what is written to it.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `text` as XML character data. With `excel_escapes`, in Excel's own
/// escapes too: control characters as `_xHHHH_`, and a literal `_xHHHH_`
/// with its `_` escaped (`_x005F`) so that it is not read as one.
fn write_text<W: Write + ?Sized>(out: &mut W, text: &str, excel_escapes: bool) -> io::Result<()> {
    let b = text.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        let (escape, len): (Cow<'_, str>, usize) = match b[i] {
            b'&' => ("&amp;".into(), 1),
            b'<' => ("&lt;".into(), 1),
            b'>' => ("&gt;".into(), 1),
            c @ (0..=0x08 | 0x0B..=0x1F) => (format!("_x{c:04X}_").into(), 1),
            0xEF if b[i + 1..].starts_with(&[0xBF, 0xBE]) => ("_xFFFE_".into(), 3),
            0xEF if b[i + 1..].starts_with(&[0xBF, 0xBF]) => ("_xFFFF_".into(), 3),
            b'_' if excel_escapes && looks_escaped(&b[i..]) => {
                // The `_` itself stays in the run.
                out.write_all(&b[run..i])?;
                out.write_all(b"_x005F")?;
                run = i;
                i += 1;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.write_all(&b[run..i])?;
        out.write_all(escape.as_bytes())?;
        i += len;
        run = i;
    }
    out.write_all(&b[run..])
}

/// Whether `b` starts with `_xHHHH_` (four hexadecimal digits).
fn looks_escaped(b: &[u8]) -> bool {
    b.len() >= 7 && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

/// A column's letters: 0 is `A`, 26 is `AA`.
fn column_name(col: usize) -> String {
    let mut name = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        name.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8_lossy(&name).into_owned()
}

/// `A1:B2` (zero-based rows and columns); one cell is `A1`.
fn range(first_row: usize, first_col: usize, last_row: usize, last_col: usize) -> String {
    let first = format!("{}{}", column_name(first_col), first_row + 1);
    let last = format!("{}{}", column_name(last_col), last_row + 1);
    if first == last {
        first
    } else {
        format!("{first}:{last}")
    }
}

/// One cell: a shared string or, for empty text, a formatted blank.
#[derive(Clone, Copy)]
struct Cell {
    col: usize,
    style: u32,
    string: Option<u32>,
}

impl Cell {
    fn new(col: usize, style: u32, text: Cow<'_, str>, strings: &mut SharedStrings) -> Self {
        // Excel keeps no empty strings: a blank cell keeps the format.
        let string = (!text.is_empty()).then(|| strings.add(text));
        Cell { col, style, string }
    }
}

/// The `<sheetData>` of a sheet, written 16 rows at a time: each `<row>`
/// names the columns in use in its block of 16 rows (`spans`), so a block
/// is held until its last row is known.
struct SheetData<'w, W: Write> {
    out: &'w mut W,
    /// Column letters, by column.
    names: Vec<String>,
    block: usize,
    /// Row number, whether it is the tall header row, end of its cells.
    rows: Vec<(usize, bool, usize)>,
    cells: String,
    span: Option<(usize, usize)>,
}

impl<'w, W: Write> SheetData<'w, W> {
    fn new(out: &'w mut W, columns: usize) -> Self {
        SheetData {
            out,
            names: (0..columns).map(column_name).collect(),
            block: 0,
            rows: Vec::new(),
            cells: String::new(),
            span: None,
        }
    }

    /// Row `r` (zero-based, rows in order), with cells in column order.
    fn row(&mut self, r: usize, tall: bool, cells: &[Cell]) -> io::Result<()> {
        if r / 16 != self.block {
            self.flush()?;
            self.block = r / 16;
        }
        for c in cells {
            let name = match self.names.get(c.col) {
                Some(n) => Cow::Borrowed(n.as_str()),
                None => Cow::Owned(column_name(c.col)),
            };
            // Writing to a String cannot fail.
            let _ = match c.string {
                Some(i) => write!(
                    self.cells,
                    r#"<c r="{name}{}" s="{}" t="s"><v>{i}</v></c>"#,
                    r + 1,
                    c.style
                ),
                None => write!(self.cells, r#"<c r="{name}{}" s="{}"/>"#, r + 1, c.style),
            };
            self.span = Some(match self.span {
                Some((lo, hi)) => (lo.min(c.col), hi.max(c.col)),
                None => (c.col, c.col),
            });
        }
        self.rows.push((r, tall, self.cells.len()));
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        let (lo, hi) = self.span.take().unwrap_or((0, 0));
        let mut start = 0;
        for &(r, tall, end) in &self.rows {
            let height = if tall {
                r#" ht="75" customHeight="1""#
            } else {
                ""
            };
            write!(
                self.out,
                r#"<row r="{}" spans="{}:{}"{height}>"#,
                r + 1,
                lo + 1,
                hi + 1
            )?;
            self.out.write_all(&self.cells.as_bytes()[start..end])?;
            self.out.write_all(b"</row>")?;
            start = end;
        }
        self.rows.clear();
        self.cells.clear();
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.flush()
    }
}

/// The sheet's XML up to `<sheetData>`: its used range, the frozen header
/// row and first column, and the column widths (Excel character units).
fn sheet_start<W: Write>(
    out: &mut W,
    dimension: &str,
    selected: bool,
    widths: &[f64],
) -> io::Result<()> {
    let tab = if selected { r#" tabSelected="1""# } else { "" };
    write!(
        out,
        "{DECLARATION}<worksheet xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><dimension ref=\"{dimension}\"/>\
         <sheetViews><sheetView{tab} workbookViewId=\"0\"><pane xSplit=\"1\" ySplit=\"1\" topLeftCell=\"B2\" activePane=\"bottomRight\" state=\"frozen\"/>\
         <selection pane=\"topRight\" activeCell=\"B1\" sqref=\"B1\"/><selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/><selection pane=\"bottomRight\"/></sheetView></sheetViews>\
         <sheetFormatPr defaultRowHeight=\"15\"/><cols>"
    )?;
    // Widths in pixels, as Excel keeps them (a 7-pixel digit, 5 of
    // padding); neighbours of one width share a <col>.
    let pixels: Vec<u32> = widths.iter().map(|&w| width_in_pixels(w)).collect();
    let mut first = 0;
    while first < pixels.len() {
        let mut last = first;
        while last + 1 < pixels.len() && pixels[last + 1] == pixels[first] {
            last += 1;
        }
        let px = pixels[first];
        let chars = f64::from(px * 256 / 7) / 256.0;
        let custom = if px == 64 { "" } else { r#" customWidth="1""# };
        write!(
            out,
            r#"<col min="{}" max="{}" width="{chars}"{custom}/>"#,
            first + 1,
            last + 1
        )?;
        first = last + 1;
    }
    out.write_all(b"</cols><sheetData>")
}

fn width_in_pixels(width: f64) -> u32 {
    let px = if width <= 0.0 {
        0
    } else if width < 1.0 {
        (width * 12.0).round() as u32
    } else {
        (width * 7.0).round() as u32 + 5
    };
    // Excel's widest column: 255 characters.
    px.min(1790)
}

/// The sheet's XML after the cells: the autofilter over its table, if any.
fn sheet_end<W: Write>(out: &mut W, autofilter: Option<&str>) -> io::Result<()> {
    out.write_all(b"</sheetData>")?;
    if let Some(area) = autofilter {
        write!(out, r#"<autoFilter ref="{area}"/>"#)?;
    }
    out.write_all(
        br#"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>"#,
    )
}

/// The table of a record sheet: header row and one row per activity.
fn table_range(record: Record, rows: usize) -> String {
    range(0, 0, rows, record.columns().len() - 1)
}

fn record_sheet<W: Write>(
    out: &mut W,
    register: &Register,
    record: Record,
    rows: usize,
    styles: &Styles,
    strings: &mut SharedStrings,
) -> io::Result<()> {
    let columns = record.columns();
    let table = table_range(record, rows);
    let widths: Vec<f64> = columns.iter().map(|c| c.width).collect();
    sheet_start(out, &table, record == Record::Controller, &widths)?;
    let mut data = SheetData::new(out, columns.len());
    let header = styles.index(Style::Header);
    let header_row: Vec<Cell> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| Cell::new(i, header, c.header.into(), strings))
        .collect();
    data.row(0, true, &header_row)?;
    let style = styles.index(Style::Cell);
    let mut cells = Vec::with_capacity(columns.len());
    for (r, row) in ico::rows(register, record).enumerate() {
        cells.clear();
        for (i, text) in row.into_iter().enumerate() {
            // The cell's own string is kept when it fits, not copied.
            let text = match fit(&text) {
                Cow::Borrowed(_) => text,
                Cow::Owned(cut) => cut,
            };
            cells.push(Cell::new(i, style, text.into(), strings));
        }
        data.row(r + 1, false, &cells)?;
    }
    data.finish()?;
    // The header row filters the table.
    sheet_end(out, Some(&table))
}

fn organisation_sheet<W: Write>(
    out: &mut W,
    register: &Register,
    styles: &Styles,
    strings: &mut SharedStrings,
) -> io::Result<()> {
    let mut rows: Vec<(usize, Vec<Cell>)> = Vec::new();
    let block = ico::contact_block(register);
    for (r, row) in block.iter().enumerate() {
        let cells = row
            .iter()
            .enumerate()
            .map(|(c, text)| {
                let style = match (r, c) {
                    (0, _) => Style::Header,
                    (_, 0) => Style::Label,
                    _ => Style::Cell,
                };
                Cell::new(c, styles.index(style), fit(text), strings)
            })
            .collect();
        rows.push((r, cells));
    }
    // A blank row between the contact block and the details.
    let start = block.len() + 1;
    for (i, (label, value)) in ico::organisation_details(register).iter().enumerate() {
        let cells = vec![
            Cell::new(0, styles.index(Style::Label), (*label).into(), strings),
            Cell::new(1, styles.index(Style::Cell), fit(value), strings),
        ];
        rows.push((start + i, cells));
    }
    let last_row = rows.last().map_or(0, |(r, _)| *r);
    let cols = rows
        .iter()
        .flat_map(|(_, cells)| cells.iter().map(|c| c.col));
    let (first_col, last_col) = cols.fold((usize::MAX, 0), |(lo, hi), c| (lo.min(c), hi.max(c)));
    let dimension = range(0, first_col, last_row, last_col);
    sheet_start(out, &dimension, false, &[28.0, 35.0, 45.0, 30.0, 20.0])?;
    let mut data = SheetData::new(out, last_col + 1);
    for (r, cells) in &rows {
        data.row(*r, false, cells)?;
    }
    data.finish()?;
    sheet_end(out, None)
}

/// `xl/workbook.xml`: the three sheets and the record sheets' filters.
fn workbook_xml(controller_rows: usize, processor_rows: usize) -> String {
    let absolute = |record: Record, rows: usize| {
        let last = record.columns().len() - 1;
        format!(
            "{}!$A$1:${}${}",
            record.sheet_name(),
            column_name(last),
            rows + 1
        )
    };
    format!(
        "{DECLARATION}<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><fileVersion appName=\"xl\" lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/>\
         <workbookPr defaultThemeVersion=\"124226\"/><bookViews><workbookView xWindow=\"240\" yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews>\
         <sheets><sheet name=\"Controller\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"Processor\" sheetId=\"2\" r:id=\"rId2\"/><sheet name=\"Organisation\" sheetId=\"3\" r:id=\"rId3\"/></sheets>\
         <definedNames><definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"0\" hidden=\"1\">{}</definedName>\
         <definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"1\" hidden=\"1\">{}</definedName></definedNames>\
         <calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>",
        absolute(Record::Controller, controller_rows),
        absolute(Record::Processor, processor_rows),
    )
}

/// The document's author and company: the organisation's name.
fn core_xml(author: &str, created: &str) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write!(
        out,
        "{DECLARATION}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>Record of processing activities (GDPR Art. 30)</dc:title>\
         <dc:subject>ICO documentation template layout, exported by ropa</dc:subject><dc:creator>"
    )?;
    write_text(&mut out, author, false)?;
    out.write_all(b"</dc:creator><cp:lastModifiedBy>")?;
    write_text(&mut out, author, false)?;
    write!(
        out,
        "</cp:lastModifiedBy><dcterms:created xsi:type=\"dcterms:W3CDTF\">{created}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{created}</dcterms:modified></cp:coreProperties>"
    )?;
    Ok(out)
}

fn app_xml(company: &str) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write!(
        out,
        "{DECLARATION}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\"><Application>Microsoft Excel</Application>\
         <DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size=\"2\" baseType=\"variant\">\
         <vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>3</vt:i4></vt:variant></vt:vector></HeadingPairs>\
         <TitlesOfParts><vt:vector size=\"3\" baseType=\"lpstr\"><vt:lpstr>Controller</vt:lpstr><vt:lpstr>Processor</vt:lpstr>\
         <vt:lpstr>Organisation</vt:lpstr></vt:vector></TitlesOfParts><Company>"
    )?;
    write_text(&mut out, company, false)?;
    out.write_all(
        b"</Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>\
          <HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>",
    )?;
    Ok(out)
}

/// The as-of date as the document's creation date (W3C date-time, UTC).
fn creation_date(register: &Register) -> Result<String, Error> {
    let d = register.as_of;
    // A registry date has a year from 1 to 9999; Excel's dates start on
    // 1899-12-31.
    let year = u16::try_from(d.year).unwrap_or(0);
    if year > 9999 || year < 1900 && (year, d.month, d.day) != (1899, 12, 31) {
        return Err(Error::Date(format!(
            "Year: '{year}' outside Excel range of 1900-9999"
        )));
    }
    Ok(format!("{year}-{:02}-{:02}T00:00:00Z", d.month, d.day))
}

type Zip<'b> = ZipWriter<StreamWriter<&'b mut Vec<u8>>>;

/// A part of the package, handed to the encoder whole. Streamed in pieces,
/// the deflated bytes would differ: zlib-rs (at the default level, its
/// `deflate_medium`) forgets the match it looked ahead for whenever it runs
/// out of input, so the output depends on how the input is cut.
fn part(zip: &mut Zip<'_>, name: &str, xml: &[u8]) -> Result<(), Error> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(None)
        .unix_permissions(0o600)
        .last_modified_time(DateTime::default())
        .large_file(false);
    zip.start_file(name, options)?;
    zip.write_all(xml)?;
    Ok(())
}

fn build(register: &Register) -> Result<Vec<u8>, Error> {
    let controller_rows = Record::Controller.row_count(register);
    let processor_rows = Record::Processor.row_count(register);
    // Row 1 is the header.
    if controller_rows.max(processor_rows) >= ROW_LIMIT {
        return Err(Error::TooManyRows);
    }
    let created = creation_date(register)?;
    let styles = Styles::new(controller_rows + processor_rows > 0);
    let mut strings = SharedStrings::default();
    let name = register
        .reg
        .organisation
        .as_ref()
        .map_or("", |o| o.name.value.as_str());

    let mut bytes = Vec::new();
    let mut zip = ZipWriter::new_stream(&mut bytes);
    part(&mut zip, "[Content_Types].xml", CONTENT_TYPES.as_bytes())?;
    part(&mut zip, "_rels/.rels", ROOT_RELS.as_bytes())?;
    part(
        &mut zip,
        "xl/_rels/workbook.xml.rels",
        WORKBOOK_RELS.as_bytes(),
    )?;
    part(&mut zip, "xl/theme/theme1.xml", THEME)?;
    part(&mut zip, "xl/styles.xml", styles.xml().as_bytes())?;
    let workbook = workbook_xml(controller_rows, processor_rows);
    part(&mut zip, "xl/workbook.xml", workbook.as_bytes())?;
    for (i, (record, rows)) in [
        (Record::Controller, controller_rows),
        (Record::Processor, processor_rows),
    ]
    .into_iter()
    .enumerate()
    {
        // Room for the longest cells (`<c r="AD1048576" s="2" t="s"><v>…`):
        // reserved, not touched, so only what is written is resident.
        let mut xml = Vec::with_capacity((rows + 1) * (record.columns().len() * 52 + 64) + 4096);
        record_sheet(&mut xml, register, record, rows, &styles, &mut strings)?;
        part(&mut zip, &format!("xl/worksheets/sheet{}.xml", i + 1), &xml)?;
    }
    let mut xml = Vec::new();
    organisation_sheet(&mut xml, register, &styles, &mut strings)?;
    part(&mut zip, "xl/worksheets/sheet3.xml", &xml)?;
    drop(xml);
    part(&mut zip, "xl/sharedStrings.xml", &strings.into_xml()?)?;
    part(&mut zip, "docProps/core.xml", &core_xml(name, &created)?)?;
    part(&mut zip, "docProps/app.xml", &app_xml(name)?)?;
    zip.finish()?;
    Ok(bytes)
}

/// The workbook: "Controller", "Processor" and "Organisation" sheets.
pub fn workbook(register: &Register) -> Result<Vec<u8>, String> {
    build(register).map_err(|e| format!("cannot write the spreadsheet: {e}"))
}

const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// The Office theme, as Excel and rust_xlsxwriter write it.
const THEME: &[u8] = include_bytes!("xlsx/theme1.xml");

const CONTENT_TYPES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>"#,
    r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#,
    r#"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    r#"<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>"#,
    r#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    r#"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
    r#"<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
    r#"<Override PartName="/xl/worksheets/sheet3.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
    r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#,
    "</Types>",
);

const ROOT_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>"#,
    r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>"#,
    "</Relationships>",
);

const WORKBOOK_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>"#,
    r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet3.xml"/>"#,
    r#"<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme" Target="theme/theme1.xml"/>"#,
    r#"<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
    r#"<Relationship Id="rId6" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#,
    "</Relationships>",
);

const STYLES_HEAD: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    r#"<fonts count="2"><font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>"#,
    r#"<font><b/><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font></fonts>"#,
    r#"<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>"#,
    r#"<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/><bgColor indexed="64"/></patternFill></fill></fills>"#,
    r#"<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>"#,
    r#"<border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>"#,
    r#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#,
    r#"<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#,
);

const STYLES_TAIL: &str = concat!(
    r#"</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#,
    r#"<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/></styleSheet>"#,
);

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Whether `xml` is well-formed as far as these parts go: one
    /// declaration, tags that nest and close, attribute values quoted, and
    /// `&` only in the five entities.
    fn well_formed(xml: &str) -> Result<(), String> {
        let body = xml.strip_prefix(DECLARATION).ok_or("no XML declaration")?;
        let mut open: Vec<&str> = Vec::new();
        let mut rest = body;
        let mut roots = 0;
        while !rest.is_empty() {
            let lt = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..lt];
            if open.is_empty() && !text.is_empty() {
                return Err(format!("text outside the root: {text:?}"));
            }
            let mut amp = text;
            while let Some(i) = amp.find('&') {
                amp = &amp[i..];
                if !["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|e| amp.starts_with(e))
                {
                    return Err(format!("a bare `&`: {amp:.20?}"));
                }
                amp = &amp[1..];
            }
            if text.contains('>') {
                return Err(format!("a bare `>` in {text:.40?}"));
            }
            rest = &rest[lt..];
            if rest.is_empty() {
                break;
            }
            let gt = rest.find('>').ok_or("a tag that does not end")?;
            let tag = &rest[1..gt];
            rest = &rest[gt + 1..];
            if tag.contains('<') || tag.matches('"').count() % 2 != 0 {
                return Err(format!("a broken tag: {tag:.40?}"));
            }
            if let Some(name) = tag.strip_prefix('/') {
                if open.pop() != Some(name) {
                    return Err(format!("`</{name}>` closes nothing open"));
                }
            } else {
                if open.is_empty() {
                    roots += 1;
                }
                let name = tag.split([' ', '/']).next().unwrap_or("");
                if !tag.ends_with('/') {
                    open.push(name);
                }
            }
        }
        if roots != 1 || !open.is_empty() {
            return Err(format!("{roots} roots, still open: {open:?}"));
        }
        Ok(())
    }

    fn fixture_workbook(name: &str) -> Vec<u8> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let as_of = crate::model::Date {
            year: 2026,
            month: 11,
            day: 1,
        };
        crate::pipeline::with_checked(&dir, as_of, false, |checked| workbook(&checked.register))
            .expect("the fixture loads")
            .expect("the workbook is written")
    }

    #[test]
    fn every_part_of_the_workbook_is_well_formed_xml() {
        for fixture in ["site-hostile", "export-quoting", "valid-saas"] {
            let bytes = fixture_workbook(fixture);
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            assert_eq!(zip.len(), 12);
            for i in 0..zip.len() {
                let mut file = zip.by_index(i).unwrap();
                let mut xml = String::new();
                file.read_to_string(&mut xml).unwrap();
                if let Err(why) = well_formed(xml.trim_end()) {
                    panic!("{fixture}: part {i}: {why}");
                }
            }
        }
    }

    #[test]
    fn hostile_cell_texts_stay_text() {
        let mut strings = SharedStrings::default();
        let texts = [
            "a & b < c > d",
            "<r><t>rich?</t></r>",
            "bell\u{7} and tab\t",
            " leading space",
            "_x0041_ is not A",
            "\u{FFFE}",
            "a & b < c > d",
        ];
        for t in texts {
            strings.add(t.into());
        }
        let xml = String::from_utf8(strings.into_xml().unwrap()).unwrap();
        well_formed(&xml).unwrap();
        assert!(xml.contains(r#"count="7" uniqueCount="6""#), "{xml}");
        assert!(xml.contains("<si><t>a &amp; b &lt; c &gt; d</t></si>"));
        // rust_xlsxwriter wrote a text in `<r>…</r>` as raw rich text.
        assert!(xml.contains("<si><t>&lt;r&gt;&lt;t&gt;rich?&lt;/t&gt;&lt;/r&gt;</t></si>"));
        assert!(xml.contains(r#"<si><t xml:space="preserve">bell_x0007_ and tab	</t></si>"#));
        assert!(xml.contains(r#"<si><t xml:space="preserve"> leading space</t></si>"#));
        assert!(xml.contains("<si><t>_x005F_x0041_ is not A</t></si>"));
        assert!(xml.contains("<si><t>_xFFFE_</t></si>"));
    }

    #[test]
    fn spans_cover_each_block_of_16_rows() {
        let mut xml = Vec::new();
        let mut data = SheetData::new(&mut xml, 30);
        let cell = |col| Cell {
            col,
            style: 2,
            string: None,
        };
        data.row(0, true, &[cell(0), cell(29)]).unwrap();
        data.row(15, false, &[cell(3)]).unwrap();
        data.row(16, false, &[cell(2), cell(4)]).unwrap();
        data.finish().unwrap();
        let xml = String::from_utf8(xml).unwrap();
        assert_eq!(
            xml,
            concat!(
                r#"<row r="1" spans="1:30" ht="75" customHeight="1"><c r="A1" s="2"/><c r="AD1" s="2"/></row>"#,
                r#"<row r="16" spans="1:30"><c r="D16" s="2"/></row>"#,
                r#"<row r="17" spans="3:5"><c r="C17" s="2"/><c r="E17" s="2"/></row>"#,
            )
        );
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn long_cells_are_cut_to_excels_limit_with_a_note() {
        assert_eq!(fit("short, \"quoted\"\ntext"), "short, \"quoted\"\ntext");
        let exact = "a".repeat(CELL_LIMIT);
        assert_eq!(fit(&exact), exact.as_str());
        // Characters outside the BMP count twice in UTF-16.
        let long = "😀".repeat(CELL_LIMIT);
        let cut = fit(&long);
        assert!(cut.ends_with(TRUNCATED));
        assert!(cut.encode_utf16().count() <= CELL_LIMIT);
        assert!(cut.encode_utf16().count() > CELL_LIMIT - TRUNCATED.len() - 2);
    }
}
