//! Customer acquisition cost (METRICS.md "CAC"): new customers per period and channel against
//! that channel's spend, blended over channels, and per channel over all periods against the
//! simple CLTV (LTV:CAC, payback months). Purchases and spend in, typed rows out.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Datelike;

use crate::metrics::clv;

/// The row label of the blended figures (every channel).
pub const ALL: &str = "(all)";

/// How the periods are cut and what the simple CLTV assumes.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Quarters (`2026-Q1`) rather than months (`2026-01`).
    pub quarter: bool,
    /// Days without a purchase after which a customer counts as churned.
    pub churn_days: f64,
    /// Gross margin applied to revenue.
    pub margin: f64,
    /// The as-of day (days since 1970-01-01).
    pub as_of: i64,
}

/// One row of the spend table: the first day of its period, its channel, the amount.
#[derive(Debug, Clone, PartialEq)]
pub struct Spend {
    pub day: i64,
    pub channel: String,
    pub amount: f64,
}

/// New customers and spend of one (period, channel); the channel [`ALL`] is the period's blend.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRow {
    pub period: String,
    pub channel: String,
    /// `None`: no spend recorded for it (unlike a recorded 0).
    pub spend: Option<f64>,
    pub new_customers: u64,
    pub cac: Option<f64>,
}

/// One channel over all periods (the last row is [`ALL`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelRow {
    pub channel: String,
    pub spend: Option<f64>,
    pub new_customers: u64,
    pub cac: Option<f64>,
    pub cltv: Option<f64>,
    pub ltv_cac: Option<f64>,
    pub payback_months: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cac {
    /// Per period: each channel either side has, then the period's [`ALL`] row.
    pub periods: Vec<PeriodRow>,
    /// Per channel, sorted by name, then [`ALL`].
    pub channels: Vec<ChannelRow>,
    /// Channels with spend and no new customer, and the other way round.
    pub spend_only: Vec<String>,
    pub customers_only: Vec<String>,
}

/// The period label of a day number: `2026-03`, or `2026-Q1` by quarter.
pub(crate) fn period_label(day: i64, quarter: bool) -> String {
    match crate::period::ms_to_date(day * 86_400_000) {
        Some(d) if quarter => format!("{}-Q{}", d.year(), d.month0() / 3 + 1),
        Some(d) => format!("{}-{:02}", d.year(), d.month()),
        None => String::new(),
    }
}

fn cac_of(spend: Option<f64>, new: u64) -> Option<f64> {
    match spend {
        Some(s) if new > 0 => Some(s / new as f64),
        _ => None,
    }
}

