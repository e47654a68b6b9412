//! `salesctl bottleneck INPUT`: where the funnel leaks ([`crate::analysis::bottleneck`] builds it).

use crate::analysis::{
    self,
    bottleneck::{DEAL_COLS, build_with},
};
use crate::error::Result;
use crate::exit::ExitCode;

pub use crate::cli::bottleneck::Args;

pub(crate) fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    let (ds, deals, set) =
        analysis::load_deal_set(&a.inputs, &mut a.load, DEAL_COLS, a.by.as_deref())?;
    let built = build_with(&a, &ds, deals.as_ref(), &set)?;
    analysis::emit(&built, &a.out, &ds, &a.load)
}
