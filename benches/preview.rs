//! Preview speed and faithfulness: page pictures drawn in-process (hayro) against `pdftoppm` and
//! `mutool draw` on the same PDF, and the mean pixel difference from `pdftoppm`'s picture.
//! Prints medians; never asserts on time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use babrpdf::preview::{self, PageRange, PreviewFormat, PreviewOptions, PreviewSize};
use babrpdf::{Article, Engine, Profile, RenderOptions};

/// Fewest runs a median is taken over.
const MIN_RUNS: usize = 7;

fn sample_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

fn sample(name: &str) -> Article {
    let path = sample_path(name);
    let bytes = std::fs::read(&path).unwrap();
    if name.ends_with(".md") {
        Article::from_markdown(&bytes).unwrap()
    } else {
        Article::from_json(&bytes).unwrap()
    }
}

/// The sample articles (`samples/*.json`, `samples/*.md`), sorted.
fn sample_names() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") || n.ends_with(".md"))
        .collect();
    names.sort();
    names
}

/// The sample's PDF, with its images read from `samples/`.
fn pdf_of(engine: &Engine, name: &str, profile: Profile) -> Vec<u8> {
    let options = RenderOptions {
        profile,
        ..RenderOptions::for_article_file(&sample_path(name))
    };
    engine.render(&sample(name), &options).unwrap().pdf
}

/// Runs `f` for about `budget`, at least `MIN_RUNS` times; returns sorted durations.
fn measure(budget: Duration, mut f: impl FnMut()) -> Vec<Duration> {
    f(); // warm-up
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < MIN_RUNS || start.elapsed() < budget {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    times
}

fn median_ms(times: &[Duration]) -> f64 {
    times[times.len() / 2].as_secs_f64() * 1000.0
}

fn report(what: &str, times: &[Duration], target: Option<f64>, extra: &str) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let q = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    let target = target.map_or(String::new(), |t| format!("   target ≤ {t:.0} ms"));
    println!(
        "{what:<52} median {:>8.2} ms   p10 {:>8.2}   p90 {:>8.2}   ({} runs){target}{extra}",
        median_ms(times),
        ms(q(0.1)),
        ms(q(0.9)),
        times.len()
    );
}

/// A program on the PATH, if it is there.
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty() || !o.stdout.is_empty())
}

/// Draws 1-based `page` of `pdf` with `pdftoppm` at `dpi` (or `width` px): RGB pixels.
fn pdftoppm(pdf: &Path, page: usize, dpi: Option<u32>, width: Option<u32>) -> image::RgbImage {
    let stem = pdf.with_extension(format!("ppm{page}"));
    let mut cmd = Command::new("pdftoppm");
    cmd.args([
        "-png",
        "-singlefile",
        "-f",
        &page.to_string(),
        "-l",
        &page.to_string(),
    ]);
    if let Some(dpi) = dpi {
        cmd.args(["-r", &dpi.to_string()]);
    }
    if let Some(width) = width {
        cmd.args(["-scale-to-x", &width.to_string(), "-scale-to-y", "-1"]);
    }
    let status = cmd.arg(pdf).arg(&stem).status().unwrap();
    assert!(status.success(), "pdftoppm failed on {}", pdf.display());
    let png = stem.with_extension(format!("ppm{page}.png"));
    let picture = image::open(&png).unwrap().to_rgb8();
    let _ = std::fs::remove_file(png);
    picture
}

/// Draws 1-based `page` of `pdf` with `mutool draw` at `dpi`: RGB pixels.
fn mutool(pdf: &Path, page: usize, dpi: u32) -> image::RgbImage {
    let png = pdf.with_extension(format!("mutool{page}.png"));
    let status = Command::new("mutool")
        .args(["draw", "-q", "-r", &dpi.to_string(), "-o"])
        .arg(&png)
        .arg(pdf)
        .arg(page.to_string())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "mutool failed on {}", pdf.display());
    let picture = image::open(&png).unwrap().to_rgb8();
    let _ = std::fs::remove_file(png);
    picture
}

/// Our picture as an image.
fn image_of(raster: &preview::Raster) -> image::RgbImage {
    image::RgbImage::from_raw(raster.width, raster.height, raster.rgb.clone()).unwrap()
}

