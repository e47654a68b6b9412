//! `salesctl cac --spend SPEND INPUT`: what customers cost, against what they are worth.
//!
//! Tables: `cac` (per period and channel, with a blended `(all)` row per period) and `summary`
//! (per channel over all periods, blended last: spend, new customers, CAC, simple CLTV, LTV:CAC,
//! payback months).

use crate::model::kpi;
use std::collections::BTreeSet;

use crate::analysis::{self, Built, parse_duration_days};
use crate::analysis::{day_of, flag_error, purchases};
use crate::columns::engine;
use crate::error::{Error, Result};
use crate::load::{self};
use crate::metrics::cac::{self as metric, ALL, Cac, Spend};
use crate::model::Table;
use crate::output::chart::{Chart, ChartSpec};
use crate::output::{Note, Report, ResultTable, TableBuilder, Unit};
use crate::text::Lang;
use crate::text::Text;

pub(crate) use crate::cli::cac::Args;

/// Acquisition cost against customer value, of a loaded input and the `--spend` file.
pub(crate) fn build(a: &Args, ds: &load::Dataset) -> Result<Built> {
    let spend_file = a
        .spend
        .as_deref()
        .ok_or_else(|| Error::Internal("cac: no --spend".into()))?;
    let lang = analysis::lang(&a.out, ds)?;
    let params = metric::Params {
        quarter: a.freq == crate::cli::cac::CacPeriod::Quarter,
        churn_days: parse_duration_days(&a.churn_after)
            .map_err(|e| flag_error("--churn-after", e))?,
        margin: a.margin,
        as_of: day_of(crate::period::date_ms(ds.as_of)),
    };
    let channel_field = if ds.has(Table::Orders) {
        "channel"
    } else {
        "source"
    };
    let p = purchases(ds, Some(channel_field)).map_err(|e| match e {
        Error::MissingColumn(_) => Error::input(Text::new(
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
    let (spend, spend_currencies) = read_spend(a, ds, spend_file)?;
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
    let channel_of = |i: usize| {
        let g = p.group[i];
        if g == engine::NONE {
            "(none)".to_string()
        } else {
            p.group_names[g as usize].clone()
        }
    };
    let r = metric::compute(&p.rows, channel_of, &spend, &params);
    let mut notes = analysis::base_notes(
        ds,
        None,
        "first order (new customers), spend period (spend)",
    );
    notes.push(Note::new(
        format!(
            "new customer = first {} in the period, its channel the acquisition channel; cac = spend / new customers (blended: all spend / all new customers, channel (all)); cltv = simple model (margin {}, churn after {} days); ltv_cac = cltv / cac; payback_months = cac / (monthly revenue per customer x margin)",
            if p.source == "orders" { "order" } else { "won deal" },
            params.margin,
            params.churn_days
        ),
        format!("新客户 = 期间内首次{}，其渠道为获客渠道；CAC = 费用 / 新客户数；LTV:CAC = CLTV / CAC；回本月数 = CAC / (每客户月收入 × 毛利率)", if p.source == "orders" { "下单" } else { "赢单" }),
    ));
    if !r.spend_only.is_empty() {
        let list = r.spend_only.join(", ");
        notes.push(Note::from(crate::tr!(
            "channels with spend but no new customers: {list}",
            "有费用但没有新客户的渠道：{list}"
        )));
    }
    if !r.customers_only.is_empty() {
        let list = r.customers_only.join(", ");
        notes.push(Note::from(crate::tr!(
            "channels with new customers but no spend recorded: {list}",
            "有新客户但没有费用记录的渠道：{list}"
        )));
    }
    let chart = a.out.chart.as_ref().map(|_| chart_of(&r, lang));
    let report = Report {
        tables: tables(&r)?,
        notes,
        title: Some(Note::new("Customer acquisition cost", "获客成本")),
    };
    Ok(Built { report, chart })
}

/// The spend rows of `--spend` (each on its period's first day) and the currencies they name.
/// A period that does not parse is refused with its file, row and value.
fn read_spend(
    a: &Args,
    ds: &load::Dataset,
    spend_file: &std::path::Path,
) -> Result<(Vec<Spend>, BTreeSet<String>)> {
    let sdf = load::side::read(
        spend_file,
        &a.load,
        Table::Spend,
        &["period", "channel", "spend", "currency"],
        &["period", "spend"],
    )?;
    let (per, chan, amt, cur) = (
        engine::coded(&sdf, "period")?,
        engine::coded(&sdf, "channel")?,
        engine::floats(&sdf, "spend")?,
        engine::coded(&sdf, "currency")?,
    );
    let mut spend = Vec::with_capacity(sdf.height());
    let mut currencies: BTreeSet<String> = BTreeSet::new();
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
        spend.push(Spend {
            day: day_of(crate::period::date_ms(start)),
            channel: chan.get(i).unwrap_or("(none)").to_string(),
            amount: v,
        });
        if let Some(c) = cur.get(i) {
            currencies.insert(c.to_string());
        }
    }
    Ok((spend, currencies))
}

/// Tables `cac` (per period and channel) and `summary` (per channel).
fn tables(r: &Cac) -> Result<Vec<ResultTable>> {
    let ps = &r.periods;
    let cac = TableBuilder::new("cac")
        .col(
            "period",
            Unit::Text,
            ps.iter().map(|x| x.period.clone()).collect::<Vec<_>>(),
        )
        .col(
            "channel",
            Unit::Text,
            ps.iter().map(|x| x.channel.clone()).collect::<Vec<_>>(),
        )
        .col(
            "spend",
            Unit::Money,
            ps.iter().map(|x| x.spend).collect::<Vec<_>>(),
        )
        .col(
            kpi::NEW_CUSTOMERS,
            Unit::Count,
            ps.iter()
                .map(|x| x.new_customers as i64)
                .collect::<Vec<_>>(),
        )
        .col(
            "cac",
            Unit::Money,
            ps.iter().map(|x| x.cac).collect::<Vec<_>>(),
        )
        .build()?;
    let cs = &r.channels;
    let summary = TableBuilder::new("summary")
        .col(
            "channel",
            Unit::Text,
            cs.iter().map(|x| x.channel.clone()).collect::<Vec<_>>(),
        )
        .col(
            "spend",
            Unit::Money,
            cs.iter().map(|x| x.spend).collect::<Vec<_>>(),
        )
        .col(
            kpi::NEW_CUSTOMERS,
            Unit::Count,
            cs.iter()
                .map(|x| x.new_customers as i64)
                .collect::<Vec<_>>(),
        )
        .col(
            "cac",
            Unit::Money,
            cs.iter().map(|x| x.cac).collect::<Vec<_>>(),
        )
        .col(
            "cltv",
            Unit::Money,
            cs.iter().map(|x| x.cltv).collect::<Vec<_>>(),
        )
        .col(
            "ltv_cac",
            Unit::Number,
            cs.iter().map(|x| x.ltv_cac).collect::<Vec<_>>(),
        )
        .col(
            "payback_months",
            Unit::Number,
            cs.iter().map(|x| x.payback_months).collect::<Vec<_>>(),
        )
        .build()?;
    Ok(vec![cac, summary])
}

/// LTV and CAC side by side per channel (the blended row left out).
fn chart_of(r: &Cac, lang: Lang) -> ChartSpec {
    let rs: Vec<_> = r.channels.iter().filter(|x| x.channel != ALL).collect();
    ChartSpec {
        lang,
        chart: Chart::Grouped {
            categories: rs.iter().map(|x| x.channel.clone()).collect(),
            series: vec![
                (
                    "LTV".into(),
                    rs.iter().map(|x| x.cltv.unwrap_or(0.0)).collect(),
                ),
                (
                    "CAC".into(),
                    rs.iter().map(|x| x.cac.unwrap_or(0.0)).collect(),
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
}
