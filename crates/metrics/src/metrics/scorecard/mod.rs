//! Rep scorecards (METRICS.md "Win rate, cycle, velocity, pipeline"; "Customers"): one
//! accumulator per rep (or team / region) and one for the whole team, pooled, never averaged.

use crate::model::kpi;
use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use super::stats::{quantile, wilson95};
use crate::columns::deals::DealSet;
use crate::columns::engine::{Coded, NONE};
use crate::columns::paths::Pos;
use crate::model::Status;

pub(crate) const DAY_MS: f64 = 86_400_000.0;

mod kpis;
mod winprob;

pub use kpis::*;
pub use winprob::*;

/// Everything counted for one rep (or the team).
#[derive(Debug, Clone, Default)]
pub struct Acc {
    pub(crate) deals_created: u64,
    pub(crate) created_won: u64,
    pub(crate) won: u64,
    pub(crate) lost: u64,
    pub(crate) open: u64,
    pub won_amount: BTreeMap<String, f64>,
    /// Won deals with an amount, per currency (per-currency averages divide by these).
    pub(crate) won_count: BTreeMap<String, f64>,
    pub lost_amount: BTreeMap<String, f64>,
    pub open_pipeline: BTreeMap<String, f64>,
    pub(crate) weighted_pipeline: BTreeMap<String, f64>,
    /// Open pipeline expected to close in the period (coverage).
    pub closing_in_period: BTreeMap<String, f64>,
    pub(crate) cycles: Vec<f64>,
    /// Won deals closed before they were created: kept out of the cycle statistics.
    pub negative_cycles: u64,
    pub(crate) new_customers: u64,
    pub(crate) open_qualified: u64,
    /// Closed deals with an amount per currency, for the value win rate.
    pub(crate) currencies: BTreeMap<String, ()>,
}

#[derive(Debug, Clone, Default)]
pub struct Params {
    /// [start, end) epoch ms; None = all time.
    pub period: Option<(i64, i64)>,
    pub win_rate: WinRate,
    /// Qualified stage label (default: the second open stage of each pipeline).
    pub qualified_stage: Option<String>,
    /// Owner at close (from history) instead of the current owner.
    pub owner_at_close: Option<Vec<u32>>,
}

fn in_period(p: &Params, t: Option<i64>) -> bool {
    match (p.period, t) {
        (None, _) => true,
        (Some((a, b)), Some(t)) => t >= a && t < b,
        (Some(_), None) => false,
    }
}

/// Accumulate per group code (`group[d]`, NONE = unassigned) and for the whole team. `winp` is
/// [`stage_win_probability`] of the same deal set (computed once by the caller).
pub fn accumulate(
    set: &DealSet,
    group: &[u32],
    account: &Coded,
    p: &Params,
    winp: &WinProbability,
) -> (HashMap<u32, Acc>, Acc) {
    accumulate_split(set, group, account, p, winp, PAR_DEALS)
}

