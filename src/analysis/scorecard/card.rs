//! `scorecard --rep NAME`: one rep's card (every KPI beside the team median and the rep's
//! percentile, strengths and weaknesses) and monthly trend.

use crate::model::kpi;
use chrono::Datelike;

use super::{Args, LOWER_BETTER, Line, RATE_KPIS, value};
use crate::columns::deals::DealSet;
use crate::columns::engine::{self, NONE};
use crate::error::{Error, Result};
use crate::load;
use crate::metrics::scorecard;
use crate::output::chart::{Chart, ChartSpec};
use crate::output::{Note, Report, TableBuilder, Unit};
use crate::text::Lang;

use crate::analysis::Built;

/// Find a rep: exact (case-insensitive), else a unique prefix; else a usage error with the closest names.
pub(crate) fn match_rep<'a>(want: &str, names: &'a [String]) -> Result<&'a str> {
    let w = want.trim().to_lowercase();
    if let Some(n) = names.iter().find(|n| n.to_lowercase() == w) {
        return Ok(n);
    }
    let pre: Vec<&String> = names
        .iter()
        .filter(|n| n.to_lowercase().starts_with(&w))
        .collect();
    match pre.len() {
        1 => Ok(pre[0]),
        0 => {
            let mut scored: Vec<(f64, &String)> = names
                .iter()
                .map(|n| (strsim::jaro_winkler(&w, &n.to_lowercase()), n))
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            let near: Vec<&str> = scored.iter().take(3).map(|x| x.1.as_str()).collect();

            let near = near.join(", ");
            Err(Error::usage(crate::tr!(
                "--rep {want:?}: no such rep; closest: {near}",
                "--rep {want:?}：没有这个销售人员；最接近的：{near}"
            )))
        }
        _ => {
            let all = pre
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            Err(Error::usage(crate::tr!(
                "--rep {want:?} is ambiguous: {all}",
                "--rep {want:?} 有歧义：{all}"
            )))
        }
    }
}

/// The card's KPIs: the scorecard's (without the interval bounds), attainment, activities, feedback.
fn card_kpis() -> impl Iterator<Item = &'static str> {
    scorecard::KPI_IDS
        .iter()
        .copied()
        .filter(|k| !k.starts_with("win_rate_"))
        .chain([kpi::ATTAINMENT, "activities", "feedback_avg"])
}

#[allow(clippy::too_many_arguments)]
pub(super) fn rep_card(
    rep: &str,
    a: &Args,
    ds: &load::Dataset,
    set: &DealSet,
    group: &[u32],
    names: &[String],
    account: &engine::Coded,
    params: &scorecard::Params,
    winp: &scorecard::WinProbability,
    lines: Vec<Line>,
    team: Line,
    mut notes: Vec<Note>,
    lang: Lang,
    currency: Option<&str>,
) -> Result<Built> {
    let name = match_rep(rep, names)?.to_string();
    let me = lines
        .iter()
        .find(|l| l.key == name)
        .ok_or_else(|| Error::Internal("rep line".into()))?;
    let (mut kpi, mut val, mut med, mut pct, mut flag) = (vec![], vec![], vec![], vec![], vec![]);
    for k in card_kpis() {
        let mine = value(me, k);
        let others: Vec<f64> = lines.iter().filter_map(|l| value(l, k)).collect();
        if mine.is_none() && others.is_empty() {
            continue;
        }
        let team_median = crate::metrics::stats::quantile(&others, 0.5);
        // Percentile: share of reps this rep is at least as good as (mid-rank for ties).
        let lower = LOWER_BETTER.contains(&k);
        let p = mine.filter(|_| !others.is_empty()).map(|m| {
            let worse = others
                .iter()
                .filter(|&&o| if lower { o > m } else { o < m })
                .count() as f64;
            let ties = others.iter().filter(|&&o| o == m).count() as f64;
            (worse + 0.5 * ties) / others.len() as f64
        });
        let low_n_rate = RATE_KPIS.contains(&k) && me.k.low_n;
        let f = match p {
            _ if low_n_rate => "low_n",
            Some(p) if p >= 0.75 && others.len() >= 4 => "strength",
            Some(p) if p <= 0.25 && others.len() >= 4 => "weakness",
            _ => "",
        };
        kpi.push(k.to_string());
        val.push(mine);
        med.push(team_median);
        pct.push(p);
        flag.push(f.to_string());
    }
    let units: Vec<Unit> = kpi.iter().map(|k| crate::output::kpi_unit(k)).collect();
    let card = TableBuilder::new("card")
        .col("kpi", Unit::Text, kpi.clone())
        .col_units("value", units.clone(), val.clone())
        .col_units("team_median", units, med.clone())
        .col("percentile", Unit::Ratio, pct)
        .col("verdict", Unit::Text, flag)
        .build()?;
    // Monthly trend: the last N months up to as-of's month.
    let gcode = names
        .iter()
        .position(|n| *n == name)
        .map_or(NONE, |i| i as u32);
    let trend = trend_table(
        ds,
        a.trend.max(1),
        set,
        (group, gcode),
        account,
        params,
        winp,
        currency,
    )?;
    crate::meta::set_subject("owner", &name);
    notes.insert(
        0,
        Note::new(format!("rep card: {name}"), format!("销售人员卡片：{name}")),
    );
    notes.push(Note::new(
        "percentile = share of reps this rep does better than (ties count half; lower is better for cycle and lost); strength / weakness = top / bottom quartile among 4+ reps",
        "百分位 = 该销售优于的同事占比（并列计一半；周期与输单越低越好）；优势 / 短板 = 4 人以上团队中的前 / 后四分之一",
    ));
    let _ = team;
    let chart = a
        .out
        .chart
        .as_ref()
        .map(|_| card_chart(&name, &kpi, &val, &med, lang));
    let report = Report {
        tables: vec![card, trend],
        notes,
        title: Some(Note::new("Rep card", "销售人员卡片")),
    };
    Ok(Built { report, chart })
}

