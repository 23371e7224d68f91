//! Page geometry and the typographic scale: every size and space the layout uses, in one place.

use super::display::Color;

/// Millimetres to points.
pub const MM: f32 = 72.0 / 25.4;

/// Paper sizes offered by `--paper`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// ISO A5, 148 × 210 mm.
    A5,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in points.
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (210.0 * MM, 297.0 * MM),
            Paper::A5 => (148.0 * MM, 210.0 * MM),
            Paper::Letter => (612.0, 792.0),
        }
    }

    /// `a4`, `a5` or `letter`, in any case.
    pub fn parse(name: &str) -> Option<Paper> {
        match name.to_ascii_lowercase().as_str() {
            "a4" => Some(Paper::A4),
            "a5" => Some(Paper::A5),
            "letter" => Some(Paper::Letter),
            _ => None,
        }
    }
}

/// Which of the site's two buttons the PDF is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// «Скачать PDF»: read on screens and archived — clickable links, bookmarks, metadata.
    #[default]
    Download,
    /// «Версия для печати»: paper — link addresses printed as numbered notes, a QR code back to
    /// the article, no colour that prints badly.
    Print,
}

impl Profile {
    /// `download` or `print`, in any case.
    pub fn parse(name: &str) -> Option<Profile> {
        match name.to_ascii_lowercase().as_str() {
            "download" => Some(Profile::Download),
            "print" => Some(Profile::Print),
            _ => None,
        }
    }
}

/// Sizes and spaces in points for one page size.
#[derive(Debug, Clone)]
pub struct Theme {
    pub page_width: f32,
    pub page_height: f32,
    pub margin_top: f32,
    pub margin_bottom: f32,
    pub margin_inner: f32,
    pub margin_outer: f32,
    pub body_size: f32,
    pub body_leading: f32,
    /// First-line indent of body paragraphs.
    pub indent: f32,
    pub title_size: f32,
    pub title_leading: f32,
    pub lead_size: f32,
    pub lead_leading: f32,
    pub meta_size: f32,
    pub heading_sizes: [f32; 6],
    pub code_size: f32,
    pub furniture_size: f32,
    /// Indent of list items and block quotes.
    pub block_indent: f32,
    /// Widow and orphan control: fewest lines of a paragraph at the top / bottom of a page.
    pub widows: usize,
    pub orphans: usize,
    /// Section label.
    pub accent: Color,
    /// Links on screen.
    pub link: Color,
    /// Byline, captions, header and footer.
    pub meta: Color,
    /// Rules and quote bars.
    pub rule: Color,
    /// Text in the running header instead of the source's name.
    pub header_text: Option<String>,
    /// A logo drawn at the left of the page-1 masthead.
    pub logo: Option<crate::photo::Picture>,
    /// Columns of body text: 1, or 2 for a newspaper page (the title block spans both).
    pub columns: usize,
    /// Space between columns.
    pub column_gap: f32,
}

impl Theme {
    pub fn for_paper(paper: Paper) -> Theme {
        let (w, h) = paper.size();
        // A5 is a pocket page: smaller type and margins keep a sensible line length.
        let small = paper == Paper::A5;
        let body_size = if small { 9.5 } else { 10.5 };
        let side = if small { 15.0 * MM } else { 22.0 * MM };
        Theme {
            page_width: w,
            page_height: h,
            margin_top: if small { 17.0 * MM } else { 22.0 * MM },
            margin_bottom: if small { 17.0 * MM } else { 22.0 * MM },
            margin_inner: side,
            margin_outer: side,
            body_size,
            body_leading: body_size * 1.36,
            indent: body_size * 1.5,
            title_size: if small { 17.0 } else { 21.0 },
            title_leading: if small { 20.0 } else { 25.0 },
            lead_size: body_size + 1.5,
            lead_leading: (body_size + 1.5) * 1.32,
            meta_size: body_size - 2.0,
            heading_sizes: [
                body_size + 4.5,
                body_size + 3.0,
                body_size + 1.5,
                body_size + 0.5,
                body_size,
                body_size,
            ],
            code_size: body_size - 1.5,
            furniture_size: 7.5,
            block_indent: body_size * 2.0,
            widows: 2,
            orphans: 2,
            accent: Color(0x9b, 0x1b, 0x1b),
            link: Color(0x1a, 0x3f, 0x7a),
            meta: Color(0x55, 0x55, 0x55),
            rule: Color(0x99, 0x99, 0x99),
            header_text: None,
            logo: None,
            columns: 1,
            column_gap: 6.0 * MM,
        }
    }

    pub fn text_width(&self) -> f32 {
        self.page_width - self.margin_inner - self.margin_outer
    }

    /// Width of one column of body text (the text width when there is one column).
    pub fn column_width(&self) -> f32 {
        let n = self.columns.max(1) as f32;
        (self.text_width() - self.column_gap * (n - 1.0)) / n
    }

    /// How far column `k` stands right of the first.
    pub fn column_offset(&self, k: usize) -> f32 {
        k as f32 * (self.column_width() + self.column_gap)
    }
}
