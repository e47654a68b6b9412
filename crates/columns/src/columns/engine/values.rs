//! Typed columns as plain vectors: datetimes as epoch milliseconds, amounts, floats, flags.

use super::*;

/// A datetime column as epoch milliseconds (None for null or a missing column).
pub fn millis(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    Ok(match millis_ca(df, name)? {
        Some(ca) => ca.iter().collect(),
        None => vec![None; df.height()],
    })
}

impl Times {
    /// A null time.
    pub(crate) const NULL: i64 = i64::MIN;

    /// Epoch milliseconds, [`Times::NULL`] for null.
    pub(crate) fn from_vec(v: Vec<i64>) -> Times {
        Times(v)
    }

    pub fn get(&self, i: usize) -> Option<i64> {
        self.0.get(i).copied().filter(|&v| v != Self::NULL)
    }
}

/// [`millis`] as [`Times`].
pub(crate) fn times(df: &DataFrame, name: &str) -> Result<Times> {
    let Some(ca) = millis_ca(df, name)? else {
        return Ok(Times::default());
    };
    let mut v = Vec::with_capacity(ca.len());
    for (arr, chunk) in ca.downcast_iter().zip(ca.chunks()) {
        match chunk.validity() {
            None => v.extend_from_slice(arr.values()),
            Some(b) => v.extend(
                arr.values()
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| if b.get_bit(i) { x } else { Times::NULL }),
            ),
        }
    }
    Ok(Times(v))
}

impl Amounts {
    /// Amounts, NaN for null.
    pub(crate) fn from_vec(v: Vec<f64>) -> Amounts {
        Amounts(v)
    }

    pub(crate) fn get(&self, i: usize) -> Option<f64> {
        self.0.get(i).copied().filter(|x| !x.is_nan())
    }
}

/// A numeric column as [`Amounts`].
pub(crate) fn amounts(df: &DataFrame, name: &str) -> Result<Amounts> {
    let Ok(c) = df.column(name) else {
        return Ok(Amounts::default());
    };
    let s = c.as_materialized_series().cast(&DataType::Float64)?;
    Ok(Amounts(
        s.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
    ))
}

/// [`millis`] as a column of epoch milliseconds, read in place (None for a missing column).
pub(crate) fn millis_ca(df: &DataFrame, name: &str) -> Result<Option<Int64Chunked>> {
    let Ok(c) = df.column(name) else {
        return Ok(None);
    };
    let s = c.as_materialized_series();
    let s = match s.dtype() {
        DataType::Datetime(_, _) => s
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?
            .cast(&DataType::Int64)?,
        DataType::Date => s.cast(&DataType::Int64)? * 86_400_000i64,
        _ => s.cast(&DataType::Int64)?,
    };
    Ok(Some(s.i64()?.clone()))
}

/// A numeric column as f64 (None for null or a missing column).
pub fn floats(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let Ok(c) = df.column(name) else {
        return Ok(vec![None; df.height()]);
    };
    let s = c.as_materialized_series().cast(&DataType::Float64)?;
    Ok(s.f64()?.iter().map(|v| v.filter(|x| !x.is_nan())).collect())
}

/// A boolean column as flags (missing column or null = false).
pub fn flags(df: &DataFrame, name: &str) -> Vec<bool> {
    match df.column(name) {
        Ok(col) => col
            .as_materialized_series()
            .bool()
            .map(|b| b.iter().map(|x| x.unwrap_or(false)).collect())
            .unwrap_or_else(|_| vec![false; df.height()]),
        Err(_) => vec![false; df.height()],
    }
}
