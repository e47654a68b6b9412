//! A DIR's parquet files read one level under polars' frames, where two things are cheaper:
//! - a dictionary column (owner, stage, status...) comes back as its keys, and each row
//!   group's few distinct values are looked up among polars' categories once; polars' own
//!   reader hashes every row's text again (a sixth of a DIR funnel's time);
//! - a column can be decoded for chosen rows only (the accounts of won deals: a tenth of a
//!   million-row column).
//!
//! The file is memory-mapped; row groups and columns are decoded in parallel. The result is an
//! ordinary frame (categoricals on polars' global categories), so every command reads it as it
//! reads any other.

use std::ops::Range;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use polars_arrow::array::{Array, DictionaryArray, PrimitiveArray, Utf8ViewArray};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::datatypes::{ArrowDataType, IntegerType};
use polars_buffer::Buffer;
use polars_parquet::read::{ColumnChunkMetadata, FileMetadata, Filter};
use rayon::prelude::*;

use crate::error::{Error, Result};

type ArrowField = polars_arrow::datatypes::Field;

/// An open parquet file: its bytes (mapped), metadata and arrow schema.
pub struct PqFile {
    path: PathBuf,
    data: Buffer<u8>,
    meta: FileMetadata,
    schema: polars_arrow::datatypes::ArrowSchema,
}

pub(crate) use crate::columns::source::TextChunk;

/// A DIR table as a lazy frame, read by [`PqFile`] through polars' public anonymous-scan
/// API: polars plans it like any scan (only the columns a query uses are decoded), and its
/// own parquet scan, which in this polars version runs on the streaming engine and brings the
/// cloud reader (object_store, reqwest) into the build, is not needed.
pub(crate) fn scan(path: &Path) -> Result<LazyFrame> {
    let file = PqFile::open(path)?;
    let names: Vec<String> = file.schema.iter().map(|(n, _)| n.to_string()).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let schema = file.read(&refs, 0..0)?.schema().clone();
    let scan = Scan {
        file,
        names,
        schema: schema.clone(),
    };
    let args = ScanArgsAnonymous {
        schema: Some(schema),
        name: "salesctl DIR table",
        ..ScanArgsAnonymous::default()
    };
    Ok(LazyFrame::anonymous_scan(std::sync::Arc::new(scan), args)?)
}

struct Scan {
    file: PqFile,
    names: Vec<String>,
    schema: SchemaRef,
}

impl AnonymousScan for Scan {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn scan(&self, args: AnonymousScanArgs) -> PolarsResult<DataFrame> {
        let cols: Vec<&str> = match &args.with_columns {
            Some(c) => c.iter().map(|s| s.as_str()).collect(),
            None => self.names.iter().map(String::as_str).collect(),
        };
        let groups = self.file.meta.row_groups.len();
        let df = self
            .file
            .read(&cols, 0..groups)
            .map_err(|e| PolarsError::ComputeError(e.to_string().into()))?;
        Ok(match args.n_rows {
            Some(n) => df.head(Some(n)),
            None => df,
        })
    }

    fn schema(&self, _infer_schema_length: Option<usize>) -> PolarsResult<SchemaRef> {
        Ok(self.schema.clone())
    }

    fn allows_projection_pushdown(&self) -> bool {
        true
    }
}

/// The column engine reads a DIR's tables through this.
impl crate::columns::source::ColumnSource for PqFile {
    fn rows(&self) -> usize {
        PqFile::rows(self)
    }
    fn group_rows(&self) -> Vec<usize> {
        PqFile::group_rows(self)
    }
    fn has(&self, col: &str) -> bool {
        PqFile::has(self, col)
    }
    fn read(&self, cols: &[&str], groups: Range<usize>) -> Result<DataFrame> {
        PqFile::read(self, cols, groups)
    }
    fn millis(&self, col: &str, null: i64) -> Result<Option<Vec<i64>>> {
        PqFile::millis(self, col, null)
    }
    fn floats(&self, col: &str) -> Result<Option<Vec<f64>>> {
        PqFile::floats(self, col)
    }
    fn codes(&self, col: &str, none: u32) -> Result<Option<(Vec<u32>, Vec<String>)>> {
        PqFile::codes(self, col, none)
    }
}

