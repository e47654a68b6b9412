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
fn closed_reach(set: &DealSet, d: usize, n_open: usize) -> Option<(usize, bool, bool)> {
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
fn win_probability_by_slot<'a>(
    winp: &'a WinProbability,
    set: &DealSet,
) -> Vec<Option<&'a Vec<(u64, u64)>>> {
    (0..set.n_slots())
        .map(|slot| winp.by_pipeline.get(set.slot_name(slot)))
        .collect()
}

/// The qualified stage's index per pipeline slot (None: the slot has no stage list, or not
/// the named stage).
fn qualified_by_slot(set: &DealSet, stage: Option<&str>) -> Vec<Option<usize>> {
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
fn slot_win_probability(v: Option<&Vec<(u64, u64)>>, set: &DealSet, d: usize) -> Option<f64> {
    match set.current(d) {
        Some(Pos::Open(k)) => v
            .and_then(|v| v.get(k as usize))
            .and_then(|&(w, n)| (n > 0).then(|| w as f64 / n as f64)),
        _ => None,
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

/// The KPIs of one accumulator. Money KPIs are Some only when the group's money is in one
/// currency (or when `currency` names the one to show).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Kpis {
    pub deals_created: u64,
    pub won: u64,
    pub lost: u64,
    pub open: u64,
    pub win_rate: Option<f64>,
    pub win_rate_low: Option<f64>,
    pub win_rate_high: Option<f64>,
    pub n: u64,
    pub low_n: bool,
    pub won_amount: Option<f64>,
    pub avg_won_deal: Option<f64>,
    pub cycle_median_days: Option<f64>,
    pub cycle_p75_days: Option<f64>,
    pub open_pipeline: Option<f64>,
    pub weighted_pipeline: Option<f64>,
    pub new_customers: u64,
    pub sales_velocity: Option<f64>,
    pub currency: Option<String>,
}

/// The ids of the KPIs in [`Kpis`], as `check` rules and `--rank` name them.
pub const KPI_IDS: &[&str] = &[
    kpi::DEALS_CREATED,
    kpi::WON,
    kpi::LOST,
    kpi::OPEN,
    kpi::WIN_RATE,
    kpi::WIN_RATE_LOW,
    kpi::WIN_RATE_HIGH,
    kpi::WON_AMOUNT,
    kpi::AVG_WON_DEAL,
    kpi::CYCLE_MEDIAN_DAYS,
    kpi::CYCLE_P75_DAYS,
    kpi::OPEN_PIPELINE,
    kpi::WEIGHTED_PIPELINE,
    kpi::NEW_CUSTOMERS,
    kpi::SALES_VELOCITY,
];

impl Kpis {
    /// A KPI by id (one of [`KPI_IDS`]); None when undefined or unknown.
    pub fn get(&self, id: &str) -> Option<f64> {
        Some(match id {
            kpi::DEALS_CREATED => self.deals_created as f64,
            kpi::WON => self.won as f64,
            kpi::LOST => self.lost as f64,
            kpi::OPEN => self.open as f64,
            kpi::WIN_RATE => self.win_rate?,
            kpi::WIN_RATE_LOW => self.win_rate_low?,
            kpi::WIN_RATE_HIGH => self.win_rate_high?,
            kpi::WON_AMOUNT => self.won_amount?,
            kpi::AVG_WON_DEAL => self.avg_won_deal?,
            kpi::CYCLE_MEDIAN_DAYS => self.cycle_median_days?,
            kpi::CYCLE_P75_DAYS => self.cycle_p75_days?,
            kpi::OPEN_PIPELINE => self.open_pipeline?,
            kpi::WEIGHTED_PIPELINE => self.weighted_pipeline?,
            kpi::NEW_CUSTOMERS => self.new_customers as f64,
            kpi::SALES_VELOCITY => self.sales_velocity?,
            _ => return None,
        })
    }
}

/// Derive the KPIs in `currency` (the only currency of the data, or one of several).
pub fn kpis(a: &Acc, wr: WinRate, currency: &str) -> Kpis {
    let m = |x: &BTreeMap<String, f64>| x.get(currency).copied();
    let won_amount = m(&a.won_amount).or(Some(0.0));
    let (win_rate, n, lo_hi) = match wr {
        WinRate::Closed => {
            let n = a.won + a.lost;
            (
                (n > 0).then(|| a.won as f64 / n as f64),
                n,
                wilson95(a.won, n),
            )
        }
        WinRate::Created => {
            let n = a.deals_created;
            (
                (n > 0).then(|| a.created_won as f64 / n as f64),
                n,
                wilson95(a.created_won, n),
            )
        }
        WinRate::Value => {
            let w = m(&a.won_amount).unwrap_or(0.0);
            let l = m(&a.lost_amount).unwrap_or(0.0);
            let n = a.won + a.lost;
            ((w + l > 0.0).then(|| w / (w + l)), n, None)
        }
    };
    // With several currencies an average is per currency: that currency's won amount over its
    // own won deals. With one, over every won deal (as METRICS.md defines it).
    // (A currency with amounts but no won deal, such as EUR with only open deals, counts
    // 0 won deals: no average, where it used to divide 0 by every won deal and print 0.)
    let several = a
        .won_amount
        .keys()
        .chain(a.lost_amount.keys())
        .chain(a.open_pipeline.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        > 1;
    let won_n = if a.won_count.len() > 1 || several {
        a.won_count.get(currency).copied().unwrap_or(0.0)
    } else {
        a.won as f64
    };
    let avg = if won_n > 0.0 {
        won_amount.map(|w| w / won_n)
    } else {
        None
    };
    let med = quantile(&a.cycles, 0.5);
    let closed_wr = {
        let n = a.won + a.lost;
        (n > 0).then(|| a.won as f64 / n as f64)
    };
    let velocity = match (closed_wr, avg, med) {
        (Some(w), Some(v), Some(c)) if c > 0.0 => Some(a.open_qualified as f64 * w * v / c),
        _ => None,
    };
    Kpis {
        deals_created: a.deals_created,
        won: a.won,
        lost: a.lost,
        open: a.open,
        win_rate,
        win_rate_low: lo_hi.map(|x| x.0),
        win_rate_high: lo_hi.map(|x| x.1),
        n,
        low_n: n < 5,
        won_amount,
        avg_won_deal: avg,
        cycle_median_days: med,
        cycle_p75_days: quantile(&a.cycles, 0.75),
        open_pipeline: m(&a.open_pipeline).or(Some(0.0)),
        weighted_pipeline: m(&a.weighted_pipeline).or(Some(0.0)),
        new_customers: a.new_customers,
        sales_velocity: velocity,
        currency: Some(currency.to_string()),
    }
}

/// Target rolled to a period: each target period's amount spread evenly over its months, each
/// month's share spread evenly over its days, summed over the days inside [start, end).
pub fn rolled_target(target_periods: &[((i64, i64), f64)], period: Option<(i64, i64)>) -> f64 {
    let mut total = 0.0;
    for &((ts, te), amount) in target_periods {
        let Some((ps, pe)) = period else {
            total += amount;
            continue;
        };
        let months = month_starts(ts, te);
        if months.len() < 2 {
            continue;
        }
        let per_month = amount / (months.len() - 1) as f64;
        for w in months.windows(2) {
            let (ms, me) = (w[0], w[1]);
            let overlap = (me.min(pe) - ms.max(ps)).max(0) as f64;
            total += per_month * overlap / (me - ms) as f64;
        }
    }
    total
}

/// Month boundaries from ts to te (epoch ms at month starts), inclusive of te.
fn month_starts(ts: i64, te: i64) -> Vec<i64> {
    use chrono::Datelike;
    let (Some(s), Some(e)) = (crate::period::ms_to_date(ts), crate::period::ms_to_date(te)) else {
        return vec![];
    };
    let mut out = vec![];
    let mut d = s;
    while d < e {
        out.push(crate::period::date_ms(d));
        let (y, m) = if d.month() == 12 {
            (d.year() + 1, 1)
        } else {
            (d.year(), d.month() + 1)
        };
        d = chrono::NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(e);
    }
    out.push(crate::period::date_ms(e));
    out
}

#[cfg(test)]
mod tests;
