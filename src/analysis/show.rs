//! `salesctl show INPUT [--rows-of TABLE]`: the canonical rows as read, through the same loader
//! and output as every command. A way to check what salesctl understood of an export.

use crate::model::kpi;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::load::dir::SourceEntry;
use crate::load::{self};
use crate::model::{Kind, Table};
use crate::output::{self, ColumnSpec, Note, Report, ResultTable, TableBuilder, Unit};

pub(crate) use crate::cli::show::Args;

fn unit_of(t: Table, name: &str, dtype: &DataType) -> Unit {
    match t.field(name).map(|f| f.kind) {
        Some(Kind::Money) => Unit::Money,
        Some(Kind::Fraction) => Unit::Ratio,
        Some(Kind::DateTime) => Unit::DateTime,
        Some(Kind::Number) => Unit::Number,
        Some(Kind::Bool) => Unit::Bool,
        _ => match dtype {
            DataType::Boolean => Unit::Bool,
            DataType::Float64 | DataType::Float32 => Unit::Number,
            DataType::Int64 | DataType::UInt32 | DataType::Int32 | DataType::UInt64 => Unit::Count,
            _ => Unit::Text,
        },
    }
}

/// The rows of one table (`--rows-of`, else the first) as read, with how they were read.
pub(crate) fn rows(a: &Args, ds: &load::Dataset) -> Result<Report> {
    let table = match &a.rows_of {
        Some(t) => Table::parse(t).ok_or_else(|| {
            Error::usage(crate::tr!(
                "--rows-of {t:?}: unknown table",
                "--rows-of {t:?}：未知的表"
            ))
        })?,
        None => *ds.tables().first().ok_or_else(|| {
            Error::input(crate::tr!("the input holds no table", "输入中没有任何表"))
        })?,
    };
    let df = ds.scan(table)?.collect()?;
    let columns = df
        .columns()
        .iter()
        .map(|c| ColumnSpec::new(c.name(), unit_of(table, c.name(), c.dtype())))
        .collect();
    let mut notes = vec![as_of_note(ds)];
    for s in &ds.manifest.sources {
        notes.push(Note::new(
            format!(
                "{}: preset {}, {} rows read, {} rejected",
                s.path, s.preset, s.rows_in, s.rejected_rows
            ),
            format!(
                "{}：预设 {}，读取 {} 行，拒绝 {} 行",
                s.path, s.preset, s.rows_in, s.rejected_rows
            ),
        ));
        notes.extend(s.assumptions.iter().map(Note::from));
    }
    if !ds.rejects.is_empty() {
        if let Some(p) = &a.load.rejects {
            load::dir::write_rejects(p, &ds.rejects)?;
        }
    }
    Ok(Report {
        tables: vec![ResultTable {
            name: table.name().to_string(),
            columns,
            df,
        }],
        notes,
        title: None,
    })
}

/// The as-of and its basis, first note of `show`.
fn as_of_note(ds: &load::Dataset) -> Note {
    let m = &ds.manifest;
    Note::new(
        format!("as of {} ({})", m.as_of, m.as_of_basis),
        format!(
            "截至 {}（{}）",
            m.as_of,
            output::labels::as_of_basis(&m.as_of_basis, output::Lang::ZhCn)
        ),
    )
}

/// `show --explain`: the recognition report of every file.
pub(crate) fn explain(ds: &load::Dataset) -> Result<Report> {
    let srcs = &ds.manifest.sources;
    let mut layout = layout_table(srcs);
    let (mut f, mut l, mut sc, mut ev) = (vec![], vec![], vec![], vec![]);
    for s in srcs {
        for (name, score, evidence) in &s.candidates {
            f.push(s.path.clone());
            l.push(name.clone());
            sc.push((score * 100.0).round() / 100.0);
            ev.push(evidence.clone());
        }
    }
    let mut cands = TableBuilder::new("candidates");
    cands
        .col("file", Unit::Text, f)
        .col("layout", Unit::Text, l)
        .col("score", Unit::Number, sc)
        .col("evidence", Unit::Text, ev);
    let (mut f, mut fld, mut h, mut by) = (vec![], vec![], vec![], vec![]);
    for s in srcs {
        for p in &s.mapping {
            f.push(s.path.clone());
            fld.push(p.field.to_string());
            h.push(p.header.clone());
            by.push(p.by.to_string());
        }
    }
    let mut fields = TableBuilder::new("fields");
    fields
        .col("file", Unit::Text, f)
        .col("field", Unit::Text, fld)
        .col("header", Unit::Text, h)
        .col("by", Unit::Text, by);
    let (mut f, mut fld, mut h, mut why) = (vec![], vec![], vec![], vec![]);
    for s in srcs {
        for (field, header, w) in &s.refused {
            f.push(s.path.clone());
            fld.push(field.clone());
            h.push(header.clone());
            why.push(w.clone());
        }
    }
    let mut refused = TableBuilder::new("refused");
    refused
        .col("file", Unit::Text, f)
        .col("field", Unit::Text, fld)
        .col("header", Unit::Text, h)
        .col("why", Unit::Text, why);
    let (mut f, mut c) = (vec![], vec![]);
    for s in srcs {
        for x in &s.extras {
            f.push(s.path.clone());
            c.push(x.clone());
        }
    }
    let mut unmapped = TableBuilder::new("unmapped");
    unmapped
        .col("file", Unit::Text, f)
        .col("column", Unit::Text, c);
    let mut rejects = rejects_table(ds);
    let mut notes = vec![as_of_note(ds)];
    for s in srcs {
        notes.extend(s.warnings.iter().map(|w| {
            Note::new(
                format!("warning: {}", w.en),
                format!("警告：{}", w.get(output::Lang::ZhCn)),
            )
        }));
        notes.extend(s.notes.iter().map(|n| {
            Note::new(
                format!("{}: {}", s.path, n.en),
                format!("{}：{}", s.path, n.get(output::Lang::ZhCn)),
            )
        }));
    }
    Ok(Report {
        tables: vec![
            layout.build()?,
            cands.build()?,
            fields.build()?,
            refused.build()?,
            unmapped.build()?,
            rejects.build()?,
        ],
        notes,
        title: None,
    })
}

