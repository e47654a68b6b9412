//! `salesctl forecast` and `salesctl plan` on testdata/handmade/forecast (rules in
//! testdata/README.md). Every expected value was worked out by hand from METRICS.md's
//! definitions and again, independently, by a separate Python script written from the same
//! definitions without the program's code (seasonal naive sigma, intervals, backtest and holdout
//! accuracy, stage win probabilities, pipeline buckets, plan splits rounded by largest remainder).

use serde_json::Value;

use crate::workdir::{Workdir, s, testdata};

const Z80: f64 = 1.2815515655446004;
const Z95: f64 = 1.959963984540054;

fn deals() -> String {
    s(&testdata("handmade/forecast/deals.csv"))
}

fn json(args: &[&str]) -> Value {
    let w = Workdir::new();
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["--format", "json", "-q"]);
    let (out, _) = w.expect(&a, 0);
    crate::workdir::json_value(&out).expect("json")
}

fn rows<'a>(v: &'a Value, table: &str) -> &'a Vec<Value> {
    match v {
        Value::Object(m) => m[table]
            .as_array()
            .unwrap_or_else(|| panic!("no table {table}")),
        Value::Array(a) => a,
        _ => panic!("json"),
    }
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn near(a: &Value, b: f64, tol: f64) {
    assert!((f(a) - b).abs() <= tol, "{a} vs {b}");
}

fn group<'a>(rs: &'a [Value], g: &str) -> Vec<&'a Value> {
    rs.iter().filter(|r| r["group"] == g).collect()
}

#[test]
fn seasonal_naive_point_forecasts_and_intervals_by_hand() {
    // Quarterly 10,20,30,40,12,22,28,42: lag-4 residuals 2,2,-2,2 -> sigma = 2; h = 5, 6 lie a
    // season further ahead: sd = 2 sqrt(2).
    let v = json(&[
        "forecast",
        &s(&testdata("handmade/forecast/quarterly.csv")),
        "--map",
        "ordered_at=period_date",
        "--map",
        "amount=sales",
        "--freq",
        "quarter",
        "--method",
        "snaive",
        "--horizon",
        "6",
    ]);
    let fc = rows(&v, "forecast");
    let periods: Vec<&str> = fc.iter().map(|r| r["period"].as_str().unwrap()).collect();
    assert_eq!(
        periods,
        [
            "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2027-Q1", "2027-Q2"
        ]
    );
    let want = [12.0, 22.0, 28.0, 42.0, 12.0, 22.0];
    for (k, r) in fc.iter().enumerate() {
        let sd = if k < 4 { 2.0 } else { 2.0 * 2f64.sqrt() };
        near(&r["forecast"], want[k], 1e-12);
        near(&r["lower_80"], want[k] - Z80 * sd, 1e-9);
        near(&r["upper_80"], want[k] + Z80 * sd, 1e-9);
        near(&r["lower_95"], want[k] - Z95 * sd, 1e-9);
        near(&r["upper_95"], want[k] + Z95 * sd, 1e-9);
        assert_eq!(r["model"], "snaive");
    }
    // The published figures: 8.080072030919892 and 17.543615297398713.
    near(&fc[0]["lower_95"], 8.080072030919892, 1e-9);
    near(&fc[4]["upper_95"], 17.543615297398713, 1e-9);
}

#[test]
fn revenue_from_won_deals_by_month_with_levels() {
    // Monthly won revenue 2025: 1100..2200, 2026: 1600..2700 (Bob's 500 a month joins) -> lag-12
    // residuals all 500, sigma 500.
    let v = json(&[
        "forecast",
        &deals(),
        "--as-of",
        "2026-12-31",
        "--method",
        "snaive",
        "--horizon",
        "3",
        "--level",
        "80,95",
    ]);
    let fc = rows(&v, "forecast");
    assert_eq!(fc.len(), 3);
    for (k, r) in fc.iter().enumerate() {
        let m = 1600.0 + 100.0 * k as f64;
        assert_eq!(r["period"], format!("2027-0{}", k + 1));
        near(&r["forecast"], m, 1e-9);
        near(&r["lower_95"], m - Z95 * 500.0, 1e-9);
        near(&r["upper_80"], m + Z80 * 500.0, 1e-9);
        assert_eq!(r["currency"], "USD");
    }
    near(&fc[0]["lower_95"], 620.018007729973, 1e-9);
    let hist = rows(&v, "history");
    assert_eq!(hist.len(), 24);
    assert_eq!(hist[0]["period"], "2025-01");
    near(&hist[0]["value"], 1100.0, 1e-9);
    near(&hist[23]["value"], 2700.0, 1e-9);
    // --level 90 alone: only those columns.
    let v = json(&[
        "forecast",
        &deals(),
        "--as-of",
        "2026-12-31",
        "--method",
        "snaive",
        "--horizon",
        "1",
        "--level",
        "90",
    ]);
    let r = &rows(&v, "forecast")[0];
    assert!(r.get("lower_80").is_none() && r.get("upper_90").is_some());
    near(&r["upper_90"], 1600.0 + 1.6448536269514722 * 500.0, 1e-9);
}

