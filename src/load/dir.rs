//! An ingested DIR: one parquet file per canonical table, `manifest.json`, and `rejects.csv`
//! when rows were rejected. Every file is written to a temporary name and renamed into place.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::mapping::Plan;
use super::{Dataset, LoaderArgs, Reject, Settings, Source};
use crate::error::{Error, Result};
use crate::model::Table;

/// One input file as the manifest records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub container: String,
    pub encoding: String,
    pub delimiter: Option<String>,
    pub sheet: Option<String>,
    pub preset: String,
    pub preset_why: String,
    pub table: String,
    #[serde(skip_deserializing)]
    pub mapping: Vec<Plan>,
    pub extras: Vec<String>,
    pub rows_in: usize,
    pub rows_out: BTreeMap<String, usize>,
    pub rejected_rows: usize,
    pub notes: Vec<String>,
    pub assumptions: Vec<String>,
    pub file_date: Option<String>,
}

/// manifest.json
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub salesctl_version: String,
    pub sources: Vec<SourceEntry>,
    pub tables: BTreeMap<String, usize>,
    pub as_of: String,
    pub as_of_basis: String,
    pub timezone: String,
    pub day_first: Option<bool>,
    pub default_currency: Option<String>,
    pub pipelines: BTreeMap<String, Vec<String>>,
    pub rejects: usize,
    pub notes: Vec<String>,
}

impl Manifest {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        sources: Vec<SourceEntry>,
        tables: &BTreeMap<String, usize>,
        as_of: NaiveDate,
        basis: &str,
        pipelines: BTreeMap<String, Vec<String>>,
        s: &Settings,
        rejects: usize,
        notes: Vec<String>,
    ) -> Manifest {
        Manifest {
            salesctl_version: env!("CARGO_PKG_VERSION").to_string(),
            sources,
            tables: tables.clone(),
            as_of: as_of.to_string(),
            as_of_basis: basis.to_string(),
            timezone: s.timezone.clone(),
            day_first: s.date_ctx.day_first,
            default_currency: s.currency.clone(),
            pipelines,
            rejects,
            notes,
        }
    }
}

/// Write `bytes` to `path` atomically: a temporary file in the same directory, then rename.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let res = File::create(&tmp).and_then(|mut f| {
        write(&mut f)?;
        f.flush()?;
        f.sync_all()
    });
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Write rejects as CSV (file, row, column, value, reason).
pub fn write_rejects(path: &Path, rejects: &[Reject]) -> Result<()> {
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

/// Put a table's canonical columns first, in canonical order, then its extra columns.
fn canonical_order(df: DataFrame, t: Table) -> Result<DataFrame> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut order: Vec<String> = t
        .fields()
        .iter()
        .map(|f| f.name.to_string())
        .filter(|f| names.contains(f))
        .collect();
    for n in &names {
        if !order.contains(n) {
            order.push(n.clone());
        }
    }
    Ok(df.select(order)?)
}

/// Rows per parquet row group. Written one group at a time, so encoding holds one group's
/// pages rather than a whole million-row table's (ingest's peak memory), and a reader has
/// several groups to spread over its threads.
const ROW_GROUP: usize = 1 << 17;

fn write_parquet(f: &mut File, df: &DataFrame) -> PolarsResult<()> {
    let mut w = ParquetWriter::new(f)
        .with_compression(ParquetCompression::Zstd(None))
        .batched(df.schema())?;
    let mut off = 0;
    loop {
        let mut part = df.slice(off as i64, ROW_GROUP);
        part.align_chunks_par();
        w.write_batch(&part)?;
        off += ROW_GROUP;
        if off >= df.height() {
            break;
        }
    }
    w.finish()?;
    Ok(())
}

/// Write the dataset to DIR. Tables from an earlier ingest that this one does not produce are removed.
pub fn write(ds: &Dataset, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    for t in Table::ALL {
        let path = dir.join(format!("{}.parquet", t.name()));
        match ds.tables.get(&t) {
            Some(src @ (Source::Frame(_) | Source::Events(_))) => {
                let df = match src {
                    Source::Events(df) => super::events::with_exits(df.clone())?,
                    _ => src.rows().cloned().unwrap_or_default(),
                };
                let df = canonical_order(df, t)?;
                write_atomic(&path, |f| {
                    write_parquet(f, &df).map_err(std::io::Error::other)
                })?;
                written.push(path);
            }
            Some(Source::Parquet(_)) => {}
            None => {
                if path.exists() {
                    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                }
            }
        }
    }
    let rejects_path = dir.join("rejects.csv");
    if ds.rejects.is_empty() {
        if rejects_path.exists() {
            std::fs::remove_file(&rejects_path).map_err(|e| Error::io(&rejects_path, e))?;
        }
    } else {
        write_rejects(&rejects_path, &ds.rejects)?;
        written.push(rejects_path);
    }
    let manifest =
        serde_json::to_string_pretty(&ds.manifest).map_err(|e| Error::Internal(e.to_string()))?;
    let mpath = dir.join("manifest.json");
    write_atomic(&mpath, |f| f.write_all(manifest.as_bytes()))?;
    written.push(mpath);
    Ok(written)
}

