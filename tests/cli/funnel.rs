//! `salesctl funnel`: expected values worked out by hand (testdata/handmade, see its README), by
//! DuckDB (testdata/gencrm2000/funnel_duckdb.expected.csv) or by an independent pandas script
//! (HubSpot, Pipedrive: numbers quoted in the tests).

use serde_json::Value;

use crate::workdir::{Workdir, s, testdata};

const STAGES: &str = "Lead,Qualified,Proposal,Negotiation";

/// The JSON output; a multi-table result is an object of arrays, and this returns its main
/// table (`funnel`) unless `--table` picked one.
pub fn json(w: &Workdir, args: &[&str]) -> Value {
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["--format", "json"]);
    let (out, _) = w.expect(&a, 0);
    main_table(crate::workdir::json_value(&out).expect("json"))
}

fn main_table(v: Value) -> Value {
    match v {
        Value::Object(mut m) => m.remove("funnel").expect("funnel table"),
        other => other,
    }
}

fn handmade(cmd: &str, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = vec![
        cmd.into(),
        s(&testdata("handmade/deals.csv")),
        s(&testdata("handmade/history.csv")),
        "--stages".into(),
        STAGES.into(),
        "--as-of".into(),
        "2026-01-31".into(),
    ];
    v.extend(extra.iter().map(|x| x.to_string()));
    v
}

fn col(rows: &Value, key: &str) -> Vec<Value> {
    rows.as_array()
        .expect("array")
        .iter()
        .map(|r| r[key].clone())
        .collect()
}

fn counts(rows: &Value) -> Vec<i64> {
    col(rows, "deals")
        .iter()
        .map(|v| v.as_i64().expect("count"))
        .collect()
}

fn close(a: &Value, b: Option<f64>) -> bool {
    match (a.as_f64(), b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => false,
    }
}

fn run(extra: &[&str]) -> (Value, String) {
    let w = Workdir::new();
    let args = handmade("funnel", extra);
    let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
    a.extend(["--format", "json"]);
    let (out, err) = w.expect(&a, 0);
    (
        main_table(crate::workdir::json_value(&out).expect("json")),
        err,
    )
}

#[test]
fn any_order_from_history_by_hand() {
    // D1 reaches Won, D2 skips Qualified and Negotiation to Won, D3 Proposal then back to
    // Qualified then lost, D4 open at Qualified, D5 lost at Lead, D6 starts at Qualified and
    // is open at Proposal: reached = 6, 5, 4, 2, 2.
    let (rows, err) = run(&[]);
    assert_eq!(counts(&rows), vec![6, 5, 4, 2, 2]);
    let steps = col(&rows, "step_conversion");
    for (got, want) in steps
        .iter()
        .zip([None, Some(5.0 / 6.0), Some(0.8), Some(0.5), Some(1.0)])
    {
        assert!(close(got, want), "{got} vs {want:?}");
    }
    let cum = col(&rows, "cumulative_conversion");
    assert!(close(&cum[3], Some(2.0 / 6.0)));
    assert!(close(&col(&rows, "drop_off")[3], Some(0.5)));
    assert_eq!(
        col(&rows, "stage").last().unwrap(),
        "Won",
        "the export's own won label is the last row"
    );
    assert!(col(&rows, "basis").iter().all(|b| b == "history"));
    // One backward move (D3); skips: D2 two (Qualified, Negotiation), D6 one (Lead).
    assert!(
        err.contains("1 backward move(s); 3 skipped stage(s) in 2 deal(s)"),
        "{err}"
    );
}

#[test]
fn in_order_funnel_by_hand() {
    // In order: D1 to Won, D2 only Lead (skips Qualified), D3 to Proposal, D4 to Qualified,
    // D5 Lead, D6 never entered Lead: 5, 3, 2, 1, 1.
    let (rows, _) = run(&["--in-order"]);
    assert_eq!(counts(&rows), vec![5, 3, 2, 1, 1]);
    assert!(close(&col(&rows, "step_conversion")[1], Some(0.6)));
}