#[test]
fn by_owner_one_forecast_per_group_and_the_total() {
    let v = json(&[
        "forecast",
        &deals(),
        "--as-of",
        "2026-12-31",
        "--method",
        "snaive",
        "--horizon",
        "3",
        "--by",
        "owner",
    ]);
    let fc = rows(&v, "forecast");
    let ann = group(fc, "Ann");
    let bob = group(fc, "Bob");
    let total = group(fc, "(total)");
    assert_eq!((ann.len(), bob.len(), total.len()), (3, 3, 3));
    // Ann repeats 1100, 1200, 1300 exactly: sigma 0, a zero-width interval.
    for (k, r) in ann.iter().enumerate() {
        near(&r["forecast"], 1100.0 + 100.0 * k as f64, 1e-9);
        near(&r["lower_95"], 1100.0 + 100.0 * k as f64, 1e-9);
    }
    // Bob's series starts with his first won deal (2026-01): 12 months, under two seasons, so
    // the naive forecast: 500, residuals all 0.
    near(&bob[0]["forecast"], 500.0, 1e-9);
    near(&bob[0]["lower_95"], 500.0, 1e-9);
    let hist = rows(&v, "history");
    assert_eq!(group(hist, "Bob").len(), 12);
    assert_eq!(group(hist, "Bob")[0]["period"], "2026-01");
    assert_eq!(group(hist, "Ann").len(), 24);
    near(&total[2]["forecast"], 1800.0, 1e-9);
    // The total comes last.
    assert_eq!(fc.last().unwrap()["group"], "(total)");
}

#[test]
fn backtest_and_holdout_accuracy_by_hand() {
    // K = 2 origins at h = 3: errors 500 at every step, scale 500 -> MASE 1.
    let d = deals();
    let base = [
        "forecast",
        &d,
        "--as-of",
        "2026-12-31",
        "--horizon",
        "3",
        "--backtest",
        "2",
    ];
    let v = json(&[&base[..], &["--select", "lowest"]].concat());
    let bt = rows(&v, "backtest");
    let sn = bt.iter().find(|r| r["model"] == "snaive").unwrap();
    assert_eq!(sn["origins"], 2);
    near(&sn["mase"], 1.0, 1e-12);
    near(&sn["mape"], 19.635565052231723, 1e-9);
    near(&sn["smape"], 21.776935525433444, 1e-9);
    near(&sn["relative_mase"], 1.0, 1e-12);
    // Under --select lowest: exactly one model chosen, and it is the one with the lowest MASE.
    let chosen: Vec<&Value> = bt.iter().filter(|r| r["chosen"] == true).collect();
    assert_eq!(chosen.len(), 1);
    let best = bt
        .iter()
        .filter(|r| r["mase"].is_number())
        .map(|r| f(&r["mase"]))
        .fold(f64::INFINITY, f64::min);
    near(&chosen[0]["mase"], best, 1e-12);
    assert_eq!(
        rows(&v, "forecast")[0]["model"]
            .as_str()
            .unwrap()
            .starts_with("snaive"),
        chosen[0]["model"] == "snaive"
    );
    // The default rule (--select significant) backtests the same models the same way, picks
    // exactly one, and says how it picked; its choice is tested by hand in the unit tests.
    let w = Workdir::new();
    let (out, err) = w.expect(&[&base[..], &["--format", "json"]].concat(), 0);
    let d: Value = crate::workdir::json_value(&out).expect("json");
    let dbt = rows(&d, "backtest");
    near(
        &dbt.iter().find(|r| r["model"] == "snaive").unwrap()["mase"],
        1.0,
        1e-12,
    );
    assert_eq!(dbt.iter().filter(|r| r["chosen"] == true).count(), 1);
    // p_vs_ets: empty on ETS's own row; seasonal naive is chosen exactly when its p < 0.05
    // (the two models share their origins here). dm_p's values are checked by hand and
    // against scipy in the unit tests.
    let ets = dbt.iter().find(|r| r["model"] == "ets").unwrap();
    assert!(ets["p_vs_ets"].is_null());
    let sn = dbt.iter().find(|r| r["model"] == "snaive").unwrap();
    assert_eq!(sn["origins"], ets["origins"]);
    let p = f(&sn["p_vs_ets"]);
    assert!((0.0..=1.0).contains(&p));
    assert_eq!(sn["chosen"] == true, p < 0.05);
    assert!(err.contains("Diebold-Mariano"), "{err}");

    // --holdout 3: fit on the first 21 months, under two seasons, so m = 1 (the naive forecast):
    // 2400 for 2026-10..12 against 2500, 2600, 2700; errors 100, 200, 300. MASE scale = mean
    // |y_t - y_t-1| over the 21 months = (19 x 100 + 600) / 20 = 125.
    let v = json(&[
        "forecast",
        &deals(),
        "--as-of",
        "2026-12-31",
        "--method",
        "snaive",
        "--holdout",
        "3",
    ]);
    let fc = rows(&v, "forecast");
    assert_eq!(fc.len(), 3);
    assert_eq!(fc[0]["period"], "2026-10");
    assert_eq!(fc[0]["model"], "naive");
    near(&fc[0]["forecast"], 2400.0, 1e-9);
    near(&fc[2]["actual"], 2700.0, 1e-9);
    let acc = rows(&v, "accuracy");
    // Issue 27: the accuracy and backtest tables name the model as the forecast rows do
    // (seasonal naive without two seasons of history is naive; it said `snaive` here).
    assert!(acc.iter().all(|r| r["model"] != "snaive"), "{acc:?}");
    let sn = acc.iter().find(|r| r["model"] == "naive").unwrap();
    assert_eq!(sn["chosen"], true);
    assert_eq!(sn["n"], 3);
    near(
        &sn["mape"],
        100.0 * (100.0 / 2500.0 + 200.0 / 2600.0 + 300.0 / 2700.0) / 3.0,
        1e-9,
    );
    near(
        &sn["smape"],
        200.0 * (100.0 / 4900.0 + 200.0 / 5000.0 + 300.0 / 5100.0) / 3.0,
        1e-9,
    );
    near(&sn["mase"], 1.6, 1e-12);
}

