//! `salesctl show INPUT [--rows-of TABLE]`: the canonical rows as read, through the same loader
//! and output as every command. A way to check what salesctl understood of an export.

use std::path::PathBuf;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::load::{self, LoaderArgs};
use crate::model::{Kind, Table};
use crate::output::{self, ColumnSpec, Note, OutputArgs, Report, ResultTable, Unit};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exports or an ingested DIR.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Which canonical table to show (default: the first the input holds).
    #[arg(long, value_name = "TABLE")]
    pub rows_of: Option<String>,
    #[command(flatten)]
    pub load: LoaderArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

fn unit_of(t: Table, name: &str, dtype: &DataType) -> Unit {
    match t.field(name).map(|f| f.kind) {
        Some(Kind::Money) => Unit::Money,
        Some(Kind::Fraction) => Unit::Ratio,
        Some(Kind::DateTime) => Unit::DateTime,
        Some(Kind::Number) => Unit::Number,
        Some(Kind::Bool) => Unit::Bool,
        _ => match dtype {
            DataType::Boolean => Unit::Bool,
            DataType::Float64 | DataType::Float32 => Unit::Number,
            DataType::Int64 | DataType::UInt32 | DataType::Int32 | DataType::UInt64 => Unit::Count,
            _ => Unit::Text,
        },
    }
}

pub fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    let ds = load::load(&a.inputs, &a.load)?;
    let table = match &a.rows_of {
        Some(t) => Table::parse(t)
            .ok_or_else(|| Error::Usage(format!("--rows-of {t:?}: unknown table")))?,
        None => *ds
            .tables()
            .first()
            .ok_or_else(|| Error::Input("the input holds no table".into()))?,
    };
    let df = ds.scan(table)?.collect()?;
    let columns = df
        .columns()
        .iter()
        .map(|c| ColumnSpec::new(c.name(), unit_of(table, c.name(), c.dtype())))
        .collect();
    let mut notes = vec![Note::new(
        format!("as of {} ({})", ds.manifest.as_of, ds.manifest.as_of_basis),
        format!("截至 {} ({})", ds.manifest.as_of, ds.manifest.as_of_basis),
    )];
    for s in &ds.manifest.sources {
        notes.push(Note::new(
            format!(
                "{}: preset {}, {} rows read, {} rejected",
                s.path, s.preset, s.rows_in, s.rejected_rows
            ),
            format!(
                "{}: 预设 {}，读取 {} 行，拒绝 {} 行",
                s.path, s.preset, s.rows_in, s.rejected_rows
            ),
        ));
        notes.extend(s.assumptions.iter().map(Note::en));
    }
    if !ds.rejects.is_empty() {
        if let Some(p) = &a.load.rejects {
            load::dir::write_rejects(p, &ds.rejects)?;
        }
    }
    let report = Report {
        tables: vec![ResultTable {
            name: table.name().to_string(),
            columns,
            df,
        }],
        notes,
        title: None,
    };
    output::emit(&report, &a.out, ds.settings.config.lang.as_deref(), None)?;
    Ok(ExitCode::Success)
}
