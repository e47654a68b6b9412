//! One export -> canonical tables: header row, preset, mapping, then one pass over the rows that
//! parses every mapped cell, rejects bad rows (with file, row, column, value, reason) and fills
//! the column builders.

use std::collections::BTreeMap;

use csv::StringRecord;
use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::builder::{Builder, DateOrder, Val};
use super::mapping::{Mapping, Plan, resolve};
use super::parse::{date, money};
use super::preset::{self, Preset, Special};
use super::read::Opened;
use super::{Reject, Settings};
use crate::error::{Error, Result};
use crate::model::{Kind, Status, Table};

/// What one file became.
pub struct FileResult {
    pub preset: Option<&'static Preset>,
    pub preset_why: String,
    pub table: Table,
    pub mapping: Mapping,
    pub frames: Vec<(Table, DataFrame)>,
    pub rejects: Vec<Reject>,
    pub rows_in: usize,
    pub rejected_rows: usize,
    pub notes: Vec<String>,
    pub assumptions: Vec<String>,
    /// Pipelines seen (name -> stages in the export's own order, from HubSpot columns).
    pub pipelines: BTreeMap<String, Vec<String>>,
}

const FOOTERS: &[&str] = &[
    "grand totals (",
    "confidential information",
    "copyright (c)",
    "copyright ©",
    "合计",
    "总计",
];

fn is_blank(rec: &StringRecord) -> bool {
    rec.iter().all(|f| f.trim().is_empty())
}

fn footer(rec: &StringRecord) -> Option<String> {
    let filled: Vec<&str> = rec
        .iter()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    let first = filled.first()?.to_lowercase();
    let exact_total = first == "合计" || first == "总计";
    (filled.len() <= 2 && (FOOTERS[..4].iter().any(|p| first.starts_with(p)) || exact_total))
        .then(|| filled[0].to_string())
}

