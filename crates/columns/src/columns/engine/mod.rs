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
mod tests;
