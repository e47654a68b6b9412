//! Canonical frames turned into the compact, dictionary-coded columns the metrics loop over:
//! text as u32 codes, datetimes as epoch milliseconds, each deal's events as one sorted slice.
//! Pure: frames in, vectors out.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use polars::prelude::*;
use polars_arrow::array::{Array, Utf8ViewArray};

use super::paths::{Event, Pos};
use crate::error::{Error, Result};
use crate::model::Status;
use crate::model::pipeline::Outcomes;

mod coder;
mod events;
mod ids;
mod values;

pub use coder::*;
pub use events::*;
pub use ids::*;
pub use values::*;

/// Null in a coded column.
pub const NONE: u32 = u32::MAX;

/// Seed of the fixed hasher the text coders use (fixed: the same codes run to run).
const HASH_SEED: u64 = 0x5a1e5c71;

/// A dictionary-coded text column.
#[derive(Debug, Clone, Default)]
pub struct Coded {
    pub codes: Vec<u32>,
    pub values: Vec<String>,
}

impl Coded {
    /// Texts coded in order of first appearance (None: [`NONE`]), as the column coder codes
    /// them; for building small columns by hand.
    pub fn from_texts(v: &[Option<&str>]) -> Coded {
        let mut values: Vec<String> = Vec::new();
        let codes = v
            .iter()
            .map(|x| match x {
                None => NONE,
                Some(s) => match values.iter().position(|y| y == s) {
                    Some(p) => p as u32,
                    None => {
                        values.push(s.to_string());
                        (values.len() - 1) as u32
                    }
                },
            })
            .collect();
        Coded { codes, values }
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        let c = *self.codes.get(i)?;
        (c != NONE).then(|| self.values[c as usize].as_str())
    }
}

/// The distinct ids of a coded id column: the column and the row where each first appears
/// (or, for ids coded batch by batch, the ids themselves in one byte buffer). Gathered into a
/// column of their own only when iterated (a million ids; most commands print a few of them,
/// or none).
pub struct Ids {
    src: IdSrc,
    rows: Option<Vec<IdxSize>>,
    gathered: std::sync::OnceLock<StringChunked>,
}

#[derive(Clone)]
enum IdSrc {
    Column(StringChunked),
    Arena(std::sync::Arc<IdArena>),
}

/// Distinct ids in one byte buffer: id `i` is `bytes[ends[i - 1]..ends[i]]`. Only `&str`s are
/// pushed, so every id is valid UTF-8.
#[derive(Default)]
struct IdArena {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

/// Codes an id column that arrives in batches (a DIR's stage events read row group by row
/// group), in order of first appearance across the batches, keeping each distinct id once in
/// a byte buffer. Ids that ascend (a DIR sorted by deal id) need no table: a new run is a new
/// id. At the first id that does not ascend, a hash table is built over the ids so far.
pub struct IdCoder {
    ids: IdArena,
    /// Open addressing: code + 1 per slot, 0 for empty (built when the ids stop ascending).
    table: Vec<u32>,
    ascending: bool,
}

impl Default for IdCoder {
    fn default() -> Self {
        IdCoder {
            ids: IdArena::default(),
            table: Vec::new(),
            ascending: true,
        }
    }
}

/// The distinct values of a coded column: as texts, or as the rows where each first appears.
enum Vals {
    Strings(Vec<String>),
    Rows(Vec<IdxSize>),
}

/// Columns at least this long are coded in two halves in parallel.
const PAR_CODE_ROWS: usize = 1 << 18;

/// Above this many expected distinct values a long column is coded by hash partitions: a
/// table of a million ids does not fit in cache, and each lookup in it (and in the text it
/// points back to) is a miss.
const MANY_DISTINCT: usize = 1 << 16;

/// Hash partitions of [`code_partitioned`] (the top bits of a value's hash).
const PART_BITS: u32 = 8;

/// Where a distinct value's bytes are: (chunk, offset, length).
type Rep = (u32, u32, u32);

/// A text key that carries its hash: the table grows without reading the texts again (on a
/// column of a million ids each re-read is a cache miss), and a probe compares texts only
/// when the hashes agree.
#[derive(Clone, Copy)]
struct Key<'a> {
    h: u64,
    s: &'a str,
}

