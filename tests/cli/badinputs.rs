//! The bad-input table (issue 26 item 8): every case in testdata/bad/cases.toml run through
//! `ingest`, with its exit code, message fragments and row accounting; then every bad file
//! through the analysis commands, which must end with a documented code and never panic. The
//! input is never modified.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::workdir::{Workdir, s, testdata};

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    file: String,
    guard: String,
    exit: i32,
    read: Option<usize>,
    rejected: Option<usize>,
    #[serde(default)]
    stderr: Vec<String>,
    #[serde(default)]
    rejects: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(testdata("bad/cases.toml")).expect("cases.toml");
    toml::from_str::<Cases>(&text)
        .expect("cases.toml parses")
        .case
}

fn sha(p: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(p).expect("read input")).to_vec()
}

#[test]
fn every_bad_input_case_ends_as_the_table_says() {
    let all = cases();
    assert!(all.len() >= 60, "{} cases", all.len());
    let docs = std::fs::read_to_string(crate::workdir::root().join("docs/reliability.md"))
        .expect("docs/reliability.md");
    let mut seen = BTreeSet::new();
    let mut failures = Vec::new();
    for c in &all {
        assert!(
            seen.insert((c.file.clone(), c.args.clone())),
            "{} {:?} listed twice",
            c.file,
            c.args
        );
        assert!(
            docs.contains(&format!("`{}`", c.guard)),
            "guard `{}` of {} is not in docs/reliability.md",
            c.guard,
            c.file
        );
        let w = Workdir::new();
        let input = testdata(&format!("bad/{}", c.file));
        let before = sha(&input);
        let out = w.path("out");
        let rej = w.path("rejects.csv");
        let mut args = vec![
            "ingest".to_string(),
            s(&input),
            "-o".into(),
            s(&out),
            "--max-rejects".into(),
            "100%".into(),
            "--rejects".into(),
            s(&rej),
        ];
        args.extend(c.args.iter().cloned());
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = w.run(&argv);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        let mut fail =
            |why: String| failures.push(format!("{} {:?}: {why}\n{err}", c.file, c.args));
        if o.status.code() != Some(c.exit) {
            fail(format!("exit {:?}, expected {}", o.status.code(), c.exit));
            continue;
        }
        if err.contains("panicked") {
            fail("panicked".into());
        }
        for n in &c.stderr {
            if !err.contains(n.as_str()) {
                fail(format!("stderr lacks {n:?}"));
            }
        }
        if sha(&input) != before {
            fail("the input was modified".into());
        }
        if c.exit != 0 {
            if !err.contains("salesctl: error: ") || !err.contains(&c.file) {
                fail("the error does not name the file".into());
            }
            if out.join("manifest.json").exists() {
                fail("an output was written on failure".into());
            }
            continue;
        }
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap_or_default())
                .unwrap_or_default();
        let src = &m["sources"][0];
        if let Some(r) = c.read {
            if src["rows_in"].as_u64() != Some(r as u64) {
                fail(format!("rows read {}, expected {r}", src["rows_in"]));
            }
        }
        if let Some(r) = c.rejected {
            if src["rejected_rows"].as_u64() != Some(r as u64) {
                fail(format!(
                    "rows rejected {}, expected {r}",
                    src["rejected_rows"]
                ));
            }
            // Rejected rows are written out, never dropped.
            let written = std::fs::read_to_string(&rej).unwrap_or_default();
            let lines = csv::Reader::from_reader(written.as_bytes())
                .records()
                .count();
            if (r > 0 && lines < r) || (r == 0 && lines > 0) {
                fail(format!(
                    "{lines} rejected record(s) written, {r} rows rejected"
                ));
            }
            for n in &c.rejects {
                if !written.contains(n.as_str()) {
                    fail(format!("rejects file lacks {n:?}:\n{written}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every file of the table through the analysis commands: a documented exit code (0, 2 or 3),
/// one `salesctl: error:` line when it fails, never a panic or a signal.
#[test]
fn every_bad_input_through_every_command_ends_with_a_documented_code() {
    let files: BTreeSet<String> = cases().into_iter().map(|c| c.file).collect();
    let mut failures = Vec::new();
    for f in &files {
        let input = s(&testdata(&format!("bad/{f}")));
        for cmd in ["show", "funnel", "scorecard", "forecast", "cltv"] {
            let w = Workdir::new();
            let o = w.run(&[cmd, &input, "-q"]);
            let err = String::from_utf8_lossy(&o.stderr);
            match o.status.code() {
                Some(0) => {}
                Some(2 | 3) if err.contains("salesctl: error: ") => {}
                other => failures.push(format!("{cmd} {f}: exit {other:?}\n{err}")),
            }
            if err.contains("panicked") {
                failures.push(format!("{cmd} {f}: panic\n{err}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
