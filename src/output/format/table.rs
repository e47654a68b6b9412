//! Terminal tables (comfy-table): numbers right-aligned, ratios as percent, money with separators
//! and currency, fitted to the terminal width; notes under the table.

use std::io::Write;

use comfy_table::{Attribute, Cell as TCell, CellAlignment, ContentArrangement, Table, presets};

use super::md::right;
use super::{Options, Render};
use crate::output::cell::{Cell, rows};
use crate::output::labels::label;
use crate::output::{Report, ResultTable};

pub struct Terminal;

impl Render for Terminal {
    fn render(
        &self,
        tables: &[&ResultTable],
        r: &Report,
        o: &Options,
        w: &mut dyn Write,
    ) -> std::io::Result<()> {
        for (ti, t) in tables.iter().enumerate() {
            if tables.len() > 1 {
                if ti > 0 {
                    writeln!(w)?;
                }
                writeln!(w, "{}", t.name)?;
            }
            let mut tab = Table::new();
            tab.load_style(presets::UTF8_FULL_CONDENSED);
            match o.width {
                Some(width) => {
                    tab.set_width(width);
                    tab.set_content_arrangement(ContentArrangement::Dynamic);
                }
                None => {
                    tab.set_content_arrangement(ContentArrangement::Disabled);
                }
            }
            tab.set_header(t.columns.iter().map(|c| {
                let cell = TCell::new(label(&c.id, o.lang));
                let cell = if right(c.unit) {
                    cell.set_alignment(CellAlignment::Right)
                } else {
                    cell
                };
                if o.style {
                    cell.add_attribute(Attribute::Bold)
                } else {
                    cell
                }
            }));
            let cur = t.columns.iter().position(|c| c.id == "currency");
            let all = rows(&t.df, o.max_rows);
            for row in &all {
                let currency = cur.and_then(|i| match &row[i] {
                    Cell::Text(s) => Some(s.as_str()),
                    _ => None,
                });
                tab.add_row(row.iter().zip(&t.columns).map(|(c, s)| {
                    let cell = TCell::new(c.display(s.unit, currency));
                    if right(s.unit) {
                        cell.set_alignment(CellAlignment::Right)
                    } else {
                        cell
                    }
                }));
            }
            writeln!(w, "{tab}")?;
            if all.len() < t.df.height() {
                writeln!(
                    w,
                    "({} of {} rows shown; --max-rows changes this)",
                    all.len(),
                    t.df.height()
                )?;
            }
        }
        for n in r.notes.iter().filter(|n| !n.warn) {
            writeln!(w, "note: {}", n.text(o.lang))?;
        }
        Ok(())
    }
}
