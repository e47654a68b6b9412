//! `salesctl funnel INPUT`: stage conversion, one row per stage in pipeline order.
//!
//! Tables: `funnel` (main) and `amounts` (amount reaching each stage, per currency).

use crate::analysis::{self, Built, by_codes, parse_duration_days};
use crate::columns::deals::DealSet;
use crate::error::{Error, Result};
use crate::metrics::funnel::{self, Cohort, Funnel, Params};
use crate::model::kpi;
use crate::output::chart::{Chart, ChartSpec};
use crate::output::{Note, Report, ResultTable, TableBuilder, Unit};
use crate::text::Lang;

pub(crate) use crate::cli::funnel::Args;

pub(crate) const DEAL_COLS: &[&str] = &[
    "deal_id",
    "pipeline",
    "stage",
    "status",
    "amount",
    "currency",
    "created_at",
    "closed_at",
    "stage_entered_at",
];

/// The funnel of a loaded input (its deal set built here, the dataset left whole).
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
    let period = a
        .period
        .resolve(ds.as_of, ds.calendar())
        .map_err(Error::usage)
        .and_then(|p| analysis::period_in_data(p, ds))?;
    let by = match &a.by {
        Some(f) => Some(by_codes(set, deals, f, ds)?),
        None => None,
    };
    let window_ms = match &a.window {
        Some(w) => Some(
            (parse_duration_days(w)
                .map_err(|e| Error::usage(e.map(|m| format!("--window {m}"))))?
                * 86_400_000.0) as i64,
        ),
        None => None,
    };
    let params = Params {
        in_order: a.in_order,
        value: a.value,
        created_in: period.as_ref().map(|p| p.millis()),
        cohort: a.cohort.map(|c| c.as_str()).and_then(Cohort::parse),
        window_ms,
        by,
    };
    let t = crate::timing::span("funnel: compute");
    let (funnels, st) = funnel::compute(set, &params);
    drop(t);
    unknown_stage_rule(&st, set, ds, &a.max_unknown_stages)?;
    let lang = analysis::lang(&a.out, ds)?;
    let mut notes = analysis::base_notes(ds, period.as_ref(), "created_at");
    notes.extend(funnel_notes(&st, &funnels, a, set));
    let report = Report {
        tables: vec![main_table(&funnels, a)?, amounts_table(&funnels, a)?],
        notes,
        title: Some(Note::new("Stage funnel", "销售漏斗")),
    };
    let chart = if a.out.chart.is_none() {
        None
    } else if funnels.is_empty() {
        crate::warn::emit_text(&crate::tr!(
            "--chart: no deals in the funnel, no chart drawn",
            "--chart：漏斗中没有商机，未绘制图表"
        ));
        None
    } else {
        Some(chart_of(&funnels, lang))
    };
    Ok(Built { report, chart })
}

/// More deals at stages in no stage list than `max` allows: a refusal with the labels seen and
/// a ready-to-paste `--stages` (the known order, then the unknown labels to put in place).
fn unknown_stage_rule(
    st: &funnel::Stats,
    set: &DealSet,
    ds: &crate::load::Dataset,
    max: &str,
) -> Result<()> {
    let share = match crate::load::MaxRejects::parse(max) {
        Ok(crate::load::MaxRejects::Share(p)) => p,
        _ => {
            return Err(Error::usage(crate::tr!(
                "--max-unknown-stages {max:?}: expected a share such as 5%",
                "--max-unknown-stages {max:?}：应为比例，如 5%"
            )));
        }
    };
    let total = st.deals + st.no_position;
    if st.no_position == 0 || (st.no_position as f64) <= share * total as f64 + 1e-9 {
        return Ok(());
    }
    let mut stages: Vec<String> = ds
        .manifest
        .pipelines
        .get("default")
        .or_else(|| ds.manifest.pipelines.values().next())
        .cloned()
        .unwrap_or_default();
    let (mut seen, mut seen_zh) = (Vec::new(), Vec::new());
    for (label, c) in &set.unknown_stages {
        seen.push(format!("{label:?} ({c})"));
        seen_zh.push(format!("{label:?}（{c}）"));
        if !stages.contains(label) {
            stages.push(label.clone());
        }
    }
    let (n, pct) = (
        st.no_position,
        100.0 * st.no_position as f64 / total.max(1) as f64,
    );
    let (seen, seen_zh, stages) = (seen.join(", "), seen_zh.join("，"), stages.join(","));
    Err(Error::usage(crate::tr!(
        "{n} of {total} deals ({pct:.1}%) are at stages in no stage list: {seen}; nothing was computed. \
         Put each in its place in the stage order, e.g. --stages \"{stages}\" (or `[stages]` in salesctl.toml), \
         or allow it with --max-unknown-stages 100%",
        "{total} 个商机中有 {n} 个（{pct:.1}%）处于不在任何阶段列表中的阶段：{seen_zh}；未计算任何结果。\
         请把每个阶段放到阶段顺序中的相应位置，例如 --stages \"{stages}\"（或 salesctl.toml 中的 `[stages]`），\
         或用 --max-unknown-stages 100% 允许这种情况"
    )))
}

