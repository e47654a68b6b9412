//! `salesctl completions`: its flags.

#[derive(Debug, clap::Args)]
pub struct Args {
    /// bash, zsh, fish, powershell or elvish.
    #[arg(value_name = "SHELL")]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// A command's own page (`salesctl man funnel > salesctl-funnel.1`), as the main page's
    /// SUBCOMMANDS section names them; without it, the main page.
    #[arg(value_name = "COMMAND")]
    pub(crate) command: Option<String>,
}
