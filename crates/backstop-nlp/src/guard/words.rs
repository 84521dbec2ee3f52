//! The guard's word lists, in both languages: what a promise sounds like (by kind, so a source
//! that grants one kind in either language covers it), what negates one, how a message claims to
//! be a person or insults, and what an answer leaking its instructions says.

/// A kind of commitment the sources must grant before the AI may make it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Promise {
    Refund,
    Compensation,
    /// Something given for nothing ("free of charge", 免费).
    Free,
    /// A rule bent ("as an exception", "waive", 破例).
    Exception,
    Guarantee,
    Deadline,
}

impl Promise {
    pub const ALL: [Promise; 6] = [
        Promise::Refund,
        Promise::Compensation,
        Promise::Free,
        Promise::Exception,
        Promise::Guarantee,
        Promise::Deadline,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Promise::Refund => "refund",
            Promise::Compensation => "compensation",
            Promise::Free => "free",
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
                "退回货款",
                "全额退",
            ],
            Promise::Compensation => &[
                "compensat",
                "voucher",
                "coupon",
                "store credit",
                "goodwill",
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
            Promise::Free => &[
                "free of charge",
                "for free",
                "at no cost",
                "no charge",
                "免费",
                "不收取",
                "不收费",
            ],
            Promise::Exception => &[
                "exception",
                "waive",
                "special case",
                "破例",
                "例外",
                "免除",
                "特殊处理",
                "通融",
                "特批",
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
                "一定能",
                "肯定会",
                "肯定能",
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

    /// Words in a source that grant this kind: its own words, and the plainer ones a policy
    /// states it with ("free" grants 免费, 返还 grants a refund of points).
    pub fn grants(self) -> Vec<&'static str> {
        let extra: &[&str] = match self {
            Promise::Refund => &["返还"],
            Promise::Compensation => &["积分", "points"],
            Promise::Free => &["free", "不收", "no fee", "no extra charge"],
            Promise::Exception => &[],
            Promise::Guarantee => &["warranty", "保修", "guarantee"],
            Promise::Deadline => &["same day", "当日", "当天"],
        };
        self.words().iter().chain(extra).copied().collect()
    }
}

/// The AI committing to act itself ("I've arranged a transfer", "我帮您把款退了"): it has no
/// hands, and no article grants that.
pub(crate) const COMMITMENTS: &[&str] = &[
    r"\bi(?:'ll| will| have|'ve| can| am going to|'m going to| just| already)? (?:personally )?(?:arrange|arranged|transfer|transferred|waive|waived|refund|refunded|credit|credited|issue|issued|process|processed|approve|approved|expedite|expedited|extend|extended|upgrade|upgraded|make an exception|send you a|give you a|apply a|cancel it|change it|reserve|reserved|override|push it through|sort it out for you)\b",
    r"\bi(?:'ll| will)? (?:personally )?(?:make sure|ensure)\b",
    // "I've flagged / restored / contacted …": something done, by the AI, for this customer.
    r"\bi(?:'ve| have) (?:just |already |now )?(?:been |got |gone )?(?:flagg|restor|contact|unlock|reactivat|escalat|set|mark|not|ask|told|tell|chang|redirect|add|upgrad|convert|cancel|book|reserv|apply|appli|adjust|updat|credit|refund|issu|arrang|request|submit|notif)\w*",
    r"\bi'?ll (?:refund|give|add|send|cover|waive|arrange|convert|restore|reactivate|upgrade|expedite|credit|issue|process|approve|redirect|reserve|hold|reship|replace|throw in|personally)\b",
    r"\bwe'?ll (?:cover|waive|wrap it|reship it free|add a little|throw in|make an exception|refund you again)",
    // A favour beyond the rule: "this time", "as a one-off", "since you're a member".
    r"\b(?:this time|as a one-off|one-off|just this once|on us|as a goodwill gesture|should be fine to get|we're usually flexible|we can be flexible|since you're a (?:member|regular|vip)|as it's your first)\b",
    r"我(?:这边|来|先|会|已经|已|马上|现在|可以|就){0,3}(?:帮|给|替)(?:您|你)(?:把|将)?[^，。！？,.!?]{0,8}?(?:退|免|申请|安排|处理|转|补|开|寄|加急|催|改|延长|升级|取消|赔|返|发|留|包|备注|拦)",
    r"我(?:这边)?(?:已经|已)(?:让|联系|通知|帮|给|把|安排|申请|备注|拦|改|恢复|解锁|开通|升级)",
    r"已(?:经)?(?:为|帮|给)您(?:办|安排|申请|改|恢复|退|补|开|解锁|备注|加急|升级|拦)",
    r"(?:这次|这单|本次|这一次)[^，。！？]{0,8}?(?:不收|免|就不|给您免|我们承担|我们来承担|可以叠加|包税)",
    r"特别申请|特殊申请|特批|破例|通融|绿色通道|看在|老顾客|问题不大|应该可以给您|我这边可以|我直接|帮您包税|我们承担|我们来承担|不用您付|就不收了|送您一张|给您补偿|给您送|可以叠加使用",
];

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

/// Words no answer says to a customer (condescension included).
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
    "if you'd bothered",
    "bothered to",
    "user error",
    "read the screen",
    "learn to read",
    "as i already told you",
    "笨蛋",
    "傻",
    "蠢",
    "白痴",
    "滚",
    "闭嘴",
    "废物",
    "活该",
    "你的错",
    "不会看吗",
    "说了多少遍",
    "自己不会看",
    "怪不了别人",
    "自己不看清楚",
    "怪你自己",
    "you should have read",
    "not our problem",
    "that's on you",
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
    "as instructed",
    "i'm only allowed",
    "i am only allowed",
    "i've been given",
    "i have been given",
    "only from source",
    "numbered source",
    "numbered article",
    "knowledge-base articles i",
    "系统提示",
    "提示词",
    "我的指令",
    "我被指示",
    "系统指令",
    "升级策略",
    "编号资料",
    "给定的资料",
    "我只能依据",
    "我只能根据",
    "i was told",
    "i was given",
    "retrieved article",
    // The prompt's own labels, said back.
    "customer's question",
    "customer question:",
    "客户的问题：",
    "客户问题：",
    "被设定",
    "给我的设定",
    "后台给我",
    "检索到的",
    "设定为只能",
    "按照我的指令",
    "按照指示",
    "根据指令",
];

/// Is the word at byte `at` of `lower` negated by what just precedes it in its own clause?
/// ("we cannot refund", "不能退款"; not "不过我帮您退了", where 不 belongs to "but").
pub(crate) fn negated(lower: &str, at: usize) -> bool {
    let mut start = at.saturating_sub(24);
    while !lower.is_char_boundary(start) {
        start += 1;
    }
    let before = &lower[start..at];
    let clause = before
        .rfind([',', '，', '。', '.', '!', '！', '?', '？', ';', '；'])
        .map_or(before, |i| &before[i..]);
    let mut clause = clause.to_string();
    for not_negation in ["不过", "不管", "不仅", "不但", "不少", "不用担心", "不好意思"] {
        clause = clause.replace(not_negation, "");
    }
    NEGATIONS.iter().any(|n| clause.contains(n))
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
        let s = "原订单运费一般不退，不过我帮您一起退了";
        assert!(!negated(s, s.find("我帮您").unwrap()));
    }
}
