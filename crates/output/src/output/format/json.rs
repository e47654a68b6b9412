//! JSON: an object with one array of records per table, then `meta` (as-of, period, inputs and
//! how they were read, the subject of a one-rep result, warnings; see [`crate::meta`]). Numbers
//! as numbers rounded to 15 significant digits, ratios as fractions, null for missing, ISO dates.

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
        Cell::Float(f) => serde_json::Number::from_f64(crate::output::cell::denoise(*f))
            .map_or(Value::Null, Value::Number),
        Cell::Bool(b) => Value::Bool(*b),
        // A missing text value is null, never "".
        Cell::Text(t) if t.is_empty() => Value::Null,
        other => Value::String(other.plain()),
    }
}

/// One table as an array of records.
pub(crate) fn records(t: &ResultTable) -> Value {
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
        o: &Options,
        w: &mut dyn Write,
    ) -> std::io::Result<()> {
        let mut m: Map<String, Value> = tables
            .iter()
            .map(|t| (t.name.clone(), records(t)))
            .collect();
        m.insert(
            "meta".into(),
            serde_json::to_value(&o.meta).unwrap_or(Value::Null),
        );
        let v = Value::Object(m);
        serde_json::to_writer_pretty(&mut *w, &v)?;
        writeln!(w)
    }
}
