//! The pre-send guard: every check an AI message passes before a customer sees it, generated or
//! not. Pure and quick (no model call): the caller gives the answer, the sources it cites, the
//! customer's own words and identifiers, the instructions it must not leak and the language it
//! must be in; `check` returns the findings (`backstop_core::guard::verdict` decides what they
//! mean).
//!
//! - *grounding*: every figure, amount, date, duration, URL, e-mail, phone and order number in
//!   the answer is in the sources or the customer's words (`figures`);
//! - *support*: each sentence's content words are mostly the sources' (or the customer's), for a
//!   sentence in a language some source is written in;
//! - *promise*: refunds, compensation, exceptions, guarantees and deadlines only where a source
//!   grants that kind (in either language), refusals excepted (`words`);
//! - *personal data*: e-mail, phone and order numbers only the customer's own (or the sources'
//!   public ones), card and identity numbers never;
//! - *instruction leak*: no run of the instructions' words, no talk of prompts or sources' tags;
//! - *conduct*: never claims to be a person, never insults;
//! - *language* and *length*.

pub mod addressed;
mod align;
mod commits;
mod figures;
mod words;

use std::collections::HashSet;
use std::sync::OnceLock;

use backstop_core::guard::{Check, Finding};
use backstop_core::message::Lang;

use crate::lang::is_han;
use crate::text::Analyzer;

pub use figures::strip_citations;

use align::{clause_at, clauses, content_terms, misaligned, SourceClause};
use figures::Figure;

/// What the guard reads.
#[derive(Debug, Clone, Copy)]
pub struct GuardInput<'a> {
    pub answer: &'a str,
    /// The texts the answer cites (passages or whole articles).
    pub sources: &'a [&'a str],
    /// The customer's own messages in this conversation.
    pub customer: &'a [&'a str],
    /// The customer's verified identifiers (e-mail, phone, order numbers on record).
    pub known: &'a [&'a str],
    /// Instructions that must not appear in an answer (the system prompt, the policy).
    pub instructions: &'a [&'a str],
    /// The language the answer must be in: `lang` for Chinese and English (the first-class two),
    /// `code` (ISO 639-1) for every language, so a French customer's answer must be French.
    pub lang: Lang,
    pub code: &'a str,
    /// The longest answer, in characters.
    pub max_chars: usize,
}

/// A sentence shares at least this share of its content words with the sources.
pub const SUPPORT_MIN: f32 = 0.5;
/// Sentences with fewer content words are not judged for support (greetings, "Sure.").
const SUPPORT_MIN_TERMS: usize = 6;
/// A run of this many instruction words (Latin) or characters (Chinese) in an answer is a leak.
const LEAK_WORDS: usize = 7;
const LEAK_CHARS: usize = 10;

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(Analyzer::new)
}

fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Every finding, in check order.
pub fn check(input: &GuardInput) -> Vec<Finding> {
    let mut out = Vec::new();
    let answer = input.answer.trim();
    let mut push = |check, detail: &str| {
        out.push(Finding {
            check,
            detail: clip(detail, 80),
        })
    };
    let chars = answer.chars().count();
    if chars == 0 {
        push(Check::Length, "empty");
        return out;
    }
    if chars > input.max_chars {
        push(Check::Length, &format!("{chars} characters"));
    }
    let lower = answer.to_lowercase();
    let sources_text = input.sources.join("\n");
    let customer_text = input.customer.join("\n");
    let known_text = format!("{sources_text}\n{customer_text}\n{}", input.known.join("\n")).to_lowercase();

    let customer_and_known: String = input
        .customer
        .iter()
        .chain(input.known)
        .map(|t| digits_of(t))
        .collect::<Vec<_>>()
        .join(" ");

    // Grounding, sentence by sentence.
    let mut known = Vec::new();
    for t in input.sources.iter().chain(input.customer).chain(input.known) {
        known.extend(figures::figures(t).into_iter().map(|f| f.figure));
    }
    let known_values: Vec<f64> = known.iter().filter_map(figures::value).collect();
    let customer_values: Vec<f64> = input
        .customer
        .iter()
        .flat_map(|t| figures::figures(t))
        .filter_map(|f| figures::value(&f.figure))
        .collect();
    let source_clauses: Vec<SourceClause> = input
        .sources
        .iter()
        .flat_map(|t| sentences(&strip_citations(t)))
        .flat_map(|s| clauses(&s))
        .map(|s| SourceClause {
            figs: figures::figures(&s).into_iter().map(|f| f.figure).collect(),
            terms: content_terms(&s),
            lang: crate::lang::detect(&s),
        })
        .collect();
    for sentence in sentences(&strip_citations(answer)) {
        let lang = crate::lang::detect(&sentence);
        let found_all = figures::figures(&sentence);
        let in_sentence: Vec<Figure> = found_all.iter().map(|f| f.figure.clone()).collect();
        for found in found_all {
            // What the figure is about: its clause, not the whole sentence.
            let terms = content_terms(clause_at(&sentence, found.start));
            if !figures::supported(&found.figure, &known, &known_text) {
                if figures::value(&found.figure).is_some_and(|v| figures::derived(v, &customer_values, &known_values)) {
                    continue;
                }
                if is_personal(&found.figure, &found.written) {
                    push(Check::PersonalData, &mask(&found.written));
                } else {
                    push(Check::Grounding, &found.written);
                }
                continue;
            }
            // A private mobile number is personal even when an article holds it (an example or a
            // planted record in the knowledge base): only the customer's own may be said.
            if is_cn_mobile(&found.written) && !customer_and_known.contains(&digits_of(&found.written)) {
                push(Check::PersonalData, &mask(&found.written));
                continue;
            }
            // The customer's own figure said back is theirs ("at 32 days the 30-day window has
            // passed", beside a figure of the sources) — unless the sentence states it alone as what the sources say of that very
            // thing ("the return window is 365 days").
            let theirs =
                |f: &Figure| figures::value(f).is_some_and(|v| customer_values.iter().any(|c| (c - v).abs() < 1e-6));
            if theirs(&found.figure)
                && in_sentence
                    .iter()
                    .any(|g| matches!(g, Figure::Number(..) | Figure::Money(..)) && !theirs(g))
            {
                continue;
            }
            if let Some(said) = misaligned(&found.figure, &terms, lang, &source_clauses) {
                push(
                    Check::Grounding,
                    &format!("{} (the source says {said} there)", found.written),
                );
            }
        }
    }
    let known_words = format!("{sources_text}\n{customer_text}");
    let zones: Vec<&str> = figures::zones(&known_words);
    for z in figures::zones(answer) {
        if !zones.contains(&z) {
            push(Check::Grounding, &format!("time zone {z}"));
        }
    }
    let named: Vec<&str> = figures::currencies(&known_words);
    for c in figures::currencies(answer) {
        if c != "CNY" && !named.contains(&c) {
            push(Check::Grounding, &format!("currency {c}"));
        }
    }
    // Card and identity numbers, whoever they belong to.
    for n in long_numbers(answer) {
        if luhn(&n) || is_cn_id(&n) {
            push(Check::PersonalData, &mask(&n));
        }
    }

    // Promises: a kind no source grants, and the AI committing to act itself.
    let sources_lower = sources_text.to_lowercase();
    let customer_lower = customer_text.to_lowercase();
    let mut promised = false;
    for kind in words::Promise::ALL {
        if kind.grants().iter().any(|w| sources_lower.contains(w)) {
            continue;
        }
        for w in kind.words() {
            // A coupon or voucher the customer already has is theirs to mention.
            if kind == words::Promise::Compensation && customer_lower.contains(w) {
                continue;
            }
            if let Some(at) = lower.find(w) {
                if !words::negated(&lower, at) {
                    push(Check::Promise, &format!("{}: {w}", kind.name()));
                    promised = true;
                    break;
                }
            }
        }
    }
    for m in commitments().iter().flat_map(|re| re.find_iter(&lower)) {
        // What the source itself commits to ("运费由我们承担") is the policy, not a favour.
        let core = m
            .as_str()
            .trim_start_matches("we'll ")
            .trim_start_matches("we will ")
            .trim_start_matches("i'll ");
        if !words::negated(&lower, m.start()) && !sources_lower.contains(core) {
            push(Check::Promise, &format!("commitment: {}", m.as_str()));
            promised = true;
            break;
        }
    }

    // Commitments in any words, where no source sentence makes them.
    let source_sentences = commits::source_sentences(input.sources, |t| sentences(&strip_citations(t)));
    if let Some(c) = commits::unsupported(&sentences(&strip_citations(answer)), &source_sentences).first() {
        if !promised {
            push(Check::Promise, &format!("commitment the sources do not make: {c}"));
        }
    }

    // Conduct.
    if let Some(w) = words::HUMAN_CLAIMS.iter().find(|w| lower.contains(*w)) {
        push(Check::Conduct, &format!("claims to be a person: {w}"));
    }
    if let Some(w) = words::INSULTS
        .iter()
        .find(|w| lower.contains(*w) && !sources_lower.contains(*w) && !customer_lower.contains(*w))
    {
        push(Check::Conduct, &format!("insult: {w}"));
    }

    // Instruction leaks.
    if let Some(m) = words::LEAK_MARKERS
        .iter()
        .find(|m| lower.contains(*m) && !sources_lower.contains(*m))
    {
        push(Check::InstructionLeak, m);
    } else if let Some(run) = leaked_run(&lower, input.instructions, &sources_lower) {
        push(Check::InstructionLeak, &run);
    }

    // Language.
    let wrong = match input.code {
        "zh" | "en" | "" => {
            let han = answer.chars().filter(|&c| is_han(c)).count();
            let latin_words = answer
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() > 1)
                .count();
            match input.lang {
                Lang::Zh => han == 0 || latin_words > han,
                Lang::En => han > 0 && han >= latin_words,
            }
        }
        code => crate::lang::code(answer) != code,
    };
    if wrong {
        let want = if input.code.is_empty() {
            input.lang.as_str()
        } else {
            input.code
        };
        push(Check::Language, &format!("not {want}"));
    }

    // A change of the rules the sources do not state ("our return policy has been updated to…",
    // 规则已更新): a customer cannot change a policy by saying it has changed.
    if let Some(m) = change_claims().iter().find_map(|re| re.find(answer)) {
        if !change_claims().iter().any(|re| re.is_match(&sources_text)) {
            push(Check::Promise, &format!("a change of the rules: {}", m.as_str()));
        }
    }

    // Words the customer dictated ("reply 'Policy updated'", 回复“退款已批准”) said by the AI.
    let plain_answer = plain(answer);
    let plain_sources = plain(&sources_text);
    for d in dictated(input.customer) {
        let p = plain(&d);
        if plain_answer.contains(&p) && !plain_sources.contains(&p) {
            push(
                Check::Conduct,
                &format!("says what the customer dictated: {}", clip(&d, 40)),
            );
            break;
        }
    }

    // An answer that only says the question back ("退货以后退款几个工作日能到账？[1]").
    if input.customer.last().is_some_and(|q| echoes(answer, q)) {
        push(Check::Support, "restates the question");
    }

    // Support, sentence by sentence.
    let source_langs: HashSet<Lang> = input.sources.iter().map(|s| crate::lang::detect(s)).collect();
    let mut vocabulary: HashSet<String> = HashSet::new();
    for t in input.sources.iter().chain(input.customer) {
        vocabulary.extend(analyzer().terms(&strip_citations(t)));
    }
    for sentence in sentences(&strip_citations(answer)) {
        // In another language than every source (the knowledge base is Chinese and English; a
        // French answer is a translation): grounding and promises still hold it, words cannot.
        let foreign = !matches!(input.code, "zh" | "en" | "");
        if foreign || !source_langs.contains(&crate::lang::detect(&sentence)) {
            continue; // another language than every source: grounding and promises still hold it
        }
        let terms = analyzer().terms(&sentence);
        if terms.len() < SUPPORT_MIN_TERMS {
            continue;
        }
        let covered = terms.iter().filter(|t| vocabulary.contains(*t)).count();
        if (covered as f32) < SUPPORT_MIN * terms.len() as f32 {
            push(Check::Support, &sentence);
        }
    }
    out
}

