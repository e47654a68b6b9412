//! The bottleneck report's tables: time in stage per stage, the ranked verdict, the stuck
//! deals, the amounts per currency and the loss reasons.

use super::*;

pub(super) fn key_cols(
    t: &mut TableBuilder,
    mp: bool,
    by: Option<&str>,
    pipe: Vec<String>,
    grp: Vec<Option<String>>,
) {
    t.col_if(mp, "pipeline", Unit::Text, pipe);
    if let Some(b) = by {
        t.col(b, Unit::Text, grp);
    }
}

pub(super) fn stages_table(rows: &[StageRow], mp: bool, by: Option<&str>) -> Result<ResultTable> {
    let mut t = TableBuilder::new("stages");
    key_cols(
        &mut t,
        mp,
        by,
        rows.iter().map(|r| r.pipeline.clone()).collect(),
        rows.iter().map(|r| r.group.clone()).collect(),
    );
    t.col(
        "stage",
        Unit::Text,
        rows.iter().map(|r| r.stage.clone()).collect::<Vec<_>>(),
    )
    .col(
        kpi::STEP_CONVERSION,
        Unit::Ratio,
        rows.iter().map(|r| r.step).collect::<Vec<_>>(),
    )
    .col(
        kpi::DEALS_NOW,
        Unit::Count,
        rows.iter().map(|r| r.now as i64).collect::<Vec<_>>(),
    )
    .col(
        kpi::MEDIAN_DAYS,
        Unit::Days,
        rows.iter().map(|r| r.time.median).collect::<Vec<_>>(),
    )
    .col(
        kpi::P75_DAYS,
        Unit::Days,
        rows.iter().map(|r| r.time.p75).collect::<Vec<_>>(),
    )
    .col(
        kpi::P90_DAYS,
        Unit::Days,
        rows.iter().map(|r| r.time.p90).collect::<Vec<_>>(),
    )
    .col(
        "max_observed_days",
        Unit::Days,
        rows.iter().map(|r| r.time.max_observed).collect::<Vec<_>>(),
    )
    .col(
        "n",
        Unit::Count,
        rows.iter().map(|r| r.time.n as i64).collect::<Vec<_>>(),
    )
    .col(
        "ended",
        Unit::Count,
        rows.iter().map(|r| r.time.ended as i64).collect::<Vec<_>>(),
    )
    .col(
        kpi::SLA_DAYS,
        Unit::Days,
        rows.iter().map(|r| r.sla).collect::<Vec<_>>(),
    )
    .col(
        kpi::SLA_BREACHES,
        Unit::Count,
        rows.iter()
            .map(|r| r.sla.map(|_| r.breaches as i64))
            .collect::<Vec<_>>(),
    );
    t.build()
}

