//! The analysis layer, between the command line and the commands: each analysis command's
//! result built from a loaded input (its flags in, metrics computed, tables, notes and chart
//! out: [`Built`]), and the helpers they share (grouping columns, durations, standard notes,
//! rejects, purchases, the forecast driver). A command's `run` loads, builds here and emits;
//! `report` builds several sections from one load.

pub(crate) mod bottleneck;
pub(crate) mod cac;
pub(crate) mod check;
pub(crate) mod cltv;
pub(crate) mod diff;
pub(crate) mod forecast;
pub(crate) mod funnel;
pub(crate) mod history;
pub(crate) mod plan;
pub(crate) mod report;
pub(crate) mod scorecard;
pub(crate) mod series;
pub(crate) mod show;

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::columns::deals::DealSet;
use crate::columns::engine;
use crate::error::{Error, Result};
use crate::load::{self, Dataset, LoaderArgs};
use crate::model::{Status, Table};
use crate::output::Note;
use crate::period::Period;
use crate::text::Text;

/// Stage-event columns the funnel-family commands read.
pub(crate) const EVENT_COLS: &[&str] = &[
    "deal_id",
    "pipeline",
    "stage",
    "entered_at",
    "entered_at_min",
    "entered_at_max",
];

/// `90d`, `12w`, `3m` (months of 365.25/12 days), `1y`, or plain days -> days.
pub(crate) fn parse_duration_days(s: &str) -> std::result::Result<f64, Text> {
    let t = s.trim().to_ascii_lowercase();
    let (num, unit) = t.split_at(t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len()));
    let n: f64 = num.trim().parse().map_err(|_| {
        crate::tr!(
            "{s:?}: expected a duration such as 90d, 12w, 3m or 1y",
            "{s:?}：应为时长，如 90d、12w、3m 或 1y"
        )
    })?;
    if !(n > 0.0 && n.is_finite()) {
        return Err(crate::tr!(
            "{s:?}: a duration must be positive",
            "{s:?}：时长必须为正数"
        ));
    }
    let days = match unit {
        "" | "d" | "day" | "days" => n,
        "w" | "week" | "weeks" => n * 7.0,
        "m" | "month" | "months" => n * 365.25 / 12.0,
        "y" | "year" | "years" => n * 365.25,
        _ => {
            return Err(crate::tr!(
                "{s:?}: unknown unit {unit:?}; use d, w, m or y",
                "{s:?}：未知单位 {unit:?}；请用 d、w、m 或 y"
            ));
        }
    };
    Ok(days)
}

mod notes;
mod revenue;
mod sets;

pub(crate) use notes::*;
pub(crate) use revenue::*;
pub(crate) use sets::*;

/// What a section command builds from a loaded input: its tables and notes, and its chart
/// when `--chart` asked for one. `run` emits it; `report` composes several.
pub(crate) struct Built {
    pub(crate) report: crate::output::Report,
    pub(crate) chart: Option<crate::output::chart::ChartSpec>,
}

/// The end of a single command's run: the result where `out` asks, then `--rejects`.
pub(crate) fn emit(
    b: &Built,
    out: &crate::output::OutputArgs,
    ds: &Dataset,
    load: &LoaderArgs,
) -> Result<crate::exit::ExitCode> {
    let lang = ds.settings.config.lang.as_deref();
    crate::output::emit(&b.report, out, lang, b.chart.as_ref())?;
    write_rejects(ds, load)?;
    Ok(crate::exit::ExitCode::Success)
}

/// The language a command's output is in: `--lang`, else the config's, else LANG.
pub(crate) fn lang(out: &crate::output::OutputArgs, ds: &Dataset) -> Result<crate::text::Lang> {
    crate::text::Lang::resolve(out.lang.as_deref(), ds.settings.config.lang.as_deref())
        .map_err(Error::usage)
}

/// `--rejects FILE` on a raw export.
pub(crate) fn write_rejects(ds: &Dataset, a: &LoaderArgs) -> Result<()> {
    if let Some(p) = &a.rejects {
        crate::load::dir::write_rejects(p, &ds.rejects)?;
    }
    Ok(())
}

/// Targets per key (rep, or the `--by` field's value): each a list of (period start and end in
/// epoch milliseconds, amount), rolled to a report period by `metrics::scorecard::rolled_target`.
pub(crate) type Targets = std::collections::HashMap<String, Vec<((i64, i64), f64)>>;

/// The targets file of `scorecard --targets` and `check --targets`, keyed by the `by` field.
pub(crate) fn load_targets(
    f: &std::path::Path,
    by: &str,
    main: &LoaderArgs,
    ds: &Dataset,
) -> Result<Targets> {
    let df = crate::load::side::read(
        f,
        main,
        Table::Targets,
        &["dimension", "key", "period", "target", "metric"],
        &["key", "period", "target"],
    )?;
    let dim = engine::coded(&df, "dimension")?;
    let key = engine::coded(&df, "key")?;
    let per = engine::coded(&df, "period")?;
    let tgt = engine::floats(&df, "target")?;
    let metric = engine::coded(&df, "metric")?;
    let mut out: std::collections::HashMap<String, Vec<((i64, i64), f64)>> =
        std::collections::HashMap::new();
    for i in 0..df.height() {
        if dim.get(i).is_some_and(|d| !d.eq_ignore_ascii_case(by)) {
            continue;
        }
        if metric
            .get(i)
            .is_some_and(|m| !m.eq_ignore_ascii_case("revenue"))
        {
            continue;
        }
        let (Some(k), Some(p), Some(v)) = (key.get(i), per.get(i), tgt[i]) else {
            continue;
        };
        let p = crate::period::parse(p, ds.as_of, ds.calendar()).map_err(|e| {
            let (file, row) = (f.display(), i + 2);
            let zh = e.zh.as_deref().unwrap_or(&e.en);
            Error::input(Text::new(
                format!("{file}: row {row}: column period: {}", e.en),
                format!("{file}：第 {row} 行：period 列：{zh}"),
            ))
        })?;
        out.entry(k.to_string()).or_default().push((p.millis(), v));
    }
    Ok(out)
}

