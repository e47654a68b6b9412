//! `salesctl scorecard INPUT [--rep NAME]`: each rep against target and team.
//!
//! Tables: `scorecard` (main; the team row last) and `money` (money KPIs per rep and currency,
//! when the data holds several currencies). With `--rep`: `card` (main) and `trend`.

use crate::model::kpi;
use std::collections::BTreeMap;

use foldhash::HashMap;

use polars::prelude::DataFrame;

use crate::analysis::{self, Built};

mod card;
mod inputs;

use crate::columns::deals::{DealCols, DealSet};
use crate::columns::engine::{self, NONE};
use crate::error::{Error, Result};
use crate::load::{self};
use crate::metrics::engagement::{ActivityCounts, summarize_feedback};
use crate::metrics::scorecard::{self, Acc, Kpis, WinRate};
use crate::model::Table;
use crate::output::chart::{Chart, ChartSpec};
use crate::output::{Note, Report, ResultTable, TableBuilder, Unit};
use crate::period::Period;
use crate::text::Lang;
use inputs::{load_activities, load_feedback};

mod lines;
mod notes;
mod tables;

pub(crate) use lines::*;
use notes::*;
use tables::*;

pub(crate) use crate::cli::scorecard::Args;

pub(crate) const DEAL_COLS: &[&str] = &[
    "account",
    "owner",
    "pipeline",
    "stage",
    "status",
    "amount",
    "currency",
    "created_at",
    "closed_at",
    "expected_close_at",
    "stage_entered_at",
];
pub(crate) const EVENT_COLS: &[&str] = &["deal_id", "pipeline", "stage", "entered_at", "owner"];

/// Rate KPIs: a low_n row is never ranked above a solid one on these.
const RATE_KPIS: &[&str] = &[kpi::WIN_RATE, kpi::WIN_RATE_LOW, kpi::WIN_RATE_HIGH];
/// KPIs where lower is better.
const LOWER_BETTER: &[&str] = &[kpi::CYCLE_MEDIAN_DAYS, kpi::CYCLE_P75_DAYS, kpi::LOST];

/// One output row: a rep (or the team) and its KPIs.
pub(crate) struct Line {
    pub(crate) key: String,
    k: Kpis,
    target: Option<f64>,
    attainment: Option<f64>,
    coverage: Option<f64>,
    target_met: Option<bool>,
    activities: Option<ActivityCounts>,
    feedback: Option<(f64, u64, Option<f64>)>,
}

/// The team's KPIs, typed: what `report`'s headline reads (never a rendered cell).
pub(crate) struct Team {
    pub(crate) kpis: Kpis,
    /// With several currencies: the money KPIs per currency (currency order).
    pub(crate) per_currency: Vec<(String, Kpis)>,
}

/// The scorecard (or with `--rep`, the rep's card) of a loaded input, and the team's KPIs.
pub(crate) fn build(a: &Args, ds: &load::Dataset) -> Result<(Built, Team)> {
    let period = a
        .period
        .resolve(ds.as_of, ds.calendar())
        .map_err(Error::usage)
        .and_then(|p| crate::analysis::period_in_data(p, ds))?;
    let Read {
        dir_file,
        deals,
        events,
        set,
    } = read(a, ds, period.as_ref())?;
    let t_rest = crate::timing::span("scorecard: codes");
    let lang = analysis::lang(&a.out, ds)?;
    let (group, names, account, winp) = codes(a, ds, &dir_file, &deals, &set)?;
    let wr = WinRate::parse(a.win_rate.as_str()).unwrap_or_default();
    let owner_at_close = if a.credit == crate::cli::scorecard::Credit::AtClose {
        Some(owner_at_close(&set, events.as_ref(), &names, &a.by)?)
    } else {
        None
    };
    let params = scorecard::Params {
        period: period.as_ref().map(Period::millis),
        win_rate: wr,
        qualified_stage: ds.settings.config.qualified_stage.clone(),
        owner_at_close,
    };
    drop(t_rest);
    let t_acc = crate::timing::span("scorecard: accumulate");
    let (by, team) = scorecard::accumulate(&set, &group, &account, &params, &winp);
    drop(t_acc);
    let single = single_currency(&team);
    let targets = match &a.targets {
        Some(f) => Some(analysis::load_targets(f, &a.by, &a.load, ds)?),
        None => None,
    };
    let acts = match &a.activities {
        Some(f) => Some(load_activities(f, a, period.as_ref())?),
        None => None,
    };
    let fb = match &a.feedback {
        Some(f) => Some(load_feedback(f, a, ds, &set, (&group, &names), &account)?),
        None => None,
    };
    let inputs = LineInputs {
        wr,
        single: single.as_deref(),
        targets: targets.as_ref(),
        period: params.period,
        activities: acts.as_ref(),
        feedback: fb.as_ref(),
    };
    let (mut lines, team_line) = lines_of(&inputs, &by, &names, &team);

    let mut notes = notes(
        a,
        ds,
        period.as_ref(),
        wr,
        &team,
        single.is_none(),
        targets.as_ref(),
        &lines,
        &team_line,
    );
    if winp.lost_at_unknown_stage > 0 && scorecard::open_past_first_stage(&set) {
        notes.push(analysis::lost_at_unknown_stage_warning(
            winp.lost_at_unknown_stage,
        ));
    }
    let team_kpis = team_of(&team_line, &team, single.as_deref(), wr);
    if let Some(rep) = &a.rep {
        let built = card::rep_card(
            rep,
            a,
            ds,
            &set,
            &group,
            &names,
            &account,
            &params,
            &winp,
            lines,
            team_line,
            notes,
            lang,
            single.as_deref(),
        )?;
        return Ok((built, team_kpis));
    }
    if let Some(kpi) = &a.rank {
        rank_lines(&mut lines, kpi)?;
    }
    let mut tables = vec![main_table(&lines, &team_line, a)?];
    if single.is_none() {
        tables.push(money_table(&by, &team, &names, wr)?);
    }
    let chart = a.out.chart.as_ref().map(|_| leaderboard(&lines, lang));
    let report = Report {
        tables,
        notes,
        title: Some(Note::new("Rep scorecard", "销售人员记分卡")),
    };
    Ok((Built { report, chart }, team_kpis))
}

