//! Snapshot matching: two exports of the same pipeline taken at different dates, matched by deal
//! key. `history` rebuilds stage events from a series of them; `diff` lists the changes ([`changes`]).
//! Pure: rows in, matches and events out.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::columns::engine::Pipelines;
use crate::columns::paths::Pos;

/// One deal as a snapshot shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SnapRow {
    pub(crate) key: String,
    pub(crate) pipeline: Option<String>,
    pub(crate) stage: Option<String>,
    pub(crate) created_at: Option<i64>,
    pub(crate) closed_at: Option<i64>,
    pub(crate) stage_entered_at: Option<i64>,
    pub(crate) amount: Option<f64>,
    pub(crate) owner: Option<String>,
    pub(crate) expected_close_at: Option<i64>,
}

/// The deal columns a snapshot reads (plus its key field).
pub const COLUMNS: &[&str] = &[
    "deal_id",
    "pipeline",
    "stage",
    "status",
    "created_at",
    "closed_at",
    "expected_close_at",
    "stage_entered_at",
    "amount",
    "owner",
];

/// A deals frame as snapshot rows keyed by `key` (rows without a key are skipped).
pub fn rows_from_frame(
    df: &polars::prelude::DataFrame,
    key: &str,
) -> crate::error::Result<Vec<SnapRow>> {
    use crate::columns::engine;
    let k = engine::coded(df, key)?;
    let (pipe, stage, owner) = (
        engine::coded(df, "pipeline")?,
        engine::coded(df, "stage")?,
        engine::coded(df, "owner")?,
    );
    let (created, closed) = (
        engine::millis(df, "created_at")?,
        engine::millis(df, "closed_at")?,
    );
    let (entered, expected) = (
        engine::millis(df, "stage_entered_at")?,
        engine::millis(df, "expected_close_at")?,
    );
    let amount = engine::floats(df, "amount")?;
    Ok((0..df.height())
        .filter_map(|r| {
            Some(SnapRow {
                key: k.get(r)?.to_string(),
                pipeline: pipe.get(r).map(str::to_string),
                stage: stage.get(r).map(str::to_string),
                created_at: created[r],
                closed_at: closed[r],
                stage_entered_at: entered[r],
                amount: amount[r],
                owner: owner.get(r).map(str::to_string),
                expected_close_at: expected[r],
            })
        })
        .collect())
}

/// A snapshot: its date (epoch ms, end of the snapshot day) and rows.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub label: String,
    pub at: i64,
    pub rows: Vec<SnapRow>,
}

/// How two snapshots relate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matches {
    /// (index in old, index in new) of deals in both.
    pub common: Vec<(usize, usize)>,
    /// Indexes in new of deals not in old.
    pub new: Vec<usize>,
    /// Indexes in old of deals not in new.
    pub vanished: Vec<usize>,
    /// Keys that repeat within a snapshot (the first row of each is used).
    pub(crate) duplicate_keys: Vec<String>,
}

/// Match two snapshots by key.
pub fn match_rows(old: &[SnapRow], new: &[SnapRow]) -> Matches {
    let mut m = Matches::default();
    let mut idx: HashMap<&str, usize> = HashMap::new();
    for (i, r) in old.iter().enumerate() {
        if idx.insert(r.key.as_str(), i).is_some() {
            m.duplicate_keys.push(r.key.clone());
        }
    }
    // Keep the first row of a repeated key.
    for (i, r) in old.iter().enumerate().rev() {
        idx.insert(r.key.as_str(), i);
    }
    let mut seen: HashMap<&str, ()> = HashMap::new();
    for (j, r) in new.iter().enumerate() {
        if seen.insert(r.key.as_str(), ()).is_some() {
            m.duplicate_keys.push(r.key.clone());
            continue;
        }
        match idx.get(r.key.as_str()) {
            Some(&i) => m.common.push((i, j)),
            None => m.new.push(j),
        }
    }
    let in_new: HashMap<&str, ()> = new.iter().map(|r| (r.key.as_str(), ())).collect();
    let mut vanished_seen: HashMap<&str, ()> = HashMap::new();
    for (i, r) in old.iter().enumerate() {
        if !in_new.contains_key(r.key.as_str())
            && vanished_seen.insert(r.key.as_str(), ()).is_none()
        {
            m.vanished.push(i);
        }
    }
    m
}

/// A rebuilt stage event: exact (`at`) or known only within [min, max].
#[derive(Debug, Clone, PartialEq)]
pub struct RebuiltEvent {
    pub key: String,
    pub pipeline: Option<String>,
    pub stage: String,
    pub at: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub owner: Option<String>,
    pub amount: Option<f64>,
}

/// Counts for the notes.
#[derive(Debug, Clone, Default)]
pub struct HistoryStats {
    pub exact: usize,
    pub interval: usize,
    /// (snapshot label, key) of deals that vanished.
    pub vanished: Vec<(String, String)>,
    pub new: usize,
    pub duplicate_keys: usize,
}

