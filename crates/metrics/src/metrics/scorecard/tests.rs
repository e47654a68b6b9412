//! Unit tests of `metrics/scorecard.rs`.

use super::*;

#[test]
fn cycle_days_whole_when_a_side_is_date_only_and_none_when_negative() {
    let at = |d: i64, h: i64, m: i64| d * 86_400_000 + (h * 60 + m) * 60_000;
    // created 2026-03-05 14:30, closed the date 2026-03-05: the same day, 0 d (not -0.6 d)
    assert_eq!(cycle_days(at(100, 14, 30), at(100, 0, 0)), Some(0.0));
    // closed the date 3 days later: 3 whole days
    assert_eq!(cycle_days(at(100, 14, 30), at(103, 0, 0)), Some(3.0));
    // both with times: exact, 1.5 d
    assert_eq!(cycle_days(at(100, 6, 0), at(101, 18, 0)), Some(1.5));
    // closed the day before it was created: left out
    assert_eq!(cycle_days(at(100, 14, 30), at(99, 0, 0)), None);
    assert_eq!(cycle_days(at(100, 14, 30), at(100, 9, 0)), None);
}
use chrono::NaiveDate;

fn ms(y: i32, m: u32, d: u32) -> i64 {
    crate::period::date_ms(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

#[test]
fn two_halves_add_up_to_one_pass() {
    use polars::prelude::*;
    // 9 deals of 3 reps: won, lost and open, amounts in two currencies and none; every
    // count, cycle and sum must come out the same from two halves as from one pass.
    let day = 86_400_000i64;
    let status = [
        "won", "lost", "open", "won", "won", "open", "lost", "won", "open",
    ];
    let owner = ["A", "B", "A", "C", "A", "B", "C", "B", "A"];
    let amount = [
        Some(100.0),
        Some(50.0),
        Some(30.0),
        None,
        Some(7.0),
        Some(11.0),
        Some(2.0),
        Some(40.0),
        None,
    ];
    let currency = [
        "USD", "USD", "EUR", "USD", "EUR", "USD", "USD", "USD", "USD",
    ];
    let created: Vec<i64> = (0..9).map(|i| i * day).collect();
    let closed: Vec<Option<i64>> = (0..9)
        .map(|i| (status[i] != "open").then_some((i as i64 + 3 + i as i64 % 4) * day))
        .collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new("status".into(), status.to_vec()),
        Column::new("stage".into(), vec!["Proposal"; 9]),
        Column::new("owner".into(), owner.to_vec()),
        Column::new("amount".into(), amount.to_vec()),
        Column::new("currency".into(), currency.to_vec()),
        Column::new("created_at".into(), created)
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap(),
        Column::new("closed_at".into(), closed)
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap(),
    ])
    .unwrap();
    let pipelines = crate::columns::engine::Pipelines {
        lists: [("default".to_string(), vec!["Proposal".to_string()])].into(),
        outcomes: Default::default(),
    };
    let set = DealSet::build(Some(&df), None, pipelines).unwrap();
    let group = crate::columns::engine::coded(&df, "owner").unwrap();
    let account = crate::columns::engine::coded(&df, "account").unwrap();
    let p = Params::default();
    let winp = stage_win_probability(&set);
    let (by1, team1) = accumulate_split(&set, &group.codes, &account, &p, &winp, usize::MAX);
    let (by2, team2) = accumulate_split(&set, &group.codes, &account, &p, &winp, 0);
    let same = |a: &Acc, b: &Acc| {
        assert_eq!(
            (a.deals_created, a.created_won, a.won, a.lost, a.open),
            (b.deals_created, b.created_won, b.won, b.lost, b.open)
        );
        assert_eq!(a.cycles, b.cycles);
        assert_eq!(a.won_amount, b.won_amount);
        assert_eq!(a.lost_amount, b.lost_amount);
        assert_eq!(a.open_pipeline, b.open_pipeline);
        assert_eq!(a.new_customers, b.new_customers);
    };
    same(&team1, &team2);
    assert_eq!(by1.len(), 3);
    for (g, a) in &by1 {
        same(a, &by2[g]);
    }
    // And the team's figures by hand: won 100 + 40 USD (the won deal 3 has no amount) and
    // 7 EUR; lost 50 + 2 USD; open 11 USD and 30 EUR.
    assert_eq!((team1.won, team1.lost, team1.open), (4, 2, 3));
    assert_eq!(team1.won_amount["USD"], 140.0);
    assert_eq!(team1.won_amount["EUR"], 7.0);
    assert_eq!(team1.lost_amount["USD"], 52.0);
    assert_eq!(team1.open_pipeline["USD"], 11.0);
    assert_eq!(team1.open_pipeline["EUR"], 30.0);
}

#[test]
fn quarterly_target_rolls_evenly_to_months() {
    // 2026-Q4 target 30,000 -> 10,000 for 2026-11.
    let t = [((ms(2026, 10, 1), ms(2027, 1, 1)), 30_000.0)];
    let nov = rolled_target(&t, Some((ms(2026, 11, 1), ms(2026, 12, 1))));
    assert!((nov - 10_000.0).abs() < 1e-9, "{nov}");
    // Half of November (15 of 30 days) -> 5,000.
    let half = rolled_target(&t, Some((ms(2026, 11, 1), ms(2026, 11, 16))));
    assert!((half - 5_000.0).abs() < 1e-9, "{half}");
    // The whole year 2026 holds all of Q4.
    assert!((rolled_target(&t, Some((ms(2026, 1, 1), ms(2027, 1, 1)))) - 30_000.0).abs() < 1e-9);
    assert_eq!(rolled_target(&t, None), 30_000.0);
}
