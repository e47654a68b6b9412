//! `salesctl diff OLD NEW`: what changed between two exports of the same pipeline, matched by deal
//! key with the snapshot matching `history` uses. Tables: `summary` (main: one row per kind of
//! change, with deal counts and amounts) and, with `--detail`, `detail` (one row per deal and
//! change).

use crate::model::kpi;
use std::path::PathBuf;

use crate::analysis::Built;
use crate::columns::engine::{self, Pipelines};
use crate::columns::paths::Pos;
use crate::error::{Error, Result};
use crate::load::{self};
use crate::metrics::snapshots::{self, SnapRow};
use crate::model::Table;
use crate::output::{Note, Report, TableBuilder, Unit};

pub(crate) use crate::cli::diff::Args;

/// Deal key -> currency, when the export has a currency column.
type Currencies = std::collections::HashMap<String, String>;

/// The currency of each deal of an export.
fn currencies(ds: &load::Dataset, key: &str) -> Result<Currencies> {
    let Some(df) = ds.frame(Table::Deals, &[key, "currency"])? else {
        return Ok(Currencies::new());
    };
    let (Ok(k), Ok(c)) = (df.column(key), df.column("currency")) else {
        return Ok(Currencies::new());
    };
    let (k, c) = (
        k.as_materialized_series()
            .cast(&polars::prelude::DataType::String)?,
        c.as_materialized_series()
            .cast(&polars::prelude::DataType::String)?,
    );
    Ok(k.str()?
        .iter()
        .zip(c.str()?.iter())
        .filter_map(|(k, c)| Some((k?.to_string(), c?.to_string())))
        .collect())
}

/// The deals of one export as snapshot rows.
fn rows(path: &PathBuf, a: &Args) -> Result<(load::Dataset, Vec<SnapRow>)> {
    let ds = load::load(std::slice::from_ref(path), &a.load)?;
    let mut cols = snapshots::COLUMNS.to_vec();
    cols.push(a.key.as_str());
    let df = ds.frame(Table::Deals, &cols)?.ok_or_else(|| {
        let p = path.display();
        Error::input(crate::tr!(
            "{p}: not a deals export",
            "{p}：不是商机导出文件"
        ))
    })?;
    engine::need(&df, &path.display().to_string(), &[a.key.as_str(), "stage"])?;
    let rows = snapshots::rows_from_frame(&df, &a.key)?;
    Ok((ds, rows))
}

fn pos(p: &Pipelines, r: &SnapRow) -> Option<Pos> {
    let st = r.stage.as_deref()?;
    let list = p
        .stages(r.pipeline.as_deref().unwrap_or("default"))
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    p.pos(list, st)
}

