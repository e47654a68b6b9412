//! The scorecard's typed lines: one per rep (or group) and the team's, each KPI computed from
//! the accumulators; the team KPIs report reads; ranking by a KPI.

use super::*;

/// The one currency of the team's money KPIs ("" with none), or None with several.
pub(crate) fn single_currency(team: &Acc) -> Option<String> {
    let mut currencies: BTreeMap<String, ()> = BTreeMap::new();
    for m in [&team.won_amount, &team.open_pipeline, &team.lost_amount] {
        for c in m.keys() {
            currencies.insert(c.clone(), ());
        }
    }
    match currencies.len() {
        0 => Some(String::new()),
        1 => currencies.keys().next().cloned(),
        _ => None,
    }
}

/// What a scorecard line is made from, beside its accumulator.
pub(crate) struct LineInputs<'a> {
    pub(crate) wr: WinRate,
    /// The one currency of the money KPIs; None with several.
    pub(crate) single: Option<&'a str>,
    pub(crate) targets: Option<&'a analysis::Targets>,
    pub(crate) period: Option<(i64, i64)>,
    pub(crate) activities: Option<&'a std::collections::HashMap<String, ActivityCounts>>,
    pub(crate) feedback: Option<&'a std::collections::HashMap<String, Vec<(f64, String)>>>,
}

/// The scorecard's typed lines from accumulated KPIs: one per group, sorted by name ("(none)"
/// for deals without one), and the team's. `check` reads its rule values from these, so a rule
/// and the scorecard never disagree.
pub(crate) fn lines_of(
    i: &LineInputs,
    by: &HashMap<u32, Acc>,
    names: &[String],
    team: &Acc,
) -> (Vec<Line>, Line) {
    let mut lines: Vec<Line> = by
        .iter()
        .filter(|(c, _)| **c != NONE)
        .map(|(c, acc)| make_line(i, &names[*c as usize], acc))
        .collect();
    if let Some(acc) = by.get(&NONE) {
        lines.push(make_line(i, "(none)", acc));
    }
    lines.sort_by(|x, y| x.key.cmp(&y.key));
    (lines, make_line(i, TEAM, team))
}

/// One output row: a rep's (or with `key` = TEAM, the team's) KPIs, target, attainment,
/// coverage, activities and feedback.
pub(super) fn make_line(i: &LineInputs, key: &str, acc: &Acc) -> Line {
    let k = scorecard::kpis(acc, i.wr, i.single.unwrap_or(""));
    let k = if i.single.is_none() {
        Kpis {
            won_amount: None,
            avg_won_deal: None,
            open_pipeline: None,
            weighted_pipeline: None,
            sales_velocity: None,
            currency: Some("(several)".into()),
            ..k
        }
    } else {
        k
    };
    let target = i.targets.map(|t| {
        if key == TEAM {
            // Summed in key order: a map's own order changes run to run, and with it the
            // last bits of the sum.
            let mut keys: Vec<&String> = t.keys().collect();
            keys.sort();
            keys.iter()
                .map(|k| scorecard::rolled_target(&t[*k], i.period))
                .sum()
        } else {
            t.get(key)
                .map_or(0.0, |v| scorecard::rolled_target(v, i.period))
        }
    });
    let target = target.filter(|t| *t > 0.0);
    let won = k.won_amount;
    let attainment = match (target, won) {
        (Some(t), Some(w)) => Some(w / t),
        _ => None,
    };
    let target_met = match (target, won) {
        (Some(t), Some(w)) => Some(w >= t),
        _ => None,
    };
    let closing = acc
        .closing_in_period
        .get(i.single.unwrap_or(""))
        .copied()
        .unwrap_or(0.0);
    let coverage = match (target, won) {
        (Some(t), Some(w)) if w < t => Some(closing / (t - w)),
        _ => None,
    };
    let activities = i.activities.map(|m| {
        if key == TEAM {
            let mut s = ActivityCounts::default();
            for v in m.values() {
                s.total += v.total;
                s.calls += v.calls;
                s.visits += v.visits;
                s.emails += v.emails;
                s.meetings += v.meetings;
                s.weeks = v.weeks;
            }
            s
        } else {
            m.get(key).cloned().unwrap_or_else(|| ActivityCounts {
                weeks: m.values().next().map_or(0.0, |v| v.weeks),
                ..Default::default()
            })
        }
    });
    let feedback = i
        .feedback
        .and_then(|m| m.get(key).map(|v| summarize_feedback(v)));
    Line {
        key: key.to_string(),
        k,
        target,
        attainment,
        coverage,
        target_met,
        activities,
        feedback,
    }
}

/// The team's typed KPIs (and with several currencies, its money KPIs per currency).
pub(super) fn team_of(team_line: &Line, team: &Acc, single: Option<&str>, wr: WinRate) -> Team {
    Team {
        kpis: team_line.k.clone(),
        per_currency: match single {
            Some(_) => Vec::new(),
            None => {
                let mut cs: Vec<&String> = team
                    .won_amount
                    .keys()
                    .chain(team.open_pipeline.keys())
                    .collect();
                cs.sort();
                cs.dedup();
                cs.into_iter()
                    .map(|c| (c.clone(), scorecard::kpis(team, wr, c)))
                    .collect()
            }
        },
    }
}

/// The value of a KPI on a line, for ranking, cards and `check`'s rules.
pub(crate) fn value(l: &Line, kpi: &str) -> Option<f64> {
    Some(match kpi {
        "target" => l.target?,
        kpi::ATTAINMENT => l.attainment?,
        kpi::PIPELINE_COVERAGE => l.coverage?,
        "activities" => l.activities.as_ref()?.total as f64,
        "feedback_avg" => l.feedback?.0,
        _ => return l.k.get(kpi),
    })
}

/// `--rank KPI`: best first; nulls last; on rate KPIs low_n rows after solid ones.
pub(super) fn rank_lines(lines: &mut [Line], kpi: &str) -> Result<()> {
    if !scorecard::KPI_IDS.contains(&kpi) && !LINE_KPIS.contains(&kpi) {
        let all: Vec<&str> = scorecard::KPI_IDS
            .iter()
            .chain(LINE_KPIS)
            .copied()
            .collect();
        let all = all.join(", ");
        return Err(Error::usage(crate::tr!(
            "--rank {kpi:?}: not a scorecard KPI; one of {all}",
            "--rank {kpi:?}：不是记分卡 KPI；可选：{all}"
        )));
    }
    let lower = LOWER_BETTER.contains(&kpi);
    let rate = RATE_KPIS.contains(&kpi);
    lines.sort_by(|x, y| {
        let (vx, vy) = (value(x, kpi), value(y, kpi));
        let solid = |l: &Line| !(rate && l.k.low_n);
        solid(y)
            .cmp(&solid(x))
            .then_with(|| vx.is_none().cmp(&vy.is_none()))
            .then_with(|| {
                let (a, b) = (vx.unwrap_or(0.0), vy.unwrap_or(0.0));
                if lower {
                    a.total_cmp(&b)
                } else {
                    b.total_cmp(&a)
                }
            })
            .then_with(|| x.key.cmp(&y.key))
    });
    Ok(())
}