#[test]
fn an_incomplete_last_period_is_dropped_and_said() {
    let w = Workdir::new();
    let (out, err) = w.expect(
        &[
            "forecast",
            &deals(),
            "--as-of",
            "2026-12-20",
            "--method",
            "snaive",
            "--horizon",
            "3",
            "--format",
            "json",
            "--table",
            "forecast",
        ],
        0,
    );
    assert!(err.contains("last period 2026-12 dropped"), "{err}");
    // 23 months are under two seasons: the naive forecast, 2026-11's 2600, from 2026-12 on.
    assert!(err.contains("under two seasons"), "{err}");
    let v: Value = crate::workdir::json_value(&out).unwrap();
    let fc = rows(&v, "forecast");
    let got: Vec<(String, f64)> = fc
        .iter()
        .map(|r| (r["period"].as_str().unwrap().to_string(), f(&r["forecast"])))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-12".to_string(), 2600.0),
            ("2027-01".to_string(), 2600.0),
            ("2027-02".to_string(), 2600.0)
        ]
    );
    // One rule whatever the as-of's basis (issue 27): the data end 2026-12-20, so the as-of
    // read from them is 20 days into December, which is dropped too (it used to be fitted as a
    // whole month) and forecast first.
    let v = json(&["forecast", &deals(), "--method", "snaive", "--horizon", "1"]);
    assert_eq!(rows(&v, "forecast")[0]["period"], "2026-12");
}

#[test]
fn other_metrics_count_won_deals_and_new_customers() {
    let v = json(&[
        "forecast",
        &deals(),
        "--as-of",
        "2026-12-31",
        "--method",
        "snaive",
        "--horizon",
        "3",
        "--metric",
        "won_deals",
    ]);
    let fc = rows(&v, "forecast");
    near(&fc[0]["forecast"], 2.0, 1e-12);
    near(&fc[0]["upper_95"], 3.959963984540054, 1e-9);
    let v = json(&[
        "forecast",
        &deals(),
        "--as-of",
        "2026-12-31",
        "--method",
        "snaive",
        "--horizon",
        "3",
        "--metric",
        "new_customers",
    ]);
    let h = rows(&v, "history");
    let vals: Vec<f64> = h.iter().map(|r| f(&r["value"])).collect();
    assert_eq!(&vals[..4], &[1.0, 1.0, 1.0, 0.0]);
    assert_eq!(&vals[12..], &[1.0; 12]);
    let fc = rows(&v, "forecast");
    near(&fc[0]["forecast"], 1.0, 1e-12);
    near(&fc[0]["upper_95"], 2.6973786011142575, 1e-9);
    // orders: one order a quarter in quarterly.csv.
    let v = json(&[
        "forecast",
        &s(&testdata("handmade/forecast/quarterly.csv")),
        "--map",
        "ordered_at=period_date",
        "--map",
        "amount=sales",
        "--freq",
        "quarter",
        "--metric",
        "orders",
        "--method",
        "snaive",
        "--horizon",
        "1",
    ]);
    near(&rows(&v, "forecast")[0]["forecast"], 1.0, 1e-12);
}

