//! Rich Markdown and HTML: tables, code, strike-through, task lists, HTML bodies.

use crate::common::*;
use babrpdf::layout::display::{Document, Item, Role};
use babrpdf::{Article, RenderOptions};

fn article(body: &str, format: &str) -> Article {
    let json = serde_json::json!({"title": "Материал", "body": body, "body_format": format});
    Article::from_json(json.to_string().as_bytes()).unwrap()
}

fn layout(a: &Article) -> Document {
    engine().layout(a, &RenderOptions::default()).unwrap()
}

fn page_text(doc: &Document, p: usize) -> String {
    doc.pages[p]
        .runs()
        .filter(|r| !matches!(r.role, Role::Header | Role::Footer))
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn long_table(rows: usize) -> String {
    let mut md =
        String::from("Таблица результатов:\n\n| Район | Жителей | Комментарий |\n|:--|--:|:--|\n");
    for i in 0..rows {
        md.push_str(&format!(
            "| Район № {i} | {} | строка {i}: данные переписи и текущего учёта |\n",
            1000 + i * 37
        ));
    }
    md + "\nПосле таблицы."
}

#[test]
fn table_cells_come_out_of_the_pdf() {
    let a = article(&long_table(5), "markdown");
    let text = pdf_text(&load(&render(&a)));
    for needle in [
        "Район",
        "Жителей",
        "Комментарий",
        "Район № 3",
        "1111",
        "строка 4",
    ] {
        assert!(text.contains(needle), "{needle} missing in {text}");
    }
}

#[test]
fn a_long_table_repeats_its_header_and_never_splits_a_row() {
    let doc = layout(&article(&long_table(120), "markdown"));
    let pages_with_rows: Vec<usize> = (0..doc.pages.len())
        .filter(|&p| page_text(&doc, p).contains("Район №"))
        .collect();
    assert!(pages_with_rows.len() >= 2, "the table should span pages");
    for &p in &pages_with_rows {
        let text = page_text(&doc, p);
        assert!(
            text.contains("Жителей") && text.contains("Комментарий"),
            "page {p} lacks the header row"
        );
    }
    // Every row's three cells are on one page.
    for i in 0..120 {
        let id = format!("Район № {i} ");
        let pages: Vec<usize> = (0..doc.pages.len())
            .filter(|&p| {
                page_text(&doc, p).contains(&id)
                    || page_text(&doc, p).ends_with(&id[..id.len() - 1])
            })
            .collect();
        let data = format!("строка {i}:");
        let data_pages: Vec<usize> = (0..doc.pages.len())
            .filter(|&p| page_text(&doc, p).contains(&data))
            .collect();
        assert_eq!(
            pages.first(),
            data_pages.first(),
            "row {i} split across pages"
        );
    }
    // Within the text width.
    for page in &doc.pages {
        for run in page.runs().filter(|r| r.role == Role::Body) {
            assert!(
                run.x >= page.text_area.x - 0.01
                    && run.x + run.width() <= page.text_area.right() + 0.01
            );
        }
    }
}

#[test]
fn right_aligned_column_ends_at_the_same_edge() {
    let doc = layout(&article(&long_table(6), "markdown"));
    let numbers: Vec<f32> = doc.pages[0]
        .runs()
        .filter(|r| r.text.trim().parse::<u32>().is_ok())
        .map(|r| r.x + r.width())
        .collect();
    assert!(numbers.len() >= 6);
    assert!(
        numbers.windows(2).all(|w| (w[0] - w[1]).abs() < 0.01),
        "{numbers:?}"
    );
}

#[test]
fn html_table_with_header_and_link() {
    let html = "<table><thead><tr><th>Год</th><th>Событие</th></tr></thead><tbody><tr><td>1904</td><td>Открыта <a href=\"https://x.example\">Кругобайкальская</a> дорога</td></tr></tbody></table>";
    let a = article(html, "html");
    let doc = layout(&a);
    let text = page_text(&doc, 0);
    assert!(
        text.contains("Год") && text.contains("1904") && text.contains("Кругобайкальская"),
        "{text}"
    );
    assert!(
        doc.pages[0]
            .items
            .iter()
            .any(|i| matches!(i, Item::Link(l) if &*l.url == "https://x.example"))
    );
}

#[test]
fn strike_through_is_drawn_and_task_lists_are_marked() {
    let doc = layout(&article(
        "Было ~~зачёркнуто~~ слово.\n\n- [x] сделано\n- [ ] не сделано",
        "markdown",
    ));
    let run = doc.pages[0]
        .runs()
        .find(|r| r.text.contains("зачёркнуто"))
        .unwrap();
    let strike = doc.pages[0]
        .items
        .iter()
        .any(|i| matches!(i, Item::Line(l) if (l.from.0 - run.x).abs() < 0.01 && l.from.1 < run.y));
    assert!(strike, "no strike line over the run");
    let text = page_text(&doc, 0);
    assert!(text.contains("☒") && text.contains("☐"), "{text}");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn a_task_list_item_has_one_mark_its_box() {
    let doc = layout(&article(
        "- [x] сделано\n- [ ] не сделано\n- обычный пункт",
        "markdown",
    ));
    let runs: Vec<_> = doc.pages[0].runs().collect();
    for (word, mark) in [("сделано", "☒"), ("не", "☐"), ("обычный", "•")] {
        let at = runs.iter().position(|r| r.text.starts_with(word));
        let texts: Vec<&str> = runs.iter().map(|r| r.text.as_str()).collect();
        let at = at.unwrap_or_else(|| panic!("no run starts with «{word}»: {texts:?}"));
        let line: Vec<&str> = runs
            .iter()
            .filter(|r| (r.y - runs[at].y).abs() < 0.5 && r.x < runs[at].x)
            .map(|r| r.text.trim())
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(line, [mark], "marks before «{word}»");
        // The box hangs in the margin where a bullet would: the text starts at the item's edge.
        let bullet_text_x = runs
            .iter()
            .find(|r| r.text.starts_with("обычный"))
            .unwrap()
            .x;
        assert!(
            (runs[at].x - bullet_text_x).abs() < 0.01,
            "«{word}» not aligned"
        );
    }
}

#[test]
fn the_html_sample_drops_script_and_style() {
    let bytes = std::fs::read(sample_path("html-news.json")).unwrap();
    let a = Article::from_json(&bytes).unwrap();
    let text = pdf_text(&load(&render(&a)));
    assert!(
        !text.contains("trackVisit")
            && !text.contains("display:none")
            && !text.contains("служебный"),
        "{text}"
    );
    assert!(text.contains("Глазковского") && text.contains("Академическим"));
}

fn notes_article(paragraphs: usize, note_words: usize) -> Article {
    let mut md = String::new();
    for i in 1..=paragraphs {
        md.push_str(&format!("Абзац номер {i} рассказывает о событиях на Байкале и ссылается на источник[^n{i}]. Текст продолжается, чтобы абзац занял несколько строк на странице и сноски распределились по разным страницам.\n\n"));
    }
    for i in 1..=paragraphs {
        let words = vec!["пояснение"; note_words].join(" ");
        md.push_str(&format!("[^n{i}]: Сноска {i}: {words}.\n\n"));
    }
    article(&md, "markdown")
}

#[test]
fn footnotes_stand_at_the_foot_of_the_page_that_references_them() {
    let doc = layout(&notes_article(40, 6));
    assert!(doc.pages.len() >= 2);
    for i in 1..=40 {
        let reference = doc
            .pages
            .iter()
            .position(|p| p.runs().any(|r| r.note == Some(i)))
            .unwrap_or_else(|| panic!("mark {i} missing"));
        let note = doc
            .pages
            .iter()
            .position(|p| p.runs().any(|r| r.text.contains(&format!("Сноска {i}:"))))
            .unwrap_or_else(|| panic!("note {i} missing"));
        assert_eq!(
            reference, note,
            "note {i} is not on the page of its reference"
        );
    }
    // Notes sit below the body text, inside the text area.
    for page in &doc.pages {
        let body_bottom = page
            .runs()
            .filter(|r| r.text.starts_with("Абзац") || r.note.is_some())
            .map(|r| r.y)
            .fold(0.0, f32::max);
        for run in page.runs().filter(|r| r.text.contains("Сноска")) {
            assert!(
                run.y > body_bottom && run.y <= page.text_area.bottom() + 0.01,
                "note at {} vs body {body_bottom}",
                run.y
            );
        }
    }
    let text = pdf_text(&load(&render(&notes_article(3, 4))));
    assert!(text.contains("Сноска 2: пояснение"), "{text}");
}

#[test]
fn a_footnote_too_long_for_its_page_continues_on_the_next() {
    let doc = layout(&notes_article(12, 900));
    for page in &doc.pages {
        for run in page
            .runs()
            .filter(|r| r.role != Role::Header && r.role != Role::Footer)
        {
            assert!(
                run.y <= page.text_area.bottom() + 0.01 && run.y >= page.text_area.y,
                "run outside the text area at {}",
                run.y
            );
        }
    }
    let all: String = doc
        .pages
        .iter()
        .flat_map(|p| p.runs())
        .map(|r| r.text.as_str())
        .collect();
    for i in 1..=12 {
        assert!(all.contains(&format!("Сноска {i}:")), "note {i} lost");
    }
}

#[test]
fn deeply_nested_quotes_and_lists_keep_their_text_inside_the_text_area() {
    let quotes = format!("{}Глубоко внутри цитаты.", "<blockquote>".repeat(60));
    let mut list = String::new();
    for depth in 0..40 {
        list.push_str(&"  ".repeat(depth));
        list.push_str(&format!("- пункт{depth}\n"));
    }
    for (body, format, word) in [
        (quotes.as_str(), "html", "Глубоко"),
        (list.as_str(), "markdown", "пункт39"),
    ] {
        let doc = layout(&article(body, format));
        let text: String = (0..doc.pages.len()).map(|p| page_text(&doc, p)).collect();
        assert!(text.contains(word), "{format}: «{word}» is set");
        for page in &doc.pages {
            let area = page.text_area;
            for run in page.runs() {
                assert!(
                    run.x >= area.x - 0.01 && run.x + run.width() <= area.right() + 0.01,
                    "{format}: «{}» at {}..{} outside {}..{}",
                    run.text,
                    run.x,
                    run.x + run.width(),
                    area.x,
                    area.right()
                );
            }
            for item in &page.items {
                if let Item::Line(l) = item {
                    assert!(l.from.0 >= area.x - 0.01 && l.to.0 <= area.right() + 0.01);
                }
            }
        }
    }
}

#[test]
fn a_row_taller_than_a_page_is_cut_between_its_lines_with_the_header_repeated() {
    // One cell holds a long text in a narrow column: on A5 the row is several pages tall.
    let words: Vec<String> = (0..700).map(|i| format!("слово{i}")).collect();
    let html = format!(
        "<p>Перед таблицей.</p><table><thead><tr><th>Район</th><th>Население</th><th>Подробности</th>\
         <th>Итог</th></tr></thead><tbody><tr><td>Левобережный</td><td>12 000</td><td>{}</td>\
         <td>да</td></tr><tr><td>Правобережный</td><td>9 000</td><td>коротко</td><td>нет</td></tr>\
         </tbody></table><p>После таблицы.</p>",
        words.join(" ")
    );
    let options = RenderOptions {
        paper: Some(babrpdf::Paper::A5),
        ..RenderOptions::default()
    };
    let doc = engine().layout(&article(&html, "html"), &options).unwrap();
    let with_words: Vec<usize> = (0..doc.pages.len())
        .filter(|&p| page_text(&doc, p).contains("слово"))
        .collect();
    assert!(with_words.len() >= 2, "the row spans pages: {with_words:?}");
    for &p in &with_words {
        assert!(
            page_text(&doc, p).contains("Подробности"),
            "page {p} has the header"
        );
    }
    // Every word is set once, in order, and nothing leaves the text area.
    let mut seen = Vec::new();
    for page in &doc.pages {
        let area = page.text_area;
        for run in page.runs() {
            if matches!(run.role, Role::Header | Role::Footer) {
                continue;
            }
            assert!(
                run.y <= area.bottom() + 0.01 && run.y >= area.y,
                "«{}» at y {} outside {}..{}",
                run.text,
                run.y,
                area.y,
                area.bottom()
            );
            assert!(run.x >= area.x - 0.01 && run.x + run.width() <= area.right() + 0.01);
        }
        let text = page_text(
            &doc,
            doc.pages
                .iter()
                .position(|p| std::ptr::eq(p, page))
                .unwrap(),
        );
        seen.extend(
            text.split_whitespace()
                .filter(|w| w.starts_with("слово"))
                .map(str::to_string),
        );
    }
    let joined = seen.join(" ");
    for (i, w) in words.iter().enumerate().step_by(50) {
        assert!(joined.contains(w.as_str()), "{w} (#{i}) is missing");
    }
    assert!(page_text(&doc, doc.pages.len() - 1).contains("После таблицы."));
}

/// The body runs of a laid-out article as (text, role, face name), in reading order.
fn body_runs(doc: &Document) -> Vec<(String, Role, String)> {
    doc.pages
        .iter()
        .flat_map(|p| p.runs())
        .filter(|r| matches!(r.role, Role::Body | Role::Heading(_)))
        .map(|r| {
            let face = engine().face_name(r.face).to_string();
            (r.text.clone(), r.role, face)
        })
        .collect()
}

/// Whether a face (named by its file) is a bold one: PT Serif/Sans 75 and 76 are the bold cuts.
fn bold(face: &str) -> bool {
    face.contains("75F") || face.contains("76F")
}

/// Whether a face is an italic one: PT Serif/Sans 56 and 76 are the italic cuts.
fn italic(face: &str) -> bool {
    face.contains("56F") || face.contains("76F")
}

#[test]
fn raw_html_blocks_in_markdown_are_set_as_html_not_glued() {
    let md = "<h1>Паром</h1><p>Текст <b>жирный</b></p>\n\nДалее обычный Markdown.";
    let runs = body_runs(&layout(&article(md, "markdown")));
    let all: String = runs
        .iter()
        .map(|r| r.0.as_str())
        .collect::<Vec<_>>()
        .join("|");
    assert!(!all.contains("ПаромТекст"), "words glued: {all}");
    assert!(
        runs.iter()
            .any(|(t, role, _)| t == "Паром" && *role == Role::Heading(1)),
        "«Паром» is not a heading: {runs:?}"
    );
    assert!(
        runs.iter()
            .any(|(t, _, face)| t.contains("жирный") && bold(face)),
        "«жирный» is not bold: {runs:?}"
    );
    assert!(all.contains("Далее обычный Markdown."), "{all}");
}

#[test]
fn inline_html_in_markdown_keeps_its_emphasis_and_drops_scripts() {
    let md = "Текст <b>жирный</b> и <i>курсив</i>, <script>alert(1)</script>конец.\n\nВторой <b>абзац.\n\nТретий абзац.";
    let runs = body_runs(&layout(&article(md, "markdown")));
    let all: String = runs
        .iter()
        .map(|r| r.0.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        runs.iter()
            .any(|(t, _, face)| t.contains("жирный") && bold(face)),
        "«жирный» is not bold: {runs:?}"
    );
    assert!(
        runs.iter()
            .any(|(t, _, face)| t.contains("курсив") && italic(face)),
        "«курсив» is not italic: {runs:?}"
    );
    assert!(!all.contains("alert"), "a script's text is printed: {all}");
    // An element left open ends with its paragraph.
    assert!(
        runs.iter()
            .any(|(t, _, face)| t.contains("Третий") && !bold(face)),
        "an unclosed <b> ran into the next paragraph: {runs:?}"
    );
}