impl std::hash::Hash for Key<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.h);
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, o: &Self) -> bool {
        self.h == o.h && self.s == o.s
    }
}

impl Eq for Key<'_> {}

/// The hasher of [`Key`]: passes its stored hash through.
#[derive(Default)]
struct Pass(u64);

impl std::hash::Hasher for Pass {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used by Key; fold anything else in, for completeness.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type KeyMap<'a> = std::collections::HashMap<Key<'a>, u32, std::hash::BuildHasherDefault<Pass>>;

/// A datetime column as epoch milliseconds, 8 bytes a row (null kept as `i64::MIN`; a
/// missing column reads as all null).
#[derive(Debug, Clone, Default)]
pub struct Times(Vec<i64>);

/// Amounts, 8 bytes a row (null and NaN kept as NaN; a missing column reads as all null).
#[derive(Debug, Clone, Default)]
pub(crate) struct Amounts(Vec<f64>);

pub fn has(df: &DataFrame, name: &str) -> bool {
    df.get_column_names().iter().any(|c| c.as_str() == name)
}

/// Stage lists per pipeline, and the lookup from a stage label to its position.
#[derive(Debug, Clone)]
pub struct Pipelines {
    /// pipeline name -> open stages in order. Key "default" applies to deals of any pipeline
    /// without a list of their own.
    pub lists: BTreeMap<String, Vec<String>>,
    pub outcomes: Outcomes,
}

impl Pipelines {
    /// The open stages of `pipeline`.
    pub fn stages(&self, pipeline: &str) -> Option<&Vec<String>> {
        self.lists
            .get(pipeline)
            .or_else(|| self.lists.get("default"))
            .or_else(|| {
                // A single list applies to every pipeline.
                if self.lists.len() == 1 {
                    self.lists.values().next()
                } else {
                    None
                }
            })
    }

