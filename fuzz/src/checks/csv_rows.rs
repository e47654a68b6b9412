//! crates/load/src/load/csvscan.rs's Scanner under the csv reader, as load/read `open` stacks them.
//!
//! Input: one selector byte, then the text. The selector is the delimiter itself (`,` `;` TAB
//! `|`: quotes doubled) or the same byte with the high bit set (backslash escapes); any other
//! byte picks delim = [`,` `;` TAB `|`][b & 3], backslash = b & 4.
//!
//! Checks: no panic; the scanner outputs at most the input's bytes plus 64 per marker; every
//! marker record the csv reader sees names a broken row in the log; and every logged broken
//! row reaches the csv reader as its own one-field marker record (else the csv reader
//! swallowed it into another record and the rejected row is lost). Marker checks are skipped
//! when the input itself holds the marker text. Every field of every record then goes through
//! the money and date cell parsers (the normaliser's own mapping and column builders need
//! polars and stay out of the fuzz crate).

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use crate::csvscan::{self, ScanOptions, Scanner};
use crate::date::{self, DateCtx, OrderEvidence};
use crate::money;

const DELIMS: [u8; 4] = [b',', b';', b'\t', b'|'];

struct Counting<R> {
    inner: R,
    n: Rc<Cell<usize>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n.set(self.n.get() + n);
        Ok(n)
    }
}

/// The `csv_rows` target: one input.
pub fn csv_rows(data: &[u8]) {
    let Some((&sel, text)) = data.split_first() else {
        return;
    };
    let (delim, backslash) = if DELIMS.contains(&(sel & 0x7f)) {
        (sel & 0x7f, sel & 0x80 != 0)
    } else {
        (DELIMS[(sel & 3) as usize], sel & 4 != 0)
    };
    let mut o = ScanOptions::new(delim, backslash);
    o.max_record_bytes = 4096;
    o.max_columns = 64;
    let scanner = Scanner::new(text, o);
    let log = scanner.log();
    let out = Rc::new(Cell::new(0usize));
    let counted = Counting {
        inner: scanner,
        n: out.clone(),
    };
    // the reader load/read puts behind the scanner
    let mut rdr = csvscan::csv_reader(delim, backslash, counted);

    // The marker text in the input (after the scanner drops NULs) makes marker records the
    // scanner did not write.
    let spoofed = memchr::memchr(1, text).is_some() && {
        let no_nul: Vec<u8> = text.iter().copied().filter(|&c| c != 0).collect();
        memchr::memmem::find(&no_nul, csvscan::MARKER.as_bytes()).is_some()
    };
    let mut rec = csv::StringRecord::new();
    let mut seen = Vec::new();
    let mut reads = 0usize;
    loop {
        reads += 1;
        assert!(
            reads <= text.len() * 2 + 16,
            "csv reader keeps returning records/errors ({reads}) on {} input bytes",
            text.len()
        );
        match rdr.read_record(&mut rec) {
            Ok(true) => {
                if rec.len() == 1 {
                    if let Some(k) = rec.get(0).and_then(csvscan::marker_index) {
                        seen.push(k);
                    }
                }
                // On to the cells, as the normaliser reads them: each field through the money
                // and date parsers (both orders, both decimal marks). No panic on any.
                for field in rec.iter().take(16) {
                    let _ = money::parse(field, false);
                    let _ = money::parse(field, true);
                    let mut ev = OrderEvidence::default();
                    if let Ok(cell) = date::parse(field, &DateCtx::default(), &mut ev) {
                        let _ = date::resolve(cell, true);
                        let _ = date::resolve(cell, false);
                    }
                }
            }
            Ok(false) => break,
            // Invalid UTF-8 in a record: the loader rejects that row and reads on.
            Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {}
            Err(e) => panic!("csv reader error over the scanner: {e}"),
        }
    }
    let log = log.lock().unwrap();
    let markers = log.broken.len();
    assert!(
        out.get() <= text.len() + 64 * markers,
        "scanner wrote {} bytes for {} input bytes and {markers} marker(s)",
        out.get(),
        text.len()
    );
    if markers > 0 || log.nul_bytes > 0 {
        assert!(log.altered, "output altered but log.altered is false");
    }
    if !spoofed {
        for &k in &seen {
            assert!(k < markers, "marker record {k}, but the log has {markers} broken row(s)");
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            markers,
            "the log has {markers} broken row(s) but the csv reader saw marker records {seen:?}: a marker was swallowed into another record"
        );
    }
    for br in &log.broken {
        assert!(br.first_line <= br.last_line, "broken row {br:?}: lines out of order");
    }
}
