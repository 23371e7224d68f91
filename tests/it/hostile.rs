//! Hostile input: every render finishes in time near-linear in each input dimension, within
//! its budget, or fails alone with a clear message — never a hang, never unbounded work.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use crate::common::*;
use babrpdf::assets::Assets;
use babrpdf::layout::display::Item;
use babrpdf::{Article, Limits, Profile, RenderOptions, WarningKind};

/// The tests of this file run one at a time: the scaling measures compare CPU times, which
/// other tests' allocations and cache traffic in the same process would disturb.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn article(json: serde_json::Value) -> Article {
    Article::from_json(json.to_string().as_bytes()).expect("article parses")
}

fn markdown(body: &str) -> Article {
    article(serde_json::json!({"title": "Т", "body_format": "markdown", "body": body}))
}

/// Runs `work` on its own thread and gives up after a minute: a regression to an endless loop
/// fails the test (with the case named) instead of hanging the suite.
fn finishes<T: Send + 'static>(case: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{case}: the render did not finish within a minute"))
}

/// CPU time of this thread, so that the other core's load does not change the measure.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// The least CPU time of three layouts of `article` (the least is the least disturbed).
fn cost(article: &Article, options: &RenderOptions) -> Duration {
    (0..3)
        .map(|_| {
            let start = thread_cpu();
            let doc = engine().layout(article, options).expect("lays out");
            std::hint::black_box(doc);
            thread_cpu() - start
        })
        .min()
        .unwrap()
}

/// Linear work grows 4× from n to 4n, quadratic 16×: a ratio over 6 means superlinear work in
/// that dimension. The inputs are sized so one layout takes tens of milliseconds or more.
fn assert_near_linear(dimension: &str, n: usize, make: impl Fn(usize) -> Article) {
    assert_near_linear_with(dimension, n, &RenderOptions::default(), make);
}

fn assert_near_linear_with(
    dimension: &str,
    n: usize,
    options: &RenderOptions,
    make: impl Fn(usize) -> Article,
) {
    let (small, large) = (make(n), make(4 * n));
    // Superlinear work shows in every attempt; a disturbed measurement (tests drawing pages on
    // the other threads share the caches) does not repeat, so a pass of any attempt counts.
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (a, b) = (cost(&small, options), cost(&large, options));
        let ratio = b.as_secs_f64() / a.as_secs_f64().max(1e-6);
        eprintln!("{dimension}: n={n} {a:?}, 4n {b:?}, ratio {ratio:.1}");
        if ratio < 6.0 {
            return;
        }
        seen.push(format!("{ratio:.1}× ({a:?} → {b:?})"));
    }
    panic!(
        "{dimension}: 4× the input took, in three attempts, {}",
        seen.join(", ")
    );
}

