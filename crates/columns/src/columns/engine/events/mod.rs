//! Stage events indexed per deal: read in batches, their deals and stages coded, each deal's
//! visits sorted into one slice.

use super::*;

mod batches;
mod visits;

pub use batches::*;

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
