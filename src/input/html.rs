//! HTML bodies, parsed by a real HTML5 parser (html5ever) into the same document tree as
//! Markdown. Scripts, styles, frames, forms and comments are dropped; entities are decoded;
//! unknown tags keep their text; `lang` on an element marks a passage in another language.

use std::sync::Arc;

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::{Attribute, ParseOpts, parse_document};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

use super::tree::{Builder, Container};
use crate::doc::{Block, Figure};

/// Elements whose whole content is left out.
const DROPPED: [&str; 20] = [
    "script", "style", "iframe", "frame", "frameset", "form", "input", "button", "select",
    "textarea", "noscript", "template", "svg", "math", "object", "embed", "canvas", "video",
    "audio", "head",
];

/// Elements that end the paragraph before them and after them.
const BLOCKS: [&str; 16] = [
    "p", "div", "section", "article", "main", "header", "footer", "aside", "center", "address",
    "dl", "dt", "dd", "nav", "details", "summary",
];

pub fn blocks(body: &str) -> Vec<Block> {
    let mut b = Builder::default();
    read_into(&mut b, body);
    b.finish()
}

/// Parses `html` and adds what it holds to `b`, after whatever `b` already has.
fn read_into(b: &mut Builder, html: &str) {
    let html = cap_nesting(html);
    let dom = parse_document(RcDom::default(), ParseOpts::default()).one(html.as_ref());
    walk(b, &dom.document);
}

/// A block of raw HTML inside a Markdown body, read by the same rules as an HTML body. Its
/// last line of loose text ends with it: the Markdown after it starts a paragraph of its own.
pub(super) fn markdown_block(b: &mut Builder, html: &str) {
    read_into(b, html);
    b.flush_inlines();
}

/// Inline elements a tag in the middle of Markdown text may open: the ones `enter` gives a
/// style or a link to. A block element there cannot restructure what Markdown already set as
/// a paragraph; it breaks the line instead, so the words either side never run together.
const INLINE: [&str; 17] = [
    "b", "strong", "i", "em", "cite", "dfn", "var", "s", "strike", "del", "u", "ins", "sub", "sup",
    "code", "kbd", "a",
];

/// Elements with no content and no end tag.
const VOID: [&str; 13] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// An element a tag inside Markdown text opened, waiting for its end tag or the end of the
/// paragraph (an inline element never outlives the Markdown block it started in).
pub(super) struct OpenTag {
    name: String,
    exits: Vec<Exit>,
    /// A dropped element (`<script>`): the text until its end is not printed.
    hides: bool,
}

/// One tag of raw HTML met inside Markdown text: pulldown-cmark hands inline HTML over one tag
/// at a time (`Текст <b>`, `жирный`, `</b>`), so each is tokenized by html5ever and applied
/// to the builder by the same rules as in an HTML body.
pub(super) fn markdown_inline(b: &mut Builder, html: &str) {
    for tag in tags(html) {
        let name = tag.name.to_string().to_ascii_lowercase();
        match tag.kind {
            TagKind::StartTag => start_inline(b, &name, &tag.attrs),
            TagKind::EndTag => end_inline(b, &name),
        }
    }
}

fn start_inline(b: &mut Builder, name: &str, attrs: &[Attribute]) {
    // Past the cap a start tag is ignored (its text stays), so finding an end tag's element
    // stays a bounded scan however many tags a hostile paragraph leaves open.
    if b.open_tags.len() >= MAX_HTML_DEPTH && !VOID.contains(&name) {
        return;
    }
    if VOID.contains(&name) {
        if !DROPPED.contains(&name) {
            let attr = |key: &str| {
                let found = attrs.iter().find(|a| &*a.name.local == key);
                found.map(|a| a.value.to_string())
            };
            let exits = enter(b, name, &attr, &mut None, &mut 0);
            debug_assert!(exits.is_empty(), "a void element has nothing to close");
        }
        return;
    }
    if DROPPED.contains(&name) {
        b.hidden += 1;
        b.open_tags.push(OpenTag {
            name: name.to_string(),
            exits: Vec::new(),
            hides: true,
        });
    } else if INLINE.contains(&name) {
        let attr = |key: &str| {
            let found = attrs.iter().find(|a| &*a.name.local == key);
            found.map(|a| a.value.to_string())
        };
        let exits = enter(b, name, &attr, &mut None, &mut 0);
        b.open_tags.push(OpenTag {
            name: name.to_string(),
            exits,
            hides: false,
        });
    } else if breaks_line(name) {
        line_break(b);
    }
}

