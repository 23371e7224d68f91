//! Reference pages: every sample (the download profile's pages, the print profile's last page)
//! and the documents in tests/reference/docs/ drawn at a low resolution in grey and compared
//! with the pictures checked in under tests/reference/; and a check on the display list that
//! every page carries something a reader needs, not only furniture, a rule or the QR block.
//!
//! After an intended change of the pages, refresh the pictures and review them in the diff:
//! `BABRPDF_UPDATE_REFERENCES=1 cargo test --test it -- reference_pages::`

use std::path::{Path, PathBuf};

use babrpdf::layout::display::{Document, Item, Role};
use babrpdf::preview::{self, PageRange, PreviewSize, Raster};
use babrpdf::{Article, Assets, Profile, RenderOptions};
use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};

use crate::common::{EVERY_SAMPLE, engine, read_article};

/// Dots per inch of the reference pictures: an A4 page is 331 × 468 px, a line of body text
/// still a visible grey band, a page about 20 KB of PNG.
const DPI: u32 = 40;
/// Grey levels a pixel may differ by before it counts as changed (antialiasing may move a
/// little between SIMD paths of the rasteriser).
const PIXEL_THRESHOLD: u8 = 48;
/// Changed pixels a page may have and still match: a moved word changes hundreds.
const MAX_CHANGED_PIXELS: usize = 24;
/// Set to refresh the references instead of comparing with them.
const UPDATE: &str = "BABRPDF_UPDATE_REFERENCES";

/// Whether this run refreshes the references.
fn updating() -> bool {
    std::env::var_os(UPDATE).is_some_and(|v| !v.is_empty() && v != "0")
}

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference")
}

#[derive(Clone, Copy, PartialEq)]
enum Pages {
    All,
    Last,
}

