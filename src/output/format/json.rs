//! JSON: an array of records for one table, an object of arrays for several. Numbers as numbers,
//! ratios as fractions, null for missing, ISO dates.

use std::io::Write;

use serde_json::{Map, Value};

use super::{Options, Render};
use crate::output::cell::{Cell, rows};
use crate::output::{Report, ResultTable};

pub struct Json;

fn value(c: &Cell) -> Value {
    match c {
        Cell::Null => Value::Null,
        Cell::Int(i) => Value::from(*i),
        Cell::Float(f) => serde_json::Number::from_f64(crate::output::cell::round15(*f))
            .map_or(Value::Null, Value::Number),
        Cell::Bool(b) => Value::Bool(*b),
        other => Value::String(other.plain()),
    }
}

/// One table as an array of records.
pub fn records(t: &ResultTable) -> Value {
    let arr = rows(&t.df, None)
        .into_iter()
        .map(|row| {
            let mut m = Map::new();
            for (spec, c) in t.columns.iter().zip(row.iter()) {
                m.insert(spec.id.clone(), value(c));
            }
            Value::Object(m)
        })
        .collect();
    Value::Array(arr)
}

impl Render for Json {
    fn render(
        &self,
        tables: &[&ResultTable],
        _r: &Report,
        _o: &Options,
        w: &mut dyn Write,
    ) -> std::io::Result<()> {
        let v = if tables.len() == 1 {
            records(tables[0])
        } else {
            Value::Object(
                tables
                    .iter()
                    .map(|t| (t.name.clone(), records(t)))
                    .collect(),
            )
        };
        serde_json::to_writer_pretty(&mut *w, &v)?;
        writeln!(w)
    }
}
