//! `salesctl check`: rules on the hand-worked fixtures (values as derived in scorecard.rs and
//! funnel.rs tests): pass = exit 0, any failure = exit 4, unknown KPI = exit 2.

use serde_json::Value;

use crate::workdir::{Workdir, s, testdata};

fn score(w: &Workdir, extra: &[&str], code: i32) -> (Vec<Value>, String) {
    let f = s(&testdata("handmade/scorecard/deals.csv"));
    let mut a = vec![
        "check",
        &f,
        "--stages",
        "Lead,Qualified,Proposal,Negotiation",
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--format",
        "json",
    ];
    a.extend(extra);
    let (out, err) = w.expect(&a, code);
    (
        if out.trim().is_empty() {
            vec![]
        } else {
            crate::workdir::json_value(&out).unwrap()
        },
        err,
    )
}

#[test]
fn team_rules_pass_and_fail_with_exit_codes() {
    let w = Workdir::new();
    // Team win rate 6 / 9 = 0.667; median cycle 32 days.
    let (rows, _) = score(
        &w,
        &[
            "--rule",
            "win_rate >= 0.6",
            "--rule",
            "cycle_median_days <= 32",
        ],
        0,
    );
    assert_eq!(rows.len(), 2);
    assert!((rows[0]["value"].as_f64().unwrap() - 6.0 / 9.0).abs() < 1e-12);
    assert!(rows.iter().all(|r| r["pass"] == true));
    let (rows, err) = score(
        &w,
        &["--rule", "win_rate >= 0.7", "--rule", "won_amount > 19999"],
        4,
    );
    assert_eq!(rows[0]["pass"], false);
    assert_eq!(rows[1]["pass"], true, "won 20,000");
    assert!(err.contains("1 of 2 check(s) failed"), "{err}");
}

#[test]
fn per_rep_rules() {
    let w = Workdir::new();
    // Won deals in October: Alan 0, Alice 4, Bo 0, 李雷 2.
    let (rows, _) = score(&w, &["--by", "owner", "--rule", "won >= 1"], 4);
    let failing: Vec<&str> = rows
        .iter()
        .filter(|r| r["pass"] == false)
        .map(|r| r["owner"].as_str().unwrap())
        .collect();
    assert_eq!(failing, vec!["Alan", "Bo"]);
}

#[test]
fn stage_rules_and_config_rules() {
    let w = Workdir::new();
    let d = s(&testdata("handmade/deals.csv"));
    let h = s(&testdata("handmade/history.csv"));
    // Step conversion into Qualified: 5 / 6; into Negotiation: 2 / 4.
    let base = [
        "check",
        &d,
        &h,
        "--stages",
        "Lead,Qualified,Proposal,Negotiation",
        "--format",
        "json",
    ];
    let mut a = base.to_vec();
    a.extend([
        "--rule",
        "step_conversion[Qualified] >= 0.8",
        "--rule",
        "step_conversion[Negotiation] > 0.5",
    ]);
    let (out, _) = w.expect(&a, 4);
    let rows: Vec<Value> = crate::workdir::json_value(&out).unwrap();
    assert_eq!(
        (rows[0]["pass"].as_bool(), rows[1]["pass"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(rows[1]["value"].as_f64(), Some(0.5));
    // Rules from the config apply too.
    w.write(
        "salesctl.toml",
        "[check]\nrules = [\"reached[Won] >= 3\"]\n".as_bytes(),
    );
    let (out, _) = w.expect(&base, 4);
    let rows: Vec<Value> = crate::workdir::json_value(&out).unwrap();
    assert_eq!(
        (rows[0]["value"].as_f64(), rows[0]["pass"].as_bool()),
        (Some(2.0), Some(false))
    );
}

#[test]
fn unknown_kpi_is_a_usage_error_listing_valid_ids() {
    let w = Workdir::new();
    let (_, err) = score(&w, &["--rule", "happiness >= 1"], 2);
    assert!(
        err.contains("unknown KPI")
            && err.contains("win_rate")
            && err.contains("step_conversion[Stage]"),
        "{err}"
    );
    let (_, err) = score(&w, &["--rule", "win_rate >= 20%"], 2);
    assert!(err.contains("fractions"), "{err}");
}
