//! A bound volume: many articles in one PDF, pages numbered through, one bookmark per article
//! and the table of contents at the end, where Russian books keep it.
//!
//! Articles are drawn as they are added (the volume never holds their display lists), so a
//! volume of a month of the archive costs about its own size in memory, not the archive's.

use crate::article::Article;
use crate::doc::DateParts;
use crate::engine::{Engine, RenderOptions};
use crate::error::Error;
use crate::input;
use crate::layout::contents::{Contents, ContentsEntry, lay_out_contents};
use crate::layout::display::{Document, Metadata, OutlineEntry};
use crate::layout::furniture::stamp_folio;
use crate::layout::locale;
use crate::layout::style::Theme;
use crate::pdf::{Jump, PdfWriter};
use crate::pdf_tags::Tags;
use crate::stable_hash::{FNV_START, fnv1a_fields};
use krilla::tagging::{Node, Tag, TagGroup, TagTree};

/// A bound volume's PDF, and what it holds.
#[derive(Debug, Clone)]
pub struct VolumePdf {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// Articles bound.
    pub articles: usize,
    /// Every page, the contents included.
    pub pages: usize,
}

/// A volume being bound. Add articles in reading order, then `finish`.
///
/// ```
/// use babrpdf::{Article, Engine, RenderOptions};
///
/// let engine = Engine::new()?;
/// let options = RenderOptions::default();
/// let mut volume = engine.volume(&options, Some("Июнь 2024".into()))?;
/// for json in [
///     r#"{"title": "Паром вышел на линию", "body": "Третье судно."}"#,
///     r#"{"title": "Мост открыт", "body": "Раньше срока."}"#,
/// ] {
///     let article = Article::from_json(json.as_bytes())?;
///     let laid_out = engine.layout(&article, &options)?;
///     volume.add(&article, laid_out)?;
/// }
/// let bound = volume.finish()?;
/// assert_eq!((bound.articles, bound.pages), (2, 3)); // two one-page articles and the contents
/// assert!(bound.pdf.starts_with(b"%PDF-"));
/// # Ok::<(), babrpdf::Error>(())
/// ```
pub struct Volume<'e> {
    engine: &'e Engine,
    theme: Theme,
    families: [Option<[crate::text::fonts::FaceId; 4]>; 3],
    /// The volume's one PDF, tagged like the articles' own: reading order, headings, lists,
    /// tables, figures.
    writer: PdfWriter,
    pages: usize,
    outline: Vec<OutlineEntry>,
    entries: Vec<ContentsEntry>,
    title: Option<String>,
    language: Option<String>,
    /// The latest publication date: the volume's date (PDF/A needs one).
    date: Option<DateParts>,
    /// FNV-1a over the articles' document ids: the same articles give the same volume id.
    id_hash: u64,
    /// The structure tree so far: one `Art` (article) group per article, in its own language.
    tagged: Vec<Node>,
}

