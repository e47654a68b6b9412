//! A target split (docs/metrics.md "Target plans"): a total in cents over groups by their weights, then
//! each group's share over months by the monthly profile, by largest remainder so that every
//! sum of parts is exact; and the gap of each month's target to its forecast.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::columns::engine::{Coded, NONE};
use crate::model::Status;

/// Split `total` cents over `weights` (non-negative, not all zero) by largest remainder: the parts
/// add up to `total` exactly; ties go to the earlier part.
pub fn apportion(total: i64, weights: &[f64]) -> Vec<i64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let raw: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<i64> = raw.iter().map(|r| r.floor() as i64).collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = raw[a] - raw[a].floor();
        let fb = raw[b] - raw[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    let mut i = 0;
    while left > 0 && !order.is_empty() {
        parts[order[i % order.len()]] += 1;
        left -= 1;
        i += 1;
    }
    // Floating-point floors can overshoot by a cent on huge totals: take it back from the parts
    // with the smallest fractions.
    let mut j = order.len();
    while left < 0 && j > 0 {
        j -= 1;
        if parts[order[j]] > 0 {
            parts[order[j]] -= 1;
            left += 1;
        }
    }
    parts
}

/// A total split over groups and months, in cents.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The months' weights used: the profile, or 1 each when the profile sums to zero.
    pub month_weights: Vec<f64>,
    /// True when the profile summed to zero and months share evenly.
    pub(crate) months_even: bool,
    /// Each group's share of the total.
    pub per_group: Vec<i64>,
    /// `cells[group][month]`: each group's share over the months.
    pub cells: Vec<Vec<i64>>,
    /// The team's target per month (the sum over groups).
    pub per_month: Vec<i64>,
    /// Forecast minus target per month, in currency units, and its running sum.
    pub gaps: Vec<f64>,
    pub cumulative_gaps: Vec<f64>,
}

/// The months' weights of a forecast profile (negatives count as 0), and whether they fell
/// back to 1 each because the profile sums to zero.
pub fn month_weights(profile: &[f64]) -> (Vec<f64>, bool) {
    let w: Vec<f64> = profile.iter().map(|v| v.max(0.0)).collect();
    if w.iter().sum::<f64>() <= 0.0 {
        (vec![1.0; profile.len()], true)
    } else {
        (w, false)
    }
}

/// Split `total_cents` over groups by `group_weights` (not all zero), then each group's share
/// over months by `profile` (the forecast per month, negatives counted as 0).
pub fn split(total_cents: i64, profile: &[f64], group_weights: &[f64]) -> Split {
    let (month_weights, months_even) = month_weights(profile);
    let per_group = apportion(total_cents, group_weights);
    let cells: Vec<Vec<i64>> = per_group
        .iter()
        .map(|c| apportion(*c, &month_weights))
        .collect();
    let per_month: Vec<i64> = (0..profile.len())
        .map(|k| cells.iter().map(|c| c[k]).sum())
        .collect();
    let mut cum = 0.0;
    let mut cumulative_gaps = Vec::with_capacity(profile.len());
    let gaps: Vec<f64> = (0..profile.len())
        .map(|k| {
            let gap = profile[k].max(0.0) - per_month[k] as f64 / 100.0;
            cum += gap;
            cumulative_gaps.push(cum);
            gap
        })
        .collect();
    Split {
        month_weights,
        months_even,
        per_group,
        cells,
        per_month,
        gaps,
        cumulative_gaps,
    }
}

/// A group's name: its value, or `(none)` for rows without one.
fn group_name(code: u32, values: &[String]) -> String {
    if code == NONE {
        "(none)".to_string()
    } else {
        values[code as usize].clone()
    }
}

/// `--split pipeline`'s basis: each group's open pipeline (the amounts of open deals; every
/// group present, 0 without open deals), and the currencies those amounts are in.
pub fn open_pipeline_basis(
    status: &Coded,
    amount: &[Option<f64>],
    group: &Coded,
    currency: &Coded,
) -> (BTreeMap<String, f64>, BTreeSet<String>) {
    let mut basis: BTreeMap<String, f64> = BTreeMap::new();
    let mut currencies = BTreeSet::new();
    for (i, a) in amount.iter().enumerate() {
        let e = basis
            .entry(group_name(group.codes[i], &group.values))
            .or_default();
        if status.get(i) == Some(Status::Open.as_str()) {
            *e += a.unwrap_or(0.0);
            if let Some(c) = currency.get(i).filter(|c| !c.is_empty()) {
                currencies.insert(c.to_string());
            }
        }
    }
    (basis, currencies)
}

