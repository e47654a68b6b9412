//! `salesctl check INPUT --rule "win_rate >= 0.2" --rule "step_conversion[Proposal] >= 0.4"`:
//! threshold rules on KPIs of the registry, for cron. One row per rule (and group with `--by`):
//! value, operator, threshold, pass. Exit 4 when any rule fails, 0 when all pass; an unknown KPI
//! is a usage error (exit 2) listing the valid ids. Rules also come from the config:
//! `[check] rules = ["win_rate >= 0.2"]`. The values are the scorecard's and the funnel's, computed
//! by the same functions.

use crate::analysis::{self, Built};
use crate::columns::deals::DealSet;
use crate::columns::engine;
use crate::error::{Error, Result};
use crate::load::{self};
use crate::metrics::funnel::{self, Funnel};
use crate::metrics::scorecard::{self, WinRate};
use crate::model::Table;
use crate::model::kpi;
use crate::output::{Note, Report, TableBuilder, Unit};
use crate::text::Text;

pub(crate) use crate::cli::check::Args;

pub(crate) use crate::flags::Rule;
/// KPIs a rule can name: the scorecard's ([`scorecard::KPI_IDS`]), and funnel KPIs with a
/// `[Stage]` argument.
pub(crate) use crate::metrics::scorecard::KPI_IDS as SCORE_KPIS;

/// KPIs of a scorecard line with `--targets` (beside [`SCORE_KPIS`]).
pub(crate) const TARGET_KPIS: &[&str] = &["target", kpi::ATTAINMENT];

/// Parse `KPI[ARG] OP NUMBER` against the scorecard's (targets included) and the funnel's ids.
pub(crate) fn parse_rule(text: &str) -> std::result::Result<Rule, Text> {
    let ids: Vec<&str> = SCORE_KPIS.iter().chain(TARGET_KPIS).copied().collect();
    crate::flags::parse_rule(text, &ids)
}

fn holds(v: f64, op: &str, t: f64) -> bool {
    match op {
        ">=" => v >= t,
        "<=" => v <= t,
        ">" => v > t,
        "<" => v < t,
        "==" => (v - t).abs() < 1e-12,
        _ => (v - t).abs() >= 1e-12,
    }
}

fn stage_value(f: &Funnel, kpi: &str, stage: &str) -> std::result::Result<Option<f64>, Text> {
    let k = f
        .stages
        .iter()
        .position(|s| s.trim().eq_ignore_ascii_case(stage))
        .ok_or_else(|| {
            let stages = f.stages.join(", ");
            crate::tr!(
                "no stage {stage:?}; stages: {stages}",
                "没有阶段 {stage:?}；现有阶段：{stages}"
            )
        })?;
    Ok(match kpi {
        kpi::REACHED => Some(f.reached[k]),
        kpi::STEP_CONVERSION => f.step(k),
        kpi::CUMULATIVE_CONVERSION => f.cumulative(k),
        _ => f.drop_off(k),
    })
}

