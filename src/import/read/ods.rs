//! An ODS measured before calamine reads it. calamine lays every sheet out
//! as a dense rectangle when it opens the file, repeating a cell as often
//! as `table:number-columns-repeated` and `table:number-rows-repeated`
//! say (a few bytes of XML can ask for every cell of a sheet), and it does
//! not give the merged regions. One streaming pass over `content.xml`,
//! following calamine's own reading step by step, counts what it would
//! allocate and collects the merged regions at the positions calamine
//! gives the cells.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Seek};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_TEXT_BYTES, Over};

/// A merged region: its top-left and bottom-right cells, (row, column).
pub type Region = ((u32, u32), (u32, u32));

/// What the scan found: the merged regions of each sheet.
#[derive(Debug, Default)]
pub struct Layout {
    merged: BTreeMap<String, Vec<Region>>,
}

impl Layout {
    pub fn merged(&self, sheet: &str) -> &[Region] {
        self.merged.get(sheet).map_or(&[], Vec::as_slice)
    }
}

/// Why the file is refused before calamine reads it.
#[derive(Debug)]
pub enum ScanError {
    /// calamine would lay out more than ropa keeps, from this sheet on.
    Over(Over, String),
    /// Not an ODS calamine can read (it would fail on it, or, for a
    /// content that ends inside a sheet, never stop reading it).
    Broken(String),
}

impl ScanError {
    pub fn error(self, file: &std::path::Path) -> super::ImportError {
        match self {
            ScanError::Over(over, sheet) => over.error(file, &sheet),
            ScanError::Broken(why) => super::not_a_workbook(file, format!("content.xml: {why}")),
        }
    }
}

fn broken(why: impl std::fmt::Display) -> ScanError {
    ScanError::Broken(why.to_string())
}

/// What calamine allocates for the file so far: cells (each a value and a
/// formula, about 56 bytes) and bytes of text, summed over the sheets it
/// keeps together.
struct Tally {
    cells: u64,
    text: u64,
}

impl Tally {
    fn charge(&mut self, sheet: &str, cells: u64, text: u64) -> Result<(), ScanError> {
        self.cells = self.cells.saturating_add(cells);
        self.text = self.text.saturating_add(text);
        if self.cells > MAX_CELLS as u64 {
            Err(ScanError::Over(Over::Cells, sheet.to_string()))
        } else if self.text > MAX_TEXT_BYTES as u64 {
            Err(ScanError::Over(Over::Text, sheet.to_string()))
        } else {
            Ok(())
        }
    }
}

/// Scans `content.xml` of the package (its size was bounded when the
/// package was opened).
pub fn scan<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Result<Layout, ScanError> {
    // A missing part is calamine's to report.
    let Ok(part) = zip.by_name("content.xml") else {
        return Ok(Layout::default());
    };
    scan_content(BufReader::new(part))
}

fn reader<B: BufRead>(input: B) -> Reader<B> {
    // As calamine configures it, so that the events are the same.
    let mut r = Reader::from_reader(input);
    let config = r.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    r
}

/// calamine's `parse_content`: a `table:table` with a name is a sheet.
fn scan_content<B: BufRead>(input: B) -> Result<Layout, ScanError> {
    let mut xml = reader(input);
    let mut layout = Layout::default();
    let mut tally = Tally { cells: 0, text: 0 };
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(broken)? {
            Event::Start(e) if e.name().as_ref() == "table:table" => {
                let Some(name) = attr(&e, "table:name")? else {
                    continue;
                };

                let regions = scan_table(&mut xml, &name, &mut tally)?;
                layout.merged.insert(name, regions);
            }
            Event::Eof => return Ok(layout),
            _ => {}
        }
    }
}

/// The raw value of an attribute (calamine reads them without checking
/// duplicates).
fn attr(e: &BytesStart<'_>, key: &str) -> Result<Option<String>, ScanError> {
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(broken)?;
        if a.key.as_ref() == key {
            return Ok(Some(a.value.into_owned()));
        }
    }
    Ok(None)
}

