//! Stage timing and bottlenecks (METRICS.md "Stage timing and bottlenecks"): time in stage with
//! open deals censored at as-of (Kaplan-Meier), stage age, SLA breaches, stuck deals, lost
//! reasons.

use std::collections::BTreeMap;

use super::stats::{kaplan_meier, km_quantile};
use crate::columns::deals::DealSet;
use crate::columns::paths::{self, Pos};
use crate::model::Status;

pub(crate) const DAY_MS: f64 = 86_400_000.0;

#[derive(Debug, Clone, Default)]
pub struct Params {
    /// epoch ms of as-of (end of the as-of day: open visits are censored there).
    pub as_of_ms: i64,
    /// Sum repeat visits to a stage (HubSpot's cumulative time) instead of the latest visit.
    pub cumulative: bool,
    /// Only these deals (e.g. created in the period); None = all.
    pub include: Option<Vec<bool>>,
}

/// Time in one stage of one pipeline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageTime {
    /// Visits observed (ended or censored).
    pub n: usize,
    /// Visits that ended (events for Kaplan-Meier).
    pub ended: usize,
    pub median: Option<f64>,
    pub p75: Option<f64>,
    pub p90: Option<f64>,
    /// The longest time observed (ended or censored): the bound when a quantile is undefined.
    pub max_observed: Option<f64>,
}

/// Time-in-stage observations (days, ended?) per stage of a pipeline with `n_open` open stages,
/// for the deals `members` (the callers bucket deals by pipeline and group once).
pub fn observations(
    set: &DealSet,
    members: &[usize],
    n_open: usize,
    p: &Params,
) -> Vec<Vec<(f64, bool)>> {
    let mut obs: Vec<Vec<(f64, bool)>> = vec![Vec::new(); n_open];
    for &d in members {
        if p.include.as_ref().is_some_and(|v| !v[d]) {
            continue;
        }
        let ev = set.events(d);
        let open = set.status(d) == Some(Status::Open);
        if ev.is_empty() {
            // No history: the current stage of an open deal, censored at as-of.
            if let (true, Some(Pos::Open(k)), Some(t)) =
                (open, set.current(d), set.stage_entered.get(d))
            {
                obs[k as usize].push((((p.as_of_ms - t) as f64 / DAY_MS).max(0.0), false));
            }
            continue;
        }
        let mut per_stage: BTreeMap<usize, (f64, bool)> = BTreeMap::new();
        for v in paths::visits(ev) {
            if v.stage >= n_open {
                continue;
            }
            let (end, ended) = match v.exited {
                Some(x) => (x, true),
                // Still there: censored at as-of (a closed deal without a closing event: its close).
                None => match (open, set.closed_at(d)) {
                    (false, Some(c)) if c >= v.entered => (c, true),
                    _ => (p.as_of_ms.max(v.entered), false),
                },
            };
            let days = (end - v.entered) as f64 / DAY_MS;
            let e = per_stage.entry(v.stage).or_insert((0.0, true));
            if p.cumulative {
                e.0 += days;
                e.1 = ended; // the last visit decides whether the total is complete
            } else {
                *e = (days, ended);
            }
        }
        for (k, o) in per_stage {
            obs[k].push(o);
        }
    }
    obs
}

/// Kaplan-Meier quantiles of each stage's observations.
pub fn stage_times(obs: &[Vec<(f64, bool)>]) -> Vec<StageTime> {
    obs.iter()
        .map(|o| {
            let curve = kaplan_meier(o);
            StageTime {
                n: o.len(),
                ended: o.iter().filter(|x| x.1).count(),
                median: km_quantile(&curve, 0.5),
                p75: km_quantile(&curve, 0.75),
                p90: km_quantile(&curve, 0.9),
                max_observed: o
                    .iter()
                    .map(|x| x.0)
                    .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x)))),
            }
        })
        .collect()
}

/// An open deal's current stage and how long it has been there (days at as-of).
pub fn stage_age(set: &DealSet, d: usize, as_of_ms: i64) -> Option<(usize, f64)> {
    if set.status(d) != Some(Status::Open) {
        return None;
    }
    let Some(Pos::Open(k)) = set.current(d) else {
        return None;
    };
    let ev = set.events(d);
    let entered = match ev.last() {
        Some(e) if e.pos == Pos::Open(k) => Some(e.at),
        _ => None,
    }
    .or_else(|| set.stage_entered.get(d))?;
    Some((k as usize, ((as_of_ms - entered) as f64 / DAY_MS).max(0.0)))
}

/// Lost deals by reason and by the stage they were lost from.
#[derive(Debug, Clone, Default)]
pub struct Reasons {
    /// reason -> (count, amount per currency)
    pub by_reason: BTreeMap<String, (u64, BTreeMap<String, f64>)>,
    /// (pipeline, stage index or None) -> (count, amount per currency)
    pub by_stage: BTreeMap<(String, Option<usize>), (u64, BTreeMap<String, f64>)>,
    pub lost: u64,
}

/// Tally lost deals (closed in the period when `closed_in` is given).
pub fn reasons(
    set: &DealSet,
    reason: &crate::columns::engine::Coded,
    closed_in: Option<(i64, i64)>,
) -> Reasons {
    let mut r = Reasons::default();
    for d in 0..set.len() {
        if set.status(d) != Some(Status::Lost) {
            continue;
        }
        if let Some((a, b)) = closed_in {
            if !set.closed_at(d).is_some_and(|c| c >= a && c < b) {
                continue;
            }
        }
        r.lost += 1;
        let (path, _, first) = set.path(d, None);
        let from = if first { None } else { path.lost_from };
        let why = if d < set.n_rows { reason.get(d) } else { None }
            .unwrap_or("(no reason given)")
            .to_string();
        let cur = set.currency(d).to_string();
        let amt = set.amount(d);
        let e = r.by_reason.entry(why).or_default();
        e.0 += 1;
        if let Some(a) = amt {
            *e.1.entry(cur.clone()).or_default() += a;
        }
        let e = r
            .by_stage
            .entry((set.pipeline_name(d).to_string(), from))
            .or_default();
        e.0 += 1;
        if let Some(a) = amt {
            *e.1.entry(cur).or_default() += a;
        }
    }
    r
}
