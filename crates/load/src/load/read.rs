//! Opening an export: bytes -> decoded rows of text fields, whatever the container (CSV/TSV/...,
//! XLSX, XLS), encoding and delimiter. No interpretation of the values happens here.

use crate::text::Lang;
use crate::text::Text;
use std::cell::RefCell;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use sha2::{Digest, Sha256};

use super::csvscan::{self, Broken};
use super::sniff::{self, Delim, FileKind};
use crate::error::{Error, Result};

/// How the file is to be opened (from the loader flags).
#[derive(Debug, Clone, Default)]
pub(crate) struct ReadOptions {
    pub(crate) encoding: Option<String>,
    pub(crate) sheet: Option<String>,
    /// Show a progress bar for big text files (only when stderr is a terminal).
    pub(crate) progress: bool,
    /// `--escape`: Some(true) backslash escapes, Some(false) none, None decided by evidence.
    pub(crate) escape: Option<bool>,
    /// Decide the encoding from every byte now (a second open, after a UTF-8 read met a byte
    /// that is not UTF-8).
    pub(crate) full_scan: bool,
    /// Caps on one record of delimited text (0: the defaults in [`super::csvscan`]).
    pub(crate) max_line_bytes: usize,
    pub(crate) max_columns: usize,
}

/// Files at least this big get a progress bar.
const PROGRESS_BYTES: u64 = 16 << 20;

fn progress_bar(size: u64, name: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if size < PROGRESS_BYTES || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(size);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
    {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(name.to_string());
    Some(pb)
}

/// An open export: facts for the manifest, and its rows.
pub(crate) struct Opened {
    pub(crate) path: PathBuf,
    pub(crate) size: u64,
    pub(crate) encoding: String,
    pub(crate) container: &'static str,
    pub(crate) delimiter: Option<String>,
    pub(crate) sheet: Option<String>,
    pub(crate) rows: RowSource,
    /// Plain UTF-8 delimited text: its delimiter and the bytes skipped before the reader's
    /// first byte (a BOM). Such a file can be read in parallel parts.
    pub(crate) bulk: Option<(u8, usize)>,
    /// Why this encoding (for the `input:` line), in both languages.
    pub(crate) encoding_why: Text,
    /// UTF-8 chosen from the first 64 KB only: a later invalid byte means opening again.
    pub(crate) tentative_utf8: bool,
    /// What the reader had to repair (invalid bytes replaced...), as `warning:` lines.
    pub(crate) warnings: Vec<Text>,
    /// Broken rows met while the header and sample were read ahead: rejected with the rest.
    pub(crate) early_broken: Vec<(usize, Broken)>,
    /// The file's progress bar (big text files on a terminal), shared with its reader: the
    /// parallel parser moves it too.
    pub(crate) progress: Option<indicatif::ProgressBar>,
    hasher: Rc<RefCell<Sha256>>,
    hashed_all: bool,
    /// The stream stops short of the file's end (odd UTF-16): the hash is taken from the file.
    partial_hash: bool,
    sha: Option<String>,
}

impl Opened {
    /// The file's sha256, in hex. For streamed text this finishes reading the file for the hash only.
    pub(crate) fn sha256(&mut self) -> Result<String> {
        if let Some(h) = &self.sha {
            return Ok(h.clone());
        }
        if !self.hashed_all {
            // Re-hash from scratch: the stream may have stopped early.
            return file_sha256(&self.path);
        }
        let h = std::mem::take(&mut *self.hasher.borrow_mut());
        Ok(hex(&h.finalize()))
    }

    /// The sha256 of the whole file, computed elsewhere (by the parallel reader).
    pub(crate) fn set_sha256(&mut self, digest: &[u8]) {
        self.sha = Some(hex(digest));
    }

    /// Tell the opener that every byte of a streamed file has been read.
    pub(crate) fn mark_fully_read(&mut self) {
        if self.partial_hash {
            return;
        }
        if let RowSource::Csv(..) | RowSource::Whitespace { .. } = self.rows {
            self.hashed_all = true;
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Feed a file to `f` in 64 KB pieces (hashes and checksums of whole files).
pub(crate) fn each_piece(path: &Path, mut f: impl FnMut(&[u8])) -> Result<()> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            return Ok(());
        }
        f(&buf[..n]);
    }
}

/// A file's sha256, in hex.
fn file_sha256(path: &Path) -> Result<String> {
    let mut h = Sha256::new();
    each_piece(path, |b| h.update(b))?;
    Ok(hex(&h.finalize()))
}

/// A reader that feeds every byte it passes on into a hasher.
struct HashingReader<R> {
    inner: R,
    hasher: Rc<RefCell<Sha256>>,
    progress: Option<indicatif::ProgressBar>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.borrow_mut().update(&buf[..n]);
        if let Some(p) = &self.progress {
            p.inc(n as u64);
        }
        Ok(n)
    }
}

