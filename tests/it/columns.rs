//! The two-column newspaper page (`"columns": 2` in a theme): what spans, what flows, where the
//! footnotes stand, and a balanced last page — asserted on the display list.

use std::sync::Arc;

use crate::common::*;
use babrpdf::layout::display::{Document, GlyphRun, Page, Role};
use babrpdf::theme::ThemeFile;
use babrpdf::{Article, Profile, RenderOptions};

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

/// An article of `paragraphs` plain paragraphs of ordinary length.
fn plain_article(paragraphs: usize) -> Article {
    let json = serde_json::json!({
        "title": "Колонки",
        "body": (1..=paragraphs)
            .map(|n| format!("Абзац {n}: {}", "слово и ещё одно слово, ".repeat(12)))
            .collect::<Vec<_>>()
            .join("\n\n"),
    });
    Article::from_json(json.to_string().as_bytes()).unwrap()
}

#[test]
fn two_columns_take_a_third_less_paper_for_the_same_text() {
    // Text alone: full-width pictures take the same room in either layout.
    let article = plain_article(120);
    // Against the default page: the saving comes from the type and margins that two short
    // columns make readable (9.5 pt across a whole A4 line would run to some 110 letters).
    let one = layout(&article, "short-news.json", None).pages.len();
    let two = layout(&article, "short-news.json", Some(two_columns()))
        .pages
        .len();
    assert!(one >= 6, "{one} pages");
    assert!(
        two * 3 <= one * 2 + 1,
        "{two} pages in two columns for {one} in one"
    );
}

