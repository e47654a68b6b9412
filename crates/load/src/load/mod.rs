//! The one loader every command reads through: raw exports (ingested in memory) or an ingested
//! DIR, into canonical tables as polars LazyFrames.

pub(crate) mod builder;
pub mod config;
pub mod csvscan;
pub mod dir;
pub mod events;
pub mod fx;
pub mod isolate;
pub mod limits;
pub mod mapping;
pub(crate) mod normalize;
pub mod parse;
pub mod pq;
pub mod preset;
pub mod read;
pub(crate) mod recognize;
pub mod side;
pub mod sniff;
pub(crate) mod synonyms;
pub mod workbook;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::model::Table;
use crate::model::pipeline::Outcomes;
use crate::text::Lang;
use crate::text::Text;
use config::Config;
use dir::{Manifest, SourceEntry};
use parse::date::DateCtx;

mod as_of;
mod dataset;
mod inputs;
mod rejects;
mod settings;

pub use as_of::*;
use inputs::*;
pub use rejects::*;

/// The loader flags every analysis command accepts, the same way.
/// `--revenue`: where revenue comes from when the input holds both deals and orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RevenueSource {
    #[value(name = "deals")] // not a KPI: a revenue source
    Deals,
    #[value(name = "orders")]
    Orders,
}

impl RevenueSource {
    /// The value as typed on the command line.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RevenueSource::Deals => "deals", // not a KPI: a revenue source
            RevenueSource::Orders => "orders",
        }
    }
}

