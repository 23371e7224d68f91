//! The flow: the article's blocks become lines with their keep rules (headings stay with what
//! follows, no lone first or last line of a paragraph at a page edge). `page.rs` fills pages.

use std::sync::Arc;

use super::display::{
    Color, Decoration, Document, GlyphRun, Item, Line, Link, Rect, Role, StructElem, StructKind,
};
use super::locale::{self, Labels};
use super::para::{Align, ParaStyle, SetLine, SpanStyle, StyledText, set_paragraph};
use super::style::{Profile, Theme};
use crate::doc::{Block, Doc, Inline};
use crate::error::Error;
use crate::resources::Resources;
use crate::text::fonts::{FaceId, Family};
use crate::text::shape::Shaper;

/// Most pages one article may produce; beyond this the input is refused rather than rendered.
pub const MAX_PAGES: usize = 20_000;

/// Size of sub- and superscripts relative to the text.
const SCRIPT_SCALE: f32 = 0.7;
/// Room at the left of code for the continuation mark, in em of the code size.
const CODE_MARK_EM: f32 = 1.2;

/// One line of the flow: its items sit on a baseline `baseline` below the line's top.
pub(super) struct FlowLine {
    pub(super) height: f32,
    pub(super) baseline: f32,
    pub(super) space_before: f32,
    /// No page break may fall between this line and the one before it.
    pub(super) keep_with_prev: bool,
    pub(super) items: Vec<Item>,
    pub(super) outline: Option<(u8, String)>,
    /// A table row: the index of its table's header row, repeated atop every page the table
    /// continues on.
    pub(super) repeat: Option<usize>,
    /// Footnotes referenced on this line: they go to the foot of the page it lands on.
    pub(super) notes: Vec<u32>,
    /// Room between a repeated table header and this line when a page begins with it (the
    /// continued piece of a cut row has no cell padding of its own).
    pub(super) gap_under_header: f32,
}

/// How one block is set: alignment, spacing, and how it may break across pages.
pub(super) struct BlockStyle {
    pub(super) align: Align,
    pub(super) indent: f32,
    pub(super) leading: f32,
    pub(super) space_before: f32,
    pub(super) role: Role,
    pub(super) hyphenate: bool,
    /// No page break inside the block.
    pub(super) keep_together: bool,
    /// (level, title) of the bookmark this block starts.
    pub(super) outline: Option<(u8, String)>,
}

impl BlockStyle {
    /// Page furniture inside the text: ragged, unhyphenated, kept whole.
    pub(super) fn meta(leading: f32, space_before: f32) -> BlockStyle {
        BlockStyle {
            align: Align::Left,
            indent: 0.0,
            leading,
            space_before,
            role: Role::Meta,
            hyphenate: false,
            keep_together: true,
            outline: None,
        }
    }
}

/// Horizontal frame of the block being set: nested lists and quotes narrow it.
#[derive(Clone)]
pub(super) struct Frame {
    pub(super) x: f32,
    pub(super) width: f32,
    /// x positions of quote bars to draw beside every line.
    pub(super) bars: Vec<f32>,
    pub(super) list_depth: usize,
}

/// Nested quotes and lists stop narrowing the text at this share of the text width: deeper
/// levels keep the last indent, so their text stays on the page however deep the nesting.
const MIN_NESTED_WIDTH: f32 = 0.5;

impl Frame {
    /// Whether one more level of `indent` still leaves room for text.
    fn can_indent(&self, indent: f32, text_width: f32) -> bool {
        self.width - indent >= text_width * MIN_NESTED_WIDTH
    }
}

pub struct Flow<'a> {
    pub(super) shaper: &'a Shaper<'a>,
    pub(super) theme: &'a Theme,
    pub(super) lang: String,
    pub(super) labels: &'static Labels,
    pub(super) lines: Vec<FlowLine>,
    /// The next line must stay on the page of the previous one (after a heading).
    pub(super) keep_next: bool,
    /// The next body paragraph starts flush, without indent (after headings, titles, lists).
    pub(super) flush_next: bool,
    /// Extra space owed before the next line (after a list, quote, code or figure).
    pub(super) space_next: f32,
    /// The article's pictures, loaded before layout (`resources.rs`).
    pub(super) resources: &'a Resources,
    /// A figure that cannot be drawn is an error, not a warning.
    pub(super) strict: bool,
    pub(super) warnings: Vec<String>,
    pub(super) failure: Option<Error>,
    /// Footnote numbers by label, in order of first reference.
    pub(super) note_numbers: std::collections::HashMap<std::sync::Arc<str>, u32>,
    /// The set lines of footnote n at index n - 1.
    pub(super) note_lines: Vec<Vec<FlowLine>>,
    pub(super) profile: Profile,
    /// The logical structure built while setting (for the tagged PDF).
    pub(super) structure: Vec<StructElem>,
    /// Open structure containers (list, quote, table ...), innermost last.
    pub(super) parents: Vec<u32>,
    /// The structure element the runs being pushed belong to.
    pub(super) run_tag: Option<u32>,
    /// Print profile: link addresses in order of first use; a link's mark is its index + 1.
    pub(super) endnotes: std::cell::RefCell<Vec<Arc<str>>>,
    /// Print profile: each address's mark, so a repeated link is found in constant time.
    pub(super) endnote_numbers: std::cell::RefCell<std::collections::HashMap<Arc<str>, usize>>,
}

