//! `--method pipeline`: open deals weighted by their stage's win probability, bucketed by
//! expected close period, beside the CRM's own probability.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::{self};
use crate::columns::deals::DealSet;
use crate::columns::engine::{self, NONE};
use crate::error::{Error, Result};
use crate::load::Dataset;
use crate::metrics::scorecard::stage_win_probability;
use crate::model::{Status, Table};
use crate::output::Note;

use crate::analysis::series::{Freq, TOTAL};

/// Open deals by expected close period: count, amount, amount x stage win probability, amount x
/// the CRM's own probability.
pub(crate) struct PipelineRow {
    pub group: String,
    pub period: String,
    pub deals: u64,
    pub amount: f64,
    pub weighted: f64,
    pub crm_weighted: Option<f64>,
    pub unweighted_deals: u64,
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
    let winp = stage_win_probability(&set);
    let (group, names) = match by {
        Some(f) => analysis::by_codes(&set, deals.as_ref(), f, ds)?,
        None => (vec![0; set.len()], vec!["(all)".to_string()]),
    };
    let crm: Vec<Option<f64>> = match &deals {
        Some(df) if engine::has(df, "probability") => engine::floats(df, "probability")?,
        _ => vec![None; set.len()],
    };
    let has_crm = crm.iter().any(Option::is_some);
    // Buckets: 0 = overdue (expected before the first forecast period), 1..=h the periods,
    // h+1 = later, h+2 = no expected close.
    let mut acc: BTreeMap<(u32, usize), PipelineRow> = BTreeMap::new();
    let mut currencies = BTreeSet::new();
    let mut no_prob = 0usize;
    let (mut open, mut no_close) = (0usize, 0usize);
    for d in 0..set.len() {
        if set.status(d) != Some(Status::Open) {
            continue;
        }
        open += 1;
        if set.expected_close.get(d).is_none() {
            no_close += 1;
        }
        let value = if metric == "revenue" {
            match set.amount(d) {
                Some(a) => a,
                None => continue,
            }
        } else {
            1.0
        };
        if metric == "revenue" && !set.currency(d).is_empty() {
            currencies.insert(set.currency(d).to_string());
        }
        let p = crate::metrics::scorecard::deal_win_probability(&winp, &set, d);
        let bucket = match set
            .expected_close
            .get(d)
            .and_then(crate::period::ms_to_date)
        {
            None => h + 2,
            Some(day) => {
                let i = freq.index(day) - first_period;
                if i < 0 {
                    0
                } else if i as usize >= h {
                    h + 1
                } else {
                    i as usize + 1
                }
            }
        };
        let g = group.get(d).copied().unwrap_or(NONE);
        for key in [(g, bucket), (TOTAL, bucket)] {
            if by.is_none() && key.0 == TOTAL {
                continue;
            }
            let label = match bucket {
                0 => "overdue".to_string(),
                b if b == h + 1 => "later".to_string(),
                b if b == h + 2 => "(no expected close)".to_string(),
                b => freq.label(first_period + b as i64 - 1),
            };
            let name = match key.0 {
                TOTAL => "(total)".to_string(),
                NONE => "(none)".to_string(),
                c => names.get(c as usize).cloned().unwrap_or_default(),
            };
            let r = acc.entry(key).or_insert(PipelineRow {
                group: name,
                period: label,
                deals: 0,
                amount: 0.0,
                weighted: 0.0,
                crm_weighted: has_crm.then_some(0.0),
                unweighted_deals: 0,
            });
            r.deals += 1;
            r.amount += value;
            match p {
                Some(p) => r.weighted += value * p,
                None => r.unweighted_deals += 1,
            }
            if let (Some(c), Some(x)) = (r.crm_weighted.as_mut(), crm[d]) {
                *c += value * x;
            }
        }
        if p.is_none() {
            no_prob += 1;
        }
    }
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
        let list = currencies.into_iter().collect::<Vec<_>>().join(", ");
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
    // Groups with TOTAL last.
    let mut rows: Vec<((u32, usize), PipelineRow)> = acc.into_iter().collect();
    rows.sort_by_key(|((g, b), _)| (*g == TOTAL, *g, *b));
    Ok((
        rows.into_iter().map(|r| r.1).collect(),
        currencies.into_iter().next(),
        notes,
    ))
}
