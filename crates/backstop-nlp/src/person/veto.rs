//! Mentions of a person that are not requests for one, by what the clause is doing: telling
//! what someone said or did before ("the agent I spoke to said", "之前客服说"), declining one
//! ("no need for a human", "不用转人工"), asking what the assistant is ("are you a bot?",
//! "你是人工智能吗"), asking for hours or a number to note down, reviewing or praising staff,
//! hiring, checking whether a caller claiming to be staff is real, products for people (a wig of
//! 真人发, a chair for a tall person, 人体工学), and passing something on to someone else
//! (积分转给别人). A clause with such a context does not ask; a message is vetoed when every
//! clause naming a person is.

use crate::signals::contains_phrase;

const EN: &[&str] = &[
    // earlier contact
    "spoke to",
    "spoke with",
    "talked to",
    "talked with",
    "already talked",
    "already spoke",
    "said my",
    "said i",
    "said it",
    "said the",
    "said that",
    "told me",
    "promised",
    "sorted it out",
    "sorted it",
    "fixed it",
    "helped me",
    "on the phone sorted",
    "case number",
    "gave me",
    "emailed me",
    "called me",
    "rang me",
    "texted me",
    "messaged me",
    "sent me",
    "was told",
    "told by",
    "last time",
    "the other day",
    "previous",
    // thanks, comparisons
    "thank",
    "thanks",
    "better than",
    "slower than",
    "faster than",
    "as good as",
    // declining
    "no need for",
    "don't need to speak",
    "don't need to talk",
    "do not need",
    "don't need a",
    "don't transfer",
    "no need to transfer",
    "you're doing fine",
    "not necessary",
    // identity
    "are you a real",
    "are you human",
    "are you a human",
    "are you a bot",
    "is this an ai",
    "is this a bot",
    "am i chatting with",
    "am i talking to a bot",
    "am i talking to a robot",
    "just curious",
    "for the future",
    "right now, just",
    "is this automated",
    "speak english",
    "speak chinese",
    "in english",
    "in cantonese",
    "in mandarin",
    // hours and records
    "for my records",
    "opening hours",
    "open on",
    "what time does",
    "what hours",
    // reviews, hiring, scams
    "review",
    "feedback",
    "praising",
    "compliment",
    "hiring",
    "jobs",
    "job",
    "vacancy",
    "vacancies",
    "apply for",
    "claiming to be",
    "claims to be",
    "is that legit",
    "is that a scam",
    "is this a scam",
    "is that real",
    "pretending to be",
    // products and quantities for people
    "real people or",
    "renders",
    "tall person",
    "short person",
    "person limit",
    "per person",
    "for people",
    "to people",
    "installs",
    "install",
    "need to be home",
    "be home for",
    "manager's special",
    "gift card for",
    "a person or a company",
    "suitable for",
    "for a person",
    "human or a robot",
    "human or robot",
    "written by",
    "come from",
    "email address",
    "talking to people",
];

const ZH: &[&str] = &[
    // earlier contact
    "客服讲",
    "已经跟",
    "已经和",
    "沟通好了",
    "帮我解决了",
    "弄好了",
    "搞定了",
    "聊过",
    "记录",
    "说的",
    "已经解决",
    "登记了",
    "答应",
    "承诺",
    "工单号",
    // declining
    "不用转",
    "不用找",
    "不需要找",
    "不需要转",
    "不用人工",
    "不需要人工",
    "不要转人工",
    "别转人工",
    // identity
    "你是人工智能",
    "你是机器人吗",
    "你是真人吗",
    "你是不是机器人",
    "是真人还是",
    "问问而已",
    "好奇",
    "随口问问",
    "以后可能",
    // earlier contact, thanks
    "上次",
    "上回",
    "那位",
    "谢谢",
    "感谢",
    "点个赞",
    "夸",
    "比人工",
    "比客服",
    // hours and records
    "几点上班",
    "几点到几点",
    "服务时间",
    "上班吗",
    "上班时间",
    "工作时间",
    "节假日",
    "周末有",
    "记一下",
    "记下来",
    // reviews, hiring, scams
    "好评",
    "评价",
    "表扬",
    "投诉电话",
    "招聘",
    "兼职",
    "应聘",
    "招人",
    "自称",
    "是骗子吗",
    "是真的吗",
    "冒充",
    // products and quantities for people
    "真人发",
    "真人实拍",
    "真人模特",
    "真人秀",
    "人工智能",
    "人体工学",
    "几个人",
    "个子高的人",
    "适合",
    "共用",
    "转给别人",
    "转给朋友",
    "转给家人",
    "转给他人",
    "送给",
    "已转人工",
    "在家",
];

