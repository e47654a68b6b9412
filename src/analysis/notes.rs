//! Notes every analysis command shares: the as-of, the period and the field it applies to;
//! the period checked against the data; the warning about lost deals at an unknown stage.

use super::*;

/// A period that starts after the as-of date holds no row of the data: an empty table with
/// exit 0 would read as "nothing happened". Refused (exit 3) naming the as-of and its basis.
pub(crate) fn period_in_data(p: Option<Period>, ds: &Dataset) -> Result<Option<Period>> {
    if let Some(p) = &p {
        if p.start > ds.as_of {
            let basis_zh = crate::output::labels::as_of_basis(
                &ds.manifest.as_of_basis,
                crate::text::Lang::ZhCn,
            );
            return Err(Error::input(Text::new(
                format!(
                    "period {} starts on {}, after the as-of date {} ({}): no row of the data can fall in it; \
                     pick a period up to {} (--period, --from/--to) or set --as-of",
                    p.label, p.start, ds.as_of, ds.manifest.as_of_basis, ds.as_of
                ),
                format!(
                    "期间 {} 从 {} 开始，晚于截至日期 {}（{}）：数据中没有任何行能落在其中；\
                     请选择不晚于 {} 的期间（--period、--from/--to）或设置 --as-of",
                    p.label, p.start, ds.as_of, basis_zh, ds.as_of
                ),
            )));
        }
    }
    Ok(p)
}

/// Notes every analysis prints: as-of and its basis, the period and the date field it filters.
pub(crate) fn base_notes(ds: &Dataset, period: Option<&Period>, field: &str) -> Vec<Note> {
    base_notes_text(ds, period, &Text::from(field))
}

/// [`base_notes`] with the date field described in both languages (`closed_at (won, lost...)`).
pub(crate) fn base_notes_text(ds: &Dataset, period: Option<&Period>, field: &Text) -> Vec<Note> {
    let field_zh = field.get(crate::text::Lang::ZhCn);
    let field = field.en.as_str();
    let mut n = vec![Note::new(
        format!("as of {} ({})", ds.as_of, ds.manifest.as_of_basis),
        format!(
            "截至 {}（{}）",
            ds.as_of,
            crate::output::labels::as_of_basis(&ds.manifest.as_of_basis, crate::text::Lang::ZhCn)
        ),
    )];
    if let Some(p) = period {
        crate::meta::set_period(crate::meta::PeriodMeta {
            label: p.label.clone(),
            start: p.start.to_string(),
            end: p.end.to_string(),
            field: field.to_string(),
        });
    }
    match period {
        Some(p) => n.push(Note::new(
            format!("period {}: [{}, {}) on {field}", p.label, p.start, p.end),
            format!(
                "期间 {}：[{}, {})，按 {field_zh} 筛选",
                p.label, p.start, p.end
            ),
        )),
        None => n.push(Note::new(
            "no period given: all rows",
            "未指定期间：全部数据",
        )),
    }
    n.extend(ds.manifest.notes.iter().map(Note::from));
    let rejected: usize = ds.manifest.sources.iter().map(|s| s.rejected_rows).sum();
    if rejected > 0 {
        n.push(match &ds.settings.rejects_to {
            Some(p) => Note::warning(
                format!(
                    "{rejected} input row(s) rejected and left out of every number (written to {})",
                    p.display()
                ),
                format!(
                    "{rejected} 行输入被拒绝，未计入任何数字（已写入 {}）",
                    p.display()
                ),
            ),
            None => Note::warning(
                format!(
                    "{rejected} input row(s) rejected and left out of every number (write them with --rejects FILE)"
                ),
                format!("{rejected} 行输入被拒绝，未计入任何数字（用 --rejects FILE 导出）"),
            ),
        });
    }
    n
}

/// The warning for lost deals counted at the first stage only (the stage they were lost at
/// unknown), which makes the later stages' win probabilities, and so the weighted pipeline,
/// read high.
pub(crate) fn lost_at_unknown_stage_warning(n: u64) -> Note {
    Note::warning(
        format!(
            "{n} lost deal(s) have no stage they were lost at (no open stage in their history, none in the stage column): counted as lost at the first stage only, so the win probabilities of later stages (and the weighted pipeline) leave them out and may be too high; \
             the deals' stage history (a stage-history export, or the `Date entered` columns) places them"
        ),
        format!(
            "{n} 个输单商机没有输单阶段（历史中没有进行中阶段，阶段列也没有）：只计为在第一阶段输单，之后各阶段的赢单概率（及加权管道）不含它们，可能偏高；\
             提供商机的阶段历史（阶段历史导出，或 `Date entered` 列）即可定位"
        ),
    )
}
