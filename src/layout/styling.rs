//! Inline styling: the document's inlines become styled text for the paragraph setter — faces,
//! sizes, sub- and superscripts, decorations, footnote marks — and a link becomes a clickable span
//! on screen or, on paper, text with a numbered link note.

use std::sync::Arc;

use super::display::{Color, Decoration};
use super::flow::Flow;
use super::para::{SpanStyle, StyledText};
use super::style::Profile;
use crate::doc::{Inline, InlineStyle};
use crate::text::fonts::{FaceId, Family};
use crate::text::shape::Shaper;

/// Size of sub- and superscripts relative to the text.
const SCRIPT_SCALE: f32 = 0.7;

/// The text face for an inline's style: PT Mono for code, PT Serif otherwise.
fn body_face(shaper: &Shaper<'_>, style: InlineStyle) -> FaceId {
    let family = if style.code {
        Family::Mono
    } else {
        Family::Serif
    };
    shaper.select(family, style.bold, style.italic)
}

impl Flow<'_> {
    pub(super) fn styled(
        &self,
        inlines: &[Inline],
        size: f32,
        base: Option<(Family, bool, bool, Color)>,
    ) -> StyledText {
        let mut st = StyledText::default();
        // A link's note number waits for the punctuation right after the link ("слово,¹"), so
        // the word and its comma stay one word for a reader copying the text.
        let mut pending: Option<(String, SpanStyle)> = None;
        for i in inlines {
            if let Some((mark, mark_style)) = pending.take() {
                let punct = i.text.len()
                    - i.text
                        .trim_start_matches([',', '.', ';', ':', '!', '?', ')', '»', '”'])
                        .len();
                if punct > 0 && i.link.is_none() && i.footnote.is_none() {
                    let face = body_face(self.shaper, i.style);
                    let color = base.map_or(Color::BLACK, |b| b.3);
                    st.push(&i.text[..punct], SpanStyle::new(face, size, color));
                    st.push(&mark, mark_style);
                    let rest = Inline {
                        text: i.text[punct..].to_string(),
                        ..i.clone()
                    };
                    self.push_inline(&mut st, &rest, size, base, &mut pending);
                    continue;
                }
                st.push(&mark, mark_style);
            }
            self.push_inline(&mut st, i, size, base, &mut pending);
        }
        if let Some((mark, mark_style)) = pending {
            st.push(&mark, mark_style);
        }
        st
    }

    fn push_inline(
        &self,
        st: &mut StyledText,
        i: &Inline,
        size: f32,
        base: Option<(Family, bool, bool, Color)>,
        pending: &mut Option<(String, SpanStyle)>,
    ) {
        {
            if let Some(label) = &i.footnote {
                let (text, note) = match self.note_numbers.get(label) {
                    Some(&n) => (n.to_string(), Some(n)),
                    None => (format!("[{label}]"), None),
                };
                let face = body_face(self.shaper, InlineStyle::default());
                let mark = SpanStyle {
                    rise: size * 0.33,
                    note,
                    ..SpanStyle::new(face, size * SCRIPT_SCALE, Color::BLACK)
                };
                st.push(&text, mark);
                return;
            }
            let (face, color) = match base {
                Some((family, bold, italic, color)) => (
                    self.shaper
                        .select(family, bold || i.style.bold, italic || i.style.italic),
                    color,
                ),
                None => (body_face(self.shaper, i.style), Color::BLACK),
            };
            let color = if i.link.is_some() {
                self.link_color(color)
            } else {
                color
            };
            // Sub- and superscripts: smaller, off the baseline.
            let (size, rise) = match (i.style.sup, i.style.sub) {
                (true, _) => (size * SCRIPT_SCALE, size * 0.33),
                (_, true) => (size * SCRIPT_SCALE, -size * 0.15),
                _ => (size, 0.0),
            };
            let decoration = Decoration {
                underline: i.style.underline,
                strike: i.style.strike,
            };
            let style = SpanStyle {
                rise,
                decoration,
                ..SpanStyle::new(face, size, color)
            };
            *pending = self.push_linked(st, &i.text, style, i.link.as_ref());
        }
    }

    /// Link text: clickable (and coloured) for screens; on paper the address cannot be clicked,
    /// so the text gets a superscript number and the address is printed among the link notes.
    pub(super) fn push_linked(
        &self,
        st: &mut StyledText,
        text: &str,
        style: SpanStyle,
        link: Option<&Arc<str>>,
    ) -> Option<(String, SpanStyle)> {
        match (link, self.profile) {
            (Some(url), Profile::Download) => {
                st.push(
                    text,
                    SpanStyle {
                        link: Some(url.clone()),
                        ..style
                    },
                );
                None
            }
            (Some(url), Profile::Print) => {
                st.push(text, style.clone());
                let n = {
                    let mut notes = self.link_addresses.borrow_mut();
                    *self
                        .link_note_numbers
                        .borrow_mut()
                        .entry(url.clone())
                        .or_insert_with(|| {
                            notes.push(url.clone());
                            notes.len()
                        })
                };
                let mark = SpanStyle {
                    rise: style.size * 0.33,
                    decoration: Decoration::default(),
                    ..SpanStyle::new(style.face, style.size * SCRIPT_SCALE, style.color)
                };
                Some((super::matter::link_mark(n), mark))
            }
            (None, _) => {
                st.push(text, style);
                None
            }
        }
    }

    /// Colour of link text: blue on screen, the text's own colour on paper.
    pub(super) fn link_color(&self, text_color: Color) -> Color {
        match self.profile {
            Profile::Download => self.theme.link,
            Profile::Print => text_color,
        }
    }
}
