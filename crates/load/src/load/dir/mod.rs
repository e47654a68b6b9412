//! An ingested DIR: one parquet file per canonical table, `manifest.json`, and `rejects.csv`
//! when rows were rejected. Every file is written to a temporary name and renamed into place.

use crate::text::Text;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::mapping::Plan;

use super::{Dataset, LoaderArgs, Reject, Settings, Source};
use crate::columns::engine::EventBatch;
use crate::error::{Error, Result};
use crate::model::Table;

mod batches;
mod files;

pub(crate) use batches::*;
pub use files::write_rejects;
pub(crate) use files::*;

/// One input file as the manifest records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceEntry {
    pub path: String,
    pub(crate) size: u64,
    pub(crate) sha256: String,
    pub(crate) container: String,
    pub encoding: String,
    pub(crate) delimiter: Option<String>,
    pub(crate) sheet: Option<String>,
    pub preset: String,
    pub preset_why: String,
    /// `preset_why` in Chinese (for the `input:` line; not kept in a DIR).
    #[serde(skip)]
    pub(crate) preset_why_zh: Option<String>,
    pub table: String,
    #[serde(skip_deserializing)]
    pub mapping: Vec<Plan>,
    pub extras: Vec<String>,
    pub rows_in: usize,
    pub rows_out: BTreeMap<String, usize>,
    pub rejected_rows: usize,
    pub notes: Vec<Text>,
    pub assumptions: Vec<Text>,
    pub(crate) file_date: Option<String>,
    /// How ambiguous slash dates were read (`day-first`, `month-first`), when the file had any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<String>,
    /// Why the encoding (bytes evidence, BOM or --encoding).
    #[serde(default)]
    pub encoding_why: String,
    /// `encoding_why` in Chinese (not kept in a DIR).
    #[serde(skip)]
    pub(crate) encoding_why_zh: Option<String>,
    /// What the reader repaired or doubted.
    #[serde(default)]
    pub warnings: Vec<Text>,
    /// Every layout considered, best first: (name, score, evidence). Not kept in a DIR.
    #[serde(skip)]
    pub candidates: Vec<(String, f64, String)>,
    /// Columns whose values refused a field: (field, header, why). Not kept in a DIR.
    #[serde(skip)]
    pub refused: Vec<(String, String, String)>,
}

/// manifest.json
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub(crate) salesctl_version: String,
    pub sources: Vec<SourceEntry>,
    pub tables: BTreeMap<String, usize>,
    pub as_of: String,
    pub as_of_basis: String,
    pub(crate) timezone: String,
    pub(crate) day_first: Option<bool>,
    pub default_currency: Option<String>,
    pub pipelines: BTreeMap<String, Vec<String>>,
    pub rejects: usize,
    pub notes: Vec<Text>,
    /// Each table file's CRC-32 (8 hex digits) as written, for `--verify` (absent in DIRs of
    /// older versions).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) table_crc32: BTreeMap<String, String>,
}

impl Manifest {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        sources: Vec<SourceEntry>,
        tables: &BTreeMap<String, usize>,
        as_of: NaiveDate,
        basis: &str,
        pipelines: BTreeMap<String, Vec<String>>,
        s: &Settings,
        rejects: usize,
        notes: Vec<Text>,
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
            table_crc32: BTreeMap::new(),
        }
    }
}

use crate::io::write_atomic;

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

/// The names an ingest writes in its DIR: anything else there is the user's.
fn is_dir_file(name: &str) -> bool {
    name == "manifest.json"
        || name == "rejects.csv"
        || Table::ALL
            .iter()
            .any(|t| name.strip_suffix(".parquet") == Some(t.name()))
}

