//! babrpdf: article JSON or Markdown to paginated, print-quality PDF with real Cyrillic typesetting.
//!
//! Build one [`Engine`] at start-up (the fonts are parsed once) and render from any thread:
//!
//! ```
//! use babrpdf::{Article, Engine, RenderOptions};
//!
//! let engine = Engine::new()?;
//! let json = r#"{"title": "Паром на Ольхон", "body": "Третье судно вышло на линию.", "body_format": "text"}"#;
//! let article = Article::from_json(json.as_bytes())?;
//! let rendered = engine.render(&article, &RenderOptions::default())?;
//! assert!(rendered.pdf.starts_with(b"%PDF-"));
//! for warning in &rendered.warnings {
//!     eprintln!("warning: {warning}");
//! }
//! # Ok::<(), babrpdf::Error>(())
//! ```
//!
//! Many articles: [`batch::run`] exports an archive on every core (what `babrpdf batch` does),
//! reporting [`batch::Event`]s to the caller's sink;
//! [`Engine::volume`] binds laid-out articles into one book with a table of contents.
//!
//! Pipeline: `input` (JSON, Markdown) → `doc` tree → `resources` (images loaded and checked)
//! → `text` (shaping, hyphenation, Knuth–Plass)
//! → `layout` (paragraphs, pages, the display list) → `pdf` (krilla).

#![warn(missing_docs)]

pub mod article;
pub mod assets;
pub mod atomic;
pub mod batch;
mod budget;
pub mod doc;
mod engine;
pub mod error;
mod fetch;
pub mod input;
pub mod layout;
mod memory;
mod pdf;
mod pdf_emoji;
mod pdf_pack;
mod pdf_tags;
mod pdf_xmp;
mod photo;
pub mod preview;
mod resources;
#[cfg(feature = "serve")]
pub mod serve;
mod stable_hash;
mod text;
pub mod theme;
mod volume;
mod warning;

pub use article::Article;
pub use assets::Assets;
pub use budget::Limits;
pub use engine::{Engine, RenderOptions, Rendered};
pub use error::{AssetError, AssetErrorKind, Error};
pub use layout::style::{Paper, Profile};
pub use theme::ThemeFile;
pub use volume::{Volume, VolumePdf};
pub use warning::{Warning, WarningKind};
