//! Subcommands: glue between the loader, the metrics and the output. One file each.

pub mod analysis;
pub mod bottleneck;
pub mod cac;
pub mod check;
pub mod cltv;
pub mod completions;
pub mod diff;
pub mod forecast;
pub mod funnel;
pub mod history;
pub mod ingest;
pub mod plan;
pub mod report;
pub mod scorecard;
pub mod show;

use crate::cli::{Cli, Command};
use crate::error::Result;
use crate::exit::ExitCode;

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Ingest(a) => ingest::run(a),
        Command::Show(a) => show::run(a),
        Command::Funnel(a) => funnel::run(a),
        Command::Bottleneck(a) => bottleneck::run(a),
        Command::History(a) => history::run(a),
        Command::Scorecard(a) => scorecard::run(a),
        Command::Cltv(a) => cltv::run(a),
        Command::Cac(a) => cac::run(a),
        Command::Forecast(a) => forecast::run(a),
        Command::Plan(a) => plan::run(a),
        Command::Report(a) => report::run(a),
        Command::Check(a) => check::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => completions::man(a),
    }
}
