//! `salesctl history`: its flags.

use crate::load::LoaderArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Two or more deal exports of the same pipeline taken at different dates.
    #[arg(required = true, num_args = 2.., value_name = "SNAPSHOT")]
    pub(crate) snapshots: Vec<PathBuf>,
    /// The DIR to write (as `salesctl ingest` writes one).
    #[arg(short, long, value_name = "DIR")]
    pub(crate) output: PathBuf,
    /// Snapshot dates, in the order of the files (default: the date in each file name, else each
    /// file's latest date).
    #[arg(long, value_name = "YYYY-MM-DD,...", value_delimiter = ',')]
    pub(crate) dates: Vec<String>,
    /// The field that identifies a deal across snapshots.
    #[arg(long, value_name = "FIELD", default_value = "deal_id")]
    pub(crate) key: String,
    /// No summary on stderr.
    #[arg(short, long)]
    pub(crate) quiet: bool,
    #[command(flatten)]
    pub load: LoaderArgs,
}
