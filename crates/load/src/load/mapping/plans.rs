//! Plans for the fields: `--map` first, then the synonym lists; required fields checked, extra
//! columns kept, and a missing field refused with the closest header.

use super::*;

/// `--map FIELD=HEADER`: the field and the column, or a refusal naming the fields of the
/// table or the closest header.
pub(super) fn user_map(
    table: Table,
    (field, header): (&str, &str),
    find_header: &dyn Fn(&str) -> Option<usize>,
    file: &str,
    headers: &[String],
) -> Result<(&'static str, usize)> {
    let Some(f) = static_field(table, field) else {
        let names: Vec<&str> = table.fields().iter().map(|f| f.name).collect();
        let hint = closest(field, names.iter().copied());
        let (hint, hint_zh) = match hint {
            Some(c) => (
                format!(" (did you mean `{c}`?)"),
                format!("（是否想用 `{c}`？）"),
            ),
            None => (String::new(), String::new()),
        };
        let names = names.join(", ");
        return Err(Error::usage(crate::tr!(
            "--map {field}={header}: `{field}` is not a field of {table}{hint}; fields: {names}",
            "--map {field}={header}：`{field}` 不是 {table} 的字段{hint_zh}；字段有：{names}"
        )));
    };
    let Some(col) = find_header(header) else {
        return Err(missing(
            file,
            f,
            &crate::tr!("--map {field}={header}", "--map {field}={header}"),
            header,
            headers,
        ));
    };
    Ok((f, col))
}

/// Fields still unmapped, from the header synonyms in priority order: each synonym matched on
/// a header's key, then on its compound form (`StageName__c`, `Owner.Name`, `Deal - Title`);
/// coalesced fields take every match, the others the first.
pub(super) fn synonym_plans(
    check: &mut Check,
    (keys, alts): (&[String], &[Option<String>]),
    used: &mut [bool],
    plans: &mut Vec<Plan>,
) {
    for (field, syns) in synonyms::for_table(check.table) {
        if plans.iter().any(|x| x.field == *field) {
            continue;
        }
        let mut cols = Vec::new();
        // Each synonym in priority order, matched on the header's key, then on its compound
        // form (`StageName__c`, `Owner.Name`, `Deal - Title`).
        for syn in *syns {
            for pass in 0..2 {
                for c in 0..keys.len() {
                    let hit = if pass == 0 {
                        keys[c] == *syn
                    } else {
                        alts[c].as_deref() == Some(*syn)
                    };
                    if hit && !used[c] && !cols.contains(&c) && check.accept(field, c) {
                        cols.push(c);
                    }
                }
                if !cols.is_empty() {
                    break;
                }
            }
            if !cols.is_empty() && !COALESCE.contains(field) {
                break;
            }
        }
        if cols.is_empty() {
            continue;
        }
        if !COALESCE.contains(field) {
            cols.truncate(1);
        }
        for &c in &cols {
            used[c] = true;
        }
        let hs: Vec<String> = cols.iter().map(|&c| check.headers[c].clone()).collect();
        plans.push(Plan {
            field,
            kind: kind_of(check.table, field),
            header: hs.join(" | "),
            headers: if hs.len() > 1 { hs } else { vec![] },
            cols,
            by: "synonym",
            soft: false,
        });
    }
}

/// Refuse a table whose required fields (one of each list) are not all mapped.
pub(super) fn require_fields(
    table: Table,
    plans: &[Plan],
    preset: Option<&Preset>,
    file: &str,
    headers: &[String],
) -> Result<()> {
    for alts in table.required() {
        if !alts.iter().any(|f| plans.iter().any(|p| p.field == *f)) {
            let ticked: Vec<String> = alts.iter().map(|a| format!("`{a}`")).collect();
            let layout = preset.map_or("generic", |p| p.name.as_str());
            let (en, zh) = (ticked.join(" or "), ticked.join(" 或 "));
            let why = Text::new(
                format!("{table} need {en}; layout {layout}"),
                format!("{table} 需要 {zh}；格式 {layout}"),
            );
            return Err(missing(file, alts[0], &why, alts[0], headers));
        }
    }
    Ok(())
}

/// Every unused column as an extra, named in snake_case (HubSpot's stage-time columns left out).
pub(super) fn extra_columns(
    table: Table,
    headers: &[String],
    used: &[bool],
) -> Vec<(usize, String)> {
    let mut extras = Vec::new();
    let mut taken: Vec<String> = table.fields().iter().map(|f| f.name.to_string()).collect();
    for (c, h) in headers.iter().enumerate() {
        if used[c] || is_stage_time_column(h) {
            continue;
        }
        let mut name = if h.trim().is_empty() {
            format!("column_{}", c + 1)
        } else {
            snake_case(h)
        };
        while taken.contains(&name) {
            name.push_str("_2");
        }
        taken.push(name.clone());
        extras.push((c, name));
    }
    extras
}

pub(super) fn is_stage_time_column(h: &str) -> bool {
    [
        "Date entered ",
        "Date exited ",
        "Latest time in ",
        "Cumulative time in ",
        "Time in ",
    ]
    .iter()
    .any(|p| h.starts_with(p))
}

pub(super) fn missing(
    file: &str,
    field: &str,
    why: &Text,
    wanted: &str,
    headers: &[String],
) -> Error {
    let hint = closest(wanted, headers.iter().map(String::as_str))
        .map(|c| {
            crate::tr!(
                "; closest: {c:?} (use --map {field}={c:?})",
                "；最接近的：{c:?}（用 --map {field}={c:?}）"
            )
        })
        .unwrap_or_else(|| {
            crate::tr!("; use --map {field}=HEADER", "；用 --map {field}=表头 指定")
        });
    Error::MissingColumn(Box::new(crate::error::MissingColumn {
        file: file.into(),
        field: field.into(),
        why: why.clone(),
        found: headers
            .iter()
            .map(|h| format!("{h:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        hint,
    }))
}
