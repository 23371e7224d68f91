//! Pages: the planned pages (`plan.rs`) — or, on a two-column page, the planned columns — are
//! filled with their flow lines, a continued table's header row and their footnotes; then each
//! page gets its furniture (`furniture.rs`).

use super::display::{Item, Line, OutlineEntry, Page, Rect};
use super::flow::{Flow, FlowLine};
use super::furniture::Furniture;
use super::plan::{PagePlan, plan_pages, pull_back_last_page, repeated_header};
use crate::doc::Doc;
use crate::error::Error;

/// Where one planned run of lines is drawn: on which page, how far right of the text area's
/// left edge, from which height down, over how much height (its footnotes stand at its foot).
struct Slot {
    page: usize,
    dx: f32,
    top: f32,
    height: f32,
}

/// A page plan and the place it is drawn.
struct Placed {
    plan: PagePlan,
    slot: Slot,
    /// Factor for the spaces between blocks (below 1 on a last page pulled back).
    squeeze: f32,
}

/// Columns narrower than this many lines are not begun under the title block: the body starts
/// on the next page instead.
const MIN_COLUMN_LINES: f32 = 3.0;

impl Flow<'_> {
    /// Fills pages, then draws the running header (from page 2) and the footer on every page.
    pub(super) fn paginate(mut self, doc: &Doc) -> Result<(Vec<Page>, Vec<OutlineEntry>), Error> {
        let t = self.theme;
        let avail = t.page_height - t.margin_top - t.margin_bottom;
        let placed = if t.columns > 1 {
            self.plan_columns(avail)?
        } else {
            self.plan_single(avail)?
        };
        let total = placed.iter().map(|p| p.slot.page + 1).max().unwrap_or(1);
        let text_area = Rect {
            x: t.margin_inner,
            y: t.margin_top,
            width: t.text_width(),
            height: avail,
        };
        let mut pages: Vec<Page> = (0..total)
            .map(|_| Page {
                width: t.page_width,
                height: t.page_height,
                text_area,
                items: Vec::new(),
                folio: None,
            })
            .collect();
        let mut outline = Vec::new();
        let mut lines = std::mem::take(&mut self.lines);
        // Header rows are drawn again on later pages: keep a copy before their items move.
        let header_copies: std::collections::HashMap<usize, Vec<Item>> = lines
            .iter()
            .filter_map(|l| l.table_header)
            .collect::<std::collections::BTreeSet<usize>>()
            .into_iter()
            .map(|h| (h, lines[h].items.clone()))
            .collect();
        let mut bottoms = vec![Vec::new(); total];
        for Placed {
            plan,
            slot,
            squeeze,
        } in placed
        {
            let items = &mut pages[slot.page].items;
            let range = plan.range;
            let mut y = slot.top;
            if let Some(h) = repeated_header(&lines, range.start) {
                for item in header_copies.get(&h).into_iter().flatten() {
                    let mut item = item.clone();
                    // The repeat is page furniture: the header row is read once, where it stands.
                    if let Item::Text(run) = &mut item {
                        run.tag = None;
                    }
                    item.translate(slot.dx, y + lines[h].baseline);
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
                        page: slot.page,
                        y,
                    });
                }
                for mut item in line.items.drain(..) {
                    item.translate(slot.dx, baseline);
                    items.push(item);
                }
                y += line.height;
            }
            bottoms[slot.page].push((slot.dx, slot.top, y));
            // Footnotes stand at the foot of their column, under a short rule.
            let mut notes = Vec::new();
            self.draw_footnotes(&plan.notes, slot.top + slot.height, slot.dx, &mut notes);
            pages[slot.page].items.extend(notes);
        }
        if t.columns > 1 {
            for (page, columns) in pages.iter_mut().zip(&bottoms) {
                self.draw_column_rules(columns, &mut page.items);
            }
        }
        let furniture = Furniture::new(&self, doc, total);
        for (p, page) in pages.iter_mut().enumerate() {
            furniture.draw(&self, page, p);
        }
        Ok((pages, outline))
    }

    /// One column: a page per plan, a nearly empty last page pulled back when spaces can shrink.
    fn plan_single(&self, avail: f32) -> Result<Vec<Placed>, Error> {
        let lines = &self.lines;
        let plans = plan_pages(
            lines,
            0..lines.len(),
            &self.note_lines,
            &|_| avail,
            1,
            self.shaper.budget(),
        )?;
        let mut ranges: Vec<std::ops::Range<usize>> =
            plans.iter().map(|p| p.range.clone()).collect();
        // Pulling a page back is for plain text; pages with footnotes keep their breaks.
        let has_notes = plans.iter().rev().take(2).any(|p| !p.notes.is_empty());
        let last_squeeze = if has_notes {
            1.0
        } else {
            pull_back_last_page(lines, &mut ranges, avail)
        };
        let total = ranges.len();
        Ok(plans
            .into_iter()
            .zip(ranges)
            .enumerate()
            .map(|(p, (plan, range))| Placed {
                plan: PagePlan { range, ..plan },
                slot: Slot {
                    page: p,
                    dx: 0.0,
                    top: self.theme.margin_top,
                    height: avail,
                },
                squeeze: if p + 1 == total { last_squeeze } else { 1.0 },
            })
            .collect())
    }

    /// Two columns: the title block and cover span the page; the body runs down the first
    /// column and on down the second, page after page; the last page's columns are balanced.
    fn plan_columns(&self, avail: f32) -> Result<Vec<Placed>, Error> {
        let t = self.theme;
        let lines = &self.lines;
        let budget = self.shaper.budget();
        let mut placed = Vec::new();
        // The spanning head, a page at a time (one, unless a cover is very tall).
        let mut band_page = 0;
        let mut band_used = 0.0;
        if self.head_end > 0 {
            let head = plan_pages(
                lines,
                0..self.head_end,
                &self.note_lines,
                &|_| avail,
                1,
                budget,
            )?;
            for (p, plan) in head.into_iter().enumerate() {
                band_page = p;
                band_used = height_of(lines, &plan.range);
                placed.push(Placed {
                    plan,
                    slot: Slot {
                        page: p,
                        dx: 0.0,
                        top: t.margin_top,
                        height: avail,
                    },
                    squeeze: 1.0,
                });
            }
            band_used += t.body_leading;
            if avail - band_used < MIN_COLUMN_LINES * t.body_leading {
                band_page += 1;
                band_used = 0.0;
            }
        }
        let first_avail = avail - band_used;
        let column_avail = |n: usize| if n < t.columns { first_avail } else { avail };
        let body = self.head_end..lines.len();
        let mut columns = plan_pages(
            lines,
            body,
            &self.note_lines,
            &column_avail,
            t.columns,
            budget,
        )?;
        let last_first = (columns.len() - 1) / t.columns * t.columns;
        let height = column_avail(last_first);
        if columns[last_first..].iter().all(|c| c.notes.is_empty()) {
            let range = columns[last_first].range.start..columns[columns.len() - 1].range.end;
            if let Some(balanced) = self.balance(range, height, t.columns)? {
                columns.truncate(last_first);
                columns.extend(balanced);
            }
        }
        for (n, plan) in columns.into_iter().enumerate() {
            let page = band_page + n / t.columns;
            let (top, height) = if n < t.columns {
                (t.margin_top + band_used, first_avail)
            } else {
                (t.margin_top, avail)
            };
            placed.push(Placed {
                plan,
                slot: Slot {
                    page,
                    dx: t.column_offset(n % t.columns),
                    top,
                    height,
                },
                squeeze: 1.0,
            });
        }
        Ok(placed)
    }

    /// The lines of `range` in at most `columns` columns of even height, no taller than
    /// `height`: the shortest height they fit (found by halving the interval), or `None` when
    /// they need the whole height anyway.
    fn balance(
        &self,
        range: std::ops::Range<usize>,
        height: f32,
        columns: usize,
    ) -> Result<Option<Vec<PagePlan>>, Error> {
        let lines = &self.lines;
        let budget = self.shaper.budget();
        let fits = |h: f32| -> Result<Option<Vec<PagePlan>>, Error> {
            let plans = plan_pages(lines, range.clone(), &self.note_lines, &|_| h, 1, budget)?;
            let ok = plans.len() <= columns
                && plans.iter().all(|p| height_of(lines, &p.range) <= h + 0.01);
            Ok(ok.then_some(plans))
        };
        let mut best = None;
        let (mut low, mut high) = (0.0f32, height);
        // Twenty halvings take the interval under a thousandth of a point on any page.
        for _ in 0..20 {
            let mid = (low + high) / 2.0;
            match fits(mid)? {
                Some(plans) => {
                    best = Some(plans);
                    high = mid;
                }
                None => low = mid,
            }
        }
        Ok(best)
    }

    /// A hairline between columns standing side by side, as tall as the taller of them.
    fn draw_column_rules(&self, columns: &[(f32, f32, f32)], items: &mut Vec<Item>) {
        let t = self.theme;
        for pair in columns.windows(2) {
            let [(left_dx, top, left_end), (right_dx, right_top, right_end)] = pair else {
                continue;
            };
            if right_dx <= left_dx || (top - right_top).abs() > 0.01 || right_end - right_top < 1.0
            {
                continue;
            }
            let x = t.margin_inner + right_dx - t.column_gap / 2.0;
            items.push(Item::Line(Line {
                from: (x, *top),
                to: (x, left_end.max(*right_end)),
                width: 0.4,
                color: t.rule,
            }));
        }
    }
}

/// Height of the lines of `range` set one under the other, with the spaces between them.
fn height_of(lines: &[FlowLine], range: &std::ops::Range<usize>) -> f32 {
    lines[range.clone()]
        .iter()
        .enumerate()
        .map(|(k, l)| l.height + if k > 0 { l.space_before } else { 0.0 })
        .sum()
}