#[test]
fn weekly_periods_start_on_the_configured_day() {
    let w = Workdir::new();
    w.write("salesctl.toml", b"week_start = \"sunday\"\n");
    let q = s(&testdata("handmade/forecast/quarterly.csv"));
    let args = [
        "forecast",
        &q,
        "--map",
        "ordered_at=period_date",
        "--map",
        "amount=sales",
        "--freq",
        "week",
        "--method",
        "trend",
        "--horizon",
        "2",
        "--format",
        "json",
        "--table",
        "history",
    ];
    let (out, _) = w.expect(&args, 0);
    let v: Value = crate::workdir::json_value(&out).unwrap();
    // 2024-01-15 is a Monday: its week starts Sunday 2024-01-14.
    assert_eq!(rows(&v, "history")[0]["period"], "2024-01-14");
    assert_eq!(rows(&v, "history")[1]["period"], "2024-01-21");
    near(&rows(&v, "history")[1]["value"], 0.0, 0.0);
}

#[test]
fn pipeline_method_weights_open_deals_by_stage_win_probability() {
    // P(Lead) = 36/40, P(Qualified) = 36/39, P(Proposal) = 36/37 (lost deals reached the stage
    // they were lost at).
    let args = [
        "forecast",
        &deals(),
        "--as-of",
        "2026-12-31",
        "--method",
        "pipeline",
        "--horizon",
        "3",
        "--stages",
        "Lead,Qualified,Proposal",
    ];
    let v = json(&args);
    let p = rows(&v, "pipeline");
    let row = |per: &str| p.iter().find(|r| r["period"] == per).unwrap();
    let r = row("overdue");
    assert_eq!(r["open_deals"], 1);
    near(&r["weighted"], 1800.0, 1e-9);
    near(&r["crm_weighted"], 400.0, 1e-9);
    let r = row("2027-01");
    near(&r["open_amount"], 10000.0, 1e-9);
    near(&r["weighted"], 9729.72972972973, 1e-9);
    near(&r["crm_weighted"], 6000.0, 1e-9);
    let r = row("2027-02");
    near(&r["weighted"], 27692.307692307695, 1e-9);
    near(&r["crm_weighted"], 9000.0, 1e-9);
    let r = row("(no expected close)");
    near(&r["weighted"], 4500.0, 1e-9);
    near(&r["crm_weighted"], 500.0, 1e-9);
    assert!(
        p.iter()
            .all(|r| r["period"] != "2027-03" && r["period"] != "later")
    );
    // The time-series forecast sits beside it, from the same command's forecast table.
    let fc = rows(&v, "forecast");
    assert_eq!(row("2027-01")["time_series_forecast"], fc[0]["forecast"]);

    let mut by = args.to_vec();
    by.extend(["--by", "owner"]);
    let v = json(&by);
    let p = rows(&v, "pipeline");
    let find = |g: &str, per: &str| {
        p.iter()
            .find(|r| r["group"] == g && r["period"] == per)
            .unwrap_or_else(|| panic!("{g} {per}"))
    };
    near(&find("Ann", "overdue")["weighted"], 1800.0, 1e-9);
    near(&find("Ann", "2027-01")["weighted"], 9729.72972972973, 1e-9);
    near(&find("Bob", "2027-02")["crm_weighted"], 9000.0, 1e-9);
    near(
        &find("Bob", "(no expected close)")["weighted"],
        4500.0,
        1e-9,
    );
    near(
        &find("(total)", "2027-02")["weighted"],
        27692.307692307695,
        1e-9,
    );
    assert!(
        p.iter()
            .all(|r| !(r["group"] == "Ann" && r["period"] == "2027-02"))
    );
}

fn plan(split: &str, extra: &[&str]) -> Value {
    let d = deals();
    let mut a = vec![
        "plan",
        &d,
        "--as-of",
        "2026-12-31",
        "--method",
        "snaive",
        "--by",
        "owner",
        "--split",
        split,
    ];
    a.extend(extra);
    json(&a)
}

fn targets(v: &Value, key: &str) -> Vec<f64> {
    rows(v, "targets")
        .iter()
        .filter(|r| r["key"] == key)
        .map(|r| f(&r["target"]))
        .collect()
}

