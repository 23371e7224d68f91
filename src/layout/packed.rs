//! Set lines waiting for their page keep their glyphs packed: a few bytes a glyph, deflated in
//! blocks, instead of 24. A long article's flow holds every line until the plan is made (the
//! footers print the page count), so this is most of what one render holds; pagination unpacks
//! each line as it moves onto its page, and the page is written and dropped.

use std::io::Write;

use flate2::Compression;
use flate2::write::{DeflateDecoder, DeflateEncoder};

use super::display::{Item, RunGlyph};

/// Encoded lines are gathered to about this many bytes before the block is deflated: enough for
/// deflate to find the repeats of a language's letters, small enough to inflate in a blink.
const BLOCK_BYTES: usize = 64 * 1024;

/// Where one line's glyphs are: the block and the offset in its inflated bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PackedLine {
    block: u32,
    offset: u32,
}

/// The packed glyphs of every line packed so far, in deflated blocks, with the block being
/// filled and the last block inflated (lines are mostly unpacked in the order they were packed).
#[derive(Default)]
pub(super) struct GlyphStore {
    sealed: Vec<Vec<u8>>,
    open: Vec<u8>,
    /// The block `inflated.0`, inflated.
    inflated: Option<(u32, Vec<u8>)>,
}

// Per glyph: a flags byte, the id (LEB128), the advance unless the run has given this glyph the
// same advance before, the offsets when not zero, and the text range, usually said in the flags.
const DX: u8 = 1;
const DY: u8 = 2;
/// The advance is the one this run gave the glyph last (the same letter at the same size and
/// expansion): most glyphs of a line.
const KNOWN_ADVANCE: u8 = 4;
/// How the text range is said (two bits): as both ends, the same as the glyph before's (a
/// cluster of several glyphs), or right after the glyph before's with its length.
const TEXT: u8 = 3 << 3;
const TEXT_EXPLICIT: u8 = 0;
const TEXT_SAME: u8 = 1 << 3;
const TEXT_NEXT: u8 = 2 << 3;
/// A length of 1–7 bytes (a Cyrillic letter is 2) in the top three bits; 0: a LEB128 follows.
const LEN_SHIFT: u32 = 5;

/// Slots of the per-run advance memory, by glyph id modulo this.
const ADVANCE_SLOTS: usize = 64;

/// The advances a run has given its glyphs, by glyph id (direct-mapped: a clash forgets).
struct Advances([(u32, f32); ADVANCE_SLOTS]);

impl Advances {
    fn new() -> Advances {
        // No glyph has id u32::MAX: every slot starts empty.
        Advances([(u32::MAX, 0.0); ADVANCE_SLOTS])
    }
    fn slot(&mut self, id: u32) -> &mut (u32, f32) {
        &mut self.0[id as usize % ADVANCE_SLOTS]
    }
}

impl GlyphStore {
    /// Takes the glyphs out of every run in `items` into the store; the runs keep their text,
    /// place and style with an empty glyph list until [`GlyphStore::unpack`].
    pub(super) fn pack(&mut self, items: &mut [Item]) -> PackedLine {
        if self.open.len() >= BLOCK_BYTES {
            self.seal();
        }
        let at = PackedLine {
            block: self.sealed.len() as u32,
            offset: self.open.len() as u32,
        };
        for item in items {
            if let Item::Text(run) = item {
                let glyphs = std::mem::take(&mut run.glyphs);
                encode_run(&mut self.open, &glyphs);
            }
        }
        at
    }

    /// Puts the glyphs of a line packed at `at` back into its runs.
    pub(super) fn unpack(&mut self, at: PackedLine, items: &mut [Item]) {
        let bytes: &[u8] = if at.block as usize == self.sealed.len() {
            &self.open
        } else {
            if self.inflated.as_ref().map(|(b, _)| *b) != Some(at.block) {
                let inflated = inflate(&self.sealed[at.block as usize]);
                self.inflated = Some((at.block, inflated));
            }
            match &self.inflated {
                Some((_, bytes)) => bytes,
                None => &[],
            }
        };
        let mut reader = Reader {
            bytes,
            at: at.offset as usize,
        };
        for item in items {
            if let Item::Text(run) = item {
                run.glyphs = reader.run();
            }
        }
    }

