//! `salesctl bottleneck`: its flags.

use crate::load::LoaderArgs;
use crate::output::OutputArgs;
use crate::period::PeriodArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A CRM export (or several: deals and stage history), or a DIR made by `salesctl ingest`.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Stage time limits, e.g. "Qualification=3d,Proposal=7d" (over the config's [sla]).
    #[arg(long, value_name = "STAGE=DUR,...")]
    pub(crate) sla: Option<String>,
    /// List the N open deals longest past their stage's SLA (or the stage's p90 without one).
    #[arg(long, value_name = "N")]
    pub(crate) stuck: Option<usize>,
    /// The same per value of this field (usually owner): conversion against the team's.
    #[arg(long, value_name = "FIELD")]
    pub(crate) by: Option<String>,
    /// Lost deals by lost_reason and by the stage they were lost from.
    #[arg(long)]
    pub(crate) reasons: bool,
    /// Time in stage sums repeat visits (as HubSpot's "cumulative time") instead of the latest visit.
    #[arg(long)]
    pub(crate) cumulative: bool,
    #[command(flatten)]
    pub(crate) period: PeriodArgs,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}
