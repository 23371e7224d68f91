//! Layout: paragraphs into lines, lines into pages, pages into a display list.

mod code;
pub(crate) mod contents;
pub mod display;
pub(crate) mod figure;
pub(crate) mod flow;
pub(crate) mod furniture;
mod keep;
mod list;
pub(crate) mod locale;
mod matter;
mod notes;
mod packed;
mod page;
pub(crate) mod para;
mod plan;
mod structure;
pub(crate) mod style;
mod styling;
mod table;
