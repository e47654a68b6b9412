//! Where revenue comes from (deals' won amount or orders), the check that its dates reach the
//! as-of, and the purchases the CLTV and CAC commands read.

use super::*;

/// Where revenue comes from: true for orders, false for won deals. `--revenue` decides; without
/// it, orders when the input has them. Then call [`check_revenue_dates`] with the dates read.
pub(crate) fn revenue_from_orders(ds: &Dataset) -> Result<bool> {
    use crate::model::Table;
    let (has_o, has_d) = (ds.has(Table::Orders), ds.has(Table::Deals));
    use crate::load::RevenueSource;
    let from_orders = match ds.settings.revenue {
        Some(RevenueSource::Orders) if !has_o => {
            return Err(Error::usage(crate::tr!(
                "--revenue orders: the input holds no orders table",
                "--revenue orders：输入中没有订单表"
            )));
        }
        Some(RevenueSource::Deals) if !has_d => {
            return Err(Error::usage(crate::tr!(
                "--revenue deals: the input holds no deals table",
                "--revenue deals：输入中没有商机表"
            )));
        }
        Some(r) => r == RevenueSource::Orders,
        None => has_o,
    };
    crate::meta::set_revenue(if from_orders { "orders" } else { "deals" }); // not a KPI: a revenue source
    Ok(from_orders)
}

/// The revenue source's dates against the as-of, from the rows the command read (`range`:
/// first and last day as epoch ms). A source that ends more than 92 days before the as-of
/// would be continued as a series of zeros: when the input holds the other table too and
/// `--revenue` did not choose, and the two tables' dates do not overlap, that choice changes
/// every number, so it is refused (exit 3) until `--revenue` makes it; otherwise a warning.
/// Only then is the other table read (one date column, lazily).
pub(crate) fn check_revenue_dates(
    ds: &Dataset,
    from_orders: bool,
    range: Option<(i64, i64)>,
) -> Result<()> {
    use crate::model::Table;
    let Some((first, last)) = range else {
        return Ok(());
    };
    let gap = (crate::period::date_ms(ds.as_of) - last) / 86_400_000;
    if gap <= 92 {
        return Ok(());
    }
    let day = |ms: i64| crate::period::ms_to_date(ms).map_or("?".into(), |d| d.to_string());
    let (src, other, other_field) = if from_orders {
        ("orders", Table::Deals, "closed_at")
    } else {
        ("deals", Table::Orders, "ordered_at") // not a KPI: a table name
    };
    let both = ds.has(other);
    if both && ds.settings.revenue.is_none() {
        if let Some((o_first, o_last)) = date_range(ds, other, other_field)? {
            if last < o_first || o_last < first {
                let (o, d) = if from_orders {
                    ((first, last), (o_first, o_last))
                } else {
                    ((o_first, o_last), (first, last))
                };
                return Err(Error::input(crate::tr!(
                    "the input holds orders dated {} to {} and deals closed {} to {}: the two do not overlap, \
                     and revenue would come from the {src} by default; say which with --revenue orders or --revenue deals",
                    "输入中订单日期为 {} 至 {}，商机结单日期为 {} 至 {}：两者没有重叠，\
                     默认收入将来自 {src}；请用 --revenue orders 或 --revenue deals 指定",
                    day(o.0),
                    day(o.1),
                    day(d.0),
                    day(d.1)
                )));
            }
        }
    }
    crate::warn::emit(
        &crate::text::Text::new(
            format!(
                "revenue comes from {src}, whose last date is {} ({gap} days before the as-of {}): the months after it count as zero revenue{}",
                day(last),
                ds.as_of,
                if both {
                    "; --revenue picks the other table"
                } else {
                    ""
                }
            ),
            format!(
                "收入来自 {src}，其最后日期为 {}（早于截至日期 {} 共 {gap} 天）：之后各月收入按 0 计{}",
                day(last),
                ds.as_of,
                if both {
                    "；--revenue 可改用另一张表"
                } else {
                    ""
                }
            ),
        ),
        crate::warn::lang(),
    );
    Ok(())
}