/// Rebuild stage events from snapshots sorted by date.
///
/// - A deal's stage in its first snapshot: entered at its `stage_entered_at` when the export has
///   one; at `created_at` when it is the pipeline's first stage (`is_first`); else somewhere
///   between created_at (or the previous snapshot) and this snapshot.
/// - A stage change between two snapshots: entered within [older date, newer date]; an outcome
///   stage with a closed_at inside that interval enters exactly then.
pub fn rebuild(
    snaps: &[Snapshot],
    is_first: &dyn Fn(Option<&str>, &str) -> bool,
    is_outcome: &dyn Fn(&str) -> bool,
) -> (Vec<RebuiltEvent>, HistoryStats) {
    let mut out = Vec::new();
    let mut st = HistoryStats::default();
    let mut last_stage: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (si, s) in snaps.iter().enumerate() {
        let prev_at = si.checked_sub(1).map(|p| snaps[p].at);
        if si > 0 {
            let m = match_rows(&snaps[si - 1].rows, &s.rows);
            st.duplicate_keys += m.duplicate_keys.len();
            for i in m.vanished {
                st.vanished
                    .push((s.label.clone(), snaps[si - 1].rows[i].key.clone()));
            }
            st.new += m.new.len();
        }
        let mut seen: HashMap<&str, ()> = HashMap::new();
        for r in &s.rows {
            if seen.insert(r.key.as_str(), ()).is_some() {
                continue;
            }
            let Some(stage) = r.stage.clone() else {
                continue;
            };
            let before = last_stage.get(&r.key).cloned();
            let ev = |at: Option<i64>, min: Option<i64>, max: Option<i64>| RebuiltEvent {
                key: r.key.clone(),
                pipeline: r.pipeline.clone(),
                stage: stage.clone(),
                at,
                min,
                max,
                owner: r.owner.clone(),
                amount: r.amount,
            };
            match before {
                Some(Some(b)) if b == stage => {}
                Some(_) => {
                    // Changed since the previous snapshot that showed the deal.
                    let lo = prev_at;
                    let exact = r
                        .closed_at
                        .filter(|c| is_outcome(&stage) && lo.is_none_or(|l| *c > l) && *c <= s.at)
                        .or(r
                            .stage_entered_at
                            .filter(|t| lo.is_none_or(|l| *t > l) && *t <= s.at));
                    out.push(match exact {
                        Some(t) => ev(Some(t), None, None),
                        None => ev(None, lo, Some(s.at)),
                    });
                }
                None => {
                    // First sight of the deal.
                    let exact = r
                        .stage_entered_at
                        .or_else(|| {
                            r.created_at
                                .filter(|_| is_first(r.pipeline.as_deref(), &stage))
                        })
                        .or_else(|| r.closed_at.filter(|_| is_outcome(&stage)));
                    out.push(match exact {
                        Some(t) => ev(Some(t), None, None),
                        None => {
                            let lo = match (r.created_at, prev_at) {
                                (Some(c), Some(p)) => Some(c.max(p)),
                                (c, p) => c.or(p),
                            };
                            ev(None, lo, Some(s.at))
                        }
                    });
                }
            }
            last_stage.insert(r.key.clone(), Some(stage));
        }
    }
    for e in &out {
        if e.at.is_some() {
            st.exact += 1
        } else {
            st.interval += 1
        }
    }
    (out, st)
}

/// The kinds of change between two snapshots, in the order `diff` lists them.
pub(crate) const CHANGE_KINDS: [&str; 12] = [
    "new",
    "vanished",
    "moved_forward",
    "moved_backward",
    "skipped_stages",
    "won",  // not a KPI: a change kind
    "lost", // not a KPI: a change kind
    "stage_changed",
    "amount_up",
    "amount_down",
    "close_pushed_out",
    "owner_changed",
];

/// One change of one deal: from and to as text (a stage, an amount, a date, an owner); the
/// amount is the change for `amount_up`/`amount_down`, else the deal's amount.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub kind: &'static str,
    pub key: String,
    pub from: String,
    pub to: String,
    pub amount: Option<f64>,
}

