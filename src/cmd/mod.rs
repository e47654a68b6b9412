//! Subcommands: glue between the loader, the metrics and the output. One file each.

pub mod ingest;
pub mod show;

use crate::cli::{Cli, Command};
use crate::error::Result;
use crate::exit::ExitCode;

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Ingest(a) => ingest::run(a),
        Command::Show(a) => show::run(a),
    }
}
