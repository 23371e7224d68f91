//! One paragraph: shaping, break opportunities, hyphenation, Knuth–Plass, and positioned lines.

use std::ops::Range;
use std::sync::Arc;

use unicode_linebreak::{BreakOpportunity, linebreaks};

use super::display::{Color, GlyphRun, Role, RunGlyph};
use crate::text::fonts::FaceId;
use crate::text::hyphen;
use crate::text::linebreak::{FILL, INFINITE_PENALTY, Item, break_paragraph, ratio};
use crate::text::shape::{Glyph, Shaper, StyleSpan};

/// Cost of breaking at a hyphenation point (TeX's \hyphenpenalty).
const HYPHEN_PENALTY: f32 = 50.0;
/// Cost of breaking after a hyphen the writer typed (TeX's \exhyphenpenalty).
const EXPLICIT_HYPHEN_PENALTY: f32 = 50.0;
/// Cost of breaking inside a URL after `/ ? & = -`.
const URL_BREAK_PENALTY: f32 = 50.0;
/// Cost of breaking a URL between two ordinary characters.
const URL_ANYWHERE_PENALTY: f32 = 200.0;
/// Cost of cutting an unbreakable string that is wider than the line: allowed, but last resort.
const EMERGENCY_BREAK_PENALTY: f32 = 5_000.0;
/// Inter-word glue: stretch and shrink as fractions of the space's width.
const SPACE_STRETCH: f32 = 0.5;
const SPACE_SHRINK: f32 = 0.33;
/// White space a ragged-right line may leave at its end before it counts as bad, in em.
const RAGGED_STRETCH_EM: f32 = 3.0;

#[derive(Debug, Clone, PartialEq)]
pub struct SpanStyle {
    pub face: FaceId,
    pub size: f32,
    pub color: Color,
    pub link: Option<Arc<str>>,
}

/// Paragraph text with style spans covering it, in order, without gaps.
#[derive(Debug, Clone, Default)]
pub struct StyledText {
    pub text: String,
    pub spans: Vec<(Range<usize>, SpanStyle)>,
}

impl StyledText {
    /// Text in one face, size and colour, without a link.
    pub fn single(text: &str, face: FaceId, size: f32, color: Color) -> StyledText {
        let mut st = StyledText::default();
        st.push(
            text,
            SpanStyle {
                face,
                size,
                color,
                link: None,
            },
        );
        st
    }

