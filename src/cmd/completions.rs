//! `salesctl completions SHELL` and `salesctl man`: shell completions (clap_complete) and a man
//! page (clap_mangen), written to stdout.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::{Error, Result};
use crate::exit::ExitCode;

pub(crate) use crate::cli::completions::{Args, ManArgs};

pub(crate) fn run(a: Args) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "salesctl", &mut out);
    let mut so = std::io::stdout().lock();
    so.write_all(&out)
        .and_then(|_| so.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(ExitCode::Success)
}

pub(crate) fn man(a: ManArgs) -> Result<ExitCode> {
    let root = Cli::command();
    let page = match &a.command {
        None => root,
        Some(c) => {
            let names: Vec<String> = root
                .get_subcommands()
                .map(|s| s.get_name().to_string())
                .collect();
            let sub = root.find_subcommand(c).cloned().ok_or_else(|| {
                let near = crate::error::closest(c, names.iter().map(String::as_str));
                let hint_en = near
                    .map(|n| format!("; did you mean {n:?}?"))
                    .unwrap_or_default();
                let hint_zh = near
                    .map(|n| format!("；是否想用 {n:?}？"))
                    .unwrap_or_default();
                let names = names.join(", ");
                Error::usage(crate::tr!(
                    "man {c:?}: commands are {names}{hint_en}",
                    "man {c:?}：可用的命令有 {names}{hint_zh}"
                ))
            })?;
            // The page's name as the main page refers to it: salesctl-funnel(1). Leaked once
            // per run (clap takes a 'static name).
            let name: &'static str = Box::leak(format!("salesctl-{c}").into_boxed_str());
            sub.name(name)
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| Error::io("<stdout>", e))?;
    let mut so = std::io::stdout().lock();
    so.write_all(&out)
        .and_then(|_| so.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(ExitCode::Success)
}
