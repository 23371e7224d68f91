//! The input model (`shared/article.schema.json`) and its validation.

use serde::Deserialize;

use crate::error::Error;

/// Largest article input accepted, in bytes. A real article is tens of kilobytes; this leaves room
/// for archives with inlined data and for a pathological 5 MB "word" while refusing runaway input.
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// One news article, as the site's backend hands it over. Only `title` and `body` are required.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Article {
    /// The article's id in the site's archive (names `batch`'s output file).
    #[serde(default)]
    pub id: Option<ArticleId>,
    /// The article's address on the site: the footer, the print profile's QR code.
    #[serde(default)]
    pub url: Option<String>,
    /// BCP 47 tag; `ru` when absent.
    #[serde(default)]
    pub lang: Option<String>,
    /// The headline.
    pub title: String,
    /// The lead (deck) under the headline.
    #[serde(default)]
    pub subtitle: Option<String>,
    /// The byline, one name each.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Publication date and time, ISO 8601 (`2024-06-03T09:30:00+08:00` or `2024-06-03`).
    #[serde(default)]
    pub published: Option<String>,
    /// When the article was last changed, ISO 8601.
    #[serde(default)]
    pub updated: Option<String>,
    /// The site's section (rubric) printed above the headline.
    #[serde(default)]
    pub section: Option<String>,
    /// Tags, printed after the body and written as the PDF's keywords.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The site's view counter, printed in the byline.
    #[serde(default)]
    pub views: Option<u64>,
    /// How `body` is written; Markdown when absent.
    #[serde(default)]
    pub body_format: BodyFormat,
    /// The article's text, in `body_format`.
    pub body: String,
    /// The picture atop the article.
    #[serde(default)]
    pub cover: Option<Image>,
    /// «Читайте также»: links to related articles, printed after the body.
    #[serde(default)]
    pub related: Vec<Related>,
    /// Where the news came from, printed after the body.
    #[serde(default)]
    pub source: Option<Source>,
    /// The copyright line, printed after the body.
    #[serde(default)]
    pub copyright: Option<String>,
}

/// Archive identifier: the schema allows a string or an integer.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ArticleId {
    /// An id written as a string.
    Text(String),
    /// An id written as a number.
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
    /// CommonMark with tables, footnotes, strike-through and task lists.
    Markdown,
    /// HTML as a CMS stores it; scripts, styles and unknown elements are left out.
    Html,
    /// Plain text: blank lines part paragraphs.
    Text,
}

/// A picture the article names: its cover.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Image {
    /// A path under the asset root, a `data:` URI or an address on an allowed host.
    pub src: String,
    /// What the picture shows, for those who cannot see it.
    #[serde(default)]
    pub alt: Option<String>,
    /// The caption printed under it.
    #[serde(default)]
    pub caption: Option<String>,
    /// The photographer or agency.
    #[serde(default)]
    pub credit: Option<String>,
}

/// A link to a related article.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Related {
    /// The linked article's headline.
    pub title: String,
    /// Its address.
    #[serde(default)]
    pub url: Option<String>,
}

/// Where the news came from.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Source {
    /// The source's name (an agency, a newspaper).
    #[serde(default)]
    pub name: Option<String>,
    /// Its address.
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
            // serde_path_to_error writes `?` for a place it could not name (a syntax error).
            field: (!path.is_empty() && path != "." && !path.contains('?'))
                .then(|| path.to_string()),
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
            field: None,
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
    fn a_wrong_value_names_its_field_for_callers_to_match() {
        let field = |json: &str| match Article::from_json(json.as_bytes()) {
            Err(crate::Error::Input { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(r#"{"title":"t","body":"b","source":{"name":1}}"#).as_deref(),
            Some("source.name")
        );
        assert_eq!(
            field(r#"{"title":"t","body":"b","authors":["a",2]}"#).as_deref(),
            Some("authors[1]")
        );
        assert_eq!(
            field(r#"{"title":"t","body":"b""#),
            None,
            "a syntax error is in no field"
        );
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
