//! Words and dates the engine itself prints, in the article's language.

use crate::doc::Date;

/// Printed labels for one language.
pub struct Labels {
    pub page_of: fn(usize, usize) -> String,
    pub tags: &'static str,
    pub related: &'static str,
    pub image: &'static str,
    pub updated: &'static str,
    pub views: &'static str,
    /// Heading of the printed list of link addresses (print profile).
    pub links: &'static str,
    /// Caption of the QR code leading back to the article online.
    pub online: &'static str,
    /// Heading of a bound volume's table of contents.
    pub contents: &'static str,
    months: [&'static str; 12],
    /// Separator after the day number ("17 июня", "17. Juni"); NBSP keeps day and month together.
    day_sep: &'static str,
}

const RU: Labels = Labels {
    page_of: |n, m| format!("стр. {n} из {m}"),
    tags: "Теги",
    related: "Ранее по теме",
    image: "Иллюстрация",
    updated: "обновлено",
    views: "просмотров",
    links: "Ссылки",
    online: "Эта статья на сайте",
    contents: "Содержание",
    months: [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    day_sep: "\u{a0}",
};

const UK: Labels = Labels {
    page_of: |n, m| format!("стор. {n} з {m}"),
    tags: "Теги",
    related: "Раніше на цю тему",
    image: "Ілюстрація",
    updated: "оновлено",
    views: "переглядів",
    links: "Посилання",
    online: "Ця стаття на сайті",
    contents: "Зміст",
    months: [
        "січня",
        "лютого",
        "березня",
        "квітня",
        "травня",
        "червня",
        "липня",
        "серпня",
        "вересня",
        "жовтня",
        "листопада",
        "грудня",
    ],
    day_sep: "\u{a0}",
};

const BE: Labels = Labels {
    page_of: |n, m| format!("стар. {n} з {m}"),
    tags: "Тэгі",
    related: "Раней па тэме",
    image: "Ілюстрацыя",
    updated: "абноўлена",
    views: "праглядаў",
    links: "Спасылкі",
    online: "Гэты артыкул на сайце",
    contents: "Змест",
    months: [
        "студзеня",
        "лютага",
        "сакавіка",
        "красавіка",
        "мая",
        "чэрвеня",
        "ліпеня",
        "жніўня",
        "верасня",
        "кастрычніка",
        "лістапада",
        "снежня",
    ],
    day_sep: "\u{a0}",
};

const EN: Labels = Labels {
    page_of: |n, m| format!("Page {n} of {m}"),
    tags: "Tags",
    related: "Related",
    image: "Image",
    updated: "updated",
    views: "views",
    links: "Links",
    online: "This article online",
    contents: "Contents",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    day_sep: " ",
};

const BG: Labels = Labels {
    page_of: |n, m| format!("стр. {n} от {m}"),
    tags: "Етикети",
    related: "Още по темата",
    image: "Илюстрация",
    updated: "обновено",
    views: "прегледи",
    links: "Връзки",
    online: "Статията онлайн",
    contents: "Съдържание",
    months: [
        "януари",
        "февруари",
        "март",
        "април",
        "май",
        "юни",
        "юли",
        "август",
        "септември",
        "октомври",
        "ноември",
        "декември",
    ],
    day_sep: "\u{a0}",
};

const SR: Labels = Labels {
    page_of: |n, m| format!("стр. {n} од {m}"),
    tags: "Ознаке",
    related: "Повезано",
    image: "Илустрација",
    updated: "ажурирано",
    views: "прегледа",
    links: "Везе",
    online: "Чланак на сајту",
    contents: "Садржај",
    months: [
        "јануар",
        "фебруар",
        "март",
        "април",
        "мај",
        "јун",
        "јул",
        "август",
        "септембар",
        "октобар",
        "новембар",
        "децембар",
    ],
    day_sep: ".\u{a0}",
};

const MK: Labels = Labels {
    page_of: |n, m| format!("стр. {n} од {m}"),
    tags: "Ознаки",
    related: "Поврзано",
    image: "Илустрација",
    updated: "ажурирано",
    views: "прегледи",
    links: "Врски",
    online: "Статијата на интернет",
    contents: "Содржина",
    months: [
        "јануари",
        "февруари",
        "март",
        "април",
        "мај",
        "јуни",
        "јули",
        "август",
        "септември",
        "октомври",
        "ноември",
        "декември",
    ],
    day_sep: "\u{a0}",
};

const KK: Labels = Labels {
    page_of: |n, m| format!("{n}/{m} бет"),
    tags: "Тегтер",
    related: "Тақырып бойынша",
    image: "Сурет",
    updated: "жаңартылды",
    views: "қаралым",
    links: "Сілтемелер",
    online: "Мақала сайтта",
    contents: "Мазмұны",
    months: [
        "қаңтар",
        "ақпан",
        "наурыз",
        "сәуір",
        "мамыр",
        "маусым",
        "шілде",
        "тамыз",
        "қыркүйек",
        "қазан",
        "қараша",
        "желтоқсан",
    ],
    day_sep: "\u{a0}",
};

const DE: Labels = Labels {
    page_of: |n, m| format!("Seite {n} von {m}"),
    tags: "Schlagwörter",
    related: "Mehr zum Thema",
    image: "Bild",
    updated: "aktualisiert",
    views: "Aufrufe",
    links: "Links",
    online: "Dieser Artikel online",
    contents: "Inhalt",
    months: [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    day_sep: ".\u{a0}",
};

const FR: Labels = Labels {
    page_of: |n, m| format!("Page {n} sur {m}"),
    tags: "Mots-clés",
    related: "À lire aussi",
    image: "Image",
    updated: "mis à jour",
    views: "vues",
    links: "Liens",
    online: "Cet article en ligne",
    contents: "Sommaire",
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    day_sep: "\u{a0}",
};

/// Labels for a BCP 47 tag. Languages without their own table use Russian, the site's language
/// (the Cyrillic languages of Russia are read by Russian speakers); other Latin-script ones English.
pub fn labels(lang: &str) -> &'static Labels {
    match lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .as_str()
    {
        "uk" => &UK,
        "be" => &BE,
        "en" | "es" | "it" | "pl" | "cs" => &EN,
        "bg" => &BG,
        "sr" => &SR,
        "mk" => &MK,
        "kk" => &KK,
        "de" => &DE,
        "fr" => &FR,
        _ => &RU,
    }
}

// The date grammar belongs to the document (`doc.rs`), where dates are parsed once; batch
// file names still read it from here.
pub use crate::doc::parse_date;

/// «17 июня 2024, 14:44» (or "17 June 2024, 14:44"); the date as written when it is not ISO 8601.
pub fn format_date(date: &Date, lang: &str) -> String {
    let Some((y, mo, d, time, _)) = date.parts else {
        return date.written.clone();
    };
    let l = labels(lang);
    let month = l.months[usize::from(mo) - 1];
    let date = format!("{d}{}{month} {y}", l.day_sep);
    match time {
        Some((h, m)) => format!("{date}, {h}:{m:02}"),
        None => date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format_date(text: &str, lang: &str) -> String {
        super::format_date(&Date::parse(text).expect("not blank"), lang)
    }

    #[test]
    fn russian_dates() {
        assert_eq!(
            format_date("2024-06-17T14:44:00+08:00", "ru"),
            "17\u{a0}июня 2024, 14:44"
        );
        assert_eq!(format_date("2024-01-05", "ru"), "5\u{a0}января 2024");
        assert_eq!(
            format_date("2024-06-17T09:05:00Z", "en"),
            "17 June 2024, 9:05"
        );
        assert_eq!(format_date("вчера", "ru"), "вчера");
        assert_eq!(
            parse_date("2024-06-17T14:44:00+08:00").unwrap().4,
            Some(480)
        );
        assert!(parse_date("2024-13-01").is_none());
    }

    #[test]
    fn page_labels() {
        assert_eq!((labels("ru").page_of)(2, 5), "стр. 2 из 5");
        assert_eq!((labels("en-GB").page_of)(1, 1), "Page 1 of 1");
        assert_eq!((labels("kk").page_of)(1, 3), "1/3 бет");
        assert_eq!((labels("tt").page_of)(1, 3), "стр. 1 из 3");
    }
}
