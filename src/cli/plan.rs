//! `salesctl plan`: its flags.

use crate::load::LoaderArgs;
use crate::output::OutputArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Export(s) or an ingested DIR with won deals (or orders) and, for --split pipeline, open deals.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,
    /// The revenue target for the whole --year or --quarter.
    #[arg(long, value_name = "AMOUNT", required = true)]
    pub(crate) target: f64,
    /// The year the target covers: 2027, or FY2027 with the config's fiscal_year_start.
    #[arg(
        long,
        value_name = "YEAR",
        required_unless_present = "quarter",
        conflicts_with = "quarter"
    )]
    pub(crate) year: Option<String>,
    /// A quarter instead: 2027-Q1 or FY2027-Q1.
    #[arg(long, value_name = "QUARTER")]
    pub(crate) quarter: Option<String>,
    /// Split across the values of FIELD (owner, region, product or any column).
    #[arg(long, value_name = "FIELD")]
    pub(crate) by: Option<String>,
    /// How groups share the target: history (won revenue over --window), pipeline (open pipeline
    /// amount), even.
    #[arg(long, value_name = "BASIS", default_value = "history", value_enum)]
    pub(crate) split: PlanSplit,
    /// The history window for --split history, in months before the as-of period.
    #[arg(long, value_name = "MONTHS", default_value_t = 12)]
    pub(crate) window: usize,
    /// Forecast method behind the monthly profile: auto, snaive, ets, trend.
    #[arg(long, value_name = "METHOD", default_value = "auto", value_enum)]
    pub(crate) method: PlanMethod,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}

crate::cli::closed_set! {
    /// `plan --split`: how groups share the target.
    PlanSplit { History = "history", Pipeline = "pipeline", Even = "even" }
}

crate::cli::closed_set! {
    /// `plan --method`: the forecast behind the monthly profile.
    PlanMethod { Auto = "auto", Snaive = "snaive", Ets = "ets", Trend = "trend" }
}
