//! Issue 25: the layers run one way, checked on the code itself. Each file of src/ belongs to
//! the layer of its top module; every `crate::...` path in it (use trees and paths in code,
//! `#[cfg(test)]` modules left out: tests may reach up) must name its own layer or one below.
//! docs/architecture.md draws the same picture.

use std::collections::BTreeSet;
use std::path::Path;

use syn::visit::Visit;

/// The layers, bottom first. A module may use its own layer's other modules only in the base
/// layer; load and metrics are siblings that never use each other.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "base",
        &[
            "text", "model", "error", "exit", "panics", "timing", "meta", "warn", "flags", "period",
        ],
    ),
    ("io", &["io"]),
    ("columns", &["columns"]),
    ("load", &["load"]),
    ("metrics", &["metrics"]),
    ("output", &["output"]),
    ("cli", &["cli"]),
    ("analysis", &["analysis"]),
    ("cmd", &["cmd"]),
    ("docs", &["docs"]),
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

/// May a file of `from` name `to`?
fn allowed(from: &str, to: &str) -> bool {
    if from == to {
        return true;
    }
    let (Some(a), Some(b)) = (rank(from), rank(to)) else {
        return true; // the crate root's own items (tr!, Error re-exports)
    };
    // Metrics are pure: no I/O layer, no run-wide diagnostics.
    if from == "metrics" && matches!(to, "io" | "warn" | "meta") {
        return false;
    }
    // load and metrics are siblings: metrics take columns, never a file or a loader.
    if matches!((from, to), ("load", "metrics") | ("metrics", "load")) {
        return false;
    }
    a == 0 && b == 0 || b < a
}

#[derive(Default)]
struct Paths {
    /// Top modules named through `crate::`.
    found: BTreeSet<String>,
    /// The file's own module path (`["cmd", "forecast"]` for src/cmd/forecast/series.rs).
    here: Vec<String>,
    /// Second-level modules named, `super::` chains resolved (`cmd::forecast`).
    second: BTreeSet<String>,
}

impl Paths {
    fn add(&mut self, segs: &[String]) {
        let mut abs: Vec<String> = Vec::new();
        let rest: &[String];
        if segs.first().map(String::as_str) == Some("crate") {
            rest = &segs[1..];
        } else if segs.first().map(String::as_str) == Some("super") {
            let ups = segs.iter().take_while(|s| *s == "super").count();
            if ups > self.here.len() {
                return;
            }
            abs.extend(self.here[..self.here.len() - ups].iter().cloned());
            rest = &segs[ups..];
        } else {
            return;
        }
        abs.extend(rest.iter().cloned());
        if let Some(m) = abs.first() {
            if segs[0] == "crate" {
                self.found.insert(m.clone());
            }
        }
        if abs.len() >= 2 {
            self.second.insert(format!("{}::{}", abs[0], abs[1]));
        }
    }
}

fn tree(t: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Paths) {
    match t {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            tree(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            prefix.push(n.ident.to_string());
            out.add(prefix);
            prefix.pop();
        }
        syn::UseTree::Rename(r) => {
            prefix.push(r.ident.to_string());
            out.add(prefix);
            prefix.pop();
        }
        syn::UseTree::Glob(_) => out.add(&[prefix.clone(), vec!["*".into()]].concat()),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                tree(t, prefix, out);
            }
        }
    }
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        tree(&u.tree, &mut Vec::new(), self);
    }
    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.add(&segs);
        syn::visit::visit_path(self, p);
    }
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !is_test(&f.attrs) {
            syn::visit::visit_item_fn(self, f);
        }
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // Paths inside macro calls (format!, tr!...): parsed as tokens, `crate :: x` pairs.
        let toks: Vec<String> = m
            .tokens
            .clone()
            .into_iter()
            .map(|t| t.to_string())
            .collect();
        for w in toks.windows(4) {
            if w[0] == "crate" && w[1] == ":" && w[2] == ":" {
                self.found.insert(w[3].clone());
            }
        }
        syn::visit::visit_macro(self, m);
    }
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") && !crate::workdir::is_test_file(&p) {
            out.push(p);
        }
    }
}

/// Every (file, module it names) that breaks the layering.
pub fn violations(src: &Path) -> Vec<String> {
    let mut all = Vec::new();
    files(src, &mut all);
    all.sort();
    let mut bad = Vec::new();
    for f in all {
        let rel = f.strip_prefix(src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if matches!(top.as_str(), "lib" | "main") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let mut here: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        if here.last().is_some_and(|l| l == "mod") {
            here.pop();
        }
        // `here` is the file's module path; its `super` is one up (mod.rs: the folder's parent).
        let mut v = Paths {
            here,
            ..Paths::default()
        };
        v.visit_file(&file);
        for m in &v.found {
            if !allowed(&top, m) {
                bad.push(format!("{}: {top} uses crate::{m}", rel.display()));
            }
        }
        // A command never names another command: what two share lives in the analysis layer.
        if top == "cmd" {
            let own = rel.components().nth(1).map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            });
            for m in &v.second {
                let Some(other) = m.strip_prefix("cmd::") else {
                    continue;
                };
                if Some(other) != own.as_deref() {
                    bad.push(format!(
                        "{}: cmd::{} uses {m}",
                        rel.display(),
                        own.clone().unwrap_or_default()
                    ));
                }
            }
        }
    }
    bad
}