impl std::fmt::Display for RevenueSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Input")]
pub struct LoaderArgs {
    /// Layout preset: auto (default: recognised from headers and values), generic, or a vendor
    /// preset (salesforce, salesforce_object, salesforce_history, hubspot, pipedrive, zoho,
    /// zoho_api, zoho_analytics, odoo, odoo_import, bitrix24, vtiger, dynamics365, suitecrm,
    /// wukong, wukong_contract, wukong_payment, fxiaoke). `GLOB::NAME` applies it to the inputs
    /// whose name matches (repeatable).
    #[arg(long, value_name = "NAME", hide_short_help = true)]
    pub preset: Vec<String>,
    /// Map a canonical field to an export header, e.g. `--map owner="Sales Rep"`; `GLOB::FIELD=HEADER`
    /// for the inputs whose name matches, e.g. `--map '*history*::deal_id=Opportunity ID'` (repeatable).
    #[arg(long = "map", value_name = "FIELD=HEADER", hide_short_help = true)]
    pub map: Vec<String>,
    /// Config file (default: salesctl.toml in the working directory, when present).
    #[arg(long, value_name = "FILE", hide_short_help = true)]
    pub config: Option<PathBuf>,
    /// Open stages in pipeline order, comma-separated (overrides config and preset).
    #[arg(long, value_name = "A,B,C")]
    pub stages: Option<String>,
    /// Where revenue comes from when the input holds both deals and orders: `orders` (order
    /// amounts by ordered_at; the default when there are orders) or `deals` (won amounts by
    /// closed_at).
    #[arg(long, value_name = "deals|orders", value_enum, hide_short_help = true)]
    pub revenue: Option<RevenueSource>,
    /// Only this pipeline's deals and events.
    #[arg(long, value_name = "NAME", hide_short_help = true)]
    pub pipeline: Option<String>,
    /// Text encoding (utf-8, gbk, gb18030, utf-16le, latin1...); detected when absent.
    #[arg(long, value_name = "NAME", hide_short_help = true)]
    pub encoding: Option<String>,
    /// Backslash escapes in quoted fields (`\"`), as database dumps write them: `backslash` or
    /// `none` (default: decided by the file: MySQL `\N` nulls or `\"` inside quotes).
    #[arg(long, value_name = "backslash|none", hide_short_help = true)]
    pub escape: Option<String>,
    /// Worksheet of an XLSX/XLS file (default: the first).
    #[arg(long, value_name = "NAME", hide_short_help = true)]
    pub sheet: Option<String>,
    /// The file has no header row; name its columns with --columns.
    #[arg(long, hide_short_help = true)]
    pub no_header: bool,
    /// Column names for --no-header files, comma-separated (canonical names map directly).
    #[arg(
        long,
        value_name = "A,B,C",
        requires = "no_header",
        hide_short_help = true
    )]
    pub columns: Option<String>,
    /// Fail (exit 3) when any row is rejected (the same as --max-rejects 0).
    #[arg(long, hide_short_help = true)]
    pub strict: bool,
    /// Refuse a file (exit 3) when more of its data rows than this are rejected: a count (`25`)
    /// or a share (`10%`, the default; config `max_rejects`).
    #[arg(long, value_name = "N|P%", hide_short_help = true)]
    pub max_rejects: Option<String>,
    /// Stage or status labels that mean won, comma-separated (beside the built-in ones and the
    /// config's `won_labels`).
    #[arg(long, value_name = "A,B", hide_short_help = true)]
    pub won: Option<String>,
    /// Stage or status labels that mean lost, comma-separated (beside config `lost_labels`).
    #[arg(long, value_name = "A,B", hide_short_help = true)]
    pub lost: Option<String>,
    /// Cell texts read as empty, comma-separated (beside `\N`, `NULL`, `N/A`, `-`... and the
    /// config's `null_markers`).
    #[arg(long = "null", value_name = "A,B", hide_short_help = true)]
    pub null: Option<String>,
    /// Write rejected rows to this CSV file.
    #[arg(long, value_name = "FILE", hide_short_help = true)]
    pub rejects: Option<PathBuf>,
    /// The date results are computed at (default: the export's own date).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Currency conversion rates: CSV with date,currency,rate (rate = value of 1 unit in the report currency).
    #[arg(long, value_name = "FILE", hide_short_help = true)]
    pub fx: Option<PathBuf>,
    /// Read every file as this canonical table (deals, stage_events, orders, spend, targets,
    /// activities, feedback); `GLOB::TABLE` for the inputs whose name matches (repeatable).
    #[arg(long = "as", value_name = "TABLE", hide_short_help = true)]
    pub as_table: Vec<String>,
    /// Ambiguous slash dates are day/month/year (overrides the config).
    #[arg(long, conflicts_with = "month_first", hide_short_help = true)]
    pub day_first: bool,
    /// Ambiguous slash dates are month/day/year (overrides the config).
    #[arg(long, hide_short_help = true)]
    pub month_first: bool,
    /// On duplicate deal ids keep the last row (default: keep all and report them).
    #[arg(long, value_name = "last", hide_short_help = true)]
    pub dedupe: Option<String>,
    /// Memory cap, in MiB, for parsing one XLSX/XLS workbook (in a child process); a workbook
    /// that needs more is refused (exit 3) instead of taking the machine's memory.
    #[arg(long, value_name = "MIB", default_value_t = isolate::DEFAULT_MEMORY_MIB, hide_short_help = true)]
    pub max_workbook_memory: u64,
    /// Longest record of delimited text, in bytes (a quoted cell over lines counts whole); a
    /// longer line is rejected as a row, never held in memory.
    #[arg(long, value_name = "BYTES", default_value_t = csvscan::DEFAULT_MAX_RECORD_BYTES, hide_short_help = true)]
    pub max_line_bytes: usize,
    /// An ingested DIR: check each table file against the content hash its manifest recorded
    /// (reads every file whole; row counts are checked on every read anyway).
    #[arg(long, hide_short_help = true)]
    pub verify: bool,
    /// Most fields in one record of delimited text; a wider line is rejected (the header:
    /// exit 3).
    #[arg(long, value_name = "N", default_value_t = csvscan::DEFAULT_MAX_COLUMNS, hide_short_help = true)]
    pub max_columns: usize,
    /// No progress bar (set from the command's --quiet).
    #[arg(skip)]
    pub quiet: bool,
    /// The canonical fields (and extra columns) the command reads, set by the command: a raw
    /// export's deals and stage events are then parsed and validated in these columns only.
    /// None (ingest, show, and whenever `--fx` is given): every column.
    #[arg(skip)]
    pub only: Option<BTreeMap<Table, Vec<String>>>,
}

