//! The text's encoding: a BOM, `--encoding`, or the evidence of the bytes; the decoder, and
//! how the text was read in words.

use super::*;

/// The text stream decoded to UTF-8 (passed through when it is UTF-8 already); UTF-16 of an
/// odd byte count loses its last byte, with a warning (the bool says so).
pub(crate) fn decoder(
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

/// The text encoding chosen, why, whether invalid bytes were replaced, and whether UTF-8 was
/// chosen from the first 64 KB only (the loader reads again if a later byte says otherwise).
pub(crate) struct Chosen {
    pub(super) encoding: &'static encoding_rs::Encoding,
    pub(super) why: Text,
    pub(super) lossy: bool,
    pub(super) tentative: bool,
}

/// The encoding of a text file: `--encoding`, else a byte-order mark, else the bytes (the
/// first 64 KB `head` when that is the whole file or they are UTF-8, else every byte).
pub(crate) fn choose_encoding(
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

/// How the text was read, with its backslash escapes when they are on.
pub(crate) fn with_escapes(
    encoding_why: &Text,
    escape_why: Option<&str>,
    escape: Option<bool>,
) -> Text {
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
