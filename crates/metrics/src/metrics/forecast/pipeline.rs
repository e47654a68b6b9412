//! The pipeline forecast (`forecast --method pipeline`): open deals weighted by their current
//! stage's win probability and bucketed by expected close period, beside the CRM's own
//! probability (docs/metrics.md, forecast, `--method pipeline`). Pure: a deal set and parameters
//! in.

use std::collections::{BTreeMap, BTreeSet};

use crate::columns::deals::DealSet;
use crate::columns::engine::NONE;
use crate::metrics::scorecard::{deal_win_probability, stage_win_probability};
use crate::metrics::series::TOTAL;
use crate::model::Status;
use crate::period::Freq;

/// Where a deal's expected close falls: before the first forecast period, in period `k`
/// (0-based) of the horizon, after it, or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bucket {
    Overdue,
    Period(usize),
    Later,
    NoExpectedClose,
}

/// One (group, bucket)'s open deals: count, amount (or count, for a count metric), amount x
/// stage win probability, amount x the CRM's own probability (when the export has one), and
/// the deals at a stage no closed deal reached (weighted 0).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Weighted {
    pub deals: u64,
    pub amount: f64,
    pub weighted: f64,
    pub crm_weighted: Option<f64>,
    pub unweighted_deals: u64,
}

/// What [`weigh`] found: per (group code, bucket) the weighted pipeline (group [`TOTAL`] is all
/// groups, kept only when grouped), and the counts its warnings and refusals need.
#[derive(Debug, Default)]
pub struct Pipeline {
    pub rows: BTreeMap<(u32, Bucket), Weighted>,
    /// Currencies of the open deals' amounts (revenue only).
    pub currencies: BTreeSet<String>,
    pub open: usize,
    pub no_close: usize,
    /// Open deals weighed (those with a value), and those among them with no win probability.
    pub weighed: usize,
    pub no_probability: usize,
    /// Lost deals counted at the first stage only (`WinProbability::lost_at_unknown_stage`).
    pub lost_at_unknown_stage: u64,
}

/// How [`weigh`] buckets and values open deals.
pub struct Params {
    /// Revenue (each deal's amount; deals without one are left out) or a count (1 per deal).
    pub revenue: bool,
    pub freq: Freq,
    /// Period index of the first forecast period, and the number of periods.
    pub first_period: i64,
    pub h: usize,
    /// Split by `group` (with a [`TOTAL`] row per bucket) or not.
    pub grouped: bool,
}