/// The pages of `doc` (1-based) with nothing a reader needs: no text of the body, a heading or
/// the title, and no figure — only the running header and footer, end matter, rules or the QR
/// block.
fn pages_without_content(doc: &Document) -> Vec<(usize, String)> {
    let mut bad = Vec::new();
    for (index, page) in doc.pages.iter().enumerate() {
        let content = page.items.iter().any(|item| match item {
            Item::Text(run) => matches!(run.role, Role::Body | Role::Heading(_) | Role::Title),
            Item::Image(image) => image.tag.is_some(),
            _ => false,
        });
        if !content {
            let shown: Vec<String> = page
                .items
                .iter()
                .map(|item| match item {
                    Item::Text(run) => format!("{:?} {:?}", run.role, run.text),
                    Item::Line(_) => "a rule".into(),
                    Item::Link(_) => "a link area".into(),
                    Item::Image(_) => "an image".into(),
                    Item::Fill(..) => "a filled rectangle (QR module)".into(),
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            bad.push((index + 1, shown.join("; ")));
        }
    }
    bad
}

/// Lays out and draws `path` in `profile`, checks every page for content, and compares the
/// pages asked for with their references (or writes them, with `BABRPDF_UPDATE_REFERENCES`).
fn check(case: &str, path: &Path, profile: Profile, pages: Pages) {
    let article = read_article(path);
    let root = path.parent().unwrap().to_path_buf();
    // The test documents show the test fixtures (tests/fixtures/…).
    let root = if root.ends_with("reference/docs") {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
    } else {
        root
    };
    let options = RenderOptions {
        profile,
        assets: Assets {
            root: Some(root),
            ..Assets::default()
        },
        ..RenderOptions::default()
    };
    let doc = engine().layout(&article, &options).expect("lays out");
    let empty = pages_without_content(&doc);
    assert!(
        empty.is_empty(),
        "{case}: page(s) with nothing a reader needs: {empty:?}"
    );
    let pdf = engine().write(&doc, &options).expect("writes").pdf;
    let count = doc.pages.len();
    let range = match pages {
        Pages::All => PageRange::default(),
        Pages::Last => PageRange::single(count),
    };
    let (rasters, drawn_count) =
        preview::rasterize(&pdf, range, PreviewSize::Dpi(DPI)).expect("draws");
    assert_eq!(
        drawn_count, count,
        "{case}: the PDF has as many pages as the layout"
    );
    let update = updating();
    let expected: Vec<String> = rasters
        .iter()
        .map(|r| format!("{case}-p{}.png", r.number))
        .collect();
    let mut failures = Vec::new();
    for stale in references_of(case) {
        if expected.contains(&stale) {
            continue;
        }
        if update {
            std::fs::remove_file(reference_dir().join(&stale)).unwrap();
        } else {
            failures.push(format!(
                "{case}: the reference {stale} has no page now (the document has {count} \
                 page(s)); refresh with {UPDATE}=1 if that is intended"
            ));
        }
    }
    for (raster, name) in rasters.iter().zip(&expected) {
        if let Err(message) = compare(raster, &reference_dir(), name, update) {
            failures.push(format!("{case}: {message}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The reference pictures of `case` in the folder (`CASE-pN.png`).
fn references_of(case: &str) -> Vec<String> {
    let prefix = format!("{case}-p");
    let Ok(entries) = std::fs::read_dir(reference_dir()) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| {
            name.strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix(".png"))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect()
}

/// A grey PNG, compressed hard: the references live in the repository.
fn grey_png(width: u32, height: u32, luma: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive)
        .write_image(luma, width, height, image::ExtendedColorType::L8)
        .unwrap();
    out
}

/// Compares one drawn page with its reference `name`; on a difference writes `NAME.new.png`
/// and `NAME.diff.png` beside it and says where the page changed.
fn compare(raster: &Raster, dir: &Path, name: &str, update: bool) -> Result<(), String> {
    let reference = dir.join(name);
    let stem = name.trim_end_matches(".png");
    let new_path = dir.join(format!("{stem}.new.png"));
    let diff_path = dir.join(format!("{stem}.diff.png"));
    let luma = raster.grey();
    let (w, h) = (raster.width, raster.height);
    if update {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(&reference, grey_png(w, h, &luma)).unwrap();
        let _ = std::fs::remove_file(&new_path);
        let _ = std::fs::remove_file(&diff_path);
        return Ok(());
    }
    let refresh = format!("if the change is intended, refresh with {UPDATE}=1");
    let old = match image::open(&reference) {
        Ok(old) => old.to_luma8(),
        Err(e) => {
            std::fs::write(&new_path, grey_png(w, h, &luma)).unwrap();
            return Err(format!(
                "page {}: no reference {name} ({e}); the page is in {}; {refresh}",
                raster.number,
                new_path.display()
            ));
        }
    };
    if (old.width(), old.height()) != (w, h) {
        std::fs::write(&new_path, grey_png(w, h, &luma)).unwrap();
        return Err(format!(
            "page {}: {w} × {h} px now, {} × {} px in {name}; see {}; {refresh}",
            raster.number,
            old.width(),
            old.height(),
            new_path.display()
        ));
    }
    let mut changed = 0usize;
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    // The difference picture: the new page faded, changed pixels black.
    let mut diff = Vec::with_capacity(luma.len());
    for (i, (&a, &b)) in luma.iter().zip(old.as_raw()).enumerate() {
        if a.abs_diff(b) > PIXEL_THRESHOLD {
            changed += 1;
            let (x, y) = (i as u32 % w, i as u32 / w);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            diff.push(0);
        } else {
            diff.push(192 + a / 4);
        }
    }
    if changed <= MAX_CHANGED_PIXELS {
        let _ = std::fs::remove_file(&new_path);
        let _ = std::fs::remove_file(&diff_path);
        return Ok(());
    }
    std::fs::write(&new_path, grey_png(w, h, &luma)).unwrap();
    std::fs::write(&diff_path, grey_png(w, h, &diff)).unwrap();
    let mm = |px: u32| f64::from(px) * 25.4 / f64::from(DPI);
    Err(format!(
        "page {} differs from {name}: {changed} pixels changed by more than {PIXEL_THRESHOLD} \
         grey levels (at most {MAX_CHANGED_PIXELS} may), within x {x0}..{x1}, y {y0}..{y1} px \
         of {w} × {h} ({:.0}..{:.0} mm from the left, {:.0}..{:.0} mm from the top); see {} \
         and {}; {refresh}",
        raster.number,
        mm(x0),
        mm(x1 + 1),
        mm(y0),
        mm(y1 + 1),
        new_path.display(),
        diff_path.display()
    ))
}

fn sample(name: &str) -> PathBuf {
    crate::common::sample_path(name)
}

fn document(name: &str) -> PathBuf {
    reference_dir().join("docs").join(name)
}

/// The case's name in file names: `short-news.json` → `short-news-json`.
fn case_name(file: &str, profile: Profile) -> String {
    let base = file.replace('.', "-");
    match profile {
        Profile::Print => format!("{base}-print"),
        _ => base,
    }
}

/// One test per input: the download profile's every page, the print profile's last page.
macro_rules! reference_tests {
    ($($test:ident: $path:ident($file:literal);)*) => {$(
        #[test]
        fn $test() {
            let path = $path($file);
            check(&case_name($file, Profile::Download), &path, Profile::Download, Pages::All);
            check(&case_name($file, Profile::Print), &path, Profile::Print, Pages::Last);
        }
    )*};
}

reference_tests! {
    short_news_json: sample("short-news.json");
    short_news_md: sample("short-news.md");
    long_feature: sample("long-feature.json");
    multilingual: sample("multilingual.json");
    html_news: sample("html-news.json");
    rich_article: sample("rich-article.md");
    figure_at_page_end: document("figure-at-page-end.md");
    table_across_pages: document("table-across-pages.md");
    footnotes: document("footnotes.md");
    kazakh_mongolian: document("kazakh-mongolian.md");
    emoji: document("emoji.json");
}

/// The check on the display list sees a page of furniture alone.
#[test]
fn a_page_of_furniture_alone_is_found() {
    let json = r#"{"title": "Т", "body": "Текст."}"#;
    let article = Article::from_json(json.as_bytes()).unwrap();
    let mut doc = engine()
        .layout(&article, &RenderOptions::default())
        .unwrap();
    assert!(pages_without_content(&doc).is_empty());
    let mut furniture = doc.pages[0].clone();
    furniture.items.retain(|item| match item {
        Item::Text(run) => matches!(run.role, Role::Header | Role::Footer | Role::Meta),
        _ => true,
    });
    doc.pages.push(furniture);
    let bad = pages_without_content(&doc);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].0, 2);
}

/// A changed page is caught, and the message says where.
#[test]
fn a_changed_page_fails_with_where_it_changed() {
    if updating() {
        // The reference it reads may be being rewritten by the test of the sample.
        return;
    }
    let (mut rasters, _) = preview::rasterize(
        &crate::common::render(&crate::common::sample("short-news.json")),
        PageRange::single(1),
        PreviewSize::Dpi(DPI),
    )
    .unwrap();
    let mut page = rasters.remove(0);
    // A black square 20 px wide at (100, 200).
    for y in 200..220 {
        for x in 100..120 {
            let i = (y * page.width as usize + x) * 3;
            page.rgb[i..i + 3].copy_from_slice(&[0, 0, 0]);
        }
    }
    let name = "short-news-json-p1.png";
    let dir = crate::common::scratch("reference_pages", "changed");
    std::fs::copy(reference_dir().join(name), dir.join(name)).unwrap();
    let e = compare(&page, &dir, name, false).unwrap_err();
    assert!(e.contains("within x 100..119, y 200..219 px"), "{e}");
    assert!(e.contains("400 pixels changed"), "{e}");
    assert!(dir.join("short-news-json-p1.new.png").exists());
    assert!(dir.join("short-news-json-p1.diff.png").exists());
}

/// No sample, on any paper, with either sample theme or none, in either profile, ends on a page
/// of end matter alone (html-news.json in print on Letter once put its QR block on a sheet of
/// its own). Layout only: no page is drawn.
#[test]
fn no_paper_theme_or_profile_leaves_a_page_of_end_matter_alone() {
    use babrpdf::Paper;
    use babrpdf::theme::ThemeFile;
    let themes: Vec<(&str, Option<std::sync::Arc<ThemeFile>>)> = std::iter::once(("none", None))
        .chain(["theme.json", "two-columns.json"].into_iter().map(|name| {
            let path = sample(&format!("theme/{name}"));
            let theme = ThemeFile::load(&path).expect("theme loads");
            (name, Some(std::sync::Arc::new(theme)))
        }))
        .collect();
    let mut bad = Vec::new();
    for file in EVERY_SAMPLE {
        let path = sample(file);
        let article = read_article(&path);
        for paper in [Paper::A4, Paper::A5, Paper::Letter] {
            for (theme_name, theme) in &themes {
                for profile in [Profile::Download, Profile::Print] {
                    let options = RenderOptions {
                        profile,
                        paper: Some(paper),
                        theme: theme.clone(),
                        assets: Assets {
                            root: path.parent().map(Path::to_path_buf),
                            ..Assets::default()
                        },
                        ..RenderOptions::default()
                    };
                    let Ok(doc) = engine().layout(&article, &options) else {
                        // A theme whose columns are too narrow for the paper is refused.
                        continue;
                    };
                    for (page, shown) in pages_without_content(&doc) {
                        bad.push(format!(
                            "{file} {profile:?} {paper:?} theme {theme_name}: page {page} of {} \
                             holds only {shown}",
                            doc.pages.len()
                        ));
                    }
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
