//! Presets: the layouts of known CRM exports, recognised from their headers.

use super::synonyms::key;
use crate::model::Table;

/// Special handling a layout needs beyond header mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Special {
    #[default]
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

/// A known export layout, read from `presets.toml` (the layouts are data, not code).
#[derive(Debug)]
pub(crate) struct Preset {
    pub(crate) name: String,
    pub(crate) table: Table,
    /// Header keys that identify the layout.
    pub(crate) signature: Vec<String>,
    /// Header keys that say the file is another layout.
    pub(crate) contra: Vec<String>,
    /// Explicit (field, header key) mappings that win over the generic synonyms.
    pub(crate) map: Vec<(String, String)>,
    /// Currency assumed when a row carries none.
    pub(crate) currency: Option<String>,
    pub(crate) special: Special,
    /// The vendor's default open stages, in order.
    pub(crate) stages: Vec<String>,
    /// Outcome labels of this vendor, beside the built-in ones.
    pub(crate) won: Vec<String>,
    pub(crate) lost: Vec<String>,
    /// Boolean outcome columns (IsWon / IsClosed) decide over the stage label.
    pub(crate) flags_win: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPreset {
    name: String,
    /// A line for whoever reads presets.toml: accepted (unknown keys are refused), not shown.
    #[serde(rename = "about")]
    _about: String,
    table: String,
    signature: Vec<String>,
    #[serde(default)]
    contra: Vec<String>,
    #[serde(default)]
    map: std::collections::BTreeMap<String, OneOrMany>,
    currency: Option<String>,
    #[serde(default)]
    special: Special,
    #[serde(default)]
    stages: Vec<String>,
    #[serde(default)]
    won: Vec<String>,
    #[serde(default)]
    lost: Vec<String>,
    #[serde(default)]
    flags_win: bool,
}

/// A map value: one header, or headers in priority order.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(serde::Deserialize)]
struct RawFile {
    preset: Vec<RawPreset>,
}

/// The layouts file, compiled in.
pub(crate) const PRESETS_TOML: &str = include_str!("presets.toml");

/// Every known layout, in the order of presets.toml.
pub(crate) fn presets() -> &'static [Preset] {
    static P: std::sync::OnceLock<Vec<Preset>> = std::sync::OnceLock::new();
    P.get_or_init(|| parse_presets(PRESETS_TOML).unwrap_or_else(|e| panic!("presets.toml: {e}")))
}

fn parse_presets(text: &str) -> Result<Vec<Preset>, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string())?;
    raw.preset
        .into_iter()
        .map(|r| {
            let table =
                Table::parse(&r.table).ok_or_else(|| format!("{}: table {:?}", r.name, r.table))?;
            Ok(Preset {
                table,
                signature: r.signature.iter().map(|h| key(h)).collect(),
                contra: r.contra.iter().map(|h| key(h)).collect(),
                map: r
                    .map
                    .into_iter()
                    .flat_map(|(f, h)| {
                        let hs = match h {
                            OneOrMany::One(x) => vec![x],
                            OneOrMany::Many(v) => v,
                        };
                        hs.into_iter().map(move |x| (f.clone(), key(&x)))
                    })
                    .collect(),
                currency: r.currency,
                special: r.special,
                stages: r.stages,
                won: r.won,
                lost: r.lost,
                flags_win: r.flags_win,
                name: r.name,
            })
        })
        .collect()
}

/// The names `--preset` accepts.
pub(crate) fn names() -> Vec<&'static str> {
    let mut v: Vec<&str> = vec!["auto", "generic"];
    v.extend(presets().iter().map(|p| p.name.as_str()));
    v
}

pub(crate) fn by_name(name: &str) -> Option<&'static Preset> {
    presets().iter().find(|p| p.name == name)
}

/// How many of a preset's signature headers the file has, and which (header texts).
pub(crate) fn signature_hits<'h>(
    p: &Preset,
    headers: &'h [String],
    keys: &[String],
) -> Vec<&'h str> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (h, k) in headers.iter().zip(keys) {
        if let Some(s) = p.signature.iter().find(|s| *s == k) {
            if !seen.contains(&s.as_str()) {
                seen.push(s);
                out.push(h.as_str());
            }
        }
    }
    out
}

/// The headers of the file that contradict a preset.
pub(crate) fn contra_hits<'h>(p: &Preset, headers: &'h [String], keys: &[String]) -> Vec<&'h str> {
    headers
        .iter()
        .zip(keys)
        .filter(|(_, k)| p.contra.contains(k))
        .map(|(h, _)| h.as_str())
        .collect()
}

/// Does a file with these headers carry HubSpot's wide stage columns?
pub(crate) fn hubspot_wide(headers: &[String]) -> bool {
    headers
        .iter()
        .any(|h| h.starts_with("Date entered \"") || h.starts_with("Date entered '"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_file_parses_and_maps_name_real_fields() {
        let ps = presets();
        assert!(ps.len() >= 18, "{}", ps.len());
        for p in ps {
            assert!(!p.signature.is_empty(), "{}", p.name);
            for (f, _) in &p.map {
                assert!(
                    p.table.field(f).is_some()
                        || super::super::synonyms::PSEUDO.contains(&f.as_str()),
                    "{}: {f}",
                    p.name
                );
            }
        }
        let mut names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ps.len(), "preset names are unique");
    }

    #[test]
    fn signatures_are_compared_as_keys() {
        let p = by_name("salesforce_object").unwrap();
        assert!(p.signature.contains(&"ownername".to_string()));
        assert!(p.signature.contains(&"iswon".to_string()));
        let z = by_name("zoho_api").unwrap();
        assert!(z.signature.contains(&"reasonforlosss".to_string()));
    }
}
