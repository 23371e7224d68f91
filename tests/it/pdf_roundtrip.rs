//! End to end: render the samples and read the PDFs back with lopdf.

use std::collections::HashSet;

use crate::common::*;
use babrpdf::doc::{Block, plain_text};
use babrpdf::{Article, RenderOptions};
use lopdf::Object;

/// Every word the article itself contains, in reading order (title, lead, body).
fn expected_words(article: &Article) -> Vec<String> {
    fn walk(blocks: &[Block], out: &mut String) {
        for b in blocks {
            match b {
                Block::Paragraph(i) | Block::Heading { content: i, .. } => {
                    out.push_str(&plain_text(i));
                    out.push('\n');
                }
                Block::List { items, .. } => items.iter().for_each(|it| walk(it, out)),
                Block::Quote(q)
                | Block::Lang { blocks: q, .. }
                | Block::Footnote { blocks: q, .. } => walk(q, out),
                Block::Code(c) => out.push_str(c),
                Block::Table(t) => {
                    for row in t.header.iter().chain(&t.rows) {
                        for cell in row {
                            out.push_str(&plain_text(cell));
                            out.push('\n');
                        }
                    }
                }
                Block::Rule | Block::Image(_) => {}
            }
            out.push('\n');
        }
    }
    let mut text = format!(
        "{}\n{}\n",
        article.title,
        article.subtitle.clone().unwrap_or_default()
    );
    walk(&babrpdf::input::body_blocks(article), &mut text);
    words(&text)
}

/// Words read back from the PDF, with line-end hyphens undone where the joined word is expected.
fn extracted_words(pdf: &[u8], vocabulary: &HashSet<&str>) -> Vec<String> {
    let raw = words(&pdf_text(&load(pdf)));
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let w = &raw[i];
        if let Some(stem) = w.strip_suffix('-')
            && i + 1 < raw.len()
        {
            let joined = format!("{stem}{}", raw[i + 1]);
            if vocabulary.contains(joined.as_str()) {
                out.push(joined);
                i += 2;
                continue;
            }
        }
        out.push(w.clone());
        i += 1;
    }
    out
}

#[test]
fn sample_words_come_back_in_order() {
    for name in SAMPLES {
        let article = sample(name);
        let expected = expected_words(&article);
        let vocabulary: HashSet<&str> = expected.iter().map(String::as_str).collect();
        let got = extracted_words(&render(&article), &vocabulary);
        // lopdf puts a break between differently styled runs ("*моногород*."), so compare on
        // the text without white space: each expected word must follow the previous one.
        let stream: String = got.concat();
        if std::env::var("DEBUG_WORDS").is_ok() {
            eprintln!("{}", got.join(" "));
        }
        let mut at = 0;
        for (n, w) in expected.iter().enumerate() {
            match stream[at..].find(w.as_str()) {
                Some(p) => at += p + w.len(),
                None => panic!(
                    "{name}: word {n} {w:?} missing or out of order; context {:?}",
                    &expected[n.saturating_sub(3)..(n + 3).min(expected.len())]
                ),
            }
        }
        // And nothing is skipped wholesale: the PDF holds at least as many words as the article.
        assert!(
            got.len() >= expected.len() * 9 / 10,
            "{name}: {} words back of {}",
            got.len(),
            expected.len()
        );
    }
}

#[test]
fn special_characters_copy_out_exactly() {
    let text = "Ёлка и ёж. «Ёлочки» и „лапки“ — тире, 1977–1983, № 5, 45 876 ₽. Стоит за\u{301}мок, а не замо\u{301}к.";
    let json = serde_json::json!({"title": "Проверка", "body": text, "body_format": "text"});
    let article = Article::from_json(json.to_string().as_bytes()).unwrap();
    let got = pdf_text(&load(&render(&article)));
    let flat = got.split_whitespace().collect::<Vec<_>>().join(" ");
    for piece in [
        "Ёлка и ёж.",
        "«Ёлочки» и „лапки“ — тире,",
        "1977–1983,",
        "№ 5,",
        "за\u{301}мок,",
        "замо\u{301}к.",
    ] {
        assert!(flat.contains(piece), "{piece:?} not in {flat:?}");
    }
}

