//! Markdown article files (front matter + body) → display list, never a panic.
#![no_main]

use babrpdf::Article;
use libfuzzer_sys::fuzz_target;

mod shared;
use shared::{engine, options};

fuzz_target!(|data: &[u8]| {
    if let Ok(article) = Article::from_markdown(data) {
        let _ = engine().layout(&article, &options());
    }
});