impl PqFile {
    pub(crate) fn open(path: &Path) -> Result<PqFile> {
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        // SAFETY: a DIR's files are replaced by rename, never rewritten in place, so the
        // mapped bytes do not change under the reader.
        let map = unsafe { memmap2::Mmap::map(&f) }.map_err(|e| Error::io(path, e))?;
        let data = Buffer::from_owner(map);
        let bad = |e: &dyn std::fmt::Display| {
            let p = path.display();
            Error::input(crate::tr!(
                "{p}: not a readable parquet file: {e}",
                "{p}：不是可读的 parquet 文件：{e}"
            ))
        };
        let meta = polars_parquet::read::read_metadata(&mut std::io::Cursor::new(data.as_ref()))
            .map_err(|e| bad(&e))?;
        let schema = polars_parquet::arrow::read::infer_schema(&meta).map_err(|e| bad(&e))?;
        Ok(PqFile {
            path: path.to_path_buf(),
            data,
            meta,
            schema,
        })
    }

    pub(crate) fn rows(&self) -> usize {
        self.meta.num_rows
    }

    /// Rows of each row group.
    pub fn group_rows(&self) -> Vec<usize> {
        self.meta.row_groups.iter().map(|g| g.num_rows()).collect()
    }

    /// The first row of each row group.
    fn group_starts(&self) -> Vec<usize> {
        self.meta
            .row_groups
            .iter()
            .scan(0, |at, g| {
                let first = *at;
                *at += g.num_rows();
                Some(first)
            })
            .collect()
    }

    /// Whether the file has text column `col`, plain or dictionary (what
    /// [`PqFile::text_chunks`] reads).
    pub(crate) fn is_text(&self, col: &str) -> bool {
        matches!(
            self.schema.get(col).map(|f| f.dtype()),
            Some(ArrowDataType::Utf8View)
        ) || self.is_text_dictionary(col)
    }

    pub fn has(&self, col: &str) -> bool {
        self.schema.get(col).is_some()
    }

