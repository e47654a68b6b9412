//! One export -> canonical tables: header row, preset, mapping, then one pass over the rows that
//! parses every mapped cell, rejects bad rows (with file, row, column, value, reason) and fills
//! the column builders.

use crate::text::Text;
use std::collections::BTreeMap;

use csv::StringRecord;
use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::builder::{Builder, DateOrder, LabelBuilder, Val};
use super::csvscan::Broken;
use super::mapping::{Mapping, Plan, Sample};
use super::parse::{date, money};
use super::preset::{Preset, Special};
use super::read::{Opened, RowError};
use super::recognize::recognize;
use super::{Reject, Settings};
use crate::error::{Error, Result};
use crate::model::{Kind, Status, Table};

mod columns;
mod derived;
mod finish;
mod header;
mod parallel;
mod parts;
mod stages;

use columns::*;
use finish::*;
use header::*;
use parallel::*;
use stages::*;

/// What one file became.
pub(crate) struct FileResult {
    pub(crate) preset: Option<&'static Preset>,
    /// Why this layout, in both languages.
    pub(crate) preset_why: Text,
    pub(crate) table: Table,
    pub(crate) mapping: Mapping,
    pub(crate) frames: Vec<(Table, DataFrame)>,
    pub(crate) rejects: Vec<Reject>,
    pub(crate) rows_in: usize,
    pub(crate) rejected_rows: usize,
    pub(crate) notes: Vec<Text>,
    pub(crate) assumptions: Vec<Text>,
    /// Pipelines seen (name -> stages in the export's own order, from HubSpot columns).
    pub(crate) pipelines: BTreeMap<String, Vec<String>>,
    /// Fields and extra columns the file has but the command does not read (`Settings::only`).
    pub(crate) unread: Vec<String>,
    /// How ambiguous slash dates were read, when the file had any.
    pub(crate) date_order: Option<String>,
    /// What the reader repaired or doubted: printed as `warning:` lines.
    pub(crate) warnings: Vec<Text>,
    /// Every layout considered, best first: (name, score, evidence).
    pub(crate) candidates: Vec<(String, f64, String)>,
}

const FOOTERS: &[&str] = &[
    "grand totals (",
    "confidential information",
    "copyright (c)",
    "copyright ©",
    "合计",
    "总计",
];

/// A record's cells: from the csv reader, or from the quote-free fast path ([`Line`]).
trait Cells {
    fn n_cells(&self) -> usize;
    fn cell(&self, i: usize) -> Option<&str>;
    fn cells(&self) -> impl Iterator<Item = &str>;
}

impl Cells for StringRecord {
    fn n_cells(&self) -> usize {
        self.len()
    }
    fn cell(&self, i: usize) -> Option<&str> {
        self.get(i)
    }
    fn cells(&self) -> impl Iterator<Item = &str> {
        self.iter()
    }
}

/// The cells of one line of a part without quotes, split at the delimiter.
struct Line<'a> {
    cells: Vec<&'a str>,
}

impl Cells for Line<'_> {
    fn n_cells(&self) -> usize {
        self.cells.len()
    }
    fn cell(&self, i: usize) -> Option<&str> {
        self.cells.get(i).copied()
    }
    fn cells(&self) -> impl Iterator<Item = &str> {
        self.cells.iter().copied()
    }
}

/// Fields that change as a deal moves: not part of a derived deal id.
const DEAL_STATE: &[&str] = &[
    "stage",
    "status",
    "amount",
    "currency",
    "closed_at",
    "close_date",
    "expected_close_at",
    "modified_at",
    "stage_entered_at",
    "lost_reason",
    "won_flag",
    "closed_flag",
    "semantic",
    "active",
    "owner",
    "team",
];

/// Data rows read ahead to check layouts and columns against their values.
const SAMPLE_ROWS: usize = 300;

