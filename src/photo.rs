//! Images made ready for print: size checked before decoding, EXIF orientation applied,
//! photos larger than print needs downsampled to `PRINT_DPI`; everything else passes through.

use std::io::Cursor;
use std::sync::Arc;

use crate::budget::Budget;
use crate::error::{AssetError, AssetErrorKind};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, metadata::Orientation};

/// Most pixels an image may have: larger ones (decompression bombs) are refused before decoding.
pub const MAX_IMAGE_PIXELS: u64 = 80_000_000;
/// Memory the decoder may take for one image.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;
/// Resolution a placed photo needs on paper; more pixels than this are thrown away.
pub const PRINT_DPI: f32 = 300.0;
/// A photo is only resampled when it has this much more than print needs (resampling a JPEG
/// that is barely too large costs quality for nothing).
const RESAMPLE_THRESHOLD: f32 = 1.15;
/// Pixels per point at which a small image (an icon, a chart) is shown at its own size.
const SCREEN_PX_PER_PT: f32 = 96.0 / 72.0;
/// JPEG quality of resampled photos.
const JPEG_QUALITY: u8 = 85;

/// How the PDF writer gets the pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Jpeg,
    Png,
}

/// An image ready to embed: encoded bytes and pixel size (after orientation).
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub encoding: Encoding,
    pub bytes: Arc<Vec<u8>>,
    pub width: u32,
    pub height: u32,
    /// True when the original file is embedded untouched.
    pub passed_through: bool,
}

/// The format of the image and a decoder over its bytes.
fn decoder(bytes: &[u8]) -> Result<(Encoding, impl ImageDecoder + '_), AssetError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| damaged(e.to_string()))?;
    let encoding = match reader.format() {
        Some(ImageFormat::Jpeg) => Encoding::Jpeg,
        Some(ImageFormat::Png) => Encoding::Png,
        Some(other) => {
            return Err(unsupported(format!(
                "{other:?} images are not supported (JPEG, PNG)"
            )));
        }
        None => {
            return Err(unsupported(
                "not an image format the engine reads (JPEG, PNG)",
            ));
        }
    };
    let decoder = reader.into_decoder().map_err(|e| {
        if bad_png_checksum(bytes) {
            return png_checksum_error();
        }
        AssetError::new(kind_of(&e), format!("cannot read the image: {e}"))
    })?;
    Ok((encoding, decoder))
}

fn damaged(message: impl Into<String>) -> AssetError {
    AssetError::new(AssetErrorKind::Damaged, message)
}

fn unsupported(message: impl Into<String>) -> AssetError {
    AssetError::new(AssetErrorKind::Unsupported, message)
}

/// The kind of problem a decoder error is.
fn kind_of(e: &image::ImageError) -> AssetErrorKind {
    match e {
        image::ImageError::Limits(_) => AssetErrorKind::TooLarge,
        image::ImageError::Unsupported(_) => AssetErrorKind::Unsupported,
        _ => AssetErrorKind::Damaged,
    }
}

/// A JPEG must reach its end-of-image marker after the start of its scan: decoders fill a
/// cut-off file with grey, but a PDF reader reports it as broken data.
fn check_jpeg_ends(bytes: &[u8]) -> Result<(), AssetError> {
    let cut_off = || damaged("the JPEG is cut off (no end-of-image marker after its scan)");
    // Walk the segments before the first scan (FF xx, 2-byte big-endian length): an EXIF
    // thumbnail inside them has an end marker of its own, which must not count.
    let mut at = 2;
    loop {
        let marker = bytes.get(at..at + 2).ok_or_else(cut_off)?;
        if marker[0] != 0xFF {
            return Err(damaged("the JPEG's segments are corrupt"));
        }
        if marker[1] == 0xFF {
            // Fill bytes may pad before a marker.
            at += 1;
            continue;
        }
        let length = bytes.get(at + 2..at + 4).ok_or_else(cut_off)?;
        let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
        at += 2 + length;
        if marker[1] == 0xDA {
            break;
        }
    }
    let scan = bytes.get(at..).ok_or_else(cut_off)?;
    if scan.windows(2).any(|w| w == [0xFF, 0xD9]) {
        Ok(())
    } else {
        Err(cut_off())
    }
}

/// All the pixels, within `MAX_DECODE_BYTES`.
fn decode(bytes: &[u8]) -> Result<DynamicImage, AssetError> {
    let (_, mut d) = decoder(bytes)?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    d.set_limits(limits)
        .map_err(|e| AssetError::new(kind_of(&e), e.to_string()))?;
    DynamicImage::from_decoder(d).map_err(|e| decode_error(e, bytes))
}

/// The decoder's complaint in one short line. A PNG whose chunk checksums do not match is said
/// so in words (the PNG decoder names the chunk in Rust syntax).
fn decode_error(e: image::ImageError, bytes: &[u8]) -> AssetError {
    if bad_png_checksum(bytes) {
        return png_checksum_error();
    }
    let text = e.to_string();
    let text = text.split(" while decoding").next().unwrap_or(&text);
    AssetError::new(
        kind_of(&e),
        format!(
            "cannot decode the image: {}",
            text.chars().take(120).collect::<String>()
        ),
    )
}

