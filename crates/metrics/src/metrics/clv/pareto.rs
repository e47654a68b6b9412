//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987): the parameters, the log-likelihood,
//! P(alive) and the conditional expectation.

use super::*;

/// Pareto/NBD parameters (Schmittlein, Morrison & Colombo 1987; likelihood as in Fader & Hardie,
/// "A Note on Deriving the Pareto/NBD Model and Related Expressions", 2005).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ParetoNbd {
    pub(crate) r: f64,
    pub(crate) alpha: f64,
    pub(crate) s: f64,
    pub(crate) beta: f64,
}

impl ParetoNbd {
    /// ln A0 pieces: (ln of the t_x term, ln of the T term); A0 = exp(l1) - exp(l2).
    fn a0_logs(&self, x: f64, t_x: f64, t: f64) -> (f64, f64) {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let rsx = r + s + x;
        let (big, b2, lead) = if alpha >= beta {
            (alpha, s + 1.0, alpha - beta)
        } else {
            (beta, r + x, beta - alpha)
        };
        let f1 = hyp2f1(rsx, b2, rsx + 1.0, lead / (big + t_x));
        let f2 = hyp2f1(rsx, b2, rsx + 1.0, lead / (big + t));
        (
            f1.ln() - rsx * (big + t_x).ln(),
            f2.ln() - rsx * (big + t).ln(),
        )
    }

    /// The log-likelihood of one customer, in log space.
    pub(crate) fn ll_one(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let head = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + s * beta.ln();
        let l0 = -(r + x) * (alpha + t).ln() - s * (beta + t).ln();
        let (l1, l2) = self.a0_logs(x, t_x, t);
        let w = s / (r + s + x);
        let m = l0.max(l1);
        let sum = (l0 - m).exp() + w * ((l1 - m).exp() - (l2 - m).exp());
        head + m + sum.ln()
    }

    /// The log-likelihood summed over customer profiles (each term once, weighted by its
    /// customers), in parallel.
    pub(crate) fn ll_profiles(&self, p: &Profiles) -> f64 {
        (0..p.len())
            .into_par_iter()
            .with_min_len(CHUNK)
            .map(|i| p.n[i] * self.ll_one(p.x[i], p.t_x[i], p.t[i]))
            .sum()
    }

    /// P(alive) at the end of calibration.
    pub(crate) fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let (l1, l2) = self.a0_logs(x, t_x, t);
        let l0 = -(r + x) * (alpha + t).ln() - s * (beta + t).ln();
        let w = s / (r + s + x);
        // 1 / (1 + w A0 / exp(l0))
        let ratio = w * ((l1 - l0).exp() - (l2 - l0).exp());
        1.0 / (1.0 + ratio)
    }

    /// Expected purchases in (T, T + h].
    pub(crate) fn expected(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let pa = self.p_alive(x, t_x, t);
        let k = (r + x) * (beta + t) / ((alpha + t) * (s - 1.0));
        k * (1.0 - ((beta + t) / (beta + t + h)).powf(s - 1.0)) * pa
    }
}
