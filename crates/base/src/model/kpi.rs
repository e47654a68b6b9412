//! The one KPI registry: every KPI id salesctl computes, as a constant, with its English and
//! Chinese label, its measure, which direction is better, and a one-line definition
//! (docs/metrics.md has the full text). Labels, `check --rule`, `scorecard --rank`, the
//! report's headline and the docs read KPIs from here; `tests/cli/kpi.rs` finds no KPI id
//! written as a literal anywhere else in src/.
//!
//! Some ids are also the words of other vocabularies ("won", "lost" and "open" are statuses,
//! "deals" a table): those words, where they mean the status or the table, are not KPI ids and
//! carry a `// not a KPI` mark the test reads.

/// What a KPI's number measures (output gives each its unit and format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Count,
    Ratio,
    Money,
    Days,
    Number,
}

/// Which direction of a KPI is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Better {
    Higher,
    Lower,
    /// A size or a setting, not a score.
    Neither,
}

/// A named KPI.
#[derive(Debug)]
pub struct Kpi {
    pub id: &'static str,
    pub measure: Measure,
    pub(crate) better: Better,
    pub en: &'static str,
    pub zh: &'static str,
    /// One-line definition (docs/metrics.md has the full text).
    pub definition: &'static str,
}

pub const DEALS: &str = "deals";
pub const WON: &str = "won";
pub const LOST: &str = "lost";
pub const OPEN: &str = "open";
pub const WIN_RATE: &str = "win_rate";
pub const WON_AMOUNT: &str = "won_amount";
pub const OPEN_PIPELINE: &str = "open_pipeline";
pub const CYCLE_MEDIAN_DAYS: &str = "cycle_median_days";
pub const REACHED: &str = "reached";
pub const STEP_CONVERSION: &str = "step_conversion";
pub const CUMULATIVE_CONVERSION: &str = "cumulative_conversion";
pub const DROP_OFF: &str = "drop_off";
pub const ATTAINMENT: &str = "attainment";
pub const ROWS: &str = "rows";
pub const OPEN_SHARE: &str = "open_share";
pub const DEALS_NOW: &str = "deals_now";
pub const MEDIAN_DAYS: &str = "median_days";
pub const P75_DAYS: &str = "p75_days";
pub const P90_DAYS: &str = "p90_days";
pub const SLA_DAYS: &str = "sla_days";
pub const SLA_BREACHES: &str = "sla_breaches";
pub const LOST_COUNT: &str = "lost_count";
pub const LOST_AMOUNT: &str = "lost_amount";
pub const SHARE: &str = "share";
pub const DEALS_CREATED: &str = "deals_created";
pub const WIN_RATE_LOW: &str = "win_rate_low";
pub const WIN_RATE_HIGH: &str = "win_rate_high";
pub const AVG_WON_DEAL: &str = "avg_won_deal";
pub const CYCLE_P75_DAYS: &str = "cycle_p75_days";
pub const WEIGHTED_PIPELINE: &str = "weighted_pipeline";
pub const NEW_CUSTOMERS: &str = "new_customers";
pub const SALES_VELOCITY: &str = "sales_velocity";
pub const PIPELINE_COVERAGE: &str = "pipeline_coverage";

