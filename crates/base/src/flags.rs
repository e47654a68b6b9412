//! Parsers of flag values users type: `check --rule`, `--map FIELD=HEADER` (with its
//! `GLOB::` form). Std and `crate::text` only: fuzz/ runs these very functions (targets
//! `flag_rule`, `flag_map`).

use crate::model::kpi;
use crate::text::Text;

pub const STAGE_KPIS: &[&str] = &[
    kpi::REACHED,
    kpi::STEP_CONVERSION,
    kpi::CUMULATIVE_CONVERSION,
    kpi::DROP_OFF,
];

/// A parsed rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub text: String,
    pub kpi: String,
    pub stage: Option<String>,
    pub op: &'static str,
    pub threshold: f64,
}

/// Parse `KPI[ARG] OP NUMBER`; `score_kpis` are the ids a rule may name without `[Stage]`.
pub fn parse_rule(text: &str, score_kpis: &[&str]) -> Result<Rule, Text> {
    let t = text.trim();
    let ops = [">=", "<=", "==", "!=", ">", "<"];
    // The operator is the run of comparison characters after the KPI (`=>` is read whole, so
    // a swapped operator is named, not folded into the KPI's name).
    let is_op = |c: char| matches!(c, '<' | '>' | '=' | '!');
    let pos = t.find(is_op).ok_or_else(|| {
        crate::tr!(
            "rule {t:?}: expected KPI OP NUMBER, e.g. \"win_rate >= 0.2\"",
            "规则 {t:?}：应为 `KPI OP NUMBER`，例如 \"win_rate >= 0.2\""
        )
    })?;
    let run_len = t[pos..].find(|c: char| !is_op(c)).unwrap_or(t.len() - pos);
    let op_text = &t[pos..pos + run_len];
    let op = *ops.iter().find(|o| **o == op_text).ok_or_else(|| {
        let hint = match op_text {
            "=>" => Some(">="),
            "=<" => Some("<="),
            "=" | "===" => Some("=="),
            "<>" | "=!" | "!" => Some("!="),
            _ => None,
        };
        let ops = ops.join(" ");
        let hint_en = hint
            .map(|h| format!(" (did you mean {h:?}?)"))
            .unwrap_or_default();
        let hint_zh = hint
            .map(|h| format!("（是否想用 {h:?}？）"))
            .unwrap_or_default();
        Text::new(
            format!("rule {t:?}: {op_text:?} is not an operator; use one of {ops}{hint_en}"),
            format!("规则 {t:?}：{op_text:?} 不是运算符；请使用其中之一：{ops}{hint_zh}"),
        )
    })?;
    let lhs = t[..pos].trim();
    let rhs = t[pos + op.len()..].trim();
    let threshold: f64 = rhs.parse().map_err(|_| {
        crate::tr!(
            "rule {t:?}: {rhs:?} is not a number (ratios are fractions: 0.2, not 20%)",
            "规则 {t:?}：{rhs:?} 不是数字（比率用小数：0.2，而不是 20%）"
        )
    })?;
    let (kpi, stage) = match lhs.split_once('[') {
        Some((k, rest)) => {
            let st = rest
                .strip_suffix(']')
                .ok_or_else(|| crate::tr!("rule {t:?}: missing ']'", "规则 {t:?}：缺少 ']'"))?;
            (k.trim().to_string(), Some(st.trim().to_string()))
        }
        None => (lhs.to_string(), None),
    };
    let valid: Vec<String> = score_kpis
        .iter()
        .map(|k| k.to_string())
        .chain(STAGE_KPIS.iter().map(|k| format!("{k}[Stage]")))
        .collect();
    let known = if stage.is_some() {
        STAGE_KPIS.contains(&kpi.as_str())
    } else {
        score_kpis.contains(&kpi.as_str())
    };
    if !known {
        let names: Vec<&str> = if stage.is_some() {
            STAGE_KPIS.to_vec()
        } else {
            score_kpis.to_vec()
        };
        let near = names
            .iter()
            .map(|n| (edit_distance(&kpi.to_lowercase(), n), *n))
            .filter(|(d, n)| *d <= 3.max(n.len() / 4))
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n);
        let hint_en = near
            .map(|n| format!(" (did you mean {n:?}?)"))
            .unwrap_or_default();
        let hint_zh = near
            .map(|n| format!("（是否想用 {n:?}？）"))
            .unwrap_or_default();
        let valid = valid.join(", ");
        return Err(Text::new(
            format!("rule {t:?}: unknown KPI {lhs:?}{hint_en}; valid: {valid}"),
            format!("规则 {t:?}：未知 KPI {lhs:?}{hint_zh}；有效值：{valid}"),
        ));
    }
    Ok(Rule {
        text: t.to_string(),
        kpi,
        stage,
        op,
        threshold,
    })
}

/// `FIELD=HEADER` (the header may be quoted): (field, header).
pub fn parse_map(m: &str) -> Result<(String, String), Text> {
    let (f, h) = m.split_once('=').ok_or_else(|| {
        crate::tr!(
            "--map {m:?}: expected FIELD=HEADER, e.g. --map owner=\"Sales Rep\"",
            "--map {m:?}：应为 FIELD=HEADER，例如 --map owner=\"Sales Rep\""
        )
    })?;
    Ok((f.trim().to_string(), h.trim().trim_matches('"').to_string()))
}

/// `GLOB::VALUE`: the glob and the value; None when there is no `::` (every input).
pub fn split_scope(v: &str) -> Option<(&str, &str)> {
    v.split_once("::")
}

/// Levenshtein distance in characters (std only: this file is also built by the fuzz crate).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
