//! Automation rules: what happens around the AI's answers, as data in the tenant's policy (the
//! `[[automation]]` tables, versioned with it). When something happens in a conversation — it
//! starts, the customer writes, it is handed over, assigned, resolved, rated, or stays idle — and
//! the rule's conditions hold (channel, language, the page the visitor is on, intent, the
//! customer's tags and value, business hours), the rule does things: greet in the customer's
//! language, leave a note for the agents, tag the conversation, raise its priority, send it to a
//! team (buying intent to sales), or close an idle conversation with a notice.
//!
//! A rule fires once per conversation unless it says `repeat = true`; every firing is recorded
//! (the engine's `automation` event names the rule). Validation refuses anything unclear with the
//! line of the rule's table.

use serde::{Deserialize, Serialize};

use crate::action::Localized;
use crate::conversation::Priority;
use crate::message::Lang;
use crate::routing::HandoffReason;

/// A policy may hold at most this many automation rules.
pub const MAX_AUTOMATIONS: usize = 100;
/// A conversation remembers at most this many tags.
pub const MAX_TAGS: usize = 20;
/// The longest idle wait a rule may name: 30 days.
pub const MAX_IDLE_MINUTES: u32 = 43_200;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The conversation's first customer turn, before the AI answers it.
    ConversationStarted,
    /// A customer turn (the AI's understanding of it is known: intent, topic).
    Message,
    /// The conversation was handed to a team (before the team is picked).
    Handoff,
    /// A person was given the conversation.
    Assigned,
    /// A person resolved the conversation.
    Resolved,
    /// Nobody wrote for `idle_minutes`.
    Idle,
    /// The customer rated the conversation.
    Rated,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::ConversationStarted => "conversation_started",
            Trigger::Message => "message",
            Trigger::Handoff => "handoff",
            Trigger::Assigned => "assigned",
            Trigger::Resolved => "resolved",
            Trigger::Idle => "idle",
            Trigger::Rated => "rated",
        }
    }
}

/// One `[[automation]]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutomationRule {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub on: Trigger,
    #[serde(default)]
    pub when: When,
    pub then: Do,
    /// Fire on every event that matches, not only the first of the conversation.
    #[serde(default)]
    pub repeat: bool,
    /// The line of the rule's table in the policy text (1-based; 0 when not parsed from text).
    #[serde(skip)]
    pub line: usize,
}

/// Conditions; every one given must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// The customer's language, ISO 639-1 codes (`["zh"]`).
    pub language: Option<Vec<String>>,
    /// The channel (`web` for the widget).
    pub channel: Option<Vec<String>>,
    /// The page the visitor is on: a path (`/pricing` also matches `/pricing/team` and
    /// `/pricing?plan=pro`) or a pattern with `*` (`/*/pricing*`), case-insensitive.
    pub page: Option<Vec<String>>,
    /// What the customer asks about: an article slug or topic, a classifier label, or a sensitive
    /// matter (`refund`, `billing` …), as the turn was understood.
    pub intent: Option<Vec<String>>,
    /// The customer has any of these tags (`vip`).
    pub customer_tags: Option<Vec<String>>,
    pub customer_value_at_least: Option<f64>,
    /// Within (true) or outside (false) any team's business hours.
    pub business_hours: Option<bool>,
    /// `on = "idle"`: minutes without a message from anyone.
    pub idle_minutes: Option<u32>,
    /// `on = "rated"`: the rating (1–5) is at most / at least this.
    pub rating_at_most: Option<u8>,
    pub rating_at_least: Option<u8>,
    /// `on = "handoff"`: why the conversation is handed over.
    pub handoff_reason: Option<Vec<HandoffReason>>,
}

