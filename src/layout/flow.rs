//! Pagination: the article's blocks become lines, lines fill pages (keeping headings with what
//! follows, no lone first or last line at a page edge), then running header and footer are added.

use std::sync::Arc;

use super::display::{Color, Document, GlyphRun, Item, Line, Link, OutlineEntry, Page, Rect, Role};
use super::locale::{self, Labels};
use super::para::{Align, ParaStyle, SetLine, SpanStyle, StyledText, set_paragraph};
use super::style::Theme;
use crate::article::Article;
use crate::doc::{Block, Inline};
use crate::error::Error;
use crate::text::fonts::{FaceId, Family};
use crate::text::shape::Shaper;

/// Most pages one article may produce; beyond this the input is refused rather than rendered.
pub const MAX_PAGES: usize = 20_000;
/// Lines of a paragraph kept together at the bottom (orphans) and top (widows) of a page.
const ORPHAN_LINES: usize = 2;
const WIDOW_LINES: usize = 2;

const ACCENT: Color = Color(0x9b, 0x1b, 0x1b);
const GREY: Color = Color(0x55, 0x55, 0x55);
const LINK: Color = Color(0x1a, 0x3f, 0x7a);
const RULE: Color = Color(0x99, 0x99, 0x99);

/// One line of the flow: its items sit on a baseline `baseline` below the line's top.
struct FlowLine {
    height: f32,
    baseline: f32,
    space_before: f32,
    /// No page break may fall between this line and the one before it.
    keep_with_prev: bool,
    items: Vec<Item>,
    outline: Option<(u8, String)>,
}

/// Horizontal frame of the block being set: nested lists and quotes narrow it.
#[derive(Clone)]
struct Frame {
    x: f32,
    width: f32,
    /// x positions of quote bars to draw beside every line.
    bars: Vec<f32>,
    list_depth: usize,
}

pub struct Flow<'a> {
    shaper: &'a Shaper<'a>,
    theme: &'a Theme,
    lang: String,
    labels: &'static Labels,
    lines: Vec<FlowLine>,
    /// The next line must stay on the page of the previous one (after a heading).
    keep_next: bool,
    /// The next body paragraph starts flush, without indent (after headings, titles, lists).
    flush_next: bool,
    /// Extra space owed before the next line (after a list, quote, code or figure).
    space_next: f32,
}

fn body_face(shaper: &Shaper<'_>, style: crate::doc::InlineStyle) -> FaceId {
    let family = if style.code {
        Family::Mono
    } else {
        Family::Serif
    };
    shaper.book.select(family, style.bold, style.italic)
}

impl<'a> Flow<'a> {
    pub fn new(shaper: &'a Shaper<'a>, theme: &'a Theme, lang: &str) -> Self {
        Flow {
            shaper,
            theme,
            lang: lang.to_string(),
            labels: locale::labels(lang),
            lines: Vec::new(),
            keep_next: false,
            flush_next: true,
            space_next: 0.0,
        }
    }

    fn frame(&self) -> Frame {
        Frame {
            x: self.theme.margin_inner,
            width: self.theme.text_width(),
            bars: Vec::new(),
            list_depth: 0,
        }
    }

    fn styled(
        &self,
        inlines: &[Inline],
        size: f32,
        base: Option<(Family, bool, bool, Color)>,
    ) -> StyledText {
        let mut st = StyledText::default();
        for i in inlines {
            let (face, color) = match base {
                Some((family, bold, italic, color)) => (
                    self.shaper
                        .book
                        .select(family, bold || i.style.bold, italic || i.style.italic),
                    color,
                ),
                None => (body_face(self.shaper, i.style), Color::BLACK),
            };
            let color = if i.link.is_some() { LINK } else { color };
            st.push(
                &i.text,
                SpanStyle {
                    face,
                    size,
                    color,
                    link: i.link.clone(),
                },
            );
        }
        st
    }

