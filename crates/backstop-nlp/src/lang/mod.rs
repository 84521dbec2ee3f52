//! Language detection. For the two first-class languages (`Lang`: the fixed replies, the
//! analyzers): a text is Chinese when Han characters make up a meaningful share of its letters.
//! For every other customer ([`code`]): the script first (kana, Hangul, Thai, Han …), then, within
//! a script several languages share, the `whatlang` trigram detector limited to the languages a
//! shop's customers commonly write in, and where it is unsure (a short message), the words and
//! letters each language alone uses (`hints`).

use backstop_core::message::Lang;

mod hints;

/// True for CJK unified ideographs (the common blocks).
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF)
}

/// Detects Chinese vs English. Mixed text ("我的order到哪了") counts as Chinese when it has at
/// least as many Han characters as English words.
pub fn detect(text: &str) -> Lang {
    let han = text.chars().filter(|&c| is_han(c)).count();
    let words = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .count();
    if han > 0 && han >= words {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// Like [`detect`], but keeps `fallback` for texts with no letters at all ("12345", "?!").
pub fn detect_or(text: &str, fallback: Lang) -> Lang {
    if text.chars().any(|c| is_han(c) || c.is_ascii_alphabetic()) {
        detect(text)
    } else {
        fallback
    }
}

/// The common customer languages written in Latin or Cyrillic or Arabic letters, as `whatlang`
/// names them, with their ISO 639-1 codes.
const DETECTED: &[(whatlang::Lang, &str)] = &[
    (whatlang::Lang::Eng, "en"),
    (whatlang::Lang::Spa, "es"),
    (whatlang::Lang::Fra, "fr"),
    (whatlang::Lang::Deu, "de"),
    (whatlang::Lang::Por, "pt"),
    (whatlang::Lang::Ita, "it"),
    (whatlang::Lang::Nld, "nl"),
    (whatlang::Lang::Pol, "pl"),
    (whatlang::Lang::Tur, "tr"),
    (whatlang::Lang::Vie, "vi"),
    (whatlang::Lang::Ind, "id"),
    (whatlang::Lang::Swe, "sv"),
    (whatlang::Lang::Dan, "da"),
    (whatlang::Lang::Nob, "no"),
    (whatlang::Lang::Fin, "fi"),
    (whatlang::Lang::Ces, "cs"),
    (whatlang::Lang::Ron, "ro"),
    (whatlang::Lang::Hun, "hu"),
    (whatlang::Lang::Rus, "ru"),
    (whatlang::Lang::Ukr, "uk"),
    (whatlang::Lang::Ara, "ar"),
    (whatlang::Lang::Pes, "fa"),
    (whatlang::Lang::Urd, "ur"),
];

/// Words of English grammar that other Latin-script languages do not use: trigram statistics are
/// unreliable on a short message, and short English messages are the most common ones.
const ENGLISH: &[&str] = &[
    "the", "is", "my", "i", "you", "how", "what", "where", "when", "why", "it", "to", "and", "for", "of", "with",
    "can", "does", "doesn't", "isn't", "was", "but", "still", "have", "has", "your", "this", "that", "not", "are",
    "will", "please", "i'm", "it's", "don't", "didn't", "haven't", "wasn't",
];

/// At least two English grammar words making at least a third of the words.
fn english_words(text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !(c.is_alphabetic() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('’', "'"))
        .collect();
    let hits = words.iter().filter(|w| ENGLISH.contains(&w.as_str())).count();
    hits >= 2 && hits * 3 >= words.len()
}

fn detector() -> &'static whatlang::Detector {
    static D: std::sync::OnceLock<whatlang::Detector> = std::sync::OnceLock::new();
    D.get_or_init(|| whatlang::Detector::with_allowlist(DETECTED.iter().map(|(l, _)| *l).collect()))
}

/// The language a customer wrote in, as an ISO 639-1 code (`en` when nothing tells).
pub fn code(text: &str) -> &'static str {
    weighed_code(text).0
}

/// [`code`] for a message of a conversation: a message too short to tell on its own ("And for
/// express?", "Danke!") is read with the customer's `earlier` messages, oldest first.
pub fn code_in(text: &str, earlier: &[&str]) -> &'static str {
    let (code, sure) = weighed_code(text);
    if sure || earlier.is_empty() {
        return code;
    }
    let mut all = earlier.join("\n");
    all.push('\n');
    all.push_str(text);
    weighed_code(&all).0
}