impl LoaderArgs {
    /// Read only these fields of a raw export's tables (see `only`); tables not named are read
    /// whole.
    pub fn read_only(&mut self, tables: &[(Table, &[&str])]) {
        self.only = Some(
            tables
                .iter()
                .map(|(t, f)| (*t, f.iter().map(|x| x.to_string()).collect()))
                .collect(),
        );
    }
}

/// Resolved settings (flags over config over defaults).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub(crate) preset: Option<String>,
    pub(crate) table: Option<Table>,
    pub(crate) map: Vec<(String, String)>,
    pub(crate) no_header: bool,
    pub(crate) columns: Vec<String>,
    pub(crate) null_markers: Vec<String>,
    pub(crate) date_ctx: DateCtx,
    pub(crate) decimal_comma: bool,
    pub(crate) currency: Option<String>,
    pub outcomes: Outcomes,
    pub stage_lists: BTreeMap<String, Vec<String>>,
    pub(crate) timezone: String,
    pub config: Config,
    pub config_path: Option<PathBuf>,
    /// `LoaderArgs::only`, dropped when `--fx` converts every money column.
    pub(crate) only: Option<BTreeMap<Table, Vec<String>>>,
    /// Settings scoped to some inputs (`[[input]]` sections, `GLOB::` flags), in order.
    pub(crate) inputs: Vec<InputRule>,
    /// How many rejected rows a file may have before it is refused.
    pub(crate) max_rejects: MaxRejects,
    /// Where `max_rejects` came from (for the refusal's advice).
    pub(crate) max_rejects_from: &'static str,
    /// `--rejects FILE`: where rejected rows are written.
    pub rejects_to: Option<PathBuf>,
    /// `--revenue deals|orders`.
    pub revenue: Option<RevenueSource>,
    /// The list `--stages` gave (checked against the data's labels, see
    /// `analysis::check_stage_labels`).
    pub stages_flag: Option<Vec<String>>,
}

/// Preset, table and mapping for the inputs whose name or path matches a glob.
#[derive(Debug, Clone, Default)]
pub(crate) struct InputRule {
    pub(crate) glob: String,
    pub(crate) preset: Option<String>,
    pub(crate) table: Option<Table>,
    pub(crate) map: Vec<(String, String)>,
}

/// The reject-share rule: a file with more rejected data rows than this is refused (exit 3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxRejects {
    Count(usize),
    Share(f64),
}

impl Default for MaxRejects {
    fn default() -> Self {
        MaxRejects::Share(0.10)
    }
}

impl std::fmt::Display for MaxRejects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MaxRejects::Count(n) => write!(f, "{n} row(s)"),
            MaxRejects::Share(p) => write!(f, "{}%", (p * 1000.0).round() / 10.0),
        }
    }
}

/// A rejected cell or row, as written to rejects.csv.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reject {
    pub(crate) file: String,
    pub(crate) row: usize,
    pub(crate) column: String,
    pub(crate) value: String,
    pub(crate) reason: String,
}

/// The settings that can be scoped to some inputs: `--map`, `--preset` and `--as`, each either
/// for every input or, as `GLOB::VALUE`, for the inputs matching GLOB (after the config's
/// `[[input]]` sections).
struct Scoped {
    inputs: Vec<InputRule>,
    map: Vec<(String, String)>,
    preset: Option<String>,
    table: Option<Table>,
}

impl Reject {
    pub(crate) fn new(file: &str, row: usize, column: &str, value: &str, reason: &str) -> Reject {
        Reject {
            file: file.into(),
            row,
            column: column.into(),
            value: value.into(),
            reason: reason.into(),
        }
    }
}

/// Where a table's rows come from.
#[derive(Clone)]
enum Source {
    Frame(DataFrame),
    /// Stage events of raw exports as read: rows in file order, exit times not yet filled.
    /// Ordering them and filling exited_at is only done when asked for (the funnel family
    /// sorts its own compact events and never reads exited_at).
    Events(DataFrame),
    Parquet(PathBuf),
}

