//! The coded column engine: text columns as u32 codes, times as epoch ms, stage events, each
//! deal's path and the deal set.
//!
//! One layer of salesctl (docs/architecture.md): it may name only the crates below it,
//! whose modules it re-exports under their own names so that `crate::` paths read alike in
//! every layer.

pub mod columns;

pub use salesctl_base::{error, exit, flags, meta, model, panics, period, text, timing, tr, warn};
pub use salesctl_io::io;