fn change(
    (kind, key, from, to, amount): (&'static str, String, String, String, Option<f64>),
) -> Change {
    Change {
        kind,
        key,
        from,
        to,
        amount,
    }
}

/// A snapshot row's place in its pipeline's stage order.
fn pos(p: &Pipelines, r: &SnapRow) -> Option<Pos> {
    let st = r.stage.as_deref()?;
    let list = p
        .stages(r.pipeline.as_deref().unwrap_or("default"))
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    p.pos(list, st)
}

/// Every change from `old` to `new` (matched as `m`): new and vanished deals, then per deal in
/// both its stage move (by the pipelines' stage order), amount, expected close and owner.
pub fn changes(
    old: &[SnapRow],
    new: &[SnapRow],
    m: &Matches,
    pipelines: &Pipelines,
) -> Vec<Change> {
    let mut out: Vec<(&'static str, String, String, String, Option<f64>)> = Vec::new();
    for &j in &m.new {
        let r = &new[j];
        out.push((
            "new",
            r.key.clone(),
            String::new(),
            r.stage.clone().unwrap_or_default(),
            r.amount,
        ));
    }
    for &i in &m.vanished {
        let r = &old[i];
        out.push((
            "vanished",
            r.key.clone(),
            r.stage.clone().unwrap_or_default(),
            String::new(),
            r.amount,
        ));
    }
    for &(i, j) in &m.common {
        let (o, n) = (&old[i], &new[j]);
        let (so, sn) = (
            o.stage.clone().unwrap_or_default(),
            n.stage.clone().unwrap_or_default(),
        );
        match (pos(pipelines, o), pos(pipelines, n)) {
            (Some(Pos::Open(x)), Some(Pos::Open(y))) if y > x => {
                out.push((
                    "moved_forward",
                    n.key.clone(),
                    so.clone(),
                    sn.clone(),
                    n.amount,
                ));
                if y > x + 1 {
                    out.push((
                        "skipped_stages",
                        n.key.clone(),
                        so.clone(),
                        sn.clone(),
                        n.amount,
                    ));
                }
            }
            (Some(Pos::Open(x)), Some(Pos::Open(y))) if y < x => out.push((
                "moved_backward",
                n.key.clone(),
                so.clone(),
                sn.clone(),
                n.amount,
            )),
            // The outcome is known from the labels even when no stage order is (the old
            // stage's position may be unknown): a move to a won label is won, not a plain
            // stage change.
            (p, Some(Pos::Won)) if p != Some(Pos::Won) => {
                out.push(("won", n.key.clone(), so.clone(), sn.clone(), n.amount)) // not a KPI: a change kind
            }
            (p, Some(Pos::Lost)) if p != Some(Pos::Lost) => {
                out.push(("lost", n.key.clone(), so.clone(), sn.clone(), n.amount)) // not a KPI: a change kind
            }
            _ if so != sn => out.push((
                "stage_changed",
                n.key.clone(),
                so.clone(),
                sn.clone(),
                n.amount,
            )),
            _ => {}
        }
        if let (Some(x), Some(y)) = (o.amount, n.amount) {
            if (y - x).abs() > 1e-9 {
                out.push((
                    if y > x { "amount_up" } else { "amount_down" },
                    n.key.clone(),
                    format!("{x}"),
                    format!("{y}"),
                    Some(y - x),
                ));
            }
        }
        if let (Some(x), Some(y)) = (o.expected_close_at, n.expected_close_at) {
            if y > x {
                let d = |t: i64| {
                    crate::period::ms_to_date(t)
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                };
                out.push(("close_pushed_out", n.key.clone(), d(x), d(y), n.amount));
            }
        }
        if o.owner != n.owner {
            out.push((
                "owner_changed",
                n.key.clone(),
                o.owner.clone().unwrap_or_default(),
                n.owner.clone().unwrap_or_default(),
                n.amount,
            ));
        }
    }
    out.into_iter().map(change).collect()
}

/// One kind of change in [`summarize`]: its deals, and their amounts summed per currency (None:
/// the deal has no currency).
#[derive(Debug, Clone, PartialEq)]
pub struct KindTotal {
    pub kind: &'static str,
    pub deals: u64,
    pub amounts: BTreeMap<Option<String>, f64>,
}

/// Every kind of [`CHANGE_KINDS`] with its deals and amounts, and the currencies that carry an
/// amount. Amounts are summed across currencies only by [`KindTotal::total`], when one
/// currency (or none) is seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub kinds: Vec<KindTotal>,
    pub currencies: Vec<String>,
}

impl Summary {
    /// More than one currency carries an amount: amounts are never summed across them.
    pub fn several_currencies(&self) -> bool {
        self.currencies.len() > 1
    }
}

impl KindTotal {
    /// The amounts' sum over every currency (None: no deal of the kind has an amount).
    pub fn total(&self) -> Option<f64> {
        self.amounts.values().copied().reduce(|x, y| x + y)
    }
}

/// Count and sum `detail` per kind of change (in [`CHANGE_KINDS`] order) and currency.
pub fn summarize<'a>(
    detail: &[Change],
    currency_of: impl Fn(&Change) -> Option<&'a str>,
) -> Summary {
    let mut currencies = BTreeSet::new();
    let kinds = CHANGE_KINDS
        .iter()
        .map(|&kind| {
            let mut t = KindTotal {
                kind,
                deals: 0,
                amounts: BTreeMap::new(),
            };
            for d in detail.iter().filter(|d| d.kind == kind) {
                t.deals += 1;
                if let Some(a) = d.amount {
                    let c = currency_of(d);
                    if let Some(c) = c {
                        currencies.insert(c.to_string());
                    }
                    *t.amounts.entry(c.map(str::to_string)).or_insert(0.0) += a;
                }
            }
            t
        })
        .collect();
    Summary {
        kinds,
        currencies: currencies.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests;
