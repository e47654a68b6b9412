//! `salesctl history SNAPSHOT1 SNAPSHOT2 [...] -o DIR`: rebuild stage events from snapshot
//! exports of the same pipeline ([`crate::analysis::history`] rebuilds them).

use crate::analysis::history;
use crate::error::Result;
use crate::exit::ExitCode;

pub use crate::cli::history::Args;

pub(crate) fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.quiet;
    let rebuilt = history::rebuild(&a)?;
    if !a.quiet {
        history::say(&a, &rebuilt);
    }
    Ok(ExitCode::Success)
}