/// [`accumulate`], in two halves from `par_from` deals.
fn accumulate_split(
    set: &DealSet,
    group: &[u32],
    account: &Coded,
    p: &Params,
    winp: &WinProbability,
    par_from: usize,
) -> (HashMap<u32, Acc>, Acc) {
    // New customers: each account's first won deal (all time), credited to that deal's group.
    let mut first_won: HashMap<u32, (i64, usize)> = HashMap::new();
    for d in 0..set.n_rows {
        if set.status(d) == Some(Status::Won) {
            let a = account.codes.get(d).copied().unwrap_or(NONE);
            if a == NONE {
                continue;
            }
            let t = set.closed_at(d).unwrap_or(i64::MAX);
            let e = first_won.entry(a).or_insert((t, d));
            if (t, d) < *e {
                *e = (t, d);
            }
        }
    }
    let _t = crate::timing::span("accumulate: main loop");
    let mut new_cust: Vec<bool> = vec![false; set.len()];
    for (_, (t, d)) in first_won {
        if t != i64::MAX && in_period(p, Some(t)) {
            new_cust[d] = true;
        }
    }
    // Money is summed per currency code (the last slot: no currency), and named at the end.
    let n_cur = set.currency.values.len() + 1;
    let winp_slot = win_probability_by_slot(winp, set);
    let q_slot = qualified_by_slot(set, p.qualified_stage.as_deref());
    // Groups are counted in a table by code (slot 0: no group), made a map at the end.
    let n_groups = group
        .iter()
        .chain(p.owner_at_close.iter().flatten())
        .filter(|&&g| g != NONE)
        .max()
        .map_or(0, |&g| g as usize + 1);
    let run = |deals: std::ops::Range<usize>| -> Part {
        let mut slots: Vec<Option<(Acc, Vec<Money>)>> = vec![None; n_groups + 1];
        let mut team = Acc::default();
        let mut team_money: Vec<Money> = vec![[None; 6]; n_cur];
        for d in deals {
            let g = p
                .owner_at_close
                .as_ref()
                .filter(|_| set.status(d).is_some_and(Status::is_closed))
                .map_or(group[d], |o| if o[d] == NONE { group[d] } else { o[d] });
            let st = set.status(d);
            let created = set.created_at(d);
            let closed = set.closed_at(d);
            let cur = match set.currency.codes.get(d) {
                Some(&c) if c != NONE && d < set.n_rows => c as usize,
                _ => n_cur - 1,
            };
            let amt = set.amount(d);
            let add = |a: &mut Acc, m: &mut [Money]| {
                let m = &mut m[cur];
                if in_period(p, created) {
                    a.deals_created += 1;
                    a.created_won += (st == Some(Status::Won)) as u64;
                }
                match st {
                    Some(Status::Won) if in_period(p, closed) => {
                        a.won += 1;
                        if let Some(x) = amt {
                            add_money(m, WON, x);
                            add_money(m, WON_N, 1.0);
                        }
                        if let (Some(c), Some(o)) = (created, closed) {
                            match cycle_days(c, o) {
                                Some(d) => a.cycles.push(d),
                                None => a.negative_cycles += 1,
                            }
                        }
                    }
                    Some(Status::Lost) if in_period(p, closed) => {
                        a.lost += 1;
                        if let Some(x) = amt {
                            add_money(m, LOST, x);
                        }
                    }
                    Some(Status::Open) => {
                        a.open += 1;
                        if let Some(x) = amt {
                            add_money(m, OPEN, x);
                            if let Some(pr) = slot_win_probability(winp_slot[set.slot(d)], set, d) {
                                add_money(m, WEIGHTED, x * pr);
                            }
                        }
                        if let Some(x) = amt {
                            let exp = set.expected_close.get(d);
                            if p.period.is_none() || in_period(p, exp) {
                                add_money(m, CLOSING, x);
                            }
                        }
                        if let Some(q) = q_slot[set.slot(d)] {
                            let (path, _, _) = set.path(d, None);
                            if path.reached.is_some_and(|r| r >= q) {
                                a.open_qualified += 1;
                            }
                        }
                    }
                    _ => {}
                }
                if new_cust[d] {
                    a.new_customers += 1;
                }
            };
            let slot = if g == NONE { 0 } else { g as usize + 1 };
            let (a, m) =
                slots[slot].get_or_insert_with(|| (Acc::default(), vec![[None; 6]; n_cur]));
            add(a, m);
            add(&mut team, &mut team_money);
        }
        let mut by: HashMap<u32, Acc> = HashMap::new();
        let mut money: HashMap<u32, Vec<Money>> = HashMap::new();
        for (slot, v) in slots.into_iter().enumerate() {
            if let Some((a, m)) = v {
                let g = if slot == 0 { NONE } else { slot as u32 - 1 };
                by.insert(g, a);
                money.insert(g, m);
            }
        }
        (by, money, team, team_money)
    };
    // A million deals: two halves on two cores, then added up (sums of money then differ from
    // one pass in the last bits only; smaller sets take one pass).
    let (mut by, money, mut team, team_money) = if set.len() >= par_from {
        let mid = set.len() / 2;
        let (a, b) = rayon::join(|| run(0..mid), || run(mid..set.len()));
        merge(a, b)
    } else {
        run(0..set.len())
    };
    let name = |slot: usize| {
        set.currency
            .values
            .get(slot)
            .map_or(String::new(), Clone::clone)
    };
    let fill = |a: &mut Acc, m: &[Money]| {
        for (slot, sums) in m.iter().enumerate() {
            let maps = [
                &mut a.won_amount,
                &mut a.lost_amount,
                &mut a.open_pipeline,
                &mut a.weighted_pipeline,
                &mut a.closing_in_period,
                &mut a.won_count,
            ];
            for (k, map) in maps.into_iter().enumerate() {
                if let Some(x) = sums[k] {
                    *map.entry(name(slot)).or_insert(0.0) += x;
                }
            }
        }
    };
    for (g, a) in by.iter_mut() {
        if let Some(m) = money.get(g) {
            fill(a, m);
        }
    }
    fill(&mut team, &team_money);
    (by, team)
}

