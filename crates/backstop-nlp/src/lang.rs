//! Language detection for the two first-class languages: a text is Chinese when Han characters
//! make up a meaningful share of its letters.

use backstop_core::message::Lang;

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

#[cfg(test)]
mod tests {
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
