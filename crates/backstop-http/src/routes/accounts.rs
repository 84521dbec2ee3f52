//! What admins do to the tenant's accounts: add an agent, change their name, teams and profile,
//! deactivate or reactivate them, change a role, set a new password, lift a sign-in lock, sign an
//! agent out everywhere, rotate the widget secret.
//! The same as `backstop agent …` and `backstop tenant rotate-secret` on the command line.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use backstop_core::directory::{AgentProfile, AgentRole};
use backstop_core::ids::{AgentId, TeamId};
use backstop_core::permission::Permission;
use backstop_engine::people::directory::{AgentEdit, NewAgent};
use backstop_engine::AccountChange;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath as Path, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(edit))
        .routes(routes!(deactivate))
        .routes(routes!(reactivate))
        .routes(routes!(unlock))
        .routes(routes!(sign_out))
        .routes(routes!(role))
        .routes(routes!(password))
        .routes(routes!(rotate_secret))
}

type Out = ApiResult<Json<wire::AgentOut>>;

fn team_ids(ids: Option<Vec<String>>) -> Result<Vec<TeamId>, ApiError> {
    ids.unwrap_or_default()
        .iter()
        .take(100)
        .map(|t| TeamId::parse(t).map_err(|_| ApiError::invalid_input(format!("teams: {t:?} is not a team id"))))
        .collect()
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAgentBody {
    #[schema(max_length = 100)]
    name: String,
    /// What they sign in with, unique in the tenant.
    #[schema(max_length = 254)]
    email: String,
    /// `agent` (default), `supervisor` or `admin`.
    role: Option<String>,
    /// Team ids.
    teams: Option<Vec<String>>,
    /// Conversations they may hold at once (1 – 100; default 5).
    capacity: Option<u32>,
    /// ISO 639-1 codes (default `zh`, `en`).
    languages: Option<Vec<String>>,
    /// Topics they know well.
    topics: Option<Vec<String>>,
    /// Their first password (the policy applies); left out, one is made and returned once.
    #[schema(max_length = 256)]
    password: Option<String>,
}

/// Add an agent (admins): with the password you give, or with one made for them that this answer
/// shows once.
#[utoipa::path(post, path = "/api/v1/agents", tag = "accounts", request_body = NewAgentBody,
    responses((status = 201, description = "added", body = wire::NewAgent),
        (status = 422, description = "a field cannot be used (named in `fields`)", body = wire::ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn create(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(b): ApiJson<NewAgentBody>,
) -> ApiResult<(StatusCode, Json<wire::NewAgent>)> {
    session.permit(Permission::ManageAccounts)?;
    let role = match b.role.as_deref().map(str::trim) {
        None | Some("") => AgentRole::Agent,
        Some(r) => {
            AgentRole::parse(r).ok_or_else(|| ApiError::invalid_input("role must be agent, supervisor or admin"))?
        }
    };
    let mut profile = AgentProfile::default();
    profile.capacity = b.capacity.unwrap_or(profile.capacity);
    profile.languages = b.languages.unwrap_or(profile.languages);
    profile.topics = b.topics.unwrap_or_default();
    let new = NewAgent {
        name: b.name,
        email: b.email,
        role,
        teams: team_ids(b.teams)?,
        profile,
        password: b.password.filter(|p| !p.is_empty()),
    };
    let (agent, password) = s
        .engine
        .create_agent(&session.agent.tenant, new, &session.agent.email)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(wire::NewAgent {
            agent: wire::agent(&agent),
            password,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EditAgentBody {
    #[schema(max_length = 100)]
    name: Option<String>,
    teams: Option<Vec<String>>,
    capacity: Option<u32>,
    languages: Option<Vec<String>>,
    topics: Option<Vec<String>>,
}

/// Change an agent's name, teams, capacity, languages or topics (admins); what the body leaves
/// out stays.
#[utoipa::path(put, path = "/api/v1/agents/{id}", tag = "accounts", params(("id" = String, Path)),
    request_body = EditAgentBody,
    responses((status = 200, description = "changed", body = wire::AgentOut),
        (status = 422, description = "a field cannot be used (named in `fields`)", body = wire::ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn edit(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<EditAgentBody>,
) -> Out {
    session.permit(Permission::ManageAccounts)?;
    let tenant = &session.agent.tenant;
    let current = s.engine.agent(tenant, agent_id(&id)?).await?;
    let edit = AgentEdit {
        name: b.name.unwrap_or(current.name),
        teams: match b.teams {
            Some(t) => team_ids(Some(t))?,
            None => current.team_ids,
        },
        profile: AgentProfile {
            capacity: b.capacity.unwrap_or(current.profile.capacity),
            languages: b.languages.unwrap_or(current.profile.languages),
            topics: b.topics.unwrap_or(current.profile.topics),
        },
    };
    let agent = s
        .engine
        .edit_agent(tenant, current.id, edit, &session.agent.email)
        .await?;
    Ok(Json(wire::AgentOut {
        agent: wire::agent(&agent),
    }))
}

fn agent_id(s: &str) -> Result<AgentId, ApiError> {
    AgentId::parse(s).map_err(|_| ApiError::not_found("not_found", "no such agent"))
}

async fn change(s: &AppState, session: &backstop_engine::AgentSession, id: &str, change: AccountChange) -> Out {
    session.permit(Permission::ManageAccounts)?;
    let agent = s
        .engine
        .change_account(&session.agent.tenant, Some(session.agent.id), agent_id(id)?, change)
        .await?;
    Ok(Json(wire::AgentOut {
        agent: wire::agent(&agent),
    }))
}

/// Deactivate an agent: their sessions end and sockets close, they cannot sign in and get no
/// conversations (admins; not yourself, not the last admin).
#[utoipa::path(post, path = "/api/v1/agents/{id}/deactivate", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, description = "deactivated", body = wire::AgentOut)),
    security(("session" = []), ("bearer" = [])))]
async fn deactivate(State(s): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<String>) -> Out {
    change(&s, &session, &id, AccountChange::Deactivate).await
}

/// Let a deactivated agent sign in again (admins).
#[utoipa::path(post, path = "/api/v1/agents/{id}/reactivate", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, description = "reactivated", body = wire::AgentOut)),
    security(("session" = []), ("bearer" = [])))]
async fn reactivate(State(s): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<String>) -> Out {
    change(&s, &session, &id, AccountChange::Reactivate).await
}

/// Lift a lock after repeated failed sign-ins (admins).
#[utoipa::path(post, path = "/api/v1/agents/{id}/unlock", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, description = "unlocked", body = wire::AgentOut)),
    security(("session" = []), ("bearer" = [])))]
async fn unlock(State(s): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<String>) -> Out {
    change(&s, &session, &id, AccountChange::Unlock).await
}

/// End every session of an agent (admins).
#[utoipa::path(post, path = "/api/v1/agents/{id}/sign-out", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, description = "signed out everywhere", body = wire::AgentOut)),
    security(("session" = []), ("bearer" = [])))]
