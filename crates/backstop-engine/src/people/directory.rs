//! What an admin sets up of the tenant's people: teams (names per language, role, assignment,
//! business hours and time zone, service targets, languages) and agents' accounts (added with a
//! password the admin gives or one made for them and shown once; name, teams, capacity,
//! languages, topics). Each form is checked field by field ([`EngineError::Invalid`]), so a page
//! shows what is wrong beside the field. The CLI's `team` and `agent` commands call the same.

use std::collections::BTreeMap;

use backstop_core::assignment::Strategy;
use backstop_core::directory::{Agent, AgentProfile, AgentRole, Team};
use backstop_core::hours::{BusinessHours, HoursError};
use backstop_core::ids::{AgentId, TeamId, TenantId};
use backstop_core::message::Lang;
use backstop_core::password::Password;
use backstop_core::routing::TeamRole;
use backstop_core::sla::SlaTargets;
use backstop_core::{FieldError, Fields};

use crate::people::auth::random_token;
use crate::{Engine, EngineError, Result};

/// A team as an admin fills it in (a new team, or every field of an existing one).
#[derive(Clone, Debug)]
pub struct TeamForm {
    pub name: String,
    pub names: BTreeMap<Lang, String>,
    pub role: TeamRole,
    pub strategy: Strategy,
    /// IANA time zone of the hours (`Asia/Shanghai`).
    pub timezone: String,
    /// `always`, or days and windows: `mon-fri 09:00-18:00, sat 10:00-14:00`.
    pub open: String,
    pub sla: SlaTargets,
    /// ISO 639-1 codes; empty: every language.
    pub languages: Vec<String>,
}

impl TeamForm {
    /// Every field of `team`, to change some and save.
    pub fn of(team: &Team) -> Self {
        TeamForm {
            name: team.name.clone(),
            names: team.names.clone(),
            role: team.role,
            strategy: team.strategy,
            timezone: team.hours.timezone().to_owned(),
            open: team.hours.spec(),
            sla: team.sla,
            languages: team.languages.clone(),
        }
    }
}

/// A new agent account.
#[derive(Clone, Debug)]
pub struct NewAgent {
    pub name: String,
    pub email: String,
    pub role: AgentRole,
    pub teams: Vec<TeamId>,
    pub profile: AgentProfile,
    /// The first password; `None`: one is made and returned, to hand to the agent once.
    pub password: Option<String>,
}

/// What an admin changes of an agent's account besides role, status and password (which are
/// `AccountChange`s): name, teams and the assignment profile.
#[derive(Clone, Debug)]
pub struct AgentEdit {
    pub name: String,
    pub teams: Vec<TeamId>,
    pub profile: AgentProfile,
}

fn hours_field(e: &HoursError) -> &'static str {
    match e {
        HoursError::TimeZone(_) => "hours.timezone",
        _ => "hours.open",
    }
}

