//! `salesctl show INPUT [--rows-of TABLE] [--explain] [--write-config FILE]`: what salesctl
//! understood of an export ([`crate::analysis::show`] builds it).

use crate::analysis::show;
use crate::error::Result;
use crate::exit::ExitCode;
use crate::load;

pub use crate::cli::show::Args;

pub(crate) fn run(mut a: Args) -> Result<ExitCode> {
    a.load.quiet = a.out.quiet;
    let ds = load::load(&a.inputs, &a.load)?;
    if let Some(p) = &a.write_config {
        show::write_config(&ds, p)?;
        if !a.explain {
            return Ok(ExitCode::Success);
        }
    }
    let report = if a.explain {
        // The report is several tables: printed whole as a table unless a format is asked for.
        if a.out.format.is_none() && a.out.output.is_none() {
            a.out.format = Some("table".into());
        }
        show::explain(&ds)?
    } else {
        show::rows(&a, &ds)?
    };
    let lang = ds.settings.config.lang.as_deref();
    crate::output::emit(&report, &a.out, lang, None)?;
    Ok(ExitCode::Success)
}
