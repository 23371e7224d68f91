//! Packs a PDF krilla has just written: every object that is not a stream (page, font and
//! annotation dictionaries, the structure tree, the outline, the info dictionary, the catalog)
//! moves into compressed object streams, and the cross-reference table becomes a compressed
//! cross-reference stream (PDF 1.5; PDF/A-2 and PDF/UA-1 allow both). krilla 0.8 writes each
//! dictionary as plain text with a 20-byte table entry, which in a one-page article was a
//! fifth of the file (short-news.json: 7 KB of 34 KB), nothing a reader sees.
//!
//! Streams (fonts, content, images, ToUnicode) are copied byte for byte, in their order. The
//! XMP packet is deflated too, except in a PDF/A file, where it stays plain text (PDF/A-1
//! forbade a filter on it, and archive tools find it by scanning the bytes); CID fonts' width
//! arrays are written in runs; the font descriptors' CID sets, which krilla writes for PDF/A-1
//! and no reader needs, are left out. (ToUnicode CMaps rewritten without krilla's PostScript
//! comments were 360 bytes smaller in short-news.json, at an inflate and a deflate per font:
//! not worth it.) Object numbers stay what krilla gave them. Like `pdf_xmp`, every step checks
//! the shape it expects; anything else is an error, never a silently broken file, or (for the
//! optional rewrites) is copied as it is.

use std::borrow::Cow;

use flate2::{Compress, Compression, FlushCompress, Status};

use crate::error::Error;
use crate::pdf_xmp::{XREF_ENTRY, XREF_OFFSET_DIGITS, Xref, find, last_number_after, rfind};

/// Objects per object stream: a reader decompresses a whole stream to reach one of its objects,
/// so a long volume's thousands of dictionaries are split; 256 keeps the index in one byte.
const OBJECTS_PER_STREAM: usize = 256;

/// Deflate level of the streams written here, krilla's own: 9 took 50 more bytes off
/// short-news.json's 25 KB and made packing half as slow again (0.3 → 0.45 ms on a busy
/// 2-core machine).
const DEFLATE_LEVEL: u32 = 6;

/// Where an object of the packed file lives: at a byte offset, or at an index in an object
/// stream.
#[derive(Clone, Copy)]
enum Place {
    Free,
    At(usize),
    InStream(usize, usize),
}

