//! `salesctl scorecard INPUT [--rep NAME]`: each rep against target and team ([`crate::analysis::scorecard`] builds it).

use crate::analysis::{
    self,
    scorecard::{DEAL_COLS, EVENT_COLS, build},
};
use crate::error::Result;
use crate::exit::ExitCode;
use crate::load;
use crate::model::Table;

pub use crate::cli::scorecard::Args;

pub(crate) fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    let t_load = crate::timing::span("scorecard: load");
    let mut fields: Vec<&str> = DEAL_COLS.to_vec();
    fields.push(a.by.as_str());
    a.load
        .read_only(&[(Table::Deals, &fields), (Table::StageEvents, EVENT_COLS)]);
    let ds = load::load(&a.inputs, &a.load)?;
    drop(t_load);
    let (built, _) = build(&a, &ds)?;
    analysis::emit(&built, &a.out, &ds, &a.load)
}