fn multi_pipeline(f: &[Funnel]) -> bool {
    f.iter().any(|x| x.pipeline != "default")
}

fn main_table(funnels: &[Funnel], a: &Args) -> Result<ResultTable> {
    let mp = multi_pipeline(funnels);
    let (mut pipe, mut grp, mut coh, mut open_share) = (vec![], vec![], vec![], vec![]);
    let (mut stage, mut reached, mut step, mut cum, mut drop) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut amount, mut currency, mut basis) = (vec![], vec![], vec![]);
    for f in funnels {
        let single = if f.amount.len() == 1 {
            f.amount.iter().next()
        } else {
            None
        };
        for k in 0..f.stages.len() {
            pipe.push(f.pipeline.clone());
            grp.push(f.group.clone());
            coh.push(f.cohort.clone());
            open_share.push(f.open_share());
            stage.push(f.stages[k].clone());
            reached.push(f.reached[k]);
            step.push(f.step(k));
            cum.push(f.cumulative(k));
            drop.push(f.drop_off(k));
            if a.value {
                currency.push(f.currency.clone());
            } else {
                amount.push(single.map(|(_, v)| v[k]));
                currency.push(
                    single
                        .map(|(c, _)| c.clone())
                        .or_else(|| (f.amount.len() > 1).then(|| "(several)".to_string())),
                );
            }
            basis.push(if f.mixed_basis {
                "history+implied"
            } else {
                f.basis.as_str()
            });
        }
    }
    let mut t = TableBuilder::new("funnel");
    t.col_if(mp, "pipeline", Unit::Text, pipe);
    if let Some(b) = &a.by {
        t.col(b, Unit::Text, grp);
    }
    t.col_if(a.cohort.is_some(), "cohort", Unit::Text, coh);
    t.col_if(a.cohort.is_some(), kpi::OPEN_SHARE, Unit::Ratio, open_share);
    t.col("stage", Unit::Text, stage);
    if a.value {
        t.col("amount", Unit::Money, reached);
    } else {
        t.col(
            kpi::DEALS,
            Unit::Count,
            reached.iter().map(|x| *x as i64).collect::<Vec<_>>(),
        );
    }
    t.col(kpi::STEP_CONVERSION, Unit::Ratio, step)
        .col(kpi::CUMULATIVE_CONVERSION, Unit::Ratio, cum)
        .col(kpi::DROP_OFF, Unit::Ratio, drop);
    t.col_if(!a.value, "amount", Unit::Money, amount);
    t.col("currency", Unit::Text, currency)
        .col("basis", Unit::Text, basis);
    t.build()
}

