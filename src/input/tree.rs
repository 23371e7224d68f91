//! The tree builder both Markdown and HTML input drive: containers (quotes, lists, language
//! passages), paragraphs and headings of styled inlines, figures and code blocks.

use std::sync::Arc;

use super::MAX_NESTING;
use crate::doc::{Block, CellAlign, Figure, Inline, InlineStyle, Table};

pub(super) enum Container {
    Quote,
    List {
        ordered: bool,
        start: u64,
    },
    Item,
    /// The definition of a footnote.
    Footnote(String),
    /// `<div lang="uk">` … `</div>`: a passage in another language.
    Lang(String),
    /// A container past `MAX_NESTING`: its content goes to the parent.
    Flattened,
}

pub(super) struct Frame {
    pub(super) kind: Container,
    pub(super) blocks: Vec<Block>,
    pub(super) items: Vec<Vec<Block>>,
}

/// A table under construction: rows of cells, each cell the inlines collected for it.
#[derive(Default)]
pub(super) struct TableBuild {
    pub(super) table: Table,
    pub(super) row: Vec<Vec<Inline>>,
    pub(super) in_head: bool,
}

/// Builds blocks from open/close/text calls; the input modules translate their events into these.
#[derive(Default)]
pub(super) struct Builder {
    pub(super) root: Vec<Block>,
    pub(super) stack: Vec<Frame>,
    pub(super) inlines: Vec<Inline>,
    pub(super) heading: Option<u8>,
    pub(super) style: InlineStyle,
    pub(super) strong: u32,
    pub(super) emphasis: u32,
    pub(super) strike: u32,
    pub(super) underline: u32,
    pub(super) sub: u32,
    pub(super) sup: u32,
    pub(super) code_span: u32,
    pub(super) links: Vec<Arc<str>>,
    /// Inside an image: (alt text collected so far, src, title).
    pub(super) image: Option<(String, String, String)>,
    pub(super) code: Option<String>,
    /// The table being read, if any.
    pub(super) table: Option<TableBuild>,
    /// Elements raw HTML inside Markdown text opened and has not closed yet.
    pub(super) open_tags: Vec<super::html::OpenTag>,
    /// Inside that many dropped elements (`<script>` in Markdown text): text is not printed.
    pub(super) hidden: u32,
    /// A block of raw HTML in Markdown, collected line by line until it ends.
    pub(super) html_block: Option<String>,
    /// The frames a lone `<div lang>` or `<blockquote>` in Markdown opened, for its lone end
    /// tag to close: the stack's length with the frame on it, and the element's name.
    pub(super) wrappers: Vec<(usize, String)>,
}

impl Builder {
    pub(super) fn target(&mut self) -> &mut Vec<Block> {
        match self.stack.last_mut() {
            Some(f) => &mut f.blocks,
            None => &mut self.root,
        }
    }

    pub(super) fn push_block(&mut self, block: Block) {
        self.flush_inlines();
        self.target().push(block);
    }

    pub(super) fn flush_inlines(&mut self) {
        if self.inlines.iter().all(|i| i.text.trim().is_empty()) {
            self.inlines.clear();
            return;
        }
        let mut content = std::mem::take(&mut self.inlines);
        // White space at the edges of a paragraph is layout, not text.
        content.retain(|i| !i.text.is_empty() || i.footnote.is_some());
        if let Some(first) = content.first_mut() {
            first.text = first.text.trim_start_matches([' ', '\n']).to_string();
        }
        if let Some(last) = content.last_mut() {
            last.text = last.text.trim_end_matches([' ', '\n']).to_string();
        }
        let block = match self.heading {
            Some(level) => Block::Heading { level, content },
            None => Block::Paragraph(content),
        };
        self.target().push(block);
    }

    pub(super) fn text(&mut self, text: &str) {
        if self.hidden > 0 {
            return;
        }
        if let Some((alt, _, _)) = &mut self.image {
            alt.push_str(text);
            return;
        }
        if let Some(code) = &mut self.code {
            code.push_str(text);
            return;
        }
        let style = InlineStyle {
            bold: self.strong > 0,
            italic: self.emphasis > 0,
            strike: self.strike > 0,
            underline: self.underline > 0,
            sub: self.sub > 0,
            sup: self.sup > 0,
            code: self.style.code || self.code_span > 0,
        };
        let link = self.links.last().cloned();
        if let Some(last) = self.inlines.last_mut()
            && last.style == style
            && last.link == link
            && last.footnote.is_none()
        {
            last.text.push_str(text);
            return;
        }
        self.inlines.push(Inline {
            footnote: None,
            text: text.to_string(),
            style,
            link,
        });
    }

