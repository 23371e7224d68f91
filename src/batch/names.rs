//! File names from `--name` templates: checked before work starts, filled per article, never a
//! way out of the output folder.

use crate::article::Article;
use crate::error::Error;

/// Checks a `--name` template before any work: every `{…}` is a known field, every `%` in a
/// date pattern a known directive. A typo would otherwise name every file alike.
/// The error is `Error::Options`, naming the template and the field.
pub fn check_template(template: &str) -> Result<(), Error> {
    let fields = "use {id}, {slug} and {published:%Y/%m/%d}";
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(Error::Options(format!(
                "--name `{template}`: a `}}` without its `{{` ({fields})"
            )));
        }
        let Some(close) = rest[open..].find('}').map(|k| open + k) else {
            return Err(Error::Options(format!(
                "--name `{template}`: a `{{` without its `}}` ({fields})"
            )));
        };
        let field = &rest[open + 1..close];
        match field.split_once(':') {
            None if field == "id" || field == "slug" => {}
            Some(("published", pattern)) => {
                let mut chars = pattern.chars();
                while let Some(c) = chars.next() {
                    if c == '%' && !matches!(chars.next(), Some('Y' | 'm' | 'd')) {
                        return Err(Error::Options(format!(
                            "--name `{template}`: `{{{field}}}` may use %Y, %m and %d only"
                        )));
                    }
                }
            }
            _ => {
                return Err(Error::Options(format!(
                    "--name `{template}`: unknown field `{{{field}}}` ({fields})"
                )));
            }
        }
        rest = &rest[close + 1..];
    }
    Ok(())
}

/// A name for the article's file from the template.
pub(super) fn file_name(template: &str, article: &Article, fallback: &str) -> String {
    let id = article
        .id
        .as_ref()
        .map(|i| i.to_string())
        .unwrap_or_else(|| fallback.to_string());
    let mut out = template
        .replace("{id}", &id)
        .replace("{slug}", &slug(&article.title));
    while let Some(start) = out.find("{published:")
        && let Some(end) = out[start..].find('}')
    {
        let pattern = &out[start + 11..start + end];
        let date = article
            .published
            .as_deref()
            .and_then(crate::layout::locale::parse_date);
        let text = match date {
            Some((y, m, d, _, _)) => pattern
                .replace("%Y", &y.to_string())
                .replace("%m", &format!("{m:02}"))
                .replace("%d", &format!("{d:02}")),
            None => "undated".to_string(),
        };
        out.replace_range(start..start + end + 1, &text);
    }
    // Only safe characters, and never a way out of the output folder.
    let cleaned: Vec<String> = out
        .split('/')
        .map(|part| {
            part.chars()
                .map(|c| {
                    if c.is_alphanumeric() || "-_.".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .filter(|p| !p.is_empty() && p != "." && p != "..")
        .collect();
    if cleaned.is_empty() {
        "article".to_string()
    } else {
        cleaned.join("/")
    }
}

pub(crate) fn slug(title: &str) -> String {
    let s: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .take(8)
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_templates_are_safe() {
        let a = Article::from_json(r#"{"id": "../x/1", "title": "Паром на Ольхон!", "body": "b", "published": "2024-06-17"}"#.as_bytes()).unwrap();
        assert_eq!(file_name("{id}", &a, "f"), "x/1");
        assert_eq!(
            file_name("{published:%Y/%m}/{slug}", &a, "f"),
            "2024/06/паром-на-ольхон"
        );
        let b = Article::from_json(r#"{"title": "T", "body": "b"}"#.as_bytes()).unwrap();
        assert_eq!(file_name("{id}", &b, "news-3"), "news-3");
    }

    #[test]
    fn name_templates_with_unknown_fields_are_refused() {
        for good in [
            "{id}",
            "{published:%Y/%m}/{slug}-{id}",
            "x",
            "{published:%Y-%m-%d}",
        ] {
            assert!(check_template(good).is_ok(), "{good}");
        }
        for bad in [
            "{ID}",
            "{foo}",
            "{published:%Q}",
            "{id",
            "id}",
            "{published}",
        ] {
            let e = check_template(bad).unwrap_err();
            assert!(matches!(e, Error::Options(_)), "{e:?}");
            assert!(e.to_string().starts_with("--name `"), "{e}");
        }
    }
}
