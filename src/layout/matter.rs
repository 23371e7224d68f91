//! Front and end matter of an article: section, title, lead, byline; tags, related, copyright.

use std::sync::Arc;

use super::display::Color;
use super::display::Role;
use super::display::{Item, Rect};
use super::flow::{BlockStyle, Flow, FlowLine, Frame};
use super::locale;
use super::para::{Align, SpanStyle, StyledText};
use super::style::Profile;
use crate::doc::Doc;
use crate::text::fonts::Family;

/// Side of the printed QR code, quiet zone included, in points (about 28 mm: a phone reads it
/// from arm's length).
const QR_SIDE: f32 = 80.0;
/// End matter up to this share of the page's text height is never split across pages: split,
/// its tail would stand alone on the last sheet.
const END_MATTER_KEPT_WHOLE: f32 = 1.0 / 3.0;
/// White modules around the code, as the standard asks.
const QR_QUIET_MODULES: usize = 2;

impl Flow<'_> {
    /// Title block: masthead data, section, title, lead, byline.
    pub(super) fn title_block(&mut self, doc: &Doc) {
        let t = self.theme;
        let frame = self.wide_frame();
        let meta = |text: &str, bold: bool, color: Color| {
            let face = self.shaper.select(Family::Sans, bold, false);
            StyledText::single(text, face, t.meta_size, color)
        };
        if let Some(section) = &doc.section {
            let st = meta(section, true, self.theme.accent);
            self.push_paragraph(&st, &frame, BlockStyle::meta(t.meta_size * 1.5, 0.0));
            self.keep_next = true;
        }
        let title_face = self.shaper.select(Family::Sans, true, false);
        let title = StyledText::single(&doc.title, title_face, t.title_size, Color::BLACK);
        let outline = Some((1, doc.title.clone()));
        self.push_paragraph(
            &title,
            &frame,
            BlockStyle {
                align: Align::Left,
                indent: 0.0,
                leading: t.title_leading,
                space_before: 0.0,
                role: Role::Title,
                hyphenate: false,
                keep_together: true,
                outline,
            },
        );
        if let Some(lead) = &doc.lead {
            self.keep_next = true;
            // The lead in the headline's face (PT Sans Bold): one font fewer in a short article.
            let face = self.shaper.select(Family::Sans, true, false);
            let st = StyledText::single(lead, face, t.lead_size, Color::BLACK);
            // The lead is display type: ragged right, so no line gapes.
            self.push_paragraph(
                &st,
                &frame,
                BlockStyle {
                    align: Align::Left,
                    indent: 0.0,
                    leading: t.lead_leading,
                    space_before: t.lead_leading * 0.5,
                    role: Role::Meta,
                    hyphenate: true,
                    keep_together: true,
                    outline: None,
                },
            );
        }
        let mut byline: Vec<String> = Vec::new();
        if !doc.authors.is_empty() {
            byline.push(doc.authors.join(", "));
        }
        if let Some(p) = &doc.published {
            byline.push(locale::format_date(p, &self.lang));
        }
        if let Some(u) = &doc.updated {
            byline.push(format!(
                "{} {}",
                self.labels.updated,
                locale::format_date(u, &self.lang)
            ));
        }
        if let Some(v) = doc.views {
            byline.push(format!("{}: {v}", self.labels.views));
        }
        if !byline.is_empty() {
            self.keep_next = true;
            let st = meta(&byline.join("  ·  "), false, self.theme.meta);
            self.push_paragraph(
                &st,
                &frame,
                BlockStyle::meta(t.meta_size * 1.5, t.body_leading * 0.4),
            );
        }
        self.keep_next = true;
        self.push_rule(&frame, frame.width, t.body_leading * 0.2);
        self.keep_next = true;
        self.flush_next = true;
    }

    /// End matter: tags, related articles, copyright; on paper also the addresses behind the
    /// numbered links and a QR code back to the article, set beside the end matter so that it
    /// never needs a sheet of its own.
    pub(super) fn end_matter(&mut self, doc: &Doc) {
        let t = self.theme;
        let frame = self.frame();
        let sans = self.shaper.select(Family::Sans, false, false);
        let sans_bold = self.shaper.select(Family::Sans, true, false);
        let (tags, related) = (&doc.tags, &doc.related);
        let print = self.profile == Profile::Print;
        let code = match &doc.url {
            Some(url) if print => qr_code(url, QR_SIDE).map(|items| (url, items)),
            _ => None,
        };
        let link_notes = print && !self.link_addresses.borrow().is_empty();
        if tags.is_empty()
            && related.is_empty()
            && doc.copyright.is_none()
            && !link_notes
            && code.is_none()
        {
            return;
        }
        // The end matter never opens a page of its own: its rule stays with the body's last
        // lines (which widow control keeps together), and the end matter stays in one piece
        // when it is short (below).
        self.keep_next = true;
        self.push_rule(&frame, frame.width, t.body_leading * 0.8);
        let rule = self.lines.len() - 1;
        self.keep_next = true;
        let leading = t.meta_size * 1.5;
        let first = self.lines.len();
        // Beside the code the end matter is set narrower, until it has passed the code's foot.
        let mut beside_code = frame.clone();
        if code.is_some() {
            beside_code.width -= QR_SIDE + t.body_size;
        }
        let column = |flow: &Self| {
            if code.is_some() && flow.height_since(first) < QR_SIDE {
                beside_code.clone()
            } else {
                frame.clone()
            }
        };
        if let Some((url, _)) = &code {
            let mut st = StyledText::single(
                &format!("{}: ", self.labels.online),
                sans_bold,
                t.meta_size,
                Color::BLACK,
            );
            st.push(url, SpanStyle::new(sans, t.meta_size, self.theme.meta));
            self.push_paragraph(&st, &column(self), BlockStyle::meta(leading, 0.0));
        }
        if !tags.is_empty() {
            let mut st = StyledText::single(
                &format!("{}: ", self.labels.tags),
                sans_bold,
                t.meta_size,
                self.theme.meta,
            );
            st.push(
                &tags.join(", "),
                SpanStyle::new(sans, t.meta_size, self.theme.meta),
            );
            self.push_paragraph(&st, &column(self), BlockStyle::meta(leading, 0.0));
        }
        if !related.is_empty() {
            let st = StyledText::single(
                self.labels.related,
                sans_bold,
                t.meta_size + 0.5,
                Color::BLACK,
            );
            self.push_paragraph(&st, &column(self), BlockStyle::meta(leading, leading * 0.5));
            self.keep_next = true;
            for r in related {
                let mut st = StyledText::default();
                let link = r.url.as_ref();
                let color = if link.is_some() {
                    self.link_color(Color::BLACK)
                } else {
                    Color::BLACK
                };
                let style = SpanStyle::new(sans, t.meta_size, color);
                let title = format!("— {}", r.title);
                if let Some((mark, mark_style)) = self.push_linked(&mut st, &title, style, link) {
                    st.push(&mark, mark_style);
                }
                self.push_paragraph(&st, &column(self), BlockStyle::meta(leading, 0.0));
            }
        }
        if let Some(c) = &doc.copyright {
            let st = StyledText::single(c, sans, t.meta_size, self.theme.meta);
            self.push_paragraph(&st, &column(self), BlockStyle::meta(leading, leading * 0.5));
        }
        if print {
            self.print_link_addresses(leading, &column);
        }
        if let Some((_, items)) = code {
            self.float_beside(first, items, frame.x + frame.width - QR_SIDE, QR_SIDE);
        }
        // A long end matter (many related articles or link addresses) may break like text.
        let page_body = t.page_height - t.margin_top - t.margin_bottom;
        if self.height_since(rule) <= page_body * END_MATTER_KEPT_WHOLE {
            for line in &mut self.lines[rule + 1..] {
                line.keep_with_prev = true;
            }
        }
    }

    /// Height of the flow lines from `first` on, with the spaces between them.
    fn height_since(&self, first: usize) -> f32 {
        self.lines.get(first..).map_or(0.0, |lines| {
            lines
                .iter()
                .enumerate()
                .map(|(k, l)| l.height + if k > 0 { l.space_before } else { 0.0 })
                .sum()
        })
    }

    /// Hangs `items` (drawn from their own top-left corner) at `x` beside the flow lines from
    /// `first` on, top-aligned with the first of them, and keeps those lines on one page with
    /// it; a blank line makes up the height the lines beside it do not reach.
    fn float_beside(&mut self, first: usize, mut items: Vec<Item>, x: f32, height: f32) {
        let Some(top) = self.lines.get_mut(first) else {
            return;
        };
        for item in &mut items {
            item.translate(x, -top.baseline);
        }
        top.items.extend(items);
        let mut covered = 0.0;
        for (k, line) in self.lines[first..].iter_mut().enumerate() {
            if covered >= height {
                break;
            }
            if k > 0 {
                covered += line.space_before;
                line.keep_with_prev = true;
            }
            covered += line.height;
        }
        if covered < height {
            self.lines.push(FlowLine {
                height: height - covered,
                baseline: 0.0,
                space_before: 0.0,
                keep_with_prev: true,
                items: Vec::new(),
                outline: None,
                table_header: None,
                notes: Vec::new(),
                gap_under_header: 0.0,
            });
        }
    }

    /// Print profile: the addresses behind the numbered links, in order, each in the frame
    /// `column` gives for the flow as it stands.
    fn print_link_addresses(&mut self, leading: f32, column: &dyn Fn(&Self) -> Frame) {
        let t = self.theme;
        let notes: Vec<Arc<str>> = self.link_addresses.borrow().clone();
        if notes.is_empty() {
            return;
        }
        let sans = self.shaper.select(Family::Sans, false, false);
        let sans_bold = self.shaper.select(Family::Sans, true, false);
        let st = StyledText::single(
            self.labels.links,
            sans_bold,
            t.meta_size + 0.5,
            Color::BLACK,
        );
        self.push_paragraph(&st, &column(self), BlockStyle::meta(leading, leading * 0.8));
        self.keep_next = true;
        for (n, url) in notes.iter().enumerate() {
            let st = StyledText::single(
                &format!("{} {url}", link_mark(n + 1)),
                sans,
                t.meta_size,
                Color::BLACK,
            );
            self.push_paragraph(&st, &column(self), BlockStyle::meta(leading, 0.0));
        }
    }
}