impl<R> Drop for HashingReader<R> {
    fn drop(&mut self) {
        if let Some(p) = &self.progress {
            p.finish_and_clear();
        }
    }
}

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

/// Does decoded sample text show a database dump's backslash escapes: MySQL's `\N` as a whole
/// field, or `\"` inside a quoted field?
pub(crate) fn dump_evidence(sample: &str, delim: u8) -> Option<&'static str> {
    let d = delim as char;
    for line in sample.lines().take(500) {
        if line.split(d).any(|f| f.trim() == "\\N") {
            return Some("\\N null fields");
        }
        if line.contains("\\\"") {
            return Some("\\\" escapes inside quotes");
        }
    }
    None
}

pub(crate) fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!("invalid UTF-8 in field {}", err.field() + 1),
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}

/// Open a file and work out how to read it.
pub(crate) fn open(path: &Path, opts: &ReadOptions) -> Result<Opened> {
    let display = crate::io::display_name(path);
    crate::io::note_input(path);
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::input(crate::tr!(
            "{display}: is a directory but holds no manifest.json (not an ingested DIR)",
            "{display}：是一个目录，但其中没有 manifest.json（不是导入生成的 DIR）"
        )));
    }
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = vec![0u8; 64 * 1024];
    let n = read_up_to(&mut file, &mut head).map_err(|e| Error::io(path, e))?;
    head.truncate(n);
    if head.is_empty() {
        return Err(Error::Empty {
            file: display,
            what: "the file is empty (0 bytes)".into(),
        });
    }
    let kind = sniff::kind(&head).map_err(|why| Error::NotATable {
        file: display.clone(),
        why,
    })?;
    let hasher = Rc::new(RefCell::new(Sha256::new()));
    match kind {
        FileKind::Zip | FileKind::Xls => {
            open_workbook(path, (head, file, meta.len()), kind, opts, &display, hasher)
        }
        FileKind::Text => {
            if opts.sheet.is_some() {
                return Err(Error::usage(crate::tr!(
                    "{display}: --sheet applies to XLSX/XLS files, this is delimited text",
                    "{display}：--sheet 只用于 XLSX/XLS 文件，此文件是分隔符文本"
                )));
            }
            let complete = n < 64 * 1024;
            let mut warnings: Vec<Text> = Vec::new();
            let Chosen {
                encoding,
                why: encoding_why,
                lossy,
                tentative,
            } = choose_encoding(
                opts,
                (&head, complete),
                (&file, path),
                &display,
                &mut warnings,
            )?;
            let (sample, _, _) = encoding.decode(&head);
            let delim = sniff::delimiter(&sample);
            let mut escape_why: Option<&str> = None;
            let passthru = encoding == encoding_rs::UTF_8 && opts.encoding.is_none() && !lossy;
            // A UTF-8 BOM is hashed but not read (Excel's "CSV UTF-8", Zoho exports).
            let skip = if passthru && head.starts_with(&[0xEF, 0xBB, 0xBF]) {
                3
            } else {
                0
            };
            hasher.borrow_mut().update(&head[..skip]);
            let progress = opts
                .progress
                .then(|| progress_bar(meta.len(), &display))
                .flatten();
            if let Some(p) = &progress {
                p.inc(skip as u64);
            }
            let shared_progress = progress.clone();
            let raw: Box<dyn Read> = Box::new(HashingReader {
                inner: Cursor::new(head[skip..].to_vec()).chain(file),
                hasher: hasher.clone(),
                progress,
            });
            let (decoded, odd_utf16) = decoder(
                raw,
                (encoding, passthru),
                opts,
                meta.len(),
                &display,
                &mut warnings,
            );
            let backslash = match (opts.escape, delim) {
                (Some(b), _) => b,
                (None, Delim::Byte(d)) => match dump_evidence(&sample, d) {
                    Some(why) => {
                        escape_why = Some(why);
                        true
                    }
                    None => false,
                },
                _ => false,
            };
            let (rows, delimiter) = row_source(delim, decoded, backslash, opts);
            let encoding_why = with_escapes(&encoding_why, escape_why, opts.escape);
            Ok(Opened {
                path: path.to_owned(),
                size: meta.len(),
                encoding: encoding.name().to_string(),
                container: "text",
                delimiter,
                sheet: None,
                bulk: match delim {
                    Delim::Byte(d) if passthru && !backslash => Some((d, skip)),
                    _ => None,
                },
                tentative_utf8: tentative,
                encoding_why,
                warnings,
                early_broken: Vec::new(),
                rows,
                progress: shared_progress,
                hasher,
                hashed_all: false,
                partial_hash: odd_utf16,
                sha: None,
            })
        }
    }
}

