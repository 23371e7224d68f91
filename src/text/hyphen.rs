//! Where a word may be hyphenated: hypher patterns by language plus the Russian house rules.

use hypher::Lang;

/// Fewest letters kept on either side of a hyphen.
const MIN_LETTERS_EACH_SIDE: usize = 2;
/// Shorter words are never hyphenated.
const MIN_WORD_LETTERS: usize = 5;
/// Longer letter strings are not words (or are pasted garbage): they get emergency breaks instead.
const MAX_WORD_LETTERS: usize = 64;

/// The hypher language for a BCP 47 tag (`ru`, `ru-RU`, `uk` ...). `None`: no patterns, no hyphens.
pub fn language(tag: &str) -> Option<Lang> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    let code: [u8; 2] = primary.as_bytes().try_into().ok()?;
    Lang::from_iso(code)
}

/// Letters that must not start the second half of a word (they would be orphaned on a new line).
fn bad_line_start(c: char) -> bool {
    matches!(c, 'ь' | 'ъ' | 'й' | 'Ь' | 'Ъ' | 'Й')
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36F | 0x483..=0x489)
}

/// Byte offsets inside `word` where a hyphen may be inserted. `word` is a run of letters (and
/// combining marks); anything else, words in capitals and short words give no points.
/// Soft hyphens written by the author, when present, are the only points used.
pub fn points(word: &str, lang: Lang) -> Vec<usize> {
    if word.contains('\u{ad}') {
        return word
            .match_indices('\u{ad}')
            .map(|(i, _)| i + 2)
            .filter(|&i| i < word.len())
            .collect();
    }
    // Letters only, marks removed, with each letter's byte offset in `word`.
    let letters: Vec<(usize, char)> = word.char_indices().filter(|&(_, c)| !is_mark(c)).collect();
    if !(MIN_WORD_LETTERS..=MAX_WORD_LETTERS).contains(&letters.len())
        || !letters.iter().all(|&(_, c)| c.is_alphabetic())
    {
        return Vec::new();
    }
    let upper = letters.iter().filter(|&&(_, c)| c.is_uppercase()).count();
    if upper >= 2 {
        // Abbreviations and words set in capitals (ГОСТ, МЧС, ПОЛИТИКА) stay whole.
        return Vec::new();
    }
    let plain: String = letters.iter().map(|&(_, c)| c).collect();
    let mut out = Vec::new();
    let mut letter_index = 0;
    for syllable in hypher::hyphenate(&plain, lang) {
        letter_index += syllable.chars().count();
        if letter_index >= letters.len() {
            break;
        }
        if letter_index < MIN_LETTERS_EACH_SIDE
            || letters.len() - letter_index < MIN_LETTERS_EACH_SIDE
        {
            continue;
        }
        if bad_line_start(letters[letter_index].1) {
            continue;
        }
        out.push(letters[letter_index].0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(word: &str) -> String {
        let mut s = word.to_string();
        for p in points(word, Lang::Russian).into_iter().rev() {
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
            for p in points(w, Lang::Russian) {
                assert!(
                    !bad_line_start(w[p..].chars().next().unwrap()),
                    "{w} at {p}"
                );
            }
        }
    }

    #[test]
    fn capitals_and_stress_marks() {
        assert!(points("ПОЛИТИКА", Lang::Russian).is_empty());
        let w = "заве\u{301}дование";
        for p in points(w, Lang::Russian) {
            assert!(w.is_char_boundary(p));
            assert!(!is_mark(w[p..].chars().next().unwrap()));
        }
        assert!(!points(w, Lang::Russian).is_empty());
    }

    #[test]
    fn language_tags() {
        assert_eq!(language("ru-RU"), Some(Lang::Russian));
        assert_eq!(language("uk"), Some(Lang::Ukrainian));
        assert_eq!(language("bua"), None);
    }
}
