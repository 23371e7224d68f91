//! Liang's hyphenation over LibreOffice-style pattern files (`hyph_xx_XX.dic`).
//!
//! Russian uses the LibreOffice patterns (data/hyph_ru_RU.dic, Lebedev's, BSD-style licence in
//! data/LICENSE-hyph_ru_RU.txt): they are the ones LibreOffice and Pyphen hyphenate with, so our
//! breaks agree with what readers' tools and our own checks consider legal. Where TeX's patterns
//! (hypher) split "быст-ро" or "во-сточный", these split "бы-стро" and "вос-точный".

use std::sync::OnceLock;

use super::pattern_trie::FlatTrie;

/// Compiled patterns as a trie over letters: walking the word from each position visits every
/// pattern that matches there, with no hashing (this runs for every word of every article).
pub struct Patterns {
    trie: FlatTrie,
}

impl Patterns {
    /// Parses a pattern file: an encoding line (UTF-8 only), then one pattern per line such as
    /// `.бе2з1а2`. Comments and directives (upper-case ASCII keywords) are skipped. (The
    /// embedded files are compiled by build.rs instead.)
    #[cfg(test)]
    pub fn parse(text: &str) -> Patterns {
        Patterns {
            trie: FlatTrie::compile(text),
        }
    }

    /// Patterns build.rs compiled; its output is trusted as far as never indexing out of
    /// bounds, which `FlatTrie::from_bytes` checks.
    fn compiled(bytes: &[u8], what: &str) -> Patterns {
        let trie = FlatTrie::from_bytes(bytes)
            .unwrap_or_else(|| panic!("the {what} patterns build.rs compiled do not read back"));
        Patterns { trie }
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
                let Some(next) = self.trie.child(node, c) else {
                    break;
                };
                node = next;
                if let Some((start, values)) = self.trie.values(node) {
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

/// The British patterns, read on first use.
pub fn english_gb() -> &'static Patterns {
    static EN: OnceLock<Patterns> = OnceLock::new();
    EN.get_or_init(|| {
        Patterns::compiled(
            include_bytes!(concat!(env!("OUT_DIR"), "/hyph_en_GB.trie")),
            "British",
        )
    })
}

/// The Russian patterns, read on first use.
pub fn russian() -> &'static Patterns {
    static RU: OnceLock<Patterns> = OnceLock::new();
    RU.get_or_init(|| {
        Patterns::compiled(
            include_bytes!(concat!(env!("OUT_DIR"), "/hyph_ru_RU.trie")),
            "Russian",
        )
    })
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

    #[test]
    fn the_embedded_tries_are_the_pattern_files() {
        let ru = FlatTrie::compile(include_str!("../../data/hyph_ru_RU.dic"));
        let en = FlatTrie::compile(include_str!("../../data/hyph_en_GB.dic"));
        assert!(
            russian().trie == ru,
            "build.rs's Russian trie differs from the .dic"
        );
        assert!(
            english_gb().trie == en,
            "build.rs's British trie differs from the .dic"
        );
        assert!(ru.nodes.len() > 3000, "{} nodes", ru.nodes.len());
    }

    #[test]
    fn trie_bytes_cut_short_or_pointing_outside_are_refused() {
        let bytes = FlatTrie::compile("UTF-8\n1ба\nа1б\n").to_bytes();
        assert!(FlatTrie::from_bytes(&bytes).is_some());
        assert!(FlatTrie::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        assert!(FlatTrie::from_bytes(&[]).is_none());
        // The root's first child index set past the children.
        let mut bad = bytes.clone();
        bad[12..16].copy_from_slice(&1000u32.to_le_bytes());
        assert!(FlatTrie::from_bytes(&bad).is_none());
    }
}