fn end_inline(b: &mut Builder, name: &str) {
    match b.open_tags.iter().rposition(|t| t.name == name) {
        // Elements opened inside it and left open end with it, as in an HTML body.
        Some(at) => {
            while b.open_tags.len() > at {
                close_one(b);
            }
        }
        None if breaks_line(name) => line_break(b),
        None => {}
    }
}

/// Ends every element raw HTML opened in the Markdown block that is ending.
pub(super) fn close_markdown_inlines(b: &mut Builder) {
    while !b.open_tags.is_empty() {
        close_one(b);
    }
}

fn close_one(b: &mut Builder) {
    if let Some(tag) = b.open_tags.pop() {
        if tag.hides {
            b.hidden = b.hidden.saturating_sub(1);
        }
        for action in tag.exits {
            exit(b, action, &mut None, &mut 0);
        }
    }
}

/// Block elements and table parts: in the middle of Markdown text they break the line.
fn breaks_line(name: &str) -> bool {
    BLOCKS.contains(&name)
        || matches!(
            name,
            "h1" | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "blockquote"
                | "ul"
                | "ol"
                | "li"
                | "pre"
                | "figure"
                | "figcaption"
                | "table"
                | "tr"
                | "td"
                | "th"
        )
}

/// A line break, unless the text already ends one (or has not started).
fn line_break(b: &mut Builder) {
    if b.inlines.last().is_some_and(|i| !i.text.ends_with('\n')) {
        b.text("\n");
    }
}

/// A piece of HTML that is one tag and nothing else.
pub(super) enum Lone {
    Open { name: String, lang: Option<String> },
    Close { name: String },
}

/// The tag `html` consists of, if it is one lone start or end tag (white space around it).
pub(super) fn lone_tag(html: &str) -> Option<Lone> {
    let trimmed = html.trim();
    if !trimmed.starts_with('<') || !trimmed.ends_with('>') {
        return None;
    }
    let mut found = tags(trimmed);
    let tag = found.pop().filter(|_| found.is_empty())?;
    // A start tag's text would follow its `>`: one tag means nothing but it was read.
    if trimmed.matches('<').count() != 1 {
        return None;
    }
    let name = tag.name.to_string().to_ascii_lowercase();
    Some(match tag.kind {
        TagKind::StartTag => {
            let lang = tag
                .attrs
                .iter()
                .find(|a| &*a.name.local == "lang")
                .map(|a| a.value.trim().to_string())
                .filter(|l| !l.is_empty() && l.len() <= 35);
            Lone::Open { name, lang }
        }
        TagKind::EndTag => Lone::Close { name },
    })
}

/// The start and end tags in a piece of raw HTML, by html5ever's tokenizer (attribute values
/// with their entities decoded). Text, comments and doctypes in it are not tags.
fn tags(html: &str) -> Vec<Tag> {
    #[derive(Default)]
    struct Collect(std::cell::RefCell<Vec<Tag>>);
    impl TokenSink for Collect {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token {
                self.0.borrow_mut().push(tag);
            }
            TokenSinkResult::Continue
        }
    }
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(Collect::default(), TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.take()
}

/// Deepest element nesting handed to the HTML parser. The HTML5 tree builder scans the stack of
/// open elements at every block start, so its time grows with the square of the depth: 20,000
/// nested `<div>`s took 4.5 s, and a 3 MB body of them would take an hour. Deeper start tags (and
/// their end tags) are removed before parsing; their text stays. The document tree keeps only
/// `MAX_NESTING` levels anyway.
const MAX_HTML_DEPTH: usize = 256;

