//! Customer lifetime value (METRICS.md "CLTV"): RFM from orders, BG/NBD (Fader, Hardie & Lee
//! 2005) and Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV") fitted by maximum likelihood
//! on log-parameters from a neutral start, and the Gauss hypergeometric 2F1 the BG/NBD
//! conditional expectation needs. ln Gamma from statrs; the optimiser is argmin's Nelder-Mead.

use std::sync::Mutex;

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::neldermead::NelderMead;
use argmin::solver::quasinewton::LBFGS;
use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;
use statrs::function::gamma::{digamma, ln_gamma};

use crate::error::{Error, Result};

/// One customer's calibration summary, times in the chosen unit (weeks by default).
#[derive(Debug, Clone, PartialEq)]
pub struct Rfm {
    pub customer: String,
    /// Repeat purchase days (distinct purchase days - 1).
    pub x: f64,
    /// Last minus first purchase day.
    pub t_x: f64,
    /// Calibration end minus first purchase day.
    pub t: f64,
    /// Mean of the day-summed repeat purchases (the first purchase excluded); 0 when x = 0.
    pub monetary: f64,
}

/// RFM from (customer, day number, amount) purchases up to and including `cal_end` (a day
/// number): purchases on the same day count once, amounts summed. `unit` = days per time unit.
pub fn rfm(
    purchases: &mut [(u32, i64, f64)],
    names: &[String],
    cal_end: i64,
    unit: f64,
) -> Vec<Rfm> {
    purchases.sort_unstable_by_key(|a| (a.0, a.1));
    let mut out = Vec::new();
    let mut i = 0;
    while i < purchases.len() {
        let c = purchases[i].0;
        let mut days: Vec<(i64, f64)> = Vec::new();
        while i < purchases.len() && purchases[i].0 == c {
            let (_, d, a) = purchases[i];
            if d <= cal_end {
                match days.last_mut() {
                    Some(last) if last.0 == d => last.1 += a,
                    _ => days.push((d, a)),
                }
            }
            i += 1;
        }
        let Some(&(first, _)) = days.first() else {
            continue;
        };
        let last = days.last().map_or(first, |x| x.0);
        let x = (days.len() - 1) as f64;
        let monetary = if days.len() > 1 {
            days[1..].iter().map(|d| d.1).sum::<f64>() / x
        } else {
            0.0
        };
        out.push(Rfm {
            customer: names[c as usize].clone(),
            x,
            t_x: (last - first) as f64 / unit,
            t: (cal_end - first) as f64 / unit,
            monetary,
        });
    }
    out
}

/// Customers who share (x, t_x, T) share every likelihood term and every prediction: the
/// distinct triples, how many customers each stands for, and each customer's triple. On daily
/// data a few hundred thousand customers fall into far fewer triples (500,000 into about
/// 178,000 on the 1M-deal benchmark file).
#[derive(Debug, Clone, Default)]
pub(crate) struct Profiles {
    pub(crate) x: Vec<f64>,
    pub(crate) t_x: Vec<f64>,
    pub(crate) t: Vec<f64>,
    /// Customers per triple.
    pub(crate) n: Vec<f64>,
    /// The triple of each customer, in `data` order.
    pub(crate) of: Vec<u32>,
    /// The distinct values of t_x and T, and each profile's index into them: terms such as
    /// ln(alpha + T) are computed once per value.
    pub(crate) times: Vec<f64>,
    pub(crate) t_x_ix: Vec<u32>,
    pub(crate) t_ix: Vec<u32>,
}

impl Profiles {
    pub(crate) fn new(data: &[Rfm]) -> Profiles {
        let mut seen: HashMap<(u64, u64, u64), u32> = HashMap::with_capacity(data.len() / 2);
        let mut p = Profiles::default();
        p.of.reserve(data.len());
        for c in data {
            let key = (c.x.to_bits(), c.t_x.to_bits(), c.t.to_bits());
            let i = *seen.entry(key).or_insert_with(|| {
                p.x.push(c.x);
                p.t_x.push(c.t_x);
                p.t.push(c.t);
                p.n.push(0.0);
                (p.x.len() - 1) as u32
            });
            p.n[i as usize] += 1.0;
            p.of.push(i);
        }
        let mut times: HashMap<u64, u32> = HashMap::new();
        let mut ix = |v: f64, vals: &mut Vec<f64>| -> u32 {
            *times.entry(v.to_bits()).or_insert_with(|| {
                vals.push(v);
                (vals.len() - 1) as u32
            })
        };
        let mut vals = Vec::new();
        for i in 0..p.x.len() {
            let (a, b) = (ix(p.t_x[i], &mut vals), ix(p.t[i], &mut vals));
            p.t_x_ix.push(a);
            p.t_ix.push(b);
        }
        p.times = vals;
        p
    }

