//! The scorecard's tables (main, money per currency) and its leaderboard chart.

use super::*;

pub(super) fn main_table(lines: &[Line], team: &Line, a: &Args) -> Result<ResultTable> {
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

pub(super) fn money_table(
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

pub(super) fn leaderboard(lines: &[Line], lang: Lang) -> ChartSpec {
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