/// Read the whole file into canonical frames.
pub(crate) fn normalize(opened: &mut Opened, s: &Settings, file: &str) -> Result<FileResult> {
    let mut rec = StringRecord::new();
    let mut count = 0usize;
    let mut notes: Vec<Text> = Vec::new();
    let mut assumptions: Vec<Text> = Vec::new();
    let mut warnings: Vec<Text> = Vec::new();
    let Header {
        headers,
        header_row,
        data_start,
        head,
        sample_rows,
    } = find_header(
        opened,
        s,
        file,
        (&mut rec, &mut count),
        &mut notes,
        &mut warnings,
    )?;
    let Recognized {
        preset,
        why,
        candidates,
        mapping,
        order_evidence,
        unread,
    } = recognized(opened, (&headers, &sample_rows), s, file, &mut warnings)?;
    let table = mapping.table;
    let width = headers.len();
    let plans = &mapping.plans;
    let (special, wide) = special_of(preset, &headers);
    warnings.extend(marker_warnings(&mapping, file));
    let s_own = own_settings(s, preset, &mapping);
    let s = s_own.as_ref().unwrap_or(s);
    let lists = (&mapping, &sample_rows[..]);
    let pipelines = stage_lists(s, preset, lists, &wide, order_evidence, file, &mut notes);
    // Twin columns (`Amount`, `AMOUNT `): named in a warning, and every row must agree.
    let twins = twin_columns(plans, &headers);
    warnings.extend(twin_warnings(&twins, &headers, file));
    let cx = Cx {
        twins: &twins,
        file,
        s,
        plans,
        headers: &headers,
        width,
        wide: &wide,
        special,
        mapping: &mapping,
        pipelines: &pipelines,
        preset,
        ix_deal: plans.iter().position(|p| p.field == "deal_id"),
        ix_owner: plans.iter().position(|p| p.field == "owner"),
        table,
    };
    let out_fields = output_fields(table, &mapping);
    let t_rows = crate::timing::span("normalise: rows");
    let mut parts = read_parts(opened, &cx, (head, data_start, header_row), rec, count)?;
    drop(t_rows);
    let _t = crate::timing::span("normalise: finish columns");
    let Tally {
        rows_in,
        rejected_rows,
        rejects,
        order,
        ambiguous_seen,
    } = tally(
        &mut parts,
        opened,
        (s, file, &twins, &headers),
        (&mut notes, &mut warnings, &mut assumptions),
    )?;

    // Finish the columns, part by part, and join the parts.
    let (columns, wide_part) = finish_parts(
        parts,
        &mapping,
        &out_fields,
        !wide.is_empty(),
        order,
        file,
        &mut assumptions,
    )?;
    drop(_t);
    let frames = frames_of(
        columns,
        wide_part,
        (table, special, wide.len()),
        order,
        file,
        &mut notes,
    )?;
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
        unread,
        date_order: date_order_words(order, ambiguous_seen),
        warnings,
        candidates,
    })
}

/// The file's layout as recognized from its header and sample: the preset and why, the
/// candidates weighed, the mapping (cut to the columns the command reads), the stage order the
/// values suggest, and the fields left unread.
struct Recognized {
    preset: Option<&'static Preset>,
    why: Text,
    candidates: Vec<(String, f64, String)>,
    mapping: Mapping,
    order_evidence: Option<(Vec<String>, Text)>,
    unread: Vec<String>,
}

/// Recognize the layout (see [`Recognized`]); refuse a field the command reads whose column
/// failed its values check.
fn recognized(
    opened: &mut Opened,
    (headers, sample_rows): (&[String], &[StringRecord]),
    s: &Settings,
    file: &str,
    warnings: &mut Vec<Text>,
) -> Result<Recognized> {
    let sample = Sample::new(sample_rows, s);
    let rec_ = recognize(headers, &sample, s, file)?;
    let (preset, why) = (rec_.preset, rec_.why.clone());
    let candidates: Vec<(String, f64, String)> = rec_
        .candidates
        .iter()
        .map(|c| (c.name().to_string(), c.score, c.evidence_en()))
        .collect();
    let mut mapping = rec_.mapping;
    // Before the mapping is cut to the command's columns: a probability column orders stages
    // even for a command that does not read it.
    let order_evidence = derive_order(&mapping, headers, sample_rows, s);
    warnings.extend(std::mem::take(&mut opened.warnings));
    refused_columns(&mapping, s, file, warnings)?;
    drop(sample);
    let unread = match s.only.as_ref().and_then(|o| o.get(&mapping.table)) {
        Some(only) => project(&mut mapping, only),
        None => Vec::new(),
    };
    Ok(Recognized {
        preset,
        why,
        candidates,
        mapping,
        order_evidence,
        unread,
    })
}

/// What the parts add up to: rows read and rejected, the rejects, and the file's date order.
struct Tally {
    rows_in: usize,
    rejected_rows: usize,
    rejects: Vec<Reject>,
    order: DateOrder,
    ambiguous_seen: bool,
}

