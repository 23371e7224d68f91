//! Display list → PDF bytes via krilla: subset fonts with ToUnicode, links, outline, metadata.

use krilla::Document as PdfDocument;
use krilla::SerializeSettings;
use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image as KrillaImage;
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::tagging::TagTree;
use krilla::text::{GlyphId, KrillaGlyph};

use std::sync::Arc;

use crate::budget::Budget;
use crate::error::Error;
use crate::layout::display::{Color, Document, Item, OutlineEntry, Page, Rect};
use crate::pdf_tags::Tags;
use crate::photo::{Encoding, Picture};
use crate::text::fonts::FontBook;

/// Units of a `TJ` adjustment in an em (PDF's text space is 1000 units to the em).
const TJ_UNITS_PER_EM: f64 = 1000.0;

/// `v` (in points) to the nearest 1/1000 pt.
fn on_grid(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

fn paint(c: Color) -> krilla::paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

/// Images made once per document: every reference to one picture draws the same krilla image
/// (which the PDF then holds once), so a picture referenced 10,000 times is decoded once.
/// The key is the address of the picture's bytes; the entry keeps them alive, so no other
/// picture can take that address while the cache lives.
#[derive(Default)]
struct ImageCache {
    images: std::collections::HashMap<(usize, bool), CachedImage>,
}

/// The picture's bytes (held so their address stays theirs) and the image made of them.
type CachedImage = (Arc<Vec<u8>>, KrillaImage);

impl ImageCache {
    fn get(&mut self, picture: &Picture, pdfa: bool) -> Result<KrillaImage, Error> {
        let key = (Arc::as_ptr(&picture.bytes) as usize, pdfa);
        if let Some((_, image)) = self.images.get(&key) {
            return Ok(image.clone());
        }
        let data: krilla::Data = picture.bytes.clone().into();
        let image = match picture.encoding {
            // PDF/A forbids asking viewers to interpolate.
            Encoding::Jpeg => KrillaImage::from_jpeg(data, !pdfa),
            Encoding::Png => KrillaImage::from_png(data, !pdfa),
        }
        .map_err(|e| Error::Pdf(format!("image: {e}")))?;
        self.images
            .insert(key, (picture.bytes.clone(), image.clone()));
        Ok(image)
    }
}

/// Writes an article's document. Fonts are subset by krilla; every glyph carries its own source
/// text. `budget`'s deadline is checked after every page.
/// `ua`: declare and check PDF/UA-1 (only when the document carries a structure tree).
pub fn write_pdf(
    doc: &Document,
    book: &FontBook,
    pdfa: bool,
    ua: bool,
    budget: &Budget,
) -> Result<Vec<u8>, Error> {
    let mut pages = PdfPages::new(&doc.structure[..], book, pdfa, ua, budget)?;
    for page in &doc.pages {
        pages.draw(page)?;
    }
    pages.finish(&doc.outline, &doc.metadata)
}

/// An article's PDF written page by page, as layout hands the pages over: a page drawn here
/// may be dropped at once, so a long article never holds all its pages.
pub(crate) struct PdfPages<'a> {
    writer: PdfWriter,
    /// The structure tree being gathered; `None`: the PDF is not tagged.
    tags: Option<Tags<'a>>,
    book: &'a FontBook,
    budget: &'a Budget,
}

impl<'a> PdfPages<'a> {
    /// A PDF for an article of this `structure` (none: untagged); `pdfa`, `ua` as in
    /// [`write_pdf`].
    pub(crate) fn new(
        structure: impl Into<std::borrow::Cow<'a, [crate::layout::display::StructElem]>>,
        book: &'a FontBook,
        pdfa: bool,
        ua: bool,
        budget: &'a Budget,
    ) -> Result<PdfPages<'a>, Error> {
        let structure = structure.into();
        // A structure tree makes the PDF tagged: reading order, headings, lists, tables, figures.
        let tagged = !structure.is_empty();
        Ok(PdfPages {
            writer: PdfWriter::new(tagged, pdfa, ua && tagged)?,
            tags: tagged.then(|| Tags::new(structure)),
            book,
            budget,
        })
    }

    /// Draws the next page; stops when the render's deadline has passed.
    pub(crate) fn draw(&mut self, page: &Page) -> Result<(), Error> {
        self.writer
            .draw_page(page, self.book, self.tags.as_mut(), &[])?;
        if self.budget.check_clock() {
            self.budget.result()?;
        }
        Ok(())
    }

    /// The finished PDF's bytes.
    pub(crate) fn finish(
        self,
        outline: &[OutlineEntry],
        metadata: &crate::layout::display::Metadata,
    ) -> Result<Vec<u8>, Error> {
        let tree = self.tags.map(|tags| tags.into_tree(&metadata.language));
        self.writer.finish(tree, outline, metadata, self.book)
    }
}

