//! The public entry point: an `Engine` holds the parsed fonts and renders articles from any thread.

use std::io::Write;
use std::path::Path;

use crate::article::Article;
use crate::assets::Assets;
use crate::budget::Budget;
use crate::doc::Doc;
use crate::error::Error;
use crate::input;
use crate::layout::display::{Document, Metadata};
use crate::layout::style::{Paper, Profile, Theme};
use crate::layout::{figure, flow};
use crate::pdf;
use crate::resources::{PictureCache, Resources};
use crate::stable_hash::{FNV_START, fnv1a_fields};
use crate::text::fonts::{FaceId, FontBook};
use crate::text::shape::{PlanCache, Shaper};
use crate::volume::Volume;
use crate::warning::{Warning, WarningKind};

/// A theme's families in place of PT Serif, Sans and Mono.
type Families = [Option<[crate::text::fonts::FaceId; 4]>; 3];
use crate::theme::ThemeFile;

/// How to render. `Default` gives A4 with two-line widow and orphan control.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The paper size; `None`: the theme's paper, else A4. A paper asked for here wins over the
    /// theme's: the theme is the site's look, this is what the caller asked of this render.
    pub paper: Option<Paper>,
    /// Fewest lines of a paragraph left alone at the top of a page (1 turns the control off).
    pub widows: usize,
    /// Fewest lines of a paragraph left alone at the bottom of a page.
    pub orphans: usize,
    /// Where images may be read from (the article's folder, `data:` URIs, allowed hosts).
    /// The default reads only `data:` URIs.
    pub assets: Assets,
    /// An image that cannot be drawn fails the render instead of printing its caption.
    pub strict: bool,
    /// For screens and archives (default) or for paper.
    pub profile: Profile,
    /// PDF/A-2b for archives, checked by krilla's validator (errors are reported, not ignored).
    pub pdfa: bool,
    /// The site's look (`ThemeFile::load`); `None`: the built-in newspaper look.
    pub theme: Option<std::sync::Arc<ThemeFile>>,
    /// Time, pages, glyphs and decoded pixels one render may take (`budget::Limits`).
    pub limits: crate::budget::Limits,
}

impl RenderOptions {
    /// Options for an article read from `path`: its images are read from the file's folder
    /// (`RenderOptions::default()` reads only `data:` URIs).
    ///
    /// ```
    /// let options = babrpdf::RenderOptions::for_article_file("samples/short-news.json".as_ref());
    /// assert_eq!(options.assets.root.as_deref(), Some("samples".as_ref()));
    /// ```
    pub fn for_article_file(path: &Path) -> RenderOptions {
        RenderOptions {
            assets: Assets::beside(path),
            ..RenderOptions::default()
        }
    }

    /// A stable hash of every option that changes the PDF's bytes: paper, keep rules,
    /// strictness, profile, PDF/A and the theme (its logo hashed once). Not the limits (they
    /// decide whether a PDF is made, not what is in it) nor where assets are read from.
    pub fn fingerprint(&self) -> u64 {
        let theme = self.theme.as_ref().map_or(0, |t| t.fingerprint());
        // The paper the page gets, however it was chosen: the same PDF has the same hash.
        let fields = format!(
            "{:?}|{}|{}|{}|{:?}|{}|{theme:016x}",
            self.effective_paper(),
            self.widows,
            self.orphans,
            self.strict,
            self.profile,
            self.pdfa
        );
        fnv1a_fields(FNV_START, [fields.as_str()])
    }

    /// The paper a render sets its pages on: the one asked for, else the theme's, else A4.
    pub fn effective_paper(&self) -> Paper {
        self.paper
            .or_else(|| self.theme.as_ref().and_then(|t| t.paper()))
            .unwrap_or_default()
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            paper: None,
            widows: 2,
            orphans: 2,
            assets: Assets::default(),
            strict: false,
            profile: Profile::Download,
            pdfa: false,
            theme: None,
            limits: crate::budget::Limits::default(),
        }
    }
}

/// A finished render: the PDF and the warnings it produced.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// What a person should know, e.g. a character that no font has (drawn as a visible
    /// replacement) or an image printed as its caption.
    pub warnings: Vec<Warning>,
}