/// A count attribute (repeats, spans, spaces). calamine refuses one that
/// is not a number; an escaped number (`&#49;`) is refused here, not
/// guessed, so no count is ever underestimated.
fn count(e: &BytesStart<'_>, key: &str) -> Result<Option<u64>, ScanError> {
    match attr(e, key)? {
        None => Ok(None),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .map(Some)
            .ok_or_else(|| broken(format!("`{}` is not a number", key))),
    }
}

/// calamine's `read_table` and its `get_range`: every row is kept once with
/// its repeat count while it is read, then the rows from the first to the
/// last with a filled cell are laid out, each as wide as the widest.
fn scan_table<B: BufRead>(
    xml: &mut Reader<B>,
    sheet: &str,
    tally: &mut Tally,
) -> Result<Vec<Region>, ScanError> {
    let mut regions = Vec::new();
    let mut buf = Vec::new();
    // Rows so far, as calamine counts them (capped at a sheet's last row).
    let mut total_rows: u64 = 0;
    // The laid-out rows: from the first filled row to the end of the last.
    let mut first_row: Option<u64> = None;
    let mut end_row: u64 = 0;
    let (mut col_min, mut col_max) = (u64::MAX, 0u64);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(broken)? {
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                let repeats = count(&e, "table:number-rows-repeated")?.unwrap_or(1);
                let repeats = repeats.min(u64::from(MAX_ROWS).saturating_sub(total_rows));
                let row_at = total_rows;
                total_rows += repeats;
                let row = scan_row(xml, row_at, &mut regions)?;
                // The row while it is read: its pushed cells, and its
                // place in calamine's lists of rows.
                tally.charge(
                    sheet,
                    row.pushed.saturating_add(1),
                    row.text.saturating_mul(1 + repeats),
                )?;
                if let Some((lo, hi)) = row.filled {
                    first_row.get_or_insert(row_at);
                    end_row = row_at + repeats;
                    col_min = col_min.min(lo);
                    col_max = col_max.max(hi);
                }
            }
            Event::End(e) if e.name().as_ref() == "table:table" => break,
            // calamine would read on past the end for ever.
            Event::Eof => return Err(broken(format!("it ends inside sheet `{sheet}`"))),
            _ => {}
        }
    }
    if let Some(first) = first_row {
        let laid_out = (end_row - first).saturating_mul(col_max + 1 - col_min);
        tally.charge(sheet, laid_out, 0)?;
    }
    Ok(regions)
}

/// One row as calamine reads it.
struct Row {
    /// Cells calamine keeps for it: all but a blank run at its end.
    pushed: u64,
    /// Its first and last filled columns.
    filled: Option<(u64, u64)>,
    /// Bytes of text of its cells, each as often as it is repeated.
    text: u64,
}

