//! `salesctl check`: its flags.

use crate::load::LoaderArgs;
use crate::output::OutputArgs;
use crate::period::PeriodArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A CRM export (and its stage history), or an ingested DIR.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,
    /// A rule: KPI OP NUMBER, e.g. "win_rate >= 0.2", "step_conversion[Proposal] >= 0.4",
    /// "cycle_median_days <= 45" (repeatable; OP is one of >= <= > < == !=).
    #[arg(long = "rule", value_name = "RULE")]
    pub(crate) rules: Vec<String>,
    /// Check each value of this field (e.g. owner) instead of the team.
    #[arg(long, value_name = "FIELD")]
    pub(crate) by: Option<String>,
    /// Targets file (as `scorecard --targets` reads it) for rules on `attainment` and `target`.
    #[arg(long, value_name = "FILE")]
    pub(crate) targets: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) period: PeriodArgs,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}
