//! Unit tests of `metrics/clv/mod.rs`.

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
    let direct = |p: &[f64]| -> f64 { data.iter().map(|c| at(p).ll_one(c.x, c.t_x, c.t)).sum() };
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
