//! The font book: the embedded PT families plus any added ones, each parsed once per `Engine`.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::error::Error;

/// Highest code point covered by the fast coverage table; beyond it we ask the cmap.
const COVERAGE_TABLE_END: u32 = 0x0530;

/// A face of the engine's font book, as a run in the display list names it (`Engine::face_name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaceId(pub u16);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Serif,
    Sans,
    Mono,
}

/// One parsed font: the shaper's view, the PDF writer's view and the metrics layout needs.
pub struct Face {
    pub name: String,
    pub shaper: harfrust::Font,
    pub pdf: krilla::text::Font,
    pub units_per_em: f32,
    /// Above the baseline, in em.
    pub ascender: f32,
    /// Below the baseline, in em, positive.
    pub descender: f32,
    /// Glyph and advance (em) used for a hyphen added at a line break.
    pub hyphen: Option<(u32, f32)>,
    /// For a colour bitmap font (the emoji): its pictures and the ink-less font its text is
    /// shown in (src/pdf_emoji.rs).
    pub(crate) emoji: Option<crate::pdf_emoji::EmojiFace>,
    coverage: Vec<u64>,
}

impl Face {
    fn parse(name: String, data: FontData) -> Result<Face, Error> {
        let emoji = match data {
            FontData::Static(b) => crate::pdf_emoji::EmojiFace::new(b),
            FontData::Owned(_) => None,
        };
        // One copy, without hinting, serves both the shaper and the PDF writer. Embedded fonts
        // were stripped when the crate was built (build.rs); added ones are stripped here.
        let (shaper, pdf) = match data {
            FontData::Static(b) => (
                harfrust::Font::new(b, 0),
                krilla::text::Font::new(b.into(), 0),
            ),
            FontData::Owned(b) => match super::dehint::dehint(&b) {
                Some(stripped) => {
                    let shared: Arc<Vec<u8>> = Arc::new(stripped);
                    let blob: Arc<dyn AsRef<[u8]> + Send + Sync> = shared.clone();
                    (
                        harfrust::Font::new(blob, 0),
                        krilla::text::Font::new(shared.into(), 0),
                    )
                }
                None => (
                    harfrust::Font::new(b.clone(), 0),
                    krilla::text::Font::new(b.into(), 0),
                ),
            },
        };
        let (Some(shaper), Some(pdf)) = (shaper, pdf) else {
            return Err(Error::Font(format!(
                "{name}: not a font the engine can read"
            )));
        };
        let metrics = shaper.metrics();
        let upem = f32::from(metrics.units_per_em.max(1));
        let line = metrics
            .typo_line
            .filter(|_| metrics.use_typo_metrics)
            .or(metrics.hhea_line)
            .or(metrics.typo_line);
        let (ascender, descender) = match line {
            Some(l) => (l.ascender.to_f32() / upem, -l.descender.to_f32() / upem),
            None => (0.8, 0.2),
        };
        let mut face = Face {
            name,
            units_per_em: upem,
            ascender,
            descender,
            hyphen: None,
            emoji,
            coverage: vec![0; (COVERAGE_TABLE_END as usize).div_ceil(64)],
            shaper,
            pdf,
        };
        for cp in 0..COVERAGE_TABLE_END {
            if face.cmap_has(cp) {
                face.coverage[cp as usize / 64] |= 1 << (cp % 64);
            }
        }
        let sf = harfrust::ShaperFont::new(&face.shaper);
        face.hyphen = sf
            .nominal_glyph('-' as u32)
            .map(|g| (g.to_u32(), sf.glyph_h_advance(g) as f32 / upem));
        Ok(face)
    }

    fn cmap_has(&self, cp: u32) -> bool {
        self.shaper
            .charmap()
            .map_unicode(cp)
            .is_some_and(|g| g.to_u32() != 0)
    }

    /// Whether the font has a glyph for `c`.
    pub fn has_char(&self, c: char) -> bool {
        let cp = c as u32;
        if cp < COVERAGE_TABLE_END {
            self.coverage[cp as usize / 64] & (1 << (cp % 64)) != 0
        } else {
            self.cmap_has(cp)
        }
    }
}

/// A face parsed when first needed. Added faces are parsed at once (their errors matter).
struct LazyFace {
    name: &'static str,
    data: &'static [u8],
    face: OnceLock<Face>,
}