/// Read the whole file into canonical frames.
pub fn normalize(opened: &mut Opened, s: &Settings, file: &str) -> Result<FileResult> {
    let mut rec = StringRecord::new();
    let mut count = 0usize;
    let mut notes = Vec::new();
    let mut assumptions = Vec::new();
    // Buffer the first rows to find the header (a title row may sit above it).
    let mut head: Vec<(usize, StringRecord)> = Vec::new();
    while head.len() < 12 {
        match opened
            .rows
            .next_row(&mut rec, count)
            .map_err(|e| Error::NotATable {
                file: file.into(),
                why: e,
            })? {
            Some(n) => {
                count += 1;
                if !is_blank(&rec) {
                    head.push((n, rec.clone()));
                }
            }
            None => break,
        }
    }
    if head.is_empty() {
        return Err(Error::Empty {
            file: file.into(),
            what: "no rows at all".into(),
        });
    }
    let (headers, header_row, data_start) = if s.no_header {
        let width = head.iter().map(|(_, r)| r.len()).max().unwrap_or(0);
        let mut h: Vec<String> = s.columns.clone();
        for i in h.len()..width {
            h.push(format!("column_{}", i + 1));
        }
        (h, 0, 0)
    } else {
        let filled = |r: &StringRecord| r.iter().filter(|f| !f.trim().is_empty()).count();
        let widest = head.iter().map(|(_, r)| filled(r)).max().unwrap_or(0);
        let need = (widest * 3).div_ceil(5).max(2).min(widest);
        let idx = head
            .iter()
            .position(|(_, r)| filled(r) >= need)
            .unwrap_or(0);
        if idx > 0 {
            notes.push(format!("{idx} title row(s) above the header skipped"));
        }
        let h = head[idx]
            .1
            .iter()
            .map(|f| f.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        (h, head[idx].0, idx + 1)
    };
    let (preset, why) = match s.preset.as_deref() {
        None | Some("auto") => preset::detect(&headers),
        Some("generic") => (None, "forced with --preset generic".to_string()),
        Some(name) => {
            let p = preset::by_name(name).ok_or_else(|| {
                Error::Usage(format!(
                    "--preset {name:?}: unknown preset; known: {}",
                    preset::names().join(", ")
                ))
            })?;
            (Some(p), "forced with --preset".to_string())
        }
    };
    let mapping = resolve(&headers, preset, s, file)?;
    let table = mapping.table;
    let width = headers.len();
    let plans = &mapping.plans;
    let special = preset.map_or(Special::None, |p| p.special);
    let wide = if special == Special::HubspotWide {
        hubspot_columns(&headers)
    } else {
        Vec::new()
    };
    let mut pipelines: BTreeMap<String, Vec<String>> = s.stage_lists.clone();
    if pipelines.is_empty() {
        if let Some(stages) = preset.and_then(|p| crate::model::pipeline::vendor_default(p.name)) {
            if wide.is_empty() {
                pipelines.insert(
                    "default".into(),
                    stages.iter().map(|x| x.to_string()).collect(),
                );
            }
        }
    }
    for w in &wide {
        if s.stage_lists.contains_key(&w.pipeline) || s.stage_lists.contains_key("default") {
            continue;
        }
        if s.outcomes.status_of(&w.stage) != Status::Open {
            continue;
        }
        let stages = pipelines.entry(w.pipeline.clone()).or_default();
        if !stages.contains(&w.stage) {
            stages.push(w.stage.clone());
        }
    }

    let cap = 1024;
    let mut cols: Vec<Builder> = plans
        .iter()
        .map(|p| Builder::new(p.field, p.kind, cap))
        .collect();
    let out_fields = output_fields(table, &mapping);
    let mut derived = Derived::new(table, &mapping, cap);
    let mut extras: Vec<Builder> = mapping
        .extras
        .iter()
        .map(|(_, n)| Builder::new(n, Kind::Text, cap))
        .collect();
    let mut ev_deal = StringChunkedBuilder::new("deal_id".into(), cap);
    let mut ev_pipe = StringChunkedBuilder::new("pipeline".into(), cap);
    let mut ev_stage = StringChunkedBuilder::new("stage".into(), cap);
    let mut ev_at = Builder::new("entered_at", Kind::DateTime, cap);
    let mut ev_owner = StringChunkedBuilder::new("owner".into(), cap);

    let mut rejects = Vec::new();
    let mut rejected_rows = 0usize;
    let mut rows_in = 0usize;
    let mut footers = Vec::new();
    let mut blank = 0usize;
    let mut vals: Vec<Val> = Vec::with_capacity(plans.len());
    let mut flags: Vec<bool> = Vec::with_capacity(plans.len());
    let mut row_rejects: Vec<Reject> = Vec::new();
    let mut pending = head.into_iter().skip(data_start);
    let null = |v: &str| s.is_null(v);
    let mut amb_symbols = 0usize;
    let mut currency_unknown = 0usize;

    loop {
        let row = match pending.next() {
            Some((n, r)) => {
                rec = r;
                n
            }
            None => match opened.rows.next_row(&mut rec, count) {
                Ok(Some(n)) => {
                    count += 1;
                    n
                }
                Ok(None) => break,
                Err(e) => {
                    count += 1;
                    rows_in += 1;
                    rejected_rows += 1;
                    rejects.push(Reject::new(
                        file,
                        count,
                        "",
                        "",
                        &format!("unreadable row: {e}"),
                    ));
                    continue;
                }
            },
        };
        if row <= header_row {
            continue;
        }
        if is_blank(&rec) {
            blank += 1;
            continue;
        }
        if let Some(f) = footer(&rec) {
            footers.push(f);
            continue;
        }
        rows_in += 1;
        // Ragged rows: extra non-empty fields, or missing fields.
        if rec.len() != width {
            let extra_empty =
                rec.len() > width && rec.iter().skip(width).all(|f| f.trim().is_empty());
            let missing_unnamed =
                rec.len() < width && headers[rec.len()..].iter().all(|h| h.is_empty());
            if !extra_empty && !missing_unnamed {
                let raw: Vec<&str> = rec.iter().collect();
                rejects.push(Reject::new(
                    file,
                    row,
                    "",
                    &raw.join(","),
                    &format!("row has {} fields, the header has {width}", rec.len()),
                ));
                rejected_rows += 1;
                continue;
            }
        }
        vals.clear();
        flags.clear();
        row_rejects.clear();
        for (pi, p) in plans.iter().enumerate() {
            let (v, pct) = parse_plan(
                p,
                &rec,
                s,
                &null,
                cols[pi].evidence(),
                file,
                row,
                &mut row_rejects,
            );
            vals.push(v);
            flags.push(pct);
        }
        // HubSpot stage-entered cells of this row
        let mut events: Vec<(usize, date::DateCell)> = Vec::new();
        for (wi, w) in wide.iter().enumerate() {
            let raw = rec.get(w.col).unwrap_or("").trim();
            if null(raw) {
                continue;
            }
            let ev = ev_at.evidence().expect("date builder");
            match date::parse(raw, &s.date_ctx, ev) {
                Ok(c) => events.push((wi, c)),
                Err(()) => {
                    row_rejects.push(Reject::new(file, row, &headers[w.col], raw, "not a date"))
                }
            }
        }
        // Approval filter (WukongCRM contracts / payments)
        if special == Special::ApprovedOnly {
            if let Some(i) = plans.iter().position(|p| p.field == "approval") {
                if let Val::Text(t) = &vals[i] {
                    if t != "通过" {
                        row_rejects.push(Reject::new(
                            file,
                            row,
                            &plans[i].header,
                            t,
                            "审核状态 is not 通过 (approved): not a real order",
                        ));
                    }
                }
            }
        }
        if !row_rejects.is_empty() {
            rejected_rows += 1;
            rejects.append(&mut row_rejects);
            continue;
        }
        for (pi, p) in plans.iter().enumerate() {
            let raw = p.cols.first().and_then(|&c| rec.get(c)).unwrap_or("");
            cols[pi].push(&vals[pi], flags[pi], raw);
        }
        let id = derived.push_row(
            plans,
            &vals,
            &rec,
            s,
            preset,
            row,
            &pipelines,
            &mut amb_symbols,
            &mut currency_unknown,
        );
        for (ei, (h, _)) in mapping.extras.iter().enumerate() {
            let raw = rec.get(*h).unwrap_or("").trim();
            let v = if null(raw) {
                Val::Null
            } else {
                Val::Text(raw.trim_start_matches('\'').to_string())
            };
            extras[ei].push(&v, false, raw);
        }
        for (wi, cell) in events {
            let w = &wide[wi];
            ev_deal.append_value(&id);
            ev_pipe.append_value(&w.pipeline);
            ev_stage.append_value(&w.stage);
            ev_at.push(&Val::Date(cell), false, "");
            match plans
                .iter()
                .position(|p| p.field == "owner")
                .map(|i| &vals[i])
            {
                Some(Val::Text(o)) => ev_owner.append_value(o),
                _ => ev_owner.append_null(),
            }
        }
    }
    opened.mark_fully_read();
    if rows_in == 0 {
        return Err(Error::Empty {
            file: file.into(),
            what: "no data rows under the header".into(),
        });
    }
    if !footers.is_empty() {
        notes.push(format!(
            "{} report footer row(s) dropped: {}",
            footers.len(),
            footers.join(" | ")
        ));
    }
    if blank > 0 {
        notes.push(format!("{blank} blank row(s) skipped"));
    }
    if amb_symbols > 0 {
        assumptions.push(match &s.currency {
            Some(c) => format!("{amb_symbols} amount(s) carried `$` or `¥` alone: read as {c} (config currency)"),
            None => format!("{amb_symbols} amount(s) carried `$` or `¥` alone: read as USD / CNY (set `currency` in salesctl.toml to change)"),
        });
    }
    if currency_unknown > 0 {
        assumptions.push(format!("{currency_unknown} amount(s) have no currency: left empty (set `currency` in salesctl.toml)"));
    }

    // Finish the columns.
    let mut columns: Vec<Column> = Vec::new();
    let mut by_field: BTreeMap<&str, Column> = BTreeMap::new();
    let order = DateOrder::of_file(
        cols.iter().chain([&ev_at]).filter_map(Builder::seen),
        s.date_ctx.day_first,
    );
    for (b, p) in cols.into_iter().zip(plans.iter()) {
        let (c, note) = b.finish(p.field, order, file, &p.header)?;
        if let Some(n) = note {
            assumptions.push(n);
        }
        by_field.insert(p.field, c);
    }
    derived.finish(&mut by_field, order, file, &mut assumptions)?;
    for f in &out_fields {
        if let Some(c) = by_field.remove(f) {
            columns.push(c);
        }
    }
    for (b, (_, name)) in extras.into_iter().zip(mapping.extras.iter()) {
        let (c, _) = b.finish(name, DateOrder::default(), file, name)?;
        if c.null_count() < c.len() {
            columns.push(c);
        }
    }
    let mut frame = DataFrame::new_infer_height(columns)?;
    let mut frames = Vec::new();
    if special == Special::CollapseHistory {
        let before = frame.height();
        frame = super::events::collapse_history(frame)?;
        notes.push(format!(
            "{before} history rows collapsed to {} stage changes",
            frame.height()
        ));
    } else if table == Table::StageEvents {
        frame = super::events::with_exits(frame)?;
    }
    frames.push((table, frame));
    if !wide.is_empty() {
        let (at, _) = ev_at.finish("entered_at", order, file, "Date entered")?;
        let ev = DataFrame::new_infer_height(vec![
            ev_deal.finish().into_series().into_column(),
            ev_pipe.finish().into_series().into_column(),
            ev_stage.finish().into_series().into_column(),
            at,
            ev_owner.finish().into_series().into_column(),
        ])?;
        notes.push(format!(
            "{} `Date entered` columns read as {} stage events",
            wide.len(),
            ev.height()
        ));
        frames.push((Table::StageEvents, super::events::with_exits(ev)?));
    }
    Ok(FileResult {
        preset,
        preset_why: why,
        table,
        mapping,
        frames,
        rejects,
        rows_in,
        rejected_rows,
        notes,
        assumptions,
        pipelines,
    })
}

/// Parse one planned field of a row. Returns the value and whether it carried `%`.
#[allow(clippy::too_many_arguments)]
fn parse_plan(
    p: &Plan,
    rec: &StringRecord,
    s: &Settings,
    null: &dyn Fn(&str) -> bool,
    ev: Option<&mut date::OrderEvidence>,
    file: &str,
    row: usize,
    rejects: &mut Vec<Reject>,
) -> (Val, bool) {
    // Coalesced fields take the first non-empty column.
    let Some((col, raw)) = p
        .cols
        .iter()
        .map(|&c| (c, rec.get(c).unwrap_or("").trim()))
        .find(|(_, r)| !null(r))
    else {
        return (Val::Null, false);
    };
    let header = || {
        p.headers
            .get(p.cols.iter().position(|&c| c == col).unwrap_or(0))
            .cloned()
            .unwrap_or_default()
    };
    match p.kind {
        Kind::Text | Kind::Period => (Val::Text(raw.trim_start_matches('\'').to_string()), false),
        Kind::DateTime => {
            let mut scratch = date::OrderEvidence::default();
            match date::parse(raw, &s.date_ctx, ev.unwrap_or(&mut scratch)) {
                Ok(c) => (Val::Date(c), false),
                Err(()) => {
                    rejects.push(Reject::new(
                        file,
                        row,
                        &header(),
                        raw,
                        "not a date (see docs/input-formats.md for the formats read)",
                    ));
                    (Val::Null, false)
                }
            }
        }
        Kind::Money | Kind::Number | Kind::Fraction => match money::parse(raw, s.decimal_comma) {
            Some(a) => (Val::Num(a.value), a.percent),
            None => {
                rejects.push(Reject::new(file, row, &header(), raw, "not a number"));
                (Val::Null, false)
            }
        },
        Kind::Bool => match raw.to_lowercase().as_str() {
            "true" | "yes" | "1" | "y" | "是" => (Val::Bool(true), false),
            "false" | "no" | "0" | "n" | "否" => (Val::Bool(false), false),
            _ => {
                rejects.push(Reject::new(file, row, &header(), raw, "not true/false"));
                (Val::Null, false)
            }
        },
    }
}

/// The canonical fields this table will hold, in canonical order.
fn output_fields(table: Table, m: &Mapping) -> Vec<&'static str> {
    table
        .fields()
        .iter()
        .map(|f| f.name)
        .filter(|f| {
            m.plans.iter().any(|p| p.field == *f)
                || match table {
                    Table::Deals => {
                        matches!(*f, "deal_id" | "status")
                            || (*f == "currency" && m.has("amount"))
                            || (m.has("close_date")
                                && matches!(*f, "closed_at" | "expected_close_at"))
                    }
                    Table::Orders => *f == "order_id" || (*f == "currency" && m.has("amount")),
                    Table::StageEvents => {
                        *f == "exited_at" || (*f == "currency" && m.has("amount"))
                    }
                    Table::Spend => *f == "currency",
                    _ => false,
                }
        })
        .chain((table == Table::Orders).then_some("cancelled"))
        .collect()
}