/// Fonts parsed once, shaping plans cached; share one `Engine` between threads (`Send + Sync`).
pub struct Engine {
    book: FontBook,
    plans: PlanCache,
    /// Prepared pictures shared by renders (`with_picture_cache`); none by default.
    pictures: Option<PictureCache>,
}

impl Engine {
    /// An engine with the embedded PT Serif, PT Sans and PT Mono.
    ///
    /// ```
    /// let engine = babrpdf::Engine::new()?;
    /// # Ok::<(), babrpdf::Error>(())
    /// ```
    pub fn new() -> Result<Engine, Error> {
        Ok(Engine {
            book: FontBook::embedded()?,
            plans: PlanCache::default(),
            pictures: None,
        })
    }

    /// Keeps up to `bytes` of checked, print-ready pictures between renders, so an image
    /// that many articles (or many requests for one article) show is decoded once. Off by
    /// default: a one-shot `render` gains nothing from it.
    ///
    /// ```
    /// // A service: up to 256 MB of prepared photos kept between requests.
    /// let engine = babrpdf::Engine::new()?.with_picture_cache(256 << 20);
    /// # Ok::<(), babrpdf::Error>(())
    /// ```
    pub fn with_picture_cache(mut self, bytes: usize) -> Engine {
        self.pictures = Some(PictureCache::new(bytes));
        self
    }

    /// Adds the fonts in `dir` (`.ttf`, `.otf`) as fallbacks for characters PT lacks.
    ///
    /// ```
    /// let mut engine = babrpdf::Engine::new()?;
    /// let added = engine.add_font_dir(std::path::Path::new("fonts"))?;
    /// assert!(added > 0);
    /// # Ok::<(), babrpdf::Error>(())
    /// ```
    pub fn add_font_dir(&mut self, dir: &Path) -> Result<usize, Error> {
        self.book.add_dir(dir)
    }

    /// The font book: faces the display list's runs point into.
    pub(crate) fn fonts(&self) -> &FontBook {
        &self.book
    }

    /// The name of a face a display-list run is set in (its PostScript name; an added face's
    /// file path), e.g. to check which font drew a character.
    ///
    /// ```
    /// use babrpdf::{Article, Engine, RenderOptions};
    ///
    /// let engine = Engine::new()?;
    /// let article = Article::from_json(r#"{"title": "Т", "body": "Текст."}"#.as_bytes())?;
    /// let doc = engine.layout(&article, &RenderOptions::default())?;
    /// let run = doc.pages[0].runs().next().unwrap();
    /// assert!(engine.face_name(run.face).starts_with("PT"));
    /// # Ok::<(), babrpdf::Error>(())
    /// ```
    pub fn face_name(&self, face: FaceId) -> &str {
        self.book.name(face)
    }

    /// Lays the article out into the display list (pages of positioned glyphs), without a PDF.
    /// Stops with `Error::Limit` when the render passes `options.limits` (time, pages, glyphs).
    ///
    /// ```
    /// let engine = babrpdf::Engine::new()?;
    /// let json = r#"{"title": "Паром", "body": "Судно вышло на линию."}"#;
    /// let article = babrpdf::Article::from_json(json.as_bytes())?;
    /// let doc = engine.layout(&article, &babrpdf::RenderOptions::default())?;
    /// assert_eq!(doc.pages.len(), 1);
    /// # Ok::<(), babrpdf::Error>(())
    /// ```
    pub fn layout(&self, article: &Article, options: &RenderOptions) -> Result<Document, Error> {
        self.layout_within(article, options, &Budget::new(options.limits))
    }

    /// `layout` spending from `budget`, which the render's later stages go on spending from.
    pub(crate) fn layout_within(
        &self,
        article: &Article,
        options: &RenderOptions,
        budget: &Budget,
    ) -> Result<Document, Error> {
        let mut pages = Vec::new();
        let mut structure = Vec::new();
        let mut doc = self.lay_out_into(article, options, budget, &mut |at| match at {
            Handed::Structure(_, s) => {
                structure = s;
                Ok(())
            }
            Handed::Page(page) => {
                pages.push(page);
                Ok(())
            }
        })?;
        doc.pages = pages;
        doc.structure = structure;
        Ok(doc)
    }

