//! Parsers of flag values users type: `check --rule`, `--map FIELD=HEADER` (with its
//! `GLOB::` form). Std only: fuzz/ runs these very functions (targets `flag_rule`, `flag_map`).

pub const STAGE_KPIS: &[&str] = &[
    "reached",
    "step_conversion",
    "cumulative_conversion",
    "drop_off",
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
pub fn parse_rule(text: &str, score_kpis: &[&str]) -> Result<Rule, String> {
    let t = text.trim();
    let ops = [">=", "<=", "==", "!=", ">", "<"];
    let (pos, op) = ops
        .iter()
        .filter_map(|o| t.find(o).map(|p| (p, *o)))
        .min_by_key(|(p, o)| (*p, std::cmp::Reverse(o.len())))
        .ok_or_else(|| format!("rule {t:?}: expected KPI OP NUMBER, e.g. \"win_rate >= 0.2\""))?;
    let lhs = t[..pos].trim();
    let rhs = t[pos + op.len()..].trim();
    let threshold: f64 = rhs.parse().map_err(|_| {
        format!("rule {t:?}: {rhs:?} is not a number (ratios are fractions: 0.2, not 20%)")
    })?;
    let (kpi, stage) = match lhs.split_once('[') {
        Some((k, rest)) => {
            let st = rest
                .strip_suffix(']')
                .ok_or_else(|| format!("rule {t:?}: missing ']'"))?;
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
        return Err(format!(
            "rule {t:?}: unknown KPI {lhs:?}; valid: {}",
            valid.join(", ")
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
pub fn parse_map(m: &str) -> Result<(String, String), String> {
    let (f, h) = m.split_once('=').ok_or_else(|| {
        format!("--map {m:?}: expected FIELD=HEADER, e.g. --map owner=\"Sales Rep\"")
    })?;
    Ok((f.trim().to_string(), h.trim().trim_matches('"').to_string()))
}

/// `GLOB::VALUE`: the glob and the value; None when there is no `::` (every input).
pub fn split_scope(v: &str) -> Option<(&str, &str)> {
    v.split_once("::")
}