    pub(crate) fn len(&self) -> usize {
        self.x.len()
    }
}

/// Rows per parallel chunk of a likelihood sum: big enough that the split costs nothing.
const CHUNK: usize = 8192;

/// Per whole count x < n: sum over k < x of f(k), for x = 0..n (a running sum, one entry per x).
fn running(n: usize, f: impl Fn(f64) -> f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    let mut acc = 0.0;
    for k in 0..n {
        out.push(acc);
        acc += f(k as f64);
    }
    out
}

/// Per customer: (orders, revenue, first purchase day, last purchase day).
pub type CustomerTotals = (u64, f64, i64, i64);

/// A map's entries in key order: a hash map's own order changes from run to run, and sums
/// taken in it change in their last digits.
pub fn in_key_order<V: Copy, S>(m: &std::collections::HashMap<u32, V, S>) -> Vec<(u32, V)> {
    let mut v: Vec<(u32, V)> = m.iter().map(|(k, v)| (*k, *v)).collect();
    v.sort_unstable_by_key(|e| e.0);
    v
}

/// The simple model of a group of customers (METRICS.md "Customers", "CLTV").
#[derive(Debug, Clone, PartialEq)]
pub struct Simple {
    pub customers: u64,
    pub orders: u64,
    pub revenue: f64,
    pub aov: f64,
    pub purchases_per_year: f64,
    pub repeat_purchase_rate: f64,
    pub annual_churn: Option<f64>,
    pub lifespan_years: Option<f64>,
    pub cltv: Option<f64>,
    /// Revenue per customer per month of the window (CAC payback).
    pub(crate) monthly_revenue_per_customer: f64,
}

/// AOV x purchases per year x lifespan x margin over a window of `window_days`: churned = no
/// purchase in the `churn_days` before as-of, among customers first seen at least that long ago,
/// as a yearly rate (1 - (1 - share)^(365.25 / churn_days), at most 1); lifespan = 1 / annual churn.
pub fn simple(
    customers: &[CustomerTotals],
    as_of: i64,
    window_days: f64,
    churn_days: f64,
    margin: f64,
) -> Simple {
    let n = customers.len() as f64;
    let orders: u64 = customers.iter().map(|c| c.0).sum();
    let revenue: f64 = customers.iter().map(|c| c.1).sum();
    let years = window_days / 365.25;
    let aov = if orders > 0 {
        revenue / orders as f64
    } else {
        0.0
    };
    let per_year = if n > 0.0 {
        orders as f64 / n / years
    } else {
        0.0
    };
    let repeat = if n > 0.0 {
        customers.iter().filter(|c| c.0 >= 2).count() as f64 / n
    } else {
        0.0
    };
    let eligible: Vec<&CustomerTotals> = customers
        .iter()
        .filter(|c| (as_of - c.2) as f64 >= churn_days)
        .collect();
    let churned = eligible
        .iter()
        .filter(|c| (as_of - c.3) as f64 > churn_days)
        .count() as f64;
    let churn = if eligible.is_empty() {
        None
    } else {
        // The share churned over `churn_days`, as a yearly rate that compounds: over a year
        // (`1y`, 365.25 days, the year of every per-year figure here) it is the share itself,
        // and it never passes 1 (a linear 365.25/365 scaling printed 1.0007 when every
        // customer had churned over the default 365 days).
        let share = churned / eligible.len() as f64;
        Some(1.0 - (1.0 - share).powf(365.25 / churn_days))
    };
    let lifespan = churn.filter(|c| *c > 0.0).map(|c| 1.0 / c);
    Simple {
        customers: n as u64,
        orders,
        revenue,
        aov,
        purchases_per_year: per_year,
        repeat_purchase_rate: repeat,
        annual_churn: churn,
        lifespan_years: lifespan,
        cltv: lifespan.map(|l| aov * per_year * l * margin),
        monthly_revenue_per_customer: if n > 0.0 {
            revenue / n / (window_days / (365.25 / 12.0))
        } else {
            0.0
        },
    }
}

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
    fn expected_num(&self, x: f64, t: f64, h: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let z = h / (alpha + t + h);
        let f = hyp2f1(r + x, b + x, a + b + x - 1.0, z);
        (a + b + x - 1.0) / (a - 1.0) * (1.0 - ((alpha + t) / (alpha + t + h)).powf(r + x) * f)
    }

    fn expected_den(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        if x > 0.0 {
            1.0 + (a / (b + x - 1.0)) * ((alpha + t) / (alpha + t_x)).powf(r + x)
        } else {
            1.0
        }
    }
}

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

