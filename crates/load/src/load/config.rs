//! `salesctl.toml`: mapping, stage orders, labels and locale settings (docs/config.md, key by key).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::text::Text;

/// The config file, every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Preset to use (`auto` by default).
    pub(crate) preset: Option<String>,
    /// Output language: `en` or `zh-CN`.
    pub lang: Option<String>,
    /// canonical field -> export header.
    #[serde(default)]
    pub(crate) map: BTreeMap<String, String>,
    /// pipeline name (or `default`) -> ordered open stages.
    #[serde(default)]
    pub(crate) stages: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub(crate) won_labels: Vec<String>,
    #[serde(default)]
    pub(crate) lost_labels: Vec<String>,
    #[serde(default)]
    pub(crate) invalid_labels: Vec<String>,
    /// Order of ambiguous slash dates (`03/04/2026`): true = day first.
    pub(crate) day_first: Option<bool>,
    /// `1.234` means one thousand two hundred thirty-four (European locale).
    pub(crate) decimal_comma: Option<bool>,
    /// ISO code for amounts without a currency, and for `$` / `¥` alone.
    pub(crate) currency: Option<String>,
    /// Cell texts read as empty, beside the built-in ones.
    #[serde(default)]
    pub(crate) null_markers: Vec<String>,
    /// Rejected data rows a file may have before it is refused: a count or a share (`"10%"`).
    pub(crate) max_rejects: Option<toml::Value>,
    /// `UTC` or a fixed offset such as `+08:00`.
    pub(crate) timezone: Option<String>,
    /// First month of the fiscal year, 1-12.
    pub(crate) fiscal_year_start: Option<u32>,
    /// `monday` (default) or `sunday`.
    pub(crate) week_start: Option<String>,
    /// The stage a deal must reach to count as qualified.
    pub qualified_stage: Option<String>,
    /// Stage -> time limit (`"3d"`, `"2w"`): SLA breaches and stuck deals.
    #[serde(default)]
    pub sla: BTreeMap<String, String>,
    /// `salesctl check` rules.
    #[serde(default)]
    pub check: CheckConfig,
    /// `salesctl report` options.
    #[serde(default)]
    pub report: ReportConfig,
    /// `[[input]]` sections: preset, table and mapping for the inputs whose path matches.
    #[serde(default)]
    pub(crate) input: Vec<InputSection>,
}

/// `[[input]]`: settings scoped to the inputs whose file name or path matches `path` (a glob
/// with `*` and `?`), e.g. an Opportunity table and its history read in one call.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InputSection {
    pub(crate) path: String,
    pub(crate) preset: Option<String>,
    #[serde(rename = "as")]
    pub(crate) table: Option<String>,
    #[serde(default)]
    pub(crate) map: BTreeMap<String, String>,
}

/// `[report]`: which sections `salesctl report` writes (all when empty).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    #[serde(default)]
    pub sections: Vec<String>,
}

/// `[check]`: rules `salesctl check` always applies.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    #[serde(default)]
    pub rules: Vec<String>,
}

/// Built-in null markers (compared case-insensitively after trimming).
pub(crate) const NULL_MARKERS: &[&str] = &[
    "", "na", "n/a", "null", "none", "-", "--", "select", "#n/a", "nan", "(blank)", "\\n",
    "(null)", "<null>", "nil",
];

impl Config {
    /// The calendar of the config's `fiscal_year_start` and `week_start`.
    pub(crate) fn calendar(&self) -> crate::period::Calendar {
        let week_start = match self
            .week_start
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("sunday" | "sun") => chrono::Weekday::Sun,
            Some("saturday" | "sat") => chrono::Weekday::Sat,
            _ => chrono::Weekday::Mon,
        };
        crate::period::Calendar {
            fiscal_year_start: self.fiscal_year_start.unwrap_or(1).clamp(1, 12),
            week_start,
        }
    }

    /// Load `--config FILE`, else `salesctl.toml` in the working directory when present.
    pub(crate) fn load(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>)> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from("salesctl.toml");
                if !p.is_file() {
                    return Ok((Config::default(), None));
                }
                p
            }
        };
        crate::io::note_input(&path);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let cfg = Config::parse(&text).map_err(|e| {
            let p = path.display();
            Error::input(Text {
                en: format!("{p}: {}", e.en),
                zh: e.zh.map(|z| format!("{p}：{z}")),
            })
        })?;
        Ok((cfg, Some(path)))
    }

    pub(crate) fn parse(text: &str) -> Result<Config, Text> {
        let cfg: Config = toml::from_str(text).map_err(|e| {
            // untranslated: the TOML parser's own message
            Text::from(e.to_string().trim().replace('\n', " "))
        })?;
        if let Some(m) = cfg.fiscal_year_start {
            if !(1..=12).contains(&m) {
                return Err(crate::tr!(
                    "fiscal_year_start = {m}, expected a month number 1-12",
                    "fiscal_year_start = {m}，应为月份数字 1-12"
                ));
            }
        }
        if let Some(w) = &cfg.week_start {
            if !matches!(w.to_lowercase().as_str(), "monday" | "sunday") {
                return Err(crate::tr!(
                    "week_start = {w:?}, expected \"monday\" or \"sunday\"",
                    "week_start = {w:?}，应为 \"monday\" 或 \"sunday\""
                ));
            }
        }
        if let Some(tz) = &cfg.timezone {
            tz_offset_secs(tz)?;
        }
        Ok(cfg)
    }
}

