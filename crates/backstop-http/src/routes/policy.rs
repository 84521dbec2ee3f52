//! The tenant's escalation policy: read it (any signed-in agent: it explains why conversations
//! reach them), check a draft, save a new version (admins only; it decides from the next customer
//! turn), list the versions (to compare or restore one).

use axum::extract::State;
use axum::Json;
use backstop_core::permission::Permission;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{ApiJson, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(current, save))
        .routes(routes!(check))
        .routes(routes!(versions))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Source {
    /// The policy as TOML (the format: `crates/backstop-core/src/default-policy.toml`).
    source: String,
}

/// The policy in force, its TOML and its rules in order.
#[utoipa::path(get, path = "/api/v1/policy", tag = "policy",
    responses((status = 200, description = "the policy", body = wire::Policy)),
    security(("session" = []), ("bearer" = [])))]
async fn current(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<wire::Policy>> {
    let tenant = &session.agent.tenant;
    let (version, source) = s.engine.policy_source(tenant).await?;
    let policy = s.engine.policy(tenant).await?;
    Ok(Json(wire::policy(version, &source, &policy)))
}

/// Checks a draft policy without saving it (a mistake: 422 `invalid_policy` with its line).
#[utoipa::path(post, path = "/api/v1/policy/check", tag = "policy", request_body = Source,
    responses((status = 200, description = "valid", body = wire::PolicyChecked)),
    security(("session" = []), ("bearer" = [])))]
async fn check(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(body): ApiJson<Source>,
) -> ApiResult<Json<wire::PolicyChecked>> {
    let policy = s.engine.check_policy(&session.agent.tenant, &body.source).await?;
    Ok(Json(wire::PolicyChecked {
        ok: true,
        rules: policy.rules.len(),
    }))
}

/// Saves the policy as its next version; the next customer message follows it (admins).
#[utoipa::path(put, path = "/api/v1/policy", tag = "policy", request_body = Source,
    responses((status = 200, description = "saved", body = wire::Policy)),
    security(("session" = []), ("bearer" = [])))]
async fn save(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(body): ApiJson<Source>,
) -> ApiResult<Json<wire::Policy>> {
    session.permit(Permission::EditPolicy)?;
    let tenant = &session.agent.tenant;
    let rec = s.engine.save_policy(tenant, &body.source, &session.agent.email).await?;
    let policy = s.engine.policy(tenant).await?;
    Ok(Json(wire::policy(rec.version, &rec.source, &policy)))
}

/// Every saved version, newest first.
#[utoipa::path(get, path = "/api/v1/policy/versions", tag = "policy",
    responses((status = 200, description = "the versions", body = wire::PolicyVersions)),
    security(("session" = []), ("bearer" = [])))]
async fn versions(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<wire::PolicyVersions>> {
    let list = s.engine.policy_versions(&session.agent.tenant).await?;
    Ok(Json(wire::PolicyVersions {
        versions: list.iter().map(wire::policy_version).collect(),
    }))
}
