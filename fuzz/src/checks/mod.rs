//! What each fuzz target checks, one module per target (fuzz_targets/ only hands the bytes
//! over). The checks live in this crate because the salesctl files it compiles in keep their
//! items crate-private (`pub(crate)`), out of reach of the target binaries.

pub mod config_toml;
pub mod csv_rows;
pub mod dates;
pub mod flag_map;
pub mod flag_period;
pub mod flag_rule;
pub mod money;
pub mod sniff_decode;
pub mod xls_open;
pub mod xlsx_open;
