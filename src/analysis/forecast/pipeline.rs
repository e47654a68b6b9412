//! `--method pipeline`: the open deals read from the dataset, weighed by
//! `metrics::forecast::pipeline`, and turned into rows with their group and period labels,
//! the warnings and the refusals.

use crate::analysis::{self};
use crate::columns::deals::DealSet;
use crate::columns::engine::{self, NONE};
use crate::error::{Error, Result};
use crate::load::Dataset;
use crate::metrics::forecast::pipeline::{self, Bucket};
use crate::model::Table;
use crate::output::Note;

use crate::analysis::series::{Freq, TOTAL};

/// Open deals by expected close period: count, amount, amount x stage win probability, amount x
/// the CRM's own probability.
pub(crate) struct PipelineRow {
    pub(crate) group: String,
    pub(crate) period: String,
    pub(crate) deals: u64,
    pub(crate) amount: f64,
    pub(crate) weighted: f64,
    pub(crate) crm_weighted: Option<f64>,
    pub(crate) unweighted_deals: u64,
}

pub(crate) fn pipeline_rows(
    ds: &Dataset,
    metric: &str,
    freq: Freq,
    first_period: i64,
    h: usize,
    by: Option<&str>,
) -> Result<(Vec<PipelineRow>, Option<String>, Vec<Note>)> {
    if !ds.has(Table::Deals) {
        return Err(Error::input(crate::tr!(
            "--method pipeline needs deals (open deals with a stage and an expected close)",
            "--method pipeline 需要商机数据（带阶段和预计成交日期的进行中商机）",
        )));
    }
    let cols = [
        "deal_id",
        "pipeline",
        "stage",
        "status",
        "amount",
        "currency",
        "created_at",
        "closed_at",
        "expected_close_at",
        "probability",
        "stage_entered_at",
    ];
    let (deals, set): (Option<polars::prelude::DataFrame>, DealSet) =
        analysis::deal_set(ds, &cols, by)?;
    let (group, names) = match by {
        Some(f) => analysis::by_codes(&set, deals.as_ref(), f, ds)?,
        None => (vec![0; set.len()], vec!["(all)".to_string()]),
    };
    let crm: Vec<Option<f64>> = match &deals {
        Some(df) if engine::has(df, "probability") => engine::floats(df, "probability")?,
        _ => vec![None; set.len()],
    };
    let params = pipeline::Params {
        revenue: metric == "revenue",
        freq,
        first_period,
        h,
        grouped: by.is_some(),
    };
    let weighed = pipeline::weigh(&set, &group, &crm, &params);
    let notes = checks(&weighed)?;
    let currency = weighed.currencies.into_iter().next();
    // Groups with TOTAL last.
    let mut rows: Vec<((u32, Bucket), pipeline::Weighted)> = weighed.rows.into_iter().collect();
    rows.sort_by_key(|((g, b), _)| (*g == TOTAL, *g, *b));
    let rows = rows
        .into_iter()
        .map(|((g, b), w)| PipelineRow {
            group: match g {
                TOTAL => "(total)".to_string(),
                NONE => "(none)".to_string(),
                c => names.get(c as usize).cloned().unwrap_or_default(),
            },
            period: match b {
                Bucket::Overdue => "overdue".to_string(),
                Bucket::Later => "later".to_string(),
                Bucket::NoExpectedClose => "(no expected close)".to_string(),
                Bucket::Period(k) => freq.label(first_period + k as i64),
            },
            deals: w.deals,
            amount: w.amount,
            weighted: w.weighted,
            crm_weighted: w.crm_weighted,
            unweighted_deals: w.unweighted_deals,
        })
        .collect();
    Ok((rows, currency, notes))
}

/// The refusals (no expected close at all, several currencies, no win probability for any
/// deal) and the warnings and definition notes of a weighed pipeline.
fn checks(p: &pipeline::Pipeline) -> Result<Vec<Note>> {
    let pipeline::Pipeline {
        ref currencies,
        open,
        no_close,
        weighed,
        no_probability: no_prob,
        lost_at_unknown_stage: lost_unknown,
        ..
    } = *p;
    // Without expected close dates the pipeline cannot be placed in periods.
    if open > 0 && no_close == open {
        return Err(Error::input(crate::tr!(
            "--method pipeline: none of the {open} open deal(s) has an expected close date, so none can be placed in a forecast period; \
             map the column with --map expected_close_at=HEADER, or use --method auto for a time-series forecast",
            "--method pipeline：{open} 个进行中商机都没有预计成交日期，无法放入任何预测期间；\
             请用 --map expected_close_at=HEADER 映射该列，或用 --method auto 做时间序列预测"
        )));
    }
    if currencies.len() > 1 {
        let list = currencies.iter().cloned().collect::<Vec<_>>().join(", ");
        return Err(Error::input(crate::tr!(
            "open pipeline in {list}: a forecast needs one currency; convert with --fx FILE",
            "进行中的管道涉及多个币种（{list}）：预测只能使用一种币种；请用 --fx FILE 换算"
        )));
    }
    let mut notes = vec![Note::new(
        "weighted = amount x stage win probability of the deal's current stage (won / closed among deals that reached it); crm_weighted = amount x the export's own probability, shown beside it, never mixed in",
        "加权 = 金额 × 当前阶段赢单概率（到达该阶段且已结束的商机中赢单的比例）；crm_weighted = 金额 × 导出文件自带的概率，仅并列显示",
    )];
    if no_close > 0 {
        notes.push(Note::warning(
            format!(
                "{no_close} of {open} open deal(s) have no expected close date: they are in the \"(no expected close)\" row, in no forecast period"
            ),
            format!(
                "{open} 个在途商机中有 {no_close} 个没有预计成交日期：列在“(no expected close)”行，不计入任何预测期间"
            ),
        ));
    }
    // Every weighted value would be 0: a number with no meaning, refused.
    if weighed > 0 && no_prob == weighed {
        return Err(Error::input(crate::tr!(
            "--method pipeline: none of the {weighed} open deal(s) is at a stage a closed deal reached ({lost_unknown} lost deal(s) at an unknown stage counted at the first stage only), so no stage win probability exists and every weighted value would be 0; \
             give the deals' stage history (a stage-history export beside the deals, or the `Date entered` columns), or use --method auto for a time-series forecast",
            "--method pipeline：{weighed} 个进行中商机所处的阶段都没有已结束商机到达过（{lost_unknown} 个输单阶段未知的输单商机只计入第一阶段），没有阶段赢单概率，所有加权值都会是 0；\
             请提供商机的阶段历史（与商机一起的阶段历史导出，或 `Date entered` 列），或用 --method auto 做时间序列预测"
        )));
    }
    if lost_unknown > 0 {
        notes.push(analysis::lost_at_unknown_stage_warning(lost_unknown));
    }
    if no_prob > 0 {
        notes.push(Note::warning(
            format!(
                "{no_prob} open deal(s) at a stage no closed deal reached: no stage win probability, weighted as 0 (counted in unweighted_deals)"
            ),
            format!(
                "{no_prob} 个进行中商机所处的阶段没有已结束商机到达过：没有阶段赢单概率，按 0 加权（计入 unweighted_deals）"
            ),
        ));
    }
    Ok(notes)
}
