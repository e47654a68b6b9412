//! Each group of a series fitted by the chosen or backtest-selected model, with intervals
//! clamped for never-negative series: what `forecast`, `plan` and `report` show per group.
//! Pure: series values and options in (docs/metrics.md, "Forecast").

use super::{self as fc, Accuracy, Forecast, Method};
use crate::columns::engine::NONE;
use crate::error::{Error, Result};
use crate::metrics::series::{Series, TOTAL};
use crate::text::{Lang, Text};

/// One group's result.
pub struct GroupResult {
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
    pub(crate) season: usize,
}

impl GroupResult {
    /// A model's name as every table of this group shows it: seasonal naive without a season
    /// is `naive` (as the forecast rows name it).
    pub fn model_name(&self, me: Method) -> &'static str {
        if me == Method::Snaive && self.season == 1 {
            "naive"
        } else {
            me.id()
        }
    }
}

/// How `auto` picks among the backtested models (`--select`; `plan` uses the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Select {
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
    pub fn of(s: &str) -> Select {
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

/// How each group is fitted.
#[derive(Debug, Clone)]
pub struct ModelOpts {
    /// Periods per season (12 for months); 1 for none.
    pub season: usize,
    /// Periods to forecast.
    pub h: usize,
    /// Last periods held out to measure accuracy (0: none).
    pub holdout: usize,
    /// Rolling origins of the backtest.
    pub backtest: usize,
    /// `--method`; None picks by backtest.
    pub method: Option<Method>,
    pub select: Select,
    /// Interval levels in percent.
    pub levels: Vec<f64>,
}

/// Forecast every group of an aggregated series, in parallel, in key order with the total last.
/// `names` are the group codes' names; `grouped` says the series is split by a `--by` field.
pub fn fit_groups(
    s: &Series,
    names: &[String],
    grouped: bool,
    o: &ModelOpts,
) -> Result<Vec<GroupResult>> {
    use rayon::prelude::*;
    let work: Vec<(String, i64, &Vec<f64>)> = s
        .values
        .iter()
        .map(|(code, (start, y))| {
            let name = match (*code, grouped) {
                (TOTAL, true) => "(total)".to_string(),
                (TOTAL, false) => "(all)".to_string(),
                (NONE, _) => "(none)".to_string(),
                (c, _) => names.get(c as usize).cloned().unwrap_or_default(),
            };
            (name, *start, y)
        })
        .collect();
    // Groups are independent: fitted in parallel, collected in key order.
    let mut groups = work
        .into_par_iter()
        .map(|(name, start, y)| fit_group(name, start, y, o))
        .collect::<Result<Vec<_>>>()?;
    // The total last (in key order it sits before NONE, "(none)").
    if let Some(i) = s.values.keys().position(|k| *k == TOTAL) {
        let t = groups.remove(i);
        groups.push(t);
    }
    Ok(groups)
}

/// Forecast one series `y` whose first value is period `start`.
pub(crate) fn fit_group(name: String, start: i64, y: &[f64], o: &ModelOpts) -> Result<GroupResult> {
    let holdout = o.holdout;
    if holdout >= y.len() {
        let n = y.len();
        return Err(Error::input(crate::tr!(
            "{name}: --holdout {holdout} leaves no history ({n} periods)",
            "{name}：--holdout {holdout} 之后没有剩余的历史数据（共 {n} 期）"
        )));
    }
    let train = &y[..y.len() - holdout];
    let actual = y[y.len() - holdout..].to_vec();
    let (m, note) = if train.len() >= 2 * o.season {
        (o.season, None)
    } else {
        (
            1,
            Some(crate::tr!(
                "{name}: {} periods of history, under two seasons ({}): non-seasonal models only",
                "{name}：历史只有 {} 期，不足两个季节周期（{} 期）：仅用非季节模型",
                train.len(),
                2 * o.season
            )),
        )
    };
    let h = if holdout > 0 { holdout } else { o.h };
    let backtest: Vec<(Method, Option<fc::Backtest>)> = match o.method {
        Some(_) => vec![],
        // The trend-only model is for short series (under two seasons); with two seasons or
        // more, seasonal naive and ETS compete.
        None => Method::ALL
            .iter()
            .filter(|me| m == 1 || **me != Method::Trend)
            .map(|&me| (me, fc::backtest(train, m, h, o.backtest, me)))
            .collect(),
    };
    let p_vs_ets = p_vs_ets(&backtest, h);
    let chosen = o
        .method
        .unwrap_or_else(|| choose(&backtest, &p_vs_ets, o.select));
    let ets = if chosen == Method::Ets {
        fc::auto_ets(train, m)
    } else {
        None
    };
    let mut forecast = match &ets {
        Some(e) => Some(e.forecast(h, &o.levels)),
        None => chosen.forecast(train, m, h, &o.levels),
    }
    .or_else(|| Method::Snaive.forecast(train, m, h, &o.levels))
    .ok_or_else(|| {
        Error::input(crate::tr!(
            "{name}: {} periods of history are too few to forecast",
            "{name}：历史只有 {} 期，太少，无法预测",
            train.len()
        ))
    })?;
    let note = join_notes(note, clamp_below_zero(&mut forecast, train, &name));
    let holdout = if holdout > 0 {
        holdout_accuracy(train, m, h, &actual, chosen, &forecast)
    } else {
        Vec::new()
    };
    Ok(GroupResult {
        name,
        start,
        history: train.to_vec(),
        actual,
        backtest,
        p_vs_ets,
        chosen,
        forecast,
        holdout,
        note,
        ets,
        season: m,
    })
}

/// Revenue and counts cannot go below 0: when the history `train` never did, neither do the
/// forecast and its bounds. A value below 0 is set to 0, and the note says how many were.
fn clamp_below_zero(f: &mut Forecast, train: &[f64], name: &str) -> Option<Text> {
    if !train.iter().all(|v| *v >= 0.0) {
        return None;
    }
    let mut clamped = 0;
    for v in f.mean.iter_mut().chain(
        f.intervals
            .iter_mut()
            .flat_map(|(_, lo, hi)| lo.iter_mut().chain(hi.iter_mut())),
    ) {
        if *v < 0.0 {
            *v = 0.0;
            clamped += 1;
        }
    }
    (clamped > 0).then(|| {
        crate::tr!(
            "{name}: {clamped} forecast value(s) or interval bound(s) below 0 set to 0 (the series is never negative)",
            "{name}：{clamped} 个低于 0 的预测值或区间边界已设为 0（该序列从不为负）"
        )
    })
}

fn join_notes(a: Option<Text>, b: Option<Text>) -> Option<Text> {
    match (a, b) {
        (Some(n), Some(msg)) => Some(Text::new(
            format!("{}; {}", n.en, msg.en),
            format!("{}；{}", n.get(Lang::ZhCn), msg.get(Lang::ZhCn)),
        )),
        (a, b) => a.or(b),
    }
}

/// Every model's accuracy on the held-out periods `actual` (the chosen one's forecast as
/// shown, clamped).
fn holdout_accuracy(
    train: &[f64],
    m: usize,
    h: usize,
    actual: &[f64],
    chosen: Method,
    shown: &Forecast,
) -> Vec<(Method, Accuracy)> {
    let mut out = Vec::new();
    for me in Method::ALL {
        let f = if me == chosen {
            Some(shown.clone())
        } else {
            me.forecast(train, m, h, &[])
        };
        if let Some(f) = f {
            out.push((me, fc::accuracy(train, m, actual, &f.mean)));
        }
    }
    out
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

    /// A history that never goes below 0: a forecast of -2 and a lower bound of -5 become 0,
    /// and the note counts two values; a history with a negative value is left alone.
    #[test]
    fn forecasts_of_never_negative_series_are_clamped() {
        let f = || Forecast {
            model: "trend".into(),
            mean: vec![3.0, -2.0],
            intervals: vec![(95.0, vec![1.0, -5.0], vec![5.0, 1.0])],
        };
        let mut g = f();
        let note = clamp_below_zero(&mut g, &[4.0, 0.0, 1.0], "A").unwrap();
        assert_eq!(g.mean, vec![3.0, 0.0]);
        assert_eq!(g.intervals[0].1, vec![1.0, 0.0]);
        assert!(note.en.starts_with("A: 2 forecast value(s)"), "{}", note.en);
        let mut g = f();
        assert!(clamp_below_zero(&mut g, &[4.0, -1.0], "A").is_none());
        assert_eq!(g.mean, vec![3.0, -2.0]);
    }

    /// Nine periods of history with a season of 4 and 2 held out leaves 7 (< 8, two seasons):
    /// non-seasonal, forecasting the 2 held-out periods; a holdout as long as the history
    /// is refused.
    #[test]
    fn short_histories_fit_without_a_season() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        let o = ModelOpts {
            season: 4,
            h: 6,
            holdout: 2,
            backtest: 2,
            method: Some(Method::Snaive),
            select: Select::default(),
            levels: vec![95.0],
        };
        let g = fit_group("A".into(), 0, &y, &o).unwrap();
        assert_eq!(g.season, 1);
        assert_eq!(g.history.len(), 7);
        assert_eq!(g.actual, vec![8.0, 9.0]);
        // Naive (a season of 1) repeats the last value, 7, for the two held-out periods.
        assert_eq!(g.forecast.mean, vec![7.0, 7.0]);
        assert_eq!(g.model_name(g.chosen), "naive");
        assert!(g.note.unwrap().en.contains("under two seasons (8)"));
        let o = ModelOpts { holdout: 9, ..o };
        assert!(fit_group("A".into(), 0, &y, &o).is_err());
    }
}
