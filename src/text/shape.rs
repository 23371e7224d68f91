//! Shaping with harfrust: styled text in, positioned glyphs out, with per-character font fallback.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::sync::{Arc, RwLock};

use harfrust::{
    Buffer, ClusterLevel, Direction, Language, Script, ShapeOptions, ShapePlan, ShaperFont,
};

use super::fonts::{FaceId, Family, FontBook};
use crate::budget::Budget;

/// Longest text handed to the shaper at once, in bytes. Longer runs are cut (at a space when
/// possible) so a pathological multi-megabyte word cannot balloon the shaper's buffers.
const MAX_SHAPE_CHUNK: usize = 4096;

/// One positioned glyph. Lengths are in points; `cluster` is a byte offset into the paragraph text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    pub id: u32,
    pub cluster: u32,
    pub advance: f32,
    pub dx: f32,
    /// Vertical offset, positive upwards (font convention).
    pub dy: f32,
    pub face: FaceId,
    pub size: f32,
    /// Index of the style span the glyph came from.
    pub span: u32,
}

/// A styled stretch of the paragraph text to shape with one face and size.
#[derive(Debug, Clone)]
pub struct StyleSpan {
    pub range: Range<usize>,
    pub face: FaceId,
    pub size: f32,
    /// Baseline shift in points (superscript up, subscript down).
    pub rise: f32,
}

type PlanKey = (FaceId, [u8; 4], String);

/// Shape plans are costly to build and reusable across articles and threads.
#[derive(Default)]
pub struct PlanCache {
    plans: RwLock<HashMap<PlanKey, Arc<ShapePlan>>>,
}

impl PlanCache {
    fn get(&self, book: &FontBook, face: FaceId, script: Script, lang: &str) -> Arc<ShapePlan> {
        let key = (face, script.tag().to_be_bytes(), lang.to_string());
        if let Some(p) = self
            .plans
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return p.clone();
        }
        let language = lang.parse::<Language>().ok();
        let plan = Arc::new(ShapePlan::new(
            &book.face(face).shaper,
            Direction::LeftToRight,
            Some(script),
            language.as_ref(),
            &[],
        ));
        self.plans
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, plan.clone());
        plan
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScriptClass {
    Cyrillic,
    Latin,
    Greek,
    /// Digits, punctuation, spaces, marks: they join the run around them.
    Common,
}

fn script_class(c: char) -> ScriptClass {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => ScriptClass::Latin,
        0x370..=0x3FF | 0x1F00..=0x1FFF => ScriptClass::Greek,
        0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => {
            ScriptClass::Cyrillic
        }
        _ => ScriptClass::Common,
    }
}

fn script_of(class: ScriptClass) -> Script {
    match class {
        ScriptClass::Latin => Script::LATIN,
        ScriptClass::Greek => Script::GREEK,
        ScriptClass::Cyrillic | ScriptClass::Common => Script::CYRILLIC,
    }
}

/// Characters that never need a visible glyph, so they never trigger a font fallback.
fn is_invisible(c: char) -> bool {
    c.is_whitespace() || c.is_control() || is_format_control(c)
}

/// Emoji presentation: a sequence the emoji font should draw (pictographs, flags, keycaps,
/// ZWJ families, skin tones, anything with VS16).
fn is_emoji_sequence(piece: &str) -> bool {
    piece.chars().any(|c| {
        matches!(c as u32, 0xFE0F | 0x20E3 | 0x1F1E6..=0x1F1FF | 0x1F300..=0x1FAFF | 0x1F000..=0x1F2FF | 0xE0020..=0xE007F)
    })
}

/// Characters that extend the cluster before them.
fn extends_cluster(c: char) -> bool {
    is_combining(c)
        || matches!(c as u32, 0xFE00..=0xFE0F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F | 0x200D)
}

/// Byte ranges of clusters: a base character with its marks and variation selectors, an emoji
/// ZWJ sequence, or a pair of regional indicators (a flag).
fn clusters(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut after_zwj = false;
    let mut open_flag = false;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let regional = matches!(c as u32, 0x1F1E6..=0x1F1FF);
        let joins = after_zwj || extends_cluster(c) || (regional && open_flag);
        match out.last_mut() {
            Some(last) if joins => last.end = end,
            _ => out.push(i..end),
        }
        open_flag = regional && !(open_flag && joins);
        after_zwj = c == '\u{200d}';
    }
    out
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36F | 0x483..=0x489 | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Shapes paragraphs; holds the font book, the shared plan cache and, for one render, the
/// characters no font could draw.
pub struct Shaper<'a> {
    pub book: &'a FontBook,
    pub plans: &'a PlanCache,
    missing: RefCell<BTreeSet<char>>,
    /// A theme's families in place of PT Serif, PT Sans, PT Mono (styles in `FontBook` order).
    families: [Option<[FaceId; 4]>; 3],
    /// What this render may still spend; every loop of the layout consults it.
    budget: Meter<'a>,
}

