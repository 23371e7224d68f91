//! Markdown bodies (CommonMark via pulldown-cmark) lowered into the document tree.

use std::sync::Arc;

use pulldown_cmark::{Alignment, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::html::{self, Lone};
use super::tree::{Builder, Container};
use crate::doc::{Block, CellAlign};

pub fn blocks(body: &str) -> Vec<Block> {
    let mut b = Builder::default();
    let options = Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let parser = Parser::new_ext(body, options);
    for event in parser {
        b.event(event);
    }
    b.finish()
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(end) => self.end(end),
            Event::Text(t) => self.text(&t),
            Event::Code(t) => {
                let saved = self.style;
                self.style.code = true;
                self.text(&t);
                self.style = saved;
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.text("\n"),
            Event::Rule => self.push_block(Block::Rule),
            // Raw HTML is read by the HTML reader: a block as a whole, inline tags one by one.
            Event::Html(h) => match &mut self.html_block {
                Some(block) => block.push_str(&h),
                None => self.html_block_end(&h),
            },
            Event::InlineHtml(h) => html::markdown_inline(self, &h),
            Event::FootnoteReference(r) => self.footnote_ref(&r),
            Event::TaskListMarker(done) => self.text(if done { "☒ " } else { "☐ " }),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::HtmlBlock => {
                html::close_markdown_inlines(self);
                self.html_block = Some(String::new());
            }
            Tag::Paragraph => self.flush_inlines(),
            Tag::Heading { level, .. } => {
                self.flush_inlines();
                self.heading = Some(heading_level(level));
            }
            Tag::BlockQuote(_) => self.open(Container::Quote),
            Tag::List(start) => self.open(Container::List {
                ordered: start.is_some(),
                start: start.unwrap_or(1),
            }),
            Tag::Item => self.open(Container::Item),
            Tag::CodeBlock(_) => {
                self.flush_inlines();
                self.code = Some(String::new());
            }
            Tag::Table(align) => self.start_table(
                align
                    .iter()
                    .map(|a| match a {
                        Alignment::Center => CellAlign::Center,
                        Alignment::Right => CellAlign::Right,
                        _ => CellAlign::Left,
                    })
                    .collect(),
            ),
            Tag::TableHead => {
                if let Some(t) = &mut self.table {
                    t.in_head = true;
                }
            }
            Tag::FootnoteDefinition(label) => self.open(Container::Footnote(label.to_string())),
            Tag::Emphasis => self.emphasis += 1,
            Tag::Strong => self.strong += 1,
            Tag::Strikethrough => self.strike += 1,
            Tag::Link { dest_url, .. } => self.links.push(Arc::from(dest_url.as_ref())),
            Tag::Image {
                dest_url, title, ..
            } => {
                self.flush_inlines();
                self.image = Some((String::new(), dest_url.to_string(), title.to_string()));
            }
            _ => {}
        }
    }

    fn end(&mut self, end: TagEnd) {
        // Elements raw HTML opened inside a Markdown block end with it.
        if matches!(
            end,
            TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::FootnoteDefinition
                | TagEnd::TableCell
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::Table
        ) {
            html::close_markdown_inlines(self);
        }
        match end {
            TagEnd::HtmlBlock => {
                let block = self.html_block.take().unwrap_or_default();
                self.html_block_end(&block);
            }
            TagEnd::Paragraph => self.flush_inlines(),
            TagEnd::Heading(_) => {
                self.flush_inlines();
                self.heading = None;
            }
            TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item => self.close_markdown(),
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    self.push_block(Block::Code(code.trim_end_matches('\n').to_string()));
                }
            }
            TagEnd::FootnoteDefinition => self.close_markdown(),
            TagEnd::TableCell => self.end_cell(),
            TagEnd::TableHead => {
                self.end_row();
                if let Some(t) = &mut self.table {
                    t.in_head = false;
                }
            }
            TagEnd::TableRow => self.end_row(),
            TagEnd::Table => self.end_table(),
            TagEnd::Emphasis => self.emphasis = self.emphasis.saturating_sub(1),
            TagEnd::Strong => self.strong = self.strong.saturating_sub(1),
            TagEnd::Strikethrough => self.strike = self.strike.saturating_sub(1),
            TagEnd::Link => {
                self.links.pop();
            }
            // The Markdown title carries the credit ("Фото: автор").
            TagEnd::Image => self.end_image(),
            _ => {}
        }
    }
}

impl Builder {
    /// A whole block of raw HTML. One that is a lone `<div lang="xx">` or `<blockquote>` (and
    /// the lone end tag after it) wraps the Markdown between the two, the way writers mark a
    /// passage in another language or a quote; any other is set by the HTML reader.
    fn html_block_end(&mut self, block: &str) {
        match html::lone_tag(block) {
            Some(Lone::Open { name, lang }) if name == "div" && lang.is_some() => {
                self.open(Container::Lang(lang.unwrap_or_default()));
                self.wrappers.push((self.stack.len(), name));
            }
            Some(Lone::Open { name, .. }) if name == "blockquote" => {
                self.open(Container::Quote);
                self.wrappers.push((self.stack.len(), name));
            }
            Some(Lone::Close { name })
                if self.wrappers.last() == Some(&(self.stack.len(), name.clone())) =>
            {
                self.wrappers.pop();
                self.close();
            }
            // A lone end tag with nothing of ours to close holds no text.
            Some(Lone::Close { .. }) => {}
            _ => html::markdown_block(self, block),
        }
    }

