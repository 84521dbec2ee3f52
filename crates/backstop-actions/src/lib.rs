//! Running a tenant's action against the merchant's own API: the one request
//! `backstop_core::action::Action::request` built, sent with the action's timeout and no
//! redirects followed (an API that answers elsewhere is not followed there), the answer (at most
//! 256 KiB of JSON) read through the action's response mapping, and the outcome classified so
//! the conversation can say something true: done, refused by the merchant (a 4xx: no such order,
//! already shipped), or failed (timeout, 5xx, the key refused, an answer of the wrong shape, the
//! network).
//!
//! A reading action is tried twice when the first attempt fails in a way a second may not; a
//! change only when the merchant honours idempotency keys and one is given — otherwise a change
//! is sent once, whatever happens. Each call leaves a `Record` whose parameters are masked where
//! they are personal (e-mail, phone, free text), for the conversation's events.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use backstop_core::action::{Action, Effect, Entity, Kind, Val};
use serde::Serialize;
use serde_json::Value;

/// The largest merchant answer read.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;
/// The pause before the one retry.
const RETRY_AFTER: Duration = Duration::from_millis(200);

/// Why a call gave no usable answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "failure", rename_all = "snake_case")]
pub enum Failure {
    Timeout,
    /// The merchant's server failed (5xx).
    Status {
        status: u16,
    },
    /// 401/403: the action's key was refused.
    Unauthorized {
        status: u16,
    },
    /// A redirect, not followed.
    Redirected {
        status: u16,
    },
    /// Not JSON, too large, or a mapped field missing.
    Shape {
        detail: String,
    },
    Network {
        detail: String,
    },
}

/// What came of a call.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The mapped fields of the merchant's answer, and nothing else of it.
    Done {
        fields: BTreeMap<String, Value>,
    },
    /// The merchant said no (4xx but 401/403): its `error` code when it gave one.
    Refused {
        status: u16,
        code: Option<String>,
    },
    Failed(Failure),
}

/// What the conversation's events keep of a call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    pub action: String,
    pub effect: Effect,
    /// Parameter values, personal ones masked.
    pub parameters: BTreeMap<String, String>,
    pub attempts: u32,
    pub status: Option<u16>,
    pub latency_ms: u32,
}

/// One call: its outcome and its record.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub outcome: Outcome,
    pub record: Record,
}

/// Sends actions' requests (one shared HTTP client).
#[derive(Clone, Debug)]
pub struct Caller {
    http: reqwest::Client,
}

impl Default for Caller {
    fn default() -> Self {
        Self::new()
    }
}

impl Caller {
    pub fn new() -> Caller {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Backstop-Actions/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Caller { http }
    }

    /// Runs `action` with checked `values`, its stored `secret` and, for a confirmed change, the
    /// idempotency key that makes a retry safe.
    pub async fn call(
        &self,
        action: &Action,
        values: &BTreeMap<String, Val>,
        secret: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Call {
        let started = Instant::now();
        let mut record = Record {
            action: action.name().to_string(),
            effect: action.spec.effect,
            parameters: masked(action, values),
            attempts: 0,
            status: None,
            latency_ms: 0,
        };
        let request = match action.request(values, secret, idempotency_key) {
            Ok(r) => r,
            Err(e) => {
                record.latency_ms = elapsed_ms(started);
                return Call {
                    outcome: Outcome::Failed(Failure::Shape { detail: e.to_string() }),
                    record,
                };
            }
        };
        let retry_safe = match action.spec.effect {
            Effect::Read => true,
            Effect::Change => action.spec.idempotent && idempotency_key.is_some(),
        };
        let mut outcome;
        loop {
            record.attempts += 1;
            let (o, status) = self.once(action, &request).await;
            outcome = o;
            record.status = status;
            let transient = matches!(
                outcome,
                Outcome::Failed(Failure::Timeout | Failure::Status { .. } | Failure::Network { .. })
            );
            if !(transient && retry_safe && record.attempts < 2) {
                break;
            }
            tokio::time::sleep(RETRY_AFTER).await;
        }
        record.latency_ms = elapsed_ms(started);
        Call { outcome, record }
    }

    async fn once(&self, action: &Action, r: &backstop_core::action::Request) -> (Outcome, Option<u16>) {
        let method = reqwest::Method::from_bytes(r.method.as_str().as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut builder = self
            .http
            .request(method, &r.url)
            .timeout(Duration::from_millis(u64::from(r.timeout_ms)))
            .header("accept", "application/json");
        for (k, v) in &r.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if let Some(body) = &r.body {
            builder = builder.json(body);
        }
        let response = match builder.send().await {
            Ok(resp) => resp,
            Err(e) if e.is_timeout() => return (Outcome::Failed(Failure::Timeout), None),
            Err(e) => {
                return (
                    Outcome::Failed(Failure::Network {
                        detail: short(&e.without_url().to_string()),
                    }),
                    None,
                )
            }
        };
        let status = response.status().as_u16();
        let body = match read_capped(response).await {
            Ok(b) => b,
            Err(failure) => return (Outcome::Failed(failure), Some(status)),
        };
        let json: Option<Value> = serde_json::from_slice(&body).ok();
        let outcome = match status {
            200..=299 => match json {
                None => Outcome::Failed(Failure::Shape {
                    detail: "the answer is not JSON".into(),
                }),
                Some(v) => match action.read(&v) {
                    Ok(fields) => Outcome::Done { fields },
                    Err(e) => Outcome::Failed(Failure::Shape { detail: e.to_string() }),
                },
            },
            300..=399 => Outcome::Failed(Failure::Redirected { status }),
            401 | 403 => Outcome::Failed(Failure::Unauthorized { status }),
            400..=499 => Outcome::Refused {
                status,
                code: json
                    .as_ref()
                    .and_then(|v| v.get("error"))
                    .and_then(Value::as_str)
                    .map(short),
            },
            _ => Outcome::Failed(Failure::Status { status }),
        };
        (outcome, Some(status))
    }
}

async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if out.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(Failure::Shape {
                        detail: format!("the answer is larger than {MAX_RESPONSE_BYTES} bytes"),
                    });
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(out),
            Err(e) if e.is_timeout() => return Err(Failure::Timeout),
            Err(e) => {
                return Err(Failure::Network {
                    detail: short(&e.without_url().to_string()),
                })
            }
        }
    }
}

fn elapsed_ms(since: Instant) -> u32 {
    since.elapsed().as_millis().min(u128::from(u32::MAX)) as u32
}

fn short(s: &str) -> String {
    s.chars().take(120).collect()
}

/// The parameters as a record keeps them: e-mails, phones and free text masked, the rest as is.
pub fn masked(action: &Action, values: &BTreeMap<String, Val>) -> BTreeMap<String, String> {
    values
        .iter()
        .map(|(name, v)| {
            let text = v.as_text();
            // A choice among the tenant's own values ("changed_mind") is not personal.
            let personal = action.schema.get(name).is_some_and(|p| match p.entity {
                Entity::Email | Entity::Phone => true,
                Entity::Text => !matches!(&p.kind, Kind::String { choices, .. } if !choices.is_empty()),
                _ => false,
            }) && matches!(v, Val::Text(_));
            (name.clone(), if personal { mask(&text) } else { text })
        })
        .collect()
}

fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < 2 || i + 2 >= n || !c.is_alphanumeric() {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
