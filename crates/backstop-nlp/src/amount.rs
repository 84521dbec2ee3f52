//! Amounts of money as customers write them, in Chinese and English: digits with thousands
//! separators and decimals (`¥46,000`, `1,299.00 元`), multipliers (`15k`, `$1.2k`, `8万元`,
//! `1.5w`, `3千`), Chinese numerals in full and in their elliptical spoken forms (`三千五百元`,
//! `一万五` = 15,000, `两千三` = 2,300, `五千多`), formal numerals (`壹万`), English number words
//! (`two thousand dollars`, `3 grand`), and currencies before or after (`¥ $ € £ US$ RMB USD`,
//! `元 块 美元 刀 dollars bucks euros`).
//!
//! A number counts as money when a currency marks it, or — unmarked — when the message talks
//! about money (paid, refund, price, 退款, 花了, 金额 …) and the number is large enough to matter
//! (a multiplier, a Chinese unit, or three digits or more), is not an id, a phone number or a
//! date, and is not followed by a unit of something else (`件`, `天`, `pcs`, `days`, `%` …).
//!
//! A scanner, not a pile of regular expressions: every form above goes through one number reader
//! and one currency reader, so a new currency or unit is one line.

use crate::lang::is_han;

/// An amount found in a text.
#[derive(Clone, Debug, PartialEq)]
pub struct Amount {
    pub value: f64,
    /// The currency as written, normalised (`CNY`, `USD`, `EUR`, `GBP`, `HKD`), when one was.
    pub currency: Option<&'static str>,
    /// Byte range of the amount in the text (number and currency).
    pub start: usize,
    pub end: usize,
}

/// Every amount of money in `text`, in order.
pub fn find(text: &str) -> Vec<Amount> {
    let chars: Vec<(usize, char)> = text.char_indices().map(|(i, c)| (i, fold(c))).collect();
    let lower = text.to_lowercase();
    let money_talk = talks_money(&lower);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some(n) = number_at(&chars, i) else {
            i += 1;
            continue;
        };
        let pre = currency_before(&chars, i);
        let post = currency_after(&chars, n.end);
        let currency = post.as_ref().map(|p| p.0).or(pre.as_ref().map(|p| p.0));
        let marked = pre.is_some() || post.is_some();
        let mut value = n.value;
        if let Some((_, _, times)) = post {
            value *= times;
        }
        let accept = if marked {
            // "$5" is money; a lone digit before 块 ("一块儿") is not.
            !(n.kind == Kind::Han && n.value < 10.0 && post.is_some() && pre.is_none() && !n.unit)
        } else {
            // "a bit over 8k", "4.5w": a thousands multiplier on a number reads as money even
            // without talk of it (other units — "15k steps" — are ruled out below).
            (money_talk
                || n.unit
                    && n.kind == Kind::Arabic
                    && n.value >= 1_000.0
                    && !chars[i..n.end].iter().any(|c| is_han(c.1)))
                && (n.unit || n.kind == Kind::Words && n.value >= 100.0 || n.digits >= 3)
                && !part_of_id(&chars, i, n.end)
                && !other_unit_after(&chars, n.end)
        };
        if accept && value.is_finite() && value > 0.0 {
            let start = pre.as_ref().map_or(chars[i].0, |p| chars[p.1].0);
            let end_idx = post.as_ref().map_or(n.end, |p| p.1);
            let end = chars.get(end_idx).map_or(text.len(), |c| c.0);
            out.push(Amount {
                value,
                currency,
                start,
                end,
            });
            i = end_idx.max(i + 1);
        } else {
            i = n.end.max(i + 1);
        }
    }
    out
}

/// The largest amount of money in `text`, if any.
pub fn largest(text: &str) -> Option<f64> {
    find(text).into_iter().map(|a| a.value).reduce(f64::max)
}

/// Full-width digits and punctuation as their ASCII forms.
fn fold(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' => '.',
        '，' => ',',
        '＄' => '$',
        _ => c,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Arabic,
    Han,
    Words,
}