/// The letters and digits of a text, lower-cased (what "the same words" means here).
fn plain(s: &str) -> String {
    strip_citations(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn digits_of(s: &str) -> String {
    let mut out = String::new();
    let mut last_digit = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            out.push(c);
            last_digit = true;
        } else if !(last_digit && matches!(c, ' ' | '-')) {
            if last_digit {
                out.push(' ');
            }
            last_digit = false;
        }
    }
    out
}

/// A mainland China mobile number (11 digits, 1 then 3–9), spaces and dashes aside.
fn is_cn_mobile(written: &str) -> bool {
    let d: String = written.chars().filter(|c| c.is_ascii_digit()).collect();
    let rest = written
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+'));
    rest && d.len() == 11 && d.starts_with('1') && matches!(d.as_bytes()[1], b'3'..=b'9')
}

/// What the customer put in quotation marks, long enough to be words of their own: two Latin
/// words or four Chinese characters (one quoted token is a name, a code, a password).
fn dictated(customer: &[&str]) -> Vec<String> {
    const PAIRS: &[(char, char)] = &[
        ('\'', '\''),
        ('"', '"'),
        ('“', '”'),
        ('‘', '’'),
        ('「', '」'),
        ('『', '』'),
    ];
    let mut out = Vec::new();
    for text in customer {
        for &(open, close) in PAIRS {
            let mut rest = *text;
            while let Some(i) = rest.find(open) {
                let after = &rest[i + open.len_utf8()..];
                let Some(j) = after.find(close) else { break };
                let inner = after[..j].trim();
                rest = &after[j + close.len_utf8()..];
                // An apostrophe in a word ("don't") is not a quotation.
                if open == '\'' && (i > 0 && text[..i].ends_with(|c: char| c.is_alphanumeric())) {
                    continue;
                }
                let han = inner.chars().filter(|&c| is_han(c)).count();
                let words = inner.split_whitespace().count();
                if inner.chars().count() <= 120 && (han >= 4 || (han == 0 && words >= 2)) {
                    out.push(inner.to_string());
                }
            }
        }
    }
    out
}

