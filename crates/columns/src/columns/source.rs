//! Where the column engine reads a stored table from, without knowing the file format: the
//! load layer's parquet reader implements [`ColumnSource`]; the engine decodes columns from it
//! straight into its own forms. A text column may come as dictionary chunks ([`TextChunk`]).

use std::ops::Range;

use polars::prelude::DataFrame;
use polars_arrow::array::{Array, DictionaryArray, PrimitiveArray, Utf8ViewArray};

use crate::error::Result;

/// One row group of a text column: see [`PqFile::text_chunks`].
pub enum TextChunk {
    /// Keys into the group's dictionary of texts.
    Dict {
        keys: PrimitiveArray<u32>,
        values: Utf8ViewArray,
    },
    Plain(Utf8ViewArray),
}

impl TextChunk {
    /// A decoded dictionary array of texts as keys and values (None for anything else).
    pub fn of_dict(a: &dyn Array) -> Option<TextChunk> {
        let d = a.as_any().downcast_ref::<DictionaryArray<u32>>()?;
        let values = d.values().as_any().downcast_ref::<Utf8ViewArray>()?;
        Some(TextChunk::Dict {
            keys: d.keys().clone(),
            values: values.clone(),
        })
    }

    pub fn len(&self) -> usize {
        match self {
            TextChunk::Dict { keys, .. } => keys.len(),
            TextChunk::Plain(a) => a.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every row's text, in order.
    pub fn texts(&self) -> Vec<Option<&str>> {
        match self {
            TextChunk::Dict { keys, values } => keys
                .iter()
                .map(|k| k.map(|&k| values.value(k as usize)))
                .collect(),
            TextChunk::Plain(a) => a.iter().collect(),
        }
    }
}

/// A stored table the engine can read column by column, group of rows by group of rows.
pub trait ColumnSource: Sync {
    /// Rows in the table.
    fn rows(&self) -> usize;
    /// Rows in each stored group, in order.
    fn group_rows(&self) -> Vec<usize>;
    /// Does the table hold `col`?
    fn has(&self, col: &str) -> bool;
    /// `cols` of the groups in `groups`, as a frame.
    fn read(&self, cols: &[&str], groups: Range<usize>) -> Result<DataFrame>;
    /// A timestamp or date column as epoch milliseconds (null as `null`); None when absent or
    /// of another type.
    fn millis(&self, col: &str, null: i64) -> Result<Option<Vec<i64>>>;
    /// A float column, null as NaN; None when absent or of another type.
    fn floats(&self, col: &str) -> Result<Option<Vec<f64>>>;
    /// A dictionary text column as codes in order of first appearance (null: `none`) and its
    /// values; None when absent or of another type.
    fn codes(&self, col: &str, none: u32) -> Result<Option<(Vec<u32>, Vec<String>)>>;
}
