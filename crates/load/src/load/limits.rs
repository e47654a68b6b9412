//! Checks on a workbook's declared sizes before the workbook library allocates from them.
//!
//! XLSX (a zip of XML parts): every XML part is inflated as a stream, counted and thrown away;
//! a part over [`WorkbookLimits::max_part_bytes`], or over 16 MiB at more than
//! [`WorkbookLimits::max_ratio`]:1, is refused (a zip bomb). The shared-string table's declared
//! count must fit its size (the library reserves memory for the declared count), and no shared
//! string may exceed [`WorkbookLimits::max_string_chars`].
//!
//! XLS (a CFB container of BIFF records): the header's sector sizes are the two the format has,
//! every sector count and the directory's stream sizes fit in the file, and every sector chain
//! followed ends within the file's own sector count (no cycles, no chains longer than the file).
//! In the workbook stream, a sheet's declared dimensions and every cell's column must fit an XLS
//! sheet (65,536 x 256): the library reserves and lays out memory from them.
//!
//! These run before parsing; the child process's memory and CPU caps (isolate.rs) stay the
//! backstop for what no check foresees. Std, `zip`, memchr and `crate::text` (the reasons, in
//! English and Chinese) only: fuzzed on its own (fuzz/).

use std::io::{Cursor, Read};

use crate::text::Text;

/// The limits (docs/reliability.md gives each with its reason).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WorkbookLimits {
    /// Most bytes one XML part may inflate to.
    pub(crate) max_part_bytes: u64,
    /// Most inflated bytes per compressed byte, for parts over 16 MiB.
    pub(crate) max_ratio: u64,
    /// Longest shared string, in characters.
    pub(crate) max_string_chars: u64,
}

impl Default for WorkbookLimits {
    fn default() -> Self {
        WorkbookLimits {
            max_part_bytes: 4 << 30,
            max_ratio: 200,
            max_string_chars: 1 << 20,
        }
    }
}

/// Parts smaller than this are never called bombs, whatever their ratio.
const RATIO_FLOOR: u64 = 16 << 20;

