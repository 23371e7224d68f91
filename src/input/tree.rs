//! The tree builder both Markdown and HTML input drive: containers (quotes, lists, language
//! passages), paragraphs and headings of styled inlines, figures and code blocks.

use std::sync::Arc;

use super::MAX_NESTING;
use crate::doc::{Block, Figure, Inline, InlineStyle};

pub(super) enum Container {
    Quote,
    List {
        ordered: bool,
        start: u64,
    },
    Item,
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
    pub(super) links: Vec<Arc<str>>,
    /// Inside an image: (alt text collected so far, src, title).
    pub(super) image: Option<(String, String, String)>,
    pub(super) code: Option<String>,
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
        let content = std::mem::take(&mut self.inlines);
        let block = match self.heading {
            Some(level) => Block::Heading { level, content },
            None => Block::Paragraph(content),
        };
        self.target().push(block);
    }

    pub(super) fn text(&mut self, text: &str) {
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
            ..self.style
        };
        let link = self.links.last().cloned();
        if let Some(last) = self.inlines.last_mut()
            && last.style == style
            && last.link == link
        {
            last.text.push_str(text);
            return;
        }
        self.inlines.push(Inline {
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

    pub(super) fn finish(mut self) -> Vec<Block> {
        self.flush_inlines();
        while !self.stack.is_empty() {
            self.close();
        }
        self.root
    }
}
