//! Strips TrueType hinting (glyph programs, fpgm/prep/cvt) from a font in memory before it is
//! embedded. PDF viewers rasterise with their own smoothing and ignore hints, which in the PT
//! fonts make up about half of every subset: without them a short article's PDF halves in size.
//! Also left out: glyph names (`post` becomes version 3) and the `name` records no reader of the
//! PDF or of this engine reads (description, licence text, URLs, …), which krilla's subsetter
//! would otherwise copy into every subset — about 0.7 KB of each compressed font program.
//! Outlines, metrics, cmap and OpenType layout tables (all the shaper reads) are untouched.

/// Tables that exist only for the hinting interpreter or for hinted bitmap metrics.
const HINTING_TABLES: [&[u8; 4]; 6] = [b"fpgm", b"prep", b"cvt ", b"hdmx", b"LTSH", b"VDMX"];

/// `name` records kept: the copyright notice (0), family and subfamily (1, 2) and typographic
/// family and subfamily (16, 17), which `--font-dir` families are matched by, and the PostScript
/// name (6), which krilla names the PDF font after. The rest (unique id, full name, version,
/// trademark, designer, description, licence text, URLs) is for font managers, and krilla's
/// subsetter would copy it into every embedded subset: 0.7 KB of each compressed font program.
const KEPT_NAME_IDS: [u16; 6] = [0, 1, 2, 6, 16, 17];

/// The fixed header of a `post` table (up to `maxMemType1`), all a version 3 table holds.
const POST_HEADER: usize = 32;

const ARG_1_AND_2_ARE_WORDS: u16 = 0x0001;
const WE_HAVE_A_SCALE: u16 = 0x0008;
const MORE_COMPONENTS: u16 = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE: u16 = 0x0040;
const WE_HAVE_A_TWO_BY_TWO: u16 = 0x0080;
const WE_HAVE_INSTRUCTIONS: u16 = 0x0100;

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

struct Table<'a> {
    tag: [u8; 4],
    data: std::borrow::Cow<'a, [u8]>,
}

/// The font without hinting, or `None` when it is not a TrueType font this code understands
/// (the caller then keeps the original).
pub fn dehint(font: &[u8]) -> Option<Vec<u8>> {
    let num_tables = usize::from(u16_at(font, 4)?);
    let mut tables: Vec<Table<'_>> = Vec::with_capacity(num_tables);
    for i in 0..num_tables {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let offset = u32_at(font, rec + 8)? as usize;
        let length = u32_at(font, rec + 12)? as usize;
        let data = font.get(offset..offset.checked_add(length)?)?;
        tables.push(Table {
            tag,
            data: data.into(),
        });
    }
    let find = |tag: &[u8; 4]| tables.iter().position(|t| &t.tag == tag);
    let (head, maxp, loca, glyf) = (
        find(b"head")?,
        find(b"maxp")?,
        find(b"loca")?,
        find(b"glyf")?,
    );
    let long_loca = u16_at(&tables[head].data, 50)? == 1;
    let num_glyphs = usize::from(u16_at(&tables[maxp].data, 4)?);
    let offsets: Vec<usize> = (0..=num_glyphs)
        .map(|i| {
            let l = &tables[loca].data;
            if long_loca {
                u32_at(l, 4 * i).map(|o| o as usize)
            } else {
                u16_at(l, 2 * i).map(|o| 2 * o as usize)
            }
        })
        .collect::<Option<_>>()?;
    let old_glyf = &tables[glyf].data;
    let mut new_glyf = Vec::with_capacity(old_glyf.len());
    let mut new_loca = Vec::with_capacity(4 * (num_glyphs + 1));
    for i in 0..num_glyphs {
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
        let glyph = old_glyf.get(offsets[i]..offsets[i + 1])?;
        if !glyph.is_empty() {
            strip_glyph(glyph, &mut new_glyf)?;
            while new_glyf.len() % 2 != 0 {
                new_glyf.push(0);
            }
        }
    }
    new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
    tables[glyf].data = new_glyf.into();
    tables[loca].data = new_loca.into();
    let mut head_data = tables[head].data.to_vec();
    head_data
        .get_mut(50..52)?
        .copy_from_slice(&1u16.to_be_bytes());
    head_data.get_mut(8..12)?.copy_from_slice(&[0; 4]);
    tables[head].data = head_data.into();
    let mut maxp_data = tables[maxp].data.to_vec();
    if maxp_data.len() >= 32 {
        // maxSizeOfInstructions
        maxp_data[26..28].copy_from_slice(&[0, 0]);
    }
    tables[maxp].data = maxp_data.into();
    tables.retain(|t| !HINTING_TABLES.contains(&&t.tag));
    for table in &mut tables {
        match &table.tag {
            b"name" => {
                if let Some(name) = trim_name(&table.data) {
                    table.data = name.into();
                }
            }
            // Version 3: the same header (italic angle, underline, fixed pitch), no glyph names.
            b"post" if table.data.len() >= POST_HEADER => {
                let mut post = table.data[..POST_HEADER].to_vec();
                post[..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());
                table.data = post.into();
            }
            _ => {}
        }
    }
    tables.sort_by_key(|t| t.tag);
    Some(assemble(font.get(0..4)?, &tables))
}