/// The mark of link note `n` in the print profile: in brackets, so that it never reads like a
/// footnote's number (footnotes are at the foot of the page, link notes in the «Ссылки» list).
pub(super) fn link_mark(n: usize) -> String {
    format!("[{n}]")
}

/// A QR code of `url`, `side` points square with its quiet zone, as filled rectangles from
/// its top-left corner: one per horizontal run of dark modules.
fn qr_code(url: &str, side: f32) -> Option<Vec<Item>> {
    let code =
        qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).ok()?;
    let modules = code.width();
    let quiet = QR_QUIET_MODULES;
    let cell = side / (modules + 2 * quiet) as f32;
    let mut items = Vec::new();
    let colors = code.to_colors();
    for (y, row) in colors.chunks(modules).enumerate() {
        let mut x = 0;
        while x < modules {
            if row[x] != qrcode::Color::Dark {
                x += 1;
                continue;
            }
            let run = row[x..]
                .iter()
                .take_while(|&&c| c == qrcode::Color::Dark)
                .count();
            // A hair wider and taller than the module, so neighbours leave no seam.
            let rect = Rect {
                x: (x + quiet) as f32 * cell,
                y: (y + quiet) as f32 * cell,
                width: run as f32 * cell + 0.02,
                height: cell + 0.02,
            };
            items.push(Item::Fill(rect, Color::BLACK));
            x += run;
        }
    }
    Some(items)
}
