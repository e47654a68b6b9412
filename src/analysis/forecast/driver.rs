//! The forecast driver shared by `forecast` and `plan`: each series group fitted by the chosen
//! or backtest-selected model (metrics::forecast), with intervals clamped for never-negative
//! series, and the run's notes.

use crate::analysis::series::{Points, Series};
use crate::columns::engine::NONE;
use crate::error::{Error, Result};
use crate::load::Dataset;
use crate::metrics::forecast::{self as fc, Accuracy, Forecast, Method};
use crate::text::{Lang, Text};

pub(crate) use crate::analysis::series::{Freq, TOTAL, points, series};
pub(crate) use crate::cli::forecast::DEFAULT_BACKTEST;

/// One group's result.
pub(crate) struct GroupResult {
    pub name: String,
    /// Period index of `history[0]`.
    pub start: i64,
    pub history: Vec<f64>,
    /// Held-out actuals (--holdout).
    pub actual: Vec<f64>,
    /// Each model tried, with its backtest (None: too short to backtest).
    pub backtest: Vec<(Method, Option<fc::Backtest>)>,
    /// Per model in `backtest`: the one-sided Diebold-Mariano p-value that its backtest errors
    /// are lower than ETS's (None for ETS itself, or when the two cannot be paired).
    pub p_vs_ets: Vec<Option<f64>>,
    pub chosen: Method,
    pub forecast: Forecast,
    /// Every model's forecast of the held-out periods, for the accuracy table.
    pub holdout: Vec<(Method, Accuracy)>,
    pub note: Option<Text>,
    /// The fitted ETS model when ETS was chosen.
    pub ets: Option<fc::Ets>,
    /// The season length used (1: non-seasonal, where seasonal naive is plain naive).
    pub season: usize,
}

impl GroupResult {
    /// A model's name as every table of this group shows it: seasonal naive without a season
    /// is `naive` (as the forecast rows name it).
    pub(crate) fn model_name(&self, me: Method) -> &'static str {
        if me == Method::Snaive && self.season == 1 {
            "naive"
        } else {
            me.id()
        }
    }
}

/// `--backtest`'s default, also what `plan` uses for its monthly profile.

/// How `auto` picks among the backtested models (`--select`; `plan` uses the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Select {
    /// The lowest backtest MASE (sMAPE when MASE is undefined); seasonal naive wins ties and
    /// whenever nothing could be backtested.
    Lowest,
    /// ETS, unless another model's backtest errors are lower by a one-sided Diebold-Mariano
    /// test (5%) on the same origins; then the lowest MASE among those that pass. `Lowest`
    /// decides when ETS has no backtest or the backtests cover different origins.
    #[default]
    Significant,
}

impl Select {
    pub(crate) fn of(s: &str) -> Select {
        if s == "significant" {
            Select::Significant
        } else {
            Select::Lowest
        }
    }
}

/// Per backtested model, the one-sided Diebold-Mariano p-value that its backtest errors are
/// lower than ETS's; None for ETS itself, and when the two cannot be paired (no ETS backtest,
/// other origins, errors without a MASE scale).
fn p_vs_ets(bt: &[(Method, Option<fc::Backtest>)], h: usize) -> Vec<Option<f64>> {
    let ets = bt
        .iter()
        .find(|b| b.0 == Method::Ets)
        .and_then(|b| b.1.as_ref());
    bt.iter()
        .map(|(me, b)| match (b, ets) {
            (Some(b), Some(e)) if *me != Method::Ets && b.origins == e.origins => {
                fc::dm_p(&b.scaled, &e.scaled, h)
            }
            _ => None,
        })
        .collect()
}

/// The method `auto` would pick; `p` is [`p_vs_ets`] of the same backtests.
fn choose(bt: &[(Method, Option<fc::Backtest>)], p: &[Option<f64>], select: Select) -> Method {
    let score = |a: &Accuracy| a.mase.or(a.smape).unwrap_or(f64::INFINITY);
    let lowest = || {
        let mut best = (Method::Snaive, f64::INFINITY);
        for (m, r) in bt {
            if let Some(b) = r {
                let s = score(&b.accuracy);
                if s < best.1 || (*m == Method::Snaive && s <= best.1) {
                    best = (*m, s);
                }
            }
        }
        best.0
    };
    if select == Select::Lowest {
        return lowest();
    }
    let Some(ets) = bt
        .iter()
        .find(|b| b.0 == Method::Ets)
        .and_then(|b| b.1.as_ref())
    else {
        return lowest();
    };
    let others: Vec<(Method, &fc::Backtest, Option<f64>)> = bt
        .iter()
        .zip(p)
        .filter(|(b, _)| b.0 != Method::Ets)
        .filter_map(|((m, r), p)| r.as_ref().map(|r| (*m, r, *p)))
        .collect();
    if others.iter().any(|(_, b, _)| b.origins != ets.origins) {
        return lowest();
    }
    others
        .into_iter()
        .filter(|(_, _, p)| p.is_some_and(|p| p < fc::DM_LEVEL))
        .min_by(|a, b| score(&a.1.accuracy).total_cmp(&score(&b.1.accuracy)))
        .map_or(Method::Ets, |(m, _, _)| m)
}

