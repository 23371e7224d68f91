//! The display list: positioned glyph runs, rules and links per page. No PDF types here; this is
//! the seam between layout and the PDF writer, and where layout tests look.

use std::ops::Range;
use std::sync::Arc;

use crate::photo::Picture;
use crate::text::fonts::FaceId;

/// Points; origin at the top-left corner of the page, y growing downwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Rect {
    pub fn right(&self) -> f32 {
        self.x + self.width
    }
    pub fn bottom(&self) -> f32 {
        self.y + self.height
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub const BLACK: Color = Color(0, 0, 0);
}

/// What a run is part of, so tests and back ends can tell body text from page furniture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Body,
    Heading(u8),
    Title,
    Meta,
    Header,
    Footer,
}

/// Lines drawn with the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Decoration {
    pub underline: bool,
    pub strike: bool,
}

/// A glyph inside a run. `text_range` indexes the run's `text`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunGlyph {
    pub id: u32,
    /// Advance in points, justification included.
    pub advance: f32,
    pub dx: f32,
    /// Positive upwards, as fonts measure it.
    pub dy: f32,
    pub text_range: Range<usize>,
}

/// Glyphs of one face and size drawn from a baseline origin `(x, y)`.
#[derive(Debug, Clone, PartialEq)]
pub struct GlyphRun {
    pub x: f32,
    pub y: f32,
    pub face: FaceId,
    pub size: f32,
    pub color: Color,
    pub role: Role,
    /// The source text the glyphs stand for (what a reader copies out).
    pub text: String,
    pub glyphs: Vec<RunGlyph>,
    pub link: Option<Arc<str>>,
    pub decoration: Decoration,
    /// The footnote number this run marks, if it is a footnote reference.
    pub note: Option<u32>,
    /// The structure element (`Document::structure`) the run belongs to; `None`: page furniture.
    pub tag: Option<u32>,
}

impl GlyphRun {
    pub fn width(&self) -> f32 {
        self.glyphs.iter().map(|g| g.advance).sum()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub from: (f32, f32),
    pub to: (f32, f32),
    pub width: f32,
    pub color: Color,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub rect: Rect,
    pub url: Arc<str>,
    /// The linked text: the link's description for screen readers.
    pub text: String,
}

/// An image drawn into `rect`; `alt` describes it for those who cannot see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageItem {
    pub rect: Rect,
    pub picture: Picture,
    pub alt: String,
    pub tag: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text(GlyphRun),
    Line(Line),
    Link(Link),
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

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    /// Where body text may go; running header and footer lie outside it.
    pub text_area: Rect,
    pub items: Vec<Item>,
    /// The items that print the page number, so a bound volume can number its pages anew.
    pub folio: Option<Range<usize>>,
}

impl Page {
    pub fn runs(&self) -> impl Iterator<Item = &GlyphRun> {
        self.items.iter().filter_map(|i| match i {
            Item::Text(t) => Some(t),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub level: u8,
    pub title: String,
    pub page: usize,
    pub y: f32,
}

/// Document metadata, already decided (the date comes from the article, never the clock).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub title: String,
    pub subject: Option<String>,
    pub authors: Vec<String>,
    pub language: String,
    pub keywords: Vec<String>,
    /// (year, month, day, hour, minute, utc offset minutes)
    pub date: Option<crate::doc::DateParts>,
    /// Stable identifier derived from the content, for reproducible output.
    pub document_id: String,
}

/// What a structure element is, for the tagged PDF (reading order, headings, lists, tables ...).
#[derive(Debug, Clone, PartialEq)]
pub enum StructKind {
    Paragraph,
    Heading(u8),
    List {
        ordered: bool,
    },
    ListItem,
    Label,
    ListBody,
    Quote,
    Figure,
    Caption,
    Table,
    Row,
    HeaderCell,
    Cell,
    Note,
    Code,
    /// A bound volume's table of contents, and one entry in it.
    Contents,
    ContentsItem,
}

/// One element of the document's logical structure; `parent` indexes `Document::structure`.
#[derive(Debug, Clone, PartialEq)]
pub struct StructElem {
    pub kind: StructKind,
    pub parent: Option<u32>,
    /// Description of a figure.
    pub alt: Option<String>,
    /// Text of a heading.
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub pages: Vec<Page>,
    pub outline: Vec<OutlineEntry>,
    pub metadata: Metadata,
    /// Things a person should know about the render (characters no font has ...), one line each.
    pub warnings: Vec<String>,
    /// The logical structure, in reading order; runs and images point into it.
    pub structure: Vec<StructElem>,
}