/// What a rule does.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Do {
    /// A message to the customer in their language (English stands in for a missing Chinese one).
    pub greet: Option<Localized>,
    /// A private note for the agents.
    pub note: Option<String>,
    /// Tags on the conversation (shown in the handoff packet).
    #[serde(default)]
    pub tag: Vec<String>,
    /// The priority a hand-over gets at least (a queued conversation is raised at once).
    pub priority: Option<Priority>,
    /// The team (by name) the conversation is handed to, instead of the policy's.
    pub assign_team: Option<String>,
    /// `on = "idle"`: resolve the conversation, telling the customer this.
    pub close: Option<Localized>,
    /// `on = "conversation_started"` or `"message"`: the tenant's action (by name) the AI runs on
    /// this turn when nothing else chose one — as if the customer had asked for it, so its
    /// values, identity, the action rules and the customer's yes all apply.
    pub run_action: Option<String>,
}

/// What a conversation's automations remember (kept in its policy state).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memory {
    /// The page the visitor was on when the conversation started (path and query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// The conversation's first turn has been through the `conversation_started` rules.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub started: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The rules that fired, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fired: Vec<String>,
}

impl Memory {
    pub fn is_empty(&self) -> bool {
        *self == Memory::default()
    }

    /// Remembers a firing: the rule's name, its tags, the highest priority, the latest team.
    pub fn record(&mut self, rule: &AutomationRule) {
        if !self.fired.contains(&rule.name) {
            self.fired.push(rule.name.clone());
        }
        for t in &rule.then.tag {
            if !self.tags.contains(t) && self.tags.len() < MAX_TAGS {
                self.tags.push(t.clone());
            }
        }
        if let Some(p) = rule.then.priority {
            self.priority = Some(self.priority.map_or(p, |q| q.max(p)));
        }
        if let Some(team) = &rule.then.assign_team {
            self.team = Some(team.clone());
        }
    }
}

/// What is known when an event happens.
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    pub trigger: Trigger,
    /// The customer's language, ISO 639-1.
    pub language: &'a str,
    pub channel: &'a str,
    pub page: Option<&'a str>,
    /// The turn's intents: the answering article's slug and topic, the classifier's label, the
    /// sensitive matters.
    pub intents: &'a [String],
    pub customer_tags: &'a [String],
    pub customer_value: Option<f64>,
    pub business_hours: bool,
    /// Minutes since anyone wrote.
    pub idle_minutes: Option<u32>,
    pub rating: Option<u8>,
    pub handoff_reason: Option<HandoffReason>,
}

/// One firing, as the `automation` event records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Firing {
    pub rule: String,
    pub trigger: Trigger,
    /// What it did, in order (`greet`, `tag:lead`, `assign_team:Sales` …).
    pub did: Vec<String>,
    /// What it could not do, and why (a team that no longer exists).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
}

/// The rules due for `facts`, in the policy's order: on this trigger, their conditions holding,
/// and not fired before in this conversation unless they repeat.
pub fn due<'a>(rules: &'a [AutomationRule], facts: &Facts, memory: &Memory) -> Vec<&'a AutomationRule> {
    rules
        .iter()
        .filter(|r| r.on == facts.trigger)
        .filter(|r| r.repeat || !memory.fired.contains(&r.name))
        .filter(|r| holds(&r.when, facts))
        .collect()
}

fn any_of(list: &Option<Vec<String>>, found: impl Fn(&str) -> bool) -> bool {
    list.as_ref().is_none_or(|l| l.iter().any(|v| found(v)))
}

fn holds(w: &When, f: &Facts) -> bool {
    any_of(&w.language, |l| l.eq_ignore_ascii_case(f.language))
        && any_of(&w.channel, |c| c.eq_ignore_ascii_case(f.channel))
        && w.page
            .as_ref()
            .is_none_or(|ps| f.page.is_some_and(|p| ps.iter().any(|pat| page_matches(pat, p))))
        && any_of(&w.intent, |i| f.intents.iter().any(|x| x.eq_ignore_ascii_case(i)))
        && any_of(&w.customer_tags, |t| {
            f.customer_tags.iter().any(|x| x.eq_ignore_ascii_case(t))
        })
        && w.customer_value_at_least
            .is_none_or(|v| f.customer_value.is_some_and(|c| c >= v))
        && w.business_hours.is_none_or(|b| b == f.business_hours)
        && w.idle_minutes.is_none_or(|m| f.idle_minutes.is_some_and(|i| i >= m))
        && w.rating_at_most.is_none_or(|m| f.rating.is_some_and(|r| r <= m))
        && w.rating_at_least.is_none_or(|m| f.rating.is_some_and(|r| r >= m))
        && w.handoff_reason
            .as_ref()
            .is_none_or(|rs| f.handoff_reason.is_some_and(|r| rs.contains(&r)))
}

