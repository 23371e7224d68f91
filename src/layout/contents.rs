//! A bound volume's table of contents: one entry per article (date and byline, title, page
//! number after dotted leaders), each entry a link to its article.

use super::display::{Color, Item, Page, Rect, Role, StructElem, StructKind};
use super::flow::set_single_line;
use super::para::{Align, ParaStyle, StyledText, set_paragraph};
use super::style::Theme;
use crate::text::fonts::Family;
use crate::text::shape::Shaper;

/// One article in the contents.
pub struct ContentsEntry {
    pub title: String,
    /// Date, section and authors, printed small above the title.
    pub note: String,
    /// The article's first page, counted from 0 in the volume.
    pub page: usize,
}

/// A contents entry's clickable area: on contents page `on`, jumping to volume page `target`.
pub struct ContentsLink {
    pub on: usize,
    pub rect: Rect,
    pub target: usize,
}

/// The contents set on pages, with the links of its entries and its logical structure (the
/// runs point into it: headings, then a table of contents with one item per entry).
pub struct Contents {
    pub pages: Vec<Page>,
    pub links: Vec<ContentsLink>,
    pub structure: Vec<StructElem>,
}

fn elem(kind: StructKind, parent: Option<u32>, title: Option<&str>) -> StructElem {
    StructElem {
        kind,
        parent,
        alt: None,
        title: title.map(str::to_string),
    }
}

/// Sets the contents on as many pages as it needs. `heading` opens the first page; `title`,
/// when given, stands above it (the volume's name).
pub fn lay_out_contents(
    shaper: &Shaper<'_>,
    theme: &Theme,
    lang: &str,
    title: Option<&str>,
    heading: &str,
    entries: &[ContentsEntry],
) -> Contents {
    let set =
        |break_before| set_contents(shaper, theme, lang, title, heading, entries, break_before);
    let contents = set(None);
    // A last page holding one entry alone: the page before gives it a companion.
    let last = contents.pages.len() - 1;
    let alone = contents.links.iter().filter(|l| l.on == last).count() == 1;
    if last > 0 && alone && entries.len() >= 3 {
        return set(Some(entries.len() - 2));
    }
    contents
}

