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

/// Stage-event columns the funnel-family commands read.
pub(crate) const EVENT_COLS: &[&str] = &[
    "deal_id",
    "pipeline",
    "stage",
    "entered_at",
    "entered_at_min",
    "entered_at_max",
];

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

/// Where revenue comes from: true for orders, false for won deals. `--revenue` decides; without
/// it, orders when the input has them. Then call [`check_revenue_dates`] with the dates read.
pub(crate) fn revenue_from_orders(ds: &Dataset) -> Result<bool> {
    use crate::model::Table;
    let (has_o, has_d) = (ds.has(Table::Orders), ds.has(Table::Deals));
    use crate::load::RevenueSource;
    let from_orders = match ds.settings.revenue {
        Some(RevenueSource::Orders) if !has_o => {
            return Err(Error::usage(crate::tr!(
                "--revenue orders: the input holds no orders table",
                "--revenue orders：输入中没有订单表"
            )));
        }
        Some(RevenueSource::Deals) if !has_d => {
            return Err(Error::usage(crate::tr!(
                "--revenue deals: the input holds no deals table",
                "--revenue deals：输入中没有商机表"
            )));
        }
        Some(r) => r == RevenueSource::Orders,
        None => has_o,
    };
    crate::meta::set_revenue(if from_orders { "orders" } else { "deals" }); // not a KPI: a revenue source
    Ok(from_orders)
}

/// The revenue source's dates against the as-of, from the rows the command read (`range`:
/// first and last day as epoch ms). A source that ends more than 92 days before the as-of
/// would be continued as a series of zeros: when the input holds the other table too and
/// `--revenue` did not choose, and the two tables' dates do not overlap, that choice changes
/// every number, so it is refused (exit 3) until `--revenue` makes it; otherwise a warning.
/// Only then is the other table read (one date column, lazily).
pub(crate) fn check_revenue_dates(
    ds: &Dataset,
    from_orders: bool,
    range: Option<(i64, i64)>,
) -> Result<()> {
    use crate::model::Table;
    let Some((first, last)) = range else {
        return Ok(());
    };
    let gap = (crate::period::date_ms(ds.as_of) - last) / 86_400_000;
    if gap <= 92 {
        return Ok(());
    }
    let day = |ms: i64| crate::period::ms_to_date(ms).map_or("?".into(), |d| d.to_string());
    let (src, other, other_field) = if from_orders {
        ("orders", Table::Deals, "closed_at")
    } else {
        ("deals", Table::Orders, "ordered_at") // not a KPI: a table name
    };
    let both = ds.has(other);
    if both && ds.settings.revenue.is_none() {
        if let Some((o_first, o_last)) = date_range(ds, other, other_field)? {
            if last < o_first || o_last < first {
                let (o, d) = if from_orders {
                    ((first, last), (o_first, o_last))
                } else {
                    ((o_first, o_last), (first, last))
                };
                return Err(Error::input(crate::tr!(
                    "the input holds orders dated {} to {} and deals closed {} to {}: the two do not overlap, \
                     and revenue would come from the {src} by default; say which with --revenue orders or --revenue deals",
                    "输入中订单日期为 {} 至 {}，商机结单日期为 {} 至 {}：两者没有重叠，\
                     默认收入将来自 {src}；请用 --revenue orders 或 --revenue deals 指定",
                    day(o.0),
                    day(o.1),
                    day(d.0),
                    day(d.1)
                )));
            }
        }
    }
    crate::warn::emit(
        &crate::text::Text::new(
            format!(
                "revenue comes from {src}, whose last date is {} ({gap} days before the as-of {}): the months after it count as zero revenue{}",
                day(last),
                ds.as_of,
                if both {
                    "; --revenue picks the other table"
                } else {
                    ""
                }
            ),
            format!(
                "收入来自 {src}，其最后日期为 {}（早于截至日期 {} 共 {gap} 天）：之后各月收入按 0 计{}",
                day(last),
                ds.as_of,
                if both {
                    "；--revenue 可改用另一张表"
                } else {
                    ""
                }
            ),
        ),
        crate::warn::lang(),
    );
    Ok(())
}

/// First and last value of a table's date column as epoch ms (a lazy min/max: a DIR's parquet
/// gives one column).
fn date_range(ds: &Dataset, t: crate::model::Table, field: &str) -> Result<Option<(i64, i64)>> {
    let mut lf = ds.scan(t)?;
    if lf.collect_schema()?.get(field).is_none() {
        return Ok(None);
    }
    let ms = |e: Expr| {
        e.cast(DataType::Datetime(TimeUnit::Milliseconds, None))
            .cast(DataType::Int64)
    };
    let df = lf
        .select([
            ms(col(field)).min().alias("lo"),
            ms(col(field)).max().alias("hi"),
        ])
        .collect()?;
    let get = |n: &str| -> Option<i64> { df.column(n).ok()?.get(0).ok()?.extract::<i64>() };
    Ok(get("lo").zip(get("hi")))
}