/// The changes from the old snapshot to the new, and the new snapshot's dataset.
pub(crate) fn build(a: &Args) -> Result<(Built, load::Dataset)> {
    let (old_ds, old) = rows(&a.old, a)?;
    let (ds, new) = rows(&a.new, a)?;
    let mut cur = currencies(&old_ds, &a.key)?;
    cur.extend(currencies(&ds, &a.key)?);
    drop(old_ds);
    let pipelines = ds.pipelines();
    let m = snapshots::match_rows(&old, &new);
    // (change, deal key, from, to, amount)
    let mut detail: Vec<(&'static str, String, String, String, Option<f64>)> = Vec::new();
    for &j in &m.new {
        let r = &new[j];
        detail.push((
            "new",
            r.key.clone(),
            String::new(),
            r.stage.clone().unwrap_or_default(),
            r.amount,
        ));
    }
    for &i in &m.vanished {
        let r = &old[i];
        detail.push((
            "vanished",
            r.key.clone(),
            r.stage.clone().unwrap_or_default(),
            String::new(),
            r.amount,
        ));
    }
    for &(i, j) in &m.common {
        let (o, n) = (&old[i], &new[j]);
        let (so, sn) = (
            o.stage.clone().unwrap_or_default(),
            n.stage.clone().unwrap_or_default(),
        );
        match (pos(&pipelines, o), pos(&pipelines, n)) {
            (Some(Pos::Open(x)), Some(Pos::Open(y))) if y > x => {
                detail.push((
                    "moved_forward",
                    n.key.clone(),
                    so.clone(),
                    sn.clone(),
                    n.amount,
                ));
                if y > x + 1 {
                    detail.push((
                        "skipped_stages",
                        n.key.clone(),
                        so.clone(),
                        sn.clone(),
                        n.amount,
                    ));
                }
            }
            (Some(Pos::Open(x)), Some(Pos::Open(y))) if y < x => detail.push((
                "moved_backward",
                n.key.clone(),
                so.clone(),
                sn.clone(),
                n.amount,
            )),
            // The outcome is known from the labels even when no stage order is (the old
            // stage's position may be unknown): a move to a won label is won, not a plain
            // stage change.
            (p, Some(Pos::Won)) if p != Some(Pos::Won) => {
                detail.push(("won", n.key.clone(), so.clone(), sn.clone(), n.amount)) // not a KPI: a change kind
            }
            (p, Some(Pos::Lost)) if p != Some(Pos::Lost) => {
                detail.push(("lost", n.key.clone(), so.clone(), sn.clone(), n.amount)) // not a KPI: a change kind
            }
            _ if so != sn => detail.push((
                "stage_changed",
                n.key.clone(),
                so.clone(),
                sn.clone(),
                n.amount,
            )),
            _ => {}
        }
        if let (Some(x), Some(y)) = (o.amount, n.amount) {
            if (y - x).abs() > 1e-9 {
                detail.push((
                    if y > x { "amount_up" } else { "amount_down" },
                    n.key.clone(),
                    format!("{x}"),
                    format!("{y}"),
                    Some(y - x),
                ));
            }
        }
        if let (Some(x), Some(y)) = (o.expected_close_at, n.expected_close_at) {
            if y > x {
                let d = |t: i64| {
                    crate::period::ms_to_date(t)
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                };
                detail.push(("close_pushed_out", n.key.clone(), d(x), d(y), n.amount));
            }
        }
        if o.owner != n.owner {
            detail.push((
                "owner_changed",
                n.key.clone(),
                o.owner.clone().unwrap_or_default(),
                n.owner.clone().unwrap_or_default(),
                n.amount,
            ));
        }
    }
    let kinds = [
        "new",
        "vanished",
        "moved_forward",
        "moved_backward",
        "skipped_stages",
        "won",  // not a KPI: a change kind
        "lost", // not a KPI: a change kind
        "stage_changed",
        "amount_up",
        "amount_down",
        "close_pushed_out",
        "owner_changed",
    ];
    let counts: Vec<i64> = kinds
        .iter()
        .map(|k| detail.iter().filter(|d| d.0 == *k).count() as i64)
        .collect();
    // Several currencies: amounts per currency in a `money` table, never summed across them.
    let mut seen: Vec<&str> = detail
        .iter()
        .filter(|d| d.4.is_some())
        .filter_map(|d| cur.get(&d.1).map(String::as_str))
        .collect();
    seen.sort();
    seen.dedup();
    let several = seen.len() > 1;
    let amounts: Vec<Option<f64>> = kinds
        .iter()
        .map(|k| {
            if several {
                return None;
            }
            detail
                .iter()
                .filter(|d| d.0 == *k)
                .filter_map(|d| d.4)
                .reduce(|x, y| x + y)
        })
        .collect();
    let (mut mk, mut mc, mut ma) = (vec![], vec![], vec![]);
    if several {
        for k in &kinds {
            for c in &seen {
                let sum = detail
                    .iter()
                    .filter(|d| d.0 == *k && cur.get(&d.1).map(String::as_str) == Some(*c))
                    .filter_map(|d| d.4)
                    .reduce(|x, y| x + y);
                if let Some(x) = sum {
                    mk.push(k.to_string());
                    mc.push(c.to_string());
                    ma.push(x);
                }
            }
        }
    }
    let mut tables = vec![
        TableBuilder::new("summary")
            .col(
                "change",
                Unit::Text,
                kinds.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            )
            .col(kpi::DEALS, Unit::Count, counts)
            .col("amount", Unit::Money, amounts)
            .build()?,
    ];
    if several {
        tables.push(
            TableBuilder::new("money")
                .col("change", Unit::Text, mk)
                .col("currency", Unit::Text, mc)
                .col("amount", Unit::Money, ma)
                .build()?,
        );
    }
    if a.detail {
        tables.push(
            TableBuilder::new("detail")
                .col(
                    "deal_id",
                    Unit::Text,
                    detail.iter().map(|d| d.1.clone()).collect::<Vec<_>>(),
                )
                .col(
                    "change",
                    Unit::Text,
                    detail.iter().map(|d| d.0.to_string()).collect::<Vec<_>>(),
                )
                .col(
                    "from",
                    Unit::Text,
                    detail.iter().map(|d| d.2.clone()).collect::<Vec<_>>(),
                )
                .col(
                    "to",
                    Unit::Text,
                    detail.iter().map(|d| d.3.clone()).collect::<Vec<_>>(),
                )
                .col(
                    "amount",
                    Unit::Money,
                    detail.iter().map(|d| d.4).collect::<Vec<_>>(),
                )
                .build()?,
        );
    }
    let mut notes = vec![Note::new(
        format!(
            "{} -> {}: {} deals in both, {} new, {} vanished (matched by {}); amount of amount_up/down rows is the change, else the deal's amount (currencies as exported)",
            a.old.display(),
            a.new.display(),
            m.common.len(),
            m.new.len(),
            m.vanished.len(),
            a.key
        ),
        format!(
            "{} -> {}：两次都有的商机 {} 个，新增 {} 个，消失 {} 个（按 {} 匹配）；amount_up/down 行的金额为变化量，其他行为商机金额（币种按导出文件）",
            a.old.display(),
            a.new.display(),
            m.common.len(),
            m.new.len(),
            m.vanished.len(),
            a.key
        ),
    )];
    if several {
        notes.push(Note::new(
            format!(
                "several currencies ({}): amounts are per currency in --table money (never summed across currencies)",
                seen.join(", ")
            ),
            format!("多币种（{}）：金额按币种见 --table money（不跨币种相加）", seen.join(", ")),
        ));
    }
    let report = Report {
        tables,
        notes,
        title: None,
    };
    Ok((
        Built {
            report,
            chart: None,
        },
        ds,
    ))
}
