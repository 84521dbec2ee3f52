//! The checkable facts of a text: numbers (digits, Chinese numerals and English number words
//! before a unit), amounts of money with their currency, and literals (URLs, e-mail addresses,
//! phone numbers, order numbers). Citation markers (`[1]`, `【2】`) are not figures.

use std::sync::OnceLock;

use backstop_core::handoff::FactKind;
use regex::Regex;

/// One figure as the guard compares it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Figure {
    Number(f64),
    Money(f64, Option<&'static str>),
    /// A URL, e-mail, phone or order number, normalised (lower case; phones as digits).
    Literal(String),
}

struct Patterns {
    citation: Regex,
    url: Regex,
    number: Regex,
    zh_number: Regex,
    en_number: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        citation: Regex::new(r"\[\^?\d{1,2}\]|【\d{1,2}】|\(\d{1,2}\)$").expect("citation"),
        url: Regex::new(r"(?i)\b(?:https?://|www\.)[^\s<>()\[\]，。、！？]+").expect("url"),
        number: Regex::new(r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?").expect("number"),
        zh_number: Regex::new(r"([零〇一二两三四五六七八九十百千万]+)\s*(?:个)?(?:工作日|自然日|小时|分钟|星期|天|日|周|月|年|元|块|件|次|倍|%|％)")
            .expect("zh number"),
        en_number: Regex::new(r"(?i)\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)(?:[- ](one|two|three|four|five|six|seven|eight|nine))?\s+(?:business\s+|working\s+|calendar\s+|full\s+)?(?:days?|hours?|weeks?|months?|years?|minutes?|percent|dollars?|euros?|pounds?|yuan|items?|times)\b")
            .expect("en number"),
    })
}

/// `text` without citation markers.
pub fn strip_citations(text: &str) -> String {
    patterns().citation.replace_all(text, " ").into_owned()
}

fn zh_digit(c: char) -> Option<f64> {
    Some(match c {
        '零' | '〇' => 0.0,
        '一' => 1.0,
        '二' | '两' => 2.0,
        '三' => 3.0,
        '四' => 4.0,
        '五' => 5.0,
        '六' => 6.0,
        '七' => 7.0,
        '八' => 8.0,
        '九' => 9.0,
        _ => return None,
    })
}

/// 三十 → 30, 十五 → 15, 两百 → 200, 一万二 is read as 12000 only by the amount scanner; here
/// the plain positional forms.
pub(crate) fn zh_value(s: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut section = 0.0;
    let mut digit: Option<f64> = None;
    for c in s.chars() {
        if let Some(d) = zh_digit(c) {
            digit = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10.0,
            '百' => 100.0,
            '千' => 1000.0,
            '万' => {
                section += digit.take().unwrap_or(0.0);
                total += section * 10_000.0;
                section = 0.0;
                continue;
            }
            _ => return None,
        };
        section += digit.take().unwrap_or(1.0) * unit;
    }
    Some(total + section + digit.unwrap_or(0.0))
}

fn en_value(w: &str) -> f64 {
    match w.to_ascii_lowercase().as_str() {
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "thirteen" => 13.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "seventy" => 70.0,
        "eighty" => 80.0,
        "ninety" => 90.0,
        "hundred" => 100.0,
        _ => 0.0,
    }
}