    /// The columns among `cols` that the file has, each once, in `cols`' order.
    pub(crate) fn present<'a>(&self, cols: &[&'a str]) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        for c in cols {
            if self.has(c) && !out.contains(c) {
                out.push(c);
            }
        }
        out
    }

    /// Columns `cols` (those the file has) of row groups `groups`, as one frame.
    pub fn read(&self, cols: &[&str], groups: Range<usize>) -> Result<DataFrame> {
        let cols = self.present(cols);
        let first_row = self
            .group_starts()
            .get(groups.start)
            .copied()
            .unwrap_or(self.rows());
        let n_rows: usize = self.meta.row_groups[groups.clone()]
            .iter()
            .map(|g| g.num_rows())
            .sum();
        // One task per (column, row group), spread over the pool.
        let tasks: Vec<(usize, usize)> = (0..cols.len())
            .flat_map(|c| groups.clone().map(move |g| (c, g)))
            .collect();
        let parts: Vec<Result<Box<dyn Array>>> = tasks
            .par_iter()
            .map(|&(c, g)| self.decode(cols[c], g, None))
            .collect();
        let mut parts = parts.into_iter();
        let mut columns = Vec::with_capacity(cols.len());
        for name in &cols {
            let arrays: Vec<Box<dyn Array>> = parts
                .by_ref()
                .take(groups.len())
                .collect::<Result<_>>()
                .map_err(|e| self.rows_error(first_row, n_rows, e))?;
            columns.push(self.series(name, arrays)?.into_column());
        }
        Ok(DataFrame::new(n_rows, columns)?)
    }

    /// Column `col` at the rows where `keep` is true (`keep` covers the whole file), in row
    /// order; None when the file lacks the column.
    pub(crate) fn read_rows(&self, col: &str, keep: &[bool]) -> Result<Option<Series>> {
        if !self.has(col) {
            return Ok(None);
        }
        if keep.len() != self.rows() {
            return Err(Error::Internal(format!(
                "{}: a row mask of {} rows for {} rows",
                self.path.display(),
                keep.len(),
                self.rows()
            )));
        }
        let starts = self.group_starts();
        let parts: Vec<Result<Option<Box<dyn Array>>>> = (0..self.meta.row_groups.len())
            .into_par_iter()
            .map(|g| {
                let rows = &keep[starts[g]..starts[g] + self.meta.row_groups[g].num_rows()];
                if !rows.contains(&true) {
                    return Ok(None);
                }
                let mask = Bitmap::from_iter(rows.iter().copied());
                self.decode(col, g, Some(Filter::Mask(mask)))
                    .map(Some)
                    .map_err(|e| self.rows_error(starts[g], rows.len(), e))
            })
            .collect();
        let arrays: Vec<Box<dyn Array>> = parts
            .into_iter()
            .filter_map(Result::transpose)
            .collect::<Result<_>>()?;
        Ok(Some(self.series(col, arrays)?))
    }

    /// A timestamp or date column as epoch milliseconds, null as `null`; None when the file
    /// lacks the column or it is of another type (the caller reads it through a frame).
    pub(crate) fn millis(&self, col: &str, null: i64) -> Result<Option<Vec<i64>>> {
        use polars_arrow::datatypes::TimeUnit as Tu;
        let Some(field) = self.schema.get(col) else {
            return Ok(None);
        };
        // Value -> milliseconds (flooring, as polars' cast does).
        Ok(Some(match field.dtype() {
            ArrowDataType::Timestamp(Tu::Millisecond, _) => self.values(col, null, |v: i64| v)?,
            ArrowDataType::Timestamp(Tu::Second, _) => self.values(col, null, |v: i64| v * 1000)?,
            ArrowDataType::Timestamp(Tu::Microsecond, _) => {
                self.values(col, null, |v: i64| v.div_euclid(1000))?
            }
            ArrowDataType::Timestamp(Tu::Nanosecond, _) => {
                self.values(col, null, |v: i64| v.div_euclid(1_000_000))?
            }
            ArrowDataType::Date32 => self.values(col, null, |v: i32| i64::from(v) * 86_400_000)?,
            _ => return Ok(None),
        }))
    }

    /// A float column, null as NaN; None when the file lacks it or it is of another type.
    pub(crate) fn floats(&self, col: &str) -> Result<Option<Vec<f64>>> {
        match self.schema.get(col).map(|f| f.dtype()) {
            Some(ArrowDataType::Float64) => Ok(Some(self.values(col, f64::NAN, |v: f64| v)?)),
            _ => Ok(None),
        }
    }

    /// Whether `col` is a dictionary text column (what [`PqFile::codes`] reads).
    pub fn is_text_dictionary(&self, col: &str) -> bool {
        matches!(
            self.schema.get(col).map(|f| f.dtype()),
            Some(ArrowDataType::Dictionary(IntegerType::UInt32, v, _))
                if matches!(v.as_ref(), ArrowDataType::Utf8View)
        )
    }

    /// A dictionary text column as codes numbering its values in order of first appearance
    /// (null: `none`), and the values; None when the file lacks it or it is of another type.
    /// Each group's keys are written in place, the groups' dictionaries merged in group
    /// order, then the keys renumbered in place: no text is hashed per row.
    pub fn codes(&self, col: &str, none: u32) -> Result<Option<(Vec<u32>, Vec<String>)>> {
        if !self.is_text_dictionary(col) {
            return Ok(None);
        }
        let mut out = vec![none; self.rows()];
        // Per group: its dictionary, and the keys in order of first appearance.
        let groups = self.fill(col, &mut out, |a, part| {
            let d = downcast::<DictionaryArray<u32>>(a, col)?;
            let values = downcast::<Utf8ViewArray>(d.values().as_ref(), col)?;
            let n_values = values.len();
            let keys = d.keys();
            let mut seen = vec![false; n_values];
            let mut order: Vec<u32> = Vec::new();
            for (i, (o, &k)) in part.iter_mut().zip(keys.values().iter()).enumerate() {
                if !keys.is_valid(i) {
                    continue;
                }
                let Some(s) = seen.get_mut(k as usize) else {
                    return Err(Error::input(crate::tr!(
                        "column {col}: dictionary key {k} of {n_values} values",
                        "列 {col}：字典键 {k}，而字典只有 {n_values} 个值"
                    )));
                };
                if !*s {
                    *s = true;
                    order.push(k);
                }
                *o = k;
            }
            let texts: Vec<String> = values.values_iter().map(str::to_string).collect();
            Ok((order, texts))
        })?;
        let mut index: std::collections::HashMap<&str, u32> = Default::default();
        let mut values: Vec<String> = Vec::new();
        let remaps: Vec<Vec<u32>> = groups
            .iter()
            .map(|(order, texts)| {
                let mut remap = vec![none; texts.len()];
                for &k in order {
                    let t = texts[k as usize].as_str();
                    let next = values.len() as u32;
                    let code = *index.entry(t).or_insert(next);
                    if code == next {
                        values.push(t.to_string());
                    }
                    remap[k as usize] = code;
                }
                remap
            })
            .collect();
        let mut parts: Vec<&mut [u32]> = Vec::new();
        let mut rest = out.as_mut_slice();
        for n in self.group_rows() {
            let (a, b) = rest.split_at_mut(n);
            parts.push(a);
            rest = b;
        }
        parts
            .into_par_iter()
            .zip(remaps.par_iter())
            .for_each(|(part, remap)| {
                for c in part.iter_mut() {
                    if *c != none {
                        *c = remap[*c as usize];
                    }
                }
            });
        Ok(Some((out, values)))
    }

    /// A text column of row groups `groups`, one chunk per group: its dictionary and keys
    /// when every page of the group is dictionary-encoded (one text per distinct value, not
    /// one per row), else its texts. None when the file lacks the column or it is not text.
    pub(crate) fn text_chunks(
        &self,
        col: &str,
        groups: Range<usize>,
    ) -> Result<Option<Vec<TextChunk>>> {
        let Some(field) = self.schema.get(col).filter(|_| self.is_text(col)) else {
            return Ok(None);
        };
        if self.is_text_dictionary(col) {
            // A categorical column: every group is dictionary-encoded.
            return groups
                .into_par_iter()
                .map(|g| {
                    let a = self.decode(col, g, None)?;
                    TextChunk::of_dict(a.as_ref()).ok_or_else(|| {
                        Error::Internal(format!("column {col}: not a dictionary of texts"))
                    })
                })
                .collect::<Result<Vec<_>>>()
                .map(Some);
        }
        // Asked for as a categorical, polars-parquet hands over the keys and the dictionary
        // page, and refuses (an error, not a panic) a group with a page of any other encoding.
        let md: polars_arrow::datatypes::Metadata = [(
            polars_arrow::datatypes::DTYPE_CATEGORICAL_NEW.into(),
            "".into(),
        )]
        .into_iter()
        .collect();
        let as_dict = ArrowField::new(
            field.name.clone(),
            ArrowDataType::Dictionary(
                IntegerType::UInt32,
                Box::new(ArrowDataType::Utf8View),
                false,
            ),
            true,
        )
        .with_metadata(md);
        let first = self.group_starts();
        groups
            .into_par_iter()
            .map(|g| {
                let n = self.meta.row_groups[g].num_rows();
                let err = |e| self.rows_error(first[g], n, e);
                let dict = self.decode_as(&as_dict, g, None).ok();
                let chunk = match dict.as_deref().and_then(TextChunk::of_dict) {
                    Some(c) => c,
                    None => self.plain_text(col, g).map_err(err)?,
                };
                if chunk.len() != n {
                    let got = chunk.len();
                    return Err(err(Error::input(crate::tr!(
                        "column {col}: {got} values",
                        "列 {col}：{got} 个值"
                    ))));
                }
                Ok(chunk)
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }
}

mod decode;
use decode::*;

#[cfg(test)]
mod tests;
