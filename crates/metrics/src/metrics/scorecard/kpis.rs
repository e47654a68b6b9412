//! The scorecard's KPIs of one accumulator, and targets rolled up to the period.

use super::*;

/// The KPIs of one accumulator. Money KPIs are Some only when the group's money is in one
/// currency (or when `currency` names the one to show).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Kpis {
    pub deals_created: u64,
    pub won: u64,
    pub lost: u64,
    pub open: u64,
    pub win_rate: Option<f64>,
    pub win_rate_low: Option<f64>,
    pub win_rate_high: Option<f64>,
    pub n: u64,
    pub low_n: bool,
    pub won_amount: Option<f64>,
    pub avg_won_deal: Option<f64>,
    pub cycle_median_days: Option<f64>,
    pub cycle_p75_days: Option<f64>,
    pub open_pipeline: Option<f64>,
    pub weighted_pipeline: Option<f64>,
    pub new_customers: u64,
    pub sales_velocity: Option<f64>,
    pub currency: Option<String>,
}

/// The ids of the KPIs in [`Kpis`], as `check` rules and `--rank` name them.
pub const KPI_IDS: &[&str] = &[
    kpi::DEALS_CREATED,
    kpi::WON,
    kpi::LOST,
    kpi::OPEN,
    kpi::WIN_RATE,
    kpi::WIN_RATE_LOW,
    kpi::WIN_RATE_HIGH,
    kpi::WON_AMOUNT,
    kpi::AVG_WON_DEAL,
    kpi::CYCLE_MEDIAN_DAYS,
    kpi::CYCLE_P75_DAYS,
    kpi::OPEN_PIPELINE,
    kpi::WEIGHTED_PIPELINE,
    kpi::NEW_CUSTOMERS,
    kpi::SALES_VELOCITY,
];

impl Kpis {
    /// A KPI by id (one of [`KPI_IDS`]); None when undefined or unknown.
    pub fn get(&self, id: &str) -> Option<f64> {
        Some(match id {
            kpi::DEALS_CREATED => self.deals_created as f64,
            kpi::WON => self.won as f64,
            kpi::LOST => self.lost as f64,
            kpi::OPEN => self.open as f64,
            kpi::WIN_RATE => self.win_rate?,
            kpi::WIN_RATE_LOW => self.win_rate_low?,
            kpi::WIN_RATE_HIGH => self.win_rate_high?,
            kpi::WON_AMOUNT => self.won_amount?,
            kpi::AVG_WON_DEAL => self.avg_won_deal?,
            kpi::CYCLE_MEDIAN_DAYS => self.cycle_median_days?,
            kpi::CYCLE_P75_DAYS => self.cycle_p75_days?,
            kpi::OPEN_PIPELINE => self.open_pipeline?,
            kpi::WEIGHTED_PIPELINE => self.weighted_pipeline?,
            kpi::NEW_CUSTOMERS => self.new_customers as f64,
            kpi::SALES_VELOCITY => self.sales_velocity?,
            _ => return None,
        })
    }
}

/// Derive the KPIs in `currency` (the only currency of the data, or one of several).
pub fn kpis(a: &Acc, wr: WinRate, currency: &str) -> Kpis {
    let m = |x: &BTreeMap<String, f64>| x.get(currency).copied();
    let won_amount = m(&a.won_amount).or(Some(0.0));
    let (win_rate, n, lo_hi) = match wr {
        WinRate::Closed => {
            let n = a.won + a.lost;
            (
                (n > 0).then(|| a.won as f64 / n as f64),
                n,
                wilson95(a.won, n),
            )
        }
        WinRate::Created => {
            let n = a.deals_created;
            (
                (n > 0).then(|| a.created_won as f64 / n as f64),
                n,
                wilson95(a.created_won, n),
            )
        }
        WinRate::Value => {
            let w = m(&a.won_amount).unwrap_or(0.0);
            let l = m(&a.lost_amount).unwrap_or(0.0);
            let n = a.won + a.lost;
            ((w + l > 0.0).then(|| w / (w + l)), n, None)
        }
    };
    // With several currencies an average is per currency: that currency's won amount over its
    // own won deals. With one, over every won deal (as METRICS.md defines it).
    // (A currency with amounts but no won deal, such as EUR with only open deals, counts
    // 0 won deals: no average, where it used to divide 0 by every won deal and print 0.)
    let several = a
        .won_amount
        .keys()
        .chain(a.lost_amount.keys())
        .chain(a.open_pipeline.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        > 1;
    let won_n = if a.won_count.len() > 1 || several {
        a.won_count.get(currency).copied().unwrap_or(0.0)
    } else {
        a.won as f64
    };
    let avg = if won_n > 0.0 {
        won_amount.map(|w| w / won_n)
    } else {
        None
    };
    let med = quantile(&a.cycles, 0.5);
    let closed_wr = {
        let n = a.won + a.lost;
        (n > 0).then(|| a.won as f64 / n as f64)
    };
    let velocity = match (closed_wr, avg, med) {
        (Some(w), Some(v), Some(c)) if c > 0.0 => Some(a.open_qualified as f64 * w * v / c),
        _ => None,
    };
    Kpis {
        deals_created: a.deals_created,
        won: a.won,
        lost: a.lost,
        open: a.open,
        win_rate,
        win_rate_low: lo_hi.map(|x| x.0),
        win_rate_high: lo_hi.map(|x| x.1),
        n,
        low_n: n < 5,
        won_amount,
        avg_won_deal: avg,
        cycle_median_days: med,
        cycle_p75_days: quantile(&a.cycles, 0.75),
        open_pipeline: m(&a.open_pipeline).or(Some(0.0)),
        weighted_pipeline: m(&a.weighted_pipeline).or(Some(0.0)),
        new_customers: a.new_customers,
        sales_velocity: velocity,
        currency: Some(currency.to_string()),
    }
}

/// Target rolled to a period: each target period's amount spread evenly over its months, each
/// month's share spread evenly over its days, summed over the days inside [start, end).
pub fn rolled_target(target_periods: &[((i64, i64), f64)], period: Option<(i64, i64)>) -> f64 {
    let mut total = 0.0;
    for &((ts, te), amount) in target_periods {
        let Some((ps, pe)) = period else {
            total += amount;
            continue;
        };
        let months = month_starts(ts, te);
        if months.len() < 2 {
            continue;
        }
        let per_month = amount / (months.len() - 1) as f64;
        for w in months.windows(2) {
            let (ms, me) = (w[0], w[1]);
            let overlap = (me.min(pe) - ms.max(ps)).max(0) as f64;
            total += per_month * overlap / (me - ms) as f64;
        }
    }
    total
}

/// Month boundaries from ts to te (epoch ms at month starts), inclusive of te.
pub(crate) fn month_starts(ts: i64, te: i64) -> Vec<i64> {
    use chrono::Datelike;
    let (Some(s), Some(e)) = (crate::period::ms_to_date(ts), crate::period::ms_to_date(te)) else {
        return vec![];
    };
    let mut out = vec![];
    let mut d = s;
    while d < e {
        out.push(crate::period::date_ms(d));
        let (y, m) = if d.month() == 12 {
            (d.year() + 1, 1)
        } else {
            (d.year(), d.month() + 1)
        };
        d = chrono::NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(e);
    }
    out.push(crate::period::date_ms(e));
    out
}
