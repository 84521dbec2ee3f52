//! Facts customers give in passing — order numbers, e-mail addresses, phone numbers, amounts — so
//! the agent taking over does not have to ask again; and [`redact`], which takes the personal ones
//! (and street addresses, and given names) out of a text before it becomes knowledge for everyone
//! or is offered to another customer's agent.

use std::sync::OnceLock;

use backstop_core::handoff::{Fact, FactKind};
use backstop_core::message::Lang;
use regex::Regex;

struct Patterns {
    order: Regex,
    email: Regex,
    phone: Regex,
    /// Street addresses: English (a house number, a capitalised street name, a street type, a
    /// flat), post-office boxes, Chinese (a road or estate with its number, building and room).
    address: Vec<Regex>,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        // Store-style ids (MM-20261121-0042, #A12345678) and long bare digit runs after "order"/订单.
        // Word boundaries are ASCII ones throughout: to a Unicode `\b` a Han character is a word
        // character, so an id or address written right after Chinese text would not be found.
        order: Regex::new(r"(?i)(?-u:\b)[A-Z]{1,4}-\d{6,8}-\d{2,6}(?-u:\b)|#[A-Z0-9]{6,20}(?-u:\b)|(?:order|订单号?|单号)\s*(?:number|no\.?|#|:|：)?\s*([A-Z0-9-]{6,24})")
            .expect("order pattern"),
        email: Regex::new(r"(?i)(?-u:\b)[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}(?-u:\b)").expect("email pattern"),
        phone: Regex::new(r"(?:\+?86[\s-]?)?(?-u:\b)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?-u:\b)|\+\d{1,3}[\s-]?\(?\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?-u:\b)")
            .expect("phone pattern"),
        address: [
            // 221B Baker Street, 10 Downing St., 1600 Pennsylvania Avenue NW, Apt 4B
            r"\b\d{1,5}[A-Za-z]?,?\s+(?:(?:[A-Z][A-Za-z'.-]*|\d{1,3}(?:st|nd|rd|th))\s+){1,4}(?i:street|st|road|rd|avenue|ave|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|close|crescent|parkway|pkwy|highway|hwy|square|sq|row|walk|gardens)\b\.?(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b)?(?:,?\s*(?i:apt|apartment|unit|suite|ste|flat|floor|fl|room|rm|#)\.?\s*#?[A-Za-z0-9-]{1,6})?",
            r"(?i)\bp\.?\s?o\.?\s+box\s+\d{1,8}\b",
            // 世纪大道100号, 文三路90号3号楼1201室, 建国路88号SOHO现代城A座
            r"[\p{Han}A-Za-z0-9--[省市区县镇乡]]{1,8}(?:路|街|大道|大街|巷|弄|胡同|里)\s*\d{1,5}\s*(?:号|號)(?:\s*[\p{Han}A-Za-z]{0,8}?\s*(?:\d{1,4}|[A-Za-z])\s*(?:号楼|栋|幢|座|单元|层|楼|室|号))*",
            // 张庄村5组12号, 南锣鼓巷胡同12号院
            r"[\p{Han}--[省市区县镇乡在到于住放]]{1,6}村\s*\d{1,3}\s*组(?:\s*\d{1,4}\s*号)?|[\p{Han}]{1,6}(?:胡同|巷)\s*\d{1,4}\s*号院",
            // 阳光花园小区5栋302, 金地公寓3号楼2单元501室
            r"[\p{Han}--[省市区县镇乡在到于住放]]{1,8}(?:小区|花园|公寓|大厦|社区|新村|家园|苑)\s*\d{1,4}\s*(?:号楼|栋|幢|座)(?:\s*\d{1,4}\s*(?:单元|层|楼|室|号))*(?:\s*\d{2,5}\s*室?)?",
        ]
        .iter()
        .map(|p| Regex::new(p).expect("address pattern"))
        .collect(),
    })
}

/// Extracts facts from `text`, in order of appearance per kind, without duplicates.
pub fn extract(text: &str) -> Vec<Fact> {
    let p = patterns();
    let mut out: Vec<Fact> = Vec::new();
    let mut push = |kind, value: &str| {
        let value = value.trim().to_string();
        if !value.is_empty() && !out.iter().any(|f: &Fact| f.kind == kind && f.value == value) {
            out.push(Fact { kind, value });
        }
    };
    let emails: Vec<&str> = p.email.find_iter(text).map(|m| m.as_str()).collect();
    for m in p.order.captures_iter(text) {
        let v = m.get(1).unwrap_or_else(|| m.get(0).expect("whole match")).as_str();
        if v.chars().any(|c| c.is_ascii_digit()) && !emails.iter().any(|e| e.contains(v)) {
            push(FactKind::OrderNumber, v.trim_start_matches('#'));
        }
    }
    for e in &emails {
        push(FactKind::Email, e);
    }
    for m in p.phone.find_iter(text) {
        push(FactKind::Phone, m.as_str());
    }
    for a in crate::amount::find(text) {
        push(FactKind::Amount, &text[a.start..a.end]);
    }
    out
}

