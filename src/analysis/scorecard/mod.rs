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

/// The one currency of the team's money KPIs ("" with none), or None with several.
pub(crate) fn single_currency(team: &Acc) -> Option<String> {
    let mut currencies: BTreeMap<String, ()> = BTreeMap::new();
    for m in [&team.won_amount, &team.open_pipeline, &team.lost_amount] {
        for c in m.keys() {
            currencies.insert(c.clone(), ());
        }
    }
    match currencies.len() {
        0 => Some(String::new()),
        1 => currencies.keys().next().cloned(),
        _ => None,
    }
}

/// What a scorecard line is made from, beside its accumulator.
pub(crate) struct LineInputs<'a> {
    pub(crate) wr: WinRate,
    /// The one currency of the money KPIs; None with several.
    pub(crate) single: Option<&'a str>,
    pub(crate) targets: Option<&'a analysis::Targets>,
    pub(crate) period: Option<(i64, i64)>,
    pub(crate) activities: Option<&'a std::collections::HashMap<String, ActivityCounts>>,
    pub(crate) feedback: Option<&'a std::collections::HashMap<String, Vec<(f64, String)>>>,
}

/// The scorecard's typed lines from accumulated KPIs: one per group, sorted by name ("(none)"
/// for deals without one), and the team's. `check` reads its rule values from these, so a rule
/// and the scorecard never disagree.
pub(crate) fn lines_of(
    i: &LineInputs,
    by: &HashMap<u32, Acc>,
    names: &[String],
    team: &Acc,
) -> (Vec<Line>, Line) {
    let mut lines: Vec<Line> = by
        .iter()
        .filter(|(c, _)| **c != NONE)
        .map(|(c, acc)| make_line(i, &names[*c as usize], acc))
        .collect();
    if let Some(acc) = by.get(&NONE) {
        lines.push(make_line(i, "(none)", acc));
    }
    lines.sort_by(|x, y| x.key.cmp(&y.key));
    (lines, make_line(i, TEAM, team))
}

/// One output row: a rep's (or with `key` = TEAM, the team's) KPIs, target, attainment,
/// coverage, activities and feedback.
fn make_line(i: &LineInputs, key: &str, acc: &Acc) -> Line {
    let k = scorecard::kpis(acc, i.wr, i.single.unwrap_or(""));
    let k = if i.single.is_none() {
        Kpis {
            won_amount: None,
            avg_won_deal: None,
            open_pipeline: None,
            weighted_pipeline: None,
            sales_velocity: None,
            currency: Some("(several)".into()),
            ..k
        }
    } else {
        k
    };
    let target = i.targets.map(|t| {
        if key == TEAM {
            // Summed in key order: a map's own order changes run to run, and with it the
            // last bits of the sum.
            let mut keys: Vec<&String> = t.keys().collect();
            keys.sort();
            keys.iter()
                .map(|k| scorecard::rolled_target(&t[*k], i.period))
                .sum()
        } else {
            t.get(key)
                .map_or(0.0, |v| scorecard::rolled_target(v, i.period))
        }
    });
    let target = target.filter(|t| *t > 0.0);
    let won = k.won_amount;
    let attainment = match (target, won) {
        (Some(t), Some(w)) => Some(w / t),
        _ => None,
    };
    let target_met = match (target, won) {
        (Some(t), Some(w)) => Some(w >= t),
        _ => None,
    };
    let closing = acc
        .closing_in_period
        .get(i.single.unwrap_or(""))
        .copied()
        .unwrap_or(0.0);
    let coverage = match (target, won) {
        (Some(t), Some(w)) if w < t => Some(closing / (t - w)),
        _ => None,
    };
    let activities = i.activities.map(|m| {
        if key == TEAM {
            let mut s = ActivityCounts::default();
            for v in m.values() {
                s.total += v.total;
                s.calls += v.calls;
                s.visits += v.visits;
                s.emails += v.emails;
                s.meetings += v.meetings;
                s.weeks = v.weeks;
            }
            s
        } else {
            m.get(key).cloned().unwrap_or_else(|| ActivityCounts {
                weeks: m.values().next().map_or(0.0, |v| v.weeks),
                ..Default::default()
            })
        }
    });
    let feedback = i
        .feedback
        .and_then(|m| m.get(key).map(|v| summarize_feedback(v)));
    Line {
        key: key.to_string(),
        k,
        target,
        attainment,
        coverage,
        target_met,
        activities,
        feedback,
    }
}

