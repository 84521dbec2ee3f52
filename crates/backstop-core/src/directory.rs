//! Who is who inside a tenant: the tenant itself, its teams, agents and customers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, CustomerId, TeamId, TenantId};
use crate::message::Lang;
use crate::routing::TeamRole;
use crate::{FieldError, Fields};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    /// Key for verifying a widget visitor's claimed e-mail (HMAC-SHA256). Never logged.
    pub widget_secret: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub tenant: TenantId,
    pub name: String,
    /// The name shown to customers writing in another language (e.g. `zh` → 综合客服).
    pub names: BTreeMap<Lang, String>,
    pub role: TeamRole,
    /// How the team picks among its available agents.
    #[serde(default)]
    pub strategy: crate::assignment::Strategy,
    /// When the team answers (default: always).
    #[serde(default)]
    pub hours: crate::hours::BusinessHours,
    /// First-reply targets and the reply time promised to offline tickets.
    #[serde(default)]
    pub sla: crate::sla::SlaTargets,
    /// The customer languages the team serves, as ISO 639-1 codes; empty: every language.
    #[serde(default)]
    pub languages: Vec<String>,
}

/// Is `code` an ISO 639-1 (or 639-3) language code as Backstop stores them: two or three
/// lower-case letters?
pub fn is_language_code(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
}

/// The team a hand-over with `role` goes to for a customer writing `language`: of the teams with
/// that role, one that names the language, else one that serves every language, else the first;
/// with no team of the role, the tenant's first team.
pub fn team_for<'a>(teams: &'a [Team], role: TeamRole, language: &str) -> Option<&'a Team> {
    let with_role: Vec<&Team> = teams.iter().filter(|t| t.role == role).collect();
    with_role
        .iter()
        .find(|t| t.languages.iter().any(|l| l == language))
        .or_else(|| with_role.iter().find(|t| t.languages.is_empty()))
        .or_else(|| with_role.first())
        .copied()
        .or_else(|| teams.iter().find(|t| t.role != TeamRole::Routed))
        .or_else(|| teams.first())
}

/// The team called `name`, by its name or one of its names in another language,
/// case-insensitive (what an automation rule's `assign_team` names).
pub fn team_named<'a>(teams: &'a [Team], name: &str) -> Option<&'a Team> {
    let name = name.trim();
    teams
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name) || t.names.values().any(|n| n.trim() == name))
}

/// Lower-cases, trims and de-duplicates language codes; a code that is not one is named in the
/// error.
fn tidy_languages(f: &mut Fields, field: &str, codes: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in codes {
        let c = c.trim().to_lowercase();
        if c.is_empty() || out.contains(&c) {
            continue;
        }
        if !is_language_code(&c) {
            f.bad(
                field,
                format!("{c:?} is not a language code; use ISO 639-1 codes such as zh, en, fr"),
            );
        }
        out.push(c);
    }
    if out.len() > 60 {
        f.bad(field, "at most 60 languages");
    }
    out
}

impl Team {
    pub const MAX_NAME: usize = 80;

    /// Tidies what an admin set (trimmed names, empty names per language dropped, language codes
    /// lower-cased) and checks every field: the name, the names per language, the languages, the
    /// service targets. (The hours are checked when they are parsed.)
    pub fn normalized(mut self) -> Result<Self, Vec<FieldError>> {
        let mut f = Fields::default();
        self.name = self.name.trim().to_owned();
        f.text("name", &self.name, Self::MAX_NAME);
        self.names = std::mem::take(&mut self.names)
            .into_iter()
            .map(|(l, n)| (l, n.trim().to_owned()))
            .filter(|(_, n)| !n.is_empty())
            .collect();
        for (l, n) in &self.names {
            f.text(&format!("names.{}", l.as_str()), n, Self::MAX_NAME);
        }
        self.languages = tidy_languages(&mut f, "languages", std::mem::take(&mut self.languages));
        if let Err(e) = self.sla.validate() {
            let field = match e {
                crate::sla::SlaError::Ticket => "sla.ticket_reply_mins",
                _ => "sla.vip_secs",
            };
            f.bad(field, e.to_string());
        }
        f.done()?;
        Ok(self)
    }