/// `text` without personal data: order numbers, e-mail addresses, phone numbers and the given
/// `names` become placeholders in the text's language (`[order number]`, `[订单号]` …). Amounts
/// stay: they are usually policy ("a ¥10 fee"), not personal.
pub fn redact(text: &str, names: &[&str]) -> String {
    let zh = crate::lang::detect_or(text, Lang::En) == Lang::Zh;
    let label = |en: &'static str, zh_label: &'static str| if zh { zh_label } else { en };
    let p = patterns();
    let mut out = p.email.replace_all(text, label("[e-mail]", "[邮箱]")).into_owned();
    out = p.phone.replace_all(&out, label("[phone]", "[电话]")).into_owned();
    for re in &p.address {
        out = re.replace_all(&out, label("[address]", "[地址]")).into_owned();
    }
    out = p
        .order
        .replace_all(&out, |c: &regex::Captures| match c.get(1) {
            // "order myself": a word, not a number (as in `extract`, an id has a digit).
            Some(id) if !id.as_str().chars().any(|c| c.is_ascii_digit()) => {
                c.get(0).map_or("", |m| m.as_str()).to_string()
            }
            // "order MM-…": keep the word, drop the number.
            Some(id) => {
                let whole = c.get(0).map_or("", |m| m.as_str());
                let keep = &whole[..id.start() - c.get(0).map_or(0, |m| m.start())];
                format!("{keep}{}", label("[order number]", "[订单号]"))
            }
            None => label("[order number]", "[订单号]").to_string(),
        })
        .into_owned();
    for pattern in names.iter().flat_map(|n| name_patterns(n)) {
        out = pattern.replace_all(&out, label("[name]", "[姓名]")).into_owned();
    }
    out
}

