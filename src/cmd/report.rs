//! `salesctl report INPUT -o DIR`: the monthly review as one cron line.
//!
//! A report computes nothing of its own: the input is ingested once, then each section runs the
//! single command (`funnel`, `bottleneck`, `scorecard`, `cltv`, `cac`, `forecast`) on it with the
//! same command line a user would type, and collects its result. Written atomically (a temporary
//! directory beside DIR, then a rename): `report.md`, a self-contained `report.html` (charts
//! embedded), `report.xlsx` (a sheet per table), each chart as PNG and each table as CSV, under
//! deterministic names (`<section>-<table>.csv`, `<section>.png`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine;

use crate::analysis::Built;
use crate::analysis::{bottleneck, cac, cltv, forecast, funnel, scorecard};
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::load::{self, LoaderArgs};
use crate::output::OutputArgs;
use crate::output::cell::{Cell, rows};
use crate::output::format::{Format, Options};
use crate::output::labels::label;
use crate::output::{Note, Report, ResultTable, TableBuilder, Unit};
use crate::text::Lang;
use crate::text::Text;

/// Every section, in report order.
pub(crate) const SECTIONS: &[&str] = &[
    "headline",
    "funnel",
    "bottleneck",
    "scorecard",
    "cltv",
    "cac",
    "forecast",
];

pub use crate::cli::report::Args;

/// The list of files a report wrote, in its DIR.
pub(crate) const REPORT_MANIFEST: &str = "report.json";

/// Is `name` a file an earlier `report` writes (before report.json existed)?
fn is_report_file(name: &str) -> bool {
    matches!(
        name,
        "report.md" | "report.html" | "report.xlsx" | REPORT_MANIFEST
    ) || SECTIONS.iter().any(|s| {
        name == format!("{s}.png") || (name.ends_with(".csv") && name.starts_with(&format!("{s}-")))
    })
}

/// How a finished report goes into -o DIR.
struct Placement {
    /// DIR, resolved through symlinks when it exists.
    real: PathBuf,
    how: Put,
    /// Files an earlier report in DIR wrote (from its report.json, or its fixed names).
    earlier: Vec<String>,
}

enum Put {
    /// DIR does not exist: one rename.
    New,
    /// DIR holds only an earlier report (or nothing): replaced as a whole, in one step.
    Replace,
    /// DIR holds other files (--force), or is the working directory: each file moved in,
    /// and only the earlier report's own files removed.
    Beside,
}

