//! Pure metric functions: columns and parameters in, typed results out. No I/O.
//!
//! One layer of salesctl (docs/architecture.md): it may name only the crates below it,
//! whose modules it re-exports under their own names so that `crate::` paths read alike in
//! every layer.

pub mod metrics;

// Not `warn` or `meta`: metrics prints nothing and records nothing (docs/architecture.md).
pub use salesctl_base::{error, exit, flags, model, panics, period, text, timing, tr};
pub use salesctl_columns::columns;
