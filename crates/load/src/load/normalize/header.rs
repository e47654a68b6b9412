//! The header of an export: the first rows read ahead, title rows above the header skipped, a
//! file without a header named from its values, footers and blank rows told apart.

use super::*;

pub(super) fn is_blank(rec: &StringRecord) -> bool {
    rec.iter().all(|f| f.trim().is_empty())
}

pub(super) fn footer<R: Cells>(rec: &R) -> Option<String> {
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

/// Read rows into `head` until it holds `len` non-blank rows or the file ends.
pub(super) fn read_ahead(
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

/// A data row that repeats the header (exports concatenated with their headers).
pub(super) fn same_as_header<R: Cells>(rec: &R, headers: &[String]) -> bool {
    rec.n_cells() == headers.len()
        && !headers.is_empty()
        && rec.cell(0).map(str::trim) == Some(headers[0].as_str())
        && rec.cells().zip(headers).all(|(c, h)| c.trim() == h)
}

/// A first row typed like the rows under it (dates, numbers where they hold dates, numbers) is
/// data, not a header. Ok(None): a header. Ok(Some(names)): no header, and the values name the
/// columns (see [`names_from_values`]). Err: no header and the values do not say enough:
/// refused with the `--no-header --columns` line to use.
pub(super) fn headerless_check(
    headers: &[String],
    sample: &Sample,
    s: &Settings,
    file: &str,
) -> Result<Option<Vec<String>>> {
    use crate::load::mapping::parse_bool;
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
        let k = crate::load::synonyms::key(h);
        !k.is_empty()
            && s.outcomes.status_of(h) == Status::Open
            && crate::model::Table::ALL.iter().any(|t| {
                crate::load::synonyms::for_table(*t)
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
pub(super) fn names_from_values(
    first: &[String],
    rows: &[StringRecord],
    s: &Settings,
) -> Option<Vec<String>> {
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

/// Read the first rows and find the header in them. `reader` is the record buffer and the
/// count of rows read, shared with the rest of the read.
pub(super) fn find_header(
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
