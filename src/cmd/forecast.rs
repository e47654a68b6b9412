//! `salesctl forecast INPUT`: where revenue (or won deals, orders, new customers) is heading.
//!
//! The metric is aggregated to month, week or quarter (empty periods as zero, an incomplete last
//! period dropped), then forecast by seasonal naive, ETS (form chosen by AICc) or a linear trend;
//! `--method auto` picks among them by a rolling-origin backtest, never by in-sample fit.
//! `--method pipeline` weights open deals by their stage's win probability instead.
//!
//! Tables: `forecast` (group, period, model, forecast, intervals; actual under --holdout),
//! `backtest` (per group and model: origins, MAPE, sMAPE, MASE, MASE relative to seasonal
//! naive, chosen), `accuracy` (--holdout), `history` (the aggregated series), `pipeline`
//! (--method pipeline).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate, Weekday};

use super::analysis::{self, parse_duration_days};
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::load::{self, Dataset, LoaderArgs};
use crate::metrics::deals::DealSet;
use crate::metrics::forecast::{self as fc, Accuracy, Forecast, Method};
use crate::metrics::paths::Pos;
use crate::metrics::prep::{self, NONE};
use crate::metrics::scorecard::stage_win_probability;
use crate::model::{Status, Table};
use crate::output::chart::{Chart, ChartSpec};
use crate::output::{self, Lang, Note, OutputArgs, Report, ResultTable, TableBuilder, Unit};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Export(s) or an ingested DIR: orders, deals, or a plain series mapped as orders
    /// (`--map ordered_at=Date --map amount=Sales`).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// What to forecast: revenue (won amount by closed_at, or order amount by ordered_at),
    /// won_deals, orders or new_customers.
    #[arg(long, value_name = "METRIC", default_value = "revenue",
          value_parser = ["revenue", "won_deals", "orders", "new_customers"])]
    pub metric: String,
    /// Period length of the series.
    #[arg(long, value_name = "FREQ", default_value = "month", value_parser = ["month", "week", "quarter"])]
    pub freq: String,
    /// Periods ahead: N periods of --freq, or a duration (12m, 39w, 2y). Default: one season.
    #[arg(long, value_name = "N|DURATION")]
    pub horizon: Option<String>,
    /// Prediction interval levels in percent.
    #[arg(long, value_name = "LEVELS", default_value = "80,95")]
    pub level: String,
    /// auto (chosen by backtest), snaive, ets, trend, or pipeline (open deals x stage win
    /// probability by expected close).
    #[arg(long, value_name = "METHOD", default_value = "auto",
          value_parser = ["auto", "snaive", "ets", "trend", "pipeline"])]
    pub method: String,
    /// Rolling-origin backtest origins (one period apart) behind --method auto.
    #[arg(long, value_name = "K", default_value_t = 3)]
    pub backtest: usize,
    /// Hold out the last N periods: fit on the rest, forecast them, and score the forecast.
    #[arg(long, value_name = "N")]
    pub holdout: Option<usize>,
    /// One forecast per value of FIELD (owner, region, product, or any column), plus the total.
    #[arg(long, value_name = "FIELD")]
    pub by: Option<String>,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Period length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    Month,
    Quarter,
    Week(Weekday),
}

impl Freq {
    pub fn parse(s: &str, week_start: Weekday) -> Freq {
        match s {
            "quarter" => Freq::Quarter,
            "week" => Freq::Week(week_start),
            _ => Freq::Month,
        }
    }

    /// Season length (METRICS.md): 12 months, 4 quarters, 52 weeks.
    pub fn season(self) -> usize {
        match self {
            Freq::Month => 12,
            Freq::Quarter => 4,
            Freq::Week(_) => 52,
        }
    }

    fn week_offset(ws: Weekday) -> i64 {
        // 1970-01-01 was a Thursday.
        (3 - ws.num_days_from_monday() as i64).rem_euclid(7)
    }