#[test]
fn plan_splits_months_by_the_forecast_and_reps_by_history_pipeline_or_evenly() {
    // Months: the seasonal-naive forecast for 2027 is 1600..2700 (sum 25,800).
    let v = plan("even", &["--target", "2580000", "--year", "2027"]);
    let want: Vec<f64> = (0..12).map(|k| 80_000.0 + 5_000.0 * k as f64).collect();
    assert_eq!(targets(&v, "Ann"), want);
    assert_eq!(targets(&v, "Bob"), want);
    let t = &rows(&v, "targets")[0];
    assert_eq!(
        (&t["dimension"], &t["period"], &t["metric"]),
        (
            &Value::from("owner"),
            &Value::from("2027-01"),
            &Value::from("revenue")
        )
    );
    let m = rows(&v, "months");
    near(&m[0]["target"], 160_000.0, 1e-9);
    near(&m[0]["forecast"], 1600.0, 1e-9);
    near(&m[0]["gap"], -158_400.0, 1e-9);
    near(&m[11]["gap"], -267_300.0, 1e-9);

    // history: won revenue in 2026, Ann 19,800 and Bob 6,000.
    let v = plan("history", &["--target", "2580000", "--year", "2027"]);
    let ann = targets(&v, "Ann");
    let bob = targets(&v, "Bob");
    assert_eq!(ann[0], 122_790.70);
    assert_eq!(ann[11], 207_209.30);
    assert_eq!(bob[0], 37_209.30);
    assert_eq!(bob[11], 62_790.70);
    let cents = |v: &[f64]| v.iter().map(|x| (x * 100.0).round() as i64).sum::<i64>();
    assert_eq!(cents(&ann), 198_000_000);
    assert_eq!(cents(&bob), 60_000_000);
    let split = rows(&v, "split");
    near(&split[0]["basis"], 19_800.0, 1e-9);
    near(&split[1]["basis"], 6_000.0, 1e-9);

    // pipeline: open amounts Ann 12,000, Bob 35,000; the odd cent goes to Bob.
    let v = plan("pipeline", &["--target", "2580000", "--year", "2027"]);
    let ann = targets(&v, "Ann");
    let bob = targets(&v, "Bob");
    assert_eq!(cents(&ann), 65_872_340);
    assert_eq!(cents(&bob), 192_127_660);
    assert_eq!(ann[0], 40_851.06);
    assert_eq!(bob[11], 201_063.83);

    // A quarter.
    let v = plan("even", &["--target", "510000", "--quarter", "2027-Q1"]);
    assert_eq!(targets(&v, "Ann"), vec![80_000.0, 85_000.0, 90_000.0]);
    assert_eq!(targets(&v, "Bob"), vec![80_000.0, 85_000.0, 90_000.0]);
}

#[test]
fn a_plan_reads_back_as_scorecard_targets() {
    let w = Workdir::new();
    let d = deals();
    w.expect(
        &[
            "plan",
            &d,
            "--as-of",
            "2026-12-31",
            "--method",
            "snaive",
            "--by",
            "owner",
            "--split",
            "even",
            "--target",
            "2580000",
            "--year",
            "2027",
            "-o",
            "targets.csv",
            "-q",
        ],
        0,
    );
    let (out, _) = w.expect(
        &[
            "scorecard",
            &d,
            "--as-of",
            "2027-03-31",
            "--period",
            "2027-Q1",
            "--targets",
            "targets.csv",
            "--format",
            "json",
            "--table",
            "scorecard",
            "-q",
        ],
        0,
    );
    let v: Value = crate::workdir::json_value(&out).unwrap();
    let r = rows(&v, "scorecard");
    let ann = r.iter().find(|r| r["owner"] == "Ann").unwrap();
    // Q1 2027 = 80,000 + 85,000 + 90,000.
    near(&ann["target"], 255_000.0, 1e-6);
}

#[test]
fn bad_options_are_usage_errors() {
    let w = Workdir::new();
    let d = deals();
    for args in [
        vec!["forecast", &d, "--level", "120"],
        vec!["forecast", &d, "--horizon", "0"],
        vec!["forecast", &d, "--method", "pipeline", "--holdout", "2"],
        vec!["forecast", &d, "--backtest", "0"],
        vec!["forecast", &d, "--horizon", "100000000"],
        vec!["plan", &d, "--target=-5", "--year", "2027"],
        vec!["plan", &d, "--target", "100", "--year", "2027-Q1"],
    ] {
        let (_, err) = w.expect(&args, 2);
        assert!(err.contains("salesctl: error"), "{err}");
    }
    // A column --by names that is not there: input error naming it.
    let (_, err) = w.expect(&["forecast", &d, "--by", "regoin"], 3);
    assert!(err.contains("regoin"), "{err}");
}

