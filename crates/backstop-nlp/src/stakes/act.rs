//! Requests to act on the account or order, and harm (an injury, damaged property).

use super::any;

/// Someone asked to do something on the account or order for the customer.
pub(super) fn account_action(s: &str) -> bool {
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
                VERBS_EN.contains(&next)
                    && !matches!(
                        next,
                        "start" | "open" | "book" | "put" | "arrange" | "return" | "remove" | "delete" | "close"
                    )
            })
        });
    let merge = ["merge", "combine"].iter().any(|v| {
        s.find(v)
            .is_some_and(|at| s[at..].chars().take(30).collect::<String>().contains("order"))
    });
    let en = if any(
        s,
        &[
            "for me",
            "on my behalf",
            "from your end",
            "on your end",
            "from your side",
            "on your side",
        ],
    ) {
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
    let zh_do = [
        "帮我",
        "替我",
        "给我",
        "你们直接",
        "麻烦你们",
        "你直接",
        "帮忙",
        "麻烦把",
        "请把",
        "你们把",
        "你们那边",
    ]
    .iter()
    .any(|w| {
        s.find(w).is_some_and(|at| {
            // To the end of the clause: an order number or an address may stand between the ask
            // and the verb ("帮我把MM-20261121-0418的收货地址改成…").
            let after = &s[at + w.len()..];
            let after: String = after
                .chars()
                .take_while(|c| !"，。！？；,!?;".contains(*c))
                .take(30)
                .collect();
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
                "报修",
                "报个",
                "发起",
                "提个",
            ]
            .iter()
            .any(|v| after.contains(v))
                && !["查", "看", "问"].iter().any(|v| after.starts_with(v))
        })
    }) && !how_to;
    en || any(s, ZH_MERGE) || zh_do
}

/// An injury, or damage to the customer's property: a safety incident whatever else is asked.
pub(super) fn harm(s: &str) -> bool {
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
