//! Looking at the first bytes of a file: what it is, its encoding and its delimiter.

use encoding_rs::Encoding;

use crate::text::Text;

/// What kind of file the bytes say this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// Delimited text (CSV, TSV, `;`, `|`, whitespace runs).
    Text,
    /// XLSX / XLSM / ODS (a zip container).
    Zip,
    /// Old binary Excel (an OLE compound file).
    Xls,
}

/// Classify a file from its first bytes; Err names why it is not a table.
pub(crate) fn kind(head: &[u8]) -> Result<FileKind, Text> {
    // (magic, English, Chinese)
    const MAGIC: &[(&[u8], &str, &str)] = &[
        (b"\x89PNG", "a PNG image", "是 PNG 图片"),
        (b"%PDF", "a PDF document", "是 PDF 文档"),
        (b"\xff\xd8\xff", "a JPEG image", "是 JPEG 图片"),
        (b"GIF8", "a GIF image", "是 GIF 图片"),
        (
            b"\x1f\x8b",
            "a gzip archive (decompress it first)",
            "是 gzip 压缩包（请先解压）",
        ),
        (
            b"PAR1",
            "a parquet file (pass the ingested directory instead)",
            "是 parquet 文件（请改为传入已导入的目录）",
        ),
        (b"\x7fELF", "an executable", "是可执行文件"),
    ];
    for (magic, what, what_zh) in MAGIC {
        if head.starts_with(magic) {
            return Err(crate::tr!("the file is {what}", "该文件{what_zh}"));
        }
    }
    if head.starts_with(b"PK\x03\x04") {
        return Ok(FileKind::Zip);
    }
    if head.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return Ok(FileKind::Xls);
    }
    if bom(head).is_some_and(|(e, _)| e != encoding_rs::UTF_8) || utf16_without_bom(head).is_some()
    {
        return Ok(FileKind::Text);
    }
    let sample = &head[..head.len().min(8192)];
    let controls = sample
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)))
        .count();
    // Evidence over the sample, not one byte: a few NULs inside text are removed by the reader
    // (with a warning); at least 1% control bytes, and 8 or more of them (or over 10% of a
    // short sample), is binary.
    let share = controls * 100 / sample.len().max(1);
    if (controls >= 8 && share >= 1) || (controls > 0 && share >= 10) {
        return Err(crate::tr!(
            "it holds binary data, not delimited text",
            "文件内容是二进制数据，不是分隔符文本"
        ));
    }
    Ok(FileKind::Text)
}

/// The byte-order mark, if any: its encoding and length.
pub(crate) fn bom(head: &[u8]) -> Option<(&'static Encoding, usize)> {
    Encoding::for_bom(head)
}

/// Guess the encoding of a sample without a BOM: UTF-8 when valid, else [`encoding_of`].
#[cfg(test)]
pub(crate) fn guess_encoding(head: &[u8], complete: bool) -> &'static Encoding {
    if let Some((e, _)) = bom(head) {
        return e;
    }
    match std::str::from_utf8(head) {
        Ok(_) => return encoding_rs::UTF_8,
        // A multi-byte character cut by the end of the sample is still UTF-8.
        Err(e) if !complete && e.error_len().is_none() => return encoding_rs::UTF_8,
        Err(_) => {}
    }
    encoding_of(head).encoding
}

/// UTF-16 text without a byte-order mark: text of mostly ASCII characters has a zero in every
/// other byte (the high byte in LE at odd offsets, in BE at even ones), and no zero in the others.
pub(crate) fn utf16_without_bom(head: &[u8]) -> Option<&'static Encoding> {
    let sample = &head[..head.len().min(8192) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let zeros_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let zeros_odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if zeros_odd * 10 >= pairs * 3 && zeros_even * 50 <= pairs {
        Some(encoding_rs::UTF_16LE)
    } else if zeros_even * 10 >= pairs * 3 && zeros_odd * 50 <= pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// What the bytes of a whole file say about its encoding (decided from every non-ASCII byte).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EncodingEvidence {
    pub(crate) encoding: &'static Encoding,
    /// Invalid UTF-8 sequences replaced with U+FFFD (when the file is UTF-8 with a few bad bytes).
    pub(crate) invalid: usize,
    /// The line of the first invalid sequence (1-based).
    pub(crate) first_invalid_line: Option<usize>,
    /// Why, in words (for the `input:` line and --explain).
    pub(crate) why: Text,
}