/// The text stream decoded to UTF-8 (passed through when it is UTF-8 already); UTF-16 of an
/// odd byte count loses its last byte, with a warning (the bool says so).
fn decoder(
    raw: Box<dyn Read>,
    (encoding, passthru): (&'static encoding_rs::Encoding, bool),
    opts: &ReadOptions,
    size: u64,
    display: &str,
    warnings: &mut Vec<Text>,
) -> (Box<dyn Read>, bool) {
    // UTF-16 with an odd byte count ends inside a character: the last byte is left out
    // (named in a warning), not decoded into a U+FFFD glued to the last cell.
    let odd_utf16 =
        (encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE) && size % 2 == 1;
    let raw: Box<dyn Read> = if odd_utf16 {
        warnings.push(crate::tr!(
            "{display}: UTF-16 text of an odd byte count ({} bytes) ends inside a character: its last byte is left out",
            "{display}：UTF-16 文本的字节数为奇数（{} 字节），结尾落在一个字符中间：最后一个字节不读取",
            size
        ));
        Box::new(raw.take(size - 1))
    } else {
        raw
    };
    let decoded: Box<dyn Read> = if passthru {
        // UTF-8: no transcoding needed.
        raw
    } else {
        Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .bom_override(opts.encoding.is_none())
                .build(raw),
        )
    };
    (decoded, odd_utf16)
}

/// A workbook (XLSX or XLS) read whole: the chosen sheet's rows. `head` holds the bytes
/// already read from `file`, `size` the file's size.
fn open_workbook(
    path: &Path,
    (head, mut file, size): (Vec<u8>, File, u64),
    kind: FileKind,
    opts: &ReadOptions,
    display: &str,
    hasher: Rc<RefCell<Sha256>>,
) -> Result<Opened> {
    let mut bytes = head;
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    hasher.borrow_mut().update(&bytes);
    let (sheet, rows) = read_workbook(bytes, opts.sheet.as_deref(), display)?;
    Ok(Opened {
        path: path.to_owned(),
        size,
        encoding: "xlsx/xls (unicode)".into(),
        container: if kind == FileKind::Zip { "xlsx" } else { "xls" },
        delimiter: None,
        sheet: Some(sheet),
        rows: RowSource::Grid(rows.into_iter()),
        bulk: None,
        tentative_utf8: false,
        encoding_why: Text::default(),
        warnings: Vec::new(),
        early_broken: Vec::new(),
        progress: None,
        hasher,
        hashed_all: true,
        partial_hash: false,
        sha: None,
    })
}

/// The text encoding chosen, why, whether invalid bytes were replaced, and whether UTF-8 was
/// chosen from the first 64 KB only (the loader reads again if a later byte says otherwise).
struct Chosen {
    encoding: &'static encoding_rs::Encoding,
    why: Text,
    lossy: bool,
    tentative: bool,
}

