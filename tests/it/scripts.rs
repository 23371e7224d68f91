//! Every alphabet the site prints, emoji, symbols and stress marks: drawn, never a blank box.

use crate::common::*;
use babrpdf::layout::display::Document;
use babrpdf::{Article, RenderOptions};

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
    let engine = engine();
    let mut drawn = Vec::new();
    for run in doc.pages.iter().flat_map(|p| p.runs()) {
        if engine.face_name(run.face).contains("Emoji") {
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
        .filter(|g| family.text[g.text_bytes()].contains('👨'))
        .count();
    assert_eq!(glyphs_for_family, 1, "{:?}", family.glyphs);
}

#[test]
fn a_character_no_font_has_is_replaced_visibly_and_reported() {
    let article = article("Знак \u{E000} и иероглиф 𓀀 в тексте.", "ru");
    let rendered = engine()
        .render(&article, &RenderOptions::default())
        .unwrap();
    assert_eq!(rendered.warnings.len(), 2, "{:?}", rendered.warnings);
    assert!(rendered.warnings[0].message.contains("U+E000"));
    assert!(rendered.warnings[1].message.contains("U+13000"));
    assert!(
        rendered
            .warnings
            .iter()
            .all(|w| w.kind == babrpdf::WarningKind::Font)
    );
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
    // The colour emoji are pictures (their text is set in an ink-less font: src/pdf_emoji.rs),
    // one image for each of the three.
    let images = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| s.dict.get(b"Subtype").and_then(lopdf::Object::as_name).ok() == Some(b"Image"))
        .filter(|s| s.dict.get(b"SMask").is_ok())
        .count();
    assert_eq!(
        images, 3,
        "colour emoji are drawn as pictures with their transparency"
    );
}

/// The words poppler's text layer finds on each page (`pdftotext -bbox-layout`): the page's
/// size, then each line's words with their boxes (xMin, yMin, xMax, yMax).
type Line = Vec<(String, [f32; 4])>;