/// A format 0 `name` table with only the records of [`KEPT_NAME_IDS`]; `None` (keep it as it
/// is) for another format or a table that does not parse.
fn trim_name(name: &[u8]) -> Option<Vec<u8>> {
    if u16_at(name, 0)? != 0 {
        return None;
    }
    let count = usize::from(u16_at(name, 2)?);
    let storage = usize::from(u16_at(name, 4)?);
    let mut records = Vec::new();
    for i in 0..count {
        let rec = name.get(6 + 12 * i..18 + 12 * i)?;
        if KEPT_NAME_IDS.contains(&u16_at(rec, 6)?) {
            let (length, offset) = (usize::from(u16_at(rec, 8)?), usize::from(u16_at(rec, 10)?));
            let text = name.get(storage + offset..storage + offset + length)?;
            records.push((rec, text));
        }
    }
    let mut out = Vec::new();
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&(records.len() as u16).to_be_bytes());
    out.extend_from_slice(&(6 + 12 * records.len() as u16).to_be_bytes());
    let mut strings: Vec<u8> = Vec::new();
    for (rec, text) in &records {
        out.extend_from_slice(&rec[..8]);
        out.extend_from_slice(&(text.len() as u16).to_be_bytes());
        out.extend_from_slice(&u16::try_from(strings.len()).ok()?.to_be_bytes());
        strings.extend_from_slice(text);
    }
    out.extend_from_slice(&strings);
    Some(out)
}

