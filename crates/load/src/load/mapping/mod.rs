//! Which export column feeds which canonical field: `--map` first, then the config's `[map]`, then
//! the preset's own map, then the generic synonyms. Unmapped columns are kept under their
//! snake_cased header.

use std::cell::RefCell;
use std::collections::HashMap;

use csv::StringRecord;

use super::Settings;
use super::parse::{date, money};
use super::preset::Preset;
use super::synonyms::{self, COALESCE, PSEUDO, alt_key, key};
use crate::error::{Error, Result, closest};
use crate::model::{Kind, Table, snake_case};
use crate::text::Text;

mod plans;
mod sample;

use plans::*;
pub(crate) use sample::*;

/// How one field is read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    pub field: &'static str,
    #[serde(skip)]
    pub(crate) kind: Kind,
    /// Source columns (several only for coalesced fields).
    #[serde(skip)]
    pub(crate) cols: Vec<usize>,
    pub header: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// `map` (--map or config), `preset` or `synonym`.
    pub by: &'static str,
    /// Read for the loader's own use only (the command does not read it): a bad cell leaves it
    /// empty instead of rejecting the row.
    #[serde(skip)]
    pub(crate) soft: bool,
}

/// The mapping of one file.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    pub(crate) table: Table,
    pub(crate) plans: Vec<Plan>,
    /// (column index, snake_cased name) of columns kept as extras.
    pub(crate) extras: Vec<(usize, String)>,
    /// Candidate columns whose values failed the check for a field: (field, header, why).
    pub(crate) refused: Vec<(&'static str, String, Text)>,
    /// Mapped fields whose values passed their check (typed fields only).
    pub(crate) checked: usize,
    /// Null markers found in mapped date columns: (marker, header, times seen in the sample).
    pub(crate) markers: Vec<(String, String, usize)>,
}

impl Mapping {
    pub(crate) fn has(&self, field: &str) -> bool {
        self.plans.iter().any(|p| p.field == field)
    }

    /// The (first) column a field is read from.
    pub(crate) fn col_of(&self, field: &str) -> Option<usize> {
        self.plans
            .iter()
            .find(|p| p.field == field)
            .and_then(|p| p.cols.first().copied())
    }
}

fn kind_of(table: Table, field: &str) -> Kind {
    match field {
        "close_date" => Kind::DateTime,
        "active" | "won_flag" | "closed_flag" => Kind::Bool,
        "approval" | "semantic" => Kind::Text,
        f => table.field(f).map_or(Kind::Text, |f| f.kind),
    }
}

fn static_field(table: Table, name: &str) -> Option<&'static str> {
    table
        .field(name)
        .map(|f| f.name)
        .or_else(|| PSEUDO.iter().copied().find(|p| *p == name))
}

/// Decide the table and the mapping.
pub(crate) fn resolve(
    headers: &[String],
    preset: Option<&Preset>,
    s: &Settings,
    file: &str,
    sample: &Sample,
) -> Result<Mapping> {
    let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
    let alts: Vec<Option<String>> = headers.iter().map(|h| alt_key(h)).collect();
    let user_maps: Vec<(String, String)> = s.map.clone();
    let table = match (s.table, preset) {
        (Some(t), _) => t,
        (None, Some(p)) => p.table,
        (None, None) => guess_table(&keys, &alts, &user_maps),
    };
    let mut check = Check {
        sample,
        headers,
        table,
        refused: Vec::new(),
        checked: 0,
        markers: Vec::new(),
    };
    let find_header = |h: &str| -> Option<usize> {
        headers
            .iter()
            .position(|x| x == h)
            .or_else(|| headers.iter().position(|x| x.eq_ignore_ascii_case(h)))
            .or_else(|| {
                let k = key(h);
                keys.iter().position(|x| *x == k)
            })
    };
    let mut plans: Vec<Plan> = Vec::new();
    let mut used = vec![false; headers.len()];
    // 1. user maps
    for (field, header) in &user_maps {
        let (f, col) = user_map(table, (field, header), &find_header, file, headers)?;
        used[col] = true;
        plans.retain(|p| p.field != f);
        plans.push(Plan {
            field: f,
            kind: kind_of(table, f),
            cols: vec![col],
            header: headers[col].clone(),
            headers: vec![],
            by: "map",
            soft: false,
        });
    }
    // 2. preset maps
    if let Some(p) = preset {
        for (field, hk) in &p.map {
            let Some(field) = static_field(table, field) else {
                continue;
            };
            if plans.iter().any(|x| x.field == field) {
                continue;
            }
            let col = keys
                .iter()
                .position(|k| k == hk)
                .or_else(|| alts.iter().position(|a| a.as_deref() == Some(hk.as_str())))
                .filter(|&c| !used[c]);
            if let Some(col) = col.filter(|&c| check.accept(field, c)) {
                used[col] = true;
                plans.push(Plan {
                    field,
                    kind: kind_of(table, field),
                    cols: vec![col],
                    header: headers[col].clone(),
                    headers: vec![],
                    by: "preset",
                    soft: false,
                });
            }
        }
    }
    // 3. synonyms, in priority order
    synonym_plans(&mut check, (&keys, &alts), &mut used, &mut plans);
    for p in &mut plans {
        if p.headers.is_empty() {
            p.headers = vec![p.header.clone()];
        }
    }
    require_fields(table, &plans, preset, file, headers)?;
    let extras = extra_columns(table, headers, &used);
    // A refused column that another field took is no news.
    let Check {
        mut refused,
        checked,
        markers,
        ..
    } = check;
    refused.retain(|(f, h, _)| {
        !plans.iter().any(|p| p.field == *f) && !plans.iter().any(|p| p.headers.contains(h))
    });
    refused.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);

    Ok(Mapping {
        table,
        plans,
        extras,
        refused,
        checked,
        markers,
    })
}

