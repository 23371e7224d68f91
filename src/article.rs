//! The input model (`shared/article.schema.json`) and its validation.

use serde::Deserialize;

use crate::error::Error;

/// Largest article input accepted, in bytes. A real article is tens of kilobytes; this leaves room
/// for archives with inlined data and for a pathological 5 MB "word" while refusing runaway input.
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// One news article, as the site's backend hands it over. Only `title` and `body` are required.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Article {
    #[serde(default)]
    pub id: Option<ArticleId>,
    #[serde(default)]
    pub url: Option<String>,
    /// BCP 47 tag; `ru` when absent.
    #[serde(default)]
    pub lang: Option<String>,
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub updated: Option<String>,
    #[serde(default)]
    pub section: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub views: Option<u64>,
    #[serde(default)]
    pub body_format: BodyFormat,
    pub body: String,
    #[serde(default)]
    pub cover: Option<Image>,
    #[serde(default)]
    pub related: Vec<Related>,
    #[serde(default)]
    pub source: Option<Source>,
    #[serde(default)]
    pub copyright: Option<String>,
}

/// Archive identifier: the schema allows a string or an integer.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ArticleId {
    Text(String),
    Number(i64),
}

impl std::fmt::Display for ArticleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArticleId::Text(s) => f.write_str(s),
            ArticleId::Number(n) => write!(f, "{n}"),
        }
    }
}

