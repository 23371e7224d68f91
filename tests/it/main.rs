//! Every integration test in one binary: the library and its dependencies are linked once,
//! not once per test file (sixteen links of a 350 MB debug binary were most of the test build).

mod common;

mod batch;
mod batch_safety;
mod cli;
mod columns;
mod display_list;
mod engine;
mod hostile;
mod images;
mod line_breaks;
mod pdf_bytes;
mod pdf_roundtrip;
mod preview;
mod profiles;
mod reference_pages;
mod rich;
mod samples_schema;
mod scripts;
#[cfg(feature = "serve")]
mod serve;
mod volume;
