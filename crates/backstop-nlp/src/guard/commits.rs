//! Commitments the sources do not make: a clause in which the AI (or "we") undertakes to do
//! something for the customer — refund, cover, waive, allow, send, upgrade, extend, cancel,
//! honour, 退给您, 补给您, 给您换成 — or tells the customer they will get something, is checked
//! against the sources sentence by sentence: it passes when one source sentence holds most of its
//! words (the policy's own process, "we'll book a courier pickup for you"), and is a finding when
//! none does ("let me cover the return postage", "差价我们补给您"). Whatever the wording of the
//! favour, it is the structure — someone undertaking an action for the customer — that is
//! checked, not a list of favours. Offers to explain, check or help are not commitments.
//!
//! Judged only where the answer's sentence is in a language some source is written in (words
//! cannot be compared across languages; the kind words in `words` still hold a translation).

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;

use backstop_core::message::Lang;

use super::content_terms;
use crate::lang::is_han;

/// A commitment passes when one source sentence holds at least this share of its clause's terms.
/// Calibrated on `guard-dev`, `guard-dev2` and `guard-dev3`.
const SUPPORTED: f32 = 0.6;

/// Who undertakes, then (within a few words) the action, in English. The verbs are what a desk
/// does for a customer; "help", "explain", "check" and "look into" are not among them.
const EN_ACTIONS: &str = "refund|reimburse|cover|waive|credit|compensate|give|send|reship|resend|replace|upgrade|extend|cancel|allow|approve|honou?r|match|add|arrange|expedite|prioriti[sz]e|push|process|issue|book|pay|deliver|ship|swap|exchange|reactivate|restore|unlock|reserve|offer|throw|absorb|drop|remove|knock|deduct|return|transfer|apply|top up|release|lift|override|fix|repair";
/// Verbs that commit only when the speaker says they will ("I'll have it sent", "we can let it
/// go"), not in a statement ("we have a 30-day window").
const EN_LIGHT: &str = "have|get|make|see|let|keep|hold|put|sort|take care|ensure|make sure";

fn en_patterns() -> &'static [Regex] {
    static P: OnceLock<Vec<Regex>> = OnceLock::new();
    P.get_or_init(|| {
        let who = r"(?:\bi\b|\bwe\b|\blet me\b|\blet us\b|\blet's\b)";
        let adverbs = r"(?:\s+(?:just|already|personally|gladly|happily|still|also|now|gone ahead and|go ahead and|be|then|simply|certainly|definitely))*";
        let aux = format!(r"(?:(?:'ll|'m|'re|'ve|\s+will|\s+can|\s+could|\s+would|\s+am|\s+are|\s+have|\s+shall|\s+going to|\s+happy to|\s+glad to|\s+able to){adverbs})*");
        let will = format!(r"(?:'ll|\s+will|\s+can|\s+could|\s+would|'m going to|\s+am going to|'re going to|\s+are going to|'m happy to|\s+am happy to|'re happy to|\s+are happy to|\s+shall){adverbs}");
        [
            format!(r"(?i){who}{aux}\s*(?:{EN_ACTIONS})\b"),
            format!(r"(?i){who}{will}\s+(?:{EN_LIGHT})\b"),
            // The customer will have it: "you'll get the fee back", "you won't be charged".
            r"(?i)\byou(?:'ll| will)\s+(?:still\s+|also\s+|definitely\s+|certainly\s+)?(?:get|receive|have|be refunded|be reimbursed|be compensated|keep)\b".to_string(),
            r"(?i)\byou (?:won't|will not) (?:be charged|have to pay|need to pay|pay)\b".to_string(),
            r"(?i)\bconsider it (?:done|waived|reactivated|sorted|refunded|extended)\b".to_string(),
        ]
        .iter()
        .map(|p| Regex::new(p).expect("commitment pattern"))
        .collect()
    })
}

