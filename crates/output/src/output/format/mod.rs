//! Output formats behind one small trait; one file per format.

mod csv;
mod json;
pub mod md;
mod table;
mod xlsx;

use std::io::Write;

use super::{Lang, Report, ResultTable};

pub use self::csv::Delimited;
pub use self::json::Json;
pub use self::md::Markdown;
pub use self::table::Terminal;
pub use self::xlsx::Xlsx;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Tsv,
    Json,
    Md,
    Xlsx,
}

impl Format {
    pub(crate) fn parse(s: &str) -> Result<Format, crate::text::Text> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "table" => Format::Table,
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
            "json" => Format::Json,
            "md" | "markdown" => Format::Md,
            "xlsx" => Format::Xlsx,
            other => {
                return Err(crate::tr!(
                    "--format {other:?}: expected table, csv, tsv, json, md or xlsx",
                    "--format {other:?}：应为 `table`、`csv`、`tsv`、`json`、`md` 或 `xlsx`"
                ));
            }
        })
    }

    pub(crate) fn from_extension(ext: &str) -> Option<Format> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "json" => Format::Json,
            "md" | "markdown" => Format::Md,
            "xlsx" => Format::Xlsx,
            "txt" => Format::Table,
            _ => return None,
        })
    }

    pub(crate) fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Json => "json",
            Format::Md => "md",
            Format::Xlsx => "xlsx",
        }
    }

    /// Machine formats send notes to stderr; human formats print them under the table.
    pub(crate) fn is_machine(self) -> bool {
        matches!(
            self,
            Format::Csv | Format::Tsv | Format::Json | Format::Xlsx
        )
    }

    pub fn renderer(self) -> Box<dyn Render> {
        match self {
            Format::Table => Box::new(Terminal),
            Format::Csv => Box::new(Delimited { delimiter: b',' }),
            Format::Tsv => Box::new(Delimited { delimiter: b'\t' }),
            Format::Json => Box::new(Json),
            Format::Md => Box::new(Markdown),
            Format::Xlsx => Box::new(Xlsx),
        }
    }
}

/// Rendering options.
#[derive(Debug, Clone)]
pub struct Options {
    pub lang: Lang,
    pub bom: bool,
    pub raw_cells: bool,
    pub max_rows: Option<usize>,
    /// Terminal width for tables (None: no wrapping).
    pub width: Option<u16>,
    /// Bold headers (a terminal without NO_COLOR).
    pub style: bool,
    /// What the result was computed from (JSON's `meta` object).
    pub meta: crate::meta::Meta,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lang: Lang::En,
            bom: false,
            raw_cells: false,
            max_rows: None,
            width: None,
            style: false,
            meta: crate::meta::Meta::default(),
        }
    }
}

/// A renderer writes the tables it is given.
pub trait Render {
    /// Render `tables` (usually one; all of them for table, md, json and xlsx) with the report's notes.
    fn render(
        &self,
        tables: &[&ResultTable],
        report: &Report,
        o: &Options,
        w: &mut dyn Write,
    ) -> std::io::Result<()>;
}