/// The Gauss hypergeometric function 2F1(a, b; c; z) for real z < 1 (c not a non-positive
/// integer):
/// - -0.5 <= z <= 0.75: the power series;
/// - z < -0.5: Pfaff's transformation 2F1(a,b;c;z) = (1-z)^(-b) 2F1(c-a, b; c; z/(z-1)), whose
///   argument lies in (1/3, 1);
/// - z > 0.75 with c - a - b not an integer: the connection formula to 1 - z (Abramowitz & Stegun
///   15.3.6), its Gamma-function coefficients combined in log space so large parameters do not
///   overflow; with c - a - b an integer, the power series (positive terms for positive a, b, c).
/// NaN when it does not converge.
pub(crate) fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    if z == 0.0 {
        return 1.0;
    }
    if z >= 1.0 || (c <= 0.0 && c == c.round()) {
        return f64::NAN;
    }
    if z < -0.5 {
        return (1.0 - z).powf(-b) * hyp2f1(c - a, b, c, z / (z - 1.0));
    }
    let s = c - a - b;
    if z > 0.75 && (s - s.round()).abs() > 1e-9 {
        let w = 1.0 - z;
        let term =
            |n1: f64, n2: f64, d1: f64, d2: f64, lpow: f64, sa: f64, sb: f64, sc: f64| -> f64 {
                // coefficient = Γ(n1)Γ(n2) / (Γ(d1)Γ(d2)) x exp(lpow); 1/Γ at a pole is 0.
                let (Some(g1), Some(g2)) = (ln_gamma_signed(n1), ln_gamma_signed(n2)) else {
                    return f64::NAN;
                };
                let (Some(h1), Some(h2)) = (ln_gamma_signed(d1), ln_gamma_signed(d2)) else {
                    return 0.0;
                };
                let sign = g1.1 * g2.1 * h1.1 * h2.1;
                sign * (g1.0 + g2.0 - h1.0 - h2.0 + lpow).exp() * series(sa, sb, sc, w)
            };
        let t1 = term(c, s, c - a, c - b, 0.0, a, b, 1.0 - s);
        let t2 = term(c, -s, a, b, s * w.ln(), c - a, c - b, 1.0 + s);
        return t1 + t2;
    }
    series(a, b, c, z)
}

/// (ln |Γ(x)|, sign of Γ(x)); None at the poles (non-positive integers).
fn ln_gamma_signed(x: f64) -> Option<(f64, f64)> {
    if x <= 0.0 && x == x.round() {
        return None;
    }
    if x >= 0.5 {
        return Some((ln_gamma(x), 1.0));
    }
    // Reflection: Γ(x) = π / (sin(πx) Γ(1 - x)).
    let sin = (std::f64::consts::PI * x).sin();
    Some((
        std::f64::consts::PI.ln() - sin.abs().ln() - ln_gamma(1.0 - x),
        sin.signum(),
    ))
}

/// The power series of 2F1, summed in f64 (convergent for |z| < 1).
fn series(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 0..100_000 {
        let n = n as f64;
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        let next = sum + term;
        if !next.is_finite() {
            return f64::NAN;
        }
        if next == sum && term.abs() < 1e-300_f64.max(sum.abs() * 1e-17) {
            return next;
        }
        sum = next;
        if term.abs() <= sum.abs() * 1e-17 {
            return sum;
        }
    }
    f64::NAN
}