/// How `body` is written.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    #[default]
    Markdown,
    Html,
    Text,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Image {
    pub src: String,
    #[serde(default)]
    pub alt: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub credit: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Related {
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Source {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

impl Article {
    /// Parses article JSON. Errors carry the line and column of the problem.
    pub fn from_json(bytes: &[u8]) -> Result<Article, Error> {
        let text = input_text(bytes, "an article JSON object")?;
        // serde would read an array as the fields in order and complain about the first one.
        let found = match text.trim_start().chars().next() {
            Some('{') | None => None,
            Some('[') => Some("an array"),
            Some('"') => Some("a string"),
            Some('0'..='9' | '-') => Some("a number"),
            Some('t' | 'f') => Some("a boolean"),
            Some('n') => Some("null"),
            Some(_) => None,
        };
        if let Some(found) = found {
            return Err(Error::input(format!(
                "expected an article JSON object {{…}}, found {found}"
            )));
        }
        // The path of the offending field goes in front of serde's words ("`authors[1]`: …").
        let json_error = |e: serde_json::Error, path: &str| Error::Input {
            line: Some(e.line()),
            column: Some(e.column()),
            message: json_message(&e, path),
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let article: Article = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            json_error(e.into_inner(), &path)
        })?;
        de.end().map_err(|e| json_error(e, ""))?;
        article.validate()?;
        Ok(article)
    }

    /// Parses a Markdown article file: YAML front matter with the same fields, then the body.
    pub fn from_markdown(bytes: &[u8]) -> Result<Article, Error> {
        crate::input::frontmatter::article_from_markdown(bytes)
    }

    /// Checks what serde cannot: required text is not blank.
    pub fn validate(&self) -> Result<(), Error> {
        if self.title.trim().is_empty() {
            return Err(Error::input("the article has an empty `title`"));
        }
        Ok(())
    }

    /// The authors to print: trimmed, blank entries left out.
    pub fn named_authors(&self) -> impl Iterator<Item = &str> {
        self.authors
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
    }

    /// The article's language tag, `ru` by default.
    pub fn lang(&self) -> &str {
        self.lang
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .unwrap_or("ru")
    }
}

/// The input as text: within the size limit, valid UTF-8 (errors point at the first bad byte),
/// without a byte-order mark, and not blank. `expected` names what the input should hold.
pub(crate) fn input_text<'a>(bytes: &'a [u8], expected: &str) -> Result<&'a str, Error> {
    if bytes.len() > MAX_INPUT_BYTES {
        // Readers stop one byte past the limit, so the length seen is not the input's size.
        return Err(Error::Limit(format!(
            "input is larger than the {} MB accepted",
            MAX_INPUT_BYTES >> 20
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(bytes, e.valid_up_to());
        Error::Input {
            line: Some(line),
            column: Some(column),
            message: "input is not valid UTF-8".into(),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Error::input(format!("input is empty: expected {expected}")));
    }
    Ok(text)
}

/// serde_json appends " at line L column C" to its messages; we report the position separately.
/// serde's message in our words; `path` names the field a data error is about (`.`: none).
fn json_message(e: &serde_json::Error, path: &str) -> String {
    let full = e.to_string();
    let msg = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    // serde's words for an id of the wrong type name its enum, not the field.
    let msg = msg.replace(
        "data did not match any variant of untagged enum ArticleId",
        "must be a string or an integer",
    );
    // serde_json says "leading" of a lone trailing surrogate too (`\udc00`): say what is wrong.
    let msg = msg.replace(
        "lone leading surrogate in hex escape",
        "a \\u escape of half a surrogate pair (\\uD800–\\uDBFF must be followed by \\uDC00–\\uDFFF)",
    );
    match e.classify() {
        serde_json::error::Category::Eof => format!("truncated JSON: {msg}"),
        serde_json::error::Category::Syntax => format!("invalid JSON: {msg}"),
        _ if path.is_empty() || path == "." => format!("not an article: {msg}"),
        _ => format!("not an article: `{path}`: {msg}"),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(input: &str) -> String {
        Article::from_json(input.as_bytes())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn minimal_article_parses() {
        let a = Article::from_json(r#"{"title":"Т","body":"текст"}"#.as_bytes()).unwrap();
        assert_eq!(a.title, "Т");
        assert_eq!(a.lang(), "ru");
        assert_eq!(a.body_format, BodyFormat::Markdown);
    }

    #[test]
    fn integer_id_and_unknown_fields_accepted() {
        let a = Article::from_json(br#"{"id":42,"title":"T","body":"b","extra":{"x":1}}"#).unwrap();
        assert_eq!(a.id, Some(ArticleId::Number(42)));
    }

    #[test]
    fn bad_inputs_give_positioned_one_line_errors() {
        assert!(err("").contains("empty"));
        let truncated = err("{\"title\": \"Т\",\n \"body\": \"те");
        assert!(truncated.starts_with("line 2"), "{truncated}");
        assert!(truncated.contains("truncated"), "{truncated}");
        assert!(err(r#"{"body":"b"}"#).contains("missing field `title`"));
        assert!(err(r#"{"title":"  ","body":"b"}"#).contains("empty `title`"));
        assert!(err(r#"{"title":"t","body":5}"#).contains("`body`: invalid type"));
        // The field a wrong value sits in is named, however deep.
        let deep = err(r#"{"title":"t","body":"b","source":{"name":1}}"#);
        assert!(deep.contains("`source.name`: invalid type"), "{deep}");
        let id = err(r#"{"id":[1],"title":"t","body":"b"}"#);
        assert!(id.contains("`id`: must be a string or an integer"), "{id}");
        assert!(err("[1,2]").contains("found an array"));
        let lone = err(r#"{"title":"t","body":"a\udc00"}"#);
        assert!(
            lone.contains("half a surrogate pair") && !lone.contains("leading"),
            "{lone}"
        );
        assert!(err(r#"{"title":"t","body":"b"} x"#).contains("trailing"));
        let bad_utf8 = Article::from_json(b"{\"title\":\"\xff\"}")
            .unwrap_err()
            .to_string();
        assert!(bad_utf8.contains("UTF-8"), "{bad_utf8}");
        for e in [
            err("{"),
            err("[1,2]"),
            err("{\"title\":\"t\",\"body\":\"b\",}"),
        ] {
            assert!(!e.contains('\n'));
        }
    }
}
