//! The library as a backend uses it: one engine shared by threads, output to any writer.

use crate::common;

use crate::common::*;
use babrpdf::{Article, Engine, RenderOptions};

#[test]
fn engine_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
}

#[test]
fn threads_share_one_engine_and_agree() {
    let articles: Vec<Article> = SAMPLES.iter().map(|s| sample(s)).collect();
    let expected: Vec<Vec<u8>> = articles.iter().map(render).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let articles = &articles;
                s.spawn(move || {
                    (0..3)
                        .map(|i| {
                            engine()
                                .render(&articles[(t + i) % 3], &RenderOptions::default())
                                .unwrap()
                                .pdf
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for (t, h) in handles.into_iter().enumerate() {
            for (i, pdf) in h.join().unwrap().into_iter().enumerate() {
                assert!(
                    pdf == expected[(t + i) % 3],
                    "thread {t} article {i} differs"
                );
            }
        }
    });
}

#[test]
fn render_to_a_writer_matches_render() {
    let article = sample("short-news.json");
    let mut out = Vec::new();
    engine()
        .render_to(&article, &RenderOptions::default(), &mut out)
        .unwrap();
    assert_eq!(out, render(&article));
}

#[test]
fn hostile_bodies_do_not_panic() {
    let bodies = [
        String::new(),
        "\n\n\n".to_string(),
        "\u{0}\u{1}\u{7f}\u{feff}\u{200b}".to_string(),
        "#".repeat(10_000),
        ">".repeat(10_000) + " глубоко",
        "- ".repeat(5_000) + "x",
        "`".repeat(3_000),
        "\u{301}".repeat(1_000),
        "[a](".repeat(2_000),
        "🙂 emoji 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ١٢٣ עברית 中文".to_string(),
    ];
    for format in ["markdown", "text", "html"] {
        for body in &bodies {
            let json = serde_json::json!({"title": "Т", "body": body, "body_format": format});
            let article = Article::from_json(json.to_string().as_bytes()).unwrap();
            let pdf = engine().render(&article, &RenderOptions::default());
            assert!(
                pdf.is_ok(),
                "{format} {:?}: {:?}",
                &body.chars().take(20).collect::<String>(),
                pdf.err()
            );
        }
    }
}

#[test]
fn a_date_that_is_not_iso_8601_is_printed_as_written_with_a_warning() {
    let json = r#"{"title": "Паром", "body": "Текст.", "published": "25.06.2024 14:44",
                   "updated": "2024-06-25T15:00:00+08:00"}"#;
    let article = Article::from_json(json.as_bytes()).unwrap();
    let rendered = engine()
        .render(&article, &RenderOptions::default())
        .unwrap();
    assert_eq!(rendered.warnings.len(), 1, "{:?}", rendered.warnings);
    assert!(
        rendered.warnings[0]
            .message
            .contains("`published` \"25.06.2024 14:44\"")
    );
    assert_eq!(rendered.warnings[0].kind, babrpdf::WarningKind::Date);
    let text = pdf_text(&load(&rendered.pdf));
    assert!(text.contains("25.06.2024"), "printed as written");
}

#[test]
fn the_same_article_and_options_give_the_same_bytes_wherever_the_assets_are() {
    let article = common::sample("short-news.json");
    let at = |root: &str| RenderOptions {
        assets: babrpdf::assets::Assets {
            root: Some(std::path::PathBuf::from(root)),
            allow_hosts: vec![],
            ..Default::default()
        },
        ..Default::default()
    };
    let a = common::engine()
        .render(&article, &at("/srv/a"))
        .unwrap()
        .pdf;
    let b = common::engine()
        .render(&article, &at("/tmp/elsewhere"))
        .unwrap()
        .pdf;
    assert_eq!(a, b, "the asset folder is not part of the PDF");
    let print = RenderOptions {
        profile: babrpdf::Profile::Print,
        ..Default::default()
    };
    assert_ne!(
        RenderOptions::default().fingerprint(),
        print.fingerprint(),
        "an option that changes the PDF changes the fingerprint"
    );
}

/// Every sample and reference document, in both profiles, on one and on two columns.
fn every_document_and_setting() -> Vec<(String, Article, RenderOptions)> {
    let two_columns = std::sync::Arc::new(
        babrpdf::ThemeFile::load(&sample_path("theme/two-columns.json")).expect("theme loads"),
    );
    let docs = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/docs"),
    )
    .unwrap()
    .map(|e| e.unwrap().path());
    let paths: Vec<std::path::PathBuf> = EVERY_SAMPLE
        .iter()
        .map(|s| sample_path(s))
        .chain(docs)
        .collect();
    let mut out = Vec::new();
    for path in paths {
        let article = read_article(&path);
        for profile in [babrpdf::Profile::Download, babrpdf::Profile::Print] {
            for theme in [None, Some(two_columns.clone())] {
                let options = RenderOptions {
                    profile,
                    theme: theme.clone(),
                    ..RenderOptions::for_article_file(&path)
                };
                let name = format!(
                    "{} {profile:?} {}",
                    path.display(),
                    if theme.is_some() {
                        "two columns"
                    } else {
                        "one column"
                    }
                );
                out.push((name, article.clone(), options));
            }
        }
    }
    out
}

#[test]
fn a_render_written_page_by_page_is_the_layout_written_whole() {
    // `render` hands each page to the PDF writer as soon as it is filled and drops it; `layout`
    // then `write` keeps every page. Both must give the same bytes: the page order, the
    // bookmarks' order, the structure tree and the warnings do not depend on the streaming.
    for (name, article, options) in every_document_and_setting() {
        let streamed = engine().render(&article, &options).unwrap();
        let doc = engine().layout(&article, &options).unwrap();
        let whole = engine().write(&doc, &options).unwrap();
        assert!(streamed.pdf == whole.pdf, "{name}: the bytes differ");
        assert_eq!(streamed.warnings, whole.warnings, "{name}");
    }
}

#[test]
fn every_run_keeps_its_glyphs_through_packing() {
    // Set lines wait for their page with their glyphs packed (src/layout/packed.rs), and a list
    // marker is added to an item's first line after the item's own lines were packed. Every run
    // that has text must come out with glyphs covering it, within its text.
    for (name, article, options) in every_document_and_setting() {
        let doc = engine().layout(&article, &options).unwrap();
        for (p, page) in doc.pages.iter().enumerate() {
            for run in page.runs() {
                if run.text.trim().is_empty() {
                    continue;
                }
                assert!(
                    !run.glyphs.is_empty(),
                    "{name}: page {}: {:?} lost its glyphs",
                    p + 1,
                    run.text
                );
                let last = run.glyphs.iter().map(|g| g.text_bytes().end).max();
                assert!(
                    last.is_some_and(|end| end > 0 && end <= run.text.len()),
                    "{name}: page {}: the glyphs of {:?} reach byte {last:?}",
                    p + 1,
                    run.text
                );
            }
        }
    }
}
