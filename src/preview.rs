//! Page previews: PNG (or SVG) pictures of a finished PDF's pages, for the site's thumbnails and
//! the project's reference-page tests.
//!
//! The pictures are drawn from the PDF itself by `hayro`, a pure-Rust PDF rasteriser from the
//! krilla authors, not from the display list by a second back end of our own. Measured on this
//! 2-core machine (benches/preview.rs, release): page 1 of `short-news.json` as a 300 px PNG in
//! 4.8 ms from its PDF (9.4 ms from the article), an A4 page at 150 dpi in 16 ms, a strip of ten
//! 300 px pages in 58 ms — inside the targets of 10, 60 and 100 ms, and faster than `mutool
//! draw` (17, 77, 209 ms) or `pdftoppm` (35, 296, 394 ms) as processes. Over every page of every
//! sample at 100 dpi it differs from poppler's `pdftoppm` by 4.87 levels of 255 on average,
//! as much as MuPDF's `mutool draw` does (also 4.87): as faithful as a mature renderer.
//! Drawing the PDF shows what a reader gets — every glyph, image and soft mask, rule, emoji
//! bitmap and the QR code as the PDF writer put them there — so a preview cannot disagree with
//! the download; a back end over the display list would have to repeat the PDF writer's
//! decisions (subset glyphs, image masks, the emoji's bitmaps) and could drift from it, for no
//! time to gain.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_syntax::Pdf;
use hayro::hayro_syntax::page::Page;
use hayro::kurbo::Affine;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::vello_cpu::{Pixmap, RasterizerSettings, RenderContext, Resources, TargetInit};
use hayro::{RenderCache, RenderSettings, render_into};
use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};

use crate::article::Article;
use crate::engine::{Engine, RenderOptions};
use crate::error::Error;
use crate::warning::Warning;

/// The widest picture of a page, in pixels: a print-resolution A4 page is 4,961 px wide
/// at 600 dpi; anything wider is a mistake or an attack on the service's memory.
pub const MAX_WIDTH_PX: u32 = 10_000;
/// The highest resolution asked for with a dpi (A4 at 1,200 dpi is 9,921 px wide).
pub const MAX_DPI: u32 = 1_200;
/// Pixels of one page's picture (an A4 page at 600 dpi has 34.8 million; 4 bytes each while
/// it is drawn).
pub const MAX_PAGE_PIXELS: u64 = 50_000_000;
/// Pixels of all pages one call draws: the time a call may take grows with them.
pub const MAX_TOTAL_PIXELS: u64 = 500_000_000;
/// Most bytes of SVG one preview may hold (a page of body text is about 0.4 MB of SVG, so a
/// few hundred pages): SVG has no pixel count to bound it.
pub const MAX_SVG_BYTES: usize = 256 << 20;
/// One point is 1/72 inch.
const POINTS_PER_INCH: f64 = 72.0;

/// What kind of picture a preview is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PreviewFormat {
    /// A PNG image (RGB, or greyscale with `PreviewOptions::grey`).
    #[default]
    Png,
    /// An SVG document: glyphs as paths, images as embedded PNGs. Scalable, so the size
    /// options do not apply to it.
    Svg,
}

impl PreviewFormat {
    /// The format named `name` (`png`, `svg`).
    pub fn parse(name: &str) -> Result<PreviewFormat, Error> {
        match name.to_ascii_lowercase().as_str() {
            "png" => Ok(PreviewFormat::Png),
            "svg" => Ok(PreviewFormat::Svg),
            other => Err(Error::Options(format!(
                "preview format {other:?} is not known; use png or svg"
            ))),
        }
    }

    /// The file extension and the name of the format (`png`, `svg`).
    pub fn extension(self) -> &'static str {
        match self {
            PreviewFormat::Png => "png",
            PreviewFormat::Svg => "svg",
        }
    }

    /// The media type of a picture in this format.
    pub fn media_type(self) -> &'static str {
        match self {
            PreviewFormat::Png => "image/png",
            PreviewFormat::Svg => "image/svg+xml",
        }
    }
}

/// How large a page's picture is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PreviewSize {
    /// Dots per inch of the paper (72: one pixel a point).
    Dpi(u32),
    /// The picture's width in pixels; the height follows the page's proportions.
    Width(u32),
}

impl Default for PreviewSize {
    /// 150 dpi: a whole A4 page on a screen, 1,240 px wide.
    fn default() -> Self {
        PreviewSize::Dpi(150)
    }
}