    /// Sets a paragraph and appends its lines with the keep rules.
    #[allow(clippy::too_many_arguments)]
    fn push_paragraph(
        &mut self,
        st: &StyledText,
        frame: &Frame,
        align: Align,
        indent: f32,
        leading: f32,
        space_before: f32,
        role: Role,
        hyphenate: bool,
        keep_together: bool,
        outline: Option<(u8, String)>,
    ) -> usize {
        let style = ParaStyle {
            width: frame.width,
            align,
            indent,
            lang: self.lang.clone(),
            hyphenate,
            preserve_spaces: false,
            role,
        };
        let set = set_paragraph(self.shaper, st, &style);
        let size = st.spans.first().map_or(self.theme.body_size, |s| s.1.size);
        self.push_set_lines(
            set,
            frame,
            leading,
            size,
            space_before,
            keep_together,
            outline,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn push_set_lines(
        &mut self,
        set: Vec<SetLine>,
        frame: &Frame,
        leading: f32,
        size: f32,
        space_before: f32,
        keep_together: bool,
        mut outline: Option<(u8, String)>,
    ) -> usize {
        let n = set.len();
        // Centre the font's body (about 0.72 em above the baseline, 0.22 below) in the leading.
        let baseline = (leading + size * (0.72 - 0.22)) / 2.0;
        let mut prev_hyphenated = false;
        for (k, line) in set.into_iter().enumerate() {
            // A hyphenated line never ends a page: the reader would turn the page mid-word.
            let keep = if k == 0 {
                self.keep_next
            } else {
                keep_together || prev_hyphenated || k < ORPHAN_LINES || k + WIDOW_LINES > n
            };
            prev_hyphenated = line.hyphenated;
            let mut items = Vec::with_capacity(line.runs.len() + frame.bars.len());
            for mut run in line.runs {
                run.x += frame.x;
                if let Some(url) = &run.link {
                    items.push(Item::Link(Link {
                        rect: Rect {
                            x: run.x,
                            y: -size * 0.85,
                            width: run.width(),
                            height: size * 1.1,
                        },
                        url: url.clone(),
                    }));
                }
                items.push(Item::Text(run));
            }
            for &bar in &frame.bars {
                items.push(Item::Line(Line {
                    from: (bar, -baseline),
                    to: (bar, leading - baseline),
                    width: 1.2,
                    color: RULE,
                }));
            }
            let space_before = if k == 0 {
                space_before.max(std::mem::take(&mut self.space_next))
            } else {
                0.0
            };
            self.lines.push(FlowLine {
                height: leading,
                baseline,
                space_before,
                keep_with_prev: keep,
                items,
                outline: outline.take(),
            });
        }
        self.keep_next = false;
        n
    }

    fn push_rule(&mut self, frame: &Frame, width: f32, space_before: f32) {
        let t = self.theme;
        self.lines.push(FlowLine {
            height: t.body_leading * 0.6,
            baseline: t.body_leading * 0.3,
            space_before,
            keep_with_prev: self.keep_next,
            items: vec![Item::Line(Line {
                from: (frame.x + (frame.width - width) / 2.0, 0.0),
                to: (frame.x + (frame.width + width) / 2.0, 0.0),
                width: 0.5,
                color: RULE,
            })],
            outline: None,
        });
        self.keep_next = false;
    }

    /// Title block: masthead data, section, title, lead, byline.
    pub fn title_block(&mut self, article: &Article) {
        let t = self.theme;
        let frame = self.frame();
        let meta = |text: &str, bold: bool, color: Color| {
            let mut st = StyledText::default();
            st.push(
                text,
                SpanStyle {
                    face: self.shaper.book.select(Family::Sans, bold, false),
                    size: t.meta_size,
                    color,
                    link: None,
                },
            );
            st
        };
        if let Some(section) = article.section.as_deref().filter(|s| !s.trim().is_empty()) {
            let st = meta(section.trim(), true, ACCENT);
            self.push_paragraph(
                &st,
                &frame,
                Align::Left,
                0.0,
                t.meta_size * 1.5,
                0.0,
                Role::Meta,
                false,
                true,
                None,
            );
            self.keep_next = true;
        }
        let mut title = StyledText::default();
        let title_face = self.shaper.book.select(Family::Sans, true, false);
        title.push(
            article.title.trim(),
            SpanStyle {
                face: title_face,
                size: t.title_size,
                color: Color::BLACK,
                link: None,
            },
        );
        let outline = Some((1, article.title.trim().to_string()));
        self.push_paragraph(
            &title,
            &frame,
            Align::Left,
            0.0,
            t.title_leading,
            0.0,
            Role::Title,
            false,
            true,
            outline,
        );
        if let Some(sub) = article.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
            self.keep_next = true;
            let mut st = StyledText::default();
            let face = self.shaper.book.select(Family::Serif, true, false);
            st.push(
                sub.trim(),
                SpanStyle {
                    face,
                    size: t.lead_size,
                    color: Color::BLACK,
                    link: None,
                },
            );
            // The lead is display type: ragged right, so no line gapes.
            self.push_paragraph(
                &st,
                &frame,
                Align::Left,
                0.0,
                t.lead_leading,
                t.lead_leading * 0.5,
                Role::Meta,
                true,
                true,
                None,
            );
        }
        let mut byline: Vec<String> = Vec::new();
        let authors: Vec<&str> = article
            .authors
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
            .collect();
        if !authors.is_empty() {
            byline.push(authors.join(", "));
        }
        if let Some(p) = article
            .published
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            byline.push(locale::format_date(p, &self.lang));
        }
        if let Some(u) = article.updated.as_deref().filter(|s| !s.trim().is_empty()) {
            byline.push(format!(
                "{} {}",
                self.labels.updated,
                locale::format_date(u, &self.lang)
            ));
        }
        if let Some(v) = article.views {
            byline.push(format!("{}: {v}", self.labels.views));
        }
        if !byline.is_empty() {
            self.keep_next = true;
            let st = meta(&byline.join("  ·  "), false, GREY);
            self.push_paragraph(
                &st,
                &frame,
                Align::Left,
                0.0,
                t.meta_size * 1.5,
                t.body_leading * 0.4,
                Role::Meta,
                false,
                true,
                None,
            );
        }
        self.keep_next = true;
        self.push_rule(&frame, frame.width, t.body_leading * 0.2);
        self.keep_next = true;
        self.flush_next = true;
    }