/// Columns derived per row: status, currency, deal/order ids, close-date split.
struct Derived {
    table: Table,
    status: Option<StringChunkedBuilder>,
    currency: Option<StringChunkedBuilder>,
    id: Option<(StringChunkedBuilder, &'static str)>,
    closed: Option<Builder>,
    expected: Option<Builder>,
    cancelled: Option<Vec<Option<bool>>>,
    derived_ids: usize,
    unknown_stages: BTreeMap<String, usize>,
}

impl Derived {
    fn new(table: Table, m: &Mapping, cap: usize) -> Derived {
        let deals = table == Table::Deals;
        let id_field = match table {
            Table::Deals if !m.has("deal_id") => Some("deal_id"),
            Table::Orders if !m.has("order_id") => Some("order_id"),
            _ => None,
        };
        let split = deals && m.has("close_date");
        Derived {
            table,
            status: deals.then(|| StringChunkedBuilder::new("status".into(), cap)),
            currency: (m.has("amount") || table == Table::Spend)
                .then(|| StringChunkedBuilder::new("currency".into(), cap)),
            id: id_field.map(|f| (StringChunkedBuilder::new(f.into(), cap), f)),
            closed: (split && !m.has("closed_at"))
                .then(|| Builder::new("closed_at", Kind::DateTime, cap)),
            expected: (split && !m.has("expected_close_at"))
                .then(|| Builder::new("expected_close_at", Kind::DateTime, cap)),
            cancelled: (table == Table::Orders).then(Vec::new),
            derived_ids: 0,
            unknown_stages: BTreeMap::new(),
        }
    }

