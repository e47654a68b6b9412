//! `salesctl history SNAPSHOT1 SNAPSHOT2 [...] -o DIR`: rebuild stage events from snapshot exports
//! of the same pipeline (for CRMs that cannot export stage history). DIR is an ingested DIR:
//! deals (the latest snapshot), stage_events (rebuilt), manifest.json.

use polars::prelude::*;

use crate::columns::engine;
use crate::error::{Error, Result};
use crate::load::{self, dir};
use crate::metrics::snapshots::{self, Snapshot};
use crate::model::{Status, Table};
use crate::text::Lang;
use crate::text::Text;

pub(crate) use crate::cli::history::Args;

/// The rebuilt history: the DIR written, and what to say about it.
pub(crate) struct Rebuilt {
    pub(crate) snapshots: Vec<(String, usize)>,
    pub(crate) notes: Vec<Text>,
    pub(crate) deals: usize,
    pub(crate) events: usize,
}

/// Rebuild stage events from the snapshots and write the DIR at `-o`.
pub(crate) fn rebuild(a: &Args) -> Result<Rebuilt> {
    if !a.dates.is_empty() && a.dates.len() != a.snapshots.len() {
        let (nd, ns) = (a.dates.len(), a.snapshots.len());
        return Err(Error::usage(crate::tr!(
            "--dates has {nd} dates for {ns} snapshots",
            "--dates 给出 {nd} 个日期，但有 {ns} 个快照"
        )));
    }
    let mut snaps: Vec<Snapshot> = Vec::new();
    let mut last: Option<load::Dataset> = None;
    for (i, path) in a.snapshots.iter().enumerate() {
        let ds = load::load(std::slice::from_ref(path), &a.load)?;
        let date = match a.dates.get(i) {
            Some(d) => crate::period::parse_date(d).map_err(|e| {
                Error::usage(Text::new(
                    format!("--dates {d:?}: {}", e.en),
                    format!("--dates {d:?}：{}", e.get(Lang::ZhCn)),
                ))
            })?,
            None => load::file_name_date(path).unwrap_or(ds.as_of),
        };
        let mut cols: Vec<&str> = snapshots::COLUMNS.to_vec();
        cols.push(a.key.as_str());
        let Some(df) = ds.frame(Table::Deals, &cols)? else {
            let p = path.display();
            return Err(Error::input(crate::tr!(
                "{p}: not a deals export (history rebuilds stage events from deal snapshots)",
                "{p}：不是商机导出文件（history 由商机快照重建阶段事件）"
            )));
        };
        engine::need(&df, &path.display().to_string(), &[a.key.as_str(), "stage"])?;
        let rows = snapshots::rows_from_frame(&df, &a.key)?;
        // The snapshot date (midnight): changes seen in it happened at or before this instant.
        snaps.push(Snapshot {
            label: format!("{} ({date})", path.display()),
            at: crate::period::date_ms(date),
            rows,
        });
        if last
            .as_ref()
            .is_none_or(|l: &load::Dataset| date >= l.as_of)
        {
            let mut ds = ds;
            ds.as_of = date;
            last = Some(ds);
        }
    }
    snaps.sort_by_key(|s| s.at);
    if snaps.windows(2).any(|w| w[0].at == w[1].at) {
        return Err(Error::usage(crate::tr!(
            "two snapshots have the same date; give --dates",
            "有两个快照的日期相同；请用 --dates 指定日期"
        )));
    }
    let Some(mut ds) = last else {
        return Err(Error::Internal("no snapshot".into()));
    };
    let pipelines = ds.pipelines();
    let outcomes = ds.settings.outcomes.clone();
    let is_first = |p: Option<&str>, s: &str| {
        pipelines
            .stages(p.unwrap_or("default"))
            .and_then(|l| l.first())
            .is_some_and(|f| f.trim().eq_ignore_ascii_case(s.trim()))
    };
    let is_outcome = |s: &str| outcomes.status_of(s) != Status::Open;
    let (events, st) = snapshots::rebuild(&snaps, &is_first, &is_outcome);
    let df = events_frame(&events)?;
    let n_events = df.height();
    ds.set_table(Table::StageEvents, df);
    ds.manifest.as_of = ds.as_of.to_string();
    ds.manifest.as_of_basis = "date of the latest snapshot".into();
    let notes = rebuild_notes(snaps.len(), n_events, &st, &a.key);
    ds.manifest.notes.extend(notes.iter().cloned());
    dir::write(&ds, &a.output)?;
    Ok(Rebuilt {
        snapshots: snaps
            .iter()
            .map(|s| (s.label.clone(), s.rows.len()))
            .collect(),
        notes,
        deals: ds.manifest.tables.get("deals").copied().unwrap_or(0), // not a KPI: a table name
        events: n_events,
    })
}

