//! `salesctl funnel INPUT`: stage conversion ([`crate::analysis::funnel`] builds it).

use crate::analysis::{
    self,
    funnel::{DEAL_COLS, build_with},
};
use crate::error::Result;
use crate::exit::ExitCode;

pub use crate::cli::funnel::Args;

pub(crate) fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    let (ds, deals, set) =
        analysis::load_deal_set(&a.inputs, &mut a.load, DEAL_COLS, a.by.as_deref())?;
    let built = build_with(&a, &ds, deals.as_ref(), &set)?;
    if built.chart.is_none() {
        a.out.chart = None; // an empty funnel: said in a warning, not an error
    }
    analysis::emit(&built, &a.out, &ds, &a.load)
}