fn poppler_lines(pdf: &[u8], name: &str) -> Vec<((f32, f32), Vec<Line>)> {
    let path = std::env::temp_dir().join(format!("babrpdf-{name}-{}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-bbox-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let _ = std::fs::remove_file(&path);
    // Lossy: poppler writes the <title> of the head with each UTF-16 half of an emoji apart.
    let xml = String::from_utf8_lossy(&out.stdout);
    // `tag` is what follows `<name `: its attributes, then the rest of the document.
    let attr = |tag: &str, key: &str| -> f32 {
        let tag = &tag[..tag.find('>').unwrap()];
        let at = format!(" {tag}").find(&format!(" {key}=\"")).unwrap() + key.len() + 2;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    let mut pages = Vec::new();
    for page in xml.split("<page ").skip(1) {
        let size = (attr(page, "width"), attr(page, "height"));
        let mut lines = Vec::new();
        for line in page.split("<line ").skip(1) {
            let words = line
                .split("<word ")
                .skip(1)
                .map(|w| {
                    let text = &w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()];
                    let b = [
                        attr(w, "xMin"),
                        attr(w, "yMin"),
                        attr(w, "xMax"),
                        attr(w, "yMax"),
                    ];
                    (text.to_string(), b)
                })
                .collect();
            lines.push(words);
        }
        pages.push((size, lines));
    }
    pages
}

#[test]
fn emoji_copy_out_in_place_and_in_order() {
    let heading = "Эмодзи 👁 📄 👍 в статье";
    let json = serde_json::json!({
        "title": heading,
        "body": format!("## {heading}\n\nПросмотры 👁 12 345, документ 📄, нравится 👍."),
        "body_format": "markdown",
    });
    let pdf = render(&Article::from_json(json.to_string().as_bytes()).unwrap());
    let pages = poppler_lines(&pdf, "emoji-boxes");
    let mut lines = Vec::new();
    for ((width, height), page) in &pages {
        for line in page {
            for (word, [x0, y0, x1, y1]) in line {
                assert!(
                    *x0 >= 0.0 && *y0 >= 0.0 && x1 <= width && y1 <= height,
                    "«{word}» has the box ({x0}, {y0})–({x1}, {y1}), outside the page {width}×{height}"
                );
                // No word stands taller than a few lines of the largest type on the page.
                assert!(y1 - y0 < 40.0, "«{word}» is {} pt tall", y1 - y0);
            }
            let words: Vec<&str> = line.iter().map(|(w, _)| w.as_str()).collect();
            lines.push(words.join(" "));
        }
    }
    // The title and the heading both come out as written, each on a line of its own.
    let whole = lines.iter().filter(|l| l.as_str() == heading).count();
    assert_eq!(
        whole, 2,
        "«{heading}» is not read back in order; lines: {lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l == "Просмотры 👁 12 345, документ 📄, нравится 👍."),
        "the paragraph is not read back in order; lines: {lines:#?}"
    );
}

/// One sentence per language the site prints (our own text).
const SENTENCES: [(&str, &str); 16] = [
    (
        "ru",
        "Региональное правительство объявило, что строительство нового моста через реку начнётся следующей весной после консультаций с жителями.",
    ),
    (
        "uk",
        "Регіональний уряд оголосив, що будівництво нового мосту через річку розпочнеться наступної весни після консультацій із мешканцями.",
    ),
    (
        "be",
        "Рэгіянальны ўрад абвясціў, што будаўніцтва новага моста праз раку пачнецца наступнай вясной пасля кансультацый з жыхарамі.",
    ),
    (
        "bg",
        "Регионалното правителство обяви, че строителството на новия мост над реката ще започне следващата пролет след консултации с жителите.",
    ),
    (
        "sr",
        "Регионална влада је објавила да ће изградња новог моста преко реке почети следећег пролећа након консултација са становницима.",
    ),
    (
        "mk",
        "Регионалната влада објави дека изградбата на новиот мост преку реката ќе започне следната пролет по консултациите со жителите.",
    ),
    (
        "kk",
        "Облыстық әкімдік өзен арқылы өтетін жаңа көпірдің құрылысы келесі көктемде тұрғындармен кеңескеннен кейін басталатынын хабарлады.",
    ),
    (
        "ky",
        "Облустук администрация дарыянын үстүнөн жаңы көпүрөнүн курулушу кийинки жазда тургундар менен кеңешкенден кийин башталарын билдирди.",
    ),
    (
        "tt",
        "Төбәк хакимияте елга аша яңа күпер төзү эшләре киләсе язда халык белән киңәшләшкәннән соң башланачагын хәбәр итте.",
    ),
    (
        "ba",
        "Төбәк хакимиәте йылға аша яңы күпер төҙөү эштәре киләһе яҙҙа халыҡ менән кәңәшләшкәндән һуң башланасағын хәбәр итте.",
    ),
    (
        "sah",
        "Оройуон дьаһалтата өрүс нөҥүө саҥа муосту тутуу кэлэр сааһыттан олохтоохтору кытта сүбэлэһии кэнниттэн саҕаланарын биллэрдэ.",
    ),
    (
        "bua",
        "Можын засагай газар голой дээгүүр шэнэ хүүргэ барилга ерэхэ хабар зоной hанал бодол дуулаhанай hүүлдэ эхилхэ гэжэ мэдүүлбэ.",
    ),
    (
        "mn",
        "Бүсийн засаг захиргаа голын дээгүүр шинэ гүүр барих ажил ирэх хавар иргэдтэй зөвлөлдсөний дараа эхэлнэ гэж мэдэгдлээ.",
    ),
    (
        "en",
        "The regional government announced that construction of the new bridge across the river will begin next spring after consultations.",
    ),
    (
        "de",
        "Die Landesregierung kündigte an, dass der Bau der neuen Brücke über den Fluss im kommenden Frühjahr nach Gesprächen beginnen wird.",
    ),
    (
        "fr",
        "Le gouvernement régional a annoncé que la construction du nouveau pont sur la rivière commencera au printemps prochain après consultation.",
    ),
];

#[test]
fn every_language_sets_with_its_own_hyphenation_or_none() {
    let with_patterns = ["ru", "uk", "be", "bg", "sr", "mn", "en", "de", "fr"];
    for (lang, sentence) in SENTENCES {
        let body = [sentence; 12].join(" ");
        let json =
            serde_json::json!({"title": "Язык", "body": body, "body_format": "text", "lang": lang});
        let article = Article::from_json(json.to_string().as_bytes()).unwrap();
        let options = RenderOptions {
            paper: Some(babrpdf::Paper::A5),
            ..Default::default()
        };
        let doc = engine().layout(&article, &options).unwrap();
        assert_all_drawn(&doc, lang);
        // A hyphen the engine added shows as a run ending in '-' that the sentence does not have there.
        let lines: Vec<String> = doc.pages[0]
            .runs()
            .filter(|r| r.role == babrpdf::layout::display::Role::Body)
            .map(|r| r.text.clone())
            .collect();
        let hyphenated = lines
            .iter()
            .filter(|t| {
                t.ends_with('-') && !sentence.contains(t.split_whitespace().last().unwrap_or(""))
            })
            .count();
        if with_patterns.contains(&lang) {
            assert!(hyphenated > 0, "{lang}: no hyphenation at all in {lines:?}");
        } else {
            assert_eq!(
                hyphenated, 0,
                "{lang}: hyphenated without patterns: {lines:?}"
            );
        }
    }
}
