//! Issue 27 item 5: every message the tool writes is translated. Two checks: no untranslated
//! message constructor is left in src/ (each exception says why on the line above), and real
//! runs under `LANG=zh_CN.UTF-8` or `--lang zh-CN` print errors, warnings and loader notes in
//! Chinese (flags, field ids, file names and values stay as typed).

use std::path::Path;

use crate::workdir::{Workdir, s, testdata};

/// Constructors that take text in one language only.
const ONE_LANGUAGE: &[&str] = &[
    "Error::input(format!",
    "Error::usage(format!",
    "Error::input(\"",
    "Error::usage(\"",
    "Note::en(",
    "Note::warning_en(",
    "warn::emit_en(",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") && !crate::workdir::is_test_file(&p) {
            out.push(p);
        }
    }
}

#[test]
fn no_message_is_built_in_one_language() {
    let mut files = Vec::new();
    for r in crate::workdir::source_roots() {
        rust_files(&r, &mut files);
    }
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        // Unit tests may build English-only values.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let lines: Vec<&str> = code.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let joined = format!("{}{}", l.trim(), lines.get(i + 1).map_or("", |n| n.trim()));
            let hit = ONE_LANGUAGE
                .iter()
                .any(|c| l.contains(c) || (l.trim_end().ends_with('(') && joined.contains(c)));
            let excused = i > 0 && lines[i - 1].contains("// untranslated:");
            let definition =
                l.trim_start().starts_with("pub fn") || l.trim_start().starts_with("fn ");
            if hit && !excused && !definition {
                found.push(format!("{}:{}: {}", f.display(), i + 1, l.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "messages in English only:\n{}",
        found.join("\n")
    );
}

/// Words of English prose left in `line` once flags, backticked code, quoted values, paths and
/// ids are set aside: three ASCII words in a row is a sentence left untranslated.
fn english_run(line: &str) -> Option<String> {
    let mut cleaned = String::new();
    let mut in_tick = false;
    let mut in_quote = false;
    for c in line.chars() {
        match c {
            '`' => in_tick = !in_tick,
            '"' => in_quote = !in_quote,
            _ if in_tick || in_quote => {}
            _ => cleaned.push(c),
        }
    }
    // Words of [A-Za-z0-9-_./=%:]; ASCII spaces and punctuation separate words within a
    // run, any other character (Chinese text) ends the run.
    let mut words: Vec<Option<String>> = Vec::new();
    let mut cur = String::new();
    for c in cleaned.chars() {
        if c.is_ascii_alphanumeric() || "-_./=%:".contains(c) {
            cur.push(c);
            continue;
        }
        if !cur.is_empty() {
            words.push(Some(std::mem::take(&mut cur)));
        }
        if !c.is_ascii() {
            words.push(None);
        }
    }
    if !cur.is_empty() {
        words.push(Some(cur));
    }
    let mut run = Vec::new();
    for w in words {
        match w {
            Some(w) => {
                let word = w.trim_matches(|c: char| ".:=".contains(c));
                if word.len() > 1 && word.chars().all(|c| c.is_ascii_alphabetic()) {
                    run.push(word.to_string());
                    if run.len() >= 3 {
                        return Some(run.join(" "));
                    }
                } else {
                    run.clear();
                }
            }
            None => run.clear(),
        }
    }
    None
}

fn han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Every stderr line of a run is Chinese, with no English sentence left in it.
fn all_chinese(err: &str) {
    for line in err.lines().filter(|l| !l.trim().is_empty()) {
        assert!(han(line), "line with no Chinese: {line}\n---\n{err}");
        assert!(
            english_run(line).is_none(),
            "English left ({:?}) in: {line}\n---\n{err}",
            english_run(line)
        );
    }
}

#[test]
fn errors_warnings_and_loader_notes_follow_the_language() {
    let zh = Workdir::new().with_env("LANG", "zh_CN.UTF-8");
    let deals = s(&testdata("handmade/deals.csv"));
    // Usage errors written as free text (exit 2).
    let (_, err) = zh.expect(&["forecast", &deals, "--backtest", "0", "-q"], 2);
    all_chinese(&err);
    let (_, err) = zh.expect(&["check", &deals, "-q"], 2);
    all_chinese(&err);
    // An input error (exit 3): a period after the as-of.
    let (_, err) = zh.expect(&["scorecard", &deals, "--period", "2031-01", "-q"], 3);
    all_chinese(&err);
    // Loader warnings and notes: a title row above the header and a row whose amount cannot be
    // read; --lang zh-CN switches them as LANG does.
    let en = Workdir::new();
    en.write(
        "title.csv",
        "Deals export 2026\nDeal ID,Deal Name,Stage,Amount,Created\nD1,A,Won,100,2026-01-05\nD2,B,Lost,abc,2026-01-06\nD3,C,Won,50,2026-01-07\n"
            .as_bytes(),
    );
    let f = s(&en.path("title.csv"));
    // Refused: one row in three rejected (over the 10% default), its reason translated.
    let (_, err) = en.expect(&["show", &f, "--lang", "zh-CN"], 3);
    all_chinese(&err);
    assert!(err.contains("列 \"Amount\"：不是数字"), "{err}");
    let lenient = ["show", &f, "--max-rejects", "50%"];
    let (_, err) = en.expect(&[&lenient[..], &["--lang", "zh-CN"]].concat(), 0);
    all_chinese(&err);
    let (_, err) = zh.expect(&lenient, 0);
    all_chinese(&err);
    // The same runs in English stay English.
    let (_, err) = en.expect(&lenient, 0);
    assert!(
        !han(&err) && err.contains("input: ") && err.contains("1 rejected"),
        "{err}"
    );
}

#[test]
fn english_run_spots_prose_only() {
    assert_eq!(
        english_run("警告：第 3 行：值 \"abc\" 无法读取，用 --map amount=Amount 指定"),
        None
    );
    assert!(english_run("警告：2 rows rejected here").is_some());
    assert_eq!(english_run("salesctl：错误：`--backtest` 至少为 1"), None);
}