    /// Body blocks, recursively through lists and quotes.
    pub fn blocks(&mut self, blocks: &[Block]) {
        let frame = self.frame();
        self.blocks_in(blocks, &frame);
    }

    fn blocks_in(&mut self, blocks: &[Block], frame: &Frame) {
        let t = self.theme;
        for block in blocks {
            match block {
                Block::Paragraph(inlines) => {
                    let st = self.styled(inlines, t.body_size, None);
                    let indent = if self.flush_next || frame.list_depth > 0 {
                        0.0
                    } else {
                        t.indent
                    };
                    self.push_paragraph(
                        &st,
                        frame,
                        Align::Justify,
                        indent,
                        t.body_leading,
                        0.0,
                        Role::Body,
                        true,
                        false,
                        None,
                    );
                    self.flush_next = false;
                }
                Block::Heading { level, content } => {
                    let lvl = (*level).clamp(1, 6);
                    let size = t.heading_sizes[usize::from(lvl) - 1];
                    let st = self.styled(
                        content,
                        size,
                        Some((Family::Sans, true, false, Color::BLACK)),
                    );
                    let title = crate::doc::plain_text(content).trim().to_string();
                    let before = if self.lines.is_empty() {
                        0.0
                    } else {
                        t.body_leading * 1.1
                    };
                    // Headings sit at outline level 2 and below: the article title is level 1.
                    let outline = Some(((lvl + 1).min(6), title));
                    self.push_paragraph(
                        &st,
                        frame,
                        Align::Left,
                        0.0,
                        size * 1.25,
                        before,
                        Role::Heading(lvl),
                        false,
                        true,
                        outline,
                    );
                    self.keep_next = true;
                    self.flush_next = true;
                }
                Block::List {
                    ordered,
                    start,
                    items,
                } => self.list(*ordered, *start, items, frame),
                Block::Quote(inner) => {
                    let mut q = frame.clone();
                    q.bars.push(frame.x + t.block_indent * 0.35);
                    q.x += t.block_indent;
                    q.width -= t.block_indent;
                    self.flush_next = true;
                    let first = self.lines.len();
                    self.blocks_in(inner, &q);
                    if let Some(l) = self.lines.get_mut(first) {
                        l.space_before = l.space_before.max(t.body_leading * 0.4);
                    }
                    self.flush_next = true;
                    self.space_next = t.body_leading * 0.4;
                }
                Block::Code(code) => {
                    let mut st = StyledText::default();
                    let face = self.shaper.book.select(Family::Mono, false, false);
                    st.push(
                        code,
                        SpanStyle {
                            face,
                            size: t.code_size,
                            color: Color::BLACK,
                            link: None,
                        },
                    );
                    let style = ParaStyle {
                        width: frame.width,
                        align: Align::Left,
                        indent: 0.0,
                        lang: self.lang.clone(),
                        hyphenate: false,
                        preserve_spaces: true,
                        role: Role::Body,
                    };
                    let set = set_paragraph(self.shaper, &st, &style);
                    self.push_set_lines(
                        set,
                        frame,
                        t.code_size * 1.35,
                        t.code_size,
                        t.body_leading * 0.4,
                        false,
                        None,
                    );
                    self.flush_next = true;
                    self.space_next = t.body_leading * 0.4;
                }
                Block::Rule => {
                    self.push_rule(frame, frame.width / 4.0, t.body_leading * 0.3);
                    self.flush_next = true;
                }
                Block::Image { description, src } => {
                    let what = if description.is_empty() {
                        src.as_str()
                    } else {
                        description.as_str()
                    };
                    let text = format!("[{}: {}]", self.labels.image, what);
                    let inl = [Inline {
                        text,
                        style: crate::doc::InlineStyle {
                            italic: true,
                            ..Default::default()
                        },
                        link: None,
                    }];
                    let st = self.styled(
                        &inl,
                        t.body_size - 0.5,
                        Some((Family::Sans, false, true, GREY)),
                    );
                    self.push_paragraph(
                        &st,
                        frame,
                        Align::Center,
                        0.0,
                        t.body_leading,
                        t.body_leading * 0.4,
                        Role::Body,
                        true,
                        true,
                        None,
                    );
                    self.flush_next = true;
                    self.space_next = t.body_leading * 0.4;
                }
            }
        }
    }