    /// Lays the article out and hands `sink` its metadata and structure, then each page as soon
    /// as it is whole. The document returned has the outline, metadata and warnings; its pages
    /// and structure are the sink's.
    fn lay_out_into(
        &self,
        article: &Article,
        options: &RenderOptions,
        budget: &Budget,
        sink: &mut dyn FnMut(Handed<'_>) -> Result<(), Error>,
    ) -> Result<Document, Error> {
        article.validate()?;
        let (theme, families) = self.theme(options)?;
        let shaper = Shaper::new(&self.book, &self.plans)
            .with_families(families)
            .with_budget(budget);
        // Control characters and towers of combining marks never reach the shaper.
        let (article, cleaned) = input::sanitize::article(article);
        let mut lowered = input::lower(article.as_ref());
        let metadata = metadata(&lowered, content_id(article.as_ref(), options));
        // A cleaned copy of the article is done with: the document holds what is set.
        drop(article);
        let (max_w, max_h) = figure::picture_room(&theme);
        let cover = lowered.cover.as_ref().map(|c| c.src.as_str());
        let cache = self.pictures.as_ref();
        let blocks = &lowered.body;
        let resources =
            Resources::load(blocks, cover, &options.assets, max_w, max_h, budget, cache);
        let mut set = flow::set_article(
            &shaper,
            &theme,
            &lowered,
            &resources,
            options.strict,
            options.profile,
        )?;
        // The body is set: its blocks can go before the pages are cut (a long article's text
        // would otherwise be held twice more, as blocks and in the runs).
        drop(std::mem::take(&mut lowered.body));
        let mut warnings = std::mem::take(&mut set.warnings);
        sink(Handed::Structure(
            &metadata,
            std::mem::take(&mut set.structure),
        ))?;
        let outline = set.paginate(&lowered, &mut |page| sink(Handed::Page(page)))?;
        warnings.extend(cleaned.warnings());
        for (field, date) in [
            ("published", &lowered.published),
            ("updated", &lowered.updated),
        ] {
            if let Some(date) = date
                && date.parts.is_none()
            {
                warnings.push(Warning::new(
                    WarningKind::Date,
                    format!(
                        "`{field}` \"{}\" is not an ISO 8601 date (2024-06-17T14:44:00+08:00); \
                         printed as written, not used for the PDF's date or file names",
                        date.written
                    ),
                ));
            }
        }
        warnings.extend(shaper.missing().into_iter().map(|c| {
            let message = format!("U+{:04X} {c:?} is in no font; drawn as U+FFFD", c as u32);
            Warning::new(WarningKind::Font, message)
        }));
        Ok(Document {
            outline,
            metadata,
            warnings,
            ..Document::default()
        })
    }

    /// The page geometry, type sizes and colours the options ask for, and the theme's families.
    pub(crate) fn theme(&self, options: &RenderOptions) -> Result<(Theme, Families), Error> {
        let families = match &options.theme {
            Some(theme) => theme.families(&self.book)?,
            None => [None; 3],
        };
        let mut theme = Theme::for_paper(options.effective_paper());
        if let Some(file) = &options.theme {
            file.apply(&mut theme)?;
        }
        if options.profile == Profile::Print {
            // Paper is precious: a more compact headline block.
            theme.title_size *= 0.85;
            theme.title_leading *= 0.85;
            theme.lead_size *= 0.92;
            theme.lead_leading *= 0.92;
        }
        theme.widows = options.widows.max(1);
        theme.orphans = options.orphans.max(1);
        Ok((theme, families))
    }

    /// A shaper over the engine's fonts with a theme's families.
    pub(crate) fn shaper(&self, families: Families) -> Shaper<'_> {
        Shaper::new(&self.book, &self.plans).with_families(families)
    }