/// Candidate columns checked against their field's kind: a typed field's column must read as
/// that type (90% of sample values). What failed, how many passed, and the null markers seen.
struct Check<'a> {
    sample: &'a Sample<'a>,
    headers: &'a [String],
    table: Table,
    refused: Vec<(&'static str, String, Text)>,
    checked: usize,
    markers: Vec<(String, String, usize)>,
}

impl Check<'_> {
    /// Does column `col` read as `field`'s kind? A failure is kept with its reason.
    fn accept(&mut self, field: &'static str, col: usize) -> bool {
        let kind = kind_of(self.table, field);
        match self.sample.fit(col, kind) {
            Some(f) if f.n > 0 && !f.passes() => {
                self.refused
                    .push((field, self.headers[col].clone(), misfit_words(kind, &f)));
                false
            }
            Some(f) if f.n > 0 => {
                self.checked += 1;
                for (m, k) in &f.markers {
                    self.markers
                        .push((m.clone(), self.headers[col].clone(), *k));
                }
                true
            }
            _ => true,
        }
    }
}

const ORDER: [Table; 7] = [
    Table::Deals,
    Table::Orders,
    Table::StageEvents,
    Table::Targets,
    Table::Spend,
    Table::Activities,
    Table::Feedback,
];

/// For files no preset knows: the table whose required fields the headers satisfy, preferring
/// deals, then orders, stage events, targets, spend, activities, feedback.
fn guess_table(keys: &[String], alts: &[Option<String>], user_maps: &[(String, String)]) -> Table {
    let has = |t: Table, f: &str| {
        user_maps.iter().any(|(uf, _)| uf == f)
            || synonyms::for_table(t).iter().any(|(sf, syns)| {
                *sf == f
                    && syns.iter().any(|s| {
                        keys.iter().any(|k| k == s) || alts.iter().any(|a| a.as_deref() == Some(*s))
                    })
            })
    };
    let satisfies = |t: Table| {
        t.required()
            .iter()
            .all(|alts| alts.iter().any(|f| has(t, f)))
    };
    // A stage-entry column (not a generic date) marks a stage history, even though its stage
    // column would also satisfy a deals table.
    let entry = [
        "enteredat",
        "entereddate",
        "dateentered",
        "changedate",
        "changedat",
        "变更时间",
    ];
    if keys.iter().any(|k| entry.contains(&k.as_str())) && satisfies(Table::StageEvents) {
        return Table::StageEvents;
    }
    // `--map ordered_at=Date --map amount=Sales` on a plain series: the table whose fields the
    // user named, when deals lacks one of them.
    if !user_maps.is_empty()
        && user_maps
            .iter()
            .any(|(f, _)| Table::Deals.field(f).is_none())
    {
        if let Some(t) = ORDER
            .into_iter()
            .find(|t| user_maps.iter().all(|(f, _)| t.field(f).is_some()) && satisfies(*t))
        {
            return t;
        }
    }
    ORDER
        .into_iter()
        .find(|t| satisfies(*t))
        .unwrap_or(Table::Deals)
}
