//! `salesctl funnel`: its flags.

use crate::load::LoaderArgs;
use crate::output::OutputArgs;
use crate::period::PeriodArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A CRM export (or several: deals and stage history), or a DIR made by `salesctl ingest`.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Count a deal at a stage only when it entered every earlier stage, in pipeline order.
    #[arg(long)]
    pub(crate) in_order: bool,
    /// One funnel per value of this field (owner, source, region, product, team, pipeline or any column).
    #[arg(long, value_name = "FIELD")]
    pub(crate) by: Option<String>,
    /// Funnels by creation cohort: week, month or quarter, each with its open share.
    #[arg(long, value_name = "UNIT", value_enum)]
    pub(crate) cohort: Option<CohortUnit>,
    /// Count a stage only when reached within this time of creation (90d, 12w, 3m).
    #[arg(long, value_name = "DURATION")]
    pub(crate) window: Option<String>,
    /// Amount-weighted funnel, one per currency.
    #[arg(long)]
    pub(crate) value: bool,
    /// Refuse (exit 2) when more deals than this share are at stages in no stage list (they
    /// cannot be placed in the funnel): `5%` by default, `100%` to only warn.
    #[arg(long, value_name = "P%", default_value = "5%")]
    pub(crate) max_unknown_stages: String,
    #[command(flatten)]
    pub(crate) period: PeriodArgs,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}

crate::cli::closed_set! {
    /// `funnel --cohort`.
    CohortUnit { Week = "week", Month = "month", Quarter = "quarter" }
}
