//! The column engine, between load and metrics: canonical tables as compact coded columns
//! (texts as u32 codes, times as epoch milliseconds, amounts as floats), stage events and each
//! deal's path through its pipeline, and the deal set the metrics loop over. It reads a stored
//! table through [`source::ColumnSource`] (implemented by load's parquet reader) or a frame;
//! it never opens a file itself.

pub mod deals;
pub mod engine;
pub mod paths;
pub mod source;