/// The code, and whether the text said it clearly: its script, English grammar words, the
/// detector sure of itself, or two words or a letter of one language.
fn weighed_code(text: &str) -> (&'static str, bool) {
    let (mut han, mut kana, mut hangul, mut thai, mut deva, mut hebrew, mut greek, mut latin) =
        (0, 0, 0, 0, 0, 0, 0, 0);
    for c in text.chars() {
        match c as u32 {
            0x3040..=0x30FF | 0x31F0..=0x31FF => kana += 1,
            0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => hangul += 1,
            0x0E00..=0x0E7F => thai += 1,
            0x0900..=0x097F => deva += 1,
            0x0590..=0x05FF => hebrew += 1,
            0x0370..=0x03FF => greek += 1,
            _ if is_han(c) => han += 1,
            _ if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) => latin += 1,
            _ => {}
        }
    }
    if kana > 0 {
        return ("ja", true);
    }
    if hangul > 0 {
        return ("ko", true);
    }
    if thai > 0 {
        return ("th", true);
    }
    if deva > 0 {
        return ("hi", true);
    }
    if hebrew > 0 {
        return ("he", true);
    }
    if greek > 0 && greek * 2 > latin {
        return ("el", true);
    }
    if han > 0 && detect(text) == Lang::Zh {
        return ("zh", true);
    }
    if english_words(text) {
        return ("en", true);
    }
    let found = detector().detect(text);
    let guess = found
        .as_ref()
        .and_then(|info| DETECTED.iter().find(|(l, _)| *l == info.lang()).map(|(_, c)| *c));
    if found.as_ref().is_some_and(|info| info.is_reliable()) {
        return (guess.unwrap_or("en"), true);
    }
    // Too short for trigrams: the small words and the letters each language alone writes.
    match hints::weighed(text, guess) {
        Some((code, weight)) => (code, weight >= 2),
        None => (guess.unwrap_or("en"), false),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_customer_language_is_named() {
        for (text, want) in [
            ("Where is my parcel? It has been two weeks.", "en"),
            ("我的快递到哪了？", "zh"),
            ("注文した商品はいつ届きますか？", "ja"),
            ("주문한 상품이 아직 안 왔어요", "ko"),
            ("¿Dónde está mi pedido? Lo pedí hace dos semanas.", "es"),
            ("Où est ma commande ? Je l'ai passée il y a deux semaines.", "fr"),
            (
                "Wo ist meine Bestellung? Ich habe sie vor zwei Wochen aufgegeben.",
                "de",
            ),
            ("Где мой заказ? Я заказал его две недели назад.", "ru"),
            ("أين طلبي؟ لقد طلبته منذ أسبوعين", "ar"),
            ("พัสดุของฉันอยู่ที่ไหน", "th"),
            ("12345", "en"),
        ] {
            assert_eq!(code(text), want, "{text}");
        }
    }

    #[test]
    fn a_short_follow_up_keeps_the_conversations_language() {
        let earlier = ["What is your return window for a jacket?"];
        assert_eq!(code_in("And opened electronics?", &earlier), "en");
        let earlier = ["Wo ist meine Bestellung? Ich habe sie vor zwei Wochen aufgegeben."];
        assert_eq!(code_in("Und Express?", &earlier), "de");
        // A clear switch is a switch.
        assert_eq!(code_in("Où est ma commande ? Je l'ai passée hier.", &earlier), "fr");
        assert_eq!(code_in("我的快递呢", &earlier), "zh");
    }

    use super::*;

    #[test]
    fn detects_both_languages() {
        assert_eq!(detect("Where is my order?"), Lang::En);
        assert_eq!(detect("我的快递到哪了"), Lang::Zh);
        assert_eq!(detect("我的order到哪了"), Lang::Zh);
        assert_eq!(detect("My order MM-20261121-0042 还没到"), Lang::Zh);
        assert_eq!(detect("please refund my order, 谢谢"), Lang::En);
        assert_eq!(detect_or("12345", Lang::Zh), Lang::Zh);
    }
}
