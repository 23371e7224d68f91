//! Turning chosen breaks into set lines: justification, the added hyphen, and glyph runs that
//! each carry their own source text (what a reader copies out of the PDF).

use super::items::Source;
use super::{Align, Paragraph, SetLine};
use crate::layout::display::{GlyphRun, RunGlyph};
use crate::text::linebreak::{FILL, Item, ratio};
use crate::text::shape::{Glyph, Shaper, is_format_control};

/// Glue adjustment ratio beyond which a justified line also spreads its letters (with the word
/// space's stretch at 0.3 of its width: spaces wider than 1.75 natural ones, ≈ 0.43 em).
const LETTERSPACE_AFTER_RATIO: f64 = 2.5;
/// Most letter-spacing added to a gaping line, in em.
const MAX_LETTERSPACE_EM: f32 = 0.04;

/// The first glyph a line's items draw (for the size its letter-spacing is measured in).
fn line_first_glyph(items: &[Item], sources: &[Source]) -> usize {
    items
        .iter()
        .zip(sources)
        .find_map(|(item, src)| match (item, src) {
            (Item::Box { .. }, Source::Glyphs(range)) if !range.is_empty() => Some(range.start),
            _ => None,
        })
        .unwrap_or(usize::MAX)
}

/// For each glyph, where its cluster's text ends (the next larger cluster, or the text end).
pub(super) fn cluster_ends(glyphs: &[Glyph], text_len: usize) -> Vec<u32> {
    let mut ends = vec![text_len as u32; glyphs.len()];
    let mut next = text_len as u32;
    for i in (0..glyphs.len()).rev() {
        ends[i] = next;
        if i > 0 && glyphs[i - 1].cluster != glyphs[i].cluster {
            next = glyphs[i].cluster;
        }
    }
    ends
}

/// A glyph placed on a line, before grouping into runs.
struct Placed {
    glyph: usize,
    x: f32,
    advance: f32,
    /// The hyphen added at a break, drawn in the face and size of `glyph`.
    hyphen: bool,
}

