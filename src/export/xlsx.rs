//! The two ICO sheets as a real spreadsheet: "Controller" (Art. 30(1)) and
//! "Processor" (Art. 30(2)) with the columns and cells of the CSV export
//! ([`super::ico`]), then "Organisation" with the contact block of the ICO
//! template's rows 1-6.
//!
//! Deterministic: the document's creation date is the register's as-of
//! date, not the wall clock, so the same register gives the same bytes.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::ico::{self, Record};
use crate::link::Register;

/// Excel's limit on the length of a cell, in UTF-16 code units.
const CELL_LIMIT: usize = 32_767;
const TRUNCATED: &str =
    "… [truncated: Excel cells hold at most 32,767 characters; see the JSON register]";

/// `text`, cut to fit in one Excel cell with a note saying so.
fn fit(text: &str) -> std::borrow::Cow<'_, str> {
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

struct Formats {
    header: Format,
    cell: Format,
    label: Format,
}

fn formats() -> Formats {
    let cell = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    Formats {
        header: cell
            .clone()
            .set_bold()
            .set_background_color(0xD9E1F2)
            .set_border_bottom(FormatBorder::Thin),
        label: cell.clone().set_bold(),
        cell,
    }
}

fn record_sheet(
    sheet: &mut Worksheet,
    register: &Register,
    record: Record,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(record.sheet_name())?;
    let columns = record.columns();
    for (i, c) in columns.iter().enumerate() {
        let col = i as u16;
        sheet.set_column_width(col, c.width)?;
        sheet.write_string_with_format(0, col, c.header, &f.header)?;
    }
    sheet.set_row_height(0, 75)?;
    let mut rows = 0;
    for (r, row) in ico::rows(register, record).enumerate() {
        let r = r as u32 + 1;
        for (i, text) in row.into_iter().enumerate() {
            // The cell's own string is handed over when it fits, not copied.
            let text = match fit(&text) {
                std::borrow::Cow::Borrowed(_) => text,
                std::borrow::Cow::Owned(cut) => cut,
            };
            sheet.write_string_with_format(r, i as u16, text, &f.cell)?;
        }
        rows = r;
    }
    // Header row and the first column stay in view.
    sheet.set_freeze_panes(1, 1)?;
    sheet.autofilter(0, 0, rows, columns.len() as u16 - 1)?;
    Ok(())
}

fn organisation_sheet(
    sheet: &mut Worksheet,
    register: &Register,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("Organisation")?;
    for (col, width) in [(0u16, 28.0), (1, 35.0), (2, 45.0), (3, 30.0), (4, 20.0)] {
        sheet.set_column_width(col, width)?;
    }
    let block = ico::contact_block(register);
    for (r, row) in block.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            let format = match (r, c) {
                (0, _) => &f.header,
                (_, 0) => &f.label,
                _ => &f.cell,
            };
            sheet.write_string_with_format(r as u32, c as u16, fit(text), format)?;
        }
    }
    let start = block.len() as u32 + 1;
    for (i, (label, value)) in ico::organisation_details(register).iter().enumerate() {
        let r = start + i as u32;
        sheet.write_string_with_format(r, 0, *label, &f.label)?;
        sheet.write_string_with_format(r, 1, fit(value), &f.cell)?;
    }
    sheet.set_freeze_panes(1, 1)?;
    Ok(())
}

/// The as-of date as the document's creation date.
fn creation_date(register: &Register) -> Result<ExcelDateTime, XlsxError> {
    let d = register.as_of;
    // A registry date has a year from 1 to 9999.
    let year = u16::try_from(d.year).unwrap_or(0);
    // Wrapped as before this read the register's date text, so a date
    // Excel cannot hold (before 1900) keeps its message.
    ExcelDateTime::from_ymd(year, d.month, d.day)
        .map_err(|e| XlsxError::ParameterError(e.to_string()))
}

fn build(register: &Register) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let f = formats();
    record_sheet(wb.add_worksheet(), register, Record::Controller, &f)?;
    record_sheet(wb.add_worksheet(), register, Record::Processor, &f)?;
    organisation_sheet(wb.add_worksheet(), register, &f)?;
    let created = creation_date(register)?;
    let mut props = DocProperties::new()
        .set_title("Record of processing activities (GDPR Art. 30)")
        .set_subject("ICO documentation template layout, exported by ropa")
        .set_creation_datetime(&created);
    if let Some(o) = &register.reg.organisation {
        props = props.set_company(&o.name.value).set_author(&o.name.value);
    }
    wb.set_properties(&props);
    wb.save_to_buffer()
}

/// The workbook: "Controller", "Processor" and "Organisation" sheets.
pub fn workbook(register: &Register) -> Result<Vec<u8>, String> {
    build(register).map_err(|e| format!("cannot write the spreadsheet: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