/// Weigh every open deal of `set`: `group[d]` is its group code, `crm[d]` the export's own
/// win probability if any.
pub fn weigh(set: &DealSet, group: &[u32], crm: &[Option<f64>], p: &Params) -> Pipeline {
    let winp = stage_win_probability(set);
    let has_crm = crm.iter().any(Option::is_some);
    let mut out = Pipeline::default();
    for d in 0..set.len() {
        if set.status(d) != Some(Status::Open) {
            continue;
        }
        out.open += 1;
        if set.expected_close.get(d).is_none() {
            out.no_close += 1;
        }
        let value = if p.revenue {
            match set.amount(d) {
                Some(a) => a,
                None => continue,
            }
        } else {
            1.0
        };
        if p.revenue && !set.currency(d).is_empty() {
            out.currencies.insert(set.currency(d).to_string());
        }
        out.weighed += 1;
        let prob = deal_win_probability(&winp, set, d);
        let bucket = match set
            .expected_close
            .get(d)
            .and_then(crate::period::ms_to_date)
        {
            None => Bucket::NoExpectedClose,
            Some(day) => {
                let i = p.freq.index(day) - p.first_period;
                if i < 0 {
                    Bucket::Overdue
                } else if i as usize >= p.h {
                    Bucket::Later
                } else {
                    Bucket::Period(i as usize)
                }
            }
        };
        let g = group.get(d).copied().unwrap_or(NONE);
        for key in [(g, bucket), (TOTAL, bucket)] {
            if !p.grouped && key.0 == TOTAL {
                continue;
            }
            let r = out.rows.entry(key).or_insert(Weighted {
                crm_weighted: has_crm.then_some(0.0),
                ..Default::default()
            });
            r.deals += 1;
            r.amount += value;
            match prob {
                Some(x) => r.weighted += value * x,
                None => r.unweighted_deals += 1,
            }
            if let (Some(c), Some(x)) = (r.crm_weighted.as_mut(), crm.get(d).copied().flatten()) {
                *c += value * x;
            }
        }
        if prob.is_none() {
            out.no_probability += 1;
        }
    }
    // Only open deals past the first stage have a probability those lost deals leave out.
    if crate::metrics::scorecard::open_past_first_stage(set) {
        out.lost_at_unknown_stage = winp.lost_at_unknown_stage;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    /// Stages Lead, Proposal. Closed deals: one won (it passed both stages), one lost at Lead.
    /// So Lead's win probability is 1 won of 2 closed that reached it = 0.5, and Proposal's
    /// 1 of 1 = 1.0. Open deals, forecasting the three months from 2026-11:
    /// 100 at Lead closing in November (weighted 50), 50 at Proposal closing in December (50),
    /// 20 at Lead closing in October (overdue, 10), 10 at Lead with no expected close (5), and
    /// 40 at Proposal closing in 2027-03 (later, 40). CRM probabilities 0.2 and 0.9 on the
    /// first two only.
    #[test]
    fn open_deals_weighted_by_stage_and_bucketed_by_expected_close() {
        let ms = |s: &str| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis()
        };
        let dt = |v: Vec<Option<i64>>, name: &str| {
            Column::new(name.into(), v)
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap()
        };
        let status = ["won", "lost", "open", "open", "open", "open", "open"];
        let stage = [
            "Proposal", "Lead", "Lead", "Proposal", "Lead", "Lead", "Proposal",
        ];
        let amount = [500.0, 70.0, 100.0, 50.0, 20.0, 10.0, 40.0];
        let close = [
            None,
            None,
            Some(ms("2026-11-20")),
            Some(ms("2026-12-05")),
            Some(ms("2026-10-01")),
            None,
            Some(ms("2027-03-01")),
        ];
        let df = DataFrame::new_infer_height(vec![
            Column::new("status".into(), status.to_vec()),
            Column::new("stage".into(), stage.to_vec()),
            Column::new("amount".into(), amount.to_vec()),
            Column::new("currency".into(), vec!["EUR"; 7]),
            dt(vec![Some(ms("2026-01-01")); 7], "created_at"),
            dt(
                vec![
                    Some(ms("2026-02-01")),
                    Some(ms("2026-03-01")),
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
                "closed_at",
            ),
            dt(close.to_vec(), "expected_close_at"),
        ])
        .unwrap();
        let pipelines = crate::columns::engine::Pipelines {
            lists: [(
                "default".to_string(),
                vec!["Lead".to_string(), "Proposal".to_string()],
            )]
            .into(),
            outcomes: Default::default(),
        };
        let set = DealSet::build(Some(&df), None, pipelines).unwrap();
        let crm = [None, None, Some(0.2), Some(0.9), None, None, None];
        let p = Params {
            revenue: true,
            freq: Freq::Month,
            first_period: Freq::Month.index(chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()),
            h: 3,
            grouped: false,
        };
        let out = weigh(&set, &[0; 7], &crm, &p);
        assert_eq!((out.open, out.no_close, out.no_probability), (5, 1, 0));
        assert_eq!(
            (out.weighed, out.lost_at_unknown_stage),
            (5, 0),
            "lost at Lead"
        );
        assert_eq!(out.currencies.iter().collect::<Vec<_>>(), ["EUR"]);
        let row = |b| out.rows[&(0, b)].clone();
        let w = |deals, amount, weighted, crm: Option<f64>| Weighted {
            deals,
            amount,
            weighted,
            crm_weighted: crm,
            unweighted_deals: 0,
        };
        assert_eq!(row(Bucket::Period(0)), w(1, 100.0, 50.0, Some(100.0 * 0.2)));
        assert_eq!(row(Bucket::Period(1)), w(1, 50.0, 50.0, Some(50.0 * 0.9)));
        assert_eq!(row(Bucket::Overdue), w(1, 20.0, 10.0, Some(0.0)));
        assert_eq!(row(Bucket::NoExpectedClose), w(1, 10.0, 5.0, Some(0.0)));
        assert_eq!(row(Bucket::Later), w(1, 40.0, 40.0, Some(0.0)));
        assert_eq!(out.rows.len(), 5, "no row for the empty January");
        // Grouped: a TOTAL row beside each group's; counted, not summed, for a count metric.
        let p = Params {
            revenue: false,
            grouped: true,
            ..p
        };
        let out = weigh(&set, &[0, 0, 0, 1, 1, 1, 1], &crm, &p);
        assert_eq!(out.rows[&(1, Bucket::Period(1))].amount, 1.0);
        assert_eq!(out.rows[&(TOTAL, Bucket::Period(0))].weighted, 0.5);
        assert!(out.currencies.is_empty());
    }

    /// A lost deal whose stage column shows only "Lost" and that has no history: the stage it
    /// was lost at is unknown, so it counts at the first stage only. Lead: D1 won and D2 lost
    /// reached it, 1/2; Proposal: D1 alone, 1/1. O1 (100 at Proposal) weighs 100, and the one
    /// lost deal is counted for the warning. With D1 gone, no closed deal reached Proposal: O1
    /// has no probability.
    #[test]
    fn lost_deals_at_an_unknown_stage_are_counted() {
        let dt = |v: Vec<Option<i64>>, name: &str| {
            Column::new(name.into(), v)
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap()
        };
        let frame = |status: &[&str], stage: &[&str], amount: &[f64]| {
            let n = status.len();
            DataFrame::new_infer_height(vec![
                Column::new("status".into(), status.to_vec()),
                Column::new("stage".into(), stage.to_vec()),
                Column::new("amount".into(), amount.to_vec()),
                dt(vec![Some(0); n], "created_at"),
                dt(vec![None; n], "expected_close_at"),
            ])
            .unwrap()
        };
        let pipelines = || crate::columns::engine::Pipelines {
            lists: [(
                "default".to_string(),
                vec!["Lead".to_string(), "Proposal".to_string()],
            )]
            .into(),
            outcomes: Default::default(),
        };
        let p = Params {
            revenue: true,
            freq: Freq::Month,
            first_period: 0,
            h: 1,
            grouped: false,
        };
        let df = frame(
            &["won", "lost", "open"],
            &["Won", "Lost", "Proposal"],
            &[5.0, 7.0, 100.0],
        );
        let set = DealSet::build(Some(&df), None, pipelines()).unwrap();
        let out = weigh(&set, &[0; 3], &[None; 3], &p);
        assert_eq!(
            (out.weighed, out.no_probability, out.lost_at_unknown_stage),
            (1, 0, 1)
        );
        assert_eq!(out.rows[&(0, Bucket::NoExpectedClose)].weighted, 100.0);
        let df = frame(&["lost", "open"], &["Lost", "Proposal"], &[7.0, 100.0]);
        let set = DealSet::build(Some(&df), None, pipelines()).unwrap();
        let out = weigh(&set, &[0; 2], &[None; 2], &p);
        assert_eq!(
            (out.weighed, out.no_probability, out.lost_at_unknown_stage),
            (1, 1, 1)
        );
        assert_eq!(out.rows[&(0, Bucket::NoExpectedClose)].weighted, 0.0);
    }
}
