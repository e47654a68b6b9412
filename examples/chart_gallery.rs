//! Draw the chart kinds the analysis commands do not draw yet (line with an interval band,
//! histogram, calibration scatter) from files in testdata/, with salesctl's chart module. The
//! pictures in docs/charts.md come from here:
//!
//!     cargo run --example chart_gallery -- docs/img

use std::path::{Path, PathBuf};

use salesctl::columns::engine;
use salesctl::load::{self, LoaderArgs};
use salesctl::model::Table;
use salesctl::output::chart::{Chart, ChartSpec, render_png};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("docs/img"), PathBuf::from);
    std::fs::create_dir_all(&out)?;

    // Airline passengers (testdata/timeseries/Airline.csv) and a 12-month seasonal naive forecast
    // with its 95% interval: sigma = sqrt(mean squared lag-12 residual),
    // sd_h = sigma x sqrt(floor((h - 1) / 12) + 1) (docs/metrics.md, forecast accuracy).
    let text = std::fs::read_to_string("testdata/timeseries/Airline.csv")?;
    let y: Vec<f64> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1)?.trim().parse().ok())
        .collect();
    let m = 12;
    let res: Vec<f64> = (m..y.len()).map(|t| y[t] - y[t - m]).collect();
    let sigma = (res.iter().map(|e| e * e).sum::<f64>() / res.len() as f64).sqrt();
    let n = y.len();
    let history: Vec<(f64, f64)> = y.iter().enumerate().map(|(i, v)| (i as f64, *v)).collect();
    let forecast: Vec<(f64, f64, f64, f64)> = (1..=m)
        .map(|h| {
            let point = y[n - m + (h - 1) % m];
            let sd = sigma * (((h - 1) / m) as f64 + 1.0).sqrt();
            (
                (n + h - 1) as f64,
                point,
                point - 1.96 * sd,
                point + 1.96 * sd,
            )
        })
        .collect();
    let x_labels = (0..=n + m)
        .step_by(24)
        .map(|i| (i as f64, format!("{}", 1949 + i / 12)))
        .collect();
    draw(
        &out.join("forecast_band.png"),
        Chart::LineBand {
            history,
            forecast,
            inner: Vec::new(),
            levels: ("95%".into(), String::new()),
            x_labels,
            origin: None,
        },
        "Airline passengers: seasonal naive, 95% interval",
        "month",
        "passengers",
    )?;

    // Sales cycle of the won deals of testdata/gencrm2000/deals.csv, through the normal loader.
    let ds = load::load(
        &[PathBuf::from("testdata/gencrm2000/deals.csv")],
        &LoaderArgs::default(),
    )?;
    let df = ds
        .frame(Table::Deals, &["status", "created_at", "closed_at"])?
        .ok_or("no deals")?;
    let (st, c, o) = (
        engine::coded(&df, "status")?,
        engine::millis(&df, "created_at")?,
        engine::millis(&df, "closed_at")?,
    );
    let cycles: Vec<f64> = (0..df.height())
        .filter(|&i| st.get(i) == Some("won"))
        .filter_map(|i| Some((o[i]? - c[i]?) as f64 / 86_400_000.0))
        .collect();
    draw(
        &out.join("cycle_histogram.png"),
        Chart::Histogram {
            values: cycles,
            bins: 20,
        },
        "Sales cycle of won deals (gencrm2000)",
        "days",
        "deals",
    )?;

    // Calibration: the seasonal naive prediction (same month a year earlier) against the actual.
    let points: Vec<(f64, f64)> = (m..n).map(|t| (y[t - m], y[t])).collect();
    draw(
        &out.join("calibration_scatter.png"),
        Chart::Scatter { points },
        "Same month last year (predicted) vs actual",
        "predicted",
        "actual",
    )?;
    println!("wrote {}", out.display());
    Ok(())
}

fn draw(
    path: &Path,
    chart: Chart,
    title: &str,
    x: &str,
    y: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let spec = ChartSpec {
        chart,
        title: title.into(),
        x_label: x.into(),
        y_label: y.into(),
        lang: salesctl::output::Lang::En,
    };
    if let Some(w) = render_png(&spec, path, (900, 450), None)? {
        eprintln!("warning: {w}");
    }
    Ok(())
}
