//! The deals of an input, with their stage events, as compact columns: what the funnel,
//! bottleneck and scorecard metrics loop over. Deals that appear only in the stage history (a
//! history export without a deals table) get indexes after the deals table's rows.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::engine::{self, Coded, EventIndex, NONE, Pipelines};
use super::paths::{self, Event, Path, Pos};
use super::source::ColumnSource;
use crate::error::Result;
use crate::model::Status;

/// Where a deal's path came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Basis {
    History,
    Implied,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::History => "history",
            Basis::Implied => "implied",
        }
    }
}

/// Where a deal set's deals columns come from.
pub enum DealCols<'a> {
    /// A frame: the columns the set copies are taken out of it (except `keep`), each freed
    /// once copied, so the copies reuse that memory.
    Frame {
        df: &'a mut DataFrame,
        keep: &'a [&'a str],
    },
    /// A DIR's deals file, decoded group by group straight into the set's columns: no frame
    /// and no copies. Only the columns in `cols` are read (a command that needs no deal ids
    /// or expected close dates leaves out a million of them).
    Parquet {
        file: &'a dyn ColumnSource,
        cols: &'a [&'a str],
    },
}

/// The deals columns a set keeps, in their final form.
struct DealCols9 {
    pipeline: Coded,
    stage: Coded,
    status: Coded,
    currency: Coded,
    amount: engine::Amounts,
    created: engine::Times,
    closed: engine::Times,
    stage_entered: engine::Times,
    expected_close: engine::Times,
}

pub struct DealSet {
    /// Deal ids of the deals table's rows (None: the table has no deal_id column).
    row_ids: Option<StringChunked>,
    /// Ids seen only in the events: deals `n_rows..`.
    extra_ids: engine::Ids,
    /// Rows of the deals table (0 when the input has only stage events).
    pub n_rows: usize,
    pub pipeline: Coded,
    pub stage: Coded,
    pub(crate) status: Vec<Option<Status>>,
    pub(crate) amount: engine::Amounts,
    pub currency: Coded,
    pub(crate) created: engine::Times,
    pub(crate) closed: engine::Times,
    pub stage_entered: engine::Times,
    pub expected_close: engine::Times,
    pub events: EventIndex,
    pub pipelines: Pipelines,
    /// Stage labels of deals that are in no stage list and no outcome, with counts.
    pub unknown_stages: BTreeMap<String, usize>,
    /// Each row's stage column placed in its pipeline (looked up once per distinct pair).
    stage_pos: Vec<Option<Pos>>,
    /// Open stages per pipeline code; the last slot is for deals without a pipeline.
    lists: Vec<Option<Vec<String>>>,
}

/// The deals columns a deal set converts.
const DEAL_COLS: [&str; 9] = [
    "pipeline",
    "stage",
    "status",
    "currency",
    "amount",
    "created_at",
    "closed_at",
    "stage_entered_at",
    "expected_close_at",
];

/// The deal set's columns, converted side by side on both cores (a DIR's columns are also
/// decoded by row group; groups differ in size, and one column's last big group would
/// otherwise leave the other core idle).
fn decode_cols(
    coded: &(dyn Fn(&str) -> Result<Coded> + Sync),
    times: &(dyn Fn(&str) -> Result<engine::Times> + Sync),
    amount: &(dyn Fn() -> Result<engine::Amounts> + Sync),
) -> Result<DealCols9> {
    let ((pipeline, stage), (status, currency)) = rayon::join(
        || rayon::join(|| coded("pipeline"), || coded("stage")),
        || rayon::join(|| coded("status"), || coded("currency")),
    );
    let ((amount, created), (closed, (stage_entered, expected_close))) = rayon::join(
        || rayon::join(amount, || times("created_at")),
        || {
            rayon::join(
                || times("closed_at"),
                || rayon::join(|| times("stage_entered_at"), || times("expected_close_at")),
            )
        },
    );
    Ok(DealCols9 {
        pipeline: pipeline?,
        stage: stage?,
        status: status?,
        currency: currency?,
        amount: amount?,
        created: created?,
        closed: closed?,
        stage_entered: stage_entered?,
        expected_close: expected_close?,
    })
}

impl DealSet {
    /// Build from the deals frame and/or the stage events frame.
    pub fn build(
        deals: Option<&DataFrame>,
        events: Option<engine::EventRows>,
        pipelines: Pipelines,
    ) -> Result<DealSet> {
        let mut d = deals.cloned().unwrap_or_else(DataFrame::empty);
        // A clone shares the columns: nothing is freed by taking them from it.
        Self::build_taking(&mut d, &[], events, pipelines)
    }