impl Engine {
    fn build_team(&self, tenant: &TenantId, id: TeamId, form: TeamForm, others: &[Team]) -> Result<Team> {
        let mut errors: Vec<FieldError> = Vec::new();
        let name = form.name.trim();
        let taken = others
            .iter()
            .any(|o| o.id != id && !name.is_empty() && o.name.eq_ignore_ascii_case(name));
        let hours = match BusinessHours::parse(form.timezone.trim(), form.open.trim()) {
            Ok(h) => h,
            Err(e) => {
                errors.push(FieldError::new(hours_field(&e), e.to_string()));
                BusinessHours::always()
            }
        };
        let team = Team {
            id,
            tenant: tenant.clone(),
            name: form.name,
            names: form.names,
            role: form.role,
            strategy: form.strategy,
            hours,
            sla: form.sla,
            languages: form.languages,
        };
        let team = match team.normalized() {
            Ok(t) => Some(t),
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        if taken {
            errors.push(FieldError::new("name", "another team already has this name"));
        }
        match team {
            Some(t) if errors.is_empty() => Ok(t),
            _ => Err(EngineError::Invalid(errors)),
        }
    }

    /// Adds a team to the tenant.
    pub async fn create_team(&self, tenant: &TenantId, form: TeamForm, by: &str) -> Result<Team> {
        let store = &self.inner.store;
        let teams = store.list_teams(tenant).await?;
        let team = self.build_team(tenant, TeamId::new_at(self.now()), form, &teams)?;
        store.upsert_team(&team).await?;
        tracing::info!(%tenant, team = %team.id, by, "team created");
        Ok(team)
    }

    /// Replaces every setting of team `id`; the next hand-over and clock use them.
    pub async fn update_team(&self, tenant: &TenantId, id: TeamId, form: TeamForm, by: &str) -> Result<Team> {
        let store = &self.inner.store;
        let teams = store.list_teams(tenant).await?;
        if !teams.iter().any(|t| t.id == id) {
            return Err(EngineError::NotFound("team"));
        }
        let team = self.build_team(tenant, id, form, &teams)?;
        store.upsert_team(&team).await?;
        tracing::info!(%tenant, team = %id, by, "team changed");
        Ok(team)
    }

    async fn check_teams(&self, tenant: &TenantId, ids: &[TeamId], f: &mut Fields) -> Result<Vec<TeamId>> {
        let teams = self.inner.store.list_teams(tenant).await?;
        let mut out = Vec::new();
        for id in ids {
            if !teams.iter().any(|t| t.id == *id) {
                f.bad("teams", format!("no team {id}"));
            } else if !out.contains(id) {
                out.push(*id);
            }
        }
        Ok(out)
    }

    /// Adds an agent; returns the account and, when no password was given, the one made for it
    /// (24 characters; shown once, never stored in clear).
    pub async fn create_agent(&self, tenant: &TenantId, new: NewAgent, by: &str) -> Result<(Agent, Option<String>)> {
        let store = &self.inner.store;
        let mut f = Fields::default();
        let (name, email) = (new.name.trim().to_owned(), new.email.trim().to_owned());
        let identity = Agent::check_identity(&name, &email).err().unwrap_or_default();
        let email_ok = !identity.iter().any(|e| e.field == "email");
        identity.into_iter().for_each(|e| f.bad(e.field, e.message));
        if email_ok && store.find_agent_by_email(tenant, &email).await?.is_some() {
            f.bad("email", "another agent already signs in with this e-mail");
        }
        let teams = self.check_teams(tenant, &new.teams, &mut f).await?;
        let profile = match new.profile.normalized() {
            Ok(p) => p,
            Err(e) => {
                e.into_iter().for_each(|e| f.bad(e.field, e.message));
                AgentProfile::default()
            }
        };
        let made = new.password.is_none();
        let password = new.password.unwrap_or_else(made_password);
        let parsed = match Password::parse(&password, &[&email, &name]) {
            Ok(p) => Some(p),
            Err(e) if !made => {
                f.bad("password", e.to_string());
                None
            }
            Err(e) => return Err(EngineError::Internal(format!("made password refused: {e}"))),
        };
        f.done().map_err(EngineError::Invalid)?;
        let Some(parsed) = parsed else {
            return Err(EngineError::Internal("password unchecked".into()));
        };
        let agent = Agent {
            id: AgentId::new_at(self.now()),
            tenant: tenant.clone(),
            name,
            email,
            role: new.role,
            team_ids: teams,
            profile,
            active: true,
        };
        let hash = self.hash_password(parsed.as_str().to_owned()).await?;
        store.upsert_agent(&agent, &hash).await?;
        tracing::info!(%tenant, agent = %agent.id, role = agent.role.as_str(), by, "agent added");
        Ok((agent, made.then_some(password)))
    }

    /// Changes an agent's name, teams and profile; the next assignment reads them.
    pub async fn edit_agent(&self, tenant: &TenantId, id: AgentId, edit: AgentEdit, by: &str) -> Result<Agent> {
        let store = &self.inner.store;
        let mut agent = store
            .get_agent(tenant, id)
            .await?
            .ok_or(EngineError::NotFound("agent"))?;
        let mut f = Fields::default();
        f.text("name", &edit.name, Agent::MAX_NAME);
        let teams = self.check_teams(tenant, &edit.teams, &mut f).await?;
        match edit.profile.normalized() {
            Ok(p) => agent.profile = p,
            Err(e) => e.into_iter().for_each(|e| f.bad(e.field, e.message)),
        }
        f.done().map_err(EngineError::Invalid)?;
        agent.name = edit.name.trim().to_owned();
        agent.team_ids = teams;
        store.update_agent(&agent).await?;
        tracing::info!(%tenant, agent = %id, by, "agent profile changed");
        Ok(agent)
    }
}

/// A password for a new account: 24 characters from the random token, in groups a person can
/// copy (`1f3a9c-7b2e04-…`).
fn made_password() -> String {
    let t = random_token();
    t.as_bytes()
        .chunks(6)
        .take(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_made_password_passes_the_policy() {
        for _ in 0..50 {
            let p = super::made_password();
            assert_eq!(p.len(), 27);
            backstop_core::password::Password::parse(&p, &["ann@shop.example", "Ann"]).unwrap();
        }
    }
}
