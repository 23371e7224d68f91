//! Markdown article files: YAML front matter (the article JSON fields) and a Markdown body.

use serde_json::{Map, Value};

use crate::article::{Article, input_text};
use crate::error::Error;

/// Reads `---\n<yaml>\n---\n<markdown>`. Without front matter, the first `# ` heading is the title.
pub fn article_from_markdown(bytes: &[u8]) -> Result<Article, Error> {
    let text = input_text(bytes, "a Markdown article")?;
    let (fields, body) = match split_front_matter(text) {
        Some((yaml, body, yaml_line)) => (parse_yaml(yaml, yaml_line)?, body),
        None => (Map::new(), text),
    };
    let mut fields = fields;
    let mut body = body.to_string();
    let has_title = fields
        .get("title")
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty());
    if !has_title && let Some((title, rest)) = take_first_heading(&body) {
        fields.insert("title".into(), Value::String(title));
        body = rest;
    }
    fields.insert("body".into(), Value::String(body));
    fields
        .entry("body_format")
        .or_insert_with(|| Value::String("markdown".into()));
    if !fields.contains_key("title") {
        return Err(Error::input(
            "the article has no title: give `title:` in the front matter or start with a `# ` heading",
        ));
    }
    // The field a wrong value sits in is named: "front matter: `authors`: invalid type …".
    let article: Article =
        serde_path_to_error::deserialize(Value::Object(fields)).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            Error::input(if path.is_empty() || path == "." {
                format!("front matter: {inner}")
            } else {
                format!("front matter: `{path}`: {inner}")
            })
        })?;
    article.validate()?;
    Ok(article)
}

/// (YAML, body, 1-based line where the YAML starts) when the text opens with a `---` line.
fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "---" {
        return None;
    }
    let rest = &text[first_end + 1..];
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Some((&rest[..offset], &rest[offset + line.len()..], 2));
        }
        offset += line.len();
    }
    None
}

fn parse_yaml(yaml: &str, first_line: usize) -> Result<Map<String, Value>, Error> {
    if yaml.trim().is_empty() {
        return Ok(Map::new());
    }
    let value: Value = serde_saphyr::from_str(yaml).map_err(|e| {
        let message = e
            .to_string()
            .lines()
            .next()
            .unwrap_or("invalid YAML")
            .to_string();
        let (line, column) = e.location().map_or((None, None), |l| {
            (
                Some(l.line() as usize + first_line - 1),
                Some(l.column() as usize),
            )
        });
        Error::Input {
            line,
            column,
            message: format!("front matter: {message}"),
            field: None,
        }
    })?;
    match value {
        Value::Object(map) => Ok(normalize(map)),
        Value::Null => Ok(Map::new()),
        _ => Err(Error::input(
            "front matter must be a mapping of article fields (title: ..., authors: [...])",
        )),
    }
}

/// YAML writers put numbers and dates where the schema wants strings (`published: 2024-06-17`,
/// `id: 123`): turn scalar values of string fields into strings.
fn normalize(mut map: Map<String, Value>) -> Map<String, Value> {
    for key in [
        "published",
        "updated",
        "title",
        "subtitle",
        "section",
        "url",
        "lang",
        "copyright",
    ] {
        if let Some(v) = map.get_mut(key)
            && (v.is_number() || v.is_boolean())
        {
            *v = Value::String(v.to_string());
        }
    }
    map
}

/// The first line `# Title` (ATX level-1 heading) and the body without it.
fn take_first_heading(body: &str) -> Option<(String, String)> {
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let t = line.trim();
        if let Some(title) = t.strip_prefix("# ") {
            let title = title.trim().trim_end_matches('#').trim().to_string();
            let rest = format!("{}{}", &body[..offset], &body[offset + line.len()..]);
            return (!title.is_empty()).then_some((title, rest));
        }
        if !t.is_empty() {
            return None;
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_fields_and_body() {
        let md = "---\ntitle: Паром на Ольхон\nauthors:\n  - Анна Соколова\npublished: 2024-06-17T14:44:00+08:00\ntags: [Байкал, Ольхон]\nsource:\n  name: Бабр-Новости\nid: 42\n---\n\nТекст *новости*.\n";
        let a = article_from_markdown(md.as_bytes()).unwrap();
        assert_eq!(a.title, "Паром на Ольхон");
        assert_eq!(a.authors, vec!["Анна Соколова"]);
        assert_eq!(a.published.as_deref(), Some("2024-06-17T14:44:00+08:00"));
        assert_eq!(a.tags.len(), 2);
        assert_eq!(a.source.unwrap().name.as_deref(), Some("Бабр-Новости"));
        assert_eq!(a.id, Some(crate::article::ArticleId::Number(42)));
        assert_eq!(a.body.trim(), "Текст *новости*.");
        assert_eq!(a.body_format, crate::article::BodyFormat::Markdown);
    }

    #[test]
    fn without_front_matter_the_first_heading_is_the_title() {
        let a = article_from_markdown(
            "\n# Заголовок статьи\n\nПервый абзац.\n\n## Раздел\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(a.title, "Заголовок статьи");
        assert!(!a.body.contains("Заголовок статьи") && a.body.contains("## Раздел"));
    }

    #[test]
    fn bad_front_matter_is_a_clear_error() {
        for (md, needle) in [
            ("---\ntitle: [unclosed\n---\nbody", "front matter"),
            ("---\n- a\n- b\n---\nbody", "mapping"),
            ("Просто текст без заголовка.", "no title"),
            (
                "---\ntitle: T\nauthors: 5\n---\nx",
                "front matter: `authors`: invalid type",
            ),
            ("", "empty"),
        ] {
            let e = article_from_markdown(md.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(e.contains(needle) && !e.contains('\n'), "{md:?}: {e}");
        }
    }
}
