//! Header synonyms: which export headers mean which canonical field, across vendors and languages.
//! Headers are compared by `key()`: lower case, letters and digits only (CJK kept).

use crate::model::Table;

// Keys (header and label comparison) live in the model: outcome labels are compared the same way.
pub use crate::model::keys::key;

/// A second key for headers written as a vendor's compound names: `StageName__c` -> `stagename`
/// (custom field), `Owner.Name` / `Owner__name` / `Owner__r.Name` -> `owner` (the related
/// record's name), `Owner.Id` -> `ownerid`, `Deal - Title` / `Negocio - Título` -> `titulo`
/// (entity prefix). None when the header is no such compound.
pub(crate) fn alt_key(header: &str) -> Option<String> {
    compound_key(header).or_else(|| entity_stripped(header))
}

/// The vendor compound forms of [`alt_key`].
fn compound_key(header: &str) -> Option<String> {
    let h = header.trim();
    let lower = h.to_lowercase();
    for suffix in ["__c", "__s", "__pc"] {
        if lower.ends_with(suffix) && lower.len() > suffix.len() {
            let base = &h[..h.len() - suffix.len()];
            return compound_key(base).or_else(|| Some(key(base)));
        }
    }
    for (sep, len) in [(".", 1), ("__r.", 4), ("__", 2)] {
        if let Some(i) = lower.rfind(sep) {
            if i == 0 {
                continue;
            }
            let (base, tail) = (&h[..i], &lower[i + len..]);
            let base = base.strip_suffix("__r").unwrap_or(base);
            match tail {
                "name" | "fullname" | "full_name" => return Some(key(base)),
                "id" => return Some(format!("{}id", key(base))),
                _ => {}
            }
        }
    }
    if let Some((_, field)) = h.split_once(" - ") {
        let k = key(field);
        if !k.is_empty() {
            return Some(k);
        }
    }
    None
}

/// The entity named inside the header, in the languages CRMs export in: `Etapa del negocio`
/// -> `etapa`, `Deal Stage` -> `stage`, `Название сделки` -> `название`.
fn entity_stripped(header: &str) -> Option<String> {
    let k = key(header);
    for e in ENTITY_WORDS {
        for stripped in [k.strip_suffix(e), k.strip_prefix(e)].into_iter().flatten() {
            if stripped.chars().count() >= 3 {
                return Some(stripped.to_string());
            }
        }
    }
    None
}

/// Entity words a header may carry around its field name (key form), longest first.
const ENTITY_WORDS: &[&str] = &[
    "delaoportunidad",
    "deoportunidad",
    "daoportunidade",
    "delopportunite",
    "delatransaction",
    "derverkaufschance",
    "delnegocio",
    "donegocio",
    "deltrato",
    "delaffaire",
    "desdeals",
    "opportunity",
    "oportunidade",
    "oportunidad",
    "opportunite",
    "potential",
    "negocio",
    "сделки",
    "сделка",
    "deal",
    "opp",
    "商机",
];

/// Fields filled from every matching column, first non-empty wins (Pipedrive's won/lost times).
pub(crate) const COALESCE: &[&str] = &["closed_at"];

/// Pseudo-fields: read from the export, turned into canonical fields by the normaliser.
/// `close_date` is closed_at for closed deals and expected_close_at for open ones; `active` false
/// marks Odoo's archived (lost) leads; `won_flag` / `closed_flag` are boolean outcome columns
/// (Salesforce `IsWon` / `IsClosed`, Bitrix24 `CLOSED`); `semantic` is Bitrix24's
/// `STAGE_SEMANTIC_ID` (S success, F failure, P in progress).
pub(crate) const PSEUDO: &[&str] = &[
    "close_date",
    "active",
    "approval",
    "won_flag",
    "closed_flag",
    "semantic",
];

mod deals;

use deals::*;

/// (field, header keys in priority order) for a table.
pub(crate) fn for_table(t: Table) -> &'static [(&'static str, &'static [&'static str])] {
    match t {
        Table::Deals => DEALS,
        Table::StageEvents => EVENTS,
        Table::Orders => ORDERS,
        Table::Spend => SPEND,
        Table::Targets => TARGETS,
        Table::Activities => ACTIVITIES,
        Table::Feedback => FEEDBACK,
    }
}

