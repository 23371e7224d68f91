//! The document tree every input format lowers into: blocks of styled inline text.

use std::sync::Arc;

/// Inline styling flags; fonts and sizes are chosen later by the layout stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct InlineStyle {
    pub bold: bool,
    pub italic: bool,
    pub code: bool,
    pub strike: bool,
}

/// A run of text with one style. `\n` inside `text` is a forced line break.
#[derive(Debug, Clone, PartialEq)]
pub struct Inline {
    pub text: String,
    pub style: InlineStyle,
    pub link: Option<Arc<str>>,
}

impl Inline {
    pub fn plain(text: impl Into<String>) -> Self {
        Inline {
            text: text.into(),
            style: InlineStyle::default(),
            link: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Quote(Vec<Block>),
    Code(String),
    Rule,
    /// A passage in another language (BCP 47 tag): hyphenation and localized forms follow it.
    Lang {
        lang: String,
        blocks: Vec<Block>,
    },
    /// An image the engine does not draw yet: its caption or alt text prints in its place.
    Image {
        src: String,
        description: String,
    },
}

/// Concatenated text of inlines, for outlines and tests.
pub fn plain_text(inlines: &[Inline]) -> String {
    inlines.iter().map(|i| i.text.as_str()).collect()
}