/// First and last value of a table's date column as epoch ms (a lazy min/max: a DIR's parquet
/// gives one column).
pub(super) fn date_range(
    ds: &Dataset,
    t: crate::model::Table,
    field: &str,
) -> Result<Option<(i64, i64)>> {
    let mut lf = ds.scan(t)?;
    if lf.collect_schema()?.get(field).is_none() {
        return Ok(None);
    }
    let ms = |e: Expr| {
        e.cast(DataType::Datetime(TimeUnit::Milliseconds, None))
            .cast(DataType::Int64)
    };
    let df = lf
        .select([
            ms(col(field)).min().alias("lo"),
            ms(col(field)).max().alias("hi"),
        ])
        .collect()?;
    let get = |n: &str| -> Option<i64> { df.column(n).ok()?.get(0).ok()?.extract::<i64>() };
    Ok(get("lo").zip(get("hi")))
}

/// Purchases: (customer code, day number, amount), names, and counts for the notes.
pub(crate) struct Purchases {
    pub(crate) rows: Vec<(u32, i64, f64)>,
    pub(crate) names: Vec<String>,
    /// Group value per purchase (for --by), when asked.
    pub(crate) group: Vec<u32>,
    pub(crate) group_names: Vec<String>,
    pub(crate) no_customer: usize,
    pub(crate) cancelled: usize,
    pub(crate) no_date: usize,
    pub(crate) source: &'static str,
    pub(crate) currencies: BTreeMap<String, usize>,
}

pub(crate) fn day_of(ms: i64) -> i64 {
    ms.div_euclid(86_400_000)
}

pub(crate) fn purchases(ds: &load::Dataset, by: Option<&str>) -> Result<Purchases> {
    let from_orders = revenue_from_orders(ds)?;
    let (df, source, cust, at) = if from_orders {
        let mut cols = vec![
            "customer_id",
            "ordered_at",
            "amount",
            "currency",
            "cancelled",
            "quantity",
        ];
        if let Some(b) = by {
            cols.push(b);
        }
        (
            ds.frame(Table::Orders, &cols)?.unwrap_or_default(),
            "orders",
            "customer_id",
            "ordered_at",
        )
    } else if ds.has(Table::Deals) {
        let mut cols = vec!["account", "closed_at", "amount", "currency", "status"];
        if let Some(b) = by {
            cols.push(b);
        }
        (
            ds.frame(Table::Deals, &cols)?.unwrap_or_default(),
            "won deals",
            "account",
            "closed_at",
        )
    } else {
        return Err(Error::input(crate::tr!(
            "cltv needs orders (or deals whose won deals serve as orders)",
            "cltv 需要订单数据（或商机数据，以赢单商机作为订单）",
        )));
    };
    engine::need(&df, source, &[cust, at, "amount"])?;
    let c = engine::coded(&df, cust)?;
    let t = engine::millis(&df, at)?;
    let a = engine::floats(&df, "amount")?;
    let status = engine::coded(&df, "status")?;
    let cur = engine::coded(&df, "currency")?;
    let cancelled = engine::flags(&df, "cancelled");
    let qty = engine::floats(&df, "quantity")?;
    let g = match by {
        Some(f) if f != "cohort" => {
            engine::need(&df, source, &[f])?;
            Some(engine::coded(&df, f)?)
        }
        _ => None,
    };
    let mut p = Purchases {
        rows: Vec::with_capacity(df.height()),
        names: c.values.clone(),
        group: vec![],
        group_names: g.as_ref().map(|g| g.values.clone()).unwrap_or_default(),
        no_customer: 0,
        cancelled: 0,
        no_date: 0,
        source,
        currencies: BTreeMap::new(),
    };
    for i in 0..df.height() {
        if source == "won deals" && status.get(i) != Some(Status::Won.as_str()) {
            continue;
        }
        if cancelled[i] || qty[i].is_some_and(|q| q < 0.0) || a[i].is_some_and(|x| x < 0.0) {
            p.cancelled += 1;
            continue;
        }
        let code = c.codes[i];
        if code == engine::NONE {
            p.no_customer += 1;
            continue;
        }
        let Some(ms) = t[i] else {
            p.no_date += 1;
            continue;
        };
        *p.currencies
            .entry(cur.get(i).unwrap_or("").to_string())
            .or_default() += 1;
        p.rows.push((code, day_of(ms), a[i].unwrap_or(0.0)));
        if let Some(g) = &g {
            p.group.push(g.codes[i]);
        }
    }
    let range = p.rows.iter().fold(None, |r: Option<(i64, i64)>, x| {
        Some(r.map_or((x.1, x.1), |(lo, hi)| (lo.min(x.1), hi.max(x.1))))
    });
    crate::analysis::check_revenue_dates(
        ds,
        from_orders,
        range.map(|(lo, hi)| (lo * 86_400_000, hi * 86_400_000)),
    )?;
    Ok(p)
}
