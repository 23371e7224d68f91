//! Layout: paragraphs into lines, lines into pages, pages into a display list.

pub(crate) mod contents;
pub mod display;
pub(crate) mod figure;
pub(crate) mod flow;

pub(crate) mod locale;
mod matter;
mod notes;
pub(crate) mod page;
pub(crate) mod para;
pub(crate) mod style;
mod table;