/// Whole-message markers: the customer notes a number down, or checks whether a contact was
/// genuine — whatever the other clauses name.
const MESSAGE: &[&str] = &[
    "for my records",
    "is that legit",
    "is this legit",
    "is that a scam",
    "is this a scam",
    "记一下",
    "记下来",
    "是骗子吗",
    "是不是骗子",
    "是真的吗",
];

/// True when the whole message only mentions people (see [`MESSAGE`]).
pub(super) fn vetoed_message(text: &str) -> bool {
    let lower = text.to_lowercase();
    MESSAGE.iter().any(|w| lower.contains(w))
}

/// Negations that, before a verb of wanting or reaching someone, decline a person ("I don't want
/// to talk to anyone", "please don't transfer me", "stop asking if I want a human", "不想找人").
const EN_NO: &[&str] = &["don't", "dont", "do not", "no need", "stop"];
const EN_REACH: &[&str] = &[
    "want", "need", "transfer", "talk", "speak", "call", "callback", "asking", "calling",
];
const ZH_NO: &[&str] = &["不想", "不用", "不需要", "不要", "别", "没必要", "不必"];
const ZH_REACH: &[&str] = &["找", "转", "打电话", "人工", "客服", "叫人", "回电"];

/// The clause declines a person: a negation right before a verb of wanting or reaching someone —
/// unless it is the bot that is declined ("I don't want to talk to a bot").
pub(super) fn declines(lower: &str) -> bool {
    if ["bot", "robot", "machine", "ai ", "机器人", "机器"]
        .iter()
        .any(|b| lower.contains(b))
    {
        return false;
    }
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    let text = words.join(" ");
    let en = EN_NO.iter().any(|n| {
        text.match_indices(n).any(|(at, _)| {
            let starts_word = at == 0 || text.as_bytes()[at - 1] == b' ';
            let rest: Vec<&str> = text[at + n.len()..]
                .split(' ')
                .filter(|w| !w.is_empty())
                .take(3)
                .collect();
            // "why don't you transfer me" asks.
            starts_word && rest.first() != Some(&"you") && rest.iter().any(|w| EN_REACH.contains(w))
        })
    });
    let zh = ZH_NO.iter().any(|n| {
        lower.match_indices(n).any(|(at, _)| {
            // Right after the negation, or after one word such as 再 or 去.
            let rest = &lower[at + n.len()..];
            let skip_one = rest.char_indices().nth(1).map_or("", |(i, _)| &rest[i..]);
            ZH_REACH.iter().any(|r| rest.starts_with(r) || skip_one.starts_with(r))
        })
    });
    en || zh
}

/// True when the clause mentions a person for a reason other than asking for one.
pub(super) fn vetoed(clause: &str) -> bool {
    let lower = clause.to_lowercase().replace(['’', '‘'], "'");
    if declines(&lower) {
        return true;
    }
    // "客服说可以退" tells what was said; "跟客服说话" asks to speak.
    let said = lower.match_indices("客服说").any(|(at, w)| {
        let after = &lower[at + w.len()..];
        !["话", "几句", "清楚", "一下", "明白"]
            .iter()
            .any(|x| after.starts_with(x))
            && !lower[..at].ends_with('跟')
    });
    said || EN.iter().any(|w| contains_phrase(&lower, w)) || ZH.iter().any(|w| lower.contains(w))
}

/// The message's clauses: split at sentence marks and commas.
pub(super) fn clauses(text: &str) -> impl Iterator<Item = &str> {
    text.split(['。', '！', '？', '!', '?', ';', '；', '\n', ',', '，', '.'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
}