/// What the scorecard reads: the deals (from a DIR, only the columns read again: the grouping
/// column, accounts for feedback), the stage events, and the deal set.
struct Read {
    dir_file: Option<crate::load::pq::PqFile>,
    deals: DataFrame,
    events: Option<DataFrame>,
    set: DealSet,
}

fn read(a: &Args, ds: &load::Dataset, period: Option<&Period>) -> Result<Read> {
    let t_frame = crate::timing::span("scorecard: frame");
    let mut cols: Vec<&str> = DEAL_COLS.to_vec();
    // Expected close dates only place open pipeline in a period: without one they need not
    // be read (a million dates).
    if period.is_none() && a.by != "expected_close_at" {
        cols.retain(|c| *c != "expected_close_at");
    }
    // New customers need the accounts of won deals only: read apart, for those rows.
    if a.feedback.is_none() && a.by != "account" {
        cols.retain(|c| *c != "account");
    }
    // Deal ids join events and feedback to deals; without either, a million ids need not be read.
    if ds.has(Table::StageEvents) || a.feedback.is_some() || a.by == "deal_id" {
        cols.push("deal_id");
    }
    if !cols.contains(&a.by.as_str()) {
        cols.push(a.by.as_str());
    }
    // From a DIR the deal set decodes its columns straight from the file; the frame then
    // holds only what is read again below (the grouping column, accounts for feedback).
    let dir_file = ds.parquet_file(Table::Deals)?;
    let deals = match &dir_file {
        Some(f) => {
            if !f.has("status") {
                engine::need(&DataFrame::empty(), "deals", &["status"])?; // not a KPI: a table name
            }
            let again: Vec<&str> = cols
                .iter()
                .copied()
                .filter(|c| {
                    (*c == a.by && !f.is_text_dictionary(c))
                        || (*c == "account" && a.feedback.is_some())
                })
                .collect();
            Some(f.read(&again, 0..f.group_rows().len())?)
        }
        None => ds.frame_coded(Table::Deals, &cols)?,
    };
    let Some(mut deals) = deals else {
        return Err(Error::input(crate::tr!(
            "scorecard needs a deals table; the input holds none",
            "scorecard 需要商机表；输入中没有"
        )));
    };
    if dir_file.is_none() {
        engine::need(&deals, "deals", &["status"])?; // not a KPI: a table name
    }
    let events = ds.frame_coded(Table::StageEvents, EVENT_COLS)?;
    drop(t_frame);
    let t_set = crate::timing::span("scorecard: deal set");
    let events_rows = events.clone().map(Into::into);
    crate::timing::count(|| "deal set".into());
    let set = match &dir_file {
        Some(file) => DealSet::build_from(
            DealCols::Parquet { file, cols: &cols },
            events_rows,
            ds.pipelines(),
        )?,
        // The set copies the columns it needs, and they are freed as it goes, except those
        // read again below.
        None => DealSet::build_taking(
            &mut deals,
            &[a.by.as_str(), "account"],
            events_rows,
            ds.pipelines(),
        )?,
    };
    drop(t_set);
    Ok(Read {
        dir_file,
        deals,
        events,
        set,
    })
}