    /// Index of the period holding `d`.
    pub fn index(self, d: NaiveDate) -> i64 {
        match self {
            Freq::Month => d.year() as i64 * 12 + d.month0() as i64,
            Freq::Quarter => d.year() as i64 * 4 + d.month0() as i64 / 3,
            Freq::Week(ws) => {
                let days = d.signed_duration_since(NaiveDate::default()).num_days();
                (days + Self::week_offset(ws)).div_euclid(7)
            }
        }
    }

    /// First day of period `i`.
    pub fn start(self, i: i64) -> NaiveDate {
        match self {
            Freq::Month => {
                NaiveDate::from_ymd_opt(i.div_euclid(12) as i32, i.rem_euclid(12) as u32 + 1, 1)
            }
            Freq::Quarter => {
                NaiveDate::from_ymd_opt(i.div_euclid(4) as i32, i.rem_euclid(4) as u32 * 3 + 1, 1)
            }
            Freq::Week(ws) => NaiveDate::default()
                .checked_add_signed(chrono::Duration::days(i * 7 - Self::week_offset(ws))),
        }
        .unwrap_or_default()
    }

    /// Last day of period `i`.
    pub fn last_day(self, i: i64) -> NaiveDate {
        self.start(i + 1).pred_opt().unwrap_or_default()
    }

