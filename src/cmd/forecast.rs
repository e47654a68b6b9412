//! `salesctl forecast INPUT`: where revenue is heading ([`crate::analysis::forecast`] builds it).

use crate::analysis::{self, forecast::build};
use crate::error::Result;
use crate::exit::ExitCode;
use crate::load;

pub use crate::cli::forecast::Args;

pub(crate) fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    let ds = load::load(&a.inputs, &a.load)?;
    let built = build(&a, &ds)?;
    analysis::emit(&built, &a.out, &ds, &a.load)
}