fn body_face(shaper: &Shaper<'_>, style: crate::doc::InlineStyle) -> FaceId {
    let family = if style.code {
        Family::Mono
    } else {
        Family::Serif
    };
    shaper.select(family, style.bold, style.italic)
}

impl<'a> Flow<'a> {
    pub fn new(
        shaper: &'a Shaper<'a>,
        theme: &'a Theme,
        lang: &str,
        resources: &'a Resources,
        strict: bool,
    ) -> Self {
        Flow {
            shaper,
            theme,
            lang: lang.to_string(),
            labels: locale::labels(lang),
            lines: Vec::new(),
            keep_next: false,
            flush_next: true,
            space_next: 0.0,
            resources,
            strict,
            warnings: Vec::new(),
            failure: None,
            note_numbers: Default::default(),
            note_lines: Vec::new(),
            profile: Profile::Download,
            endnotes: Default::default(),
            endnote_numbers: Default::default(),
            structure: Vec::new(),
            parents: Vec::new(),
            run_tag: None,
        }
    }

    pub(super) fn frame(&self) -> Frame {
        Frame {
            x: self.theme.margin_inner,
            width: self.theme.text_width(),
            bars: Vec::new(),
            list_depth: 0,
        }
    }

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
                let face = body_face(self.shaper, crate::doc::InlineStyle::default());
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
                    let mut notes = self.endnotes.borrow_mut();
                    *self
                        .endnote_numbers
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
                Some((n.to_string(), mark))
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

    /// A structure element under the innermost open container, not entered.
    pub(super) fn leaf_elem(&mut self, kind: StructKind) -> u32 {
        let id = self.structure.len() as u32;
        self.structure.push(StructElem {
            kind,
            parent: self.parents.last().copied(),
            alt: None,
            title: None,
        });
        id
    }

    /// A structure element that contains what follows until `close_elem`.
    pub(super) fn open_elem(&mut self, kind: StructKind) -> u32 {
        let id = self.leaf_elem(kind);
        self.parents.push(id);
        id
    }

    pub(super) fn close_elem(&mut self) {
        self.parents.pop();
    }