/// `UTC`, `Z`, `+08:00`, `-0500`, `UTC+8` -> seconds east of UTC.
pub(crate) fn tz_offset_secs(tz: &str) -> Result<i32, Text> {
    let t = tz.trim();
    let upper = t.to_ascii_uppercase();
    let rest = upper
        .strip_prefix("UTC")
        .or_else(|| upper.strip_prefix("GMT"))
        .unwrap_or(&upper);
    if rest.is_empty() || rest == "Z" {
        return Ok(0);
    }
    let named = match t {
        "Asia/Shanghai" | "Asia/Hong_Kong" | "Asia/Taipei" | "Asia/Singapore" => Some(8 * 3600),
        "Asia/Tokyo" | "Asia/Seoul" => Some(9 * 3600),
        _ => None,
    };
    if let Some(s) = named {
        return Ok(s);
    }
    let bad = || {
        crate::tr!(
            "timezone = {tz:?}: expected UTC or a fixed offset such as +08:00",
            "timezone = {tz:?}：应为 UTC 或固定时差，如 +08:00"
        )
    };
    let (sign, digits) = match rest.as_bytes().first() {
        Some(b'+') => (1, &rest[1..]),
        Some(b'-') => (-1, &rest[1..]),
        _ => return Err(bad()),
    };
    let digits = digits.replace(':', "");
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().map_err(|_| bad())?, 0),
        4 => (
            digits[..2].parse::<i32>().map_err(|_| bad())?,
            digits[2..].parse::<i32>().map_err(|_| bad())?,
        ),
        _ => return Err(bad()),
    };
    if h > 14 || m > 59 {
        return Err(bad());
    }
    Ok(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_key() {
        let c = Config::parse(
            r#"
preset = "wukong"
lang = "zh-CN"
day_first = true
decimal_comma = false
currency = "CNY"
null_markers = ["暂无"]
timezone = "+08:00"
fiscal_year_start = 4
week_start = "sunday"
qualified_stage = "需求分析"
won_labels = ["签约"]
lost_labels = ["放弃"]
invalid_labels = ["重复"]
[map]
deal_id = "商机编号"
[stages]
default = ["验证客户", "需求分析", "方案/报价"]
[sla]
"验证客户" = "3d"
"#,
        )
        .unwrap();
        assert_eq!(c.fiscal_year_start, Some(4));
        assert_eq!(c.map["deal_id"], "商机编号");
        assert_eq!(c.stages["default"].len(), 3);
        assert_eq!(c.day_first, Some(true));
        assert_eq!(c.sla["验证客户"], "3d");
    }

    #[test]
    fn rejects_unknown_keys_and_bad_values() {
        assert!(
            Config::parse("colour = 1")
                .unwrap_err()
                .en
                .contains("colour")
        );
        assert!(Config::parse("fiscal_year_start = 13").is_err());
        assert!(Config::parse("week_start = \"friday\"").is_err());
        assert!(Config::parse("timezone = \"Mars/Base\"").is_err());
    }

    #[test]
    fn timezones() {
        assert_eq!(tz_offset_secs("UTC"), Ok(0));
        assert_eq!(tz_offset_secs("+08:00"), Ok(28800));
        assert_eq!(tz_offset_secs("-0530"), Ok(-19800));
        assert_eq!(tz_offset_secs("UTC+8"), Ok(28800));
        assert_eq!(tz_offset_secs("Asia/Shanghai"), Ok(28800));
    }
}