fn png_checksum_error() -> AssetError {
    damaged("the PNG is corrupt (a chunk's checksum does not match its data)")
}

/// Whether `bytes` is a PNG with a chunk whose CRC-32 does not match its type and data (looked
/// at only once decoding has failed).
fn bad_png_checksum(bytes: &[u8]) -> bool {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let Some(mut rest) = bytes.strip_prefix(SIGNATURE) else {
        return false;
    };
    // Each chunk: length (4 bytes, big-endian), type (4), data, CRC-32 of type and data (4).
    while rest.len() >= 12 {
        let length = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let Some(stored) = length
            .checked_add(8)
            .and_then(|end| rest.get(end..end.checked_add(4)?))
        else {
            return false;
        };
        let mut crc = flate2::Crc::new();
        crc.update(&rest[4..8 + length]);
        if crc.sum().to_be_bytes() != stored {
            return true;
        }
        rest = &rest[12 + length..];
    }
    false
}

/// Decodes a JPEG strictly, as PDF readers do: corrupt entropy-coded data is an error here,
/// where the lenient decoder would fill it with grey.
fn check_jpeg_scan(bytes: &[u8]) -> Result<(), AssetError> {
    let options = zune_core::options::DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(usize::MAX)
        .set_max_height(usize::MAX);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        zune_core::bytestream::ZCursor::new(bytes),
        options,
    );
    decoder
        .decode()
        .map(drop)
        .map_err(|e| damaged(format!("the JPEG's image data is corrupt ({e})")))
}

/// Placed size in points for an image of `w`×`h` pixels within `max_w`×`max_h` points.
pub fn placed_size(w: u32, h: u32, max_w: f32, max_h: f32) -> (f32, f32) {
    let (w, h) = (w.max(1) as f32, h.max(1) as f32);
    let mut pw = (w / SCREEN_PX_PER_PT).min(max_w);
    let mut ph = pw * h / w;
    if ph > max_h {
        ph = max_h;
        pw = ph * w / h;
    }
    (pw.max(0.1), ph.max(0.1))
}

/// Checks, orients and (when it has far more pixels than print needs) resamples an image that
/// will be placed at most `max_w`×`max_h` points. Errors are a kind and one line.
/// Decoded pixels are charged to `budget` (a PNG is decoded by the PDF writer even when it
/// passes through, to split off its alpha); past the budget the image is refused.
pub fn prepare(
    bytes: Vec<u8>,
    max_w: f32,
    max_h: f32,
    budget: &Budget,
) -> Result<(Picture, f32, f32), AssetError> {
    prepare_charging(bytes, max_w, max_h, &|pixels| budget.take_pixels(pixels))
}