/// The rebuilt stage events as a `stage_events` table (times as datetimes in milliseconds).
fn events_frame(events: &[snapshots::RebuiltEvent]) -> Result<DataFrame> {
    let dt = |v: Vec<Option<i64>>, name: &str| -> Result<Column> {
        Ok(Column::new(name.into(), v).cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?)
    };
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "deal_id".into(),
            events.iter().map(|e| e.key.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "pipeline".into(),
            events
                .iter()
                .map(|e| e.pipeline.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "stage".into(),
            events.iter().map(|e| e.stage.clone()).collect::<Vec<_>>(),
        ),
        dt(events.iter().map(|e| e.at).collect(), "entered_at")?,
        dt(events.iter().map(|e| e.min).collect(), "entered_at_min")?,
        dt(events.iter().map(|e| e.max).collect(), "entered_at_max")?,
        Column::new(
            "owner".into(),
            events.iter().map(|e| e.owner.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "amount".into(),
            events.iter().map(|e| e.amount).collect::<Vec<_>>(),
        ),
    ])?)
}

/// What the rebuild found: events exact or known between two dates, new and vanished deals,
/// repeated keys.
fn rebuild_notes(
    n_snaps: usize,
    n_events: usize,
    st: &snapshots::HistoryStats,
    key: &str,
) -> Vec<Text> {
    let (n_snaps, exact, interval, new) = (n_snaps, st.exact, st.interval, st.new);
    let mut notes: Vec<Text> = vec![
        crate::tr!(
            "stage_events rebuilt from {n_snaps} snapshots: {n_events} events, {exact} with an exact time, {interval} known only between two snapshot dates (entered_at_min / entered_at_max)",
            "已由 {n_snaps} 个快照重建 stage_events：{n_events} 个事件，其中 {exact} 个有确切时间，{interval} 个只知道在两个快照日期之间（entered_at_min / entered_at_max）"
        ),
        crate::tr!(
            "{new} deal(s) appeared after the first snapshot",
            "{new} 个商机在第一个快照之后出现"
        ),
    ];
    if !st.vanished.is_empty() {
        let shown = || st.vanished.iter().take(20);
        let list_en: Vec<String> = shown()
            .map(|(s, k)| format!("{k} (gone from {s})"))
            .collect();
        let list_zh: Vec<String> = shown()
            .map(|(s, k)| format!("{k}（自 {s} 起消失）"))
            .collect();
        let n = st.vanished.len();
        let more = n > 20;
        notes.push(Text::new(
            format!(
                "{n} deal(s) vanished between snapshots: {}{}",
                list_en.join(", "),
                if more { ", ..." } else { "" }
            ),
            format!(
                "{n} 个商机在快照之间消失：{}{}",
                list_zh.join("，"),
                if more { "，……" } else { "" }
            ),
        ));
    }
    if st.duplicate_keys > 0 {
        let (dup, key) = (st.duplicate_keys, key);
        notes.push(crate::tr!(
            "{dup} repeated {key} value(s) within a snapshot: the first row of each used",
            "快照内有 {dup} 个重复的 {key} 值：每个值只用第一行"
        ));
    }
    notes
}

/// What was rebuilt, on stderr.
pub(crate) fn say(a: &Args, r: &Rebuilt) {
    let lang = crate::warn::lang();
    for (label, n) in &r.snapshots {
        match lang {
            Lang::En => eprintln!("snapshot {label}: {n} deals"),
            Lang::ZhCn => eprintln!("快照 {label}：{n} 个商机"),
        }
    }
    for n in &r.notes {
        eprintln!("{}{}", crate::output::note_prefix(lang), n.get(lang));
    }
    let (out, deals, n_events) = (a.output.display(), r.deals, r.events);
    match lang {
        Lang::En => eprintln!("wrote {out}: deals {deals}, stage_events {n_events}"),
        Lang::ZhCn => eprintln!("已写入 {out}：deals {deals} 行，stage_events {n_events} 行"),
    }
}