/// Minimise `f` over log-parameters from `start` (positive values) with Nelder-Mead. Returns
/// (parameters, minimum, iterations, converged).
pub(crate) fn minimise(
    f: impl Fn(&[f64]) -> f64,
    start: &[f64],
) -> Result<(Vec<f64>, f64, u64, bool)> {
    struct Cost<F>(F);
    impl<F: Fn(&[f64]) -> f64> CostFunction for Cost<F> {
        type Param = Vec<f64>;
        type Output = f64;
        fn cost(&self, p: &Self::Param) -> std::result::Result<f64, argmin::core::Error> {
            let exp: Vec<f64> = p.iter().map(|x| x.exp()).collect();
            let v = (self.0)(&exp);
            Ok(if v.is_finite() { v } else { f64::MAX })
        }
    }
    let x0: Vec<f64> = start.iter().map(|v| v.ln()).collect();
    let mut simplex = vec![x0.clone()];
    for i in 0..x0.len() {
        let mut v = x0.clone();
        v[i] += 0.5;
        simplex.push(v);
    }
    // The spread of the simplex's costs at which to stop, relative to the cost's size: an absolute
    // 1e-12 is below the rounding noise of a log-likelihood summed over many customers.
    let f0 = {
        let exp: Vec<f64> = x0.iter().map(|x| x.exp()).collect();
        f(&exp).abs()
    };
    let tol = 1e-13 * f0.max(1.0);
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(tol)
        .map_err(|e| Error::Internal(format!("optimiser: {e}")))?;
    let res = Executor::new(Cost(f), solver)
        .configure(|s| s.max_iters(20_000))
        .run()
        .map_err(|e| Error::Internal(format!("optimiser: {e}")))?;
    let st = res.state();
    let best = st
        .get_best_param()
        .cloned()
        .ok_or_else(|| Error::Internal("optimiser: no parameters".into()))?;
    let iters = st.get_iter();
    let converged = iters < 20_000;
    Ok((
        best.iter().map(|x| x.exp()).collect(),
        st.get_best_cost(),
        iters,
        converged,
    ))
}

/// A cost in log-parameters for [`minimise_grad`], remembering the last point evaluated:
/// argmin asks for the cost and the gradient separately.
struct Cost<F> {
    f: F,
    /// The value and gradient are divided by this (the start's value): a log-likelihood
    /// summed over many customers has a gradient in the millions, and a first line-search
    /// step of that size leaves the parameters' range.
    scale: f64,
    last: Mutex<Option<(Vec<f64>, f64, Vec<f64>)>>,
}
impl<F: Fn(&[f64]) -> (f64, Vec<f64>)> Cost<F> {
    fn eval(&self, lp: &[f64]) -> (f64, Vec<f64>) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((p, v, g)) = last.as_ref()
            && p.as_slice() == lp
        {
            return (*v, g.clone());
        }
        let exp: Vec<f64> = lp.iter().map(|x| x.exp()).collect();
        let (v, g) = (self.f)(&exp);
        // d/d ln(theta) = theta d/d theta
        let (v, g): (f64, Vec<f64>) = (
            v / self.scale,
            g.iter()
                .zip(&exp)
                .map(|(g, t)| g * t / self.scale)
                .collect(),
        );
        let (v, g) = if v.is_finite() && g.iter().all(|x| x.is_finite()) {
            (v, g)
        } else {
            (f64::INFINITY, vec![0.0; lp.len()])
        };
        *last = Some((lp.to_vec(), v, g.clone()));
        (v, g)
    }
}
impl<F: Fn(&[f64]) -> (f64, Vec<f64>)> CostFunction for &Cost<F> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Self::Param) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.eval(p).0)
    }
}
impl<F: Fn(&[f64]) -> (f64, Vec<f64>)> Gradient for &Cost<F> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, p: &Self::Param) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        Ok(self.eval(p).1)
    }
}

