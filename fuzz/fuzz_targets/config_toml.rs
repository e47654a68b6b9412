//! The `config_toml` target: src/checks/config_toml.rs runs the input inside the crate that compiles
//! salesctl's files in, where their crate-private items are in reach.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| salesctl_fuzz::checks::config_toml::config_toml(data));
