//! XLSX (rust_xlsxwriter): real number and date cells, ratios with a percent number format, a
//! frozen header row, readable widths; one worksheet per table.

use std::io::Write;

use rust_xlsxwriter::{Format as XFormat, Note, Workbook};

use super::{Options, Render};
use crate::output::cell::{Cell, neutralise, rows};
use crate::output::labels::label;
use crate::output::{Lang, Report, ResultTable, Unit};

/// Columns a text takes in a spreadsheet (a CJK character about two).
fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

pub struct Xlsx;

fn sheet_name(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if cleaned.is_empty() {
        "result".into()
    } else {
        cleaned
    }
}

impl Render for Xlsx {
    fn render(
        &self,
        tables: &[&ResultTable],
        _r: &Report,
        o: &Options,
        w: &mut dyn Write,
    ) -> std::io::Result<()> {
        let bytes = workbook(tables, o).map_err(std::io::Error::other)?;
        w.write_all(&bytes)
    }
}

fn workbook(tables: &[&ResultTable], o: &Options) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let head = XFormat::new().set_bold();
    let pct = XFormat::new().set_num_format("0.0%");
    let money = XFormat::new().set_num_format("#,##0.00");
    let days = XFormat::new().set_num_format("0.0");
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    let datetime = XFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&t.name))?;
        // Headers are the stable ids; under --lang zh-CN the translated label, with the id kept
        // in the cell's note (a spreadsheet formula or script can still find the column).
        let heads: Vec<String> = t
            .columns
            .iter()
            .map(|c| match o.lang {
                Lang::En => c.id.clone(),
                Lang::ZhCn => label(&c.id, Lang::ZhCn),
            })
            .collect();
        let mut widths: Vec<usize> = heads.iter().map(|h| display_width(h) + 2).collect();
        for (ci, c) in t.columns.iter().enumerate() {
            ws.write_string_with_format(0, ci as u16, &heads[ci], &head)?;
            if heads[ci] != c.id {
                ws.insert_note(0, ci as u16, &Note::new(&c.id).add_author_prefix(false))?;
            }
        }
        for (ri, row) in rows(&t.df, None).into_iter().enumerate() {
            let r = ri as u32 + 1;
            for (ci, (cell, spec)) in row.iter().zip(&t.columns).enumerate() {
                let c = ci as u16;
                let shown = match cell {
                    Cell::Null => 0,
                    Cell::Int(i) => {
                        ws.write_number(r, c, *i as f64)?;
                        i.to_string().len()
                    }
                    Cell::Float(f) => {
                        let f = &crate::output::cell::denoise(*f);
                        match spec.unit {
                            Unit::Ratio => ws.write_number_with_format(r, c, *f, &pct)?,
                            Unit::Money => ws.write_number_with_format(r, c, *f, &money)?,
                            Unit::Days => ws.write_number_with_format(r, c, *f, &days)?,
                            _ => ws.write_number(r, c, *f)?,
                        };
                        12
                    }
                    Cell::Bool(b) => {
                        ws.write_boolean(r, c, *b)?;
                        5
                    }
                    Cell::Date(d) => {
                        ws.write_datetime_with_format(
                            r,
                            c,
                            d.and_time(chrono::NaiveTime::MIN),
                            &date,
                        )?;
                        10
                    }
                    Cell::DateTime(d) => {
                        if d.time() == chrono::NaiveTime::MIN {
                            ws.write_datetime_with_format(r, c, d, &date)?;
                            10
                        } else {
                            ws.write_datetime_with_format(r, c, d, &datetime)?;
                            19
                        }
                    }
                    Cell::Text(s) => {
                        let s = if o.raw_cells {
                            s.clone()
                        } else {
                            neutralise(s).into_owned()
                        };
                        ws.write_string(r, c, &s)?;
                        s.chars().map(|ch| if ch.is_ascii() { 1 } else { 2 }).sum()
                    }
                };
                widths[ci] = widths[ci].max(shown + 1);
            }
        }
        for (ci, wdt) in widths.iter().enumerate() {
            ws.set_column_width(ci as u16, (*wdt).min(60) as f64)?;
        }
        ws.set_freeze_panes(1, 0)?;
    }
    wb.save_to_buffer()
}
