//! Layout: paragraphs into lines, lines into pages, pages into a display list.

pub mod display;
pub mod flow;
pub mod locale;
pub mod para;
pub mod style;