    fn list(&mut self, ordered: bool, start: u64, items: &[Vec<Block>], frame: &Frame) {
        let t = self.theme;
        let mut inner = frame.clone();
        inner.x += t.block_indent;
        inner.width -= t.block_indent;
        inner.list_depth += 1;
        for (n, item) in items.iter().enumerate() {
            let marker = if ordered {
                format!("{}.", start.saturating_add(n as u64))
            } else if frame.list_depth.is_multiple_of(2) {
                "•".to_string()
            } else {
                "–".to_string()
            };
            let first = self.lines.len();
            self.flush_next = true;
            self.blocks_in(item, &inner);
            if n == 0
                && let Some(l) = self.lines.get_mut(first)
            {
                l.space_before = l.space_before.max(t.body_leading * 0.25);
            }
            let face = self.shaper.book.select(Family::Serif, false, false);
            let (mut runs, width) =
                self.single_line(&marker, face, t.body_size, Color::BLACK, Role::Body);
            if let Some(line) = self.lines.get_mut(first) {
                let x = inner.x - width - t.body_size * 0.35;
                for r in &mut runs {
                    r.x += x;
                }
                // The marker comes first in reading order, before the item text.
                line.items.splice(0..0, runs.into_iter().map(Item::Text));
            }
        }
        self.flush_next = true;
        self.space_next = t.body_leading * 0.25;
    }

