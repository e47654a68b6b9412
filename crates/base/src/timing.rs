//! Phase timings for profiling: with `SALESCTL_TIMINGS=1` in the environment each span prints
//! `timing: NAME MS ms` to stderr when it ends. Costs one environment lookup per span otherwise.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("SALESCTL_TIMINGS").is_some_and(|v| v != "0"))
}

/// A timed phase; prints on drop when timings are on.
pub struct Span {
    name: &'static str,
    start: Instant,
}

/// Start timing a phase (None when `SALESCTL_TIMINGS` is unset).
#[must_use]
pub fn span(name: &'static str) -> Option<Span> {
    enabled().then(|| Span {
        name,
        start: Instant::now(),
    })
}

impl Drop for Span {
    fn drop(&mut self) {
        eprintln!(
            "timing: {} {:.1} ms{}",
            self.name,
            self.start.elapsed().as_secs_f64() * 1e3,
            memory()
        );
    }
}

/// `, rss N MB (peak M MB)` from /proc/self/status where there is one.
fn memory() -> String {
    let Ok(s) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let kb = |key: &str| -> Option<u64> {
        let line = s.lines().find(|l| l.starts_with(key))?;
        line[key.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    match (kb("VmRSS:"), kb("VmHWM:")) {
        (Some(r), Some(h)) => format!(", rss {} MB (peak {} MB)", r / 1024, h / 1024),
        _ => String::new(),
    }
}

/// Print `timing: MSG` when timings are on (which path a phase took, say).
pub fn note(msg: impl FnOnce() -> String) {
    if enabled() {
        eprintln!("timing: {}", msg());
    }
}

/// Print `count: WHAT` when timings are on: one line each time an input is loaded or a deal
/// set computed, so a test can count them (report loads each input once).
pub fn count(what: impl FnOnce() -> String) {
    if enabled() {
        say_count(what());
    }
}

#[cold]
#[inline(never)]
fn say_count(what: String) {
    eprintln!("count: {what}");
}
