//! The output flags every result-producing command accepts.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::format::Format;
use crate::text::Text;

#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// table, csv, tsv, json, md or xlsx. Default: a table on a terminal, CSV in a pipe, else
    /// from the -o extension.
    #[arg(long, value_name = "FORMAT", ignore_case = true, value_parser = format_values())]
    pub format: Option<String>,
    /// Write to FILE (format from its extension), or to DIR/ (one file per table).
    #[arg(short, long, value_name = "FILE|DIR/")]
    pub output: Option<PathBuf>,
    /// Which table of a multi-table result to print (CSV/TSV/stdout).
    #[arg(long, value_name = "NAME", hide_short_help = true)]
    pub table: Option<String>,
    /// Language of headers, chart labels and notes: en or zh-CN (default: config, else LANG).
    #[arg(long, value_name = "LANG", ignore_case = true, value_parser = lang_values(), hide_short_help = true)]
    pub lang: Option<String>,
    /// Start CSV/TSV output with a UTF-8 byte-order mark (Excel on Windows then shows Chinese).
    #[arg(long, hide_short_help = true)]
    pub(crate) bom: bool,
    /// Do not neutralise text cells that begin with = + - @ (formula injection guard).
    #[arg(long, hide_short_help = true)]
    pub(crate) raw_cells: bool,
    /// At most N rows per table in terminal and Markdown output (a terminal shows 40 by
    /// default; 0 shows all).
    #[arg(long, value_name = "N", hide_short_help = true)]
    pub(crate) max_rows: Option<usize>,
    /// Also draw the result as a PNG chart.
    #[arg(long, value_name = "FILE.png", hide_short_help = true)]
    pub chart: Option<PathBuf>,
    /// Chart size in pixels.
    #[arg(
        long,
        value_name = "WxH",
        default_value = "1000x600",
        hide_short_help = true
    )]
    pub(crate) chart_size: String,
    /// Font file for chart text (a CJK font is found automatically when labels need one).
    #[arg(long, value_name = "PATH", hide_short_help = true)]
    pub(crate) font: Option<PathBuf>,
    /// Also write what the result was computed from (as-of, period, inputs, warnings) to FILE
    /// as JSON: the `meta` object JSON output carries, for CSV/TSV/XLSX users.
    #[arg(long, value_name = "FILE", hide_short_help = true)]
    pub(crate) meta: Option<PathBuf>,
    /// No progress bars or notes on stderr (warnings are always printed).
    #[arg(short, long)]
    pub quiet: bool,
}

impl OutputArgs {
    /// The format to use for stdout or a file.
    pub fn resolve_format(&self) -> Result<Format, Text> {
        if let Some(f) = &self.format {
            return Format::parse(f);
        }
        if let Some(o) = &self.output {
            if let Some(ext) = o.extension().and_then(|e| e.to_str()) {
                return Format::from_extension(ext).ok_or_else(|| {
                    let o = o.display();
                    crate::tr!(
                        "-o {o}: unknown extension .{ext}; use .csv .tsv .json .md .xlsx .txt or --format",
                        "-o {o}：未知的扩展名 `.{ext}`；请用 `.csv` `.tsv` `.json` `.md` `.xlsx` `.txt` 之一，或用 --format"
                    )
                });
            }
            return Ok(Format::Csv);
        }
        Ok(if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Csv
        })
    }

    /// Parse `--chart-size 1000x600`.
    pub(crate) fn chart_size(&self) -> Result<(u32, u32), Text> {
        let bad = || {
            let size = &self.chart_size;
            crate::tr!(
                "--chart-size {size:?}: expected WIDTHxHEIGHT such as 1000x600",
                "--chart-size {size:?}：应为 WIDTHxHEIGHT，如 1000x600"
            )
        };
        let (w, h) = self.chart_size.split_once(['x', 'X']).ok_or_else(bad)?;
        let (w, h): (u32, u32) = (
            w.trim().parse().map_err(|_| bad())?,
            h.trim().parse().map_err(|_| bad())?,
        );
        if !(100..=8000).contains(&w) || !(100..=8000).contains(&h) {
            return Err(crate::tr!(
                "--chart-size {w}x{h}: each side must be 100-8000 pixels",
                "--chart-size {w}x{h}：每边必须为 100-8000 像素"
            ));
        }
        Ok((w, h))
    }
}

/// `--format`'s values (completions offer them; a typo gets clap's "a similar value exists").
fn format_values() -> clap::builder::PossibleValuesParser {
    use clap::builder::PossibleValue;
    clap::builder::PossibleValuesParser::new([
        PossibleValue::new("table"),
        PossibleValue::new("csv"),
        PossibleValue::new("tsv"),
        PossibleValue::new("json"),
        PossibleValue::new("md").alias("markdown"),
        PossibleValue::new("xlsx"),
    ])
}

/// `--lang`'s values, with the spellings `Lang::resolve` also takes.
pub fn lang_values() -> clap::builder::PossibleValuesParser {
    use clap::builder::PossibleValue;
    clap::builder::PossibleValuesParser::new([
        PossibleValue::new("en").aliases(["en-us", "en-gb", "en_US", "en_GB"]),
        PossibleValue::new("zh-CN").aliases(["zh", "zh-cn", "zh_CN", "zh-hans"]),
    ])
}