    /// Starts a bound volume: articles added one by one (`Volume::add`), contents at the end.
    ///
    /// ```
    /// let engine = babrpdf::Engine::new()?;
    /// let options = babrpdf::RenderOptions::default();
    /// let json = r#"{"title": "Паром", "body": "Судно вышло на линию."}"#;
    /// let article = babrpdf::Article::from_json(json.as_bytes())?;
    /// let mut volume = engine.volume(&options, Some("Июнь 2024".into()))?;
    /// volume.add(&article, engine.layout(&article, &options)?)?;
    /// let book = volume.finish()?;
    /// assert!(book.pdf.starts_with(b"%PDF-"));
    /// # Ok::<(), babrpdf::Error>(())
    /// ```
    pub fn volume(
        &self,
        options: &RenderOptions,
        title: Option<String>,
    ) -> Result<Volume<'_>, Error> {
        Volume::new(self, options, title)
    }

    /// Renders the article to PDF, with what a person should know about it (characters no
    /// font has, images printed as their captions …): the warnings are never dropped.
    ///
    /// ```
    /// use babrpdf::WarningKind;
    ///
    /// let engine = babrpdf::Engine::new()?;
    /// let json = r#"{"title": "Паром", "body": "Судно\u0007 вышло на линию."}"#;
    /// let article = babrpdf::Article::from_json(json.as_bytes())?;
    /// let rendered = engine.render(&article, &babrpdf::RenderOptions::default())?;
    /// assert!(rendered.pdf.starts_with(b"%PDF-"));
    /// assert_eq!(rendered.warnings[0].kind, WarningKind::Text);
    /// assert!(rendered.warnings[0].message.contains("control character"));
    /// # Ok::<(), babrpdf::Error>(())
    /// ```
    pub fn render(&self, article: &Article, options: &RenderOptions) -> Result<Rendered, Error> {
        // One budget for the whole render: the deadline counts from here to the last byte.
        self.render_within(article, options, &Budget::new(options.limits))
    }

    /// `render` spending from `budget`. Each page is written as soon as layout has filled it
    /// and then dropped, so a long article holds one page's display list, not all of them.
    pub(crate) fn render_within(
        &self,
        article: &Article,
        options: &RenderOptions,
        budget: &Budget,
    ) -> Result<Rendered, Error> {
        match self.render_streamed(article, options, budget, true) {
            // The pages are gone by the time the PDF/UA checker speaks: the article is laid out
            // again and written without the claim (a rare case; see `write_within`). The budget
            // starts afresh but for its deadline, so nothing is charged twice.
            Err(Error::Validation { message, ua: true }) => {
                let budget = budget.recharged();
                let mut rendered = self.render_streamed(article, options, &budget, false)?;
                rendered.warnings.push(ua_dropped(&message));
                Ok(rendered)
            }
            other => other,
        }
    }

    /// Lays out and writes the article page by page; `ua` as in `pdf::write_pdf`.
    fn render_streamed(
        &self,
        article: &Article,
        options: &RenderOptions,
        budget: &Budget,
        ua: bool,
    ) -> Result<Rendered, Error> {
        let mut pdf: Option<pdf::PdfPages<'_>> = None;
        let doc = self.lay_out_into(article, options, budget, &mut |at| match at {
            Handed::Structure(metadata, structure) => {
                check_pdfa_date(options, metadata)?;
                pdf = Some(pdf::PdfPages::new(
                    structure,
                    &self.book,
                    options.pdfa,
                    ua,
                    budget,
                )?);
                Ok(())
            }
            Handed::Page(page) => match pdf.as_mut() {
                Some(pdf) => pdf.draw(&page),
                None => Err(Error::Pdf("a page came before the document began".into())),
            },
        })?;
        let pdf = pdf.ok_or_else(|| Error::Pdf("the document never began".into()))?;
        let bytes = pdf.finish(&doc.outline, &doc.metadata)?;
        Ok(Rendered {
            pdf: bytes,
            warnings: doc.warnings,
        })
    }

    /// Writes a laid-out article (`Engine::layout`) as PDF: tagged, and declared PDF/UA-1 when
    /// the checker agrees (otherwise still tagged, with a warning).
    /// The writing has its own deadline, `options.limits.timeout` from this call.
    ///
    /// ```
    /// let engine = babrpdf::Engine::new()?;
    /// let options = babrpdf::RenderOptions::default();
    /// let json = r#"{"title": "Паром", "body": "Судно вышло на линию."}"#;
    /// let article = babrpdf::Article::from_json(json.as_bytes())?;
    /// let doc = engine.layout(&article, &options)?;
    /// let rendered = engine.write(&doc, &options)?;
    /// assert!(rendered.pdf.starts_with(b"%PDF-"));
    /// # Ok::<(), babrpdf::Error>(())
    /// ```
    pub fn write(&self, doc: &Document, options: &RenderOptions) -> Result<Rendered, Error> {
        self.write_within(doc, options, &Budget::new(options.limits))
    }

    /// `write` within what is left of a render's budget.
    pub(crate) fn write_within(
        &self,
        doc: &Document,
        options: &RenderOptions,
        budget: &Budget,
    ) -> Result<Rendered, Error> {
        check_pdfa_date(options, &doc.metadata)?;
        let mut warnings = doc.warnings.clone();
        let pdf = match pdf::write_pdf(doc, &self.book, options.pdfa, true, budget) {
            // The PDF/UA claim is a bonus: without it the PDF is still tagged and, when asked,
            // PDF/A. A PDF/A violation stays an error (the retry reports it without UA).
            Err(Error::Validation { message, ua: true }) => {
                warnings.push(ua_dropped(&message));
                pdf::write_pdf(doc, &self.book, options.pdfa, false, budget)?
            }
            other => other?,
        };
        Ok(Rendered { pdf, warnings })
    }

    /// Renders the article, writes the PDF to `out` and returns the render's warnings.
    ///
    /// ```
    /// let engine = babrpdf::Engine::new()?;
    /// let json = r#"{"title": "Паром", "body": "Судно вышло на линию."}"#;
    /// let article = babrpdf::Article::from_json(json.as_bytes())?;
    /// let mut out = Vec::new();
    /// let warnings = engine.render_to(&article, &babrpdf::RenderOptions::default(), &mut out)?;
    /// assert!(out.starts_with(b"%PDF-"));
    /// assert!(warnings.is_empty());
    /// # Ok::<(), babrpdf::Error>(())
    /// ```
    pub fn render_to(
        &self,
        article: &Article,
        options: &RenderOptions,
        mut out: impl Write,
    ) -> Result<Vec<Warning>, Error> {
        let rendered = self.render(article, options)?;
        out.write_all(&rendered.pdf)?;
        out.flush()?;
        Ok(rendered.warnings)
    }
}

