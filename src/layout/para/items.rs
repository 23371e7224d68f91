//! A paragraph as Knuth–Plass items: boxes of glyphs, glue for spaces, penalties at break points
//! (hyphenation, URLs, explicit hyphens, emergency cuts of unbreakable strings).

use std::ops::Range;

use unicode_linebreak::{BreakOpportunity, linebreaks};

use super::{Align, ParaStyle};
use crate::layout::display::Role;
use crate::text::linebreak::{FILL, INFINITE_PENALTY, Item};
use crate::text::shape::Glyph;
use crate::text::{hyphen, typography};

/// Cost of breaking at a hyphenation point (TeX's \hyphenpenalty).
const HYPHEN_PENALTY: f32 = 50.0;
/// Cost of breaking after a hyphen the writer typed (TeX's \exhyphenpenalty).
const EXPLICIT_HYPHEN_PENALTY: f32 = 50.0;
/// Cost of breaking inside a URL before `/ . - _ ? # % ~` or after `& =`.
const URL_BREAK_PENALTY: f32 = 50.0;
/// Cost of breaking a URL between two ordinary characters.
const URL_ANYWHERE_PENALTY: f32 = 200.0;
/// Cost of cutting an unbreakable string that is wider than the line: allowed, but last resort.
const EMERGENCY_BREAK_PENALTY: f32 = 5_000.0;
/// Inter-word glue: stretch and shrink as fractions of the space's width.
/// The stretch is stiffer than TeX's 1/2: badness, and so the search, then weighs a wide space
/// more heavily and prefers a paragraph whose spaces stay near their natural width; the first
/// pass's tolerance (linebreak.rs) is raised to match, so the widest space it accepts is unchanged.
const SPACE_STRETCH: f32 = 0.3;
const SPACE_SHRINK: f32 = 0.33;
/// Longest token the typographic rules look at around a break, in bytes.
const MAX_RULE_TOKEN: usize = 64;
/// White space a ragged-right line may leave at its end before it counts as bad, in em.
const RAGGED_STRETCH_EM: f32 = 3.0;
/// Fewest letters after the last hyphen of a paragraph (or of a line ended by `\n`): a shorter
/// tail («покры-/шек.») would be a stub alone on the last line.
const MIN_LAST_LINE_LETTERS: usize = 5;
/// Cost of a hyphen that leaves such a stub when it is allowed at all: only when every set of
/// breaks without one has a gaping line (a narrow column), where a stub is the lesser evil.
pub(super) const STUB_HYPHEN_PENALTY: f32 = 3_000.0;
/// A quotation of at most this many words is a phrase a headline keeps on one line.
const SHORT_QUOTE_WORDS: usize = 3;
/// Cost of breaking a headline inside a short quotation («золотой / пряжке»): high, so a break
/// before the opening quote wins whenever it fits, but finite, so a quotation wider than the
/// line still breaks.
const QUOTE_BREAK_PENALTY: f32 = 3_000.0;

/// What an item stands for in the shaped text.
#[derive(Debug, Clone)]
pub(super) enum Source {
    Glyphs(Range<usize>),
    /// A hyphenation point: breaking here adds a hyphen in the face of the glyph before it.
    Hyphen(usize),
    Nothing,
}

struct Builder<'a> {
    text: &'a str,
    glyphs: &'a [Glyph],
    style: &'a ParaStyle,
    items: Vec<Item>,
    sources: Vec<Source>,
    hyphen_lang: Option<hyphen::Hyphenator>,
    hyphen_width: f32,
    /// Size of the paragraph's main style, for spaces measured in em.
    size: f32,
    /// Hyphen breaks forbidden because they would leave a stub on a last line.
    stubs: Vec<usize>,
}

