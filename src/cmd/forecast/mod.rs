//! `salesctl forecast INPUT`: where revenue (or won deals, orders, new customers) is heading.
//!
//! The metric is aggregated to month, week or quarter (empty periods as zero, an incomplete last
//! period dropped), then forecast by seasonal naive, ETS (form chosen by AICc) or a linear trend;
//! `--method auto` picks among them by a rolling-origin backtest, never by in-sample fit: ETS
//! unless a Diebold-Mariano test on the backtest errors finds another model better.
//! `--method pipeline` weights open deals by their stage's win probability instead.
//!
//! Tables: `forecast` (group, period, model, forecast, intervals; actual under --holdout),
//! `backtest` (per group and model: origins, MAPE, sMAPE, MASE, MASE relative to seasonal
//! naive, chosen), `accuracy` (--holdout), `history` (the aggregated series), `pipeline`
//! (--method pipeline).

use std::collections::HashMap;

mod pipeline;
pub(crate) mod series;

pub(crate) use pipeline::pipeline_rows;
pub(crate) use series::{Freq, Points, Series, TOTAL, parse_horizon, parse_levels, points, series};

use super::analysis::{self};
use crate::columns::engine::NONE;
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::load::{self, Dataset};
use crate::metrics::forecast::{self as fc, Accuracy, Forecast, Method};
use crate::output::chart::{Chart, ChartSpec};
use crate::output::{self, Note, Report, ResultTable, TableBuilder, Unit};
use crate::text::Lang;
use crate::text::Text;

pub use crate::cli::forecast::Args;

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
    pub fn model_name(&self, me: Method) -> &'static str {
        if me == Method::Snaive && self.season == 1 {
            "naive"
        } else {
            me.id()
        }
    }
}

/// `--backtest`'s default, also what `plan` uses for its monthly profile.
pub(crate) use crate::cli::forecast::DEFAULT_BACKTEST;

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

fn level_id(kind: &str, l: f64) -> String {
    if l.fract() == 0.0 {
        format!("{kind}_{}", l as i64)
    } else {
        format!("{kind}_{}", l.to_string().replace('.', "_"))
    }
}

/// The `forecast` table.
pub(crate) fn forecast_table(run: &Run, holdout: usize) -> Result<ResultTable> {
    let s = &run.series;
    let (mut g, mut per, mut model, mut val, mut act, mut cur) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut bounds: Vec<(Vec<Option<f64>>, Vec<Option<f64>>)> =
        vec![(vec![], vec![]); run.levels.len()];
    let start = s.last + 1 - holdout as i64;
    for r in &run.groups {
        for (k, v) in r.forecast.mean.iter().enumerate() {
            g.push(r.name.clone());
            per.push(s.freq.label(start + k as i64));
            model.push(r.forecast.model.clone());
            val.push(*v);
            act.push(r.actual.get(k).copied());
            cur.push(run.points.currency.clone());
            for (j, (_, lo, hi)) in r.forecast.intervals.iter().enumerate() {
                bounds[j].0.push(lo.get(k).copied());
                bounds[j].1.push(hi.get(k).copied());
            }
        }
    }
    let mut t = TableBuilder::new("forecast");
    t.col("group", Unit::Text, g)
        .col("period", Unit::Text, per)
        .col("model", Unit::Text, model)
        .col("forecast", Unit::Number, val);
    for (j, l) in run.levels.iter().enumerate() {
        t.col(&level_id("lower", *l), Unit::Number, bounds[j].0.clone())
            .col(&level_id("upper", *l), Unit::Number, bounds[j].1.clone());
    }
    t.col_if(holdout > 0, "actual", Unit::Number, act).col_if(
        run.points.currency.is_some(),
        "currency",
        Unit::Text,
        cur,
    );
    t.build()
}

fn backtest_table(run: &Run) -> Result<ResultTable> {
    let (mut g, mut model, mut origins, mut mape, mut smape, mut mase, mut rel, mut chosen) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    let mut p_vs_ets = vec![];
    for r in &run.groups {
        let sn = r
            .backtest
            .iter()
            .find(|b| b.0 == Method::Snaive)
            .and_then(|b| b.1.as_ref())
            .and_then(|b| b.accuracy.mase);
        for ((me, res), p) in r.backtest.iter().zip(&r.p_vs_ets) {
            p_vs_ets.push(*p);
            g.push(r.name.clone());
            model.push(r.model_name(*me).to_string());
            origins.push(res.as_ref().map(|x| x.origins.len() as i64));
            mape.push(res.as_ref().and_then(|x| x.accuracy.mape));
            smape.push(res.as_ref().and_then(|x| x.accuracy.smape));
            let ms = res.as_ref().and_then(|x| x.accuracy.mase);
            mase.push(ms);
            rel.push(match (ms, sn) {
                (Some(a), Some(b)) if b > 0.0 => Some(a / b),
                _ => None,
            });
            chosen.push(*me == r.chosen);
        }
    }
    TableBuilder::new("backtest")
        .col("group", Unit::Text, g)
        .col("model", Unit::Text, model)
        .col("origins", Unit::Count, origins)
        .col("mape", Unit::Percent, mape)
        .col("smape", Unit::Percent, smape)
        .col("mase", Unit::Number, mase)
        .col("relative_mase", Unit::Number, rel)
        .col("p_vs_ets", Unit::Number, p_vs_ets)
        .col("chosen", Unit::Bool, chosen)
        .build()
}