impl Placement {
    fn of(out: &Path, force: bool) -> Result<Placement> {
        let meta = match std::fs::metadata(out) {
            Err(_) => {
                return Ok(Placement {
                    real: out.to_path_buf(),
                    how: Put::New,
                    earlier: Vec::new(),
                });
            }
            Ok(m) => m,
        };
        if !meta.is_dir() {
            return Err(Error::usage(crate::tr!(
                "-o {}: is a file; report writes a directory of files: name a directory",
                "-o {}：是一个文件；report 写出的是一个目录（内含多个文件）：请指定目录",
                out.display()
            )));
        }
        let real = out.canonicalize().map_err(|e| Error::io(out, e))?;
        let under = crate::io::inputs_under(&real);
        if let Some(i) = under.first() {
            return Err(Error::usage(crate::tr!(
                "-o {}: holds an input of this report ({}); a report directory is replaced as a whole: choose another",
                "-o {}：包含本报告的输入文件（{}）；报告目录会被整体替换：请换一个目录",
                out.display(),
                i.display()
            )));
        }
        let listed: Option<Vec<String>> = std::fs::read_to_string(real.join(REPORT_MANIFEST))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| {
                v.get("files")?.as_array().map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
            });
        let mut earlier = Vec::new();
        let mut foreign = Vec::new();
        for e in std::fs::read_dir(&real)
            .map_err(|e| Error::io(out, e))?
            .flatten()
        {
            let name = e.file_name().to_string_lossy().to_string();
            if crate::io::temp_pid(&name).is_some() {
                continue;
            }
            let ours = match &listed {
                Some(l) => l.contains(&name),
                None => is_report_file(&name) && e.file_type().is_ok_and(|t| t.is_file()),
            };
            if ours {
                earlier.push(name);
            } else {
                foreign.push(name);
            }
        }
        if listed.is_none() && !foreign.is_empty() {
            // Without a listing, report-like names beside other files may be the user's own.
            foreign.append(&mut earlier);
        }
        foreign.sort();
        if !foreign.is_empty() && !force {
            let shown: Vec<&str> = foreign.iter().take(3).map(String::as_str).collect();
            let (n, shown, more) = (
                foreign.len(),
                shown.join(", "),
                if foreign.len() > 3 { ", ..." } else { "" },
            );
            return Err(Error::usage(crate::tr!(
                "-o {}: holds {n} file(s) salesctl did not write ({shown}{more}); a report replaces its directory: \
                 choose a new or empty directory, or pass --force to write the report beside them",
                "-o {}：包含 {n} 个不是 salesctl 写出的文件（{shown}{more}）；报告会替换整个目录：\
                 请选择新的或空的目录，或加 --force 把报告写在这些文件旁边",
                out.display()
            )));
        }
        let cwd_inside = std::env::current_dir()
            .ok()
            .and_then(|c| c.canonicalize().ok())
            .is_some_and(|c| c.starts_with(&real));
        let how = if foreign.is_empty() && !cwd_inside {
            Put::Replace
        } else {
            Put::Beside
        };
        Ok(Placement { real, how, earlier })
    }

    /// Put the finished report in `tmp` (its files `files`) into place.
    fn put(&self, tmp: &Path, files: &[String]) -> Result<()> {
        match self.how {
            Put::New => std::fs::rename(tmp, &self.real).map_err(|e| Error::io(&self.real, e)),
            Put::Replace => crate::io::replace_dir(tmp, &self.real),
            Put::Beside => {
                if let Some(f) = files
                    .iter()
                    .find(|f| self.real.join(f).exists() && !self.earlier.contains(f))
                {
                    return Err(Error::usage(crate::tr!(
                        "-o {}: {f} is already there and salesctl did not write it; move it or choose another directory",
                        "-o {}：{f} 已存在且不是 salesctl 写出的；请移走它或换一个目录",
                        self.real.display()
                    )));
                }
                // report.json last: until it lands, the earlier listing still names every file
                // an earlier report wrote.
                for f in files.iter().filter(|f| *f != REPORT_MANIFEST) {
                    let to = self.real.join(f);
                    std::fs::rename(tmp.join(f), &to).map_err(|e| Error::io(&to, e))?;
                }
                for f in self.earlier.iter().filter(|f| !files.contains(f)) {
                    let _ = std::fs::remove_file(self.real.join(f));
                }
                let to = self.real.join(REPORT_MANIFEST);
                std::fs::rename(tmp.join(REPORT_MANIFEST), &to).map_err(|e| Error::io(&to, e))?;
                let _ = std::fs::remove_dir_all(tmp);
                Ok(())
            }
        }
    }
}

/// One section's result.
struct Section {
    id: &'static str,
    report: Option<Report>,
    chart: Option<String>,
    /// Why the section is not in the report.
    error: Option<Text>,
}

/// What every section's flags share.
struct Common<'a> {
    dir: &'a Path,
    load: &'a LoaderArgs,
    lang: &'static str,
    from: String,
    to: String,
}

/// The flags of a section command (each has `inputs`, `load` and `out`).
trait SectionArgs: clap::Args + clap::FromArgMatches {
    fn common(&mut self) -> (&mut Vec<PathBuf>, &mut LoaderArgs, &mut OutputArgs);
}

/// ...and of those read over the report's period.
trait PeriodSection: SectionArgs {
    fn period(&mut self) -> &mut crate::period::PeriodArgs;
}

macro_rules! section_args {
    ($($m:ident),+; period: $($p:ident),+) => {
        $(impl SectionArgs for $m::Args {
            fn common(&mut self) -> (&mut Vec<PathBuf>, &mut LoaderArgs, &mut OutputArgs) {
                (&mut self.inputs, &mut self.load, &mut self.out)
            }
        })+
        $(impl PeriodSection for $p::Args {
            fn period(&mut self) -> &mut crate::period::PeriodArgs {
                &mut self.period
            }
        })+
    };
}
section_args!(funnel, bottleneck, scorecard, cltv, cac, forecast; period: funnel, bottleneck, scorecard);