    pub fn push(&mut self, text: &str, style: SpanStyle) {
        if text.is_empty() {
            return;
        }
        let start = self.text.len();
        // Tabs and carriage returns would draw as boxes; a tab is a space here.
        for c in text.chars() {
            match c {
                '\t' => self.text.push(' '),
                '\r' => {}
                c => self.text.push(c),
            }
        }
        let end = self.text.len();
        match self.spans.last_mut() {
            Some((range, last)) if *last == style => range.end = end,
            _ => self.spans.push((start..end, style)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Justify,
    Left,
    Center,
}

#[derive(Debug, Clone)]
pub struct ParaStyle {
    pub width: f32,
    pub align: Align,
    /// First-line indent.
    pub indent: f32,
    pub lang: String,
    pub hyphenate: bool,
    /// Keep every space (code): spaces are not stretched and not dropped at line starts.
    pub preserve_spaces: bool,
    pub role: Role,
}

/// A set line: runs positioned relative to the line's left edge and baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct SetLine {
    pub runs: Vec<GlyphRun>,
    pub width: f32,
    pub hyphenated: bool,
}

/// What an item stands for in the shaped text.
#[derive(Debug, Clone)]
enum Source {
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
            // After a separator is the natural place; anywhere else (past the scheme) is allowed
            // at a higher cost, so a long URL never forces a gaping line.
            let scheme_end = word.find("://").map_or(0, |i| i + 3);
            let mut chars = word.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                let Some(&(_, next)) = chars.peek() else {
                    break;
                };
                let at = i + c.len_utf8();
                if at <= scheme_end || next == '/' {
                    continue;
                }
                let cost = if matches!(c, '/' | '?' | '&' | '=' | '-' | '_' | '.') {
                    URL_BREAK_PENALTY
                } else {
                    URL_ANYWHERE_PENALTY
                };
                points.push((a + at, Some(cost)));
            }
        } else if let (Some(lang), true) = (self.hyphen_lang, self.style.hyphenate) {
            for (start, letters) in letter_runs(word) {
                let abs = a + start;
                let joined = |c: Option<char>| matches!(c, Some('-' | '\u{2010}' | '\u{2011}'));
                // A word the writer joined with a hyphen breaks only at that hyphen.
                if joined(self.text[..abs].chars().next_back())
                    || joined(self.text[abs + letters.len()..].chars().next())
                {
                    continue;
                }
                points.extend(
                    hyphen::points(letters, lang)
                        .into_iter()
                        .map(|p| (abs + p, None)),
                );
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
        let mut prev = 0;
        for (pos, kind) in linebreaks(self.text) {
            // Inside a URL our own break rules apply (add_word), not UAX #14's.
            if kind == BreakOpportunity::Allowed
                && urls.iter().any(|u| u.start < pos && pos < u.end)
            {
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
                self.push_break(0.0, false);
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
                self.push(
                    Item::Glue {
                        width,
                        stretch: width * SPACE_STRETCH,
                        shrink: width * SPACE_SHRINK,
                    },
                    Source::Glyphs(glyphs),
                );
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
}

fn is_breaking_space(c: char) -> bool {
    matches!(c, ' ' | '\n' | '\u{2028}' | '\u{2029}' | '\u{200b}' | '\u{3000}' | '\u{2000}'..='\u{2006}' | '\u{2008}'..='\u{200a}')
}

/// Byte ranges of web addresses in `text` (from `http://`, `https://` or `www.` to the next space).
fn url_spans(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = ["https://", "http://", "www."]
        .iter()
        .filter_map(|p| text[from..].find(p).map(|i| from + i))
        .min()
    {
        let end = text[found..]
            .find(|c: char| c.is_whitespace())
            .map_or(text.len(), |i| found + i);
        out.push(found..end);
        from = end;
    }
    out
}

fn looks_like_url(word: &str) -> bool {
    word.contains("://") || word.starts_with("www.") || (word.contains('@') && word.contains('.'))
}

/// Maximal runs of letters (with combining marks) in a word, with their byte offsets.
fn letter_runs(word: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in word.char_indices() {
        let letter = c.is_alphabetic() || matches!(c as u32, 0x300..=0x36F);
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

/// Sets one paragraph into lines.
pub fn set_paragraph(shaper: &Shaper<'_>, styled: &StyledText, style: &ParaStyle) -> Vec<SetLine> {
    if styled.text.trim().is_empty() {
        return Vec::new();
    }
    let spans: Vec<StyleSpan> = styled
        .spans
        .iter()
        .map(|(r, s)| StyleSpan {
            range: r.clone(),
            face: s.face,
            size: s.size,
        })
        .collect();
    let glyphs = shaper.shape(&styled.text, &spans, &style.lang);
    let body = &styled.spans[0].1;
    let hyphen_width = shaper
        .book
        .face(body.face)
        .hyphen
        .map_or(body.size * 0.3, |(_, w)| w * body.size);
    let mut b = Builder {
        text: &styled.text,
        glyphs: &glyphs,
        style,
        items: Vec::with_capacity(glyphs.len() / 3),
        sources: Vec::with_capacity(glyphs.len() / 3),
        hyphen_lang: hyphen::language(&style.lang),
        hyphen_width,
        size: body.size,
    };
    b.build();
    let breaks = break_paragraph(&b.items, style.width);
    let cluster_end = cluster_ends(&glyphs, styled.text.len());
    let mut lines = Vec::with_capacity(breaks.len());
    let mut start = 0;
    for &brk in &breaks {
        let line = set_line(
            shaper,
            styled,
            style,
            &glyphs,
            &cluster_end,
            &b.items,
            &b.sources,
            start,
            brk,
        );
        if !line.runs.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        // The next line starts at the next box: glue and penalties after a break vanish.
        start = brk + 1;
        while start < b.items.len() && !matches!(b.items[start], Item::Box { .. }) {
            if matches!(b.items[start], Item::Penalty { cost, .. } if cost <= -INFINITE_PENALTY) {
                break;
            }
            start += 1;
        }
    }
    lines.retain(|l| !l.runs.is_empty());
    lines
}

/// For each glyph, where its cluster's text ends (the next larger cluster, or the text end).
fn cluster_ends(glyphs: &[Glyph], text_len: usize) -> Vec<u32> {
    let mut ends = vec![text_len as u32; glyphs.len()];
    let mut next = text_len as u32;
    for i in (0..glyphs.len()).rev() {
        ends[i] = next;
        if i > 0 && glyphs[i - 1].cluster != glyphs[i].cluster {
            next = glyphs[i].cluster;
        }
    }
    ends
}

/// A glyph placed on a line, before grouping into runs.
struct Placed {
    glyph: usize,
    x: f32,
    advance: f32,
    /// The hyphen added at a break, drawn in the face and size of `glyph`.
    hyphen: bool,
}

#[allow(clippy::too_many_arguments)]
fn set_line(
    shaper: &Shaper<'_>,
    styled: &StyledText,
    style: &ParaStyle,
    glyphs: &[Glyph],
    cluster_end: &[u32],
    items: &[Item],
    sources: &[Source],
    start: usize,
    brk: usize,
) -> SetLine {
    let line_items = &items[start.min(brk)..brk];
    let (mut width, mut stretch, mut shrink) = (0.0f64, 0.0f64, 0.0f64);
    for item in line_items {
        match *item {
            Item::Box { width: w } => width += f64::from(w),
            Item::Glue {
                width: w,
                stretch: st,
                shrink: sh,
            } => {
                width += f64::from(w);
                stretch += f64::from(st);
                shrink += f64::from(sh);
            }
            Item::Penalty { .. } => {}
        }
    }
    let (hyphen_at, hyphen_width) = match (items.get(brk), sources.get(brk)) {
        (Some(Item::Penalty { width: w, .. }), Some(Source::Hyphen(g))) => (Some(*g), *w),
        _ => (None, 0.0),
    };
    width += f64::from(hyphen_width);
    let mut r = ratio(width, stretch, shrink, f64::from(style.width));
    if !r.is_finite() || style.align != Align::Justify {
        r = r.clamp(-1.0, 0.0);
    }
    r = r.max(-1.0);
    let r = r as f32;
    let mut x = if style.align == Align::Center {
        ((f64::from(style.width) - width).max(0.0) / 2.0) as f32
    } else {
        0.0
    };
    let mut placed: Vec<Placed> = Vec::new();
    for (item, source) in line_items.iter().zip(&sources[start.min(brk)..brk]) {
        match (*item, source) {
            (Item::Box { width }, Source::Nothing) => x += width,
            (Item::Box { .. }, Source::Glyphs(range)) => {
                for g in range.clone() {
                    placed.push(Placed {
                        glyph: g,
                        x,
                        advance: glyphs[g].advance,
                        hyphen: false,
                    });
                    x += glyphs[g].advance;
                }
            }
            (
                Item::Glue {
                    width,
                    stretch,
                    shrink,
                },
                Source::Glyphs(range),
            ) if stretch < FILL => {
                let set = width + if r >= 0.0 { r * stretch } else { r * shrink };
                let natural: f32 = range.clone().map(|g| glyphs[g].advance).sum();
                let extra = set - natural;
                for (k, g) in range.clone().enumerate() {
                    let mut adv = glyphs[g].advance;
                    if k + 1 == range.len() {
                        adv += extra;
                    }
                    placed.push(Placed {
                        glyph: g,
                        x,
                        advance: adv,
                        hyphen: false,
                    });
                    x += adv;
                }
            }
            _ => {}
        }
    }
    if let Some(g) = hyphen_at {
        placed.push(Placed {
            glyph: g,
            x,
            advance: hyphen_width,
            hyphen: true,
        });
        x += hyphen_width;
    }
    // Invisible characters at forced breaks (`\n`) are not drawn.
    placed.retain(|p| {
        p.hyphen
            || !matches!(
                styled.text.as_bytes()[glyphs[p.glyph].cluster as usize],
                b'\n'
            )
    });
    SetLine {
        runs: group_runs(shaper, styled, style, glyphs, cluster_end, &placed),
        width: x,
        hyphenated: hyphen_at.is_some(),
    }
}

/// Groups placed glyphs into runs of one face, size and span, each with its own source text.
fn group_runs(
    shaper: &Shaper<'_>,
    styled: &StyledText,
    style: &ParaStyle,
    glyphs: &[Glyph],
    cluster_end: &[u32],
    placed: &[Placed],
) -> Vec<GlyphRun> {
    let mut runs: Vec<GlyphRun> = Vec::new();
    let mut run_text_start = 0usize;
    for p in placed {
        let g = &glyphs[p.glyph];
        let same = runs.last().is_some_and(|r| {
            r.face == g.face && r.size == g.size && r.link == styled.spans[g.span as usize].1.link
        });
        if !same {
            let span = &styled.spans[g.span as usize].1;
            run_text_start = g.cluster as usize;
            runs.push(GlyphRun {
                x: p.x,
                y: 0.0,
                face: g.face,
                size: g.size,
                color: span.color,
                role: style.role,
                text: String::new(),
                glyphs: Vec::new(),
                link: span.link.clone(),
            });
        }
        let run = runs.last_mut().expect("a run was just pushed");
        if p.hyphen {
            let Some((id, _)) = shaper.book.face(g.face).hyphen else {
                continue;
            };
            let at = run.text.len();
            run.text.push('-');
            run.glyphs.push(RunGlyph {
                id,
                advance: p.advance,
                dx: 0.0,
                dy: 0.0,
                text_range: at..at + 1,
            });
            continue;
        }
        let (cs, ce) = (g.cluster as usize, cluster_end[p.glyph] as usize);
        // Extend the run's text to cover this glyph's cluster.
        let have = run_text_start + run.text.len();
        if ce > have {
            run.text.push_str(&styled.text[have.max(cs)..ce]);
        }
        let rel_start = cs.saturating_sub(run_text_start);
        let rel_end = ce.saturating_sub(run_text_start).max(rel_start);
        run.glyphs.push(RunGlyph {
            id: g.id,
            advance: p.advance,
            dx: g.dx,
            dy: g.dy,
            text_range: rel_start..rel_end.min(run.text.len()),
        });
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fonts::{Family, FontBook};
    use crate::text::shape::PlanCache;

    fn set(text: &str, width: f32, align: Align) -> (Vec<SetLine>, String) {
        let book = FontBook::embedded().unwrap();
        let plans = PlanCache::default();
        let shaper = Shaper {
            book: &book,
            plans: &plans,
        };
        let mut st = StyledText::default();
        let face = book.select(Family::Serif, false, false);
        st.push(
            text,
            SpanStyle {
                face,
                size: 10.0,
                color: Color::BLACK,
                link: None,
            },
        );
        let style = ParaStyle {
            width,
            align,
            indent: 0.0,
            lang: "ru".into(),
            hyphenate: true,
            preserve_spaces: false,
            role: Role::Body,
        };
        (set_paragraph(&shaper, &st, &style), st.text)
    }

    const TEXT: &str = "Паромная переправа на Ольхон заработала в полную силу: третье судно вышло на линию в понедельник утром, и очереди у причала в Сахюрте впервые за лето исчезли. В администрации района говорят, что расписание будет действовать до конца навигации.";

    #[test]
    fn justified_lines_fill_the_width_and_stay_inside() {
        let (lines, _) = set(TEXT, 200.0, Align::Justify);
        assert!(lines.len() >= 4);
        for (i, l) in lines.iter().enumerate() {
            assert!(l.width <= 200.0 + 0.01, "line {i} is {} wide", l.width);
            if i + 1 < lines.len() {
                assert!(
                    (l.width - 200.0).abs() < 0.05,
                    "line {i} not justified: {}",
                    l.width
                );
            }
        }
        assert!(lines.last().unwrap().width < 200.0);
    }

    #[test]
    fn every_character_comes_back_in_order() {
        let (lines, text) = set(TEXT, 180.0, Align::Justify);
        let mut out = String::new();
        for l in &lines {
            for r in &l.runs {
                out.push_str(&r.text);
            }
            if l.hyphenated {
                out.pop();
            } else {
                out.push(' ');
            }
        }
        let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(norm(&out), norm(&text));
    }

    #[test]
    fn unbreakable_string_is_cut_inside_the_margin() {
        let word = "ж".repeat(2000);
        let (lines, _) = set(&word, 150.0, Align::Justify);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| l.width <= 150.01 && !l.hyphenated));
    }

    #[test]
    fn url_breaks_after_slash_without_hyphen() {
        let url = "https://babr-news.example/archive/2024/06/baikal/ecology/report-full-text?id=12345&lang=ru";
        let (lines, _) = set(&format!("Читайте отчёт: {url}"), 120.0, Align::Left);
        assert!(lines.len() >= 2);
        assert!(lines.iter().all(|l| !l.hyphenated && l.width <= 120.01));
        let first = lines[0]
            .runs
            .iter()
            .map(|r| r.text.as_str())
            .collect::<String>();
        let second = lines[1]
            .runs
            .iter()
            .map(|r| r.text.as_str())
            .collect::<String>();
        assert!(
            first.ends_with(['/', '?', '&', '=', '-', '_', ':']) || second.starts_with("https"),
            "{first} | {second}"
        );
    }

    #[test]
    fn joined_words_break_only_at_their_hyphen() {
        let (lines, _) = set(
            "Улан-Удэ северо-восточный Улан-Удэ северо-восточный",
            60.0,
            Align::Justify,
        );
        assert!(lines.iter().all(|l| !l.hyphenated));
    }
}
