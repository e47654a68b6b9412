//! Unit tests of `columns/engine/mod.rs`.

use super::*;

/// One stage list for every pipeline, default outcomes.
fn one_list(stages: &[&str]) -> Pipelines {
    Pipelines {
        lists: [(
            "default".to_string(),
            stages.iter().map(|s| s.to_string()).collect(),
        )]
        .into(),
        outcomes: Default::default(),
    }
}

/// Reference coding: a plain map over the whole column, codes in order of first appearance.
fn reference(vals: &[Option<String>]) -> (Vec<u32>, Vec<String>) {
    let mut map = std::collections::HashMap::new();
    let mut values = Vec::new();
    let codes = vals
        .iter()
        .map(|v| match v {
            None => NONE,
            Some(s) => *map.entry(s.clone()).or_insert_with(|| {
                values.push(s.clone());
                values.len() as u32 - 1
            }),
        })
        .collect();
    (codes, values)
}

/// `coded` on the column `vals` gives the reference codes and values.
fn codes_like_reference(vals: &[Option<String>]) {
    let df = DataFrame::new_infer_height(vec![Column::new("id".into(), vals.to_vec())]).unwrap();
    let got = coded(&df, "id").unwrap();
    let (codes, values) = reference(vals);
    assert_eq!(got.values, values);
    assert_eq!(got.codes, codes);
}

#[test]
fn long_columns_code_in_two_halves_as_one_pass_would() {
    // More rows than PAR_CODE_ROWS: short and long ids, nulls, runs, and values that
    // first appear in the second half.
    let n = PAR_CODE_ROWS + 10_007;
    let vals: Vec<Option<String>> = (0..n)
        .map(|i| match i % 11 {
            0 => None,
            1 => Some(format!(
                "a-very-long-deal-identifier-{:08}",
                (i * 7919) % 5003
            )),
            2 | 3 => Some(format!("run{}", i / 4)),
            _ if i > n / 2 && i % 5 == 0 => Some(format!("late{}", i % 97)),
            _ => Some(format!("d{}", (i * 104_729) % 40_009)),
        })
        .collect();
    codes_like_reference(&vals);
}

#[test]
fn many_distinct_values_code_by_partitions_as_one_pass_would() {
    // Mostly distinct ids (the partitioned path), nulls, empty text, ids longer than a
    // view's inline 12 bytes, repeats far apart, and a column made of several chunks.
    let n = PAR_CODE_ROWS + 4_321;
    let vals: Vec<Option<String>> = (0..n)
        .map(|i| match i % 13 {
            0 => None,
            1 => Some(String::new()),
            2 => Some(format!("006{:012}", (i * 7) % (n / 3))),
            3 => Some("x".repeat(40 + i % 7)),
            _ => Some(format!("{}", (i as u64 * 2_654_435_761) % 1_000_003)),
        })
        .collect();
    assert!(
        expected_distinct(&StringChunked::from_iter(vals.iter().map(|v| v.as_deref())))
            >= MANY_DISTINCT
    );
    let (codes, values) = reference(&vals);
    let mid = n / 3;
    let mut ca =
        StringChunked::from_iter(vals[..mid].iter().map(|v| v.as_deref())).with_name("id".into());
    ca.append(&StringChunked::from_iter(
        vals[mid..].iter().map(|v| v.as_deref()),
    ))
    .unwrap();
    assert!(ca.chunks().len() > 1);
    let df = DataFrame::new_infer_height(vec![ca.into_series().into_column()]).unwrap();
    let got = coded(&df, "id").unwrap();
    assert_eq!(got.values, values);
    assert_eq!(got.codes, codes);
    let (id_codes, id_values) = coded_ids(&df, "id").unwrap();
    assert_eq!(id_codes, codes);
    let id_values: Vec<String> = id_values.iter().map(|v| v.unwrap().to_string()).collect();
    assert_eq!(id_values, values);
}

#[test]
fn long_columns_of_few_values_code_in_two_halves() {
    let n = PAR_CODE_ROWS * 2 + 17;
    let vals: Vec<Option<String>> = (0..n)
        .map(|i| (i % 101 != 0).then(|| format!("rep {}", (i * 7919) % 1_999)))
        .collect();
    assert!(
        expected_distinct(&StringChunked::from_iter(vals.iter().map(|v| v.as_deref())))
            < MANY_DISTINCT
    );
    codes_like_reference(&vals);
}

