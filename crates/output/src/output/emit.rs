//! Sending a report where the user asked: stdout, a file (atomically), or one file per table in
//! a directory; notes to stderr in machine formats; the chart when asked.

use std::io::{IsTerminal, Write};

use super::chart::{ChartSpec, render_png};
use super::format::{Format, Options};
use super::{Lang, OutputArgs, Report, ResultTable};
use crate::error::{Error, Result};

/// A result another command composes (a report's section): its chart drawn to `--chart` and its
/// warnings said, nothing printed. The caller renders the tables.
pub fn keep(
    report: &Report,
    o: &OutputArgs,
    config_lang: Option<&str>,
    chart: Option<&ChartSpec>,
) -> Result<()> {
    let lang = Lang::resolve(o.lang.as_deref(), config_lang).map_err(Error::usage)?;
    if let (Some(path), Some(spec)) = (&o.chart, chart) {
        crate::io::check_output(path, "--chart")?;
        let size = o.chart_size().map_err(Error::usage)?;
        if let Some(w) = render_png(spec, path, size, o.font.as_deref())? {
            crate::warn::emit_text(&w);
        }
    }
    warn_all(report, lang);
    Ok(())
}

/// Render `report` as `o` asks. `config_lang` is the config's `lang`.
pub fn emit(
    report: &Report,
    o: &OutputArgs,
    config_lang: Option<&str>,
    chart: Option<&ChartSpec>,
) -> Result<()> {
    let lang = Lang::resolve(o.lang.as_deref(), config_lang).map_err(Error::usage)?;
    let format = o.resolve_format().map_err(Error::usage)?;
    if let Some(p) = &o.output {
        crate::io::check_output(p, "-o")?;
    }
    if let Some(p) = &o.chart {
        crate::io::check_output(p, "--chart")?;
    }
    if let Some(p) = &o.meta {
        crate::io::check_output(p, "--meta")?;
    }
    // Warnings first, so that the result's `meta` lists them.
    warn_all(report, lang);
    let stdout_tty = std::io::stdout().is_terminal();
    let to_terminal = stdout_tty && o.output.is_none();
    let opts = options(o, format, lang, to_terminal);
    let selected = selected_tables(report, o, format)?;
    let renderer = format.renderer();
    let to_dir = o
        .output
        .as_ref()
        .filter(|p| p.to_string_lossy().ends_with('/') || p.is_dir());
    if let Some(dir) = to_dir {
        write_dir(dir, report, o, format, &opts)?;
    } else if let Some(path) = &o.output {
        let mut buf = Vec::new();
        renderer
            .render(&selected, report, &opts, &mut buf)
            .map_err(|e| Error::io(path, e))?;
        crate::io::write_atomic(path, |f| f.write_all(&buf))?;
    } else {
        if format == Format::Xlsx && stdout_tty {
            return Err(Error::usage(crate::tr!(
                "xlsx is a binary format: write it with -o FILE.xlsx",
                "xlsx 是二进制格式：请用 -o FILE.xlsx 写入文件"
            )));
        }
        let mut buf = Vec::new();
        renderer
            .render(&selected, report, &opts, &mut buf)
            .map_err(|e| Error::io("<stdout>", e))?;
        write_stdout(&buf, lang)?;
    }
    if (format.is_machine() || to_dir.is_some() || o.output.is_some()) && !o.quiet {
        let mut err = std::io::stderr().lock();
        for n in report.notes.iter().filter(|n| !n.warn) {
            let _ = writeln!(err, "{}{}", super::note_prefix(lang), n.text(lang));
        }
    }
    if let Some(p) = &o.meta {
        let mut buf = serde_json::to_vec_pretty(&crate::meta::snapshot())
            .map_err(|e| Error::Internal(format!("--meta: {e}")))?;
        buf.push(b'\n');
        crate::io::write_atomic(p, |f| f.write_all(&buf))?;
    }
    if let (Some(path), Some(spec)) = (&o.chart, chart) {
        let size = o.chart_size().map_err(Error::usage)?;
        if let Some(w) = render_png(spec, path, size, o.font.as_deref())? {
            crate::warn::emit_text(&w);
        }
    } else if let Some(path) = &o.chart {
        let p = path.display();
        return Err(Error::usage(crate::tr!(
            "--chart {p}: this command draws no chart",
            "--chart {p}：此命令不绘制图表"
        )));
    }
    Ok(())
}