/// A period that starts after the as-of date holds no row of the data: an empty table with
/// exit 0 would read as "nothing happened". Refused (exit 3) naming the as-of and its basis.
pub(crate) fn period_in_data(p: Option<Period>, ds: &Dataset) -> Result<Option<Period>> {
    if let Some(p) = &p {
        if p.start > ds.as_of {
            let basis_zh = crate::output::labels::as_of_basis(
                &ds.manifest.as_of_basis,
                crate::text::Lang::ZhCn,
            );
            return Err(Error::input(Text::new(
                format!(
                    "period {} starts on {}, after the as-of date {} ({}): no row of the data can fall in it; \
                     pick a period up to {} (--period, --from/--to) or set --as-of",
                    p.label, p.start, ds.as_of, ds.manifest.as_of_basis, ds.as_of
                ),
                format!(
                    "期间 {} 从 {} 开始，晚于截至日期 {}（{}）：数据中没有任何行能落在其中；\
                     请选择不晚于 {} 的期间（--period、--from/--to）或设置 --as-of",
                    p.label, p.start, ds.as_of, basis_zh, ds.as_of
                ),
            )));
        }
    }
    Ok(p)
}

/// Notes every analysis prints: as-of and its basis, the period and the date field it filters.
pub(crate) fn base_notes(ds: &Dataset, period: Option<&Period>, field: &str) -> Vec<Note> {
    base_notes_text(ds, period, &Text::from(field))
}

/// [`base_notes`] with the date field described in both languages (`closed_at (won, lost...)`).
pub(crate) fn base_notes_text(ds: &Dataset, period: Option<&Period>, field: &Text) -> Vec<Note> {
    let field_zh = field.get(crate::text::Lang::ZhCn);
    let field = field.en.as_str();
    let mut n = vec![Note::new(
        format!("as of {} ({})", ds.as_of, ds.manifest.as_of_basis),
        format!(
            "截至 {}（{}）",
            ds.as_of,
            crate::output::labels::as_of_basis(&ds.manifest.as_of_basis, crate::text::Lang::ZhCn)
        ),
    )];
    if let Some(p) = period {
        crate::meta::set_period(crate::meta::PeriodMeta {
            label: p.label.clone(),
            start: p.start.to_string(),
            end: p.end.to_string(),
            field: field.to_string(),
        });
    }
    match period {
        Some(p) => n.push(Note::new(
            format!("period {}: [{}, {}) on {field}", p.label, p.start, p.end),
            format!(
                "期间 {}：[{}, {})，按 {field_zh} 筛选",
                p.label, p.start, p.end
            ),
        )),
        None => n.push(Note::new(
            "no period given: all rows",
            "未指定期间：全部数据",
        )),
    }
    n.extend(ds.manifest.notes.iter().map(Note::from));
    let rejected: usize = ds.manifest.sources.iter().map(|s| s.rejected_rows).sum();
    if rejected > 0 {
        n.push(match &ds.settings.rejects_to {
            Some(p) => Note::warning(
                format!(
                    "{rejected} input row(s) rejected and left out of every number (written to {})",
                    p.display()
                ),
                format!(
                    "{rejected} 行输入被拒绝，未计入任何数字（已写入 {}）",
                    p.display()
                ),
            ),
            None => Note::warning(
                format!(
                    "{rejected} input row(s) rejected and left out of every number (write them with --rejects FILE)"
                ),
                format!("{rejected} 行输入被拒绝，未计入任何数字（用 --rejects FILE 导出）"),
            ),
        });
    }
    n
}

/// The warning for lost deals counted at the first stage only (the stage they were lost at
/// unknown), which makes the later stages' win probabilities, and so the weighted pipeline,
/// read high.
pub(crate) fn lost_at_unknown_stage_warning(n: u64) -> Note {
    Note::warning(
        format!(
            "{n} lost deal(s) have no stage they were lost at (no open stage in their history, none in the stage column): counted as lost at the first stage only, so the win probabilities of later stages (and the weighted pipeline) leave them out and may be too high; \
             the deals' stage history (a stage-history export, or the `Date entered` columns) places them"
        ),
        format!(
            "{n} 个输单商机没有输单阶段（历史中没有进行中阶段，阶段列也没有）：只计为在第一阶段输单，之后各阶段的赢单概率（及加权管道）不含它们，可能偏高；\
             提供商机的阶段历史（阶段历史导出，或 `Date entered` 列）即可定位"
        ),
    )
}

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