/// Elements that never nest: void ones, and ones a new start tag closes implicitly.
const FLAT: [&str; 30] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb",
    "rt", "rp", "html", "head", "body",
];

/// Elements whose content is raw text: a `<` inside them is not a tag.
const RAW_TEXT: [&str; 8] = [
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// The body with start tags past `MAX_HTML_DEPTH` (and their end tags) removed. A light scan,
/// not a parser: it only ever removes tags, and only in absurdly deep documents.
fn cap_nesting(html: &str) -> std::borrow::Cow<'_, str> {
    if html.matches('<').count() <= MAX_HTML_DEPTH {
        return std::borrow::Cow::Borrowed(html);
    }
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut depth = 0usize;
    let mut dropped: std::collections::HashMap<String, usize> = Default::default();
    let mut copied = 0;
    let mut i = 0;
    while let Some(at) = html[i..].find('<').map(|k| k + i) {
        i = at + 1;
        if html[at..].starts_with("<!--") {
            i = html[at..].find("-->").map_or(html.len(), |k| at + k + 3);
            continue;
        }
        let closing = bytes.get(i) == Some(&b'/');
        let name_start = if closing { i + 1 } else { i };
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        let Some(end) = html[name_start..].find('>').map(|k| name_start + k + 1) else {
            break;
        };
        i = end;
        if !closing && RAW_TEXT.contains(&name.as_str()) {
            // Skip to the matching end tag: nothing inside is markup.
            let close = format!("</{name}");
            i = bytes[end..]
                .windows(close.len())
                .position(|w| w.eq_ignore_ascii_case(close.as_bytes()))
                .map_or(html.len(), |k| end + k);
            continue;
        }
        if FLAT.contains(&name.as_str()) || html[..end].ends_with("/>") && !closing {
            continue;
        }
        let drop = if closing {
            match dropped.get_mut(&name) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => {
                    depth = depth.saturating_sub(1);
                    false
                }
            }
        } else if depth >= MAX_HTML_DEPTH {
            *dropped.entry(name).or_default() += 1;
            true
        } else {
            depth += 1;
            false
        };
        if drop {
            out.push_str(&html[copied..at]);
            copied = end;
        }
    }
    out.push_str(&html[copied..]);
    std::borrow::Cow::Owned(out)
}

/// What to do when the walk leaves an element.
enum Exit {
    Flush,
    Close,
    CloseAndFlush,
    Heading,
    Strong,
    Emphasis,
    Strike,
    Underline,
    Sub,
    Sup,
    Code,
    Link,
    Pre,
    Figure,
    Caption,
    Cell,
    Row,
    Head,
    Table,
}

enum Step {
    Enter(Handle),
    Exit(Vec<Exit>),
}

/// Depth-first, with an explicit stack: 10,000 nested elements must not exhaust the call stack.
fn walk(b: &mut Builder, root: &Handle) {
    let mut stack = vec![Step::Enter(root.clone())];
    let mut figure: Option<Figure> = None;
    let mut in_caption = 0u32;
    while let Some(step) = stack.pop() {
        match step {
            Step::Exit(actions) => {
                for a in actions {
                    exit(b, a, &mut figure, &mut in_caption);
                }
            }
            Step::Enter(node) => {
                let exits = match &node.data {
                    NodeData::Text { contents } => {
                        let text = contents.borrow();
                        if in_caption > 0 {
                            if let Some(f) = &mut figure {
                                f.caption.push_str(&text);
                            }
                        } else if b.code.is_some() {
                            b.text(&text);
                        } else {
                            b.collapsed_text(&text);
                        }
                        continue;
                    }
                    NodeData::Element { name, attrs, .. } => {
                        let tag = name.local.to_ascii_lowercase();
                        if DROPPED.contains(&tag.as_str()) {
                            continue;
                        }
                        let attr = |key: &str| {
                            attrs
                                .borrow()
                                .iter()
                                .find(|a| &*a.name.local == key)
                                .map(|a| a.value.to_string())
                        };
                        enter(b, &tag, &attr, &mut figure, &mut in_caption)
                    }
                    NodeData::Document => Vec::new(),
                    _ => continue,
                };
                stack.push(Step::Exit(exits));
                for child in node.children.borrow().iter().rev() {
                    stack.push(Step::Enter(child.clone()));
                }
            }
        }
    }
}

