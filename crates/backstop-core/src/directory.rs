//! Who is who inside a tenant: the tenant itself, its teams, agents and customers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, CustomerId, TeamId, TenantId};
use crate::message::Lang;
use crate::routing::TeamRole;

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
}

impl Team {
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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub tenant: TenantId,
    pub name: Option<String>,
    pub email: Option<String>,
    pub tags: Vec<String>,
    pub lang: Option<Lang>,
}

impl Customer {
    pub fn is_vip(&self) -> bool {
        self.tags.iter().any(|t| t.eq_ignore_ascii_case("vip"))
    }
}
