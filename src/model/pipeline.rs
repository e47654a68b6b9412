//! Stage pipelines and outcome labels.

use super::Status;

/// Labels that mean won, lost or invalid, compared case-insensitively after trimming.
const WON: &[&str] = &[
    "closed won",
    "won",
    "closed-won",
    "closedwon",
    "赢单",
    "成交",
    "已成交",
    "赢单成交",
];
const LOST: &[&str] = &[
    "closed lost",
    "lost",
    "closed-lost",
    "closedlost",
    "closed lost to competition",
    "输单",
    "丢单",
    "已输单",
];
const INVALID: &[&str] = &["无效", "invalid"];

/// Outcome labels, extendable from the config (`won_labels`, `lost_labels`, `invalid_labels`).
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    pub won: Vec<String>,
    pub lost: Vec<String>,
    pub invalid: Vec<String>,
}

impl Outcomes {
    /// The status a stage label implies: Open when it is no outcome label.
    pub fn status_of(&self, stage: &str) -> Status {
        let s = stage.trim().to_lowercase();
        let hit = |builtin: &[&str], extra: &[String]| {
            builtin.iter().any(|w| *w == s) || extra.iter().any(|w| w.trim().to_lowercase() == s)
        };
        if hit(WON, &self.won) {
            Status::Won
        } else if hit(LOST, &self.lost) {
            Status::Lost
        } else if hit(INVALID, &self.invalid) {
            Status::Invalid
        } else {
            Status::Open
        }
    }

    /// Read a status column value (`Open`, `Won`, `Lost`, `deleted`, `赢单`...).
    pub fn parse_status(&self, v: &str) -> Option<Status> {
        let s = v.trim().to_lowercase();
        match s.as_str() {
            "open" | "进行中" | "跟进中" => Some(Status::Open),
            "invalid" => Some(Status::Invalid),
            _ => match self.status_of(&s) {
                Status::Open => None,
                st => Some(st),
            },
        }
    }
}

/// An ordered list of open stages, plus the outcome labels seen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pipeline {
    pub name: String,
    pub stages: Vec<String>,
}

/// Vendor default pipelines (SCHEMA.md "Stage order").
pub fn vendor_default(preset: &str) -> Option<Vec<&'static str>> {
    Some(match preset {
        "salesforce" | "salesforce_history" => vec![
            "Prospecting",
            "Qualification",
            "Needs Analysis",
            "Value Proposition",
            "Id. Decision Makers",
            "Perception Analysis",
            "Proposal/Price Quote",
            "Negotiation/Review",
        ],
        "zoho" | "zoho_analytics" => vec![
            "Qualification",
            "Needs Analysis",
            "Value Proposition",
            "Identify Decision Makers",
            "Proposal/Price Quote",
            "Negotiation/Review",
        ],
        "hubspot" => vec![
            "Appointment scheduled",
            "Qualified to buy",
            "Presentation scheduled",
            "Decision maker bought-in",
            "Contract sent",
        ],
        "wukong" => vec!["验证客户", "需求分析", "方案/报价"],
        "pipedrive" => vec![
            "Qualified",
            "Contact Made",
            "Demo Scheduled",
            "Proposal Made",
            "Negotiations Started",
        ],
        "odoo" => vec!["New", "Qualified", "Proposition"],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_labels_en_and_zh() {
        let o = Outcomes::default();
        for w in ["Closed Won", "won", "赢单", "成交", " WON "] {
            assert_eq!(o.status_of(w), Status::Won, "{w}");
        }
        for l in [
            "Closed Lost",
            "Lost",
            "输单",
            "丢单",
            "Closed Lost to Competition",
        ] {
            assert_eq!(o.status_of(l), Status::Lost, "{l}");
        }
        assert_eq!(o.status_of("无效"), Status::Invalid);
        assert_eq!(o.status_of("Negotiation/Review"), Status::Open);
    }

    #[test]
    fn config_labels_extend_the_builtins() {
        let o = Outcomes {
            won: vec!["Signed".into()],
            lost: vec![],
            invalid: vec!["Spam".into()],
        };
        assert_eq!(o.status_of("signed"), Status::Won);
        assert_eq!(o.status_of("SPAM"), Status::Invalid);
    }

    #[test]
    fn status_column_values() {
        let o = Outcomes::default();
        assert_eq!(o.parse_status("Open"), Some(Status::Open));
        assert_eq!(o.parse_status("Won"), Some(Status::Won));
        assert_eq!(o.parse_status("lost"), Some(Status::Lost));
        assert_eq!(o.parse_status("maybe"), None);
    }
}
