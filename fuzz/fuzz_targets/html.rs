//! HTML bodies → display list, never a panic.
#![no_main]

use babrpdf::Article;
use babrpdf::article::BodyFormat;
use libfuzzer_sys::fuzz_target;

mod shared;
use shared::{engine, options};

fuzz_target!(|data: &[u8]| {
    let article = Article {
        title: "Fuzz".into(),
        body: String::from_utf8_lossy(data).into_owned(),
        body_format: BodyFormat::Html,
        ..Article::default()
    };
    let _ = engine().layout(&article, &options());
});
