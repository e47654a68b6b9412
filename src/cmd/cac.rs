//! `salesctl cac --spend SPEND INPUT`: what customers cost ([`crate::analysis::cac`] builds it).

use crate::analysis::{self, cac::build};
use crate::error::Result;
use crate::exit::ExitCode;
use crate::load;

pub use crate::cli::cac::Args;

pub(crate) fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    let ds = load::load(&a.inputs, &a.load)?;
    let built = build(&a, &ds)?;
    analysis::emit(&built, &a.out, &ds, &a.load)
}
