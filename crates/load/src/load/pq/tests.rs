//! Unit tests of `load/pq.rs`.

use super::*;

/// Write `df` in row groups of `group` rows to a temporary DIR file.
fn write(df: &DataFrame, group: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    crate::io::write_atomic(&path, |f| {
        super::super::dir::write_parquet_groups(f, df, group).map_err(std::io::Error::other)
    })
    .unwrap();
    (dir, path)
}

fn cat(v: Vec<Option<&str>>) -> Column {
    Column::new("stage".into(), v)
        .cast(&DataType::from_categories(Categories::global()))
        .unwrap()
}

fn texts(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    let c = df.column(col).unwrap().cast(&DataType::String).unwrap();
    c.str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

/// A text column comes back per row group as dictionary and keys when the writer
/// dictionary-encoded it (ids repeated: each deal has several events), else as texts; either
/// way every row's text and null is in place. A column that is not text gives None.
#[test]
fn text_chunks_as_dictionary_or_texts() {
    // 40 rows, each id on 4 rows (and a null), in groups of 16: dictionary pages.
    let repeated: Vec<Option<String>> = (0..40)
        .map(|i| (i != 17).then(|| format!("006{:012}", i / 4)))
        .collect();
    // 40 distinct long ids.
    let distinct: Vec<Option<String>> = (0..40)
        .map(|i| Some(format!("deal-{i:05}-{}", "x".repeat(i % 7))))
        .collect();
    for (vals, dict) in [(repeated, true), (distinct, false)] {
        let df = DataFrame::new_infer_height(vec![
            Column::new("deal_id".into(), vals.clone()),
            Column::new("n".into(), (0..40).collect::<Vec<i64>>()),
        ])
        .unwrap();
        let (_d, path) = write(&df, 16);
        let f = PqFile::open(&path).unwrap();
        assert!(f.is_text("deal_id") && !f.is_text("n"));
        assert!(f.text_chunks("n", 0..3).unwrap().is_none());
        assert!(f.text_chunks("nope", 0..3).unwrap().is_none());
        let chunks = f.text_chunks("deal_id", 0..3).unwrap().unwrap();
        assert_eq!(
            chunks.iter().map(TextChunk::len).collect::<Vec<_>>(),
            vec![16, 16, 8]
        );
        if dict {
            assert!(chunks.iter().all(|c| matches!(c, TextChunk::Dict { .. })));
        }
        let back: Vec<Option<String>> = chunks
            .iter()
            .flat_map(|c| c.texts())
            .map(|v| v.map(str::to_string))
            .collect();
        assert_eq!(back, vals);
        // The last group alone.
        let last = f.text_chunks("deal_id", 2..3).unwrap().unwrap();
        let back: Vec<Option<&str>> = last[0].texts();
        assert_eq!(back.len(), 8);
        assert_eq!(back[0], vals[32].as_deref());
    }
}

/// Seven rows in groups of 3: the first group's dictionary holds only "Won" and "Lost",
/// the second "Lost" and a new "Open", the last a null only. Read whole, every value comes
/// back in place (labels, nulls, amounts, times, ids), labels as categoricals.
#[test]
fn dictionary_columns_come_back_as_categories_across_groups() {
    let stages = vec![
        Some("Won"),
        Some("Lost"),
        Some("Won"),
        Some("Lost"),
        Some("Open"),
        Some("Open"),
        None,
    ];
    let df = DataFrame::new_infer_height(vec![
        Column::new("deal_id".into(), ["d1", "d2", "d3", "d4", "d5", "d6", "d7"]),
        cat(stages.clone()),
        Column::new(
            "amount".into(),
            [
                Some(1.5),
                None,
                Some(3.0),
                Some(4.25),
                Some(5.0),
                Some(6.0),
                Some(7.0),
            ],
        ),
        Column::new("at".into(), [0i64, 86_400_000, 2, 3, 4, 5, 6])
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap(),
    ])
    .unwrap();
    let (_dir, path) = write(&df, 3);
    let f = PqFile::open(&path).unwrap();
    assert_eq!(f.rows(), 7);
    assert_eq!(f.group_rows(), vec![3, 3, 1]);
    let got = f
        .read(&["stage", "amount", "nope", "deal_id", "at"], 0..3)
        .unwrap();
    assert_eq!(got.get_column_names(), ["stage", "amount", "deal_id", "at"]);
    assert!(matches!(
        got.column("stage").unwrap().dtype(),
        DataType::Categorical(..)
    ));
    let want: Vec<Option<String>> = stages.iter().map(|s| s.map(str::to_string)).collect();
    assert_eq!(texts(&got, "stage"), want);
    let amount: Vec<Option<f64>> = got
        .column("amount")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        amount,
        [
            Some(1.5),
            None,
            Some(3.0),
            Some(4.25),
            Some(5.0),
            Some(6.0),
            Some(7.0)
        ]
    );
    let at = got.column("at").unwrap();
    assert_eq!(
        at.dtype(),
        &DataType::Datetime(TimeUnit::Milliseconds, None)
    );
    let at: Vec<Option<i64>> = at
        .as_materialized_series()
        .to_physical_repr()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(at[1], Some(86_400_000));
    assert_eq!(texts(&got, "deal_id")[6].as_deref(), Some("d7"));
    // The same label has the same category id in every group.
    let ids: Vec<Option<u32>> = got
        .column("stage")
        .unwrap()
        .as_materialized_series()
        .to_physical_repr()
        .u32()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(ids[1], ids[3]);
    assert_eq!(ids[0], ids[2]);
    assert_eq!(ids[4], ids[5]);
    assert_ne!(ids[0], ids[1]);
}

