//! What a request asks for: the article from its body (JSON, Markdown, or a multipart form with
//! the article and its images) and the options from its query string.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};

use super::ServeConfig;
use super::respond::Problem;
use crate::article::Article;
use crate::layout::style::{Paper, Profile};
use crate::preview::{PageRange, PreviewFormat, PreviewOptions, PreviewSize};
use crate::theme::ThemeFile;

/// The widest picture the service draws: A4 at 300 dpi. The library allows more
/// (`preview::MAX_WIDTH_PX`); a request is anyone's, and 2,480 px is past any screen's need.
pub(crate) const MAX_SERVED_WIDTH_PX: u32 = 2_480;
/// The highest resolution the service draws at.
pub(crate) const MAX_SERVED_DPI: u32 = 300;

/// How the PDF is handed over: shown in the browser or saved as a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Disposition {
    Inline,
    Attachment,
}

/// The query string of a render: every parameter optional, unknown ones refused (a typo would
/// otherwise silently give the default).
#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub profile: Option<Profile>,
    pub paper: Option<Paper>,
    pub pdfa: Option<bool>,
    pub theme: Option<String>,
    pub disposition: Disposition,
    /// `format=pdf|png|svg`: `None` when not given, `Some(None)` for the PDF, else a picture
    /// of a page instead of the PDF.
    pub format: Option<Option<PreviewFormat>>,
    /// The page drawn, 1-based (pictures only; default 1).
    pub page: Option<usize>,
    /// The picture's width in pixels (pictures only).
    pub width: Option<u32>,
    /// The picture's resolution in dots per inch (pictures only; default 150).
    pub dpi: Option<u32>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Result<Query, Problem> {
        let mut query = Query {
            profile: None,
            paper: None,
            pdfa: None,
            theme: None,
            disposition: Disposition::Inline,
            format: None,
            page: None,
            width: None,
            dpi: None,
        };
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let bad = |expected: &str| {
                Problem::bad_request(format!("query `{key}={value}`: expected {expected}"))
            };
            match key.as_ref() {
                "profile" => {
                    query.profile =
                        Some(Profile::parse(&value).ok_or_else(|| bad("download or print"))?)
                }
                "paper" => {
                    query.paper = Some(Paper::parse(&value).ok_or_else(|| bad("a4, a5 or letter"))?)
                }
                "pdfa" => {
                    query.pdfa = Some(match value.as_ref() {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        _ => return Err(bad("true or false")),
                    })
                }
                "theme" => query.theme = Some(value.into_owned()),
                "disposition" => {
                    query.disposition = match value.as_ref() {
                        "inline" => Disposition::Inline,
                        "attachment" => Disposition::Attachment,
                        _ => return Err(bad("inline or attachment")),
                    }
                }
                "format" => {
                    let format = match value.to_ascii_lowercase().as_str() {
                        "pdf" => None,
                        other => {
                            Some(PreviewFormat::parse(other).map_err(|_| bad("pdf, png or svg"))?)
                        }
                    };
                    query.format = Some(format);
                }
                "page" => {
                    let page = value.parse::<usize>().ok().filter(|&p| p >= 1);
                    query.page = Some(page.ok_or_else(|| bad("a page number from 1"))?);
                }
                "width" => {
                    let width = value.parse::<u32>().ok();
                    let width = width.filter(|w| (1..=MAX_SERVED_WIDTH_PX).contains(w));
                    let expected = format!("a width in pixels from 1 to {MAX_SERVED_WIDTH_PX}");
                    query.width = Some(width.ok_or_else(|| bad(&expected))?);
                }
                "dpi" => {
                    let dpi = value.parse::<u32>().ok();
                    let dpi = dpi.filter(|d| (1..=MAX_SERVED_DPI).contains(d));
                    let expected = format!("a resolution from 1 to {MAX_SERVED_DPI} dpi");
                    query.dpi = Some(dpi.ok_or_else(|| bad(&expected))?);
                }
                _ => {
                    return Err(Problem::bad_request(format!(
                        "unknown query parameter `{key}` (profile, paper, pdfa, theme, \
                         disposition, format, page, width, dpi)"
                    )));
                }
            }
        }
        Ok(query)
    }

    /// The picture asked for: one page in `format`, or `None` for the PDF. The picture's
    /// parameters without a picture format, or both a width and a dpi, are refused.
    pub(crate) fn picture(&self) -> Result<Option<PreviewOptions>, Problem> {
        let Some(Some(format)) = self.format else {
            let given = [
                (self.page.is_some(), "page"),
                (self.width.is_some(), "width"),
                (self.dpi.is_some(), "dpi"),
            ];
            return match given.into_iter().find(|(given, _)| *given) {
                Some((_, name)) => Err(Problem::bad_request(format!(
                    "query `{name}` is for pictures: add format=png (or ask for ID.png)"
                ))),
                None => Ok(None),
            };
        };
        let size = match (self.width, self.dpi) {
            (Some(_), Some(_)) => {
                return Err(Problem::bad_request(
                    "query: give either `width` or `dpi`, not both",
                ));
            }
            (Some(px), None) => PreviewSize::Width(px),
            (None, Some(dpi)) => PreviewSize::Dpi(dpi),
            (None, None) => PreviewSize::default(),
        };
        Ok(Some(PreviewOptions {
            format,
            pages: PageRange::single(self.page.unwrap_or(1)),
            size,
            grey: false,
        }))
    }

    /// The service's options with this request's choices applied. A theme is one loaded at
    /// start-up, named; never a path.
    pub(crate) fn options(&self, config: &ServeConfig) -> Result<crate::RenderOptions, Problem> {
        let mut options = config.options.clone();
        if let Some(profile) = self.profile {
            options.profile = profile;
        }
        if let Some(paper) = self.paper {
            options.paper = Some(paper);
        }
        if let Some(pdfa) = self.pdfa {
            options.pdfa = pdfa;
        }
        if let Some(name) = &self.theme {
            let theme: &Arc<ThemeFile> = config.themes.get(name).ok_or_else(|| {
                Problem::bad_request(format!(
                    "unknown theme `{name}` (this service has: {})",
                    names(&config.themes)
                ))
            })?;
            options.theme = Some(theme.clone());
        }
        Ok(options)
    }
}

fn names(themes: &BTreeMap<String, Arc<ThemeFile>>) -> String {
    if themes.is_empty() {
        "none".to_string()
    } else {
        themes
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The body's media type, without parameters, lower case.
pub(crate) fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The article in a JSON or Markdown body.
pub(crate) fn article_from_body(media: &str, body: &Bytes) -> Result<Article, Problem> {
    let article = match media {
        "application/json" => Article::from_json(body),
        "text/markdown" | "text/x-markdown" => Article::from_markdown(body),
        "" => {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the request has no Content-Type: send application/json, text/markdown or multipart/form-data",
            ));
        }
        other => {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "media type `{other}` is not an article: send application/json, text/markdown or multipart/form-data"
                ),
            ));
        }
    };
    article.map_err(|e| Problem::from_error(&e))
}
