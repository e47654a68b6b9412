//! Stage win probabilities (METRICS.md): of the closed deals that reached a stage, the share
//! won, per pipeline; and the probability of an open deal's current stage.

use super::*;

/// Which win rate (`--win-rate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WinRate {
    /// won / (won + lost), closed in the period.
    #[default]
    Closed,
    /// won / deals created in the period (open included).
    Created,
    /// won amount / (won + lost amount).
    Value,
}

impl WinRate {
    pub fn parse(s: &str) -> Option<WinRate> {
        match s {
            "closed" => Some(WinRate::Closed),
            "created" => Some(WinRate::Created),
            "value" => Some(WinRate::Value),
            _ => None,
        }
    }

    pub fn definition(self) -> &'static str {
        match self {
            WinRate::Closed => {
                "win_rate = won / (won + lost) closed in the period, open deals excluded (--win-rate closed)"
            }
            WinRate::Created => {
                "win_rate = deals created in the period and won / deals created in the period (--win-rate created)"
            }
            WinRate::Value => {
                "win_rate = won amount / (won + lost amount) closed in the period (--win-rate value)"
            }
        }
    }
}

/// How far closed deal `d` went, for stage win probabilities: the last stage row it reached
/// (0-based; the number of open stages when won), whether it was won, and whether the stage a
/// lost deal was lost at is unknown (no open stage in its history, none in its stage column:
/// it is counted at the first stage only). None for a deal not closed or without a stage list.
pub(crate) fn closed_reach(set: &DealSet, d: usize, n_open: usize) -> Option<(usize, bool, bool)> {
    let st = set.status(d);
    if !matches!(st, Some(Status::Won | Status::Lost)) {
        return None;
    }
    let won = st == Some(Status::Won);
    let (path, _, placed_first) = set.path(d, None);
    // A closed deal passed the stages it reached; one whose history holds no open stage
    // (only its outcome, as exports that date the close alone give) passed every stage
    // when won and at least the first when lost, as an implied path places it.
    Some(match (path.reached, won) {
        (Some(r), _) => (r, won, placed_first && !won),
        (None, true) => (n_open, true, false),
        (None, false) => (0, false, true),
    })
}

/// Stage win probability per pipeline: for each open stage, (won, closed) among the deals that
/// reached it (from history, or implied). The one definition shared by scorecard and forecast.
pub fn stage_win_probability(set: &DealSet) -> WinProbability {
    // Counted per pipeline slot, named at the end (no text compared per deal).
    let mut slots: Vec<Option<Vec<(u64, u64)>>> = vec![None; set.n_slots()];
    let mut lost_at_unknown_stage = 0;
    for d in 0..set.len() {
        let slot = set.slot(d);
        let Some(stages) = set.slot_stages(slot) else {
            continue;
        };
        let Some((r, won, unknown)) = closed_reach(set, d, stages.len()) else {
            continue;
        };
        lost_at_unknown_stage += unknown as u64;
        let v = slots[slot].get_or_insert_with(|| vec![(0, 0); stages.len()]);
        for x in v.iter_mut().take(r + 1) {
            x.1 += 1;
            x.0 += won as u64;
        }
    }
    let mut by_pipeline: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
    for (slot, v) in slots.into_iter().enumerate() {
        let Some(v) = v else { continue };
        // A pipeline named "default" shares the deals without one's stage list.
        let e = by_pipeline
            .entry(set.slot_name(slot).to_string())
            .or_insert_with(|| vec![(0, 0); v.len()]);
        for (a, b) in e.iter_mut().zip(v) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }
    WinProbability {
        by_pipeline,
        lost_at_unknown_stage,
    }
}

/// Some open deal of `set` is past its pipeline's first stage: the stages whose win
/// probability lost deals at an unknown stage leave out (they count at the first only).
pub fn open_past_first_stage(set: &DealSet) -> bool {
    (0..set.len()).any(|d| matches!(set.current(d), Some(Pos::Open(k)) if k > 0))
}

/// [`stage_win_probability`] per pipeline slot of `set` (what the loops over deals look up).
pub(crate) fn win_probability_by_slot<'a>(
    winp: &'a WinProbability,
    set: &DealSet,
) -> Vec<Option<&'a Vec<(u64, u64)>>> {
    (0..set.n_slots())
        .map(|slot| winp.by_pipeline.get(set.slot_name(slot)))
        .collect()
}

/// The qualified stage's index per pipeline slot (None: the slot has no stage list, or not
/// the named stage).
pub(crate) fn qualified_by_slot(set: &DealSet, stage: Option<&str>) -> Vec<Option<usize>> {
    (0..set.n_slots())
        .map(|slot| {
            let stages = set.slot_stages(slot)?;
            match stage {
                Some(s) => stages
                    .iter()
                    .position(|x| x.trim().eq_ignore_ascii_case(s.trim())),
                None => Some(1.min(stages.len().saturating_sub(1))),
            }
        })
        .collect()
}

/// Stage win probabilities per pipeline, as [`stage_win_probability`] gives them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WinProbability {
    /// Per pipeline name, per open stage: (won, closed) among the closed deals that reached it.
    pub(crate) by_pipeline: BTreeMap<String, Vec<(u64, u64)>>,
    /// Lost deals counted at the first stage only because the stage they were lost at is
    /// unknown: the later stages' probabilities leave them out, so read high.
    pub lost_at_unknown_stage: u64,
}

/// The win probability of deal `d`'s current open stage (None for a closed deal or a stage
/// no closed deal reached).
pub(crate) fn deal_win_probability(winp: &WinProbability, set: &DealSet, d: usize) -> Option<f64> {
    slot_win_probability(winp.by_pipeline.get(set.pipeline_name(d)), set, d)
}

/// [`deal_win_probability`] given the deal's pipeline's probabilities.
pub(crate) fn slot_win_probability(
    v: Option<&Vec<(u64, u64)>>,
    set: &DealSet,
    d: usize,
) -> Option<f64> {
    match set.current(d) {
        Some(Pos::Open(k)) => v
            .and_then(|v| v.get(k as usize))
            .and_then(|&(w, n)| (n > 0).then(|| w as f64 / n as f64)),
        _ => None,
    }
}