/// The rep's monthly trend: won amount (in one currency), win rate, deals created and median
/// cycle in each of the last `n_months` months up to the as-of's. `group` is every deal's group
/// code and the rep's.
#[allow(clippy::too_many_arguments)]
fn trend_table(
    ds: &load::Dataset,
    n_months: usize,
    set: &DealSet,
    (group, gcode): (&[u32], u32),
    account: &engine::Coded,
    params: &scorecard::Params,
    winp: &scorecard::WinProbability,
    currency: Option<&str>,
) -> Result<crate::output::ResultTable> {
    let mut month =
        chrono::NaiveDate::from_ymd_opt(ds.as_of.year(), ds.as_of.month(), 1).unwrap_or(ds.as_of);
    let mut months = vec![];
    for _ in 0..n_months {
        months.push(month);
        month = if month.month() == 1 {
            chrono::NaiveDate::from_ymd_opt(month.year() - 1, 12, 1).unwrap_or(month)
        } else {
            chrono::NaiveDate::from_ymd_opt(month.year(), month.month() - 1, 1).unwrap_or(month)
        };
    }
    months.reverse();
    let (mut lab, mut wa, mut wrt, mut dc, mut cyc) = (vec![], vec![], vec![], vec![], vec![]);
    for m in &months {
        let label = format!("{}-{:02}", m.year(), m.month());
        let p = crate::period::parse(&label, ds.as_of, ds.calendar())
            .map_err(|e| Error::Internal(e.en))?;
        let pp = scorecard::Params {
            period: Some(p.millis()),
            ..params.clone()
        };
        let (by, _) = scorecard::accumulate(set, group, account, &pp, winp);
        let acc = by.get(&gcode).cloned().unwrap_or_default();
        let k = scorecard::kpis(&acc, params.win_rate, currency.unwrap_or(""));
        lab.push(label);
        wa.push(if currency.is_some() {
            k.won_amount
        } else {
            None
        });
        wrt.push(k.win_rate);
        dc.push(k.deals_created as i64);
        cyc.push(k.cycle_median_days);
    }
    TableBuilder::new("trend")
        .col("period", Unit::Text, lab)
        .col(kpi::WON_AMOUNT, Unit::Money, wa)
        .col(kpi::WIN_RATE, Unit::Ratio, wrt)
        .col(kpi::DEALS_CREATED, Unit::Count, dc)
        .col(kpi::CYCLE_MEDIAN_DAYS, Unit::Days, cyc)
        .build()
}

/// The card's chart: the rep's KPIs as an index of the team median (= 100), for the KPIs a
/// ratio to the median reads well on.
fn card_chart(
    name: &str,
    kpis: &[String],
    val: &[Option<f64>],
    med: &[Option<f64>],
    lang: Lang,
) -> ChartSpec {
    let mut cats = vec![];
    let mut mine = vec![];
    let mut tm = vec![];
    for (i, k) in kpis.iter().enumerate() {
        if let (Some(v), Some(m)) = (val[i], med[i]) {
            if m != 0.0
                && [
                    kpi::WIN_RATE,
                    kpi::WON_AMOUNT,
                    kpi::AVG_WON_DEAL,
                    kpi::CYCLE_MEDIAN_DAYS,
                    kpi::OPEN_PIPELINE,
                    kpi::DEALS_CREATED,
                ]
                .contains(&k.as_str())
            {
                cats.push(crate::output::labels::label(k, lang));
                mine.push(100.0 * v / m);
                tm.push(100.0);
            }
        }
    }
    ChartSpec {
        lang,
        chart: Chart::Grouped {
            categories: cats,
            series: vec![(name.to_string(), mine), (label_team(lang), tm)],
        },
        title: match lang {
            Lang::En => format!("{name} against the team median (= 100)"),
            Lang::ZhCn => format!("{name} 对比团队中位数（= 100）"),
        },
        x_label: String::new(),
        y_label: match lang {
            Lang::En => "index".into(),
            Lang::ZhCn => "指数".into(),
        },
    }
}

fn label_team(lang: Lang) -> String {
    match lang {
        Lang::En => "team median".into(),
        Lang::ZhCn => "团队中位数".into(),
    }
}
