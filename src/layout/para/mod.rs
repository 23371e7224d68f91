//! The paragraph stage: styled text is shaped, turned into Knuth–Plass items (`items.rs`),
//! broken into lines and set into positioned glyph runs (`line.rs`). One [`Paragraph`] holds
//! everything a line is set from.

mod items;
mod line;
mod styled;

pub use styled::{Align, ParaStyle, SetLine, SpanStyle, StyledText};

use crate::text::linebreak::{
    Fit, INFINITE_PENALTY, Item, RAGGED_TOLERANCE, TOLERANCE, break_paragraph_relaxing,
};
use crate::text::shape::{Glyph, Shaper, StyleSpan};
use items::{STUB_HYPHEN_PENALTY, Source, build_items};

/// One shaped paragraph: its text and style, its glyphs, the Knuth–Plass items with what each
/// stands for in the text, and where each glyph's cluster ends (for the text a run carries).
struct Paragraph<'p> {
    styled: &'p StyledText,
    style: &'p ParaStyle,
    glyphs: Vec<Glyph>,
    cluster_end: Vec<u32>,
    items: Vec<Item>,
    sources: Vec<Source>,
    /// Hyphen breaks forbidden for leaving a stub on a last line.
    stubs: Vec<usize>,
    fit: Fit,
}

/// How far a justified line's letters may be spread, as a fraction of their advance (microtype's
/// font expansion allows 2 %; 1.5 % stays invisible in PT Serif).
const EXPANSION: f32 = 0.015;
/// How far they may be tightened.
const COMPRESSION: f32 = 0.015;

/// How a paragraph may be fitted: justified text spreads its letters a little as well as its
/// spaces; ragged text leaves its letters alone and may end a line early.
fn fit_for(style: &ParaStyle) -> Fit {
    if style.align == Align::Justify && !style.preserve_spaces {
        Fit {
            tolerance: TOLERANCE,
            expand: EXPANSION,
            compress: COMPRESSION,
        }
    } else {
        Fit::rigid(RAGGED_TOLERANCE)
    }
}

impl<'p> Paragraph<'p> {
    /// Shapes the text and builds its items; `None` when the render's budget ran out.
    fn shape(shaper: &Shaper<'_>, styled: &'p StyledText, style: &'p ParaStyle) -> Option<Self> {
        let spans: Vec<StyleSpan> = styled
            .spans
            .iter()
            .map(|(r, s)| StyleSpan {
                range: r.clone(),
                face: s.face,
                size: s.size,
                rise: s.rise,
            })
            .collect();
        let glyphs = shaper.shape(&styled.text, &spans, &style.lang);
        if shaper.budget().exhausted() {
            return None;
        }
        let body = &styled.spans[0].1;
        let hyphen_width = shaper
            .book
            .face(body.face)
            .hyphen
            .map_or(body.size * 0.3, |(_, w)| w * body.size);
        let (items, sources, stubs) =
            build_items(&styled.text, &glyphs, style, hyphen_width, body.size);
        let cluster_end = line::cluster_ends(&glyphs, styled.text.len());
        Some(Paragraph {
            styled,
            style,
            glyphs,
            cluster_end,
            items,
            sources,
            stubs,
            fit: fit_for(style),
        })
    }

    /// Whether the break at item `brk` was forced by the text (a `\n`), not by the width.
    fn forced_break(&self, brk: usize) -> bool {
        matches!(self.items[brk], Item::Penalty { cost, .. } if cost <= -INFINITE_PENALTY)
    }

    /// The byte of the text the line starting at item `item` starts at: its first glyph's.
    fn byte_at(&self, item: usize) -> usize {
        self.sources[item.min(self.sources.len())..]
            .iter()
            .find_map(|source| match source {
                Source::Glyphs(range) if !range.is_empty() => {
                    self.glyphs.get(range.start).map(|g| g.cluster as usize)
                }
                _ => None,
            })
            .unwrap_or(self.styled.text.len())
    }

    /// The first item of the line after a break at `brk`: glue and penalties after a break
    /// vanish, up to the next box or forced break.
    fn next_line_start(&self, brk: usize) -> usize {
        let mut start = brk + 1;
        while start < self.items.len() && !matches!(self.items[start], Item::Box { .. }) {
            if self.forced_break(start) {
                break;
            }
            start += 1;
        }
        start
    }
}

