//! Atomic writes, temporary-file hygiene and the output-path guards, below both load and output.
//!
//! One layer of salesctl (docs/architecture.md): it may name only the crates below it,
//! whose modules it re-exports under their own names so that `crate::` paths read alike in
//! every layer.

pub mod io;

pub use salesctl_base::{error, exit, flags, meta, model, panics, period, text, timing, tr, warn};
