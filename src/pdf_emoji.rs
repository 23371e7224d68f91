//! Colour bitmap emoji in the PDF: each drawn as a picture, its text set in an ink-less copy of
//! the emoji font, so copying, searching and selecting find the emoji where it is drawn.
//!
//! krilla draws a bitmap colour glyph (Noto Color Emoji's CBDT) as a glyph of a Type 3 font.
//! Poppler and xpdf (pdftotext, Evince, Okular and the indexers built on them) cannot know a
//! Type 3 font's scale and guess it from the first glyph's width; for the emoji font the guess
//! made every emoji's text box six times its size: off the page, out of its line, and a heading
//! with emoji was read back in the wrong order. An ordinary embedded font has no such guess.
//! So the emoji's picture is drawn as an image (an artifact: it carries no text), and its text
//! is shown in a TrueType copy of the font whose glyphs are all empty: same glyph ids, same
//! advances, the same ascent and descent, no ink. Every reader measures that text exactly.

use std::collections::HashMap;
use std::sync::Mutex;

use krilla::image::Image as KrillaImage;
use skrifa::MetadataProvider;
use skrifa::bitmap::{BitmapData, Origin};
use skrifa::instance::Size;

/// Tables of the bitmaps (or other colour glyphs) that stay out of the ink-less copy.
const COLOUR_TABLES: [&[u8; 4]; 9] = [
    b"CBDT", b"CBLC", b"sbix", b"EBDT", b"EBLC", b"EBSC", b"COLR", b"CPAL", b"SVG ",
];

/// Tables the copy gets anew: empty outlines, their index, and a TrueType maximum profile.
const REPLACED_TABLES: [&[u8; 4]; 3] = [b"glyf", b"loca", b"maxp"];

/// A colour bitmap emoji font, ready for the PDF: its text font and its pictures.
pub struct EmojiFace {
    /// The ink-less copy text is shown in.
    pub text: krilla::text::Font,
    /// The original font, whose bitmaps the pictures are.
    bitmaps: &'static [u8],
    /// Pictures made so far, by glyph id (`None`: the glyph has no PNG bitmap).
    pictures: Mutex<HashMap<u32, Option<EmojiPicture>>>,
}

/// One emoji's picture and where it sits, in em, from the glyph's origin on the baseline
/// (x to the right, y up to the picture's top edge).
#[derive(Clone)]
pub struct EmojiPicture {
    pub image: KrillaImage,
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

impl EmojiFace {
    /// The face for `font` if it is a colour bitmap font (CBDT PNG glyphs, no outlines).
    pub fn new(font: &'static [u8]) -> Option<EmojiFace> {
        let bitmaps = table(font, b"CBDT").is_some() && table(font, b"CBLC").is_some();
        let outlines = [b"glyf", b"CFF ", b"CFF2", b"COLR", b"SVG "]
            .iter()
            .any(|t| table(font, t).is_some());
        if !bitmaps || outlines {
            return None;
        }
        let copy = inkless(font)?;
        let text = krilla::text::Font::new(std::sync::Arc::new(copy).into(), 0)?;
        Some(EmojiFace {
            text,
            bitmaps: font,
            pictures: Mutex::default(),
        })
    }

