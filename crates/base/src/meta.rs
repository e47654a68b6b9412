//! What a result was computed from, for machine formats: the as-of date and its basis, the
//! period, every input with how it was read, whose rep card it is, and the warnings printed.
//! JSON carries it as a `meta` object after the tables; `--meta FILE` writes it beside CSV/TSV.
//!
//! The record is per run (one process, one command): the loader adds each input it reads, the
//! commands add the period and the subject, and the renderers take a snapshot.

use std::sync::Mutex;

use serde::Serialize;

/// The run's record.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Meta {
    pub(crate) as_of: Option<String>,
    pub(crate) as_of_basis: Option<String>,
    pub(crate) period: Option<PeriodMeta>,
    /// Whose card a single-subject result is (`{"rep": "Ann"}`).
    pub(crate) subject: Option<Subject>,
    /// Where revenue comes from: `deals` (won amounts) or `orders`.
    pub(crate) revenue: Option<String>,
    /// The config file applied (a salesctl.toml found in the working folder included).
    pub(crate) config: Option<String>,
    pub(crate) inputs: Vec<InputMeta>,
    pub(crate) warnings: Vec<String>,
}

/// The period a result covers.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeriodMeta {
    pub label: String,
    /// First day in the period.
    pub start: String,
    /// First day after it.
    pub end: String,
    /// The date field it filters on.
    pub field: String,
}

/// The subject of a one-subject result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Subject {
    /// The canonical field (`owner`).
    pub(crate) field: String,
    pub(crate) value: String,
}

/// One input file and how it was read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InputMeta {
    pub path: String,
    /// The layout (preset) it was read with, and why.
    pub layout: String,
    pub layout_why: String,
    pub table: String,
    pub encoding: String,
    pub rows_read: usize,
    pub rows_rejected: usize,
}

static META: Mutex<Option<Meta>> = Mutex::new(None);

fn with(f: impl FnOnce(&mut Meta)) {
    if let Ok(mut m) = META.lock() {
        f(m.get_or_insert_with(Meta::default));
    }
}

/// Record an input (once per path) and, the first time, the as-of date.
pub fn add_input(input: InputMeta, as_of: &str, basis: &str) {
    with(|m| {
        if m.as_of.is_none() {
            m.as_of = Some(as_of.to_string());
            m.as_of_basis = Some(basis.to_string());
        }
        if !m
            .inputs
            .iter()
            .any(|i| i.path == input.path && i.table == input.table)
        {
            m.inputs.push(input);
        }
    });
}

pub fn set_period(p: PeriodMeta) {
    with(|m| m.period = Some(p));
}

pub fn set_subject(field: &str, value: &str) {
    with(|m| {
        m.subject = Some(Subject {
            field: field.into(),
            value: value.into(),
        })
    });
}

pub fn set_revenue(source: &str) {
    with(|m| m.revenue = Some(source.into()));
}

pub(crate) fn add_warning(text: &str) {
    with(|m| m.warnings.push(text.into()));
}

/// The record so far.
pub fn snapshot() -> Meta {
    META.lock().ok().and_then(|m| m.clone()).unwrap_or_default()
}

pub fn set_config(path: &str) {
    with(|m| m.config = Some(path.into()));
}
