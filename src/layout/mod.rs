//! Layout: paragraphs into lines, lines into pages, pages into a display list.

pub mod contents;
pub mod display;
pub(crate) mod figure;
pub mod flow;
mod items;
mod line;
pub mod locale;
mod matter;
mod notes;
pub mod page;
pub mod para;
pub mod style;
mod table;
