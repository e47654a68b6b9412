//! Each chart kind: the PNG decodes, has the asked size, and draws the data.

use salesctl::output::chart::draw::{PALETTE, png};
use salesctl::output::chart::fonts::{Fonts, cjk_subset, covers};
use salesctl::output::chart::{Chart, ChartSpec};

fn spec(chart: Chart, title: &str) -> ChartSpec {
    ChartSpec {
        chart,
        title: title.into(),
        x_label: "value".into(),
        y_label: "count".into(),
        lang: salesctl::output::Lang::En,
    }
}

fn draw(c: &ChartSpec, size: (u32, u32), fonts: Fonts) -> image::RgbImage {
    let bytes = png(c, size, fonts).expect("draw");
    let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .expect("decodes")
        .to_rgb8();
    assert_eq!(img.dimensions(), size, "asked size");
    img
}

fn is(p: &image::Rgb<u8>, c: plotters::style::RGBColor) -> bool {
    p.0 == [c.0, c.1, c.2]
}

/// Lengths of the horizontal runs of `color`, one per distinct bar (rows with the same run merged).
fn bar_lengths(img: &image::RgbImage, color: plotters::style::RGBColor) -> Vec<u32> {
    let mut lens: Vec<u32> = Vec::new();
    let mut last = 0;
    for y in 0..img.height() {
        let n = (0..img.width())
            .filter(|&x| is(img.get_pixel(x, y), color))
            .count() as u32;
        if n > 0 && n != last {
            lens.push(n);
        }
        last = n;
    }
    lens
}

#[test]
fn hbar_lengths_follow_the_values() {
    let c = spec(
        Chart::HBar {
            labels: vec!["one".into(), "two".into()],
            values: vec![1.0, 2.0],
            value_labels: vec!["1".into(), "2".into()],
        },
        "Funnel",
    );
    let img = draw(&c, (800, 400), Fonts { cjk: None });
    let lens = bar_lengths(&img, PALETTE[0]);
    assert_eq!(lens.len(), 2, "two bars: {lens:?}");
    let (a, b) = (lens[0] as f64, lens[1] as f64);
    assert!(
        (b - 2.0 * a).abs() <= 4.0,
        "bar lengths {a} and {b} should be in ratio 1:2"
    );
}

#[test]
fn grouped_bars_draw_each_series() {
    let c = spec(
        Chart::Grouped {
            categories: vec!["Q1".into(), "Q2".into()],
            series: vec![
                ("target".into(), vec![2.0, 2.0]),
                ("won".into(), vec![1.0, 2.0]),
            ],
        },
        "Target vs won",
    );
    let img = draw(&c, (900, 500), Fonts { cjk: None });
    let count = |col| img.pixels().filter(|p| is(p, col)).count();
    let (t, w) = (count(PALETTE[0]), count(PALETTE[1]));
    assert!(t > 0 && w > 0);
    // target bars total 4 units, won bars 3 units, same width: areas in ratio 4:3 (legend swatches aside)
    let ratio = t as f64 / w as f64;
    assert!((ratio - 4.0 / 3.0).abs() < 0.08, "area ratio {ratio}");
}

#[test]
fn line_with_band_draws_line_and_both_intervals() {
    let c = spec(
        Chart::LineBand {
            history: (0..12).map(|i| (i as f64, 100.0 + i as f64)).collect(),
            forecast: (12..18).map(|i| (i as f64, 112.0, 90.0, 134.0)).collect(),
            inner: (12..18).map(|i| (i as f64, 102.0, 122.0)).collect(),
            levels: ("95%".into(), "80%".into()),
            x_labels: vec![(0.0, "2025-01".into()), (12.0, "2026-01".into())],
            origin: None,
        },
        "Forecast",
    );
    let img = draw(&c, (1000, 600), Fonts { cjk: None });
    assert!(img.pixels().any(|p| is(p, PALETTE[0])), "history line");
    assert!(img.pixels().any(|p| is(p, PALETTE[1])), "forecast line");
    // Issue 27 item 4: both bands. The wide one is PALETTE[1] at 20% on white, the narrow one
    // at 45% (over the wide one where they overlap: 45% of the colour over the 20% tint).
    let tint = |a: f64, c: u8, under: f64| (a * c as f64 + (1.0 - a) * under).round() as i32;
    let (r, g, b) = (PALETTE[1].0, PALETTE[1].1, PALETTE[1].2);
    let wide = [
        tint(0.2, r, 255.0),
        tint(0.2, g, 255.0),
        tint(0.2, b, 255.0),
    ];
    let narrow = [
        tint(0.45, r, wide[0] as f64),
        tint(0.45, g, wide[1] as f64),
        tint(0.45, b, wide[2] as f64),
    ];
    let near = |p: &image::Rgb<u8>, c: [i32; 3]| (0..3).all(|i| (p.0[i] as i32 - c[i]).abs() <= 2);
    let n_wide = img.pixels().filter(|p| near(p, wide)).count();
    let n_narrow = img.pixels().filter(|p| near(p, narrow)).count();
    assert!(
        n_wide > 500 && n_narrow > 500,
        "wide {n_wide} px, narrow {n_narrow} px"
    );
}

