//! A report's files from its sections: tables as CSV and one workbook, report.md and a
//! self-contained report.html (charts embedded), and report.json listing them.

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine;

use super::Section;
use super::place::REPORT_MANIFEST;
use crate::error::{Error, Result};
use crate::output::cell::{Cell, rows};
use crate::output::format::{Format, Options};
use crate::output::labels::label;
use crate::output::{Report, ResultTable, Unit};
use crate::text::Lang;

fn title(id: &str, lang: Lang) -> String {
    let (en, zh) = match id {
        "headline" => ("Headline KPIs", "核心指标"),
        "funnel" => ("Funnel", "销售漏斗"),
        "bottleneck" => ("Bottlenecks", "瓶颈"),
        "scorecard" => ("Scorecard", "销售记分卡"),
        "cltv" => ("Customer lifetime value", "客户终身价值"),
        "cac" => ("Customer acquisition cost", "获客成本"),
        _ => ("Forecast", "预测"),
    };
    // Sections computed over all the data say so where they are read (docs/metrics.md).
    let all_data = matches!(id, "cltv" | "cac" | "forecast");
    match (lang, all_data) {
        (Lang::En, false) => en.to_string(),
        (Lang::En, true) => format!("{en} (all data, not only the period)"),
        (Lang::ZhCn, false) => zh.to_string(),
        (Lang::ZhCn, true) => format!("{zh}（全部数据，不限本期）"),
    }
}

/// Rows a report.md / report.html table shows; the rest are in its CSV, linked under it.
const REPORT_ROWS: usize = 20;

/// The line under a cut table: how many rows show, and the CSV that has them all.
fn full_table_note(shown: usize, all: usize, csv: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{shown} of {all} rows shown; every row: {csv}"),
        Lang::ZhCn => format!("显示 {all} 行中的 {shown} 行；全部行见 {csv}"),
    }
}

pub(crate) struct Head {
    pub(crate) period: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) as_of: String,
    pub(crate) basis: String,
    pub(crate) sources: String,
}