/// Family name and (bold, italic) from a font's name table (typographic names preferred).
fn family_and_style(font: &harfrust::Font) -> Option<(String, bool, bool)> {
    use read_fonts::types::NameId;
    let names = font.names();
    let get = |id: NameId| {
        names
            .get(id)?
            .english_or_first()
            .map(|l| l.name().chars().collect::<String>())
    };
    let family = get(NameId::TYPOGRAPHIC_FAMILY_NAME).or_else(|| get(NameId::FAMILY_NAME))?;
    let style = get(NameId::TYPOGRAPHIC_SUBFAMILY_NAME)
        .or_else(|| get(NameId::SUBFAMILY_NAME))
        .unwrap_or_default()
        .to_lowercase();
    Some((
        family,
        style.contains("bold"),
        style.contains("italic") || style.contains("oblique"),
    ))
}

enum FontData {
    /// Embedded, and stripped of hinting when the crate was built.
    Static(&'static [u8]),
    /// Read from `--font-dir`.
    Owned(Vec<u8>),
}

/// Styles in the order regular, italic, bold, bold italic.
type StyleSet = [FaceId; 4];

/// Every face an engine can use, and which face serves which family and style.
pub struct FontBook {
    /// Embedded faces are parsed on first use, so a one-article process pays only for the faces
    /// it draws with; an engine shared by a server parses each face once.
    faces: Vec<LazyFace>,
    serif: StyleSet,
    sans: StyleSet,
    mono: StyleSet,
    /// Faces added with `--font-dir`, tried after the PT families for characters they lack.
    extra: Vec<FaceId>,
    /// Added faces by family name (lower case), with (bold, italic).
    named: Vec<(String, FaceId, bool, bool)>,
    /// DejaVu Sans: Greek, arrows, math, rare Cyrillic — what the PT fonts lack.
    symbols: FaceId,
    /// Noto Color Emoji.
    emoji: FaceId,
}

/// An embedded TrueType face as build.rs left it, without hinting.
macro_rules! embedded {
    ($file:literal) => {
        (
            $file,
            include_bytes!(concat!(env!("OUT_DIR"), "/", $file)) as &'static [u8],
        )
    };
}

/// PT Serif, PT Sans and PT Mono (ParaType Free Font License, fonts/LICENSE-ParaType.txt), then the
/// fallbacks: DejaVu Sans (Bitstream Vera licence, fonts/LICENSE-DejaVu.txt) and Noto Color Emoji
/// (SIL OFL 1.1, fonts/LICENSE-NotoColorEmoji.txt).
const EMBEDDED: [(&str, &[u8]); 11] = [
    embedded!("PTF55F.ttf"),
    embedded!("PTF56F.ttf"),
    embedded!("PTF75F.ttf"),
    embedded!("PTF76F.ttf"),
    embedded!("PTS55F.ttf"),
    embedded!("PTS56F.ttf"),
    embedded!("PTS75F.ttf"),
    embedded!("PTS76F.ttf"),
    embedded!("PTM55F.ttf"),
    embedded!("DejaVuSans.ttf"),
    // Bitmaps only: nothing for build.rs to strip.
    (
        "NotoColorEmoji.ttf",
        include_bytes!("../../fonts/NotoColorEmoji.ttf"),
    ),
];

impl FontBook {
    /// The embedded PT families only.
    pub fn embedded() -> Result<FontBook, Error> {
        let faces = EMBEDDED
            .iter()
            .map(|&(name, data)| LazyFace {
                name,
                data,
                face: OnceLock::new(),
            })
            .collect();
        let id = |i: u16| FaceId(i);
        Ok(FontBook {
            faces,
            serif: [id(0), id(1), id(2), id(3)],
            sans: [id(4), id(5), id(6), id(7)],
            // PT Mono has one weight; bold and italic code keep the regular face.
            mono: [id(8); 4],
            extra: Vec::new(),
            named: Vec::new(),
            symbols: id(9),
            emoji: id(10),
        })
    }

