//! `salesctl diff OLD NEW`: what changed between two exports of the same pipeline, matched by deal
//! key with the snapshot matching `history` uses. Tables: `summary` (main: one row per kind of
//! change, with deal counts and amounts) and, with `--detail`, `detail` (one row per deal and
//! change).

use crate::model::kpi;
use std::path::PathBuf;

use crate::analysis::Built;
use crate::columns::engine;
use crate::error::{Error, Result};
use crate::load::{self};
use crate::metrics::snapshots::{self, Change, SnapRow, Summary};
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

/// The changes from the old snapshot to the new, and the new snapshot's dataset.
pub(crate) fn build(a: &Args) -> Result<(Built, load::Dataset)> {
    let (old_ds, old) = rows(&a.old, a)?;
    let (ds, new) = rows(&a.new, a)?;
    let mut cur = currencies(&old_ds, &a.key)?;
    cur.extend(currencies(&ds, &a.key)?);
    drop(old_ds);
    let pipelines = ds.pipelines();
    let m = snapshots::match_rows(&old, &new);
    let detail = snapshots::changes(&old, &new, &m, &pipelines);
    let currency_of = |d: &Change| cur.get(&d.key).map(String::as_str);
    // Several currencies: amounts per currency in a `money` table, never summed across them.
    let sum = snapshots::summarize(&detail, currency_of);
    let several = sum.several_currencies();
    let mut tables = vec![summary_table(&sum)?];
    if several {
        tables.push(money_table(&sum)?);
    }
    if a.detail {
        tables.push(detail_table(&detail)?);
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
                sum.currencies.join(", ")
            ),
            format!(
                "多币种（{}）：金额按币种见 --table money（不跨币种相加）",
                sum.currencies.join(", ")
            ),
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

/// The `summary` table: per kind of change the deals and (in one currency) the amount.
fn summary_table(sum: &Summary) -> Result<crate::output::ResultTable> {
    let several = sum.several_currencies();
    let names: Vec<String> = sum.kinds.iter().map(|k| k.kind.to_string()).collect();
    let counts: Vec<i64> = sum.kinds.iter().map(|k| k.deals as i64).collect();
    let amounts: Vec<Option<f64>> = sum
        .kinds
        .iter()
        .map(|k| if several { None } else { k.total() })
        .collect();
    TableBuilder::new("summary")
        .col("change", Unit::Text, names)
        .col(kpi::DEALS, Unit::Count, counts)
        .col("amount", Unit::Money, amounts)
        .build()
}

/// The `money` table: per kind of change and currency, the amounts' sum.
fn money_table(sum: &Summary) -> Result<crate::output::ResultTable> {
    let (mut mk, mut mc, mut ma) = (vec![], vec![], vec![]);
    for k in &sum.kinds {
        for c in &sum.currencies {
            if let Some(&x) = k.amounts.get(&Some(c.clone())) {
                mk.push(k.kind.to_string());
                mc.push(c.clone());
                ma.push(x);
            }
        }
    }
    TableBuilder::new("money")
        .col("change", Unit::Text, mk)
        .col("currency", Unit::Text, mc)
        .col("amount", Unit::Money, ma)
        .build()
}

/// The `detail` table: one row per change.
fn detail_table(detail: &[Change]) -> Result<crate::output::ResultTable> {
    let ids: Vec<String> = detail.iter().map(|d| d.key.clone()).collect();
    let kinds: Vec<String> = detail.iter().map(|d| d.kind.to_string()).collect();
    let from: Vec<String> = detail.iter().map(|d| d.from.clone()).collect();
    let to: Vec<String> = detail.iter().map(|d| d.to.clone()).collect();
    let amounts: Vec<Option<f64>> = detail.iter().map(|d| d.amount).collect();
    TableBuilder::new("detail")
        .col("deal_id", Unit::Text, ids)
        .col("change", Unit::Text, kinds)
        .col("from", Unit::Text, from)
        .col("to", Unit::Text, to)
        .col("amount", Unit::Money, amounts)
        .build()
}
