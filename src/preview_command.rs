//! `babrpdf render --format png|svg`: the pages of the rendered article as pictures, one file a
//! page, named from an output template with `{p}` (or `{0p}`, zero-padded) for the page number.

use std::io::Write;
use std::path::Path;

use babrpdf::atomic::write_atomically;
use babrpdf::preview::{self, PageRange, PreviewFormat, PreviewOptions, PreviewSize};

/// What `render` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutputFormat {
    /// The PDF (the default).
    Pdf,
    /// Pictures of the pages.
    Picture(PreviewFormat),
}

/// `pdf`, `png` or `svg`.
pub(crate) fn parse_format(s: &str) -> Result<OutputFormat, String> {
    if s.eq_ignore_ascii_case("pdf") {
        return Ok(OutputFormat::Pdf);
    }
    PreviewFormat::parse(s)
        .map(OutputFormat::Picture)
        .map_err(|_| format!("unknown format `{s}` (pdf, png, svg)"))
}

/// `3`, `1-3`, `2-`.
pub(crate) fn parse_pages(s: &str) -> Result<PageRange, String> {
    PageRange::parse(s).map_err(|e| e.to_string())
}

/// A resolution in dots per inch, 1 to `MAX_DPI`.
pub(crate) fn parse_dpi(s: &str) -> Result<u32, String> {
    parse_size(s, "resolution", "dots per inch", PreviewSize::Dpi)
}

/// A width in pixels, 1 to `MAX_WIDTH_PX`.
pub(crate) fn parse_width(s: &str) -> Result<u32, String> {
    parse_size(s, "width", "pixels", PreviewSize::Width)
}

/// A whole number of `unit`s that `size` accepts.
fn parse_size(
    s: &str,
    what: &str,
    unit: &str,
    size: fn(u32) -> PreviewSize,
) -> Result<u32, String> {
    let n = s
        .trim()
        .parse::<u32>()
        .map_err(|_| format!("{what} `{s}` is not a whole number of {unit}"))?;
    size(n).check().map_err(|e| e.to_string())?;
    Ok(n)
}

/// The picture options the flags ask for; the size and page flags are refused with a PDF.
pub(crate) fn picture_options(
    format: OutputFormat,
    pages: Option<PageRange>,
    dpi: Option<u32>,
    width: Option<u32>,
    grey: bool,
) -> Result<Option<PreviewOptions>, String> {
    let OutputFormat::Picture(format) = format else {
        let flag = [
            (pages.is_some(), "--pages"),
            (dpi.is_some(), "--dpi"),
            (width.is_some(), "--width"),
            (grey, "--grey"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag));
        return match flag {
            Some(flag) => Err(format!("{flag} is for pictures: add --format png or svg")),
            None => Ok(None),
        };
    };
    let size = match (dpi, width) {
        (_, Some(px)) => PreviewSize::Width(px),
        (Some(dpi), None) => PreviewSize::Dpi(dpi),
        (None, None) => PreviewSize::default(),
    };
    Ok(Some(PreviewOptions {
        format,
        pages: pages.unwrap_or_default(),
        size,
        grey,
    }))
}

/// Draws the pages of `pdf` that `options` asks for and writes them: to `output` (a template
/// with `{p}` or `{0p}` when there are several pages; `-` for one page on standard output), or
/// beside the input (`NAME.png`, or `NAME-{p}.png` for several pages). Every page is drawn
/// before the first file is written, and each file is written whole or not at all.
pub(crate) fn write_pictures(
    name: &str,
    input: &str,
    output: Option<&str>,
    pdf: &[u8],
    options: &PreviewOptions,
) -> Result<(), String> {
    let ext = options.format.extension();
    let (pictures, count) = preview::pictures(pdf, options).map_err(|e| format!("{name}: {e}"))?;
    let several = pictures.len() > 1;
    let template = match output {
        Some(o) => o.to_string(),
        None if input == "-" => "-".to_string(),
        None if several => {
            let stem = Path::new(input).with_extension("");
            format!("{}-{{p}}.{ext}", stem.display())
        }
        None => Path::new(input).with_extension(ext).display().to_string(),
    };
    let numbered = template.contains("{p}") || template.contains("{0p}");
    if template == "-" && several {
        return Err(format!(
            "{name}: {} pages cannot go to standard output; name one with --pages N, or give -o \
             with {{p}} for the page number (page-{{p}}.{ext})",
            pictures.len()
        ));
    }
    if several && !numbered {
        return Err(format!(
            "{template}: {} pages would go to one file; put {{p}} in the name for the page \
             number (e.g. page-{{p}}.{ext}), or choose one page with --pages",
            pictures.len()
        ));
    }
    if template == "-" {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(&pictures[0].bytes)
            .and_then(|_| out.flush())
            .map_err(|e| format!("<stdout>: {e}"));
    }
    let digits = count.to_string().len();
    for picture in &pictures {
        let number = picture.number.to_string();
        let padded = format!("{:0digits$}", picture.number);
        let target = template.replace("{0p}", &padded).replace("{p}", &number);
        babrpdf::atomic::remove_stale_temporaries_of(Path::new(&target));
        write_atomically(Path::new(&target), &picture.bytes, true)
            .map_err(|e| format!("{target}: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_checked() {
        assert_eq!(
            parse_format("PNG"),
            Ok(OutputFormat::Picture(PreviewFormat::Png))
        );
        assert_eq!(
            parse_format("gif"),
            Err("unknown format `gif` (pdf, png, svg)".into())
        );
        assert!(parse_dpi("0").is_err());
        assert!(parse_dpi("100000").unwrap_err().contains("out of range"));
        assert!(parse_width("-3").is_err());
        assert!(parse_pages("5-2").unwrap_err().contains("before the first"));
        let e = picture_options(OutputFormat::Pdf, None, Some(72), None, false).unwrap_err();
        assert_eq!(e, "--dpi is for pictures: add --format png or svg");
        let png = OutputFormat::Picture(PreviewFormat::Png);
        let o = picture_options(png, None, None, Some(300), false)
            .unwrap()
            .unwrap();
        assert_eq!(o.size, PreviewSize::Width(300));
    }
}
