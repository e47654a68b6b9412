//! Fonts for charts: a bundled DejaVu Sans for Latin text, a bundled subset of Noto Sans CJK SC
//! covering GB 2312 for Chinese, and for characters outside it a system font found through
//! fontdb (`--font PATH` overrides both). A chart whose text no font covers is not drawn: never
//! an image of empty boxes.

use std::path::Path;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};

use crate::text::Text;

/// DejaVu Sans (Bitstream Vera licence, see assets/fonts/DejaVuSans-LICENSE.txt) cut to the
/// Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic scripts and the common symbols,
/// without its hinting programs, which ab_glyph does not run: 306 KB of 760 KB, carried as is
/// (made by assets/fonts/make_latin_subset.sh). Outlines, advances and kerning are the full
/// font's; a test compares them glyph by glyph.
pub(crate) fn latin() -> &'static [u8] {
    include_bytes!("../../../../../assets/fonts/DejaVuSans-subset.ttf")
}

/// Noto Sans CJK SC Regular cut to GB 2312, ASCII, Latin-1, general punctuation and currency
/// signs, renamed "Salesctl CJK Subset" (SIL OFL 1.1, see assets/fonts/NotoSansSC-LICENSE.txt;
/// made by assets/fonts/make_cjk_subset.sh).
pub fn cjk_subset() -> &'static [u8] {
    include_bytes!("../../../../../assets/fonts/NotoSansSC-GB2312.otf")
}

/// Set to a non-empty value, system fonts are not searched (tests; machines with broken
/// font folders).
pub(crate) const NO_SYSTEM_FONTS: &str = "SALESCTL_NO_SYSTEM_FONTS";

/// Family names tried first, in order, for Chinese text.
const CJK_FAMILIES: &[&str] = &[
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Droid Sans Fallback",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "SimHei",
    "Heiti SC",
    "Arial Unicode MS",
];

/// Does `font` have a glyph for every non-space character of `text`?
pub fn covers(font: &[u8], text: &str) -> bool {
    match FontRef::try_from_slice(font) {
        Ok(f) => text
            .chars()
            .filter(|c| !c.is_whitespace())
            .all(|c| f.glyph_id(c).0 != 0),
        Err(_) => false,
    }
}

/// A font file's bytes, leaked for the life of the process (plotters needs 'static).
fn leak_file(path: &Path) -> Result<&'static [u8], Text> {
    let p = path.display();
    let bytes =
        std::fs::read(path).map_err(|e| crate::tr!("--font {p}: {e}", "--font {p}：{e}"))?;
    FontRef::try_from_slice(&bytes).map_err(|_| {
        crate::tr!(
            "--font {p}: not a TrueType/OpenType font",
            "--font {p}：不是 TrueType/OpenType 字体"
        )
    })?;
    Ok(Box::leak(bytes.into_boxed_slice()))
}

/// Find a system font that covers `text`: the preferred families first, then any face.
pub(crate) fn system_cjk(text: &str) -> Option<&'static [u8]> {
    if std::env::var_os(NO_SYSTEM_FONTS).is_some_and(|v| !v.is_empty()) {
        return None;
    }
    system_fonts().iter().copied().find(|f| covers(f, text))
}

/// The system's faces that draw 中文, preferred families first. Read once per process.
fn system_fonts() -> &'static [&'static [u8]] {
    static FOUND: OnceLock<Vec<&'static [u8]>> = OnceLock::new();
    FOUND.get_or_init(|| {
        let mut found = Vec::new();
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        let mut faces: Vec<(usize, fontdb::ID)> = db
            .faces()
            .map(|f| {
                let rank = f
                    .families
                    .iter()
                    .filter_map(|(name, _)| {
                        CJK_FAMILIES
                            .iter()
                            .position(|c| c.eq_ignore_ascii_case(name))
                    })
                    .min()
                    .unwrap_or(usize::MAX);
                (rank, f.id)
            })
            .collect();
        faces.sort();
        for (_, id) in faces {
            let hit = db.with_face_data(id, |data, index| {
                (index == 0 && covers(data, "中文销售漏斗")).then(|| data.to_vec())
            });
            if let Some(Some(bytes)) = hit {
                found.push(&*Box::leak(bytes.into_boxed_slice()));
                if found.len() == 4 {
                    break;
                }
            }
        }
        found
    })
}

/// The fonts a chart uses: Latin always, CJK when found or given.
#[derive(Clone, Copy)]
pub struct Fonts {
    pub cjk: Option<&'static [u8]>,
}

