//! `salesctl cltv`: its flags.

use crate::load::LoaderArgs;
use crate::output::OutputArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Orders (or a deals export: won deals serve as orders), or an ingested DIR.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,
    /// simple (AOV x purchases per year x lifespan x margin), bgnbd (BG/NBD + Gamma-Gamma) or
    /// pareto (Pareto/NBD + Gamma-Gamma).
    #[arg(long, value_name = "MODEL", default_value = "simple", value_enum)]
    pub model: CltvModel,
    /// Gross margin as a fraction (0.3), applied to revenue.
    #[arg(long, value_name = "FRACTION", default_value_t = 1.0)]
    pub(crate) margin: f64,
    /// Simple model: a customer without an order for this long before as-of has churned.
    #[arg(long, value_name = "DURATION", default_value = "365d")]
    pub(crate) churn_after: String,
    /// Simple model: one row per value of channel, cohort (first-order year), product or region.
    #[arg(long, value_name = "FIELD")]
    pub(crate) by: Option<String>,
    /// Time unit of frequency, recency and T: day, week or month.
    #[arg(long, value_name = "UNIT", default_value = "week", value_enum)]
    pub unit: TimeUnit,
    /// Count purchases per calendar period of --unit (weeks Monday to Sunday, calendar months)
    /// rather than per day, with recency and T in whole periods: the summary Python lifetimes
    /// makes with freq="W" or "M", the whole period of --as-of included (bgnbd, pareto). Weeks
    /// start on the config's week_start (Monday unless set, as in lifetimes).
    #[arg(long)]
    pub(crate) periods: bool,
    /// CLV horizon (12m, 39w, 365d) and the window of expected purchases.
    #[arg(long, value_name = "DURATION", default_value = "12m")]
    pub(crate) horizon: String,
    /// Monthly discount rate for CLV.
    #[arg(long, value_name = "RATE", default_value_t = 0.01)]
    pub(crate) discount: f64,
    /// Hold out this period after --as-of (the calibration end): predicted vs actual repeat
    /// purchases per frequency bucket and overall (bgnbd, pareto).
    #[arg(long, value_name = "DURATION")]
    pub(crate) holdout: Option<String>,
    /// Print the per-customer table, first (bgnbd; JSON, XLSX and -o DIR/ always carry it).
    #[arg(long)]
    pub(crate) customers: bool,
    /// Only the N most valuable customers (bgnbd).
    #[arg(long, value_name = "N")]
    pub(crate) top: Option<usize>,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}

crate::cli::closed_set! {
    /// `cltv --model`.
    CltvModel { Simple = "simple", Bgnbd = "bgnbd", Pareto = "pareto" }
}

crate::cli::closed_set! {
    /// `cltv --unit`: the time unit of frequency, recency and T.
    TimeUnit { Day = "day", Week = "week", Month = "month" }
}
