//! The drawing of each chart kind on an RGB buffer, encoded as PNG.

use std::io::Cursor;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use super::fonts::{Fonts, latin};
use super::glyphs::TextBackend;
use super::{Chart, ChartSpec};

/// The palette (Tableau 10): readable, colour-blind friendly enough, in series order.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0xb0, 0x7a, 0xa1),
];

/// A legend word in the chart's language.
fn zh(spec: &ChartSpec, en: impl Into<String>, zh: impl Into<String>) -> String {
    match spec.lang {
        crate::output::Lang::En => en.into(),
        crate::output::Lang::ZhCn => zh.into(),
    }
}

type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Draw the chart and return PNG bytes.
pub fn png(spec: &ChartSpec, (w, h): (u32, u32), fonts: Fonts) -> DrawResult<Vec<u8>> {
    let face = fonts.cjk.unwrap_or(latin());
    let family = match fonts.cjk {
        Some(bytes) => {
            register_font("salesctl-cjk", FontStyle::Normal, bytes)
                .map_err(|_| "the CJK font cannot be read")?;
            "salesctl-cjk"
        }
        None => {
            register_font("salesctl-latin", FontStyle::Normal, latin())
                .map_err(|_| "the bundled font cannot be read")?;
            "salesctl-latin"
        }
    };
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let backend = TextBackend::new(BitMapBackend::with_buffer(&mut buf, (w, h)), face)
            .map_err(|_| "the chart font cannot be read")?;
        let root = backend.into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root, spec, family)?;
        root.present()?;
    }
    let img = image::RgbImage::from_raw(w, h, buf).ok_or("buffer size")?;
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}

fn draw(root: &DrawingArea<TextBackend, Shift>, spec: &ChartSpec, family: &str) -> DrawResult<()> {
    let title = (family, 26).into_font();
    let text = (family, 15).into_font();
    match &spec.chart {
        Chart::HBar {
            labels,
            values,
            value_labels,
        } => hbar(root, spec, title, text, labels, values, value_labels),
        Chart::Grouped { categories, series } => {
            grouped(root, spec, title, text, categories, series)
        }
        Chart::LineBand {
            history,
            forecast,
            inner,
            levels,
            x_labels,
            origin,
        } => line_band(
            root, spec, title, text, history, forecast, inner, levels, x_labels, origin,
        ),
        Chart::Histogram { values, bins } => histogram(root, spec, title, text, values, bins),
        Chart::Quantiles { labels, p50, p90 } => {
            quantiles(root, spec, title, text, labels, p50, p90)
        }
        Chart::Scatter { points } => scatter(root, spec, title, text, points),
    }
}

/// Horizontal bars, one per label, each with its value label at the bar's end (the funnel).
fn hbar(
    root: &DrawingArea<TextBackend, Shift>,
    spec: &ChartSpec,
    title: FontDesc<'_>,
    text: FontDesc<'_>,
    labels: &[String],
    values: &[f64],
    value_labels: &[String],
) -> DrawResult<()> {
    let n = labels.len().max(1);
    let max = values
        .iter()
        .cloned()
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut chart = bar_frame(root, spec, title, &text, labels, max * 1.18)?;
    let color = PALETTE[0];
    chart.draw_series(values.iter().enumerate().map(|(i, v)| {
        let y = n - 1 - i;
        let mut r = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(y)),
                (*v, SegmentValue::Exact(y + 1)),
            ],
            color.filled(),
        );
        r.set_margin(6, 6, 0, 0);
        r
    }))?;
    chart.draw_series(
        values
            .iter()
            .zip(value_labels)
            .enumerate()
            .map(|(i, (v, l))| {
                Text::new(
                    format!(" {l}"),
                    (*v, SegmentValue::CenterOf(n - 1 - i)),
                    TextStyle::from(text.clone()).pos(Pos::new(HPos::Left, VPos::Center)),
                )
            }),
    )?;
    Ok(())
}

