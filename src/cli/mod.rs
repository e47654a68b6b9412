//! The command line: one enum variant per subcommand, each holding its own `Args`.

/// A closed set of flag values as a clap `ValueEnum`: help, completions and "did you mean" list
/// them; `as_str` gives the word as typed (for notes and the report's section command lines).
macro_rules! closed_set {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
        pub enum $name {
            $(#[value(name = $s)] $variant),+
        }

        impl $name {
            /// The value as typed on the command line.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $s),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use closed_set;

/// A command's flags as if none were typed: every field at the default its `#[arg]` declares
/// (the one place defaults are written), positionals empty. `report` starts each section from
/// this and sets the typed fields it needs; nothing is parsed from text.
pub(crate) fn defaults<A: clap::Args + clap::FromArgMatches>() -> crate::error::Result<A> {
    let cmd = A::augment_args(clap::Command::new("defaults").no_binary_name(true))
        .mut_args(|a| a.required(false));
    cmd.try_get_matches_from(std::iter::empty::<String>())
        .and_then(|m| A::from_arg_matches(&m))
        .map_err(|e| crate::error::Error::Internal(format!("flag defaults: {e}")))
}

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

use clap::{Parser, Subcommand};

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
    #[command(after_help = short(EX_INGEST), after_long_help = long(EX_INGEST))]
    Ingest(ingest::Args),
    /// Show the canonical rows of a table, as read from exports or a DIR.
    #[command(after_help = short(EX_SHOW), after_long_help = long(EX_SHOW))]
    Show(show::Args),
    /// Stage funnel: deals reaching each stage, step and cumulative conversion, drop-off.
    #[command(after_help = short(EX_FUNNEL), after_long_help = long(EX_FUNNEL))]
    Funnel(funnel::Args),
    /// Where deals get stuck: conversion, time in stage (Kaplan-Meier), SLA breaches, stuck deals, lost reasons.
    #[command(after_help = short(EX_BOTTLENECK), after_long_help = long(EX_BOTTLENECK))]
    Bottleneck(bottleneck::Args),
    /// Rebuild stage history from snapshot exports taken at different dates.
    #[command(after_help = short(EX_HISTORY), after_long_help = long(EX_HISTORY))]
    History(history::Args),
    /// Each rep against target and team: win rate, revenue, cycle, pipeline, activities.
    #[command(after_help = short(EX_SCORECARD), after_long_help = long(EX_SCORECARD))]
    Scorecard(scorecard::Args),
    /// What customers are worth: simple CLTV, or BG/NBD + Gamma-Gamma per customer.
    #[command(after_help = short(EX_CLTV), after_long_help = long(EX_CLTV))]
    Cltv(cltv::Args),
    /// What customers cost: CAC per period and channel, LTV:CAC, payback months.
    #[command(after_help = short(EX_CAC), after_long_help = long(EX_CAC))]
    Cac(cac::Args),
    /// Where revenue is heading: seasonal naive, ETS, trend or pipeline-weighted, with intervals and a backtest.
    #[command(after_help = short(EX_FORECAST), after_long_help = long(EX_FORECAST))]
    Forecast(forecast::Args),
    /// An annual or quarterly target split into monthly targets per rep (a scorecard --targets file).
    #[command(after_help = short(EX_PLAN), after_long_help = long(EX_PLAN))]
    Plan(plan::Args),
    /// The monthly review in one directory: report.md, report.html, report.xlsx, charts and CSVs.
    #[command(after_help = short(EX_REPORT), after_long_help = long(EX_REPORT))]
    Report(report::Args),
    /// Threshold rules on KPIs for cron: exit 4 when any rule fails.
    #[command(after_help = short(EX_CHECK), after_long_help = long(EX_CHECK))]
    Check(check::Args),
    /// What changed between two exports: new, vanished, stage moves, won/lost, amounts, close dates, owners.
    #[command(after_help = short(EX_DIFF), after_long_help = long(EX_DIFF))]
    Diff(diff::Args),
    /// Shell completions: salesctl completions bash > /etc/bash_completion.d/salesctl
    Completions(completions::Args),
    /// The man page (roff) on stdout: salesctl man > salesctl.1
    Man(completions::ManArgs),
}

/// `-h`: the examples and a pointer to the long page.
fn short(examples: &str) -> String {
    format!(
        "{examples}\n\n`--help` shows every option (loader and output flags included) and the exit codes."
    )
}

/// `--help`: the examples, then the exit codes.
fn long(examples: &str) -> String {
    format!("{examples}\n\n{EXIT_STATUS_HELP}")
}

// Two or three examples per command, on the files shipped in testdata/ where one fits.
const EX_INGEST: &str = "Examples:\n  salesctl ingest testdata/handmade/scorecard/deals.csv testdata/handmade/scorecard/history.csv -o crm/\n  salesctl ingest export.xlsx --sheet Deals --map owner=\"Sales Rep\" -o crm/ --rejects rejects.csv";
const EX_SHOW: &str = "Examples:\n  salesctl show testdata/wukong/商机信息.xls --max-rows 3\n  salesctl show crm/ --table stage_events --format csv > events.csv";
const EX_FUNNEL: &str = "Examples:\n  salesctl funnel testdata/hubspot/hubspot-crm-exports-all-deals-2026-10-31.csv --pipeline \"Sales Pipeline\"\n  salesctl funnel crm/ --stages Lead,Qualified,Proposal,Negotiation --by owner --period last-quarter\n  salesctl funnel crm/ --cohort month --window 90d --chart funnel.png";
const EX_BOTTLENECK: &str = "Examples:\n  salesctl bottleneck crm/ --sla Qualified=14d --stuck 10\n  salesctl bottleneck testdata/handmade/deals.csv testdata/handmade/history.csv --stages Lead,Qualified,Proposal,Negotiation --reasons";
const EX_HISTORY: &str = "Examples:\n  salesctl history testdata/handmade/snapshots/deals-2026-01-31.csv testdata/handmade/snapshots/deals-2026-02-28.csv testdata/handmade/snapshots/deals-2026-03-31.csv -o crm-history/";
const EX_SCORECARD: &str = "Examples:\n  salesctl scorecard crm/ --period 2026-10 --targets testdata/handmade/scorecard/targets.csv\n  salesctl scorecard crm/ --rep 李 --period 2026-10\n  salesctl scorecard crm.csv --period last-month --lang zh-CN -o scorecard.xlsx";
const EX_CLTV: &str = "Examples:\n  salesctl cltv testdata/handmade/orders.csv --margin 0.3 --by channel\n  salesctl cltv orders.csv --model bgnbd --horizon 12m --top 20";
const EX_CAC: &str = "Examples:\n  salesctl cac --spend testdata/handmade/spend.csv testdata/handmade/orders.csv --margin 0.3";
const EX_FORECAST: &str = "Examples:\n  salesctl forecast testdata/timeseries/Airline.csv --map ordered_at=Date --map amount=Passengers --horizon 6\n  salesctl forecast crm/ --by owner --horizon 12m --chart forecast.png\n  salesctl forecast crm/ --method pipeline --horizon 3";
const EX_PLAN: &str = "Examples:\n  salesctl plan testdata/handmade/forecast/deals.csv --target 1200000 --year 2027 --by owner --split history -o targets-2027.csv\n  salesctl plan crm/ --target 300000 --quarter 2027-Q1 --by owner --split even";
const EX_REPORT: &str = "Examples:\n  salesctl report crm/ --period last-month --targets targets-2027.csv -o reports/2026-10\n  salesctl report crm/ --period 2026-10 --sections headline,funnel,scorecard --lang zh-CN -o reports/zh";
const EX_CHECK: &str = "Examples:\n  salesctl check crm/ --period last-month --rule \"win_rate >= 0.2\" --rule \"step_conversion[Proposal] >= 0.4\"\n  salesctl check crm/ --by owner --rule \"attainment >= 0.8\" || mail -s alert lead@example.com < /dev/null";
const EX_DIFF: &str = "Examples:\n  salesctl diff testdata/handmade/snapshots/deals-2026-02-28.csv testdata/handmade/snapshots/deals-2026-03-31.csv\n  salesctl diff crm-2026-09-30.csv crm-2026-10-31.csv --detail --format csv";
