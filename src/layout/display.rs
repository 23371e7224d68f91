//! The display list: positioned glyph runs, rules and links per page. No PDF types here; this is
//! the seam between layout and the PDF writer, and where layout tests look.

use std::ops::Range;
use std::sync::Arc;

use crate::photo::Picture;
pub use crate::text::fonts::FaceId;

/// Points; origin at the top-left corner of the page, y growing downwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width, rightwards from `x`.
    pub width: f32,
    /// Height, downwards from `y`.
    pub height: f32,
}

impl Rect {
    /// The right edge.
    pub fn right(&self) -> f32 {
        self.x + self.width
    }
    /// The bottom edge.
    pub fn bottom(&self) -> f32 {
        self.y + self.height
    }
}

/// An sRGB colour: red, green, blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    /// Text black.
    pub const BLACK: Color = Color(0, 0, 0);
}

/// What a run is part of, so tests and back ends can tell body text from page furniture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The article's text: paragraphs, lists, quotes, tables, captions, notes.
    Body,
    /// A heading of the body, level 1–6.
    Heading(u8),
    /// The article's title.
    Title,
    /// The title block's lines around the title: rubric, lead, byline, dates, tags, source.
    Meta,
    /// The running header atop a page.
    Header,
    /// The footer: page number, the article's address.
    Footer,
}

/// Lines drawn with the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Decoration {
    /// A line under the text (links in the download profile, `<u>`).
    pub underline: bool,
    /// A line through the text.
    pub strike: bool,
}

/// A glyph inside a run. `text_range` indexes the run's `text`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunGlyph {
    /// The glyph's id in the run's face.
    pub id: u32,
    /// Advance in points, justification included.
    pub advance: f32,
    /// Horizontal offset from the pen position (marks placed by the shaper), points.
    pub dx: f32,
    /// Positive upwards, as fonts measure it.
    pub dy: f32,
    /// The bytes of the run's text this glyph stands for (several glyphs may share them);
    /// `u32`, not `usize`: a long article holds millions of these, and 8 bytes a glyph less
    /// is a quarter of the display list.
    pub text_range: Range<u32>,
}

/// Glyphs of one face and size drawn from a baseline origin `(x, y)`.
#[derive(Debug, Clone, PartialEq)]
pub struct GlyphRun {
    /// Where the first glyph's pen position is, on the baseline.
    pub x: f32,
    /// The baseline.
    pub y: f32,
    /// The face, in the engine's font book.
    pub face: FaceId,
    /// Font size, points.
    pub size: f32,
    /// Text colour.
    pub color: Color,
    /// What the run is part of.
    pub role: Role,
    /// The source text the glyphs stand for (what a reader copies out).
    pub text: String,
    /// The glyphs, in drawing order.
    pub glyphs: Vec<RunGlyph>,
    /// How much wider the glyphs' shapes are drawn than the font has them (font expansion of a
    /// justified line, within ±1.5 %; 1 = as designed). Advances and offsets already include it.
    pub expansion: f32,
    /// The address the run links to.
    pub link: Option<Arc<str>>,
    /// Underline or strike-through.
    pub decoration: Decoration,
    /// The footnote number this run marks, if it is a footnote reference.
    pub note: Option<u32>,
    /// The structure element (`Document::structure`) the run belongs to; `None`: page furniture.
    pub tag: Option<u32>,
}

impl RunGlyph {
    /// `text_range` as indices into the run's text.
    pub fn text_bytes(&self) -> Range<usize> {
        self.text_range.start as usize..self.text_range.end as usize
    }
}

impl GlyphRun {
    /// The sum of the glyphs' advances.
    pub fn width(&self) -> f32 {
        self.glyphs.iter().map(|g| g.advance).sum()
    }
}

/// A straight rule (under the title, above footnotes, table borders, decorations).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// One end, `(x, y)`.
    pub from: (f32, f32),
    /// The other end, `(x, y)`.
    pub to: (f32, f32),
    /// Stroke width, points.
    pub width: f32,
    /// Stroke colour.
    pub color: Color,
}

/// A clickable area that opens an address.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The area, usually the linked text's box.
    pub rect: Rect,
    /// The address.
    pub url: Arc<str>,
    /// The linked text: the link's description for screen readers.
    pub text: String,
}

/// An image drawn into `rect`; `alt` describes it for those who cannot see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageItem {
    /// Where the picture is drawn (it fills the rectangle).
    pub rect: Rect,
    /// The checked, print-ready picture.
    pub picture: Picture,
    /// The description of the picture.
    pub alt: String,
    /// The structure element (a figure) the image belongs to.
    pub tag: Option<u32>,
}

