//! Time-series forecasts (METRICS.md "Forecast accuracy"): seasonal naive, a linear trend, and
//! exponential smoothing state-space models (ETS, Hyndman et al. 2008) with automatic selection
//! by AICc; accuracy measures and a rolling-origin backtest that picks among them.
//!
//! ETS follows the R forecast package's formulation: states (level, growth, m seasonal indices)
//! updated by the same recursions whatever the error type; the error type (additive or
//! multiplicative) changes the likelihood and the intervals. Parameters and initial states are
//! estimated together by maximum likelihood (Nelder-Mead). Intervals are analytic for the linear
//! models (additive error, no or additive trend, no or additive season) and simulated (seeded,
//! so reproducible) for the others.

pub mod groups;
pub mod pipeline;

use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

mod accuracy;
mod ets;

pub(crate) use accuracy::*;
pub(crate) use ets::*;

/// A point forecast with its prediction intervals.
#[derive(Debug, Clone)]
pub struct Forecast {
    /// Model name as shown (`snaive`, `trend`, `ETS(A,Ad,M)`).
    pub model: String,
    pub mean: Vec<f64>,
    /// (level in percent, lower, upper) per requested level.
    pub intervals: Vec<(f64, Vec<f64>, Vec<f64>)>,
}

/// Standard normal quantile at `p` (statrs).
pub(crate) fn z(p: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::new(0.0, 1.0)
        .map(|n| n.inverse_cdf(p))
        .unwrap_or(f64::NAN)
}

fn normal_intervals(mean: &[f64], sd: &[f64], levels: &[f64]) -> Vec<(f64, Vec<f64>, Vec<f64>)> {
    levels
        .iter()
        .map(|&l| {
            let q = z(0.5 + l / 200.0);
            (
                l,
                mean.iter().zip(sd).map(|(m, s)| m - q * s).collect(),
                mean.iter().zip(sd).map(|(m, s)| m + q * s).collect(),
            )
        })
        .collect()
}

/// Seasonal naive: each period repeats the value one season earlier. sigma = sqrt(mean of squared
/// lag-m residuals); sd_h = sigma x sqrt(floor((h-1)/m) + 1). With m = 1 this is the naive forecast.
pub(crate) fn snaive(y: &[f64], m: usize, h: usize, levels: &[f64]) -> Option<Forecast> {
    let n = y.len();
    let m = if n > m { m } else { 1 };
    if n < m + 1 {
        return None;
    }
    let mean: Vec<f64> = (1..=h).map(|k| y[n - m + (k - 1) % m]).collect();
    let res: Vec<f64> = (m..n).map(|t| y[t] - y[t - m]).collect();
    let sigma = (res.iter().map(|e| e * e).sum::<f64>() / res.len() as f64).sqrt();
    let sd: Vec<f64> = (1..=h)
        .map(|k| sigma * (((k - 1) / m) as f64 + 1.0).sqrt())
        .collect();
    Some(Forecast {
        model: if m == 1 { "naive" } else { "snaive" }.into(),
        intervals: normal_intervals(&mean, &sd, levels),
        mean,
    })
}

/// Least-squares line through the series (time 0..n-1), extrapolated; prediction intervals from
/// Student's t with n - 2 degrees of freedom: s x sqrt(1 + 1/n + (x0 - xbar)^2 / Sxx).
pub(crate) fn trend(y: &[f64], h: usize, levels: &[f64]) -> Option<Forecast> {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let n = y.len();
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let xbar = (nf - 1.0) / 2.0;
    let ybar = y.iter().sum::<f64>() / nf;
    let sxx: f64 = (0..n).map(|t| (t as f64 - xbar).powi(2)).sum();
    let sxy: f64 = y
        .iter()
        .enumerate()
        .map(|(t, v)| (t as f64 - xbar) * (v - ybar))
        .sum();
    let b = sxy / sxx;
    let a = ybar - b * xbar;
    let sse: f64 = y
        .iter()
        .enumerate()
        .map(|(t, v)| (v - a - b * t as f64).powi(2))
        .sum();
    let s = (sse / (nf - 2.0)).sqrt();
    let x0 = |k: usize| (n - 1 + k) as f64;
    let mean: Vec<f64> = (1..=h).map(|k| a + b * x0(k)).collect();
    let se: Vec<f64> = (1..=h)
        .map(|k| s * (1.0 + 1.0 / nf + (x0(k) - xbar).powi(2) / sxx).sqrt())
        .collect();
    let t = StudentsT::new(0.0, 1.0, nf - 2.0).ok()?;
    let intervals = levels
        .iter()
        .map(|&l| {
            let q = t.inverse_cdf(0.5 + l / 200.0);
            (
                l,
                mean.iter().zip(&se).map(|(m, s)| m - q * s).collect(),
                mean.iter().zip(&se).map(|(m, s)| m + q * s).collect(),
            )
        })
        .collect();
    Some(Forecast {
        model: "trend".into(),
        mean,
        intervals,
    })
}