    /// Ends a Markdown container, and first any wrapper raw HTML opened inside it and left
    /// open, so the two kinds of frame never cross.
    fn close_markdown(&mut self) {
        while self
            .wrappers
            .last()
            .is_some_and(|(depth, _)| *depth == self.stack.len())
        {
            self.wrappers.pop();
            self.close();
        }
        self.close();
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Figure, plain_text};
    use crate::input::MAX_NESTING;

    #[test]
    fn headings_paragraphs_lists_quotes() {
        let md = "## Заголовок\n\nТекст *курсив* и **жирный** [ссылка](https://x.ru).\n\n- раз\n- два\n\n1. один\n2. два\n\n> цитата\n";
        let b = blocks(md);
        assert!(
            matches!(&b[0], Block::Heading { level: 2, content } if plain_text(content) == "Заголовок")
        );
        let Block::Paragraph(p) = &b[1] else {
            panic!("{:?}", b[1])
        };
        assert!(p.iter().any(|i| i.style.italic && i.text == "курсив"));
        assert!(p.iter().any(|i| i.style.bold && i.text == "жирный"));
        assert!(p.iter().any(|i| i.link.as_deref() == Some("https://x.ru")));
        assert!(matches!(&b[2], Block::List { ordered: false, items, .. } if items.len() == 2));
        assert!(matches!(
            &b[3],
            Block::List {
                ordered: true,
                start: 1,
                ..
            }
        ));
        assert!(matches!(&b[4], Block::Quote(q) if q.len() == 1));
    }

    #[test]
    fn image_becomes_placeholder_with_text() {
        let b = blocks("![Вид на Байкал](baikal.jpg \"Фото: автор\")");
        assert_eq!(
            b,
            vec![Block::Image(Figure {
                src: "baikal.jpg".into(),
                alt: "Вид на Байкал".into(),
                caption: "Вид на Байкал".into(),
                credit: "Фото: автор".into(),
            })]
        );
    }

    #[test]
    fn deep_nesting_is_flattened_not_recursed() {
        let md = ">".repeat(10_000) + " глубоко";
        let b = blocks(&md);
        fn depth(b: &[Block]) -> usize {
            b.iter()
                .map(|x| match x {
                    Block::Quote(q) => 1 + depth(q),
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
        }
        assert!(depth(&b) <= MAX_NESTING);
    }

    #[test]
    fn inline_html_styles_links_and_breaks_but_never_glues_words() {
        let b = blocks(
            "Ссылка <a href=\"https://x.ru/?a=1&amp;b=2\">здесь</a>, один<p>два</p>три<br>четыре.\n\n- пункт <i>курсив",
        );
        let Block::Paragraph(p) = &b[0] else {
            panic!("{b:?}")
        };
        assert!(
            p.iter()
                .any(|i| i.text == "здесь" && i.link.as_deref() == Some("https://x.ru/?a=1&b=2")),
            "{p:?}"
        );
        assert_eq!(plain_text(p), "Ссылка здесь, один\nдва\nтри\nчетыре.");
        let Block::List { items, .. } = &b[1] else {
            panic!("{b:?}")
        };
        assert!(
            matches!(&items[0][0], Block::Paragraph(p) if p.iter().any(|i| i.style.italic && i.text == "курсив"))
        );
    }

    #[test]
    fn a_lone_blockquote_tag_wraps_the_markdown_after_it() {
        let b = blocks("<blockquote>\n\nЦитата *с курсивом*.\n\n</blockquote>\n\nПосле.");
        assert_eq!(b.len(), 2, "{b:?}");
        assert!(matches!(&b[0], Block::Quote(q) if q.len() == 1), "{b:?}");
        // Inside a Markdown quote, a stray end tag does not close the Markdown's own quote.
        let b = blocks("> Цитата.\n>\n> </blockquote>\n\nПосле.");
        assert!(matches!(&b[0], Block::Quote(_)) && b.len() == 2, "{b:?}");
    }

    #[test]
    fn thousands_of_unclosed_inline_tags_are_cheap() {
        let md = "<b>".repeat(50_000) + "жирный" + &"</i>".repeat(50_000) + "\n\nОбычный.";
        let b = blocks(&md);
        assert!(
            matches!(&b[1], Block::Paragraph(p) if !p[0].style.bold),
            "{b:?}"
        );
    }

    #[test]
    fn lang_divs_become_language_blocks() {
        let md =
            "Русский абзац.\n\n<div lang=\"uk\">\n\nУкраїнський абзац.\n\n</div>\n\nСнова русский.";
        let b = blocks(md);
        assert_eq!(b.len(), 3, "{b:?}");
        assert!(matches!(&b[1], Block::Lang { lang, blocks } if lang == "uk" && blocks.len() == 1));
    }
}