/// The part of a page address a rule reads: path and query, without scheme, host or fragment,
/// at most 500 characters; `None` for anything that is not an address.
pub fn page_path(raw: &str) -> Option<String> {
    let s = raw.trim();
    let s = s.split('#').next().unwrap_or_default();
    let path = match s.find("://") {
        Some(i) => {
            let rest = &s[i + 3..];
            match rest.find(['/', '?']) {
                Some(j) => &rest[j..],
                None => "/",
            }
        }
        None => s,
    };
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    if !path.starts_with('/') || path.chars().any(char::is_control) {
        return None;
    }
    Some(path.chars().take(500).collect())
}

/// Does the page `path` match `pattern` (see [`When::page`])?
pub fn page_matches(pattern: &str, path: &str) -> bool {
    let (pattern, path) = (pattern.to_lowercase(), path.to_lowercase());
    if !pattern.contains('*') {
        let rest = match path.strip_prefix(pattern.trim_end_matches('/')) {
            Some(r) => r,
            None => return false,
        };
        return rest.is_empty() || rest.starts_with(['/', '?']);
    }
    glob(pattern.as_bytes(), path.as_bytes())
}

/// `*` matches any run of characters; everything else itself.
fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            pi += 1;
            mark = si;
        } else if pi < p.len() && p[pi] == s[si] {
            pi += 1;
            si += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == b'*')
}

/// What a rule's greeting or closing notice says to a customer writing in `lang`.
pub fn say(text: &Localized, lang: Lang) -> &str {
    text.get(lang).trim()
}

