//! `salesctl ingest EXPORT... -o DIR`

use std::io::Write;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::load::{self, LoaderArgs, dir};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// CRM exports: CSV/TSV/TXT (any delimiter, UTF-8/UTF-16/GBK/Latin-1), XLSX or XLS.
    #[arg(required = true, value_name = "EXPORT")]
    pub inputs: Vec<PathBuf>,
    /// The directory to write: <table>.parquet, manifest.json, rejects.csv.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// No summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub load: LoaderArgs,
    /// The `input:` lines (and progress) apart from the summary: `report` ingests quietly but
    /// shows how each export was read.
    #[arg(skip)]
    pub inputs_quiet: Option<bool>,
}

pub fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.inputs_quiet.unwrap_or(a.quiet);
    for i in &a.inputs {
        if i.canonicalize().ok().is_some_and(|c| {
            a.output
                .canonicalize()
                .ok()
                .is_some_and(|o| c == o || c.starts_with(&o))
        }) {
            return Err(Error::usage(format!(
                "{}: the output DIR must not be (or hold) an input",
                a.output.display()
            )));
        }
    }
    let ds = load::load(&a.inputs, &a.load)?;
    dir::write(&ds, &a.output)?;
    if let Some(p) = &a.load.rejects {
        dir::write_rejects(p, &ds.rejects)?;
    }
    if !a.quiet {
        let mut err = std::io::stderr().lock();
        let _ = write_summary(&mut err, &ds, &a.output);
    }
    Ok(ExitCode::Success)
}

/// The one-screen summary.
fn write_summary(
    w: &mut impl Write,
    ds: &load::Dataset,
    out: &std::path::Path,
) -> std::io::Result<()> {
    let m = &ds.manifest;
    // The layout, encoding and reading of each file are on its `input:` line (printed as it
    // was read); here what came out of it.
    for s in &m.sources {
        let outs: Vec<String> = s.rows_out.iter().map(|(t, n)| format!("{n} {t}")).collect();
        writeln!(
            w,
            "{}: rows: {} read, {} out, {} rejected",
            s.path,
            s.rows_in,
            outs.join(", "),
            s.rejected_rows
        )?;
        for n in s.notes.iter().chain(s.assumptions.iter()) {
            writeln!(w, "  note: {n}")?;
        }
    }
    for n in &m.notes {
        writeln!(w, "note: {n}")?;
    }
    let tables: Vec<String> = m.tables.iter().map(|(t, n)| format!("{t} {n}")).collect();
    writeln!(w, "as of {} ({})", m.as_of, m.as_of_basis)?;
    writeln!(w, "wrote {}: {}", out.display(), tables.join(", "))?;
    if m.rejects > 0 {
        writeln!(
            w,
            "{} rejected cell(s)/row(s) written to {}",
            m.rejects,
            out.join("rejects.csv").display()
        )?;
    }
    Ok(())
}