/// Write the dataset to DIR as one generation: every file goes into a new folder beside DIR,
/// which then takes DIR's place in one step (a rename, or on Linux an exchange with the old
/// DIR, removed after). A reader, or a run killed at any point, sees the old DIR whole or the
/// new one whole, never a mix. Files in DIR that ingest did not write are kept (hard-linked
/// into the new generation); a folder of the user's inside DIR is refused. When DIR is the
/// working directory (or holds it) the files are replaced one by one instead, each atomically,
/// with the manifest last.
pub fn write(ds: &Dataset, dir: &Path) -> Result<Vec<PathBuf>> {
    let exists = std::fs::symlink_metadata(dir).is_ok();
    if exists && !dir.is_dir() {
        let d = dir.display();
        return Err(Error::usage(crate::tr!(
            "-o {d}: is a file; ingest writes a directory",
            "-o {d}：是一个文件；ingest 写出的是目录"
        )));
    }
    let under = crate::io::inputs_under(dir);
    if !under.is_empty() {
        let (d, u) = (dir.display(), under[0].display());
        return Err(Error::usage(crate::tr!(
            "-o {d}: holds an input of this command ({u}); choose another directory",
            "-o {d}：其中有本命令的输入（{u}）；请选择其他目录"
        )));
    }
    let real = if exists {
        dir.canonicalize().map_err(|e| Error::io(dir, e))?
    } else {
        dir.to_path_buf()
    };
    let parent = real
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    crate::io::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    crate::io::sweep_stale(&parent);
    let cwd_inside = exists
        && std::env::current_dir()
            .ok()
            .and_then(|c| c.canonicalize().ok())
            .is_some_and(|c| c.starts_with(&real));
    if cwd_inside {
        crate::io::sweep_stale(&real);
        return write_files(ds, &real, true).map(|w| {
            w.into_iter()
                .map(|p| dir.join(p.file_name().unwrap_or_default()))
                .collect()
        });
    }
    // The user's own files in DIR ride along as hard links; their folders are refused.
    let mut keep: Vec<PathBuf> = Vec::new();
    if exists {
        for e in std::fs::read_dir(&real)
            .map_err(|e| Error::io(dir, e))?
            .flatten()
        {
            let name = e.file_name().to_string_lossy().to_string();
            if is_dir_file(&name) || crate::io::temp_pid(&name).is_some() {
                continue;
            }
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                let d = dir.display();
                return Err(Error::usage(crate::tr!(
                    "-o {d}: holds a folder salesctl did not write ({name}); ingest replaces its DIR as a whole: \
                     move the folder, or choose another directory",
                    "-o {d}：其中有一个不是 salesctl 写入的文件夹（{name}）；ingest 会整体替换其 DIR：\
                     请移走该文件夹，或选择其他目录"
                )));
            }
            keep.push(e.path());
        }
    }
    let gen_name = format!(
        "{}{}",
        crate::io::temp_dir_prefix("ingest"),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let gen_path = parent.join(gen_name);
    // Created and registered under the signal thread's lock: a signal cannot fall in between.
    let ((), guard) = crate::io::TempGuard::create(|| {
        std::fs::create_dir(&gen_path).map(|()| ((), gen_path.clone()))
    })
    .map_err(|e| Error::io(&gen_path, e))?;
    for k in &keep {
        crate::io::link_or_copy(k, &gen_path.join(k.file_name().unwrap_or_default()))?;
    }
    let written = write_files(ds, &gen_path, false)?;
    crate::io::replace_dir(&gen_path, &real)?;
    guard.disarm();
    Ok(written
        .into_iter()
        .map(|p| dir.join(p.file_name().unwrap_or_default()))
        .collect())
}

/// Write every table, rejects and the manifest (last) into `dir`. With `in_place`, tables from
/// an earlier ingest that this one does not produce are removed.
fn write_files(ds: &Dataset, dir: &Path, in_place: bool) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let mut hashes: BTreeMap<String, String> = BTreeMap::new();
    for t in Table::ALL {
        let path = dir.join(format!("{}.parquet", t.name()));
        match ds.tables.get(&t) {
            Some(src @ (Source::Frame(_) | Source::Events(_))) => {
                let df = match src {
                    Source::Events(df) => super::events::with_exits(df.clone())?,
                    _ => src.rows().cloned().unwrap_or_default(),
                };
                let df = canonical_order(df, t)?;
                let mut digest = None;
                write_atomic(&path, |f| {
                    let mut hw = HashWriter {
                        inner: f,
                        hash: crc32fast::Hasher::new(),
                    };
                    write_parquet_groups(&mut hw, &df, ROW_GROUP).map_err(std::io::Error::other)?;
                    digest = Some(crc_text(hw.hash.finalize()));
                    Ok(())
                })?;
                if let Some(d) = digest {
                    hashes.insert(t.name().to_string(), d);
                }
                written.push(path);
            }
            Some(Source::Parquet(p)) => {
                // A table carried over from an input DIR: its file, unchanged (no read into
                // memory; DIR files are replaced by rename, never rewritten, so a link is safe).
                if p.canonicalize().ok() != path.canonicalize().ok() {
                    crate::io::link_or_copy(p, &path)?;
                }
                hashes.insert(t.name().to_string(), file_crc32(&path)?);
                written.push(path);
            }
            None => {
                if in_place && path.exists() {
                    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                }
            }
        }
    }
    let rejects_path = dir.join("rejects.csv");
    if ds.rejects.is_empty() {
        if in_place && rejects_path.exists() {
            std::fs::remove_file(&rejects_path).map_err(|e| Error::io(&rejects_path, e))?;
        }
    } else {
        write_rejects(&rejects_path, &ds.rejects)?;
        written.push(rejects_path);
    }
    let mut m = ds.manifest.clone();
    m.table_crc32 = hashes;
    let manifest = serde_json::to_string_pretty(&m).map_err(|e| Error::Internal(e.to_string()))?;
    let mpath = dir.join("manifest.json");
    write_atomic(&mpath, |f| f.write_all(manifest.as_bytes()))?;
    written.push(mpath);
    Ok(written)
}