    /// Fill the derived columns for one accepted row; returns the row's deal id (for events).
    #[allow(clippy::too_many_arguments)]
    fn push_row(
        &mut self,
        plans: &[Plan],
        vals: &[Val],
        rec: &StringRecord,
        s: &Settings,
        preset: Option<&Preset>,
        row: usize,
        pipelines: &BTreeMap<String, Vec<String>>,
        amb_symbols: &mut usize,
        unknown_currency: &mut usize,
    ) -> String {
        let get = |f: &str| {
            plans
                .iter()
                .position(|p| p.field == f)
                .map(|i| (&vals[i], &plans[i]))
        };
        let text = |f: &str| match get(f) {
            Some((Val::Text(t), _)) => Some(t.as_str()),
            _ => None,
        };
        let mut status = Status::Open;
        if let Some(b) = &mut self.status {
            let from_col = text("status").and_then(|t| s.outcomes.parse_status(t));
            let stage = text("stage");
            status = from_col
                .unwrap_or_else(|| stage.map_or(Status::Open, |st| s.outcomes.status_of(st)));
            if let Some((Val::Bool(false), _)) = get("active") {
                if status == Status::Open {
                    status = Status::Lost;
                }
            }
            if let (Some(st), Status::Open) = (stage, s.outcomes.status_of(stage.unwrap_or(""))) {
                if !known_stage(pipelines, text("pipeline"), st) {
                    *self.unknown_stages.entry(st.to_string()).or_default() += 1;
                }
            }
            b.append_value(status.as_str());
        }
        if let Some(b) = &mut self.currency {
            let col = text("currency").map(normalise_currency);
            let from_amount = get("amount").or_else(|| get("spend")).and_then(|(_, p)| {
                let raw = p
                    .cols
                    .iter()
                    .map(|&c| rec.get(c).unwrap_or("").trim())
                    .find(|r| !s.is_null(r))?;
                money::parse(raw, s.decimal_comma)
                    .and_then(|a| a.currency.map(|c| (c, a.ambiguous)))
            });
            let cur = match (col, from_amount) {
                (Some(c), _) => Some(c),
                (None, Some((c, amb))) => {
                    if amb {
                        *amb_symbols += 1;
                    }
                    Some(if amb {
                        s.currency.clone().unwrap_or_else(|| c.to_string())
                    } else {
                        c.to_string()
                    })
                }
                (None, None) => s
                    .currency
                    .clone()
                    .or_else(|| preset.and_then(|p| p.currency).map(str::to_string)),
            };
            match cur {
                Some(c) => b.append_value(c),
                None => {
                    if !matches!(get("amount"), Some((Val::Null, _)) | None) {
                        *unknown_currency += 1;
                    }
                    b.append_null()
                }
            }
        }
        let mut id_out = text("deal_id").map(str::to_string).unwrap_or_default();
        if let Some((b, f)) = &mut self.id {
            let id = if *f == "deal_id" {
                self.derived_ids += 1;
                // The parsed instant, not the cell text, so a CSV and its XLSX twin derive the same id.
                let created = match get("created_at") {
                    Some((Val::Date(date::DateCell::At(ms)), _)) => date::ms_to_naive(*ms)
                        .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
                        .unwrap_or_default(),
                    Some((_, p)) => p
                        .cols
                        .first()
                        .and_then(|&c| rec.get(c))
                        .unwrap_or("")
                        .trim()
                        .to_string(),
                    None => String::new(),
                };
                derive_id(&[
                    text("deal_name").unwrap_or(""),
                    text("account").unwrap_or(""),
                    &created,
                ])
            } else {
                format!("R{row}")
            };
            b.append_value(&id);
            id_out = id;
        }
        let close = get("close_date")
            .map(|(v, _)| v.clone())
            .unwrap_or(Val::Null);
        if let Some(b) = &mut self.closed {
            b.push(
                if status.is_closed() {
                    &close
                } else {
                    &Val::Null
                },
                false,
                "",
            );
        }
        if let Some(b) = &mut self.expected {
            b.push(
                if status.is_closed() {
                    &Val::Null
                } else {
                    &close
                },
                false,
                "",
            );
        }
        if let Some(c) = &mut self.cancelled {
            let neg_qty = matches!(get("quantity"), Some((Val::Num(q), _)) if *q < 0.0);
            let c_invoice = text("order_id").is_some_and(|o| o.starts_with('C'));
            c.push(Some(neg_qty || c_invoice));
        }
        id_out
    }