/// Bars grouped by category, one bar per series, with a legend.
fn grouped(
    root: &DrawingArea<TextBackend, Shift>,
    spec: &ChartSpec,
    title: FontDesc<'_>,
    text: FontDesc<'_>,
    categories: &[String],
    series: &[(String, Vec<f64>)],
) -> DrawResult<()> {
    let n = categories.len().max(1);
    let k = series.len().max(1);
    let max = series
        .iter()
        .flat_map(|s| s.1.iter().cloned())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut chart = ChartBuilder::on(root)
        .caption(&spec.title, title)
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(
            (0..n.saturating_sub(1).max(1)).into_segmented(),
            0f64..max * 1.15,
        )?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if *i < n => categories[*i].clone(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| axis_number(*v))
        .x_desc(&spec.x_label)
        .y_desc(&spec.y_label)
        .label_style(text.clone())
        .axis_desc_style(text.clone())
        .draw()?;
    // Slots on the axis: n, or 2 for one category (see the HBar's range).
    let slots = n.saturating_sub(1).max(1) + 1;
    let seg = chart.plotting_area().dim_in_pixel().0 as f64 / slots as f64;
    let bar = seg * 0.8 / k as f64;
    for (s, (name, vals)) in series.iter().enumerate() {
        let color = PALETTE[s % PALETTE.len()];
        let left = (seg * 0.1 + s as f64 * bar).round() as u32;
        let right = (seg - seg * 0.1 - (s + 1) as f64 * bar).max(0.0).round() as u32;
        chart
            .draw_series(vals.iter().enumerate().map(move |(c, v)| {
                let mut r = Rectangle::new(
                    [
                        (SegmentValue::Exact(c), 0.0),
                        (SegmentValue::Exact(c + 1), *v),
                    ],
                    color.filled(),
                );
                r.set_margin(0, 0, left, right);
                r
            }))?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], color.filled()));
    }
    if k > 1 {
        chart
            .configure_series_labels()
            .label_font(text.clone())
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()?;
    }
    Ok(())
}

/// History as a line, the forecast as a line with its outer and inner interval bands.
#[allow(clippy::too_many_arguments)] // one per field of Chart::LineBand
fn line_band(
    root: &DrawingArea<TextBackend, Shift>,
    spec: &ChartSpec,
    title: FontDesc<'_>,
    text: FontDesc<'_>,
    history: &[(f64, f64)],
    forecast: &[(f64, f64, f64, f64)],
    inner: &[(f64, f64, f64)],
    levels: &(String, String),
    x_labels: &[(f64, String)],
    origin: &Option<f64>,
) -> DrawResult<()> {
    let xs = history
        .iter()
        .map(|p| p.0)
        .chain(forecast.iter().map(|p| p.0));
    let (x0, x1) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let ys = history
        .iter()
        .map(|p| p.1)
        .chain(forecast.iter().flat_map(|p| [p.1, p.2, p.3]));
    let (y0, y1) = ys.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(y), b.max(y)));
    let pad = ((y1 - y0) * 0.08).max(1e-9);
    let mut chart = ChartBuilder::on(root)
        .caption(&spec.title, title)
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(
            x0..x1.max(x0 + 1.0),
            (y0 - pad).min(0f64.max(y0 - pad))..y1 + pad,
        )?;
    chart
        .configure_mesh()
        .x_label_formatter(&|x| {
            // Only ticks close to a labelled x get its label (no repeated labels).
            let step = x_labels
                .windows(2)
                .map(|w| (w[1].0 - w[0].0).abs())
                .fold(f64::MAX, f64::min);
            let near = if step.is_finite() {
                step / 2.0
            } else {
                f64::MAX
            };
            x_labels
                .iter()
                .find(|l| (l.0 - x).abs() < near.min(0.5 * step.max(1.0)))
                .map(|l| l.1.clone())
                .unwrap_or_default()
        })
        .y_label_formatter(&|v| axis_number(*v))
        .x_desc(&spec.x_label)
        .y_desc(&spec.y_label)
        .label_style(text.clone())
        .axis_desc_style(text.clone())
        .draw()?;
    for (poly, alpha, level) in band_polygons(forecast, inner, levels) {
        let fill = PALETTE[1].mix(alpha).filled();
        chart
            .draw_series(std::iter::once(Polygon::new(poly, fill)))?
            .label(zh(
                spec,
                format!("{level} interval"),
                format!("{level} 区间"),
            ))
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], fill));
    }
    chart
        .draw_series(LineSeries::new(
            history.iter().cloned(),
            PALETTE[0].stroke_width(2),
        ))?
        .label(zh(spec, "actual", "实际"))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], PALETTE[0].stroke_width(2)));
    if let Some(o) = origin {
        let (lo, hi) = ((y0 - pad).min(0f64.max(y0 - pad)), y1 + pad);
        let n = 24;
        let seg = (hi - lo) / n as f64;
        chart
            .draw_series((0..n).step_by(2).map(|i| {
                let a = lo + seg * i as f64;
                PathElement::new(vec![(*o, a), (*o, a + seg)], BLACK.stroke_width(1))
            }))?
            .label(zh(spec, "backtest origin", "回测起点"))
            .legend(|(x, y)| PathElement::new([(x + 7, y - 6), (x + 7, y + 6)], BLACK));
    }
    if !forecast.is_empty() {
        chart
            .draw_series(LineSeries::new(
                forecast.iter().map(|p| (p.0, p.1)),
                PALETTE[1].stroke_width(2),
            ))?
            .label(zh(spec, "forecast", "预测"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], PALETTE[1].stroke_width(2)));
        // Upper left: the forecast sits at the right end.
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(text.clone())
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()?;
    }
    Ok(())
}

