//! Theme files (`--theme theme.json`): the site's look — paper, margins, type sizes, leading,
//! colours, the running-header text and a logo. Every field is optional; see samples/theme/theme.json.

use std::path::Path;

use serde::Deserialize;

use crate::error::Error;
use crate::layout::display::Color;
use crate::layout::style::{MM, Paper, Theme};
use crate::photo::{self, Picture};
use crate::text::fonts::{FaceId, FontBook};

/// Largest logo drawn in the masthead, in points.
const LOGO_MAX_WIDTH: f32 = 120.0;
const LOGO_MAX_HEIGHT: f32 = 18.0;

/// A theme as written in JSON. Lengths in millimetres, sizes in points, colours `#rrggbb`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeFile {
    /// `a4`, `a5` or `letter`, when `RenderOptions::paper` (`--paper`, `?paper=`) names none.
    pub paper: Option<String>,
    /// Page margins.
    pub margins_mm: Option<Margins>,
    /// Body text size in points (10.5 by default).
    pub body_size: Option<f32>,
    /// Line spacing as a multiple of the body size (1.36 by default).
    pub leading: Option<f32>,
    /// Headline size in points.
    pub title_size: Option<f32>,
    /// Colours of the section label, links, meta lines and rules.
    pub colors: Option<Colors>,
    /// The running header's text (the site's name) beside the logo.
    pub header_text: Option<String>,
    /// Families from `--font-dir` for body text, headings (and page furniture) and code.
    pub fonts: Option<Fonts>,
    /// Image file, relative to the theme file.
    pub logo: Option<String>,
    /// Columns of body text: 1 (the default) or 2, a newspaper page whose title block, lead
    /// and cover span both columns.
    pub columns: Option<usize>,
    /// Space between the columns in millimetres (6 by default).
    pub column_gap_mm: Option<f32>,
    /// How errors name the theme: `theme PATH` once loaded from a file.
    #[serde(skip)]
    label: Option<String>,
    /// The logo, read and prepared when the theme is loaded.
    #[serde(skip)]
    pub(crate) logo_picture: Option<Picture>,
    /// `fingerprint`, computed once (the logo's bytes are hashed once per theme, not per render).
    #[serde(skip)]
    fingerprint: std::sync::OnceLock<u64>,
}

/// Page margins in millimetres; each one left out keeps its default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Margins {
    /// Above the text (the running header sits in it).
    pub top: Option<f32>,
    /// Below the text (the footer sits in it).
    pub bottom: Option<f32>,
    /// The left margin.
    pub inner: Option<f32>,
    /// The right margin.
    pub outer: Option<f32>,
}

/// Font families by name, from the fonts added with `--font-dir`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fonts {
    /// Body text.
    pub body: Option<String>,
    /// Headings, the title block and page furniture.
    pub heading: Option<String>,
    /// Code.
    pub mono: Option<String>,
}

/// Colours as `#rrggbb`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Colors {
    /// The section label above the headline.
    pub accent: Option<String>,
    /// Links on screen (the download profile).
    pub link: Option<String>,
    /// Byline, captions, header and footer.
    pub meta: Option<String>,
    /// Rules and quote bars.
    pub rule: Option<String>,
}

/// Most columns a theme may ask for: a third column on A4 would hold some thirty letters a
/// line, too few to justify Russian text without gaps.
const MAX_COLUMNS: usize = 2;

/// Narrowest column of body text, in ems of the body size: some 25 Russian letters, below which
/// justified lines gape and long words cannot be set at all.
const MIN_COLUMN_EMS: f32 = 12.0;

/// Largest theme file read: a theme is a few hundred bytes of JSON.
const MAX_THEME_BYTES: u64 = 64 * 1024;

/// Reads at most `max` bytes of `path`; a device such as /dev/zero is refused rather than read
/// for ever, and a file over `max` is refused by size.
fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("larger than {} KB", max >> 10));
    }
    Ok(bytes)
}

