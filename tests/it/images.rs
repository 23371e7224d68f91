//! Figures: every kind of image the site has, placed within the text width, embedded right, and
//! hostile or broken ones ending in a clear message instead of a crash.

use std::path::{Path, PathBuf};

use crate::common::*;
use babrpdf::assets::Assets;
use babrpdf::layout::display::{Document, Item};
use babrpdf::{Article, AssetErrorKind, Error, RenderOptions, WarningKind};
use lopdf::Object;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn options(root: &Path, strict: bool) -> RenderOptions {
    RenderOptions {
        assets: Assets {
            root: Some(root.to_path_buf()),
            allow_hosts: vec![],
            ..Default::default()
        },
        strict,
        ..Default::default()
    }
}

fn article_with(src: &str) -> Article {
    let body = format!(
        "Абзац перед снимком.\n\n![Подпись к снимку]({src} \"Фото: редакция\")\n\nАбзац после снимка."
    );
    let json = serde_json::json!({"title": "Снимок", "body": body});
    Article::from_json(json.to_string().as_bytes()).unwrap()
}

fn images(doc: &Document) -> Vec<(usize, babrpdf::layout::display::ImageItem)> {
    doc.pages
        .iter()
        .enumerate()
        .flat_map(|(p, page)| {
            page.items.iter().filter_map(move |i| match i {
                Item::Image(img) => Some((p, img.clone())),
                _ => None,
            })
        })
        .collect()
}

