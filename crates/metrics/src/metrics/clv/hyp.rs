//! The Gauss hypergeometric function 2F1, which the BG/NBD conditional expectation needs: the
//! power series, Pfaff's transformation and the connection formula to 1 - z.

use super::*;

/// The Gauss hypergeometric function 2F1(a, b; c; z) for real z < 1 (c not a non-positive
/// integer):
/// - -0.5 <= z <= 0.75: the power series;
/// - z < -0.5: Pfaff's transformation 2F1(a,b;c;z) = (1-z)^(-b) 2F1(c-a, b; c; z/(z-1)), whose
///   argument lies in (1/3, 1);
/// - z > 0.75 with c - a - b not an integer: the connection formula to 1 - z (Abramowitz & Stegun
///   15.3.6), its Gamma-function coefficients combined in log space so large parameters do not
///   overflow; with c - a - b an integer, the power series (positive terms for positive a, b, c).
///
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
