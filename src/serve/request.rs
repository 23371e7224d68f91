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
use crate::theme::ThemeFile;

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
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Result<Query, Problem> {
        let mut query = Query {
            profile: None,
            paper: None,
            pdfa: None,
            theme: None,
            disposition: Disposition::Inline,
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
                _ => {
                    return Err(Problem::bad_request(format!(
                        "unknown query parameter `{key}` (profile, paper, pdfa, theme, disposition)"
                    )));
                }
            }
        }
        Ok(query)
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
