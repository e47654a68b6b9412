//! Use salesctl as a library: load an export through the same loader as the CLI, compute a
//! funnel with the pure metric code, and print it. Run with:
//!
//!     cargo run --example library_funnel -- testdata/hubspot/hubspot-crm-exports-all-deals-2026-10-31.csv

use std::path::PathBuf;

use salesctl::columns::deals::DealSet;
use salesctl::load::{self, LoaderArgs};
use salesctl::metrics::funnel::{self, Params};
use salesctl::model::Table;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from("testdata/hubspot/hubspot-crm-exports-all-deals-2026-10-31.csv")
        });
    let ds = load::load(&[path], &LoaderArgs::default())?;
    let deals = ds.frame(
        Table::Deals,
        &[
            "deal_id",
            "pipeline",
            "stage",
            "status",
            "amount",
            "currency",
            "created_at",
            "closed_at",
        ],
    )?;
    let events = ds.frame(
        Table::StageEvents,
        &["deal_id", "pipeline", "stage", "entered_at"],
    )?;
    let set = DealSet::build(deals.as_ref(), events.map(Into::into), ds.pipelines())?;
    let (funnels, stats) = funnel::compute(&set, &Params::default());
    println!("as of {}; {} deals", ds.as_of, stats.deals);
    for f in &funnels {
        println!("{}", f.pipeline);
        for (k, stage) in f.stages.iter().enumerate() {
            let step = f
                .step(k)
                .map_or(String::from("-"), |s| format!("{:.1}%", s * 100.0));
            println!("  {stage:<28} {:>6} {step:>7}", f.reached[k]);
        }
    }
    Ok(())
}