#[test]
fn value_funnel_per_currency_by_hand() {
    // USD deals D1 1000 (Won), D2 2000 (Won), D4 300 (Qualified), D5 700 (Lead);
    // EUR deals D3 500 and D6 400 (both reached Proposal).
    let (rows, _) = run(&["--value"]);
    let rows = rows.as_array().unwrap();
    let of = |c: &str| -> Vec<f64> {
        rows.iter()
            .filter(|r| r["currency"] == c)
            .map(|r| r["amount"].as_f64().unwrap())
            .collect()
    };
    assert_eq!(of("USD"), vec![4000.0, 3300.0, 3000.0, 3000.0, 3000.0]);
    assert_eq!(of("EUR"), vec![900.0, 900.0, 900.0, 0.0, 0.0]);
    let eur_won = rows.iter().rfind(|r| r["currency"] == "EUR").unwrap();
    assert!(eur_won["step_conversion"].is_null(), "0 / 0 is null, not 0");
    let usd_q = rows
        .iter()
        .find(|r| r["currency"] == "USD" && r["stage"] == "Qualified")
        .unwrap();
    assert!(close(&usd_q["step_conversion"], Some(3300.0 / 4000.0)));
}

#[test]
fn amounts_never_summed_across_currencies() {
    let (rows, err) = run(&[]);
    assert!(col(&rows, "amount").iter().all(Value::is_null));
    assert!(col(&rows, "currency").iter().all(|c| c == "(several)"));
    assert!(err.contains("never summed"), "{err}");
    let w = Workdir::new();
    let args = handmade("funnel", &["--table", "amounts"]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let amounts = json(&w, &a);
    let usd_lead = amounts
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["currency"] == "USD" && r["stage"] == "Lead")
        .unwrap();
    assert_eq!(usd_lead["amount"].as_f64(), Some(4000.0));
}