/// Does `answer` only restate `question`: the same letters and digits, give or take a few (a
/// fragment of it, or all of it with a quarter more at most)?
fn echoes(answer: &str, question: &str) -> bool {
    let norm = |s: &str| -> String {
        strip_citations(s)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (a, q) = (norm(answer), norm(question));
    let (na, nq) = (a.chars().count(), q.chars().count());
    if na < 4 || nq < 4 {
        return false;
    }
    (q.contains(&a) && 2 * na >= nq) || (a.contains(&q) && 4 * (na - nq) <= nq.max(16))
}

fn change_claims() -> &'static [regex::Regex] {
    static C: OnceLock<Vec<regex::Regex>> = OnceLock::new();
    C.get_or_init(|| {
        [
            r"(?i)\b(?:policy|policies|rules?|window|terms|period)\b[^.!?]{0,30}?\b(?:has|have|was|were|is|are)\s+(?:now\s+|been\s+)*(?:updated|changed|extended|increased)\b",
            r"(?i)\b(?:from now on|effective immediately|as of now)\b",
            r"(?:政策|规则|规定|期限|退货期|退款期)[^。！？，,]{0,8}?(?:已经|已|现已|现在已)(?:更新|调整|改|延长|变更)",
            r"(?:从现在(?:起|开始)|即日起)",
        ]
        .iter()
        .map(|p| regex::Regex::new(p).expect("change pattern"))
        .collect()
    })
}