/// `show --explain`'s `layout` table: per file its layout, table, why, encoding, date order and
/// rows read and rejected.
fn layout_table(srcs: &[SourceEntry]) -> TableBuilder {
    let mut layout = TableBuilder::new("layout");
    layout
        .col(
            "file",
            Unit::Text,
            srcs.iter().map(|s| s.path.clone()).collect::<Vec<_>>(),
        )
        .col(
            "layout",
            Unit::Text,
            srcs.iter().map(|s| s.preset.clone()).collect::<Vec<_>>(),
        )
        .col(
            "table",
            Unit::Text,
            srcs.iter().map(|s| s.table.clone()).collect::<Vec<_>>(),
        )
        .col(
            "why",
            Unit::Text,
            srcs.iter()
                .map(|s| s.preset_why.clone())
                .collect::<Vec<_>>(),
        )
        .col(
            "encoding",
            Unit::Text,
            srcs.iter()
                .map(|s| {
                    if s.encoding_why.is_empty() {
                        s.encoding.clone()
                    } else {
                        format!("{} ({})", s.encoding, s.encoding_why)
                    }
                })
                .collect::<Vec<_>>(),
        )
        .col(
            "date_order",
            Unit::Text,
            srcs.iter()
                .map(|s| s.date_order.clone())
                .collect::<Vec<_>>(),
        )
        .col(
            "rows_read",
            Unit::Count,
            srcs.iter().map(|s| s.rows_in as u64).collect::<Vec<_>>(),
        )
        .col(
            "rows_rejected",
            Unit::Count,
            srcs.iter()
                .map(|s| s.rejected_rows as u64)
                .collect::<Vec<_>>(),
        );
    layout
}

/// `show --explain`'s `rejects` table: the 20 commonest (file, column, reason) of rejected rows,
/// with a count and an example.
fn rejects_table(ds: &load::Dataset) -> TableBuilder {
    let mut top = load::reject_groups(&ds.rejects);
    top.truncate(20);
    let mut rejects = TableBuilder::new("rejects");
    rejects
        .col(
            "file",
            Unit::Text,
            top.iter().map(|t| t.0.0.clone()).collect::<Vec<_>>(),
        )
        .col(
            "column",
            Unit::Text,
            top.iter().map(|t| t.0.1.clone()).collect::<Vec<_>>(),
        )
        .col(
            "reason",
            Unit::Text,
            top.iter().map(|t| t.0.2.clone()).collect::<Vec<_>>(),
        )
        .col(
            kpi::ROWS,
            Unit::Count,
            top.iter().map(|t| t.1.0 as u64).collect::<Vec<_>>(),
        )
        .col(
            "example",
            Unit::Text,
            top.iter().map(|t| t.1.1.clone()).collect::<Vec<_>>(),
        );
    rejects
}

/// `show --write-config FILE`: the config that reproduces this read. Never replaces a file.
pub(crate) fn write_config(ds: &load::Dataset, path: &std::path::Path) -> Result<()> {
    use std::fmt::Write as _;
    if path.exists() {
        let p = path.display();
        return Err(Error::usage(crate::tr!(
            "--write-config {p}: the file exists; salesctl never replaces it (choose another name, or merge by hand)",
            "--write-config {p}：文件已存在；salesctl 从不覆盖文件（请换一个名字，或手动合并）"
        )));
    }
    crate::io::check_output(path, "--write-config")?;
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut t = String::from(
        "# Written by `salesctl show --write-config`: reproduces how the input was read.\n",
    );
    if ds.manifest.sources.len() > 1 {
        t.push_str(
            "# Several inputs: the keys below are those of the first; see docs/config.md.\n",
        );
    }
    let Some(src) = ds.manifest.sources.first() else {
        return Err(Error::input(crate::tr!(
            "no export was read (an ingested DIR has its own manifest)",
            "没有读取任何导出文件（已导入的 DIR 有自己的 manifest）"
        )));
    };
    let _ = writeln!(t, "# {}: {}", src.path, src.preset_why.replace('\n', " "));
    let _ = writeln!(t, "preset = {}", q(&src.preset));
    if let Some(o) = &src.date_order {
        let _ = writeln!(t, "day_first = {}", o.starts_with("day-first"));
    }
    if let Some(c) = &ds.manifest.default_currency {
        let _ = writeln!(t, "currency = {}", q(c));
    }
    t.push_str("\n[map]\n");
    for p in &src.mapping {
        if p.headers.len() > 1 {
            let _ = writeln!(t, "# {} is filled from {}", p.field, p.headers.join(", "));
            continue;
        }
        let _ = writeln!(t, "{} = {}", p.field, q(&p.header));
    }
    if !ds.manifest.pipelines.is_empty() {
        t.push_str("\n[stages]\n");
        for (k, v) in &ds.manifest.pipelines {
            let list: Vec<String> = v.iter().map(|x| q(x)).collect();
            let _ = writeln!(t, "{} = [{}]", q(k), list.join(", "));
        }
    }
    crate::io::write_atomic(path, |f| {
        use std::io::Write;
        f.write_all(t.as_bytes())
    })?;
    Ok(())
}
