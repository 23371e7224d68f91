//! The two buttons: print (paper) and download (screens, archives), and PDF/A.

use std::process::Command;

use crate::common::*;
use babrpdf::layout::display::Role;
use babrpdf::{Profile, RenderOptions};
use lopdf::Object;

fn options(profile: Profile) -> RenderOptions {
    RenderOptions {
        profile,
        ..Default::default()
    }
}

fn link_annotations(doc: &lopdf::Document) -> usize {
    doc.get_pages()
        .values()
        .map(|&p| {
            doc.get_page_annotations(p)
                .unwrap_or_default()
                .iter()
                .filter(|a| a.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Link"))
                .count()
        })
        .sum()
}

/// Every http(s) address the article links to: Markdown `](url)` and the related list.
fn linked_addresses(article: &babrpdf::Article) -> Vec<String> {
    let mut urls: Vec<String> = article
        .body
        .split("](")
        .skip(1)
        .filter_map(|p| p.split(')').next())
        .filter(|u| u.starts_with("http"))
        .map(str::to_string)
        .collect();
    urls.extend(article.related.iter().filter_map(|r| r.url.clone()));
    urls
}

#[test]
fn print_lists_every_link_address_and_has_no_link_annotations() {
    let article = sample("long-feature.json");
    let pdf = engine()
        .render(&article, &options(Profile::Print))
        .unwrap()
        .pdf;
    let doc = load(&pdf);
    assert_eq!(link_annotations(&doc), 0, "paper cannot click");
    let text = pdf_text(&doc).split_whitespace().collect::<String>();
    let urls = linked_addresses(&article);
    assert!(urls.len() >= 4);
    for url in urls {
        assert!(text.contains(&url), "{url} not printed");
    }
    // The same article for screens keeps clickable links with their text as description.
    let pdf = engine()
        .render(&article, &options(Profile::Download))
        .unwrap()
        .pdf;
    let doc = load(&pdf);
    assert!(link_annotations(&doc) >= 4);
    let described = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .any(|d| {
            d.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Link")
                && d.get(b"Contents").is_ok()
        });
    assert!(described, "link annotations carry their text");
}

#[test]
fn print_qr_code_decodes_to_the_article_url() {
    let article = sample("long-feature.json");
    let pdf = engine()
        .render(&article, &options(Profile::Print))
        .unwrap()
        .pdf;
    let dir = std::env::temp_dir().join(format!("babrpdf-qr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pdf_path = dir.join("print.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    let last = load(&pdf).get_pages().len().to_string();
    let status = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-f", &last, "-l", &last])
        .arg(&pdf_path)
        .arg(dir.join("page"))
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(status.success());
    let png = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .unwrap();
    let out = Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(&png)
        .output()
        .expect("zbarimg (zbar-tools) is installed");
    let decoded = String::from_utf8_lossy(&out.stdout);
    assert_eq!(decoded.trim(), article.url.as_deref().unwrap());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn pdfa_has_an_output_intent_and_declares_itself() {
    let article = sample("long-feature.json");
    let pdf = engine()
        .render(
            &article,
            &RenderOptions {
                pdfa: true,
                ..Default::default()
            },
        )
        .unwrap()
        .pdf;
    let doc = load(&pdf);
    let catalog = doc.catalog().unwrap();
    assert!(catalog.get(b"OutputIntents").is_ok(), "no output intent");
    let raw = String::from_utf8_lossy(&pdf);
    assert!(
        raw.contains("pdfaid:part") || raw.contains("pdfaid"),
        "XMP lacks the PDF/A identification"
    );
    // Without a date PDF/A is refused with a clear reason.
    let mut undated = article.clone();
    undated.published = None;
    let e = engine()
        .render(
            &undated,
            &RenderOptions {
                pdfa: true,
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("published") && !e.contains('\n'), "{e}");
    // A PDF/A problem, said as one: not a PDF/UA retry's leftover.
    assert!(e.starts_with("not a valid PDF/A-2b document: "), "{e}");
}

#[test]
fn both_profiles_render_the_same_bytes_twice() {
    let article = sample("short-news.json");
    for profile in [Profile::Print, Profile::Download] {
        let a = engine().render(&article, &options(profile)).unwrap().pdf;
        let b = engine().render(&article, &options(profile)).unwrap().pdf;
        assert!(a == b, "{profile:?} output differs between runs");
    }
}

/// Structure types (and alt texts) of a tagged PDF's structure tree, depth first.
fn structure(doc: &lopdf::Document) -> (Vec<String>, Vec<String>) {
    fn deref<'a>(doc: &'a lopdf::Document, o: &'a Object) -> &'a Object {
        match o {
            Object::Reference(r) => doc.get_object(*r).unwrap(),
            o => o,
        }
    }
    fn walk(
        doc: &lopdf::Document,
        o: &Object,
        types: &mut Vec<String>,
        alts: &mut Vec<String>,
        depth: usize,
    ) {
        if depth > 64 {
            return;
        }
        match deref(doc, o) {
            Object::Array(items) => items
                .iter()
                .for_each(|i| walk(doc, i, types, alts, depth + 1)),
            Object::Dictionary(d) => {
                if let Ok(s) = d.get(b"S").and_then(Object::as_name) {
                    types.push(String::from_utf8_lossy(s).into_owned());
                }
                if let Ok(a) = d.get(b"Alt").and_then(Object::as_str) {
                    let text = match a.strip_prefix(&[0xfe, 0xff]) {
                        Some(utf16) => String::from_utf16_lossy(
                            &utf16
                                .chunks(2)
                                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                                .collect::<Vec<_>>(),
                        ),
                        None => String::from_utf8_lossy(a).into_owned(),
                    };
                    alts.push(text);
                }
                if let Ok(k) = d.get(b"K") {
                    walk(doc, k, types, alts, depth + 1);
                }
            }
            _ => {}
        }
    }
    let catalog = doc.catalog().unwrap();
    let root = deref(
        doc,
        catalog.get(b"StructTreeRoot").expect("a structure tree"),
    );
    let (mut types, mut alts) = (Vec::new(), Vec::new());
    walk(doc, root, &mut types, &mut alts, 0);
    (types, alts)
}

#[test]
fn download_is_tagged_with_headings_lists_tables_figures_and_language() {
    let path = sample_path("rich-article.md");
    let article = babrpdf::Article::from_markdown(&std::fs::read(&path).unwrap()).unwrap();
    let assets = babrpdf::assets::Assets {
        root: Some(path.parent().unwrap().to_path_buf()),
        allow_hosts: vec![],
        ..Default::default()
    };
    let pdf = engine()
        .render(
            &article,
            &RenderOptions {
                assets,
                ..Default::default()
            },
        )
        .unwrap()
        .pdf;
    assert!(xmp_of(&pdf).contains("pdfuaid"), "not declared PDF/UA-1");
    let doc = load(&pdf);
    let catalog = doc.catalog().unwrap();
    let marked = match catalog.get(b"MarkInfo").unwrap() {
        Object::Reference(r) => doc
            .get_object(*r)
            .unwrap()
            .as_dict()
            .unwrap()
            .get(b"Marked")
            .unwrap()
            .as_bool()
            .unwrap(),
        o => o
            .as_dict()
            .unwrap()
            .get(b"Marked")
            .unwrap()
            .as_bool()
            .unwrap(),
    };
    assert!(marked);
    let (types, alts) = structure(&doc);
    for needed in [
        "H1",
        "H2",
        "H3",
        "P",
        "L",
        "LI",
        "Lbl",
        "LBody",
        "BlockQuote",
        "Figure",
        "Caption",
        "Table",
        "TR",
        "TH",
        "TD",
        "Note",
        "Code",
        "Link",
    ] {
        assert!(
            types.iter().any(|t| t == needed),
            "no {needed} in {types:?}"
        );
    }
    assert!(
        alts.iter().any(|a| a.contains("Байкал у станции Маритуй")),
        "figure without alt text: {alts:?}"
    );
    // Reading order: the title before the subheadings, the subheadings before the table.
    let first = |t: &str| types.iter().position(|x| x == t).unwrap();
    assert!(
        first("H1") < first("H2") && first("H2") < first("Table"),
        "{types:?}"
    );
}

#[test]
fn a_theme_changes_margins_colours_header_and_adds_the_logo() {
    use babrpdf::layout::display::{Color, Item, Role};
    let theme = babrpdf::theme::ThemeFile::load(&sample_path("theme/theme.json")).unwrap();
    let options = RenderOptions {
        theme: Some(std::sync::Arc::new(theme)),
        ..Default::default()
    };
    let doc = engine()
        .layout(&sample("long-feature.json"), &options)
        .unwrap();
    let first = &doc.pages[0];
    assert!(
        (first.text_area.x - 25.0 * 72.0 / 25.4).abs() < 0.01,
        "inner margin"
    );
    let section = first.runs().find(|r| r.text == "ЭКОЛОГИЯ").unwrap();
    assert_eq!(section.color, Color(0x1f, 0x5f, 0x3f));
    assert!(
        first
            .items
            .iter()
            .any(|i| matches!(i, Item::Image(img) if img.rect.y < first.text_area.y)),
        "no logo in the masthead"
    );
    let header: String = doc.pages[1]
        .runs()
        .filter(|r| r.role == Role::Header)
        .map(|r| r.text.as_str())
        .collect();
    assert!(header.contains("Бабр-Новости · Иркутск"), "{header}");
    let bad = std::env::temp_dir().join(format!("babrpdf-theme-{}.json", std::process::id()));
    std::fs::write(&bad, r##"{"colors": {"accent": "red"}}"##).unwrap();
    let e = babrpdf::theme::ThemeFile::load(&bad)
        .unwrap_err()
        .to_string();
    assert!(e.contains("colour") && !e.contains('\n'), "{e}");
    let _ = std::fs::remove_file(bad);
}

#[test]
fn theme_families_come_from_the_font_dir() {
    let dir = std::env::temp_dir().join(format!("babrpdf-fontdir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/DejaVuSans.ttf"),
        dir.join("DejaVuSans.ttf"),
    )
    .unwrap();
    let mut engine = babrpdf::Engine::new().unwrap();
    engine.add_font_dir(&dir).unwrap();
    let theme: babrpdf::theme::ThemeFile =
        serde_json::from_str(r#"{"fonts": {"heading": "DejaVu Sans"}}"#).unwrap();
    let options = RenderOptions {
        theme: Some(std::sync::Arc::new(theme)),
        ..Default::default()
    };
    let doc = engine.layout(&sample("short-news.json"), &options).unwrap();
    let title = doc.pages[0]
        .runs()
        .find(|r| r.role == babrpdf::layout::display::Role::Title)
        .unwrap();
    assert!(
        engine.face_name(title.face).contains("DejaVuSans"),
        "{}",
        engine.face_name(title.face)
    );
    let body = doc.pages[0].runs().find(|r| r.role == Role::Body).unwrap();
    assert!(
        engine.face_name(body.face).contains("PTF"),
        "body keeps PT Serif"
    );
    // A family that is not there is a clear error.
    let theme: babrpdf::theme::ThemeFile =
        serde_json::from_str(r#"{"fonts": {"body": "Nonexistent Serif"}}"#).unwrap();
    let options = RenderOptions {
        theme: Some(std::sync::Arc::new(theme)),
        ..Default::default()
    };
    let e = engine
        .layout(&sample("short-news.json"), &options)
        .unwrap_err()
        .to_string();
    assert!(e.contains("Nonexistent Serif"), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

fn print_layout(article: &babrpdf::Article) -> babrpdf::layout::display::Document {
    engine()
        .layout(article, &options(Profile::Print))
        .expect("lays out")
}

/// The dark modules of the print profile's QR code, drawn as filled rectangles.
fn qr_modules(page: &babrpdf::layout::display::Page) -> usize {
    use babrpdf::layout::display::Item;
    page.items
        .iter()
        .filter(|i| matches!(i, Item::Fill(..)))
        .count()
}

fn page_text(page: &babrpdf::layout::display::Page) -> String {
    page.runs().map(|r| r.text.as_str()).collect()
}

#[test]
fn print_without_related_still_lists_link_addresses_and_prints_the_qr_code() {
    let markdown = serde_json::json!({
        "id": "l", "lang": "ru", "title": "Ссылки", "url": "https://babr24.com/?IDE=1",
        "body": "Первая [ссылка](https://example.org/a) и [вторая](https://example.org/b)."
    });
    let html = serde_json::json!({
        "id": "h", "lang": "ru", "title": "Ссылка", "url": "https://babr24.com/?IDE=3",
        "body_format": "html",
        "body": "<p>Одна <a href=\"https://example.org/c\">ссылка</a>.</p>"
    });
    for (json, urls) in [
        (
            markdown,
            &["https://example.org/a", "https://example.org/b"][..],
        ),
        (html, &["https://example.org/c"][..]),
    ] {
        let article = babrpdf::Article::from_json(json.to_string().as_bytes()).unwrap();
        let doc = print_layout(&article);
        let text: String = doc.pages.iter().map(page_text).collect();
        for url in urls {
            assert!(text.contains(url), "{url} not printed: {text}");
        }
        assert!(text.contains("Ссылки"), "no «Ссылки» list: {text}");
        let modules: usize = doc.pages.iter().map(qr_modules).sum();
        assert!(modules > 20, "no QR code back to {:?}", article.url);
    }
}

#[test]
fn print_never_spends_a_page_on_the_qr_block_alone() {
    for name in ["html-news.json", "short-news.json", "long-feature.json"] {
        let article = sample(name);
        let beside = |profile| RenderOptions {
            profile,
            ..RenderOptions::for_article_file(&sample_path(name))
        };
        let print = engine().layout(&article, &beside(Profile::Print)).unwrap();
        // Every page holds something besides furniture and the «this article online» block.
        let url = article.url.as_deref().unwrap();
        for (p, page) in print.pages.iter().enumerate() {
            let content: String = page
                .runs()
                .filter(|r| !matches!(r.role, Role::Header | Role::Footer))
                .map(|r| r.text.as_str())
                .collect();
            let rest = content.replace("Эта статья на сайте", "").replace(url, "");
            assert!(
                !rest.trim_matches([':', ' ']).is_empty(),
                "{name}: print page {} holds only the QR block: {content:?}",
                p + 1
            );
        }
        let download = engine()
            .layout(&article, &beside(Profile::Download))
            .unwrap();
        assert!(
            print.pages.len() <= download.pages.len(),
            "{name}: {} print pages for {} download pages",
            print.pages.len(),
            download.pages.len()
        );
    }
}

#[test]
fn footnote_and_link_note_marks_differ() {
    let article = babrpdf::Article::from_markdown(
        "---\ntitle: Сноски\nurl: https://babr24.com/?IDE=5\n---\n\n\
         Текст со сноской[^a] и [ссылкой](https://example.org/x).\n\n[^a]: Сноска.\n"
            .as_bytes(),
    )
    .unwrap();
    let doc = print_layout(&article);
    let runs: Vec<_> = doc.pages.iter().flat_map(|p| p.runs()).collect();
    // The superscript marks in the body: footnote «1» and the link's mark must not read alike.
    let marks: Vec<&str> = runs
        .iter()
        .filter(|r| matches!(r.role, Role::Body))
        .filter(|r| r.size < 9.0)
        .map(|r| r.text.trim())
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(marks.len(), 2, "{marks:?}");
    assert_ne!(marks[0], marks[1], "two marks read the same: {marks:?}");
}
