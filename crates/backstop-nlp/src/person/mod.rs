//! Requests for a person, in Chinese and English, as customers actually write them: terse
//! demands ("agent", "客服!"), switchboard words (operator, rep, supervisor), customer service
//! asked for as a thing, complaints about the bot that ask for someone real, indirect requests
//! ("can someone call me", "叫你们的工作人员出来"), northern colloquial speech ("整个人来",
//! "叫个喘气儿的来"), typos and chat spelling ("reprsentative", "hooman", "pls", "转认工"),
//! pinyin ("rengong"), and all of these inside longer messages.
//!
//! The reading is structural, not a list of sentences: Latin words are first mapped to a small
//! vocabulary (spelling variants and one- or two-letter typos of the words that matter), Chinese
//! homophone typos of the key words are folded, and then a request is a *person* (strong nouns
//! such as human, agent, 人工, 客服人员; weak ones such as someone, 客服, 人 need a frame) inside a
//! *frame* that asks for them (talk to, get me, put me through, 找, 叫…来, …出来, …呢), or a
//! message that is nothing but a person and politeness, or a complaint about the bot with someone
//! real asked for. Mentions that are not requests are kept out by what surrounds them: the
//! delivery person, someone else picking up, customer-service hours, 人工费, 转账, 真人秀.
//!
//! This lexicon is the floor; the tenant's intent classifier carries a built-in `human` intent
//! trained on many phrasings (`data/human-request.txt`) on top of it.

mod en;
mod typing;
mod veto;
mod words;
mod zh;

use en::{en, not_a_request_person, strong_person, weak_person, words};
use zh::{fold_han, zh};

/// True when the customer asks to be served by a person.
pub fn asks_for_human(text: &str) -> bool {
    cue(text).is_some()
}

/// The part of the text that asks for a person, when there is one (for traces and tests). A
/// clause that asks counts; a clause that only mentions someone (what they said, declining
/// one, a review, a product for people …) does not.
pub fn cue(text: &str) -> Option<&'static str> {
    if veto::vetoed_message(text) {
        return None;
    }
    if let Some(c) = veto::clauses(text).filter(|c| !veto::vetoed(c)).find_map(read) {
        return Some(c);
    }
    // A person named in one clause and asked for in a later one with the object left out
    // ("人工客服几点上班？我现在就要找", "what time do agents start? I need one now").
    let clauses: Vec<&str> = veto::clauses(text).collect();
    if !clauses.iter().any(|c| veto::declines(&c.to_lowercase()))
        && clauses
            .iter()
            .enumerate()
            .any(|(i, c)| i > 0 && bare_reach(c) && clauses[..i].iter().any(|p| names_someone(p)))
    {
        return Some("someone asked for");
    }
    // A request spread over clauses ("this bot is useless, is anyone there"), unless a clause
    // naming a person does not ask, or one declines ("please don't transfer me, …").
    if veto::clauses(text).any(|c| veto::vetoed(c) && (names_someone(c) || veto::declines(&c.to_lowercase()))) {
        return None;
    }
    read(text)
}

/// A clause that only reaches for someone already named: a verb of finding or contacting with
/// no object ("我现在就要找", "马上联系", "I need one now", "get me one").
fn bare_reach(clause: &str) -> bool {
    let lower = clause.to_lowercase();
    let zh: String = lower
        .chars()
        .filter(|c| !"我现在就马上立刻赶紧要想得快点吧啊了呀 ".contains(*c))
        .collect();
    let zh_reach = matches!(
        zh.as_str(),
        "找" | "联系" | "转" | "叫" | "找一下" | "联系一下" | "转一下"
    );
    let ws = words(&lower);
    let ws: Vec<&str> = ws.iter().map(String::as_str).filter(|w| *w != "|").collect();
    let en_reach = matches!(
        ws.as_slice(),
        ["i", "need" | "want", "one", ..] | ["need" | "want" | "get" | "gimme", "one", ..] | ["get", "me", "one", ..]
    ) && ws.len() <= 6;
    zh_reach || en_reach
}

fn read(text: &str) -> Option<&'static str> {
    let han = fold_han(&text.to_lowercase());
    if let Some(c) = zh(&han) {
        return Some(c);
    }
    let words = words(text);
    en(&words)
}

/// True when the text names a person or the bot at all — strong or weak, asked for or not
/// ("someone", "客服", "人", "bot"). The classifier's `human` intent counts only together with
/// such a word, so it cannot take a plain question for a request.
pub fn mentions_person(text: &str) -> bool {
    !veto::vetoed_message(text) && veto::clauses(text).any(|c| !veto::vetoed(c) && names_someone(c))
}

fn names_someone(text: &str) -> bool {
    let ws = words(text);
    let named = (0..ws.len()).any(|i| {
        strong_person(&ws, i)
            .or_else(|| weak_person(&ws, i))
            .is_some_and(|len| !not_a_request_person(&ws, i, len))
    }) || ws
        .iter()
        .any(|w| matches!(w.as_str(), "bot" | "somebody" | "anybody" | "nobody" | "everyone"));
    let han = fold_han(&text.to_lowercase());
    named
        || ['人', '客', '员', '经', '长', '工', '机', '谁']
            .iter()
            .any(|c| han.contains(*c))
}

/// The Damerau–Levenshtein distance (adjacent transpositions count one) between two short words.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[n][m]
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
