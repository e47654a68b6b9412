//! Exponential smoothing state-space models (ETS, Hyndman et al. 2008): the recursions, the
//! likelihood, the fit by Nelder-Mead, selection by AICc, and the forecast with its intervals
//! (analytic for the linear models, simulated and seeded for the others).

use super::*;

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

    pub(super) fn n_params(&self, m: usize) -> usize {
        let smoothing = 1
            + (self.trend != Comp::None) as usize
            + (self.season != Comp::None) as usize
            + (self.trend == Comp::Damped) as usize;
        let states =
            1 + (self.trend != Comp::None) as usize + self.seasonal_len(m).saturating_sub(1);
        smoothing + states
    }

    pub(super) fn seasonal_len(&self, m: usize) -> usize {
        if self.season == Comp::None { 0 } else { m }
    }

    /// Linear models with analytic intervals (Hyndman et al. 2008, class 1).
    pub(super) fn is_linear(&self) -> bool {
        self.error == Comp::Add && self.season != Comp::Mul
    }
}

pub(super) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

pub(super) fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

impl Spec {
    /// Unconstrained vector -> parameters within the usual bounds: alpha in (1e-4, 0.9999),
    /// beta in (1e-4, alpha), gamma in (1e-4, 1 - alpha), phi in (0.8, 0.98).
    pub(super) fn decode(&self, x: &[f64], m: usize) -> Params {
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

    pub(super) fn encode(&self, p: &Params) -> Vec<f64> {
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
pub(super) fn one_step(spec: &Spec, l: f64, b: f64, s_m: f64, phi: f64) -> f64 {
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
pub(super) fn update(
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
pub(super) fn filter(spec: &Spec, p: &Params, y: &[f64]) -> Option<(f64, f64, f64, Vec<f64>, f64)> {
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
pub(super) fn initial(spec: &Spec, y: &[f64], m: usize) -> Params {
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
pub(super) fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    x0: &[f64],
    steps: &[f64],
    max_iters: u64,
) -> Vec<f64> {
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
    })
}

/// The candidate forms for a series (as R's ets and statsforecast's AutoETS: no multiplicative
/// trend, no additive error with multiplicative season; multiplicative parts only for positive
/// data; seasonal forms only with two full seasons).
pub(crate) fn candidates(y: &[f64], m: usize) -> Vec<Spec> {
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
    pub(super) fn params(&self) -> Params {
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
    pub(super) fn point(&self, h: usize) -> Vec<f64> {
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
    pub(crate) fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
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
    pub(super) fn simulate(&self, h: usize, levels: &[f64]) -> Vec<(f64, Vec<f64>, Vec<f64>)> {
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
                        crate::metrics::stats::quantile_sorted(&path, p)
                    }
                };
                lo.push(q(a));
                hi.push(q(1.0 - a));
            }
        }
        out
    }
}
