//! `salesctl diff OLD NEW`: what changed between two snapshots of the same export
//! ([`crate::analysis::diff`] builds it).

use crate::analysis::diff::build;
use crate::error::Result;
use crate::exit::ExitCode;

pub use crate::cli::diff::Args;

pub(crate) fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    let (built, ds) = build(&a)?;
    let lang = ds.settings.config.lang.as_deref();
    crate::output::emit(&built.report, &a.out, lang, None)?;
    Ok(ExitCode::Success)
}
