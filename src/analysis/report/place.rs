//! Where a finished report goes: -o DIR new, replaced as a whole, or (with --force, or the
//! working directory) each file moved in beside the user's own; never over what salesctl did
//! not write. And the folders made for -o, removed again when the report fails.

use std::path::{Path, PathBuf};

use super::SECTIONS;
use crate::error::{Error, Result};

/// The list of files a report wrote, in its DIR.
pub(crate) const REPORT_MANIFEST: &str = "report.json";

/// Is `name` a file an earlier `report` writes (before report.json existed)?
fn is_report_file(name: &str) -> bool {
    matches!(
        name,
        "report.md" | "report.html" | "report.xlsx" | REPORT_MANIFEST
    ) || SECTIONS.iter().any(|s| {
        name == format!("{s}.png") || (name.ends_with(".csv") && name.starts_with(&format!("{s}-")))
    })
}

/// How a finished report goes into -o DIR.
pub(crate) struct Placement {
    /// DIR, resolved through symlinks when it exists.
    pub(crate) real: PathBuf,
    how: Put,
    /// Files an earlier report in DIR wrote (from its report.json, or its fixed names).
    earlier: Vec<String>,
}

enum Put {
    /// DIR does not exist: one rename.
    New,
    /// DIR holds only an earlier report (or nothing): replaced as a whole, in one step.
    Replace,
    /// DIR holds other files (--force), or is the working directory: each file moved in,
    /// and only the earlier report's own files removed.
    Beside,
}

impl Placement {
    pub(crate) fn of(out: &Path, force: bool) -> Result<Placement> {
        let meta = match std::fs::metadata(out) {
            Err(_) => {
                return Ok(Placement {
                    real: out.to_path_buf(),
                    how: Put::New,
                    earlier: Vec::new(),
                });
            }
            Ok(m) => m,
        };
        if !meta.is_dir() {
            return Err(Error::usage(crate::tr!(
                "-o {}: is a file; report writes a directory of files: name a directory",
                "-o {}：是一个文件；report 写出的是一个目录（内含多个文件）：请指定目录",
                out.display()
            )));
        }
        let real = out.canonicalize().map_err(|e| Error::io(out, e))?;
        let under = crate::io::inputs_under(&real);
        if let Some(i) = under.first() {
            return Err(Error::usage(crate::tr!(
                "-o {}: holds an input of this report ({}); a report directory is replaced as a whole: choose another",
                "-o {}：包含本报告的输入文件（{}）；报告目录会被整体替换：请换一个目录",
                out.display(),
                i.display()
            )));
        }
        let listed: Option<Vec<String>> = std::fs::read_to_string(real.join(REPORT_MANIFEST))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| {
                v.get("files")?.as_array().map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
            });
        let mut earlier = Vec::new();
        let mut foreign = Vec::new();
        for e in std::fs::read_dir(&real)
            .map_err(|e| Error::io(out, e))?
            .flatten()
        {
            let name = e.file_name().to_string_lossy().to_string();
            if crate::io::temp_pid(&name).is_some() {
                continue;
            }
            let ours = match &listed {
                Some(l) => l.contains(&name),
                None => is_report_file(&name) && e.file_type().is_ok_and(|t| t.is_file()),
            };
            if ours {
                earlier.push(name);
            } else {
                foreign.push(name);
            }
        }
        if listed.is_none() && !foreign.is_empty() {
            // Without a listing, report-like names beside other files may be the user's own.
            foreign.append(&mut earlier);
        }
        foreign.sort();
        if !foreign.is_empty() && !force {
            let shown: Vec<&str> = foreign.iter().take(3).map(String::as_str).collect();
            let (n, shown, more) = (
                foreign.len(),
                shown.join(", "),
                if foreign.len() > 3 { ", ..." } else { "" },
            );
            return Err(Error::usage(crate::tr!(
                "-o {}: holds {n} file(s) salesctl did not write ({shown}{more}); a report replaces its directory: \
                 choose a new or empty directory, or pass --force to write the report beside them",
                "-o {}：包含 {n} 个不是 salesctl 写出的文件（{shown}{more}）；报告会替换整个目录：\
                 请选择新的或空的目录，或加 --force 把报告写在这些文件旁边",
                out.display()
            )));
        }
        let cwd_inside = std::env::current_dir()
            .ok()
            .and_then(|c| c.canonicalize().ok())
            .is_some_and(|c| c.starts_with(&real));
        let how = if foreign.is_empty() && !cwd_inside {
            Put::Replace
        } else {
            Put::Beside
        };
        Ok(Placement { real, how, earlier })
    }

    /// Put the finished report in `tmp` (its files `files`) into place.
    pub(crate) fn put(&self, tmp: &Path, files: &[String]) -> Result<()> {
        match self.how {
            Put::New => std::fs::rename(tmp, &self.real).map_err(|e| Error::io(&self.real, e)),
            Put::Replace => crate::io::replace_dir(tmp, &self.real),
            Put::Beside => {
                if let Some(f) = files
                    .iter()
                    .find(|f| self.real.join(f).exists() && !self.earlier.contains(f))
                {
                    return Err(Error::usage(crate::tr!(
                        "-o {}: {f} is already there and salesctl did not write it; move it or choose another directory",
                        "-o {}：{f} 已存在且不是 salesctl 写出的；请移走它或换一个目录",
                        self.real.display()
                    )));
                }
                // report.json last: until it lands, the earlier listing still names every file
                // an earlier report wrote.
                for f in files.iter().filter(|f| *f != REPORT_MANIFEST) {
                    let to = self.real.join(f);
                    std::fs::rename(tmp.join(f), &to).map_err(|e| Error::io(&to, e))?;
                }
                for f in self.earlier.iter().filter(|f| !files.contains(f)) {
                    let _ = std::fs::remove_file(self.real.join(f));
                }
                let to = self.real.join(REPORT_MANIFEST);
                std::fs::rename(tmp.join(REPORT_MANIFEST), &to).map_err(|e| Error::io(&to, e))?;
                let _ = std::fs::remove_dir_all(tmp);
                Ok(())
            }
        }
    }
}

/// The folders `create` made, deepest first; each is removed on drop if it is still empty.
pub(crate) struct MadeDirs(Vec<PathBuf>);

impl MadeDirs {
    pub(crate) fn create(dir: &Path) -> Result<MadeDirs> {
        let mut made = Vec::new();
        let mut p = Some(dir);
        while let Some(d) = p.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
            made.push(d.to_path_buf());
            p = d.parent();
        }
        crate::io::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        Ok(MadeDirs(made))
    }
}

impl Drop for MadeDirs {
    fn drop(&mut self) {
        for d in &self.0 {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
        }
    }
}