    /// Adds every `.ttf`/`.otf` file in `dir` as a fallback face, in file-name order.
    pub fn add_dir(&mut self, dir: &Path) -> Result<usize, Error> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| Error::Font(format!("{}: cannot read font folder: {e}", dir.display())))?;
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "ttf" | "otf"))
            })
            .collect();
        paths.sort();
        for path in &paths {
            let data =
                std::fs::read(path).map_err(|e| Error::Font(format!("{}: {e}", path.display())))?;
            let face = Face::parse(path.display().to_string(), FontData::Owned(data))?;
            let id = FaceId(self.faces.len() as u16);
            if let Some((family, bold, italic)) = family_and_style(&face.shaper) {
                self.named.push((family.to_lowercase(), id, bold, italic));
            }
            self.faces.push(LazyFace {
                name: "",
                data: &[],
                face: OnceLock::from(face),
            });
            self.extra.push(id);
        }
        Ok(paths.len())
    }

    pub fn face(&self, id: FaceId) -> &Face {
        let lazy = &self.faces[id.0 as usize];
        lazy.face.get_or_init(|| {
            Face::parse(lazy.name.to_string(), FontData::Static(lazy.data))
                .expect("embedded fonts parse (checked by the fonts tests)")
        })
    }

    /// A face's name (an added face's file path), without parsing an embedded face.
    pub fn name(&self, id: FaceId) -> &str {
        let lazy = &self.faces[id.0 as usize];
        match lazy.face.get() {
            Some(face) => &face.name,
            None => lazy.name,
        }
    }

    /// The name of the parsed face the PDF writer knows as `font`, to name it in an error.
    pub fn name_of(&self, font: &krilla::text::Font) -> Option<&str> {
        self.faces
            .iter()
            .filter_map(|lazy| lazy.face.get())
            .find(|face| &face.pdf == font)
            .map(|face| face.name.as_str())
    }

    /// Number of faces, parsed or not.
    pub fn len(&self) -> usize {
        self.faces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.faces.is_empty()
    }

    /// The face for a family and style.
    pub fn select(&self, family: Family, bold: bool, italic: bool) -> FaceId {
        let set = match family {
            Family::Serif => &self.serif,
            Family::Sans => &self.sans,
            Family::Mono => &self.mono,
        };
        set[usize::from(italic) + 2 * usize::from(bold)]
    }

    /// The face that draws `c` when `primary` lacks it: PT Serif/Sans in the same style, the added
    /// faces, DejaVu Sans, PT Mono, then the emoji font. `None` when no face has it.
    pub fn fallback(&self, primary: FaceId, c: char) -> Option<FaceId> {
        let style = [&self.serif, &self.sans, &self.mono]
            .iter()
            .find_map(|set| set.iter().position(|&f| f == primary))
            .unwrap_or(0);
        // Proportional faces first: PT Mono has arrows and box drawing, but monospaced.
        [self.serif[style], self.sans[style], self.serif[0]]
            .into_iter()
            .chain(self.extra.iter().copied())
            .chain([self.symbols, self.mono[style], self.emoji])
            .find(|&f| f != primary && self.face(f).has_char(c))
    }

    /// The four styles (regular, italic, bold, bold italic) of an added family, by name; a
    /// missing style falls back to the regular face.
    pub fn family(&self, name: &str) -> Option<[FaceId; 4]> {
        let name = name.trim().to_lowercase();
        let find = |b: bool, i: bool| {
            self.named
                .iter()
                .find(|(n, _, bb, ii)| *n == name && *bb == b && *ii == i)
                .map(|e| e.1)
        };
        let regular = find(false, false)
            .or_else(|| self.named.iter().find(|(n, ..)| *n == name).map(|e| e.1))?;
        Some([
            regular,
            find(false, true).unwrap_or(regular),
            find(true, false).unwrap_or(regular),
            find(true, true).unwrap_or(regular),
        ])
    }

    /// The face for an emoji sequence: an added font that has it (a user's colour font), else
    /// the bundled emoji font if it has the base character.
    pub fn emoji_face(&self, base: char) -> Option<FaceId> {
        self.extra
            .iter()
            .copied()
            .chain([self.emoji])
            .find(|&f| self.face(f).has_char(base))
    }

    /// The face and glyph drawn for a character no font has: U+FFFD from DejaVu Sans.
    pub fn replacement(&self) -> (FaceId, u32, f32) {
        let face = self.face(self.symbols);
        let sf = harfrust::ShaperFont::new(&face.shaper);
        let gid = sf.nominal_glyph(0xFFFD).unwrap_or_default();
        (
            self.symbols,
            gid.to_u32(),
            sf.glyph_h_advance(gid) as f32 / face.units_per_em,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_face_parses() {
        let book = FontBook::embedded().unwrap();
        for i in 0..book.len() {
            let face = book.face(FaceId(i as u16));
            // The emoji font has no letters; every text face has Ж.
            let probe = if face.name.contains("Emoji") {
                '😀'
            } else {
                'Ж'
            };
            assert!(
                face.has_char(probe) && face.units_per_em > 0.0,
                "{}",
                face.name
            );
        }
    }

    #[test]
    fn embedded_faces_parse_and_cover_cyrillic() {
        let book = FontBook::embedded().unwrap();
        let serif = book.face(book.select(Family::Serif, false, false));
        for c in "АБВГДЕЁЖЗИЙабвгдеёжзийэюя«»—ӘҒҚҢӨҰҮҺІ".chars()
        {
            assert!(serif.has_char(c), "PT Serif lacks {c}");
        }
        assert!(serif.hyphen.is_some());
        assert!(serif.ascender > 0.5 && serif.descender > 0.1);
        assert_ne!(
            book.select(Family::Sans, true, false),
            book.select(Family::Sans, false, false)
        );
    }
}
