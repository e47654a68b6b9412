//! The series a forecast reads: period arithmetic (`--freq`), `--horizon` and `--level`
//! parsing, the metric's dated values, and their aggregation per period and group.

use crate::model::kpi;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[cfg(test)]
use chrono::{NaiveDate, Weekday};

use super::parse_duration_days;
use crate::columns::engine::{self, NONE};
use crate::error::{Error, Result};
use crate::load::Dataset;
use crate::model::{Status, Table};
use crate::text::Text;

pub(crate) use crate::period::Freq;

/// `12` (periods) or a duration (`12m`, `39w`, `2y`, `365d`) in periods of `freq`.
pub(crate) fn parse_horizon(s: &str, freq: Freq) -> std::result::Result<usize, Text> {
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
        0 => Err(crate::tr!("must be at least 1", "至少为 1")),
        n if n > MAX => Err(crate::tr!(
            "{n} periods: at most {MAX}",
            "{n} 期：最多 {MAX} 期"
        )),
        n => Ok(n),
    }
}

/// `80,95` -> [80, 95], each strictly between 0 and 100.
pub(crate) fn parse_levels(s: &str) -> std::result::Result<Vec<f64>, Text> {
    let mut out = Vec::new();
    for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let v: f64 = p.parse().map_err(|_| {
            crate::tr!(
                "{p:?} is not a number (levels are percents, e.g. 80,95)",
                "{p:?} 不是数字（置信水平为百分数，如 80,95）"
            )
        })?;
        if !(v > 0.0 && v < 100.0) {
            return Err(crate::tr!(
                "{v} is not a percent between 0 and 100",
                "{v} 不是 0 到 100 之间的百分数"
            ));
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
    /// `definition` in Chinese.
    pub definition_zh: String,
    pub skipped_no_date: usize,
}

/// Read the metric's dated values from orders (preferred) or deals.
pub(crate) fn points(ds: &Dataset, metric: &str, by: Option<&str>) -> Result<Points> {
    let from_orders = metric != "won_deals" && crate::analysis::revenue_from_orders(ds)?;
    let (table, at, cust) = if from_orders {
        (Table::Orders, "ordered_at", "customer_id")
    } else if ds.has(Table::Deals) {
        (Table::Deals, "closed_at", "account")
    } else {
        let (need, need_zh) = if metric == "won_deals" {
            ("deals", "商机") // not a KPI: a table name
        } else {
            ("orders or deals", "订单或商机")
        };
        return Err(Error::input(crate::tr!(
            "forecast --metric {metric} needs {need}",
            "forecast --metric {metric} 需要{need_zh}数据"
        )));
    };
    let mut cols = vec![at, "amount", "currency", "status", "cancelled", cust];
    if let Some(b) = by {
        cols.push(b);
    }
    let df = ds.frame(table, &cols)?.unwrap_or_default();
    let src = if from_orders { "orders" } else { "deals" }; // not a KPI: a table name
    engine::need(&df, src, &[at])?;
    if metric == "revenue" {
        engine::need(&df, src, &["amount"])?;
    }
    if metric == kpi::NEW_CUSTOMERS {
        engine::need(&df, src, &[cust])?;
    }
    if !from_orders {
        engine::need(&df, src, &["status"])?;
    }
    let t = engine::millis(&df, at)?;
    let amount = engine::floats(&df, "amount")?;
    let cur = engine::coded(&df, "currency")?;
    let status = engine::coded(&df, "status")?;
    let customer = engine::coded(&df, cust)?;
    let cancelled = engine::flags(&df, "cancelled");
    let group = match by {
        Some(f) => {
            if !engine::has(&df, f) {
                let cols = ds.columns_of(table).unwrap_or_default();
                let found: Vec<&str> = cols.iter().map(String::as_str).collect();
                return Err(Error::missing_column(
                    src.into(),
                    f,
                    crate::tr!("--by groups by it", "--by 按它分组"),
                    &found,
                    false,
                ));
            }
            Some(engine::coded(&df, f)?)
        }
        None => None,
    };
    let mut p = Points {
        rows: Vec::new(),
        groups: group.as_ref().map(|g| g.values.clone()).unwrap_or_default(),
        currency: None,
        definition: String::new(),
        definition_zh: String::new(),
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
            kpi::NEW_CUSTOMERS => {
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
    if metric == kpi::NEW_CUSTOMERS {
        p.rows = first.into_values().map(|(ms, g)| (ms, 1.0, g)).collect();
    }
    if metric != "won_deals" {
        let range = p.rows.iter().fold(None, |r: Option<(i64, i64)>, x| {
            Some(r.map_or((x.0, x.0), |(a, b)| (a.min(x.0), b.max(x.0))))
        });
        crate::analysis::check_revenue_dates(ds, from_orders, range)?;
    }
    if currencies.len() > 1 {
        let list = currencies.into_iter().collect::<Vec<_>>().join(", ");
        return Err(Error::input(crate::tr!(
            "revenue in {list}: a forecast needs one currency; convert with --fx FILE or filter the export",
            "收入涉及多个币种（{list}）：预测只能使用一种币种；请用 --fx FILE 换算，或筛选导出文件"
        )));
    }
    p.currency = currencies.into_iter().next();
    let (en, zh) = match (metric, from_orders) {
        ("revenue", true) => (
            "revenue = order amount by ordered_at (cancelled orders left out)",
            "revenue = 按 ordered_at 汇总的订单金额（不含已取消订单）",
        ),
        ("revenue", false) => (
            "revenue = won deals' amount by closed_at",
            "revenue = 按 closed_at 汇总的赢单商机金额",
        ),
        ("won_deals", _) => (
            "won_deals = won deals counted by closed_at",
            "won_deals = 按 closed_at 计数的赢单商机",
        ),
        ("orders", true) => (
            "orders = orders counted by ordered_at (cancelled left out)",
            "orders = 按 ordered_at 计数的订单（不含已取消订单）",
        ),
        ("orders", false) => (
            "orders = won deals counted by closed_at (no orders table)",
            "orders = 按 closed_at 计数的赢单商机（没有订单表）",
        ),
        (_, true) => (
            "new_customers = customers counted at their first order",
            "new_customers = 按首笔订单计数的客户",
        ),
        (_, false) => (
            "new_customers = accounts counted at their first won deal",
            "new_customers = 按首个赢单商机计数的客户",
        ),
    };
    p.definition = en.to_string();
    p.definition_zh = zh.to_string();
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

/// Aggregate points to periods ending at the as-of period, which is left out when the as-of is
/// not its last day, whatever the as-of's basis (docs/metrics.md, "Partial last period": a
/// month of 6 days fitted as a whole month reads as a collapse). Period-stamped data (every
/// date the same number of days into its period, as a monthly series `1993-12` reads) are
/// whole periods, the as-of's own included when the as-of is its stamp.
pub(crate) fn series(ds: &Dataset, p: &Points, freq: Freq, grouped: bool) -> Result<Series> {
    let mut last = freq.index(ds.as_of);
    let mut dropped = None;
    // Period-stamped: every date the same number of days into its period (`1993-12` is the
    // 1st; a quarterly series may be stamped on the 15th of its first month).
    let offset =
        |ms: i64| crate::period::ms_to_date(ms).map(|d| (d - freq.start(freq.index(d))).num_days());
    let first_offset = p.rows.first().and_then(|r| offset(r.0));
    let stamped = p.rows.len() >= 2
        && first_offset.is_some()
        && p.rows.iter().all(|r| offset(r.0) == first_offset);
    let as_of_is_stamp =
        first_offset.is_some_and(|o| (ds.as_of - freq.start(last)).num_days() == o);
    if ds.as_of < freq.last_day(last) && !(stamped && as_of_is_stamp) {
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
        let label = freq.label(last);
        return Err(Error::input(crate::tr!(
            "no dated values on or before {label} to forecast from",
            "{label} 及之前没有带日期的值，无法预测"
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
