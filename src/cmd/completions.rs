//! `salesctl completions SHELL` and `salesctl man`: shell completions (clap_complete) and a man
//! page (clap_mangen), written to stdout.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::{Error, Result};
use crate::exit::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// bash, zsh, fish, powershell or elvish.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "salesctl", &mut out);
    let mut so = std::io::stdout().lock();
    so.write_all(&out)
        .and_then(|_| so.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(ExitCode::Success)
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {}

pub fn man(_a: ManArgs) -> Result<ExitCode> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Error::io("<stdout>", e))?;
    let mut so = std::io::stdout().lock();
    so.write_all(&out)
        .and_then(|_| so.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(ExitCode::Success)
}
