//! `salesctl ingest EXPORT... -o DIR`

use std::io::Write;

use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::load::{self, dir};
use crate::text::Lang;

pub use crate::cli::ingest::Args;

pub(crate) fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.inputs_quiet.unwrap_or(a.quiet);
    for i in &a.inputs {
        if i.canonicalize().ok().is_some_and(|c| {
            a.output
                .canonicalize()
                .ok()
                .is_some_and(|o| c == o || c.starts_with(&o))
        }) {
            let out = a.output.display();
            return Err(Error::usage(crate::tr!(
                "{out}: the output DIR must not be (or hold) an input",
                "{out}：输出 DIR 不能是输入（也不能包含输入）"
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
        let _ = write_summary(&mut err, &ds, &a.output, crate::warn::lang());
    }
    Ok(ExitCode::Success)
}

/// The one-screen summary, in `lang`.
fn write_summary(
    w: &mut impl Write,
    ds: &load::Dataset,
    out: &std::path::Path,
    lang: Lang,
) -> std::io::Result<()> {
    let m = &ds.manifest;
    // The layout, encoding and reading of each file are on its `input:` line (printed as it
    // was read); here what came out of it.
    for s in &m.sources {
        let outs: Vec<String> = s.rows_out.iter().map(|(t, n)| format!("{n} {t}")).collect();
        let (path, read, outs, rejected) = (&s.path, s.rows_in, outs.join(", "), s.rejected_rows);
        match lang {
            Lang::En => writeln!(
                w,
                "{path}: rows: {read} read, {outs} out, {rejected} rejected"
            )?,
            Lang::ZhCn => writeln!(w, "{path}：行数：读取 {read}，输出 {outs}，拒绝 {rejected}")?,
        }
        for n in s.notes.iter().chain(s.assumptions.iter()) {
            writeln!(w, "  {}{}", crate::output::note_prefix(lang), n.get(lang))?;
        }
    }
    for n in &m.notes {
        writeln!(w, "{}{}", crate::output::note_prefix(lang), n.get(lang))?;
    }
    let tables: Vec<String> = m.tables.iter().map(|(t, n)| format!("{t} {n}")).collect();
    let dir = out.display();
    match lang {
        Lang::En => {
            writeln!(w, "as of {} ({})", m.as_of, m.as_of_basis)?;
            writeln!(w, "wrote {dir}: {}", tables.join(", "))?;
        }
        Lang::ZhCn => {
            let basis = crate::output::labels::as_of_basis(&m.as_of_basis, lang);
            writeln!(w, "截至 {}（{basis}）", m.as_of)?;
            writeln!(w, "已写入 {dir}：{}", tables.join("，"))?;
        }
    }
    if m.rejects > 0 {
        let (n, to) = (m.rejects, out.join("rejects.csv"));
        let to = to.display();
        match lang {
            Lang::En => writeln!(w, "{n} rejected cell(s)/row(s) written to {to}")?,
            Lang::ZhCn => writeln!(w, "{n} 个被拒绝的单元格/行已写入 {to}")?,
        }
    }
    Ok(())
}
