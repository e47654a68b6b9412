//! Every input read, recognized, normalized and merged into one dataset, with its `input:`
//! line, its warnings, the reject limit and the manifest entry of each export.

use super::*;

pub(super) fn load_inputs(inputs: &[PathBuf], args: &LoaderArgs) -> Result<Dataset> {
    let settings = Settings::from_args(args)?;
    let spooled = spool_inputs(inputs)?;
    let inputs = spooled.as_deref().unwrap_or(inputs);
    // --rejects is checked before anything is read: it must never name an input.
    for p in inputs {
        crate::io::note_input(p);
    }
    if let Some(p) = &args.rejects {
        crate::io::check_output(p, "--rejects")?;
    }
    if inputs.len() == 1 && inputs[0].join("manifest.json").is_file() {
        let ds = dir::read(&inputs[0], settings, args)?;
        if !args.quiet {
            print_dir_line(&ds, &inputs[0]);
        }
        return apply_fx(ds, args);
    }
    let mut frames: BTreeMap<Table, Vec<DataFrame>> = BTreeMap::new();
    let mut entries = Vec::new();
    let mut rejects = Vec::new();
    let mut pipelines: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unread: BTreeMap<Table, Vec<String>> = BTreeMap::new();
    isolate::set_memory_mib(args.max_workbook_memory);
    let ropts = read_options(args)?;
    for path in inputs {
        let (mut opened, res, display) = read_one(path, &ropts, &settings, args)?;
        let _t = crate::timing::span("load: sha256 and manifest");
        // A command that reads only some columns writes no manifest: no hash of the file.
        let sha = if settings.only.is_some() {
            String::new()
        } else {
            opened.sha256()?
        };
        let mut rows_out = BTreeMap::new();
        for (t, df) in &res.frames {
            rows_out.insert(t.name().to_string(), df.height());
        }
        for (k, v) in &res.pipelines {
            pipelines.entry(k.clone()).or_insert_with(|| v.clone());
        }
        entries.push(source_entry(path, display, &opened, &res, sha, rows_out));
        if let Some(e) = entries.last() {
            if !args.quiet {
                print_input_line(e, &settings);
            }
            // Warnings change what the numbers mean: printed whatever -q says.
            for w in &e.warnings {
                crate::warn::emit_text(w);
            }
        }
        rejects.extend(res.rejects);
        if !res.unread.is_empty() {
            let u = unread.entry(res.table).or_default();
            for f in res.unread {
                if !u.contains(&f) {
                    u.push(f);
                }
            }
        }
        for (t, df) in res.frames {
            frames.entry(t).or_default().push(df);
        }
    }
    let mut notes = Vec::new();
    let tables = merge_tables(frames, args, &mut notes)?;
    let (as_of, basis) = as_of(args.as_of.as_deref(), &entries, &tables)?;
    // Side files (targets, spend, activities, feedback) take the main input's as-of: their own
    // is never used, so no word about it.
    let dated = [Table::Deals, Table::Orders, Table::StageEvents]
        .iter()
        .any(|t| tables.contains_key(t));
    if basis.starts_with("today") && dated {
        crate::warn::emit_text(&crate::tr!(
            "no date was recognised in the input: results are as of today ({as_of}); pass --as-of YYYY-MM-DD, or map a date column with --map created_at=HEADER",
            "输入中没有识别出日期：结果截至今天（{as_of}）；请传入 --as-of YYYY-MM-DD，或用 --map created_at=HEADER 映射一个日期列"
        ));
    }
    let manifest = Manifest::new(
        entries,
        &tables_rows(&tables),
        as_of,
        &basis,
        pipelines,
        &settings,
        rejects.len(),
        notes,
    );
    apply_fx(
        Dataset {
            tables,
            manifest,
            rejects,
            settings,
            as_of,
            unread,
        },
        args,
    )
}

/// The inputs with `-` (standard input) spooled to a temporary file; None when there is none.
pub(super) fn spool_inputs(inputs: &[PathBuf]) -> Result<Option<Vec<PathBuf>>> {
    if !inputs.iter().any(|p| p.as_os_str() == "-") {
        return Ok(None);
    }
    inputs
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                crate::io::spool_stdin()
            } else {
                Ok(p.clone())
            }
        })
        .collect::<Result<_>>()
        .map(Some)
}

