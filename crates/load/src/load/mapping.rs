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

/// Share of a column's sample values that read as a field's kind: (fit, non-empty, first misfit).
#[derive(Debug, Clone, Default)]
pub(crate) struct Fit {
    pub(crate) ok: usize,
    pub(crate) n: usize,
    pub(crate) misfit: Option<String>,
    /// Non-date words that repeat in a date column (`Not set`, `TBD`): null markers of the file,
    /// with how often each was seen. Not counted in `n`.
    pub(crate) markers: Vec<(String, usize)>,
}

impl Fit {
    /// At least 90% of the non-empty sample values read. Under 5 values are too few to judge
    /// a share: such a column fails only when none of them reads.
    pub(crate) fn passes(&self) -> bool {
        if self.n < 5 {
            return self.n == 0 || self.ok > 0;
        }
        self.ok * 10 >= self.n * 9
    }
}

/// The first data rows of a file, for checking candidate columns against their values.
pub(crate) struct Sample<'a> {
    pub(crate) rows: &'a [StringRecord],
    s: &'a Settings,
    cache: RefCell<HashMap<(usize, u8), Fit>>,
}

/// The kinds whose values are checked, as cache keys.
fn kind_code(k: Kind) -> Option<u8> {
    match k {
        Kind::DateTime => Some(1),
        Kind::Money | Kind::Number | Kind::Fraction => Some(2),
        Kind::Bool => Some(3),
        _ => None,
    }
}

/// Values a boolean outcome or flag column holds.
pub(crate) fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "true" | "yes" | "1" | "y" | "t" | "是" | "si" | "sí" | "sim" | "oui" | "ja" | "да" => {
            Some(true)
        }
        "false" | "no" | "0" | "n" | "f" | "否" | "não" | "nao" | "non" | "nein" | "нет" => {
            Some(false)
        }
        _ => None,
    }
}

