//! What is at stake beyond a question, as classes rather than sentences: an account's security (a
//! stolen or hacked account, a login, password, phone number or order the customer did not
//! make), a billing dispute (a charge taken twice or not recognised, a refund missing past its
//! time or without a reference), a request that someone *do* something on the account or order
//! (merge, cancel, change, file it for me), and harm — an injury or damage to property — which
//! is a safety incident whatever else the message asks.
//!
//! Each class is a small grammar: a subject (account, password, charge, refund …) with what
//! happened to it (stolen, changed by someone, twice, not arrived after two weeks …), in either
//! language; negated mentions do not count ("I wasn't hurt" still reports the incident only when
//! something else was damaged).

use backstop_core::routing::Sensitive;

use crate::signals::contains_phrase;

mod act;
mod money;

use act::{account_action, harm};
use money::{billing, security};

/// The stakes a message raises (security, billing, account_action, safety), in order.
pub fn stakes(text: &str) -> Vec<Sensitive> {
    let s = crate::signals::normalize(text);
    let mut out = Vec::new();
    if security(&s) {
        out.push(Sensitive::Security);
    }
    if billing(&s) {
        out.push(Sensitive::Billing);
    }
    if account_action(&s) {
        out.push(Sensitive::AccountAction);
    }
    if harm(&s) {
        out.push(Sensitive::Safety);
    }
    out
}

/// Whether the text's own words anchor a class the stakes classifier reads: an account, a
/// login or a code for security; money taken or returned for billing; an order, the account or
/// a document, asked to be acted on, for an account action.
pub fn anchored(kind: Sensitive, text: &str) -> bool {
    let s = crate::signals::normalize(text);
    match kind {
        Sensitive::Security => any(
            &s,
            &[
                "account",
                "password",
                "login",
                "log in",
                "logged",
                "sign in",
                "signed",
                "email",
                "e-mail",
                "phone",
                "number",
                "code",
                "device",
                "order",
                "orders",
                "points",
                "card",
                "address",
                "hacked",
                "someone",
                "账号",
                "账户",
                "帐号",
                "密码",
                "登录",
                "登",
                "手机",
                "邮箱",
                "验证码",
                "设备",
                "订单",
                "积分",
                "卡",
                "地址",
                "号",
            ],
        ),
        Sensitive::Billing => any(
            &s,
            &[
                "charge",
                "charged",
                "charges",
                "billed",
                "bill",
                "paid",
                "pay",
                "payment",
                "refund",
                "money",
                "statement",
                "card",
                "deducted",
                "debit",
                "transaction",
                "amount",
                "扣",
                "钱",
                "退款",
                "付",
                "账单",
                "款",
                "金额",
                "流水",
                "元",
                "块",
                "¥",
                "$",
            ],
        ),
        Sensitive::AccountAction => any(
            &s,
            &[
                "can you",
                "could you",
                "would you",
                "please",
                "for me",
                "帮",
                "麻烦",
                "请",
                "能不能",
                "能否",
                "可以帮",
                "给我",
            ],
        ),
        _ => false,
    }
}

fn any(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| {
        if w.is_ascii() {
            contains_phrase(s, w)
        } else {
            s.contains(w)
        }
    })
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
