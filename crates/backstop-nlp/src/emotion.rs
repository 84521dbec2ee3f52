//! The emotion radar: five scores for one customer message — anger, frustration, anxiety,
//! sadness, satisfaction — in Chinese and English.
//!
//! Two layers. A trained [`Head`] (logistic regressions over the message's sentence embedding
//! plus a few lexical features; `backstop-lab train emotion` produces it from labelled data) reads
//! the tone. On top, rules add what a model trained on general text misses in customer service:
//! threats to complain publicly or to a regulator (投诉, 12315, 曝光, "report you"), profanity,
//! "I already told you", a question asked again, long waits. Without an embedding (no model
//! installed) the lexicon alone scores anger and frustration.
//!
//! Every score is in [0, 1] and 0.5 is the radar's own "yes" for that emotion: the head's biases
//! are shifted at training time so that 0.5 is the threshold with the best F1 on held-out data.

use crate::emotion_head::{Head, LEXICAL_FEATURES};
use crate::emotion_words::*;
use crate::signals;

/// The emotions the radar scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feeling {
    Anger,
    Frustration,
    Anxiety,
    Sadness,
    Satisfaction,
}

impl Feeling {
    pub const ALL: [Feeling; 5] = [
        Feeling::Anger,
        Feeling::Frustration,
        Feeling::Anxiety,
        Feeling::Sadness,
        Feeling::Satisfaction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Feeling::Anger => "anger",
            Feeling::Frustration => "frustration",
            Feeling::Anxiety => "anxiety",
            Feeling::Sadness => "sadness",
            Feeling::Satisfaction => "satisfaction",
        }
    }

    pub fn parse(s: &str) -> Option<Feeling> {
        Feeling::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Scores in [0, 1], indexed by [`Feeling::index`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scores(pub [f32; 5]);

impl Scores {
    pub fn get(&self, f: Feeling) -> f32 {
        self.0[f.index()]
    }

    fn raise(&mut self, f: Feeling, evidence: f32) {
        // Noisy-OR: independent evidence adds up without passing 1.
        let s = &mut self.0[f.index()];
        *s = 1.0 - (1.0 - *s) * (1.0 - evidence.clamp(0.0, 0.95));
    }
}

/// What the customer said before, for the cues that need context.
#[derive(Clone, Debug, Default)]
pub struct Context<'a> {
    /// The customer's earlier messages in this conversation, oldest first.
    pub earlier: &'a [&'a str],
    /// Minutes the customer has been waiting for an answer, when known.
    pub waited_minutes: Option<f32>,
}

/// One message's reading.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub scores: Scores,
    /// What triggered the scores (lexicon words, "threat", "repeated question" …), for people.
    pub cues: Vec<String>,
    /// A threat to complain publicly, to a regulator or in court.
    pub threat: bool,
    pub profanity: bool,
    /// Whether the trained head read the tone (false: lexicon only).
    pub model: bool,
}

impl Reading {
    pub fn get(&self, f: Feeling) -> f32 {
        self.scores.get(f)
    }
}

/// The most anger the model alone can read in a text without any cue (see [`Radar::read`]).
pub const CALM_ANGER_CAP: f32 = 0.55;

/// The radar: a head trained for the embedding model in use, or none (lexicon only).
#[derive(Clone, Debug, Default)]
pub struct Radar {
    head: Option<Head>,
}

impl Radar {
    /// A radar with the head that ships with Backstop when it was trained for `model_id`.
    pub fn builtin(model_id: Option<&str>) -> Radar {
        let head = model_id.and_then(|id| Head::builtin().filter(|h| h.model_id() == id));
        Radar { head }
    }

    pub fn with_head(head: Option<Head>) -> Radar {
        Radar { head }
    }

    pub fn head(&self) -> Option<&Head> {
        self.head.as_ref()
    }