/// Image XObjects of a PDF as dictionaries with their stream bytes.
fn pdf_images(pdf: &[u8]) -> Vec<(lopdf::Dictionary, Vec<u8>)> {
    let doc = load(pdf);
    doc.objects
        .values()
        .filter_map(|o| match o {
            Object::Stream(s)
                if s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image") =>
            {
                Some((s.dict.clone(), s.content.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn every_kind_of_image_is_placed_within_the_text_width() {
    for name in [
        "photo.jpg",
        "progressive.jpg",
        "gray.jpg",
        "cmyk.jpg",
        "rotated.jpg",
        "alpha.png",
        "tall.jpg",
        "tiny.png",
    ] {
        let article = article_with(name);
        let doc = engine()
            .layout(&article, &options(&fixtures(), true))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(doc.warnings.is_empty(), "{name}: {:?}", doc.warnings);
        let imgs = images(&doc);
        assert_eq!(imgs.len(), 1, "{name}");
        let (p, img) = &imgs[0];
        let area = doc.pages[*p].text_area;
        assert!(
            img.rect.x >= area.x - 0.01 && img.rect.right() <= area.right() + 0.01,
            "{name}: {:?} outside {:?}",
            img.rect,
            area
        );
        assert!(
            img.rect.y >= area.y - 0.01 && img.rect.bottom() <= area.bottom() + 0.01,
            "{name}: {:?} outside {:?}",
            img.rect,
            area
        );
        assert_eq!(img.alt, "Подпись к снимку");
        // Runs of one line follow each other directly (caption and credit are two runs).
        let text: String = doc
            .pages
            .iter()
            .flat_map(|p| p.runs())
            .map(|r| r.text.as_str())
            .collect();
        assert!(
            text.contains("Подпись к снимку. Фото: редакция"),
            "{name}: caption missing in {text}"
        );
        // And the PDF is readable.
        let pdf = engine()
            .render(&article, &options(&fixtures(), true))
            .unwrap()
            .pdf;
        let imgs = pdf_images(&pdf);
        let masks = imgs.iter().filter(|(d, _)| d.get(b"SMask").is_ok()).count();
        assert_eq!(imgs.len() - masks, 1, "{name}");
    }
}

#[test]
fn jpeg_passes_through_untouched_and_cmyk_keeps_its_colour_space() {
    for (name, space) in [
        ("photo.jpg", "DeviceRGB"),
        ("cmyk.jpg", "DeviceCMYK"),
        ("gray.jpg", "DeviceGray"),
    ] {
        let original = std::fs::read(fixtures().join(name)).unwrap();
        let pdf = engine()
            .render(&article_with(name), &options(&fixtures(), true))
            .unwrap()
            .pdf;
        let imgs = pdf_images(&pdf);
        let (dict, bytes) = &imgs[0];
        assert_eq!(
            dict.get(b"Filter").unwrap().as_name().unwrap(),
            b"DCTDecode",
            "{name}"
        );
        assert_eq!(
            dict.get(b"ColorSpace").unwrap().as_name().unwrap(),
            space.as_bytes(),
            "{name}"
        );
        assert_eq!(bytes, &original, "{name}: JPEG data was re-encoded");
    }
}

#[test]
fn exif_rotation_is_applied_and_alpha_becomes_a_soft_mask() {
    let doc = engine()
        .layout(&article_with("rotated.jpg"), &options(&fixtures(), true))
        .unwrap();
    let (_, img) = &images(&doc)[0];
    assert!(
        img.rect.height > img.rect.width,
        "320×200 with orientation 6 must stand upright: {:?}",
        img.rect
    );
    assert_eq!((img.picture.width, img.picture.height), (200, 320));
    let pdf = engine()
        .render(&article_with("alpha.png"), &options(&fixtures(), true))
        .unwrap()
        .pdf;
    let imgs = pdf_images(&pdf);
    assert!(
        imgs.iter().any(|(d, _)| d.get(b"SMask").is_ok()),
        "no soft mask"
    );
}

#[test]
fn a_tall_image_fits_one_page_with_its_caption() {
    let doc = engine()
        .layout(&article_with("tall.jpg"), &options(&fixtures(), true))
        .unwrap();
    let (p, img) = &images(&doc)[0];
    let page = &doc.pages[*p];
    assert!(img.rect.height <= page.text_area.height);
    let caption_page = doc
        .pages
        .iter()
        .position(|pg| pg.runs().any(|r| r.text.contains("Подпись")))
        .unwrap();
    assert_eq!(caption_page, *p, "caption separated from its image");
}

#[test]
fn broken_refused_and_missing_images_print_their_caption_with_a_warning() {
    let outside = std::env::temp_dir().join(format!("babrpdf-outside-{}.jpg", std::process::id()));
    std::fs::copy(fixtures().join("photo.jpg"), &outside).unwrap();
    use AssetErrorKind::{Damaged, NotFound, Refused, Unsupported};
    let cases = [
        ("truncated.jpg", Damaged),
        ("not-an-image.jpg", Unsupported),
        ("missing.jpg", NotFound),
        ("../fixtures/photo.jpg", Refused),
        (outside.to_str().unwrap(), Refused),
        ("file:///etc/passwd", Refused),
        ("https://example.com/photo.jpg", Refused),
        ("data:image/png;base64,@@@", Damaged),
    ];
    for (src, kind) in cases {
        let article = article_with(src);
        let doc = engine()
            .layout(&article, &options(&fixtures(), false))
            .unwrap();
        assert_eq!(doc.warnings.len(), 1, "{src}: {:?}", doc.warnings);
        assert_eq!(doc.warnings[0].kind, WarningKind::Image, "{src}");
        assert!(!doc.warnings[0].message.contains('\n'));
        let text: String = doc
            .pages
            .iter()
            .flat_map(|p| p.runs())
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            text.contains("Подпись к снимку"),
            "{src}: caption not printed"
        );
        assert!(images(&doc).is_empty(), "{src}: drawn anyway");
        let strict = engine().layout(&article, &options(&fixtures(), true));
        let e = strict.expect_err("--strict let it pass");
        assert!(
            matches!(&e, Error::Asset { kind: k, .. } if *k == kind),
            "{src}: {e:?}"
        );
    }
    let _ = std::fs::remove_file(outside);
}

/// A JPEG cut off, a JPEG whose scan is corrupt and a PNG with a wrong checksum, in a folder.
fn damaged_images() -> PathBuf {
    let dir = scratch("images", "damaged");
    let photo = std::fs::read(fixtures().join("photo.jpg")).unwrap();
    std::fs::write(dir.join("cut.jpg"), &photo[..photo.len() / 2]).unwrap();
    // Scramble 400 bytes in the middle of the entropy-coded data (after the scan header).
    let mut corrupt = photo.clone();
    let sos = corrupt.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let middle = (sos + corrupt.len()) / 2;
    for b in &mut corrupt[middle..middle + 400] {
        *b = b.wrapping_mul(7).wrapping_add(13);
    }
    std::fs::write(dir.join("corrupt.jpg"), corrupt).unwrap();
    let mut png = std::fs::read(fixtures().join("alpha.png")).unwrap();
    let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
    let length = u32::from_be_bytes(png[idat - 4..idat].try_into().unwrap()) as usize;
    png[idat + 4 + length] ^= 0xFF;
    std::fs::write(dir.join("bad-crc.png"), png).unwrap();
    dir
}

#[test]
fn damaged_images_print_their_caption_and_the_pdf_stays_valid() {
    let dir = damaged_images();
    for (src, why) in [
        ("cut.jpg", "cut off"),
        ("corrupt.jpg", "image data is corrupt"),
        ("bad-crc.png", "checksum"),
    ] {
        let article = article_with(src);
        let rendered = engine()
            .render(&article, &options(&dir, false))
            .unwrap_or_else(|e| panic!("{src}: {e}"));
        assert_eq!(rendered.warnings.len(), 1, "{src}: {:?}", rendered.warnings);
        assert_eq!(rendered.warnings[0].kind, WarningKind::Image);
        assert!(
            rendered.warnings[0].message.contains(why),
            "{src}: {:?}",
            rendered.warnings
        );
        assert!(
            pdf_images(&rendered.pdf).is_empty(),
            "{src}: embedded anyway"
        );
        // What a reader's checker says of the file (qpdf decodes every stream).
        let path = dir.join(format!("{src}.pdf"));
        std::fs::write(&path, &rendered.pdf).unwrap();
        let check = std::process::Command::new("qpdf")
            .arg("--check")
            .arg(&path)
            .output()
            .expect("qpdf is installed (.ci/run installs it)");
        assert!(
            check.status.success(),
            "{src}: qpdf --check: {}",
            String::from_utf8_lossy(&check.stdout)
        );
        let strict = engine().render(&article, &options(&dir, true));
        let e = strict.expect_err("--strict let it pass");
        assert!(
            matches!(&e, Error::Asset { src: s, kind: AssetErrorKind::Damaged, .. } if s == src),
            "{src}: {e:?}"
        );
        let e = e.to_string();
        assert!(
            e.contains(why) && !e.contains("printed instead"),
            "{src}: {e}"
        );
    }
}

#[test]
fn data_uri_images_are_drawn() {
    let png = std::fs::read(fixtures().join("alpha.png")).unwrap();
    use base64::Engine as _;
    let uri = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    );
    let doc = engine()
        .layout(&article_with(&uri), &RenderOptions::default())
        .unwrap();
    assert_eq!(images(&doc).len(), 1, "{:?}", doc.warnings);
}

#[test]
fn a_big_photo_at_text_width_makes_a_pdf_at_most_half_its_size() {
    // A 4000×3000 photo with fine detail, as a camera makes it.
    let img = image::ImageBuffer::from_fn(4000, 3000, |x, y| {
        let n = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) % 64;
        image::Rgb([
            (x / 16 % 256) as u8 ^ n as u8,
            (y / 12 % 256) as u8,
            ((x + y) / 20 % 256) as u8 ^ (n as u8 >> 1),
        ])
    });
    let dir = std::env::temp_dir().join(format!("babrpdf-bigphoto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut jpeg = Vec::new();
    img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
        &mut jpeg, 92,
    ))
    .unwrap();
    std::fs::write(dir.join("big.jpg"), &jpeg).unwrap();
    let pdf = engine()
        .render(&article_with("big.jpg"), &options(&dir, true))
        .unwrap()
        .pdf;
    assert!(
        pdf.len() * 2 <= jpeg.len(),
        "PDF {} bytes for a {}-byte photo",
        pdf.len(),
        jpeg.len()
    );
    let imgs = pdf_images(&pdf);
    let width = imgs[0].0.get(b"Width").unwrap().as_i64().unwrap();
    assert!(width < 2100, "not downsampled to 300 dpi: {width} px wide");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_engine_with_a_picture_cache_prepares_a_photo_once_for_many_renders() {
    let article = article_with("photo.jpg");
    let first_picture = |engine: &babrpdf::Engine| {
        let doc = engine
            .layout(&article, &options(&fixtures(), false))
            .unwrap();
        images(&doc)[0].1.picture.bytes.clone()
    };
    let cached = babrpdf::Engine::new().unwrap().with_picture_cache(16 << 20);
    let (a, b) = (first_picture(&cached), first_picture(&cached));
    assert!(
        std::sync::Arc::ptr_eq(&a, &b),
        "the second render reused it"
    );
    let plain = engine();
    let (c, d) = (first_picture(plain), first_picture(plain));
    assert!(
        !std::sync::Arc::ptr_eq(&c, &d),
        "without a cache each render prepares its own"
    );
    assert_eq!(a, c, "the same picture either way");
}