/// `prepare`, with the decoded pixels charged through `charge` (which may wait for its turn:
/// see `resources.rs`, where pictures loaded side by side are charged in the article's order).
pub fn prepare_charging(
    bytes: Vec<u8>,
    max_w: f32,
    max_h: f32,
    charge: &dyn Fn(u64) -> Result<(), AssetError>,
) -> Result<(Picture, f32, f32), AssetError> {
    // Header only: size and orientation, before a single pixel is decoded.
    let (encoding, w, h, orientation) = {
        let (encoding, mut d) = decoder(&bytes)?;
        let (w, h) = d.dimensions();
        (
            encoding,
            w,
            h,
            d.orientation().unwrap_or(Orientation::NoTransforms),
        )
    };
    if w == 0 || h == 0 {
        return Err(damaged("the image has no pixels"));
    }
    if u64::from(w) * u64::from(h) > MAX_IMAGE_PIXELS {
        return Err(AssetError::new(
            AssetErrorKind::TooLarge,
            format!(
                "{w}×{h} pixels is more than the {} megapixels accepted",
                MAX_IMAGE_PIXELS / 1_000_000
            ),
        ));
    }
    let turned = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let (ow, oh) = if turned { (h, w) } else { (w, h) };
    let (pw, ph) = placed_size(ow, oh, max_w, max_h);
    let needed = (pw / 72.0 * PRINT_DPI).ceil() as u32;
    let too_big = ow as f32 > needed as f32 * RESAMPLE_THRESHOLD;
    let passes_through = !too_big && orientation == Orientation::NoTransforms;
    // Every image is decoded once, even one that goes in untouched: a file a reader would choke
    // on (a cut-off JPEG, a corrupt scan, a PNG with a bad checksum) is refused here, with its
    // caption printed, instead of being embedded broken or failing the whole PDF.
    charge(u64::from(w) * u64::from(h))?;
    if encoding == Encoding::Jpeg {
        check_jpeg_ends(&bytes)?;
    }
    if passes_through {
        // Untouched: JPEG goes into the PDF as it is (DCT), PNG keeps its alpha as a soft mask.
        // Decoded only to be checked: a JPEG strictly, as PDF readers do; a PNG in full (its
        // chunk checksums).
        match encoding {
            Encoding::Jpeg => check_jpeg_scan(&bytes)?,
            Encoding::Png => drop(decode(&bytes)?),
        }
        return Ok((
            Picture {
                encoding,
                bytes: Arc::new(bytes),
                width: w,
                height: h,
                passed_through: true,
            },
            pw,
            ph,
        ));
    }
    let mut img = decode(&bytes)?;
    img.apply_orientation(orientation);
    if too_big {
        let nh = ((needed as f32) * oh as f32 / ow as f32).round().max(1.0) as u32;
        img = img.resize_exact(needed.max(1), nh, image::imageops::FilterType::CatmullRom);
    }
    let (width, height) = (img.width(), img.height());
    let mut out = Vec::new();
    let encoding = if img.color().has_alpha() {
        img.write_to(Cursor::new(&mut out), ImageFormat::Png)
            .map_err(|e| AssetError::new(kind_of(&e), e.to_string()))?;
        Encoding::Png
    } else {
        let rgb = img.to_rgb8();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
        rgb.write_with_encoder(encoder)
            .map_err(|e| AssetError::new(kind_of(&e), e.to_string()))?;
        Encoding::Jpeg
    };
    Ok((
        Picture {
            encoding,
            bytes: Arc::new(out),
            width,
            height,
            passed_through: false,
        },
        pw,
        ph,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb, Rgba};

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = ImageBuffer::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128u8]));
        let mut out = Vec::new();
        img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, 90,
        ))
        .unwrap();
        out
    }

    #[test]
    fn small_jpeg_passes_through_untouched() {
        let bytes = jpeg(400, 300);
        let (p, w, h) = prepare(bytes.clone(), 450.0, 700.0, &Budget::unlimited()).unwrap();
        assert!(p.passed_through && *p.bytes == bytes);
        assert!(
            (w - 300.0).abs() < 0.01 && (h - 225.0).abs() < 0.01,
            "{w}×{h}"
        );
    }

    #[test]
    fn large_photo_is_downsampled_to_print_resolution() {
        let bytes = jpeg(4000, 3000);
        let (p, w, _) = prepare(bytes, 450.0, 700.0, &Budget::unlimited()).unwrap();
        assert!(!p.passed_through);
        assert_eq!(w, 450.0);
        assert_eq!(p.width, (450.0f32 / 72.0 * PRINT_DPI).ceil() as u32);
        assert_eq!(p.encoding, Encoding::Jpeg);
    }

    #[test]
    fn tall_image_fits_the_page_and_tiny_image_works() {
        let (_, w, h) = prepare(jpeg(300, 3000), 450.0, 600.0, &Budget::unlimited()).unwrap();
        assert!(h <= 600.0 && w < 450.0);
        let (p, w, h) = prepare(jpeg(1, 1), 450.0, 600.0, &Budget::unlimited()).unwrap();
        assert!(p.width == 1 && w > 0.0 && h > 0.0);
    }

    #[test]
    fn png_with_alpha_stays_png() {
        let img = ImageBuffer::from_fn(3000, 1000, |x, _| Rgba([0u8, 0, 0, (x % 256) as u8]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        let (p, _, _) = prepare(out, 450.0, 600.0, &Budget::unlimited()).unwrap();
        assert_eq!(p.encoding, Encoding::Png);
        assert!(!p.passed_through);
    }

    #[test]
    fn garbage_truncated_and_bombs_are_refused() {
        let e = prepare(b"not an image".to_vec(), 100.0, 100.0, &Budget::unlimited()).unwrap_err();
        assert_eq!(e.kind, AssetErrorKind::Unsupported, "{e}");
        let mut truncated = jpeg(2000, 1500);
        truncated.truncate(truncated.len() / 3);
        // A truncated JPEG either decodes partially or fails; it must not panic.
        let _ = prepare(truncated, 100.0, 100.0, &Budget::unlimited());
        // A PNG header claiming 100000×100000 pixels.
        let img = ImageBuffer::from_fn(1, 1, |_, _| Rgb([0u8, 0, 0]));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        // As it is, the header's checksum no longer matches: damaged, and said so.
        let e = prepare(png.clone(), 100.0, 100.0, &Budget::unlimited()).unwrap_err();
        assert_eq!(e.kind, AssetErrorKind::Damaged, "{e}");
        assert!(e.message.contains("checksum"), "{e}");
        // The header's checksum made right again: refused for its size.
        let mut crc = flate2::Crc::new();
        crc.update(&png[12..29]);
        png[29..33].copy_from_slice(&crc.sum().to_be_bytes());
        let e = prepare(png, 100.0, 100.0, &Budget::unlimited()).unwrap_err();
        assert_eq!(e.kind, AssetErrorKind::TooLarge, "{e}");
        assert!(e.message.contains("megapixels"), "{e}");
    }
}
