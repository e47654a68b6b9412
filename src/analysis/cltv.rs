//! `salesctl cltv INPUT`: what customers are worth.
//!
//! `--model simple` (default): tables `cltv` (overall or per `--by` group).
//! `--model bgnbd`: tables `fit` (parameters, log-likelihood, customers, convergence) and
//! `customers` (per customer: frequency, recency, T, P(alive), expected purchases, expected
//! average order value, discounted CLV), sorted by CLV.

use std::collections::{BTreeMap, HashMap};

use crate::analysis::{self, Built, parse_duration_days};
use crate::columns::engine;
use crate::error::{Error, Result};
use crate::load::{self};
use crate::metrics::clv::{self, Rfm};
use crate::metrics::valuation;
use crate::period::Freq;

use crate::output::chart::{Chart, ChartSpec};
use crate::output::{self, Note, Report, TableBuilder, Unit};
use crate::text::Lang;

use crate::analysis::{Purchases, day_of, flag_error, purchases};
pub(crate) use crate::cli::cltv::Args;

/// Customer lifetime value of a loaded input.
pub(crate) fn build(a: &Args, ds: &load::Dataset) -> Result<Built> {
    let lang = analysis::lang(&a.out, ds)?;
    let p = purchases(ds, a.by.as_deref())?;
    if p.rows.is_empty() {
        let source = p.source;
        let source_zh = if source == "orders" {
            "订单"
        } else {
            "赢单商机"
        };
        return Err(Error::input(crate::tr!(
            "no purchases in the {source} (after excluding cancellations and rows without customer or date)",
            "{source_zh}中没有购买记录（已排除取消/退货，以及缺少客户或日期的行）"
        )));
    }
    let mut notes = analysis::base_notes(ds, None, "ordered_at");
    notes.push(Note::new(
        format!("purchases from {}: {} rows; {} cancellations/returns excluded; {} without a customer id and {} without a date left out", p.source, p.rows.len(), p.cancelled, p.no_customer, p.no_date),
        format!("购买记录来自{}：{} 行；排除取消/退货 {} 行；缺少客户 {} 行、缺少日期 {} 行未计入", if p.source == "orders" { "订单" } else { "赢单商机" }, p.rows.len(), p.cancelled, p.no_customer, p.no_date),
    ));
    if p.currencies.len() > 1 {
        let list = p.currencies.keys().cloned().collect::<Vec<_>>().join(", ");
        return Err(Error::input(crate::tr!(
            "purchases in several currencies ({list}); CLV is never summed across currencies: convert with --fx FILE",
            "购买记录涉及多个币种（{list}）；CLV 从不跨币种相加：请用 --fx FILE 换算"
        )));
    }
    let as_of_day = day_of(crate::period::date_ms(ds.as_of));
    let report = if a.model == crate::cli::cltv::CltvModel::Simple {
        simple(a, &p, as_of_day, &mut notes)?
    } else {
        bgnbd(a, p, as_of_day, ds.calendar().week_start, &mut notes, lang)?
    };
    let (tables, chart) = report;
    let report = Report {
        tables,
        notes,
        title: Some(Note::new("Customer lifetime value", "客户终身价值")),
    };
    Ok(Built { report, chart })
}

type Out = (Vec<output::ResultTable>, Option<ChartSpec>);