/// The loaded input of a command: canonical tables, the manifest that describes them, rejects.
pub struct Dataset {
    tables: BTreeMap<Table, Source>,
    pub manifest: Manifest,
    pub rejects: Vec<Reject>,
    pub settings: Settings,
    pub as_of: NaiveDate,
    /// Columns of a raw export left unread because the command does not use them.
    pub(crate) unread: BTreeMap<Table, Vec<String>>,
}

/// Load the inputs: one ingested DIR, or one or more raw exports.
pub fn load(inputs: &[PathBuf], args: &LoaderArgs) -> Result<Dataset> {
    for i in inputs {
        crate::timing::count(|| format!("load {}", i.display()));
    }
    let ds = load_inputs(inputs, args)?;
    if let Some(c) = &ds.settings.config_path {
        crate::meta::set_config(&c.display().to_string());
    }
    let as_of = ds.as_of.to_string();
    for e in &ds.manifest.sources {
        crate::meta::add_input(
            crate::meta::InputMeta {
                path: e.path.clone(),
                layout: e.preset.clone(),
                layout_why: e.preset_why.clone(),
                table: e.table.clone(),
                encoding: e.encoding.clone(),
                rows_read: e.rows_in,
                rows_rejected: e.rejected_rows,
            },
            &as_of,
            &ds.manifest.as_of_basis,
        );
    }
    Ok(ds)
}

#[cfg(test)]
mod tests {

    /// Every reason a cell can be rejected for has its Chinese: the reasons are written where
    /// the cells are parsed (money.rs, normalize/parts.rs), the translations here, so a reworded
    /// reason must fail this test rather than print English in a Chinese message.
    #[test]
    fn every_reject_reason_has_its_chinese() {
        use super::parse::money::why_not;
        let reasons = [
            why_not("abc", false),
            why_not("NaN", false),
            why_not("--5", false),
            why_not("1,2,3", false),
            why_not("1e400", false),
            why_not("12345678901234567", false),
            "not a date".to_string(),
            "not a date (see docs/input-formats.md for the formats read)".to_string(),
            "not true/false".to_string(),
        ];
        for r in &reasons {
            let zh = reject_reason_zh(r);
            assert!(
                zh != *r && zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{r:?} -> {zh:?}"
            );
        }
        let normalize = include_str!("normalize/parts.rs");
        for lit in [
            "\"not a date\"",
            "\"not a date (see docs/input-formats.md for the formats read)\"",
            "\"not true/false\"",
        ] {
            assert!(
                normalize.contains(lit),
                "normalize/parts.rs no longer writes {lit}: update reject_reason_zh"
            );
        }
    }

    use super::*;

    #[test]
    fn null_markers_are_null_in_any_case_and_values_are_not() {
        let s = Settings::from_args(&LoaderArgs::default()).unwrap();
        for m in config::NULL_MARKERS {
            for v in [m.to_string(), m.to_uppercase(), format!("  {m} ")] {
                assert!(s.is_null(&v), "{v:?} should read as null");
            }
        }
        for v in [
            "0",
            "Rep 0188",
            "nancy",
            "-5",
            "Select Ltd",
            "2026-10-01",
            "n/a/b",
        ] {
            assert!(!s.is_null(v), "{v:?} is a value");
        }
    }

    #[test]
    fn file_name_dates() {
        let d = |s: &str| file_name_date(Path::new(s)).map(|d| d.to_string());
        assert_eq!(
            d("hubspot-crm-exports-all-deals-2026-10-31.csv").as_deref(),
            Some("2026-10-31")
        );
        assert_eq!(
            d("hubspot-crm-exports-all-deals-2026-10-31-1.csv").as_deref(),
            Some("2026-10-31")
        );
        assert_eq!(d("Deals_2026_05_28.csv").as_deref(), Some("2026-05-28"));
        // 1700000000000 ms = 2023-11-14T22:13:20Z
        assert_eq!(d("report1700000000000.csv").as_deref(), Some("2023-11-14"));
        assert_eq!(d("deals.csv"), None);
        assert_eq!(d("x-2026-13-45.csv"), None);
    }
}
