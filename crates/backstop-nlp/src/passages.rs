//! An article as passages, and the passage(s) that answer a question: a customer who asks one
//! thing gets the part of the article that says it, not the whole body (the whole article stays
//! one tap away, in the citation).
//!
//! Passages are the article's paragraphs; a long paragraph is cut at sentence ends into pieces
//! of about [`TARGET_CHARS`] characters (Chinese sentences are denser: half as many). A passage
//! is scored by the IDF-weighted share of the question's terms it contains (the weights are the
//! knowledge base's own); the best one is sent, with the next one when it scores nearly as well
//! and both stay short. When no term matches (the article was found by meaning), the opening
//! passage is sent — articles open with their answer.

/// About this many characters per passage (English; Chinese: half).
pub const TARGET_CHARS: usize = 260;
/// At most this many characters sent from an article.
pub const MAX_CHARS: usize = 520;

/// The article body cut into passages, in order.
pub fn split(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let han = para.chars().filter(|c| crate::lang::is_han(*c)).count();
        let target = if han * 2 > para.chars().count() {
            TARGET_CHARS / 2
        } else {
            TARGET_CHARS
        };
        if para.chars().count() <= target * 3 / 2 {
            out.push(para.to_owned());
            continue;
        }
        let mut cur = String::new();
        for s in sentences(para) {
            if !cur.is_empty() && cur.chars().count() + s.chars().count() > target {
                out.push(cur.trim().to_owned());
                cur.clear();
            }
            cur.push_str(&s);
        }
        if !cur.trim().is_empty() {
            out.push(cur.trim().to_owned());
        }
    }
    out
}

/// Sentences with their end marks (and the space after, for Latin text).
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        let end = matches!(c, '。' | '！' | '？' | '；')
            || matches!(c, '.' | '!' | '?') && chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        if end {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// The passage(s) of `body` that answer a question with analysed terms `question`, given each
/// term's weight.
pub fn answering(
    body: &str,
    question: &[String],
    terms: impl Fn(&str) -> Vec<String>,
    weight: impl Fn(&str) -> f32,
) -> String {
    let passages = split(body);
    if passages.len() <= 1 {
        return body.trim().to_owned();
    }
    let total: f32 = question.iter().map(|t| weight(t)).sum();
    let scores: Vec<f32> = passages
        .iter()
        .map(|p| {
            if total <= 0.0 {
                return 0.0;
            }
            let have = terms(p);
            question
                .iter()
                .filter(|t| have.contains(t))
                .map(|t| weight(t))
                .sum::<f32>()
                / total
        })
        .collect();
    let best = (0..passages.len())
        .max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)))
        .unwrap_or(0);
    if scores[best] <= 0.0 {
        return passages[0].clone();
    }
    let mut out = passages[best].clone();
    // The runner-up too, when nearly as good and short enough together, in article order.
    if let Some(second) = (0..passages.len())
        .filter(|&i| i != best)
        .max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)))
    {
        let together = out.chars().count() + passages[second].chars().count();
        if scores[second] >= 0.75 * scores[best] && together <= MAX_CHARS {
            let (first, then) = if second < best { (second, best) } else { (best, second) };
            out = format!("{}\n\n{}", passages[first], passages[then]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Vec<String> {
        t.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 2)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn long_paragraphs_are_cut_at_sentence_ends() {
        let body = "First sentence about refunds to your card takes five days. ".repeat(6)
            + "Second part about gift cards which are refunded as store credit right away. Store credit never expires.";
        let p = split(&body);
        assert!(p.len() >= 2, "{p:?}");
        assert!(p.iter().all(|x| x.ends_with('.')), "{p:?}");
        let zh = "退款会原路退回。信用卡一般3到5个工作日到账。余额支付的订单退到余额，即时到账。礼品卡支付的部分退回礼品卡。如有疑问请联系客服。".repeat(4);
        assert!(split(&zh).len() >= 2);
    }

    #[test]
    fn the_passage_that_answers_is_chosen() {
        let body = "Refunds go back to the original payment method. Card refunds take 3-5 working days.\n\nGift card payments are refunded to the gift card at once.\n\nStore credit never expires.";
        let q = words("was paid with a gift card, where does my refund go");
        let a = answering(body, &q, words, |_| 1.0);
        assert!(a.starts_with("Gift card"), "{a}");
        // Nothing in common: the opening passage.
        let a = answering(body, &words("zzz"), words, |_| 1.0);
        assert!(a.starts_with("Refunds go back"), "{a}");
    }
}
