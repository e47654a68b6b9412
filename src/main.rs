//! The salesctl binary: parse the command line, run, print the error once, exit with its code.

use std::ffi::OsString;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Was standard output closed when the process started (`salesctl ... >&-`)? Rust's runtime
/// reopens a closed descriptor 1 on /dev/null before `main`, so this is recorded earlier, by an
/// ELF constructor (as the `ctor` crate does), and a result nobody can receive is exit 1.
#[cfg(target_os = "linux")]
mod closed_stdout {
    use std::sync::atomic::Ordering;

    extern "C" fn record() {
        // SAFETY: F_GETFD only reads descriptor 1's flags; -1 means it is not open.
        if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
            salesctl::output::emit::STDOUT_CLOSED.store(true, Ordering::Relaxed);
        }
    }

    #[used]
    #[unsafe(link_section = ".init_array")]
    static RECORD: extern "C" fn() = record;
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args
        .get(1)
        .is_some_and(|a| a == salesctl::load::isolate::CHILD_ARG)
    {
        let display = args.get(2).map(|a| a.to_string_lossy().to_string());
        let sheet = args.get(3).map(|a| a.to_string_lossy().to_string());
        return salesctl::load::isolate::child_main(
            sheet.as_deref(),
            display.as_deref().unwrap_or("?"),
        );
    }
    salesctl::load::isolate::ISOLATE.store(true, std::sync::atomic::Ordering::Relaxed);
    allocator::tune(&args);
    let code = salesctl::main_entry(args);
    allocator::skip_exit_purge();
    code.into()
}

/// mimalloc's run-time options (`mi_option_set`, part of its public C API; the `mimalloc` crate
/// links the library but binds these only behind a feature this build cannot fetch). A user's
/// own `MIMALLOC_*` environment settings always win.
mod allocator {
    use std::ffi::{OsString, c_int, c_long};

    // Values of `mi_option_t` in mimalloc 3 (include/mimalloc.h of libmimalloc-sys 0.1.49,
    // pinned by Cargo.lock).
    const PURGE_DELAY: c_int = 15;
    const ALLOW_THP: c_int = 43;

    unsafe extern "C" {
        fn mi_option_set(option: c_int, value: c_long);
    }

    #[cfg(target_os = "linux")]
    unsafe extern "C" {
        fn prctl(option: c_int, ...) -> c_int;
    }

    fn set(option: c_int, env: &str, value: c_long) {
        if std::env::var_os(env).is_none() {
            // SAFETY: plain setter of a global option; any value is valid for these two.
            unsafe { mi_option_set(option, value) }
        }
    }

    /// No transparent huge pages, for any command. This machine class runs in a VM whose
    /// guest hands free memory back to the host: a 2 MB page that was handed back costs a few
    /// hundred host faults when touched again, so right after another program has freed memory
    /// (a user's spreadsheet, the benchmark's peers) huge pages made a DIR funnel 0.15 to 0.50 s
    /// where 4 KB pages gave a steady 0.21 s. `ingest` (holding a whole normalised table) also
    /// returns freed memory at once, to keep its peak low.
    pub fn tune(args: &[OsString]) {
        let ingest = args
            .iter()
            .skip(1)
            .find(|a| !a.to_string_lossy().starts_with('-'))
            .is_some_and(|s| s == "ingest");
        set(ALLOW_THP, "MIMALLOC_ALLOW_THP", 0);
        // mimalloc reserved its first arena, huge pages allowed, before main: turn them off for
        // the process (the setting above covers only later reservations).
        #[cfg(target_os = "linux")]
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
            const PR_SET_THP_DISABLE: c_int = 41;
            // SAFETY: prctl with integer arguments; failure leaves THP as it was.
            unsafe {
                prctl(
                    PR_SET_THP_DISABLE,
                    1 as std::ffi::c_ulong,
                    0 as std::ffi::c_ulong,
                    0 as std::ffi::c_ulong,
                    0 as std::ffi::c_ulong,
                );
            }
        }
        if ingest {
            set(PURGE_DELAY, "MIMALLOC_PURGE_DELAY", 0);
        }
    }

    /// At exit mimalloc hands every freed page back to the system (a few hundred MB of
    /// `madvise` calls, about a twentieth of a command's time); the process is ending, so skip
    /// that.
    pub fn skip_exit_purge() {
        set(PURGE_DELAY, "MIMALLOC_PURGE_DELAY", -1);
    }
}