/// The grouping column's codes and names, the accounts and the stage win probabilities.
#[allow(clippy::type_complexity)]
fn codes(
    a: &Args,
    ds: &load::Dataset,
    dir_file: &Option<crate::load::pq::PqFile>,
    deals: &DataFrame,
    set: &DealSet,
) -> Result<(
    Vec<u32>,
    Vec<String>,
    engine::Coded,
    scorecard::WinProbability,
)> {
    // The grouping column, the accounts and the stage win probabilities, on both cores.
    // New customers need the accounts of won deals only; feedback credited through the
    // customer needs every deal's.
    let ((by_codes, account), winp) = rayon::join(
        || {
            rayon::join(
                || -> Result<(Vec<u32>, Vec<String>)> {
                    // A DIR's dictionary column is coded from its keys.
                    if let Some(f) = dir_file {
                        if let Some((codes, values)) = f.codes(&a.by, engine::NONE)? {
                            let c = engine::Coded { codes, values };
                            return Ok((set.group_codes(&c), c.values));
                        }
                    }
                    analysis::by_codes(set, Some(deals), &a.by, ds)
                },
                || {
                    if a.feedback.is_some() {
                        engine::coded(deals, "account")
                    } else {
                        let won: Vec<bool> = (0..set.n_rows)
                            .map(|d| set.status(d) == Some(crate::model::Status::Won))
                            .collect();
                        engine::coded_rows(ds.rows_of(Table::Deals, "account", &won)?, &won)
                    }
                },
            )
        },
        || scorecard::stage_win_probability(set),
    );
    let (group, names) = by_codes?;
    Ok((group, names, account?, winp))
}

const TEAM: &str = "(team)";

/// KPIs only a scorecard line has (targets, activities, feedback), beside [`scorecard::KPI_IDS`].
const LINE_KPIS: &[&str] = &[
    "target",
    kpi::ATTAINMENT,
    kpi::PIPELINE_COVERAGE,
    "activities",
    "feedback_avg",
];

/// The owner at close from the history's owner column: each closed deal's owner on its last event.
fn owner_at_close(
    set: &DealSet,
    events: Option<&DataFrame>,
    names: &[String],
    by: &str,
) -> Result<Vec<u32>> {
    if by != "owner" {
        return Err(Error::usage(crate::tr!(
            "--credit at-close works with --by owner only",
            "--credit at-close 只能与 --by owner 一起使用"
        )));
    }
    let Some(ev) = events.filter(|e| engine::has(e, "owner")) else {
        return Err(Error::input(crate::tr!(
            "--credit at-close needs stage history with an owner column (Salesforce history, snapshots); this input has none",
            "--credit at-close 需要带 owner 列的阶段历史（Salesforce 历史、快照）；此输入没有"
        )));
    };
    let ids = engine::coded(ev, "deal_id")?;
    let owner = engine::coded(ev, "owner")?;
    let at = engine::millis(ev, "entered_at")?;
    let index = set.id_index();
    let name_code: HashMap<&str, u32> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u32))
        .collect();
    let mut last: Vec<(i64, u32)> = vec![(i64::MIN, NONE); set.len()];
    for i in 0..ev.height() {
        let (Some(id), Some(o), Some(t)) = (ids.get(i), owner.get(i), at[i]) else {
            continue;
        };
        let Some(&d) = index.get(id) else { continue };
        if let Some(&c) = name_code.get(o) {
            if t >= last[d].0 {
                last[d] = (t, c);
            }
        }
    }
    Ok(last.into_iter().map(|x| x.1).collect())
}

#[cfg(test)]
mod registry_tests {
    use super::*;

    /// The ranking's lower-is-better KPIs are the registry's, among the scorecard's.
    #[test]
    fn lower_better_is_the_registrys() {
        let from_registry: Vec<&str> = scorecard::KPI_IDS
            .iter()
            .copied()
            .filter(|k| kpi::lower_is_better(k))
            .collect();
        let mut ours = LOWER_BETTER.to_vec();
        ours.sort_unstable();
        let mut theirs = from_registry;
        theirs.sort_unstable();
        assert_eq!(ours, theirs);
    }
}
