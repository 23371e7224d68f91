//! Lists: ordered and bulleted items, indented per level, the marker set in the margin beside the
//! item's first line.

use super::display::{Color, Item, Role, StructKind};
use super::flow::{Flow, Frame};
use crate::doc::{Block, Inline};
use crate::text::fonts::Family;

impl Flow<'_> {
    /// A list: each item's blocks set one level in (while there is room), the marker — number,
    /// bullet or, one level down, dash — hung in the margin beside the item's first line.
    pub(super) fn list(&mut self, ordered: bool, start: u64, items: &[Vec<Block>], frame: &Frame) {
        let t = self.theme;
        let mut inner = frame.clone();
        if frame.can_indent(t.block_indent, t.column_width()) {
            inner.x += t.block_indent;
            inner.width -= t.block_indent;
        }
        inner.list_depth += 1;
        self.open_elem(StructKind::List { ordered });
        for (n, item) in items.iter().enumerate() {
            let task = task_box(item);
            let item = task.as_ref().map_or(item.as_slice(), |(_, rest)| rest);
            let marker = if let Some((mark, _)) = &task {
                mark.to_string()
            } else if ordered {
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
            if let Some(items) = self.line_items_mut(first) {
                let x = inner.x - width - t.body_size * 0.35;
                for r in &mut runs {
                    r.x += x;
                    r.tag = Some(label);
                }
                // The marker comes first in reading order, before the item text.
                items.splice(0..0, runs.into_iter().map(Item::Text));
            }
        }
        self.close_elem();
        self.flush_next = true;
        self.space_next = t.body_leading * 0.25;
    }
}

/// Ballot boxes that mark a task list item (`- [ ]`, `- [x]` in Markdown, or typed as text).
const TASK_BOXES: [char; 3] = ['☐', '☒', '☑'];

/// A list item that begins with a ballot box: the box, and the item without it. The box then
/// takes the bullet's place, so the item carries one mark, not a bullet and a box.
fn task_box(item: &[Block]) -> Option<(char, Vec<Block>)> {
    let Some(Block::Paragraph(inlines)) = item.first() else {
        return None;
    };
    let first = inlines.first()?;
    let mark = first
        .text
        .chars()
        .next()
        .filter(|c| TASK_BOXES.contains(c))?;
    let rest = first.text[mark.len_utf8()..].trim_start();
    let mut paragraph: Vec<Inline> = inlines.clone();
    if rest.is_empty() {
        paragraph.remove(0);
    } else {
        paragraph[0].text = rest.to_string();
    }
    let mut blocks = Vec::with_capacity(item.len());
    blocks.push(Block::Paragraph(paragraph));
    blocks.extend_from_slice(&item[1..]);
    Some((mark, blocks))
}
