//! Customers valued by a fitted purchase model (METRICS.md "CLTV", probabilistic): BG/NBD or
//! Pareto/NBD for how many purchases, Gamma-Gamma for how much each, discounted over a horizon
//! and times the margin. RFM summaries in, the fit and one typed row per customer out; the
//! holdout check compares the model's prediction with what customers then bought.

use rayon::prelude::*;

use crate::error::Result;
use crate::metrics::clv::{self, Expected, GammaGamma, Profiles, Rfm};

/// The purchase model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    BgNbd,
    ParetoNbd,
}

#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub model: Model,
    /// Days per time unit of the RFM summaries.
    pub unit_days: f64,
    /// The horizon of the expected purchases, in units.
    pub horizon: f64,
    /// Months of discounted purchases in the CLV.
    pub months: usize,
    /// Monthly discount rate.
    pub discount: f64,
    pub margin: f64,
}

/// The fitted parameters of the purchase model and of Gamma-Gamma.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub names: [&'static str; 4],
    pub params: [f64; 4],
    pub log_likelihood: f64,
    pub iterations: u64,
    pub converged: bool,
    pub gamma_gamma: GammaGamma,
    pub gg_log_likelihood: f64,
    /// Customers Gamma-Gamma was fitted on (x > 0, positive spend).
    pub repeat_buyers: usize,
    pub gg_iterations: u64,
    pub gg_converged: bool,
}

/// One customer's value; `index` is its place in the RFM data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CustomerValue {
    pub index: usize,
    pub p_alive: f64,
    pub expected_purchases: f64,
    pub expected_aov: f64,
    pub clv: f64,
}

/// One calibration frequency's customers in the holdout: predicted and actual repeat purchase
/// days. `frequency` 7 stands for 7 and over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoldoutBucket {
    pub frequency: u32,
    pub customers: u64,
    pub predicted: f64,
    pub actual: f64,
}

pub struct Valuation {
    pub fit: Fit,
    /// Highest value first, ties by customer id.
    pub customers: Vec<CustomerValue>,
    pub(crate) profiles: Profiles,
    model: Box<dyn Expected>,
}

/// Fit the models on `data` and value every customer.
pub fn value(data: &[Rfm], p: &Params) -> Result<Valuation> {
    let profiles = Profiles::new(data);
    let t = crate::timing::span("cltv: fit");
    let (model, names, params, ll, it, ok): (Box<dyn Expected>, _, _, _, _, _) = match p.model {
        Model::ParetoNbd => {
            let (m, ll, it, ok) = clv::fit_pareto(&profiles)?;
            let ps = [m.r, m.alpha, m.s, m.beta];
            (Box::new(m), ["r", "alpha", "s", "beta"], ps, ll, it, ok)
        }
        Model::BgNbd => {
            let (m, ll, it, ok) = clv::fit_bgnbd(&profiles)?;
            let ps = [m.r, m.alpha, m.a, m.b];
            (Box::new(m), ["r", "alpha", "a", "b"], ps, ll, it, ok)
        }
    };
    drop(t);
    let t = crate::timing::span("cltv: fit gamma-gamma");
    let (gg, gll, n_rep, git, gok) = clv::fit_gamma_gamma(data)?;
    drop(t);
    // P(alive), expected purchases and discounted purchases once per distinct (x, t_x, T),
    // in parallel; each customer then only scales by their expected spend.
    let t = crate::timing::span("cltv: per customer");
    let per = model.per_profile(&profiles, p.horizon, p.months, p.discount, p.unit_days);
    drop(t);
    let _t = crate::timing::span("cltv: per customer rows and sort");
    let mut customers: Vec<CustomerValue> = data
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let spend = if c.x > 0.0 && c.monetary > 0.0 {
                gg.expected_spend(c.x, c.monetary)
            } else {
                gg.p * gg.gamma / (gg.q - 1.0)
            };
            let (alive, expected, disc) = per[profiles.of[i] as usize];
            CustomerValue {
                index: i,
                p_alive: alive,
                expected_purchases: expected,
                expected_aov: spend,
                clv: disc * spend * p.margin,
            }
        })
        .collect();
    sort_by_value(&mut customers, data);
    Ok(Valuation {
        fit: Fit {
            names,
            params,
            log_likelihood: ll,
            iterations: it,
            converged: ok,
            gamma_gamma: gg,
            gg_log_likelihood: gll,
            repeat_buyers: n_rep,
            gg_iterations: git,
            gg_converged: gok,
        },
        customers,
        profiles,
        model,
    })
}

