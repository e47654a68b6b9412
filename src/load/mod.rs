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
pub(crate) mod pq;
pub mod preset;
pub mod read;
pub(crate) mod recognize;
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
    pub fn as_str(self) -> &'static str {
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
    pub(crate) fn read_only(&mut self, tables: &[(Table, &[&str])]) {
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
    pub preset: Option<String>,
    pub table: Option<Table>,
    pub map: Vec<(String, String)>,
    pub no_header: bool,
    pub columns: Vec<String>,
    pub null_markers: Vec<String>,
    pub date_ctx: DateCtx,
    pub decimal_comma: bool,
    pub currency: Option<String>,
    pub outcomes: Outcomes,
    pub stage_lists: BTreeMap<String, Vec<String>>,
    pub timezone: String,
    pub config: Config,
    pub config_path: Option<PathBuf>,
    /// `LoaderArgs::only`, dropped when `--fx` converts every money column.
    pub only: Option<BTreeMap<Table, Vec<String>>>,
    /// Settings scoped to some inputs (`[[input]]` sections, `GLOB::` flags), in order.
    pub inputs: Vec<InputRule>,
    /// How many rejected rows a file may have before it is refused.
    pub max_rejects: MaxRejects,
    /// Where `max_rejects` came from (for the refusal's advice).
    pub max_rejects_from: &'static str,
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
pub struct InputRule {
    pub glob: String,
    pub preset: Option<String>,
    pub table: Option<Table>,
    pub map: Vec<(String, String)>,
}

/// `*` any run of characters, `?` one character; the whole text must match.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

impl Settings {
    /// The settings for one input: the rules whose glob matches its file name or path applied
    /// over the global ones (later rules win).
    pub(crate) fn for_input(&self, path: &Path) -> Option<Settings> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let full = path.display().to_string();
        let rules: Vec<&InputRule> = self
            .inputs
            .iter()
            .filter(|r| glob_match(&r.glob, &name) || glob_match(&r.glob, &full))
            .collect();
        if rules.is_empty() {
            return None;
        }
        let mut s = self.clone();
        for r in rules {
            if let Some(p) = &r.preset {
                s.preset = Some(p.clone());
            }
            if let Some(t) = r.table {
                s.table = Some(t);
            }
            for (f, h) in &r.map {
                s.map.retain(|(k, _)| k != f);
                s.map.push((f.clone(), h.clone()));
            }
        }
        Some(s)
    }
}

fn parse_table(t: &str, flag: &str) -> Result<Table> {
    Table::parse(t.trim()).ok_or_else(|| {
        let names = Table::ALL
            .iter()
            .map(|t| t.name())
            .collect::<Vec<&str>>()
            .join(", ");
        Error::usage(crate::tr!(
            "{flag} {t:?}: unknown table; tables: {names}",
            "{flag} {t:?}：未知的表；可用的表：{names}"
        ))
    })
}

