//! `salesctl cac`: its flags.

use crate::load::LoaderArgs;
use crate::output::OutputArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Orders (channel = the first order's channel) or a deals export (first won deal; channel =
    /// its source), or an ingested DIR.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Sales and marketing spend: CSV/XLSX with period (2026-10 or a date), channel, spend.
    // An Option only so that `report` can start from the defaults: clap requires it.
    #[arg(long, value_name = "FILE", required = true)]
    pub(crate) spend: Option<PathBuf>,
    /// Period of the per-period table: month or quarter.
    #[arg(long, value_name = "FREQ", default_value = "month", value_enum)]
    pub freq: CacPeriod,
    /// Gross margin as a fraction, for CLTV and payback.
    #[arg(long, value_name = "FRACTION", default_value_t = 1.0)]
    pub(crate) margin: f64,
    /// A customer without an order for this long before as-of has churned (simple CLTV).
    #[arg(long, value_name = "DURATION", default_value = "365d")]
    pub(crate) churn_after: String,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}

crate::cli::closed_set! {
    /// `cac --freq`.
    CacPeriod { Month = "month", Quarter = "quarter" }
}
