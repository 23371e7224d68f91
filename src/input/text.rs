//! Plain-text bodies: paragraphs separated by blank lines, single newlines kept as line breaks.

use crate::doc::{Block, Inline};

pub fn blocks(body: &str) -> Vec<Block> {
    let normalized = body.replace("\r\n", "\n").replace('\r', "\n");
    normalized
        .split("\n\n")
        .map(|p| p.trim_matches('\n'))
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let lines: Vec<&str> = p.lines().map(str::trim).collect();
            Block::Paragraph(vec![Inline::plain(lines.join("\n"))])
        })
        .collect()
}

/// Crude tag stripper used for HTML bodies until the HTML input lands: block tags become
/// paragraph breaks, other tags vanish, the five common entities are decoded.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[lt + 1..lt + gt]
            .trim_start_matches('/')
            .to_ascii_lowercase();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if matches!(
            name.as_str(),
            "p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "li" | "blockquote" | "br"
        ) {
            out.push_str("\n\n");
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(rest);
    out.replace("&nbsp;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_line_breaks() {
        let b = blocks("Первый абзац\nстрока два.\r\n\r\nВторой.\n\n\n");
        assert_eq!(b.len(), 2);
        assert_eq!(
            b[0],
            Block::Paragraph(vec![Inline::plain("Первый абзац\nстрока два.")])
        );
    }
}