/// Every file of the report into `tmp`: a CSV per (section, table), report.xlsx, report.md,
/// report.html and report.json (the list of what it wrote). Returns the file names.
pub(crate) fn write_bundle(
    tmp: &Path,
    sections: &[Section],
    head: &Head,
    lang: Lang,
) -> Result<Vec<String>> {
    let opts = Options {
        lang,
        bom: false,
        raw_cells: false,
        max_rows: None,
        width: None,
        style: false,
        meta: crate::meta::snapshot(),
    };
    // Tables as CSV, one per (section, table).
    let mut all: Vec<ResultTable> = Vec::new();
    for sec in sections {
        let Some(r) = &sec.report else { continue };
        for t in &r.tables {
            let mut t2 = t.clone();
            t2.name = format!("{}-{}", sec.id, t.name);
            let mut buf = Vec::new();
            Format::Csv
                .renderer()
                .render(&[&t2], r, &opts, &mut buf)
                .map_err(|e| Error::io(&t2.name, e))?;
            let p = tmp.join(format!("{}.csv", t2.name));
            std::fs::write(&p, buf).map_err(|e| Error::io(&p, e))?;
            all.push(t2);
        }
    }
    // One workbook.
    let refs: Vec<&ResultTable> = all.iter().collect();
    let mut buf = Vec::new();
    Format::Xlsx
        .renderer()
        .render(&refs, &Report::default(), &opts, &mut buf)
        .map_err(|e| Error::io("report.xlsx", e))?;
    let p = tmp.join("report.xlsx");
    std::fs::write(&p, buf).map_err(|e| Error::io(&p, e))?;
    // Markdown and HTML.
    let md = markdown(sections, head, lang, &opts)?;
    let p = tmp.join("report.md");
    std::fs::write(&p, md).map_err(|e| Error::io(&p, e))?;
    let html = html(sections, head, lang, tmp)?;
    let p = tmp.join("report.html");
    std::fs::write(&p, html).map_err(|e| Error::io(&p, e))?;
    // The list of what this report wrote, so a later run knows which files are its own.
    let mut files: Vec<String> = std::fs::read_dir(tmp)
        .map_err(|e| Error::io(tmp, e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    files.push(REPORT_MANIFEST.to_string());
    files.sort();
    let listing = serde_json::json!({
        "salesctl_report": env!("CARGO_PKG_VERSION"),
        "files": files,
    });
    let p = tmp.join(REPORT_MANIFEST);
    std::fs::write(&p, format!("{listing:#}\n")).map_err(|e| Error::io(&p, e))?;
    Ok(files)
}

fn markdown(sections: &[Section], h: &Head, lang: Lang, o: &Options) -> Result<String> {
    let mut md = String::new();
    let (t, per, asof, src) = match lang {
        Lang::En => ("Sales review", "Period", "As of", "Source"),
        Lang::ZhCn => ("销售复盘", "期间", "截至", "数据来源"),
    };
    let _ = writeln!(md, "# {t}: {}\n", h.period);
    let _ = writeln!(
        md,
        "{per}: {} – {} · {asof}: {} ({}) · {src}: {}\n",
        h.from,
        h.to,
        h.as_of,
        crate::output::format::md::esc(&h.basis),
        crate::output::format::md::esc(&h.sources)
    );
    for s in sections {
        let _ = writeln!(md, "## {}\n", title(s.id, lang));
        match &s.report {
            None => {
                let _ = writeln!(
                    md,
                    "_{}_\n",
                    crate::output::format::md::esc(s.error.as_ref().map_or("", |e| e.get(lang)))
                );
            }
            Some(r) => {
                if let Some(c) = &s.chart {
                    let _ = writeln!(md, "![{}]({c})\n", title(s.id, lang));
                }
                // One table at a time: each cut to REPORT_ROWS with a link to its CSV.
                let o = &Options {
                    max_rows: Some(REPORT_ROWS),
                    ..o.clone()
                };
                for (ti, t) in r.tables.iter().enumerate() {
                    let last = ti + 1 == r.tables.len();
                    let notes_only_last = Report {
                        notes: if last { r.notes.clone() } else { Vec::new() },
                        ..Report::default()
                    };
                    if r.tables.len() > 1 {
                        let _ = writeln!(
                            md,
                            "### {}\n",
                            crate::output::labels::table_label(&t.name, lang)
                        );
                    }
                    let mut buf = Vec::new();
                    Format::Md
                        .renderer()
                        .render(&[t], &notes_only_last, o, &mut buf)
                        .map_err(|e| Error::io("report.md", e))?;
                    let mut text = String::from_utf8_lossy(&buf).to_string();
                    if t.df.height() > REPORT_ROWS {
                        let csv = format!("{}-{}.csv", s.id, t.name);
                        let line = full_table_note(
                            REPORT_ROWS,
                            t.df.height(),
                            &format!("[{csv}]({csv})"),
                            lang,
                        );
                        text = text.replacen(
                            &format!("\n({REPORT_ROWS} of {} rows shown)\n", t.df.height()),
                            &format!("\n{line}\n"),
                            1,
                        );
                    }
                    md.push_str(&text);
                    md.push('\n');
                }
            }
        }
    }
    Ok(md)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html(sections: &[Section], h: &Head, lang: Lang, dir: &Path) -> Result<String> {
    let (t, per, asof, src, html_lang) = match lang {
        Lang::En => ("Sales review", "Period", "As of", "Source", "en"),
        Lang::ZhCn => ("销售复盘", "期间", "截至", "数据来源", "zh-CN"),
    };
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\"><title>{} {}</title>\n<style>\
body{{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}}\
h1{{margin-bottom:.2em}}.meta{{color:#666;margin-bottom:1.5em}}\
table{{border-collapse:collapse;margin:.6em 0 1.2em;font-size:14px}}th,td{{border:1px solid #ddd;padding:4px 8px}}\
th{{background:#f4f6f8;text-align:left}}td.n{{text-align:right;font-variant-numeric:tabular-nums}}\
img{{max-width:100%;border:1px solid #eee}}ul.notes{{color:#555;font-size:13px}}.skip{{color:#a33}}\
h3{{font-size:15px;color:#444}}</style></head><body>\n",
        esc(t),
        esc(&h.period)
    );
    let _ = writeln!(o, "<h1>{}: {}</h1>", esc(t), esc(&h.period));
    let _ = writeln!(
        o,
        "<div class=\"meta\">{per}: {} – {} · {asof}: {} ({}) · {src}: {}</div>",
        esc(&h.from),
        esc(&h.to),
        esc(&h.as_of),
        esc(&h.basis),
        esc(&h.sources)
    );
    for s in sections {
        let _ = writeln!(o, "<h2>{}</h2>", esc(&title(s.id, lang)));
        let Some(r) = &s.report else {
            let _ = writeln!(
                o,
                "<p class=\"skip\">{}</p>",
                esc(s.error.as_ref().map_or("", |e| e.get(lang)))
            );
            continue;
        };
        if let Some(c) = &s.chart {
            let p = dir.join(c);
            let bytes = std::fs::read(&p).map_err(|e| Error::io(&p, e))?;
            let _ = writeln!(
                o,
                "<img alt=\"{}\" src=\"data:image/png;base64,{}\">",
                esc(&title(s.id, lang)),
                base64::engine::general_purpose::STANDARD.encode(bytes)
            );
        }
        for t in &r.tables {
            if r.tables.len() > 1 {
                let _ = writeln!(
                    o,
                    "<h3>{}</h3>",
                    esc(&crate::output::labels::table_label(&t.name, lang))
                );
            }
            let _ = write!(o, "<table><thead><tr>");
            for c in &t.columns {
                let _ = write!(o, "<th>{}</th>", esc(&label(&c.id, lang)));
            }
            let _ = writeln!(o, "</tr></thead><tbody>");
            let cur = t.columns.iter().position(|c| c.id == "currency");
            for (ri, row) in rows(&t.df, Some(REPORT_ROWS)).into_iter().enumerate() {
                let currency = cur.and_then(|i| match &row[i] {
                    Cell::Text(s) => Some(s.clone()),
                    _ => None,
                });
                let _ = write!(o, "<tr>");
                for (cell, spec) in row.iter().zip(&t.columns) {
                    let num = !matches!(
                        spec.unit,
                        Unit::Text | Unit::Date | Unit::DateTime | Unit::Bool
                    );
                    let _ = write!(
                        o,
                        "<td{}>{}</td>",
                        if num { " class=\"n\"" } else { "" },
                        esc(&match cell {
                            Cell::Text(v) => {
                                crate::output::labels::value_label(&spec.id, v, lang).into_owned()
                            }
                            c => c.display(spec.unit_at(ri), currency.as_deref()),
                        })
                    );
                }
                let _ = writeln!(o, "</tr>");
            }
            let _ = writeln!(o, "</tbody></table>");
            if t.df.height() > REPORT_ROWS {
                let csv = format!("{}-{}.csv", s.id, t.name);
                let link = format!("<a href=\"{}\">{}</a>", esc(&csv), esc(&csv));
                let _ = writeln!(
                    o,
                    "<p class=\"more\">{}</p>",
                    full_table_note(REPORT_ROWS, t.df.height(), &link, lang)
                        .replace(&link, "\u{0}")
                        .split('\u{0}')
                        .map(esc)
                        .collect::<Vec<_>>()
                        .join(&link)
                );
            }
        }
        if !r.notes.is_empty() {
            let _ = writeln!(o, "<ul class=\"notes\">");
            for n in &r.notes {
                let tag = match (n.warn, lang) {
                    (false, _) => "",
                    (true, Lang::En) => "<strong>warning:</strong> ",
                    (true, Lang::ZhCn) => "<strong>警告：</strong> ",
                };
                let _ = writeln!(o, "<li>{tag}{}</li>", esc(n.text(lang)));
            }
            let _ = writeln!(o, "</ul>");
        }
    }
    let _ = writeln!(o, "</body></html>");
    Ok(o)
}