    /// Sets a paragraph and appends its lines with the keep rules.
    pub(super) fn push_paragraph(
        &mut self,
        st: &StyledText,
        frame: &Frame,
        block: BlockStyle,
    ) -> usize {
        let style = ParaStyle {
            width: frame.width,
            align: block.align,
            indent: block.indent,
            lang: self.lang.clone(),
            hyphenate: block.hyphenate,
            preserve_spaces: false,
            role: block.role,
        };
        let kind = match block.role {
            Role::Heading(level) => StructKind::Heading(level),
            Role::Title => StructKind::Heading(1),
            _ => StructKind::Paragraph,
        };
        let heading = matches!(kind, StructKind::Heading(_));
        let tag = self.leaf_elem(kind);
        if heading {
            self.structure[tag as usize].title =
                Some(st.text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        let outer = self.run_tag.replace(tag);
        let set = set_paragraph(self.shaper, st, &style);
        let size = st.spans.first().map_or(self.theme.body_size, |s| s.1.size);
        let n = self.push_set_lines(
            set,
            frame,
            block.leading,
            size,
            block.space_before,
            block.keep_together,
            block.outline,
        );
        self.run_tag = outer;
        n
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
                keep_together
                    || prev_hyphenated
                    || k < self.theme.orphans
                    || k + self.theme.widows > n
            };
            prev_hyphenated = line.hyphenated;
            let notes: Vec<u32> = line.runs.iter().filter_map(|r| r.note).collect();
            let mut items = Vec::with_capacity(line.runs.len() + frame.bars.len());
            for mut run in line.runs {
                run.x += frame.x;
                run.tag = self.run_tag;
                if let Some(url) = &run.link {
                    items.push(Item::Link(Link {
                        rect: Rect {
                            x: run.x,
                            y: -size * 0.85,
                            width: run.width(),
                            height: size * 1.1,
                        },
                        url: url.clone(),
                        text: run.text.clone(),
                    }));
                }
                push_decorations(&mut items, &run);
                items.push(Item::Text(run));
            }
            for &bar in &frame.bars {
                items.push(Item::Line(Line {
                    from: (bar, -baseline),
                    to: (bar, leading - baseline),
                    width: 1.2,
                    color: self.theme.rule,
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
                repeat: None,
                notes,
                gap_under_header: 0.0,
            });
        }
        self.keep_next = false;
        n
    }

    pub(super) fn push_rule(&mut self, frame: &Frame, width: f32, space_before: f32) {
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
                color: self.theme.rule,
            })],
            outline: None,
            repeat: None,
            notes: Vec::new(),
            gap_under_header: 0.0,
        });
        self.keep_next = false;
    }

    pub fn blocks(&mut self, blocks: &[Block]) {
        let frame = self.frame();
        self.blocks_in(blocks, &frame);
    }

    fn blocks_in(&mut self, blocks: &[Block], frame: &Frame) {
        let t = self.theme;
        for block in blocks {
            if self.shaper.budget().check_clock() {
                return;
            }
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
                        BlockStyle {
                            align: Align::Justify,
                            indent,
                            leading: t.body_leading,
                            space_before: 0.0,
                            role: Role::Body,
                            hyphenate: true,
                            keep_together: false,
                            outline: None,
                        },
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
                        BlockStyle {
                            align: Align::Left,
                            indent: 0.0,
                            leading: size * 1.25,
                            space_before: before,
                            role: Role::Heading(lvl),
                            hyphenate: false,
                            keep_together: true,
                            outline,
                        },
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
                    if frame.can_indent(t.block_indent, t.text_width()) {
                        q.bars.push(frame.x + t.block_indent * 0.35);
                        q.x += t.block_indent;
                        q.width -= t.block_indent;
                    }
                    self.flush_next = true;
                    let first = self.lines.len();
                    self.open_elem(StructKind::Quote);
                    self.blocks_in(inner, &q);
                    self.close_elem();
                    if let Some(l) = self.lines.get_mut(first) {
                        l.space_before = l.space_before.max(t.body_leading * 0.4);
                    }
                    self.flush_next = true;
                    self.space_next = t.body_leading * 0.4;
                }
                Block::Code(code) => self.code_block(code, frame),
                Block::Lang { lang, blocks } => {
                    let outer = std::mem::replace(&mut self.lang, lang.clone());
                    self.blocks_in(blocks, frame);
                    self.lang = outer;
                }
                Block::Rule => {
                    self.push_rule(frame, frame.width / 4.0, t.body_leading * 0.3);
                    self.flush_next = true;
                }
                Block::Image(figure) => self.figure(figure, frame),
                // Footnote texts go to the foot of the page that references them.
                Block::Footnote { .. } => {}
                Block::Table(table) => self.table(table, frame),
            }
        }
    }

    /// Code in PT Mono, unjustified, every space kept. A line too long for the column wraps; the
    /// continuation is indented and marked with an arrow drawn as lines (so copying the code
    /// out does not pick up a character that was never in it).
    fn code_block(&mut self, code: &str, frame: &Frame) {
        let t = self.theme;
        let mark = t.code_size * CODE_MARK_EM;
        let face = self.shaper.select(Family::Mono, false, false);
        let st = StyledText::single(code, face, t.code_size, Color::BLACK);
        let style = ParaStyle {
            width: frame.width - mark,
            align: Align::Left,
            indent: 0.0,
            lang: self.lang.clone(),
            hyphenate: false,
            preserve_spaces: true,
            role: Role::Body,
        };
        let set = set_paragraph(self.shaper, &st, &style);
        let marks: Vec<bool> = set.iter().map(|l| l.continues).collect();
        let first = self.lines.len();
        let inner = Frame {
            x: frame.x + mark,
            width: frame.width - mark,
            ..frame.clone()
        };
        let leading = t.code_size * 1.35;
        let tag = self.leaf_elem(StructKind::Code);
        let outer = self.run_tag.replace(tag);
        self.push_set_lines(
            set,
            &inner,
            leading,
            t.code_size,
            t.body_leading * 0.4,
            false,
            None,
        );
        self.run_tag = outer;
        for (line, continues) in self.lines[first..].iter_mut().zip(marks) {
            if continues {
                line.items
                    .extend(continuation_arrow(frame.x, t.code_size, t.meta));
            }
        }
        self.flush_next = true;
        self.space_next = t.body_leading * 0.4;
    }

    fn list(&mut self, ordered: bool, start: u64, items: &[Vec<Block>], frame: &Frame) {
        let t = self.theme;
        let mut inner = frame.clone();
        if frame.can_indent(t.block_indent, t.text_width()) {
            inner.x += t.block_indent;
            inner.width -= t.block_indent;
        }
        inner.list_depth += 1;
        self.open_elem(StructKind::List { ordered });
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
            self.open_elem(StructKind::ListItem);
            let label = self.leaf_elem(StructKind::Label);
            self.open_elem(StructKind::ListBody);
            self.blocks_in(item, &inner);
            self.close_elem();
            self.close_elem();
            if n == 0
                && let Some(l) = self.lines.get_mut(first)
            {
                l.space_before = l.space_before.max(t.body_leading * 0.25);
            }
            let face = self.shaper.select(Family::Serif, false, false);
            let (mut runs, width) =
                self.single_line(&marker, face, t.body_size, Color::BLACK, Role::Body);
            if let Some(line) = self.lines.get_mut(first) {
                let x = inner.x - width - t.body_size * 0.35;
                for r in &mut runs {
                    r.x += x;
                    r.tag = Some(label);
                }
                // The marker comes first in reading order, before the item text.
                line.items.splice(0..0, runs.into_iter().map(Item::Text));
            }
        }
        self.close_elem();
        self.flush_next = true;
        self.space_next = t.body_leading * 0.25;
    }

    /// Sets a short text on one line (page furniture, list markers); returns the runs at x = 0.
    pub(super) fn single_line(
        &self,
        text: &str,
        face: FaceId,
        size: f32,
        color: Color,
        role: Role,
    ) -> (Vec<GlyphRun>, f32) {
        set_single_line(self.shaper, &self.lang, text, face, size, color, role)
    }
}

