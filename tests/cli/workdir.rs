//! Run the real binary in a temporary directory; on failure print the command, stdout and stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Workdir {
    pub dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The source folders of the workspace: the root crate's src/ and each layer crate's
/// (crates/<layer>/src), in that order. Paths under each read alike (`metrics/funnel.rs`).
pub fn source_roots() -> Vec<PathBuf> {
    let mut roots = vec![root().join("src")];
    let mut crates: Vec<PathBuf> = std::fs::read_dir(root().join("crates"))
        .map(|d| d.flatten().map(|e| e.path().join("src")).collect())
        .unwrap_or_default();
    crates.sort();
    roots.extend(crates.into_iter().filter(|p| p.is_dir()));
    roots
}

/// A unit-test module in a file of its own: `NAME.rs`, NAME `tests` or `*_tests`, which its
/// parent module (`mod.rs`, `lib.rs` or the file beside the folder) declares under
/// `#[cfg(test)]`. The source scans read it as they read an inline test module.
pub fn is_test_file(p: &Path) -> bool {
    let Some(stem) = p.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    let Some(dir) = p.parent() else {
        return false;
    };
    (stem == "tests" || stem.ends_with("_tests"))
        && [
            dir.join("mod.rs"),
            dir.join("lib.rs"),
            dir.with_extension("rs"),
        ]
        .iter()
        .any(|c| {
            std::fs::read_to_string(c)
                .is_ok_and(|t| t.contains(&format!("#[cfg(test)]\nmod {stem};")))
        })
}

pub fn testdata(rel: &str) -> PathBuf {
    root().join("testdata").join(rel)
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("tempdir"),
            env: Vec::new(),
        }
    }

    /// Every command run here gets this environment variable.
    pub fn with_env(mut self, k: &str, v: &str) -> Workdir {
        self.env.push((k.into(), v.into()));
        self
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_salesctl"));
        c.current_dir(self.dir.path())
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .env("NO_COLOR", "1");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// Run with args; return the output whatever the status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("spawn salesctl")
    }

    /// Run and require the exit code; returns stdout.
    pub fn expect(&self, args: &[&str], code: i32) -> (String, String) {
        let out = self.run(args);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(code),
            "salesctl {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
            args.join(" ")
        );
        assert!(!stderr.contains("panicked"), "panic: {stderr}");
        (stdout, stderr)
    }

    pub fn write(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(rel);
        std::fs::write(&p, bytes).expect("write");
        p
    }
}

pub fn s(p: &Path) -> String {
    p.display().to_string()
}

/// A command's JSON output with its `meta` object set aside: the one table's array when the
/// result has one table, else the object of tables. Tests of `meta` read the output whole.
pub fn json_value<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    let mut v: serde_json::Value = serde_json::from_str(text)?;
    if let serde_json::Value::Object(m) = &mut v {
        if m.remove("meta").is_some() && m.len() == 1 {
            if let Some((_, t)) = m.iter_mut().next() {
                v = t.take();
            }
        }
    }
    serde_json::from_value(v)
}
