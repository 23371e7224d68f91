//! Front and end matter of an article: section, title, lead, byline; tags, related, copyright.

use std::sync::Arc;

use super::display::Color;
use super::display::Role;
use super::display::{Item, Rect};
use super::flow::{BlockStyle, Flow, FlowLine};
use super::locale;
use super::para::{Align, SpanStyle, StyledText};
use super::style::Profile;
use crate::doc::Doc;
use crate::text::fonts::Family;

/// Side of the printed QR code, quiet zone included, in points (about 28 mm: a phone reads it
/// from arm's length).
const QR_SIDE: f32 = 80.0;
/// White modules around the code, as the standard asks.
const QR_QUIET_MODULES: usize = 2;

impl Flow<'_> {
    /// Title block: masthead data, section, title, lead, byline.
    pub(super) fn title_block(&mut self, doc: &Doc) {
        let t = self.theme;
        let frame = self.frame();
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

    /// End matter: tags, related articles, copyright.
    pub(super) fn end_matter(&mut self, doc: &Doc) {
        let t = self.theme;
        let frame = self.frame();
        let sans = self.shaper.select(Family::Sans, false, false);
        let sans_bold = self.shaper.select(Family::Sans, true, false);
        let (tags, related) = (&doc.tags, &doc.related);
        if tags.is_empty() && related.is_empty() && doc.copyright.is_none() {
            return;
        }
        self.push_rule(&frame, frame.width, t.body_leading * 0.8);
        self.keep_next = true;
        let leading = t.meta_size * 1.5;
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
            self.push_paragraph(&st, &frame, BlockStyle::meta(leading, 0.0));
        }
        if !related.is_empty() {
            let st = StyledText::single(
                self.labels.related,
                sans_bold,
                t.meta_size + 0.5,
                Color::BLACK,
            );
            self.push_paragraph(&st, &frame, BlockStyle::meta(leading, leading * 0.5));
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
                self.push_paragraph(&st, &frame, BlockStyle::meta(leading, 0.0));
            }
        }
        if let Some(c) = &doc.copyright {
            let st = StyledText::single(c, sans, t.meta_size, self.theme.meta);
            self.push_paragraph(&st, &frame, BlockStyle::meta(leading, leading * 0.5));
        }
        if self.profile == Profile::Print {
            self.print_link_addresses(leading);
            if let Some(url) = &doc.url {
                self.qr_block(url);
            }
        }
    }

    /// Print profile: the addresses behind the numbered links, in order.
    fn print_link_addresses(&mut self, leading: f32) {
        let t = self.theme;
        let frame = self.frame();
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
        self.push_paragraph(&st, &frame, BlockStyle::meta(leading, leading * 0.8));
        self.keep_next = true;
        for (n, url) in notes.iter().enumerate() {
            let st = StyledText::single(
                &format!("{}. {url}", n + 1),
                sans,
                t.meta_size,
                Color::BLACK,
            );
            self.push_paragraph(&st, &frame, BlockStyle::meta(leading, 0.0));
        }
    }

    /// Print profile: a QR code with the article's address, so a reader can go from paper back
    /// to the site, with the address beside it.
    fn qr_block(&mut self, url: &str) {
        let t = self.theme;
        let frame = self.frame();
        let Ok(code) =
            qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        else {
            return;
        };
        let modules = code.width();
        let quiet = QR_QUIET_MODULES;
        let side = QR_SIDE;
        let cell = side / (modules + 2 * quiet) as f32;
        let mut items = Vec::new();
        // One rectangle per horizontal run of dark modules.
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
                let rect = Rect {
                    x: frame.x + (x + quiet) as f32 * cell,
                    y: (y + quiet) as f32 * cell,
                    width: run as f32 * cell + 0.02,
                    height: cell + 0.02,
                };
                items.push(Item::Fill(rect, Color::BLACK));
                x += run;
            }
        }
        let sans = self.shaper.select(Family::Sans, false, false);
        let caption_x = frame.x + side + t.body_size;
        let (label_runs, _) = self.single_line(
            self.labels.online,
            sans,
            t.meta_size + 0.5,
            Color::BLACK,
            Role::Meta,
        );
        let (url_runs, _) = self.single_line(url, sans, t.meta_size, self.theme.meta, Role::Meta);
        for (runs, y) in [
            (label_runs, side / 2.0 - t.meta_size * 0.4),
            (url_runs, side / 2.0 + t.meta_size * 1.2),
        ] {
            for mut run in runs {
                run.x += caption_x;
                run.y = y;
                items.push(Item::Text(run));
            }
        }
        self.lines.push(FlowLine {
            height: side,
            baseline: 0.0,
            space_before: t.body_leading,
            keep_with_prev: false,
            items,
            outline: None,
            table_header: None,
            notes: Vec::new(),
            gap_under_header: 0.0,
        });
    }
}
