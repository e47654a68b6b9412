//! The io layer, below load and output: what salesctl may write, and how: outputs never land on an input, never replace a device,
//! FIFO or symlink, and temporary files never outlive the run that made them.
//!
//! - Every file the loader opens is noted here ([`note_input`]); every output goes through
//!   [`check_output`] first, so `-o`, `--rejects` and `--chart` naming an input (the same path,
//!   a symlink to it, a hard link: compared by device and inode) is a usage error (exit 2).
//! - [`write_atomic`] writes a regular file through a temporary name in the same folder and a
//!   rename; onto a device or FIFO it writes through; through a symlink it replaces the link's
//!   target, never the link.
//! - Temporary paths are registered while they exist: SIGINT/SIGTERM removes them before the
//!   process ends, and [`sweep_stale`] removes those a killed run left (its process gone and
//!   the file over an hour old), so two runs at once never remove each other's.

use std::collections::HashSet;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};

#[derive(Default)]
struct Inputs {
    /// (device, inode) of every input file.
    ids: HashSet<(u64, u64)>,
    /// Canonical paths of input files and input directories (ingested DIRs).
    paths: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

static INPUTS: Mutex<Option<Inputs>> = Mutex::new(None);
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn with_inputs<T>(f: impl FnOnce(&mut Inputs) -> T) -> T {
    let mut g = INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    f(g.get_or_insert_with(Inputs::default))
}

/// Record `path` as something this run reads (a file, or an ingested DIR).
pub fn note_input(path: &Path) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let canon = path.canonicalize().ok();
    with_inputs(|i| {
        if meta.is_dir() {
            if let Some(c) = canon {
                i.dirs.push(c);
            }
        } else {
            i.ids.insert((meta.dev(), meta.ino()));
            if let Some(c) = canon {
                i.paths.push(c);
            }
        }
    });
}

/// Is `path` (existing or not) one of this run's inputs?
pub(crate) fn is_input(path: &Path) -> bool {
    let meta = std::fs::metadata(path).ok();
    let canon = canonical_target(path);
    with_inputs(|i| {
        meta.as_ref()
            .is_some_and(|m| !m.is_dir() && i.ids.contains(&(m.dev(), m.ino())))
            || canon.as_ref().is_some_and(|c| i.paths.contains(c))
    })
}

/// The input files and DIRs found at or under `dir`.
pub fn inputs_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(d) = dir.canonicalize() else {
        return Vec::new();
    };
    with_inputs(|i| {
        i.paths
            .iter()
            .chain(i.dirs.iter())
            .filter(|p| p.starts_with(&d))
            .cloned()
            .collect()
    })
}

/// The canonical path `path` names: resolved through symlinks, or for a path that does not
/// exist yet, its folder's canonical path joined with its name.
fn canonical_target(path: &Path) -> Option<PathBuf> {
    if let Ok(c) = path.canonicalize() {
        return Some(c);
    }
    let name = path.file_name()?;
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(parent.canonicalize().ok()?.join(name))
}

/// Refuse (exit 2) an output `path` given with `flag` that is one of this run's inputs.
pub fn check_output(path: &Path, flag: &str) -> Result<()> {
    if is_input(path) {
        let p = path.display();
        // `output` (write_atomic's own check) is a word, not a flag.
        let flag_zh = if flag == "output" { "输出" } else { flag };
        return Err(Error::usage(crate::text::Text::new(
            format!(
                "{flag} {p}: that file is an input of this command; salesctl never writes over its inputs: choose another path"
            ),
            format!(
                "{flag_zh} {p}：该文件是本命令的输入；salesctl 从不覆盖自己的输入：请选择其他路径"
            ),
        )));
    }
    Ok(())
}

/// Where a write to `path` really goes.
enum Target {
    /// A regular file (or nothing yet) at this path: write a temporary file and rename.
    Replace(PathBuf),
    /// A device, FIFO or socket: open and write through.
    Through(PathBuf),
}

