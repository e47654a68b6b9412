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

mod tables;

use tables::*;

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

/// Rows of (label, count, amount per currency) split per currency, amounts never summed across.
type Tally<'a> = (&'a (u64, BTreeMap<String, f64>), String);

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
