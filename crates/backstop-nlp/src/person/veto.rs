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
    "you speak english",
    "you speak chinese",
    "you speak mandarin",
    "you speak cantonese",
    // hours and records
    "for my records",
    "opening hours",
    "open on",
    "what time does",
    "what hours",
    "when does",
    "when do",
    "24/7",
    "24 hours",
    "how many",
    // reviews, hiring, scams
    "a review",
    "reviews",
    "the review",
    "my review",
    "your review",
    "reviewed",
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
    "for a person who",
    "for a person of",
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
    "不找人工",
    "不找客服",
    "不找人",
    "不转人工",
    "不转了",
    "不找了",
    "不等了",
    "就算了",
    "就不等",
    "不是要找",
    "不是要转",
    "不是想找",
    "不是找人",
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
    // quantities and hours
    "有多少",
    "多少个",
    "24小时",
    "全天",
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
    "just curious",
    "out of curiosity",
    "for future reference",
    "in case i ever",
    "might use it",
    "以后可能",
    "下周可能",
    "下次可能",
    "可能要打",
    "到时候再打",
    "等我有空",
    "好奇问问",
    "好奇问一下",
    "问问而已",
    "随口问问",
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
    // "…, just wondering." at the end: curiosity ("just wondering if someone could call" asks).
    let end = lower.trim_end_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation() || "。！？～".contains(c));
    MESSAGE.iter().any(|w| lower.contains(w)) || end.ends_with("just wondering") || end.ends_with("only wondering")
}

/// Negations that, before a verb of wanting or reaching someone, decline a person ("I don't want
/// to talk to anyone", "please don't transfer me", "stop asking if I want a human", "不想找人").
const EN_NO: &[&str] = &["don't", "dont", "do not", "no need", "stop"];
const EN_REACH: &[&str] = &[
    "want", "need", "transfer", "talk", "speak", "call", "callback", "asking", "calling",
];
const ZH_NO: &[&str] = &["不想", "不用", "不需要", "不要", "别", "没必要", "不必"];
const ZH_REACH: &[&str] = &["找", "转", "打电话", "人工", "客服", "叫人", "回电", "麻烦"];

/// The clause declines a person: a negation right before a verb of wanting or reaching someone —
/// unless it is the bot that is declined ("I don't want to talk to a bot").
pub(super) fn declines(lower: &str) -> bool {
    if ["机器人", "机器"].iter().any(|b| lower.contains(b)) || super::en::words(lower).iter().any(|w| w == "bot") {
        return false;
    }
    // "no human needed", "no agent necessary".
    let ws: Vec<String> = super::en::words(lower);
    let no_needed = ws.iter().enumerate().any(|(i, w)| {
        w == "no"
            && ws[i + 1..]
                .iter()
                .take(3)
                .any(|x| matches!(x.as_str(), "needed" | "necessary" | "required"))
    });
    if no_needed {
        return true;
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

/// Politeness at the end of a clause ("转人工客服谢谢", "get me a human thanks"): it thanks in
/// advance, it does not tell of help already given.
const TRAILING_THANKS: &[&str] = &[
    "谢谢你",
    "谢谢",
    "谢啦",
    "谢了",
    "多谢",
    "感谢",
    "thank you",
    "thanks",
    "thx",
    "ty",
];

/// The clause as the vetoes read it: lower case, chat spelling spelled out ("r u" → "are you"),
/// the customer quoting themselves ("I said I want") not taken for someone else's words, and
/// thanks in advance at the end dropped.
fn normalized(clause: &str) -> String {
    let lower = clause.to_lowercase().replace(['’', '‘'], "'");
    let mut out: Vec<&str> = Vec::new();
    let tokens: Vec<&str> = lower.split(' ').collect();
    for (i, t) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).copied().unwrap_or("");
        out.push(match *t {
            "u" => "you",
            "r" if next == "u" || next == "you" => "are",
            "ur" => "your",
            _ => t,
        });
    }
    let mut s = out.join(" ");
    for quoting in [
        "i said",
        "i've said",
        "i already said",
        "i just said",
        "as i said",
        "i have said",
    ] {
        s = s.replace(quoting, "i repeat");
    }
    loop {
        let t = s.trim_end_matches(|c: char| c.is_whitespace() || "~～!！。.".contains(c));
        match TRAILING_THANKS.iter().find(|w| t.ends_with(*w) && t.len() > w.len()) {
            Some(w) if !w.is_ascii() || t[..t.len() - w.len()].ends_with(' ') => {
                s = t[..t.len() - w.len()].to_owned();
            }
            _ => break,
        }
    }
    s
}

/// True when the clause mentions a person for a reason other than asking for one.
pub(super) fn vetoed(clause: &str) -> bool {
    let lower = normalized(clause);
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
    said || asks_about_the_process(&lower)
        || EN.iter().any(|w| contains_phrase(&lower, w))
        || ZH.iter().any(|w| lower.contains(w))
}

/// "Does a real person review the photos?", "will a human check my return or is it automatic?":
/// a question about how the shop works, not a request for someone now.
fn asks_about_the_process(lower: &str) -> bool {
    let ws = super::en::words(lower);
    let mut i = 0;
    if !ws
        .first()
        .is_some_and(|w| matches!(w.as_str(), "does" | "do" | "will" | "is" | "are"))
    {
        return false;
    }
    i += 1;
    while ws
        .get(i)
        .is_some_and(|w| matches!(w.as_str(), "a" | "an" | "the" | "any" | "real" | "actual" | "your"))
    {
        i += 1;
    }
    let Some(len) = ws
        .get(i)
        .and(super::en::strong_person(&ws, i).or_else(|| super::en::weak_person(&ws, i)))
    else {
        return false;
    };
    ws.get(i + len).is_some_and(|w| {
        matches!(
            w.as_str(),
            "review"
                | "reviews"
                | "read"
                | "reads"
                | "check"
                | "checks"
                | "process"
                | "processes"
                | "approve"
                | "approves"
                | "see"
                | "sees"
                | "handle"
                | "handles"
                | "write"
                | "writes"
                | "answer"
                | "answers"
                | "speak"
                | "speaks"
                | "come"
                | "comes"
                | "install"
                | "installs"
                | "assemble"
                | "assembles"
                | "deliver"
                | "delivers"
                | "bring"
                | "brings"
                | "sign"
                | "signs"
        )
    })
}

/// The message's clauses: split at sentence marks and commas.
pub(super) fn clauses(text: &str) -> impl Iterator<Item = &str> {
    text.split(['。', '！', '？', '!', '?', ';', '；', '\n', ',', '，', '.'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
}