/// `pdf` (as krilla writes it: one classic cross-reference table, objects of generation 0)
/// with its non-stream objects in object streams and a cross-reference stream.
/// `compress_metadata`: deflate the XMP packet too (PDF/A files keep it plain).
pub(crate) fn pack(pdf: Vec<u8>, compress_metadata: bool) -> Result<Vec<u8>, Error> {
    let fail = |what: &str| Error::Pdf(format!("packing the PDF: {what}"));
    let xref = last_number_after(&pdf, b"startxref").ok_or_else(|| fail("no startxref"))?;
    let table = Xref::read(&pdf, xref).ok_or_else(|| fail("no cross-reference table"))?;
    let trailer = trailer_entries(&pdf[table.trailer..]).ok_or_else(|| fail("no trailer"))?;

    // (offset, object number) of every object in use, in file order.
    let mut objects: Vec<(usize, usize)> = Vec::with_capacity(table.count);
    for id in 1..table.count {
        let entry = &pdf[table.entries + id * XREF_ENTRY..][..XREF_ENTRY];
        if entry[17] != b'n' {
            continue;
        }
        if &entry[XREF_OFFSET_DIGITS..17] != b" 00000 " {
            return Err(fail("an object of another generation than 0"));
        }
        let offset = std::str::from_utf8(&entry[..XREF_OFFSET_DIGITS])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| fail("a cross-reference offset is not a number"))?;
        objects.push((offset, id));
    }
    objects.sort_unstable();
    let first = objects.first().map_or(xref, |o| o.0);
    if first > xref || !pdf.starts_with(b"%PDF-") {
        return Err(fail("no header"));
    }

    // Each object's whole text (`N 0 obj … endobj`) and its body, in file order.
    let mut spans: Vec<(usize, &[u8], &[u8])> = Vec::with_capacity(objects.len());
    for (k, &(offset, id)) in objects.iter().enumerate() {
        let end = objects.get(k + 1).map_or(xref, |o| o.0);
        let span = pdf
            .get(offset..end)
            .ok_or_else(|| fail("objects overlap"))?;
        let header = format!("{id} 0 obj");
        let body = span
            .strip_prefix(header.as_bytes())
            .ok_or_else(|| fail("an object is not where the table says"))?;
        let body = trim_end(body)
            .strip_suffix(b"endobj")
            .ok_or_else(|| fail("an object is unended"))?;
        let body = trim(body);
        if body.is_empty() {
            return Err(fail("an empty object"));
        }
        spans.push((id, trim_end(span), body));
    }

    // Bodies of the objects that go into object streams, by number; a font descriptor's
    // `/CIDSet` entry is left out, and its stream with it.
    let mut packed: Vec<(usize, Cow<'_, [u8]>)> = Vec::new();
    let mut dropped = vec![false; table.count];
    for &(id, _, body) in &spans {
        if body.ends_with(b"endstream") {
            continue;
        }
        let body = match cid_set(body) {
            Some((entry, set)) if set < table.count => {
                dropped[set] = true;
                let mut kept = body[..entry.start].to_vec();
                kept.extend_from_slice(&body[entry.end..]);
                Cow::Owned(kept)
            }
            _ => compact_widths(body).map_or(Cow::Borrowed(body), Cow::Owned),
        };
        packed.push((id, body));
    }

    let mut zlib = Zlib::new();
    let mut out = Vec::with_capacity(pdf.len());
    out.extend_from_slice(&pdf[..first]);
    let mut places = vec![Place::Free; table.count];
    for &(id, span, body) in &spans {
        if !body.ends_with(b"endstream") || dropped[id] {
            continue;
        }
        places[id] = Place::At(out.len());
        let rewritten = match compress_metadata {
            true => deflated_metadata(&mut zlib, id, body),
            false => None,
        };
        match rewritten {
            Some(object) => out.extend_from_slice(&object),
            None => out.extend_from_slice(span),
        }
        out.push(b'\n');
    }

    // The object streams, then the cross-reference stream, take the next numbers.
    let mut next_id = table.count;
    for chunk in packed.chunks(OBJECTS_PER_STREAM) {
        let stream_id = next_id;
        next_id += 1;
        let mut index = String::new();
        let mut bodies: Vec<u8> = Vec::new();
        for (i, (id, body)) in chunk.iter().enumerate() {
            if i > 0 {
                index.push(' ');
                bodies.push(b'\n');
            }
            index.push_str(&format!("{id} {}", bodies.len()));
            bodies.extend_from_slice(body);
            places[*id] = Place::InStream(stream_id, i);
        }
        index.push('\n');
        let mut data = index.into_bytes();
        let first = data.len();
        data.extend_from_slice(&bodies);
        let data = zlib.deflate(&data);
        places.push(Place::Free);
        places[stream_id] = Place::At(out.len());
        out.extend_from_slice(
            format!(
                "{stream_id} 0 obj\n<</Type/ObjStm/N {}/First {first}/Filter/FlateDecode/Length {}>>\nstream\n",
                chunk.len(),
                data.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    let xref_id = next_id;
    places.resize(xref_id + 1, Place::Free);
    let xref_at = out.len();
    places[xref_id] = Place::At(xref_at);
    // Field widths: type, offset (or object stream number), generation (or index).
    let widest = places
        .iter()
        .map(|p| match p {
            Place::Free => 0,
            Place::At(o) => *o,
            Place::InStream(s, _) => *s,
        })
        .max()
        .unwrap_or(0);
    let w2 = (usize::BITS - widest.leading_zeros()).div_ceil(8).max(1) as usize;
    let columns = 1 + w2 + 2;
    // Rows under the PNG "Up" predictor: each row is stored as its difference from the row
    // above, so the steadily growing offsets compress to almost nothing.
    let mut rows = Vec::with_capacity(places.len() * (columns + 1));
    let mut previous = vec![0u8; columns];
    for (id, place) in places.iter().enumerate() {
        let (kind, field2, field3) = match *place {
            Place::Free => (0u8, 0, if id == 0 { 0xFFFF } else { 0 }),
            Place::At(offset) => (1, offset, 0),
            Place::InStream(stream, index) => (2, stream, index),
        };
        let mut row = Vec::with_capacity(columns);
        row.push(kind);
        row.extend_from_slice(&field2.to_be_bytes()[usize::BITS as usize / 8 - w2..]);
        row.extend_from_slice(&(field3 as u16).to_be_bytes());
        rows.push(2);
        rows.extend(row.iter().zip(&previous).map(|(a, b)| a.wrapping_sub(*b)));
        previous = row;
    }
    let data = zlib.deflate(&rows);
    out.extend_from_slice(
        format!(
            "{xref_id} 0 obj\n<</Type/XRef/Size {}/W[1 {w2} 2]",
            places.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&trailer);
    out.extend_from_slice(
        format!(
            "/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns {columns}>>/Length {}>>\nstream\n",
            data.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    Ok(out)
}

/// The trailer dictionary's entries other than `/Size` (`/Root 53 0 R/Info 51 0 R/ID[…]`), as
/// written, for the cross-reference stream's dictionary.
fn trailer_entries(trailer: &[u8]) -> Option<Vec<u8>> {
    let open = find(trailer, b"<<")? + 2;
    let close = rfind(trailer, b">>")?;
    let entries = trailer.get(open..close)?;
    let size = find(entries, b"/Size")?;
    let digits = size
        + 5
        + entries[size + 5..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == b' ')
            .count();
    let mut kept = entries[..size].to_vec();
    kept.extend_from_slice(&entries[digits..]);
    (find(&kept, b"/Prev").is_none() && find(&kept, b"/Encrypt").is_none()).then_some(kept)
}

/// One zlib compressor for a whole file: set up once, reset between streams.
struct Zlib {
    compress: Compress,
}

impl Zlib {
    fn new() -> Zlib {
        Zlib {
            compress: Compress::new(Compression::new(DEFLATE_LEVEL), true),
        }
    }

    fn deflate(&mut self, data: &[u8]) -> Vec<u8> {
        self.compress.reset();
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let read = self.compress.total_in() as usize;
            match self
                .compress
                .compress_vec(&data[read..], &mut out, FlushCompress::Finish)
            {
                Ok(Status::StreamEnd) => return out,
                // Out of room (or a stall, which more room ends): give it more.
                Ok(_) => out.reserve(out.capacity().max(64)),
                Err(_) => unreachable!("deflating from memory to memory cannot fail"),
            }
        }
    }
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    &b[..b.len() - n]
}

fn trim(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    trim_end(&b[n..])
}

/// Where a font descriptor's `/CIDSet N 0 R` entry is, and `N`. krilla writes the CID set for
/// PDF/A-1 only; PDF 1.7 and PDF/A-2 make it optional, and readers never need it.
fn cid_set(body: &[u8]) -> Option<(std::ops::Range<usize>, usize)> {
    if !body.starts_with(b"<</Type/FontDescriptor") {
        return None;
    }
    let start = find(body, b"/CIDSet ")?;
    let rest = &body[start + 8..];
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let id = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    rest[digits..]
        .starts_with(b" 0 R")
        .then_some((start..start + 8 + digits + 4, id))
}

/// A CID font's `/W` array written with runs: krilla writes `c c w` for every glyph
/// (`0 0 750 1 1 670 2 2 570`), which is `0[750 670 570]`; widths within 1/1000 of a unit of
/// a whole number (krilla's `252.99998`) are written whole. `None` when the body is not a CID
/// font or its array is not in that shape.
fn compact_widths(body: &[u8]) -> Option<Vec<u8>> {
    if !body.starts_with(b"<</Type/Font/Subtype/CIDFontType") {
        return None;
    }
    let start = find(body, b"/W[")? + 3;
    let end = start + body[start..].iter().position(|c| *c == b']')?;
    let words: Vec<&str> = std::str::from_utf8(&body[start..end])
        .ok()?
        .split_ascii_whitespace()
        .collect();
    if !words.len().is_multiple_of(3) {
        return None;
    }
    let mut out = body[..start].to_vec();
    // The CID after the open `[` run, if one is open.
    let mut run_next: Option<u32> = None;
    for triple in words.chunks(3) {
        let (first, last): (u32, u32) = (triple[0].parse().ok()?, triple[1].parse().ok()?);
        let width: f64 = triple[2].parse().ok()?;
        let width = if (width - width.round()).abs() < 1e-3 {
            width.round()
        } else {
            width
        };
        if first == last {
            if run_next == Some(first) {
                out.push(b' ');
            } else {
                if run_next.is_some() {
                    out.push(b']');
                }
                out.extend_from_slice(format!("{first}[").as_bytes());
            }
            out.extend_from_slice(format!("{width}").as_bytes());
            run_next = Some(first + 1);
        } else {
            if run_next.take().is_some() {
                out.push(b']');
            }
            out.extend_from_slice(format!(" {first} {last} {width} ").as_bytes());
        }
    }
    if run_next.is_some() {
        out.push(b']');
    }
    out.extend_from_slice(&body[end..]);
    Some(out)
}

/// The data of a stream object whose dictionary is `<</Length L` + `entries` + `>>`, as krilla
/// writes them; `None` for any other object.
fn stream_data<'a>(body: &'a [u8], entries: &[u8]) -> Option<&'a [u8]> {
    let rest = body.strip_prefix(b"<</Length ")?;
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let length: usize = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let rest = rest[digits..].strip_prefix(entries)?.strip_prefix(b">>")?;
    let rest = rest
        .strip_prefix(b"\nstream\r\n")
        .or_else(|| rest.strip_prefix(b"\nstream\n"))?;
    let data = rest.get(..length)?;
    trim(&rest[length..])
        .starts_with(b"endstream")
        .then_some(data)
}

/// Stream object `id` with a dictionary of `entries` and a length, and `data`.
fn stream_object(id: usize, entries: &str, data: &[u8]) -> Vec<u8> {
    let mut object =
        format!("{id} 0 obj\n<</Length {}{entries}>>\nstream\n", data.len()).into_bytes();
    object.extend_from_slice(data);
    object.extend_from_slice(b"\nendstream\nendobj");
    object
}

/// An XMP metadata stream object, deflated; `None` for any other object.
fn deflated_metadata(zlib: &mut Zlib, id: usize, body: &[u8]) -> Option<Vec<u8>> {
    let packet = stream_data(body, b"/Type/Metadata/Subtype/XML")?;
    packet.starts_with(b"<?xpacket").then(|| {
        stream_object(
            id,
            "/Type/Metadata/Subtype/XML/Filter/FlateDecode",
            &zlib.deflate(packet),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_another_shape_is_an_error_not_a_broken_file() {
        let e = pack(b"%PDF-1.7\nnothing here".to_vec(), true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("packing") && !e.contains('\n'), "{e}");
    }

    #[test]
    fn widths_are_written_in_runs() {
        let body = b"<</Type/Font/Subtype/CIDFontType2/DW 0/W[0 0 750 1 1 670 2 2 252.99998 3 5 545 6 6 508.5 8 8 1]>>";
        let compact = compact_widths(body).unwrap();
        assert_eq!(
            String::from_utf8(compact).unwrap(),
            "<</Type/Font/Subtype/CIDFontType2/DW 0/W[0[750 670 253] 3 5 545 6[508.5]8[1]]>>"
        );
        assert!(compact_widths(b"<</Type/Font/Subtype/CIDFontType2/W[0 0]>>").is_none());
        assert!(compact_widths(b"<</Type/Font/Subtype/Type0>>").is_none());
    }

    #[test]
    fn the_trailer_loses_its_size_and_keeps_the_rest() {
        let t = b"trailer\n<</Size 54/Root 53 0 R/Info 51 0 R/ID[(a)(b)]>>\n";
        assert_eq!(
            trailer_entries(t).as_deref(),
            Some(&b"/Root 53 0 R/Info 51 0 R/ID[(a)(b)]"[..])
        );
    }
}