/// calamine's `read_row`: a blank run is kept when another cell follows
/// it, a repeated cell is copied, and a row stops at a sheet's last column.
fn scan_row<B: BufRead>(
    xml: &mut Reader<B>,
    row_at: u64,
    regions: &mut Vec<Region>,
) -> Result<Row, ScanError> {
    let max_cols = u64::from(MAX_COLUMNS);
    let mut row = Row {
        pushed: 0,
        filled: None,
        text: 0,
    };
    let mut blank_run: u64 = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(broken)? {
            Event::Start(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                let e = e.into_owned();
                let repeats = count(&e, "table:number-columns-repeated")?.unwrap_or(1);
                let spans = (
                    count(&e, "table:number-rows-spanned")?.unwrap_or(1),
                    count(&e, "table:number-columns-spanned")?.unwrap_or(1),
                );
                let cell = scan_cell(xml, &e)?;
                row.pushed += blank_run.min(max_cols - row.pushed);
                blank_run = 0;
                let col = row.pushed;
                let repeats = repeats.min(max_cols - row.pushed);
                if cell.filled {
                    if repeats > 0 {
                        let (lo, hi) = row.filled.get_or_insert((col, col));
                        *lo = (*lo).min(col);
                        *hi = (*hi).max(col + repeats - 1);
                    }
                    row.pushed += repeats;
                    row.text = row.text.saturating_add(cell.text.saturating_mul(repeats));
                } else {
                    blank_run = repeats;
                }
                if spans != (1, 1) && spans.0 > 0 && spans.1 > 0 && col < max_cols {
                    let last = |start: u64, span: u64, max: u64| {
                        // Within the sheet: fill() keeps to the data anyway.
                        (start + span - 1).min(max - 1) as u32
                    };
                    regions.push((
                        (row_at as u32, col as u32),
                        (
                            last(row_at, spans.0, u64::from(MAX_ROWS)),
                            last(col, spans.1, max_cols),
                        ),
                    ));
                }
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => return Ok(row),
            other => {
                return Err(broken(format!(
                    "a row holds something other than cells ({})",
                    event_kind(&other)
                )));
            }
        }
    }
}

fn event_kind(e: &Event<'_>) -> String {
    match e {
        Event::Start(s) => format!("<{}>", s.name().as_ref()),
        Event::End(s) => format!("</{}>", s.name().as_ref()),
        Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => "text".to_string(),
        Event::Eof => "the end of the file".to_string(),
        _ => "markup".to_string(),
    }
}

/// One cell: whether calamine keeps it (a value or a formula) and the bytes
/// of text it copies for it.
struct Cell {
    filled: bool,
    text: u64,
}

