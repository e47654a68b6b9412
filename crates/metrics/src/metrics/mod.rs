//! Pure metric code: columns (crate::columns) and parameters in, typed results out. No I/O, no
//! clap, no rendering; examples and tests call it directly. One definition per KPI
//! (docs/metrics.md).

pub mod bottleneck;
pub mod cac;
pub mod clv;
pub mod engagement;
pub mod forecast;
pub mod funnel;
pub mod plan;
pub mod scorecard;
pub mod series;
pub mod snapshots;
pub mod stats;
pub mod timing;
pub mod valuation;
