//! Unit tests of `metrics/snapshots.rs`.

use super::*;

fn row(key: &str, stage: &str) -> SnapRow {
    SnapRow {
        key: key.into(),
        stage: Some(stage.into()),
        ..Default::default()
    }
}

#[test]
fn matching_finds_common_new_and_vanished() {
    let old = vec![row("a", "x"), row("b", "x")];
    let new = vec![row("b", "y"), row("c", "x")];
    let m = match_rows(&old, &new);
    assert_eq!(m.common, vec![(1, 0)]);
    assert_eq!(m.new, vec![1]);
    assert_eq!(m.vanished, vec![0]);
}

#[test]
fn stage_change_becomes_an_interval_event() {
    let s1 = Snapshot {
        label: "1".into(),
        at: 100,
        rows: vec![row("a", "Lead")],
    };
    let s2 = Snapshot {
        label: "2".into(),
        at: 200,
        rows: vec![row("a", "Proposal")],
    };
    let (ev, st) = rebuild(&[s1, s2], &|_, s| s == "Lead", &|_| false);
    assert_eq!(ev.len(), 2);
    assert_eq!(
        (ev[1].min, ev[1].max, ev[1].at),
        (Some(100), Some(200), None)
    );
    assert_eq!((st.exact, st.interval), (0, 2));
}

/// Worked by hand over stages Lead < Qualified < Proposal and outcomes Won / Lost:
/// "a" Lead -> Proposal (forward, skipping Qualified), amount 100 -> 150 (up by 50);
/// "b" Proposal -> Lead (backward), owner Ann -> Bo; "c" Qualified -> Won; "d" only in
/// the old export (vanished), "e" only in the new (new).
#[test]
fn changes_between_two_snapshots_by_hand() {
    let pipelines = Pipelines {
        lists: [(
            "default".to_string(),
            vec!["Lead".into(), "Qualified".into(), "Proposal".into()],
        )]
        .into(),
        outcomes: crate::model::pipeline::Outcomes {
            won: vec!["Won".into()],
            lost: vec!["Lost".into()],
            invalid: vec![],
        },
    };
    let with = |k: &str, s: &str, amount: Option<f64>, owner: &str| SnapRow {
        amount,
        owner: Some(owner.into()),
        ..row(k, s)
    };
    let old = vec![
        with("a", "Lead", Some(100.0), "Ann"),
        with("b", "Proposal", None, "Ann"),
        with("c", "Qualified", None, "Ann"),
        with("d", "Lead", Some(7.0), "Ann"),
    ];
    let new = vec![
        with("a", "Proposal", Some(150.0), "Ann"),
        with("b", "Lead", None, "Bo"),
        with("c", "Won", None, "Ann"),
        with("e", "Lead", None, "Ann"),
    ];
    let m = match_rows(&old, &new);
    let got: Vec<(&str, &str, String, String, Option<f64>)> = changes(&old, &new, &m, &pipelines)
        .into_iter()
        .map(|c| {
            (
                c.kind,
                if c.key == "a" { "a" } else { "" },
                c.from,
                c.to,
                c.amount,
            )
        })
        .filter(|c| !c.1.is_empty())
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "moved_forward",
                "a",
                "Lead".into(),
                "Proposal".into(),
                Some(150.0)
            ),
            (
                "skipped_stages",
                "a",
                "Lead".into(),
                "Proposal".into(),
                Some(150.0)
            ),
            ("amount_up", "a", "100".into(), "150".into(), Some(50.0)),
        ]
    );
    let kinds: Vec<(&str, String)> = changes(&old, &new, &m, &pipelines)
        .into_iter()
        .filter(|c| c.key != "a")
        .map(|c| (c.kind, c.key))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("new", "e".to_string()),
            ("vanished", "d".to_string()),
            ("moved_backward", "b".to_string()),
            ("owner_changed", "b".to_string()),
            ("won", "c".to_string()),
        ]
    );
}

/// Four changes by hand: two `won` (100 USD and 50 EUR), one `lost` (30 USD), one `new`
/// without an amount. won: 2 deals, USD 100 and EUR 50, never 150 as one sum unless asked;
/// lost: 1 deal, 30; new: 1 deal, no amount. Currencies seen: EUR, USD (several).
#[test]
fn summarize_counts_and_sums_per_kind_and_currency() {
    let ch = |kind, key: &str, amount| Change {
        kind,
        key: key.to_string(),
        from: String::new(),
        to: String::new(),
        amount,
    };
    let detail = [
        ch("won", "a", Some(100.0)),
        ch("won", "b", Some(50.0)),
        ch("lost", "c", Some(30.0)),
        ch("new", "d", None),
    ];
    let cur = |d: &Change| match d.key.as_str() {
        "b" => Some("EUR"),
        _ => Some("USD"),
    };
    let s = summarize(&detail, cur);
    assert_eq!(s.kinds.len(), CHANGE_KINDS.len());
    assert_eq!(s.currencies, ["EUR", "USD"]);
    assert!(s.several_currencies());
    let k = |name: &str| s.kinds.iter().find(|k| k.kind == name).unwrap();
    assert_eq!(k("won").deals, 2);
    assert_eq!(k("won").amounts[&Some("USD".to_string())], 100.0);
    assert_eq!(k("won").amounts[&Some("EUR".to_string())], 50.0);
    assert_eq!(k("won").total(), Some(150.0));
    assert_eq!((k("lost").deals, k("lost").total()), (1, Some(30.0)));
    assert_eq!((k("new").deals, k("new").total()), (1, None));
    assert_eq!((k("vanished").deals, k("vanished").total()), (0, None));
}
