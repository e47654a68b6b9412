//! The one label catalogue: every column id and KPI id with its English and Chinese label. The KPI
//! registry (ids, units, definitions) lets `check` rules and reports name any KPI.

use super::{Lang, Unit};

/// A named KPI.
#[derive(Debug)]
pub struct Kpi {
    pub id: &'static str,
    pub unit: Unit,
    pub en: &'static str,
    pub zh: &'static str,
    /// One-line definition (docs/metrics.md has the full text).
    pub definition: &'static str,
}

const fn k(id: &'static str, unit: Unit, en: &'static str, zh: &'static str, definition: &'static str) -> Kpi {
    Kpi { id, unit, en, zh, definition }
}

/// Every KPI salesctl computes, by id.
pub static KPIS: &[Kpi] = &[
    k("deals", Unit::Count, "Deals", "商机数", "deals created in the period (created_at)"),
    k("won", Unit::Count, "Won", "赢单数", "deals won in the period (closed_at)"),
    k("lost", Unit::Count, "Lost", "输单数", "deals lost in the period (closed_at)"),
    k("open", Unit::Count, "Open", "进行中", "deals open at as-of"),
    k("win_rate", Unit::Ratio, "Win rate", "赢单率", "won / (won + lost), open deals excluded"),
    k("won_amount", Unit::Money, "Won amount", "赢单金额", "sum of amount of deals won in the period, per currency"),
    k("open_pipeline", Unit::Money, "Open pipeline", "在途金额", "sum of amount of open deals at as-of, per currency"),
    k("cycle_median_days", Unit::Days, "Median cycle (days)", "销售周期中位数(天)", "median of closed_at - created_at over won deals"),
    k("reached", Unit::Count, "Reached", "到达数", "deals that entered the stage"),
    k("step_conversion", Unit::Ratio, "Step conversion", "环节转化率", "reached(k) / reached(k-1)"),
    k("cumulative_conversion", Unit::Ratio, "Cumulative conversion", "累计转化率", "reached(k) / reached(first)"),
    k("drop_off", Unit::Ratio, "Drop-off", "流失率", "1 - step conversion"),
    k("attainment", Unit::Ratio, "Attainment", "目标达成率", "won amount in period / target"),
    k("rows", Unit::Count, "Rows", "行数", "rows in the table"),
];

/// Labels of columns that are not KPIs: canonical fields and row qualifiers.
static COLUMNS: &[(&str, &str, &str)] = &[
    ("deal_id", "Deal ID", "商机编号"),
    ("deal_name", "Deal", "商机名称"),
    ("account", "Account", "客户"),
    ("owner", "Owner", "负责人"),
    ("team", "Team", "团队"),
    ("region", "Region", "区域"),
    ("product", "Product", "产品"),
    ("source", "Source", "来源"),
    ("pipeline", "Pipeline", "销售流程"),
    ("stage", "Stage", "阶段"),
    ("stage_entered_at", "Stage entered", "进入阶段时间"),
    ("status", "Status", "状态"),
    ("amount", "Amount", "金额"),
    ("currency", "Currency", "币种"),
    ("probability", "Probability", "赢率"),
    ("created_at", "Created", "创建时间"),
    ("closed_at", "Closed", "结单时间"),
    ("expected_close_at", "Expected close", "预计成交日期"),
    ("lost_reason", "Lost reason", "输单原因"),
    ("modified_at", "Modified", "更新时间"),
    ("entered_at", "Entered", "进入时间"),
    ("exited_at", "Exited", "离开时间"),
    ("order_id", "Order ID", "订单编号"),
    ("customer_id", "Customer", "客户"),
    ("ordered_at", "Ordered", "下单时间"),
    ("quantity", "Quantity", "数量"),
    ("margin", "Margin", "毛利"),
    ("channel", "Channel", "渠道"),
    ("cancelled", "Cancelled", "已取消"),
    ("period", "Period", "期间"),
    ("spend", "Spend", "费用"),
    ("target", "Target", "目标"),
    ("metric", "Metric", "指标"),
    ("n", "n", "样本数"),
    ("low_n", "Low n", "样本过少"),
    ("basis", "Basis", "依据"),
    ("table", "Table", "表"),
];

/// Look a KPI up by id.
pub fn kpi(id: &str) -> Option<&'static Kpi> {
    KPIS.iter().find(|k| k.id == id)
}

/// The label of a column id in a language; unknown ids (extra export columns) show as they are.
pub fn label(id: &str, lang: Lang) -> String {
    if let Some(k) = kpi(id) {
        return match lang {
            Lang::En => k.en,
            Lang::ZhCn => k.zh,
        }
        .to_string();
    }
    if let Some((_, en, zh)) = COLUMNS.iter().find(|(i, _, _)| *i == id) {
        return match lang {
            Lang::En => en,
            Lang::ZhCn => zh,
        }
        .to_string();
    }
    id.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for id in KPIS.iter().map(|k| k.id).chain(COLUMNS.iter().map(|c| c.0)) {
            assert!(seen.insert(id), "duplicate id {id}");
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{id}");
        }
    }

    #[test]
    fn labels_in_both_languages() {
        assert_eq!(label("win_rate", Lang::En), "Win rate");
        assert_eq!(label("win_rate", Lang::ZhCn), "赢单率");
        assert_eq!(label("owner", Lang::ZhCn), "负责人");
        assert_eq!(label("deal_type", Lang::ZhCn), "deal_type");
    }
}
