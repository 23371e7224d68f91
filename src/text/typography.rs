//! Russian typesetting rules as break decisions: where a line must not end, though Unicode would
//! allow it. The text itself is never rewritten (what a reader copies out stays the source).

/// Particles that cling to the word before them.
const PARTICLES: [&str; 6] = ["ли", "ль", "же", "ж", "бы", "б"];
/// Longest abbreviation still taken for a unit after a number (руб., тыс., долл.).
const MAX_UNIT_CHARS: usize = 5;

fn is_cyrillic(c: char) -> bool {
    matches!(c as u32, 0x400..=0x52F)
}

/// Letters of a token without surrounding quotes, brackets and trailing punctuation.
fn core(token: &str) -> &str {
    token
        .trim_start_matches(['«', '„', '“', '"', '(', '[', '\''])
        .trim_end_matches([
            '»', '“', '”', '"', ')', ']', '\'', ',', '.', ';', ':', '!', '?', '…',
        ])
}

fn is_number(token: &str) -> bool {
    let t = token.trim_start_matches(['(', '«', '+', '-', '−', '~', '≈']);
    let t = t.trim_end_matches([',', '.', ';', ':', ')', '»']);
    !t.is_empty()
        && t.starts_with(|c: char| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '–' | '-' | '/'))
}

/// "45 876": a group of exactly three digits continues the number before it.
fn is_digit_group(token: &str) -> bool {
    let digits: String = token.chars().take_while(char::is_ascii_digit).collect();
    digits.len() == 3
        && token[3..]
            .chars()
            .all(|c| matches!(c, ',' | '.' | ';' | ':' | ')' | '»') || c.is_ascii_digit())
}

/// "А." — one capital letter and a full stop.
fn is_initial(token: &str) -> bool {
    let mut chars = core_start(token).chars();
    matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) if c.is_uppercase())
}

fn core_start(token: &str) -> &str {
    token.trim_start_matches(['«', '„', '“', '"', '('])
}

/// Units and counters written without a full stop.
const UNITS: [&str; 24] = [
    "км",
    "м",
    "см",
    "мм",
    "кг",
    "г",
    "т",
    "л",
    "мл",
    "га",
    "с",
    "мин",
    "ч",
    "млн",
    "млрд",
    "трлн",
    "кВт",
    "МВт",
    "ГВт",
    "кВт·ч",
    "км/ч",
    "м²",
    "км²",
    "м³",
];

/// A unit or abbreviation after a number: км, руб., тыс., млн, %, ₽, °C.
fn is_unit(token: &str) -> bool {
    let t = token.trim_end_matches([',', ';', ':', ')', '»', '!', '?']);
    let n = t.chars().count();
    let abbreviation =
        n <= MAX_UNIT_CHARS && t.ends_with('.') && t.chars().next().is_some_and(char::is_lowercase);
    let symbol = n > 0
        && t.chars().all(|c| {
            matches!(
                c,
                '%' | '‰' | '₽' | '$' | '€' | '£' | '¥' | '₸' | '₮' | '°' | 'C' | 'F'
            )
        });
    abbreviation || symbol || UNITS.contains(&t.trim_end_matches('.'))
}

/// May a line end between the token `before` and the token `after` (which a space separated)?
pub fn space_break_forbidden(before: &str, after: &str) -> bool {
    let (b, a) = (core(before), core(after));
    // A dash never starts a line: keep it with the word before.
    if after.starts_with(['—', '–']) {
        return true;
    }
    // A one- or two-letter word stays with the word after it (в лесу, на Байкале, и «Дом»),
    // unless punctuation already closes it (в том-то и дело, а?).
    let bc: Vec<char> = before.chars().collect();
    let short = b.chars().count() <= 2
        && !b.is_empty()
        && b.chars().all(|c| is_cyrillic(c) && c.is_alphabetic())
        && b.len() == before.trim_start_matches(['«', '„', '“', '"', '(']).len();
    if short
        && !bc
            .last()
            .is_some_and(|c| matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | '…' | '»' | ')'))
    {
        return true;
    }
    // Particles cling to the word before them (сказал бы, он же).
    if PARTICLES.contains(&a.to_lowercase().as_str()) {
        return true;
    }
    // Initials stay with each other and with the surname (А. С. Пушкин, Петров В. И.).
    if is_initial(before) || (is_initial(after) && before.starts_with(|c: char| c.is_uppercase())) {
        return true;
    }
    // № 5, § 3.
    if matches!(before, "№" | "§" | "№№" | "§§") {
        return true;
    }
    if is_number(before) {
        // 45 876, 1 234 567,89; 12 км, 300 тыс. рублей, 38 %.
        if is_digit_group(after) || is_unit(after) {
            return true;
        }
    }
    false
}

/// Longest case ending written after a number with a hyphen (1960-х, 5-й, XX-го, 2-ому).
const MAX_CASE_ENDING: usize = 3;