/// The scorecard's notes: what each KPI is dated by, the win-rate definition, the team row,
/// the credit rule, and warnings (negative cycles, targets that do not line up).
#[allow(clippy::too_many_arguments)]
fn notes(
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
fn target_warnings(
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

/// The team's typed KPIs (and with several currencies, its money KPIs per currency).
fn team_of(team_line: &Line, team: &Acc, single: Option<&str>, wr: WinRate) -> Team {
    Team {
        kpis: team_line.k.clone(),
        per_currency: match single {
            Some(_) => Vec::new(),
            None => {
                let mut cs: Vec<&String> = team
                    .won_amount
                    .keys()
                    .chain(team.open_pipeline.keys())
                    .collect();
                cs.sort();
                cs.dedup();
                cs.into_iter()
                    .map(|c| (c.clone(), scorecard::kpis(team, wr, c)))
                    .collect()
            }
        },
    }
}

const TEAM: &str = "(team)";

/// The value of a KPI on a line, for ranking, cards and `check`'s rules.
pub(crate) fn value(l: &Line, kpi: &str) -> Option<f64> {
    Some(match kpi {
        "target" => l.target?,
        kpi::ATTAINMENT => l.attainment?,
        kpi::PIPELINE_COVERAGE => l.coverage?,
        "activities" => l.activities.as_ref()?.total as f64,
        "feedback_avg" => l.feedback?.0,
        _ => return l.k.get(kpi),
    })
}

/// KPIs only a scorecard line has (targets, activities, feedback), beside [`scorecard::KPI_IDS`].
const LINE_KPIS: &[&str] = &[
    "target",
    kpi::ATTAINMENT,
    kpi::PIPELINE_COVERAGE,
    "activities",
    "feedback_avg",
];

/// `--rank KPI`: best first; nulls last; on rate KPIs low_n rows after solid ones.
fn rank_lines(lines: &mut [Line], kpi: &str) -> Result<()> {
    if !scorecard::KPI_IDS.contains(&kpi) && !LINE_KPIS.contains(&kpi) {
        let all: Vec<&str> = scorecard::KPI_IDS
            .iter()
            .chain(LINE_KPIS)
            .copied()
            .collect();
        let all = all.join(", ");
        return Err(Error::usage(crate::tr!(
            "--rank {kpi:?}: not a scorecard KPI; one of {all}",
            "--rank {kpi:?}：不是记分卡 KPI；可选：{all}"
        )));
    }
    let lower = LOWER_BETTER.contains(&kpi);
    let rate = RATE_KPIS.contains(&kpi);
    lines.sort_by(|x, y| {
        let (vx, vy) = (value(x, kpi), value(y, kpi));
        let solid = |l: &Line| !(rate && l.k.low_n);
        solid(y)
            .cmp(&solid(x))
            .then_with(|| vx.is_none().cmp(&vy.is_none()))
            .then_with(|| {
                let (a, b) = (vx.unwrap_or(0.0), vy.unwrap_or(0.0));
                if lower {
                    a.total_cmp(&b)
                } else {
                    b.total_cmp(&a)
                }
            })
            .then_with(|| x.key.cmp(&y.key))
    });
    Ok(())
}

fn main_table(lines: &[Line], team: &Line, a: &Args) -> Result<ResultTable> {
    let all: Vec<&Line> = lines.iter().chain(std::iter::once(team)).collect();
    let mut t = TableBuilder::new("scorecard");
    macro_rules! push {
        ($id:expr, $unit:expr, $f:expr) => {{
            let v: Vec<_> = all.iter().map(|l| $f(*l)).collect();
            t.col($id, $unit, v);
        }};
    }
    if a.rank.is_some() {
        let n = lines.len();
        t.col(
            "rank",
            Unit::Count,
            (0..=n)
                .map(|i| (i < n).then_some(i as i64 + 1))
                .collect::<Vec<_>>(),
        );
    }
    push!(a.by.as_str(), Unit::Text, |l: &Line| l.key.clone());
    push!(
        kpi::DEALS_CREATED,
        Unit::Count,
        |l: &Line| l.k.deals_created as i64
    );
    push!(kpi::WON, Unit::Count, |l: &Line| l.k.won as i64);
    push!(kpi::LOST, Unit::Count, |l: &Line| l.k.lost as i64);
    push!(kpi::OPEN, Unit::Count, |l: &Line| l.k.open as i64);
    push!(kpi::WIN_RATE, Unit::Ratio, |l: &Line| l.k.win_rate);
    push!(kpi::WIN_RATE_LOW, Unit::Ratio, |l: &Line| l.k.win_rate_low);
    push!(kpi::WIN_RATE_HIGH, Unit::Ratio, |l: &Line| l
        .k
        .win_rate_high);
    push!("n", Unit::Count, |l: &Line| l.k.n as i64);
    push!("low_n", Unit::Bool, |l: &Line| l.k.low_n);
    push!(kpi::WON_AMOUNT, Unit::Money, |l: &Line| l.k.won_amount);
    push!(kpi::AVG_WON_DEAL, Unit::Money, |l: &Line| l.k.avg_won_deal);
    push!(kpi::CYCLE_MEDIAN_DAYS, Unit::Days, |l: &Line| l
        .k
        .cycle_median_days);
    push!(kpi::CYCLE_P75_DAYS, Unit::Days, |l: &Line| l
        .k
        .cycle_p75_days);
    push!(kpi::OPEN_PIPELINE, Unit::Money, |l: &Line| l
        .k
        .open_pipeline);
    push!(kpi::WEIGHTED_PIPELINE, Unit::Money, |l: &Line| l
        .k
        .weighted_pipeline);
    push!(
        kpi::NEW_CUSTOMERS,
        Unit::Count,
        |l: &Line| l.k.new_customers as i64
    );
    push!(kpi::SALES_VELOCITY, Unit::Money, |l: &Line| l
        .k
        .sales_velocity);
    if a.targets.is_some() {
        push!("target", Unit::Money, |l: &Line| l.target);
        push!(kpi::ATTAINMENT, Unit::Ratio, |l: &Line| l.attainment);
        push!(kpi::PIPELINE_COVERAGE, Unit::Number, |l: &Line| l.coverage);
        push!("target_met", Unit::Bool, |l: &Line| l.target_met);
    }
    if a.activities.is_some() {
        let act = |l: &Line| l.activities.clone().unwrap_or_default();
        push!("activities", Unit::Count, |l: &Line| act(l).total as i64);
        push!("calls", Unit::Count, |l: &Line| act(l).calls as i64);
        push!("visits", Unit::Count, |l: &Line| act(l).visits as i64);
        push!("emails", Unit::Count, |l: &Line| act(l).emails as i64);
        push!("meetings", Unit::Count, |l: &Line| act(l).meetings as i64);
        push!("activities_per_won", Unit::Number, |l: &Line| (l.k.won > 0)
            .then(|| act(l).total as f64 / l.k.won as f64));
        push!("activities_per_week", Unit::Number, |l: &Line| {
            let x = act(l);
            (x.weeks > 0.0).then(|| x.total as f64 / x.weeks)
        });
    }
    if a.feedback.is_some() {
        push!("feedback_avg", Unit::Number, |l: &Line| l
            .feedback
            .map(|f| f.0));
        push!("feedback_n", Unit::Count, |l: &Line| l
            .feedback
            .map_or(0, |f| f.1 as i64));
        push!("nps", Unit::Number, |l: &Line| l.feedback.and_then(|f| f.2));
    }
    push!("currency", Unit::Text, |l: &Line| l.k.currency.clone());
    t.build()
}

fn money_table(
    by: &HashMap<u32, Acc>,
    team: &Acc,
    names: &[String],
    wr: WinRate,
) -> Result<ResultTable> {
    let mut keys: Vec<(String, &Acc)> = by
        .iter()
        .map(|(c, a)| {
            (
                if *c == NONE {
                    "(none)".to_string()
                } else {
                    names[*c as usize].clone()
                },
                a,
            )
        })
        .collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys.push((TEAM.to_string(), team));
    let (mut key, mut cur, mut won, mut avg, mut open, mut weighted) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (k, a) in keys {
        let mut cs: Vec<&String> = a.won_amount.keys().chain(a.open_pipeline.keys()).collect();
        cs.sort();
        cs.dedup();
        for c in cs {
            let x = scorecard::kpis(a, wr, c);
            key.push(k.clone());
            cur.push(c.clone());
            won.push(x.won_amount);
            avg.push(x.avg_won_deal);
            open.push(x.open_pipeline);
            weighted.push(x.weighted_pipeline);
        }
    }
    let mut t = TableBuilder::new("money");
    t.col("owner", Unit::Text, key)
        .col("currency", Unit::Text, cur)
        .col(kpi::WON_AMOUNT, Unit::Money, won)
        .col(kpi::AVG_WON_DEAL, Unit::Money, avg)
        .col(kpi::OPEN_PIPELINE, Unit::Money, open)
        .col(kpi::WEIGHTED_PIPELINE, Unit::Money, weighted);
    t.build()
}

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

fn leaderboard(lines: &[Line], lang: Lang) -> ChartSpec {
    let mut ls: Vec<&Line> = lines.iter().filter(|l| l.k.won_amount.is_some()).collect();
    ls.sort_by(|a, b| {
        b.k.won_amount
            .unwrap_or(0.0)
            .total_cmp(&a.k.won_amount.unwrap_or(0.0))
    });
    let all = ls.len();
    ls.truncate(20);
    let with_target = ls.iter().any(|l| l.attainment.is_some());
    let currency = ls
        .iter()
        .find_map(|l| l.k.currency.clone())
        .filter(|c| !c.is_empty() && !c.starts_with('('));
    // The title says what the chart holds: attainment only with targets, and a top 20 as such.
    let (mut title_en, mut title_zh) = if with_target {
        (
            "Won amount (attainment)".to_string(),
            "赢单金额（目标达成率）".to_string(),
        )
    } else {
        ("Won amount".to_string(), "赢单金额".to_string())
    };
    if all > ls.len() {
        title_en.push_str(&format!(", top {} of {all} reps", ls.len()));
        title_zh.push_str(&format!("，前 {} 名（共 {all} 人）", ls.len()));
    }
    let axis_unit = currency.map(|c| format!(" ({c})")).unwrap_or_default();
    ChartSpec {
        lang,
        chart: Chart::HBar {
            labels: ls.iter().map(|l| l.key.clone()).collect(),
            values: ls.iter().map(|l| l.k.won_amount.unwrap_or(0.0)).collect(),
            value_labels: ls
                .iter()
                .map(|l| {
                    let w = crate::output::cell::thousands(&format!(
                        "{:.0}",
                        l.k.won_amount.unwrap_or(0.0)
                    ));
                    match l.attainment {
                        Some(at) => format!("{w} ({:.0}%)", at * 100.0),
                        None => w,
                    }
                })
                .collect(),
        },
        title: match lang {
            Lang::En => title_en,
            Lang::ZhCn => title_zh,
        },
        x_label: match lang {
            Lang::En => format!("won amount{axis_unit}"),
            Lang::ZhCn => format!("赢单金额{axis_unit}"),
        },
        y_label: match lang {
            Lang::En => "won amount".into(),
            Lang::ZhCn => "赢单金额".into(),
        },
    }
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
