//! crates/load/src/load/sniff.rs over a file's first bytes, as load/read `open` uses it for delimited text:
//! kind, BOM, encoding (every byte deciding), decode, delimiter.

use crate::sniff::{self, FileKind};

/// The `sniff_decode` target: one input.
pub fn sniff_decode(data: &[u8]) {
    let kind = sniff::kind(data);
    let _ = sniff::utf16_without_bom(data);
    if kind != Ok(FileKind::Text) {
        return;
    }
    let encoding = match sniff::bom(data) {
        Some((e, n)) => {
            assert!(n <= data.len(), "BOM length {n} past the data ({})", data.len());
            e
        }
        None => {
            let ev = sniff::encoding_of(data);
            if ev.invalid > 0 {
                assert_eq!(ev.encoding, encoding_rs::UTF_8);
                assert!(ev.first_invalid_line.is_some());
            }
            ev.encoding
        }
    };
    let (sample, _, _) = encoding.decode(data);
    let _ = sniff::delimiter(&sample);
    // `--encoding NAME` resolution, with the first line as the name.
    if let Some(first) = sample.lines().next() {
        let name: String = first.chars().take(40).collect();
        let _ = sniff::encoding_by_name(&name);
    }
}