#[test]
fn labels_code_the_same_past_the_short_list() {
    // 12-byte and shorter labels (held in their views), a 13-byte one, the empty text and
    // nulls; more than 16 short labels so the list gives way to the map midway.
    let vals: Vec<Option<String>> = (0..5_000)
        .map(|i| match i % 23 {
            0 => None,
            1 => Some(String::new()),
            2 => Some("Qualification".into()),
            3 => Some("exactly12byt".into()),
            k => Some(format!("S{}", (k * 7 + i / 1000) % 30)),
        })
        .collect();
    let df = DataFrame::new_infer_height(vec![Column::new("s".into(), vals.clone())]).unwrap();
    let got = coded(&df, "s").unwrap();
    let (codes, values) = reference(&vals);
    assert!(values.len() > 20);
    assert_eq!(got.values, values);
    assert_eq!(got.codes, codes);
}

#[test]
fn coding_some_rows_leaves_the_others_null() {
    let df = DataFrame::new_infer_height(vec![Column::new("a".into(), &["x", "y", "x", "z", "y"])])
        .unwrap();
    let keep = [false, true, true, false, true];
    let mask = BooleanChunked::from_slice("keep".into(), &keep);
    let kept = df
        .column("a")
        .unwrap()
        .as_materialized_series()
        .filter(&mask)
        .unwrap();
    let got = coded_rows(Some(kept), &keep).unwrap();
    assert_eq!(got.codes, vec![NONE, 0, 1, NONE, 0]);
    assert_eq!(got.values, vec!["y", "x"]);
}

#[test]
fn ascending_runs_code_without_a_table_and_anything_else_falls_back() {
    let col = |v: &[Option<&str>]| {
        DataFrame::new_infer_height(vec![Column::new("a".into(), v.to_vec())]).unwrap()
    };
    let got = coded(
        &col(&[Some("a"), Some("a"), None, Some("b"), Some("c")]),
        "a",
    )
    .unwrap();
    assert_eq!(got.codes, vec![0, 0, NONE, 1, 2]);
    assert_eq!(got.values, vec!["a", "b", "c"]);
    // `a` comes back after `b`: not ascending, so the hash path codes it as the same value.
    let got = coded(&col(&[Some("a"), Some("b"), Some("a")]), "a").unwrap();
    assert_eq!(got.codes, vec![0, 1, 0]);
    assert_eq!(got.values, vec!["a", "b"]);
}

#[test]
fn ascending_long_ids_across_chunks_code_by_runs() {
    // Ids longer than a view holds, each run's rows separately written (equal texts, other
    // views), a run that continues into the next chunk, and nulls inside a run.
    let id = |i: usize| format!("006000000{:06}", i / 3);
    let vals: Vec<Option<String>> = (0..3000).map(|i| (i % 7 != 0).then(|| id(i))).collect();
    let mut ca = StringChunked::from_iter(vals[..1501].iter().map(|v| v.as_deref()));
    ca.append(&StringChunked::from_iter(
        vals[1501..].iter().map(|v| v.as_deref()),
    ))
    .unwrap();
    assert_eq!(ca.chunks().len(), 2);
    let (codes, v) = code_ascending(&ca).expect("ascending");
    let (want_codes, want_values) = reference(&vals);
    assert_eq!(codes, want_codes);
    let Vals::Rows(rows) = v else { panic!("rows") };
    let got: Vec<String> = rows
        .iter()
        .map(|&r| vals[r as usize].clone().unwrap())
        .collect();
    assert_eq!(got, want_values);
}

#[test]
fn categorical_columns_code_in_order_of_first_appearance() {
    let vals: Vec<Option<String>> = ["won", "open", "won", "", "Closed Won long label"]
        .iter()
        .map(|s| Some(s.to_string()))
        .chain([None, Some("open".to_string())])
        .collect();
    let cat = Series::new("s".into(), vals.clone())
        .cast(&DataType::from_categories(Categories::global()))
        .unwrap();
    assert!(matches!(cat.dtype(), DataType::Categorical(..)));
    let df = DataFrame::new_infer_height(vec![cat.into_column()]).unwrap();
    let got = coded(&df, "s").unwrap();
    assert_eq!(got.codes, vec![0, 1, 0, 2, 3, NONE, 1]);
    assert_eq!(got.values, vec!["won", "open", "", "Closed Won long label"]);
}

