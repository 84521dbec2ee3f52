//! The knowledge base's topics and their names: every agent page reads them to show a topic by its
//! name in the page's language; trainers name them (the AI also uses the names when it offers a
//! topic to a customer who was not understood).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use backstop_core::kb::TopicNames;
use backstop_core::message::Lang;
use backstop_core::permission::Permission;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath as Path, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(name))
}

/// A topic's names, replacing the ones it had (an absent or empty name: none in that language).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NameBody {
    names: wire::TopicNames,
}

/// Every topic: those the articles use and those the tenant named, by slug.
#[utoipa::path(get, path = "/api/v1/topics", tag = "knowledge",
    responses((status = 200, description = "the tenant's topics", body = wire::TopicList)),
    security(("session" = []), ("bearer" = [])))]
async fn list(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<wire::TopicList>> {
    let topics = s.engine.topics(&session.agent.tenant).await?;
    Ok(Json(wire::TopicList {
        topics: topics.iter().map(wire::topic).collect(),
    }))
}

/// Names a topic (trainers).
#[utoipa::path(put, path = "/api/v1/topics/{slug}", tag = "knowledge",
    params(("slug" = String, Path, description = "the topic's slug, as its articles carry it")),
    request_body = NameBody,
    responses((status = 200, description = "the topic with its names", body = wire::Topic)),
    security(("session" = []), ("bearer" = [])))]
async fn name(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<NameBody>,
) -> ApiResult<Json<wire::Topic>> {
    session.permit(Permission::TrainAi)?;
    let names: BTreeMap<Lang, String> = [(Lang::En, body.names.en), (Lang::Zh, body.names.zh)]
        .into_iter()
        .filter_map(|(lang, name)| Some((lang, name?)))
        .collect();
    let topic = s
        .engine
        .name_topic(&session.agent.tenant, TopicNames { slug, names })
        .await?;
    Ok(Json(wire::topic(&topic)))
}
