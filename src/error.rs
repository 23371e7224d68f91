//! The one error type of the library: every failure is a one-line, human-readable message.

use std::fmt;

/// Why a render failed. `Display` gives one line suitable for a log or a terminal.
#[derive(Debug)]
pub enum Error {
    /// The input could not be read as an article (syntax, types, missing fields, encoding).
    /// `line` and `column` are 1-based and point into the input when known.
    Input {
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// A font could not be loaded or used.
    Font(String),
    /// A limit was exceeded (input size, pages, ...).
    Limit(String),
    /// The PDF would not meet a standard it was to claim; `ua` names PDF/UA-1 among those
    /// checked (PDF/A-2b is the other).
    Validation { message: String, ua: bool },
    /// The PDF writer refused the document.
    Pdf(String),
    /// Reading input or writing output failed.
    Io(std::io::Error),
}

impl Error {
    pub(crate) fn input(message: impl Into<String>) -> Self {
        Error::Input {
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input {
                line: Some(l),
                column: Some(c),
                message,
            } => write!(f, "line {l}, column {c}: {message}"),
            Error::Input {
                line: Some(l),
                message,
                ..
            } => write!(f, "line {l}: {message}"),
            Error::Input { message, .. } => f.write_str(message),
            Error::Font(m) => write!(f, "font: {m}"),
            Error::Limit(m) => write!(f, "limit exceeded: {m}"),
            Error::Validation { message, .. } => f.write_str(message),
            Error::Pdf(m) => write!(f, "PDF writer: {m}"),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}
