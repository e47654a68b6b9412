//! Statistics shared by the metrics: linear-interpolation quantiles (numpy's default, DuckDB's
//! `quantile_cont`), the Wilson score interval, and Kaplan-Meier quantiles for censored times.

/// Quantile `p` (0..=1) of `values`, interpolating linearly between order statistics
/// (numpy `quantile(..., method="linear")`). None when empty. NaNs are ignored.
pub fn quantile(values: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(quantile_sorted(&v, p))
}

/// [`quantile`] on already sorted, NaN-free, non-empty values.
pub(crate) fn quantile_sorted(v: &[f64], p: f64) -> f64 {
    let h = (v.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Wilson score interval at 95% for `k` successes in `n` trials; None when n = 0.
pub(crate) fn wilson95(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let z = 1.959_963_984_540_054_f64;
    let n_f = n as f64;
    let p = k as f64 / n_f;
    let z2 = z * z;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = z * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// The Kaplan-Meier survival curve of `(time, event)` pairs (`event` false = censored): the
/// distinct event times and S just after each.
pub(crate) fn kaplan_meier(obs: &[(f64, bool)]) -> Vec<(f64, f64)> {
    let mut v: Vec<(f64, bool)> = obs.iter().copied().filter(|(t, _)| !t.is_nan()).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut at_risk = v.len() as f64;
    let mut s = 1.0;
    let mut curve = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let t = v[i].0;
        let (mut d, mut c) = (0.0, 0.0);
        while i < v.len() && v[i].0 == t {
            if v[i].1 {
                d += 1.0
            } else {
                c += 1.0
            }
            i += 1;
        }
        if d > 0.0 {
            s *= 1.0 - d / at_risk;
            curve.push((t, s));
        }
        at_risk -= d + c;
    }
    curve
}

/// A Kaplan-Meier quantile: the smallest t with S(t) <= 1 - p; when S is flat at exactly 1 - p,
/// the midpoint between that time and the next event time (R's survival package). None when the
/// curve never falls that low ("> max observed").
pub(crate) fn km_quantile(curve: &[(f64, f64)], p: f64) -> Option<f64> {
    let target = 1.0 - p;
    let eps = 1e-12;
    for (i, &(t, s)) in curve.iter().enumerate() {
        if (s - target).abs() < eps {
            // Flat at exactly the target until the next event time (if any).
            return Some(match curve.get(i + 1) {
                Some(&(t2, _)) => (t + t2) / 2.0,
                None => t,
            });
        }
        if s < target {
            return Some(t);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_quantiles_match_numpy() {
        // numpy.quantile([1, 2, 3, 4], [0.5, 0.75, 0.9]) = 2.5, 3.25, 3.7
        let v = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        assert_eq!(quantile(&v, 0.75), Some(3.25));
        assert!((quantile(&v, 0.9).unwrap() - 3.7).abs() < 1e-12);
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[7.0], 0.9), Some(7.0));
    }

    #[test]
    fn wilson_by_hand() {
        // k = 3, n = 10, z = 1.96: centre = (0.3 + 0.19208) / 1.38415 = 0.355550...,
        // half = 1.96 * sqrt(0.021 + 0.0096040) / 1.38415 = 0.247730...; (0.1078, 0.6032)
        let (lo, hi) = wilson95(3, 10).unwrap();
        assert!((lo - 0.1078).abs() < 1e-4, "{lo}");
        assert!((hi - 0.6032).abs() < 1e-4, "{hi}");
        assert_eq!(wilson95(0, 0), None);
        let (lo, hi) = wilson95(5, 5).unwrap();
        assert!(hi == 1.0 && (lo - 0.5655).abs() < 1e-4, "{lo}");
    }

    #[test]
    fn km_by_hand() {
        // Times 2, 3+, 4, 5, 8+ (+ = censored). At risk 5: S(2) = 4/5 = 0.8; 3 censored -> 3 at
        // risk; S(4) = 0.8 * 2/3 = 0.5333; S(5) = 0.5333 * 1/2 = 0.2667.
        let obs = [
            (2.0, true),
            (3.0, false),
            (4.0, true),
            (5.0, true),
            (8.0, false),
        ];
        let c = kaplan_meier(&obs);
        assert_eq!(c.len(), 3);
        assert!((c[1].1 - 0.533_333).abs() < 1e-5);
        assert_eq!(km_quantile(&c, 0.5), Some(5.0)); // first S <= 0.5 is at t = 5
        // S = 0.8 exactly from t = 2 until the next event at t = 4: the midpoint, 3.
        assert_eq!(km_quantile(&c, 0.2), Some(3.0));
        assert_eq!(km_quantile(&c, 0.9), None); // never falls to 0.1
    }

    #[test]
    fn km_flat_at_half_takes_midpoint() {
        // 1, 2, 3, 4 all events: S = .75, .5, .25, 0; S = 0.5 exactly from t = 2 to t = 3 -> 2.5,
        // as R's survfit median gives.
        let c = kaplan_meier(&[(1.0, true), (2.0, true), (3.0, true), (4.0, true)]);
        assert_eq!(km_quantile(&c, 0.5), Some(2.5));
    }
}