fn target(path: &Path) -> Result<Target> {
    let mut p = path.to_path_buf();
    // Follow symlinks ourselves, so the rename replaces the link's target, not the link.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p).map_err(|e| Error::io(&p, e))?;
                p = if link.is_absolute() {
                    link
                } else {
                    p.parent().unwrap_or(Path::new(".")).join(link)
                };
            }
            Ok(m) if m.is_dir() => {
                let p = path.display();
                return Err(Error::usage(crate::tr!(
                    "{p}: is a directory; give a file name",
                    "{p}：是一个目录；请给出文件名"
                )));
            }
            Ok(m) => {
                let t = m.file_type();
                return Ok(
                    if t.is_char_device() || t.is_block_device() || t.is_fifo() || t.is_socket() {
                        Target::Through(p)
                    } else {
                        Target::Replace(p)
                    },
                );
            }
            Err(_) => return Ok(Target::Replace(p)),
        }
    }
    let p = path.display();
    Err(Error::usage(crate::tr!(
        "{p}: too many levels of symbolic links",
        "{p}：符号链接层级过多"
    )))
}

/// Write to `path` as one step: the reader of `path` sees the old file or the new, never part.
/// Refuses a path that is an input of this run.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<()> {
    check_output(path, "output")?;
    match target(path)? {
        Target::Through(p) => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&p)
                .map_err(|e| Error::io(path, e))?;
            write(&mut f)
                .and_then(|_| f.flush())
                .map_err(|e| Error::io(path, e))
        }
        Target::Replace(p) => {
            let tmp = temp_name(&p);
            // Created under the signal thread's lock: a signal cannot fall between the
            // creation and the registration.
            let (file, guard) = TempGuard::create(|| File::create(&tmp).map(|f| (f, tmp.clone())))
                .map_err(|e| Error::io(path, e))?;
            let mode = std::fs::metadata(&p).ok().map(|m| m.permissions());
            let res = Ok(file).and_then(|mut f: File| {
                write(&mut f)?;
                f.flush()?;
                f.sync_all()?;
                if let Some(perm) = mode {
                    f.set_permissions(perm)?;
                }
                Ok(())
            });
            if let Err(e) = res {
                return Err(Error::io(path, e));
            }
            std::fs::rename(&tmp, &p).map_err(|e| Error::io(path, e))?;
            guard.disarm();
            Ok(())
        }
    }
}

/// `.NAME.tmp-PID` beside `path`: the pid lets a later run tell a dead run's leftovers.
pub(crate) fn temp_name(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    dir.join(format!(".{name}.tmp-{}", std::process::id()))
}

/// A temporary file or directory removed when dropped (every error path), and on SIGINT or
/// SIGTERM, unless disarmed once it has been renamed into place.
pub struct TempGuard {
    path: Option<PathBuf>,
}

impl TempGuard {
    /// Create a temporary path whose name is only known once made (a `tempfile` directory) and
    /// register it in one step: the signal handler waits on the same lock, so a SIGTERM between
    /// the creation and the registration cannot leave it behind.
    pub fn create<T>(
        make: impl FnOnce() -> std::io::Result<(T, PathBuf)>,
    ) -> std::io::Result<(T, TempGuard)> {
        install_signal_cleanup();
        let mut temps = TEMPS.lock().unwrap_or_else(|e| e.into_inner());
        let (v, p) = make()?;
        temps.push(p.clone());
        Ok((v, TempGuard { path: Some(p) }))
    }

    /// The path is in place (renamed): nothing to remove.
    pub fn disarm(mut self) {
        if let Some(p) = self.path.take() {
            unregister(&p);
        }
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            remove_any(&p);
            unregister(&p);
        }
    }
}

/// `create_dir_all` under the signal thread's lock. After a SIGINT/SIGTERM that thread holds
/// the lock until the process ends, so a folder it has just removed (a scratch directory, say)
/// cannot be made again by a thread that was about to write into it.
pub fn create_dir_all(p: &Path) -> std::io::Result<()> {
    let _temps = TEMPS.lock().unwrap_or_else(|e| e.into_inner());
    std::fs::create_dir_all(p)
}

