//! Presets: the layouts of known CRM exports, recognised from their headers.

use super::synonyms::key;
use crate::model::Table;

/// Special handling a layout needs beyond header mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    None,
    /// HubSpot `Date entered "<Stage> (<Pipeline>)"` wide columns become stage_events.
    HubspotWide,
    /// Salesforce OpportunityHistory: consecutive rows with the same stage collapse.
    CollapseHistory,
    /// Odoo: archived leads (Active = False) are lost.
    OdooActive,
    /// WukongCRM contracts / payments: only 审核状态 = 通过 rows are real.
    ApprovedOnly,
}

/// A known export layout.
#[derive(Debug)]
pub struct Preset {
    pub name: &'static str,
    pub about: &'static str,
    pub table: Table,
    /// Header keys that identify the layout.
    pub signature: &'static [&'static str],
    /// Explicit (field, header key) mappings that win over the generic synonyms.
    pub map: &'static [(&'static str, &'static str)],
    /// Currency assumed when a row carries none.
    pub currency: Option<&'static str>,
    pub special: Special,
}

pub static PRESETS: &[Preset] = &[
    Preset {
        name: "salesforce",
        about: "Salesforce opportunity report (CSV/XLS/XLSX), report footer dropped",
        table: Table::Deals,
        signature: &[
            "opportunityowner",
            "opportunityname",
            "accountname",
            "stage",
            "closedate",
            "createddate",
            "opportunityid",
            "totalamountcurrency",
            "forecastcategory",
            "fiscalperiod",
            "leadsource",
            "probability",
        ],
        map: &[],
        currency: None,
        special: Special::None,
    },
    Preset {
        name: "salesforce_history",
        about: "Salesforce OpportunityHistory (one row per save) -> stage_events",
        table: Table::StageEvents,
        signature: &[
            "opportunityid",
            "createddate",
            "stagename",
            "amount",
            "expectedrevenue",
            "closedate",
            "probability",
            "forecastcategory",
            "prevamount",
            "prevclosedate",
        ],
        map: &[
            ("entered_at", "createddate"),
            ("deal_id", "opportunityid"),
            ("stage", "stagename"),
        ],
        currency: None,
        special: Special::CollapseHistory,
    },
    Preset {
        name: "hubspot",
        about: "HubSpot deals export, `Date entered \"<Stage> (<Pipeline>)\"` columns -> stage_events",
        table: Table::Deals,
        signature: &[
            "recordid",
            "dealname",
            "dealstage",
            "amount",
            "closedate",
            "createdate",
            "dealowner",
            "pipeline",
            "lastactivitydate",
        ],
        map: &[("deal_id", "recordid")],
        currency: None,
        special: Special::HubspotWide,
    },
    Preset {
        name: "pipedrive",
        about: "Pipedrive deals export (`Deal - Field` headers)",
        table: Table::Deals,
        signature: &[
            "dealtitle",
            "dealvalue",
            "dealcurrencyofvalue",
            "dealstage",
            "dealstatus",
            "dealowner",
            "dealpipeline",
            "dealexpectedclosedate",
            "dealdealcreated",
            "dealwontime",
            "deallosttime",
            "dealorganization",
        ],
        map: &[],
        currency: None,
        special: Special::None,
    },
    Preset {
        name: "zoho",
        about: "Zoho CRM Deals export",
        table: Table::Deals,
        signature: &[
            "recordid",
            "dealowner",
            "dealownerid",
            "dealname",
            "amount",
            "closingdate",
            "accountname",
            "accountnameid",
            "stage",
            "pipeline",
            "createdtime",
            "modifiedtime",
        ],
        map: &[("deal_id", "recordid")],
        currency: None,
        special: Special::None,
    },
    Preset {
        name: "zoho_analytics",
        about: "Zoho Analytics Potentials table",
        table: Table::Deals,
        signature: &[
            "potentialname",
            "potentialowner",
            "createdtime",
            "closingdate",
            "amount",
            "expectedrevenue",
            "stage",
            "forecasttype",
            "leadsource",
            "ageindays",
        ],
        map: &[("amount", "amount")],
        currency: None,
        special: Special::None,
    },
    Preset {
        name: "odoo",
        about: "Odoo CRM (crm.lead) export, archived leads read as lost",
        table: Table::Deals,
        signature: &[
            "opportunity",
            "customer",
            "salesperson",
            "salesteam",
            "stage",
            "expectedrevenue",
            "probability",
            "expectedclosing",
            "closeddate",
            "laststageupdate",
            "lostreason",
            "active",
        ],
        map: &[("amount", "expectedrevenue"), ("deal_name", "opportunity")],
        currency: None,
        special: Special::OdooActive,
    },
    Preset {
        name: "odoo_import",
        about: "Odoo CRM import-compatible export (technical names)",
        table: Table::Deals,
        signature: &[
            "id",
            "name",
            "userid",
            "stageid",
            "expectedrevenue",
            "datedeadline",
            "partnerid",
            "teamid",
            "probability",
            "active",
        ],
        map: &[
            ("amount", "expectedrevenue"),
            ("deal_name", "name"),
            ("deal_id", "id"),
        ],
        currency: None,
        special: Special::OdooActive,
    },
    Preset {
        name: "wukong",
        about: "WukongCRM 商机 export (9.0 and 11.0), no id column: ids derived",
        table: Table::Deals,
        signature: &[
            "商机名称",
            "客户名称",
            "商机金额",
            "预计成交日期",
            "备注",
            "商机状态组",
            "商机阶段",
            "最后跟进时间",
            "负责人",
            "相关团队",
            "所属部门",
            "更新时间",
            "创建时间",
            "创建人",
        ],
        map: &[],
        currency: Some("CNY"),
        special: Special::None,
    },
    Preset {
        name: "wukong_contract",
        about: "WukongCRM 合同 export -> orders (审核状态 = 通过 only)",
        table: Table::Orders,
        signature: &[
            "合同编号",
            "合同名称",
            "客户名称",
            "商机名称",
            "合同金额",
            "下单时间",
            "合同开始时间",
            "合同结束时间",
            "审核状态",
            "已收款金额",
            "未收款金额",
        ],
        map: &[
            ("order_id", "合同编号"),
            ("amount", "合同金额"),
            ("ordered_at", "下单时间"),
        ],
        currency: Some("CNY"),
        special: Special::ApprovedOnly,
    },
    Preset {
        name: "wukong_payment",
        about: "WukongCRM 回款 export -> orders (审核状态 = 通过 only)",
        table: Table::Orders,
        signature: &[
            "回款编号",
            "客户名称",
            "合同编号",
            "期数",
            "回款日期",
            "回款金额",
            "回款方式",
            "审核状态",
            "合同金额",
        ],
        map: &[
            ("order_id", "回款编号"),
            ("amount", "回款金额"),
            ("ordered_at", "回款日期"),
        ],
        currency: Some("CNY"),
        special: Special::ApprovedOnly,
    },
    Preset {
        name: "fxiaoke",
        about: "纷享销客-style Chinese deals export (a synonym table, not one fixed layout)",
        table: Table::Deals,
        signature: &[
            "商机名称",
            "客户名称",
            "负责人",
            "销售阶段",
            "商机金额",
            "预计成交日期",
            "结单日期",
            "创建时间",
            "赢率",
            "输单原因",
            "来源",
            "部门",
        ],
        map: &[],
        currency: Some("CNY"),
        special: Special::None,
    },
];

