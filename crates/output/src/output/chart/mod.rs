//! Charts as PNG, drawn with plotters on a pixel buffer (no system libraries). Reusable kinds:
//! horizontal bars, grouped bars, a line with an interval band, a histogram, p50/p90 bars and a
//! scatter with its diagonal.

pub mod draw;
pub mod fonts;
pub mod glyphs;

use std::path::Path;

use crate::error::{Error, Result};
use crate::text::Text;

/// A chart a command asks for. Labels are already in the output language.
#[derive(Debug, Clone)]
pub enum Chart {
    /// One bar per label (funnel, leaderboard).
    HBar {
        labels: Vec<String>,
        values: Vec<f64>,
        value_labels: Vec<String>,
    },
    /// Categories on x, one bar per series in each.
    Grouped {
        categories: Vec<String>,
        series: Vec<(String, Vec<f64>)>,
    },
    /// A history line and a forecast with a lower/upper band.
    LineBand {
        history: Vec<(f64, f64)>,
        /// (x, forecast, lower, upper) of the widest interval.
        forecast: Vec<(f64, f64, f64, f64)>,
        /// (x, lower, upper) of the narrower interval, drawn darker inside the wide one; with
        /// the two levels' names for the legend (wide, narrow).
        inner: Vec<(f64, f64, f64)>,
        levels: (String, String),
        x_labels: Vec<(f64, String)>,
        /// The first backtest origin, marked by a dashed vertical line.
        origin: Option<f64>,
    },
    /// Value distribution.
    Histogram { values: Vec<f64>, bins: usize },
    /// Median and p90 per label (time in stage).
    Quantiles {
        labels: Vec<String>,
        p50: Vec<f64>,
        p90: Vec<f64>,
    },
    /// Predicted vs actual, with y = x.
    Scatter { points: Vec<(f64, f64)> },
}

/// Everything a drawing needs.
#[derive(Debug, Clone)]
pub struct ChartSpec {
    pub chart: Chart,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// The language of the words the drawing adds (legend entries).
    pub lang: crate::output::Lang,
}

impl ChartSpec {
    /// Nothing to draw (an empty period, no stages).
    pub(crate) fn is_empty(&self) -> bool {
        match &self.chart {
            Chart::HBar { labels, .. } => labels.is_empty(),
            Chart::Grouped { categories, series } => categories.is_empty() || series.is_empty(),
            Chart::LineBand {
                history, forecast, ..
            } => history.is_empty() && forecast.is_empty(),
            Chart::Histogram { values, .. } => values.is_empty(),
            Chart::Quantiles { labels, .. } => labels.is_empty(),
            Chart::Scatter { points } => points.is_empty(),
        }
    }

    /// Every piece of text the chart will draw.
    pub fn texts(&self) -> String {
        let mut t = format!("{}{}{}", self.title, self.x_label, self.y_label);
        match &self.chart {
            Chart::HBar {
                labels,
                value_labels,
                ..
            } => {
                t.extend(labels.iter().map(String::as_str));
                t.extend(value_labels.iter().map(String::as_str));
            }
            Chart::Grouped { categories, series } => {
                t.extend(categories.iter().map(String::as_str));
                t.extend(series.iter().map(|s| s.0.as_str()));
            }
            Chart::LineBand { x_labels, .. } => t.extend(x_labels.iter().map(|x| x.1.as_str())),
            Chart::Quantiles { labels, .. } => t.extend(labels.iter().map(String::as_str)),
            Chart::Histogram { .. } | Chart::Scatter { .. } => {}
        }
        // The legend words draw.rs adds (forecast and calibration charts).
        if self.lang == crate::output::Lang::ZhCn
            && matches!(self.chart, Chart::LineBand { .. } | Chart::Scatter { .. })
        {
            t.push_str(LEGEND_ZH);
        }
        t
    }
}

/// Every Chinese legend word of draw.rs, for the font check.
pub const LEGEND_ZH: &str = "区间实际回测起点预测观测";

/// Draw `spec` to a PNG file (written atomically). Returns a warning, and draws nothing, when
/// no font has a glyph for every character of the labels.
pub fn render_png(
    spec: &ChartSpec,
    path: &Path,
    size: (u32, u32),
    font: Option<&Path>,
) -> Result<Option<Text>> {
    let p = path.display();
    if spec.is_empty() {
        return Ok(Some(crate::tr!(
            "--chart {p}: nothing to draw (no rows), no chart written",
            "--chart {p}：没有可绘制的内容（无数据行），未生成图表"
        )));
    }
    let f = match fonts::Fonts::resolve(font, &spec.texts()) {
        Ok(f) => f,
        Err(fonts::FontError::Usage(e)) => return Err(Error::usage(e)),
        Err(fonts::FontError::Uncovered(why)) => {
            let why_zh = why.get(crate::output::Lang::ZhCn);
            return Ok(Some(Text::new(
                format!("--chart {p}: not drawn: {}", why.en),
                format!("--chart {p}：未绘制：{why_zh}"),
            )));
        }
    };
    let png = draw::png(spec, size, f).map_err(|e| Error::Internal(format!("chart: {e}")))?;
    crate::io::write_atomic(path, |file| std::io::Write::write_all(file, &png))?;
    Ok(None)
}
