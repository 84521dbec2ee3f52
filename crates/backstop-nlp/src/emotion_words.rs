//! The emotion radar's customer-service word lists, in Chinese and English: threats, profanity,
//! "I already told you", sarcasm and exasperation, waiting, thanks, worry.

#[rustfmt::skip]
/// Threats to go public, to a regulator or to court. Matched on lower-cased text.
pub(crate) const THREATS_EN: &[&str] = &[
    "report you", "reporting you", "sue you", "lawyer", "attorney", "legal action", "small claims", "chargeback",
    "consumer protection", "trading standards", "ombudsman", "better business bureau", "bbb", "go viral",
    "post this on", "tell everyone", "leave a review", "1-star", "1 star", "one star", "one-star", "bad review",
    "negative review", "star reviews",
];

#[rustfmt::skip]
pub(crate) const THREATS_ZH: &[&str] = &[
    "投诉", "12315", "12345", "曝光", "消协", "消费者协会", "工商", "市场监管", "起诉", "律师", "法院", "报警", "媒体", "微博", "黑猫", "差评",
    "举报",
];

#[rustfmt::skip]
pub(crate) const PROFANITY_EN: &[&str] = &[
    "fuck", "fucking", "shit", "bullshit", "damn", "wtf", "crap", "asshole", "bastard", "idiot", "idiots",
    "moron", "dumbass", "bitch", "pissed",
];

#[rustfmt::skip]
pub(crate) const PROFANITY_ZH: &[&str] = &[
    "妈的", "他妈", "tmd", "尼玛", "卧槽", "我靠", "傻逼", "sb", "滚", "狗屎", "垃圾",
];

#[rustfmt::skip]
/// "I already told you", in its common forms.
pub(crate) const ALREADY_TOLD: &[&str] = &[
    "already told you", "i told you", "already said", "i just said", "said that already", "how many times",
    "again and again", "我已经说过", "我都说了", "说了多少遍", "说过了", "讲过了", "重复", "又问",
];

#[rustfmt::skip]
/// Sarcasm and exasperation — the anger of customers too polite to swear: rhetorical
/// questions, mock praise, "the third time". Matched like threats (not when negated).
pub(crate) const EXASPERATION: &[&str] = &[
    "how hard can it", "how hard is it", "is it walking", "are you growing", "thanks for nothing", "enjoy losing",
    "losing a customer", "lost a customer", "third time", "fourth time",
    "for the third", "done being polite", "copy-paste", "copy paste", "it's not like i need", "are you kidding",
    "you must be joking", "what a joke", "genuinely asking", "how many more times", "呵呵", "服了", "不愧是", "说到做到呢",
    "有意思吗", "就这服务", "就这？", "扯皮", "你们慢慢来", "请问还要", "第三次", "第二回", "第二次了", "又让我", "闭着眼睛", "我是来你们这", "真行啊", "可真行",
    "厉害了", "绝了", "现种",
];

#[rustfmt::skip]
/// Complaints about waiting, in either language.
pub(crate) const WAITING: &[&str] = &[
    "been waiting", "still waiting", "for weeks", "for days", "for hours", "no reply", "no response",
    "nobody answers", "等了", "还没到", "一直没", "没人回", "没人理", "好几天", "一个星期", "半个月",
];

#[rustfmt::skip]
/// Words of thanks and praise: satisfaction the embedding may read as neutral.
pub(crate) const SATISFIED: &[&str] = &[
    "thank", "thanks", "great", "perfect", "awesome", "appreciate", "helpful", "love it", "谢谢", "感谢", "太好了", "好评",
    "满意", "给力", "不错", "点赞",
];

#[rustfmt::skip]
/// Worry: delivery before an event, money gone, an account locked.
pub(crate) const ANXIOUS: &[&str] = &[
    "worried", "anxious", "nervous", "scared", "urgent", "asap", "emergency", "panic", "担心", "着急", "急用", "紧急",
    "害怕", "焦虑", "急死", "怎么办",
];
