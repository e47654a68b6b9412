//! The one error type of the library. Messages are written for users: file, row, column, the raw
//! value, what was expected and what to do.

use std::path::PathBuf;

use crate::exit::ExitCode;

/// A user-facing error. `Display` is the whole message; `exit_code` says how the process ends.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value in a cell could not be read (only fatal with `--strict`).
    #[error("{}:{}:{}: {:?}, expected {}", .0.file, .0.row, .0.column, .0.found, .0.expected)]
    Cell(Box<BadCell>),

    /// A required column is absent.
    #[error("{}: no column for `{}` ({}); columns found: {}{}", .0.file, .0.field, .0.why, .0.found, .0.hint)]
    MissingColumn(Box<MissingColumn>),

    /// The file holds no data rows.
    #[error("{file}: {what}")]
    Empty {
        file: String,
        what: crate::text::Text,
    },

    /// The file is not a table at all (binary, image, archive...).
    #[error("{file}: not a table: {why}")]
    NotATable {
        file: String,
        why: crate::text::Text,
    },

    /// Slash dates where every value fits both orders.
    #[error(
        "{file}: column {column:?}: ambiguous dates such as {sample:?} read both as day/month and month/day, and no day is over 12; \
         set `day_first = true` or `false` in salesctl.toml, or pass --day-first / --month-first"
    )]
    AmbiguousDates {
        file: String,
        column: String,
        sample: String,
    },

    /// `--strict` and some rows were rejected.
    #[error(
        "{}: {} row(s) rejected and --strict is set; first: row {}, column {:?}: {}",
        .0.file, .0.count, .0.row, .0.column, .0.reason
    )]
    Strict(Box<StrictRejects>),

    /// Any other input problem (bad config value, unknown preset, malformed fx file...).
    #[error("{0}")]
    Input(crate::text::Text),

    /// A bad combination of flags or a bad flag value that clap could not catch.
    #[error("{0}")]
    Usage(crate::text::Text),

    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Anything else (a bug, or a library failure with no user-level meaning).
    #[error("{0}")]
    Internal(String),
}

// The three largest variants hold their fields behind a box, so that `Result<T, Error>` stays
// small on the happy path (clippy's `result_large_err`): every `?` moves the whole `Err`.

/// A cell that could not be read ([`Error::Cell`]).
#[derive(Debug)]
pub struct BadCell {
    pub file: String,
    pub row: usize,
    pub column: String,
    pub found: String,
    pub expected: crate::text::Text,
}

/// A required column that is absent ([`Error::MissingColumn`]).
#[derive(Debug)]
pub struct MissingColumn {
    pub file: String,
    pub field: String,
    pub why: crate::text::Text,
    pub found: String,
    pub hint: crate::text::Text,
}

/// Rows rejected under `--strict` ([`Error::Strict`]).
#[derive(Debug)]
pub struct StrictRejects {
    pub file: String,
    pub count: usize,
    pub row: usize,
    pub column: String,
    pub reason: crate::text::Text,
}

