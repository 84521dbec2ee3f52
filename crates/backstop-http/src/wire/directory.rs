//! Who is who on the wire: agents (with presence and load), teams, ratings, sign-in answers, and
//! what the widget gets back (sessions, sent messages, transcripts).

use backstop_core::directory::Agent as DomainAgent;
use backstop_core::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use super::{time, Message, WidgetState};

#[derive(Serialize, ToSchema)]
pub struct Agent {
    #[schema(value_type = String, format = Uuid)]
    pub id: backstop_core::ids::AgentId,
    pub name: String,
    pub email: String,
    /// `agent`, `supervisor` or `admin`.
    #[schema(example = "agent")]
    pub role: String,
    #[schema(value_type = Vec<String>)]
    pub team_ids: Vec<backstop_core::ids::TeamId>,
    /// False once an admin deactivated the account.
    pub active: bool,
}

pub fn agent(a: &DomainAgent) -> Agent {
    Agent {
        id: a.id,
        name: a.name.clone(),
        email: a.email.clone(),
        role: a.role.as_str().to_owned(),
        team_ids: a.team_ids.clone(),
        active: a.active,
    }
}

#[derive(Serialize, ToSchema)]
pub struct AgentOut {
    pub agent: Agent,
}

/// An agent with presence, capacity, skills and load (the supervisor's view).
#[derive(Serialize, ToSchema)]
pub struct AgentStatus {
    pub agent: Agent,
    /// `online`, `away` or `offline`.
    #[schema(example = "online")]
    pub presence: String,
    /// Open or snoozed conversations they hold.
    pub active: u32,
    pub capacity: u32,
    pub languages: Vec<String>,
    pub topics: Vec<String>,
}

pub fn presence_str(p: backstop_core::assignment::Presence) -> String {
    use backstop_core::assignment::Presence as P;
    match p {
        P::Online => "online",
        P::Away => "away",
        P::Offline => "offline",
    }
    .to_owned()
}

pub fn agent_status(a: &backstop_engine::people::presence::AgentStatus) -> AgentStatus {
    let p = &a.agent.profile;
    AgentStatus {
        agent: agent(&a.agent),
        presence: presence_str(a.presence),
        active: a.active,
        capacity: p.capacity,
        languages: p.languages.clone(),
        topics: p.topics.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct AgentList {
    pub agents: Vec<AgentStatus>,
}

/// A team with its assignment strategy, business hours (and whether it is open now) and
/// service targets.
#[derive(Serialize, ToSchema)]
pub struct Team {
    #[schema(value_type = String, format = Uuid)]
    pub id: backstop_core::ids::TeamId,
    pub name: String,
    /// The name customers writing in another language see (`{"zh": "综合客服"}`).
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub names: std::collections::BTreeMap<backstop_core::message::Lang, String>,
    /// `general`, `escalation` or `routed` (reached only by name, from an automation rule).
    pub role: String,
    /// `manual`, `round_robin`, `least_loaded` or `skills`.
    pub strategy: String,
    pub hours: TeamHours,
    pub sla: TeamSla,
    /// The customer languages it serves (ISO 639-1); empty: every language.
    pub languages: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TeamHours {
    pub timezone: String,
    pub open: String,
    pub open_now: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TeamSla {
    pub vip_secs: u32,
    pub standard_secs: u32,
    pub ticket_reply_mins: u32,
}

pub fn team(t: &backstop_core::directory::Team, now: Timestamp) -> Team {
    Team {
        id: t.id,
        name: t.name.clone(),
        names: t.names.clone(),
        role: t.role.as_str().to_owned(),
        strategy: t.strategy.as_str().to_owned(),
        hours: TeamHours {
            timezone: t.hours.timezone().to_owned(),
            open: t.hours.spec(),
            open_now: t.hours.is_open(now),
        },
        sla: TeamSla {
            vip_secs: t.sla.vip_secs,
            standard_secs: t.sla.standard_secs,
            ticket_reply_mins: t.sla.ticket_reply_mins,
        },
        languages: t.languages.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct TeamList {
    pub teams: Vec<Team>,
}

/// A signed-in session: the token (also set as the `backstop_session` cookie) and who it is.
#[derive(Serialize, ToSchema)]
pub struct SignedIn {
    pub token: String,
    pub agent: Agent,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub agent: Agent,
    pub tenant: TenantRef,
    /// What the agent's role may do beyond working conversations (`train_ai`, `supervise`,
    /// `edit_policy`, `manage_accounts`): the pages show only what the server would allow.
    pub permissions: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TenantRef {
    pub id: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct PresenceOut {
    /// `online`, `away` or `offline` (no inbox open).
    pub presence: String,
    pub away: bool,
}

/// A customer's rating of a resolved conversation.
#[derive(Serialize, ToSchema)]
pub struct Rating {
    #[schema(value_type = String, format = Uuid)]
    pub conversation_id: backstop_core::ids::ConversationId,
    pub rating: u8,
    pub comment: Option<String>,
    #[schema(format = DateTime)]
    pub at: String,
    /// 2 or less: for review.
    pub flagged: bool,
}

pub fn rating(conv: &backstop_store::ConversationRecord) -> Option<Rating> {
    conv.csat.as_ref().map(|r| Rating {
        conversation_id: conv.id,
        rating: r.rating,
        comment: r.comment.clone(),
        at: time(r.at),
        flagged: r.is_low(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct RatingList {
    pub ratings: Vec<Rating>,
}

/// A new widget secret, shown once.
#[derive(Serialize, ToSchema)]
pub struct WidgetSecret {
    pub widget_secret: String,
}

/// A widget visitor's session.
#[derive(Serialize, ToSchema)]
pub struct WidgetSession {
    /// The visitor token: send it as `X-Visitor-Token`, and in the socket's `hello` frame.
    pub token: String,
    #[schema(value_type = String, format = Uuid)]
    pub customer_id: backstop_core::ids::CustomerId,
    /// The open conversation, or the one reserved for the first message (created by it).
    #[schema(value_type = String, format = Uuid)]
    pub conversation_id: backstop_core::ids::ConversationId,
    pub tenant_name: String,
    pub lang: String,
    /// The host site vouched for the visitor's e-mail (`user_hash`).
    pub verified: bool,
}

/// A customer message as stored, and whether it was a resend of one already stored.
#[derive(Serialize, ToSchema)]
pub struct Sent {
    pub message: Message,
    pub duplicate: bool,
}

/// What the visitor sees of their conversation.
#[derive(Serialize, ToSchema)]
pub struct Transcript {
    pub messages: Vec<Message>,
    pub state: WidgetState,
}

#[derive(Serialize, ToSchema)]
pub struct StateOut {
    pub state: WidgetState,
}
