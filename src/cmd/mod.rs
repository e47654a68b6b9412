//! Subcommands: one file each, a `run` that loads, builds (the analysis layer) and emits.

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
pub(crate) fn run(cli: Cli) -> Result<ExitCode> {
    // Messages written below the command (loader warnings, errors) follow `--lang` too.
    let flag = match &cli.command {
        Command::Show(a) => a.out.lang.as_deref(),
        Command::Funnel(a) => a.out.lang.as_deref(),
        Command::Bottleneck(a) => a.out.lang.as_deref(),
        Command::Scorecard(a) => a.out.lang.as_deref(),
        Command::Cltv(a) => a.out.lang.as_deref(),
        Command::Cac(a) => a.out.lang.as_deref(),
        Command::Forecast(a) => a.out.lang.as_deref(),
        Command::Plan(a) => a.out.lang.as_deref(),
        Command::Check(a) => a.out.lang.as_deref(),
        Command::Diff(a) => a.out.lang.as_deref(),
        Command::Report(a) => a.lang.as_deref(),
        _ => None,
    };
    if let Some(Ok(lang)) = flag.map(|f| crate::text::Lang::resolve(Some(f), None)) {
        crate::warn::set_lang(lang);
    }
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
