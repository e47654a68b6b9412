//! The one label catalogue: every column id and KPI id with its English and Chinese label. The KPI
//! registry (ids, units, definitions) lets `check` rules and reports name any KPI.

use super::{Lang, Unit};

pub use crate::model::kpi::{KPIS, Kpi};

/// A KPI's unit in tables.
pub(crate) fn unit(m: crate::model::kpi::Measure) -> Unit {
    use crate::model::kpi::Measure;
    match m {
        Measure::Count => Unit::Count,
        Measure::Ratio => Unit::Ratio,
        Measure::Money => Unit::Money,
        Measure::Days => Unit::Days,
        Measure::Number => Unit::Number,
    }
}

/// Chinese names of result tables (English shows the table's name itself: the `--table NAME`
/// handle).
static TABLES: &[(&str, &str)] = &[
    ("funnel", "漏斗"),
    ("amounts", "金额"),
    ("stages", "阶段"),
    ("verdict", "结论"),
    ("stuck", "停滞商机"),
    ("reasons", "输单原因"),
    ("scorecard", "记分卡"),
    ("money", "金额（按币种）"),
    ("card", "销售人员卡片"),
    ("trend", "趋势"),
    ("forecast", "预测"),
    ("backtest", "回测"),
    ("accuracy", "准确度"),
    ("history", "历史"),
    ("pipeline", "管道"),
    ("fit", "模型拟合"),
    ("customers", "客户"),
    ("holdout", "留出验证"),
    ("cltv", "客户终身价值"),
    ("summary", "汇总"),
    ("cac", "获客成本"),
    ("targets", "目标"),
    ("months", "月份"),
    ("split", "分配"),
    ("check", "检查"),
    ("changes", "变化"),
    ("detail", "明细"),
    ("headline", "核心指标"),
];

/// Chinese for the closed sets of values some text columns hold (a funnel's `basis`, a
/// deal's `status`, a verdict), shown on a terminal, in Markdown and HTML under `--lang zh-CN`;
/// CSV, TSV, JSON and XLSX keep the values as they are (scripts match them).
static VALUES: &[(&str, &str, &str)] = &[
    ("basis", "history", "历史记录"),
    ("basis", "implied", "由当前阶段推断"),
    ("basis", "history+implied", "历史记录+推断"),
    ("status", "open", "进行中"), // not a KPI: status values
    ("status", "won", "赢单"),    // not a KPI: status values
    ("status", "lost", "输单"),   // not a KPI: status values
    ("status", "invalid", "无效"),
    ("verdict", "bottleneck", "瓶颈"),
    ("verdict", "strength", "优势"),
    ("verdict", "weakness", "短板"),
    ("verdict", "low_n", "样本过少"),
];

/// A text cell as shown in `lang` (see [`VALUES`]).
pub fn value_label<'a>(column: &str, value: &'a str, lang: Lang) -> std::borrow::Cow<'a, str> {
    match lang {
        Lang::ZhCn => VALUES
            .iter()
            .find(|(c, v, _)| *c == column && *v == value)
            .map_or(value.into(), |(_, _, zh)| (*zh).into()),
        Lang::En => value.into(),
    }
}

/// The as-of's basis (`latest deals.closed_at in the data`, `date in the file name of F`,
/// `--as-of`, `today (...)`) in `lang`.
pub fn as_of_basis(basis: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return basis.to_string();
    }
    if let Some(f) = basis
        .strip_prefix("latest ")
        .and_then(|b| b.strip_suffix(" in the data"))
    {
        return format!("数据中最新的 {f}");
    }
    if let Some(f) = basis.strip_prefix("date in the file name of ") {
        return format!("文件名中的日期：{f}");
    }
    if basis.starts_with("today") {
        return "今天（数据中没有日期）".into();
    }
    if basis == "date of the latest snapshot" {
        return "最新快照的日期".into();
    }
    basis.to_string()
}

