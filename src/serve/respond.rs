//! Answers: a PDF with the headers a browser and a cache need (disposition, strong ETag,
//! warnings), or a problem as `{"error": …, "field": …}` with the status that fits it.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::request::Disposition;
use crate::error::{AssetErrorKind, Error};

/// A request that could not be answered with a PDF: the status and the one-line message the
/// CLI would print.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub status: StatusCode,
    pub message: String,
    /// The input field the message is about (`source.name`), when known.
    pub field: Option<String>,
    /// Seconds after which the client may try again (429, 503).
    pub retry_after: Option<u32>,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Problem {
        Problem {
            status,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, message)
    }

    /// The library's error with the status it deserves: an unreadable article is 400; one
    /// that reads but cannot be made (a limit, a strict image, PDF/A) 422; an image host that
    /// failed 502; our own fault 500. (A render past its deadline is told apart by the caller,
    /// which knows the deadline: 503.)
    pub(crate) fn from_error(e: &Error) -> Problem {
        let status = match e {
            Error::Input { .. } | Error::Options(_) => StatusCode::BAD_REQUEST,
            Error::Asset {
                kind: AssetErrorKind::Fetch,
                ..
            } => StatusCode::BAD_GATEWAY,
            Error::Limit(_) | Error::Validation { .. } | Error::Asset { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut problem = Problem::new(status, e.to_string());
        if let Error::Input { field, .. } = e {
            problem.field = field.clone();
        }
        problem
    }

    pub(crate) fn retry_after(mut self, seconds: u32) -> Problem {
        self.retry_after = Some(seconds);
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.message });
        if let Some(field) = &self.field {
            body["field"] = field.clone().into();
        }
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A finished PDF, or a picture of one of its pages, as the cache keeps it.
#[derive(Debug)]
pub(crate) struct Pdf {
    pub bytes: axum::body::Bytes,
    pub warnings: Vec<String>,
    /// The strong validator: a hash of the input, the options and the engine version.
    pub etag: String,
    /// The file name without its extension: the article's slug (and `-pN` for a picture).
    pub name: String,
    /// `pdf`, or the picture's format (`png`, `svg`): the file name's extension.
    pub extension: &'static str,
    /// `application/pdf`, or the picture's media type.
    pub media: &'static str,
}

/// Whether an `If-None-Match` header names this ETag (or is `*`).
pub(crate) fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// `304 Not Modified` for a client that already has this PDF.
pub(crate) fn not_modified(etag: &str, cache_control: &'static str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    let headers = response.headers_mut();
    headers.insert(header::ETAG, header_value(etag));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    response
}

/// `200` with the PDF.
pub(crate) fn pdf_response(
    pdf: &Pdf,
    disposition: Disposition,
    cache_control: &'static str,
) -> Response {
    let mut response = Response::new(Body::from(pdf.bytes.clone()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(pdf.media));
    headers.insert(
        header::CONTENT_DISPOSITION,
        header_value(&content_disposition(disposition, &pdf.name, pdf.extension)),
    );
    headers.insert(header::ETAG, header_value(&pdf.etag));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    headers.insert(
        "x-babrpdf-warning-count",
        HeaderValue::from(pdf.warnings.len()),
    );
    if !pdf.warnings.is_empty() {
        headers.insert(
            "x-babrpdf-warnings",
            header_value(&warnings_header(&pdf.warnings)),
        );
    }
    response
}

/// Most bytes of warnings carried in the response header (proxies refuse long headers); the
/// count header says how many there were in all.
const MAX_WARNINGS_HEADER: usize = 4096;

/// The warnings as a JSON array in ASCII (`\uXXXX` for the rest), cut to whole entries.
fn warnings_header(warnings: &[String]) -> String {
    let mut out = String::from("[");
    for w in warnings {
        let mut entry = String::from("\"");
        for c in w.chars() {
            match c {
                '"' => entry.push_str("\\\""),
                '\\' => entry.push_str("\\\\"),
                ' '..='~' => entry.push(c),
                c => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        entry.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
        }
        entry.push('"');
        if out.len() + entry.len() + 2 > MAX_WARNINGS_HEADER {
            break;
        }
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&entry);
    }
    out.push(']');
    out
}

/// RFC 6266: an ASCII `filename` for old clients and `filename*` (RFC 5987, UTF-8,
/// percent-encoded) with the Cyrillic name for every current browser.
fn content_disposition(disposition: Disposition, name: &str, extension: &str) -> String {
    let kind = match disposition {
        Disposition::Inline => "inline",
        Disposition::Attachment => "attachment",
    };
    let ascii = ascii_name(name);
    let mut encoded = String::new();
    for b in format!("{name}.{extension}").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}.{extension}\"; filename*=UTF-8''{encoded}")
}

/// The name in Latin letters for clients that ignore `filename*`: Cyrillic transliterated
/// (the letters of Russian and of the other Cyrillic languages we set), anything else `_`.
fn ascii_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let latin = match c {
            'a'..='z' | '0'..='9' | '-' | '_' => {
                out.push(c);
                continue;
            }
            'а' | 'ә' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ғ' | 'ґ' => "g",
            'д' => "d",
            'е' | 'э' => "e",
            'ё' => "yo",
            'ж' => "zh",
            'з' => "z",
            'и' | 'і' => "i",
            'й' | 'ы' => "y",
            'к' => "k",
            'қ' => "q",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'ң' => "ng",
            'о' | 'ө' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ұ' | 'ү' => "u",
            'ф' => "f",
            'х' => "kh",
            'һ' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ю' => "yu",
            'я' => "ya",
            'є' => "ye",
            'ї' => "yi",
            _ => "_",
        };
        out.push_str(latin);
    }
    if out.trim_matches(['_', '-']).is_empty() {
        "article".to_string()
    } else {
        out
    }
}

/// A header value from text we built (visible ASCII by construction).
fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_file_name_goes_in_filename_star() {
        let d = content_disposition(Disposition::Attachment, "паром-на-ольхон", "pdf");
        assert!(
            d.starts_with("attachment; filename=\"parom-na-olkhon.pdf\""),
            "{d}"
        );
        assert!(d.contains("filename*=UTF-8''%D0%BF%D0%B0"), "{d}");
        assert!(d.is_ascii());
    }

    #[test]
    fn warnings_header_is_ascii_json_and_bounded() {
        let many =
            vec!["символ «ꙮ» нет ни в одном шрифте".to_string(); 500];
        let h = warnings_header(&many);
        assert!(h.is_ascii() && h.len() <= MAX_WARNINGS_HEADER);
        let back: Vec<String> = serde_json::from_str(&h).unwrap();
        assert!(!back.is_empty() && back[0] == many[0]);
    }

    #[test]
    fn etag_matching_handles_lists_and_weak_tags() {
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", W/\"b\""),
        );
        assert!(matches_etag(&h, "\"b\""));
        assert!(!matches_etag(&h, "\"c\""));
    }
}
