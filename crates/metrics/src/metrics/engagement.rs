//! Activities and customer feedback per rep (the scorecard's `--activities` and `--feedback`):
//! counts by kind and weeks covered, and feedback scores matched to the deal's rep with their
//! average and NPS. Pure: columns in.

use std::collections::HashMap;

use crate::columns::deals::DealSet;
use crate::columns::engine::{Coded, NONE};

/// One rep's activities in the period, by kind, and the weeks they cover.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityCounts {
    pub total: u64,
    pub calls: u64,
    pub visits: u64,
    pub emails: u64,
    pub meetings: u64,
    pub weeks: f64,
}

/// Activities per owner: rows with an owner and a time inside `range` ([start, end) epoch ms,
/// None: all) are counted, by kind when the kind is a call, visit, email or meeting (English or
/// Chinese). Weeks: the period's length, or the days from the first activity to the last
/// (both counted) over 7 without a period.
pub fn count_activities(
    owner: &Coded,
    kind: &Coded,
    at: &[Option<i64>],
    range: Option<(i64, i64)>,
) -> HashMap<String, ActivityCounts> {
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    let mut out: HashMap<String, ActivityCounts> = HashMap::new();
    for (i, t) in at.iter().enumerate() {
        let (Some(o), Some(t)) = (owner.get(i), *t) else {
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
    out
}

/// A feedback file's columns: the deal or customer each score is about, the score, its scale
/// and when it was given.
pub struct Feedback<'a> {
    pub deal: &'a Coded,
    pub customer: &'a Coded,
    pub score: &'a [Option<f64>],
    pub scale: &'a Coded,
    pub at: &'a [Option<i64>],
}

/// Feedback scores (score, scale) per group name and under `team`: each score goes to its
/// deal's group, or, by customer, to the group of the account's latest-created deal. Scores
/// outside `range` (when dated) or matching no deal are left out. A score without a scale is
/// `nps_10` above 5, else `csat_5`.
pub fn feedback_by_group(
    f: &Feedback<'_>,
    set: &DealSet,
    account: &Coded,
    group: &[u32],
    names: &[String],
    range: Option<(i64, i64)>,
    team: &str,
) -> HashMap<String, Vec<(f64, String)>> {
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
    for (i, s) in f.score.iter().enumerate() {
        let Some(s) = *s else { continue };
        if let (Some((ps, pe)), Some(t)) = (range, f.at[i]) {
            if t < ps || t >= pe {
                continue;
            }
        }
        let d = f
            .deal
            .get(i)
            .and_then(|x| by_id.get(x).copied())
            .or_else(|| {
                f.customer
                    .get(i)
                    .and_then(|c| by_account.get(c).map(|x| x.1))
            });
        let Some(d) = d else { continue };
        let g = group[d];
        let key = if g == NONE {
            "(none)".to_string()
        } else {
            names[g as usize].clone()
        };
        let sc = f
            .scale
            .get(i)
            .unwrap_or(if s > 5.0 { "nps_10" } else { "csat_5" })
            .to_string();
        out.entry(key).or_default().push((s, sc.clone()));
        out.entry(team.to_string()).or_default().push((s, sc));
    }
    out
}

/// (average score, n, NPS when the scale is nps_10: % promoters 9-10 minus % detractors 0-6).
pub fn summarize_feedback(v: &[(f64, String)]) -> (f64, u64, Option<f64>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn coded(v: &[Option<&str>]) -> Coded {
        Coded::from_texts(v)
    }

    /// By hand: Ann calls on day 0 and emails on day 6; Bo visits (拜访) on day 3; a note by
    /// Ann has no time and is skipped. Without a period the weeks are (6 - 0 + 1) days / 7 = 1;
    /// with the period [day 1, day 15) only the email and the visit count, over 14 / 7 = 2 weeks.
    #[test]
    fn activities_are_counted_by_kind_and_weeks() {
        let owner = coded(&[Some("Ann"), Some("Ann"), Some("Bo"), Some("Ann")]);
        let kind = coded(&[Some("call"), Some(" Email"), Some("拜访"), Some("note")]);
        let at = [Some(0), Some(6 * DAY), Some(3 * DAY), None];
        let all = count_activities(&owner, &kind, &at, None);
        let ann = ActivityCounts {
            total: 2,
            calls: 1,
            emails: 1,
            weeks: 1.0,
            ..Default::default()
        };
        assert_eq!(all["Ann"], ann);
        assert_eq!((all["Bo"].total, all["Bo"].visits), (1, 1));
        let p = count_activities(&owner, &kind, &at, Some((DAY, 15 * DAY)));
        assert_eq!(
            (p["Ann"].total, p["Ann"].emails, p["Ann"].weeks),
            (1, 1, 2.0)
        );
        assert_eq!(p["Bo"].weeks, 2.0);
    }

    /// Scores 10, 9 and 6 on the NPS scale and 4 on CSAT: average 29 / 4 = 7.25 over 4; NPS
    /// from the three NPS scores: 2 promoters, 1 detractor, 100 x (2 - 1) / 3 = 33.33.
    #[test]
    fn feedback_average_and_nps() {
        let v: Vec<(f64, String)> = [
            (10.0, "nps_10"),
            (9.0, "nps_10"),
            (6.0, "nps_10"),
            (4.0, "csat_5"),
        ]
        .iter()
        .map(|(s, k)| (*s, k.to_string()))
        .collect();
        let (avg, n, nps) = summarize_feedback(&v);
        assert_eq!((avg, n), (7.25, 4));
        assert!((nps.unwrap() - 100.0 / 3.0).abs() < 1e-12);
    }
}