    /// Sets a short text on one line (page furniture, list markers); returns the runs at x = 0.
    fn single_line(
        &self,
        text: &str,
        face: FaceId,
        size: f32,
        color: Color,
        role: Role,
    ) -> (Vec<GlyphRun>, f32) {
        let mut st = StyledText::default();
        st.push(
            text,
            SpanStyle {
                face,
                size,
                color,
                link: None,
            },
        );
        let style = ParaStyle {
            width: 1.0e6,
            align: Align::Left,
            indent: 0.0,
            lang: self.lang.clone(),
            hyphenate: false,
            preserve_spaces: false,
            role,
        };
        let mut lines = set_paragraph(self.shaper, &st, &style);
        let line = if lines.is_empty() {
            return (Vec::new(), 0.0);
        } else {
            lines.swap_remove(0)
        };
        (line.runs, line.width)
    }

    /// End matter: tags, related articles, copyright.
    pub fn end_matter(&mut self, article: &Article) {
        let t = self.theme;
        let frame = self.frame();
        let sans = self.shaper.book.select(Family::Sans, false, false);
        let sans_bold = self.shaper.book.select(Family::Sans, true, false);
        let tags: Vec<&str> = article
            .tags
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        let related: Vec<_> = article
            .related
            .iter()
            .filter(|r| !r.title.trim().is_empty())
            .collect();
        let copyright = article
            .copyright
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if tags.is_empty() && related.is_empty() && copyright.is_none() {
            return;
        }
        self.push_rule(&frame, frame.width, t.body_leading * 0.8);
        self.keep_next = true;
        let leading = t.meta_size * 1.5;
        if !tags.is_empty() {
            let mut st = StyledText::default();
            st.push(
                &format!("{}: ", self.labels.tags),
                SpanStyle {
                    face: sans_bold,
                    size: t.meta_size,
                    color: GREY,
                    link: None,
                },
            );
            st.push(
                &tags.join(", "),
                SpanStyle {
                    face: sans,
                    size: t.meta_size,
                    color: GREY,
                    link: None,
                },
            );
            self.push_paragraph(
                &st,
                &frame,
                Align::Left,
                0.0,
                leading,
                0.0,
                Role::Meta,
                false,
                true,
                None,
            );
        }
        if !related.is_empty() {
            let mut st = StyledText::default();
            st.push(
                self.labels.related,
                SpanStyle {
                    face: sans_bold,
                    size: t.meta_size + 0.5,
                    color: Color::BLACK,
                    link: None,
                },
            );
            self.push_paragraph(
                &st,
                &frame,
                Align::Left,
                0.0,
                leading,
                leading * 0.5,
                Role::Meta,
                false,
                true,
                None,
            );
            self.keep_next = true;
            for r in related {
                let mut st = StyledText::default();
                let link: Option<Arc<str>> = r
                    .url
                    .as_deref()
                    .filter(|u| !u.trim().is_empty())
                    .map(Arc::from);
                let color = if link.is_some() { LINK } else { Color::BLACK };
                st.push(
                    &format!("— {}", r.title.trim()),
                    SpanStyle {
                        face: sans,
                        size: t.meta_size,
                        color,
                        link,
                    },
                );
                self.push_paragraph(
                    &st,
                    &frame,
                    Align::Left,
                    0.0,
                    leading,
                    0.0,
                    Role::Meta,
                    false,
                    true,
                    None,
                );
            }
        }
        if let Some(c) = copyright {
            let mut st = StyledText::default();
            st.push(
                c,
                SpanStyle {
                    face: sans,
                    size: t.meta_size,
                    color: GREY,
                    link: None,
                },
            );
            self.push_paragraph(
                &st,
                &frame,
                Align::Left,
                0.0,
                leading,
                leading * 0.5,
                Role::Meta,
                false,
                true,
                None,
            );
        }
    }

