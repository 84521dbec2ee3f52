//! The OpenAPI description of the REST API, generated from the code: each route's
//! `#[utoipa::path]` and the wire types' schemas, collected by the resource routers, then finished
//! here with the security schemes and the errors every operation may answer. Served at
//! `/api/v1/openapi.json`; the schema fuzz run in CI (`scripts/fuzz-api.sh`) holds the server to it.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

use crate::wire;

/// The description's frame: what the routers add their paths and schemas to.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Backstop",
        description = "The REST API of Backstop: the widget's (visitors, by `X-Visitor-Token`) and the \
                       agents' (by the `backstop_session` cookie or a bearer token). Every error is \
                       `{\"error\": {\"code\", \"message\"}}` with a stable code. The two WebSockets \
                       (`/api/widget/v1/{tenant}/ws`, `/api/v1/ws`) are described in docs/PROTOCOL.md; \
                       their frames are the schemas `WidgetFrameIn`, `WidgetFrameOut`, `AgentFrameIn` and `AgentFrameOut`.",
        license(name = "Apache-2.0")
    ),
    components(schemas(
        wire::ErrorBody,
        wire::ErrorDetail,
        wire::frames::WidgetFrameIn,
        wire::frames::WidgetFrameOut,
        wire::frames::AgentFrameIn,
        wire::frames::AgentFrameOut
    )),
    tags(
        (name = "widget", description = "The customer's side: sessions, messages, a person, ratings."),
        (name = "auth", description = "Agents signing in and out, who am I, the teams."),
        (name = "conversations", description = "The inbox: views, a conversation, what agents do to it, the copilot."),
        (name = "agents", description = "Presence, load, ratings for review, missed targets."),
        (name = "accounts", description = "What admins do to accounts, and the widget secret."),
        (name = "knowledge", description = "Articles, the review queue, replays, gaps."),
        (name = "reports", description = "The manager's reports: outcomes, hand-overs, durations, ratings, savings."),
        (name = "understanding", description = "Training the intent classifier."),
        (name = "policy", description = "The escalation policy."),
        (name = "model", description = "The tenant's generative model: endpoint, model, key (write-only), budget."),
        (name = "actions", description = "The tenant's actions on the merchant's systems: definitions, versions, trials; secrets write-only."),
    )
)]
pub struct ApiDoc;

/// What any operation may answer besides its own results: the guard's and the extractors'
/// refusals (bad input, sign-in, role, origin, rate) in the one error shape.
const ERRORS: &[(&str, &str)] = &[
    ("400", "malformed JSON, path or query"),
    ("401", "not signed in, or not this visitor"),
    ("403", "not allowed for this role, or from another origin"),
    (
        "404",
        "no such tenant, conversation, article, candidate, agent or endpoint",
    ),
    ("405", "this endpoint does not take that method"),
    ("409", "conflicts with the current state"),
    ("413", "the body is too large"),
    ("415", "not JSON (and no X-Requested-With)"),
    ("422", "invalid input"),
    ("429", "too many requests or failed sign-ins; see Retry-After"),
];

fn error_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

/// The description as served: security schemes and the common errors added to every operation.
pub fn finish(mut doc: utoipa::openapi::OpenApi) -> axum::body::Bytes {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("backstop_session"))),
    );
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    components.add_security_scheme(
        "visitor_token",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Visitor-Token"))),
    );
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            for (code, description) in ERRORS {
                op.responses
                    .responses
                    .entry((*code).to_owned())
                    .or_insert_with(|| error_response(description));
            }
        }
    }
    axum::body::Bytes::from(doc.to_json().expect("the OpenAPI description serializes"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_documented_route_has_its_errors_and_the_schemes() {
        let (_, doc) = crate::routes::api(tower_http::cors::CorsLayer::new()).split_for_parts();
        let json: serde_json::Value = serde_json::from_slice(&super::finish(doc)).unwrap();
        let paths = json["paths"].as_object().unwrap();
        assert!(paths.len() >= 40, "{} paths", paths.len());
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                assert_eq!(
                    op["responses"]["429"]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path}"
                );
            }
        }
        // Every JSON answer is a named wire type: no free-form object stands for a whole answer.
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                for (status, response) in op["responses"].as_object().unwrap() {
                    let schema = &response["content"]["application/json"]["schema"];
                    if status.starts_with('2') && !schema.is_null() {
                        assert!(
                            schema["$ref"].is_string(),
                            "{method} {path} {status}: {schema} is not a named wire type"
                        );
                    }
                }
            }
        }
        for scheme in ["session", "bearer", "visitor_token"] {
            assert!(json["components"]["securitySchemes"][scheme].is_object(), "{scheme}");
        }
        // The socket frames are described, and no REST answer refers to one (a schema of the same
        // name as a REST type would replace it: that once made `AgentOut` a frame).
        let frames = ["WidgetFrameIn", "WidgetFrameOut", "AgentFrameIn", "AgentFrameOut"];
        for f in frames {
            assert!(json["components"]["schemas"][f]["oneOf"].is_array(), "{f}");
        }
        let paths_text = json["paths"].to_string();
        for f in frames {
            assert!(
                !paths_text.contains(&format!("#/components/schemas/{f}\"")),
                "{f} in a REST answer"
            );
        }
    }
}
