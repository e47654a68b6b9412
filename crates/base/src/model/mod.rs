//! The canonical data model (../shared/SCHEMA.md): tables, their fields and types. Field names are a
//! contract: users type them in `--map field=Header` and `--by field`.

pub mod keys;
pub mod kpi;
pub mod pipeline;

use std::fmt;

/// A canonical table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    Deals,
    StageEvents,
    Orders,
    Spend,
    Targets,
    Activities,
    Feedback,
}

impl Table {
    pub const ALL: [Table; 7] = [
        Table::Deals,
        Table::StageEvents,
        Table::Orders,
        Table::Spend,
        Table::Targets,
        Table::Activities,
        Table::Feedback,
    ];

    /// The snake_case name, also the parquet file stem in an ingested DIR.
    pub fn name(self) -> &'static str {
        match self {
            Table::Deals => "deals", // not a KPI: a table name
            Table::StageEvents => "stage_events",
            Table::Orders => "orders",
            Table::Spend => "spend",
            Table::Targets => "targets",
            Table::Activities => "activities",
            Table::Feedback => "feedback",
        }
    }

    pub fn parse(s: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == s)
    }

    /// The table's canonical fields, in output order.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Table::Deals => DEALS,
            Table::StageEvents => STAGE_EVENTS,
            Table::Orders => ORDERS,
            Table::Spend => SPEND,
            Table::Targets => TARGETS,
            Table::Activities => ACTIVITIES,
            Table::Feedback => FEEDBACK,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.name == name)
    }

    /// Fields without which a file cannot be this table (any one of each inner list).
    pub fn required(self) -> &'static [&'static [&'static str]] {
        match self {
            Table::Deals => &[&["stage", "status"]],
            Table::StageEvents => &[&["deal_id"], &["stage"], &["entered_at"]],
            Table::Orders => &[&["ordered_at"], &["amount"]],
            Table::Spend => &[&["period"], &["spend"]],
            Table::Targets => &[&["key"], &["period"], &["target"]],
            Table::Activities => &[&["owner"], &["at"]],
            Table::Feedback => &[&["deal_id", "customer_id"], &["score"]],
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The type a canonical field is normalised to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, kept as written (trimmed).
    Text,
    /// Text with few distinct values (owner, stage, status, currency...): kept as written,
    /// stored dictionary-coded (a Categorical column in memory and in an ingested DIR).
    Label,
    /// A datetime (naive, millisecond precision).
    DateTime,
    /// A money amount; its currency goes to the table's `currency` field.
    Money,
    /// A plain number.
    Number,
    /// A probability or ratio: `30%` and `30` become 0.3, `0.3` stays.
    Fraction,
    /// A month, quarter or year label (`2026-10`, `2026-Q4`, `2026`), or a date.
    Period,
    /// true / false (Active columns).
    Bool,
}

/// One canonical field.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
}

const fn f(name: &'static str, kind: Kind) -> Field {
    Field { name, kind }
}

use Kind::*;

static DEALS: &[Field] = &[
    f("deal_id", Text),
    f("deal_name", Text),
    f("account", Text),
    f("owner", Label),
    f("team", Label),
    f("region", Label),
    f("product", Label),
    f("source", Label),
    f("pipeline", Label),
    f("stage", Label),
    f("stage_entered_at", DateTime),
    f("status", Label),
    f("amount", Money),
    f("currency", Label),
    f("probability", Fraction),
    f("created_at", DateTime),
    f("closed_at", DateTime),
    f("expected_close_at", DateTime),
    f("lost_reason", Label),
    f("modified_at", DateTime),
];

static STAGE_EVENTS: &[Field] = &[
    f("deal_id", Text),
    f("pipeline", Label),
    f("stage", Label),
    f("entered_at", DateTime),
    f("exited_at", DateTime),
    f("entered_at_min", DateTime),
    f("entered_at_max", DateTime),
    f("owner", Label),
    f("amount", Money),
    f("currency", Label),
];

static ORDERS: &[Field] = &[
    f("order_id", Text),
    f("customer_id", Text),
    f("ordered_at", DateTime),
    f("amount", Money),
    f("currency", Label),
    f("quantity", Number),
    f("margin", Number),
    f("channel", Label),
    f("product", Label),
    f("region", Label),
];

static SPEND: &[Field] = &[
    f("period", Period),
    f("channel", Label),
    f("spend", Money),
    f("currency", Label),
];

static TARGETS: &[Field] = &[
    f("dimension", Label),
    f("key", Text),
    f("period", Period),
    f("target", Number),
    f("metric", Label),
];

static ACTIVITIES: &[Field] = &[
    f("owner", Label),
    f("at", DateTime),
    f("kind", Label),
    f("deal_id", Text),
    f("duration_minutes", Number),
];

static FEEDBACK: &[Field] = &[
    f("deal_id", Text),
    f("customer_id", Text),
    f("at", DateTime),
    f("score", Number),
    f("scale", Label),
];

/// Deal status, from a status column or from the stage label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Open,
    Won,
    Lost,
    Invalid,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open", // not a KPI: status words
            Status::Won => "won",   // not a KPI: status words
            Status::Lost => "lost", // not a KPI: status words
            Status::Invalid => "invalid",
        }
    }

    pub fn is_closed(self) -> bool {
        !matches!(self, Status::Open)
    }
}

/// `Deal Type` -> `deal_type`, `Date entered "X (Y)"` -> `date_entered_x_y`; CJK kept as is.
pub fn snake_case(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut pending_sep = false;
    for ch in header.trim().chars() {
        if ch.is_alphanumeric() {
            if pending_sep && !out.is_empty() {
                out.push('_');
            }
            pending_sep = false;
            out.extend(ch.to_lowercase());
        } else {
            pending_sep = true;
        }
    }
    if out.is_empty() {
        "column".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_headers() {
        assert_eq!(snake_case("Deal Type"), "deal_type");
        assert_eq!(snake_case("Deal - Lost reason"), "deal_lost_reason");
        assert_eq!(snake_case("  Probability (%) "), "probability");
        assert_eq!(snake_case("相关团队"), "相关团队");
        assert_eq!(snake_case("***"), "column");
    }

    #[test]
    fn every_required_field_exists() {
        for t in Table::ALL {
            for alts in t.required() {
                for name in *alts {
                    assert!(t.field(name).is_some(), "{t}.{name}");
                }
            }
        }
    }
}