impl PreviewSize {
    /// Refuses sizes no page can be drawn at: zero, or more than `MAX_DPI` or `MAX_WIDTH_PX`.
    pub fn check(self) -> Result<PreviewSize, Error> {
        match self {
            PreviewSize::Dpi(dpi) if dpi == 0 || dpi > MAX_DPI => Err(Error::Options(format!(
                "preview resolution {dpi} dpi is out of range; use 1 to {MAX_DPI}"
            ))),
            PreviewSize::Width(px) if px == 0 || px > MAX_WIDTH_PX => Err(Error::Options(format!(
                "preview width {px} px is out of range; use 1 to {MAX_WIDTH_PX}"
            ))),
            size => Ok(size),
        }
    }

    /// Pixels a point, for a page `width` points wide.
    fn scale(self, width: f64) -> f64 {
        match self {
            PreviewSize::Dpi(dpi) => f64::from(dpi) / POINTS_PER_INCH,
            PreviewSize::Width(px) => f64::from(px) / width.max(1.0),
        }
    }

    /// The picture's pixel size for a page of `width` × `height` points: whole pixels, a
    /// partly covered one at the right and bottom edges included (as poppler counts them).
    fn pixels(self, width: f64, height: f64) -> (u32, u32) {
        let scale = self.scale(width);
        let w = match self {
            PreviewSize::Width(px) => px,
            PreviewSize::Dpi(_) => whole_pixels(width * scale),
        };
        (w, whole_pixels(height * scale))
    }
}

/// Pixels for a length of `px`: a sliver of a pixel past a whole number (a rounding error) does
/// not count, a larger part does.
fn whole_pixels(px: f64) -> u32 {
    (px - 0.01).ceil().max(1.0) as u32
}

/// Which pages to draw: 1-based and inclusive, `last: None` up to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRange {
    /// The first page drawn (1 is the first page).
    pub first: usize,
    /// The last page drawn; `None`: the document's last.
    pub last: Option<usize>,
}

impl Default for PageRange {
    /// Every page.
    fn default() -> Self {
        PageRange {
            first: 1,
            last: None,
        }
    }
}

impl PageRange {
    /// One page.
    pub fn single(page: usize) -> PageRange {
        PageRange {
            first: page,
            last: Some(page),
        }
    }

    /// Reads `3`, `1-3`, `2-` (to the end) or `-3` (from the first).
    ///
    /// ```
    /// use babrpdf::preview::PageRange;
    /// assert_eq!(PageRange::parse("2-4")?, PageRange { first: 2, last: Some(4) });
    /// assert!(PageRange::parse("5-2").is_err());
    /// # Ok::<(), babrpdf::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<PageRange, Error> {
        let bad = |why: &str| Error::Options(format!("page range {text:?}: {why}"));
        let number = |part: &str| -> Result<usize, Error> {
            let n: usize = part
                .trim()
                .parse()
                .map_err(|_| bad("use a page number or FIRST-LAST, e.g. 1-3"))?;
            if n == 0 {
                return Err(bad("pages are counted from 1"));
            }
            Ok(n)
        };
        let range = match text.split_once('-') {
            None => PageRange::single(number(text)?),
            Some((first, last)) => PageRange {
                first: if first.trim().is_empty() {
                    1
                } else {
                    number(first)?
                },
                last: if last.trim().is_empty() {
                    None
                } else {
                    Some(number(last)?)
                },
            },
        };
        if range.last.is_some_and(|last| last < range.first) {
            return Err(bad("the last page comes before the first"));
        }
        Ok(range)
    }

    /// The 0-based indices of the pages drawn from a document of `count` pages; a range that
    /// starts or ends past the last page is an error saying how many pages there are.
    fn indices(self, count: usize) -> Result<std::ops::Range<usize>, Error> {
        let last = self.last.unwrap_or(count);
        if self.first > count || last > count {
            let asked = match self.last {
                Some(last) if last != self.first => format!("pages {}-{last}", self.first),
                _ => format!("page {}", self.first.max(last)),
            };
            let pages = if count == 1 { "page" } else { "pages" };
            return Err(Error::Options(format!(
                "{asked} asked for, but the document has {count} {pages}"
            )));
        }
        Ok(self.first - 1..last)
    }
}

/// What to draw and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PreviewOptions {
    /// PNG (default) or SVG.
    pub format: PreviewFormat,
    /// The pages drawn; default all.
    pub pages: PageRange,
    /// The pictures' size; default 150 dpi.
    pub size: PreviewSize,
    /// PNG in shades of grey (a third of the bytes; what the reference-page tests keep).
    pub grey: bool,
}

