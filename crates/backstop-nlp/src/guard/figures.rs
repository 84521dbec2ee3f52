//! The checkable facts of a text: numbers (digits, Chinese numerals and English number words
//! before a unit), amounts of money with their currency, and literals (URLs, e-mail addresses,
//! phone numbers, order numbers). Citation markers (`[1]`, `【2】`) are not figures.

use std::sync::OnceLock;

use backstop_core::handoff::FactKind;
use regex::Regex;

/// What a number counts, as far as the words after it say (both languages map to one class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Unit {
    None,
    WorkDay,
    Day,
    Hour,
    Minute,
    Week,
    Month,
    Year,
    Percent,
    Item,
    Point,
    Character,
    Word,
    Times,
    /// The day of a lunar month (初七).
    LunarDay,
}

/// The unit classes and the words that name them, longest first where one contains another.
const UNITS: &[(&str, Unit)] = &[
    ("business day", Unit::WorkDay),
    ("working day", Unit::WorkDay),
    ("工作日", Unit::WorkDay),
    ("个工作日", Unit::WorkDay),
    ("minute", Unit::Minute),
    ("min", Unit::Minute),
    ("分钟", Unit::Minute),
    ("hour", Unit::Hour),
    ("hr", Unit::Hour),
    ("小时", Unit::Hour),
    ("week", Unit::Week),
    ("周", Unit::Week),
    ("星期", Unit::Week),
    ("个月", Unit::Month),
    ("month", Unit::Month),
    ("year", Unit::Year),
    ("年", Unit::Year),
    ("day", Unit::Day),
    ("天", Unit::Day),
    ("%", Unit::Percent),
    ("％", Unit::Percent),
    ("percent", Unit::Percent),
    ("digit", Unit::Character),
    ("位", Unit::Character),
    ("自然日", Unit::Day),
    ("word", Unit::Word),
    ("item", Unit::Item),
    ("件", Unit::Item),
    ("point", Unit::Point),
    ("积分", Unit::Point),
    ("character", Unit::Character),
    ("字", Unit::Character),
    ("times", Unit::Times),
    ("次", Unit::Times),
    ("期", Unit::Times),
    ("instalment", Unit::Times),
    ("installment", Unit::Times),
];

/// The unit named right after a number ending at byte `end` (past a range's other end, a space,
/// 个), if any.
pub(crate) fn unit_after(text: &str, end: usize) -> Unit {
    let rest = &text[end..];
    let rest = rest.trim_start_matches(|c: char| {
        c.is_ascii_digit()
            || matches!(
                c,
                ' ' | '-' | '–' | '~' | '～' | '至' | '到' | '.' | '、' | ',' | '，' | '或'
            )
    });
    let rest = rest.strip_prefix('个').unwrap_or(rest);
    let lower: String = rest.chars().take(14).collect::<String>().to_lowercase();
    let lower = lower.trim_start_matches(['(', '（']);
    let lower = lower
        .strip_prefix("calendar ")
        .or_else(|| lower.strip_prefix("full "))
        .or_else(|| lower.strip_prefix("more "))
        .unwrap_or(lower);
    UNITS
        .iter()
        .find(|(w, _)| lower.starts_with(w))
        .map(|(_, u)| *u)
        .unwrap_or(Unit::None)
}

/// One figure as the guard compares it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Figure {
    Number(f64, Unit),
    Money(f64, Option<&'static str>),
    /// A URL, e-mail, phone or order number, normalised (lower case; phones as digits).
    Literal(String),
}

struct Patterns {
    citation: Regex,
    url: Regex,
    number: Regex,
    zh_number: Regex,
    zh_date: Regex,
    en_number: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        citation: Regex::new(r"\[\^?\d{1,2}\]|【\d{1,2}】|\(\d{1,2}\)$").expect("citation"),
        url: Regex::new(
            r"(?i)(?-u:\b)(?:https?://|www\.)[^\s<>()\[\]，。、！？]+|(?-u:\b)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|io|co|shop|store|hk|uk|de|jp|app|help)(?-u:\b)(?:/[^\s<>()\[\]，。、！？]*)?",
        )
        .expect("url"),
        zh_date: Regex::new(r"初([一二三四五六七八九十]{1,2})|正月|腊月").expect("zh date"),
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

/// A figure found in a text: what it is, the words it was read from, where they start.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub figure: Figure,
    pub written: String,
    pub start: usize,
}