/// An internal link: a rectangle on the page that jumps to `(page index, y)` of the document.
pub(crate) struct Jump {
    pub rect: Rect,
    pub page: usize,
    pub y: f32,
}

/// One PDF being written, page by page: an article's or a whole volume's. It holds krilla's
/// document set up once (tagging, the PDF/A and PDF/UA validators) and the images made for the
/// pages drawn since the last [`PdfWriter::forget_images`].
pub(crate) struct PdfWriter {
    pdf: PdfDocument,
    pdfa: bool,
    ua: bool,
    images: ImageCache,
}

impl PdfWriter {
    /// `tagged`: the pages are marked for a structure tree; `pdfa`: declared and checked as
    /// PDF/A-2b; `ua`: as PDF/UA-1 (needs `tagged`).
    pub(crate) fn new(tagged: bool, pdfa: bool, ua: bool) -> Result<PdfWriter, Error> {
        let mut settings = SerializeSettings {
            enable_tagging: tagged,
            ..SerializeSettings::default()
        };
        if pdfa || ua {
            let mut builder = ConfigurationBuilder::new();
            if pdfa {
                builder = builder.with_archival_validator(Archival::A2_B);
            }
            if ua {
                builder = builder.with_accessibility_validator(Accessibility::UA1);
            }
            settings.configuration = builder
                .finish()
                .map_err(|e| Error::Pdf(format!("PDF configuration: {e:?}")))?;
        }
        Ok(PdfWriter {
            pdf: PdfDocument::new_with(settings),
            pdfa,
            ua,
            images: ImageCache::default(),
        })
    }

    /// Lets go of the images made so far (a volume's next article draws its own).
    pub(crate) fn forget_images(&mut self) {
        self.images = ImageCache::default();
    }