fn unregister(p: &Path) {
    let mut t = TEMPS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = t.iter().position(|x| x == p) {
        t.swap_remove(i);
    }
}

fn remove_any(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(p);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(p);
        }
        Err(_) => {}
    }
}

/// On SIGINT/SIGTERM: remove every registered temporary path, then end as the shell expects
/// (128 + signal).
fn install_signal_cleanup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("salesctl-signals".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    // The lock is held until the process ends: no temporary path can be
                    // created and registered after this look at them.
                    let temps = TEMPS.lock().unwrap_or_else(|e| e.into_inner());
                    // Other threads go on writing until the exit: a folder that gained an
                    // entry while it was being removed is removed again (a few times).
                    for _ in 0..20 {
                        for p in temps.iter() {
                            remove_any(p);
                        }
                        if temps.iter().all(|p| std::fs::symlink_metadata(p).is_err()) {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    std::process::exit(128 + sig);
                }
            });
    });
}

/// Temporary paths kept for the whole run (stdin spooled to a file), removed by [`release_held`]
/// at the end of the run (and by the signal handler, like every registered path).
static HELD: Mutex<Vec<TempGuard>> = Mutex::new(Vec::new());

/// Keep `g` until the run ends.
pub(crate) fn hold(g: TempGuard) {
    HELD.lock().unwrap_or_else(|e| e.into_inner()).push(g);
}

/// Remove what [`hold`] kept (the end of `main_entry`).
pub fn release_held() {
    let held = std::mem::take(&mut *HELD.lock().unwrap_or_else(|e| e.into_inner()));
    drop(held);
}

/// `-` as an input: standard input, copied (streamed, never held in memory) to a temporary
/// file named `stdin` in a registered temporary folder, so it can be read more than once
/// (sniffing, parallel parts, a second read with every byte deciding the encoding).
pub fn spool_stdin() -> Result<PathBuf> {
    use std::io::IsTerminal;
    let mut done = STDIN_PATH.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = done.as_ref() {
        return Ok(p.clone());
    }
    if std::io::stdin().is_terminal() {
        return Err(Error::usage(crate::tr!(
            "`-` reads an export from standard input, which is a terminal here: pipe a file in (`salesctl show - < deals.csv`)",
            "`-` 从标准输入读取导出文件，而这里的标准输入是终端：请用管道传入文件（`salesctl show - < deals.csv`）"
        )));
    }
    let (dir, guard) = TempGuard::create(|| {
        let d = tempfile::Builder::new()
            .prefix(&temp_dir_prefix("stdin"))
            .tempdir()?
            .keep();
        Ok((d.clone(), d))
    })
    .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let path = dir.join("stdin");
    let mut f = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
    std::io::copy(&mut std::io::stdin().lock(), &mut f).map_err(|e| Error::io("<stdin>", e))?;
    hold(guard);
    *done = Some(path.clone());
    Ok(path)
}

/// How an input is named in messages: `<stdin>` for standard input's spooled copy.
pub fn display_name(path: &Path) -> String {
    let spooled = STDIN_PATH.lock().unwrap_or_else(|e| e.into_inner());
    if spooled.as_deref() == Some(path) {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

static STDIN_PATH: Mutex<Option<PathBuf>> = Mutex::new(None);

/// How old a dead run's temporary file must be before a later run removes it.
pub(crate) const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Remove, in `dir`, temporary files and folders salesctl made (`.NAME.tmp-PID`,
/// `.salesctl-*-PID-*`) whose process is gone and which are over an hour old. Best effort.
pub fn sweep_stale(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(pid) = temp_pid(&name) else { continue };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        let old = e
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if old {
            remove_any(&e.path());
        }
    }
}

/// The pid in a salesctl temporary name, or None for any other name.
pub fn temp_pid(name: &str) -> Option<u32> {
    if !name.starts_with('.') {
        return None;
    }
    if let Some(i) = name.rfind(".tmp-") {
        return name[i + 5..].parse().ok();
    }
    // .salesctl-<kind>-<pid>-<random>
    let rest = name.strip_prefix(".salesctl-")?;
    let mut parts = rest.split('-');
    let _kind = parts.next()?;
    let pid = parts.next()?;
    parts.next()?;
    pid.parse().ok()
}

fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// The name prefix of a temporary directory of `kind` for this process.
pub fn temp_dir_prefix(kind: &str) -> String {
    format!(".salesctl-{kind}-{}-", std::process::id())
}

/// Put `from`'s file at `to`: a hard link where the filesystem allows, else a copy.
pub fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to).map_err(|e| Error::io(from, e))?;
    }
    Ok(())
}