impl ThemeFile {
    /// Reads and checks a theme file; the logo is loaded relative to it.
    pub fn load(path: &Path) -> Result<ThemeFile, Error> {
        let name = path.display();
        let bytes = read_capped(path, MAX_THEME_BYTES)
            .map_err(|e| Error::input(format!("theme {name}: {e}")))?;
        let mut theme: ThemeFile = serde_json::from_slice(&bytes).map_err(|e| Error::Input {
            line: Some(e.line()),
            column: Some(e.column()),
            message: format!(
                "theme {name}: {}",
                e.to_string().split(" at line ").next().unwrap_or("invalid")
            ),
            field: None,
        })?;
        theme.label = Some(format!("theme {name}"));
        theme.check(&format!("theme {name}"))?;
        if let Some(logo) = &theme.logo {
            let file = path.parent().unwrap_or(Path::new(".")).join(logo);
            let data = read_capped(&file, crate::assets::MAX_IMAGE_BYTES)
                .map_err(|e| Error::input(format!("theme {name}: logo {}: {e}", file.display())))?;
            let (picture, _, _) = photo::prepare(
                data,
                LOGO_MAX_WIDTH,
                LOGO_MAX_HEIGHT,
                &crate::budget::Budget::unlimited(),
            )
            .map_err(|e| Error::input(format!("theme {name}: logo {}: {e}", file.display())))?;
            theme.logo_picture = Some(picture);
        }
        Ok(theme)
    }

    /// A stable hash of everything in the theme that changes a PDF: its settings and the
    /// logo's prepared bytes.
    pub fn fingerprint(&self) -> u64 {
        *self.fingerprint.get_or_init(|| {
            use crate::stable_hash::{FNV_START, fnv1a};
            let settings = format!(
                "{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
                self.paper,
                self.margins_mm,
                self.body_size,
                self.leading,
                self.title_size,
                self.colors,
                self.header_text,
                self.fonts,
                self.logo,
                self.columns,
                self.column_gap_mm,
            );
            let logo = self.logo_picture.as_ref().map_or(&[][..], |p| &p.bytes[..]);
            fnv1a(fnv1a(FNV_START, settings.as_bytes()), logo)
        })
    }

    /// Checks every value against its range; the error names `theme` and the field.
    fn check(&self, theme: &str) -> Result<(), Error> {
        let wrong = |problem: String| Err(Error::input(format!("{theme}: {problem}")));
        if let Some(p) = &self.paper
            && Paper::parse(p).is_none()
        {
            return wrong(format!("unknown paper `{p}` (a4, a5, letter)"));
        }
        if let Some(n) = self.columns
            && !(1..=MAX_COLUMNS).contains(&n)
        {
            return wrong(format!("columns {n} is outside 1–{MAX_COLUMNS}"));
        }
        for (what, v, lo, hi) in [
            ("column_gap_mm", self.column_gap_mm, 2.0, 30.0),
            ("body_size", self.body_size, 6.0, 24.0),
            ("leading", self.leading, 1.0, 2.5),
            ("title_size", self.title_size, 8.0, 60.0),
        ] {
            if let Some(v) = v
                && !(lo..=hi).contains(&v)
            {
                return wrong(format!("{what} {v} is outside {lo}–{hi}"));
            }
        }
        if let Some(m) = &self.margins_mm {
            for v in [m.top, m.bottom, m.inner, m.outer].into_iter().flatten() {
                if !(5.0..=60.0).contains(&v) {
                    return wrong(format!("margin {v} mm is outside 5–60 mm"));
                }
            }
        }
        if let Some(c) = &self.colors {
            for v in [&c.accent, &c.link, &c.meta, &c.rule].into_iter().flatten() {
                if parse_color(v).is_none() {
                    return wrong(format!("colour `{v}` is not #rrggbb"));
                }
            }
        }
        Ok(())
    }

