//! Pages: the planned pages (`plan.rs`) are filled with their flow lines, a continued table's
//! header row and their footnotes; then each page gets its furniture (`furniture.rs`).

use super::display::{Item, OutlineEntry, Page, Rect};
use super::flow::Flow;
use super::furniture::Furniture;
use super::plan::{plan_pages, pull_back_last_page, repeated_header};
use crate::doc::Doc;
use crate::error::Error;

impl Flow<'_> {
    /// Fills pages, then draws the running header (from page 2) and the footer on every page.
    pub(super) fn paginate(mut self, doc: &Doc) -> Result<(Vec<Page>, Vec<OutlineEntry>), Error> {
        let t = self.theme;
        let top = t.margin_top;
        let avail = t.page_height - t.margin_top - t.margin_bottom;
        let lines = &self.lines;
        let plans = plan_pages(lines, &self.note_lines, avail, self.shaper.budget())?;
        let mut ranges: Vec<std::ops::Range<usize>> =
            plans.iter().map(|p| p.range.clone()).collect();
        let mut foot: Vec<Vec<(usize, usize)>> = plans.into_iter().map(|p| p.notes).collect();
        // Pulling a page back is for plain text; pages with footnotes keep their breaks.
        let has_notes = foot.iter().rev().take(2).any(|n| !n.is_empty());
        let last_squeeze = if has_notes {
            1.0
        } else {
            pull_back_last_page(lines, &mut ranges, avail)
        };
        foot.truncate(ranges.len());
        let text_area = Rect {
            x: t.margin_inner,
            y: top,
            width: t.text_width(),
            height: avail,
        };
        let mut pages = Vec::with_capacity(ranges.len());
        let mut outline = Vec::new();
        let mut lines = std::mem::take(&mut self.lines);
        let total = ranges.len();
        // Header rows are drawn again on later pages: keep a copy before their items move.
        let header_copies: std::collections::HashMap<usize, Vec<Item>> = lines
            .iter()
            .filter_map(|l| l.table_header)
            .collect::<std::collections::BTreeSet<usize>>()
            .into_iter()
            .map(|h| (h, lines[h].items.clone()))
            .collect();
        for (p, range) in ranges.into_iter().enumerate() {
            let mut items = Vec::new();
            let mut y = top;
            let squeeze = if p + 1 == total { last_squeeze } else { 1.0 };
            if let Some(h) = repeated_header(&lines, range.start) {
                for item in header_copies.get(&h).into_iter().flatten() {
                    let mut item = item.clone();
                    // The repeat is page furniture: the header row is read once, where it stands.
                    if let Item::Text(run) = &mut item {
                        run.tag = None;
                    }
                    item.translate(0.0, y + lines[h].baseline);
                    items.push(item);
                }
                y += lines[h].height + lines[range.start].gap_under_header;
            }
            for i in range.clone() {
                let line = &mut lines[i];
                if i != range.start {
                    y += line.space_before * squeeze;
                }
                let baseline = y + line.baseline;
                if let Some((level, title)) = line.outline.take() {
                    outline.push(OutlineEntry {
                        level,
                        title,
                        page: p,
                        y,
                    });
                }
                for mut item in line.items.drain(..) {
                    item.translate(0.0, baseline);
                    items.push(item);
                }
                y += line.height;
            }
            // Footnotes stand at the foot of the text area, under a short rule.
            self.draw_footnotes(&foot[p], top + avail, &mut items);
            let page = Page {
                width: t.page_width,
                height: t.page_height,
                text_area,
                items,
                folio: None,
            };
            pages.push(page);
        }
        let furniture = Furniture::new(&self, doc, total);
        for (p, page) in pages.iter_mut().enumerate() {
            furniture.draw(&self, page, p);
        }
        Ok((pages, outline))
    }
}
