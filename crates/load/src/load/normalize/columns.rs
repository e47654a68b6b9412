//! Which columns a file gives: fields refused by the values check (a warning, or a refusal when
//! the command reads them), null markers and twin columns named, the mapping cut to the fields the
//! command reads, the output order.

use super::*;

/// Columns the values check refused for a field: a warning each, and a refusal when the
/// command reads that field and no other column gives it.
pub(super) fn refused_columns(
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
pub(super) fn marker_warnings(mapping: &Mapping, file: &str) -> Vec<Text> {
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
pub(super) fn twin_warnings(twins: &[Twin], headers: &[String], file: &str) -> Vec<Text> {
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

/// Keep only the planned fields (and extra columns) of a deals or stage-events export that the
/// command reads, plus what the loader itself needs: ids, stage and status (outcomes, unknown
/// stages), every date (the file's day/month order and the default as-of date are decided over
/// all of them), amount with currency, and the fields a derived deal id is made of. Other
/// tables are read whole.
/// Returns the names left out.
pub(super) fn project(m: &mut Mapping, only: &[String]) -> Vec<String> {
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
pub(super) fn output_fields(table: Table, m: &Mapping) -> Vec<&'static str> {
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
