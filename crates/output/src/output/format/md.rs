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
pub fn esc(s: &str) -> String {
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

/// A data cell: [`esc`], and the characters Markdown reads as markup (emphasis, code, links,
/// strikethrough, a heading or list at the start) escaped with a backslash, so a CRM value
/// shows as typed.
pub(crate) fn esc_data(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 4);
    // a heading, or a list item (`- `, `+ `), at the start; a negative number stays as it is
    if s.starts_with('#') || s.starts_with("- ") || s.starts_with("+ ") {
        o.push('\\');
    }
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '~') {
            o.push('\\');
        }
        o.push(c);
    }
    // then HTML and pipes (whose escape adds the only other backslash)
    esc(&o)
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
                writeln!(
                    w,
                    "### {}\n",
                    crate::output::labels::table_label(&t.name, o.lang)
                )?;
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
            for (ri, row) in all.iter().enumerate() {
                let currency = cur.and_then(|i| match &row[i] {
                    crate::output::cell::Cell::Text(s) => Some(s.as_str()),
                    _ => None,
                });
                let cells: Vec<String> = row
                    .iter()
                    .zip(&t.columns)
                    .map(|(c, s)| match c {
                        crate::output::cell::Cell::Text(v) => {
                            esc_data(&crate::output::labels::value_label(&s.id, v, o.lang))
                        }
                        c => esc_data(&c.display(s.unit_at(ri), currency)),
                    })
                    .collect();
                writeln!(w, "| {} |", cells.join(" | "))?;
            }
            if all.len() < t.df.height() {
                let (shown, total) = (all.len(), t.df.height());
                match o.lang {
                    crate::output::Lang::En => writeln!(w, "\n({shown} of {total} rows shown)")?,
                    crate::output::Lang::ZhCn => {
                        writeln!(w, "\n（显示 {total} 行中的 {shown} 行）")?
                    }
                }
            }
        }
        if !r.notes.is_empty() {
            writeln!(w)?;
            for n in &r.notes {
                let tag = match (n.warn, o.lang) {
                    (false, _) => "",
                    (true, crate::output::Lang::En) => "**warning:** ",
                    (true, crate::output::Lang::ZhCn) => "**警告：** ",
                };
                writeln!(w, "- {tag}{}", esc(n.text(o.lang)))?;
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
    use super::{esc, esc_data};

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
        assert_eq!(
            esc_data("*bold* _it_ `code` [x](y) ~~s~~"),
            "\\*bold\\* \\_it\\_ \\`code\\` \\[x\\](y) \\~\\~s\\~\\~"
        );
        assert_eq!(esc_data("# title"), "\\# title");
        assert_eq!(esc_data("a\\b"), "a\\\\b");
        assert_eq!(esc_data("- item"), "\\- item");
        assert_eq!(esc_data("a | *b*"), "a \\| \\*b\\*");
        assert_eq!(esc_data("-1,200.00"), "-1,200.00");
    }
}
