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

/// Null in a coded column.
pub(crate) const NONE: u32 = u32::MAX;

/// Seed of the fixed hasher the text coders use (fixed: the same codes run to run).
const HASH_SEED: u64 = 0x5a1e5c71;

/// A dictionary-coded text column.
#[derive(Debug, Clone, Default)]
pub struct Coded {
    pub codes: Vec<u32>,
    pub values: Vec<String>,
}

impl Coded {
    pub fn get(&self, i: usize) -> Option<&str> {
        let c = *self.codes.get(i)?;
        (c != NONE).then(|| self.values[c as usize].as_str())
    }
}

/// Code a text column (any dtype is cast to text); a missing column gives all-null codes.
/// Codes number the values in order of first appearance.
pub fn coded(df: &DataFrame, name: &str) -> Result<Coded> {
    let Some((codes, vals, ca)) = code_column(df, name)? else {
        return Ok(Coded {
            codes: vec![NONE; df.height()],
            values: vec![],
        });
    };
    let values = match vals {
        Vals::Strings(v) => v,
        Vals::Rows(rows) => ca
            .take(&IdxCa::from_vec("rows".into(), rows))? // not a KPI: an index column name
            .iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect(),
    };
    Ok(Coded { codes, values })
}

/// [`coded`] for an id column of millions of values: the values come back as a text column
/// that shares the input's buffers (no million small strings).
pub(crate) fn coded_ids(df: &DataFrame, name: &str) -> Result<(Vec<u32>, StringChunked)> {
    let Some((codes, vals, ca)) = code_column(df, name)? else {
        return Ok((
            vec![NONE; df.height()],
            StringChunked::from_iter(std::iter::empty::<Option<&str>>()),
        ));
    };
    let values = match vals {
        Vals::Strings(v) => StringChunked::from_iter(v.iter().map(|s| Some(s.as_str()))),
        Vals::Rows(rows) => ca.take(&IdxCa::from_vec("rows".into(), rows))?, // not a KPI: an index column name
    };
    Ok((codes, values))
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

impl IdSrc {
    fn len(&self) -> usize {
        match self {
            IdSrc::Column(c) => c.len(),
            IdSrc::Arena(a) => a.len(),
        }
    }

    fn get(&self, i: usize) -> Option<&str> {
        match self {
            IdSrc::Column(c) => c.get(i),
            IdSrc::Arena(a) => a.text(i),
        }
    }
}

/// Distinct ids in one byte buffer: id `i` is `bytes[ends[i - 1]..ends[i]]`. Only `&str`s are
/// pushed, so every id is valid UTF-8.
#[derive(Default)]
struct IdArena {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl IdArena {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.bytes[start..end])
    }

    fn text(&self, i: usize) -> Option<&str> {
        std::str::from_utf8(self.get(i)?).ok()
    }

    fn push(&mut self, t: &str) -> u32 {
        self.bytes.extend_from_slice(t.as_bytes());
        self.ends.push(self.bytes.len());
        (self.ends.len() - 1) as u32
    }
}

impl Ids {
    pub fn empty() -> Ids {
        Ids::of(StringChunked::from_iter(std::iter::empty::<Option<&str>>()))
    }

