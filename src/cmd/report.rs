//! `salesctl report INPUT -o DIR`: the monthly review as one cron line.
//!
//! The exports are read once and written as a DIR in a scratch folder; that DIR is loaded once
//! and every section built from it ([`crate::analysis::report`]). The bundle is written to a
//! temporary directory beside DIR and put into place at the end (atomically): `report.md`, a
//! self-contained `report.html` (charts embedded), `report.xlsx` (a sheet per table), each chart
//! as PNG and each table as CSV, under deterministic names (`<section>-<table>.csv`,
//! `<section>.png`).

use std::path::Path;

use crate::analysis::report::place::{MadeDirs, Placement};
use crate::analysis::report::{self as sections, SECTIONS, render};
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::io::TempGuard;
use crate::load::{self, LoaderArgs};
use crate::text::Lang;

pub use crate::cli::report::Args;

pub(crate) fn run(a: Args) -> Result<ExitCode> {
    let settings = load::Settings::from_args(&a.load)?;
    let wanted = wanted(&a, &settings.config.report.sections)?;
    let lang =
        Lang::resolve(a.lang.as_deref(), settings.config.lang.as_deref()).map_err(Error::usage)?;
    // What -o DIR holds decides how the report goes in (never over what salesctl did not write).
    for i in a.inputs.iter().chain(&a.targets).chain(&a.spend) {
        crate::io::note_input(i);
    }
    let place = Placement::of(&a.output, a.force)?;
    let parent = place
        .real
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Folders made here for -o are removed again if the report fails (an empty folder left by
    // a failed run reads as a report that went missing); `remove_dir` takes only empty ones.
    let _made = MadeDirs::create(parent)?;
    crate::io::sweep_stale(parent);
    let (tmp, _tmp_guard) = temp_dir("report", Some(parent))?;
    crate::io::sweep_stale(&std::env::temp_dir());
    let (scratch, _scratch_guard) = temp_dir("scratch", None)?;
    let dir = ingest_once(&a, &scratch.path().join("data"))?;
    // Sections read the ingested DIR with the config, the as-of, the stage order and the
    // revenue source (the mapping is applied). `--stages` on an ingested DIR is honoured.
    let section_load = LoaderArgs {
        config: a.load.config.clone(),
        as_of: a.load.as_of.clone(),
        stages: a.load.stages.clone(),
        pipeline: a.load.pipeline.clone(),
        revenue: a.load.revenue,
        quiet: true,
        ..LoaderArgs::default()
    };
    let ds = load::load(std::slice::from_ref(&dir), &section_load)?;
    let period = crate::period::parse(&a.period, ds.as_of, ds.calendar())
        .map_err(|e| Error::usage(e.map(|m| format!("--period {m}"))))?;
    let built = sections::build(&sections::Inputs {
        a: &a,
        ds: &ds,
        dir: &dir,
        section_load: &section_load,
        lang,
        period: &period,
        wanted: &wanted,
        tmp: tmp.path(),
    });
    sections::refuse_missing(&a, &built)?;
    let head = sections::head(&ds, &period);
    let files = render::write_bundle(tmp.path(), &built, &head, lang)?;
    place.put(tmp.path(), &files)?;
    if !a.quiet {
        sections::say_done(&a.output, &head, &built, lang);
    }
    Ok(ExitCode::Success)
}

/// Sections: --sections, else the config's [report] sections, else all.
fn wanted(a: &Args, config: &[String]) -> Result<Vec<String>> {
    let given = if !a.sections.is_empty() {
        a.sections.clone()
    } else if !config.is_empty() {
        config.to_vec()
    } else {
        SECTIONS.iter().map(|s| s.to_string()).collect()
    };
    given
        .into_iter()
        .map(|w| {
            let w = w.trim().to_ascii_lowercase();
            if SECTIONS.contains(&w.as_str()) {
                Ok(w)
            } else {
                Err(Error::usage(crate::tr!(
                    "report section {w:?}: sections are {}",
                    "报告章节 {w:?}：可选章节为 {}",
                    SECTIONS.join(", ")
                )))
            }
        })
        .collect()
}

/// A temporary directory (beside -o DIR, or in the system's), registered for removal on a signal.
fn temp_dir(kind: &str, within: Option<&Path>) -> Result<(tempfile::TempDir, TempGuard)> {
    let prefix = crate::io::temp_dir_prefix(kind);
    TempGuard::create(|| {
        let mut b = tempfile::Builder::new();
        b.prefix(&prefix);
        let t = match within {
            Some(p) => b.tempdir_in(p)?,
            None => b.tempdir()?,
        };
        let p = t.path().to_path_buf();
        Ok((t, p))
    })
    .map_err(|e| match within {
        Some(p) => Error::io(p, e),
        None => Error::io("temporary directory", e),
    })
}

/// The exports read once (their `input:` lines shown unless -q) and written as a DIR at
/// `data`; an ingested DIR given as the input is used as it is.
fn ingest_once(a: &Args, data: &Path) -> Result<std::path::PathBuf> {
    if a.inputs.len() == 1 && a.inputs[0].is_dir() {
        return Ok(a.inputs[0].clone());
    }
    let mut load = a.load.clone();
    load.quiet = a.quiet;
    let raw = load::load(&a.inputs, &load)?;
    load::dir::write(&raw, data)?;
    if let Some(p) = &load.rejects {
        load::dir::write_rejects(p, &raw.rejects)?;
    }
    Ok(data.to_path_buf())
}
