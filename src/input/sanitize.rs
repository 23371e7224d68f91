//! Text no page can show, made safe before anything is laid out: control characters and
//! noncharacters become U+FFFD, U+FEFF becomes U+2060 (below), and a character carrying more combining marks than Unicode's Stream-Safe Text Format
//! allows keeps only the first 30 (shaping a stack of thousands is quadratic in the shaper).

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::article::Article;
use crate::warning::{Warning, WarningKind};

/// Most combining marks kept on one character (Unicode's Stream-Safe Text Format, UAX #15):
/// no real text needs more; Zalgo text and attacks do.
pub const MAX_MARKS_PER_CHARACTER: usize = 30;

/// What cleaning changed, for the render's warnings.
#[derive(Debug, Default)]
pub struct Cleaned {
    /// Control characters and noncharacters replaced by U+FFFD, in code point order.
    pub controls: BTreeSet<char>,
    /// Combining marks dropped past `MAX_MARKS_PER_CHARACTER`.
    pub marks_dropped: usize,
}

impl Cleaned {
    /// One warning per control character replaced, one for the marks dropped.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut out: Vec<Warning> = self
            .controls
            .iter()
            .map(|&c| {
                let what = match c.is_control() {
                    true => "a control character",
                    false => "not a character",
                };
                let message = format!("U+{:04X} is {what}; drawn as U+FFFD", c as u32);
                Warning::new(WarningKind::Text, message)
            })
            .collect();
        if self.marks_dropped > 0 {
            out.push(Warning::new(
                WarningKind::Text,
                format!(
                    "{} combining marks dropped: a character keeps at most \
                     {MAX_MARKS_PER_CHARACTER}",
                    self.marks_dropped
                ),
            ));
        }
        out
    }
}

/// A control character with no meaning in an article (line ends and tabs have one), or one of
/// Unicode's noncharacters (U+FFFE, U+FDD0 …), which no text may hold.
fn is_unprintable_control(c: char) -> bool {
    let noncharacter = c as u32 & 0xFFFE == 0xFFFE || ('\u{FDD0}'..='\u{FDEF}').contains(&c);
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r')) || noncharacter
}

/// U+FEFF inside text is a byte order mark pasted along with it, or the zero-width no-break space
/// it stood for before Unicode 3.2. Its meaning is U+2060 WORD JOINER's (both keep the
/// characters either side on one line), and PDF/UA forbids U+FEFF in a font's text map: one
/// would cost the file its accessibility claim.
const ZERO_WIDTH_NO_BREAK: char = '\u{FEFF}';
const WORD_JOINER: char = '\u{2060}';

/// A character that attaches to the one before it: UAX #14's class CM holds every combining
/// mark, variation selector and tag character, in any script.
fn is_combining(c: char) -> bool {
    c > '\u{2FF}'
        && unicode_linebreak::break_property(c as u32)
            == unicode_linebreak::BreakClass::CombiningMark
}

/// Whether `text` holds a control character or a character with too many marks.
fn needs_cleaning(text: &str) -> bool {
    let mut marks = 0usize;
    text.chars().any(|c| {
        if is_combining(c) {
            marks += 1;
        } else {
            marks = 0;
        }
        is_unprintable_control(c) || c == ZERO_WIDTH_NO_BREAK || marks > MAX_MARKS_PER_CHARACTER
    })
}