    /// Unpacks into `items` the line whose place is in `slot`, if it is still packed there, and
    /// marks the slot unpacked.
    pub(super) fn unpack_slot(
        &mut self,
        slot: Option<&mut Option<PackedLine>>,
        items: &mut [Item],
    ) {
        if let Some(at) = slot.and_then(Option::take) {
            self.unpack(at, items);
        }
    }

    /// Bytes held: the deflated blocks and the one being filled.
    #[cfg(test)]
    fn held(&self) -> usize {
        self.sealed.iter().map(Vec::len).sum::<usize>() + self.open.len()
    }

    fn seal(&mut self) {
        let block = std::mem::take(&mut self.open);
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::fast());
        // Writing into a Vec cannot fail.
        let mut deflated = encoder
            .write_all(&block)
            .and_then(|()| encoder.finish())
            .unwrap_or_default();
        deflated.shrink_to_fit();
        self.sealed.push(deflated);
        self.open = Vec::with_capacity(block.len());
    }
}

fn inflate(deflated: &[u8]) -> Vec<u8> {
    let mut decoder = DeflateDecoder::new(Vec::with_capacity(BLOCK_BYTES * 2));
    // The block was deflated here, from memory: it inflates.
    decoder
        .write_all(deflated)
        .and_then(|()| decoder.finish())
        .unwrap_or_default()
}

