//! Facts customers give in passing — order numbers, e-mail addresses, phone numbers, amounts — so
//! the agent taking over does not have to ask again.

use std::sync::OnceLock;

use backstop_core::handoff::{Fact, FactKind};
use regex::Regex;

struct Patterns {
    order: Regex,
    email: Regex,
    phone: Regex,
    amount: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        // Store-style ids (MM-20261121-0042, #A12345678) and long bare digit runs after "order"/订单.
        order: Regex::new(r"(?i)\b[A-Z]{1,4}-\d{6,8}-\d{2,6}\b|#[A-Z0-9]{6,20}\b|(?:order|订单号?|单号)\s*(?:number|no\.?|#|:|：)?\s*([A-Z0-9-]{6,24})")
            .expect("order pattern"),
        email: Regex::new(r"(?i)\b[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}\b").expect("email pattern"),
        phone: Regex::new(r"(?:\+?86[\s-]?)?\b1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}\b|\+\d{1,3}[\s-]?\(?\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b")
            .expect("phone pattern"),
        amount: Regex::new(r"(?:[¥￥$€£]\s?\d[\d,]*(?:\.\d{1,2})?|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:元|块|rmb|cny|usd|dollars?|euros?)\b|\d[\d,]*(?:\.\d{1,2})?\s?(?:元|块))")
            .expect("amount pattern"),
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
    for m in p.amount.find_iter(text) {
        push(FactKind::Amount, m.as_str());
    }
    out
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
    fn contacts_and_amounts() {
        let t = "reach me at li.wei@example.com or 138 1234 5678, I paid ¥299.00";
        assert_eq!(values(t, FactKind::Email), ["li.wei@example.com"]);
        assert_eq!(values(t, FactKind::Phone), ["138 1234 5678"]);
        assert_eq!(values(t, FactKind::Amount), ["¥299.00"]);
        assert_eq!(values("退我 120 元", FactKind::Amount), ["120 元"]);
    }
}