/// The `input:` line of an ingested DIR: its tables, what it was ingested from and how each
/// export was read, and the config.
pub(super) fn print_dir_line(ds: &Dataset, path: &Path) {
    // One line for the DIR: what it was ingested from and how each export was read.
    let srcs: Vec<Text> = ds
        .manifest
        .sources
        .iter()
        .map(|e| {
            let (path, preset, rows) = (&e.path, &e.preset, e.rows_in);
            crate::tr!(
                "{path} ({preset}, {rows} rows)",
                "{path}（{preset}，{rows} 行）"
            )
        })
        .collect();
    let tables: Vec<String> = ds
        .manifest
        .tables
        .iter()
        .map(|(t, n)| format!("{n} {t}"))
        .collect();
    let config = ds.settings.config_path.as_ref().map(|c| c.display());
    let lang = crate::warn::lang();
    let line = match lang {
        Lang::En => format!(
            "input: {}: ingested DIR ({}), from {}{}",
            path.display(),
            tables.join(", "),
            joined(&srcs, lang, "; "),
            config.map(|c| format!("; config {c}")).unwrap_or_default()
        ),
        Lang::ZhCn => format!(
            "输入：{}：已导入的 DIR（{}），来自 {}{}",
            path.display(),
            tables.join("，"),
            joined(&srcs, lang, "；"),
            config.map(|c| format!("；配置 {c}")).unwrap_or_default()
        ),
    };
    eprintln!("{line}");
}

/// How files are opened, from the loader flags.
pub(super) fn read_options(args: &LoaderArgs) -> Result<read::ReadOptions> {
    Ok(read::ReadOptions {
        encoding: args.encoding.clone(),
        sheet: args.sheet.clone(),
        progress: !args.quiet,
        full_scan: false,
        max_line_bytes: args.max_line_bytes,
        max_columns: args.max_columns,
        escape: match args.escape.as_deref() {
            None => None,
            Some("backslash") => Some(true),
            Some("none") => Some(false),
            Some(other) => {
                return Err(Error::usage(crate::tr!(
                    "--escape {other:?}: expected backslash or none",
                    "--escape {other:?}：应为 backslash 或 none"
                )));
            }
        },
    })
}

/// One export opened and normalised, with its display name. Refused when it is a folder, when
/// `--max-rejects 0` meets a rejected row, when too many rows are rejected (the rejects are
/// written to `--rejects` first), or when no deal was read from a deals export.
pub(super) fn read_one(
    path: &Path,
    ropts: &read::ReadOptions,
    settings: &Settings,
    args: &LoaderArgs,
) -> Result<(read::Opened, normalize::FileResult, String)> {
    if path.is_dir() {
        let p = path.display();
        return Err(Error::input(crate::tr!(
            "{p}: a directory without manifest.json; pass export files, or a DIR made by `salesctl ingest`",
            "{p}：是一个没有 manifest.json 的目录；请传入导出文件，或由 `salesctl ingest` 生成的 DIR"
        )));
    }
    let display = crate::io::display_name(path);
    let _t = crate::timing::span("load: read and normalise");
    let mut opened = read::open(path, ropts)?;
    let scoped = settings.for_input(path);
    let s_file = scoped.as_ref().unwrap_or(settings);
    let mut res = normalize::normalize(&mut opened, s_file, &display)?;
    // UTF-8 chosen from the first 64 KB and a later byte says otherwise: the choice is
    // revised by reading again with every byte deciding, never turned into rejected rows.
    if opened.tentative_utf8
        && res
            .rejects
            .iter()
            .any(|r| r.reason.contains("invalid UTF-8"))
    {
        let again = read::ReadOptions {
            full_scan: true,
            ..ropts.clone()
        };
        opened = read::open(path, &again)?;
        res = normalize::normalize(&mut opened, s_file, &display)?;
    }
    drop(_t);
    if let Some(r) = res.rejects.first() {
        if settings.max_rejects == MaxRejects::Count(0) {
            return Err(Error::Strict(Box::new(crate::error::StrictRejects {
                file: display,
                count: res.rejected_rows,
                row: r.row,
                column: r.column.clone(),
                // untranslated: a reject reason is data (the rejects table's column).
                reason: format!("{} ({:?})", r.reason, r.value).into(),
            })));
        }
    }
    if let Err(e) = reject_share(&res, settings, &display) {
        // Refused, and still nothing lost: the rejected rows go where --rejects says.
        if let Some(p) = &args.rejects {
            dir::write_rejects(p, &res.rejects)?;
            let (zh, p) = (e.text(Lang::ZhCn), p.display());
            return Err(Error::input(crate::tr!(
                "{e}; the rejected rows are in {p}",
                "{zh}；被拒绝的行已写入 {p}"
            )));
        }
        return Err(e);
    }
    let deals_out = res
        .frames
        .iter()
        .find(|(t, _)| *t == Table::Deals)
        .map(|(_, df)| df.height());
    if deals_out == Some(0) {
        let (rows, rejected) = (res.rows_in, res.rejected_rows);
        let layout = res.preset.map_or("generic", |p| p.name.as_str());
        return Err(Error::input(crate::tr!(
            "{display}: no deal was read ({rows} data row(s), {rejected} rejected; layout {layout}); see `salesctl show {display} --explain`",
            "{display}：没有读到任何商机（{rows} 个数据行，{rejected} 行被拒绝；格式 {layout}）；请查看 `salesctl show {display} --explain`"
        )));
    }
    Ok((opened, res, display))
}