/// The mean absolute difference of two pictures' RGB channels over their common area, in levels
/// of 255, and the share of pixels differing by more than 64 in some channel.
fn difference(ours: &image::RgbImage, theirs: &image::RgbImage) -> (f64, f64) {
    let w = ours.width().min(theirs.width());
    let h = ours.height().min(theirs.height());
    let (mut sum, mut far) = (0u64, 0u64);
    for y in 0..h {
        for x in 0..w {
            let a = ours.get_pixel(x, y).0;
            let b = theirs.get_pixel(x, y).0;
            let mut worst = 0;
            for c in 0..3 {
                let d = a[c].abs_diff(b[c]);
                sum += u64::from(d);
                worst = worst.max(d);
            }
            far += u64::from(worst > 64);
        }
    }
    let pixels = f64::from(w) * f64::from(h);
    (sum as f64 / (pixels * 3.0), far as f64 / pixels)
}

/// Every sample, both profiles, every page at 100 dpi: hayro against pdftoppm, and, for scale,
/// mutool against pdftoppm (two mature renderers of the same page).
fn faithfulness(engine: &Engine, dir: &Path) {
    let with_mutool = installed("mutool");
    let mut all = Vec::new();
    let mut baseline = Vec::new();
    for name in sample_names() {
        let name = name.as_str();
        for profile in [Profile::Download, Profile::Print] {
            let pdf = pdf_of(engine, name, profile);
            let file = dir.join(format!("{name}.{profile:?}.pdf"));
            std::fs::write(&file, &pdf).unwrap();
            let (pages, _) =
                preview::rasterize(&pdf, PageRange::default(), PreviewSize::Dpi(100)).unwrap();
            let mut diffs = Vec::new();
            for page in &pages {
                let theirs = pdftoppm(&file, page.number, Some(100), None);
                diffs.push(difference(&image_of(page), &theirs));
                if with_mutool {
                    baseline.push(difference(&mutool(&file, page.number, 100), &theirs));
                }
            }
            let mean = diffs.iter().map(|d| d.0).sum::<f64>() / diffs.len() as f64;
            let far = diffs.iter().map(|d| d.1).sum::<f64>() / diffs.len() as f64;
            println!(
                "  {name:<20} {:<9} {:>2} page(s)  mean |Δ| {mean:>5.2} of 255   \
                 pixels off by > 64: {:>5.2} %",
                format!("{profile:?}"),
                pages.len(),
                far * 100.0
            );
            all.extend(diffs);
            let _ = std::fs::remove_file(file);
        }
    }
    let mean = all.iter().map(|d| d.0).sum::<f64>() / all.len() as f64;
    let far = all.iter().map(|d| d.1).sum::<f64>() / all.len() as f64;
    println!(
        "mean pixel difference from pdftoppm, {} pages at 100 dpi: {mean:.2} of 255 \
         ({:.2} % of pixels off by more than 64)",
        all.len(),
        far * 100.0
    );
    if !baseline.is_empty() {
        let mean = baseline.iter().map(|d| d.0).sum::<f64>() / baseline.len() as f64;
        let far = baseline.iter().map(|d| d.1).sum::<f64>() / baseline.len() as f64;
        println!(
            "  for scale, mutool draw against pdftoppm on the same pages: {mean:.2} of 255 \
             ({:.2} % of pixels off by more than 64)",
            far * 100.0
        );
    }
}

