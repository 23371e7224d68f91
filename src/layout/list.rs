//! Lists: ordered and bulleted items, indented per level, the marker set in the margin beside the
//! item's first line.

use super::display::{Color, Item, Role, StructKind};
use super::flow::{Flow, Frame};
use crate::doc::Block;
use crate::text::fonts::Family;

impl Flow<'_> {
    /// A list: each item's blocks set one level in (while there is room), the marker — number,
    /// bullet or, one level down, dash — hung in the margin beside the item's first line.
    pub(super) fn list(&mut self, ordered: bool, start: u64, items: &[Vec<Block>], frame: &Frame) {
        let t = self.theme;
        let mut inner = frame.clone();
        if frame.can_indent(t.block_indent, t.text_width()) {
            inner.x += t.block_indent;
            inner.width -= t.block_indent;
        }
        inner.list_depth += 1;
        self.open_elem(StructKind::List { ordered });
        for (n, item) in items.iter().enumerate() {
            let marker = if ordered {
                format!("{}.", start.saturating_add(n as u64))
            } else if frame.list_depth.is_multiple_of(2) {
                "•".to_string()
            } else {
                "–".to_string()
            };
            let first = self.lines.len();
            self.flush_next = true;
            self.open_elem(StructKind::ListItem);
            let label = self.leaf_elem(StructKind::Label);
            self.open_elem(StructKind::ListBody);
            self.blocks_in(item, &inner);
            self.close_elem();
            self.close_elem();
            if n == 0
                && let Some(l) = self.lines.get_mut(first)
            {
                l.space_before = l.space_before.max(t.body_leading * 0.25);
            }
            let face = self.shaper.select(Family::Serif, false, false);
            let (mut runs, width) =
                self.single_line(&marker, face, t.body_size, Color::BLACK, Role::Body);
            if let Some(line) = self.lines.get_mut(first) {
                let x = inner.x - width - t.body_size * 0.35;
                for r in &mut runs {
                    r.x += x;
                    r.tag = Some(label);
                }
                // The marker comes first in reading order, before the item text.
                line.items.splice(0..0, runs.into_iter().map(Item::Text));
            }
        }
        self.close_elem();
        self.flush_next = true;
        self.space_next = t.body_leading * 0.25;
    }
}
