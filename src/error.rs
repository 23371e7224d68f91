//! The error type of the library: variants a caller can match, each displayed as one
//! human-readable line that names the input, the field or the asset.

use std::fmt;
use std::path::PathBuf;

/// Characters of an asset's source kept in an error: a `data:` URI can be megabytes.
const SOURCE_CHARS: usize = 80;

/// Why a render (or a batch) failed. `Display` gives one line suitable for a log or a terminal.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The input could not be read as an article (syntax, types, missing fields, encoding).
    /// `line` and `column` are 1-based and point into the input when known.
    Input {
        /// Line of the input the problem is on.
        line: Option<usize>,
        /// Column (in characters) of that line.
        column: Option<usize>,
        /// What is wrong, naming the field.
        message: String,
        /// The field the problem is in, as a path into the article (`source.name`,
        /// `authors[1]`), when it is known.
        field: Option<String>,
    },
    /// An image the article names could not be drawn (with `RenderOptions::strict`; otherwise it
    /// is a [`Warning`](crate::Warning) and its caption is printed instead).
    Asset {
        /// The source as the article gives it (`src`), at most 80 characters of it.
        src: String,
        /// What kind of problem it is.
        kind: AssetErrorKind,
        /// The problem in words, without the source.
        message: String,
    },
    /// A font could not be loaded or used.
    Font(String),
    /// A limit was exceeded (input size, pages, ...).
    Limit(String),
    /// The PDF would not meet a standard it was to claim; `ua` names PDF/UA-1 among those
    /// checked (PDF/A-2b is the other).
    Validation {
        /// What the validator found.
        message: String,
        /// PDF/UA-1 was among the standards checked.
        ua: bool,
    },
    /// The PDF writer refused the document.
    Pdf(String),
    /// A page could not be drawn as a picture (`Engine::preview`): the PDF could not be read or
    /// the rasteriser failed on a page.
    Preview(String),
    /// The caller's options cannot work (a batch's `--name` template, a volume path): said
    /// before any work is done.
    Options(String),
    /// Reading or writing the named file or folder failed.
    File {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// Reading input or writing output failed.
    Io(std::io::Error),
}

impl Error {
    pub(crate) fn input(message: impl Into<String>) -> Self {
        Error::Input {
            line: None,
            column: None,
            message: message.into(),
            field: None,
        }
    }

    /// A failure to read or write `path`.
    pub(crate) fn file(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::File {
            path: path.into(),
            source,
        }
    }

    /// The same error said of `what` (a volume, a theme): its message starts `what: `, a bare
    /// I/O error becomes one about the file `what`.
    pub(crate) fn within(self, what: &str) -> Self {
        let prefix = |m: String| format!("{what}: {m}");
        match self {
            Error::Input {
                line,
                column,
                message,
                field,
            } => Error::Input {
                line,
                column,
                message: prefix(message),
                field,
            },
            Error::Asset { src, kind, message } => Error::Asset {
                src,
                kind,
                message: prefix(message),
            },
            Error::Font(m) => Error::Font(prefix(m)),
            Error::Limit(m) => Error::Limit(prefix(m)),
            Error::Validation { message, ua } => Error::Validation {
                message: prefix(message),
                ua,
            },
            Error::Pdf(m) => Error::Pdf(prefix(m)),
            Error::Preview(m) => Error::Preview(prefix(m)),
            Error::Options(m) => Error::Options(prefix(m)),
            Error::Io(source) => Error::file(what, source),
            file @ Error::File { .. } => file,
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
                ..
            } => write!(f, "line {l}, column {c}: {message}"),
            Error::Input {
                line: Some(l),
                message,
                ..
            } => write!(f, "line {l}: {message}"),
            Error::Input {
                column: Some(c),
                message,
                ..
            } => write!(f, "column {c}: {message}"),
            Error::Input { message, .. } => f.write_str(message),
            Error::Asset { src, message, .. } => write!(f, "image {src:?}: {message}"),
            Error::Font(m) => write!(f, "font: {m}"),
            Error::Limit(m) => write!(f, "limit exceeded: {m}"),
            Error::Validation { message, .. } => f.write_str(message),
            Error::Pdf(m) => write!(f, "PDF writer: {m}"),
            Error::Preview(m) => write!(f, "preview: {m}"),
            Error::Options(m) => f.write_str(m),
            Error::File { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) | Error::File { source: e, .. } => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// What kind of problem kept an image out of the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AssetErrorKind {
    /// The file is not there, or cannot be read (no asset folder was given, a read failed).
    NotFound,
    /// The sandbox refused it: a path leaving the asset folder, a `file:` URI, a host not
    /// allowed, an address that is not public, credentials in the address.
    Refused,
    /// Larger than is accepted: bytes or pixels past the engine's caps.
    TooLarge,
    /// The render's budget (its time, its decoded pixels) ran out before the image.
    Limit,
    /// Not a form the engine reads: another URI scheme, a malformed address, an image format
    /// other than JPEG and PNG.
    Unsupported,
    /// The bytes are not a whole, valid image (cut off, corrupt data, a bad checksum).
    Damaged,
    /// Fetching it from an allowed host failed (no answer, an HTTP error, a timeout).
    Fetch,
}

/// Why an image could not be had, without its source: what [`Assets::load`](crate::Assets::load)
/// returns, and what [`Error::Asset`] says with the source added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetError {
    /// What kind of problem it is.
    pub kind: AssetErrorKind,
    /// The problem in one line.
    pub message: String,
}

impl AssetError {
    pub(crate) fn new(kind: AssetErrorKind, message: impl Into<String>) -> Self {
        AssetError {
            kind,
            message: message.into(),
        }
    }

    /// The same problem with `prefix: ` before its message.
    pub(crate) fn context(self, prefix: impl fmt::Display) -> Self {
        AssetError {
            kind: self.kind,
            message: format!("{prefix}: {}", self.message),
        }
    }

    /// The render's error for the image at `src`.
    pub(crate) fn at(self, src: &str) -> Error {
        Error::Asset {
            src: src.chars().take(SOURCE_CHARS).collect(),
            kind: self.kind,
            message: self.message,
        }
    }
}

impl fmt::Display for AssetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AssetError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line_naming_what_they_are_about() {
        let e = AssetError::new(AssetErrorKind::NotFound, "No such file").at("photo.jpg");
        assert_eq!(e.to_string(), "image \"photo.jpg\": No such file");
        let long = format!("data:image/png;base64,{}", "A".repeat(1000));
        let Error::Asset { src, .. } = AssetError::new(AssetErrorKind::Damaged, "x").at(&long)
        else {
            panic!("an asset error")
        };
        assert_eq!(src.chars().count(), SOURCE_CHARS);
        let e = Error::Input {
            line: None,
            column: Some(7),
            message: "expected `,`".into(),
            field: None,
        };
        assert_eq!(e.to_string(), "column 7: expected `,`");
        let e = Error::Io(std::io::Error::other("disk full")).within("june.pdf");
        assert_eq!(e.to_string(), "june.pdf: disk full");
        assert!(matches!(e, Error::File { .. }));
        let e = Error::Pdf("broken".into()).within("june.pdf");
        assert_eq!(e.to_string(), "PDF writer: june.pdf: broken");
    }
}
