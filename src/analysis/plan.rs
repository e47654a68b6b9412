//! `salesctl plan --target 12000000 --year 2027 INPUT`: an annual (or quarterly) target split into
//! monthly targets per rep, region or product: the step from an annual goal to SMART monthly goals.
//!
//! Months get the target in proportion to the revenue forecast for them (its seasonal profile;
//! actual revenue for months already past); groups (`--by`) in proportion to recent won revenue
//! (`--split history`), open pipeline (`--split pipeline`) or evenly. Amounts are rounded to cents
//! by largest remainder, so they add up to the target exactly.
//!
//! Tables: `targets` (dimension, key, period, target, metric: the format `scorecard --targets`
//! reads), `months` (per month: share, forecast, target, gap), `split` (per group: basis, share,
//! target).

use crate::model::kpi;

use chrono::Datelike;

use crate::analysis::forecast::driver::{self as fcmd, Opts};
use crate::analysis::{self, Built};
use crate::columns::engine;
use crate::error::{Error, Result};
use crate::load::{self};
use crate::metrics::plan as metric;
use crate::model::Table;
use crate::output::{Note, Report, TableBuilder, Unit};
use crate::period::Freq;

pub(crate) use crate::cli::plan::Args;

/// The flags plan can refuse before reading anything.
pub(crate) fn validate(a: &Args) -> Result<()> {
    if !(a.target.is_finite() && a.target > 0.0) {
        return Err(Error::usage(crate::tr!(
            "--target {}: a positive amount",
            "--target {}：应为正的金额",
            a.target
        )));
    }
    if a.window == 0 {
        return Err(Error::usage(crate::tr!(
            "--window must be at least 1 month",
            "--window 至少为 1 个月"
        )));
    }
    Ok(())
}