/// Amount reaching each stage, per currency (long format): never summed across currencies.
fn amounts_table(funnels: &[Funnel], a: &Args) -> Result<ResultTable> {
    let mp = multi_pipeline(funnels);
    let (mut pipe, mut grp, mut coh, mut stage, mut cur, mut amt) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for f in funnels {
        for (c, v) in &f.amount {
            for (k, x) in v.iter().enumerate() {
                pipe.push(f.pipeline.clone());
                grp.push(f.group.clone());
                coh.push(f.cohort.clone());
                stage.push(f.stages[k].clone());
                cur.push(c.clone());
                amt.push(*x);
            }
        }
    }
    let mut t = TableBuilder::new("amounts");
    t.col_if(mp, "pipeline", Unit::Text, pipe);
    if let Some(b) = &a.by {
        t.col(b, Unit::Text, grp);
    }
    t.col_if(a.cohort.is_some(), "cohort", Unit::Text, coh);
    t.col("stage", Unit::Text, stage)
        .col("currency", Unit::Text, cur)
        .col("amount", Unit::Money, amt);
    t.build()
}

fn funnel_notes(st: &funnel::Stats, funnels: &[Funnel], a: &Args, set: &DealSet) -> Vec<Note> {
    let mut n = Vec::new();
    n.push(Note::new(
        format!(
            "{} funnel{}: {} deals; basis: {} from stage history, {} implied from the current stage",
            if a.in_order { "in-order" } else { "any-order" },
            if a.value { " by amount (per currency)" } else { "" },
            st.deals,
            st.history,
            st.implied
        ),
        format!(
            "{}漏斗{}：{} 个商机；依据：{} 个来自阶段历史，{} 个由当前阶段推断",
            if a.in_order { "按序" } else { "任意顺序" },
            if a.value { "（按金额，分币种）" } else { "" },
            st.deals,
            st.history,
            st.implied
        ),
    ));
    n.push(Note::new(
        "step_conversion = reached(k) / reached(k-1); cumulative_conversion = reached(k) / reached(first); drop_off = 1 - step",
        "环节转化率 = 到达(k) / 到达(k-1)；累计转化率 = 到达(k) / 到达(第一阶段)；流失率 = 1 - 环节转化率",
    ));
    if st.lost_placed_first > 0 {
        n.push(Note::new(
            format!("{} lost/invalid deal(s) without history or a lost-at stage were placed at the first stage", st.lost_placed_first),
            format!("{} 个输单/无效商机缺少历史或输单阶段，计入第一阶段", st.lost_placed_first),
        ));
    }
    if st.history > 0 {
        n.push(Note::new(
            format!(
                "{} backward move(s); {} skipped stage(s) in {} deal(s)",
                st.backward_moves, st.skipped_stages, st.deals_with_skip
            ),
            format!(
                "{} 次阶段回退；{} 个商机共跳过 {} 个阶段",
                st.backward_moves, st.deals_with_skip, st.skipped_stages
            ),
        ));
    }
    n.extend(left_out_notes(st, set));
    if !a.value && funnels.iter().any(|f| f.amount.len() > 1) {
        n.push(Note::new(
            "amounts in several currencies are never summed: see --table amounts, or --value for one funnel per currency",
            "多币种金额不相加：见 --table amounts，或用 --value 按币种分别计算",
        ));
    }
    if a.window.is_some() && st.implied > 0 {
        n.push(Note::new(
            "--window: deals without history are windowed on their won date only",
            "--window：无阶段历史的商机仅按赢单日期计算窗口",
        ));
    }
    n
}

