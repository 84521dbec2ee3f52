//! Retrieval and intent together: what a tenant's classifier learns from, and which article the AI
//! may act on for a message.
//!
//! A tenant's intents are its knowledge base's slugs (one per question an article answers, shared
//! by translations) — or, for a knowledge base too large for one intent per article, its topics
//! ([`Labels`]) — learned from each article's title and sample questions, plus whatever examples the
//! tenant adds; a fixed bilingual set of off-topic messages ([`OFF_TOPIC`]) trains the
//! out-of-scope class.
//!
//! The AI acts on an article when the words match ([`Hit::lexical`] ≥ the answer bar, as before) or
//! when meaning and intent agree: the classifier's in-scope intent is the article's slug, and the
//! article's calibrated semantic confidence plus the classifier's confidence clears the bar. An
//! embedding alone never decides — nearest neighbours always exist, even for "what's the weather".

use backstop_core::ids::ArticleId;

use crate::intent::{Example, IntentPrediction, OOS};
use crate::retrieval::{Hit, KbArticle};

/// Off-topic messages (weather, jokes, homework, …), English and Chinese, written for Backstop.
pub const OFF_TOPIC: &str = include_str!("../data/off-topic.txt");

/// Requests for a person (terse, indirect, complaints about the bot, typos), English and
/// Chinese, written for Backstop: the [`HUMAN`] class of every tenant's person-request
/// classifier ([`person_examples`]).
pub const HUMAN_REQUESTS: &str = include_str!("../data/human-request.txt");

/// Messages that mention a person (customer service as information, a courier, a gift for mum,
/// "no need for a human") without asking for one, English and Chinese, written for Backstop:
/// the person-request classifier's hard negatives.
pub const PERSON_MENTIONS: &str = include_str!("../data/person-mentions.txt");

/// Messages that need staff or account data rather than an article, by class (`security`,
/// `billing`, `account_action`), written for Backstop: every tenant's stakes classifier.
pub const STAKES: &str = include_str!("../data/stakes.txt");

/// Routine questions worded like the stakes classes: the stakes classifier's hard negatives.
pub const STAKES_ROUTINE: &str = include_str!("../data/stakes-routine.txt");

/// The built-in intent of a request for a person.
pub const HUMAN: &str = "human";

/// Past this many distinct slugs, intents are topics: training cost grows with the number of
/// classes, and a per-article classifier for a very large knowledge base would take too long.
pub const MAX_SLUG_INTENTS: usize = 300;

/// What an intent is for a knowledge base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Labels {
    Slug,
    Topic,
}

impl Labels {
    pub fn for_kb(articles: &[KbArticle]) -> Labels {
        let slugs: std::collections::HashSet<&str> = articles.iter().map(|a| a.slug.as_str()).collect();
        if slugs.len() <= MAX_SLUG_INTENTS {
            Labels::Slug
        } else {
            Labels::Topic
        }
    }

    /// The intent an article answers.
    pub fn of(self, a: &KbArticle) -> &str {
        match self {
            Labels::Slug => &a.slug,
            Labels::Topic => &a.topic,
        }
    }
}

/// The off-topic messages as out-of-scope training examples.
pub fn off_topic() -> Vec<Example> {
    OFF_TOPIC
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| Example {
            text: l.to_owned(),
            label: OOS.to_owned(),
        })
        .collect()
}

/// Everything a tenant's intent classifier learns from: every article's title and sample
/// questions under its intent, the tenant's own examples, and the off-topic set.
pub fn training_examples(articles: &[KbArticle], labels: Labels, extra: &[Example]) -> Vec<Example> {
    let mut out = Vec::new();
    for a in articles {
        for text in std::iter::once(&a.title).chain(&a.questions) {
            let text = text.trim();
            if !text.is_empty() {
                out.push(Example {
                    text: text.to_owned(),
                    label: labels.of(a).to_owned(),
                });
            }
        }
    }
    out.extend(extra.iter().cloned());
    out.extend(off_topic());
    out
}

