//! Layout: paragraphs into lines, lines into pages, pages into a display list.

pub mod display;
mod figure;
pub mod flow;
mod items;
mod line;
pub mod locale;
mod matter;
mod notes;
mod page;
pub mod para;
pub mod style;
mod table;
