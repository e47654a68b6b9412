//! Golden output of every command the documentation shows (issue 25: the redesign must leave
//! output unchanged). Each `salesctl ...` line of README.md and docs/*.md (fenced blocks and
//! inline code; lines with pipes, redirections or shell expansions are left out) runs in order,
//! one folder per document where `testdata/` and `examples/` are the shipped ones: piped (exit
//! code, stdout, stderr) and on a 100 x 40 pseudo-terminal (what stays on the screen). The
//! record is tests/golden/<document>.txt; `UPDATE_GOLDEN=1` rewrites it (then read the diff).
//! Folder paths and today's date are replaced by `$WORK` and `$TODAY`.

use std::path::Path;

use crate::workdir::{Workdir, root};

/// The command lines of a Markdown text, in order.
fn commands(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut pending: Option<String> = None;
    for line in md.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            if let Some(p) = pending.as_mut() {
                p.push(' ');
                p.push_str(t.trim_end_matches('\\').trim());
                if !t.ends_with('\\') {
                    out.push(pending.take().unwrap_or_default());
                }
                continue;
            }
            let t = t.strip_prefix("$ ").unwrap_or(t);
            if t.starts_with("salesctl ") {
                if t.ends_with('\\') {
                    pending = Some(t.trim_end_matches('\\').trim().to_string());
                } else {
                    out.push(t.to_string());
                }
            }
            continue;
        }
        // Inline code spans.
        let mut rest = line;
        while let Some(a) = rest.find('`') {
            let Some(b) = rest[a + 1..].find('`') else {
                break;
            };
            let span = &rest[a + 1..a + 1 + b];
            if span.starts_with("salesctl ") {
                out.push(span.to_string());
            }
            rest = &rest[a + 2 + b..];
        }
    }
    out.into_iter()
        .map(|c| match c.split_once(" # ") {
            Some((c, _)) => c.trim().to_string(),
            None => c,
        })
        .filter(|c| {
            !c.contains(['|', '>', '<', '$', '*', '&', ';', '…'])
                && !c.contains("...")
                && !c.contains(" FILE")
                && !c.contains(" DIR")
                && !c.contains("[")
                && !c.contains(" __")
                && c.split_whitespace().count() >= 3
        })
        .collect()
}

fn normalise(text: &str, work: &Path) -> String {
    let today = chrono::Local::now().date_naive().to_string();
    text.replace(&work.display().to_string(), "$WORK")
        .replace(&today, "$TODAY")
}

/// The record of one document's commands.
fn record(doc: &Path) -> Option<String> {
    let md = std::fs::read_to_string(doc).ok()?;
    let cmds = commands(&md);
    if cmds.is_empty() {
        return None;
    }
    let w = Workdir::new()
        .with_env("TZ", "UTC")
        .with_env("SALESCTL_NO_SYSTEM_FONTS", "1");
    for d in ["testdata", "examples"] {
        std::os::unix::fs::symlink(root().join(d), w.path(d)).unwrap();
    }
    // Charts the docs draw go to a docs/img of the folder, never the repository's.
    std::fs::create_dir_all(w.path("docs/img")).unwrap();
    let mut out = String::new();
    for c in &cmds {
        let words = crate::readme::words(c);
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let o = w.run(&args);
        let stdout = String::from_utf8_lossy(&o.stdout);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!stderr.contains("panicked"), "{c}: {stderr}");
        out.push_str(&format!(
            "$ {c}\n[exit {}]\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n",
            o.status.code().unwrap_or(-1)
        ));
        // The same on a terminal, for the commands that print (not those that write files:
        // they would write them twice).
        if !words
            .iter()
            .any(|x| x == "-o" || x == "--output" || x == "ingest")
        {
            let r = crate::pty::run_with(&w, &args, 100, 40, true);
            out.push_str(&format!(
                "--- pty 100x40\n{}\n",
                crate::pty::settle(&r.screen)
            ));
        }
    }
    Some(normalise(&out, w.dir.path()))
}

#[test]
fn documented_commands_print_what_they_printed() {
    let mut docs = vec![root().join("README.md")];
    let mut more: Vec<_> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    more.sort();
    docs.extend(more);
    let dir = root().join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut changed = Vec::new();
    let mut seen = 0;
    for doc in &docs {
        let Some(got) = record(doc) else { continue };
        seen += 1;
        let name = doc.file_stem().unwrap().to_string_lossy().to_string();
        let path = dir.join(format!("{name}.txt"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &got).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(got.as_str()) {
            changed.push(name);
        }
    }
    assert!(seen >= 5, "{seen} documents with commands");
    assert!(
        changed.is_empty(),
        "output changed for the commands of {changed:?} (tests/golden; UPDATE_GOLDEN=1 rewrites, then read the diff)"
    );
}