fn encode_run(out: &mut Vec<u8>, glyphs: &[RunGlyph]) {
    put_varint(out, glyphs.len() as u64);
    let mut advances = Advances::new();
    let mut before: Option<&std::ops::Range<u32>> = None;
    for g in glyphs {
        let mut flags = 0;
        if g.dx != 0.0 {
            flags |= DX;
        }
        if g.dy != 0.0 {
            flags |= DY;
        }
        let slot = advances.slot(g.id);
        // Compared as bits: the very same f32 comes back.
        if *slot == (g.id, g.advance) && slot.1.to_bits() == g.advance.to_bits() {
            flags |= KNOWN_ADVANCE;
        }
        *slot = (g.id, g.advance);
        let range = &g.text_range;
        let len = range.end.wrapping_sub(range.start);
        match before {
            Some(r) if r == range => flags |= TEXT_SAME,
            Some(r) if r.end == range.start && range.end >= range.start => {
                flags |= TEXT_NEXT;
                if (1..8).contains(&len) {
                    flags |= (len as u8) << LEN_SHIFT;
                }
            }
            _ => {}
        }
        out.push(flags);
        put_varint(out, u64::from(g.id));
        if flags & KNOWN_ADVANCE == 0 {
            out.extend_from_slice(&g.advance.to_le_bytes());
        }
        if flags & DX != 0 {
            out.extend_from_slice(&g.dx.to_le_bytes());
        }
        if flags & DY != 0 {
            out.extend_from_slice(&g.dy.to_le_bytes());
        }
        match flags & TEXT {
            TEXT_EXPLICIT => {
                put_varint(out, u64::from(range.start));
                put_varint(out, u64::from(range.end));
            }
            TEXT_NEXT if flags >> LEN_SHIFT == 0 => put_varint(out, u64::from(len)),
            _ => {}
        }
        before = Some(range);
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads back what `encode_run` wrote. The bytes never left this process, so a short read
/// (which cannot happen) gives zeros rather than a panic.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
        }
        v
    }

    fn f32(&mut self) -> f32 {
        let mut b = [0u8; 4];
        for x in &mut b {
            *x = self.byte();
        }
        f32::from_le_bytes(b)
    }

    fn run(&mut self) -> Vec<RunGlyph> {
        let count = self.varint() as usize;
        // A count is never more than the bytes left (each glyph takes at least two).
        let mut glyphs = Vec::with_capacity(count.min(self.bytes.len().saturating_sub(self.at)));
        let mut advances = Advances::new();
        let mut before: std::ops::Range<u32> = 0..0;
        for _ in 0..count {
            let flags = self.byte();
            let id = self.varint() as u32;
            let slot = advances.slot(id);
            let advance = if flags & KNOWN_ADVANCE != 0 {
                slot.1
            } else {
                self.f32()
            };
            *advances.slot(id) = (id, advance);
            let dx = if flags & DX != 0 { self.f32() } else { 0.0 };
            let dy = if flags & DY != 0 { self.f32() } else { 0.0 };
            let text_range = match flags & TEXT {
                TEXT_SAME => before.clone(),
                TEXT_NEXT => {
                    let len = match u32::from(flags >> LEN_SHIFT) {
                        0 => self.varint() as u32,
                        len => len,
                    };
                    before.end..before.end.saturating_add(len)
                }
                _ => self.varint() as u32..self.varint() as u32,
            };
            before = text_range.clone();
            glyphs.push(RunGlyph {
                id,
                advance,
                dx,
                dy,
                text_range,
            });
        }
        glyphs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::display::{Color, Decoration, GlyphRun, Line, Role};

    fn run(glyphs: Vec<RunGlyph>) -> Item {
        Item::Text(GlyphRun {
            x: 1.0,
            y: 2.0,
            face: crate::text::fonts::FaceId(0),
            size: 10.0,
            color: Color::BLACK,
            role: Role::Body,
            text: "текст".into(),
            glyphs,
            expansion: 1.0,
            link: None,
            decoration: Decoration::default(),
            note: None,
            tag: None,
        })
    }

    fn glyph(id: u32, advance: f32, text: std::ops::Range<u32>) -> RunGlyph {
        RunGlyph {
            id,
            advance,
            dx: 0.0,
            dy: 0.0,
            text_range: text,
        }
    }

    /// A line of every kind of glyph: a cluster of two, a mark with offsets, text out of order
    /// (a right-to-left run), an id past 16 bits, an empty run, and a rule between runs.
    fn line(k: u32) -> Vec<Item> {
        let mut mark = glyph(7, 0.0, 2..4);
        (mark.dx, mark.dy) = (-1.25, 3.5);
        vec![
            run(vec![
                glyph(k, 5.5 + k as f32, 0..2),
                glyph(k + 1, 4.25, 0..2),
                mark,
                glyph(70_000, 6.0, 4..6),
                glyph(3, 2.0, 10..12),
                glyph(4, 2.0, 8..10),
            ]),
            Item::Line(Line {
                from: (0.0, 0.0),
                to: (1.0, 0.0),
                width: 0.5,
                color: Color::BLACK,
            }),
            run(Vec::new()),
            run(vec![glyph(9, 1.0, 0..2)]),
        ]
    }

    #[test]
    fn lines_come_back_as_they_went_in_from_open_and_sealed_blocks() {
        let mut store = GlyphStore::default();
        // Enough lines for many blocks; the first ones are sealed long before the last.
        let mut packed = Vec::new();
        for k in 0..5_000 {
            let mut items = line(k);
            let at = store.pack(&mut items);
            assert!(items.iter().all(|i| match i {
                Item::Text(r) => r.glyphs.is_empty(),
                _ => true,
            }));
            packed.push((k, at, items));
        }
        assert!(store.sealed.len() > 2, "{} blocks", store.sealed.len());
        // Out of order, as a repeated table header or a floated block asks.
        for &i in &[4_999usize, 0, 2_500, 1, 4_998] {
            let (k, at, items) = &packed[i];
            let mut items = items.clone();
            store.unpack(*at, &mut items);
            assert_eq!(items, line(*k), "line {k}");
        }
    }

    #[test]
    fn a_glyph_packs_into_a_few_bytes() {
        let mut store = GlyphStore::default();
        let glyphs: usize = 20_000 * 6 + 20_000;
        for k in 0..20_000 {
            store.pack(&mut line(k % 50));
        }
        let per_glyph = store.held() as f64 / glyphs as f64;
        assert!(per_glyph < 6.0, "{per_glyph:.2} bytes a glyph");
    }
}
