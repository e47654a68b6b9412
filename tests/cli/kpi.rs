//! Issue 25: one KPI registry. Every KPI id is a constant of `crates/base/src/model/kpi.rs`; no
//! other source file writes one as a string literal (outside its test module, inline or in a
//! `tests.rs` of its own). A word that is also a status,
//! a table or a column of another kind ("won", "deals", "rows"...) and means that there carries a
//! `// not a KPI: why` mark; a literal a macro needs carries `// kpi-literal: why`.

use std::path::Path;

/// The ids the registry declares (`pub const NAME: &str = "id";`).
fn registry_ids(src: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(src.join("model/kpi.rs")).unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("pub const "))
        .filter_map(|l| l.split_once(": &str = \""))
        .map(|(_, rest)| rest.trim_end_matches("\";").to_string())
        .collect()
}

/// `file:line: text` of every KPI id literal outside the registry and test modules.
fn literals(src: &Path, ids: &[String]) -> Vec<String> {
    let mut files = Vec::new();
    walk(src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for f in files {
        let rel = f.strip_prefix(src).unwrap().display().to_string();
        if rel == "model/kpi.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // The test module is the file's tail from its `#[cfg(test)]` + `mod`.
        let end = (0..lines.len())
            .find(|&i| {
                lines[i].trim() == "#[cfg(test)]"
                    && lines.get(i + 1).is_some_and(|l| {
                        let l = l.trim_start();
                        l.starts_with("mod ") || l.starts_with("pub(crate) mod ")
                    })
            })
            .unwrap_or(lines.len());
        for (i, l) in lines[..end].iter().enumerate() {
            if l.contains("// not a KPI:") || l.contains("// kpi-literal:") {
                continue;
            }
            if ids.iter().any(|id| l.contains(&format!("\"{id}\""))) {
                found.push(format!("{rel}:{}: {}", i + 1, l.trim()));
            }
        }
    }
    found
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") && !crate::workdir::is_test_file(&p) {
            out.push(p);
        }
    }
}

#[test]
fn kpi_ids_are_written_only_in_the_registry() {
    let roots = crate::workdir::source_roots();
    let base = roots
        .iter()
        .find(|r| r.join("model/kpi.rs").is_file())
        .expect("the registry, model/kpi.rs, in a source folder");
    let ids = registry_ids(base);
    assert!(ids.len() >= 30, "registry ids read: {ids:?}");
    for id in [
        "win_rate",
        "won_amount",
        "step_conversion",
        "pipeline_coverage",
    ] {
        assert!(ids.iter().any(|i| i == id), "{id} in the registry");
    }
    let found: Vec<String> = roots.iter().flat_map(|r| literals(r, &ids)).collect();
    assert!(
        found.is_empty(),
        "KPI ids written as literals (use crate::model::kpi::NAME):\n{}",
        found.join("\n")
    );
}

#[test]
fn a_kpi_literal_is_found_and_a_marked_word_is_not() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("model")).unwrap();
    std::fs::write(
        dir.path().join("model/kpi.rs"),
        "pub const WIN_RATE: &str = \"win_rate\";\npub const WON: &str = \"won\";\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.rs"),
        "fn f() -> &'static str {\n    \"win_rate\"\n}\nconst S: &str = \"won\"; // not a KPI: a status word\n\n#[cfg(test)]\nmod tests {\n    const T: &str = \"won\";\n}\n",
    )
    .unwrap();
    let ids = registry_ids(dir.path());
    assert_eq!(ids, vec!["win_rate".to_string(), "won".to_string()]);
    assert_eq!(
        literals(dir.path(), &ids),
        vec!["a.rs:2: \"win_rate\"".to_string()]
    );
}