/// Deals from which accumulation runs on two cores.
const PAR_DEALS: usize = 200_000;

/// The sales cycle of a deal, in days (METRICS.md / docs/metrics.md "Cycle time"): when either
/// side is date-only (exactly midnight: a date without a time) it is whole days between the
/// two dates, so a deal closed on the day it was created is 0 d; otherwise the exact difference.
/// None when the close is before the creation (a data error, counted and left out).
pub(crate) fn cycle_days(created_ms: i64, closed_ms: i64) -> Option<f64> {
    const DAY: i64 = 86_400_000;
    let date_only = |ms: i64| ms.rem_euclid(DAY) == 0;
    let d = if date_only(created_ms) || date_only(closed_ms) {
        (closed_ms.div_euclid(DAY) - created_ms.div_euclid(DAY)) as f64
    } else {
        (closed_ms - created_ms) as f64 / DAY_MS
    };
    (d >= 0.0).then_some(d)
}

/// Counts per group, money per group, the team's counts and money.
type Part = (HashMap<u32, Acc>, HashMap<u32, Vec<Money>>, Acc, Vec<Money>);

/// Add the counts of `b` to `a` (cycles after `a`'s, as one pass in deal order pushes them).
fn merge_acc(a: &mut Acc, b: Acc) {
    a.deals_created += b.deals_created;
    a.created_won += b.created_won;
    a.won += b.won;
    a.lost += b.lost;
    a.open += b.open;
    a.cycles.extend(b.cycles);
    a.negative_cycles += b.negative_cycles;
    a.new_customers += b.new_customers;
    a.open_qualified += b.open_qualified;
    a.currencies.extend(b.currencies);
    for (x, y) in [
        (&mut a.won_amount, b.won_amount),
        (&mut a.lost_amount, b.lost_amount),
        (&mut a.open_pipeline, b.open_pipeline),
        (&mut a.weighted_pipeline, b.weighted_pipeline),
        (&mut a.closing_in_period, b.closing_in_period),
        (&mut a.won_count, b.won_count),
    ] {
        for (k, v) in y {
            *x.entry(k).or_insert(0.0) += v;
        }
    }
}

fn merge_money(a: &mut [Money], b: &[Money]) {
    for (x, y) in a.iter_mut().zip(b) {
        for (k, v) in y.iter().enumerate() {
            if let Some(v) = v {
                add_money(x, k, *v);
            }
        }
    }
}

fn merge(a: Part, b: Part) -> Part {
    let (mut by, mut money, mut team, mut team_money) = a;
    for (g, acc) in b.0 {
        merge_acc(by.entry(g).or_default(), acc);
    }
    for (g, m) in b.1 {
        match money.get_mut(&g) {
            Some(x) => merge_money(x, &m),
            None => {
                money.insert(g, m);
            }
        }
    }
    merge_acc(&mut team, b.2);
    merge_money(&mut team_money, &b.3);
    (by, money, team, team_money)
}

/// Sums of one currency: won, lost, open, weighted open, open closing in the period, and the
/// number of won deals with an amount in it.
type Money = [Option<f64>; 6];
const WON: usize = 0;
const LOST: usize = 1;
const OPEN: usize = 2;
const WEIGHTED: usize = 3;
const CLOSING: usize = 4;
const WON_N: usize = 5;

fn add_money(m: &mut Money, k: usize, x: f64) {
    match &mut m[k] {
        Some(v) => *v += x,
        slot => *slot = Some(x),
    }
}

#[cfg(test)]
mod tests;
