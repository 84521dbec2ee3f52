//! Lexicon signals in Chinese and English: a request for a person, anger or frustration, and small
//! talk. The anger lexicon is the foundation's first signal; the emotion radar replaces it later.

use crate::lang::is_han;

/// True when the customer asks to talk to a person (see [`crate::person`]).
pub fn asks_for_human(text: &str) -> bool {
    crate::person::asks_for_human(text)
}

/// A weighted cue: the phrase and how much anger it signals.
struct Cue(&'static str, f32);

const ANGER_EN: &[Cue] = &[
    Cue("ridiculous", 0.5),
    Cue("unacceptable", 0.6),
    Cue("terrible", 0.45),
    Cue("horrible", 0.45),
    Cue("awful", 0.4),
    Cue("worst", 0.5),
    Cue("useless", 0.5),
    Cue("scam", 0.7),
    Cue("fraud", 0.7),
    Cue("rip off", 0.6),
    Cue("ripoff", 0.6),
    Cue("angry", 0.5),
    Cue("furious", 0.7),
    Cue("pissed", 0.6),
    Cue("fed up", 0.55),
    Cue("sick of", 0.5),
    Cue("disgusting", 0.5),
    Cue("pathetic", 0.55),
    Cue("incompetent", 0.6),
    Cue("stupid", 0.5),
    Cue("idiot", 0.7),
    Cue("wtf", 0.6),
    Cue("damn", 0.4),
    Cue("hell", 0.35),
    Cue("shit", 0.6),
    Cue("fuck", 0.8),
    Cue("lawyer", 0.6),
    Cue("sue you", 0.7),
    Cue("report you", 0.6),
    Cue("complaint", 0.35),
    Cue("complain", 0.35),
    Cue("never again", 0.5),
    Cue("waste of time", 0.5),
    Cue("i already told you", 0.5),
    Cue("already told you", 0.5),
    Cue("how many times", 0.45),
    Cue("still not", 0.3),
    Cue("still haven't", 0.3),
    Cue("nobody", 0.25),
    Cue("no one", 0.25),
    Cue("disappointed", 0.35),
    Cue("frustrated", 0.5),
    Cue("frustrating", 0.5),
    Cue("annoyed", 0.4),
    Cue("annoying", 0.4),
    Cue("joke", 0.3),
    Cue("liar", 0.6),
    Cue("lied", 0.5),
    Cue("chargeback", 0.5),
    Cue("been waiting", 0.3),
    Cue("for weeks", 0.25),
    Cue("bbb", 0.5),
    Cue("go viral", 0.5),
    Cue("social media", 0.3),
];
const ANGER_ZH: &[Cue] = &[
    Cue("投诉", 0.6),
    Cue("12315", 0.8),
    Cue("曝光", 0.7),
    Cue("骗子", 0.8),
    Cue("欺骗", 0.6),
    Cue("坑人", 0.6),
    Cue("垃圾", 0.6),
    Cue("太差", 0.5),
    Cue("差劲", 0.5),
    Cue("离谱", 0.5),
    Cue("无语", 0.4),
    Cue("气死", 0.7),
    Cue("生气", 0.5),
    Cue("愤怒", 0.6),
    Cue("恶心", 0.5),
    Cue("什么破", 0.6),
    Cue("破玩意", 0.6),
    Cue("搞什么", 0.5),
    Cue("到底", 0.25),
    Cue("凭什么", 0.5),
    Cue("受够了", 0.6),
    Cue("忍无可忍", 0.7),
    Cue("太过分", 0.6),
    Cue("过分", 0.4),
    Cue("不像话", 0.5),
    Cue("退钱", 0.5),
    Cue("赔偿", 0.35),
    Cue("律师", 0.6),
    Cue("起诉", 0.7),
    Cue("消协", 0.7),
    Cue("工商", 0.5),
    Cue("差评", 0.5),
    Cue("骗人", 0.6),
    Cue("忽悠", 0.5),
    Cue("敷衍", 0.5),
    Cue("说了多少遍", 0.5),
    Cue("我已经说过", 0.5),
    Cue("我都说了", 0.45),
    Cue("还没到", 0.2),
    Cue("还没有", 0.15),
    Cue("失望", 0.35),
    Cue("烦死", 0.6),
    Cue("急死", 0.5),
    Cue("坑", 0.35),
    Cue("靠", 0.3),
    Cue("妈的", 0.7),
    Cue("tmd", 0.7),
    Cue("sb", 0.6),
    Cue("什么鬼", 0.45),
    Cue("没人管", 0.5),
    Cue("不管了", 0.3),
];
/// Words that sharpen the cue right after them.
const INTENSIFIERS: &[&str] = &[
    "very",
    "so",
    "really",
    "extremely",
    "absolutely",
    "totally",
    "太",
    "非常",
    "特别",
    "真是",
    "简直",
    "超级",
];
/// Negators that flip a cue right after them ("not terrible", "不差").
const NEGATORS_EN: &[&str] = &["not ", "isn't ", "wasn't ", "never been ", "no "];

/// An anger/frustration reading from the lexicon.
#[derive(Clone, Debug, PartialEq)]
pub struct AngerSignal {
    /// In [0, 1].
    pub score: f32,
    /// What triggered it, for the handoff packet.
    pub cues: Vec<String>,
}

/// Scores anger and frustration in one customer message, in either language.
pub fn anger(text: &str) -> AngerSignal {
    let norm = normalize(text);
    let mut evidence: Vec<f32> = Vec::new();
    let mut cues = Vec::new();
    for Cue(word, w) in ANGER_EN {
        if let Some(pos) = find_phrase(&norm, word) {
            let before = &norm[..pos];
            if NEGATORS_EN.iter().any(|n| before.ends_with(n)) {
                continue;
            }
            let boost = if INTENSIFIERS.iter().any(|i| before.ends_with(&format!("{i} "))) {
                1.3
            } else {
                1.0
            };
            evidence.push(w * boost);
            cues.push(word.to_string());
        }
    }
    for Cue(word, w) in ANGER_ZH {
        if let Some(pos) = norm.find(word) {
            let before = &norm[..pos];
            if before.ends_with('不') || before.ends_with("没有") && *w < 0.3 {
                continue;
            }
            let boost = if INTENSIFIERS.iter().any(|i| before.ends_with(i)) {
                1.3
            } else {
                1.0
            };
            evidence.push(w * boost);
            cues.push(word.to_string());
        }
    }
    // Typography: a row of exclamation or question marks, and shouting in capitals.
    let bangs = text.matches(['!', '！']).count();
    if bangs >= 3 || text.contains("!!") || text.contains("！！") || text.contains("?!") || text.contains("？！") {
        evidence.push(0.25);
        cues.push("!!!".into());
    }
    let letters: Vec<char> = text.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_ascii_uppercase()).count();
    let shouting_words = text
        .split_whitespace()
        .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_uppercase()))
        .count();
    if letters.len() >= 12 && upper * 10 >= letters.len() * 7 && shouting_words >= 2 {
        evidence.push(0.45);
        cues.push("ALL CAPS".into());
    }
    // Noisy-OR: independent pieces of evidence add up without passing 1.
    let score = 1.0 - evidence.iter().fold(1.0f32, |acc, w| acc * (1.0 - w.clamp(0.0, 0.95)));
    AngerSignal { score, cues }
}