async fn sign_out(State(s): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<String>) -> Out {
    change(&s, &session, &id, AccountChange::SignOut).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleBody {
    /// `agent`, `supervisor` or `admin`.
    #[schema(example = "supervisor")]
    role: String,
    /// Your own password: required to make someone an admin.
    confirm_password: Option<String>,
}

/// The acting admin's own password, for what could outlive a stolen session.
async fn confirmed(s: &AppState, session: &backstop_engine::AgentSession, password: Option<&str>) -> ApiResult<()> {
    let password = password.ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::UNAUTHORIZED,
            "password_required",
            "confirm with your own password (confirm_password)",
        )
    })?;
    Ok(s.engine.confirm_password(session, password).await?)
}

/// Change an agent's role (admins; making someone an admin takes your own password); less access
/// ends their sessions.
#[utoipa::path(put, path = "/api/v1/agents/{id}/role", tag = "accounts", params(("id" = String, Path)),
    request_body = RoleBody,
    responses((status = 200, description = "changed", body = wire::AgentOut)),
    security(("session" = []), ("bearer" = [])))]
async fn role(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RoleBody>,
) -> Out {
    let role = AgentRole::parse(b.role.trim())
        .ok_or_else(|| ApiError::invalid_input("role must be agent, supervisor or admin"))?;
    session.permit(Permission::ManageAccounts)?;
    if role == AgentRole::Admin {
        confirmed(&s, &session, b.confirm_password.as_deref()).await?;
    }
    change(&s, &session, &id, AccountChange::Role(role)).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPasswordBody {
    /// 10 to 128 characters (surrounding spaces not counted), not a common or trivial password.
    password: String,
    /// Your own password.
    confirm_password: Option<String>,
}

/// Set a new password for an agent (admins, with their own password); every session of theirs
/// ends.
#[utoipa::path(put, path = "/api/v1/agents/{id}/password", tag = "accounts", params(("id" = String, Path)),
    request_body = NewPasswordBody,
    responses((status = 200, description = "set", body = wire::AgentOut),
        (status = 503, description = "every password check is busy; retry", body = wire::ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn password(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewPasswordBody>,
) -> Out {
    session.permit(Permission::ManageAccounts)?;
    confirmed(&s, &session, b.confirm_password.as_deref()).await?;
    change(&s, &session, &id, AccountChange::Password(b.password)).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfirmBody {
    /// Your own password.
    confirm_password: Option<String>,
}

/// A new widget secret, shown once: host sites must sign visitors' e-mails with it from now on
/// (admins, with their own password: whoever holds the secret can sign in any customer).
#[utoipa::path(post, path = "/api/v1/tenant/widget-secret", tag = "accounts", request_body = ConfirmBody,
    responses((status = 200, description = "the new secret", body = wire::WidgetSecret)),
    security(("session" = []), ("bearer" = [])))]
async fn rotate_secret(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(b): ApiJson<ConfirmBody>,
) -> ApiResult<Json<wire::WidgetSecret>> {
    session.permit(Permission::ManageAccounts)?;
    confirmed(&s, &session, b.confirm_password.as_deref()).await?;
    let secret = s.engine.rotate_widget_secret(&session.agent.tenant).await?;
    Ok(Json(wire::WidgetSecret { widget_secret: secret }))
}
