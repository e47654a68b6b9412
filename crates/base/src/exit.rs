//! Process exit codes. The numbers are a contract: cron jobs and scripts test them.

/// Every exit status salesctl uses, and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: success (a closed pipe on stdout counts as success).
    Success,
    /// 1: runtime failure: unreadable file, I/O error, internal error.
    Failure,
    /// 2: usage error: unknown flag, bad value, bad flag combination.
    Usage,
    /// 3: input rejected: missing required column, empty file, not a table, undecidable
    /// date order, and with `--strict` any rejected row.
    InputRejected,
    /// 4: a threshold rule was breached (`salesctl check`).
    Threshold,
}

impl ExitCode {
    /// The numeric status handed to the operating system.
    pub(crate) const fn code(self) -> i32 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Failure => 1,
            ExitCode::Usage => 2,
            ExitCode::InputRejected => 3,
            ExitCode::Threshold => 4,
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(c: ExitCode) -> Self {
        std::process::ExitCode::from(c.code() as u8)
    }
}

/// The exit status table printed in `--help` and README.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  success (a closed pipe on stdout included)
  1  runtime failure: unreadable file, I/O error, internal error
  2  usage error: bad flag, bad value, bad flag combination
  3  input rejected: missing column, empty file, not a table, undecidable dates,
     any rejected row with --strict
  4  threshold breached (salesctl check)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_numbers() {
        assert_eq!(ExitCode::Success.code(), 0);
        assert_eq!(ExitCode::Failure.code(), 1);
        assert_eq!(ExitCode::Usage.code(), 2);
        assert_eq!(ExitCode::InputRejected.code(), 3);
        assert_eq!(ExitCode::Threshold.code(), 4);
    }

    #[test]
    fn help_lists_every_code() {
        for n in 0..=4 {
            assert!(
                EXIT_STATUS_HELP.contains(&format!("  {n}  ")),
                "code {n} missing"
            );
        }
    }
}
