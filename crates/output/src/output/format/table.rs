//! Terminal tables (comfy-table): numbers right-aligned, ratios as percent, money with separators
//! and currency; notes under the table.
//!
//! Fitted to the terminal width without ever breaking a number: header labels wrap at spaces,
//! long text cells are shortened with `…`, and when the numbers alone are still too wide the
//! last columns are hidden and named under the table. Piped output (no width) stays whole.

use std::io::Write;

use comfy_table::{Attribute, Cell as TCell, CellAlignment, ContentArrangement, Table, presets};
use unicode_width::UnicodeWidthStr;

use super::md::right;
use super::{Options, Render};
use crate::output::cell::{Cell, rows, thousands};
use crate::output::labels::label;
use crate::output::{Lang, Report, ResultTable};

pub struct Terminal;

/// A text column is never shortened below this many columns.
const MIN_TEXT: usize = 10;

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
                writeln!(w, "{}", crate::output::labels::table_label(&t.name, o.lang))?;
            }
            let cur = t.columns.iter().position(|c| c.id == "currency");
            let all = rows(&t.df, o.max_rows);
            let headers: Vec<String> = t.columns.iter().map(|c| label(&c.id, o.lang)).collect();
            let cells: Vec<Vec<String>> = all
                .iter()
                .enumerate()
                .map(|(ri, row)| {
                    let currency = cur.and_then(|i| match &row[i] {
                        Cell::Text(s) => Some(s.as_str()),
                        _ => None,
                    });
                    row.iter()
                        .zip(&t.columns)
                        .map(|(c, s)| match c {
                            Cell::Text(v) => {
                                crate::output::labels::value_label(&s.id, v, o.lang).into_owned()
                            }
                            c => c.display(s.unit_at(ri), currency),
                        })
                        .collect()
                })
                .collect();
            let numeric: Vec<bool> = t.columns.iter().map(|c| right(c.unit)).collect();
            let secondary: Vec<bool> = t.columns.iter().map(|c| is_secondary(&c.id)).collect();
            let plan = fit(
                &headers,
                &cells,
                &numeric,
                &secondary,
                o.width.map(usize::from),
            );
            let mut tab = Table::new();
            tab.load_style(presets::UTF8_FULL_CONDENSED);
            tab.set_content_arrangement(ContentArrangement::Disabled);
            tab.set_header(plan.shown.iter().map(|&i| {
                let cell = TCell::new(wrap_words(&headers[i], plan.widths[i]));
                let cell = if numeric[i] {
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
            for row in &cells {
                tab.add_row(plan.shown.iter().map(|&i| {
                    let text = if numeric[i] {
                        row[i].clone()
                    } else {
                        shorten(&row[i], plan.widths[i])
                    };
                    let cell = TCell::new(text);
                    if numeric[i] {
                        cell.set_alignment(CellAlignment::Right)
                    } else {
                        cell
                    }
                }));
            }
            writeln!(w, "{tab}")?;
            if all.len() < t.df.height() {
                writeln!(w, "{}", rows_hidden(all.len(), t.df.height(), o.lang))?;
            }
            if plan.shown.len() < headers.len() {
                let hidden: Vec<&str> = (0..t.columns.len())
                    .filter(|i| !plan.shown.contains(i))
                    .map(|i| t.columns[i].id.as_str())
                    .collect();
                writeln!(w, "{}", cols_hidden(&hidden, o.lang))?;
            }
        }
        for n in r.notes.iter().filter(|n| !n.warn) {
            writeln!(
                w,
                "{}{}",
                crate::output::note_prefix(o.lang),
                n.text(o.lang)
            )?;
        }
        Ok(())
    }
}

fn rows_hidden(shown: usize, all: usize, lang: Lang) -> String {
    let (s, a) = (thousands(&shown.to_string()), thousands(&all.to_string()));
    match lang {
        Lang::En => format!(
            "({s} of {a} rows shown; --max-rows 0 shows all, --format csv or -o FILE writes all)"
        ),
        Lang::ZhCn => format!(
            "（显示 {a} 行中的 {s} 行；--max-rows 0 显示全部，--format csv 或 -o FILE 输出全部）"
        ),
    }
}

fn cols_hidden(ids: &[&str], lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "({} column(s) hidden to fit the terminal: {}; a wider terminal, COLUMNS=N, --format csv or -o FILE shows them)",
            ids.len(),
            ids.join(", ")
        ),
        Lang::ZhCn => format!(
            "（为适应终端宽度隐藏了 {} 列：{}；加宽终端、COLUMNS=N、--format csv 或 -o FILE 可显示）",
            ids.len(),
            ids.join(", ")
        ),
    }
}

/// Which columns to show and how wide each is.
#[derive(Debug, PartialEq)]
pub struct Plan {
    /// Indices of the columns shown, in order.
    pub(crate) shown: Vec<usize>,
    /// Width of every column (shown or not).
    pub(crate) widths: Vec<usize>,
}