/// Sum the parts: refuse disagreeing twin columns and a file without data rows; add the notes,
/// warnings and assumptions counted over them; settle what decides a column over all parts
/// (slash-date order, percent scaling).
#[allow(clippy::type_complexity)]
fn tally(
    parts: &mut [Part],
    opened: &mut Opened,
    (s, file, twins, headers): (&Settings, &str, &[Twin], &[String]),
    (notes, warnings, assumptions): (&mut Vec<Text>, &mut Vec<Text>, &mut Vec<Text>),
) -> Result<Tally> {
    let rows_in = total(parts, |p| p.rows_in);
    let rejected_rows = total(parts, |p| p.rejected_rows);
    let rejects: Vec<Reject> = parts.iter_mut().flat_map(|p| p.rejects.drain(..)).collect();
    twin_refusal(parts, twins, headers, file)?;
    if rows_in == 0 {
        return Err(Error::Empty {
            file: file.into(),
            what: "no data rows under the header".into(),
        });
    }
    warnings.extend(opened.rows.scan_warnings(file));
    part_notes(parts, s, file, notes, warnings, assumptions);

    // What decides a column (slash-date order, percent scaling) is decided over all its parts.
    for pi in 0..parts[0].cols.len() {
        Builder::unify(parts.iter_mut().map(|p| &mut p.cols[pi]));
    }
    merge_derived(parts);
    let seen: Vec<date::OrderEvidence> = parts[0]
        .cols
        .iter()
        .chain([&parts[0].ev_at])
        .filter_map(Builder::seen)
        .collect();
    let ambiguous_seen = seen.iter().any(|e| e.day_first || e.month_first);
    let order = DateOrder::of_file(seen, s.date_ctx.day_first);
    Ok(Tally {
        rows_in,
        rejected_rows,
        rejects,
        order,
        ambiguous_seen,
    })
}

/// Every row of the file into parts: the rows already read (`head` from `data_start`, below the
/// header), then the rest, in parallel parts where the source allows it, else streamed into
/// the first.
fn read_parts(
    opened: &mut Opened,
    cx: &Cx,
    (head, data_start, header_row): (Vec<(usize, StringRecord)>, usize, usize),
    mut rec: StringRecord,
    mut count: usize,
) -> Result<Vec<Part>> {
    let mut first = Part::new(cx, 1024);
    for (n, b) in std::mem::take(&mut opened.early_broken) {
        first.broken(cx, n, &b);
    }
    for (n, r) in head.into_iter().skip(data_start) {
        if n > header_row {
            first.row(cx, n, &r);
        }
    }
    Ok(match parallel_parts(opened, cx, &first, count)? {
        Some(rest) => {
            let mut v = vec![first];
            v.extend(rest);
            v
        }
        None => {
            loop {
                match opened.rows.next_row(&mut rec, count) {
                    Ok(Some(n)) => {
                        count += 1;
                        first.row(cx, n, &rec);
                    }
                    Ok(None) => break,
                    Err(RowError::Broken(n, b)) => {
                        count += 1;
                        first.broken(cx, n, &b);
                    }
                    Err(RowError::Unreadable(e)) => {
                        count += 1;
                        first.unreadable(cx, count, &e);
                    }
                }
            }
            opened.mark_fully_read();
            vec![first]
        }
    })
}

/// The file's tables: its own (collapsed to stage changes for a history export that repeats
/// rows), and a HubSpot wide export's stage events from its `Date entered` columns.
fn frames_of(
    columns: Vec<Column>,
    wide_part: Option<WideEvents>,
    (table, special, n_wide): (Table, Special, usize),
    order: DateOrder,
    file: &str,
    notes: &mut Vec<Text>,
) -> Result<Vec<(Table, DataFrame)>> {
    // Parts read in parallel leave each column in several chunks, kept as they are: copying
    // them into one buffer each doubled the table in memory for a moment (ingest's peak).
    let mut frame = DataFrame::new_infer_height(columns)?;
    let _t = crate::timing::span("normalise: events order");
    let mut frames = Vec::new();
    if special == Special::CollapseHistory {
        let before = frame.height();
        frame = crate::load::events::collapse_history(frame)?;
        let after = frame.height();
        notes.push(crate::tr!(
            "{before} history rows collapsed to {after} stage changes",
            "{before} 个历史行合并为 {after} 次阶段变动"
        ));
    }
    frames.push((table, frame));
    if let Some((ev_deal, ev_pipe, ev_stage, ev_at, ev_owner)) = wide_part {
        let (at, _) = ev_at.finish("entered_at", order, file, "Date entered")?;
        let ev = DataFrame::new_infer_height(vec![
            ev_deal.finish().into_series().into_column(),
            ev_pipe.finish()?,
            ev_stage.finish()?,
            at,
            ev_owner.finish()?,
        ])?;
        let (n, events) = (n_wide, ev.height());
        notes.push(crate::tr!(
            "{n} `Date entered` columns read as {events} stage events",
            "{n} 个 `Date entered` 列读作 {events} 个阶段事件"
        ));
        frames.push((Table::StageEvents, ev));
    }
    Ok(frames)
}

/// What the first rows say: the header (found below any title rows, or named from the values
/// when there is none), its row, the first data row's index in `head`, the rows read so far, and
/// the sample the layout and typed columns are checked on.
struct Header {
    headers: Vec<String>,
    header_row: usize,
    data_start: usize,
    head: Vec<(usize, StringRecord)>,
    sample_rows: Vec<StringRecord>,
}

/// The builders of a HubSpot wide export's stage events (first part only).
type WideEvents = (
    StringChunkedBuilder,
    LabelBuilder,
    LabelBuilder,
    Builder,
    LabelBuilder,
);