#[test]
fn histogram_heights_follow_counts() {
    // bins of width 1 on [0, 2]: values give counts 1 and 3
    let c = spec(
        Chart::Histogram {
            values: vec![0.2, 1.1, 1.5, 1.9],
            bins: 2,
        },
        "Cycle days",
    );
    let img = draw(&c, (600, 600), Fonts { cjk: None });
    let heights: Vec<u32> = (0..img.width())
        .map(|x| {
            (0..img.height())
                .filter(|&y| is(img.get_pixel(x, y), PALETTE[0]))
                .count() as u32
        })
        .filter(|&h| h > 0)
        .collect();
    let (lo, hi) = (
        *heights.iter().min().unwrap() as f64,
        *heights.iter().max().unwrap() as f64,
    );
    assert!(
        (hi - 3.0 * lo).abs() <= 4.0,
        "heights {lo} and {hi} should be 1:3"
    );
}

#[test]
fn quantile_bars_show_p90_beyond_p50() {
    let c = spec(
        Chart::Quantiles {
            labels: vec!["Qualification".into()],
            p50: vec![10.0],
            p90: vec![30.0],
        },
        "Time in stage",
    );
    let img = draw(&c, (800, 300), Fonts { cjk: None });
    // Longest horizontal run of pixels matching `pred` (the legend swatches are short and apart).
    let run = |pred: &dyn Fn(&image::Rgb<u8>) -> bool| {
        (0..img.height())
            .map(|y| {
                let (mut best, mut cur) = (0, 0);
                for x in 0..img.width() {
                    cur = if pred(img.get_pixel(x, y)) {
                        cur + 1
                    } else {
                        0
                    };
                    best = best.max(cur);
                }
                best
            })
            .max()
            .unwrap() as f64
    };
    let p50 = run(&|p| is(p, PALETTE[0]));
    assert!(p50 > 0.0);
    // the p90 bar is the light tint (35% of the palette colour on white); it spans the rows above the p50 bar
    let tint = |c: u8| (0.35 * c as f64 + 0.65 * 255.0).round() as u8;
    let light = [tint(PALETTE[0].0), tint(PALETTE[0].1), tint(PALETTE[0].2)];
    let p90 = run(&|p| p.0 == light);
    assert!(
        (p90 - 3.0 * p50).abs() <= 6.0,
        "p50 {p50}px, p90 {p90}px should be 1:3"
    );
}

#[test]
fn scatter_draws_points_and_diagonal() {
    let c = spec(
        Chart::Scatter {
            points: vec![(1.0, 1.2), (2.0, 1.8), (3.0, 3.1)],
        },
        "Calibration",
    );
    let img = draw(&c, (600, 600), Fonts { cjk: None });
    assert!(
        img.pixels().filter(|p| is(p, PALETTE[0])).count() > 30,
        "three points"
    );
}

/// An HBar chart of one rep named `name`.
fn rep_chart(name: &str) -> ChartSpec {
    spec(
        Chart::HBar {
            labels: vec![name.into()],
            values: vec![3.0],
            value_labels: vec!["3".into()],
        },
        "Won",
    )
}

#[test]
fn chinese_rep_names_are_drawn_with_real_glyphs_without_system_fonts() {
    // The bundled GB 2312 subset is chosen before any system font, so this holds on a machine
    // with no CJK font at all.
    let f = Fonts::resolve(None, "王芳 张伟 Won").expect("the bundled subset covers both names");
    let cjk = f.cjk.expect("a CJK font is chosen");
    assert!(
        std::ptr::eq(cjk, cjk_subset()),
        "the bundled subset, not a system font"
    );
    // Empty boxes are one glyph whatever the character: two different names drawn as boxes give
    // the same image, drawn as glyphs they do not. The Latin font shows the difference is
    // detected (it has no Chinese glyphs).
    let latin = Fonts { cjk: None };
    assert_eq!(
        draw(&rep_chart("王芳"), (600, 300), latin).as_raw(),
        draw(&rep_chart("张伟"), (600, 300), latin).as_raw(),
        "control: without a CJK font both names are the same boxes"
    );
    assert_ne!(
        draw(&rep_chart("王芳"), (600, 300), f).as_raw(),
        draw(&rep_chart("张伟"), (600, 300), f).as_raw(),
        "with the bundled font the two names are different glyphs"
    );
    // Characters outside GB 2312 and outside every system font: no chart, a reason.
    assert!(!covers(cjk_subset(), "𠀀"));
}

