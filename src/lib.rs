//! salesctl: CRM exports in, the numbers a sales manager reviews out.
//!
//! Rooms: [`cli`] and [`cmd`] (glue) -> [`load`] (any export -> canonical tables) -> metrics (pure)
//! -> [`output`] (render), over the canonical [`model`], beside one [`error`] type.

pub mod analysis;
pub mod cli;
pub mod cmd;
pub mod docs;

pub use salesctl_base::{error, exit, flags, meta, model, panics, period, text, timing, tr, warn};
pub use salesctl_columns::columns;
pub use salesctl_io::io;
pub use salesctl_load::load;
pub use salesctl_metrics::metrics;
pub use salesctl_output::output;

use std::ffi::OsString;

use clap::Parser;

pub use error::{Error, Result};
pub use exit::ExitCode;

/// Parse `args`, run the command, print any error once as `salesctl: error: ...`, and return the
/// exit code. A closed stdout (`salesctl ... | head -1`) is success.
pub fn main_entry(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::Success
                }
                _ => ExitCode::Usage,
            };
            let _ = e.print();
            return code;
        }
    };
    let total = crate::timing::span("total");
    let res = cmd::run(cli);
    crate::io::release_held();
    drop(total);
    if let Some(line) = crate::warn::summary() {
        eprintln!("{line}");
    }
    match res {
        Ok(code) => code,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::Success
        }
        Err(e) => {
            // LANG=zh_CN.UTF-8 switches errors as it switches notes.
            match crate::warn::lang() {
                crate::text::Lang::En => eprintln!("salesctl: error: {e}"),
                lang @ crate::text::Lang::ZhCn => {
                    eprintln!("salesctl：错误：{}", e.text(lang))
                }
            }
            e.exit_code()
        }
    }
}
