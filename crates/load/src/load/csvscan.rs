//! Physical lines of decoded delimited text into whole records, before the CSV parser sees them:
//! the layer that keeps one damaged quote from swallowing the rows after it, strips NUL bytes,
//! and bounds what one record may cost.
//!
//! A quoted field that runs past the end of its line is normally a multi-line cell (notes,
//! addresses), and is passed on whole. It is a *broken row* instead when
//! - its quote is never closed before the end of the file, or
//! - it grows past the record limit, or
//! - every line strictly inside it (at least one) reads, on its own, as a complete record of the
//!   header's width: then those lines are rows, and the quote is a stray.
//!
//! A broken row's first line is replaced by a marker record that the loader turns into a
//! rejected row (with its line range and text), and reading resumes on the next line, so the
//! rows after it are read as rows. A physical line over the limit is skipped the same way
//! without being held in memory. Std, memchr and csv only: this module is fuzzed on its own
//! (fuzz/).

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::{Arc, Mutex};

/// Default cap on one record's bytes (`--max-line-bytes`).
pub(crate) const DEFAULT_MAX_RECORD_BYTES: usize = 64 << 20;
/// Default cap on a record's field count (`--max-columns`); Excel's own.
pub(crate) const DEFAULT_MAX_COLUMNS: usize = 16_384;

/// The marker record's text starts with this (control characters no export holds).
pub(crate) const MARKER: &str = "\u{1}\u{2}salesctl-broken-";

/// How to scan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScanOptions {
    pub(crate) delim: u8,
    /// Backslash escapes inside quotes (`\"`), with no doubled quotes (database dumps).
    pub(crate) backslash: bool,
    pub(crate) max_record_bytes: usize,
    pub(crate) max_columns: usize,
}

impl ScanOptions {
    pub(crate) fn new(delim: u8, backslash: bool) -> ScanOptions {
        ScanOptions {
            delim,
            backslash,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            max_columns: DEFAULT_MAX_COLUMNS,
        }
    }
}

/// A run of lines the scanner took out: reported as one rejected row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Broken {
    pub(crate) first_line: u64,
    pub(crate) last_line: u64,
    /// The first line's text (lossy UTF-8, at most 1,000 characters).
    pub(crate) text: String,
    pub(crate) reason: String,
}

/// What the scanner saw, shared with the loader.
#[derive(Debug, Default)]
pub(crate) struct ScanLog {
    pub(crate) broken: Vec<Broken>,
    pub(crate) nul_bytes: u64,
    pub(crate) first_nul_line: Option<u64>,
    /// The output differs from the input so far (NULs removed, markers written): byte offsets
    /// of the output are no offsets into the file.
    pub(crate) altered: bool,
}

pub(crate) type SharedLog = Arc<Mutex<ScanLog>>;

/// Quote state of the CSV grammar the csv crate reads (csv-core's states, reduced).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    InField,
    InQuoted,
    /// A quote inside a quoted field: closes it, or is the first of a doubled pair.
    QuoteInQuoted,
    /// After a backslash inside quotes.
    Escaped,
}

/// Run the grammar over one line from `state`; returns the state at its end and the number of
/// field separators seen outside quotes.
fn run(line: &[u8], mut state: State, o: &ScanOptions) -> (State, usize) {
    let mut seps = 0;
    // Lines with no quote while outside quotes: only separators matter.
    if !matches!(
        state,
        State::InQuoted | State::Escaped | State::QuoteInQuoted
    ) && memchr::memchr(b'"', line).is_none()
    {
        let n = if line.len() > o.max_columns {
            memchr::memchr_iter(o.delim, line).count()
        } else {
            0
        };
        return (State::StartField, n);
    }
    for &b in line {
        let (st, sep) = step(state, b, o);
        state = st;
        seps += usize::from(sep);
    }
    (state, seps)
}

/// A line's field count on its own, from the start of a record, with a quote it leaves open
/// read as a literal character (the count a row with one stray quote has).
fn literal_width(line: &[u8], o: &ScanOptions) -> usize {
    let mut state = State::StartField;
    let mut seps = 0;
    // where the last quoted field opened, and the separators before it
    let mut opened: Option<(usize, usize)> = None;
    for (i, &b) in line.iter().enumerate() {
        if state == State::StartField && b == b'"' {
            opened = Some((i, seps));
        }
        let (st, sep) = step(state, b, o);
        state = st;
        seps += usize::from(sep);
    }
    match (open(state), opened) {
        (true, Some((at, before))) => {
            before + memchr::memchr_iter(o.delim, &line[at..]).count() + 1
        }
        _ => seps + 1,
    }
}