#[test]
fn ets_on_shampoo_agrees_with_statsforecast_autoets() {
    // statsforecast 2.1.1 AutoETS(season_length=12) on the first 30 months of Shampoo picks
    // ETS(A,A,N) and scores MASE 0.747 on the last 6 (docs/forecast/statsforecast.csv). Our own
    // optimiser need not land on the same parameters, so: the same form, MASE within 0.02.
    let v = json(&[
        "forecast",
        &s(&testdata("timeseries/ShampooSales.csv")),
        "--map",
        "ordered_at=Time",
        "--map",
        "amount=Sales",
        "--method",
        "ets",
        "--holdout",
        "6",
    ]);
    let fc = rows(&v, "forecast");
    assert_eq!(fc[0]["model"], "ETS(A,A,N)");
    assert_eq!(fc[0]["period"], "1993-07");
    let acc = rows(&v, "accuracy");
    let ets = acc.iter().find(|r| r["model"] == "ets").unwrap();
    near(&ets["mase"], 0.747, 0.02);
    // And seasonal naive on the same split is exact: MASE 2.109 (statsforecast's script, by hand).
    let sn = acc.iter().find(|r| r["model"] == "snaive").unwrap();
    near(&sn["mase"], 2.10876398261995, 1e-9);
}

#[test]
fn horizon_as_a_duration() {
    // 2y of quarters = 8 periods; 6m of months = 6.
    let q = s(&testdata("handmade/forecast/quarterly.csv"));
    let v = json(&[
        "forecast",
        &q,
        "--map",
        "ordered_at=period_date",
        "--map",
        "amount=sales",
        "--freq",
        "quarter",
        "--method",
        "snaive",
        "--horizon",
        "2y",
    ]);
    assert_eq!(rows(&v, "forecast").len(), 8);
    let v = json(&[
        "forecast",
        &deals(),
        "--as-of",
        "2026-12-31",
        "--method",
        "snaive",
        "--horizon",
        "6m",
    ]);
    let fc = rows(&v, "forecast");
    assert_eq!(fc.len(), 6);
    assert_eq!(fc[5]["period"], "2027-06");
    near(&fc[5]["forecast"], 2100.0, 1e-9);
}

#[test]
fn plan_history_window() {
    // --window 6: won revenue 2026-07..12: Ann 1700 + ... + 2200 = 11,700, Bob 6 x 500 = 3,000.
    let v = plan(
        "history",
        &["--target", "1470000", "--year", "2027", "--window", "6"],
    );
    let split = rows(&v, "split");
    near(&split[0]["basis"], 11_700.0, 1e-9);
    near(&split[1]["basis"], 3_000.0, 1e-9);
    // 1,470,000 x 11,700 / 14,700 = 1,170,000; Bob 300,000.
    near(&split[0]["target"], 1_170_000.0, 1e-9);
    near(&split[1]["target"], 300_000.0, 1e-9);
    // Without --by: one key for everyone.
    let v = json(&[
        "plan",
        &deals(),
        "--as-of",
        "2026-12-31",
        "--method",
        "snaive",
        "--target",
        "25800",
        "--year",
        "2027",
    ]);
    let t = rows(&v, "targets");
    assert_eq!(t.len(), 12);
    assert_eq!(t[0]["key"], "(all)");
    near(&t[0]["target"], 1600.0, 1e-9);
    near(&t[11]["target"], 2700.0, 1e-9);
}

/// Issue 27 item 1: revenue bounds never go below 0 when the history never did. A spiky year
/// (0, 900, 0, 40, 0, 1000, 10, 0, 800, 0, 30, 950: mean 310.8, sd about 420) gives ETS(A,N,N)
/// 80% bounds of about mean -/+ 1.28 x 470 (below 0 on the low side): every lower bound is 0,
/// the upper ones stay, and a note says how many were set to 0.
#[test]
fn revenue_bounds_never_below_zero() {
    let w = Workdir::new();
    let vals = [0, 900, 0, 40, 0, 1000, 10, 0, 800, 0, 30, 950];
    let mut csv = String::from("deal_id,stage,amount,created_at,closed_at\n");
    for (i, v) in vals.iter().enumerate() {
        csv.push_str(&format!(
            "D{i},Won,{v},2025-{:02}-10,2025-{:02}-10\n",
            i + 1,
            i + 1
        ));
    }
    w.write("spiky.csv", csv.as_bytes());
    let (out, err) = w.expect(
        &[
            "forecast",
            "spiky.csv",
            "--horizon",
            "3",
            "--as-of",
            "2025-12-31",
            "--format",
            "json",
        ],
        0,
    );
    let v: Value = crate::workdir::json_value(&out).unwrap();
    let fc = rows(&v, "forecast");
    assert_eq!(fc.len(), 3);
    for r in fc {
        for k in ["forecast", "lower_80", "upper_80", "lower_95", "upper_95"] {
            assert!(f(&r[k]) >= 0.0, "{k} {r}");
        }
        assert_eq!(f(&r["lower_95"]), 0.0);
        assert!(f(&r["upper_95"]) > f(&r["forecast"]));
    }
    assert!(err.contains("below 0 set to 0"), "{err}");
}