/// Minimise `f` (value and gradient at positive parameters) over log-parameters from `start`
/// with L-BFGS and a More-Thuente line search, stopping when the gradient's norm is below
/// 1e-9 of the starting value's size. Falls back to Nelder-Mead on the value alone when L-BFGS
/// fails or stops short. Returns (parameters, minimum, iterations, converged).
pub(crate) fn minimise_grad(
    f: impl Fn(&[f64]) -> (f64, Vec<f64>) + Sync,
    start: &[f64],
) -> Result<(Vec<f64>, f64, u64, bool)> {
    let x0: Vec<f64> = start.iter().map(|v| v.ln()).collect();
    let f0 = {
        let exp: Vec<f64> = x0.iter().map(|x| x.exp()).collect();
        f(&exp).0.abs()
    };
    let scale = if f0.is_finite() { f0.max(1.0) } else { 1.0 };
    let cost = Cost {
        f: &f,
        scale,
        last: Mutex::new(None),
    };
    let tol = 5e-9;
    /// The scaled gradient norm at which a stopped L-BFGS run is taken as converged.
    const ACCEPT_GRAD: f64 = 1e-8;
    // L-BFGS from the start; when its line search gives up on a badly scaled ridge (Gamma-Gamma's
    // q and gamma), again from the best point with a fresh memory, while that still improves.
    let mut from = x0.clone();
    let mut best_cost = f64::INFINITY;
    let mut total_iters = 0;
    for _ in 0..6 {
        let lbfgs = LBFGS::new(MoreThuenteLineSearch::new(), 7)
            .with_tolerance_grad(tol)
            .and_then(|s| s.with_tolerance_cost(0.0))
            .map_err(|e| Error::Internal(format!("optimiser: {e}")))?;
        let Ok(res) = Executor::new(&cost, lbfgs)
            .configure(|s| s.param(from.clone()).max_iters(500))
            .run()
        else {
            break;
        };
        let st = res.state();
        total_iters += st.get_iter();
        crate::timing::note(|| {
            format!(
                "L-BFGS: {} iterations, {} evaluations, gradient norm {:?} (tolerance {tol:e}), {:?}",
                st.get_iter(),
                st.get_func_counts().get("cost_count").copied().unwrap_or(0),
                st.get_gradient()
                    .map(|g| g.iter().map(|v| v * v).sum::<f64>().sqrt()),
                st.get_termination_status()
            )
        });
        let Some(best) = st.get_best_param() else {
            break;
        };
        // The line search gives up where the cost is flat to rounding, which is often already
        // at the optimum: judge by the gradient there (scaled, so relative to the likelihood).
        let norm = cost.eval(best).1.iter().map(|v| v * v).sum::<f64>().sqrt();
        crate::timing::note(|| format!("L-BFGS: gradient norm at the best point {norm:e}"));
        if norm <= ACCEPT_GRAD {
            return Ok((
                best.iter().map(|x| x.exp()).collect(),
                st.get_best_cost() * scale,
                total_iters,
                true,
            ));
        }
        if !(st.get_best_cost() < best_cost) {
            break;
        }
        best_cost = st.get_best_cost();
        from = best.clone();
    }
    crate::timing::note(|| "L-BFGS stopped short: Nelder-Mead".into());
    let from: Vec<f64> = from.iter().map(|x| x.exp()).collect();
    minimise(|p| f(p).0, &from)
}

/// Fit BG/NBD by maximum likelihood from the neutral start r = alpha = a = b = 1: L-BFGS with
/// the analytic gradient over the distinct customer profiles.
pub(crate) fn fit_bgnbd(prof: &Profiles) -> Result<(BgNbd, f64, u64, bool)> {
    let (p, nll, it, ok) = minimise_grad(
        |p| {
            let (ll, g) = BgNbd {
                r: p[0],
                alpha: p[1],
                a: p[2],
                b: p[3],
            }
            .ll_grad(prof);
            (-ll, g.iter().map(|v| -v).collect())
        },
        &[1.0, 1.0, 1.0, 1.0],
    )?;
    Ok((
        BgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        },
        -nll,
        it,
        ok,
    ))
}

/// Fit Pareto/NBD by maximum likelihood from the neutral start r = alpha = s = beta = 1.
pub(crate) fn fit_pareto(prof: &Profiles) -> Result<(ParetoNbd, f64, u64, bool)> {
    let (p, nll, it, ok) = minimise(
        |p| {
            -ParetoNbd {
                r: p[0],
                alpha: p[1],
                s: p[2],
                beta: p[3],
            }
            .ll_profiles(prof)
        },
        &[1.0, 1.0, 1.0, 1.0],
    )?;
    Ok((
        ParetoNbd {
            r: p[0],
            alpha: p[1],
            s: p[2],
            beta: p[3],
        },
        -nll,
        it,
        ok,
    ))
}

/// Fit Gamma-Gamma on the repeat buyers (x > 0) from the neutral start p = q = gamma = 1.
pub(crate) fn fit_gamma_gamma(data: &[Rfm]) -> Result<(GammaGamma, f64, usize, u64, bool)> {
    let rep: Vec<&Rfm> = data
        .iter()
        .filter(|c| c.x > 0.0 && c.monetary > 0.0)
        .collect();
    if rep.is_empty() {
        return Err(Error::input(crate::tr!(
            "no repeat buyers with a positive spend: Gamma-Gamma cannot be fitted",
            "没有消费金额为正的复购客户：无法拟合 Gamma-Gamma 模型"
        )));
    }
    // Nelder-Mead: on Gamma-Gamma's ridge (q and gamma large together) L-BFGS's line search
    // fails where the simplex walks on.
    let spends = Spends::new(&rep);
    let (p, nll, it, ok) = minimise(
        |p| {
            -GammaGamma {
                p: p[0],
                q: p[1],
                gamma: p[2],
            }
            .ll_spends(&spends)
        },
        &[1.0, 1.0, 1.0],
    )?;
    Ok((
        GammaGamma {
            p: p[0],
            q: p[1],
            gamma: p[2],
        },
        -nll,
        rep.len(),
        it,
        ok,
    ))
}