struct Number {
    value: f64,
    /// Index of the first char after the number.
    end: usize,
    kind: Kind,
    /// A multiplier or a Chinese unit was part of it (`15k`, `8万`, `三千`).
    unit: bool,
    /// Arabic digits in it.
    digits: usize,
}

fn han_digit(c: char) -> Option<f64> {
    Some(match c {
        '零' | '〇' => 0.0,
        '一' | '壹' | '幺' => 1.0,
        '二' | '两' | '贰' | '俩' => 2.0,
        '三' | '叁' => 3.0,
        '四' | '肆' => 4.0,
        '五' | '伍' => 5.0,
        '六' | '陆' => 6.0,
        '七' | '柒' => 7.0,
        '八' | '捌' => 8.0,
        '九' | '玖' => 9.0,
        _ => return None,
    })
}

fn han_small_unit(c: char) -> Option<f64> {
    Some(match c {
        '十' | '拾' => 10.0,
        '百' | '佰' => 100.0,
        '千' | '仟' => 1_000.0,
        _ => return None,
    })
}

fn han_big_unit(c: char) -> Option<f64> {
    Some(match c {
        '万' | '萬' => 10_000.0,
        '亿' => 100_000_000.0,
        _ => return None,
    })
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
}

/// A number starting at `i`: Arabic (with its multipliers and trailing Chinese units), a Chinese
/// numeral, or English number words.
fn number_at(chars: &[(usize, char)], i: usize) -> Option<Number> {
    let c = chars[i].1;
    if c.is_ascii_digit() {
        // Not the tail of a longer token ("MM-2026…", "A12").
        // ("RMB3,500" is a currency code, not a token.)
        if i > 0
            && (chars[i - 1].1.is_ascii_alphanumeric() || chars[i - 1].1 == '.')
            && currency_before(chars, i).is_none()
        {
            return None;
        }
        return arabic_at(chars, i);
    }
    if han_digit(c).is_some() || matches!(c, '十' | '拾') {
        return han_at(chars, i, 0.0, 0);
    }
    if is_latin(c) && (i == 0 || !is_latin(chars[i - 1].1)) {
        return words_at(chars, i);
    }
    None
}

fn arabic_at(chars: &[(usize, char)], i: usize) -> Option<Number> {
    let mut j = i;
    let mut s = String::new();
    let mut digits = 0;
    // Thousands separators only between groups of three.
    while j < chars.len() {
        let c = chars[j].1;
        if c.is_ascii_digit() {
            s.push(c);
            digits += 1;
            j += 1;
        } else if c == ','
            && !s.is_empty()
            && !s.contains('.')
            && (1..=3).all(|k| chars.get(j + k).is_some_and(|x| x.1.is_ascii_digit()))
            && chars.get(j + 4).is_none_or(|x| !x.1.is_ascii_digit())
        {
            j += 1;
        } else if c == '.' && !s.contains('.') && chars.get(j + 1).is_some_and(|x| x.1.is_ascii_digit()) {
            s.push('.');
            j += 1;
        } else {
            break;
        }
    }
    let mut value: f64 = s.parse().ok()?;
    let mut unit = false;
    // A multiplier letter right after: 15k, 1.2K, 2m, 1.5w (万 in chat).
    if let Some(&(_, m)) = chars.get(j) {
        let next_is_letter = chars.get(j + 1).is_some_and(|x| is_latin(x.1));
        let times = match m {
            'k' | 'K' if !next_is_letter => Some(1_000.0),
            'm' | 'M' if !next_is_letter => Some(1_000_000.0),
            'w' | 'W' if !next_is_letter => Some(10_000.0),
            _ => None,
        };
        if let Some(t) = times {
            value *= t;
            unit = true;
            j += 1;
        }
    }
    if !unit {
        // Chinese units after digits: 8万, 3千, 1万2, 2千5百.
        if let Some(&(_, u)) = chars.get(j) {
            if han_small_unit(u).is_some() || han_big_unit(u).is_some() {
                if let Some(n) = han_at(chars, j, value, digits) {
                    return Some(n);
                }
            }
        }
    }
    // A space or a thousands word after digits: "3 grand" is read with the currency;
    // "2 thousand", "1.5 million".
    let mut k = j;
    while chars.get(k).is_some_and(|c| c.1 == ' ') {
        k += 1;
    }
    for (word, times) in [("thousand", 1_000.0), ("million", 1_000_000.0), ("hundred", 100.0)] {
        if word_at(chars, k, word) {
            value *= times;
            unit = true;
            j = k + word.len();
            break;
        }
    }
    Some(Number {
        value,
        end: j,
        kind: Kind::Arabic,
        unit,
        digits,
    })
}