    /// The team's name for a customer writing in `lang`.
    pub fn display_name(&self, lang: Lang) -> &str {
        self.names.get(&lang).map_or(&self.name, String::as_str)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentRole {
    Agent,
    Supervisor,
    Admin,
}

impl AgentRole {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentRole::Agent => "agent",
            AgentRole::Supervisor => "supervisor",
            AgentRole::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "agent" => Some(AgentRole::Agent),
            "supervisor" => Some(AgentRole::Supervisor),
            "admin" => Some(AgentRole::Admin),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub tenant: TenantId,
    pub name: String,
    pub email: String,
    pub role: AgentRole,
    pub team_ids: Vec<TeamId>,
    #[serde(default)]
    pub profile: AgentProfile,
    /// A deactivated agent cannot sign in, holds no session and is given no conversation; their
    /// history stays.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// What assignment needs to know of an agent: how much they can hold and what they know.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentProfile {
    /// Conversations the agent may hold at once.
    pub capacity: u32,
    /// Languages they serve customers in, as ISO 639-1 codes (`zh`, `en`, `fr`, …).
    pub languages: Vec<String>,
    /// Knowledge-base topics they know well (e.g. "refunds").
    pub topics: Vec<String>,
}

impl AgentProfile {
    pub const DEFAULT_CAPACITY: u32 = 5;
    pub const MAX_CAPACITY: u32 = 100;
    pub const MAX_TOPICS: usize = 50;

    /// Tidies (codes and topics lower-cased, trimmed, de-duplicated) and checks the profile.
    pub fn normalized(mut self) -> Result<Self, Vec<FieldError>> {
        let mut f = Fields::default();
        if !(1..=Self::MAX_CAPACITY).contains(&self.capacity) {
            f.bad(
                "capacity",
                format!("must be between 1 and {} conversations", Self::MAX_CAPACITY),
            );
        }
        self.languages = tidy_languages(&mut f, "languages", std::mem::take(&mut self.languages));
        let mut topics: Vec<String> = Vec::new();
        for t in std::mem::take(&mut self.topics) {
            let t = t.trim().to_lowercase();
            if !t.is_empty() && !topics.contains(&t) {
                topics.push(t);
            }
        }
        if topics.len() > Self::MAX_TOPICS || topics.iter().any(|t| t.chars().count() > 100) {
            f.bad(
                "topics",
                format!("at most {} topics of up to 100 characters", Self::MAX_TOPICS),
            );
        }
        self.topics = topics;
        f.done()?;
        Ok(self)
    }
}

impl Agent {
    pub const MAX_NAME: usize = 100;

    /// Checks a new account's name and e-mail (trimmed; the e-mail lower-cased is how sign-in
    /// finds it).
    pub fn check_identity(name: &str, email: &str) -> Result<(), Vec<FieldError>> {
        let mut f = Fields::default();
        f.text("name", name, Self::MAX_NAME);
        let email = email.trim();
        let parts = email.split_once('@');
        if !parts.is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.ends_with('.'))
            || email.len() > 254
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            f.bad("email", "is not an e-mail address");
        }
        f.done()
    }
}

