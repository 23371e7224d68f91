//! `babrpdf batch --volume`: the batch bound into one PDF — the articles in input order, pages
//! numbered through, a bookmark per article, the contents at the end with links that work.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;

use crate::common::*;
use lopdf::{Document, Object, ObjectId};

/// Words that appear in one article's title and nowhere else.
const MARKS: [&str; 5] = [
    "Паромщик",
    "Мостостроитель",
    "Фестивальный",
    "Лесничий",
    "Путеец",
];

/// Five articles (the second long enough for several pages) and a broken line among them.
fn write_archive(dir: &Path) -> std::path::PathBuf {
    let mut lines: Vec<String> = MARKS
        .iter()
        .enumerate()
        .map(|(i, mark)| {
            let paragraphs = if i == 1 { 60 } else { 3 };
            let body: String = (0..paragraphs)
                .map(|k| {
                    format!(
                        "<p>Абзац {k}: жители побережья рассказали, как изменилась жизнь после \
                         открытия новой переправы, сколько теперь стоит дорога до города и почему \
                         летом очереди всё равно растут.</p>"
                    )
                })
                .collect();
            serde_json::json!({
                "id": format!("v{i}"),
                "title": format!("{mark} рассказал о лете"),
                "body": body,
                "published": format!("2024-06-{:02}T10:00:00+08:00", 10 + i),
                "authors": ["Анна Соколова"],
            })
            .to_string()
        })
        .collect();
    lines.insert(2, "{broken".to_string());
    let path = dir.join("june.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// Page numbers (1-based) by page object.
fn page_numbers(doc: &Document) -> BTreeMap<ObjectId, usize> {
    doc.get_pages()
        .into_iter()
        .map(|(n, id)| (id, n as usize))
        .collect()
}

/// The page a destination (`/Dest` or a GoTo action's `/D`) points to.
fn destination_page(doc: &Document, item: &lopdf::Dictionary) -> usize {
    let dest = match item.get(b"Dest") {
        Ok(d) => d,
        Err(_) => dict(doc, item.get(b"A").expect("a destination or an action"))
            .get(b"D")
            .expect("GoTo destination"),
    };
    let dest = match dest {
        Object::Reference(r) => doc.get_object(*r).unwrap(),
        d => d,
    };
    let target = dest.as_array().expect("explicit destination")[0]
        .as_reference()
        .expect("page reference");
    page_numbers(doc)[&target]
}

/// The `/S` of every structure element under `kids`, depth first.
fn structure_kinds(doc: &Document, kids: &Object, out: &mut Vec<String>) {
    let kids = match kids {
        Object::Reference(r) => doc.get_object(*r).unwrap(),
        k => k,
    };
    match kids {
        Object::Array(items) => items.iter().for_each(|k| structure_kinds(doc, k, out)),
        Object::Dictionary(d) => {
            if let Ok(s) = d.get(b"S").and_then(Object::as_name) {
                out.push(String::from_utf8_lossy(s).into_owned());
                if let Ok(k) = d.get(b"K") {
                    structure_kinds(doc, k, out);
                }
            }
        }
        _ => {}
    }
}

fn page_text(doc: &Document, page: usize) -> String {
    doc.extract_text(&[page as u32]).unwrap()
}

fn bind(dir: &Path, input: &Path) -> (std::process::Output, Vec<u8>) {
    let out = bin()
        .args(["batch", input.to_str().unwrap(), "-o"])
        .arg(dir.join("pdf"))
        .arg("--volume")
        .arg(dir.join("june.pdf"))
        .args(["--volume-title", "Июнь 2024", "--jobs", "2"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let volume = std::fs::read(dir.join("june.pdf")).unwrap_or_default();
    (out, volume)
}

#[test]
fn a_volume_binds_the_articles_in_order_numbered_through_with_bookmarks_and_contents() {
    let dir = scratch("volume", "bind");
    let input = write_archive(&dir);
    let (out, bytes) = bind(&dir, &input);
    assert_eq!(out.status.code(), Some(3), "the broken line is a failure");
    let volume = load(&bytes);
    // Where each article starts: after the pages of the ones before it, as rendered alone.
    let mut starts = Vec::new();
    let mut next = 1;
    for i in 0..MARKS.len() {
        let own = load(&std::fs::read(dir.join(format!("pdf/v{i}.pdf"))).unwrap());
        starts.push(next);
        next += own.get_pages().len();
    }
    assert!(starts[2] - starts[1] >= 2, "the long article spans pages");
    let total = volume.get_pages().len();
    assert!(total > next - 1, "contents pages follow the articles");
    for (i, mark) in MARKS.iter().enumerate() {
        assert!(
            page_text(&volume, starts[i]).contains(mark),
            "«{mark}» opens page {}",
            starts[i]
        );
    }
    // Every page carries its number in the volume as the last thing on it; no article's own
    // «стр. N из M» is left.
    for page in 1..=total {
        let text = page_text(&volume, page);
        assert_eq!(
            text.split_whitespace().last(),
            Some(page.to_string().as_str()),
            "page {page}"
        );
        assert!(!text.contains("стр."), "page {page}: {text}");
    }
    // One bookmark per article, in order, each to its first page; then the contents.
    let catalog = volume.catalog().unwrap();
    let outlines = dict(&volume, catalog.get(b"Outlines").unwrap());
    let mut bookmarks = Vec::new();
    let mut item = outlines.get(b"First").ok();
    while let Some(o) = item {
        let d = dict(&volume, o);
        bookmarks.push((
            text_string(d.get(b"Title").unwrap()),
            destination_page(&volume, d),
        ));
        item = d.get(b"Next").ok();
    }
    let mut expected: Vec<(String, usize)> = MARKS
        .iter()
        .zip(&starts)
        .map(|(m, &s)| (format!("{m} рассказал о лете"), s))
        .collect();
    expected.push(("Содержание".to_string(), next));
    assert_eq!(bookmarks, expected);
    // The contents: every title with its page number, each entry a link to that page.
    let contents: String = (next..=total).map(|p| page_text(&volume, p)).collect();
    assert!(contents.contains("Содержание") && contents.contains("Июнь 2024"));
    for (i, mark) in MARKS.iter().enumerate() {
        let after = &contents[contents.find(mark).expect("every title in the contents")..];
        assert_eq!(
            after.split_whitespace().nth(4),
            Some(starts[i].to_string().as_str()),
            "{}",
            &after[..after.len().min(80)]
        );
    }
    let mut targets = Vec::new();
    for p in next..=total {
        let page_id = volume.get_pages()[&(p as u32)];
        for annot in volume.get_page_annotations(page_id).unwrap() {
            if annot.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Link".as_slice()) {
                targets.push(destination_page(&volume, annot));
            }
        }
    }
    assert_eq!(targets, starts);
    let info = dict(&volume, volume.trailer.get(b"Info").unwrap());
    assert_eq!(text_string(info.get(b"Title").unwrap()), "Июнь 2024");
    // Tagged: one article element per article, and the contents as a TOC of one item each.
    let root = dict(&volume, catalog.get(b"StructTreeRoot").unwrap());
    let mut kinds = Vec::new();
    structure_kinds(&volume, root.get(b"K").unwrap(), &mut kinds);
    let count = |kind: &str| kinds.iter().filter(|k| *k == kind).count();
    assert_eq!(count("Art"), MARKS.len(), "{kinds:?}");
    assert_eq!(count("TOC"), 1);
    assert_eq!(count("TOCI"), MARKS.len());
}

#[test]
fn a_rerun_renders_nothing_new_and_binds_the_same_volume() {
    let dir = scratch("volume", "rerun");
    let input = write_archive(&dir);
    let (first, volume) = bind(&dir, &input);
    assert_eq!(first.status.code(), Some(3));
    let (again, rebound) = bind(&dir, &input);
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains(" 0 rendered, 5 skipped"), "{said}");
    assert!(!volume.is_empty());
    assert!(volume == rebound, "the same articles bind the same bytes");
}

#[test]
fn a_volume_that_is_not_a_pdf_path_is_refused_before_any_work() {
    let dir = scratch("volume", "refused");
    let input = write_archive(&dir);
    let out = bin()
        .args(["batch", input.to_str().unwrap(), "-o"])
        .arg(dir.join("pdf"))
        .arg("--volume")
        .arg(dir.join("missing/june.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("june.pdf"), "{said}");
    assert!(!dir.join("pdf/v0.pdf").exists(), "nothing rendered");
}