/// The names `--preset` accepts.
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&str> = vec!["auto", "generic"];
    v.extend(PRESETS.iter().map(|p| p.name));
    v
}

pub fn by_name(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// Pick the preset whose signature the headers match best: at least 3 signature headers and at
/// least half of the signature. Returns the preset (None = generic) and why.
pub fn detect(headers: &[String]) -> (Option<&'static Preset>, String) {
    let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
    let hubspot_wide = headers
        .iter()
        .any(|h| h.starts_with("Date entered \"") || h.starts_with("Date entered '"));
    let mut best: Option<(&Preset, usize, f64)> = None;
    for p in PRESETS {
        let mut hits = p
            .signature
            .iter()
            .filter(|s| keys.iter().any(|k| k == *s))
            .count();
        if p.special == Special::HubspotWide && hubspot_wide {
            hits += 2;
        }
        let share = hits as f64 / p.signature.len() as f64;
        if best.is_none_or(|(_, bh, bs)| (share, hits) > (bs, bh)) {
            best = Some((p, hits, share));
        }
    }
    match best {
        Some((p, hits, share)) if hits >= 3 && share >= 0.5 => {
            let matched: Vec<&str> = headers
                .iter()
                .filter(|h| p.signature.contains(&key(h).as_str()))
                .map(String::as_str)
                .take(6)
                .collect();
            let wide = if p.special == Special::HubspotWide && hubspot_wide {
                " and `Date entered` columns"
            } else {
                ""
            };
            (
                Some(p),
                format!(
                    "headers matched {} of its {} signature headers ({}{}){wide}",
                    hits.min(p.signature.len()),
                    p.signature.len(),
                    matched.join(", "),
                    if hits > 6 { ", ..." } else { "" }
                ),
            )
        }
        Some((p, hits, _)) => (
            None,
            format!(
                "no preset matched half its signature headers (closest: {} with {hits}); generic header synonyms used",
                p.name
            ),
        ),
        None => (None, "generic header synonyms used".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn detects_salesforce_report() {
        let (p, why) = detect(&h(&[
            "Opportunity Owner",
            "Account Name",
            "Opportunity Name",
            "Stage",
            "Total Amount Currency",
            "Total Amount",
            "Close Date",
            "Created Date",
            "Lead Source",
            "Probability (%)",
            "Opportunity ID",
        ]));
        assert_eq!(p.map(|p| p.name), Some("salesforce"));
        assert!(why.contains("signature"), "{why}");
    }

    #[test]
    fn detects_wukong_and_pipedrive_and_history() {
        let (p, _) = detect(&h(&[
            "商机名称",
            "客户名称",
            "商机金额",
            "预计成交日期",
            "备注",
            "商机状态组",
            "商机阶段",
            "负责人",
            "创建时间",
        ]));
        assert_eq!(p.map(|p| p.name), Some("wukong"));
        let (p, _) = detect(&h(&[
            "Deal - Title",
            "Deal - Value",
            "Deal - Stage",
            "Deal - Status",
            "Deal - Owner",
            "Deal - Pipeline",
        ]));
        assert_eq!(p.map(|p| p.name), Some("pipedrive"));
        let (p, _) = detect(&h(&[
            "OpportunityId",
            "CreatedDate",
            "StageName",
            "Amount",
            "CloseDate",
            "Probability",
            "ForecastCategory",
            "PrevAmount",
            "PrevCloseDate",
        ]));
        assert_eq!(p.map(|p| p.name), Some("salesforce_history"));
    }

    #[test]
    fn generic_when_nothing_matches() {
        let (p, why) = detect(&h(&["Deal ID", "Name", "Stage", "Amount"]));
        assert!(p.is_none());
        assert!(why.contains("generic"));
    }

    #[test]
    fn preset_maps_name_real_fields() {
        for p in PRESETS {
            for (f, _) in p.map {
                assert!(p.table.field(f).is_some(), "{}: {f}", p.name);
            }
        }
    }
}