#[test]
fn invisible_characters_copy_out_as_nothing_and_spaces_stay_spaces() {
    // A word joiner, zero-width space or soft hyphen before the face's first space once made the
    // space glyph's text map say that character: every space then read back as it. Their glyphs
    // are left out, and the text of the glyph before them stops short of them.
    let text = "Сло\u{ad}во\u{200b}за\u{2060}словом и ещё\u{200d} слова, и ещё\u{feff} слова.";
    let json = serde_json::json!({"title": "Т\u{2060}ест", "body": text, "body_format": "text"});
    let article = Article::from_json(json.to_string().as_bytes()).unwrap();
    let got = pdf_text(&load(&render(&article)));
    let invisible = ['\u{ad}', '\u{200b}', '\u{200d}', '\u{2060}', '\u{feff}'];
    assert!(!got.contains(invisible), "{got:?}");
    let flat = got.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Тест") && flat.contains("Словозасловом и ещё слова, и ещё слова."),
        "{flat:?}"
    );
}

#[test]
fn every_font_is_embedded_subset_and_has_tounicode() {
    for name in SAMPLES {
        let pdf = render(&sample(name));
        let doc = load(&pdf);
        let mut fonts = 0;
        for obj in doc.objects.values() {
            let Ok(d) = obj.as_dict() else { continue };
            if d.get(b"Type").and_then(Object::as_name).ok() != Some(b"Font")
                || d.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Type0")
            {
                continue;
            }
            fonts += 1;
            let base =
                String::from_utf8_lossy(d.get(b"BaseFont").unwrap().as_name().unwrap()).to_string();
            assert_eq!(
                base.as_bytes().get(6),
                Some(&b'+'),
                "{name}: {base} is not a subset name"
            );
            assert!(
                d.get(b"ToUnicode").is_ok(),
                "{name}: {base} lacks ToUnicode"
            );
            let descendants = d.get(b"DescendantFonts").unwrap();
            let arr = match descendants {
                Object::Reference(r) => doc.get_object(*r).unwrap().as_array().unwrap(),
                o => o.as_array().unwrap(),
            };
            let cid = dict(&doc, &arr[0]);
            let descriptor = dict(&doc, cid.get(b"FontDescriptor").unwrap());
            assert!(
                descriptor.get(b"FontFile2").is_ok(),
                "{name}: {base} not embedded"
            );
        }
        assert!(fonts >= 2, "{name}: only {fonts} fonts");
    }
}

#[test]
fn metadata_language_and_outline_are_present() {
    let article = sample("long-feature.json");
    let doc = load(&render(&article));
    let info = dict(&doc, doc.trailer.get(b"Info").unwrap());
    assert_eq!(text_string(info.get(b"Title").unwrap()), article.title);
    assert_eq!(
        text_string(info.get(b"Author").unwrap()),
        article.authors.join(", ")
    );
    assert!(text_string(info.get(b"CreationDate").unwrap()).starts_with("D:2024"));
    let catalog = doc.catalog().unwrap();
    assert_eq!(text_string(catalog.get(b"Lang").unwrap()), "ru");
    assert!(catalog.get(b"Metadata").is_ok(), "XMP metadata stream");
    // Outline: the title, with the article's headings nested under it.
    let outlines = dict(&doc, catalog.get(b"Outlines").unwrap());
    let top = dict(&doc, outlines.get(b"First").unwrap());
    assert_eq!(text_string(top.get(b"Title").unwrap()), article.title);
    let mut titles = Vec::new();
    let mut next = top.get(b"First").ok();
    while let Some(o) = next {
        let item = dict(&doc, o);
        titles.push(text_string(item.get(b"Title").unwrap()));
        next = item.get(b"Next").ok();
    }
    let headings: Vec<String> = babrpdf::input::body_blocks(&article)
        .iter()
        .filter_map(|b| match b {
            Block::Heading { content, .. } => Some(plain_text(content)),
            _ => None,
        })
        .collect();
    assert!(headings.len() >= 5);
    assert_eq!(titles, headings);
}

