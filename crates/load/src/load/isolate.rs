//! Workbooks are parsed in a child process under a memory and CPU cap.
//!
//! The workbook library allocates from what a file declares (a sheet's dimensions, a record's
//! length); a 3 KB damaged file can ask for 100 GB, and an allocation failure aborts the process
//! (it cannot be caught). So the salesctl binary hands the bytes to a copy of itself
//! (`salesctl __read-workbook`) with `RLIMIT_AS` and `RLIMIT_CPU` set; a child that dies or
//! runs out is exit 3 naming the limit and the flag that raises it. The grid comes back over a
//! pipe in a length-prefixed form. Library users (and unit tests) parse in-process.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Set by the binary's `main`: parse workbooks in a child process.
pub static ISOLATE: AtomicBool = AtomicBool::new(false);

/// The child's argv[1].
pub const CHILD_ARG: &str = "__read-workbook";

/// Default cap on the child's address space, MiB (`--max-workbook-memory`).
pub(crate) const DEFAULT_MEMORY_MIB: u64 = 4096;
/// Cap on the child's CPU time, seconds.
pub(crate) const CPU_SECONDS: u64 = 300;

static MEMORY_MIB: AtomicU64 = AtomicU64::new(DEFAULT_MEMORY_MIB);

/// Set the memory cap from `--max-workbook-memory` (0, a defaulted value: the default).
pub(crate) fn set_memory_mib(m: u64) {
    let m = if m == 0 {
        DEFAULT_MEMORY_MIB
    } else {
        m.max(64)
    };
    MEMORY_MIB.store(m, Ordering::Relaxed);
}

/// The memory cap in force, MiB.
pub(crate) fn memory_mib() -> u64 {
    MEMORY_MIB.load(Ordering::Relaxed)
}

pub(crate) use super::workbook::Grid;

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_le_bytes());
}

/// The grid as bytes: sheet name, then per row its number, cell count and cells, each text
/// length-prefixed.
pub(crate) fn encode(sheet: &str, rows: &Grid) -> Vec<u8> {
    let mut out = Vec::new();
    put_u64(&mut out, sheet.len() as u64);
    out.extend_from_slice(sheet.as_bytes());
    put_u64(&mut out, rows.len() as u64);
    for (n, cells) in rows {
        put_u64(&mut out, *n as u64);
        put_u64(&mut out, cells.len() as u64);
        for c in cells {
            put_u64(&mut out, c.len() as u64);
            out.extend_from_slice(c.as_bytes());
        }
    }
    out
}

struct Cur<'a> {
    b: &'a [u8],
    at: usize,
}

impl Cur<'_> {
    fn u64(&mut self) -> Option<u64> {
        let s = self.b.get(self.at..self.at + 8)?;
        self.at += 8;
        Some(u64::from_le_bytes(s.try_into().ok()?))
    }
    fn text(&mut self) -> Option<String> {
        let n = usize::try_from(self.u64()?).ok()?;
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        String::from_utf8(s.to_vec()).ok()
    }
}

/// Read [`encode`]'s bytes back (None when they are cut short or malformed).
pub(crate) fn decode(b: &[u8]) -> Option<(String, Grid)> {
    let mut c = Cur { b, at: 0 };
    let sheet = c.text()?;
    let rows = c.u64()? as usize;
    // Every row takes at least 16 bytes: never reserve more than the bytes can hold.
    let mut grid = Vec::with_capacity(rows.min(b.len() / 16));
    for _ in 0..rows {
        let n = c.u64()? as usize;
        let k = c.u64()? as usize;
        let mut cells = Vec::with_capacity(k.min(b.len() / 8));
        for _ in 0..k {
            cells.push(c.text()?);
        }
        grid.push((n, cells));
    }
    (c.at == b.len()).then_some((sheet, grid))
}

/// The child: workbook bytes on stdin, `[ok byte][payload]` on stdout (ok = 1: the grid; 0: an
/// error message: its English length-prefixed, then its Chinese).
pub fn child_main(sheet: Option<&str>, display: &str) -> std::process::ExitCode {
    let mut bytes = Vec::new();
    if std::io::stdin().read_to_end(&mut bytes).is_err() {
        return std::process::ExitCode::from(1);
    }
    let mut out = Vec::new();
    match super::read::read_workbook_here(bytes, sheet, display) {
        Ok((name, grid)) => {
            out.push(1);
            out.extend(encode(&name, &grid));
        }
        Err(e) => {
            out.push(0);
            let en = e.to_string();
            put_u64(&mut out, en.len() as u64);
            out.extend_from_slice(en.as_bytes());
            out.extend_from_slice(e.text(crate::text::Lang::ZhCn).as_bytes());
        }
    }
    let mut so = std::io::stdout().lock();
    if so.write_all(&out).and_then(|_| so.flush()).is_err() {
        return std::process::ExitCode::from(1);
    }
    std::process::ExitCode::SUCCESS
}

/// How a child run ended, when it did not give a grid.
pub(crate) enum Failed {
    /// It reported an error of its own (the message).
    Message(crate::text::Text),
    /// It died: over the memory or CPU cap, or killed (what the parent saw).
    Died(crate::text::Text),
}

