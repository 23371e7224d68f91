//! The two buttons: print (paper) and download (screens, archives), and PDF/A.

mod common;

use std::process::Command;

use babrpdf::{Profile, RenderOptions};
use common::*;
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
    let pdf = engine().render(&article, &options(Profile::Print)).unwrap();
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
        .unwrap();
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
    let pdf = engine().render(&article, &options(Profile::Print)).unwrap();
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
        .unwrap();
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
}

#[test]
fn both_profiles_render_the_same_bytes_twice() {
    let article = sample("short-news.json");
    for profile in [Profile::Print, Profile::Download] {
        let a = engine().render(&article, &options(profile)).unwrap();
        let b = engine().render(&article, &options(profile)).unwrap();
        assert!(a == b, "{profile:?} output differs between runs");
    }
}