/// The shaper's own budget (unlimited, for tests and tools) or the render's.
enum Meter<'a> {
    Own(Budget),
    Render(&'a Budget),
}

impl<'a> Shaper<'a> {
    pub fn new(book: &'a FontBook, plans: &'a PlanCache) -> Self {
        Shaper {
            book,
            plans,
            missing: RefCell::default(),
            families: [None; 3],
            budget: Meter::Own(Budget::unlimited()),
        }
    }

    /// Meters shaping and layout against a render's budget, shared with its other stages.
    pub fn with_budget(mut self, budget: &'a Budget) -> Self {
        self.budget = Meter::Render(budget);
        self
    }

    /// The render's budget: loops stop early once it is exhausted.
    pub fn budget(&self) -> &Budget {
        match &self.budget {
            Meter::Own(budget) => budget,
            Meter::Render(budget) => budget,
        }
    }

    /// Uses these families instead of the embedded ones (serif, sans, mono).
    pub fn with_families(mut self, families: [Option<[FaceId; 4]>; 3]) -> Self {
        self.families = families;
        self
    }

    /// The face for a family and style, after the theme's choices.
    pub fn select(&self, family: Family, bold: bool, italic: bool) -> FaceId {
        let slot = match family {
            Family::Serif => 0,
            Family::Sans => 1,
            Family::Mono => 2,
        };
        match self.families[slot] {
            Some(set) => set[usize::from(italic) + 2 * usize::from(bold)],
            None => self.book.select(family, bold, italic),
        }
    }

    /// Characters drawn as a replacement because no font has them, in code point order.
    pub fn missing(&self) -> Vec<char> {
        self.missing.borrow().iter().copied().collect()
    }
}