/// Parse `bytes` in a child process under the caps. `Ok(None)`: isolation is off or the child
/// could not be started (the caller parses in-process).
pub(crate) fn read_in_child(
    bytes: &[u8],
    sheet: Option<&str>,
    display: &str,
) -> Result<Option<(String, Grid)>, Failed> {
    if !ISOLATE.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let Ok(exe) = std::env::current_exe() else {
        return Ok(None);
    };
    let mem = MEMORY_MIB.load(Ordering::Relaxed);
    let mut cmd = std::process::Command::new(exe);
    cmd.arg(CHILD_ARG).arg(display);
    if let Some(s) = sheet {
        cmd.arg(s);
    }
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        // mimalloc reserves address space ahead of use: keep its arenas small under the cap.
        .env("MIMALLOC_ARENA_EAGER_COMMIT", "0")
        .env("RUST_BACKTRACE", "0");
    {
        use std::os::unix::process::CommandExt;
        let bytes_cap = mem.saturating_mul(1 << 20);
        // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                let as_lim = libc::rlimit {
                    rlim_cur: bytes_cap as libc::rlim_t,
                    rlim_max: bytes_cap as libc::rlim_t,
                };
                let cpu = libc::rlimit {
                    rlim_cur: CPU_SECONDS as libc::rlim_t,
                    rlim_max: CPU_SECONDS as libc::rlim_t + 5,
                };
                libc::setrlimit(libc::RLIMIT_AS, &as_lim);
                libc::setrlimit(libc::RLIMIT_CPU, &cpu);
                Ok(())
            });
        }
    }
    let Ok(mut child) = cmd.spawn() else {
        return Ok(None);
    };
    let mut stdin = child.stdin.take();
    let out = std::thread::scope(|s| {
        s.spawn(move || {
            if let Some(mut i) = stdin.take() {
                let _ = i.write_all(bytes);
            }
        });
        child.wait_with_output()
    });
    let out = match out {
        Ok(o) => o,
        // untranslated: the operating system's own message (waiting for the child failed)
        Err(e) => return Err(Failed::Died(crate::text::Text::from(e.to_string()))),
    };
    if out.status.success() {
        match out.stdout.split_first() {
            Some((1, rest)) => {
                if let Some(g) = decode(rest) {
                    return Ok(Some(g));
                }
            }
            Some((0, msg)) => {
                return Err(Failed::Message(message(msg)));
            }
            _ => {}
        }
        return Err(Failed::Died(crate::tr!(
            "its result was cut short",
            "读取结果被截断"
        )));
    }
    use std::os::unix::process::ExitStatusExt;
    let why = match out.status.signal() {
        Some(libc::SIGXCPU) | Some(libc::SIGKILL) => crate::tr!(
            "reading it took over {CPU_SECONDS} s of CPU",
            "读取耗用了超过 {CPU_SECONDS} 秒的 CPU 时间"
        ),
        _ => crate::tr!(
            "reading it needs more than {mem} MiB of memory (the workbook declares a size it does not hold, \
             or is very large); raise the limit with --max-workbook-memory MIB",
            "读取需要超过 {mem} MiB 内存（工作簿声明了它实际并不包含的大小，或者文件非常大）；\
             请用 --max-workbook-memory MIB 提高上限"
        ),
    };
    Err(Failed::Died(why))
}

/// The child's error message: English (length-prefixed) then Chinese, as [`child_main`] writes it.
fn message(msg: &[u8]) -> crate::text::Text {
    let mut c = Cur { b: msg, at: 0 };
    match c.text() {
        Some(en) => {
            let zh = String::from_utf8_lossy(&msg[c.at..]).to_string();
            crate::text::Text::new(en, zh)
        }
        // untranslated: a message cut short or malformed, passed on as the child wrote it
        None => crate::text::Text::from(String::from_utf8_lossy(msg).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_round_trips_and_cut_bytes_fail() {
        let g: Grid = vec![
            (1, vec!["a".into(), "".into(), "王芳\u{1f}x".into()]),
            (3, vec![]),
        ];
        let b = encode("Sheet 1", &g);
        assert_eq!(decode(&b), Some(("Sheet 1".to_string(), g)));
        for cut in [0, 7, 8, b.len() - 1] {
            assert_eq!(decode(&b[..cut]), None, "cut at {cut}");
        }
        // A declared count far beyond the bytes never reserves that much.
        let mut huge = Vec::new();
        put_u64(&mut huge, 0);
        put_u64(&mut huge, u64::MAX / 2);
        assert_eq!(decode(&huge), None);
    }

    #[test]
    fn child_messages_carry_both_languages() {
        let mut b = Vec::new();
        put_u64(&mut b, 2);
        b.extend_from_slice(b"ab");
        b.extend_from_slice("中文".as_bytes());
        let t = message(&b);
        assert_eq!(t.en, "ab");
        assert_eq!(t.zh.as_deref(), Some("中文"));
        assert_eq!(message(b"plain").en, "plain");
    }
}
