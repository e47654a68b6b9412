//! `salesctl diff`: its flags.

use crate::load::LoaderArgs;
use crate::output::OutputArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The older export.
    #[arg(value_name = "OLD")]
    pub(crate) old: PathBuf,
    /// The newer export.
    #[arg(value_name = "NEW")]
    pub(crate) new: PathBuf,
    /// Also list every deal's changes.
    #[arg(long)]
    pub(crate) detail: bool,
    /// The field that identifies a deal across the two exports.
    #[arg(long, value_name = "FIELD", default_value = "deal_id")]
    pub(crate) key: String,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}
