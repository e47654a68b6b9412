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

mod bgnbd;
mod gamma;
mod hyp;
mod optim;
mod pareto;

pub(crate) use bgnbd::*;
pub use gamma::*;
pub(crate) use hyp::*;
pub(crate) use optim::*;
pub(crate) use pareto::*;

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
mod tests;

#[cfg(test)]
mod churn_tests;