/// The rules' table of a loaded input, and how many checks failed.
pub(crate) fn build(a: &Args, ds: &load::Dataset) -> Result<(Built, usize)> {
    let rules = rules(a, ds)?;
    // The scorecard's deal columns, and the ids that join the stage events.
    let mut cols = vec!["deal_id"];
    cols.extend(analysis::scorecard::DEAL_COLS);
    if let Some(b) = &a.by {
        cols.push(b.as_str());
    }
    let deals = ds.frame(Table::Deals, &cols)?;
    let events = ds.frame(Table::StageEvents, analysis::EVENT_COLS)?;
    crate::timing::count(|| "deal set".into());
    let set = DealSet::build(deals.as_ref(), events.map(Into::into), ds.pipelines())?;
    let period = a
        .period
        .resolve(ds.as_of, ds.calendar())
        .map_err(Error::usage)
        .and_then(|p| crate::analysis::period_in_data(p, ds))?;
    let by = match &a.by {
        Some(f) => Some(analysis::by_codes(&set, deals.as_ref(), f, ds)?),
        None => None,
    };
    let needs_funnel = rules.iter().any(|r| r.stage.is_some());
    let funnels: Vec<Funnel> = if needs_funnel {
        if set.pipelines.lists.is_empty() {
            analysis::require_stage_lists(&set, ds)?;
        }
        let fp = funnel::Params {
            created_in: period.as_ref().map(|p| p.millis()),
            by: by.clone(),
            ..Default::default()
        };
        funnel::compute(&set, &fp).0
    } else {
        vec![]
    };
    let targets = match &a.targets {
        Some(f) => Some(analysis::load_targets(
            f,
            a.by.as_deref().unwrap_or("owner"),
            &a.load,
            ds,
        )?),
        None => None,
    };
    let (groups, lost_unknown) = score_lines(
        &set,
        deals.as_ref(),
        by.as_ref(),
        period.as_ref().map(|p| p.millis()),
        targets.as_ref(),
        ds,
    )?;
    let mut rows = Vec::new();
    for r in &rules {
        for (g, line) in &groups {
            let value = match &r.stage {
                Some(st) => funnels
                    .iter()
                    .find(|f| f.group == *g && f.cohort.is_none())
                    .map(|f| stage_value(f, &r.kpi, st).map_err(|e| rule_error(r, &e)))
                    .transpose()?
                    .flatten(),
                None => analysis::scorecard::value(line, &r.kpi),
            };
            rows.push(Checked {
                rule: r,
                group: g.clone(),
                value,
                pass: value.is_some_and(|v| holds(v, r.op, r.threshold)),
            });
        }
    }
    let failed = rows.iter().filter(|c| !c.pass).count();
    let mut notes = analysis::base_notes_text(
        ds,
        period.as_ref(),
        &crate::tr!(
            "each KPI's own date field (docs/metrics.md)",
            "各 KPI 自己的日期字段（docs/metrics.md）"
        ),
    );
    let weighted_rule = rules
        .iter()
        .any(|r| r.stage.is_none() && r.kpi == kpi::WEIGHTED_PIPELINE);
    if weighted_rule && lost_unknown > 0 {
        notes.push(analysis::lost_at_unknown_stage_warning(lost_unknown));
    }
    if rows.iter().any(|c| c.value.is_none()) {
        notes.push(Note::new(
            "a rule without a value (no deals, or money in several currencies) fails",
            "无数值的规则（无商机，或金额为多币种）判为不通过",
        ));
    }
    notes.push(Note::new(
        format!("{} of {} check(s) failed", failed, rows.len()),
        format!("{} 项检查中 {} 项未通过", rows.len(), failed),
    ));
    let report = Report {
        tables: vec![table(&rows, a.by.as_deref())?],
        notes,
        title: None,
    };
    let chart = None;
    Ok((Built { report, chart }, failed))
}

/// One rule on one group: its value (None when there is none) and whether it passed.
struct Checked<'a> {
    rule: &'a Rule,
    group: Option<String>,
    value: Option<f64>,
    pass: bool,
}

/// The rules, from the config and `--rule`, parsed and checked against `--targets`.
fn rules(a: &Args, ds: &load::Dataset) -> Result<Vec<Rule>> {
    let mut texts = ds.settings.config.check.rules.clone();
    texts.extend(a.rules.iter().cloned());
    if texts.is_empty() {
        return Err(Error::usage(crate::tr!(
            "no rules: pass --rule \"KPI OP NUMBER\" or set [check] rules in salesctl.toml",
            "没有规则：请传入 --rule \"KPI OP NUMBER\"，或在 salesctl.toml 的 [check] 中设置 rules"
        )));
    }
    let rules: Vec<Rule> = texts
        .iter()
        .map(|t| parse_rule(t))
        .collect::<std::result::Result<_, _>>()
        .map_err(Error::usage)?;
    if a.targets.is_none() {
        if let Some(r) = rules.iter().find(|r| TARGET_KPIS.contains(&r.kpi.as_str())) {
            let (text, kpi) = (&r.text, &r.kpi);
            return Err(Error::usage(crate::tr!(
                "rule {text:?}: {kpi} needs --targets FILE (the targets file scorecard reads)",
                "规则 {text:?}：{kpi} 需要 --targets FILE（scorecard 读取的目标文件）"
            )));
        }
    }
    Ok(rules)
}

