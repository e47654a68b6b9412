//! Forecast accuracy (METRICS.md): MAPE, sMAPE and MASE, the rolling-origin backtest, and the
//! Diebold-Mariano test between two models' backtest errors.

use super::*;

/// MASE's scale: mean |y_t - y_{t-m}| over the training series.
pub(crate) fn mase_scale(train: &[f64], m: usize) -> Option<f64> {
    let m = if train.len() > m { m } else { 1 };
    if train.len() <= m {
        return None;
    }
    let d: Vec<f64> = (m..train.len())
        .map(|t| (train[t] - train[t - m]).abs())
        .collect();
    Some(d.iter().sum::<f64>() / d.len() as f64)
}

impl AccuracyAcc {
    pub(crate) fn add(&mut self, actual: &[f64], forecast: &[f64], scale: Option<f64>) {
        for (y, f) in actual.iter().zip(forecast) {
            let e = (y - f).abs();
            self.n += 1;
            if *y != 0.0 {
                self.ape.push(100.0 * e / y.abs());
            }
            let d = y.abs() + f.abs();
            self.sape.push(if d == 0.0 { 0.0 } else { 200.0 * e / d });
            if let Some(s) = scale.filter(|s| *s > 0.0) {
                self.ase.push(e / s);
            }
        }
    }

    pub(crate) fn result(&self) -> Accuracy {
        let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
        Accuracy {
            mape: mean(&self.ape),
            mape_n: self.ape.len(),
            smape: mean(&self.sape),
            mase: mean(&self.ase),
            n: self.n,
        }
    }
}

/// Accuracy of one forecast against its actuals, MASE scaled on `train`.
pub(crate) fn accuracy(train: &[f64], m: usize, actual: &[f64], forecast: &[f64]) -> Accuracy {
    let mut a = AccuracyAcc::default();
    a.add(actual, forecast, mase_scale(train, m));
    a.result()
}

/// Rolling-origin backtest: origins at n - h - (k - 1) .. n - h (one period apart); at each the
/// method is fitted on the data before the origin (its ETS form re-chosen) and forecasts up to
/// `h` periods, scored against what happened. None when the series is too short for any origin.
pub(crate) fn backtest(
    y: &[f64],
    m: usize,
    h: usize,
    k: usize,
    method: Method,
) -> Option<Backtest> {
    use rayon::prelude::*;
    let min_train = if method == Method::Trend {
        3
    } else {
        m.max(2) + 1
    };
    let origins: Vec<usize> = (0..k)
        .map_while(|i| y.len().checked_sub(h + i))
        .take_while(|o| *o >= min_train)
        .collect();
    // Origins are fitted in parallel and pooled in origin order (the same result every run).
    let fits: Vec<Option<(usize, Forecast)>> = origins
        .par_iter()
        .map(|&origin| {
            let test_len = (origin + h).min(y.len()) - origin;
            method
                .forecast(&y[..origin], m, test_len, &[])
                .map(|f| (origin, f))
        })
        .collect();
    let mut acc = AccuracyAcc::default();
    let (mut used, mut scaled) = (Vec::new(), Vec::new());
    for (origin, f) in fits.into_iter().flatten() {
        let test = &y[origin..(origin + h).min(y.len())];
        let scale = mase_scale(&y[..origin], m).filter(|s| *s > 0.0);
        acc.add(test, &f.mean, scale);
        scaled.extend(
            test.iter()
                .zip(&f.mean)
                .map(|(a, b)| scale.map_or(f64::NAN, |s| (a - b).abs() / s)),
        );
        used.push(origin);
    }
    (!used.is_empty()).then(|| Backtest {
        accuracy: acc.result(),
        origins: used,
        scaled,
    })
}

/// One-sided Diebold-Mariano test that `challenger`'s losses are lower than `incumbent`'s
/// (paired point by point): d = challenger - incumbent, long-run variance from autocovariances up
/// to lag h - 1 (lag 0 alone when that sum is not positive), the Harvey-Leybourne-Newbold
/// small-sample factor sqrt((n + 1 - 2h + h(h-1)/n) / n), and Student's t with n - 1 degrees of
/// freedom. Returns the p-value P(T <= DM*); None when the losses cannot be paired (different
/// lengths, NaN) or the test has no degrees of freedom left.
pub(crate) fn dm_p(challenger: &[f64], incumbent: &[f64], h: usize) -> Option<f64> {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let n = challenger.len();
    if n < 2 || n != incumbent.len() || h == 0 {
        return None;
    }
    let d: Vec<f64> = challenger
        .iter()
        .zip(incumbent)
        .map(|(a, b)| a - b)
        .collect();
    if d.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let nf = n as f64;
    let mean = d.iter().sum::<f64>() / nf;
    let gamma = |k: usize| -> f64 {
        (k..n)
            .map(|t| (d[t] - mean) * (d[t - k] - mean))
            .sum::<f64>()
            / nf
    };
    let g0 = gamma(0);
    if g0 == 0.0 {
        // Every difference the same: lower for certain when that difference is negative.
        return Some(if mean < 0.0 { 0.0 } else { 1.0 });
    }
    let lr = g0 + 2.0 * (1..h.min(n)).map(gamma).sum::<f64>();
    let var = if lr > 0.0 { lr } else { g0 };
    let dm = mean / (var / nf).sqrt();
    let hf = h as f64;
    let inner = (nf + 1.0 - 2.0 * hf + hf * (hf - 1.0) / nf) / nf;
    if inner <= 0.0 {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, nf - 1.0).ok()?;
    Some(t.cdf(dm * inner.sqrt()))
}
