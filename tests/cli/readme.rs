//! README's tour replayed: every `$ salesctl ...` line of the "A short tour" section runs, in
//! order, in one folder where `testdata/` is the shipped one, on a 100 x 40 pseudo-terminal
//! with stderr on the terminal too; what it prints must be the text under it, byte for byte.
//! A line ending in `# exit N` must exit N (else 0). `UPDATE_README=1` rewrites the outputs
//! (then read the diff: the README shows what a user will see).

use crate::workdir::{Workdir, root};

const COLS: u16 = 100;
const ROWS: u16 = 40;

/// A command of the tour: its words, the exit code it must give, and the output under it.
struct Step {
    line: String,
    words: Vec<String>,
    code: i32,
    output: String,
}

/// Split a shell line into words: spaces separate, '...' and "..." quote, no expansions.
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The tour's ```text blocks: (start, end) byte ranges of each block's body, and its steps.
fn tour(readme: &str) -> Vec<Step> {
    let start = readme.find("## A short tour").expect("README has a tour");
    let end = readme[start + 3..]
        .find("\n## ")
        .map_or(readme.len(), |e| start + 3 + e);
    let section = &readme[start..end];
    let mut steps: Vec<Step> = Vec::new();
    let mut in_block = false;
    let mut pending: Option<String> = None;
    for l in section.split_inclusive('\n') {
        let t = l.trim_end_matches('\n');
        if t.starts_with("```") {
            in_block = t == "```text";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(p) = pending.as_mut() {
            p.push_str(t.trim_end_matches('\\'));
            if !t.ends_with('\\') {
                let line = pending.take().unwrap_or_default();
                steps.push(step(line));
            }
            continue;
        }
        if let Some(cmd) = t.strip_prefix("$ ") {
            if cmd.ends_with('\\') {
                pending = Some(cmd.trim_end_matches('\\').to_string());
            } else {
                steps.push(step(cmd.to_string()));
            }
        } else if let Some(s) = steps.last_mut() {
            s.output.push_str(l);
        }
    }
    steps
}

fn step(line: String) -> Step {
    let (cmd, code) = match line.split_once("# exit ") {
        Some((c, n)) => (c.trim().to_string(), n.trim().parse().unwrap_or(0)),
        None => (line.trim().to_string(), 0),
    };
    let words = words(&cmd);
    Step {
        line: line.clone(),
        words,
        code,
        output: String::new(),
    }
}

#[test]
fn readme_tour_replays_byte_for_byte() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let steps = tour(&readme);
    assert!(steps.len() >= 14, "{} steps", steps.len());
    let w = Workdir::new();
    std::os::unix::fs::symlink(root().join("testdata"), w.path("testdata")).unwrap();
    let mut got: Vec<String> = Vec::new();
    for s in &steps {
        assert_eq!(s.words[0], "salesctl", "{}", s.line);
        let args: Vec<&str> = s.words[1..].iter().map(String::as_str).collect();
        let r = crate::pty::run_with(&w, &args, COLS, ROWS, true);
        assert_eq!(r.code, Some(s.code), "{}\n{}", s.line, r.screen);
        assert!(!r.screen.contains("panicked"), "{}", r.screen);
        // What stays on the screen (a progress bar drawn and cleared leaves nothing).
        got.push(crate::pty::settle(&r.screen));
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let mut out = String::new();
        let mut rest = readme.as_str();
        for (s, g) in steps.iter().zip(&got) {
            // Replace the text after this step's command line with the run's output.
            let head = format!("$ {}", s.line.lines().next().unwrap_or(""));
            let at = rest.find(&head).expect("command in README");
            let after_cmd = rest[at..]
                .find('\n')
                .map(|i| at + i + 1)
                .unwrap_or(rest.len());
            // The command may continue over lines ending in a backslash.
            let mut cmd_end = after_cmd;
            while rest[..cmd_end].trim_end_matches('\n').ends_with('\\') {
                cmd_end = rest[cmd_end..]
                    .find('\n')
                    .map_or(rest.len(), |i| cmd_end + i + 1);
            }
            let old_end = cmd_end + s.output.len();
            out.push_str(&rest[..cmd_end]);
            out.push_str(g);
            rest = &rest[old_end..];
        }
        out.push_str(rest);
        std::fs::write(&path, out).unwrap();
        return;
    }
    for (s, g) in steps.iter().zip(&got) {
        assert_eq!(
            g, &s.output,
            "README's output under `$ {}` is not what it prints (UPDATE_README=1 rewrites it)",
            s.line
        );
    }
}