/// Bytes of lines holding non-ASCII bytes fed to the legacy-encoding detector, at most.
const DETECTOR_BYTES: usize = 8 << 20;

/// Decide the encoding of a file without a BOM from all of its bytes: pure ASCII or valid UTF-8
/// is UTF-8; valid multi-byte UTF-8 with a few invalid sequences (at most 3 or one in ten, never more than the valid ones) is UTF-8
/// with the bad bytes replaced; otherwise the legacy encoding chardetng (Firefox's detector)
/// finds over every line that holds a high byte.
pub(crate) fn encoding_of(data: &[u8]) -> EncodingEvidence {
    if let Some(e) = utf16_without_bom(data) {
        return EncodingEvidence {
            encoding: e,
            invalid: 0,
            first_invalid_line: None,
            why: crate::tr!(
                "UTF-16 without a byte-order mark (a zero in every other byte)",
                "没有字节顺序标记的 UTF-16（每隔一个字节为零）"
            ),
        };
    }
    // SIMD validation (simdutf8): this pass reads the whole file, so it must cost little next
    // to parsing it (std's validator made a raw 1M-deal funnel 8% slower).
    if simdutf8::basic::from_utf8(data).is_ok() {
        return EncodingEvidence {
            encoding: encoding_rs::UTF_8,
            invalid: 0,
            first_invalid_line: None,
            why: if data.len() < (1 << 20) && data.is_ascii() {
                crate::tr!("ASCII", "ASCII")
            } else {
                crate::tr!("valid UTF-8 throughout", "全部为有效的 UTF-8")
            },
        };
    }
    let (mut multibyte, mut invalid, mut first_bad) = (0usize, 0usize, None);
    let mut offset = 0usize;
    for chunk in data.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        offset += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            invalid += 1;
            first_bad.get_or_insert(offset);
        }
        offset += chunk.invalid().len();
    }
    // A multi-byte character cut by the end of the data is not evidence against UTF-8.
    if multibyte >= invalid && (invalid <= 3 || invalid * 10 <= multibyte) {
        let line = first_bad.map(|o| memchr::memchr_iter(b'\n', &data[..o]).count() + 1);
        return EncodingEvidence {
            encoding: encoding_rs::UTF_8,
            invalid,
            first_invalid_line: line,
            why: crate::tr!(
                "UTF-8 ({multibyte} valid multi-byte characters, {invalid} invalid sequence(s) replaced)",
                "UTF-8（{multibyte} 个有效的多字节字符，{invalid} 个无效序列已替换）"
            ),
        };
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let mut fed = 0usize;
    for line in data.split(|&b| b == b'\n') {
        if line.is_ascii() {
            continue;
        }
        det.feed(line, false);
        det.feed(b"\n", false);
        fed += line.len() + 1;
        if fed > DETECTOR_BYTES {
            break;
        }
    }
    det.feed(b"", true);
    let e = det.guess(None, chardetng::Utf8Detection::Deny);
    EncodingEvidence {
        encoding: e,
        invalid: 0,
        first_invalid_line: None,
        why: crate::tr!(
            "{} by chardetng over {} byte(s) of non-ASCII lines",
            "{}（chardetng 根据非 ASCII 行的 {} 个字节判断）",
            e.name(),
            fed
        ),
    }
}

/// Resolve an `--encoding` name (`gbk`, `gb18030`, `utf-8`, `utf-16le`, `latin1`...).
pub(crate) fn encoding_by_name(name: &str) -> Option<&'static Encoding> {
    let n = name.trim().to_ascii_lowercase();
    let n = match n.as_str() {
        "latin1" | "latin-1" | "iso-8859-1" => "windows-1252",
        "utf8" => "utf-8",
        "cp1252" => "windows-1252",
        "cp1251" => "windows-1251",
        "cp1250" => "windows-1250",
        "cp936" => "gbk",
        "cp932" | "sjis" => "shift_jis",
        other => other,
    };
    Encoding::for_label(n.as_bytes())
}

/// The field separator of delimited text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delim {
    Byte(u8),
    /// Runs of spaces or tabs (CDNOW's fixed-width-ish text).
    Whitespace,
}

