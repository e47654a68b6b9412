//! Unit tests of `load/dir.rs`.

use super::*;

/// Write `df` with the row-group writer and read it back whole.
fn round_trip(df: &DataFrame, tag: &str) -> DataFrame {
    let dir = std::env::temp_dir().join(format!("salesctl-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.parquet");
    write_atomic(&path, |f| {
        write_parquet(f, df).map_err(std::io::Error::other)
    })
    .unwrap();
    // Read back through the DIR reader (its own decoding on polars-parquet), every column
    // and row group; the expected value is the frame written.
    let file = super::super::pq::PqFile::open(&path).unwrap();
    let names: Vec<&str> = df.get_column_names().iter().map(|c| c.as_str()).collect();
    let back = file.read(&names, 0..file.group_rows().len()).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    back
}

/// A table of 10 rows in row groups of 3, read in batches of at least 5 rows: whole groups
/// (6 rows, then 4), only the columns asked for that exist (in the order asked), the same
/// values in order (a dictionary-coded label column included); a file of one batch's rows
/// is not batched.
#[test]
fn batches_of_whole_row_groups() {
    let ids: Vec<String> = (0..10).map(|i| format!("deal-{i:03}")).collect();
    let stages: Vec<&str> = (0..10).map(|i| ["A", "B", "C"][i % 3]).collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new("deal_id".into(), ids.clone()),
        Column::new("stage".into(), stages.clone())
            .cast(&DataType::from_categories(Categories::global()))
            .unwrap(),
        Column::new("amount".into(), (0..10).map(f64::from).collect::<Vec<_>>()),
    ])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    write_atomic(&path, |f| {
        write_parquet_groups(f, &df, 3).map_err(std::io::Error::other)
    })
    .unwrap();
    let (rows, batches) = parquet_batches_of(&path, &["stage", "deal_id", "amount", "nope"], 5)
        .unwrap()
        .unwrap();
    assert_eq!(rows, 10);
    let got: Vec<EventBatch> = batches.map(|b| b.unwrap()).collect();
    assert_eq!(
        got.iter().map(EventBatch::height).collect::<Vec<_>>(),
        vec![6, 4]
    );
    let (mut id_back, mut stage_back) = (Vec::new(), Vec::new());
    for b in &got {
        // The deal ids and stages come apart from the frame, one chunk per row group.
        assert_eq!(b.df.get_column_names(), ["amount"]);
        assert_eq!(b.df.height(), b.height());
        let chunks = b.ids.as_ref().unwrap();
        assert_eq!(chunks.len(), b.height().div_ceil(3));
        for c in chunks {
            id_back.extend(c.texts().into_iter().map(|v| v.unwrap().to_string()));
        }
        for c in b.stage.as_ref().unwrap() {
            stage_back.extend(c.texts().into_iter().map(|v| v.unwrap().to_string()));
        }
    }
    assert_eq!(id_back, ids);
    assert_eq!(stage_back, stages);
    let amounts: Vec<f64> = got
        .iter()
        .flat_map(|b| {
            b.df.column("amount")
                .unwrap()
                .f64()
                .unwrap()
                .into_no_null_iter()
        })
        .collect();
    assert_eq!(amounts, (0..10).map(f64::from).collect::<Vec<_>>());
    assert!(
        parquet_batches_of(&path, &["deal_id"], 10)
            .unwrap()
            .is_none()
    );
}

/// Stage events read from a DIR file in batches (ids and stages from the row groups'
/// dictionaries, coded ahead on the reader's thread) index as worked out by hand: deals
/// in order of first appearance (x, d2, d1), each deal's events sorted by time, the unknown
/// label counted, the won label seen; rows out of order and deals split across groups.
#[test]
fn events_from_a_dir_file_index_by_hand() {
    use crate::columns::engine::{Coded, EventRows, Ids, Pipelines, index_events};
    use crate::columns::paths::Pos;
    let day = 86_400_000i64;
    let ids = ["x", "d2", "d1", "d1", "x", "d2", "d1", "x"];
    let stages = [
        "Qualification",
        "Prospecting",
        "Qualification",
        "Prospecting",
        "Prospecting",
        "Mystery",
        "Closed Won",
        "Closed Won",
    ];
    let at = [2, 1, 2, 1, 1, 3, 3, 4].map(|d| d * day);
    let df = DataFrame::new_infer_height(vec![
        Column::new("deal_id".into(), ids.to_vec()),
        Column::new("stage".into(), stages.to_vec())
            .cast(&DataType::from_categories(Categories::global()))
            .unwrap(),
        Column::new("entered_at".into(), at.to_vec())
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap(),
    ])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pipelines = Pipelines {
        lists: [(
            "default".to_string(),
            vec!["Prospecting".to_string(), "Qualification".to_string()],
        )]
        .into(),
        outcomes: Default::default(),
    };
    // As given, and as ingest writes it (sorted by deal id and time: the ids ascend and the
    // events come in order, so nothing is hashed or sorted).
    let sorted = df
        .sort(["deal_id", "entered_at"], Default::default())
        .unwrap();
    for (df, order) in [(&df, ["x", "d2", "d1"]), (&sorted, ["d1", "d2", "x"])] {
        let path = dir.path().join(format!("{}.parquet", order[0]));
        write_atomic(&path, |f| {
            write_parquet_groups(f, df, 2).map_err(std::io::Error::other)
        })
        .unwrap();
        let deal = |name: &str| order.iter().position(|&n| n == name).unwrap();
        for batch_rows in [1, 3, 5] {
            let (rows, batches) =
                parquet_batches_of(&path, &["deal_id", "stage", "entered_at"], batch_rows)
                    .unwrap()
                    .unwrap();
            let mut extra = Ids::empty();
            let ix = index_events(
                EventRows::Batches { rows, batches },
                None,
                0,
                &mut extra,
                &pipelines,
                &Coded::default(),
            )
            .unwrap();
            let names: Vec<&str> = (0..extra.len()).map(|i| extra.get(i).unwrap()).collect();
            assert_eq!(names, order, "batches of {batch_rows}");
            let of = |d: &str| -> Vec<(i64, Pos)> {
                ix.of(deal(d)).iter().map(|e| (e.at, e.pos)).collect()
            };
            assert_eq!(
                of("x"),
                [
                    (day, Pos::Open(0)),
                    (2 * day, Pos::Open(1)),
                    (4 * day, Pos::Won)
                ]
            );
            assert_eq!(of("d2"), [(day, Pos::Open(0))]);
            assert_eq!(
                of("d1"),
                [
                    (day, Pos::Open(0)),
                    (2 * day, Pos::Open(1)),
                    (3 * day, Pos::Won)
                ]
            );
            assert_eq!(ix.unknown, [("Mystery".to_string(), 1)].into());
            assert_eq!(ix.won_labels, [("Closed Won".to_string(), 2)].into());
        }
    }
}

