//! The salesctl binary: parse the command line, run, print the error once, exit with its code.

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    salesctl::main_entry(std::env::args_os()).into()
}