    /// Fills pages, then draws the running header (from page 2) and the footer on every page.
    pub fn paginate(mut self, article: &Article) -> Result<(Vec<Page>, Vec<OutlineEntry>), Error> {
        let t = self.theme;
        let top = t.margin_top;
        let avail = t.page_height - t.margin_top - t.margin_bottom;
        let lines = &self.lines;
        let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
        let (mut start, mut i, mut y) = (0usize, 0usize, 0.0f32);
        while i < lines.len() {
            let space = if i == start {
                0.0
            } else {
                lines[i].space_before
            };
            if i == start || y + space + lines[i].height <= avail + 0.01 {
                y += space + lines[i].height;
                i += 1;
                continue;
            }
            // Line i does not fit: break before the latest line that may start a page.
            let mut j = i;
            while j > start && lines[j].keep_with_prev {
                j -= 1;
            }
            if j == start {
                j = i; // a keep chain longer than a page: break where we are
            }
            ranges.push(start..j);
            if ranges.len() >= MAX_PAGES {
                return Err(Error::Limit(format!(
                    "the article needs more than {MAX_PAGES} pages"
                )));
            }
            start = j;
            i = j;
            y = 0.0;
        }
        if start < lines.len() || ranges.is_empty() {
            ranges.push(start..lines.len());
        }
        let text_area = Rect {
            x: t.margin_inner,
            y: top,
            width: t.text_width(),
            height: avail,
        };
        let mut pages = Vec::with_capacity(ranges.len());
        let mut outline = Vec::new();
        let mut lines = std::mem::take(&mut self.lines);
        let total = ranges.len();
        for (p, range) in ranges.into_iter().enumerate() {
            let mut items = Vec::new();
            let mut y = top;
            for i in range.clone() {
                let line = &mut lines[i];
                if i != range.start {
                    y += line.space_before;
                }
                let baseline = y + line.baseline;
                if let Some((level, title)) = line.outline.take() {
                    outline.push(OutlineEntry {
                        level,
                        title,
                        page: p,
                        y,
                    });
                }
                for mut item in line.items.drain(..) {
                    item.translate(0.0, baseline);
                    items.push(item);
                }
                y += line.height;
            }
            let page = Page {
                width: t.page_width,
                height: t.page_height,
                text_area,
                items,
            };
            pages.push(page);
        }
        let furniture = Furniture::new(&self, article, total);
        for (p, page) in pages.iter_mut().enumerate() {
            furniture.draw(&self, page, p);
        }
        Ok((pages, outline))
    }
}

/// Running header and footer texts, shaped once per article.
struct Furniture {
    source: Option<String>,
    short_title: String,
    url: Option<String>,
    source_url: Option<String>,
    /// The article's url in full (the footer may show it shortened).
    full_url: Option<String>,
    total: usize,
}