impl Fonts {
    /// The font for `text`: `--font PATH` when given; else the Latin font when it covers the
    /// text; else the bundled CJK subset when it does; else a system font that does. An error
    /// (the chart is not drawn) names the characters no font covers.
    pub fn resolve(font: Option<&Path>, text: &str) -> Result<Fonts, FontError> {
        if let Some(p) = font {
            let f = leak_file(p).map_err(FontError::Usage)?;
            if !covers(f, text) {
                let (p, m) = (p.display(), missing(f, text));
                let m_zh = m.get(crate::output::Lang::ZhCn);
                return Err(FontError::Uncovered(Text::new(
                    format!("--font {p} has no glyph for {}", m.en),
                    format!("--font {p} 没有 {m_zh} 的字形"),
                )));
            }
            return Ok(Fonts { cjk: Some(f) });
        }
        if !needs_cjk(text) {
            return Ok(Fonts { cjk: None });
        }
        if covers(cjk_subset(), text) {
            return Ok(Fonts {
                cjk: Some(cjk_subset()),
            });
        }
        match system_cjk(text) {
            Some(f) => Ok(Fonts { cjk: Some(f) }),
            None => {
                let m = missing(cjk_subset(), text);
                let m_zh = m.get(crate::output::Lang::ZhCn);
                Err(FontError::Uncovered(Text::new(
                    format!(
                        "neither the bundled font (GB 2312) nor a system font has a glyph for {}; pass --font PATH naming a font that does",
                        m.en
                    ),
                    format!(
                        "内置字体（GB 2312）和系统字体都没有 {m_zh} 的字形；请用 --font PATH 指定含有这些字形的字体"
                    ),
                )))
            }
        }
    }
}

/// Why a chart's font could not be settled.
#[derive(Debug)]
pub enum FontError {
    /// `--font` names no readable font file.
    Usage(Text),
    /// Some characters have no glyph in any font tried.
    Uncovered(Text),
}

/// Up to 8 characters of `text` that `font` lacks, quoted.
fn missing(font: &[u8], text: &str) -> Text {
    let Ok(f) = FontRef::try_from_slice(font) else {
        return crate::tr!("any character", "任何字符");
    };
    let mut out: Vec<char> = Vec::new();
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        if f.glyph_id(c).0 == 0 && !out.contains(&c) {
            out.push(c);
        }
    }
    let shown: String = out.iter().take(8).collect();
    let more = out.len().saturating_sub(8);
    if more > 0 {
        crate::tr!(
            "{shown:?} and {more} more",
            "{shown:?} 等（另有 {more} 个）"
        )
    } else {
        crate::tr!("{shown:?}", "{shown:?}")
    }
}

/// Text the Latin font cannot draw.
pub(crate) fn needs_cjk(text: &str) -> bool {
    !covers(latin(), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled Latin subset draws as the full DejaVu Sans it was cut from (the 760 KB
    /// original stays in assets/fonts): for every character the subset has, the same advance
    /// and the same outline box, and the same kerning between every pair of printable ASCII
    /// and Latin-1 letters. Checked through ab_glyph, the rasteriser the charts use, against
    /// the original file read independently.
    #[test]
    fn latin_subset_draws_as_the_full_font() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts");
        let full_bytes = std::fs::read(dir.join("DejaVuSans.ttf")).unwrap();
        let full = FontRef::try_from_slice(&full_bytes).unwrap();
        let sub = FontRef::try_from_slice(latin()).unwrap();
        let mut kept = 0;
        for c in (0u32..0x1_0000).filter_map(char::from_u32) {
            let s = sub.glyph_id(c);
            if s.0 == 0 {
                continue;
            }
            let f = full.glyph_id(c);
            assert_ne!(f.0, 0, "{c:?} is in the subset but not in the full font");
            assert_eq!(
                sub.h_advance_unscaled(s),
                full.h_advance_unscaled(f),
                "{c:?}"
            );
            let bounds = |font: &FontRef, id| {
                font.outline(id).map(|o| {
                    (
                        o.bounds.min.x,
                        o.bounds.min.y,
                        o.bounds.max.x,
                        o.bounds.max.y,
                    )
                })
            };
            assert_eq!(bounds(&sub, s), bounds(&full, f), "{c:?}");
            kept += 1;
        }
        // 95 printable ASCII characters, and thousands more for the scripts listed above.
        assert!(kept > 2_000, "{kept} characters");
        let letters: Vec<char> = (0x21u32..0x7F)
            .chain(0xC0..0x100)
            .filter_map(char::from_u32)
            .collect();
        let mut kerned = 0;
        for &a in &letters {
            for &b in &letters {
                let k = sub.kern_unscaled(sub.glyph_id(a), sub.glyph_id(b));
                assert_eq!(
                    k,
                    full.kern_unscaled(full.glyph_id(a), full.glyph_id(b)),
                    "{a}{b}"
                );
                kerned += usize::from(k != 0.0);
            }
        }
        // DejaVu Sans kerns pairs such as "AV", "To" and "Ya": the table was kept.
        assert!(kerned > 100, "{kerned} kerned pairs");
        assert!(covers(
            latin(),
            "Zoë Müller Łódź Ελένη Ольга Երևան თამარ שרה ليلى €£¥ – … → ≥ ① █"
        ));
        // Dropped blocks (dingbats, technical symbols) fall through to other fonts.
        assert!(!covers(latin(), "✓"));
        assert!(!covers(latin(), "⌘"));
    }

    #[test]
    fn bundled_subset_covers_gb2312_names_and_labels() {
        assert!(covers(
            cjk_subset(),
            "王芳 张伟 销售漏斗 赢单率 ¥1,234.50 Prospecting"
        ));
        // 𠀀 (U+20000, CJK Extension B) is outside GB 2312: no glyph in the subset.
        assert!(!covers(cjk_subset(), "𠀀"));
        assert_eq!(missing(cjk_subset(), "王𠀀").en, "\"𠀀\"");
    }
}
