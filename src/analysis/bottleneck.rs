//! `salesctl bottleneck INPUT`: per stage, conversion, deals now in the stage, time in stage
//! (Kaplan-Meier, open deals censored at as-of), SLA breaches, and a ranked verdict.
//!
//! Tables: `stages` (main), `verdict`, and with flags `stuck` (--stuck N), `reasons` and
//! `lost_from` (--reasons).

use crate::model::kpi;
use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use crate::analysis::{self, Built, by_codes, parse_duration_days};
use crate::columns::deals::DealSet;
use crate::columns::engine::{self, NONE};
use crate::error::{Error, Result};
use crate::load::{self};
use crate::metrics::bottleneck::{self as verdicts, Baseline, StageRow};
use crate::metrics::funnel::{self, Funnel};
use crate::metrics::timing;
use crate::output::chart::{Chart, ChartSpec};
use crate::output::{Note, Report, ResultTable, TableBuilder, Unit};
use crate::text::Lang;

pub(crate) use crate::cli::bottleneck::Args;

pub(crate) const DEAL_COLS: &[&str] = &[
    "deal_id",
    "deal_name",
    "owner",
    "pipeline",
    "stage",
    "status",
    "amount",
    "currency",
    "created_at",
    "closed_at",
    "stage_entered_at",
    "lost_reason",
];

/// Where the funnel leaks, of a loaded input (its deal set built here, the dataset left whole).
pub(crate) fn build(a: &Args, ds: &crate::load::Dataset) -> Result<Built> {
    let (deals, set) = analysis::staged_deal_set(ds, DEAL_COLS, a.by.as_deref())?;
    build_with(a, ds, deals.as_ref(), &set)
}

pub(crate) fn build_with(
    a: &Args,
    ds: &crate::load::Dataset,
    deals: Option<&polars::prelude::DataFrame>,
    set: &DealSet,
) -> Result<Built> {
    let lang = analysis::lang(&a.out, ds)?;
    let period = a
        .period
        .resolve(ds.as_of, ds.calendar())
        .map_err(Error::usage)
        .and_then(|p| crate::analysis::period_in_data(p, ds))?;
    let as_of_ms = crate::period::date_ms(ds.as_of) + 86_400_000;
    let sla = sla_limits(a, ds, set)?;
    let by = match &a.by {
        Some(f) => Some(by_codes(set, deals, f, ds)?),
        None => None,
    };
    let created_in = period.as_ref().map(|p| p.millis());
    let include: Option<Vec<bool>> = created_in.map(|(s, e)| {
        (0..set.len())
            .map(|d| set.created_at(d).is_some_and(|c| c >= s && c < e))
            .collect()
    });
    let tp = timing::Params {
        as_of_ms,
        cumulative: a.cumulative,
        include: include.clone(),
    };

    // Conversion: this period (or all), the previous period, the team (for --by).
    let fp = funnel::Params {
        created_in,
        ..Default::default()
    };
    let (team, _) = funnel::compute(set, &fp);
    let prev: Vec<Funnel> = match &period {
        Some(p) => {
            funnel::compute(
                set,
                &funnel::Params {
                    created_in: Some(p.previous().millis()),
                    ..Default::default()
                },
            )
            .0
        }
        None => vec![],
    };
    let grouped: Vec<Funnel> = match &by {
        Some(b) => {
            funnel::compute(
                set,
                &funnel::Params {
                    created_in,
                    by: Some(b.clone()),
                    ..Default::default()
                },
            )
            .0
        }
        None => team.clone(),
    };

    let rows = stage_rows(set, &grouped, by.as_ref(), &sla, &tp);

    let mp = rows.iter().any(|r| r.pipeline != "default");
    let mut tables = vec![stages_table(&rows, mp, a.by.as_deref())?];
    let (verdict, verdict_notes) =
        verdict_table(&rows, &team, &prev, period.is_some(), mp, a.by.as_deref())?;
    tables.push(verdict);
    if let Some(n) = a.stuck {
        tables.push(stuck_table(set, deals, &rows, &sla, as_of_ms, n)?);
    }
    if a.reasons {
        let reason = match deals {
            Some(df) => engine::coded(df, "lost_reason")?,
            None => engine::Coded::default(),
        };
        let r = timing::reasons(set, &reason, period.as_ref().map(|p| p.millis()));
        tables.extend(reasons_tables(&r, set, mp)?);
    }
    let mut notes = analysis::base_notes_text(
        ds,
        period.as_ref(),
        &crate::tr!(
            "created_at (conversion, time in stage); closed_at (lost reasons)",
            "created_at（转化率、阶段停留时间）；closed_at（输单原因）"
        ),
    );
    notes.push(Note::new(
        format!(
            "time in stage: {} visit, Kaplan-Meier median / p75 / p90 with open deals censored at as-of; empty = the curve never falls that far (> max observed, see max_observed_days)",
            if a.cumulative { "all visits summed per deal (cumulative)" } else { "latest" }
        ),
        format!(
            "阶段停留时间：{}，Kaplan-Meier 中位数 / P75 / P90，在途商机在截至日删失；空值 = 生存曲线未降到该水平（大于最大观测值，见 max_observed_days）",
            if a.cumulative { "每个商机多次停留合计" } else { "最近一次停留" }
        ),
    ));
    notes.extend(verdict_notes);
    notes.extend(history_notes(set));
    let report = Report {
        tables,
        notes,
        title: Some(Note::new("Time in stage", "阶段停留时间")),
    };
    let chart = a.out.chart.as_ref().map(|_| chart_of(&rows, lang));
    Ok(Built { report, chart })
}

