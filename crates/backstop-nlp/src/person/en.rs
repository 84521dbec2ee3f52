//! Requests for a person in English: words mapped to a small vocabulary (variants and typos),
//! then persons in frames, terse requests, the switchboard, and complaints about the bot.

pub(super) use super::words::words;

/// A person who, named anywhere in a message, is being asked for (unless the words around say
/// otherwise): how many words the name takes from `i`.
pub(super) fn strong_person(ws: &[String], i: usize) -> Option<usize> {
    let w = |k: usize| ws.get(i + k).map(String::as_str).unwrap_or("");
    match w(0) {
        "human" | "operator" | "representative" | "supervisor" | "manager" | "colleague" | "salesperson" => Some(1),
        // "chat" is read as "talk".
        "live"
            if matches!(
                w(1),
                "agent" | "person" | "human" | "support" | "operator" | "chat" | "talk"
            ) =>
        {
            Some(2)
        }
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
        | "helpdesk" | "helpline" | "whoever" | "owner" | "specialist" | "expert" | "advisor" | "adviser"
        | "consultant" | "associate" => Some(1),
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
    "flag",
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
    "jump",
    "hop",
    "join",
    "assist",
    "respond",
    "reply",
    "answer",
    "review",
    "message",
    "text",
    "reach",
    "come",
    "working",
    "add",
];

/// Words skipped when counting how far a frame stands from the person ("pass me to one of your
/// staff" is as close as "pass me to staff").
fn filler(w: &str) -> bool {
    matches!(
        w,
        "me" | "to"
            | "a"
            | "an"
            | "the"
            | "one"
            | "of"
            | "your"
            | "ur"
            | "some"
            | "any"
            | "with"
            | "real"
            | "actual"
            | "member"
    )
}

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
        || has("would")
        || has("wondering")
        || has("wonder")
        || has("possible");
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
        // A frame word up to five words before (fillers not counted), in the same clause.
        let mut start = i;
        let mut counted = 0;
        while start > 0 && counted < 5 && ws[start - 1] != "|" {
            start -= 1;
            if !filler(&ws[start]) {
                counted += 1;
            }
        }
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
        &["get", "transfer"],
        &["be", "transfer"],
        &["give", "me", "a", "ring"],
        &["give", "me", "a", "buzz"],
        &["give", "me", "a", "bell"],
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
        // "Call me." on its own is a plea too.
        let only_the_verb = ws
            .iter()
            .filter(|w| *w != "|" && !polite(w))
            .all(|w| w == p[0] || w == "asap" || w == "back");
        if phrase(p) && (question_or_plea || only_the_verb) {
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