/// The verdict table and its notes: every stage ranked by each rule ([`verdicts::verdicts`]),
/// the bottlenecks named in notes.
pub(super) fn verdict_table(
    rows: &[StageRow],
    team: &[Funnel],
    prev: &[Funnel],
    has_period: bool,
    mp: bool,
    by: Option<&str>,
) -> Result<(ResultTable, Vec<Note>)> {
    let baseline = if by.is_some() {
        Baseline::Team
    } else if has_period {
        Baseline::PreviousPeriod
    } else {
        Baseline::MeanStep
    };
    let out = verdicts::verdicts(rows, baseline, team, prev);
    let mut notes = Vec::new();
    if has_period && by.is_none() && prev.is_empty() {
        notes.push(Note::new(
            "no deals in the previous period: no conversion baseline",
            "上一期间无商机：无转化率基准",
        ));
    }
    for v in out.iter().filter(|v| v.bottleneck) {
        let who = v
            .group
            .as_deref()
            .map(|g| format!("{g}: "))
            .unwrap_or_default();
        notes.push(if v.is_conversion() {
            Note::new(
                format!("{who}bottleneck {:?} by {}: step {:.1}% vs {:.1}% ({:+.1} points)", v.stage, v.rule, v.value * 100.0, v.baseline * 100.0, v.difference * 100.0),
                format!("{who}瓶颈 {:?}（{}）：环节转化率 {:.1}% 对比 {:.1}%（{:+.1} 个百分点）", v.stage, rule_zh(v.rule), v.value * 100.0, v.baseline * 100.0, v.difference * 100.0),
            )
        } else {
            Note::new(
                format!("{who}bottleneck {:?} by time in stage: median {:.1} days vs {:.1} ({:+.1} days)", v.stage, v.value, v.baseline, v.difference),
                format!("{who}瓶颈 {:?}（停留时间）：中位数 {:.1} 天，对比 {:.1} 天（{:+.1} 天）", v.stage, v.value, v.baseline, v.difference),
            )
        });
    }
    let mut t = TableBuilder::new("verdict");
    t.col(
        "rank",
        Unit::Count,
        out.iter().map(|v| v.rank as i64).collect::<Vec<_>>(),
    );
    key_cols(
        &mut t,
        mp,
        by,
        out.iter().map(|v| v.pipeline.clone()).collect(),
        out.iter().map(|v| v.group.clone()).collect(),
    );
    t.col(
        "stage",
        Unit::Text,
        out.iter().map(|v| v.stage.clone()).collect::<Vec<_>>(),
    )
    .col(
        "rule",
        Unit::Text,
        out.iter().map(|v| v.rule.to_string()).collect::<Vec<_>>(),
    );
    // Conversion rules compare rates (shown as percentages), time rules compare days.
    let units: Vec<Unit> = out
        .iter()
        .map(|v| {
            if v.is_conversion() {
                Unit::Ratio
            } else {
                Unit::Days
            }
        })
        .collect();
    t.col_units(
        "value",
        units.clone(),
        out.iter().map(|v| v.value).collect::<Vec<_>>(),
    )
    .col_units(
        "baseline",
        units.clone(),
        out.iter().map(|v| v.baseline).collect::<Vec<_>>(),
    )
    .col_units(
        "difference",
        units,
        out.iter().map(|v| v.difference).collect::<Vec<_>>(),
    )
    .col(
        "verdict",
        Unit::Text,
        out.iter()
            .map(|v| if v.bottleneck { "bottleneck" } else { "" }.to_string())
            .collect::<Vec<_>>(),
    );
    Ok((t.build()?, notes))
}

pub(super) fn stuck_table(
    set: &DealSet,
    deals: Option<&DataFrame>,
    rows: &[StageRow],
    sla: &BTreeMap<(String, usize), f64>,
    as_of_ms: i64,
    n: usize,
) -> Result<ResultTable> {
    let empty = DataFrame::empty();
    let df = deals.unwrap_or(&empty);
    let name = engine::coded(df, "deal_name")?;
    let owner = engine::coded(df, "owner")?;
    // p90 per (pipeline, stage) over all groups' rows (the team's, when --by).
    let mut p90: BTreeMap<(String, usize), f64> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.group.is_none()) {
        if let Some(p) = r.time.p90 {
            p90.insert((r.pipeline.clone(), r.k), p);
        }
    }
    struct S {
        d: usize,
        k: usize,
        age: f64,
        limit: f64,
        basis: &'static str,
    }
    let mut list: Vec<S> = Vec::new();
    for d in 0..set.len() {
        let Some((k, age)) = timing::stage_age(set, d, as_of_ms) else {
            continue;
        };
        let key = (set.pipeline_name(d).to_string(), k);
        let (limit, basis) = match (sla.get(&key), p90.get(&key)) {
            (Some(l), _) => (*l, "sla"),
            (None, Some(p)) => (*p, "p90"),
            _ => continue,
        };
        if age > limit {
            list.push(S {
                d,
                k,
                age,
                limit,
                basis,
            });
        }
    }
    // Longest past the limit first; ties by deal id, so that the list does not depend on the
    // order of the input's rows (a raw export and the DIR ingested from it give the same).
    let over = |s: &S| s.age - s.limit;
    list.sort_by(|a, b| over(b).total_cmp(&over(a)));
    if let Some(cut) = list.get(n.saturating_sub(1)).map(over) {
        let keep = list.iter().take_while(|s| over(s) >= cut).count();
        list.truncate(keep);
    }
    let mut keyed: Vec<(String, S)> = list.into_iter().map(|s| (set.id(s.d), s)).collect();
    keyed.sort_by(|(ia, a), (ib, b)| over(b).total_cmp(&over(a)).then_with(|| ia.cmp(ib)));
    let mut list: Vec<S> = keyed.into_iter().map(|(_, s)| s).collect();
    list.truncate(n);
    let get = |c: &engine::Coded, d: usize| {
        if d < set.n_rows {
            c.get(d).map(str::to_string)
        } else {
            None
        }
    };
    let mut t = TableBuilder::new("stuck");
    t.col(
        "deal_id",
        Unit::Text,
        list.iter().map(|s| set.id(s.d)).collect::<Vec<_>>(),
    )
    .col(
        "deal_name",
        Unit::Text,
        list.iter().map(|s| get(&name, s.d)).collect::<Vec<_>>(),
    )
    .col(
        "owner",
        Unit::Text,
        list.iter().map(|s| get(&owner, s.d)).collect::<Vec<_>>(),
    )
    .col(
        "stage",
        Unit::Text,
        list.iter()
            .map(|s| set.stages(s.d).map(|st| st[s.k].clone()))
            .collect::<Vec<_>>(),
    )
    .col(
        "days_in_stage",
        Unit::Days,
        list.iter().map(|s| s.age).collect::<Vec<_>>(),
    )
    .col(
        "limit_days",
        Unit::Days,
        list.iter().map(|s| s.limit).collect::<Vec<_>>(),
    )
    .col(
        "limit_basis",
        Unit::Text,
        list.iter().map(|s| s.basis.to_string()).collect::<Vec<_>>(),
    )
    .col(
        "amount",
        Unit::Money,
        list.iter().map(|s| set.amount(s.d)).collect::<Vec<_>>(),
    )
    .col(
        "currency",
        Unit::Text,
        list.iter()
            .map(|s| set.currency(s.d).to_string())
            .collect::<Vec<_>>(),
    );
    t.build()
}

