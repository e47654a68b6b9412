//! The CLV models' minimisers over log-parameters: argmin's Nelder-Mead, and L-BFGS with an
//! analytic gradient that falls back to Nelder-Mead when it stops short.

use super::*;

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
        // NaN counts as no progress.
        if st.get_best_cost().partial_cmp(&best_cost) != Some(std::cmp::Ordering::Less) {
            break;
        }
        best_cost = st.get_best_cost();
        from = best.clone();
    }
    crate::timing::note(|| "L-BFGS stopped short: Nelder-Mead".into());
    let from: Vec<f64> = from.iter().map(|x| x.exp()).collect();
    minimise(|p| f(p).0, &from)
}