impl Shaper<'_> {
    /// Shapes `text` span by span; glyphs come out in text order.
    pub fn shape(&self, text: &str, spans: &[StyleSpan], lang: &str) -> Vec<Glyph> {
        let mut out = Vec::with_capacity(text.len());
        let mut buffer = Buffer::new();
        for (span_index, span) in spans.iter().enumerate() {
            for run in self.runs(text, span) {
                for chunk in chunks(text, run.range.clone()) {
                    // A spent budget: what is shaped so far is all the render will see.
                    if self.budget().exhausted() {
                        return out;
                    }
                    let before = out.len();
                    buffer = self.shape_run(
                        buffer,
                        text,
                        chunk,
                        run.face,
                        run.script,
                        span,
                        span_index as u32,
                        lang,
                        &mut out,
                    );
                    self.budget().add_glyphs(out.len() - before);
                }
            }
        }
        out
    }

    /// Splits a span into runs of one face and one script. The face is chosen per cluster (a
    /// base character with its marks, or a whole emoji sequence), so a sequence is never split
    /// between fonts.
    fn runs(&self, text: &str, span: &StyleSpan) -> Vec<Run> {
        let mut runs: Vec<Run> = Vec::new();
        let primary = self.book.face(span.face);
        for cluster in clusters(&text[span.range.clone()]) {
            let range = span.range.start + cluster.start..span.range.start + cluster.end;
            let piece = &text[range.clone()];
            let base = piece.chars().next().unwrap_or(' ');
            let class = script_class(base);
            let face = if is_emoji_sequence(piece) {
                self.book.emoji_face(base).unwrap_or(span.face)
            } else if primary.has_char(base) {
                span.face
            } else if is_invisible(base) {
                // Invisible characters the text face lacks stay in the run they are in.
                runs.last().map_or(span.face, |last| last.face)
            } else {
                self.book.fallback(span.face, base).unwrap_or(span.face)
            };
            if let Some(last) = runs.last_mut()
                && last.face == face
                && (class == ScriptClass::Common
                    || last.class == class
                    || last.class == ScriptClass::Common)
            {
                if last.class == ScriptClass::Common {
                    last.class = class;
                }
                last.range.end = range.end;
                continue;
            }
            runs.push(Run {
                range,
                face,
                class,
                script: Script::CYRILLIC,
            });
        }
        for r in &mut runs {
            r.script = script_of(r.class);
        }
        runs
    }

    #[allow(clippy::too_many_arguments)]
    fn shape_run(
        &self,
        buffer: Buffer,
        text: &str,
        range: Range<usize>,
        face: FaceId,
        script: Script,
        span: &StyleSpan,
        span_index: u32,
        lang: &str,
        out: &mut Vec<Glyph>,
    ) -> Buffer {
        let mut buffer = buffer;
        buffer.clear();
        buffer.push_str(&text[range.clone()]);
        buffer.set_pre_context(&text[..range.start]);
        buffer.set_post_context(&text[range.end..]);
        buffer.set_direction(Direction::LeftToRight);
        buffer.set_script(Some(script));
        buffer.set_language(lang.parse::<Language>().ok());
        // Marks keep their own cluster, so each glyph gets its own text when copied out.
        buffer.set_cluster_level(ClusterLevel::MonotoneCharacters);
        let f = self.book.face(face);
        let plan = self.plans.get(self.book, face, script, lang);
        let shaper_font = ShaperFont::new(&f.shaper);
        if harfrust::shape(
            &shaper_font,
            &mut buffer,
            ShapeOptions::new().plan(Some(&plan)),
        )
        .is_err()
        {
            return buffer;
        }
        let scale = span.size / f.units_per_em;
        let first = out.len();
        for (info, pos) in buffer.glyph_infos().iter().zip(buffer.glyph_positions()) {
            let cluster = range.start + info.cluster as usize;
            if info.glyph_id == 0 && !text[cluster..].starts_with(is_invisible) {
                // No font has it: draw a visible replacement (the text behind it stays the
                // original character) and report it.
                let (face, id, advance) = self.book.replacement();
                if let Some(c) = text[cluster..].chars().next() {
                    self.missing.borrow_mut().insert(c);
                }
                out.push(Glyph {
                    id,
                    cluster: cluster as u32,
                    advance: advance * span.size,
                    dx: 0.0,
                    dy: 0.0,
                    face,
                    size: span.size,
                    span: span_index,
                });
                continue;
            }
            out.push(Glyph {
                id: info.glyph_id,
                cluster: range.start as u32 + info.cluster,
                advance: pos.x_advance as f32 * scale,
                dx: pos.x_offset as f32 * scale,
                dy: pos.y_offset as f32 * scale + span.rise,
                face,
                size: span.size,
                span: span_index,
            });
        }
        place_marks(&mut out[first..], text, &shaper_font, scale);
        drop_hidden_glyphs(out, first, text);
        buffer
    }
}

/// Characters with no ink that only steer breaking, joining or direction: soft hyphen,
/// combining grapheme joiner, zero-width space and joiners, direction marks and embeddings, word
/// joiner and invisible operators, U+FEFF. A glyph's copied text leaves them out
/// (`layout::para::line`).
pub(crate) fn is_format_control(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}'
    )
}

/// Characters the shaper hides (the common part of Unicode's Default_Ignorable_Code_Point): the
/// format controls, and variation selectors and tags, which stay in the text of the character
/// they select for.
fn is_default_ignorable(c: char) -> bool {
    is_format_control(c)
        || matches!(
            c,
            '\u{180b}'..='\u{180d}' | '\u{fe00}'..='\u{fe0f}' | '\u{e0000}'..='\u{e0fff}'
        )
}

/// Leaves out, from `out[first..]`, the glyphs the shaper gave hidden characters: the space glyph
/// with no advance. Drawn, such a glyph would carry its character's text, and a PDF font maps
/// each glyph to one text: a word joiner before the face's first space made every space of the
/// face read back as a word joiner. A format control's text is then left out of the copied
/// text (`layout::para::line`); a variation selector's goes with the glyph before it.
fn drop_hidden_glyphs(out: &mut Vec<Glyph>, first: usize, text: &str) {
    let hidden = |g: &Glyph| {
        g.advance == 0.0
            && g.dx == 0.0
            && text[g.cluster as usize..]
                .chars()
                .next()
                .is_some_and(is_default_ignorable)
    };
    let mut kept = first;
    for i in first..out.len() {
        if !hidden(&out[i]) {
            out.swap(kept, i);
            kept += 1;
        }
    }
    out.truncate(kept);
}