/// Imports still to remove (docs/architecture.md, "Where the redesign stands"). The list must
/// match exactly, so it can only shrink: a new one fails, and a removed one must leave it.
const STILL_TO_FIX: &[&str] = &[];

#[test]
fn layers_run_one_way() {
    let roots = crate::workdir::source_roots();
    let bad: BTreeSet<String> = roots.iter().flat_map(|r| violations(r)).collect();
    let known: BTreeSet<String> = STILL_TO_FIX.iter().map(|s| s.to_string()).collect();
    let new: Vec<&String> = bad.difference(&known).collect();
    let gone: Vec<&String> = known.difference(&bad).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "imports against the layering (docs/architecture.md):\n{}\nfixed, take them out of STILL_TO_FIX: {gone:?}",
        new.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Every top module has a layer.
    for e in roots
        .iter()
        .flat_map(|r| std::fs::read_dir(r).unwrap().flatten())
    {
        let name = e
            .file_name()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if !matches!(name.as_str(), "lib" | "main")
            && e.path().extension().is_none_or(|x| x == "rs")
        {
            assert!(
                rank(&name).is_some(),
                "src/{name} has no layer in tests/cli/layers.rs"
            );
        }
    }
}

#[test]
fn a_wrong_import_is_caught() {
    // metrics naming the output layer, load naming metrics, cli naming cmd: each refused.
    assert!(!allowed("metrics", "output"));
    assert!(!allowed("load", "metrics"));
    assert!(!allowed("metrics", "load"));
    assert!(!allowed("cli", "cmd"));
    assert!(!allowed("cli", "analysis") && !allowed("analysis", "cmd"));
    assert!(!allowed("output", "analysis"));
    assert!(!allowed("io", "load"));
    assert!(!allowed("metrics", "io"));
    assert!(
        allowed("cmd", "metrics") && allowed("load", "columns") && allowed("output", "metrics")
    );
    // And found in code: a file of a copied tree with one bad line.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("metrics")).unwrap();
    std::fs::write(
        dir.path().join("metrics/bad.rs"),
        "use crate::output::Note;\nfn f() { let _ = crate::load::x(); }\n",
    )
    .unwrap();
    let bad = violations(dir.path());
    assert_eq!(
        bad,
        vec![
            "metrics/bad.rs: metrics uses crate::load".to_string(),
            "metrics/bad.rs: metrics uses crate::output".to_string()
        ]
    );
    // A command naming another command (super:: resolved); the analysis layer below is fine.
    std::fs::create_dir_all(dir.path().join("cmd/forecast")).unwrap();
    std::fs::write(
        dir.path().join("cmd/funnel.rs"),
        "use super::scorecard::Line;\nuse crate::analysis::funnel::build;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("cmd/forecast/series.rs"),
        "use super::Opts;\nuse super::super::cltv::y;\n",
    )
    .unwrap();
    let bad = violations(dir.path());
    assert!(
        bad.contains(&"cmd/funnel.rs: cmd::funnel uses cmd::scorecard".to_string()),
        "{bad:?}"
    );
    assert!(
        bad.contains(&"cmd/forecast/series.rs: cmd::forecast uses cmd::cltv".to_string()),
        "{bad:?}"
    );
    assert_eq!(
        bad.iter().filter(|b| b.starts_with("cmd/")).count(),
        2,
        "{bad:?}"
    );
}