/// The plan of a loaded input: targets per group and month, the months, the split.
pub(crate) fn build(a: &Args, ds: &load::Dataset) -> Result<Built> {
    let (period, first_month, n_months) = target_months(a, ds)?;
    let freq = Freq::Month;
    // 1. The monthly profile: the revenue forecast (actuals for months already past).
    let probe = fcmd::points(ds, "revenue", None)?;
    let series = fcmd::series(ds, &probe, freq, false)?;
    let (first_hist, last_hist) = (series.first, series.last);
    let hist = series.values[&fcmd::TOTAL].1.clone();
    let end_month = first_month + n_months as i64 - 1;
    let opts = Opts {
        metric: "revenue",
        freq,
        h: (end_month - last_hist).max(1) as usize,
        levels: vec![],
        method: fcmd::method_of(a.method.as_str()),
        backtest: fcmd::DEFAULT_BACKTEST,
        select: fcmd::Select::default(),
        holdout: 0,
        by: None,
    };
    // The series is aggregated once: the forecast runs on the same one.
    let run = fcmd::forecast_series(probe, series, &opts)?;
    let g = run
        .groups
        .last()
        .ok_or_else(|| Error::Internal("plan: the forecast has no series".into()))?;
    let mut notes = analysis::base_notes(ds, Some(&period), "closed_at / ordered_at");
    // Per target month: its forecast (actual revenue when already past, never below 0).
    let profile: Vec<(f64, &'static str)> = (first_month..=end_month)
        .map(|i| {
            let (v, basis) = if i <= last_hist {
                let j = i - first_hist;
                let v = if j >= 0 {
                    hist.get(j as usize).copied().unwrap_or(0.0)
                } else {
                    0.0
                };
                (v, "actual")
            } else {
                let j = (i - last_hist - 1) as usize;
                (g.forecast.mean.get(j).copied().unwrap_or(0.0), "forecast")
            };
            (v.max(0.0), basis)
        })
        .collect();
    let forecast: Vec<f64> = profile.iter().map(|p| p.0).collect();
    if metric::month_weights(&forecast).1 {
        notes.push(Note::new(
            "the forecast for the target months is zero: months share the target evenly",
            "目标月份的预测为 0：各月平均分配目标",
        ));
    }
    notes.push(profile_note(
        &g.forecast.model,
        profile.iter().any(|p| p.1 == "actual"),
    ));
    // 2. The group split.
    let (groups, basis, group_w) = group_weights(a, ds, last_hist, freq)?;
    let total_cents = (a.target * 100.0).round() as i64;
    let sp = metric::split(total_cents, &forecast, &group_w);
    let label = |k: usize| freq.label(first_month + k as i64);
    let tables = vec![
        targets_table(a, &groups, &sp.cells, label)?,
        months_table(&profile, &sp, label)?,
        split_table(&groups, &basis, &group_w, &sp.per_group)?,
    ];
    notes.push(split_note(a, &freq.label(last_hist)));
    if let Some(w) = zero_target_warning(a, &groups, &sp.per_group) {
        notes.push(w);
    }
    notes.push(Note::new(
        "targets rounded to cents by largest remainder: they add up to --target exactly; gap = forecast - target (negative: the forecast falls short)",
        "目标按最大余数法取整到分：合计恰好等于 --target；gap = forecast - target（为负：预测低于目标）",
    ));
    let report = Report {
        tables,
        notes,
        title: Some(Note::new("Target plan", "目标分解")),
    };
    Ok(Built {
        report,
        chart: None,
    })
}

/// `--year` or `--quarter` as a period of whole months: the period, its first month's index
/// and its number of months (12 or 3); anything else is refused.
fn target_months(a: &Args, ds: &load::Dataset) -> Result<(crate::period::Period, i64, usize)> {
    let spec = a
        .year
        .as_deref()
        .or(a.quarter.as_deref())
        .unwrap_or_default();
    let period = crate::period::parse(spec, ds.as_of, ds.calendar()).map_err(|e| {
        let flag = if a.year.is_some() { "year" } else { "quarter" };
        Error::usage(e.map(|m| format!("--{flag} {m}")))
    })?;
    let freq = Freq::Month;
    let first_month = freq.index(period.start);
    let n_months = (freq.index(period.end.pred_opt().unwrap_or(period.start)) - first_month + 1)
        .max(1) as usize;
    let wanted = if a.year.is_some() { 12 } else { 3 };
    if n_months != wanted || period.start.day() != 1 {
        let (what, what_zh) = if a.year.is_some() {
            ("year", "一整年")
        } else {
            ("quarter", "一个整季度")
        };
        return Err(Error::usage(crate::tr!(
            "{spec:?} is {} to {}: not a {what}",
            "{spec:?} 是 {} 至 {}：不是{what_zh}",
            period.start,
            period.end
        )));
    }
    Ok((period, first_month, n_months))
}

/// How months share the target: the forecast's model, and whether past months use actuals.
fn profile_note(model: &str, has_actual: bool) -> Note {
    Note::new(
        format!(
            "months share the target in proportion to the revenue forecast for them ({model}, {}); negative forecasts count as 0",
            if has_actual {
                "actual revenue for months already past"
            } else {
                "all months in the future"
            }
        ),
        format!(
            "各月按收入预测（{model}，{}）的比例分配目标；预测为负的月份按 0 计",
            if has_actual {
                "已过去的月份用实际收入"
            } else {
                "全部为未来月份"
            }
        ),
    )
}

/// The groups (`--by`'s values, or "(all)"), each one's basis (won revenue in the window or
/// open pipeline), and the weights the split uses (the basis, or 1 each with `--split even`).
/// Refused when every basis is zero: there is nothing to share by.
fn group_weights(
    a: &Args,
    ds: &load::Dataset,
    last_hist: i64,
    freq: Freq,
) -> Result<(Vec<String>, Vec<f64>, Vec<f64>)> {
    let (groups, basis): (Vec<String>, Vec<f64>) = match &a.by {
        None => (vec!["(all)".to_string()], vec![1.0]),
        Some(field) => group_basis(ds, field, a.split.as_str(), a.window, last_hist, freq)?,
    };
    if basis.iter().sum::<f64>() <= 0.0 {
        let by = a.by.as_deref().unwrap_or("group");
        let (what, what_zh) = if a.split == crate::cli::plan::PlanSplit::Pipeline {
            ("open pipeline", "进行中的管道金额")
        } else {
            ("won revenue in the window", "窗口内的赢单收入")
        };
        return Err(Error::input(crate::tr!(
            "--split {}: every {by} has zero {what}; use --split even",
            "--split {}：每个 {by} 的{what_zh}都为 0；请用 --split even",
            a.split
        )));
    }
    let weights = if a.split == crate::cli::plan::PlanSplit::Even {
        vec![1.0; groups.len()]
    } else {
        basis.clone()
    };
    Ok((groups, basis, weights))
}

/// The `targets` table, in the format `scorecard --targets` reads: one row per group and month.
fn targets_table(
    a: &Args,
    groups: &[String],
    cells: &[Vec<i64>],
    label: impl Fn(usize) -> String,
) -> Result<crate::output::ResultTable> {
    let dimension = a.by.clone().unwrap_or_else(|| "all".into());
    let (mut dim, mut key, mut per, mut tgt, mut met) = (vec![], vec![], vec![], vec![], vec![]);
    for (gi, name) in groups.iter().enumerate() {
        for (k, c) in cells[gi].iter().enumerate() {
            dim.push(dimension.clone());
            key.push(name.clone());
            per.push(label(k));
            tgt.push(*c as f64 / 100.0);
            met.push("revenue".to_string());
        }
    }
    TableBuilder::new("targets")
        .col("dimension", Unit::Text, dim)
        .col("key", Unit::Text, key)
        .col("period", Unit::Text, per)
        .col("target", Unit::Number, tgt)
        .col("metric", Unit::Text, met)
        .build()
}

/// The `months` table: the team's target per month against the forecast, and the gaps.
fn months_table(
    profile: &[(f64, &'static str)],
    sp: &metric::Split,
    label: impl Fn(usize) -> String,
) -> Result<crate::output::ResultTable> {
    let msum: f64 = sp.month_weights.iter().sum();
    let periods: Vec<String> = (0..profile.len()).map(label).collect();
    let basis: Vec<String> = profile.iter().map(|p| p.1.to_string()).collect();
    let shares: Vec<f64> = sp.month_weights.iter().map(|w| w / msum).collect();
    let forecast: Vec<f64> = profile.iter().map(|p| p.0).collect();
    let targets: Vec<f64> = sp.per_month.iter().map(|c| *c as f64 / 100.0).collect();
    TableBuilder::new("months")
        .col("period", Unit::Text, periods)
        .col("basis", Unit::Text, basis)
        .col(kpi::SHARE, Unit::Ratio, shares)
        .col("forecast", Unit::Number, forecast)
        .col("target", Unit::Number, targets)
        .col("gap", Unit::Number, sp.gaps.clone())
        .col("cumulative_gap", Unit::Number, sp.cumulative_gaps.clone())
        .build()
}

/// The `split` table: per group its basis, share and target.
fn split_table(
    groups: &[String],
    basis: &[f64],
    weights: &[f64],
    per_group: &[i64],
) -> Result<crate::output::ResultTable> {
    let gsum: f64 = weights.iter().sum();
    let shares: Vec<f64> = weights.iter().map(|w| w / gsum).collect();
    let targets: Vec<f64> = per_group.iter().map(|c| *c as f64 / 100.0).collect();
    TableBuilder::new("split")
        .col("key", Unit::Text, groups.to_vec())
        .col("basis", Unit::Number, basis.to_vec())
        .col(kpi::SHARE, Unit::Ratio, shares)
        .col("target", Unit::Number, targets)
        .build()
}

/// How groups share the target (`--split`), up to the last month of history `last`.
fn split_note(a: &Args, last: &str) -> Note {
    Note::new(
        match a.split.as_str() {
            "history" => format!(
                "groups share the target by won revenue in the {} month(s) up to {last} (split.basis)",
                a.window,
            ),
            "pipeline" => "groups share the target by open pipeline amount (split.basis)".into(),
            _ => "groups share the target evenly".into(),
        },
        match a.split.as_str() {
            "history" => format!("各组按最近 {} 个月的赢单收入比例分配", a.window),
            "pipeline" => "各组按在途商机金额比例分配".into(),
            _ => "各组平均分配".into(),
        },
    )
}

/// Groups the split gives nothing: a SMART target of 0 for every month is no target.
fn zero_target_warning(a: &Args, groups: &[String], per_group: &[i64]) -> Option<Note> {
    let zero: Vec<&str> = groups
        .iter()
        .zip(per_group)
        .filter(|(_, c)| **c == 0)
        .map(|(g, _)| g.as_str())
        .collect();
    if zero.is_empty() || a.by.is_none() {
        return None;
    }
    let by = a.by.as_deref().unwrap_or("group");
    let shown: Vec<String> = zero.iter().take(6).map(|g| format!("{g:?}")).collect();
    let pipeline = a.split == crate::cli::plan::PlanSplit::Pipeline;
    let why = if pipeline {
        "no open pipeline"
    } else {
        "no won revenue in the history window"
    };
    Some(Note::warning(
        format!(
            "{} of {} {by} value(s) get a zero target for every month ({why}): {}{}; --split even gives each a share, --window N widens the history",
            zero.len(),
            groups.len(),
            shown.join(", "),
            if zero.len() > 6 { ", ..." } else { "" }
        ),
        format!(
            "{} 个（共 {} 个）{by} 每月目标为 0（{}）：{}；--split even 平均分配，--window N 扩大历史窗口",
            zero.len(),
            groups.len(),
            if pipeline {
                "无在途商机"
            } else {
                "历史窗口内无赢单收入"
            },
            shown.join("，")
        ),
    ))
}

/// Groups (sorted by name, `(none)` for rows without a value) and each one's basis: won revenue
/// over the window, open pipeline amount, or 1 each.
fn group_basis(
    ds: &load::Dataset,
    field: &str,
    split: &str,
    window: usize,
    last_hist: i64,
    freq: Freq,
) -> Result<(Vec<String>, Vec<f64>)> {
    let mut basis = match split {
        "pipeline" => {
            if !ds.has(Table::Deals) {
                return Err(Error::input(crate::tr!(
                    "--split pipeline needs deals with open pipeline",
                    "--split pipeline 需要含进行中管道的商机数据",
                )));
            }
            let df = ds
                .frame(Table::Deals, &["status", "amount", "currency", field])?
                .unwrap_or_default();
            engine::need(&df, "deals", &["status", "amount", field])?; // not a KPI: a table name
            let (basis, currencies) = metric::open_pipeline_basis(
                &engine::coded(&df, "status")?,
                &engine::floats(&df, "amount")?,
                &engine::coded(&df, field)?,
                &engine::coded(&df, "currency")?,
            );
            if currencies.len() > 1 {
                let list = currencies.into_iter().collect::<Vec<_>>().join(", ");
                return Err(Error::input(crate::tr!(
                    "open pipeline in {list}: convert with --fx FILE",
                    "进行中的管道涉及多个币种（{list}）：请用 --fx FILE 换算"
                )));
            }
            basis
        }
        _ => {
            let p = fcmd::points(ds, "revenue", Some(field))?;
            let lo = freq.start(last_hist - window as i64 + 1);
            let hi = freq.start(last_hist + 1);
            metric::won_revenue_basis(&p.rows, &p.groups, lo, hi)
        }
    };
    if split == "even" {
        for v in basis.values_mut() {
            *v = 1.0;
        }
    }
    let (g, b): (Vec<String>, Vec<f64>) = basis.into_iter().unzip();
    Ok((g, b))
}