#[test]
fn a_chart_no_font_can_draw_is_refused_not_drawn_as_boxes() {
    let w = crate::workdir::Workdir::new().with_env("SALESCTL_NO_SYSTEM_FONTS", "1");
    w.write(
        "d.csv",
        "deal_id,owner,stage,amount,created_at,closed_at\nD1,王芳,Won,100,2026-01-01,2026-01-05\nD2,𠀀明,Won,200,2026-01-02,2026-01-06\n"
            .as_bytes(),
    );
    let (_, err) = w.expect(
        &["scorecard", "d.csv", "--chart", "s.png", "--format", "csv"],
        0,
    );
    assert!(err.contains("not drawn") && err.contains("𠀀"), "{err}");
    assert!(!w.path("s.png").exists());
    // GB 2312 names only: drawn with the bundled font, no warning about fonts.
    w.write(
        "e.csv",
        "deal_id,owner,stage,amount,created_at,closed_at\nD1,王芳,Won,100,2026-01-01,2026-01-05\nD2,张伟,Won,200,2026-01-02,2026-01-06\n"
            .as_bytes(),
    );
    let (_, err) = w.expect(
        &[
            "scorecard",
            "e.csv",
            "--chart",
            "e.png",
            "--format",
            "csv",
            "--lang",
            "zh-CN",
        ],
        0,
    );
    assert!(!err.contains("font"), "{err}");
    assert!(w.path("e.png").exists());
}

#[test]
fn an_empty_result_draws_no_chart_and_says_so() {
    // No deal of handmade/deals.csv was created in 2020: an empty funnel, exit 0, no PNG.
    let w = crate::workdir::Workdir::new();
    let d = crate::workdir::s(&crate::workdir::testdata("handmade/deals.csv"));
    let (_, err) = w.expect(
        &[
            "funnel",
            &d,
            "--stages",
            "Lead,Qualified,Proposal,Negotiation",
            "--period",
            "2020",
            "--chart",
            "f.png",
            "--format",
            "csv",
        ],
        0,
    );
    assert!(err.contains("no chart drawn"), "{err}");
    assert!(!w.path("f.png").exists());
    // The same for the time in stage: nothing to draw.
    let (_, err) = w.expect(
        &[
            "bottleneck",
            &d,
            "--stages",
            "Lead,Qualified,Proposal,Negotiation",
            "--period",
            "2020",
            "--chart",
            "b.png",
            "--format",
            "csv",
        ],
        0,
    );
    assert!(!w.path("b.png").exists(), "{err}");
}

/// A zh-CN forecast chart whose own labels are all Latin still gets the CJK font: its legend
/// words ("实际", "预测", "80% 区间") are Chinese, and a Latin font would draw them as boxes.
#[test]
fn chinese_legend_words_choose_a_cjk_font() {
    let mut c = spec(
        Chart::LineBand {
            history: vec![(0.0, 1.0), (1.0, 2.0)],
            forecast: vec![(2.0, 2.0, 1.0, 3.0)],
            inner: vec![(2.0, 1.5, 2.5)],
            levels: ("95%".into(), "80%".into()),
            x_labels: vec![(0.0, "2025-01".into())],
            origin: None,
        },
        "Revenue",
    );
    for word in ["实际", "预测", "区间", "回测起点", "观测"] {
        assert!(salesctl::output::chart::LEGEND_ZH.contains(word), "{word}");
    }
    assert!(!c.texts().contains("实际"));
    c.lang = salesctl::output::Lang::ZhCn;
    assert!(c.texts().contains("实际"));
    // The bundled subset is tried before any system font.
    let f = Fonts::resolve(None, &c.texts()).expect("the bundled subset covers it");
    assert!(f.cjk.is_some());
    assert!(covers(cjk_subset(), salesctl::output::chart::LEGEND_ZH));
}
