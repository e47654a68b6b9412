//! `salesctl show`: its flags.

use crate::load::LoaderArgs;
use crate::output::OutputArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exports or an ingested DIR.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Which canonical table to show (default: the first the input holds).
    #[arg(long, value_name = "TABLE")]
    pub(crate) rows_of: Option<String>,
    /// Print how each file was read instead of its rows: the layouts considered with their
    /// scores and evidence, each canonical field and the header it comes from, columns refused
    /// by their values, unmapped columns and the commonest reject reasons.
    #[arg(long)]
    pub(crate) explain: bool,
    /// Write a salesctl.toml that reproduces this read (preset, field mapping, date order,
    /// stage order) to FILE; an existing file is never replaced.
    #[arg(long, value_name = "FILE")]
    pub(crate) write_config: Option<PathBuf>,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}