    /// The theme's families as faces of `book` (serif, sans and mono slots); an unknown name is
    /// an error naming it.
    pub fn families(&self, book: &FontBook) -> Result<[Option<[FaceId; 4]>; 3], Error> {
        let Some(fonts) = &self.fonts else {
            return Ok([None; 3]);
        };
        let find = |name: &Option<String>| -> Result<Option<[FaceId; 4]>, Error> {
            match name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                None => Ok(None),
                Some(n) => book.family(n).map(Some).ok_or_else(|| {
                    Error::Font(format!(
                        "theme: font family {n:?} is not among the --font-dir fonts"
                    ))
                }),
            }
        };
        Ok([
            find(&fonts.body)?,
            find(&fonts.heading)?,
            find(&fonts.mono)?,
        ])
    }

    /// The paper the theme asks for, if any.
    pub fn paper(&self) -> Option<Paper> {
        self.paper.as_deref().and_then(Paper::parse)
    }

    /// Applies the theme over the defaults for its paper; refused when its margins and column
    /// gap leave columns too narrow to set on that paper (the paper may come from `--paper`,
    /// so this is known only here).
    pub fn apply(&self, theme: &mut Theme) -> Result<(), Error> {
        if let Some(m) = &self.margins_mm {
            let set = |field: &mut f32, v: Option<f32>| {
                if let Some(v) = v {
                    *field = v * MM;
                }
            };
            set(&mut theme.margin_top, m.top);
            set(&mut theme.margin_bottom, m.bottom);
            set(&mut theme.margin_inner, m.inner);
            set(&mut theme.margin_outer, m.outer);
        }
        if let Some(size) = self.body_size {
            let scale = size / theme.body_size;
            theme.body_size = size;
            theme.indent *= scale;
            theme.lead_size *= scale;
            theme.lead_leading *= scale;
            theme.meta_size *= scale;
            theme.code_size *= scale;
            theme.block_indent *= scale;
            for h in &mut theme.heading_sizes {
                *h *= scale;
            }
        }
        theme.body_leading =
            theme.body_size * self.leading.unwrap_or(theme.body_leading / theme.body_size);
        if let Some(t) = self.title_size {
            theme.title_leading = t * theme.title_leading / theme.title_size;
            theme.title_size = t;
        }
        if let Some(c) = &self.colors {
            let set = |field: &mut Color, v: &Option<String>| {
                if let Some(color) = v.as_deref().and_then(parse_color) {
                    *field = color;
                }
            };
            set(&mut theme.accent, &c.accent);
            set(&mut theme.link, &c.link);
            set(&mut theme.meta, &c.meta);
            set(&mut theme.rule, &c.rule);
        }
        if let Some(text) = self
            .header_text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            // Cleaned like the article's text (a U+FEFF pasted with the site's name would cost
            // every page's PDF/UA claim); what cleaning changed is the operator's, not the
            // article's, so it is not reported with each render.
            let text = crate::input::sanitize::clean(text, &mut Default::default());
            theme.header_text = Some(text.into_owned());
        }
        theme.logo = self.logo_picture.clone();
        if let Some(n) = self.columns {
            theme.columns = n;
        }
        if let Some(gap) = self.column_gap_mm {
            theme.column_gap = gap * MM;
        }
        let (width, least) = (theme.column_width(), MIN_COLUMN_EMS * theme.body_size);
        if width < least {
            let label = self.label.as_deref().unwrap_or("theme");
            return Err(Error::input(format!(
                "{label}: margins_mm and column_gap_mm leave {} of {:.0} mm on a page {:.0} mm wide; \
                 body text of {} pt needs at least {:.0} mm",
                if theme.columns > 1 {
                    "columns"
                } else {
                    "a text width"
                },
                width / MM,
                theme.page_width / MM,
                theme.body_size,
                least / MM,
            )));
        }
        Ok(())
    }
}

/// `#rrggbb` (or `rrggbb`).
fn parse_color(s: &str) -> Option<Color> {
    let hex = s.trim().trim_start_matches('#');
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some(Color(byte(0)?, byte(2)?, byte(4)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_checks() {
        assert_eq!(parse_color("#1a3f7a"), Some(Color(0x1a, 0x3f, 0x7a)));
        assert_eq!(parse_color("nope"), None);
        let bad: ThemeFile = serde_json::from_str(r#"{"body_size": 100}"#).unwrap();
        let e = bad.check("theme t.json").unwrap_err().to_string();
        assert_eq!(e, "theme t.json: body_size 100 is outside 6–24");
        assert!(
            serde_json::from_str::<ThemeFile>(r#"{"bodysize": 10}"#).is_err(),
            "unknown fields are refused"
        );
    }

    #[test]
    fn applying_changes_the_page() {
        let file: ThemeFile = serde_json::from_str(
            r##"{"margins_mm": {"inner": 30, "outer": 30}, "body_size": 12, "leading": 1.5, "colors": {"accent": "#006600"}, "header_text": "Бабр"}"##,
        )
        .unwrap();
        let mut theme = Theme::for_paper(Paper::A4);
        file.apply(&mut theme).unwrap();
        assert!((theme.margin_inner - 30.0 * MM).abs() < 0.01);
        assert_eq!(theme.body_size, 12.0);
        assert!((theme.body_leading - 18.0).abs() < 0.01);
        assert_eq!(theme.accent, Color(0, 0x66, 0));
        assert_eq!(theme.header_text.as_deref(), Some("Бабр"));
    }
}
