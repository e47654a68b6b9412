//! Stage funnels (METRICS.md "Funnel"): deals reaching each stage, step and cumulative conversion,
//! drop-off, per pipeline, per group, per creation cohort; by count or by amount per currency.

use std::collections::BTreeMap;

use chrono::Datelike;

use super::deals::{Basis, DealSet};
use super::paths::Pos;
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
    pub fn label(self, ms: i64) -> String {
        let Some(d) = crate::period::ms_to_date(ms) else { return String::new() };
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
    pub deals: u64,
    pub open: u64,
    pub basis: Basis,
    pub mixed_basis: bool,
}

impl Funnel {
    pub fn step(&self, k: usize) -> Option<f64> {
        if k == 0 || self.reached[k - 1] == 0.0 { None } else { Some(self.reached[k] / self.reached[k - 1]) }
    }

    pub fn cumulative(&self, k: usize) -> Option<f64> {
        if self.reached[0] == 0.0 { None } else { Some(self.reached[k] / self.reached[0]) }
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
    pub no_stage_list: BTreeMap<String, u64>,
    pub history: u64,
    pub implied: u64,
    pub no_amount: u64,
    pub won_label: String,
}

/// Compute every funnel.
pub fn compute(set: &DealSet, p: &Params) -> (Vec<Funnel>, Stats) {
    let mut st = Stats::default();
    // Key: pipeline, group, cohort, currency (value funnels).
    type Key = (String, Option<String>, Option<String>, Option<String>);
    let mut acc: BTreeMap<Key, Funnel> = BTreeMap::new();
    for d in 0..set.len() {
        let pipeline = set.pipeline_name(d).to_string();
        let Some(stages) = set.stages(d) else {
            *st.no_stage_list.entry(pipeline).or_default() += 1;
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
        let reach = if p.in_order { path.reached_in_order } else { path.reached };
        let Some(reach) = reach else {
            st.no_position += 1;
            continue;
        };
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
        let group = p.by.as_ref().map(|(codes, names)| {
            let c = codes[d];
            if c == super::prep::NONE { "(none)".to_string() } else { names[c as usize].clone() }
        });
        let cohort = p.cohort.map(|c| created.map_or_else(|| "(no date)".to_string(), |ms| c.label(ms)));
        let amount = set.amount(d);
        let cur = set.currency(d).to_string();
        if p.value && amount.is_none() {
            st.no_amount += 1;
            continue;
        }
        let key = (pipeline.clone(), group.clone(), cohort.clone(), p.value.then(|| cur.clone()));
        let n_rows = stages.len() + 1;
        let f = acc.entry(key).or_insert_with(|| Funnel {
            pipeline,
            group,
            cohort,
            currency: p.value.then(|| cur.clone()),
            stages: stages.clone(),
            reached: vec![0.0; n_rows],
            amount: BTreeMap::new(),
            deals: 0,
            open: 0,
            basis,
            mixed_basis: false,
        });
        if f.basis != basis {
            f.mixed_basis = true;
            f.basis = f.basis.min(basis);
        }
        f.deals += 1;
        f.open += (status == Some(Status::Open)) as u64;
        let w = if p.value { amount.unwrap_or(0.0) } else { 1.0 };
        let top = reach.min(n_rows - 1);
        for k in 0..=top {
            f.reached[k] += w;
        }
        if !p.value {
            if let Some(a) = amount {
                let v = f.amount.entry(cur).or_insert_with(|| vec![0.0; n_rows]);
                for x in v.iter_mut().take(top + 1) {
                    *x += a;
                }
            }
        }
    }
    st.won_label = won_label(set);
    let mut out: Vec<Funnel> = acc.into_values().collect();
    for f in &mut out {
        f.stages.push(st.won_label.clone());
    }
    (out, st)
}

/// The export's own label for the won outcome: the most frequent won stage label (`Closed Won`,
/// `Won`, `赢单`), "Won" when the data shows none.
fn won_label(set: &DealSet) -> String {
    let mut counts: BTreeMap<&str, usize> = set.events.won_labels.iter().map(|(l, n)| (l.as_str(), *n)).collect();
    for d in 0..set.n_rows {
        if let Some(s) = set.stage.get(d) {
            if set.pipelines.pos(&[], s) == Some(Pos::Won) {
                *counts.entry(s).or_default() += 1;
            }
        }
    }
    counts.into_iter().max_by_key(|&(l, n)| (n, std::cmp::Reverse(l))).map_or_else(|| "Won".to_string(), |(l, _)| l.to_string())
}
