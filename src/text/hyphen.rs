//! Where a word may be hyphenated: pattern hyphenation by language plus the Russian house rules.

use hypher::Lang;

use super::patterns::{self, Patterns};

/// Which patterns hyphenate a language.
#[derive(Clone, Copy)]
pub enum Hyphenator {
    /// LibreOffice patterns (Russian, British English), for words entirely in `alphabet`: a Kazakh
    /// word inside a Russian text is left whole rather than split by the wrong rules.
    Patterns {
        patterns: &'static Patterns,
        alphabet: fn(char) -> bool,
        /// Fewest letters after the hyphen (English keeps three).
        right: usize,
    },
    /// Every other language hypher knows (TeX patterns; they agree with LibreOffice's for
    /// uk, be, bg, sr, mn, de and fr on every word we compared).
    Hypher(Lang),
}

/// Fewest letters kept on either side of a hyphen.
const MIN_LETTERS_EACH_SIDE: usize = 2;
/// Shorter words are never hyphenated.
const MIN_WORD_LETTERS: usize = 5;
/// Longer letter strings are not words (or are pasted garbage): they get emergency breaks instead.
const MAX_WORD_LETTERS: usize = patterns::MAX_LETTERS;

/// The hyphenator for a BCP 47 tag (`ru`, `ru-RU`, `uk` ...). `None`: no patterns, no hyphens.
pub fn language(tag: &str) -> Option<Hyphenator> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.as_str() {
        "ru" => {
            return Some(Hyphenator::Patterns {
                patterns: patterns::russian(),
                alphabet: is_russian_letter,
                right: MIN_LETTERS_EACH_SIDE,
            });
        }
        // hypher's English is American (TeX); "en" and "en-GB" follow the British patterns that
        // LibreOffice uses for them. "en-US" keeps hypher.
        "en" if !tag.to_ascii_lowercase().contains("us") => {
            return Some(Hyphenator::Patterns {
                patterns: patterns::english_gb(),
                alphabet: |c| c.is_ascii_alphabetic(),
                right: 3,
            });
        }
        _ => {}
    }
    let code: [u8; 2] = primary.as_bytes().try_into().ok()?;
    Lang::from_iso(code).map(Hyphenator::Hypher)
}

/// `char::is_alphabetic` with a fast path for the scripts we set most (it is a table search
/// otherwise, and runs for every character of every word).
pub fn is_letter(c: char) -> bool {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0x410..=0x44F | 0x401 | 0x451 => true,
        0..=0x7F => false,
        _ => c.is_alphabetic(),
    }
}

fn is_russian_letter(c: char) -> bool {
    matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё')
}

/// Letters that must not start the second half of a word (they would be orphaned on a new line).
fn bad_line_start(c: char) -> bool {
    matches!(c, 'ь' | 'ъ' | 'й' | 'Ь' | 'Ъ' | 'Й')
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36F | 0x483..=0x489)
}

/// Byte offsets inside `word` just after its soft hyphens (U+00AD), where the author allows a
/// hyphen; none before the first letter or after the last.
pub fn soft_hyphen_points(word: &str) -> Vec<usize> {
    word.match_indices('\u{ad}')
        .filter(|&(i, _)| i > 0)
        .map(|(i, _)| i + '\u{ad}'.len_utf8())
        .filter(|&i| i < word.len())
        .collect()
}

