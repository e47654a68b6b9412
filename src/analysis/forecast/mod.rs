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

pub(crate) mod driver;
mod pipeline;

pub(crate) use crate::analysis::series::{Freq, parse_horizon, parse_levels};
pub(crate) use driver::{GroupResult, Opts, Run, Select, compute, method_of};
pub(crate) use pipeline::pipeline_rows;

use crate::analysis::{self, Built};
use crate::error::{Error, Result};
use crate::load::{self};
use crate::metrics::forecast::Method;
use crate::output::chart::{Chart, ChartSpec};
use crate::output::{Note, Report, ResultTable, TableBuilder, Unit};
use crate::text::Lang;
use crate::text::Text;

pub(crate) use crate::cli::forecast::Args;

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

/// The forecast options of the flags, refused here when they contradict each other.
fn opts_of<'a>(a: &'a Args, ds: &load::Dataset) -> Result<Opts<'a>> {
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
    Ok(Opts {
        metric: a.metric.as_str(),
        freq,
        h,
        levels,
        method: method_of(a.method.as_str()),
        backtest: a.backtest,
        select: Select::of(a.select.as_str()),
        holdout,
        by: a.by.as_deref(),
    })
}

/// The notes of a forecast run: what was counted and left out, and how models were chosen.
fn run_notes(a: &Args, ds: &load::Dataset, run: &Run, opts: &Opts) -> Vec<Note> {
    let h = opts.h;
    let mut notes = analysis::base_notes(ds, None, &run.points.definition);
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
    notes
}

/// The forecast of a loaded input.
pub(crate) fn build(a: &Args, ds: &load::Dataset) -> Result<Built> {
    let lang = analysis::lang(&a.out, ds)?;
    let opts = opts_of(a, ds)?;
    let (freq, h, holdout) = (opts.freq, opts.h, opts.holdout);
    let pipeline = a.method == crate::cli::forecast::ForecastMethod::Pipeline;
    let run = compute(ds, &opts)?;
    let mut notes = run_notes(a, ds, &run, &opts);
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
            ds,
            a.metric.as_str(),
            freq,
            run.series.last + 1,
            h,
            a.by.as_deref(),
        )?;
        notes.extend(pn);
        tables.insert(0, pipeline_table(&run, &rows, cur, a.by.is_some())?);
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
        .map(|_| chart_spec(&run, a.backtest, lang))
        .transpose()?;
    let report = Report {
        tables,
        notes,
        title: Some(Note::new("Forecast", "预测")),
    };
    Ok(Built { report, chart })
}

/// The `pipeline` table: per group and period the open deals, their amount, weighted by the
/// stage win probability (and by the CRM's own probability when the export has one), and the
/// time-series forecast of the same period beside it.
fn pipeline_table(
    run: &Run,
    rows: &[pipeline::PipelineRow],
    cur: Option<String>,
    grouped: bool,
) -> Result<crate::output::ResultTable> {
    let freq = run.series.freq;
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
    let groups: Vec<String> = rows.iter().map(|r| r.group.clone()).collect();
    let periods: Vec<String> = rows.iter().map(|r| r.period.clone()).collect();
    let deals: Vec<i64> = rows.iter().map(|r| r.deals as i64).collect();
    let amounts: Vec<f64> = rows.iter().map(|r| r.amount).collect();
    let weighted: Vec<f64> = rows.iter().map(|r| r.weighted).collect();
    let crm: Vec<Option<f64>> = rows.iter().map(|r| r.crm_weighted).collect();
    let unweighted: Vec<i64> = rows.iter().map(|r| r.unweighted_deals as i64).collect();
    let beside: Vec<Option<f64>> = rows
        .iter()
        .map(|r| {
            let g = if grouped {
                r.group.clone()
            } else {
                "(all)".to_string()
            };
            ts.get(&(g, r.period.clone())).copied()
        })
        .collect();
    let currency: Vec<Option<String>> = rows.iter().map(|_| cur.clone()).collect();
    let mut t = TableBuilder::new("pipeline");
    t.col("group", Unit::Text, groups)
        .col("period", Unit::Text, periods)
        .col("open_deals", Unit::Count, deals)
        .col("open_amount", Unit::Number, amounts)
        .col("weighted", Unit::Number, weighted)
        .col_if(has_crm, "crm_weighted", Unit::Number, crm)
        .col("unweighted_deals", Unit::Count, unweighted)
        .col("time_series_forecast", Unit::Number, beside)
        .col_if(cur.is_some(), "currency", Unit::Text, currency);
    t.build()
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
pub(crate) fn chart_spec(run: &Run, k: usize, lang: Lang) -> Result<ChartSpec> {
    let Some(r) = run.groups.last() else {
        return Err(Error::Internal("forecast: no series to chart".into()));
    };
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
    Ok(ChartSpec {
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
    })
}