/// Every figure of `text`, each with the words it was read from.
pub(crate) fn figures(text: &str) -> Vec<(Figure, String)> {
    let p = patterns();
    let text = strip_citations(text);
    let mut out = Vec::new();
    // Literals first; their characters are then blanked so their digits are not numbers too.
    let mut rest = text.clone();
    let blank = |rest: &mut String, s: &str| {
        if let Some(i) = rest.find(s) {
            rest.replace_range(i..i + s.len(), &" ".repeat(s.len()));
        }
    };
    for m in p.url.find_iter(&text) {
        let url = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?', '/']);
        out.push((Figure::Literal(url.to_lowercase()), url.to_string()));
        blank(&mut rest, m.as_str());
    }
    for fact in crate::entities::extract(&rest.clone()) {
        let normal = match fact.kind {
            FactKind::Email => fact.value.to_lowercase(),
            FactKind::Phone => fact.value.chars().filter(char::is_ascii_digit).collect(),
            FactKind::OrderNumber => fact.value.to_lowercase(),
            _ => continue,
        };
        blank(&mut rest, &fact.value);
        out.push((Figure::Literal(normal), fact.value));
    }
    for a in crate::amount::find(&rest.clone()) {
        let written = rest[a.start..a.end].to_string();
        out.push((Figure::Money(a.value, a.currency), written.clone()));
        blank(&mut rest, &written);
    }
    for m in p.zh_number.captures_iter(&rest) {
        if let Some(v) = zh_value(&m[1]) {
            out.push((Figure::Number(v), m[0].to_string()));
        }
    }
    for m in p.en_number.captures_iter(&rest) {
        let v = en_value(&m[1]) + m.get(2).map_or(0.0, |u| en_value(u.as_str()));
        out.push((Figure::Number(v), m[0].to_string()));
    }
    for m in p.number.find_iter(&rest) {
        if let Ok(v) = m.as_str().replace(',', "").parse::<f64>() {
            out.push((Figure::Number(v), m.as_str().to_string()));
        }
    }
    out
}

/// Is `figure` among `known` (the sources' and the customer's)?
pub(crate) fn supported(figure: &Figure, known: &[Figure], known_text: &str) -> bool {
    let same = |a: f64, b: f64| (a - b).abs() < 1e-6;
    match figure {
        Figure::Number(v) => known.iter().any(|k| match k {
            Figure::Number(w) | Figure::Money(w, _) => same(*v, *w),
            Figure::Literal(_) => false,
        }),
        Figure::Money(v, currency) => known.iter().any(|k| match k {
            Figure::Money(w, c) => same(*v, *w) && (c == currency || c.is_none()),
            // An unmarked number in the source ("a fee of 12") with a currency added.
            Figure::Number(w) => same(*v, *w),
            Figure::Literal(_) => false,
        }),
        Figure::Literal(l) => {
            known.iter().any(|k| k == figure) || known_text.contains(l.as_str()) || {
                // A phone written differently: compare digits.
                let digits: String = l.chars().filter(char::is_ascii_digit).collect();
                digits.len() >= 7 && known_text_digits(known_text).contains(&digits)
            }
        }
    }
}

fn known_text_digits(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_digit() || c.is_whitespace())
        .collect::<String>()
        .replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(text: &str) -> Vec<Figure> {
        figures(text).into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn numbers_in_every_writing() {
        assert_eq!(zh_value("三十"), Some(30.0));
        assert_eq!(zh_value("十五"), Some(15.0));
        assert_eq!(zh_value("两百"), Some(200.0));
        assert_eq!(zh_value("七"), Some(7.0));
        assert_eq!(zh_value("一万"), Some(10_000.0));
        assert!(nums("退货期为三十天").contains(&Figure::Number(30.0)));
        assert!(nums("within thirty-five days").contains(&Figure::Number(35.0)));
        assert!(nums("takes 3-5 business days [1]").contains(&Figure::Number(5.0)));
        assert!(!nums("as stated [1] and [2]")
            .iter()
            .any(|f| matches!(f, Figure::Number(_))));
        assert!(!nums("one of our team will help")
            .iter()
            .any(|f| matches!(f, Figure::Number(_))));
        assert!(nums("a weight of 1,200.50 kg").contains(&Figure::Number(1200.5)));
    }

    #[test]
    fn money_keeps_its_currency_and_literals_are_whole() {
        let f = nums("Express costs $12. Mail help@shop.example or visit https://shop.example/returns.");
        assert!(f.contains(&Figure::Money(12.0, Some("USD"))), "{f:?}");
        assert!(f.contains(&Figure::Literal("help@shop.example".into())), "{f:?}");
        assert!(
            f.contains(&Figure::Literal("https://shop.example/returns".into())),
            "{f:?}"
        );
        let known = nums("Express shipping costs $12.");
        assert!(supported(&Figure::Money(12.0, Some("USD")), &known, ""));
        assert!(!supported(&Figure::Money(12.0, Some("CNY")), &known, ""));
        assert!(supported(&Figure::Number(12.0), &known, ""));
    }
}