/// The manifest's entry for one export: how it was read and what came of it.
pub(super) fn source_entry(
    path: &Path,
    display: String,
    opened: &read::Opened,
    res: &normalize::FileResult,
    sha: String,
    rows_out: BTreeMap<String, usize>,
) -> SourceEntry {
    SourceEntry {
        path: display,
        size: opened.size,
        sha256: sha,
        container: opened.container.to_string(),
        encoding: opened.encoding.clone(),
        delimiter: opened.delimiter.clone(),
        sheet: opened.sheet.clone(),
        preset: res
            .preset
            .map_or("generic", |p| p.name.as_str())
            .to_string(),
        preset_why: res.preset_why.en.clone(),
        preset_why_zh: res.preset_why.zh.clone(),
        table: res.table.name().to_string(),
        mapping: res.mapping.plans.clone(),
        extras: res.mapping.extras.iter().map(|(_, n)| n.clone()).collect(),
        rows_in: res.rows_in,
        rows_out,
        rejected_rows: res.rejected_rows,
        notes: res.notes.clone(),
        assumptions: res.assumptions.clone(),
        file_date: file_name_date(path).map(|d| d.to_string()),
        date_order: res.date_order.clone(),
        encoding_why: opened.encoding_why.en.clone(),
        encoding_why_zh: opened.encoding_why.zh.clone(),
        warnings: res.warnings.clone(),
        candidates: res.candidates.clone(),
        refused: res
            .mapping
            .refused
            .iter()
            .map(|(f, h, w)| (f.to_string(), h.clone(), w.en.clone()))
            .collect(),
    }
}

/// Each table's frames from every export joined (columns by name), deals deduplicated, and
/// `--pipeline` applied.
pub(super) fn merge_tables(
    frames: BTreeMap<Table, Vec<DataFrame>>,
    args: &LoaderArgs,
    notes: &mut Vec<Text>,
) -> Result<BTreeMap<Table, Source>> {
    let mut tables = BTreeMap::new();
    for (t, dfs) in frames {
        let mut df = if dfs.len() == 1 {
            dfs.into_iter().next().unwrap_or_default()
        } else {
            let lfs: Vec<LazyFrame> = dfs.into_iter().map(DataFrame::lazy).collect();
            concat_lf_diagonal(lfs, UnionArgs::default())?.collect()?
        };
        if t == Table::Deals {
            df = dedupe(df, args.dedupe.is_some(), notes)?;
        }
        if let Some(p) = &args.pipeline {
            if df
                .get_column_names()
                .iter()
                .any(|c| c.as_str() == "pipeline")
            {
                df = df
                    .lazy()
                    .filter(col("pipeline").cast(DataType::String).eq(lit(p.as_str())))
                    .collect()?;
            }
        }
        tables.insert(
            t,
            if t == Table::StageEvents {
                Source::Events(df)
            } else {
                Source::Frame(df)
            },
        );
    }
    Ok(tables)
}