impl Common<'_> {
    /// A section's flags: the defaults its `#[arg]`s declare, then the DIR, the report's loader
    /// flags (quiet), the language and the chart to draw.
    fn args<A: SectionArgs>(&self, chart: Option<PathBuf>) -> Result<A> {
        let mut a: A = crate::cli::defaults()?;
        let (inputs, load, out) = a.common();
        *inputs = vec![self.dir.to_path_buf()];
        *load = self.load.clone();
        load.quiet = true;
        out.quiet = true;
        out.lang = Some(self.lang.to_string());
        out.chart = chart;
        Ok(a)
    }

    /// The report's period as `--from`/`--to`.
    fn period<A: PeriodSection>(&self, mut a: A) -> A {
        let p = a.period();
        p.from = Some(self.from.clone());
        p.to = Some(self.to.clone());
        a
    }

    /// A built section: its chart drawn, its warnings said.
    fn keep(&self, b: Result<Built>, out: &OutputArgs, ds: &load::Dataset) -> Result<Built> {
        let b = b?;
        crate::output::keep(
            &b.report,
            out,
            ds.settings.config.lang.as_deref(),
            b.chart.as_ref(),
        )?;
        Ok(b)
    }
}

/// An error as a text in both languages (its Chinese from [`Error::text`]).
fn error_text(e: &Error) -> Text {
    Text::new(e.to_string(), e.text(Lang::ZhCn))
}

fn title(id: &str, lang: Lang) -> String {
    let (en, zh) = match id {
        "headline" => ("Headline KPIs", "核心指标"),
        "funnel" => ("Funnel", "销售漏斗"),
        "bottleneck" => ("Bottlenecks", "瓶颈"),
        "scorecard" => ("Scorecard", "销售记分卡"),
        "cltv" => ("Customer lifetime value", "客户终身价值"),
        "cac" => ("Customer acquisition cost", "获客成本"),
        _ => ("Forecast", "预测"),
    };
    // Sections computed over all the data say so where they are read (docs/metrics.md).
    let all_data = matches!(id, "cltv" | "cac" | "forecast");
    match (lang, all_data) {
        (Lang::En, false) => en.to_string(),
        (Lang::En, true) => format!("{en} (all data, not only the period)"),
        (Lang::ZhCn, false) => zh.to_string(),
        (Lang::ZhCn, true) => format!("{zh}（全部数据，不限本期）"),
    }
}

/// Rows a report.md / report.html table shows; the rest are in its CSV, linked under it.
const REPORT_ROWS: usize = 20;

/// The line under a cut table: how many rows show, and the CSV that has them all.
fn full_table_note(shown: usize, all: usize, csv: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{shown} of {all} rows shown; every row: {csv}"),
        Lang::ZhCn => format!("显示 {all} 行中的 {shown} 行；全部行见 {csv}"),
    }
}

/// The folders `create` made, deepest first; each is removed on drop if it is still empty.
struct MadeDirs(Vec<PathBuf>);

impl MadeDirs {
    fn create(dir: &Path) -> Result<MadeDirs> {
        let mut made = Vec::new();
        let mut p = Some(dir);
        while let Some(d) = p.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
            made.push(d.to_path_buf());
            p = d.parent();
        }
        crate::io::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        Ok(MadeDirs(made))
    }
}

impl Drop for MadeDirs {
    fn drop(&mut self) {
        for d in &self.0 {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
        }
    }
}

