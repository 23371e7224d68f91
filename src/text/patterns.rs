//! Liang's hyphenation over LibreOffice-style pattern files (`hyph_xx_XX.dic`).
//!
//! Russian uses the LibreOffice patterns (data/hyph_ru_RU.dic, Lebedev's, BSD-style licence in
//! data/LICENSE-hyph_ru_RU.txt): they are the ones LibreOffice and Pyphen hyphenate with, so our
//! breaks agree with what readers' tools and our own checks consider legal. Where TeX's patterns
//! (hypher) split "быст-ро" or "во-сточный", these split "бы-стро" and "вос-точный".

use std::sync::OnceLock;

/// Compiled patterns as a trie over letters: walking the word from each position visits every
/// pattern that matches there, with no hashing (this runs for every word of every article).
pub struct Patterns {
    nodes: Vec<Node>,
}

#[derive(Default)]
struct Node {
    /// Children sorted by letter.
    children: Vec<(char, u32)>,
    /// A pattern ends here: its inter-letter values, from an offset into the matched letters.
    values: Option<(usize, Vec<u8>)>,
}

impl Patterns {
    fn insert(&mut self, letters: &str, start: usize, values: Vec<u8>) {
        let mut at = 0usize;
        for c in letters.chars() {
            let children = &self.nodes[at].children;
            at = match children.binary_search_by_key(&c, |&(k, _)| k) {
                Ok(i) => children[i].1 as usize,
                Err(i) => {
                    let id = self.nodes.len();
                    self.nodes[at].children.insert(i, (c, id as u32));
                    self.nodes.push(Node::default());
                    id
                }
            };
        }
        self.nodes[at].values = Some((start, values));
    }

    fn child(&self, node: usize, c: char) -> Option<usize> {
        let children = &self.nodes[node].children;
        children
            .binary_search_by_key(&c, |&(k, _)| k)
            .ok()
            .map(|i| children[i].1 as usize)
    }
}

impl Patterns {
    /// Parses a pattern file: an encoding line (UTF-8 only), then one pattern per line such as
    /// `.бе2з1а2`. Comments and directives (upper-case ASCII keywords) are skipped.
    pub fn parse(text: &str) -> Patterns {
        let mut patterns = Patterns {
            nodes: vec![Node::default()],
        };
        for line in text.lines().skip(1) {
            let line = line.trim();
            if line.is_empty()
                || line.starts_with(['%', '#'])
                || line.starts_with(|c: char| c.is_ascii_uppercase())
            {
                continue;
            }
            let mut letters = String::new();
            // values[i] is the value before letter i (values.len() == letters + 1).
            let mut values: Vec<u8> = vec![0];
            for c in line.chars() {
                if let Some(d) = c.to_digit(10) {
                    *values.last_mut().expect("never empty") = d as u8;
                } else {
                    letters.push(c);
                    values.push(0);
                }
            }
            let Some(start) = values.iter().position(|&v| v > 0) else {
                continue;
            };
            let end = values.iter().rposition(|&v| v > 0).map_or(start, |e| e + 1);
            patterns.insert(&letters, start, values[start..end].to_vec());
        }
        patterns
    }

    /// Character positions (number of letters before the break) where `word` may be hyphenated,
    /// keeping at least `left` and `right` letters on each side.
    #[cfg(test)]
    pub fn positions(&self, word: &str, left: usize, right: usize) -> Vec<usize> {
        let letters: Vec<char> = word.chars().collect();
        let mut out = Vec::new();
        self.positions_into(&letters, left, right, &mut out);
        out
    }

    /// `positions` over letters already split out, appended to `out`: no allocation (this runs
    /// for every word of every article). Words longer than `MAX_LETTERS` give no positions.
    pub fn positions_into(&self, word: &[char], left: usize, right: usize, out: &mut Vec<usize>) {
        let letters = word.len();
        if letters > MAX_LETTERS {
            return;
        }
        // The word between dots, lower-cased: `.слово.`.
        let mut chars = ['.'; MAX_LETTERS + 2];
        for (slot, &c) in chars[1..].iter_mut().zip(word) {
            *slot = lower(c);
        }
        let n = letters + 2;
        let chars = &chars[..n];
        let mut levels = [0u8; MAX_LETTERS + 3];
        for i in 0..n {
            let mut node = 0;
            for &c in &chars[i..] {
                let Some(next) = self.child(node, c) else {
                    break;
                };
                node = next;
                if let Some((start, values)) = &self.nodes[node].values {
                    for (k, &v) in values.iter().enumerate() {
                        let at = i + start + k;
                        if at <= n && v > levels[at] {
                            levels[at] = v;
                        }
                    }
                }
            }
        }
        // levels[p] is the value before chars[p]; with the leading dot, a break after `k` letters
        // of the word is position k + 1.
        out.extend(
            (left.max(1)..=letters.saturating_sub(right.max(1)))
                .filter(|&k| levels[k + 1] % 2 == 1),
        );
    }
}

/// Longest word the patterns are asked about (longer ones are not words: see hyphen.rs).
pub const MAX_LETTERS: usize = 64;

/// Lower case of one letter, with a fast path for Cyrillic and ASCII; a letter whose lower case
/// is several characters is left as it is (no pattern alphabet has one).
fn lower(c: char) -> char {
    match c {
        'А'..='Я' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
        'Ё' => 'ё',
        'A'..='Z' => c.to_ascii_lowercase(),
        _ if (c as u32) < 0x80 => c,
        _ => {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(one), None) => one,
                _ => c,
            }
        }
    }
}

pub fn english_gb() -> &'static Patterns {
    static EN: OnceLock<Patterns> = OnceLock::new();
    EN.get_or_init(|| Patterns::parse(include_str!("../../data/hyph_en_GB.dic")))
}

/// The Russian patterns, parsed on first use.
pub fn russian() -> &'static Patterns {
    static RU: OnceLock<Patterns> = OnceLock::new();
    RU.get_or_init(|| Patterns::parse(include_str!("../../data/hyph_ru_RU.dic")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(word: &str) -> String {
        let mut out = String::new();
        let pts = russian().positions(word, 2, 2);
        for (i, c) in word.chars().enumerate() {
            if pts.contains(&i) {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    #[test]
    fn russian_patterns_split_as_libreoffice_does() {
        // Expected splits as LibreOffice/Pyphen give them with minimum 2 letters each side.
        assert_eq!(split("восточный"), "вос-точ-ный");
        assert_eq!(split("сыграл"), "сы-грал");
        assert_eq!(split("электроэнергетика"), "элек-тро-энер-ге-ти-ка");
        assert_eq!(split("подъезд"), "подъ-езд");
        assert_eq!(split("безопасность"), "без-опас-ность");
        assert_eq!(split("дом"), "дом");
    }

    #[test]
    fn british_patterns() {
        let p = english_gb().positions("community", 2, 3);
        assert_eq!(p, vec![3], "com-munity");
    }

    #[test]
    fn tiny_pattern_set() {
        let p = Patterns::parse("UTF-8\n% comment\nLEFTHYPHENMIN 2\n1ба\nа1б\n");
        assert_eq!(p.positions("абаба", 1, 1), vec![1, 3]);
        assert_eq!(p.positions("абаба", 2, 2), vec![3]);
    }
}