/// Copies one glyph without its instructions.
fn strip_glyph(glyph: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let contours = u16_at(glyph, 0)? as i16;
    if contours >= 0 {
        let end_pts = 10 + 2 * contours as usize;
        let instr_len = usize::from(u16_at(glyph, end_pts)?);
        let rest = glyph.get(end_pts + 2 + instr_len..)?;
        out.extend_from_slice(glyph.get(..end_pts)?);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(rest);
        return Some(());
    }
    let start = out.len();
    out.extend_from_slice(glyph.get(..10)?);
    let mut at = 10;
    loop {
        let flags = u16_at(glyph, at)?;
        let mut len = 4 + if flags & ARG_1_AND_2_ARE_WORDS != 0 {
            4
        } else {
            2
        };
        if flags & WE_HAVE_A_SCALE != 0 {
            len += 2;
        } else if flags & WE_HAVE_AN_X_AND_Y_SCALE != 0 {
            len += 4;
        } else if flags & WE_HAVE_A_TWO_BY_TWO != 0 {
            len += 8;
        }
        let component = glyph.get(at..at + len)?;
        let flags_pos = out.len();
        out.extend_from_slice(component);
        out[flags_pos..flags_pos + 2]
            .copy_from_slice(&(flags & !WE_HAVE_INSTRUCTIONS).to_be_bytes());
        at += len;
        if flags & MORE_COMPONENTS == 0 {
            break;
        }
    }
    debug_assert!(out.len() > start);
    Some(())
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut word = [0u8; 4];
        word[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// Writes an sfnt with a fresh table directory, offsets and checksums.
fn assemble(version: &[u8], tables: &[Table<'_>]) -> Vec<u8> {
    let n = tables.len() as u16;
    let entry_selector = 15 - n.max(1).leading_zeros() as u16;
    let search_range = 16u16 << entry_selector;
    let mut out = Vec::new();
    out.extend_from_slice(version);
    for v in [n, search_range, entry_selector, n * 16 - search_range] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_offset = None;
    for t in tables {
        out.extend_from_slice(&t.tag);
        out.extend_from_slice(&checksum(&t.data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(t.data.len() as u32).to_be_bytes());
        offset += t.data.len().next_multiple_of(4);
    }
    for t in tables {
        if &t.tag == b"head" {
            head_offset = Some(out.len());
        }
        out.extend_from_slice(&t.data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    if let Some(h) = head_offset {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[h + 8..h + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dehinted_font_keeps_glyphs_and_metrics_and_shrinks() {
        let original: &[u8] = include_bytes!("../../fonts/PTF55F.ttf");
        let stripped = dehint(original).expect("PT Serif is plain TrueType");
        assert!(
            stripped.len() < original.len() * 3 / 4,
            "{} vs {}",
            stripped.len(),
            original.len()
        );
        let a = harfrust::Font::new(original, 0).unwrap();
        let b = harfrust::Font::new(stripped.clone(), 0).unwrap();
        assert_eq!(a.metrics().num_glyphs, b.metrics().num_glyphs);
        let (sa, sb) = (harfrust::ShaperFont::new(&a), harfrust::ShaperFont::new(&b));
        for c in "Ёжик «в тумане» — 2024".chars() {
            let g = sa.nominal_glyph(c as u32).unwrap();
            assert_eq!(Some(g), sb.nominal_glyph(c as u32));
            assert_eq!(sa.glyph_h_advance(g), sb.glyph_h_advance(g));
        }
        assert!(krilla::text::Font::new(stripped.into(), 0).is_some());
    }

    #[test]
    fn names_and_glyph_names_readers_need_are_kept_the_rest_left_out() {
        use read_fonts::{FontRef, TableProvider, types::NameId};
        let stripped = dehint(include_bytes!("../../fonts/PTS75F.ttf")).unwrap();
        let font = FontRef::new(&stripped).unwrap();
        let name = font.name().unwrap();
        let get = |id: NameId| {
            name.name_record()
                .iter()
                .find(|r| r.name_id() == id && r.platform_id() == 3)
                .map(|r| {
                    r.string(name.string_data())
                        .unwrap()
                        .chars()
                        .collect::<String>()
                })
        };
        assert_eq!(get(NameId::FAMILY_NAME).as_deref(), Some("PT Sans"));
        assert_eq!(get(NameId::POSTSCRIPT_NAME).as_deref(), Some("PTSans-Bold"));
        assert!(get(NameId::COPYRIGHT_NOTICE).unwrap().contains("ParaType"));
        assert_eq!(get(NameId::DESCRIPTION), None);
        assert_eq!(get(NameId::LICENSE_DESCRIPTION), None);
        let post = font.post().unwrap();
        assert_eq!(
            post.version(),
            read_fonts::types::Version16Dot16::VERSION_3_0
        );
        assert!(krilla::text::Font::new(stripped.into(), 0).is_some());
    }

    #[test]
    fn garbage_is_refused_not_panicked_on() {
        assert!(dehint(b"not a font at all").is_none());
        assert!(dehint(&[0, 1, 0, 0, 0, 9]).is_none());
    }
}