/// What a person's name looks like in a text: the whole name, then each part of a Latin name on
/// its own (whole words, at least two letters: "Hi Alice" for Alice Wong, never "already" for
/// "Al"), and a Chinese name's surname with a title (王先生, 王女士, 王小姐, 老王, 小王) and its
/// given name alone when it has two characters (小明 for 王小明).
fn name_patterns(name: &str) -> Vec<Regex> {
    let name = name.trim();
    let mut out = Vec::new();
    let han = |c: char| ('\u{4E00}'..='\u{9FFF}').contains(&c);
    if name.chars().count() >= 2 {
        if name.chars().all(han) {
            out.push(regex::escape(name));
            let chars: Vec<char> = name.chars().collect();
            let surname = chars[0].to_string();
            out.push(format!("{surname}(?:先生|女士|小姐|老师|经理|总)|[老小]{surname}"));
            if chars.len() == 3 {
                out.push(regex::escape(&chars[1..].iter().collect::<String>()));
            }
        } else {
            out.push(format!(r"(?i)\b{}\b", regex::escape(name)));
            for part in name.split(|c: char| c.is_whitespace() || c == '-' || c == '.') {
                // As written (capitalised): "Will Smith" takes "Will", not "we will ship".
                if part.chars().count() >= 2 && part.chars().all(|c| c.is_alphabetic()) {
                    out.push(format!(r"\b{}\b", regex::escape(part)));
                }
            }
        }
    }
    out.iter().filter_map(|p| Regex::new(p).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str, kind: FactKind) -> Vec<String> {
        extract(text)
            .into_iter()
            .filter(|f| f.kind == kind)
            .map(|f| f.value)
            .collect()
    }

    #[test]
    fn order_numbers() {
        assert_eq!(
            values("my order MM-20261121-0042 is late", FactKind::OrderNumber),
            ["MM-20261121-0042"]
        );
        assert_eq!(
            values("订单号：A20261121888 还没发货", FactKind::OrderNumber),
            ["A20261121888"]
        );
        assert_eq!(values("order #XK12345678", FactKind::OrderNumber), ["XK12345678"]);
        assert!(values("I ordered it yesterday", FactKind::OrderNumber).is_empty());
    }

    #[test]
    fn facts_run_into_chinese_text_are_found() {
        // Han characters are word characters to a Unicode `\b`: no boundary between 箱 and z.
        let t = "验证码发到邮箱zhoujiayi@qq.com，电话13812345678，打开MM-20261116-0127就能看到";
        assert_eq!(values(t, FactKind::Email), ["zhoujiayi@qq.com"]);
        assert_eq!(values(t, FactKind::Phone), ["13812345678"]);
        assert_eq!(values(t, FactKind::OrderNumber), ["MM-20261116-0127"]);
        assert_eq!(
            redact("请联系邮箱wang@qq.com或电话13812345678", &[]),
            "请联系邮箱[邮箱]或电话[电话]"
        );
    }

    #[test]
    fn contacts_and_amounts() {
        let t = "reach me at li.wei@example.com or 138 1234 5678, I paid ¥299.00";
        assert_eq!(values(t, FactKind::Email), ["li.wei@example.com"]);
        assert_eq!(values(t, FactKind::Phone), ["138 1234 5678"]);
        assert_eq!(values(t, FactKind::Amount), ["¥299.00"]);
        assert_eq!(values("退我 120 元", FactKind::Amount), ["120 元"]);
    }

    #[test]
    fn personal_data_is_redacted_in_the_texts_language() {
        let en = redact(
            "Hi Alice Wong, your order MM-20261121-0042 ships today. Call 138-0013-8000 or write to alice@example.com. The fee is ¥10.",
            &["Alice Wong"],
        );
        assert_eq!(
            en,
            "Hi [name], your order [order number] ships today. Call [phone] or write to [e-mail]. The fee is ¥10."
        );
        assert_eq!(
            redact(
                "Can I pick up my order myself at the warehouse? Order 20261121 too.",
                &[]
            ),
            "Can I pick up my order myself at the warehouse? Order [order number] too."
        );
        let zh = redact(
            "王小明您好，订单号 MM-20261121-0042 已发货，有问题请拨打 13800138000。",
            &["王小明"],
        );
        assert_eq!(zh, "[姓名]您好，订单号 [订单号] 已发货，有问题请拨打 [电话]。");
        assert_eq!(redact("Nothing personal here.", &["A"]), "Nothing personal here.");
    }

    #[test]
    fn names_are_found_by_their_parts_and_titles() {
        assert_eq!(
            redact("Hi Alice, thanks. Wong here: all good, Alice Wong.", &["Alice Wong"]),
            "Hi [name], thanks. [name] here: all good, [name]."
        );
        // Whole words only: an agent called "Al" does not take "already" apart.
        assert_eq!(redact("Al has already sent it", &["Al"]), "[name] has already sent it");
        assert_eq!(
            redact("Will Smith: we will ship it", &["Will Smith"]),
            "[name]: we will ship it"
        );
        assert_eq!(
            redact("王先生您好，小明说地址改好了，请王小明本人签收。", &["王小明"]),
            "[姓名]您好，[姓名]说地址改好了，请[姓名]本人签收。"
        );
    }

    #[test]
    fn street_addresses_are_redacted_in_both_languages() {
        for (text, want) in [
            (
                "I'll send it to 221B Baker Street, London.",
                "I'll send it to [address], London.",
            ),
            (
                "Ship to 1600 Pennsylvania Avenue NW, Apt 4B please",
                "Ship to [address] please",
            ),
            (
                "Our courier left it at 10 Downing St. yesterday",
                "Our courier left it at [address] yesterday",
            ),
            ("Use P.O. Box 1234 instead", "Use [address] instead"),
            ("It went to 300 E 57th St, apartment 9", "It went to [address]"),
            ("寄到张庄村5组12号吧", "寄到[地址]吧"),
            // The city and district stay: they are not the customer's own.
            ("已改寄到上海市浦东新区世纪大道100号", "已改寄到上海市浦东新区[地址]"),
            (
                "收货地址：杭州西湖区文三路90号3号楼1201室，请查收",
                "收货地址：杭州西湖区[地址]，请查收",
            ),
            ("快递放在阳光花园小区5栋302门口了", "快递放在[地址]门口了"),
        ] {
            assert_eq!(redact(text, &[]), want, "{text}");
        }
        // Numbers that are not addresses stay.
        for text in [
            "I waited 3 days way too long",
            "I ordered 2 Large Coffee Mugs and 1 Tea Set",
            "Version 2 Way Forward is out",
            "退款 3 到 5 个工作日到账，第2天发货",
            "学习路线有 3 条",
            "满100元包邮",
            "Room for 2 more in the box",
        ] {
            assert!(
                !redact(text, &[]).contains("[address]") && !redact(text, &[]).contains("[地址]"),
                "{text}: {}",
                redact(text, &[])
            );
        }
    }
}
