//! The article lowered whole into the document (`doc::Doc`): the one place that decides which
//! input fields are blank, so layout, the engine and a volume never ask again.

use std::sync::Arc;

use crate::article::Article;
use crate::doc::{Date, Doc, Figure, Related, Source};

/// The whole article as a `Doc`: front and end matter, cover and body.
pub fn lower(article: &Article) -> Doc {
    Doc {
        body: super::body_blocks(article),
        ..front_and_end_matter(article)
    }
}

/// Everything but the body (which stays empty): what a bound volume's contents needs of an
/// article it already has laid out, without parsing the body a second time.
pub fn front_and_end_matter(article: &Article) -> Doc {
    let source = article.source.as_ref();
    Doc {
        lang: article.lang().to_string(),
        section: text(article.section.as_deref()),
        title: article.title.trim().to_string(),
        lead: text(article.subtitle.as_deref()),
        authors: article.named_authors().map(str::to_string).collect(),
        published: article.published.as_deref().and_then(Date::parse),
        updated: article.updated.as_deref().and_then(Date::parse),
        views: article.views,
        // A cover without a usable source still prints its caption, as any failed figure does.
        cover: article.cover.as_ref().map(|c| Figure {
            src: c.src.clone(),
            alt: c.alt.clone().unwrap_or_default(),
            caption: c.caption.clone().unwrap_or_default(),
            credit: c.credit.clone().unwrap_or_default(),
        }),
        body: Vec::new(),
        tags: article.tags.iter().filter_map(|t| text(Some(t))).collect(),
        related: article
            .related
            .iter()
            .filter_map(|r| {
                Some(Related {
                    title: text(Some(&r.title))?,
                    url: text(r.url.as_deref()).map(Arc::from),
                })
            })
            .collect(),
        copyright: text(article.copyright.as_deref()),
        source: Source {
            name: text(source.and_then(|s| s.name.as_deref())),
            url: text(source.and_then(|s| s.url.as_deref())),
        },
        url: text(article.url.as_deref()),
    }
}

/// The field's text trimmed; `None` when it is missing or blank.
fn text(field: Option<&str>) -> Option<String> {
    field
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_fields_are_gone_and_texts_trimmed() {
        let article = Article::from_json(
            br#"{"title": " T ", "body": "b", "lang": " ", "subtitle": "  ", "section": " S ",
                 "authors": ["", " A ", "\t"], "tags": [" x ", ""], "published": " ",
                 "updated": "2024-06-17", "copyright": "",
                 "related": [{"title": " ", "url": "u"}, {"title": "R", "url": " "}],
                 "source": {"name": " ", "url": " https://s.example "}, "url": "  "}"#,
        )
        .unwrap();
        let doc = lower(&article);
        assert_eq!((doc.lang.as_str(), doc.title.as_str()), ("ru", "T"));
        assert_eq!(doc.lead, None);
        assert_eq!(doc.section.as_deref(), Some("S"));
        assert_eq!(doc.authors, ["A"]);
        assert_eq!(doc.tags, ["x"]);
        assert_eq!(doc.published, None);
        assert_eq!(doc.updated.unwrap().parts, Some((2024, 6, 17, None, None)));
        assert_eq!(doc.copyright, None);
        assert_eq!(
            doc.related,
            [Related {
                title: "R".into(),
                url: None
            }]
        );
        assert_eq!(doc.source.name, None);
        assert_eq!(doc.source.url.as_deref(), Some("https://s.example"));
        assert_eq!(doc.url, None);
        assert_eq!(doc.body.len(), 1);
    }

    #[test]
    fn a_date_that_is_not_iso_is_kept_as_written() {
        let date = Date::parse(" вчера ").unwrap();
        assert_eq!((date.written.as_str(), date.parts), ("вчера", None));
    }
}
