//! The stage order of a file's pipelines: the user's, the vendor's when the file's open stages
//! fit it, or one derived from the values (probabilities, the order of a stage history); HubSpot's
//! wide `Date entered` columns.

use super::*;

/// Do the open stage labels of the sampled rows fit the vendor's default stages? Err holds
/// the open labels that are in no default stage, when more than 5% of the rows carry one.
/// Ok holds the file's spelling of each vendor stage it uses, by key.
pub(super) fn vendor_stages_fit(
    p: &Preset,
    m: &Mapping,
    rows: &[StringRecord],
    s: &Settings,
) -> std::result::Result<Vec<(String, String)>, Vec<String>> {
    let Some(col) = m.col_of("stage") else {
        return Ok(Vec::new());
    };
    let mut spelling: Vec<(String, String)> = Vec::new();
    let norm = |l: &str| crate::load::synonyms::key(l);
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
pub(super) fn derive_order(
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
            crate::load::synonyms::key(h).as_str(),
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
pub(super) fn history_order(
    m: &Mapping,
    rows: &[StringRecord],
    s: &Settings,
) -> Option<(Vec<String>, Text)> {
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

/// This file's settings when its vendor or values add to them: the preset's outcome labels
/// join the built-in ones, and so do the null markers its date columns show (a word that
/// repeats where dates are). None when nothing is added.
pub(super) fn own_settings(
    s: &Settings,
    preset: Option<&Preset>,
    mapping: &Mapping,
) -> Option<Settings> {
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
pub(super) fn stage_lists(
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
                            let k = crate::load::synonyms::key(st);
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

/// The preset's special handling, and a HubSpot wide export's `Date entered` columns.
pub(super) fn special_of(preset: Option<&Preset>, headers: &[String]) -> (Special, Vec<Wide>) {
    let special = preset.map_or(Special::None, |p| p.special);
    let wide = if special == Special::HubspotWide {
        hubspot_columns(headers)
    } else {
        Vec::new()
    };
    (special, wide)
}

/// Is `stage` in the stage list of its pipeline (or of `default`)? True when no list is known.
pub(super) fn known_stage(
    lists: &BTreeMap<String, Vec<String>>,
    pipeline: Option<&str>,
    stage: &str,
) -> bool {
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

pub(super) fn hubspot_columns(headers: &[String]) -> Vec<Wide> {
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
