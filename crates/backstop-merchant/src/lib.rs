//! Maple Market's own order system, for the demo and the tests: a small HTTP service on its own
//! port, separate from Backstop, that the demo tenant's actions call exactly as a real merchant's
//! API would be called — a bearer key, JSON, 404 for an unknown order, 409 for a change the
//! order's state refuses, and an `Idempotency-Key` on every change (the same key again returns the
//! first answer and changes nothing twice).
//!
//! Routes (all behind `Authorization: Bearer <key>`):
//! - `GET  /api/orders/{number}` — the order, its items, shipment and tracking events;
//! - `GET  /api/customers/{email}/orders` — a customer's orders, newest first;
//! - `POST /api/orders/{number}/cancel` — cancels a paid, unshipped order (refund issued);
//! - `POST /api/orders/{number}/refunds` `{"amount", "reason"}` — requests a refund of a
//!   delivered order, up to what was paid;
//! - `POST /_control/fault` `{"status"?, "delay_ms"?, "times"}` — the next `times` requests answer
//!   with that status or wait that long first (how tests make the merchant fail or stall);
//! - `GET  /_control/changes` — how many state changes were made, and which (`"cancel MM-…"`,
//!   `"refund MM-… 120"`): tests count second changes;
//! - `POST /_control/reset` — the seeded orders again, every change and key forgotten (an
//!   evaluation replays each dialogue on the same shop).

mod data;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub use data::{Order, Status};

/// A stall or failure the next requests meet.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Fault {
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// The request is carried out at once and only its answer is late by `delay_ms` (a caller
    /// that gives up meanwhile never learns it went through).
    #[serde(default)]
    pub answer_late: bool,
    pub times: u32,
}

#[derive(Debug, Default)]
struct Books {
    orders: Vec<Order>,
    /// Idempotency key → the answer first given for it.
    answered: HashMap<String, (StatusCode, Value)>,
    changes: u64,
    /// What each change was, in order.
    log: Vec<String>,
    fault: Option<Fault>,
    refunds: u64,
}

#[derive(Clone)]
struct Shop {
    key: Arc<str>,
    books: Arc<Mutex<Books>>,
}

impl Shop {
    fn books(&self) -> std::sync::MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The service's routes over the seeded orders, answering only `Bearer {key}`.
pub fn router(key: &str) -> Router {
    let shop = Shop {
        key: key.into(),
        books: Arc::new(Mutex::new(Books {
            orders: data::seed(),
            ..Books::default()
        })),
    };
    Router::new()
        .route("/api/orders/{number}", get(order))
        .route("/api/customers/{email}/orders", get(customer_orders))
        .route("/api/orders/{number}/cancel", post(cancel))
        .route("/api/orders/{number}/refunds", post(refund))
        .route("/_control/fault", post(set_fault))
        .route("/_control/changes", get(changes))
        .route("/_control/reset", post(reset))
        .layer(middleware::from_fn_with_state(shop.clone(), gate))
        .with_state(shop)
}

/// Serves on `listener` until the task is dropped or aborted.
pub async fn serve(listener: tokio::net::TcpListener, key: &str) -> std::io::Result<()> {
    axum::serve(listener, router(key)).await
}

/// Binds `addr` (port 0: any free one) and serves in the background; returns where it listens.
pub async fn spawn(addr: SocketAddr, key: &str) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let key = key.to_string();
    let task = tokio::spawn(async move {
        let _ = serve(listener, &key).await;
    });
    Ok((local, task))
}

fn problem(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": code, "message": message}))).into_response()
}

/// The key first, then any fault the tests set.
async fn gate(State(shop): State<Shop>, request: Request, next: Next) -> Response {
    let authorized = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|k| k == &*shop.key);
    if !authorized {
        return problem(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer key is required",
        );
    }
    if !request.uri().path().starts_with("/_control/") {
        let fault = {
            let mut books = shop.books();
            match books.fault.as_mut() {
                Some(f) if f.times > 0 => {
                    f.times -= 1;
                    Some(f.clone())
                }
                _ => None,
            }
        };
        if let Some(f) = fault {
            if f.answer_late {
                // Done whether or not the caller is still there to hear it.
                let done = tokio::spawn(next.run(request)).await;
                tokio::time::sleep(Duration::from_millis(f.delay_ms.unwrap_or(0))).await;
                return done.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
            }
            if let Some(ms) = f.delay_ms {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            if let Some(code) = f.status.and_then(|s| StatusCode::from_u16(s).ok()) {
                return problem(code, "fault", "injected by /_control/fault");
            }
        }
    }
    next.run(request).await
}

fn order_json(o: &Order) -> Value {
    let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        let items: u32 = o.items.iter().map(|i| i.quantity).sum();
        obj.insert("item_count".into(), json!(items));
        let mut shipment = obj.remove("shipment");
        // The newest scan beside the history, as tracking pages show it.
        if let Some(Value::Object(s)) = shipment.as_mut() {
            let latest = s
                .get("events")
                .and_then(Value::as_array)
                .and_then(|e| e.last())
                .cloned()
                .unwrap_or(Value::Null);
            s.insert("latest".into(), latest);
        }
        let refunds = obj.remove("refunds");
        return json!({"order": v, "shipment": shipment, "refunds": refunds});
    }
    v
}

