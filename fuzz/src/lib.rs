//! salesctl's standalone source files, compiled here without the salesctl crate (whose polars
//! dependency is too heavy to build instrumented). Nothing under ../src is edited: each file is
//! included as it is with `#[path]`, and the few `crate::` items they reference are shims below.
//!
//! | module          | file                         | needs                                   |
//! |-----------------|------------------------------|-----------------------------------------|
//! | `date`          | crates/load/src/load/parse/date.rs       | chrono                                  |
//! | `money`         | crates/load/src/load/parse/money.rs      | std                                     |
//! | `sniff`         | crates/load/src/load/sniff.rs            | encoding_rs, chardetng, simdutf8, memchr|
//! | `csvscan`       | crates/load/src/load/csvscan.rs          | memchr                                  |
//! | `limits`        | crates/load/src/load/limits.rs           | zip, memchr                             |
//! | `load::config`  | crates/load/src/load/config.rs           | serde, toml; shims `error`, `io`        |
//! | `flags`         | crates/base/src/flags.rs                 | std                                     |
//! | `text`          | crates/base/src/text.rs                  | serde; shim `output::Lang`              |
//! | `period`        | crates/base/src/period.rs                | chrono; `clap::Args` derive (shim crate), `load::config` |

#![allow(dead_code)]

/// crates/base/src/text.rs itself (messages in English and Chinese; its `tr!` macro is exported here).
pub mod checks;

#[path = "../../crates/base/src/text.rs"]
pub mod text;
/// `crate::output::Lang` as crates/base/src/text.rs names it.
pub mod output {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Lang {
        En,
        ZhCn,
    }
}

#[path = "../../crates/load/src/load/parse/date.rs"]
pub mod date;
#[path = "../../crates/load/src/load/parse/money.rs"]
pub mod money;
#[path = "../../crates/load/src/load/sniff.rs"]
pub mod sniff;
#[path = "../../crates/load/src/load/csvscan.rs"]
pub mod csvscan;
#[path = "../../crates/load/src/load/limits.rs"]
pub mod limits;
#[path = "../../crates/base/src/panics.rs"]
pub mod panics;
/// crates/load/src/load/workbook.rs itself: `super::limits` and `super::parse::date` resolve to the root.
#[path = "../../crates/load/src/load/workbook.rs"]
pub mod wb;
/// `super::parse::date` as crates/load/src/load/workbook.rs names it.
pub mod parse {
    pub use crate::date;
}
#[path = "../../crates/base/src/period.rs"]
pub mod period;
#[path = "../../crates/base/src/flags.rs"]
pub mod flags;
#[path = "../../crates/base/src/model/kpi.rs"]
#[doc(hidden)]
pub mod kpi_rs;
/// `crate::model::kpi` as crates/base/src/flags.rs names it (the KPI ids a `check` rule names).
pub mod model {
    pub use crate::kpi_rs as kpi;
}

#[path = "../../crates/load/src/load/config.rs"]
#[doc(hidden)]
pub mod config_rs;

/// `crate::load::config` as crates/base/src/period.rs names it.
pub mod load {
    pub use crate::config_rs as config;
    /// `crate::load::parse::date` as crates/base/src/period.rs names it (the date window).
    pub mod parse {
        pub use crate::date;
    }
}

/// Shim of crates/base/src/error.rs: the two items crates/load/src/load/config.rs uses (`Error::io`, `Error::Input`,
/// and the `Result` alias with a default error type).
pub mod error {
    use std::path::PathBuf;

    #[derive(Debug)]
    pub enum Error {
        Io { path: PathBuf, source: std::io::Error },
        Input(crate::text::Text),
    }

    impl Error {
        pub fn input(m: impl Into<crate::text::Text>) -> Self {
            Error::Input(m.into())
        }

        pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
            Error::Io {
                path: path.into(),
                source,
            }
        }
    }

    pub type Result<T, E = Error> = std::result::Result<T, E>;
}

/// Shim of crates/io/src/io.rs: `note_input` (only reached from `Config::load`, never fuzzed).
pub mod io {
    pub fn note_input(_path: &std::path::Path) {}
}

/// What crates/load/src/load/read/sheet.rs `read_workbook_inner` does with a workbook's bytes: crates/load/src/load/workbook.rs
/// itself (limit checks, calamine on the first sheet, the grid), minus the error wording.
pub mod workbook {
    /// The used cells of the first sheet, as load/read collects them. Err: refused or unreadable.
    ///
    /// A panic in salesctl's limit checks is always a crash. A panic inside calamine is one too,
    /// unless `SALESCTL_FUZZ_CONTAIN=1` is set: then it is caught and read as an error, as
    /// read/sheet.rs `read_workbook_here` does with `crate::error::contain` (crates/base/src/error.rs), so a long
    /// campaign goes past calamine's known panics to what production does not contain
    /// (allocations, hangs, panics in src/).
    pub fn read_first_sheet(bytes: &[u8]) -> Result<Vec<((u32, u32), String)>, String> {
        let run = || {
            let (_, cells) = crate::wb::cells(bytes.to_vec(), None).map_err(|f| format!("{f:?}"))?;
            // the grid as load/read builds it, at a cap the fuzzer's memory limit allows
            crate::wb::grid(cells.clone(), 20_000_000).map_err(|f| format!("{f:?}"))?;
            Ok(cells)
        };
        if contain_enabled() {
            contain(run).unwrap_or_else(|why| Err(format!("the reader failed: {why}")))
        } else {
            run()
        }
    }

    fn contain_enabled() -> bool {
        static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *ON.get_or_init(|| std::env::var_os("SALESCTL_FUZZ_CONTAIN").is_some_and(|v| v == "1"))
    }

    /// crates/base/src/panics.rs `contain`, the one production uses.
    use crate::panics::contain;
}
