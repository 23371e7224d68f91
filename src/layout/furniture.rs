//! Page furniture: the running header (masthead, source, short title), the footer (the article's
//! address, the folio) and the rules under and over them; a bound volume restamps the folio.

use std::sync::Arc;

use super::display::{ImageItem, Item, Line, Link, Page, Rect, Role};
use super::flow::{Flow, set_single_line};
use super::style::{Profile, Theme};
use crate::doc::Doc;
use crate::text::fonts::{FaceId, Family};
use crate::text::shape::Shaper;

/// Running header and footer texts, shaped once per article.
pub(super) struct Furniture {
    source: Option<String>,
    short_title: String,
    url: Option<String>,
    source_url: Option<String>,
    /// The article's url in full (the footer may show it shortened).
    full_url: Option<String>,
    total: usize,
}

impl Furniture {
    pub(super) fn new(flow: &Flow<'_>, doc: &Doc, total: usize) -> Furniture {
        let t = flow.theme;
        let face = flow.shaper.select(Family::Sans, false, false);
        let room = t.text_width() * if doc.source.name.is_some() { 0.6 } else { 1.0 };
        Furniture {
            source: doc.source.name.clone(),
            short_title: shorten_to_fit(flow, &doc.title, face, t.furniture_size, room),
            url: (doc.url.as_deref())
                .map(|u| shorten_to_fit(flow, u, face, t.furniture_size, t.text_width() * 0.7)),
            source_url: doc.source.url.clone(),
            full_url: doc.url.clone(),
            total,
        }
    }

    pub(super) fn draw(&self, flow: &Flow<'_>, page: &mut Page, index: usize) {
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
pub(crate) fn stamp_folio(
    shaper: &Shaper<'_>,
    theme: &Theme,
    lang: &str,
    page: &mut Page,
    label: &str,
) {
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
fn shorten_to_fit(flow: &Flow<'_>, text: &str, face: FaceId, size: f32, room: f32) -> String {
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