/// In Chinese: an action done for the customer (给您/为您/帮您 … or … 给您), or one the AI or
/// "we" undertake (我/我们 … 退/补/免 …).
fn zh_patterns() -> &'static [Regex] {
    static P: OnceLock<Vec<Regex>> = OnceLock::new();
    P.get_or_init(|| {
        let verbs = "退|补|赔|送|返|免|打|升级|延长|延期|报销|加急|取消|换成|换|开|寄|发|承担|充|安排|申请|保留|恢复|解锁|优先|减|折|包|出|算|垫|处理";
        [
            format!(r"(?:给|为|帮|替)(?:您|你)[^，。！？；,!?]{{0,10}}?(?:{verbs})"),
            format!(r"(?:{verbs})[^，。！？；,!?]{{0,2}}?给(?:您|你)"),
            format!(r"我们?(?:这边|这里|来|先|会|可以|能|就|直接|马上|立刻|现在|还是|也|都|再|一定|肯定|保证|帮您|给您|为您|把|将|[^，。！？；,!?]{{0,4}}?)(?:{verbs})"),
            r"(?:这单|这次|本次|这笔|这件)[^，。！？；,!?]{0,10}?(?:就不收|不收|免了|算我们|我们出|我们承担)".to_string(),
        ]
        .iter()
        .map(|p| Regex::new(p).expect("commitment pattern"))
        .collect()
    })
}

/// Offers of information, not of a favour: 帮您查, "help you", 为您解答.
const NOT_FAVOURS: &[&str] = &[
    "查", "看", "解答", "说明", "介绍", "确认", "核实", "转接", "联系", "反馈", "记录",
];

/// The quoted names of buttons and pages ("我的订单", 'My Orders') say nothing about who acts.
fn without_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '“' | '「' | '『' => depth += 1,
            '”' | '」' | '』' => depth = (depth - 1).max(0),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    static QUOTED: OnceLock<Regex> = OnceLock::new();
    let quoted = QUOTED.get_or_init(|| Regex::new(r"(?:^|[\s(])'[A-Z][^']{0,40}'").expect("quoted"));
    quoted.replace_all(&out, " ").into_owned()
}

/// Every commitment of `sentence` to an action for the customer: in English from who undertakes
/// it to the clause's end (a condition before it is not part of it), in Chinese the whole clause.
fn commitments(sentence: &str) -> Vec<String> {
    let text = without_quotes(sentence);
    let lower = text.to_lowercase();
    let marks = ['.', ',', ';', '!', '?', '。', '，', '；', '！', '？', '：', ':'];
    let mut out: Vec<(usize, String)> = Vec::new();
    for re in en_patterns().iter().chain(zh_patterns()) {
        for m in re.find_iter(&lower) {
            let found = m.as_str();
            if NOT_FAVOURS.iter().any(|w| found.contains(w)) {
                continue;
            }
            let end = lower[m.end()..].find(marks).map_or(lower.len(), |i| m.end() + i);
            let start = lower[..m.start()].rfind(marks).map_or(0, |i| i + c_len(&lower, i));
            // "无法为您退", "我们不退": a refusal (in English the pattern cannot hold one). "You
            // won't be charged", 这次就不收 are the favour itself.
            let lead = &lower[start..m.start()];
            let lead: String = lead
                .chars()
                .rev()
                .take(3)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let favour_in_negative =
                found.starts_with("you won't") || found.starts_with("you will not") || found.contains("不收");
            let refusal = ["不", "无法", "没法", "没办法", "别"]
                .iter()
                .any(|n| found.contains(n) || lead.contains(n));
            if refusal && !favour_in_negative {
                continue;
            }
            let from = if found.is_ascii() { m.start() } else { start };
            if out.iter().all(|(s, _)| *s != from) {
                out.push((from, lower[from..end].to_string()));
            }
        }
    }
    out.into_iter().map(|(_, c)| c).collect()
}

fn c_len(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(1, char::len_utf8)
}

/// The answer's commitments that no source sentence holds, each as the words that commit.
/// `sources` are the sources' sentences with their languages.
pub(super) fn unsupported(answer: &[String], sources: &[(Source, Lang)]) -> Vec<String> {
    let mut out = Vec::new();
    for sentence in answer {
        let lang = crate::lang::detect(sentence);
        // A question commits to nothing (and "Can I return it?" is the customer's voice).
        if sentence.ends_with(['?', '？']) || !sources.iter().any(|(_, l)| *l == lang) {
            continue;
        }
        for c in commitments(sentence) {
            let best = sources
                .iter()
                .filter(|(_, l)| *l == lang)
                .map(|(s, _)| support(&c, lang, s))
                .fold(0.0, f32::max);
            if best < SUPPORTED {
                out.push(c);
            }
        }
    }
    out
}

