//! Quote-free UTF-8 files read in parallel parts: split points at line ends, each slice parsed
//! on its own, the mapped pages released as they are done.

use super::*;

/// A big UTF-8 delimited file: the rest of it (after the rows already read) split at record
/// boundaries and parsed in parallel, with the sha256 of the whole file computed beside.
/// None when the file is small, or not plain delimited UTF-8, or rows need numbering as they
/// are read (derived order ids, HubSpot stage columns): then the caller reads row by row.
pub(super) fn parallel_parts(
    opened: &mut Opened,
    cx: &Cx,
    first: &Part,
    count: usize,
) -> Result<Option<Vec<Part>>> {
    let Some((delim, skip)) = opened.bulk else {
        return Ok(None);
    };
    let Some(pos) = opened.rows.csv_position() else {
        return Ok(None);
    };
    if !cx.wide.is_empty() || matches!(first.derived.id, Some((_, "order_id"))) {
        return Ok(None);
    }
    let part_bytes = std::env::var("SALESCTL_PART_BYTES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&v| v > 0)
        .unwrap_or(PART_BYTES);
    let start = skip + pos as usize;
    let len = (opened.size as usize).saturating_sub(start);
    let threads = rayon::current_num_threads().max(1);
    let n = (len / part_bytes).min(threads * 4);
    if n < 2 {
        return Ok(None);
    }
    let file = std::fs::File::open(&opened.path).map_err(|e| Error::io(&opened.path, e))?;
    // SAFETY: the map is read-only and lives while the parts are parsed; salesctl never writes
    // its inputs. A file changed by another process while it is read gives wrong rows, as a
    // streamed read would.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(&opened.path, e))?;
    if map.len() != opened.size as usize || start > map.len() {
        return Ok(None);
    }
    let data = &map[start..];
    let Some(bounds) = split_points(data, n, delim) else {
        return Ok(None);
    };
    // The file's pages are dropped from this process as each piece is read (they stay in the
    // page cache): a big export does not count twice in memory, as file and as columns.
    release(&map, 0, map.len());
    // The bar the streamed reader started moves on as each part is parsed (it stood at the
    // bytes read ahead before, then vanished: 5 of 8 seconds of a big ingest showed nothing).
    let progress = opened.progress.clone();
    if let Some(p) = &progress {
        p.set_position(start as u64);
        let path = opened.path.display();
        let msg = crate::tr!("{path} (parsing)", "{path}（解析中）");
        p.set_message(msg.get(crate::warn::lang()).to_string());
    }
    let (parts, sha) = rayon::join(
        || {
            use rayon::prelude::*;
            bounds
                .par_windows(2)
                .map(|w| {
                    let parsed = parse_slice(cx, &data[w[0]..w[1]], delim);
                    release(&map, start + w[0], start + w[1]);
                    if let Some(p) = &progress {
                        p.inc((w[1] - w[0]) as u64);
                    }
                    parsed
                })
                .collect::<Vec<_>>()
        },
        || {
            // No manifest is written when a command reads only some columns: no hash then.
            cx.s.only.is_none().then(|| {
                let mut h = Sha256::new();
                for (i, piece) in map.chunks(HASH_PIECE).enumerate() {
                    h.update(piece);
                    release(&map, i * HASH_PIECE, i * HASH_PIECE + piece.len());
                }
                h.finalize()
            })
        },
    );
    if let Some(sha) = sha {
        opened.set_sha256(&sha);
    }
    // Row numbers: each part's count after the records before it.
    let mut base = count;
    let mut out = Vec::with_capacity(parts.len());
    for (mut part, k) in parts {
        for r in &mut part.rejects {
            r.row += base;
        }
        if let Some(t) = &mut part.first_twin_diff {
            t.0 += base;
        }
        base += k;
        out.push(part);
    }
    Ok(Some(out))
}

/// Drop this process's mapping of `map[from..to]` (from rounded down to a page). The pages
/// stay in the page cache, and a later read of them maps the same file contents again.
pub(super) fn release(map: &memmap2::Mmap, from: usize, to: usize) {
    #[cfg(unix)]
    {
        let start = from / 4096 * 4096;
        let to = to.min(map.len());
        if to > start {
            // SAFETY: the map is read-only and salesctl never writes its inputs: after
            // MADV_DONTNEED a read of these pages maps the same file contents again, so the
            // slices borrowed from the map keep their bytes. A failure (another page size)
            // only keeps the pages.
            let _ = unsafe {
                map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, to - start)
            };
        }
    }
    #[cfg(not(unix))]
    let _ = (map, from, to);
}