/// Groups 1..3 of 0..3 are rows 4 to 7.
#[test]
fn a_range_of_groups_is_those_rows() {
    let df = DataFrame::new_infer_height(vec![cat(vec![
        Some("A"),
        Some("B"),
        Some("C"),
        Some("D"),
        Some("E"),
        Some("F"),
        Some("G"),
    ])])
    .unwrap();
    let (_dir, path) = write(&df, 3);
    let got = PqFile::open(&path).unwrap().read(&["stage"], 1..3).unwrap();
    let want: Vec<Option<String>> = ["D", "E", "F", "G"]
        .iter()
        .map(|s| Some(s.to_string()))
        .collect();
    assert_eq!(texts(&got, "stage"), want);
}

/// Rows 2, 3 and 7 of seven (groups of 3; the second group none): those rows' values in
/// order; a mask of the wrong length is an error; a missing column is None.
#[test]
fn chosen_rows_only() {
    let df = DataFrame::new_infer_height(vec![Column::new(
        "account".into(),
        [
            Some("a1"),
            Some("a2"),
            None,
            Some("a4"),
            Some("a5"),
            Some("a6"),
            Some("a7"),
        ],
    )])
    .unwrap();
    let (_dir, path) = write(&df, 3);
    let f = PqFile::open(&path).unwrap();
    let keep = [false, true, true, false, false, false, true];
    let got = f.read_rows("account", &keep).unwrap().unwrap();
    let got: Vec<Option<&str>> = got.str().unwrap().iter().collect();
    assert_eq!(got, [Some("a2"), None, Some("a7")]);
    assert!(f.read_rows("account", &keep[..6]).is_err());
    assert!(f.read_rows("nope", &keep).unwrap().is_none());
    let none = f.read_rows("account", &[false; 7]).unwrap().unwrap();
    assert_eq!(none.len(), 0);
}

/// An empty table reads as an empty frame of the file's columns and types.
#[test]
fn an_empty_file_reads_empty() {
    let df = DataFrame::new_infer_height(vec![
        cat(vec![]),
        Column::new("amount".into(), Vec::<f64>::new()),
    ])
    .unwrap();
    let (_dir, path) = write(&df, 3);
    let f = PqFile::open(&path).unwrap();
    let got = f
        .read(&["stage", "amount"], 0..f.group_rows().len())
        .unwrap();
    assert_eq!(got.height(), 0);
    assert_eq!(got.column("amount").unwrap().dtype(), &DataType::Float64);
}

/// Seven labels in groups of 4 ("B", null, "A", "B" | "C", "A", "B"): codes number the
/// labels by first appearance over the whole file (B 0, A 1, C 2), null rows get the
/// null code; a text column that is not a dictionary, or a missing one, is None.
#[test]
fn dictionary_codes_by_first_appearance_across_groups() {
    let df = DataFrame::new_infer_height(vec![
        cat(vec![
            Some("B"),
            None,
            Some("A"),
            Some("B"),
            Some("C"),
            Some("A"),
            Some("B"),
        ]),
        Column::new("plain".into(), ["x", "y", "x", "y", "x", "y", "x"]),
    ])
    .unwrap();
    let (_dir, path) = write(&df, 4);
    let f = PqFile::open(&path).unwrap();
    let none = u32::MAX;
    let (codes, values) = f.codes("stage", none).unwrap().unwrap();
    assert_eq!(codes, [0, none, 1, 0, 2, 1, 0]);
    assert_eq!(values, ["B", "A", "C"]);
    assert!(f.codes("plain", none).unwrap().is_none());
    assert!(f.codes("nope", none).unwrap().is_none());
}

