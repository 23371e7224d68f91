//! Page planning: which flow lines (and which footnote lines) go on which page, breaking only
//! where the keep rules allow, and pulling a nearly empty last page back when spaces can shrink.

use super::flow::FlowLine;
use super::notes::FOOT_GAP;
use crate::budget::Budget;
use crate::error::Error;

/// Most pages one article may produce; beyond this the input is refused rather than rendered.
const MAX_PAGES: usize = 20_000;

/// One page: its lines, and the footnote lines at its foot as (note index, line index).
pub(super) struct PagePlan {
    pub(super) range: std::ops::Range<usize>,
    pub(super) notes: Vec<(usize, usize)>,
}

/// Fills pages (or the columns of pages) with the lines of `range`: lines go on while they and
/// the footnotes they reference fit the height `avail(n)` of the n-th page; a break falls before
/// the latest line allowed to start a page. A page shorter than `full` (a column under a
/// spanning block) whose first line does not fit it is left empty: the line goes on the next. A footnote too long for the room left continues at
/// the foot of the next page, and of as many pages after it as it needs. Heights are summed as
/// lines are taken, so a page costs time in its own lines only.
pub(super) fn plan_pages(
    lines: &[FlowLine],
    range: std::ops::Range<usize>,
    note_lines: &[Vec<FlowLine>],
    avail: &dyn Fn(usize) -> f32,
    full: f32,
    columns: usize,
    budget: &Budget,
) -> Result<Vec<PagePlan>, Error> {
    let mut plans = Vec::new();
    let mut carry: Vec<(usize, usize)> = Vec::new();
    let mut start = range.start;
    let lines = &lines[..range.end];
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
        let avail = avail(plans.len());
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
            let fits_a_full_page =
                lines[i].height + foot(refs_height, !refs.is_empty()) <= full + 0.01;
            if i == start && avail < full - 0.01 && fits_a_full_page && notes.is_empty() {
                end = start;
                break;
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
        let pages = plans.len().div_ceil(columns.max(1));
        if pages >= MAX_PAGES {
            return Err(Error::Limit(format!(
                "the article needs more than {MAX_PAGES} pages"
            )));
        }
        if budget.at_page(pages + 1) {
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
pub(super) fn repeated_header(lines: &[FlowLine], start: usize) -> Option<usize> {
    lines.get(start)?.table_header.filter(|&h| h < start)
}

/// A last page with this few lines is pulled back onto the page before when that page's
/// vertical spaces can make room: a print-out without a nearly empty last sheet.
const PULL_BACK_MAX_LINES: usize = 3;
/// Spaces between blocks may shrink to this fraction of their size to make that room.
const MIN_SPACE_SQUEEZE: f32 = 0.5;

/// Merges a nearly empty last page into the one before it if squeezing the spaces between blocks
/// (never the lines) makes it fit. Returns the factor for the spaces of the (new) last page.
pub(super) fn pull_back_last_page(
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
            table_header: None,
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