    /// [`DealSet::build`] that takes the columns it copies out of `deals` (except those in
    /// `keep`), each freed once copied: the copies then reuse that memory rather than touching
    /// fresh pages.
    pub fn build_taking(
        deals: &mut DataFrame,
        keep: &[&str],
        events: Option<engine::EventRows>,
        pipelines: Pipelines,
    ) -> Result<DealSet> {
        Self::build_from(DealCols::Frame { df: deals, keep }, events, pipelines)
    }

    /// Build from the deals columns of `src` and/or the stage events.
    pub fn build_from(
        src: DealCols,
        events: Option<engine::EventRows>,
        pipelines: Pipelines,
    ) -> Result<DealSet> {
        let t_code = crate::timing::span("deal set: code deals");
        let (n_rows, row_ids, c) = match src {
            DealCols::Frame { df, keep } => Self::frame_cols(df, keep)?,
            DealCols::Parquet { file, cols } => Self::parquet_cols(file, cols)?,
        };
        let DealCols9 {
            pipeline,
            stage,
            status: status_c,
            currency,
            amount,
            created,
            closed,
            stage_entered,
            expected_close,
        } = c;
        let status_of: Vec<Option<Status>> = status_c
            .values
            .iter()
            .map(|v| engine::status_of(Some(v)))
            .collect();
        let status = status_c
            .codes
            .iter()
            .map(|&c| {
                if c == NONE {
                    None
                } else {
                    status_of[c as usize]
                }
            })
            .collect();
        let mut lists: Vec<Option<Vec<String>>> = pipeline
            .values
            .iter()
            .map(|p| pipelines.stages(p).cloned())
            .collect();
        lists.push(pipelines.stages("default").cloned());
        // Stage label -> position once per (pipeline, stage) pair.
        let mut memo = engine::SlotMemo::new(lists.len(), stage.values.len());
        let stage_pos: Vec<Option<Pos>> = (0..n_rows)
            .map(|i| {
                let (pc, sc) = (pipeline.codes[i], stage.codes[i]);
                if sc == NONE {
                    return None;
                }
                let slot = if pc == NONE {
                    lists.len() - 1
                } else {
                    pc as usize
                };
                memo.get(slot, sc, || {
                    let st = lists[slot].as_deref().unwrap_or(&[]);
                    pipelines.pos(st, &stage.values[sc as usize])
                })
            })
            .collect();
        drop(t_code);
        let mut extra_ids = engine::Ids::empty();
        let ev = match events {
            Some(e) => engine::index_events(
                e,
                row_ids.as_ref(),
                n_rows,
                &mut extra_ids,
                &pipelines,
                &pipeline,
            )?,
            None => EventIndex {
                offsets: vec![0; n_rows + 1],
                ..EventIndex::default()
            },
        };
        let mut set = DealSet {
            row_ids,
            extra_ids,
            n_rows,
            pipeline,
            stage,
            status,
            amount,
            currency,
            created,
            closed,
            stage_entered,
            expected_close,
            events: ev,
            pipelines,
            unknown_stages: BTreeMap::new(),
            stage_pos,
            lists,
        };
        if set.events.offsets.len() < set.len() + 1 {
            let last = *set.events.offsets.last().unwrap_or(&0);
            set.events.offsets.resize(set.len() + 1, last);
        }
        let mut unknown: BTreeMap<u32, usize> = BTreeMap::new();
        for i in 0..n_rows {
            if set.current(i).is_none() && set.stage.codes[i] != NONE {
                *unknown.entry(set.stage.codes[i]).or_default() += 1;
            }
        }
        set.unknown_stages = unknown
            .into_iter()
            .map(|(c, n)| (set.stage.values[c as usize].clone(), n))
            .collect();
        Ok(set)
    }