/// The simple model, overall or per group.
fn simple(a: &Args, p: &Purchases, as_of: i64, notes: &mut Vec<Note>) -> Result<Out> {
    let churn_days =
        parse_duration_days(&a.churn_after).map_err(|e| flag_error("--churn-after", e))?;
    // Group of each purchase: the --by field, or the cohort (year of the customer's first order).
    let mut first: HashMap<u32, i64> = HashMap::new();
    for &(c, d, _) in &p.rows {
        let e = first.entry(c).or_insert(d);
        *e = (*e).min(d);
    }
    let group_of = |i: usize| -> String {
        match a.by.as_deref() {
            None => "(all)".to_string(),
            Some("cohort") => {
                let d = first[&p.rows[i].0];
                crate::period::ms_to_date(d * 86_400_000)
                    .map_or_else(String::new, |x| x.format("%Y").to_string())
            }
            Some(_) => {
                let g = p.group[i];
                if g == engine::NONE {
                    "(none)".to_string()
                } else {
                    p.group_names[g as usize].clone()
                }
            }
        }
    };
    let mut groups: BTreeMap<String, HashMap<u32, clv::CustomerTotals>> = BTreeMap::new();
    let min_day = p.rows.iter().map(|r| r.1).min().unwrap_or(as_of);
    for (i, &(c, d, amt)) in p.rows.iter().enumerate() {
        let e = groups
            .entry(group_of(i))
            .or_default()
            .entry(c)
            .or_insert((0, 0.0, d, d));
        e.0 += 1;
        e.1 += amt;
        e.2 = e.2.min(d);
        e.3 = e.3.max(d);
    }
    let window = (as_of - min_day) as f64 + 1.0;
    let years = window / 365.25;
    let mut t = TableBuilder::new("cltv");
    let (
        mut key,
        mut cust,
        mut orders,
        mut rev,
        mut aov,
        mut freq,
        mut repeat,
        mut churn,
        mut life,
        mut value,
    ) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    for (k, g) in &groups {
        let totals: Vec<clv::CustomerTotals> =
            clv::in_key_order(g).into_iter().map(|e| e.1).collect();
        let m = clv::simple(&totals, as_of, window, churn_days, a.margin);
        key.push(k.clone());
        cust.push(m.customers as i64);
        orders.push(m.orders as i64);
        rev.push(m.revenue);
        aov.push(m.aov);
        freq.push(m.purchases_per_year);
        repeat.push(m.repeat_purchase_rate);
        churn.push(m.annual_churn);
        life.push(m.lifespan_years);
        value.push(m.cltv);
    }
    t.col(a.by.as_deref().unwrap_or("group"), Unit::Text, key)
        .col("customers", Unit::Count, cust)
        .col("orders", Unit::Count, orders)
        .col("revenue", Unit::Money, rev)
        .col("aov", Unit::Money, aov)
        .col("purchases_per_year", Unit::Number, freq)
        .col("repeat_purchase_rate", Unit::Ratio, repeat)
        .col("annual_churn", Unit::Ratio, churn)
        .col("lifespan_years", Unit::Number, life)
        .col("cltv", Unit::Money, value);
    notes.push(Note::new(
        format!(
            "model simple: cltv = aov x purchases_per_year x lifespan_years x margin ({}); window {:.2} years to as-of; churned = no order in the {churn_days} days before as-of, among customers first seen at least that long ago, per year; lifespan = 1 / annual churn",
            a.margin, years
        ),
        format!("模型 simple：CLTV = 客单价 × 年购买次数 × 生命周期(年) × 毛利率 ({})；流失 = 截至日前 {churn_days} 天无订单", a.margin),
    ));
    Ok((vec![t.build()?], None))
}

/// The calendar period of a day number (days since 1970-01-01) for `--periods`: the day
/// itself, or forecast's period index (weeks from the config's week_start, Monday unless set;
/// calendar months).
fn period_number(day: i64, unit: &str, week_start: chrono::Weekday) -> i64 {
    let freq = match unit {
        "week" => Freq::Week(week_start),
        "month" => Freq::Month,
        _ => return day,
    };
    crate::period::ms_to_date(day * 86_400_000).map_or(day, |d| freq.index(d))
}