    /// Reads one message. `vector` is its sentence embedding (the same one understanding
    /// computed), or `None`; without a vector or a head, only the lexicon scores.
    pub fn read(&self, text: &str, vector: Option<&[f32]>, ctx: &Context) -> Reading {
        let norm = normalize(text);
        let lexicon = signals::anger(text);
        let mut cues = lexicon.cues.clone();
        let lexical = lexical_features(text, &norm, lexicon.score);
        let (mut scores, model) = match (&self.head, vector) {
            (Some(head), Some(v)) if v.len() == head.dims() => {
                let lang = crate::lang::detect_or(text, backstop_core::message::Lang::En);
                (head.predict(v, &lexical, lang), true)
            }
            _ => {
                // The lexicon alone: the foundation's anger score, and frustration slightly
                // below it (the same cues, read as the milder emotion).
                let mut s = Scores::default();
                s.0[Feeling::Anger.index()] = lexicon.score;
                s.0[Feeling::Frustration.index()] = lexicon.score * 0.8;
                (s, false)
            }
        };
        let threat = affirmed(&norm, THREATS_EN, THREATS_ZH);
        let profanity = hits(&norm, PROFANITY_EN, PROFANITY_ZH);
        if let Some(w) = threat.first() {
            scores.raise(Feeling::Anger, 0.7);
            cues.push(format!("threat: {w}"));
        }
        if let Some(w) = profanity.first() {
            scores.raise(Feeling::Anger, 0.5);
            cues.push(format!("profanity: {w}"));
        }
        let exasperated = affirmed(&norm, EXASPERATION, EXASPERATION);
        if let Some(w) = exasperated.first() {
            scores.raise(Feeling::Anger, 0.65);
            cues.push(format!("exasperation: {w}"));
        }
        if model && lexicon.score >= 0.5 {
            // Customer-service anger words the general-text model may underrate.
            scores.raise(Feeling::Anger, lexicon.score * 0.6);
        }
        if let Some(w) = hits(&norm, ALREADY_TOLD, ALREADY_TOLD).first() {
            scores.raise(Feeling::Frustration, 0.6);
            scores.raise(Feeling::Anger, 0.3);
            cues.push(format!("repeating: {w}"));
        } else if repeats_earlier(&norm, ctx.earlier) {
            scores.raise(Feeling::Frustration, 0.5);
            scores.raise(Feeling::Anger, 0.2);
            cues.push("asked again".into());
        }
        let waited = ctx.waited_minutes.unwrap_or(0.0);
        if let Some(w) = hits(&norm, WAITING, WAITING).first() {
            scores.raise(Feeling::Frustration, 0.4);
            cues.push(format!("waiting: {w}"));
        } else if waited >= 10.0 {
            scores.raise(Feeling::Frustration, (waited / 60.0).clamp(0.2, 0.5));
            cues.push(format!("waited {} min", waited.round()));
        }
        if !model {
            if !hits(&norm, ANXIOUS, ANXIOUS).is_empty() {
                scores.raise(Feeling::Anxiety, 0.6);
            }
            if !hits(&norm, SATISFIED, SATISFIED).is_empty() && lexicon.score < 0.3 {
                scores.raise(Feeling::Satisfaction, 0.6);
            }
        }
        // A calm text — no anger word, no threat, no profanity, no shouting or row of marks —
        // describing a problem ("these don't fit, can I return them?") is not read as angry
        // enough to hand over on the model's word alone: its anger stays just above the radar's
        // own "yes" (0.5), below the policy's anger rules.
        if model && lexicon.cues.is_empty() && threat.is_empty() && profanity.is_empty() && exasperated.is_empty() {
            let a = &mut scores.0[Feeling::Anger.index()];
            *a = a.min(CALM_ANGER_CAP);
        }
        cues.dedup();
        Reading {
            scores,
            cues,
            threat: !threat.is_empty(),
            profanity: !profanity.is_empty(),
            model,
        }
    }
}

const LEGAL: &[&str] = &[
    "lawyer",
    "attorney",
    "sue",
    "suing",
    "lawsuit",
    "court",
    "legal action",
    "small claims",
    "律师",
    "起诉",
    "法院",
    "诉讼",
    "法律",
    "仲裁",
];
const REFUND: &[&str] = &[
    "charged twice",
    "double charged",
    "double-charged",
    "扣了两次",
    "重复扣款",
    "多扣",
    "退回",
    "refund",
    "refunds",
    "refunded",
    "money back",
    "reimburse",
    "chargeback",
    "退款",
    "退钱",
    "退费",
    "赔偿",
    "返还",
];
const COMPLAINT: &[&str] = &[
    "complaint",
    "complain",
    "formal complaint",
    "regulator",
    "投诉",
    "12315",
    "消协",
    "举报",
];

/// Product-safety incidents: smoke, fire, shocks, injuries.
const SAFETY: &[&str] = &[
    "smoke",
    "smoking",
    "caught fire",
    "on fire",
    "burning smell",
    "burnt",
    "exploded",
    "explode",
    "electric shock",
    "shocked me",
    "injured",
    "injury",
    "hospital",
    "swollen",
    "冒烟",
    "着火",
    "起火",
    "烧焦",
    "烧坏",
    "漏电",
    "触电",
    "爆炸",
    "鼓包",
    "受伤",
    "烫伤",
    "医院",
];

