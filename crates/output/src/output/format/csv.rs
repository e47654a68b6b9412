//! CSV and TSV: plain numbers, ratios as fractions, ISO dates, snake_case ids as headers.

use std::io::Write;

use super::{Options, Render};
use crate::output::cell::{neutralise, rows};
use crate::output::{Report, ResultTable};

pub struct Delimited {
    pub(crate) delimiter: u8,
}

impl Render for Delimited {
    fn render(
        &self,
        tables: &[&ResultTable],
        _r: &Report,
        o: &Options,
        w: &mut dyn Write,
    ) -> std::io::Result<()> {
        if o.bom {
            w.write_all(b"\xef\xbb\xbf")?;
        }
        let mut cw = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .from_writer(w);
        let Some(t) = tables.first() else {
            return Ok(());
        };
        cw.write_record(t.columns.iter().map(|c| c.id.as_str()))?;
        for row in rows(&t.df, None) {
            let fields: Vec<String> = row
                .iter()
                .map(|c| {
                    let s = c.plain();
                    if c.is_text() && !o.raw_cells {
                        neutralise(&s).into_owned()
                    } else {
                        s
                    }
                })
                .collect();
            cw.write_record(&fields)?;
        }
        cw.flush()
    }
}
