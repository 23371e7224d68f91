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

pub fn render(article: &Article) -> Vec<u8> {
    engine()
        .render(article, &RenderOptions::default())
        .expect("renders")
}

pub fn load(pdf: &[u8]) -> lopdf::Document {
    lopdf::Document::load_mem(pdf).expect("our PDF parses")
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
