//! The guard's word lists, in both languages: what a promise sounds like (by kind, so a source
//! that grants one kind in either language covers it), what negates one, how a message claims to
//! be a person or insults, and what an answer leaking its instructions says.

/// A kind of commitment the sources must grant before the AI may make it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Promise {
    Refund,
    Compensation,
    Exception,
    Guarantee,
    Deadline,
}

impl Promise {
    pub const ALL: [Promise; 5] = [
        Promise::Refund,
        Promise::Compensation,
        Promise::Exception,
        Promise::Guarantee,
        Promise::Deadline,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Promise::Refund => "refund",
            Promise::Compensation => "compensation",
            Promise::Exception => "exception",
            Promise::Guarantee => "guarantee",
            Promise::Deadline => "deadline",
        }
    }

    /// Words that make the commitment (lower case; Chinese as written).
    pub fn words(self) -> &'static [&'static str] {
        match self {
            Promise::Refund => &[
                "refund",
                "refunded",
                "money back",
                "reimburse",
                "退款",
                "退钱",
                "退还",
                "返还",
                "退回货款",
                "全额退",
            ],
            Promise::Compensation => &[
                "compensat",
                "voucher",
                "coupon",
                "store credit",
                "goodwill",
                "gift card",
                "discount code",
                "补偿",
                "赔偿",
                "赔付",
                "优惠券",
                "代金券",
                "红包",
                "积分补偿",
                "折扣码",
            ],
            Promise::Exception => &[
                "exception",
                "waive",
                "free of charge",
                "for free",
                "at no cost",
                "no charge",
                "special case",
                "破例",
                "例外",
                "免费",
                "免除",
                "特殊处理",
                "不收取",
                "通融",
            ],
            Promise::Guarantee => &[
                "guarantee",
                "i promise",
                "we promise",
                "definitely will",
                "100%",
                "certainly will",
                "保证",
                "承诺",
                "一定会",
                "肯定会",
                "百分之百",
                "包您",
            ],
            Promise::Deadline => &[
                "today",
                "tomorrow",
                "tonight",
                "right away",
                "immediately",
                "within the hour",
                "by monday",
                "by friday",
                "end of the day",
                "今天",
                "明天",
                "今晚",
                "马上",
                "立即",
                "立刻",
                "当天",
                "一小时内",
            ],
        }
    }
}

/// Words just before a promise word that turn it into its refusal ("we cannot refund").
pub(crate) const NEGATIONS: &[&str] = &[
    "not ",
    "no ",
    "cannot ",
    "can't ",
    "can’t ",
    "won't ",
    "won’t ",
    "unable to ",
    "never ",
    "isn't ",
    "aren't ",
    "不",
    "无法",
    "不能",
    "没有",
    "不会",
    "不予",
    "不可",
];

/// An AI claiming to be a person.
pub(crate) const HUMAN_CLAIMS: &[&str] = &[
    "i am a human",
    "i'm a human",
    "i am human",
    "i'm human",
    "i am a real person",
    "i'm a real person",
    "i am not a bot",
    "i'm not a bot",
    "i am not an ai",
    "i'm not an ai",
    "this is a human agent",
    "i am a customer service agent",
    "i'm a live agent",
    "i am a live agent",
    "我是真人",
    "我是人工客服",
    "我不是机器人",
    "我不是ai",
    "我是客服人员",
    "我是人工",
    "本人是真人",
];

/// Words no answer says to a customer.
pub(crate) const INSULTS: &[&str] = &[
    "idiot",
    "stupid",
    "moron",
    "dumb",
    "shut up",
    "loser",
    "pathetic",
    "get lost",
    "your fault",
    "笨蛋",
    "傻",
    "蠢",
    "白痴",
    "滚",
    "闭嘴",
    "废物",
    "活该",
    "你的错",
];

/// What an answer says when it talks about its own instructions or the prompt's framing.
pub(crate) const LEAK_MARKERS: &[&str] = &[
    "system prompt",
    "my instructions",
    "i was instructed",
    "i have been instructed",
    "my guidelines say",
    "the instructions say",
    "<source",
    "</source",
    "<question",
    "<customer",
    "escalation policy",
    "[[rule",
    "系统提示",
    "提示词",
    "我的指令",
    "我被指示",
    "系统指令",
    "升级策略",
];

/// Is the word at byte `at` of `lower` negated by what just precedes it?
pub(crate) fn negated(lower: &str, at: usize) -> bool {
    let mut start = at.saturating_sub(24);
    while !lower.is_char_boundary(start) {
        start += 1;
    }
    let before = &lower[start..at];
    NEGATIONS.iter().any(|n| before.contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_not_promises() {
        let s = "we cannot refund this order";
        assert!(negated(s, s.find("refund").unwrap()));
        let s = "you will get a refund";
        assert!(!negated(s, s.find("refund").unwrap()));
        let s = "此订单不能退款";
        assert!(negated(s, s.find("退款").unwrap()));
    }
}