#[test]
fn ids_left_in_the_column_read_like_gathered_ones() {
    // Ascending runs (values kept as first-appearance rows), read one by one, whole, and
    // a pick of them, beside the plain reference.
    let vals: Vec<Option<String>> = ["a1", "a1", "b2", "c3", "c3", "c3", "d4"]
        .iter()
        .map(|s| Some(s.to_string()))
        .collect();
    let df = DataFrame::new_infer_height(vec![Column::new("id".into(), vals.clone())]).unwrap();
    let (codes, ids) = coded_ids_lazy(&df, "id").unwrap();
    let (want_codes, want) = reference(&vals);
    assert_eq!(codes, want_codes);
    assert_eq!(ids.len(), 4);
    let one_by_one: Vec<&str> = (0..ids.len()).map(|i| ids.get(i).unwrap()).collect();
    assert_eq!(one_by_one, want);
    let whole: Vec<&str> = ids.column().iter().map(Option::unwrap).collect();
    assert_eq!(whole, want);
    let some = ids.pick(&[3, 1]);
    assert_eq!(
        (some.get(0), some.get(1), some.get(2)),
        (Some("d4"), Some("b2"), None)
    );
    assert_eq!(some.column().len(), 2);
}

#[test]
fn same_instant_events_come_in_stage_order() {
    // One deal, rows out of order: on day 1 Qualification is written before Prospecting,
    // on day 2 Closed Won before Proposal. Expected: Prospecting, Qualification (day 1),
    // Proposal, won (day 2): no backward move.
    let day = 86_400_000i64;
    let ev = DataFrame::new_infer_height(vec![
        Column::new("deal_id".into(), vec!["d1"; 4]),
        Column::new(
            "stage".into(),
            vec!["Closed Won", "Qualification", "Proposal", "Prospecting"],
        ),
        Column::new("entered_at".into(), vec![2 * day, day, 2 * day, day])
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap(),
    ])
    .unwrap();
    let pipelines = one_list(&["Prospecting", "Qualification", "Proposal"]);
    let mut extra = Ids::empty();
    let none = Coded {
        codes: vec![],
        values: vec![],
    };
    let ix = index_events(ev, None, 0, &mut extra, &pipelines, &none).unwrap();
    let got: Vec<(i64, Pos)> = ix.of(0).iter().map(|e| (e.at, e.pos)).collect();
    assert_eq!(
        got,
        vec![
            (day, Pos::Open(0)),
            (day, Pos::Open(1)),
            (2 * day, Pos::Open(2)),
            (2 * day, Pos::Won)
        ]
    );
    let path = crate::columns::paths::from_events(ix.of(0), 3, None);
    assert_eq!((path.backward_moves, path.skipped_stages), (0, 0));
}

#[test]
fn distinct_counts_in_and_out_of_order() {
    let ca = |v: &[Option<&str>]| StringChunked::from_iter(v.iter().copied());
    assert_eq!(
        n_distinct(&ca(&[Some("a"), Some("a"), Some("b"), Some("c")])),
        3
    );
    assert_eq!(n_distinct(&ca(&[Some("b"), Some("a"), Some("b"), None])), 3);
    assert_eq!(n_distinct(&ca(&[None, None])), 1);
    assert_eq!(n_distinct(&ca(&[])), 0);
}

#[test]
fn short_columns_code_in_one_pass() {
    let vals: Vec<Option<String>> = ["b", "a", "b", "", "x".repeat(30).as_str(), "a"]
        .iter()
        .map(|s| Some(s.to_string()))
        .chain([None])
        .collect();
    let df = DataFrame::new_infer_height(vec![Column::new("id".into(), vals.clone())]).unwrap();
    let got = coded(&df, "id").unwrap();
    assert_eq!(got.codes, vec![0, 1, 0, 2, 3, 1, NONE]);
    assert_eq!(got.values, vec!["b", "a", "", &"x".repeat(30)]);
}

/// Batches coded by `IdCoder` give the reference codes of the whole column, ascending or
/// not, across batch edges, with nulls and ids longer than 12 bytes.
#[test]
fn id_coder_codes_batches_like_one_column() {
    let long = |i: usize| format!("0060000000{i:05}");
    let cases: Vec<Vec<Option<String>>> = vec![
        // Ascending runs spanning the batch edges.
        (0..40).map(|i| Some(long(i / 3))).collect(),
        // Ascending, then an id seen before, then new ones and repeats (hash mode).
        [0, 0, 1, 2, 2, 3, 1, 4, 0, 5, 5, 2, 6]
            .iter()
            .map(|&i| Some(long(i)))
            .collect(),
        // Short ids out of order from the first batch, with nulls.
        vec![
            Some("b".into()),
            None,
            Some("a".into()),
            Some("b".into()),
            Some("".into()),
            None,
            Some("a".into()),
            Some("c".into()),
        ],
    ];
    for vals in cases {
        let (want_codes, want_values) = reference(&vals);
        for size in [1, 3, 5, vals.len()] {
            let mut coder = IdCoder::default();
            let mut codes = Vec::new();
            for part in vals.chunks(size) {
                let ca = StringChunked::from_iter(part.iter().map(|v| v.as_deref()));
                codes.extend(coder.code(&ca));
            }
            assert_eq!(codes, want_codes, "batch size {size}");
            let ids = coder.into_ids();
            let got: Vec<String> = (0..ids.len())
                .map(|i| ids.get(i).unwrap().to_string())
                .collect();
            assert_eq!(got, want_values, "batch size {size}");
            let col: Vec<Option<&str>> = ids.column().iter().collect();
            let want: Vec<Option<&str>> = want_values.iter().map(|v| Some(v.as_str())).collect();
            assert_eq!(col, want);
            let picked = ids.pick(&[1, 0]);
            assert_eq!(picked.get(0), ids.get(1));
            assert_eq!(picked.get(1), ids.get(0));
        }
    }
}