/// Forecast one series.
pub(crate) fn forecast_group(
    name: String,
    start: i64,
    y: &[f64],
    season: usize,
    h: usize,
    holdout: usize,
    k: usize,
    method: Option<Method>,
    select: Select,
    levels: &[f64],
) -> Result<GroupResult> {
    if holdout >= y.len() {
        let n = y.len();
        return Err(Error::input(crate::tr!(
            "{name}: --holdout {holdout} leaves no history ({n} periods)",
            "{name}：--holdout {holdout} 之后没有剩余的历史数据（共 {n} 期）"
        )));
    }
    let train = &y[..y.len() - holdout];
    let actual = y[y.len() - holdout..].to_vec();
    let (m, note) = if train.len() >= 2 * season {
        (season, None)
    } else {
        (
            1,
            Some(crate::tr!(
                "{name}: {} periods of history, under two seasons ({}): non-seasonal models only",
                "{name}：历史只有 {} 期，不足两个季节周期（{} 期）：仅用非季节模型",
                train.len(),
                2 * season
            )),
        )
    };
    let h = if holdout > 0 { holdout } else { h };
    let backtest: Vec<(Method, Option<fc::Backtest>)> = match method {
        Some(_) => vec![],
        // The trend-only model is for short series (under two seasons); with two seasons or
        // more, seasonal naive and ETS compete.
        None => Method::ALL
            .iter()
            .filter(|me| m == 1 || **me != Method::Trend)
            .map(|&me| (me, fc::backtest(train, m, h, k, me)))
            .collect(),
    };
    let p_vs_ets = p_vs_ets(&backtest, h);
    let chosen = method.unwrap_or_else(|| choose(&backtest, &p_vs_ets, select));
    let ets = if chosen == Method::Ets {
        fc::auto_ets(train, m)
    } else {
        None
    };
    let forecast = match &ets {
        Some(e) => Some(e.forecast(h, levels)),
        None => chosen.forecast(train, m, h, levels),
    }
    .or_else(|| Method::Snaive.forecast(train, m, h, levels))
    .ok_or_else(|| {
        Error::input(crate::tr!(
            "{name}: {} periods of history are too few to forecast",
            "{name}：历史只有 {} 期，太少，无法预测",
            train.len()
        ))
    })?;
    let mut forecast = forecast;
    let mut note = note;
    // Revenue and counts cannot go below 0: when the history never did, neither do the
    // forecast and its bounds (a bound below 0 is clamped to 0 and said so).
    if train.iter().all(|v| *v >= 0.0) {
        let mut clamped = 0;
        for v in forecast.mean.iter_mut().chain(
            forecast
                .intervals
                .iter_mut()
                .flat_map(|(_, lo, hi)| lo.iter_mut().chain(hi.iter_mut())),
        ) {
            if *v < 0.0 {
                *v = 0.0;
                clamped += 1;
            }
        }
        if clamped > 0 {
            let msg = crate::tr!(
                "{name}: {clamped} forecast value(s) or interval bound(s) below 0 set to 0 (the series is never negative)",
                "{name}：{clamped} 个低于 0 的预测值或区间边界已设为 0（该序列从不为负）"
            );
            note = Some(match note {
                Some(n) => Text::new(
                    format!("{}; {}", n.en, msg.en),
                    format!("{}；{}", n.get(Lang::ZhCn), msg.get(Lang::ZhCn)),
                ),
                None => msg,
            });
        }
    }
    let mut holdout_acc = Vec::new();
    if holdout > 0 {
        for me in Method::ALL {
            let f = if me == chosen {
                Some(forecast.clone())
            } else {
                me.forecast(train, m, h, &[])
            };
            if let Some(f) = f {
                holdout_acc.push((me, fc::accuracy(train, m, &actual, &f.mean)));
            }
        }
    }
    Ok(GroupResult {
        name,
        start,
        history: train.to_vec(),
        actual,
        backtest,
        p_vs_ets,
        chosen,
        forecast,
        holdout: holdout_acc,
        note,
        ets,
        season: m,
    })
}

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

