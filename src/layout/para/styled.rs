//! What a paragraph is made of before it is set: styled text spans and the paragraph's style,
//! and what comes out: set lines.

use std::ops::Range;
use std::sync::Arc;

use crate::layout::display::{Color, Decoration, GlyphRun, Role};
use crate::text::fonts::FaceId;

#[derive(Debug, Clone, PartialEq)]
pub struct SpanStyle {
    pub face: FaceId,
    pub size: f32,
    pub color: Color,
    pub link: Option<Arc<str>>,
    /// Baseline shift, points up (superscript) or down (negative, subscript).
    pub rise: f32,
    pub decoration: Decoration,
    /// This span is the mark of footnote number `note`.
    pub note: Option<u32>,
}

impl SpanStyle {
    pub fn new(face: FaceId, size: f32, color: Color) -> SpanStyle {
        SpanStyle {
            face,
            size,
            color,
            link: None,
            rise: 0.0,
            decoration: Decoration::default(),
            note: None,
        }
    }
}

/// Paragraph text with style spans covering it, in order, without gaps.
#[derive(Debug, Clone, Default)]
pub struct StyledText {
    pub text: String,
    pub spans: Vec<(Range<usize>, SpanStyle)>,
}

impl StyledText {
    /// Text in one face, size and colour, without a link.
    pub fn single(text: &str, face: FaceId, size: f32, color: Color) -> StyledText {
        let mut st = StyledText::default();
        st.push(text, SpanStyle::new(face, size, color));
        st
    }

    /// The text of `range` (on character boundaries) with the styles of its spans.
    pub fn slice(&self, range: Range<usize>) -> StyledText {
        let spans = self
            .spans
            .iter()
            .filter_map(|(r, style)| {
                let (start, end) = (r.start.max(range.start), r.end.min(range.end));
                (start < end).then(|| (start - range.start..end - range.start, style.clone()))
            })
            .collect();
        StyledText {
            text: self.text[range].to_string(),
            spans,
        }
    }

    pub fn push(&mut self, text: &str, style: SpanStyle) {
        if text.is_empty() {
            return;
        }
        let start = self.text.len();
        // Tabs and carriage returns would draw as boxes; a tab is a space here.
        for c in text.chars() {
            match c {
                '\t' => self.text.push(' '),
                '\r' => {}
                c => self.text.push(c),
            }
        }
        let end = self.text.len();
        match self.spans.last_mut() {
            Some((range, last)) if *last == style => range.end = end,
            _ => self.spans.push((start..end, style)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Justify,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone)]
pub struct ParaStyle {
    pub width: f32,
    pub align: Align,
    /// First-line indent.
    pub indent: f32,
    pub lang: String,
    pub hyphenate: bool,
    /// Keep every space (code): spaces are not stretched and not dropped at line starts.
    pub preserve_spaces: bool,
    pub role: Role,
}

/// A set line: runs positioned relative to the line's left edge and baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct SetLine {
    pub runs: Vec<GlyphRun>,
    pub width: f32,
    pub hyphenated: bool,
    /// The line carries on a source line the width forced apart (not after a `\n`).
    pub continues: bool,
}
