//! Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"): the spend parameters, the
//! repeat customers' spends grouped for the likelihood, and the expected spend.

use super::*;

/// Gamma-Gamma spend parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

impl GammaGamma {
    /// Log-likelihood of a repeat buyer with x purchases of mean value m (lifetimes' form): the
    /// tests' reference for the summed form the fit uses.
    #[cfg(test)]
    pub(crate) fn ll_one(&self, x: f64, m: f64) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)
            + q * gamma.ln()
            + (p * x - 1.0) * m.ln()
            + (p * x) * x.ln()
            - (p * x + q) * (gamma + m * x).ln()
    }

    /// Expected average order value of a customer.
    pub(crate) fn expected_spend(&self, x: f64, m: f64) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        (p * (gamma + x * m)) / (p * x + q - 1.0)
    }
}

/// Repeat buyers' mean spends grouped by x (the Gamma-function terms depend on x alone), equal
/// spends within a group counted once with a weight (spends in cents repeat: 200,000 repeat
/// buyers of the 1M-deal benchmark have 89,000 distinct (x, spend) pairs).
pub(crate) struct Spends {
    /// Per x: x, the distinct (spend, customers) pairs, the sum of ln spend over customers, and
    /// the number of customers.
    groups: Vec<Group>,
    /// (group, first pair, end) slices of at most CHUNK pairs, for rayon.
    items: Vec<(usize, usize, usize)>,
}

struct Group {
    x: f64,
    spends: Vec<(f64, f64)>,
    sum_ln: f64,
    n: f64,
}

impl Spends {
    pub(crate) fn new(rep: &[&Rfm]) -> Spends {
        let mut by_x: std::collections::BTreeMap<u64, HashMap<u64, f64>> =
            std::collections::BTreeMap::new();
        for c in rep {
            *by_x
                .entry(c.x.to_bits())
                .or_default()
                .entry(c.monetary.to_bits())
                .or_default() += 1.0;
        }
        let groups: Vec<Group> = by_x
            .into_iter()
            .map(|(k, v)| {
                let mut spends: Vec<(f64, f64)> =
                    v.into_iter().map(|(m, w)| (f64::from_bits(m), w)).collect();
                spends.sort_by(|a, b| a.0.total_cmp(&b.0));
                Group {
                    x: f64::from_bits(k),
                    sum_ln: spends.iter().map(|(m, w)| w * m.ln()).sum(),
                    n: spends.iter().map(|s| s.1).sum(),
                    spends,
                }
            })
            .collect();
        let mut items = Vec::new();
        for (gi, g) in groups.iter().enumerate() {
            for s in (0..g.spends.len()).step_by(CHUNK) {
                items.push((gi, s, (s + CHUNK).min(g.spends.len())));
            }
        }
        Spends { groups, items }
    }
}

impl GammaGamma {
    /// The log-likelihood of all repeat buyers, summed in parallel.
    pub(crate) fn ll_spends(&self, sp: &Spends) -> f64 {
        let GammaGamma { p: pp, q, gamma: g } = *self;
        let ln_g = g.ln();
        // Per customer: -(px + q) ln(g + m x), summed in parallel.
        let per: f64 = sp
            .items
            .par_iter()
            .map(|&(gi, a, b)| {
                let grp = &sp.groups[gi];
                let (x, pxq) = (grp.x, pp * grp.x + q);
                grp.spends[a..b]
                    .iter()
                    .map(|&(m, w)| -w * pxq * (g + m * x).ln())
                    .sum::<f64>()
            })
            .sum();
        let mut ll = per;
        for grp in &sp.groups {
            let (x, n) = (grp.x, grp.n);
            let px = pp * x;
            let head = ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q) + q * ln_g + px * x.ln();
            ll += n * head + (px - 1.0) * grp.sum_ln;
        }
        ll
    }
}
