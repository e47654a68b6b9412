//! Unit tests of `columns/deals.rs`.

use super::*;

/// Three deals. The set built by taking columns holds the same values as the frame
/// (statuses, stages, amounts, times by hand), the columns it copied are gone from the
/// frame, and the kept one and the unused one stay.
#[test]
fn taking_columns_leaves_the_kept_ones() {
    let day = 86_400_000i64;
    let mut df = DataFrame::new_infer_height(vec![
        Column::new("deal_id".into(), ["a", "b", "c"]),
        Column::new("owner".into(), ["Ann", "Bo", "Ann"]),
        Column::new("stage".into(), ["Proposal", "Won", "Lost"]),
        Column::new("status".into(), ["open", "won", "lost"]),
        Column::new("amount".into(), [Some(10.0), None, Some(30.5)]),
        Column::new("created_at".into(), [0, day, 2 * day])
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap(),
        Column::new("closed_at".into(), [None, Some(5 * day), Some(9 * day)])
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap(),
        Column::new("region".into(), ["N", "S", "N"]),
    ])
    .unwrap();
    let pipelines = Pipelines {
        lists: [(
            "default".to_string(),
            vec!["Qualification".to_string(), "Proposal".to_string()],
        )]
        .into(),
        outcomes: Default::default(),
    };
    let set = DealSet::build_taking(&mut df, &["stage"], None, pipelines).unwrap();
    assert_eq!(set.len(), 3);
    assert_eq!(
        (0..3).map(|d| set.status(d)).collect::<Vec<_>>(),
        [Some(Status::Open), Some(Status::Won), Some(Status::Lost)]
    );
    assert_eq!(set.current(0), Some(Pos::Open(1)));
    assert_eq!(
        (0..3).map(|d| set.amount(d)).collect::<Vec<_>>(),
        [Some(10.0), None, Some(30.5)]
    );
    assert_eq!(set.created_at(2), Some(2 * day));
    assert_eq!(set.closed_at(0), None);
    assert_eq!(set.closed_at(1), Some(5 * day));
    assert_eq!(set.id(1), "b");
    let mut left: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    left.sort();
    assert_eq!(left, ["deal_id", "owner", "region", "stage"]);
}