/// Checks one rule; the message says what is wrong, without the line (the caller adds it).
pub fn validate(r: &AutomationRule) -> Result<(), String> {
    if !crate::action::schema::is_name(&r.name) {
        return Err("a name is a lower-case letter, then letters, digits or _ (at most 40)".into());
    }
    if r.description.as_ref().is_some_and(|d| d.chars().count() > 500) {
        return Err("description is at most 500 characters".into());
    }
    let w = &r.when;
    for (field, list) in [
        ("language", &w.language),
        ("channel", &w.channel),
        ("page", &w.page),
        ("intent", &w.intent),
        ("customer_tags", &w.customer_tags),
    ] {
        if let Some(list) = list {
            if list.is_empty() {
                return Err(format!("when.{field} is an empty list: it could never hold"));
            }
            if list.len() > 50 {
                return Err(format!("when.{field} lists at most 50 values"));
            }
            if let Some(v) = list.iter().find(|v| v.trim().is_empty() || v.chars().count() > 200) {
                return Err(format!(
                    "when.{field} has a value that is empty or over 200 characters: {v:?}"
                ));
            }
        }
    }
    if let Some(l) = w
        .language
        .iter()
        .flatten()
        .find(|l| !crate::directory::is_language_code(l))
    {
        return Err(format!(
            "when.language: {l:?} is not an ISO 639-1 code such as \"zh\" or \"en\""
        ));
    }
    if let Some(p) = w
        .page
        .iter()
        .flatten()
        .find(|p| !(p.starts_with('/') || p.starts_with('*')))
    {
        return Err(format!(
            "when.page: {p:?} is a path that starts with / (or a pattern with *)"
        ));
    }
    if w.handoff_reason.as_ref().is_some_and(Vec::is_empty) {
        return Err("when.handoff_reason is an empty list: it could never hold".into());
    }
    if w.customer_value_at_least.is_some_and(|v| !v.is_finite() || v < 0.0) {
        return Err("when.customer_value_at_least must be a number of at least 0".into());
    }
    for (field, v) in [
        ("rating_at_most", w.rating_at_most),
        ("rating_at_least", w.rating_at_least),
    ] {
        if v.is_some_and(|v| !(1..=5).contains(&v)) {
            return Err(format!("when.{field} is a rating from 1 to 5"));
        }
    }
    let only = |field: &str, given: bool, trigger: Trigger| -> Result<(), String> {
        if given && r.on != trigger {
            return Err(format!("when.{field} is only for on = \"{}\"", trigger.as_str()));
        }
        Ok(())
    };
    only("idle_minutes", w.idle_minutes.is_some(), Trigger::Idle)?;
    only("rating_at_most", w.rating_at_most.is_some(), Trigger::Rated)?;
    only("rating_at_least", w.rating_at_least.is_some(), Trigger::Rated)?;
    only("handoff_reason", w.handoff_reason.is_some(), Trigger::Handoff)?;
    if r.on == Trigger::Idle {
        match w.idle_minutes {
            None => return Err("on = \"idle\" needs when.idle_minutes".into()),
            Some(m) if m == 0 || m > MAX_IDLE_MINUTES => {
                return Err(format!("when.idle_minutes is from 1 to {MAX_IDLE_MINUTES}"))
            }
            Some(_) => {}
        }
    }
    if w.intent.is_some() && !matches!(r.on, Trigger::Message | Trigger::ConversationStarted | Trigger::Handoff) {
        return Err("when.intent is known only on conversation_started, message and handoff".into());
    }
    let d = &r.then;
    let nothing = d.greet.is_none()
        && d.note.is_none()
        && d.tag.is_empty()
        && d.priority.is_none()
        && d.assign_team.is_none()
        && d.close.is_none()
        && d.run_action.is_none();
    if nothing {
        return Err("then does nothing: give greet, note, tag, priority, assign_team, run_action or close".into());
    }
    if let Some(a) = &d.run_action {
        if !crate::action::schema::is_name(a) {
            return Err(format!("then.run_action: {a:?} is not an action's name"));
        }
        if !matches!(r.on, Trigger::ConversationStarted | Trigger::Message) {
            return Err(
                "then.run_action is only for on = \"conversation_started\" or \"message\": the AI runs it in its turn"
                    .into(),
            );
        }
    }
    for (field, text) in [("greet", &d.greet), ("close", &d.close)] {
        if let Some(t) = text {
            if t.en.trim().is_empty() {
                return Err(format!(
                    "then.{field} needs an English text (en); zh is used for Chinese"
                ));
            }
            if t.en.chars().count() > 1000 || t.zh.chars().count() > 1000 {
                return Err(format!("then.{field} is at most 1,000 characters per language"));
            }
        }
    }
    if d.note
        .as_ref()
        .is_some_and(|n| n.trim().is_empty() || n.chars().count() > 1000)
    {
        return Err("then.note is 1 to 1,000 characters".into());
    }
    if d.tag.len() > 10 {
        return Err("then.tag lists at most 10 tags".into());
    }
    let tag_ok = |t: &str| {
        (1..=32).contains(&t.chars().count()) && t.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    };
    if let Some(t) = d.tag.iter().find(|t| !tag_ok(t)) {
        return Err(format!("then.tag: {t:?} is 1–32 letters, digits, '-' or '_'"));
    }
    if d.assign_team
        .as_ref()
        .is_some_and(|t| t.trim().is_empty() || t.chars().count() > 100)
    {
        return Err("then.assign_team names a team (1 to 100 characters)".into());
    }
    if d.close.is_some() && r.on != Trigger::Idle {
        return Err("then.close is only for on = \"idle\"".into());
    }
    if r.on == Trigger::Idle && (d.assign_team.is_some() || d.greet.is_some()) {
        return Err("on = \"idle\" may close, note, tag or set the priority".into());
    }
    if matches!(r.on, Trigger::Resolved | Trigger::Rated) && (d.assign_team.is_some() || d.priority.is_some()) {
        return Err(format!(
            "on = \"{}\": the conversation is settled, so assign_team and priority have no effect",
            r.on.as_str()
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "automation_tests.rs"]
mod tests;