impl Paragraph<'_> {
    /// Sets the items from `start` up to the break at `brk` into one line: glue stretched or
    /// shrunk to the width (justified) or left natural, the hyphen added at a hyphenation break.
    pub(super) fn set_line(&self, shaper: &Shaper<'_>, start: usize, brk: usize) -> SetLine {
        let (styled, style) = (self.styled, self.style);
        let (glyphs, items, sources) = (&self.glyphs[..], &self.items[..], &self.sources[..]);
        let line_items = &items[start.min(brk)..brk];
        let (mut width, mut stretch, mut shrink) = (0.0f64, 0.0f64, 0.0f64);
        // Boxes' own give (the paragraph's expansion), apart from the glue's.
        let mut boxes = 0.0f64;
        for item in line_items {
            match *item {
                Item::Box { width: w } => {
                    width += f64::from(w);
                    boxes += f64::from(w);
                }
                Item::Glue {
                    width: w,
                    stretch: st,
                    shrink: sh,
                } => {
                    width += f64::from(w);
                    stretch += f64::from(st);
                    shrink += f64::from(sh);
                }
                Item::Penalty { .. } => {}
            }
        }
        let (hyphen_at, hyphen_width) = match (items.get(brk), sources.get(brk)) {
            (Some(Item::Penalty { width: w, .. }), Some(Source::Hyphen(g))) => (Some(*g), *w),
            _ => (None, 0.0),
        };
        width += f64::from(hyphen_width);
        // Letters take their part of the slack as the line breaker counted it, but never more
        // than their full expansion: past it, the word spaces alone stretch.
        let (expand, compress) = (f64::from(self.fit.expand), f64::from(self.fit.compress));
        let whole = ratio(
            width,
            stretch + boxes * expand,
            shrink + boxes * compress,
            f64::from(style.width),
        );
        // A line with fill glue (a paragraph's last) lets the fill take any slack, as TeX's
        // infinite stretch does: its letters keep their width and need no scaled drawing.
        let letters_ratio = if whole.is_nan() || (whole > 0.0 && stretch >= f64::from(FILL)) {
            0.0
        } else {
            whole.clamp(-1.0, 1.0)
        };
        let scale = 1.0
            + letters_ratio
                * if letters_ratio >= 0.0 {
                    expand
                } else {
                    compress
                };
        width += boxes * (scale - 1.0);
        let scale = scale as f32;
        let mut r = ratio(width, stretch, shrink, f64::from(style.width));
        if !r.is_finite() || style.align != Align::Justify {
            r = r.clamp(-1.0, 0.0);
        }
        r = r.max(-1.0);
        // A line that would gape takes part of its slack as letter-spacing (a few hundredths of an em
        // per letter, as careful typesetters do) so that no word space grows past ~0.55 em.
        let mut tracking = 0.0f32;
        if style.align == Align::Justify && r.is_finite() && r > LETTERSPACE_AFTER_RATIO {
            let letters = line_items
                .iter()
                .zip(&sources[start.min(brk)..brk])
                .filter_map(|(item, src)| match (item, src) {
                    (Item::Box { .. }, Source::Glyphs(range)) => Some(range.len()),
                    _ => None,
                })
                .sum::<usize>();
            if letters > 1 {
                let slack = f64::from(style.width) - width - LETTERSPACE_AFTER_RATIO * stretch;
                let size = glyphs
                    .get(line_first_glyph(line_items, &sources[start.min(brk)..brk]))
                    .map_or(10.0, |g| g.size);
                tracking = ((slack / (letters - 1) as f64) as f32)
                    .min(MAX_LETTERSPACE_EM * size)
                    .max(0.0);
                r = (f64::from(style.width) - width - f64::from(tracking) * (letters - 1) as f64)
                    / stretch;
            }
        }
        let r = r as f32;
        let last_box_glyph = line_items
            .iter()
            .zip(&sources[start.min(brk)..brk])
            .rev()
            .find_map(|(item, src)| match (item, src) {
                (Item::Box { .. }, Source::Glyphs(range)) if !range.is_empty() => {
                    Some(range.end - 1)
                }
                _ => None,
            });
        let slack = (f64::from(style.width) - width).max(0.0) as f32;
        let mut x = match style.align {
            Align::Center => slack / 2.0,
            Align::Right => slack,
            Align::Justify | Align::Left => 0.0,
        };
        let mut placed: Vec<Placed> = Vec::new();
        for (item, source) in line_items.iter().zip(&sources[start.min(brk)..brk]) {
            match (*item, source) {
                (Item::Box { width }, Source::Nothing) => x += width * scale,
                (Item::Box { .. }, Source::Glyphs(range)) => {
                    for g in range.clone() {
                        // Tracking goes after the last glyph of a cluster (never between a letter and
                        // its mark) and never after the line's last glyph.
                        let next_is_mark = glyphs.get(g + 1).is_some_and(|n| n.advance == 0.0);
                        let advance =
                            if tracking > 0.0 && !next_is_mark && Some(g) != last_box_glyph {
                                glyphs[g].advance * scale + tracking
                            } else {
                                glyphs[g].advance * scale
                            };
                        placed.push(Placed {
                            glyph: g,
                            x,
                            advance,
                            hyphen: false,
                        });
                        x += advance;
                    }
                }
                (
                    Item::Glue {
                        width,
                        stretch,
                        shrink,
                    },
                    Source::Glyphs(range),
                ) if stretch < FILL => {
                    let set = width + if r >= 0.0 { r * stretch } else { r * shrink };
                    let natural: f32 = range.clone().map(|g| glyphs[g].advance).sum();
                    let extra = set - natural;
                    for (k, g) in range.clone().enumerate() {
                        let mut adv = glyphs[g].advance;
                        if k + 1 == range.len() {
                            adv += extra;
                        }
                        placed.push(Placed {
                            glyph: g,
                            x,
                            advance: adv,
                            hyphen: false,
                        });
                        x += adv;
                    }
                }
                _ => {}
            }
        }
        if let Some(g) = hyphen_at {
            placed.push(Placed {
                glyph: g,
                x,
                advance: hyphen_width,
                hyphen: true,
            });
            x += hyphen_width;
        }
        // Invisible characters at forced breaks (`\n`) are not drawn.
        placed.retain(|p| {
            p.hyphen
                || !matches!(
                    styled.text.as_bytes()[glyphs[p.glyph].cluster as usize],
                    b'\n'
                )
        });
        SetLine {
            runs: self.group_runs(shaper, &placed, scale),
            width: x,
            hyphenated: hyphen_at.is_some(),
            continues: false,
        }
    }

    /// Groups placed glyphs into runs of one face, size and span, each with its own source text;
    /// `expansion` is the line's horizontal scale of the glyph shapes.
    fn group_runs(&self, shaper: &Shaper<'_>, placed: &[Placed], expansion: f32) -> Vec<GlyphRun> {
        let Paragraph {
            styled,
            style,
            glyphs,
            cluster_end,
            ..
        } = self;
        let mut runs: Vec<GlyphRun> = Vec::new();
        let mut run_text_start = 0usize;
        for p in placed {
            let g = &glyphs[p.glyph];
            let span = &styled.spans[g.span as usize].1;
            let same = runs.last().is_some_and(|r| {
                r.face == g.face
                    && r.size == g.size
                    && r.link == span.link
                    && r.color == span.color
                    && r.decoration == span.decoration
                    && r.note == span.note
            });
            if !same {
                run_text_start = g.cluster as usize;
                runs.push(GlyphRun {
                    x: p.x,
                    y: 0.0,
                    face: g.face,
                    size: g.size,
                    color: span.color,
                    role: style.role,
                    text: String::new(),
                    glyphs: Vec::new(),
                    expansion,
                    link: span.link.clone(),
                    decoration: span.decoration,
                    note: span.note,
                    tag: None,
                });
            }
            let run = runs.last_mut().expect("a run was just pushed");
            if p.hyphen {
                let Some((id, _)) = shaper.book.face(g.face).hyphen else {
                    continue;
                };
                let at = run.text.len();
                run.text.push('-');
                run.glyphs.push(RunGlyph {
                    id,
                    advance: p.advance,
                    dx: 0.0,
                    dy: 0.0,
                    text_range: at as u32..at as u32 + 1,
                });
                continue;
            }
            let (cs, ce) = (g.cluster as usize, cluster_end[p.glyph] as usize);
            // Extend the run's text to cover this glyph's cluster.
            let have = run_text_start + run.text.len();
            if ce > have {
                run.text.push_str(&styled.text[have.max(cs)..ce]);
            }
            // A glyph's own text stops before the format controls after it (a word joiner, a
            // soft hyphen; their glyphs were left out, `shape.rs`): a PDF font maps a glyph to
            // the first text it is drawn with, so «т» + word joiner would make every later «т»
            // copy out with a word joiner in most readers. The run's text keeps them.
            let own = styled.text[cs..ce]
                .trim_end_matches(is_format_control)
                .len();
            let ce = if own > 0 { cs + own } else { ce };
            let rel_start = cs.saturating_sub(run_text_start);
            let rel_end = ce.saturating_sub(run_text_start).max(rel_start);
            run.glyphs.push(RunGlyph {
                id: g.id,
                advance: p.advance,
                // A mark sits on its base glyph, whose shape is drawn `expansion` wider.
                dx: g.dx * expansion,
                dy: g.dy,
                text_range: rel_start as u32..rel_end.min(run.text.len()) as u32,
            });
        }
        // A long article holds every line until its pages are written: no spare capacity.
        for run in &mut runs {
            run.glyphs.shrink_to_fit();
            run.text.shrink_to_fit();
        }
        runs
    }
}
