//! Writing a DIR's table files: parquet in row groups (LZ4), the CRC-32 of each file taken as
//! it is written, and the rejects table.

use super::*;

/// Write rejects as CSV (file, row, column, value, reason).
pub fn write_rejects(path: &Path, rejects: &[Reject]) -> Result<()> {
    crate::io::check_output(path, "--rejects")?;
    write_atomic(path, |f| {
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(f);
        w.write_record(["file", "row", "column", "value", "reason"])
            .map_err(std::io::Error::other)?;
        for r in rejects {
            w.serialize(r).map_err(std::io::Error::other)?;
        }
        w.flush()
    })
}

/// Rows per parquet row group. Written one group at a time, so encoding holds one group's
/// pages rather than a whole million-row table's (ingest's peak memory), and a reader has
/// several groups to spread over its threads.
pub(crate) const ROW_GROUP: usize = 1 << 17;

#[cfg(test)]
pub(crate) fn write_parquet(f: &mut std::fs::File, df: &DataFrame) -> PolarsResult<()> {
    write_parquet_groups(f, df, ROW_GROUP)
}

/// A writer that feeds every byte it passes on into a CRC-32: a table file's checksum, taken as
/// it is written (no second read), for `--verify`. A checksum, not a cryptographic hash: it
/// finds a file changed or swapped by accident; whoever can rewrite the DIR can rewrite its
/// manifest too, so a sha256 would buy nothing and cost ingest a pass over every table.
pub(crate) struct HashWriter<'a, W: Write> {
    pub(super) inner: &'a mut W,
    pub(super) hash: crc32fast::Hasher,
}

impl<W: Write> Write for HashWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A CRC-32 as 8 hex digits.
pub(crate) fn crc_text(c: u32) -> String {
    format!("{c:08x}")
}

/// A file's CRC-32 (a carried-over table, and `--verify`).
pub(crate) fn file_crc32(p: &Path) -> Result<String> {
    let mut h = crc32fast::Hasher::new();
    crate::load::read::each_piece(p, |b| h.update(b))?;
    Ok(crc_text(h.finalize()))
}

/// Write `df` as parquet in row groups of `group` rows, LZ4 (raw) compressed, each row group's
/// columns encoded in parallel. Written through polars-parquet itself: polars-io's writer needs
/// its "parquet" feature, which turns on every codec (brotli, zstd, gzip, snappy: 2 MB of the
/// binary) for files that only ever hold LZ4.
pub(crate) fn write_parquet_groups<W: Write>(
    f: &mut W,
    df: &DataFrame,
    group: usize,
) -> PolarsResult<()> {
    use polars_parquet::write::{
        CompressionOptions, FileWriter, StatisticsOptions, Version, WriteOptions,
        get_dtype_encoding, to_parquet_schema,
    };
    let schema = df.schema().to_arrow(CompatLevel::newest());
    let parquet_schema = to_parquet_schema(&schema)?;
    let encodings: Vec<_> = schema
        .iter_values()
        .map(|f| get_dtype_encoding(&f.dtype))
        .collect();
    let options = WriteOptions {
        statistics: StatisticsOptions::default(),
        compression: CompressionOptions::Lz4Raw,
        version: Version::V1,
        data_page_size: None,
    };
    let mut w = FileWriter::try_new(f, schema, options)?;
    let mut off = 0;
    loop {
        let mut part = df.slice(off as i64, group);
        // One chunk per part, so each part is one row group of `group` rows (a part spanning
        // two chunks was written as two groups, of very different sizes).
        part.rechunk_mut_par();
        for batch in part.iter_chunks(CompatLevel::newest(), false) {
            if batch.is_empty() {
                continue;
            }
            let columns = row_group_pages(&batch, parquet_schema.fields(), &encodings, options)?;
            w.write(
                batch.len() as u64,
                polars_parquet::write::DynIter::new(columns.into_iter().map(Ok)),
            )?;
        }
        off += group;
        if off >= df.height() {
            break;
        }
    }
    w.end(None)?;
    Ok(())
}

/// The compressed pages of each column of one row group, the columns encoded in parallel.
pub(crate) fn row_group_pages(
    batch: &polars_arrow::record_batch::RecordBatch,
    fields: &[polars_parquet::write::ParquetType],
    encodings: &[Vec<polars_parquet::write::Encoding>],
    options: polars_parquet::write::WriteOptions,
) -> PolarsResult<
    Vec<
        polars_parquet::write::DynStreamingIterator<
            'static,
            polars_parquet::write::CompressedPage,
            PolarsError,
        >,
    >,
> {
    use polars_parquet::read::ParquetError;
    use polars_parquet::write::{
        Compressor, DynStreamingIterator, FallibleStreamingIterator, array_to_columns,
    };
    use rayon::prelude::*;
    let per_column: Vec<PolarsResult<Vec<_>>> = batch
        .columns()
        .par_iter()
        .zip(fields)
        .zip(encodings)
        .map(|((array, ty), enc)| {
            let encoded = array_to_columns(array, ty.clone(), options, enc)?;
            Ok(encoded
                .into_iter()
                .map(|pages| {
                    DynStreamingIterator::new(
                        Compressor::new_from_vec(
                            pages.map(|r| {
                                r.map_err(|e| ParquetError::FeatureNotSupported(e.to_string()))
                            }),
                            options.compression,
                            vec![],
                        )
                        .map_err(PolarsError::from),
                    )
                })
                .collect())
        })
        .collect();
    let mut out = Vec::new();
    for c in per_column {
        out.extend(c?);
    }
    Ok(out)
}
