//! Canonical frames turned into the compact, dictionary-coded columns the metrics loop over:
//! text as u32 codes, datetimes as epoch milliseconds, each deal's events as one sorted slice.
//! Pure: frames in, vectors out.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use polars::prelude::*;

use super::paths::{Event, Pos};
use crate::error::{Error, Result};
use crate::model::Status;
use crate::model::pipeline::Outcomes;

/// Null in a coded column.
pub const NONE: u32 = u32::MAX;

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
pub fn coded(df: &DataFrame, name: &str) -> Result<Coded> {
    let Ok(c) = df.column(name) else {
        return Ok(Coded {
            codes: vec![NONE; df.height()],
            values: vec![],
        });
    };
    let s = c.as_materialized_series().cast(&DataType::String)?;
    let ca = s.str()?;
    let mut map: HashMap<&str, u32> = HashMap::new();
    let mut values = Vec::new();
    let mut codes = Vec::with_capacity(ca.len());
    // Equal values often come in runs (an ingested DIR keeps each deal's events together): a
    // value equal to the previous one takes its code without a hash lookup.
    let mut last: Option<(&str, u32)> = None;
    for v in ca.iter() {
        codes.push(match v {
            None => NONE,
            Some(t) => match last {
                Some((l, c)) if l == t => c,
                _ => {
                    let c = *map.entry(t).or_insert_with(|| {
                        values.push(t.to_string());
                        (values.len() - 1) as u32
                    });
                    last = Some((t, c));
                    c
                }
            },
        });
    }
    Ok(Coded { codes, values })
}

/// A datetime column as epoch milliseconds (None for null or a missing column).
pub fn millis(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    let Ok(c) = df.column(name) else {
        return Ok(vec![None; df.height()]);
    };
    let s = c.as_materialized_series();
    let s = match s.dtype() {
        DataType::Datetime(_, _) => s
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?
            .cast(&DataType::Int64)?,
        DataType::Date => s.cast(&DataType::Int64)? * 86_400_000i64,
        _ => s.cast(&DataType::Int64)?,
    };
    Ok(s.i64()?.iter().collect())
}

