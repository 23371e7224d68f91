//! Input formats: each lowers an article body into the document tree (`doc::Block`); `lower`
//! lowers the whole article into the document layout reads (`doc::Doc`).

pub(crate) mod frontmatter;
pub(crate) mod html;
mod lower;
pub(crate) mod markdown;
pub(crate) mod sanitize;
pub(crate) mod text;
mod tree;

use crate::article::{Article, BodyFormat};
use crate::doc::Block;

pub use lower::{front_and_end_matter, lower};

/// Deepest nesting of lists and quotes kept as structure; deeper levels are flattened into their
/// parent so hostile input cannot exhaust the stack.
pub const MAX_NESTING: usize = 32;

/// Lowers the article's body into blocks according to `body_format`.
pub fn body_blocks(article: &Article) -> Vec<Block> {
    match article.body_format {
        BodyFormat::Text => text::blocks(&article.body),
        BodyFormat::Markdown => markdown::blocks(&article.body),
        BodyFormat::Html => html::blocks(&article.body),
    }
}