#[test]
fn by_owner_long_format_by_hand() {
    let (rows, _) = run(&["--by", "owner"]);
    let rows = rows.as_array().unwrap();
    let of = |o: &str| -> Vec<i64> {
        rows.iter()
            .filter(|r| r["owner"] == o)
            .map(|r| r["deals"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(of("Ann"), vec![2, 2, 2, 1, 1]); // D1 Won, D3 Proposal
    assert_eq!(of("Bob"), vec![2, 2, 1, 1, 1]); // D2 Won, D4 Qualified
    assert_eq!(of("王芳"), vec![2, 1, 1, 0, 0]); // D5 Lead, D6 Proposal
}

#[test]
fn weekly_cohorts_with_window_by_hand() {
    // ISO weeks: D1-D3 created 2026-01-01..03 (2026-W01), D4-D6 2026-01-05..08 (2026-W02).
    let (rows, _) = run(&["--cohort", "week"]);
    let rows = rows.as_array().unwrap();
    let of = |c: &str| -> Vec<i64> {
        rows.iter()
            .filter(|r| r["cohort"] == c)
            .map(|r| r["deals"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(of("2026-W01"), vec![3, 3, 3, 2, 2]);
    assert_eq!(of("2026-W02"), vec![3, 2, 1, 0, 0]);
    let share = |c: &str| {
        rows.iter().find(|r| r["cohort"] == c).unwrap()["open_share"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(share("2026-W01"), 0.0);
    assert!(
        (share("2026-W02") - 2.0 / 3.0).abs() < 1e-12,
        "D4 and D6 still open"
    );
    // Within 10 days of creation D1 and D2 have not reached Negotiation or Won yet.
    let (rows, _) = run(&["--cohort", "week", "--window", "10d"]);
    let rows = rows.as_array().unwrap();
    let w1: Vec<i64> = rows
        .iter()
        .filter(|r| r["cohort"] == "2026-W01")
        .map(|r| r["deals"].as_i64().unwrap())
        .collect();
    assert_eq!(w1, vec![3, 3, 3, 0, 0]);
}

#[test]
fn period_filters_on_created_at() {
    let (rows, err) = run(&["--from", "2026-01-01", "--to", "2026-01-03"]);
    assert_eq!(counts(&rows), vec![3, 3, 3, 2, 2]);
    assert!(
        err.contains("3 deal(s) created outside the period"),
        "{err}"
    );
    let (rows, _) = run(&["--period", "2026-01"]);
    assert_eq!(counts(&rows)[0], 6);
}

#[test]
fn gencrm_history_equals_duckdb() {
    let want = std::fs::read_to_string(testdata("gencrm2000/funnel_duckdb.expected.csv")).unwrap();
    let w = Workdir::new();
    let rows = json(
        &w,
        &[
            "funnel",
            &s(&testdata("gencrm2000/stage_history.csv")),
            "--stages",
            "Prospecting,Qualification,Proposal,Negotiation",
        ],
    );
    let rows = rows.as_array().unwrap();
    let lines: Vec<&str> = want.lines().skip(1).collect();
    assert_eq!(rows.len(), lines.len());
    for (r, line) in rows.iter().zip(lines) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(r["stage"], f[0]);
        assert_eq!(
            r["deals"].as_i64().unwrap(),
            f[1].parse::<i64>().unwrap(),
            "{}",
            f[0]
        );
        let step = f[2].parse::<f64>().ok();
        assert!(close(&r["step_conversion"], step), "{} step", f[0]);
        assert!(
            close(&r["cumulative_conversion"], f[3].parse::<f64>().ok()),
            "{} cumulative",
            f[0]
        );
    }
}

#[test]
fn implied_basis_places_lost_deals_at_the_first_stage() {
    // pandas, independently: 2000 / 394 / 277 / 192 / 153, 1464 lost deals placed first.
    let w = Workdir::new();
    let f = s(&testdata("gencrm2000/deals.csv"));
    let a = [
        "funnel",
        &f,
        "--stages",
        "Prospecting,Qualification,Proposal,Negotiation",
        "--format",
        "json",
    ];
    let (out, err) = w.expect(&a, 0);
    let rows = main_table(crate::workdir::json_value(&out).unwrap());
    assert_eq!(counts(&rows), vec![2000, 394, 277, 192, 153]);
    assert!(col(&rows, "basis").iter().all(|b| b == "implied"));
    assert!(err.contains("1464 lost/invalid deal(s)"), "{err}");
}

#[test]
fn hubspot_two_pipelines_from_date_entered_columns() {
    // pandas over the Date entered "<Stage> (<Pipeline>)" cells, independently.
    let w = Workdir::new();
    let f = s(&testdata(
        "hubspot/hubspot-crm-exports-all-deals-2026-10-31.csv",
    ));
    let rows = json(&w, &["funnel", &f]);
    let rows = rows.as_array().unwrap();
    let of = |rows: &Vec<Value>, p: &str| -> Vec<i64> {
        rows.iter()
            .filter(|r| r["pipeline"] == p)
            .map(|r| r["deals"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(of(rows, "Sales Pipeline"), vec![8, 6, 5, 5, 4, 2]);
    assert_eq!(of(rows, "Partners Distribution"), vec![5, 5, 3, 2]);
    let rows = json(&w, &["funnel", &f, "--in-order"]);
    let rows = rows.as_array().unwrap();
    assert_eq!(of(rows, "Sales Pipeline"), vec![8, 6, 4, 3, 2, 1]);
    assert_eq!(of(rows, "Partners Distribution"), vec![5, 4, 2, 2]);
    let rows = json(&w, &["funnel", &f, "--pipeline", "Partners Distribution"]);
    assert_eq!(counts(&rows), vec![5, 5, 3, 2]);
}

#[test]
fn pipedrive_implied_with_config_stages_and_amounts_per_currency() {
    let w = Workdir::new();
    let f = s(&testdata("pipedrive/deals-pipedrive.csv"));
    let cfg = s(&testdata("handmade/pipedrive.toml"));
    let rows = json(&w, &["funnel", &f, "--config", &cfg]);
    let rows = rows.as_array().unwrap();
    let main: Vec<i64> = rows
        .iter()
        .filter(|r| r["pipeline"] == "Pipeline")
        .map(|r| r["deals"].as_i64().unwrap())
        .collect();
    assert_eq!(main, vec![11, 9, 8, 6, 4, 3]);
    let amounts = json(&w, &["funnel", &f, "--config", &cfg, "--table", "amounts"]);
    let get = |c: &str| -> Vec<f64> {
        amounts
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["pipeline"] == "Pipeline" && r["currency"] == c)
            .map(|r| r["amount"].as_f64().unwrap())
            .collect()
    };
    assert_eq!(
        get("USD"),
        vec![86200.0, 82700.0, 75500.0, 75500.0, 44500.0, 44500.0]
    );
    assert_eq!(
        get("GBP"),
        vec![21740.9, 21740.9, 21740.9, 8750.0, 8750.0, 8750.0]
    );
    assert_eq!(
        get("EUR"),
        vec![56200.5, 56200.5, 56200.5, 51800.0, 42000.0, 0.0]
    );
}

#[test]
fn unknown_by_field_and_missing_stage_order_are_clear_errors() {
    let w = Workdir::new();
    let args = handmade("funnel", &["--by", "ownr"]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, err) = w.expect(&a, 3);
    assert!(
        err.contains("ownr") && err.contains("closest: \"owner\""),
        "{err}"
    );
    let (_, err) = w.expect(&["funnel", &s(&testdata("handmade/deals.csv"))], 2);
    assert!(
        err.contains("--stages") && err.contains("Proposal"),
        "{err}"
    );
}

#[test]
fn chart_has_the_asked_size() {
    let w = Workdir::new();
    let png = w.path("funnel.png");
    let args = handmade(
        "funnel",
        &[
            "--chart",
            &s(&png),
            "--chart-size",
            "640x400",
            "-o",
            &s(&w.path("f.csv")),
        ],
    );
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    w.expect(&a, 0);
    let img = image::open(&png).expect("decodes");
    assert_eq!((img.width(), img.height()), (640, 400));
}

#[test]
fn fx_converts_amounts_to_one_currency_by_date() {
    // testdata/handmade/fx.csv: EUR 1.10 from 2026-01-01, 1.20 from 2026-01-20; USD rate 1 is the
    // report currency. D3 (EUR 500, closed 2026-01-30) -> 600; D6 (EUR 400, open, created
    // 2026-01-08) -> 440. Lead: USD 4000 + 1040; Qualified 3300 + 1040; Proposal 3000 + 1040.
    let fx = s(&testdata("handmade/fx.csv"));
    let (rows, err) = run(&["--fx", &fx]);
    let amounts: Vec<f64> = col(&rows, "amount")
        .iter()
        .map(|v| v.as_f64().expect("one currency now"))
        .collect();
    let want = [5040.0, 4340.0, 4040.0, 3000.0, 3000.0];
    for (g, w) in amounts.iter().zip(want) {
        assert!((g - w).abs() < 1e-9, "{amounts:?}");
    }
    assert!(col(&rows, "currency").iter().all(|c| c == "USD"));
    assert!(err.contains("converted to USD with --fx"), "{err}");
    // A currency the file has no rate for is an error naming it.
    let w = Workdir::new();
    let bad = w.write("fx.csv", b"date,currency,rate\n2026-01-01,USD,1\n");
    let args = handmade("funnel", &["--fx", &s(&bad)]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, err) = w.expect(&a, 3);
    assert!(err.contains("no rate for EUR"), "{err}");
}

/// A raw export is validated in the columns the command reads: a bad probability (which the
/// funnel never reads) rejects no deal there, while ingest (every column) rejects its row; a bad
/// amount (which the funnel reads) still rejects. Counts by hand: implied basis from the current
/// stage, A at Lead, B at Qualified, C won (reached every stage).
#[test]
fn only_the_columns_read_are_validated() {
    let w = Workdir::new();
    let f = w.write(
        "deals.csv",
        b"deal_id,owner,stage,amount,currency,created_at,probability,region\n\
A,Ann,Lead,100,USD,2026-01-05,10%,North\n\
B,Bob,Qualified,200,USD,2026-01-06,abc,South\n\
C,Ann,Closed Won,300,USD,2026-01-07,100%,North\n",
    );
    let base = [
        "funnel",
        &s(&f),
        "--stages",
        "Lead,Qualified",
        "--as-of",
        "2026-01-31",
    ];
    let rows = json(&w, &base);
    assert_eq!(counts(&rows), vec![3, 2, 1]);
    // --by a column that is not canonical is read (and South holds B).
    let mut a = base.to_vec();
    a.extend(["--by", "region"]);
    let rows = json(&w, &a);
    let south: Vec<i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["region"] == "South")
        .map(|r| r["deals"].as_i64().unwrap())
        .collect();
    assert_eq!(south, vec![1, 1, 0]);
    // Ingest validates every column: B's probability is rejected.
    let out = w.path("dir");
    let (_, err) = w.expect(&["ingest", &s(&f), "-o", &s(&out), "--max-rejects", "1"], 0);
    assert!(
        err.contains("1 rejected") || err.contains("rejected: 1"),
        "{err}"
    );
    let rej = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert!(rej.contains("abc"), "{rej}");
    // A bad amount is read by the funnel, so A's row is rejected there.
    let g = w.write(
        "deals2.csv",
        b"deal_id,owner,stage,amount,currency,created_at,probability\n\
A,Ann,Lead,xyz,USD,2026-01-05,10%\n\
B,Bob,Qualified,200,USD,2026-01-06,abc\n\
C,Ann,Closed Won,300,USD,2026-01-07,100%\n",
    );
    let mut a = base.to_vec();
    let gs = s(&g);
    a[1] = &gs;
    // 1 of 3 rows is over the default 10%: refused, and read when the loss is allowed.
    let mut refused = a.clone();
    refused.extend(["--format", "json"]);
    let (_, err) = w.expect(&refused, 3);
    assert!(err.contains("1 of 3 data rows rejected"), "{err}");
    a.extend(["--max-rejects", "1"]);
    let rows = json(&w, &a);
    assert_eq!(counts(&rows), vec![2, 2, 1]);
}

/// Issue 27 item 1: a `--stages` typo is refused naming the label in the data (it used to be
/// "reached" by 4 of 6 deals, 66.7%, exit 0); a listed stage no deal has is a warning that `-q`
/// does not silence; the first stage (every deal enters there) is exempt.
#[test]
fn stage_typos_are_refused_and_absent_stages_warned() {
    let w = Workdir::new();
    let d = s(&testdata("handmade/deals.csv"));
    let (out, err) = w.expect(
        &[
            "funnel",
            &d,
            "--stages",
            "Lead,Qualifed,Proposal,Negotiation",
        ],
        2,
    );
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("\"Qualifed\"") && err.contains("did you mean \"Qualified\""),
        "{err}"
    );
    // Equal once case, punctuation and spaces are dropped: also a near miss.
    let (_, err) = w.expect(
        &[
            "funnel",
            &d,
            "--stages",
            "Lead,QUALIFIED!,Proposal,Negotiation",
        ],
        2,
    );
    assert!(err.contains("did you mean \"Qualified\""), "{err}");
    // "Demo" is near nothing: computed, with one warning naming it (and Negotiation, which no
    // deal of the file is at), printed under -q, and the closing count.
    let (out, err) = w.expect(
        &[
            "funnel",
            &d,
            "--stages",
            "Lead,Qualified,Demo,Proposal,Negotiation",
            "-q",
            "--format",
            "csv",
        ],
        0,
    );
    assert!(out.lines().any(|l| l.starts_with("Demo,")), "{out}");
    let warn: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warn.len(), 1, "{err}");
    assert!(
        warn[0].contains("\"Demo\"")
            && warn[0].contains("\"Negotiation\"")
            && !warn[0].contains("\"Lead\""),
        "{err}"
    );
    assert!(err.contains("salesctl: 1 warning above"), "{err}");
    assert!(!err.contains("note:"), "-q silences notes: {err}");
}
