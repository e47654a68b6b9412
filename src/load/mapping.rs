//! Which export column feeds which canonical field: `--map` first, then the config's `[map]`, then
//! the preset's own map, then the generic synonyms. Unmapped columns are kept under their
//! snake_cased header.

use super::Settings;
use super::preset::Preset;
use super::synonyms::{self, COALESCE, PSEUDO, key};
use crate::error::{Error, Result, closest};
use crate::model::{Kind, Table, snake_case};

/// How one field is read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    pub field: &'static str,
    #[serde(skip)]
    pub kind: Kind,
    /// Source columns (several only for coalesced fields).
    #[serde(skip)]
    pub cols: Vec<usize>,
    pub header: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// `map` (--map or config), `preset` or `synonym`.
    pub by: &'static str,
}

/// The mapping of one file.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub table: Table,
    pub plans: Vec<Plan>,
    /// (column index, snake_cased name) of columns kept as extras.
    pub extras: Vec<(usize, String)>,
}

impl Mapping {
    pub fn has(&self, field: &str) -> bool {
        self.plans.iter().any(|p| p.field == field)
    }
}

fn kind_of(table: Table, field: &str) -> Kind {
    match field {
        "close_date" => Kind::DateTime,
        "active" => Kind::Bool,
        "approval" => Kind::Text,
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
pub fn resolve(
    headers: &[String],
    preset: Option<&Preset>,
    s: &Settings,
    file: &str,
) -> Result<Mapping> {
    let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
    let user_maps: Vec<(String, String)> = s.map.clone();
    let table = match (s.table, preset) {
        (Some(t), _) => t,
        (None, Some(p)) => p.table,
        (None, None) => guess_table(&keys, &user_maps),
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
        let Some(f) = static_field(table, field) else {
            let names: Vec<&str> = table.fields().iter().map(|f| f.name).collect();
            let hint = closest(field, names.iter().copied())
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            return Err(Error::Usage(format!(
                "--map {field}={header}: `{field}` is not a field of {table}{hint}; fields: {}",
                names.join(", ")
            )));
        };
        let Some(col) = find_header(header) else {
            return Err(missing(
                file,
                f,
                &format!("--map {field}={header}"),
                header,
                headers,
            ));
        };
        used[col] = true;
        plans.retain(|p| p.field != f);
        plans.push(Plan {
            field: f,
            kind: kind_of(table, f),
            cols: vec![col],
            header: headers[col].clone(),
            headers: vec![],
            by: "map",
        });
    }
    // 2. preset maps
    if let Some(p) = preset {
        for (field, hk) in p.map {
            if plans.iter().any(|x| x.field == *field) {
                continue;
            }
            if let Some(col) = keys.iter().position(|k| k == hk).filter(|&c| !used[c]) {
                used[col] = true;
                plans.push(Plan {
                    field,
                    kind: kind_of(table, field),
                    cols: vec![col],
                    header: headers[col].clone(),
                    headers: vec![],
                    by: "preset",
                });
            }
        }
    }
    // 3. synonyms, in priority order
    for (field, syns) in synonyms::for_table(table) {
        if plans.iter().any(|x| x.field == *field) {
            continue;
        }
        let mut cols = Vec::new();
        for syn in *syns {
            for (c, k) in keys.iter().enumerate() {
                if k == syn && !used[c] && !cols.contains(&c) {
                    cols.push(c);
                }
            }
            if !cols.is_empty() && !COALESCE.contains(field) {
                break;
            }
        }
        if cols.is_empty() {
            continue;
        }
        if !COALESCE.contains(field) {
            cols.truncate(1);
        }
        for &c in &cols {
            used[c] = true;
        }
        let hs: Vec<String> = cols.iter().map(|&c| headers[c].clone()).collect();
        plans.push(Plan {
            field,
            kind: kind_of(table, field),
            header: hs.join(" | "),
            headers: if hs.len() > 1 { hs } else { vec![] },
            cols,
            by: "synonym",
        });
    }
    for p in &mut plans {
        if p.headers.is_empty() {
            p.headers = vec![p.header.clone()];
        }
    }
    // required fields
    for alts in table.required() {
        if !alts.iter().any(|f| plans.iter().any(|p| p.field == *f)) {
            let why = format!(
                "{table} need {}",
                alts.iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            );
            return Err(missing(file, alts[0], &why, alts[0], headers));
        }
    }
    // extras: everything unused, except HubSpot stage-time columns
    let mut extras = Vec::new();
    let mut taken: Vec<String> = table.fields().iter().map(|f| f.name.to_string()).collect();
    for (c, h) in headers.iter().enumerate() {
        if used[c] || is_stage_time_column(h) {
            continue;
        }
        let mut name = if h.trim().is_empty() {
            format!("column_{}", c + 1)
        } else {
            snake_case(h)
        };
        while taken.contains(&name) {
            name.push_str("_2");
        }
        taken.push(name.clone());
        extras.push((c, name));
    }
    Ok(Mapping {
        table,
        plans,
        extras,
    })
}

fn is_stage_time_column(h: &str) -> bool {
    [
        "Date entered ",
        "Date exited ",
        "Latest time in ",
        "Cumulative time in ",
        "Time in ",
    ]
    .iter()
    .any(|p| h.starts_with(p))
}

fn missing(file: &str, field: &str, why: &str, wanted: &str, headers: &[String]) -> Error {
    let hint = closest(wanted, headers.iter().map(String::as_str))
        .map(|c| format!("; closest: {c:?} (use --map {field}={c:?})"))
        .unwrap_or_else(|| format!("; use --map {field}=HEADER"));
    Error::MissingColumn {
        file: file.into(),
        field: field.into(),
        why: why.into(),
        found: headers
            .iter()
            .map(|h| format!("{h:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        hint,
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
fn guess_table(keys: &[String], user_maps: &[(String, String)]) -> Table {
    let has = |t: Table, f: &str| {
        user_maps.iter().any(|(uf, _)| uf == f)
            || synonyms::for_table(t)
                .iter()
                .any(|(sf, syns)| *sf == f && syns.iter().any(|s| keys.contains(&s.to_string())))
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
