//! Layout properties asserted on the display list: fast, exact, no PDF involved.

use crate::common::*;
use babrpdf::layout::display::{Document, Page, Role};
use babrpdf::{Article, Paper, RenderOptions};

fn layout(article: &Article, paper: Paper) -> Document {
    engine()
        .layout(
            article,
            &RenderOptions {
                paper: Some(paper),
                ..Default::default()
            },
        )
        .expect("lays out")
}

fn article(title: &str, body: &str, format: &str) -> Article {
    let json = serde_json::json!({"title": title, "body": body, "body_format": format});
    Article::from_json(json.to_string().as_bytes()).unwrap()
}

const TOLERANCE: f32 = 0.01;

/// Body runs (everything but header and footer) lie inside the text area; furniture lies outside
/// it but on the page.
fn assert_inside(doc: &Document, what: &str) {
    for (p, page) in doc.pages.iter().enumerate() {
        let a = page.text_area;
        for run in page.runs() {
            let right = run.x + run.width();
            match run.role {
                Role::Header | Role::Footer => {
                    assert!(
                        run.x >= 0.0 && right <= page.width && run.y > 0.0 && run.y < page.height,
                        "{what} p{p}: furniture off the page"
                    );
                    assert!(
                        run.y < a.y || run.y > a.bottom(),
                        "{what} p{p}: furniture inside the text area"
                    );
                }
                _ => {
                    assert!(
                        run.x >= a.x - TOLERANCE,
                        "{what} p{p}: {:?} starts at {} left of {}",
                        run.text,
                        run.x,
                        a.x
                    );
                    assert!(
                        right <= a.right() + TOLERANCE,
                        "{what} p{p}: {:?} ends at {right}, past {}",
                        run.text,
                        a.right()
                    );
                    assert!(
                        run.y - run.size * 0.8 >= a.y - TOLERANCE
                            && run.y <= a.bottom() + TOLERANCE,
                        "{what} p{p}: {:?} at y {} outside {}..{}",
                        run.text,
                        run.y,
                        a.y,
                        a.bottom()
                    );
                }
            }
        }
    }
}

#[test]
fn no_glyph_outside_the_text_area() {
    for name in SAMPLES {
        for paper in [Paper::A4, Paper::A5, Paper::Letter] {
            assert_inside(&layout(&sample(name), paper), &format!("{name} {paper:?}"));
        }
    }
    let url =
        "https://babr-news.example/".to_string() + &"archive/2024/report?id=1&x=y-".repeat(60);
    let hostile = [
        (
            "word",
            "Начало. ".to_string() + &"ы".repeat(50_000) + " конец.",
        ),
        ("url", format!("Адрес: {url} и дальше текст.")),
        ("digits", "1234567890".repeat(2_000)),
        ("marks", "а\u{301}".repeat(5_000)),
    ];
    for (what, body) in hostile {
        assert_inside(
            &layout(&article("Проверка полей", &body, "text"), Paper::A4),
            what,
        );
    }
}

/// Lines of a page: runs grouped by baseline, top to bottom, furniture left out.
fn lines(page: &Page) -> Vec<(f32, Vec<&babrpdf::layout::display::GlyphRun>)> {
    let mut out: Vec<(f32, Vec<_>)> = Vec::new();
    let mut runs: Vec<_> = page
        .runs()
        .filter(|r| !matches!(r.role, Role::Header | Role::Footer))
        .collect();
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    for r in runs {
        match out.last_mut() {
            Some((y, line)) if (*y - r.y).abs() < 0.5 => line.push(r),
            _ => out.push((r.y, vec![r])),
        }
    }
    out
}