/// Open an ingested DIR.
pub fn read(dir: &Path, settings: Settings, args: &LoaderArgs) -> Result<Dataset> {
    let mpath = dir.join("manifest.json");
    let text = std::fs::read_to_string(&mpath).map_err(|e| Error::io(&mpath, e))?;
    let mut manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| Error::Input(format!("{}: not a salesctl manifest: {e}", mpath.display())))?;
    let mut tables = BTreeMap::new();
    for t in Table::ALL {
        let p = dir.join(format!("{}.parquet", t.name()));
        if p.is_file() {
            tables.insert(t, Source::Parquet(p));
        }
    }
    if let Some(p) = &args.pipeline {
        // Filtering needs the rows: materialise the filtered tables.
        for (_, src) in tables.iter_mut() {
            if let Source::Parquet(path) = src {
                let lf = LazyFrame::scan_parquet(
                    PlRefPath::try_from_path(path).map_err(|e| Error::Internal(e.to_string()))?,
                    ScanArgsParquet::default(),
                )?;
                let mut lf2 = lf.clone();
                if lf2.collect_schema()?.get("pipeline").is_some() {
                    *src = Source::Frame(
                        lf.filter(col("pipeline").cast(DataType::String).eq(lit(p.as_str())))
                            .collect()?,
                    );
                }
            }
        }
    }
    let as_of = match &args.as_of {
        Some(f) => {
            manifest.as_of_basis = "--as-of".into();
            crate::period::parse_date(f).map_err(|e| Error::Usage(format!("--as-of {f:?}: {e}")))?
        }
        None => NaiveDate::parse_from_str(&manifest.as_of, "%Y-%m-%d").map_err(|e| {
            Error::Input(format!(
                "{}: as_of {:?}: {e}",
                mpath.display(),
                manifest.as_of
            ))
        })?,
    };
    manifest.as_of = as_of.to_string();
    Ok(Dataset {
        tables,
        manifest,
        rejects: Vec::new(),
        settings,
        as_of,
        unread: BTreeMap::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Write `df` with the row-group writer and read it back whole.
    fn round_trip(df: &DataFrame, tag: &str) -> DataFrame {
        let dir = std::env::temp_dir().join(format!("salesctl-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.parquet");
        write_atomic(&path, |f| {
            write_parquet(f, df).map_err(std::io::Error::other)
        })
        .unwrap();
        let back = ParquetReader::new(File::open(&path).unwrap())
            .finish()
            .unwrap();
        std::fs::remove_dir_all(&dir).ok();
        back
    }

    #[test]
    fn an_empty_table_round_trips() {
        // Every row rejected: the table is written with its columns and no rows.
        let df =
            DataFrame::new_infer_height(vec![Column::new("deal_id".into(), Vec::<String>::new())])
                .unwrap();
        let back = round_trip(&df, "rg0");
        assert_eq!(back.height(), 0);
        assert_eq!(back.get_column_names(), df.get_column_names());
    }

    #[test]
    fn tables_longer_than_a_row_group_round_trip() {
        // 2.3 row groups, with nulls and text, written group by group and read back whole.
        let n = ROW_GROUP * 2 + ROW_GROUP / 3;
        let ids: Vec<String> = (0..n).map(|i| format!("id{i}")).collect();
        let amt: Vec<Option<f64>> = (0..n)
            .map(|i| (i % 7 != 0).then_some(i as f64 * 0.5))
            .collect();
        let df = DataFrame::new_infer_height(vec![
            Column::new("deal_id".into(), ids),
            Column::new("amount".into(), amt),
        ])
        .unwrap();
        let back = round_trip(&df, "rg");
        assert_eq!(back.height(), n);
        assert!(back.equals_missing(&df));
    }
}
