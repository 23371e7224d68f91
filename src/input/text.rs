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