/// A paragraph longer than this many bytes of text is set a window at a time: shaping and
/// breaking hold one window's glyphs and items (some 150 bytes a byte of text), not a
/// 20 MB paragraph's 1.5 GB.
const WINDOW_BYTES: usize = 32 * 1024;

/// The lines at a window's end are set again at the start of the next window (at most a quarter
/// of its lines): they were broken as if the paragraph ended there (a short last line, no stub
/// hyphen), and the lines before them settle long before that.
const WINDOW_OVERLAP_LINES: usize = 6;

/// Sets one paragraph into lines.
pub fn set_paragraph(shaper: &Shaper<'_>, styled: &StyledText, style: &ParaStyle) -> Vec<SetLine> {
    if styled.text.trim().is_empty() {
        return Vec::new();
    }
    if styled.text.len() > 2 * WINDOW_BYTES {
        return set_in_windows(shaper, styled, style);
    }
    set_lines(shaper, styled, style, false)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

/// A long paragraph set window by window: each window ends at a space about `WINDOW_BYTES` on,
/// its last lines are dropped, and the next window starts where the first dropped line started.
fn set_in_windows(shaper: &Shaper<'_>, styled: &StyledText, style: &ParaStyle) -> Vec<SetLine> {
    let text = &styled.text;
    let mut lines = Vec::new();
    let (mut from, mut continues) = (0, false);
    while from < text.len() && !shaper.budget().exhausted() {
        let mut to = (from + WINDOW_BYTES).min(text.len());
        while !text.is_char_boundary(to) {
            to -= 1;
        }
        let last = to == text.len();
        if !last && let Some(space) = text[from..to].rfind(' ') {
            to = from + space + 1;
        }
        let window = ParaStyle {
            indent: if from == 0 { style.indent } else { 0.0 },
            ..style.clone()
        };
        let mut set = set_lines(shaper, &styled.slice(from..to), &window, continues);
        // At most a quarter of the window is set twice, however few lines it fills (a letter
        // with thirty marks is 60 bytes).
        let keep = if last {
            set.len()
        } else {
            set.len() - WINDOW_OVERLAP_LINES.min(set.len() / 4)
        };
        // The next window starts at the first line dropped (within this one, so it moves on).
        let next = set
            .get(keep)
            .map(|(_, start)| from + start)
            .filter(|&next| keep > 0 && next > from);
        match next {
            Some(next) => {
                continues = set[keep].0.continues;
                set.truncate(keep);
                from = next;
            }
            None => {
                // Too few lines to drop any (a window of one unbreakable word): all stay.
                continues = true;
                from = to;
            }
        }
        lines.extend(set.into_iter().map(|(line, _)| line));
    }
    lines
}

/// Sets `styled` as one paragraph; each line with the byte of the text it starts at.
/// `continues`: the first line carries on a line the width forced apart.
fn set_lines(
    shaper: &Shaper<'_>,
    styled: &StyledText,
    style: &ParaStyle,
    mut continues: bool,
) -> Vec<(SetLine, usize)> {
    if styled.text.trim().is_empty() {
        return Vec::new();
    }
    let Some(para) = Paragraph::shape(shaper, styled, style) else {
        return Vec::new();
    };
    let budget = shaper.budget();
    let breaks = break_paragraph_relaxing(
        &para.items,
        &para.stubs,
        STUB_HYPHEN_PENALTY,
        style.width,
        para.fit,
        &|| budget.tick(),
    );
    let mut lines = Vec::with_capacity(breaks.len());
    let mut start = 0;
    for &brk in &breaks {
        let mut line = para.set_line(shaper, start, brk);
        line.continues = continues;
        continues = !para.forced_break(brk);
        // Empty lines matter in code (blank lines between statements), nowhere else.
        if !line.runs.is_empty() || style.preserve_spaces {
            lines.push((line, para.byte_at(start)));
        }
        start = para.next_line_start(brk);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::display::{Color, Role};
    use crate::text::fonts::{Family, FontBook};
    use crate::text::shape::PlanCache;

    fn set(text: &str, width: f32, align: Align) -> (Vec<SetLine>, String) {
        let book = FontBook::embedded().unwrap();
        let plans = PlanCache::default();
        let shaper = Shaper::new(&book, &plans);
        let mut st = StyledText::default();
        let face = book.select(Family::Serif, false, false);
        st.push(text, SpanStyle::new(face, 10.0, Color::BLACK));
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

    #[test]
    fn a_long_paragraph_is_set_in_windows_with_every_word_in_order_and_lines_justified() {
        // Some 200 KB: seven windows. The lines dropped at each window's end are set again at
        // the next one's start, so no word is lost or doubled and no line mid-paragraph is left
        // short; the indent is the first line's alone.
        let book = FontBook::embedded().unwrap();
        let plans = PlanCache::default();
        let shaper = Shaper::new(&book, &plans);
        let face = book.select(Family::Serif, false, false);
        let mut st = StyledText::default();
        for k in 0..800 {
            st.push(TEXT, SpanStyle::new(face, 10.0, Color::BLACK));
            st.push(
                &format!(" ({k}) "),
                SpanStyle::new(face, 10.0, Color::BLACK),
            );
        }
        assert!(st.text.len() > 6 * WINDOW_BYTES, "{} bytes", st.text.len());
        let style = ParaStyle {
            width: 300.0,
            align: Align::Justify,
            indent: 12.0,
            lang: "ru".into(),
            hyphenate: true,
            preserve_spaces: false,
            role: Role::Body,
        };
        let lines = set_paragraph(&shaper, &st, &style);
        assert!(words_of(&lines) == norm(&st.text), "the words differ");
        for (i, l) in lines.iter().enumerate().take(lines.len() - 1) {
            assert!(
                (l.width - 300.0).abs() < 0.05,
                "line {i} is {} wide",
                l.width
            );
            let x = l.runs[0].x;
            let indented = if i == 0 { x > 11.0 } else { x.abs() < 0.01 };
            assert!(indented, "line {i} starts at {x}");
            assert_eq!(l.continues, i > 0, "line {i}");
        }
    }

    /// The words of `text`, one space between.
    fn norm(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The words the lines print, hyphens at line ends joined back.
    fn words_of(lines: &[SetLine]) -> String {
        let mut out = String::new();
        for l in lines {
            for r in &l.runs {
                out.push_str(&r.text);
            }
            if l.hyphenated {
                out.pop();
            } else {
                out.push(' ');
            }
        }
        norm(&out)
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
        assert_eq!(words_of(&lines), norm(&text));
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

    fn line_text(l: &SetLine) -> String {
        l.runs.iter().map(|r| r.text.as_str()).collect()
    }

    #[test]
    fn russian_no_break_rules_hold_at_every_width() {
        let text = "В 1977–1983 годах А. С. Пушкин и Ф. Кисида — так сказал бы он же — перевезли 45 876 \
            автомобилей, 12 км дороги и 300 тыс. рублей по постановлению № 412-п (§ 3) на 38 % больше. \
            Я и ты, мы с ним, он в лесу, а она у реки, но не ли? Сумма 1 234 567,89 руб.";
        use crate::text::typography::{joined_break_forbidden, space_break_forbidden};
        let mut checked = 0;
        for width in (90..=300).step_by(7) {
            let (lines, _) = set(text, width as f32, Align::Justify);
            for pair in lines.windows(2) {
                let (a, b) = (line_text(&pair[0]), line_text(&pair[1]));
                if pair[0].hyphenated {
                    continue;
                }
                let last = a.split_whitespace().last().unwrap_or("");
                let first = b.split_whitespace().next().unwrap_or("");
                assert!(
                    !b.starts_with(['—', '–']),
                    "width {width}: line starts with a dash: {b:?}"
                );
                if a.ends_with(char::is_whitespace) || !last.ends_with(['–', '-']) {
                    assert!(
                        !space_break_forbidden(last, first),
                        "width {width}: break between {last:?} and {first:?}"
                    );
                } else {
                    assert!(
                        !joined_break_forbidden(last, first),
                        "width {width}: range split {last:?}|{first:?}"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 100);
    }

    #[test]
    fn existing_no_break_spaces_are_honoured() {
        let text = "Стоимость\u{a0}проезда\u{202f}составит 45\u{a0}876 рублей; ".repeat(6);
        for width in (80..=200).step_by(11) {
            let (lines, _) = set(&text, width as f32, Align::Justify);
            for l in &lines {
                let t = line_text(l);
                assert!(
                    !t.trim_end().ends_with("Стоимость") && !t.trim_end().ends_with("45"),
                    "{t:?}"
                );
            }
        }
    }
}