fn words_with_links(n: usize) -> String {
    (0..n)
        .map(|i| format!("<https://e.com/{i}>"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_tower_of_combining_marks_is_cut_to_thirty_and_renders() {
    let _serial = serial();
    let body = format!("a{}b", "\u{301}".repeat(2049));
    let rendered = finishes("2,049 marks", move || {
        let a = article(serde_json::json!({"title": "t", "body": body}));
        engine()
            .render(&a, &RenderOptions::default())
            .expect("renders")
    });
    assert!(
        rendered
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::Text
                && w.message.contains("2019 combining marks dropped")),
        "{:?}",
        rendered.warnings
    );
    let text = pdf_text(&load(&rendered.pdf));
    assert_eq!(text.matches('\u{301}').count(), 30, "{text}");
}

#[test]
fn marks_in_every_script_are_capped() {
    let _serial = serial();
    for mark in [
        '\u{300}', '\u{308}', '\u{483}', '\u{1AB0}', '\u{20D0}', '\u{FE20}',
    ] {
        let body = format!("б{}", mark.to_string().repeat(5000));
        let warnings = finishes("marks", move || {
            let a = article(serde_json::json!({"title": "t", "body": body}));
            engine()
                .render(&a, &RenderOptions::default())
                .expect("renders")
                .warnings
        });
        assert!(
            warnings
                .iter()
                .any(|w| w.message.contains("4970 combining marks")),
            "U+{:04X}: {warnings:?}",
            mark as u32
        );
    }
}

#[test]
fn characters_with_many_marks_cost_near_linear_time() {
    let _serial = serial();
    // Each letter carries 40 marks: 30 are kept and shaped, so the work follows the letters.
    let marked = format!("а{}", "\u{301}".repeat(40));
    assert_near_linear("letters with 40 marks each", 600, |n| {
        markdown(&vec![marked.as_str(); n].join(" "))
    });
}

#[test]
fn control_characters_are_drawn_as_replacement_with_a_short_warning() {
    let _serial = serial();
    let a = article(serde_json::json!({"title": "t\u{0}x", "body": "a\u{0}b\u{7}c"}));
    let rendered = engine()
        .render(&a, &RenderOptions::default())
        .expect("renders");
    assert_eq!(rendered.warnings.len(), 2, "{:?}", rendered.warnings);
    for w in &rendered.warnings {
        assert!(
            w.message.len() < 100 && w.message.contains("control character"),
            "{w}"
        );
        assert_eq!(w.kind, WarningKind::Text);
    }
    // The replacement comes from another font, so the extracted text breaks around it.
    let text: String = pdf_text(&load(&rendered.pdf)).split_whitespace().collect();
    assert!(text.contains("a\u{FFFD}b\u{FFFD}c"), "{text}");
}

#[test]
fn links_per_paragraph_cost_near_linear_time() {
    let _serial = serial();
    assert_near_linear("autolinks in one paragraph", 1500, |n| {
        markdown(&words_with_links(n))
    });
}

#[test]
fn distinct_links_in_print_cost_near_linear_time() {
    let _serial = serial();
    let print = RenderOptions {
        profile: Profile::Print,
        ..Default::default()
    };
    assert_near_linear_with("distinct links, print profile", 1500, &print, |n| {
        markdown(
            &(0..n)
                .map(|i| format!("[слово {i}](https://e.com/{i})"))
                .collect::<Vec<_>>()
                .join(" "),
        )
    });
}

#[test]
fn footnotes_cost_near_linear_time() {
    let _serial = serial();
    assert_near_linear("footnotes", 300, |n| {
        let refs: String = (0..n).map(|i| format!("Слово[^{i}] и ещё. ")).collect();
        let notes: String = (0..n)
            .map(|i| format!("\n\n[^{i}]: Сноска номер {i}."))
            .collect();
        markdown(&format!("{refs}{notes}"))
    });
}

#[test]
fn table_rows_cost_near_linear_time() {
    let _serial = serial();
    assert_near_linear("table rows", 300, |n| {
        let rows: String = (0..n).map(|i| format!("| {i} | строка {i} |\n")).collect();
        markdown(&format!("| № | Текст |\n|---|---|\n{rows}"))
    });
}

fn wide_table(columns: usize) -> Article {
    let row = |text: &str| format!("|{}|\n", vec![text; columns].join("|"));
    markdown(&format!("{}{}{}", row("кол"), row("---"), row("ячейка")))
}

#[test]
fn table_columns_cost_near_linear_time() {
    let _serial = serial();
    assert_near_linear("table columns", 250, wide_table);
}

#[test]
fn a_paragraph_and_a_word_cost_near_linear_time() {
    let _serial = serial();
    assert_near_linear("paragraph length", 2000, |n| {
        markdown(&"Паромная переправа на Ольхон заработала. ".repeat(n))
    });
    assert_near_linear("one long word", 50_000, |n| markdown(&"ж".repeat(n)));
}

/// Glyph runs of one page, as (left, right) grouped by baseline.
fn runs_by_line(page: &babrpdf::layout::display::Page) -> Vec<Vec<(f32, f32)>> {
    let mut lines: std::collections::BTreeMap<i64, Vec<(f32, f32)>> = Default::default();
    for item in &page.items {
        if let Item::Text(run) = item {
            lines
                .entry((run.y * 10.0).round() as i64)
                .or_default()
                .push((run.x, run.x + run.width()));
        }
    }
    lines.into_values().collect()
}

#[test]
fn a_table_wider_than_the_page_is_set_in_column_groups_without_overprinting() {
    let _serial = serial();
    let a = wide_table(2000);
    let doc = finishes("2,000 columns", move || {
        engine()
            .layout(&a, &RenderOptions::default())
            .expect("lays out")
    });
    assert!(
        doc.warnings.iter().any(|w| w.kind == WarningKind::Table
            && w.message.contains("2000 columns is wider than the page")),
        "{:?}",
        doc.warnings
    );
    for page in &doc.pages {
        for line in runs_by_line(page) {
            let mut spans = line;
            spans.sort_by(|a, b| a.0.total_cmp(&b.0));
            for pair in spans.windows(2) {
                assert!(
                    pair[1].0 >= pair[0].1 - 0.5,
                    "runs overprint: {:?} and {:?}",
                    pair[0],
                    pair[1]
                );
            }
            for (x0, x1) in spans {
                assert!(
                    x0 >= page.text_area.x - 0.5 && x1 <= page.text_area.right() + 0.5,
                    "a cell runs off the text area: {x0}..{x1}"
                );
            }
        }
    }
    let text: String = doc
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|i| match i {
            Item::Text(run) => Some(run.text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(text.matches("ячейка").count(), 2000, "every cell is set");
}

fn png_fixture(dir: &Path) {
    let img = image::ImageBuffer::from_fn(210, 200, |x, y| {
        image::Rgba([
            (x * 7 % 256) as u8,
            (y * 13 % 256) as u8,
            90,
            (x % 256) as u8,
        ])
    });
    img.save(dir.join("rgba.png")).unwrap();
}

fn with_assets(root: &Path) -> RenderOptions {
    RenderOptions {
        assets: Assets {
            root: Some(root.to_path_buf()),
            allow_hosts: vec![],
            ..Default::default()
        },
        ..Default::default()
    }
}

#[test]
fn an_image_referenced_many_times_is_decoded_once() {
    let _serial = serial();
    let dir = scratch("hostile", "many-refs");
    png_fixture(&dir);
    let refs = 400;
    let body = vec!["![x](rgba.png)"; refs].join("\n\n");
    // The budget holds the picture's pixels once: decoding it per reference would pass it.
    let options = RenderOptions {
        limits: Limits {
            max_pixels: 210 * 200,
            ..Limits::default()
        },
        ..with_assets(&dir)
    };
    let rendered = engine()
        .render(&markdown(&body), &options)
        .expect("renders");
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    let pdf = load(&rendered.pdf);
    let images = pdf
        .objects
        .values()
        .filter(|o| {
            matches!(o, lopdf::Object::Stream(s)
                if s.dict.get(b"Subtype").and_then(lopdf::Object::as_name).ok() == Some(b"Image")
                    && s.dict.get(b"SMask").is_ok())
        })
        .count();
    assert_eq!(images, 1, "one image in the PDF for {refs} references");
    assert_near_linear_with("image references", 100, &with_assets(&dir), |n| {
        markdown(&vec!["![x](rgba.png)"; n].join("\n\n"))
    });
}

/// DejaVu Sans as an added font whose licence bits (OS/2 `fsType` 2, "restricted licence
/// embedding") forbid the embedding PDF/UA requires: PDF/UA cannot be claimed for a file using
/// it. The table's checksum is left stale; no reader checks it.
fn restricted_font_engine(dir: &std::path::Path) -> babrpdf::Engine {
    let mut font = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/DejaVuSans.ttf"),
    )
    .unwrap();
    let u16_at = |b: &[u8], at: usize| u16::from_be_bytes([b[at], b[at + 1]]) as usize;
    let u32_at =
        |b: &[u8], at: usize| u32::from_be_bytes(b[at..at + 4].try_into().unwrap()) as usize;
    let os2 = (0..u16_at(&font, 4))
        .map(|i| 12 + 16 * i)
        .find(|&record| &font[record..record + 4] == b"OS/2")
        .map(|record| u32_at(&font, record + 8))
        .expect("an OS/2 table");
    font[os2 + 8..os2 + 10].copy_from_slice(&2u16.to_be_bytes());
    let fonts = dir.join("fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    std::fs::write(fonts.join("DejaVuSans-restricted.ttf"), font).unwrap();
    let mut engine = babrpdf::Engine::new().unwrap();
    engine.add_font_dir(&fonts).unwrap();
    engine
}

#[test]
fn a_render_written_again_without_the_pdf_ua_claim_charges_its_pictures_once() {
    // A font whose licence forbids embedding for every use makes the PDF/UA checker refuse: the
    // PDF is written again without the claim. The pages went to the writer as they were filled,
    // so the article is laid out again; its picture must not be charged to the pixel budget a
    // second time.
    let _serial = serial();
    let dir = scratch("hostile", "ua-again");
    png_fixture(&dir);
    let engine = restricted_font_engine(&dir);
    let theme: babrpdf::theme::ThemeFile =
        serde_json::from_str(r#"{"fonts": {"body": "DejaVu Sans"}}"#).unwrap();
    let options = RenderOptions {
        limits: Limits {
            max_pixels: 210 * 200,
            ..Limits::default()
        },
        theme: Some(std::sync::Arc::new(theme)),
        ..with_assets(&dir)
    };
    let article = markdown("Текст с меткой.\n\n![a](rgba.png)");
    let rendered = engine.render(&article, &options).expect("renders");
    let kinds: Vec<_> = rendered.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds,
        [babrpdf::WarningKind::Validation],
        "{:?}",
        rendered.warnings
    );
    let message = &rendered.warnings[0].message;
    assert!(
        message.contains("DejaVuSans-restricted.ttf's licence forbids embedding")
            && message.contains("without the PDF/UA-1 claim"),
        "{message}"
    );
    // The same bytes as laying out once and writing twice.
    let doc = engine.layout(&article, &options).unwrap();
    let whole = engine.write(&doc, &options).unwrap();
    assert!(rendered.pdf == whole.pdf, "the retried render differs");
    assert!(
        !xmp_of(&rendered.pdf).contains("pdfuaid"),
        "no PDF/UA claim"
    );
}

#[test]
fn a_byte_order_mark_in_the_text_keeps_the_pdf_ua_claim() {
    // Text pasted from a file keeps its U+FEFF. It means a word joiner, and is set as one: PDF/UA
    // forbids U+FEFF itself in a font's text map.
    let article = markdown("\u{feff}Текст\u{feff} с меткой.\u{fffe}");
    let rendered = engine()
        .render(&article, &RenderOptions::default())
        .unwrap();
    let messages: Vec<&str> = rendered
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(messages, ["U+FFFE is not a character; drawn as U+FFFD"]);
    assert!(
        xmp_of(&rendered.pdf).contains("pdfuaid"),
        "the PDF/UA claim"
    );
    let text = pdf_text(&load(&rendered.pdf));
    assert!(
        text.contains("Текст с меткой.") && text.contains('\u{fffd}'),
        "{text:?}"
    );
}

#[test]
fn a_picture_from_the_cache_is_charged_like_one_decoded() {
    // A service keeps prepared pictures between requests. One that a cold cache would refuse
    // for the pixel budget must be refused from a warm cache too: the same request gives the
    // same PDF whatever was asked before it.
    let _serial = serial();
    let dir = scratch("hostile", "cache-pixels");
    png_fixture(&dir);
    let cached = babrpdf::Engine::new().unwrap().with_picture_cache(64 << 20);
    let article = markdown("![a](rgba.png)");
    let roomy = with_assets(&dir);
    let warm = cached.render(&article, &roomy).unwrap();
    assert!(warm.warnings.is_empty(), "{:?}", warm.warnings);
    let tight = RenderOptions {
        limits: Limits {
            max_pixels: 210 * 200 - 1,
            ..Limits::default()
        },
        ..with_assets(&dir)
    };
    let from_cache = cached.render(&article, &tight).unwrap();
    let cold = engine().render(&article, &tight).unwrap();
    assert_eq!(from_cache.warnings.len(), 1, "{:?}", from_cache.warnings);
    assert_eq!(from_cache.warnings, cold.warnings);
    assert!(from_cache.pdf == cold.pdf, "a warm cache gives another PDF");
}

#[test]
fn pictures_past_the_pixel_budget_print_their_caption() {
    let _serial = serial();
    let dir = scratch("hostile", "pixels");
    png_fixture(&dir);
    std::fs::copy(dir.join("rgba.png"), dir.join("second.png")).unwrap();
    let options = RenderOptions {
        limits: Limits {
            max_pixels: 210 * 200 + 1,
            ..Limits::default()
        },
        ..with_assets(&dir)
    };
    let rendered = engine()
        .render(&markdown("![a](rgba.png)\n\n![b](second.png)"), &options)
        .expect("renders");
    assert_eq!(rendered.warnings.len(), 1, "{:?}", rendered.warnings);
    assert!(
        rendered.warnings[0].message.contains("second.png")
            && rendered.warnings[0].message.contains("megapixels"),
        "{:?}",
        rendered.warnings
    );
}

#[test]
fn a_fifo_among_the_assets_is_refused_without_blocking() {
    let _serial = serial();
    let dir = scratch("hostile", "fifo");
    let fifo = dir.join("x.jpg");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
    let options = with_assets(&dir);
    let warnings = finishes("a FIFO image", move || {
        engine()
            .render(&markdown("![x](x.jpg)"), &options)
            .expect("renders")
            .warnings
    });
    assert!(
        warnings
            .iter()
            .any(|w| w.kind == WarningKind::Image && w.message.contains("not a regular file")),
        "{warnings:?}"
    );
}

#[test]
fn a_render_past_its_deadline_fails_with_a_clear_message() {
    let _serial = serial();
    let a = markdown(&"Паромная переправа на Ольхон заработала в полную силу. ".repeat(20_000));
    let options = RenderOptions {
        limits: Limits {
            timeout: Some(Duration::from_millis(1)),
            ..Limits::default()
        },
        ..Default::default()
    };
    let e = engine().render(&a, &options).unwrap_err().to_string();
    assert!(
        e.starts_with("limit exceeded: render: deadline of 1 ms passed"),
        "{e}"
    );
    assert!(!e.contains('\n'));
}

#[test]
fn a_render_past_its_page_limit_stops_at_that_page() {
    let _serial = serial();
    let a = markdown(&"Паромная переправа на Ольхон заработала в полную силу. ".repeat(2_000));
    let options = RenderOptions {
        limits: Limits {
            max_pages: 3,
            ..Limits::default()
        },
        ..Default::default()
    };
    let e = engine().layout(&a, &options).unwrap_err().to_string();
    assert_eq!(
        e,
        "limit exceeded: render: more than 3 pages (the limit of one render) at page 4"
    );
    let glyphs = RenderOptions {
        limits: Limits {
            max_glyphs: 10_000,
            ..Limits::default()
        },
        ..Default::default()
    };
    let e = engine().layout(&a, &glyphs).unwrap_err().to_string();
    assert!(e.contains("more than 10000 glyphs"), "{e}");
}

#[test]
fn limits_do_not_change_the_pdf() {
    let _serial = serial();
    let a = sample("short-news.json");
    let tight = RenderOptions {
        limits: Limits {
            timeout: Some(Duration::from_secs(3600)),
            ..Limits::default()
        },
        ..Default::default()
    };
    assert_eq!(
        engine().render(&a, &tight).unwrap().pdf,
        engine().render(&a, &RenderOptions::default()).unwrap().pdf
    );
}

#[test]
fn a_footnote_longer_than_pages_continues_on_as_many_as_it_needs() {
    let _serial = serial();
    // It once went whole onto the page after its mark, running off the top of that page.
    let n = 1500;
    let body = format!(
        "Слово[^a] и ещё.\n\n[^a]: {}",
        "Очень длинная сноска про переправу. ".repeat(n)
    );
    let doc = engine()
        .layout(&markdown(&body), &RenderOptions::default())
        .expect("lays out");
    assert!(doc.pages.len() > 5, "{} pages", doc.pages.len());
    let mut text = String::new();
    for page in &doc.pages {
        for item in &page.items {
            if let Item::Text(run) = item {
                assert!(
                    run.y > 0.0 && run.y < page.height,
                    "a line at y {} is off a page {} high",
                    run.y,
                    page.height
                );
                text.push_str(&run.text);
                text.push(' ');
            }
        }
    }
    let joined = text.replace("- ", "").replace('\u{ad}', "");
    assert_eq!(
        joined.matches("Очень").count(),
        n,
        "every line of the note is set"
    );
}

/// Renders `markdown` with the binary and checks it fills more than `min_pages` pages within
/// `max_mb` of peak memory.
fn renders_within(name: &str, markdown: String, min_pages: usize, max_mb: i64) {
    let dir = scratch("hostile", name);
    let input = dir.join("in.md");
    std::fs::write(&input, markdown).unwrap();
    let mut render = bin();
    render
        .args(["render", input.to_str().unwrap(), "--timeout", "0", "-o"])
        .arg(dir.join("out.pdf"));
    let (code, peak_kb) = run_with_peak_memory(&render);
    assert_eq!(code, 0, "{name}");
    let pages = load(&std::fs::read(dir.join("out.pdf")).unwrap())
        .get_pages()
        .len();
    assert!(pages > min_pages, "{name}: {pages} pages");
    assert!(
        peak_kb < max_mb * 1024,
        "{name}: {pages} pages took {} MB at peak",
        peak_kb / 1024
    );
}

#[test]
fn a_two_megabyte_table_renders_in_under_80_mb() {
    // 10,700 rows of three cells: the rows wait for their pages packed as the table is set,
    // not only once it is done (65 MB at peak; 93–97 MB when packed only at the table's end).
    let mut markdown = String::from(
        "---\ntitle: Таблица районов\n---\n\n| Район | Население | Примечание |\n|---|---|---|\n",
    );
    let mut rows = 0;
    while markdown.len() < 2 << 20 {
        markdown.push_str(&format!(
            "| Октябрьский район номер {rows} | {} человек | Здесь живут рыбаки, строители и \
             учителя; школа открыта в {} году |\n",
            1000 + rows,
            1900 + rows % 120
        ));
        rows += 1;
    }
    renders_within("two-megabyte-table", markdown, 300, 80);
}

#[test]
fn a_paragraph_of_two_megabytes_renders_in_under_120_mb() {
    // One paragraph without a break: it is shaped and broken 32 KB at a time
    // (src/layout/para/mod.rs), where setting it whole held 190 MB at peak.
    let sentence = "Длинный абзац без конца, в котором слова идут одно за другим и не кончаются. ";
    let markdown = format!(
        "---\ntitle: Абзац\n---\n\n{}\n",
        sentence.repeat((2 << 20) / sentence.len())
    );
    renders_within("two-megabyte-paragraph", markdown, 200, 120);
}

#[test]
fn a_two_megabyte_article_of_330_pages_renders_in_under_60_mb() {
    // The long feature (its metadata, without the cover) with its paragraphs repeated to 2 MB.
    // Each page is written as soon as it is filled and then dropped, and the set lines waiting
    // for their page keep their glyphs packed (src/layout/packed.rs): 41 MB at peak, where
    // holding every page's display list took 81 MB (24 bytes a glyph, and the PDF beside it).
    let mut feature: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sample_path("long-feature.json")).unwrap()).unwrap();
    let paragraphs: Vec<String> = feature["body"]
        .as_str()
        .unwrap()
        .split("\n\n")
        .filter(|p| !p.starts_with("!["))
        .map(str::to_string)
        .collect();
    let mut body = String::new();
    for p in paragraphs.iter().cycle() {
        if body.len() > 2 << 20 {
            break;
        }
        body.push_str(p);
        body.push_str("\n\n");
    }
    feature["body"] = body.into();
    feature.as_object_mut().unwrap().remove("cover");
    let dir = scratch("hostile", "two-megabytes");
    let input = dir.join("long.json");
    std::fs::write(&input, feature.to_string()).unwrap();
    let mut render = bin();
    render
        .args(["render", input.to_str().unwrap(), "-o"])
        .arg(dir.join("long.pdf"));
    let (code, peak_kb) = run_with_peak_memory(&render);
    assert_eq!(code, 0);
    let pages = load(&std::fs::read(dir.join("long.pdf")).unwrap())
        .get_pages()
        .len();
    assert!(pages > 300, "{pages} pages");
    assert!(
        peak_kb < 60 * 1024,
        "{pages} pages took {} MB at peak",
        peak_kb / 1024
    );
}