/// Detect the delimiter from decoded sample text: the candidate that splits the most lines into the
/// same number (> 1) of fields, counting only separators outside double quotes.
pub(crate) fn delimiter(sample: &str) -> Delim {
    let lines: Vec<&str> = logical_lines(sample)
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    if lines.is_empty() {
        return Delim::Byte(b',');
    }
    let mut best: Option<(usize, usize, u8)> = None; // (lines agreeing, fields, delim)
    for d in [b',', b'\t', b';', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let header = counts[0];
        if header == 0 {
            continue;
        }
        let agree = counts.iter().filter(|&&c| c == header).count();
        let cand = (agree, header, d);
        if best.is_none_or(|b| (cand.0, cand.1) > (b.0, b.1)) {
            best = Some(cand);
        }
    }
    match best {
        Some((agree, _, d)) if agree * 2 >= lines.len() => Delim::Byte(d),
        _ => {
            let ws: Vec<usize> = lines.iter().map(|l| l.split_whitespace().count()).collect();
            if ws[0] > 1 && ws.iter().all(|&c| c == ws[0]) {
                Delim::Whitespace
            } else {
                best.map_or(Delim::Byte(b','), |b| Delim::Byte(b.2))
            }
        }
    }
}

/// Lines of the sample, joining lines broken inside quoted fields.
fn logical_lines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\n' if !in_quotes => {
                out.push(s[start..i].trim_end_matches('\r'));
                start = i + 1;
            }
            _ => {}
        }
    }
    // The last line may be cut by the end of the sample: only keep it when it is the whole file.
    if start < s.len() && out.is_empty() {
        out.push(&s[start..]);
    }
    out
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut n = 0;
    let mut q = false;
    for &b in line.as_bytes() {
        if b == b'"' {
            q = !q;
        } else if b == d && !q {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert!(
            kind(b"\x89PNG\r\n\x1a\n....")
                .unwrap_err()
                .en
                .contains("PNG")
        );
        assert_eq!(kind(b"PK\x03\x04xxxx"), Ok(FileKind::Zip));
        assert_eq!(
            kind(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
            Ok(FileKind::Xls)
        );
        assert_eq!(kind(b"a,b\n1,2\n"), Ok(FileKind::Text));
        assert!(kind(b"a,b\x00\x01\x02\x03").is_err());
        // a few NULs inside text are no binary file: the reader removes them, with a warning
        let mut text = b"id,name\n".repeat(40);
        text.extend_from_slice(b"1,x\x00y\x00\n");
        assert_eq!(kind(&text), Ok(FileKind::Text));
        assert_eq!(kind(b"\xff\xfea\x00,\x00"), Ok(FileKind::Text));
    }

    #[test]
    fn encodings() {
        assert_eq!(
            guess_encoding("商机名称,金额\n".as_bytes(), true),
            encoding_rs::UTF_8
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("商机名称,金额\n赢单,100\n");
        assert_eq!(guess_encoding(&gbk, true), encoding_rs::GBK);
        assert_eq!(
            guess_encoding(b"Name\nJos\xe9\n", true),
            encoding_rs::WINDOWS_1252
        );
        assert_eq!(guess_encoding(b"\xef\xbb\xbfa,b", true), encoding_rs::UTF_8);
        assert_eq!(
            guess_encoding(b"\xff\xfea\x00", true),
            encoding_rs::UTF_16LE
        );
        assert_eq!(
            guess_encoding(b"\xfe\xff\x00a", true),
            encoding_rs::UTF_16BE
        );
        // a UTF-8 character cut by the sample's end
        let cut = &"ab商".as_bytes()[..4];
        assert_eq!(guess_encoding(cut, false), encoding_rs::UTF_8);
        assert_eq!(encoding_by_name("GBK").unwrap().name(), "GBK");
        assert_eq!(
            encoding_by_name("latin1").unwrap(),
            encoding_rs::WINDOWS_1252
        );
    }

    #[test]
    fn delimiters() {
        assert_eq!(delimiter("a,b,c\n1,2,3\n"), Delim::Byte(b','));
        assert_eq!(delimiter("a;b;c\n1,5;2;3\n"), Delim::Byte(b';'));
        assert_eq!(delimiter("a\tb\n1\t2\n"), Delim::Byte(b'\t'));
        assert_eq!(delimiter("a|b\n1|2\n"), Delim::Byte(b'|'));
        assert_eq!(
            delimiter("0001   00001 19970101 1  11.77\r\n0002   00002 19970112 1  12.00\r\n"),
            Delim::Whitespace
        );
        assert_eq!(delimiter("\"a,x\";b\n\"1,2\";3\n"), Delim::Byte(b';'));
        assert_eq!(delimiter("\"multi\nline\",b\n1,2\n"), Delim::Byte(b','));
    }
}
