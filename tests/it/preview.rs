//! Page previews: `Engine::preview` and `babrpdf render --format png|svg` on every sample and
//! both profiles, the page and size options, the limits, and the command's errors.

use babrpdf::preview::{
    self, MAX_PAGE_PIXELS, PageRange, PreviewFormat, PreviewOptions, PreviewSize,
};
use babrpdf::{Error, Profile, RenderOptions};

use crate::common::{EVERY_SAMPLE, bin, engine, read_article, run, sample_path, scratch};

fn article(name: &str) -> babrpdf::Article {
    read_article(&sample_path(name))
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let picture = image::load_from_memory(bytes).expect("a PNG");
    (picture.width(), picture.height())
}

#[test]
fn every_sample_in_both_profiles_gives_a_png_and_an_svg_of_every_page() {
    for name in EVERY_SAMPLE {
        for profile in [Profile::Download, Profile::Print] {
            let options = RenderOptions {
                profile,
                ..RenderOptions::for_article_file(&sample_path(name))
            };
            let pages = engine()
                .layout(&article(name), &options)
                .unwrap()
                .pages
                .len();
            for format in [PreviewFormat::Png, PreviewFormat::Svg] {
                let wanted = PreviewOptions {
                    format,
                    size: PreviewSize::Width(120),
                    ..PreviewOptions::default()
                };
                let preview = engine().preview(&article(name), &options, &wanted).unwrap();
                assert_eq!(preview.page_count, pages, "{name} {profile:?}");
                assert_eq!(preview.pages.len(), pages, "{name} {profile:?}");
                for (k, page) in preview.pages.iter().enumerate() {
                    assert_eq!(page.number, k + 1);
                    match format {
                        PreviewFormat::Png => {
                            assert_eq!(png_size(&page.bytes), (120, page.height));
                            assert_eq!(page.width, 120);
                        }
                        PreviewFormat::Svg => {
                            let text = String::from_utf8(page.bytes.clone()).unwrap();
                            assert!(text.contains("<svg"), "{name} p{}", k + 1);
                        }
                    }
                }
            }
        }
    }
}

/// What the PDF shows is in the picture: the print profile's QR code is dark modules in the
/// last page's lower right, the page margins are white.
#[test]
fn the_picture_shows_the_page() {
    let options = RenderOptions {
        profile: Profile::Print,
        ..RenderOptions::default()
    };
    let pdf = engine()
        .render(&article("short-news.json"), &options)
        .unwrap()
        .pdf;
    let (pages, count) =
        preview::rasterize(&pdf, PageRange::single(1), PreviewSize::Dpi(72)).unwrap();
    assert_eq!(count, 1);
    let page = &pages[0];
    // A4 is 595.3 × 841.9 points: a pixel a point, the last ones partly covered.
    assert_eq!((page.width, page.height), (596, 842));
    let grey = page.grey();
    let dark = |x0: usize, x1: usize, y0: usize, y1: usize| {
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| grey[y * page.width as usize + x] < 128)
            .count()
    };
    // The left margin (10 mm) is paper; the text block is not.
    assert_eq!(dark(0, 20, 100, 700), 0);
    assert!(dark(60, 540, 60, 400) > 2000);
    // The QR code: many dark modules in an 80 pt square at the right edge of the text block.
    assert!(dark(420, 560, 300, 842) > 1000);
}

#[test]
fn sizes_pages_and_limits() {
    let pdf = crate::common::render(&article("long-feature.json"));
    let count = preview::page_count(&pdf).unwrap();
    assert!(count >= 3);
    let (pages, _) = preview::rasterize(
        &pdf,
        PageRange::parse("2-3").unwrap(),
        PreviewSize::Width(300),
    )
    .unwrap();
    assert_eq!(pages.iter().map(|p| p.number).collect::<Vec<_>>(), [2, 3]);
    let e =
        preview::rasterize(&pdf, PageRange::single(count + 1), PreviewSize::Width(10)).unwrap_err();
    assert!(matches!(e, Error::Options(_)));
    assert_eq!(
        e.to_string(),
        format!(
            "page {} asked for, but the document has {count} pages",
            count + 1
        )
    );
    // 1,200 dpi of A4 is 139 million pixels: refused before a pixel is drawn.
    let e = preview::rasterize(&pdf, PageRange::single(1), PreviewSize::Dpi(1200)).unwrap_err();
    assert!(matches!(e, Error::Limit(_)), "{e}");
    assert!(e.to_string().contains(&MAX_PAGE_PIXELS.to_string()), "{e}");
    let e = preview::rasterize(&pdf, PageRange::single(1), PreviewSize::Dpi(0)).unwrap_err();
    assert!(e.to_string().contains("out of range"), "{e}");
    let e = preview::rasterize(b"not a pdf", PageRange::single(1), PreviewSize::Dpi(10));
    let e = e.unwrap_err().to_string();
    assert_eq!(e, "preview: the PDF cannot be read (Invalid)");
}