/// Every table file of a DIR agrees with its manifest: the same tables, and each file's row
/// count (from its parquet footer: cheap) the manifest's. A DIR that fails was changed by hand
/// or torn by a tool other than salesctl; reading it could mix two exports.
fn check_generation(
    dir: &Path,
    manifest: &Manifest,
    tables: &BTreeMap<Table, Source>,
    verify: bool,
) -> Result<()> {
    let d = dir.display();
    let torn = |what: Text| {
        let (en, zh) = (&what.en, what.get(crate::text::Lang::ZhCn));
        Error::input(crate::tr!(
            "{d}: {en}; the DIR does not match its manifest.json (changed by hand or by another tool): \
             run `salesctl ingest EXPORT... -o {d}` again",
            "{d}：{zh}；该 DIR 与其 manifest.json 不一致（被手工或其他工具改动过）：\
             请重新运行 `salesctl ingest EXPORT... -o {d}`"
        ))
    };
    for (t, src) in tables {
        let Source::Parquet(p) = src else { continue };
        let file = p.file_name().unwrap_or_default().to_string_lossy();
        let Some(&want) = manifest.tables.get(t.name()) else {
            return Err(torn(crate::tr!(
                "{file} is not in the manifest",
                "{file} 不在 manifest.json 中"
            )));
        };
        let got = super::pq::PqFile::open(p)?.rows();
        if got != want {
            return Err(torn(crate::tr!(
                "{file} holds {got} rows, the manifest says {want}",
                "{file} 有 {got} 行，manifest.json 记录的是 {want} 行"
            )));
        }
        if verify {
            let Some(want) = manifest.table_crc32.get(t.name()) else {
                return Err(Error::input(crate::tr!(
                    "{d}: --verify: the manifest holds no checksum for {file} (ingested by an older salesctl): run `salesctl ingest EXPORT... -o {d}` again",
                    "{d}：--verify：manifest.json 中没有 {file} 的校验和（由旧版 salesctl 导入）：请重新运行 `salesctl ingest EXPORT... -o {d}`"
                )));
            };
            let got = file_crc32(p)?;
            if &got != want {
                return Err(torn(crate::tr!(
                    "--verify: {file} has checksum {got}, the manifest says {want}",
                    "--verify：{file} 的校验和为 {got}，manifest.json 记录的是 {want}"
                )));
            }
        }
    }
    for (name, n) in &manifest.tables {
        let listed = Table::ALL.iter().find(|t| t.name() == name);
        if let Some(t) = listed {
            if *n > 0 && !tables.contains_key(t) {
                return Err(torn(crate::tr!(
                    "{name}.parquet is missing",
                    "缺少 {name}.parquet"
                )));
            }
        }
    }
    Ok(())
}

/// Open an ingested DIR.
pub(crate) fn read(dir: &Path, settings: Settings, args: &LoaderArgs) -> Result<Dataset> {
    let mpath = dir.join("manifest.json");
    let text = std::fs::read_to_string(&mpath).map_err(|e| Error::io(&mpath, e))?;
    let mut manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
        let p = mpath.display();
        Error::input(crate::tr!(
            "{p}: not a salesctl manifest: {e}",
            "{p}：不是 salesctl 的 manifest.json：{e}"
        ))
    })?;
    let mut tables = BTreeMap::new();
    for t in Table::ALL {
        let p = dir.join(format!("{}.parquet", t.name()));
        if p.is_file() {
            crate::io::note_input(&p);
            tables.insert(t, Source::Parquet(p));
        }
    }
    crate::io::note_input(dir);
    crate::io::note_input(&mpath);
    check_generation(dir, &manifest, &tables, args.verify)?;
    if let Some(p) = &args.pipeline {
        // Filtering needs the rows: materialise the filtered tables.
        for (_, src) in tables.iter_mut() {
            if let Source::Parquet(path) = src {
                let lf = super::pq::scan(path)?;
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
            crate::period::parse_date(f).map_err(|e| {
                let (en, zh) = (&e.en, e.get(crate::text::Lang::ZhCn));
                Error::usage(crate::tr!("--as-of {f:?}: {en}", "--as-of {f:?}：{zh}"))
            })?
        }
        None => NaiveDate::parse_from_str(&manifest.as_of, "%Y-%m-%d").map_err(|e| {
            let (p, a) = (mpath.display(), &manifest.as_of);
            Error::input(crate::tr!("{p}: as_of {a:?}: {e}", "{p}：as_of {a:?}：{e}"))
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
mod tests;