/// Many headings and paragraphs of 1–12 lines whose every word names its paragraph (`ж17`), so a
/// line on the page tells which paragraph it belongs to. Words with digits never hyphenate.
fn tagged_article() -> (Article, Vec<usize>) {
    let mut body = String::new();
    let mut sizes = Vec::new();
    for k in 0..120 {
        if k % 7 == 3 {
            body.push_str(&format!("## Раздел номер {k} о событиях недели\n\n"));
        }
        let words = [10, 40, 90, 150, 220, 300][k * 7 % 6];
        sizes.push(words);
        let para: Vec<String> = (0..words).map(|_| format!("ж{k}")).collect();
        body.push_str(&para.join(" "));
        body.push_str("\n\n");
    }
    (
        article("Проверка вёрстки страниц", &body, "markdown"),
        sizes,
    )
}

fn paragraph_of(line: &[&babrpdf::layout::display::GlyphRun]) -> Option<usize> {
    let text: String = line.iter().map(|r| r.text.as_str()).collect();
    text.split_whitespace()
        .next()?
        .strip_prefix('ж')?
        .parse()
        .ok()
}

#[test]
fn no_heading_is_the_last_line_of_a_page() {
    let docs = [
        layout(&tagged_article().0, Paper::A4),
        layout(&tagged_article().0, Paper::A5),
        layout(&sample("long-feature.json"), Paper::A4),
        layout(&sample("long-feature.json"), Paper::A5),
    ];
    let mut checked = 0;
    for doc in &docs {
        for (p, page) in doc.pages.iter().enumerate() {
            let ls = lines(page);
            if let Some((_, last)) = ls.last() {
                checked += 1;
                assert!(
                    !last.iter().any(|r| matches!(r.role, Role::Heading(_))),
                    "page {p} ends with a heading"
                );
            }
        }
    }
    assert!(checked > 10);
}

/// Checks that every paragraph split across pages keeps at least `min` lines on each side.
fn assert_split_paragraphs_keep(doc: &Document, min: usize, what: &str) {
    let mut per_page: Vec<std::collections::BTreeMap<usize, usize>> = Vec::new();
    let mut total: std::collections::BTreeMap<usize, usize> = Default::default();
    for page in &doc.pages {
        let mut counts = std::collections::BTreeMap::new();
        for (_, line) in lines(page) {
            if let Some(k) = paragraph_of(&line) {
                *counts.entry(k).or_insert(0) += 1;
                *total.entry(k).or_insert(0) += 1;
            }
        }
        per_page.push(counts);
    }
    let mut split = 0;
    for (p, counts) in per_page.iter().enumerate() {
        for (k, n) in counts {
            if total[k] > *n {
                split += 1;
                assert!(
                    *n >= min,
                    "{what} page {p}: paragraph {k} has {n} of {} lines here",
                    total[k]
                );
            }
        }
    }
    assert!(
        split > 0,
        "{what}: no paragraph was split across pages, the test proves nothing"
    );
}

#[test]
fn no_lone_paragraph_line_at_a_page_edge() {
    let (article, _) = tagged_article();
    for paper in [Paper::A4, Paper::A5] {
        let doc = layout(&article, paper);
        assert!(doc.pages.len() >= 3);
        assert_split_paragraphs_keep(&doc, 2, &format!("{paper:?}"));
    }
}

#[test]
fn widow_and_orphan_control_is_configurable() {
    let (article, _) = tagged_article();
    let options = RenderOptions {
        widows: 3,
        orphans: 3,
        ..Default::default()
    };
    let doc = engine().layout(&article, &options).unwrap();
    assert_split_paragraphs_keep(&doc, 3, "3/3");
}

#[test]
fn justified_lines_reach_the_right_edge() {
    let doc = layout(&sample("long-feature.json"), Paper::A4);
    let page = &doc.pages[1];
    let right = page.text_area.right();
    let full = lines(page)
        .iter()
        .filter(|(_, l)| l.iter().all(|r| r.role == Role::Body))
        .filter(|(_, l)| {
            let end = l.iter().map(|r| r.x + r.width()).fold(0.0f32, f32::max);
            (end - right).abs() < 0.05
        })
        .count();
    assert!(full > 20, "only {full} lines end at the right edge");
}

