//! The forecast run shared by `forecast`, `plan` and `report`: the metric's values read from the
//! dataset (analysis::series), summed per period (metrics::series) and each group fitted by
//! the chosen or backtest-selected model (metrics::forecast::groups).

use crate::analysis::series::{Points, Series};
use crate::error::Result;
use crate::load::Dataset;
use crate::metrics::forecast::Method;
use crate::metrics::forecast::groups::{ModelOpts, fit_groups};

pub(crate) use crate::analysis::series::{Freq, TOTAL, points, series};
pub(crate) use crate::cli::forecast::DEFAULT_BACKTEST;
pub(crate) use crate::metrics::forecast::groups::{GroupResult, Select};

/// `--method` as a model; None for `auto` (and `pipeline`, which uses auto for its beside-column).
pub(crate) fn method_of(s: &str) -> Option<Method> {
    match s {
        "snaive" => Some(Method::Snaive),
        "ets" => Some(Method::Ets),
        "trend" => Some(Method::Trend),
        _ => None,
    }
}

/// Everything `forecast` computes, for `plan` and `report` to reuse.
pub(crate) struct Run {
    pub series: Series,
    pub groups: Vec<GroupResult>,
    pub points: Points,
    pub levels: Vec<f64>,
    pub h: usize,
}

/// Options of one forecast run.
pub(crate) struct Opts<'a> {
    pub metric: &'a str,
    pub freq: Freq,
    pub h: usize,
    pub levels: Vec<f64>,
    pub method: Option<Method>,
    pub backtest: usize,
    pub select: Select,
    pub holdout: usize,
    pub by: Option<&'a str>,
}

pub(crate) fn compute(ds: &Dataset, o: &Opts) -> Result<Run> {
    let t = crate::timing::span("forecast: points");
    let pts = points(ds, o.metric, o.by)?;
    drop(t);
    let t = crate::timing::span("forecast: series");
    let s = series(ds, &pts, o.freq, o.by.is_some())?;
    drop(t);
    let _t = crate::timing::span("forecast: models");
    forecast_series(pts, s, o)
}

/// Forecast every group of an aggregated series (`metrics::forecast::groups::fit_groups`).
pub(crate) fn forecast_series(pts: Points, s: Series, o: &Opts) -> Result<Run> {
    let model = ModelOpts {
        season: o.freq.season(),
        h: o.h,
        holdout: o.holdout,
        backtest: o.backtest,
        method: o.method,
        select: o.select,
        levels: o.levels.clone(),
    };
    let groups = fit_groups(&s, &pts.groups, o.by.is_some(), &model)?;
    Ok(Run {
        series: s,
        groups,
        points: pts,
        levels: o.levels.clone(),
        h: o.h,
    })
}