/// How much of commitment `c` one source sentence holds: the share of its terms (English), of its
/// characters past who undertakes it (Chinese, where a paraphrase keeps the characters and not
/// the words: 约快递上门来取 beside 预约上门取件).
fn support(c: &str, lang: Lang, source: &Source) -> f32 {
    match lang {
        Lang::Zh => {
            let chars: Vec<char> = c
                .chars()
                .filter(|&ch| is_han(ch) && !FUNCTION_HAN.contains(ch))
                .collect();
            if chars.is_empty() {
                return 1.0;
            }
            chars.iter().filter(|ch| source.chars.contains(ch)).count() as f32 / chars.len() as f32
        }
        Lang::En => {
            let terms = content_terms(c);
            if terms.is_empty() {
                return 1.0;
            }
            terms.intersection(&source.terms).count() as f32 / terms.len() as f32
        }
    }
}

/// Characters that say who acts or join the words, not what is done.
const FUNCTION_HAN: &str = "我们您你的了会可以能就把将给为帮替这那个也都再还吧呢啊呀哦";

/// A source sentence as `unsupported` compares it.
pub(super) struct Source {
    terms: HashSet<String>,
    chars: HashSet<char>,
}

/// The terms, characters and language of each source sentence.
pub(super) fn source_sentences(sources: &[&str], split: impl Fn(&str) -> Vec<String>) -> Vec<(Source, Lang)> {
    sources
        .iter()
        .flat_map(|t| split(t))
        .map(|s| {
            let source = Source {
                terms: content_terms(&s),
                chars: s.chars().filter(|&c| is_han(c)).collect(),
            };
            (source, crate::lang::detect(&s))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsupported_in(answer: &str, source: &str) -> Vec<String> {
        let split = |t: &str| -> Vec<String> {
            t.split_inclusive(['.', '。', '!', '！', '?', '？'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        unsupported(&split(answer), &source_sentences(&[source], split))
    }

    const EN: &str = "Damaged items are collected free: we book a courier for you. Refunds are paid \
                      within 4 business days once the parcel is checked. Each order can be changed once.";
    const ZH: &str =
        "商品破损的话，我们免费为您预约快递上门取件。包裹验收后4个工作日内退款到原账户。每个订单只能修改一次。";

    #[test]
    fn a_favour_in_any_words_is_a_commitment_the_sources_do_not_make() {
        for answer in [
            "Let me knock the delivery charge off for you.",
            "I'm going to allow a third change on this order.",
            "If the money hasn't arrived by Thursday, I'll pay it back myself.",
            "You won't be charged for the collection.",
            "Consider it done.",
        ] {
            assert!(!unsupported_in(answer, EN).is_empty(), "{answer}");
        }
        for answer in [
            "这笔运费我来出。",
            "差价我们退给您。",
            "要是周四还没到，我直接再给您打一次款。",
            "这次的取件费就不收了。",
        ] {
            assert!(!unsupported_in(answer, ZH).is_empty(), "{answer}");
        }
    }

    #[test]
    fn the_policys_own_process_offers_of_help_and_refusals_are_not() {
        for answer in [
            "Since it arrived damaged, we'll book a courier for you.",
            "I can help you check where the parcel is.",
            "We can't change the order a second time.",
            "Tap 'Give feedback' in the app.",
            "We have several ways to pay.",
            "I'm sorry, I have to say the photos are needed.",
        ] {
            assert!(unsupported_in(answer, EN).is_empty(), "{answer}");
        }
        for answer in [
            "商品破损的话，我们会免费为您预约快递上门。",
            "我帮您查一下物流。",
            "我们无法为您再修改一次订单。",
            "在“我的订单”里点击“修改”。",
        ] {
            assert!(unsupported_in(answer, ZH).is_empty(), "{answer}");
        }
    }
}