/// The training examples of the person-request classifier: the built-in requests for a person
/// as [`HUMAN`]; everything the tenant's intent classifier learns from and the built-in mentions
/// of a person that are not requests ([`PERSON_MENTIONS`]) as [`OOS`]. A model of its own, so the
/// phrasings never compete with the tenant's intents.
pub fn person_examples(intent_examples: &[Example]) -> Vec<Example> {
    let mut out = human_requests();
    out.extend(intent_examples.iter().map(|e| Example {
        text: e.text.clone(),
        label: OOS.to_owned(),
    }));
    out.extend(lines(PERSON_MENTIONS).map(|l| Example {
        text: l.to_owned(),
        label: OOS.to_owned(),
    }));
    out
}

/// A `label<TAB>text` data file as examples, without blanks, `#` comments and lines with no tab.
pub fn labelled(data: &str) -> Vec<Example> {
    lines(data)
        .filter_map(|l| l.split_once('\t'))
        .map(|(label, text)| Example {
            text: text.trim().to_owned(),
            label: label.trim().to_owned(),
        })
        .collect()
}

/// A data file's lines, without blanks and `#` comments.
fn lines(data: &str) -> impl Iterator<Item = &str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The training examples of the stakes classifier: the built-in stakes phrasings under their
/// class, everything the tenant's intent classifier learns from and the requests for a person as
/// [`OOS`] (nothing at stake).
pub fn stakes_examples(intent_examples: &[Example]) -> Vec<Example> {
    let mut out = labelled(STAKES);
    out.extend(labelled(STAKES_ROUTINE).into_iter().map(|e| Example {
        text: e.text,
        label: OOS.to_owned(),
    }));
    out.extend(intent_examples.iter().chain(&human_requests()).map(|e| Example {
        text: e.text.clone(),
        label: OOS.to_owned(),
    }));
    out
}

/// The built-in requests for a person as training examples of the [`HUMAN`] intent.
pub fn human_requests() -> Vec<Example> {
    HUMAN_REQUESTS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| Example {
            text: l.to_owned(),
            label: HUMAN.to_owned(),
        })
        .collect()
}

/// The confidence to act on for `hit`, an article answering intent `slug`, given the classifier's
/// prediction for the same message (see the module docs). Without a classifier it is the
/// retriever's own confidence.
pub fn confidence(hit: &Hit, slug: &str, intent: Option<&IntentPrediction>) -> f32 {
    match intent {
        None => hit.confidence,
        Some(p) => {
            let agreement = match (&p.intent, hit.semantic) {
                (Some(i), Some(semantic)) if i == slug => (semantic + p.confidence).min(1.0),
                _ => 0.0,
            };
            hit.lexical.max(agreement)
        }
    }
}

/// The least calibrated semantic confidence that lets a question reach an article written only in
/// another language (see [`choose`]).
pub const CROSS_LINGUAL_FLOOR: f32 = 0.25;