    /// Where `label` sits in `stages`: an open stage (case-insensitive), an outcome, or unknown.
    pub fn pos(&self, stages: &[String], label: &str) -> Option<Pos> {
        let t = label.trim();
        if let Some(k) = stages.iter().position(|s| s.trim().eq_ignore_ascii_case(t)) {
            return Some(Pos::Open(k as u16));
        }
        match self.outcomes.status_of(t) {
            Status::Won => Some(Pos::Won),
            Status::Lost => Some(Pos::Lost),
            Status::Invalid => Some(Pos::Invalid),
            Status::Open => None,
        }
    }
}

/// Parse a `status` cell (as the loader writes it).
pub(crate) fn status_of(v: Option<&str>) -> Option<Status> {
    match v? {
        "open" => Some(Status::Open), // not a KPI: status words
        "won" => Some(Status::Won),   // not a KPI: status words
        "lost" => Some(Status::Lost), // not a KPI: status words
        "invalid" => Some(Status::Invalid),
        _ => None,
    }
}

/// Stage positions worked out once per (pipeline slot, stage code). A slot's row of cells is
/// made when the slot is first used: a pipeline column of mostly distinct values must not cost
/// pipelines x stages cells up front.
pub(crate) struct SlotMemo {
    n_stage: usize,
    row_of_slot: Vec<u32>,
    cells: Vec<Option<Option<Pos>>>,
}

/// Stage events grouped by deal: `offsets[d]..offsets[d+1]` index `events` for deal `d`.
#[derive(Debug, Clone, Default)]
pub struct EventIndex {
    pub(crate) offsets: Vec<usize>,
    pub(crate) events: Vec<Event>,
    /// Events whose stage label is in no stage list nor an outcome, by label.
    pub unknown: BTreeMap<String, usize>,
    /// Events whose entry was only known between two snapshots (midpoint used).
    pub interval_midpoints: usize,
    /// Won outcome labels seen in the events, with counts.
    pub won_labels: BTreeMap<String, usize>,
}

/// The stage-event rows a deal set is built from: one frame in memory, or batches (a DIR's
/// row groups, read on another thread while the previous batch is indexed) so that a history
/// of millions of rows is never held whole.
pub enum EventRows {
    Frame(DataFrame),
    /// `rows` rows in all, in batches.
    Batches {
        rows: usize,
        batches: Batches,
    },
}

/// Batches that arrive one after another (a DIR table's row groups).
pub type Batches = Box<dyn Iterator<Item = Result<EventBatch>> + Send>;

/// One batch of stage-event rows: the deal ids as row-group chunks (a DIR's dictionary pages:
/// a text per distinct id, not per row), or in the frame's deal_id column.
pub struct EventBatch {
    pub df: DataFrame,
    pub ids: Option<Vec<crate::columns::source::TextChunk>>,
    /// The stage labels as row-group chunks (then not in the frame).
    pub stage: Option<Vec<crate::columns::source::TextChunk>>,
    /// The columns besides the deal ids, coded ahead on the reader's thread.
    cols: Option<EventCols>,
}

impl From<DataFrame> for EventBatch {
    fn from(df: DataFrame) -> Self {
        EventBatch::new(df, None, None)
    }
}

/// An event's entry known only between two times, per row (entered_at_min, entered_at_max).
type Bounds = (Vec<Option<i64>>, Vec<Option<i64>>);

impl From<DataFrame> for EventRows {
    fn from(df: DataFrame) -> Self {
        EventRows::Frame(df)
    }
}

/// The columns of one batch of stage events that indexing reads besides the deal ids.
struct EventCols {
    stage: Coded,
    pipe: Coded,
    at: Option<Int64Chunked>,
    /// entered_at_min / entered_at_max (history rebuilt from snapshots).
    bounds: Option<Bounds>,
    height: usize,
}

/// Where each deal-id code goes: a deal index (a deals table's row, or an index after them).
enum DealOfCode<'a> {
    /// No deals table: code `c` is deal `n_rows + c`.
    Offset(usize),
    Map(&'a [usize]),
}

/// Events gathered row by row, batch after batch, before they are grouped by deal.
#[derive(Default)]
struct EventAcc {
    /// While the rows come in (deal, time, position) order: where each deal's events start
    /// (deals `0..starts.len()`); no per-event deal is kept.
    starts: Vec<usize>,
    /// Each event's deal, once the rows were found out of order.
    deal_of: Vec<u32>,
    events: Vec<Event>,
    in_order: bool,
    last: Option<(u32, i64, Pos)>,
    mids: usize,
    unknown: BTreeMap<String, usize>,
    won_labels: BTreeMap<String, usize>,
}

/// One batch being placed by [`EventAcc::visit`], row by row.
struct Visit<'a> {
    id_codes: &'a [u32],
    to_deal: &'a DealOfCode<'a>,
    c: &'a EventCols,
    pipelines: &'a Pipelines,
    deal_pipe: &'a Coded,
    /// Stage label -> position, per (pipeline slot, stage code). Slots: the events' own
    /// pipelines (`p_ev` of them), then the deals' pipelines, then "default".
    p_ev: usize,
    memo: SlotMemo,
    /// The slot of the previous row and the start of its row of positions in the memo.
    slot: usize,
    base: usize,
    unknown_n: Vec<usize>,
    won_n: Vec<usize>,
    /// Rows so far in (deal, time, position) order (an ingested DIR): no sort needed.
    in_order: bool,
    last: (u32, i64, Pos),
    mids: usize,
    deal_of: &'a mut Vec<u32>,
    starts: &'a mut Vec<usize>,
    events: &'a mut Vec<Event>,
}

/// Check a frame has the columns a metric needs; a clear input error otherwise.
pub fn need(df: &DataFrame, table: &str, cols: &[&str]) -> Result<()> {
    for c in cols {
        if !has(df, c) {
            let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
            return Err(Error::missing_column(
                table.to_string(),
                c,
                crate::tr!("this command needs it", "此命令需要它"),
                &names,
                true,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
        let df =
            DataFrame::new_infer_height(vec![Column::new("id".into(), vals.to_vec())]).unwrap();
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
        let mut ca = StringChunked::from_iter(vals[..mid].iter().map(|v| v.as_deref()))
            .with_name("id".into());
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
        let df =
            DataFrame::new_infer_height(vec![Column::new("a".into(), &["x", "y", "x", "z", "y"])])
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
                let want: Vec<Option<&str>> =
                    want_values.iter().map(|v| Some(v.as_str())).collect();
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
            let of =
                |d: usize| -> Vec<(i64, Pos)> { ix.of(d).iter().map(|e| (e.at, e.pos)).collect() };
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
            let one =
                index_events(frame(), Some(&rows), 2, &mut extra1, &pipelines, &none).unwrap();
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
}