    /// `2026-10`, `2026-Q4`, or the week's first day.
    pub fn label(self, i: i64) -> String {
        match self {
            Freq::Month => format!("{}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1),
            Freq::Quarter => format!("{}-Q{}", i.div_euclid(4), i.rem_euclid(4) + 1),
            Freq::Week(_) => self.start(i).to_string(),
        }
    }

    /// Periods in `days` days (rounded, at least 1).
    fn periods_in(self, days: f64) -> usize {
        let len = match self {
            Freq::Month => 365.25 / 12.0,
            Freq::Quarter => 365.25 / 4.0,
            Freq::Week(_) => 7.0,
        };
        (days / len).round().max(1.0) as usize
    }
}

/// `12` (periods) or a duration (`12m`, `39w`, `2y`, `365d`) in periods of `freq`.
pub fn parse_horizon(s: &str, freq: Freq) -> std::result::Result<usize, String> {
    /// Far beyond any sales forecast, and small enough that the arrays stay small.
    const MAX: usize = 10_000;
    let t = s.trim().to_ascii_lowercase();
    let n = if let Ok(n) = t.parse::<usize>() {
        n
    } else if let Some(q) = t.strip_suffix('q').and_then(|q| q.parse::<f64>().ok()) {
        freq.periods_in(q * 365.25 / 4.0)
    } else {
        parse_duration_days(s).map(|d| freq.periods_in(d))?
    };
    match n {
        0 => Err("must be at least 1".into()),
        n if n > MAX => Err(format!("{n} periods: at most {MAX}")),
        n => Ok(n),
    }
}

/// `80,95` -> [80, 95], each strictly between 0 and 100.
pub fn parse_levels(s: &str) -> std::result::Result<Vec<f64>, String> {
    let mut out = Vec::new();
    for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let v: f64 = p
            .parse()
            .map_err(|_| format!("{p:?} is not a number (levels are percents, e.g. 80,95)"))?;
        if !(v > 0.0 && v < 100.0) {
            return Err(format!("{v} is not a percent between 0 and 100"));
        }
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// The metric's dated values: (day as ms, value, group code), group names, currency, and what
/// was read (for the notes).
pub(crate) struct Points {
    pub rows: Vec<(i64, f64, u32)>,
    pub groups: Vec<String>,
    pub currency: Option<String>,
    pub definition: String,
    pub skipped_no_date: usize,
}

/// Read the metric's dated values from orders (preferred) or deals.
pub(crate) fn points(ds: &Dataset, metric: &str, by: Option<&str>) -> Result<Points> {
    let from_orders = ds.has(Table::Orders) && metric != "won_deals";
    let (table, at, cust) = if from_orders {
        (Table::Orders, "ordered_at", "customer_id")
    } else if ds.has(Table::Deals) {
        (Table::Deals, "closed_at", "account")
    } else {
        return Err(Error::Input(format!(
            "forecast --metric {metric} needs {}",
            if metric == "won_deals" {
                "deals"
            } else {
                "orders or deals"
            }
        )));
    };
    let mut cols = vec![at, "amount", "currency", "status", "cancelled", cust];
    if let Some(b) = by {
        cols.push(b);
    }
    let df = ds.frame(table, &cols)?.unwrap_or_default();
    let src = if from_orders { "orders" } else { "deals" };
    prep::need(&df, src, &[at])?;
    if metric == "revenue" {
        prep::need(&df, src, &["amount"])?;
    }
    if metric == "new_customers" {
        prep::need(&df, src, &[cust])?;
    }
    if !from_orders {
        prep::need(&df, src, &["status"])?;
    }
    let t = prep::millis(&df, at)?;
    let amount = prep::floats(&df, "amount")?;
    let cur = prep::coded(&df, "currency")?;
    let status = prep::coded(&df, "status")?;
    let customer = prep::coded(&df, cust)?;
    let cancelled = prep::flags(&df, "cancelled");
    let group = match by {
        Some(f) => {
            if !prep::has(&df, f) {
                let cols = ds.columns_of(table).unwrap_or_default();
                return Err(Error::MissingColumn {
                    file: src.into(),
                    field: f.into(),
                    why: "--by groups by it".into(),
                    found: cols.join(", "),
                    hint: crate::error::closest(f, cols.iter().map(String::as_str))
                        .map(|c| format!("; closest: {c:?}"))
                        .unwrap_or_default(),
                });
            }
            Some(prep::coded(&df, f)?)
        }
        None => None,
    };
    let mut p = Points {
        rows: Vec::new(),
        groups: group.as_ref().map(|g| g.values.clone()).unwrap_or_default(),
        currency: None,
        definition: String::new(),
        skipped_no_date: 0,
    };
    let mut currencies: BTreeSet<String> = BTreeSet::new();
    let mut first: HashMap<u32, (i64, u32)> = HashMap::new();
    for i in 0..df.height() {
        if !from_orders && status.get(i) != Some(Status::Won.as_str()) {
            continue;
        }
        if cancelled[i] {
            continue;
        }
        let Some(ms) = t[i] else {
            p.skipped_no_date += 1;
            continue;
        };
        let g = group.as_ref().map_or(0, |g| g.codes[i]);
        match metric {
            "revenue" => {
                let Some(v) = amount[i] else { continue };
                if let Some(c) = cur.get(i).filter(|c| !c.is_empty()) {
                    currencies.insert(c.to_string());
                }
                p.rows.push((ms, v, g));
            }
            "new_customers" => {
                let c = customer.codes[i];
                if c == NONE {
                    continue;
                }
                let e = first.entry(c).or_insert((ms, g));
                if ms < e.0 {
                    *e = (ms, g);
                }
            }
            _ => p.rows.push((ms, 1.0, g)),
        }
    }
    if metric == "new_customers" {
        p.rows = first.into_values().map(|(ms, g)| (ms, 1.0, g)).collect();
    }
    if currencies.len() > 1 {
        return Err(Error::Input(format!(
            "revenue in {}: a forecast needs one currency; convert with --fx FILE or filter the export",
            currencies.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    p.currency = currencies.into_iter().next();
    p.definition = match (metric, from_orders) {
        ("revenue", true) => "revenue = order amount by ordered_at (cancelled orders left out)",
        ("revenue", false) => "revenue = won deals' amount by closed_at",
        ("won_deals", _) => "won_deals = won deals counted by closed_at",
        ("orders", true) => "orders = orders counted by ordered_at (cancelled left out)",
        ("orders", false) => "orders = won deals counted by closed_at (no orders table)",
        (_, true) => "new_customers = customers counted at their first order",
        (_, false) => "new_customers = accounts counted at their first won deal",
    }
    .to_string();
    Ok(p)
}

/// The aggregated series: period indices [first, last], one value vector per group.
pub(crate) struct Series {
    pub freq: Freq,
    pub first: i64,
    pub last: i64,
    /// Per group code ([`TOTAL`] = all groups): the group's first period (its first dated value;
    /// a rep who joined later has no history before) and its values from there to `last`.
    pub values: BTreeMap<u32, (i64, Vec<f64>)>,
    pub dropped: Option<String>,
    pub after_as_of: usize,
}

/// The total of all groups (NONE, u32::MAX, is "no value").
pub(crate) const TOTAL: u32 = u32::MAX - 1;

/// Aggregate points to periods ending at the as-of period (dropped when incomplete and the
/// as-of was not read from the data).
pub(crate) fn series(ds: &Dataset, p: &Points, freq: Freq, grouped: bool) -> Result<Series> {
    let from_data = ds.manifest.as_of_basis.starts_with("latest ");
    let mut last = freq.index(ds.as_of);
    let mut dropped = None;
    if !from_data && ds.as_of < freq.last_day(last) {
        dropped = Some(freq.label(last));
        last -= 1;
    }
    let mut first = i64::MAX;
    let mut after = 0;
    let idx: Vec<Option<i64>> = p
        .rows
        .iter()
        .map(|r| {
            let d = crate::period::ms_to_date(r.0)?;
            let i = freq.index(d);
            if i > last {
                after += 1;
                return None;
            }
            first = first.min(i);
            Some(i)
        })
        .collect();
    if first == i64::MAX {
        return Err(Error::Input(format!(
            "no dated values on or before {} to forecast from",
            freq.label(last)
        )));
    }
    let mut starts: HashMap<u32, i64> = HashMap::new();
    starts.insert(TOTAL, first);
    if grouped {
        for (r, i) in p.rows.iter().zip(&idx) {
            if let Some(i) = i {
                let e = starts.entry(r.2).or_insert(*i);
                *e = (*e).min(*i);
            }
        }
    }
    let mut values: BTreeMap<u32, (i64, Vec<f64>)> = starts
        .iter()
        .map(|(g, st)| (*g, (*st, vec![0.0; (last - st + 1) as usize])))
        .collect();
    for (r, i) in p.rows.iter().zip(idx) {
        let Some(i) = i else { continue };
        for g in [TOTAL, r.2] {
            if g == r.2 && !grouped {
                continue;
            }
            if let Some((st, v)) = values.get_mut(&g) {
                v[(i - *st) as usize] += r.1;
            }
        }
    }
    Ok(Series {
        freq,
        first,
        last,
        values,
        dropped,
        after_as_of: after,
    })
}

/// One group's result.
pub(crate) struct GroupResult {
    pub name: String,
    /// Period index of `history[0]`.
    pub start: i64,
    pub history: Vec<f64>,
    /// Held-out actuals (--holdout).
    pub actual: Vec<f64>,
    /// (method, backtest accuracy, origins) per model tried.
    pub backtest: Vec<(Method, Option<(Accuracy, usize)>)>,
    pub chosen: Method,
    pub forecast: Forecast,
    /// Every model's forecast of the held-out periods, for the accuracy table.
    pub holdout: Vec<(Method, Accuracy)>,
    pub note: Option<String>,
    /// The fitted ETS model when ETS was chosen.
    pub ets: Option<fc::Ets>,
}

/// The method `auto` would pick: the lowest backtest MASE (sMAPE when MASE is undefined);
/// seasonal naive wins ties and whenever nothing could be backtested.
fn choose(bt: &[(Method, Option<(Accuracy, usize)>)]) -> Method {
    let score = |a: &Accuracy| a.mase.or(a.smape).unwrap_or(f64::INFINITY);
    let mut best = (Method::Snaive, f64::INFINITY);
    for (m, r) in bt {
        if let Some((a, _)) = r {
            let s = score(a);
            if s < best.1 || (*m == Method::Snaive && s <= best.1) {
                best = (*m, s);
            }
        }
    }
    best.0
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
    levels: &[f64],
) -> Result<GroupResult> {
    if holdout >= y.len() {
        return Err(Error::Input(format!(
            "{name}: --holdout {holdout} leaves no history ({} periods)",
            y.len()
        )));
    }
    let train = &y[..y.len() - holdout];
    let actual = y[y.len() - holdout..].to_vec();
    let (m, note) = if train.len() >= 2 * season {
        (season, None)
    } else {
        (
            1,
            Some(format!(
                "{name}: {} periods of history, under two seasons ({}): non-seasonal models only",
                train.len(),
                2 * season
            )),
        )
    };
    let h = if holdout > 0 { holdout } else { h };
    let backtest: Vec<(Method, Option<(Accuracy, usize)>)> = match method {
        Some(_) => vec![],
        // The trend-only model is for short series (under two seasons); with two seasons or
        // more, seasonal naive and ETS compete.
        None => Method::ALL
            .iter()
            .filter(|me| m == 1 || **me != Method::Trend)
            .map(|&me| (me, fc::backtest(train, m, h, k, me)))
            .collect(),
    };
    let chosen = method.unwrap_or_else(|| choose(&backtest));
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
        Error::Input(format!(
            "{name}: {} periods of history are too few to forecast",
            train.len()
        ))
    })?;
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
        chosen,
        forecast,
        holdout: holdout_acc,
        note,
        ets,
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
    pub holdout: usize,
    pub by: Option<&'a str>,
}

pub(crate) fn compute(ds: &Dataset, o: &Opts) -> Result<Run> {
    let pts = points(ds, o.metric, o.by)?;
    let s = series(ds, &pts, o.freq, o.by.is_some())?;
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
    for r in &run.groups {
        let sn = r
            .backtest
            .iter()
            .find(|b| b.0 == Method::Snaive)
            .and_then(|b| b.1.as_ref())
            .and_then(|b| b.0.mase);
        for (me, res) in &r.backtest {
            g.push(r.name.clone());
            model.push(me.id().to_string());
            origins.push(res.as_ref().map(|x| x.1 as i64));
            mape.push(res.as_ref().and_then(|x| x.0.mape));
            smape.push(res.as_ref().and_then(|x| x.0.smape));
            let ms = res.as_ref().and_then(|x| x.0.mase);
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
        .col("chosen", Unit::Bool, chosen)
        .build()
}

fn accuracy_table(run: &Run) -> Result<ResultTable> {
    let (mut g, mut model, mut n, mut mape, mut smape, mut mase, mut chosen) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for r in &run.groups {
        for (me, a) in &r.holdout {
            g.push(r.name.clone());
            model.push(me.id().to_string());
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

/// Open deals by expected close period: count, amount, amount x stage win probability, amount x
/// the CRM's own probability.
pub(crate) struct PipelineRow {
    pub group: String,
    pub period: String,
    pub deals: u64,
    pub amount: f64,
    pub weighted: f64,
    pub crm_weighted: Option<f64>,
    pub unweighted_deals: u64,
}

pub(crate) fn pipeline_rows(
    ds: &Dataset,
    metric: &str,
    freq: Freq,
    first_period: i64,
    h: usize,
    by: Option<&str>,
) -> Result<(Vec<PipelineRow>, Option<String>, Vec<Note>)> {
    if !ds.has(Table::Deals) {
        return Err(Error::Input(
            "--method pipeline needs deals (open deals with a stage and an expected close)".into(),
        ));
    }
    let cols = [
        "deal_id",
        "pipeline",
        "stage",
        "status",
        "amount",
        "currency",
        "created_at",
        "closed_at",
        "expected_close_at",
        "probability",
        "stage_entered_at",
    ];
    let (deals, set): (Option<polars::prelude::DataFrame>, DealSet) =
        analysis::deal_set(ds, &cols, by)?;
    let winp = stage_win_probability(&set);
    let (group, names) = match by {
        Some(f) => analysis::by_codes(&set, deals.as_ref(), f, ds)?,
        None => (vec![0; set.len()], vec!["(all)".to_string()]),
    };
    let crm: Vec<Option<f64>> = match &deals {
        Some(df) if prep::has(df, "probability") => prep::floats(df, "probability")?,
        _ => vec![None; set.len()],
    };
    let has_crm = crm.iter().any(Option::is_some);
    // Buckets: 0 = overdue (expected before the first forecast period), 1..=h the periods,
    // h+1 = later, h+2 = no expected close.
    let mut acc: BTreeMap<(u32, usize), PipelineRow> = BTreeMap::new();
    let mut currencies = BTreeSet::new();
    let mut no_prob = 0usize;
    for d in 0..set.len() {
        if set.status(d) != Some(Status::Open) {
            continue;
        }
        let value = if metric == "revenue" {
            match set.amount(d) {
                Some(a) => a,
                None => continue,
            }
        } else {
            1.0
        };
        if metric == "revenue" && !set.currency(d).is_empty() {
            currencies.insert(set.currency(d).to_string());
        }
        let p = match set.current(d) {
            Some(Pos::Open(k)) => winp
                .get(set.pipeline_name(d))
                .and_then(|v| v.get(k as usize))
                .and_then(|&(w, n)| (n > 0).then(|| w as f64 / n as f64)),
            _ => None,
        };
        let bucket = match set
            .expected_close
            .get(d)
            .copied()
            .flatten()
            .and_then(crate::period::ms_to_date)
        {
            None => h + 2,
            Some(day) => {
                let i = freq.index(day) - first_period;
                if i < 0 {
                    0
                } else if i as usize >= h {
                    h + 1
                } else {
                    i as usize + 1
                }
            }
        };
        let g = group.get(d).copied().unwrap_or(NONE);
        for key in [(g, bucket), (TOTAL, bucket)] {
            if by.is_none() && key.0 == TOTAL {
                continue;
            }
            let label = match bucket {
                0 => "overdue".to_string(),
                b if b == h + 1 => "later".to_string(),
                b if b == h + 2 => "(no expected close)".to_string(),
                b => freq.label(first_period + b as i64 - 1),
            };
            let name = match key.0 {
                TOTAL => "(total)".to_string(),
                NONE => "(none)".to_string(),
                c => names.get(c as usize).cloned().unwrap_or_default(),
            };
            let r = acc.entry(key).or_insert(PipelineRow {
                group: name,
                period: label,
                deals: 0,
                amount: 0.0,
                weighted: 0.0,
                crm_weighted: has_crm.then_some(0.0),
                unweighted_deals: 0,
            });
            r.deals += 1;
            r.amount += value;
            match p {
                Some(p) => r.weighted += value * p,
                None => r.unweighted_deals += 1,
            }
            if let (Some(c), Some(x)) = (r.crm_weighted.as_mut(), crm[d]) {
                *c += value * x;
            }
        }
        if p.is_none() {
            no_prob += 1;
        }
    }
    if currencies.len() > 1 {
        return Err(Error::Input(format!(
            "open pipeline in {}: a forecast needs one currency; convert with --fx FILE",
            currencies.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let mut notes = vec![Note::new(
        "weighted = amount x stage win probability of the deal's current stage (won / closed among deals that reached it); crm_weighted = amount x the export's own probability, shown beside it, never mixed in",
        "加权 = 金额 × 当前阶段赢单概率（到达该阶段且已结束的商机中赢单的比例）；crm_weighted = 金额 × 导出文件自带的概率，仅并列显示",
    )];
    if no_prob > 0 {
        notes.push(Note::en(format!(
            "{no_prob} open deal(s) at a stage no closed deal reached: no stage win probability, weighted as 0 (counted in unweighted_deals)"
        )));
    }
    // Groups with TOTAL last.
    let mut rows: Vec<((u32, usize), PipelineRow)> = acc.into_iter().collect();
    rows.sort_by_key(|((g, b), _)| (*g == TOTAL, *g, *b));
    Ok((
        rows.into_iter().map(|r| r.1).collect(),
        currencies.into_iter().next(),
        notes,
    ))
}

pub fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    let ds = load::load(&a.inputs, &a.load)?;
    let lang = Lang::resolve(a.out.lang.as_deref(), ds.settings.config.lang.as_deref())
        .map_err(Error::Usage)?;
    let freq = Freq::parse(&a.freq, ds.calendar().week_start);
    let h = match &a.horizon {
        Some(s) => {
            parse_horizon(s, freq).map_err(|e| Error::Usage(format!("--horizon {s:?}: {e}")))?
        }
        None => a.holdout.unwrap_or(freq.season().min(13)),
    };
    let levels = parse_levels(&a.level).map_err(|e| Error::Usage(format!("--level {e}")))?;
    if a.backtest == 0 {
        return Err(Error::Usage("--backtest must be at least 1".into()));
    }
    let pipeline = a.method == "pipeline";
    if pipeline && a.holdout.is_some() {
        return Err(Error::Usage(
            "--holdout scores a time-series forecast; --method pipeline has nothing to score"
                .into(),
        ));
    }
    if pipeline && !matches!(a.metric.as_str(), "revenue" | "won_deals") {
        return Err(Error::Usage(format!(
            "--method pipeline forecasts revenue or won_deals, not {}",
            a.metric
        )));
    }
    let holdout = a.holdout.unwrap_or(0);
    if a.holdout == Some(0) {
        return Err(Error::Usage("--holdout must be at least 1".into()));
    }
    let opts = Opts {
        metric: &a.metric,
        freq,
        h,
        levels,
        method: method_of(&a.method),
        backtest: a.backtest,
        holdout,
        by: a.by.as_deref(),
    };
    let run = compute(&ds, &opts)?;
    let mut notes = analysis::base_notes(&ds, None, &run.points.definition);
    // The whole history is the point of a forecast: no "no period given" note.
    notes.retain(|n| !n.text(Lang::En).starts_with("no period given"));
    notes.push(Note::en(run.points.definition.clone()));
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
        notes.push(Note::en(format!(
            "{} value(s) dated after the last period left out",
            run.series.after_as_of
        )));
    }
    if run.points.skipped_no_date > 0 {
        notes.push(Note::en(format!(
            "{} row(s) without a date left out",
            run.points.skipped_no_date
        )));
    }
    for r in &run.groups {
        if let Some(n) = &r.note {
            notes.push(Note::en(n.clone()));
        }
    }
    if opts.method.is_none() {
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
            &a.metric,
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
            notes.push(Note::en(e));
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

fn ets_note(r: &GroupResult) -> Option<String> {
    let e = r.ets.as_ref()?;
    Some(format!(
        "{}: {} alpha={:.4} beta={:.4} gamma={:.4} phi={:.4} AICc={:.2} sigma={:.4}",
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
        chart: Chart::LineBand {
            history,
            forecast,
            x_labels,
            origin,
        },
        title: match (lang, r.name == "(all)") {
            (Lang::En, true) => format!("Forecast ({})", r.forecast.model),
            (Lang::En, false) => format!("Forecast: {} ({})", r.name, r.forecast.model),
            (Lang::ZhCn, true) => format!("预测（{}）", r.forecast.model),
            (Lang::ZhCn, false) => format!("预测：{}（{}）", r.name, r.forecast.model),
        },
        x_label: String::new(),
        y_label: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_round_trip() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let m = Freq::Month;
        assert_eq!(m.label(m.index(d)), "2026-11");
        assert_eq!(m.last_day(m.index(d)).to_string(), "2026-11-30");
        let q = Freq::Quarter;
        assert_eq!(q.label(q.index(d)), "2026-Q4");
        assert_eq!(q.start(q.index(d)).to_string(), "2026-10-01");
        // 2026-11-23 is a Monday.
        let w = Freq::Week(Weekday::Mon);
        assert_eq!(w.label(w.index(d)), "2026-11-23");
        let ws = Freq::Week(Weekday::Sun);
        assert_eq!(ws.label(ws.index(d)), "2026-11-22");
        assert_eq!(ws.last_day(ws.index(d)).to_string(), "2026-11-28");
    }

    #[test]
    fn horizon_and_levels() {
        assert_eq!(parse_horizon("12", Freq::Month), Ok(12));
        assert_eq!(parse_horizon("12m", Freq::Month), Ok(12));
        assert_eq!(parse_horizon("39w", Freq::Week(Weekday::Mon)), Ok(39));
        assert_eq!(parse_horizon("2y", Freq::Quarter), Ok(8));
        assert!(parse_horizon("0", Freq::Month).is_err());
        assert_eq!(parse_levels("80, 95"), Ok(vec![80.0, 95.0]));
        assert!(parse_levels("100").is_err());
        assert_eq!(parse_levels("95,80,95"), Ok(vec![95.0, 80.0]));
        assert!(parse_horizon("100000000", Freq::Month).is_err());
        assert!(parse_horizon("1000y", Freq::Week(Weekday::Mon)).is_err());
    }
}
