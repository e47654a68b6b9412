//! `salesctl cltv`: CDNOW through the normal path against the published BG/NBD and Gamma-Gamma
//! results (METRICS.md; Fader, Hardie & Lee 2005) and the lifetimes summary file; the simple
//! model on a hand-made orders file (testdata/handmade/orders.csv), worked out by hand.

use std::collections::HashMap;

use serde_json::Value;

use crate::workdir::{Workdir, s, testdata};

fn cdnow(extra: &[&str]) -> Value {
    let w = Workdir::new();
    let f = s(&testdata("cdnow/CDNOW_sample.txt"));
    let mut a = vec![
        "cltv",
        &f,
        "--no-header",
        "--columns",
        "source_id,customer_id,ordered_at,quantity,amount",
        "--model",
        "bgnbd",
        "--as-of",
        "1997-09-30",
        "--unit",
        "week",
        "--format",
        "json",
    ];
    a.extend(extra);
    let (out, _) = w.expect(&a, 0);
    crate::workdir::json_value(&out).unwrap()
}

#[test]
fn cdnow_rfm_fit_and_prediction_match_published_values() {
    let v = cdnow(&["--horizon", "39w"]);
    let customers = v["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 2357);
    // RFM equals lifetimes' summary for every customer, to its 2-decimal rounding.
    let summary = std::fs::read_to_string(testdata("cdnow/cdnow_customers_summary.csv")).unwrap();
    let mut want: HashMap<String, (f64, f64, f64)> = HashMap::new();
    let mut lines = summary.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let idx = |n: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(n))
            .unwrap_or_else(|| panic!("{n} in {header:?}"))
    };
    let (ci, fi, ri, ti) = (idx("ID"), idx("frequency"), idx("recency"), idx("T"));
    for l in lines {
        let c: Vec<&str> = l.split(',').collect();
        want.insert(
            c[ci].trim().to_string(),
            (
                c[fi].parse().unwrap(),
                c[ri].parse().unwrap(),
                c[ti].parse().unwrap(),
            ),
        );
    }
    assert_eq!(want.len(), 2357);
    for r in customers {
        let id = r["customer_id"].as_str().unwrap().trim_start_matches('0');
        let (x, rec, t) = want
            .get(id)
            .or_else(|| want.get(r["customer_id"].as_str().unwrap()))
            .unwrap_or_else(|| panic!("customer {id}"));
        assert_eq!(r["frequency"].as_f64().unwrap(), *x, "{id}");
        assert!(
            (r["recency"].as_f64().unwrap() - rec).abs() <= 0.005 + 1e-9,
            "{id} recency"
        );
        assert!(
            (r["t"].as_f64().unwrap() - t).abs() <= 0.005 + 1e-9,
            "{id} T"
        );
    }
    // Published: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
    let fit = v["fit"].as_array().unwrap();
    let param = |m: &str, p: &str| {
        fit.iter()
            .find(|r| r["model"] == m && r["parameter"] == p)
            .unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    for (p, want) in [("r", 0.243), ("alpha", 4.414), ("a", 0.793), ("b", 2.426)] {
        assert!(
            (param("bgnbd", p) - want).abs() < 0.0005 + 1e-9,
            "{p}: {}",
            param("bgnbd", p)
        );
    }
    let ll = fit[0]["log_likelihood"].as_f64().unwrap();
    assert!((ll - (-9582.4)).abs() < 0.05, "{ll}");
    assert!(fit.iter().all(|r| r["converged"] == true));
    // Gamma-Gamma on the 946 repeat buyers: p = 6.25, q = 3.74, gamma = 15.44.
    for (p, want) in [("p", 6.25), ("q", 3.74), ("gamma", 15.44)] {
        assert!(
            (param("gamma_gamma", p) - want).abs() < 0.005 + 1e-9,
            "{p}: {}",
            param("gamma_gamma", p)
        );
    }
    assert_eq!(
        fit.iter().find(|r| r["model"] == "gamma_gamma").unwrap()["customers"].as_i64(),
        Some(946)
    );
    // The customer with x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in 39 weeks.
    let c = customers
        .iter()
        .find(|r| {
            r["frequency"] == 2.0
                && (r["recency"].as_f64().unwrap() - 30.43).abs() < 0.005
                && (r["t"].as_f64().unwrap() - 38.86).abs() < 0.005
        })
        .expect("the published customer");
    assert!(
        (c["expected_purchases"].as_f64().unwrap() - 1.226).abs() < 0.0005,
        "{}",
        c["expected_purchases"]
    );
}

