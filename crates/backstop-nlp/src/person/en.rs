//! Requests for a person in English: words mapped to a small vocabulary (variants and typos),
//! then persons in frames, terse requests, the switchboard, and complaints about the bot.

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
    for (canon, variants) in VARIANTS {
        if w == *canon || variants.contains(&w) {
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

/// A person who, named anywhere in a message, is being asked for (unless the words around say
/// otherwise): how many words the name takes from `i`.
pub(super) fn strong_person(ws: &[String], i: usize) -> Option<usize> {
    let w = |k: usize| ws.get(i + k).map(String::as_str).unwrap_or("");
    match w(0) {
        "human" | "operator" | "representative" | "supervisor" | "manager" | "colleague" | "salesperson" => Some(1),
        "live" if matches!(w(1), "agent" | "person" | "human" | "support" | "operator" | "chat") => Some(2),
        "real"
            if matches!(
                w(1),
                "one" | "people" | "someone" | "human" | "person" | "agent" | "staff"
            ) =>
        {
            Some(2)
        }
        "staff" if w(1) == "member" => Some(2),
        "member" if w(1) == "of" && matches!(w(2), "staff" | "your" | "the") => Some(3),
        "team" if w(1) == "member" => Some(2),
        "someone" | "anyone" if w(1) == "real" => Some(2),
        _ => None,
    }
}

/// A person who is asked for only in a frame ("talk to an agent", "someone from your team").
pub(super) fn weak_person(ws: &[String], i: usize) -> Option<usize> {
    let w = |k: usize| ws.get(i + k).map(String::as_str).unwrap_or("");
    match w(0) {
        "customer" if matches!(w(1), "service" | "support" | "care" | "services") => Some(2),
        "support" if matches!(w(1), "team" | "staff" | "person" | "agent" | "desk") => Some(2),
        "service" if matches!(w(1), "team" | "desk") => Some(2),
        "help" if matches!(w(1), "desk" | "line") => Some(2),
        "after-sales" | "sales" if matches!(w(1), "staff" | "team" | "person" | "people") => Some(2),
        "agent" | "person" | "people" | "staff" | "employee" | "someone" | "anyone" | "team" | "support"
        | "helpdesk" | "helpline" | "whoever" | "owner" => Some(1),
        _ => None,
    }
}

/// A person noun that is really something else: "delivery person", "sales rep said", "the
/// agent fee", "customer service hours", "someone else", "a person to sign".
pub(super) fn not_a_request_person(ws: &[String], i: usize, len: usize) -> bool {
    let before = if i > 0 { ws[i - 1].as_str() } else { "" };
    let after = ws.get(i + len).map(String::as_str).unwrap_or("");
    let after2 = ws.get(i + len + 1).map(String::as_str).unwrap_or("");
    let modifiers = [
        "delivery",
        "courier",
        "travel",
        "shipping",
        "post",
        "postal",
        "insurance",
        "estate",
        "my",
        "his",
        "her",
        "their",
        "other",
        "another",
        "mail",
        "cleaning",
        "rental",
        "booking",
        "account",
        "warehouse",
        "project",
        "office",
        "property",
        "hr",
        "bank",
        "bank's",
        "card",
        "payment",
        "photo",
        "sales",
        "in",
    ];
    let following = [
        "else",
        "hours",
        "hour",
        "opening",
        "fee",
        "fees",
        "code",
        "said",
        "told",
        "says",
        "was",
        "name",
        "resources",
        "rights",
        "error",
        "size",
        "sizes",
        "sign",
        "signs",
        "collect",
        "collects",
        "receive",
        "shipped",
        "delivered",
        "came",
        "brought",
        "left",
        "dropped",
        "will",
        "closed",
        "holiday",
        "holidays",
        "schedule",
        "friendly",
        "body",
        "hair",
        "wearing",
        "asked",
        "gave",
        "promised",
        "mentioned",
        "already",
        "did",
        "approved",
        "sent",
        "emailed",
        "called",
        "hung",
        "number_was",
    ];
    if modifiers.contains(&before) || following.contains(&after) {
        return true;
    }
    // "a person to sign for it", "someone to pick it up", "need a person to be home".
    if after == "to"
        && matches!(
            after2,
            "sign" | "receive" | "collect" | "pick" | "be" | "accept" | "open" | "carry"
        )
    {
        return true;
    }
    // "is customer service open on Sundays", "when does support close" — but "is a real person
    // available?" with no time asks for one now.
    if after == "available" && matches!(after2, "|" | "") {
        return false;
    }
    matches!(
        after,
        "open" | "available" | "work" | "start" | "close" | "closes" | "opens"
    ) && matches!(
        after2,
        "on" | "at"
            | "until"
            | "till"
            | "today"
            | "tomorrow"
            | "sunday"
            | "sundays"
            | "weekends"
            | "weekend"
            | "during"
            | "over"
            | "|"
            | ""
    ) && !ws
        .iter()
        .any(|w| matches!(w.as_str(), "talk" | "speak" | "need" | "want"))
}

/// Words that, a few words before a weak person in the same clause, ask for them.
const FRAMES: &[&str] = &[
    "talk",
    "speak",
    "chat",
    "connect",
    "transfer",
    "switch",
    "redirect",
    "put",
    "pass",
    "hand",
    "forward",
    "get",
    "gimme",
    "give",
    "find",
    "send",
    "bring",
    "want",
    "need",
    "request",
    "prefer",
    "rather",
    "contact",
    "reach",
    "email",
    "ask",
    "escalate",
    "escalated",
    "wait",
    "queue",
    "discuss",
    "take",
    "assign",
    "through",
    "touch",
    "deal",
    "speaking",
    "talking",
    "call",
    "have",
    "there",
    "like",
    "book",
    "said",
    "arrange",
    "schedule",
];

/// Words right after a weak person that show them being asked for ("anyone there?", "someone
/// call me", "are any of your agents online").
const FRAMES_AFTER: &[&str] = &[
    "call",
    "ring",
    "phone",
    "contact",
    "help",
    "there",
    "here",
    "around",
    "online",
    "available",
    "look",
    "check",
    "sort",
    "handle",
    "deal",
    "step",
    "take",
    "get",
    "email",
    "unlock",
    "fix",
    "please",
    "now",
    "asap",
    "who",
    "that",
    "able",
    "can",
    "could",
    "on",
    "line",
    "number",
];

pub(super) fn en(ws: &[String]) -> Option<&'static str> {
    if ws.is_empty() {
        return None;
    }
    let has = |w: &str| ws.iter().any(|x| x == w);
    let phrase = |p: &[&str]| ws.windows(p.len()).any(|win| win.iter().zip(p).all(|(a, b)| a == b));
    let question_or_plea = has("can")
        || has("could")
        || has("please")
        || has("need")
        || has("want")
        || has("is")
        || has("are")
        || has("any")
        || has("may")
        || has("would");
    for i in 0..ws.len() {
        // Strong persons: named is asked for ("human, please", "which human can I call").
        if let Some(len) = strong_person(ws, i) {
            if !not_a_request_person(ws, i, len) {
                return Some("a person asked for");
            }
            continue;
        }
        let Some(len) = weak_person(ws, i) else { continue };
        if not_a_request_person(ws, i, len) {
            continue;
        }
        // A frame word up to five words before, in the same clause.
        let start = i.saturating_sub(5);
        let window = &ws[start..i];
        let clause_start = window.iter().rposition(|w| w == "|").map_or(0, |p| p + 1);
        let framed = window[clause_start..].iter().any(|w| FRAMES.contains(&w.as_str()));
        // "have"/"get"/"call" frame only the clearer persons ("get me an agent", not "get a
        // person to sign").
        let weak_frame_only = window[clause_start..]
            .iter()
            .filter(|w| FRAMES.contains(&w.as_str()))
            .all(|w| matches!(w.as_str(), "have" | "call" | "deal" | "take" | "through"));
        let next = ws.get(i + len).map(String::as_str).unwrap_or("");
        let asked_after = FRAMES_AFTER.contains(&next)
            && (question_or_plea || i == 0 || ws[i - 1] == "|" || matches!(next, "call" | "there" | "please"));
        // "someone from your team", "anyone from support".
        let from_you = next == "from"
            && ws
                .get(i + len + 1)
                .is_some_and(|w| matches!(w.as_str(), "your" | "the" | "support" | "maple" | "customer" | "staff"));
        if framed && !(weak_frame_only && matches!(&*ws[i], "person" | "people" | "team" | "support"))
            || asked_after
            || from_you
        {
            return Some("a person asked for");
        }
    }
    // Terse: nothing but a person and politeness ("agent", "HUMAN!!", "customer service pls").
    let mut i = 0;
    let mut any_person = false;
    while i < ws.len() {
        if let Some(len) = strong_person(ws, i).or_else(|| weak_person(ws, i)) {
            any_person = true;
            i += len;
        } else if polite(&ws[i]) {
            i += 1;
        } else {
            any_person = false;
            break;
        }
    }
    if any_person {
        return Some("a person, tersely");
    }
    // The switchboard: transfer me, escalate, put me through, call me back.
    for p in [
        &["transfer", "me"][..],
        &["connect", "me"],
        &["put", "me", "through"],
        &["escalate", "this"],
        &["escalate", "it"],
        &["escalate", "my"],
        &["please", "escalate"],
        &["escalated"],
        &["call", "me", "back"],
        &["callback"],
        &["call", "back"],
        &["give", "me", "a", "call"],
        &["not", "a", "bot"],
        &["stop", "the", "bot"],
        &["no", "more", "bot"],
        &["no", "bot"],
        &["human", "being"],
        &["who", "can", "i", "talk", "to"],
        &["who", "can", "i", "speak", "to"],
        &["phone", "me", "back"],
        &["ring", "me", "back"],
    ] {
        if phrase(p) {
            return Some("a person asked for");
        }
    }
    for p in [
        &["call", "me"][..],
        &["ring", "me"],
        &["phone", "me"],
        &["any", "people", "there"],
        &["anyone", "there"],
        &["anybody", "there"],
    ] {
        if phrase(p) && question_or_plea {
            return Some("a call asked for");
        }
    }
    if has("escalate") && ws.len() <= 4 {
        return Some("escalation asked for");
    }
    // A complaint about the bot ("you're a bot and you don't understand me"); "are you a bot?"
    // alone is small talk.
    if has("bot") {
        let complaint = [
            "understand",
            "useless",
            "clueless",
            "stupid",
            "dumb",
            "idiot",
            "again",
            "generic",
            "canned",
            "same",
            "stop",
            "refuse",
            "tired",
            "done",
            "enough",
            "pointless",
            "waste",
            "repeat",
            "misunderstanding",
            "sick",
            "hate",
            "helpless",
            "not",
            "don",
            "won",
            "doesn",
            "no",
            "someone",
            "anyone",
            "human",
            "person",
            "people",
            "real",
        ];
        let identity_only =
            phrase(&["are", "you", "a", "bot"]) && ws.len() <= 8 && !has("someone") && !has("need") && !has("want");
        if !identity_only && complaint.iter().any(|w| has(w)) {
            return Some("the bot refused");
        }
    }
    None
}

/// Words that alone make a message a terse request when nothing else is in it.
fn polite(w: &str) -> bool {
    matches!(
        w,
        "please"
            | "now"
            | "|"
            | "hi"
            | "hello"
            | "hey"
            | "ok"
            | "okay"
            | "just"
            | "a"
            | "an"
            | "the"
            | "your"
            | "ur"
            | "me"
            | "i"
            | "want"
            | "need"
            | "get"
            | "give"
            | "asap"
            | "right"
            | "immediately"
            | "thanks"
            | "thank"
            | "you"
            | "quick"
            | "already"
            | "ffs"
            | "urgent"
            | "urgently"
            | "yes"
            | "yeah"
            | "yep"
            | "again"
            | "seriously"
            | "one"
            | "there"
            | "some"
            | "for"
            | "sake"
            | "fine"
            | "then"
            | "so"
            | "talk"
            | "speak"
            | "to"
            | "with"
            | "real"
            | "live"
            | "can"
            | "could"
            | "may"
            | "have"
            | "let"
            | "go"
            | "1"
            | "damn"
            | "gimme"
            | "said"
            | "where"
            | "wheres"
            | "where's"
            | "is"
            | "are"
            | "any"
            | "2"
            | "pls"
    )
}
