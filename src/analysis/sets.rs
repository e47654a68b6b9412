//! The deal set of a loaded input: the grouping codes, the deals table read with the stage
//! events, and the refusal when no stage order is known.

use super::*;

/// `--by FIELD`: the field's code for every deal, and the code names. A field the deals table
/// lacks is an input error naming the columns that exist and the closest one.
pub(crate) fn by_codes(
    set: &DealSet,
    deals: Option<&DataFrame>,
    field: &str,
    ds: &Dataset,
) -> Result<(Vec<u32>, Vec<String>)> {
    let Some(df) = deals.filter(|d| engine::has(d, field)) else {
        let cols = ds
            .columns_of(crate::model::Table::Deals)
            .unwrap_or_default();
        let found: Vec<&str> = cols.iter().map(String::as_str).collect();
        return Err(Error::missing_column(
            ds.source_paths(),
            field,
            crate::tr!("--by groups by it", "--by 按它分组"),
            &found,
            false,
        ));
    };
    let c = engine::coded(df, field)?;
    Ok((set.group_codes(&c), c.values))
}

/// The deals (columns `cols`, plus `--by`'s field) and stage events of an input as a deal set,
/// with the deals frame (for grouping columns). At least one of the two tables must be there.
pub(crate) fn deal_set(
    ds: &Dataset,
    cols: &[&str],
    by: Option<&str>,
) -> Result<(Option<DataFrame>, DealSet)> {
    let events = ds.event_rows(crate::model::Table::StageEvents, EVENT_COLS)?;
    build_set(ds, cols, by, events)
}

/// [`deal_set`] for the funnel family (funnel, bottleneck) on a dataset a report shares: the
/// dataset left whole, and a stage order required as [`load_deal_set`] requires it.
pub(crate) fn staged_deal_set(
    ds: &Dataset,
    cols: &[&str],
    by: Option<&str>,
) -> Result<(Option<DataFrame>, DealSet)> {
    let (deals, set) = deal_set(ds, cols, by)?;
    require_stage_lists(&set, ds)?;
    Ok((deals, set))
}

/// Load the inputs of a funnel-family command (funnel, bottleneck), reading only the deal
/// columns `cols` (plus `--by`'s field) and the stage-event columns the deal set uses, and build
/// its deal set. The stage events are taken out of the dataset: a history of millions of rows
/// is freed as soon as the deal set has coded it. A stage order must be known.
pub(crate) fn load_deal_set(
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
pub(super) fn deal_set_taking_events(
    ds: &mut Dataset,
    cols: &[&str],
    by: Option<&str>,
) -> Result<(Option<DataFrame>, DealSet)> {
    let events = ds.take_event_rows(crate::model::Table::StageEvents, EVENT_COLS)?;
    build_set(ds, cols, by, events)
}

pub(super) fn build_set(
    ds: &Dataset,
    cols: &[&str],
    by: Option<&str>,
    events: Option<crate::columns::engine::EventRows>,
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
        return Err(Error::input(crate::tr!(
            "the input holds neither deals nor stage events",
            "输入中既没有商机也没有阶段事件"
        )));
    }
    crate::timing::count(|| "deal set".into());
    let set = DealSet::build(deals.as_ref(), events, ds.pipelines())?;
    Ok((deals, set))
}

/// A funnel needs a stage order: fail with the labels seen when none is known. A known order is
/// checked against the data's labels ([`check_stage_labels`]).
pub(crate) fn require_stage_lists(set: &DealSet, ds: &Dataset) -> Result<()> {
    if !set.pipelines.lists.is_empty() {
        return check_stage_labels(set, ds);
    }
    let mut seen: Vec<String> = set
        .stage
        .values
        .iter()
        .filter(|s| ds.settings.outcomes.status_of(s) == crate::model::Status::Open)
        .cloned()
        .collect();
    seen.sort();
    let (seen_en, seen_zh) = if seen.is_empty() {
        ("(none)".to_string(), "（无）".to_string())
    } else {
        (seen.join(", "), seen.join(", "))
    };
    Err(Error::usage(crate::tr!(
        "no stage order is known for this export; pass --stages A,B,C (open stages in pipeline order) or set [stages] in salesctl.toml. Open stage labels seen: {seen_en}",
        "此导出文件的阶段顺序未知；请传入 --stages A,B,C（按管道顺序列出进行中的阶段），或在 salesctl.toml 中设置 [stages]。数据中出现的进行中阶段：{seen_zh}"
    )))
}
