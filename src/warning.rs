//! What a render tells a person without failing: a `Warning` is a kind to match and one line to
//! print (a character no font has, an image printed as its caption, a table split).

use std::fmt;

/// One thing a person should know about a finished render. `Display` gives the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What the warning is about.
    pub kind: WarningKind,
    /// One line, naming the field, the character or the image.
    pub message: String,
}

/// What a [`Warning`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// Text was cleaned before setting: a control character drawn as U+FFFD, combining marks
    /// past the limit dropped.
    Text,
    /// A character is in no font and is drawn as U+FFFD.
    Font,
    /// An image could not be drawn; its caption is printed in its place.
    Image,
    /// A table had more columns than the page holds and was set in groups of columns.
    Table,
    /// A date field is not an ISO 8601 date: printed as written, not used for the PDF's date or
    /// for file names.
    Date,
    /// The PDF/UA-1 checker objected: the PDF is written (still tagged) without that claim.
    Validation,
}

impl Warning {
    /// A warning of `kind` saying `message`.
    pub fn new(kind: WarningKind, message: impl Into<String>) -> Warning {
        Warning {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