    /// The picture of glyph `id`, made once per face.
    pub fn picture(&self, id: u32) -> Option<EmojiPicture> {
        let mut pictures = self.pictures.lock().unwrap_or_else(|e| e.into_inner());
        pictures
            .entry(id)
            .or_insert_with(|| picture(self.bitmaps, id))
            .clone()
    }
}

fn picture(font: &[u8], id: u32) -> Option<EmojiPicture> {
    let font = skrifa::FontRef::new(font).ok()?;
    let glyph = font
        .bitmap_strikes()
        .glyph_for_size(Size::unscaled(), skrifa::GlyphId::new(id))?;
    let BitmapData::Png(png) = glyph.data else {
        return None;
    };
    if glyph.placement_origin != Origin::TopLeft || glyph.ppem_x <= 0.0 || glyph.ppem_y <= 0.0 {
        return None;
    }
    // CBDT places the bitmap by its top-left corner, in pixels from the glyph's origin.
    let image = KrillaImage::from_png(png.to_vec().into(), false).ok()?;
    Some(EmojiPicture {
        image,
        left: glyph.inner_bearing_x / glyph.ppem_x,
        top: glyph.inner_bearing_y / glyph.ppem_y,
        width: glyph.width as f32 / glyph.ppem_x,
        height: glyph.height as f32 / glyph.ppem_y,
    })
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

/// The font's table `tag`, checked to lie inside the font.
fn table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let count = usize::from(u16_at(font, 4)?);
    (0..count).find_map(|i| {
        let record = 12 + 16 * i;
        if font.get(record..record + 4)? != tag {
            return None;
        }
        let offset = u32_at(font, record + 8)? as usize;
        let length = u32_at(font, record + 12)? as usize;
        font.get(offset..offset.checked_add(length)?)
    })
}

/// A TrueType font with `font`'s glyph ids, metrics, character map and names, and an empty
/// outline for every glyph.
fn inkless(font: &[u8]) -> Option<Vec<u8>> {
    let glyphs = u16_at(table(font, b"maxp")?, 4)?;
    let mut head = table(font, b"head")?.to_vec();
    if head.len() < 54 {
        return None;
    }
    // Short offsets in `loca`; the whole-font checksum is filled in below.
    head[50..52].copy_from_slice(&0u16.to_be_bytes());
    head[8..12].copy_from_slice(&0u32.to_be_bytes());
    // maxp 1.0: the glyph count, and one zone with nothing in it.
    let mut maxp = Vec::with_capacity(32);
    maxp.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    maxp.extend_from_slice(&glyphs.to_be_bytes());
    for field in 0..13u16 {
        let value: u16 = if field == 4 { 1 } else { 0 };
        maxp.extend_from_slice(&value.to_be_bytes());
    }
    // Every glyph starts and ends at offset 0 of an empty `glyf`.
    let loca = vec![0u8; 2 * (usize::from(glyphs) + 1)];
    let mut tables: Vec<([u8; 4], Vec<u8>)> = vec![
        (*b"glyf", Vec::new()),
        (*b"loca", loca),
        (*b"maxp", maxp),
        (*b"head", head),
    ];
    let count = usize::from(u16_at(font, 4)?);
    for i in 0..count {
        let record = 12 + 16 * i;
        let tag: [u8; 4] = font.get(record..record + 4)?.try_into().ok()?;
        if tag == *b"head" || COLOUR_TABLES.contains(&&tag) || REPLACED_TABLES.contains(&&tag) {
            continue;
        }
        tables.push((tag, table(font, &tag)?.to_vec()));
    }
    tables.sort_by_key(|(tag, _)| *tag);
    Some(assemble(&tables))
}

/// A font file of `tables` (sorted by tag), with its directory and checksums.
fn assemble(tables: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
    let count = tables.len() as u16;
    let power = if count == 0 {
        0
    } else {
        15 - count.leading_zeros() as u16
    };
    let search = 16u16 << power;
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for value in [count, search, power, count * 16 - search] {
        out.extend_from_slice(&value.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    for (tag, data) in tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().next_multiple_of(4);
    }
    let mut head_at = None;
    for (tag, data) in tables {
        if tag == b"head" {
            head_at = Some(out.len());
        }
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

/// The OpenType checksum: the sum of the big-endian 32-bit words, zero-padded.
fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMOJI: &[u8] = include_bytes!("../fonts/NotoColorEmoji.ttf");
    const SERIF: &[u8] = include_bytes!("../fonts/PTF55F.ttf");

    #[test]
    fn the_inkless_copy_keeps_ids_and_advances_and_has_no_ink() {
        let face = EmojiFace::new(EMOJI).expect("Noto Color Emoji is a CBDT font");
        let copy = inkless(EMOJI).unwrap();
        assert!(
            copy.len() < EMOJI.len() / 10,
            "the bitmaps stay out: {} bytes",
            copy.len()
        );
        let (old, new) = (
            skrifa::FontRef::new(EMOJI).unwrap(),
            skrifa::FontRef::new(&copy).unwrap(),
        );
        let thumbs = old.charmap().map('👍').unwrap();
        assert_eq!(new.charmap().map('👍'), Some(thumbs));
        let size = Size::unscaled();
        let location = skrifa::instance::LocationRef::default();
        assert_eq!(
            new.glyph_metrics(size, location).advance_width(thumbs),
            old.glyph_metrics(size, location).advance_width(thumbs)
        );
        let outline = new.outline_glyphs().get(thumbs).expect("an outline glyph");
        let mut bounds = skrifa::outline::pen::ControlBoundsPen::default();
        outline
            .draw(
                skrifa::outline::DrawSettings::unhinted(size, location),
                &mut bounds,
            )
            .unwrap();
        assert_eq!(bounds.bounding_box(), None, "the glyph draws nothing");
        // The picture: about an em square, reaching above and below the baseline.
        let p = face.picture(thumbs.to_u32()).expect("a PNG bitmap");
        assert!((1.0..1.4).contains(&p.width) && (1.0..1.3).contains(&p.height));
        assert!(
            p.top > 0.5 && p.top - p.height < 0.0,
            "top {} height {}",
            p.top,
            p.height
        );
    }

    #[test]
    fn outline_fonts_are_not_emoji_faces() {
        assert!(EmojiFace::new(SERIF).is_none());
        assert!(EmojiFace::new(b"not a font").is_none());
    }
}
