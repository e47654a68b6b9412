//! `salesctl report`: its flags.

use crate::load::LoaderArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Export(s) or an ingested DIR (deals, stage history, orders...).
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,
    /// The report directory. An earlier report there is replaced as a whole; a directory
    /// holding other files is refused unless --force.
    #[arg(short, long, value_name = "DIR", required = true)]
    pub(crate) output: PathBuf,
    /// Write into a -o DIR that holds files salesctl did not write: the report's files go
    /// beside them, and only files an earlier report wrote are ever replaced or removed.
    #[arg(long)]
    pub(crate) force: bool,
    /// The period reviewed, relative to --as-of: last-month (default), 2026-10, 2026-Q3, ytd...
    #[arg(long, value_name = "PERIOD", default_value = "last-month")]
    pub(crate) period: String,
    /// Targets for the scorecard (scorecard --targets).
    #[arg(long, value_name = "FILE")]
    pub(crate) targets: Option<PathBuf>,
    /// Sales and marketing spend for the CAC section (cac --spend).
    #[arg(long, value_name = "FILE")]
    pub(crate) spend: Option<PathBuf>,
    /// Sections to include (default: config [report] sections, else all):
    /// headline,funnel,bottleneck,scorecard,cltv,cac,forecast.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub(crate) sections: Vec<String>,
    /// Language of headers, labels and notes: en or zh-CN (default: config, else LANG).
    #[arg(long, value_name = "LANG", ignore_case = true, value_parser = crate::output::args::lang_values())]
    pub(crate) lang: Option<String>,
    /// No progress bars or notes on stderr.
    #[arg(short, long)]
    pub(crate) quiet: bool,
    #[command(flatten)]
    pub load: LoaderArgs,
}