/// Foreign currencies named in words (an answer may not change what the money is counted in).
const CURRENCY_WORDS: &[(&str, &[&str])] = &[
    ("USD", &["美元", "美金", "us dollar", "usd", "us$"]),
    ("EUR", &["欧元", "euro", "eur"]),
    ("GBP", &["英镑", "pound sterling", "gbp"]),
    ("HKD", &["港币", "港元", "hkd", "hk$"]),
    ("JPY", &["日元", "yen", "jpy"]),
    ("CNY", &["人民币", "rmb", "cny", "yuan"]),
];

/// Time zones named in words (an answer may not move the hours to another zone).
const ZONES: &[(&str, &[&str])] = &[
    ("CST", &["北京时间", "china time", "beijing time", "中国时间"]),
    ("GMT", &["格林尼治", "greenwich", "gmt", "utc", "协调世界时"]),
    ("EST", &["eastern time", "美东时间", "est"]),
    ("PST", &["pacific time", "美西时间", "pst"]),
    ("CET", &["central european", "欧洲中部时间", "cet"]),
    ("JST", &["japan time", "日本时间", "东京时间", "jst"]),
];

/// The time zones a text names.
pub(crate) fn zones(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    ZONES
        .iter()
        .filter(|(_, words)| {
            words.iter().any(|w| {
                if w.is_ascii() && w.len() <= 3 {
                    lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|t| t == *w)
                } else {
                    lower.contains(w)
                }
            })
        })
        .map(|(z, _)| *z)
        .collect()
}

/// The currencies a text names in words (`CNY` only by its explicit names).
pub(crate) fn currencies(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    CURRENCY_WORDS
        .iter()
        .filter(|(_, words)| words.iter().any(|w| lower.contains(w)))
        .map(|(c, _)| *c)
        .collect()
}

