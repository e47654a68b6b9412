//! `salesctl ingest`: its flags.

use crate::load::LoaderArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// CRM exports: CSV/TSV/TXT (any delimiter, UTF-8/UTF-16/GBK/Latin-1), XLSX or XLS.
    #[arg(required = true, value_name = "EXPORT")]
    pub(crate) inputs: Vec<PathBuf>,
    /// The directory to write: <table>.parquet, manifest.json, rejects.csv.
    #[arg(short, long, value_name = "DIR")]
    pub(crate) output: PathBuf,
    /// No summary on stderr.
    #[arg(short, long)]
    pub(crate) quiet: bool,
    #[command(flatten)]
    pub load: LoaderArgs,
    /// The `input:` lines (and progress) apart from the summary: `report` ingests quietly but
    /// shows how each export was read.
    #[arg(skip)]
    pub(crate) inputs_quiet: Option<bool>,
}