impl Error {
    /// The documented exit status for this error.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Cell(_)
            | Error::MissingColumn(_)
            | Error::Empty { .. }
            | Error::NotATable { .. }
            | Error::AmbiguousDates { .. }
            | Error::Strict(_)
            | Error::Input(_) => ExitCode::InputRejected,
            Error::Usage(_) => ExitCode::Usage,
            Error::Io { .. } | Error::Internal(_) => ExitCode::Failure,
        }
    }

    /// The message in `lang`. Errors with a fixed shape (a cell, a missing column, an empty
    /// file, not a table, ambiguous dates, --strict, I/O) have a Chinese template; the others
    /// carry English text built where they arise, which Chinese output prints as it is.
    pub fn text(&self, lang: crate::text::Lang) -> String {
        use crate::text::Lang;
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Error::Cell(c) => {
                let BadCell {
                    file,
                    row,
                    column,
                    found,
                    expected,
                } = &**c;
                format!(
                    "{file}:{row}:{column}：值 {found:?} 无法读取，应为 {}",
                    expected.get(Lang::ZhCn)
                )
            }
            Error::MissingColumn(m) => {
                let MissingColumn {
                    file,
                    field,
                    why,
                    found,
                    hint,
                } = &**m;
                format!(
                    "{file}：没有 `{field}` 列（{}）；找到的列：{found}{}",
                    why.get(Lang::ZhCn),
                    hint.get(Lang::ZhCn)
                )
            }
            Error::Empty { file, what } => format!("{file}：{}", what.get(Lang::ZhCn)),
            Error::NotATable { file, why } => format!("{file}：不是表格：{}", why.get(Lang::ZhCn)),
            Error::AmbiguousDates {
                file,
                column,
                sample,
            } => format!(
                "{file}：列 {column:?}：日期（如 {sample:?}）既可按日/月也可按月/日读取，且没有大于 12 的日；\
                 在 salesctl.toml 中设置 `day_first = true` 或 `false`，或使用 --day-first / --month-first"
            ),
            Error::Strict(r) => {
                let StrictRejects {
                    file,
                    count,
                    row,
                    column,
                    reason,
                } = &**r;
                format!(
                    "{file}：{count} 行被拒绝且设置了 --strict；第一处：第 {row} 行，列 {column:?}：{}",
                    reason.get(Lang::ZhCn)
                )
            }
            Error::Io { path, source } => {
                format!("{}：读写失败：{source}", path.display())
            }
            Error::Input(m) | Error::Usage(m) => m.get(lang).to_string(),
            Error::Internal(m) => m.clone(),
        }
    }

    /// An input problem (exit 3); give it a [`tr!`](crate::tr) text.
    pub fn input(m: impl Into<crate::text::Text>) -> Self {
        Error::Input(m.into())
    }

    /// A usage problem (exit 2); give it a [`tr!`](crate::tr) text.
    pub fn usage(m: impl Into<crate::text::Text>) -> Self {
        Error::Usage(m.into())
    }

    /// A required column is absent from `file`: the columns `found`, the closest of them to
    /// `field`, and, when `map` is true, the `--map FIELD=HEADER` that fixes it.
    pub fn missing_column(
        file: String,
        field: &str,
        why: crate::text::Text,
        found: &[&str],
        map: bool,
    ) -> Self {
        let (en, zh) = match closest(field, found.iter().copied()) {
            Some(c) => (format!("; closest: {c:?}"), format!("；最接近的：{c:?}")),
            None => (String::new(), String::new()),
        };
        let hint = if map {
            crate::text::Text::new(
                format!("{en}; map it with --map {field}=HEADER"),
                format!("{zh}；用 --map {field}=表头 指定"),
            )
        } else {
            crate::text::Text::new(en, zh)
        };
        Error::MissingColumn(Box::new(MissingColumn {
            file,
            field: field.to_string(),
            why,
            found: found.join(", "),
            hint,
        }))
    }

    /// Wrap an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<polars_error::PolarsError> for Error {
    fn from(e: polars_error::PolarsError) -> Self {
        Error::Internal(format!("data engine: {e}"))
    }
}

pub use crate::panics::contain;

/// Library result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The closest name among `candidates` to `wanted`, for "did you mean" hints.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = wanted.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_levenshtein(&w, &c.to_lowercase()), c))
        .filter(|(s, _)| *s >= 0.4)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_by_kind() {
        assert_eq!(Error::Usage("x".into()).exit_code().code(), 2);
        assert_eq!(Error::Internal("x".into()).exit_code().code(), 1);
        let e = Error::Empty {
            file: "a.csv".into(),
            what: "no data rows".into(),
        };
        assert_eq!(e.exit_code().code(), 3);
        assert_eq!(e.to_string(), "a.csv: no data rows");
    }

    #[test]
    fn cell_message_names_file_row_column_value() {
        let e = Error::Cell(Box::new(crate::error::BadCell {
            file: "x.csv".into(),
            row: 7,
            column: "Amount".into(),
            found: "abc".into(),
            expected: "a number".into(),
        }));
        assert_eq!(e.to_string(), "x.csv:7:Amount: \"abc\", expected a number");
    }

    #[test]
    fn closest_finds_typos() {
        assert_eq!(
            closest("Stgae", ["Amount", "Stage", "Owner"]),
            Some("Stage")
        );
        assert_eq!(closest("zzzz", ["Amount"]), None);
    }

    #[test]
    fn missing_column_names_the_closest_header_and_the_flag() {
        let why = crate::tr!("--by groups by it", "--by 按它分组");
        let e = Error::missing_column(
            "a.csv".into(),
            "regoin",
            why.clone(),
            &["region", "owner"],
            false,
        );
        assert_eq!(
            e.to_string(),
            "a.csv: no column for `regoin` (--by groups by it); columns found: region, owner; closest: \"region\""
        );
        let e = Error::missing_column("a.csv".into(), "stage", why, &["Amount"], true);
        assert_eq!(
            e.to_string(),
            "a.csv: no column for `stage` (--by groups by it); columns found: Amount; map it with --map stage=HEADER"
        );
        assert!(
            e.text(crate::text::Lang::ZhCn)
                .ends_with("用 --map stage=表头 指定")
        );
    }
}

#[cfg(test)]
mod size {
    /// Every `?` moves the whole `Err`: the large variants stay behind a box (clippy's
    /// `result_large_err` warns from 128 bytes).
    #[test]
    fn an_error_stays_small() {
        assert!(
            std::mem::size_of::<super::Error>() < 128,
            "{}",
            std::mem::size_of::<super::Error>()
        );
        eprintln!(
            "size_of::<Error>() = {}",
            std::mem::size_of::<super::Error>()
        );
    }
}
