//! Decoding one column of one row group: its pages decompressed and deserialized to arrow
//! arrays, then made a polars series (dictionary keys looked up among polars' categories once
//! per row group).

use super::*;

impl PqFile {
    /// Split `out` (one slot per row) by row groups and fill each group's part from its
    /// decoded column chunk, groups in parallel; each group's `f` result, in group order.
    pub(super) fn fill<T: Send, R: Send>(
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

    /// A primitive column of `S` values, each converted by `conv`, null as `null`.
    pub(super) fn values<S: polars_arrow::types::NativeType, T: Copy + Send + Sync>(
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

    /// Row group `g` of text column `col` as texts.
    pub(super) fn plain_text(&self, col: &str, g: usize) -> Result<TextChunk> {
        let a = self.decode(col, g, None)?;
        Ok(TextChunk::Plain(
            downcast::<Utf8ViewArray>(a.as_ref(), col)?.clone(),
        ))
    }

    pub(super) fn field(&self, col: &str) -> Result<&ArrowField> {
        self.schema
            .get(col)
            .ok_or_else(|| Error::Internal(format!("{}: no column {col}", self.path.display())))
    }

    /// One column chunk of row group `g`, decoded (dictionary columns as keys and values).
    pub(super) fn decode(
        &self,
        col: &str,
        g: usize,
        filter: Option<Filter>,
    ) -> Result<Box<dyn Array>> {
        let field = self.field(col)?.clone();
        self.decode_as(&field, g, filter)
    }

    /// [`PqFile::decode`] into the type `field` gives (named as the file's column).
    pub(super) fn decode_as(
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

    pub(super) fn rows_error(&self, first: usize, n: usize, e: Error) -> Error {
        let (p, from, to) = (self.path.display(), first + 1, first + n);
        let zh = e.text(crate::text::Lang::ZhCn);
        Error::input(crate::text::Text::new(
            format!("{p}: rows {from}..{to}: {e}"),
            format!("{p}：第 {from}..{to} 行：{zh}"),
        ))
    }

    /// A column's arrays (one per row group) as a series. Text dictionaries become polars
    /// categoricals by looking up each group's distinct values once and renumbering the keys.
    pub(super) fn series(&self, name: &str, arrays: Vec<Box<dyn Array>>) -> Result<Series> {
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

    pub(super) fn series_by_polars(
        &self,
        field: &ArrowField,
        arrays: Vec<Box<dyn Array>>,
    ) -> Result<Series> {
        Ok(Series::try_from((field, arrays))?)
    }
}

pub(super) fn downcast<'a, T: 'static>(a: &'a dyn Array, col: &str) -> Result<&'a T> {
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
pub(super) fn to_deserializer(
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