/// Swap two paths in one step where the system can (Linux `renameat2(RENAME_EXCHANGE)`):
/// after it `a` holds what `b` held and `b` what `a` held. Err when unsupported.
#[cfg(target_os = "linux")]
pub(crate) fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: two valid NUL-terminated paths, relative to the working directory.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Put the finished directory `new` at `dest`, replacing what `dest` held in one step where the
/// system allows (an exchange, then the old one removed), else two renames with the old moved
/// aside first and put back if the second fails.
pub fn replace_dir(new: &Path, dest: &Path) -> Result<()> {
    if std::fs::symlink_metadata(dest).is_err() {
        return std::fs::rename(new, dest).map_err(|e| Error::io(dest, e));
    }
    if exchange(new, dest).is_ok() {
        // `new` now holds the old contents.
        remove_any(new);
        return Ok(());
    }
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let old = parent.join(format!("{}old", temp_dir_prefix("replace")));
    std::fs::rename(dest, &old).map_err(|e| Error::io(dest, e))?;
    if let Err(e) = std::fs::rename(new, dest) {
        let _ = std::fs::rename(&old, dest);
        return Err(Error::io(dest, e));
    }
    remove_any(&old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_carry_the_pid() {
        assert_eq!(temp_pid(".deals.parquet.tmp-4242"), Some(4242));
        assert_eq!(temp_pid(".salesctl-report-77-Ab3dE"), Some(77));
        assert_eq!(temp_pid("deals.parquet"), None);
        assert_eq!(temp_pid(".salesctl-report"), None);
        assert_eq!(temp_pid(".hidden.tmp-notapid"), None);
    }

    #[test]
    fn write_through_a_symlink_keeps_the_link() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real.csv");
        std::fs::write(&real, "old").unwrap();
        let link = d.path().join("link.csv");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, |f| f.write_all(b"new")).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn write_to_a_device_writes_through() {
        write_atomic(Path::new("/dev/null"), |f| f.write_all(b"x")).unwrap();
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    #[test]
    fn stale_sweep_spares_live_and_young_files() {
        let d = tempfile::tempdir().unwrap();
        // pid 1 is alive; a very large pid is not.
        let live = d.path().join(".a.csv.tmp-1");
        let dead_young = d.path().join(".b.csv.tmp-4194000");
        let dead_old = d.path().join(".c.csv.tmp-4194001");
        let other = d.path().join("c.csv");
        for p in [&live, &dead_young, &dead_old, &other] {
            std::fs::write(p, "x").unwrap();
        }
        let f = File::options().write(true).open(&dead_old).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(7200))
            .unwrap();
        let f = File::options().write(true).open(&live).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(7200))
            .unwrap();
        sweep_stale(d.path());
        assert!(live.exists());
        assert!(dead_young.exists());
        assert!(!dead_old.exists());
        assert!(other.exists());
    }

    #[test]
    fn exchange_or_fallback_replaces_a_dir() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("out");
        let new = d.path().join("new");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("old.txt"), "1").unwrap();
        std::fs::create_dir(&new).unwrap();
        std::fs::write(new.join("new.txt"), "2").unwrap();
        replace_dir(&new, &dest).unwrap();
        assert!(dest.join("new.txt").exists());
        assert!(!dest.join("old.txt").exists());
        assert!(!new.exists());
    }
}