/// The encoding of a text file: `--encoding`, else a byte-order mark, else the bytes (the
/// first 64 KB `head` when that is the whole file or they are UTF-8, else every byte).
fn choose_encoding(
    opts: &ReadOptions,
    (head, complete): (&[u8], bool),
    (file, path): (&File, &Path),
    display: &str,
    warnings: &mut Vec<Text>,
) -> Result<Chosen> {
    let mut lossy = false;
    let mut tentative = false;
    let (encoding, why) = match &opts.encoding {
        Some(name) => (
            sniff::encoding_by_name(name).ok_or_else(|| {
                Error::usage(crate::tr!(
                    "--encoding {name:?}: unknown encoding (try utf-8, gbk, gb18030, big5, shift_jis, utf-16le, utf-16be, windows-1251, windows-1252, latin1)",
                    "--encoding {name:?}：未知编码（可用 utf-8、gbk、gb18030、big5、shift_jis、utf-16le、utf-16be、windows-1251、windows-1252、latin1）"
                ))
            })?,
            Text::new("--encoding", "--encoding"),
        ),
        None => match sniff::bom(head) {
            Some((e, _)) => (e, crate::tr!("byte-order mark", "字节顺序标记")),
            None => {
                // Every byte of the file decides, not the first 64 KB: an accent
                // after 64 KB of ASCII is read as what it is.
                let head_utf8 = match std::str::from_utf8(head) {
                    Ok(_) => true,
                    Err(e) => e.error_len().is_none(),
                };
                let ev = if complete {
                    sniff::encoding_of(head)
                } else if head_utf8 && !opts.full_scan {
                    // The first 64 KB are UTF-8: read as UTF-8, and if a later byte is
                    // not, the loader opens the file again with every byte deciding
                    // (no extra pass over a big file in the common case).
                    tentative = true;
                    sniff::EncodingEvidence {
                        encoding: encoding_rs::UTF_8,
                        invalid: 0,
                        first_invalid_line: None,
                        why: crate::tr!("valid UTF-8 throughout", "全部为有效的 UTF-8"),
                    }
                } else {
                    // SAFETY: read-only map of an input salesctl never writes; a file
                    // changed while it is read gives a wrong guess, as a read would.
                    let map = unsafe { memmap2::Mmap::map(file) }
                        .map_err(|e| Error::io(path, e))?;
                    sniff::encoding_of(&map)
                };
                if ev.invalid > 0 {
                    lossy = true;
                    warnings.push(crate::tr!(
                        "{display}: {} invalid UTF-8 byte sequence(s) replaced with U+FFFD (first on line {}); the rest of the file is valid UTF-8",
                        "{display}：{} 个无效的 UTF-8 字节序列已替换为 U+FFFD（第一个在第 {} 行）；文件其余部分是有效的 UTF-8",
                        ev.invalid,
                        ev.first_invalid_line.unwrap_or(0)
                    ));
                }
                (ev.encoding, ev.why)
            }
        },
    };
    Ok(Chosen {
        encoding,
        why,
        lossy,
        tentative,
    })
}

