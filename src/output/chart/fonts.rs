//! Fonts for charts: a bundled DejaVu Sans for Latin text, and a CJK font found at run time
//! (`--font PATH`, else the system's fonts through fontdb).

use std::path::Path;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};

/// DejaVu Sans (Bitstream Vera licence, see assets/fonts/DejaVuSans-LICENSE.txt).
pub static LATIN: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

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
fn leak_file(path: &Path) -> Result<&'static [u8], String> {
    let bytes = std::fs::read(path).map_err(|e| format!("--font {}: {e}", path.display()))?;
    FontRef::try_from_slice(&bytes)
        .map_err(|_| format!("--font {}: not a TrueType/OpenType font", path.display()))?;
    Ok(Box::leak(bytes.into_boxed_slice()))
}

/// Find a system font that covers Chinese: the preferred families first, then any face with a
/// glyph for 中文. Cached for the process.
pub fn system_cjk() -> Option<&'static [u8]> {
    static FOUND: OnceLock<Option<&'static [u8]>> = OnceLock::new();
    *FOUND.get_or_init(|| {
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
                return Some(&*Box::leak(bytes.into_boxed_slice()));
            }
        }
        None
    })
}

/// The fonts a chart uses: Latin always, CJK when found or given.
#[derive(Clone, Copy)]
pub struct Fonts {
    pub cjk: Option<&'static [u8]>,
}

impl Fonts {
    /// `--font PATH` wins; else the system's CJK font, searched only when `need_cjk`.
    pub fn resolve(font: Option<&Path>, need_cjk: bool) -> Result<Fonts, String> {
        if let Some(p) = font {
            return Ok(Fonts {
                cjk: Some(leak_file(p)?),
            });
        }
        Ok(Fonts {
            cjk: if need_cjk { system_cjk() } else { None },
        })
    }
}

/// Text the Latin font cannot draw.
pub fn needs_cjk(text: &str) -> bool {
    !covers(LATIN, text)
}