/// A result table's heading: its name in English; in Chinese its Chinese name with the name.
pub fn table_label(name: &str, lang: Lang) -> String {
    match (lang, TABLES.iter().find(|t| t.0 == name)) {
        (Lang::ZhCn, Some((_, zh))) => format!("{zh}（{name}）"),
        _ => name.to_string(),
    }
}

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
    ("cohort", "Cohort", "队列"),
    ("rank", "Rank", "排名"),
    ("verdict", "Verdict", "结论"),
    ("rule", "Rule", "规则"),
    ("value", "Value", "数值"),
    ("baseline", "Baseline", "基准"),
    ("deals_in_stage", "Deals now", "当前商机"),
    ("days_in_stage", "Days in stage", "停留天数"),
    ("lost_from", "Lost from stage", "输单阶段"),
    ("note", "Note", "说明"),
    ("customers", "Customers", "客户数"),
    ("orders", "Orders", "订单数"),
    ("revenue", "Revenue", "收入"),
    ("aov", "AOV", "客单价"),
    ("purchases_per_year", "Purchases per year", "年购买次数"),
    ("repeat_purchase_rate", "Repeat purchase rate", "复购率"),
    ("annual_churn", "Annual churn", "年流失率"),
    ("lifespan_years", "Lifespan (years)", "生命周期(年)"),
    ("cltv", "CLTV", "客户终身价值"),
    ("model", "Model", "模型"),
    ("parameter", "Parameter", "参数"),
    ("log_likelihood", "Log-likelihood", "对数似然"),
    ("iterations", "Iterations", "迭代次数"),
    ("converged", "Converged", "已收敛"),
    ("frequency", "Frequency", "复购次数"),
    ("recency", "Recency", "最近购买"),
    ("t", "T", "T"),
    ("monetary", "Monetary", "平均复购金额"),
    ("p_alive", "P(alive)", "存活概率"),
    ("expected_purchases", "Expected purchases", "预期购买次数"),
    ("expected_aov", "Expected AOV", "预期客单价"),
    ("clv", "CLV", "CLV"),
    ("group", "Group", "分组"),
    ("change", "Change", "变化"),
    ("from", "From", "原值"),
    ("to", "To", "新值"),
    ("operator", "Operator", "运算符"),
    ("threshold", "Threshold", "阈值"),
    ("pass", "Pass", "通过"),
    ("predicted", "Predicted", "预测"),
    ("actual", "Actual", "实际"),
    (
        "predicted_per_customer",
        "Predicted per customer",
        "每客户预测",
    ),
    ("actual_per_customer", "Actual per customer", "每客户实际"),
    ("cac", "CAC", "获客成本"),
    ("ltv_cac", "LTV:CAC", "LTV:CAC"),
    ("payback_months", "Payback (months)", "回本月数"),
    ("kpi", "KPI", "指标"),
    ("team_median", "Team median", "团队中位数"),
    ("percentile", "Percentile", "百分位"),
    ("target_met", "Target met", "已达标"),
    ("activities", "Activities", "活动数"),
    ("calls", "Calls", "电话"),
    ("visits", "Visits", "拜访"),
    ("emails", "Emails", "邮件"),
    ("meetings", "Meetings", "会议"),
    (
        "activities_per_won",
        "Activities per won deal",
        "每赢单活动数",
    ),
    ("activities_per_week", "Activities per week", "每周活动数"),
    ("feedback_avg", "Avg feedback score", "平均满意度"),
    ("feedback_n", "Feedback n", "反馈数"),
    ("nps", "NPS", "净推荐值"),
    ("difference", "Difference", "差异"),
    ("max_observed_days", "Max observed (days)", "最大观测(天)"),
    ("ended", "Ended", "已结束"),
    ("limit_days", "Limit (days)", "时限(天)"),
    ("limit_basis", "Limit basis", "时限依据"),
    ("table", "Table", "表"),
    ("forecast", "Forecast", "预测"),
    ("lower_80", "Lower 80%", "80% 下限"),
    ("upper_80", "Upper 80%", "80% 上限"),
    ("lower_95", "Lower 95%", "95% 下限"),
    ("upper_95", "Upper 95%", "95% 上限"),
    ("mape", "MAPE %", "MAPE %"),
    ("smape", "sMAPE %", "sMAPE %"),
    ("mase", "MASE", "MASE"),
    (
        "relative_mase",
        "MASE vs seasonal naive",
        "相对季节朴素 MASE",
    ),
    ("p_vs_ets", "p (lower than ETS)", "p（低于 ETS）"),
    ("origins", "Origins", "回测起点数"),
    ("chosen", "Chosen", "选用"),
    ("open_deals", "Open deals", "在途商机"),
    ("open_amount", "Open amount", "在途金额"),
    (
        "weighted",
        "Weighted (stage win prob.)",
        "加权（阶段赢单率）",
    ),
    ("crm_weighted", "Weighted (CRM prob.)", "加权（CRM 概率）"),
    (
        "unweighted_deals",
        "Deals without a win prob.",
        "无赢单率商机",
    ),
    (
        "time_series_forecast",
        "Time-series forecast",
        "时间序列预测",
    ),
    ("dimension", "Dimension", "维度"),
    ("key", "Key", "对象"),
    ("gap", "Gap (forecast - target)", "差距（预测-目标）"),
    ("cumulative_gap", "Cumulative gap", "累计差距"),
    ("previous", "Previous period", "上一期"),
    ("change_pct", "Change %", "变化率"),
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
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{id}"
            );
        }
    }

    #[test]
    fn labels_in_both_languages() {
        assert_eq!(label("win_rate", Lang::En), "Win rate");
        assert_eq!(label("win_rate", Lang::ZhCn), "赢单率");
        assert_eq!(label("owner", Lang::ZhCn), "负责人");
        assert_eq!(
            value_label("basis", "implied", Lang::ZhCn),
            "由当前阶段推断"
        );
        assert_eq!(value_label("basis", "implied", Lang::En), "implied");
        assert_eq!(value_label("owner", "implied", Lang::ZhCn), "implied");
        assert_eq!(
            as_of_basis("latest deals.closed_at in the data", Lang::ZhCn),
            "数据中最新的 deals.closed_at"
        );
        assert_eq!(label("deal_type", Lang::ZhCn), "deal_type");
    }
}
