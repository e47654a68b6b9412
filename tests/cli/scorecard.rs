//! `salesctl scorecard` on testdata/handmade/scorecard (October 2026, as-of 2026-10-31): every
//! expected value worked out by hand (see testdata/README.md); Wilson bounds from statsmodels'
//! `proportion_confint(method="wilson")`; the gencrm2000 figures from DuckDB / pandas.

use serde_json::Value;

use crate::workdir::{Workdir, s, testdata};

fn base() -> Vec<String> {
    let d = |f: &str| s(&testdata(&format!("handmade/scorecard/{f}")));
    vec![
        "scorecard".into(),
        d("deals.csv"),
        "--stages".into(),
        "Lead,Qualified,Proposal,Negotiation".into(),
        "--period".into(),
        "2026-10".into(),
        "--as-of".into(),
        "2026-10-31".into(),
    ]
}

fn run_with(extra: &[&str], code: i32) -> (Value, String) {
    let w = Workdir::new();
    let mut a = base();
    a.extend(extra.iter().map(|x| x.to_string()));
    a.extend(["--format".into(), "json".into()]);
    let args: Vec<&str> = a.iter().map(String::as_str).collect();
    let (out, err) = w.expect(&args, code);
    (
        if code == 0 {
            crate::workdir::json_value(&out).expect("json")
        } else {
            Value::Null
        },
        err,
    )
}

fn main_rows(v: &Value) -> Vec<Value> {
    match v {
        Value::Object(m) => m["scorecard"].as_array().unwrap().clone(),
        Value::Array(a) => a.clone(),
        _ => panic!("json"),
    }
}

