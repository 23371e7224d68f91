//! The document every input format lowers into (`input::lower`): the article's front and end
//! matter with blank fields already gone, and its body as blocks of styled inline text.

use std::sync::Arc;

/// A whole article as layout reads it, lowered once from the input (`input::lower`): every text
/// trimmed, every blank field `None` (or left out of its list), dates parsed. Layout takes this
/// and never the input schema, so "is this field empty?" is decided here and nowhere else.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Doc {
    /// BCP 47 tag of the article's language; `ru` when the article names none.
    pub lang: String,
    /// The rubric printed above the title («ОБЩЕСТВО»).
    pub section: Option<String>,
    /// The headline; never blank (the input is refused without one).
    pub title: String,
    /// The lead under the headline (the input's `subtitle`).
    pub lead: Option<String>,
    /// The authors to name in the byline, in the article's order.
    pub authors: Vec<String>,
    /// When the article was published.
    pub published: Option<Date>,
    /// When it was last changed.
    pub updated: Option<Date>,
    /// Reader count to print in the byline.
    pub views: Option<u64>,
    /// The picture under the title block.
    pub cover: Option<Figure>,
    /// The article's text.
    pub body: Vec<Block>,
    /// Keywords, printed after the text and written to the PDF's metadata.
    pub tags: Vec<String>,
    /// Related articles, listed after the text.
    pub related: Vec<Related>,
    /// The copyright line closing the article.
    pub copyright: Option<String>,
    /// The publication the article comes from (the running header names it).
    pub source: Source,
    /// The article's own address: the footer shows it; on paper a QR code carries it.
    pub url: Option<String>,
}

/// A related article: its title and, when it has one, its address.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Related {
    /// The article's title; never blank.
    pub title: String,
    /// Where it can be read.
    pub url: Option<Arc<str>>,
}

/// The publication an article comes from. Either part may be missing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Source {
    /// Its name («Бабр-Новости»).
    pub name: Option<String>,
    /// Its site.
    pub url: Option<String>,
}

/// A parsed RFC 3339 date-time or date: (year, month, day, (hour, minute), utc offset minutes).
pub type DateParts = (u16, u8, u8, Option<(u8, u8)>, Option<i16>);

/// A date as the article gives it: the text as written, and its parts when it is ISO 8601.
#[derive(Debug, Clone, PartialEq)]
pub struct Date {
    /// The text, trimmed: printed as it is when it is not a date layout can spell out.
    pub written: String,
    /// `None`: not an ISO 8601 date (the render warns; no PDF date or file name uses it).
    pub parts: Option<DateParts>,
}

impl Date {
    /// The date in `text`; `None` when `text` is blank.
    pub fn parse(text: &str) -> Option<Date> {
        let written = text.trim();
        (!written.is_empty()).then(|| Date {
            written: written.to_string(),
            parts: parse_date(written),
        })
    }
}

/// Parses `2024-06-17T14:44:00+08:00` or `2024-06-17`. The clock time is kept as written (the
/// local time of the newsroom), not converted.
pub fn parse_date(s: &str) -> Option<DateParts> {
    let s = s.trim();
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u16>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if s.get(4..5)? != "-"
        || s.get(7..8)? != "-"
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
    {
        return None;
    }
    let mut time = None;
    let mut offset = None;
    if s.len() > 10 {
        if !matches!(s.as_bytes()[10], b'T' | b't' | b' ') {
            return None;
        }
        let (h, m) = (num(11..13)?, num(14..16)?);
        if h > 23 || m > 59 || s.get(13..14)? != ":" {
            return None;
        }
        time = Some((h as u8, m as u8));
        let rest = &s[16..];
        let zone_at = rest.find(['+', '-', 'Z', 'z']);
        if let Some(z) = zone_at {
            let zone = &rest[z..];
            offset = if zone.eq_ignore_ascii_case("z") {
                Some(0)
            } else {
                let sign: i16 = if zone.starts_with('-') { -1 } else { 1 };
                let oh = zone.get(1..3)?.parse::<i16>().ok()?;
                let om = zone
                    .get(4..6)
                    .and_then(|m| m.parse::<i16>().ok())
                    .unwrap_or(0);
                Some(sign * (oh * 60 + om))
            };
        }
    }
    Some((year, month as u8, day as u8, time, offset))
}

/// Inline styling flags; fonts and sizes are chosen later by the layout stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct InlineStyle {
    /// Bold (`**`, `<b>`, `<strong>`).
    pub bold: bool,
    /// Italic (`*`, `<i>`, `<em>`).
    pub italic: bool,
    /// Code, set in the monospaced face.
    pub code: bool,
    /// Struck through.
    pub strike: bool,
    /// Underlined (`<u>`).
    pub underline: bool,
    /// Subscript.
    pub sub: bool,
    /// Superscript.
    pub sup: bool,
}

/// A run of text with one style. `\n` inside `text` is a forced line break.
#[derive(Debug, Clone, PartialEq)]
pub struct Inline {
    /// The text.
    pub text: String,
    /// How it is styled.
    pub style: InlineStyle,
    /// The address it links to.
    pub link: Option<Arc<str>>,
    /// A reference to the footnote with this label (the text is then empty; layout numbers it).
    pub footnote: Option<Arc<str>>,
}

impl Inline {
    /// Unstyled text without a link.
    pub fn plain(text: impl Into<String>) -> Self {
        Inline {
            text: text.into(),
            style: InlineStyle::default(),
            link: None,
            footnote: None,
        }
    }
}

/// One block of the body, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading.
    Heading {
        /// 1 (the highest under the title) to 6.
        level: u8,
        /// Its text.
        content: Vec<Inline>,
    },
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A list.
    List {
        /// Numbered rather than bulleted.
        ordered: bool,
        /// The first number of a numbered list.
        start: u64,
        /// The items, each a sequence of blocks.
        items: Vec<Vec<Block>>,
    },
    /// A block quotation.
    Quote(Vec<Block>),
    /// A code block, lines as written.
    Code(String),
    /// A horizontal rule (a scene break).
    Rule,
    /// A passage in another language (BCP 47 tag): hyphenation and localized forms follow it.
    Lang {
        /// The passage's language.
        lang: String,
        /// Its blocks.
        blocks: Vec<Block>,
    },
    /// The text of a footnote, referenced from inlines by `label`.
    Footnote {
        /// The label inlines refer to it by.
        label: String,
        /// Its blocks.
        blocks: Vec<Block>,
    },
    /// A figure: the image with its caption and credit kept together.
    Image(Figure),
    /// A table.
    Table(Table),
}

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CellAlign {
    /// Flush left.
    #[default]
    Left,
    /// Centred.
    Center,
    /// Flush right (numbers).
    Right,
}

/// A table: an optional header row and body rows of cells (each cell one paragraph of inlines).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The header row's cells, repeated atop each page the table continues on.
    pub header: Option<Vec<Vec<Inline>>>,
    /// The body rows' cells.
    pub rows: Vec<Vec<Vec<Inline>>>,
    /// Each column's alignment (missing columns are flush left).
    pub align: Vec<CellAlign>,
}

/// An image as the article gives it. `src` is a relative path, a `data:` URI or a URL.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figure {
    /// Where the picture is (`Assets::load` reads it).
    pub src: String,
    /// Description for readers who cannot see the image (screen readers, a failed load).
    pub alt: String,
    /// The caption printed under it.
    pub caption: String,
    /// The photographer or agency.
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
