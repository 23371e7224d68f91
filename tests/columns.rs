//! The two-column newspaper page (`"columns": 2` in a theme): what spans, what flows, where the
//! footnotes stand, and a balanced last page — asserted on the display list.

mod common;

use std::sync::Arc;

use babrpdf::layout::display::{Document, GlyphRun, Page, Role};
use babrpdf::theme::ThemeFile;
use babrpdf::{Article, Profile, RenderOptions};
use common::*;

fn two_columns() -> Arc<ThemeFile> {
    Arc::new(ThemeFile::load(&sample_path("theme/two-columns.json")).expect("theme loads"))
}

fn layout(article: &Article, name: &str, theme: Option<Arc<ThemeFile>>) -> Document {
    engine()
        .layout(
            article,
            &RenderOptions {
                theme,
                ..RenderOptions::for_article_file(&sample_path(name))
            },
        )
        .expect("lays out")
}

/// The column a run stands in: 0 or 1, or `None` when it crosses the gutter.
fn column_of(page: &Page, run: &GlyphRun) -> Option<usize> {
    let middle = page.text_area.x + page.text_area.width / 2.0;
    let right = run.x + run.width();
    if right <= middle {
        Some(0)
    } else if run.x >= middle {
        Some(1)
    } else {
        None
    }
}

fn is_body(run: &GlyphRun) -> bool {
    matches!(run.role, Role::Body)
}

#[test]
fn the_title_spans_the_page_and_body_text_keeps_to_its_column() {
    let name = "long-feature.json";
    let doc = layout(&sample(name), name, Some(two_columns()));
    let first = &doc.pages[0];
    let title_right = first
        .runs()
        .filter(|r| matches!(r.role, Role::Title))
        .map(|r| r.x + r.width())
        .fold(0.0f32, f32::max);
    let middle = first.text_area.x + first.text_area.width / 2.0;
    assert!(
        title_right > middle + 50.0,
        "the headline does not span the columns"
    );
    let mut in_second = 0;
    for (p, page) in doc.pages.iter().enumerate() {
        for run in page.runs().filter(|r| is_body(r)) {
            let column = column_of(page, run);
            assert!(
                column.is_some(),
                "p{}: body run {:?} crosses the gutter",
                p + 1,
                run.text
            );
            in_second += usize::from(column == Some(1));
        }
    }
    assert!(in_second > 100, "the second column is (nearly) empty");
}

#[test]
fn two_columns_take_a_third_less_paper() {
    let name = "long-feature.json";
    let one = layout(&sample(name), name, None).pages.len();
    let two = layout(&sample(name), name, Some(two_columns())).pages.len();
    assert!(
        two * 3 <= one * 2 + 1,
        "{two} pages in two columns for {one} in one"
    );
}

#[test]
fn the_last_page_of_text_is_balanced() {
    // Text only: a tall figure is one block and may leave its column the taller one.
    let plain = serde_json::json!({
        "title": "Колонки",
        "body": (1..=23)
            .map(|n| format!("Абзац {n}: {}", "слово и ещё одно слово, ".repeat(12)))
            .collect::<Vec<_>>()
            .join("\n\n"),
    });
    let plain = Article::from_json(plain.to_string().as_bytes()).unwrap();
    for (name, article) in [
        ("long-feature.json", sample("long-feature.json")),
        ("short-news.json", sample("short-news.json")),
        ("plain", plain),
    ] {
        let doc = layout(&article, "short-news.json", Some(two_columns()));
        let last = doc.pages.last().unwrap();
        let mut bottoms = [0.0f32; 2];
        let mut lines = [0usize; 2];
        for run in last
            .runs()
            .filter(|r| is_body(r) || matches!(r.role, Role::Meta))
        {
            if let Some(c) = column_of(last, run) {
                bottoms[c] = bottoms[c].max(run.y);
                lines[c] += 1;
            }
        }
        if lines[1] == 0 {
            // Everything fits one column's first lines: nothing to balance.
            continue;
        }
        // Keeps (headings with their text, widows and orphans) may leave a few lines' difference.
        let leading = 9.5 * 1.3;
        assert!(
            (bottoms[0] - bottoms[1]).abs() <= 3.0 * leading + 0.5,
            "{name}: columns end at {} and {}",
            bottoms[0],
            bottoms[1]
        );
    }
}

#[test]
fn footnotes_stand_at_the_foot_of_their_column() {
    let name = "rich-article.md";
    let article = Article::from_markdown(&std::fs::read(sample_path(name)).unwrap()).unwrap();
    let doc = layout(&article, name, Some(two_columns()));
    let mut notes = 0;
    for page in &doc.pages {
        // A footnote's number in the body, and the note's number at a column's foot.
        let body_marks: Vec<&GlyphRun> = page
            .runs()
            .filter(|r| is_body(r) && r.note.is_some())
            .collect();
        for mark in body_marks {
            let n = mark.text.trim();
            let note = page
                .runs()
                .filter(|r| matches!(r.role, Role::Meta) && r.y > mark.y && r.text.trim() == n)
                .max_by(|a, b| a.y.total_cmp(&b.y))
                .unwrap_or_else(|| panic!("footnote {n} is not on its page"));
            assert_eq!(
                column_of(page, note),
                column_of(page, mark),
                "footnote {n} is not under its column"
            );
            notes += 1;
        }
    }
    assert!(notes >= 1, "rich-article.md has footnotes");
}

#[test]
fn every_sample_in_two_columns_stays_inside_the_text_area_in_both_profiles() {
    for name in [
        "long-feature.json",
        "short-news.json",
        "html-news.json",
        "multilingual.json",
    ] {
        for profile in [Profile::Download, Profile::Print] {
            let doc = engine()
                .layout(
                    &sample(name),
                    &RenderOptions {
                        theme: Some(two_columns()),
                        profile,
                        ..RenderOptions::for_article_file(&sample_path(name))
                    },
                )
                .unwrap();
            for (p, page) in doc.pages.iter().enumerate() {
                let a = page.text_area;
                for run in page.runs() {
                    if matches!(run.role, Role::Header | Role::Footer) {
                        continue;
                    }
                    assert!(
                        run.x >= a.x - 0.01 && run.x + run.width() <= a.right() + 0.01,
                        "{name} {profile:?} p{}: {:?} outside the text area",
                        p + 1,
                        run.text
                    );
                    assert!(
                        run.y <= a.bottom() + 0.01,
                        "{name} {profile:?} p{}: {:?} below the text area",
                        p + 1,
                        run.text
                    );
                }
            }
        }
    }
}

#[test]
fn a_theme_refuses_three_columns_with_its_name_and_the_field() {
    let dir = scratch("columns", "three");
    let path = dir.join("three.json");
    std::fs::write(&path, r#"{"columns": 3}"#).unwrap();
    let e = ThemeFile::load(&path).unwrap_err().to_string();
    assert!(e.contains("three.json") && e.contains("columns 3"), "{e}");
}
