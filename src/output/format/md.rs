//! Markdown: pipe tables with display formatting (percent, separators), notes as a list.

use std::io::Write;

use super::{Options, Render};
use crate::output::cell::rows;
use crate::output::labels::label;
use crate::output::{Report, ResultTable, Unit};

pub struct Markdown;

/// Text safe in a Markdown table cell and in a page made from it: `|` escaped, line breaks
/// flattened, and `<`, `>`, `&` as entities, so a CRM field such as `<script>` or
/// `<img onerror=...>` is shown, never run, by a Markdown viewer that passes HTML through.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => o.push_str("\\|"),
            '\n' | '\r' => o.push(' '),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            _ => o.push(c),
        }
    }
    o
}

impl Render for Markdown {
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
                writeln!(w, "### {}\n", t.name)?;
            }
            let heads: Vec<String> = t
                .columns
                .iter()
                .map(|c| esc(&label(&c.id, o.lang)))
                .collect();
            writeln!(w, "| {} |", heads.join(" | "))?;
            let aligns: Vec<&str> = t
                .columns
                .iter()
                .map(|c| if right(c.unit) { "---:" } else { "---" })
                .collect();
            writeln!(w, "| {} |", aligns.join(" | "))?;
            let cur = t.columns.iter().position(|c| c.id == "currency");
            let all = rows(&t.df, o.max_rows);
            for row in &all {
                let currency = cur.and_then(|i| match &row[i] {
                    crate::output::cell::Cell::Text(s) => Some(s.as_str()),
                    _ => None,
                });
                let cells: Vec<String> = row
                    .iter()
                    .zip(&t.columns)
                    .map(|(c, s)| esc(&c.display(s.unit, currency)))
                    .collect();
                writeln!(w, "| {} |", cells.join(" | "))?;
            }
            if all.len() < t.df.height() {
                writeln!(w, "\n({} of {} rows shown)", all.len(), t.df.height())?;
            }
        }
        if !r.notes.is_empty() {
            writeln!(w)?;
            for n in &r.notes {
                writeln!(w, "- {}", esc(&n.text(o.lang)))?;
            }
        }
        Ok(())
    }
}

pub(super) fn right(u: Unit) -> bool {
    !matches!(u, Unit::Text | Unit::Date | Unit::DateTime | Unit::Bool)
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn markdown_cells_show_html_and_pipes_as_text() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            esc("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(esc("A | B & C\nD"), "A \\| B &amp; C D");
        assert_eq!(esc("王芳"), "王芳");
    }
}