fn enter(
    b: &mut Builder,
    tag: &str,
    attr: &dyn Fn(&str) -> Option<String>,
    figure: &mut Option<Figure>,
    in_caption: &mut u32,
) -> Vec<Exit> {
    let mut exits = Vec::new();
    // `lang` on any block element starts a passage in that language.
    let lang = attr("lang").filter(|l| !l.trim().is_empty() && l.len() <= 35);
    let block = BLOCKS.contains(&tag)
        || matches!(tag, "blockquote" | "ul" | "ol" | "li" | "table" | "figure");
    if let (Some(lang), true) = (lang, block) {
        b.open(Container::Lang(lang.trim().to_string()));
        exits.push(Exit::Close);
    }
    match tag {
        t if BLOCKS.contains(&t) => {
            b.flush_inlines();
            exits.push(Exit::Flush);
        }
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
            b.flush_inlines();
            b.heading = Some(tag.as_bytes()[1] - b'0');
            exits.push(Exit::Heading);
        }
        "b" | "strong" => {
            b.strong += 1;
            exits.push(Exit::Strong);
        }
        "i" | "em" | "cite" | "dfn" | "var" => {
            b.emphasis += 1;
            exits.push(Exit::Emphasis);
        }
        "s" | "strike" | "del" => {
            b.strike += 1;
            exits.push(Exit::Strike);
        }
        "u" | "ins" => {
            b.underline += 1;
            exits.push(Exit::Underline);
        }
        "sub" => {
            b.sub += 1;
            exits.push(Exit::Sub);
        }
        "sup" => {
            b.sup += 1;
            exits.push(Exit::Sup);
        }
        "code" | "kbd" | "samp" | "tt" => {
            b.code_span += 1;
            exits.push(Exit::Code);
        }
        "a" => {
            let href = attr("href").unwrap_or_default();
            b.links.push(Arc::from(href.trim()));
            exits.push(Exit::Link);
        }
        "br" => b.text("\n"),
        "hr" => b.push_block(Block::Rule),
        "blockquote" => {
            b.open(Container::Quote);
            exits.push(Exit::CloseAndFlush);
        }
        "ul" | "ol" => {
            let start = attr("start")
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(1);
            b.open(Container::List {
                ordered: tag == "ol",
                start,
            });
            exits.push(Exit::Close);
        }
        "li" => {
            b.open(Container::Item);
            exits.push(Exit::Close);
        }
        "pre" => {
            b.flush_inlines();
            b.code = Some(String::new());
            exits.push(Exit::Pre);
        }
        "figure" => {
            b.flush_inlines();
            *figure = Some(Figure::default());
            exits.push(Exit::Figure);
        }
        "figcaption" => {
            *in_caption += 1;
            exits.push(Exit::Caption);
        }
        "img" => {
            let image = Figure {
                src: attr("src").unwrap_or_default(),
                alt: attr("alt").unwrap_or_default(),
                caption: String::new(),
                credit: attr("title").unwrap_or_default(),
            };
            match figure {
                Some(f) if f.src.is_empty() => {
                    f.src = image.src;
                    f.alt = image.alt;
                    f.credit = image.credit;
                }
                _ => {
                    // A bare image: its alt text is what a reader of the print-out gets.
                    let caption = image.alt.clone();
                    b.push_block(Block::Image(Figure { caption, ..image }));
                }
            }
        }
        "table" => {
            b.start_table(Vec::new());
            exits.push(Exit::Table);
        }
        "thead" => {
            if let Some(t) = &mut b.table {
                t.in_head = true;
            }
            exits.push(Exit::Head);
        }
        "tr" => {
            b.flush_inlines();
            exits.push(Exit::Row);
        }
        "td" | "th" => {
            if b.table.is_some() {
                b.inlines.clear();
            }
            exits.push(Exit::Cell);
        }
        _ => {}
    }
    exits.reverse();
    exits
}

