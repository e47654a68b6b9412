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

    /// Split `out` (one slot per row) by row groups and fill each group's part from its
    /// decoded column chunk, groups in parallel; each group's `f` result, in group order.
    fn fill<T: Send, R: Send>(
        &self,
        col: &str,
        out: &mut [T],
        f: impl Fn(&dyn Array, &mut [T]) -> Result<R> + Sync,
    ) -> Result<Vec<R>> {
        let mut parts: Vec<(usize, usize, &mut [T])> = Vec::new();
        let (mut rest, mut first) = (out, 0);
        for (g, n) in self.group_rows().into_iter().enumerate() {
            let (a, b) = rest.split_at_mut(n);
            parts.push((g, first, a));
            rest = b;
            first += n;
        }
        parts
            .into_par_iter()
            .map(|(g, first, part)| {
                let n = part.len();
                let arr = self
                    .decode(col, g, None)
                    .map_err(|e| self.rows_error(first, n, e))?;
                if arr.len() != n {
                    let got = arr.len();
                    return Err(self.rows_error(
                        first,
                        n,
                        Error::input(crate::tr!(
                            "column {col}: {got} values",
                            "列 {col}：{got} 个值"
                        )),
                    ));
                }
                f(arr.as_ref(), part)
            })
            .collect()
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

    /// A primitive column of `S` values, each converted by `conv`, null as `null`.
    fn values<S: polars_arrow::types::NativeType, T: Copy + Send + Sync>(
        &self,
        col: &str,
        null: T,
        conv: impl Fn(S) -> T + Sync,
    ) -> Result<Vec<T>> {
        let mut out = vec![null; self.rows()];
        self.fill(col, &mut out, |a, part| {
            let a = downcast::<PrimitiveArray<S>>(a, col)?;
            match a.validity() {
                None => {
                    for (o, &v) in part.iter_mut().zip(a.values().iter()) {
                        *o = conv(v);
                    }
                }
                Some(b) => {
                    for (i, (o, &v)) in part.iter_mut().zip(a.values().iter()).enumerate() {
                        if b.get_bit(i) {
                            *o = conv(v);
                        }
                    }
                }
            }
            Ok(())
        })?;
        Ok(out)
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

    /// Row group `g` of text column `col` as texts.
    fn plain_text(&self, col: &str, g: usize) -> Result<TextChunk> {
        let a = self.decode(col, g, None)?;
        Ok(TextChunk::Plain(
            downcast::<Utf8ViewArray>(a.as_ref(), col)?.clone(),
        ))
    }

    fn field(&self, col: &str) -> Result<&ArrowField> {
        self.schema
            .get(col)
            .ok_or_else(|| Error::Internal(format!("{}: no column {col}", self.path.display())))
    }

    /// One column chunk of row group `g`, decoded (dictionary columns as keys and values).
    fn decode(&self, col: &str, g: usize, filter: Option<Filter>) -> Result<Box<dyn Array>> {
        let field = self.field(col)?.clone();
        self.decode_as(&field, g, filter)
    }

    /// [`PqFile::decode`] into the type `field` gives (named as the file's column).
    fn decode_as(
        &self,
        field: &ArrowField,
        g: usize,
        filter: Option<Filter>,
    ) -> Result<Box<dyn Array>> {
        let (col, field) = (field.name.as_str(), field.clone());
        let rg = &self.meta.row_groups[g];
        let chunks: Vec<(&ColumnChunkMetadata, Buffer<u8>)> = rg
            .columns_under_root_iter(col)
            .into_iter()
            .flatten()
            .map(|m| {
                let r = m.byte_range();
                (
                    m,
                    self.data.clone().sliced(r.start as usize..r.end as usize),
                )
            })
            .collect();
        let (mut arrays, _) = to_deserializer(chunks, field, filter)?;
        let n = arrays.len();
        match arrays.pop() {
            Some(a) if n == 1 => Ok(a),
            _ => Err(Error::Internal(format!(
                "{}: row group {g}, column {col}: {n} arrays",
                self.path.display(),
            ))),
        }
    }

    fn rows_error(&self, first: usize, n: usize, e: Error) -> Error {
        let (p, from, to) = (self.path.display(), first + 1, first + n);
        let zh = e.text(crate::text::Lang::ZhCn);
        Error::input(crate::text::Text::new(
            format!("{p}: rows {from}..{to}: {e}"),
            format!("{p}：第 {from}..{to} 行：{zh}"),
        ))
    }

    /// A column's arrays (one per row group) as a series. Text dictionaries become polars
    /// categoricals by looking up each group's distinct values once and renumbering the keys.
    fn series(&self, name: &str, arrays: Vec<Box<dyn Array>>) -> Result<Series> {
        let field = self.field(name)?;
        let dtype = DataType::from_arrow_field(field);
        if arrays.is_empty() {
            return Ok(Series::new_empty(name.into(), &dtype));
        }
        if let (
            ArrowDataType::Dictionary(IntegerType::UInt32, _, _),
            DataType::Categorical(_, mapping),
        ) = (field.dtype(), &dtype)
        {
            if dtype.cat_physical().ok() == Some(CategoricalPhysical::U32) {
                let mut chunks = Vec::with_capacity(arrays.len());
                for a in &arrays {
                    let Some(d) = a.as_any().downcast_ref::<DictionaryArray<u32>>() else {
                        return self.series_by_polars(field, arrays);
                    };
                    let Some(values) = d.values().as_any().downcast_ref::<Utf8ViewArray>() else {
                        return self.series_by_polars(field, arrays);
                    };
                    let mut cat = Vec::with_capacity(values.len());
                    for v in values.values_iter() {
                        cat.push(mapping.insert_cat(v)?);
                    }
                    let keys = d.keys();
                    let mut ids: Vec<u32> = Vec::with_capacity(keys.len());
                    for (i, &k) in keys.values().iter().enumerate() {
                        ids.push(match cat.get(k as usize) {
                            Some(&c) => c,
                            // A null row's key may be anything: its validity hides it.
                            None if !keys.is_valid(i) => 0,
                            None => {
                                let (p, n) = (self.path.display(), cat.len());
                                return Err(Error::input(crate::tr!(
                                    "{p}: column {name}: dictionary key {k} of {n} values",
                                    "{p}：列 {name}：字典键 {k}，而字典只有 {n} 个值"
                                )));
                            }
                        });
                    }
                    chunks.push(
                        PrimitiveArray::<u32>::from_vec(ids)
                            .with_validity(keys.validity().cloned()),
                    );
                }
                let phys = UInt32Chunked::from_chunk_iter(name.into(), chunks);
                // SAFETY: every id came from `mapping.insert_cat`, and `dtype` is a categorical
                // of 32-bit ids.
                let ca =
                    unsafe { Categorical32Chunked::from_cats_and_dtype_unchecked(phys, dtype) };
                return Ok(ca.into_series());
            }
        }
        self.series_by_polars(field, arrays)
    }

    fn series_by_polars(&self, field: &ArrowField, arrays: Vec<Box<dyn Array>>) -> Result<Series> {
        Ok(Series::try_from((field, arrays))?)
    }
}

fn downcast<'a, T: 'static>(a: &'a dyn Array, col: &str) -> Result<&'a T> {
    a.as_any().downcast_ref::<T>().ok_or_else(|| {
        Error::Internal(format!(
            "column {col}: decoded as {:?}, not {}",
            a.dtype(),
            std::any::type_name::<T>()
        ))
    })
}

/// One column's chunks of a row group decoded to arrays: each chunk's pages read from its bytes
/// (prefetched, as polars' own reader does), decompressed and deserialized. The function
/// polars-io has for this (`_internal::to_deserializer`) needs its "parquet" feature, and so
/// every codec.
fn to_deserializer(
    columns: Vec<(&ColumnChunkMetadata, Buffer<u8>)>,
    field: polars_arrow::datatypes::Field,
    filter: Option<Filter>,
) -> PolarsResult<(Vec<Box<dyn Array>>, Bitmap)> {
    use polars_parquet::read::{BasicDecompressor, PageReader, column_iter_to_arrays};
    let (columns, types): (Vec<_>, Vec<_>) = columns
        .into_iter()
        .map(|(meta, chunk)| {
            polars_utils::mem::prefetch::prefetch_l2(&chunk);
            let pages = PageReader::new(std::io::Cursor::new(chunk), meta, vec![], usize::MAX);
            (
                BasicDecompressor::new(pages, vec![]),
                &meta.descriptor().descriptor.primitive_type,
            )
        })
        .unzip();
    column_iter_to_arrays(columns, types, field, filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Write `df` in row groups of `group` rows to a temporary DIR file.
    fn write(df: &DataFrame, group: usize) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        crate::io::write_atomic(&path, |f| {
            super::super::dir::write_parquet_groups(f, df, group).map_err(std::io::Error::other)
        })
        .unwrap();
        (dir, path)
    }

    fn cat(v: Vec<Option<&str>>) -> Column {
        Column::new("stage".into(), v)
            .cast(&DataType::from_categories(Categories::global()))
            .unwrap()
    }

    fn texts(df: &DataFrame, col: &str) -> Vec<Option<String>> {
        let c = df.column(col).unwrap().cast(&DataType::String).unwrap();
        c.str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    }

    /// A text column comes back per row group as dictionary and keys when the writer
    /// dictionary-encoded it (ids repeated: each deal has several events), else as texts; either
    /// way every row's text and null is in place. A column that is not text gives None.
    #[test]
    fn text_chunks_as_dictionary_or_texts() {
        // 40 rows, each id on 4 rows (and a null), in groups of 16: dictionary pages.
        let repeated: Vec<Option<String>> = (0..40)
            .map(|i| (i != 17).then(|| format!("006{:012}", i / 4)))
            .collect();
        // 40 distinct long ids.
        let distinct: Vec<Option<String>> = (0..40)
            .map(|i| Some(format!("deal-{i:05}-{}", "x".repeat(i % 7))))
            .collect();
        for (vals, dict) in [(repeated, true), (distinct, false)] {
            let df = DataFrame::new_infer_height(vec![
                Column::new("deal_id".into(), vals.clone()),
                Column::new("n".into(), (0..40).collect::<Vec<i64>>()),
            ])
            .unwrap();
            let (_d, path) = write(&df, 16);
            let f = PqFile::open(&path).unwrap();
            assert!(f.is_text("deal_id") && !f.is_text("n"));
            assert!(f.text_chunks("n", 0..3).unwrap().is_none());
            assert!(f.text_chunks("nope", 0..3).unwrap().is_none());
            let chunks = f.text_chunks("deal_id", 0..3).unwrap().unwrap();
            assert_eq!(
                chunks.iter().map(TextChunk::len).collect::<Vec<_>>(),
                vec![16, 16, 8]
            );
            if dict {
                assert!(chunks.iter().all(|c| matches!(c, TextChunk::Dict { .. })));
            }
            let back: Vec<Option<String>> = chunks
                .iter()
                .flat_map(|c| c.texts())
                .map(|v| v.map(str::to_string))
                .collect();
            assert_eq!(back, vals);
            // The last group alone.
            let last = f.text_chunks("deal_id", 2..3).unwrap().unwrap();
            let back: Vec<Option<&str>> = last[0].texts();
            assert_eq!(back.len(), 8);
            assert_eq!(back[0], vals[32].as_deref());
        }
    }

    /// Seven rows in groups of 3: the first group's dictionary holds only "Won" and "Lost",
    /// the second "Lost" and a new "Open", the last a null only. Read whole, every value comes
    /// back in place (labels, nulls, amounts, times, ids), labels as categoricals.
    #[test]
    fn dictionary_columns_come_back_as_categories_across_groups() {
        let stages = vec![
            Some("Won"),
            Some("Lost"),
            Some("Won"),
            Some("Lost"),
            Some("Open"),
            Some("Open"),
            None,
        ];
        let df = DataFrame::new_infer_height(vec![
            Column::new("deal_id".into(), ["d1", "d2", "d3", "d4", "d5", "d6", "d7"]),
            cat(stages.clone()),
            Column::new(
                "amount".into(),
                [
                    Some(1.5),
                    None,
                    Some(3.0),
                    Some(4.25),
                    Some(5.0),
                    Some(6.0),
                    Some(7.0),
                ],
            ),
            Column::new("at".into(), [0i64, 86_400_000, 2, 3, 4, 5, 6])
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap(),
        ])
        .unwrap();
        let (_dir, path) = write(&df, 3);
        let f = PqFile::open(&path).unwrap();
        assert_eq!(f.rows(), 7);
        assert_eq!(f.group_rows(), vec![3, 3, 1]);
        let got = f
            .read(&["stage", "amount", "nope", "deal_id", "at"], 0..3)
            .unwrap();
        assert_eq!(got.get_column_names(), ["stage", "amount", "deal_id", "at"]);
        assert!(matches!(
            got.column("stage").unwrap().dtype(),
            DataType::Categorical(..)
        ));
        let want: Vec<Option<String>> = stages.iter().map(|s| s.map(str::to_string)).collect();
        assert_eq!(texts(&got, "stage"), want);
        let amount: Vec<Option<f64>> = got
            .column("amount")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            amount,
            [
                Some(1.5),
                None,
                Some(3.0),
                Some(4.25),
                Some(5.0),
                Some(6.0),
                Some(7.0)
            ]
        );
        let at = got.column("at").unwrap();
        assert_eq!(
            at.dtype(),
            &DataType::Datetime(TimeUnit::Milliseconds, None)
        );
        let at: Vec<Option<i64>> = at
            .as_materialized_series()
            .to_physical_repr()
            .i64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(at[1], Some(86_400_000));
        assert_eq!(texts(&got, "deal_id")[6].as_deref(), Some("d7"));
        // The same label has the same category id in every group.
        let ids: Vec<Option<u32>> = got
            .column("stage")
            .unwrap()
            .as_materialized_series()
            .to_physical_repr()
            .u32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(ids[1], ids[3]);
        assert_eq!(ids[0], ids[2]);
        assert_eq!(ids[4], ids[5]);
        assert_ne!(ids[0], ids[1]);
    }

    /// Groups 1..3 of 0..3 are rows 4 to 7.
    #[test]
    fn a_range_of_groups_is_those_rows() {
        let df = DataFrame::new_infer_height(vec![cat(vec![
            Some("A"),
            Some("B"),
            Some("C"),
            Some("D"),
            Some("E"),
            Some("F"),
            Some("G"),
        ])])
        .unwrap();
        let (_dir, path) = write(&df, 3);
        let got = PqFile::open(&path).unwrap().read(&["stage"], 1..3).unwrap();
        let want: Vec<Option<String>> = ["D", "E", "F", "G"]
            .iter()
            .map(|s| Some(s.to_string()))
            .collect();
        assert_eq!(texts(&got, "stage"), want);
    }

    /// Rows 2, 3 and 7 of seven (groups of 3; the second group none): those rows' values in
    /// order; a mask of the wrong length is an error; a missing column is None.
    #[test]
    fn chosen_rows_only() {
        let df = DataFrame::new_infer_height(vec![Column::new(
            "account".into(),
            [
                Some("a1"),
                Some("a2"),
                None,
                Some("a4"),
                Some("a5"),
                Some("a6"),
                Some("a7"),
            ],
        )])
        .unwrap();
        let (_dir, path) = write(&df, 3);
        let f = PqFile::open(&path).unwrap();
        let keep = [false, true, true, false, false, false, true];
        let got = f.read_rows("account", &keep).unwrap().unwrap();
        let got: Vec<Option<&str>> = got.str().unwrap().iter().collect();
        assert_eq!(got, [Some("a2"), None, Some("a7")]);
        assert!(f.read_rows("account", &keep[..6]).is_err());
        assert!(f.read_rows("nope", &keep).unwrap().is_none());
        let none = f.read_rows("account", &[false; 7]).unwrap().unwrap();
        assert_eq!(none.len(), 0);
    }

    /// An empty table reads as an empty frame of the file's columns and types.
    #[test]
    fn an_empty_file_reads_empty() {
        let df = DataFrame::new_infer_height(vec![
            cat(vec![]),
            Column::new("amount".into(), Vec::<f64>::new()),
        ])
        .unwrap();
        let (_dir, path) = write(&df, 3);
        let f = PqFile::open(&path).unwrap();
        let got = f
            .read(&["stage", "amount"], 0..f.group_rows().len())
            .unwrap();
        assert_eq!(got.height(), 0);
        assert_eq!(got.column("amount").unwrap().dtype(), &DataType::Float64);
    }

    /// Seven labels in groups of 4 ("B", null, "A", "B" | "C", "A", "B"): codes number the
    /// labels by first appearance over the whole file (B 0, A 1, C 2), null rows get the
    /// null code; a text column that is not a dictionary, or a missing one, is None.
    #[test]
    fn dictionary_codes_by_first_appearance_across_groups() {
        let df = DataFrame::new_infer_height(vec![
            cat(vec![
                Some("B"),
                None,
                Some("A"),
                Some("B"),
                Some("C"),
                Some("A"),
                Some("B"),
            ]),
            Column::new("plain".into(), ["x", "y", "x", "y", "x", "y", "x"]),
        ])
        .unwrap();
        let (_dir, path) = write(&df, 4);
        let f = PqFile::open(&path).unwrap();
        let none = u32::MAX;
        let (codes, values) = f.codes("stage", none).unwrap().unwrap();
        assert_eq!(codes, [0, none, 1, 0, 2, 1, 0]);
        assert_eq!(values, ["B", "A", "C"]);
        assert!(f.codes("plain", none).unwrap().is_none());
        assert!(f.codes("nope", none).unwrap().is_none());
    }

    /// Times in milliseconds from a millisecond column (a null as the null value), from a
    /// microsecond column (floored: 1,500 us is 1 ms, -1 us is -1 ms) and from a date column
    /// (day 2 is 172,800,000 ms); a column of another type is None.
    #[test]
    fn times_in_milliseconds_from_any_unit() {
        let df = DataFrame::new_infer_height(vec![
            Column::new("ms".into(), [Some(5i64), None, Some(-7)])
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap(),
            Column::new("us".into(), [1_500i64, -1, 2_000_000])
                .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                .unwrap(),
            Column::new("day".into(), [Some(0i32), Some(2), None])
                .cast(&DataType::Date)
                .unwrap(),
            Column::new("n".into(), [1i64, 2, 3]),
        ])
        .unwrap();
        let (_dir, path) = write(&df, 2);
        let f = PqFile::open(&path).unwrap();
        let null = i64::MIN;
        assert_eq!(f.millis("ms", null).unwrap().unwrap(), [5, null, -7]);
        assert_eq!(f.millis("us", null).unwrap().unwrap(), [1, -1, 2_000]);
        assert_eq!(
            f.millis("day", null).unwrap().unwrap(),
            [0, 172_800_000, null]
        );
        assert!(f.millis("n", null).unwrap().is_none());
        assert!(f.millis("nope", null).unwrap().is_none());
    }

    /// Floats with a null as NaN; an integer column is None.
    #[test]
    fn floats_with_nulls_as_nan() {
        let df = DataFrame::new_infer_height(vec![
            Column::new("amount".into(), [Some(1.25), None, Some(-3.0)]),
            Column::new("n".into(), [1i64, 2, 3]),
        ])
        .unwrap();
        let (_dir, path) = write(&df, 2);
        let f = PqFile::open(&path).unwrap();
        let got = f.floats("amount").unwrap().unwrap();
        assert_eq!(got[0], 1.25);
        assert!(got[1].is_nan());
        assert_eq!(got[2], -3.0);
        assert!(f.floats("n").unwrap().is_none());
    }

    /// A file that is not parquet is an error naming it.
    #[test]
    fn not_parquet_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deals.parquet");
        std::fs::write(&path, b"deal_id,amount\n1,2\n").unwrap();
        let msg = PqFile::open(&path).err().unwrap().to_string();
        assert!(msg.contains("deals.parquet"), "{msg}");
    }

    /// Codes in order of first appearance (null: NONE) and the values: what the id coder
    /// must give (as in the column engine's tests).
    fn reference(vals: &[Option<String>]) -> (Vec<u32>, Vec<String>) {
        let mut map = std::collections::HashMap::new();
        let mut values = Vec::new();
        let codes = vals
            .iter()
            .map(|v| match v {
                None => crate::columns::engine::NONE,
                Some(s) => *map.entry(s.clone()).or_insert_with(|| {
                    values.push(s.clone());
                    values.len() as u32 - 1
                }),
            })
            .collect();
        (codes, values)
    }

    /// Ids read from a DIR file as row-group chunks (dictionaries and keys) code like the
    /// reference: ascending ids spanning groups, then ids seen before (hash mode), nulls.
    #[test]
    fn id_coder_codes_dictionary_chunks_like_one_column() {
        let long = |i: usize| format!("0060000000{i:05}");
        let mut vals: Vec<Option<String>> = (0..30).map(|i| Some(long(i / 3))).collect();
        vals.extend([3, 3, 12, 0, 12, 40, 40].iter().map(|&i| Some(long(i))));
        vals.insert(20, None);
        let (want_codes, want_values) = reference(&vals);
        let df =
            DataFrame::new_infer_height(vec![Column::new("deal_id".into(), vals.clone())]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        crate::io::write_atomic(&path, |f| {
            crate::load::dir::write_parquet_groups(f, &df, 8).map_err(std::io::Error::other)
        })
        .unwrap();
        let file = PqFile::open(&path).unwrap();
        let n_groups = file.group_rows().len();
        assert_eq!(n_groups, 5);
        // The groups in batches of one and of two groups.
        for step in [1, 2] {
            let mut coder = crate::columns::engine::IdCoder::default();
            let mut codes = Vec::new();
            for g in (0..n_groups).step_by(step) {
                let chunks = file
                    .text_chunks("deal_id", g..(g + step).min(n_groups))
                    .unwrap()
                    .unwrap();
                assert!(
                    chunks
                        .iter()
                        .any(|c| matches!(c, crate::columns::source::TextChunk::Dict { .. }))
                );
                codes.extend(coder.code_chunks(&chunks).unwrap());
            }
            assert_eq!(codes, want_codes, "step {step}");
            let ids = coder.into_ids();
            let got: Vec<&str> = (0..ids.len()).map(|i| ids.get(i).unwrap()).collect();
            assert_eq!(got, want_values);
        }
    }
}