/// The sensitive topics a message touches (legal, refund, complaint, safety, and the stakes of
/// [`crate::stakes`]: security, billing, account actions, harm), in either language.
pub fn sensitive(text: &str) -> Vec<backstop_core::routing::Sensitive> {
    use backstop_core::routing::Sensitive;
    let norm = normalize(text);
    let mut out = Vec::new();
    for (kind, words) in [
        (Sensitive::Legal, LEGAL),
        (Sensitive::Refund, REFUND),
        (Sensitive::Complaint, COMPLAINT),
        (Sensitive::Safety, SAFETY),
    ] {
        if !affirmed(&norm, words, words).is_empty() {
            out.push(kind);
        }
    }
    for kind in crate::stakes::stakes(text) {
        if !out.contains(&kind) {
            out.push(kind);
        }
    }
    out
}

/// The largest amount of money in `text` ("¥1,299.00", "120 元", "一万五", "$1.2k"), if any
/// (see [`crate::amount`]).
pub fn largest_amount(text: &str) -> Option<f64> {
    crate::amount::largest(text)
}

/// The lexical features the head reads beside the embedding, in a fixed order.
pub fn lexical_features(text: &str, norm: &str, lexicon_anger: f32) -> [f32; LEXICAL_FEATURES] {
    let bangs = text.matches(['!', '！']).count().min(3) as f32 / 3.0;
    let questions =
        (text.contains("??") || text.contains("？？") || text.contains("?!") || text.contains("？！")) as u8 as f32;
    let letters = text.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let upper = text.chars().filter(|c| c.is_ascii_uppercase()).count();
    let caps = (letters >= 8 && upper * 10 >= letters * 7) as u8 as f32;
    let profane = (!hits(norm, PROFANITY_EN, PROFANITY_ZH).is_empty()) as u8 as f32;
    let satisfied = (!hits(norm, SATISFIED, SATISFIED).is_empty()) as u8 as f32;
    let anxious = (!hits(norm, ANXIOUS, ANXIOUS).is_empty()) as u8 as f32;
    [lexicon_anger, profane, bangs, questions, caps, satisfied, anxious]
}

/// The text the lexicons match against: lower-case, curly quotes folded, spaces collapsed.
pub fn normalize(text: &str) -> String {
    signals::normalize(text)
}

/// Negations that cancel a threat or topic right after them ("我不是要投诉", "not going to sue").
const NEGATED_BY_ZH: &[&str] = &[
    "不是要",
    "不是想",
    "不是",
    "不会",
    "不想",
    "不用",
    "不打算",
    "没有",
    "没",
    "别",
    "无需",
    "不",
];
const NEGATED_BY_EN: &[&str] = &[
    "not ",
    "don't ",
    "dont ",
    "won't ",
    "wont ",
    "not going to ",
    "no need to ",
    "never ",
    "not trying to ",
];

/// Like [`hits`], but a word counts only where no negation comes right before it.
fn affirmed(norm: &str, latin: &[&'static str], han: &[&'static str]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for w in latin.iter().chain(han) {
        let mut start = 0;
        while let Some(i) = norm[start..].find(*w) {
            let at = start + i;
            start = at + w.len();
            let before = &norm[..at];
            let bounded = !w.is_ascii() || {
                let left = before.chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric());
                let right = norm[start..].chars().next().is_none_or(|c| !c.is_ascii_alphanumeric());
                left && right
            };
            // A negation right before the word ("not going to report", "我不是要投诉", "我不会去投诉":
            // a filler verb between negation and word is skipped).
            let negated = if w.is_ascii() {
                NEGATED_BY_EN.iter().any(|n| before.ends_with(n))
            } else {
                let mut head = before.trim_end();
                for filler in ["要", "想", "去", "打算", "会"] {
                    head = head.strip_suffix(filler).unwrap_or(head);
                }
                NEGATED_BY_ZH.iter().any(|n| before.ends_with(n) || head.ends_with(n))
            };
            if bounded && !negated {
                if !out.contains(w) {
                    out.push(*w);
                }
                break;
            }
        }
    }
    out
}

/// The words of the lists found in `norm`: Latin words on word boundaries, Chinese anywhere.
fn hits(norm: &str, latin: &[&'static str], han: &[&'static str]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for w in latin.iter().chain(han) {
        let found = if w.is_ascii() {
            signals::contains_phrase(norm, w)
        } else {
            norm.contains(w)
        };
        if found && !out.contains(w) {
            out.push(*w);
        }
    }
    out
}