/// Issue 27 item 1: a rep the history split gives nothing gets a warning naming them (169 of
/// 200 reps got 0 for 12 months with no word). Cy only lost deals in 2026: won revenue 0, so
/// a zero target every month; Ann and Bob keep 19,800 : 6,000.
#[test]
fn plan_warns_about_reps_with_a_zero_target() {
    let w = Workdir::new();
    let mut text = std::fs::read_to_string(testdata("handmade/forecast/deals.csv")).unwrap();
    text.push_str("C1,Gamma,Cy,Proposal,lost,500,USD,2026-03-01,2026-03-20,,0\n");
    w.write("d.csv", text.as_bytes());
    let (out, err) = w.expect(
        &[
            "plan",
            "d.csv",
            "--as-of",
            "2026-12-31",
            "--method",
            "snaive",
            "--by",
            "owner",
            "--split",
            "history",
            "--target",
            "2580000",
            "--year",
            "2027",
            "--format",
            "json",
        ],
        0,
    );
    let v: Value = crate::workdir::json_value(&out).unwrap();
    assert!(targets(&v, "Cy").iter().all(|t| *t == 0.0));
    assert_eq!(targets(&v, "Ann")[0], 122_790.70);
    assert!(
        err.contains("warning: 1 of 3 owner value(s) get a zero target for every month (no won revenue in the history window): \"Cy\""),
        "{err}"
    );
}

/// Issue 27 item 1: open deals without an expected close date. O3 (Bob, Lead, 5,000) has none:
/// a warning counts it (1 of 4). With the column blanked for every open deal there is nothing
/// to place in a period: exit 3 naming the flag (it printed every deal under "(no expected
/// close)", exit 0).
#[test]
fn pipeline_forecast_without_expected_close_dates() {
    let w = Workdir::new();
    let args = |f: &str| -> Vec<String> {
        [
            "forecast",
            f,
            "--as-of",
            "2026-12-31",
            "--method",
            "pipeline",
            "--horizon",
            "3",
            "--stages",
            "Lead,Qualified,Proposal",
            "--format",
            "csv",
            "-q",
        ]
        .map(String::from)
        .to_vec()
    };
    let d = deals();
    let a = args(&d);
    let (_, err) = w.expect(&a.iter().map(String::as_str).collect::<Vec<_>>(), 0);
    assert!(
        err.contains("warning: 1 of 4 open deal(s) have no expected close date"),
        "{err}"
    );
    let text = std::fs::read_to_string(testdata("handmade/forecast/deals.csv")).unwrap();
    let blanked: String = text
        .lines()
        .map(|l| {
            let mut c: Vec<&str> = l.split(',').collect();
            if c[4] == "open" {
                c[9] = "";
            }
            c.join(",") + "\n"
        })
        .collect();
    w.write("blank.csv", blanked.as_bytes());
    let a = args("blank.csv");
    let (_, err) = w.expect(&a.iter().map(String::as_str).collect::<Vec<_>>(), 3);
    assert!(
        err.contains("none of the 4 open deal(s) has an expected close date")
            && err.contains("--map expected_close_at=HEADER"),
        "{err}"
    );
}

/// Issue 27 item 1: deals and orders whose dates do not overlap are refused until --revenue
/// says which one is revenue (revenue silently switched to orders that ended 14 months before
/// the as-of, and the forecast was 0); orders that overlap but end long before the as-of are a
/// warning; the source is in `meta.revenue`.
#[test]
fn disjoint_orders_and_deals_need_revenue_flag() {
    let w = Workdir::new();
    w.write(
        "d.csv",
        b"deal_id,owner,stage,amount,created_at,closed_at\nD1,Ann,Won,100,2026-01-01,2026-02-05\nD2,Bob,Won,200,2026-03-02,2026-10-06\n",
    );
    w.write(
        "o.csv",
        b"order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-10,50\nO2,C2,2025-08-31,70\nO3,C1,2025-03-01,20\n",
    );
    let (_, err) = w.expect(&["forecast", "d.csv", "o.csv", "-q"], 3);
    assert!(
        err.contains(
            "orders dated 2024-01-10 to 2025-08-31 and deals closed 2026-02-05 to 2026-10-06"
        ) && err.contains("--revenue orders or --revenue deals"),
        "{err}"
    );
    let (out, _) = w.expect(
        &[
            "forecast",
            "d.csv",
            "o.csv",
            "--revenue",
            "deals",
            "--format",
            "json",
            "-q",
        ],
        0,
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["meta"]["revenue"], "deals");
    // Overlapping, but the orders end 2026-03-01, 219 days before the as-of 2026-10-06 (the
    // latest date of the data: D2's close).
    w.write(
        "o2.csv",
        b"order_id,customer_id,ordered_at,amount\nO1,C1,2025-12-10,50\nO2,C2,2026-03-01,70\n",
    );
    let (_, err) = w.expect(&["cltv", "d.csv", "o2.csv", "--format", "csv", "-q"], 0);
    assert!(
        err.contains("revenue comes from orders, whose last date is 2026-03-01 (219 days before the as-of 2026-10-06)"),
        "{err}"
    );
}