#[test]
fn top_and_customers_first() {
    let v = cdnow(&["--top", "5", "--customers"]);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        vec!["customers", "fit"],
        "--customers puts the per-customer table first"
    );
    let c = v["customers"].as_array().unwrap();
    assert_eq!(c.len(), 5);
    assert!(
        c.windows(2)
            .all(|w| w[0]["clv"].as_f64() >= w[1]["clv"].as_f64()),
        "sorted by CLV"
    );
}

fn simple(extra: &[&str]) -> (Value, String) {
    let w = Workdir::new();
    let f = s(&testdata("handmade/orders.csv"));
    let mut a = vec![
        "cltv",
        &f,
        "--as-of",
        "2025-06-30",
        "--margin",
        "0.3",
        "--churn-after",
        "1y",
        "--format",
        "json",
    ];
    a.extend(extra);
    let (out, err) = w.expect(&a, 0);
    (crate::workdir::json_value(&out).unwrap(), err)
}

#[test]
fn simple_model_by_hand() {
    // 7 purchases (the -60 return and the order without a customer are left out), revenue 910,
    // 4 customers: AOV 130; window 2024-01-10..2025-06-30 = 538 days; 7 / 4 / (538 / 365.25)
    // purchases a year; C1 and C3 bought twice or more: repeat 0.5; of the customers first seen a
    // year or more before as-of (C1, C2) C2 has not bought for a year: churn 0.5, lifespan 2.
    let (v, err) = simple(&[]);
    let r = &v.as_array().unwrap()[0];
    assert_eq!(
        (r["customers"].as_i64(), r["orders"].as_i64()),
        (Some(4), Some(7))
    );
    assert_eq!(r["revenue"].as_f64(), Some(910.0));
    assert_eq!(r["aov"].as_f64(), Some(130.0));
    let per_year = 7.0 / 4.0 / (538.0 / 365.25);
    assert!((r["purchases_per_year"].as_f64().unwrap() - per_year).abs() < 1e-9);
    assert_eq!(r["repeat_purchase_rate"].as_f64(), Some(0.5));
    assert_eq!(r["annual_churn"].as_f64(), Some(0.5));
    assert_eq!(r["lifespan_years"].as_f64(), Some(2.0));
    assert!((r["cltv"].as_f64().unwrap() - 130.0 * per_year * 2.0 * 0.3).abs() < 1e-9);
    assert!(
        err.contains("1 cancellations/returns excluded; 1 without a customer id"),
        "{err}"
    );
    assert!(err.contains("model simple"), "{err}");
}

#[test]
fn simple_model_by_cohort_and_channel() {
    let (v, _) = simple(&["--by", "cohort"]);
    let rows = v.as_array().unwrap();
    let y24 = rows.iter().find(|r| r["cohort"] == "2024").unwrap();
    assert_eq!(
        (
            y24["customers"].as_i64(),
            y24["orders"].as_i64(),
            y24["revenue"].as_f64()
        ),
        (Some(3), Some(6), Some(850.0))
    );
    let y25 = rows.iter().find(|r| r["cohort"] == "2025").unwrap();
    assert_eq!(y25["customers"].as_i64(), Some(1));
    let (v, _) = simple(&["--by", "channel"]);
    let web = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["channel"] == "web")
        .unwrap()
        .clone();
    // web: O1, O2 (C1), O5, O6 (C3): 4 orders, 500.
    assert_eq!(
        (web["orders"].as_i64(), web["revenue"].as_f64()),
        (Some(4), Some(500.0))
    );
}