/// One page's picture.
#[derive(Debug, Clone)]
pub struct PagePicture {
    /// The page's number, 1-based.
    pub number: usize,
    /// The picture's width in pixels (for SVG, in points).
    pub width: u32,
    /// The picture's height in pixels (for SVG, in points).
    pub height: u32,
    /// The PNG or SVG file's bytes.
    pub bytes: Vec<u8>,
}

/// A page drawn into pixels, before any encoding.
#[derive(Debug, Clone)]
pub struct Raster {
    /// The page's number, 1-based.
    pub number: usize,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Opaque RGB, three bytes a pixel, rows top to bottom (the page is on white).
    pub rgb: Vec<u8>,
}

impl Raster {
    /// The picture in shades of grey, one byte a pixel (Rec. 601 luma).
    pub fn grey(&self) -> Vec<u8> {
        self.rgb
            .chunks_exact(3)
            .map(|p| {
                let luma = 299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2]);
                ((luma + 500) / 1000) as u8
            })
            .collect()
    }

    /// The picture as a PNG file (RGB, or greyscale with `grey`).
    pub fn png(&self, grey: bool) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        // Fast deflate keeps every target with room to spare. Measured on short-news (bytes, ms
        // for a 300 px thumbnail; for an A4 page at 150 dpi; ms for a strip of ten): fast
        // 54 KB 5.2 ms, 401 KB 16 ms, 61 ms; default 33 KB 7.0 ms, 227 KB 29 ms, 87 ms; best
        // 25 KB 25 ms, 179 KB 175 ms, 244 ms. The service caches what it draws, and a CDN in
        // front of it may recompress.
        let encoder =
            PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive);
        let result = if grey {
            let luma = self.grey();
            encoder.write_image(&luma, self.width, self.height, image::ExtendedColorType::L8)
        } else {
            encoder.write_image(
                &self.rgb,
                self.width,
                self.height,
                image::ExtendedColorType::Rgb8,
            )
        };
        result.map_err(|e| Error::Preview(format!("page {}: PNG encoding: {e}", self.number)))?;
        Ok(out)
    }
}

/// A rendered article's pictures, with the render's warnings.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The pages asked for, in order.
    pub pages: Vec<PagePicture>,
    /// How many pages the PDF has.
    pub page_count: usize,
    /// What the render of the PDF said (`Rendered::warnings`).
    pub warnings: Vec<Warning>,
}

impl Engine {
    /// Renders the article to PDF and draws the pages `preview` asks for.
    ///
    /// ```
    /// use babrpdf::preview::{PageRange, PreviewOptions, PreviewSize};
    ///
    /// let engine = babrpdf::Engine::new()?;
    /// let json = r#"{"title": "Паром", "body": "Судно вышло на линию."}"#;
    /// let article = babrpdf::Article::from_json(json.as_bytes())?;
    /// let preview = PreviewOptions {
    ///     pages: PageRange::single(1),
    ///     size: PreviewSize::Width(300),
    ///     ..PreviewOptions::default()
    /// };
    /// let pictures = engine.preview(&article, &babrpdf::RenderOptions::default(), &preview)?;
    /// assert_eq!(pictures.pages[0].width, 300);
    /// assert!(pictures.pages[0].bytes.starts_with(b"\x89PNG"));
    /// # Ok::<(), babrpdf::Error>(())
    /// ```
    pub fn preview(
        &self,
        article: &Article,
        options: &RenderOptions,
        preview: &PreviewOptions,
    ) -> Result<Preview, Error> {
        let rendered = self.render(article, options)?;
        let (pages, page_count) = pictures(&rendered.pdf, preview)?;
        Ok(Preview {
            pages,
            page_count,
            warnings: rendered.warnings,
        })
    }
}

/// Draws the pages `options` asks for of a PDF, with the PDF's page count. Meant for the PDFs
/// babrpdf writes: any other is drawn within the same pixel caps, but the time a hostile one
/// takes inside the rasteriser is not bounded (the service only draws its own renders).
pub fn pictures(pdf: &[u8], options: &PreviewOptions) -> Result<(Vec<PagePicture>, usize), Error> {
    match options.format {
        PreviewFormat::Png => {
            // Each page is encoded as soon as it is drawn: only one page's pixels are held.
            let mut pages = Vec::new();
            let count = rasterize_each(pdf, options.pages, options.size, |r| {
                pages.push(PagePicture {
                    number: r.number,
                    width: r.width,
                    height: r.height,
                    bytes: r.png(options.grey)?,
                });
                Ok(())
            })?;
            Ok((pages, count))
        }
        PreviewFormat::Svg => svg(pdf, options.pages),
    }
}

