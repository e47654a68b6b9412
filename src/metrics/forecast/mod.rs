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

pub(crate) mod groups;
pub(crate) mod pipeline;

use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

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
pub fn z(p: f64) -> f64 {
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
pub fn snaive(y: &[f64], m: usize, h: usize, levels: &[f64]) -> Option<Forecast> {
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
pub fn trend(y: &[f64], h: usize, levels: &[f64]) -> Option<Forecast> {
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
pub enum Comp {
    None,
    Add,
    /// Damped additive (trend only).
    Damped,
    Mul,
}

/// One ETS model form: error, trend, season.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub error: Comp,
    pub trend: Comp,
    pub season: Comp,
}

impl Spec {
    pub fn name(&self) -> String {
        let c = |x: Comp| match x {
            Comp::None => "N",
            Comp::Add => "A",
            Comp::Damped => "Ad",
            Comp::Mul => "M",
        };
        format!(
            "ETS({},{},{})",
            c(self.error),
            c(self.trend),
            c(self.season)
        )
    }

    fn n_params(&self, m: usize) -> usize {
        let smoothing = 1
            + (self.trend != Comp::None) as usize
            + (self.season != Comp::None) as usize
            + (self.trend == Comp::Damped) as usize;
        let states =
            1 + (self.trend != Comp::None) as usize + self.seasonal_len(m).saturating_sub(1);
        smoothing + states
    }

    fn seasonal_len(&self, m: usize) -> usize {
        if self.season == Comp::None { 0 } else { m }
    }

    /// Linear models with analytic intervals (Hyndman et al. 2008, class 1).
    fn is_linear(&self) -> bool {
        self.error == Comp::Add && self.season != Comp::Mul
    }
}

/// A fitted ETS model.
#[derive(Debug, Clone)]
pub struct Ets {
    pub spec: Spec,
    pub m: usize,
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
    /// Initial level, growth and seasonal indices (s[0] = the most recent season position).
    pub l0: f64,
    pub b0: f64,
    pub s0: Vec<f64>,
    /// Final states after the last observation.
    l: f64,
    b: f64,
    s: Vec<f64>,
    /// n x log(SSE) (+ 2 sum log|fitted| for multiplicative error): -2 log-likelihood up to a constant.
    pub lik: f64,
    pub aicc: f64,
    pub sigma2: f64,
    pub n: usize,
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

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

const LO: f64 = 1e-4;

impl Spec {
    /// Unconstrained vector -> parameters within the usual bounds: alpha in (1e-4, 0.9999),
    /// beta in (1e-4, alpha), gamma in (1e-4, 1 - alpha), phi in (0.8, 0.98).
    fn decode(&self, x: &[f64], m: usize) -> Params {
        let mut i = 0;
        let mut next = || {
            let v = x[i];
            i += 1;
            v
        };
        let alpha = LO + (1.0 - 2.0 * LO) * sigmoid(next());
        let beta = if self.trend != Comp::None {
            LO + (alpha - LO) * sigmoid(next())
        } else {
            0.0
        };
        let gamma = if self.season != Comp::None {
            LO + (1.0 - alpha - LO).max(0.0) * sigmoid(next())
        } else {
            0.0
        };
        let phi = match self.trend {
            Comp::Damped => 0.8 + 0.18 * sigmoid(next()),
            Comp::None => 0.0,
            _ => 1.0,
        };
        let l0 = next();
        let b0 = if self.trend != Comp::None {
            next()
        } else {
            0.0
        };
        let mut s0 = Vec::new();
        if self.season != Comp::None {
            for _ in 0..m - 1 {
                s0.push(next());
            }
            // Normalised: additive indices sum to 0, multiplicative ones to m.
            let sum: f64 = s0.iter().sum();
            s0.push(if self.season == Comp::Add {
                -sum
            } else {
                m as f64 - sum
            });
        }
        Params {
            alpha,
            beta,
            gamma,
            phi,
            l0,
            b0,
            s0,
        }
    }

    fn encode(&self, p: &Params) -> Vec<f64> {
        let mut x = vec![logit((p.alpha - LO) / (1.0 - 2.0 * LO))];
        if self.trend != Comp::None {
            x.push(logit((p.beta - LO) / (p.alpha - LO).max(1e-9)));
        }
        if self.season != Comp::None {
            x.push(logit((p.gamma - LO) / (1.0 - p.alpha - LO).max(1e-9)));
        }
        if self.trend == Comp::Damped {
            x.push(logit((p.phi - 0.8) / 0.18));
        }
        x.push(p.l0);
        if self.trend != Comp::None {
            x.push(p.b0);
        }
        if self.season != Comp::None {
            x.extend(&p.s0[..p.s0.len() - 1]);
        }
        x
    }
}

/// The one-step forecast from states; `s_m` = the seasonal index one season back.
fn one_step(spec: &Spec, l: f64, b: f64, s_m: f64, phi: f64) -> f64 {
    let q = match spec.trend {
        Comp::None => l,
        _ => l + phi * b,
    };
    match spec.season {
        Comp::None => q,
        Comp::Add => q + s_m,
        _ => q * s_m,
    }
}

/// State update after observing `y` (R forecast package's etscalc). The seasonal indices are a
/// ring: `s[head]` is the index for this period (the oldest), `s[head - 1]` the newest; the new
/// index replaces the oldest and `head` moves on. Returns (old index, new index).
fn update(
    spec: &Spec,
    p: &Params,
    l: &mut f64,
    b: &mut f64,
    s: &mut [f64],
    head: &mut usize,
    y: f64,
) -> (f64, f64) {
    let (oldl, oldb) = (*l, *b);
    let phib = if spec.trend == Comp::None {
        0.0
    } else {
        p.phi * oldb
    };
    let q = oldl + phib;
    let m = s.len();
    let olds = if m > 0 { s[*head] } else { 0.0 };
    let pv = match spec.season {
        Comp::None => y,
        Comp::Add => y - olds,
        _ => y / olds,
    };
    *l = q + p.alpha * (pv - q);
    if spec.trend != Comp::None {
        let r = *l - oldl;
        *b = phib + (p.beta / p.alpha) * (r - phib);
    }
    if m == 0 {
        return (0.0, 0.0);
    }
    let t = match spec.season {
        Comp::Add => y - q,
        _ => y / q,
    };
    let news = olds + p.gamma * (t - olds);
    s[*head] = news;
    *head = if *head + 1 == m { 0 } else { *head + 1 };
    (olds, news)
}

/// Run the filter: -2 log-likelihood (up to a constant) and the final states, or None when the
/// states leave the model's domain (a multiplicative model with non-positive states).
fn filter(spec: &Spec, p: &Params, y: &[f64]) -> Option<(f64, f64, f64, Vec<f64>, f64)> {
    let (mut l, mut b) = (p.l0, p.b0);
    // The ring holds s0 oldest first: s0[m-1] (the index for the first period) at 0.
    let mut s: Vec<f64> = p.s0.iter().rev().copied().collect();
    let m = s.len();
    let mut head = 0;
    let mut sse = 0.0;
    let mut log_f = 0.0;
    let mult = spec.error == Comp::Mul || spec.season == Comp::Mul;
    let mult_season = spec.season == Comp::Mul;
    // Non-positive indices in the ring, kept up to date as indices are replaced.
    let mut non_pos = if mult_season {
        s.iter().filter(|x| **x <= 0.0).count()
    } else {
        0
    };
    for &v in y {
        let sm = if m == 0 { 0.0 } else { s[head] };
        let f = one_step(spec, l, b, sm, p.phi);
        if !f.is_finite() || (mult && f <= 0.0) {
            return None;
        }
        let e = if spec.error == Comp::Mul {
            (v - f) / f
        } else {
            v - f
        };
        sse += e * e;
        if spec.error == Comp::Mul {
            log_f += f.abs().ln();
        }
        let (olds, news) = update(spec, p, &mut l, &mut b, &mut s, &mut head, v);
        // A multiplicative season divides by the level and needs positive indices; additive
        // indices are negative half the time, and that is fine.
        if mult_season {
            non_pos = non_pos + (news <= 0.0) as usize - (olds <= 0.0) as usize;
            if l <= 0.0 || non_pos > 0 {
                return None;
            }
        }
    }
    let n = y.len() as f64;
    let lik = n * (sse.max(1e-300)).ln() + 2.0 * log_f;
    // Back to newest first: s[0] the newest index, s[m-1] the oldest.
    let s = (0..m).map(|i| s[(head + m - 1 - i) % m]).collect();
    Some((lik, l, b, s, sse))
}

/// Heuristic initial states (as in Hyndman et al. 2008, section 2.6.1): seasonal indices from the
/// first (up to three) seasons around their means; level and growth from a line through the first
/// ten deseasonalised values.
fn initial(spec: &Spec, y: &[f64], m: usize) -> Params {
    let mut s0 = Vec::new();
    let mut des: Vec<f64> = y.to_vec();
    if spec.season != Comp::None {
        let k = (y.len() / m).clamp(1, 3);
        let mut idx = vec![0.0; m];
        for season in 0..k {
            let chunk = &y[season * m..(season + 1) * m];
            let mean = chunk.iter().sum::<f64>() / m as f64;
            for (j, v) in chunk.iter().enumerate() {
                idx[j] += if spec.season == Comp::Add {
                    v - mean
                } else if mean != 0.0 {
                    v / mean
                } else {
                    1.0
                };
            }
        }
        for v in &mut idx {
            *v /= k as f64;
        }
        for (t, v) in des.iter_mut().enumerate() {
            let i = idx[t % m];
            *v = if spec.season == Comp::Add {
                *v - i
            } else {
                *v / i
            };
        }
        // s[0] is the newest: the index of position m-1; s[m-1] that of position 0.
        s0 = idx.iter().rev().copied().collect();
    }
    let k = des.len().min(10);
    let (mut l0, mut b0) = (des[..k].iter().sum::<f64>() / k as f64, 0.0);
    if spec.trend != Comp::None && k >= 2 {
        let xb = (k as f64 - 1.0) / 2.0;
        let yb = l0;
        let sxx: f64 = (0..k).map(|t| (t as f64 - xb).powi(2)).sum();
        let sxy: f64 = (0..k).map(|t| (t as f64 - xb) * (des[t] - yb)).sum();
        b0 = sxy / sxx;
        // The line is a + b0 t through t = 0..k-1; the state before the first observation is one
        // step earlier.
        l0 = (yb - b0 * xb) - b0;
    }
    Params {
        alpha: if spec.season != Comp::None { 0.1 } else { 0.5 },
        beta: 0.01,
        gamma: 0.01,
        phi: 0.97,
        l0,
        b0,
        s0,
    }
}

/// Nelder-Mead over unconstrained parameters with per-coordinate initial steps.
fn nelder_mead(f: &dyn Fn(&[f64]) -> f64, x0: &[f64], steps: &[f64], max_iters: u64) -> Vec<f64> {
    struct Cost<'a>(&'a dyn Fn(&[f64]) -> f64);
    impl CostFunction for Cost<'_> {
        type Param = Vec<f64>;
        type Output = f64;
        fn cost(&self, p: &Self::Param) -> Result<f64, argmin::core::Error> {
            let v = (self.0)(p);
            Ok(if v.is_finite() { v } else { 1e300 })
        }
    }
    let mut simplex = vec![x0.to_vec()];
    for i in 0..x0.len() {
        let mut v = x0.to_vec();
        v[i] += steps[i];
        simplex.push(v);
    }
    let Ok(solver) = NelderMead::new(simplex).with_sd_tolerance(1e-10) else {
        return x0.to_vec();
    };
    match Executor::new(Cost(f), solver)
        .configure(|s| s.max_iters(max_iters))
        .run()
    {
        Ok(r) => r.state().get_best_param().cloned().unwrap_or(x0.to_vec()),
        Err(_) => x0.to_vec(),
    }
}

/// Fit one ETS form by maximum likelihood. None when the series is too short for it or the
/// model cannot be evaluated (non-positive data for multiplicative parts).
pub(crate) fn fit_ets(y: &[f64], m: usize, spec: Spec) -> Option<Ets> {
    let n = y.len();
    let seasonal = spec.season != Comp::None;
    if seasonal && (m < 2 || n < 2 * m) {
        return None;
    }
    let mult = spec.error == Comp::Mul || spec.season == Comp::Mul;
    if mult && y.iter().any(|v| *v <= 0.0) {
        return None;
    }
    let np = spec.n_params(m) + 1;
    if n <= np + 1 {
        return None;
    }
    let init = initial(&spec, y, m);
    let x0 = spec.encode(&init);
    let scale = y.iter().map(|v| v.abs()).sum::<f64>() / n as f64;
    let n_smooth =
        x0.len() - 1 - (spec.trend != Comp::None) as usize - spec.seasonal_len(m).saturating_sub(1);
    let steps: Vec<f64> = (0..x0.len())
        .map(|i| {
            if i < n_smooth {
                1.0
            } else if spec.season == Comp::Mul && i > n_smooth + (spec.trend != Comp::None) as usize
            {
                0.05
            } else {
                0.1 * scale.max(1e-9)
            }
        })
        .collect();
    let cost = |x: &[f64]| -> f64 {
        let p = spec.decode(x, m);
        filter(&spec, &p, y).map_or(f64::INFINITY, |r| r.0)
    };
    if !cost(&x0).is_finite() {
        // The heuristic start is outside the model's domain (e.g. a multiplicative season with
        // a non-positive index): nothing to climb from.
        return None;
    }
    let mut x = nelder_mead(&cost, &x0, &steps, 2_000 + 400 * x0.len() as u64);
    // One restart from the optimum: Nelder-Mead's simplex often collapses early in many dimensions.
    x = nelder_mead(&cost, &x, &steps, 2_000 + 400 * x0.len() as u64);
    let p = spec.decode(&x, m);
    let (lik, l, b, s, sse) = filter(&spec, &p, y)?;
    let k = np as f64;
    let nf = n as f64;
    let aic = lik + 2.0 * k;
    let aicc = aic + 2.0 * k * (k + 1.0) / (nf - k - 1.0);
    let sigma2 = sse / (nf - k + 1.0).max(1.0);
    Some(Ets {
        spec,
        m,
        alpha: p.alpha,
        beta: p.beta,
        gamma: p.gamma,
        phi: p.phi,
        l0: p.l0,
        b0: p.b0,
        s0: p.s0.clone(),
        l,
        b,
        s,
        lik,
        aicc,
        sigma2,
        n,
    })
}

/// The candidate forms for a series (as R's ets and statsforecast's AutoETS: no multiplicative
/// trend, no additive error with multiplicative season; multiplicative parts only for positive
/// data; seasonal forms only with two full seasons).
pub fn candidates(y: &[f64], m: usize) -> Vec<Spec> {
    let positive = y.iter().all(|v| *v > 0.0);
    let seasonal = m >= 2 && y.len() >= 2 * m;
    let mut out = Vec::new();
    for error in [Comp::Add, Comp::Mul] {
        for trend in [Comp::None, Comp::Add, Comp::Damped] {
            for season in [Comp::None, Comp::Add, Comp::Mul] {
                if !positive && (error == Comp::Mul || season == Comp::Mul) {
                    continue;
                }
                if !seasonal && season != Comp::None {
                    continue;
                }
                if error == Comp::Add && season == Comp::Mul {
                    continue;
                }
                out.push(Spec {
                    error,
                    trend,
                    season,
                });
            }
        }
    }
    out
}

/// Fit every candidate form and keep the one with the lowest AICc.
pub(crate) fn auto_ets(y: &[f64], m: usize) -> Option<Ets> {
    use rayon::prelude::*;
    // Forms are fitted in parallel and compared in candidate order (ties go to the first).
    let fits: Vec<Option<Ets>> = candidates(y, m)
        .into_par_iter()
        .map(|s| fit_ets(y, m, s))
        .collect();
    fits.into_iter()
        .flatten()
        .filter(|e| e.aicc.is_finite())
        .min_by(|a, b| a.aicc.total_cmp(&b.aicc))
}

impl Ets {
    fn params(&self) -> Params {
        Params {
            alpha: self.alpha,
            beta: self.beta,
            gamma: self.gamma,
            phi: self.phi,
            l0: self.l0,
            b0: self.b0,
            s0: self.s0.clone(),
        }
    }

    /// Point forecasts: the state recursion run forward without errors.
    fn point(&self, h: usize) -> Vec<f64> {
        let m = self.s.len();
        (1..=h)
            .map(|k| {
                let damp: f64 = match self.spec.trend {
                    Comp::None => 0.0,
                    Comp::Damped => (1..=k).map(|j| self.phi.powi(j as i32)).sum(),
                    _ => k as f64,
                };
                let q = self.l + damp * self.b;
                if m == 0 {
                    q
                } else {
                    // s[0] is the newest index (period n); period n+k uses the one m - k%m back.
                    let si = self.s[(m - 1) - ((k - 1) % m)];
                    if self.spec.season == Comp::Add {
                        q + si
                    } else {
                        q * si
                    }
                }
            })
            .collect()
    }

    /// Forecast `h` periods with intervals at `levels` (percent).
    pub fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let mean = self.point(h);
        let intervals = if self.spec.is_linear() {
            // Class 1: var_h = sigma2 [1 + sum_{j<h} c_j^2], c_j = alpha + beta phi_j + gamma 1{j % m = 0}.
            let sd: Vec<f64> = (1..=h)
                .map(|k| {
                    let mut v = 1.0;
                    for j in 1..k {
                        let trend = match self.spec.trend {
                            Comp::None => 0.0,
                            Comp::Damped => {
                                self.beta * (1..=j).map(|i| self.phi.powi(i as i32)).sum::<f64>()
                            }
                            _ => self.beta * j as f64,
                        };
                        let season = if self.spec.season != Comp::None && j % self.m == 0 {
                            self.gamma
                        } else {
                            0.0
                        };
                        v += (self.alpha + trend + season).powi(2);
                    }
                    (self.sigma2 * v).sqrt()
                })
                .collect();
            normal_intervals(&mean, &sd, levels)
        } else {
            self.simulate(h, levels)
        };
        Forecast {
            model: self.spec.name(),
            mean,
            intervals,
        }
    }

    /// Intervals from 5,000 simulated sample paths (seeded: the same input gives the same output).
    fn simulate(&self, h: usize, levels: &[f64]) -> Vec<(f64, Vec<f64>, Vec<f64>)> {
        const PATHS: usize = 5_000;
        let p = self.params();
        let sigma = self.sigma2.sqrt();
        let mut rng = StdRng::seed_from_u64(20_261_123);
        let mut normal = move || {
            // Box-Muller.
            let u1: f64 = rng.r#gen::<f64>().max(1e-300);
            let u2: f64 = rng.r#gen::<f64>();
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        };
        let mut paths = vec![Vec::with_capacity(PATHS); h];
        for _ in 0..PATHS {
            // The ring, oldest first (see `update`).
            let (mut l, mut b) = (self.l, self.b);
            let mut s: Vec<f64> = self.s.iter().rev().copied().collect();
            let mut head = 0;
            for path in paths.iter_mut() {
                let sm = if s.is_empty() { 0.0 } else { s[head] };
                let f = one_step(&self.spec, l, b, sm, self.phi);
                let e = sigma * normal();
                let v = if self.spec.error == Comp::Mul {
                    f * (1.0 + e)
                } else {
                    f + e
                };
                path.push(v);
                update(&self.spec, &p, &mut l, &mut b, &mut s, &mut head, v);
            }
        }
        let mut out: Vec<(f64, Vec<f64>, Vec<f64>)> = levels
            .iter()
            .map(|&l| (l, Vec::with_capacity(h), Vec::with_capacity(h)))
            .collect();
        for mut path in paths {
            path.retain(|v| v.is_finite());
            path.sort_by(f64::total_cmp);
            for (l, lo, hi) in out.iter_mut() {
                let a = (1.0 - *l / 100.0) / 2.0;
                let q = |p: f64| {
                    if path.is_empty() {
                        f64::NAN
                    } else {
                        super::stats::quantile_sorted(&path, p)
                    }
                };
                lo.push(q(a));
                hi.push(q(1.0 - a));
            }
        }
        out
    }
}