/// Sets the contents; `break_before`: an entry that must start a new page.
fn set_contents(
    shaper: &Shaper<'_>,
    theme: &Theme,
    lang: &str,
    title: Option<&str>,
    heading: &str,
    entries: &[ContentsEntry],
    break_before: Option<usize>,
) -> Contents {
    let t = theme;
    let left = t.margin_inner;
    let right = t.page_width - t.margin_outer;
    let top = t.margin_top;
    let bottom = t.page_height - t.margin_bottom;
    let serif = shaper.select(Family::Serif, false, false);
    let sans = shaper.select(Family::Sans, false, false);
    let sans_bold = shaper.select(Family::Sans, true, false);
    let size = t.body_size;
    let leading = t.body_leading;
    // The page numbers' column: as wide as the widest number, so every title wraps alike.
    let widest = entries.iter().map(|e| e.page + 1).max().unwrap_or(1);
    let digits = "0".repeat(widest.to_string().len());
    let number_column =
        set_single_line(shaper, lang, &digits, serif, size, Color::BLACK, Role::Body).1;
    let gap = size * 0.6;
    let pitch = size * 0.45;
    let dot = size * 0.09;
    let title_style = ParaStyle {
        width: (right - left - number_column - 2.0 * gap).max(size * 4.0),
        align: Align::Left,
        indent: 0.0,
        lang: lang.to_string(),
        hyphenate: false,
        preserve_spaces: false,
        role: Role::Body,
    };
    let new_page = || Page {
        width: t.page_width,
        height: t.page_height,
        text_area: Rect {
            x: left,
            y: top,
            width: right - left,
            height: bottom - top,
        },
        items: Vec::new(),
        folio: None,
    };
    let mut pages = vec![new_page()];
    let mut links = Vec::new();
    let mut y = top;
    let mut structure = Vec::new();
    // Display lines: the volume's name and the heading, ragged, never hyphenated.
    let display = |text: &str, size: f32, leading: f32, tag: u32, y: &mut f32, page: &mut Page| {
        let style = ParaStyle {
            width: right - left,
            hyphenate: false,
            role: Role::Title,
            ..title_style.clone()
        };
        let st = StyledText::single(text, sans_bold, size, Color::BLACK);
        for line in set_paragraph(shaper, &st, &style) {
            *y += leading;
            for mut run in line.runs {
                run.x += left;
                run.y = *y - (leading - size) / 2.0;
                run.tag = Some(tag);
                page.items.push(Item::Text(run));
            }
        }
    };
    let title = title.map(str::trim).filter(|s| !s.is_empty());
    if let Some(title) = title {
        structure.push(elem(StructKind::Heading(1), None, Some(title)));
        let tag = structure.len() as u32 - 1;
        display(
            title,
            t.title_size,
            t.title_leading,
            tag,
            &mut y,
            &mut pages[0],
        );
        y += leading * 0.5;
    }
    let level = if title.is_some() { 2 } else { 1 };
    structure.push(elem(StructKind::Heading(level), None, Some(heading)));
    let tag = structure.len() as u32 - 1;
    let heading_size = t.heading_sizes[0];
    display(
        heading,
        heading_size,
        heading_size * 1.3,
        tag,
        &mut y,
        &mut pages[0],
    );
    y += leading;
    structure.push(elem(StructKind::Contents, None, None));
    let toc = structure.len() as u32 - 1;
    for (index, entry) in entries.iter().enumerate() {
        let note_size = t.meta_size;
        let note_leading = note_size * 1.35;
        let st = StyledText::single(entry.title.trim(), serif, size, Color::BLACK);
        let lines = set_paragraph(shaper, &st, &title_style);
        let has_note = !entry.note.trim().is_empty();
        let height = lines.len() as f32 * leading + if has_note { note_leading } else { 0.0 };
        // An entry is never split between pages.
        if (y + height > bottom || break_before == Some(index)) && y > top {
            pages.push(new_page());
            y = top;
        }
        let page_index = pages.len() - 1;
        let page = &mut pages[page_index];
        structure.push(elem(StructKind::ContentsItem, Some(toc), None));
        let item = Some(structure.len() as u32 - 1);
        let entry_top = y;
        if has_note {
            let (runs, _) = set_single_line(
                shaper,
                lang,
                entry.note.trim(),
                sans,
                note_size,
                t.meta,
                Role::Meta,
            );
            y += note_leading;
            for mut run in runs {
                run.x += left;
                run.y = y - note_size * 0.3;
                run.tag = item;
                page.items.push(Item::Text(run));
            }
        }
        let count = lines.len();
        for (k, line) in lines.into_iter().enumerate() {
            y += leading;
            let baseline = y - (leading - size) / 2.0 - size * 0.1;
            let last_end = left + line.width;
            for mut run in line.runs {
                run.x += left;
                run.y = baseline;
                run.tag = item;
                page.items.push(Item::Text(run));
            }
            if k + 1 == count {
                let number = (entry.page + 1).to_string();
                let (runs, width) =
                    set_single_line(shaper, lang, &number, serif, size, Color::BLACK, Role::Body);
                let number_x = right - width;
                for mut run in runs {
                    run.x += number_x;
                    run.y = baseline;
                    run.tag = item;
                    page.items.push(Item::Text(run));
                }
                // Leaders on a grid counted from the right edge, so dots line up down the page.
                let from = last_end + gap;
                let to = number_x - gap;
                let mut x = right - number_column - gap - dot;
                while x >= from {
                    if x + dot <= to {
                        page.items.push(Item::Fill(
                            Rect {
                                x,
                                y: baseline - dot,
                                width: dot,
                                height: dot,
                            },
                            t.meta,
                        ));
                    }
                    x -= pitch;
                }
            }
        }
        links.push(ContentsLink {
            on: page_index,
            rect: Rect {
                x: left,
                y: entry_top,
                width: right - left,
                height: y - entry_top,
            },
            target: entry.page,
        });
        y += leading * 0.5;
    }
    Contents {
        pages,
        links,
        structure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::style::Paper;
    use crate::text::fonts::FontBook;
    use crate::text::shape::PlanCache;

    #[test]
    fn entries_fill_pages_whole_inside_the_text_area_with_numbers_flush_right() {
        let book = FontBook::embedded().unwrap();
        let plans = PlanCache::default();
        let shaper = Shaper::new(&book, &plans);
        let theme = Theme::for_paper(Paper::A5);
        let entries: Vec<ContentsEntry> = (0..120)
            .map(|i| ContentsEntry {
                title: if i % 3 == 0 {
                    format!("Очень длинный заголовок статьи номер {i} о Байкале, Ангаре, паромах и мостах, который не помещается в одну строку")
                } else {
                    format!("Заметка {i}")
                },
                note: format!("{} июня 2024", 1 + i % 30),
                page: i * 3,
            })
            .collect();
        let Contents {
            pages,
            links,
            structure,
        } = lay_out_contents(&shaper, &theme, "ru", Some("Июнь"), "Содержание", &entries);
        // Every run belongs to the structure: a heading, or the item of its entry.
        let items = structure
            .iter()
            .filter(|e| e.kind == StructKind::ContentsItem)
            .count();
        assert_eq!(items, entries.len());
        assert!(pages.iter().flat_map(|p| p.runs()).all(|r| r.tag.is_some()));
        assert!(pages.len() > 3, "{} pages", pages.len());
        assert_eq!(links.len(), entries.len());
        let right = theme.page_width - theme.margin_outer;
        for (p, page) in pages.iter().enumerate() {
            let area = page.text_area;
            for run in page.runs() {
                let end = run.x + run.width();
                assert!(
                    run.x >= area.x - 0.01 && end <= area.right() + 0.01,
                    "page {p}: {}",
                    run.text
                );
                assert!(
                    run.y > area.y && run.y <= area.bottom(),
                    "page {p}: {}",
                    run.text
                );
            }
        }
        for (link, entry) in links.iter().zip(&entries) {
            let page = &pages[link.on];
            // The entry lies whole on one page and its number ends at the right margin.
            assert!(link.rect.bottom() <= page.text_area.bottom() + 0.01);
            let number = (entry.page + 1).to_string();
            let run = page
                .runs()
                .find(|r| r.text == number && r.y > link.rect.y && r.y < link.rect.bottom())
                .unwrap_or_else(|| panic!("no page number {number}"));
            assert!((run.x + run.width() - right).abs() < 0.01);
            assert_eq!(link.target, entry.page);
        }
        // In order: entries never go back a page.
        assert!(links.windows(2).all(|w| w[0].on <= w[1].on));
    }

    #[test]
    fn the_last_contents_page_never_holds_one_entry_alone() {
        let book = FontBook::embedded().unwrap();
        let plans = PlanCache::default();
        let shaper = Shaper::new(&book, &plans);
        let theme = Theme::for_paper(Paper::A5);
        let entry = |i: usize| ContentsEntry {
            title: format!("Заметка {i}"),
            note: String::new(),
            page: i,
        };
        // Find a count whose plain setting leaves one entry on the last page.
        let per_page = |n: usize| {
            let entries: Vec<ContentsEntry> = (0..n).map(entry).collect();
            let plain = set_contents(&shaper, &theme, "ru", None, "Содержание", &entries, None);
            let last = plain.pages.len() - 1;
            (last, plain.links.iter().filter(|l| l.on == last).count())
        };
        let n = (3..200)
            .find(|&n| matches!(per_page(n), (last, 1) if last > 0))
            .expect("some count leaves a lone entry");
        let entries: Vec<ContentsEntry> = (0..n).map(entry).collect();
        let c = lay_out_contents(&shaper, &theme, "ru", None, "Содержание", &entries);
        let last = c.pages.len() - 1;
        assert_eq!(c.links.iter().filter(|l| l.on == last).count(), 2);
        assert_eq!(c.links.len(), n);
    }
}
