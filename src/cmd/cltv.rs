//! `salesctl cltv INPUT`: what customers are worth ([`crate::analysis::cltv`] builds it).

use crate::analysis::{self, cltv::build};
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::load;

pub use crate::cli::cltv::Args;

pub(crate) fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    if !(0.0..=1.0).contains(&a.margin) {
        return Err(Error::usage(crate::tr!(
            "--margin {}: a fraction between 0 and 1",
            "--margin {}：应为 0 到 1 之间的小数",
            a.margin
        )));
    }
    let ds = load::load(&a.inputs, &a.load)?;
    let built = build(&a, &ds)?;
    analysis::emit(&built, &a.out, &ds, &a.load)
}
