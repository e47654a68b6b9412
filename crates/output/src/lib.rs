//! Typed results to tables, files and charts.
//!
//! One layer of salesctl (docs/architecture.md): it may name only the crates below it,
//! whose modules it re-exports under their own names so that `crate::` paths read alike in
//! every layer.

pub mod output;

pub use salesctl_base::{error, exit, flags, meta, model, panics, period, text, timing, tr, warn};
pub use salesctl_columns::columns;
pub use salesctl_io::io;
pub use salesctl_load::load;
pub use salesctl_metrics::metrics;
