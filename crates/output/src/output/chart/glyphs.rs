//! Chart text drawn glyph by glyph. plotters' own ab_glyph text drops each glyph's left side
//! bearing and rounds the pen to whole pixels, so letters sit unevenly ("Prospectin g"). This
//! backend wraps the bitmap backend and draws text itself: each glyph placed at its fractional
//! pen position (kerning included) and rasterised there, so its outline keeps its bearing. Text
//! boxes are the font's ascent to descent, the baseline at the ascent, so centred labels are
//! centred on their letters. Every other drawing call goes to the bitmap backend unchanged.

use ab_glyph::{Font, FontRef, Glyph, PxScale, ScaleFont, point};
use plotters::backend::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// The bitmap backend with text drawn in `font`.
pub(crate) struct TextBackend<'a> {
    inner: BitMapBackend<'a>,
    font: FontRef<'static>,
}

impl<'a> TextBackend<'a> {
    pub(crate) fn new(
        inner: BitMapBackend<'a>,
        font: &'static [u8],
    ) -> Result<Self, ab_glyph::InvalidFont> {
        Ok(TextBackend {
            inner,
            font: FontRef::try_from_slice(font)?,
        })
    }
}

/// The glyphs of `text` at `size` pixels (the font's ascent-to-descent height), positioned on a
/// baseline at the ascent, and the text's box (width, height) in whole pixels.
pub(crate) fn layout(font: &FontRef<'_>, size: f64, text: &str) -> (Vec<Glyph>, (i32, i32)) {
    let sf = font.as_scaled(PxScale::from(size as f32));
    let mut x = 0f32;
    let mut prev = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            x += sf.kern(p, id);
        }
        glyphs.push(id.with_scale_and_position(sf.scale(), point(x, sf.ascent())));
        x += sf.h_advance(id);
        prev = Some(id);
    }
    let height = (sf.ascent() - sf.descent()).ceil() as i32;
    (glyphs, (x.ceil() as i32, height))
}

/// Each covered pixel of `glyphs` as (x, y, coverage), in the text box's coordinates.
pub(crate) fn pixels(font: &FontRef<'_>, glyphs: Vec<Glyph>) -> Vec<(i32, i32, f32)> {
    let mut out = Vec::new();
    for g in glyphs {
        if let Some(o) = font.outline_glyph(g) {
            let b = o.px_bounds();
            let (x0, y0) = (b.min.x as i32, b.min.y as i32);
            o.draw(|x, y, c| {
                if c > 0.0 {
                    out.push((x0 + x as i32, y0 + y as i32, c));
                }
            });
        }
    }
    out
}

type Res<E> = Result<(), DrawingErrorKind<E>>;

impl<'a> DrawingBackend for TextBackend<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Res<Self::ErrorType> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Res<Self::ErrorType> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Res<Self::ErrorType> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Res<Self::ErrorType> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Res<Self::ErrorType> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Res<Self::ErrorType> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Res<Self::ErrorType> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Res<Self::ErrorType> {
        self.inner.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Res<Self::ErrorType> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let (_, (w, h)) = layout(&self.font, style.size(), text);
        Ok((w.max(0) as u32, h.max(0) as u32))
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Res<Self::ErrorType> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let (glyphs, (width, height)) = layout(&self.font, style.size(), text);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.get_size();
        for (x, y, c) in pixels(&self.font, glyphs) {
            let (x, y) = trans.transform(x + dx, y + dy);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                let px = BackendColor {
                    alpha: color.alpha * f64::from(c.min(1.0)),
                    rgb: color.rgb,
                };
                self.inner.draw_pixel((x, y), px)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_sit_at_their_pen_position_plus_side_bearing() {
        let font = FontRef::try_from_slice(crate::output::chart::fonts::latin()).unwrap();
        // Where each letter's ink starts, in pixels at 15 px: pen (advances and kerning)
        // plus the glyph's xMin, worked out with fontTools from DejaVu Sans' hmtx, glyf and kern
        // tables (upem 2048, ascent 1901, descent -483). plotters drew every glyph's ink at
        // its whole-pixel pen, 0.35 to 1.26 px too far left, a different error per letter.
        let expected = [
            1.26, 8.71, 13.27, 21.14, 28.33, 36.05, 43.97, 50.69, 56.61, 60.15, 67.86,
        ];
        let (glyphs, (w, h)) = layout(&font, 15.0, "Prospecting");
        for (g, want) in glyphs.into_iter().zip(expected) {
            let px = pixels(&font, vec![g]);
            // The first column holding a pixel at least half covered.
            let left = px.iter().filter(|p| p.2 >= 0.5).map(|p| p.0).min().unwrap();
            assert!((f64::from(left) - want).abs() <= 1.0, "{left} vs {want}");
        }
        // The box: ascent to descent (15 px), as wide as the advances and kerning (75.33 px).
        assert_eq!((w, h), (76, 15));
    }
}
