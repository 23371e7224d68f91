//! Figures: the image placed at (at most) the text width with its caption and credit kept
//! together, and kept with the paragraph before it. An image that cannot be had prints its
//! caption in its place and is reported.

use super::display::{Color, ImageItem, Item, Rect, Role, StructKind};
use super::flow::{BlockStyle, Flow, FlowLine, Frame};
use super::para::{Align, SpanStyle, StyledText};
use super::style::Theme;
use crate::doc::Figure;
use crate::photo;
use crate::text::fonts::Family;
use crate::warning::{Warning, WarningKind};

/// Width to height ratio from which a picture is landscape (and spans a two-column page).
const LANDSCAPE: f32 = 1.2;

/// Room kept below an image on its page for a caption of this many lines.
const CAPTION_LINES_RESERVED: f32 = 3.0;

/// The largest frame a figure's picture may fill: the text width, and the page's height less
/// room for a caption of `CAPTION_LINES_RESERVED` lines. Pictures are made ready for it.
pub(crate) fn picture_room(t: &Theme) -> (f32, f32) {
    let caption_leading = t.meta_size * 1.45;
    let height =
        t.page_height - t.margin_top - t.margin_bottom - CAPTION_LINES_RESERVED * caption_leading;
    (t.text_width(), height)
}

impl Flow<'_> {
    pub(super) fn figure(&mut self, figure: &Figure, frame: &Frame) {
        // In columns a landscape picture spans them: at one column's width it would be a stamp.
        let landscape = |p: &photo::Picture| p.width as f32 >= LANDSCAPE * p.height as f32;
        let wide = match self.resources.picture(&figure.src) {
            Ok(picture) if landscape(&picture) => self.spanning_frame(frame),
            _ => None,
        };
        let first = self.lines.len();
        self.figure_in(figure, wide.as_ref().unwrap_or(frame));
        if wide.is_some() {
            self.mark_spanning(first);
        }
    }

    fn figure_in(&mut self, figure: &Figure, frame: &Frame) {
        let t = self.theme;
        let caption_leading = t.meta_size * 1.45;
        let page_room = picture_room(t).1;
        // The picture was loaded before layout; here it is only sized for its frame.
        let loaded = self.resources.picture(&figure.src).map(|picture| {
            let (w, h) = photo::placed_size(picture.width, picture.height, frame.width, page_room);
            (picture, w, h)
        });
        // The paragraph before a figure keeps its last line with it.
        if !self.lines.is_empty() {
            self.keep_next = true;
        }
        match loaded {
            Ok((picture, w, h)) => {
                let x = frame.x + (frame.width - w) / 2.0;
                let figure_tag = self.open_elem(StructKind::Figure);
                // Screen readers need a description: the alt text, else the caption, else the label.
                let alt = [figure.alt.trim(), figure.caption.trim()]
                    .into_iter()
                    .find(|s| !s.is_empty())
                    .unwrap_or(self.labels.image);
                self.structure[figure_tag as usize].alt = Some(alt.to_string());
                let space_before = t.body_leading * 0.5_f32.max(self.space_next / t.body_leading);
                self.space_next = 0.0;
                self.lines.push(FlowLine {
                    height: h,
                    baseline: 0.0,
                    space_before,
                    keep_with_prev: self.keep_next,
                    items: vec![Item::Image(ImageItem {
                        rect: Rect {
                            x,
                            y: 0.0,
                            width: w,
                            height: h,
                        },
                        picture,
                        alt: figure.alt.trim().to_string(),
                        tag: Some(figure_tag),
                    })],
                    outline: None,
                    table_header: None,
                    notes: Vec::new(),
                    gap_under_header: 0.0,
                });
                self.keep_next = true;
                self.open_elem(StructKind::Caption);
                self.caption(figure, frame, caption_leading);
                self.close_elem();
                self.close_elem();
            }
            Err(problem) => {
                let error = problem.at(&figure.src);
                if self.strict {
                    // Under --strict nothing is printed instead: the render fails.
                    self.failure.get_or_insert(error);
                } else {
                    self.warnings.push(Warning::new(
                        WarningKind::Image,
                        format!("{error}; its caption is printed instead"),
                    ));
                }
                let text = format!("[{}: {}]", self.labels.image, figure.fallback_text());
                let face = self.shaper.select(Family::Sans, false, true);
                let st = StyledText::single(&text, face, t.body_size - 0.5, self.theme.meta);
                let block = BlockStyle {
                    align: Align::Center,
                    ..BlockStyle::meta(t.body_leading, t.body_leading * 0.4)
                };
                self.push_paragraph(&st, frame, block);
            }
        }
        self.flush_next = true;
        self.space_next = t.body_leading * 0.5;
    }

    /// Caption in the text face's sans companion, the credit after it in italic grey.
    fn caption(&mut self, figure: &Figure, frame: &Frame, leading: f32) {
        let t = self.theme;
        let caption = figure.caption.trim();
        let credit = figure.credit.trim();
        if caption.is_empty() && credit.is_empty() {
            self.keep_next = false;
            return;
        }
        let sans = self.shaper.select(Family::Sans, false, false);
        let sans_italic = self.shaper.select(Family::Sans, false, true);
        let mut st = StyledText::single(caption, sans, t.meta_size, Color(0x33, 0x33, 0x33));
        if !credit.is_empty() {
            let sep = match caption.chars().last() {
                None => "",
                Some('.' | '!' | '?' | '…' | ':' | '»' | ')') => " ",
                Some(_) => ". ",
            };
            st.push(
                &format!("{sep}{credit}"),
                SpanStyle::new(sans_italic, t.meta_size, self.theme.meta),
            );
        }
        let block = BlockStyle {
            role: Role::Meta,
            ..BlockStyle::meta(leading, t.meta_size * 0.4)
        };
        self.push_paragraph(&st, frame, block);
    }
}