/// "1960", "90", "XX": what a case ending may follow.
fn is_numeral(s: &str) -> bool {
    !s.is_empty()
        && (s.ends_with(|c: char| c.is_ascii_digit())
            || s.chars()
                .all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | 'D' | 'M')))
}

/// "х", "е,", "го»": a short lowercase Cyrillic ending, then nothing but punctuation.
fn is_case_ending(token: &str) -> bool {
    let letters = token.trim_end_matches(|c: char| !c.is_alphanumeric());
    let n = letters.chars().count();
    (1..=MAX_CASE_ENDING).contains(&n)
        && letters.chars().all(|c| is_cyrillic(c) && c.is_lowercase())
}

/// May a line end right after `before` where no space follows (after a dash or hyphen)?
/// Forbids splitting a range written with a dash (1977–1983, май–июнь), starting a line with a
/// dash, and tearing a case ending from its number (1960-х, 90-е, XX-го).
pub fn joined_break_forbidden(before: &str, after: &str) -> bool {
    // A dash never starts a line, even one written without spaces.
    if after.starts_with(['–', '—']) {
        return true;
    }
    if let Some(head) = before
        .strip_suffix('–')
        .or_else(|| before.strip_suffix('—'))
    {
        // A range: the dash joins two words or numbers with no space around it.
        return head.ends_with(char::is_alphanumeric) && after.starts_with(char::is_alphanumeric);
    }
    if let Some(head) = before
        .strip_suffix('-')
        .or_else(|| before.strip_suffix('\u{2010}'))
    {
        // The number is what follows the last dash of the token (1950–1960-х).
        let number = head.rsplit(['–', '—', '-']).next().unwrap_or(head);
        let number = number.trim_start_matches(['«', '„', '“', '"', '(']);
        return is_numeral(number) && is_case_ending(after);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_words_hold_on_to_the_next() {
        for w in [
            "в", "и", "к", "с", "у", "я", "во", "до", "за", "из", "на", "не", "ни", "но", "по",
            "со", "«В", "(на",
        ] {
            assert!(space_break_forbidden(w, "лесу"), "{w}");
        }
        assert!(!space_break_forbidden("на,", "лесу"));
        assert!(!space_break_forbidden("дом", "стоит"));
        assert!(
            !space_break_forbidden("to", "be"),
            "Latin short words follow their own rules"
        );
    }

    #[test]
    fn particles_dashes_and_initials() {
        assert!(space_break_forbidden("сказал", "бы"));
        assert!(space_break_forbidden("он", "же,"));
        assert!(space_break_forbidden("Байкал", "—"));
        assert!(space_break_forbidden("1977", "–"));
        assert!(space_break_forbidden("А.", "С."));
        assert!(space_break_forbidden("С.", "Пушкин"));
        assert!(space_break_forbidden("Петров", "В."));
        assert!(space_break_forbidden("Ф.", "Кисида"));
        assert!(!space_break_forbidden("—", "сказал"));
    }

    #[test]
    fn numbers_units_and_signs() {
        assert!(space_break_forbidden("45", "876"));
        assert!(space_break_forbidden("1", "234"));
        assert!(space_break_forbidden("234", "567,89"));
        assert!(space_break_forbidden("12", "км"));
        assert!(space_break_forbidden("300", "тыс."));
        assert!(space_break_forbidden("38", "%"));
        assert!(space_break_forbidden("№", "412-п"));
        assert!(space_break_forbidden("§", "3"));
        assert!(
            !space_break_forbidden("2024", "году"),
            "a full word after a year may wrap"
        );
        assert!(!space_break_forbidden("12", "1234"));
    }

    #[test]
    fn ranges_stay_whole() {
        assert!(joined_break_forbidden("1977–", "1983"));
        assert!(!joined_break_forbidden("северо-", "восточный"));
        assert!(joined_break_forbidden("май–", "июнь"));
        assert!(joined_break_forbidden("Москва–", "Пекин"));
        assert!(joined_break_forbidden("1977", "—1983"));
        assert!(!joined_break_forbidden("слово—", "«цитата»"));
    }

    #[test]
    fn case_endings_stay_with_their_number() {
        for (before, after) in [
            ("1960-", "х"),
            ("1950–1960-", "х"),
            ("90-", "е,"),
            ("5-", "й"),
            ("XX-", "го"),
            ("(2-", "ому)"),
        ] {
            assert!(joined_break_forbidden(before, after), "{before}{after}");
        }
        assert!(
            !joined_break_forbidden("100-", "летие"),
            "a word, not an ending"
        );
        assert!(!joined_break_forbidden("Улан-", "Удэ"));
        assert!(!joined_break_forbidden("из-", "за"));
        assert!(!joined_break_forbidden("Ту-", "154"));
    }
}
