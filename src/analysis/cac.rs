//! `salesctl cac --spend SPEND INPUT`: what customers cost, against what they are worth.
//!
//! Tables: `cac` (per period and channel, with a blended `(all)` row per period) and `summary`
//! (per channel over all periods, blended last: spend, new customers, CAC, simple CLTV, LTV:CAC,
//! payback months).

use crate::model::kpi;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Datelike;

use crate::analysis::{self, Built, parse_duration_days};
use crate::analysis::{day_of, flag_error, purchases};
use crate::columns::engine;
use crate::error::{Error, Result};
use crate::load::{self};
use crate::metrics::clv;
use crate::model::Table;
use crate::output::chart::{Chart, ChartSpec};
use crate::output::{Note, Report, TableBuilder, Unit};
use crate::text::Lang;
use crate::text::Text;

pub(crate) use crate::cli::cac::Args;

fn label(day: i64, quarter: bool) -> String {
    match crate::period::ms_to_date(day * 86_400_000) {
        Some(d) if quarter => format!("{}-Q{}", d.year(), d.month0() / 3 + 1),
        Some(d) => format!("{}-{:02}", d.year(), d.month()),
        None => String::new(),
    }
}

/// Acquisition cost against customer value, of a loaded input and the `--spend` file.
pub(crate) fn build(a: &Args, ds: &load::Dataset) -> Result<Built> {
    let spend_file = a
        .spend
        .as_deref()
        .ok_or_else(|| Error::Internal("cac: no --spend".into()))?;
    let lang = analysis::lang(&a.out, ds)?;
    let quarter = a.freq == crate::cli::cac::CacPeriod::Quarter;
    let churn_days =
        parse_duration_days(&a.churn_after).map_err(|e| flag_error("--churn-after", e))?;
    let channel_field = if ds.has(Table::Orders) {
        "channel"
    } else {
        "source"
    };
    let p = purchases(ds, Some(channel_field)).map_err(|e| match e {
        Error::MissingColumn { .. } => Error::input(Text::new(
            format!(
                "cac needs each customer's acquisition channel: a `{channel_field}` column ({e})"
            ),
            format!(
                "cac 需要每个客户的获客渠道：`{channel_field}` 列（{}）",
                e.text(Lang::ZhCn)
            ),
        )),
        other => other,
    })?;
    // Each customer's first purchase (its channel is the acquisition channel) and totals.
    let mut first: HashMap<u32, (i64, usize)> = HashMap::new();
    let mut totals: HashMap<u32, clv::CustomerTotals> = HashMap::new();
    for (i, &(c, d, amt)) in p.rows.iter().enumerate() {
        let f = first.entry(c).or_insert((d, i));
        if d < f.0 {
            *f = (d, i);
        }
        let t = totals.entry(c).or_insert((0, 0.0, d, d));
        t.0 += 1;
        t.1 += amt;
        t.2 = t.2.min(d);
        t.3 = t.3.max(d);
    }
    let channel_of = |i: usize| {
        let g = p.group[i];
        if g == engine::NONE {
            "(none)".to_string()
        } else {
            p.group_names[g as usize].clone()
        }
    };
    // Spend, through the loader as a spend table.
    let side = analysis::side_loader(&a.load, "spend");
    let sp = load::load(&[spend_file.to_path_buf()], &side)?;
    let sdf = sp
        .frame(Table::Spend, &["period", "channel", "spend", "currency"])?
        .unwrap_or_default();
    engine::need(
        &sdf,
        &spend_file.display().to_string(),
        &["period", "spend"],
    )?;
    let (per, chan, amt, cur) = (
        engine::coded(&sdf, "period")?,
        engine::coded(&sdf, "channel")?,
        engine::floats(&sdf, "spend")?,
        engine::coded(&sdf, "currency")?,
    );
    let mut spend: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut spend_currencies: BTreeSet<String> = BTreeSet::new();
    for i in 0..sdf.height() {
        let (Some(pl), Some(v)) = (per.get(i), amt[i]) else {
            continue;
        };
        let start = crate::period::parse(pl, ds.as_of, ds.calendar())
            .map_err(|e| {
                Error::input(Text::new(
                    format!(
                        "{}: row {}: column period: {}",
                        spend_file.display(),
                        i + 2,
                        e.en
                    ),
                    format!(
                        "{}：第 {} 行：period 列：{}",
                        spend_file.display(),
                        i + 2,
                        e.get(Lang::ZhCn)
                    ),
                ))
            })?
            .start;
        let key = label(day_of(crate::period::date_ms(start)), quarter);
        *spend
            .entry((key, chan.get(i).unwrap_or("(none)").to_string()))
            .or_default() += v;
        if let Some(c) = cur.get(i) {
            spend_currencies.insert(c.to_string());
        }
    }
    let order_currencies: BTreeSet<String> = p
        .currencies
        .keys()
        .filter(|c| !c.is_empty())
        .cloned()
        .collect();
    if spend_currencies.len() > 1
        || (!spend_currencies.is_empty()
            && !order_currencies.is_empty()
            && spend_currencies != order_currencies)
    {
        return Err(Error::input(crate::tr!(
            "spend in {:?} and orders in {:?}: CAC and LTV:CAC need one currency; convert with --fx FILE",
            "费用币种为 {:?}，订单币种为 {:?}：CAC 与 LTV:CAC 需要单一币种；请用 --fx FILE 换算",
            spend_currencies,
            order_currencies
        )));
    }
    // New customers per (period, channel).
    let mut new: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut by_channel: BTreeMap<String, Vec<clv::CustomerTotals>> = BTreeMap::new();
    for (c, (d, i)) in clv::in_key_order(&first) {
        let ch = channel_of(i);
        *new.entry((label(d, quarter), ch.clone())).or_default() += 1;
        by_channel.entry(ch).or_default().push(totals[&c]);
    }
    // Per period and channel, every channel either side has; blended row per period.
    let keys: BTreeSet<(String, String)> = spend.keys().chain(new.keys()).cloned().collect();
    let periods: BTreeSet<String> = keys.iter().map(|k| k.0.clone()).collect();
    let (mut pl, mut ch, mut sv, mut nv, mut cv) = (vec![], vec![], vec![], vec![], vec![]);
    for period in &periods {
        let mut ps = 0.0;
        let mut pn = 0u64;
        let mut any_spend = false;
        for k in keys.iter().filter(|k| &k.0 == period) {
            let s = spend.get(k).copied();
            let n = new.get(k).copied().unwrap_or(0);
            pl.push(k.0.clone());
            ch.push(k.1.clone());
            sv.push(s);
            nv.push(n as i64);
            cv.push(match s {
                Some(s) if n > 0 => Some(s / n as f64),
                _ => None,
            });
            ps += s.unwrap_or(0.0);
            any_spend |= s.is_some();
            pn += n;
        }
        pl.push(period.clone());
        ch.push("(all)".into());
        sv.push(any_spend.then_some(ps));
        nv.push(pn as i64);
        cv.push(if any_spend && pn > 0 {
            Some(ps / pn as f64)
        } else {
            None
        });
    }
    let cac = TableBuilder::new("cac")
        .col("period", Unit::Text, pl)
        .col("channel", Unit::Text, ch)
        .col("spend", Unit::Money, sv)
        .col(kpi::NEW_CUSTOMERS, Unit::Count, nv)
        .col("cac", Unit::Money, cv)
        .build()?;
    // Summary per channel over all periods, with simple CLTV, LTV:CAC and payback.
    let as_of = day_of(crate::period::date_ms(ds.as_of));
    let min_day = p.rows.iter().map(|r| r.1).min().unwrap_or(as_of);
    let window = (as_of - min_day) as f64 + 1.0;
    let channels: BTreeSet<String> = spend
        .keys()
        .map(|k| k.1.clone())
        .chain(by_channel.keys().cloned())
        .collect();
    let all: Vec<clv::CustomerTotals> = clv::in_key_order(&totals)
        .into_iter()
        .map(|e| e.1)
        .collect();
    let mut rows: Vec<(String, Option<f64>, u64, clv::Simple)> = Vec::new();
    for c in &channels {
        let s: Option<f64> = spend
            .iter()
            .filter(|(k, _)| &k.1 == c)
            .map(|(_, v)| *v)
            .reduce(|x, y| x + y);
        let cust = by_channel.get(c).cloned().unwrap_or_default();
        rows.push((
            c.clone(),
            s,
            cust.len() as u64,
            clv::simple(&cust, as_of, window, churn_days, a.margin),
        ));
    }
    let total_spend: f64 = spend.values().sum();
    rows.push((
        "(all)".into(),
        (!spend.is_empty()).then_some(total_spend),
        all.len() as u64,
        clv::simple(&all, as_of, window, churn_days, a.margin),
    ));
    let cac_of = |s: Option<f64>, n: u64| match s {
        Some(s) if n > 0 => Some(s / n as f64),
        _ => None,
    };
    let summary = TableBuilder::new("summary")
        .col(
            "channel",
            Unit::Text,
            rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        )
        .col(
            "spend",
            Unit::Money,
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        )
        .col(
            kpi::NEW_CUSTOMERS,
            Unit::Count,
            rows.iter().map(|r| r.2 as i64).collect::<Vec<_>>(),
        )
        .col(
            "cac",
            Unit::Money,
            rows.iter().map(|r| cac_of(r.1, r.2)).collect::<Vec<_>>(),
        )
        .col(
            "cltv",
            Unit::Money,
            rows.iter().map(|r| r.3.cltv).collect::<Vec<_>>(),
        )
        .col(
            "ltv_cac",
            Unit::Number,
            rows.iter()
                .map(|r| match (r.3.cltv, cac_of(r.1, r.2)) {
                    (Some(l), Some(c)) if c > 0.0 => Some(l / c),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        )
        .col(
            "payback_months",
            Unit::Number,
            rows.iter()
                .map(|r| {
                    let monthly = r.3.monthly_revenue_per_customer * a.margin;
                    cac_of(r.1, r.2)
                        .filter(|_| monthly > 0.0)
                        .map(|c| c / monthly)
                })
                .collect::<Vec<_>>(),
        )
        .build()?;
    let mut notes = analysis::base_notes(
        ds,
        None,
        "first order (new customers), spend period (spend)",
    );
    notes.push(Note::new(
        format!(
            "new customer = first {} in the period, its channel the acquisition channel; cac = spend / new customers (blended: all spend / all new customers, channel (all)); cltv = simple model (margin {}, churn after {} days); ltv_cac = cltv / cac; payback_months = cac / (monthly revenue per customer x margin)",
            if p.source == "orders" { "order" } else { "won deal" },
            a.margin,
            churn_days
        ),
        format!("新客户 = 期间内首次{}，其渠道为获客渠道；CAC = 费用 / 新客户数；LTV:CAC = CLTV / CAC；回本月数 = CAC / (每客户月收入 × 毛利率)", if p.source == "orders" { "下单" } else { "赢单" }),
    ));
    let spend_only: Vec<&String> = channels
        .iter()
        .filter(|c| !by_channel.contains_key(*c))
        .collect();
    let cust_only: Vec<&String> = channels
        .iter()
        .filter(|c| !spend.keys().any(|k| &k.1 == *c))
        .collect();
    if !spend_only.is_empty() {
        let list = spend_only
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        notes.push(Note::from(crate::tr!(
            "channels with spend but no new customers: {list}",
            "有费用但没有新客户的渠道：{list}"
        )));
    }
    if !cust_only.is_empty() {
        let list = cust_only
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        notes.push(Note::from(crate::tr!(
            "channels with new customers but no spend recorded: {list}",
            "有新客户但没有费用记录的渠道：{list}"
        )));
    }
    let chart = a.out.chart.as_ref().map(|_| {
        let rs: Vec<&(String, Option<f64>, u64, clv::Simple)> =
            rows.iter().filter(|r| r.0 != "(all)").collect();
        ChartSpec {
            lang,
            chart: Chart::Grouped {
                categories: rs.iter().map(|r| r.0.clone()).collect(),
                series: vec![
                    (
                        "LTV".into(),
                        rs.iter().map(|r| r.3.cltv.unwrap_or(0.0)).collect(),
                    ),
                    (
                        "CAC".into(),
                        rs.iter().map(|r| cac_of(r.1, r.2).unwrap_or(0.0)).collect(),
                    ),
                ],
            },
            title: match lang {
                Lang::En => "LTV and CAC by channel".into(),
                Lang::ZhCn => "各渠道 LTV 与 CAC".into(),
            },
            x_label: String::new(),
            y_label: String::new(),
        }
    });
    let report = Report {
        tables: vec![cac, summary],
        notes,
        title: Some(Note::new("Customer acquisition cost", "获客成本")),
    };
    Ok(Built { report, chart })
}
