//! BG/NBD (Fader, Hardie & Lee 2005): the parameters, each profile's log-likelihood and its
//! analytic gradient summed over the distinct profiles, P(alive) and the conditional
//! expectation.

use super::*;

/// BG/NBD parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BgNbd {
    pub(crate) r: f64,
    pub(crate) alpha: f64,
    pub(crate) a: f64,
    pub(crate) b: f64,
}

#[cfg(test)]
fn log_sum_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

impl BgNbd {
    /// The log-likelihood of one customer, written directly: the tests' reference for the
    /// summed and differentiated forms the fit uses.
    #[cfg(test)]
    pub(crate) fn ll_one(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
        let a2 = ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x);
        let a3 = -(r + x) * (alpha + t).ln();
        if x > 0.0 {
            let a4 = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + t_x).ln();
            a1 + a2 + log_sum_exp(a3, a4)
        } else {
            a1 + a2 + a3
        }
    }

    /// The log-likelihood summed over customer profiles, and its gradient with respect to
    /// (r, alpha, a, b). The terms that depend on x alone (ln Gamma ratios and their digamma
    /// derivatives, sums of ln(v + k) and 1 / (v + k) for k < x) are built once per evaluation;
    /// profiles are summed in parallel.
    pub(crate) fn ll_grad(&self, p: &Profiles) -> (f64, [f64; 4]) {
        let BgNbd { r, alpha, a, b } = *self;
        let max_x = p.x.iter().copied().fold(0.0, f64::max);
        let whole = max_x <= 1e6 && p.x.iter().all(|x| x.fract() == 0.0);
        let n = if whole { max_x as usize + 1 } else { 0 };
        let (lr, lb, lab) = (
            running(n, |k| (r + k).ln()),
            running(n, |k| (b + k).ln()),
            running(n, |k| (a + b + k).ln()),
        );
        let (dr, db, dab) = (
            running(n, |k| 1.0 / (r + k)),
            running(n, |k| 1.0 / (b + k)),
            running(n, |k| 1.0 / (a + b + k)),
        );
        // (head, d head / dr, d/da, d/db) of a count x.
        let x_terms = |x: f64| -> (f64, f64, f64, f64) {
            if whole {
                let i = x as usize;
                (lr[i] + lb[i] - lab[i], dr[i], -dab[i], db[i] - dab[i])
            } else {
                let h = ln_gamma(r + x) - ln_gamma(r) + ln_gamma(a + b) + ln_gamma(b + x)
                    - ln_gamma(b)
                    - ln_gamma(a + b + x);
                let dab = digamma(a + b) - digamma(a + b + x);
                (
                    h,
                    digamma(r + x) - digamma(r),
                    dab,
                    dab + digamma(b + x) - digamma(b),
                )
            }
        };
        let (ln_alpha, ln_a) = (alpha.ln(), a.ln());
        // ln(alpha + t) and 1 / (alpha + t) per distinct time; ln(b + x - 1) per count.
        let lt: Vec<(f64, f64)> = p
            .times
            .iter()
            .map(|&t| ((alpha + t).ln(), 1.0 / (alpha + t)))
            .collect();
        let lbx: Vec<f64> = (0..n).map(|k| (b + k as f64 - 1.0).ln()).collect();
        let idx: Vec<usize> = (0..p.len()).step_by(CHUNK).collect();
        let sums = idx
            .par_iter()
            .map(|&start| {
                let mut s = [0.0f64; 5];
                for i in start..(start + CHUNK).min(p.len()) {
                    let (x, w) = (p.x[i], p.n[i]);
                    let (head, hr, ha, hb) = x_terms(x);
                    let (lnt, inv_t) = lt[p.t_ix[i] as usize];
                    let a3 = -(r + x) * lnt;
                    if x > 0.0 {
                        let (lntx, inv_tx) = lt[p.t_x_ix[i] as usize];
                        let lb = if whole {
                            lbx[x as usize]
                        } else {
                            (b + x - 1.0).ln()
                        };
                        let a4 = ln_a - lb - (r + x) * lntx;
                        // log(e^a3 + e^a4) and the weights of its two terms, with one exp.
                        let (ll, w3, w4) = if a3 >= a4 {
                            let e = (a4 - a3).exp();
                            (a3 + e.ln_1p(), 1.0 / (1.0 + e), e / (1.0 + e))
                        } else {
                            let e = (a3 - a4).exp();
                            (a4 + e.ln_1p(), e / (1.0 + e), 1.0 / (1.0 + e))
                        };
                        s[0] += w * (head + ll);
                        s[1] += w * (hr - w3 * lnt - w4 * lntx);
                        s[2] += w * (-(r + x) * (w3 * inv_t + w4 * inv_tx));
                        s[3] += w * (ha + w4 / a);
                        s[4] += w * (hb - w4 / (b + x - 1.0));
                    } else {
                        s[0] += w * (head + a3);
                        s[1] += w * (hr - lnt);
                        s[2] += w * (-r * inv_t);
                        s[3] += w * ha;
                        s[4] += w * hb;
                    }
                }
                s
            })
            .reduce(
                || [0.0; 5],
                |u, v| {
                    [
                        u[0] + v[0],
                        u[1] + v[1],
                        u[2] + v[2],
                        u[3] + v[3],
                        u[4] + v[4],
                    ]
                },
            );
        let total = p.n.iter().sum::<f64>();
        (
            sums[0] + total * r * ln_alpha,
            [
                sums[1] + total * ln_alpha,
                sums[2] + total * r / alpha,
                sums[3],
                sums[4],
            ],
        )
    }

    /// P(alive) at the end of calibration.
    pub(crate) fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        if x == 0.0 {
            return 1.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        let ln_ratio = (a / (b + x - 1.0)).ln() + (r + x) * ((alpha + t) / (alpha + t_x)).ln();
        1.0 / (1.0 + ln_ratio.exp())
    }

    /// Expected purchases in (T, T + h] for a customer with (x, t_x, T).
    pub(crate) fn expected(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        if h <= 0.0 {
            return 0.0;
        }
        self.expected_num(x, t, h) / self.expected_den(x, t_x, t)
    }

    /// The numerator of the conditional expectation: it depends on x, T and h, not on t_x.
    pub(super) fn expected_num(&self, x: f64, t: f64, h: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let z = h / (alpha + t + h);
        let f = hyp2f1(r + x, b + x, a + b + x - 1.0, z);
        (a + b + x - 1.0) / (a - 1.0) * (1.0 - ((alpha + t) / (alpha + t + h)).powf(r + x) * f)
    }

    pub(super) fn expected_den(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        if x > 0.0 {
            1.0 + (a / (b + x - 1.0)) * ((alpha + t) / (alpha + t_x)).powf(r + x)
        } else {
            1.0
        }
    }
}