/// What layout hands on as it goes (`Engine::lay_out_into`).
enum Handed<'a> {
    /// Before the first page: the document's metadata and its logical structure.
    Structure(&'a Metadata, Vec<crate::layout::display::StructElem>),
    /// The next page, whole.
    Page(crate::layout::display::Page),
}

/// PDF/A needs a date, and no other claim fixes that: known before a byte is written.
fn check_pdfa_date(options: &RenderOptions, metadata: &Metadata) -> Result<(), Error> {
    if options.pdfa && metadata.date.is_none() {
        return Err(Error::Validation {
            message: "not a valid PDF/A-2b document: the article has no `published` date, \
                      which PDF/A requires"
                .into(),
            ua: false,
        });
    }
    Ok(())
}

/// The warning of a PDF written without its PDF/UA-1 claim, which the checker refused.
fn ua_dropped(message: &str) -> Warning {
    Warning::new(
        WarningKind::Validation,
        format!("{message}; written without the PDF/UA-1 claim"),
    )
}

fn metadata(doc: &Doc, document_id: String) -> Metadata {
    Metadata {
        title: doc.title.clone(),
        subject: doc.lead.clone(),
        authors: doc.authors.clone(),
        language: doc.lang.clone(),
        keywords: doc.tags.clone(),
        date: doc.published.as_ref().and_then(|d| d.parts),
        document_id,
        identifier: doc.url.clone(),
        // Dublin Core asks for a source by its address; a name is better than nothing.
        source: doc.source.url.clone().or_else(|| doc.source.name.clone()),
    }
}

/// A stable identifier from the content and options (FNV-1a), so the same input gives the same
/// bytes and an archive can verify a file against its source. Hashed from the (cleaned) input
/// fields as given, not the lowered ones, so the ids of PDFs already in an archive still hold.
fn content_id(article: &Article, options: &RenderOptions) -> String {
    let options = format!("{:016x}", options.fingerprint());
    let h = fnv1a_fields(
        FNV_START,
        [
            options.as_str(),
            &article.title,
            &article.body,
            article.subtitle.as_deref().unwrap_or(""),
            article.published.as_deref().unwrap_or(""),
            article.url.as_deref().unwrap_or(""),
        ],
    );
    format!("{h:016x}")
}