impl<'a> Sample<'a> {
    pub(crate) fn new(rows: &'a [StringRecord], s: &'a Settings) -> Sample<'a> {
        Sample {
            rows,
            s,
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// How the values of column `col` read as `kind`; None for kinds that are not checked.
    pub(crate) fn fit(&self, col: usize, kind: Kind) -> Option<Fit> {
        let code = kind_code(kind)?;
        if let Some(f) = self.cache.borrow().get(&(col, code)) {
            return Some(f.clone());
        }
        let mut fit = Fit::default();
        let mut ev = date::OrderEvidence::default();
        let mut misfits: HashMap<&str, usize> = HashMap::new();
        for r in self.rows {
            let v = r.get(col).unwrap_or("").trim();
            if self.s.is_null(v) || (code == 1 && date::is_zero_date(v)) {
                continue;
            }
            fit.n += 1;
            let ok = match code {
                1 => date::parse(v, &self.s.date_ctx, &mut ev).is_ok(),
                2 => money::parse(v, self.s.decimal_comma).is_some(),
                _ => parse_bool(v).is_some(),
            };
            if ok {
                fit.ok += 1;
            } else {
                if fit.misfit.is_none() {
                    fit.misfit = Some(v.chars().take(40).collect());
                }
                *misfits.entry(v).or_default() += 1;
            }
        }
        // In a date column, a word without digits that repeats is the export's null marker.
        if code == 1 && fit.ok > 0 {
            let mut markers: Vec<(String, usize)> = misfits
                .into_iter()
                .filter(|(v, k)| {
                    *k >= 2 && !v.chars().any(|c| c.is_ascii_digit()) && v.chars().count() <= 24
                })
                .map(|(v, k)| (v.to_string(), k))
                .collect();
            markers.sort();
            let taken: usize = markers.iter().map(|(_, k)| k).sum();
            fit.n -= taken;
            if taken > 0
                && fit
                    .misfit
                    .as_deref()
                    .is_some_and(|m| markers.iter().any(|(x, _)| x == m))
            {
                fit.misfit = None;
            }
            fit.markers = markers;
        }
        self.cache.borrow_mut().insert((col, code), fit.clone());
        Some(fit)
    }

    /// Share of distinct values among the non-empty values of a column, and how many there were.
    pub(crate) fn distinct_share(&self, col: usize) -> (f64, usize) {
        let mut seen = std::collections::HashSet::new();
        let mut n = 0;
        for r in self.rows {
            let v = r.get(col).unwrap_or("").trim();
            if v.is_empty() {
                continue;
            }
            n += 1;
            seen.insert(v);
        }
        if n == 0 {
            (1.0, 0)
        } else {
            (seen.len() as f64 / n as f64, n)
        }
    }
}

/// Why a column's values refuse a kind, in words.
fn misfit_words(kind: Kind, f: &Fit) -> Text {
    let (what, what_zh) = match kind {
        Kind::DateTime => ("dates", "日期"),
        Kind::Bool => ("true/false values", "真/假值"),
        _ => ("numbers", "数字"),
    };
    let (eg, eg_zh) = match &f.misfit {
        Some(m) => (
            format!(" (e.g. {m:?} is not)"),
            format!("（如 {m:?} 不是）"),
        ),
        None => (String::new(), String::new()),
    };
    let (ok, n) = (f.ok, f.n);
    crate::tr!(
        "{ok} of {n} sample values are {what}{eg}",
        "{n} 个样本值中有 {ok} 个是{what_zh}{eg_zh}"
    )
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

/// `--map FIELD=HEADER`: the field and the column, or a refusal naming the fields of the
/// table or the closest header.
fn user_map(
    table: Table,
    (field, header): (&str, &str),
    find_header: &dyn Fn(&str) -> Option<usize>,
    file: &str,
    headers: &[String],
) -> Result<(&'static str, usize)> {
    let Some(f) = static_field(table, field) else {
        let names: Vec<&str> = table.fields().iter().map(|f| f.name).collect();
        let hint = closest(field, names.iter().copied());
        let (hint, hint_zh) = match hint {
            Some(c) => (
                format!(" (did you mean `{c}`?)"),
                format!("（是否想用 `{c}`？）"),
            ),
            None => (String::new(), String::new()),
        };
        let names = names.join(", ");
        return Err(Error::usage(crate::tr!(
            "--map {field}={header}: `{field}` is not a field of {table}{hint}; fields: {names}",
            "--map {field}={header}：`{field}` 不是 {table} 的字段{hint_zh}；字段有：{names}"
        )));
    };
    let Some(col) = find_header(header) else {
        return Err(missing(
            file,
            f,
            &crate::tr!("--map {field}={header}", "--map {field}={header}"),
            header,
            headers,
        ));
    };
    Ok((f, col))
}

/// Fields still unmapped, from the header synonyms in priority order: each synonym matched on
/// a header's key, then on its compound form (`StageName__c`, `Owner.Name`, `Deal - Title`);
/// coalesced fields take every match, the others the first.
fn synonym_plans(
    check: &mut Check,
    (keys, alts): (&[String], &[Option<String>]),
    used: &mut [bool],
    plans: &mut Vec<Plan>,
) {
    for (field, syns) in synonyms::for_table(check.table) {
        if plans.iter().any(|x| x.field == *field) {
            continue;
        }
        let mut cols = Vec::new();
        // Each synonym in priority order, matched on the header's key, then on its compound
        // form (`StageName__c`, `Owner.Name`, `Deal - Title`).
        for syn in *syns {
            for pass in 0..2 {
                for c in 0..keys.len() {
                    let hit = if pass == 0 {
                        keys[c] == *syn
                    } else {
                        alts[c].as_deref() == Some(*syn)
                    };
                    if hit && !used[c] && !cols.contains(&c) && check.accept(field, c) {
                        cols.push(c);
                    }
                }
                if !cols.is_empty() {
                    break;
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
        let hs: Vec<String> = cols.iter().map(|&c| check.headers[c].clone()).collect();
        plans.push(Plan {
            field,
            kind: kind_of(check.table, field),
            header: hs.join(" | "),
            headers: if hs.len() > 1 { hs } else { vec![] },
            cols,
            by: "synonym",
            soft: false,
        });
    }
}

/// Refuse a table whose required fields (one of each list) are not all mapped.
fn require_fields(
    table: Table,
    plans: &[Plan],
    preset: Option<&Preset>,
    file: &str,
    headers: &[String],
) -> Result<()> {
    for alts in table.required() {
        if !alts.iter().any(|f| plans.iter().any(|p| p.field == *f)) {
            let ticked: Vec<String> = alts.iter().map(|a| format!("`{a}`")).collect();
            let layout = preset.map_or("generic", |p| p.name.as_str());
            let (en, zh) = (ticked.join(" or "), ticked.join(" 或 "));
            let why = Text::new(
                format!("{table} need {en}; layout {layout}"),
                format!("{table} 需要 {zh}；格式 {layout}"),
            );
            return Err(missing(file, alts[0], &why, alts[0], headers));
        }
    }
    Ok(())
}

/// Every unused column as an extra, named in snake_case (HubSpot's stage-time columns left out).
fn extra_columns(table: Table, headers: &[String], used: &[bool]) -> Vec<(usize, String)> {
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
    extras
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

fn missing(file: &str, field: &str, why: &Text, wanted: &str, headers: &[String]) -> Error {
    let hint = closest(wanted, headers.iter().map(String::as_str))
        .map(|c| {
            crate::tr!(
                "; closest: {c:?} (use --map {field}={c:?})",
                "；最接近的：{c:?}（用 --map {field}={c:?}）"
            )
        })
        .unwrap_or_else(|| {
            crate::tr!("; use --map {field}=HEADER", "；用 --map {field}=表头 指定")
        });
    Error::MissingColumn(Box::new(crate::error::MissingColumn {
        file: file.into(),
        field: field.into(),
        why: why.clone(),
        found: headers
            .iter()
            .map(|h| format!("{h:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        hint,
    }))
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