/// Issue 27 item 1: pipeline weights count every closed deal at the stages it passed, also
/// when its history dates only the outcome. By hand: D1 won and D2 lost with only their close
/// in the history; O1 open at Qualified (1,000), O2 at Lead (400). D1 passed every stage, D2 at
/// least Lead: P(Lead) = 1/2, P(Qualified) = 1/1, so weighted = 1,000 x 1 + 400 x 1/2 = 1,200
/// (D2 was skipped before: P(Lead) = 1, 1,400).
#[test]
fn pipeline_weights_count_closed_deals_with_only_an_outcome_in_history() {
    let w = Workdir::new();
    w.write(
        "d.csv",
        b"deal_id,stage,amount,created_at,closed_at,expected_close_at\nD1,Won,500,2026-01-05,2026-02-01,\nD2,Lost,700,2026-01-06,2026-02-03,\nO1,Qualified,1000,2026-02-01,,2026-04-10\nO2,Lead,400,2026-02-02,,2026-04-20\n",
    );
    w.write(
        "h.csv",
        b"deal_id,stage,entered_at\nD1,Won,2026-02-01\nD2,Lost,2026-02-03\nO1,Lead,2026-02-01\nO1,Qualified,2026-02-10\nO2,Lead,2026-02-02\n",
    );
    let (out, _) = w.expect(
        &[
            "forecast",
            "d.csv",
            "h.csv",
            "--stages",
            "Lead,Qualified,Proposal",
            "--method",
            "pipeline",
            "--as-of",
            "2026-03-31",
            "--horizon",
            "2",
            "--format",
            "csv",
            "--table",
            "pipeline",
            "-q",
        ],
        0,
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("(all),2026-04,2,1400,1200,0,")),
        "{out}"
    );
}

/// Issue 27 item 1, pipeline weights: lost deals without history whose stage column shows only
/// "Lost" count at the first stage only, which leaves them out of the later stages'
/// probabilities; said by a warning. By hand: D1 won, D2 lost at an unknown stage. P(Lead) =
/// 1/2 (D1, D2), P(Qualified) = 1/1 (D1): O1 (1,000 at Qualified) + O2 (400 at Lead) weigh
/// 1,000 + 200 = 1,200. With D1 in another pipeline (Partners) and O2 gone, no closed deal of
/// the Sales pipeline reached Qualified or Proposal, where its two open deals are: every
/// weighted value would be 0, so exit 3.
#[test]
fn pipeline_weights_warn_of_lost_deals_at_an_unknown_stage_and_refuse_all_zero() {
    let w = Workdir::new();
    w.write(
        "d.csv",
        b"deal_id,stage,amount,created_at,closed_at,expected_close_at\nD1,Won,500,2026-01-05,2026-02-01,\nD2,Lost,700,2026-01-06,2026-02-03,\nO1,Qualified,1000,2026-02-01,,2026-04-10\nO2,Lead,400,2026-02-02,,2026-04-20\n",
    );
    w.write(
        "e.csv",
        b"deal_id,pipeline,stage,amount,created_at,closed_at,expected_close_at\nD1,Partners,Won,500,2026-01-05,2026-02-01,\nD2,Sales,Lost,700,2026-01-06,2026-02-03,\nO1,Sales,Qualified,1000,2026-02-01,,2026-04-10\nO3,Sales,Proposal,300,2026-02-02,,2026-04-20\n",
    );
    let args = |f: &'static str| {
        [
            "forecast",
            f,
            "--stages",
            "Lead,Qualified,Proposal",
            "--method",
            "pipeline",
            "--as-of",
            "2026-03-31",
            "--horizon",
            "2",
            "--format",
            "csv",
            "--table",
            "pipeline",
            "-q",
        ]
    };
    let (out, err) = w.expect(&args("d.csv"), 0);
    assert!(
        out.lines()
            .any(|l| l.starts_with("(all),2026-04,2,1400,1200,0,")),
        "{out}"
    );
    assert!(
        err.contains("warning: 1 lost deal(s) have no stage they were lost at"),
        "{err}"
    );
    let (out, err) = w.expect(&args("e.csv"), 3);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("none of the 2 open deal(s) is at a stage a closed deal reached (1 lost deal(s) at an unknown stage"),
        "{err}"
    );
}