/// What every row of one file is read against.
struct Cx<'a> {
    file: &'a str,
    s: &'a Settings,
    plans: &'a [Plan],
    headers: &'a [String],
    width: usize,
    wide: &'a [Wide],
    special: Special,
    mapping: &'a Mapping,
    pipelines: &'a BTreeMap<String, Vec<String>>,
    preset: Option<&'static Preset>,
    ix_deal: Option<usize>,
    ix_owner: Option<usize>,
    table: Table,
    twins: &'a [Twin],
}

/// A column whose header is the read column's in another case or spacing.
struct Twin {
    field: &'static str,
    used: usize,
    other: usize,
}

/// The rows of one stretch of a file, parsed: column builders, rejects and counts. A big file
/// is read as several parts in parallel, joined in file order.
struct Part {
    cols: Vec<Builder>,
    derived: Derived,
    extras: Vec<Builder>,
    ev_deal: StringChunkedBuilder,
    ev_pipe: LabelBuilder,
    ev_stage: LabelBuilder,
    ev_at: Builder,
    ev_owner: LabelBuilder,
    rejects: Vec<Reject>,
    rejected_rows: usize,
    rows_in: usize,
    blank: usize,
    amb_symbols: usize,
    currency_unknown: usize,
    header_repeats: usize,
    /// Date cells read as no date: placeholders (`9999-12-31`...), years outside the window.
    date_sentinels: usize,
    date_outside: usize,
    /// NUL bytes removed (parallel parts; the streamed reader's scanner counts its own).
    nul_bytes: usize,
    /// Rows whose twin columns (see [`Twin`]) disagree, and the first: row, twin, both values.
    twin_diffs: usize,
    first_twin_diff: Option<(usize, usize, String, String)>,
    footers: Vec<String>,
    vals_store: Vec<Val<'static>>,
    flags: Vec<MoneyCell>,
    row_rejects: Vec<Reject>,
}

/// Bytes per part below which a file is read in one piece (`SALESCTL_PART_BYTES` overrides it,
/// for tests of the parallel reader on small files). 512 KiB: a 3 MB export of 20,000 deals
/// is already worth both cores (its funnel went from about 60 to 50 ms); big files are cut
/// into at most four parts per thread whatever this is.
const PART_BYTES: usize = 512 << 10;

/// Bytes hashed between two releases of the file's pages.
const HASH_PIECE: usize = 8 << 20;

/// Columns derived per row: status, currency, deal/order ids, close-date split.
struct Derived {
    table: Table,
    status: Option<LabelBuilder>,
    currency: Option<LabelBuilder>,
    id: Option<(StringChunkedBuilder, &'static str)>,
    closed: Option<Builder>,
    expected: Option<Builder>,
    cancelled: Option<Vec<Option<bool>>>,
    derived_ids: usize,
    unknown_stages: BTreeMap<String, usize>,
    memo: StatusMemo,
    ix: Ix,
    /// Boolean outcome columns decide over the stage label (Salesforce).
    flags_win: bool,
    /// Deals whose outcome columns and stage label disagree.
    disagree: usize,
    /// Open-labelled deals whose outcome the boolean columns decided.
    by_flags: usize,
}

/// Where each field the derived columns read sits among the plans (looked up once per file).
#[derive(Default)]
struct Ix {
    status: Option<usize>,
    stage: Option<usize>,
    active: Option<usize>,
    pipeline: Option<usize>,
    currency: Option<usize>,
    amount: Option<usize>,
    /// amount, else spend: the cell whose currency symbol counts.
    money: Option<usize>,
    close_date: Option<usize>,
    quantity: Option<usize>,
    order_id: Option<usize>,
    won_flag: Option<usize>,
    closed_flag: Option<usize>,
    semantic: Option<usize>,
}

/// What a money cell said beside its number.
#[derive(Debug, Clone, Copy, Default)]
struct MoneyCell {
    percent: bool,
    currency: Option<&'static str>,
    ambiguous: bool,
    /// A date cell read as no date (placeholder, or outside the years read).
    dropped: Option<date::Dropped>,
}

/// Status (and whether the stage is unknown) per (status cell, stage, pipeline) seen, up to
/// `StatusMemo::MAX` triples (beyond that each row is worked out again).
#[derive(Default)]
struct StatusMemo {
    by_hash: foldhash::HashMap<u64, Vec<(MemoKey, MemoValue)>>,
    len: usize,
}

type MemoKey = [Option<Box<str>>; 3];
/// The status, and whether the stage is in no stage list.
type MemoValue = (Status, bool);

/// A HubSpot `Date entered "<Stage> (<Pipeline>)"` column.
struct Wide {
    col: usize,
    stage: String,
    pipeline: String,
}

#[cfg(test)]
mod tests;
