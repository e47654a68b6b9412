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
    pub(crate) series: Series,
    pub(crate) groups: Vec<GroupResult>,
    pub(crate) points: Points,
    pub(crate) levels: Vec<f64>,
    pub(crate) h: usize,
}

/// Options of one forecast run.
pub(crate) struct Opts<'a> {
    pub(crate) metric: &'a str,
    pub(crate) freq: Freq,
    pub(crate) h: usize,
    pub(crate) levels: Vec<f64>,
    pub(crate) method: Option<Method>,
    pub(crate) backtest: usize,
    pub(crate) select: Select,
    pub(crate) holdout: usize,
    pub(crate) by: Option<&'a str>,
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