/// The forecast's interval bands as polygons to fill, with their shade and level: the wide band,
/// then the narrow one darker over it. Each band's points are (x, lower, upper); its polygon
/// runs along the upper bound and back along the lower. An empty band is left out.
fn band_polygons<'a>(
    forecast: &[(f64, f64, f64, f64)],
    inner: &[(f64, f64, f64)],
    levels: &'a (String, String),
) -> Vec<(Vec<(f64, f64)>, f64, &'a String)> {
    let wide: Vec<(f64, f64, f64)> = forecast.iter().map(|p| (p.0, p.2, p.3)).collect();
    [(wide, 0.2, &levels.0), (inner.to_vec(), 0.45, &levels.1)]
        .into_iter()
        .filter(|(pts, _, _)| !pts.is_empty())
        .map(|(pts, alpha, level)| {
            let poly = pts
                .iter()
                .map(|p| (p.0, p.2))
                .chain(pts.iter().rev().map(|p| (p.0, p.1)))
                .collect();
            (poly, alpha, level)
        })
        .collect()
}

/// A histogram of `values` in `bins` equal bins.
fn histogram(
    root: &DrawingArea<TextBackend, Shift>,
    spec: &ChartSpec,
    title: FontDesc<'_>,
    text: FontDesc<'_>,
    values: &[f64],
    bins: &usize,
) -> DrawResult<()> {
    let bins = (*bins).max(1);
    let (lo, hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let (lo, hi) = if values.is_empty() {
        (0.0, 1.0)
    } else {
        (lo, if hi > lo { hi } else { lo + 1.0 })
    };
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in values {
        let i = (((v - lo) / width) as usize).min(bins - 1);
        counts[i] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(&spec.title, title)
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(lo..hi, 0f64..top * 1.1)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|v| axis_number(*v))
        .y_label_formatter(&|v| axis_number(*v))
        .x_desc(&spec.x_label)
        .y_desc(&spec.y_label)
        .label_style(text.clone())
        .axis_desc_style(text.clone())
        .draw()?;
    chart.draw_series(counts.iter().enumerate().map(|(i, c)| {
        let x = lo + i as f64 * width;
        let mut r = Rectangle::new([(x, 0.0), (x + width, *c as f64)], PALETTE[0].filled());
        r.set_margin(0, 0, 1, 1);
        r
    }))?;
    Ok(())
}

/// Per label, a light p90 bar with the median (p50) bar over it (time in stage).
fn quantiles(
    root: &DrawingArea<TextBackend, Shift>,
    spec: &ChartSpec,
    title: FontDesc<'_>,
    text: FontDesc<'_>,
    labels: &[String],
    p50: &[f64],
    p90: &[f64],
) -> DrawResult<()> {
    let n = labels.len().max(1);
    let max = p90
        .iter()
        .chain(p50.iter())
        .cloned()
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    // Room on the right for the legend, so it never covers a bar.
    let mut chart = bar_frame(root, spec, title, &text, labels, max * 1.45)?;
    for (s, (vals, name)) in [(p90, "p90"), (p50, "p50")].into_iter().enumerate() {
        // Opaque (a tint of the palette colour on white), so grid lines never show through.
        let tint = |c: u8| (0.35 * c as f64 + 0.65 * 255.0).round() as u8;
        let light = RGBColor(tint(PALETTE[0].0), tint(PALETTE[0].1), tint(PALETTE[0].2));
        let color = if s == 0 {
            light.mix(1.0)
        } else {
            PALETTE[0].mix(1.0)
        };
        chart
            .draw_series(vals.iter().enumerate().map(move |(i, v)| {
                let y = n - 1 - i;
                let mut r = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(y)),
                        (*v, SegmentValue::Exact(y + 1)),
                    ],
                    color.filled(),
                );
                r.set_margin(
                    if s == 0 { 6 } else { 12 },
                    if s == 0 { 6 } else { 12 },
                    0,
                    0,
                );
                r
            }))?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], color.filled()));
    }
    chart
        .configure_series_labels()
        .label_font(text.clone())
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// Points against the y = x line (predicted against actual).
fn scatter(
    root: &DrawingArea<TextBackend, Shift>,
    spec: &ChartSpec,
    title: FontDesc<'_>,
    text: FontDesc<'_>,
    points: &[(f64, f64)],
) -> DrawResult<()> {
    let (lo, hi) = points
        .iter()
        .flat_map(|p| [p.0, p.1])
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if points.is_empty() {
        (0.0, 1.0)
    } else {
        (lo.min(0.0), if hi > lo { hi } else { lo + 1.0 })
    };
    let mut chart = ChartBuilder::on(root)
        .caption(&spec.title, title)
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(lo..hi * 1.05, lo..hi * 1.05)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|v| axis_number(*v))
        .y_label_formatter(&|v| axis_number(*v))
        .x_desc(&spec.x_label)
        .y_desc(&spec.y_label)
        .label_style(text.clone())
        .axis_desc_style(text.clone())
        .draw()?;
    chart
        .draw_series(LineSeries::new(
            [(lo, lo), (hi * 1.05, hi * 1.05)],
            BLACK.mix(0.5).stroke_width(1),
        ))?
        .label(zh(spec, "y = x", "y = x"))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], BLACK.mix(0.5)));
    chart
        .draw_series(
            points
                .iter()
                .map(|p| Circle::new(*p, 4, PALETTE[0].filled())),
        )?
        .label(zh(spec, "observed", "实际观测"))
        .legend(|(x, y)| Circle::new((x + 6, y), 4, PALETTE[0].filled()));
    chart
        .configure_series_labels()
        .label_font(text.clone())
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// The frame of a horizontal bar chart: one row per label, top to bottom, values from 0 to
/// `x_max`, the axes drawn. A segmented 0..k range has k + 1 slots: k = n - 1 leaves no empty
/// slot (one bar keeps 0..1, with the spare slot).
fn bar_frame<'a, 'b>(
    root: &'a DrawingArea<TextBackend<'b>, Shift>,
    spec: &ChartSpec,
    title: FontDesc<'_>,
    text: &FontDesc<'_>,
    labels: &[String],
    x_max: f64,
) -> DrawResult<
    ChartContext<
        'a,
        TextBackend<'b>,
        Cartesian2d<
            plotters::coord::types::RangedCoordf64,
            plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordusize>,
        >,
    >,
> {
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(&spec.title, title)
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(label_area(labels) + 10)
        .build_cartesian_2d(
            0f64..x_max,
            (0..n.saturating_sub(1).max(1)).into_segmented(),
        )?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if *i < n => labels[n - 1 - i].clone(),
            _ => String::new(),
        })
        .x_label_formatter(&|v| axis_number(*v))
        .x_desc(&spec.x_label)
        .label_style(text.clone())
        .axis_desc_style(text.clone())
        .draw()?;
    Ok(chart)
}

/// The width of a bar chart's label column: its longest label, 40 to 300 px.
fn label_area(labels: &[String]) -> u32 {
    labels
        .iter()
        .map(|l| text_width(l))
        .max()
        .unwrap_or(40)
        .clamp(40, 300) as u32
}

/// Rough pixel width of a label at 15 px (CJK characters count double).
fn text_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 8 } else { 15 }).sum()
}

/// An axis value as tables show numbers: separators, no trailing `.0` (`50,000`, `2.5`).
pub(crate) fn axis_number(v: f64) -> String {
    let s = if v.abs() >= 1000.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let t = format!("{v:.2}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    crate::output::cell::thousands(&s)
}
