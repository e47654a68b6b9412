//! Fonts for charts: a bundled DejaVu Sans for Latin text, a bundled subset of Noto Sans CJK SC
//! covering GB 2312 for Chinese, and for characters outside it a system font found through
//! fontdb (`--font PATH` overrides both). A chart whose text no font covers is not drawn: never
//! an image of empty boxes.

use std::path::Path;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};

use crate::text::Text;

/// DejaVu Sans (Bitstream Vera licence, see assets/fonts/DejaVuSans-LICENSE.txt), carried
/// zlib-compressed (`DejaVuSans.ttf.z`, 382 KB of 760 KB) and inflated the first time a chart
/// is drawn: about 1 ms per chart-drawing run (`funnel --chart` on the HubSpot example: 13 ms
/// against 12). The CJK subset is carried as is: inflating it (1.60 MB, for 242 KB saved) cost
/// every chart with Chinese text about 5 ms (the README report's scorecard section: 20 ms
/// against 15).
pub(crate) fn latin() -> &'static [u8] {
    static FONT: OnceLock<Vec<u8>> = OnceLock::new();
    FONT.get_or_init(|| inflate(include_bytes!("../../../assets/fonts/DejaVuSans.ttf.z")))
}

/// Noto Sans CJK SC Regular cut to GB 2312, ASCII, Latin-1, general punctuation and currency
/// signs, renamed "Salesctl CJK Subset" (SIL OFL 1.1, see assets/fonts/NotoSansSC-LICENSE.txt;
/// made by assets/fonts/make_cjk_subset.sh).
pub fn cjk_subset() -> &'static [u8] {
    include_bytes!("../../../assets/fonts/NotoSansSC-GB2312.otf")
}

/// A bundled font's bytes. The file is part of the build and a test inflates it, so this does
/// not fail on a binary that was built. If it did, the empty font would cover no text, and every
/// chart would be drawn with the CJK subset, which has ASCII and Latin-1 too. There would be no
/// panic and no image of empty boxes.
fn inflate(z: &[u8]) -> Vec<u8> {
    miniz_oxide::inflate::decompress_to_vec_zlib(z).unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled Latin font inflates to the very file in assets/fonts (compared byte for byte
    /// with the uncompressed original, which stays in the repository; regenerate the .z with
    /// Python's `zlib.compress(data, 9)`).
    #[test]
    fn bundled_latin_font_inflates_to_the_asset_file() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts");
        assert_eq!(latin(), std::fs::read(dir.join("DejaVuSans.ttf")).unwrap());
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

/// Text the Latin font cannot draw.
pub(crate) fn needs_cjk(text: &str) -> bool {
    !covers(latin(), text)
}