/// One row per (pipeline, group, open stage): the step conversion of its funnel, deals in the
/// stage now, time in stage (Kaplan-Meier) and SLA breaches.
fn stage_rows(
    set: &DealSet,
    grouped: &[Funnel],
    by: Option<&(Vec<u32>, Vec<String>)>,
    sla: &BTreeMap<(String, usize), f64>,
    tp: &timing::Params,
) -> Vec<StageRow> {
    let as_of_ms = tp.as_of_ms;
    // Each deal's (pipeline, group) bucket, once: every funnel below reads only its members.
    let mut members: HashMap<(&str, u32), Vec<usize>> = HashMap::new();
    for d in 0..set.len() {
        let g = by.map_or(NONE, |(codes, _)| codes[d]);
        members
            .entry((set.pipeline_name(d), g))
            .or_default()
            .push(d);
    }
    let code_of: HashMap<&str, u32> = by
        .map(|(_, names)| {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.as_str(), i as u32))
                .collect()
        })
        .unwrap_or_default();
    let mut rows: Vec<StageRow> = Vec::new();
    for f in grouped {
        let g = f
            .group
            .as_deref()
            .and_then(|g| code_of.get(g).copied())
            .unwrap_or(NONE);
        let mine: &[usize] = members
            .get(&(f.pipeline.as_str(), g))
            .map_or(&[], Vec::as_slice);
        let n_open = f.stages.len() - 1;
        let times = timing::stage_times(&timing::observations(set, mine, n_open, tp));
        let mut now = vec![0u64; n_open];
        let mut breaches = vec![0u64; n_open];
        for &d in mine {
            if let Some((k, age)) = timing::stage_age(set, d, as_of_ms) {
                now[k] += 1;
                if sla
                    .get(&(f.pipeline.clone(), k))
                    .is_some_and(|lim| age > *lim)
                {
                    breaches[k] += 1;
                }
            }
        }
        for k in 0..n_open {
            rows.push(StageRow {
                pipeline: f.pipeline.clone(),
                group: f.group.clone(),
                stage: f.stages[k].clone(),
                k,
                step: f.step(k),
                now: now[k],
                time: times[k].clone(),
                sla: sla.get(&(f.pipeline.clone(), k)).copied(),
                breaches: breaches[k],
            });
        }
    }

    rows
}

/// Notes on where the stage history came from: none (times from open deals only), or entries
/// known only between two snapshots.
fn history_notes(set: &DealSet) -> Vec<Note> {
    let mut notes = Vec::new();
    if set.events.is_empty() {
        notes.push(Note::new(
            "no stage history: time in stage uses open deals' stage-entered dates only (all censored), conversion is implied from current stages",
            "无阶段历史：停留时间仅来自在途商机的进入阶段日期（全部删失），转化率由当前阶段推断",
        ));
    }
    if set.events.interval_midpoints > 0 {
        notes.push(Note::new(
            format!(
                "{} stage entries known only between two snapshots: their midpoint used",
                set.events.interval_midpoints
            ),
            format!(
                "{} 个阶段进入时间仅知在两次快照之间：取中点",
                set.events.interval_midpoints
            ),
        ));
    }
    notes
}

