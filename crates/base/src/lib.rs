//! The base layer: messages in two languages (`text`, `tr!`), the canonical model and the KPI
//! registry (`model`), the error and exit codes, periods, timing, flags, warnings and the run
//! record.
//!
//! One layer of salesctl (docs/architecture.md): it may name only the crates below it,
//! whose modules it re-exports under their own names so that `crate::` paths read alike in
//! every layer.

pub mod error;
pub mod exit;
pub mod flags;
pub mod meta;
pub mod model;
pub mod panics;
pub mod period;
pub mod text;
pub mod timing;
pub mod warn;

pub use error::{Error, Result};
pub use exit::ExitCode;
