//! The document tree every input format lowers into: blocks of styled inline text.

use std::sync::Arc;

/// Inline styling flags; fonts and sizes are chosen later by the layout stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct InlineStyle {
    pub bold: bool,
    pub italic: bool,
    pub code: bool,
    pub strike: bool,
    pub underline: bool,
    pub sub: bool,
    pub sup: bool,
}

/// A run of text with one style. `\n` inside `text` is a forced line break.
#[derive(Debug, Clone, PartialEq)]
pub struct Inline {
    pub text: String,
    pub style: InlineStyle,
    pub link: Option<Arc<str>>,
    /// A reference to the footnote with this label (the text is then empty; layout numbers it).
    pub footnote: Option<Arc<str>>,
}

impl Inline {
    pub fn plain(text: impl Into<String>) -> Self {
        Inline {
            text: text.into(),
            style: InlineStyle::default(),
            link: None,
            footnote: None,
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
    /// The text of a footnote, referenced from inlines by `label`.
    Footnote {
        label: String,
        blocks: Vec<Block>,
    },
    /// A figure: the image with its caption and credit kept together.
    Image(Figure),
    Table(Table),
}

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CellAlign {
    #[default]
    Left,
    Center,
    Right,
}

/// A table: an optional header row and body rows of cells (each cell one paragraph of inlines).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub header: Option<Vec<Vec<Inline>>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
    pub align: Vec<CellAlign>,
}

/// An image as the article gives it. `src` is a relative path, a `data:` URI or a URL.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figure {
    pub src: String,
    /// Description for readers who cannot see the image (screen readers, a failed load).
    pub alt: String,
    pub caption: String,
    pub credit: String,
}

impl Figure {
    /// What prints in place of the image when it cannot be drawn: caption (or alt) and credit.
    pub fn fallback_text(&self) -> String {
        let text = [self.caption.trim(), self.alt.trim()]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or("");
        match (text, self.credit.trim()) {
            ("", "") => self.src.clone(),
            (t, "") => t.to_string(),
            ("", c) => c.to_string(),
            (t, c) => format!("{t}. {c}"),
        }
    }
}

/// Concatenated text of inlines, for outlines and tests.
pub fn plain_text(inlines: &[Inline]) -> String {
    inlines.iter().map(|i| i.text.as_str()).collect()
}

/// Calls `f` on every block, depth first in reading order, inside quotes, lists and passages
/// in another language (not inside footnote texts). Iterative: depth costs no stack.
pub fn visit_blocks<'a>(blocks: &'a [Block], f: &mut dyn FnMut(&'a Block)) {
    let mut stack: Vec<&'a Block> = blocks.iter().rev().collect();
    while let Some(b) = stack.pop() {
        f(b);
        match b {
            Block::Quote(inner) | Block::Lang { blocks: inner, .. } => {
                stack.extend(inner.iter().rev())
            }
            Block::List { items, .. } => {
                stack.extend(items.iter().rev().flat_map(|i| i.iter().rev()))
            }
            _ => {}
        }
    }
}