fn rep<'a>(rows: &'a [Value], name: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["owner"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn near(a: &Value, b: f64) {
    assert!((f(a) - b).abs() < 1e-9, "{a} vs {b}");
}

/// The same hand-worked figures from the export and from its ingested DIR (read by the deal
/// set straight from the parquet: labels, amounts, times, accounts of won deals).
#[test]
fn per_rep_kpis_by_hand() {
    let (v, err) = run_with(&[], 0);
    per_rep_kpis_are_the_hand_figures(&v, &err);
    let w = Workdir::new();
    let dir = w.path("sc.d");
    let b = base();
    w.expect(&["ingest", &b[1], &b[2], &b[3], "-o", &s(&dir), "-q"], 0);
    let mut a = base();
    a[1] = s(&dir);
    a.extend(["--format".into(), "json".into()]);
    let args: Vec<&str> = a.iter().map(String::as_str).collect();
    let (out, err) = w.expect(&args, 0);
    per_rep_kpis_are_the_hand_figures(&crate::workdir::json_value(&out).unwrap(), &err);
}

fn per_rep_kpis_are_the_hand_figures(v: &Value, err: &str) {
    let rows = main_rows(v);
    // Alice: won A1-A4 (10,000), lost A5, A6 in October; cycles 34, 30, 25, 20 days.
    let a = rep(&rows, "Alice");
    assert_eq!(
        (
            a["won"].as_i64(),
            a["lost"].as_i64(),
            a["open"].as_i64(),
            a["deals_created"].as_i64()
        ),
        (Some(4), Some(2), Some(0), Some(2))
    );
    near(&a["win_rate"], 4.0 / 6.0);
    near(&a["win_rate_low"], 0.299_993_315_138_391_84);
    near(&a["win_rate_high"], 0.903_228_588_894_219_5);
    assert_eq!(a["low_n"], false);
    near(&a["won_amount"], 10_000.0);
    near(&a["avg_won_deal"], 2_500.0);
    near(&a["cycle_median_days"], 27.5);
    near(&a["cycle_p75_days"], 31.0); // 30 + 0.25 x (34 - 30)
    assert_eq!(
        a["new_customers"].as_i64(),
        Some(3),
        "Acme, Beta, Gamma first won by Alice"
    );
    // Bo: only open deals: no win rate (null, not 0), flagged low_n, pipeline 12,000.
    let b = rep(&rows, "Bo");
    assert!(b["win_rate"].is_null());
    assert_eq!(
        (b["n"].as_i64(), b["low_n"].as_bool()),
        (Some(0), Some(true))
    );
    near(&b["open_pipeline"], 12_000.0);
    // 李雷 (a Chinese name): 2 won, 1 lost: n = 3 < 5, low_n.
    let l = rep(&rows, "李雷");
    assert_eq!(
        (l["n"].as_i64(), l["low_n"].as_bool()),
        (Some(3), Some(true))
    );
    near(&l["win_rate_low"], 0.207_659_600_802_047_7);
    near(&l["cycle_median_days"], 57.5); // 72 and 43 days
    assert_eq!(
        l["new_customers"].as_i64(),
        Some(1),
        "华为; Acme was Alice's first"
    );
    // Team row last: pooled 6 / 9, medians over all six cycles (20 25 30 34 43 72).
    let t = rows.last().unwrap();
    assert_eq!(t["owner"], "(team)");
    near(&t["win_rate"], 6.0 / 9.0);
    near(&t["win_rate_low"], 0.354_202_135_580_396_1);
    near(&t["cycle_median_days"], 32.0);
    near(&t["cycle_p75_days"], 40.75);
    assert_eq!(t["new_customers"].as_i64(), Some(4));
    // Stage win probability, implied: lost deals sit at Lead, so P(Lead) = 6/9, later stages 6/6.
    near(&rep(&rows, "Alan")["weighted_pipeline"], 1000.0 * 6.0 / 9.0);
    near(&t["weighted_pipeline"], 12_000.0 + 1000.0 * 6.0 / 9.0);
    // Velocity: 2 open qualified (B1, B2) x 6/9 x 3,333.33 / 32 days.
    near(
        &t["sales_velocity"],
        2.0 * (6.0 / 9.0) * (20_000.0 / 6.0) / 32.0,
    );
    assert!(err.contains("--win-rate closed"), "{err}");
}

#[test]
fn targets_roll_quarters_to_the_month() {
    let t = s(&testdata("handmade/scorecard/targets.csv"));
    let (v, _) = run_with(&["--targets", &t], 0);
    let rows = main_rows(&v);
    // Alice: 2026-Q4 30,000 -> 10,000 for October; won 10,000: target met, no coverage.
    let a = rep(&rows, "Alice");
    near(&a["target"], 10_000.0);
    near(&a["attainment"], 1.0);
    assert_eq!(a["target_met"], true);
    assert!(a["pipeline_coverage"].is_null());
    // 李雷: monthly 8,000, won 10,000.
    near(&rep(&rows, "李雷")["attainment"], 1.25);
    // Bo: 9,000 / 3 = 3,000; won 0; B1 (5,000) expected to close in October: coverage 5,000 / 3,000.
    let b = rep(&rows, "Bo");
    near(&b["target"], 3_000.0);
    near(&b["pipeline_coverage"], 5_000.0 / 3_000.0);
    assert_eq!(b["target_met"], false);
    let team = rows.last().unwrap();
    near(&team["target"], 21_000.0);
    near(&team["attainment"], 20_000.0 / 21_000.0);
    near(&team["pipeline_coverage"], 5.0);
}

#[test]
fn activities_and_feedback_per_rep() {
    let act = s(&testdata("handmade/scorecard/activities.csv"));
    let fb = s(&testdata("handmade/scorecard/feedback.csv"));
    let (v, _) = run_with(&["--activities", &act, "--feedback", &fb], 0);
    let rows = main_rows(&v);
    let a = rep(&rows, "Alice");
    // 3 calls and a visit in October (the September call is outside the period).
    assert_eq!(
        (
            a["activities"].as_i64(),
            a["calls"].as_i64(),
            a["visits"].as_i64()
        ),
        (Some(4), Some(3), Some(1))
    );
    near(&a["activities_per_won"], 1.0);
    near(&a["activities_per_week"], 4.0 / (31.0 / 7.0));
    near(&a["feedback_avg"], 4.5);
    assert_eq!(a["feedback_n"].as_i64(), Some(2));
    let l = rep(&rows, "李雷");
    assert_eq!(
        (l["emails"].as_i64(), l["meetings"].as_i64()),
        (Some(2), Some(1))
    );
    near(&l["feedback_avg"], 7.5);
    near(&l["nps"], 0.0); // one promoter (9), one detractor (6)
}

#[test]
fn rank_keeps_low_n_below_solid_rates() {
    let (v, _) = run_with(&["--rank", "win_rate"], 0);
    let rows = main_rows(&v);
    let order: Vec<&str> = rows.iter().map(|r| r["owner"].as_str().unwrap()).collect();
    // Alice and 李雷 both 2/3, but 李雷 has n = 3: Alice first; reps without a rate last.
    assert_eq!(&order[..2], &["Alice", "李雷"]);
    assert_eq!(rows[0]["rank"].as_i64(), Some(1));
    assert!(
        rows.last().unwrap()["rank"].is_null(),
        "the team row is not ranked"
    );
    let (_, err) = run_with(&["--rank", "happiness"], 2);
    assert!(err.contains("won_amount"), "{err}");
}

#[test]
fn win_rate_variants() {
    let (v, _) = run_with(&["--win-rate", "created"], 0);
    let rows = main_rows(&v);
    near(&rep(&rows, "Alice")["win_rate"], 0.5); // A4 won, A6 lost, both created in October
    near(&rows.last().unwrap()["win_rate"], 1.0 / 6.0);
    let (v, _) = run_with(&["--win-rate", "value"], 0);
    let rows = main_rows(&v);
    near(&rep(&rows, "Alice")["win_rate"], 10_000.0 / 11_200.0);
    near(&rows.last().unwrap()["win_rate"], 20_000.0 / 23_200.0);
}

#[test]
fn credit_at_close_uses_the_history_owner() {
    // A1 (1,000) was Bo's when it closed; Alice owns it now.
    let h = s(&testdata("handmade/scorecard/history.csv"));
    let mut a = base();
    a.insert(2, h);
    a.extend(["--credit", "at-close", "--format", "json"].map(String::from));
    let w = Workdir::new();
    let args: Vec<&str> = a.iter().map(String::as_str).collect();
    let (out, _) = w.expect(&args, 0);
    let rows = main_rows(&crate::workdir::json_value(&out).unwrap());
    assert_eq!(rep(&rows, "Bo")["won"].as_i64(), Some(1));
    near(&rep(&rows, "Bo")["won_amount"], 1_000.0);
    assert_eq!(rep(&rows, "Alice")["won"].as_i64(), Some(3));
    let (_, err) = run_with(&["--credit", "at-close"], 3);
    assert!(err.contains("history"), "{err}");
}

#[test]
fn rep_card_matching_and_verdicts() {
    let (v, err) = run_with(&["--rep", "ali"], 0);
    assert!(err.contains("rep card: Alice"), "{err}");
    let card = v["card"].as_array().unwrap();
    // won_amount: 10,000 / 0 / 0 / 10,000 over four reps: median 5,000; Alice beats two and
    // ties one (herself counted half): (2 + 1) / 4 = 0.75, the top quartile.
    let wa = card.iter().find(|r| r["kpi"] == "won_amount").unwrap();
    near(&wa["team_median"], 5_000.0);
    near(&wa["percentile"], 0.75);
    assert_eq!(wa["verdict"], "strength");
    let trend = v["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 6);
    assert_eq!(trend.last().unwrap()["period"], "2026-10");
    near(&trend.last().unwrap()["won_amount"], 10_000.0);
    assert_eq!(trend[0]["period"], "2026-05");
    let (_, err) = run_with(&["--rep", "al"], 2);
    assert!(err.contains("ambiguous") && err.contains("Alan"), "{err}");
    let (_, err) = run_with(&["--rep", "Alicia"], 2);
    assert!(err.contains("closest: Alice"), "{err}");
    let (v, _) = run_with(&["--rep", "李"], 0);
    assert!(
        v["card"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kpi"] == "win_rate" && r["verdict"] == "low_n")
    );
}

/// The DuckDB figures, from the raw export and from its ingested DIR (read by salesctl's own
/// parquet reader, accounts of won deals only); the DIR's new customers equal the export's.
#[test]
fn gencrm_per_rep_equals_duckdb() {
    let w = Workdir::new();
    let dir = w.path("gencrm.d");
    w.expect(
        &[
            "ingest",
            &s(&testdata("gencrm2000/deals.csv")),
            "-o",
            &s(&dir),
            "-q",
        ],
        0,
    );
    let mut new_customers = Vec::new();
    for input in [s(&testdata("gencrm2000/deals.csv")), s(&dir)] {
        let rows = gencrm_rows_equal_duckdb(&w, &input);
        new_customers.push(
            rows.iter()
                .map(|r| (r["owner"].to_string(), r["new_customers"].as_i64()))
                .collect::<Vec<_>>(),
        );
    }
    assert!(new_customers[0].iter().any(|(_, n)| n.unwrap_or(0) > 0));
    assert_eq!(new_customers[0], new_customers[1]);
}

fn gencrm_rows_equal_duckdb(w: &Workdir, input: &str) -> Vec<serde_json::Value> {
    let want =
        std::fs::read_to_string(testdata("gencrm2000/scorecard_duckdb.expected.csv")).unwrap();
    let (out, _) = w.expect(&["scorecard", input, "--format", "json"], 0);
    let rows = main_rows(&crate::workdir::json_value(&out).unwrap());
    let mut checked = 0;
    for line in want.lines().skip(1) {
        // owner,deals,won,lost,win_rate,won_amount,cycle_median_days,open_pipeline
        let c: Vec<&str> = line.split(',').collect();
        let r = rep(&rows, c[0]);
        assert_eq!(r["deals_created"].as_i64(), c[1].parse().ok(), "{}", c[0]);
        assert_eq!(r["won"].as_i64(), c[2].parse().ok(), "{}", c[0]);
        assert_eq!(r["lost"].as_i64(), c[3].parse().ok(), "{}", c[0]);
        match c[4].parse::<f64>() {
            Ok(x) => near(&r["win_rate"], x),
            Err(_) => assert!(r["win_rate"].is_null()),
        }
        assert!(
            (f(&r["won_amount"]) - c[5].parse::<f64>().unwrap()).abs() < 0.005,
            "{}",
            c[0]
        );
        match c[6].parse::<f64>() {
            Ok(x) => near(&r["cycle_median_days"], x),
            Err(_) => assert!(r["cycle_median_days"].is_null(), "{}", c[0]),
        }
        assert!(
            (f(&r["open_pipeline"]) - c[7].parse::<f64>().unwrap()).abs() < 0.005,
            "{}",
            c[0]
        );
        checked += 1;
    }
    assert_eq!(checked, 200, "{input}");
    rows
}

#[test]
fn leaderboard_chart() {
    let w = Workdir::new();
    let png = w.path("lb.png");
    let mut a = base();
    a.extend(["--chart".into(), s(&png), "--format".into(), "csv".into()]);
    let args: Vec<&str> = a.iter().map(String::as_str).collect();
    w.expect(&args, 0);
    let img = image::open(&png).expect("decodes");
    assert_eq!((img.width(), img.height()), (1000, 600));
}

/// The same input gives the same bytes every run: the team's target sums 200 reps' targets in
/// a fixed order (summed in a hash map's order, its last digits changed from run to run).
#[test]
fn team_target_is_the_same_every_run() {
    let w = Workdir::new();
    let args = [
        "scorecard",
        &s(&testdata("gencrm2000/deals.csv")),
        "--targets",
        &s(&testdata("gencrm2000/targets.csv")),
        "--period",
        "2025",
        "--format",
        "csv",
    ];
    let (first, _) = w.expect(&args, 0);
    assert!(first.lines().last().unwrap().starts_with("(team),"));
    for _ in 0..4 {
        assert_eq!(w.expect(&args, 0).0, first);
    }
}

/// Issue 27 item 2: the rep card's JSON says whose card it is, with the as-of (the latest
/// closed_at of handmade/deals.csv is 2026-01-30, D3), the period and the input; `--meta FILE`
/// writes the same object beside CSV output; warnings are listed in it.
#[test]
fn rep_card_json_and_meta_file_say_whose_card_and_from_what() {
    let w = Workdir::new();
    let d = s(&testdata("handmade/deals.csv"));
    let (out, _) = w.expect(
        &[
            "scorecard",
            &d,
            "--rep",
            "ann",
            "--period",
            "2026-01",
            "--format",
            "json",
        ],
        0,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["card", "trend", "meta"], "tables first, then meta");
    let m = &v["meta"];
    assert_eq!(m["subject"]["field"], "owner");
    assert_eq!(m["subject"]["value"], "Ann");
    assert_eq!(m["as_of"], "2026-01-30");
    assert_eq!(m["period"]["label"], "2026-01");
    assert_eq!(m["period"]["start"], "2026-01-01");
    assert_eq!(m["period"]["end"], "2026-02-01");
    assert_eq!(m["inputs"][0]["path"], d.as_str());
    assert_eq!(m["inputs"][0]["layout"], "generic");
    assert_eq!(m["inputs"][0]["rows_read"], 6);
    assert_eq!(m["warnings"].as_array().unwrap().len(), 0);
    // CSV keeps its shape; --meta writes the object to a file.
    let (out, _) = w.expect(
        &[
            "funnel",
            &d,
            "--stages",
            "Lead,Qualified,Demo,Proposal",
            "--format",
            "csv",
            "--meta",
            "m.json",
        ],
        0,
    );
    assert!(out.starts_with("stage,"), "{out}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.path("m.json")).unwrap()).unwrap();
    assert_eq!(m["as_of"], "2026-01-30");
    let warnings = m["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{m}");
    assert!(warnings[0].as_str().unwrap().contains("\"Demo\""), "{m}");
}

/// Issue 27 item 1: targets that do not line up with the data are warned about (the Target
/// column used to be empty with no word), and a period after the as-of is refused (it printed
/// an empty table, exit 0).
#[test]
fn targets_without_a_match_and_periods_after_the_as_of() {
    let w = Workdir::new();
    let none = w.write("t1.csv", b"owner,period,target\nAlice,2025-Q1,30000\n");
    let (v, err) = run_with(&["--targets", &s(&none)], 0);
    let rows = main_rows(&v);
    assert!(rows.iter().all(|r| r["target"].is_null()), "{rows:?}");
    assert!(
        err.contains("warning: --targets") && err.contains("covers the period 2026-10"),
        "{err}"
    );
    // "Alise" is no rep of the file: warned, named; Alice's own target still applies
    // (1,000 for October, won 10,000: attainment 10).
    let typo = w.write(
        "t2.csv",
        b"owner,period,target\nAlise,2026-10,5000\nAlice,2026-10,1000\n",
    );
    let (v, err) = run_with(&["--targets", &s(&typo)], 0);
    assert!(
        err.contains("1 target key(s) match no owner in the data (\"Alise\")"),
        "{err}"
    );
    near(&rep(&main_rows(&v), "Alice")["attainment"], 10.0);
    // October's deals, period December, as-of October 31: refused, naming the as-of.
    let d = s(&testdata("handmade/scorecard/deals.csv"));
    let (_, err) = w.expect(
        &[
            "scorecard",
            &d,
            "--period",
            "2026-12",
            "--as-of",
            "2026-10-31",
        ],
        3,
    );
    assert!(
        err.contains("period 2026-12 starts on 2026-12-01, after the as-of date 2026-10-31"),
        "{err}"
    );
}

/// Issue 27 item 1: a per-currency average divides by that currency's won deals. By hand
/// (testdata/handmade/deals.csv): USD won D1 1,000 + D2 2,000 over 2 deals = 1,500; EUR has no
/// won deal (D3 lost, D6 open), so no average, where the team row printed 0 (0 / 2).
#[test]
fn per_currency_averages_divide_by_that_currencys_deals() {
    let w = Workdir::new();
    let d = s(&testdata("handmade/deals.csv"));
    let (out, _) = w.expect(
        &["scorecard", &d, "--table", "money", "--format", "csv", "-q"],
        0,
    );
    assert!(out.lines().any(|l| l == "(team),EUR,0,,400,0"), "{out}");
    assert!(
        out.lines().any(|l| l == "(team),USD,3000,1500,300,0"),
        "{out}"
    );
}

/// Issue 27 item 2: a salesctl.toml found in the working folder is named on the input line
/// (for a DIR too) and in JSON's meta, since it can change the numbers.
#[test]
fn a_config_found_in_the_folder_is_named() {
    let w = Workdir::new();
    let d = s(&testdata("handmade/deals.csv"));
    w.expect(&["ingest", &d, "-o", "crm", "-q"], 0);
    w.write("salesctl.toml", b"currency = \"USD\"\n");
    let (out, err) = w.expect(&["scorecard", "crm", "--format", "json"], 0);
    assert!(err.contains("; config salesctl.toml"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["meta"]["config"], "salesctl.toml");
}

/// Issue 27, weighted pipeline: a lost deal whose stage column shows only "Lost" and that has
/// no history is counted at the first stage only, which the weighted pipeline depends on; the
/// scorecard says so in a warning, `-q` or not. By hand: P(Lead) = 1/2 (D1 won, D2 lost),
/// P(Qualified) = 1/1 (D1): Ann's O1 weighs 1,000 x 1, Bo's O2 400 x 1/2 = 200; team 1,200.
#[test]
fn weighted_pipeline_warns_of_lost_deals_at_an_unknown_stage() {
    let w = Workdir::new();
    w.write(
        "d.csv",
        b"deal_id,owner,stage,amount,created_at,closed_at\nD1,Ann,Won,500,2026-01-05,2026-02-01\nD2,Ann,Lost,700,2026-01-06,2026-02-03\nO1,Ann,Qualified,1000,2026-02-01,\nO2,Bo,Lead,400,2026-02-02,\n",
    );
    let (out, err) = w.expect(
        &[
            "scorecard",
            "d.csv",
            "--stages",
            "Lead,Qualified,Proposal",
            "--as-of",
            "2026-03-31",
            "--format",
            "csv",
            "-q",
        ],
        0,
    );
    let col = |row: &str| {
        let head: Vec<&str> = out.lines().next().unwrap().split(',').collect();
        let i = head.iter().position(|h| *h == "weighted_pipeline").unwrap();
        let line = out.lines().find(|l| l.starts_with(row)).unwrap();
        line.split(',').nth(i).unwrap().to_string()
    };
    assert_eq!(
        (col("Ann,"), col("Bo,"), col("(team),")),
        ("1000".into(), "200".into(), "1200".into())
    );
    assert!(
        err.contains("warning: 1 lost deal(s) have no stage they were lost at"),
        "{err}"
    );
}
