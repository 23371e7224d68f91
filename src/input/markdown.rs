//! Markdown bodies (CommonMark via pulldown-cmark) lowered into the document tree.

use std::sync::Arc;

use pulldown_cmark::{Alignment, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::tree::{Builder, Container, Frame};
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
            // Raw HTML in Markdown keeps its text, without the tags.
            Event::Html(h) if lang_div_open(&h).is_some() => {
                let lang = lang_div_open(&h).unwrap_or_default();
                self.open(Container::Lang(lang));
            }
            Event::Html(h) if h.trim().eq_ignore_ascii_case("</div>") => {
                if matches!(
                    self.stack.last(),
                    Some(Frame {
                        kind: Container::Lang(_),
                        ..
                    })
                ) {
                    self.close();
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                let stripped = super::text::strip_tags(&h);
                if !stripped.trim().is_empty() {
                    self.text(stripped.trim());
                }
            }
            Event::FootnoteReference(r) => self.footnote_ref(&r),
            Event::TaskListMarker(done) => self.text(if done { "☒ " } else { "☐ " }),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
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
        match end {
            TagEnd::Paragraph => self.flush_inlines(),
            TagEnd::Heading(_) => {
                self.flush_inlines();
                self.heading = None;
            }
            TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item => self.close(),
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    self.push_block(Block::Code(code.trim_end_matches('\n').to_string()));
                }
            }
            TagEnd::FootnoteDefinition => self.close(),
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

/// The language of a `<div lang="xx">` line (the way a Markdown writer marks a passage in
/// another language), or `None`.
fn lang_div_open(html: &str) -> Option<String> {
    let t = html.trim();
    let rest = t.strip_prefix("<div")?.strip_suffix('>')?;
    let at = rest.find("lang=")?;
    let value = rest[at + 5..].trim_start_matches(['"', '\'']);
    let lang: String = value
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    (!lang.is_empty() && lang.len() <= 35).then_some(lang)
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
    fn lang_divs_become_language_blocks() {
        let md =
            "Русский абзац.\n\n<div lang=\"uk\">\n\nУкраїнський абзац.\n\n</div>\n\nСнова русский.";
        let b = blocks(md);
        assert_eq!(b.len(), 3, "{b:?}");
        assert!(matches!(&b[1], Block::Lang { lang, blocks } if lang == "uk" && blocks.len() == 1));
    }
}
