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

mod encoding;
mod hash;
mod rows;
mod sheet;

pub(crate) use encoding::*;
pub(crate) use hash::*;
pub(crate) use rows::*;
pub(crate) use sheet::*;

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

use super::workbook::Grid;