    /// Adds the structure tree, outline and metadata and serializes the PDF; a validator's
    /// refusal is an [`Error::Validation`].
    pub(crate) fn finish(
        mut self,
        tree: Option<TagTree>,
        outline: &[OutlineEntry],
        metadata: &crate::layout::display::Metadata,
        book: &FontBook,
    ) -> Result<Vec<u8>, Error> {
        if let Some(tree) = tree {
            self.pdf.set_tag_tree(tree);
        }
        self.pdf.set_outline(outline_of(outline));
        self.pdf.set_metadata(metadata_of(metadata));
        let pdf = self
            .pdf
            .finish()
            .map_err(|e| finish_error(e, self.pdfa, self.ua, book))?;
        // krilla's Metadata has no field for these; they go into its XMP packet afterwards.
        let dublin_core: Vec<(&str, &str)> = [
            ("identifier", metadata.identifier.as_deref()),
            ("source", metadata.source.as_deref()),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect();
        let pdf = crate::pdf_xmp::add_dublin_core(pdf, &dublin_core)?;
        crate::pdf_pack::pack(pdf, !self.pdfa)
    }
    /// Draws one display-list page as the document's next page. With `tags`, every drawing is
    /// marked for the structure tree; `jumps` are internal links (a volume's contents).
    pub(crate) fn draw_page(
        &mut self,
        page: &Page,
        book: &FontBook,
        mut tags: Option<&mut Tags<'_>>,
        jumps: &[Jump],
    ) -> Result<(), Error> {
        let PdfWriter {
            pdf, pdfa, images, ..
        } = self;
        let pdfa = *pdfa;
        let mut glyphs: Vec<KrillaGlyph> = Vec::new();
        let Some(page_settings) = PageSettings::from_wh(page.width, page.height) else {
            return Err(Error::Pdf(format!(
                "invalid page size {}×{}",
                page.width, page.height
            )));
        };
        let mut p = pdf.start_page_with(page_settings);
        let mut links = Vec::new();
        // Link rectangles wait for the run they belong to (it follows them in the list).
        let mut waiting_links = std::collections::VecDeque::new();
        {
            let mut surface = p.surface();
            let mut fill_run: Option<(Color, PathBuilder)> = None;
            for item in &page.items {
                if !matches!(item, Item::Fill(..)) {
                    flush_fills(&mut surface, &mut fill_run, tags.as_deref_mut());
                }
                match item {
                    Item::Text(run) => {
                        if run.glyphs.is_empty() {
                            continue;
                        }
                        glyphs.clear();
                        let size = run.size;
                        // An expanded line is drawn in a coordinate system scaled by its
                        // expansion about the run's origin: the glyph shapes widen, and the
                        // advances, divided back, are the font's own (no per-glyph positioning
                        // in the content stream).
                        let expansion = run.expansion;
                        let unscale = size * expansion;
                        // Advances go on a grid of 1/1000 em, the unit of a `TJ` adjustment,
                        // counted from the run's start so no glyph strays more than half a unit
                        // from where layout put it: kerning and justification then print as
                        // `17`, not `16.999954` (a sixth of a short article's content stream).
                        // The last glyph keeps its exact place, so a justified line still ends
                        // exactly at the column's edge.
                        let last = run.glyphs.len().saturating_sub(2);
                        let (mut exact, mut placed) = (0.0f64, 0.0f64);
                        glyphs.extend(run.glyphs.iter().enumerate().map(|(i, g)| {
                            exact += f64::from(g.advance / unscale) * TJ_UNITS_PER_EM;
                            let advance = if i == last { exact } else { exact.round() } - placed;
                            placed += advance;
                            KrillaGlyph::new(
                                GlyphId::new(g.id),
                                (advance / TJ_UNITS_PER_EM) as f32,
                                g.dx / unscale,
                                g.dy / size,
                                0.0,
                                g.text_bytes(),
                                None,
                            )
                        }));
                        let face = book.face(run.face);
                        // Colour emoji: their pictures first, as an artifact; then their text,
                        // in the ink-less copy of the font (src/pdf_emoji.rs).
                        let font = match &face.emoji {
                            Some(emoji) => {
                                let draw = |s: &mut krilla::surface::Surface<'_>| {
                                    draw_emoji_pictures(s, run, emoji);
                                };
                                match tags.as_deref_mut() {
                                    Some(tags) => {
                                        tags.mark(&mut surface, None, None, false, draw);
                                    }
                                    None => draw(&mut surface),
                                }
                                emoji.text.clone()
                            }
                            None => face.pdf.clone(),
                        };
                        // The run's origin to 1/1000 pt (0.35 µm): layout's `62.362206` prints as
                        // `62.362` in every text matrix.
                        let (x, y) = (on_grid(run.x), on_grid(run.y));
                        let linked = run.link.is_some() && !waiting_links.is_empty();
                        let draw = |s: &mut krilla::surface::Surface<'_>| {
                            s.set_fill(Some(Fill {
                                paint: paint(run.color),
                                ..Fill::default()
                            }));
                            let scaled = expansion != 1.0;
                            if scaled {
                                s.push_transform(&Transform::from_row(
                                    expansion,
                                    0.0,
                                    0.0,
                                    1.0,
                                    x * (1.0 - expansion),
                                    0.0,
                                ));
                            }
                            s.draw_glyphs(
                                Point::from_xy(x, y),
                                &glyphs,
                                font,
                                &run.text,
                                size,
                                false,
                            );
                            if scaled {
                                s.pop();
                            }
                        };
                        let slot = match tags.as_deref_mut() {
                            Some(tags) => {
                                tags.mark(&mut surface, run.tag, Some(run.role), linked, draw)
                            }
                            None => {
                                draw(&mut surface);
                                None
                            }
                        };
                        if linked && let Some(link) = waiting_links.pop_front() {
                            links.push((link, slot));
                        }
                    }
                    Item::Line(line) => {
                        let mut pb = PathBuilder::new();
                        pb.move_to(line.from.0, line.from.1);
                        pb.line_to(line.to.0, line.to.1);
                        if let Some(path) = pb.finish() {
                            let draw = |s: &mut krilla::surface::Surface<'_>| {
                                s.set_fill(None);
                                s.set_stroke(Some(Stroke {
                                    paint: paint(line.color),
                                    width: line.width,
                                    ..Stroke::default()
                                }));
                                s.draw_path(&path);
                                s.set_stroke(None);
                            };
                            match tags.as_deref_mut() {
                                Some(tags) => {
                                    tags.mark(&mut surface, None, None, false, draw);
                                }
                                None => draw(&mut surface),
                            }
                        }
                    }
                    Item::Link(link) => waiting_links.push_back(link.clone()),
                    Item::Fill(r, color) => {
                        // Consecutive fills of one colour (a QR code's modules) become one path.
                        if fill_run.as_ref().is_some_and(|(c, _)| c != color) {
                            flush_fills(&mut surface, &mut fill_run, tags.as_deref_mut());
                        }
                        let (_, pb) = fill_run.get_or_insert_with(|| (*color, PathBuilder::new()));
                        if let Some(rect) =
                            krilla::geom::Rect::from_xywh(r.x, r.y, r.width, r.height)
                        {
                            pb.push_rect(rect);
                        }
                    }
                    Item::Image(img) => {
                        let image = images.get(&img.picture, pdfa)?;
                        let r = img.rect;
                        if let Some(size) = Size::from_wh(r.width, r.height) {
                            let draw = |s: &mut krilla::surface::Surface<'_>| {
                                s.push_transform(&Transform::from_translate(r.x, r.y));
                                s.draw_image(image, size);
                                s.pop();
                            };
                            match tags.as_deref_mut() {
                                Some(tags) => {
                                    tags.mark(&mut surface, img.tag, None, false, draw);
                                }
                                None => draw(&mut surface),
                            }
                        }
                    }
                }
            }
            flush_fills(&mut surface, &mut fill_run, tags.as_deref_mut());
            surface.finish();
        }
        // A link rectangle whose run never came (cannot happen in our lists) still works.
        links.extend(waiting_links.into_iter().map(|l| (l, None)));
        for (link, slot) in links {
            let r = link.rect;
            if let Some(rect) =
                krilla::geom::Rect::from_xywh(r.x, r.y, r.width.max(0.1), r.height.max(0.1))
            {
                let target = Target::Action(LinkAction::new(link.url.to_string()).into());
                let alt = Some(link.text.trim().to_string()).filter(|t| !t.is_empty());
                let annotation = Annotation::new_link(LinkAnnotation::new(rect, target), alt);
                match (slot, tags.as_deref_mut()) {
                    (Some(slot), Some(tags)) => {
                        let id = p.add_tagged_annotation(annotation);
                        tags.annotation(slot, id);
                    }
                    _ => p.add_annotation(annotation),
                }
            }
        }
        for jump in jumps {
            let r = jump.rect;
            if let Some(rect) = krilla::geom::Rect::from_xywh(r.x, r.y, r.width, r.height) {
                let target = Target::Destination(
                    XyzDestination::new(jump.page, Point::from_xy(0.0, jump.y)).into(),
                );
                p.add_annotation(Annotation::new_link(
                    LinkAnnotation::new(rect, target),
                    None,
                ));
            }
        }
        p.finish();
        Ok(())
    }
}