/// Small talk the AI answers without searching the knowledge base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmallTalk {
    Greeting,
    Thanks,
    Goodbye,
}

/// Recognizes a message that is only a greeting, a thank-you or a goodbye.
pub fn small_talk(text: &str) -> Option<SmallTalk> {
    let norm = normalize(text);
    let core: String = norm
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || is_han(*c))
        .collect();
    let core = core.trim();
    const GREET: &[&str] = &[
        "hi",
        "hello",
        "hey",
        "hi there",
        "hello there",
        "good morning",
        "good afternoon",
        "good evening",
        "你好",
        "您好",
        "在吗",
        "在不在",
        "哈喽",
        "嗨",
        "早上好",
        "下午好",
        "晚上好",
        "有人吗",
        "你好在吗",
    ];
    const THANKS: &[&str] = &[
        "thanks",
        "thank you",
        "thx",
        "ty",
        "thanks a lot",
        "thank you so much",
        "great thanks",
        "ok thanks",
        "谢谢",
        "多谢",
        "感谢",
        "谢谢你",
        "好的谢谢",
        "谢啦",
        "非常感谢",
    ];
    const BYE: &[&str] = &[
        "bye",
        "goodbye",
        "see you",
        "that's all",
        "thats all",
        "再见",
        "拜拜",
        "没事了",
        "没有了",
    ];
    if GREET.contains(&core) {
        Some(SmallTalk::Greeting)
    } else if THANKS.contains(&core) {
        Some(SmallTalk::Thanks)
    } else if BYE.contains(&core) {
        Some(SmallTalk::Goodbye)
    } else {
        None
    }
}

