//! `salesctl scorecard`: its flags.

use crate::load::LoaderArgs;
use crate::output::OutputArgs;
use crate::period::PeriodArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A CRM deals export (and its stage history), or a DIR made by `salesctl ingest`.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,
    /// One rep's card: every KPI beside the team median and the rep's percentile, and a monthly trend.
    #[arg(long, value_name = "NAME")]
    pub(crate) rep: Option<String>,
    /// Roll up by this field instead of owner (team, region, or any column).
    #[arg(long, value_name = "FIELD", default_value = "owner")]
    pub(crate) by: String,
    /// Sort and number the rows by this KPI (win_rate, won_amount, attainment...).
    #[arg(long, value_name = "KPI")]
    pub(crate) rank: Option<String>,
    /// Targets file (CSV/XLSX: owner or key, period, target), rolled to the report period.
    #[arg(long, value_name = "FILE")]
    pub(crate) targets: Option<PathBuf>,
    /// Activities file (owner, at, kind): calls, visits, emails, meetings per rep.
    #[arg(long, value_name = "FILE")]
    pub(crate) activities: Option<PathBuf>,
    /// Feedback file (deal_id or customer_id, score, scale): average CSAT / NPS per rep.
    #[arg(long, value_name = "FILE")]
    pub(crate) feedback: Option<PathBuf>,
    /// Win rate: closed (won / (won + lost), default), created (won / created) or value (by amount).
    #[arg(long, value_name = "BASIS", default_value = "closed", value_enum)]
    pub(crate) win_rate: WinRateBasis,
    /// Credit closed deals to the current owner (default) or the owner at close (needs history with owners).
    #[arg(long, value_name = "WHO", default_value = "current", value_enum)]
    pub credit: Credit,
    /// Months in the --rep trend.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub(crate) trend: usize,
    #[command(flatten)]
    pub(crate) period: PeriodArgs,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}

crate::cli::closed_set! {
    /// `scorecard --win-rate`.
    WinRateBasis { Closed = "closed", Created = "created", Value = "value" }
}

crate::cli::closed_set! {
    /// `scorecard --credit`.
    Credit { Current = "current", AtClose = "at-close" }
}