/// One byte of the grammar: the next state, and whether the byte separated two fields.
fn step(state: State, b: u8, o: &ScanOptions) -> (State, bool) {
    match state {
        State::StartField | State::InField if b == o.delim => (State::StartField, true),
        State::StartField if b == b'"' => (State::InQuoted, false),
        State::StartField | State::InField => (State::InField, false),
        State::InQuoted if o.backslash && b == b'\\' => (State::Escaped, false),
        State::InQuoted if b == b'"' => {
            if o.backslash {
                (State::InField, false)
            } else {
                (State::QuoteInQuoted, false)
            }
        }
        State::InQuoted => (State::InQuoted, false),
        State::Escaped => (State::InQuoted, false),
        State::QuoteInQuoted if b == b'"' => (State::InQuoted, false),
        State::QuoteInQuoted if b == o.delim => (State::StartField, true),
        State::QuoteInQuoted => (State::InField, false),
    }
}

fn open(s: State) -> bool {
    matches!(s, State::InQuoted | State::Escaped)
}

/// The body of a line without its terminator.
fn body(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

/// One physical line, as read.
enum Phys {
    Line(Vec<u8>),
    /// Longer than the record limit: skipped, never held.
    Overlong(u64),
}

/// The scanner: a `Read` that yields the input's bytes, minus NULs, with broken rows replaced
/// by marker records.
pub(crate) struct Scanner<R> {
    inner: BufReader<R>,
    o: ScanOptions,
    log: SharedLog,
    /// Lines to scan again (after a broken row), with their line numbers.
    pending: VecDeque<(u64, Phys)>,
    line_no: u64,
    eof: bool,
    out: Vec<u8>,
    out_pos: usize,
    header_width: Option<usize>,
}

impl<R: Read> Scanner<R> {
    pub(crate) fn new(inner: R, o: ScanOptions) -> Scanner<R> {
        Scanner {
            inner: BufReader::with_capacity(1 << 16, inner),
            o,
            log: SharedLog::default(),
            pending: VecDeque::new(),
            line_no: 0,
            eof: false,
            out: Vec::with_capacity(1 << 16),
            out_pos: 0,
            header_width: None,
        }
    }

    /// The log the loader reads from (shared: the scanner sits inside the CSV reader).
    pub(crate) fn log(&self) -> SharedLog {
        self.log.clone()
    }

    /// Read one physical line (terminator included: `\n`, `\r\n` or a lone `\r`), NULs removed.
    fn read_phys(&mut self) -> io::Result<Option<(u64, Phys)>> {
        if let Some(p) = self.pending.pop_front() {
            return Ok(Some(p));
        }
        if self.eof {
            return Ok(None);
        }
        let mut line = Vec::new();
        let mut over = false;
        let mut nuls = 0u64;
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                self.eof = true;
                break;
            }
            match memchr::memchr2(b'\n', b'\r', buf) {
                Some(i) => {
                    let cr = buf[i] == b'\r';
                    take(&mut line, &buf[..=i], &mut over, &mut nuls, &self.o);
                    self.inner.consume(i + 1);
                    if cr {
                        let next = self.inner.fill_buf()?;
                        if next.first() == Some(&b'\n') {
                            take(&mut line, b"\n", &mut over, &mut nuls, &self.o);
                            self.inner.consume(1);
                        }
                    }
                    break;
                }
                None => {
                    let n = buf.len();
                    take(&mut line, buf, &mut over, &mut nuls, &self.o);
                    self.inner.consume(n);
                }
            }
        }
        if line.is_empty() && !over && self.eof && nuls == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        if nuls > 0 {
            let mut log = lock(&self.log);
            log.nul_bytes += nuls;
            log.first_nul_line.get_or_insert(self.line_no);
            log.altered = true;
        }
        Ok(Some((
            self.line_no,
            if over {
                Phys::Overlong(self.line_no)
            } else {
                Phys::Line(line)
            },
        )))
    }

    fn marker(&mut self, b: Broken) {
        let mut log = lock(&self.log);
        let k = log.broken.len();
        log.broken.push(b);
        log.altered = true;
        self.out.extend_from_slice(MARKER.as_bytes());
        self.out.extend_from_slice(k.to_string().as_bytes());
        self.out.push(b'\n');
    }

    /// Scan the next record into `out`. Ok(false) at the end.
    fn next_record(&mut self) -> io::Result<bool> {
        let Some((first_no, first)) = self.read_phys()? else {
            return Ok(false);
        };
        let first = match first {
            Phys::Line(l) => l,
            Phys::Overlong(n) => {
                let limit = self.o.max_record_bytes;
                self.marker(Broken {
                    first_line: n,
                    last_line: n,
                    text: String::new(),
                    reason: format!(
                        "line {n} is longer than the limit of {} (--max-line-bytes): skipped",
                        bytes(limit)
                    ),
                });
                return Ok(true);
            }
        };
        // The CSV parser skips a UTF-8 byte-order mark at the very start (found by fuzz/:
        // `\u{feff}"Rec...` opens a quoted field for the parser, not a literal quote).
        let grammar = match body(&first) {
            b if first_no == 1 && b.starts_with(&[0xEF, 0xBB, 0xBF]) => &b[3..],
            b => b,
        };
        let (state, seps) = run(grammar, State::StartField, &self.o);
        if !open(state) {
            self.whole(first_no, first, seps + 1);
            return Ok(true);
        }
        // A quoted field runs on: gather lines until it closes.
        let mut lines: Vec<(u64, Vec<u8>)> = vec![(first_no, first)];
        let mut state = state;
        let mut seps_total = seps;
        let mut size = lines[0].1.len();
        let why = loop {
            let Some((n, phys)) = self.read_phys()? else {
                break Some("its quote is never closed before the end of the file".to_string());
            };
            let line = match phys {
                Phys::Line(l) => l,
                Phys::Overlong(k) => {
                    // read again after the broken row, as a line of its own
                    self.pending.push_front((n, Phys::Overlong(k)));
                    break Some(format!(
                        "its quoted field runs past the limit of {} (--max-line-bytes)",
                        bytes(self.o.max_record_bytes)
                    ));
                }
            };
            let (st, s) = run(&line, state, &self.o);
            size += line.len();
            lines.push((n, line));
            state = st;
            seps_total += s;
            if size > self.o.max_record_bytes {
                break Some(format!(
                    "its quoted field runs past the limit of {} (--max-line-bytes)",
                    bytes(self.o.max_record_bytes)
                ));
            }
            if !open(state) {
                break self.inner_lines_are_rows(&lines, seps_total + 1);
            }
        };
        match why {
            None => {
                let mut rec = Vec::with_capacity(size);
                for (_, l) in &lines {
                    rec.extend_from_slice(l);
                }
                self.whole(first_no, rec, seps_total + 1);
            }
            Some(why) => {
                let last = lines.last().map_or(first_no, |(k, _)| *k);
                let mut it = lines.into_iter();
                let Some((n, l)) = it.next() else {
                    return Ok(true);
                };
                let text: String = String::from_utf8_lossy(body(&l))
                    .chars()
                    .take(1000)
                    .collect();
                // Everything after the first line is read again as lines of its own.
                let rest: Vec<(u64, Vec<u8>)> = it.collect();
                for (k, r) in rest.into_iter().rev() {
                    self.pending.push_front((k, Phys::Line(r)));
                }
                self.marker(Broken {
                    first_line: n,
                    last_line: last.max(n),
                    text,
                    reason: format!(
                        "line {n}: a quote opened on this line {why}; the line is rejected and reading resumes on line {}",
                        n + 1
                    ),
                });
            }
        }
        Ok(true)
    }

    /// Is a multi-line quoted field a stray quote? Yes when the lines strictly inside it (at
    /// least one) each read as a whole record of the header's width, or when its first line
    /// and every line after it do, each on its own (a quote they leave open read as a literal).
    fn inner_lines_are_rows(&self, lines: &[(u64, Vec<u8>)], merged: usize) -> Option<String> {
        let width = self.header_width?;
        if lines.len() < 2 || width < 2 {
            return None;
        }
        let first_whole = literal_width(body(&lines[0].1), &self.o) == width;
        // The first line is a whole row with a stray quote, and what the quote swallows is
        // no row of the header's width: reading resumes after the first line (a well-formed
        // multi-line cell always makes a record of the header's width).
        if first_whole && merged != width {
            return Some(format!(
                "makes, with the {} line(s) after it, one record of {merged} fields where the header has {width}, and this line alone is a whole row",
                lines.len() - 1
            ));
        }
        let whole_rows = first_whole
            && lines[1..]
                .iter()
                .all(|(_, l)| literal_width(body(l), &self.o) == width);
        if whole_rows {
            return Some(format!(
                "is closed only on line {}, and this line and the {} after it each read as a whole row of {width} fields",
                lines[lines.len() - 1].0,
                lines.len() - 1
            ));
        }
        if lines.len() < 3 {
            return None;
        }
        let inner = &lines[1..lines.len() - 1];
        inner
            .iter()
            .all(|(_, l)| {
                let b = body(l);
                let (st, seps) = run(b, State::StartField, &ScanOptions {
                    max_columns: 0,
                    ..self.o
                });
                !open(st) && seps + 1 == width
            })
            .then(|| {
                format!(
                    "is closed only on line {}, and the {} line(s) inside it each read as a whole row of {width} fields",
                    lines[lines.len() - 1].0,
                    inner.len()
                )
            })
    }

    /// A complete record: checked against the column limit, learned as the header width, passed on.
    fn whole(&mut self, n: u64, rec: Vec<u8>, fields: usize) {
        if fields > self.o.max_columns {
            let text: String = String::from_utf8_lossy(&rec).chars().take(200).collect();
            self.marker(Broken {
                first_line: n,
                last_line: n,
                text,
                reason: format!(
                    "line {n} has {fields} fields, over the limit of {} (--max-columns): skipped",
                    self.o.max_columns
                ),
            });
            return;
        }
        if self.header_width.is_none() && !body(&rec).is_empty() {
            // Fields counted without the column-limit shortcut.
            let (_, seps) = run(
                body(&rec),
                State::StartField,
                &ScanOptions {
                    max_columns: 0,
                    ..self.o
                },
            );
            self.header_width = Some(seps + 1).filter(|&w| w >= 2);
        }
        self.out.extend_from_slice(&rec);
    }
}

