//! The series a forecast reads: `--horizon` and `--level` parsing, and the metric's columns read
//! from the dataset for `metrics::series`, which takes the dated values and sums them per period
//! and group.

use crate::model::kpi;

#[cfg(test)]
use chrono::{NaiveDate, Weekday};

use super::parse_duration_days;
use crate::columns::engine;
use crate::error::{Error, Result};
use crate::load::Dataset;
use crate::metrics::series;
pub(crate) use crate::metrics::series::{Series, TOTAL};
use crate::model::Table;
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
    pub(crate) rows: Vec<(i64, f64, u32)>,
    pub(crate) groups: Vec<String>,
    pub(crate) currency: Option<String>,
    pub(crate) definition: String,
    /// `definition` in Chinese.
    pub(crate) definition_zh: String,
    pub(crate) skipped_no_date: usize,
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
    let at_ms = engine::millis(&df, at)?;
    let amount = engine::floats(&df, "amount")?;
    let currency = engine::coded(&df, "currency")?;
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
    let dated = series::dated_values(
        &series::Columns {
            at: &at_ms,
            amount: &amount,
            currency: &currency,
            status: (!from_orders).then_some(&status),
            customer: &customer,
            cancelled: &cancelled,
            group: group.as_ref(),
        },
        metric,
    );
    if metric != "won_deals" {
        let range = dated.rows.iter().fold(None, |r: Option<(i64, i64)>, x| {
            Some(r.map_or((x.0, x.0), |(a, b)| (a.min(x.0), b.max(x.0))))
        });
        crate::analysis::check_revenue_dates(ds, from_orders, range)?;
    }
    if dated.currencies.len() > 1 {
        let list = dated
            .currencies
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Error::input(crate::tr!(
            "revenue in {list}: a forecast needs one currency; convert with --fx FILE or filter the export",
            "收入涉及多个币种（{list}）：预测只能使用一种币种；请用 --fx FILE 换算，或筛选导出文件"
        )));
    }
    let (en, zh) = definition(metric, from_orders);
    Ok(Points {
        rows: dated.rows,
        groups: group.map(|g| g.values).unwrap_or_default(),
        currency: dated.currencies.into_iter().next(),
        definition: en.to_string(),
        definition_zh: zh.to_string(),
        skipped_no_date: dated.skipped_no_date,
    })
}

/// What the metric's values are, in English and Chinese (the forecast's note).
fn definition(metric: &str, from_orders: bool) -> (&'static str, &'static str) {
    match (metric, from_orders) {
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
    }
}

/// The aggregated series of a metric's dated values, ending at the dataset's as-of
/// ([`series::aggregate`]).
pub(crate) fn series(ds: &Dataset, p: &Points, freq: Freq, grouped: bool) -> Result<Series> {
    series::aggregate(&p.rows, ds.as_of, freq, grouped)
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