/// The page count of a PDF, as the rasteriser reads it.
pub fn page_count(pdf: &[u8]) -> Result<usize, Error> {
    Ok(open(pdf)?.pages().len())
}

fn open(pdf: &[u8]) -> Result<Pdf, Error> {
    Pdf::new(Arc::new(pdf.to_vec()))
        .map_err(|e| Error::Preview(format!("the PDF cannot be read ({e:?})")))
}

/// The page's size in points, as it is shown (rotation applied).
fn page_points(page: &Page<'_>) -> (f64, f64) {
    let (w, h) = page.render_dimensions();
    (f64::from(w), f64::from(h))
}

/// Draws the pages in `range` of the PDF at `size` into RGB pixels, with the PDF's page count.
/// Every picture is checked against `MAX_PAGE_PIXELS` and all of them against
/// `MAX_TOTAL_PIXELS` before any is drawn.
pub fn rasterize(
    pdf: &[u8],
    range: PageRange,
    size: PreviewSize,
) -> Result<(Vec<Raster>, usize), Error> {
    let mut rasters = Vec::new();
    let count = rasterize_each(pdf, range, size, |raster| {
        rasters.push(raster);
        Ok(())
    })?;
    Ok((rasters, count))
}

/// `rasterize`, handing each page to `each` as soon as it is drawn (and dropping its pixels
/// after), with the PDF's page count; an error from `each` stops the drawing.
pub fn rasterize_each(
    pdf: &[u8],
    range: PageRange,
    size: PreviewSize,
    mut each: impl FnMut(Raster) -> Result<(), Error>,
) -> Result<usize, Error> {
    let size = size.check()?;
    let pdf = open(pdf)?;
    let pages = pdf.pages();
    let indices = range.indices(pages.len())?;
    let mut plan = Vec::with_capacity(indices.len());
    let mut total = 0u64;
    for index in indices {
        let page = &pages[index];
        let (w_pt, h_pt) = page_points(page);
        let (w, h) = size.pixels(w_pt, h_pt);
        let pixels = u64::from(w) * u64::from(h);
        if pixels > MAX_PAGE_PIXELS || w > MAX_WIDTH_PX || h > u32::from(u16::MAX) {
            return Err(Error::Limit(format!(
                "page {} would be {w} × {h} px, more than the {MAX_PAGE_PIXELS} pixels \
                 (at most {MAX_WIDTH_PX} px wide) a preview may have; ask for a smaller size",
                index + 1
            )));
        }
        total += pixels;
        if total > MAX_TOTAL_PIXELS {
            return Err(Error::Limit(format!(
                "pages {}-{} would be more than the {MAX_TOTAL_PIXELS} pixels one preview may \
                 draw; ask for fewer pages or a smaller size",
                range.first,
                index + 1
            )));
        }
        plan.push((index, w, h, size.scale(w_pt)));
    }
    let cache = RenderCache::new();
    let settings = InterpreterSettings::default();
    // Unhinted outlines, as PDF viewers draw them (the embedded fonts carry no hints anyway):
    // closer to poppler's pictures than hayro's own hinting (4.9 against 5.5 levels of mean
    // difference at 100 dpi over the samples).
    let render = RenderSettings {
        hinting: false,
        ..RenderSettings::default()
    };
    let mut ctx = RenderContext::new(1, 1);
    let mut resources = Resources::default();
    for (index, w, h, scale) in plan {
        let page = &pages[index];
        // The sizes were checked against u16::MAX above.
        let (w16, h16) = (w as u16, h as u16);
        let transform = Affine::scale(scale) * page.initial_transform(true).to_kurbo();
        // hayro is young: a page it cannot draw is an error of this preview, not a crash of
        // the process (or of the service's worker).
        let drawn = catch_unwind(AssertUnwindSafe(|| {
            ctx.reset_and_resize(w16, h16);
            render_into(page, &cache, &settings, &render, &mut ctx, transform);
            ctx.flush();
            let mut pixmap = Pixmap::new(w16, h16);
            ctx.render_with(
                &mut pixmap,
                &mut resources,
                RasterizerSettings {
                    target_init: TargetInit::Clear(WHITE),
                    ..Default::default()
                },
            );
            pixmap
        }))
        .map_err(|_| Error::Preview(format!("page {}: the rasteriser failed", index + 1)))?;
        each(Raster {
            number: index + 1,
            width: w,
            height: h,
            rgb: rgb_on_white(drawn),
        })?;
    }
    Ok(pages.len())
}

