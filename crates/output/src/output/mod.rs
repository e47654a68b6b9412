//! Results and their rendering: typed tables (stable snake_case ids, units, labels in English and
//! Chinese), notes, and the formats and charts that show them. Renderers compute nothing.

pub mod args;
pub mod cell;
pub mod chart;
pub mod emit;
pub mod format;
pub mod labels;

use polars::prelude::{Column, DataFrame, NamedFrom, Series};
use serde::Serialize;

pub use args::OutputArgs;
pub use emit::{emit, keep};

/// The unit of a column: how it is stored (ratios as fractions) and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Text,
    Count,
    /// A fraction (0.63), shown as 63.0% in tables only.
    Ratio,
    /// A number already in percent (MAPE 12.3).
    Percent,
    /// Money in the row's `currency`.
    Money,
    Days,
    Date,
    DateTime,
    Number,
    Bool,
}

/// One column of a result.
#[derive(Debug, Clone)]
pub struct ColumnSpec {
    pub id: String,
    pub unit: Unit,
    /// A column of several KPIs (a rep card's values, check's values) has a unit per row, so
    /// that tables show a rate as a percentage and money as money in it too.
    pub(crate) row_units: Option<Vec<Unit>>,
}

impl ColumnSpec {
    pub fn new(id: &str, unit: Unit) -> Self {
        ColumnSpec {
            id: id.to_string(),
            unit,
            row_units: None,
        }
    }

    /// The unit of row `i`.
    pub fn unit_at(&self, i: usize) -> Unit {
        self.row_units
            .as_ref()
            .and_then(|u| u.get(i).copied())
            .unwrap_or(self.unit)
    }
}

/// The unit a KPI id is shown in (the registry's), Number for ids it does not know.
pub fn kpi_unit(id: &str) -> Unit {
    labels::kpi(id).map_or(Unit::Number, |k| labels::unit(k.measure))
}

/// The prefix of a note line on stderr: `note: ` or `说明：`.
pub fn note_prefix(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "note: ",
        Lang::ZhCn => "说明：",
    }
}

/// A note in both languages; a warning when it changes what a number means (see [`crate::warn`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub(crate) en: String,
    pub(crate) zh: String,
    pub warn: bool,
}

impl Note {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Note {
            en: en.into(),
            zh: zh.into(),
            warn: false,
        }
    }

    /// A warning in both languages.
    pub fn warning(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Note {
            warn: true,
            ..Note::new(en, zh)
        }
    }

    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh,
        }
    }
}

impl From<&crate::text::Text> for Note {
    fn from(t: &crate::text::Text) -> Self {
        Note {
            en: t.en.clone(),
            zh: t.zh.clone().unwrap_or_else(|| t.en.clone()),
            warn: false,
        }
    }
}

impl From<crate::text::Text> for Note {
    fn from(t: crate::text::Text) -> Self {
        Note::from(&t)
    }
}

/// One table of a result: a frame whose columns are described by `columns` (same order).
#[derive(Debug, Clone)]
pub struct ResultTable {
    /// Stable name (`--table NAME`, file stem with `-o DIR/`, JSON key).
    pub name: String,
    pub columns: Vec<ColumnSpec>,
    pub df: DataFrame,
}

/// Builds a [`ResultTable`] column by column: each column's id, unit and values in one call.
pub struct TableBuilder {
    name: String,
    specs: Vec<ColumnSpec>,
    cols: Vec<Column>,
}

impl TableBuilder {
    pub fn new(name: &str) -> Self {
        TableBuilder {
            name: name.to_string(),
            specs: Vec::new(),
            cols: Vec::new(),
        }
    }

    /// Add a column.
    pub fn col<T, P: ?Sized>(&mut self, id: &str, unit: Unit, values: T) -> &mut Self
    where
        Series: NamedFrom<T, P>,
    {
        self.cols.push(Column::new(id.into(), values));
        self.specs.push(ColumnSpec::new(id, unit));
        self
    }

    /// Add a column whose rows have units of their own (see [`ColumnSpec::row_units`]).
    pub fn col_units<T, P: ?Sized>(&mut self, id: &str, units: Vec<Unit>, values: T) -> &mut Self
    where
        Series: NamedFrom<T, P>,
    {
        self.cols.push(Column::new(id.into(), values));
        self.specs.push(ColumnSpec {
            row_units: Some(units),
            ..ColumnSpec::new(id, Unit::Number)
        });
        self
    }

    /// Add a column when `on`.
    pub fn col_if<T, P: ?Sized>(&mut self, on: bool, id: &str, unit: Unit, values: T) -> &mut Self
    where
        Series: NamedFrom<T, P>,
    {
        if on {
            self.col(id, unit, values);
        }
        self
    }

    pub fn build(&mut self) -> crate::error::Result<ResultTable> {
        let cols = std::mem::take(&mut self.cols);
        Ok(ResultTable {
            name: self.name.clone(),
            columns: std::mem::take(&mut self.specs),
            df: DataFrame::new_infer_height(cols)?,
        })
    }
}

/// What a command produced.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub tables: Vec<ResultTable>,
    pub notes: Vec<Note>,
    /// Chart title (both languages), when the command draws one.
    pub title: Option<Note>,
}

/// Output language (defined with the texts it picks from).
pub use crate::text::Lang;