/// The pictures of a run of colour emoji, each where its glyph sits.
fn draw_emoji_pictures(
    surface: &mut krilla::surface::Surface<'_>,
    run: &crate::layout::display::GlyphRun,
    emoji: &crate::pdf_emoji::EmojiFace,
) {
    let mut pen = run.x;
    for glyph in &run.glyphs {
        // A glyph's offset moves it right and up (the page's y grows downwards).
        let (x, baseline) = (pen + glyph.dx, run.y - glyph.dy);
        pen += glyph.advance;
        let Some(picture) = emoji.picture(glyph.id) else {
            continue;
        };
        let size = Size::from_wh(picture.width * run.size, picture.height * run.size);
        if let Some(size) = size {
            let left = x + picture.left * run.size;
            let top = baseline - picture.top * run.size;
            surface.push_transform(&Transform::from_translate(left, top));
            surface.draw_image(picture.image, size);
            surface.pop();
        }
    }
}

/// Krilla's refusal as our error; validation failures named in words.
fn finish_error(e: KrillaError, pdfa: bool, ua: bool, book: &FontBook) -> Error {
    match e {
        KrillaError::Validation(errors) => Error::Validation {
            ua,
            message: format!(
                "not a valid {}: {}",
                match (pdfa, ua) {
                    (true, true) => "PDF/A-2b and PDF/UA-1 document",
                    (true, false) => "PDF/A-2b document",
                    _ => "PDF/UA-1 document",
                },
                errors
                    .iter()
                    .map(|(e, _)| validation_failure(e, book))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        },
        other => Error::Pdf(format!("{other:?}")),
    }
}

/// One validation failure in words, for the failures an article or a font can cause; any other
/// is named as krilla names it.
fn validation_failure(e: &krilla::configure::ValidationError, book: &FontBook) -> String {
    use krilla::configure::ValidationError as V;
    let font = |font: &krilla::text::Font| match book.name_of(font) {
        Some(name) => format!("the font {name}"),
        None => "a font".to_string(),
    };
    match e {
        V::MissingDocumentDate => {
            "the article has no `published` date, which PDF/A requires".to_string()
        }
        V::RestrictedLicense(f) => format!(
            "{}'s licence forbids embedding it for every use (OS/2 fsType 2)",
            font(f)
        ),
        V::InvalidCodepointMapping(f, _, c, _) | V::UnicodePrivateArea(f, _, c, _) => format!(
            "a glyph of {} stands for U+{:04X}, which the standard forbids in text",
            font(f),
            *c as u32
        ),
        V::ContainsNotDefGlyph(f, _, text) => {
            format!("{} has no glyph for {text:?}", font(f))
        }
        other => format!("{other:?}"),
    }
}

/// Draws the pending run of same-coloured rectangles as one filled path.
fn flush_fills(
    surface: &mut krilla::surface::Surface<'_>,
    run: &mut Option<(Color, PathBuilder)>,
    tags: Option<&mut Tags<'_>>,
) {
    if let Some((color, pb)) = run.take()
        && let Some(path) = pb.finish()
    {
        let draw = |s: &mut krilla::surface::Surface<'_>| {
            s.set_stroke(None);
            s.set_fill(Some(Fill {
                paint: paint(color),
                ..Fill::default()
            }));
            s.draw_path(&path);
        };
        match tags {
            Some(tags) => {
                tags.mark(surface, None, None, false, draw);
            }
            None => draw(surface),
        }
    }
}