/// The reject-share rule: more rejected data rows than `max_rejects` is a refusal naming the
/// file, the layout, the commonest reasons and the flags that decide.
pub(super) fn reject_share(res: &normalize::FileResult, s: &Settings, file: &str) -> Result<()> {
    if res.rejected_rows == 0 || !s.max_rejects.exceeded(res.rejected_rows, res.rows_in) {
        return Ok(());
    }
    let top = reject_groups(&res.rejects);
    let listed: Vec<Text> = top
        .iter()
        .take(3)
        .map(|((_, col, why), (n, v, row))| {
            if col.is_empty() {
                let why_zh = reject_reason_zh(why);
                Text::new(
                    format!("{n} x {why} (first at row {row})"),
                    format!("{n} 处：{why_zh}（首次出现在第 {row} 行）"),
                )
            } else {
                let why_zh = reject_reason_zh(why);
                Text::new(
                    format!("{n} x column {col:?}: {why}, e.g. {v:?} at row {row}"),
                    format!("{n} 处：列 {col:?}：{why_zh}，例如第 {row} 行的 {v:?}"),
                )
            }
        })
        .collect();
    let pct = 100.0 * res.rejected_rows as f64 / res.rows_in.max(1) as f64;
    let (rejected, rows, max) = (res.rejected_rows, res.rows_in, s.max_rejects);
    let (max_zh, from) = (s.max_rejects.zh(), s.max_rejects_from);
    let from_zh = match from {
        "max_rejects in the config" => "配置中的 max_rejects",
        "the default" => "默认值",
        other => other,
    };
    let layout = res.preset.map_or("generic", |p| p.name.as_str());
    let listed_en = joined(&listed, Lang::En, "; ");
    let listed_zh = joined(&listed, Lang::ZhCn, "；");
    Err(Error::input(crate::tr!(
        "{file}: {rejected} of {rows} data rows rejected ({pct:.1}%), more than {max} allows ({from}); layout {layout}; {listed_en}. \
         Nothing was computed: fix the reading (--map FIELD=HEADER, --day-first/--month-first, --null TEXT, --encoding) \
         or accept the loss with --max-rejects N|P% (config `max_rejects`); --rejects FILE writes the rejected rows",
        "{file}：{rows} 个数据行中有 {rejected} 行被拒绝（{pct:.1}%），超过上限 {max_zh}（{from_zh}）；格式 {layout}；{listed_zh}。\
         未进行任何计算：请修正读取方式（--map FIELD=HEADER、--day-first/--month-first、--null TEXT、--encoding），\
         或用 --max-rejects N|P%（配置 `max_rejects`）接受这些损失；--rejects FILE 会写出被拒绝的行"
    )))
}

/// Texts joined in `lang` with `sep`.
pub(super) fn joined(parts: &[Text], lang: Lang, sep: &str) -> String {
    parts
        .iter()
        .map(|t| t.get(lang))
        .collect::<Vec<_>>()
        .join(sep)
}

/// One `input:` line per file on stderr: how it was read, in the run's language.
pub(super) fn print_input_line(e: &SourceEntry, s: &Settings) {
    let (preset, why, table) = (&e.preset, &e.preset_why, &e.table);
    let why_zh = e.preset_why_zh.as_deref().unwrap_or(why);
    let mut parts = vec![
        Text::new(format!("{preset} ({why})"), format!("{preset}（{why_zh}）")),
        crate::tr!("{table} table", "{table} 表"),
    ];
    let (mut enc, mut enc_zh) = (e.encoding.clone(), e.encoding.clone());
    if !e.encoding_why.is_empty()
        && e.encoding_why != "valid UTF-8 throughout"
        && e.encoding_why != "ASCII"
    {
        let w = &e.encoding_why;
        enc.push_str(&format!(" ({w})"));
        let w_zh = match (w.as_str(), e.encoding_why_zh.as_deref()) {
            (_, Some(z)) => z,
            ("byte-order mark", None) => "字节顺序标记",
            (other, None) => other,
        };
        enc_zh.push_str(&format!("（{w_zh}）"));
    }
    if let Some(d) = &e.delimiter {
        let (d, d_zh) = match d.as_str() {
            "," => ("comma", "逗号"),
            ";" => ("semicolon", "分号"),
            "|" => ("pipe", "竖线"),
            "tab" => ("tab", "制表符"),
            other => (other, other),
        };
        enc.push_str(&format!(", {d}-separated"));
        enc_zh.push_str(&format!("，{d_zh}分隔"));
    }
    if let Some(sh) = &e.sheet {
        enc.push_str(&format!(", sheet {sh:?}"));
        enc_zh.push_str(&format!("，工作表 {sh:?}"));
    }
    parts.push(Text::new(enc, enc_zh));
    if let Some(o) = &e.date_order {
        let o_zh = date_order_zh(o);
        parts.push(crate::tr!("dates {o}", "日期{o_zh}"));
    }
    let (read, rejected) = (e.rows_in, e.rejected_rows);
    parts.push(crate::tr!(
        "{read} row(s) read, {rejected} rejected",
        "读取 {read} 行，{rejected} 行被拒绝"
    ));
    if let Some(c) = &s.config_path {
        let c = c.display();
        parts.push(crate::tr!("config {c}", "配置 {c}"));
    }
    let path = &e.path;
    let line = match crate::warn::lang() {
        Lang::En => format!("input: {path}: {}", joined(&parts, Lang::En, "; ")),
        Lang::ZhCn => format!("输入：{path}：{}", joined(&parts, Lang::ZhCn, "；")),
    };
    eprintln!("{line}");
}