#[test]
fn page_count_matches_the_layout() {
    for name in SAMPLES {
        let article = sample(name);
        let layout = engine()
            .layout(&article, &RenderOptions::default())
            .unwrap();
        let doc = load(&render(&article));
        assert_eq!(doc.get_pages().len(), layout.pages.len(), "{name}");
        let last_footer = format!("стр. {n} из {n}", n = layout.pages.len());
        assert!(
            pdf_text(&doc).contains(&last_footer),
            "{name}: no «{last_footer}»"
        );
    }
    assert_eq!(
        load(&render(&sample("short-news.json"))).get_pages().len(),
        1
    );
    assert!(
        load(&render(&sample("long-feature.json")))
            .get_pages()
            .len()
            >= 4
    );
}

#[test]
fn links_are_clickable() {
    let article = sample("long-feature.json");
    let doc = load(&render(&article));
    let mut uris = HashSet::new();
    for (_, page) in doc.get_pages() {
        for annot in doc.get_page_annotations(page).unwrap() {
            if annot.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Link") {
                let action = dict(&doc, annot.get(b"A").unwrap());
                uris.insert(
                    String::from_utf8_lossy(action.get(b"URI").unwrap().as_str().unwrap())
                        .into_owned(),
                );
            }
        }
    }
    let mut in_body = HashSet::new();
    for part in article.body.split("](").skip(1) {
        in_body.insert(part.split(')').next().unwrap().to_string());
    }
    in_body.retain(|u| u.starts_with("http"));
    assert!(!in_body.is_empty());
    for u in &in_body {
        assert!(
            uris.contains(u),
            "no link annotation for {u}; have {uris:?}"
        );
    }
}

#[test]
fn same_input_gives_same_bytes() {
    let article = sample("multilingual.json");
    assert_eq!(render(&article), render(&article));
}

/// The text of the one `<name>…</name>` element in an XMP packet.
fn xmp_element<'a>(xmp: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xmp.find(&open)? + open.len();
    let end = xmp[start..].find(&format!("</{name}>"))? + start;
    Some(&xmp[start..end])
}

#[test]
fn the_articles_url_and_source_are_in_the_xmp_metadata() {
    let article = Article::from_json(
        r#"{"title": "Паром на Ольхон", "body": "Текст.", "published": "2024-06-17",
            "url": "https://babr24.example/n/7?a=1&b=2",
            "source": {"name": "ТАСС", "url": "https://tass.example/news/1"}}"#
            .as_bytes(),
    )
    .unwrap();
    for pdfa in [false, true] {
        let options = RenderOptions {
            pdfa,
            ..Default::default()
        };
        let pdf = engine().render(&article, &options).unwrap().pdf;
        let xmp = xmp_of(&pdf);
        assert_eq!(
            xmp_element(&xmp, "dc:identifier"),
            Some("https://babr24.example/n/7?a=1&amp;b=2"),
            "pdfa {pdfa}: the article's url is not the XMP dc:identifier: {xmp}"
        );
        assert_eq!(
            xmp_element(&xmp, "dc:source"),
            Some("https://tass.example/news/1"),
            "pdfa {pdfa}: the source is not the XMP dc:source: {xmp}"
        );
        // The file around the grown packet is still sound, its cross references included.
        let path =
            std::env::temp_dir().join(format!("babrpdf-xmp-{}-{pdfa}.pdf", std::process::id()));
        std::fs::write(&path, &pdf).unwrap();
        let check = std::process::Command::new("qpdf")
            .arg("--check")
            .arg(&path)
            .output()
            .expect("qpdf is installed");
        let _ = std::fs::remove_file(&path);
        assert!(
            check.status.success(),
            "pdfa {pdfa}: qpdf --check: {}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
    // A source known only by its name gives its name.
    let mut named = article.clone();
    named.source.as_mut().unwrap().url = None;
    let xmp = xmp_of(
        &engine()
            .render(&named, &RenderOptions::default())
            .unwrap()
            .pdf,
    );
    assert_eq!(xmp_element(&xmp, "dc:source"), Some("ТАСС"), "{xmp}");
}
