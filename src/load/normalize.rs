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

/// What one file became.
pub(crate) struct FileResult {
    pub preset: Option<&'static Preset>,
    /// Why this layout, in both languages.
    pub preset_why: Text,
    pub table: Table,
    pub mapping: Mapping,
    pub frames: Vec<(Table, DataFrame)>,
    pub rejects: Vec<Reject>,
    pub rows_in: usize,
    pub rejected_rows: usize,
    pub notes: Vec<Text>,
    pub assumptions: Vec<Text>,
    /// Pipelines seen (name -> stages in the export's own order, from HubSpot columns).
    pub pipelines: BTreeMap<String, Vec<String>>,
    /// Fields and extra columns the file has but the command does not read (`Settings::only`).
    pub unread: Vec<String>,
    /// How ambiguous slash dates were read, when the file had any.
    pub date_order: Option<String>,
    /// What the reader repaired or doubted: printed as `warning:` lines.
    pub warnings: Vec<Text>,
    /// Every layout considered, best first: (name, score, evidence).
    pub candidates: Vec<(String, f64, String)>,
}

const FOOTERS: &[&str] = &[
    "grand totals (",
    "confidential information",
    "copyright (c)",
    "copyright ©",
    "合计",
    "总计",
];

/// An emptied vector of values whose allocation can hold values of another lifetime (the
/// in-place collect reuses it), so each row need not allocate.
fn recycle<'b>(mut v: Vec<Val<'_>>) -> Vec<Val<'b>> {
    v.clear();
    v.into_iter().map(|_| Val::Null).collect()
}

fn is_blank(rec: &StringRecord) -> bool {
    rec.iter().all(|f| f.trim().is_empty())
}

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

fn footer<R: Cells>(rec: &R) -> Option<String> {
    // Footers fill at most two cells: most rows are ruled out without allocating.
    if rec
        .cells()
        .filter(|f| !f.trim().is_empty())
        .nth(2)
        .is_some()
    {
        return None;
    }
    let filled: Vec<&str> = rec
        .cells()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    let first = filled.first()?.to_lowercase();
    let exact_total = first == "合计" || first == "总计";
    (filled.len() <= 2 && (FOOTERS[..4].iter().any(|p| first.starts_with(p)) || exact_total))
        .then(|| filled[0].to_string())
}

/// Do the open stage labels of the sampled rows fit the vendor's default stages? Err holds
/// the open labels that are in no default stage, when more than 5% of the rows carry one.
/// Ok holds the file's spelling of each vendor stage it uses, by key.
fn vendor_stages_fit(
    p: &Preset,
    m: &Mapping,
    rows: &[StringRecord],
    s: &Settings,
) -> std::result::Result<Vec<(String, String)>, Vec<String>> {
    let Some(col) = m.col_of("stage") else {
        return Ok(Vec::new());
    };
    let mut spelling: Vec<(String, String)> = Vec::new();
    let norm = |l: &str| super::synonyms::key(l);
    let known: Vec<String> = p.stages.iter().map(|x| norm(x)).collect();
    let mut outside: Vec<String> = Vec::new();
    let (mut n, mut off) = (0usize, 0usize);
    for r in rows {
        let v = r.get(col).unwrap_or("").trim();
        if s.is_null(v) {
            continue;
        }
        n += 1;
        if s.outcomes.status_of(v) != Status::Open {
            continue;
        }
        let k = norm(v);
        if known.contains(&k) {
            if !p.stages.iter().any(|x| x == v) && !spelling.iter().any(|(sk, _)| *sk == k) {
                spelling.push((k, v.to_string()));
            }
            continue;
        }
        off += 1;
        if !outside.iter().any(|o| o == v) {
            outside.push(v.to_string());
        }
    }
    if off * 20 > n {
        Err(outside)
    } else {
        Ok(spelling)
    }
}

/// The open stage order the values show, when they show one: ordinal prefixes on every label
/// (`1. Lead`, `02 - Demo`), a sort-order column constant per stage (`StageSortOrder`), or a
/// probability column whose ranges per stage do not overlap. None when nothing orders them.
fn derive_order(
    m: &Mapping,
    headers: &[String],
    rows: &[StringRecord],
    s: &Settings,
) -> Option<(Vec<String>, Text)> {
    let col = |f: &str| m.col_of(f);
    let stage_col = col("stage")?;
    // open labels in first-seen order, with their rows
    let mut labels: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let v = r.get(stage_col).unwrap_or("").trim();
        if s.is_null(v) || s.outcomes.status_of(v) != Status::Open {
            continue;
        }
        match labels.iter_mut().find(|(l, _)| l == v) {
            Some((_, ix)) => ix.push(i),
            None => labels.push((v.to_string(), vec![i])),
        }
    }
    if labels.len() < 2 {
        return None;
    }
    let ordered = |mut keyed: Vec<(f64, f64, String)>, why: Text| {
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        // ranges must not overlap, and keys must differ
        if keyed.windows(2).all(|w| w[0].1 < w[1].0) {
            Some((keyed.into_iter().map(|k| k.2).collect::<Vec<_>>(), why))
        } else {
            None
        }
    };
    // 1. ordinal prefixes
    let prefix = |l: &str| -> Option<f64> {
        let t = l.trim_start();
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() || digits.len() > 2 {
            return None;
        }
        let rest = &t[digits.len()..];
        let sep = rest.chars().next()?;
        (matches!(sep, '.' | ')' | '-' | ':' | '_' | ' ' | '、') && rest.len() > 1)
            .then(|| digits.parse().ok())
            .flatten()
    };
    if let Some(keys) = labels
        .iter()
        .map(|(l, _)| prefix(l).map(|k| (k, k, l.clone())))
        .collect::<Option<Vec<_>>>()
    {
        if let Some(r) = ordered(
            keys,
            crate::tr!(
                "the ordinal prefixes of the stage labels",
                "阶段标签的序号前缀"
            ),
        ) {
            return Some(r);
        }
    }
    // 2. a sort-order column, 3. a probability column: one range per stage, not overlapping
    let sort_col = headers.iter().position(|h| {
        matches!(
            super::synonyms::key(h).as_str(),
            "stagesortorder" | "sortorder" | "stageorder" | "stagesequence" | "stageno"
        )
    });
    for (c, what, what_zh) in [
        (sort_col, "sort order", "排序"),
        (col("probability"), "probability", "概率"),
    ] {
        let Some(c) = c else { continue };
        let mut keys = Vec::new();
        for (l, ix) in &labels {
            let vals: Vec<f64> = ix
                .iter()
                .filter_map(|&i| rows[i].get(c))
                .filter_map(|v| money::parse(v.trim(), s.decimal_comma).map(|a| a.value))
                .collect();
            if vals.is_empty() {
                keys.clear();
                break;
            }
            let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            keys.push((lo, hi, l.clone()));
        }
        if keys.len() == labels.len() {
            let why = crate::tr!("the {what} column `{}`", "{what_zh}列 `{}`", headers[c]);
            if let Some(r) = ordered(keys, why) {
                return Some(r);
            }
        }
    }
    None
}