fn accuracy_table(run: &Run) -> Result<ResultTable> {
    let (mut g, mut model, mut n, mut mape, mut smape, mut mase, mut chosen) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for r in &run.groups {
        for (me, a) in &r.holdout {
            g.push(r.name.clone());
            model.push(r.model_name(*me).to_string());
            n.push(a.n as i64);
            mape.push(a.mape);
            smape.push(a.smape);
            mase.push(a.mase);
            chosen.push(*me == r.chosen);
        }
    }
    TableBuilder::new("accuracy")
        .col("group", Unit::Text, g)
        .col("model", Unit::Text, model)
        .col("n", Unit::Count, n)
        .col("mape", Unit::Percent, mape)
        .col("smape", Unit::Percent, smape)
        .col("mase", Unit::Number, mase)
        .col("chosen", Unit::Bool, chosen)
        .build()
}

fn history_table(run: &Run) -> Result<ResultTable> {
    let s = &run.series;
    let (mut g, mut per, mut v) = (vec![], vec![], vec![]);
    for r in &run.groups {
        for (k, x) in r.history.iter().chain(&r.actual).enumerate() {
            g.push(r.name.clone());
            per.push(s.freq.label(r.start + k as i64));
            v.push(*x);
        }
    }
    TableBuilder::new("history")
        .col("group", Unit::Text, g)
        .col("period", Unit::Text, per)
        .col("value", Unit::Number, v)
        .build()
}