/// The pixmap's pixels as opaque RGB (the page was cleared to white, so they are opaque).
fn rgb_on_white(pixmap: Pixmap) -> Vec<u8> {
    let rgba = pixmap.take_rgba8(hayro::vello_cpu::peniko::ImageAlphaType::AlphaPremultiplied);
    let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
    for p in rgba.chunks_exact(4) {
        // Premultiplied over white: what is not covered shows the paper.
        let paper = 255 - p[3];
        rgb.extend_from_slice(&[
            p[0].saturating_add(paper),
            p[1].saturating_add(paper),
            p[2].saturating_add(paper),
        ]);
    }
    rgb
}

/// The pages in `range` as SVG documents, with the PDF's page count.
fn svg(pdf: &[u8], range: PageRange) -> Result<(Vec<PagePicture>, usize), Error> {
    let pdf = open(pdf)?;
    let pages = pdf.pages();
    let indices = range.indices(pages.len())?;
    let cache = hayro_svg::RenderCache::new();
    let settings = InterpreterSettings::default();
    let svg_settings = hayro_svg::SvgRenderSettings {
        bg_color: [255, 255, 255, 255],
    };
    let mut out = Vec::with_capacity(indices.len());
    let mut total = 0usize;
    for index in indices {
        let page = &pages[index];
        let (w, h) = page_points(page);
        let text = catch_unwind(AssertUnwindSafe(|| {
            hayro_svg::convert(page, &cache, &settings, &svg_settings)
        }))
        .map_err(|_| Error::Preview(format!("page {}: the SVG converter failed", index + 1)))?;
        total += text.len();
        if total > MAX_SVG_BYTES {
            return Err(Error::Limit(format!(
                "pages {}-{} would be more than the {MAX_SVG_BYTES} bytes of SVG one preview \
                 may hold; ask for fewer pages",
                range.first,
                index + 1
            )));
        }
        out.push(PagePicture {
            number: index + 1,
            width: w.round() as u32,
            height: h.round() as u32,
            bytes: text.into_bytes(),
        });
    }
    Ok((out, pages.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_ranges_read_and_refuse() {
        assert_eq!(PageRange::parse("3").unwrap(), PageRange::single(3));
        assert_eq!(
            PageRange::parse("2-").unwrap(),
            PageRange {
                first: 2,
                last: None
            }
        );
        assert_eq!(
            PageRange::parse("-2").unwrap(),
            PageRange {
                first: 1,
                last: Some(2)
            }
        );
        for bad in ["5-2", "0", "x", "1-y", ""] {
            let e = PageRange::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with(&format!("page range {bad:?}: ")), "{e}");
        }
        let e = PageRange::single(4).indices(3).unwrap_err().to_string();
        assert_eq!(e, "page 4 asked for, but the document has 3 pages");
        let e = PageRange::parse("2-5").unwrap().indices(3).unwrap_err();
        assert_eq!(
            e.to_string(),
            "pages 2-5 asked for, but the document has 3 pages"
        );
        assert_eq!(PageRange::default().indices(3).unwrap(), 0..3);
    }

    #[test]
    fn sizes_are_bounded() {
        for bad in [
            PreviewSize::Dpi(0),
            PreviewSize::Dpi(MAX_DPI + 1),
            PreviewSize::Width(0),
            PreviewSize::Width(MAX_WIDTH_PX + 1),
        ] {
            assert!(matches!(bad.check(), Err(Error::Options(_))), "{bad:?}");
        }
        // A4 in points.
        assert_eq!(PreviewSize::Dpi(150).pixels(595.28, 841.89), (1241, 1754));
        assert_eq!(PreviewSize::Width(300).pixels(595.28, 841.89), (300, 425));
        assert_eq!(PreviewSize::Dpi(72).pixels(595.0, 842.0), (595, 842));
    }

    #[test]
    fn formats_are_named() {
        assert_eq!(PreviewFormat::parse("PNG").unwrap(), PreviewFormat::Png);
        let e = PreviewFormat::parse("gif").unwrap_err().to_string();
        assert_eq!(e, "preview format \"gif\" is not known; use png or svg");
    }

    #[test]
    fn not_a_pdf_is_a_clear_error() {
        let e = rasterize(b"%PDF-1.7 junk", PageRange::default(), PreviewSize::Dpi(10))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("preview: the PDF cannot be read"), "{e}");
    }
}