fn exit(b: &mut Builder, action: Exit, figure: &mut Option<Figure>, in_caption: &mut u32) {
    match action {
        Exit::Flush => b.flush_inlines(),
        Exit::Close => b.close(),
        Exit::CloseAndFlush => {
            b.close();
            b.flush_inlines();
        }
        Exit::Heading => {
            b.flush_inlines();
            b.heading = None;
        }
        Exit::Strong => b.strong = b.strong.saturating_sub(1),
        Exit::Emphasis => b.emphasis = b.emphasis.saturating_sub(1),
        Exit::Strike => b.strike = b.strike.saturating_sub(1),
        Exit::Underline => b.underline = b.underline.saturating_sub(1),
        Exit::Sub => b.sub = b.sub.saturating_sub(1),
        Exit::Sup => b.sup = b.sup.saturating_sub(1),
        Exit::Code => b.code_span = b.code_span.saturating_sub(1),
        Exit::Link => {
            b.links.pop();
        }
        Exit::Pre => {
            if let Some(code) = b.code.take() {
                let code = code.trim_matches('\n').to_string();
                if !code.trim().is_empty() {
                    b.push_block(Block::Code(code));
                }
            }
        }
        Exit::Figure => {
            if let Some(mut f) = figure.take() {
                f.caption = f.caption.split_whitespace().collect::<Vec<_>>().join(" ");
                if !f.src.is_empty() || !f.caption.is_empty() {
                    b.push_block(Block::Image(f));
                }
            }
        }
        Exit::Caption => *in_caption = in_caption.saturating_sub(1),
        Exit::Cell => b.end_cell(),
        Exit::Row => b.end_row(),
        Exit::Head => {
            if let Some(t) = &mut b.table {
                t.in_head = false;
            }
        }
        Exit::Table => b.end_table(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::plain_text;

    #[test]
    fn the_nesting_scan_takes_any_text_and_only_ever_removes() {
        // Deterministic pseudo-random soup of markup pieces and multibyte letters.
        let pieces = [
            "<",
            ">",
            "/",
            "div",
            "<div>",
            "</div>",
            "<script>",
            "</script>",
            "<!--",
            "-->",
            "ы",
            "é",
            "😀",
            " ",
            "<p>",
            "<b>",
            "\"",
            "=",
            "/>",
            "<DIV class='a>b'>",
            "</",
            "<a",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..300 {
            let mut soup = String::new();
            let tokens = if round % 2 == 1 {
                3000
            } else {
                200 + round * 7
            };
            for _ in 0..tokens {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Odd rounds open far more than they close, to go past the cap.
                let k = (seed % (pieces.len() as u64 + 20 * (round % 2))) as usize;
                soup.push_str(pieces.get(k).copied().unwrap_or("<div>"));
            }
            let capped = cap_nesting(&soup);
            // What stays is the original with some tags taken out: a subsequence of it.
            let mut rest = soup.chars();
            assert!(
                capped.chars().all(|c| rest.any(|d| d == c)),
                "round {round}"
            );
            if round % 2 == 1 {
                assert!(capped.len() < soup.len(), "round {round} went past the cap");
            }
        }
    }

    #[test]
    fn absurd_nesting_is_cut_before_parsing_and_ordinary_pages_are_untouched() {
        // An ordinary long page: hundreds of tags, none deep, unclosed paragraphs and items.
        let ordinary =
            "<p>Абзац <b>жирный</b> <a href='x'>ссылка</a><ul><li>раз<li>два</ul>".repeat(200);
        assert_eq!(cap_nesting(&ordinary), ordinary);
        // 100,000 nested divs and quotes: only MAX_HTML_DEPTH start tags stay, and the text.
        let deep = format!(
            "{}Глубоко внутри.{}",
            "<div><blockquote class=\"q\">".repeat(50_000),
            "</blockquote></div>".repeat(50_000)
        );
        let capped = cap_nesting(&deep);
        assert_eq!(
            capped.matches("<div").count() + capped.matches("<blockquote").count(),
            MAX_HTML_DEPTH
        );
        assert_eq!(
            capped.matches("</div").count() + capped.matches("</blockquote").count(),
            MAX_HTML_DEPTH
        );
        assert!(capped.contains("Глубоко внутри."));
        // Markup inside a script is text to the scan as to the parser.
        let script = format!("<script>{}</script><p>после</p>", "<div>".repeat(1000));
        assert_eq!(cap_nesting(&script), script);
        let b = blocks(&deep);
        let text: String = b.iter().map(|b| format!("{b:?}")).collect();
        assert!(text.contains("Глубоко внутри."));
    }

    #[test]
    fn structure_styles_and_entities() {
        let html = r#"<h2>Заголовок &laquo;в кавычках&raquo;</h2>
            <p>Текст <b>жирный</b>, <i>курсив</i>, <a href="https://x.ru">ссылка</a>&nbsp;и H<sub>2</sub>O, x<sup>2</sup>.<br>Новая строка</p>
            <ul><li>раз</li><li>два<ol start="3"><li>вложенный</li></ol></li></ul>
            <blockquote><p>цитата</p></blockquote>
            <pre>fn main() {
    println!("код");
}</pre>
            <figure><img src="a.jpg" alt="Описание"><figcaption>Подпись <small>Фото: автор</small></figcaption></figure>"#;
        let b = blocks(html);
        assert!(
            matches!(&b[0], Block::Heading { level: 2, content } if plain_text(content) == "Заголовок «в кавычках»"),
            "{:?}",
            b[0]
        );
        let Block::Paragraph(p) = &b[1] else {
            panic!("{:?}", b[1])
        };
        let text = plain_text(p);
        assert!(
            text.starts_with("Текст жирный, курсив, ссылка\u{a0}и H2O, x2.\nНовая строка"),
            "{text:?}"
        );
        assert!(p.iter().any(|i| i.style.bold && i.text == "жирный"));
        assert!(p.iter().any(|i| i.style.sub && i.text == "2"));
        assert!(p.iter().any(|i| i.link.as_deref() == Some("https://x.ru")));
        assert!(matches!(&b[2], Block::List { ordered: false, items, .. } if items.len() == 2));
        assert!(matches!(&b[3], Block::Quote(_)));
        assert!(
            matches!(&b[4], Block::Code(c) if c.contains("println!(\"код\");") && c.contains("\n    "))
        );
        assert!(
            matches!(&b[5], Block::Image(f) if f.src == "a.jpg" && f.caption == "Подпись Фото: автор" && f.alt == "Описание")
        );
    }

    #[test]
    fn scripts_styles_forms_and_comments_are_dropped() {
        let html = "<p>до<script>alert('x')</script><style>p{color:red}</style><!-- комментарий --><iframe src=x>рамка</iframe><form><input value=v>форма</form> после</p><unknown-tag>неизвестный</unknown-tag>";
        let text: String = blocks(html)
            .iter()
            .map(|b| match b {
                Block::Paragraph(p) => plain_text(p),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join("|");
        // A <form> closes the open <p> (HTML5 parsing rules), so "после" is a paragraph of its own.
        assert_eq!(text, "до|после|неизвестный");
    }

    #[test]
    fn lang_attribute_marks_a_passage() {
        let b =
            blocks("<p>Русский.</p><blockquote lang=\"uk\"><p>Українська мова.</p></blockquote>");
        assert!(
            matches!(&b[1], Block::Lang { lang, blocks } if lang == "uk" && matches!(blocks[0], Block::Quote(_))),
            "{b:?}"
        );
    }

    #[test]
    fn ten_thousand_nested_elements_do_not_overflow() {
        let html = "<div>".repeat(10_000)
            + "глубоко"
            + &"</div>".repeat(10_000)
            + &"<blockquote>".repeat(5_000);
        let b = blocks(&html);
        assert!(!b.is_empty());
    }
}
