//! The flow: the document's title block, blocks and end matter become one column of flow lines,
//! each marked with where a page may break (`keep.rs`); `page.rs` then fills pages. This file holds
//! the flow's state and the walk over the blocks; each kind of block is set in its own file.

use std::sync::Arc;

use super::display::{Color, GlyphRun, Item, OutlineEntry, Page, Role, StructElem, StructKind};
use super::locale::{self, Labels};
use super::packed::{GlyphStore, PackedLine};
use super::para::{Align, ParaStyle, StyledText, set_paragraph};
use super::style::{Profile, Theme};
use crate::doc::{Block, Doc};
use crate::error::Error;
use crate::resources::Resources;
use crate::text::fonts::{FaceId, Family};
use crate::text::shape::Shaper;

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
    pub(super) table_header: Option<usize>,
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
    pub(super) fn can_indent(&self, indent: f32, text_width: f32) -> bool {
        self.width - indent >= text_width * MIN_NESTED_WIDTH
    }
}

/// One article being set: the flow lines so far and what the next line owes (keeps, space,
/// indent), with the footnotes, link notes and structure gathered on the way.
pub(super) struct Flow<'a> {
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
    pub(super) warnings: Vec<crate::warning::Warning>,
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
    pub(super) link_addresses: std::cell::RefCell<Vec<Arc<str>>>,
    /// Print profile: each address's mark, so a repeated link is found in constant time.
    pub(super) link_note_numbers: std::cell::RefCell<std::collections::HashMap<Arc<str>, usize>>,
    /// Runs of lines that span every column (the title block and cover, wide figures and
    /// tables), in order; the other lines are set in one column.
    pub(super) spanning: Vec<std::ops::Range<usize>>,
    /// The glyphs of the lines set so far, packed (`packed.rs`).
    pub(super) glyphs: GlyphStore,
    /// Where line `i`'s glyphs are while packed; lines from `packed.len()` on are not yet
    /// packed, and a line taken out again (`line_items_mut`) is `None`.
    pub(super) packed: Vec<Option<PackedLine>>,
}

impl<'a> Flow<'a> {
    fn new(
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
            link_addresses: Default::default(),
            link_note_numbers: Default::default(),
            structure: Vec::new(),
            parents: Vec::new(),
            run_tag: None,
            spanning: Vec::new(),
            glyphs: GlyphStore::default(),
            packed: Vec::new(),
        }
    }

    /// Packs the glyphs of the lines set since the last call: a block's lines (a table's rows)
    /// are done with once it is set, but for what a list adds to an item's first line
    /// afterwards (`line_items_mut`).
    pub(super) fn pack_lines(&mut self) {
        for line in &mut self.lines[self.packed.len()..] {
            self.packed.push(Some(self.glyphs.pack(&mut line.items)));
        }
    }

    /// The items of line `i`, its glyphs unpacked if they were packed.
    pub(super) fn line_items_mut(&mut self, i: usize) -> Option<&mut Vec<Item>> {
        let line = self.lines.get_mut(i)?;
        self.glyphs
            .unpack_slot(self.packed.get_mut(i), &mut line.items);
        Some(&mut line.items)
    }

    /// The frame of body text: one column.
    pub(super) fn frame(&self) -> Frame {
        Frame {
            width: self.theme.column_width(),
            ..self.wide_frame()
        }
    }

    /// In columns, the frame of a block set at the top level of the body that is to span
    /// every column; `None` on a one-column page and inside lists and quotes.
    pub(super) fn spanning_frame(&self, frame: &Frame) -> Option<Frame> {
        let top_level = frame.list_depth == 0 && frame.bars.is_empty();
        (self.theme.columns > 1 && top_level && frame.width < self.theme.text_width() - 0.01)
            .then(|| self.wide_frame())
    }

    /// Marks the lines from `first` on as spanning every column.
    pub(super) fn mark_spanning(&mut self, first: usize) {
        let end = self.lines.len();
        if first < end {
            self.spanning.push(first..end);
        }
    }

    /// The frame of what spans every column: the title block and the cover.
    pub(super) fn wide_frame(&self) -> Frame {
        Frame {
            x: self.theme.margin_inner,
            width: self.theme.text_width(),
            bars: Vec::new(),
            list_depth: 0,
        }
    }

    fn blocks(&mut self, blocks: &[Block]) {
        let frame = self.frame();
        self.blocks_in(blocks, &frame);
    }

    pub(super) fn blocks_in(&mut self, blocks: &[Block], frame: &Frame) {
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
                    if frame.can_indent(t.block_indent, t.column_width()) {
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
            self.pack_lines();
        }
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
pub(super) fn set_single_line(
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

/// An article set into flow lines (title block, body, end matter), not yet cut into pages.
pub(crate) struct SetArticle<'a> {
    flow: Flow<'a>,
    /// What a person should know about the setting.
    pub(crate) warnings: Vec<crate::warning::Warning>,
    /// The logical structure the runs point into.
    pub(crate) structure: Vec<StructElem>,
}

/// Sets the article's title block, body and end matter into flow lines.
pub(crate) fn set_article<'a>(
    shaper: &'a Shaper<'a>,
    theme: &'a Theme,
    doc: &Doc,
    resources: &'a Resources,
    strict: bool,
    profile: Profile,
) -> Result<SetArticle<'a>, Error> {
    let mut flow = Flow::new(shaper, theme, &doc.lang, resources, strict);
    flow.profile = profile;
    flow.prepare_notes(&doc.body);
    flow.title_block(doc);
    if let Some(cover) = &doc.cover {
        let wide = flow.wide_frame();
        flow.blocks_in(&[Block::Image(cover.clone())], &wide);
    }
    flow.mark_spanning(0);
    flow.blocks(&doc.body);
    flow.end_matter(doc);
    shaper.budget().result()?;
    if let Some(e) = flow.failure.take() {
        return Err(e);
    }
    let warnings = std::mem::take(&mut flow.warnings);
    let structure = std::mem::take(&mut flow.structure);
    Ok(SetArticle {
        flow,
        warnings,
        structure,
    })
}

impl SetArticle<'_> {
    /// Cuts the article into pages, handing each to `sink` as soon as it is whole (headers and
    /// footers drawn); returns the outline.
    pub(crate) fn paginate(
        self,
        doc: &Doc,
        sink: &mut dyn FnMut(Page) -> Result<(), Error>,
    ) -> Result<Vec<OutlineEntry>, Error> {
        let budget = self.flow.shaper.budget();
        let outline = self.flow.paginate(doc, sink)?;
        budget.result()?;
        Ok(outline)
    }
}
