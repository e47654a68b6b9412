//! Stage funnels (METRICS.md "Funnel"): deals reaching each stage, step and cumulative conversion,
//! drop-off, per pipeline, per group, per creation cohort; by count or by amount per currency.

use std::collections::BTreeMap;

use chrono::Datelike;

use crate::columns::deals::{Basis, DealSet};
use crate::columns::paths::Pos;
use crate::model::Status;

/// Creation cohorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cohort {
    Week,
    Month,
    Quarter,
}

impl Cohort {
    pub fn parse(s: &str) -> Option<Cohort> {
        match s {
            "week" => Some(Cohort::Week),
            "month" => Some(Cohort::Month),
            "quarter" => Some(Cohort::Quarter),
            _ => None,
        }
    }

    /// The cohort label of an instant: `2026-W05` (ISO week), `2026-10`, `2026-Q4`.
    pub(crate) fn label(self, ms: i64) -> String {
        let Some(d) = crate::period::ms_to_date(ms) else {
            return String::new();
        };
        match self {
            Cohort::Week => format!("{}-W{:02}", d.iso_week().year(), d.iso_week().week()),
            Cohort::Month => format!("{}-{:02}", d.year(), d.month()),
            Cohort::Quarter => format!("{}-Q{}", d.year(), d.month0() / 3 + 1),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Params {
    /// Count only deals that entered every earlier stage in pipeline order.
    pub in_order: bool,
    /// Weigh deals by amount, one funnel per currency.
    pub value: bool,
    /// Deals created in [start, end) (epoch ms); all deals when None.
    pub created_in: Option<(i64, i64)>,
    pub cohort: Option<Cohort>,
    /// Count a stage only when entered within this many ms of creation.
    pub window_ms: Option<i64>,
    /// Group code per deal (from `--by`), and the names of the codes.
    pub by: Option<(Vec<u32>, Vec<String>)>,
}

/// One funnel: a pipeline (and group, cohort, currency).
#[derive(Debug, Clone)]
pub struct Funnel {
    pub pipeline: String,
    pub group: Option<String>,
    pub cohort: Option<String>,
    /// Value funnels: the currency of the amounts.
    pub currency: Option<String>,
    /// Row labels: the open stages, then the won outcome label.
    pub stages: Vec<String>,
    /// reached(k): deals (or amount) that reached each row.
    pub reached: Vec<f64>,
    /// Amount of the deals that reached each row, per currency (count funnels).
    pub amount: BTreeMap<String, Vec<f64>>,
    pub(crate) deals: u64,
    pub(crate) open: u64,
    pub basis: Basis,
    pub mixed_basis: bool,
}

impl Funnel {
    pub fn step(&self, k: usize) -> Option<f64> {
        if k == 0 || self.reached[k - 1] == 0.0 {
            None
        } else {
            Some(self.reached[k] / self.reached[k - 1])
        }
    }

    pub fn cumulative(&self, k: usize) -> Option<f64> {
        if self.reached[0] == 0.0 {
            None
        } else {
            Some(self.reached[k] / self.reached[0])
        }
    }

    pub fn drop_off(&self, k: usize) -> Option<f64> {
        self.step(k).map(|s| 1.0 - s)
    }

    /// Share of the funnel's deals still open (cohorts).
    pub fn open_share(&self) -> Option<f64> {
        (self.deals > 0).then(|| self.open as f64 / self.deals as f64)
    }
}

/// Counts for the notes.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub deals: u64,
    pub lost_placed_first: u64,
    pub backward_moves: u64,
    pub skipped_stages: u64,
    pub deals_with_skip: u64,
    pub invalid: u64,
    pub outside_period: u64,
    pub no_created: u64,
    pub no_position: u64,
    /// In-order funnels: deals whose first event is not the first stage.
    pub out_of_order: u64,
    pub no_stage_list: BTreeMap<String, u64>,
    pub history: u64,
    pub implied: u64,
    pub no_amount: u64,
    pub(crate) won_label: String,
}

/// From this many deals the funnel is counted in two halves on two threads, then merged.
const PAR_DEALS: usize = 200_000;

/// Compute every funnel.
pub fn compute(set: &DealSet, p: &Params) -> (Vec<Funnel>, Stats) {
    let n = set.len();
    compute_split(set, p, if n >= PAR_DEALS { n / 2 } else { n })
}

/// [`compute`] over deals `..mid` and `mid..` on two threads (one pass when `mid` is the end).
fn compute_split(set: &DealSet, p: &Params, mid: usize) -> (Vec<Funnel>, Stats) {
    let n = set.len();
    let (mut out, mut st) = if mid < n {
        let ((mut out, mut st), (more, st2)) = rayon::join(
            || compute_range(set, p, 0..mid),
            || compute_range(set, p, mid..n),
        );
        merge(&mut out, more);
        st.add(st2);
        (out, st)
    } else {
        compute_range(set, p, 0..n)
    };
    st.won_label = won_label(set);
    for f in &mut out {
        f.stages.push(st.won_label.clone());
    }
    out.sort_by(|a, b| {
        (&a.pipeline, &a.group, &a.cohort, &a.currency).cmp(&(
            &b.pipeline,
            &b.group,
            &b.cohort,
            &b.currency,
        ))
    });
    (out, st)
}

impl Stats {
    /// Add the counts of another part of the deals.
    fn add(&mut self, o: Stats) {
        self.deals += o.deals;
        self.lost_placed_first += o.lost_placed_first;
        self.backward_moves += o.backward_moves;
        self.skipped_stages += o.skipped_stages;
        self.deals_with_skip += o.deals_with_skip;
        self.invalid += o.invalid;
        self.outside_period += o.outside_period;
        self.no_created += o.no_created;
        self.no_position += o.no_position;
        self.out_of_order += o.out_of_order;
        for (k, v) in o.no_stage_list {
            *self.no_stage_list.entry(k).or_default() += v;
        }
        self.history += o.history;
        self.implied += o.implied;
        self.no_amount += o.no_amount;
    }
}

/// Add the funnels of another part of the deals to `out` (the same funnel: the same pipeline,
/// group, cohort and currency).
fn merge(out: &mut Vec<Funnel>, more: Vec<Funnel>) {
    type Key = (String, Option<String>, Option<String>, Option<String>);
    let key = |f: &Funnel| -> Key {
        (
            f.pipeline.clone(),
            f.group.clone(),
            f.cohort.clone(),
            f.currency.clone(),
        )
    };
    let mut index: BTreeMap<Key, usize> =
        out.iter().enumerate().map(|(i, f)| (key(f), i)).collect();
    for f in more {
        let Some(&i) = index.get(&key(&f)) else {
            index.insert(key(&f), out.len());
            out.push(f);
            continue;
        };
        let g = &mut out[i];
        for (x, y) in g.reached.iter_mut().zip(&f.reached) {
            *x += y;
        }
        for (cur, v) in f.amount {
            let into = g.amount.entry(cur).or_insert_with(|| vec![0.0; v.len()]);
            for (x, y) in into.iter_mut().zip(&v) {
                *x += y;
            }
        }
        g.deals += f.deals;
        g.open += f.open;
        g.mixed_basis |= f.mixed_basis || g.basis != f.basis;
        g.basis = g.basis.min(f.basis);
    }
}

/// The funnels of deals `range` (stage rows without the won outcome, in order of appearance).
fn compute_range(set: &DealSet, p: &Params, range: std::ops::Range<usize>) -> (Vec<Funnel>, Stats) {
    use foldhash::{HashMap, HashMapExt};
    let mut st = Stats::default();
    // Funnels indexed by coded key: (pipeline, group, cohort, currency) codes; no per-deal strings.
    let mut index: HashMap<(u32, u32, u32, u32), usize> = HashMap::new();
    let mut out: Vec<Funnel> = Vec::new();
    let mut cohorts: HashMap<String, u32> = HashMap::new();
    let mut cohort_names: Vec<String> = Vec::new();
    const NO: u32 = crate::columns::engine::NONE;
    let mut last: Option<((u32, u32, u32, u32), usize)> = None;
    for d in range {
        let Some(stages) = set.stages(d) else {
            *st.no_stage_list
                .entry(set.pipeline_name(d).to_string())
                .or_default() += 1;
            continue;
        };
        let created = set.created_at(d);
        if let Some((a, b)) = p.created_in {
            match created {
                Some(c) if c >= a && c < b => {}
                Some(_) => {
                    st.outside_period += 1;
                    continue;
                }
                None => {
                    st.no_created += 1;
                    continue;
                }
            }
        }
        let window_end = match (p.window_ms, created) {
            (Some(w), Some(c)) => Some(c + w),
            _ => None,
        };
        let (path, basis, first) = set.path(d, window_end);
        let reach = if p.in_order {
            path.reached_in_order
        } else {
            path.reached
        };
        let Some(reach) = reach else {
            if p.in_order && basis == Basis::History && path.reached.is_some() {
                st.out_of_order += 1;
            } else {
                st.no_position += 1;
            }
            continue;
        };
        let amount = set.amount(d);
        if p.value && amount.is_none() {
            st.no_amount += 1;
            continue;
        }
        st.deals += 1;
        match basis {
            Basis::History => st.history += 1,
            Basis::Implied => st.implied += 1,
        }
        st.lost_placed_first += first as u64;
        st.backward_moves += path.backward_moves as u64;
        st.skipped_stages += path.skipped_stages as u64;
        st.deals_with_skip += (path.skipped_stages > 0) as u64;
        let status = set.status(d);
        st.invalid += (status == Some(Status::Invalid)) as u64;
        let pcode = if d < set.n_rows {
            set.pipeline.codes[d]
        } else {
            NO
        };
        let gcode = p.by.as_ref().map_or(NO, |(codes, _)| codes[d]);
        let ccode = match p.cohort {
            Some(c) => {
                let label = created.map_or_else(|| "(no date)".to_string(), |ms| c.label(ms));
                let n = cohorts.len() as u32;
                *cohorts.entry(label.clone()).or_insert_with(|| {
                    cohort_names.push(label);
                    n
                })
            }
            None => NO,
        };
        let cur_code = if d < set.n_rows {
            set.currency.codes[d]
        } else {
            NO
        };
        let key = (pcode, gcode, ccode, if p.value { cur_code } else { NO });
        let n_rows = stages.len() + 1;
        // Consecutive deals mostly share a funnel: the last one found is tried first.
        let fi = match last {
            Some((k, fi)) if k == key => fi,
            _ => *index.entry(key).or_insert_with(|| {
                out.push(Funnel {
                    pipeline: set.pipeline_name(d).to_string(),
                    group: p.by.as_ref().map(|(_, names)| {
                        if gcode == NO {
                            "(none)".to_string()
                        } else {
                            names[gcode as usize].clone()
                        }
                    }),
                    cohort: (ccode != NO).then(|| cohort_names[ccode as usize].clone()),
                    currency: p.value.then(|| set.currency(d).to_string()),
                    stages: stages.clone(),
                    reached: vec![0.0; n_rows],
                    amount: BTreeMap::new(),
                    deals: 0,
                    open: 0,
                    basis,
                    mixed_basis: false,
                });
                out.len() - 1
            }),
        };
        last = Some((key, fi));
        let f = &mut out[fi];
        if f.basis != basis {
            f.mixed_basis = true;
            f.basis = f.basis.min(basis);
        }
        f.deals += 1;
        f.open += (status == Some(Status::Open)) as u64;
        let w = if p.value { amount.unwrap_or(0.0) } else { 1.0 };
        let top = reach.min(n_rows - 1);
        for x in f.reached.iter_mut().take(top + 1) {
            *x += w;
        }
        if !p.value {
            if let Some(a) = amount {
                let cur = set.currency(d);
                if !f.amount.contains_key(cur) {
                    f.amount.insert(cur.to_string(), vec![0.0; n_rows]);
                }
                if let Some(v) = f.amount.get_mut(cur) {
                    for x in v.iter_mut().take(top + 1) {
                        *x += a;
                    }
                }
            }
        }
    }
    (out, st)
}

/// The export's own label for the won outcome: the most frequent won stage label (`Closed Won`,
/// `Won`, `赢单`), "Won" when the data shows none.
fn won_label(set: &DealSet) -> String {
    let mut counts: BTreeMap<&str, usize> = set
        .events
        .won_labels
        .iter()
        .map(|(l, n)| (l.as_str(), *n))
        .collect();
    for d in 0..set.n_rows {
        if let Some(s) = set.stage.get(d) {
            if set.pipelines.pos(&[], s) == Some(Pos::Won) {
                *counts.entry(s).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(l, n)| (n, std::cmp::Reverse(l)))
        .map_or_else(|| "Won".to_string(), |(l, _)| l.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    /// Six deals without history (implied paths), stages A, B, C: every split into two parts
    /// gives the one pass's funnels. By hand, by owner: X has deals 1 (A), 3 (won), 6 (B): A 3,
    /// B 2, C 1, won 1; Y has 2 (B), 4 (lost, placed at A), 5 (C): A 3, B 2, C 1, won 0.
    #[test]
    fn two_parts_add_up_to_one_pass() {
        let df = DataFrame::new_infer_height(vec![
            Column::new("deal_id".into(), ["1", "2", "3", "4", "5", "6"].to_vec()),
            Column::new(
                "stage".into(),
                ["A", "B", "Closed Won", "Closed Lost", "C", "B"].to_vec(),
            ),
            Column::new(
                "status".into(),
                ["open", "open", "won", "lost", "open", "open"].to_vec(),
            ),
            Column::new("owner".into(), ["X", "Y", "X", "Y", "Y", "X"].to_vec()),
            Column::new(
                "amount".into(),
                [
                    Some(10.0),
                    Some(20.0),
                    Some(30.0),
                    Some(4.0),
                    Some(5.0),
                    None,
                ]
                .to_vec(),
            ),
            Column::new(
                "currency".into(),
                ["USD", "USD", "USD", "USD", "EUR", "USD"].to_vec(),
            ),
        ])
        .unwrap();
        let stages: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        let pipelines = crate::columns::engine::Pipelines {
            lists: [("default".to_string(), stages)].into(),
            outcomes: Default::default(),
        };
        let set = DealSet::build(Some(&df), None, pipelines).unwrap();
        let owner = crate::columns::engine::coded(&df, "owner").unwrap();
        for value in [false, true] {
            let p = Params {
                value,
                by: Some((owner.codes.clone(), owner.values.clone())),
                ..Default::default()
            };
            let (one, st1) = compute_split(&set, &p, set.len());
            for mid in 0..set.len() {
                let (two, st2) = compute_split(&set, &p, mid);
                assert_eq!(one.len(), two.len());
                for (a, b) in one.iter().zip(&two) {
                    assert_eq!(
                        (&a.group, &a.currency, &a.reached, a.deals, a.open),
                        (&b.group, &b.currency, &b.reached, b.deals, b.open),
                        "split at {mid}"
                    );
                    assert_eq!(a.amount, b.amount);
                }
                assert_eq!(
                    (st1.deals, st1.lost_placed_first, st1.implied, st1.no_amount),
                    (st2.deals, st2.lost_placed_first, st2.implied, st2.no_amount)
                );
            }
            if !value {
                let x = one
                    .iter()
                    .find(|f| f.group.as_deref() == Some("X"))
                    .unwrap();
                let y = one
                    .iter()
                    .find(|f| f.group.as_deref() == Some("Y"))
                    .unwrap();
                assert_eq!(x.reached, vec![3.0, 2.0, 1.0, 1.0]);
                assert_eq!(y.reached, vec![3.0, 2.0, 1.0, 0.0]);
                assert_eq!((x.open, y.open), (2, 2));
                assert_eq!(st1.lost_placed_first, 1);
            } else {
                // Value funnels per currency: X in USD: 10 + 30 at A (deal 6 has no amount),
                // 30 at B, C and won.
                let x = one
                    .iter()
                    .find(|f| {
                        f.group.as_deref() == Some("X") && f.currency.as_deref() == Some("USD")
                    })
                    .unwrap();
                assert_eq!(x.reached, vec![40.0, 30.0, 30.0, 30.0]);
                assert_eq!(st1.no_amount, 1);
            }
        }
    }
}
