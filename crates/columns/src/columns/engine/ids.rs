//! Deal ids coded: an arena of id texts and the coder that numbers them, eager or as the
//! column is read.

use super::*;

/// [`coded`] for an id column of millions of values: the values come back as a text column
/// that shares the input's buffers (no million small strings).
pub fn coded_ids(df: &DataFrame, name: &str) -> Result<(Vec<u32>, StringChunked)> {
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

impl IdSrc {
    pub(super) fn len(&self) -> usize {
        match self {
            IdSrc::Column(c) => c.len(),
            IdSrc::Arena(a) => a.len(),
        }
    }

    pub(super) fn get(&self, i: usize) -> Option<&str> {
        match self {
            IdSrc::Column(c) => c.get(i),
            IdSrc::Arena(a) => a.text(i),
        }
    }
}

impl IdArena {
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(super) fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.bytes[start..end])
    }

    pub(super) fn text(&self, i: usize) -> Option<&str> {
        std::str::from_utf8(self.get(i)?).ok()
    }

    pub(super) fn push(&mut self, t: &str) -> u32 {
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
    pub(crate) fn of(ca: StringChunked) -> Ids {
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
    pub(crate) fn column(&self) -> &StringChunked {
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
    pub(crate) fn pick(&self, pick: &[IdxSize]) -> Ids {
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

impl IdCoder {
    pub(super) fn hash(t: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        foldhash::fast::FixedState::with_seed(HASH_SEED).hash_one(t)
    }

    /// Id `c` (a code this coder gave) as bytes: compared and hashed without re-checking UTF-8.
    pub(super) fn id(&self, c: usize) -> &[u8] {
        self.ids.get(c).unwrap_or_default()
    }

    /// Id `c` as text.
    pub(super) fn text(&self, c: usize) -> &str {
        self.ids.text(c).unwrap_or_default()
    }

    /// Place code `c` in the table (which has room).
    pub(super) fn place(&mut self, c: usize) {
        let mask = self.table.len() - 1;
        let mut i = Self::hash(self.id(c)) as usize & mask;
        while self.table[i] != 0 {
            i = (i + 1) & mask;
        }
        self.table[i] = c as u32 + 1;
    }

    /// A table of twice the ids' count (rounded up to a power of two), all ids placed.
    pub(super) fn rebuild(&mut self, room: usize) {
        self.table = vec![0; (room * 2).next_power_of_two().max(1024)];
        for c in 0..self.ids.len() {
            self.place(c);
        }
    }

    /// The code of `t`, a new one when it was not seen before (hash mode).
    pub(super) fn lookup(&mut self, t: &str) -> u32 {
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
    pub(super) fn code_text(&mut self, t: &str) -> u32 {
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
    pub(crate) fn code(&mut self, ca: &StringChunked) -> Vec<u32> {
        let mut codes = Vec::with_capacity(ca.len());
        for arr in ca.downcast_iter() {
            self.code_views(arr, &mut codes);
        }
        codes
    }

    /// Codes of one batch's ids given as row-group chunks (a DIR's deal_id column).
    pub fn code_chunks(
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

    pub(super) fn code_views(&mut self, arr: &Utf8ViewArray, codes: &mut Vec<u32>) {
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
    pub(super) fn code_dict(
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

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.len() == 0
    }

    /// Room for the ids of `total` rows, judged from the ids of the `seen` rows coded so far
    /// (a buffer that doubles its way to tens of MB touches twice the memory).
    pub(crate) fn expect(&mut self, seen: usize, total: usize) {
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
    pub fn into_ids(self) -> Ids {
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