/// How tables are rendered: language, BOM, raw cells, the row cap (40 rows a table on a
/// terminal unless `--max-rows` says), the width and style of a terminal, the `meta`.
fn options(o: &OutputArgs, format: Format, lang: Lang, to_terminal: bool) -> Options {
    Options {
        lang,
        bom: o.bom,
        raw_cells: o.raw_cells,
        max_rows: match (o.max_rows, format) {
            (Some(0), _) => None,
            (Some(n), Format::Table | Format::Md) => Some(n),
            // A terminal shows 40 rows a table by default (the rest are counted under it).
            (None, Format::Table) if to_terminal => Some(40),
            _ => None,
        },
        width: if to_terminal && format == Format::Table {
            Some(terminal_width())
        } else {
            None
        },
        style: to_terminal
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::env::var("TERM").map_or(true, |t| t != "dumb"),
        meta: crate::meta::snapshot(),
    }
}

/// The tables written: `--table NAME`'s, else the first for CSV and TSV, else all.
fn selected_tables<'a>(
    report: &'a Report,
    o: &OutputArgs,
    format: Format,
) -> Result<Vec<&'a ResultTable>> {
    Ok(match &o.table {
        Some(name) => vec![
            report
                .tables
                .iter()
                .find(|t| &t.name == name)
                .ok_or_else(|| {
                    let names: Vec<&str> = report.tables.iter().map(|t| t.name.as_str()).collect();
                    let names = names.join(", ");
                    Error::usage(crate::tr!(
                        "--table {name:?}: this result has tables {names}",
                        "--table {name:?}：此结果中的表有 {names}"
                    ))
                })?,
        ],
        None => match format {
            Format::Csv | Format::Tsv => report.tables.iter().take(1).collect(),
            _ => report.tables.iter().collect(),
        },
    })
}

/// `-o DIR/`: every table as its own file (CSV unless `--format` says), each written atomically.
fn write_dir(
    dir: &std::path::Path,
    report: &Report,
    o: &OutputArgs,
    format: Format,
    opts: &Options,
) -> Result<()> {
    crate::io::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let format = if o.format.is_some() {
        format
    } else {
        Format::Csv
    };
    let renderer = format.renderer();
    for t in &report.tables {
        let path = dir.join(format!("{}.{}", t.name, format.extension()));
        let mut buf = Vec::new();
        renderer
            .render(&[t], report, opts, &mut buf)
            .map_err(|e| Error::io(&path, e))?;
        crate::io::check_output(&path, "-o")?;
        crate::io::write_atomic(&path, |f| f.write_all(&buf))?;
    }
    Ok(())
}

/// The rendered result to standard output.
fn write_stdout(buf: &[u8], lang: Lang) -> Result<()> {
    // Standard output closed at start (`>&-`, recorded by the binary before Rust's runtime
    // put /dev/null there): a result nobody receives is exit 1, not success (a reader that
    // closed a pipe is success).
    if STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(Error::io(
            "<stdout>",
            std::io::Error::other(match lang {
                Lang::En => {
                    "standard output is closed; nothing was written (redirect it, or use -o FILE)"
                }
                Lang::ZhCn => "标准输出已关闭；未写入任何内容（请重定向，或使用 -o FILE）",
            }),
        ));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(buf)
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(())
}

/// The result's warnings on stderr, whatever `-q` says (see [`crate::warn`]).
fn warn_all(report: &Report, lang: Lang) {
    for n in report.notes.iter().filter(|n| n.warn) {
        crate::warn::emit(&crate::text::Text::new(n.en.clone(), n.zh.clone()), lang);
    }
}

/// Set by the binary when descriptor 1 was closed at start.
pub static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The width tables fit on a terminal: `COLUMNS` when set, else the terminal's own, else 100
/// (a terminal that reports 0 columns, as some CI consoles do).
fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|&c| c > 0)
        .or_else(|| comfy_table::Table::new().width().filter(|&w| w > 0))
        .unwrap_or(100)
        .max(20)
}