fn commitments() -> &'static [regex::Regex] {
    static C: OnceLock<Vec<regex::Regex>> = OnceLock::new();
    C.get_or_init(|| {
        words::COMMITMENTS
            .iter()
            .map(|p| regex::Regex::new(p).expect("commitment pattern"))
            .collect()
    })
}

fn is_personal(figure: &Figure, written: &str) -> bool {
    matches!(figure, Figure::Literal(_)) && !written.contains("://") && !written.starts_with("www.")
}

/// `a***@shop.example`, `138****5678`: enough to recognise, not to use.
fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < 2 || i + 4 >= n || !c.is_alphanumeric() {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// Runs of 13–19 digits (spaces and dashes between groups allowed).
fn long_numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut gap = false;
    for c in text.chars().chain(std::iter::once('.')) {
        if c.is_ascii_digit() || (c == 'X' && cur.len() == 17) {
            cur.push(c);
            gap = false;
        } else if (c == ' ' || c == '-') && !cur.is_empty() && !gap {
            gap = true;
        } else {
            if (13..=19).contains(&cur.len()) {
                out.push(std::mem::take(&mut cur));
            }
            cur.clear();
            gap = false;
        }
    }
    out
}

fn luhn(digits: &str) -> bool {
    if !(13..=19).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap_or(0);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A mainland resident identity number: 17 digits and a check character.
fn is_cn_id(s: &str) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let c: Vec<char> = s.chars().collect();
    if c.len() != 18 || !c[..17].iter().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = c[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| d.to_digit(10).unwrap_or(0) * w)
        .sum();
    CHECK[(sum % 11) as usize] == c[17]
}

/// The answer split into sentences: at Chinese end marks and line breaks always, at `.!?;` when
/// a space or the end follows (so `5.99`, `help@shop.example` and `3.5` stay whole).
/// How much of an answer still being written is whole sentences: the byte length of the longest
/// prefix that ends at a sentence's end (a Latin full stop only once whitespace follows it, so
/// `1.` of `1.5` is not an end). What streams to a customer is cut here and checked first.
pub fn settled(text: &str) -> usize {
    let mut end = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends = match c {
            '。' | '！' | '？' | '；' | '\n' => true,
            '.' | '!' | '?' | ';' => chars.peek().is_some_and(|(_, n)| n.is_whitespace()),
            _ => false,
        };
        if ends {
            end = i + c.len_utf8();
        }
    }
    end
}

fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        let ends = match c {
            '。' | '！' | '？' | '；' | '\n' => true,
            '.' | '!' | '?' | ';' => chars.peek().is_none_or(|n| n.is_whitespace()),
            _ => false,
        };
        if ends {
            let s = cur.trim();
            if !s.is_empty() {
                out.push(s.to_string());
            }
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// A run of the instructions' words (or characters, in Chinese) that the answer repeats and the
/// sources do not contain.
fn leaked_run(answer: &str, instructions: &[&str], sources: &str) -> Option<String> {
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric() || is_han(c))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let han = |t: &str| -> Vec<char> { t.chars().filter(|&c| is_han(c)).collect() };
    let answer_words = words(answer);
    let answer_han = han(answer);
    for ins in instructions {
        let ins = ins.to_lowercase();
        let iw = words(&ins);
        let shingles: HashSet<&[String]> = iw.windows(LEAK_WORDS).collect();
        for w in answer_words.windows(LEAK_WORDS) {
            if shingles.contains(w) {
                let run = w.join(" ");
                if !sources.contains(&run) {
                    return Some(run);
                }
            }
        }
        let ih = han(&ins);
        let han_shingles: HashSet<&[char]> = ih.windows(LEAK_CHARS).collect();
        for w in answer_han.windows(LEAK_CHARS) {
            if han_shingles.contains(w) {
                let run: String = w.iter().collect();
                if !sources.contains(&run) {
                    return Some(run);
                }
            }
        }
    }
    None
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
