//! Footnotes: numbered in order of first reference and set in small type; pagination puts each
//! at the foot of the page that references it (continuing on the next page when it does not fit),
//! where they are drawn under a short rule.

use std::collections::HashMap;
use std::sync::Arc;

use super::display::{Color, Item, Line, StructKind};
use super::flow::{BlockStyle, Flow, FlowLine};
use super::para::{Align, SpanStyle, StyledText};
use crate::doc::{Block, Inline, plain_text, visit_blocks};
use crate::text::fonts::Family;

/// Space between the text and the footnotes (where their rule stands), in points.
pub(super) const FOOT_GAP: f32 = 10.0;

impl Flow<'_> {
    /// Numbers the footnotes the body references and sets their text, ready for pagination.
    pub(super) fn prepare_notes(&mut self, blocks: &[Block]) {
        let mut definitions: HashMap<&str, &[Block]> = HashMap::new();
        let mut references: Vec<Arc<str>> = Vec::new();
        visit_blocks(blocks, &mut |b| match b {
            Block::Footnote { label, blocks } => {
                definitions.insert(label.as_str(), blocks.as_slice());
            }
            Block::Paragraph(i) | Block::Heading { content: i, .. } => {
                collect_refs(i, &mut references)
            }
            Block::Table(t) => t
                .header
                .iter()
                .chain(&t.rows)
                .flatten()
                .for_each(|c| collect_refs(c, &mut references)),
            _ => {}
        });
        let t = self.theme;
        let frame = self.frame();
        let size = t.meta_size + 0.5;
        let face = self.shaper.select(Family::Serif, false, false);
        for label in references {
            if self.note_numbers.contains_key(&label) {
                continue;
            }
            let Some(body) = definitions.get(label.as_ref()) else {
                continue;
            };
            let n = self.note_numbers.len() as u32 + 1;
            self.note_numbers.insert(label.clone(), n);
            let mut st = StyledText::single(&n.to_string(), face, size * 0.75, Color::BLACK);
            st.spans.last_mut().expect("one span").1.rise = size * 0.3;
            let text = note_text(body);
            st.push(
                &format!("\u{a0}{text}"),
                SpanStyle::new(face, size, Color::BLACK),
            );
            let first = self.lines.len();
            let saved_keep = std::mem::take(&mut self.keep_next);
            let block = BlockStyle {
                align: Align::Justify,
                hyphenate: true,
                ..BlockStyle::meta(size * 1.3, 0.0)
            };
            self.open_elem(StructKind::Note);
            self.push_paragraph(&st, &frame, block);
            self.close_elem();
            self.keep_next = saved_keep;
            let lines: Vec<FlowLine> = self.lines.split_off(first);
            self.note_lines.push(lines);
        }
    }

    /// Draws the footnote lines `notes` (note index, line index) at the foot of a column whose
    /// bottom is at `bottom` and which stands `dx` right of the first, under a short rule.
    pub(super) fn draw_footnotes(
        &mut self,
        notes: &[(usize, usize)],
        bottom: f32,
        dx: f32,
        items: &mut Vec<Item>,
    ) {
        if notes.is_empty() {
            return;
        }
        let t = self.theme;
        let height: f32 = notes
            .iter()
            .map(|&(n, k)| self.note_lines[n][k].height)
            .sum();
        let mut y = bottom - height;
        let left = t.margin_inner + dx;
        items.push(Item::Line(Line {
            from: (left, y - FOOT_GAP / 2.0),
            to: (left + t.column_width() * 0.25, y - FOOT_GAP / 2.0),
            width: 0.5,
            color: self.theme.rule,
        }));
        for &(n, k) in notes {
            let line = &mut self.note_lines[n][k];
            for mut item in line.items.drain(..) {
                item.translate(dx, y + line.baseline);
                items.push(item);
            }
            y += line.height;
        }
    }
}

/// The text of a footnote definition, its paragraphs joined.
fn note_text(blocks: &[Block]) -> String {
    let mut parts = Vec::new();
    visit_blocks(blocks, &mut |b| {
        if let Block::Paragraph(i) | Block::Heading { content: i, .. } = b {
            parts.push(plain_text(i).trim().to_string());
        }
    });
    parts.join(" ")
}

fn collect_refs(inlines: &[Inline], out: &mut Vec<Arc<str>>) {
    out.extend(inlines.iter().filter_map(|i| i.footnote.clone()));
}