    /// The deal set's columns from a frame, taken out of it (except `keep`).
    fn frame_cols(
        d: &mut DataFrame,
        keep: &[&str],
    ) -> Result<(usize, Option<StringChunked>, DealCols9)> {
        let n_rows = d.height();
        let row_ids = if engine::has(d, "deal_id") {
            Some(
                d.column("deal_id")?
                    .as_materialized_series()
                    .cast(&DataType::String)?
                    .str()?
                    .clone(),
            )
        } else {
            None
        };
        // Each column is taken out of the frame (kept ones: shared) into a one-column frame
        // that the conversion below drops once copied.
        let mut taken: std::collections::HashMap<&str, DataFrame> = Default::default();
        for name in DEAL_COLS {
            let c = if keep.contains(&name) {
                d.column(name).ok().cloned()
            } else {
                d.drop_in_place(name).ok()
            };
            if let Some(c) = c {
                taken.insert(name, DataFrame::new(n_rows, vec![c])?);
            }
        }
        let taken = std::sync::Mutex::new(taken);
        let one = |name: &str| {
            taken
                .lock()
                .ok()
                .and_then(|mut t| t.remove(name))
                .unwrap_or_else(|| DataFrame::empty_with_height(n_rows))
        };
        let cols = decode_cols(
            &|name| engine::coded(&one(name), name),
            &|name| engine::times(&one(name), name),
            &|| engine::amounts(&one("amount"), "amount"),
        )?;
        Ok((n_rows, row_ids, cols))
    }

    /// The deal set's columns decoded from a DIR's deals file group by group, straight into
    /// their final form (a column of another type than the DIR writes goes through a frame).
    fn parquet_cols(
        file: &dyn ColumnSource,
        cols: &[&str],
    ) -> Result<(usize, Option<StringChunked>, DealCols9)> {
        let n_rows = file.rows();
        let all = 0..file.group_rows().len();
        let has = |name: &str| cols.contains(&name) && file.has(name);
        let row_ids = if has("deal_id") {
            let f = file.read(&["deal_id"], all.clone())?;
            Some(
                f.column("deal_id")?
                    .as_materialized_series()
                    .cast(&DataType::String)?
                    .str()?
                    .clone(),
            )
        } else {
            None
        };
        let frame = |name: &str| file.read(&[name], all.clone());
        let coded = |name: &str| -> Result<Coded> {
            if !has(name) {
                return Ok(Coded {
                    codes: vec![NONE; n_rows],
                    values: vec![],
                });
            }
            match file.codes(name, NONE)? {
                Some((codes, values)) => Ok(Coded { codes, values }),
                None => engine::coded(&frame(name)?, name),
            }
        };
        let times = |name: &str| -> Result<engine::Times> {
            if !has(name) {
                return Ok(engine::Times::default());
            }
            match file.millis(name, engine::Times::NULL)? {
                Some(v) => Ok(engine::Times::from_vec(v)),
                None => engine::times(&frame(name)?, name),
            }
        };
        let amount = || -> Result<engine::Amounts> {
            if !has("amount") {
                return Ok(engine::Amounts::default());
            }
            match file.floats("amount")? {
                Some(v) => Ok(engine::Amounts::from_vec(v)),
                None => engine::amounts(&frame("amount")?, "amount"),
            }
        };
        Ok((n_rows, row_ids, decode_cols(&coded, &times, &amount)?))
    }

    /// Deal index by id (a repeated id: its last row).
    pub fn id_index(&self) -> foldhash::HashMap<&str, usize> {
        let mut m: foldhash::HashMap<&str, usize> = Default::default();
        m.reserve(self.len());
        if let Some(c) = &self.row_ids {
            for (i, v) in c.iter().enumerate() {
                if let Some(v) = v {
                    m.insert(v, i);
                }
            }
        }
        for (i, v) in self.extra_ids.column().iter().enumerate() {
            if let Some(v) = v {
                m.insert(v, self.n_rows + i);
            }
        }
        m
    }