/// A purchase model's conditional expectation (BG/NBD, Pareto/NBD).
pub(crate) trait Expected: Sync {
    fn expected(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64;
    fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64;

    /// Per profile: (P(alive), expected purchases in the next `h`, discounted purchases over
    /// `months` as in [`discounted_purchases`]), in parallel.
    fn per_profile(
        &self,
        p: &Profiles,
        h: f64,
        months: usize,
        discount: f64,
        unit_days: f64,
    ) -> Vec<(f64, f64, f64)> {
        (0..p.len())
            .into_par_iter()
            .map(|i| {
                let (x, tx, t) = (p.x[i], p.t_x[i], p.t[i]);
                (
                    self.p_alive(x, tx, t),
                    self.expected(x, tx, t, h),
                    discounted_purchases(
                        |h| self.expected(x, tx, t, h),
                        months,
                        discount,
                        unit_days,
                    ),
                )
            })
            .collect()
    }
}

impl Expected for BgNbd {
    fn expected(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        BgNbd::expected(self, x, t_x, t, h)
    }
    fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        BgNbd::p_alive(self, x, t_x, t)
    }

    /// The expectation is num(x, T, h) / den(x, t_x, T): the 2F1 in the numerator is computed
    /// once per distinct (x, T), far fewer than the (x, t_x, T) profiles.
    fn per_profile(
        &self,
        p: &Profiles,
        h: f64,
        months: usize,
        discount: f64,
        unit_days: f64,
    ) -> Vec<(f64, f64, f64)> {
        let mut pairs: HashMap<(u64, u64), u32> = HashMap::new();
        let mut keys: Vec<(f64, f64)> = Vec::new();
        let pair_of: Vec<u32> = (0..p.len())
            .map(|i| {
                *pairs
                    .entry((p.x[i].to_bits(), p.t[i].to_bits()))
                    .or_insert_with(|| {
                        keys.push((p.x[i], p.t[i]));
                        (keys.len() - 1) as u32
                    })
            })
            .collect();
        // Per (x, T): (numerator at h, discounted numerators over the months).
        let nums: Vec<(f64, f64)> = keys
            .par_iter()
            .map(|&(x, t)| {
                let at_h = if h > 0.0 {
                    self.expected_num(x, t, h)
                } else {
                    0.0
                };
                (
                    at_h,
                    discounted_purchases(
                        |h| self.expected_num(x, t, h),
                        months,
                        discount,
                        unit_days,
                    ),
                )
            })
            .collect();
        (0..p.len())
            .into_par_iter()
            .map(|i| {
                let (x, tx, t) = (p.x[i], p.t_x[i], p.t[i]);
                let den = self.expected_den(x, tx, t);
                let (at_h, disc) = nums[pair_of[i] as usize];
                (self.p_alive(x, tx, t), at_h / den, disc / den)
            })
            .collect()
    }
}

impl Expected for ParetoNbd {
    fn expected(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        ParetoNbd::expected(self, x, t_x, t, h)
    }
    fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        ParetoNbd::p_alive(self, x, t_x, t)
    }
}

