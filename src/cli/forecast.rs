//! `salesctl forecast`: its flags.

/// Rolling origins of the backtest when `--backtest` is not given.
pub(crate) const DEFAULT_BACKTEST: usize = 3;

use crate::load::LoaderArgs;
use crate::output::OutputArgs;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Export(s) or an ingested DIR: orders, deals, or a plain series mapped as orders
    /// (`--map ordered_at=Date --map amount=Sales`).
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,
    /// What to forecast: revenue (won amount by closed_at, or order amount by ordered_at),
    /// won_deals, orders or new_customers.
    #[arg(long, value_name = "METRIC", default_value = "revenue", value_enum)]
    pub metric: ForecastMetric,
    /// Period length of the series.
    #[arg(long, value_name = "FREQ", default_value = "month", value_enum)]
    pub freq: SeriesFreq,
    /// Periods ahead: N periods of --freq, or a duration (12m, 39w, 2y). Default: one season.
    #[arg(long, value_name = "N|DURATION")]
    pub(crate) horizon: Option<String>,
    /// Prediction interval levels in percent.
    #[arg(long, value_name = "LEVELS", default_value = "80,95")]
    pub(crate) level: String,
    /// auto (chosen by backtest), snaive, ets, trend, or pipeline (open deals x stage win
    /// probability by expected close).
    #[arg(long, value_name = "METHOD", default_value = "auto", value_enum)]
    pub(crate) method: ForecastMethod,
    /// Rolling-origin backtest origins (one period apart) behind --method auto.
    #[arg(long, value_name = "K", default_value_t = DEFAULT_BACKTEST)]
    pub(crate) backtest: usize,
    /// How auto picks (docs/forecast/protocol-2026-11-29-b.md): significant (ETS unless a
    /// Diebold-Mariano test on the backtest finds another model better; the default) or lowest
    /// (the lowest backtest MASE, seasonal naive on ties; the rule before 2026-11-29).
    #[arg(
        long,
        value_name = "RULE",
        default_value = "significant",
        hide = true,
        value_enum
    )]
    pub(crate) select: SelectRule,
    /// Hold out the last N periods: fit on the rest, forecast them, and score the forecast.
    #[arg(long, value_name = "N")]
    pub(crate) holdout: Option<usize>,
    /// One forecast per value of FIELD (owner, region, product, or any column), plus the total.
    #[arg(long, value_name = "FIELD")]
    pub(crate) by: Option<String>,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}

crate::cli::closed_set! {
    /// `forecast --metric`.
    ForecastMetric { Revenue = "revenue", WonDeals = "won_deals", Orders = "orders", NewCustomers = "new_customers" } // kpi-literal: a macro literal (clap value name)
}

crate::cli::closed_set! {
    /// `forecast --freq`: the period length of the series.
    SeriesFreq { Month = "month", Week = "week", Quarter = "quarter" }
}

crate::cli::closed_set! {
    /// `forecast --method`.
    ForecastMethod { Auto = "auto", Snaive = "snaive", Ets = "ets", Trend = "trend", Pipeline = "pipeline" }
}

crate::cli::closed_set! {
    /// `forecast --select`: how `--method auto` picks.
    SelectRule { Lowest = "lowest", Significant = "significant" }
}