impl Builder<'_> {
    fn glyph_at(&self, byte: usize) -> usize {
        self.glyphs.partition_point(|g| (g.cluster as usize) < byte)
    }

    fn width(&self, r: &Range<usize>) -> f32 {
        self.glyphs[r.clone()].iter().map(|g| g.advance).sum()
    }

    fn push(&mut self, item: Item, source: Source) {
        self.items.push(item);
        self.sources.push(source);
    }

    /// A box for `text[a..b]`, cut at glyph boundaries when it is wider than the line.
    fn push_box(&mut self, a: usize, b: usize) {
        let range = self.glyph_at(a)..self.glyph_at(b);
        if range.is_empty() {
            return;
        }
        let width = self.width(&range);
        if width <= self.style.width {
            self.push(Item::Box { width }, Source::Glyphs(range));
            return;
        }
        let mut start = range.start;
        let mut acc = 0.0;
        for g in range.clone() {
            let adv = self.glyphs[g].advance;
            // Never separate a mark from its base: cut only where the cluster changes.
            let new_cluster = g == start || self.glyphs[g].cluster != self.glyphs[g - 1].cluster;
            if acc + adv > self.style.width && g > start && new_cluster {
                self.push(Item::Box { width: acc }, Source::Glyphs(start..g));
                self.push(
                    Item::Penalty {
                        width: 0.0,
                        cost: EMERGENCY_BREAK_PENALTY,
                        flagged: false,
                    },
                    Source::Nothing,
                );
                start = g;
                acc = 0.0;
            }
            acc += adv;
        }
        self.push(Item::Box { width: acc }, Source::Glyphs(start..range.end));
    }

    fn push_break(&mut self, cost: f32, flagged: bool) {
        self.push(
            Item::Penalty {
                width: 0.0,
                cost,
                flagged,
            },
            Source::Nothing,
        );
    }

    /// A word (no breakable space inside): boxes with hyphenation or URL break points between.
    fn add_word(&mut self, a: usize, b: usize) {
        let word = &self.text[a..b];
        // Break points inside the word: `None` a hyphenation point, `Some(cost)` a plain break.
        let mut points: Vec<(usize, Option<f32>)> = Vec::new();
        if looks_like_url(word) {
            // As the Chicago Manual has it: before a slash, a dot, a hyphen and the like (so a
            // line never ends in a hyphen that belongs to the address and reads as a
            // hyphenation), after `&` and `=`; anywhere else past the scheme at a higher cost,
            // so a long URL never forces a gaping line.
            let scheme_end = word.find("://").map_or(0, |i| i + 3);
            let mut prev = None;
            let mut chars = word.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                let next = chars.peek().map(|&(_, n)| n);
                let before = matches!(c, '.' | '-' | '_' | '?' | '#' | '%' | '~')
                    || c == '/' && prev != Some('/') && next != Some('/');
                if i > scheme_end && prev.is_some() {
                    let after_joiner = matches!(prev, Some('&' | '='));
                    let cost = if before || after_joiner {
                        URL_BREAK_PENALTY
                    } else {
                        URL_ANYWHERE_PENALTY
                    };
                    // Never inside `//`.
                    if !(c == '/' && prev == Some('/')) {
                        points.push((a + i, Some(cost)));
                    }
                }
                prev = Some(c);
            }
        } else if self.style.hyphenate {
            for (start, letters) in letter_runs(word) {
                let abs = a + start;
                let joined = |c: Option<char>| matches!(c, Some('-' | '\u{2010}' | '\u{2011}'));
                // A word the writer joined with a hyphen breaks only at that hyphen.
                if joined(self.text[..abs].chars().next_back())
                    || joined(self.text[abs + letters.len()..].chars().next())
                {
                    continue;
                }
                // The author's soft hyphens count in any language; patterns need one of ours.
                let found = match self.hyphen_lang {
                    _ if letters.contains('\u{ad}') => hyphen::soft_hyphen_points(letters),
                    Some(lang) => hyphen::points(letters, lang),
                    None => Vec::new(),
                };
                points.extend(found.into_iter().map(|p| (abs + p, None)));
            }
        }
        let mut start = a;
        for (p, plain_break) in points {
            if p <= start || p >= b {
                continue;
            }
            self.push_box(start, p);
            if let Some(cost) = plain_break {
                self.push_break(cost, false);
            } else {
                let before = self.glyph_at(p).saturating_sub(1);
                self.push(
                    Item::Penalty {
                        width: self.hyphen_width,
                        cost: HYPHEN_PENALTY,
                        flagged: true,
                    },
                    Source::Hyphen(before),
                );
            }
            start = p;
        }
        self.push_box(start, b);
    }

    /// The whitespace-delimited token that ends at byte `end` (at most `MAX_RULE_TOKEN` bytes:
    /// the typographic rules only look at short words, and this keeps long strings linear).
    fn token_before(&self, end: usize) -> &str {
        let mut from = end.saturating_sub(MAX_RULE_TOKEN);
        while !self.text.is_char_boundary(from) {
            from += 1;
        }
        let window = &self.text[from..end];
        let start = window
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8());
        &window[start..]
    }

    /// The whitespace-delimited token that starts at byte `start` (at most `MAX_RULE_TOKEN` bytes).
    fn token_after(&self, start: usize) -> &str {
        let mut to = (start + MAX_RULE_TOKEN).min(self.text.len());
        while !self.text.is_char_boundary(to) {
            to -= 1;
        }
        let window = &self.text[start..to];
        let end = window.find(char::is_whitespace).unwrap_or(window.len());
        &window[..end]
    }

    fn build(&mut self) {
        if self.style.indent > 0.0 {
            self.push(
                Item::Box {
                    width: self.style.indent,
                },
                Source::Nothing,
            );
        }
        let urls = url_spans(self.text);
        // Headlines keep a short quotation on one line («золотой пряжке»).
        let quotes = if matches!(self.style.role, Role::Title | Role::Heading(_)) {
            short_quote_spans(self.text)
        } else {
            Vec::new()
        };
        let mut quote = 0;
        // Break opportunities come in text order, so one cursor walks the (sorted) URLs: linear
        // however many links a paragraph holds.
        let mut url = 0;
        let mut prev = 0;
        for (pos, kind) in linebreaks(self.text) {
            while url < urls.len() && urls[url].end <= pos {
                url += 1;
            }
            // Inside a URL our own break rules apply (add_word), not UAX #14's.
            if kind == BreakOpportunity::Allowed
                && urls.get(url).is_some_and(|u| u.start < pos && pos < u.end)
            {
                continue;
            }
            // UAX #14 allows a break after a soft hyphen, which would print no hyphen: it is a
            // hyphenation point of its word instead (`add_word`).
            if kind == BreakOpportunity::Allowed && self.text[..pos].ends_with('\u{ad}') {
                continue;
            }
            let segment = &self.text[prev..pos];
            let word_len = segment.trim_end_matches(is_breaking_space).len();
            let ws = prev + word_len..pos;
            if self.style.preserve_spaces {
                self.push_box(prev, pos);
            } else {
                self.add_word(prev, ws.start);
            }
            let mandatory = kind == BreakOpportunity::Mandatory;
            let glyphs = self.glyph_at(ws.start)..self.glyph_at(ws.end);
            while quote < quotes.len() && quotes[quote].end <= ws.start {
                quote += 1;
            }
            let in_quote = quotes
                .get(quote)
                .is_some_and(|q| q.start < ws.start && ws.end < q.end);
            let space_cost = if in_quote { QUOTE_BREAK_PENALTY } else { 0.0 };
            if mandatory {
                let source = if self.style.preserve_spaces {
                    Source::Nothing
                } else {
                    Source::Glyphs(glyphs)
                };
                self.push(
                    Item::Glue {
                        width: 0.0,
                        stretch: FILL,
                        shrink: 0.0,
                    },
                    source,
                );
                self.push_break(-INFINITE_PENALTY, false);
            } else if !ws.is_empty()
                && !self.style.preserve_spaces
                && typography::space_break_forbidden(
                    self.token_before(ws.start),
                    self.token_after(ws.end),
                )
            {
                // A space the Russian rules make unbreakable: it still stretches with its line.
                let width = self.width(&glyphs);
                let (stretch, shrink) = if self.style.align == Align::Justify {
                    (width * SPACE_STRETCH, width * SPACE_SHRINK)
                } else {
                    (0.0, 0.0)
                };
                self.push_break(INFINITE_PENALTY, false);
                self.push(
                    Item::Glue {
                        width,
                        stretch,
                        shrink,
                    },
                    Source::Glyphs(glyphs),
                );
            } else if !ws.is_empty()
                && !self.style.preserve_spaces
                && self.style.align != Align::Justify
            {
                // Ragged lines (TeX's trick): a line ending here gets stretchable white space at
                // its end; a line running on gets an ordinary, fixed space.
                let width = self.width(&glyphs);
                let ragged = self.size * RAGGED_STRETCH_EM;
                self.push(
                    Item::Glue {
                        width: 0.0,
                        stretch: ragged,
                        shrink: 0.0,
                    },
                    Source::Nothing,
                );
                self.push_break(space_cost, false);
                self.push(
                    Item::Glue {
                        width,
                        stretch: -ragged,
                        shrink: 0.0,
                    },
                    Source::Glyphs(glyphs),
                );
            } else if !ws.is_empty() && !self.style.preserve_spaces {
                let width = self.width(&glyphs);
                if space_cost > 0.0 {
                    // The glue after a penalty is no break of its own: the penalty prices it.
                    self.push_break(space_cost, false);
                }
                self.push(
                    Item::Glue {
                        width,
                        stretch: width * SPACE_STRETCH,
                        shrink: width * SPACE_SHRINK,
                    },
                    Source::Glyphs(glyphs),
                );
            } else if !self.style.preserve_spaces
                && typography::joined_break_forbidden(self.token_before(pos), self.token_after(pos))
            {
                // 1977–1983 stays on one line: no break item at all.
            } else {
                let after_hyphen = segment.ends_with(['-', '\u{2010}']);
                let cost = if after_hyphen {
                    EXPLICIT_HYPHEN_PENALTY
                } else {
                    0.0
                };
                self.push_break(cost, after_hyphen);
            }
            prev = pos;
        }
    }

    /// Letters a box draws (a glyph counts when its cluster begins with a letter).
    fn letters(&self, source: &Source) -> usize {
        match source {
            Source::Glyphs(range) => self.glyphs[range.clone()]
                .iter()
                .filter(|g| {
                    self.text[g.cluster as usize..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphabetic)
                })
                .count(),
            Source::Hyphen(_) | Source::Nothing => 0,
        }
    }

    /// Forbids hyphen breaks that would leave a stub on the last line of the paragraph (or of a
    /// line ended by `\n`): the Russian rule that a last line never consists of the rest of a
    /// hyphenated word alone, and never of fewer than `MIN_LAST_LINE_LETTERS` letters after a
    /// hyphen. Their places are kept in `stubs`: the rule gives way only to a gaping line. One
    /// backward walk: linear.
    fn forbid_stub_hyphens(&mut self) {
        let (mut letters, mut spaced, mut done) = (0usize, false, false);
        for i in (0..self.items.len()).rev() {
            match self.items[i] {
                Item::Penalty { cost, .. } if cost <= -INFINITE_PENALTY => {
                    (letters, spaced, done) = (0, false, false);
                }
                _ if done => {}
                Item::Box { .. } => letters += self.letters(&self.sources[i]),
                // The fill glue at the end comes before any letter and is no word space.
                Item::Glue { .. } => spaced |= letters > 0,
                Item::Penalty {
                    flagged: true,
                    ref mut cost,
                    ..
                } if !spaced || letters < MIN_LAST_LINE_LETTERS => {
                    *cost = INFINITE_PENALTY;
                    self.stubs.push(i);
                }
                Item::Penalty { .. } => {}
            }
            done |= spaced && letters >= MIN_LAST_LINE_LETTERS;
        }
    }
}

