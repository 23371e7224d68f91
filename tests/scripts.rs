//! Every alphabet the site prints, emoji, symbols and stress marks: drawn, never a blank box.

mod common;

use babrpdf::layout::display::Document;
use babrpdf::{Article, RenderOptions};
use common::*;

fn article(body: &str, lang: &str) -> Article {
    let json =
        serde_json::json!({"title": "Проверка", "body": body, "body_format": "text", "lang": lang});
    Article::from_json(json.to_string().as_bytes()).unwrap()
}

fn layout(body: &str, lang: &str) -> Document {
    engine()
        .layout(&article(body, lang), &RenderOptions::default())
        .unwrap()
}

/// Letters of the Cyrillic alphabets of Russia and Mongolia (and neighbours the site prints).
const ALPHABETS: [(&str, &str); 16] = [
    (
        "ru",
        "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ),
    ("uk", "ҐЄІЇґєії"),
    ("be", "ЎІўі"),
    ("bg", "ЩЪЬЮЯщъьюя"),
    ("sr", "ЂЈЉЊЋЏђјљњћџ"),
    ("mk", "ЃЅЈЉЊЌЏѓѕјљњќџ"),
    ("kk", "ӘҒҚҢӨҰҮҺІәғқңөұүһі"),
    ("ky", "ҢӨҮңөү"),
    ("tt", "ӘҖҢӨҮҺәҗңөүһ"),
    ("ba", "ҒҘҠҢӨҪҮҺӘғҙҡңөҫүһә"),
    ("sah", "ҔҤӨҺҮҕҥөһү"),
    ("bua", "ӨҮҺөүһ"),
    ("mn", "ӨҮөү"),
    ("cv", "ӐӖҪӲӑӗҫӳ"),
    ("ce", "Ӏӏ"),
    ("other", "ҶҷӮӯӇӈӃӄӉӊӍӎӦӧӰӱӒӓӪӫӸӹԜԝԚԛ"),
];

const LATIN_GREEK_SYMBOLS: &str = "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿĀāĂăĄąĆćČčĎďĘęĚěĞğİıŁłŃńŇňŐőŘřŚśŞşŠšŤťŰűŹźŻżŽžẞ \
    ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρστυφχψω \
    ₽₸₮№§±×−½°€£¥‰•…«»„“”‘’–— ₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹ →←↑↓↔⇒⇐";

fn assert_all_drawn(doc: &Document, what: &str) {
    assert!(doc.warnings.is_empty(), "{what}: {:?}", doc.warnings);
    for page in &doc.pages {
        for run in page.runs() {
            assert!(
                run.glyphs.iter().all(|g| g.id != 0),
                "{what}: .notdef in {:?}",
                run.text
            );
        }
    }
}

#[test]
fn every_cyrillic_alphabet_prints() {
    for (lang, letters) in ALPHABETS {
        let body: String = letters.chars().map(|c| format!("{c} ")).collect();
        assert_all_drawn(&layout(&body, lang), lang);
    }
}

#[test]
fn latin_greek_and_symbols_print() {
    let body: String = LATIN_GREEK_SYMBOLS
        .chars()
        .map(|c| format!("{c} "))
        .collect();
    assert_all_drawn(&layout(&body, "ru"), "symbols");
}

#[test]
fn emoji_are_drawn_by_the_emoji_font() {
    let emoji = [
        "👁",
        "📄",
        "👍",
        "❤️",
        "👍🏽",
        "🇷🇺",
        "🇲🇳",
        "👨‍👩‍👧‍👦",
        "1️⃣",
        "#️⃣",
        "🔥",
        "😀",
        "🤝🏻",
    ];
    let body = emoji.join(" ");
    let doc = layout(&format!("Реакции читателей: {body}."), "ru");
    assert_all_drawn(&doc, "emoji");
    let fonts = engine().fonts();
    let mut drawn = Vec::new();
    for run in doc.pages.iter().flat_map(|p| p.runs()) {
        if fonts.face(run.face).name.contains("Emoji") {
            drawn.push(run.text.clone());
        }
    }
    let all: String = drawn.concat();
    for e in emoji {
        assert!(
            all.contains(e),
            "{e} not drawn by the emoji font; emoji runs {drawn:?}"
        );
    }
    // A ZWJ family is one cluster: one glyph, not four.
    let family = doc
        .pages
        .iter()
        .flat_map(|p| p.runs())
        .find(|r| r.text.contains("👨‍👩‍👧‍👦"))
        .unwrap();
    let glyphs_for_family = family
        .glyphs
        .iter()
        .filter(|g| family.text[g.text_range.clone()].contains('👨'))
        .count();
    assert_eq!(glyphs_for_family, 1, "{:?}", family.glyphs);
}

#[test]
fn a_character_no_font_has_is_replaced_visibly_and_reported() {
    let article = article("Знак \u{E000} и иероглиф 𓀀 в тексте.", "ru");
    let rendered = engine()
        .render_with_warnings(&article, &RenderOptions::default())
        .unwrap();
    assert_eq!(rendered.warnings.len(), 2, "{:?}", rendered.warnings);
    assert!(rendered.warnings[0].contains("U+E000"));
    assert!(rendered.warnings[1].contains("U+13000"));
    // Drawn (a visible glyph, not .notdef), and the text behind it is still the character.
    let doc = engine()
        .layout(&article, &RenderOptions::default())
        .unwrap();
    let run = doc.pages[0]
        .runs()
        .find(|r| r.text.contains('\u{E000}'))
        .unwrap();
    assert!(run.glyphs.iter().all(|g| g.id != 0));
    // The first character drawn with the replacement glyph owns its ToUnicode entry (later ones
    // go to /ActualText, which lopdf does not read).
    let text = pdf_text(&load(&rendered.pdf));
    assert!(text.contains('\u{E000}'), "{text}");
}

#[test]
fn emoji_pdf_is_valid_and_text_copies_out() {
    let pdf = render(&article(
        "Просмотры 👁 12 345, документ 📄, нравится 👍.",
        "ru",
    ));
    let doc = load(&pdf);
    let text = pdf_text(&doc);
    for w in ["Просмотры", "12", "345,", "документ", "нравится"] {
        assert!(text.contains(w), "{w} missing in {text:?}");
    }
    let type3 = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .any(|d| d.get(b"Subtype").and_then(lopdf::Object::as_name).ok() == Some(b"Type3"));
    assert!(type3, "colour emoji are drawn as a Type 3 font");
}