/// ETS component choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comp {
    None,
    Add,
    /// Damped additive (trend only).
    Damped,
    Mul,
}

/// One ETS model form: error, trend, season.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub(crate) error: Comp,
    pub(crate) trend: Comp,
    pub(crate) season: Comp,
}

/// A fitted ETS model.
#[derive(Debug, Clone)]
pub struct Ets {
    pub spec: Spec,
    pub(crate) m: usize,
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
    /// Initial level, growth and seasonal indices (s[0] = the most recent season position).
    pub(crate) l0: f64,
    pub(crate) b0: f64,
    pub(crate) s0: Vec<f64>,
    /// Final states after the last observation.
    l: f64,
    b: f64,
    s: Vec<f64>,
    /// n x log(SSE) (+ 2 sum log|fitted| for multiplicative error): -2 log-likelihood up to a constant.
    pub lik: f64,
    pub aicc: f64,
    pub sigma2: f64,
}

struct Params {
    alpha: f64,
    beta: f64,
    gamma: f64,
    phi: f64,
    l0: f64,
    b0: f64,
    s0: Vec<f64>,
}

const LO: f64 = 1e-4;

/// The models `--method` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Snaive,
    Ets,
    Trend,
}

impl Method {
    pub(crate) const ALL: [Method; 3] = [Method::Snaive, Method::Ets, Method::Trend];

    pub(crate) fn id(self) -> &'static str {
        match self {
            Method::Snaive => "snaive",
            Method::Ets => "ets",
            Method::Trend => "trend",
        }
    }

    /// Fit on `y` and forecast `h` periods. The ETS form is chosen by AICc on `y` alone.
    pub(crate) fn forecast(
        self,
        y: &[f64],
        m: usize,
        h: usize,
        levels: &[f64],
    ) -> Option<Forecast> {
        match self {
            Method::Snaive => snaive(y, m, h, levels),
            Method::Trend => trend(y, h, levels),
            Method::Ets => auto_ets(y, m).map(|e| e.forecast(h, levels)),
        }
    }
}

/// Accuracy of a forecast against actuals (METRICS.md): MAPE over non-zero actuals (with its n),
/// sMAPE, and MASE scaled by the in-sample lag-m seasonal naive error of `train`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accuracy {
    pub mape: Option<f64>,
    pub mape_n: usize,
    pub smape: Option<f64>,
    pub mase: Option<f64>,
    pub n: usize,
}

/// Errors summed over several (actual, forecast, scale) sets, as the backtest pools its origins.
#[derive(Debug, Clone, Default)]
pub(crate) struct AccuracyAcc {
    ape: Vec<f64>,
    sape: Vec<f64>,
    ase: Vec<f64>,
    n: usize,
}

/// One model's rolling-origin backtest.
#[derive(Debug, Clone)]
pub struct Backtest {
    /// Accuracy pooled over every origin.
    pub accuracy: Accuracy,
    /// The origins that produced a forecast, in order.
    pub origins: Vec<usize>,
    /// Each forecast point's absolute scaled error |e| / scale, origin by origin (NaN where the
    /// origin's training part gives no MASE scale).
    pub(crate) scaled: Vec<f64>,
}

