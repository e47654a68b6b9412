//! `salesctl check INPUT --rule "win_rate >= 0.2" --rule "step_conversion[Proposal] >= 0.4"`:
//! threshold rules on KPIs of the registry, for cron. One row per rule (and group with `--by`):
//! value, operator, threshold, pass. Exit 4 when any rule fails, 0 when all pass; an unknown KPI
//! is a usage error (exit 2) listing the valid ids. Rules also come from the config:
//! `[check] rules = ["win_rate >= 0.2"]`. The values are the scorecard's and the funnel's, computed
//! by the same functions.

use crate::analysis::{self, Built};
use crate::columns::deals::DealSet;
use crate::columns::engine::{self, NONE};
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
pub fn parse_rule(text: &str) -> std::result::Result<Rule, Text> {
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
    let account = match &deals {
        Some(d) => engine::coded(d, "account")?,
        None => engine::Coded::default(),
    };
    let group: Vec<u32> = by
        .as_ref()
        .map_or_else(|| vec![0; set.len()], |b| b.0.clone());
    let sp = scorecard::Params {
        period: period.as_ref().map(|p| p.millis()),
        win_rate: WinRate::Closed,
        qualified_stage: ds.settings.config.qualified_stage.clone(),
        owner_at_close: None,
    };
    let (accs, team) = scorecard::accumulate(
        &set,
        &group,
        &account,
        &sp,
        &scorecard::stage_win_probability(&set),
    );
    let needs_funnel = rules.iter().any(|r| r.stage.is_some());
    let funnels: Vec<Funnel> = if needs_funnel {
        if set.pipelines.lists.is_empty() {
            analysis::require_stage_lists(&set, ds)?;
        }
        funnel::compute(
            &set,
            &funnel::Params {
                created_in: period.as_ref().map(|p| p.millis()),
                by: by.clone(),
                ..Default::default()
            },
        )
        .0
    } else {
        vec![]
    };
    // Money KPIs need one currency.
    let currencies: std::collections::BTreeSet<String> = team
        .won_amount
        .keys()
        .chain(team.open_pipeline.keys())
        .cloned()
        .collect();
    let currency = if currencies.len() <= 1 {
        currencies.iter().next().map(|s| s.as_str()).unwrap_or("")
    } else {
        ""
    };
    let mut groups: Vec<(Option<String>, scorecard::Acc)> = match &by {
        Some((_, names)) => {
            let mut v: Vec<(Option<String>, scorecard::Acc)> = accs
                .iter()
                .map(|(c, acc)| {
                    (
                        Some(if *c == NONE {
                            "(none)".to_string()
                        } else {
                            names[*c as usize].clone()
                        }),
                        acc.clone(),
                    )
                })
                .collect();
            v.sort_by(|x, y| x.0.cmp(&y.0));
            v
        }
        None => vec![(None, team.clone())],
    };
    if by.is_some() && groups.is_empty() {
        groups.push((None, team));
    }
    // Targets rolled to the period as the scorecard rolls them: per key, or summed for the team.
    let targets = match &a.targets {
        Some(f) => Some(analysis::load_targets(
            f,
            a.by.as_deref().unwrap_or("owner"),
            &a.load,
            ds,
        )?),
        None => None,
    };
    let period_ms = period.as_ref().map(|p| p.millis());
    let target_of = |g: &Option<String>| -> Option<f64> {
        let t = targets.as_ref()?;
        let v = match g {
            Some(key) => t
                .get(key)
                .map_or(0.0, |v| scorecard::rolled_target(v, period_ms)),
            None => {
                let mut keys: Vec<&String> = t.keys().collect();
                keys.sort();
                keys.iter()
                    .map(|k| scorecard::rolled_target(&t[*k], period_ms))
                    .sum()
            }
        };
        (v > 0.0).then_some(v)
    };
    let (mut rule_col, mut grp_col, mut val_col, mut op_col, mut thr_col, mut pass_col) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut failed = 0;
    let mut kpi_col: Vec<String> = Vec::new();
    let mut notes = analysis::base_notes_text(
        ds,
        period.as_ref(),
        &crate::tr!(
            "each KPI's own date field (docs/metrics.md)",
            "各 KPI 自己的日期字段（docs/metrics.md）"
        ),
    );
    for r in &rules {
        for (g, acc) in &groups {
            let value: Option<f64> = match &r.stage {
                Some(st) => {
                    let f = funnels.iter().find(|f| f.group == *g && f.cohort.is_none());
                    match f {
                        Some(f) => stage_value(f, &r.kpi, st).map_err(|e| {
                            let text = &r.text;
                            Error::usage(Text::new(
                                format!("rule {text:?}: {}", e.en),
                                format!("规则 {text:?}：{}", e.get(crate::text::Lang::ZhCn)),
                            ))
                        })?,
                        None => None,
                    }
                }
                None => {
                    let several =
                        currencies.len() > 1 && scorecard::MONEY_KPIS.contains(&r.kpi.as_str());
                    let k = scorecard::kpis(acc, WinRate::Closed, currency);
                    match r.kpi.as_str() {
                        _ if several => None,
                        // attainment = won_amount / target (docs/metrics.md, as the scorecard).
                        "target" => target_of(g),
                        kpi::ATTAINMENT => match (target_of(g), k.won_amount) {
                            (Some(t), Some(w)) => Some(w / t),
                            _ => None,
                        },
                        _ => k.get(&r.kpi),
                    }
                }
            };
            let pass = value.is_some_and(|v| holds(v, r.op, r.threshold));
            failed += (!pass) as usize;
            rule_col.push(r.text.clone());
            kpi_col.push(r.kpi.clone());
            grp_col.push(g.clone());
            val_col.push(value);
            op_col.push(r.op.to_string());
            thr_col.push(r.threshold);
            pass_col.push(pass);
        }
    }
    if val_col.iter().any(Option::is_none) {
        notes.push(Note::new(
            "a rule without a value (no deals, or money in several currencies) fails",
            "无数值的规则（无商机，或金额为多币种）判为不通过",
        ));
    }
    notes.push(Note::new(
        format!("{} of {} check(s) failed", failed, pass_col.len()),
        format!("{} 项检查中 {} 项未通过", pass_col.len(), failed),
    ));
    let mut t = TableBuilder::new("check");
    t.col("rule", Unit::Text, rule_col);
    if let Some(b) = &a.by {
        t.col(b, Unit::Text, grp_col);
    }
    // Each rule's value and threshold in its KPI's unit (a rate as a percentage on a terminal).
    let units: Vec<Unit> = kpi_col
        .iter()
        .map(|k: &String| match k.as_str() {
            kpi::ATTAINMENT => Unit::Ratio,
            "target" => Unit::Money,
            kpi::STEP_CONVERSION | kpi::CUMULATIVE_CONVERSION | kpi::DROP_OFF => Unit::Ratio,
            kpi::REACHED => Unit::Count,
            k => crate::output::kpi_unit(k),
        })
        .collect();
    t.col_units("value", units.clone(), val_col)
        .col("operator", Unit::Text, op_col)
        .col_units("threshold", units, thr_col)
        .col("pass", Unit::Bool, pass_col);
    let report = Report {
        tables: vec![t.build()?],
        notes,
        title: None,
    };
    Ok((
        Built {
            report,
            chart: None,
        },
        failed,
    ))
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