/// True when the message says again what the customer already asked (most of its words).
fn repeats_earlier(norm: &str, earlier: &[&str]) -> bool {
    let grams = |s: &str| -> std::collections::HashSet<String> {
        let chars: Vec<char> = s.chars().filter(|c| c.is_alphanumeric()).collect();
        chars.windows(2).map(|w| w.iter().collect()).collect()
    };
    let now = grams(norm);
    if now.len() < 4 {
        return false;
    }
    earlier.iter().any(|e| {
        let before = grams(&normalize(e));
        let shared = now.intersection(&before).count();
        shared * 10 >= now.len().max(before.len()) * 7
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon_only(text: &str) -> Reading {
        Radar::default().read(text, None, &Context::default())
    }

    #[test]
    fn threats_and_profanity_raise_anger_in_both_languages() {
        for t in [
            "我要打12315投诉你们",
            "东西不好我要投诉",
            "Don't make me report you",
            "再不处理我就去微博曝光",
            "I'm going to report you to the BBB",
            "this is fucking useless",
        ] {
            let r = lexicon_only(t);
            assert!(r.get(Feeling::Anger) >= 0.6, "{t}: {r:?}");
            assert!(r.threat || r.profanity, "{t}");
        }
        let calm = lexicon_only("How long does shipping to Germany take?");
        assert!(
            calm.get(Feeling::Anger) < 0.2 && !calm.threat && !calm.profanity,
            "{calm:?}"
        );
        for t in [
            "我不是要投诉，只是问一下发票",
            "我不会去投诉的",
            "I won't report you, I just want the invoice",
        ] {
            let r = lexicon_only(t);
            assert!(!r.threat, "{t}: {r:?}");
        }
        let calm_zh = lexicon_only("请问怎么修改收货地址");
        assert!(calm_zh.get(Feeling::Anger) < 0.2, "{calm_zh:?}");
    }

    #[test]
    fn repetition_and_waiting_are_frustrating() {
        let earlier = ["where is my order 12345, it has not arrived"];
        let ctx = Context {
            earlier: &earlier,
            waited_minutes: None,
        };
        let r = Radar::default().read("Where is my order 12345? It has not arrived", None, &ctx);
        assert!(r.cues.contains(&"asked again".to_string()), "{r:?}");
        assert!(r.get(Feeling::Frustration) >= 0.5);
        let told = lexicon_only("我已经说过了，订单号是12345");
        assert!(told.get(Feeling::Frustration) >= 0.5, "{told:?}");
        let waited = Radar::default().read(
            "any news?",
            None,
            &Context {
                earlier: &[],
                waited_minutes: Some(45.0),
            },
        );
        assert!(waited.get(Feeling::Frustration) >= 0.2, "{waited:?}");
    }

    #[test]
    fn negation_keeps_a_cue_from_firing() {
        assert!(lexicon_only("it's not terrible, just the wrong colour").get(Feeling::Anger) < 0.3);
    }

    #[test]
    fn lexicon_reads_worry_and_thanks() {
        assert!(lexicon_only("我很着急，明天就要用").get(Feeling::Anxiety) >= 0.5);
        assert!(lexicon_only("Thanks, that was really helpful").get(Feeling::Satisfaction) >= 0.5);
    }

    #[test]
    fn sensitive_topics_and_amounts() {
        use backstop_core::routing::Sensitive;
        assert_eq!(sensitive("I will sue you in small claims court"), [Sensitive::Legal]);
        assert_eq!(
            sensitive("我要退款 1299 元，不然就去12315投诉"),
            [Sensitive::Refund, Sensitive::Complaint]
        );
        assert!(sensitive("How do I change my address?").is_empty());
        assert_eq!(sensitive("水壶底座冒烟了，还有烧焦味"), [Sensitive::Safety]);
        assert_eq!(
            sensitive("I was charged twice, $450 each"),
            [Sensitive::Refund, Sensitive::Billing]
        );
        // A denied complaint is no complaint.
        assert!(sensitive("我不是要投诉，只是问一下").is_empty());
        assert!(sensitive("I'm not going to complain, just asking").is_empty());
        assert_eq!(largest_amount("refund ¥1,299.00 not ¥30"), Some(1299.0));
        assert_eq!(largest_amount("退我 120 元"), Some(120.0));
        assert_eq!(largest_amount("no money here"), None);
    }

    #[test]
    fn feelings_round_trip() {
        for f in Feeling::ALL {
            assert_eq!(Feeling::parse(f.as_str()), Some(f));
        }
    }
}
