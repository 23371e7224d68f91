//! Markdown article files (front matter + body) → display list, never a panic.
#![no_main]

use std::sync::OnceLock;

use babrpdf::{Article, Engine, RenderOptions};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new().expect("fonts"))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(article) = Article::from_markdown(data) {
        let _ = engine().layout(&article, &RenderOptions::default());
    }
});