fn parse_map(m: &str) -> Result<(String, String)> {
    crate::flags::parse_map(m).map_err(Error::usage)
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

impl MaxRejects {
    /// `25` or `10%`.
    pub fn parse(v: &str) -> std::result::Result<MaxRejects, Text> {
        let t = v.trim();
        let expected = || {
            crate::tr!(
                "{v:?}: expected a count such as 25 or a share such as 10%",
                "{v:?}：应为数量（如 25）或比例（如 10%）"
            )
        };
        if let Some(p) = t.strip_suffix('%') {
            let x: f64 = p.trim().parse().map_err(|_| expected())?;
            if !(0.0..=100.0).contains(&x) {
                return Err(crate::tr!(
                    "{v:?}: a share is between 0% and 100%",
                    "{v:?}：比例应在 0% 到 100% 之间"
                ));
            }
            return Ok(MaxRejects::Share(x / 100.0));
        }
        t.parse::<usize>()
            .map(MaxRejects::Count)
            .map_err(|_| expected())
    }

    /// The rule in Chinese (`25 行`, `10%`), as [`Display`](std::fmt::Display) writes it in
    /// English.
    fn zh(&self) -> String {
        match self {
            MaxRejects::Count(n) => format!("{n} 行"),
            MaxRejects::Share(_) => self.to_string(),
        }
    }

    /// Are `rejected` of `rows` data rows too many?
    pub(crate) fn exceeded(&self, rejected: usize, rows: usize) -> bool {
        match *self {
            MaxRejects::Count(n) => rejected > n,
            MaxRejects::Share(p) => rejected as f64 > p * rows as f64 + 1e-9,
        }
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

fn split_list(v: Option<&str>) -> Vec<String> {
    v.map(|x| {
        x.split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

impl Settings {
    pub fn is_null(&self, v: &str) -> bool {
        let t = v.trim();
        if t.is_empty() {
            return true;
        }
        // The built-in markers are at most 7 bytes and start with one of these: most cells
        // are ruled out without comparing.
        if self.null_markers.is_empty()
            && (t.len() > 7
                || !matches!(
                    t.as_bytes()[0],
                    b'n' | b'N' | b'-' | b's' | b'S' | b'#' | b'(' | b'\\' | b'<'
                ))
        {
            return false;
        }
        config::NULL_MARKERS
            .iter()
            .any(|m| t.eq_ignore_ascii_case(m))
            || self
                .null_markers
                .iter()
                .any(|m| t.eq_ignore_ascii_case(m.trim()))
    }

    /// Flags over config over defaults.
    pub(crate) fn from_args(a: &LoaderArgs) -> Result<Settings> {
        let (cfg, cfg_path) = Config::load(a.config.as_deref())?;
        // The config's `lang` reaches the loader's warnings and errors (unless --lang says).
        if let Some(Ok(lang)) = cfg.lang.as_deref().map(|l| Lang::resolve(Some(l), None)) {
            crate::warn::set_config_lang(lang);
        }
        let Scoped {
            inputs,
            map,
            preset,
            table,
        } = scoped_settings(a, &cfg)?;
        if let Some(d) = &a.dedupe {
            if d != "last" {
                return Err(Error::usage(crate::tr!(
                    "--dedupe {d:?}: only `last` is supported",
                    "--dedupe {d:?}：只支持 `last`"
                )));
            }
        }
        let tz = cfg.timezone.clone().unwrap_or_else(|| "UTC".into());
        let offset = config::tz_offset_secs(&tz).map_err(Error::input)?;
        let day_first = if a.day_first {
            Some(true)
        } else if a.month_first {
            Some(false)
        } else {
            cfg.day_first
        };
        let mut stage_lists = cfg.stages.clone();
        if let Some(st) = &a.stages {
            let list = split_list(Some(st));
            let key = a.pipeline.clone().unwrap_or_else(|| "default".into());
            stage_lists.insert(key, list);
        }
        let (max_rejects, max_rejects_from) = max_rejects_of(a, &cfg)?;
        let mut null_markers = cfg.null_markers.clone();
        null_markers.extend(split_list(a.null.as_deref()));
        let mut won = cfg.won_labels.clone();
        won.extend(split_list(a.won.as_deref()));
        let mut lost = cfg.lost_labels.clone();
        lost.extend(split_list(a.lost.as_deref()));
        Ok(Settings {
            max_rejects,
            max_rejects_from,
            rejects_to: a.rejects.clone(),
            revenue: a.revenue,
            stages_flag: a.stages.as_deref().map(|st| split_list(Some(st))),
            preset,
            inputs,
            table,
            map,
            no_header: a.no_header,
            columns: a
                .columns
                .as_deref()
                .map(|c| c.split(',').map(|x| x.trim().to_string()).collect())
                .unwrap_or_default(),
            null_markers,
            date_ctx: DateCtx {
                tz_offset_secs: offset,
                day_first,
            },
            decimal_comma: cfg.decimal_comma.unwrap_or(false),
            currency: cfg.currency.as_ref().map(|c| c.trim().to_uppercase()),
            outcomes: Outcomes {
                won,
                lost,
                invalid: cfg.invalid_labels.clone(),
            },
            stage_lists,
            timezone: tz,
            config: cfg,
            config_path: cfg_path,
            only: if a.fx.is_some() { None } else { a.only.clone() },
        })
    }
}

/// A rejected cell or row, as written to rejects.csv.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reject {
    pub file: String,
    pub row: usize,
    pub column: String,
    pub value: String,
    pub reason: String,
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

fn scoped_settings(a: &LoaderArgs, cfg: &Config) -> Result<Scoped> {
    let mut map: Vec<(String, String)> = cfg
        .map
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // Scoped settings: the config's [[input]] sections, then GLOB:: flags.
    let mut inputs: Vec<InputRule> = Vec::new();
    for sec in &cfg.input {
        inputs.push(InputRule {
            glob: sec.path.clone(),
            preset: sec.preset.clone(),
            table: sec
                .table
                .as_deref()
                .map(|t| parse_table(t, "[[input]] as"))
                .transpose()?,
            map: sec
                .map
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        });
    }
    let scoped =
        |v: &str| crate::flags::split_scope(v).map(|(g, r)| (g.to_string(), r.to_string()));
    for m in &a.map {
        match scoped(m) {
            Some((g, rest)) => inputs.push(InputRule {
                glob: g,
                map: vec![parse_map(&rest)?],
                ..Default::default()
            }),
            None => {
                let (f, h) = parse_map(m)?;
                map.retain(|(k, _)| *k != f);
                map.push((f, h));
            }
        }
    }
    let mut preset = cfg.preset.clone();
    for p in &a.preset {
        match scoped(p) {
            Some((g, name)) => inputs.push(InputRule {
                glob: g,
                preset: Some(name),
                ..Default::default()
            }),
            None => preset = Some(p.clone()),
        }
    }
    let mut table = None;
    for t in &a.as_table {
        match scoped(t) {
            Some((g, name)) => inputs.push(InputRule {
                glob: g,
                table: Some(parse_table(&name, "--as")?),
                ..Default::default()
            }),
            None => table = Some(parse_table(t, "--as")?),
        }
    }
    Ok(Scoped {
        inputs,
        map,
        preset,
        table,
    })
}

/// `--strict`, `--max-rejects` or the config's `max_rejects`, and which of them said it.
fn max_rejects_of(a: &LoaderArgs, cfg: &Config) -> Result<(MaxRejects, &'static str)> {
    Ok(if a.strict {
        (MaxRejects::Count(0), "--strict")
    } else if let Some(v) = &a.max_rejects {
        (
            MaxRejects::parse(v).map_err(|e| {
                let (en, zh) = (&e.en, e.get(Lang::ZhCn));
                Error::usage(crate::tr!("--max-rejects {en}", "--max-rejects {zh}"))
            })?,
            "--max-rejects",
        )
    } else if let Some(v) = &cfg.max_rejects {
        let text = match v {
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        (
            MaxRejects::parse(&text).map_err(|e| {
                let (en, zh) = (&e.en, e.get(Lang::ZhCn));
                Error::input(crate::tr!(
                    "salesctl.toml: max_rejects {en}",
                    "salesctl.toml：max_rejects {zh}"
                ))
            })?,
            "max_rejects in the config",
        )
    } else {
        (MaxRejects::default(), "the default")
    })
}

impl Reject {
    pub fn new(file: &str, row: usize, column: &str, value: &str, reason: &str) -> Reject {
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

/// Label columns (Categorical) cast to text.
fn as_text(mut lf: LazyFrame) -> Result<LazyFrame> {
    let schema = lf.collect_schema()?;
    let casts: Vec<Expr> = schema
        .iter()
        .filter(|(_, dt)| matches!(dt, DataType::Categorical(..) | DataType::Enum(..)))
        .map(|(n, _)| col(n.clone()).cast(DataType::String))
        .collect();
    Ok(if casts.is_empty() {
        lf
    } else {
        lf.with_columns(casts)
    })
}

impl Source {
    /// The rows in memory, if they are.
    fn rows(&self) -> Option<&DataFrame> {
        match self {
            Source::Frame(df) | Source::Events(df) => Some(df),
            Source::Parquet(_) => None,
        }
    }
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

impl Dataset {
    pub fn has(&self, t: Table) -> bool {
        self.tables.contains_key(&t)
    }

    /// The tables present.
    pub fn tables(&self) -> Vec<Table> {
        self.tables.keys().copied().collect()
    }

    /// A lazy scan of a table; projections push down to the parquet reader of a DIR. Label
    /// columns (dictionary-coded: owner, stage, status...) come as plain text.
    pub(crate) fn scan(&self, t: Table) -> Result<LazyFrame> {
        as_text(self.scan_coded(t)?)
    }

    /// [`Dataset::scan`] with label columns left Categorical.
    fn scan_coded(&self, t: Table) -> Result<LazyFrame> {
        match self.tables.get(&t) {
            Some(Source::Frame(df)) => Ok(df.clone().lazy()),
            Some(Source::Events(df)) => Ok(events::with_exits(df.clone())?.lazy()),
            Some(Source::Parquet(p)) => pq::scan(p),
            None => {
                let held = self
                    .tables
                    .keys()
                    .map(|t| t.name())
                    .collect::<Vec<_>>()
                    .join(", ");
                Err(Error::input(crate::tr!(
                    "the input holds no {t} table (it holds: {held})",
                    "输入中没有 {t} 表（现有的表：{held}）"
                )))
            }
        }
    }

    /// Put a table in (commands that build canonical rows, such as `history`).
    pub(crate) fn set_table(&mut self, t: Table, df: DataFrame) {
        self.manifest
            .tables
            .insert(t.name().to_string(), df.height());
        self.tables.insert(t, Source::Frame(df));
    }

    /// Collect the columns of `t` among `cols` that exist (None when the input lacks the table).
    /// Only these columns are read from a DIR's parquet.
    pub fn frame(&self, t: Table, cols: &[&str]) -> Result<Option<DataFrame>> {
        match self.frame_coded(t, cols)? {
            Some(df) => Ok(Some(as_text(df.lazy())?.collect()?)),
            None => Ok(None),
        }
    }

    /// [`Dataset::frame`] with label columns left Categorical, for code that reads them through
    /// `engine::coded` (the codes are then taken as they are, without hashing a text per row).
    pub(crate) fn frame_coded(&self, t: Table, cols: &[&str]) -> Result<Option<DataFrame>> {
        if !self.has(t) {
            return Ok(None);
        }
        if let Some(Source::Events(df)) = self.tables.get(&t) {
            if !cols.contains(&"exited_at") {
                let names: Vec<&str> = cols
                    .iter()
                    .copied()
                    .filter(|c| df.column(c).is_ok())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                return Ok(Some(df.select(names)?));
            }
        }
        if let Some(Source::Parquet(p)) = self.tables.get(&t) {
            let f = pq::PqFile::open(p)?;
            return Ok(Some(f.read(cols, 0..f.group_rows().len())?));
        }
        let mut lf = self.scan_coded(t)?;
        let schema = lf.collect_schema()?;
        let mut seen = std::collections::HashSet::new();
        let present: Vec<Expr> = cols
            .iter()
            .filter(|c| schema.get(c).is_some() && seen.insert(**c))
            .map(|c| col(*c))
            .collect();
        Ok(Some(lf.select(present).collect()?))
    }

    /// Table `t` as an open DIR parquet file (None when it is not one: a raw export, or a
    /// DIR filtered by `--pipeline`, is held as a frame).
    pub(crate) fn parquet_file(&self, t: Table) -> Result<Option<pq::PqFile>> {
        match self.tables.get(&t) {
            Some(Source::Parquet(p)) => Ok(Some(pq::PqFile::open(p)?)),
            _ => Ok(None),
        }
    }

    /// Column `col` of table `t` at the rows where `keep` is true, in row order (None when
    /// the table or the column is missing). From a DIR only those rows are decoded.
    pub(crate) fn rows_of(&self, t: Table, col: &str, keep: &[bool]) -> Result<Option<Series>> {
        if let Some(Source::Parquet(p)) = self.tables.get(&t) {
            return pq::PqFile::open(p)?.read_rows(col, keep);
        }
        let Some(df) = self.frame_coded(t, &[col])? else {
            return Ok(None);
        };
        let Ok(c) = df.column(col) else {
            return Ok(None);
        };
        let mask = BooleanChunked::from_slice("keep".into(), keep);
        Ok(Some(c.as_materialized_series().filter(&mask)?))
    }

    /// [`Dataset::frame_coded`], and the table is then out of the dataset (its memory freed
    /// once the caller drops the frame).
    pub(crate) fn take_coded(&mut self, t: Table, cols: &[&str]) -> Result<Option<DataFrame>> {
        let f = self.frame_coded(t, cols)?;
        self.tables.remove(&t);
        Ok(f)
    }

    /// The rows of `t` (columns `cols` that exist) for indexing, taken out of the dataset: a
    /// DIR's parquet of several row groups comes in batches of row groups, read on a thread of
    /// their own while the previous batch is used (a history of millions of rows is never held
    /// whole); anything else as one frame.
    pub(crate) fn take_event_rows(
        &mut self,
        t: Table,
        cols: &[&str],
    ) -> Result<Option<crate::columns::engine::EventRows>> {
        if let Some(Source::Parquet(p)) = self.tables.get(&t) {
            if let Some((rows, batches)) = dir::parquet_batches(p, cols)? {
                self.tables.remove(&t);
                return Ok(Some(crate::columns::engine::EventRows::Batches {
                    rows,
                    batches,
                }));
            }
        }
        Ok(self.take_coded(t, cols)?.map(Into::into))
    }

    /// [`Dataset::take_event_rows`] that leaves the table in the dataset (a report's sections
    /// share one): a DIR's parquet still comes in batches of row groups.
    pub(crate) fn event_rows(
        &self,
        t: Table,
        cols: &[&str],
    ) -> Result<Option<crate::columns::engine::EventRows>> {
        if let Some(Source::Parquet(p)) = self.tables.get(&t) {
            if let Some((rows, batches)) = dir::parquet_batches(p, cols)? {
                return Ok(Some(crate::columns::engine::EventRows::Batches {
                    rows,
                    batches,
                }));
            }
        }
        Ok(self.frame_coded(t, cols)?.map(Into::into))
    }

    /// Column names of a table (with those of a raw export the command left unread).
    pub(crate) fn columns_of(&self, t: Table) -> Result<Vec<String>> {
        let mut lf = self.scan(t)?;
        let mut names: Vec<String> = lf
            .collect_schema()?
            .iter_names()
            .map(|n| n.to_string())
            .collect();
        for u in self.unread.get(&t).into_iter().flatten() {
            if !names.contains(u) {
                names.push(u.clone());
            }
        }
        Ok(names)
    }

    /// Stage lists per pipeline: `--stages` and the config over what the export or preset gave.
    pub fn pipelines(&self) -> crate::columns::engine::Pipelines {
        let mut lists = self.manifest.pipelines.clone();
        if !self.settings.stage_lists.is_empty() {
            if self.settings.stage_lists.contains_key("default")
                && self.settings.stage_lists.len() == 1
                && lists.len() > 1
            {
                // One list from --stages / config applies to every pipeline.
                for v in lists.values_mut() {
                    v.clone_from(&self.settings.stage_lists["default"]);
                }
            }
            for (k, v) in &self.settings.stage_lists {
                lists.insert(k.clone(), v.clone());
            }
        }
        crate::columns::engine::Pipelines {
            lists,
            outcomes: self.settings.outcomes.clone(),
        }
    }

    /// The calendar of the config (fiscal year start, week start).
    pub fn calendar(&self) -> crate::period::Calendar {
        self.settings.config.calendar()
    }

    /// The input files, comma-separated (for messages).
    pub fn source_paths(&self) -> String {
        self.manifest
            .sources
            .iter()
            .map(|s| s.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Scan a table and check it has the fields a command needs (a clear error otherwise).
    pub fn require(&self, t: Table, fields: &[&str]) -> Result<LazyFrame> {
        let mut lf = self.scan(t)?;
        let schema = lf.collect_schema()?;
        for f in fields {
            if schema.get(f).is_none() {
                let names: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
                return Err(Error::missing_column(
                    self.source_paths(),
                    f,
                    crate::tr!("{t} need it here", "{t} 在此需要它"),
                    &names,
                    true,
                ));
            }
        }
        Ok(lf)
    }
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

fn load_inputs(inputs: &[PathBuf], args: &LoaderArgs) -> Result<Dataset> {
    let settings = Settings::from_args(args)?;
    let spooled = spool_inputs(inputs)?;
    let inputs = spooled.as_deref().unwrap_or(inputs);
    // --rejects is checked before anything is read: it must never name an input.
    for p in inputs {
        crate::io::note_input(p);
    }
    if let Some(p) = &args.rejects {
        crate::io::check_output(p, "--rejects")?;
    }
    if inputs.len() == 1 && inputs[0].join("manifest.json").is_file() {
        let ds = dir::read(&inputs[0], settings, args)?;
        if !args.quiet {
            print_dir_line(&ds, &inputs[0]);
        }
        return apply_fx(ds, args);
    }
    let mut frames: BTreeMap<Table, Vec<DataFrame>> = BTreeMap::new();
    let mut entries = Vec::new();
    let mut rejects = Vec::new();
    let mut pipelines: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unread: BTreeMap<Table, Vec<String>> = BTreeMap::new();
    isolate::set_memory_mib(args.max_workbook_memory);
    let ropts = read_options(args)?;
    for path in inputs {
        let (mut opened, res, display) = read_one(path, &ropts, &settings, args)?;
        let _t = crate::timing::span("load: sha256 and manifest");
        // A command that reads only some columns writes no manifest: no hash of the file.
        let sha = if settings.only.is_some() {
            String::new()
        } else {
            opened.sha256()?
        };
        let mut rows_out = BTreeMap::new();
        for (t, df) in &res.frames {
            rows_out.insert(t.name().to_string(), df.height());
        }
        for (k, v) in &res.pipelines {
            pipelines.entry(k.clone()).or_insert_with(|| v.clone());
        }
        entries.push(source_entry(path, display, &opened, &res, sha, rows_out));
        if let Some(e) = entries.last() {
            if !args.quiet {
                print_input_line(e, &settings);
            }
            // Warnings change what the numbers mean: printed whatever -q says.
            for w in &e.warnings {
                crate::warn::emit_text(w);
            }
        }
        rejects.extend(res.rejects);
        if !res.unread.is_empty() {
            let u = unread.entry(res.table).or_default();
            for f in res.unread {
                if !u.contains(&f) {
                    u.push(f);
                }
            }
        }
        for (t, df) in res.frames {
            frames.entry(t).or_default().push(df);
        }
    }
    let mut notes = Vec::new();
    let tables = merge_tables(frames, args, &mut notes)?;
    let (as_of, basis) = as_of(args.as_of.as_deref(), &entries, &tables)?;
    // Side files (targets, spend, activities, feedback) take the main input's as-of: their own
    // is never used, so no word about it.
    let dated = [Table::Deals, Table::Orders, Table::StageEvents]
        .iter()
        .any(|t| tables.contains_key(t));
    if basis.starts_with("today") && dated {
        crate::warn::emit_text(&crate::tr!(
            "no date was recognised in the input: results are as of today ({as_of}); pass --as-of YYYY-MM-DD, or map a date column with --map created_at=HEADER",
            "输入中没有识别出日期：结果截至今天（{as_of}）；请传入 --as-of YYYY-MM-DD，或用 --map created_at=HEADER 映射一个日期列"
        ));
    }
    let manifest = Manifest::new(
        entries,
        &tables_rows(&tables),
        as_of,
        &basis,
        pipelines,
        &settings,
        rejects.len(),
        notes,
    );
    apply_fx(
        Dataset {
            tables,
            manifest,
            rejects,
            settings,
            as_of,
            unread,
        },
        args,
    )
}

/// The inputs with `-` (standard input) spooled to a temporary file; None when there is none.
fn spool_inputs(inputs: &[PathBuf]) -> Result<Option<Vec<PathBuf>>> {
    if !inputs.iter().any(|p| p.as_os_str() == "-") {
        return Ok(None);
    }
    inputs
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                crate::io::spool_stdin()
            } else {
                Ok(p.clone())
            }
        })
        .collect::<Result<_>>()
        .map(Some)
}

/// The `input:` line of an ingested DIR: its tables, what it was ingested from and how each
/// export was read, and the config.
fn print_dir_line(ds: &Dataset, path: &Path) {
    // One line for the DIR: what it was ingested from and how each export was read.
    let srcs: Vec<Text> = ds
        .manifest
        .sources
        .iter()
        .map(|e| {
            let (path, preset, rows) = (&e.path, &e.preset, e.rows_in);
            crate::tr!(
                "{path} ({preset}, {rows} rows)",
                "{path}（{preset}，{rows} 行）"
            )
        })
        .collect();
    let tables: Vec<String> = ds
        .manifest
        .tables
        .iter()
        .map(|(t, n)| format!("{n} {t}"))
        .collect();
    let config = ds.settings.config_path.as_ref().map(|c| c.display());
    let lang = crate::warn::lang();
    let line = match lang {
        Lang::En => format!(
            "input: {}: ingested DIR ({}), from {}{}",
            path.display(),
            tables.join(", "),
            joined(&srcs, lang, "; "),
            config.map(|c| format!("; config {c}")).unwrap_or_default()
        ),
        Lang::ZhCn => format!(
            "输入：{}：已导入的 DIR（{}），来自 {}{}",
            path.display(),
            tables.join("，"),
            joined(&srcs, lang, "；"),
            config.map(|c| format!("；配置 {c}")).unwrap_or_default()
        ),
    };
    eprintln!("{line}");
}

/// How files are opened, from the loader flags.
fn read_options(args: &LoaderArgs) -> Result<read::ReadOptions> {
    Ok(read::ReadOptions {
        encoding: args.encoding.clone(),
        sheet: args.sheet.clone(),
        progress: !args.quiet,
        full_scan: false,
        max_line_bytes: args.max_line_bytes,
        max_columns: args.max_columns,
        escape: match args.escape.as_deref() {
            None => None,
            Some("backslash") => Some(true),
            Some("none") => Some(false),
            Some(other) => {
                return Err(Error::usage(crate::tr!(
                    "--escape {other:?}: expected backslash or none",
                    "--escape {other:?}：应为 backslash 或 none"
                )));
            }
        },
    })
}

/// One export opened and normalised, with its display name. Refused when it is a folder, when
/// `--max-rejects 0` meets a rejected row, when too many rows are rejected (the rejects are
/// written to `--rejects` first), or when no deal was read from a deals export.
fn read_one(
    path: &Path,
    ropts: &read::ReadOptions,
    settings: &Settings,
    args: &LoaderArgs,
) -> Result<(read::Opened, normalize::FileResult, String)> {
    if path.is_dir() {
        let p = path.display();
        return Err(Error::input(crate::tr!(
            "{p}: a directory without manifest.json; pass export files, or a DIR made by `salesctl ingest`",
            "{p}：是一个没有 manifest.json 的目录；请传入导出文件，或由 `salesctl ingest` 生成的 DIR"
        )));
    }
    let display = crate::io::display_name(path);
    let _t = crate::timing::span("load: read and normalise");
    let mut opened = read::open(path, &ropts)?;
    let scoped = settings.for_input(path);
    let s_file = scoped.as_ref().unwrap_or(&settings);
    let mut res = normalize::normalize(&mut opened, s_file, &display)?;
    // UTF-8 chosen from the first 64 KB and a later byte says otherwise: the choice is
    // revised by reading again with every byte deciding, never turned into rejected rows.
    if opened.tentative_utf8
        && res
            .rejects
            .iter()
            .any(|r| r.reason.contains("invalid UTF-8"))
    {
        let again = read::ReadOptions {
            full_scan: true,
            ..ropts.clone()
        };
        opened = read::open(path, &again)?;
        res = normalize::normalize(&mut opened, s_file, &display)?;
    }
    drop(_t);
    if let Some(r) = res.rejects.first() {
        if settings.max_rejects == MaxRejects::Count(0) {
            return Err(Error::Strict {
                file: display,
                count: res.rejected_rows,
                row: r.row,
                column: r.column.clone(),
                // untranslated: a reject reason is data (the rejects table's column).
                reason: format!("{} ({:?})", r.reason, r.value).into(),
            });
        }
    }
    if let Err(e) = reject_share(&res, &settings, &display) {
        // Refused, and still nothing lost: the rejected rows go where --rejects says.
        if let Some(p) = &args.rejects {
            dir::write_rejects(p, &res.rejects)?;
            let (zh, p) = (e.text(Lang::ZhCn), p.display());
            return Err(Error::input(crate::tr!(
                "{e}; the rejected rows are in {p}",
                "{zh}；被拒绝的行已写入 {p}"
            )));
        }
        return Err(e);
    }
    let deals_out = res
        .frames
        .iter()
        .find(|(t, _)| *t == Table::Deals)
        .map(|(_, df)| df.height());
    if deals_out == Some(0) {
        let (rows, rejected) = (res.rows_in, res.rejected_rows);
        let layout = res.preset.map_or("generic", |p| p.name.as_str());
        return Err(Error::input(crate::tr!(
            "{display}: no deal was read ({rows} data row(s), {rejected} rejected; layout {layout}); see `salesctl show {display} --explain`",
            "{display}：没有读到任何商机（{rows} 个数据行，{rejected} 行被拒绝；格式 {layout}）；请查看 `salesctl show {display} --explain`"
        )));
    }
    Ok((opened, res, display))
}

/// The manifest's entry for one export: how it was read and what came of it.
fn source_entry(
    path: &Path,
    display: String,
    opened: &read::Opened,
    res: &normalize::FileResult,
    sha: String,
    rows_out: BTreeMap<String, usize>,
) -> SourceEntry {
    SourceEntry {
        path: display,
        size: opened.size,
        sha256: sha,
        container: opened.container.to_string(),
        encoding: opened.encoding.clone(),
        delimiter: opened.delimiter.clone(),
        sheet: opened.sheet.clone(),
        preset: res
            .preset
            .map_or("generic", |p| p.name.as_str())
            .to_string(),
        preset_why: res.preset_why.en.clone(),
        preset_why_zh: res.preset_why.zh.clone(),
        table: res.table.name().to_string(),
        mapping: res.mapping.plans.clone(),
        extras: res.mapping.extras.iter().map(|(_, n)| n.clone()).collect(),
        rows_in: res.rows_in,
        rows_out,
        rejected_rows: res.rejected_rows,
        notes: res.notes.clone(),
        assumptions: res.assumptions.clone(),
        file_date: file_name_date(path).map(|d| d.to_string()),
        date_order: res.date_order.clone(),
        encoding_why: opened.encoding_why.en.clone(),
        encoding_why_zh: opened.encoding_why.zh.clone(),
        warnings: res.warnings.clone(),
        candidates: res.candidates.clone(),
        refused: res
            .mapping
            .refused
            .iter()
            .map(|(f, h, w)| (f.to_string(), h.clone(), w.en.clone()))
            .collect(),
    }
}

/// Each table's frames from every export joined (columns by name), deals deduplicated, and
/// `--pipeline` applied.
fn merge_tables(
    frames: BTreeMap<Table, Vec<DataFrame>>,
    args: &LoaderArgs,
    notes: &mut Vec<Text>,
) -> Result<BTreeMap<Table, Source>> {
    let mut tables = BTreeMap::new();
    for (t, dfs) in frames {
        let mut df = if dfs.len() == 1 {
            dfs.into_iter().next().unwrap_or_default()
        } else {
            let lfs: Vec<LazyFrame> = dfs.into_iter().map(DataFrame::lazy).collect();
            concat_lf_diagonal(lfs, UnionArgs::default())?.collect()?
        };
        if t == Table::Deals {
            df = dedupe(df, args.dedupe.is_some(), notes)?;
        }
        if let Some(p) = &args.pipeline {
            if df
                .get_column_names()
                .iter()
                .any(|c| c.as_str() == "pipeline")
            {
                df = df
                    .lazy()
                    .filter(col("pipeline").cast(DataType::String).eq(lit(p.as_str())))
                    .collect()?;
            }
        }
        tables.insert(
            t,
            if t == Table::StageEvents {
                Source::Events(df)
            } else {
                Source::Frame(df)
            },
        );
    }
    Ok(tables)
}

/// Rejects grouped by (file, column, reason), commonest first: (key, rows, first value, first row).
pub(crate) fn reject_groups(
    rejects: &[Reject],
) -> Vec<((String, String, String), (usize, String, usize))> {
    let mut groups: BTreeMap<(String, String, String), (usize, String, usize)> = BTreeMap::new();
    for r in rejects {
        // The reason without its pointer to the docs.
        let reason = r
            .reason
            .split(" (see ")
            .next()
            .unwrap_or(&r.reason)
            .to_string();
        let e = groups
            .entry((r.file.clone(), r.column.clone(), reason))
            .or_insert((0, r.value.clone(), r.row));
        e.0 += 1;
    }
    let mut v: Vec<_> = groups.into_iter().collect();
    v.sort_by_key(|g| std::cmp::Reverse(g.1.0));
    v
}

/// A reject reason in Chinese, for messages (the rejects file keeps the English: it is data).
/// Reasons of broken lines (they quote the line's shape) stay as they are.
pub(crate) fn reject_reason_zh(why: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        (
            "not a number (NaN or infinity is no amount)",
            "不是数字（NaN 或无穷大不是金额）",
        ),
        (
            "not a number: more than one sign",
            "不是数字：不止一个正负号",
        ),
        (
            "not a number: its digit groups are not thousands (groups of three, or Indian 12,34,567)",
            "不是数字：数字分组不是千位分组（三位一组，或印度式 12,34,567）",
        ),
        ("not a number: too large for a number", "不是数字：数值过大"),
        ("not a number", "不是数字"),
        (
            "not a date (see docs/input-formats.md for the formats read)",
            "不是日期（可读取的格式见 docs/input-formats.md）",
        ),
        ("not a date", "不是日期"),
        ("not true/false", "不是 true/false"),
    ];
    if let Some((_, zh)) = KNOWN.iter().find(|(en, _)| *en == why) {
        return (*zh).to_string();
    }
    if let Some(rest) = why.strip_prefix("not a number: more than ") {
        if let Some(n) = rest.split(' ').next() {
            return format!("不是数字：有效数字超过 {n} 位（是编号或电话号码？无法精确保存）");
        }
    }
    why.to_string()
}

/// The reject-share rule: more rejected data rows than `max_rejects` is a refusal naming the
/// file, the layout, the commonest reasons and the flags that decide.
fn reject_share(res: &normalize::FileResult, s: &Settings, file: &str) -> Result<()> {
    if res.rejected_rows == 0 || !s.max_rejects.exceeded(res.rejected_rows, res.rows_in) {
        return Ok(());
    }
    let top = reject_groups(&res.rejects);
    let listed: Vec<Text> = top
        .iter()
        .take(3)
        .map(|((_, col, why), (n, v, row))| {
            if col.is_empty() {
                let why_zh = reject_reason_zh(why);
                Text::new(
                    format!("{n} x {why} (first at row {row})"),
                    format!("{n} 处：{why_zh}（首次出现在第 {row} 行）"),
                )
            } else {
                let why_zh = reject_reason_zh(why);
                Text::new(
                    format!("{n} x column {col:?}: {why}, e.g. {v:?} at row {row}"),
                    format!("{n} 处：列 {col:?}：{why_zh}，例如第 {row} 行的 {v:?}"),
                )
            }
        })
        .collect();
    let pct = 100.0 * res.rejected_rows as f64 / res.rows_in.max(1) as f64;
    let (rejected, rows, max) = (res.rejected_rows, res.rows_in, s.max_rejects);
    let (max_zh, from) = (s.max_rejects.zh(), s.max_rejects_from);
    let from_zh = match from {
        "max_rejects in the config" => "配置中的 max_rejects",
        "the default" => "默认值",
        other => other,
    };
    let layout = res.preset.map_or("generic", |p| p.name.as_str());
    let listed_en = joined(&listed, Lang::En, "; ");
    let listed_zh = joined(&listed, Lang::ZhCn, "；");
    Err(Error::input(crate::tr!(
        "{file}: {rejected} of {rows} data rows rejected ({pct:.1}%), more than {max} allows ({from}); layout {layout}; {listed_en}. \
         Nothing was computed: fix the reading (--map FIELD=HEADER, --day-first/--month-first, --null TEXT, --encoding) \
         or accept the loss with --max-rejects N|P% (config `max_rejects`); --rejects FILE writes the rejected rows",
        "{file}：{rows} 个数据行中有 {rejected} 行被拒绝（{pct:.1}%），超过上限 {max_zh}（{from_zh}）；格式 {layout}；{listed_zh}。\
         未进行任何计算：请修正读取方式（--map FIELD=HEADER、--day-first/--month-first、--null TEXT、--encoding），\
         或用 --max-rejects N|P%（配置 `max_rejects`）接受这些损失；--rejects FILE 会写出被拒绝的行"
    )))
}

/// Texts joined in `lang` with `sep`.
fn joined(parts: &[Text], lang: Lang, sep: &str) -> String {
    parts
        .iter()
        .map(|t| t.get(lang))
        .collect::<Vec<_>>()
        .join(sep)
}

/// One `input:` line per file on stderr: how it was read, in the run's language.
fn print_input_line(e: &SourceEntry, s: &Settings) {
    let (preset, why, table) = (&e.preset, &e.preset_why, &e.table);
    let why_zh = e.preset_why_zh.as_deref().unwrap_or(why);
    let mut parts = vec![
        Text::new(format!("{preset} ({why})"), format!("{preset}（{why_zh}）")),
        crate::tr!("{table} table", "{table} 表"),
    ];
    let (mut enc, mut enc_zh) = (e.encoding.clone(), e.encoding.clone());
    if !e.encoding_why.is_empty()
        && e.encoding_why != "valid UTF-8 throughout"
        && e.encoding_why != "ASCII"
    {
        let w = &e.encoding_why;
        enc.push_str(&format!(" ({w})"));
        let w_zh = match (w.as_str(), e.encoding_why_zh.as_deref()) {
            (_, Some(z)) => z,
            ("byte-order mark", None) => "字节顺序标记",
            (other, None) => other,
        };
        enc_zh.push_str(&format!("（{w_zh}）"));
    }
    if let Some(d) = &e.delimiter {
        let (d, d_zh) = match d.as_str() {
            "," => ("comma", "逗号"),
            ";" => ("semicolon", "分号"),
            "|" => ("pipe", "竖线"),
            "tab" => ("tab", "制表符"),
            other => (other, other),
        };
        enc.push_str(&format!(", {d}-separated"));
        enc_zh.push_str(&format!("，{d_zh}分隔"));
    }
    if let Some(sh) = &e.sheet {
        enc.push_str(&format!(", sheet {sh:?}"));
        enc_zh.push_str(&format!("，工作表 {sh:?}"));
    }
    parts.push(Text::new(enc, enc_zh));
    if let Some(o) = &e.date_order {
        let o_zh = date_order_zh(o);
        parts.push(crate::tr!("dates {o}", "日期{o_zh}"));
    }
    let (read, rejected) = (e.rows_in, e.rejected_rows);
    parts.push(crate::tr!(
        "{read} row(s) read, {rejected} rejected",
        "读取 {read} 行，{rejected} 行被拒绝"
    ));
    if let Some(c) = &s.config_path {
        let c = c.display();
        parts.push(crate::tr!("config {c}", "配置 {c}"));
    }
    let path = &e.path;
    let line = match crate::warn::lang() {
        Lang::En => format!("input: {path}: {}", joined(&parts, Lang::En, "; ")),
        Lang::ZhCn => format!("输入：{path}：{}", joined(&parts, Lang::ZhCn, "；")),
    };
    eprintln!("{line}");
}

/// How ambiguous slash dates were read (`day-first (from the values)`, see
/// `normalize::date_order_words`) in Chinese; any other text as it is.
fn date_order_zh(o: &str) -> String {
    let (order, from) = match o.split_once(" (") {
        Some((order, rest)) => (order, rest.strip_suffix(')')),
        None => (o, None),
    };
    let order_zh = match order {
        "day-first" => "按日/月/年读取",
        "month-first" => "按月/日/年读取",
        _ => return o.to_string(),
    };
    match from {
        None => order_zh.to_string(),
        Some("set by flag or config") => format!("{order_zh}（由参数或配置指定）"),
        Some("from the values") => format!("{order_zh}（根据值判断）"),
        Some(other) => format!("{order_zh}（{other}）"),
    }
}

/// `--fx FILE`: money in deals, orders and stage events converted to the report currency.
fn apply_fx(mut ds: Dataset, args: &LoaderArgs) -> Result<Dataset> {
    let Some(path) = &args.fx else { return Ok(ds) };
    let rates = fx::Rates::read(path, ds.settings.currency.as_deref())?;
    for t in [Table::Deals, Table::Orders, Table::StageEvents] {
        if !ds.has(t) {
            continue;
        }
        let df = ds.scan(t)?.collect()?;
        let (df, notes) = fx::convert(t, df, &rates)?;
        ds.manifest.notes.extend(notes);
        ds.tables.insert(t, Source::Frame(df));
    }
    ds.manifest.default_currency = Some(rates.base.clone());
    Ok(ds)
}

fn tables_rows(tables: &BTreeMap<Table, Source>) -> BTreeMap<String, usize> {
    tables
        .iter()
        .map(|(t, s)| {
            (
                t.name().to_string(),
                match s {
                    Source::Parquet(p) => pq::PqFile::open(p).map(|f| f.rows()).unwrap_or(0),
                    _ => s.rows().map(|df| df.height()).unwrap_or(0),
                },
            )
        })
        .collect()
}

/// Report duplicate deal ids; with `--dedupe last` keep each id's last row.
fn dedupe(df: DataFrame, keep_last: bool, notes: &mut Vec<Text>) -> Result<DataFrame> {
    let ids = df
        .column("deal_id")?
        .as_materialized_series()
        .cast(&DataType::String)?;
    let distinct = crate::columns::engine::n_distinct(ids.str()?);
    let dups = df.height() - distinct;
    if dups == 0 {
        return Ok(df);
    }
    if keep_last {
        notes.push(crate::tr!(
            "{dups} duplicate deal id row(s): kept the last row of each id (--dedupe last)",
            "{dups} 行的商机 ID 重复：每个 ID 保留最后一行（--dedupe last）"
        ));
        Ok(df
            .lazy()
            .unique_stable(Some(cols(["deal_id"])), UniqueKeepStrategy::Last)
            .collect()?)
    } else {
        // Advice never drops distinct deals: --dedupe is suggested only when the repeated rows
        // are identical in every column.
        let distinct_rows = df
            .clone()
            .lazy()
            .unique_stable(None, UniqueKeepStrategy::First)
            .collect()?
            .height();
        if distinct_rows == distinct {
            notes.push(crate::tr!(
                "{dups} row(s) repeat an earlier row exactly (the same deal written twice); pass --dedupe last to keep one of each",
                "{dups} 行与前面的某行完全相同（同一商机写了两次）；传入 --dedupe last 可每个只保留一行"
            ));
        } else {
            notes.push(crate::tr!(
                "{dups} row(s) repeat a deal id with different values; all kept (they may be distinct deals or later saves of one); --dedupe last would keep only the last row of each id",
                "{dups} 行重复了某个商机 ID 但值不同；已全部保留（它们可能是不同的商机，也可能是同一商机后来的保存）；--dedupe last 会只保留每个 ID 的最后一行"
            ));
        }
        Ok(df)
    }
}

/// The date in an export's file name: `...-2026-10-31.csv`, `Deals_2026_05_28.csv`,
/// `report1700000000000.csv` (epoch ms, UTC).
pub(crate) fn file_name_date(path: &Path) -> Option<NaiveDate> {
    let name = path.file_stem()?.to_string_lossy().to_string();
    let b = name.as_bytes();
    if let Some(i) = name.find("report") {
        let digits: String = name[i + 6..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if digits.len() == 13 {
            let ms: i64 = digits.parse().ok()?;
            return chrono::DateTime::from_timestamp_millis(ms).map(|d| d.date_naive());
        }
    }
    for i in 0..b.len().saturating_sub(9) {
        let w = &b[i..i + 10];
        let sep = w[4];
        if (sep == b'-' || sep == b'_')
            && w[7] == sep
            && w.iter()
                .enumerate()
                .all(|(j, c)| j == 4 || j == 7 || c.is_ascii_digit())
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && (i + 10 == b.len() || !b[i + 10].is_ascii_digit())
        {
            let s = std::str::from_utf8(w).ok()?;
            let (y, m, d) = (
                s[..4].parse().ok()?,
                s[5..7].parse().ok()?,
                s[8..].parse().ok()?,
            );
            if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                return Some(date);
            }
        }
    }
    None
}

/// `--as-of`, else the first input's file-name date, else the latest datetime in the data (never
/// an expected close date).
fn as_of(
    flag: Option<&str>,
    entries: &[SourceEntry],
    tables: &BTreeMap<Table, Source>,
) -> Result<(NaiveDate, String)> {
    if let Some(f) = flag {
        let d = crate::period::parse_date(f).map_err(|e| {
            let (en, zh) = (&e.en, e.get(Lang::ZhCn));
            Error::usage(crate::tr!("--as-of {f:?}: {en}", "--as-of {f:?}：{zh}"))
        })?;
        return Ok((d, "--as-of".into()));
    }
    if let Some((e, d)) = entries
        .iter()
        .find_map(|e| e.file_date.as_ref().map(|d| (e, d)))
    {
        let date =
            NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|e| Error::Internal(e.to_string()))?;
        return Ok((date, format!("date in the file name of {}", e.path)));
    }
    let fields = [
        "created_at",
        "closed_at",
        "modified_at",
        "stage_entered_at",
        "entered_at",
        "ordered_at",
        "at",
    ];
    let mut best: Option<(i64, String)> = None;
    for (t, s) in tables {
        let Some(df) = s.rows() else { continue };
        for f in fields {
            if let Ok(c) = df.column(f) {
                let max = c
                    .as_materialized_series()
                    .cast(&DataType::Int64)?
                    .i64()?
                    .max();
                if let Some(m) = max {
                    if best.as_ref().is_none_or(|(b, _)| m > *b) {
                        best = Some((m, format!("latest {t}.{f} in the data")));
                    }
                }
            }
        }
    }
    match best {
        Some((ms, why)) => {
            let d = parse::date::ms_to_naive(ms)
                .map(|d| d.date())
                .ok_or_else(|| Error::Internal("bad max date".into()))?;
            Ok((d, why))
        }
        None => Ok((
            chrono::Local::now().date_naive(),
            "today (no dates in the data)".into(),
        )),
    }
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