#[test]
fn the_command_writes_one_picture_a_page() {
    let dir = scratch("preview", "cli");
    let input = dir.join("feature.json");
    std::fs::copy(sample_path("long-feature.json"), &input).unwrap();
    std::fs::copy(sample_path("baikal.jpg"), dir.join("baikal.jpg")).unwrap();
    let input = input.to_str().unwrap();
    let folder = dir.to_str().unwrap();
    // `babrpdf render INPUT` with `flags` split at spaces, `{dir}` the scratch folder.
    let render = |flags: &str| {
        let flags = flags.replace("{dir}", folder);
        let mut args = vec!["render", input];
        args.extend(flags.split(' '));
        run(&args)
    };
    let succeed = |flags: &str| {
        let out = render(flags);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{flags}: {stderr}");
        out
    };
    // One page, sized by width.
    succeed("--format png --pages 1 --width 300 -o {dir}/thumb.png");
    assert_eq!(
        png_size(&std::fs::read(dir.join("thumb.png")).unwrap()).0,
        300
    );
    // Several pages through a template.
    succeed("--format png --pages 2-3 --dpi 30 -o {dir}/page-{p}.png");
    assert!(dir.join("page-2.png").exists() && dir.join("page-3.png").exists());
    assert!(!dir.join("page-1.png").exists());
    // {0p}: padded to the digits of the page count (the feature three times over: 13 pages).
    let mut long: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sample_path("long-feature.json")).unwrap()).unwrap();
    long["body"] = long["body"].as_str().unwrap().repeat(3).into();
    let long_input = dir.join("long.json");
    std::fs::write(&long_input, serde_json::to_vec(&long).unwrap()).unwrap();
    let long_input = long_input.to_str().unwrap();
    let out = run(&[
        "render",
        long_input,
        "--format",
        "png",
        "--pages",
        "9-10",
        "--dpi",
        "10",
        "-o",
        &format!("{folder}/long-{{0p}}.png"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("long-09.png").exists() && dir.join("long-10.png").exists());
    // No -o: beside the input, numbered.
    succeed("--format svg --pages 1-2");
    assert!(dir.join("feature-1.svg").exists() && dir.join("feature-2.svg").exists());
    // One page to standard output.
    let out = succeed("--format png --pages 1 --width 50 -o -");
    assert_eq!(png_size(&out.stdout).0, 50);
    let out = render("--format png --dpi 10 -o -");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pages cannot go to standard output"),
        "{stderr}"
    );
    // Several pages into one name: refused, nothing written.
    let before = std::fs::read_dir(&dir).unwrap().count();
    let out = render("--format png -o {dir}/all.png");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("put {p} in the name"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), before);
}

#[test]
fn bad_flags_are_one_line_errors() {
    let input = sample_path("short-news.json");
    let input = input.to_str().unwrap();
    for (args, words) in [
        (
            vec!["--format", "gif"],
            "unknown format `gif` (pdf, png, svg)",
        ),
        (
            vec!["--format", "png", "--dpi", "0"],
            "0 dpi is out of range",
        ),
        (
            vec!["--format", "png", "--dpi", "100000"],
            "100000 dpi is out of range",
        ),
        (
            vec!["--format", "png", "--width", "0"],
            "width 0 px is out of range",
        ),
        (
            vec!["--format", "png", "--pages", "5-2"],
            "the last page comes before the first",
        ),
        (
            vec!["--format", "png", "--pages", "9"],
            "page 9 asked for, but the document has 1 page",
        ),
        (
            vec!["--format", "png", "--dpi", "72", "--width", "9"],
            "cannot be used with",
        ),
        (vec!["--dpi", "72"], "--dpi is for pictures"),
        (
            vec!["--format", "png", "--pages", "2-", "-o", "-"],
            "page 2 asked for",
        ),
    ] {
        let mut command = bin();
        command.args(["render", input]).args(&args);
        if !args.contains(&"-o") {
            command.args(["-o", "/nonexistent/x.png"]);
        }
        let out = command.output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(words), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// An image's soft mask shows the paper through it, and the emoji are drawn in colour.
#[test]
fn soft_masks_and_colour_emoji_are_drawn() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let body = "Снимок с прозрачным фоном.\n\n![Эллипс](fixtures/alpha.png \"Фото: редакция\")\n\n\
                Реакции читателей: 🔥 ❤️ 👍 🇷🇺";
    let json = serde_json::json!({"title": "Маска и эмодзи", "body": body});
    let article = babrpdf::Article::from_json(json.to_string().as_bytes()).unwrap();
    let options = RenderOptions {
        assets: babrpdf::Assets {
            root: Some(tests),
            ..babrpdf::Assets::default()
        },
        ..RenderOptions::default()
    };
    let doc = engine().layout(&article, &options).unwrap();
    let rect = doc.pages[0]
        .items
        .iter()
        .find_map(|item| match item {
            babrpdf::layout::display::Item::Image(image) => Some(image.rect),
            _ => None,
        })
        .expect("the image is on page 1");
    let pdf = engine().write(&doc, &options).unwrap().pdf;
    let (pages, _) = preview::rasterize(&pdf, PageRange::single(1), PreviewSize::Dpi(72)).unwrap();
    let page = &pages[0];
    let pixel = |x: f32, y: f32| {
        let i = (y as usize * page.width as usize + x as usize) * 3;
        [page.rgb[i], page.rgb[i + 1], page.rgb[i + 2]]
    };
    // The picture's corner is transparent: paper. Its middle is the half-opaque red ellipse.
    let corner = pixel(rect.x + 2.0, rect.y + 2.0);
    assert!(corner.iter().all(|&c| c > 240), "corner {corner:?}");
    let middle = pixel(rect.x + rect.width / 2.0, rect.y + rect.height / 2.0);
    assert!(
        middle[0] > 180 && middle[1] < 140 && middle[2] < 140,
        "middle {middle:?}"
    );
    // Below the picture, black text on white has no saturated pixels; the emoji have many.
    let below = (rect.y + rect.height) as usize + 1;
    let coloured = page.rgb[below * page.width as usize * 3..]
        .chunks_exact(3)
        .filter(|p| p.iter().max().unwrap() - p.iter().min().unwrap() > 100)
        .count();
    assert!(
        coloured > 40,
        "{coloured} coloured pixels below the picture"
    );
}
