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

/// A stolen or hacked account; someone else's login, password, phone or e-mail change; orders
/// or payments the customer did not make.
fn security(s: &str) -> bool {
    const EN: &[&str] = &[
        "hacked",
        "hijacked",
        "compromised",
        "account was stolen",
        "account stolen",
        "stole my account",
        "stolen account",
        "took over my account",
        "taken over",
        "identity theft",
        "unauthorized",
        "unauthorised",
        "someone logged in",
        "someone logged into",
        "someone else logged",
        "somebody logged",
        "logged in from",
        "login from",
        "sign-in from",
        "signed in from",
        "suspicious login",
        "strange login",
        "unknown device",
        "unknown login",
        "new device i don't",
        "phishing",
        "someone changed my",
        "somebody changed my",
        "changed without me",
        "i didn't change",
        "i did not change",
        "i never changed",
        "someone is using my account",
        "someone used my account",
        "someone has access",
        "isn't mine",
        "is not mine",
        "not my number",
        "never placed",
        "didn't place",
        "did not place",
        "i didn't order",
        "i did not order",
        "i never ordered",
        "didn't make this purchase",
        "didn't make these",
        "not made by me",
        "weren't made by me",
        "wasn't me",
        "fraudulent",
        "someone's in my account",
        "someone is in my account",
        "someone's using my account",
        "someone got into",
        "someone accessed",
        "i didn't make",
        "i did not make",
        "i never made",
        "not me",
    ];
    const ZH: &[&str] = &[
        "被盗",
        "盗号",
        "被黑",
        "被人登",
        "别人登",
        "异地登录",
        "陌生设备",
        "陌生登录",
        "异常登录",
        "被人改",
        "被改了",
        "被篡改",
        "被换绑",
        "被人绑",
        "不是我下的",
        "不是我买的",
        "不是我本人",
        "我没下过",
        "我没有下过",
        "我没买过",
        "盗刷",
        "被刷",
        "冒用",
        "被冒充",
        "钓鱼",
        "不是我的手机号",
        "不是我操作",
        "不是本人操作",
        "非本人",
        "被别人用",
        "账号被",
        "账户被",
        "被人下单",
        "被人",
        "有人把我",
        "有人改了",
        "有人在用我",
        "有人用我",
        "有人登",
        "外地登录",
        "陌生号码",
        "没改过",
        "我没改",
        "根本没改",
        "我没有改",
        "没有修改过",
        "不是我改",
        "不是我登",
    ];
    let hit = any(s, EN) || any(s, ZH);
    if !hit {
        return false;
    }
    // "isn't mine" / "not my number" / "never placed" are about security only with an account
    // or an order or a login around them.
    let context_en = [
        "account", "password", "login", "log in", "logged", "email", "e-mail", "phone", "number", "order", "orders",
        "purchase", "charge", "card", "code", "address", "device",
    ];
    let context_zh = [
        "账号",
        "账户",
        "密码",
        "登录",
        "手机",
        "邮箱",
        "订单",
        "下单",
        "银行卡",
        "验证码",
        "地址",
        "设备",
        "付款",
        "支付",
    ];
    any(s, &context_en) || any(s, &context_zh) || any(s, &["hacked", "hijacked", "盗号", "被盗", "被黑", "盗刷"])
}

