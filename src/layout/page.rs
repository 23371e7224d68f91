//! Pages: flow lines fill pages (breaking only where the keep rules allow), then each page gets
//! its running header and footer.

use std::sync::Arc;

use super::display::{ImageItem, Item, Line, Link, OutlineEntry, Page, Rect, Role};
use super::flow::{Flow, FlowLine, MAX_PAGES, set_single_line};
use super::style::{Profile, Theme};
use crate::budget::Budget;
use crate::doc::Doc;
use crate::error::Error;
use crate::text::fonts::{FaceId, Family};
use crate::text::shape::Shaper;

impl Flow<'_> {
    /// Fills pages, then draws the running header (from page 2) and the footer on every page.
    pub fn paginate(mut self, doc: &Doc) -> Result<(Vec<Page>, Vec<OutlineEntry>), Error> {
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
            .filter_map(|l| l.repeat)
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
            let notes = &foot[p];
            if !notes.is_empty() {
                let height: f32 = notes
                    .iter()
                    .map(|&(n, k)| self.note_lines[n][k].height)
                    .sum();
                let mut y = top + avail - height;
                items.push(Item::Line(Line {
                    from: (t.margin_inner, y - FOOT_GAP / 2.0),
                    to: (t.margin_inner + t.text_width() * 0.25, y - FOOT_GAP / 2.0),
                    width: 0.5,
                    color: self.theme.rule,
                }));
                for &(n, k) in notes {
                    let line = &mut self.note_lines[n][k];
                    for mut item in line.items.drain(..) {
                        item.translate(0.0, y + line.baseline);
                        items.push(item);
                    }
                    y += line.height;
                }
            }
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

/// Space between the text and the footnotes (where their rule stands), in points.
const FOOT_GAP: f32 = 10.0;

/// One page: its lines, and the footnote lines at its foot as (note index, line index).
struct PagePlan {
    range: std::ops::Range<usize>,
    notes: Vec<(usize, usize)>,
}

/// Fills pages: lines go on while they and the footnotes they reference fit; a break falls
/// before the latest line allowed to start a page. A footnote too long for the room left
/// continues at the foot of the next page, and of as many pages after it as it needs.
/// Heights are summed as lines are taken, so a page costs time in its own lines only.
fn plan_pages(
    lines: &[FlowLine],
    note_lines: &[Vec<FlowLine>],
    avail: f32,
    budget: &Budget,
) -> Result<Vec<PagePlan>, Error> {
    let mut plans = Vec::new();
    let mut carry: Vec<(usize, usize)> = Vec::new();
    let mut start = 0usize;
    let note_height = |&(n, k): &(usize, usize)| note_lines[n][k].height;
    // The footnote block: its lines under the gap that holds its rule.
    let foot = |lines_height: f32, any: bool| if any { FOOT_GAP + lines_height } else { 0.0 };
    let note_refs = |i: usize| -> Vec<(usize, usize)> {
        lines[i]
            .notes
            .iter()
            .filter_map(|&n| {
                note_lines
                    .get(n as usize - 1)
                    .map(|l| (n as usize - 1, l.len()))
            })
            .flat_map(|(n, count)| (0..count).map(move |k| (n, k)))
            .collect()
    };
    while start < lines.len() || !carry.is_empty() || plans.is_empty() {
        // Footnote lines carried over come first, as many as the page holds (at least one, so
        // every page moves on); a page they fill takes no text.
        let mut notes = Vec::new();
        let mut notes_height = 0.0f32;
        for r in std::mem::take(&mut carry) {
            let h = note_height(&r);
            if notes.is_empty() || carry.is_empty() && foot(notes_height + h, true) <= avail + 0.01
            {
                notes.push(r);
                notes_height += h;
            } else {
                carry.push(r);
            }
        }
        let mut y = repeated_header(lines, start)
            .map_or(0.0, |h| lines[h].height + lines[start].gap_under_header);
        let mut i = start;
        let mut end = if carry.is_empty() { lines.len() } else { start };
        while i < lines.len() && carry.is_empty() {
            let space = if i == start {
                0.0
            } else {
                lines[i].space_before
            };
            let refs = note_refs(i);
            let refs_height: f32 = refs.iter().map(note_height).sum();
            let any = !notes.is_empty() || !refs.is_empty();
            if y + space + lines[i].height + foot(notes_height + refs_height, any) <= avail + 0.01 {
                y += space + lines[i].height;
                notes.extend(refs);
                notes_height += refs_height;
                i += 1;
                continue;
            }
            if i == start {
                // Alone on the page and still too much: take the line and as many footnote
                // lines as fit; the rest continue on the next pages.
                y += lines[i].height;
                for r in refs {
                    let h = note_height(&r);
                    if carry.is_empty() && y + foot(notes_height + h, true) <= avail + 0.01 {
                        notes.push(r);
                        notes_height += h;
                    } else {
                        carry.push(r);
                    }
                }
                end = i + 1;
                break;
            }
            let mut j = i;
            while j > start && lines[j].keep_with_prev {
                j -= 1;
            }
            if j == start {
                j = i;
            }
            // Footnotes of the lines moved on move with them.
            let moved: std::collections::HashSet<(usize, usize)> =
                (j..i).flat_map(&note_refs).collect();
            if !moved.is_empty() {
                notes.retain(|r| !moved.contains(r));
            }
            end = j;
            break;
        }
        plans.push(PagePlan {
            range: start..end,
            notes,
        });
        if plans.len() >= MAX_PAGES {
            return Err(Error::Limit(format!(
                "the article needs more than {MAX_PAGES} pages"
            )));
        }
        if budget.at_page(plans.len() + 1) {
            budget.result()?;
        }
        if end >= lines.len() && carry.is_empty() {
            break;
        }
        start = end;
    }
    Ok(plans)
}

/// The header row to repeat above line `start` when a page begins there inside a table.
fn repeated_header(lines: &[FlowLine], start: usize) -> Option<usize> {
    lines.get(start)?.repeat.filter(|&h| h < start)
}

/// A last page with this few lines is pulled back onto the page before when that page's
/// vertical spaces can make room: a print-out without a nearly empty last sheet.
const PULL_BACK_MAX_LINES: usize = 3;
/// Spaces between blocks may shrink to this fraction of their size to make that room.
const MIN_SPACE_SQUEEZE: f32 = 0.5;

/// Merges a nearly empty last page into the one before it if squeezing the spaces between blocks
/// (never the lines) makes it fit. Returns the factor for the spaces of the (new) last page.
fn pull_back_last_page(
    lines: &[FlowLine],
    ranges: &mut Vec<std::ops::Range<usize>>,
    avail: f32,
) -> f32 {
    let n = ranges.len();
    if n < 2 || ranges[n - 1].len() > PULL_BACK_MAX_LINES {
        return 1.0;
    }
    let merged = ranges[n - 2].start..ranges[n - 1].end;
    let heights: f32 = lines[merged.clone()].iter().map(|l| l.height).sum();
    let spaces: f32 = lines[merged.start + 1..merged.end]
        .iter()
        .map(|l| l.space_before)
        .sum();
    if heights > avail {
        return 1.0;
    }
    let factor = if spaces > 0.0 {
        ((avail - heights) / spaces).min(1.0)
    } else {
        1.0
    };
    if heights + spaces * factor > avail + 0.01 || factor < MIN_SPACE_SQUEEZE {
        return 1.0;
    }
    ranges.truncate(n - 2);
    ranges.push(merged);
    factor
}

/// Running header and footer texts, shaped once per article.
struct Furniture {
    source: Option<String>,
    short_title: String,
    url: Option<String>,
    source_url: Option<String>,
    /// The article's url in full (the footer may show it shortened).
    full_url: Option<String>,
    total: usize,
}

impl Furniture {
    fn new(flow: &Flow<'_>, doc: &Doc, total: usize) -> Furniture {
        let t = flow.theme;
        let face = flow.shaper.select(Family::Sans, false, false);
        let room = t.text_width() * if doc.source.name.is_some() { 0.6 } else { 1.0 };
        Furniture {
            source: doc.source.name.clone(),
            short_title: shorten(flow, &doc.title, face, t.furniture_size, room),
            url: (doc.url.as_deref())
                .map(|u| shorten(flow, u, face, t.furniture_size, t.text_width() * 0.7)),
            source_url: doc.source.url.clone(),
            full_url: doc.url.clone(),
            total,
        }
    }

    fn draw(&self, flow: &Flow<'_>, page: &mut Page, index: usize) {
        let t = flow.theme;
        let size = t.furniture_size;
        let sans = flow.shaper.select(Family::Sans, false, false);
        let sans_bold = flow.shaper.select(Family::Sans, true, false);
        let left = t.margin_inner;
        let right = t.page_width - t.margin_outer;
        let header_y = t.margin_top - 12.0;
        let mut furniture: Vec<Item> = Vec::new();
        // The theme's logo opens the page-1 masthead; the name follows it.
        let mut name_x = left;
        if index == 0
            && let Some(logo) = &t.logo
        {
            let (w, h) = crate::photo::placed_size(logo.width, logo.height, 120.0, 18.0);
            furniture.push(Item::Image(ImageItem {
                rect: Rect {
                    x: left,
                    y: header_y + 2.0 - h,
                    width: w,
                    height: h,
                },
                picture: logo.clone(),
                alt: String::new(),
                tag: None,
            }));
            name_x += w + 6.0;
        }
        let put = |furniture: &mut Vec<Item>,
                   text: &str,
                   face: FaceId,
                   x_left: Option<f32>,
                   x_right: Option<f32>,
                   y: f32,
                   role: Role,
                   link: Option<&str>| {
            let (runs, width) = flow.single_line(text, face, size, flow.theme.meta, role);
            let x = x_left.unwrap_or_else(|| x_right.unwrap_or(right) - width);
            let link = link.filter(|_| flow.profile == Profile::Download);
            if let Some(url) = link {
                furniture.push(Item::Link(Link {
                    rect: Rect {
                        x,
                        y: y - size * 0.85,
                        width,
                        height: size * 1.1,
                    },
                    url: Arc::from(url),
                    text: text.to_string(),
                }));
            }
            for mut r in runs {
                r.x += x;
                r.y = y;
                r.link = link.map(Arc::from);
                furniture.push(Item::Text(r));
            }
        };
        // Every page names the source (page 1 as a masthead); from page 2 the title too.
        let header_left = t
            .header_text
            .as_deref()
            .or(self.source.as_deref())
            .or(self.source_url.as_deref());
        // Page 1 already shows the title in full; later pages name it in the running header.
        let header_right = (index > 0).then_some(self.short_title.as_str());
        if let Some(s) = header_left {
            let link = self.source_url.as_deref();
            put(
                &mut furniture,
                s,
                sans_bold,
                Some(name_x),
                None,
                header_y,
                Role::Header,
                link,
            );
        }
        if let Some(s) = header_right {
            put(
                &mut furniture,
                s,
                sans,
                None,
                Some(right),
                header_y,
                Role::Header,
                None,
            );
        }
        let has_header = header_left.is_some() || header_right.is_some();
        let footer_y = t.page_height - t.margin_bottom + 20.0;
        if let Some(u) = &self.url {
            put(
                &mut furniture,
                u,
                sans,
                Some(left),
                None,
                footer_y,
                Role::Footer,
                self.full_url.as_deref(),
            );
        }
        let label = (flow.labels.page_of)(index + 1, self.total);
        let folio_start = furniture.len();
        put(
            &mut furniture,
            &label,
            sans,
            None,
            Some(right),
            footer_y,
            Role::Footer,
            None,
        );
        let folio_end = furniture.len();
        let base = page.items.len();
        page.folio = Some(base + folio_start..base + folio_end);
        page.items.append(&mut furniture);
        if has_header {
            page.items.push(Item::Line(Line {
                from: (left, header_y + 4.0),
                to: (right, header_y + 4.0),
                width: 0.4,
                color: flow.theme.rule,
            }));
        }
        page.items.push(Item::Line(Line {
            from: (left, footer_y - 10.0),
            to: (right, footer_y - 10.0),
            width: 0.4,
            color: flow.theme.rule,
        }));
    }
}

/// Replaces the page's number with `label`, set like the original at the right of the footer
/// (a bound volume numbers its pages through). A page without a number gets one.
pub fn stamp_folio(shaper: &Shaper<'_>, theme: &Theme, lang: &str, page: &mut Page, label: &str) {
    let face = shaper.select(Family::Sans, false, false);
    let size = theme.furniture_size;
    let (runs, width) = set_single_line(shaper, lang, label, face, size, theme.meta, Role::Footer);
    let x = page.width - theme.margin_outer - width;
    let y = theme.page_height - theme.margin_bottom + 20.0;
    let runs: Vec<Item> = runs
        .into_iter()
        .map(|mut r| {
            r.x += x;
            r.y = y;
            Item::Text(r)
        })
        .collect();
    let count = runs.len();
    let range = page
        .folio
        .take()
        .unwrap_or(page.items.len()..page.items.len());
    let start = range.start;
    page.items.splice(range, runs);
    page.folio = Some(start..start + count);
}

/// The text cut at a word boundary (or anywhere, for a URL) with "…" so it fits `room`.
fn shorten(flow: &Flow<'_>, text: &str, face: FaceId, size: f32, room: f32) -> String {
    let fits = |s: &str| {
        flow.single_line(s, face, size, flow.theme.meta, Role::Header)
            .1
            <= room
    };
    if fits(text) {
        return text.to_string();
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    // Binary search the longest prefix that fits with the ellipsis.
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cut = chars.get(mid).map_or(text.len(), |c| c.0);
        if fits(&format!("{}…", text[..cut].trim_end())) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let cut = chars.get(lo).map_or(text.len(), |c| c.0);
    let mut prefix = text[..cut].trim_end();
    if !text.contains("://")
        && let Some(space) = prefix.rfind(' ')
        && space > prefix.len() / 2
    {
        prefix = prefix[..space].trim_end_matches([',', ':', ';', ' ', '—', '–']);
    }
    format!("{prefix}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(height: f32, space_before: f32) -> FlowLine {
        FlowLine {
            height,
            baseline: height * 0.8,
            space_before,
            keep_with_prev: false,
            items: Vec::new(),
            outline: None,
            repeat: None,
            notes: Vec::new(),
            gap_under_header: 0.0,
        }
    }

    #[test]
    fn a_short_last_page_is_pulled_back_when_spaces_can_make_room() {
        // Page 1: 10 lines of 10 pt with 4 spaces of 6 pt = 124 pt; page 2: 2 lines.
        let mut lines: Vec<FlowLine> = (0..12)
            .map(|i| line(10.0, if i % 3 == 0 { 6.0 } else { 0.0 }))
            .collect();
        lines[0].space_before = 0.0;
        let mut ranges = vec![0..10, 10..12];
        // 120 pt of lines and 18 pt of spaces between them must fit 132: spaces at 2/3.
        let f = pull_back_last_page(&lines, &mut ranges, 132.0);
        assert_eq!(ranges, vec![0..12]);
        assert!((f - 2.0 / 3.0).abs() < 1e-4, "{f}");
        // No room even at half spaces: nothing changes.
        let mut ranges = vec![0..10, 10..12];
        assert_eq!(pull_back_last_page(&lines, &mut ranges, 125.0), 1.0);
        assert_eq!(ranges, vec![0..10, 10..12]);
        // A last page with more lines stays.
        let mut ranges = vec![0..8, 8..12];
        assert_eq!(pull_back_last_page(&lines, &mut ranges, 500.0), 1.0);
        assert_eq!(ranges.len(), 2);
    }
}
