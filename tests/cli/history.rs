//! `salesctl history` on three hand-made snapshots (testdata/handmade/snapshots): the rebuilt
//! events, worked out by hand, and the funnel of the rebuilt history.

use serde_json::Value;

use crate::workdir::{Workdir, s, testdata};

fn snaps() -> Vec<String> {
    [
        "deals-2026-01-31.csv",
        "deals-2026-02-28.csv",
        "deals-2026-03-31.csv",
    ]
    .iter()
    .map(|f| s(&testdata(&format!("handmade/snapshots/{f}"))))
    .collect()
}

#[test]
fn rebuilds_events_from_snapshots_by_hand() {
    let w = Workdir::new();
    let out = s(&w.path("hist"));
    let sn = snaps();
    // Files given out of order: dates come from the file names.
    let (_, err) = w.expect(
        &[
            "history",
            &sn[2],
            &sn[0],
            &sn[1],
            "-o",
            &out,
            "--stages",
            "Lead,Qualified,Proposal,Negotiation",
        ],
        0,
    );
    assert!(
        err.contains("1 deal(s) vanished") && err.contains("S3"),
        "{err}"
    );
    let (json, _) = w.expect(
        &[
            "show",
            &out,
            "--rows-of",
            "stage_events",
            "--format",
            "json",
        ],
        0,
    );
    let rows: Vec<Value> = crate::workdir::json_value(&json).unwrap();
    let ev = |k: &str| -> Vec<(String, Value, Value, Value)> {
        rows.iter()
            .filter(|r| r["deal_id"] == k)
            .map(|r| {
                (
                    r["stage"].as_str().unwrap().to_string(),
                    r["entered_at"].clone(),
                    r["entered_at_min"].clone(),
                    r["entered_at_max"].clone(),
                )
            })
            .collect()
    };
    let d = |x: &str| Value::String(x.into());
    // S1: Lead at creation (first stage), Qualified between the first two snapshots, Proposal
    // between the last two.
    assert_eq!(
        ev("S1"),
        vec![
            ("Lead".into(), d("2026-01-10"), Value::Null, Value::Null),
            (
                "Qualified".into(),
                Value::Null,
                d("2026-01-31"),
                d("2026-02-28")
            ),
            (
                "Proposal".into(),
                Value::Null,
                d("2026-02-28"),
                d("2026-03-31")
            ),
        ]
    );
    // S2: first seen at Qualified (entered between creation and the first snapshot), lost on
    // its close date.
    assert_eq!(
        ev("S2"),
        vec![
            (
                "Qualified".into(),
                Value::Null,
                d("2026-01-05"),
                d("2026-01-31")
            ),
            ("Lost".into(), d("2026-03-15"), Value::Null, Value::Null),
        ]
    );
    // S3 won on 2026-02-20, then vanished; S4 new in the second snapshot, at Lead since creation.
    assert_eq!(
        ev("S3")[1],
        ("Won".into(), d("2026-02-20"), Value::Null, Value::Null)
    );
    assert_eq!(
        ev("S4"),
        vec![("Lead".into(), d("2026-02-10"), Value::Null, Value::Null)]
    );
    assert_eq!(rows.len(), 8);
    // The funnel of the rebuilt history: S1 to Proposal, S2 Qualified, S3 Won, S4 Lead.
    let (json, err) = w.expect(
        &[
            "funnel",
            &out,
            "--stages",
            "Lead,Qualified,Proposal,Negotiation",
            "--format",
            "json",
            "--table",
            "funnel",
        ],
        0,
    );
    let f: Vec<Value> = crate::workdir::json_value(&json).unwrap();
    let counts: Vec<i64> = f.iter().map(|r| r["deals"].as_i64().unwrap()).collect();
    assert_eq!(counts, vec![4, 3, 2, 1, 1]);
    assert!(f.iter().all(|r| r["basis"] == "history"));
    assert!(err.contains("4 skipped stage(s) in 2 deal(s)"), "{err}");
}

#[test]
fn dates_flag_and_bad_counts() {
    let w = Workdir::new();
    let out = s(&w.path("h"));
    let sn = snaps();
    let (_, err) = w.expect(
        &[
            "history",
            &sn[0],
            &sn[1],
            "-o",
            &out,
            "--dates",
            "2026-01-31",
        ],
        2,
    );
    assert!(err.contains("--dates has 1 dates for 2 snapshots"), "{err}");
    w.expect(
        &[
            "history",
            &sn[0],
            &sn[1],
            "-o",
            &out,
            "--dates",
            "2026-01-31,2026-02-28",
            "-q",
        ],
        0,
    );
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(w.path("h/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["as_of"], "2026-02-28");
    assert_eq!(m["tables"]["stage_events"], 6, "S1 2, S2 1, S3 2, S4 1");
}
