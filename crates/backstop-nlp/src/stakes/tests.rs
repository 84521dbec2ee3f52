//! Tests of the stakes: account security, billing disputes, requests to act, harm.

use super::*;

fn has(text: &str, s: Sensitive) -> bool {
    stakes(text).contains(&s)
}

#[test]
fn account_security() {
    for t in [
        "my account was hacked",
        "someone changed my password and phone number",
        "there's an order on my account I never placed",
        "我的账号被盗了",
        "绑定的手机号被人改了",
        "账户里多了两个不是我下的订单",
    ] {
        assert!(has(t, Sensitive::Security), "{t}");
    }
    for t in [
        "how do I change my password?",
        "忘记密码怎么办",
        "the box is not mine to open",
    ] {
        assert!(!has(t, Sensitive::Security), "{t}");
    }
}

#[test]
fn billing_disputes() {
    for t in [
        "I was charged twice for the same order",
        "there's a charge I don't recognise on my card",
        "my refund still hasn't arrived and it's been three weeks",
        "重复扣款了",
        "退款说好3天到账，已经半个月了还没到",
    ] {
        assert!(has(t, Sensitive::Billing), "{t}");
    }
    for t in [
        "how long does a refund take?",
        "退款多久到账",
        "my refund hasn't arrived yet, is that normal?",
    ] {
        assert!(!has(t, Sensitive::Billing), "{t}");
    }
}

#[test]
fn requests_to_act() {
    for t in [
        "can you merge my orders?",
        "please file my return for me",
        "change the e-mail on my account for me",
        "帮我把这两个订单合并发货",
        "麻烦帮我取消订单 MM-20261101-0256",
    ] {
        assert!(has(t, Sensitive::AccountAction), "{t}");
    }
    for t in [
        "how do I cancel an order?",
        "怎么申请退货",
        "帮我看看我的单发了没",
        "is there a gift for me",
    ] {
        assert!(!has(t, Sensitive::AccountAction), "{t}");
    }
}

#[test]
fn harm_is_safety_whatever_else_is_asked() {
    for t in [
        "the kettle burned my hand, can I get a refund?",
        "the charger melted and scorched my desk",
        "my son cut his finger on the toy",
        "水壶把我手烫伤了，能退吗",
        "充电器融化了，把桌子烧黑了",
    ] {
        assert!(has(t, Sensitive::Safety), "{t}");
    }
    for t in [
        "no one was hurt but the box is dented",
        "没有受伤，只是包装坏了",
        "How long does delivery take?",
    ] {
        assert!(!has(t, Sensitive::Safety), "{t}");
    }
}

/// The fourth pass (classes seen on `dialogues-dev2`, written here in other words): a code
/// handed to someone posing as the shop, a change the customer did not make, two charges for
/// one order, a refund's reference asked for, a refund sent somewhere else, and asks to act
/// "from your end" or with an order number between the ask and the verb.
#[test]
fn fourth_pass_stakes() {
    for t in [
        "A man saying they were from your returns team asked for my login code and I gave it",
        "I got an alert that my phone number was updated but I haven't touched my account settings",
        "有人自称你们售后，我把验证码发给他了",
        "提示我的收货地址改了，我压根没动过",
    ] {
        assert!(has(t, Sensitive::Security), "{t}");
    }
    for t in [
        "Two payments of ¥399 went out today and I only placed one order",
        "卡里划走了两笔一样的钱，我就下了一单",
        "My bank needs the refund's trace number, can you send it?",
        "退款的交易单号能发我一下吗，支付宝那边要查",
        "The refund went to my old card instead of the debit card I used",
        "退款退错卡了，我付款用的是招行",
    ] {
        assert!(has(t, Sensitive::Billing), "{t}");
    }
    for t in [
        "Where does the refund go if my old card was cancelled?",
        "Can I get the refund to store credit instead of my card?",
        "What reference should I write on the return parcel?",
    ] {
        assert!(!has(t, Sensitive::Billing), "{t}");
    }
    for t in [
        "Could you start the exchange from your end? The app keeps crashing",
        "麻烦帮我把MM-20261203-0042的收件人电话改成13800000000",
        "你们那边能直接帮我报个维修吗",
    ] {
        assert!(has(t, Sensitive::AccountAction), "{t}");
    }
}