/// Nests outline entries by level under their nearest shallower predecessor.
fn outline_of(entries: &[OutlineEntry]) -> Outline {
    fn node(e: &OutlineEntry) -> OutlineNode {
        OutlineNode::new(
            e.title.clone(),
            XyzDestination::new(e.page, Point::from_xy(0.0, e.y)),
        )
    }
    fn children(entries: &[OutlineEntry], i: &mut usize, level: u8) -> Vec<OutlineNode> {
        let mut out = Vec::new();
        while *i < entries.len() && entries[*i].level > level {
            let here = *i;
            let mut n = node(&entries[here]);
            *i += 1;
            for c in children(entries, i, entries[here].level) {
                n.push_child(c);
            }
            out.push(n);
        }
        out
    }
    let mut outline = Outline::new();
    let mut i = 0;
    for c in children(entries, &mut i, 0) {
        outline.push_child(c);
    }
    outline
}

fn metadata_of(m: &crate::layout::display::Metadata) -> Metadata {
    let mut meta = Metadata::new()
        .title(m.title.clone())
        .language(m.language.clone())
        .producer("babrpdf".to_string())
        .creator("babrpdf".to_string())
        .document_id(m.document_id.clone());
    if !m.authors.is_empty() {
        meta = meta.authors(m.authors.clone());
    }
    if let Some(s) = &m.subject {
        meta = meta.description(s.clone());
    }
    if !m.keywords.is_empty() {
        meta = meta.keywords(m.keywords.clone());
    }
    if let Some((y, mo, d, time, offset)) = m.date {
        let mut dt = DateTime::new(y).month(mo).day(d);
        if let Some((h, mi)) = time {
            dt = dt.hour(h).minute(mi).second(0);
        }
        if let Some(off) = offset {
            dt = dt
                .utc_offset_hour((off / 60) as i8)
                .utc_offset_minute((off.abs() % 60) as u8);
        }
        meta = meta.creation_date(dt);
    }
    meta
}