/// `text` with control characters and U+FEFF replaced and mark stacks cut, borrowed when nothing
/// changes.
pub fn clean<'a>(text: &'a str, cleaned: &mut Cleaned) -> Cow<'a, str> {
    if !needs_cleaning(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut marks = 0usize;
    for c in text.chars() {
        if is_combining(c) {
            marks += 1;
            if marks > MAX_MARKS_PER_CHARACTER {
                cleaned.marks_dropped += 1;
                continue;
            }
        } else {
            marks = 0;
        }
        if is_unprintable_control(c) {
            cleaned.controls.insert(c);
            out.push('\u{FFFD}');
        } else if c == ZERO_WIDTH_NO_BREAK {
            out.push(WORD_JOINER);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn clean_in_place(text: &mut String, cleaned: &mut Cleaned) {
    if let Cow::Owned(new) = clean(text, cleaned) {
        *text = new;
    }
}

fn clean_option(text: &mut Option<String>, cleaned: &mut Cleaned) {
    if let Some(t) = text {
        clean_in_place(t, cleaned);
    }
}

/// The article with every printed field cleaned; borrowed when it was clean already.
pub fn article(article: &Article) -> (Cow<'_, Article>, Cleaned) {
    let mut dirty = false;
    article_fields(article, |t| dirty |= needs_cleaning(t));
    if !dirty {
        return (Cow::Borrowed(article), Cleaned::default());
    }
    let mut owned = article.clone();
    let mut cleaned = Cleaned::default();
    clean_in_place(&mut owned.title, &mut cleaned);
    clean_in_place(&mut owned.body, &mut cleaned);
    clean_option(&mut owned.subtitle, &mut cleaned);
    clean_option(&mut owned.section, &mut cleaned);
    clean_option(&mut owned.copyright, &mut cleaned);
    clean_option(&mut owned.published, &mut cleaned);
    clean_option(&mut owned.updated, &mut cleaned);
    for t in owned.authors.iter_mut().chain(owned.tags.iter_mut()) {
        clean_in_place(t, &mut cleaned);
    }
    if let Some(cover) = &mut owned.cover {
        clean_option(&mut cover.alt, &mut cleaned);
        clean_option(&mut cover.caption, &mut cleaned);
        clean_option(&mut cover.credit, &mut cleaned);
    }
    for r in &mut owned.related {
        clean_in_place(&mut r.title, &mut cleaned);
    }
    if let Some(source) = &mut owned.source {
        clean_option(&mut source.name, &mut cleaned);
    }
    (Cow::Owned(owned), cleaned)
}

/// Calls `each` on every printed text field of the article (the ones `article` cleans).
fn article_fields(a: &Article, mut each: impl FnMut(&str)) {
    let options = [
        &a.subtitle,
        &a.section,
        &a.copyright,
        &a.published,
        &a.updated,
    ];
    each(&a.title);
    each(&a.body);
    options.into_iter().flatten().for_each(|t| each(t));
    a.authors.iter().chain(&a.tags).for_each(|t| each(t));
    if let Some(cover) = &a.cover {
        [&cover.alt, &cover.caption, &cover.credit]
            .into_iter()
            .flatten()
            .for_each(|t| each(t));
    }
    a.related.iter().for_each(|r| each(&r.title));
    if let Some(name) = a.source.as_ref().and_then(|s| s.name.as_ref()) {
        each(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        let mut c = Cleaned::default();
        assert!(matches!(
            clean("за\u{301}мок\tи\nбашня", &mut c),
            Cow::Borrowed(_)
        ));
        assert!(c.controls.is_empty() && c.marks_dropped == 0);
    }

    #[test]
    fn controls_become_replacement_characters() {
        let mut c = Cleaned::default();
        assert_eq!(
            clean("a\u{0}b\u{7}c\u{85}", &mut c),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
        assert_eq!(c.controls.len(), 3);
        assert!(
            c.warnings()[0]
                .message
                .starts_with("U+0000 is a control character")
        );
        assert_eq!(c.warnings()[0].kind, WarningKind::Text);
    }

    #[test]
    fn noncharacters_become_replacement_characters() {
        let mut c = Cleaned::default();
        assert_eq!(
            clean("a\u{FFFE}b\u{FDD0}c\u{10FFFF}", &mut c),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
        let messages: Vec<String> = c.warnings().into_iter().map(|w| w.message).collect();
        assert_eq!(
            messages,
            [
                "U+FDD0 is not a character; drawn as U+FFFD",
                "U+FFFE is not a character; drawn as U+FFFD",
                "U+10FFFF is not a character; drawn as U+FFFD",
            ]
        );
    }

    #[test]
    fn a_zero_width_no_break_space_becomes_a_word_joiner_without_a_warning() {
        let mut c = Cleaned::default();
        assert_eq!(
            clean("\u{FEFF}Новости\u{FEFF} дня", &mut c),
            "\u{2060}Новости\u{2060} дня"
        );
        assert!(c.warnings().is_empty());
        // Neighbours of the replaced characters stay printable: U+FFFD itself is not one.
        assert!(matches!(
            clean("\u{FFFD}\u{FFFC}", &mut c),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn mark_stacks_keep_thirty_per_character() {
        let mut c = Cleaned::default();
        let text = format!("a{}b{}", "\u{301}".repeat(2049), "\u{300}".repeat(3));
        let out = clean(&text, &mut c);
        assert_eq!(out.chars().filter(|&ch| ch == '\u{301}').count(), 30);
        assert_eq!(out.chars().filter(|&ch| ch == '\u{300}').count(), 3);
        assert_eq!(c.marks_dropped, 2049 - 30);
    }

    #[test]
    fn every_printed_field_is_cleaned() {
        let dirty = "x\u{1}";
        let a = Article {
            title: dirty.into(),
            body: dirty.into(),
            authors: vec![dirty.into()],
            related: vec![crate::article::Related {
                title: dirty.into(),
                url: None,
            }],
            ..Article::default()
        };
        let (clean_article, cleaned) = article(&a);
        assert_eq!(cleaned.controls.len(), 1);
        assert_eq!(clean_article.title, "x\u{FFFD}");
        assert_eq!(clean_article.body, "x\u{FFFD}");
        assert_eq!(clean_article.authors[0], "x\u{FFFD}");
        assert_eq!(clean_article.related[0].title, "x\u{FFFD}");
    }
}