/// calamine's `get_datatype`: the first value attribute gives the value;
/// a string without one takes the paragraphs of the cell's content.
fn scan_cell<B: BufRead>(xml: &mut Reader<B>, e: &BytesStart<'_>) -> Result<Cell, ScanError> {
    let mut value_set = false;
    let mut empty_string_value = false;
    let mut is_string = false;
    let mut is_error = false;
    let mut cell = Cell {
        filled: false,
        text: 0,
    };
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(broken)?;
        let len = a.value.len() as u64;
        match a.key.as_ref() {
            "office:value" | "office:boolean-value" if !value_set => value_set = true,
            "office:string-value" | "office:date-value" | "office:time-value" if !value_set => {
                value_set = true;
                empty_string_value = a.key.as_ref() == "office:string-value" && len == 0;
                cell.text += len;
            }
            "office:value-type" if !value_set => is_string = a.value.as_ref() == "string",
            "calcext:value-type" => is_error = a.value.as_ref() == "error",
            "table:formula" => {
                cell.filled |= len > 0;
                cell.text += len;
            }
            _ => {}
        }
    }
    cell.filled |= value_set;
    let mut buf = Vec::new();
    if (!value_set && is_string) || (is_error && empty_string_value) {
        cell.filled = true;
        // Read up to the first end of a cell, skipping annotations, as
        // calamine does; every character it would copy is counted.
        let mut in_annotation = false;
        loop {
            buf.clear();
            let event = xml.read_event_into(&mut buf).map_err(broken)?;
            if in_annotation {
                match event {
                    Event::End(end) if end.name().as_ref() == "office:annotation" => {
                        in_annotation = false;
                    }
                    // calamine would look for the annotation's end for ever.
                    Event::Eof => return Err(broken("it ends inside a cell")),
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Eof => return Err(broken("it ends inside a cell")),
                Event::Text(t) => cell.text = cell.text.saturating_add(t.len() as u64),
                Event::CData(t) => cell.text = cell.text.saturating_add(t.len() as u64),
                // At most four bytes of UTF-8.
                Event::GeneralRef(_) => cell.text = cell.text.saturating_add(4),
                Event::End(end)
                    if matches!(
                        end.name().as_ref(),
                        "table:table-cell" | "table:covered-table-cell"
                    ) =>
                {
                    return Ok(cell);
                }
                Event::Start(s) => match s.name().as_ref() {
                    "office:annotation" => in_annotation = true,
                    "text:s" => {
                        let spaces = count(&s, "text:c")?.unwrap_or(1);
                        cell.text = cell.text.saturating_add(spaces);
                    }
                    "text:p" | "text:tab" | "text:line-break" => cell.text += 1,
                    _ => {}
                },
                _ => {}
            }
        }
    }
    xml.read_to_end_into(e.name(), &mut buf).map_err(broken)?;
    Ok(cell)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(rows: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content><office:body><office:spreadsheet><table:table table:name="Sheet1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
    }

    fn scan_str(xml: &str) -> Result<Layout, ScanError> {
        scan_content(xml.as_bytes())
    }

    #[test]
    fn merged_regions_are_where_calamine_puts_the_cells() {
        // A blank run of 2 columns, then a cell spanning 3 rows and 2
        // columns at C2 (after one row repeated once more).
        let xml = content(
            r#"<table:table-row table:number-rows-repeated="1"><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="2"/><table:table-cell table:number-rows-spanned="3" table:number-columns-spanned="2" office:value-type="string"><text:p>HR</text:p></table:table-cell><table:covered-table-cell/></table:table-row>"#,
        );
        let layout = scan_str(&xml).unwrap();
        assert_eq!(layout.merged("Sheet1"), [((1, 2), (3, 3))]);
        assert!(layout.merged("Other").is_empty());
    }

    #[test]
    fn a_cell_repeated_over_the_whole_sheet_is_refused() {
        let xml = content(
            r#"<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#,
        );
        let Err(ScanError::Over(Over::Cells, sheet)) = scan_str(&xml) else {
            panic!("a sheet of 17 billion cells was let through");
        };
        assert_eq!(sheet, "Sheet1");
        // With text, its copies are past the bound first.
        let xml = xml.replace(
            r#"office:value-type="float" office:value="1"/>"#,
            r#"office:value-type="string"><text:p>x</text:p></table:table-cell>"#,
        );
        assert!(matches!(
            scan_str(&xml),
            Err(ScanError::Over(Over::Text, _))
        ));
    }

    #[test]
    fn blank_repeats_at_the_end_cost_nothing() {
        // What LibreOffice writes: styled blank cells to the last column
        // and blank rows to the last row.
        let xml = content(
            r#"<table:table-row><table:table-cell office:value="1" office:value-type="float"/><table:table-cell table:number-columns-repeated="16383"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#,
        );
        assert!(scan_str(&xml).is_ok());
    }

    #[test]
    fn text_repeated_past_the_bound_is_refused() {
        // One cell of 1 MiB, repeated 200 times in a row.
        let long = "x".repeat(1 << 20);
        let xml = content(&format!(
            r#"<table:table-row><table:table-cell table:number-columns-repeated="200" office:value-type="string" office:string-value="{long}"/></table:table-row>"#
        ));
        assert!(matches!(
            scan_str(&xml),
            Err(ScanError::Over(Over::Text, _))
        ));
        // Spaces asked for by count, which calamine would write out.
        let xml = content(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="4000000000"/></text:p></table:table-cell></table:table-row>"#,
        );
        assert!(matches!(
            scan_str(&xml),
            Err(ScanError::Over(Over::Text, _))
        ));
    }

    #[test]
    fn content_that_ends_inside_a_sheet_is_refused() {
        // calamine's reading of a sheet would never stop.
        let xml = r#"<office:document-content><table:table table:name="S"><table:table-row><table:table-cell/></table:table-row>"#;
        assert!(matches!(scan_str(xml), Err(ScanError::Broken(_))));
        let xml = content(
            r#"<table:table-row table:number-rows-repeated="&#49;0"><table:table-cell/></table:table-row>"#,
        );
        assert!(matches!(scan_str(&xml), Err(ScanError::Broken(_))));
    }
}
