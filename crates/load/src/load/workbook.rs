//! An XLSX/XLS workbook's bytes into the text of one sheet's used cells: the limit checks of
//! [`super::limits`] first, then calamine (XLSX cell by cell, so a far corner costs one cell;
//! XLS through its range), then a grid of rows as wide as the widest used row.
//!
//! Runs inside the child process of [`super::isolate`] (under its memory and CPU caps). Depends
//! only on calamine, chrono and its sibling modules `limits` and `parse::date`, so fuzz/ runs
//! this very code (target `xlsx_open`, `xls_open`).

use std::io::Cursor;

use calamine::{Data, Reader};

use super::limits::{self, WorkbookLimits};
use super::parse::date::{excel_serial, ms_to_naive};

/// Rows of text with their spreadsheet row numbers.
pub(crate) type Grid = Vec<(usize, Vec<String>)>;

/// Why a workbook gives no grid (worded into a user message by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A limit check refused it before parsing.
    Refused(crate::text::Text),
    /// The library cannot open it.
    Open(String),
    NoSheet {
        wanted: String,
        names: Vec<String>,
    },
    NoSheets,
    /// The library failed on the sheet.
    Sheet {
        name: String,
        why: String,
    },
    /// Used rows x width over `max_cells`.
    TooWide {
        rows: u64,
        width: u64,
        far: String,
        max_cells: u64,
    },
}

/// Read one sheet (`sheet`, else the first): its name and grid, at most `max_cells` cells.
pub(crate) fn read(
    bytes: Vec<u8>,
    sheet: Option<&str>,
    max_cells: u64,
) -> Result<(String, Grid), Failure> {
    let (name, cells) = cells(bytes, sheet)?;
    Ok((name, grid(cells, max_cells)?))
}

/// The used cells of one sheet, as (row, column) and text, in no particular order.
pub(crate) fn cells(
    bytes: Vec<u8>,
    sheet: Option<&str>,
) -> Result<(String, Vec<((u32, u32), String)>), Failure> {
    // Declared sizes are checked before the library allocates from them.
    if bytes.starts_with(b"PK") {
        limits::check_xlsx(&bytes, &WorkbookLimits::default()).map_err(Failure::Refused)?;
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        limits::check_xls(&bytes).map_err(Failure::Refused)?;
    }
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| Failure::Open(e.to_string()))?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| Failure::NoSheet {
                wanted: s.to_string(),
                names: names.clone(),
            })?,
        None => names.first().cloned().ok_or(Failure::NoSheets)?,
    };
    let sheet_err = |why: String| Failure::Sheet {
        name: name.clone(),
        why,
    };
    let mut cells: Vec<((u32, u32), String)> = Vec::new();
    if let calamine::Sheets::Xlsx(x) = &mut wb {
        let mut rd = match x.worksheet_cells_reader(&name) {
            Ok(rd) => rd,
            // A chart sheet: no cells.
            Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok((name, cells)),
            Err(e) => return Err(sheet_err(e.to_string())),
        };
        while let Some(c) = rd.next_cell().map_err(|e| sheet_err(e.to_string()))? {
            let v: Data = c.get_value().clone().into();
            if !matches!(v, Data::Empty) {
                cells.push((c.get_position(), cell_text(&v)));
            }
        }
    } else {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| sheet_err(e.to_string()))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, v) in range.used_cells() {
            let at = u32::try_from(r)
                .ok()
                .and_then(|r| r0.checked_add(r))
                .zip(u32::try_from(c).ok().and_then(|c| c0.checked_add(c)));
            if let (Some(at), false) = (at, matches!(v, Data::Empty)) {
                cells.push((at, cell_text(v)));
            }
        }
    }
    Ok((name, cells))
}

/// Sparse cells into rows of text, each as wide as the widest used row (columns from A), with
/// spreadsheet row numbers. Refused when used rows x width is over `max_cells`.
pub(crate) fn grid(mut cells: Vec<((u32, u32), String)>, max_cells: u64) -> Result<Grid, Failure> {
    cells.sort_unstable_by_key(|(p, _)| *p);
    let width = cells
        .iter()
        .map(|((_, c), _)| u64::from(*c) + 1)
        .max()
        .unwrap_or(0);
    let mut rows = 0u64;
    let mut last = None;
    for ((r, _), _) in &cells {
        if last != Some(*r) {
            rows += 1;
            last = Some(*r);
        }
    }
    if rows.saturating_mul(width) > max_cells {
        let far = cells
            .iter()
            .max_by_key(|((_, c), _)| *c)
            .map(|((r, c), _)| cell_name(*r, *c))
            .unwrap_or_default();
        return Err(Failure::TooWide {
            rows,
            width,
            far,
            max_cells,
        });
    }
    let mut out: Grid = Vec::with_capacity(rows as usize);
    for ((r, c), text) in cells {
        let n = r as usize + 1;
        if out.last().is_none_or(|(k, _)| *k != n) {
            out.push((n, vec![String::new(); width as usize]));
        }
        if let Some((_, row)) = out.last_mut() {
            row[c as usize] = text;
        }
    }
    Ok(out)
}

/// `XFD1048576` for 0-based (row, column).
pub(crate) fn cell_name(r: u32, c: u32) -> String {
    let mut col = String::new();
    let mut n = u64::from(c) + 1;
    while n > 0 {
        let k = (n - 1) % 26;
        col.insert(0, (b'A' + k as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{col}{}", u64::from(r) + 1)
}

/// One workbook cell as text: integers without `.0`, dates as ISO text.
pub(crate) fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            match excel_serial(d.as_f64()).ok().and_then(ms_to_naive) {
                Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
                Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
                None => float_text(d.as_f64()),
            }
        }
        Data::DateTime(d) => float_text(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_texts() {
        assert_eq!(cell_text(&Data::Float(22700.0)), "22700");
        assert_eq!(cell_text(&Data::Float(0.25)), "0.25");
        assert_eq!(cell_text(&Data::Int(-3)), "-3");
        assert_eq!(cell_text(&Data::Empty), "");
        assert_eq!(cell_text(&Data::Bool(false)), "False");
    }

    #[test]
    fn cell_names_and_sparse_grids() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(cell_name(9, 26), "AA10");
        let cells = vec![
            ((2, 1), "b".into()),
            ((0, 0), "a".into()),
            ((2, 2), "c".into()),
        ];
        assert_eq!(
            grid(cells.clone(), 100).unwrap(),
            vec![
                (1, vec!["a".to_string(), String::new(), String::new()]),
                (3, vec![String::new(), "b".into(), "c".into()]),
            ]
        );
        // 2 used rows x 3 columns = 6 cells
        assert!(matches!(
            grid(cells, 5),
            Err(Failure::TooWide {
                rows: 2,
                width: 3,
                ..
            })
        ));
    }
}
