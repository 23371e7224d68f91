//! Helpers shared by the integration tests: one engine, the samples, reading PDFs back.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use babrpdf::{Article, Engine, RenderOptions};

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("embedded fonts load"))
}

pub fn sample_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

pub fn sample(name: &str) -> Article {
    let bytes = std::fs::read(sample_path(name)).expect("sample exists");
    Article::from_json(&bytes).expect("sample parses")
}

pub const SAMPLES: [&str; 3] = ["short-news.json", "long-feature.json", "multilingual.json"];

/// Every sample article, JSON and Markdown.
pub const EVERY_SAMPLE: [&str; 6] = [
    "short-news.json",
    "short-news.md",
    "long-feature.json",
    "multilingual.json",
    "html-news.json",
    "rich-article.md",
];

/// The article in a JSON or (by its extension) Markdown file.
pub fn read_article(path: &Path) -> Article {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed = if path.extension().is_some_and(|e| e == "md") {
        Article::from_markdown(&bytes)
    } else {
        Article::from_json(&bytes)
    };
    parsed.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn render(article: &Article) -> Vec<u8> {
    engine()
        .render(article, &RenderOptions::default())
        .expect("renders")
        .pdf
}

pub fn load(pdf: &[u8]) -> lopdf::Document {
    lopdf::Document::load_mem(pdf).expect("our PDF parses")
}

/// The XMP packet of a PDF, read through the catalog's /Metadata stream (deflated outside
/// PDF/A, plain in PDF/A).
pub fn xmp_of(pdf: &[u8]) -> String {
    let doc = load(pdf);
    let catalog = doc.catalog().unwrap();
    let id = catalog.get(b"Metadata").unwrap().as_reference().unwrap();
    let stream = doc.get_object(id).unwrap().as_stream().unwrap();
    let packet = match stream.dict.get(b"Filter") {
        Ok(_) => stream.decompressed_content().expect("XMP inflates"),
        Err(_) => stream.content.clone(),
    };
    String::from_utf8(packet).expect("XMP is UTF-8")
}

/// Text of every page, in page order, through the fonts' ToUnicode maps.
pub fn pdf_text(doc: &lopdf::Document) -> String {
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    pages
        .iter()
        .map(|&p| doc.extract_text(&[p]).expect("text extracts"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Words of a text, with line-end hyphenation undone when the joined word is in `vocabulary`.
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(|w| w.to_string()).collect()
}

/// The `babrpdf` binary built for these tests.
pub fn bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_babrpdf"))
}

/// A fresh, empty folder for one test; `suite` keeps test files apart.
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("babrpdf-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A dictionary, following a reference.
pub fn dict<'a>(doc: &'a lopdf::Document, obj: &'a lopdf::Object) -> &'a lopdf::Dictionary {
    match obj {
        lopdf::Object::Reference(r) => doc
            .get_object(*r)
            .and_then(lopdf::Object::as_dict)
            .expect("dictionary"),
        o => o.as_dict().expect("dictionary"),
    }
}

/// A PDF text string (UTF-16BE with BOM, or PDFDocEncoding read as UTF-8).
pub fn text_string(obj: &lopdf::Object) -> String {
    let bytes = obj.as_str().expect("string");
    if bytes.starts_with(&[0xfe, 0xff]) {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// Runs the binary with `args` and no standard input.
pub fn run(args: &[&str]) -> std::process::Output {
    bin()
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// `n` copies of the long feature (without its cover) as JSON Lines, ids `k0`, `k1` …: an
/// archive big enough that a batch over it can be interrupted midway.
pub fn feature_archive(n: usize) -> String {
    let feature = std::fs::read_to_string(sample_path("long-feature.json")).unwrap();
    let mut article: serde_json::Value = serde_json::from_str(&feature).unwrap();
    article.as_object_mut().unwrap().remove("cover");
    let lines: Vec<String> = (0..n)
        .map(|i| {
            article["id"] = serde_json::json!(format!("k{i}"));
            article.to_string()
        })
        .collect();
    lines.join("\n")
}

/// The width of a PDF's first page, in points (A4 595, A5 420, Letter 612).
pub fn first_page_width(pdf: &[u8]) -> f32 {
    let doc = load(pdf);
    let page = doc.get_pages()[&1];
    let page = doc.get_object(page).unwrap().as_dict().unwrap();
    let mediabox = page.get(b"MediaBox").unwrap().as_array().unwrap();
    mediabox[2].as_float().unwrap()
}

/// Runs `command` and returns its exit code and its own peak resident memory in KB.
///
/// The command is started from a small Python process, not from this test process: Linux
/// counts the memory of the process that execs a program into the program's peak (`wait4`'s
/// `ru_maxrss` keeps the high-water mark of the address space it replaced, and `posix_spawn`
/// replaces the parent's), so a child of this test binary would report the test binary's own
/// peak whenever other tests in it render large documents at the same time.
pub fn run_with_peak_memory(command: &std::process::Command) -> (i32, i64) {
    const MEASURE: &str = "import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL).returncode
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let out = std::process::Command::new("python3")
        .args(["-c", MEASURE])
        .arg(command.get_program())
        .args(command.get_args())
        .output()
        .expect("python3 is installed (.ci/run installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace().map(|f| f.parse::<i64>());
    match (fields.next(), fields.next()) {
        (Some(Ok(code)), Some(Ok(peak))) => (code as i32, peak),
        _ => panic!(
            "no exit code and peak from python3: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}
