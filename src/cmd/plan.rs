//! `salesctl plan INPUT --target AMOUNT --year 2027`: an annual target split into monthly
//! targets per rep ([`crate::analysis::plan`] builds it).

use crate::analysis::{self, plan};
use crate::error::Result;
use crate::exit::ExitCode;
use crate::load;

pub use crate::cli::plan::Args;

pub(crate) fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    plan::validate(&a)?;
    let ds = load::load(&a.inputs, &a.load)?;
    let built = plan::build(&a, &ds)?;
    analysis::emit(&built, &a.out, &ds, &a.load)
}
