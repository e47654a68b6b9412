//! Where the column engine reads a stored table from, without knowing the file format: the
//! load layer's parquet reader implements [`ColumnSource`]; the engine decodes columns from it
//! straight into its own forms. A text column may come as dictionary chunks ([`TextChunk`]).

use std::ops::Range;

use polars::prelude::DataFrame;
use polars_arrow::array::{PrimitiveArray, Utf8ViewArray};

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

/// A stored table the engine can read column by column, group of rows by group of rows.
pub(crate) trait ColumnSource: Sync {
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
