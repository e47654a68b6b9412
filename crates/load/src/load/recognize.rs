//! Which layout a file is: every preset scored on its headers *and* its values, the best taken
//! when it clearly wins, a refusal (exit 3) when two layouts that would read the file
//! differently come close. docs/input-formats.md states the rule.
//!
//! Score of a preset = signature headers found x their share of the signature (at most 12
//! counted), minus 1.5 per header that contradicts the layout, plus 0.25 per mapped column whose
//! values read as its type, minus 0.5 per column the preset names whose values do not, and the
//! table's own evidence: a history must repeat its ids (ids unique on every row zero it), a
//! deals table must not repeat most of them. The generic synonyms score a flat 1.5, so a preset
//! is used only on real evidence.

use super::Settings;
use super::mapping::{Mapping, Sample, resolve};
use super::preset::{self, Preset, Special};
use super::synonyms::key;
use crate::error::{Error, Result};
use crate::model::Table;
use crate::text::Lang;
use crate::text::Text;

/// One layout considered for a file.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) preset: Option<&'static Preset>,
    pub(crate) score: f64,
    /// What spoke for and against it, in words.
    pub(crate) evidence: Vec<Text>,
    pub(crate) mapping: Option<Mapping>,
}

impl Candidate {
    pub(crate) fn name(&self) -> &str {
        self.preset.map_or("generic", |p| p.name.as_str())
    }

    /// The evidence in one line, in English.
    pub(crate) fn evidence_en(&self) -> String {
        joined(&self.evidence).0
    }
}