/// The best of `hits` to act on, its confidence replaced by [`confidence`].
///
/// One exception to "meaning counts only when the intent agrees": an article that exists only in
/// another language than the question's (`foreign_only`). The classifier has never seen its intent
/// asked in the question's language, so it cannot agree; such an article is acted on when it is the
/// closest in meaning of all candidates, its semantic confidence is at least
/// [`CROSS_LINGUAL_FLOOR`], and the classifier does not call the message off-topic — with twice its
/// semantic confidence. (On the demo's development set this turned two wrong answers into right
/// ones and answered no off-topic question.)
///
/// `second`: another classifier's reading (intent, confidence), given only for an article with no
/// version in the question's language that it learned in that language and that is the closest
/// in meaning among its own language's articles. The intent classifier never saw that article
/// asked in this language; meaning plus this reading counts as agreement does in [`confidence`].
pub fn choose<'a>(
    hits: &[Hit],
    intent: Option<&IntentPrediction>,
    slug_of: impl Fn(ArticleId) -> Option<&'a str>,
    foreign_only: impl Fn(ArticleId) -> bool,
    second: Option<(&str, f32)>,
) -> Option<Hit> {
    let top_semantic = hits.iter().filter_map(|h| h.semantic).fold(0.0f32, f32::max);
    hits.iter()
        .filter_map(|h| {
            let slug = slug_of(h.article)?;
            let mut c = confidence(h, slug, intent);
            if let (Some(s), Some(p)) = (h.semantic, intent) {
                if foreign_only(h.article) && p.best != OOS && s >= top_semantic && s >= CROSS_LINGUAL_FLOOR {
                    c = c.max((2.0 * s).min(1.0));
                }
            }
            if let (Some(s), Some((label, q))) = (h.semantic, second) {
                if label == slug && foreign_only(h.article) {
                    c = c.max((s + q).min(1.0));
                }
            }
            Some(Hit { confidence: c, ..*h })
        })
        .fold(None, |best: Option<Hit>, h| match best {
            Some(b) if b.confidence >= h.confidence => Some(b),
            _ => Some(h),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use backstop_core::message::Lang;
    use uuid::Uuid;

    fn hit(n: u128, lexical: f32, semantic: Option<f32>) -> Hit {
        Hit {
            article: ArticleId(Uuid::from_u128(n)),
            score: 0.0,
            confidence: lexical.max(semantic.unwrap_or(0.0)),
            lexical,
            semantic,
        }
    }

    fn predicted(intent: Option<&str>, best: &str, confidence: f32) -> IntentPrediction {
        IntentPrediction {
            intent: intent.map(str::to_owned),
            best: best.into(),
            confidence,
        }
    }

    fn slug(id: ArticleId) -> Option<&'static str> {
        match id.0.as_u128() {
            1 => Some("shipping-times"),
            2 => Some("reset-password"),
            _ => None,
        }
    }

    #[test]
    fn meaning_counts_only_when_the_intent_agrees() {
        let h = hit(1, 0.1, Some(0.4));
        let agree = predicted(Some("shipping-times"), "shipping-times", 0.3);
        assert!((confidence(&h, "shipping-times", Some(&agree)) - 0.7).abs() < 1e-6);
        let other = predicted(Some("reset-password"), "reset-password", 0.9);
        assert!((confidence(&h, "shipping-times", Some(&other)) - 0.1).abs() < 1e-6);
        let oos = predicted(None, OOS, 0.8);
        assert!((confidence(&h, "shipping-times", Some(&oos)) - 0.1).abs() < 1e-6);
        // Words alone still count, and without a classifier the retriever's confidence stands.
        let wordy = hit(1, 0.8, Some(0.1));
        assert!((confidence(&wordy, "shipping-times", Some(&oos)) - 0.8).abs() < 1e-6);
        assert!((confidence(&h, "shipping-times", None) - 0.4).abs() < 1e-6);
        // Capped at 1.
        assert_eq!(confidence(&hit(1, 0.0, Some(0.9)), "shipping-times", Some(&agree)), 1.0);
    }

    #[test]
    fn choose_prefers_the_article_the_classifier_agrees_with() {
        let hits = [hit(1, 0.3, Some(0.6)), hit(2, 0.2, Some(0.45)), hit(3, 0.9, None)];
        let p = predicted(Some("reset-password"), "reset-password", 0.3);
        let best = choose(&hits, Some(&p), slug, |_| false, None).unwrap();
        assert_eq!(best.article, ArticleId(Uuid::from_u128(2)), "hit 3 has no article");
        assert!((best.confidence - 0.75).abs() < 1e-6);
        assert!(choose(&[], Some(&p), slug, |_| false, None).is_none());
    }

    #[test]
    fn an_article_only_in_another_language_needs_the_best_meaning() {
        // Hit 2 exists only in Chinese; the question is English; the classifier names hit 1's intent.
        let hits = [hit(1, 0.2, Some(0.26)), hit(2, 0.0, Some(0.3))];
        let p = predicted(None, "shipping-times", 0.2);
        let foreign = |id: ArticleId| id.0.as_u128() == 2;
        let best = choose(&hits, Some(&p), slug, foreign, None).unwrap();
        assert_eq!(best.article, ArticleId(Uuid::from_u128(2)));
        assert!((best.confidence - 0.6).abs() < 1e-6);
        // Not when the classifier calls it off-topic, not below the floor, not when another
        // candidate is closer in meaning.
        let off = predicted(None, OOS, 0.6);
        assert!(choose(&hits, Some(&off), slug, foreign, None).unwrap().confidence < 0.5);
        let weak = [hit(1, 0.2, Some(0.1)), hit(2, 0.0, Some(0.2))];
        assert!(choose(&weak, Some(&p), slug, foreign, None).unwrap().confidence < 0.5);
        let closer = [hit(1, 0.2, Some(0.4)), hit(2, 0.0, Some(0.3))];
        assert!(choose(&closer, Some(&p), slug, foreign, None).unwrap().confidence < 0.5);
        // An article in the question's language gets no such pass.
        assert!(choose(&hits, Some(&p), slug, |_| false, None).unwrap().confidence < 0.5);
    }

    #[test]
    fn a_second_reading_vouches_for_an_article_only_in_another_language() {
        // The intent classifier reads hit 1 (in the question's language); a second classifier
        // reads hit 2, which exists only in the other language, with meaning weaker than hit 1's.
        let hits = [hit(1, 0.1, Some(0.35)), hit(2, 0.0, Some(0.22))];
        let p = predicted(Some("shipping-times"), "shipping-times", 0.4);
        let foreign = |id: ArticleId| id.0.as_u128() == 2;
        let second = Some(("reset-password", 0.7));
        let best = choose(&hits, Some(&p), slug, foreign, second).unwrap();
        assert_eq!(best.article, ArticleId(Uuid::from_u128(2)));
        assert!((best.confidence - 0.92).abs() < 1e-6);
        // Without it the intent classifier's neighbour stands; a reading of another article, or
        // of an article in the question's language, vouches for nothing.
        let none = choose(&hits, Some(&p), slug, foreign, None).unwrap();
        assert_eq!(none.article, ArticleId(Uuid::from_u128(1)));
        let other = choose(&hits, Some(&p), slug, foreign, Some(("shipping-times", 0.7))).unwrap();
        assert_eq!(other.article, ArticleId(Uuid::from_u128(1)));
        let local = choose(&hits, Some(&p), slug, |_| false, second).unwrap();
        assert_eq!(local.article, ArticleId(Uuid::from_u128(1)));
        // A more confident agreement in the question's language still wins.
        let sure = predicted(Some("shipping-times"), "shipping-times", 0.65);
        let best = choose(&hits, Some(&sure), slug, foreign, Some(("reset-password", 0.5))).unwrap();
        assert_eq!(best.article, ArticleId(Uuid::from_u128(1)));
    }

    #[test]
    fn training_examples_cover_titles_questions_extras_and_off_topic() {
        let a = KbArticle {
            id: ArticleId(Uuid::from_u128(1)),
            slug: "shipping-times".into(),
            lang: Lang::En,
            topic: "shipping".into(),
            title: "How long delivery takes".into(),
            body: "Two to four days.".into(),
            questions: vec!["when will it arrive".into(), "  ".into()],
        };
        let extra = [Example {
            text: "parcel ETA?".into(),
            label: "shipping-times".into(),
        }];
        let kb = [a];
        let ex = training_examples(&kb, Labels::for_kb(&kb), &extra);
        let shipping: Vec<&str> = ex
            .iter()
            .filter(|e| e.label == "shipping-times")
            .map(|e| e.text.as_str())
            .collect();
        assert_eq!(
            shipping,
            ["How long delivery takes", "when will it arrive", "parcel ETA?"]
        );
        let oos = ex.iter().filter(|e| e.label == OOS).count();
        assert_eq!(oos, off_topic().len());
        assert!(oos >= 90, "{oos}");
        assert!(off_topic().iter().all(|e| !e.text.starts_with('#')));
    }
}
