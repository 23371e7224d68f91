//! Where lines break and how even their word spaces are, asserted on the display list: the breaks
//! a Russian typesetter refuses (a case ending torn from its number, a split range, a stub of a
//! word alone on a paragraph's last line, a headline split inside a short quotation) and the
//! spread of justified word spaces on a long article.

use crate::common::*;
use babrpdf::layout::display::{Document, GlyphRun, Page, Role};
use babrpdf::{Article, Paper, Profile, RenderOptions};

fn layout_with(article: &Article, paper: Paper, profile: Profile) -> Document {
    engine()
        .layout(
            article,
            &RenderOptions {
                paper: Some(paper),
                profile,
                ..Default::default()
            },
        )
        .expect("lays out")
}

fn layout(article: &Article, paper: Paper) -> Document {
    layout_with(article, paper, Profile::default())
}

fn article(title: &str, body: &str) -> Article {
    let json =
        serde_json::json!({"title": title, "body": body, "body_format": "text", "lang": "ru"});
    Article::from_json(json.to_string().as_bytes()).unwrap()
}

/// One set line of a page: its runs left to right, and its text.
struct Line<'d> {
    runs: Vec<&'d GlyphRun>,
    text: String,
}

impl Line<'_> {
    fn left(&self) -> f32 {
        self.runs[0].x
    }

    fn right(&self) -> f32 {
        self.runs
            .iter()
            .map(|r| r.x + r.width())
            .fold(f32::MIN, f32::max)
    }

    fn role(&self) -> Role {
        self.runs[0].role
    }
}

/// The lines of a page, top to bottom, running header and footer left out.
fn lines(page: &Page) -> Vec<Line<'_>> {
    lines_where(page, |_| true)
}

/// The lines made of the runs `keep` keeps (one column of a two-column page, say).
fn lines_where(page: &Page, keep: impl Fn(&GlyphRun) -> bool) -> Vec<Line<'_>> {
    let mut runs: Vec<&GlyphRun> = page
        .runs()
        .filter(|r| !matches!(r.role, Role::Header | Role::Footer) && keep(r))
        .collect();
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut out: Vec<(f32, Vec<&GlyphRun>)> = Vec::new();
    for r in runs {
        match out.last_mut() {
            Some((y, line)) if (*y - r.y).abs() < 0.5 => line.push(r),
            _ => out.push((r.y, vec![r])),
        }
    }
    out.into_iter()
        .map(|(_, runs)| Line {
            text: runs.iter().map(|r| r.text.as_str()).collect(),
            runs,
        })
        .collect()
}

/// Every line of the document, page after page.
fn all_lines(doc: &Document) -> Vec<Line<'_>> {
    doc.pages.iter().flat_map(lines).collect()
}

/// A body line set to the full measure (justified, and not a paragraph's last line).
fn is_justified(line: &Line, page: &Page) -> bool {
    line.role() == Role::Body
        && line.text.split_whitespace().count() >= 2
        && (line.right() - page.text_area.right()).abs() < 0.05
}

/// Word spaces of a line, in em of the run that holds them (a space's set advance; runs of spaces
/// count as one gap).
fn gaps(line: &Line) -> Vec<f32> {
    let mut out = Vec::new();
    let mut open: Option<f32> = None;
    for run in &line.runs {
        for g in &run.glyphs {
            let text = &run.text[g.text_bytes()];
            if !text.is_empty() && text.chars().all(char::is_whitespace) {
                *open.get_or_insert(0.0) += g.advance / run.size;
            } else if let Some(gap) = open.take() {
                out.push(gap);
            }
        }
    }
    out
}

/// Word spaces of every justified line of the document, in em.
fn justified_gaps(doc: &Document) -> Vec<f32> {
    let mut out = Vec::new();
    for page in &doc.pages {
        for line in lines(page) {
            if is_justified(&line, page) {
                out.extend(gaps(&line));
            }
        }
    }
    out
}