/// Every figure of `text`, in no particular order.
pub(crate) fn figures(text: &str) -> Vec<Found> {
    let p = patterns();
    let text = strip_citations(text);
    let mut out = Vec::new();
    // Literals first; their characters are then blanked so their digits are not numbers too.
    let mut rest = text.clone();
    let blank = |rest: &mut String, start: usize, len: usize| {
        rest.replace_range(start..start + len, &" ".repeat(len));
    };
    for m in p.url.find_iter(&text) {
        if text[..m.start()].ends_with('@') {
            continue; // an e-mail's domain
        }
        let url = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?', '/']);
        let normal = url.to_lowercase();
        let normal = normal
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("www.");
        out.push(Found {
            figure: Figure::Literal(normal.to_string()),
            written: url.to_string(),
            start: m.start(),
        });
        blank(&mut rest, m.start(), m.len());
    }
    for fact in crate::entities::extract(&rest.clone()) {
        let normal = match fact.kind {
            FactKind::Email => fact.value.to_lowercase(),
            FactKind::Phone => fact.value.chars().filter(char::is_ascii_digit).collect(),
            FactKind::OrderNumber => fact.value.to_lowercase(),
            _ => continue,
        };
        if let Some(at) = rest.find(&fact.value) {
            blank(&mut rest, at, fact.value.len());
            out.push(Found {
                figure: Figure::Literal(normal),
                written: fact.value,
                start: at,
            });
        }
    }
    for a in crate::amount::find(&rest.clone()) {
        let written = rest[a.start..a.end].to_string();
        out.push(Found {
            figure: Figure::Money(a.value, a.currency),
            written,
            start: a.start,
        });
        blank(&mut rest, a.start, a.end - a.start);
    }
    for m in p.zh_number.captures_iter(&rest) {
        let whole = m.get(0).expect("whole match");
        if let Some(v) = zh_value(&m[1]) {
            if v == 1.0 && matches!(&m[1], "一" | "壹") {
                continue; // 一次, 一件: as often "a" as a figure
            }
            if rest[..whole.start()].ends_with('第') {
                continue; // 第二天: "the next day", an ordinal
            }
            let unit = unit_after(&rest, m.get(1).expect("group").end());
            out.push(Found {
                figure: Figure::Number(v, unit),
                written: m[0].to_string(),
                start: whole.start(),
            });
        }
    }
    for m in p.zh_date.captures_iter(&rest) {
        let whole = m.get(0).expect("whole match");
        let v = match &m[0] {
            "正月" => Some(1.0),
            "腊月" => Some(12.0),
            _ => zh_value(&m[1]),
        };
        let unit = if m[0].starts_with('初') {
            Unit::LunarDay
        } else {
            Unit::None
        };
        if let Some(v) = v {
            out.push(Found {
                figure: Figure::Number(v, unit),
                written: m[0].to_string(),
                start: whole.start(),
            });
        }
    }
    for m in p.en_number.captures_iter(&rest) {
        let whole = m.get(0).expect("whole match");
        let v = en_value(&m[1]) + m.get(2).map_or(0.0, |u| en_value(u.as_str()));
        if v == 1.0 {
            continue; // "one item": as often "an item" as a figure
        }
        let unit = unit_after(&rest, m.get(2).or(m.get(1)).expect("group").end());
        out.push(Found {
            figure: Figure::Number(v, unit),
            written: m[0].to_string(),
            start: whole.start(),
        });
    }
    for m in p.number.find_iter(&rest) {
        if let Ok(v) = m.as_str().replace(',', "").parse::<f64>() {
            let unit = unit_after(&rest, m.end());
            out.push(Found {
                figure: Figure::Number(v, unit),
                written: m.as_str().to_string(),
                start: m.start(),
            });
        }
    }
    out
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// Is `figure` among `known` (the sources' and the customer's)? A number must come with its
/// unit (30 days is not 30 minutes); a number the source gives without a unit stands for any.
pub(crate) fn supported(figure: &Figure, known: &[Figure], known_text: &str) -> bool {
    match figure {
        Figure::Number(v, unit) => {
            let with_unit = |k: &Figure| matches!(k, Figure::Number(w, u) if same(*v, *w) && u == unit);
            let bare = |k: &Figure| match k {
                Figure::Number(w, u) => same(*v, *w) && (*u == Unit::None || *unit == Unit::None),
                Figure::Money(w, _) => same(*v, *w) && *unit == Unit::None,
                Figure::Literal(_) => false,
            };
            // With a unit, the same unit; a unitless source number stands for it only when the
            // source never gives this value another unit (30 minutes is not the 30 days it says).
            // A lunar date is a date: only the same date holds it.
            if *unit == Unit::LunarDay {
                return known.iter().any(with_unit);
            }
            let other_unit = *unit != Unit::None
                && known
                    .iter()
                    .any(|k| matches!(k, Figure::Number(w, u) if same(*v, *w) && *u != Unit::None && u != unit));
            known.iter().any(with_unit) || (!other_unit && known.iter().any(bare))
        }
        Figure::Money(v, currency) => known.iter().any(|k| match k {
            Figure::Money(w, c) => same(*v, *w) && (c == currency || c.is_none() || currency.is_none()),
            // An unmarked number in the source ("a fee of 12") with a currency added — not a
            // count of something else (三件 is not 3元).
            Figure::Number(w, u) => same(*v, *w) && *u == Unit::None,
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

/// Is the number `v` worked out from the customer's figures — a sum, difference, product or
/// quotient of one of theirs and any known figure ("¥105 minus your ¥10 coupon is ¥95", "3 items
/// at ¥8 is ¥24")?
pub(crate) fn derived(v: f64, customer: &[f64], known: &[f64]) -> bool {
    // Adding 0 or multiplying by 1 works nothing out: those operands do not count.
    customer.iter().any(|&a| {
        known.iter().filter(|&&b| b != 0.0 && b != 1.0).any(|&b| {
            same(a + b, v)
                || same(a - b, v)
                || same(b - a, v)
                || same(a * b, v)
                || (b != 0.0 && same(a / b, v))
                || (a != 0.0 && same(b / a, v))
                || same(a * b / 100.0, v)
        })
    })
}

/// The value of a number or amount.
pub(crate) fn value(f: &Figure) -> Option<f64> {
    match f {
        Figure::Number(v, _) | Figure::Money(v, _) => Some(*v),
        Figure::Literal(_) => None,
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
        figures(text).into_iter().map(|f| f.figure).collect()
    }

    fn has(text: &str, v: f64) -> bool {
        nums(text).iter().any(|f| value(f) == Some(v))
    }

    #[test]
    fn numbers_in_every_writing() {
        assert_eq!(zh_value("三十"), Some(30.0));
        assert_eq!(zh_value("十五"), Some(15.0));
        assert_eq!(zh_value("两百"), Some(200.0));
        assert_eq!(zh_value("七"), Some(7.0));
        assert_eq!(zh_value("一万"), Some(10_000.0));
        assert!(nums("退货期为三十天").contains(&Figure::Number(30.0, Unit::Day)));
        assert!(nums("within thirty-five days").contains(&Figure::Number(35.0, Unit::Day)));
        assert!(nums("takes 3-5 business days [1]").contains(&Figure::Number(3.0, Unit::WorkDay)));
        assert!(nums("takes 3-5 business days [1]").contains(&Figure::Number(5.0, Unit::WorkDay)));
        assert!(nums("标准快递3-5个工作日送达").contains(&Figure::Number(3.0, Unit::WorkDay)));
        assert!(nums("正月初七恢复发货").contains(&Figure::Number(7.0, Unit::LunarDay)));
        assert!(!nums("as stated [1] and [2]").iter().any(|f| value(f).is_some()));
        assert!(!nums("one of our team will help").iter().any(|f| value(f).is_some()));
        assert!(has("a weight of 1,200.50 kg", 1200.5));
    }

    #[test]
    fn money_keeps_its_currency_and_literals_are_whole() {
        let f = nums("Express costs $12. Mail help@shop.example or visit https://shop.example/returns or help.maplemarket.cn/refund.");
        assert!(f.contains(&Figure::Money(12.0, Some("USD"))), "{f:?}");
        assert!(f.contains(&Figure::Literal("help@shop.example".into())), "{f:?}");
        assert!(f.contains(&Figure::Literal("shop.example/returns".into())), "{f:?}");
        assert!(
            f.contains(&Figure::Literal("help.maplemarket.cn/refund".into())),
            "{f:?}"
        );
        let known = nums("Express shipping costs $12.");
        assert!(supported(&Figure::Money(12.0, Some("USD")), &known, ""));
        assert!(!supported(&Figure::Money(12.0, Some("CNY")), &known, ""));
        assert!(supported(&Figure::Number(12.0, Unit::None), &known, ""));
        assert_eq!(currencies("可以按美元扣款"), vec!["USD"]);
    }

    #[test]
    fn a_number_keeps_its_unit() {
        let known = nums("账号会锁定30分钟；退货期30天。");
        assert!(supported(&Figure::Number(30.0, Unit::Minute), &known, ""));
        assert!(supported(&Figure::Number(30.0, Unit::Day), &known, ""));
        assert!(!supported(&Figure::Number(30.0, Unit::Hour), &known, ""));
    }

    #[test]
    fn figures_worked_out_from_the_customers() {
        assert!(derived(95.0, &[105.0, 10.0], &[105.0, 10.0, 99.0]));
        assert!(derived(24.0, &[3.0], &[8.0]));
        assert!(derived(25.0, &[2500.0], &[100.0]));
        assert!(!derived(60.0, &[], &[30.0, 2.0]));
    }
}