/// Lower-case, full-width punctuation folded, whitespace collapsed.
pub(crate) fn normalize(text: &str) -> String {
    let lower = text.to_lowercase().replace(['’', '‘'], "'");
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Position of `phrase` in `text` on word boundaries (for Latin phrases).
fn find_phrase(text: &str, phrase: &str) -> Option<usize> {
    let mut start = 0;
    while let Some(i) = text[start..].find(phrase) {
        let at = start + i;
        let end = at + phrase.len();
        let left_ok = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        let right_ok = text[end..].chars().next().is_none_or(|c| !c.is_ascii_alphanumeric());
        if left_ok && right_ok {
            return Some(at);
        }
        start = at + phrase.len().max(1);
    }
    None
}

/// True when `phrase` occurs in `text` on word boundaries (for Latin phrases).
pub(crate) fn contains_phrase(text: &str, phrase: &str) -> bool {
    find_phrase(text, phrase).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_for_a_person() {
        for t in [
            "转人工",
            "我要人工客服！",
            "给我转接客服",
            "Can I talk to a human please?",
            "I want a real person",
            "REPRESENTATIVE",
            "get me a live agent",
        ] {
            assert!(asks_for_human(t), "{t}");
        }
        for t in [
            "Where is my order?",
            "怎么退货",
            "I'm a humanities student",
            "my operator code is 12",
        ] {
            assert!(!asks_for_human(t), "{t}");
        }
    }

    #[test]
    fn anger_in_both_languages() {
        for t in [
            "This is ridiculous, where is my refund?!",
            "你们这是什么破服务，我要投诉！",
            "骗子！我要打12315",
            "WHERE IS MY PACKAGE I HAVE BEEN WAITING FOR WEEKS",
        ] {
            let a = anger(t);
            assert!(a.score >= 0.6, "{t}: {a:?}");
            assert!(!a.cues.is_empty());
        }
        for t in [
            "Where is my order?",
            "怎么退货",
            "The product is not terrible, I just want another colour",
            "Thanks, that's helpful",
        ] {
            let a = anger(t);
            assert!(a.score < 0.6, "{t}: {a:?}");
        }
    }

    #[test]
    fn intensifiers_raise_the_score() {
        assert!(anger("this is really terrible").score > anger("this is terrible").score);
    }

    #[test]
    fn small_talk_is_recognized() {
        assert_eq!(small_talk("Hi!"), Some(SmallTalk::Greeting));
        assert_eq!(small_talk("你好"), Some(SmallTalk::Greeting));
        assert_eq!(small_talk("谢谢！"), Some(SmallTalk::Thanks));
        assert_eq!(small_talk("thank you so much"), Some(SmallTalk::Thanks));
        assert_eq!(small_talk("hi, where is my order"), None);
    }
}