/// The level of auto's Diebold-Mariano test.
pub(crate) const DM_LEVEL: f64 = 0.05;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snaive_by_hand() {
        // Quarterly, m = 4: residuals y_t - y_{t-4} for t = 4..7: 2, 2, -2, 2 -> sigma = 2.
        let y = [10.0, 20.0, 30.0, 40.0, 12.0, 22.0, 28.0, 42.0];
        let f = snaive(&y, 4, 6, &[95.0]).unwrap();
        assert_eq!(f.mean, vec![12.0, 22.0, 28.0, 42.0, 12.0, 22.0]);
        let q = 1.959963984540054;
        let (_, lo, hi) = &f.intervals[0];
        assert!((hi[0] - (12.0 + q * 2.0)).abs() < 1e-9);
        assert!((lo[3] - (42.0 - q * 2.0)).abs() < 1e-9);
        // h = 5 is in the second season ahead: sd = 2 sqrt(2).
        assert!((hi[4] - (12.0 + q * 2.0 * 2f64.sqrt())).abs() < 1e-9);
    }

    #[test]
    fn trend_recovers_a_line() {
        let y: Vec<f64> = (0..10).map(|t| 5.0 + 2.0 * t as f64).collect();
        let f = trend(&y, 2, &[80.0]).unwrap();
        assert!((f.mean[0] - 25.0).abs() < 1e-9 && (f.mean[1] - 27.0).abs() < 1e-9);
    }

    #[test]
    fn ets_ann_on_a_constant_series_forecasts_it() {
        let y = vec![100.0; 30];
        let e = fit_ets(
            &y,
            1,
            Spec {
                error: Comp::Add,
                trend: Comp::None,
                season: Comp::None,
            },
        )
        .unwrap();
        let f = e.forecast(3, &[95.0]);
        for v in f.mean {
            assert!((v - 100.0).abs() < 1e-3, "{v}");
        }
    }

    #[test]
    fn ets_recovers_exact_seasonal_pattern() {
        // A pure additive trend + season, no noise: any sensible fit forecasts it almost exactly.
        let pat = [5.0, -3.0, 8.0, -10.0];
        let y: Vec<f64> = (0..24)
            .map(|t| 100.0 + 2.0 * t as f64 + pat[t % 4])
            .collect();
        let e = fit_ets(
            &y,
            4,
            Spec {
                error: Comp::Add,
                trend: Comp::Add,
                season: Comp::Add,
            },
        )
        .unwrap();
        let f = e.forecast(4, &[]);
        for (k, v) in f.mean.iter().enumerate() {
            let t = 24 + k;
            let want = 100.0 + 2.0 * t as f64 + pat[t % 4];
            assert!((v - want).abs() < 0.5, "h={} {v} vs {want}", k + 1);
        }
    }

    #[test]
    fn filter_by_hand() {
        // ETS(A,N,A), m = 2, alpha = gamma = 0.5, l0 = 10; s0 newest first: period 1's index 1,
        // period 0's index -1. y = 9, 12, 10:
        //   t0: f = 10 - 1 = 9, e = 0;   l = 10;    s(p0) = -1 + .5(-1 - -1) = -1
        //   t1: f = 10 + 1 = 11, e = 1;  l = 10.5;  s(p1) = 1 + .5(2 - 1) = 1.5
        //   t2: f = 10.5 - 1 = 9.5, e = .5; l = 10.75; s(p2) = -1 + .5(-.5 + 1) = -.75
        let spec = Spec {
            error: Comp::Add,
            trend: Comp::None,
            season: Comp::Add,
        };
        let p = Params {
            alpha: 0.5,
            beta: 0.0,
            gamma: 0.5,
            phi: 1.0,
            l0: 10.0,
            b0: 0.0,
            s0: vec![1.0, -1.0],
        };
        let (lik, l, _, s, sse) = filter(&spec, &p, &[9.0, 12.0, 10.0]).unwrap();
        assert!((sse - 1.25).abs() < 1e-12, "{sse}");
        assert!((lik - 3.0 * 1.25f64.ln()).abs() < 1e-12);
        assert!((l - 10.75).abs() < 1e-12);
        assert_eq!(s, vec![-0.75, 1.5]);
        // A multiplicative season with a non-positive index still in the ring is rejected, even
        // though the first one-step forecast (10 x 1) is positive.
        let mul = Spec {
            error: Comp::Mul,
            trend: Comp::None,
            season: Comp::Mul,
        };
        let q = Params {
            s0: vec![-0.5, 1.0],
            ..p
        };
        assert!(filter(&mul, &q, &[10.0, 10.0, 10.0]).is_none());
        let ok = Params {
            s0: vec![0.5, 1.0],
            ..q
        };
        assert!(filter(&mul, &ok, &[10.0, 10.0, 10.0]).is_some());
    }

    #[test]
    fn diebold_mariano_by_hand_and_against_numpy() {
        // Significantly lower at auto's level.
        let dm_lower = |a: &[f64], b: &[f64], h| dm_p(a, b, h).is_some_and(|p| p < DM_LEVEL);
        // By hand: d = challenger - incumbent = -1, 0, -1, -1, -1, -1 (n = 6, h = 2).
        // mean -5/6; gamma0 = (30/36)/6; gamma1 = (-7/36)/6; long-run var = g0 + 2 g1 = 2/27;
        // DM = (-5/6) / sqrt((2/27)/6) = -7.5; HLN factor sqrt((6 + 1 - 4 + 2/6)/6) = 0.745;
        // -5.59 < t(5) 5% quantile -2.015: lower.
        assert!(dm_lower(
            &[1.0, 2.0, 1.0, 2.0, 1.0, 2.0],
            &[2.0, 2.0, 2.0, 3.0, 2.0, 3.0],
            2
        ));
        // Worked with numpy/scipy (a separate implementation of the same formulas), n = 8,
        // t(7) 5% quantile -1.8946:
        //   h = 3: long-run variance negative -> lag 0 only; DM* = -1.927: lower;
        //   h = 5: DM = -2.815 but HLN factor -> DM* = -1.219: not lower;
        //   reversed, h = 1: DM* = +2.633: not lower.
        let a = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.5, 1.0];
        let b = [1.5, 2.2, 1.1, 2.9, 0.8, 2.4, 2.0, 1.1];
        assert!(dm_lower(&a, &b, 3));
        assert!(!dm_lower(&a, &b, 5));
        assert!(!dm_lower(&b, &a, 1));
        // Cannot be paired or tested.
        assert!(!dm_lower(&a, &b[..7], 1));
        assert!(!dm_lower(&[f64::NAN, 1.0], &[2.0, 2.0], 1));
        assert!(!dm_lower(&[1.0], &[2.0], 1));
        // Every difference the same: lower exactly when negative.
        assert!(dm_lower(&[1.0, 1.0, 1.0], &[2.0, 2.0, 2.0], 1));
        assert!(!dm_lower(&[2.0, 2.0, 2.0], &[2.0, 2.0, 2.0], 1));
        // p-values from scipy.stats.t.cdf(DM*, n - 1) on the numpy statistics above.
        let p = |a: &[f64], b: &[f64], h| dm_p(a, b, h).unwrap();
        let first = p(
            &[1.0, 2.0, 1.0, 2.0, 1.0, 2.0],
            &[2.0, 2.0, 2.0, 3.0, 2.0, 3.0],
            2,
        );
        assert!((first - 0.0012638516682904318).abs() < 1e-8, "{first}");
        assert!((p(&a, &b, 3) - 0.047652771542527596).abs() < 1e-8);
        assert!((p(&a, &b, 5) - 0.13117841018639223).abs() < 1e-8);
        assert!((p(&b, &a, 1) - 0.983120944837386).abs() < 1e-8);
        assert_eq!(dm_p(&a, &b[..7], 1), None);
    }

    #[test]
    fn accuracy_by_hand() {
        // train 1..=6 with m = 1: mean |diff| = 1. actual 10, 0; forecast 8, 1.
        let a = accuracy(
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            1,
            &[10.0, 0.0],
            &[8.0, 1.0],
        );
        assert_eq!(a.mape_n, 1);
        assert!((a.mape.unwrap() - 20.0).abs() < 1e-12);
        // sMAPE = (200*2/18 + 200*1/1) / 2
        assert!((a.smape.unwrap() - (400.0 / 18.0 + 200.0) / 2.0).abs() < 1e-9);
        assert!((a.mase.unwrap() - 1.5).abs() < 1e-12);
    }
}