/// Lay out columns in `width` terminal columns (None: as wide as they are). A column is as wide
/// as its widest cell and its longest header word; numbers keep that width, text may shrink
/// to [`MIN_TEXT`] (never below its header word); then columns are hidden until the table fits:
/// the last `secondary` one first, then the last one (never the first).
pub(crate) fn fit(
    headers: &[String],
    cells: &[Vec<String>],
    numeric: &[bool],
    secondary: &[bool],
    width: Option<usize>,
) -> Plan {
    let n = headers.len();
    let word = |h: &str| h.split(' ').map(UnicodeWidthStr::width).max().unwrap_or(0);
    let cell: Vec<usize> = (0..n)
        .map(|i| cells.iter().map(|r| r[i].width()).max().unwrap_or(0))
        .collect();
    // Whole: the widest of cell and header.
    let mut widths: Vec<usize> = (0..n)
        .map(|i| cell[i].max(headers[i].width()).max(1))
        .collect();
    let mut shown: Vec<usize> = (0..n).collect();
    let Some(width) = width else {
        return Plan { shown, widths };
    };
    // `│ a │ b │`: 3 columns of border and padding per column, plus 1.
    let total =
        |shown: &[usize], widths: &[usize]| shown.iter().map(|&i| widths[i] + 3).sum::<usize>() + 1;
    // First headers wrap at spaces (down to their longest word), then text cells shorten.
    let floors: [Vec<usize>; 2] = [
        (0..n)
            .map(|i| cell[i].max(word(&headers[i])).max(1))
            .collect(),
        (0..n)
            .map(|i| {
                let w = cell[i].max(word(&headers[i])).max(1);
                if numeric[i] {
                    w
                } else {
                    w.min(MIN_TEXT.max(word(&headers[i])))
                }
            })
            .collect(),
    ];
    for floor in &floors {
        while total(&shown, &widths) > width {
            let give = shown
                .iter()
                .copied()
                .filter(|&i| widths[i] > floor[i])
                .max_by_key(|&i| widths[i] - floor[i]);
            match give {
                Some(i) => widths[i] -= 1,
                None => break,
            }
        }
    }
    // Hide the last secondary columns first (interval bounds, sample sizes, flags), then the
    // last of the others; never the first.
    while total(&shown, &widths) > width && shown.len() > 1 {
        let drop = shown
            .iter()
            .rposition(|&i| i > 0 && secondary[i])
            .unwrap_or(shown.len() - 1);
        shown.remove(drop);
    }
    Plan { shown, widths }
}

/// Columns a narrow terminal hides first: interval bounds, sample sizes and flags, which
/// qualify a number shown beside them.
pub(crate) fn is_secondary(id: &str) -> bool {
    id.ends_with("_low")
        || id.ends_with("_high")
        || id.ends_with("_lower")
        || id.ends_with("_upper")
        || id.ends_with("_p75_days")
        || matches!(id, "n" | "low_n" | "basis" | "currency")
}

/// `s` cut to `width` terminal columns, ending in `…` when cut.
pub(crate) fn shorten(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw + 1 > width {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// Header text wrapped at spaces into lines of at most `width` columns (a word longer than that
/// keeps its own line).
fn wrap_words(s: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in s.split(' ') {
        match lines.last_mut() {
            Some(l) if l.width() + 1 + word.width() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn numbers_keep_their_width_text_gives_then_columns_hide() {
        let h = strs(&["Owner", "Won amount", "Win rate"]);
        let cells = vec![strs(&[
            "Alexandra Konstantinopoulou",
            "$1,234,567.89",
            "66.7%",
        ])];
        let num = [false, true, true];
        let sec = [false, false, false];
        // Whole: the name 27, "$1,234,567.89" 13, "Win rate" 8 (wider than "66.7%").
        let p = fit(&h, &cells, &num, &sec, None);
        assert_eq!(p.widths, vec![27, 13, 8]);
        // 27+13+8 + 3*3 + 1 = 58 columns; in 40, "Win rate" wraps to "rate" over 5 (3 back),
        // then the name gives 15 and shrinks to 12.
        let p = fit(&h, &cells, &num, &sec, Some(40));
        assert_eq!(p.shown, vec![0, 1, 2]);
        assert_eq!(p.widths, vec![12, 13, 5]);
        // In 30, the name stops at 10 (10+13+5+10 = 38 > 30): the last column goes, then
        // 10+13+7 = 30 fits.
        let p = fit(&h, &cells, &num, &sec, Some(30));
        assert_eq!(p.shown, vec![0, 1]);
        assert_eq!(p.widths[0], 10);
        // A secondary column goes before the last one.
        let p = fit(&h, &cells, &num, &[false, true, false], Some(30));
        assert_eq!(p.shown, vec![0, 2]);
    }

    #[test]
    fn shorten_and_wrap() {
        assert_eq!(shorten("Prospecting", 8), "Prospec…");
        assert_eq!(shorten("王芳王芳王芳", 7), "王芳王…");
        assert_eq!(shorten("short", 8), "short");
        assert_eq!(
            wrap_words("Median cycle (days)", 7),
            "Median\ncycle\n(days)"
        );
        assert_eq!(wrap_words("Won amount", 13), "Won amount");
    }
}
