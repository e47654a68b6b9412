//! `salesctl report`'s sections: each analysis built from the one loaded DIR and composed.
//!
//! A report computes nothing of its own: the input is ingested once and loaded once, then each
//! section is the single command's build (`funnel`, `bottleneck`, `scorecard`, `cltv`, `cac`,
//! `forecast`) on that dataset, from the command's default flags with the report's period,
//! language and chart set; the headline reads the scorecard's typed team KPIs. Written atomically (a temporary
//! directory beside DIR, then a rename): `report.md`, a self-contained `report.html` (charts
//! embedded), `report.xlsx` (a sheet per table), each chart as PNG and each table as CSV, under
//! deterministic names (`<section>-<table>.csv`, `<section>.png`).

pub(crate) mod place;
pub(crate) mod render;

use crate::model::kpi;
use std::path::{Path, PathBuf};

use crate::analysis::Built;
use crate::analysis::{bottleneck, cac, cltv, forecast, funnel, scorecard};
pub(crate) use crate::cli::report::Args;
use crate::error::{Error, Result};
use crate::load::{self, LoaderArgs};
use crate::output::{Note, OutputArgs, Report, TableBuilder, Unit};
use crate::period::Period;
use crate::text::{Lang, Text};
use render::Head;

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

/// One section's result.
pub(crate) struct Section {
    pub(crate) id: &'static str,
    pub(crate) report: Option<Report>,
    pub(crate) chart: Option<String>,
    /// Why the section is not in the report.
    pub(crate) error: Option<Text>,
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

/// What every section is built from.
pub(crate) struct Inputs<'a> {
    pub(crate) a: &'a Args,
    pub(crate) ds: &'a load::Dataset,
    pub(crate) dir: &'a Path,
    pub(crate) section_load: &'a LoaderArgs,
    pub(crate) lang: Lang,
    pub(crate) period: &'a Period,
    pub(crate) wanted: &'a [String],
    /// Where the charts go.
    pub(crate) tmp: &'a Path,
}

fn last_day(p: &Period) -> String {
    p.end.pred_opt().unwrap_or(p.end).to_string()
}

/// Each wanted section built (or why not), in report order, with a progress bar on a terminal.
pub(crate) fn build(i: &Inputs) -> Vec<Section> {
    let (a, ds, period) = (i.a, i.ds, i.period);
    let lang_flag = match i.lang {
        Lang::En => "en",
        Lang::ZhCn => "zh-CN",
    };
    let has_orders = ds.has(crate::model::Table::Orders);
    let has_deals = ds.has(crate::model::Table::Deals) || ds.has(crate::model::Table::StageEvents);
    let chart = |id: &str| i.tmp.join(format!("{id}.png"));
    // Each section's flags: the defaults, the DIR, the report's loader flags, language and
    // chart; the period sections get the period.
    let sec = Common {
        dir: i.dir,
        load: i.section_load,
        lang: lang_flag,
        from: period.start.to_string(),
        to: last_day(period),
    };
    let mut sections: Vec<Section> = Vec::new();
    let todo: Vec<&&str> = SECTIONS
        .iter()
        .filter(|s| i.wanted.iter().any(|w| w == *s))
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
        let built = build_section(i, &sec, id, Some(chart(id)));
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
    sections
}

/// One section's result: its command's `build` on the one dataset, with the section's flags.
fn build_section(i: &Inputs, sec: &Common, id: &str, drawn: Option<PathBuf>) -> Result<Built> {
    let (a, ds, period) = (i.a, i.ds, i.period);
    let config_lang = ds.settings.config.lang.clone();
    let prev = period.previous();
    match id {
        "headline" => {
            let team = |p: &crate::period::Period| -> Result<scorecard::Team> {
                let mut s: scorecard::Args = sec.args(None)?;
                s.period.from = Some(p.start.to_string());
                s.period.to = Some(last_day(p));
                let (b, team) = scorecard::build(&s, ds)?;
                crate::output::keep(&b.report, &s.out, config_lang.as_deref(), None)?;
                Ok(team)
            };
            match (team(period), team(&prev)) {
                (Ok(n), Ok(b)) => headline(&n, &b, period, &prev).map(|report| Built {
                    report,
                    chart: None,
                }),
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
        "funnel" => sec
            .args(drawn)
            .map(|a| sec.period(a))
            .and_then(|f: funnel::Args| sec.keep(funnel::build(&f, ds), &f.out, ds)),
        "bottleneck" => sec
            .args(drawn)
            .map(|a| sec.period(a))
            .and_then(|b: bottleneck::Args| sec.keep(bottleneck::build(&b, ds), &b.out, ds)),
        "scorecard" => sec.args(drawn).and_then(|s: scorecard::Args| {
            let mut s = sec.period(s);
            s.targets = a.targets.clone();
            sec.keep(scorecard::build(&s, ds).map(|(b, _)| b), &s.out, ds)
        }),
        "cltv" => sec
            .args(drawn)
            .and_then(|c: cltv::Args| sec.keep(cltv::build(&c, ds), &c.out, ds)),
        "cac" => sec.args(drawn).and_then(|mut c: cac::Args| {
            c.spend = a.spend.clone();
            sec.keep(cac::build(&c, ds), &c.out, ds)
        }),
        _ => sec.args(drawn).and_then(|mut f: forecast::Args| {
            // The history is a table of the report (a terminal's run leaves it out).
            f.out.format = Some("csv".into());
            sec.keep(forecast::build(&f, ds), &f.out, ds)
        }),
    }
}

/// A section the user named in --sections is wanted: not building it is a refusal, not a
/// report without it (the default, every section, leaves out what the input cannot give). No
/// section at all is a refusal too.
pub(crate) fn refuse_missing(a: &Args, sections: &[Section]) -> Result<()> {
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
    Ok(())
}

/// The report's heading facts: period, dates, as-of and sources.
pub(crate) fn head(ds: &load::Dataset, period: &Period) -> Head {
    Head {
        period: period.label.clone(),
        from: period.start.to_string(),
        to: last_day(period),
        as_of: ds.as_of.to_string(),
        basis: ds.manifest.as_of_basis.clone(),
        sources: ds
            .manifest
            .sources
            .iter()
            .map(|s| s.path.clone())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The closing line on stderr: what was written where, and each section left out and why.
pub(crate) fn say_done(out: &Path, head: &Head, sections: &[Section], lang: Lang) {
    {
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
}

/// The KPIs shown at the top, with their value for the period before.
const HEADLINE: &[&str] = &[
    kpi::WON_AMOUNT,
    kpi::WON,
    kpi::WIN_RATE,
    kpi::DEALS_CREATED,
    kpi::AVG_WON_DEAL,
    kpi::CYCLE_MEDIAN_DAYS,
    kpi::OPEN_PIPELINE,
    kpi::WEIGHTED_PIPELINE,
    kpi::NEW_CUSTOMERS,
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
            kpi::WON_AMOUNT | kpi::AVG_WON_DEAL | kpi::OPEN_PIPELINE | kpi::WEIGHTED_PIPELINE
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
