//! Reading a spreadsheet into plain text cells: CSV with `csv`, XLSX and
//! ODS with `calamine`. Nothing here knows what a column means.

use std::path::Path;

use calamine::{Data, Reader};

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
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => read_workbook(file),
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

fn read_workbook(file: &Path) -> Result<Vec<Sheet>, ImportError> {
    let mut book = calamine::open_workbook_auto(file).map_err(|e| {
        // A password-protected XLSX is an OLE compound file, not a zip.
        let ole = std::fs::read(file)
            .is_ok_and(|b| b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]));
        if ole && !file.extension().is_some_and(|x| x.eq_ignore_ascii_case("xls")) {
            ImportError::file(
                file,
                "is not a readable XLSX or ODS workbook: it is encrypted (password-protected) or an old .xls file; save it without a password as .xlsx",
            )
        } else {
            ImportError::file(file, format!("is not a readable XLSX or ODS workbook ({e})"))
        }
    })?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| ImportError::file(file, format!("sheet `{name}` cannot be read ({e})")))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut rows = vec![Vec::new(); r0 as usize];
        for row in range.rows() {
            let mut cells = vec![String::new(); c0 as usize];
            cells.extend(row.iter().map(cell_text));
            rows.push(cells);
        }
        // A merged cell (a business function over several rows) holds its
        // value in its top-left cell only: every cell of it gets the value.
        if let calamine::Sheets::Xlsx(x) = &mut book
            && let Ok(regions) = x.merge_cells_by_sheet_name(&name)
        {
            for m in regions {
                fill(&mut rows, m.start, m.end);
            }
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
/// than the data).
fn fill(rows: &mut [Vec<String>], (r0, c0): (u32, u32), (r1, c1): (u32, u32)) {
    let (r0, c0, r1, c1) = (r0 as usize, c0 as usize, r1 as usize, c1 as usize);
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if r1 < r0 || c1 < c0 || c0 >= width {
        return;
    }
    let c1 = c1.min(width - 1);
    let r1 = r1.min(rows.len().saturating_sub(1));
    if (r1 - r0 + 1).saturating_mul(c1 - c0 + 1) > MAX_MERGED_CELLS {
        return;
    }
    let Some(value) = rows.get(r0).and_then(|r| r.get(c0)).cloned() else {
        return;
    };
    for row in rows.iter_mut().take(r1 + 1).skip(r0) {
        if row.len() <= c1 {
            row.resize(c1 + 1, String::new());
        }
        for cell in &mut row[c0..=c1] {
            cell.clone_from(&value);
        }
    }
}

/// A cell's text. A formula cell holds its last computed value; a date
/// stored as a number (with a date format) becomes an ISO date.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "Yes" } else { "No" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        // An error value (`#REF!`) says nothing about the record.
        Data::Error(_) => String::new(),
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
        let mut rows = vec![
            vec!["HR".to_string(), "a".to_string()],
            vec![String::new(), "b".to_string()],
            vec![String::new(), "c".to_string()],
        ];
        // Declared over the whole sheet's width and far below its last row.
        fill(&mut rows, (0, 0), (1_048_575, 16_383));
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.len() == 2), "{rows:?}");
        assert_eq!(rows[2][0], "HR");
        // A region larger than the bound is left as it is.
        let mut wide = vec![vec![String::new(); 1_000]; 200];
        wide[0][0] = "x".into();
        fill(&mut wide, (0, 0), (199, 999));
        assert_eq!(wide[1][0], "");
        // A region whose end is before its start is ignored.
        let mut grid = vec![vec!["a".to_string(), "b".to_string()]];
        fill(&mut grid, (0, 1), (0, 0));
        assert_eq!(grid, [["a", "b"]]);
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