/// CAC of `purchases` (customer, day, amount), whose channel `channel_of(index)` names, against
/// `spend`. A customer's first purchase is its acquisition: its period and its channel (the
/// earliest row wins a same-day tie).
pub fn compute(
    purchases: &[(u32, i64, f64)],
    channel_of: impl Fn(usize) -> String,
    spend: &[Spend],
    p: &Params,
) -> Cac {
    let mut first: HashMap<u32, (i64, usize)> = HashMap::new();
    let mut totals: HashMap<u32, clv::CustomerTotals> = HashMap::new();
    for (i, &(c, d, amt)) in purchases.iter().enumerate() {
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
    let mut spent: BTreeMap<(String, String), f64> = BTreeMap::new();
    for s in spend {
        *spent
            .entry((period_label(s.day, p.quarter), s.channel.clone()))
            .or_default() += s.amount;
    }
    let mut new: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut by_channel: BTreeMap<String, Vec<clv::CustomerTotals>> = BTreeMap::new();
    for (c, (d, i)) in clv::in_key_order(&first) {
        let ch = channel_of(i);
        *new.entry((period_label(d, p.quarter), ch.clone()))
            .or_default() += 1;
        by_channel.entry(ch).or_default().push(totals[&c]);
    }
    let rows = period_rows(&spent, &new);
    // Per channel over all periods, with the simple CLTV over the whole purchase window.
    let min_day = purchases.iter().map(|r| r.1).min().unwrap_or(p.as_of);
    let window = (p.as_of - min_day) as f64 + 1.0;
    let channels: BTreeSet<String> = spent
        .keys()
        .map(|k| k.1.clone())
        .chain(by_channel.keys().cloned())
        .collect();
    let all: Vec<clv::CustomerTotals> = clv::in_key_order(&totals)
        .into_iter()
        .map(|e| e.1)
        .collect();
    let row = |channel: String, s: Option<f64>, cust: &[clv::CustomerTotals]| {
        let m = clv::simple(cust, p.as_of, window, p.churn_days, p.margin);
        let n = cust.len() as u64;
        let cac = cac_of(s, n);
        let monthly = m.monthly_revenue_per_customer * p.margin;
        ChannelRow {
            channel,
            spend: s,
            new_customers: n,
            cac,
            cltv: m.cltv,
            ltv_cac: match (m.cltv, cac) {
                (Some(l), Some(c)) if c > 0.0 => Some(l / c),
                _ => None,
            },
            payback_months: cac.filter(|_| monthly > 0.0).map(|c| c / monthly),
        }
    };
    let mut per_channel: Vec<ChannelRow> = channels
        .iter()
        .map(|c| {
            let s = spent
                .iter()
                .filter(|(k, _)| &k.1 == c)
                .map(|(_, v)| *v)
                .reduce(|x, y| x + y);
            row(
                c.clone(),
                s,
                by_channel.get(c).map_or(&[][..], |v| v.as_slice()),
            )
        })
        .collect();
    let total: f64 = spent.values().sum();
    per_channel.push(row(ALL.into(), (!spent.is_empty()).then_some(total), &all));
    Cac {
        periods: rows,
        channels: per_channel,
        spend_only: channels
            .iter()
            .filter(|c| !by_channel.contains_key(*c))
            .cloned()
            .collect(),
        customers_only: channels
            .iter()
            .filter(|c| !spent.keys().any(|k| &k.1 == *c))
            .cloned()
            .collect(),
    }
}

/// Per period: each channel either side has (spend, new customers), then the period's blend.
fn period_rows(
    spent: &BTreeMap<(String, String), f64>,
    new: &BTreeMap<(String, String), u64>,
) -> Vec<PeriodRow> {
    let keys: BTreeSet<(String, String)> = spent.keys().chain(new.keys()).cloned().collect();
    let periods: BTreeSet<&String> = keys.iter().map(|k| &k.0).collect();
    let mut rows = Vec::with_capacity(keys.len() + periods.len());
    for period in periods {
        let (mut ps, mut pn, mut any_spend) = (0.0, 0u64, false);
        for k in keys.iter().filter(|k| &k.0 == period) {
            let s = spent.get(k).copied();
            let n = new.get(k).copied().unwrap_or(0);
            rows.push(PeriodRow {
                period: k.0.clone(),
                channel: k.1.clone(),
                spend: s,
                new_customers: n,
                cac: cac_of(s, n),
            });
            ps += s.unwrap_or(0.0);
            any_spend |= s.is_some();
            pn += n;
        }
        let s = any_spend.then_some(ps);
        rows.push(PeriodRow {
            period: period.clone(),
            channel: ALL.into(),
            spend: s,
            new_customers: pn,
            cac: cac_of(s, pn),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i64 {
        let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days()
    }

    /// Worked by hand. Customers: 1 (ads, 2026-01-10, again 2026-02-05 by email: the first
    /// purchase's channel counts), 2 (ads, 2026-01-20), 3 (email, 2026-02-14). Spend: ads 300
    /// in January, email 100 in February, events 50 in February (no customer).
    /// January: ads 300 / 2 = 150; February: email 100 / 1 = 100, events 50 / 0 = none,
    /// blended 150 / 1 = 150. Per channel: ads 300 / 2 = 150, email 100 / 1, events none;
    /// blended 450 / 3 = 150.
    #[test]
    fn cac_per_period_channel_and_blended_by_hand() {
        let purchases = [
            (1, day("2026-01-10"), 100.0),
            (2, day("2026-01-20"), 50.0),
            (1, day("2026-02-05"), 70.0),
            (3, day("2026-02-14"), 30.0),
        ];
        let chan = ["ads", "ads", "email", "email"];
        let spend = [
            Spend {
                day: day("2026-01-01"),
                channel: "ads".into(),
                amount: 300.0,
            },
            Spend {
                day: day("2026-02-01"),
                channel: "email".into(),
                amount: 100.0,
            },
            Spend {
                day: day("2026-02-01"),
                channel: "events".into(),
                amount: 50.0,
            },
        ];
        let p = Params {
            quarter: false,
            churn_days: 365.0,
            margin: 1.0,
            as_of: day("2026-02-28"),
        };
        let r = compute(&purchases, |i| chan[i].to_string(), &spend, &p);
        let got: Vec<(&str, &str, Option<f64>, u64, Option<f64>)> = r
            .periods
            .iter()
            .map(|x| {
                (
                    x.period.as_str(),
                    x.channel.as_str(),
                    x.spend,
                    x.new_customers,
                    x.cac,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("2026-01", "ads", Some(300.0), 2, Some(150.0)),
                ("2026-01", ALL, Some(300.0), 2, Some(150.0)),
                ("2026-02", "email", Some(100.0), 1, Some(100.0)),
                ("2026-02", "events", Some(50.0), 0, None),
                ("2026-02", ALL, Some(150.0), 1, Some(150.0)),
            ]
        );
        let ch: Vec<(&str, Option<f64>, u64, Option<f64>)> = r
            .channels
            .iter()
            .map(|x| (x.channel.as_str(), x.spend, x.new_customers, x.cac))
            .collect();
        assert_eq!(
            ch,
            vec![
                ("ads", Some(300.0), 2, Some(150.0)),
                ("email", Some(100.0), 1, Some(100.0)),
                ("events", Some(50.0), 0, None),
                (ALL, Some(450.0), 3, Some(150.0)),
            ]
        );
        assert_eq!(r.spend_only, vec!["events".to_string()]);
        assert!(r.customers_only.is_empty());
        // Payback, blended: revenue 250 over 3 customers; the window runs from the first
        // purchase to as-of, 2026-01-10 to 2026-02-28 inclusive = 50 days = 50 / 30.4375
        // months; monthly revenue per customer = 250 / 3 / (50 / 30.4375) = 50.729...;
        // payback = 150 / 50.729 = 2.9569 months (margin 1).
        let blended = r.channels.last().unwrap();
        let monthly = 250.0 / 3.0 / (50.0 / 30.4375);
        assert!((blended.payback_months.unwrap() - 150.0 / monthly).abs() < 1e-9);
        assert!((blended.payback_months.unwrap() - 2.9569).abs() < 1e-4);
    }

    #[test]
    fn quarters_label_and_customers_without_spend_are_named() {
        assert_eq!(period_label(day("2026-05-31"), true), "2026-Q2");
        assert_eq!(period_label(day("2026-05-31"), false), "2026-05");
        let p = Params {
            quarter: true,
            churn_days: 365.0,
            margin: 0.5,
            as_of: day("2026-06-30"),
        };
        let r = compute(&[(7, day("2026-04-02"), 10.0)], |_| "web".into(), &[], &p);
        assert_eq!(r.customers_only, vec!["web".to_string()]);
        assert_eq!(r.periods[0].spend, None);
        assert_eq!(r.periods[0].cac, None);
        assert_eq!(r.channels.last().unwrap().spend, None);
    }
}
