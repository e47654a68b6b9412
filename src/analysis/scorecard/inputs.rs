//! The scorecard's side files, each read through the loader as its canonical table: targets
//! (rolled to the period later), activities, feedback.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Args, TEAM};
use crate::columns::deals::DealSet;
use crate::columns::engine::{self, NONE};
use crate::error::{Error, Result};
use crate::load::{self, LoaderArgs};
use crate::model::Table;
use crate::period::Period;

#[derive(Debug, Clone, Default)]
pub(crate) struct ActivityCounts {
    pub total: u64,
    pub calls: u64,
    pub visits: u64,
    pub emails: u64,
    pub meetings: u64,
    pub weeks: f64,
}

fn side_args(a: &Args, table: &str) -> LoaderArgs {
    crate::analysis::side_loader(&a.load, table)
}

pub(super) fn load_activities(
    f: &PathBuf,
    a: &Args,
    ds: &load::Dataset,
    period: Option<&Period>,
) -> Result<HashMap<String, ActivityCounts>> {
    let t = load::load(std::slice::from_ref(f), &side_args(a, "activities"))?;
    let df = t
        .frame(Table::Activities, &["owner", "at", "kind"])?
        .unwrap_or_default();
    engine::need(&df, &f.display().to_string(), &["owner", "at"])?;
    let owner = engine::coded(&df, "owner")?;
    let kind = engine::coded(&df, "kind")?;
    let at = engine::millis(&df, "at")?;
    let range = period.map(Period::millis);
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    let mut out: HashMap<String, ActivityCounts> = HashMap::new();
    for i in 0..df.height() {
        let (Some(o), Some(t)) = (owner.get(i), at[i]) else {
            continue;
        };
        if range.is_some_and(|(s, e)| t < s || t >= e) {
            continue;
        }
        lo = lo.min(t);
        hi = hi.max(t);
        let c = out.entry(o.to_string()).or_default();
        c.total += 1;
        let k = kind.get(i).unwrap_or("").trim().to_lowercase();
        match k.as_str() {
            "call" | "calls" | "phone" | "电话" | "通话" => c.calls += 1,
            "visit" | "visits" | "拜访" | "上门" => c.visits += 1,
            "email" | "emails" | "e-mail" | "邮件" => c.emails += 1,
            "meeting" | "meetings" | "会议" => c.meetings += 1,
            _ => {}
        }
    }
    let weeks = match range {
        Some((s, e)) if s > i64::MIN && e < i64::MAX => (e - s) as f64 / (7.0 * 86_400_000.0),
        _ if hi >= lo => ((hi - lo) as f64 / 86_400_000.0 + 1.0) / 7.0,
        _ => 0.0,
    };
    for v in out.values_mut() {
        v.weeks = weeks;
    }
    let _ = ds;
    Ok(out)
}

/// Feedback scores per group key: (score, scale).
#[allow(clippy::too_many_arguments)]
pub(super) fn load_feedback(
    f: &PathBuf,
    a: &Args,
    ds: &load::Dataset,
    set: &DealSet,
    group: &[u32],
    names: &[String],
    account: &engine::Coded,
) -> Result<HashMap<String, Vec<(f64, String)>>> {
    let t = load::load(std::slice::from_ref(f), &side_args(a, "feedback"))?;
    let df = t
        .frame(
            Table::Feedback,
            &["deal_id", "customer_id", "at", "score", "scale"],
        )?
        .unwrap_or_default();
    engine::need(&df, &f.display().to_string(), &["score"])?;
    let deal = engine::coded(&df, "deal_id")?;
    let cust = engine::coded(&df, "customer_id")?;
    let score = engine::floats(&df, "score")?;
    let scale = engine::coded(&df, "scale")?;
    let at = engine::millis(&df, "at")?;
    let range = a
        .period
        .resolve(ds.as_of, ds.calendar())
        .map_err(Error::usage)
        .and_then(|p| crate::analysis::period_in_data(p, &ds))?
        .map(|p| p.millis());
    let by_id = set.id_index();
    // A customer's rep: the owner of the account's latest-created deal.
    let mut by_account: HashMap<&str, (i64, usize)> = HashMap::new();
    for d in 0..set.n_rows {
        if let Some(acc) = account.get(d) {
            let t = set.created_at(d).unwrap_or(i64::MIN);
            let e = by_account.entry(acc).or_insert((t, d));
            if t >= e.0 {
                *e = (t, d);
            }
        }
    }
    let mut out: HashMap<String, Vec<(f64, String)>> = HashMap::new();
    for i in 0..df.height() {
        let Some(s) = score[i] else { continue };
        if let (Some((ps, pe)), Some(t)) = (range, at[i]) {
            if t < ps || t >= pe {
                continue;
            }
        }
        let d = deal
            .get(i)
            .and_then(|x| by_id.get(x).copied())
            .or_else(|| cust.get(i).and_then(|c| by_account.get(c).map(|x| x.1)));
        let Some(d) = d else { continue };
        let g = group[d];
        let key = if g == NONE {
            "(none)".to_string()
        } else {
            names[g as usize].clone()
        };
        let sc = scale
            .get(i)
            .unwrap_or(if s > 5.0 { "nps_10" } else { "csat_5" })
            .to_string();
        out.entry(key.clone()).or_default().push((s, sc.clone()));
        out.entry(TEAM.to_string()).or_default().push((s, sc));
    }
    Ok(out)
}

/// (average score, n, NPS when the scale is nps_10: % promoters 9-10 minus % detractors 0-6).
pub(super) fn summarize_feedback(v: &[(f64, String)]) -> (f64, u64, Option<f64>) {
    let n = v.len() as f64;
    let avg = v.iter().map(|x| x.0).sum::<f64>() / n;
    let nps_scores: Vec<f64> = v
        .iter()
        .filter(|x| x.1.starts_with("nps"))
        .map(|x| x.0)
        .collect();
    let nps = (!nps_scores.is_empty()).then(|| {
        let m = nps_scores.len() as f64;
        let pro = nps_scores.iter().filter(|&&s| s >= 9.0).count() as f64;
        let det = nps_scores.iter().filter(|&&s| s <= 6.0).count() as f64;
        100.0 * (pro - det) / m
    });
    (avg, v.len() as u64, nps)
}