/// SLA limits in days per (pipeline, stage index): config `[sla]`, then `--sla`.
/// A verdict rule in Chinese (notes; the `rule` column keeps its id).
fn rule_zh(rule: &str) -> &str {
    match rule {
        verdicts::VS_TEAM => "转化率对比团队",
        verdicts::VS_PREVIOUS => "转化率对比上一期间",
        verdicts::VS_MEAN_STEP => "转化率对比管道平均环节转化率",
        verdicts::TIME_VS_MEDIAN => "停留时间对比各阶段中位数",
        other => other,
    }
}

fn sla_limits(
    a: &Args,
    ds: &load::Dataset,
    set: &DealSet,
) -> Result<BTreeMap<(String, usize), f64>> {
    let mut spec: Vec<(String, String)> = ds
        .settings
        .config
        .sla
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(s) = &a.sla {
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (st, d) = part.rsplit_once('=').ok_or_else(|| {
                Error::usage(crate::tr!(
                    "--sla {part:?}: expected STAGE=DURATION, e.g. Proposal=7d",
                    "--sla {part:?}：应为 STAGE=DURATION，例如 Proposal=7d"
                ))
            })?;
            spec.retain(|(k, _)| !k.trim().eq_ignore_ascii_case(st.trim()));
            spec.push((st.trim().to_string(), d.trim().to_string()));
        }
    }
    let mut out = BTreeMap::new();
    for (stage, dur) in spec {
        let days = parse_duration_days(&dur).map_err(|e| {
            Error::usage(crate::text::Text::new(
                format!("SLA for {stage:?}: {}", e.en),
                format!("阶段 {stage:?} 的 SLA：{}", e.get(Lang::ZhCn)),
            ))
        })?;
        let mut found = false;
        for (p, list) in &set.pipelines.lists {
            if let Some(k) = list
                .iter()
                .position(|s| s.trim().eq_ignore_ascii_case(&stage))
            {
                out.insert((p.clone(), k), days);
                found = true;
            }
        }
        if !found {
            let all: Vec<&str> = set
                .pipelines
                .lists
                .values()
                .flatten()
                .map(String::as_str)
                .collect();
            let all = all.join(", ");
            return Err(Error::usage(crate::tr!(
                "SLA for unknown stage {stage:?}; stages: {all}",
                "SLA 指定了未知阶段 {stage:?}；现有阶段：{all}"
            )));
        }
    }
    // A "default" list stands for every pipeline the deals use.
    if let Some(def) = set.pipelines.lists.get("default") {
        let names: std::collections::BTreeSet<String> = (0..set.len())
            .map(|d| set.pipeline_name(d).to_string())
            .collect();
        for n in names {
            if !set.pipelines.lists.contains_key(&n) {
                for k in 0..def.len() {
                    if let Some(v) = out.get(&("default".to_string(), k)).copied() {
                        out.insert((n.clone(), k), v);
                    }
                }
            }
        }
    }
    Ok(out)
}

fn key_cols(
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

fn stages_table(rows: &[StageRow], mp: bool, by: Option<&str>) -> Result<ResultTable> {
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
fn verdict_table(
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

fn stuck_table(
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

/// Rows of (label, count, amount per currency) split per currency, amounts never summed across.
type Tally<'a> = (&'a (u64, BTreeMap<String, f64>), String);

fn per_currency<'a>(
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

fn reasons_tables(r: &timing::Reasons, set: &DealSet, mp: bool) -> Result<Vec<ResultTable>> {
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

fn chart_of(rows: &[StageRow], lang: Lang) -> ChartSpec {
    let first = rows.first().map(|r| (r.pipeline.clone(), r.group.clone()));
    let rs: Vec<&StageRow> = rows
        .iter()
        .filter(|r| Some((r.pipeline.clone(), r.group.clone())) == first)
        .collect();
    ChartSpec {
        lang,
        chart: Chart::Quantiles {
            labels: rs.iter().map(|r| r.stage.clone()).collect(),
            p50: rs.iter().map(|r| r.time.median.unwrap_or(0.0)).collect(),
            p90: rs
                .iter()
                .map(|r| r.time.p90.or(r.time.max_observed).unwrap_or(0.0))
                .collect(),
        },
        title: match lang {
            Lang::En => "Time in stage (median and p90)".into(),
            Lang::ZhCn => "阶段停留时间（中位数与P90）".into(),
        },
        // Horizontal bars: the value axis is x.
        x_label: match lang {
            Lang::En => "days in stage".into(),
            Lang::ZhCn => "停留天数".into(),
        },
        y_label: match lang {
            Lang::En => "days".into(),
            Lang::ZhCn => "天".into(),
        },
    }
}
