//! docs/commands/*.md: one page per command, generated from its `--help` (the test
//! `command_pages_are_current` fails when they drift; `UPDATE_DOCS=1 cargo test` rewrites them).

use clap::CommandFactory;

/// (file stem, Markdown) for `salesctl` itself (`index`) and every subcommand.
pub fn command_pages() -> Vec<(String, String)> {
    let mut root = crate::cli::Cli::command().term_width(100);
    root.build();
    let mut pages = Vec::new();
    let banner = "<!-- Generated from `salesctl --help` by src/docs.rs: do not edit; run `UPDATE_DOCS=1 cargo test --test cli docs` -->";
    let mut index = format!(
        "{banner}\n\n# salesctl commands\n\n```text\n{}\n```\n\n",
        root.render_long_help().to_string().trim_end()
    );
    for sub in root.get_subcommands() {
        let name = sub.get_name().to_string();
        if name == "help" {
            continue;
        }
        let mut c = sub
            .clone()
            .term_width(100)
            .bin_name(format!("salesctl {name}"));
        let help = c.render_long_help().to_string();
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        index.push_str(&format!("- [`salesctl {name}`]({name}.md): {about}\n"));
        pages.push((
            name.clone(),
            format!(
                "{banner}\n\n# salesctl {name}\n\n{about}\n\n```text\n{}\n```\n",
                help.trim_end()
            ),
        ));
    }
    pages.insert(0, ("index".into(), index));
    pages
}