/// A usage error for a bad flag value: `FLAG MESSAGE`, in both languages when the message has
/// them (a duration's message comes from [`parse_duration_days`]).
pub(crate) fn flag_error(flag: &str, e: impl Into<Text>) -> Error {
    let e: Text = e.into();
    Error::usage(e.map(|m| format!("{flag} {m}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_days("90d"), Ok(90.0));
        assert_eq!(parse_duration_days("2w"), Ok(14.0));
        assert_eq!(parse_duration_days("12m"), Ok(365.25));
        assert_eq!(parse_duration_days("30"), Ok(30.0));
        assert!(parse_duration_days("x").is_err());
        assert!(parse_duration_days("-3d").is_err());
    }
}

/// Stage labels of `--stages` and the config against the labels in the data. A listed label
/// that is absent from the data while a data label is a near miss of it (equal once case,
/// punctuation and spaces are dropped, or, for labels of 4 characters or more, at most 2 edits
/// apart) is a usage error naming the closest: a typo would otherwise make up a stage that deals
/// "reach" only by skipping past it. A listed label that is simply absent is a warning for
/// `--stages` (but its first stage, where every deal enters) and left alone for the config's
/// lists (shared lists name other pipelines' stages).
pub(crate) fn check_stage_labels(set: &DealSet, ds: &Dataset) -> Result<()> {
    let seen = &set.stage.values;
    let in_data = |l: &str| seen.iter().any(|s| s.trim().eq_ignore_ascii_case(l.trim()));
    let flag = ds.settings.stages_flag.as_deref().unwrap_or_default();
    // (label, from --stages and not its first stage): every deal enters at the first stage, so
    // its absence from a snapshot is normal.
    let mut listed: Vec<(&str, bool)> = flag
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i > 0))
        .collect();
    for list in ds.settings.stage_lists.values() {
        for l in list {
            if !listed.iter().any(|(x, _)| x == l) {
                listed.push((l.as_str(), false));
            }
        }
    }
    let unlisted: Vec<&str> = seen
        .iter()
        .map(String::as_str)
        .filter(|s| {
            !listed
                .iter()
                .any(|(l, _)| l.trim().eq_ignore_ascii_case(s.trim()))
        })
        .collect();
    let mut absent = Vec::new();
    for (label, from_flag) in listed {
        if in_data(label) {
            continue;
        }
        if let Some(near) = near_miss(label, &unlisted) {
            let (source, source_zh) = if flag.iter().any(|f| f == label) {
                ("--stages".to_string(), "--stages".to_string())
            } else {
                match &ds.settings.config_path {
                    Some(p) => (
                        format!("[stages] in {}", p.display()),
                        format!("{} 中的 [stages]", p.display()),
                    ),
                    None => (
                        "[stages] in the config".to_string(),
                        "配置中的 [stages]".to_string(),
                    ),
                }
            };
            let seen = seen.join(", ");
            return Err(Error::usage(Text::new(
                format!(
                    "{source}: stage {label:?} is not in the data, but {near:?} is: did you mean {near:?}? \
                     (a listed stage no deal is at would be counted as reached by every deal past it; \
                     stage labels in the data: {seen})"
                ),
                format!(
                    "{source_zh}：阶段 {label:?} 不在数据中，但 {near:?} 在：是否想用 {near:?}？\
                     （列出的阶段若没有商机停留，会被其后的每个商机计为已到达；\
                     数据中的阶段：{seen}）"
                ),
            )));
        }
        if from_flag {
            absent.push(label);
        }
    }
    if !absent.is_empty() {
        crate::warn::emit(
            &crate::text::Text::new(
                format!(
                    "--stages lists {} that no deal or stage event in the data has: {} counted as reached only by deals seen at a later stage",
                    quoted(&absent),
                    if absent.len() == 1 {
                        "it is"
                    } else {
                        "they are"
                    }
                ),
                format!(
                    "--stages 中的阶段 {} 在数据中不存在：只有经过其后阶段的商机才会被计为到达",
                    quoted(&absent)
                ),
            ),
            crate::warn::lang(),
        );
    }
    Ok(())
}

fn quoted(labels: &[&str]) -> String {
    labels
        .iter()
        .map(|l| format!("{l:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The data label that `label` is a near miss of, if any (see [`check_stage_labels`]).
fn near_miss<'a>(label: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let l = norm(label);
    if let Some(c) = candidates.iter().find(|c| norm(c) == l && !l.is_empty()) {
        return Some(c);
    }
    if label.trim().chars().count() < 4 {
        return None;
    }
    let lower = label.trim().to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(&lower, &c.trim().to_lowercase()), *c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod stage_tests {
    use super::near_miss;

    #[test]
    fn near_misses() {
        let data = ["Lead", "Qualified", "Proposal Sent", "Closed Won"];
        assert_eq!(near_miss("Qualifed", &data), Some("Qualified"));
        assert_eq!(near_miss("proposal-sent", &data), Some("Proposal Sent"));
        assert_eq!(near_miss("PROPOSALSENT", &data), Some("Proposal Sent"));
        assert_eq!(near_miss("Negotiation", &data), None);
        // Short labels: only the normalised form, never 2 edits ("Lea" is not "Lead"'s typo by rule).
        assert_eq!(near_miss("S1", &["S2", "S3"]), None);
        assert_eq!(near_miss("s-1", &["S1"]), Some("S1"));
    }
}