fn percentile(values: &[f32], p: f64) -> f32 {
    let mut v = values.to_vec();
    v.sort_by(f32::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// A gap wider than this makes a loose line (pdfcheck's threshold).
const LOOSE_EM: f32 = 0.6;

/// Many paragraphs that say the same with a different number of words in front, so each phrase
/// of interest falls at every place of a line somewhere in the article.
fn shifted_body(sentence: &str, copies: usize) -> String {
    const FILLER: [&str; 7] = [
        "Сообщает",
        "пресс-служба",
        "областного",
        "правительства",
        "по итогам",
        "совещания",
        "вчера",
    ];
    (0..copies)
        .map(|k| {
            let lead: Vec<&str> = (0..k).map(|i| FILLER[i % FILLER.len()]).collect();
            format!("{} {sentence}", lead.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn last_word(text: &str) -> &str {
    text.split_whitespace().last().unwrap_or("")
}

fn first_word(text: &str) -> &str {
    text.split_whitespace().next().unwrap_or("")
}

fn is_numeral(s: &str) -> bool {
    !s.is_empty()
        && (s.chars().all(|c| c.is_ascii_digit())
            || s.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C')))
}

#[test]
fn a_case_ending_stays_with_its_number() {
    let sentence = "В 1950–1960-х годах и в 90-е в районе строили дома; на 5-й улице в XX-го века \
        постройках и в 1970-х жили рабочие, в 80-е их расселили, а к 2000-м снесли.";
    let a = article("Годы", &shifted_body(sentence, 40));
    let mut checked = 0;
    for paper in [Paper::A4, Paper::A5, Paper::Letter] {
        let doc = layout(&a, paper);
        let lines = all_lines(&doc);
        for pair in lines.windows(2) {
            let (end, next) = (last_word(&pair[0].text), first_word(&pair[1].text));
            let Some(stem) = end.strip_suffix('-') else {
                continue;
            };
            checked += 1;
            let number = stem.rsplit(['–', '—']).next().unwrap_or(stem);
            let ending: String = next.chars().take_while(|c| c.is_alphabetic()).collect();
            assert!(
                !(is_numeral(number) && (1..=3).contains(&ending.chars().count())),
                "{paper:?}: a line ends with {end:?} and the next begins with {next:?}"
            );
        }
    }
    assert!(
        checked > 0,
        "no line ends after a hyphen: the test proves nothing"
    );
}

#[test]
fn a_range_with_an_en_dash_is_never_split() {
    let sentence = "Навигация длится май–июнь и сентябрь–октябрь, а в 1977–1983 годах длилась \
        с апреля по ноябрь; маршрут Иркутск–Листвянка–Байкальск открыт с 9–10 июня.";
    let a = article("Диапазоны", &shifted_body(sentence, 40));
    for paper in [Paper::A4, Paper::A5, Paper::Letter] {
        let doc = layout(&a, paper);
        let lines = all_lines(&doc);
        for pair in lines.windows(2) {
            let (a, b) = (pair[0].text.trim_end(), pair[1].text.trim_start());
            assert!(
                !b.starts_with(['–', '—']) || pair[0].text.ends_with(char::is_whitespace),
                "{paper:?}: a line begins with a dash: {b:?}"
            );
            let joined = a
                .strip_suffix('–')
                .is_some_and(|s| s.ends_with(char::is_alphanumeric))
                && b.starts_with(char::is_alphanumeric);
            assert!(!joined, "{paper:?}: range split: {a:?} | {b:?}");
        }
    }
}

/// Letters of a text.
fn letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

/// Fewest letters on a paragraph's last line when it begins with the rest of a hyphenated word.
const MIN_REMNANT_LETTERS: usize = 5;

#[test]
fn a_paragraph_never_ends_with_a_stub_of_a_hyphenated_word() {
    // Paragraphs ending in long words that hyphenate near their end (покры-шек, полу-дня,
    // Пет-ров), each shifted along the line by the words in front.
    let endings = [
        "завезли новые покрышек.",
        "работали до полудня.",
        "рассказал Петров.",
        "обсуждали снабжение.",
        "ждали электричества.",
    ];
    let mut body = Vec::new();
    for (e, ending) in endings.iter().enumerate() {
        for k in 0..24 {
            let words: Vec<&str> = ["В", "посёлке", "на", "берегу", "залива", "рабочие"]
                .iter()
                .cycle()
                .take(k + 8 + e)
                .copied()
                .collect();
            body.push(format!("{} {ending}", words.join(" ")));
        }
    }
    let a = article("Окончания", &body.join("\n\n"));
    let mut paragraphs = 0;
    for paper in [Paper::A4, Paper::A5, Paper::Letter] {
        let doc = layout(&a, paper);
        for page in &doc.pages {
            let lines = lines(page);
            for (i, pair) in lines.windows(2).enumerate() {
                // The line after is indented (a new paragraph) or it is the page's last line.
                let last_of_para = lines
                    .get(i + 2)
                    .is_some_and(|n| n.left() > page.text_area.x + 1.0);
                if !last_of_para || pair[1].role() != Role::Body {
                    continue;
                }
                paragraphs += 1;
                if pair[0].text.ends_with('-') && !pair[0].text.ends_with(" -") {
                    assert!(
                        letters(&pair[1].text) >= MIN_REMNANT_LETTERS,
                        "{paper:?}: last line {:?} after {:?}",
                        pair[1].text,
                        last_word(&pair[0].text)
                    );
                }
            }
        }
    }
    assert!(paragraphs > 100, "only {paragraphs} paragraph ends found");
}

#[test]
fn a_soft_hyphen_is_where_a_word_breaks_and_the_break_prints_a_hyphen() {
    // Soft hyphens from the newsroom's editor are the word's only hyphenation points. Unicode's
    // line breaking allows a break after one, which printed no hyphen at all.
    let word = "пре\u{ad}вос\u{ad}ход\u{ad}ность";
    let body: Vec<String> = (0..12)
        .map(|k| vec![word; 20 + k].join(" ") + ".")
        .collect();
    let doc = layout(&article("Мягкие переносы", &body.join("\n\n")), Paper::A5);
    let texts: Vec<String> = all_lines(&doc)
        .iter()
        .filter(|l| l.role() == Role::Body)
        .map(|l| l.text.replace('\u{ad}', ""))
        .collect();
    let mut broken = 0;
    for text in &texts {
        let last = last_word(text).trim_end_matches('.');
        match last.strip_suffix('-') {
            Some(part) => {
                broken += 1;
                assert!(
                    ["пре", "превос", "превосход"].contains(&part),
                    "broken at no soft hyphen: {text:?}"
                );
            }
            None => assert_eq!(last, "превосходность", "broken without a hyphen: {text:?}"),
        }
    }
    assert!(
        broken > 10,
        "only {broken} of {} lines end in a hyphen",
        texts.len()
    );
}

#[test]
fn a_headline_breaks_before_a_short_quotation_not_inside_it() {
    let mut md = std::fs::read_to_string(sample_path("rich-article.md")).unwrap();
    let titles = [
        "Кругобайкальская железная дорога: 120 лет «золотой пряжке» Транссиба",
        "Кругобайкальская железная дорога: сто двадцать лет «золотой пряжке» Транссиба",
        "Жители Ольхона назвали новый паром «Баргузином» в честь ветра",
        "В Иркутске открыли выставку «Старый город» и провели экскурсии",
    ];
    let original = "Кругобайкальская железная дорога: 120 лет «золотой пряжке» Транссиба";
    assert!(md.contains(original));
    for title in titles {
        md = md.replace(original, title);
        let a = Article::from_markdown(md.as_bytes()).unwrap();
        for paper in [Paper::A4, Paper::A5, Paper::Letter] {
            let doc = layout(&a, paper);
            let title_lines: Vec<String> = all_lines(&doc)
                .into_iter()
                .filter(|l| l.role() == Role::Title)
                .map(|l| l.text.trim().to_string())
                .collect();
            for line in &title_lines[..title_lines.len().saturating_sub(1)] {
                let open = line.matches('«').count();
                let close = line.matches('»').count();
                assert!(
                    open <= close,
                    "{paper:?}: the title breaks inside a quotation: {title_lines:?}"
                );
            }
        }
        md = md.replace(title, original);
    }
}

#[test]
fn no_loose_line_in_the_html_news_sample() {
    let a = sample("html-news.json");
    for profile in [Profile::Download, Profile::Print] {
        let doc = layout_with(&a, Paper::A4, profile);
        let page = &doc.pages[0];
        for line in lines(page) {
            if !is_justified(&line, page) {
                continue;
            }
            let widest = gaps(&line).into_iter().fold(0.0f32, f32::max);
            assert!(
                widest <= 0.45,
                "{profile:?}: a word space of {widest:.2} em in {:?}",
                line.text
            );
        }
    }
}

#[test]
fn the_stub_rule_gives_way_only_to_a_gaping_line() {
    // «заменили деформационные швы и гидроизоляцию;» in a column of the two-column theme: with
    // every stub forbidden, the only breaks left a line with spaces of almost 4 em.
    let theme = babrpdf::theme::ThemeFile::load(&sample_path("theme/two-columns.json")).unwrap();
    let doc = engine()
        .layout(
            &sample("html-news.json"),
            &RenderOptions {
                theme: Some(std::sync::Arc::new(theme)),
                ..RenderOptions::for_article_file(&sample_path("html-news.json"))
            },
        )
        .unwrap();
    let page = &doc.pages[0];
    let middle = page.text_area.x + page.text_area.width / 2.0;
    let mut measured = 0;
    for left in [true, false] {
        for line in lines_where(page, |r| (r.x < middle) == left) {
            if line.role() != Role::Body || line.text.split_whitespace().count() < 2 {
                continue;
            }
            measured += 1;
            let widest = gaps(&line).into_iter().fold(0.0f32, f32::max);
            assert!(
                widest <= LOOSE_EM,
                "a word space of {widest:.2} em in {:?}",
                line.text
            );
        }
    }
    assert!(measured > 5);
}

/// The short news body ten times over: a long article of plain Russian prose.
fn long_article() -> Article {
    let mut a = sample("short-news.json");
    a.body = [a.body.as_str(); 10].join("\n\n");
    a
}

/// One-letter words that must not end a line (Russian prepositions and conjunctions).
fn ends_with_one_letter_word(text: &str) -> bool {
    let w = last_word(text);
    text.ends_with(|c: char| !c.is_whitespace())
        && w.chars().count() == 1
        && w.chars().all(|c| c.is_alphabetic())
}

#[test]
fn word_spaces_of_a_long_article_are_as_even_as_texs() {
    for paper in [Paper::A4, Paper::A5] {
        let doc = layout(&long_article(), paper);
        let g = justified_gaps(&doc);
        assert!(g.len() > 200, "{paper:?}: only {} gaps measured", g.len());
        let p95 = percentile(&g, 0.95);
        let loose = doc
            .pages
            .iter()
            .flat_map(|p| lines(p).into_iter().filter(move |l| is_justified(l, p)))
            .filter(|l| gaps(l).iter().any(|&x| x > LOOSE_EM))
            .count();
        let one_letter = all_lines(&doc)
            .iter()
            .filter(|l| l.role() == Role::Body && ends_with_one_letter_word(&l.text))
            .count();
        eprintln!(
            "{paper:?}: {} pages, {} gaps, median {:.3} em, p95 {p95:.3} em, max {:.3} em, {loose} loose, {one_letter} one-letter ends",
            doc.pages.len(),
            g.len(),
            percentile(&g, 0.5),
            percentile(&g, 1.0)
        );
        // pandoc + XeLaTeX sets this text with a p95 space of 0.31 em. On A5 one paragraph, ten
        // times over, has a first line nothing can tighten (a range bound to «в» is wider than
        // the slack), which alone makes the top 5 %: there only the other properties are held.
        if paper == Paper::A4 {
            assert!(p95 <= 0.31, "{paper:?}: p95 word space {p95:.3} em");
        }
        assert_eq!(loose, 0, "{paper:?}: loose lines");
        assert_eq!(
            one_letter, 0,
            "{paper:?}: lines ending in a one-letter word"
        );
    }
}

#[test]
fn expanded_lines_stay_within_one_and_a_half_percent_and_read_back() {
    let a = long_article();
    let doc = layout(&a, Paper::A4);
    let runs: Vec<&GlyphRun> = doc.pages.iter().flat_map(|p| p.runs()).collect();
    assert!(
        runs.iter()
            .all(|r| (r.expansion - 1.0).abs() <= 0.015 + 1e-6)
    );
    assert!(
        runs.iter().any(|r| r.expansion != 1.0),
        "no justified line uses expansion"
    );
    // The PDF draws expanded lines through a scaled text matrix; what a reader copies out is
    // still the text, word for word.
    let text = pdf_text(&load(&render(&a)));
    let printed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for word in ["Ольхонская", "постановлению", "пассажиров", "навесом"]
    {
        assert_eq!(
            printed.matches(word).count(),
            a.body.matches(word).count(),
            "{word}"
        );
    }
}