/// One line of unbroken text (page furniture, labels): its runs from x = 0 and its width.
pub fn set_single_line(
    shaper: &Shaper<'_>,
    lang: &str,
    text: &str,
    face: FaceId,
    size: f32,
    color: Color,
    role: Role,
) -> (Vec<GlyphRun>, f32) {
    let st = StyledText::single(text, face, size, color);
    let style = ParaStyle {
        width: 1.0e6,
        align: Align::Left,
        indent: 0.0,
        lang: lang.to_string(),
        hyphenate: false,
        preserve_spaces: false,
        role,
    };
    let mut lines = set_paragraph(shaper, &st, &style);
    if lines.is_empty() {
        return (Vec::new(), 0.0);
    }
    let line = lines.swap_remove(0);
    (line.runs, line.width)
}

/// The document for one article: title block, body, end matter, paginated.
pub fn lay_out(
    shaper: &Shaper<'_>,
    theme: &Theme,
    doc: &Doc,
    resources: &Resources,
    strict: bool,
    profile: Profile,
) -> Result<Document, Error> {
    let mut flow = Flow::new(shaper, theme, &doc.lang, resources, strict);
    flow.profile = profile;
    flow.prepare_notes(&doc.body);
    flow.title_block(doc);
    if let Some(cover) = &doc.cover {
        flow.blocks(&[Block::Image(cover.clone())]);
    }
    flow.blocks(&doc.body);
    flow.end_matter(doc);
    shaper.budget().result()?;
    if let Some(e) = flow.failure.take() {
        return Err(e);
    }
    let warnings = std::mem::take(&mut flow.warnings);
    let structure = std::mem::take(&mut flow.structure);
    let (pages, outline) = flow.paginate(doc)?;
    shaper.budget().result()?;
    Ok(Document {
        pages,
        outline,
        warnings,
        structure,
        ..Default::default()
    })
}

/// A small "↪" drawn with lines at `x`, on the baseline of a code line of `size`.
fn continuation_arrow(x: f32, size: f32, color: Color) -> Vec<Item> {
    let s = size;
    let line = |from: (f32, f32), to: (f32, f32)| {
        Item::Line(Line {
            from,
            to,
            width: s * 0.07,
            color,
        })
    };
    let (x0, top, mid, tip) = (x + s * 0.1, -s * 0.62, -s * 0.25, x + s * 0.75);
    vec![
        line((x0, top), (x0, mid)),
        line((x0, mid), (tip, mid)),
        line((tip - s * 0.22, mid - s * 0.18), (tip, mid)),
        line((tip - s * 0.22, mid + s * 0.18), (tip, mid)),
    ]
}

/// Underline and strike-through lines for a run, relative to its baseline.
fn push_decorations(items: &mut Vec<Item>, run: &GlyphRun) {
    let d = run.decoration;
    for (on, offset) in [(d.underline, run.size * 0.12), (d.strike, -run.size * 0.27)] {
        if on {
            items.push(Item::Line(Line {
                from: (run.x, offset),
                to: (run.x + run.width(), offset),
                width: run.size * 0.055,
                color: run.color,
            }));
        }
    }
}