/// The rows of decoded text: CSV-like with delimiter `d` (through the scanner that bounds line
/// length and width), or whitespace-separated; and the delimiter's name.
fn row_source(
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

/// How the text was read, with its backslash escapes when they are on.
fn with_escapes(encoding_why: &Text, escape_why: Option<&str>, escape: Option<bool>) -> Text {
    let (ew, ew_zh) = (&encoding_why.en, encoding_why.get(Lang::ZhCn));
    match (escape_why, escape) {
        (Some(w), _) => {
            let w_zh = match w {
                "\\N null fields" => "\\N 空字段",
                _ => "引号内的 \\\" 转义",
            };
            crate::tr!(
                "{ew}; backslash escapes ({w}; --escape none to read them as text)",
                "{ew_zh}；反斜杠转义（{w_zh}；用 --escape none 可按文本读取）"
            )
        }
        (None, Some(true)) => crate::tr!(
            "{ew}; backslash escapes (--escape)",
            "{ew_zh}；反斜杠转义（--escape）"
        ),
        _ => encoding_why.clone(),
    }
}

fn delim_name(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        other => (other as char).to_string(),
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

use super::workbook::Grid;

/// Read a sheet of an XLSX/XLS workbook into text cells; dates become ISO text. A panic in the
/// workbook library (it has some on damaged files) is exit 3 naming the file, not a crash.
fn read_workbook(bytes: Vec<u8>, sheet: Option<&str>, display: &str) -> Result<(String, Grid)> {
    use super::isolate::{Failed, read_in_child};
    match read_in_child(&bytes, sheet, display) {
        Ok(Some(g)) => return Ok(g),
        Ok(None) => {}
        // The child's own error, in both languages (or as it sent it).
        Err(Failed::Message(m)) => return Err(Error::input(m)),
        Err(Failed::Died(why)) => {
            return Err(Error::NotATable {
                file: display.into(),
                why: Text::new(
                    format!("cannot read the workbook: {}", why.en),
                    format!("无法读取工作簿：{}", why.get(Lang::ZhCn)),
                ),
            });
        }
    }
    read_workbook_here(bytes, sheet, display)
}

/// [`read_workbook`] in this process (the child's side, and library use).
pub(crate) fn read_workbook_here(
    bytes: Vec<u8>,
    sheet: Option<&str>,
    display: &str,
) -> Result<(String, Grid)> {
    crate::error::contain(|| read_workbook_inner(bytes, sheet, display)).unwrap_or_else(|why| {
        Err(Error::NotATable {
            file: display.into(),
            why: crate::tr!(
                "the workbook is damaged (the reader failed: {why}); open and save it again in a spreadsheet program, or export CSV",
                "工作簿已损坏（读取器失败：{why}）；请在电子表格程序中打开并重新保存，或导出为 CSV"
            ),
        })
    })
}

fn read_workbook_inner(
    bytes: Vec<u8>,
    sheet: Option<&str>,
    display: &str,
) -> Result<(String, Grid)> {
    use super::workbook::{self, Failure};
    let max_cells = super::isolate::memory_mib() * (1 << 20) / 48;
    workbook::read(bytes, sheet, max_cells).map_err(|f| match f {
        Failure::Refused(why) => Error::NotATable {
            file: display.into(),
            why: Text::new(
                format!(
                    "{}; open and save it again in a spreadsheet program, or export CSV",
                    why.en
                ),
                format!(
                    "{}；请在电子表格程序中打开并重新保存，或导出为 CSV",
                    why.get(Lang::ZhCn)
                ),
            ),
        },
        Failure::Open(e) => Error::NotATable {
            file: display.into(),
            why: crate::tr!("cannot read it as a workbook: {e}", "无法作为工作簿读取：{e}"),
        },
        Failure::NoSheet { wanted, names } => {
            let names = names.join(", ");
            Error::input(crate::tr!(
                "{display}: no sheet named {wanted:?}; sheets: {names}",
                "{display}：没有名为 {wanted:?} 的工作表；工作表有：{names}"
            ))
        }
        Failure::NoSheets => Error::Empty {
            file: display.into(),
            what: crate::tr!("the workbook has no sheets", "工作簿中没有工作表"),
        },
        Failure::Sheet { name, why } => Error::NotATable {
            file: display.into(),
            why: crate::tr!("sheet {name:?}: {why}", "工作表 {name:?}：{why}"),
        },
        Failure::TooWide {
            rows,
            width,
            far,
            max_cells,
        } => Error::NotATable {
            file: display.into(),
            why: crate::tr!(
                "the sheet's used area is {rows} rows x {width} columns (its farthest column at cell {far}), over the {max_cells} cells --max-workbook-memory allows; raise it, or delete the stray cells and save again",
                "工作表的已用区域为 {rows} 行 x {width} 列（最远的列在单元格 {far}），超过 --max-workbook-memory 允许的 {max_cells} 个单元格；请调高它，或删除多余的单元格后重新保存"
            ),
        },
    })
}