    /// Every value of `ca`, in order.
    pub fn of(ca: StringChunked) -> Ids {
        Ids {
            src: IdSrc::Column(ca),
            rows: None,
            gathered: std::sync::OnceLock::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.rows.as_ref().map_or(self.src.len(), Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Id `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        match &self.rows {
            Some(r) => self.src.get(*r.get(i)? as usize),
            None => self.src.get(i),
        }
    }

    /// The ids as one text column.
    pub fn column(&self) -> &StringChunked {
        match (&self.rows, &self.src) {
            (None, IdSrc::Column(c)) => c,
            (Some(r), IdSrc::Column(c)) => self.gathered.get_or_init(|| {
                // In bounds: every row was read from `src`.
                unsafe { c.take_unchecked(&IdxCa::from_vec("rows".into(), r.clone())) } // not a KPI: an index column name
            }),
            (_, IdSrc::Arena(_)) => self
                .gathered
                .get_or_init(|| StringChunked::from_iter((0..self.len()).map(|i| self.get(i)))),
        }
    }

    /// The ids at positions `pick`.
    pub fn pick(&self, pick: &[IdxSize]) -> Ids {
        let rows = pick
            .iter()
            .map(|&i| match &self.rows {
                Some(r) => r[i as usize],
                None => i,
            })
            .collect();
        Ids {
            src: self.src.clone(),
            rows: Some(rows),
            gathered: std::sync::OnceLock::new(),
        }
    }
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

impl IdCoder {
    fn hash(t: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        foldhash::fast::FixedState::with_seed(HASH_SEED).hash_one(t)
    }

    /// Id `c` (a code this coder gave) as bytes: compared and hashed without re-checking UTF-8.
    fn id(&self, c: usize) -> &[u8] {
        self.ids.get(c).unwrap_or_default()
    }

    /// Id `c` as text.
    fn text(&self, c: usize) -> &str {
        self.ids.text(c).unwrap_or_default()
    }

    /// Place code `c` in the table (which has room).
    fn place(&mut self, c: usize) {
        let mask = self.table.len() - 1;
        let mut i = Self::hash(self.id(c)) as usize & mask;
        while self.table[i] != 0 {
            i = (i + 1) & mask;
        }
        self.table[i] = c as u32 + 1;
    }

    /// A table of twice the ids' count (rounded up to a power of two), all ids placed.
    fn rebuild(&mut self, room: usize) {
        self.table = vec![0; (room * 2).next_power_of_two().max(1024)];
        for c in 0..self.ids.len() {
            self.place(c);
        }
    }

    /// The code of `t`, a new one when it was not seen before (hash mode).
    fn lookup(&mut self, t: &str) -> u32 {
        let b = t.as_bytes();
        if (self.ids.len() + 1) * 2 > self.table.len() {
            self.rebuild(self.ids.len() * 2);
        }
        let mask = self.table.len() - 1;
        let mut i = Self::hash(b) as usize & mask;
        loop {
            let e = self.table[i];
            if e == 0 {
                let c = self.ids.push(t);
                self.table[i] = c + 1;
                return c;
            }
            if self.id(e as usize - 1) == b {
                return e - 1;
            }
            i = (i + 1) & mask;
        }
    }

    /// The code of id `t`. While the ids ascend, an id greater than the last is new without a
    /// look-up (an ingested DIR's events are sorted by deal); the first one that does not
    /// builds the hash table.
    fn code_text(&mut self, t: &str) -> u32 {
        if !self.ascending {
            return self.lookup(t);
        }
        let Some(last) = self.ids.len().checked_sub(1) else {
            return self.ids.push(t);
        };
        match self.id(last).cmp(t.as_bytes()) {
            std::cmp::Ordering::Equal => last as u32,
            std::cmp::Ordering::Less => self.ids.push(t),
            std::cmp::Ordering::Greater => {
                self.ascending = false;
                self.rebuild(self.ids.len() * 2);
                self.lookup(t)
            }
        }
    }

    /// Codes of one batch's ids (null: [`NONE`]).
    pub fn code(&mut self, ca: &StringChunked) -> Vec<u32> {
        let mut codes = Vec::with_capacity(ca.len());
        for arr in ca.downcast_iter() {
            self.code_views(arr, &mut codes);
        }
        codes
    }

    /// Codes of one batch's ids given as row-group chunks (a DIR's deal_id column).
    pub(crate) fn code_chunks(
        &mut self,
        chunks: &[crate::columns::source::TextChunk],
    ) -> Result<Vec<u32>> {
        use crate::columns::source::TextChunk;
        let mut codes = Vec::with_capacity(chunks.iter().map(TextChunk::len).sum());
        for c in chunks {
            match c {
                TextChunk::Dict { keys, values } => self.code_dict(keys, values, &mut codes)?,
                TextChunk::Plain(a) => self.code_views(a, &mut codes),
            }
        }
        Ok(codes)
    }

    fn code_views(&mut self, arr: &Utf8ViewArray, codes: &mut Vec<u32>) {
        let validity = arr.validity();
        // Within one array equal 16-byte views are equal texts (see `code_ascending`).
        let mut prev_view: Option<(u128, u32)> = None;
        for (i, view) in arr.views().iter().enumerate() {
            if validity.is_some_and(|b| !b.get_bit(i)) {
                codes.push(NONE);
                continue;
            }
            let key = view.as_u128();
            if let Some((k, c)) = prev_view {
                if k == key {
                    codes.push(c);
                    continue;
                }
            }
            let c = self.code_text(arr.value(i));
            prev_view = Some((key, c));
            codes.push(c);
        }
    }

    /// Keys into a dictionary of ids: each distinct key is coded once, at its first row, so
    /// the codes are those the rows' texts would get one by one.
    fn code_dict(
        &mut self,
        keys: &polars_arrow::array::PrimitiveArray<u32>,
        values: &Utf8ViewArray,
        codes: &mut Vec<u32>,
    ) -> Result<()> {
        const UNSEEN: u32 = NONE - 1;
        let mut of_key = vec![UNSEEN; values.len()];
        let validity = keys.validity();
        for (i, &k) in keys.values().iter().enumerate() {
            if validity.is_some_and(|b| !b.get_bit(i)) {
                codes.push(NONE);
                continue;
            }
            let Some(c) = of_key.get_mut(k as usize) else {
                let n = values.len();
                return Err(Error::input(crate::tr!(
                    "deal_id: dictionary key {k} of {n} values",
                    "deal_id：字典键 {k} 超出 {n} 个值的范围"
                )));
            };
            if *c == UNSEEN {
                *c = if values.is_valid(k as usize) {
                    self.code_text(values.value(k as usize))
                } else {
                    NONE
                };
            }
            codes.push(*c);
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.len() == 0
    }

    /// Room for the ids of `total` rows, judged from the ids of the `seen` rows coded so far
    /// (a buffer that doubles its way to tens of MB touches twice the memory).
    pub fn expect(&mut self, seen: usize, total: usize) {
        if seen == 0 || total <= seen {
            return;
        }
        let scale = |n: usize| (n as f64 * total as f64 / seen as f64 * 1.05) as usize;
        let ids = &mut self.ids;
        ids.bytes
            .reserve(scale(ids.bytes.len()).saturating_sub(ids.bytes.len()));
        ids.ends
            .reserve(scale(ids.ends.len()).saturating_sub(ids.ends.len()));
    }

    /// The distinct ids, in code order.
    pub(crate) fn into_ids(self) -> Ids {
        Ids {
            src: IdSrc::Arena(std::sync::Arc::new(self.ids)),
            rows: None,
            gathered: std::sync::OnceLock::new(),
        }
    }
}

/// [`coded_ids`] with the values left in the column ([`Ids`]).
pub(crate) fn coded_ids_lazy(df: &DataFrame, name: &str) -> Result<(Vec<u32>, Ids)> {
    let Some((codes, vals, ca)) = code_column(df, name)? else {
        return Ok((vec![NONE; df.height()], Ids::empty()));
    };
    let ids = match vals {
        Vals::Strings(v) => Ids::of(StringChunked::from_iter(v.iter().map(|s| Some(s.as_str())))),
        Vals::Rows(rows) => Ids {
            src: IdSrc::Column(ca),
            rows: Some(rows),
            gathered: std::sync::OnceLock::new(),
        },
    };
    Ok((codes, ids))
}

/// The distinct values of a coded column: as texts, or as the rows where each first appears.
enum Vals {
    Strings(Vec<String>),
    Rows(Vec<IdxSize>),
}

/// Code a column (None when it is missing): codes, values, and the column as text.
fn code_column(df: &DataFrame, name: &str) -> Result<Option<(Vec<u32>, Vals, StringChunked)>> {
    let Ok(c) = df.column(name) else {
        return Ok(None);
    };
    let t0 = std::time::Instant::now();
    if let Some((codes, values)) = code_categorical(c.as_materialized_series())? {
        crate::timing::note(|| {
            format!(
                "coded {name} (dictionary): {} rows, {} values, {:.1} ms",
                codes.len(),
                values.len(),
                t0.elapsed().as_secs_f64() * 1e3
            )
        });
        return Ok(Some((
            codes,
            Vals::Strings(values),
            StringChunked::from_iter(std::iter::empty::<Option<&str>>()),
        )));
    }
    let s = c.as_materialized_series().cast(&DataType::String)?;
    let ca = s.str()?.clone();
    let (codes, vals) = if let Some(c) = code_ascending(&ca) {
        c
    } else if ca.len() >= PAR_CODE_ROWS && expected_distinct(&ca) >= MANY_DISTINCT {
        code_partitioned(&ca)
    } else if ca.len() >= PAR_CODE_ROWS {
        // Two halves on two threads, then the second half's values looked up among the
        // first's: the same codes as one pass, in less time on a long column.
        let mid = ca.len() / 2;
        let (a, b) = (ca.slice(0, mid), ca.slice(mid as i64, ca.len() - mid));
        let (mut first, second) = rayon::join(|| code_part(&a), || code_part(&b));
        let mut index = KeyMap::with_capacity_and_hasher(first.values.len(), Default::default());
        for (i, v) in first.values.iter().enumerate() {
            index.insert(Key::new(v), i as u32);
        }
        let mut remap = Vec::with_capacity(second.values.len());
        let mut fresh = Vec::new();
        let base = first.values.len();
        for v in second.values {
            remap.push(match index.get(&Key::new(&v)) {
                Some(&c) => c,
                None => {
                    fresh.push(v);
                    (base + fresh.len() - 1) as u32
                }
            });
        }
        drop(index);
        first.values.extend(fresh);
        first.codes.extend(
            second
                .codes
                .iter()
                .map(|&c| if c == NONE { NONE } else { remap[c as usize] }),
        );
        (first.codes, Vals::Strings(first.values))
    } else {
        let c = code_part(&ca);
        (c.codes, Vals::Strings(c.values))
    };
    crate::timing::note(|| {
        format!(
            "coded {name}: {} rows, {} values, {:.1} ms",
            codes.len(),
            match &vals {
                Vals::Strings(v) => v.len(),
                Vals::Rows(r) => r.len(),
            },
            t0.elapsed().as_secs_f64() * 1e3
        )
    });
    Ok(Some((codes, vals, ca)))
}

/// Codes for a column of which only the rows where `keep` is true were read (`kept`, in row
/// order); the other rows get NONE (new customers need the accounts of won deals only, a tenth
/// of a million-row column). No column: every row NONE.
pub(crate) fn coded_rows(kept: Option<Series>, keep: &[bool]) -> Result<Coded> {
    let Some(sub) = kept else {
        return Ok(Coded {
            codes: vec![NONE; keep.len()],
            values: vec![],
        });
    };
    let n_kept = keep.iter().filter(|&&k| k).count();
    if sub.len() != n_kept {
        return Err(crate::error::Error::Internal(format!(
            "column {}: {} values read for {n_kept} rows",
            sub.name(),
            sub.len()
        )));
    }
    let name = sub.name().to_string();
    let part = coded(
        &DataFrame::new_infer_height(vec![sub.into_column()])?,
        &name,
    )?;
    let mut codes = vec![NONE; keep.len()];
    let mut j = 0;
    for (i, &k) in keep.iter().enumerate() {
        if k {
            codes[i] = part.codes[j];
            j += 1;
        }
    }
    Ok(Coded {
        codes,
        values: part.values,
    })
}

/// How many distinct values a text column holds (null counting as one), without keeping them:
/// runs that ascend are counted without a table (a deals export's ids in order).
pub(crate) fn n_distinct(ca: &StringChunked) -> usize {
    let nulls = usize::from(ca.null_count() > 0);
    let mut runs = 0;
    let mut prev: Option<&str> = None;
    let mut ascending = true;
    for t in ca.iter().flatten() {
        match prev {
            Some(p) if p == t => {}
            Some(p) if p > t => {
                ascending = false;
                break;
            }
            _ => {
                runs += 1;
                prev = Some(t);
            }
        }
    }
    if ascending {
        return runs + nulls;
    }
    let mut seen: KeyMap =
        KeyMap::with_capacity_and_hasher(expected_distinct(ca), Default::default());
    for t in ca.iter().flatten() {
        seen.insert(Key::new(t), 0);
    }
    seen.len() + nulls
}

/// Columns at least this long are coded in two halves in parallel.
const PAR_CODE_ROWS: usize = 1 << 18;

/// Above this many expected distinct values a long column is coded by hash partitions: a
/// table of a million ids does not fit in cache, and each lookup in it (and in the text it
/// points back to) is a miss.
const MANY_DISTINCT: usize = 1 << 16;

/// Hash partitions of [`code_partitioned`] (the top bits of a value's hash).
const PART_BITS: u32 = 8;

/// Code a long column of many distinct values by radix partitioning: every value is hashed
/// and copied, in row order, into the partition its hash picks (one partition per 2^8); the
/// partitions, small enough to stay in cache, are coded in parallel; a last pass in row order
/// renumbers the values in order of first appearance, so the codes are those of one plain pass.
fn code_partitioned(ca: &StringChunked) -> (Vec<u32>, Vals) {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    const P: usize = 1 << PART_BITS;
    const NULL: u16 = u16::MAX;
    let hasher = foldhash::fast::FixedState::with_seed(HASH_SEED);
    let n = ca.len();
    let n_chunks = (rayon::current_num_threads() * 2).clamp(1, 64);
    let step = n.div_ceil(n_chunks).max(1);
    let chunks: Vec<StringChunked> = (0..n)
        .step_by(step)
        .map(|o| ca.slice(o as i64, step.min(n - o)))
        .collect();
    // Pass 1: each row's partition, and each (chunk, partition)'s rows and bytes.
    let counted: Vec<(Vec<u16>, Vec<u32>, Vec<usize>)> = chunks
        .par_iter()
        .map(|c| {
            let mut pids = Vec::with_capacity(c.len());
            let mut rows = vec![0u32; P];
            let mut bytes = vec![0usize; P];
            for v in c.iter() {
                match v {
                    None => pids.push(NULL),
                    Some(t) => {
                        let p = (hasher.hash_one(t.as_bytes()) >> (64 - PART_BITS)) as usize;
                        pids.push(p as u16);
                        rows[p] += 1;
                        bytes[p] += t.len();
                    }
                }
            }
            (pids, rows, bytes)
        })
        .collect();
    // Pass 2: each chunk copies its values into its own buffers per partition (exact sizes).
    let copied: Vec<Vec<(Vec<u32>, Vec<u8>)>> = chunks
        .par_iter()
        .zip(counted.par_iter())
        .map(|(c, (pids, rows, bytes))| {
            let mut out: Vec<(Vec<u32>, Vec<u8>)> = (0..P)
                .map(|p| {
                    (
                        Vec::with_capacity(rows[p] as usize),
                        Vec::with_capacity(bytes[p]),
                    )
                })
                .collect();
            for (v, &p) in c.iter().zip(pids.iter()) {
                if let Some(t) = v {
                    let (lens, buf) = &mut out[p as usize];
                    lens.push(t.len() as u32);
                    buf.extend_from_slice(t.as_bytes());
                }
            }
            out
        })
        .collect();
    drop(chunks);
    // Pass 3: each partition coded on its own, in row order: local codes per row, and where
    // each distinct value's bytes are (chunk, offset, length).
    let coded: Vec<(Vec<u32>, Vec<Rep>)> = (0..P)
        .into_par_iter()
        .map(|p| code_partition(&copied, p, &hasher))
        .collect();
    // Pass 4: global codes renumbered in order of first appearance.
    let pids = counted.iter().map(|c| c.0.as_slice());
    let (codes, first_rows) = renumber(pids, n, &coded);
    (codes, Vals::Rows(first_rows))
}

/// Where a distinct value's bytes are: (chunk, offset, length).
type Rep = (u32, u32, u32);

/// Pass 3 of [`code_partitioned`]: partition `p` coded on its own, in row order: each row's
/// local code, and each distinct value's bytes ([`Rep`]).
fn code_partition(
    copied: &[Vec<(Vec<u32>, Vec<u8>)>],
    p: usize,
    hasher: &foldhash::fast::FixedState,
) -> (Vec<u32>, Vec<Rep>) {
    use std::hash::BuildHasher;
    let rows: usize = copied.iter().map(|c| c[p].0.len()).sum();
    let mut locals = Vec::with_capacity(rows);
    let mut reps: Vec<Rep> = Vec::new();
    let slots = (rows * 2).next_power_of_two().max(16);
    let mask = slots - 1;
    let mut table = vec![u32::MAX; slots];
    let bytes_of = |r: &Rep| {
        let buf = &copied[r.0 as usize][p].1;
        &buf[r.1 as usize..(r.1 + r.2) as usize]
    };
    for (ci, c) in copied.iter().enumerate() {
        let (lens, buf) = &c[p];
        let mut off = 0usize;
        for &len in lens {
            let b = &buf[off..off + len as usize];
            let mut i = hasher.hash_one(b) as usize & mask;
            let code = loop {
                let e = table[i];
                if e == u32::MAX {
                    table[i] = reps.len() as u32;
                    reps.push((ci as u32, off as u32, len));
                    break reps.len() as u32 - 1;
                }
                if bytes_of(&reps[e as usize]) == b {
                    break e;
                }
                i = (i + 1) & mask;
            };
            locals.push(code);
            off += len as usize;
        }
    }
    (locals, reps)
}

/// Pass 4 of [`code_partitioned`]: the partitions' local codes turned into global codes
/// numbered in order of first appearance, walking the rows' partitions (`pids`, chunk by
/// chunk); and each code's first row.
fn renumber<'a>(
    pids: impl Iterator<Item = &'a [u16]>,
    n: usize,
    coded: &[(Vec<u32>, Vec<Rep>)],
) -> (Vec<u32>, Vec<IdxSize>) {
    const P: usize = 1 << PART_BITS;
    const NULL: u16 = u16::MAX;
    let mut base = Vec::with_capacity(P + 1);
    base.push(0usize);
    for (_, reps) in coded {
        base.push(base.last().copied().unwrap_or(0) + reps.len());
    }
    let total = base[P];
    let mut remap = vec![NONE; total];
    let mut cursor = vec![0usize; P];
    let mut first_rows: Vec<IdxSize> = Vec::with_capacity(total);
    let mut codes = Vec::with_capacity(n);
    for pids in pids {
        for &p in pids {
            if p == NULL {
                codes.push(NONE);
                continue;
            }
            let p = p as usize;
            let local = coded[p].0[cursor[p]];
            cursor[p] += 1;
            let g = base[p] + local as usize;
            if remap[g] == NONE {
                remap[g] = first_rows.len() as u32;
                first_rows.push(codes.len() as IdxSize);
            }
            codes.push(remap[g]);
        }
    }
    (codes, first_rows)
}

/// A Categorical column (a label column: owner, stage, status...) coded from its category
/// ids, renumbered in order of first appearance (the codes a text column of the same values
/// gets). None for any other type.
fn code_categorical(s: &Series) -> Result<Option<(Vec<u32>, Vec<String>)>> {
    let mapping = match s.dtype() {
        DataType::Categorical(_, m) | DataType::Enum(_, m) => m.clone(),
        _ => return Ok(None),
    };
    let ids = s.to_physical_repr().cast(&DataType::UInt32)?;
    let ids = ids.u32()?;
    let mut remap: Vec<u32> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut codes: Vec<u32> = Vec::with_capacity(ids.len());
    for arr in ids.downcast_iter() {
        let validity = arr.validity();
        for (i, &id) in arr.values().iter().enumerate() {
            if validity.is_some_and(|b| !b.get_bit(i)) {
                codes.push(NONE);
                continue;
            }
            let id = id as usize;
            if id >= remap.len() {
                remap.resize(id + 1, NONE);
            }
            if remap[id] == NONE {
                let Some(text) = mapping.cat_to_str(id as u32) else {
                    return Err(Error::Internal(format!(
                        "category {id} of column {} has no text",
                        s.name()
                    )));
                };
                remap[id] = values.len() as u32;
                values.push(text.to_string());
            }
            codes.push(remap[id]);
        }
    }
    Ok(Some((codes, values)))
}

/// A column whose runs of equal values ascend strictly (an ingested DIR's stage events,
/// sorted by deal id) is coded without a hash table: each run is a new value. None at the
/// first run that does not ascend (on an unsorted column that is within the first rows).
fn code_ascending(ca: &StringChunked) -> Option<(Vec<u32>, Vals)> {
    let mut codes = Vec::with_capacity(ca.len());
    let mut rows: Vec<IdxSize> = Vec::new();
    let mut prev: Option<&str> = None;
    let mut row = 0usize;
    for (arr, chunk) in ca.downcast_iter().zip(ca.chunks()) {
        let validity = chunk.validity();
        // Within one array equal 16-byte views are equal texts (same bytes inline, or the same
        // place in the same buffer): most rows of a run are settled without reading the text.
        let mut prev_view: Option<u128> = None;
        for (i, view) in arr.views().iter().enumerate() {
            row += 1;
            if validity.is_some_and(|b| !b.get_bit(i)) {
                codes.push(NONE);
                continue;
            }
            let key = view.as_u128();
            if prev_view != Some(key) {
                let t = arr.value(i);
                match prev {
                    Some(p) if p == t => {}
                    Some(p) if p > t => return None,
                    _ => {
                        rows.push((row - 1) as IdxSize);
                        prev = Some(t);
                    }
                }
                prev_view = Some(key);
            }
            codes.push((rows.len() - 1) as u32);
        }
    }
    Some((codes, Vals::Rows(rows)))
}

/// A text key that carries its hash: the table grows without reading the texts again (on a
/// column of a million ids each re-read is a cache miss), and a probe compares texts only
/// when the hashes agree.
#[derive(Clone, Copy)]
struct Key<'a> {
    h: u64,
    s: &'a str,
}

impl<'a> Key<'a> {
    fn new(s: &'a str) -> Key<'a> {
        use std::hash::BuildHasher;
        Key {
            h: foldhash::fast::FixedState::with_seed(HASH_SEED).hash_one(s),
            s,
        }
    }
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

/// Room for the distinct values a column will likely hold, from its first rows: a table that
/// grows twenty times over a million ids costs more than one that is a little too big.
fn expected_distinct(ca: &StringChunked) -> usize {
    let n = ca.len().min(4096);
    if n == 0 {
        return 0;
    }
    let head = ca.slice(0, n);
    let mut seen: HashMap<&str, ()> = HashMap::with_capacity(n);
    for v in head.iter().flatten() {
        seen.insert(v, ());
    }
    let r = seen.len() as f64 / n as f64;
    if r < 0.5 {
        seen.len() * 2
    } else {
        (ca.len() as f64 * r) as usize
    }
}

fn code_part(ca: &StringChunked) -> Coded {
    let mut map: KeyMap =
        KeyMap::with_capacity_and_hasher(expected_distinct(ca), Default::default());
    // A text of at most 12 bytes is held whole in its 16-byte view (length, then the bytes,
    // zero-padded): the view is the key, compared as one integer. The few labels of a column
    // such as stage or status are searched in a short list, more in a hash map.
    let mut few: Vec<(u128, u32)> = Vec::new();
    let mut many: foldhash::HashMap<u128, u32> = Default::default();
    let mut values: Vec<String> = Vec::new();
    let mut codes = Vec::with_capacity(ca.len());
    // Equal values often come in runs (an ingested DIR keeps each deal's events together): a
    // value equal to the previous one takes its code without a lookup.
    let mut last_short: Option<(u128, u32)> = None;
    let mut last: Option<(&str, u32)> = None;
    for (arr, chunk) in ca.downcast_iter().zip(ca.chunks()) {
        let validity = chunk.validity();
        for (i, view) in arr.views().iter().enumerate() {
            if validity.is_some_and(|b| !b.get_bit(i)) {
                codes.push(NONE);
                continue;
            }
            if view.length <= 12 {
                let mut key = view.as_u128();
                if view.length < 12 && key >> (32 + 8 * view.length) != 0 {
                    // Not zero-padded (a writer outside the Arrow spec): pack the text.
                    key = packed(arr.value(i)).unwrap_or(key);
                }
                let c = match last_short {
                    Some((k, c)) if k == key => c,
                    _ => {
                        let found = if many.is_empty() {
                            few.iter().find(|(k, _)| *k == key).map(|&(_, c)| c)
                        } else {
                            many.get(&key).copied()
                        };
                        let c = found.unwrap_or_else(|| {
                            values.push(arr.value(i).to_string());
                            let c = (values.len() - 1) as u32;
                            if many.is_empty() && few.len() < 16 {
                                few.push((key, c));
                            } else {
                                many.extend(few.drain(..));
                                many.insert(key, c);
                            }
                            c
                        });
                        last_short = Some((key, c));
                        c
                    }
                };
                codes.push(c);
                continue;
            }
            let t = arr.value(i);
            codes.push(match last {
                Some((l, c)) if l == t => c,
                _ => {
                    let c = *map.entry(Key::new(t)).or_insert_with(|| {
                        values.push(t.to_string());
                        (values.len() - 1) as u32
                    });
                    last = Some((t, c));
                    c
                }
            });
        }
    }
    Coded { codes, values }
}

/// A text of at most 12 bytes as one integer: its length, then its bytes, zero-padded.
pub(crate) fn packed(t: &str) -> Option<u128> {
    let b = t.as_bytes();
    if b.len() > 12 {
        return None;
    }
    let mut k = [0u8; 16];
    k[..4].copy_from_slice(&(b.len() as u32).to_le_bytes());
    k[4..4 + b.len()].copy_from_slice(b);
    Some(u128::from_le_bytes(k))
}

/// A datetime column as epoch milliseconds (None for null or a missing column).
pub fn millis(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    Ok(match millis_ca(df, name)? {
        Some(ca) => ca.iter().collect(),
        None => vec![None; df.height()],
    })
}

/// A datetime column as epoch milliseconds, 8 bytes a row (null kept as `i64::MIN`; a
/// missing column reads as all null).
#[derive(Debug, Clone, Default)]
pub struct Times(Vec<i64>);

impl Times {
    /// A null time.
    pub(crate) const NULL: i64 = i64::MIN;

    /// Epoch milliseconds, [`Times::NULL`] for null.
    pub(crate) fn from_vec(v: Vec<i64>) -> Times {
        Times(v)
    }

    pub fn get(&self, i: usize) -> Option<i64> {
        self.0.get(i).copied().filter(|&v| v != Self::NULL)
    }
}

/// [`millis`] as [`Times`].
pub fn times(df: &DataFrame, name: &str) -> Result<Times> {
    let Some(ca) = millis_ca(df, name)? else {
        return Ok(Times::default());
    };
    let mut v = Vec::with_capacity(ca.len());
    for (arr, chunk) in ca.downcast_iter().zip(ca.chunks()) {
        match chunk.validity() {
            None => v.extend_from_slice(arr.values()),
            Some(b) => v.extend(
                arr.values()
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| if b.get_bit(i) { x } else { Times::NULL }),
            ),
        }
    }
    Ok(Times(v))
}

/// Amounts, 8 bytes a row (null and NaN kept as NaN; a missing column reads as all null).
#[derive(Debug, Clone, Default)]
pub struct Amounts(Vec<f64>);

impl Amounts {
    /// Amounts, NaN for null.
    pub(crate) fn from_vec(v: Vec<f64>) -> Amounts {
        Amounts(v)
    }

    pub fn get(&self, i: usize) -> Option<f64> {
        self.0.get(i).copied().filter(|x| !x.is_nan())
    }
}

/// A numeric column as [`Amounts`].
pub fn amounts(df: &DataFrame, name: &str) -> Result<Amounts> {
    let Ok(c) = df.column(name) else {
        return Ok(Amounts::default());
    };
    let s = c.as_materialized_series().cast(&DataType::Float64)?;
    Ok(Amounts(
        s.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
    ))
}

/// [`millis`] as a column of epoch milliseconds, read in place (None for a missing column).
pub(crate) fn millis_ca(df: &DataFrame, name: &str) -> Result<Option<Int64Chunked>> {
    let Ok(c) = df.column(name) else {
        return Ok(None);
    };
    let s = c.as_materialized_series();
    let s = match s.dtype() {
        DataType::Datetime(_, _) => s
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?
            .cast(&DataType::Int64)?,
        DataType::Date => s.cast(&DataType::Int64)? * 86_400_000i64,
        _ => s.cast(&DataType::Int64)?,
    };
    Ok(Some(s.i64()?.clone()))
}

/// A numeric column as f64 (None for null or a missing column).
pub(crate) fn floats(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let Ok(c) = df.column(name) else {
        return Ok(vec![None; df.height()]);
    };
    let s = c.as_materialized_series().cast(&DataType::Float64)?;
    Ok(s.f64()?.iter().map(|v| v.filter(|x| !x.is_nan())).collect())
}

/// A boolean column as flags (missing column or null = false).
pub fn flags(df: &DataFrame, name: &str) -> Vec<bool> {
    match df.column(name) {
        Ok(col) => col
            .as_materialized_series()
            .bool()
            .map(|b| b.iter().map(|x| x.unwrap_or(false)).collect())
            .unwrap_or_else(|_| vec![false; df.height()]),
        Err(_) => vec![false; df.height()],
    }
}

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
    pub(crate) fn pos(&self, stages: &[String], label: &str) -> Option<Pos> {
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

impl SlotMemo {
    pub fn new(n_slots: usize, n_stage: usize) -> SlotMemo {
        SlotMemo {
            n_stage,
            row_of_slot: vec![NONE; n_slots],
            cells: Vec::new(),
        }
    }

    /// Where slot `slot`'s positions start in `cells` (made the first time).
    pub fn row(&mut self, slot: usize) -> usize {
        if self.row_of_slot[slot] == NONE {
            self.row_of_slot[slot] = (self.cells.len() / self.n_stage.max(1)) as u32;
            self.cells.resize(self.cells.len() + self.n_stage, None);
        }
        self.row_of_slot[slot] as usize * self.n_stage
    }

    /// The position of stage `sc` in slot `slot`, from `place` the first time.
    pub fn get(
        &mut self,
        slot: usize,
        sc: u32,
        place: impl FnOnce() -> Option<Pos>,
    ) -> Option<Pos> {
        let row = self.row(slot);
        *self.cells[row + sc as usize].get_or_insert_with(place)
    }
}

/// Stage events grouped by deal: `offsets[d]..offsets[d+1]` index `events` for deal `d`.
#[derive(Debug, Clone, Default)]
pub struct EventIndex {
    pub offsets: Vec<usize>,
    pub events: Vec<Event>,
    /// Events whose stage label is in no stage list nor an outcome, by label.
    pub unknown: BTreeMap<String, usize>,
    /// Events whose entry was only known between two snapshots (midpoint used).
    pub interval_midpoints: usize,
    /// Won outcome labels seen in the events, with counts.
    pub won_labels: BTreeMap<String, usize>,
}

impl EventIndex {
    pub fn of(&self, d: usize) -> &[Event] {
        if d + 1 >= self.offsets.len() {
            return &[];
        }
        &self.events[self.offsets[d]..self.offsets[d + 1]]
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
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
pub(crate) type Batches = Box<dyn Iterator<Item = Result<EventBatch>> + Send>;

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

impl EventBatch {
    pub fn new(
        df: DataFrame,
        ids: Option<Vec<crate::columns::source::TextChunk>>,
        stage: Option<Vec<crate::columns::source::TextChunk>>,
    ) -> EventBatch {
        EventBatch {
            df,
            ids,
            stage,
            cols: None,
        }
    }

    /// Code the columns other than the deal ids now (on the thread that read the batch, while
    /// the previous batch's ids are coded in order on the consumer's).
    pub(crate) fn coded_ahead(mut self) -> Result<EventBatch> {
        self.cols = Some(EventCols::of_batch(&self)?);
        Ok(self)
    }

    pub fn height(&self) -> usize {
        match &self.ids {
            Some(chunks) => chunks.iter().map(|c| c.len()).sum(),
            None => self.df.height(),
        }
    }
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

/// A text column given as row-group chunks, coded: each chunk's dictionary is coded once
/// (codes in order of first sight among the dictionaries, not among the rows), then each row
/// is a look-up by key.
fn coded_chunks(chunks: &[crate::columns::source::TextChunk], col: &str) -> Result<Coded> {
    use crate::columns::source::TextChunk;
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut values: Vec<String> = Vec::new();
    let mut code_of = |t: &str| -> u32 {
        if let Some(&c) = index.get(t) {
            return c;
        }
        let c = values.len() as u32;
        values.push(t.to_string());
        index.insert(t.to_string(), c);
        c
    };
    let mut codes = Vec::with_capacity(chunks.iter().map(TextChunk::len).sum());
    for chunk in chunks {
        match chunk {
            TextChunk::Dict { keys, values } => {
                let map: Vec<u32> = values
                    .iter()
                    .map(|v| v.map_or(NONE, &mut code_of))
                    .collect();
                let validity = keys.validity();
                for (i, &k) in keys.values().iter().enumerate() {
                    if validity.is_some_and(|b| !b.get_bit(i)) {
                        codes.push(NONE);
                        continue;
                    }
                    codes.push(*map.get(k as usize).ok_or_else(|| {
                        let n = map.len();
                        Error::input(crate::tr!(
                            "{col}: dictionary key {k} of {n} values",
                            "{col}：字典键 {k} 超出 {n} 个值的范围"
                        ))
                    })?);
                }
            }
            TextChunk::Plain(a) => codes.extend(a.iter().map(|v| v.map_or(NONE, &mut code_of))),
        }
    }
    Ok(Coded { codes, values })
}

impl EventCols {
    /// A batch's columns; the stage from its chunks when it has them, and no codes at all for
    /// a missing pipeline column (every row then takes its deal's pipeline).
    fn of_batch(b: &EventBatch) -> Result<EventCols> {
        let ev = &b.df;
        let cols = match &b.stage {
            Some(chunks) => {
                let stage = coded_chunks(chunks, "stage")?;
                if ev.width() > 0 && ev.height() != stage.codes.len() {
                    return Err(Error::Internal(format!(
                        "stage events: {} stage labels for {} rows",
                        stage.codes.len(),
                        ev.height()
                    )));
                }
                let mut c = EventCols::of_with(ev, Coded::default())?;
                c.height = stage.codes.len();
                c.stage = stage;
                c
            }
            None => EventCols::of(ev)?,
        };
        Ok(cols)
    }

    fn of(ev: &DataFrame) -> Result<EventCols> {
        EventCols::of_with(ev, coded(ev, "stage")?)
    }

    fn of_with(ev: &DataFrame, stage: Coded) -> Result<EventCols> {
        let bounds = if has(ev, "entered_at_min") && has(ev, "entered_at_max") {
            Some((millis(ev, "entered_at_min")?, millis(ev, "entered_at_max")?))
        } else {
            None
        };
        // No pipeline column: no codes at all (every row takes its deal's pipeline).
        let pipe = if has(ev, "pipeline") {
            coded(ev, "pipeline")?
        } else {
            Coded::default()
        };
        Ok(EventCols {
            stage,
            pipe,
            at: millis_ca(ev, "entered_at")?,
            bounds,
            height: ev.height(),
        })
    }
}

/// Where each deal-id code goes: a deal index (a deals table's row, or an index after them).
enum DealOfCode<'a> {
    /// No deals table: code `c` is deal `n_rows + c`.
    Offset(usize),
    Map(&'a [usize]),
}

impl DealOfCode<'_> {
    fn get(&self, c: u32) -> usize {
        match self {
            DealOfCode::Offset(n) => n + c as usize,
            DealOfCode::Map(m) => m[c as usize],
        }
    }
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

impl EventAcc {
    fn new(rows: usize) -> EventAcc {
        EventAcc {
            events: Vec::with_capacity(rows),
            in_order: true,
            ..Default::default()
        }
    }

    /// Place one batch's rows: each kept event's deal, time and stage position.
    fn visit(
        &mut self,
        id_codes: &[u32],
        to_deal: &DealOfCode,
        c: &EventCols,
        pipelines: &Pipelines,
        deal_pipe: &Coded,
    ) {
        let stage = &c.stage;
        let n_stage = stage.values.len();
        let mut v = Visit {
            id_codes,
            to_deal,
            c,
            pipelines,
            deal_pipe,
            p_ev: c.pipe.values.len(),
            memo: SlotMemo::new(c.pipe.values.len() + deal_pipe.values.len() + 1, n_stage),
            slot: usize::MAX,
            base: 0,
            unknown_n: vec![0; n_stage],
            won_n: vec![0; n_stage],
            in_order: self.in_order,
            last: self.last.unwrap_or((0, i64::MIN, Pos::Open(0))),
            mids: 0,
            deal_of: &mut self.deal_of,
            starts: &mut self.starts,
            events: &mut self.events,
        };
        match &c.at {
            // No null time and no bounds: the times as plain slices, in place.
            Some(a) if a.null_count() == 0 && c.bounds.is_none() => {
                let mut i = 0;
                for arr in a.downcast_iter() {
                    for &t in arr.values().iter() {
                        v.row(i, t);
                        i += 1;
                    }
                }
            }
            Some(a) => {
                let mut i = 0;
                for arr in a.downcast_iter() {
                    for (j, &t) in arr.values().iter().enumerate() {
                        let valid = arr.validity().is_none_or(|b| b.get_bit(j));
                        v.row_or_bounds(i, valid.then_some(t));
                        i += 1;
                    }
                }
            }
            None => (0..c.height).for_each(|i| v.row_or_bounds(i, None)),
        }
        let (in_order, last, mids, unknown_n, won_n) =
            (v.in_order, v.last, v.mids, v.unknown_n, v.won_n);
        self.in_order = in_order;
        if !self.events.is_empty() {
            self.last = Some(last);
        }
        self.mids += mids;
        for (n, into) in [
            (unknown_n, &mut self.unknown),
            (won_n, &mut self.won_labels),
        ] {
            for (code, k) in n.into_iter().enumerate().filter(|&(_, k)| k > 0) {
                *into.entry(stage.values[code].clone()).or_default() += k;
            }
        }
    }

    /// Group the events by deal (`n_deals` deals).
    fn finish(self, n_deals: usize) -> EventIndex {
        let _t = crate::timing::span("deal set: order events");
        let EventAcc {
            mut starts,
            deal_of,
            mut events,
            in_order,
            mids,
            unknown,
            won_labels,
            ..
        } = self;
        if in_order {
            // Already grouped and sorted: the starts are the offsets.
            starts.resize(n_deals + 1, events.len());
            return EventIndex {
                offsets: starts,
                events,
                unknown,
                interval_midpoints: mids,
                won_labels,
            };
        }
        drop(starts);
        // A counting sort by deal (the offsets), then each deal's few events by (time, stage
        // order).
        let mut offsets = vec![0usize; n_deals + 1];
        for &d in &deal_of {
            offsets[d as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        if !in_order {
            // Same-instant events of a deal in stage order: `Pos` orders open stages by
            // position, then won, lost, invalid (what the pipeline order gives within one
            // pipeline).
            let mut next = offsets.clone();
            let mut sorted: Vec<Event> = vec![
                Event {
                    at: 0,
                    pos: Pos::Won
                };
                events.len()
            ];
            for (&d, e) in deal_of.iter().zip(&events) {
                let k = &mut next[d as usize];
                sorted[*k] = *e;
                *k += 1;
            }
            drop((deal_of, next));
            for w in offsets.windows(2) {
                if w[1] - w[0] > 1 {
                    sorted[w[0]..w[1]].sort_unstable_by_key(|e| (e.at, e.pos));
                }
            }
            events = sorted;
        }
        EventIndex {
            offsets,
            events,
            unknown,
            interval_midpoints: mids,
            won_labels,
        }
    }
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

impl Visit<'_> {
    /// Row `i` with no time of its own: the middle of its bounds when it has both.
    fn row_or_bounds(&mut self, i: usize, t: Option<i64>) {
        let t = t.or_else(|| {
            let (lo, hi) = self.c.bounds.as_ref()?;
            let (a, b) = (lo[i]?, hi[i]?);
            self.mids += 1;
            Some(a + (b - a) / 2)
        });
        if let Some(t) = t {
            self.row(i, t);
        }
    }

    /// Row `i`, entered at `t`.
    #[inline(always)]
    fn row(&mut self, i: usize, t: i64) {
        let (idc, sc) = (self.id_codes[i], self.c.stage.codes[i]);
        if idc == NONE || sc == NONE {
            return;
        }
        let d = self.to_deal.get(idc);
        // The event's own pipeline, else its deal's.
        let pc = self.c.pipe.codes.get(i).copied().unwrap_or(NONE);
        let slot = if pc != NONE {
            pc as usize
        } else {
            match self.deal_pipe.codes.get(d) {
                Some(&dc) if dc != NONE => self.p_ev + dc as usize,
                _ => self.p_ev + self.deal_pipe.values.len(),
            }
        };
        if slot != self.slot {
            self.base = self.memo.row(slot);
            self.slot = slot;
        }
        let found = match self.memo.cells[self.base + sc as usize] {
            Some(found) => found,
            None => self.resolve(sc),
        };
        let Some(p) = found else {
            self.unknown_n[sc as usize] += 1;
            return;
        };
        if p == Pos::Won {
            self.won_n[sc as usize] += 1;
        }
        let key = (d as u32, t, p);
        if self.in_order && key < self.last {
            self.out_of_order();
        }
        self.last = key;
        if self.in_order {
            while self.starts.len() <= d {
                self.starts.push(self.events.len());
            }
        } else {
            self.deal_of.push(d as u32);
        }
        self.events.push(Event { at: t, pos: p });
    }

    /// The position of stage code `sc` in the current slot's pipeline, worked out once.
    #[cold]
    fn resolve(&mut self, sc: u32) -> Option<Pos> {
        let (p_ev, p_deal) = (self.p_ev, self.deal_pipe.values.len());
        let pname = if self.slot < p_ev {
            self.c.pipe.values[self.slot].as_str()
        } else if self.slot < p_ev + p_deal {
            self.deal_pipe.values[self.slot - p_ev].as_str()
        } else {
            "default"
        };
        let label = &self.c.stage.values[sc as usize];
        let pl = self.pipelines;
        let found = pl
            .stages(pname)
            .and_then(|st| pl.pos(st, label))
            .or_else(|| pl.pos(&[], label));
        self.memo.cells[self.base + sc as usize] = Some(found);
        found
    }

    /// The first row out of order: each earlier event's deal from the starts, and from now
    /// on one deal per event.
    #[cold]
    fn out_of_order(&mut self) {
        self.in_order = false;
        self.deal_of.reserve(self.events.capacity());
        for (k, w) in self.starts.iter().enumerate() {
            let end = self.starts.get(k + 1).copied().unwrap_or(self.events.len());
            self.deal_of.extend(std::iter::repeat_n(k as u32, end - w));
        }
    }
}

/// A deals table's ids -> row (a repeated id means its last row, as a map built in order).
fn row_index(rows: &StringChunked) -> HashMap<&str, usize> {
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    for (i, v) in rows.iter().enumerate() {
        if let Some(v) = v {
            index.insert(v, i);
        }
    }
    index
}

/// Map the next id codes (their ids, in code order, continuing `map`) to deal indexes: the
/// deals table's row, or for an id not there the next index after the table's rows (its code
/// appended to `missing`).
fn map_ids<'a>(
    index: &HashMap<&str, usize>,
    ids: impl Iterator<Item = Option<&'a str>>,
    n_rows: usize,
    map: &mut Vec<usize>,
    missing: &mut Vec<IdxSize>,
) {
    map.reserve(ids.size_hint().0);
    for v in ids {
        let c = map.len();
        map.push(match v.and_then(|v| index.get(v)) {
            Some(&d) => d,
            None => {
                missing.push(c as IdxSize);
                n_rows + missing.len() - 1
            }
        });
    }
}

/// The coder of [`index_events`]' batches: each batch's deal ids as deal indexes (the deals
/// table's row, or `n_rows` + the id's code for an id not there), sent on with the batch's
/// other columns. Returns the coder and the codes of the ids not in the deals table.
fn code_batches(
    batches: Batches,
    rows: usize,
    index: Option<&HashMap<&str, usize>>,
    n_rows: usize,
    tx: std::sync::mpsc::SyncSender<(Vec<u32>, EventCols)>,
) -> Result<(IdCoder, Vec<IdxSize>)> {
    let mut coder = IdCoder::default();
    let mut map: Vec<usize> = Vec::new();
    let mut missing: Vec<IdxSize> = Vec::new();
    let mut first = true;
    for b in batches {
        let mut b = b?;
        // Coded on the reader's thread, or here.
        let cols = match b.cols.take() {
            Some(c) => c,
            None => EventCols::of_batch(&b)?,
        };
        let mut deals = match (&b.ids, batch_ids(&b.df)?) {
            (Some(chunks), _) => coder.code_chunks(chunks)?,
            (None, Some(ca)) => coder.code(&ca),
            (None, None) => vec![NONE; cols.height],
        };
        if deals.len() != cols.height {
            return Err(Error::Internal(format!(
                "stage events: a batch of {} deal ids for {} rows",
                deals.len(),
                cols.height
            )));
        }
        if first {
            coder.expect(deals.len(), rows);
            first = false;
        }
        drop(b);
        if let Some(index) = index {
            let new = (map.len()..coder.len()).map(|c| Some(coder.text(c)));
            map_ids(index, new, n_rows, &mut map, &mut missing);
        }
        let too_many = || {
            Error::input(crate::tr!(
                "stage events: more than 4 billion deals",
                "阶段事件：商机超过 40 亿个"
            ))
        };
        for c in deals.iter_mut().filter(|c| **c != NONE) {
            let d = match index {
                Some(_) => map[*c as usize],
                None => n_rows + *c as usize,
            };
            *c = u32::try_from(d)
                .ok()
                .filter(|&d| d != NONE)
                .ok_or_else(too_many)?;
        }
        // The consumer stopped (it only does so on its way out): nothing more to do.
        if tx.send((deals, cols)).is_err() {
            break;
        }
    }
    Ok((coder, missing))
}

/// A batch's deal_id column as text (None when the batch has none).
fn batch_ids(df: &DataFrame) -> Result<Option<StringChunked>> {
    let Ok(c) = df.column("deal_id") else {
        return Ok(None);
    };
    Ok(Some(
        c.as_materialized_series()
            .cast(&DataType::String)?
            .str()?
            .clone(),
    ))
}

/// Group stage events by deal. An event's deal id is looked up among the deals table's ids
/// (`row_ids`, `n_rows` rows); ids not there become deals `n_rows..`, their ids appended to
/// `extra_ids`. `deal_pipe` codes each known deal's pipeline, used when the events carry no
/// pipeline of their own.
pub(crate) fn index_events(
    ev: impl Into<EventRows>,
    row_ids: Option<&StringChunked>,
    n_rows: usize,
    extra_ids: &mut Ids,
    pipelines: &Pipelines,
    deal_pipe: &Coded,
) -> Result<EventIndex> {
    let index = match row_ids {
        Some(rows) if n_rows > 0 => Some(row_index(rows)),
        _ => None,
    };
    let acc = match ev.into() {
        EventRows::Frame(ev) => {
            let t_code = crate::timing::span("deal set: code events");
            // The deal ids (millions of distinct strings) on one thread, the rest on the other.
            let (ids, cols) = rayon::join(|| coded_ids_lazy(&ev, "deal_id"), || EventCols::of(&ev));
            let (id_codes, id_values) = ids?;
            let cols = cols?;
            drop(t_code);
            // Map each id code to a deal index once. Without a deals table the id codes are
            // the deal indexes (a history export of a million deals: no second map of a
            // million strings).
            let mut map = Vec::new();
            let to_deal = match &index {
                Some(index) => {
                    let mut missing: Vec<IdxSize> = Vec::new();
                    map_ids(
                        index,
                        id_values.column().iter(),
                        n_rows,
                        &mut map,
                        &mut missing,
                    );
                    *extra_ids = id_values.pick(&missing);
                    DealOfCode::Map(&map)
                }
                None => {
                    *extra_ids = id_values;
                    DealOfCode::Offset(n_rows)
                }
            };
            // The frame is coded: its texts are no longer needed (the ids' values share its
            // buffers).
            drop(ev);
            let mut acc = EventAcc::new(cols.height);
            acc.visit(&id_codes, &to_deal, &cols, pipelines, deal_pipe);
            acc
        }
        EventRows::Batches { rows, batches } => {
            let _t = crate::timing::span("deal set: code and place events by batch");
            // A pipeline of three threads: the reader decodes a batch (and codes its stages and
            // times), a coder turns its deal ids into deal indexes (in order: codes are given
            // by first appearance), and this thread places the events.
            let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<u32>, EventCols)>(1);
            let mut acc = EventAcc::new(rows);
            let coded = std::thread::scope(|scope| {
                let index = index.as_ref();
                let coder = scope.spawn(move || code_batches(batches, rows, index, n_rows, tx));
                let mut seen = 0usize;
                for (deals, cols) in rx {
                    acc.visit(&deals, &DealOfCode::Offset(0), &cols, pipelines, deal_pipe);
                    seen += cols.height;
                    if seen == cols.height && rows > seen {
                        // Room for every deal's start, judged from the first batch.
                        let want =
                            (acc.starts.len() as f64 * rows as f64 / seen as f64 * 1.05) as usize;
                        acc.starts.reserve(want.saturating_sub(acc.starts.len()));
                    }
                }
                coder.join().unwrap_or_else(|_| {
                    Err(Error::Internal("stage events: the id coder stopped".into()))
                })
            });
            let (coder, missing) = coded?;
            let ids = coder.into_ids();
            *extra_ids = if index.is_some() {
                ids.pick(&missing)
            } else {
                ids
            };
            acc
        }
    };
    Ok(acc.finish(n_rows + extra_ids.len()))
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
        let file = crate::load::pq::PqFile::open(&path).unwrap();
        let n_groups = file.group_rows().len();
        assert_eq!(n_groups, 5);
        // The groups in batches of one and of two groups.
        for step in [1, 2] {
            let mut coder = IdCoder::default();
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