/// (lines, file under src/, name) of every function outside `#[cfg(test)]` modules, from the
/// rustfmt layout: a `fn` line, its body's `{`, and the `}` at the same indentation.
fn functions(src: &Path) -> Vec<(usize, String, String)> {
    let mut all = Vec::new();
    files(src, &mut all);
    // `(indent, name)` of a line that starts a function.
    let sig = |l: &str| -> Option<(String, String)> {
        let rest = l.trim_start();
        let indent = l[..l.len() - rest.len()].to_string();
        let mut r = rest;
        for p in [
            "pub(crate) ",
            "pub(super) ",
            "pub ",
            "const ",
            "async ",
            "unsafe ",
        ] {
            r = r.strip_prefix(p).unwrap_or(r);
        }
        let name: String = r
            .strip_prefix("fn ")?
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        (!name.is_empty()).then_some((indent, name))
    };
    // `indent` of a line that opens a module.
    let test_mod = |l: &str| -> Option<String> {
        let rest = l.trim_start();
        let indent = l[..l.len() - rest.len()].to_string();
        let r = rest.strip_prefix("pub(crate) ").unwrap_or(rest);
        (r.starts_with("mod ") && r.ends_with(" {")).then_some(indent)
    };
    let mut out = Vec::new();
    for f in all {
        let rel = f.strip_prefix(src).unwrap().display().to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let close = |from: usize, indent: &str| {
            let end = format!("{indent}}}");
            (from..lines.len()).find(|&k| lines[k] == end)
        };
        let mut i = 0;
        while i < lines.len() {
            if lines[i].trim() == "#[cfg(test)]" {
                if let Some(indent) = lines.get(i + 1).and_then(|l| test_mod(l)) {
                    i = close(i + 2, &indent).unwrap_or(lines.len()) + 1;
                    continue;
                }
            }
            if let Some((indent, name)) = sig(lines[i]) {
                let body = (i..lines.len()).find(|&j| {
                    let l = lines[j].trim_end();
                    l.ends_with('{') || l.ends_with(';')
                });
                if let Some(j) = body.filter(|&j| lines[j].trim_end().ends_with('{')) {
                    if let Some(k) = close(j + 1, &indent) {
                        out.push((k - i + 1, rel.clone(), name));
                    }
                }
            }
            i += 1;
        }
    }
    out
}

/// Issue 25's size limits: cmd/ under 3,000 lines, no file there over 250, each command's `run`
/// at most 60 lines; a function over 120 lines (outside tests) is named, with its reason, in
/// docs/architecture.md's list, and the list names no function that is no longer that long.
#[test]
fn commands_stay_small_and_long_functions_are_listed() {
    let src = crate::workdir::root().join("src");
    let roots = crate::workdir::source_roots();
    let mut cmd_files = Vec::new();
    files(&src.join("cmd"), &mut cmd_files);
    let mut total = 0;
    for f in &cmd_files {
        let n = std::fs::read_to_string(f).unwrap().lines().count();
        assert!(n <= 250, "{}: {n} lines (at most 250)", f.display());
        total += n;
    }
    assert!(total < 3000, "cmd/ is {total} lines (under 3,000)");
    let fns: Vec<(usize, String, String)> = roots.iter().flat_map(|r| functions(r)).collect();
    for (n, file, name) in &fns {
        if file.starts_with("cmd/") && name == "run" {
            assert!(*n <= 60, "{file}: run is {n} lines (at most 60)");
        }
    }
    let long: BTreeSet<String> = fns
        .iter()
        .filter(|(n, _, _)| *n > 120)
        .map(|(_, file, name)| format!("`{file}` `{name}`"))
        .collect();
    let doc = std::fs::read_to_string(crate::workdir::root().join("docs/architecture.md")).unwrap();
    let listed: BTreeSet<String> = doc
        .lines()
        .skip_while(|l| !l.starts_with("## Functions over 120 lines"))
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| {
            let mut cells = l.split(" | ");
            let file = cells.next()?.trim_end_matches('`');
            let name = cells.next()?.trim_matches('`');
            Some(format!("`{file}` `{name}`"))
        })
        .collect();
    let unlisted: Vec<&String> = long.difference(&listed).collect();
    let stale: Vec<&String> = listed.difference(&long).collect();
    assert!(
        unlisted.is_empty() && stale.is_empty(),
        "docs/architecture.md, \"Functions over 120 lines\": add {unlisted:?}, remove {stale:?}"
    );
}

#[test]
fn the_function_scan_measures_what_rustfmt_writes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.rs"),
        "pub(crate) fn f(\n    x: u8,\n) -> u8 {\n    x\n}\n\n#[cfg(test)]\nmod tests {\n    fn g() {}\n}\nimpl A {\n    fn h(&self) {\n        1;\n    }\n}\n",
    )
    .unwrap();
    let mut got = functions(dir.path());
    got.sort();
    assert_eq!(
        got,
        vec![
            (3, "a.rs".to_string(), "h".to_string()),
            (5, "a.rs".to_string(), "f".to_string())
        ]
    );
}

/// The source scans skip a test module in a file of its own only when its parent declares it
/// under `#[cfg(test)]`.
#[test]
fn a_test_file_is_known_by_its_parents_cfg_test() {
    let load = crate::workdir::root().join("crates/load/src/load");
    assert!(crate::workdir::is_test_file(&load.join("pq/tests.rs")));
    assert!(crate::workdir::is_test_file(
        &load.join("normalize/tests.rs")
    ));
    assert!(!crate::workdir::is_test_file(&load.join("pq.rs")));
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir(t.path().join("m")).unwrap();
    std::fs::write(t.path().join("m.rs"), "mod tests;\n").unwrap();
    std::fs::write(t.path().join("m/tests.rs"), "fn f() {}\n").unwrap();
    assert!(!crate::workdir::is_test_file(&t.path().join("m/tests.rs")));
}