/// The models `--method` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Snaive,
    Ets,
    Trend,
}

impl Method {
    pub(crate) const ALL: [Method; 3] = [Method::Snaive, Method::Ets, Method::Trend];

    pub fn id(self) -> &'static str {
        match self {
            Method::Snaive => "snaive",
            Method::Ets => "ets",
            Method::Trend => "trend",
        }
    }

    /// Fit on `y` and forecast `h` periods. The ETS form is chosen by AICc on `y` alone.
    pub fn forecast(self, y: &[f64], m: usize, h: usize, levels: &[f64]) -> Option<Forecast> {
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

/// Errors summed over several (actual, forecast, scale) sets, as the backtest pools its origins.
#[derive(Debug, Clone, Default)]
pub(crate) struct AccuracyAcc {
    ape: Vec<f64>,
    sape: Vec<f64>,
    ase: Vec<f64>,
    n: usize,
}

impl AccuracyAcc {
    pub fn add(&mut self, actual: &[f64], forecast: &[f64], scale: Option<f64>) {
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

    pub fn result(&self) -> Accuracy {
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
pub fn accuracy(train: &[f64], m: usize, actual: &[f64], forecast: &[f64]) -> Accuracy {
    let mut a = AccuracyAcc::default();
    a.add(actual, forecast, mase_scale(train, m));
    a.result()
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
    pub scaled: Vec<f64>,
}

/// Rolling-origin backtest: origins at n - h - (k - 1) .. n - h (one period apart); at each the
/// method is fitted on the data before the origin (its ETS form re-chosen) and forecasts up to
/// `h` periods, scored against what happened. None when the series is too short for any origin.
pub fn backtest(y: &[f64], m: usize, h: usize, k: usize, method: Method) -> Option<Backtest> {
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
pub fn dm_p(challenger: &[f64], incumbent: &[f64], h: usize) -> Option<f64> {
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