/// Every KPI salesctl computes, by id.
pub static KPIS: &[Kpi] = &[
    Kpi {
        id: DEALS,
        measure: Measure::Count,
        better: Better::Neither,
        en: "Deals",
        zh: "商机数",
        definition: "deals created in the period (created_at)",
    },
    Kpi {
        id: WON,
        measure: Measure::Count,
        better: Better::Higher,
        en: "Won",
        zh: "赢单数",
        definition: "deals won in the period (closed_at)",
    },
    Kpi {
        id: LOST,
        measure: Measure::Count,
        better: Better::Lower,
        en: "Lost",
        zh: "输单数",
        definition: "deals lost in the period (closed_at)",
    },
    Kpi {
        id: OPEN,
        measure: Measure::Count,
        better: Better::Neither,
        en: "Open",
        zh: "进行中",
        definition: "deals open at as-of",
    },
    Kpi {
        id: WIN_RATE,
        measure: Measure::Ratio,
        better: Better::Higher,
        en: "Win rate",
        zh: "赢单率",
        definition: "won / (won + lost), open deals excluded",
    },
    Kpi {
        id: WON_AMOUNT,
        measure: Measure::Money,
        better: Better::Higher,
        en: "Won amount",
        zh: "赢单金额",
        definition: "sum of amount of deals won in the period, per currency",
    },
    Kpi {
        id: OPEN_PIPELINE,
        measure: Measure::Money,
        better: Better::Higher,
        en: "Open pipeline",
        zh: "在途金额",
        definition: "sum of amount of open deals at as-of, per currency",
    },
    Kpi {
        id: CYCLE_MEDIAN_DAYS,
        measure: Measure::Days,
        better: Better::Lower,
        en: "Median cycle (days)",
        zh: "销售周期中位数(天)",
        definition: "median of closed_at - created_at over won deals",
    },
    Kpi {
        id: REACHED,
        measure: Measure::Count,
        better: Better::Higher,
        en: "Reached",
        zh: "到达数",
        definition: "deals that entered the stage",
    },
    Kpi {
        id: STEP_CONVERSION,
        measure: Measure::Ratio,
        better: Better::Higher,
        en: "Step conversion",
        zh: "环节转化率",
        definition: "reached(k) / reached(k-1)",
    },
    Kpi {
        id: CUMULATIVE_CONVERSION,
        measure: Measure::Ratio,
        better: Better::Higher,
        en: "Cumulative conversion",
        zh: "累计转化率",
        definition: "reached(k) / reached(first)",
    },
    Kpi {
        id: DROP_OFF,
        measure: Measure::Ratio,
        better: Better::Lower,
        en: "Drop-off",
        zh: "流失率",
        definition: "1 - step conversion",
    },
    Kpi {
        id: ATTAINMENT,
        measure: Measure::Ratio,
        better: Better::Higher,
        en: "Attainment",
        zh: "目标达成率",
        definition: "won amount in period / target",
    },
    Kpi {
        id: ROWS,
        measure: Measure::Count,
        better: Better::Neither,
        en: "Rows",
        zh: "行数",
        definition: "rows in the table",
    },
    Kpi {
        id: OPEN_SHARE,
        measure: Measure::Ratio,
        better: Better::Neither,
        en: "Open share",
        zh: "在途占比",
        definition: "open deals / deals in the cohort",
    },
    Kpi {
        id: DEALS_NOW,
        measure: Measure::Count,
        better: Better::Neither,
        en: "Now in stage",
        zh: "当前在此阶段",
        definition: "open deals whose current stage is this stage at as-of",
    },
    Kpi {
        id: MEDIAN_DAYS,
        measure: Measure::Days,
        better: Better::Lower,
        en: "Median days",
        zh: "停留天数中位数",
        definition: "Kaplan-Meier median time in stage (open deals censored at as-of)",
    },
    Kpi {
        id: P75_DAYS,
        measure: Measure::Days,
        better: Better::Lower,
        en: "p75 days",
        zh: "停留天数P75",
        definition: "Kaplan-Meier 75th percentile of time in stage",
    },
    Kpi {
        id: P90_DAYS,
        measure: Measure::Days,
        better: Better::Lower,
        en: "p90 days",
        zh: "停留天数P90",
        definition: "Kaplan-Meier 90th percentile of time in stage",
    },
    Kpi {
        id: SLA_DAYS,
        measure: Measure::Days,
        better: Better::Neither,
        en: "SLA (days)",
        zh: "时限(天)",
        definition: "the stage's time limit (--sla or config)",
    },
    Kpi {
        id: SLA_BREACHES,
        measure: Measure::Count,
        better: Better::Lower,
        en: "SLA breaches",
        zh: "超时数",
        definition: "open deals whose stage age exceeds the stage's limit",
    },
    Kpi {
        id: LOST_COUNT,
        measure: Measure::Count,
        better: Better::Lower,
        en: "Lost",
        zh: "输单数",
        definition: "lost deals for this reason / stage",
    },
    Kpi {
        id: LOST_AMOUNT,
        measure: Measure::Money,
        better: Better::Lower,
        en: "Lost amount",
        zh: "输单金额",
        definition: "amount of those lost deals, per currency",
    },
    Kpi {
        id: SHARE,
        measure: Measure::Ratio,
        better: Better::Neither,
        en: "Share",
        zh: "占比",
        definition: "share of all lost deals",
    },
    Kpi {
        id: DEALS_CREATED,
        measure: Measure::Count,
        better: Better::Higher,
        en: "Deals created",
        zh: "新建商机",
        definition: "deals created in the period (created_at)",
    },
    Kpi {
        id: WIN_RATE_LOW,
        measure: Measure::Ratio,
        better: Better::Higher,
        en: "Win rate (95% low)",
        zh: "赢单率下限",
        definition: "Wilson 95% interval, lower bound",
    },
    Kpi {
        id: WIN_RATE_HIGH,
        measure: Measure::Ratio,
        better: Better::Higher,
        en: "Win rate (95% high)",
        zh: "赢单率上限",
        definition: "Wilson 95% interval, upper bound",
    },
    Kpi {
        id: AVG_WON_DEAL,
        measure: Measure::Money,
        better: Better::Higher,
        en: "Avg won deal",
        zh: "平均赢单金额",
        definition: "won amount / won deals",
    },
    Kpi {
        id: CYCLE_P75_DAYS,
        measure: Measure::Days,
        better: Better::Lower,
        en: "Cycle p75 (days)",
        zh: "销售周期P75(天)",
        definition: "75th percentile of closed_at - created_at over won deals",
    },
    Kpi {
        id: WEIGHTED_PIPELINE,
        measure: Measure::Money,
        better: Better::Higher,
        en: "Weighted pipeline",
        zh: "加权在途金额",
        definition: "sum over open deals of amount x stage win probability",
    },
    Kpi {
        id: NEW_CUSTOMERS,
        measure: Measure::Count,
        better: Better::Higher,
        en: "New customers",
        zh: "新客户",
        definition: "accounts whose first won deal falls in the period",
    },
    Kpi {
        id: SALES_VELOCITY,
        measure: Measure::Money,
        better: Better::Higher,
        en: "Sales velocity (per day)",
        zh: "销售速度(每天)",
        definition: "open qualified deals x win rate x avg won deal / median cycle days",
    },
    Kpi {
        id: PIPELINE_COVERAGE,
        measure: Measure::Number,
        better: Better::Higher,
        en: "Pipeline coverage",
        zh: "管道覆盖率",
        definition: "open pipeline expected to close in period / (target - won)",
    },
];

/// The KPI with this id.
pub(crate) fn get(id: &str) -> Option<&'static Kpi> {
    KPIS.iter().find(|k| k.id == id)
}

/// Is lower better for this KPI?
pub fn lower_is_better(id: &str) -> bool {
    get(id).is_some_and(|k| k.better == Better::Lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_labelled() {
        let mut ids: Vec<&str> = KPIS.iter().map(|k| k.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), KPIS.len());
        assert!(KPIS.iter().all(|k| !k.en.is_empty() && !k.zh.is_empty()));
    }
}