/// A charge taken twice or not recognised; a refund missing past its time or without a
/// reference.
fn billing(s: &str) -> bool {
    const CHARGE: &[&str] = &[
        "charged twice",
        "charged me twice",
        "charged two times",
        "double charged",
        "double-charged",
        "double charge",
        "duplicate charge",
        "duplicate payment",
        "charged double",
        "two charges",
        "paid twice",
        "overcharged",
        "over-charged",
        "extra charge",
        "charged more than",
        "charge i don't recognise",
        "charge i don't recognize",
        "charge i do not recognise",
        "charge i do not recognize",
        "don't recognise this charge",
        "don't recognize this charge",
        "unknown charge",
        "strange charge",
        "mystery charge",
        "charged again",
        "taken twice",
        "deducted twice",
        "billed twice",
        "charged for something",
        "扣了两次",
        "扣两次",
        "重复扣款",
        "重复扣费",
        "重复支付",
        "付了两次",
        "支付了两次",
        "多扣",
        "多收",
        "扣了两笔",
        "两笔扣款",
        "乱扣",
        "莫名扣",
        "莫名其妙扣",
        "不明扣款",
        "不认识的扣款",
        "扣错",
        "多扣款",
        "被扣了",
        "扣费异常",
    ];
    if any(s, CHARGE) || patterns().iter().any(|p| p.is_match(s)) {
        return true;
    }
    // A charge the customer does not recognise or did not authorise.
    let charge = any(
        s,
        &[
            "charge",
            "charges",
            "payment",
            "debit",
            "transaction",
            "扣款",
            "扣费",
            "扣了",
            "消费记录",
            "账单",
        ],
    );
    let unknown = any(
        s,
        &[
            "don't recognise",
            "don't recognize",
            "do not recognise",
            "do not recognize",
            "not recognise",
            "not recognize",
            "no idea what",
            "never authorised",
            "never authorized",
            "didn't authorise",
            "didn't authorize",
            "haven't ordered",
            "have not ordered",
            "didn't buy",
            "never bought",
            "不认识",
            "没买过",
            "没消费",
            "不知道是什么",
            "没授权",
            "没有授权",
            "莫名",
        ],
    );
    if charge && unknown {
        return true;
    }
    // A refund missing: the refund, not arrived, and time past or a reference asked for.
    let refund = any(s, &["refund", "refunded", "money back", "退款", "退的钱", "退钱"]);
    let missing = any(
        s,
        &[
            "hasn't arrived",
            "has not arrived",
            "haven't received",
            "have not received",
            "never received",
            "never got",
            "still not",
            "still no",
            "still haven't",
            "not arrived",
            "hasn't come",
            "no sign of",
            "not showing",
            "isn't showing",
            "where is my refund",
            "still waiting",
            "didn't get",
            "did not get",
            "还没到",
            "没到账",
            "没收到",
            "还没收到",
            "还没退",
            "没退回",
            "一直没",
            "迟迟",
            "不见",
            "查不到",
            "没看到",
            "nothing in",
            "nothing on",
            "nothing yet",
            "not there",
            "没影",
            "没有这笔",
            "没进账",
        ],
    );
    let late = any(
        s,
        &[
            "weeks",
            "a month",
            "month",
            "over a week",
            "more than a week",
            "days ago",
            "promised",
            "past the",
            "already past",
            "overdue",
            "10 days",
            "ten days",
            "two weeks",
            "15 days",
            "reference",
            "transaction id",
            "arn",
            "bank says",
            "bank said",
            "半个月",
            "两周",
            "两个星期",
            "一个月",
            "一个多月",
            "超过",
            "早就",
            "说好",
            "承诺",
            "过了",
            "退款单号",
            "流水号",
            "凭证",
            "银行说",
            "银行查不到",
            "十天",
            "十几天",
            "二十天",
            "business days",
            "working days",
            "工作日",
            "礼拜",
            "星期了",
        ],
    );
    refund && missing && late
        || refund
            && any(
                s,
                &[
                    "no reference",
                    "without a reference",
                    "no refund reference",
                    "退款单号",
                    "没有流水",
                    "没有凭证",
                ],
            )
}

/// Charges taken twice, written freely: "two ¥268 charges", "扣了我两次钱".
fn patterns() -> &'static [regex::Regex] {
    static P: std::sync::OnceLock<Vec<regex::Regex>> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        [
            r"\b(?:two|2|double|duplicate)\s+(?:\S+\s+){0,2}(?:charges|payments|debits|transactions)\b",
            r"扣[了我钱款]{0,3}(?:两|2)[次笔遍]",
            r"(?:两|2)[次笔](?:扣|付|支付|钱)",
        ]
        .iter()
        .map(|p| regex::Regex::new(p).expect("a valid pattern"))
        .collect()
    })
}

/// Someone asked to do something on the account or order for the customer.
fn account_action(s: &str) -> bool {
    let how_to = any(
        s,
        &[
            "how do i",
            "how can i",
            "how to",
            "can i myself",
            "where do i",
            "怎么",
            "如何",
            "怎样",
            "在哪",
        ],
    );
    const EN: &[&str] = &[
        "merge my orders",
        "merge the orders",
        "merge orders",
        "merge these",
        "merge them",
        "combine my orders",
        "combine the orders",
        "combine orders",
        "combine them into one",
        "ship them together",
        "into one parcel",
        "into one shipment",
        "for me",
        "on my behalf",
        "you do it",
        "can you do it",
        "do it yourself",
    ];
    const VERBS_EN: &[&str] = &[
        "cancel", "change", "update", "file", "process", "merge", "combine", "submit", "return", "reset", "delete",
        "add", "remove", "apply", "unlock", "swap", "switch", "edit", "correct", "fix", "raise", "open", "start",
        "issue", "close", "transfer", "move", "put", "book", "arrange",
    ];
    // "can you merge my two orders", "could you change the email on my account".
    let asked_to = ["can you ", "could you ", "would you ", "will you ", "please "]
        .iter()
        .any(|p| {
            s.match_indices(p).any(|(at, _)| {
                let next = s[at + p.len()..]
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .next()
                    .unwrap_or("");
                VERBS_EN.contains(&next) && !matches!(next, "start" | "open" | "book" | "put" | "arrange" | "return")
            })
        });
    let merge = ["merge", "combine"].iter().any(|v| {
        s.find(v)
            .is_some_and(|at| s[at..].chars().take(30).collect::<String>().contains("order"))
    });
    let en = if any(s, &["for me", "on my behalf"]) {
        any(s, VERBS_EN) && !how_to
    } else {
        any(s, &EN[..12]) || merge || asked_to && !how_to
    };
    const ZH_MERGE: &[&str] = &[
        "合并订单",
        "订单合并",
        "合并发货",
        "合单",
        "一起发",
        "合并付款",
        "合并成一",
    ];
    let zh_do = ["帮我", "替我", "给我", "你们直接", "麻烦你们", "你直接", "帮忙"]
        .iter()
        .any(|w| {
            s.find(w).is_some_and(|at| {
                let after = &s[at + w.len()..];
                let after: String = after.chars().take(10).collect();
                [
                    "取消",
                    "改",
                    "修改",
                    "更改",
                    "换绑",
                    "解绑",
                    "退",
                    "提交",
                    "申请",
                    "合并",
                    "处理",
                    "操作",
                    "注销",
                    "登记",
                    "办",
                    "开",
                    "补",
                    "加",
                    "删",
                    "撤",
                    "备注",
                    "转寄",
                    "拦截",
                    "重新发",
                    "重发",
                    "补发",
                    "换成",
                    "换一下",
                ]
                .iter()
                .any(|v| after.contains(v))
                    && !["查", "看", "问"].iter().any(|v| after.starts_with(v))
            })
        })
        && !how_to;
    en || any(s, ZH_MERGE) || zh_do
}