/// Times in milliseconds from a millisecond column (a null as the null value), from a
/// microsecond column (floored: 1,500 us is 1 ms, -1 us is -1 ms) and from a date column
/// (day 2 is 172,800,000 ms); a column of another type is None.
#[test]
fn times_in_milliseconds_from_any_unit() {
    let df = DataFrame::new_infer_height(vec![
        Column::new("ms".into(), [Some(5i64), None, Some(-7)])
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap(),
        Column::new("us".into(), [1_500i64, -1, 2_000_000])
            .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
            .unwrap(),
        Column::new("day".into(), [Some(0i32), Some(2), None])
            .cast(&DataType::Date)
            .unwrap(),
        Column::new("n".into(), [1i64, 2, 3]),
    ])
    .unwrap();
    let (_dir, path) = write(&df, 2);
    let f = PqFile::open(&path).unwrap();
    let null = i64::MIN;
    assert_eq!(f.millis("ms", null).unwrap().unwrap(), [5, null, -7]);
    assert_eq!(f.millis("us", null).unwrap().unwrap(), [1, -1, 2_000]);
    assert_eq!(
        f.millis("day", null).unwrap().unwrap(),
        [0, 172_800_000, null]
    );
    assert!(f.millis("n", null).unwrap().is_none());
    assert!(f.millis("nope", null).unwrap().is_none());
}

/// Floats with a null as NaN; an integer column is None.
#[test]
fn floats_with_nulls_as_nan() {
    let df = DataFrame::new_infer_height(vec![
        Column::new("amount".into(), [Some(1.25), None, Some(-3.0)]),
        Column::new("n".into(), [1i64, 2, 3]),
    ])
    .unwrap();
    let (_dir, path) = write(&df, 2);
    let f = PqFile::open(&path).unwrap();
    let got = f.floats("amount").unwrap().unwrap();
    assert_eq!(got[0], 1.25);
    assert!(got[1].is_nan());
    assert_eq!(got[2], -3.0);
    assert!(f.floats("n").unwrap().is_none());
}

/// A file that is not parquet is an error naming it.
#[test]
fn not_parquet_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deals.parquet");
    std::fs::write(&path, b"deal_id,amount\n1,2\n").unwrap();
    let msg = PqFile::open(&path).err().unwrap().to_string();
    assert!(msg.contains("deals.parquet"), "{msg}");
}

/// Codes in order of first appearance (null: NONE) and the values: what the id coder
/// must give (as in the column engine's tests).
fn reference(vals: &[Option<String>]) -> (Vec<u32>, Vec<String>) {
    let mut map = std::collections::HashMap::new();
    let mut values = Vec::new();
    let codes = vals
        .iter()
        .map(|v| match v {
            None => crate::columns::engine::NONE,
            Some(s) => *map.entry(s.clone()).or_insert_with(|| {
                values.push(s.clone());
                values.len() as u32 - 1
            }),
        })
        .collect();
    (codes, values)
}

/// Ids read from a DIR file as row-group chunks (dictionaries and keys) code like the
/// reference: ascending ids spanning groups, then ids seen before (hash mode), nulls.
#[test]
fn id_coder_codes_dictionary_chunks_like_one_column() {
    let long = |i: usize| format!("0060000000{i:05}");
    let mut vals: Vec<Option<String>> = (0..30).map(|i| Some(long(i / 3))).collect();
    vals.extend([3, 3, 12, 0, 12, 40, 40].iter().map(|&i| Some(long(i))));
    vals.insert(20, None);
    let (want_codes, want_values) = reference(&vals);
    let df =
        DataFrame::new_infer_height(vec![Column::new("deal_id".into(), vals.clone())]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    crate::io::write_atomic(&path, |f| {
        crate::load::dir::write_parquet_groups(f, &df, 8).map_err(std::io::Error::other)
    })
    .unwrap();
    let file = PqFile::open(&path).unwrap();
    let n_groups = file.group_rows().len();
    assert_eq!(n_groups, 5);
    // The groups in batches of one and of two groups.
    for step in [1, 2] {
        let mut coder = crate::columns::engine::IdCoder::default();
        let mut codes = Vec::new();
        for g in (0..n_groups).step_by(step) {
            let chunks = file
                .text_chunks("deal_id", g..(g + step).min(n_groups))
                .unwrap()
                .unwrap();
            assert!(
                chunks
                    .iter()
                    .any(|c| matches!(c, crate::columns::source::TextChunk::Dict { .. }))
            );
            codes.extend(coder.code_chunks(&chunks).unwrap());
        }
        assert_eq!(codes, want_codes, "step {step}");
        let ids = coder.into_ids();
        let got: Vec<&str> = (0..ids.len()).map(|i| ids.get(i).unwrap()).collect();
        assert_eq!(got, want_values);
    }
}