/// One thing drawn on a page, in painting order.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Glyphs.
    Text(GlyphRun),
    /// A rule.
    Line(Line),
    /// A link area (not drawn; clickable).
    Link(Link),
    /// A picture.
    Image(ImageItem),
    /// A filled rectangle (the modules of a QR code).
    Fill(Rect, Color),
}

impl Item {
    /// Moves the item by `(dx, dy)`.
    pub fn translate(&mut self, dx: f32, dy: f32) {
        match self {
            Item::Text(t) => {
                t.x += dx;
                t.y += dy;
            }
            Item::Line(l) => {
                l.from = (l.from.0 + dx, l.from.1 + dy);
                l.to = (l.to.0 + dx, l.to.1 + dy);
            }
            Item::Link(l) => {
                l.rect.x += dx;
                l.rect.y += dy;
            }
            Item::Image(i) => {
                i.rect.x += dx;
                i.rect.y += dy;
            }
            Item::Fill(r, _) => {
                r.x += dx;
                r.y += dy;
            }
        }
    }
}

/// One page of the display list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Paper width, points.
    pub width: f32,
    /// Paper height, points.
    pub height: f32,
    /// Where body text may go; running header and footer lie outside it.
    pub text_area: Rect,
    /// What is drawn, in painting order.
    pub items: Vec<Item>,
    /// The items that print the page number, so a bound volume can number its pages anew.
    pub folio: Option<Range<usize>>,
}

impl Page {
    /// The page's glyph runs, in painting order.
    pub fn runs(&self) -> impl Iterator<Item = &GlyphRun> {
        self.items.iter().filter_map(|i| match i {
            Item::Text(t) => Some(t),
            _ => None,
        })
    }
}

/// A bookmark: a heading the PDF viewer lists beside the pages.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    /// Nesting level, 1 outermost.
    pub level: u8,
    /// The heading's text.
    pub title: String,
    /// The page it is on, 0-based.
    pub page: usize,
    /// Its top on that page, points from the top.
    pub y: f32,
}

/// Document metadata, already decided (the date comes from the article, never the clock).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// The document's title.
    pub title: String,
    /// Its subject (the article's lead).
    pub subject: Option<String>,
    /// Its authors, by name.
    pub authors: Vec<String>,
    /// Its language, a BCP 47 tag.
    pub language: String,
    /// Its keywords (the article's tags).
    pub keywords: Vec<String>,
    /// (year, month, day, hour, minute, utc offset minutes)
    pub date: Option<crate::doc::DateParts>,
    /// Stable identifier derived from the content, for reproducible output.
    pub document_id: String,
    /// The article's address, written as the XMP `dc:identifier`.
    pub identifier: Option<String>,
    /// Where the article comes from (its source's address, else its name), written as the
    /// XMP `dc:source`.
    pub source: Option<String>,
}

/// What a structure element is, for the tagged PDF (reading order, headings, lists, tables ...).
#[derive(Debug, Clone, PartialEq)]
pub enum StructKind {
    /// A paragraph (P).
    Paragraph,
    /// A heading, level 1–6 (H1–H6).
    Heading(u8),
    /// A list (L), numbered or not.
    List {
        /// Numbered.
        ordered: bool,
    },
    /// A list item (LI).
    ListItem,
    /// A list item's bullet or number (Lbl).
    Label,
    /// A list item's content (LBody).
    ListBody,
    /// A block quotation (BlockQuote).
    Quote,
    /// A figure (Figure), with its description in `alt`.
    Figure,
    /// A figure's or table's caption (Caption).
    Caption,
    /// A table (Table).
    Table,
    /// A table row (TR).
    Row,
    /// A header cell (TH).
    HeaderCell,
    /// A data cell (TD).
    Cell,
    /// A footnote or link note (Note).
    Note,
    /// Program code (Code).
    Code,
    /// A bound volume's table of contents (TOC).
    Contents,
    /// One entry in it (TOCI).
    ContentsItem,
}

/// One element of the document's logical structure; `parent` indexes `Document::structure`.
#[derive(Debug, Clone, PartialEq)]
pub struct StructElem {
    /// What the element is.
    pub kind: StructKind,
    /// The element it is part of; `None`: the document.
    pub parent: Option<u32>,
    /// Description of a figure.
    pub alt: Option<String>,
    /// Text of a heading.
    pub title: Option<String>,
}

/// A laid-out article: its pages, bookmarks, metadata and structure, ready for the PDF writer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// The pages, in order.
    pub pages: Vec<Page>,
    /// The bookmarks, in order (headings of the body).
    pub outline: Vec<OutlineEntry>,
    /// The title, authors, language, date and id written into the PDF.
    pub metadata: Metadata,
    /// Things a person should know about the render (characters no font has ...), one line each.
    pub warnings: Vec<crate::warning::Warning>,
    /// The logical structure, in reading order; runs and images point into it.
    pub structure: Vec<StructElem>,
}