pub(super) fn per_currency<'a>(
    rows: impl Iterator<Item = Tally<'a>>,
    total: f64,
) -> (
    Vec<String>,
    Vec<i64>,
    Vec<f64>,
    Vec<Option<f64>>,
    Vec<Option<String>>,
) {
    let (mut label, mut count, mut share, mut amount, mut cur) =
        (vec![], vec![], vec![], vec![], vec![]);
    for ((n, amt), l) in rows {
        let amts: Vec<(Option<String>, Option<f64>)> = if amt.is_empty() {
            vec![(None, None)]
        } else {
            amt.iter()
                .map(|(c, a)| (Some(c.clone()), Some(*a)))
                .collect()
        };
        for (c, a) in amts {
            label.push(l.clone());
            count.push(*n as i64);
            share.push(*n as f64 / total);
            amount.push(a);
            cur.push(c);
        }
    }
    (label, count, share, amount, cur)
}

pub(super) fn reasons_tables(
    r: &timing::Reasons,
    set: &DealSet,
    mp: bool,
) -> Result<Vec<ResultTable>> {
    let total = r.lost.max(1) as f64;
    let mut by_reason: Vec<(&String, &(u64, BTreeMap<String, f64>))> = r.by_reason.iter().collect();
    by_reason.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let (reason, count, share, amount, cur) = per_currency(
        by_reason.into_iter().map(|(why, t)| (t, why.clone())),
        total,
    );
    let mut t1 = TableBuilder::new("reasons");
    t1.col("lost_reason", Unit::Text, reason)
        .col(kpi::LOST_COUNT, Unit::Count, count)
        .col(kpi::SHARE, Unit::Ratio, share)
        .col(kpi::LOST_AMOUNT, Unit::Money, amount)
        .col("currency", Unit::Text, cur);
    let label = |p: &str, k: &Option<usize>| match k {
        Some(k) => set
            .pipelines
            .stages(p)
            .and_then(|s| s.get(*k))
            .cloned()
            .unwrap_or_default(),
        None => "(unknown: no history)".to_string(),
    };
    let pipes: Vec<String> = r
        .by_stage
        .iter()
        .flat_map(|((p, _), (_, amt))| std::iter::repeat_n(p.clone(), amt.len().max(1)))
        .collect();
    let (stage, count, share, amount, cur) =
        per_currency(r.by_stage.iter().map(|((p, k), t)| (t, label(p, k))), total);
    let mut t2 = TableBuilder::new("lost_from");
    t2.col_if(mp, "pipeline", Unit::Text, pipes)
        .col("lost_from", Unit::Text, stage)
        .col(kpi::LOST_COUNT, Unit::Count, count)
        .col(kpi::SHARE, Unit::Ratio, share)
        .col(kpi::LOST_AMOUNT, Unit::Money, amount)
        .col("currency", Unit::Text, cur);
    Ok(vec![t1.build()?, t2.build()?])
}