pub fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    let ds = load::load(&a.inputs, &a.load)?;
    let lang = Lang::resolve(a.out.lang.as_deref(), ds.settings.config.lang.as_deref())
        .map_err(Error::usage)?;
    let freq = Freq::parse(a.freq.as_str(), ds.calendar().week_start);
    let h = match &a.horizon {
        Some(s) => parse_horizon(s, freq).map_err(|e| {
            Error::usage(Text::new(
                format!("--horizon {s:?}: {}", e.en),
                format!("--horizon {s:?}：{}", e.get(Lang::ZhCn)),
            ))
        })?,
        None => a.holdout.unwrap_or(freq.season().min(13)),
    };
    let levels =
        parse_levels(&a.level).map_err(|e| Error::usage(e.map(|m| format!("--level {m}"))))?;
    if a.backtest == 0 {
        return Err(Error::usage(crate::tr!(
            "--backtest must be at least 1",
            "--backtest 至少为 1"
        )));
    }
    let pipeline = a.method == crate::cli::forecast::ForecastMethod::Pipeline;
    if pipeline && a.holdout.is_some() {
        return Err(Error::usage(crate::tr!(
            "--holdout scores a time-series forecast; --method pipeline has nothing to score",
            "--holdout 用于评估时间序列预测；--method pipeline 没有可评估的预测",
        )));
    }
    if pipeline && !matches!(a.metric.as_str(), "revenue" | "won_deals") {
        return Err(Error::usage(crate::tr!(
            "--method pipeline forecasts revenue or won_deals, not {}",
            "--method pipeline 只预测 revenue 或 won_deals，不预测 {}",
            a.metric
        )));
    }
    let holdout = a.holdout.unwrap_or(0);
    if a.holdout == Some(0) {
        return Err(Error::usage(crate::tr!(
            "--holdout must be at least 1",
            "--holdout 至少为 1"
        )));
    }
    let opts = Opts {
        metric: a.metric.as_str(),
        freq,
        h,
        levels,
        method: method_of(a.method.as_str()),
        backtest: a.backtest,
        select: Select::of(a.select.as_str()),
        holdout,
        by: a.by.as_deref(),
    };
    let run = compute(&ds, &opts)?;
    let mut notes = analysis::base_notes(&ds, None, &run.points.definition);
    // The whole history is the point of a forecast: no "no period given" note.
    notes.retain(|n| !n.text(Lang::En).starts_with("no period given"));
    notes.push(Note::new(
        run.points.definition.clone(),
        run.points.definition_zh.clone(),
    ));
    if let Some(d) = &run.series.dropped {
        notes.push(Note::new(
            format!(
                "last period {d} dropped: as of {} falls before its last day",
                ds.as_of
            ),
            format!("最后一期 {d} 未完整（截至 {}），不计入", ds.as_of),
        ));
    }
    if run.series.after_as_of > 0 {
        notes.push(Note::new(
            format!(
                "{} value(s) dated after the last period left out",
                run.series.after_as_of
            ),
            format!("{} 个值的日期晚于最后一期，未计入", run.series.after_as_of),
        ));
    }
    if run.points.skipped_no_date > 0 {
        notes.push(Note::new(
            format!(
                "{} row(s) without a date left out",
                run.points.skipped_no_date
            ),
            format!("{} 行没有日期，未计入", run.points.skipped_no_date),
        ));
    }
    for r in &run.groups {
        if let Some(n) = &r.note {
            notes.push(Note::from(n));
        }
    }
    if opts.method.is_none() && opts.select == Select::Significant {
        notes.push(Note::new(
            format!(
                "--method auto: each group's model is ETS (form chosen by AICc on the data before each origin) unless another model's errors over {} rolling-origin backtest origin(s) at horizon {} are lower by a one-sided Diebold-Mariano test at 5%",
                a.backtest, h
            ),
            format!(
                "--method auto：默认 ETS；仅当另一模型在 {} 个滚动起点回测（预测 {} 期）中的误差经单侧 Diebold-Mariano 检验（5%）显著更低时改用该模型",
                a.backtest, h
            ),
        ));
    } else if opts.method.is_none() {
        notes.push(Note::new(
            format!(
                "--method auto: each group's model is the one with the lowest MASE over {} rolling-origin backtest origin(s) at horizon {} (seasonal naive on ties); ETS forms chosen by AICc on the data before each origin",
                a.backtest, h
            ),
            format!(
                "--method auto：按 {} 个滚动起点回测（预测 {} 期）的 MASE 最低者选模型（相同时取季节朴素）",
                a.backtest, h
            ),
        ));
    }
    let mut tables = vec![forecast_table(&run, holdout)?];
    if !run.groups.iter().all(|g| g.backtest.is_empty()) {
        tables.push(backtest_table(&run)?);
    }
    if holdout > 0 {
        tables.push(accuracy_table(&run)?);
    }
    // On a terminal the whole history would bury the forecast: it is one --table away.
    let terminal = a.out.table.is_none()
        && a.out.output.is_none()
        && a.out.capture.is_none()
        && a.out.resolve_format().ok() == Some(crate::output::format::Format::Table);
    if terminal {
        notes.push(Note::new(
            "the aggregated history: --table history",
            "汇总后的历史序列：--table history",
        ));
    } else {
        tables.push(history_table(&run)?);
    }
    if pipeline {
        let (rows, cur, pn) = pipeline_rows(
            &ds,
            a.metric.as_str(),
            freq,
            run.series.last + 1,
            h,
            a.by.as_deref(),
        )?;
        notes.extend(pn);
        // The time-series forecast beside it, per (group, period).
        let ts: HashMap<(String, String), f64> = run
            .groups
            .iter()
            .flat_map(|g| {
                g.forecast.mean.iter().enumerate().map(|(k, v)| {
                    (
                        (g.name.clone(), freq.label(run.series.last + 1 + k as i64)),
                        *v,
                    )
                })
            })
            .collect();
        let has_crm = rows.iter().any(|r| r.crm_weighted.is_some());
        let mut t = TableBuilder::new("pipeline");
        t.col(
            "group",
            Unit::Text,
            rows.iter().map(|r| r.group.clone()).collect::<Vec<_>>(),
        )
        .col(
            "period",
            Unit::Text,
            rows.iter().map(|r| r.period.clone()).collect::<Vec<_>>(),
        )
        .col(
            "open_deals",
            Unit::Count,
            rows.iter().map(|r| r.deals as i64).collect::<Vec<_>>(),
        )
        .col(
            "open_amount",
            Unit::Number,
            rows.iter().map(|r| r.amount).collect::<Vec<_>>(),
        )
        .col(
            "weighted",
            Unit::Number,
            rows.iter().map(|r| r.weighted).collect::<Vec<_>>(),
        )
        .col_if(
            has_crm,
            "crm_weighted",
            Unit::Number,
            rows.iter().map(|r| r.crm_weighted).collect::<Vec<_>>(),
        )
        .col(
            "unweighted_deals",
            Unit::Count,
            rows.iter()
                .map(|r| r.unweighted_deals as i64)
                .collect::<Vec<_>>(),
        )
        .col(
            "time_series_forecast",
            Unit::Number,
            rows.iter()
                .map(|r| {
                    let g = if a.by.is_none() {
                        "(all)".to_string()
                    } else {
                        r.group.clone()
                    };
                    ts.get(&(g, r.period.clone())).copied()
                })
                .collect::<Vec<_>>(),
        )
        .col_if(
            cur.is_some(),
            "currency",
            Unit::Text,
            rows.iter().map(|_| cur.clone()).collect::<Vec<_>>(),
        );
        tables.insert(0, t.build()?);
    }
    for r in &run.groups {
        if let Some(e) = ets_note(r) {
            notes.push(Note::from(e));
        }
    }
    let chart = a
        .out
        .chart
        .as_ref()
        .map(|_| chart_spec(&run, a.backtest, lang));
    let report = Report {
        tables,
        notes,
        title: Some(Note::new("Forecast", "预测")),
    };
    output::emit(
        &report,
        &a.out,
        ds.settings.config.lang.as_deref(),
        chart.as_ref(),
    )?;
    analysis::write_rejects(&ds, &a.load)?;
    Ok(ExitCode::Success)
}