/// How ambiguous slash dates were read (`day-first (from the values)`, see
/// `normalize::date_order_words`) in Chinese; any other text as it is.
pub(super) fn date_order_zh(o: &str) -> String {
    let (order, from) = match o.split_once(" (") {
        Some((order, rest)) => (order, rest.strip_suffix(')')),
        None => (o, None),
    };
    let order_zh = match order {
        "day-first" => "按日/月/年读取",
        "month-first" => "按月/日/年读取",
        _ => return o.to_string(),
    };
    match from {
        None => order_zh.to_string(),
        Some("set by flag or config") => format!("{order_zh}（由参数或配置指定）"),
        Some("from the values") => format!("{order_zh}（根据值判断）"),
        Some(other) => format!("{order_zh}（{other}）"),
    }
}

/// `--fx FILE`: money in deals, orders and stage events converted to the report currency.
pub(super) fn apply_fx(mut ds: Dataset, args: &LoaderArgs) -> Result<Dataset> {
    let Some(path) = &args.fx else { return Ok(ds) };
    let rates = fx::Rates::read(path, ds.settings.currency.as_deref())?;
    for t in [Table::Deals, Table::Orders, Table::StageEvents] {
        if !ds.has(t) {
            continue;
        }
        let df = ds.scan(t)?.collect()?;
        let (df, notes) = fx::convert(t, df, &rates)?;
        ds.manifest.notes.extend(notes);
        ds.tables.insert(t, Source::Frame(df));
    }
    ds.manifest.default_currency = Some(rates.base.clone());
    Ok(ds)
}

pub(super) fn tables_rows(tables: &BTreeMap<Table, Source>) -> BTreeMap<String, usize> {
    tables
        .iter()
        .map(|(t, s)| {
            (
                t.name().to_string(),
                match s {
                    Source::Parquet(p) => pq::PqFile::open(p).map(|f| f.rows()).unwrap_or(0),
                    _ => s.rows().map(|df| df.height()).unwrap_or(0),
                },
            )
        })
        .collect()
}

/// Report duplicate deal ids; with `--dedupe last` keep each id's last row.
pub(super) fn dedupe(df: DataFrame, keep_last: bool, notes: &mut Vec<Text>) -> Result<DataFrame> {
    let ids = df
        .column("deal_id")?
        .as_materialized_series()
        .cast(&DataType::String)?;
    let distinct = crate::columns::engine::n_distinct(ids.str()?);
    let dups = df.height() - distinct;
    if dups == 0 {
        return Ok(df);
    }
    if keep_last {
        notes.push(crate::tr!(
            "{dups} duplicate deal id row(s): kept the last row of each id (--dedupe last)",
            "{dups} 行的商机 ID 重复：每个 ID 保留最后一行（--dedupe last）"
        ));
        Ok(df
            .lazy()
            .unique_stable(Some(cols(["deal_id"])), UniqueKeepStrategy::Last)
            .collect()?)
    } else {
        // Advice never drops distinct deals: --dedupe is suggested only when the repeated rows
        // are identical in every column.
        let distinct_rows = df
            .clone()
            .lazy()
            .unique_stable(None, UniqueKeepStrategy::First)
            .collect()?
            .height();
        if distinct_rows == distinct {
            notes.push(crate::tr!(
                "{dups} row(s) repeat an earlier row exactly (the same deal written twice); pass --dedupe last to keep one of each",
                "{dups} 行与前面的某行完全相同（同一商机写了两次）；传入 --dedupe last 可每个只保留一行"
            ));
        } else {
            notes.push(crate::tr!(
                "{dups} row(s) repeat a deal id with different values; all kept (they may be distinct deals or later saves of one); --dedupe last would keep only the last row of each id",
                "{dups} 行重复了某个商机 ID 但值不同；已全部保留（它们可能是不同的商机，也可能是同一商机后来的保存）；--dedupe last 会只保留每个 ID 的最后一行"
            ));
        }
        Ok(df)
    }
}
