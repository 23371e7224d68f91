//! Article JSON → display list: any bytes must give an article or a clean error, never a panic.
#![no_main]

use std::sync::OnceLock;

use babrpdf::{Article, Engine, RenderOptions};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new().expect("fonts"))
}

/// A deadline under libFuzzer's `-timeout=10`: a render stops itself in time, so a timeout
/// the fuzzer reports is a loop that never consults the render's budget.
fn options() -> RenderOptions {
    RenderOptions {
        limits: babrpdf::Limits {
            timeout: Some(std::time::Duration::from_secs(5)),
            ..babrpdf::Limits::default()
        },
        ..RenderOptions::default()
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(article) = Article::from_json(data) {
        let _ = engine().layout(&article, &options());
    }
});