/// An article of about ten pages: the long feature's body written out again.
fn ten_pages(engine: &Engine) -> Vec<u8> {
    let mut article = sample("long-feature.json");
    let body = article.body.clone();
    let options = RenderOptions::for_article_file(&sample_path("long-feature.json"));
    loop {
        let pdf = engine.render(&article, &options).unwrap().pdf;
        if preview::page_count(&pdf).unwrap() >= 10 {
            return pdf;
        }
        article.body.push_str("\n\n");
        article.body.push_str(&body);
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this file without it, and
    // then it is only a smoke test (every measurement once). `-- --quick` shortens the budget.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        return smoke();
    }
    let quick = args.iter().any(|a| a == "--quick");
    let budget = Duration::from_secs(if quick { 1 } else { 3 });
    let engine = Engine::new().unwrap();
    let dir = std::env::temp_dir().join(format!("babrpdf-preview-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let short = pdf_of(&engine, "short-news.json", Profile::Download);
    let short_file = dir.join("short-news.pdf");
    std::fs::write(&short_file, &short).unwrap();
    let thumb = PreviewOptions {
        pages: PageRange::single(1),
        size: PreviewSize::Width(300),
        ..PreviewOptions::default()
    };
    let a4 = PreviewOptions {
        size: PreviewSize::Dpi(150),
        ..thumb
    };
    // Pictures of `pdf` as `options` asks, timed, with the first picture's size in bytes.
    let pictures = |what: &str, pdf: &[u8], options: &PreviewOptions, target: Option<f64>| {
        let (first, _) = preview::pictures(pdf, options).unwrap();
        let times = measure(budget, || {
            std::hint::black_box(preview::pictures(pdf, options).unwrap());
        });
        let extra = format!("   {} bytes", first[0].bytes.len());
        report(what, &times, target, &extra);
    };
    pictures(
        "short-news p.1, 300 px PNG, from its PDF",
        &short,
        &thumb,
        Some(10.0),
    );
    let article = sample("short-news.json");
    let options = RenderOptions::for_article_file(&sample_path("short-news.json"));
    let times = measure(budget, || {
        std::hint::black_box(engine.preview(&article, &options, &thumb).unwrap());
    });
    report(
        "  the same from the article (render + preview)",
        &times,
        None,
        "",
    );
    pictures("short-news p.1, A4 at 150 dpi PNG", &short, &a4, Some(60.0));
    let times = measure(budget, || {
        std::hint::black_box(preview::rasterize(&short, a4.pages, a4.size).unwrap());
    });
    report("  of which drawing (no PNG encoding)", &times, None, "");
    let svg = PreviewOptions {
        format: PreviewFormat::Svg,
        ..thumb
    };
    pictures("short-news p.1 as SVG", &short, &svg, None);

    let long = ten_pages(&engine);
    let long_file = dir.join("ten-pages.pdf");
    std::fs::write(&long_file, &long).unwrap();
    let count = preview::page_count(&long).unwrap();
    let strip = PreviewOptions {
        pages: PageRange {
            first: 1,
            last: Some(10),
        },
        size: PreviewSize::Width(300),
        ..PreviewOptions::default()
    };
    let what = format!("strip: pages 1-10 of {count} as 300 px PNGs");
    pictures(&what, &long, &strip, Some(100.0));

    // The yardsticks: whole processes on the same PDFs, as the site would run them.
    let out = dir.join("out");
    // Arguments, split at spaces: {short} and {long} are the PDFs, {out} the output's stem.
    let tools = [
        (
            "pdftoppm",
            "pdftoppm p.1, 300 px",
            "-png -singlefile -f 1 -l 1 -scale-to-x 300 -scale-to-y -1 {short} {out}",
        ),
        (
            "pdftoppm",
            "pdftoppm p.1, 150 dpi",
            "-png -singlefile -f 1 -l 1 -r 150 {short} {out}",
        ),
        (
            "pdftoppm",
            "pdftoppm pages 1-10, 300 px",
            "-png -f 1 -l 10 -scale-to-x 300 -scale-to-y -1 {long} {out}",
        ),
        (
            "mutool",
            "mutool draw p.1, 300 px",
            "draw -q -w 300 -o {out}.png {short} 1",
        ),
        (
            "mutool",
            "mutool draw p.1, 150 dpi",
            "draw -q -r 150 -o {out}.png {short} 1",
        ),
        (
            "mutool",
            "mutool draw pages 1-10, 300 px",
            "draw -q -w 300 -o {out}-%d.png {long} 1-10",
        ),
    ];
    for (program, what, args) in tools {
        let args: Vec<String> = args
            .split(' ')
            .map(|a| {
                a.replace("{short}", &path(&short_file))
                    .replace("{long}", &path(&long_file))
                    .replace("{out}", &path(&out))
            })
            .collect();
        if !installed(program) {
            println!("{what:<52} ({program} is not installed)");
            continue;
        }
        let times = measure(budget, || {
            let status = Command::new(program)
                .args(&args)
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "{program} {args:?} failed");
        });
        report(&format!("process: {what}"), &times, None, "");
    }

    if installed("pdftoppm") {
        faithfulness(&engine, &dir);
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Under `cargo test`: one thumbnail, so the benchmark code cannot rot.
fn smoke() {
    let engine = Engine::new().unwrap();
    let pdf = pdf_of(&engine, "short-news.json", Profile::Download);
    let thumb = PreviewOptions {
        pages: PageRange::single(1),
        size: PreviewSize::Width(300),
        ..PreviewOptions::default()
    };
    let (pages, _) = preview::pictures(&pdf, &thumb).unwrap();
    assert!(pages[0].bytes.starts_with(b"\x89PNG"));
    println!("preview bench smoke test ok");
}
