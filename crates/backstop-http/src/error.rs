//! The one API error type. Every failure becomes a JSON body
//! `{"error":{"code":"stable_code","message":"..."}}` with a 4xx status, or `internal` with a 500
//! whose details go to the log, never to the client. A refusal to be retried later (429, 503)
//! also says when, in `Retry-After`.

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use backstop_core::conversation::TransitionError;
use backstop_core::message::BodyError;
use backstop_engine::EngineError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds to wait before trying again (sent as `Retry-After`).
    pub retry_after: Option<u64>,
    /// For `invalid_input` of a form: each field that cannot be used and why (sent as `fields`,
    /// so a page shows each beside its field).
    pub fields: Vec<backstop_core::FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
            fields: Vec::new(),
        }
    }

    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs.max(1));
        self
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests; try again in {retry_after_secs} s"),
        )
        .retry_after(retry_after_secs)
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in first")
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        use StatusCode as S;
        match e {
            EngineError::TenantNotFound => Self::new(S::NOT_FOUND, "tenant_not_found", "no such tenant"),
            EngineError::ArticleNotFound => Self::new(S::NOT_FOUND, "article_not_found", "no such article"),
            EngineError::CandidateNotFound => Self::new(S::NOT_FOUND, "candidate_not_found", "no such candidate"),
            EngineError::NotFound(what) => Self::new(S::NOT_FOUND, "not_found", format!("no such {what}")),
            EngineError::Conflict(m) => Self::new(S::CONFLICT, "conflict", m),
            EngineError::ConversationNotFound => {
                Self::new(S::NOT_FOUND, "conversation_not_found", "no such conversation")
            }
            EngineError::ConversationClosed => {
                Self::new(S::CONFLICT, "conversation_closed", "the conversation is closed")
            }
            EngineError::Unauthenticated => Self::unauthenticated(),
            EngineError::Forbidden(why) => Self::forbidden(why),
            EngineError::InvalidCredentials => {
                Self::new(S::UNAUTHORIZED, "invalid_credentials", "wrong e-mail or password")
            }
            e @ EngineError::TooManyAttempts { retry_after_secs } => {
                Self::new(S::TOO_MANY_REQUESTS, "too_many_attempts", e.to_string()).retry_after(retry_after_secs)
            }
            e @ EngineError::Busy { retry_after_secs } => {
                Self::new(S::SERVICE_UNAVAILABLE, "busy", e.to_string()).retry_after(retry_after_secs)
            }
            EngineError::Transition(TransitionError::NotOwner) => {
                Self::new(S::CONFLICT, "not_owner", TransitionError::NotOwner.to_string())
            }
            EngineError::Transition(t) => Self::new(S::CONFLICT, "invalid_transition", t.to_string()),
            EngineError::Body(b @ BodyError::Empty) => {
                Self::new(S::UNPROCESSABLE_ENTITY, "empty_message", b.to_string())
            }
            EngineError::Body(b @ BodyError::TooLong(_)) => {
                Self::new(S::PAYLOAD_TOO_LARGE, "message_too_long", b.to_string())
            }
            EngineError::InvalidInput(m) => Self::invalid_input(m),
            e @ EngineError::Invalid(_) => {
                let message = e.to_string();
                let EngineError::Invalid(fields) = e else {
                    unreachable!()
                };
                ApiError {
                    fields,
                    ..Self::invalid_input(message)
                }
            }
            EngineError::InvalidPolicy(p) => Self::new(S::UNPROCESSABLE_ENTITY, "invalid_policy", p.to_string()),
            e @ (EngineError::Store(_) | EngineError::Internal(_)) => {
                tracing::error!(error = %e, "request failed");
                Self::new(S::INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side")
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => Self::invalid_input(e.body_text()),
            JsonRejection::JsonSyntaxError(e) => Self::new(StatusCode::BAD_REQUEST, "invalid_json", e.body_text()),
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_json",
                "send the body as application/json",
            ),
            JsonRejection::BytesRejection(b) => b.into(),
            other => Self::new(StatusCode::BAD_REQUEST, "invalid_json", other.body_text()),
        }
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the request body is too large",
            )
        } else {
            Self::new(StatusCode::BAD_REQUEST, "invalid_input", r.body_text())
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::invalid_input(format!("bad query string: {}", r.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            format!("bad path: {}", r.body_text()),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = serde_json::json!({ "code": self.code, "message": self.message });
        if !self.fields.is_empty() {
            error["fields"] = self
                .fields
                .iter()
                .map(|f| serde_json::json!({ "field": f.field, "message": f.message }))
                .collect();
        }
        let body = serde_json::json!({ "error": error });
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