impl Default for AgentProfile {
    fn default() -> Self {
        AgentProfile {
            capacity: Self::DEFAULT_CAPACITY,
            languages: vec!["zh".into(), "en".into()],
            topics: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub tenant: TenantId,
    pub name: Option<String>,
    pub email: Option<String>,
    /// The e-mail is vouched for: by the host site's HMAC (`user_hash`), or by an operator who
    /// imported the customer. A visitor's unverified claim is kept as contact information only:
    /// a verified identity never resolves to a customer whose e-mail is not verified.
    pub email_verified: bool,
    pub tags: Vec<String>,
    pub lang: Option<Lang>,
}

impl Customer {
    pub fn is_vip(&self) -> bool {
        self.tags.iter().any(|t| t.eq_ignore_ascii_case("vip"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(name: &str, role: TeamRole, languages: &[&str]) -> Team {
        Team {
            id: TeamId(uuid::Uuid::new_v4()),
            tenant: TenantId::parse("shop").unwrap(),
            name: name.into(),
            names: Default::default(),
            role,
            strategy: Default::default(),
            hours: Default::default(),
            sla: Default::default(),
            languages: languages.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn a_hand_over_goes_to_the_team_of_its_role_that_speaks_the_customers_language() {
        let teams = [
            team("General", TeamRole::General, &[]),
            team("Europe", TeamRole::General, &["fr", "de"]),
            team("VIP", TeamRole::Escalation, &["zh", "en"]),
        ];
        let pick = |role, code| team_for(&teams, role, code).map(|t| t.name.as_str());
        assert_eq!(pick(TeamRole::General, "fr"), Some("Europe"));
        assert_eq!(
            pick(TeamRole::General, "zh"),
            Some("General"),
            "the team for every language"
        );
        // The role comes first: an angry French customer still goes to the escalation team.
        assert_eq!(pick(TeamRole::Escalation, "fr"), Some("VIP"));
        assert_eq!(
            team_for(&teams[1..2], TeamRole::General, "ja").map(|t| t.name.as_str()),
            Some("Europe")
        );
        assert_eq!(
            team_for(&teams[2..], TeamRole::General, "en").map(|t| t.name.as_str()),
            Some("VIP")
        );
        assert!(team_for(&[], TeamRole::General, "en").is_none());
        assert!(
            is_language_code("fr") && is_language_code("fil") && !is_language_code("French") && !is_language_code("FR")
        );
    }

    #[test]
    fn a_team_is_tidied_then_checked_field_by_field() {
        let mut t = team("  Europe ", TeamRole::General, &["FR", " de", "fr", ""]);
        t.names.insert(Lang::Zh, " 欧洲组 ".into());
        t.names.insert(Lang::En, "  ".into());
        let t = t.normalized().unwrap();
        assert_eq!(t.name, "Europe");
        assert_eq!(t.languages, ["fr", "de"]);
        assert_eq!(t.names.len(), 1, "an empty name per language falls back to the name");
        assert_eq!(t.display_name(Lang::Zh), "欧洲组");

        let mut bad = team(" ", TeamRole::General, &["French"]);
        bad.names.insert(Lang::Zh, "x".repeat(81));
        bad.sla.vip_secs = 600;
        let fields: Vec<String> = bad.normalized().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "names.zh", "languages", "sla.vip_secs"]);
        let mut slow = team("Ok", TeamRole::General, &[]);
        slow.sla.ticket_reply_mins = 1;
        assert_eq!(slow.normalized().unwrap_err()[0].field, "sla.ticket_reply_mins");
    }

    #[test]
    fn an_agent_profile_and_identity_are_checked() {
        let p = AgentProfile {
            capacity: 3,
            languages: vec!["ZH".into(), "en".into(), "zh".into()],
            topics: vec![" Refunds ".into(), "refunds".into(), "".into()],
        }
        .normalized()
        .unwrap();
        assert_eq!(
            (p.languages.clone(), p.topics.clone()),
            (vec!["zh".to_string(), "en".into()], vec!["refunds".to_string()])
        );
        let e = AgentProfile {
            capacity: 0,
            languages: vec!["Chinese".into()],
            topics: vec!["x".repeat(101)],
        }
        .normalized()
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["capacity", "languages", "topics"]);
        assert!(Agent::check_identity("Ann Lee", " ann@shop.example ").is_ok());
        for (name, email) in [
            ("", "ann@shop.example"),
            ("Ann", "ann"),
            ("Ann", "ann@shop"),
            ("Ann", "a b@shop.example"),
        ] {
            assert!(Agent::check_identity(name, email).is_err(), "{name:?} {email:?}");
        }
    }
}
