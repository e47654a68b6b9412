//! The command line: one enum variant per subcommand, each holding its own `Args`.

use clap::{Parser, Subcommand};

use crate::cmd;
use crate::exit::EXIT_STATUS_HELP;

#[derive(Debug, Parser)]
#[command(
    name = "salesctl",
    version,
    about = "Turn CRM exports (Salesforce, HubSpot, Pipedrive, Zoho, Odoo, WukongCRM, 纷享销客...) into the numbers a sales manager reviews every month.",
    after_help = EXIT_STATUS_HELP,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read CRM exports into canonical tables (a DIR of parquet files, manifest.json, rejects.csv).
    #[command(after_help = EXIT_STATUS_HELP)]
    Ingest(cmd::ingest::Args),
    /// Show the canonical rows of a table, as read from exports or a DIR.
    #[command(after_help = EXIT_STATUS_HELP)]
    Show(cmd::show::Args),
    /// Stage funnel: deals reaching each stage, step and cumulative conversion, drop-off.
    #[command(after_help = EXIT_STATUS_HELP)]
    Funnel(cmd::funnel::Args),
    /// Where deals get stuck: conversion, time in stage (Kaplan-Meier), SLA breaches, stuck deals, lost reasons.
    #[command(after_help = EXIT_STATUS_HELP)]
    Bottleneck(cmd::bottleneck::Args),
    /// Rebuild stage history from snapshot exports taken at different dates.
    #[command(after_help = EXIT_STATUS_HELP)]
    History(cmd::history::Args),
    /// Each rep against target and team: win rate, revenue, cycle, pipeline, activities.
    #[command(after_help = EXIT_STATUS_HELP)]
    Scorecard(cmd::scorecard::Args),
    /// What customers are worth: simple CLTV, or BG/NBD + Gamma-Gamma per customer.
    #[command(after_help = EXIT_STATUS_HELP)]
    Cltv(cmd::cltv::Args),
    /// What customers cost: CAC per period and channel, LTV:CAC, payback months.
    #[command(after_help = EXIT_STATUS_HELP)]
    Cac(cmd::cac::Args),
    /// Where revenue is heading: seasonal naive, ETS, trend or pipeline-weighted, with intervals and a backtest.
    #[command(after_help = EXIT_STATUS_HELP)]
    Forecast(cmd::forecast::Args),
    /// An annual or quarterly target split into monthly targets per rep (a scorecard --targets file).
    #[command(after_help = EXIT_STATUS_HELP)]
    Plan(cmd::plan::Args),
    /// The monthly review in one directory: report.md, report.html, report.xlsx, charts and CSVs.
    #[command(after_help = EXIT_STATUS_HELP)]
    Report(cmd::report::Args),
    /// Threshold rules on KPIs for cron: exit 4 when any rule fails.
    #[command(after_help = EXIT_STATUS_HELP)]
    Check(cmd::check::Args),
    /// What changed between two exports: new, vanished, stage moves, won/lost, amounts, close dates, owners.
    #[command(after_help = EXIT_STATUS_HELP)]
    Diff(cmd::diff::Args),
    /// Shell completions: salesctl completions bash > /etc/bash_completion.d/salesctl
    Completions(cmd::completions::Args),
    /// The man page (roff) on stdout: salesctl man > salesctl.1
    Man(cmd::completions::ManArgs),
}