    pub(super) fn open(&mut self, kind: Container) {
        self.flush_inlines();
        let kind = if self.stack.len() >= MAX_NESTING {
            Container::Flattened
        } else {
            kind
        };
        self.stack.push(Frame {
            kind,
            blocks: Vec::new(),
            items: Vec::new(),
        });
    }

    pub(super) fn close(&mut self) {
        self.flush_inlines();
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match frame.kind {
            Container::Quote => self.target().push(Block::Quote(frame.blocks)),
            Container::List { ordered, start } => {
                let mut items = frame.items;
                if !frame.blocks.is_empty() {
                    items.push(frame.blocks);
                }
                self.target().push(Block::List {
                    ordered,
                    start,
                    items,
                });
            }
            Container::Item => match self.stack.last_mut() {
                Some(Frame {
                    kind: Container::List { .. },
                    items,
                    ..
                }) => items.push(frame.blocks),
                _ => self.target().extend(frame.blocks),
            },
            Container::Lang(lang) => self.target().push(Block::Lang {
                lang,
                blocks: frame.blocks,
            }),
            Container::Footnote(label) => self.target().push(Block::Footnote {
                label,
                blocks: frame.blocks,
            }),
            Container::Flattened => self.target().extend(frame.blocks),
        }
    }

    /// Ends an image started by setting `image`: alt text doubles as the caption.
    pub(super) fn end_image(&mut self) {
        if let Some((alt, src, title)) = self.image.take() {
            let alt = alt.trim().to_string();
            let figure = Figure {
                src,
                caption: alt.clone(),
                alt,
                credit: title.trim().to_string(),
            };
            self.push_block(Block::Image(figure));
        }
    }

    /// Text from HTML, where runs of white space collapse into one space, across elements too.
    pub(super) fn collapsed_text(&mut self, text: &str) {
        let mut out = String::with_capacity(text.len());
        let mut space = self
            .inlines
            .last()
            .is_none_or(|i| i.text.ends_with([' ', '\n']));
        for c in text.chars() {
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
                if !space {
                    out.push(' ');
                    space = true;
                }
            } else {
                out.push(c);
                space = false;
            }
        }
        if !out.is_empty() {
            self.text(&out);
        }
    }

    /// A footnote reference at the current position.
    pub(super) fn footnote_ref(&mut self, label: &str) {
        self.inlines.push(Inline {
            text: String::new(),
            style: InlineStyle {
                sup: true,
                ..InlineStyle::default()
            },
            link: None,
            footnote: Some(Arc::from(label)),
        });
    }

    pub(super) fn start_table(&mut self, align: Vec<CellAlign>) {
        self.flush_inlines();
        self.table = Some(TableBuild {
            table: Table {
                align,
                ..Table::default()
            },
            ..TableBuild::default()
        });
    }

    /// Ends a cell: what was collected since it started is its content.
    pub(super) fn end_cell(&mut self) {
        let mut cell = std::mem::take(&mut self.inlines);
        if let Some(first) = cell.first_mut() {
            first.text = first.text.trim_start().to_string();
        }
        if let Some(last) = cell.last_mut() {
            last.text = last.text.trim_end().to_string();
        }
        match &mut self.table {
            Some(t) => t.row.push(cell),
            None => self.inlines = cell,
        }
    }

    pub(super) fn end_row(&mut self) {
        if !self.inlines.is_empty() {
            self.end_cell();
        }
        if let Some(t) = &mut self.table {
            let row = std::mem::take(&mut t.row);
            if row.is_empty() {
                return;
            }
            if t.in_head && t.table.header.is_none() {
                t.table.header = Some(row);
            } else {
                t.table.rows.push(row);
            }
        }
    }

    pub(super) fn end_table(&mut self) {
        if let Some(mut t) = self.table.take() {
            if !t.row.is_empty() {
                t.table.rows.push(std::mem::take(&mut t.row));
            }
            if t.table.header.is_some() || !t.table.rows.is_empty() {
                self.push_block(Block::Table(t.table));
            }
        }
    }

    pub(super) fn finish(mut self) -> Vec<Block> {
        super::html::close_markdown_inlines(&mut self);
        self.end_table();
        self.flush_inlines();
        while !self.stack.is_empty() {
            self.close();
        }
        self.root
    }
}
