//! Latin words as the English lexicon reads them: lower-cased, spelling variants and one- or
//! two-letter typos mapped to a small vocabulary, held-down letters squeezed, plurals and words
//! written together ("talktohuman") split back.

use super::edit_distance;

/// The vocabulary Latin words are mapped to: canonical word and its spelling variants.
#[rustfmt::skip]
const VARIANTS: &[(&str, &[&str])] = &[
    ("human", &["humans", "hooman", "hoomans", "humn", "hum4n", "humen", "huamn", "hunan", "humane", "hmn", "hman", "humam"]),
    ("person", &["persons", "persn", "prson", "perosn", "peron", "persom"]),
    ("people", &["ppl", "peeps", "peopl", "poeple"]),
    ("agent", &["agents", "agnet", "agen", "ajent", "agant", "agemt", "agnt"]),
    ("operator", &["operater", "oprator", "operaor", "operators"]),
    ("representative", &[
        "rep", "reps", "rp", "representitive", "reprsentative", "represenative", "representive",
        "representatives", "repesentative", "reprensentative", "csr",
    ]),
    ("someone", &["some1", "sum1", "somone", "someome", "someon", "somebody", "somebdy", "sb"]),
    ("anyone", &["any1", "anyon", "anybody", "anybdy", "anymore_never"]),
    ("staff", &["staffer", "staf", "stuff_never"]),
    ("employee", &["employees", "employe", "emplyee", "worker", "workers"]),
    ("manager", &["managers", "manger", "manageer", "mgr", "boss"]),
    ("supervisor", &["supervisors", "supervisr", "superviser", "supervisior"]),
    ("customer", &["custmer", "costumer", "cusomer", "customr", "custoemr", "cust"]),
    ("service", &["servcie", "sevice", "servise", "serivce", "svc", "serv"]),
    ("support", &["suport", "supprt", "supoprt"]),
    ("please", &["pls", "plz", "plse", "pleas", "pleae", "plox", "pleeease", "pleaseee"]),
    ("real", &["rl", "reall", "reel", "reaal", "actual", "genuine", "living", "alive", "breathing"]),
    ("talk", &["tlk", "tak", "tallk", "talking", "chat", "chatting"]),
    ("speak", &["speek", "spek", "speaking", "spk"]),
    ("transfer", &["tranfer", "transer", "trasnfer", "transfered", "transferred"]),
    ("connect", &["conect", "connet", "connectme"]),
    ("you", &["u", "ya", "yu"]),
    ("bot", &[
        "bots", "robot", "robots", "chatbot", "machine", "automated", "automatic", "ai", "program", "script",
        "algorithm", "computer",
    ]),
    ("colleague", &["colleagues", "coworker", "co-worker", "teammate"]),
    ("want", &["wanna", "wnt", "wan", "would like", "d like"]),
    ("need", &["neeed", "nee", "needd"]),
];

/// Maps a lower-case Latin word to its vocabulary form: a listed variant, or a typo of a long
/// enough vocabulary word (one edit for 5–7 letters, two from 8).
pub(super) fn canonical(w: &str) -> String {
    // "humaaaan", "pleeeease": a letter held down counts once.
    let mut squeezed = String::with_capacity(w.len());
    let mut run = 0;
    let mut last = None;
    for c in w.chars() {
        run = if Some(c) == last { run + 1 } else { 1 };
        last = Some(c);
        if run <= 2 {
            squeezed.push(c);
        }
    }
    let w = if squeezed.len() < w.len() {
        squeezed.replace("aa", "a").replace("ee", "e").replace("ss", "s")
    } else {
        squeezed
    };
    let w = w.as_str();
    // A plural of a listed form counts as the form ("coworkers", "reps").
    let singular = w.strip_suffix('s').filter(|s| s.len() >= 3);
    for (canon, variants) in VARIANTS {
        if w == *canon || variants.contains(&w) || singular.is_some_and(|s| s == *canon || variants.contains(&s)) {
            return (*canon).to_owned();
        }
    }
    let n = w.chars().count();
    if n >= 5 {
        for (canon, _) in VARIANTS {
            let m = canon.chars().count();
            if m < 5 || n.abs_diff(m) > 2 {
                continue;
            }
            let limit = if m >= 8 { 2 } else { 1 };
            if edit_distance(w, canon) <= limit {
                return (*canon).to_owned();
            }
        }
    }
    w.to_owned()
}

/// The message's Latin words, lower-cased and mapped to the vocabulary; runs of Chinese text
/// and punctuation become "|" (a boundary no phrase crosses). Words written together
/// ("talktohuman", "customerservice") are split when they are made of vocabulary words.
pub(super) fn words(text: &str) -> Vec<String> {
    let lower = text.to_lowercase().replace(['’', '‘'], "'");
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        if !cur.is_empty() {
            for part in split_joined(cur) {
                out.push(canonical(&part));
            }
            cur.clear();
        }
    };
    for c in lower.chars() {
        if c.is_ascii_alphanumeric() || c == '\'' || (c == '-' && !cur.is_empty()) {
            cur.push(c);
        } else {
            flush(&mut cur, &mut out);
            if !c.is_whitespace() && out.last().is_none_or(|l| l != "|") {
                out.push("|".into());
            }
        }
    }
    flush(&mut cur, &mut out);
    // "I'd" / "i'm": the apostrophe form's first part is enough here.
    out.iter()
        .map(|w| w.split('\'').next().unwrap_or(w).to_owned())
        .filter(|w| !w.is_empty())
        .collect()
}

/// "talktohuman" → talk to human; words of 9+ letters made only of known pieces are split.
fn split_joined(w: &str) -> Vec<String> {
    const PIECES: &[&str] = &[
        "talk",
        "speak",
        "to",
        "a",
        "an",
        "with",
        "human",
        "person",
        "real",
        "customer",
        "service",
        "support",
        "agent",
        "live",
        "please",
        "someone",
        "need",
        "want",
        "get",
        "me",
        "representative",
        "now",
        "i",
    ];
    if w.len() < 9 {
        return vec![w.to_owned()];
    }
    // Greedy longest-first segmentation; give up when a piece is missing.
    let mut out = Vec::new();
    let mut rest = w;
    while !rest.is_empty() {
        let Some(p) = PIECES.iter().filter(|p| rest.starts_with(**p)).max_by_key(|p| p.len()) else {
            return vec![w.to_owned()];
        };
        out.push((*p).to_owned());
        rest = &rest[p.len()..];
    }
    out
}