pub fn run(a: Args) -> Result<ExitCode> {
    // Sections: --sections, else the config's [report] sections, else all.
    let settings = load::Settings::from_args(&a.load)?;
    let cfg = &settings.config;
    let mut wanted: Vec<String> = if !a.sections.is_empty() {
        a.sections.clone()
    } else if !cfg.report.sections.is_empty() {
        cfg.report.sections.clone()
    } else {
        SECTIONS.iter().map(|s| s.to_string()).collect()
    };
    wanted
        .iter_mut()
        .for_each(|w| *w = w.trim().to_ascii_lowercase());
    for w in &wanted {
        if !SECTIONS.contains(&w.as_str()) {
            return Err(Error::usage(crate::tr!(
                "report section {w:?}: sections are {}",
                "报告章节 {w:?}：可选章节为 {}",
                SECTIONS.join(", ")
            )));
        }
    }
    let lang = Lang::resolve(a.lang.as_deref(), cfg.lang.as_deref()).map_err(Error::usage)?;
    let lang_flag = match lang {
        Lang::En => "en",
        Lang::ZhCn => "zh-CN",
    };
    // What -o DIR holds decides how the report goes in (never over what salesctl did not write).
    for i in a
        .inputs
        .iter()
        .chain(a.targets.iter())
        .chain(a.spend.iter())
    {
        crate::io::note_input(i);
    }
    let place = Placement::of(&a.output, a.force)?;
    // The output goes to a temporary directory beside DIR, put into place at the end.
    let out = &place.real;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Folders made here for -o are removed again if the report fails (an empty folder left by
    // a failed run reads as a report that went missing); `remove_dir` takes only empty ones.
    let _made = MadeDirs::create(parent)?;
    crate::io::sweep_stale(parent);
    let (tmp, _tmp_guard) = crate::io::TempGuard::create(|| {
        let t = tempfile::Builder::new()
            .prefix(&crate::io::temp_dir_prefix("report"))
            .tempdir_in(parent)?;
        let p = t.path().to_path_buf();
        Ok((t, p))
    })
    .map_err(|e| Error::io(parent, e))?;
    // 1. Ingest once (the same loader flags as every command), into a scratch directory.
    crate::io::sweep_stale(&std::env::temp_dir());
    let (scratch, _scratch_guard) = crate::io::TempGuard::create(|| {
        let t = tempfile::Builder::new()
            .prefix(&crate::io::temp_dir_prefix("scratch"))
            .tempdir()?;
        let p = t.path().to_path_buf();
        Ok((t, p))
    })
    .map_err(|e| Error::io("temporary directory", e))?;
    let data = scratch.path().join("data");
    let input_is_dir = a.inputs.len() == 1 && a.inputs[0].is_dir();
    let dir = if input_is_dir {
        a.inputs[0].clone()
    } else {
        // The exports read once (their `input:` lines shown unless -q), written as a DIR.
        let mut load = a.load.clone();
        load.quiet = a.quiet;
        let raw = load::load(&a.inputs, &load)?;
        load::dir::write(&raw, &data)?;
        if let Some(p) = &load.rejects {
            load::dir::write_rejects(p, &raw.rejects)?;
        }
        data.clone()
    };
    // Sections read the ingested DIR with the config, the as-of, the stage order and the
    // revenue source (the mapping is applied). `--stages` on an ingested DIR is honoured.
    let section_load = LoaderArgs {
        config: a.load.config.clone(),
        as_of: a.load.as_of.clone(),
        stages: a.load.stages.clone(),
        pipeline: a.load.pipeline.clone(),
        revenue: a.load.revenue.clone(),
        quiet: true,
        ..LoaderArgs::default()
    };
    let ds = load::load(std::slice::from_ref(&dir), &section_load)?;
    let period = crate::period::parse(&a.period, ds.as_of, ds.calendar())
        .map_err(|e| Error::usage(e.map(|m| format!("--period {m}"))))?;
    let prev = period.previous();
    let last_day = |p: &crate::period::Period| p.end.pred_opt().unwrap_or(p.end).to_string();
    let has_orders = ds.has(crate::model::Table::Orders);
    let has_deals = ds.has(crate::model::Table::Deals) || ds.has(crate::model::Table::StageEvents);
    let config_lang = ds.settings.config.lang.clone();
    let chart = |id: &str| tmp.path().join(format!("{id}.png"));
    // Each section's flags: the defaults, the DIR, the report's loader flags, language and
    // chart; the period sections get the period.
    let sec = Common {
        dir: &dir,
        load: &section_load,
        lang: lang_flag,
        from: period.start.to_string(),
        to: last_day(&period),
    };
    let mut sections: Vec<Section> = Vec::new();
    let todo: Vec<&&str> = SECTIONS
        .iter()
        .filter(|s| wanted.iter().any(|w| w == *s))
        .collect();
    // A bar over the sections, on a terminal only (a report used to show nothing until done).
    let bar = (!a.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr())).then(|| {
        let pb = indicatif::ProgressBar::new(todo.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("report [{bar:20}] {pos}/{len} {msg}")
        {
            pb.set_style(style.progress_chars("=> "));
        }
        pb
    });
    crate::warn::set_bar(bar.clone());
    for id in todo {
        if let Some(b) = &bar {
            b.set_message(id.to_string());
            b.inc(1);
        }
        let skip = |why: Text| Section {
            id,
            report: None,
            chart: None,
            error: Some(why),
        };
        let why_not = match *id {
            "headline" | "funnel" | "bottleneck" | "scorecard" if !has_deals => {
                Some(crate::tr!("no deals in the input", "输入中没有商机数据"))
            }
            "cltv" if !has_orders => {
                Some(crate::tr!("no orders in the input", "输入中没有订单数据"))
            }
            "cac" if a.spend.is_none() => Some(crate::tr!("no --spend file", "没有 --spend 文件")),
            _ => None,
        };
        if let Some(why) = why_not {
            sections.push(skip(why));
            continue;
        }
        let drawn = Some(chart(id));
        let built: Result<Built> = match *id {
            "headline" => {
                let team = |p: &crate::period::Period| -> Result<scorecard::Team> {
                    let mut s: scorecard::Args = sec.args(None)?;
                    s.period.from = Some(p.start.to_string());
                    s.period.to = Some(last_day(p));
                    let (b, team) = scorecard::build(&s, &ds)?;
                    crate::output::keep(&b.report, &s.out, config_lang.as_deref(), None)?;
                    Ok(team)
                };
                match (team(&period), team(&prev)) {
                    (Ok(n), Ok(b)) => headline(&n, &b, &period, &prev).map(|report| Built {
                        report,
                        chart: None,
                    }),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                }
            }
            "funnel" => sec
                .args(drawn)
                .map(|a| sec.period(a))
                .and_then(|f: funnel::Args| sec.keep(funnel::build(&f, &ds), &f.out, &ds)),
            "bottleneck" => sec
                .args(drawn)
                .map(|a| sec.period(a))
                .and_then(|b: bottleneck::Args| sec.keep(bottleneck::build(&b, &ds), &b.out, &ds)),
            "scorecard" => sec.args(drawn).and_then(|s: scorecard::Args| {
                let mut s = sec.period(s);
                s.targets = a.targets.clone();
                sec.keep(scorecard::build(&s, &ds).map(|(b, _)| b), &s.out, &ds)
            }),
            "cltv" => sec
                .args(drawn)
                .and_then(|c: cltv::Args| sec.keep(cltv::build(&c, &ds), &c.out, &ds)),
            "cac" => sec.args(drawn).and_then(|mut c: cac::Args| {
                c.spend = a.spend.clone();
                sec.keep(cac::build(&c, &ds), &c.out, &ds)
            }),
            _ => sec.args(drawn).and_then(|mut f: forecast::Args| {
                // The history is a table of the report (a terminal's run leaves it out).
                f.out.format = Some("csv".into());
                sec.keep(forecast::build(&f, &ds), &f.out, &ds)
            }),
        };
        match built {
            Ok(b) => sections.push(Section {
                id,
                report: Some(b.report),
                chart: chart(id).exists().then(|| format!("{id}.png")),
                error: None,
            }),
            Err(e) => {
                let why = error_text(&e);
                if *id != "headline" {
                    crate::warn::emit_text(&Text::new(
                        format!("report section {id} not built: {}", why.en),
                        format!("报告章节 {id} 未生成：{}", why.get(Lang::ZhCn)),
                    ));
                }
                sections.push(skip(why));
            }
        }
    }
    crate::warn::set_bar(None);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    // "id: why; id: why" of the sections left out, in `lang`.
    let left_out = |lang: Lang, all: bool| {
        let (colon, semi) = match lang {
            Lang::En => (": ", "; "),
            Lang::ZhCn => ("：", "；"),
        };
        sections
            .iter()
            .filter(|s| s.report.is_none() && (all || !a.sections.is_empty()))
            .map(|s| {
                let why = s.error.as_ref().map_or("", |e| e.get(lang));
                format!("{}{colon}{why}", s.id)
            })
            .collect::<Vec<_>>()
            .join(semi)
    };
    // A section the user named in --sections is wanted: not building it is a refusal, not a
    // report without it (the default, every section, leaves out what the input cannot give).
    let missing = left_out(Lang::En, false);
    if !missing.is_empty() {
        let missing_zh = left_out(Lang::ZhCn, false);
        return Err(Error::input(crate::tr!(
            "--sections asked for section(s) that cannot be built, so no report was written: {missing}",
            "--sections 指定的章节无法生成，因此没有写出报告：{missing_zh}"
        )));
    }
    if sections.iter().all(|s| s.report.is_none()) {
        let (all, all_zh) = (left_out(Lang::En, true), left_out(Lang::ZhCn, true));
        return Err(Error::input(crate::tr!(
            "no report section could be built: {all}",
            "没有任何报告章节可以生成：{all_zh}"
        )));
    }
    let opts = Options {
        lang,
        bom: false,
        raw_cells: false,
        max_rows: None,
        width: None,
        style: false,
        meta: crate::meta::snapshot(),
    };
    // Tables as CSV, one per (section, table).
    let mut all: Vec<ResultTable> = Vec::new();
    for sec in &sections {
        let Some(r) = &sec.report else { continue };
        for t in &r.tables {
            let mut t2 = t.clone();
            t2.name = format!("{}-{}", sec.id, t.name);
            let mut buf = Vec::new();
            Format::Csv
                .renderer()
                .render(&[&t2], r, &opts, &mut buf)
                .map_err(|e| Error::io(&t2.name, e))?;
            let p = tmp.path().join(format!("{}.csv", t2.name));
            std::fs::write(&p, buf).map_err(|e| Error::io(&p, e))?;
            all.push(t2);
        }
    }
    // One workbook.
    let refs: Vec<&ResultTable> = all.iter().collect();
    let mut buf = Vec::new();
    Format::Xlsx
        .renderer()
        .render(&refs, &Report::default(), &opts, &mut buf)
        .map_err(|e| Error::io("report.xlsx", e))?;
    let p = tmp.path().join("report.xlsx");
    std::fs::write(&p, buf).map_err(|e| Error::io(&p, e))?;
    // Markdown and HTML.
    let head = Head {
        period: period.label.clone(),
        from: period.start.to_string(),
        to: last_day(&period),
        as_of: ds.as_of.to_string(),
        basis: ds.manifest.as_of_basis.clone(),
        sources: ds
            .manifest
            .sources
            .iter()
            .map(|s| s.path.clone())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let md = markdown(&sections, &head, lang, &opts)?;
    let p = tmp.path().join("report.md");
    std::fs::write(&p, md).map_err(|e| Error::io(&p, e))?;
    let html = html(&sections, &head, lang, tmp.path())?;
    let p = tmp.path().join("report.html");
    std::fs::write(&p, html).map_err(|e| Error::io(&p, e))?;
    // The list of what this report wrote, so a later run knows which files are its own.
    let mut files: Vec<String> = std::fs::read_dir(tmp.path())
        .map_err(|e| Error::io(tmp.path(), e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    files.push(REPORT_MANIFEST.to_string());
    files.sort();
    let listing = serde_json::json!({
        "salesctl_report": env!("CARGO_PKG_VERSION"),
        "files": files,
    });
    let p = tmp.path().join(REPORT_MANIFEST);
    std::fs::write(&p, format!("{listing:#}\n")).map_err(|e| Error::io(&p, e))?;
    // Into place.
    place.put(tmp.path(), &files)?;
    let out = &a.output;
    if !a.quiet {
        let built: Vec<&str> = sections
            .iter()
            .filter(|s| s.report.is_some())
            .map(|s| s.id)
            .collect();
        let (period, from, to, out) = (&head.period, &head.from, &head.to, out.display());
        match lang {
            Lang::En => eprintln!(
                "salesctl: report for {period} ({from} to {to}) written to {out}: {}",
                built.join(", ")
            ),
            Lang::ZhCn => eprintln!(
                "salesctl：{period} 的报告（{from} 至 {to}）已写入 {out}：{}",
                built.join("、")
            ),
        }
        for sec in sections.iter().filter(|s| s.report.is_none()) {
            let why = sec.error.as_ref().map_or("", |e| e.get(lang));
            let line = crate::tr!(
                "note: section {} left out: {why}",
                "说明：章节 {} 未纳入报告：{why}",
                sec.id
            );
            eprintln!("{}", line.get(lang));
        }
    }
    Ok(ExitCode::Success)
}

struct Head {
    period: String,
    from: String,
    to: String,
    as_of: String,
    basis: String,
    sources: String,
}

/// The KPIs shown at the top, with their value for the period before.
const HEADLINE: &[&str] = &[
    "won_amount",
    "won",
    "win_rate",
    "deals_created",
    "avg_won_deal",
    "cycle_median_days",
    "open_pipeline",
    "weighted_pipeline",
    "new_customers",
];

fn headline(
    now: &scorecard::Team,
    before: &scorecard::Team,
    p: &crate::period::Period,
    prev: &crate::period::Period,
) -> Result<Report> {
    let (mut ids, mut v, mut b, mut d, mut dp, mut cur) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let currency = now.kpis.currency.clone();
    // Several currencies: each money KPI is one row per currency, never a sum across them.
    let several = currency.as_deref() == Some("(several)") && !now.per_currency.is_empty();
    for k in HEADLINE {
        let money = matches!(
            *k,
            "won_amount" | "avg_won_deal" | "open_pipeline" | "weighted_pipeline"
        );
        let rows: Vec<(Option<f64>, Option<f64>, Option<String>)> = if money && several {
            now.per_currency
                .iter()
                .map(|(c, x)| {
                    let y = before
                        .per_currency
                        .iter()
                        .find(|(bc, _)| bc == c)
                        .and_then(|(_, y)| y.get(k));
                    (x.get(k), y, Some(c.clone()))
                })
                .collect()
        } else {
            vec![(
                now.kpis.get(k),
                before.kpis.get(k),
                if money { currency.clone() } else { None },
            )]
        };
        for (x, y, c) in rows {
            ids.push(k.to_string());
            v.push(x);
            b.push(y);
            d.push(match (x, y) {
                (Some(x), Some(y)) => Some(x - y),
                _ => None,
            });
            dp.push(match (x, y) {
                (Some(x), Some(y)) if y != 0.0 => Some((x - y) / y.abs()),
                _ => None,
            });
            cur.push(c);
        }
    }
    let t = TableBuilder::new("headline")
        .col("kpi", Unit::Text, ids)
        .col("value", Unit::Number, v)
        .col("previous", Unit::Number, b)
        .col("change", Unit::Number, d)
        .col("change_pct", Unit::Ratio, dp)
        .col("currency", Unit::Text, cur)
        .build()?;
    Ok(Report {
        tables: vec![t],
        notes: vec![
            Note::new(
                format!(
                    "team KPIs from `salesctl scorecard` for {} to {} against {} to {}",
                    p.start,
                    p.end.pred_opt().unwrap_or(p.end),
                    prev.start,
                    prev.end.pred_opt().unwrap_or(prev.end)
                ),
                format!(
                    "团队指标来自 `salesctl scorecard`：{} 至 {}，对比 {} 至 {}",
                    p.start,
                    p.end.pred_opt().unwrap_or(p.end),
                    prev.start,
                    prev.end.pred_opt().unwrap_or(prev.end)
                ),
            ),
            Note::new(
                "open_pipeline and weighted_pipeline are the deals open at the export's date: the same in both periods",
                "open_pipeline 与 weighted_pipeline 为导出时仍在途的商机：两期相同",
            ),
        ],
        title: None,
    })
}

fn markdown(sections: &[Section], h: &Head, lang: Lang, o: &Options) -> Result<String> {
    let mut md = String::new();
    let (t, per, asof, src) = match lang {
        Lang::En => ("Sales review", "Period", "As of", "Source"),
        Lang::ZhCn => ("销售复盘", "期间", "截至", "数据来源"),
    };
    let _ = writeln!(md, "# {t}: {}\n", h.period);
    let _ = writeln!(
        md,
        "{per}: {} – {} · {asof}: {} ({}) · {src}: {}\n",
        h.from,
        h.to,
        h.as_of,
        crate::output::format::md::esc(&h.basis),
        crate::output::format::md::esc(&h.sources)
    );
    for s in sections {
        let _ = writeln!(md, "## {}\n", title(s.id, lang));
        match &s.report {
            None => {
                let _ = writeln!(
                    md,
                    "_{}_\n",
                    crate::output::format::md::esc(s.error.as_ref().map_or("", |e| e.get(lang)))
                );
            }
            Some(r) => {
                if let Some(c) = &s.chart {
                    let _ = writeln!(md, "![{}]({c})\n", title(s.id, lang));
                }
                // One table at a time: each cut to REPORT_ROWS with a link to its CSV.
                let o = &Options {
                    max_rows: Some(REPORT_ROWS),
                    ..o.clone()
                };
                for (ti, t) in r.tables.iter().enumerate() {
                    let last = ti + 1 == r.tables.len();
                    let notes_only_last = Report {
                        notes: if last { r.notes.clone() } else { Vec::new() },
                        ..Report::default()
                    };
                    if r.tables.len() > 1 {
                        let _ = writeln!(
                            md,
                            "### {}\n",
                            crate::output::labels::table_label(&t.name, lang)
                        );
                    }
                    let mut buf = Vec::new();
                    Format::Md
                        .renderer()
                        .render(&[t], &notes_only_last, o, &mut buf)
                        .map_err(|e| Error::io("report.md", e))?;
                    let mut text = String::from_utf8_lossy(&buf).to_string();
                    if t.df.height() > REPORT_ROWS {
                        let csv = format!("{}-{}.csv", s.id, t.name);
                        let line = full_table_note(
                            REPORT_ROWS,
                            t.df.height(),
                            &format!("[{csv}]({csv})"),
                            lang,
                        );
                        text = text.replacen(
                            &format!("\n({REPORT_ROWS} of {} rows shown)\n", t.df.height()),
                            &format!("\n{line}\n"),
                            1,
                        );
                    }
                    md.push_str(&text);
                    md.push('\n');
                }
            }
        }
    }
    Ok(md)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html(sections: &[Section], h: &Head, lang: Lang, dir: &Path) -> Result<String> {
    let (t, per, asof, src, html_lang) = match lang {
        Lang::En => ("Sales review", "Period", "As of", "Source", "en"),
        Lang::ZhCn => ("销售复盘", "期间", "截至", "数据来源", "zh-CN"),
    };
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\"><title>{} {}</title>\n<style>\
body{{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}}\
h1{{margin-bottom:.2em}}.meta{{color:#666;margin-bottom:1.5em}}\
table{{border-collapse:collapse;margin:.6em 0 1.2em;font-size:14px}}th,td{{border:1px solid #ddd;padding:4px 8px}}\
th{{background:#f4f6f8;text-align:left}}td.n{{text-align:right;font-variant-numeric:tabular-nums}}\
img{{max-width:100%;border:1px solid #eee}}ul.notes{{color:#555;font-size:13px}}.skip{{color:#a33}}\
h3{{font-size:15px;color:#444}}</style></head><body>\n",
        esc(t),
        esc(&h.period)
    );
    let _ = writeln!(o, "<h1>{}: {}</h1>", esc(t), esc(&h.period));
    let _ = writeln!(
        o,
        "<div class=\"meta\">{per}: {} – {} · {asof}: {} ({}) · {src}: {}</div>",
        esc(&h.from),
        esc(&h.to),
        esc(&h.as_of),
        esc(&h.basis),
        esc(&h.sources)
    );
    for s in sections {
        let _ = writeln!(o, "<h2>{}</h2>", esc(&title(s.id, lang)));
        let Some(r) = &s.report else {
            let _ = writeln!(
                o,
                "<p class=\"skip\">{}</p>",
                esc(s.error.as_ref().map_or("", |e| e.get(lang)))
            );
            continue;
        };
        if let Some(c) = &s.chart {
            let p = dir.join(c);
            let bytes = std::fs::read(&p).map_err(|e| Error::io(&p, e))?;
            let _ = writeln!(
                o,
                "<img alt=\"{}\" src=\"data:image/png;base64,{}\">",
                esc(&title(s.id, lang)),
                base64::engine::general_purpose::STANDARD.encode(bytes)
            );
        }
        for t in &r.tables {
            if r.tables.len() > 1 {
                let _ = writeln!(
                    o,
                    "<h3>{}</h3>",
                    esc(&crate::output::labels::table_label(&t.name, lang))
                );
            }
            let _ = write!(o, "<table><thead><tr>");
            for c in &t.columns {
                let _ = write!(o, "<th>{}</th>", esc(&label(&c.id, lang)));
            }
            let _ = writeln!(o, "</tr></thead><tbody>");
            let cur = t.columns.iter().position(|c| c.id == "currency");
            for (ri, row) in rows(&t.df, Some(REPORT_ROWS)).into_iter().enumerate() {
                let currency = cur.and_then(|i| match &row[i] {
                    Cell::Text(s) => Some(s.clone()),
                    _ => None,
                });
                let _ = write!(o, "<tr>");
                for (cell, spec) in row.iter().zip(&t.columns) {
                    let num = !matches!(
                        spec.unit,
                        Unit::Text | Unit::Date | Unit::DateTime | Unit::Bool
                    );
                    let _ = write!(
                        o,
                        "<td{}>{}</td>",
                        if num { " class=\"n\"" } else { "" },
                        esc(&match cell {
                            Cell::Text(v) => {
                                crate::output::labels::value_label(&spec.id, v, lang).into_owned()
                            }
                            c => c.display(spec.unit_at(ri), currency.as_deref()),
                        })
                    );
                }
                let _ = writeln!(o, "</tr>");
            }
            let _ = writeln!(o, "</tbody></table>");
            if t.df.height() > REPORT_ROWS {
                let csv = format!("{}-{}.csv", s.id, t.name);
                let link = format!("<a href=\"{}\">{}</a>", esc(&csv), esc(&csv));
                let _ = writeln!(
                    o,
                    "<p class=\"more\">{}</p>",
                    full_table_note(REPORT_ROWS, t.df.height(), &link, lang)
                        .replace(&link, "\u{0}")
                        .split('\u{0}')
                        .map(esc)
                        .collect::<Vec<_>>()
                        .join(&link)
                );
            }
        }
        if !r.notes.is_empty() {
            let _ = writeln!(o, "<ul class=\"notes\">");
            for n in &r.notes {
                let tag = match (n.warn, lang) {
                    (false, _) => "",
                    (true, Lang::En) => "<strong>warning:</strong> ",
                    (true, Lang::ZhCn) => "<strong>警告：</strong> ",
                };
                let _ = writeln!(o, "<li>{tag}{}</li>", esc(n.text(lang)));
            }
            let _ = writeln!(o, "</ul>");
        }
    }
    let _ = writeln!(o, "</body></html>");
    Ok(o)
}
