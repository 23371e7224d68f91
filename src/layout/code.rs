//! Code blocks: PT Mono, every space kept; a line too long for the column wraps behind a drawn
//! continuation arrow.

use super::display::{Color, Item, Line, Role, StructKind};
use super::flow::{Flow, Frame};
use super::para::{Align, ParaStyle, StyledText, set_paragraph};
use crate::text::fonts::Family;

/// Room at the left of code for the continuation mark, in em of the code size.
const CODE_MARK_EM: f32 = 1.2;

impl Flow<'_> {
    /// Code in PT Mono, unjustified, every space kept. A line too long for the column wraps; the
    /// continuation is indented and marked with an arrow drawn as lines (so copying the code
    /// out does not pick up a character that was never in it).
    pub(super) fn code_block(&mut self, code: &str, frame: &Frame) {
        let t = self.theme;
        let mark = t.code_size * CODE_MARK_EM;
        let face = self.shaper.select(Family::Mono, false, false);
        let st = StyledText::single(code, face, t.code_size, Color::BLACK);
        let style = ParaStyle {
            width: frame.width - mark,
            align: Align::Left,
            indent: 0.0,
            lang: self.lang.clone(),
            hyphenate: false,
            preserve_spaces: true,
            role: Role::Body,
        };
        let set = set_paragraph(self.shaper, &st, &style);
        let marks: Vec<bool> = set.iter().map(|l| l.continues).collect();
        let first = self.lines.len();
        let inner = Frame {
            x: frame.x + mark,
            width: frame.width - mark,
            ..frame.clone()
        };
        let leading = t.code_size * 1.35;
        let tag = self.leaf_elem(StructKind::Code);
        let outer = self.run_tag.replace(tag);
        self.push_set_lines(
            set,
            &inner,
            leading,
            t.code_size,
            t.body_leading * 0.4,
            false,
            None,
        );
        self.run_tag = outer;
        for (line, continues) in self.lines[first..].iter_mut().zip(marks) {
            if continues {
                line.items
                    .extend(continuation_arrow(frame.x, t.code_size, t.meta));
            }
        }
        self.flush_next = true;
        self.space_next = t.body_leading * 0.4;
    }
}

/// A small "↪" drawn with lines at `x`, on the baseline of a code line of `size`.
fn continuation_arrow(x: f32, size: f32, color: Color) -> Vec<Item> {
    let s = size;
    let line = |from: (f32, f32), to: (f32, f32)| {
        Item::Line(Line {
            from,
            to,
            width: s * 0.07,
            color,
        })
    };
    let (x0, top, mid, tip) = (x + s * 0.1, -s * 0.62, -s * 0.25, x + s * 0.75);
    vec![
        line((x0, top), (x0, mid)),
        line((x0, mid), (tip, mid)),
        line((tip - s * 0.22, mid - s * 0.18), (tip, mid)),
        line((tip - s * 0.22, mid + s * 0.18), (tip, mid)),
    ]
}