/// The scorecard's typed lines the rules read (`analysis::scorecard::lines_of`, the scorecard's
/// own): one per `--by` group, or the team's alone; the groups sorted by name.
fn score_lines(
    set: &DealSet,
    deals: Option<&polars::prelude::DataFrame>,
    by: Option<&(Vec<u32>, Vec<String>)>,
    period: Option<(i64, i64)>,
    targets: Option<&analysis::Targets>,
    ds: &load::Dataset,
) -> Result<(Vec<(Option<String>, analysis::scorecard::Line)>, u64)> {
    let account = match deals {
        Some(d) => engine::coded(d, "account")?,
        None => engine::Coded::default(),
    };
    let group: Vec<u32> = by.map_or_else(|| vec![0; set.len()], |b| b.0.clone());
    let sp = scorecard::Params {
        period,
        win_rate: WinRate::Closed,
        qualified_stage: ds.settings.config.qualified_stage.clone(),
        owner_at_close: None,
    };
    let winp = scorecard::stage_win_probability(set);
    // Lost deals at an unknown stage make the weighted pipeline read high (as the scorecard
    // warns): counted when an open deal is past the first stage.
    let lost_unknown = if scorecard::open_past_first_stage(set) {
        winp.lost_at_unknown_stage
    } else {
        0
    };
    let (accs, team) = scorecard::accumulate(set, &group, &account, &sp, &winp);
    let single = analysis::scorecard::single_currency(&team);
    let inputs = analysis::scorecard::LineInputs {
        wr: WinRate::Closed,
        single: single.as_deref(),
        targets,
        period,
        activities: None,
        feedback: None,
    };
    // Without `--by` every deal is in group 0, which has no name: the team line alone.
    let (lines, team_line) = match by {
        Some((_, names)) => analysis::scorecard::lines_of(&inputs, &accs, names, &team),
        None => analysis::scorecard::lines_of(&inputs, &Default::default(), &[], &team),
    };
    let lines = if lines.is_empty() {
        vec![(None, team_line)]
    } else {
        lines
            .into_iter()
            .map(|l| (Some(l.key.clone()), l))
            .collect()
    };
    Ok((lines, lost_unknown))
}

fn rule_error(r: &Rule, e: &Text) -> Error {
    let text = &r.text;
    Error::usage(Text::new(
        format!("rule {text:?}: {}", e.en),
        format!("规则 {text:?}：{}", e.get(crate::text::Lang::ZhCn)),
    ))
}

/// The `check` table: rule, group, value and threshold in the KPI's unit, operator, pass.
fn table(rows: &[Checked], by: Option<&str>) -> Result<crate::output::ResultTable> {
    let mut t = TableBuilder::new("check");
    let rules: Vec<String> = rows.iter().map(|c| c.rule.text.clone()).collect();
    t.col("rule", Unit::Text, rules);
    if let Some(b) = by {
        let groups: Vec<Option<String>> = rows.iter().map(|c| c.group.clone()).collect();
        t.col(b, Unit::Text, groups);
    }
    // Each rule's value and threshold in its KPI's unit (a rate as a percentage on a terminal).
    let units: Vec<Unit> = rows
        .iter()
        .map(|c| match c.rule.kpi.as_str() {
            kpi::ATTAINMENT => Unit::Ratio,
            "target" => Unit::Money,
            kpi::STEP_CONVERSION | kpi::CUMULATIVE_CONVERSION | kpi::DROP_OFF => Unit::Ratio,
            kpi::REACHED => Unit::Count,
            k => crate::output::kpi_unit(k),
        })
        .collect();
    let values: Vec<Option<f64>> = rows.iter().map(|c| c.value).collect();
    let ops: Vec<String> = rows.iter().map(|c| c.rule.op.to_string()).collect();
    let thresholds: Vec<f64> = rows.iter().map(|c| c.rule.threshold).collect();
    let passes: Vec<bool> = rows.iter().map(|c| c.pass).collect();
    t.col_units("value", units.clone(), values)
        .col("operator", Unit::Text, ops)
        .col_units("threshold", units, thresholds)
        .col("pass", Unit::Bool, passes);
    t.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse() {
        let r = parse_rule("step_conversion[Proposal] >= 0.4").unwrap();
        assert_eq!(
            (r.kpi.as_str(), r.stage.as_deref(), r.op, r.threshold),
            ("step_conversion", Some("Proposal"), ">=", 0.4)
        );
        let r = parse_rule("cycle_median_days<45").unwrap();
        assert_eq!((r.op, r.threshold), ("<", 45.0));
        assert!(
            parse_rule("happiness >= 1")
                .unwrap_err()
                .en
                .contains("win_rate")
        );
        assert!(parse_rule("win_rate >= 20%").is_err());
        assert!(parse_rule("win_rate").is_err());
    }
}

#[cfg(test)]
mod registry_tests {
    use super::*;
    use crate::flags::STAGE_KPIS;

    #[test]
    fn every_rule_kpi_is_in_the_registry() {
        for k in SCORE_KPIS.iter().chain(STAGE_KPIS) {
            assert!(
                crate::output::labels::kpi(k).is_some(),
                "{k} missing from the KPI registry (output/labels.rs)"
            );
        }
    }
}
