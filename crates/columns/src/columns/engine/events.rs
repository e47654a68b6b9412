//! Stage events indexed per deal: read in batches, their deals and stages coded, each deal's
//! visits sorted into one slice.

use super::*;

impl SlotMemo {
    pub(crate) fn new(n_slots: usize, n_stage: usize) -> SlotMemo {
        SlotMemo {
            n_stage,
            row_of_slot: vec![NONE; n_slots],
            cells: Vec::new(),
        }
    }

    /// Where slot `slot`'s positions start in `cells` (made the first time).
    pub(crate) fn row(&mut self, slot: usize) -> usize {
        if self.row_of_slot[slot] == NONE {
            self.row_of_slot[slot] = (self.cells.len() / self.n_stage.max(1)) as u32;
            self.cells.resize(self.cells.len() + self.n_stage, None);
        }
        self.row_of_slot[slot] as usize * self.n_stage
    }

    /// The position of stage `sc` in slot `slot`, from `place` the first time.
    pub(crate) fn get(
        &mut self,
        slot: usize,
        sc: u32,
        place: impl FnOnce() -> Option<Pos>,
    ) -> Option<Pos> {
        let row = self.row(slot);
        *self.cells[row + sc as usize].get_or_insert_with(place)
    }
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
    pub fn coded_ahead(mut self) -> Result<EventBatch> {
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

/// A text column given as row-group chunks, coded: each chunk's dictionary is coded once
/// (codes in order of first sight among the dictionaries, not among the rows), then each row
/// is a look-up by key.
pub(super) fn coded_chunks(
    chunks: &[crate::columns::source::TextChunk],
    col: &str,
) -> Result<Coded> {
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
    pub(super) fn of_batch(b: &EventBatch) -> Result<EventCols> {
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

    pub(super) fn of(ev: &DataFrame) -> Result<EventCols> {
        EventCols::of_with(ev, coded(ev, "stage")?)
    }

    pub(super) fn of_with(ev: &DataFrame, stage: Coded) -> Result<EventCols> {
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

impl DealOfCode<'_> {
    pub(super) fn get(&self, c: u32) -> usize {
        match self {
            DealOfCode::Offset(n) => n + c as usize,
            DealOfCode::Map(m) => m[c as usize],
        }
    }
}

impl EventAcc {
    pub(super) fn new(rows: usize) -> EventAcc {
        EventAcc {
            events: Vec::with_capacity(rows),
            in_order: true,
            ..Default::default()
        }
    }

    /// Place one batch's rows: each kept event's deal, time and stage position.
    pub(super) fn visit(
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
    pub(super) fn finish(self, n_deals: usize) -> EventIndex {
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

impl Visit<'_> {
    /// Row `i` with no time of its own: the middle of its bounds when it has both.
    pub(super) fn row_or_bounds(&mut self, i: usize, t: Option<i64>) {
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
    pub(super) fn row(&mut self, i: usize, t: i64) {
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
    pub(super) fn resolve(&mut self, sc: u32) -> Option<Pos> {
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
    pub(super) fn out_of_order(&mut self) {
        self.in_order = false;
        self.deal_of.reserve(self.events.capacity());
        for (k, w) in self.starts.iter().enumerate() {
            let end = self.starts.get(k + 1).copied().unwrap_or(self.events.len());
            self.deal_of.extend(std::iter::repeat_n(k as u32, end - w));
        }
    }
}

/// A deals table's ids -> row (a repeated id means its last row, as a map built in order).
pub(super) fn row_index(rows: &StringChunked) -> HashMap<&str, usize> {
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
pub(super) fn map_ids<'a>(
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
pub(super) fn code_batches(
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
pub(super) fn batch_ids(df: &DataFrame) -> Result<Option<StringChunked>> {
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
pub fn index_events(
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