fn bgnbd(
    a: &Args,
    mut p: Purchases,
    as_of: i64,
    week_start: chrono::Weekday,
    notes: &mut Vec<Note>,
    lang: Lang,
) -> Result<Out> {
    let unit_days = match a.unit.as_str() {
        "day" => 1.0,
        "month" => 365.25 / 12.0,
        _ => 7.0,
    };
    let horizon_days = parse_duration_days(&a.horizon).map_err(|e| flag_error("--horizon", e))?;
    let months = (horizon_days / (365.25 / 12.0)).round().max(1.0) as usize;
    let _t = crate::timing::span("cltv: rfm");
    let data: Vec<Rfm> = if a.periods {
        // Each purchase on its period's number, times in periods. As in lifetimes, the whole
        // period holding the calibration end counts, days after it included.
        let mut rows: Vec<(u32, i64, f64)> = p
            .rows
            .iter()
            .map(|&(c, d, amt)| (c, period_number(d, a.unit.as_str(), week_start), amt))
            .collect();
        clv::rfm(
            &mut rows,
            &p.names,
            period_number(as_of, a.unit.as_str(), week_start),
            1.0,
        )
    } else {
        clv::rfm(&mut p.rows, &p.names, as_of, unit_days)
    };
    drop(_t);
    let params = valuation::Params {
        model: if a.model == crate::cli::cltv::CltvModel::Pareto {
            valuation::Model::ParetoNbd
        } else {
            valuation::Model::BgNbd
        },
        unit_days,
        horizon: horizon_days / unit_days,
        months,
        discount: a.discount,
        margin: a.margin,
    };
    let mut v = valuation::value(&data, &params)?;
    let fit = fit_table(a.model.as_str(), &v.fit, data.len())?;
    let mut rows = std::mem::take(&mut v.customers);
    let _t = crate::timing::span("cltv: tables");
    let total: f64 = rows.iter().map(|r| r.clv).sum();
    let values: Vec<f64> = rows.iter().map(|r| r.clv).collect();
    if let Some(n) = a.top {
        rows.truncate(n);
    }
    let customers = customers_table(&rows, &data)?;
    notes.push(fit_note(a, &v.fit, data.len(), as_of, months, total));
    // The per-customer table (thousands of rows) is printed on a terminal or in Markdown only
    // when asked for (--customers, --top, --table); JSON, XLSX and -o DIR/ carry every table.
    let human = matches!(
        a.out.resolve_format(),
        Ok(crate::output::format::Format::Table | crate::output::format::Format::Md)
    ) && !a
        .out
        .output
        .as_ref()
        .is_some_and(|p| p.is_dir() || p.to_string_lossy().ends_with('/'));
    let mut tables = if a.customers {
        vec![customers, fit]
    } else if human && a.top.is_none() && a.out.table.is_none() {
        notes.push(Note::new(
            "per-customer table not printed: --customers prints it, --top N the N most valuable",
            "未打印逐客户表：--customers 打印，--top N 打印价值最高的 N 个",
        ));
        vec![fit]
    } else {
        vec![fit, customers]
    };
    let mut scatter: Option<Vec<(f64, f64)>> = None;
    if let Some(hd) = &a.holdout {
        let hdays = parse_duration_days(hd).map_err(|e| flag_error("--holdout", e))?;
        let end = as_of + hdays.round() as i64;
        // Actual repeat purchase days in (as-of, as-of + holdout], same-day purchases once.
        let mut days: HashMap<&str, std::collections::BTreeSet<i64>> = HashMap::new();
        for &(c, d, _) in &p.rows {
            if d > as_of && d <= end {
                days.entry(p.names[c as usize].as_str())
                    .or_default()
                    .insert(d);
            }
        }
        let buckets = v.holdout(
            &data,
            |i| days.get(data[i].customer.as_str()).map_or(0, |s| s.len()),
            hdays / unit_days,
        );
        scatter = Some(
            buckets
                .iter()
                .map(|b| {
                    (
                        b.predicted / b.customers as f64,
                        b.actual / b.customers as f64,
                    )
                })
                .collect(),
        );
        tables.push(holdout_table(&buckets)?);
        notes.push(Note::new(
            format!("holdout: repeat purchase days in the {hdays} days after the calibration end, predicted by the model vs actual, per calibration frequency"),
            format!("留出期：校准期结束后 {hdays} 天内的复购天数，模型预测对比实际，按校准期复购次数分组"),
        ));
    }
    let chart = a
        .out
        .chart
        .as_ref()
        .map(|_| bgnbd_chart(scatter, values, lang));
    Ok((tables, chart))
}

