//! Cell parsers: pure functions from text to values.
pub mod date;
pub mod money;