/// A numeric column as f64 (None for null or a missing column).
pub fn floats(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
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
pub fn status_of(v: Option<&str>) -> Option<Status> {
    match v? {
        "open" => Some(Status::Open),
        "won" => Some(Status::Won),
        "lost" => Some(Status::Lost),
        "invalid" => Some(Status::Invalid),
        _ => None,
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

/// Group stage events by deal. `deal_of` maps an event's deal id to a deal index (new ids get
/// fresh indexes, appended to `ids`); `deal_pipe` codes each known deal's pipeline (names in
/// `deal_pipe_names`), used when the events carry no pipeline of their own.
pub fn index_events(
    ev: &DataFrame,
    deal_ids: &mut Vec<String>,
    pipelines: &Pipelines,
    deal_pipe: &Coded,
) -> Result<EventIndex> {
    let t_code = crate::timing::span("deal set: code events");
    // The deal ids (millions of distinct strings) on one thread, the rest on the other.
    let (ids, rest) = rayon::join(
        || coded(ev, "deal_id"),
        || -> Result<(Coded, Coded, Vec<Option<i64>>)> {
            Ok((
                coded(ev, "stage")?,
                coded(ev, "pipeline")?,
                millis(ev, "entered_at")?,
            ))
        },
    );
    let ids = ids?;
    let (stage, pipe, mut at) = rest?;
    drop(t_code);
    let mut mids = 0;
    if has(ev, "entered_at_min") && has(ev, "entered_at_max") {
        let lo = millis(ev, "entered_at_min")?;
        let hi = millis(ev, "entered_at_max")?;
        for i in 0..at.len() {
            if at[i].is_none() {
                if let (Some(a), Some(b)) = (lo[i], hi[i]) {
                    at[i] = Some(a + (b - a) / 2);
                    mids += 1;
                }
            }
        }
    }
    // Map each id code to a deal index once. Without a deals table the id codes are the deal
    // indexes (a history export of a million deals: no second map of a million strings).
    let code_to_deal: Vec<usize> = if deal_ids.is_empty() {
        deal_ids.extend(ids.values.iter().cloned());
        (0..ids.values.len()).collect()
    } else {
        let mut index: HashMap<String, usize> = deal_ids
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i))
            .collect();
        let mut code_to_deal = Vec::with_capacity(ids.values.len());
        for v in &ids.values {
            let d = match index.get(v) {
                Some(&d) => d,
                None => {
                    deal_ids.push(v.clone());
                    index.insert(v.clone(), deal_ids.len() - 1);
                    deal_ids.len() - 1
                }
            };
            code_to_deal.push(d);
        }
        code_to_deal
    };
    // Stage label -> position, per (pipeline code, stage code).
    let mut cache: HashMap<(u32, u32), Option<Pos>> = HashMap::new();
    let mut unknown: BTreeMap<String, usize> = BTreeMap::new();
    let mut rows: Vec<(u32, i64, u16, Pos)> = Vec::with_capacity(ev.height());
    let mut n_open_of: HashMap<u32, usize> = HashMap::new();
    let mut won_codes: HashMap<u32, usize> = HashMap::new();
    for i in 0..ev.height() {
        let (idc, sc, pc) = (ids.codes[i], stage.codes[i], pipe.codes[i]);
        let (Some(t), true, true) = (at[i], idc != NONE, sc != NONE) else {
            continue;
        };
        let d = code_to_deal[idc as usize];
        // The event's own pipeline, else its deal's.
        let (key, pname) = if pc != NONE {
            (pc, pipe.values[pc as usize].as_str())
        } else {
            let dc = deal_pipe.codes.get(d).copied().unwrap_or(NONE);
            let name = if dc == NONE {
                "default"
            } else {
                deal_pipe.values[dc as usize].as_str()
            };
            (if dc == NONE { NONE - 1 } else { (1 << 31) | dc }, name)
        };
        let pos = *cache.entry((key, sc)).or_insert_with(|| {
            let label = &stage.values[sc as usize];
            pipelines
                .stages(pname)
                .and_then(|st| pipelines.pos(st, label))
                .or_else(|| pipelines.pos(&[], label))
        });
        match pos {
            Some(p) => {
                if p == Pos::Won {
                    *won_codes.entry(sc).or_default() += 1;
                }
                let n_open = *n_open_of
                    .entry(key)
                    .or_insert_with(|| pipelines.stages(pname).map_or(0, Vec::len));
                rows.push((d as u32, t, p.order(n_open) as u16, p));
            }
            None => {
                *unknown
                    .entry(stage.values[sc as usize].clone())
                    .or_default() += 1
            }
        }
    }
    let _t = crate::timing::span("deal set: order events");
    rows.sort_unstable_by_key(|r| (r.0, r.1, r.2));
    let mut offsets = vec![0usize; deal_ids.len() + 1];
    for r in &rows {
        offsets[r.0 as usize + 1] += 1;
    }
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
    let events = rows
        .into_iter()
        .map(|r| Event { at: r.1, pos: r.3 })
        .collect();
    let won_labels = won_codes
        .into_iter()
        .map(|(c, n)| (stage.values[c as usize].clone(), n))
        .collect();
    Ok(EventIndex {
        offsets,
        events,
        unknown,
        interval_midpoints: mids,
        won_labels,
    })
}

/// Check a frame has the columns a metric needs; a clear input error otherwise.
pub fn need(df: &DataFrame, table: &str, cols: &[&str]) -> Result<()> {
    for c in cols {
        if !has(df, c) {
            let names: Vec<String> = df
                .get_column_names()
                .iter()
                .map(|n| n.to_string())
                .collect();
            let hint = crate::error::closest(c, names.iter().map(String::as_str))
                .map(|h| format!("; closest: {h:?}"))
                .unwrap_or_default();
            return Err(Error::MissingColumn {
                file: table.to_string(),
                field: c.to_string(),
                why: "this command needs it".into(),
                found: names.join(", "),
                hint: format!("{hint}; map it with --map {c}=HEADER"),
            });
        }
    }
    Ok(())
}
