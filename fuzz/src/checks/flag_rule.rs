//! crates/base/src/flags.rs `parse_rule`: `check --rule "KPI[Stage] OP NUMBER"` as typed, against a KPI list
//! like the scorecard's. A parsed rule must name a listed KPI and carry a parsed threshold.

use crate::flags;

const KPIS: &[&str] = &["win_rate", "won", "cycle_median_days", "attainment"];

/// The `flag_rule` target: one input.
pub fn flag_rule(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(r) = flags::parse_rule(&text, KPIS) {
        match &r.stage {
            Some(_) => assert!(flags::STAGE_KPIS.contains(&r.kpi.as_str()), "{r:?}"),
            None => assert!(KPIS.contains(&r.kpi.as_str()), "{r:?}"),
        }
        assert!(!r.threshold.is_nan() || text.to_ascii_lowercase().contains("nan"), "{r:?}");
    }
}