/// Append `bytes` to `line` without NULs, unless the line is over the limit (then only count).
fn take(line: &mut Vec<u8>, bytes: &[u8], over: &mut bool, nuls: &mut u64, o: &ScanOptions) {
    let z = memchr::memchr_iter(0, bytes).count() as u64;
    *nuls += z;
    if *over {
        return;
    }
    if line.len() + bytes.len() > o.max_record_bytes {
        *over = true;
        line.clear();
        line.shrink_to_fit();
        return;
    }
    if z == 0 {
        line.extend_from_slice(bytes);
    } else {
        line.extend(bytes.iter().copied().filter(|&b| b != 0));
    }
}

fn lock(l: &SharedLog) -> std::sync::MutexGuard<'_, ScanLog> {
    l.lock().unwrap_or_else(|p| p.into_inner())
}

/// `64 MiB`, `1,000 bytes`.
pub(crate) fn bytes(n: usize) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

impl<R: Read> Read for Scanner<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos >= self.out.len() {
            self.out.clear();
            self.out_pos = 0;
            // Fill with whole records, up to about 64 KB, to keep per-call costs low.
            while self.out.len() < 1 << 16 {
                if !self.next_record()? {
                    break;
                }
            }
            if self.out.is_empty() {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// The CSV parser behind the scanner, set up with the grammar [`Scanner`] follows: no header
/// row, any record width, doubled quotes (or backslash escapes for database dumps).
pub(crate) fn csv_reader<R: Read>(delim: u8, backslash: bool, r: R) -> csv::Reader<R> {
    let mut b = csv::ReaderBuilder::new();
    b.delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16);
    if backslash {
        b.escape(Some(b'\\')).double_quote(false);
    }
    b.from_reader(r)
}

/// The broken row a marker record's field names, if it is one.
pub(crate) fn marker_index(field: &str) -> Option<usize> {
    field.strip_prefix(MARKER)?.parse().ok()
}

#[cfg(test)]
mod tests;