/// Parse one part of a big file: its records and how many there were.
pub(super) fn parse_slice<'a>(cx: &Cx<'a>, slice: &[u8], delim: u8) -> (Part, usize) {
    let cap = slice.len() / 40 + 16;
    let mut part = Part::new(cx, cap);
    let mut k = 0usize;
    // NUL bytes are removed from text, as the streamed reader's scanner does, and counted. One
    // pass looks for quotes and NULs together: most parts hold neither, and plain_text's own
    // look for a quote then finds none at once.
    let quote_or_nul = memchr::memchr2(b'"', 0, slice).is_some();
    let nul = if quote_or_nul {
        memchr::memchr_iter(0, slice).count()
    } else {
        0
    };
    let stripped: Vec<u8>;
    let slice = if nul > 0 {
        part.nul_bytes += nul;
        stripped = slice.iter().copied().filter(|&b| b != 0).collect();
        &stripped[..]
    } else {
        slice
    };
    if let Some(text) = plain_text(slice, !quote_or_nul) {
        each_line(text, delim, cx.width, |line| {
            k += 1;
            part.row(cx, k, line);
        });
        return (part, k);
    }
    let mut rdr = crate::load::read::csv_reader(delim, slice);
    let mut rec = StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {
                k += 1;
                part.row(cx, k, &rec);
            }
            Ok(false) => break,
            Err(e) => {
                k += 1;
                part.unreadable(cx, k, &crate::load::read::csv_error(&e));
            }
        }
    }
    (part, k)
}

/// `str::trim`, with cells that start and end in a visible ASCII character (most) returned as
/// they are without a look at what Unicode calls whitespace.
pub(super) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if (b'!'..=b'~').contains(&f) && (b'!'..=b'~').contains(&l) => s,
        _ => s.trim(),
    }
}

/// A part that the csv reader would cut exactly at newlines and delimiters: valid UTF-8, no
/// quote, and no carriage return except before a newline. None otherwise (the reader is used).
/// `quote_free`: the caller has already seen that it holds no quote.
pub(super) fn plain_text(slice: &[u8], quote_free: bool) -> Option<&str> {
    if !quote_free && memchr::memchr(b'"', slice).is_some() {
        return None;
    }
    if memchr::memchr_iter(b'\r', slice).any(|i| slice.get(i + 1) != Some(&b'\n')) {
        return None;
    }
    std::str::from_utf8(slice).ok()
}

/// The records of a [`plain_text`] part: a record is a line, its cells split at the
/// delimiter, as the csv reader would cut them (an empty line is no record).
pub(super) fn each_line<'a>(text: &'a str, delim: u8, width: usize, mut f: impl FnMut(&Line<'a>)) {
    let mut line = Line {
        cells: Vec::with_capacity(width + 1),
    };
    let b = text.as_bytes();
    // One pass for delimiters and newlines; both are ASCII, so every cut is a char boundary.
    let mut start = 0;
    let mut end_line = |line: &mut Line<'a>, start: usize, end: usize| {
        let end = if end > start && b[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        let last = text.get(start..end).unwrap_or("");
        if !(line.cells.is_empty() && last.is_empty()) {
            line.cells.push(last);
            f(line);
        }
        line.cells.clear();
    };
    for i in memchr::memchr2_iter(delim, b'\n', b) {
        if b[i] == delim {
            line.cells.push(text.get(start..i).unwrap_or(""));
        } else {
            end_line(&mut line, start, i);
        }
        start = i + 1;
    }
    if start < b.len() || !line.cells.is_empty() {
        end_line(&mut line, start, b.len());
    }
}

/// Offsets that cut `data` into about `n` parts at record boundaries: after a newline outside
/// quotes. None when a quote stands where a CSV writer would not put one (inside an unquoted
/// field), since quote parity then says nothing: the caller reads the file sequentially.
pub(super) fn split_points(data: &[u8], n: usize, delim: u8) -> Option<Vec<usize>> {
    let len = data.len();
    let mut cuts = vec![0usize];
    let next_target = |k: usize| len * k / n;
    let mut k = 1;
    if memchr::memchr(b'"', data).is_none() {
        while k < n {
            let t = next_target(k).max(*cuts.last()?);
            match memchr::memchr(b'\n', &data[t..]) {
                Some(i) if t + i + 1 < len => {
                    if t + i + 1 > *cuts.last()? {
                        cuts.push(t + i + 1);
                    }
                }
                _ => break,
            }
            k += 1;
        }
    } else {
        let mut in_quote = false;
        for i in memchr::memchr2_iter(b'"', b'\n', data) {
            if data[i] == b'"' {
                if !in_quote {
                    let prev = if i == 0 { b'\n' } else { data[i - 1] };
                    // An opening quote starts a field (or follows the quote that closed a
                    // doubled pair, which the toggle has already handled).
                    if !(prev == delim || prev == b'\n' || prev == b'\r' || prev == b'"') {
                        return None;
                    }
                } else {
                    let next = data.get(i + 1).copied().unwrap_or(b'\n');
                    if !(next == delim || next == b'\n' || next == b'\r' || next == b'"') {
                        return None;
                    }
                }
                in_quote = !in_quote;
            } else if in_quote {
                // A quoted cell over lines: read streamed, where the scanner tells a multi-line
                // cell from a broken quote (crates/load/src/load/csvscan.rs).
                return None;
            } else if k < n && i >= next_target(k) && i + 1 < len {
                cuts.push(i + 1);
                k += 1;
                while k < n && next_target(k) <= i {
                    k += 1;
                }
            }
        }
        if in_quote {
            return None;
        }
    }
    cuts.push(len);
    (cuts.len() > 2).then_some(cuts)
}