/// Gap kept between a vowel's ink and a mark above it, in em.
const MARK_GAP_EM: f32 = 0.04;

/// Puts combining marks that the font left beside their base (PT Mono's stress mark is a
/// spacing glyph) or sunk into it (an acute over a capital) over the base: centred on its ink,
/// clear of its top, taking no width.
fn place_marks(glyphs: &mut [Glyph], text: &str, font: &ShaperFont<'_, '_>, scale: f32) {
    let mut pen = 0.0f32;
    let mut base: Option<(usize, f32)> = None;
    for i in 0..glyphs.len() {
        let g = glyphs[i];
        let is_mark = text[g.cluster as usize..]
            .chars()
            .next()
            .is_some_and(is_combining);
        if is_mark && let Some((b, base_pen)) = base {
            let extents = |id: u32| font.glyph_extents(harfrust::GlyphId::new(id));
            if let (Some(m), Some(bx)) = (extents(g.id), extents(glyphs[b].id)) {
                let base_centre =
                    base_pen + glyphs[b].dx + (bx.x_bearing as f32 + bx.width as f32 / 2.0) * scale;
                let mark_centre = pen + g.dx + (m.x_bearing as f32 + m.width as f32 / 2.0) * scale;
                let half = glyphs[b].advance / 2.0;
                if (mark_centre - base_centre).abs() > half || g.advance != 0.0 {
                    glyphs[i].dx += base_centre - mark_centre;
                    glyphs[i].advance = 0.0;
                }
                // Marks above (ink bottom over the baseline) must clear the base's top.
                let mark_bottom = glyphs[i].dy + (m.y_bearing + m.height) as f32 * scale;
                let base_top = glyphs[b].dy + bx.y_bearing as f32 * scale;
                let gap = MARK_GAP_EM * g.size;
                if mark_bottom > 0.0 && mark_bottom < base_top + gap {
                    glyphs[i].dy += base_top + gap - mark_bottom;
                }
            }
        } else if !is_mark {
            base = Some((i, pen));
        }
        pen += glyphs[i].advance;
    }
}

struct Run {
    range: Range<usize>,
    face: FaceId,
    class: ScriptClass,
    script: Script,
}