/// Purchases: (customer code, day number, amount), names, and counts for the notes.
pub(crate) struct Purchases {
    pub(crate) rows: Vec<(u32, i64, f64)>,
    pub(crate) names: Vec<String>,
    /// Group value per purchase (for --by), when asked.
    pub(crate) group: Vec<u32>,
    pub(crate) group_names: Vec<String>,
    pub(crate) no_customer: usize,
    pub(crate) cancelled: usize,
    pub(crate) no_date: usize,
    pub(crate) source: &'static str,
    pub(crate) currencies: BTreeMap<String, usize>,
}

/// A usage error for a bad flag value: `FLAG MESSAGE`, in both languages when the message has
/// them (a duration's message comes from [`parse_duration_days`]).
pub(crate) fn flag_error(flag: &str, e: impl Into<Text>) -> Error {
    let e: Text = e.into();
    Error::usage(e.map(|m| format!("{flag} {m}")))
}

pub(crate) fn day_of(ms: i64) -> i64 {
    ms.div_euclid(86_400_000)
}

pub(crate) fn purchases(ds: &load::Dataset, by: Option<&str>) -> Result<Purchases> {
    let from_orders = revenue_from_orders(ds)?;
    let (df, source, cust, at) = if from_orders {
        let mut cols = vec![
            "customer_id",
            "ordered_at",
            "amount",
            "currency",
            "cancelled",
            "quantity",
        ];
        if let Some(b) = by {
            cols.push(b);
        }
        (
            ds.frame(Table::Orders, &cols)?.unwrap_or_default(),
            "orders",
            "customer_id",
            "ordered_at",
        )
    } else if ds.has(Table::Deals) {
        let mut cols = vec!["account", "closed_at", "amount", "currency", "status"];
        if let Some(b) = by {
            cols.push(b);
        }
        (
            ds.frame(Table::Deals, &cols)?.unwrap_or_default(),
            "won deals",
            "account",
            "closed_at",
        )
    } else {
        return Err(Error::input(crate::tr!(
            "cltv needs orders (or deals whose won deals serve as orders)",
            "cltv 需要订单数据（或商机数据，以赢单商机作为订单）",
        )));
    };
    engine::need(&df, source, &[cust, at, "amount"])?;
    let c = engine::coded(&df, cust)?;
    let t = engine::millis(&df, at)?;
    let a = engine::floats(&df, "amount")?;
    let status = engine::coded(&df, "status")?;
    let cur = engine::coded(&df, "currency")?;
    let cancelled = engine::flags(&df, "cancelled");
    let qty = engine::floats(&df, "quantity")?;
    let g = match by {
        Some(f) if f != "cohort" => {
            engine::need(&df, source, &[f])?;
            Some(engine::coded(&df, f)?)
        }
        _ => None,
    };
    let mut p = Purchases {
        rows: Vec::with_capacity(df.height()),
        names: c.values.clone(),
        group: vec![],
        group_names: g.as_ref().map(|g| g.values.clone()).unwrap_or_default(),
        no_customer: 0,
        cancelled: 0,
        no_date: 0,
        source,
        currencies: BTreeMap::new(),
    };
    for i in 0..df.height() {
        if source == "won deals" && status.get(i) != Some(Status::Won.as_str()) {
            continue;
        }
        if cancelled[i] || qty[i].is_some_and(|q| q < 0.0) || a[i].is_some_and(|x| x < 0.0) {
            p.cancelled += 1;
            continue;
        }
        let code = c.codes[i];
        if code == engine::NONE {
            p.no_customer += 1;
            continue;
        }
        let Some(ms) = t[i] else {
            p.no_date += 1;
            continue;
        };
        *p.currencies
            .entry(cur.get(i).unwrap_or("").to_string())
            .or_default() += 1;
        p.rows.push((code, day_of(ms), a[i].unwrap_or(0.0)));
        if let Some(g) = &g {
            p.group.push(g.codes[i]);
        }
    }
    let range = p.rows.iter().fold(None, |r: Option<(i64, i64)>, x| {
        Some(r.map_or((x.1, x.1), |(lo, hi)| (lo.min(x.1), hi.max(x.1))))
    });
    crate::analysis::check_revenue_dates(
        ds,
        from_orders,
        range.map(|(lo, hi)| (lo * 86_400_000, hi * 86_400_000)),
    )?;
    Ok(p)
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