async fn order(State(shop): State<Shop>, Path(number): Path<String>) -> Response {
    let books = shop.books();
    match books.orders.iter().find(|o| o.number.eq_ignore_ascii_case(&number)) {
        Some(o) => Json(order_json(o)).into_response(),
        None => problem(StatusCode::NOT_FOUND, "not_found", "no such order"),
    }
}

async fn customer_orders(State(shop): State<Shop>, Path(email): Path<String>) -> Response {
    let books = shop.books();
    let mut orders: Vec<&Order> = books
        .orders
        .iter()
        .filter(|o| o.email.eq_ignore_ascii_case(&email))
        .collect();
    orders.sort_by(|a, b| b.placed_at.cmp(&a.placed_at));
    Json(json!({"orders": orders})).into_response()
}

/// Runs `change` once per idempotency key: a repeat gets the first answer back.
fn once(shop: &Shop, headers: &HeaderMap, change: impl FnOnce(&mut Books) -> (StatusCode, Value)) -> Response {
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 200)
    else {
        return problem(
            StatusCode::BAD_REQUEST,
            "idempotency_key_required",
            "a change needs an Idempotency-Key header",
        );
    };
    let mut books = shop.books();
    if let Some((status, body)) = books.answered.get(key) {
        return (*status, Json(body.clone())).into_response();
    }
    let (status, body) = change(&mut books);
    books.answered.insert(key.to_string(), (status, body.clone()));
    (status, Json(body)).into_response()
}

async fn cancel(State(shop): State<Shop>, Path(number): Path<String>, headers: HeaderMap) -> Response {
    once(&shop, &headers, |books| {
        let Some(o) = books.orders.iter_mut().find(|o| o.number.eq_ignore_ascii_case(&number)) else {
            return (
                StatusCode::NOT_FOUND,
                json!({"error": "not_found", "message": "no such order"}),
            );
        };
        match o.status {
            Status::Paid => {
                o.status = Status::Cancelled;
                let total = o.total;
                books.changes += 1;
                books.log.push(format!("cancel {number}"));
                (
                    StatusCode::OK,
                    json!({"state": "cancelled", "number": number, "refund": {"amount": total, "currency": "CNY", "state": "issued"}}),
                )
            }
            Status::Cancelled => (
                StatusCode::CONFLICT,
                json!({"error": "already_cancelled", "message": "the order is already cancelled"}),
            ),
            Status::Shipped | Status::Delivered => (
                StatusCode::CONFLICT,
                json!({"error": "already_shipped", "message": "a shipped order cannot be cancelled"}),
            ),
        }
    })
}

#[derive(Deserialize)]
struct RefundAsk {
    amount: f64,
    #[serde(default)]
    reason: String,
}

async fn refund(
    State(shop): State<Shop>,
    Path(number): Path<String>,
    headers: HeaderMap,
    Json(ask): Json<RefundAsk>,
) -> Response {
    once(&shop, &headers, |books| {
        books.refunds += 1;
        let id = format!("RF-{:05}", books.refunds);
        let Some(o) = books.orders.iter_mut().find(|o| o.number.eq_ignore_ascii_case(&number)) else {
            return (
                StatusCode::NOT_FOUND,
                json!({"error": "not_found", "message": "no such order"}),
            );
        };
        if o.status != Status::Delivered {
            return (
                StatusCode::CONFLICT,
                json!({"error": "not_delivered", "message": "only a delivered order can be refunded"}),
            );
        }
        let refunded: f64 = o.refunds.iter().map(|r| r.amount).sum();
        if !(ask.amount > 0.0 && ask.amount + refunded <= o.total + 1e-9) {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"error": "amount", "message": "more than was paid", "refundable": o.total - refunded}),
            );
        }
        o.refunds.push(data::Refund {
            id: id.clone(),
            amount: ask.amount,
            reason: ask.reason.clone(),
            state: "requested".into(),
        });
        books.changes += 1;
        books.log.push(format!("refund {number} {}", ask.amount));
        (
            StatusCode::OK,
            json!({"refund_id": id, "state": "requested", "amount": ask.amount, "currency": "CNY"}),
        )
    })
}

async fn set_fault(State(shop): State<Shop>, Json(fault): Json<Fault>) -> Response {
    shop.books().fault = Some(fault);
    StatusCode::NO_CONTENT.into_response()
}

async fn changes(State(shop): State<Shop>) -> Response {
    let books = shop.books();
    Json(json!({"changes": books.changes, "log": books.log})).into_response()
}

async fn reset(State(shop): State<Shop>) -> Response {
    *shop.books() = Books {
        orders: data::seed(),
        ..Books::default()
    };
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests;