/// Check an XLSX's parts. Err: why it is refused. A file the zip reader cannot open passes (the
/// workbook library reports it).
pub(crate) fn check_xlsx(bytes: &[u8], lim: &WorkbookLimits) -> Result<(), Text> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            continue;
        };
        let Ok(name) = part.name().map(|n| n.to_string()) else {
            continue;
        };
        if !(name.ends_with(".xml") || name.ends_with(".rels")) {
            continue;
        }
        let packed = part.compressed_size().max(1);
        let sst = name.ends_with("sharedStrings.xml");
        let mut scan = SstScan::default();
        let mut total: u64 = 0;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = match part.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                // A damaged stream: the library says so when it reads it.
                Err(_) => break,
            };
            total += n as u64;
            if total > lim.max_part_bytes {
                return Err(crate::tr!(
                    "part {name} inflates to more than {} (the limit for one part)",
                    "部件 {name} 解压后超过 {}（单个部件的上限）",
                    mib(lim.max_part_bytes)
                ));
            }
            if total > RATIO_FLOOR && total / packed > lim.max_ratio {
                return Err(crate::tr!(
                    "part {name} inflates {}:1 (from {} packed bytes to over {}): a zip bomb, not an export",
                    "部件 {name} 的解压比为 {}:1（从 {} 个压缩字节解压到超过 {}）：这是 zip 炸弹，不是导出文件",
                    total / packed,
                    packed,
                    mib(total)
                ));
            }
            if sst {
                scan.feed(&buf[..n]);
                if scan.longest > lim.max_string_chars {
                    return Err(crate::tr!(
                        "a shared string in {name} is longer than {} characters (the limit; Excel's own cells hold 32,767)",
                        "{name} 中有一个共享字符串超过 {} 个字符（此为上限；Excel 自身的单元格最多容纳 32,767 个字符）",
                        lim.max_string_chars
                    ));
                }
            }
        }
        if sst {
            // The library reserves room for the declared count: it must fit the part's size
            // (each string takes at least `<si/>`, 5 bytes).
            if let Some(declared) = scan.declared {
                if declared > total / 5 + 16 {
                    return Err(crate::tr!(
                        "{name} declares {declared} shared strings, but its {total} bytes hold at most {}: the file is damaged",
                        "{name} 声明了 {declared} 个共享字符串，但其 {total} 个字节最多只能容纳 {} 个：文件已损坏",
                        total / 5
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Streaming look at sharedStrings.xml: the declared `uniqueCount`, and the longest text.
#[derive(Default)]
struct SstScan {
    head: Vec<u8>,
    declared: Option<u64>,
    /// Characters since the last `>` while outside a tag.
    run: u64,
    longest: u64,
    in_tag: bool,
}

impl SstScan {
    fn feed(&mut self, b: &[u8]) {
        if self.head.len() < 4096 {
            let take = (4096 - self.head.len()).min(b.len());
            self.head.extend_from_slice(&b[..take]);
            if self.declared.is_none() {
                self.declared =
                    attr(&self.head, b"uniqueCount=\"").or_else(|| attr(&self.head, b" count=\""));
            }
        }
        for &c in b {
            if self.in_tag {
                if c == b'>' {
                    self.in_tag = false;
                    self.run = 0;
                }
            } else if c == b'<' {
                self.in_tag = true;
            } else if c & 0xC0 != 0x80 {
                // a character starts (UTF-8 continuation bytes do not)
                self.run += 1;
                self.longest = self.longest.max(self.run);
            }
        }
    }
}

/// The number in `name"123"` inside the `<sst` start tag.
fn attr(head: &[u8], name: &[u8]) -> Option<u64> {
    let sst = memchr::memmem::find(head, b"<sst")?;
    let tag_end = sst + memchr::memchr(b'>', &head[sst..])?;
    let at = sst + memchr::memmem::find(&head[sst..tag_end], name)? + name.len();
    let digits: Vec<u8> = head[at..tag_end]
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

fn mib(n: u64) -> String {
    format!("{} MiB", n >> 20)
}

/// "the workbook is damaged (`what`)", in both languages.
fn damaged<T>(what: Text) -> Result<T, Text> {
    let en = what.en.as_str();
    let zh = what.zh.as_deref().unwrap_or(en);
    Err(crate::tr!(
        "the workbook is damaged ({en})",
        "工作簿已损坏（{zh}）"
    ))
}

const FREESECT: u32 = 0xFFFF_FFFF;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FATSECT: u32 = 0xFFFF_FFFD;
const DIFSECT: u32 = 0xFFFF_FFFC;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Check an XLS's CFB container (MS-CFB). Err: why it is refused.
pub(crate) fn check_xls(b: &[u8]) -> Result<(), Text> {
    if b.len() < 512 {
        return damaged(crate::tr!(
            "{} bytes, shorter than its 512-byte header",
            "{} 字节，比其 512 字节的文件头还短",
            b.len()
        ));
    }
    let shift = u16_at(b, 0x1E).unwrap_or(0);
    let mini_shift = u16_at(b, 0x20).unwrap_or(0);
    if shift != 9 && shift != 12 {
        return damaged(crate::tr!(
            "sector shift {shift}; the format has 9 or 12",
            "扇区移位值为 {shift}；该格式只有 9 或 12"
        ));
    }
    if mini_shift != 6 {
        return damaged(crate::tr!(
            "mini sector shift {mini_shift}; the format has 6",
            "mini 扇区移位值为 {mini_shift}；该格式只有 6"
        ));
    }
    let ss = 1usize << shift;
    // Sectors the file holds after its header (the header takes one sector's room).
    let sectors = (b.len().saturating_sub(ss.max(512))).div_ceil(ss) as u64;
    let n_fat = u64::from(u32_at(b, 0x2C).unwrap_or(0));
    let first_dir = u32_at(b, 0x30).unwrap_or(ENDOFCHAIN);
    let first_minifat = u32_at(b, 0x3C).unwrap_or(ENDOFCHAIN);
    let n_minifat = u64::from(u32_at(b, 0x40).unwrap_or(0));
    let first_difat = u32_at(b, 0x44).unwrap_or(ENDOFCHAIN);
    let n_difat = u64::from(u32_at(b, 0x48).unwrap_or(0));
    for (what, what_zh, n) in [
        ("FAT sectors", "FAT 扇区", n_fat),
        ("mini FAT sectors", "mini FAT 扇区", n_minifat),
        ("DIFAT sectors", "DIFAT 扇区", n_difat),
    ] {
        if n > sectors {
            return damaged(crate::tr!(
                "it declares {n} {what}, but holds {sectors} sectors in all",
                "它声明了 {n} 个 {what_zh}，但总共只有 {sectors} 个扇区"
            ));
        }
    }
    let sector = |i: u32| sector_at(b, ss, i);
    let fat = read_fat(b, ss, (first_difat, n_difat), n_fat)?;
    // A chain: its sectors must exist, and it must end within the file's sector count. Only
    // the sectors a stream needs (`need`) are followed: readers never look further.
    let chain = |start: u32, what: &str, what_zh: &str, need: u64| -> Result<u64, Text> {
        let mut s = start;
        let mut n = 0u64;
        while s != ENDOFCHAIN && n < need {
            if matches!(s, FREESECT | FATSECT | DIFSECT) {
                // Treated as the end, as readers do.
                break;
            }
            n += 1;
            if n > sectors {
                return damaged(crate::tr!(
                    "the {what} chain runs past the file's {sectors} sectors: a loop",
                    "{what_zh}超出了文件的 {sectors} 个扇区：存在循环"
                ));
            }
            let Some(&next) = fat.get(s as usize) else {
                return damaged(crate::tr!(
                    "the {what} chain points at sector {s}, past the end of the file",
                    "{what_zh}指向扇区 {s}，超出了文件末尾"
                ));
            };
            s = next;
        }
        Ok(n)
    };
    let dir_sectors = chain(first_dir, "directory", "目录链", u64::MAX)?;
    if first_minifat != ENDOFCHAIN {
        chain(first_minifat, "mini FAT", "mini FAT 链", n_minifat.max(1))?;
    }
    // The directory: every stream's size must fit in the file.
    let mut s = first_dir;
    for d in 0..dir_sectors {
        let Some(sec) = sector(s) else { break };
        for e in 0..ss / 128 {
            let ent = &sec[e * 128..(e + 1) * 128];
            // The library takes the first entry as the root (its mini stream), whatever its
            // type (found by fuzz/: a root of another type declared a huge mini stream).
            let kind = if d == 0 && e == 0 { 5 } else { ent[0x42] };
            let name = entry_name(ent);
            // The library looks streams up by name alone, whatever their type.
            let workbook = name == "Workbook" || name == "Book";
            if kind != 2 && kind != 5 && !workbook {
                continue;
            }
            let size = if shift == 9 {
                u64::from(u32_at(ent, 0x78).unwrap_or(0))
            } else {
                u32_at(ent, 0x78).map_or(0, u64::from)
                    | (u32_at(ent, 0x7C).map_or(0, u64::from) << 32)
            };
            if size > b.len() as u64 {
                return damaged(crate::tr!(
                    "its stream {name:?} declares {size} bytes in a {}-byte file",
                    "其数据流 {name:?} 声明了 {size} 字节，而文件只有 {} 字节",
                    b.len()
                ));
            }
            if (kind == 2 && size >= 4096) || kind == 5 {
                chain(
                    u32_at(ent, 0x74).unwrap_or(ENDOFCHAIN),
                    "stream",
                    "数据流链",
                    size.div_ceil(ss as u64),
                )?;
            }
            if workbook && size >= 4096 {
                check_biff(&stream_bytes(b, ss, &fat, u32_at(ent, 0x74), size))?;
            }
        }
        s = fat.get(s as usize).copied().unwrap_or(ENDOFCHAIN);
    }
    Ok(())
}

/// Sector `i` of a compound file with sectors of `ss` bytes (the header takes the first).
fn sector_at(b: &[u8], ss: usize, i: u32) -> Option<&[u8]> {
    let start = (i as usize).checked_add(1)?.checked_mul(ss)?;
    b.get(start..start.checked_add(ss)?)
}

/// The compound file's FAT: its sectors are 109 in the header, the rest along the DIFAT
/// chain; each must lie in the file, and the chain must not run longer than declared.
fn read_fat(
    b: &[u8],
    ss: usize,
    (first_difat, n_difat): (u32, u64),
    n_fat: u64,
) -> Result<Vec<u32>, Text> {
    // The FAT's own sectors: 109 in the header, the rest along the DIFAT chain.
    let mut fat_sectors: Vec<u32> = (0..109)
        .filter_map(|k| u32_at(b, 0x4C + 4 * k))
        .filter(|&s| s != FREESECT)
        .collect();
    let mut d = first_difat;
    let mut steps = 0u64;
    while d != ENDOFCHAIN && d != FREESECT && (fat_sectors.len() as u64) < n_fat {
        steps += 1;
        if steps > n_difat + 1 {
            return damaged(crate::tr!(
                "its DIFAT chain is longer than it declares",
                "其 DIFAT 链比声明的更长"
            ));
        }
        let Some(sec) = sector_at(b, ss, d) else {
            return damaged(crate::tr!(
                "DIFAT sector {d} lies past the end of the file",
                "DIFAT 扇区 {d} 位于文件末尾之后"
            ));
        };
        let per = ss / 4 - 1;
        fat_sectors.extend(
            (0..per)
                .filter_map(|k| u32_at(sec, 4 * k))
                .filter(|&s| s != FREESECT),
        );
        d = u32_at(sec, ss - 4).unwrap_or(ENDOFCHAIN);
    }
    fat_sectors.truncate(n_fat as usize);
    let mut fat: Vec<u32> = Vec::with_capacity(fat_sectors.len() * ss / 4);
    for &s in &fat_sectors {
        let Some(sec) = sector_at(b, ss, s) else {
            return damaged(crate::tr!(
                "FAT sector {s} lies past the end of the file",
                "FAT 扇区 {s} 位于文件末尾之后"
            ));
        };
        fat.extend((0..ss / 4).filter_map(|k| u32_at(sec, 4 * k)));
    }
    Ok(fat)
}

/// A stream's `size` bytes along its (checked) sector chain from `start`.
fn stream_bytes(b: &[u8], ss: usize, fat: &[u32], start: Option<u32>, size: u64) -> Vec<u8> {
    let mut data = Vec::with_capacity(size as usize);
    let mut sec = start.unwrap_or(ENDOFCHAIN);
    while (data.len() as u64) < size {
        let Some(bytes) = sector_at(b, ss, sec) else {
            break;
        };
        data.extend_from_slice(bytes);
        sec = fat.get(sec as usize).copied().unwrap_or(ENDOFCHAIN);
    }
    data.truncate(size as usize);
    data
}

/// A directory entry's name as the workbook library reads it: the 64 name bytes up to the first
/// NUL, whatever the entry's length field says (found by fuzz/: a zeroed length hid the stream).
fn entry_name(ent: &[u8]) -> String {
    char::decode_utf16(
        ent[..64]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0),
    )
    .map(|r| r.unwrap_or('?'))
    .collect()
}

/// An XLS sheet's most rows and columns (BIFF8; BIFF5 has fewer rows).
const XLS_ROWS: u64 = 65_536;
const XLS_COLS: u64 = 256;

/// The BIFF records of a workbook stream: a sheet's declared dimensions and every cell's column
/// must fit an XLS sheet, since the workbook library reserves (DIMENSIONS) and lays out (the
/// cells' bounding box) memory from them: a 5 KB file with one cell at column 65,535 would ask
/// for 137 GB.
fn check_biff(data: &[u8]) -> Result<(), Text> {
    let mut at = 0usize;
    while at + 4 <= data.len() {
        let typ = u16_at(data, at).unwrap_or(0);
        let len = usize::from(u16_at(data, at + 2).unwrap_or(0));
        let Some(r) = data.get(at + 4..at + 4 + len) else {
            break;
        };
        match typ {
            // DIMENSIONS: first row, last row + 1, first column, last column + 1
            0x0200 => {
                let (rf, rl, cf, cl) = match len {
                    10 => (
                        u64::from(u16_at(r, 0).unwrap_or(0)),
                        u64::from(u16_at(r, 2).unwrap_or(0)),
                        u64::from(u16_at(r, 4).unwrap_or(0)),
                        u64::from(u16_at(r, 6).unwrap_or(0)),
                    ),
                    14 | 16 => (
                        u64::from(u32_at(r, 0).unwrap_or(0)),
                        u64::from(u32_at(r, 4).unwrap_or(0)),
                        u64::from(u16_at(r, 8).unwrap_or(0)),
                        u64::from(u16_at(r, 10).unwrap_or(0)),
                    ),
                    _ => (0, 0, 0, 0),
                };
                // The library's own reading (xls.rs parse_dimensions and the reserve after it),
                // in its u32 arithmetic: a last row before the first wraps to 4 billion rows.
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                let (rows, cols) = if rl >= 1 && cl >= 1 {
                    let span = |last: u64, first: u64| {
                        u64::from(
                            ((last - 1) as u32)
                                .wrapping_sub(first as u32)
                                .wrapping_add(1),
                        )
                    };
                    (span(rl, rf), span(cl, cf))
                } else {
                    (1, 1)
                };
                if rows > XLS_ROWS || cols > XLS_COLS {
                    return damaged(crate::tr!(
                        "a sheet declares {rows} rows x {cols} columns; an XLS sheet holds at most {XLS_ROWS} x {XLS_COLS}",
                        "一个工作表声明了 {rows} 行 x {cols} 列；XLS 工作表最多容纳 {XLS_ROWS} x {XLS_COLS}"
                    ));
                }
            }
            // cells: row, column first (Number, Label, RString, BoolErr, Rk, LabelSst, Formula)
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 if len >= 4 => {
                let col = u64::from(u16_at(r, 2).unwrap_or(0));
                if col >= XLS_COLS {
                    return damaged(crate::tr!(
                        "a cell at column {}, past an XLS sheet's {XLS_COLS} columns",
                        "第 {} 列有一个单元格，超出了 XLS 工作表的 {XLS_COLS} 列",
                        col + 1
                    ));
                }
            }
            // MulRk: row, first column, 6 bytes per value, last column; the library numbers the
            // values from the first column on, whatever the last says
            0x00BD if len >= 6 => {
                let first = u64::from(u16_at(r, 2).unwrap_or(0));
                let n = ((len - 6) / 6) as u64;
                let stated = u64::from(u16_at(r, len - 2).unwrap_or(0));
                let last = stated.max(first + n.saturating_sub(1));
                if last >= XLS_COLS {
                    return damaged(crate::tr!(
                        "a cell at column {}, past an XLS sheet's {XLS_COLS} columns",
                        "第 {} 列有一个单元格，超出了 XLS 工作表的 {XLS_COLS} 列",
                        last + 1
                    ));
                }
            }
            _ => {}
        }
        at += 4 + len;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sst_scan_reads_the_declared_count_and_the_longest_text() {
        let mut s = SstScan::default();
        s.feed(b"<?xml?><sst xmlns=\"x\" count=\"9\" uniqueCount=\"3\"><si><t>ab");
        s.feed("cd\u{e9}</t></si><si><t>x</t></si></sst>".as_bytes());
        assert_eq!(s.declared, Some(3));
        assert_eq!(s.longest, 5);
    }

    #[test]
    fn short_or_odd_xls_headers_are_damaged() {
        assert!(check_xls(&[0u8; 100]).unwrap_err().en.contains("shorter"));
        let mut h = vec![0u8; 1024];
        h[0x1E] = 30;
        assert!(check_xls(&h).unwrap_err().en.contains("sector shift 30"));
    }

    #[test]
    fn biff_records_must_fit_an_xls_sheet() {
        // BOF-like filler, then a Number cell at row 3, column 5: fine
        let rec = |typ: u16, data: &[u8]| {
            let mut v = typ.to_le_bytes().to_vec();
            v.extend_from_slice(&(data.len() as u16).to_le_bytes());
            v.extend_from_slice(data);
            v
        };
        let mut ok = rec(0x0809, &[0; 16]);
        ok.extend(rec(0x0203, &[3, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        ok.extend(rec(0x0200, &[0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 6, 0, 0, 0]));
        assert_eq!(check_biff(&ok), Ok(()));
        // a cell at column 65,535 (the 137 GB layout)
        let far = rec(0x027E, &[0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0]);
        assert!(check_biff(&far).unwrap_err().en.contains("column 65536"));
        // a last row before the first (found by fuzz/): the library's u32 count wraps
        let back = rec(0x0200, &[10, 0, 0, 0, 5, 0, 0, 0, 0, 0, 6, 0, 0, 0]);
        assert!(
            check_biff(&back)
                .unwrap_err()
                .en
                .contains("4294967291 rows")
        );
        // DIMENSIONS of 4 billion rows
        let dims = rec(
            0x0200,
            &[0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 6, 0, 0, 0],
        );
        assert!(check_biff(&dims).unwrap_err().en.contains("rows x"));
        // MulRk ending at column 300
        let mul = rec(0x00BD, &[0, 0, 250, 0, 0, 0, 0, 0, 0, 0, 0x2C, 0x01]);
        assert!(check_biff(&mul).unwrap_err().en.contains("column 301"));
    }

    #[test]
    fn a_zip_that_is_no_zip_passes_to_the_library() {
        assert!(check_xlsx(b"not a zip", &WorkbookLimits::default()).is_ok());
    }
}
