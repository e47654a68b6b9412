//! After the rows: the parts' counts summed into notes and warnings, twin columns checked, the
//! derived columns' counts merged, every part's columns finished and joined.

use super::*;

/// Refuse a file whose twin columns (see [`Twin`]) disagree on some row.
pub(super) fn twin_refusal(
    parts: &[Part],
    twins: &[Twin],
    headers: &[String],
    file: &str,
) -> Result<()> {
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
pub(super) fn part_notes(
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
pub(super) fn total(parts: &[Part], f: fn(&Part) -> usize) -> usize {
    parts.iter().map(f).sum()
}

/// The derived columns' counts summed into the first part, which reports them.
pub(super) fn merge_derived(parts: &mut [Part]) {
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

/// Finish every part's columns with the file's date order and join them per field, in
/// `out_fields` order, then the extra columns that hold a value.
pub(super) fn finish_parts(
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
pub(super) fn date_order_words(order: DateOrder, ambiguous: bool) -> Option<String> {
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

/// Headers equal without case and spaces to a planned field's own (single) column.
pub(super) fn twin_columns(plans: &[Plan], headers: &[String]) -> Vec<Twin> {
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

/// Join a part's column onto the columns gathered so far.
pub(super) fn append_column(
    e: std::collections::btree_map::Entry<'_, &str, Column>,
    c: Column,
) -> Result<()> {
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