/// Cuts a long run into pieces of at most `MAX_SHAPE_CHUNK` bytes, preferring to cut after a
/// space and never before a combining mark.
fn chunks(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = range.start;
    while range.end - start > MAX_SHAPE_CHUNK {
        let limit = start + MAX_SHAPE_CHUNK;
        let window = &text[start..floor_char(text, limit)];
        let cut = match window.rfind(' ') {
            Some(i) if i > MAX_SHAPE_CHUNK / 2 => start + i + 1,
            _ => {
                let mut cut = floor_char(text, limit);
                while cut > start + 1 && text[cut..].chars().next().is_some_and(is_combining) {
                    cut = floor_char(text, cut - 1);
                }
                // A chunk of nothing but marks: cut among them rather than never move on.
                if cut <= start + 1 {
                    cut = floor_char(text, limit);
                }
                cut
            }
        };
        out.push(start..cut);
        start = cut;
    }
    if start < range.end {
        out.push(start..range.end);
    }
    out
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fonts::Family;

    fn shape(text: &str) -> (FontBook, Vec<Glyph>) {
        let book = FontBook::embedded().unwrap();
        let plans = PlanCache::default();
        let face = book.select(Family::Serif, false, false);
        let glyphs = Shaper::new(&book, &plans).shape(
            text,
            &[StyleSpan {
                range: 0..text.len(),
                face,
                size: 10.0,
                rise: 0.0,
            }],
            "ru",
        );
        (book, glyphs)
    }

    #[test]
    fn cyrillic_shapes_with_real_glyphs_and_monotone_clusters() {
        let (_, g) = shape("Съешь же ещё этих мягких французских булок");
        assert!(g.iter().all(|g| g.id != 0));
        assert!(g.windows(2).all(|w| w[0].cluster <= w[1].cluster));
        assert!(g.iter().all(|g| g.advance > 0.0));
    }

    #[test]
    fn hidden_characters_get_no_glyph() {
        let (_, plain) = shape("слово ");
        let (_, hidden) = shape("\u{feff}сло\u{ad}\u{2060}во\u{200b} \u{200d}");
        let ids = |g: &[Glyph]| g.iter().map(|g| (g.id, g.advance)).collect::<Vec<_>>();
        assert_eq!(ids(&hidden), ids(&plain));
    }

    #[test]
    fn stress_mark_keeps_its_own_cluster() {
        let text = "за\u{301}мок";
        let (_, g) = shape(text);
        let mark = text.find('\u{301}').unwrap() as u32;
        assert!(g.iter().any(|g| g.cluster == mark), "{g:?}");
    }

    #[test]
    fn a_stack_of_marks_longer_than_a_chunk_is_shaped() {
        // The chunker once cut such a stack into empty pieces for ever.
        let text = format!("a{}", "\u{301}".repeat(MAX_SHAPE_CHUNK));
        let (_, g) = shape(&text);
        // "a" and its first acute may compose into "á": one glyph fewer than characters.
        assert!(g.len() >= MAX_SHAPE_CHUNK, "{} glyphs", g.len());
    }

    #[test]
    fn huge_word_is_shaped_in_chunks_without_loss() {
        let word = "ы".repeat(20_000);
        let (_, g) = shape(&word);
        assert_eq!(g.len(), 20_000);
    }

    #[test]
    fn stress_mark_sits_on_its_vowel_in_every_text_face() {
        let book = FontBook::embedded().unwrap();
        let plans = PlanCache::default();
        let shaper = Shaper::new(&book, &plans);
        let faces: Vec<FaceId> = (0..book.len() as u16)
            .map(FaceId)
            .filter(|&f| !book.face(f).name.contains("Emoji"))
            .collect();
        for face in faces {
            for vowel in "аеиоуыэюяАЕИОУЭЯ".chars() {
                let text = format!("{vowel}\u{301}");
                let span = StyleSpan {
                    range: 0..text.len(),
                    face,
                    size: 1000.0,
                    rise: 0.0,
                };
                let g = shaper.shape(&text, &[span], "ru");
                let name = &book.face(face).name;
                assert_eq!(g.len(), 2, "{name} {vowel}: {g:?}");
                let (base, mark) = (g[0], g[1]);
                assert_eq!(
                    mark.face, base.face,
                    "{name}: the mark must come from the vowel's font"
                );
                let f = book.face(mark.face);
                let sf = harfrust::ShaperFont::new(&f.shaper);
                let scale = 1000.0 / f.units_per_em;
                let ext = sf
                    .glyph_extents(harfrust::GlyphId::new(mark.id))
                    .expect("mark has ink");
                let base_ext = sf
                    .glyph_extents(harfrust::GlyphId::new(base.id))
                    .expect("vowel has ink");
                // Ink centre of the mark, relative to the vowel's origin.
                let centre = base.advance
                    + mark.dx
                    + (ext.x_bearing as f32 + ext.width as f32 / 2.0) * scale;
                assert!(
                    centre > 0.0 && centre < base.advance,
                    "{name} {vowel}: mark centre {centre} outside 0..{}",
                    base.advance
                );
                // And above the vowel: the mark's ink bottom is at or above the vowel's ink top minus a little.
                let mark_bottom = mark.dy + (ext.y_bearing + ext.height) as f32 * scale;
                let vowel_top = base_ext.y_bearing as f32 * scale;
                assert!(
                    mark_bottom >= vowel_top,
                    "{name} {vowel}: mark bottom {mark_bottom} below vowel top {vowel_top}"
                );
            }
        }
    }

    #[test]
    fn language_selects_localized_forms() {
        // PT Serif has Bashkir and Chuvash forms of ҫ (locl under cyrl/BSH and cyrl/CHU).
        let book = FontBook::embedded().unwrap();
        let plans = PlanCache::default();
        let shaper = Shaper::new(&book, &plans);
        let face = book.select(Family::Serif, false, false);
        let ids = |lang: &str| {
            let text = "ҫҪ";
            let span = StyleSpan {
                range: 0..text.len(),
                face,
                size: 10.0,
                rise: 0.0,
            };
            shaper
                .shape(text, &[span], lang)
                .iter()
                .map(|g| g.id)
                .collect::<Vec<_>>()
        };
        let (ru, ba, cv) = (ids("ru"), ids("ba"), ids("cv"));
        assert!(
            ru != ba || ru != cv,
            "no localized form: ru {ru:?} ba {ba:?} cv {cv:?}"
        );
    }
}