/// Evidence lines in one line: (English, Chinese).
fn joined(v: &[Text]) -> (String, String) {
    let en = v
        .iter()
        .map(|t| t.en.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let zh = v
        .iter()
        .map(|t| t.get(Lang::ZhCn))
        .collect::<Vec<_>>()
        .join("；");
    (en, zh)
}

/// The outcome for one file.
pub(crate) struct Recognition {
    pub(crate) preset: Option<&'static Preset>,
    pub(crate) mapping: Mapping,
    /// One line: the layout and why, in both languages.
    pub(crate) why: Text,
    /// Every candidate, best first (for `show --explain`).
    pub(crate) candidates: Vec<Candidate>,
}

/// The flat score of reading a file with the generic synonyms.
pub(crate) const GENERIC_SCORE: f64 = 1.5;
/// A runner-up within this share of the best, reading the file differently, is a refusal.
pub(crate) const CLOSE: f64 = 0.8;

/// Fields whose source column decides what a command computes (compared between candidates).
const DECISIVE: &[&str] = &[
    "deal_id",
    "stage",
    "status",
    "amount",
    "owner",
    "created_at",
    "closed_at",
    "close_date",
    "expected_close_at",
    "entered_at",
    "won_flag",
    "closed_flag",
    "ordered_at",
    "customer_id",
];

/// Score every layout and choose.
pub(crate) fn recognize(
    headers: &[String],
    sample: &Sample,
    s: &Settings,
    file: &str,
) -> Result<Recognition> {
    let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
    if let Some(r) = forced(headers, sample, s, file)? {
        return Ok(r);
    }
    let mut cands: Vec<Candidate> = Vec::new();
    let wide = preset::hubspot_wide(headers);
    for p in preset::presets() {
        cands.extend(preset_candidate(p, (headers, &keys, wide), s, file, sample));
    }
    // The generic synonyms: always a candidate, at a flat score.
    let mut gen_evidence = vec![crate::tr!("generic header synonyms", "通用表头同义词")];
    let (generic_map, generic_err) = match resolve(headers, None, s, file, sample) {
        Ok(m) => {
            let mut scratch = Vec::new();
            if values_evidence(m.table, None, &m, sample, &mut scratch) < -1.0 {
                gen_evidence.extend(scratch);
            }
            (Some(m), None)
        }
        Err(e) => (None, Some(e)),
    };
    cands.push(Candidate {
        preset: None,
        score: if generic_map.is_some() {
            GENERIC_SCORE
        } else {
            0.0
        },
        evidence: gen_evidence,
        mapping: generic_map,
    });
    cands.sort_by(|a, b| b.score.total_cmp(&a.score));
    let best_i = cands.iter().position(|c| c.mapping.is_some());
    let Some(best_i) = best_i else {
        // Nothing can read the file: the generic error says which column is missing.
        return Err(
            generic_err.unwrap_or_else(|| Error::Internal("no layout can read the file".into()))
        );
    };
    let best = cands[best_i].clone();
    let runner = cands
        .iter()
        .enumerate()
        .filter(|(i, c)| *i != best_i && c.mapping.is_some())
        .map(|(_, c)| c)
        .next()
        .cloned();
    let mapping = best
        .mapping
        .clone()
        .ok_or_else(|| Error::Internal("the chosen layout has no mapping".into()))?;
    if let Some(r) = &runner {
        if best.score > 0.0 && r.score >= CLOSE * best.score {
            if let Some(diff) = disagreement(&mapping, r.mapping.as_ref(), s) {
                let (bn, bs, rn, rs) = (best.name(), best.score, r.name(), r.score);
                let (bev, bev_zh) = joined(&best.evidence);
                let (rev, rev_zh) = joined(&r.evidence);
                let (diff, diff_zh) = (&diff.en, diff.get(Lang::ZhCn));
                return Err(Error::input(crate::tr!(
                    "{file}: layout unclear: {bn} (score {bs:.1}: {bev}) and {rn} (score {rs:.1}: {rev}) both fit, and they read it differently ({diff}); \
                     force one with --preset {bn} (or `preset = \"{bn}\"` in salesctl.toml), or map the field with --map",
                    "{file}：格式不明确：{bn}（得分 {bs:.1}：{bev_zh}）和 {rn}（得分 {rs:.1}：{rev_zh}）都适用，且读取方式不同（{diff_zh}）；\
                     用 --preset {bn} 指定其一（或在 salesctl.toml 中设置 `preset = \"{bn}\"`），或用 --map 映射该字段"
                )));
            }
        }
    }
    let (mut why, mut why_zh) = joined(&best.evidence);
    if let Some(r) = &runner {
        if r.score >= 0.5 * best.score && r.score > 0.0 {
            let (rn, rs, bs) = (r.name(), r.score, best.score);
            why.push_str(&format!("; runner-up {rn} {rs:.1} vs {bs:.1}"));
            why_zh.push_str(&format!("；次优：{rn} {rs:.1} 对 {bs:.1}"));
        }
    }
    Ok(Recognition {
        preset: best.preset,
        mapping,
        why: Text::new(why, why_zh),
        candidates: cands,
    })
}

/// The layout `--preset` (or the config's `preset`) forces: `generic` or a named preset;
/// None for `auto` or none.
fn forced(
    headers: &[String],
    sample: &Sample,
    s: &Settings,
    file: &str,
) -> Result<Option<Recognition>> {
    match s.preset.as_deref() {
        None | Some("auto") => Ok(None),
        Some("generic") => {
            let mapping = resolve(headers, None, s, file, sample)?;
            Ok(Some(Recognition {
                preset: None,
                mapping,
                why: crate::tr!("forced with --preset generic", "由 --preset generic 指定"),
                candidates: vec![],
            }))
        }
        Some(name) => {
            let p = preset::by_name(name).ok_or_else(|| {
                let known = preset::names().join(", ");
                Error::usage(crate::tr!(
                    "--preset {name:?}: unknown preset; known: {known}",
                    "--preset {name:?}：未知预设；已知预设：{known}"
                ))
            })?;
            let mapping = resolve(headers, Some(p), s, file, sample)?;
            Ok(Some(Recognition {
                preset: Some(p),
                mapping,
                why: crate::tr!("forced with --preset", "由 --preset 指定"),
                candidates: vec![],
            }))
        }
    }
}

/// Preset `p` as a candidate for this header: scored by its signature headers found (and
/// HubSpot's `Date entered` columns), less those that contradict it, plus the values evidence
/// of its mapping. None with fewer than two signature headers.
fn preset_candidate(
    p: &'static Preset,
    (headers, keys, wide): (&[String], &[String], bool),
    s: &Settings,
    file: &str,
    sample: &Sample,
) -> Option<Candidate> {
    let hits = preset::signature_hits(p, headers, keys);
    let mut n = hits.len() as f64;
    if p.special == Special::HubspotWide && wide {
        n += 2.0;
    }
    if n < 2.0 {
        return None;
    }
    let share = (n / (p.signature.len().min(12) as f64)).min(1.0);
    let mut score = n * share;
    let n_hits = hits.len();
    let listed = hits.iter().take(6).cloned().collect::<Vec<_>>().join(", ");
    let more = if hits.len() > 6 { ", ..." } else { "" };
    let (wide_en, wide_zh) = if p.special == Special::HubspotWide && wide {
        (" and `Date entered` columns", "，以及 `Date entered` 列")
    } else {
        ("", "")
    };
    let mut evidence = vec![crate::tr!(
        "{n_hits} of its signature headers ({listed}{more}){wide_en}",
        "有 {n_hits} 个它的特征表头（{listed}{more}）{wide_zh}"
    )];
    let contra = preset::contra_hits(p, headers, keys);
    if !contra.is_empty() {
        score -= 1.5 * contra.len() as f64;
        let contra = contra.join(", ");
        evidence.push(crate::tr!(
            "contradicted by {contra}",
            "与之矛盾的表头：{contra}"
        ));
    }
    let eligible = hits.len() >= 3 && share >= 0.5;
    let mut mapping = None;
    if eligible {
        match resolve(headers, Some(p), s, file, sample) {
            Ok(m) => {
                score += values_evidence(p.table, Some(p), &m, sample, &mut evidence);
                mapping = Some(m);
            }
            Err(e) => {
                score = score.min(0.0);
                let why = short(&e.to_string(), "; columns found");
                let why_zh = short(&e.text(Lang::ZhCn), "；找到的列");
                evidence.push(crate::tr!("cannot read it: {why}", "无法读取：{why_zh}"));
            }
        }
    } else {
        evidence.push(crate::tr!(
            "too few of its headers to be used",
            "它的表头太少，不予采用"
        ));
        score = score.min(GENERIC_SCORE * 0.5);
    }
    Some(Candidate {
        preset: Some(p),
        score,
        evidence,
        mapping,
    })
}

/// The first clause of an error message (up to `cut`, the list of columns), for evidence lines.
fn short(msg: &str, cut: &str) -> String {
    let m = msg.split(cut).next().unwrap_or(msg);
    m.chars().take(120).collect()
}

/// What a candidate's mapping and the file's values say about it: typed columns that read,
/// named columns that do not, and whether the rows look like the table it claims.
fn values_evidence(
    table: Table,
    preset: Option<&Preset>,
    m: &Mapping,
    sample: &Sample,
    evidence: &mut Vec<Text>,
) -> f64 {
    let mut score = 0.25 * m.checked as f64;
    if m.checked > 0 {
        let n = m.checked;
        evidence.push(crate::tr!(
            "{n} typed column(s) read as their type",
            "{n} 个有类型的列按其类型读取"
        ));
    }
    let named_refused: Vec<Text> = m
        .refused
        .iter()
        .filter(|(f, h, _)| {
            preset.is_some_and(|p| p.map.iter().any(|(pf, ph)| pf == f && *ph == key(h)))
        })
        .map(|(f, h, t)| {
            let (why, why_zh) = (&t.en, t.get(Lang::ZhCn));
            crate::tr!(
                "`{h}` is not its {f} ({why})",
                "`{h}` 不是它的 {f}（{why_zh}）"
            )
        })
        .collect();
    if !named_refused.is_empty() {
        score -= 0.5 * named_refused.len() as f64;
        evidence.extend(named_refused);
    }
    if let Some(id) = m.plans.iter().find(|p| p.field == "deal_id") {
        if let Some(&col) = id.cols.first() {
            let (distinct, n) = sample.distinct_share(col);
            if n >= 5 {
                match table {
                    Table::StageEvents if distinct >= 0.999 => {
                        score -= 10.0;
                        evidence.push(crate::tr!(
                            "`{}` is unique on every row: one row per deal, not a history",
                            "`{}` 在每一行都不重复：每个商机一行，不是历史记录",
                            id.header
                        ));
                    }
                    Table::StageEvents => {
                        score += 1.0;
                        let per = 1.0 / distinct.max(1e-9);
                        evidence.push(crate::tr!(
                            "`{}` repeats ({per:.1} rows per deal): a history",
                            "`{}` 有重复（每个商机 {per:.1} 行）：是历史记录",
                            id.header
                        ));
                    }
                    Table::Deals if distinct < 0.5 => {
                        score -= 3.0;
                        let per = 1.0 / distinct.max(1e-9);
                        evidence.push(crate::tr!(
                            "`{}` repeats ({per:.1} rows per id): not one row per deal",
                            "`{}` 有重复（每个 id {per:.1} 行）：不是每个商机一行",
                            id.header
                        ));
                    }
                    Table::Deals if distinct >= 0.999 => {
                        score += 0.5;
                        evidence.push(crate::tr!(
                            "`{}` unique on every row",
                            "`{}` 在每一行都不重复",
                            id.header
                        ));
                    }
                    _ => {}
                }
            }
        }
    }
    score
}

/// How two mappings read the file differently, if they do: another table, or a decisive field
/// taken from another column.
fn disagreement(a: &Mapping, b: Option<&Mapping>, s: &Settings) -> Option<Text> {
    let b = b?;
    if a.table != b.table {
        return Some(crate::tr!(
            "as {} or as {}",
            "读作 {} 还是读作 {}",
            a.table,
            b.table
        ));
    }
    let only = s.only.as_ref().and_then(|o| o.get(&a.table));
    for f in DECISIVE {
        if only.is_some_and(|o| !o.iter().any(|x| x == f))
            && !matches!(*f, "deal_id" | "stage" | "status")
        {
            continue;
        }
        let pa = a.plans.iter().find(|p| p.field == *f);
        let pb = b.plans.iter().find(|p| p.field == *f);
        if let (Some(pa), Some(pb)) = (pa, pb) {
            if pa.cols != pb.cols {
                return Some(crate::tr!(
                    "{f} from `{}` or from `{}`",
                    "{f} 取自 `{}` 还是取自 `{}`",
                    pa.header,
                    pb.header
                ));
            }
        }
    }
    None
}
