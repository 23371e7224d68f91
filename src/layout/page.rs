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
    /// Fills pages one at a time, each with its running header (from page 2) and footer, and
    /// hands each to `sink` as soon as it is whole: the caller may write it out and drop it, so
    /// no more than one page's display list need be held. The plan is made first, so the page
    /// count the footers print is known before the first page is filled. Returns the outline.
    pub(super) fn paginate(
        mut self,
        doc: &Doc,
        sink: &mut dyn FnMut(Page) -> Result<(), Error>,
    ) -> Result<Vec<OutlineEntry>, Error> {
        let t = self.theme;
        let avail = t.page_height - t.margin_top - t.margin_bottom;
        let planned = if t.columns > 1 {
            self.plan_columns(avail)?
        } else {
            self.plan_single(avail)?
        };
        let total = planned.iter().map(|p| p.slot.page + 1).max().unwrap_or(1);
        // A spanning block floated to the next page is planned before the columns that fill
        // this one: sorted by page (stably, so each page draws its items in the planned order),
        // every page is filled in one go.
        let mut placed: Vec<(usize, Placed)> = planned.into_iter().enumerate().collect();
        placed.sort_by_key(|(_, p)| p.slot.page);
        let text_area = Rect {
            x: t.margin_inner,
            y: t.margin_top,
            width: t.text_width(),
            height: avail,
        };
        // Bookmarks with the place of their plan and line: sorted by these, they keep the order
        // in which the plans were made.
        let mut outline: Vec<((usize, usize), OutlineEntry)> = Vec::new();
        let mut lines = std::mem::take(&mut self.lines);
        // Header rows are drawn again on later pages: keep a copy before their items move.
        let header_copies: std::collections::HashMap<usize, Vec<Item>> = lines
            .iter()
            .filter_map(|l| l.table_header)
            .collect::<std::collections::BTreeSet<usize>>()
            .into_iter()
            .map(|h| {
                self.glyphs
                    .unpack_slot(self.packed.get_mut(h), &mut lines[h].items);
                (h, lines[h].items.clone())
            })
            .collect();
        let furniture = Furniture::new(&self, doc, total);
        let mut placed = placed.into_iter().peekable();
        for p in 0..total {
            let mut page = Page {
                width: t.page_width,
                height: t.page_height,
                text_area,
                items: Vec::new(),
                folio: None,
            };
            // (left offset, top, bottom) of each column drawn on the page.
            let mut bottoms = Vec::new();
            while let Some((
                order,
                Placed {
                    plan,
                    slot,
                    squeeze,
                },
            )) = placed.next_if(|(_, x)| x.slot.page == p)
            {
                let items = &mut page.items;
                let range = plan.range;
                let mut y = slot.top;
                if let Some(h) = repeated_header(&lines, range.start) {
                    for item in header_copies.get(&h).into_iter().flatten() {
                        let mut item = item.clone();
                        // The repeat is page furniture: the header row is read once, where it
                        // stands.
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
                        let entry = OutlineEntry {
                            level,
                            title,
                            page: p,
                            y,
                        };
                        outline.push(((order, i), entry));
                    }
                    self.glyphs
                        .unpack_slot(self.packed.get_mut(i), &mut line.items);
                    // Taken, not drained: the line's own list is freed with the move.
                    for mut item in std::mem::take(&mut line.items) {
                        item.translate(slot.dx, baseline);
                        items.push(item);
                    }
                    y += line.height;
                }
                bottoms.push((slot.dx, slot.top, y));
                // Footnotes stand at the foot of their column, under a short rule.
                let mut notes = Vec::new();
                self.draw_footnotes(&plan.notes, slot.top + slot.height, slot.dx, &mut notes);
                page.items.extend(notes);
            }
            if t.columns > 1 {
                self.draw_column_rules(&bottoms, &mut page.items);
            }
            furniture.draw(&self, &mut page, p);
            sink(page)?;
        }
        outline.sort_by_key(|(place, _)| *place);
        Ok(outline.into_iter().map(|(_, entry)| entry).collect())
    }

    /// One column: a page per plan, a nearly empty last page pulled back when spaces can shrink.
    fn plan_single(&self, avail: f32) -> Result<Vec<Placed>, Error> {
        let lines = &self.lines;
        let plans = plan_pages(
            lines,
            0..lines.len(),
            &self.note_lines,
            &|_| avail,
            avail,
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

    /// Columns: the page is filled in bands from the top down. What spans the columns (the
    /// title block and cover, a wide figure or table) is a band of its own; the body between
    /// runs down the first column and on down the next, page after page, and its last band is
    /// balanced, so the next spanning block follows right under it.
    fn plan_columns(&self, avail: f32) -> Result<Vec<Placed>, Error> {
        let t = self.theme;
        let n = t.columns;
        let lines = &self.lines;
        let budget = self.shaper.budget();
        let mut placed = Vec::new();
        // The page being filled and the height its bands take so far.
        let (mut page, mut used) = (0usize, 0.0f32);
        let mut segments = segments(&self.spanning, lines.len());
        let mut s = 0;
        while s < segments.len() {
            let (range, wide) = segments[s].clone();
            if range.is_empty() && !placed.is_empty() {
                s += 1;
                continue;
            }
            if used > 0.0 && avail - used < MIN_COLUMN_LINES * t.body_leading {
                (page, used) = (page + 1, 0.0);
            }
            let here = avail - used;
            let first_top = t.margin_top + used;
            // A spanning block too tall for the room under the bands above floats to the top of
            // the next page, and the text after it fills this page's columns first.
            if wide
                && used > 0.0
                && lines.get(range.start).is_some_and(|l| l.height > here)
                && let Some((next, false)) = segments.get(s + 1).cloned()
            {
                let room = |k: usize| if k < n { here } else { avail };
                let plans = plan_pages(
                    lines,
                    next.clone(),
                    &self.note_lines,
                    &room,
                    avail,
                    n,
                    budget,
                )?;
                let mut end = next.start;
                for (k, plan) in plans.into_iter().take(n).enumerate() {
                    end = plan.range.end;
                    placed.push(Placed {
                        plan,
                        slot: Slot {
                            page,
                            dx: t.column_offset(k),
                            top: first_top,
                            height: here,
                        },
                        squeeze: 1.0,
                    });
                }
                segments[s + 1].0.start = end;
                (page, used) = (page + 1, 0.0);
                continue;
            }
            let per_page = if wide { 1 } else { n };
            let room = |k: usize| if k < per_page { here } else { avail };
            let mut plans = plan_pages(
                lines,
                range,
                &self.note_lines,
                &room,
                avail,
                per_page,
                budget,
            )?;
            // The last band: balanced when it is columns of text alone.
            let last_first = (plans.len() - 1) / per_page * per_page;
            let no_notes = plans[last_first..].iter().all(|p| p.notes.is_empty());
            if !wide && no_notes {
                let band = plans[last_first].range.start..plans[plans.len() - 1].range.end;
                if let Some(balanced) = self.balance(band, room(last_first), n)? {
                    plans.truncate(last_first);
                    plans.extend(balanced);
                }
            }
            let band_height = plans[last_first..]
                .iter()
                .map(|p| height_of(lines, &p.range))
                .fold(0.0, f32::max);
            for (k, plan) in plans.into_iter().enumerate() {
                let (top, height) = if k < per_page {
                    (first_top, here)
                } else {
                    (t.margin_top, avail)
                };
                placed.push(Placed {
                    plan,
                    slot: Slot {
                        page: page + k / per_page,
                        dx: if wide { 0.0 } else { t.column_offset(k % n) },
                        top,
                        height,
                    },
                    squeeze: 1.0,
                });
            }
            let band_top = if last_first == 0 { used } else { 0.0 };
            page += last_first / per_page;
            // Footnotes stand at the columns' feet: nothing goes under a band that has some.
            used = if no_notes {
                band_top + band_height + t.body_leading
            } else {
                avail
            };
            s += 1;
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
            let plans = plan_pages(lines, range.clone(), &self.note_lines, &|_| h, h, 1, budget)?;
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

/// The lines `0..len` as runs that span the columns (`true`) and runs set in columns between
/// them, in order; `spanning` is sorted and its ranges do not overlap.
fn segments(
    spanning: &[std::ops::Range<usize>],
    len: usize,
) -> Vec<(std::ops::Range<usize>, bool)> {
    let mut out = Vec::new();
    let mut at = 0;
    for r in spanning {
        if r.start > at {
            out.push((at..r.start, false));
        }
        out.push((r.clone(), true));
        at = r.end;
    }
    if at < len || out.is_empty() {
        out.push((at..len, false));
    }
    out
}
