//! Dublin Core properties krilla's `Metadata` has no field for (`dc:identifier`, `dc:source`),
//! added to the XMP packet of a PDF krilla has just written, where archives and PDF/A readers
//! look for them.
//!
//! krilla 0.8 writes the XMP from its own `Metadata` and offers no way to add a property. So the
//! finished file is edited: the catalog's `/Metadata` stream (which krilla writes unfiltered) is
//! found through the cross-reference table, the properties go in before the packet's
//! `</rdf:Description>`, and the stream's `/Length`, the offsets of the objects after it and
//! `startxref` move by the bytes added. Every step checks the shape it expects; anything else
//! is an error, never a silently broken file.

use crate::error::Error;

/// Width of an offset in a cross-reference entry (`nnnnnnnnnn ggggg n\r\n`).
pub(crate) const XREF_OFFSET_DIGITS: usize = 10;
/// Length of one cross-reference entry.
pub(crate) const XREF_ENTRY: usize = 20;

/// `pdf` with the `(property, value)` pairs (names in the `dc` namespace, such as
/// `"identifier"`) added to its XMP packet. Unchanged when there is nothing to add.
pub(crate) fn add_dublin_core(pdf: Vec<u8>, properties: &[(&str, &str)]) -> Result<Vec<u8>, Error> {
    if properties.is_empty() {
        return Ok(pdf);
    }
    let fail = |what: &str| Error::Pdf(format!("adding to the XMP metadata: {what}"));
    let xref = last_number_after(&pdf, b"startxref").ok_or_else(|| fail("no startxref"))?;
    let table = Xref::read(&pdf, xref).ok_or_else(|| fail("no cross-reference table"))?;
    let root = number_after(&pdf[table.trailer..], b"/Root").ok_or_else(|| fail("no /Root"))?;
    let catalog = table.object(&pdf, root).ok_or_else(|| fail("no catalog"))?;
    let end = find(&pdf[catalog..], b"endobj").ok_or_else(|| fail("catalog unended"))? + catalog;
    let metadata = number_after(&pdf[catalog..end], b"/Metadata")
        .ok_or_else(|| fail("no /Metadata in the catalog"))?;
    let object = table
        .object(&pdf, metadata)
        .ok_or_else(|| fail("no metadata stream"))?;

    // `<</Length L/Type/Metadata/Subtype/XML>>\nstream\n` + L bytes of XMP.
    let data = find(&pdf[object..], b"stream\n").ok_or_else(|| fail("no stream"))? + object + 7;
    let dict = &pdf[object..data];
    if find(dict, b"/Filter").is_some() {
        return Err(fail("the stream is filtered"));
    }
    let length_at = find(dict, b"/Length").ok_or_else(|| fail("no /Length"))? + object + 7;
    let digits_at = length_at + pdf[length_at..].iter().take_while(|b| **b == b' ').count();
    let digits = pdf[digits_at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let length: usize = std::str::from_utf8(&pdf[digits_at..digits_at + digits])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| fail("/Length is not a number"))?;
    let packet = pdf
        .get(data..data + length)
        .ok_or_else(|| fail("the stream runs past the file"))?;
    if !packet.starts_with(b"<?xpacket begin=") || find(packet, b"xmlns:dc=").is_none() {
        return Err(fail(
            "the stream is not an XMP packet with the dc namespace",
        ));
    }
    let insert =
        rfind(packet, b"</rdf:Description>").ok_or_else(|| fail("no rdf:Description"))? + data;

    let mut added = String::new();
    for (name, value) in properties {
        added.push_str(&format!("<dc:{name}>{}</dc:{name}>", xml_text(value)));
    }
    let new_length = (length + added.len()).to_string();
    let mut out = Vec::with_capacity(pdf.len() + added.len() + 2);
    out.extend_from_slice(&pdf[..digits_at]);
    out.extend_from_slice(new_length.as_bytes());
    out.extend_from_slice(&pdf[digits_at + digits..insert]);
    out.extend_from_slice(added.as_bytes());
    out.extend_from_slice(&pdf[insert..xref]);
    let shift = out.len() - xref;

    // The table, with every object after the metadata stream moved by `shift`.
    let mut rest = pdf[xref..].to_vec();
    for entry in 0..table.count {
        let at = table.entries - xref + entry * XREF_ENTRY;
        let offset: usize = std::str::from_utf8(&rest[at..at + XREF_OFFSET_DIGITS])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| fail("a cross-reference offset is not a number"))?;
        let in_use = rest.get(at + 17) == Some(&b'n');
        if in_use && offset > object {
            let moved = format!("{:0width$}", offset + shift, width = XREF_OFFSET_DIGITS);
            if moved.len() != XREF_OFFSET_DIGITS {
                return Err(fail("an offset outgrows its cross-reference field"));
            }
            rest[at..at + XREF_OFFSET_DIGITS].copy_from_slice(moved.as_bytes());
        }
    }
    // `startxref\nN\n%%EOF`: the table itself moved too.
    let start = rfind(&rest, b"startxref").ok_or_else(|| fail("no startxref"))? + 9;
    let skip = rest[start..]
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    let old = rest[start + skip..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    out.extend_from_slice(&rest[..start + skip]);
    out.extend_from_slice((xref + shift).to_string().as_bytes());
    out.extend_from_slice(&rest[start + skip + old..]);
    Ok(out)
}

