//! `salesctl diff`: its flags.

use crate::load::LoaderArgs;
use crate::output::OutputArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The older export.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The newer export.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Also list every deal's changes.
    #[arg(long)]
    pub detail: bool,
    /// The field that identifies a deal across the two exports.
    #[arg(long, value_name = "FIELD", default_value = "deal_id")]
    pub key: String,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}