/// The open stage order a stage history shows: each deal's stages in time order (consecutive
/// repeats and outcomes dropped), stages ranked by their mean relative position; used only when
/// at least 3 deals pass two stages and 80% of the observed stage pairs agree with the order.
fn history_order(m: &Mapping, rows: &[StringRecord], s: &Settings) -> Option<(Vec<String>, Text)> {
    let col = |f: &str| m.col_of(f);
    let (id_c, st_c, at_c) = (col("deal_id")?, col("stage")?, col("entered_at")?);
    let mut by_deal: BTreeMap<&str, Vec<(i64, &str)>> = BTreeMap::new();
    let mut ev = date::OrderEvidence::default();
    for r in rows {
        let (id, st, at) = (
            r.get(id_c).unwrap_or("").trim(),
            r.get(st_c).unwrap_or("").trim(),
            r.get(at_c).unwrap_or("").trim(),
        );
        if id.is_empty() || s.is_null(st) || s.outcomes.status_of(st) != Status::Open {
            continue;
        }
        let Ok(cell) = date::parse(at, &s.date_ctx, &mut ev) else {
            continue;
        };
        // A slash date whose order nothing has settled is left out, not guessed (and one such
        // cell no longer gives up on the whole history).
        let ms = match (cell, s.date_ctx.day_first) {
            (date::DateCell::At(ms), _) => ms,
            (c, Some(day_first)) => match date::resolve(c, day_first) {
                Some(ms) => ms,
                None => continue,
            },
            (_, None) => continue,
        };
        by_deal.entry(id).or_default().push((ms, st));
    }
    let mut rank: Vec<(String, f64, usize)> = Vec::new();
    let mut paths: Vec<Vec<&str>> = Vec::new();
    for (_, mut evs) in by_deal {
        evs.sort_by_key(|e| e.0);
        let mut path: Vec<&str> = Vec::new();
        for (_, st) in evs {
            if path.last() != Some(&st) {
                path.push(st);
            }
        }
        if path.len() < 2 {
            continue;
        }
        let n = (path.len() - 1) as f64;
        for (i, st) in path.iter().enumerate() {
            match rank.iter_mut().find(|r| r.0 == *st) {
                Some(r) => {
                    r.1 += i as f64 / n;
                    r.2 += 1;
                }
                None => rank.push((st.to_string(), i as f64 / n, 1)),
            }
        }
        paths.push(path);
    }
    if paths.len() < 3 || rank.len() < 2 {
        return None;
    }
    rank.sort_by(|a, b| (a.1 / a.2 as f64).total_cmp(&(b.1 / b.2 as f64)));
    let order: Vec<String> = rank.into_iter().map(|r| r.0).collect();
    let pos = |st: &str| order.iter().position(|o| o == st);
    let (mut agree, mut pairs) = (0usize, 0usize);
    for p in &paths {
        for w in p.windows(2) {
            pairs += 1;
            agree += (pos(w[0]) < pos(w[1])) as usize;
        }
    }
    (agree * 5 >= pairs * 4).then(|| {
        (
            order,
            crate::tr!(
                "the stage history ({} deals, {agree} of {pairs} moves in this order)",
                "阶段历史（{} 个商机，{pairs} 次变动中有 {agree} 次按此顺序）",
                paths.len()
            ),
        )
    })
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

/// Read rows into `head` until it holds `len` non-blank rows or the file ends.
fn read_ahead(
    opened: &mut Opened,
    rec: &mut StringRecord,
    count: &mut usize,
    head: &mut Vec<(usize, StringRecord)>,
    len: usize,
    file: &str,
) -> Result<()> {
    while head.len() < len {
        let next = match opened.rows.next_row(rec, *count) {
            Ok(n) => n,
            Err(RowError::Broken(n, b)) => {
                *count += 1;
                opened.early_broken.push((n, b));
                continue;
            }
            Err(e) => {
                return Err(Error::NotATable {
                    file: file.into(),
                    // untranslated: the CSV reader's own message.
                    why: e.to_string().into(),
                });
            }
        };
        let Some(n) = next else { break };
        *count += 1;
        if !is_blank(rec) {
            head.push((n, rec.clone()));
        }
    }
    Ok(())
}

/// Data rows read ahead to check layouts and columns against their values.
const SAMPLE_ROWS: usize = 300;

/// A data row that repeats the header (exports concatenated with their headers).
fn same_as_header<R: Cells>(rec: &R, headers: &[String]) -> bool {
    rec.n_cells() == headers.len()
        && !headers.is_empty()
        && rec.cell(0).map(str::trim) == Some(headers[0].as_str())
        && rec.cells().zip(headers).all(|(c, h)| c.trim() == h)
}

/// A first row typed like the rows under it (dates, numbers where they hold dates, numbers) is
/// data, not a header. Ok(None): a header. Ok(Some(names)): no header, and the values name the
/// columns (see [`names_from_values`]). Err: no header and the values do not say enough:
/// refused with the `--no-header --columns` line to use.
fn headerless_check(
    headers: &[String],
    sample: &Sample,
    s: &Settings,
    file: &str,
) -> Result<Option<Vec<String>>> {
    use super::mapping::parse_bool;
    let mut typed = Vec::new();
    let mut typed_zh = Vec::new();
    let mut guess: Vec<String> = Vec::new();
    let mut dates = 0;
    for (c, h) in headers.iter().enumerate() {
        let h = h.trim();
        let mut ev = date::OrderEvidence::default();
        let is_date = !h.is_empty() && date::parse(h, &s.date_ctx, &mut ev).is_ok();
        let is_num = !h.is_empty() && money::parse(h, s.decimal_comma).is_some();
        let kind = if is_date {
            Kind::DateTime
        } else if is_num {
            Kind::Number
        } else {
            Kind::Text
        };
        let col_fits = sample.fit(c, kind).is_some_and(|f| f.n > 0 && f.passes());
        if (is_date || is_num) && col_fits {
            typed.push(format!("{h:?} in column {}", c + 1));
            typed_zh.push(format!("{h:?}（第 {} 列）", c + 1));
        }
        guess.push(if is_date {
            dates += 1;
            match dates {
                1 => "created_at".into(),
                2 => "closed_at".into(),
                _ => format!("date_{dates}"),
            }
        } else if is_num && h.contains('.') {
            "amount".into()
        } else if parse_bool(h).is_some() && !is_num {
            format!("flag_{}", c + 1)
        } else {
            format!("column_{}", c + 1)
        });
    }
    // A row holding a known header name is a header, whatever else it holds (`Owner,2025,2026`).
    // (An outcome word such as `Won` is a value, not a header name, though `won` is a synonym.)
    let known = headers.iter().any(|h| {
        let k = super::synonyms::key(h);
        !k.is_empty()
            && s.outcomes.status_of(h) == Status::Open
            && crate::model::Table::ALL.iter().any(|t| {
                super::synonyms::for_table(*t)
                    .iter()
                    .any(|(_, syns)| syns.contains(&k.as_str()))
            })
    });
    if !known && (typed.len() >= 2 || (typed.len() == 1 && headers.len() <= 2)) {
        if let Some(names) = names_from_values(headers, sample.rows, s) {
            return Ok(Some(names));
        }
        let (typed, typed_zh, guess) = (typed.join(", "), typed_zh.join("、"), guess.join(","));
        return Err(Error::input(crate::tr!(
            "{file}: the first row looks like data, not a header ({typed} typed like the rows under it); \
             if the file has no header row, name its columns: --no-header --columns {guess} \
             (replace the placeholders with canonical names such as deal_id, stage, owner, amount)",
            "{file}：第一行看起来是数据而不是表头（{typed_zh} 的类型与下面各行相同）；\
             如果文件没有表头行，请为各列命名：--no-header --columns {guess}\
             （把占位名换成标准名称，如 deal_id、stage、owner、amount）"
        )));
    }
    Ok(None)
}

/// Name the columns of a file without a header from what they hold: the column of outcome
/// labels (won/lost words) is the stage; a first column unique on every row the deal id; dates
/// are created_at then closed_at; a decimal number column the amount; three-letter upper-case
/// codes the currency; other text the deal name (mostly distinct) or the owner (few values).
/// None unless a stage column and a date or amount are found.
fn names_from_values(first: &[String], rows: &[StringRecord], s: &Settings) -> Option<Vec<String>> {
    let width = first.len();
    let col = |c: usize| -> Vec<&str> {
        std::iter::once(first[c].as_str())
            .chain(rows.iter().map(|r| r.get(c).unwrap_or("")))
            .map(str::trim)
            .filter(|v| !s.is_null(v))
            .collect()
    };
    let mut names: Vec<Option<&'static str>> = vec![None; width];
    let share = |vals: &[&str], f: &dyn Fn(&str) -> bool| {
        if vals.is_empty() {
            0.0
        } else {
            vals.iter().filter(|v| f(v)).count() as f64 / vals.len() as f64
        }
    };
    let mut dates = 0;
    let mut stage = None;
    let mut best_outcomes = 0usize;
    for c in 0..width {
        let v = col(c);
        let num = share(&v, &|x| money::parse(x, s.decimal_comma).is_some());
        let outcomes = v
            .iter()
            .filter(|x| s.outcomes.status_of(x) != Status::Open)
            .count();
        if num < 0.5 && outcomes > best_outcomes {
            best_outcomes = outcomes;
            stage = Some(c);
        }
    }
    let stage = stage?;
    names[stage] = Some("stage");
    let mut amount = false;
    for c in 0..width {
        if names[c].is_some() {
            continue;
        }
        let v = col(c);
        let distinct = {
            let mut d: Vec<&str> = v.clone();
            d.sort();
            d.dedup();
            d.len() as f64 / v.len().max(1) as f64
        };
        let is_date = share(&v, &|x| {
            !x.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && date::parse(x, &s.date_ctx, &mut date::OrderEvidence::default()).is_ok()
        }) >= 0.9;
        let is_num = share(&v, &|x| money::parse(x, s.decimal_comma).is_some()) >= 0.9;
        names[c] = if c == 0 && distinct >= 0.999 && !is_date {
            Some("deal_id")
        } else if is_date {
            dates += 1;
            match dates {
                1 => Some("created_at"),
                2 => Some("closed_at"),
                _ => None,
            }
        } else if is_num && !amount && share(&v, &|x| x.contains('.') || x.contains(',')) >= 0.5 {
            amount = true;
            Some("amount")
        } else if share(&v, &|x| {
            x.len() == 3 && x.bytes().all(|b| b.is_ascii_uppercase())
        }) >= 0.9
        {
            Some("currency")
        } else if !is_num && distinct >= 0.8 {
            Some("deal_name")
        } else if !is_num && distinct <= 0.5 {
            Some("owner")
        } else {
            None
        };
    }
    // A name or an owner is read only when one column alone fits it: two candidates would be a
    // guess (an owner read from the account column gives a wrong scorecard), so both stay unnamed.
    for f in ["deal_name", "owner"] {
        if names.iter().filter(|n| **n == Some(f)).count() > 1 {
            for n in names.iter_mut().filter(|n| **n == Some(f)) {
                *n = None;
            }
        }
    }
    if dates == 0 && !amount {
        return None;
    }
    Some(
        names
            .into_iter()
            .enumerate()
            .map(|(c, n)| n.map_or(format!("column_{}", c + 1), str::to_string))
            .collect(),
    )
}

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
        frame = super::events::collapse_history(frame)?;
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

/// Columns the values check refused for a field: a warning each, and a refusal when the
/// command reads that field and no other column gives it.
fn refused_columns(
    mapping: &Mapping,
    s: &Settings,
    file: &str,
    warnings: &mut Vec<Text>,
) -> Result<()> {
    for (field, header, t) in &mapping.refused {
        let (why, why_zh) = (&t.en, t.get(crate::text::Lang::ZhCn));
        warnings.push(crate::tr!(
            "{file}: column `{header}` not read as {field}: {why}",
            "{file}：列 `{header}` 未作为 {field} 读取：{why_zh}"
        ));
    }
    // A field the command reads whose candidate column failed its values check: a refusal.
    if let Some(only) = s.only.as_ref().and_then(|o| o.get(&mapping.table)) {
        if let Some((field, header, t)) = mapping
            .refused
            .iter()
            .find(|(f, _, _)| only.iter().any(|o| o == f) && !mapping.has(f))
        {
            let (why, why_zh) = (&t.en, t.get(crate::text::Lang::ZhCn));
            return Err(Error::input(crate::tr!(
                "{file}: `{field}` would come from column `{header}`, but {why}; \
                 name its column with --map {field}=HEADER (or `[map]` in salesctl.toml), or mark \
                 placeholder texts as empty with --null TEXT",
                "{file}：`{field}` 本应取自列 `{header}`，但{why_zh}；\
                 请用 --map {field}=HEADER（或 salesctl.toml 中的 `[map]`）指定它的列，\
                 或用 --null TEXT 把占位文本标记为空值"
            )));
        }
    }
    Ok(())
}

/// The null markers found where dates are (a word that repeats there): read as empty, and said.
fn marker_warnings(mapping: &Mapping, file: &str) -> Vec<Text> {
    let mut out = Vec::new();
    for (m, h, k) in &mapping.markers {
        out.push(crate::tr!(
            "{file}: {m:?} read as empty: it stands where dates are in column `{h}` ({k} times in the first rows); --null or `null_markers` makes it explicit",
            "{file}：{m:?} 按空值读取：它出现在列 `{h}` 中本应是日期的位置（前几行中 {k} 次）；可用 --null 或 `null_markers` 明确指定"
        ));
    }
    out
}

/// Columns whose headers differ only in case or spaces from the column a field is read from
/// (`Amount`, `AMOUNT `): named in a warning (every row must agree, see [`twin_refusal`]).
fn twin_warnings(twins: &[Twin], headers: &[String], file: &str) -> Vec<Text> {
    let mut out = Vec::new();
    for t in twins {
        let (used, other, field) = (&headers[t.used], &headers[t.other], t.field);
        let (n_used, n_other) = (t.used + 1, t.other + 1);
        out.push(crate::tr!(
            "{file}: columns `{used}` and `{other}` both name `{field}`: `{used}` (column {n_used}) is read, and each row must agree with column {n_other}",
            "{file}：列 `{used}` 和 `{other}` 都表示 `{field}`：读取 `{used}`（第 {n_used} 列），且每一行都必须与第 {n_other} 列一致"
        ));
    }
    out
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

/// Read the first rows and find the header in them. `reader` is the record buffer and the
/// count of rows read, shared with the rest of the read.
fn find_header(
    opened: &mut Opened,
    s: &Settings,
    file: &str,
    (rec, count): (&mut StringRecord, &mut usize),
    notes: &mut Vec<Text>,
    warnings: &mut Vec<Text>,
) -> Result<Header> {
    // Buffer the first rows to find the header (a title row may sit above it).
    let mut head: Vec<(usize, StringRecord)> = Vec::new();
    read_ahead(opened, rec, count, &mut head, 12, file)?;
    if head.is_empty() {
        if let Some((_, b)) = opened.early_broken.first() {
            return Err(Error::NotATable {
                file: file.into(),
                why: crate::tr!("no row could be read: {}", "没有一行可以读取：{}", b.reason),
            });
        }
        return Err(Error::Empty {
            file: file.into(),
            what: crate::tr!("no rows at all", "没有任何行"),
        });
    }
    let (mut headers, mut header_row, mut data_start) = if s.no_header {
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
            notes.push(crate::tr!(
                "{idx} title row(s) above the header skipped",
                "跳过表头上方的 {idx} 个标题行"
            ));
        }
        let h = head[idx]
            .1
            .iter()
            .map(|f| f.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        (h, head[idx].0, idx + 1)
    };
    // A line taken out at or above the header (too long, too wide, a stray quote) leaves no
    // header to trust.
    if let Some((_, b)) = opened.early_broken.iter().find(|(n, _)| *n <= header_row) {
        return Err(Error::NotATable {
            file: file.into(),
            why: crate::tr!(
                "the header cannot be read: {}",
                "表头无法读取：{}",
                b.reason
            ),
        });
    }
    // More rows, for the values evidence: the layout and every typed column are checked on
    // the first SAMPLE_ROWS data rows before the file is read.
    read_ahead(
        opened,
        rec,
        count,
        &mut head,
        data_start + SAMPLE_ROWS,
        file,
    )?;
    let mut sample_rows: Vec<StringRecord> = head
        .iter()
        .skip(data_start)
        .map(|(_, r)| r.clone())
        .filter(|r| !same_as_header(r, &headers))
        .collect();
    if !s.no_header {
        let named = headerless_check(&headers, &Sample::new(&sample_rows, s), s, file)?;
        if let Some(names) = named {
            // No header: the first row is data, and the columns are named from their values.
            let (listed, flag) = (names.join(", "), names.join(","));
            warnings.push(crate::tr!(
                "{file}: no header row: the columns are named from their values ({listed}); name them yourself with --no-header --columns {flag}",
                "{file}：没有表头行：各列按其值命名（{listed}）；可用 --no-header --columns {flag} 自行命名"
            ));
            headers = names;
            header_row = 0;
            data_start -= 1;
            sample_rows = head
                .iter()
                .skip(data_start)
                .map(|(_, r)| r.clone())
                .collect();
        }
    }
    Ok(Header {
        headers,
        header_row,
        data_start,
        head,
        sample_rows,
    })
}

/// This file's settings when its vendor or values add to them: the preset's outcome labels
/// join the built-in ones, and so do the null markers its date columns show (a word that
/// repeats where dates are). None when nothing is added.
fn own_settings(s: &Settings, preset: Option<&Preset>, mapping: &Mapping) -> Option<Settings> {
    let own = !mapping.markers.is_empty()
        || preset.is_some_and(|p| !p.won.is_empty() || !p.lost.is_empty());
    if !own {
        return None;
    }
    let mut x = s.clone();
    if let Some(p) = preset {
        x.outcomes.won.extend(p.won.iter().cloned());
        x.outcomes.lost.extend(p.lost.iter().cloned());
    }
    for (m, _, _) in &mapping.markers {
        if !x.null_markers.contains(m) {
            x.null_markers.push(m.clone());
        }
    }
    Some(x)
}

/// The stage order of each pipeline: the user's (`--stages`, config), else the vendor's when
/// the file's open stages fit it, else one derived from the values (probabilities, history
/// order), with HubSpot's wide `Date entered` columns adding their pipelines' stages.
fn stage_lists(
    s: &Settings,
    preset: Option<&Preset>,
    (mapping, sample_rows): (&Mapping, &[StringRecord]),
    wide: &[Wide],
    order_evidence: Option<(Vec<String>, Text)>,
    file: &str,
    notes: &mut Vec<Text>,
) -> BTreeMap<String, Vec<String>> {
    let mut pipelines: BTreeMap<String, Vec<String>> = s.stage_lists.clone();
    let mut vendor_fits = false;
    if pipelines.is_empty() && wide.is_empty() {
        if let Some(p) = preset.filter(|p| !p.stages.is_empty()) {
            match vendor_stages_fit(p, mapping, sample_rows, s) {
                Ok(spelling) => {
                    vendor_fits = true;
                    // The vendor's order in the file's own spelling (`qualifiedtobuy`, the
                    // API value, for `Qualified to buy`).
                    let stages = p
                        .stages
                        .iter()
                        .map(|st| {
                            let k = super::synonyms::key(st);
                            spelling
                                .iter()
                                .find(|(sk, _)| *sk == k)
                                .map_or(st.clone(), |(_, v)| v.clone())
                        })
                        .collect();
                    pipelines.insert("default".into(), stages);
                }
                // A note, not a warning: no number changes (a command that needs the order
                // refuses without one).
                Err(labels) => {
                    let eg = labels
                        .iter()
                        .take(6)
                        .map(|l| format!("{l:?}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    notes.push(crate::tr!(
                        "{file}: the open stages are not {}'s default stages (e.g. {eg}): no stage order assumed; give it with --stages or `[stages]` in salesctl.toml",
                        "{file}：进行中的阶段不是 {} 的默认阶段（如 {eg}）：不假定阶段顺序；请用 --stages 或 salesctl.toml 中的 `[stages]` 给出",
                        p.name
                    ));
                }
            }
        }
    }
    if pipelines.is_empty() && wide.is_empty() && !vendor_fits {
        let evidence = match mapping.table {
            Table::Deals => order_evidence,
            Table::StageEvents => history_order(mapping, sample_rows, s),
            _ => None,
        };
        if let Some((stages, why)) = evidence {
            let order = stages.join(" > ");
            let (why, why_zh) = (&why.en, why.get(crate::text::Lang::ZhCn));
            notes.push(crate::tr!(
                "stage order {order} from {why} (give another with --stages)",
                "阶段顺序 {order} 取自{why_zh}（可用 --stages 给出其他顺序）"
            ));
            pipelines.insert("default".into(), stages);
        }
    }
    for w in wide {
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
    pipelines
}

/// Refuse a file whose twin columns (see [`Twin`]) disagree on some row.
fn twin_refusal(parts: &[Part], twins: &[Twin], headers: &[String], file: &str) -> Result<()> {
    let twin_diffs = total(parts, |p| p.twin_diffs);
    if let Some((row, ti, a, b)) = parts.iter().find_map(|p| p.first_twin_diff.clone()) {
        let t = &twins[ti];
        // Two headers spelt alike cannot be told apart by --map: one must be renamed.
        let field = t.field;
        let fix = if headers[t.used] == headers[t.other] {
            crate::tr!(
                "rename one of the two columns in the export, then say which to read with --map {field}=HEADER",
                "请在导出文件中重命名两列之一，再用 --map {field}=HEADER 指定读取哪一列"
            )
        } else {
            crate::tr!(
                "say which to read with --map {field}=\"HEADER\"",
                "请用 --map {field}=\"HEADER\" 指定读取哪一列"
            )
        };
        let (fix, fix_zh) = (&fix.en, fix.get(crate::text::Lang::ZhCn));
        let (used, other) = (&headers[t.used], &headers[t.other]);
        let (n_used, n_other) = (t.used + 1, t.other + 1);
        return Err(Error::input(crate::tr!(
            "{file}: columns `{used}` (column {n_used}) and `{other}` (column {n_other}) both name `{field}` and differ on {twin_diffs} row(s) (first: row {row}, {a:?} and {b:?}); {fix}",
            "{file}：列 `{used}`（第 {n_used} 列）和 `{other}`（第 {n_other} 列）都表示 `{field}`，且有 {twin_diffs} 行不一致（第一处：第 {row} 行，{a:?} 和 {b:?}）；{fix_zh}"
        )));
    }
    Ok(())
}

/// The notes, warnings and assumptions counted over every part: footers and blank rows
/// dropped, NUL bytes, placeholder dates, dates outside the window, repeated headers, currency
/// symbols read as a currency, amounts without one.
fn part_notes(
    parts: &mut [Part],
    s: &Settings,
    file: &str,
    notes: &mut Vec<Text>,
    warnings: &mut Vec<Text>,
    assumptions: &mut Vec<Text>,
) {
    let blank = total(parts, |p| p.blank);
    let amb_symbols = total(parts, |p| p.amb_symbols);
    let currency_unknown = total(parts, |p| p.currency_unknown);
    let footers: Vec<String> = parts.iter_mut().flat_map(|p| p.footers.drain(..)).collect();
    if !footers.is_empty() {
        let (n, listed) = (footers.len(), footers.join(" | "));
        notes.push(crate::tr!(
            "{n} report footer row(s) dropped: {listed}",
            "删除了 {n} 个报表页脚行：{listed}"
        ));
    }
    if blank > 0 {
        notes.push(crate::tr!(
            "{blank} blank row(s) skipped",
            "跳过 {blank} 个空行"
        ));
    }
    let nul_bytes = total(parts, |p| p.nul_bytes);
    if nul_bytes > 0 {
        warnings.push(crate::tr!(
            "{file}: {nul_bytes} NUL byte(s) removed from the text",
            "{file}：已从文本中删除 {nul_bytes} 个 NUL 字节"
        ));
    }
    let sentinels = total(parts, |p| p.date_sentinels);
    if sentinels > 0 {
        notes.push(crate::tr!(
            "{sentinels} placeholder date(s) (9999-12-31, 1900-01-01, 0000-00-00) read as no date",
            "{sentinels} 个占位日期（9999-12-31、1900-01-01、0000-00-00）按无日期读取"
        ));
    }
    let outside = total(parts, |p| p.date_outside);
    if outside > 0 {
        warnings.push(crate::tr!(
            "{file}: {outside} date(s) with a year outside {}-{} read as no date (rows are rejected only where the command reads that column)",
            "{file}：{outside} 个年份不在 {}-{} 之内的日期按无日期读取（只有命令读取该列时，这些行才被拒绝）",
            date::WINDOW.0,
            date::WINDOW.1
        ));
    }
    let header_repeats = total(parts, |p| p.header_repeats);
    if header_repeats > 0 {
        notes.push(crate::tr!(
            "{header_repeats} data row(s) equal to the header row skipped",
            "跳过 {header_repeats} 个与表头行相同的数据行"
        ));
    }
    if amb_symbols > 0 {
        assumptions.push(match &s.currency {
            Some(c) => crate::tr!(
                "{amb_symbols} amount(s) carried `$` or `¥` alone: read as {c} (config currency)",
                "{amb_symbols} 个金额只带 `$` 或 `¥`：按 {c} 读取（配置的币种）"
            ),
            None => crate::tr!(
                "{amb_symbols} amount(s) carried `$` or `¥` alone: read as USD / CNY (set `currency` in salesctl.toml to change)",
                "{amb_symbols} 个金额只带 `$` 或 `¥`：按 USD / CNY 读取（可在 salesctl.toml 中设置 `currency` 更改）"
            ),
        });
    }
    if currency_unknown > 0 {
        assumptions.push(crate::tr!(
            "{currency_unknown} amount(s) have no currency: left empty (set `currency` in salesctl.toml)",
            "{currency_unknown} 个金额没有币种：币种留空（请在 salesctl.toml 中设置 `currency`）"
        ));
    }
}

/// A count summed over every part.
fn total(parts: &[Part], f: fn(&Part) -> usize) -> usize {
    parts.iter().map(f).sum()
}

/// The derived columns' counts summed into the first part, which reports them.
fn merge_derived(parts: &mut [Part]) {
    let derived_ids = total(parts, |p| p.derived.derived_ids);
    let disagree = total(parts, |p| p.derived.disagree);
    let by_flags = total(parts, |p| p.derived.by_flags);
    let mut unknown = BTreeMap::new();
    for p in parts.iter_mut() {
        for (k, v) in std::mem::take(&mut p.derived.unknown_stages) {
            *unknown.entry(k).or_default() += v;
        }
        p.derived.derived_ids = 0;
    }
    for p in parts.iter_mut() {
        p.derived.disagree = 0;
        p.derived.by_flags = 0;
    }
    parts[0].derived.derived_ids = derived_ids;
    parts[0].derived.disagree = disagree;
    parts[0].derived.by_flags = by_flags;
    parts[0].derived.unknown_stages = unknown;
}

/// The preset's special handling, and a HubSpot wide export's `Date entered` columns.
fn special_of(preset: Option<&Preset>, headers: &[String]) -> (Special, Vec<Wide>) {
    let special = preset.map_or(Special::None, |p| p.special);
    let wide = if special == Special::HubspotWide {
        hubspot_columns(headers)
    } else {
        Vec::new()
    };
    (special, wide)
}

/// The builders of a HubSpot wide export's stage events (first part only).
type WideEvents = (
    StringChunkedBuilder,
    LabelBuilder,
    LabelBuilder,
    Builder,
    LabelBuilder,
);

/// Finish every part's columns with the file's date order and join them per field, in
/// `out_fields` order, then the extra columns that hold a value.
fn finish_parts(
    parts: Vec<Part>,
    mapping: &Mapping,
    out_fields: &[&'static str],
    has_wide: bool,
    order: DateOrder,
    file: &str,
    assumptions: &mut Vec<Text>,
) -> Result<(Vec<Column>, Option<WideEvents>)> {
    let mut by_field: BTreeMap<&str, Column> = BTreeMap::new();
    let mut extra_cols: Vec<Option<Column>> = vec![None; mapping.extras.len()];
    let mut wide_part = None;
    for (k, part) in parts.into_iter().enumerate() {
        let mut fields: BTreeMap<&str, Column> = BTreeMap::new();
        for (b, p) in part.cols.into_iter().zip(mapping.plans.iter()) {
            let (c, note) = b.finish(p.field, order, file, &p.header)?;
            if let (Some(n), 0) = (note, k) {
                assumptions.push(n);
            }
            fields.insert(p.field, c);
        }
        let mut scratch = Vec::new();
        part.derived.finish(
            &mut fields,
            order,
            file,
            if k == 0 { assumptions } else { &mut scratch },
        )?;
        for (f, c) in fields {
            append_column(by_field.entry(f), c)?;
        }
        for (i, (b, (_, name))) in part
            .extras
            .into_iter()
            .zip(mapping.extras.iter())
            .enumerate()
        {
            let (c, _) = b.finish(name, DateOrder::default(), file, name)?;
            match &mut extra_cols[i] {
                Some(acc) => {
                    acc.append(&c)?;
                }
                slot => *slot = Some(c),
            }
        }
        if k == 0 && has_wide {
            wide_part = Some((
                part.ev_deal,
                part.ev_pipe,
                part.ev_stage,
                part.ev_at,
                part.ev_owner,
            ));
        }
    }
    let mut columns: Vec<Column> = Vec::new();
    for f in out_fields {
        if let Some(c) = by_field.remove(f) {
            columns.push(c);
        }
    }
    for c in extra_cols.into_iter().flatten() {
        if c.null_count() < c.len() {
            columns.push(c);
        }
    }
    Ok((columns, wide_part))
}

/// `day-first (from the values)`, `month-first (config)`, or None when no date needed it.
fn date_order_words(order: DateOrder, ambiguous: bool) -> Option<String> {
    if !ambiguous {
        return None;
    }
    let (day, from) = match (order.config, order.file) {
        (Some(d), _) => (d, "set by flag or config"),
        (None, Some(d)) => (d, "from the values"),
        (None, None) => return None,
    };
    Some(format!(
        "{} ({from})",
        if day { "day-first" } else { "month-first" }
    ))
}

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

/// Headers equal without case and spaces to a planned field's own (single) column.
fn twin_columns(plans: &[Plan], headers: &[String]) -> Vec<Twin> {
    let key = |h: &str| -> String {
        h.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let mut out = Vec::new();
    for p in plans {
        let [used] = p.cols[..] else { continue };
        if p.by == "map" {
            continue;
        }
        let k = key(&headers[used]);
        if k.is_empty() {
            continue;
        }
        for (other, h) in headers.iter().enumerate() {
            if other != used && key(h) == k {
                out.push(Twin {
                    field: p.field,
                    used,
                    other,
                });
            }
        }
    }
    out
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

impl Part {
    fn new(cx: &Cx, cap: usize) -> Part {
        Part {
            cols: cx
                .plans
                .iter()
                .map(|p| Builder::new(p.field, p.kind, cap))
                .collect(),
            derived: {
                let mut d = Derived::new(cx.table, cx.mapping, cap);
                d.flags_win = cx.preset.is_some_and(|p| p.flags_win);
                d
            },
            extras: cx
                .mapping
                .extras
                .iter()
                .map(|(_, n)| Builder::new(n, Kind::Text, cap))
                .collect(),
            ev_deal: StringChunkedBuilder::new("deal_id".into(), 0),
            ev_pipe: LabelBuilder::new("pipeline", 0),
            ev_stage: LabelBuilder::new("stage", 0),
            ev_at: Builder::new("entered_at", Kind::DateTime, 0),
            ev_owner: LabelBuilder::new("owner", 0),
            rejects: Vec::new(),
            rejected_rows: 0,
            rows_in: 0,
            blank: 0,
            amb_symbols: 0,
            currency_unknown: 0,
            header_repeats: 0,
            date_sentinels: 0,
            date_outside: 0,
            nul_bytes: 0,
            twin_diffs: 0,
            first_twin_diff: None,
            footers: Vec::new(),
            vals_store: Vec::with_capacity(cx.plans.len()),
            flags: Vec::with_capacity(cx.plans.len()),
            row_rejects: Vec::new(),
        }
    }

    /// A record the reader could not decode.
    /// A line the scanner took out (a broken quote, a limit): rejected with its text.
    fn broken(&mut self, cx: &Cx, row: usize, b: &Broken) {
        self.rows_in += 1;
        self.rejected_rows += 1;
        self.rejects
            .push(Reject::new(cx.file, row, "", &b.text, &b.reason));
    }

    fn unreadable(&mut self, cx: &Cx, row: usize, e: &str) {
        self.rows_in += 1;
        self.rejected_rows += 1;
        self.rejects.push(Reject::new(
            cx.file,
            row,
            "",
            "",
            &format!("unreadable row: {e}"),
        ));
    }

    /// Parse one record (`row`: its row number) into the builders, or reject it.
    fn row<R: Cells>(&mut self, cx: &Cx, row: usize, rec: &R) {
        let (s, file, plans, width) = (cx.s, cx.file, cx.plans, cx.width);
        // Blank rows and footers (at most two filled cells) in one look at the cells.
        let filled = rec.cells().filter(|f| !f.trim().is_empty()).take(3).count();
        if filled == 0 {
            self.blank += 1;
            return;
        }
        if filled <= 2 {
            if let Some(f) = footer(rec) {
                self.footers.push(f);
                return;
            }
        }
        if rec.n_cells() == width && same_as_header(rec, cx.headers) {
            self.header_repeats += 1;
            return;
        }
        self.rows_in += 1;
        // Ragged rows: extra non-empty fields, or missing fields.
        if rec.n_cells() != width {
            let extra_empty =
                rec.n_cells() > width && rec.cells().skip(width).all(|f| f.trim().is_empty());
            let missing_unnamed =
                rec.n_cells() < width && cx.headers[rec.n_cells()..].iter().all(|h| h.is_empty());
            if !extra_empty && !missing_unnamed {
                let raw: Vec<&str> = rec.cells().collect();
                self.rejects.push(Reject::new(
                    file,
                    row,
                    "",
                    &raw.join(","),
                    &format!("row has {} fields, the header has {width}", rec.n_cells()),
                ));
                self.rejected_rows += 1;
                return;
            }
        }
        for (ti, t) in cx.twins.iter().enumerate() {
            let a = rec.cell(t.used).unwrap_or("").trim();
            let b = rec.cell(t.other).unwrap_or("").trim();
            if a != b {
                self.twin_diffs += 1;
                if self.first_twin_diff.is_none() {
                    self.first_twin_diff = Some((row, ti, a.to_string(), b.to_string()));
                }
            }
        }
        let null = |v: &str| s.is_null(v);
        let mut vals: Vec<Val<'_>> = recycle(std::mem::take(&mut self.vals_store));
        self.flags.clear();
        self.row_rejects.clear();
        for (pi, p) in plans.iter().enumerate() {
            let (v, pct) = parse_plan(
                p,
                rec,
                s,
                &null,
                self.cols[pi].evidence(),
                file,
                row,
                &mut self.row_rejects,
            );
            match pct.dropped {
                Some(date::Dropped::Sentinel) => self.date_sentinels += 1,
                Some(date::Dropped::Outside(_)) => self.date_outside += 1,
                None => {}
            }
            vals.push(v);
            self.flags.push(pct);
        }
        // HubSpot stage-entered cells of this row
        let mut events: Vec<(usize, date::DateCell)> = Vec::new();
        for (wi, w) in cx.wide.iter().enumerate() {
            let raw = rec.cell(w.col).unwrap_or("").trim();
            if null(raw) {
                continue;
            }
            let ev = self.ev_at.evidence().expect("date builder");
            match date::parse(raw, &s.date_ctx, ev) {
                Ok(c) if date::dropped(&c).is_some() => self.date_outside += 1,
                Ok(c) => events.push((wi, c)),
                Err(()) => self.row_rejects.push(Reject::new(
                    file,
                    row,
                    &cx.headers[w.col],
                    raw,
                    "not a date",
                )),
            }
        }
        // Approval filter (WukongCRM contracts / payments)
        if cx.special == Special::ApprovedOnly {
            if let Some(i) = plans.iter().position(|p| p.field == "approval") {
                if let Val::Text(t) = vals[i] {
                    if t != "通过" {
                        self.row_rejects.push(Reject::new(
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
        // A row with a value only in columns that are not read (a stray cell far to the right,
        // notes under the table) is no record: rejected, with what it held.
        if self.row_rejects.is_empty()
            && !plans.is_empty()
            && events.is_empty()
            && vals.iter().all(|v| matches!(v, Val::Null))
        {
            let held: Vec<&str> = rec
                .cells()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            self.row_rejects.push(Reject::new(
                file,
                row,
                "",
                &held.join(","),
                "no value in any column read (a stray cell or a note under the table?)",
            ));
        }
        if !self.row_rejects.is_empty() {
            self.rejected_rows += 1;
            self.rejects.append(&mut self.row_rejects);
            self.vals_store = recycle(vals);
            return;
        }
        for (pi, p) in plans.iter().enumerate() {
            let raw = p.cols.first().and_then(|&c| rec.cell(c)).unwrap_or("");
            self.cols[pi].push(&vals[pi], self.flags[pi].percent, raw);
        }
        let derived_id = self.derived.push_row(
            plans,
            &vals,
            &self.flags,
            rec,
            s,
            cx.preset,
            row,
            cx.pipelines,
            &mut self.amb_symbols,
            &mut self.currency_unknown,
        );
        for (ei, (h, _)) in cx.mapping.extras.iter().enumerate() {
            let raw = rec.cell(*h).unwrap_or("").trim();
            let v = if null(raw) {
                Val::Null
            } else {
                Val::Text(raw.trim_start_matches('\''))
            };
            self.extras[ei].push(&v, false, raw);
        }
        if !events.is_empty() {
            let id = derived_id.as_deref().or(match cx.ix_deal.map(|i| vals[i]) {
                Some(Val::Text(t)) => Some(t),
                _ => None,
            });
            for (wi, cell) in events {
                let w = &cx.wide[wi];
                self.ev_deal.append_value(id.unwrap_or(""));
                self.ev_pipe.append_value(&w.pipeline);
                self.ev_stage.append_value(&w.stage);
                self.ev_at.push(&Val::Date(cell), false, "");
                match cx.ix_owner.map(|i| vals[i]) {
                    Some(Val::Text(o)) => self.ev_owner.append_value(o),
                    _ => self.ev_owner.append_null(),
                }
            }
        }
        self.vals_store = recycle(vals);
    }
}

/// Bytes per part below which a file is read in one piece (`SALESCTL_PART_BYTES` overrides it,
/// for tests of the parallel reader on small files). 512 KiB: a 3 MB export of 20,000 deals
/// is already worth both cores (its funnel went from about 60 to 50 ms); big files are cut
/// into at most four parts per thread whatever this is.
const PART_BYTES: usize = 512 << 10;

/// A big UTF-8 delimited file: the rest of it (after the rows already read) split at record
/// boundaries and parsed in parallel, with the sha256 of the whole file computed beside.
/// None when the file is small, or not plain delimited UTF-8, or rows need numbering as they
/// are read (derived order ids, HubSpot stage columns): then the caller reads row by row.
fn parallel_parts(
    opened: &mut Opened,
    cx: &Cx,
    first: &Part,
    count: usize,
) -> Result<Option<Vec<Part>>> {
    let Some((delim, skip)) = opened.bulk else {
        return Ok(None);
    };
    let Some(pos) = opened.rows.csv_position() else {
        return Ok(None);
    };
    if !cx.wide.is_empty() || matches!(first.derived.id, Some((_, "order_id"))) {
        return Ok(None);
    }
    let part_bytes = std::env::var("SALESCTL_PART_BYTES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&v| v > 0)
        .unwrap_or(PART_BYTES);
    let start = skip + pos as usize;
    let len = (opened.size as usize).saturating_sub(start);
    let threads = rayon::current_num_threads().max(1);
    let n = (len / part_bytes).min(threads * 4);
    if n < 2 {
        return Ok(None);
    }
    let file = std::fs::File::open(&opened.path).map_err(|e| Error::io(&opened.path, e))?;
    // SAFETY: the map is read-only and lives while the parts are parsed; salesctl never writes
    // its inputs. A file changed by another process while it is read gives wrong rows, as a
    // streamed read would.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(&opened.path, e))?;
    if map.len() != opened.size as usize || start > map.len() {
        return Ok(None);
    }
    let data = &map[start..];
    let Some(bounds) = split_points(data, n, delim) else {
        return Ok(None);
    };
    // The file's pages are dropped from this process as each piece is read (they stay in the
    // page cache): a big export does not count twice in memory, as file and as columns.
    release(&map, 0, map.len());
    // The bar the streamed reader started moves on as each part is parsed (it stood at the
    // bytes read ahead before, then vanished: 5 of 8 seconds of a big ingest showed nothing).
    let progress = opened.progress.clone();
    if let Some(p) = &progress {
        p.set_position(start as u64);
        let path = opened.path.display();
        let msg = crate::tr!("{path} (parsing)", "{path}（解析中）");
        p.set_message(msg.get(crate::warn::lang()).to_string());
    }
    let (parts, sha) = rayon::join(
        || {
            use rayon::prelude::*;
            bounds
                .par_windows(2)
                .map(|w| {
                    let parsed = parse_slice(cx, &data[w[0]..w[1]], delim);
                    release(&map, start + w[0], start + w[1]);
                    if let Some(p) = &progress {
                        p.inc((w[1] - w[0]) as u64);
                    }
                    parsed
                })
                .collect::<Vec<_>>()
        },
        || {
            // No manifest is written when a command reads only some columns: no hash then.
            cx.s.only.is_none().then(|| {
                let mut h = Sha256::new();
                for (i, piece) in map.chunks(HASH_PIECE).enumerate() {
                    h.update(piece);
                    release(&map, i * HASH_PIECE, i * HASH_PIECE + piece.len());
                }
                h.finalize()
            })
        },
    );
    if let Some(sha) = sha {
        opened.set_sha256(&sha);
    }
    // Row numbers: each part's count after the records before it.
    let mut base = count;
    let mut out = Vec::with_capacity(parts.len());
    for (mut part, k) in parts {
        for r in &mut part.rejects {
            r.row += base;
        }
        if let Some(t) = &mut part.first_twin_diff {
            t.0 += base;
        }
        base += k;
        out.push(part);
    }
    Ok(Some(out))
}

/// Bytes hashed between two releases of the file's pages.
const HASH_PIECE: usize = 8 << 20;

/// Drop this process's mapping of `map[from..to]` (from rounded down to a page). The pages
/// stay in the page cache, and a later read of them maps the same file contents again.
fn release(map: &memmap2::Mmap, from: usize, to: usize) {
    #[cfg(unix)]
    {
        let start = from / 4096 * 4096;
        let to = to.min(map.len());
        if to > start {
            // SAFETY: the map is read-only and salesctl never writes its inputs: after
            // MADV_DONTNEED a read of these pages maps the same file contents again, so the
            // slices borrowed from the map keep their bytes. A failure (another page size)
            // only keeps the pages.
            let _ = unsafe {
                map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, to - start)
            };
        }
    }
    #[cfg(not(unix))]
    let _ = (map, from, to);
}

/// Parse one part of a big file: its records and how many there were.
fn parse_slice<'a>(cx: &Cx<'a>, slice: &[u8], delim: u8) -> (Part, usize) {
    let cap = slice.len() / 40 + 16;
    let mut part = Part::new(cx, cap);
    let mut k = 0usize;
    // NUL bytes are removed from text, as the streamed reader's scanner does, and counted. One
    // pass looks for quotes and NULs together: most parts hold neither, and plain_text's own
    // look for a quote then finds none at once.
    let quote_or_nul = memchr::memchr2(b'"', 0, slice).is_some();
    let nul = if quote_or_nul {
        memchr::memchr_iter(0, slice).count()
    } else {
        0
    };
    let stripped: Vec<u8>;
    let slice = if nul > 0 {
        part.nul_bytes += nul;
        stripped = slice.iter().copied().filter(|&b| b != 0).collect();
        &stripped[..]
    } else {
        slice
    };
    if let Some(text) = plain_text(slice, !quote_or_nul) {
        each_line(text, delim, cx.width, |line| {
            k += 1;
            part.row(cx, k, line);
        });
        return (part, k);
    }
    let mut rdr = super::read::csv_reader(delim, slice);
    let mut rec = StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {
                k += 1;
                part.row(cx, k, &rec);
            }
            Ok(false) => break,
            Err(e) => {
                k += 1;
                part.unreadable(cx, k, &super::read::csv_error(&e));
            }
        }
    }
    (part, k)
}

/// `str::trim`, with cells that start and end in a visible ASCII character (most) returned as
/// they are without a look at what Unicode calls whitespace.
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if (b'!'..=b'~').contains(&f) && (b'!'..=b'~').contains(&l) => s,
        _ => s.trim(),
    }
}

/// A part that the csv reader would cut exactly at newlines and delimiters: valid UTF-8, no
/// quote, and no carriage return except before a newline. None otherwise (the reader is used).
/// `quote_free`: the caller has already seen that it holds no quote.
fn plain_text(slice: &[u8], quote_free: bool) -> Option<&str> {
    if !quote_free && memchr::memchr(b'"', slice).is_some() {
        return None;
    }
    if memchr::memchr_iter(b'\r', slice).any(|i| slice.get(i + 1) != Some(&b'\n')) {
        return None;
    }
    std::str::from_utf8(slice).ok()
}

/// The records of a [`plain_text`] part: a record is a line, its cells split at the
/// delimiter, as the csv reader would cut them (an empty line is no record).
fn each_line<'a>(text: &'a str, delim: u8, width: usize, mut f: impl FnMut(&Line<'a>)) {
    let mut line = Line {
        cells: Vec::with_capacity(width + 1),
    };
    let b = text.as_bytes();
    // One pass for delimiters and newlines; both are ASCII, so every cut is a char boundary.
    let mut start = 0;
    let mut end_line = |line: &mut Line<'a>, start: usize, end: usize| {
        let end = if end > start && b[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        let last = text.get(start..end).unwrap_or("");
        if !(line.cells.is_empty() && last.is_empty()) {
            line.cells.push(last);
            f(line);
        }
        line.cells.clear();
    };
    for i in memchr::memchr2_iter(delim, b'\n', b) {
        if b[i] == delim {
            line.cells.push(text.get(start..i).unwrap_or(""));
        } else {
            end_line(&mut line, start, i);
        }
        start = i + 1;
    }
    if start < b.len() || !line.cells.is_empty() {
        end_line(&mut line, start, b.len());
    }
}

/// Offsets that cut `data` into about `n` parts at record boundaries: after a newline outside
/// quotes. None when a quote stands where a CSV writer would not put one (inside an unquoted
/// field), since quote parity then says nothing: the caller reads the file sequentially.
fn split_points(data: &[u8], n: usize, delim: u8) -> Option<Vec<usize>> {
    let len = data.len();
    let mut cuts = vec![0usize];
    let next_target = |k: usize| len * k / n;
    let mut k = 1;
    if memchr::memchr(b'"', data).is_none() {
        while k < n {
            let t = next_target(k).max(*cuts.last()?);
            match memchr::memchr(b'\n', &data[t..]) {
                Some(i) if t + i + 1 < len => {
                    if t + i + 1 > *cuts.last()? {
                        cuts.push(t + i + 1);
                    }
                }
                _ => break,
            }
            k += 1;
        }
    } else {
        let mut in_quote = false;
        for i in memchr::memchr2_iter(b'"', b'\n', data) {
            if data[i] == b'"' {
                if !in_quote {
                    let prev = if i == 0 { b'\n' } else { data[i - 1] };
                    // An opening quote starts a field (or follows the quote that closed a
                    // doubled pair, which the toggle has already handled).
                    if !(prev == delim || prev == b'\n' || prev == b'\r' || prev == b'"') {
                        return None;
                    }
                } else {
                    let next = data.get(i + 1).copied().unwrap_or(b'\n');
                    if !(next == delim || next == b'\n' || next == b'\r' || next == b'"') {
                        return None;
                    }
                }
                in_quote = !in_quote;
            } else if in_quote {
                // A quoted cell over lines: read streamed, where the scanner tells a multi-line
                // cell from a broken quote (src/load/csvscan.rs).
                return None;
            } else if k < n && i >= next_target(k) && i + 1 < len {
                cuts.push(i + 1);
                k += 1;
                while k < n && next_target(k) <= i {
                    k += 1;
                }
            }
        }
        if in_quote {
            return None;
        }
    }
    cuts.push(len);
    (cuts.len() > 2).then_some(cuts)
}

/// Join a part's column onto the columns gathered so far.
fn append_column(e: std::collections::btree_map::Entry<'_, &str, Column>, c: Column) -> Result<()> {
    match e {
        std::collections::btree_map::Entry::Occupied(mut o) => {
            o.get_mut().append(&c)?;
        }
        std::collections::btree_map::Entry::Vacant(v) => {
            v.insert(c);
        }
    }
    Ok(())
}

/// Parse one planned field of a row. Returns the value and, for numbers, the `%` and currency
/// symbol it carried.
#[allow(clippy::too_many_arguments)]
fn parse_plan<'r, R: Cells>(
    p: &Plan,
    rec: &'r R,
    s: &Settings,
    null: &dyn Fn(&str) -> bool,
    ev: Option<&mut date::OrderEvidence>,
    file: &str,
    row: usize,
    rejects: &mut Vec<Reject>,
) -> (Val<'r>, MoneyCell) {
    // Coalesced fields take the first non-empty column.
    // `NaN` is a null marker for text, but in a number column it is a value that is no number:
    // rejected with its reason, never read as empty.
    let numeric = matches!(p.kind, Kind::Money | Kind::Number | Kind::Fraction);
    let Some((col, raw)) = p
        .cols
        .iter()
        .map(|&c| (c, trim(rec.cell(c).unwrap_or(""))))
        .find(|(_, r)| !null(r) || (numeric && r.eq_ignore_ascii_case("nan")))
    else {
        return (Val::Null, MoneyCell::default());
    };
    let header = || {
        p.headers
            .get(p.cols.iter().position(|&c| c == col).unwrap_or(0))
            .cloned()
            .unwrap_or_default()
    };
    match p.kind {
        Kind::Text | Kind::Label | Kind::Period => (
            Val::Text(if raw.starts_with('\'') {
                raw.trim_start_matches('\'')
            } else {
                raw
            }),
            MoneyCell::default(),
        ),
        Kind::DateTime => {
            let mut scratch = date::OrderEvidence::default();
            match date::parse(raw, &s.date_ctx, ev.unwrap_or(&mut scratch)) {
                Ok(c) => match date::dropped(&c) {
                    None => (Val::Date(c), MoneyCell::default()),
                    Some(d) => {
                        if let (date::Dropped::Outside(y), false) = (d, p.soft) {
                            rejects.push(Reject::new(
                                file,
                                row,
                                &header(),
                                raw,
                                &format!(
                                    "year {y} is outside {}-{} (read as no date; see docs/reliability.md)",
                                    date::WINDOW.0,
                                    date::WINDOW.1
                                ),
                            ));
                        }
                        (
                            Val::Null,
                            MoneyCell {
                                dropped: Some(d),
                                ..MoneyCell::default()
                            },
                        )
                    }
                },
                Err(()) if date::is_zero_date(raw) => (
                    Val::Null,
                    MoneyCell {
                        dropped: Some(date::Dropped::Sentinel),
                        ..MoneyCell::default()
                    },
                ),
                Err(()) => {
                    if !p.soft {
                        rejects.push(Reject::new(
                            file,
                            row,
                            &header(),
                            raw,
                            "not a date (see docs/input-formats.md for the formats read)",
                        ));
                    }
                    (Val::Null, MoneyCell::default())
                }
            }
        }
        Kind::Money | Kind::Number | Kind::Fraction => match money::parse(raw, s.decimal_comma) {
            Some(a) => (
                Val::Num(a.value),
                MoneyCell {
                    percent: a.percent,
                    currency: a.currency,
                    ambiguous: a.ambiguous,
                    dropped: None,
                },
            ),
            None => {
                rejects.push(Reject::new(
                    file,
                    row,
                    &header(),
                    raw,
                    &money::why_not(raw, s.decimal_comma),
                ));
                (Val::Null, MoneyCell::default())
            }
        },
        Kind::Bool => match super::mapping::parse_bool(raw) {
            Some(b) => (Val::Bool(b), MoneyCell::default()),
            None => {
                if !p.soft {
                    rejects.push(Reject::new(file, row, &header(), raw, "not true/false"));
                }
                (Val::Null, MoneyCell::default())
            }
        },
    }
}

/// Keep only the planned fields (and extra columns) of a deals or stage-events export that the
/// command reads, plus what the loader itself needs: ids, stage and status (outcomes, unknown
/// stages), every date (the file's day/month order and the default as-of date are decided over
/// all of them), amount with currency, and the fields a derived deal id is made of. Other
/// tables are read whole.
/// Returns the names left out.
fn project(m: &mut Mapping, only: &[String]) -> Vec<String> {
    if !matches!(m.table, Table::Deals | Table::StageEvents) {
        return Vec::new();
    }
    let before: Vec<String> = m
        .plans
        .iter()
        .map(|p| p.field.to_string())
        .chain(m.extras.iter().map(|(_, n)| n.clone()))
        .collect();
    let derived_id = m.table == Table::Deals && !m.has("deal_id");
    let money = only.iter().any(|o| o == "amount" || o == "currency");
    m.plans.retain_mut(|p| {
        let f = p.field;
        let read = only.iter().any(|o| o == f)
            || (money && matches!(f, "amount" | "currency"))
            // a derived deal id is made of every mapped column: the same id in every command
            || derived_id;
        let own = p.kind == Kind::DateTime
            || matches!(
                f,
                "deal_id"
                    | "status"
                    | "stage"
                    | "active"
                    | "pipeline"
                    | "approval"
                    | "won_flag"
                    | "closed_flag"
                    | "semantic"
            );
        // A column kept for the loader's own use (the file's date order, the as-of date,
        // outcomes) never rejects a row the command would have read.
        p.soft = !read && (p.kind == Kind::DateTime || p.kind == Kind::Bool);
        read || own
    });
    m.extras.retain(|(_, n)| only.contains(n));
    before
        .into_iter()
        .filter(|f| !m.has(f) && !m.extras.iter().any(|(_, n)| n == f))
        .collect()
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

impl Ix {
    fn of(plans: &[Plan]) -> Ix {
        let f = |name: &str| plans.iter().position(|p| p.field == name);
        Ix {
            status: f("status"),
            stage: f("stage"),
            active: f("active"),
            pipeline: f("pipeline"),
            currency: f("currency"),
            amount: f("amount"),
            money: f("amount").or_else(|| f("spend")),
            close_date: f("close_date"),
            quantity: f("quantity"),
            order_id: f("order_id"),
            won_flag: f("won_flag"),
            closed_flag: f("closed_flag"),
            semantic: f("semantic"),
        }
    }
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
            status: deals.then(|| LabelBuilder::new("status", cap)),
            currency: (m.has("amount") || table == Table::Spend)
                .then(|| LabelBuilder::new("currency", cap)),
            id: id_field.map(|f| (StringChunkedBuilder::new(f.into(), cap), f)),
            closed: (split && !m.has("closed_at"))
                .then(|| Builder::new("closed_at", Kind::DateTime, cap)),
            expected: (split && !m.has("expected_close_at"))
                .then(|| Builder::new("expected_close_at", Kind::DateTime, cap)),
            cancelled: (table == Table::Orders).then(Vec::new),
            derived_ids: 0,
            ix: Ix::of(&m.plans),
            unknown_stages: BTreeMap::new(),
            memo: StatusMemo::default(),
            flags_win: false,
            disagree: 0,
            by_flags: 0,
        }
    }

    /// Fill the derived columns for one accepted row; returns the deal id it derived, if any.
    #[allow(clippy::too_many_arguments)]
    fn push_row<R: Cells>(
        &mut self,
        plans: &[Plan],
        vals: &[Val<'_>],
        money: &[MoneyCell],
        rec: &R,
        s: &Settings,
        preset: Option<&Preset>,
        row: usize,
        pipelines: &BTreeMap<String, Vec<String>>,
        amb_symbols: &mut usize,
        unknown_currency: &mut usize,
    ) -> Option<String> {
        let ix = &self.ix;
        let text = |i: Option<usize>| match i.map(|i| vals[i]) {
            Some(Val::Text(t)) => Some(t),
            _ => None,
        };
        let mut status = Status::Open;
        if let Some(b) = &mut self.status {
            let (status_text, stage, pipeline) =
                (text(ix.status), text(ix.stage), text(ix.pipeline));
            // A few distinct (status, stage, pipeline) triples make up a whole export: each is
            // looked up among the outcome labels and stage lists once.
            let (st, unknown) = self.memo.get(status_text, stage, pipeline, || {
                let from_col = status_text.and_then(|t| s.outcomes.parse_status(t));
                let stage_status = stage.map(|st| s.outcomes.status_of(st));
                let unknown = matches!((stage, stage_status), (Some(st), Some(Status::Open)) if !known_stage(pipelines, pipeline, st));
                (from_col.unwrap_or(stage_status.unwrap_or(Status::Open)), unknown)
            });
            status = st;
            // Boolean outcome columns (IsWon / IsClosed, CLOSED Y/N) and Bitrix24's semantic id.
            let flag = |i: Option<usize>| match i.map(|i| vals[i]) {
                Some(Val::Bool(b)) => Some(b),
                _ => None,
            };
            let semantic = text(ix.semantic).and_then(|t| match t.trim() {
                "S" | "s" => Some(Status::Won),
                "F" | "f" => Some(Status::Lost),
                "P" | "p" => Some(Status::Open),
                _ => None,
            });
            let from_flags = match (flag(ix.won_flag), flag(ix.closed_flag)) {
                (Some(true), _) => Some(Status::Won),
                (Some(false), Some(true)) | (None, Some(true)) => Some(Status::Lost),
                (_, Some(false)) => Some(Status::Open),
                (Some(false), None) => None,
                (None, None) => None,
            }
            .or(semantic);
            if let Some(fs) = from_flags {
                if status == Status::Open {
                    if fs != Status::Open {
                        self.by_flags += 1;
                    }
                    status = fs;
                } else if fs != status && !(status == Status::Invalid && fs == Status::Lost) {
                    self.disagree += 1;
                    if self.flags_win {
                        status = fs;
                    }
                }
            }
            if let Some(Val::Bool(false)) = ix.active.map(|i| vals[i]) {
                if status == Status::Open {
                    status = Status::Lost;
                }
            }
            if let (true, Some(st)) = (unknown, stage) {
                *self.unknown_stages.entry(st.to_string()).or_default() += 1;
            }
            b.append_value(status.as_str());
        }
        if let Some(b) = &mut self.currency {
            let col = text(ix.currency);
            let from_amount = ix
                .money
                .and_then(|i| money[i].currency.map(|c| (c, money[i].ambiguous)));
            let cur: Option<&str> = match (col, from_amount) {
                (Some(c), _) => {
                    let n = normalise_currency(c);
                    b.append_value(&n);
                    None
                }
                (None, Some((c, amb))) => {
                    if amb {
                        *amb_symbols += 1;
                        Some(s.currency.as_deref().unwrap_or(c))
                    } else {
                        Some(c)
                    }
                }
                (None, None) => {
                    let d = s
                        .currency
                        .as_deref()
                        .or_else(|| preset.and_then(|p| p.currency.as_deref()));
                    if d.is_none() {
                        if matches!(ix.amount.map(|i| vals[i]), Some(v) if !matches!(v, Val::Null))
                        {
                            *unknown_currency += 1;
                        }
                        b.append_null();
                    }
                    d
                }
            };
            if let Some(c) = cur {
                b.append_value(c);
            }
        }
        let mut derived = None;
        if let Some((b, f)) = &mut self.id {
            let id = if *f == "deal_id" {
                self.derived_ids += 1;
                // Every mapped column that says which deal it is, as parsed (the instant, not
                // the cell text, so a CSV and its XLSX twin derive the same id): two rows share
                // an id only when they are the same deal. What changes as the deal moves
                // (stage, status, amount, dates of close or change, owner) is left out, so
                // next month's export derives the same id and `diff` follows the deal.
                let parts: Vec<String> = plans
                    .iter()
                    .zip(vals)
                    .filter(|(p, _)| p.kind != Kind::Fraction && !DEAL_STATE.contains(&p.field))
                    .map(|(p, v)| match v {
                        Val::Text(t) => (*t).to_string(),
                        Val::Num(x) => format!("{x}"),
                        Val::Bool(b) => (*b as u8).to_string(),
                        Val::Date(date::DateCell::At(ms)) => date::ms_to_naive(*ms)
                            .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
                            .unwrap_or_default(),
                        Val::Date(_) => p
                            .cols
                            .first()
                            .and_then(|&c| rec.cell(c))
                            .unwrap_or("")
                            .trim()
                            .to_string(),
                        Val::Null => String::new(),
                    })
                    .collect();
                let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
                derive_id(&refs)
            } else {
                format!("R{row}")
            };
            b.append_value(&id);
            derived = Some(id);
        }
        let close = ix.close_date.map_or(Val::Null, |i| vals[i]);
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
            let neg_qty = matches!(ix.quantity.map(|i| vals[i]), Some(Val::Num(q)) if q < 0.0);
            let c_invoice = text(ix.order_id).is_some_and(|o| o.starts_with('C'));
            c.push(Some(neg_qty || c_invoice));
        }
        derived
    }

    fn finish(
        self,
        out: &mut BTreeMap<&'static str, Column>,
        order: DateOrder,
        file: &str,
        assumptions: &mut Vec<Text>,
    ) -> Result<()> {
        if let Some(b) = self.status {
            out.insert("status", b.finish()?);
        }
        if let Some(b) = self.currency {
            out.insert("currency", b.finish()?);
        }
        if let Some((b, f)) = self.id {
            if f == "deal_id" {
                let n = self.derived_ids;
                assumptions.push(crate::tr!(
                    "no deal id column: deal_id derived from every mapped column for {n} deals",
                    "没有商机 id 列：{n} 个商机的 deal_id 由所有已映射的列生成"
                ));
            } else {
                assumptions.push(crate::tr!(
                    "no order id column: order_id = R<row number>",
                    "没有订单 id 列：order_id = R<行号>"
                ));
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
        if self.disagree > 0 {
            let n = self.disagree;
            let (by, by_zh) = if self.flags_win {
                ("the flags", "以标记为准")
            } else {
                ("the label", "以标签为准")
            };
            assumptions.push(crate::tr!(
                "{n} deal(s): the outcome columns (won/closed flags) disagree with the stage label; {by} decided (docs/metrics.md, \"Outcomes\")",
                "{n} 个商机：结果列（赢单/关闭标记）与阶段标签不一致；{by_zh}（见 docs/metrics.md 的 \"Outcomes\"）"
            ));
        }
        if self.by_flags > 0 {
            let n = self.by_flags;
            assumptions.push(crate::tr!(
                "{n} deal(s) with an open stage label closed by their won/closed flag columns",
                "{n} 个阶段标签为进行中的商机按其赢单/关闭标记列关闭"
            ));
        }
        if !self.unknown_stages.is_empty() && self.table == Table::Deals {
            let list: Vec<String> = self
                .unknown_stages
                .iter()
                .map(|(k, v)| format!("{k:?} ({v})"))
                .collect();
            let list = list.join(", ");
            assumptions.push(crate::tr!(
                "stages not in the configured stage order: {list}",
                "不在配置的阶段顺序中的阶段：{list}"
            ));
        }
        Ok(())
    }
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

impl StatusMemo {
    const MAX: usize = 4096;

    fn get(
        &mut self,
        a: Option<&str>,
        b: Option<&str>,
        c: Option<&str>,
        f: impl FnOnce() -> (Status, bool),
    ) -> (Status, bool) {
        use std::hash::BuildHasher;
        let h = foldhash::fast::FixedState::with_seed(7).hash_one((a, b, c));
        let same =
            |k: &MemoKey| k[0].as_deref() == a && k[1].as_deref() == b && k[2].as_deref() == c;
        if let Some(v) = self
            .by_hash
            .get(&h)
            .and_then(|l| l.iter().find(|(k, _)| same(k)))
        {
            return v.1;
        }
        let v = f();
        if self.len < Self::MAX {
            self.len += 1;
            self.by_hash
                .entry(h)
                .or_default()
                .push(([a.map(Into::into), b.map(Into::into), c.map(Into::into)], v));
        }
        v
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

/// `usd` -> `USD`, `$` -> `USD`, `人民币` -> `CNY`, `US Dollar` -> `USD` (ISO codes, symbols and
/// the English names CRMs such as Dynamics 365 write).
fn normalise_currency(c: &str) -> String {
    let t = c.trim();
    let named = match super::synonyms::key(t).as_str() {
        "usdollar" | "usdollars" | "dollar" | "dollars" | "americandollar" => Some("USD"),
        "euro" | "euros" => Some("EUR"),
        "poundsterling" | "britishpound" | "pound" => Some("GBP"),
        "japaneseyen" | "yen" => Some("JPY"),
        "chineseyuan" | "yuan" | "yuanrenminbi" | "renminbi" => Some("CNY"),
        "canadiandollar" => Some("CAD"),
        "australiandollar" => Some("AUD"),
        "swissfranc" => Some("CHF"),
        "indianrupee" | "rupee" => Some("INR"),
        "mexicanpeso" => Some("MXN"),
        "colombianpeso" => Some("COP"),
        "peruviansol" | "sol" => Some("PEN"),
        "brazilianreal" | "real" => Some("BRL"),
        "russianruble" | "ruble" | "rouble" | "руб" | "рубль" => Some("RUB"),
        _ => None,
    };
    if let Some(n) = named {
        return n.into();
    }
    match t {
        "$" => "USD".into(),
        "¥" | "￥" | "人民币" | "元" | "RMB" | "rmb" => "CNY".into(),
        "€" => "EUR".into(),
        "£" => "GBP".into(),
        "₽" => "RUB".into(),
        other => other.to_uppercase(),
    }
}

/// A stable id from the given parts: `d` + 16 hex digits of their sha256.
pub(crate) fn derive_id(parts: &[&str]) -> String {
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
    fn quote_free_parts_split_as_the_csv_reader_cuts_them() {
        for (data, delim) in [
            (
                "a,b,c\r\n\r\nx,,ü 中\n\n1,2\n,,\n   \nlast,row,\u{3000}",
                b',',
            ),
            ("id;amount\n1;1.234,50 €\n2;\n\n", b';'),
            ("a\tb\n\tc\t\n", b'\t'),
            ("", b','),
            ("\n\n", b','),
        ] {
            let text = plain_text(data.as_bytes(), false).expect("plain");
            let mut fast: Vec<Vec<String>> = Vec::new();
            each_line(text, delim, 3, |l| {
                fast.push(l.cells.iter().map(|c| c.to_string()).collect())
            });
            let mut rdr = super::super::read::csv_reader(delim, data.as_bytes());
            let slow: Vec<Vec<String>> = rdr
                .records()
                .map(|r| r.unwrap().iter().map(str::to_string).collect())
                .collect();
            assert_eq!(fast, slow, "{data:?}");
        }
        // Quotes, a lone carriage return, or bytes that are not UTF-8: the csv reader is used.
        assert!(plain_text(b"a,\"b\"\n", false).is_none());
        assert!(plain_text(b"a\rb\n", false).is_none());
        assert!(plain_text(b"a\r", false).is_none());
        assert!(plain_text(b"a,\xff\n", false).is_none());
    }

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