/// The funnel's notes on deals counted specially or left out: invalid deals, deals outside the
/// period or without a created date, out-of-order histories, stages in no list, unknown stages,
/// pipelines with no stage order, deals without an amount.
fn left_out_notes(st: &funnel::Stats, set: &DealSet) -> Vec<Note> {
    let mut n = Vec::new();
    if st.invalid > 0 {
        n.push(Note::new(
            format!(
                "{} invalid deal(s) counted at the stages they reached (never won)",
                st.invalid
            ),
            format!("{} 个无效商机计入其到达的阶段（不计为赢单）", st.invalid),
        ));
    }
    if st.outside_period > 0 || st.no_created > 0 {
        n.push(Note::new(
            format!(
                "{} deal(s) created outside the period, {} without a created date, left out",
                st.outside_period, st.no_created
            ),
            format!(
                "{} 个商机不在期间内创建，{} 个缺少创建时间，未计入",
                st.outside_period, st.no_created
            ),
        ));
    }
    if st.out_of_order > 0 {
        n.push(Note::new(
            format!(
                "{} deal(s) whose history does not start at the first stage are in no in-order row",
                st.out_of_order
            ),
            format!(
                "{} 个商机的历史不是从第一阶段开始，不计入按序漏斗",
                st.out_of_order
            ),
        ));
    }
    if st.no_position > 0 {
        n.push(Note::new(
            format!(
                "{} deal(s) whose stage is in no stage list left out",
                st.no_position
            ),
            format!("{} 个商机的阶段不在阶段列表中，未计入", st.no_position),
        ));
    }
    for (label, c) in &set.unknown_stages {
        n.push(Note::new(
            format!("unknown stage {label:?} ({c} deal(s)): add it to --stages or [stages] in salesctl.toml"),
            format!("未知阶段 {label:?}（{c} 个商机）：请加入 --stages 或 salesctl.toml 的 [stages]"),
        ));
    }
    for (label, c) in &set.events.unknown {
        n.push(Note::new(
            format!("unknown stage {label:?} in stage history ({c} event(s)) left out"),
            format!("阶段历史中的未知阶段 {label:?}（{c} 条）未计入"),
        ));
    }
    for (p, c) in &st.no_stage_list {
        n.push(Note::new(
            format!("pipeline {p:?}: no stage order known, {c} deal(s) left out; pass --stages or set [stages] in salesctl.toml"),
            format!("销售流程 {p:?} 无阶段顺序，{c} 个商机未计入；请用 --stages 或 salesctl.toml 的 [stages]"),
        ));
    }
    if st.no_amount > 0 {
        n.push(Note::new(
            format!(
                "{} deal(s) without an amount left out of the value funnel",
                st.no_amount
            ),
            format!("{} 个商机无金额，未计入金额漏斗", st.no_amount),
        ));
    }
    n
}

fn chart_of(funnels: &[Funnel], lang: Lang) -> ChartSpec {
    let title = match lang {
        Lang::En => "Stage funnel",
        Lang::ZhCn => "销售漏斗",
    };
    let y = match lang {
        Lang::En => "deals", // not a KPI: an axis word
        Lang::ZhCn => "商机数",
    };
    let chart = if funnels.len() == 1 {
        let f = &funnels[0];
        Chart::HBar {
            labels: f.stages.clone(),
            values: f.reached.clone(),
            value_labels: (0..f.stages.len())
                .map(|k| match f.step(k) {
                    Some(s) => format!(
                        "{} ({:.1}%)",
                        crate::output::cell::thousands(&format!("{:.0}", f.reached[k])),
                        s * 100.0
                    ),
                    None => crate::output::cell::thousands(&format!("{:.0}", f.reached[k])),
                })
                .collect(),
        }
    } else {
        // Grouped bars: the first pipeline's stages; one series per group / cohort / currency.
        let first = &funnels[0];
        let series = funnels
            .iter()
            .filter(|f| f.pipeline == first.pipeline)
            .map(|f| {
                let name = [
                    f.group.as_deref(),
                    f.cohort.as_deref(),
                    f.currency.as_deref(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
                (
                    if name.is_empty() {
                        f.pipeline.clone()
                    } else {
                        name
                    },
                    f.reached.clone(),
                )
            })
            .collect();
        Chart::Grouped {
            categories: first.stages.clone(),
            series,
        }
    };
    // One funnel is horizontal bars (the count on x); grouped funnels count on y.
    let one = matches!(chart, Chart::HBar { .. });
    ChartSpec {
        lang,
        chart,
        title: title.into(),
        x_label: if one { y.into() } else { String::new() },
        y_label: y.into(),
    }
}