/// An injury, or damage to the customer's property: a safety incident whatever else is asked.
fn harm(s: &str) -> bool {
    const EN: &[&str] = &[
        "burned",
        "burnt",
        "burn on",
        "burns on",
        "scalded",
        "scald",
        "blister",
        "blew off",
        "blew up",
        "on the ceiling",
        "scar",
        "blisters",
        "cut my",
        "cut his",
        "cut her",
        "cut their",
        "bleeding",
        "blood",
        "stitches",
        "injured",
        "injury",
        "injuries",
        "got hurt",
        "hurt my",
        "hurt his",
        "hurt her",
        "hurt himself",
        "hurt herself",
        "hurt themselves",
        "was hurt",
        "rash",
        "allergic reaction",
        "hives",
        "sparked",
        "sparks",
        "sparking",
        "melted",
        "melting",
        "scorched",
        "singed",
        "caught fire",
        "on fire",
        "fire",
        "flames",
        "smoke",
        "smoking",
        "electrocuted",
        "electric shock",
        "shocked me",
        "shocked my",
        "gave me a shock",
        "choked",
        "choking",
        "swallowed",
        "exploded",
        "explode",
        "burst",
        "shattered",
        "hospital",
        "a&e",
        "emergency room",
        "doctor",
        "damaged my",
        "ruined my",
        "flooded",
        "leaked all over",
        "water damage",
        "stained my",
        "scratched my floor",
        "broke my",
    ];
    const ZH: &[&str] = &[
        "烫伤",
        "烧伤",
        "划伤",
        "割伤",
        "刮伤",
        "扎伤",
        "砸伤",
        "摔伤",
        "夹伤",
        "受伤",
        "伤到",
        "流血",
        "出血",
        "缝针",
        "过敏",
        "起疹",
        "红肿",
        "起泡",
        "水泡",
        "炸开",
        "崩了一地",
        "火花",
        "冒火",
        "起火",
        "着火",
        "冒烟",
        "烧焦",
        "烧黑",
        "熏黑",
        "烧坏",
        "融化",
        "化了",
        "漏电",
        "电到",
        "电了一下",
        "触电",
        "噎",
        "误吞",
        "吞了",
        "爆炸",
        "炸了",
        "爆了",
        "鼓包",
        "医院",
        "急诊",
        "看医生",
        "泡坏",
        "弄坏了我的",
        "损坏了我的",
        "把地板",
        "把桌子",
        "把墙",
        "划破",
        "割破",
        "磕破",
        "好多血",
        "血流",
    ];
    // "no smoke", "没有受伤", "nobody was hurt" alone do not report harm.
    let affirmed = |w: &&str| {
        let mut from = 0;
        while let Some(i) = s[from..].find(*w) {
            let at = from + i;
            from = at + w.len();
            let before = &s[..at];
            let bounded = !w.is_ascii() || {
                let left = before.chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric());
                let right = s[from..].chars().next().is_none_or(|c| !c.is_ascii_alphanumeric());
                left && right
            };
            let negated = [
                "no ", "not ", "wasn't ", "weren't ", "nobody ", "no one ", "without ", "never ",
            ]
            .iter()
            .any(|n| {
                before.ends_with(n) || before.ends_with(&format!("{n}been ")) || before.ends_with(&format!("{n}get "))
            }) || ["没有", "没", "不", "未", "无"].iter().any(|n| before.ends_with(n));
            if bounded && !negated {
                return true;
            }
        }
        false
    };
    EN.iter().any(affirmed) || ZH.iter().any(affirmed)
}

#[cfg(test)]
mod tests {
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
}
