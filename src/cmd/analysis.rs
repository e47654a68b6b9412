//! Glue shared by the analysis commands: grouping columns, durations, standard notes, rejects.

use polars::prelude::*;

use crate::error::{Error, Result, closest};
use crate::load::{Dataset, LoaderArgs};
use crate::metrics::deals::DealSet;
use crate::metrics::prep;
use crate::output::Note;
use crate::period::Period;

/// `--by FIELD`: the field's code for every deal, and the code names. A field the deals table
/// lacks is an input error naming the columns that exist and the closest one.
pub fn by_codes(
    set: &DealSet,
    deals: Option<&DataFrame>,
    field: &str,
    ds: &Dataset,
) -> Result<(Vec<u32>, Vec<String>)> {
    let Some(df) = deals.filter(|d| prep::has(d, field)) else {
        let cols = ds
            .columns_of(crate::model::Table::Deals)
            .unwrap_or_default();
        let hint = closest(field, cols.iter().map(String::as_str))
            .map(|c| format!("; closest: {c:?}"))
            .unwrap_or_default();
        return Err(Error::MissingColumn {
            file: ds
                .manifest
                .sources
                .iter()
                .map(|s| s.path.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            field: field.to_string(),
            why: "--by groups by it".into(),
            found: cols.join(", "),
            hint,
        });
    };
    let c = prep::coded(df, field)?;
    Ok((set.group_codes(&c), c.values))
}

/// Stage-event columns the funnel-family commands read.
pub const EVENT_COLS: &[&str] = &[
    "deal_id",
    "pipeline",
    "stage",
    "entered_at",
    "entered_at_min",
    "entered_at_max",
];

/// The deals (columns `cols`, plus `--by`'s field) and stage events of an input as a deal set,
/// with the deals frame (for grouping columns). At least one of the two tables must be there.
pub fn deal_set(
    ds: &Dataset,
    cols: &[&str],
    by: Option<&str>,
) -> Result<(Option<DataFrame>, DealSet)> {
    let events = ds.frame_coded(crate::model::Table::StageEvents, EVENT_COLS)?;
    build_set(ds, cols, by, events.map(Into::into))
}

/// Load the inputs of a funnel-family command (funnel, bottleneck), reading only the deal
/// columns `cols` (plus `--by`'s field) and the stage-event columns the deal set uses, and build
/// its deal set. The stage events are taken out of the dataset: a history of millions of rows
/// is freed as soon as the deal set has coded it. A stage order must be known.
pub fn load_deal_set(
    inputs: &[std::path::PathBuf],
    load: &mut LoaderArgs,
    cols: &[&str],
    by: Option<&str>,
) -> Result<(Dataset, Option<DataFrame>, DealSet)> {
    let mut fields: Vec<&str> = cols.to_vec();
    fields.extend(by);
    load.read_only(&[
        (crate::model::Table::Deals, &fields),
        (crate::model::Table::StageEvents, EVENT_COLS),
    ]);
    let mut ds = crate::load::load(inputs, load)?;
    let (deals, set) = deal_set_taking_events(&mut ds, cols, by)?;
    require_stage_lists(&set, &ds)?;
    Ok((ds, deals, set))
}

/// [`deal_set`] that takes the stage events out of the dataset (see [`load_deal_set`]).
fn deal_set_taking_events(
    ds: &mut Dataset,
    cols: &[&str],
    by: Option<&str>,
) -> Result<(Option<DataFrame>, DealSet)> {
    let events = ds.take_event_rows(crate::model::Table::StageEvents, EVENT_COLS)?;
    build_set(ds, cols, by, events)
}

fn build_set(
    ds: &Dataset,
    cols: &[&str],
    by: Option<&str>,
    events: Option<crate::metrics::prep::EventRows>,
) -> Result<(Option<DataFrame>, DealSet)> {
    let mut cols: Vec<&str> = cols.to_vec();
    if let Some(b) = by {
        cols.push(b);
    }
    let _t = crate::timing::span("deal set");
    let t_read = crate::timing::span("deal set: read tables");
    let deals = ds.frame_coded(crate::model::Table::Deals, &cols)?;
    drop(t_read);
    if deals.is_none() && events.is_none() {
        return Err(Error::Input(
            "the input holds neither deals nor stage events".into(),
        ));
    }
    let set = DealSet::build(deals.as_ref(), events, ds.pipelines())?;
    Ok((deals, set))
}

/// `90d`, `12w`, `3m` (months of 365.25/12 days), `1y`, or plain days -> days.
pub fn parse_duration_days(s: &str) -> std::result::Result<f64, String> {
    let t = s.trim().to_ascii_lowercase();
    let (num, unit) = t.split_at(t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len()));
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?}: expected a duration such as 90d, 12w, 3m or 1y"))?;
    if !(n > 0.0 && n.is_finite()) {
        return Err(format!("{s:?}: a duration must be positive"));
    }
    let days = match unit {
        "" | "d" | "day" | "days" => n,
        "w" | "week" | "weeks" => n * 7.0,
        "m" | "month" | "months" => n * 365.25 / 12.0,
        "y" | "year" | "years" => n * 365.25,
        _ => return Err(format!("{s:?}: unknown unit {unit:?}; use d, w, m or y")),
    };
    Ok(days)
}

