//! The rows of an opened export: delimited text through the bounded scanner and the csv
//! reader, whitespace-separated text, or a workbook's grid; and what a row that cannot be read
//! says.

use super::*;

/// Rows of decoded text fields.
pub(crate) enum RowSource {
    /// Delimited text through the [`csvscan::Scanner`], whose log names the broken rows.
    Csv(csv::Reader<Box<dyn Read>>, Option<csvscan::SharedLog>),
    Whitespace {
        lines: Box<dyn BufRead>,
        line: String,
    },
    Grid(std::vec::IntoIter<(usize, Vec<String>)>),
}

impl RowSource {
    /// Read the next row into `rec`; returns the row's 1-based physical row number (spreadsheet
    /// style for grids, record number for text), or None at the end.
    pub(crate) fn next_row(
        &mut self,
        rec: &mut csv::StringRecord,
        count: usize,
    ) -> Result<Option<usize>, RowError> {
        match self {
            RowSource::Csv(r, log) => match r.read_record(rec) {
                Ok(true) => {
                    if rec.len() == 1 {
                        if let (Some(k), Some(log)) =
                            (rec.get(0).and_then(csvscan::marker_index), log)
                        {
                            let log = log.lock().unwrap_or_else(|p| p.into_inner());
                            if let Some(b) = log.broken.get(k) {
                                return Err(RowError::Broken(count + 1, b.clone()));
                            }
                        }
                    }
                    Ok(Some(count + 1))
                }
                Ok(false) => Ok(None),
                Err(e) => Err(RowError::Unreadable(csv_error(&e))),
            },
            RowSource::Whitespace { lines, line } => {
                line.clear();
                match lines.read_line(line) {
                    Ok(0) => Ok(None),
                    Ok(_) => {
                        rec.clear();
                        for f in line.split_whitespace() {
                            rec.push_field(f);
                        }
                        Ok(Some(count + 1))
                    }
                    Err(e) => Err(RowError::Unreadable(e.to_string())),
                }
            }
            RowSource::Grid(it) => match it.next() {
                Some((n, cells)) => {
                    rec.clear();
                    for c in &cells {
                        rec.push_field(c);
                    }
                    Ok(Some(n))
                }
                None => Ok(None),
            },
        }
    }
}

/// A row that could not be read.
#[derive(Debug, Clone)]
pub(crate) enum RowError {
    /// The CSV reader's own error (invalid UTF-8...).
    Unreadable(String),
    /// A line the scanner took out (broken quote, over a limit): its record number and what.
    Broken(usize, Broken),
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowError::Unreadable(e) => f.write_str(e),
            RowError::Broken(_, b) => f.write_str(&b.reason),
        }
    }
}

impl RowSource {
    /// The byte offset where the next record starts, for CSV sources whose scanner has passed
    /// the file's bytes through unchanged so far (else the offset is no file offset: None).
    pub(crate) fn csv_position(&self) -> Option<u64> {
        match self {
            RowSource::Csv(r, log) => {
                let altered = log
                    .as_ref()
                    .is_some_and(|l| l.lock().map_or(true, |l| l.altered));
                (!altered).then(|| r.position().byte())
            }
            _ => None,
        }
    }

    /// `warning:` lines for what the scanner repaired (NUL bytes removed).
    pub(crate) fn scan_warnings(&self, file: &str) -> Vec<Text> {
        let RowSource::Csv(_, Some(log)) = self else {
            return Vec::new();
        };
        let log = log.lock().unwrap_or_else(|p| p.into_inner());
        let mut w = Vec::new();
        if log.nul_bytes > 0 {
            w.push(crate::tr!(
                "{file}: {} NUL byte(s) removed from the text (first on line {})",
                "{file}：已从文本中删除 {} 个 NUL 字节（第一个在第 {} 行）",
                log.nul_bytes,
                log.first_nul_line.unwrap_or(0)
            ));
        }
        w
    }
}

/// The CSV reader every delimited text goes through (the same settings for streamed files
/// and for the parts of a file read in parallel).
pub(crate) fn csv_reader<R: Read>(delim: u8, r: R) -> csv::Reader<R> {
    csv_reader_with(delim, false, r)
}

/// The CSV reader, with backslash escapes inside quotes (`\"`) for database dumps.
pub(crate) fn csv_reader_with<R: Read>(delim: u8, backslash: bool, r: R) -> csv::Reader<R> {
    csvscan::csv_reader(delim, backslash, r)
}

pub(crate) fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!("invalid UTF-8 in field {}", err.field() + 1),
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}

/// The rows of decoded text: CSV-like with delimiter `d` (through the scanner that bounds line
/// length and width), or whitespace-separated; and the delimiter's name.
pub(crate) fn row_source(
    delim: Delim,
    decoded: Box<dyn Read>,
    backslash: bool,
    opts: &ReadOptions,
) -> (RowSource, Option<String>) {
    match delim {
        Delim::Byte(d) => {
            let mut so = csvscan::ScanOptions::new(d, backslash);
            if opts.max_line_bytes > 0 {
                so.max_record_bytes = opts.max_line_bytes;
            }
            if opts.max_columns > 0 {
                so.max_columns = opts.max_columns;
            }
            let scanner = csvscan::Scanner::new(decoded, so);
            let log = scanner.log();
            let scanned: Box<dyn Read> = Box::new(scanner);
            (
                RowSource::Csv(csv_reader_with(d, backslash, scanned), Some(log)),
                Some(delim_name(d)),
            )
        }
        Delim::Whitespace => (
            RowSource::Whitespace {
                lines: Box::new(BufReader::new(decoded)),
                line: String::new(),
            },
            Some("whitespace".to_string()),
        ),
    }
}

pub(crate) fn delim_name(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        other => (other as char).to_string(),
    }
}

pub(crate) fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}
