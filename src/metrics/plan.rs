//! A target split (docs/metrics.md "Target plans"): a total in cents over groups by their weights, then
//! each group's share over months by the monthly profile, by largest remainder so that every
//! sum of parts is exact; and the gap of each month's target to its forecast.

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
pub(crate) struct Split {
    /// The months' weights used: the profile, or 1 each when the profile sums to zero.
    pub month_weights: Vec<f64>,
    /// True when the profile summed to zero and months share evenly.
    pub months_even: bool,
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
pub(crate) fn month_weights(profile: &[f64]) -> (Vec<f64>, bool) {
    let w: Vec<f64> = profile.iter().map(|v| v.max(0.0)).collect();
    if w.iter().sum::<f64>() <= 0.0 {
        (vec![1.0; profile.len()], true)
    } else {
        (w, false)
    }
}

/// Split `total_cents` over groups by `group_weights` (not all zero), then each group's share
/// over months by `profile` (the forecast per month, negatives counted as 0).
pub(crate) fn split(total_cents: i64, profile: &[f64], group_weights: &[f64]) -> Split {
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
}