    pub fn len(&self) -> usize {
        self.n_rows + self.extra_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Deal `d`'s id (`#rowN` for a row without one).
    pub fn id(&self, d: usize) -> String {
        if d < self.n_rows {
            match self.row_ids.as_ref().and_then(|c| c.get(d)) {
                Some(s) => s.to_string(),
                None => format!("#row{d}"),
            }
        } else {
            self.extra_ids
                .get(d - self.n_rows)
                .map(str::to_string)
                .unwrap_or_default()
        }
    }

    /// The deal's pipeline name ("default" when none).
    pub fn pipeline_name(&self, d: usize) -> &str {
        if d < self.n_rows {
            self.pipeline.get(d).unwrap_or("default")
        } else {
            "default"
        }
    }

    /// The deal's pipeline slot: its pipeline's code, or the last slot (no pipeline: the
    /// "default" stage list). Slots number `0..n_slots()`.
    pub fn slot(&self, d: usize) -> usize {
        let c = if d < self.n_rows {
            self.pipeline.codes[d]
        } else {
            NONE
        };
        if c == NONE {
            self.lists.len() - 1
        } else {
            c as usize
        }
    }

    pub fn n_slots(&self) -> usize {
        self.lists.len()
    }

    /// A slot's pipeline name ("default" for the last).
    pub fn slot_name(&self, slot: usize) -> &str {
        self.pipeline
            .values
            .get(slot)
            .map_or("default", String::as_str)
    }

    /// A slot's open stages.
    pub fn slot_stages(&self, slot: usize) -> Option<&Vec<String>> {
        self.lists[slot].as_ref()
    }

    /// The deal's open stages.
    pub fn stages(&self, d: usize) -> Option<&Vec<String>> {
        self.lists[self.slot(d)].as_ref()
    }

    pub fn events(&self, d: usize) -> &[Event] {
        self.events.of(d)
    }

    /// The deal's current position: the status column decides won / lost / invalid, the stage
    /// column the open stage; deals known only from events take their last event.
    pub fn current(&self, d: usize) -> Option<Pos> {
        if d < self.n_rows {
            match self.status[d] {
                Some(Status::Won) => return Some(Pos::Won),
                Some(Status::Lost) => return Some(Pos::Lost),
                Some(Status::Invalid) => return Some(Pos::Invalid),
                _ => {}
            }
            return self.stage_pos[d];
        }
        self.events(d).last().map(|e| e.pos)
    }

    /// Status: the column, else the position, else the last event.
    pub fn status(&self, d: usize) -> Option<Status> {
        if d < self.n_rows {
            if let Some(s) = self.status[d] {
                return Some(s);
            }
        }
        match self.current(d)? {
            Pos::Open(_) => Some(Status::Open),
            Pos::Won => Some(Status::Won),
            Pos::Lost => Some(Status::Lost),
            Pos::Invalid => Some(Status::Invalid),
        }
    }

    /// The open stage a lost deal's stage column still shows (Pipedrive, Odoo keep it).
    fn lost_from_column(&self, d: usize) -> Option<usize> {
        if d >= self.n_rows {
            return None;
        }
        match self.stage_pos[d]? {
            Pos::Open(k) => Some(k as usize),
            _ => None,
        }
    }

    /// Created: the deals table's created_at, else the first event.
    pub fn created_at(&self, d: usize) -> Option<i64> {
        if d < self.n_rows {
            if let Some(c) = self.created.get(d) {
                return Some(c);
            }
        }
        self.events(d).first().map(|e| e.at)
    }

    pub fn closed_at(&self, d: usize) -> Option<i64> {
        if d < self.n_rows {
            if let Some(c) = self.closed.get(d) {
                return Some(c);
            }
        }
        self.events(d)
            .iter()
            .rev()
            .find(|e| !matches!(e.pos, Pos::Open(_)))
            .map(|e| e.at)
    }

    pub fn amount(&self, d: usize) -> Option<f64> {
        if d < self.n_rows {
            self.amount.get(d)
        } else {
            None
        }
    }

    pub fn currency(&self, d: usize) -> &str {
        if d < self.n_rows {
            self.currency.get(d).unwrap_or("")
        } else {
            ""
        }
    }

    /// The deal's path: from its events when it has any, else implied from its current stage.
    /// The bool says a lost deal was placed at the first stage for lack of history.
    pub fn path(&self, d: usize, window_end: Option<i64>) -> (Path, Basis, bool) {
        let n_open = self.stages(d).map_or(0, Vec::len);
        let ev = self.events(d);
        if !ev.is_empty() {
            return (
                paths::from_events(ev, n_open, window_end),
                Basis::History,
                false,
            );
        }
        let cur = self.current(d);
        // A windowed implied path: the won outcome counts only when closed within the window.
        let cur = match (cur, window_end) {
            (Some(Pos::Won), Some(w)) if self.closed_at(d).is_none_or(|c| c > w) => {
                Some(Pos::Open(n_open.saturating_sub(1) as u16))
            }
            (c, _) => c,
        };
        let (p, first) = paths::implied(cur, self.lost_from_column(d), n_open);
        (p, Basis::Implied, first)
    }

    /// Code of a grouping column of the deals table for every deal (event-only deals: NONE).
    pub fn group_codes(&self, col: &Coded) -> Vec<u32> {
        (0..self.len())
            .map(|d| if d < self.n_rows { col.codes[d] } else { NONE })
            .collect()
    }
}

#[cfg(test)]
mod tests;