/// `--split history`'s basis: each group's won revenue dated in [`lo`, `hi`) from the dated
/// values `rows` (day as epoch ms, value, group code into `groups`); every group present.
pub fn won_revenue_basis(
    rows: &[(i64, f64, u32)],
    groups: &[String],
    lo: NaiveDate,
    hi: NaiveDate,
) -> BTreeMap<String, f64> {
    let mut basis: BTreeMap<String, f64> = groups.iter().map(|g| (g.clone(), 0.0)).collect();
    for (ms, v, g) in rows {
        let e = basis.entry(group_name(*g, groups)).or_default();
        let Some(d) = crate::period::ms_to_date(*ms) else {
            continue;
        };
        if d >= lo && d < hi {
            *e += v;
        }
    }
    basis
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_adds_up_exactly() {
        // 100 cents in thirds: 33.33.. each, the first gets the extra cent.
        assert_eq!(apportion(100, &[1.0, 1.0, 1.0]), vec![34, 33, 33]);
        assert_eq!(apportion(1000, &[3.0, 1.0]), vec![750, 250]);
        assert_eq!(apportion(7, &[0.0, 2.0]), vec![0, 7]);
        assert_eq!(apportion(5, &[0.0, 0.0]), vec![0, 0]);
    }

    /// Worked by hand: 1,000.00 over groups 3:1 = 750.00 and 250.00; months by forecast
    /// 100 : 300 : -50 (counted 0) = 1/4, 3/4, 0. Group A: 187.50, 562.50, 0; group B: 62.50,
    /// 187.50, 0. Team per month 250, 750, 0; gaps 100 - 250 = -150, 300 - 750 = -450,
    /// 0 - 0 = 0; running -150, -600, -600.
    #[test]
    fn split_over_groups_then_months_by_hand() {
        let s = split(100_000, &[100.0, 300.0, -50.0], &[3.0, 1.0]);
        assert!(!s.months_even);
        assert_eq!(s.per_group, vec![75_000, 25_000]);
        assert_eq!(
            s.cells,
            vec![vec![18_750, 56_250, 0], vec![6_250, 18_750, 0]]
        );
        assert_eq!(s.per_month, vec![25_000, 75_000, 0]);
        assert_eq!(s.gaps, vec![-150.0, -450.0, 0.0]);
        assert_eq!(s.cumulative_gaps, vec![-150.0, -600.0, -600.0]);
    }

    /// A profile of zeros shares evenly: 100.00 over three months = 33.34, 33.33, 33.33.
    #[test]
    fn a_zero_profile_shares_months_evenly() {
        let s = split(10_000, &[0.0, 0.0, 0.0], &[1.0]);
        assert!(s.months_even);
        assert_eq!(s.cells, vec![vec![3_334, 3_333, 3_333]]);
        assert_eq!(s.gaps, vec![-33.34, -33.33, -33.33]);
    }

    fn coded(v: &[Option<&str>]) -> Coded {
        Coded::from_texts(v)
    }

    /// Ann: open 100 and open with no amount (0), won 500 (not open); Bo: lost 70; a deal with
    /// no owner open at 30 EUR. Basis: Ann 100, Bo 0, (none) 30; currencies: EUR (Ann's are
    /// blank).
    #[test]
    fn open_pipeline_basis_sums_open_deals_per_group() {
        let status = coded(&[
            Some("open"),
            Some("open"),
            Some("won"),
            Some("lost"),
            Some("open"),
        ]);
        let amount = [Some(100.0), None, Some(500.0), Some(70.0), Some(30.0)];
        let group = coded(&[Some("Ann"), Some("Ann"), Some("Ann"), Some("Bo"), None]);
        let currency = coded(&[Some(""), None, Some("USD"), Some("USD"), Some("EUR")]);
        let (basis, cur) = open_pipeline_basis(&status, &amount, &group, &currency);
        let want: BTreeMap<String, f64> = [("(none)", 30.0), ("Ann", 100.0), ("Bo", 0.0)]
            .map(|(k, v)| (k.to_string(), v))
            .into();
        assert_eq!(basis, want);
        assert_eq!(cur.into_iter().collect::<Vec<_>>(), ["EUR"]);
    }

    /// Window [2026-01-01, 2026-03-01): Ann's 10 on 2026-01-15 and 5 on 2026-02-28 count, her
    /// 99 on 2026-03-01 does not; Bo's 7 on 2025-12-31 does not, so Bo has 0; Cy has no row.
    #[test]
    fn won_revenue_basis_sums_the_window() {
        let ms = |y, m, d| {
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis()
        };
        let groups = ["Ann", "Bo", "Cy"].map(String::from).to_vec();
        let rows = [
            (ms(2026, 1, 15), 10.0, 0),
            (ms(2026, 2, 28), 5.0, 0),
            (ms(2026, 3, 1), 99.0, 0),
            (ms(2025, 12, 31), 7.0, 1),
        ];
        let d = |m| NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
        let b = won_revenue_basis(&rows, &groups, d(1), d(3));
        let want: BTreeMap<String, f64> = [("Ann", 15.0), ("Bo", 0.0), ("Cy", 0.0)]
            .map(|(k, v)| (k.to_string(), v))
            .into();
        assert_eq!(b, want);
    }
}