/// The discounted expected purchases over `months` of an expectation `expected(h)` (purchases
/// in the next h units): the sum over months i of the expected purchases in month i /
/// (1 + discount)^i (a month = 365.25/12 days, in the model's time
/// unit). A customer's CLV is this x expected spend x margin.
pub(crate) fn discounted_purchases(
    expected: impl Fn(f64) -> f64,
    months: usize,
    discount: f64,
    unit_days: f64,
) -> f64 {
    let month = 365.25 / 12.0 / unit_days;
    let mut prev = 0.0;
    let mut total = 0.0;
    for i in 1..=months {
        let e = expected(month * i as f64);
        total += (e - prev) / (1.0 + discount).powi(i as i32);
        prev = e;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyp2f1_near_one_by_the_connection_formula() {
        // A&S 15.1.6: 2F1(1/2, 1/2; 3/2; z) = arcsin(sqrt z) / sqrt z (c - a - b = 1/2).
        for z in [0.8_f64, 0.95, 0.99, 0.9999] {
            let want = z.sqrt().asin() / z.sqrt();
            let got = hyp2f1(0.5, 0.5, 1.5, z);
            assert!((got - want).abs() < 1e-12, "z={z}: {got} vs {want}");
        }
        // A&S 15.1.8 with large a and c - a - b = -a non-integer: (1 - z)^(-a).
        for (a, z) in [(25.5, 0.95), (80.5, 0.9), (0.3, 0.999)] {
            let want = (1.0_f64 - z).powf(-a);
            let got = hyp2f1(a, 3.0, 3.0, z);
            assert!(
                ((got - want) / want).abs() < 1e-9,
                "a={a} z={z}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn hyp2f1_closed_forms() {
        // Abramowitz & Stegun 15.1.3: 2F1(1, 1; 2; z) = -ln(1 - z) / z.
        for z in [0.1, 0.5, 0.9, 0.99, 0.999, -0.7, -3.0] {
            let want = -(1.0_f64 - z).ln() / z;
            let got = hyp2f1(1.0, 1.0, 2.0, z);
            assert!(
                (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                "z={z}: {got} vs {want}"
            );
        }
        // A&S 15.1.8: 2F1(a, b; b; z) = (1 - z)^(-a), large a.
        for (a, z) in [(0.5, 0.3), (25.0, 0.95), (120.0, 0.6)] {
            let want = (1.0_f64 - z).powf(-a);
            let got = hyp2f1(a, 3.0, 3.0, z);
            assert!(
                ((got - want) / want).abs() < 1e-10,
                "a={a} z={z}: {got} vs {want}"
            );
        }
        // A&S 15.1.5: 2F1(1/2, 1; 3/2; -z^2) = arctan(z) / z.
        for zz in [0.3_f64, 0.9, 2.0] {
            let want = zz.atan() / zz;
            let got = hyp2f1(0.5, 1.0, 1.5, -zz * zz);
            assert!((got - want).abs() < 1e-12, "{zz}: {got} vs {want}");
        }
    }

    #[test]
    fn cached_likelihood_equals_the_per_customer_formula() {
        let m = BgNbd {
            r: 0.24,
            alpha: 4.4,
            a: 0.79,
            b: 2.4,
        };
        let data: Vec<Rfm> = [(0.0, 0.0, 38.0), (2.0, 30.43, 38.86), (7.0, 35.0, 39.0)]
            .iter()
            .map(|&(x, t_x, t)| Rfm {
                customer: String::new(),
                x,
                t_x,
                t,
                monetary: 0.0,
            })
            .collect();
        let direct: f64 = data.iter().map(|c| m.ll_one(c.x, c.t_x, c.t)).sum();
        assert!(
            (m.ll_grad(&Profiles::new(&data)).0 - direct).abs() < 1e-9,
            "{} vs {direct}",
            m.ll_grad(&Profiles::new(&data)).0
        );
    }

    fn sample() -> Vec<Rfm> {
        // Repeated triples on purpose: profiles must weight them.
        [
            (0.0, 0.0, 38.0, 0.0),
            (0.0, 0.0, 38.0, 0.0),
            (2.0, 30.43, 38.86, 12.5),
            (7.0, 35.0, 39.0, 40.0),
            (7.0, 35.0, 39.0, 22.0),
            (1.0, 3.0, 20.0, 9.0),
            (3.0, 10.0, 12.0, 100.0),
        ]
        .iter()
        .map(|&(x, t_x, t, monetary)| Rfm {
            customer: String::new(),
            x,
            t_x,
            t,
            monetary,
        })
        .collect()
    }

    /// Central differences of `f` at `p`, step h * p.
    fn numeric_grad(f: impl Fn(&[f64]) -> f64, p: &[f64]) -> Vec<f64> {
        (0..p.len())
            .map(|i| {
                let h = 1e-6 * p[i];
                let (mut up, mut dn) = (p.to_vec(), p.to_vec());
                up[i] += h;
                dn[i] -= h;
                (f(&up) - f(&dn)) / (2.0 * h)
            })
            .collect()
    }

    #[test]
    fn bgnbd_profile_likelihood_and_gradient_match_the_per_customer_formula() {
        let data = sample();
        let prof = Profiles::new(&data);
        assert_eq!(prof.len(), 5);
        let at = |p: &[f64]| BgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        };
        let p = [0.24, 4.4, 0.79, 2.4];
        let direct =
            |p: &[f64]| -> f64 { data.iter().map(|c| at(p).ll_one(c.x, c.t_x, c.t)).sum() };
        let (ll, g) = at(&p).ll_grad(&prof);
        assert!((ll - direct(&p)).abs() < 1e-9, "{ll} vs {}", direct(&p));
        let num = numeric_grad(direct, &p);
        for i in 0..4 {
            assert!(
                (g[i] - num[i]).abs() < 1e-5 * num[i].abs().max(1.0),
                "d{i}: {} vs {}",
                g[i],
                num[i]
            );
        }
    }

    #[test]
    fn gamma_gamma_grouped_likelihood_matches_the_per_customer_sum() {
        let data = sample();
        let rep: Vec<&Rfm> = data.iter().filter(|c| c.x > 0.0).collect();
        let m = GammaGamma {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        };
        let direct: f64 = rep.iter().map(|c| m.ll_one(c.x, c.monetary)).sum();
        let got = m.ll_spends(&Spends::new(&rep));
        assert!((got - direct).abs() < 1e-9, "{got} vs {direct}");
    }

    #[test]
    fn bgnbd_per_profile_predictions_equal_the_per_customer_formulas() {
        let data = sample();
        let prof = Profiles::new(&data);
        let m = BgNbd {
            r: 0.24,
            alpha: 4.4,
            a: 0.79,
            b: 2.4,
        };
        let per = Expected::per_profile(&m, &prof, 39.0, 12, 0.01, 7.0);
        for (i, c) in data.iter().enumerate() {
            let (alive, e, d) = per[prof.of[i] as usize];
            assert_eq!(alive, m.p_alive(c.x, c.t_x, c.t));
            assert!((e - m.expected(c.x, c.t_x, c.t, 39.0)).abs() < 1e-12);
            let want = discounted_purchases(|h| m.expected(c.x, c.t_x, c.t, h), 12, 0.01, 7.0);
            assert!((d - want).abs() < 1e-12, "{d} vs {want}");
        }
        // The published CDNOW customer (x = 2, t_x = 30.43, T = 38.86) expects 1.226 purchases
        // in 39 weeks under the published parameters.
        let m = BgNbd {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        };
        let one = Profiles::new(&data[2..3]);
        let e = Expected::per_profile(&m, &one, 39.0, 1, 0.0, 7.0)[0].1;
        assert!((e - 1.226).abs() < 5e-4, "{e}");
    }

    #[test]
    fn pareto_profile_likelihood_matches_the_per_customer_sum() {
        let data = sample();
        let m = ParetoNbd {
            r: 0.55,
            alpha: 10.58,
            s: 0.61,
            beta: 11.67,
        };
        let direct: f64 = data.iter().map(|c| m.ll_one(c.x, c.t_x, c.t)).sum();
        let got = m.ll_profiles(&Profiles::new(&data));
        assert!((got - direct).abs() < 1e-9, "{got} vs {direct}");
    }

    #[test]
    fn rfm_counts_days_once_and_includes_the_end_day() {
        // Customer 0: day 0 (10 + 5 the same day), day 7 (20), day 14 (30, the calibration end).
        let mut p = vec![
            (0, 0, 10.0),
            (0, 0, 5.0),
            (0, 7, 20.0),
            (0, 14, 30.0),
            (0, 21, 99.0),
        ];
        let r = rfm(&mut p, &["c".into()], 14, 7.0);
        assert_eq!(r[0].x, 2.0);
        assert_eq!((r[0].t_x, r[0].t), (2.0, 2.0));
        assert_eq!(r[0].monetary, 25.0);
    }
}

#[cfg(test)]
mod churn_tests {
    use super::*;

    /// Issue 27: every eligible customer churned over the default 365 days gave 1.0007.
    /// By hand: share 1 -> 1 - 0^(365.25/365) = 1; share 1/2 over 182.625 days (half a year)
    /// -> 1 - (1/2)^2 = 0.75; share 1/2 over 1y -> 0.5.
    #[test]
    fn annual_churn_never_passes_one() {
        // (orders, revenue, first day, last day) with as-of day 1000.
        let gone: Vec<CustomerTotals> = vec![(1, 10.0, 0, 10), (1, 10.0, 0, 20)];
        let s = simple(&gone, 1000, 1000.0, 365.0, 1.0);
        assert_eq!(s.annual_churn, Some(1.0));
        assert_eq!(s.lifespan_years, Some(1.0));
        let half: Vec<CustomerTotals> = vec![(1, 10.0, 0, 10), (2, 20.0, 0, 990)];
        let s = simple(&half, 1000, 1000.0, 182.625, 1.0);
        assert!((s.annual_churn.unwrap_or(0.0) - 0.75).abs() < 1e-12);
        let s = simple(&half, 1000, 1000.0, 365.25, 1.0);
        assert!((s.annual_churn.unwrap_or(0.0) - 0.5).abs() < 1e-12);
    }
}
