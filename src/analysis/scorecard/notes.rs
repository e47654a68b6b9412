//! The scorecard's notes: definitions, the period, the credit rule, and the warnings about
//! negative cycles and targets that do not line up.

use super::*;

/// The scorecard's notes: what each KPI is dated by, the win-rate definition, the team row,
/// the credit rule, and warnings (negative cycles, targets that do not line up).
#[allow(clippy::too_many_arguments)]
pub(super) fn notes(
    a: &Args,
    ds: &load::Dataset,
    period: Option<&Period>,
    wr: WinRate,
    team: &Acc,
    several: bool,
    targets: Option<&std::collections::HashMap<String, Vec<((i64, i64), f64)>>>,
    lines: &[Line],
    team_line: &Line,
) -> Vec<Note> {
    let mut notes = analysis::base_notes_text(
        ds,
        period,
        &crate::tr!(
            "closed_at (won, lost, win rate, won amount, cycle, attainment, new customers); created_at (deals_created); as-of (open pipeline)",
            "closed_at（赢单、输单、赢单率、赢单金额、周期、达成率、新客户）；created_at（deals_created）；截至日期（在途管道）"
        ),
    );
    notes.push(Note::new(
        wr.definition(),
        match wr {
            WinRate::Closed => "赢单率 = 期间内赢单 / (赢单 + 输单)，不含在途（--win-rate closed）",
            WinRate::Created => "赢单率 = 期间内新建且赢单 / 期间内新建（--win-rate created）",
            WinRate::Value => "赢单率 = 赢单金额 / (赢单 + 输单金额)（--win-rate value）",
        },
    ));
    notes.push(Note::new(
        "team row: counts and amounts summed, rates pooled (all won / all closed), medians over all the team's deals; low_n = fewer than 5 observations",
        "团队行：计数与金额求和，比率合并计算（全部赢单 / 全部结单），中位数取全队商机；low_n = 样本少于 5",
    ));
    notes.push(Note::new(
        format!(
            "credit: {} owner",
            if a.credit == crate::cli::scorecard::Credit::AtClose {
                "the owner at close (from history)"
            } else {
                "the current"
            }
        ),
        format!(
            "业绩归属：{}负责人",
            if a.credit == crate::cli::scorecard::Credit::AtClose {
                "结单时的"
            } else {
                "当前"
            }
        ),
    ));
    if team.negative_cycles > 0 {
        notes.push(Note::warning(
            format!(
                "{} won deal(s) closed before they were created: kept out of cycle_median_days and cycle_p75_days (docs/metrics.md, \"Cycle time\")",
                team.negative_cycles
            ),
            format!(
                "{} 个赢单的成交日期早于创建日期，未计入 cycle_median_days 与 cycle_p75_days（见 docs/metrics.md 的 \"Cycle time\"）",
                team.negative_cycles
            ),
        ));
    }
    if several {
        notes.push(Note::new(
            "several currencies: money KPIs are per currency in --table money (never summed across currencies)",
            "多币种：金额指标按币种见 --table money（不跨币种相加）",
        ));
    }
    if let (Some(t), Some(f)) = (targets, &a.targets) {
        notes.extend(target_warnings(a, t, f, period, lines, team_line));
    }
    if targets.is_some() {
        notes.push(Note::new(
            "target rolled to the period (quarterly/yearly targets spread evenly over months); attainment = won_amount / target; pipeline_coverage = open pipeline expected to close in the period / (target - won_amount), empty when the target is met",
            "目标按期间分摊（季度/年度目标平均分到各月）；达成率 = 赢单金额 / 目标；管道覆盖率 = 期间内预计成交的在途金额 / (目标 - 赢单金额)，达标时为空",
        ));
    }

    notes
}

/// `--targets` that do not line up with the data: none covering the period, or keys no rep has.
pub(super) fn target_warnings(
    a: &Args,
    t: &std::collections::HashMap<String, Vec<((i64, i64), f64)>>,
    f: &std::path::Path,
    period: Option<&Period>,
    lines: &[Line],
    team_line: &Line,
) -> Vec<Note> {
    let mut notes = Vec::new();
    // Targets that do not line up with the data: none in the period, or keys no rep has.
    if team_line.target.is_none() {
        let (label, label_zh) = period.map_or_else(
            || ("(all rows)".to_string(), "（全部行）".to_string()),
            |p| (p.label.clone(), p.label.clone()),
        );
        notes.push(Note::warning(
            format!(
                "--targets {}: no target of {} {:?} covers the period {label}: the target and attainment columns are empty",
                f.display(),
                a.by,
                "revenue"
            ),
            format!(
                "--targets {}：没有 {} {:?} 目标覆盖期间 {label_zh}：目标与达成率列为空",
                f.display(),
                a.by,
                "revenue"
            ),
        ));
    }
    let mut unmatched: Vec<&str> = t
        .keys()
        .filter(|k| !lines.iter().any(|l| &l.key == *k))
        .map(String::as_str)
        .collect();
    unmatched.sort_unstable();
    if !unmatched.is_empty() {
        let shown = unmatched
            .iter()
            .take(8)
            .map(|k| format!("{k:?}"))
            .collect::<Vec<_>>();
        notes.push(Note::warning(
            format!(
                "--targets {}: {} target key(s) match no {} in the data ({}{}); they count in the team's target but in no rep's row",
                f.display(),
                unmatched.len(),
                a.by,
                shown.join(", "),
                if unmatched.len() > 8 { ", ..." } else { "" }
            ),
            format!(
                "--targets {}：{} 个目标键在数据中没有对应的 {}（{}{}）；它们计入团队目标，但不计入任何销售人员的行",
                f.display(),
                unmatched.len(),
                a.by,
                shown.join("，"),
                if unmatched.len() > 8 { "，……" } else { "" }
            ),
        ));
    }
    notes
}