/// A table held in two chunks of 5 rows, written in groups of 4: groups of 4, 4 and 2
/// rows (a part spanning the chunks is one group, not two).
#[test]
fn row_groups_are_of_equal_size_whatever_the_chunks() {
    let half = |a: i64| {
        DataFrame::new_infer_height(vec![Column::new(
            "n".into(),
            (a..a + 5).collect::<Vec<_>>(),
        )])
        .unwrap()
    };
    let mut df = half(0);
    df.vstack_mut(&half(5)).unwrap();
    assert_eq!(df.first_col_n_chunks(), 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    write_atomic(&path, |f| {
        write_parquet_groups(f, &df, 4).map_err(std::io::Error::other)
    })
    .unwrap();
    let f = super::super::pq::PqFile::open(&path).unwrap();
    assert_eq!(f.group_rows(), vec![4, 4, 2]);
    let back = f.read(&["n"], 0..3).unwrap();
    let n: Vec<Option<i64>> = back.column("n").unwrap().i64().unwrap().iter().collect();
    assert_eq!(n, (0..10).map(Some).collect::<Vec<_>>());
}

/// A DIR file damaged inside its data (the footer intact) gives an error naming the file
/// and the rows, not a panic and not fewer rows.
#[test]
fn a_damaged_batch_is_an_error_naming_the_file() {
    let ids: Vec<String> = (0..400)
        .map(|i| format!("deal-{i:05}-{}", i * 7919))
        .collect();
    let df = DataFrame::new_infer_height(vec![Column::new("deal_id".into(), ids)]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stage_events.parquet");
    write_atomic(&path, |f| {
        write_parquet_groups(f, &df, 100).map_err(std::io::Error::other)
    })
    .unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    // Past the first row group's pages: the second batch is damaged.
    let at = bytes.len() / 2;
    for b in &mut bytes[at..at + 64] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let (rows, batches) = parquet_batches_of(&path, &["deal_id"], 150)
        .unwrap()
        .unwrap();
    assert_eq!(rows, 400);
    let results: Vec<Result<EventBatch>> = batches.collect();
    let err = results
        .iter()
        .find_map(|r| r.as_ref().err())
        .expect("a damaged page is an error");
    let msg = err.to_string();
    assert!(msg.contains("stage_events.parquet"), "{msg}");
    let got: usize = results.iter().flatten().map(EventBatch::height).sum();
    assert!(got < 400);
}

#[test]
fn an_empty_table_round_trips() {
    // Every row rejected: the table is written with its columns and no rows.
    let df = DataFrame::new_infer_height(vec![Column::new("deal_id".into(), Vec::<String>::new())])
        .unwrap();
    let back = round_trip(&df, "rg0");
    assert_eq!(back.height(), 0);
    assert_eq!(back.get_column_names(), df.get_column_names());
}

#[test]
fn tables_longer_than_a_row_group_round_trip() {
    // 2.3 row groups, with nulls and text, written group by group and read back whole.
    let n = ROW_GROUP * 2 + ROW_GROUP / 3;
    let ids: Vec<String> = (0..n).map(|i| format!("id{i}")).collect();
    let amt: Vec<Option<f64>> = (0..n)
        .map(|i| (i % 7 != 0).then_some(i as f64 * 0.5))
        .collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new("deal_id".into(), ids),
        Column::new("amount".into(), amt),
    ])
    .unwrap();
    let back = round_trip(&df, "rg");
    assert_eq!(back.height(), n);
    assert!(back.equals_missing(&df));
}