/// Stage events indexed batch by batch give what one frame gives, worked out by hand: two
/// deals of the deals table and one deal only in the events, rows out of order and split
/// across batches, one unknown stage label, one won label.
#[test]
fn events_in_batches_index_like_one_frame() {
    let day = 86_400_000i64;
    let frame = || {
        DataFrame::new_infer_height(vec![
            Column::new(
                "deal_id".into(),
                vec!["x", "d2", "d1", "d1", "x", "d2", "d1"],
            ),
            Column::new(
                "stage".into(),
                vec![
                    "Qualification",
                    "Prospecting",
                    "Qualification",
                    "Prospecting",
                    "Prospecting",
                    "Mystery",
                    "Closed Won",
                ],
            ),
            Column::new(
                "entered_at".into(),
                vec![2 * day, day, 2 * day, day, day, 3 * day, 3 * day],
            )
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap(),
        ])
        .unwrap()
    };
    let pipelines = one_list(&["Prospecting", "Qualification"]);
    let none = Coded::default();
    let rows = StringChunked::from_iter([Some("d1"), Some("d2")]);
    let f = frame();
    for size in [7, 3, 2, 1] {
        let parts: Vec<DataFrame> = (0..f.height())
            .step_by(size)
            .map(|o| f.slice(o as i64, size))
            .collect();
        let batches = EventRows::Batches {
            rows: f.height(),
            batches: Box::new(parts.into_iter().map(|p| Ok(p.into()))),
        };
        let mut extra = Ids::empty();
        let ix = index_events(batches, Some(&rows), 2, &mut extra, &pipelines, &none).unwrap();
        // d1 (row 0): Prospecting day 1, Qualification day 2, won day 3. d2 (row 1):
        // Prospecting day 1 (Mystery unknown). x (deal 2, only in the events).
        let of = |d: usize| -> Vec<(i64, Pos)> { ix.of(d).iter().map(|e| (e.at, e.pos)).collect() };
        assert_eq!(
            of(0),
            vec![
                (day, Pos::Open(0)),
                (2 * day, Pos::Open(1)),
                (3 * day, Pos::Won)
            ]
        );
        assert_eq!(of(1), vec![(day, Pos::Open(0))]);
        assert_eq!(of(2), vec![(day, Pos::Open(0)), (2 * day, Pos::Open(1))]);
        assert_eq!(ix.offsets, vec![0, 3, 4, 6]);
        assert_eq!(extra.len(), 1);
        assert_eq!(extra.get(0), Some("x"));
        assert_eq!(ix.unknown, [("Mystery".to_string(), 1)].into());
        assert_eq!(ix.won_labels, [("Closed Won".to_string(), 1)].into());
        // The same from one frame.
        let mut extra1 = Ids::empty();
        let one = index_events(frame(), Some(&rows), 2, &mut extra1, &pipelines, &none).unwrap();
        assert_eq!(one.offsets, ix.offsets);
        assert_eq!(one.events, ix.events);
        assert_eq!(extra1.get(0), Some("x"));
    }
    // Without a deals table the deals are numbered in order of first appearance.
    let parts: Vec<DataFrame> = vec![f.slice(0, 4), f.slice(4, 3)];
    let mut extra = Ids::empty();
    let ix = index_events(
        EventRows::Batches {
            rows: 7,
            batches: Box::new(parts.into_iter().map(|p| Ok(p.into()))),
        },
        None,
        0,
        &mut extra,
        &pipelines,
        &none,
    )
    .unwrap();
    let ids: Vec<&str> = (0..extra.len()).map(|i| extra.get(i).unwrap()).collect();
    assert_eq!(ids, vec!["x", "d2", "d1"]);
    assert_eq!(ix.offsets, vec![0, 2, 3, 6]);
}
