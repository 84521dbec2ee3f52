//! The tenant's teams: listed for everyone signed in; added and changed by admins (names per
//! language, role, assignment strategy, business hours and time zone, service targets, the
//! customer languages served). Each field that cannot be used is named in the error's `fields`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use backstop_core::assignment::Strategy;
use backstop_core::ids::TeamId;
use backstop_core::message::Lang;
use backstop_core::permission::Permission;
use backstop_core::routing::TeamRole;
use backstop_engine::people::directory::TeamForm;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath as Path, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update))
}

/// The tenant's teams, with hours and service targets.
#[utoipa::path(get, path = "/api/v1/teams", tag = "teams",
    responses((status = 200, description = "the teams", body = wire::TeamList)),
    security(("session" = []), ("bearer" = [])))]
async fn list(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<wire::TeamList>> {
    let teams = s.engine.teams(&session.agent.tenant).await?;
    Ok(Json(wire::TeamList {
        teams: teams.iter().map(|t| wire::team(t, s.engine.now())).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HoursBody {
    /// IANA time zone, e.g. `Asia/Shanghai`.
    #[schema(max_length = 64)]
    timezone: Option<String>,
    /// `always`, or days and windows: `mon-fri 09:00-18:00, sat 10:00-14:00`.
    #[schema(max_length = 300)]
    open: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SlaBody {
    /// Seconds to the first human reply for a VIP or urgent hand-over (5 – 86,400).
    vip_secs: Option<u32>,
    /// Seconds to the first human reply otherwise (5 – 86,400, not shorter than the VIP target).
    standard_secs: Option<u32>,
    /// Business minutes within which an offline ticket is promised an answer (5 – 10,080).
    ticket_reply_mins: Option<u32>,
}

/// A team's settings; on a change, what is left out stays as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TeamBody {
    /// 1 – 80 characters, unique in the tenant (required for a new team).
    #[schema(max_length = 80)]
    name: Option<String>,
    /// Names per language (`zh`, `en`), shown to customers writing in it; an empty one is removed.
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    names: Option<BTreeMap<Lang, String>>,
    /// `general` (default), `escalation` or `routed`.
    role: Option<String>,
    /// `manual` (default), `round_robin`, `least_loaded` or `skills`.
    strategy: Option<String>,
    hours: Option<HoursBody>,
    sla: Option<SlaBody>,
    /// Customer languages served (ISO 639-1); empty: every language.
    languages: Option<Vec<String>>,
}

impl TeamBody {
    fn apply(self, form: &mut TeamForm) -> Result<(), ApiError> {
        if let Some(n) = self.name {
            form.name = n;
        }
        if let Some(n) = self.names {
            form.names = n;
        }
        if let Some(r) = self.role {
            form.role = TeamRole::parse(r.trim())
                .ok_or_else(|| ApiError::invalid_input("role must be general, escalation or routed"))?;
        }
        if let Some(st) = self.strategy {
            form.strategy = Strategy::parse(st.trim()).ok_or_else(|| {
                ApiError::invalid_input("strategy must be manual, round_robin, least_loaded or skills")
            })?;
        }
        if let Some(h) = self.hours {
            form.timezone = h.timezone.unwrap_or(std::mem::take(&mut form.timezone));
            form.open = h.open.unwrap_or(std::mem::take(&mut form.open));
        }
        if let Some(sla) = self.sla {
            form.sla.vip_secs = sla.vip_secs.unwrap_or(form.sla.vip_secs);
            form.sla.standard_secs = sla.standard_secs.unwrap_or(form.sla.standard_secs);
            form.sla.ticket_reply_mins = sla.ticket_reply_mins.unwrap_or(form.sla.ticket_reply_mins);
        }
        if let Some(l) = self.languages {
            form.languages = l;
        }
        Ok(())
    }
}

/// Add a team (admins).
#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", request_body = TeamBody,
    responses((status = 201, description = "added", body = wire::Team),
        (status = 422, description = "a field cannot be used (named in `fields`)", body = wire::ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn create(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(b): ApiJson<TeamBody>,
) -> ApiResult<(StatusCode, Json<wire::Team>)> {
    session.permit(Permission::ManageAccounts)?;
    let mut form = TeamForm {
        name: String::new(),
        names: BTreeMap::new(),
        role: TeamRole::General,
        strategy: Strategy::default(),
        timezone: "UTC".into(),
        open: "always".into(),
        sla: Default::default(),
        languages: Vec::new(),
    };
    b.apply(&mut form)?;
    let team = s
        .engine
        .create_team(&session.agent.tenant, form, &session.agent.email)
        .await?;
    Ok((StatusCode::CREATED, Json(wire::team(&team, s.engine.now()))))
}

/// Change a team (admins); what the body leaves out stays.
#[utoipa::path(put, path = "/api/v1/teams/{id}", tag = "teams", params(("id" = String, Path)), request_body = TeamBody,
    responses((status = 200, description = "changed", body = wire::Team),
        (status = 422, description = "a field cannot be used (named in `fields`)", body = wire::ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn update(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TeamBody>,
) -> ApiResult<Json<wire::Team>> {
    session.permit(Permission::ManageAccounts)?;
    let id = TeamId::parse(&id).map_err(|_| ApiError::not_found("not_found", "no such team"))?;
    let tenant = &session.agent.tenant;
    let current = s
        .engine
        .teams(tenant)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found("not_found", "no such team"))?;
    let mut form = TeamForm::of(&current);
    b.apply(&mut form)?;
    let team = s.engine.update_team(tenant, id, form, &session.agent.email).await?;
    Ok(Json(wire::team(&team, s.engine.now())))
}