/// A funnel needs a stage order: fail with the labels seen when none is known.
pub fn require_stage_lists(set: &DealSet, ds: &Dataset) -> Result<()> {
    if !set.pipelines.lists.is_empty() {
        return Ok(());
    }
    let mut seen: Vec<String> = set
        .stage
        .values
        .iter()
        .filter(|s| ds.settings.outcomes.status_of(s) == crate::model::Status::Open)
        .cloned()
        .collect();
    seen.sort();
    Err(Error::Usage(format!(
        "no stage order is known for this export; pass --stages A,B,C (open stages in pipeline order) or set [stages] in salesctl.toml. Open stage labels seen: {}",
        if seen.is_empty() {
            "(none)".to_string()
        } else {
            seen.join(", ")
        }
    )))
}

/// Notes every analysis prints: as-of and its basis, the period and the date field it filters.
pub fn base_notes(ds: &Dataset, period: Option<&Period>, field: &str) -> Vec<Note> {
    let mut n = vec![Note::new(
        format!("as of {} ({})", ds.as_of, ds.manifest.as_of_basis),
        format!("截至 {}（{}）", ds.as_of, ds.manifest.as_of_basis),
    )];
    match period {
        Some(p) => n.push(Note::new(
            format!("period {}: [{}, {}) on {field}", p.label, p.start, p.end),
            format!(
                "期间 {}：[{}, {})，按 {field} 筛选",
                p.label, p.start, p.end
            ),
        )),
        None => n.push(Note::new(
            "no period given: all rows",
            "未指定期间：全部数据",
        )),
    }
    n.extend(ds.manifest.notes.iter().map(Note::en));
    let rejected: usize = ds.manifest.sources.iter().map(|s| s.rejected_rows).sum();
    if rejected > 0 {
        n.push(Note::new(
            format!("{rejected} input row(s) rejected (write them with --rejects FILE)"),
            format!("{rejected} 行输入被拒绝（用 --rejects FILE 导出）"),
        ));
    }
    n
}

/// Loader flags for a side file (targets, activities, feedback, spend) read as `table`: the
/// command's config and as-of, nothing else of the main input's mapping.
pub fn side_loader(main: &LoaderArgs, table: &str) -> LoaderArgs {
    LoaderArgs {
        as_table: vec![table.into()],
        config: main.config.clone(),
        as_of: main.as_of.clone(),
        quiet: main.quiet,
        ..Default::default()
    }
}

/// `--rejects FILE` on a raw export.
pub fn write_rejects(ds: &Dataset, a: &LoaderArgs) -> Result<()> {
    if let Some(p) = &a.rejects {
        crate::load::dir::write_rejects(p, &ds.rejects)?;
    }
    Ok(())
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