#[test]
fn the_last_page_of_text_is_balanced() {
    // Text only: a tall figure is one block and may leave its column the taller one.
    let plain = plain_article(23);
    for (name, article) in [
        ("long-feature.json", sample("long-feature.json")),
        ("short-news.json", sample("short-news.json")),
        ("plain", plain),
    ] {
        let doc = layout(&article, "short-news.json", Some(two_columns()));
        let last = doc.pages.last().unwrap();
        // Each column's extent, from its first baseline to its last, under the title block.
        let band_top = last
            .runs()
            .filter(|r| is_body(r))
            .map(|r| r.y)
            .fold(f32::MAX, f32::min);
        let mut extent = [(f32::MAX, 0.0f32); 2];
        let in_band = |r: &&GlyphRun| r.y >= band_top - 0.5;
        for run in last
            .runs()
            .filter(|r| is_body(r) || matches!(r.role, Role::Meta))
            .filter(in_band)
        {
            if let Some(c) = column_of(last, run) {
                extent[c] = (extent[c].0.min(run.y), extent[c].1.max(run.y));
            }
        }
        if extent[1].1 == 0.0 {
            // Everything fits one column's first lines: nothing to balance.
            continue;
        }
        let heights = extent.map(|(top, bottom)| bottom - top);
        // Balanced: the taller column is within a few lines of an even split (keeps — a
        // heading with its text, widows and orphans, the end matter kept whole — may leave
        // that much).
        let leading = 9.5 * 1.3;
        let even = (heights[0] + heights[1]) / 2.0;
        assert!(
            heights[0].max(heights[1]) <= even + 3.0 * leading + 0.5,
            "{name}: last page's columns are {heights:?} tall"
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

#[test]
fn a_theme_whose_columns_leave_no_room_is_refused_on_the_paper_it_meets() {
    let dir = scratch("columns", "narrow");
    let path = dir.join("narrow.json");
    std::fs::write(
        &path,
        r#"{"paper": "a5", "margins_mm": {"inner": 60, "outer": 60}, "columns": 2, "column_gap_mm": 30}"#,
    )
    .unwrap();
    let out = run(&[
        "render",
        sample_path("short-news.json").to_str().unwrap(),
        "--theme",
        path.to_str().unwrap(),
        "-o",
        dir.join("out.pdf").to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "rendered with columns of no width");
    assert!(
        stderr.contains("narrow.json") && stderr.contains("column_gap_mm"),
        "the error names the theme and the fields: {stderr}"
    );
    assert!(!dir.join("out.pdf").exists(), "no PDF is left behind");
    // The sample two-column theme still sets on A5, where its columns are 55 mm.
    let out = run(&[
        "render",
        sample_path("short-news.json").to_str().unwrap(),
        "--theme",
        sample_path("theme/two-columns.json").to_str().unwrap(),
        "--paper",
        "a5",
        "-o",
        dir.join("ok.pdf").to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_landscape_figure_spans_the_columns_under_the_text_before_it() {
    use babrpdf::layout::display::Item;
    let name = "html-news.json";
    let doc = layout(&sample(name), name, Some(two_columns()));
    let page = &doc.pages[0];
    let image = page
        .items
        .iter()
        .find_map(|i| match i {
            Item::Image(img) => Some(img.rect),
            _ => None,
        })
        .expect("the figure is drawn");
    assert!(
        image.width > page.text_area.width * 0.9,
        "the landscape figure is {} wide in a text area of {}",
        image.width,
        page.text_area.width
    );
    let y_of = |word: &str| page.runs().find(|r| r.text.contains(word)).unwrap().y;
    // Text before the figure stands above it, in both columns; text after it, below.
    assert!(y_of("Иркутске") < image.y && y_of("светильников") < image.y);
    assert!(y_of("Михайлов") > image.bottom());
}

#[test]
fn a_table_too_wide_for_a_column_spans_and_a_narrow_one_stays_in_its_column() {
    let wide_row = "| Участок | Протяжённость | Тоннели | Галереи | Виадуки | Подпорные |";
    let markdown = format!(
        "---\ntitle: Таблицы\n---\n\n{}\n\n{wide_row}\n|---|---|---|---|---|---|\n\
         | Култук | 84 | 38 | 3 | 15 | 248 |\n\n{}\n\n| Год | Поездов |\n|---|---|\n\
         | 1904 | 12 |\n| 2024 | 1 |\n\n{}\n",
        "Текст перед таблицей, довольно длинный абзац. ".repeat(8),
        "Текст между таблицами, тоже не короткий. ".repeat(8),
        "Текст после таблиц. ".repeat(8),
    );
    let article = Article::from_markdown(markdown.as_bytes()).unwrap();
    let doc = layout(&article, "short-news.json", Some(two_columns()));
    let page = &doc.pages[0];
    let middle = page.text_area.x + page.text_area.width / 2.0;
    let run = |word: &str| {
        page.runs()
            .find(|r| r.text.contains(word))
            .unwrap_or_else(|| panic!("no «{word}»"))
    };
    // The wide table's header spreads across the page; the narrow one keeps to one column.
    assert!(run("Участок").x < middle && run("Подпорные").x > middle);
    let (year, trains) = (run("Год"), run("Поездов"));
    assert_eq!(
        column_of(page, year),
        column_of(page, trains),
        "the narrow table crosses the gutter"
    );
    assert!(column_of(page, year).is_some());
}

#[test]
fn an_address_broken_across_lines_never_ends_a_line_in_its_own_hyphen() {
    // Beside the QR code in a column, the article's address needs two lines; its hyphen
    // («babr-news») at a line end would read as a hyphenation.
    let name = "short-news.json";
    let doc = engine()
        .layout(
            &sample(name),
            &RenderOptions {
                theme: Some(two_columns()),
                profile: Profile::Print,
                ..RenderOptions::for_article_file(&sample_path(name))
            },
        )
        .unwrap();
    let mut address_lines = 0;
    for page in &doc.pages {
        for run in page.runs().filter(|r| matches!(r.role, Role::Meta)) {
            if run.text.contains("babr") || run.text.contains(".example") {
                address_lines += 1;
                assert!(
                    !run.text.trim_end().ends_with('-'),
                    "a line of an address ends in a hyphen: {:?}",
                    run.text
                );
            }
        }
    }
    assert!(address_lines >= 2, "the address is printed");
}