fn ets_note(r: &GroupResult) -> Option<Text> {
    let e = r.ets.as_ref()?;
    Some(crate::tr!(
        "{}: {} alpha={:.4} beta={:.4} gamma={:.4} phi={:.4} AICc={:.2} sigma={:.4}",
        "{}：{} alpha={:.4} beta={:.4} gamma={:.4} phi={:.4} AICc={:.2} sigma={:.4}",
        r.name,
        e.spec.name(),
        e.alpha,
        e.beta,
        e.gamma,
        e.phi,
        e.aicc,
        e.sigma2.sqrt()
    ))
}

/// History, forecast and the widest interval of the total (or the only) group; the earliest
/// backtest origin marked.
pub(crate) fn chart_spec(run: &Run, k: usize, lang: Lang) -> ChartSpec {
    let r = run.groups.last().expect("at least one group");
    let s = &run.series;
    let history: Vec<(f64, f64)> = r
        .history
        .iter()
        .chain(&r.actual)
        .enumerate()
        .map(|(i, v)| (i as f64, *v))
        .collect();
    let n = r.history.len();
    let widest = r.forecast.intervals.last();
    let forecast: Vec<(f64, f64, f64, f64)> = r
        .forecast
        .mean
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (lo, hi) = widest.map_or((*v, *v), |w| (w.1[i], w.2[i]));
            ((n + i) as f64, *v, lo, hi)
        })
        .collect();
    // Both interval bands: the widest and, when another level was asked for, the narrowest.
    let narrow = (r.forecast.intervals.len() > 1)
        .then(|| r.forecast.intervals.first())
        .flatten();
    let inner: Vec<(f64, f64, f64)> = narrow.map_or_else(Vec::new, |b| {
        (0..r.forecast.mean.len())
            .map(|i| ((n + i) as f64, b.1[i], b.2[i]))
            .collect()
    });
    let pct = |l: f64| format!("{}%", crate::output::cell::plain_float(l));
    let levels = (
        widest.map_or_else(String::new, |w| pct(w.0)),
        narrow.map_or_else(String::new, |w| pct(w.0)),
    );
    let total = n + r.forecast.mean.len().max(r.actual.len());
    let step = (total / 8).max(1);
    let x_labels: Vec<(f64, String)> = (0..total)
        .step_by(step)
        .map(|i| (i as f64, s.freq.label(r.start + i as i64)))
        .collect();
    let origin = (!r.backtest.is_empty())
        .then(|| n.checked_sub(run.h + k - 1))
        .flatten()
        .map(|o| o as f64);
    ChartSpec {
        lang,
        chart: Chart::LineBand {
            history,
            forecast,
            inner,
            levels,
            x_labels,
            origin,
        },
        title: match (lang, r.name == "(all)") {
            (Lang::En, true) => format!("Forecast ({})", r.forecast.model),
            (Lang::En, false) => format!("Forecast: {} ({})", r.name, r.forecast.model),
            (Lang::ZhCn, true) => format!("预测（{}）", r.forecast.model),
            (Lang::ZhCn, false) => format!("预测：{}（{}）", r.name, r.forecast.model),
        },
        x_label: match lang {
            Lang::En => s.freq.name().to_string(),
            Lang::ZhCn => s.freq.name_zh().to_string(),
        },
        y_label: {
            let what = run.points.definition.split(" = ").next().unwrap_or("value");
            let cur = run
                .points
                .currency
                .as_ref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            format!("{what}{cur}")
        },
    }
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