#[test]
fn running_header_from_page_two_and_footer_everywhere() {
    let article = sample("long-feature.json");
    let doc = layout(&article, Paper::A4);
    let n = doc.pages.len();
    for (p, page) in doc.pages.iter().enumerate() {
        let footer: String = page
            .runs()
            .filter(|r| r.role == Role::Footer)
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            footer.contains(&format!("стр. {} из {n}", p + 1)),
            "page {p} footer {footer:?}"
        );
        assert!(
            footer.contains("https://babr-news.example"),
            "page {p}: no url in footer"
        );
        let header: String = page
            .runs()
            .filter(|r| r.role == Role::Header)
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            header.contains("Бабр-Новости"),
            "page {p}: no source in header"
        );
        if p > 0 {
            let start: String = article.title.chars().take(12).collect();
            assert!(
                header.contains(&start),
                "page {p}: header {header:?} lacks the title"
            );
        }
    }
}

#[test]
fn cover_and_body_images_print_their_caption_until_images_are_drawn() {
    let json = serde_json::json!({
        "title": "Фото дня",
        "body": "Текст.\n\n![Лёд на Байкале](ice.jpg \"Фото: Иван Петров\")\n\nЕщё текст.",
        "cover": {"src": "cover.jpg", "caption": "Паром у причала", "credit": "Фото: автор"}
    });
    let article = Article::from_json(json.to_string().as_bytes()).unwrap();
    let doc = layout(&article, Paper::A4);
    let text: String = doc
        .pages
        .iter()
        .flat_map(|p| p.runs())
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("Паром у причала. Фото: автор"), "{text}");
    assert!(text.contains("Лёд на Байкале. Фото: Иван Петров"), "{text}");
}

/// Text of the body lines of a page, top to bottom.
fn line_texts(page: &Page) -> Vec<(String, Role)> {
    lines(page)
        .into_iter()
        .map(|(_, l)| {
            (
                l.iter().map(|r| r.text.as_str()).collect::<String>(),
                l[0].role,
            )
        })
        .collect()
}

#[test]
fn no_hyphen_at_a_page_end_none_in_headings_at_most_two_in_a_row() {
    let article = sample("long-feature.json");
    let plain: String = article
        .body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for paper in [Paper::A4, Paper::A5, Paper::Letter] {
        let doc = layout(&article, paper);
        let mut in_a_row = 0;
        let mut seen = 0;
        for (p, page) in doc.pages.iter().enumerate() {
            let lines = line_texts(page);
            for (k, (text, role)) in lines.iter().enumerate() {
                // A soft hyphen is one whose word appears unhyphenated in the source.
                let soft = text.ends_with('-') && {
                    let stem = text
                        .split_whitespace()
                        .last()
                        .unwrap_or("")
                        .trim_end_matches('-');
                    let next = lines
                        .get(k + 1)
                        .or(doc
                            .pages
                            .get(p + 1)
                            .and_then(|n| line_texts(n).first().cloned())
                            .as_ref())
                        .map(|(t, _)| t.split_whitespace().next().unwrap_or("").to_string())
                        .unwrap_or_default();
                    !stem.is_empty()
                        && plain.contains(&format!(
                            "{stem}{}",
                            next.trim_end_matches([',', '.', ';', ':', '»'])
                        ))
                };
                if soft {
                    seen += 1;
                    assert!(
                        !matches!(role, Role::Heading(_) | Role::Title),
                        "{paper:?} p{p}: hyphen in a heading: {text}"
                    );
                    assert!(
                        k + 1 < lines.len(),
                        "{paper:?} p{p}: the page ends with a hyphen: {text}"
                    );
                    in_a_row += 1;
                    assert!(
                        in_a_row <= 2,
                        "{paper:?} p{p}: three hyphenated lines in a row, last {text}"
                    );
                } else {
                    in_a_row = 0;
                }
            }
        }
        assert!(
            seen >= 5,
            "{paper:?}: only {seen} hyphenated lines recognised; the test proves little"
        );
    }
}