/// A Chinese numeral from `i`; `lead` is an Arabic number already read before it (`1.5` in
/// `1.5万`), `digits` its digit count.
fn han_at(chars: &[(usize, char)], i: usize, lead: f64, digits: usize) -> Option<Number> {
    let mut total = 0.0;
    let mut section = 0.0;
    let mut number = lead;
    let mut have_number = lead > 0.0;
    // The unit of the last unit character, for the elliptical tail (一万五 = 15,000).
    let mut last_unit: Option<f64> = None;
    let mut zero_seen = false;
    let mut unit = false;
    let mut j = i;
    let mut tail_digit = false;
    while j < chars.len() {
        let c = chars[j].1;
        if let Some(d) = han_digit(c) {
            if d == 0.0 {
                zero_seen = true;
            }
            // Two digits in a row ("三四百") are a range: keep the larger one.
            number = if tail_digit { number.max(d) } else { d };
            have_number = true;
            tail_digit = true;
        } else if c.is_ascii_digit() && j > i && !tail_digit {
            // 1万2, 2千5: Arabic digits between units.
            let n = arabic_at(chars, j)?;
            if n.unit {
                break;
            }
            number = n.value;
            have_number = true;
            tail_digit = true;
            j = n.end;
            continue;
        } else if let Some(u) = han_small_unit(c) {
            if !have_number && u != 10.0 {
                break;
            }
            section += if have_number { number } else { 1.0 } * u;
            number = 0.0;
            have_number = false;
            tail_digit = false;
            last_unit = Some(u);
            zero_seen = false;
            unit = true;
        } else if let Some(u) = han_big_unit(c) {
            if !have_number && section == 0.0 {
                break;
            }
            section += number;
            total += section * u;
            section = 0.0;
            number = 0.0;
            have_number = false;
            tail_digit = false;
            last_unit = Some(u);
            zero_seen = false;
            unit = true;
        } else {
            break;
        }
        j += 1;
    }
    if j == i && lead == 0.0 {
        return None;
    }
    // The spoken tail: 一万五 → 5 × 1,000; 两千三 → 3 × 100; 三百五 → 5 × 10 (not after 零).
    if tail_digit && !zero_seen {
        if let Some(u) = last_unit.filter(|u| *u >= 100.0) {
            number *= u / 10.0;
        }
    }
    let value = total + section + number;
    // 万一 / 千万 (idioms) never get here: a numeral starts with a digit or 十.
    Some(Number {
        value,
        end: j,
        kind: if lead > 0.0 { Kind::Arabic } else { Kind::Han },
        unit,
        digits,
    })
}