/// By value, highest first, ties by customer id: first by value alone, then each run of equal
/// values by id (customers with the same profile tie, often by the hundred).
fn sort_by_value(rows: &mut [CustomerValue], data: &[Rfm]) {
    rows.par_sort_unstable_by(|x, y| y.clv.total_cmp(&x.clv));
    let mut start = 0;
    while start < rows.len() {
        let v = rows[start].clv.to_bits();
        let mut end = start + 1;
        while end < rows.len() && rows[end].clv.to_bits() == v {
            end += 1;
        }
        if end - start > 1 {
            rows[start..end]
                .sort_unstable_by(|x, y| data[x.index].customer.cmp(&data[y.index].customer));
        }
        start = end;
    }
}

impl Valuation {
    /// Predicted against actual repeat purchases over `horizon` units after the calibration
    /// end, per calibration frequency (0..=6, then 7 and over); `actual(i)` is customer i's
    /// count of purchase days in the holdout.
    pub fn holdout(
        &self,
        data: &[Rfm],
        actual: impl Fn(usize) -> usize,
        horizon: f64,
    ) -> Vec<HoldoutBucket> {
        let prof = &self.profiles;
        let preds: Vec<f64> = (0..prof.len())
            .into_par_iter()
            .map(|i| {
                self.model
                    .expected(prof.x[i], prof.t_x[i], prof.t[i], horizon)
            })
            .collect();
        let mut buckets: std::collections::BTreeMap<u32, HoldoutBucket> = Default::default();
        for (i, c) in data.iter().enumerate() {
            let f = (c.x as u32).min(7);
            let b = buckets.entry(f).or_insert(HoldoutBucket {
                frequency: f,
                customers: 0,
                predicted: 0.0,
                actual: 0.0,
            });
            b.customers += 1;
            b.predicted += preds[prof.of[i] as usize];
            b.actual += actual(i) as f64;
        }
        buckets.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfm(id: &str, x: f64, t_x: f64, t: f64, m: f64) -> Rfm {
        Rfm {
            customer: id.into(),
            x,
            t_x,
            t,
            monetary: m,
        }
    }

    /// The sort: value descending, equal values by customer id (worked by hand).
    #[test]
    fn customers_sort_by_value_then_id() {
        let data = [
            rfm("b", 0.0, 0.0, 1.0, 0.0),
            rfm("a", 0.0, 0.0, 1.0, 0.0),
            rfm("c", 0.0, 0.0, 1.0, 0.0),
        ];
        let mut rows: Vec<CustomerValue> = [(0, 5.0), (1, 5.0), (2, 9.0)]
            .iter()
            .map(|&(index, clv)| CustomerValue {
                index,
                p_alive: 1.0,
                expected_purchases: 0.0,
                expected_aov: 0.0,
                clv,
            })
            .collect();
        sort_by_value(&mut rows, &data);
        let order: Vec<&str> = rows
            .iter()
            .map(|r| data[r.index].customer.as_str())
            .collect();
        assert_eq!(order, ["c", "a", "b"]);
    }

    /// Every customer's value is P(alive)-discounted purchases x expected spend x margin, and a
    /// one-time buyer's expected spend is Gamma-Gamma's population mean p·gamma/(q - 1)
    /// (Fader, Hardie & Lee 2005, "RFM and CLV", eq. 5 with x = 0). The holdout buckets count
    /// every customer once and sum the actual purchases given.
    #[test]
    fn values_follow_the_fitted_models_and_holdout_buckets_add_up() {
        let mut data = Vec::new();
        for i in 0..60 {
            let x = (i % 5) as f64;
            let t = 30.0 + (i % 7) as f64;
            let t_x = if x > 0.0 {
                t - 1.0 - (i % 3) as f64
            } else {
                0.0
            };
            let m = if x > 0.0 { 20.0 + i as f64 } else { 0.0 };
            data.push(rfm(&format!("c{i:02}"), x, t_x, t, m));
        }
        let p = Params {
            model: Model::BgNbd,
            unit_days: 7.0,
            horizon: 52.0,
            months: 12,
            discount: 0.01,
            margin: 0.5,
        };
        let v = value(&data, &p).unwrap();
        let gg = v.fit.gamma_gamma;
        assert_eq!(v.fit.repeat_buyers, 48);
        assert_eq!(v.customers.len(), 60);
        assert!(v.customers.windows(2).all(|w| w[0].clv >= w[1].clv));
        for c in &v.customers {
            let r = &data[c.index];
            if r.x == 0.0 {
                let mean = gg.p * gg.gamma / (gg.q - 1.0);
                assert!((c.expected_aov - mean).abs() < 1e-9 * mean.abs().max(1.0));
            } else {
                assert!((c.expected_aov - gg.expected_spend(r.x, r.monetary)).abs() < 1e-9);
            }
            assert!((0.0..=1.0).contains(&c.p_alive));
        }
        let b = v.holdout(&data, |i| i % 2, 10.0);
        assert_eq!(b.iter().map(|x| x.customers).sum::<u64>(), 60);
        assert_eq!(b.iter().map(|x| x.actual).sum::<f64>(), 30.0);
        assert_eq!(
            b.iter().map(|x| x.frequency).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4]
        );
    }
}