/// The `fit` table: the model's four parameters and Gamma-Gamma's three, each with the
/// log-likelihood, customers, iterations and convergence of its fit.
fn fit_table(mname: &str, f: &valuation::Fit, n: usize) -> Result<output::ResultTable> {
    let (names, params) = (f.names, f.params);
    let (ll, gll) = (f.log_likelihood, f.gg_log_likelihood);
    let gg = &f.gamma_gamma;
    let both = |m: i64, g: i64| -> Vec<i64> { vec![m; 4].into_iter().chain(vec![g; 3]).collect() };
    let models: Vec<String> = [mname; 4]
        .into_iter()
        .chain(["gamma_gamma"; 3])
        .map(str::to_string)
        .collect();
    let parameters: Vec<String> = [names[0], names[1], names[2], names[3], "p", "q", "gamma"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let converged: Vec<bool> = vec![f.converged; 4]
        .into_iter()
        .chain(vec![f.gg_converged; 3])
        .collect();
    TableBuilder::new("fit")
        .col("model", Unit::Text, models)
        .col("parameter", Unit::Text, parameters)
        .col(
            "value",
            Unit::Number,
            vec![
                params[0], params[1], params[2], params[3], gg.p, gg.q, gg.gamma,
            ],
        )
        .col(
            "log_likelihood",
            Unit::Number,
            vec![ll, ll, ll, ll, gll, gll, gll],
        )
        .col(
            "customers",
            Unit::Count,
            both(n as i64, f.repeat_buyers as i64),
        )
        .col(
            "iterations",
            Unit::Count,
            both(f.iterations as i64, f.gg_iterations as i64),
        )
        .col("converged", Unit::Bool, converged)
        .build()
}

/// The `customers` table: each customer's RFM summary and value, in `rows`' order.
fn customers_table(rows: &[valuation::CustomerValue], data: &[Rfm]) -> Result<output::ResultTable> {
    let of = |f: fn(&Rfm) -> f64| -> Vec<f64> { rows.iter().map(|r| f(&data[r.index])).collect() };
    let val =
        |f: fn(&valuation::CustomerValue) -> f64| -> Vec<f64> { rows.iter().map(f).collect() };
    let ids: Vec<String> = rows
        .iter()
        .map(|r| data[r.index].customer.clone())
        .collect();
    TableBuilder::new("customers")
        .col("customer_id", Unit::Text, ids)
        .col("frequency", Unit::Number, of(|d| d.x))
        .col("recency", Unit::Number, of(|d| d.t_x))
        .col("t", Unit::Number, of(|d| d.t))
        .col("monetary", Unit::Money, of(|d| d.monetary))
        .col("p_alive", Unit::Ratio, val(|r| r.p_alive))
        .col(
            "expected_purchases",
            Unit::Number,
            val(|r| r.expected_purchases),
        )
        .col("expected_aov", Unit::Money, val(|r| r.expected_aov))
        .col("clv", Unit::Money, val(|r| r.clv))
        .build()
}

/// The note stating the fit: parameters, likelihoods, convergence, unit, horizon, total CLV.
fn fit_note(a: &Args, f: &valuation::Fit, n: usize, as_of: i64, months: usize, total: f64) -> Note {
    let (mname, names, params, ll) = (a.model.as_str(), f.names, f.params, f.log_likelihood);
    let gg = &f.gamma_gamma;
    let n_rep = f.repeat_buyers;
    let said = |ok: bool| if ok { "converged" } else { "NOT converged" };
    Note::new(
        format!(
            "model {}: {}={:.4} {}={:.4} {}={:.4} {}={:.4} (LL {:.2}, {} customers, {}); Gamma-Gamma p={:.4} q={:.4} gamma={:.4} ({} repeat buyers, {}); unit {}, calibration end {} included; horizon {} months, monthly discount {}, margin {}; total CLV {:.2}",
            mname,
            names[0],
            params[0],
            names[1],
            params[1],
            names[2],
            params[2],
            names[3],
            params[3],
            ll,
            n,
            said(f.converged),
            gg.p,
            gg.q,
            gg.gamma,
            n_rep,
            said(f.gg_converged),
            a.unit,
            crate::period::ms_to_date(as_of * 86_400_000)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            months,
            a.discount,
            a.margin,
            total
        ),
        format!(
            "模型 {mname}：参数 {:.4} {:.4} {:.4} {:.4}（对数似然 {:.2}，{} 个客户）；Gamma-Gamma p={:.4} q={:.4} gamma={:.4}（{} 个复购客户）；总 CLV {:.2}",
            params[0], params[1], params[2], params[3], ll, n, gg.p, gg.q, gg.gamma, n_rep, total
        ),
    )
}

/// The `holdout` table: per calibration frequency (7 and over as "7+") and in all, the
/// customers, predicted and actual repeat purchase days, and both per customer.
fn holdout_table(buckets: &[valuation::HoldoutBucket]) -> Result<output::ResultTable> {
    let total = buckets.iter().fold((0u64, 0.0, 0.0), |t, b| {
        (t.0 + b.customers, t.1 + b.predicted, t.2 + b.actual)
    });
    let mut label: Vec<String> = buckets
        .iter()
        .map(|b| match b.frequency {
            7 => "7+".to_string(),
            k => k.to_string(),
        })
        .collect();
    label.push("(all)".into());
    let rows: Vec<(u64, f64, f64)> = buckets
        .iter()
        .map(|b| (b.customers, b.predicted, b.actual))
        .chain(std::iter::once(total))
        .collect();
    let col = |f: fn(&(u64, f64, f64)) -> f64| -> Vec<f64> { rows.iter().map(f).collect() };
    let customers: Vec<i64> = rows.iter().map(|r| r.0 as i64).collect();
    let actual: Vec<i64> = rows.iter().map(|r| r.2 as i64).collect();
    TableBuilder::new("holdout")
        .col("frequency", Unit::Text, label)
        .col("customers", Unit::Count, customers)
        .col("predicted", Unit::Number, col(|r| r.1))
        .col("actual", Unit::Number, actual)
        .col(
            "predicted_per_customer",
            Unit::Number,
            col(|r| r.1 / r.0 as f64),
        )
        .col(
            "actual_per_customer",
            Unit::Number,
            col(|r| r.2 / r.0 as f64),
        )
        .build()
}

/// The holdout's calibration scatter when there is a holdout, else the histogram of CLV.
fn bgnbd_chart(scatter: Option<Vec<(f64, f64)>>, values: Vec<f64>, lang: Lang) -> ChartSpec {
    match scatter {
        Some(points) => ChartSpec {
            lang,
            chart: Chart::Scatter { points },
            title: match lang {
                Lang::En => {
                    "Holdout: predicted vs actual purchases per customer, by frequency".into()
                }
                Lang::ZhCn => "留出期：每客户预测与实际购买次数（按复购次数）".into(),
            },
            x_label: "predicted".into(),
            y_label: "actual".into(),
        },
        None => ChartSpec {
            lang,
            chart: Chart::Histogram { values, bins: 30 },
            title: match lang {
                Lang::En => "CLV per customer".into(),
                Lang::ZhCn => "每个客户的 CLV".into(),
            },
            x_label: "CLV".into(),
            y_label: match lang {
                Lang::En => "customers".into(),
                Lang::ZhCn => "客户数".into(),
            },
        },
    }
}