static EVENTS: &[(&str, &[&str])] = &[
    (
        "deal_id",
        &[
            "dealid",
            "opportunityid",
            "opportunityexternalid",
            "recordid",
            "id",
            "商机编号",
        ],
    ),
    ("pipeline", &["pipeline", "商机状态组"]),
    (
        "stage",
        &[
            "stage",
            "stagename",
            "tostage",
            "newstage",
            "dealstage",
            "商机阶段",
            "阶段",
        ],
    ),
    (
        "entered_at",
        &[
            "enteredat",
            "entereddate",
            "dateentered",
            "changedate",
            "changedat",
            "createddate",
            "date",
            "变更时间",
        ],
    ),
    ("exited_at", &["exitedat", "exiteddate", "dateexited"]),
    (
        "owner",
        &["owner", "opportunityowner", "dealowner", "负责人"],
    ),
    ("amount", &["amount", "totalamount", "value"]),
    ("currency", &["currency", "currencyisocode"]),
];

static ORDERS: &[(&str, &[&str])] = &[
    (
        "order_id",
        &[
            "orderid",
            "invoiceno",
            "invoice",
            "invoicenumber",
            "ordernumber",
            "transactionid",
            "回款编号",
            "合同编号",
            "订单编号",
        ],
    ),
    (
        "customer_id",
        &[
            "customerid",
            "customer",
            "clientid",
            "accountid",
            "account",
            "bikeshopname",
            "客户名称",
            "客户",
        ],
    ),
    (
        "ordered_at",
        &[
            "orderedat",
            "orderdate",
            "invoicedate",
            "date",
            "transactiondate",
            "purchasedate",
            "回款日期",
            "下单时间",
            "下单日期",
            "签约日期",
        ],
    ),
    (
        "amount",
        &[
            "amount",
            "totalprice",
            "total",
            "revenue",
            "sales",
            "value",
            "回款金额",
            "合同金额",
            "金额",
        ],
    ),
    ("currency", &["currency", "币种"]),
    ("quantity", &["quantity", "qty", "numberofcds", "数量"]),
    ("margin", &["margin", "grossmargin", "毛利"]),
    ("channel", &["channel", "source", "渠道"]),
    ("product", &["product", "model", "stockcode", "产品"]),
    ("region", &["region", "state", "country", "区域"]),
    ("approval", &["审核状态", "approvalstatus"]),
];

static SPEND: &[(&str, &[&str])] = &[
    ("period", &["period", "month", "date", "月份", "期间"]),
    ("channel", &["channel", "source", "渠道"]),
    ("spend", &["spend", "cost", "amount", "费用", "花费"]),
    ("currency", &["currency", "币种"]),
];

static TARGETS: &[(&str, &[&str])] = &[
    ("dimension", &["dimension"]),
    (
        "key",
        &[
            "key",
            "owner",
            "opportunityowner",
            "rep",
            "salesperson",
            "team",
            "region",
            "product",
            "负责人",
            "销售",
        ],
    ),
    (
        "period",
        &["period", "month", "quarter", "year", "月份", "期间"],
    ),
    ("target", &["target", "quota", "goal", "目标", "业绩目标"]),
    ("metric", &["metric", "指标"]),
];

static ACTIVITIES: &[(&str, &[&str])] = &[
    ("owner", &["owner", "assignedto", "user", "负责人"]),
    (
        "at",
        &[
            "at",
            "date",
            "activitydate",
            "duedate",
            "createddate",
            "时间",
        ],
    ),
    ("kind", &["kind", "type", "activitytype", "类型"]),
    ("deal_id", &["dealid", "opportunityid", "relatedto"]),
    ("duration_minutes", &["durationminutes", "duration", "时长"]),
];

static FEEDBACK: &[(&str, &[&str])] = &[
    ("deal_id", &["dealid", "opportunityid"]),
    ("customer_id", &["customerid", "customer", "account"]),
    ("at", &["at", "date", "submittedat"]),
    ("score", &["score", "rating", "nps", "csat", "评分"]),
    ("scale", &["scale"]),
];

#[cfg(test)]
mod tests;