impl Furniture {
    fn new(flow: &Flow<'_>, article: &Article, total: usize) -> Furniture {
        let source = article
            .source
            .as_ref()
            .and_then(|s| s.name.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let source_url = article
            .source
            .as_ref()
            .and_then(|s| s.url.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let t = flow.theme;
        let face = flow.shaper.book.select(Family::Sans, false, false);
        let room = t.text_width() * if source.is_some() { 0.6 } else { 1.0 };
        Furniture {
            source: source.map(str::to_string),
            short_title: shorten(flow, article.title.trim(), face, t.furniture_size, room),
            url: article
                .url
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|u| shorten(flow, u, face, t.furniture_size, t.text_width() * 0.7)),
            source_url: source_url.map(str::to_string),
            full_url: article
                .url
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            total,
        }
    }

    fn draw(&self, flow: &Flow<'_>, page: &mut Page, index: usize) {
        let t = flow.theme;
        let size = t.furniture_size;
        let sans = flow.shaper.book.select(Family::Sans, false, false);
        let sans_bold = flow.shaper.book.select(Family::Sans, true, false);
        let left = t.margin_inner;
        let right = t.page_width - t.margin_outer;
        let header_y = t.margin_top - 12.0;
        let mut furniture: Vec<Item> = Vec::new();
        let mut put = |text: &str,
                       face: FaceId,
                       x_left: Option<f32>,
                       x_right: Option<f32>,
                       y: f32,
                       role: Role,
                       link: Option<&str>| {
            let (runs, width) = flow.single_line(text, face, size, GREY, role);
            let x = x_left.unwrap_or_else(|| x_right.unwrap_or(right) - width);
            if let Some(url) = link {
                furniture.push(Item::Link(Link {
                    rect: Rect {
                        x,
                        y: y - size * 0.85,
                        width,
                        height: size * 1.1,
                    },
                    url: Arc::from(url),
                }));
            }
            for mut r in runs {
                r.x += x;
                r.y = y;
                r.link = link.map(Arc::from);
                furniture.push(Item::Text(r));
            }
        };
        // Every page names the source (page 1 as a masthead); from page 2 the title too.
        let header_left = self.source.as_deref().or(self.source_url.as_deref());
        // Page 1 already shows the title in full; later pages name it in the running header.
        let header_right = (index > 0).then_some(self.short_title.as_str());
        if let Some(s) = header_left {
            let link = self.source_url.as_deref();
            put(s, sans_bold, Some(left), None, header_y, Role::Header, link);
        }
        if let Some(s) = header_right {
            put(s, sans, None, Some(right), header_y, Role::Header, None);
        }
        let has_header = header_left.is_some() || header_right.is_some();
        let footer_y = t.page_height - t.margin_bottom + 20.0;
        if let Some(u) = &self.url {
            put(
                u,
                sans,
                Some(left),
                None,
                footer_y,
                Role::Footer,
                self.full_url.as_deref(),
            );
        }
        let label = (flow.labels.page_of)(index + 1, self.total);
        put(
            &label,
            sans,
            None,
            Some(right),
            footer_y,
            Role::Footer,
            None,
        );
        page.items.append(&mut furniture);
        if has_header {
            page.items.push(Item::Line(Line {
                from: (left, header_y + 4.0),
                to: (right, header_y + 4.0),
                width: 0.4,
                color: RULE,
            }));
        }
        page.items.push(Item::Line(Line {
            from: (left, footer_y - 10.0),
            to: (right, footer_y - 10.0),
            width: 0.4,
            color: RULE,
        }));
    }
}

/// The text cut at a word boundary (or anywhere, for a URL) with "…" so it fits `room`.
fn shorten(flow: &Flow<'_>, text: &str, face: FaceId, size: f32, room: f32) -> String {
    let fits = |s: &str| flow.single_line(s, face, size, GREY, Role::Header).1 <= room;
    if fits(text) {
        return text.to_string();
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    // Binary search the longest prefix that fits with the ellipsis.
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cut = chars.get(mid).map_or(text.len(), |c| c.0);
        if fits(&format!("{}…", text[..cut].trim_end())) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let cut = chars.get(lo).map_or(text.len(), |c| c.0);
    let mut prefix = text[..cut].trim_end();
    if !text.contains("://")
        && let Some(space) = prefix.rfind(' ')
        && space > prefix.len() / 2
    {
        prefix = prefix[..space].trim_end_matches([',', ':', ';', ' ', '—', '–']);
    }
    format!("{prefix}…")
}

/// The document for one article: title block, body, end matter, paginated.
pub fn lay_out(
    shaper: &Shaper<'_>,
    theme: &Theme,
    article: &Article,
    blocks: &[Block],
) -> Result<Document, Error> {
    let lang = article.lang().to_string();
    let mut flow = Flow::new(shaper, theme, &lang);
    flow.title_block(article);
    if let Some(cover) = &article.cover {
        // Until images are drawn, the cover prints as its caption (or alt text) and credit.
        let text = [cover.caption.as_deref(), cover.alt.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|s| !s.is_empty())
            .unwrap_or("");
        let credit = cover
            .credit
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let description = match credit {
            Some(c) if !text.is_empty() => format!("{text}. {c}"),
            Some(c) => c.to_string(),
            None => text.to_string(),
        };
        let image = Block::Image {
            src: cover.src.clone(),
            description,
        };
        flow.blocks(std::slice::from_ref(&image));
    }
    flow.blocks(blocks);
    flow.end_matter(article);
    let (pages, outline) = flow.paginate(article)?;
    Ok(Document {
        pages,
        outline,
        metadata: Default::default(),
    })
}
