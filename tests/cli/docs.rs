//! docs/commands/ is generated from `--help`: this test fails when a page is stale
//! (`UPDATE_DOCS=1 cargo test --test cli docs` rewrites them).

use crate::workdir::root;

#[test]
fn command_pages_are_current() {
    let dir = root().join("docs/commands");
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let pages = salesctl::docs::command_pages();
    assert!(pages.iter().any(|(n, _)| n == "forecast"));
    let mut stale = Vec::new();
    for (name, text) in &pages {
        let p = dir.join(format!("{name}.md"));
        if update {
            std::fs::write(&p, text).unwrap();
        } else if std::fs::read_to_string(&p).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    assert!(
        stale.is_empty(),
        "docs/commands out of date for {stale:?}: run UPDATE_DOCS=1 cargo test --test cli docs"
    );
}

/// Issue 27 item 6: `-h` is short (no loader or output flags beyond the common ones) and has
/// examples; `--help` has them and the exit codes; every example parses with the real parser
/// (flags and values as the command defines them).
#[test]
fn help_has_examples_that_parse_and_h_is_short() {
    use clap::Parser;
    let w = crate::workdir::Workdir::new();
    for cmd in [
        "ingest",
        "show",
        "funnel",
        "bottleneck",
        "history",
        "scorecard",
        "cltv",
        "cac",
        "forecast",
        "plan",
        "report",
        "check",
        "diff",
    ] {
        let (short, _) = w.expect(&[cmd, "-h"], 0);
        let (long, _) = w.expect(&[cmd, "--help"], 0);
        assert!(
            short.lines().count() * 2 < long.lines().count() + 20,
            "{cmd} -h is not short"
        );
        assert!(
            !short.contains("--encoding") && long.contains("--encoding"),
            "{cmd}"
        );
        assert!(
            long.contains("Exit status") || long.contains("exit"),
            "{cmd}"
        );
        // Examples: a line "  salesctl CMD ..." and its wrapped continuation lines.
        let mut examples: Vec<String> = Vec::new();
        let mut on = false;
        for l in short.lines() {
            if l.starts_with("Examples:") {
                on = true;
                continue;
            }
            if !on || l.trim().is_empty() {
                on = on && !l.trim().is_empty();
                continue;
            }
            if l.starts_with("  salesctl ") {
                examples.push(l.trim().to_string());
            } else if let Some(last) = examples.last_mut() {
                last.push(' ');
                last.push_str(l.trim());
            }
        }
        assert!((1..=3).contains(&examples.len()), "{cmd}: {examples:?}");
        for ex in &examples {
            assert!(ex.starts_with(&format!("salesctl {cmd} ")), "{ex}");
            // The command itself, without a shell pipe or redirection after it.
            let line = ex.split(" || ").next().unwrap_or(ex);
            let line = line.split(" > ").next().unwrap_or(line);
            let words = crate::readme::words(line);
            if let Err(e) = salesctl::cli::Cli::try_parse_from(&words) {
                panic!("{cmd} example does not parse: {line}\n{e}");
            }
        }
    }
}

/// Issue 25: closed sets of flag values are `ValueEnum`s whose names are the words users type
/// (`won_deals` keeps its underscore, `at-close` its hyphen); a near miss is refused with the
/// list and a suggestion, exit 2.
#[test]
fn closed_flag_values_are_typed_with_the_words_users_type() {
    use clap::Parser;
    use salesctl::cli::{Cli, Command};
    let cli = Cli::try_parse_from([
        "salesctl",
        "forecast",
        "x.csv",
        "--metric",
        "won_deals",
        "--freq",
        "quarter",
    ])
    .unwrap();
    let Command::Forecast(a) = cli.command else {
        panic!("forecast")
    };
    assert_eq!(a.metric, salesctl::cli::forecast::ForecastMetric::WonDeals);
    assert_eq!(a.freq, salesctl::cli::forecast::SeriesFreq::Quarter);
    assert_eq!(a.metric.as_str(), "won_deals");
    let cli = Cli::try_parse_from([
        "salesctl",
        "scorecard",
        "x.csv",
        "--credit",
        "at-close",
        "--revenue",
        "deals",
    ])
    .unwrap();
    let Command::Scorecard(a) = cli.command else {
        panic!("scorecard")
    };
    assert_eq!(a.credit, salesctl::cli::scorecard::Credit::AtClose);
    assert_eq!(a.load.revenue, Some(salesctl::load::RevenueSource::Deals));
    // Defaults as documented.
    let cli = Cli::try_parse_from(["salesctl", "cltv", "x.csv"]).unwrap();
    let Command::Cltv(a) = cli.command else {
        panic!("cltv")
    };
    assert_eq!((a.model.as_str(), a.unit.as_str()), ("simple", "week"));
    // A near miss: exit 2, the possible values and the closest one.
    let w = crate::workdir::Workdir::new();
    let (_, err) = w.expect(&["forecast", "x.csv", "--freq", "quater"], 2);
    assert!(
        err.contains("possible values: month, week, quarter") && err.contains("'quarter'"),
        "{err}"
    );
}