fn is_breaking_space(c: char) -> bool {
    matches!(c, ' ' | '\n' | '\u{2028}' | '\u{2029}' | '\u{200b}' | '\u{3000}' | '\u{2000}'..='\u{2006}' | '\u{2008}'..='\u{200a}')
}

/// Byte ranges of web addresses in `text` (from `http://`, `https://` or `www.` to the next space).
fn url_spans(text: &str) -> Vec<Range<usize>> {
    const PREFIXES: [&str; 3] = ["https://", "http://", "www."];
    let mut out = Vec::new();
    let mut from = 0;
    // The next place of each prefix at or after `from`, searched again only once passed: a
    // prefix that never comes is looked for once, not once per URL.
    let mut next = PREFIXES.map(|prefix| text.find(prefix));
    loop {
        for (slot, prefix) in next.iter_mut().zip(PREFIXES) {
            if slot.is_some_and(|at| at < from) {
                *slot = text[from..].find(prefix).map(|i| from + i);
            }
        }
        let Some(found) = next.iter().flatten().copied().min() else {
            break;
        };
        let end = text[found..]
            .find(|c: char| c.is_whitespace())
            .map_or(text.len(), |i| found + i);
        out.push(found..end);
        from = end;
    }
    out
}

/// Byte ranges of quotations «…» of at most `SHORT_QUOTE_WORDS` words, quote marks included,
/// sorted and merged. One pass: the spaces inside a quotation are counted as a difference of a
/// running count, so nesting costs nothing extra.
fn short_quote_spans(text: &str) -> Vec<Range<usize>> {
    /// Deeper nesting than this is not a quotation but noise; it is left alone.
    const MAX_DEPTH: usize = 8;
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut spaces = 0usize;
    let mut out: Vec<Range<usize>> = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '«' if open.len() < MAX_DEPTH => open.push((i, spaces)),
            '»' => {
                if let Some((start, at_open)) = open.pop()
                    && spaces - at_open < SHORT_QUOTE_WORDS
                {
                    out.push(start..i + c.len_utf8());
                }
            }
            c if is_breaking_space(c) => spaces += 1,
            _ => {}
        }
    }
    out.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(out.len());
    for r in out {
        match merged.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

fn looks_like_url(word: &str) -> bool {
    word.contains("://") || word.starts_with("www.") || (word.contains('@') && word.contains('.'))
}

/// Maximal runs of letters (with combining marks and soft hyphens) in a word, with their byte
/// offsets.
fn letter_runs(word: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in word.char_indices() {
        let letter = hyphen::is_letter(c) || matches!(c as u32, 0x300..=0x36F | 0xAD);
        match (letter, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &word[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &word[s..]));
    }
    out
}

/// The items of a paragraph, what each stands for in the shaped text, and the hyphen breaks
/// forbidden for leaving a stub on a last line (allowed again only against a gaping line).
pub(super) fn build_items(
    text: &str,
    glyphs: &[Glyph],
    style: &ParaStyle,
    hyphen_width: f32,
    size: f32,
) -> (Vec<Item>, Vec<Source>, Vec<usize>) {
    let mut b = Builder {
        text,
        glyphs,
        style,
        items: Vec::with_capacity(glyphs.len() / 3),
        sources: Vec::with_capacity(glyphs.len() / 3),
        hyphen_lang: hyphen::language(&style.lang),
        hyphen_width,
        size,
        stubs: Vec::new(),
    };
    b.build();
    b.forbid_stub_hyphens();
    (b.items, b.sources, b.stubs)
}