/// Forecast every group of an aggregated series.
pub(crate) fn forecast_series(pts: Points, s: Series, o: &Opts) -> Result<Run> {
    use rayon::prelude::*;
    let work: Vec<(String, i64, &Vec<f64>)> = s
        .values
        .iter()
        .map(|(code, (start, y))| {
            let name = match (*code, o.by) {
                (TOTAL, Some(_)) => "(total)".to_string(),
                (TOTAL, None) => "(all)".to_string(),
                (NONE, _) => "(none)".to_string(),
                (c, _) => pts.groups.get(c as usize).cloned().unwrap_or_default(),
            };
            (name, *start, y)
        })
        .collect();
    // Groups are independent: fitted in parallel, collected in key order.
    let mut groups = work
        .into_par_iter()
        .map(|(name, start, y)| {
            forecast_group(
                name,
                start,
                y,
                o.freq.season(),
                o.h,
                o.holdout,
                o.backtest,
                o.method,
                o.select,
                &o.levels,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    // The total last (in key order it sits before NONE, "(none)").
    if let Some(i) = s.values.keys().position(|k| *k == TOTAL) {
        let t = groups.remove(i);
        groups.push(t);
    }
    Ok(Run {
        series: s,
        groups,
        points: pts,
        levels: o.levels.clone(),
        h: o.h,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bt(origins: &[usize], scaled: &[f64]) -> Option<fc::Backtest> {
        let mut acc = fc::AccuracyAcc::default();
        // Actual 1 forecast 1 - e with scale 1: MASE = mean(e).
        let f: Vec<f64> = scaled.iter().map(|e| 1.0 - e).collect();
        acc.add(&vec![1.0; scaled.len()], &f, Some(1.0));
        Some(fc::Backtest {
            accuracy: acc.result(),
            origins: origins.to_vec(),
            scaled: scaled.to_vec(),
        })
    }

    #[test]
    fn choose_lowest_and_significant() {
        let o = [10, 11];
        // Seasonal naive a hair better than ETS (MASE 1.0 vs 1.025): lowest takes seasonal
        // naive; the difference (one point of four, -0.1) is not significant, so ETS stays.
        let near = vec![
            (Method::Snaive, bt(&o, &[1.0, 1.0, 1.0, 1.0])),
            (Method::Ets, bt(&o, &[1.0, 1.1, 1.0, 1.0])),
        ];
        assert_eq!(
            choose(&near, &p_vs_ets(&near, 2), Select::Lowest),
            Method::Snaive
        );
        assert_eq!(
            choose(&near, &p_vs_ets(&near, 2), Select::Significant),
            Method::Ets
        );
        // Seasonal naive lower at every point by the same 0.5: significant either way.
        let clear = vec![
            (Method::Snaive, bt(&o, &[0.5, 0.6, 0.7, 0.8])),
            (Method::Ets, bt(&o, &[1.0, 1.1, 1.2, 1.3])),
        ];
        assert_eq!(
            choose(&clear, &p_vs_ets(&clear, 2), Select::Lowest),
            Method::Snaive
        );
        assert_eq!(
            choose(&clear, &p_vs_ets(&clear, 2), Select::Significant),
            Method::Snaive
        );
        // Different origins: the lowest rule decides.
        let apart = vec![
            (Method::Snaive, bt(&[9, 10], &[1.0, 1.0, 1.0, 1.0])),
            (Method::Ets, bt(&o, &[1.0, 1.1, 1.0, 1.0])),
        ];
        assert_eq!(
            choose(&apart, &p_vs_ets(&apart, 2), Select::Significant),
            Method::Snaive
        );
        // No ETS backtest: the lowest rule decides (ties to seasonal naive).
        let no_ets = vec![
            (Method::Snaive, bt(&o, &[1.0, 1.0])),
            (Method::Ets, None),
            (Method::Trend, bt(&o, &[1.0, 1.0])),
        ];
        assert_eq!(
            choose(&no_ets, &p_vs_ets(&no_ets, 1), Select::Significant),
            Method::Snaive
        );
    }
}