    fn finish(
        self,
        out: &mut BTreeMap<&'static str, Column>,
        order: DateOrder,
        file: &str,
        assumptions: &mut Vec<String>,
    ) -> Result<()> {
        if let Some(b) = self.status {
            out.insert("status", b.finish().into_series().into_column());
        }
        if let Some(b) = self.currency {
            out.insert("currency", b.finish().into_series().into_column());
        }
        if let Some((b, f)) = self.id {
            if f == "deal_id" {
                assumptions.push(format!("no deal id column: deal_id derived from name + account + created_at for {} deals", self.derived_ids));
            } else {
                assumptions.push("no order id column: order_id = R<row number>".into());
            }
            out.insert(f, b.finish().into_series().into_column());
        }
        if let Some(b) = self.closed {
            out.insert(
                "closed_at",
                b.finish("closed_at", order, file, "close date")?.0,
            );
        }
        if let Some(b) = self.expected {
            out.insert(
                "expected_close_at",
                b.finish("expected_close_at", order, file, "close date")?.0,
            );
        }
        if let Some(c) = self.cancelled {
            out.insert(
                "cancelled",
                BooleanChunked::from_iter_options("cancelled".into(), c.into_iter())
                    .into_series()
                    .into_column(),
            );
        }
        if !self.unknown_stages.is_empty() && self.table == Table::Deals {
            let list: Vec<String> = self
                .unknown_stages
                .iter()
                .map(|(k, v)| format!("{k:?} ({v})"))
                .collect();
            assumptions.push(format!(
                "stages not in the configured stage order: {}",
                list.join(", ")
            ));
        }
        Ok(())
    }
}

/// Is `stage` in the stage list of its pipeline (or of `default`)? True when no list is known.
fn known_stage(lists: &BTreeMap<String, Vec<String>>, pipeline: Option<&str>, stage: &str) -> bool {
    if lists.is_empty() {
        return true;
    }
    let list = pipeline
        .and_then(|p| lists.get(p))
        .or_else(|| lists.get("default"));
    match list {
        Some(l) => l.iter().any(|x| x.eq_ignore_ascii_case(stage.trim())),
        None => lists
            .values()
            .any(|l| l.iter().any(|x| x.eq_ignore_ascii_case(stage.trim()))),
    }
}

/// `usd` -> `USD`, `$` -> `USD`, `人民币` -> `CNY`.
fn normalise_currency(c: &str) -> String {
    match c.trim() {
        "$" => "USD".into(),
        "¥" | "￥" | "人民币" | "元" | "RMB" | "rmb" => "CNY".into(),
        "€" => "EUR".into(),
        "£" => "GBP".into(),
        other => other.to_uppercase(),
    }
}

/// A stable id from the given parts: `d` + 16 hex digits of their sha256.
pub fn derive_id(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.trim().as_bytes());
        h.update([0x1f]);
    }
    let d = h.finalize();
    let mut s = String::from("d");
    for b in &d[..8] {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A HubSpot `Date entered "<Stage> (<Pipeline>)"` column.
struct Wide {
    col: usize,
    stage: String,
    pipeline: String,
}

fn hubspot_columns(headers: &[String]) -> Vec<Wide> {
    headers
        .iter()
        .enumerate()
        .filter_map(|(col, h)| {
            let inner = h
                .strip_prefix("Date entered ")?
                .trim()
                .trim_matches(|c| c == '"' || c == '\'');
            let (stage, pipeline) = match inner.rfind(" (") {
                Some(i) if inner.ends_with(')') => (&inner[..i], &inner[i + 2..inner.len() - 1]),
                _ => (inner, "default"),
            };
            Some(Wide {
                col,
                stage: stage.to_string(),
                pipeline: pipeline.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footers_are_recognised() {
        let r = StringRecord::from(vec!["Grand Totals (12 records)", "", ""]);
        assert_eq!(footer(&r).as_deref(), Some("Grand Totals (12 records)"));
        let r = StringRecord::from(vec![
            "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
        ]);
        assert!(footer(&r).is_some());
        let r = StringRecord::from(vec!["Grand Totals Inc", "Closed Won", "100"]);
        assert!(footer(&r).is_none());
    }

    #[test]
    fn hubspot_headers() {
        let h = vec![
            "Deal Name".to_string(),
            "Date entered \"Closed Won (Partners Distribution)\"".to_string(),
        ];
        let w = hubspot_columns(&h);
        assert_eq!(w.len(), 1);
        assert_eq!(
            (w[0].col, w[0].stage.as_str(), w[0].pipeline.as_str()),
            (1, "Closed Won", "Partners Distribution")
        );
    }

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        assert_eq!(
            derive_id(&["A", "B", "2026-01-01"]),
            derive_id(&[" A", "B ", "2026-01-01"])
        );
        assert_ne!(
            derive_id(&["A", "B", "2026-01-01"]),
            derive_id(&["AB", "", "2026-01-01"])
        );
        assert_eq!(derive_id(&["x"]).len(), 17);
    }
}
