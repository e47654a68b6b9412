//! The `flag_rule` target: src/checks/flag_rule.rs runs the input inside the crate that compiles
//! salesctl's files in, where their crate-private items are in reach.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| salesctl_fuzz::checks::flag_rule::flag_rule(data));