const SMALL_WORDS: &[(&str, f64)] = &[
    ("zero", 0.0),
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("thirteen", 13.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("sixteen", 16.0),
    ("seventeen", 17.0),
    ("eighteen", 18.0),
    ("nineteen", 19.0),
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("fifty", 50.0),
    ("sixty", 60.0),
    ("seventy", 70.0),
    ("eighty", 80.0),
    ("ninety", 90.0),
    ("a", 1.0),
];

/// True when the ASCII word `w` starts at `i` and ends on a word boundary (case-insensitive).
fn word_at(chars: &[(usize, char)], i: usize, w: &str) -> bool {
    let n = w.chars().count();
    if i + n > chars.len() {
        return false;
    }
    let matches = chars[i..i + n]
        .iter()
        .zip(w.chars())
        .all(|(c, w)| c.1.to_ascii_lowercase() == w);
    matches && chars.get(i + n).is_none_or(|c| !is_latin(c.1))
}

/// English number words: "two thousand", "fifteen hundred", "three hundred and fifty",
/// "a thousand". "a" alone, and small numbers without hundred/thousand, are read too (the
/// caller decides whether they are money).
fn words_at(chars: &[(usize, char)], i: usize) -> Option<Number> {
    let mut j = i;
    let mut total = 0.0;
    let mut current = 0.0;
    let mut any = false;
    let mut unit = false;
    let mut last_end = i;
    loop {
        // Skip spaces, hyphens and "and" between number words.
        let mut k = j;
        if any {
            while chars.get(k).is_some_and(|c| c.1 == ' ' || c.1 == '-') {
                k += 1;
            }
            if word_at(chars, k, "and") {
                k += 3;
                while chars.get(k).is_some_and(|c| c.1 == ' ') {
                    k += 1;
                }
            }
        }
        let mut matched = false;
        for (w, v) in SMALL_WORDS {
            // "a" only starts a number ("a thousand"), and only before a scale word.
            if *w == "a" && (any || !scale_follows(chars, k + 1)) {
                continue;
            }
            if word_at(chars, k, w) {
                current += v;
                j = k + w.len();
                matched = true;
                break;
            }
        }
        if !matched {
            for (w, v) in [("hundred", 100.0), ("thousand", 1_000.0), ("million", 1_000_000.0)] {
                if any && word_at(chars, k, w) {
                    if v == 100.0 {
                        current = current.max(1.0) * v;
                    } else {
                        total += current.max(1.0) * v;
                        current = 0.0;
                    }
                    unit = true;
                    j = k + w.len();
                    matched = true;
                    break;
                }
            }
        }
        if !matched {
            break;
        }
        any = true;
        last_end = j;
    }
    if !any {
        return None;
    }
    Some(Number {
        value: total + current,
        end: last_end,
        kind: Kind::Words,
        unit,
        digits: 0,
    })
}

fn scale_follows(chars: &[(usize, char)], mut k: usize) -> bool {
    while chars.get(k).is_some_and(|c| c.1 == ' ') {
        k += 1;
    }
    ["hundred", "thousand", "million"].iter().any(|w| word_at(chars, k, w))
}

/// Currency written before a number: the code and the index where it starts.
fn currency_before(chars: &[(usize, char)], i: usize) -> Option<(&'static str, usize)> {
    let mut k = i;
    while k > 0 && chars[k - 1].1 == ' ' {
        k -= 1;
    }
    if k == 0 {
        return None;
    }
    let prev = chars[k - 1].1;
    let symbol = match prev {
        '¥' | '￥' => Some("CNY"),
        '€' => Some("EUR"),
        '£' => Some("GBP"),
        '$' => {
            // US$, HK$
            let code = if k >= 3 && word_ends(chars, k - 1, "us") {
                return Some(("USD", k - 3));
            } else if k >= 3 && word_ends(chars, k - 1, "hk") {
                return Some(("HKD", k - 3));
            } else {
                "USD"
            };
            Some(code)
        }
        _ => None,
    };
    if let Some(code) = symbol {
        return Some((code, k - 1));
    }
    for (w, code) in [
        ("rmb", "CNY"),
        ("cny", "CNY"),
        ("usd", "USD"),
        ("eur", "EUR"),
        ("gbp", "GBP"),
        ("hkd", "HKD"),
    ] {
        if word_ends(chars, k, w) {
            return Some((code, k - w.len()));
        }
    }
    for (w, code) in [("人民币", "CNY"), ("美元", "USD"), ("美金", "USD")] {
        let n = w.chars().count();
        if k >= n && chars[k - n..k].iter().map(|c| c.1).eq(w.chars()) {
            return Some((code, k - n));
        }
    }
    None
}

/// True when the Latin word `w` ends right before index `k` (on a word boundary).
fn word_ends(chars: &[(usize, char)], k: usize, w: &str) -> bool {
    let n = w.len();
    k >= n
        && chars[k - n..k]
            .iter()
            .zip(w.chars())
            .all(|(c, w)| c.1.to_ascii_lowercase() == w)
        && (k == n || !is_latin(chars[k - n - 1].1))
}

/// Currency written after a number: its code, the index after it, and a multiplier it carries
/// ("3 grand" = 3,000).
fn currency_after(chars: &[(usize, char)], end: usize) -> Option<(&'static str, usize, f64)> {
    let mut k = end;
    // "五千多块", "200+ dollars", "100 多元".
    while chars
        .get(k)
        .is_some_and(|c| matches!(c.1, ' ' | '多' | '余' | '来' | '+'))
    {
        k += 1;
    }
    const HAN: &[(&str, &str)] = &[
        ("块钱", "CNY"),
        ("元", "CNY"),
        ("块", "CNY"),
        ("圆", "CNY"),
        ("人民币", "CNY"),
        ("美元", "USD"),
        ("美金", "USD"),
        ("刀", "USD"),
        ("欧元", "EUR"),
        ("英镑", "GBP"),
        ("港币", "HKD"),
        ("港元", "HKD"),
    ];
    for (w, code) in HAN {
        let n = w.chars().count();
        if k + n <= chars.len() && chars[k..k + n].iter().map(|c| c.1).eq(w.chars()) {
            return Some((code, k + n, 1.0));
        }
    }
    if chars
        .get(k)
        .is_some_and(|c| matches!(c.1, '¥' | '￥' | '$' | '€' | '£'))
        && k == end
    {
        // "500$", "300¥"
        let code = match chars[k].1 {
            '$' => "USD",
            '€' => "EUR",
            '£' => "GBP",
            _ => "CNY",
        };
        return Some((code, k + 1, 1.0));
    }
    const LATIN: &[(&str, &str, f64)] = &[
        ("dollars", "USD", 1.0),
        ("dollar", "USD", 1.0),
        ("bucks", "USD", 1.0),
        ("usd", "USD", 1.0),
        ("euros", "EUR", 1.0),
        ("euro", "EUR", 1.0),
        ("eur", "EUR", 1.0),
        ("pounds", "GBP", 1.0),
        ("quid", "GBP", 1.0),
        ("gbp", "GBP", 1.0),
        ("yuan", "CNY", 1.0),
        ("rmb", "CNY", 1.0),
        ("cny", "CNY", 1.0),
        ("rmb", "CNY", 1.0),
        ("hkd", "HKD", 1.0),
        ("grand", "USD", 1_000.0),
    ];
    for (w, code, times) in LATIN {
        if word_at(chars, k, w) {
            return Some((code, k + w.len(), *times));
        }
    }
    None
}

/// Words that show the message is about money.
#[rustfmt::skip]
const MONEY_EN: &[&str] = &[
    "refund", "paid", "pay", "payment", "cost", "costs", "costing", "price", "priced", "charged", "charge",
    "spent", "spend", "worth", "bill", "billed", "total", "amount", "money", "budget", "reimburse",
    "compensation", "deposit", "purchase", "invoice", "order worth", "value", "valued", "owe", "fee",
];
#[rustfmt::skip]
const MONEY_ZH: &[&str] = &[
    "退", "付", "花了", "价", "钱", "金额", "扣", "赔", "值", "总共", "一共", "合计", "货款", "预算", "报价", "采购", "费", "消费", "买了",
    "充值", "余额", "转账", "发票",
];

fn talks_money(lower: &str) -> bool {
    MONEY_ZH.iter().any(|w| lower.contains(w))
        || MONEY_EN
            .iter()
            .any(|w| crate::signals::contains_phrase(lower, w) || lower.contains(&format!("{w}s ")))
}

/// Digits that belong to an id, a phone number, a date or a time: joined to letters, dashes,
/// slashes or colons, or right after "order"/"#"/订单.
fn part_of_id(chars: &[(usize, char)], start: usize, end: usize) -> bool {
    let joined = |c: char| c.is_ascii_alphabetic() || matches!(c, '-' | '/' | ':' | '#' | '_' | '@');
    // Groups of a number written with spaces ("138 1234 5678"): a phone number, not money.
    let digit = |k: usize| chars.get(k).is_some_and(|c| c.1.is_ascii_digit());
    if start >= 2 && chars[start - 1].1 == ' ' && digit(start - 2)
        || chars.get(end).is_some_and(|c| c.1 == ' ') && digit(end + 1)
    {
        return true;
    }
    if start > 0 && joined(chars[start - 1].1) {
        return true;
    }
    if chars
        .get(end)
        .is_some_and(|c| joined(c.1) && !matches!(c.1, 'k' | 'K' | 'w' | 'W'))
    {
        return true;
    }
    let before: String = chars[start.saturating_sub(12)..start].iter().map(|c| c.1).collect();
    let before = before.to_lowercase();
    let id_words = [
        "order", "no.", "number", "订单", "单号", "编号", "尾号", "电话", "手机", "tracking", "phone",
    ];
    if id_words.iter().any(|w| before.trim_end().ends_with(w)) {
        return true;
    }
    // A year: "since 2024", "in 2025".
    let text: String = chars[start..end].iter().map(|c| c.1).collect();
    let year_words = ["in", "since", "from", "until", "year", "of"];
    if text.len() == 4
        && (text.starts_with("19") || text.starts_with("20"))
        && year_words.iter().any(|w| before.trim_end().ends_with(w))
    {
        return true;
    }
    // Eleven digits starting with 1: a Chinese mobile number.
    let digits: String = chars[start..end]
        .iter()
        .map(|c| c.1)
        .filter(char::is_ascii_digit)
        .collect();
    digits.len() >= 7 && !chars[start..end].iter().any(|c| c.1 == ',' || c.1 == '.')
}

/// A unit of something other than money right after the number: items, days, percent, weights.
fn other_unit_after(chars: &[(usize, char)], end: usize) -> bool {
    let mut k = end;
    while chars
        .get(k)
        .is_some_and(|c| matches!(c.1, ' ' | '多' | '余' | '来' | '+'))
    {
        k += 1;
    }
    let Some(&(_, c)) = chars.get(k) else {
        return false;
    };
    if matches!(c, '%' | '％' | '°') {
        return true;
    }
    if is_han(c) {
        const HAN_UNITS: &str =
            "件个台双箱套只条天日号年月周次步人位份瓶包张公斤克米分秒小岁度倍楼层单页本支把盒袋平方元块";
        // 元 and 块 are money: currency_after saw them already, so they never get here.
        return HAN_UNITS.contains(c) && !matches!(c, '元' | '块');
    }
    #[rustfmt::skip]
    const LATIN_UNITS: &[&str] = &[
        "pcs", "pieces", "piece", "items", "item", "units", "unit", "days", "day", "hours", "hour", "minutes",
        "mins", "weeks", "months", "years", "times", "people", "kg", "g", "cm", "mm", "km", "m", "ml", "l", "lbs",
        "points", "pts", "orders", "boxes", "pairs", "laptops", "phones", "steps", "miles", "gb", "tb", "mb", "w",
        "mah", "inch", "inches", "x", "st", "nd", "rd", "th", "percent", "am", "pm",
    ];
    LATIN_UNITS.iter().any(|w| word_at(chars, k, w))
}

#[cfg(test)]
#[path = "amount_tests.rs"]
mod tests;