#[test]
fn cdnow_pareto_nbd_matches_published_values() {
    // Published: r = 0.553, alpha = 10.58, s = 0.606, beta = 11.67 (+- 0.01), LL -9595.0.
    let w = Workdir::new();
    let f = s(&testdata("cdnow/CDNOW_sample.txt"));
    let a = [
        "cltv",
        &f,
        "--no-header",
        "--columns",
        "source_id,customer_id,ordered_at,quantity,amount",
        "--model",
        "pareto",
        "--as-of",
        "1997-09-30",
        "--format",
        "json",
        "--table",
        "fit",
    ];
    let (out, _) = w.expect(&a, 0);
    let fit: Vec<Value> = crate::workdir::json_value(&out).unwrap();
    let param = |p: &str| {
        fit.iter()
            .find(|r| r["model"] == "pareto" && r["parameter"] == p)
            .unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    for (p, want) in [
        ("r", 0.553),
        ("alpha", 10.58),
        ("s", 0.606),
        ("beta", 11.67),
    ] {
        assert!((param(p) - want).abs() <= 0.01, "{p}: {}", param(p));
    }
    let ll = fit[0]["log_likelihood"].as_f64().unwrap();
    assert!((ll - (-9595.0)).abs() < 0.05, "{ll}");
}

#[test]
fn cac_ltv_cac_and_payback_by_hand() {
    // First orders: C1 2024-01 web, C2 2024-02 shop, C3 2024-11 web, C4 2025-03 partner.
    // testdata/handmade/spend.csv: web 300 + 100, shop 200, partner 150, ads 50 (no customers).
    let w = Workdir::new();
    let o = s(&testdata("handmade/orders.csv"));
    let sp = s(&testdata("handmade/spend.csv"));
    let base = [
        "cac",
        "--spend",
        &sp,
        &o,
        "--as-of",
        "2025-06-30",
        "--margin",
        "0.3",
        "--churn-after",
        "1y",
        "--format",
        "json",
    ];
    let (out, err) = w.expect(&base, 0);
    let v: Value = crate::workdir::json_value(&out).unwrap();
    let per = v["cac"].as_array().unwrap();
    let find = |p: &str, c: &str| {
        per.iter()
            .find(|r| r["period"] == p && r["channel"] == c)
            .unwrap()
            .clone()
    };
    assert_eq!(find("2024-01", "web")["cac"].as_f64(), Some(300.0));
    let ads = find("2025-03", "ads");
    assert_eq!(
        (ads["spend"].as_f64(), ads["new_customers"].as_i64()),
        (Some(50.0), Some(0))
    );
    assert!(
        ads["cac"].is_null(),
        "spend without customers: shown, CAC undefined"
    );
    assert_eq!(
        find("2025-03", "(all)")["cac"].as_f64(),
        Some(200.0),
        "(150 + 50) / 1"
    );
    assert!(err.contains("spend but no new customers: ads"), "{err}");
    let sum = v["summary"].as_array().unwrap();
    let row = |c: &str| sum.iter().find(|r| r["channel"] == c).unwrap().clone();
    let all = row("(all)");
    assert_eq!(all["cac"].as_f64(), Some(200.0)); // 800 / 4
    // CLTV (simple, as in simple_model_by_hand) = 130 x 7/4/(538/365.25) x 2 x 0.3.
    let cltv = 130.0 * (7.0 / 4.0 / (538.0 / 365.25)) * 2.0 * 0.3;
    assert!((all["cltv"].as_f64().unwrap() - cltv).abs() < 1e-9);
    assert!((all["ltv_cac"].as_f64().unwrap() - cltv / 200.0).abs() < 1e-9);
    // Payback: 200 / (910 / 4 customers / (538 / (365.25 / 12)) months x 0.3).
    let monthly = 910.0 / 4.0 / (538.0 / (365.25 / 12.0)) * 0.3;
    assert!((all["payback_months"].as_f64().unwrap() - 200.0 / monthly).abs() < 1e-9);
    // web: C1 and C3, 800 revenue: payback 200 / (800 / 2 / 17.6756 x 0.3).
    let web_monthly = 800.0 / 2.0 / (538.0 / (365.25 / 12.0)) * 0.3;
    assert!((row("web")["payback_months"].as_f64().unwrap() - 200.0 / web_monthly).abs() < 1e-9);
    // Quarterly: 2024-Q1 holds web 300 and shop 200 for two new customers.
    let mut q = base.to_vec();
    q.extend(["--freq", "quarter"]);
    let (out, _) = w.expect(&q, 0);
    let v: Value = crate::workdir::json_value(&out).unwrap();
    let q1 = v["cac"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["period"] == "2024-Q1" && r["channel"] == "(all)")
        .unwrap()
        .clone();
    assert_eq!(
        (
            q1["spend"].as_f64(),
            q1["new_customers"].as_i64(),
            q1["cac"].as_f64()
        ),
        (Some(500.0), Some(2), Some(250.0))
    );
}

#[test]
fn cdnow_holdout_actuals_per_frequency_bucket() {
    // Actual repeat purchase days in the 39 weeks after 1997-09-30, by calibration frequency,
    // counted independently with pandas (nunique dates per customer in (1997-09-30, 1998-06-30]).
    let v = cdnow(&["--holdout", "39w", "--table", "holdout"]);
    let rows = v.as_array().unwrap();
    let want = [
        ("0", 1411, 334),
        ("1", 439, 306),
        ("2", 214, 298),
        ("3", 100, 156),
        ("4", 62, 157),
        ("5", 38, 112),
        ("6", 29, 112),
        ("7+", 64, 407),
        ("(all)", 2357, 1882),
    ];
    assert_eq!(rows.len(), want.len());
    for (r, (b, n, act)) in rows.iter().zip(want) {
        assert_eq!(
            (
                r["frequency"].as_str(),
                r["customers"].as_i64(),
                r["actual"].as_i64()
            ),
            (Some(b), Some(n), Some(act))
        );
        assert!(r["predicted"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn clv_discount_and_margin_against_lifetimes() {
    // lifetimes 0.11.3 (BetaGeoFitter + GammaGammaFitter.customer_lifetime_value, time = 12,
    // freq = "W") on the same CDNOW calibration: customer 1 has CLV 36.2740 at a monthly
    // discount of 0.01 and 38.5124 at 0. lifetimes' month is 4.345 weeks, METRICS' 365.25/12
    // days (4.348 weeks): the values agree to 0.15%. The margin scales CLV.
    let get = |extra: &[&str]| -> f64 {
        let mut a = vec!["--table", "customers"];
        a.extend(extra);
        let v = cdnow(&a);
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["customer_id"] == "0001")
            .unwrap()["clv"]
            .as_f64()
            .unwrap()
    };
    let base = get(&[]);
    assert!((base / 36.2740 - 1.0).abs() < 0.0015, "{base}");
    let undiscounted = get(&["--discount", "0"]);
    assert!(
        (undiscounted / 38.5124 - 1.0).abs() < 0.0015,
        "{undiscounted}"
    );
    assert!((get(&["--margin", "0.5"]) - base * 0.5).abs() < 1e-9);
}

#[test]
fn periods_reproduce_lifetimes_weekly_summary_and_fit() {
    // Expected values from Python lifetimes 0.11.3 (an independent tool), run on the same file:
    // summary_data_from_transaction_data(orders, "cust", "date", monetary_value_col="amt",
    // observation_period_end="1997-09-30", freq="W"), then BetaGeoFitter and GammaGammaFitter
    // (penalizer 0) on the 2,357 customers and the 935 repeat buyers with a positive spend.
    let v = cdnow(&["--periods", "--horizon", "12m"]);
    let fit = v["fit"].as_array().unwrap();
    let param = |m: &str, p: &str| {
        fit.iter()
            .find(|r| r["model"] == m && r["parameter"] == p)
            .and_then(|r| r["value"].as_f64())
            .unwrap_or_else(|| panic!("{m} {p}"))
    };
    for (m, p, want) in [
        ("bgnbd", "r", 0.2909363194028945),
        ("bgnbd", "alpha", 6.852093906789362),
        ("bgnbd", "a", 0.6652493616034926),
        ("bgnbd", "b", 2.3203235036766894),
        ("gamma_gamma", "p", 6.587852830757464),
        ("gamma_gamma", "q", 3.3533888474903892),
        ("gamma_gamma", "gamma", 13.398969898323674),
    ] {
        let got = param(m, p);
        assert!(
            ((got - want) / want).abs() < 1e-3,
            "{m} {p}: {got} vs lifetimes {want}"
        );
    }
    assert_eq!(fit[4]["customers"], 935);
    // lifetimes counts customer 364's purchase weeks as 6 (frequency 5), the last in the week
    // of the calibration end (recency 37 = T 37), and customer 1259 as frequency 2, recency 33.
    let customers = v["customers"].as_array().unwrap();
    let row = |id: &str| {
        customers
            .iter()
            .find(|c| c["customer_id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    for (id, x, t_x, t) in [("0364", 5.0, 37.0, 37.0), ("1259", 2.0, 33.0, 33.0)] {
        let c = row(id);
        assert_eq!(
            (
                c["frequency"].as_f64(),
                c["recency"].as_f64(),
                c["t"].as_f64()
            ),
            (Some(x), Some(t_x), Some(t)),
            "{id}"
        );
    }
}

/// The same orders give the same bytes every run (the customers' totals were summed in a hash
/// map's order, which changes from run to run, and the revenue's last digits with it); the
/// ingested DIR gives the export's bytes too.
#[test]
fn simple_model_is_the_same_every_run_and_from_a_dir() {
    let w = Workdir::new();
    let orders = s(&testdata("gencrm2000/orders.csv"));
    let (first, _) = w.expect(&["cltv", &orders, "--format", "csv"], 0);
    for _ in 0..4 {
        assert_eq!(w.expect(&["cltv", &orders, "--format", "csv"], 0).0, first);
    }
    let dir = s(&w.path("o.d"));
    w.expect(&["ingest", &orders, "-o", &dir, "-q"], 0);
    assert_eq!(w.expect(&["cltv", &dir, "--format", "csv"], 0).0, first);
}

/// Issue 27 item 1: the per-customer table (2,357 CDNOW customers) is printed as a table only
/// with --customers (as its help says); JSON carries it always.
#[test]
fn customers_table_printed_only_when_asked() {
    let w = Workdir::new();
    let f = s(&testdata("cdnow/CDNOW_sample.txt"));
    let base = [
        "cltv",
        &f,
        "--no-header",
        "--columns",
        "source_id,customer_id,ordered_at,quantity,amount",
        "--model",
        "bgnbd",
        "--as-of",
        "1997-09-30",
        "--unit",
        "week",
        "--format",
        "table",
    ];
    let (out, _) = w.expect(&base, 0);
    assert!(!out.contains("customers\n"), "{out}");
    assert!(
        out.contains("per-customer table not printed: --customers prints it"),
        "{out}"
    );
    let (out, _) = w.expect(&[&base[..], &["--customers"]].concat(), 0);
    assert!(
        out.starts_with("customers\n"),
        "{}",
        &out[..200.min(out.len())]
    );
    assert!(out.lines().count() > 2357, "every customer row");
}