/// A classic cross-reference table with one subsection starting at object 0 (what krilla
/// writes for a new file).
pub(crate) struct Xref {
    /// Where its first entry starts.
    pub(crate) entries: usize,
    /// How many entries it has.
    pub(crate) count: usize,
    /// Where its trailer dictionary starts.
    pub(crate) trailer: usize,
}

impl Xref {
    pub(crate) fn read(pdf: &[u8], at: usize) -> Option<Xref> {
        let rest = pdf.get(at..)?;
        let header = rest.strip_prefix(b"xref")?;
        let line_end = |from: usize| find(&header[from..], b"\n").map(|k| from + k);
        let first = header
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let end = line_end(first)?;
        let line = std::str::from_utf8(&header[first..end]).ok()?;
        let mut words = line.split_whitespace();
        let (start, count): (usize, usize) =
            (words.next()?.parse().ok()?, words.next()?.parse().ok()?);
        if start != 0 {
            return None;
        }
        let entries = at + 4 + end + 1;
        let trailer = entries + count * XREF_ENTRY;
        pdf.get(trailer..)?.starts_with(b"trailer").then_some(Xref {
            entries,
            count,
            trailer,
        })
    }

    /// Where object `id` starts, checked against its `id 0 obj` header.
    fn object(&self, pdf: &[u8], id: usize) -> Option<usize> {
        if id >= self.count {
            return None;
        }
        let entry = pdf.get(self.entries + id * XREF_ENTRY..)?;
        let offset: usize = std::str::from_utf8(entry.get(..XREF_OFFSET_DIGITS)?)
            .ok()?
            .parse()
            .ok()?;
        pdf.get(offset..)?
            .starts_with(format!("{id} 0 obj").as_bytes())
            .then_some(offset)
    }
}

/// Text for an XML element: markup characters escaped, characters XML 1.0 cannot hold left out.
fn xml_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub(crate) fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The number after the first `key` in `bytes` (`/Root 57 0 R` gives 57).
fn number_after(bytes: &[u8], key: &[u8]) -> Option<usize> {
    let at = find(bytes, key)? + key.len();
    parse_number(&bytes[at..])
}

/// The number after the last `key` in `bytes` (`startxref\n27878` gives 27878).
pub(crate) fn last_number_after(bytes: &[u8], key: &[u8]) -> Option<usize> {
    let at = rfind(bytes, key)? + key.len();
    parse_number(&bytes[at..])
}

fn parse_number(bytes: &[u8]) -> Option<usize> {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let digits = bytes[skip..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    std::str::from_utf8(&bytes[skip..skip + digits])
        .ok()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_controls_left_out() {
        assert_eq!(xml_text("a<b>&c\u{1}d"), "a&lt;b&gt;&amp;cd");
    }

    #[test]
    fn a_file_of_another_shape_is_an_error_not_a_broken_file() {
        let e = add_dublin_core(b"%PDF-1.7\nnothing here".to_vec(), &[("source", "x")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("XMP") && !e.contains('\n'), "{e}");
        let same = add_dublin_core(b"%PDF".to_vec(), &[]).unwrap();
        assert_eq!(same, b"%PDF");
    }
}