impl<'e> Volume<'e> {
    pub(crate) fn new(
        engine: &'e Engine,
        options: &RenderOptions,
        title: Option<String>,
    ) -> Result<Volume<'e>, Error> {
        let (theme, families) = engine.theme(options)?;
        Ok(Volume {
            engine,
            theme,
            families,
            writer: PdfWriter::new(true, options.pdfa, false)?,
            pages: 0,
            outline: Vec::new(),
            entries: Vec::new(),
            title: title.filter(|t| !t.trim().is_empty()),
            language: None,
            date: None,
            id_hash: FNV_START,
            tagged: Vec::new(),
        })
    }

    /// Articles bound so far.
    pub fn articles(&self) -> usize {
        self.entries.len()
    }

    /// Pages bound so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Appends an article laid out with the volume's options (`Engine::layout`). Its pages are
    /// renumbered in the volume's sequence; its title becomes a bookmark, its headings nest
    /// under it.
    pub fn add(&mut self, article: &Article, doc: Document) -> Result<(), Error> {
        let shaper = self.engine.shaper(self.families);
        // The contents line reads the article as its own title block does (cleaned, then
        // lowered); its body is laid out already (`doc`), so it is not lowered again.
        let front = input::front_and_end_matter(&input::sanitize::article(article).0);
        let lang = front.lang.as_str();
        let first = self.pages;
        let Document {
            pages,
            outline,
            metadata,
            structure,
            ..
        } = doc;
        let mut tags = Tags::new(&structure);
        for page in pages {
            self.bind_page(&shaper, lang, page, &mut tags, &[])?;
        }
        // The next article draws its own images: the volume does not keep every article's.
        self.writer.forget_images();
        let art = Tag::Article.with_lang(Some(lang.to_string()));
        self.tagged
            .push(TagGroup::with_children(art, tags.into_nodes()).into());
        for mut entry in outline {
            entry.page += first;
            self.outline.push(entry);
        }
        let mut note = Vec::new();
        if let Some(p) = &front.published {
            note.push(locale::format_date(p, lang));
        }
        if let Some(s) = &front.section {
            note.push(s.clone());
        }
        if !front.authors.is_empty() {
            note.push(front.authors.join(", "));
        }
        self.entries.push(ContentsEntry {
            title: front.title.clone(),
            note: note.join("  ·  "),
            page: first,
        });
        self.language.get_or_insert_with(|| lang.to_string());
        if let Some(date) = front.published.as_ref().and_then(|d| d.parts)
            && self.date.is_none_or(|d| date > d)
        {
            self.date = Some(date);
        }
        self.id_hash = fnv1a_fields(self.id_hash, [metadata.document_id.as_str()]);
        Ok(())
    }

    /// Draws a page as the volume's next one, numbered in the volume's sequence.
    fn bind_page(
        &mut self,
        shaper: &crate::text::shape::Shaper<'_>,
        lang: &str,
        mut page: crate::layout::display::Page,
        tags: &mut Tags<'_>,
        jumps: &[Jump],
    ) -> Result<(), Error> {
        let number = (self.pages + 1).to_string();
        stamp_folio(shaper, &self.theme, lang, &mut page, &number);
        self.writer
            .draw_page(&page, self.engine.fonts(), Some(tags), jumps)?;
        self.pages += 1;
        Ok(())
    }

    /// Sets the contents after the last article and returns the volume's PDF.
    pub fn finish(mut self) -> Result<VolumePdf, Error> {
        if self.entries.is_empty() {
            return Err(Error::Pdf("a volume needs at least one article".into()));
        }
        let lang = self.language.clone().unwrap_or_else(|| "ru".into());
        let labels = locale::labels(&lang);
        let shaper = self.engine.shaper(self.families);
        let Contents {
            pages,
            links,
            structure,
        } = lay_out_contents(
            &shaper,
            &self.theme,
            &lang,
            self.title.as_deref(),
            labels.contents,
            &self.entries,
        );
        let mut tags = Tags::new(&structure);
        let contents_start = self.pages;
        for (i, page) in pages.into_iter().enumerate() {
            let jumps: Vec<Jump> = links
                .iter()
                .filter(|l| l.on == i)
                .map(|l| Jump {
                    rect: l.rect,
                    page: l.target,
                    y: 0.0,
                })
                .collect();
            self.bind_page(&shaper, &lang, page, &mut tags, &jumps)?;
        }
        let mut tree = TagTree::new().with_lang(Some(lang.clone()));
        for node in std::mem::take(&mut self.tagged)
            .into_iter()
            .chain(tags.into_nodes())
        {
            tree.push(node);
        }
        self.outline.push(OutlineEntry {
            level: 1,
            title: labels.contents.to_string(),
            page: contents_start,
            y: 0.0,
        });
        let metadata = Metadata {
            title: self
                .title
                .clone()
                .unwrap_or_else(|| labels.contents.to_string()),
            subject: None,
            authors: Vec::new(),
            language: lang,
            keywords: Vec::new(),
            date: self.date,
            document_id: format!("{:016x}", self.id_hash),
            // A volume binds many articles: no one address or source is its own.
            identifier: None,
            source: None,
        };
        let articles = self.entries.len();
        let pages = self.pages;
        let pdf = self
            .writer
            .finish(Some(tree), &self.outline, &metadata, self.engine.fonts())?;
        Ok(VolumePdf {
            pdf,
            articles,
            pages,
        })
    }
}
