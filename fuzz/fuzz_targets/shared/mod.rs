//! What the render targets share: one engine, and options whose deadline stays under
//! libFuzzer's `-timeout=10`.

use std::sync::OnceLock;

use babrpdf::{Engine, RenderOptions};

pub fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new().expect("fonts"))
}

/// A render stops itself after 5 s, so a timeout the fuzzer reports is a loop that never
/// consults the render's budget.
pub fn options() -> RenderOptions {
    RenderOptions {
        limits: babrpdf::Limits {
            timeout: Some(std::time::Duration::from_secs(5)),
            ..babrpdf::Limits::default()
        },
        ..RenderOptions::default()
    }
}