/// Byte offsets inside `word` where a hyphen may be inserted. `word` is a run of letters (and
/// combining marks); anything else, words in capitals and short words give no points.
/// Soft hyphens written by the author, when present, are the only points used.
pub fn points(word: &str, hyphenator: Hyphenator) -> Vec<usize> {
    if word.contains('\u{ad}') {
        return soft_hyphen_points(word);
    }
    // Letters only, marks removed, with each letter's byte offset in `word`; on the stack, as
    // this runs for every word of every article.
    let mut offsets = [0usize; MAX_WORD_LETTERS];
    let mut plain = ['\0'; MAX_WORD_LETTERS];
    let (mut n, mut upper) = (0, 0);
    for (i, c) in word.char_indices() {
        if is_mark(c) {
            continue;
        }
        if n == MAX_WORD_LETTERS || !is_letter(c) {
            return Vec::new();
        }
        upper += usize::from(c.is_uppercase());
        (offsets[n], plain[n]) = (i, c);
        n += 1;
    }
    // Abbreviations and words set in capitals (ГОСТ, МЧС, ПОЛИТИКА) stay whole.
    if n < MIN_WORD_LETTERS || upper >= 2 {
        return Vec::new();
    }
    let plain = &plain[..n];
    // Break positions as counts of letters before the break.
    let mut at: Vec<usize> = Vec::new();
    match hyphenator {
        Hyphenator::Patterns {
            patterns: p,
            alphabet,
            right,
        } => {
            if !plain.iter().all(|&c| alphabet(c)) {
                return Vec::new();
            }
            p.positions_into(plain, MIN_LETTERS_EACH_SIDE, right, &mut at);
            // The patterns know some words only spelt with е.
            if plain.iter().any(|&c| c == 'ё' || c == 'Ё') {
                let mut with_e = ['\0'; MAX_WORD_LETTERS];
                for (e, &c) in with_e.iter_mut().zip(plain) {
                    *e = match c {
                        'ё' => 'е',
                        'Ё' => 'Е',
                        c => c,
                    };
                }
                p.positions_into(&with_e[..n], MIN_LETTERS_EACH_SIDE, right, &mut at);
                at.sort_unstable();
                at.dedup();
            }
        }
        Hyphenator::Hypher(lang) => {
            let plain: String = plain.iter().collect();
            at.extend(hypher::hyphenate(&plain, lang).scan(0, |k, syllable| {
                *k += syllable.chars().count();
                Some(*k)
            }));
        }
    }
    at.retain(|&k| {
        k >= MIN_LETTERS_EACH_SIDE && k + MIN_LETTERS_EACH_SIDE <= n && !bad_line_start(plain[k])
    });
    for k in &mut at {
        *k = offsets[*k];
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(word: &str) -> String {
        let mut s = word.to_string();
        for p in points(word, language("ru").unwrap()).into_iter().rev() {
            s.insert(p, '-');
        }
        s
    }

    #[test]
    fn russian_words_hyphenate_at_legal_points() {
        let s = split("электроэнергетика");
        assert!(s.matches('-').count() >= 4, "{s}");
        assert!(!s.starts_with("э-") && !s.ends_with("-а"), "{s}");
        assert_eq!(split("дом"), "дом");
    }

    #[test]
    fn no_line_starts_with_soft_or_hard_sign_or_short_i() {
        for w in [
            "подъезд",
            "объявление",
            "семья",
            "чайник",
            "большой",
            "районный",
        ] {
            for p in points(w, language("ru").unwrap()) {
                assert!(
                    !bad_line_start(w[p..].chars().next().unwrap()),
                    "{w} at {p}"
                );
            }
        }
    }

    #[test]
    fn capitals_and_stress_marks() {
        assert!(points("ПОЛИТИКА", language("ru").unwrap()).is_empty());
        let w = "заве\u{301}дование";
        for p in points(w, language("ru").unwrap()) {
            assert!(w.is_char_boundary(p));
            assert!(!is_mark(w[p..].chars().next().unwrap()));
        }
        assert!(!points(w, language("ru").unwrap()).is_empty());
    }

    #[test]
    fn language_tags() {
        assert!(matches!(
            language("ru-RU"),
            Some(Hyphenator::Patterns { .. })
        ));
        assert!(matches!(
            language("en"),
            Some(Hyphenator::Patterns { right: 3, .. })
        ));
        assert!(matches!(
            language("en-US"),
            Some(Hyphenator::Hypher(Lang::English))
        ));
        assert!(matches!(
            language("uk"),
            Some(Hyphenator::Hypher(Lang::Ukrainian))
        ));
        assert!(language("bua").is_none());
        assert!(
            points("қазақтың", language("ru").unwrap()).is_empty(),
            "Kazakh split by Russian rules"
        );
    }
}
