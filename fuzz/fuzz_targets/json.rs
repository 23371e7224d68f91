//! Article JSON → display list: any bytes must give an article or a clean error, never a panic.
#![no_main]

use babrpdf::Article;
use libfuzzer_sys::fuzz_target;

mod shared;
use shared::{engine, options};

fuzz_target!(|data: &[u8]| {
    if let Ok(article) = Article::from_json(data) {
        let _ = engine().layout(&article, &options());
    }
});
