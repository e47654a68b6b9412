//! `salesctl check INPUT --rule "win_rate >= 0.2"`: threshold rules for cron; exit 4 when any
//! fails ([`crate::analysis::check`] evaluates them).

use crate::analysis::{self, check::build};
use crate::error::Result;
use crate::exit::ExitCode;
use crate::load;

pub use crate::cli::check::Args;

pub(crate) fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    let ds = load::load(&a.inputs, &a.load)?;
    let (built, failed) = build(&a, &ds)?;
    analysis::emit(&built, &a.out, &ds, &a.load)?;
    Ok(if failed > 0 {
        ExitCode::Threshold
    } else {
        ExitCode::Success
    })
}
